/*
 * set.h - a set of stores read as one: a folder whose published shards
 * SET/shard-RRRRR-of-NNNNN.pvx (each an ordinary store, beside its
 * completion marker SET/shard-RRRRR-of-NNNNN.done) were written by
 * provex index SET ... --world-size N --rank R (README, "Sets of
 * stores").  set_open checks that every rank 0..N-1 is there, finished
 * and built from one listing, and opens each shard read-only with a small
 * page cache: one SQLite connection per shard, results merged here in C
 * (no ATTACH, so no limit of ten or 125 databases).
 *
 * A plain store can be wrapped as a set of one (set_of_store), so that
 * the commands that read sets are written once for both.
 *
 * Review state (labels, history, undo) is never written into a published
 * shard: it lives in one small ordinary store beside them, SET/review.pvx,
 * whose docs table holds a full copy of each document a reviewer changed
 * (the same global id).  Reads see the set through PARTS:
 *  - the base part of shard k: the shard as published (sign +1, listed);
 *    a listing skips its rows whose id the overlay holds (set_shadowed);
 *  - for a shard with documents in the overlay, its minus part (the
 *    shard's rows the overlay replaces: sign -1, not listed) and its plus
 *    part (the overlay's rows of that shard: sign +1, listed), each a
 *    connection to the shard file with review.pvx attached read-only and
 *    a TEMP VIEW docs, so that every query of the store runs unchanged.
 * Every part's connection also reads review.pvx's scores, pairs and
 * review answers through TEMP VIEWs (set_filter_review), a base part's
 * attaching review.pvx when the set opens (its read transaction ended and
 * begun again around the ATTACH).
 * Additive figures (counts, sums, group counts) are the signed sums over
 * the parts; listings merge the listed parts, skipping shadowed rows.
 * Parts 0..set_size()-1 are the shards' base parts, in rank order.
 *
 * Ownership: the set owns its shards' and parts' connections and the
 * review store (set_close closes them); compiled filters handed out
 * (set_filters) are the caller's.
 */
#ifndef PV_SET_H
#define PV_SET_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "../common/pv.h"
#include "store.h"

/* A document of a shard has id (p + 1) * SET_ID_STRIDE + rec + 1, p its
 * file's position in the listing: its shard is (id / SET_ID_STRIDE - 1) % N. */
#define SET_ID_STRIDE 1000000000LL

struct store_set;
struct filter_ast;
struct filter_sql;

/* Whether path is a folder (a set: every read command opens it as one). */
bool set_is_folder(const char *path);
/* Whether path is a published shard: named shard-RRRRR-of-NNNNN.pvx with
 * its completion marker (.done) beside it.  Published shards are never
 * written again (read commands may read one as a store). */
bool set_is_published_shard(const char *path);

/* Opens the set in folder dir read-only; refuses, naming what is missing
 * or wrong and what to run, a folder that is not a complete set. */
int set_open(struct store_set **out, const char *dir, struct pv_err *err);
/* A set of one made of a plain store (owned from now on). */
struct store_set *set_of_store(struct store *s);
void set_close(struct store_set *set);                     /* NULL allowed */

const char *set_path(const struct store_set *set);
/* Whether the set is a folder of shards (not a plain store wrapped). */
bool set_is_folder_set(const struct store_set *set);
size_t set_size(const struct store_set *set);            /* shards */
struct store *set_shard(const struct store_set *set, size_t k);
/* The listing digest every shard was built from ("" for a plain store). */
const char *set_listing(const struct store_set *set);
/* The shard that holds document id (by the ids' formula, above); -1 when
 * no shard can (an id below SET_ID_STRIDE in a set of shards). */
long set_route(const struct store_set *set, int64_t id);

/* One part of a set (above): s is borrowed from the set. */
struct set_part {
	struct store *s;
	int sign;                   /* +1: its rows are added; -1: taken away */
	bool listed;                /* listings show its rows */
	size_t shard;               /* the shard (rank) it belongs to */
};
size_t set_nparts(const struct store_set *set);
const struct set_part *set_part(const struct store_set *set, size_t k);
/* Whether the row id of part p is replaced by the overlay's copy (true
 * only for a base part, for the ids review.pvx holds): a listing skips it. */
bool set_shadowed(const struct store_set *set, const struct set_part *p, int64_t id);
/* SET/review.pvx opened for writing (created when absent): borrowed,
 * closed by set_close.  For a plain store wrapped as a set of one, the
 * store itself opened for writing. */
int set_review(struct store_set *set, struct store **out, struct pv_err *err);

/* Fetches document id as the set has it now: from the overlay's plus
 * part when a reviewer changed it, else from its shard (*shard: the
 * part's store it was read from, borrowed). */
int set_doc_get(struct store_set *set, int64_t id, struct store **shard,
		struct doc_row *row, struct pv_err *err);
/* The documents whose input id is ext, in every listed part (shadowed
 * rows skipped): at most max of them in shards[] (the part's store) and
 * ids[] (part order, then id order); returns how many there are, or a
 * negative code. */
int64_t set_find_ext(struct store_set *set, const char *ext, struct store **shards,
		     int64_t *ids, size_t max, struct pv_err *err);
/* Documents holding the same text as text_id of shard, in the whole set:
 * t.nocc for a plain store or a set of one, the sum over every shard's
 * text of the same hash otherwise. */
int set_nocc(struct store_set *set, struct store *shard, int64_t text_id,
	     int64_t *n, struct pv_err *err);

/* The filter ast compiled for each PART with its shard's metadata
 * indexes: (*out)[k] for part k (set_part); freed with set_filters_done. */
int set_filters(struct store_set *set, const struct filter_ast *ast,
		struct filter_sql **out, struct pv_err *err);
void set_filters_done(struct store_set *set, struct filter_sql *sql);

/* The field of the filter (or the sort field) whose meaning is per store:
 * the duplicates of a text are counted in its own shard (dup, is:dup) and
 * the compression ratio depends on the shard's dictionary (ratio).  NULL
 * when there is none.  A set of more than one shard refuses them. */
const char *set_filter_per_store(const struct filter_ast *ast);
bool set_sort_per_store(const char *sort);

/* The field of the filter (or the sort field) that reads review state a
 * set keeps in SET/review.pvx: detect's scores (score:, has:score,
 * --sort score), pairs (pair:, sim:, has:pair) and blind-review answers
 * (is:disputed).  Every part's connection reads them from review.pvx
 * (TEMP VIEWs scores, pairs, review_sessions, review_answers,
 * review_votes, review_disputed over review.pvx's tables, which hold
 * global ids: shard k sees the pairs whose other end is in shard j; empty
 * ones when the set has no review.pvx).  NULL when there is none. */
const char *set_filter_review(const struct filter_ast *ast);
const char *set_sort_review(const char *sort);
/* Whether review.pvx is there but cannot be read with the shards (SQLite
 * cannot make its -shm file: a folder the user cannot write): such a
 * filter or sort is then refused (set_filters, set_sort_check, the
 * commands), as it would silently match nothing. */
bool set_review_blind(const struct store_set *set);
/* The message of that refusal, for what (e.g. "the filter's score:"). */
int set_review_refuse(const struct store_set *set, const char *what,
		      struct pv_err *err);

/* The number of documents matching where[k] in part k, signed sum. */
int set_count(struct store_set *set, const struct filter_sql *where, int64_t *n,
	      struct pv_err *err);
/* store_select over the whole set: each listed part selects in the same
 * order (sort, then id; at most limit), shadowed rows skipped, and the
 * rows are merged in C, in the order one store holding them all would
 * give.  cb gets the store of the row's part. */
int set_select(struct store_set *set, const struct filter_sql *where,
	       const char *sort, bool desc, uint64_t limit,
	       int (*cb)(void *ctx, struct store *shard, const struct doc_row *row),
	       void *ctx, struct pv_err *err);
/* stats_compute (stats.h) over the whole set: the groups' counts summed,
 * signed over the parts, and each group's lengths merged in order from
 * every listed part, so that the median and the 90th percentile are
 * exact. */
struct stats;
int set_stats(struct store_set *set, const struct filter_sql *where, const char *by,
	      struct stats *out, struct pv_err *err);
/* store_info_get over the whole set: sums, and the texts of every shard
 * merged by hash, so that distinct texts, duplicates, bytes of distinct
 * text and texts occurring as both real and synthetic are those of one
 * store holding every document. */
int set_info(struct store_set *set, struct store_info *info, struct pv_err *err);
/* The merge itself (info.c), over shards[0..n) read-only stores. */
int store_info_merge(struct store **shards, size_t n, struct store_info *info,
		     struct pv_err *err);

/* SET/review.pvx as set_open read it (read-only), or NULL when the set
 * has none (borrowed): its history is the set's. */
struct store *set_overlay(const struct store_set *set);

/* label_set (label.h) on a set: in ONE transaction of review.pvx (its
 * write lock held, so that two reviewers at once both succeed and lose
 * nothing), the filter is evaluated over the parts as they are then, the
 * documents chosen that review.pvx does not hold yet are copied from
 * their shards, and label's update and history are applied to them: one
 * batch, one undo.  The published shards are only read.  A plain store
 * wrapped as a set of one is labelled in place. */
struct label_change;
struct label_result;
int set_label(struct store_set *set, const struct filter_ast *ast,
	      const struct label_change *changes, size_t n, const char *reviewer,
	      const char *note, const char *command, bool dry_run,
	      struct label_result *res, struct pv_err *err);

#endif
