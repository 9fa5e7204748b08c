/*
 * utf8.c - UTF-8 validation and safe display.
 */
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t utf8_seq_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0) {
		if (avail < 2 || (p[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c < 0xf0) {
		if (avail < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;         /* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0;         /* surrogate */
		return 3;
	}
	if (c < 0xf5) {
		if (avail < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;         /* overlong */
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;         /* above U+10FFFF */
		return 4;
	}
	return 0;
}

bool utf8_valid(const char *s, size_t len)
{
	return utf8_count_invalid(s, len) == 0;
}

size_t utf8_count_invalid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, bad = 0;

	while (i < len) {
		size_t n;
		/* ASCII runs, eight bytes at a time */
		while (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq_len(p + i, len - i);
		if (n == 0) {
			bad++;
			n = 1;
		}
		i += n;
	}
	return bad;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, back = 0;

	if (len <= max)
		return len;
	n = max;
	/* step back over continuation bytes to the start of the character */
	while (n > 0 && back < 3 && (p[n] & 0xc0) == 0x80) {
		n--;
		back++;
	}
	return (p[n] & 0xc0) == 0x80 ? max : n;
}

/* Code points shown as placeholders wherever text reaches a terminal
 * (utf8_sanitize here, glyph_next in the interface): they are invisible
 * and can reorder text (bidi), hide it (zero-width, tags) or break lines
 * (U+2028/U+2029).  Sorted, inclusive ranges. */
static const struct { uint32_t lo, hi; } hidden[] = {
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

bool utf8_hidden(uint32_t cp)
{
	size_t lo = 0, hi = sizeof hidden / sizeof hidden[0];

	if (cp < hidden[0].lo)
		return false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < hidden[mid].lo)
			hi = mid;
		else if (cp > hidden[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

uint32_t utf8_decode(const unsigned char *p, size_t n)
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

size_t utf8_placeholder(char *out, uint32_t cp)
{
	static const char hex[] = "0123456789ABCDEF";
	int digits = cp > 0xfffff ? 6 : cp > 0xffff ? 5 : 4, i;
	size_t n = 0;

	out[n++] = '<';
	out[n++] = 'U';
	out[n++] = '+';
	for (i = digits - 1; i >= 0; i--)
		out[n++] = hex[(cp >> (4 * i)) & 0xf];
	out[n++] = '>';
	out[n] = '\0';
	return n;
}

size_t utf8_sanitize(struct buf *out, const char *s, size_t len, int flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, replaced = 0;
	char tmp[16];

	buf_reserve(out, len);
	while (i < len) {
		unsigned char c = p[i];
		size_t n;
		uint32_t cp;

		if (c >= 0x20 && c < 0x7f) {
			size_t j = i;
			while (j < len && p[j] >= 0x20 && p[j] < 0x7f)
				j++;
			buf_append(out, s + i, j - i);
			i = j;
			continue;
		}
		if (c == '\n' && (flags & SAN_KEEP_NEWLINES)) {
			buf_putc(out, '\n');
			i++;
			continue;
		}
		if (c == '\t') {
			if (flags & SAN_KEEP_NEWLINES)
				buf_putc(out, '\t');
			else
				buf_putc(out, ' ');
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			tmp[0] = '^';
			tmp[1] = c == 0x7f ? '?' : (char)(c + '@');
			buf_append(out, tmp, 2);
			replaced++;
			i++;
			continue;
		}
		n = utf8_seq_len(p + i, len - i);
		if (n == 0) {
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
			buf_puts(out, tmp);
			replaced++;
			i++;
			continue;
		}
		cp = utf8_decode(p + i, n);
		if (utf8_hidden(cp)) {
			/* C1 controls act on some terminals; bidi controls,
			 * zero-width characters and separators reorder, hide
			 * or break what is shown */
			buf_append(out, tmp, utf8_placeholder(tmp, cp));
			replaced += n;
			i += n;
			continue;
		}
		buf_append(out, s + i, n);
		i += n;
	}
	return replaced;
}

bool utf8_has_unsafe(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if ((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n' || p[i] == '\t') {
			i++;
			continue;
		}
		if (p[i] < 0x80)
			return true;
		n = utf8_seq_len(p + i, len - i);
		if (n == 0 || utf8_hidden(utf8_decode(p + i, n)))
			return true;
		i += n;
	}
	return false;
}

size_t utf8_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0, k;

	while (i < len) {
		k = p[i] < 0x80 ? 1 : utf8_seq_len(p + i, len - i);
		i += k ? k : 1;
		n++;
	}
	return n;
}

/* The byte offset of character number nth of s (len when s has fewer),
 * counting as utf8_chars does. */
static size_t char_offset(const char *s, size_t len, size_t nth)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < len && nth-- > 0) {
		k = p[i] < 0x80 ? 1 : utf8_seq_len(p + i, len - i);
		i += k ? k : 1;
	}
	return i;
}

bool utf8_fit(struct buf *out, const char *s, size_t len, size_t max, int how,
	      const char *ellipsis)
{
	size_t n = utf8_chars(s, len), ew = utf8_chars(ellipsis, strlen(ellipsis));
	size_t keep, head, tail;

	if (n <= max) {
		buf_append(out, s, len);
		return false;
	}
	if (max <= ew) {
		buf_append(out, s, char_offset(s, len, max));
		return true;
	}
	keep = max - ew;
	head = how == FIT_MIDDLE ? keep / 3 : keep;
	tail = keep - head;
	buf_append(out, s, char_offset(s, len, head));
	buf_puts(out, ellipsis);
	if (tail) {
		size_t from = char_offset(s, len, n - tail);
		buf_append(out, s + from, len - from);
	}
	return true;
}

/* What kind of character cp is, for value_check's message. */
static const char *kind_of(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return "control character";
	if (cp >= 0x80 && cp <= 0x9f)
		return "C1 control character";
	if (cp == 0x2028)
		return "line separator";
	if (cp == 0x2029)
		return "paragraph separator";
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return "bidi control";
	if ((cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff ||
	    cp == 0x180e)
		return "zero-width character";
	return "invisible format character";
}

int utf8_value_check(const char *what, const char *s, size_t len, size_t max,
		     struct pv_err *err)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf shown = BUF_INIT, cut = BUF_INIT;
	size_t i = 0, chars = 0, n = 0;
	uint32_t cp = 0;
	int bad = 0;          /* 1 invalid UTF-8, 2 a refused code point */
	int rc = 0;

	while (i < len) {
		chars++;
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			i++;
			continue;
		}
		n = utf8_seq_len(p + i, len - i);
		if (n == 0) {
			bad = 1;
			break;
		}
		cp = utf8_decode(p + i, n);
		if (cp < 0x20 || cp == 0x7f || utf8_hidden(cp)) {
			bad = 2;
			break;
		}
		i += n;
	}
	if (!bad && len <= max)
		return 0;
	{       /* a tab shown as ^I, not as the space utf8_sanitize makes it */
		size_t from = 0, to, end = PV_MIN(len, 512);
		while (from < end) {
			const char *tab = memchr(s + from, '\t', end - from);
			to = tab ? (size_t)(tab - s) : end;
			utf8_sanitize(&shown, s + from, to - from, SAN_ONE_LINE);
			if (tab)
				buf_puts(&shown, "^I");
			from = to + (tab ? 1 : 0);
		}
	}
	utf8_fit(&cut, buf_str(&shown), shown.len, 60, FIT_END, "...");
	if (bad == 1)
		rc = pv_errf(err, PV_EINVAL, "%s \"%s\" is not valid UTF-8 (byte "
			     "0x%02x at position %zu): values are UTF-8 text", what,
			     buf_str(&cut), p[i], i + 1);
	else if (bad == 2)
		rc = pv_errf(err, PV_EINVAL, "%s \"%s\" holds a %s (U+%04X) at "
			     "position %zu (character %zu): values are one line of "
			     "visible text, without control characters, bidi "
			     "controls, zero-width characters or line "
			     "separators", what, buf_str(&cut), kind_of(cp),
			     (unsigned)cp, i + 1, chars);
	else
		rc = pv_errf(err, PV_EINVAL, "%s \"%s\" is %zu bytes long; at "
			     "most %zu are allowed", what, buf_str(&cut), len, max);
	buf_done(&shown);
	buf_done(&cut);
	return rc;
}
