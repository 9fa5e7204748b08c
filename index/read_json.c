/*
 * read_json.c - a JSON document read as a stream of records: either an
 * array whose elements are records, or an object whose array members hold
 * the records (all of them, or only the one under opts->records_key;
 * members that are not arrays are skipped).
 *
 * The document is never in memory as a whole.  A scanner walks the bytes
 * chunk by chunk, following only what it needs to find where an element
 * ends (strings, and brackets on a stack); the bytes of one element are
 * captured in a buffer and handed to the JSON parser (json.c), which gives
 * the record.  An element that is bad on its own (malformed, or not an
 * object or string) is a bad record and reading goes on; an error in the
 * structure around the elements stops the input (PV_EPARSE), as nothing
 * after it can be trusted.  Lines are counted lazily, by counting '\n' in
 * the bytes passed over, only when a location is needed or a chunk is
 * dropped.  An element over the size limit is passed over without being
 * kept (a bad record, "document too large"); an input in UTF-16 or
 * UTF-32 is refused at its first bytes.
 *
 * Owns the scanner (chunk buffer, element buffer, current key).
 */
#include "readers.h"
#include "../common/utf8.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef JS_CHUNK
#define JS_CHUNK (256 * 1024)      /* bytes read at a time (tests shrink it) */
#endif
#define JS_EOF 256              /* peek() at the end of the input */
#define MAX_LISTED_KEYS 20      /* keys named in a "no such key" message */

enum js_state {
	JS_START,                   /* before the top-level value */
	JS_ARRAY_FIRST,             /* after '[': an element or ']' */
	JS_ARRAY_NEXT,              /* after an element: ',' or ']' */
	JS_OBJECT_FIRST,            /* after the top-level '{': a key or '}' */
	JS_OBJECT_NEXT,             /* after a member: ',' or '}' */
	JS_END,                     /* after the top-level value: only blanks */
	JS_DONE,                    /* READ_EOF returned */
	JS_FAILED                   /* a structural error; repeated */
};

struct jsonr {
	/* input chunk */
	unsigned char *buf;
	size_t len, pos;
	uint64_t base;              /* input offset of buf[0] */
	int eof;

	/* lines, counted up to buf[synced] */
	size_t synced;
	long line;
	uint64_t line_start;        /* input offset of the current line's start */

	/* capture of the bytes passed over, into cap (when not NULL) */
	struct buf *cap;
	size_t cap_from;
	uint64_t cap_start;         /* input offset where the capture began */
	int cap_over;               /* it went over the limit: bytes dropped */

	enum js_state state;
	int top_object;             /* the top-level value is an object */
	struct buf elem;            /* the current element's bytes */
	struct buf keyraw;          /* the current key's literal */
	struct buf key;             /* ... decoded: the record's array_key */
	int key_active;             /* records come from an array under key */
	long arr_index;             /* index of the next element in its array */
	int found_key;              /* records_key was seen */
	struct buf keys_seen;       /* "'a', 'b'" for the not-found message */
	size_t nkeys_seen;
	struct buf arr_keys;        /* keys whose arrays were read: length
	                               (size_t) and bytes of each */

	struct pv_err failure;      /* the structural error, once failed */
	int fail_code;
};

/* Counts lines in buf[synced..pos). */
static void sync_lines(struct jsonr *j)
{
	const unsigned char *p = j->buf + j->synced, *end = j->buf + j->pos, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		j->line++;
		j->line_start = j->base + (uint64_t)(nl - j->buf) + 1;
		p = nl + 1;
	}
	j->synced = j->pos;
}

/* The 1-based line and byte column of the scan position. */
static void where(struct jsonr *j, long *line, long *col)
{
	sync_lines(j);
	*line = j->line;
	*col = (long)(j->base + j->pos - j->line_start) + 1;
}

/*
 * Records a structural error at the scan position and makes it sticky.
 * Returns code.
 */
static int js_fail(struct reader *r, struct jsonr *j, struct pv_err *err,
		   int code, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int js_fail(struct reader *r, struct jsonr *j, struct pv_err *err,
		   int code, const char *fmt, ...)
{
	va_list ap;
	long line, col;

	where(j, &line, &col);
	pv_err_clear(&j->failure);
	j->failure.code = code;
	snprintf(j->failure.file, sizeof j->failure.file, "%s", r->path);
	j->failure.line = line;
	j->failure.column = col;
	va_start(ap, fmt);
	vsnprintf(j->failure.msg, sizeof j->failure.msg, fmt, ap);
	va_end(ap);
	j->fail_code = code;
	j->state = JS_FAILED;
	if (err)
		*err = j->failure;
	return code;
}

/*
 * Reads the next chunk once the current one is used up (counting its lines
 * and saving its captured bytes first).  Returns 0 (data, or j->eof), or
 * the stream's negative code, made sticky.
 */
static int fill(struct reader *r, struct jsonr *j, struct pv_err *err)
{
	ssize_t n;

	sync_lines(j);
	if (j->cap && !j->cap_over) {
		if (j->cap->len + (j->len - j->cap_from) > r->max_doc) {
			j->cap_over = 1;
			buf_done(j->cap);
		} else {
			buf_append(j->cap, j->buf + j->cap_from, j->len - j->cap_from);
		}
	}
	j->base += j->len;
	j->len = j->pos = j->synced = j->cap_from = 0;
	n = instream_read(r->in, j->buf, JS_CHUNK, err);
	if (n < 0) {
		j->eof = 1;
		j->fail_code = (int)n;
		if (err)
			j->failure = *err;
		j->state = JS_FAILED;
		return (int)n;
	}
	if (n == 0)
		j->eof = 1;
	j->len = (size_t)n;
	return 0;
}

/* The byte at the scan position, JS_EOF, or a negative code. */
static inline int peek(struct reader *r, struct jsonr *j, struct pv_err *err)
{
	int rc;

	if (j->pos < j->len)
		return j->buf[j->pos];
	if (j->eof)
		return JS_EOF;
	if ((rc = fill(r, j, err)) < 0)
		return rc;
	return j->pos < j->len ? j->buf[j->pos] : JS_EOF;
}

/* The first non-blank byte from the scan position (not consumed). */
static int skip_ws(struct reader *r, struct jsonr *j, struct pv_err *err)
{
	int c;

	for (;;) {
		while (j->pos < j->len) {
			c = j->buf[j->pos];
			if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
				return c;
			j->pos++;
		}
		c = peek(r, j, err);
		if (c < 0 || c == JS_EOF)
			return c;
	}
}

/* Starts capturing the bytes passed over into b (emptied). */
static void capture_start(struct jsonr *j, struct buf *b)
{
	buf_reset(b);
	j->cap = b;
	j->cap_from = j->pos;
	j->cap_start = j->base + j->pos;
	j->cap_over = 0;
}

/* Stops capturing; the bytes up to the scan position are in the buffer,
 * unless they went over max (j->cap_over: the buffer is empty).  Returns
 * the number of bytes passed over. */
static uint64_t capture_end(struct jsonr *j, uint64_t max)
{
	if (!j->cap_over && j->cap->len + (j->pos - j->cap_from) > max) {
		j->cap_over = 1;
		buf_done(j->cap);
	}
	if (!j->cap_over)
		buf_append(j->cap, j->buf + j->cap_from, j->pos - j->cap_from);
	j->cap = NULL;
	return j->base + j->pos - j->cap_start;
}

/*
 * Passes over a string whose opening quote is at the scan position.
 * Returns 0, or a negative code (the input ended inside it: PV_EPARSE).
 */
static int scan_string(struct reader *r, struct jsonr *j, struct pv_err *err)
{
	const unsigned char *q = NULL, *b, *p, *end;
	uint64_t qbase = UINT64_MAX;    /* chunk q was found in */
	int c;

	j->pos++;
	for (;;) {
		if (j->pos >= j->len) {
			c = peek(r, j, err);
			if (c < 0)
				return c;
			if (c == JS_EOF)
				return js_fail(r, j, err, PV_EPARSE,
					       "unexpected end of input inside a string");
		}
		p = j->buf + j->pos;
		end = j->buf + j->len;
		/* The next quote (end: none in this chunk), found once per
		 * chunk and again only when an escape passed it. */
		if (qbase != j->base || q < p) {
			q = memchr(p, '"', (size_t)(end - p));
			if (!q)
				q = end;
			qbase = j->base;
		}
		b = memchr(p, '\\', (size_t)(q - p));
		if (b) {
			/* Pass the backslash and the byte it escapes. */
			j->pos = (size_t)(b - j->buf) + 1;
			c = peek(r, j, err);
			if (c < 0)
				return c;
			if (c == JS_EOF)
				return js_fail(r, j, err, PV_EPARSE,
					       "unexpected end of input inside a string");
			j->pos++;
			continue;
		}
		if (q < end) {
			j->pos = (size_t)(q - j->buf) + 1;
			return 0;
		}
		j->pos = j->len;
	}
}

/* Bytes that matter inside a container while looking for its end. */
static const unsigned char special[256] = {
	['"'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
};

/* Bytes that end a bare scalar (number or literal). */
static const unsigned char scalar_end[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, [','] = 1, [':'] = 1,
	['"'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
};

/*
 * Passes over one value starting at the scan position (after blanks): a
 * string, a container up to its matching bracket, or a bare scalar.  The
 * value's own syntax is not checked here (the parser does that on the
 * captured bytes), only what finding its end needs.  Returns 0, or a
 * negative code (PV_EPARSE for a value that does not end properly).
 */
static int scan_value(struct reader *r, struct jsonr *j, struct pv_err *err)
{
	char stack[JSON_MAX_DEPTH];
	int depth = 0, c, rc;
	size_t start, n = 0;

	c = peek(r, j, err);
	if (c < 0)
		return c;
	if (c == '"')
		return scan_string(r, j, err);
	if (c != '{' && c != '[') {
		for (;;) {
			start = j->pos;
			while (j->pos < j->len && !scalar_end[j->buf[j->pos]])
				j->pos++;
			n += j->pos - start;
			if (j->pos < j->len)
				break;
			c = peek(r, j, err);
			if (c < 0)
				return c;
			if (c == JS_EOF)
				break;
		}
		if (n == 0)
			return js_fail(r, j, err, PV_EPARSE, c == JS_EOF
				       ? "unexpected end of input" : "expected a JSON value");
		return 0;
	}
	for (;;) {
		while (j->pos < j->len && !special[j->buf[j->pos]])
			j->pos++;
		c = peek(r, j, err);
		if (c < 0)
			return c;
		if (c == JS_EOF)
			return js_fail(r, j, err, PV_EPARSE,
				       "unexpected end of input inside %s",
				       stack[0] == '{' ? "an object" : "an array");
		switch (c) {
		case '"':
			if ((rc = scan_string(r, j, err)) < 0)
				return rc;
			continue;
		case '{':
		case '[':
			if (depth == JSON_MAX_DEPTH)
				return js_fail(r, j, err, PV_EPARSE, "nesting too deep");
			stack[depth++] = (char)c;
			break;
		case '}':
		case ']':
			if (depth == 0 || stack[depth - 1] != (c == '}' ? '{' : '['))
				return js_fail(r, j, err, PV_EPARSE,
					       "mismatched '%c'", c);
			depth--;
			break;
		}
		j->pos++;
		if (depth == 0)
			return 0;
	}
}

/* Notes key (decoded) among the keys seen, for the not-found message. */
static void note_key(struct jsonr *j)
{
	if (j->nkeys_seen++ >= MAX_LISTED_KEYS) {
		if (j->nkeys_seen == MAX_LISTED_KEYS + 1)
			buf_puts(&j->keys_seen, ", ...");
		return;
	}
	if (j->keys_seen.len)
		buf_puts(&j->keys_seen, ", ");
	buf_printf(&j->keys_seen, "'%.*s'", (int)PV_MIN(j->key.len, 100),
		   buf_str(&j->key));
}

/*
 * True when the current key (j->key) is one whose array was read before;
 * else notes it.  A key given twice means two arrays Python would read as
 * one (the last): refused rather than read both under the same ids.
 */
static int array_key_again(struct jsonr *j)
{
	size_t pos = 0, n;

	while (pos < j->arr_keys.len) {
		memcpy(&n, j->arr_keys.data + pos, sizeof n);
		pos += sizeof n;
		if (n == j->key.len && memcmp(j->arr_keys.data + pos, j->key.data, n) == 0)
			return 1;
		pos += n;
	}
	n = j->key.len;
	buf_append(&j->arr_keys, &n, sizeof n);
	buf_append(&j->arr_keys, j->key.data ? j->key.data : "", n);
	return 0;
}

/*
 * Turns the captured element (which started at line/col) into rec.
 * Returns READ_OK or READ_BAD with err located at the problem.
 */
static int element_record(struct reader *r, struct jsonr *j, struct record *rec,
			  long line, long col, struct pv_err *err)
{
	struct json_error jerr;
	enum json_kind kind;
	const char *s, *nl, *last;
	long eline, ecol;
	int rc;

	rec->line = line;
	rec->column = col;
	rec->index = j->arr_index++;
	rec->array_key = j->key_active ? buf_str(&j->key) : NULL;
	r->index++;
	rc = reader_parse_json(r, j->elem.data ? j->elem.data : "", j->elem.len,
			       rec, &jerr, &kind);
	if (rc != READ_BAD)
		return rc;
	if (!jerr.reason) {
		pv_errf_at(err, PV_EPARSE, r->path, line, col,
			   "not an object or string (a JSON %s)", json_kind_name(kind));
		return rc;
	}
	/* Where in the file the parser's offset is. */
	s = j->elem.data;
	eline = line;
	last = NULL;
	while ((nl = memchr(s, '\n', jerr.offset - (size_t)(s - j->elem.data))) != NULL) {
		eline++;
		last = nl;
		s = nl + 1;
	}
	ecol = last ? (long)(j->elem.data + jerr.offset - last)
		    : col + (long)jerr.offset;
	pv_errf_at(err, PV_EPARSE, r->path, eline, ecol, "malformed JSON: %s",
		   jerr.reason);
	return rc;
}

/*
 * Reads a member's key (at the scan position, a '"' expected) and the ':'
 * after it, leaving the scan at the value.  Returns the value's first byte,
 * or a negative code.
 */
static int member_key(struct reader *r, struct jsonr *j, struct pv_err *err)
{
	struct json_error jerr;
	int c, rc;

	c = skip_ws(r, j, err);
	if (c < 0)
		return c;
	if (c != '"')
		return js_fail(r, j, err, PV_EPARSE, c == JS_EOF
			       ? "unexpected end of input" : "expected a string key");
	capture_start(j, &j->keyraw);
	rc = scan_string(r, j, err);
	if (rc < 0) {
		j->cap = NULL;
		return rc;
	}
	capture_end(j, r->max_doc);
	if (j->cap_over)
		return js_fail(r, j, err, PV_EPARSE, "a key of the top-level object "
			       "is over the limit of %llu bytes",
			       (unsigned long long)r->max_doc);
	buf_reset(&j->key);
	if (json_decode_string(j->keyraw.data, j->keyraw.len, &j->key, &jerr) < 0)
		return js_fail(r, j, err, PV_EPARSE, "%s in a key", jerr.reason);
	note_key(j);
	c = skip_ws(r, j, err);
	if (c < 0)
		return c;
	if (c != ':')
		return js_fail(r, j, err, PV_EPARSE, c == JS_EOF
			       ? "unexpected end of input" : "expected ':'");
	j->pos++;
	return skip_ws(r, j, err);
}

/*
 * json_next - runs the scanner until the next element is captured and
 * returns it as a record.  Returns READ_OK, READ_BAD, READ_EOF, or a
 * negative code (stream failure, broken structure, records_key absent).
 */
static int json_next(struct reader *r, struct record *rec, struct pv_err *err)
{
	struct jsonr *j = r->state;
	long line, col;
	uint64_t size;
	int c, rc, is_key;

	for (;;) {
		switch (j->state) {
		case JS_START:
			c = peek(r, j, err);
			if (c < 0)
				return c;
			if (j->base == 0 && j->pos == 0 &&
			    (rc = reader_check_encoding(r, j->buf, j->len,
							&j->failure)) < 0) {
				j->fail_code = rc;
				j->state = JS_FAILED;
				if (err)
					*err = j->failure;
				return rc;
			}
			if (j->base == 0 && j->pos == 0 && HAS_BOM(j->buf, j->len))
				j->pos = 3;
			c = skip_ws(r, j, err);
			if (c < 0)
				return c;
			if (c == '[' && r->records_key) {
				return js_fail(r, j, err, PV_ENOTFOUND,
					       "no array under key '%s': the input is an array, not an object",
					       r->records_key);
			} else if (c == '[') {
				j->pos++;
				j->state = JS_ARRAY_FIRST;
				j->key_active = 0;
				j->arr_index = 0;
			} else if (c == '{') {
				j->pos++;
				j->top_object = 1;
				j->state = JS_OBJECT_FIRST;
			} else {
				return js_fail(r, j, err, PV_EPARSE, c == JS_EOF
					       ? "empty input: expected a JSON array or object"
					       : "expected a JSON array or object of arrays");
			}
			continue;

		case JS_ARRAY_FIRST:
		case JS_ARRAY_NEXT:
			c = skip_ws(r, j, err);
			if (c < 0)
				return c;
			if (c == ']') {
				j->pos++;
				j->key_active = 0;
				j->state = j->top_object ? JS_OBJECT_NEXT : JS_END;
				continue;
			}
			if (j->state == JS_ARRAY_NEXT) {
				if (c != ',')
					return js_fail(r, j, err, PV_EPARSE, c == JS_EOF
						       ? "unexpected end of input"
						       : "expected ',' or ']'");
				j->pos++;
				c = skip_ws(r, j, err);
				if (c < 0)
					return c;
			}
			if (c == JS_EOF || c == ']' || c == ',')
				return js_fail(r, j, err, PV_EPARSE, c == JS_EOF
					       ? "unexpected end of input"
					       : "expected a JSON value");
			where(j, &line, &col);
			capture_start(j, &j->elem);
			rc = scan_value(r, j, err);
			if (rc < 0) {
				j->cap = NULL;
				return rc;
			}
			size = capture_end(j, r->max_doc);
			j->state = JS_ARRAY_NEXT;
			if (j->cap_over) {
				rec->index = j->arr_index++;
				rec->array_key = j->key_active ? buf_str(&j->key) : NULL;
				r->index++;
				return reader_too_large(r, rec, line, col, size, false, err);
			}
			return element_record(r, j, rec, line, col, err);

		case JS_OBJECT_FIRST:
		case JS_OBJECT_NEXT:
			c = skip_ws(r, j, err);
			if (c < 0)
				return c;
			if (c == '}') {
				j->pos++;
				j->state = JS_END;
				continue;
			}
			if (j->state == JS_OBJECT_NEXT) {
				if (c != ',')
					return js_fail(r, j, err, PV_EPARSE, c == JS_EOF
						       ? "unexpected end of input"
						       : "expected ',' or '}'");
				j->pos++;
			}
			c = member_key(r, j, err);
			if (c < 0)
				return c;
			j->state = JS_OBJECT_NEXT;
			is_key = r->records_key && j->key.len == strlen(r->records_key) &&
				 memcmp(j->key.data, r->records_key, j->key.len) == 0;
			if (is_key) {
				j->found_key = 1;
				if (c != '[')
					return js_fail(r, j, err, PV_EPARSE,
						       "the value of '%s' is not an array",
						       r->records_key);
			}
			if (c == '[' && (!r->records_key || is_key)) {
				if (array_key_again(j)) {
					struct buf shown = BUF_INIT;
					utf8_sanitize(&shown, j->key.data, PV_MIN(j->key.len, 100),
						      SAN_ONE_LINE);
					rc = js_fail(r, j, err, PV_EPARSE, "the top-level object "
						     "gives the array '%s' twice: JSON readers keep "
						     "only the last one; the rest of the input is "
						     "not read (merge the arrays, or rename one)",
						     buf_str(&shown));
					buf_done(&shown);
					return rc;
				}
				j->pos++;
				j->state = JS_ARRAY_FIRST;
				j->key_active = 1;
				j->arr_index = 0;
				continue;
			}
			if (c == JS_EOF || c == '}' || c == ',')
				return js_fail(r, j, err, PV_EPARSE, c == JS_EOF
					       ? "unexpected end of input"
					       : "expected a JSON value");
			rc = scan_value(r, j, err);   /* not records: skip it */
			if (rc < 0)
				return rc;
			continue;

		case JS_END:
			c = skip_ws(r, j, err);
			if (c < 0)
				return c;
			if (c != JS_EOF)
				return js_fail(r, j, err, PV_EPARSE,
					       "trailing characters after the top-level value");
			if (r->records_key && !j->found_key) {
				j->state = JS_FAILED;
				j->fail_code = pv_errf_at(&j->failure, PV_ENOTFOUND,
					r->path, 0, 0, "no key '%s' in the top-level object (keys present: %s)",
					r->records_key, j->nkeys_seen ? buf_str(&j->keys_seen)
								      : "none");
				if (err)
					*err = j->failure;
				return j->fail_code;
			}
			j->state = JS_DONE;
			return READ_EOF;

		case JS_DONE:
			return READ_EOF;

		case JS_FAILED:
			if (err)
				*err = j->failure;
			return j->fail_code;
		}
	}
}

/* json_close - frees the scanner. */
static void json_close(struct reader *r)
{
	struct jsonr *j = r->state;

	if (!j)
		return;
	free(j->buf);
	buf_done(&j->elem);
	buf_done(&j->keyraw);
	buf_done(&j->key);
	buf_done(&j->keys_seen);
	buf_done(&j->arr_keys);
	free(j);
	r->state = NULL;
}

static const struct reader_ops json_ops = { json_next, json_close };

/* read_json_open - sets r up for a JSON document.  Returns 0. */
int read_json_open(struct reader *r, struct pv_err *err)
{
	struct jsonr *j = pv_calloc(1, sizeof *j);

	(void)err;
	j->buf = pv_malloc(JS_CHUNK);
	j->line = 1;
	j->state = JS_START;
	buf_init(&j->elem);
	buf_init(&j->keyraw);
	buf_init(&j->key);
	buf_init(&j->keys_seen);
	buf_init(&j->arr_keys);
	r->state = j;
	r->ops = &json_ops;
	return 0;
}
