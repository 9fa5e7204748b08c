/*
 * jsonw.c - writing JSON: string literals with escapes.
 */
#include "json.h"
#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* put_u - appends the escape \uXXXX of the 16-bit unit u. */
static void put_u(struct buf *b, uint32_t u)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = { '\\', 'u', hex[(u >> 12) & 15], hex[(u >> 8) & 15],
		      hex[(u >> 4) & 15], hex[u & 15] };

	buf_append(b, e, 6);
}

size_t json_put_string(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, bad = 0, run;

	buf_reserve(b, len + 2);
	buf_putc(b, '"');
	while (i < len) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			run = i;
			/* eight bytes at a time while none needs escaping: no
			 * byte < 0x20 or >= 0x7f, no '"' (0x22), no '\\' (0x5c) */
			while (run + 8 <= len) {
				uint64_t w, lo, q, bs, del;
				memcpy(&w, p + run, 8);
				lo = (w - 0x2020202020202020ull) & ~w;
				q = w ^ 0x2222222222222222ull;
				q = (q - 0x0101010101010101ull) & ~q;
				bs = w ^ 0x5c5c5c5c5c5c5c5cull;
				bs = (bs - 0x0101010101010101ull) & ~bs;
				del = w ^ 0x7f7f7f7f7f7f7f7full;
				del = (del - 0x0101010101010101ull) & ~del;
				if ((w | lo | q | bs | del) & 0x8080808080808080ull)
					break;
				run += 8;
			}
			while (run < len && p[run] >= 0x20 && p[run] < 0x7f &&
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
		} else if (run >= 2 && utf8_hidden(utf8_decode(p + i, run))) {
			/* C1 and bidi controls, zero-width characters, U+2028/9:
			 * escaped, so that a terminal showing the JSON shows them
			 * as \u202e and a JavaScript reader takes the line whole */
			uint32_t cp = utf8_decode(p + i, run);
			if (cp > 0xffff) {
				cp -= 0x10000;
				put_u(b, 0xd800 | (cp >> 10));
				put_u(b, 0xdc00 | (cp & 0x3ff));
			} else {
				put_u(b, cp);
			}
			i += run;
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
