/*
 * query.c - documents selected by a compiled filter: listing in an order,
 * and counting.  The filter's SQL and its bound parameters come from
 * filter.c; nothing here splices user text into SQL (sort fields are
 * looked up in the field table, fields.c) and the one FROM builder,
 * store_from, which joins texts and inputs when something reads them.
 */
#include "store_int.h"
#include "filter_sql.h"
#include "fields.h"

#include <stdlib.h>
#include <string.h>

const char *store_sort_expr(const char *field)
{
	const struct field_def *f = field_sort_find(field);

	return f ? f->sql : NULL;
}

const char *store_sort_fields(void)
{
	return field_sort_names();
}

unsigned store_sort_joins(const char *field)
{
	const struct field_def *f = field ? field_sort_find(field) : NULL;

	return f ? store_joins_of(f->flags) : 0;
}

unsigned store_joins_of(unsigned field_flags)
{
	return (field_flags & FIELD_TEXTS ? STORE_JOIN_TEXTS : 0) |
	       (field_flags & FIELD_INPUTS ? STORE_JOIN_INPUTS : 0);
}

void store_from_joins(const struct filter_sql *where, unsigned joins, struct buf *sql)
{
	if (where && where->needs_texts)
		joins |= STORE_JOIN_TEXTS;
	if (where && where->needs_inputs)
		joins |= STORE_JOIN_INPUTS;
	buf_puts(sql, " FROM docs d ");
	/* CROSS JOIN: SQLite never makes texts the outer loop, which a store
	 * without statistics of texts (or with stale ones) could otherwise
	 * get: a scan of every text and a lookup of its documents, where a
	 * walk of docs (by id, or an index of docs the filter uses) and a
	 * primary-key lookup of each text is never slower (texts has no index
	 * a filter or a sort uses; full-text terms match d.text_id).  With a
	 * plain JOIN, a store whose sqlite_stat1 has docs but not texts (every
	 * store an index run wrote before texts was analysed) makes SQLite
	 * guess a million texts, and once docs is larger it scans every text
	 * for each page (1.4 s for the first screen of 3M documents instead
	 * of 26 ms).  inputs keeps a plain JOIN: SQLite may put it first when
	 * a file: filter picks few of many inputs (tests/unit/test_plans.c
	 * reads the plans for small and huge statistics). */
	if (joins & STORE_JOIN_TEXTS)
		buf_puts(sql, "CROSS JOIN texts t ON t.id=d.text_id ");
	if (joins & STORE_JOIN_INPUTS)
		buf_puts(sql, "JOIN inputs i ON i.id=d.input_id ");
}

void store_from(const struct filter_sql *where, struct buf *sql)
{
	store_from_joins(where, 0, sql);
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

struct store_cursor {
	struct store *s;
	sqlite3_stmt *st;
	struct doc_row row;
	struct store_key key;
	int key_col;                /* the sort value's column */
};

int store_cursor_open(struct store *s, const struct filter_sql *where,
		      const char *sort, bool desc, uint64_t limit,
		      struct store_cursor **out, struct pv_err *err)
{
	const char *order = store_sort_expr(sort ? sort : "id");
	struct buf sql = BUF_INIT;
	struct store_cursor *c;
	int rc;

	*out = NULL;
	if (!order)
		return pv_errf(err, PV_EUSAGE, "cannot sort on '%s' (sort fields: %s)",
			       sort, store_sort_fields());
	/* laid out as store_row_fill reads it, review state and score last,
	 * then the sort value (for a merge of several stores' selections) */
	buf_puts(&sql, "SELECT d.id,d.text_id,d.input_id,d.rec,d.run_id,t.len,"
		 "length(t.body),t.nocc,t.words,d.ext_id,i.name,d.origin,"
		 "d.source,d.generator,d.purpose,d.meta,d.label,d.note,d.reviewer,"
		 "d.reviewed_at,(SELECT score FROM scores WHERE doc_id = d.id),");
	buf_puts(&sql, order);
	store_from_joins(where, STORE_JOIN_TEXTS | STORE_JOIN_INPUTS, &sql);
	buf_puts(&sql, "WHERE ");
	buf_puts(&sql, where && where->where ? where->where : "1");
	buf_printf(&sql, " ORDER BY %s %s, d.id %s", order, desc ? "DESC" : "ASC",
		   desc ? "DESC" : "ASC");
	if (limit)
		buf_printf(&sql, " LIMIT %llu", (unsigned long long)limit);
	c = pv_calloc(1, sizeof *c);
	c->s = s;
	c->key_col = 21;
	rc = store_prep_where(s, &c->st, buf_str(&sql), where, "selecting documents", err);
	buf_done(&sql);
	if (rc) {
		store_cursor_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

int store_cursor_next(struct store_cursor *c, struct pv_err *err)
{
	int rc = sqlite3_step(c->st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_sqlerr(c->s, err, "selecting documents");
	store_row_fill(&c->row, c->st);
	c->key.type = sqlite3_column_type(c->st, c->key_col);
	buf_reset(&c->key.bytes);
	switch (c->key.type) {
	case SQLITE_INTEGER:
		c->key.i = sqlite3_column_int64(c->st, c->key_col);
		break;
	case SQLITE_FLOAT:
		c->key.d = sqlite3_column_double(c->st, c->key_col);
		break;
	case SQLITE_TEXT:
	case SQLITE_BLOB: {
		const void *p = c->key.type == SQLITE_TEXT ?
			(const void *)sqlite3_column_text(c->st, c->key_col) :
			sqlite3_column_blob(c->st, c->key_col);
		int n = sqlite3_column_bytes(c->st, c->key_col);
		if (p && n > 0)
			buf_append(&c->key.bytes, p, (size_t)n);
		break;
	}
	}
	return 1;
}

const struct doc_row *store_cursor_row(const struct store_cursor *c)
{
	return &c->row;
}

const struct store_key *store_cursor_key(const struct store_cursor *c)
{
	return &c->key;
}

void store_cursor_close(struct store_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	doc_row_done(&c->row);
	buf_done(&c->key.bytes);
	free(c);
}

/* An integer against a real as SQLite compares them (its
 * sqlite3IntFloatCompare, without long double): exactly, even where the
 * integer has no exact double. */
static int int_real_cmp(int64_t i, double r)
{
	int64_t y;
	double x;

	if (r < -9223372036854775808.0)
		return 1;
	if (r >= 9223372036854775808.0)
		return -1;
	y = (int64_t)r;
	if (i < y)
		return -1;
	if (i > y)
		return 1;
	x = (double)i;
	return x < r ? -1 : x > r;
}

/* The rank of a storage class in SQLite's order: NULL, numbers, text,
 * blobs. */
static int key_class(int type)
{
	switch (type) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		return 1;
	case SQLITE_TEXT:
		return 2;
	default:
		return 3;
	}
}

int store_key_cmp(const struct store_key *a, const struct store_key *b)
{
	int ca = key_class(a->type), cb = key_class(b->type);
	size_t n;
	int d;

	if (ca != cb)
		return ca < cb ? -1 : 1;
	if (ca == 0)
		return 0;
	if (ca == 1) {
		if (a->type == SQLITE_INTEGER && b->type == SQLITE_INTEGER)
			return a->i < b->i ? -1 : a->i > b->i;
		if (a->type == SQLITE_INTEGER)
			return int_real_cmp(a->i, b->d);
		if (b->type == SQLITE_INTEGER)
			return -int_real_cmp(b->i, a->d);
		return a->d < b->d ? -1 : a->d > b->d;
	}
	/* BINARY collation: memcmp, then the shorter first */
	n = PV_MIN(a->bytes.len, b->bytes.len);
	d = n ? memcmp(a->bytes.data, b->bytes.data, n) : 0;
	if (d)
		return d < 0 ? -1 : 1;
	return a->bytes.len < b->bytes.len ? -1 : a->bytes.len > b->bytes.len;
}

int store_select(struct store *s, const struct filter_sql *where,
		 const char *sort, bool desc, uint64_t limit,
		 int (*cb)(void *ctx, const struct doc_row *row), void *ctx,
		 struct pv_err *err)
{
	struct store_cursor *c;
	int rc, ret = 0;

	if ((rc = store_cursor_open(s, where, sort, desc, limit, &c, err)))
		return rc;
	while ((rc = store_cursor_next(c, err)) == 1)
		if ((ret = cb(ctx, &c->row)))
			break;
	if (!ret && rc < 0)
		ret = rc;
	store_cursor_close(c);
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
