/*
 * minhash.c - word shingles, MinHash signatures and their banding (see
 * minhash.h for the definitions).  Pure computation: no store, no I/O, no
 * global state beyond the table of hash constants, built once.
 */
#include "minhash.h"
#include "../common/pv.h"
#include "../common/mix.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define WORD_SEED 0x70726f7665782d77ULL     /* "provex-w" */
#define PERM_SEED 0x70726f7665782d70ULL     /* "provex-p" */
#define BAND_SEED 0x70726f7665782d62ULL     /* "provex-b" */
#define WORD_CHUNK 256                      /* bytes of a word hashed at once */
#define BUCKET_CAP 1000
#define SIGN_GROUP 16                       /* shingles folded in at once */

/* The hash functions' constants: a_i odd.  Built once. */
static uint32_t perm_a[MINHASH_K], perm_b[MINHASH_K];
static pthread_once_t perm_once = PTHREAD_ONCE_INIT;
/* ASCII letters and digits lowercased, other ASCII bytes 0 (separators),
 * bytes >= 0x80 as they are (see unicode_separator).  Built by perm_init. */
static unsigned char lower[256];

/* The running minima of a signature and the shingles waiting to be folded
 * into them. */
struct sign_state {
	uint32_t m[MINHASH_K];
	uint32_t x[SIGN_GROUP];
	size_t nx;
};

static void flush_plain(struct sign_state *s);
static void (*sign_flush)(struct sign_state *s) = flush_plain;

/* Folds the waiting shingles into the minima, one hash function at a
 * time (each function's constants and minimum are loaded once). */
static void flush_plain(struct sign_state *s)
{
	size_t nx = s->nx, k;
	int i;

	for (i = 0; i < MINHASH_K; i++) {
		uint32_t a = perm_a[i], b = perm_b[i], m = s->m[i];
		for (k = 0; k < nx; k++) {
			uint32_t v = s->x[k] * a + b;
			m = v < m ? v : m;
		}
		s->m[i] = m;
	}
	s->nx = 0;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* The same arithmetic, eight hash functions per instruction; chosen at run
 * time on processors that have AVX2 (the results are identical). */
__attribute__((target("avx2")))
static void flush_avx2(struct sign_state *s)
{
	size_t nx = s->nx, k;
	int i;

	for (i = 0; i < MINHASH_K; i += 8) {
		__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(perm_a + i));
		__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(perm_b + i));
		__m256i m = _mm256_loadu_si256((const __m256i *)(const void *)(s->m + i));
		for (k = 0; k < nx; k++) {
			__m256i v = _mm256_mullo_epi32(a, _mm256_set1_epi32((int)s->x[k]));
			m = _mm256_min_epu32(m, _mm256_add_epi32(v, b));
		}
		_mm256_storeu_si256((__m256i *)(void *)(s->m + i), m);
	}
	s->nx = 0;
}
#endif

static void perm_init(void)
{
	uint64_t x = PERM_SEED;
	int i;

	for (i = 0; i < 256; i++)
		lower[i] = (unsigned char)((i >= 'A' && i <= 'Z') ? i + 32 :
			   (i >= 'a' && i <= 'z') || (i >= '0' && i <= '9') ||
			   i >= 0x80 ? i : 0);
	for (i = 0; i < MINHASH_K; i++) {
		perm_a[i] = (uint32_t)(pv_rand64(&x) >> 32) | 1;
		perm_b[i] = (uint32_t)(pv_rand64(&x) >> 32);
	}
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		sign_flush = flush_avx2;
#endif
}

static void put_le32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ---- words and shingles ---- */

/* Length of the separator starting at p (a non-ASCII byte), or 0 when the
 * bytes there belong to a word: U+00A0, U+00AB, U+00BB and U+2000..U+206F
 * (spaces, dashes, quotes, ellipsis...). */
static size_t unicode_separator(const unsigned char *p, size_t avail)
{
	if (avail >= 2 && p[0] == 0xc2 && (p[1] == 0xa0 || p[1] == 0xab || p[1] == 0xbb))
		return 2;
	if (avail >= 3 && p[0] == 0xe2 &&
	    (p[1] == 0x80 || (p[1] == 0x81 && p[2] >= 0x80 && p[2] <= 0xaf)) &&
	    p[2] >= 0x80 && p[2] <= 0xbf)
		return 3;
	return 0;
}

/* Separator length at p[0..avail): 0 inside a word. */
static inline size_t sep_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];

	if (!lower[c])
		return 1;
	if (c == 0xc2 || c == 0xe2)
		return unicode_separator(p, avail);
	return 0;
}

/* murmur3's 64-bit finalizer */
static inline uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

/* A shingle's hash from its words' (w[0] the first): a combination with a
 * distinct odd constant per position, then mixed; n < MINHASH_SHINGLE for
 * the one shingle of a short text. */
static inline uint64_t shingle_hash(const uint64_t *w, size_t n)
{
	static const uint64_t c[MINHASH_SHINGLE] = {
		0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL, 0x165667b19e3779f9ULL,
		0xd6e8feb86659fd93ULL, 0xff51afd7ed558ccdULL,
	};
	uint64_t h = (uint64_t)n * 0x94d049bb133111ebULL;
	size_t k;

	for (k = 0; k < n; k++)
		h += w[k] * c[k];
	return fmix64(h);
}

/* Cuts text into words and words into shingles; calls emit with each
 * shingle's 64-bit hash.  Returns the number of words (saturating).  The
 * caller has run perm_init. */
static uint32_t shingle_text(const char *text, size_t len,
			     void (*emit)(void *ctx, uint64_t h), void *ctx)
{
	const unsigned char *p = (const unsigned char *)text;
	unsigned char word[WORD_CHUNK];
	uint64_t w[MINHASH_SHINGLE];        /* the last words' hashes, oldest first */
	uint64_t nw = 0;
	size_t i = 0, k;

	for (;;) {
		uint64_t wseed = WORD_SEED, h;
		size_t wl = 0;

		while (i < len && (k = sep_len(p + i, len - i)) != 0)
			i += k;
		if (i >= len)
			break;
		while (i < len && sep_len(p + i, len - i) == 0) {
			if (wl == WORD_CHUNK) {
				wseed = XXH3_64bits_withSeed(word, wl, wseed);
				wl = 0;
			}
			word[wl++] = lower[p[i++]];
		}
		h = XXH3_64bits_withSeed(word, wl, wseed);
		if (nw < MINHASH_SHINGLE) {
			w[nw] = h;
		} else {
			for (k = 1; k < MINHASH_SHINGLE; k++)
				w[k - 1] = w[k];
			w[MINHASH_SHINGLE - 1] = h;
		}
		nw++;
		if (nw >= MINHASH_SHINGLE)
			emit(ctx, shingle_hash(w, MINHASH_SHINGLE));
	}
	if (nw > 0 && nw < MINHASH_SHINGLE)
		emit(ctx, shingle_hash(w, (size_t)nw));
	return nw > UINT32_MAX ? UINT32_MAX : (uint32_t)nw;
}

static void emit_min(void *ctx, uint64_t x)
{
	struct sign_state *s = ctx;

	s->x[s->nx++] = (uint32_t)(x >> 32);
	if (s->nx == SIGN_GROUP)
		sign_flush(s);
}

uint32_t minhash_sign(const char *text, size_t len, uint32_t sig[MINHASH_K])
{
	struct sign_state s;
	uint32_t nw;
	int i;

	pthread_once(&perm_once, perm_init);
	for (i = 0; i < MINHASH_K; i++)
		s.m[i] = UINT32_MAX;
	s.nx = 0;
	nw = shingle_text(text, len, emit_min, &s);
	sign_flush(&s);
	for (i = 0; i < MINHASH_K; i++)
		sig[i] = nw ? s.m[i] : UINT32_MAX;
	return nw;
}

struct shingle_list {
	uint64_t *v;
	size_t n, cap;
};

static void emit_list(void *ctx, uint64_t x)
{
	struct shingle_list *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = pv_realloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = x;
}

size_t minhash_shingles(const char *text, size_t len, uint64_t **out)
{
	struct shingle_list l = { NULL, 0, 0 };

	pthread_once(&perm_once, perm_init);
	shingle_text(text, len, emit_list, &l);
	*out = l.v;
	return l.n;
}

unsigned minhash_agree(const uint32_t *a, const uint32_t *b)
{
	unsigned n = 0;
	int i;

	for (i = 0; i < MINHASH_K; i++)
		n += a[i] == b[i];
	return n;
}

/* ---- stored form ---- */

size_t minhash_encode(const uint32_t sig[MINHASH_K], uint32_t nwords,
		      unsigned char *blob)
{
	int i;

	blob[0] = 'M';
	blob[1] = MINHASH_VERSION;
	blob[2] = MINHASH_SHINGLE;
	blob[3] = 0;
	put_le32(blob + 4, nwords);
	if (!nwords)
		return MINHASH_HEADER;
	for (i = 0; i < MINHASH_K; i++)
		put_le32(blob + MINHASH_HEADER + 4 * i, sig[i]);
	return MINHASH_BLOB;
}

bool minhash_decode(const void *blob, size_t len, uint32_t sig[MINHASH_K],
		    uint32_t *nwords)
{
	const unsigned char *p = blob;
	int i;

	if (!p || len < MINHASH_HEADER || p[0] != 'M' || p[1] != MINHASH_VERSION ||
	    p[2] != MINHASH_SHINGLE || p[3] != 0)
		return false;
	*nwords = get_le32(p + 4);
	if (*nwords == 0)
		return len == MINHASH_HEADER;
	if (len != MINHASH_BLOB)
		return false;
	for (i = 0; i < MINHASH_K; i++)
		sig[i] = get_le32(p + MINHASH_HEADER + 4 * i);
	return true;
}

/* ---- banding ---- */

double minhash_recall(double j, int bands, int rows)
{
	return 1.0 - pow(1.0 - pow(j, rows), bands);
}

void minhash_bands(double threshold, int *bands, int *rows)
{
	int r;

	for (r = MINHASH_K; r > 1; r--)
		if (minhash_recall(threshold, MINHASH_K / r, r) >= MINHASH_RECALL)
			break;
	*rows = r;
	*bands = MINHASH_K / r;
}

uint64_t minhash_band_key(const uint32_t *sig, int band, int rows)
{
	return XXH3_64bits_withSeed(sig + (size_t)band * (size_t)rows, (size_t)rows * 4,
				    BAND_SEED + (uint64_t)band);
}

struct entry {
	uint64_t key;
	uint32_t idx;
};

static int entry_cmp(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int pair_cmp(const void *x, const void *y)
{
	const struct minhash_pair *a = x, *b = y;

	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	return a->j < b->j ? -1 : a->j > b->j;
}

struct found {
	struct minhash_pair *v;
	size_t n, cap;
};

/* Compares texts i and j (i != j), keeping them when they agree enough. */
static void check(const uint32_t *sigs, uint32_t i, uint32_t j, unsigned need,
		  struct found *f, struct minhash_lsh_stats *st)
{
	unsigned agree;

	if (i > j) {
		uint32_t t = i;
		i = j;
		j = t;
	}
	st->candidates++;
	agree = minhash_agree(sigs + (size_t)i * MINHASH_K, sigs + (size_t)j * MINHASH_K);
	if (agree < need)
		return;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		f->v = pv_realloc(f->v, f->cap * sizeof *f->v);
	}
	f->v[f->n].i = i;
	f->v[f->n].j = j;
	f->v[f->n].agree = agree;
	f->n++;
}

int minhash_lsh(const uint32_t *sigs, size_t n, const unsigned char *side,
		const struct minhash_lsh_opts *o, struct minhash_pair **out,
		size_t *nout, struct minhash_lsh_stats *st)
{
	size_t cap = o->bucket_cap ? o->bucket_cap : BUCKET_CAP;
	struct entry *e = pv_malloc((n ? n : 1) * sizeof *e);
	uint32_t *rs = pv_malloc(cap * sizeof *rs), *ss = pv_malloc(cap * sizeof *ss);
	struct found f = { NULL, 0, 0 };
	unsigned need = (unsigned)ceil(o->threshold * MINHASH_K - 1e-9);
	size_t i, m, s, t, k, x, y;
	int b;

	memset(st, 0, sizeof *st);
	minhash_bands(o->threshold, &st->bands, &st->rows);
	if (need < 1)
		need = 1;
	for (b = 0; b < st->bands; b++) {
		if (o->stop && *o->stop) {
			free(e);
			free(rs);
			free(ss);
			free(f.v);
			*out = NULL;
			*nout = 0;
			return -1;
		}
		for (i = m = 0; i < n; i++) {
			if (!side[i])
				continue;
			e[m].key = minhash_band_key(sigs + i * MINHASH_K, b, st->rows);
			e[m].idx = (uint32_t)i;
			m++;
		}
		qsort(e, m, sizeof *e, entry_cmp);
		for (s = 0; s < m; s = t) {
			for (t = s + 1; t < m && e[t].key == e[s].key; t++)
				;
			if (t - s < 2)
				continue;
			if (o->within) {
				size_t cnt = t - s;
				if (cnt > cap) {
					cnt = cap;
					st->oversized++;
				}
				for (x = s; x < s + cnt; x++)
					for (y = x + 1; y < s + cnt; y++)
						check(sigs, e[x].idx, e[y].idx, need, &f, st);
			} else {
				size_t nr = 0, ns = 0;
				bool over = false;
				for (k = s; k < t; k++) {
					unsigned char sd = side[e[k].idx];
					if (sd & MH_REAL) {
						if (nr < cap)
							rs[nr++] = e[k].idx;
						else
							over = true;
					}
					if (sd & MH_SYNTH) {
						if (ns < cap)
							ss[ns++] = e[k].idx;
						else
							over = true;
					}
				}
				st->oversized += over;
				for (x = 0; x < nr; x++)
					for (y = 0; y < ns; y++)
						if (rs[x] != ss[y])
							check(sigs, rs[x], ss[y], need, &f, st);
			}
		}
		if (o->progress)
			o->progress(o->ctx, b + 1, st->bands);
	}
	free(e);
	free(rs);
	free(ss);
	/* the same pair shares several bands: keep it once */
	if (f.n)
		qsort(f.v, f.n, sizeof *f.v, pair_cmp);
	for (i = k = 0; i < f.n; i++)
		if (k == 0 || f.v[i].i != f.v[k - 1].i || f.v[i].j != f.v[k - 1].j)
			f.v[k++] = f.v[i];
	*out = f.v;
	*nout = k;
	return 0;
}
