/*
 * json.c - the span parser: checks one JSON value in a byte range, lists
 * the members of a top-level object as spans of the input, finds the
 * duplicate keys at every depth, and decodes string literals on request.
 *
 * This is the indexer's hot path (every JSONL line and every element of a
 * JSON array passes through json_parse once), so it does as little as it
 * can: no value is built, only keys are decoded (and only those holding an
 * escape are copied), string bodies are crossed with memchr() for the next
 * quote and the next backslash and then checked for control bytes 32 at a
 * time (SSE2; eight at a time without it).  Nesting is followed with an explicit stack of JSON_MAX_DEPTH
 * bytes, never recursion.
 *
 * Strict where RFC 8259 is: a raw byte below 0x20 inside a string is an
 * error naming the character and its escape.  Tolerant, on purpose, where
 * a corpus needs it: bytes that are not valid UTF-8 are accepted (and kept
 * byte-exact when decoded), and \u escapes naming a lone surrogate are
 * accepted (decoded as U+FFFD).
 *
 * Duplicate keys: while an object is open its keys are kept (struct
 * json_kspan, offsets only, so a growing buffer moves nothing); when it
 * closes, a member whose key comes again later is marked overridden and
 * its bytes (key to next key, comma included) listed in obj->drops.  Small
 * objects are compared pairwise, larger ones through a merge sort of their
 * keys, so a hostile object of many keys costs n log n, not n squared.
 */
#include "json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* The reasons for a raw control character in a string, one per byte. */
#define CTL(cp, name, esc) "unescaped control character " cp " (" name \
	") in a string: JSON (RFC 8259) requires it escaped as " esc
static const char *const ctl_reason[32] = {
	CTL("U+0000", "NUL", "\\u0000"), CTL("U+0001", "SOH", "\\u0001"),
	CTL("U+0002", "STX", "\\u0002"), CTL("U+0003", "ETX", "\\u0003"),
	CTL("U+0004", "EOT", "\\u0004"), CTL("U+0005", "ENQ", "\\u0005"),
	CTL("U+0006", "ACK", "\\u0006"), CTL("U+0007", "BEL", "\\u0007"),
	CTL("U+0008", "backspace", "\\b"), CTL("U+0009", "tab", "\\t"),
	CTL("U+000A", "line feed", "\\n"), CTL("U+000B", "vertical tab", "\\u000b"),
	CTL("U+000C", "form feed", "\\f"), CTL("U+000D", "carriage return", "\\r"),
	CTL("U+000E", "SO", "\\u000e"), CTL("U+000F", "SI", "\\u000f"),
	CTL("U+0010", "DLE", "\\u0010"), CTL("U+0011", "DC1", "\\u0011"),
	CTL("U+0012", "DC2", "\\u0012"), CTL("U+0013", "DC3", "\\u0013"),
	CTL("U+0014", "DC4", "\\u0014"), CTL("U+0015", "NAK", "\\u0015"),
	CTL("U+0016", "SYN", "\\u0016"), CTL("U+0017", "ETB", "\\u0017"),
	CTL("U+0018", "CAN", "\\u0018"), CTL("U+0019", "EM", "\\u0019"),
	CTL("U+001A", "SUB", "\\u001a"), CTL("U+001B", "ESC", "\\u001b"),
	CTL("U+001C", "FS", "\\u001c"), CTL("U+001D", "GS", "\\u001d"),
	CTL("U+001E", "RS", "\\u001e"), CTL("U+001F", "US", "\\u001f"),
};
#undef CTL

/* json_error_is_control - see json.h. */
bool json_error_is_control(const struct json_error *e)
{
	return e && e->reason &&
	       strncmp(e->reason, "unescaped control character ", 28) == 0;
}

/*
 * The first byte below 0x20 in p[0..end), or NULL.  With SSE2, 32 bytes
 * at a time (a byte is below 0x20 when min(byte, 0x1f) is itself);
 * without, eight at a time: (x - 0x20..20) & ~x & 0x80..80 is non-zero
 * exactly when a byte of x is below 0x20 (the "has less than" test, exact
 * for limits up to 128).  The last bytes are checked one by one.
 */
static const char *find_ctl(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i top = _mm_set1_epi8(0x1f);

	while (end - p >= 32) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
		__m128i ca = _mm_cmpeq_epi8(_mm_min_epu8(a, top), a);
		__m128i cb = _mm_cmpeq_epi8(_mm_min_epu8(b, top), b);
		if (_mm_movemask_epi8(_mm_or_si128(ca, cb)))
			break;
		p += 32;
	}
#else
	uint64_t x;

	while (end - p >= 8) {
		memcpy(&x, p, 8);
		if ((x - 0x2020202020202020ull) & ~x & 0x8080808080808080ull)
			break;
		p += 8;
	}
#endif
	for (; p < end; p++)
		if ((unsigned char)*p < 0x20)
			return p;
	return NULL;
}

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
	if ((unsigned char)*p < 0x20)
		return fail(ps, p, ctl_reason[(unsigned char)*p]);
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
 * after the closing quote, or NULL with the failure recorded (a raw
 * control character in the body among them).  *escaped is set when the
 * body holds a backslash.
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
			const char *c = find_ctl(open + 1, q ? q : end);
			if (c)
				return fail(ps, c, ctl_reason[(unsigned char)*c]);
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
	m->overridden = false;
}

/* ---- duplicate keys ---- */

/* Objects with at most this many keys are checked pairwise. */
#define DUP_PAIRWISE 16

/* The decoded bytes of key span k of the text s. */
static inline const char *kbytes(const struct json_object *o, const char *s,
				 const struct json_kspan *k)
{
	return k->escaped ? o->nkeys.data + k->dec : s + k->start + 1;
}

/* Compares keys a and b (bytes, then length): <0, 0, >0. */
static int kcmp(const struct json_object *o, const char *s,
		const struct json_kspan *a, const struct json_kspan *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(kbytes(o, s, a), kbytes(o, s, b), n);

	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/*
 * Notes a key of the object being parsed: the literal from open to close
 * (quotes included), decoded into o->nkeys when it holds an escape.
 */
static void push_key(struct json_object *o, const char *s, const char *open,
		     const char *close, int escaped)
{
	struct json_kspan *k;

	if (o->nks == o->capks) {
		o->capks = o->capks ? o->capks * 2 : 32;
		o->ks = pv_realloc(o->ks, o->capks * sizeof *o->ks);
	}
	k = &o->ks[o->nks++];
	k->start = (size_t)(open - s);
	k->escaped = escaped != 0;
	if (escaped) {
		k->dec = o->nkeys.len;
		json_decode_string(open, (size_t)(close - open), &o->nkeys, NULL);
		k->len = o->nkeys.len - k->dec;
	} else {
		k->dec = 0;
		k->len = (size_t)(close - open - 2);
	}
}

/* Marks key span i (of an object at depth, its keys from `from` on) as
 * overridden by a later one: counted, listed as a drop, named when it is
 * the first in the input. */
static void mark_dup(struct json_object *o, const char *s, size_t i,
		     int depth, bool members)
{
	struct json_kspan *k = &o->ks[i];

	if (o->ndups == 0 || k->start < o->dup_start) {
		o->dup_start = k->start;
		buf_reset(&o->dup_key);
		buf_append(&o->dup_key, kbytes(o, s, k), k->len);
	}
	o->ndups++;
	if (depth > 1)
		o->nested_dups = true;
	else if (members)
		o->members[i].overridden = true;
	if (o->ndrops == o->capdrops) {
		o->capdrops = o->capdrops ? o->capdrops * 2 : 8;
		o->drops = pv_realloc(o->drops, o->capdrops * sizeof *o->drops);
	}
	o->drops[o->ndrops].start = k->start;
	o->drops[o->ndrops].end = o->ks[i + 1].start;
	o->ndrops++;
}

/*
 * Sorts o->order[0..n) (indices of key spans) by key, then by index, with
 * a bottom-up merge sort (o->order has room for 2n).
 */
static void sort_keys(struct json_object *o, const char *s, size_t n)
{
	size_t *a = o->order, *b = o->order + n, *t, w, i, l, m, r, x, y;

	for (w = 1; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			l = i;
			m = i + w < n ? i + w : n;
			r = i + 2 * w < n ? i + 2 * w : n;
			x = l;
			y = m;
			while (x < m || y < r) {
				int c = x >= m ? 1 : y >= r ? -1 :
					kcmp(o, s, &o->ks[a[x]], &o->ks[a[y]]);
				if (c == 0)
					c = a[x] < a[y] ? -1 : 1;
				b[l++] = c <= 0 ? a[x++] : a[y++];
			}
		}
		t = a;
		a = b;
		b = t;
	}
	if (a != o->order)
		memcpy(o->order, a, n * sizeof *a);
}

/*
 * An object at depth closes: its keys are the spans from `from` to the
 * end.  Marks each one a later key repeats, and forgets the spans.
 */
static void close_object(struct json_object *o, const char *s, size_t from,
			 int depth, bool members)
{
	size_t n = o->nks - from, i, j;

	if (n >= 2 && n <= DUP_PAIRWISE) {
		for (i = from; i + 1 < o->nks; i++)
			for (j = i + 1; j < o->nks; j++)
				if (o->ks[i].len == o->ks[j].len &&
				    kcmp(o, s, &o->ks[i], &o->ks[j]) == 0) {
					mark_dup(o, s, i, depth, members);
					break;
				}
	} else if (n > DUP_PAIRWISE) {
		if (o->caporder < 2 * n) {
			o->caporder = 2 * n;
			o->order = pv_realloc(o->order, o->caporder * sizeof *o->order);
		}
		for (i = 0; i < n; i++)
			o->order[i] = from + i;
		sort_keys(o, s, n);
		/* in a run of equal keys, all but the last (by index) lose */
		for (i = 0; i + 1 < n; i++)
			if (kcmp(o, s, &o->ks[o->order[i]], &o->ks[o->order[i + 1]]) == 0)
				mark_dup(o, s, o->order[i], depth, members);
	}
	o->nks = from;
}

/* Orders the drops by start and removes those inside another. */
static int range_cmp(const void *a, const void *b)
{
	const struct json_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void finish_drops(struct json_object *o)
{
	size_t i, k = 0;

	if (o->ndrops < 2)
		return;
	qsort(o->drops, o->ndrops, sizeof *o->drops, range_cmp);
	for (i = 1; i < o->ndrops; i++) {
		if (o->drops[i].start < o->drops[k].end)
			continue;       /* inside drops[k] */
		o->drops[++k] = o->drops[i];
	}
	o->ndrops = k + 1;
}

/* json_copy_without_dups - see json.h. */
void json_copy_without_dups(const char *s, size_t len, size_t base,
			    const struct json_object *o, struct buf *out)
{
	size_t pos = base, end = base + len, i;

	for (i = 0; i < o->ndrops && pos < end; i++) {
		const struct json_range *d = &o->drops[i];
		if (d->end <= pos)
			continue;
		if (d->start >= end)
			break;
		if (d->start > pos)
			buf_append(out, s + (pos - base), d->start - pos);
		pos = d->end;
	}
	if (pos < end)
		buf_append(out, s + (pos - base), end - pos);
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
 * parse - json_parse (see json.h), and for json_array_next with stop: the
 * parse then ends after one value and *stop gets its end, whatever
 * follows.  An explicit stack of container bytes ('{' or '[') follows the
 * nesting; members are recorded when the top-level value is an object,
 * obj is given and the scanner is at depth 1.
 */
static int parse(const char *s, size_t len, struct json_value *val,
		 struct json_object *obj, struct json_error *jerr, size_t *stop)
{
	struct parser ps;
	char stack[JSON_MAX_DEPTH];
	size_t kfrom[JSON_MAX_DEPTH];  /* obj: first key span of each open object */
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
		obj->ndups = obj->ndrops = obj->nks = 0;
		obj->nested_dups = false;
		buf_reset(&obj->dup_key);
		buf_reset(&obj->nkeys);
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
		if (obj)
			kfrom[depth] = obj->nks;
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
		if (obj)
			push_key(obj, s, open, p, escaped);
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
			if (obj)
				close_object(obj, s, kfrom[depth - 1], depth,
					     members != 0);
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
	if (stop)
		*stop = (size_t)(p - s);
	p = skip_ws(p, end);
	if (p < end && !stop) {
		fail(&ps, p, "trailing characters");
		return PV_EPARSE;
	}
	if (members)
		for (i = 0; i < obj->n; i++)
			obj->members[i].key = obj->keys.data + obj->members[i].key_off;
	if (obj)
		finish_drops(obj);
	return 0;
}

int json_parse(const char *s, size_t len, struct json_value *val,
	       struct json_object *obj, struct json_error *jerr)
{
	return parse(s, len, val, obj, jerr, NULL);
}

/*
 * json_array_next - see json.h.  *pos is 0 before the first element, then
 * the offset just after the element last given, then the offset of the
 * closing ']' once the end is reached (so that asking again gives the end
 * again).  Each element is parsed (so checked) by the parser itself,
 * which stops after one value.
 */
int json_array_next(const struct json_value *arr, size_t *pos,
		    struct json_value *elem, struct json_error *jerr)
{
	const char *s = arr->raw, *end = arr->raw + arr->raw_len, *p;
	struct parser ps;
	size_t used;
	int rc;

	ps.base = s;
	ps.jerr = jerr;
	if (arr->kind != JSON_ARRAY) {
		fail(&ps, s, "not an array");
		return PV_EPARSE;
	}
	if (*pos == 0) {
		p = skip_ws(s, end);
		if (p >= end || *p != '[') {
			fail(&ps, p, "expected '['");
			return PV_EPARSE;
		}
		p = skip_ws(p + 1, end);
		if (p < end && *p == ']') {
			*pos = (size_t)(p - s);
			return 0;
		}
	} else {
		p = skip_ws(s + (*pos < arr->raw_len ? *pos : arr->raw_len), end);
		if (p < end && *p == ']') {
			*pos = (size_t)(p - s);
			return 0;
		}
		if (p >= end || *p != ',') {
			fail(&ps, p, p >= end ? "unexpected end of input"
					      : "expected ',' or ']'");
			return PV_EPARSE;
		}
		p = skip_ws(p + 1, end);
	}
	rc = parse(p, (size_t)(end - p), elem, NULL, jerr, &used);
	if (rc) {
		if (jerr)
			jerr->offset += (size_t)(p - s);
		return rc;
	}
	*pos = (size_t)(p - s) + used;
	return 1;
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
 * json_object_get - linear search from the end, fine for the handful of
 * members a record has.  Returns the last member named key (the one that
 * wins), or NULL.
 */
const struct json_member *json_object_get(const struct json_object *o,
					  const char *key, size_t key_len)
{
	size_t i;

	for (i = o->n; i-- > 0;)
		if (o->members[i].key_len == key_len &&
		    memcmp(o->members[i].key, key, key_len) == 0)
			return &o->members[i];
	return NULL;
}

/* json_object_done - frees members and keys; o is empty and reusable. */
void json_object_done(struct json_object *o)
{
	free(o->members);
	free(o->drops);
	free(o->ks);
	free(o->order);
	buf_done(&o->keys);
	buf_done(&o->dup_key);
	buf_done(&o->nkeys);
	memset(o, 0, sizeof *o);
}

/* json_kind_name - a static name for k. */
const char *json_kind_name(enum json_kind k)
{
	static const char *const names[] = {
		"null", "false", "true", "number", "string", "array", "object"
	};

	return (unsigned)k < PV_ARRAY_LEN(names) ? names[k] : "?";
}
