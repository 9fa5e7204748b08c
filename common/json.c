/*
 * json.c - the tolerant span parser: checks one JSON value in a byte range,
 * lists the members of a top-level object as spans of the input, and
 * decodes string literals on request.
 *
 * This is the indexer's hot path (every JSONL line and every element of a
 * JSON array passes through json_parse once), so it does as little as it
 * can: no value is built, only the keys of the top-level object are
 * decoded, and string bodies are crossed with memchr() for the next quote
 * and the next backslash instead of byte by byte.  Nesting is followed with
 * an explicit stack of JSON_MAX_DEPTH bytes, never recursion.
 *
 * Tolerance, on purpose: inside strings, raw control characters and bytes
 * that are not valid UTF-8 are accepted (and kept byte-exact when decoded),
 * and \u escapes naming a lone surrogate are accepted (decoded as U+FFFD).
 * Everything else follows RFC 8259.
 */
#include "json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Parser state for one json_parse() call. */
struct parser {
	const char *base;       /* start of the parsed range (offsets count from here) */
	const char *end;        /* one past its last byte */
	const char *next_bs;    /* first '\\' at or after the scan point, end if none;
	                           stale (recompute) when below the scan point */
	struct json_error *jerr;
};

/* Value of a hex digit plus one; 0 for a byte that is not a hex digit (so
 * the zero-filled rest of the table needs no listing). */
static const signed char hexval[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * Records a failure at p with a static reason.  Returns NULL so scanners
 * can `return fail(...)`.
 */
static const char *fail(struct parser *ps, const char *p, const char *reason)
{
	if (ps->jerr) {
		ps->jerr->offset = (size_t)(p - ps->base);
		ps->jerr->reason = reason;
	}
	return NULL;
}

/* True for the four JSON whitespace bytes. */
static inline int is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Skips whitespace from p; returns the first other byte's position or end. */
static inline const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws((unsigned char)*p))
		p++;
	return p;
}

/*
 * Reads 4 hex digits at p (which must have 4 bytes available) into *cp.
 * Returns 0, or -1 when one is not a hex digit.
 */
static inline int hex4(const char *p, unsigned *cp)
{
	int a = hexval[(unsigned char)p[0]], b = hexval[(unsigned char)p[1]];
	int c = hexval[(unsigned char)p[2]], d = hexval[(unsigned char)p[3]];

	if (!a || !b || !c || !d)
		return -1;
	*cp = (unsigned)(((a - 1) << 12) | ((b - 1) << 8) | ((c - 1) << 4) | (d - 1));
	return 0;
}

/*
 * Checks the escape whose backslash is at b (the byte after it may be past
 * the end: checked here).  Returns the position after the escape, or NULL with the failure recorded.
 */
static const char *check_escape(struct parser *ps, const char *b)
{
	const char *p = b + 1;
	unsigned cp;

	if (p >= ps->end)
		return fail(ps, b, "unterminated string");
	switch (*p) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
	case 't':
		return p + 1;
	case 'u':
		if (ps->end - p < 5 || hex4(p + 1, &cp) < 0)
			return fail(ps, b, "invalid \\u escape");
		return p + 5;
	default:
		return fail(ps, b, "invalid escape");
	}
}

/*
 * Scans a string whose opening quote is at open.  Returns the position
 * after the closing quote, or NULL with the failure recorded.  *escaped is
 * set when the body holds a backslash.
 */
static const char *scan_string(struct parser *ps, const char *open, int *escaped)
{
	const char *p = open + 1, *end = ps->end, *q, *b;

	q = memchr(p, '"', (size_t)(end - p));
	b = ps->next_bs;
	if (b < p) {
		b = memchr(p, '\\', (size_t)(end - p));
		if (!b)
			b = end;
		ps->next_bs = b;
	}
	for (;;) {
		if (b >= (q ? q : end)) {
			if (!q)
				return fail(ps, open, "unterminated string");
			return q + 1;
		}
		/* An escape comes before the next quote. */
		*escaped = 1;
		p = check_escape(ps, b);
		if (!p)
			return NULL;
		if (q && q < p)
			q = memchr(p, '"', (size_t)(end - p));
		b = memchr(p, '\\', (size_t)(end - p));
		if (!b)
			b = end;
		ps->next_bs = b;
	}
}

/* True for an ASCII digit. */
static inline int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Scans a number starting at p (a '-' or a digit).  Returns the position
 * after it, or NULL with the failure recorded.
 */
static const char *scan_number(struct parser *ps, const char *p)
{
	const char *s = p, *end = ps->end;

	if (*p == '-')
		p++;
	if (p >= end || !is_digit((unsigned char)*p))
		return fail(ps, s, "invalid number");
	if (*p == '0') {
		p++;
		if (p < end && is_digit((unsigned char)*p))
			return fail(ps, s, "invalid number (leading zero)");
	} else {
		while (p < end && is_digit((unsigned char)*p))
			p++;
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || !is_digit((unsigned char)*p))
			return fail(ps, s, "invalid number");
		while (p < end && is_digit((unsigned char)*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit((unsigned char)*p))
			return fail(ps, s, "invalid number");
		while (p < end && is_digit((unsigned char)*p))
			p++;
	}
	return p;
}

/*
 * Scans the literal word (of n bytes) at p.  Returns the position after
 * it, or NULL with "invalid literal" recorded.
 */
static const char *scan_literal(struct parser *ps, const char *p,
				const char *word, size_t n)
{
	if ((size_t)(ps->end - p) < n || memcmp(p, word, n) != 0)
		return fail(ps, p, "invalid literal");
	return p + n;
}

/*
 * Appends a member to obj with its key (the string literal from open up to
 * close, both quotes included) decoded into obj->keys.
 * The key pointer is set later (keys may move while growing).
 */
static void add_member(struct json_object *obj, const char *open,
		       const char *close, int escaped)
{
	struct json_member *m;

	if (obj->n == obj->cap) {
		obj->cap = obj->cap ? obj->cap * 2 : 16;
		obj->members = pv_realloc(obj->members,
					  obj->cap * sizeof *obj->members);
	}
	m = &obj->members[obj->n++];
	m->key_off = obj->keys.len;
	if (escaped)
		json_decode_string(open, (size_t)(close - open), &obj->keys, NULL);
	else
		buf_append(&obj->keys, open + 1, (size_t)(close - open - 2));
	m->key_len = obj->keys.len - m->key_off;
	buf_putc(&obj->keys, '\0');
	m->key = NULL;
}

/* The kind a value starting with byte c has (c already checked). */
static enum json_kind kind_of(char c)
{
	switch (c) {
	case '{': return JSON_OBJECT;
	case '[': return JSON_ARRAY;
	case '"': return JSON_STRING;
	case 't': return JSON_TRUE;
	case 'f': return JSON_FALSE;
	case 'n': return JSON_NULL;
	default: return JSON_NUMBER;
	}
}

/*
 * json_parse - see json.h.  An explicit stack of container bytes ('{' or
 * '[') follows the nesting; members are recorded when the top-level value
 * is an object, obj is given and the scanner is at depth 1.
 */
int json_parse(const char *s, size_t len, struct json_value *val,
	       struct json_object *obj, struct json_error *jerr)
{
	struct parser ps;
	char stack[JSON_MAX_DEPTH];
	int depth = 0, escaped;
	int members = 0;        /* recording the top-level object's members */
	const char *p, *end = s + len, *vstart = NULL, *top;
	struct json_member *m;
	size_t i;

	ps.base = s;
	ps.end = end;
	ps.next_bs = s;         /* stale: every string body starts after s */
	ps.jerr = jerr;
	if (obj) {
		obj->n = 0;
		buf_reset(&obj->keys);
	}

	p = skip_ws(s, end);
	top = p;
	if (p < end && *p == '{' && obj)
		members = 1;

value:
	p = skip_ws(p, end);
	if (p >= end) {
		fail(&ps, p, depth ? "unexpected end of input"
				   : "expected a JSON value");
		return PV_EPARSE;
	}
	if (depth == 1 && members) {
		vstart = p;
		obj->members[obj->n - 1].val.kind = kind_of(*p);
	}
	switch (*p) {
	case '{':
	case '[':
		if (depth == JSON_MAX_DEPTH) {
			fail(&ps, p, "nesting too deep");
			return PV_EPARSE;
		}
		stack[depth++] = *p;
		p = skip_ws(p + 1, end);
		if (p < end && *p == (stack[depth - 1] == '{' ? '}' : ']')) {
			p++;
			depth--;
			goto after_value;
		}
		if (stack[depth - 1] == '[')
			goto value;
		goto key;
	case '"':
		escaped = 0;
		p = scan_string(&ps, p, &escaped);
		break;
	case 't':
		p = scan_literal(&ps, p, "true", 4);
		break;
	case 'f':
		p = scan_literal(&ps, p, "false", 5);
		break;
	case 'n':
		p = scan_literal(&ps, p, "null", 4);
		break;
	case '-': case '0': case '1': case '2': case '3': case '4': case '5':
	case '6': case '7': case '8': case '9':
		p = scan_number(&ps, p);
		break;
	default:
		fail(&ps, p, "expected a JSON value");
		return PV_EPARSE;
	}
	if (!p)
		return PV_EPARSE;
	goto after_value;

key:
	/* p is at the first non-blank byte after '{' or ','. */
	if (p >= end) {
		fail(&ps, p, "unexpected end of input");
		return PV_EPARSE;
	}
	if (*p != '"') {
		fail(&ps, p, "expected a string key");
		return PV_EPARSE;
	}
	{
		const char *open = p;
		escaped = 0;
		p = scan_string(&ps, p, &escaped);
		if (!p)
			return PV_EPARSE;
		if (depth == 1 && members)
			add_member(obj, open, p, escaped);
	}
	p = skip_ws(p, end);
	if (p >= end || *p != ':') {
		fail(&ps, p, p >= end ? "unexpected end of input" : "expected ':'");
		return PV_EPARSE;
	}
	p++;
	goto value;

after_value:
	if (depth == 1 && members) {
		m = &obj->members[obj->n - 1];
		m->val.raw = vstart;
		m->val.raw_len = (size_t)(p - vstart);
	}
	if (depth == 0)
		goto done;
	p = skip_ws(p, end);
	if (p >= end) {
		fail(&ps, p, "unexpected end of input");
		return PV_EPARSE;
	}
	if (stack[depth - 1] == '{') {
		if (*p == ',') {
			p = skip_ws(p + 1, end);
			goto key;
		}
		if (*p == '}') {
			p++;
			depth--;
			goto after_value;
		}
		fail(&ps, p, "expected ',' or '}'");
		return PV_EPARSE;
	}
	if (*p == ',') {
		p++;
		goto value;
	}
	if (*p == ']') {
		p++;
		depth--;
		goto after_value;
	}
	fail(&ps, p, "expected ',' or ']'");
	return PV_EPARSE;

done:
	if (val) {
		val->kind = kind_of(*top);
		val->raw = top;
		val->raw_len = (size_t)(p - top);
	}
	p = skip_ws(p, end);
	if (p < end) {
		fail(&ps, p, "trailing characters");
		return PV_EPARSE;
	}
	if (members)
		for (i = 0; i < obj->n; i++)
			obj->members[i].key = obj->keys.data + obj->members[i].key_off;
	return 0;
}

/* Appends code point cp (at most U+10FFFF) as UTF-8 at d; returns the end. */
static char *put_utf8(char *d, unsigned cp)
{
	if (cp < 0x80) {
		*d++ = (char)cp;
	} else if (cp < 0x800) {
		*d++ = (char)(0xc0 | (cp >> 6));
		*d++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*d++ = (char)(0xe0 | (cp >> 12));
		*d++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*d++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*d++ = (char)(0xf0 | (cp >> 18));
		*d++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*d++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*d++ = (char)(0x80 | (cp & 0x3f));
	}
	return d;
}

/*
 * json_decode_string - see json.h.  A decoded string is never longer than
 * its literal (every escape shrinks or keeps its size), so the room is
 * reserved once and bytes are written without further checks.
 */
int json_decode_string(const char *raw, size_t len, struct buf *out,
		       struct json_error *jerr)
{
	const char *p, *end, *b;
	char *d;
	unsigned cp, lo;
	struct parser ps;

	ps.base = raw;
	ps.end = raw + len;
	ps.jerr = jerr;
	if (len < 2 || raw[0] != '"' || raw[len - 1] != '"') {
		fail(&ps, raw, "not a string literal");
		return PV_EPARSE;
	}
	p = raw + 1;
	end = raw + len - 1;
	buf_reserve(out, len);
	d = out->data + out->len;
	for (;;) {
		b = memchr(p, '\\', (size_t)(end - p));
		if (!b) {
			memcpy(d, p, (size_t)(end - p));
			d += end - p;
			break;
		}
		memcpy(d, p, (size_t)(b - p));
		d += b - p;
		if (b + 1 >= end)
			goto bad_escape;
		p = b + 2;
		switch (b[1]) {
		case '"': *d++ = '"'; break;
		case '\\': *d++ = '\\'; break;
		case '/': *d++ = '/'; break;
		case 'b': *d++ = '\b'; break;
		case 'f': *d++ = '\f'; break;
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		case 'u':
			if (end - p < 4 || hex4(p, &cp) < 0)
				goto bad_escape;
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 &&
			    p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &lo) == 0 &&
			    lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;    /* lone surrogate */
			}
			d = put_utf8(d, cp);
			break;
		default:
			goto bad_escape;
		}
	}
	out->len = (size_t)(d - out->data);
	out->data[out->len] = '\0';
	return 0;

bad_escape:
	out->data[out->len] = '\0';
	fail(&ps, b, b + 1 < end && b[1] == 'u' ? "invalid \\u escape"
						 : "invalid escape");
	return PV_EPARSE;
}

/*
 * json_object_get - linear search, fine for the handful of members a
 * record has.  Returns the first member named key, or NULL.
 */
const struct json_member *json_object_get(const struct json_object *o,
					  const char *key, size_t key_len)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->members[i].key_len == key_len &&
		    memcmp(o->members[i].key, key, key_len) == 0)
			return &o->members[i];
	return NULL;
}

/* json_object_done - frees members and keys; o is empty and reusable. */
void json_object_done(struct json_object *o)
{
	free(o->members);
	o->members = NULL;
	o->n = o->cap = 0;
	buf_done(&o->keys);
}

/* json_kind_name - a static name for k. */
const char *json_kind_name(enum json_kind k)
{
	static const char *const names[] = {
		"null", "false", "true", "number", "string", "array", "object"
	};

	return (unsigned)k < PV_ARRAY_LEN(names) ? names[k] : "?";
}
