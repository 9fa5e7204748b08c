/*
 * browse_saved.c - what the interface keeps in the store and reads back
 * (browse.h): the filter history, saved filters, and the values a field
 * takes, for completion.
 */
#include "store_int.h"
#include "browse.h"

#include <stdlib.h>
#include <string.h>

/* Entries kept in filter_history. */
#define HISTORY_KEEP 1000
/* Longest saved filter name. */
#define SAVED_NAME_MAX 64

/* ---- small statements ---- */

/* Collects column 0 of every row as a string (NULLs skipped) into a new
 * array. */
static int collect_strings(struct store *s, sqlite3_stmt *st, const char *what,
			   char ***out, size_t *n, struct pv_err *err)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);

		if (!v)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = pv_realloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = pv_strndup((const char *)v,
					    (size_t)sqlite3_column_bytes(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, what);
		while (*n)
			free((*out)[--*n]);
		free(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

/* Runs f inside a write transaction of its own, unless the caller holds
 * one already. */
static int in_tx(struct store *s, int (*f)(struct store *, const void *,
					   struct pv_err *),
		 const void *arg, struct pv_err *err)
{
	bool own = !s->in_tx;
	int rc;

	if (own && (rc = store_begin(s, err)))
		return rc;
	rc = f(s, arg, err);
	if (!own)
		return rc;
	if (rc) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

/* ---- filter history ---- */

static int history_add(struct store *s, const void *arg, struct pv_err *err)
{
	const char *filter = arg;
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prep(s, &st, "SELECT filter FROM filter_history "
			     "ORDER BY id DESC LIMIT 1", "reading the filter history", err)))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) &&
	    strcmp((const char *)sqlite3_column_text(st, 0), filter) == 0) {
		sqlite3_finalize(st);
		return 0;           /* the newest entry already */
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "reading the filter history");
	if ((rc = store_prep(s, &st, "INSERT INTO filter_history(filter,at) VALUES(?1,"
			     "strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
			     "adding to the filter history", err)))
		return rc;
	sqlite3_bind_text(st, 1, filter, -1, SQLITE_STATIC);
	if ((rc = store_step_done(s, st, "adding to the filter history", err)))
		return rc;
	if ((rc = store_prep(s, &st, "DELETE FROM filter_history WHERE id <= (SELECT id "
			     "FROM filter_history ORDER BY id DESC LIMIT 1 OFFSET ?1)",
			     "trimming the filter history", err)))
		return rc;
	sqlite3_bind_int(st, 1, HISTORY_KEEP);
	return store_step_done(s, st, "trimming the filter history", err);
}

int browse_history_add(struct store *s, const char *filter, struct pv_err *err)
{
	if (!filter || !*filter)
		return 0;
	return in_tx(s, history_add, filter, err);
}

int browse_history(struct store *s, size_t max, char ***filters, size_t *n,
		   struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*filters = NULL;
	*n = 0;
	if (max == 0)
		return 0;
	if ((rc = store_prep(s, &st, "SELECT filter FROM filter_history "
			     "ORDER BY id DESC LIMIT ?1", "reading the filter history", err)))
		return rc;
	sqlite3_bind_int64(st, 1, max > INT64_MAX ? INT64_MAX : (int64_t)max);
	return collect_strings(s, st, "reading the filter history", filters, n, err);
}

/* ---- saved filters ---- */

static int check_name(const char *name, struct pv_err *err)
{
	size_t len = name ? strlen(name) : 0, i;

	if (len == 0)
		return pv_errf(err, PV_EINVAL, "a saved filter needs a name");
	if (len > SAVED_NAME_MAX)
		return pv_errf(err, PV_EINVAL, "the filter name is %zu bytes long; "
			       "at most %d are allowed", len, SAVED_NAME_MAX);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.')
			continue;
		if (ch < 0x20 || ch >= 0x7f)
			return pv_errf(err, PV_EINVAL, "a filter name holds the byte "
				       "0x%02x at position %zu; names are ASCII "
				       "letters, digits, '-', '_' and '.'", ch, i + 1);
		return pv_errf(err, PV_EINVAL, "the filter name '%s' holds '%c' at "
			       "position %zu; names are letters, digits, '-', '_' "
			       "and '.'", name, ch, i + 1);
	}
	return 0;
}

struct save_arg {
	const char *name, *filter;
};

static int save_filter(struct store *s, const void *arg, struct pv_err *err)
{
	const struct save_arg *a = arg;
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prep(s, &st, "INSERT OR REPLACE INTO saved_filters(name,"
			     "filter,saved_at) VALUES(?1,?2,"
			     "strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
			     "saving a filter", err)))
		return rc;
	sqlite3_bind_text(st, 1, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->filter, -1, SQLITE_STATIC);
	return store_step_done(s, st, "saving a filter", err);
}

int browse_save_filter(struct store *s, const char *name, const char *filter,
		       struct pv_err *err)
{
	struct filter_ast *ast = NULL;
	struct save_arg a = { name, filter ? filter : "" };
	int rc;

	if ((rc = check_name(name, err)))
		return rc;
	if ((rc = filter_parse(a.filter, &ast, err)))
		return rc;
	filter_free(ast);
	return in_tx(s, save_filter, &a, err);
}

static int delete_filter(struct store *s, const void *arg, struct pv_err *err)
{
	const char *name = arg;
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prep(s, &st, "DELETE FROM saved_filters WHERE name=?1",
			     "deleting a saved filter", err)))
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = store_step_done(s, st, "deleting a saved filter", err)))
		return rc;
	if (sqlite3_changes(s->db) == 0)
		return pv_errf(err, PV_ENOTFOUND, "no saved filter is named '%s'",
			       name);
	return 0;
}

int browse_delete_filter(struct store *s, const char *name, struct pv_err *err)
{
	int rc;

	if ((rc = check_name(name, err)))
		return rc;
	return in_tx(s, delete_filter, name, err);
}

int browse_saved(struct store *s, struct browse_saved **out, size_t *n,
		 struct pv_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_prep(s, &st, "SELECT name,filter FROM saved_filters ORDER BY name",
			     "reading the saved filters", err)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *nm = (const char *)sqlite3_column_text(st, 0);
		const char *f = (const char *)sqlite3_column_text(st, 1);

		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = pv_realloc(*out, cap * sizeof **out);
		}
		(*out)[*n].name = pv_strdup(nm ? nm : "");
		(*out)[*n].filter = pv_strdup(f ? f : "");
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "reading the saved filters");
		browse_saved_free(*out, *n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return 0;
}

void browse_saved_free(struct browse_saved *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].filter);
	}
	free(v);
}

/* ---- completion ---- */

/* The fields completed from the store: column, and whether an index has it
 * as its first column. */
static const struct { const char *field, *col; bool indexed; } value_cols[] = {
	{ "source", "source", true },          /* docs_source_len */
	{ "generator", "generator", true },    /* docs_generator */
	{ "purpose", "purpose", true },        /* docs_purpose */
	{ "label", "label", true },            /* docs_label */
	{ "reviewer", "reviewer", false },     /* no index: one scan */
};

/* The smallest string greater than every string starting with prefix (of
 * len bytes), in out (len bytes at most); its length, or 0 when there is
 * none (empty prefix, or only 0xff bytes). */
static size_t successor(const char *prefix, size_t len, char *out)
{
	while (len > 0 && (unsigned char)prefix[len - 1] == 0xff)
		len--;
	if (len == 0)
		return 0;
	memcpy(out, prefix, len);
	out[len - 1] = (char)((unsigned char)out[len - 1] + 1);
	return len;
}

/* Distinct values of col (indexed) from prefix (plen bytes) up to succ
 * (slen bytes, none when 0), at most max, by one index lookup each. */
static int skip_scan(struct store *s, const char *col, const char *prefix,
		     size_t plen, const char *succ, size_t slen, size_t max,
		     char ***values, size_t *n, struct pv_err *err)
{
	sqlite3_stmt *st[2] = { NULL, NULL }, *cur;
	size_t cap = 0;
	int i, rc = SQLITE_DONE;

	for (i = 0; i < 2; i++) {
		struct buf sql = BUF_INIT;

		buf_printf(&sql, "SELECT %s FROM docs WHERE %s %s ?1", col, col,
			   i == 0 ? ">=" : ">");
		if (slen)
			buf_printf(&sql, " AND %s < ?2", col);
		buf_printf(&sql, " ORDER BY %s LIMIT 1", col);
		rc = store_prep(s, &st[i], buf_str(&sql), "completing values", err);
		buf_done(&sql);
		if (rc) {
			sqlite3_finalize(st[0]);
			return rc;
		}
		if (slen)
			sqlite3_bind_text(st[i], 2, succ, (int)slen, SQLITE_STATIC);
	}
	cur = st[0];
	sqlite3_bind_text(cur, 1, prefix, (int)plen, SQLITE_STATIC);
	while (*n < max && (rc = sqlite3_step(cur)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*values = pv_realloc(*values, cap * sizeof **values);
		}
		(*values)[*n] = pv_strndup((const char *)sqlite3_column_text(cur, 0),
					   (size_t)sqlite3_column_bytes(cur, 0));
		sqlite3_reset(cur);
		cur = st[1];
		/* the string outlives the statement's use of it */
		sqlite3_bind_text(cur, 1, (*values)[*n], -1, SQLITE_STATIC);
		(*n)++;
		rc = SQLITE_DONE;
	}
	if (rc != SQLITE_DONE)
		rc = store_sqlerr(s, err, "completing values");
	else
		rc = 0;
	sqlite3_finalize(st[0]);
	sqlite3_finalize(st[1]);
	if (rc) {
		while (*n)
			free((*values)[--*n]);
		free(*values);
		*values = NULL;
	}
	return rc;
}

int browse_values(struct store *s, const char *field, const char *prefix,
		  size_t max, char ***values, size_t *n, struct pv_err *err)
{
	static const char *const origins[] = { "real", "synthetic", "unknown" };
	size_t plen = prefix ? strlen(prefix) : 0, slen, i, cap = 0;
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	char *succ;
	int rc, k = -1;

	*values = NULL;
	*n = 0;
	if (!prefix)
		prefix = "";
	if (strcmp(field, "origin") == 0) {
		for (i = 0; i < PV_ARRAY_LEN(origins) && *n < max; i++)
			if (strncmp(origins[i], prefix, plen) == 0) {
				if (*n == cap) {
					cap = PV_ARRAY_LEN(origins);
					*values = pv_realloc(*values, cap * sizeof **values);
				}
				(*values)[(*n)++] = pv_strdup(origins[i]);
			}
		return 0;
	}
	for (i = 0; i < PV_ARRAY_LEN(value_cols); i++)
		if (strcmp(value_cols[i].field, field) == 0)
			k = (int)i;
	if (k < 0)
		return pv_errf(err, PV_EUSAGE, "no values to complete for '%s' (fields: "
			       "source, generator, purpose, label, origin, reviewer)",
			       field);
	if (max == 0)
		return 0;
	succ = pv_malloc(plen + 1);
	slen = successor(prefix, plen, succ);
	if (!value_cols[k].indexed) {
		/* one scan of docs, for a column without an index */
		buf_printf(&sql, "SELECT DISTINCT %s FROM docs WHERE %s >= ?1",
			   value_cols[k].col, value_cols[k].col);
		if (slen)
			buf_printf(&sql, " AND %s < ?2", value_cols[k].col);
		buf_puts(&sql, " ORDER BY 1 LIMIT ?3");
		rc = store_prep(s, &st, buf_str(&sql), "completing values", err);
		buf_done(&sql);
		if (rc) {
			free(succ);
			return rc;
		}
		sqlite3_bind_text(st, 1, prefix, (int)plen, SQLITE_STATIC);
		if (slen)
			sqlite3_bind_text(st, 2, succ, (int)slen, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, max > INT64_MAX ? INT64_MAX : (int64_t)max);
		rc = collect_strings(s, st, "completing values", values, n, err);
		free(succ);
		return rc;
	}
	/* a skip-scan of the index: each next distinct value is the first
	 * entry past the previous one, a lookup of its own */
	rc = skip_scan(s, value_cols[k].col, prefix, plen, succ, slen, max,
		       values, n, err);
	free(succ);
	return rc;
}
