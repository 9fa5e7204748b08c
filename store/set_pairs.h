/*
 * set_pairs.h - provex pairs over a set of stores (set.h), and between
 * two sets (or a set and a store, or two stores) with --against, in two
 * stages after datatrove's MinHash deduplication:
 *
 *   stage 1, per shard (its files depend only on the shard, so they are
 *   made once and reused; a shard is never written): every text's
 *   MinHash signature (minhash.h: read from the shard's minhash table
 *   when it holds a valid one, else computed), and for each LSH band a
 *   file of (band key, text) records sorted by key, made by sorting
 *   chunks of SP_CHUNK records and merging the runs (memory bounded by
 *   the chunk, whatever the shard's size);
 *   stage 2, per band: a k-way merge of the shards' files of that band;
 *   texts with the same key are candidates, kept when their whole
 *   signatures agree on ceil(threshold x K) positions or more: the rule,
 *   banding, sides and caps of the one-store pairs_find (pairs.h), so that
 *   a set and a plain store of the same files find the same pairs.
 *
 * The same text in two shards is one text of a plain store: a pair of
 * those two copies is a duplicate, never a pair (as pairs_find).  With
 * --against it is kept (sim 1): a verbatim copy of a REF document is what
 * a contamination check looks for.
 *
 * Files (FORMAT below) go to bands_dir: SET/bands for a set folder.  A
 * shard's files carry the identity of the shard file they were made from
 * (size, mtime, inode) and their own sizes in a manifest written last:
 * files of another shard file, damaged or cut short are made again.
 *
 * Ownership: nothing is kept between calls; the caller owns the sets.
 */
#ifndef PV_SET_PAIRS_H
#define PV_SET_PAIRS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "../common/pv.h"
#include "../common/buf.h"
#include "set.h"

/*
 * FORMAT (version 1; host byte order, a file the same host reads back):
 *   DIR/NAME/sig.bin     header of 32 bytes: "PVXSIG1\0", uint32 K,
 *                        uint32 shingle words, uint64 texts, uint32
 *                        0x01020304 (byte order), uint32 0; then one
 *                        record of SP_SIG_REC bytes per text of the shard,
 *                        by text id: int64 text id, uint32 words, uint32 0,
 *                        16 bytes of the text's hash, K uint32 signature.
 *   DIR/NAME/sig.done    manifest (text): the shard's identity, texts.
 *   DIR/NAME/rR/band-BBB.bin
 *                        one record of 16 bytes per text with words:
 *                        uint64 band key (minhash_band_key), uint32 the
 *                        text's record number in sig.bin, uint32 0;
 *                        sorted by key, then record number.
 *   DIR/NAME/rR.done     manifest: identity, texts, rows, bands, and
 *                        each band file's records.
 * NAME is the shard's file name without .pvx; R the rows per band (the
 * threshold decides them).
 */
#define SP_SIG_REC (32 + 4 * 128)
#define SP_CHUNK (1u << 20)         /* band records sorted in memory at once */

enum sp_phase { SP_SIGNING, SP_BANDING, SP_MERGING, SP_STORING };

struct set_pairs_stats {
	size_t shards, ref_shards;
	size_t built, reused;         /* stage 1: shards made now, and reused */
	size_t rebuilt;               /* of those made: stale or damaged files */
	int64_t sig_new, sig_cached;  /* computed; read from a shard's table */
	int64_t docs, real, synthetic, unknown;   /* selected in SET */
	int64_t ref_docs;             /* of REF */
	int64_t texts;                /* texts of the shards taking part */
	int bands, rows, band_done;
	size_t shard_done;            /* progress of stage 1 */
	uint64_t candidates;
	uint64_t oversized;
	int64_t text_pairs, pairs, pairs_new, capped;
	double seconds;
	const char *nothing;          /* why nothing was compared (static) */
	bool stage1_only;
};

struct set_pairs_opts {
	double threshold;             /* (0, 1]; 0 = PAIRS_THRESHOLD */
	bool within;
	int threads;                  /* 0 = PAIRS_THREADS */
	const char *bands_dir;        /* where stage 1 files go (required) */
	/* with world_size > 0: stage 1 only, for the shards k of SET with
	 * k % world_size == rank (a scheduler's task); no pairs */
	int rank, world_size;
	/* --against: the other set (may be a plain store wrapped) and the
	 * name its pairs are stored under (its absolute path) */
	struct store_set *ref;
	const char *ref_name;
	volatile sig_atomic_t *stop;
	void (*progress)(void *ctx, const struct set_pairs_stats *st, enum sp_phase ph);
	void *ctx;
};

/*
 * Finds the pairs among the documents of set that the filter selects
 * (where[k] for part k, set_filters; NULL = all) and stores them in the
 * set's review store (set_review: SET/review.pvx, or the store itself for
 * a plain store): found pairs into its pairs table (INSERT OR IGNORE, as
 * pairs_find: rows stored before are kept), or, with o->ref, pairs of a
 * document of set and one of REF (every document of it) into its table
 * against_pairs (doc, ref, ref_doc, sim), replacing the rows stored
 * before for the same ref name.  Returns 0, PV_EINTR when stopped (the
 * stage 1 files finished are kept), or a negative code.
 */
int set_pairs_find(struct store_set *set, const struct filter_sql *where,
		   const struct set_pairs_opts *o, struct set_pairs_stats *st,
		   struct pv_err *err);

/* DDL of the against_pairs table (also made by set_pairs_find). */
int set_pairs_against_table(struct store *review, struct pv_err *err);

/*
 * The document id of the set is paired with in its review store (the
 * lowest id among its found and declared pairs there), in *partner; 0 when
 * it has none or the set has no review store.  For the compare view of a
 * set, whose shards hold no pairs.
 */
int set_pairs_partner(struct store_set *set, int64_t id, int64_t *partner,
		      struct pv_err *err);

#endif
