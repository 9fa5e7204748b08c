/*
 * test_common.c - the error record, byte buffer, UTF-8 helpers, JSON
 * writer and JSON array walker.
 */
#include "config.h"
#include "../tap.h"
#include "common/pv.h"
#include "common/buf.h"
#include "common/utf8.h"
#include "common/json.h"

#include <stdlib.h>

static void test_err(void)
{
	struct pv_err e;
	char out[256];
	int rc;

	pv_err_clear(&e);
	rc = pv_errf_at(&e, PV_EPARSE, "in.jsonl", 3, 7, "expected '%c'", ':');
	is_int(rc, PV_EPARSE, "pv_errf_at returns its code");
	is_str(pv_err_format(&e, out, sizeof out), "in.jsonl:3:7: expected ':'",
	       "file:line:column: message");
	pv_errf(&e, PV_EIO, "disk on fire");
	is_str(pv_err_format(&e, out, sizeof out), "disk on fire", "no location");
	is_str(pv_strerror(PV_ENOTSTORE), "not a provex store", "code names");
	is_int(pv_errf(NULL, PV_EIO, "x"), PV_EIO, "NULL err is allowed");
}

static void test_buf(void)
{
	struct buf b = BUF_INIT;
	char *p;
	int i;

	is_str(buf_str(&b), "", "empty buffer reads as \"\"");
	buf_reserve(&b, 100);
	is_str(buf_str(&b), "", "a reserved but empty buffer reads as \"\"");
	buf_puts(&b, "abc");
	buf_putc(&b, '\0');
	buf_printf(&b, "%d-%s", 42, "x");
	is_int(b.len, 8, "length counts an embedded NUL");
	is_mem(b.data, b.len, "abc\0" "42-x", 8, "bytes appended in order");
	for (i = 0; i < 100000; i++)
		buf_putc(&b, 'z');
	is_int(b.len, 100008, "grows");
	ok(b.data[b.len] == '\0', "always NUL-terminated");
	buf_reset(&b);
	is_int(b.len, 0, "reset");
	buf_puts(&b, "kept");
	p = buf_take(&b);
	is_str(p, "kept", "take hands over the bytes");
	ok(b.data == NULL && b.len == 0, "take empties the buffer");
	free(p);
	buf_done(&b);
}

static void test_utf8(void)
{
	struct buf b = BUF_INIT;
	size_t n;

	ok(utf8_valid("h\xc3\xa9llo \xe4\xb8\xad\xf0\x9f\x98\x80", 14), "valid UTF-8");
	ok(!utf8_valid("\xff", 1), "0xff is invalid");
	ok(!utf8_valid("\xc0\xaf", 2), "overlong is invalid");
	ok(!utf8_valid("\xed\xa0\x80", 3), "surrogate is invalid");
	ok(!utf8_valid("\xe4\xb8", 2), "truncated sequence is invalid");
	is_int(utf8_count_invalid("a\xff" "b\xfe", 4), 2, "counts invalid bytes");

	n = utf8_sanitize(&b, "a\x1b[2Jb\x07\xff\n\tc\x7f", 12, 0);
	is_str(buf_str(&b), "a^[[2Jb^G\\xff^J c^?", "controls and bad bytes made visible");
	is_int(n, 5, "five placeholders");
	buf_reset(&b);
	utf8_sanitize(&b, "l1\nl2\t\xc2\x9b", 8, SAN_KEEP_NEWLINES);
	is_str(buf_str(&b), "l1\nl2\t<U+009B>", "newlines kept, C1 control as <U+009B>");
	{       /* bidi controls, zero-width characters and separators: the
		 * placeholders of the interface (tui/grid.c), one rule */
		static const char *const hid[] = {
			"\xe2\x80\xae", "\xe2\x80\xaa", "\xe2\x81\xa6", "\xe2\x81\xa9",
			"\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c", "\xe2\x80\x8b",
			"\xe2\x80\x8d", "\xe2\x81\xa0", "\xef\xbb\xbf", "\xe2\x80\xa8",
			"\xe2\x80\xa9", "\xf3\xa0\x80\x81", "\xc2\x85" };
		static const char *const ph[] = {
			"<U+202E>", "<U+202A>", "<U+2066>", "<U+2069>", "<U+200E>",
			"<U+200F>", "<U+061C>", "<U+200B>", "<U+200D>", "<U+2060>",
			"<U+FEFF>", "<U+2028>", "<U+2029>", "<U+E0001>", "<U+0085>" };
		int wrong = 0, wrongj = 0, unsafe = 0;
		size_t k;
		for (k = 0; k < PV_ARRAY_LEN(hid); k++) {
			char in[32], want[48];
			snprintf(in, sizeof in, "a%sb", hid[k]);
			snprintf(want, sizeof want, "a%sb", ph[k]);
			buf_reset(&b);
			n = utf8_sanitize(&b, in, strlen(in), SAN_KEEP_NEWLINES);
			wrong += strcmp(buf_str(&b), want) != 0 ||
				 n != strlen(hid[k]);
			unsafe += !utf8_has_unsafe(in, strlen(in));
			buf_reset(&b);
			json_put_string(&b, in, strlen(in));
			wrongj += strstr(buf_str(&b), hid[k]) != NULL ||
				  !strstr(buf_str(&b), "\\u");
		}
		is_int(wrong, 0, "15 bidi, zero-width, separator and C1 code "
		       "points shown as <U+XXXX>, counted as replaced");
		is_int(unsafe, 0, "utf8_has_unsafe finds each of them");
		is_int(wrongj, 0, "the JSON writer escapes each of them");
		buf_reset(&b);
		json_put_string(&b, "\xe2\x80\xae\xf3\xa0\x80\x81", 7);
		is_str(buf_str(&b), "\"\\u202e\\udb40\\udc01\"",
		       "JSON: U+202E as \\u202e, a tag as a surrogate pair");
		ok(!utf8_has_unsafe("plain \xc3\xa9 \xf0\x9f\x91\x8d\n\t", 15),
		   "letters, emoji, newline and tab are safe");
		ok(utf8_has_unsafe("a\x1b", 2) && utf8_has_unsafe("\xff", 1),
		   "ESC and invalid bytes are not");
		buf_reset(&b);
		utf8_sanitize(&b, "\xe2\x80\xaf\xe2\x80\x94\xc2\xa0", 8, 0);
		is_str(buf_str(&b), "\xe2\x80\xaf\xe2\x80\x94\xc2\xa0",
		       "narrow no-break space, em dash and no-break space pass");
	}
	buf_reset(&b);
	utf8_sanitize(&b, "\xe4\xb8\xad\xf0\x9f\x98\x80", 7, 0);
	is_str(buf_str(&b), "\xe4\xb8\xad\xf0\x9f\x98\x80", "CJK and emoji pass through");
	is_int(utf8_cut("ab\xe2\x94\x80" "cd", 7, 4), 2, "cut before a split character");
	is_int(utf8_cut("ab\xe2\x94\x80" "cd", 7, 5), 5, "cut after a whole character");
	is_int(utf8_cut("abc", 3, 10), 3, "short text kept whole");
	is_int(utf8_cut("\x80\x80\x80\x80\x80", 5, 4), 4, "invalid bytes cut where asked");
	buf_done(&b);
}

/* The one rule of label values (utf8_value_check). */
static void test_value_check(void)
{
	static const char *const bad[] = {
		"a\x1b[31mb", "a\tb", "a\nb", "a\x7f", "a\xc2\x85", "a\xe2\x80\xae" "b",
		"a\xe2\x81\xa6" "b", "a\xe2\x80\x8f" "b", "a\xd8\x9c" "b", "a\xe2\x80\x8b" "b",
		"\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", "a\xef\xbb\xbf" "b",
		"a\xe2\x80\xa8" "b", "a\xe2\x80\xa9" "b", "a\xff" "b", "a\xc0\xaf" "b",
		"a\xed\xa0\x80" "b" };
	struct pv_err e;
	int accepted = 0;
	size_t k;

	for (k = 0; k < PV_ARRAY_LEN(bad); k++)
		accepted += utf8_value_check("v", bad[k], strlen(bad[k]), 100, &e) == 0;
	is_int(accepted, 0, "controls, C1, bidi, zero-width (ZWJ in an emoji "
	       "sequence too), separators and invalid UTF-8 refused");
	is_int(utf8_value_check("the value for source", "ok \xe2\x80\xae!", 7, 100, &e),
	       PV_EINVAL, "U+202E refused with PV_EINVAL");
	ok(strstr(e.msg, "the value for source \"ok <U+202E>!\" holds a bidi "
		  "control (U+202E) at position 4 (character 4)") != NULL,
	   "the message names the value made safe, the kind, code point and "
	   "position: %s", e.msg);
	utf8_value_check("v", "\xc3\xa9\xc3\xa9x\xe2\x80\xa8", 8, 100, &e);
	ok(strstr(e.msg, "line separator (U+2028) at position 6 (character 4)") != NULL,
	   "byte and character positions differ after letters: %s", e.msg);
	utf8_value_check("v", "a\tb", 3, 100, &e);
	ok(strstr(e.msg, "\"a^Ib\" holds a control character (U+0009)") != NULL,
	   "a tab is shown as ^I in the value: %s", e.msg);
	utf8_value_check("v", "ab\xff", 3, 100, &e);
	ok(strstr(e.msg, "not valid UTF-8 (byte 0xff at position 3)") != NULL,
	   "invalid byte named: %s", e.msg);
	utf8_value_check("v", "a\0b", 3, 100, &e);
	ok(strstr(e.msg, "U+0000") != NULL, "an embedded NUL is a control: %s", e.msg);
	is_int(utf8_value_check("v", "abcdef", 6, 5, &e), PV_EINVAL, "over max refused");
	ok(strstr(e.msg, "6 bytes long; at most 5") != NULL, "with both lengths: %s", e.msg);
	is_int(utf8_value_check("v", "abcde", 5, 5, &e), 0, "max itself accepted");
	is_int(utf8_value_check("v", "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x91\x8d "
				"\xc2\xa0x \xd8\xa7", 19, 100, &e), 0,
	       "letters, CJK, emoji, no-break space and Arabic accepted");
	is_int(utf8_value_check("v", "", 0, 100, &e), 0, "empty accepted (clears)");
	{       /* a long hostile value is cut in the message, never raw */
		char big[300];
		memset(big, 'x', sizeof big);
		memcpy(big + 200, "\x1b[2J", 4);
		utf8_value_check("v", big, sizeof big, 1000, &e);
		ok(strlen(e.msg) < 400 && !strchr(e.msg, '\x1b'),
		   "a long value is cut in the message and its ESC shown as ^[");
	}
}

static void test_json_writer(void)
{
	struct buf b = BUF_INIT;
	bool first = true;
	size_t bad;

	bad = json_put_string(&b, "q\"b\\n\n\x01\xff\xc3\xa9", 10);
	is_str(buf_str(&b), "\"q\\\"b\\\\n\\n\\u0001\xef\xbf\xbd\xc3\xa9\"", "escapes");
	is_int(bad, 1, "one invalid byte replaced");
	buf_reset(&b);
	buf_putc(&b, '{');
	json_put_key(&b, &first, "a");
	buf_puts(&b, "1");
	json_put_key(&b, &first, "b");
	buf_puts(&b, "2}");
	is_str(buf_str(&b), "{\"a\":1,\"b\":2}", "keys with commas");
	{       /* the eight-byte fast path finds every byte that needs care */
		static const char *const special[] = { "\"", "\\", "\x01", "\x7f",
						       "\xc3\xa9", "\xff" };
		static const char *const want[] = { "\\\"", "\\\\", "\\u0001", "\\u007f",
						    "\xc3\xa9", "\xef\xbf\xbd" };
		int wrong = 0;
		size_t k, pos;
		for (k = 0; k < PV_ARRAY_LEN(special); k++)
			for (pos = 0; pos < 24; pos++) {
				char in[64], exp[80];
				memset(in, 'x', 32);
				memcpy(in + pos, special[k], strlen(special[k]));
				in[32] = '\0';
				snprintf(exp, sizeof exp, "\"%.*s%s%s\"", (int)pos, in, want[k],
					 in + pos + strlen(special[k]));
				buf_reset(&b);
				json_put_string(&b, in, 32);
				wrong += strcmp(buf_str(&b), exp) != 0;
			}
		is_int(wrong, 0, "escapes found at every offset of a long string");
	}
	buf_reset(&b);
	json_put_string(&b, "a\0b", 3);
	is_str(buf_str(&b), "\"a\\u0000b\"", "NUL escaped");
	buf_done(&b);
}

/* json_array_next: the elements in order with their kinds and spans,
 * nested arrays walked in turn, an empty array, the end given again, and
 * malformed input an error with its position in the array's text. */
static void test_json_array(void)
{
	static const char js[] = " [1, \"a,]\" ,[[2], []], {\"k\": [3]} ,null ] ";
	struct json_value top, e, in, in2;
	struct json_error je;
	struct buf got = BUF_INIT;
	size_t pos = 0, ipos, n = 0;
	int rc;

	is_int(json_parse(js, sizeof js - 1, &top, NULL, NULL), 0, "the array parses");
	while ((rc = json_array_next(&top, &pos, &e, NULL)) == 1) {
		buf_printf(&got, "%s:%.*s|", json_kind_name(e.kind), (int)e.raw_len, e.raw);
		if (e.kind == JSON_ARRAY) {       /* [[2], []]: walk it, and [2] in it */
			ipos = 0;
			while (json_array_next(&e, &ipos, &in, NULL) == 1) {
				size_t p2 = 0;
				buf_printf(&got, "(%.*s", (int)in.raw_len, in.raw);
				while (json_array_next(&in, &p2, &in2, NULL) == 1)
					buf_printf(&got, " %s %.*s", json_kind_name(in2.kind),
						   (int)in2.raw_len, in2.raw);
				buf_puts(&got, ")");
			}
		}
		n++;
	}
	is_int(rc, 0, "the walk ends with 0");
	is_int((int)n, 5, "five elements");
	is_str(buf_str(&got), "number:1|string:\"a,]\"|array:[[2], []]|([2] number 2)([])"
	       "object:{\"k\": [3]}|null:null|", "each element's kind and span, nested ones too");
	is_int(json_array_next(&top, &pos, &e, NULL), 0, "asked again: still the end");

	json_parse("[ ]", 3, &top, NULL, NULL);
	pos = 0;
	is_int(json_array_next(&top, &pos, &e, NULL), 0, "an empty array has no element");

	/* malformed: spans a caller built (json_parse would have refused them) */
	top.kind = JSON_ARRAY;
	top.raw = "[1, tru, 3]";
	top.raw_len = strlen(top.raw);
	pos = 0;
	je.reason = NULL;
	is_int(json_array_next(&top, &pos, &e, &je), 1, "the first element is read");
	is_int(json_array_next(&top, &pos, &e, &je), PV_EPARSE, "a bad literal is an error");
	is_int((int)je.offset, 4, "at its position in the array's text");
	is_str(je.reason, "invalid literal", "and says why");

	top.raw = "[1 2]";
	top.raw_len = 5;
	pos = 0;
	json_array_next(&top, &pos, &e, &je);
	is_int(json_array_next(&top, &pos, &e, &je), PV_EPARSE, "a missing comma is an error");
	is_int((int)je.offset, 3, "at the element after it");
	is_str(je.reason, "expected ',' or ']'", "expected a comma or the end");

	top.raw = "[[1, 2], {\"a\": }]";
	top.raw_len = strlen(top.raw);
	pos = 0;
	json_array_next(&top, &pos, &e, &je);
	is_int(json_array_next(&top, &pos, &e, &je), PV_EPARSE, "a bad nested object is an error");
	is_int((int)je.offset, 15, "at the byte inside it");

	top.raw = "[1, [2, 3";
	top.raw_len = strlen(top.raw);
	pos = 0;
	json_array_next(&top, &pos, &e, &je);
	is_int(json_array_next(&top, &pos, &e, &je), PV_EPARSE, "an unterminated array is an error");
	is_int((int)je.offset, 9, "at its end");

	top.raw = "[1,";
	top.raw_len = 3;
	pos = 0;
	json_array_next(&top, &pos, &e, &je);
	is_int(json_array_next(&top, &pos, &e, &je), PV_EPARSE, "a dangling comma is an error");

	top.kind = JSON_OBJECT;
	top.raw = "{}";
	top.raw_len = 2;
	pos = 0;
	is_int(json_array_next(&top, &pos, &e, &je), PV_EPARSE, "an object is not an array");
	is_int((int)je.offset, 0, "at its start");
	buf_done(&got);
}

int main(void)
{
	test_err();
	test_buf();
	test_utf8();
	test_value_check();
	test_json_writer();
	test_json_array();
	return tap_done();
}
