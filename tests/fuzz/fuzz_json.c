/*
 * fuzz_json.c - the JSON parser of common/json.c (json_parse,
 * json_decode_string) and the string writer of common/jsonw.c.
 *
 * Properties, for any input:
 *  - json_parse returns 0 or PV_EPARSE with a reason and an offset inside
 *    the input;
 *  - a value it accepts is accepted again from its own span, with the same
 *    kind and span; and again with every whitespace outside strings
 *    removed, and with whitespace added after every structural character
 *    (same kind, same members and keys);
 *  - every member value of an accepted object re-parses alone with its
 *    kind; every string decodes, and json_put_string of the decoded bytes
 *    decodes back to them (valid UTF-8), or to valid UTF-8 (otherwise);
 *  - json_decode_string never writes more bytes than it reads.
 */
#include "fuzz.h"
#include "../../common/pv.h"
#include "../../common/buf.h"
#include "../../common/json.h"
#include "../../common/utf8.h"

#include <stdlib.h>
#include <string.h>

const char fuzz_name[] = "json";

/* reshape - appends s without whitespace outside strings (pad 0), or with
 * " \n\t" after every structural character outside strings (pad 1). */
static void reshape(struct buf *out, const char *s, size_t len, int pad)
{
	size_t i;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			buf_putc(out, c);
			if (c == '\\' && i + 1 < len)
				buf_putc(out, s[++i]);
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			buf_putc(out, c);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (pad)
				buf_putc(out, c);
			continue;
		}
		buf_putc(out, c);
		if (pad && strchr("[]{}:,", c))
			buf_append(out, " \n\t", 3);
	}
}

/* check_string - raw is an accepted string literal: it decodes, and its
 * bytes survive json_put_string and a second decode. */
static void check_string(const char *raw, size_t len, const char *what)
{
	struct buf dec = BUF_INIT, enc = BUF_INIT, again = BUF_INIT;
	struct json_error je;
	struct json_value v;
	size_t bad;

	fuzz_check(json_decode_string(raw, len, &dec, &je) == 0,
		   "%s: accepted string does not decode: %s", what, je.reason);
	bad = json_put_string(&enc, dec.data ? dec.data : "", dec.len);
	fuzz_check(bad == utf8_count_invalid(dec.data ? dec.data : "", dec.len),
		   "%s: json_put_string replaced %zu sequences, %zu invalid",
		   what, bad, utf8_count_invalid(dec.data ? dec.data : "", dec.len));
	fuzz_check(json_parse(enc.data, enc.len, &v, NULL, &je) == 0 &&
		   v.kind == JSON_STRING,
		   "%s: json_put_string wrote a literal json_parse refuses: %s",
		   what, je.reason);
	fuzz_check(json_decode_string(enc.data, enc.len, &again, &je) == 0,
		   "%s: written literal does not decode: %s", what, je.reason);
	if (bad == 0)
		fuzz_check(again.len == dec.len &&
			   (dec.len == 0 || memcmp(again.data, dec.data, dec.len) == 0),
			   "%s: string changed through json_put_string", what);
	else
		fuzz_check(utf8_valid(again.data ? again.data : "", again.len),
			   "%s: json_put_string let invalid UTF-8 through", what);
	buf_done(&dec);
	buf_done(&enc);
	buf_done(&again);
}

/* same_members - a and b hold the same keys in the same order, values of
 * the same kinds. */
static void same_members(const struct json_object *a, const struct json_object *b,
			 const char *what)
{
	size_t k;

	fuzz_check(a->n == b->n, "%s: %zu members, then %zu", what, a->n, b->n);
	for (k = 0; k < a->n; k++) {
		fuzz_check(a->members[k].key_len == b->members[k].key_len &&
			   memcmp(a->members[k].key, b->members[k].key,
				  a->members[k].key_len) == 0,
			   "%s: key %zu differs", what, k);
		fuzz_check(a->members[k].val.kind == b->members[k].val.kind,
			   "%s: value %zu was %s, then %s", what, k,
			   json_kind_name(a->members[k].val.kind),
			   json_kind_name(b->members[k].val.kind));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct json_object obj = JSON_OBJECT_INIT, obj2 = JSON_OBJECT_INIT;
	struct json_value v, v2;
	struct json_error je = { 0, NULL };
	struct buf b = BUF_INIT;
	int rc;
	size_t k;

	/* any bytes as a string literal */
	rc = json_decode_string(s, size, &b, &je);
	fuzz_check(rc == 0 || rc == PV_EPARSE, "json_decode_string returned %d", rc);
	if (rc == 0)
		fuzz_check(b.len <= size, "decoded %zu bytes from %zu", b.len, size);
	else
		fuzz_check(je.reason && je.offset <= size,
			   "decode error without a reason or past the end (%zu > %zu)",
			   je.offset, size);
	buf_reset(&b);

	je.reason = NULL;
	rc = json_parse(s, size, &v, &obj, &je);
	if (rc != 0) {
		fuzz_check(rc == PV_EPARSE, "json_parse returned %d", rc);
		fuzz_check(je.reason != NULL && je.offset <= size,
			   "parse error without a reason or past the end (%zu > %zu)",
			   je.offset, size);
		json_object_done(&obj);
		buf_done(&b);
		return 0;
	}
	fuzz_check(v.raw >= s && v.raw_len > 0 && v.raw + v.raw_len <= s + size,
		   "value span outside the input");
	fuzz_check(v.kind == JSON_OBJECT || obj.n == 0, "members of a %s",
		   json_kind_name(v.kind));

	/* its own span */
	fuzz_check(json_parse(v.raw, v.raw_len, &v2, &obj2, &je) == 0,
		   "own span refused: %s at %zu", je.reason, je.offset);
	fuzz_check(v2.kind == v.kind && v2.raw == v.raw && v2.raw_len == v.raw_len,
		   "own span read differently");
	same_members(&obj, &obj2, "own span");

	/* without whitespace, and with more */
	for (k = 0; k < 2; k++) {
		buf_reset(&b);
		reshape(&b, v.raw, v.raw_len, (int)k);
		fuzz_check(json_parse(b.data, b.len, &v2, &obj2, &je) == 0,
			   "%s refused: %s at %zu", k ? "padded" : "compacted",
			   je.reason, je.offset);
		fuzz_check(v2.kind == v.kind, "%s: %s became %s",
			   k ? "padded" : "compacted", json_kind_name(v.kind),
			   json_kind_name(v2.kind));
		same_members(&obj, &obj2, k ? "padded" : "compacted");
	}

	if (v.kind == JSON_STRING)
		check_string(v.raw, v.raw_len, "top-level string");
	for (k = 0; k < obj.n; k++) {
		const struct json_value *m = &obj.members[k].val;
		struct buf key = BUF_INIT;
		const struct json_member *got;

		fuzz_check(json_parse(m->raw, m->raw_len, &v2, NULL, &je) == 0 &&
			   v2.kind == m->kind && v2.raw_len == m->raw_len,
			   "member %zu does not re-parse alone as a %s", k,
			   json_kind_name(m->kind));
		if (m->kind == JSON_STRING)
			check_string(m->raw, m->raw_len, "member value");
		got = json_object_get(&obj, obj.members[k].key, obj.members[k].key_len);
		fuzz_check(got != NULL, "member %zu not found by its key", k);
		/* the key, written back and read again */
		buf_putc(&key, '{');
		json_put_string(&key, obj.members[k].key, obj.members[k].key_len);
		buf_puts(&key, ":0}");
		fuzz_check(json_parse(key.data, key.len, &v2, &obj2, &je) == 0 &&
			   obj2.n == 1,
			   "key %zu written back is refused: %s", k, je.reason);
		if (utf8_valid(obj.members[k].key, obj.members[k].key_len))
			fuzz_check(obj2.members[0].key_len == obj.members[k].key_len &&
				   memcmp(obj2.members[0].key, obj.members[k].key,
					  obj.members[k].key_len) == 0,
				   "key %zu changed through json_put_string", k);
		buf_done(&key);
	}
	json_object_done(&obj);
	json_object_done(&obj2);
	buf_done(&b);
	return 0;
}
