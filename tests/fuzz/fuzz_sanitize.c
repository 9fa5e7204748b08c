/*
 * fuzz_sanitize.c - the terminal sanitisers: utf8_sanitize()
 * (common/utf8.c, used by the command line) and glyph_next() (tui/grid.c,
 * every cell of the interface), with utf8_cut() and utf8_fit().
 *
 * Properties, for any bytes:
 *  - utf8_sanitize's output is valid UTF-8 and holds no C0 control (except
 *    '\n' and '\t' under SAN_KEEP_NEWLINES), no DEL, no C1 control, and no
 *    code point that reorders or hides text (bidi controls, zero-width
 *    format characters, U+2028/U+2029: the list of tui/grid.c) when the
 *    sanitiser is one that replaces them (it is probed once: see
 *    hides_bidi); it returns 0 only when the output is the input (under
 *    SAN_KEEP_NEWLINES), and printable ASCII passes unchanged;
 *  - glyph_next takes 1 or more bytes, never past the end; a placeholder
 *    is printable ASCII, anything else is exactly the bytes it stands for,
 *    valid UTF-8, none of the above code points, 0 to 2 columns wide;
 *  - utf8_has_unsafe is true exactly when utf8_sanitize replaces
 *    something (SAN_KEEP_NEWLINES); utf8_value_check takes exactly the
 *    valid UTF-8 values of at most max bytes without a control or one of
 *    the code points above, and its message is safe to print; utf8_hidden
 *    is the list above, and every placeholder is printable ASCII;
 *  - utf8_cut never ends inside a character nor goes past max; utf8_fit
 *    keeps valid UTF-8 valid and never writes more than max characters.
 */
#include "fuzz.h"
#include "../../common/pv.h"
#include "../../common/buf.h"
#include "../../common/utf8.h"
#include "../../tui/grid.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char fuzz_name[] = "sanitize";

/* Code points that must never reach a terminal as themselves: C1 controls
 * and what reorders or hides text (tui/grid.c's hidden[], the reference). */
static const struct { uint32_t lo, hi; } unsafe[] = {
	{ 0x0080, 0x009f },      /* C1 controls */
	{ 0x061c, 0x061c },      /* Arabic letter mark */
	{ 0x180e, 0x180e },      /* Mongolian vowel separator */
	{ 0x200b, 0x200f },      /* zero-width space, (non-)joiner, LRM, RLM */
	{ 0x2028, 0x202e },      /* line/paragraph separator, embeddings, overrides */
	{ 0x2060, 0x206f },      /* word joiner, invisible operators, isolates */
	{ 0xfeff, 0xfeff },      /* zero-width no-break space (BOM) */
	{ 0xfff9, 0xfffb },      /* interlinear annotation */
	{ 0x13430, 0x1343f },    /* Egyptian hieroglyph format controls */
	{ 0x1bca0, 0x1bca3 },    /* shorthand format controls */
	{ 0x1d173, 0x1d17a },    /* musical symbol format controls */
	{ 0xe0000, 0xe007f },    /* tag characters */
};

/* unsafe_cp - whether cp is in unsafe[] (C1 only when c1_only). */
static int unsafe_cp(uint32_t cp, int c1_only)
{
	size_t k, n = c1_only ? 1 : sizeof unsafe / sizeof *unsafe;

	for (k = 0; k < n; k++)
		if (cp >= unsafe[k].lo && cp <= unsafe[k].hi)
			return 1;
	return 0;
}

/* decode - the code point of the valid n-byte sequence at p. */
static uint32_t decode(const unsigned char *p, size_t n)
{
	switch (n) {
	case 1:
		return p[0];
	case 2:
		return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	case 3:
		return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
		       (p[2] & 0x3f);
	default:
		return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
		       (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
	}
}

/* check_safe - s is valid UTF-8 with none of the code points above (C1
 * only, when !all) and no control but '\n' and '\t' when keep allows. */
static void check_safe(const char *s, size_t len, int keep, int all, const char *what)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] < 0x80) {
			fuzz_check(p[i] >= 0x20 && p[i] != 0x7f ? 1 :
				   keep && (p[i] == '\n' || p[i] == '\t'),
				   "%s: control byte 0x%02x at %zu of the output", what,
				   p[i], i);
			i++;
			continue;
		}
		n = utf8_seq_len(p + i, len - i);
		fuzz_check(n > 0, "%s: invalid UTF-8 at %zu of the output", what, i);
		fuzz_check(!unsafe_cp(decode(p + i, n), !all),
			   "%s: U+%04X at %zu of the output", what,
			   (unsigned)decode(p + i, n), i);
		i += n;
	}
}

/* hides_bidi - whether utf8_sanitize replaces U+202E (probed once): the
 * command line's sanitiser is being extended to the interface's rules
 * (issue 11, part 6); until then only its C0/C1/UTF-8 rules are checked. */
static int hides_bidi(void)
{
	static int known = -1;

	if (known < 0) {
		struct buf b = BUF_INIT;

		utf8_sanitize(&b, "\xe2\x80\xae", 3, 0);
		known = !(b.len == 3 && memcmp(b.data, "\xe2\x80\xae", 3) == 0);
		if (!known)
			fprintf(stderr, "fuzz_sanitize: utf8_sanitize passes U+202E: "
				"bidi and zero-width rules not checked for it\n");
		buf_done(&b);
	}
	return known;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int flags[] = { 0, SAN_KEEP_NEWLINES, SAN_ONE_LINE };
	static int inited;
	const char *s = (const char *)data;
	struct buf out = BUF_INIT;
	size_t k, i, ascii = 1;

	if (!inited) {
		setlocale(LC_ALL, "C.UTF-8");
		inited = 1;
	}
	for (i = 0; i < size; i++)
		if (data[i] < 0x20 || data[i] >= 0x7f)
			ascii = 0;
	for (k = 0; k < sizeof flags / sizeof *flags; k++) {
		size_t replaced;

		buf_reset(&out);
		replaced = utf8_sanitize(&out, s, size, flags[k]);
		check_safe(out.data ? out.data : "", out.len,
			   flags[k] & SAN_KEEP_NEWLINES, hides_bidi(), "utf8_sanitize");
		fuzz_check(replaced <= size, "utf8_sanitize replaced %zu of %zu bytes",
			   replaced, size);
		if (replaced == 0 && (flags[k] & SAN_KEEP_NEWLINES))
			fuzz_check(out.len == size &&
				   (size == 0 || memcmp(out.data, s, size) == 0),
				   "utf8_sanitize changed the text and says it replaced nothing");
		if (ascii)
			fuzz_check(out.len == size && replaced == 0 &&
				   (size == 0 || memcmp(out.data, s, size) == 0),
				   "printable ASCII changed");
	}

	/* utf8_has_unsafe: what utf8_sanitize would replace, '\n' and '\t'
	 * apart */
	{
		size_t replaced;

		buf_reset(&out);
		replaced = utf8_sanitize(&out, s, size, SAN_KEEP_NEWLINES);
		fuzz_check(utf8_has_unsafe(s, size) == (replaced > 0),
			   "utf8_has_unsafe says %d, utf8_sanitize replaced %zu bytes",
			   (int)utf8_has_unsafe(s, size), replaced);
	}

	/* utf8_value_check: accepts exactly valid UTF-8 of at most max bytes
	 * with no control (tab and newline included) and no unsafe[] code
	 * point; its message is safe to print */
	{
		struct pv_err err;
		size_t max = size > 0 ? (size_t)data[0] * 2 : 0;
		int want = size <= max, rc;

		i = 0;
		while (want && i < size) {
			size_t n = data[i] < 0x80 ? 1 : utf8_seq_len(data + i, size - i);

			if (n == 0 || (n == 1 && (data[i] < 0x20 || data[i] == 0x7f)) ||
			    (n > 1 && unsafe_cp(decode(data + i, n), 0)))
				want = 0;
			i += n ? n : 1;
		}
		rc = utf8_value_check("the value", s, size, max, &err);
		fuzz_check((rc == 0) == want, "utf8_value_check returned %d for a value "
			   "it should %s (%zu bytes, max %zu)", rc, want ? "take" : "refuse",
			   size, max);
		if (rc) {
			fuzz_check(rc == PV_EINVAL, "utf8_value_check returned %d", rc);
			check_safe(err.msg, strlen(err.msg), 0, 1, "utf8_value_check's message");
		}
	}

	/* placeholders of the unsafe code points are printable ASCII */
	if (size >= 3) {
		char ph[16];
		uint32_t cp = ((uint32_t)data[0] << 16 | (uint32_t)data[1] << 8 | data[2]) % 0x110000;
		size_t n = utf8_placeholder(ph, cp), j;

		fuzz_check(n == strlen(ph) && n >= 8 && n <= 10, "placeholder of U+%04X: %zu bytes",
			   (unsigned)cp, n);
		for (j = 0; j < n; j++)
			fuzz_check(ph[j] > 0x20 && ph[j] < 0x7f, "placeholder of U+%04X holds 0x%02x",
				   (unsigned)cp, (unsigned char)ph[j]);
		fuzz_check(utf8_hidden(cp) == (unsafe_cp(cp, 0) != 0),
			   "utf8_hidden(U+%04X) is %d", (unsigned)cp, (int)utf8_hidden(cp));
	}

	/* the interface's glyphs */
	for (i = 0; i < size;) {
		struct glyph g;
		size_t tl;

		glyph_next(s + i, size - i, &g);
		tl = strnlen(g.text, sizeof g.text);
		fuzz_check(tl < sizeof g.text, "glyph text not terminated");
		fuzz_check(g.bytes >= 1 && g.bytes <= size - i,
			   "glyph of %zu bytes at %zu of %zu", g.bytes, i, size);
		if (g.placeholder) {
			size_t j;

			for (j = 0; j < tl; j++)
				fuzz_check(g.text[j] >= 0x20 && g.text[j] < 0x7f,
					   "placeholder byte 0x%02x at %zu",
					   (unsigned char)g.text[j], i);
		} else if (g.tab) {
			fuzz_check(data[i] == '\t', "tab glyph for 0x%02x", data[i]);
		} else {
			fuzz_check(tl == g.bytes && memcmp(g.text, s + i, tl) == 0,
				   "glyph at %zu is not its bytes", i);
			fuzz_check(g.width >= 0 && g.width <= 2, "glyph width %d", g.width);
			check_safe(g.text, tl, 0, 1, "glyph_next");
		}
		i += g.bytes;
	}

	/* cutting and fitting */
	if (size > 0) {
		size_t max = data[0] % 64, cut = utf8_cut(s, size, max);
		size_t chars;

		fuzz_check(cut <= max && cut <= size, "utf8_cut %zu past %zu", cut, max);
		if (utf8_valid(s, size)) {
			fuzz_check(utf8_valid(s, cut), "utf8_cut split a character at %zu", cut);
			buf_reset(&out);
			utf8_fit(&out, s, size, max, data[0] & 64 ? FIT_MIDDLE : FIT_END,
				 "\xe2\x80\xa6");
			chars = utf8_chars(out.data ? out.data : "", out.len);
			fuzz_check(utf8_valid(out.data ? out.data : "", out.len),
				   "utf8_fit wrote invalid UTF-8");
			fuzz_check(chars <= max || chars == utf8_chars(s, size),
				   "utf8_fit wrote %zu characters, max %zu", chars, max);
		}
	}
	buf_done(&out);
	return 0;
}
