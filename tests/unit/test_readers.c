/*
 * test_readers.c - unit tests for the input side: the JSON span parser
 * (common/json.c), input streams with gzip/zstd (index/instream.c), the
 * record readers for JSONL, JSON, CSV and text (index/reader.c,
 * index/read_*.c) and the input walker (index/walk.c).  Inputs are written
 * to a fresh mkdtemp() folder, compressed ones with zlib and zstd here.
 */
#include "../tap.h"
#include "../../common/pv.h"
#include "../../common/buf.h"
#include "../../common/json.h"
#include "../../index/reader.h"
#include "../../index/readers.h"
#include "../../index/instream.h"
#include "../../index/walk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static char tmpdir[256];

/* A path in the temporary folder; 8 rotating static buffers. */
static const char *tpath(const char *name)
{
	static char bufs[8][512];
	static int k;
	char *b = bufs[k++ % 8];

	snprintf(b, 512, "%s/%s", tmpdir, name);
	return b;
}

/* Writes len bytes to path (created or truncated). */
static void put_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		printf("# cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
}

/* Writes a C string to a file in the temporary folder; returns the path. */
static const char *put_str(const char *name, const char *s)
{
	const char *p = tpath(name);

	put_file(p, s, strlen(s));
	return p;
}

/* Appends one gzip member holding data to out. */
static void gz_bytes(struct buf *out, const void *data, size_t len)
{
	z_stream z;
	unsigned char tmp[65536];
	int zr;

	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = tmp;
		z.avail_out = sizeof tmp;
		zr = deflate(&z, Z_FINISH);
		buf_append(out, tmp, sizeof tmp - z.avail_out);
	} while (zr == Z_OK);
	deflateEnd(&z);
}

/* Appends one zstd frame (with a checksum) holding data to out. */
static void zst_bytes(struct buf *out, const void *data, size_t len)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(len), n;

	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	buf_reserve(out, cap);
	n = ZSTD_compress2(c, out->data + out->len, cap, data, len);
	if (!ZSTD_isError(n))
		out->len += n;
	ZSTD_freeCCtx(c);
}

/* Pseudo-random, poorly compressible lines: {"n":i,"text":"..."}. */
static void numbered_lines(struct buf *b, int count)
{
	unsigned x = 12345;
	int i, k;

	for (i = 0; i < count; i++) {
		buf_printf(b, "{\"n\":%d,\"text\":\"", i);
		for (k = 0; k < 60; k++) {
			x = x * 1103515245u + 12345u;
			buf_putc(b, (char)('a' + (x >> 16) % 26));
		}
		buf_puts(b, "\"}\n");
	}
}

/* Opens path as fmt (records_key may be NULL); NULL (and a failed check) on error. */
static struct reader *open_r(const char *path, enum reader_format fmt,
			     const char *key)
{
	struct reader_opts o = { fmt, key, 0 };
	struct reader *r = NULL;
	struct pv_err err;
	int rc;

	pv_err_clear(&err);
	rc = reader_open(&r, path, &o, &err);
	if (rc < 0) {
		ok(0, "open %s: %s", path, err.msg);
		return NULL;
	}
	return r;
}

/* The decoded string value of a field, or "(none)". */
static const char *fstr(const struct record *rec, const char *name)
{
	const struct in_field *f = record_field(rec, name);

	return f && f->str ? f->str : "(none)";
}

/* The raw JSON of a field, as a static C string, or "(none)". */
static const char *fraw(const struct record *rec, const char *name)
{
	static char b[256];
	const struct in_field *f = record_field(rec, name);

	if (!f || !f->raw)
		return "(none)";
	snprintf(b, sizeof b, "%.*s", (int)f->raw_len, f->raw);
	return b;
}

/* ---- JSON parser ---------------------------------------------------- */

/* Parses s and returns the error offset (or -1 on success) and reason. */
static long perr(const char *s, const char **reason)
{
	struct json_error je = { 0, NULL };
	struct json_object o = JSON_OBJECT_INIT;
	int rc = json_parse(s, strlen(s), NULL, &o, &je);

	json_object_done(&o);
	*reason = rc < 0 ? je.reason : "(ok)";
	return rc < 0 ? (long)je.offset : -1;
}

/* Decodes the literal s; returns the decoded bytes in b (reset first). */
static int dec(struct buf *b, const char *s)
{
	buf_reset(b);
	return json_decode_string(s, strlen(s), b, NULL);
}

static void test_json_parser(void)
{
	struct json_object o = JSON_OBJECT_INIT;
	struct json_value v;
	struct json_error je;
	const struct json_member *m;
	struct buf b = BUF_INIT;
	const char *s, *why;
	char *deep;
	int i;

	s = "  {\"a\" : [1, {\"b\":2}], \"s\":\"x\\ny\", \"n\": -1.5e3,"
	    "\"t\":true,\"f\":false,\"z\":null, \"o\":{} }  ";
	is_int(json_parse(s, strlen(s), &v, &o, &je), 0, "json: object parses");
	is_int(v.kind, JSON_OBJECT, "json: top kind object");
	ok(v.raw == s + 2 && v.raw[v.raw_len - 1] == '}', "json: top span excludes blanks");
	is_int(o.n, 7, "json: 7 members");
	is_str(o.members[0].key, "a", "json: key a");
	is_int(o.members[0].val.kind, JSON_ARRAY, "json: a is an array");
	is_mem(o.members[0].val.raw, o.members[0].val.raw_len, "[1, {\"b\":2}]", 12,
	       "json: a raw span");
	is_int(o.members[1].val.kind, JSON_STRING, "json: s is a string");
	is_mem(o.members[1].val.raw, o.members[1].val.raw_len, "\"x\\ny\"", 6,
	       "json: string raw keeps quotes and escapes");
	is_mem(o.members[2].val.raw, o.members[2].val.raw_len, "-1.5e3", 6, "json: number span");
	is_int(o.members[2].val.kind, JSON_NUMBER, "json: number kind");
	is_int(o.members[3].val.kind, JSON_TRUE, "json: true kind");
	is_int(o.members[4].val.kind, JSON_FALSE, "json: false kind");
	is_int(o.members[5].val.kind, JSON_NULL, "json: null kind");
	is_int(o.members[6].val.kind, JSON_OBJECT, "json: empty object kind");
	m = json_object_get(&o, "z", 1);
	ok(m && m->val.kind == JSON_NULL, "json: json_object_get finds z");
	ok(json_object_get(&o, "b", 1) == NULL, "json: nested keys are not members");

	s = "{\"a\\u0062\":1,\"k\\u0000x\":2,\"a\":3}";
	is_int(json_parse(s, strlen(s), &v, &o, &je), 0, "json: escaped keys parse");
	is_str(o.members[0].key, "ab", "json: escaped key decoded");
	is_int(o.members[1].key_len, 3, "json: key with \\u0000 has 3 bytes");
	is_mem(o.members[1].key, 3, "k\0x", 3, "json: key NUL kept");
	is_int(o.n, 3, "json: three members");
	is_int(o.ndups, 0, "json: \"a\\u0062\" and \"a\" are different keys");

	s = "[1,{\"a\":2}]";
	is_int(json_parse(s, strlen(s), &v, &o, &je), 0, "json: array parses");
	is_int(o.n, 0, "json: array top gives no members");
	is_int(v.kind, JSON_ARRAY, "json: array kind");
	s = "\"just a string\"";
	is_int(json_parse(s, strlen(s), &v, NULL, &je), 0, "json: bare string, obj NULL");
	is_int(v.kind, JSON_STRING, "json: string kind");
	is_int(json_parse("0", 1, &v, NULL, NULL), 0, "json: 0 parses");

	/* Decoding. */
	is_int(dec(&b, "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), 0, "decode: simple escapes");
	is_mem(b.data, b.len, "\"\\/\b\f\n\r\t", 8, "decode: simple escapes bytes");
	dec(&b, "\"\\u00e9\\u20ac\\u0041\"");
	is_mem(b.data, b.len, "\xc3\xa9\xe2\x82\xac" "A", 6, "decode: \\u BMP to UTF-8");
	dec(&b, "\"x\\ud83d\\ude00y\"");
	is_mem(b.data, b.len, "x\xf0\x9f\x98\x80y", 6, "decode: surrogate pair");
	dec(&b, "\"\\uD83D\\uDE00\"");
	is_mem(b.data, b.len, "\xf0\x9f\x98\x80", 4, "decode: surrogate pair, upper-case hex");
	dec(&b, "\"\\ud800z\"");
	is_mem(b.data, b.len, "\xef\xbf\xbdz", 4, "decode: lone high surrogate -> U+FFFD");
	dec(&b, "\"\\udc00\"");
	is_mem(b.data, b.len, "\xef\xbf\xbd", 3, "decode: lone low surrogate -> U+FFFD");
	dec(&b, "\"\\ud800\\u0041\"");
	is_mem(b.data, b.len, "\xef\xbf\xbd" "A", 4, "decode: high + non-low -> U+FFFD then A");
	is_int(dec(&b, "\"a\\u0000b\""), 0, "decode: \\u0000");
	is_mem(b.data, b.len, "a\0b", 3, "decode: \\u0000 is a real NUL byte");
	ok(b.data[b.len] == '\0', "decode: result NUL-terminated");
	dec(&b, "\"\xff\xfe\xc3(\x80 ok\"");
	is_mem(b.data, b.len, "\xff\xfe\xc3(\x80 ok", 8, "decode: invalid UTF-8 kept byte-exact");
	dec(&b, "\"tab\tnl\nctl\x01\"");
	is_mem(b.data, b.len, "tab\tnl\nctl\x01", 11, "decode: raw control characters kept");
	dec(&b, "\"\"");
	is_int(b.len, 0, "decode: empty string");
	buf_reset(&b);
	buf_puts(&b, "pre:");
	json_decode_string("\"x\"", 3, &b, NULL);
	is_str(buf_str(&b), "pre:x", "decode: appends to the buffer");
	je.reason = NULL;
	ok(json_decode_string("\"a\\qb\"", 6, &b, &je) < 0 && je.offset == 2 &&
	   strcmp(je.reason, "invalid escape") == 0, "decode: invalid escape at offset 2");
	ok(json_decode_string("abc", 3, &b, &je) < 0, "decode: not a literal is an error");

	s = "{\"x\":\"\xff\xc0\xaf\x7f\"}";
	is_int(json_parse(s, strlen(s), &v, &o, &je), 0,
	       "json: invalid UTF-8 and DEL accepted in strings");
	s = "{\"x\":\"\xff\x01\xc0\xaf\n\"}";
	ok(json_parse(s, strlen(s), &v, &o, &je) < 0 && je.offset == 7 &&
	   json_error_is_control(&je),
	   "json: a raw control character in a string is an error at its offset");

	/* Errors and their offsets. */
	is_int(perr("{\"a\":1 \"b\":2}", &why), 7, "err: missing comma offset");
	is_str(why, "expected ',' or '}'", "err: missing comma reason");
	is_int(perr("{\"a\":\"xx", &why), 5, "err: unterminated string at its quote");
	is_str(why, "unterminated string", "err: unterminated string reason");
	is_int(perr("{\"a\":\"\\q\"}", &why), 6, "err: invalid escape offset");
	is_str(why, "invalid escape", "err: invalid escape reason");
	is_int(perr("\"\\u12G4\"", &why), 1, "err: bad \\u offset");
	is_str(why, "invalid \\u escape", "err: bad \\u reason");
	is_int(perr("\"abc\\", &why), 4, "err: backslash at end");
	is_int(perr("{\"a\":1} x", &why), 8, "err: trailing garbage offset");
	is_str(why, "trailing characters", "err: trailing garbage reason");
	is_int(perr("{\"a\":1}{}", &why), 7, "err: two values");
	is_int(perr("[1,2", &why), 4, "err: unclosed array offset");
	is_str(why, "unexpected end of input", "err: unclosed array reason");
	is_int(perr("{\"a\" 1}", &why), 5, "err: missing colon");
	is_str(why, "expected ':'", "err: missing colon reason");
	is_int(perr("{1:2}", &why), 1, "err: non-string key");
	is_str(why, "expected a string key", "err: non-string key reason");
	is_int(perr("{\"a\":1,}", &why), 7, "err: trailing comma in object");
	is_int(perr("[1,]", &why), 3, "err: trailing comma in array");
	is_str(why, "expected a JSON value", "err: trailing comma reason");
	is_int(perr("[1 2]", &why), 3, "err: missing comma in array");
	is_str(why, "expected ',' or ']'", "err: array comma reason");
	is_int(perr("[1}", &why), 2, "err: mismatched bracket");
	is_int(perr("tru", &why), 0, "err: bad literal");
	is_str(why, "invalid literal", "err: bad literal reason");
	is_int(perr("nul", &why), 0, "err: short null");
	is_int(perr("01", &why), 0, "err: leading zero");
	is_int(perr("-", &why), 0, "err: lone minus");
	is_int(perr("1.", &why), 0, "err: no fraction digits");
	is_int(perr("1e+", &why), 0, "err: no exponent digits");
	is_int(perr("  ", &why), 2, "err: blank input");
	is_str(why, "expected a JSON value", "err: blank input reason");
	is_int(perr("", &why), 0, "err: empty input");
	is_int(perr("'a'", &why), 0, "err: single quotes");
	is_int(perr("[0, -0.5, 1E9, 2e-3, 10]", &why), -1, "numbers: valid forms");

	/* Depth limit. */
	deep = malloc(2 * JSON_MAX_DEPTH + 4);
	for (i = 0; i < JSON_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[JSON_MAX_DEPTH + i] = ']';
	}
	is_int(json_parse(deep, 2 * JSON_MAX_DEPTH, &v, &o, &je), 0,
	       "depth: %d nested arrays parse", JSON_MAX_DEPTH);
	memmove(deep + 1, deep, 2 * JSON_MAX_DEPTH);
	deep[0] = '[';
	deep[2 * JSON_MAX_DEPTH + 1] = ']';
	ok(json_parse(deep, 2 * JSON_MAX_DEPTH + 2, &v, &o, &je) < 0 &&
	   je.offset == JSON_MAX_DEPTH && strcmp(je.reason, "nesting too deep") == 0,
	   "depth: %d nested arrays fail at offset %d", JSON_MAX_DEPTH + 1, JSON_MAX_DEPTH);
	free(deep);

	json_object_done(&o);
	buf_done(&b);
}

/* ---- strict JSON: control characters, duplicate keys ---------------- */

/* json_parse(s) into o; 0 or the error. */
static int jp(struct json_object *o, const char *s, size_t len, struct json_error *je)
{
	je->reason = NULL;
	je->offset = 0;
	return json_parse(s, len, NULL, o, je);
}

/* s without the members its duplicate keys override, as a static string. */
static const char *nodups(struct json_object *o, const char *s)
{
	static char out[512];
	struct json_error je;
	struct buf b = BUF_INIT;

	if (jp(o, s, strlen(s), &je) < 0)
		return "(error)";
	json_copy_without_dups(s, strlen(s), 0, o, &b);
	snprintf(out, sizeof out, "%s", buf_str(&b));
	buf_done(&b);
	return out;
}

static void test_json_strict(void)
{
	struct json_object o = JSON_OBJECT_INIT;
	struct json_error je;
	const struct json_member *m;
	struct buf b = BUF_INIT;
	char s[64];
	int c, bad = 0, badkey = 0, badnest = 0, badoff = 0;
	size_t i;

	/* every byte below 0x20, raw, in a value, a key, a nested string and
	 * an array element: an error at its offset naming it */
	for (c = 0; c < 0x20; c++) {
		const char *tpl[] = { "{\"k\":\"a%cb\"}", "{\"a%cb\":1}",
				      "{\"o\":{\"x\":[\"a%cb\"]}}", "\"a%cb\"" };
		for (i = 0; i < 4; i++) {
			size_t at;
			int n = snprintf(s, sizeof s, tpl[i], 'Z');
			at = (size_t)(strchr(s, 'Z') - s);
			s[at] = (char)c;
			if (jp(&o, s, (size_t)n, &je) == 0 || !json_error_is_control(&je)) {
				if (i == 0) bad++; else if (i == 1) badkey++; else badnest++;
				continue;
			}
			if (je.offset != at || !strstr(je.reason, "U+00"))
				badoff++;
		}
	}
	is_int(bad, 0, "strict: raw U+0000-U+001F in a value is refused");
	is_int(badkey, 0, "strict: ... in a key is refused");
	is_int(badnest, 0, "strict: ... in nested strings and bare strings is refused");
	is_int(badoff, 0, "strict: the error is at the character and names it");
	jp(&o, "{\"k\":\"a\tb\"}", 10, &je);
	ok(je.reason && strstr(je.reason, "U+0009 (tab)") && strstr(je.reason, "\\t"),
	   "strict: a tab is named with its escape (%s)", je.reason ? je.reason : "");
	ok(jp(&o, "{\"k\":\"a\\\tb\"}", 11, &je) < 0 && json_error_is_control(&je) &&
	   je.offset == 8, "strict: a raw control after a backslash is named too");
	strcpy(s, "{\"k\":\"a\\tb\\u0000\\u001f \x7f\"}");
	ok(jp(&o, s, strlen(s), &je) == 0,
	   "strict: escaped controls and DEL are fine");
	ok(jp(&o, " {\"k\" :\t\"v\"\r\n} ", 15, &je) == 0,
	   "strict: tab, CR and LF between tokens are whitespace");
	ok(jp(&o, "{\"k\":\"v\"}", 9, &je) == 0 && !json_error_is_control(&je),
	   "strict: json_error_is_control is false without an error");
	jp(&o, "{\"k\":1 \"j\":2}", 13, &je);
	ok(!json_error_is_control(&je), "strict: another error is not a control error");

	/* what provex writes, the strict parser reads back: every byte */
	{
		char all[256];
		struct buf w = BUF_INIT, d = BUF_INIT;
		for (i = 0; i < 256; i++)
			all[i] = (char)(i < 128 ? i : 'x');
		json_put_string(&w, all, 256);
		ok(jp(&o, w.data, w.len, &je) == 0 &&
		   json_decode_string(w.data, w.len, &d, NULL) == 0 &&
		   d.len == 256 && memcmp(d.data, all, 256) == 0,
		   "strict: json_put_string of every ASCII byte parses and decodes back");
		buf_done(&w);
		buf_done(&d);
	}

	/* duplicate keys */
	strcpy(s, "{\"a\":1,\"b\":2,\"a\":3}");
	is_int(jp(&o, s, strlen(s), &je), 0, "dups: parses");
	is_int(o.ndups, 1, "dups: one overridden member");
	ok(o.members[0].overridden && !o.members[1].overridden && !o.members[2].overridden,
	   "dups: the first \"a\" is overridden, the last wins");
	m = json_object_get(&o, "a", 1);
	ok(m && m->val.raw[0] == '3', "dups: json_object_get gives the last \"a\"");
	is_mem(o.dup_key.data, o.dup_key.len, "a", 1, "dups: dup_key names it");
	ok(!o.nested_dups, "dups: none nested");
	is_str(nodups(&o, s), "{\"b\":2,\"a\":3}", "dups: copy without the overridden member");
	is_str(nodups(&o, "{\"t\":\"x\",\"t\":\"y\",\"t\":\"z\"}"), "{\"t\":\"z\"}",
	       "dups: three times: the last one stays");
	is_int(o.ndups, 2, "dups: two overridden");
	is_str(nodups(&o, "{\"a\\u0062\":1,\"ab\":2}"), "{\"ab\":2}",
	       "dups: keys equal once decoded are the same key");
	is_str(nodups(&o, "{\"x\":{\"k\":1,\"k\":2},\"y\":[{\"q\":1 , \"q\":[{\"r\":0,\"r\":1}]}]}"),
	       "{\"x\":{\"k\":2},\"y\":[{\"q\":[{\"r\":1}]}]}",
	       "dups: nested at several depths");
	ok(o.nested_dups && o.ndups == 3, "dups: nested counted (%zu)", o.ndups);
	is_mem(o.dup_key.data, o.dup_key.len, "k", 1, "dups: the first in the input is named");
	is_str(nodups(&o, "{\"d\":{\"k\":1,\"k\":2},\"d\":{\"z\":{\"w\":1,\"w\":2}}}"),
	       "{\"d\":{\"z\":{\"w\":2}}}", "dups: drops inside a dropped member");
	is_str(nodups(&o, "[{\"a\":1,\"a\":2},\"{\\\"a\\\":1,\\\"a\\\":2}\"]"),
	       "[{\"a\":2},\"{\\\"a\\\":1,\\\"a\\\":2}\"]",
	       "dups: in an array at the top; keys inside strings are text");
	is_int(o.n, 0, "dups: an array gives no members");
	is_str(nodups(&o, "{\"a\":1,\"b\":{},\"c\":[]}"), "{\"a\":1,\"b\":{},\"c\":[]}",
	       "dups: none: a plain copy");
	is_int(o.ndups, 0, "dups: none counted");
	is_int(o.dup_key.len, 0, "dups: no key named");
	/* a large object (sorted, not pairwise) */
	buf_reset(&b);
	buf_putc(&b, '{');
	for (c = 0; c < 300; c++)
		buf_printf(&b, "%s\"k%d\":%d", c ? "," : "", c % 100, c);
	buf_putc(&b, '}');
	is_int(jp(&o, b.data, b.len, &je), 0, "dups: 300 members parse");
	is_int(o.ndups, 200, "dups: 200 of them overridden");
	m = json_object_get(&o, "k7", 2);
	ok(m && strncmp(m->val.raw, "207", 3) == 0, "dups: k7 is the last one (207)");
	for (c = 0, i = 0; i < o.n; i++)
		if (!o.members[i].overridden)
			c++;
	is_int(c, 100, "dups: 100 members win");
	for (c = 0, i = 0; i < o.n; i++)
		if (!o.members[i].overridden && (i < 200))
			c++;
	is_int(c, 0, "dups: the winners are the last 100");
	{
		struct buf out = BUF_INIT;
		struct json_object o2 = JSON_OBJECT_INIT;
		json_copy_without_dups(b.data, b.len, 0, &o, &out);
		ok(jp(&o2, out.data, out.len, &je) == 0 && o2.n == 100 && o2.ndups == 0,
		   "dups: the copy has 100 members, no duplicates");
		json_object_done(&o2);
		buf_done(&out);
	}
	/* random nested objects with keys from a small set: the copy without
	 * duplicates parses, has none, keeps one member per distinct key,
	 * and copying it again changes nothing */
	{
		struct json_object o2 = JSON_OBJECT_INIT;
		struct buf c1 = BUF_INIT, c2 = BUF_INIT;
		unsigned x = 2024;
		int bad_parse = 0, bad_dups = 0, bad_n = 0, bad_idem = 0, k;
		int with_dups = 0, nested = 0;

		for (k = 0; k < 2000; k++) {
			size_t distinct = 0, j;
			char seen[4] = { 0 };
			buf_reset(&b);
			/* a random object, depth up to 4, written by hand */
			{
				int depth = 0, n[6] = { 0 };
				buf_putc(&b, '{');
				for (;;) {
					unsigned r;
					x = x * 1103515245u + 12345u;
					r = (x >> 16) % 10;
					if (n[depth] > 0 && (r < 3 || n[depth] > 6)) {
						buf_putc(&b, '}');
						if (depth-- == 0)
							break;
						n[depth]++;
						continue;
					}
					if (n[depth])
						buf_putc(&b, ',');
					x = x * 1103515245u + 12345u;
					{
						char key = (char)('a' + (x >> 16) % 4);
						buf_printf(&b, "\"%c\":", key);
						if (depth == 0 && !seen[key - 'a']) {
							seen[key - 'a'] = 1;
							distinct++;
						}
					}
					if (r < 6 && depth < 4) {
						buf_putc(&b, '{');
						n[++depth] = 0;
						continue;
					}
					buf_printf(&b, r < 8 ? "%u" : "[%u,{\"a\":1,\"a\":2}]", x % 100);
					n[depth]++;
				}
			}
			if (jp(&o, b.data, b.len, &je) < 0) {
				bad_parse++;
				continue;
			}
			with_dups += o.ndups > 0;
			nested += o.nested_dups;
			buf_reset(&c1);
			json_copy_without_dups(b.data, b.len, 0, &o, &c1);
			if (jp(&o2, c1.data, c1.len, &je) < 0) {
				bad_parse++;
				continue;
			}
			if (o2.ndups)
				bad_dups++;
			for (j = 0, c = 0; j < o.n; j++)
				c += !o.members[j].overridden;
			if (o2.n != distinct || (size_t)c != distinct)
				bad_n++;
			buf_reset(&c2);
			json_copy_without_dups(c1.data, c1.len, 0, &o2, &c2);
			if (c2.len != c1.len || memcmp(c1.data, c2.data, c1.len) != 0)
				bad_idem++;
		}
		ok(with_dups > 1000 && nested > 500, "dups, random: %d of 2000 objects with "
		   "duplicates, %d below the top", with_dups, nested);
		is_int(bad_parse, 0, "dups, 2000 random objects: input and copy parse");
		is_int(bad_dups, 0, "dups, random: no duplicate left in the copy");
		is_int(bad_n, 0, "dups, random: one member per distinct key");
		is_int(bad_idem, 0, "dups, random: copying the copy changes nothing");
		json_object_done(&o2);
		buf_done(&c1);
		buf_done(&c2);
	}
	json_object_done(&o);
	buf_done(&b);
}

/* ---- JSONL ---------------------------------------------------------- */

static void test_jsonl(void)
{
	struct reader *r;
	struct record rec;
	struct pv_err err;
	struct buf b = BUF_INIT;
	const char *p;
	const struct in_field *f;
	int rc;

	p = put_str("a.jsonl",
		    "{\"id\":\"d1\",\"text\":\"hello\\nworld\",\"n\":3}\n"   /* 1 */
		    "\"bare \\u00e9 string\"\n"                         /* 2 */
		    "\n"                                                /* 3 */
		    "   \t \n"                                          /* 4 */
		    "{\"id\":\"d2\", \"text\": \"x\" \"y\"}\n"          /* 5 */
		    "42\n"                                              /* 6 */
		    "[1,2]\n"                                           /* 7 */
		    "{\"id\":\"d3\",\"meta\":{\"k\":[1]},\"ok\":true}\r\n" /* 8 */
		    "{\"id\":\"d4\",\"text\":\"last\"}");                 /* 9 */
	r = open_r(p, IN_FMT_AUTO, NULL);
	if (!r)
		return;
	is_int(reader_format(r), IN_FMT_JSONL, "jsonl: format from the name");

	rc = reader_next(r, &rec, &err);
	is_int(rc, READ_OK, "jsonl: line 1 ok");
	is_int(rec.line, 1, "jsonl: line 1 number");
	is_int(rec.index, 0, "jsonl: line 1 index");
	is_int(rec.column, 1, "jsonl: column 1");
	is_int(rec.nfields, 3, "jsonl: 3 fields");
	is_str(fstr(&rec, "text"), "hello\nworld", "jsonl: text decoded");
	is_str(fstr(&rec, "id"), "d1", "jsonl: id decoded");
	f = record_field(&rec, "n");
	ok(f && f->type == JSON_NUMBER && f->str == NULL && f->raw_len == 1 && f->raw[0] == '3',
	   "jsonl: number field raw, no str");
	ok(record_field(&rec, "nope") == NULL, "jsonl: absent field NULL");
	ok(rec.input && strcmp(rec.input, p) == 0, "jsonl: input name");
	ok(rec.array_key == NULL && !rec.is_text, "jsonl: not text, no array key");

	rc = reader_next(r, &rec, &err);
	is_int(rc, READ_OK, "jsonl: bare string ok");
	ok(rec.is_text, "jsonl: bare string is text");
	is_mem(rec.text, rec.text_len, "bare \xc3\xa9 string", 14, "jsonl: bare string decoded");
	ok(record_field(&rec, "text") == NULL, "jsonl: record_field on text is NULL");
	is_int(rec.line, 2, "jsonl: bare string line");

	rc = reader_next(r, &rec, &err);
	is_int(rc, READ_BAD, "jsonl: malformed line is bad");
	is_int(rec.line, 5, "jsonl: blank lines skipped, line 5");
	is_int(rec.index, 2, "jsonl: index counts records only");
	is_str(rec.reason, "malformed JSON", "jsonl: malformed reason");
	is_int(err.line, 5, "jsonl: error line");
	is_int(err.column, 25, "jsonl: error column = offset + 1");
	ok(strstr(err.msg, "expected ',' or '}'") != NULL, "jsonl: parser reason in message (%s)",
	   err.msg);
	is_str(err.file, p, "jsonl: error names the file");

	rc = reader_next(r, &rec, &err);
	is_int(rc, READ_BAD, "jsonl: number line is bad");
	is_str(rec.reason, "not an object or string", "jsonl: number reason");
	is_int(rec.line, 6, "jsonl: number line number");
	rc = reader_next(r, &rec, &err);
	is_int(rc, READ_BAD, "jsonl: array line is bad");
	is_str(rec.reason, "not an object or string", "jsonl: array reason");

	rc = reader_next(r, &rec, &err);
	is_int(rc, READ_OK, "jsonl: CRLF line ok");
	is_str(fraw(&rec, "ok"), "true", "jsonl: CR not part of the last value");
	is_str(fraw(&rec, "meta"), "{\"k\":[1]}", "jsonl: nested object raw");
	is_int(record_field(&rec, "meta")->type, JSON_OBJECT, "jsonl: nested object type");
	is_int(rec.index, 5, "jsonl: index 5");

	rc = reader_next(r, &rec, &err);
	is_int(rc, READ_OK, "jsonl: last line without newline");
	is_str(fstr(&rec, "text"), "last", "jsonl: last line text");
	is_int(rec.line, 9, "jsonl: last line number");
	is_int(reader_next(r, &rec, &err), READ_EOF, "jsonl: EOF");
	is_int(reader_next(r, &rec, &err), READ_EOF, "jsonl: EOF again");
	ok(reader_pos(r) == reader_size(r) && reader_size(r) > 0, "jsonl: pos == size at end");
	reader_close(r);

	/* BOM, and a 1 MB line. */
	buf_puts(&b, "\xef\xbb\xbf{\"a\":\"1\"}\n{\"text\":\"");
	while (b.len < (1 << 20))
		buf_puts(&b, "0123456789abcdef\\n");
	buf_puts(&b, "\"}\n{\"a\":\"3\"} junk\n");
	p = tpath("big.jsonl");
	put_file(p, b.data, b.len);
	r = open_r(p, IN_FMT_JSONL, NULL);
	if (!r)
		return;
	is_int(reader_next(r, &rec, &err), READ_OK, "jsonl: BOM line ok");
	is_str(fstr(&rec, "a"), "1", "jsonl: BOM skipped");
	is_int(reader_next(r, &rec, &err), READ_OK, "jsonl: 1 MB line ok");
	f = record_field(&rec, "text");
	ok(f && f->str_len > 900000 && memcmp(f->str, "0123456789abcdef\n0123", 21) == 0,
	   "jsonl: 1 MB line decoded (%zu bytes)", f ? f->str_len : 0);
	is_int(reader_next(r, &rec, &err), READ_BAD, "jsonl: trailing junk is bad");
	is_int(err.column, 11, "jsonl: trailing junk column");
	ok(strstr(err.msg, "trailing characters") != NULL, "jsonl: trailing reason");
	is_int(reader_next(r, &rec, &err), READ_EOF, "jsonl: EOF after big");
	reader_close(r);

	/* Malformed on line 1 after a BOM: column counts the BOM bytes. */
	p = put_str("bom2.jsonl", "\xef\xbb\xbf{\"a\" 1}\n");
	r = open_r(p, IN_FMT_JSONL, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_BAD, "jsonl: BOM + bad line");
		is_int(err.column, 9, "jsonl: column counts from the real line start");
		reader_close(r);
	}

	/* Empty file. */
	p = put_str("empty.jsonl", "");
	r = open_r(p, IN_FMT_JSONL, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_EOF, "jsonl: empty file is EOF");
		reader_close(r);
	}
	buf_done(&b);
}

/* ---- compressed inputs ---------------------------------------------- */

/* Reads all records of path; returns the final code; *nok gets the
 * READ_OK count and *seq_ok whether field n went 0,1,2... */
static int drain(const char *path, enum reader_format fmt, int *nok, int *seq_ok,
		 struct pv_err *err)
{
	struct reader *r = open_r(path, fmt, NULL);
	struct record rec;
	int rc;

	*nok = 0;
	*seq_ok = 1;
	if (!r)
		return -100;
	while ((rc = reader_next(r, &rec, err)) > 0) {
		if (rc == READ_OK) {
			if (atoi(fraw(&rec, "n")) != *nok)
				*seq_ok = 0;
			(*nok)++;
		}
	}
	reader_close(r);
	return rc;
}

/* Lines in the compressed tests: enough for several zstd blocks. */
#define NLINES 20000

static void test_compressed(void)
{
	struct buf plain = BUF_INIT, z = BUF_INIT;
	struct pv_err err;
	struct reader *r;
	struct record rec;
	const char *p;
	int rc, n, seq;

	numbered_lines(&plain, NLINES);

	gz_bytes(&z, plain.data, plain.len);
	p = tpath("c.jsonl.gz");
	put_file(p, z.data, z.len);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == READ_EOF && n == NLINES && seq, "gz: all records (rc %d, n %d)", rc, n);

	/* Two members. */
	buf_reset(&z);
	gz_bytes(&z, plain.data, plain.len / 2 + 1);   /* cut mid-line on purpose */
	gz_bytes(&z, plain.data + plain.len / 2 + 1, plain.len - plain.len / 2 - 1);
	p = tpath("multi.jsonl.gz");
	put_file(p, z.data, z.len);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == READ_EOF && n == NLINES && seq, "gz: multi-member, all records (rc %d, n %d)",
	   rc, n);

	/* Truncated. */
	buf_reset(&z);
	gz_bytes(&z, plain.data, plain.len);
	p = tpath("trunc.jsonl.gz");
	put_file(p, z.data, z.len / 2);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	is_int(rc, PV_ETRUNC, "gz truncated: PV_ETRUNC");
	ok(n > 100 && n < NLINES && seq, "gz truncated: the %d records before the damage", n);
	ok(strstr(err.msg, p) != NULL && strstr(err.msg, "truncated") != NULL,
	   "gz truncated: message names the file (%s)", err.msg);
	/* Cut inside the trailer only: all data decodes, then the error. */
	put_file(p, z.data, z.len - 4);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == PV_ETRUNC && n == NLINES, "gz cut in trailer: all records then PV_ETRUNC (%d, %d)",
	   rc, n);
	put_file(p, z.data, 5);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == PV_ETRUNC && n == 0, "gz cut in header: PV_ETRUNC (%d)", rc);

	/* Corrupt. */
	z.data[z.len / 2] ^= 0x55;
	z.data[z.len / 2 + 1] ^= 0x55;
	z.data[z.len / 2 + 2] ^= 0x55;
	p = tpath("corrupt.jsonl.gz");
	put_file(p, z.data, z.len);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == PV_ECODEC || rc == PV_ETRUNC, "gz corrupt: error %d (%s)", rc, err.msg);

	/* Trailing zero padding is fine; trailing junk is not. */
	buf_reset(&z);
	gz_bytes(&z, plain.data, plain.len);
	buf_append(&z, "\0\0\0\0\0\0\0\0", 8);
	p = tpath("padded.jsonl.gz");
	put_file(p, z.data, z.len);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == READ_EOF && n == NLINES, "gz with zero padding ok (%d, %d)", rc, n);
	buf_append(&z, "junk", 4);
	put_file(p, z.data, z.len);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == PV_ECODEC && n == NLINES, "gz trailing junk: records then PV_ECODEC (%d)", rc);

	/* zstd. */
	buf_reset(&z);
	zst_bytes(&z, plain.data, plain.len);
	p = tpath("c.jsonl.zst");
	put_file(p, z.data, z.len);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == READ_EOF && n == NLINES && seq, "zst: all records (rc %d, n %d)", rc, n);
	r = open_r(p, IN_FMT_AUTO, NULL);
	if (r) {
		ok(reader_size(r) == z.len, "zst: size is the compressed size");
		while (reader_next(r, &rec, &err) > 0)
			;
		ok(reader_pos(r) == z.len, "zst: pos counts compressed bytes");
		reader_close(r);
	}
	/* Two frames. */
	buf_reset(&z);
	zst_bytes(&z, plain.data, 1000);
	zst_bytes(&z, plain.data + 1000, plain.len - 1000);
	p = tpath("multi.jsonl.zst");
	put_file(p, z.data, z.len);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == READ_EOF && n == NLINES && seq, "zst: two frames (rc %d, n %d)", rc, n);

	buf_reset(&z);
	zst_bytes(&z, plain.data, plain.len);
	p = tpath("trunc.jsonl.zst");
	put_file(p, z.data, z.len / 2);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	is_int(rc, PV_ETRUNC, "zst truncated: PV_ETRUNC");
	ok(n > 100 && n < NLINES && seq, "zst truncated: the %d records before the damage", n);
	ok(strstr(err.msg, p) != NULL, "zst truncated: message names the file (%s)", err.msg);
	put_file(p, z.data, z.len - 2);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	is_int(rc, PV_ETRUNC, "zst cut in checksum: PV_ETRUNC");

	z.data[z.len / 2] ^= 0x55;
	z.data[z.len / 2 + 7] ^= 0x33;
	p = tpath("corrupt.jsonl.zst");
	put_file(p, z.data, z.len);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == PV_ECODEC, "zst corrupt: PV_ECODEC (%d: %s)", rc, err.msg);

	/* Compressed text keeps its bytes. */
	buf_reset(&z);
	gz_bytes(&z, "a\0b\xff\n", 5);
	p = tpath("t.txt.gz");
	put_file(p, z.data, z.len);
	r = open_r(p, IN_FMT_AUTO, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_OK, "gz text: ok");
		is_mem(rec.text, rec.text_len, "a\0b\xff\n", 5, "gz text: bytes exact");
		reader_close(r);
	}
	/* Truncated text: no partial document. */
	buf_reset(&z);
	gz_bytes(&z, plain.data, plain.len);
	p = tpath("tt.txt.gz");
	put_file(p, z.data, z.len / 3);
	r = open_r(p, IN_FMT_TEXT, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), PV_ETRUNC, "gz text truncated: PV_ETRUNC");
		is_int(reader_next(r, &rec, &err), PV_ETRUNC, "gz text truncated: sticky");
		reader_close(r);
	}

	/* A name saying .gz does not matter: the magic does. */
	p = tpath("plain.jsonl.gz");
	put_file(p, plain.data, plain.len);
	rc = drain(p, IN_FMT_AUTO, &n, &seq, &err);
	ok(rc == READ_EOF && n == NLINES, "plain data named .gz reads as plain");

	buf_done(&plain);
	buf_done(&z);
}

/* instream directly: errors, stdin, small reads. */
static void test_instream(void)
{
	struct instream *s;
	struct pv_err err;
	struct buf z = BUF_INIT;
	char tmp[7], *big;
	const char *p;
	ssize_t n;
	size_t total = 0;
	int rc, fd, saved;

	pv_err_clear(&err);
	p = tpath("missing.jsonl");
	rc = instream_open(&s, p, &err);
	ok(rc == PV_ENOTFOUND && strstr(err.msg, "cannot open '") &&
	   strstr(err.msg, "missing.jsonl': No such file or directory"),
	   "instream: missing file (%s)", err.msg);
	{
		char want[600], got[1600];
		snprintf(want, sizeof want, "cannot open '%s': No such file or directory", p);
		is_str(pv_err_format(&err, got, sizeof got), want,
		       "instream: formatted error names the file once");
	}
	rc = instream_open(&s, tmpdir, &err);
	ok(rc < 0 && strstr(err.msg, "Is a directory") && strstr(err.msg, tmpdir),
	   "instream: a directory (%s)", err.msg);

	p = tpath("noperm.txt");
	put_file(p, "x", 1);
	chmod(p, 0);
	fd = open(p, O_RDONLY);
	if (fd >= 0) {
		close(fd);
		tap_skip("instream: permission denied (running as root: chmod 000 does not block reading)");
	} else {
		rc = instream_open(&s, p, &err);
		ok(rc < 0 && strstr(err.msg, "Permission denied"), "instream: permission denied (%s)",
		   err.msg);
	}

	/* Small reads through gzip. */
	big = malloc(100000);
	memset(big, 'q', 100000);
	gz_bytes(&z, big, 100000);
	p = tpath("q.gz");
	put_file(p, z.data, z.len);
	if (instream_open(&s, p, &err) == 0) {
		while ((n = instream_read(s, tmp, sizeof tmp, &err)) > 0)
			total += (size_t)n;
		ok(n == 0 && total == 100000, "instream: 7-byte reads of gzip give all bytes");
		is_str(instream_name(s), p, "instream: name");
		instream_close(s);
	}
	free(big);

	/* Standard input. */
	p = put_str("stdin.txt", "from stdin\n");
	fflush(stdout);
	saved = dup(STDIN_FILENO);
	fd = open(p, O_RDONLY);
	dup2(fd, STDIN_FILENO);
	close(fd);
	{
		struct reader *r = open_r("-", IN_FMT_TEXT, NULL);
		struct record rec;
		if (r) {
			is_int(reader_next(r, &rec, &err), READ_OK, "stdin: record");
			is_str(rec.text, "from stdin\n", "stdin: text");
			is_str(rec.input, "-", "stdin: input is -");
			is_int(reader_size(r), 11, "stdin: size when it is a file");
			reader_close(r);
		}
	}
	dup2(saved, STDIN_FILENO);
	close(saved);
	ok(fcntl(STDIN_FILENO, F_GETFD) >= 0, "stdin: not closed by the reader");
	buf_done(&z);
}

/* ---- JSON ----------------------------------------------------------- */

static void test_json_reader(void)
{
	struct reader *r;
	struct record rec;
	struct pv_err err;
	struct buf b = BUF_INIT, z = BUF_INIT;
	const char *p;
	int rc, i, n, good;

	p = put_str("arr.json",
		    "\xef\xbb\xbf[\n"
		    "  {\"id\": \"a\", \"text\": \"x]\\\"}\"},\n"
		    "  \"a bare [string]\",\n"
		    "  {\"id\": \"c\",\n   \"v\": [1, {\"q\": \"}\"}]}, 17,\n"
		    "  {\"id\": \"e\",\n   \"x\": tru},\n"
		    "  null, [\"y\"], {\"id\":\"h\"}\n"
		    "]\n");
	r = open_r(p, IN_FMT_AUTO, NULL);
	if (!r)
		return;
	is_int(reader_format(r), IN_FMT_JSON, "json: format from the name");
	is_int(reader_next(r, &rec, &err), READ_OK, "json: element 0");
	is_str(fstr(&rec, "text"), "x]\"}", "json: brackets and quotes in strings");
	ok(rec.line == 2 && rec.column == 3 && rec.index == 0, "json: element 0 at 2:3 (%ld:%ld)",
	   rec.line, rec.column);
	ok(rec.array_key == NULL, "json: top array has no key");
	is_int(reader_next(r, &rec, &err), READ_OK, "json: element 1");
	ok(rec.is_text && strcmp(rec.text, "a bare [string]") == 0, "json: string element is text");
	ok(rec.line == 3 && rec.column == 3 && rec.index == 1, "json: element 1 at 3:3");
	is_int(reader_next(r, &rec, &err), READ_OK, "json: multi-line element");
	is_str(fraw(&rec, "v"), "[1, {\"q\": \"}\"}]", "json: nested raw");
	ok(rec.line == 4 && rec.column == 3, "json: element 2 at 4:3");
	is_int(reader_next(r, &rec, &err), READ_BAD, "json: number element bad");
	is_str(rec.reason, "not an object or string", "json: number reason");
	ok(err.line == 5 && err.column == 27, "json: number at 5:27 (%ld:%ld)", err.line, err.column);
	is_int(rec.index, 3, "json: bad elements count in the index");
	is_int(reader_next(r, &rec, &err), READ_BAD, "json: malformed element bad");
	is_str(rec.reason, "malformed JSON", "json: malformed reason");
	ok(err.line == 7 && err.column == 9, "json: malformed at 7:9 (%ld:%ld: %s)",
	   err.line, err.column, err.msg);
	is_int(reader_next(r, &rec, &err), READ_BAD, "json: null bad");
	is_int(reader_next(r, &rec, &err), READ_BAD, "json: array element bad");
	is_int(reader_next(r, &rec, &err), READ_OK, "json: goes on after bad elements");
	ok(strcmp(fstr(&rec, "id"), "h") == 0 && rec.index == 7, "json: last element");
	is_int(reader_next(r, &rec, &err), READ_EOF, "json: EOF");
	is_int(reader_next(r, &rec, &err), READ_EOF, "json: EOF again");
	reader_close(r);

	p = put_str("strs.json", "[\"one\", \"t\\u0000o\",\"\"]");
	r = open_r(p, IN_FMT_JSON, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_OK, "json strings: 0");
		is_str(rec.text, "one", "json strings: one");
		is_int(reader_next(r, &rec, &err), READ_OK, "json strings: 1");
		is_mem(rec.text, rec.text_len, "t\0o", 3, "json strings: NUL kept");
		is_int(reader_next(r, &rec, &err), READ_OK, "json strings: empty string");
		is_int(rec.text_len, 0, "json strings: empty");
		is_int(reader_next(r, &rec, &err), READ_EOF, "json strings: EOF");
		reader_close(r);
	}
	p = put_str("emptyarr.json", " [ ] ");
	r = open_r(p, IN_FMT_JSON, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_EOF, "json: empty array");
		reader_close(r);
	}

	/* Object of arrays. */
	p = put_str("obj.json",
		    "{\"train\": [{\"t\":\"a\"}, {\"t\":\"b\"}],\n"
		    " \"meta\": {\"x\": [1, 2], \"s\": \"[\"},\n"
		    " \"n\": 5, \"flag\": true, \"s\": \"str\",\n"
		    " \"test\": [\"s0\", {\"t\":\"c\"}],\n"
		    " \"e\\u0078\": []}\n");
	r = open_r(p, IN_FMT_JSON, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_OK, "json obj: train 0");
		ok(rec.array_key && strcmp(rec.array_key, "train") == 0 && rec.index == 0 &&
		   strcmp(fstr(&rec, "t"), "a") == 0, "json obj: train 0 key, index, field");
		is_int(reader_next(r, &rec, &err), READ_OK, "json obj: train 1");
		ok(rec.index == 1 && strcmp(fstr(&rec, "t"), "b") == 0, "json obj: train 1 index");
		is_int(reader_next(r, &rec, &err), READ_OK, "json obj: test 0");
		ok(rec.array_key && strcmp(rec.array_key, "test") == 0 && rec.index == 0 &&
		   rec.is_text && strcmp(rec.text, "s0") == 0, "json obj: test 0 is text");
		ok(rec.line == 4 && rec.column == 11, "json obj: test 0 at 4:11 (%ld:%ld)",
		   rec.line, rec.column);
		is_int(reader_next(r, &rec, &err), READ_OK, "json obj: test 1");
		ok(rec.index == 1 && strcmp(fstr(&rec, "t"), "c") == 0, "json obj: test 1");
		is_int(reader_next(r, &rec, &err), READ_EOF, "json obj: non-arrays skipped, EOF");
		reader_close(r);
	}
	r = open_r(p, IN_FMT_JSON, "test");
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_OK, "json key: test 0");
		ok(rec.is_text && strcmp(rec.array_key, "test") == 0, "json key: only test");
		is_int(reader_next(r, &rec, &err), READ_OK, "json key: test 1");
		is_int(reader_next(r, &rec, &err), READ_EOF, "json key: EOF");
		reader_close(r);
	}
	r = open_r(p, IN_FMT_JSON, "nope");
	if (r) {
		rc = reader_next(r, &rec, &err);
		ok(rc == PV_ENOTFOUND && strstr(err.msg, "'nope'") && strstr(err.msg, "'train'") &&
		   strstr(err.msg, "'meta'") && strstr(err.msg, "'ex'"),
		   "json key: missing key named, keys listed (%s)", err.msg);
		is_int(reader_next(r, &rec, &err), PV_ENOTFOUND, "json key: error repeats");
		reader_close(r);
	}
	r = open_r(p, IN_FMT_JSON, "n");
	if (r) {
		rc = reader_next(r, &rec, &err);
		ok(rc == PV_EPARSE && strstr(err.msg, "'n'") && strstr(err.msg, "not an array"),
		   "json key: key that is not an array (%s)", err.msg);
		reader_close(r);
	}
	r = open_r(tpath("arr.json"), IN_FMT_JSON, "train");
	if (r) {
		rc = reader_next(r, &rec, &err);
		ok(rc == PV_ENOTFOUND && strstr(err.msg, "'train'"),
		   "json key: array input with a records key (%s)", err.msg);
		reader_close(r);
	}

	/* A 5000-element array on one line, plain and gzip. */
	buf_putc(&b, '[');
	for (i = 0; i < 5000; i++)
		buf_printf(&b, "%s{\"i\":%d,\"text\":\"element %d with some padding text\"}",
			   i ? ", " : "", i, i);
	buf_putc(&b, ']');
	p = tpath("one.json");
	put_file(p, b.data, b.len);
	gz_bytes(&z, b.data, b.len);
	put_file(tpath("one.json.gz"), z.data, z.len);
	for (i = 0; i < 2; i++) {
		r = open_r(i ? tpath("one.json.gz") : p, IN_FMT_AUTO, NULL);
		if (!r)
			continue;
		n = good = 0;
		while ((rc = reader_next(r, &rec, &err)) == READ_OK) {
			if (rec.index == n && atoi(fraw(&rec, "i")) == n && rec.line == 1)
				good++;
			n++;
		}
		ok(rc == READ_EOF && n == 5000 && good == 5000,
		   "json one line%s: 5000 elements in order (%d, %d)", i ? " (gz)" : "", n, good);
		ok(r->arena.cap < 4096, "json one line%s: record storage stays small (%zu)",
		   i ? " (gz)" : "", r->arena.cap);
		reader_close(r);
	}
	/* Truncated .json.gz: records, then PV_ETRUNC. */
	p = tpath("trunc.json.gz");
	put_file(p, z.data, z.len / 2);
	r = open_r(p, IN_FMT_AUTO, NULL);
	if (r) {
		n = 0;
		while ((rc = reader_next(r, &rec, &err)) == READ_OK)
			n++;
		ok(rc == PV_ETRUNC && n > 10 && n < 5000, "json gz truncated: %d records then %d",
		   n, rc);
		reader_close(r);
	}

	/* Broken structure. */
	{
		static const struct { const char *text; int nok; long line, col; const char *why; }
		cases[] = {
			{ "[{\"a\":1} {\"b\":2}]", 1, 1, 10, "expected ',' or ']'" },
			{ "[{\"a\":1},\n", 1, 2, 1, "unexpected end of input" },
			{ "[{\"a\":1},\n {\"b\":[1}]", 1, 2, 9, "mismatched '}'" },
			{ "[{\"a\":\"never ends}]", 0, 1, 20, "inside a string" },
			{ "42", 0, 1, 1, "expected a JSON array" },
			{ "", 0, 1, 1, "empty input" },
			{ "[{\"a\":1}] x", 1, 1, 11, "trailing characters" },
			{ "[{\"a\":1},]", 1, 1, 10, "expected a JSON value" },
			{ "{\"k\": [\"a\"] \"j\": 1}", 1, 1, 13, "expected ',' or '}'" },
			{ "{\"k\" [1]}", 0, 1, 6, "expected ':'" },
			{ "{\"k\": [1], 5: []}", 1, 1, 12, "expected a string key" },
		};
		size_t k;

		for (k = 0; k < PV_ARRAY_LEN(cases); k++) {
			char name[32];
			snprintf(name, sizeof name, "broken%zu.json", k);
			p = put_str(name, cases[k].text);
			r = open_r(p, IN_FMT_JSON, NULL);
			if (!r)
				continue;
			n = 0;
			while ((rc = reader_next(r, &rec, &err)) > 0)
				n++;
			ok(rc == PV_EPARSE && n == cases[k].nok && err.line == cases[k].line &&
			   err.column == cases[k].col && strstr(err.msg, cases[k].why),
			   "json broken %zu: %d records, then %s:%ld:%ld: %s", k, n, err.file,
			   err.line, err.column, err.msg);
			is_int(reader_next(r, &rec, &err), PV_EPARSE, "json broken %zu: error repeats", k);
			reader_close(r);
		}
	}
	buf_done(&b);
	buf_done(&z);
}

/* ---- CSV ------------------------------------------------------------ */

static void test_csv(void)
{
	struct reader *r;
	struct record rec;
	struct pv_err err;
	struct buf b = BUF_INIT;
	const struct in_field *f;
	const char *p;
	int rc, n;

	p = put_str("a.csv",
		    "\xef\xbb\xbfid,text,\"la\"\"bel\"\n"                 /* 1 */
		    "1,hello,x\n"                                        /* 2 */
		    "2,\"with, comma\",\"say \"\"hi\"\"\"\n"             /* 3 */
		    "3,\"multi\nline\n\",y\n"                            /* 4-6 */
		    "4,short\n"                                          /* 7 */
		    "\n"                                                 /* 8 */
		    "5,,\n"                                              /* 9 */
		    "6,a,b,c\n"                                          /* 10 */
		    "7,\"q\"tail,bare\"quote\n"                          /* 11 */
		    "\n");
	r = open_r(p, IN_FMT_AUTO, NULL);
	if (!r)
		return;
	is_int(reader_format(r), IN_FMT_CSV, "csv: format from the name");
	is_int(reader_next(r, &rec, &err), READ_OK, "csv: row 1");
	is_int(rec.nfields, 3, "csv: 3 fields");
	is_str(rec.fields[0].name, "id", "csv: BOM skipped in the header");
	is_str(rec.fields[2].name, "la\"bel", "csv: quoted header name");
	is_str(fstr(&rec, "text"), "hello", "csv: plain value");
	f = record_field(&rec, "id");
	ok(f && f->type == JSON_STRING && f->raw == NULL && f->str_len == 1, "csv: string, raw NULL");
	ok(rec.line == 2 && rec.index == 0, "csv: row 1 line 2 index 0");
	is_int(reader_next(r, &rec, &err), READ_OK, "csv: row 2");
	is_str(fstr(&rec, "text"), "with, comma", "csv: embedded comma");
	is_str(fstr(&rec, "la\"bel"), "say \"hi\"", "csv: doubled quotes");
	is_int(reader_next(r, &rec, &err), READ_OK, "csv: row 3");
	is_str(fstr(&rec, "text"), "multi\nline\n", "csv: embedded newlines");
	is_str(fstr(&rec, "la\"bel"), "y", "csv: field after the newlines");
	is_int(rec.line, 4, "csv: row starts at line 4");
	is_int(reader_next(r, &rec, &err), READ_BAD, "csv: short row bad");
	is_int(rec.line, 7, "csv: short row at line 7");
	ok(strstr(err.msg, "CSV row has 2 fields, header has 3") != NULL && err.line == 7,
	   "csv: short row message (%s)", err.msg);
	ok(rec.reason != NULL, "csv: short row reason");
	is_int(reader_next(r, &rec, &err), READ_OK, "csv: empty fields row");
	ok(rec.line == 9 && rec.index == 4, "csv: blank line skipped (line %ld, index %ld)",
	   rec.line, rec.index);
	ok(strcmp(fstr(&rec, "text"), "") == 0 && strcmp(fstr(&rec, "la\"bel"), "") == 0,
	   "csv: empty fields");
	is_int(reader_next(r, &rec, &err), READ_BAD, "csv: long row bad");
	ok(strstr(err.msg, "has 4 fields") != NULL, "csv: long row message");
	is_int(reader_next(r, &rec, &err), READ_OK, "csv: goes on after bad rows");
	is_str(fstr(&rec, "text"), "qtail", "csv: text after a closing quote kept");
	is_str(fstr(&rec, "la\"bel"), "bare\"quote", "csv: quote inside a bare field");
	is_int(reader_next(r, &rec, &err), READ_EOF, "csv: trailing empty line ignored");
	reader_close(r);

	/* CRLF, with an embedded CRLF kept as it is. */
	p = put_str("crlf.csv", "a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n");
	r = open_r(p, IN_FMT_CSV, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_OK, "csv crlf: row 1");
		is_str(fstr(&rec, "a"), "1", "csv crlf: a");
		is_str(fstr(&rec, "b"), "x\r\ny", "csv crlf: embedded CRLF kept");
		is_int(reader_next(r, &rec, &err), READ_OK, "csv crlf: row 2");
		ok(strcmp(fstr(&rec, "b"), "z") == 0 && rec.line == 4, "csv crlf: no CR in values");
		is_int(reader_next(r, &rec, &err), READ_EOF, "csv crlf: EOF");
		reader_close(r);
	}

	/* Unterminated quote at the end. */
	p = put_str("unterm.csv", "a,b\n1,2\n3,\"open\nstill open\n");
	r = open_r(p, IN_FMT_CSV, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_OK, "csv unterminated: row before");
		is_int(reader_next(r, &rec, &err), READ_BAD, "csv unterminated: bad");
		ok(rec.line == 3 && strstr(err.msg, "unterminated"), "csv unterminated: line 3 (%s)",
		   err.msg);
		is_int(reader_next(r, &rec, &err), READ_EOF, "csv unterminated: then EOF");
		reader_close(r);
	}

	/* No trailing newline; header only; empty. */
	p = put_str("nonl.csv", "h\nlast");
	r = open_r(p, IN_FMT_CSV, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_OK, "csv: last row without newline");
		is_str(fstr(&rec, "h"), "last", "csv: its value");
		is_int(reader_next(r, &rec, &err), READ_EOF, "csv: EOF");
		reader_close(r);
	}
	p = put_str("hdr.csv", "a,b\n");
	r = open_r(p, IN_FMT_CSV, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_EOF, "csv: header only");
		reader_close(r);
	}
	p = put_str("empty.csv", "");
	r = open_r(p, IN_FMT_CSV, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_EOF, "csv: empty input");
		is_int(reader_next(r, &rec, &err), READ_EOF, "csv: empty input again");
		reader_close(r);
	}

	/* Big rows stream. */
	buf_puts(&b, "id,text\n");
	for (n = 0; n < 3; n++) {
		buf_printf(&b, "%d,\"", n);
		while (b.len < (size_t)(n + 1) * 600000)
			buf_puts(&b, "line, with \"\"quote\"\"\n");
		buf_puts(&b, "\"\n");
	}
	p = tpath("big.csv");
	put_file(p, b.data, b.len);
	r = open_r(p, IN_FMT_CSV, NULL);
	if (r) {
		n = 0;
		while ((rc = reader_next(r, &rec, &err)) == READ_OK) {
			f = record_field(&rec, "text");
			if (f && f->str_len > 500000 && strncmp(f->str, "line, with \"quote\"\n", 19) == 0)
				n++;
		}
		ok(rc == READ_EOF && n == 3, "csv: three 600 KB rows (%d)", n);
		reader_close(r);
	}
	buf_done(&b);
}

/* ---- text ----------------------------------------------------------- */

static void test_text(void)
{
	static const char data[] = "line one\n\0NUL\xff\xfe\xc3(\r\nend";
	struct reader *r;
	struct record rec;
	struct pv_err err;
	const char *p;

	p = tpath("doc.txt");
	put_file(p, data, sizeof data - 1);
	r = open_r(p, IN_FMT_AUTO, NULL);
	if (r) {
		is_int(reader_format(r), IN_FMT_TEXT, "text: format from the name");
		is_int(reader_next(r, &rec, &err), READ_OK, "text: one record");
		ok(rec.is_text && rec.index == 0 && rec.line == 1, "text: is_text, index 0, line 1");
		is_mem(rec.text, rec.text_len, data, sizeof data - 1, "text: bytes exact");
		ok(rec.text[rec.text_len] == '\0', "text: NUL-terminated");
		is_int(reader_next(r, &rec, &err), READ_EOF, "text: then EOF");
		reader_close(r);
	}
	p = put_str("empty.txt", "");
	r = open_r(p, IN_FMT_AUTO, NULL);
	if (r) {
		is_int(reader_next(r, &rec, &err), READ_OK, "text: empty input is one document");
		is_int(rec.text_len, 0, "text: empty");
		is_int(reader_next(r, &rec, &err), READ_EOF, "text: then EOF");
		reader_close(r);
	}
}

/* ---- reader front end ----------------------------------------------- */

static void test_front(void)
{
	struct reader *r = (struct reader *)1;
	struct reader_opts o = { IN_FMT_AUTO, NULL, 0 };
	struct pv_err err;
	pid_t pid;
	int rc, st;

	is_int(reader_guess_format("a.jsonl"), IN_FMT_JSONL, "guess: .jsonl");
	is_int(reader_guess_format("dir.d/a.JSONL.gz"), IN_FMT_JSONL, "guess: .JSONL.gz");
	is_int(reader_guess_format("x.ndjson.zst"), IN_FMT_JSONL, "guess: .ndjson.zst");
	is_int(reader_guess_format("a.json"), IN_FMT_JSON, "guess: .json");
	is_int(reader_guess_format("a.json.zst"), IN_FMT_JSON, "guess: .json.zst");
	is_int(reader_guess_format("b.csv.gz"), IN_FMT_CSV, "guess: .csv.gz");
	is_int(reader_guess_format("c.txt"), IN_FMT_TEXT, "guess: .txt");
	is_int(reader_guess_format("README"), IN_FMT_TEXT, "guess: no extension");
	is_int(reader_guess_format("a.json/README"), IN_FMT_TEXT, "guess: dot in a directory");
	is_int(reader_guess_format("x.gz"), IN_FMT_TEXT, "guess: .gz alone");
	is_int(reader_guess_format("-"), IN_FMT_JSONL, "guess: stdin is JSONL");

	rc = reader_open(&r, tpath("no/such.jsonl"), &o, &err);
	ok(rc < 0 && r == NULL && strstr(err.msg, "No such file or directory") &&
	   strstr(err.msg, "no/such.jsonl"), "reader: missing file (%s)", err.msg);
	rc = reader_open(&r, tmpdir, &o, &err);
	ok(rc < 0 && strstr(err.msg, "Is a directory"), "reader: directory (%s)", err.msg);
	/* in a child, so that a crash is a failed check */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		reader_close(NULL);
		_exit(0);
	}
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "reader: close(NULL) returns");
}

/* ---- walk ----------------------------------------------------------- */

struct walked {
	struct buf list;            /* relative names, ';' after each */
	int calls, stop_at, warns;
};

static int walk_cb(void *ctx, const char *file)
{
	struct walked *w = ctx;
	size_t n = strlen(tmpdir) + 6;   /* "<tmp>/tree/" */

	w->calls++;
	buf_puts(&w->list, strncmp(file, tmpdir, strlen(tmpdir)) == 0 && strlen(file) > n
		 ? file + n : file);
	buf_putc(&w->list, ';');
	return w->calls == w->stop_at ? 7 : 0;
}

static void walk_warn(void *ctx, const struct pv_err *e)
{
	struct walked *w = ctx;

	w->warns++;
	printf("# warning: %s\n", e->msg);
}

/* Walks path with glob; returns the result, the list in w. */
static int do_walk(struct walked *w, const char *path, const char *glob, int stop_at)
{
	struct pv_err err;

	buf_reset(&w->list);
	w->calls = w->warns = 0;
	w->stop_at = stop_at;
	return walk_inputs(path, glob, walk_cb, walk_warn, w, &err);
}

static void test_walk(void)
{
	struct walked w;
	struct pv_err err;
	char root[512];
	int rc, fd;

	snprintf(root, sizeof root, "%s", tpath("tree"));
	memset(&w, 0, sizeof w);
	mkdir(root, 0755);
	mkdir(tpath("tree/sub"), 0755);
	mkdir(tpath("tree/sub/deeper"), 0755);
	mkdir(tpath("tree/.hidden"), 0755);
	mkdir(tpath("tree/B"), 0755);
	put_str("tree/b.jsonl", "{}\n");
	put_str("tree/a.jsonl", "{}\n");
	put_str("tree/a.txt", "x");
	put_str("tree/B/z.jsonl", "{}\n");
	put_str("tree/sub/c.jsonl", "{}\n");
	put_str("tree/sub/deeper/d.txt", "x");
	put_str("tree/.hidden/x.jsonl", "{}\n");
	put_str("tree/.h.jsonl", "{}\n");
	if (symlink("sub", tpath("tree/link")) < 0)
		printf("# symlink: %s\n", strerror(errno));
	if (symlink("a.jsonl", tpath("tree/flink.jsonl")) < 0)
		printf("# symlink: %s\n", strerror(errno));

	rc = do_walk(&w, root, NULL, 0);
	is_int(rc, 0, "walk: ok");
	is_str(buf_str(&w.list), "B/z.jsonl;a.jsonl;a.txt;b.jsonl;flink.jsonl;sub/c.jsonl;"
	       "sub/deeper/d.txt;", "walk: sorted, recursive, no hidden, no dir links");
	rc = do_walk(&w, root, "*.jsonl", 0);
	is_str(buf_str(&w.list), "B/z.jsonl;a.jsonl;b.jsonl;flink.jsonl;sub/c.jsonl;",
	       "walk: glob on the base name");
	rc = do_walk(&w, root, "sub/*", 0);
	is_str(buf_str(&w.list), "sub/c.jsonl;", "walk: glob on the relative path");
	rc = do_walk(&w, tpath("tree/"), "*.txt", 0);
	is_str(buf_str(&w.list), "a.txt;sub/deeper/d.txt;", "walk: trailing slash in the path");
	rc = do_walk(&w, root, NULL, 2);
	ok(rc == 7 && w.calls == 2, "walk: callback's nonzero value stops the walk");
	rc = do_walk(&w, tpath("tree/a.txt"), "*.jsonl", 0);
	ok(rc == 0 && w.calls == 1 && strcmp(buf_str(&w.list), "a.txt;") == 0,
	   "walk: a named file is taken whatever the glob");
	rc = do_walk(&w, tpath("tree/.h.jsonl"), NULL, 0);
	ok(rc == 0 && w.calls == 1, "walk: a named hidden file is taken");
	rc = do_walk(&w, "-", "*.jsonl", 0);
	ok(rc == 0 && w.calls == 1 && strcmp(buf_str(&w.list), "-;") == 0, "walk: - is stdin");
	rc = walk_inputs(tpath("tree/none"), NULL, walk_cb, walk_warn, &w, &err);
	ok(rc == PV_ENOTFOUND && strstr(err.msg, "tree/none") &&
	   strstr(err.msg, "No such file or directory"), "walk: missing path (%s)", err.msg);

	/* Unreadable entries. */
	put_str("tree/sub/secret.jsonl", "{}\n");
	chmod(tpath("tree/sub/secret.jsonl"), 0);
	chmod(tpath("tree/sub/deeper"), 0);
	fd = open(tpath("tree/sub/secret.jsonl"), O_RDONLY);
	if (fd >= 0) {
		close(fd);
		tap_skip("walk: unreadable file and directory (running as root: chmod 000 "
			 "does not block reading)");
	} else {
		rc = do_walk(&w, root, NULL, 0);
		ok(rc == 0 && w.warns == 2 && strstr(buf_str(&w.list), "secret") == NULL &&
		   strstr(buf_str(&w.list), "d.txt") == NULL && strstr(buf_str(&w.list), "sub/c.jsonl"),
		   "walk: unreadable file and directory warned and skipped (%d warnings)", w.warns);
	}
	chmod(tpath("tree/sub/deeper"), 0755);
	buf_done(&w.list);
}

/* Opens path as fmt with a size limit; NULL (and a failed check) on error. */
static struct reader *open_max(const char *path, enum reader_format fmt, uint64_t max)
{
	struct reader_opts o = { fmt, NULL, max };
	struct reader *r = NULL;
	struct pv_err err;

	if (reader_open(&r, path, &o, &err) < 0) {
		ok(0, "open %s: %s", path, err.msg);
		return NULL;
	}
	return r;
}

/* Reads path as fmt (limit max) and lists what came: "ok:LINE" for a
 * record, "bad:LINE:REASON" for a bad one, "fail" for a failure, joined by
 * spaces, into out; the last error into *err. */
static void read_all(const char *path, enum reader_format fmt, uint64_t max,
		     struct buf *out, struct pv_err *err)
{
	struct reader *r = open_max(path, fmt, max);
	struct record rec;
	int rc, n = 0;

	buf_reset(out);
	if (!r)
		return;
	while ((rc = reader_next(r, &rec, err)) != READ_EOF && n++ < 100) {
		if (out->len)
			buf_putc(out, ' ');
		if (rc == READ_OK)
			buf_printf(out, "ok:%ld", rec.line);
		else if (rc == READ_BAD)
			buf_printf(out, "bad:%ld:%s:%llu", rec.line, rec.reason,
				   (unsigned long long)rec.size);
		else {
			buf_puts(out, "fail");
			break;
		}
	}
	reader_close(r);
}

static void test_hostile(void)
{
	struct reader *r;
	struct record rec;
	struct pv_err err;
	struct buf b = BUF_INIT, big = BUF_INIT;
	const char *p;
	int rc, i;

	/* duplicate keys: the last value, each name once, nested rewritten */
	p = put_str("dup.jsonl",
		    "{\"text\":\"first\",\"id\":\"a\",\"text\":\"second\",\"m\":{\"k\":1,\"k\":2},\"id\":\"b\"}\n"
		    "{\"text\":\"plain\",\"m\":{\"k\":1}}\n");
	r = open_r(p, IN_FMT_AUTO, NULL);
	if (r) {
		rc = reader_next(r, &rec, &err);
		is_int(rc, READ_OK, "dup record: read");
		is_str(fstr(&rec, "text"), "second", "dup record: the last text wins");
		is_str(fstr(&rec, "id"), "b", "dup record: the last id wins");
		is_int(rec.nfields, 3, "dup record: each name once (text, m, id)");
		is_str(fraw(&rec, "m"), "{\"k\":2}", "dup record: nested object rewritten");
		is_int(rec.dup_keys, 3, "dup record: three members overridden");
		ok(rec.dup_key && strcmp(rec.dup_key, "text") == 0,
		   "dup record: the first key named (%s)", rec.dup_key ? rec.dup_key : "NULL");
		rc = reader_next(r, &rec, &err);
		ok(rc == READ_OK && rec.dup_keys == 0 && rec.dup_key == NULL &&
		   strcmp(fraw(&rec, "m"), "{\"k\":1}") == 0,
		   "dup record: the next record has none");
		reader_close(r);
	}
	/* a control character: a bad record with its own reason, then on */
	p = put_str("ctl.jsonl", "{\"text\":\"a\tb\"}\n{\"text\":\"ok\"}\n");
	read_all(p, IN_FMT_AUTO, 0, &b, &err);
	is_str(buf_str(&b), "bad:1:unescaped control character in a JSON string:0 ok:2",
	       "ctl: bad record, reading goes on");
	p = put_str("ctl.json", "[{\"text\":\"ok\"},\n {\"text\":\"a\x01\"}, {\"text\":\"b\"}]");
	r = open_r(p, IN_FMT_AUTO, NULL);
	if (r) {
		reader_next(r, &rec, &err);
		rc = reader_next(r, &rec, &err);
		ok(rc == READ_BAD && err.line == 2 && err.column == 12 &&
		   strstr(err.msg, "U+0001"), "ctl: JSON array element located at 2:12 (%ld:%ld %s)",
		   err.line, err.column, err.msg);
		is_int(reader_next(r, &rec, &err), READ_OK, "ctl: the next element is read");
		reader_close(r);
	}

	/* an object of arrays giving an array's key twice */
	p = put_str("twice.json", "{\"train\":[\"a\"],\"x\":1,\"test\":[\"b\"],\n"
		    "\"train\":[\"c\"]}");
	read_all(p, IN_FMT_AUTO, 0, &b, &err);
	ok(strcmp(buf_str(&b), "ok:1 ok:1 fail") == 0 && err.line == 2 &&
	   strstr(err.msg, "array 'train' twice"),
	   "json: an array key given twice stops the input (%s: %s)", buf_str(&b), err.msg);
	p = put_str("twice2.json", "{\"x\":1,\"x\":[\"a\"],\"y\":2,\"y\":3}");
	read_all(p, IN_FMT_AUTO, 0, &b, &err);
	is_str(buf_str(&b), "ok:1", "json: other keys given twice do not matter");

	/* UTF-16 and UTF-32, with and without a byte order mark */
	{
		static const struct { const char *name; const char *bytes; size_t n;
				      const char *enc; } u[] = {
			{ "le-bom", "\xff\xfe{\0\"\0t\0\"\0:\0\"\0x\0\"\0}\0\n\0", 22, "UTF-16LE" },
			{ "be-bom", "\xfe\xff\0{\0\"\0t\0\"\0:\0\"\0x\0\"\0}\0\n", 22, "UTF-16BE" },
			{ "le", "{\0\"\0t\0\"\0:\0\"\0x\0\"\0}\0\n\0", 20, "UTF-16LE" },
			{ "be", "\0{\0\"\0t\0\"\0:\0\"\0x\0\"\0}\0\n", 20, "UTF-16BE" },
			{ "32le", "{\0\0\0\"\0\0\0", 8, "UTF-32LE" },
			{ "32be", "\0\0\0{\0\0\0\"", 8, "UTF-32BE" },
			{ "32bom", "\xff\xfe\0\0{\0\0\0", 8, "UTF-32LE" },
			{ "short", "{\0\n\0", 4, "UTF-16LE" },
		};
		static const char *const ext[] = { "jsonl", "json", "csv" };
		size_t k, e;
		int good = 0, total = 0;
		char name[64];
		for (k = 0; k < PV_ARRAY_LEN(u); k++)
			for (e = 0; e < 3; e++) {
				snprintf(name, sizeof name, "u-%s.%s", u[k].name, ext[e]);
				put_file(tpath(name), u[k].bytes, u[k].n);
				read_all(tpath(name), IN_FMT_AUTO, 0, &b, &err);
				total++;
				if (strcmp(buf_str(&b), "fail") == 0 && strstr(err.msg, u[k].enc) &&
				    strstr(err.msg, "iconv"))
					good++;
				else
					printf("# %s: %s (%s)\n", name, buf_str(&b), err.msg);
			}
		is_int(good, total, "encoding: UTF-16/32 refused, named, iconv suggested (%d inputs)", total);
	}
	p = put_str("ok-utf8.jsonl", "\xef\xbb\xbf{\"text\":\"x\"}\n1\n");
	read_all(p, IN_FMT_AUTO, 0, &b, &err);
	is_str(buf_str(&b), "ok:1 bad:2:not an object or string:0",
	       "encoding: UTF-8 with a BOM is read");
	/* CSV: the input's first bytes tell the encoding, not its first value
	 * (found by tests/fuzz/fuzz_csv: regress/csv) */
	put_file(tpath("q-ff.csv"), "\"\xff\xfe" "a\"\n\"x\"\n", 10);
	read_all(tpath("q-ff.csv"), IN_FMT_AUTO, 0, &b, &err);
	is_str(buf_str(&b), "ok:2", "csv: a quoted first name starting with FF FE is not UTF-16 (%s)",
	       err.msg);
	put_file(tpath("q-nul.csv"), "\"\0e\"\"\"\nx\n", 9);
	read_all(tpath("q-nul.csv"), IN_FMT_AUTO, 0, &b, &err);
	is_str(buf_str(&b), "ok:2", "csv: a quoted first name holding a NUL is not UTF-16 (%s)",
	       err.msg);
	p = put_str("unterm1.csv", "\"abc\n");
	read_all(p, IN_FMT_AUTO, 0, &b, &err);
	ok(strcmp(buf_str(&b), "fail") == 0 && strstr(err.msg, "unterminated quoted field"),
	   "csv: a header on line 1 left inside quotes is refused (%s: %s)", buf_str(&b), err.msg);

	/* duplicate CSV header names */
	p = put_str("dup.csv", "id,text,text\n1,a,b\n");
	read_all(p, IN_FMT_AUTO, 0, &b, &err);
	ok(strcmp(buf_str(&b), "fail") == 0 && strstr(err.msg, "\"text\" twice") &&
	   strstr(err.msg, "columns 2 and 3"), "csv: a name given twice is refused (%s)", err.msg);
	buf_reset(&big);
	for (i = 0; i < 100; i++)
		buf_printf(&big, "%sc%d", i ? "," : "", i == 70 ? 5 : i);
	buf_puts(&big, "\n");
	p = put_str("dup2.csv", buf_str(&big));
	read_all(p, IN_FMT_AUTO, 0, &b, &err);
	ok(strcmp(buf_str(&b), "fail") == 0 && strstr(err.msg, "\"c5\" twice") &&
	   strstr(err.msg, "columns 6 and 71"), "csv: among 100 columns too (%s)", err.msg);
	p = put_str("nodup.csv", "id,text,Text,text2\n1,a,b,c\n");
	read_all(p, IN_FMT_AUTO, 0, &b, &err);
	is_str(buf_str(&b), "ok:2", "csv: names that differ are fine");

	/* the size limit: 100 bytes */
	buf_reset(&big);
	for (i = 0; i < 150; i++)
		buf_putc(&big, 'x');
	{
		struct buf t = BUF_INIT;
		buf_printf(&t, "{\"text\":\"a\"}\n{\"text\":\"%s\"}\n{\"text\":\"b\"}\n", buf_str(&big));
		p = put_str("big.jsonl", buf_str(&t));
		read_all(p, IN_FMT_AUTO, 100, &b, &err);
		is_str(buf_str(&b), "ok:1 bad:2:document too large:161 ok:3",
		       "limit: a JSONL line over it is skipped with its size");
		ok(err.line == 2 && strstr(err.msg, "161 bytes") && strstr(err.msg, "limit of 100"),
		   "limit: the message gives the line, the size and the limit (%s)", err.msg);
		read_all(p, IN_FMT_AUTO, 161, &b, &err);
		is_str(buf_str(&b), "ok:1 ok:2 ok:3", "limit: a line of exactly the limit is read");
		buf_reset(&t);
		buf_printf(&t, "{\"text\":\"a\"}\n{\"text\":\"%s%s%s\"}", buf_str(&big),
			   buf_str(&big), buf_str(&big));
		p = put_str("big-end.jsonl", buf_str(&t));
		read_all(p, IN_FMT_AUTO, 100, &b, &err);
		is_str(buf_str(&b), "ok:1 bad:2:document too large:461",
		       "limit: a last line without a newline too");
		read_all(p, IN_FMT_AUTO, 20, &b, &err);
		ok(strcmp(buf_str(&b), "ok:1 fail") == 0 && strstr(err.msg, "16 times"),
		   "limit: a line 16 times over it stops the input (%s: %s)", buf_str(&b), err.msg);
		buf_reset(&t);
		buf_printf(&t, "[{\"text\":\"a\"},\n{\"text\":\"%s\"},{\"text\":\"b\"}]", buf_str(&big));
		p = put_str("big.json", buf_str(&t));
		read_all(p, IN_FMT_AUTO, 100, &b, &err);
		is_str(buf_str(&b), "ok:1 bad:2:document too large:161 ok:2",
		       "limit: a JSON element over it is skipped");
		buf_reset(&t);
		buf_printf(&t, "text\na\n\"%s\"\n\"b\nc\"\n\"%s\n%s\"\nd\n", buf_str(&big),
			   buf_str(&big), buf_str(&big));
		p = put_str("big.csv", buf_str(&t));
		read_all(p, IN_FMT_AUTO, 100, &b, &err);
		ok(strncmp(buf_str(&b), "ok:2 bad:3:document too large:", 30) == 0 &&
		   strstr(buf_str(&b), " ok:4 bad:6:document too large:") &&
		   strstr(buf_str(&b), " ok:8"), "limit: CSV rows over it, one line or several (%s)",
		   buf_str(&b));
		p = put_str("big.txt", buf_str(&big));
		read_all(p, IN_FMT_TEXT, 100, &b, &err);
		is_str(buf_str(&b), "bad:1:document too large:101",
		       "limit: a text input over it is one bad record (reading stops)");
		ok(strstr(err.msg, "more than 101 bytes") && strstr(err.msg, "--max-doc-size"),
		   "limit: the message says so (%s)", err.msg);
		read_all(p, IN_FMT_TEXT, 150, &b, &err);
		is_str(buf_str(&b), "ok:1", "limit: a text of exactly the limit is read");
		buf_done(&t);
	}
	/* /dev/zero as text and as JSONL: refused within bounds */
	read_all("/dev/zero", IN_FMT_TEXT, 4096, &b, &err);
	is_str(buf_str(&b), "bad:1:document too large:4097", "limit: /dev/zero as text");
	read_all("/dev/zero", IN_FMT_JSONL, 4096, &b, &err);
	ok(strcmp(buf_str(&b), "fail") == 0 && strstr(err.msg, "16 times"),
	   "limit: /dev/zero as JSONL stops (%s)", err.msg);
	read_all("/dev/zero", IN_FMT_CSV, 4096, &b, &err);
	ok(strcmp(buf_str(&b), "fail") == 0, "limit: /dev/zero as CSV stops (%s)", err.msg);
	buf_done(&b);
	buf_done(&big);
}

int main(void)
{
	char cmd[600];

	snprintf(tmpdir, sizeof tmpdir, "%s/pv-readers-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_json_parser();
	test_json_strict();
	test_jsonl();
	test_compressed();
	test_instream();
	test_json_reader();
	test_csv();
	test_text();
	test_hostile();
	test_front();
	test_walk();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return tap_done();
}
