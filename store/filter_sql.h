/*
 * filter_sql.h - a compiled filter (filter.h) bound to an SQLite statement:
 * the store's side of the filter, kept out of filter.h so that the files
 * including filter.h (the interface's) do not see SQLite.
 */
#ifndef PV_FILTER_SQL_H
#define PV_FILTER_SQL_H

#include <sqlite3.h>
#include "filter.h"

/* Binds params[k] to ?(first_index + k); first_index must be the number the
 * filter was compiled with (else PV_EINVAL).  Returns 0 or PV_ESTORE. */
int filter_bind(const struct filter_sql *fs, sqlite3_stmt *st, int first_index);

#endif
