/*
 * test_texthash.c - store/texthash.c: texts found by hash in memory while
 * a first load has no texts_hash index.
 */
#include "config.h"
#include "../tap.h"
#include "../../store/texthash.h"
#include "../../common/pv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A deterministic 16-byte hash for text number i (splitmix64). */
static void hash_of(uint64_t i, unsigned char h[16])
{
	uint64_t z, k;

	for (k = 0; k < 2; k++) {
		z = (i * 2 + k + 1) * UINT64_C(0x9E3779B97F4A7C15);
		z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
		z ^= z >> 31;
		memcpy(h + 8 * k, &z, 8);
	}
}

/* The ids texthash_next gives for h, as a count, and whether want is one. */
static int candidates(struct texthash *th, const unsigned char h[16],
		      int64_t want, int *found)
{
	size_t pos = 0;
	int64_t id;
	int n = 0;

	*found = 0;
	while ((id = texthash_next(th, h, &pos))) {
		n++;
		if (id == want)
			*found = 1;
	}
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Of texts 1..n, the ordered pairs of two that share their first 4 bytes
 * of hash (each is a candidate of the other's lookup), counted by sorting. */
static int64_t shared_pairs(int64_t n)
{
	uint32_t *p = malloc((size_t)n * sizeof *p);
	unsigned char h[16];
	int64_t i, j, pairs = 0;

	if (!p)
		return -1;
	for (i = 0; i < n; i++) {
		hash_of((uint64_t)i + 1, h);
		memcpy(&p[i], h, 4);
	}
	qsort(p, (size_t)n, sizeof *p, cmp_u32);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && p[j] == p[i]; j++)
			;
		pairs += (j - i) * (j - i - 1);
	}
	free(p);
	return pairs;
}

static void test_many(void)
{
	enum { N = 200000 };
	struct texthash *th;
	unsigned char h[16];
	int64_t i, missing = 0, extra = 0, strangers = 0;
	int found;

	ok(texthash_new(&th) == 0, "a new table");
	ok(texthash_max_id(th) == 0, "an empty table has no ids");
	hash_of(1, h);
	ok(candidates(th, h, 1, &found) == 0, "... and no candidates");
	/* it grows from 4,096 slots through many rebuilds */
	for (i = 1; i <= N; i++) {
		hash_of((uint64_t)i, h);
		if (texthash_add(th, h, i))
			break;
	}
	is_int(i, N + 1, "%d texts added", N);
	is_int(texthash_max_id(th), N, "the highest id");
	for (i = 1; i <= N; i++) {
		int n;
		hash_of((uint64_t)i, h);
		n = candidates(th, h, i, &found);
		missing += !found;
		extra += n - found;
	}
	is_int(missing, 0, "every text is found by its hash");
	is_int(extra, shared_pairs(N), "and the texts sharing its first 4 bytes");
	/* texts never added: a candidate is only ever a text sharing the
	 * first 4 bytes (about one in the 20,000 lookups: 20,000 * 200,000 /
	 * 2^32) */
	extra = 0;
	for (i = N + 1; i <= N + 20000; i++) {
		size_t pos = 0;
		int64_t id;
		hash_of((uint64_t)i, h);
		while ((id = texthash_next(th, h, &pos))) {
			unsigned char o[16];
			hash_of((uint64_t)id, o);
			strangers++;
			extra += memcmp(o, h, 4) != 0;
		}
	}
	is_int(extra, 0, "texts never added: no candidate that does not share 4 bytes");
	ok(strangers <= 8, "... and few that do (%lld)", (long long)strangers);
	ok(texthash_bytes(th) < (size_t)N * 20, "about 10 bytes a text (%zu for %d)",
	   texthash_bytes(th), N);

	/* a rollback took back ids above 150,000 */
	ok(texthash_truncate(th, 150000) == 0, "truncated");
	is_int(texthash_max_id(th), 150000, "the highest id is the one kept");
	missing = extra = 0;
	for (i = 1; i <= N; i++) {
		hash_of((uint64_t)i, h);
		candidates(th, h, i, &found);
		if (i <= 150000)
			missing += !found;
		else
			extra += found;
	}
	is_int(missing, 0, "the ids kept are all found");
	is_int(extra, 0, "the ids taken back are not");
	/* the same ids come back with other texts, as SQLite reuses them */
	for (i = 150001; i <= N; i++) {
		hash_of((uint64_t)i + 1000000, h);
		texthash_add(th, h, i);
	}
	hash_of(150001 + 1000000, h);
	candidates(th, h, 150001, &found);
	ok(found, "an id taken back and given again is found by its new text");
	hash_of(150001, h);
	candidates(th, h, 150001, &found);
	ok(!found, "... and not by its old one");
	texthash_free(th);
}

static void test_edges(void)
{
	struct texthash *th;
	unsigned char a[16], b[16];
	int found, n;

	ok(texthash_new(&th) == 0, "a new table");
	hash_of(7, a);
	memcpy(b, a, sizeof b);     /* the same first 4 bytes, another text */
	b[15] ^= 0xff;
	ok(texthash_add(th, a, 3) == 0 && texthash_add(th, b, 9) == 0,
	   "two texts sharing 4 bytes of hash");
	n = candidates(th, a, 3, &found);
	ok(n == 2 && found, "both are candidates for either (%d)", n);
	/* ids with gaps: 3 and 9, none between */
	ok(texthash_truncate(th, 5) == 0, "truncated between them");
	n = candidates(th, a, 3, &found);
	ok(n == 1 && found, "the gap holds nothing: only 3 is left (%d)", n);
	ok(texthash_add(th, a, 3) == 0, "adding an id again is harmless");
	n = candidates(th, a, 3, &found);
	is_int(n, 1, "... and does not make it a candidate twice");
	is_int(texthash_add(th, a, 0), PV_EINVAL, "id 0 is refused");
	is_int(texthash_add(th, a, TEXTHASH_MAX_ID + 1), PV_EINVAL,
	       "an id beyond 32 bits is refused");
	ok(texthash_truncate(th, 0) == 0 && texthash_max_id(th) == 0,
	   "truncated to nothing");
	is_int(candidates(th, a, 3, &found), 0, "... nothing is found");
	texthash_free(th);
	texthash_free(NULL);
	ok(1, "freeing NULL does nothing");
}

int main(void)
{
	test_many();
	test_edges();
	return tap_done();
}
