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

size_t utf8_sanitize(struct buf *out, const char *s, size_t len, int flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, replaced = 0;
	char tmp[16];

	buf_reserve(out, len);
	while (i < len) {
		unsigned char c = p[i];
		size_t n;

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
		if (n == 2 && c == 0xc2 && p[i + 1] < 0xa0) {
			/* C1 control (U+0080..U+009F): would act on some terminals */
			snprintf(tmp, sizeof tmp, "\\u%04x", p[i + 1]);
			buf_puts(out, tmp);
			replaced++;
			i += 2;
			continue;
		}
		buf_append(out, s + i, n);
		i += n;
	}
	return replaced;
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
