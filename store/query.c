/*
 * query.c - documents selected by a compiled filter: listing in an order,
 * and counting.  The filter's SQL and its bound parameters come from
 * filter.c; nothing here splices user text into SQL (sort fields are
 * looked up in a fixed table).
 */
#include "store_int.h"
#include "filter.h"

#include <string.h>

/* texts by CROSS JOIN: docs stays the outer loop whatever the statistics
 * say (see add_from in browse.c and store_from below). */
#define FROM " FROM docs d CROSS JOIN texts t ON t.id=d.text_id " \
	     "JOIN inputs i ON i.id=d.input_id "

static const struct { const char *name, *expr; } sorts[] = {
	{ "id", "d.id" },
	{ "len", "d.len" },
	{ "words", "t.words" },
	{ "dup", "t.nocc" },
	{ "ratio", "(t.len * 1.0 / max(length(t.body), 1))" },
	{ "origin", "d.origin" },
	{ "source", "d.source" },
	{ "generator", "d.generator" },
	{ "purpose", "d.purpose" },
	{ "ext", "d.ext_id" },
	{ "file", "i.name" },
	{ "score", "(SELECT score FROM scores WHERE doc_id = d.id)" },
};

const char *store_sort_expr(const char *field)
{
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(sorts); i++)
		if (strcmp(sorts[i].name, field) == 0)
			return sorts[i].expr;
	return NULL;
}

const char *store_sort_fields(void)
{
	return "id, len, words, dup, ratio, origin, source, generator, purpose, ext, file, "
	       "score";
}

/* True when the compiled condition names a column of table alias a ("t."
 * or "i."): the condition is SQL written by filter.c, never user text. */
static bool refers(const char *where, char a)
{
	const char *p;

	for (p = where; (p = strchr(p, a)); p++)
		if (p[1] == '.' && (p == where || !(p[-1] == '_' || p[-1] == '.' ||
		    (p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z') ||
		    (p[-1] >= '0' && p[-1] <= '9'))))
			return true;
	return false;
}

void store_from(const struct filter_sql *where, struct buf *sql)
{
	const char *w = where && where->where ? where->where : "1";

	buf_puts(sql, " FROM docs d ");
	/* CROSS JOIN: SQLite never makes texts the outer loop, which a store
	 * without statistics of texts (or with stale ones) could otherwise
	 * get: a scan of every text and a lookup of its documents, where a
	 * walk of docs (by id, or an index of docs the filter uses) and a
	 * primary-key lookup of each text is never slower (texts has no index
	 * a filter uses; full-text terms match d.text_id) */
	if (refers(w, 't'))
		buf_puts(sql, "CROSS JOIN texts t ON t.id=d.text_id ");
	if (refers(w, 'i'))
		buf_puts(sql, "JOIN inputs i ON i.id=d.input_id ");
}

int store_prep_where(struct store *s, sqlite3_stmt **st, const char *sql,
		     const struct filter_sql *where, const char *what,
		     struct pv_err *err)
{
	int rc;

	if ((rc = store_prep(s, st, sql, what, err)))
		return rc;
	if (where && filter_bind(where, *st, where->first)) {
		rc = store_sqlerr(s, err, "binding the filter");
		sqlite3_finalize(*st);
		*st = NULL;
		return rc;
	}
	return 0;
}

sqlite3_stmt *store_prepare_where(struct store *s, const char *sql,
				  const struct filter_sql *where, const char *what,
				  struct pv_err *err)
{
	sqlite3_stmt *st;

	store_prep_where(s, &st, sql, where, what, err);
	return st;
}

int store_select(struct store *s, const struct filter_sql *where,
		 const char *sort, bool desc, uint64_t limit,
		 int (*cb)(void *ctx, const struct doc_row *row), void *ctx,
		 struct pv_err *err)
{
	const char *order = store_sort_expr(sort ? sort : "id");
	struct buf sql = BUF_INIT;
	struct doc_row row;
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (!order)
		return pv_errf(err, PV_EUSAGE, "cannot sort on '%s' (sort fields: %s)",
			       sort, store_sort_fields());
	/* laid out as store_row_fill reads it, review state and score last */
	buf_puts(&sql, "SELECT d.id,d.text_id,d.input_id,d.rec,d.run_id,t.len,"
		 "length(t.body),t.nocc,t.words,d.ext_id,i.name,d.origin,"
		 "d.source,d.generator,d.purpose,d.meta,d.label,d.note,d.reviewer,"
		 "d.reviewed_at,(SELECT score FROM scores WHERE doc_id = d.id)" FROM "WHERE ");
	buf_puts(&sql, where && where->where ? where->where : "1");
	buf_printf(&sql, " ORDER BY %s %s, d.id %s", order, desc ? "DESC" : "ASC",
		   desc ? "DESC" : "ASC");
	if (limit)
		buf_printf(&sql, " LIMIT %llu", (unsigned long long)limit);
	rc = store_prep_where(s, &st, buf_str(&sql), where, "selecting documents", err);
	buf_done(&sql);
	if (rc)
		return rc;
	memset(&row, 0, sizeof row);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_row_fill(&row, st);
		if ((ret = cb(ctx, &row)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = store_sqlerr(s, err, "selecting documents");
	sqlite3_finalize(st);
	doc_row_done(&row);
	return ret;
}

int store_count(struct store *s, const struct filter_sql *where, int64_t *n,
		struct pv_err *err)
{
	const char *w = where && where->where ? where->where : "1";
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	/* join only the tables the condition names: counting by an index of
	 * docs alone is what makes a count of millions fast */
	buf_puts(&sql, "SELECT count(*)");
	store_from(where, &sql);
	/* everything: no WHERE at all, so that SQLite counts the cells of
	 * an index's pages (OP_Count) instead of stepping through its rows,
	 * which "WHERE 1" makes it do: 15 ms instead of 40 ms for 3M
	 * documents, the count the interface's first screen shows */
	if (strcmp(w, "1") != 0) {
		buf_puts(&sql, "WHERE ");
		buf_puts(&sql, w);
	}
	rc = store_prep_where(s, &st, buf_str(&sql), where, "counting documents", err);
	buf_done(&sql);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sqlerr(s, err, "counting documents");
	return 0;
}
