/*
 * info.c - what is in a store: counts, sizes, groups by provenance; and
 * the same for the shards of a set merged (store_info_merge).
 */
#include "store_int.h"
#include "set.h"

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

/* ---- a set's shards merged ---- */

/* One shard's texts in hash order, for the merge. */
struct text_walk {
	sqlite3_stmt *st;
	struct store *s;
	const unsigned char *hash;  /* the current row's, 16 bytes */
};

static int walk_step(struct text_walk *w, struct pv_err *err)
{
	int rc = sqlite3_step(w->st);

	if (rc == SQLITE_ROW) {
		w->hash = sqlite3_column_blob(w->st, 0);
		if (sqlite3_column_bytes(w->st, 0) != 16)
			return pv_errf(err, PV_ESTORE, "%s: a text whose hash is not 16 "
				       "bytes: the store is damaged", w->s->path);
		return 1;
	}
	if (rc == SQLITE_DONE)
		return 0;
	return store_sqlerr(w->s, err, "summarising the set");
}

static void walk_down(struct text_walk *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct text_walk t;
		if (l < n && memcmp(h[l].hash, h[m].hash, 16) < 0)
			m = l;
		if (l + 1 < n && memcmp(h[l + 1].hash, h[m].hash, 16) < 0)
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* The texts of every shard merged by hash: a text stored in several
 * shards is one text of the set, its documents the sum of theirs. */
static int merge_texts(struct store **shards, size_t n, struct store_info *info,
		       struct pv_err *err)
{
	struct text_walk *h = pv_calloc(n, sizeof *h);
	size_t k, live = 0;
	int rc = 0;

	for (k = 0; k < n; k++) {
		struct text_walk *w = &h[live];
		w->s = shards[k];
		if ((rc = store_prep(w->s, &w->st, "SELECT t.hash,t.nocc,t.len,"
				     "EXISTS(SELECT 1 FROM docs WHERE text_id=t.id AND "
				     "origin='real'),EXISTS(SELECT 1 FROM docs WHERE "
				     "text_id=t.id AND origin='synthetic') FROM texts t "
				     "ORDER BY t.hash", "summarising the set", err)))
			goto out;
		live++;
		if ((rc = walk_step(w, err)) < 0)
			goto out;
		if (rc == 0) {
			sqlite3_finalize(w->st);
			live--;
		}
	}
	rc = 0;
	for (k = live / 2; k-- > 0; )
		walk_down(h, live, k);
	while (live) {
		unsigned char cur[16];
		int64_t nocc = 0, len = 0;
		bool real = false, synth = false;
		memcpy(cur, h[0].hash, 16);
		/* every shard's row of this hash: each is at its head */
		while (live && memcmp(h[0].hash, cur, 16) == 0) {
			sqlite3_stmt *st = h[0].st;
			nocc += sqlite3_column_int64(st, 1);
			len = sqlite3_column_int64(st, 2);
			real |= sqlite3_column_int(st, 3) != 0;
			synth |= sqlite3_column_int(st, 4) != 0;
			if ((rc = walk_step(&h[0], err)) < 0)
				goto out;
			if (rc == 0) {
				sqlite3_finalize(h[0].st);
				h[0] = h[--live];
			}
			rc = 0;
			walk_down(h, live, 0);
		}
		info->texts++;
		info->bytes_raw += len;
		info->dup_texts += nocc > 1;
		info->cross_origin_texts += real && synth;
	}
out:
	for (k = 0; k < live; k++)
		sqlite3_finalize(h[k].st);
	free(h);
	return rc;
}

static int group_order(const void *a, const void *b)
{
	const struct store_group *x = a, *y = b;

	if (x->docs != y->docs)
		return x->docs > y->docs ? -1 : 1;
	return strcmp(x->value, y->value);
}

/* Adds the groups g[0..n) of a shard to the set's (freeing them). */
static void merge_groups(struct store_group **all, size_t *nall, size_t *cap,
			 struct store_group *g, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < *nall; j++)
			if (strcmp((*all)[j].value, g[i].value) == 0)
				break;
		if (j < *nall) {
			(*all)[j].docs += g[i].docs;
			(*all)[j].bytes += g[i].bytes;
			free(g[i].value);
			continue;
		}
		if (*nall == *cap) {
			*cap = *cap ? *cap * 2 : 8;
			*all = pv_realloc(*all, *cap * sizeof **all);
		}
		(*all)[(*nall)++] = g[i];
	}
	free(g);
}

int store_info_merge(struct store **shards, size_t n, struct store_info *info,
		     struct pv_err *err)
{
	static const char *const cols[4] = { "origin", "source", "generator", "purpose" };
	static const char *const sums[] = {
		"SELECT count(*) FROM docs",
		"SELECT coalesce(sum(len*nocc),0) FROM texts",
		"SELECT coalesce(sum(length(body)),0) FROM texts",
		"SELECT count(*) FROM dicts",
		"SELECT coalesce(sum(length(data)),0) FROM dicts",
		"SELECT count(*) FROM inputs",
		"SELECT count(*) FROM runs",
	};
	int64_t *to[PV_ARRAY_LEN(sums)];
	size_t cap[4] = { 0 };
	size_t k, i;
	int64_t v = 0;
	int rc;

	memset(info, 0, sizeof *info);
	to[0] = &info->docs;
	to[1] = &info->bytes_docs;
	to[2] = &info->bytes_stored;
	to[3] = &info->dict_count;
	to[4] = &info->dict_bytes;
	to[5] = &info->inputs;
	to[6] = &info->runs;
	if (!n)
		return 0;
	if ((rc = q_int(shards[0], "PRAGMA user_version", &v, err)))
		return rc;
	info->schema_version = (int)v;
	for (k = 0; k < n; k++) {
		struct stat st;
		for (i = 0; i < PV_ARRAY_LEN(sums); i++) {
			if ((rc = q_int(shards[k], sums[i], &v, err)))
				return rc;
			*to[i] += v;
		}
		for (i = 0; i < 4; i++) {
			struct store_group *g;
			size_t ng;
			if ((rc = groups(shards[k], cols[i], &g, &ng, err)))
				return rc;
			merge_groups(&info->by[i], &info->nby[i], &cap[i], g, ng);
		}
		if (stat(shards[k]->path, &st) == 0)
			info->file_bytes += st.st_size;
	}
	for (i = 0; i < 4; i++)
		if (info->nby[i])
			pv_qsort(info->by[i], info->nby[i], sizeof *info->by[i], group_order);
	if ((rc = merge_texts(shards, n, info, err)))
		return rc;
	info->dup_docs = info->docs - info->texts;
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
