/*
 * export.h - the reading side of provex export: the candidate documents a
 * filter selects (deduplicated by text), the arithmetic of samples and
 * mixtures (which documents, how many times each), and a row iterator
 * handing out the chosen documents with their decompressed text.
 *
 * The arithmetic (export_rank, export_repeats, export_mix_plan) touches no
 * store, so it is tested on its own (tests/unit/test_export.c).  Everything
 * is deterministic given the seed: a document's rank is a hash of (seed,
 * document id), never of its position or of the time.
 *
 * Ownership: struct export_cands owns its arrays until export_cands_done();
 * rows handed to the iterator's callback are borrowed for the call.
 */
#ifndef PV_EXPORT_H
#define PV_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store.h"

struct filter_sql;
struct store_set;

/* ---- arithmetic (no store) ---- */

/* The rank of document id under seed: a 64-bit hash (splitmix64), the
 * order samples take documents in (smallest first). */
uint64_t export_rank(uint64_t seed, int64_t id);

/* Spreads `written` records over the n documents ids[] evenly: each gets
 * k = written / n copies, and the written % n documents of smallest rank
 * one more.  written < n is a sample of `written` documents (k = 0).
 * Fills reps[n].  n == 0 is allowed (nothing to do). */
void export_repeats(const int64_t *ids, size_t n, uint64_t seed,
		    int64_t written, uint32_t *reps);

/* One group of a mixture (--mix FIELD=VALUE:SHARE,...). */
struct export_group {
	const char *value;       /* borrowed */
	double share;            /* as given */
	int64_t available;       /* candidate documents in the group */
	int64_t target;          /* records its share of the total asks for */
	int64_t written;         /* records it gets: target, or less when capped */
	int64_t shortfall;       /* target - written (--max-repeat) */
};

/* Splits total over the groups by share with largest-remainder rounding
 * (each target within one record of share * total, ties to the earlier
 * group; the targets add up to total), then caps each group at
 * max_repeat * available records (max_repeat 0 = no cap).  Errors
 * (PV_EUSAGE): no groups, a share outside (0, 1], shares not adding up to
 * 1 (within 1e-6), total <= 0, a group without documents. */
int export_mix_plan(struct export_group *g, size_t n, int64_t total,
		    int64_t max_repeat, struct pv_err *err);

/* --keep-shares: plans the largest total <= total whose targets all fit
 * max_repeat * available (max_repeat > 0), so the shares stay those asked
 * (each group within one record of share * *fitted) and the total shrinks.
 * Afterwards target is what the asked total would have given each group,
 * written what it gets, shortfall the difference; *fitted is the sum of
 * written.  Errors as export_mix_plan, and PV_EUSAGE when no total of at
 * least one record per group fits. */
int export_mix_fit(struct export_group *g, size_t n, int64_t total,
		   int64_t max_repeat, int64_t *fitted, struct pv_err *err);

/* A keyed permutation of [0, size): a Feistel network on the smallest even
 * number of bits covering size, walked until it lands inside (fewer than 4
 * steps on average).  O(1) memory; the same seed and size give the same
 * permutation. */
struct export_perm {
	uint64_t size;
	unsigned half;            /* bits per half */
	uint64_t mask;            /* (1 << half) - 1 */
	uint64_t key[6];
};
void export_perm_init(struct export_perm *p, uint64_t seed, uint64_t size);
uint64_t export_perm_at(const struct export_perm *p, uint64_t i);

/* ---- candidates (store) ---- */

/* The fields a mixture can be split on: origin, source, generator, purpose,
 * label.  Returns the SQL column, or NULL. */
const char *export_mix_column(const char *field);

/* The documents matching a filter, in id order. */
struct export_cands {
	int64_t *ids;            /* owned */
	int64_t *text_ids;       /* owned */
	int *group;              /* owned: index into the groups, 0 without */
	uint32_t *len;           /* owned: bytes of text (docs.len, capped) */
	uint32_t *extra;         /* owned: bytes of meta, provenance, label,
				  * note and ext_id (capped): for estimates */
	size_t n;
	int64_t dups;            /* skipped: text seen at a smaller id */
	int64_t ungrouped;       /* skipped: in none of the groups */
	uint32_t *part;          /* owned: a set's part holding ids[k]
				  * (export_set_candidates); NULL otherwise */
	unsigned char *hash;     /* owned: while collecting a set, 16 bytes
				  * of texts.hash per candidate; NULL after */
};

/* Collects the documents matching where (NULL = all), keeping only the
 * first (smallest id) document of each text unless keep_dups.  With a
 * mixture field (NULL = none), only documents whose field equals one of
 * values[nvalues] are kept, with the index of that value in group[]
 * (a NULL field equals ""). */
int export_candidates(struct store *s, const struct filter_sql *where,
		      bool keep_dups, const char *field,
		      const char *const *values, size_t nvalues,
		      struct export_cands *out, struct pv_err *err);
void export_cands_done(struct export_cands *c);      /* frees; reusable */

/* The same over a set (store/set.h) read as one store: where[k] is the
 * filter compiled for part k (set_filters; NULL = all), the listed parts
 * are read (rows the review overlay shadows left out), and duplicates are
 * dropped by the texts' hash across every shard, keeping the smallest id
 * of each text: the documents one store holding them all would keep.
 * out->part[k] names the part holding ids[k]. */
int export_set_candidates(struct store_set *set, const struct filter_sql *where,
			  bool keep_dups, const char *field,
			  const char *const *values, size_t nvalues,
			  struct export_cands *out, struct pv_err *err);

/* ---- reading the chosen documents ---- */

struct export_doc {
	int64_t id, text_id;
	/* NULL when the column is NULL (origin is never NULL) */
	const char *ext_id, *origin, *source, *generator, *purpose, *label,
		*note, *meta;
	const char *text;        /* the exact bytes (may hold NULs) */
	size_t len;
	uint32_t copy;           /* export_rows_shuffled: which copy of the
				  * document this record is (0 first) */
};

/* Calls cb once for each document ids[k] with reps[k] > 0, in the order
 * of ids[] (increasing, as export_candidates gives them), with its text
 * decompressed, and the number of copies to write; stops when cb returns
 * non-zero (that value is returned).  An id no longer in the store is
 * skipped (ids come from export_candidates in the same snapshot, so none
 * is).  The rows are read by a thread of their own, ahead of cb (which
 * runs on the calling thread, with all signals going there): cb must not
 * use s. */
int export_rows(struct store *s, const int64_t *ids, const uint32_t *reps,
		size_t n,
		int (*cb)(void *ctx, const struct export_doc *d, uint32_t reps),
		void *ctx, struct pv_err *err);

/* The same, one record at a time in a shuffled order: the records (each
 * document ids[k] reps[k] times) are numbered in the order export_rows
 * would write them and come out in the order of export_perm_at(seed);
 * cb is called once per record with reps 1 and d->copy set.  Memory:
 * n + 1 counters, whatever the number of records; each record's row is
 * read (and its text decompressed) on its own. */
int export_rows_shuffled(struct store *s, const int64_t *ids, const uint32_t *reps,
			 size_t n, uint64_t seed,
			 int (*cb)(void *ctx, const struct export_doc *d, uint32_t reps),
			 void *ctx, struct pv_err *err);

/* export_rows (shuffle false) or export_rows_shuffled over a set: the
 * candidates c of export_set_candidates, each read from its part. */
int export_set_rows(struct store_set *set, const struct export_cands *c,
		    const uint32_t *reps, bool shuffle, uint64_t seed,
		    int (*cb)(void *ctx, const struct export_doc *d, uint32_t reps),
		    void *ctx, struct pv_err *err);

/* A read snapshot: everything between begin and end sees one state of
 * the store (other writers may go on; their changes are not seen). */
int export_begin(struct store *s, struct pv_err *err);
void export_end(struct store *s);

/* How well the store compresses the texts text_ids[n] (stored bytes over
 * text bytes), measured on up to 256 of them spread over the list; 1 when
 * it cannot tell.  For estimates. */
double export_store_ratio(struct store *s, const int64_t *text_ids, size_t n);

/* The store's history position (max(history.id), 0 when empty) and its
 * number of documents. */
int export_store_state(struct store *s, int64_t *history_pos, int64_t *docs,
		       struct pv_err *err);

/* The same over every part of a set: a snapshot of each (shards are
 * never written; the overlay may be: each snapshot lasts until the set
 * is closed, export_set_end does nothing), store_map on each, the ratio
 * weighted by the candidates (c from export_set_candidates) of each part,
 * and the state: the history position of review.pvx (the set's history;
 * 0 without one), the documents counted once (the signed sum over the
 * parts). */
int export_set_begin(struct store_set *set, struct pv_err *err);
void export_set_end(struct store_set *set);
void export_set_map(struct store_set *set);
double export_set_ratio(struct store_set *set, const struct export_cands *c);
int export_set_state(struct store_set *set, int64_t *history_pos, int64_t *docs,
		     struct pv_err *err);

#endif
