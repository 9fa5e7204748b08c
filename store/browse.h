/*
 * browse.h - what the interface asks of the store: pages of documents
 * (keyset-paged, so a page costs the same at any position in any store),
 * counts in the background, the filter history and saved filters, values
 * for completion, and relabelling a set of documents by id.
 *
 * Keyset paging: a page is fetched strictly after (or before) the key of
 * the last (first) row shown, ordered by (sort value, id), never with
 * OFFSET.  The cost of a page is that of the index walk to the key, which
 * does not grow with the position.  Sorting by a column without an index
 * on it (words, dup, ratio, file) costs a sort of the matching rows.
 * Documents without a value (source, generator, purpose NULL) come first
 * in ascending order and last in descending order, among themselves by
 * id, as SQLite orders NULLs.
 *
 * Ownership: struct browse_page owns its rows and their strings
 * (browse_page_done).  The counter owns its thread and connection.
 */
#ifndef PV_BROWSE_H
#define PV_BROWSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../common/pv.h"
#include "store.h"
#include "filter.h"
#include "label.h"

/* Bytes of text decompressed for a row's first line. */
#define BROWSE_HEAD 512

/* What a sort value is (the numbers are SQLite's type codes, which
 * browse.c checks, so that the interface needs no SQLite header). */
enum browse_key_type {
	BROWSE_KEY_INTEGER = 1,
	BROWSE_KEY_FLOAT = 2,
	BROWSE_KEY_TEXT = 3,
	BROWSE_KEY_NULL = 5
};

/* The sort value of a row, to page from. */
struct browse_key {
	int64_t id;
	int type;                /* enum browse_key_type */
	int64_t i;
	double d;
	char *s;                 /* owned (SQLITE_TEXT) */
};

struct browse_row {
	int64_t id, text_id, len, words, nocc;
	const char *ext_id, *origin, *source, *generator, *purpose, *label,
		*note, *reviewer;    /* NULL when none; owned by the page */
	const char *head;        /* the first BROWSE_HEAD bytes of the text
				  * (may hold NULs and cut characters) */
	size_t head_len;
	struct browse_key key;   /* the row's sort key (owned by the page: never
				  * browse_key_done it; browse_key_copy it to
				  * keep it past the page) */
};

struct browse_page {
	struct browse_row *rows; /* owned, in display order */
	size_t n;
	bool more;               /* more rows exist past the page's far end */
	struct buf arena;        /* owns the strings */
};

enum browse_dir {
	BROWSE_FIRST,            /* the first n rows */
	BROWSE_LAST,             /* the last n rows (still in display order) */
	BROWSE_AFTER,            /* n rows after key */
	BROWSE_BEFORE            /* n rows before key (in display order) */
};

/* Fetches up to n rows of where (NULL = all), ordered by sort (a field of
 * store_sort_expr; NULL = id), descending when desc, id breaking ties in
 * the same direction.  key is needed for AFTER and BEFORE.  out is
 * initialized in every case.  more says whether rows exist beyond the
 * page in the direction fetched (with n = 0: whether there are any). */
int browse_fetch(struct store *s, const struct filter_sql *where,
		 const char *sort, bool desc, enum browse_dir dir,
		 const struct browse_key *key, size_t n,
		 struct browse_page *out, struct pv_err *err);
/* browse_fetch without the rows' heads (head NULL, head_len 0): for the
 * merge of several stores' pages (set_browse.h), which reads the heads of
 * the rows it keeps only. */
int browse_fetch_bare(struct store *s, const struct filter_sql *where,
		      const char *sort, bool desc, enum browse_dir dir,
		      const struct browse_key *key, size_t n,
		      struct browse_page *out, struct pv_err *err);
void browse_page_done(struct browse_page *p);          /* NULL allowed */
/* dst becomes an independent copy of src (its own string). */
void browse_key_copy(struct browse_key *dst, const struct browse_key *src);
/* Frees a key made by browse_key_copy (NULL allowed). */
void browse_key_done(struct browse_key *k);

/* A copy of row r in one allocation (its strings and head included) that
 * outlives r's page; its key is BROWSE_KEY_NULL.  browse_row_free frees it
 * (NULL allowed). */
struct browse_row *browse_row_copy(const struct browse_row *r);
void browse_row_free(struct browse_row *r);
/* Document id's row, as a page of it would show it, in *out (owned: free
 * with browse_row_free); PV_ENOTFOUND (and *out NULL) when there is no
 * such document. */
int browse_row_get(struct store *s, int64_t id, struct browse_row **out,
		   struct pv_err *err);

/* The number of documents of where before key in (sort, desc) order: the
 * position of the row with that key (0 for the first row).  What the
 * counter counts for a request with a key. */
int browse_position(struct store *s, const struct filter_sql *where,
		    const char *sort, bool desc, const struct browse_key *key,
		    int64_t *n, struct pv_err *err);

/* ---- counting in the background ---- */

/* A thread with its own read connection to the store at path, counting
 * one filter at a time.  A new request replaces the one in progress
 * (interrupting it).  When a count ends, one byte is written to the file
 * descriptor counter_fd(), so a poll() loop wakes up. */
struct counter;
int counter_new(const char *path, struct counter **out, struct pv_err *err);
void counter_free(struct counter *c);                /* NULL allowed; joins */
int counter_fd(const struct counter *c);
/* Asks for the count of filter text (parsed and compiled on the counter's
 * thread), tagged with gen.  Position counts: when key is not NULL, the
 * count is of the rows before key in (sort, desc) order instead. */
void counter_request(struct counter *c, uint64_t gen, const char *filter,
		     const char *sort, bool desc, const struct browse_key *key);
/* The latest finished count: true (and gen, n) when one arrived since the
 * last call.  n < 0 is an error code (the filter does not parse, the store
 * failed). */
bool counter_result(struct counter *c, uint64_t *gen, int64_t *n);

/* ---- filter history and saved filters (kept in the store) ---- */

/* Appends a filter to the history (not when equal to the last entry, nor
 * the empty filter); the oldest entries past the last 1000 are dropped.
 * Takes the write lock unless the caller is inside a transaction. */
int browse_history_add(struct store *s, const char *filter, struct pv_err *err);
/* The last max filters, newest first; the caller frees each and the array. */
int browse_history(struct store *s, size_t max, char ***filters, size_t *n,
		   struct pv_err *err);

/* Saves (or replaces) a named filter.  Names: 1-64 bytes of letters,
 * digits, '-', '_', '.' (else PV_EINVAL, the message naming the offending
 * byte); the filter must parse (else PV_EPARSE with err->column, as
 * filter_parse). */
int browse_save_filter(struct store *s, const char *name, const char *filter,
		       struct pv_err *err);
/* PV_ENOTFOUND when no filter has that name. */
int browse_delete_filter(struct store *s, const char *name, struct pv_err *err);
struct browse_saved {
	char *name, *filter;     /* owned */
};
/* The saved filters, by name; browse_saved_free frees the array. */
int browse_saved(struct store *s, struct browse_saved **out, size_t *n,
		 struct pv_err *err);
void browse_saved_free(struct browse_saved *v, size_t n);

/* ---- completion ---- */

/* Up to max distinct values of field (source, generator, purpose, label,
 * origin, reviewer) starting with prefix (byte for byte, case-sensitive),
 * sorted by bytes; the caller frees each and the array.  Fast on large
 * stores: one index lookup per value returned.  origin gives its three
 * fixed values; reviewer has no index and costs one scan of docs.
 * PV_EUSAGE for another field. */
int browse_values(struct store *s, const char *field, const char *prefix,
		  size_t max, char ***values, size_t *n, struct pv_err *err);

/* ---- one document ---- */

/* The number of history rows of document id. */
int browse_history_count(struct store *s, int64_t id, int64_t *n,
			 struct pv_err *err);

/* ---- relabelling a set of documents ---- */

/* label_set over the documents ids[0..n) (any order, repeats allowed),
 * however many: the ids go through a temporary table, not the filter.
 * Ids of no document are ignored (res->matched counts the others).  The
 * caller must not be inside a transaction (label_set takes the write
 * lock itself). */
int browse_label_ids(struct store *s, const int64_t *ids, size_t n,
		     const struct label_change *changes, size_t nchanges,
		     const char *reviewer, const char *note, const char *command,
		     struct label_result *res, struct pv_err *err);

/* The ids of every document matching where, in id order (for tagging all
 * matches); the caller frees *ids. */
int browse_ids(struct store *s, const struct filter_sql *where, int64_t **ids,
	       size_t *n, struct pv_err *err);

#endif
