/*
 * jsonw.c - writing JSON: string literals with escapes.
 */
#include "json.h"
#include "utf8.h"

#include <stdint.h>
#include <string.h>

size_t json_put_string(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, bad = 0, run;

	buf_reserve(b, len + 2);
	buf_putc(b, '"');
	while (i < len) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			run = i;
			/* eight bytes at a time while none needs escaping: no
			 * byte < 0x20 or >= 0x80, no '"' (0x22), no '\\' (0x5c) */
			while (run + 8 <= len) {
				uint64_t w, lo, q, bs;
				memcpy(&w, p + run, 8);
				lo = (w - 0x2020202020202020ull) & ~w;
				q = w ^ 0x2222222222222222ull;
				q = (q - 0x0101010101010101ull) & ~q;
				bs = w ^ 0x5c5c5c5c5c5c5c5cull;
				bs = (bs - 0x0101010101010101ull) & ~bs;
				if ((w | lo | q | bs) & 0x8080808080808080ull)
					break;
				run += 8;
			}
			while (run < len && p[run] >= 0x20 && p[run] < 0x80 &&
			       p[run] != '"' && p[run] != '\\')
				run++;
			buf_append(b, s + i, run - i);
			i = run;
			continue;
		}
		if (c < 0x80) {
			switch (c) {
			case '"': buf_puts(b, "\\\""); break;
			case '\\': buf_puts(b, "\\\\"); break;
			case '\n': buf_puts(b, "\\n"); break;
			case '\t': buf_puts(b, "\\t"); break;
			case '\r': buf_puts(b, "\\r"); break;
			case '\b': buf_puts(b, "\\b"); break;
			case '\f': buf_puts(b, "\\f"); break;
			default: {
				char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				buf_append(b, u, 6);
			}
			}
			i++;
			continue;
		}
		run = utf8_seq_len(p + i, len - i);
		if (run == 0) {
			buf_puts(b, "\xef\xbf\xbd");
			bad++;
			i++;
		} else {
			buf_append(b, s + i, run);
			i += run;
		}
	}
	buf_putc(b, '"');
	return bad;
}

void json_put_key(struct buf *b, bool *first, const char *key)
{
	if (!*first)
		buf_putc(b, ',');
	*first = false;
	json_put_string(b, key, strlen(key));
	buf_putc(b, ':');
}
