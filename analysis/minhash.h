/*
 * minhash.h - MinHash signatures of word shingles and locality-sensitive
 * hashing over them: the arithmetic of provex pairs, with no store in
 * sight (store/pairs.c reads texts and writes what is found).
 *
 * Words: maximal runs of ASCII letters and digits and of non-ASCII bytes
 * (UTF-8 letters), ASCII letters lowercased; everything else separates
 * words: ASCII punctuation and spaces, and the common Unicode spaces,
 * dashes and quotes (U+00A0, U+00AB, U+00BB, U+2000..U+206F).  So "Hello,
 * World!" and "hello world" have the same words.
 *
 * Shingles: every MINHASH_SHINGLE consecutive words.  Each word is hashed
 * to 64 bits (XXH3, seeded), and a shingle's hash is its words' hashes
 * combined by position and mixed (murmur3's finalizer), 64 bits.  A text
 * with fewer words than one shingle has one shingle made of the words it
 * has (so two short texts agree only when their words do); a text without
 * words has no signature.
 *
 * Signature: for each of MINHASH_K hash functions h_i(x) = a_i x + b_i
 * (mod 2^32, over the high 32 bits x of a shingle's hash; a_i odd, fixed
 * pseudo-random constants), the minimum over the text's shingles.  The
 * share of positions where two signatures agree estimates the Jaccard
 * similarity of the two shingle sets, with a standard deviation of
 * sqrt(J(1-J)/K): 0.035 at J = 0.8 (tests/unit/test_pairs measures it).
 * On processors with AVX2, eight functions are computed per instruction,
 * with the same results.
 *
 * LSH: the signature is cut into `bands` bands of `rows` positions (bands x
 * rows <= K); two texts whose signatures agree on a whole band become a
 * candidate pair, then are kept when their whole signatures agree on at
 * least a share `threshold` of positions.  minhash_bands() picks the most
 * rows per band for which a pair of similarity exactly `threshold` still
 * becomes a candidate with probability >= MINHASH_RECALL; pairs above the
 * threshold become candidates more surely still.
 */
#ifndef PV_MINHASH_H
#define PV_MINHASH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MINHASH_K 128                  /* hash functions (signature length) */
#define MINHASH_SHINGLE 5              /* words per shingle */
#define MINHASH_RECALL 0.98            /* P(candidate) at the threshold */
#define MINHASH_VERSION 1              /* of the stored form below */
/* Stored form: 'M', version, shingle size, 0, the number of words (uint32,
 * little-endian, saturating), then K little-endian uint32 values; a text
 * without words is the 8-byte header alone. */
#define MINHASH_HEADER 8
#define MINHASH_BLOB (MINHASH_HEADER + 4 * MINHASH_K)

/*
 * Computes the signature of text (len bytes, any bytes) into sig.  Returns
 * the number of words (saturating at UINT32_MAX); 0 means the text has no
 * words and sig is left filled with UINT32_MAX.  Thread-safe.
 */
uint32_t minhash_sign(const char *text, size_t len, uint32_t sig[MINHASH_K]);

/*
 * The 64-bit hashes of the text's shingles, in text order (repeats
 * included), in *out (malloc'ed; the caller frees it; NULL when there are
 * none).  Returns their number.  For tests and diagnostics.
 */
size_t minhash_shingles(const char *text, size_t len, uint64_t **out);

/* Positions where two signatures agree (0..MINHASH_K). */
unsigned minhash_agree(const uint32_t *a, const uint32_t *b);

/* Writes the stored form of a signature into blob (MINHASH_BLOB bytes, or
 * MINHASH_HEADER when nwords is 0); returns its length. */
size_t minhash_encode(const uint32_t sig[MINHASH_K], uint32_t nwords,
		      unsigned char *blob);
/* Reads a stored signature.  False when the blob is not one of this
 * version's (another shingle size, another length...): compute it again.
 * *nwords = 0 for a text without words (sig untouched). */
bool minhash_decode(const void *blob, size_t len, uint32_t sig[MINHASH_K],
		    uint32_t *nwords);

/* The banding for a threshold in (0, 1]: see above. */
void minhash_bands(double threshold, int *bands, int *rows);
/* The probability that a pair of similarity j becomes a candidate. */
double minhash_recall(double j, int bands, int rows);

/* The LSH key of band `band` (rows positions from band x rows) of a
 * signature: texts whose keys agree on a band become candidates (what
 * minhash_lsh compares; store/set_pairs.c writes them to files). */
uint64_t minhash_band_key(const uint32_t *sig, int band, int rows);

/* Which texts may pair with which: a text with documents of both origins
 * has both bits; 0 = the text takes no part (no words). */
enum { MH_REAL = 1, MH_SYNTH = 2, MH_OTHER = 4 };

struct minhash_pair {
	uint32_t i, j;                 /* text indexes, i < j */
	uint32_t agree;                /* agreeing positions */
};

struct minhash_lsh_opts {
	double threshold;              /* (0, 1] */
	bool within;                   /* any two texts; else real x synthetic */
	size_t bucket_cap;             /* members of one bucket compared (per
	                                  side across origins); 0 = 1000 */
	volatile sig_atomic_t *stop;   /* may be NULL */
	void (*progress)(void *ctx, int band, int bands);   /* may be NULL */
	void *ctx;
};

struct minhash_lsh_stats {
	int bands, rows;
	uint64_t candidates;           /* text pairs compared (with repeats
	                                  across bands) */
	uint64_t oversized;            /* buckets with members left out */
};

/*
 * Finds the pairs of texts whose signatures agree on at least
 * ceil(threshold * K) positions among those that share a band.  sigs holds
 * n signatures of MINHASH_K values one after the other; side[i] says which
 * texts may pair (above).  On return *out (malloc'ed, the caller frees it)
 * holds *nout distinct pairs sorted by (i, j).  Returns 0, or -1 when
 * stopped through opts->stop (*out is then NULL).
 */
int minhash_lsh(const uint32_t *sigs, size_t n, const unsigned char *side,
		const struct minhash_lsh_opts *opts, struct minhash_pair **out,
		size_t *nout, struct minhash_lsh_stats *st);

#endif
