/*
 * words.c - counting words as words.h defines them.
 */
#include "words.h"

#include <stdbool.h>

/* A word starts at each non-space byte that follows a space (or the
 * start). */
int64_t pv_count_words(const char *s, size_t len)
{
	static unsigned char space[256];
	static bool ready;
	const unsigned char *p = (const unsigned char *)s;
	int64_t n = 0;
	unsigned prev = 1;
	size_t i;

	if (!ready) {       /* benign race: every thread writes the same bytes */
		space[' '] = space['\n'] = space['\t'] = space['\r'] = 1;
		space['\f'] = space['\v'] = 1;
		ready = true;
	}
	for (i = 0; i < len; i++) {
		unsigned sp = space[p[i]];
		n += prev & (sp ^ 1);
		prev = sp;
	}
	return n;
}
