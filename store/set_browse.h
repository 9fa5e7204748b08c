/*
 * set_browse.h - what the interface asks of a set of stores (set.h): the
 * functions of browse.h over every part of the set (set.h's parts: each
 * shard as published, and where the review overlay changed documents,
 * the rows it replaces and its own), merged here in C, so that tui/ reads
 * a set as it reads a store and never sees SQLite.
 *
 * Pages: each listed part's page after (before) the same key, at most n
 * rows past the key each, the rows the overlay shadows left out; the
 * union sorted by (sort value, id) and cut to n.  A page therefore costs
 * one keyset query per part, whatever the position.  Counts and positions
 * are the signed sums over the parts.  A plain store wrapped as a set of
 * one (set_of_store) goes straight to browse.c.
 *
 * The filter fields and sort fields whose meaning is per store (dup, ratio:
 * set_filter_per_store) are refused on a set of more than one shard, as
 * the command line refuses them (PV_EUSAGE, the message saying why).
 *
 * Ownership: pages and rows as browse.h; a struct set_where owns its
 * compiled filters (set_where_done).
 */
#ifndef PV_SET_BROWSE_H
#define PV_SET_BROWSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "../common/pv.h"
#include "store.h"
#include "set.h"
#include "browse.h"

/* A filter compiled for each part of a set (each part's store has its own
 * metadata indexes). */
struct set_where {
	struct filter_sql *w;        /* owned: w[k] for part k */
	size_t n;                    /* the parts it was compiled for */
};

/* Compiles ast for every part of set; refuses (PV_EUSAGE) a per-store
 * field on a set of more than one shard.  out is initialized in every
 * case. */
int set_where_compile(struct store_set *set, const struct filter_ast *ast,
		      struct set_where *out, struct pv_err *err);
void set_where_done(struct set_where *w);              /* NULL allowed */
/* PV_EUSAGE (the message saying why) when sort is per store on set. */
int set_sort_check(const struct store_set *set, const char *sort, struct pv_err *err);
/* Whether sort may be used on set (set_sort_check without a message). */
bool set_sort_ok(const struct store_set *set, const char *sort);

/* browse_fetch over the set. */
int set_browse_fetch(struct store_set *set, const struct set_where *where,
		     const char *sort, bool desc, enum browse_dir dir,
		     const struct browse_key *key, size_t n,
		     struct browse_page *out, struct pv_err *err);
/* browse_position over the set (the signed sum over its parts). */
int set_browse_position(struct store_set *set, const struct set_where *where,
			const char *sort, bool desc, const struct browse_key *key,
			int64_t *n, struct pv_err *err);
/* store_count over the set (the signed sum over its parts). */
int set_browse_count(struct store_set *set, const struct set_where *where,
		     int64_t *n, struct pv_err *err);
/* browse_row_get over the set: the document as the set shows it (the
 * overlay's copy when it holds one); its nocc counts the whole set. */
int set_browse_row_get(struct store_set *set, int64_t id, struct browse_row **out,
		       struct pv_err *err);
/* store_doc_get over the set, as set_browse_row_get. */
int set_browse_doc_get(struct store_set *set, int64_t id, struct doc_row *row,
		       struct pv_err *err);
/* The store holding document id's text (and inputs): its shard as
 * published.  NULL when no shard can hold id. */
struct store *set_browse_store_of(struct store_set *set, int64_t id);
/* browse_ids over the set: every matching id, ascending. */
int set_browse_ids(struct store_set *set, const struct set_where *where,
		   int64_t **ids, size_t *n, struct pv_err *err);
/* browse_values over the set: the union of the parts' values, sorted,
 * at most max. */
int set_browse_values(struct store_set *set, const char *field, const char *prefix,
		      size_t max, char ***values, size_t *n, struct pv_err *err);
/* metaidx_paths over the set: the union of the shards' samples. */
int set_browse_paths(struct store_set *set, const char *prefix, size_t max,
		     char ***out, size_t *n, struct pv_err *err);
/* The state on disk of a set's review overlay (SET/review.pvx and its
 * WAL, where a label's commit lands first): their sizes and times of
 * change, to tell whether a label committed since a set was opened. */
struct set_stamp {
	struct timespec at;
	long long size;
};
/* dir's stamp now into *now; true when it is not *was (always when was
 * is NULL), false for a store (not a folder). */
bool set_browse_stamp(const char *dir, const struct set_stamp *was,
		      struct set_stamp *now);
/* Stops the statement running on any of the set's connections (from
 * another thread; the set must not be closed meanwhile). */
void set_browse_interrupt(struct store_set *set);
/* Whether the last failure on one of the set's connections was an
 * interruption. */
bool set_browse_interrupted(struct store_set *set);

#endif
