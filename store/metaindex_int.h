/*
 * metaindex_int.h - the metadata indexes on an open SQLite handle, for the
 * store's own source files; the rest of provex goes through struct store
 * (metaindex.h), so that no SQLite type reaches the interface.
 */
#ifndef PV_METAINDEX_INT_H
#define PV_METAINDEX_INT_H

#include <sqlite3.h>
#include "metaindex.h"

/* metaidx_load and store_filter_compile on db rather than a store. */
int metaidx_load_db(sqlite3 *db, struct metaidx *out, struct pv_err *err);
int store_filter_compile_db(sqlite3 *db, const struct filter_ast *ast, int first,
			    struct filter_sql *out, struct pv_err *err);

#endif
