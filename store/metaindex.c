/*
 * metaindex.c - indexes on metadata paths (metaindex.h).
 *
 * Design notes:
 *  - A VIRTUAL generated column costs nothing in the table itself; only its
 *    index stores the values.  ALTER TABLE ADD COLUMN of a virtual column
 *    rewrites the schema only, and CREATE INDEX then reads every row once.
 *  - The column's expression is written with the paths as SQL literals
 *    (DDL takes no parameters); they come from filter_meta_sql, which
 *    quotes them, and the path was parsed and checked first.
 *  - Column names are meta_1, meta_2, ...: identifiers provex chose, never
 *    reused while the column exists.
 */
#include "metaindex_int.h"
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

static const char create_table[] =
	"CREATE TABLE IF NOT EXISTS meta_index(\n"
	"  key TEXT PRIMARY KEY,\n"          /* path as the canonical form prints it */
	"  col TEXT NOT NULL UNIQUE,\n"      /* generated column of docs */
	"  created TEXT NOT NULL\n"
	") WITHOUT ROWID";

void metaidx_done(struct metaidx *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		free((char *)m->v[i].key);
		free((char *)m->v[i].column);
	}
	free(m->v);
	memset(m, 0, sizeof *m);
}

int metaidx_load_db(sqlite3 *db, struct metaidx *out, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	/* no table: no index (stores made before there were any) */
	rc = sqlite3_prepare_v2(db, "SELECT key, col FROM meta_index ORDER BY key", -1, &st,
				NULL);
	if (rc != SQLITE_OK) {
		if (sqlite3_table_column_metadata(db, "main", "meta_index", NULL, NULL, NULL,
						  NULL, NULL, NULL) != SQLITE_OK)
			return 0;
		return pv_errf(err, PV_ESTORE, "reading the metadata indexes: %s",
			       sqlite3_errmsg(db));
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *c = (const char *)sqlite3_column_text(st, 1);
		if (!k || !c)
			continue;
		out->v = pv_realloc(out->v, (out->n + 1) * sizeof *out->v);
		out->v[out->n].key = pv_strdup(k);
		out->v[out->n].column = pv_strdup(c);
		out->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		metaidx_done(out);
		return pv_errf(err, rc == SQLITE_BUSY ? PV_EBUSY : PV_ESTORE,
			       "reading the metadata indexes: %s", sqlite3_errstr(rc));
	}
	out->env.meta = out->v;
	out->env.nmeta = out->n;
	return 0;
}

int metaidx_load(struct store *s, struct metaidx *out, struct pv_err *err)
{
	return metaidx_load_db(s->db, out, err);
}

int store_filter_compile_db(sqlite3 *db, const struct filter_ast *ast, int first,
			    struct filter_sql *out, struct pv_err *err)
{
	struct metaidx m;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = metaidx_load_db(db, &m, err)))
		return rc;
	rc = filter_compile_env(ast, first, &m.env, out);
	metaidx_done(&m);
	if (rc)
		return pv_errf(err, rc, "filter too long: it needs more than %d values",
			       FILTER_MAX_PARAMS);
	return 0;
}

int store_filter_compile(struct store *s, const struct filter_ast *ast, int first,
			 struct filter_sql *out, struct pv_err *err)
{
	return store_filter_compile_db(s->db, ast, first, out, err);
}

/* The canonical key of path_text into key, its parsed path into path. */
static int parse_key(const char *path_text, struct filter_path *path, struct buf *key,
		     struct pv_err *err)
{
	int rc;

	if ((rc = filter_path_parse(path_text, path, err)))
		return rc;
	filter_path_canon(path, key);
	return 0;
}

/* The column of key, into col (empty when not indexed). */
static int find_key(struct store *s, const char *key, struct buf *col, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	buf_reset(col);
	if (sqlite3_prepare_v2(s->db, "SELECT col FROM meta_index WHERE key = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "reading the metadata indexes");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		buf_puts(col, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "reading the metadata indexes");
	return 0;
}

/* The first meta_N that docs has no column of. */
static int next_column(struct store *s, struct buf *col, struct pv_err *err)
{
	sqlite3_stmt *st;
	long max = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT name FROM pragma_table_xinfo('docs')", -1, &st,
			       NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "reading the columns of docs");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (name && strncmp(name, "meta_", 5) == 0) {
			long k = strtol(name + 5, NULL, 10);
			if (k > max)
				max = k;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "reading the columns of docs");
	buf_reset(col);
	buf_printf(col, "meta_%ld", max + 1);
	return 0;
}

/* Creates (drop false) or drops the index of path_text in one
 * transaction; *changed false when there was nothing to do. */
static int metaidx_change(struct store *s, const char *path_text, bool drop, bool *changed,
			  struct pv_err *err)
{
	struct filter_path path;
	struct buf key = BUF_INIT, col = BUF_INIT, sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	*changed = false;
	if ((rc = parse_key(path_text, &path, &key, err)))
		return rc;
	if ((rc = store_begin_retry(s, err)))
		goto out;
	if ((rc = store_exec(s->db, create_table, err)) || (rc = find_key(s, key.data, &col, err)))
		goto fail;
	if (drop ? !col.len : col.len > 0) {    /* nothing to do */
		rc = store_commit(s, err);
		goto out;
	}
	if (drop) {
		buf_printf(&sql, "DROP INDEX IF EXISTS docs_%s; ALTER TABLE docs DROP COLUMN %s;",
			   col.data, col.data);
	} else {
		if ((rc = next_column(s, &col, err)))
			goto fail;
		buf_printf(&sql, "ALTER TABLE docs ADD COLUMN %s GENERATED ALWAYS AS (",
			   col.data);
		if ((rc = filter_meta_sql(&path, "meta", &sql, err)))
			goto fail;
		buf_printf(&sql, ") VIRTUAL; CREATE INDEX docs_%s ON docs(%s); ANALYZE docs_%s;",
			   col.data, col.data, col.data);
	}
	if ((rc = store_exec(s->db, sql.data, err)))
		goto fail;
	if (sqlite3_prepare_v2(s->db, drop ? "DELETE FROM meta_index WHERE key = ?1" :
			       "INSERT INTO meta_index(key, col, created) VALUES (?1, ?2, "
			       "strftime('%Y-%m-%dT%H:%M:%SZ','now'))", -1, &st, NULL) != SQLITE_OK) {
		rc = store_sqlerr(s, err, "recording the metadata index");
		goto fail;
	}
	sqlite3_bind_text(st, 1, key.data, -1, SQLITE_STATIC);
	if (!drop)
		sqlite3_bind_text(st, 2, col.data, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "recording the metadata index");
		goto fail;
	}
	if ((rc = store_commit(s, err)))
		goto out;
	*changed = true;
	goto out;
fail:
	store_rollback(s);
out:
	sqlite3_finalize(st);
	filter_path_done(&path);
	buf_done(&key);
	buf_done(&col);
	buf_done(&sql);
	return rc;
}

int metaidx_create(struct store *s, const char *path_text, bool *created,
		   struct pv_err *err)
{
	return metaidx_change(s, path_text, false, created, err);
}

int metaidx_drop(struct store *s, const char *path_text, bool *dropped,
		 struct pv_err *err)
{
	return metaidx_change(s, path_text, true, dropped, err);
}

/* Our path for a json_tree fullkey ($.a."x.y"[0].b -> a."x.y".0.b) into
 * out; false for a path through an array element other than the first. */
static bool path_of_fullkey(const char *fk, struct buf *out)
{
	struct filter_path p;
	const char *q = fk + 1;         /* after '$' */
	bool keep = true;

	memset(&p, 0, sizeof p);
	while (*q && keep) {
		const char *start;
		size_t len;
		if (*q == '[') {
			start = ++q;
			while (*q && *q != ']')
				q++;
			len = (size_t)(q - start);
			keep = len == 1 && *start == '0';
			if (*q)
				q++;
		} else if (*q == '.' && q[1] == '"') {
			start = q += 2;
			while (*q && *q != '"')
				q++;
			len = (size_t)(q - start);
			if (*q)
				q++;
		} else if (*q == '.') {
			start = ++q;
			while (*q && *q != '.' && *q != '[')
				q++;
			len = (size_t)(q - start);
		} else {
			keep = false;
			break;
		}
		p.key = pv_realloc(p.key, (p.n + 1) * sizeof *p.key);
		p.quoted = pv_realloc(p.quoted, (p.n + 1) * sizeof *p.quoted);
		p.key[p.n] = pv_strndup(start, len);
		p.quoted[p.n++] = false;
	}
	if (keep && p.n)
		filter_path_canon(&p, out);
	filter_path_done(&p);
	return keep && out->len;
}

static int by_bytes(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int metaidx_paths(struct store *s, const char *prefix, size_t max, char ***out,
		  size_t *n, struct pv_err *err)
{
	static const char sql[] =
		"SELECT DISTINCT j.fullkey FROM ("
		"  SELECT meta FROM (SELECT meta FROM docs WHERE meta IS NOT NULL "
		"                    ORDER BY id LIMIT 1000) "
		"  UNION ALL "
		"  SELECT meta FROM (SELECT meta FROM docs WHERE meta IS NOT NULL "
		"                    ORDER BY id DESC LIMIT 1000)) d, json_tree(d.meta) j "
		"WHERE j.id > 0 AND json_valid(d.meta)";
	sqlite3_stmt *st;
	struct buf p = BUF_INIT;
	size_t plen = strlen(prefix), cap = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "reading metadata paths");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *fk = (const char *)sqlite3_column_text(st, 0);
		bool dup = false;
		buf_reset(&p);
		if (!fk || !path_of_fullkey(fk, &p) || strncmp(p.data, prefix, plen) != 0)
			continue;
		for (i = 0; i < *n && !dup; i++)
			dup = strcmp((*out)[i], p.data) == 0;
		if (dup)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = pv_realloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = pv_strdup(p.data);
		if (*n >= max * 4)      /* enough to choose from */
			break;
	}
	sqlite3_finalize(st);
	buf_done(&p);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		for (i = 0; i < *n; i++)
			free((*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
		return store_sqlerr(s, err, "reading metadata paths");
	}
	if (*n > 1)
		qsort(*out, *n, sizeof **out, by_bytes);
	while (*n > max)
		free((*out)[--*n]);
	return 0;
}
