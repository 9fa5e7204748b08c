/*
 * metaindex.h - indexes on metadata paths (provex index --index-meta PATH),
 * so that meta.PATH:VALUE is an index lookup instead of a read of every
 * document's metadata.
 *
 * Each indexed path is a VIRTUAL generated column of docs, meta_N, whose
 * expression reads the path as the filter does (filter_meta_sql: every
 * reading, first found), with an index docs_meta_N on it; the table
 * meta_index lists them (key = the path as the filter's canonical form
 * prints it).  The filter compiler reads the column for a term on that key
 * (filter_env), so the SQL it writes still holds no user text.  SQLite keeps
 * the index up to date on every insert, whichever program writes.
 */
#ifndef PV_METAINDEX_H
#define PV_METAINDEX_H

#include <stdbool.h>
#include "../common/pv.h"
#include "filter.h"
#include "store.h"

/* The store's metadata indexes as the compiler takes them; owns its
 * strings.  env.meta points into v. */
struct metaidx {
	struct filter_meta_index *v;
	size_t n;
	struct filter_env env;
};

/* Loads the list (empty when the store has none) from s; free with
 * metaidx_done.  (The forms on an SQLite handle: metaindex_int.h.) */
int metaidx_load(struct store *s, struct metaidx *out, struct pv_err *err);
void metaidx_done(struct metaidx *m);       /* NULL allowed; reusable */

/* filter_compile_env with the store's metadata indexes. */
int store_filter_compile(struct store *s, const struct filter_ast *ast, int first,
			 struct filter_sql *out, struct pv_err *err);

/* Indexes the metadata path text (as typed after "meta.", e.g. lang or
 * a."x.y".0) in its own transaction; *created false when it already was.
 * The store must be open for writing and not inside a transaction.
 * PV_EPARSE for a bad path (err->column set). */
int metaidx_create(struct store *s, const char *path_text, bool *created,
		   struct pv_err *err);
/* Drops the index of path_text; *dropped false when there was none. */
int metaidx_drop(struct store *s, const char *path_text, bool *dropped,
		 struct pv_err *err);

/* Up to max distinct metadata paths (as typed after "meta.", e.g.
 * instances.0.output) starting with prefix, read from the metadata of
 * the first and last 1,000 documents (array elements: the first only),
 * sorted by bytes; the caller frees each and the array.  For completion:
 * a sample, not every path of the store. */
int metaidx_paths(struct store *s, const char *prefix, size_t max, char ***out,
		  size_t *n, struct pv_err *err);

#endif
