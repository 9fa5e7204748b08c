/*
 * info.c - what is in a store: counts, sizes, groups by provenance.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int q_int(struct store *s, const char *sql, int64_t *out, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
		return store_sqlerr(s, err, "summarising the store");
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "summarising the store");
	return 0;
}

static int groups(struct store *s, const char *col, struct store_group **out,
		  size_t *n, struct pv_err *err)
{
	char sql[256];
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	snprintf(sql, sizeof sql,
		 "SELECT coalesce(d.%s,''), count(*), sum(t.len) FROM docs d "
		 "JOIN texts t ON t.id=d.text_id GROUP BY 1 ORDER BY 2 DESC, 1",
		 col);
	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
		return store_sqlerr(s, err, "summarising the store");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = pv_realloc(*out, cap * sizeof **out);
		}
		(*out)[*n].value = pv_strdup((const char *)sqlite3_column_text(st, 0));
		(*out)[*n].docs = sqlite3_column_int64(st, 1);
		(*out)[*n].bytes = sqlite3_column_int64(st, 2);
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "summarising the store");
	return 0;
}

int store_info_get(struct store *s, struct store_info *info, struct pv_err *err)
{
	static const char *const cols[4] = { "origin", "source", "generator", "purpose" };
	int64_t v = 0;
	struct stat st;
	char wal[4200];
	int rc, i;

	memset(info, 0, sizeof *info);
	info->schema_version = STORE_SCHEMA_VERSION;
	if ((rc = q_int(s, "SELECT count(*) FROM docs", &info->docs, err)) ||
	    (rc = q_int(s, "SELECT count(*) FROM texts", &info->texts, err)) ||
	    (rc = q_int(s, "SELECT count(*) FROM texts WHERE nocc>1", &info->dup_texts, err)) ||
	    (rc = q_int(s, "SELECT coalesce(sum(len),0) FROM texts", &info->bytes_raw, err)) ||
	    (rc = q_int(s, "SELECT coalesce(sum(len*nocc),0) FROM texts", &info->bytes_docs, err)) ||
	    (rc = q_int(s, "SELECT coalesce(sum(length(body)),0) FROM texts", &info->bytes_stored, err)) ||
	    (rc = q_int(s, "SELECT count(*) FROM dicts", &info->dict_count, err)) ||
	    (rc = q_int(s, "SELECT coalesce(sum(length(data)),0) FROM dicts", &info->dict_bytes, err)) ||
	    (rc = q_int(s, "SELECT count(*) FROM inputs", &info->inputs, err)) ||
	    (rc = q_int(s, "SELECT count(*) FROM runs", &info->runs, err)) ||
	    (rc = q_int(s, "PRAGMA user_version", &v, err)) ||
	    (rc = q_int(s, "SELECT count(*) FROM texts t WHERE t.nocc>1 AND "
			"EXISTS(SELECT 1 FROM docs WHERE text_id=t.id AND origin='real') AND "
			"EXISTS(SELECT 1 FROM docs WHERE text_id=t.id AND origin='synthetic')",
			&info->cross_origin_texts, err)))
		return rc;
	info->schema_version = (int)v;
	info->dup_docs = info->docs - info->texts;
	for (i = 0; i < 4; i++)
		if ((rc = groups(s, cols[i], &info->by[i], &info->nby[i], err)))
			return rc;
	if (stat(s->path, &st) == 0)
		info->file_bytes += st.st_size;
	snprintf(wal, sizeof wal, "%s-wal", s->path);
	if (stat(wal, &st) == 0)
		info->file_bytes += st.st_size;
	return 0;
}

void store_info_done(struct store_info *info)
{
	size_t i, j;

	for (i = 0; i < 4; i++) {
		for (j = 0; j < info->nby[i]; j++)
			free(info->by[i][j].value);
		free(info->by[i]);
	}
	memset(info, 0, sizeof *info);
}
