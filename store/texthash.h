/*
 * texthash.h - the texts of a store by hash, in memory, for an index run
 * while the store's texts_hash index is not there.
 *
 * A text's hash (XXH3-128) is random, so a B-tree index on it takes each
 * new text into a random leaf: once the index outgrows the page cache
 * every batch of an index run rewrites most of its leaves, and a run's time
 * grows with the square of the store's size (an index of 10M hashes is
 * 4,600 pages of 64 KB; a batch of 20,000 texts dirties nearly all of
 * them).  A first load therefore drops texts_hash and finds repeated texts
 * here; texts_hash is built at the end in one sort (schema.c, deferred).
 *
 * What it holds: for each text id, the first 4 bytes of its hash (ids
 * being dense), and an open-addressing table of ids by those bytes (4
 * bytes per slot, at most 70% full): about 10 bytes per text, 105 MB at
 * 10M texts.  A match on the 4 bytes is only a candidate: the caller
 * compares the whole hash with the stored row (a lookup meets a text that
 * is not its own but shares the 4 bytes about once in 2^32 comparisons).
 */
#ifndef PROVEX_TEXTHASH_H
#define PROVEX_TEXTHASH_H

#include <stddef.h>
#include <stdint.h>

struct texthash;

/* Largest text id the table takes (ids are 32-bit in its slots). */
#define TEXTHASH_MAX_ID ((int64_t)UINT32_MAX - 1)

/* A new, empty table in *out (the caller owns it: texthash_free).
 * Returns 0 or PV_ENOMEM. */
int texthash_new(struct texthash **out);
void texthash_free(struct texthash *th);

/* Adds text id (1..TEXTHASH_MAX_ID) with hash.  Returns 0, PV_ENOMEM, or
 * PV_EINVAL for an id out of range. */
int texthash_add(struct texthash *th, const unsigned char hash[16], int64_t id);

/* The candidates for hash, one per call: *pos starts at 0; returns the next
 * id whose first 4 bytes of hash are hash's, or 0 when there is none left. */
int64_t texthash_next(const struct texthash *th, const unsigned char hash[16],
		      size_t *pos);

/* The highest id added (0 when none). */
int64_t texthash_max_id(const struct texthash *th);

/* Forgets every id above max_id (after a rollback took those texts back).
 * Returns 0 or PV_ENOMEM (the table is then empty: load it again). */
int texthash_truncate(struct texthash *th, int64_t max_id);

/* Bytes of memory the table holds. */
size_t texthash_bytes(const struct texthash *th);

#endif
