/*
 * reader.c - the reader front end: opening an input and choosing its
 * format, handing out records through the format's operations, and the
 * pieces the formats share (turning a parsed JSON value into a record,
 * the field array, the line reader).
 */
#include "readers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Initial and minimum free room of a line buffer: one read's worth. */
#define LR_CHUNK (256 * 1024)

/*
 * reader_guess_format - the format path would be read as under IN_FMT_AUTO,
 * from its extension (case-insensitive) after dropping a trailing .gz or
 * .zst: .jsonl/.ndjson JSONL, .json JSON, .csv CSV, anything else text.
 * Standard input ("-") has no name to go by and is read as JSONL, the
 * format streams of documents come in.
 */
enum reader_format reader_guess_format(const char *path)
{
	static const char *const packs[] = { ".gz", ".zst", ".zstd", ".gzip" };
	const char *base = strrchr(path, '/'), *dot = NULL, *p;
	size_t n, i, k;

	if (strcmp(path, "-") == 0)
		return IN_FMT_JSONL;
	base = base ? base + 1 : path;
	n = strlen(base);
	for (i = 0; i < PV_ARRAY_LEN(packs); i++) {
		k = strlen(packs[i]);
		if (n > k && strncasecmp(base + n - k, packs[i], k) == 0) {
			n -= k;
			break;
		}
	}
	for (p = base; p < base + n; p++)
		if (*p == '.')
			dot = p;
	if (!dot || dot == base)
		return IN_FMT_TEXT;
	k = (size_t)(base + n - dot);
	if ((k == 6 && strncasecmp(dot, ".jsonl", 6) == 0) ||
	    (k == 7 && strncasecmp(dot, ".ndjson", 7) == 0))
		return IN_FMT_JSONL;
	if (k == 5 && strncasecmp(dot, ".json", 5) == 0)
		return IN_FMT_JSON;
	if (k == 4 && strncasecmp(dot, ".csv", 4) == 0)
		return IN_FMT_CSV;
	return IN_FMT_TEXT;
}

/*
 * reader_open - opens path as a stream and sets up the format's reader.
 * Returns 0 with *out set (the caller frees it with reader_close), or a
 * negative code with err naming the file.
 */
int reader_open(struct reader **out, const char *path,
		const struct reader_opts *opts, struct pv_err *err)
{
	struct reader *r;
	struct instream *in;
	enum reader_format fmt = opts ? opts->format : IN_FMT_AUTO;
	int rc;

	*out = NULL;
	if (fmt == IN_FMT_AUTO)
		fmt = reader_guess_format(path);
	rc = instream_open(&in, path, err);
	if (rc < 0)
		return rc;
	r = pv_calloc(1, sizeof *r);
	r->in = in;
	r->path = pv_strdup(path);
	r->fmt = fmt;
	if (opts && opts->records_key)
		r->records_key = pv_strdup(opts->records_key);
	r->max_doc = opts && opts->max_doc ? opts->max_doc : READER_MAX_DOC_DEFAULT;
	buf_init(&r->arena);
	switch (fmt) {
	case IN_FMT_JSONL:
		rc = read_jsonl_open(r, err);
		break;
	case IN_FMT_JSON:
		rc = read_json_open(r, err);
		break;
	case IN_FMT_CSV:
		rc = read_csv_open(r, err);
		break;
	default:
		r->fmt = IN_FMT_TEXT;
		rc = read_text_open(r, err);
		break;
	}
	if (rc < 0) {
		reader_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

/*
 * reader_next - clears rec, names its input, and asks the format for the
 * next record.  Returns READ_OK, READ_BAD, READ_EOF or a negative code.
 */
int reader_next(struct reader *r, struct record *rec, struct pv_err *err)
{
	memset(rec, 0, sizeof *rec);
	rec->input = r->path;
	rec->column = 1;
	return r->ops->next(r, rec, err);
}

/* reader_pos - compressed bytes read so far. */
uint64_t reader_pos(const struct reader *r)
{
	return instream_pos(r->in);
}

/* reader_size - the input file's size, 0 when unknown. */
uint64_t reader_size(const struct reader *r)
{
	return instream_size(r->in);
}

/* reader_checked - the input is compressed, checked at its end. */
bool reader_checked(const struct reader *r)
{
	return instream_checked(r->in);
}

/* reader_format - the format the reader resolved to. */
enum reader_format reader_format(const struct reader *r)
{
	return r->fmt;
}

/* reader_close - frees the format state, the stream and r. */
void reader_close(struct reader *r)
{
	if (!r)
		return;
	if (r->ops && r->ops->close)
		r->ops->close(r);
	instream_close(r->in);
	buf_done(&r->arena);
	buf_done(&r->dedup);
	json_object_done(&r->obj);
	free(r->fields);
	free(r->records_key);
	free(r->path);
	free(r);
}

/* record_field - first field named name, or NULL (also for text records). */
const struct in_field *record_field(const struct record *rec, const char *name)
{
	size_t i, n;

	if (rec->is_text || !rec->fields)
		return NULL;
	n = strlen(name);
	for (i = 0; i < rec->nfields; i++)
		if (rec->fields[i].name_len == n &&
		    memcmp(rec->fields[i].name, name, n) == 0)
			return &rec->fields[i];
	return NULL;
}

/* reader_fields_reserve - room for n fields in r->fields. */
void reader_fields_reserve(struct reader *r, size_t n)
{
	if (n <= r->fields_cap)
		return;
	r->fields_cap = PV_MAX(n, r->fields_cap * 2);
	r->fields = pv_realloc(r->fields, r->fields_cap * sizeof *r->fields);
}

/*
 * reader_parse_json - see readers.h.  The arena is reserved for every
 * string member up front (a decoded string is never longer than its
 * literal, quotes included), so the pointers handed out while decoding
 * stay valid.  A member a later one of the same key overrides is left
 * out; with duplicates below the top level, the values that hold them
 * are copied without them into r->dedup (reserved up front as well) and
 * the fields point there.
 */
int reader_parse_json(struct reader *r, const char *s, size_t len,
		      struct record *rec, struct json_error *jerr,
		      enum json_kind *kind)
{
	struct json_value v;
	struct json_member *m;
	struct in_field *f;
	size_t i, n, need = 0;

	jerr->reason = NULL;
	jerr->offset = 0;
	*kind = JSON_NULL;
	if (json_parse(s, len, &v, &r->obj, jerr) < 0) {
		rec->reason = json_error_is_control(jerr)
			? "unescaped control character in a JSON string"
			: "malformed JSON";
		return READ_BAD;
	}
	*kind = v.kind;
	buf_reset(&r->arena);
	if (v.kind == JSON_STRING) {
		json_decode_string(v.raw, v.raw_len, &r->arena, NULL);
		rec->is_text = true;
		rec->text = r->arena.data;
		rec->text_len = r->arena.len;
		return READ_OK;
	}
	if (v.kind != JSON_OBJECT) {
		rec->reason = "not an object or string";
		return READ_BAD;
	}
	for (i = 0; i < r->obj.n; i++)
		if (r->obj.members[i].val.kind == JSON_STRING)
			need += r->obj.members[i].val.raw_len;
	buf_reserve(&r->arena, need + 1);
	buf_reset(&r->dedup);
	if (r->obj.nested_dups)
		buf_reserve(&r->dedup, len + 1);
	reader_fields_reserve(r, r->obj.n);
	for (i = n = 0; i < r->obj.n; i++) {
		m = &r->obj.members[i];
		if (m->overridden)
			continue;
		f = &r->fields[n++];
		f->name = m->key;
		f->name_len = m->key_len;
		f->type = m->val.kind;
		f->raw = m->val.raw;
		f->raw_len = m->val.raw_len;
		f->str = NULL;
		f->str_len = 0;
		if (m->val.kind == JSON_STRING) {
			size_t off = r->arena.len;
			json_decode_string(m->val.raw, m->val.raw_len, &r->arena, NULL);
			f->str = r->arena.data + off;
			f->str_len = r->arena.len - off;
			buf_putc(&r->arena, '\0');
		} else if (r->obj.nested_dups && (m->val.kind == JSON_OBJECT ||
						  m->val.kind == JSON_ARRAY)) {
			size_t off = r->dedup.len;
			json_copy_without_dups(m->val.raw, m->val.raw_len,
					       (size_t)(m->val.raw - s), &r->obj,
					       &r->dedup);
			f->raw = r->dedup.data + off;
			f->raw_len = r->dedup.len - off;
		}
	}
	rec->fields = r->fields;
	rec->nfields = n;
	if (r->obj.ndups) {
		rec->dup_keys = r->obj.ndups;
		rec->dup_key = buf_str(&r->obj.dup_key);
		rec->dup_key_len = r->obj.dup_key.len;
	}
	return READ_OK;
}

/* The encodings reader_check_encoding knows, by their first bytes. */
static const char *utf_name(const unsigned char *p, size_t n, const char **how)
{
	static const char ok1[] = "{[\" \t\r\n";
#define STARTS(c) ((c) && (strchr(ok1, (c)) || ((c) >= '0' && (c) <= '9') || \
			   (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')))
	*how = "byte order mark";
	if (n >= 4 && p[0] == 0xff && p[1] == 0xfe && p[2] == 0 && p[3] == 0)
		return "UTF-32LE";
	if (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0xfe && p[3] == 0xff)
		return "UTF-32BE";
	if (n >= 2 && p[0] == 0xff && p[1] == 0xfe)
		return "UTF-16LE";
	if (n >= 2 && p[0] == 0xfe && p[1] == 0xff)
		return "UTF-16BE";
	*how = "NUL bytes between the characters";
	if (n >= 4 && STARTS(p[0]) && !p[1] && !p[2] && !p[3])
		return "UTF-32LE";
	if (n >= 4 && !p[0] && !p[1] && !p[2] && STARTS(p[3]))
		return "UTF-32BE";
	if (n >= 2 && STARTS(p[0]) && !p[1] && (n < 4 || (p[2] && !p[3])))
		return "UTF-16LE";
	if (n >= 2 && !p[0] && STARTS(p[1]) && (n < 4 || (!p[2] && p[3])))
		return "UTF-16BE";
#undef STARTS
	return NULL;
}

/* reader_check_encoding - see readers.h. */
int reader_check_encoding(struct reader *r, const void *p, size_t n,
			  struct pv_err *err)
{
	const char *how, *enc = utf_name(p, n, &how);

	/* iconv drops a byte order mark it reads as UTF-16 or UTF-32 (and
	 * keeps one it reads as UTF-16LE...): the name to give it is the
	 * short one with a mark, the full one without */
	if (!enc)
		return 0;
	if (how[0] != 'b')
		return pv_errf_at(err, PV_EPARSE, r->path, 1, 1,
				  "the input is %s text (%s), not UTF-8: nothing read; "
				  "convert it first, e.g. iconv -f %s -t UTF-8 IN > OUT",
				  enc, how, enc);
	return pv_errf_at(err, PV_EPARSE, r->path, 1, 1,
			  "the input is %s text (%s), not UTF-8: nothing read; "
			  "convert it first, e.g. iconv -f %.6s -t UTF-8 IN > OUT",
			  enc, how, enc);
}

/* reader_too_large - see readers.h. */
int reader_too_large(struct reader *r, struct record *rec, long line, long col,
		     uint64_t size, bool partial, struct pv_err *err)
{
	rec->line = line;
	rec->column = col;
	rec->reason = "document too large";
	rec->size = size;
	rec->size_partial = partial;
	pv_errf_at(err, PV_EPARSE, r->path, line, col,
		   "document of %s%llu bytes is over the limit of %llu bytes: "
		   "skipped (raise the limit with --max-doc-size)",
		   partial ? "more than " : "", (unsigned long long)size,
		   (unsigned long long)r->max_doc);
	return READ_BAD;
}

/* ---- line reader ---------------------------------------------------- */

/* lr_init - a line reader over in (borrowed). */
void lr_init(struct linereader *lr, struct instream *in)
{
	memset(lr, 0, sizeof *lr);
	lr->in = in;
}

/* lr_done - frees the line buffer. */
void lr_done(struct linereader *lr)
{
	free(lr->buf);
	lr->buf = NULL;
	lr->cap = 0;
}

/*
 * lr_next - see readers.h.  Looks for '\n' only in bytes not yet searched;
 * when none is left, moves the partial line to the front and reads at
 * least LR_CHUNK more bytes, growing the buffer as the line demands.  A
 * partial line over the limit is dropped (its bytes counted in
 * long_size) and the rest of it passed over chunk by chunk, so the buffer
 * never holds more than the limit and one chunk.
 */
int lr_next(struct linereader *lr, const char **line, size_t *len,
	    struct pv_err *err)
{
	char *nl;
	ssize_t n;
	size_t l;

	for (;;) {
		nl = lr->scan < lr->end
			? memchr(lr->buf + lr->scan, '\n', lr->end - lr->scan) : NULL;
		if (nl) {
			*line = lr->buf + lr->start;
			l = (size_t)(nl - *line);
			lr->crlf = l > 0 && nl[-1] == '\r';
			*len = l - (size_t)lr->crlf;
			lr->newline = 1;
			lr->start = lr->scan = (size_t)(nl - lr->buf) + 1;
			lr->lineno++;
			if (lr->skipping || (lr->max && *len > lr->max)) {
				if (!lr->skipping)
					lr->long_size = 0;
				lr->long_size += *len;
				lr->skipping = 0;
				*len = 0;
				return LR_TOO_LONG;
			}
			return 1;
		}
		lr->scan = lr->end;
		if (lr->max && lr->end - lr->start > lr->max) {
			/* over the limit: keep nothing of it, pass over the rest */
			if (!lr->skipping) {
				lr->skipping = 1;
				lr->long_size = 0;
			}
			lr->long_size += lr->end - lr->start;
			lr->start = lr->scan = lr->end;
			if (lr->long_size / 16 > lr->max) {
				lr->err = pv_errf_at(&lr->saved, PV_EPARSE,
					lr->path ? lr->path : "", lr->lineno + 1, 1,
					"a line runs on for more than %llu bytes without "
					"ending (16 times the --max-doc-size limit): the "
					"rest of the input is not read",
					(unsigned long long)lr->long_size);
				lr->skipping = 0;
			}
		}
		if (lr->err) {
			if (err)
				*err = lr->saved;
			return lr->err;
		}
		if (lr->eof) {
			if (lr->skipping) {
				lr->long_size += lr->end - lr->start;
				lr->skipping = 0;
				lr->newline = lr->crlf = 0;
				lr->start = lr->scan = lr->end;
				lr->lineno++;
				*line = lr->buf + lr->start;
				*len = 0;
				return LR_TOO_LONG;
			}
			if (lr->start == lr->end)
				return 0;
			*line = lr->buf + lr->start;
			*len = lr->end - lr->start;
			lr->crlf = lr->newline = 0;
			lr->start = lr->scan = lr->end;
			lr->lineno++;
			if (lr->max && *len > lr->max) {
				lr->long_size = *len;
				*len = 0;
				return LR_TOO_LONG;
			}
			return 1;
		}
		if (lr->start > 0) {
			memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
			lr->end -= lr->start;
			lr->scan -= lr->start;
			lr->start = 0;
		}
		if (lr->cap - lr->end < LR_CHUNK) {
			lr->cap = PV_MAX(lr->cap * 2, lr->end + LR_CHUNK);
			lr->buf = pv_realloc(lr->buf, lr->cap);
		}
		n = instream_read(lr->in, lr->buf + lr->end, lr->cap - lr->end,
				  &lr->saved);
		if (n < 0) {
			lr->err = (int)n;
			continue;
		}
		if (n == 0)
			lr->eof = 1;
		lr->end += (size_t)n;
	}
}
