/*
 * ftsscheme.c - the term scheme of a store's full-text index (see
 * ftsscheme.h).
 *
 * Bringing an older index up to date: its terms are whole unicode61 tokens,
 * and only the tokens holding a spaceless letter give other terms now.  The
 * index's own vocabulary (fts5vocab) lists those tokens, the index gives the
 * texts holding each, and each such text is indexed again: its old terms
 * deleted (FTS5's 'delete' command, which a contentless table needs given
 * exactly what was inserted: the whole tokens, as ftsterms finds them with
 * FTSTERMS_WHOLE) and its new terms inserted.  Other texts keep their terms,
 * which are the same in both schemes.
 */
#include "ftsscheme.h"
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

/* pv_fts_query's state: owned by the connection (freed by xDestroy). */
struct scheme_fn {
	bool current;           /* the index holds FTS_TERMS_SCHEME */
	char *path;             /* owned: the store, for the message */
};

static void scheme_fn_free(void *p)
{
	struct scheme_fn *f = p;

	if (f) {
		free(f->path);
		free(f);
	}
}

/* pv_fts_query(q): q, or an error when the index predates the bigrams. */
static void fn_fts_query(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct scheme_fn *f = sqlite3_user_data(ctx);
	char *msg;

	(void)argc;
	if (f->current) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	msg = sqlite3_mprintf("the store's full-text index was made by an older "
			      "provex, which finds words in Chinese, Japanese, Korean, "
			      "Thai, Lao, Khmer and Myanmar only whole; update it by "
			      "opening the store once for writing (the interface does: "
			      "provex %s; so do provex index and label), then search again",
			      f->path);
	sqlite3_result_error(ctx, msg ? msg : "out of memory", -1);
	sqlite3_free(msg);
}

/* *current: meta says the index holds FTS_TERMS_SCHEME. */
static int scheme_read(struct store *s, bool *current, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*current = false;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key='" FTS_TERMS_KEY "'",
			       -1, &st, NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "reading the full-text scheme");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		*current = v && strcmp(v, FTS_TERMS_SCHEME) == 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "reading the full-text scheme");
	return 0;
}

/* True when the term holds a spaceless letter. */
static bool has_spaceless(const char *t, size_t n)
{
	size_t i = 0;

	while (i < n) {
		bool sl;
		size_t nch, len = ftsterms_segment(t + i, n - i, &sl, &nch);
		if (sl)
			return true;
		i += len;
	}
	return false;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Appends to *ids (growing it) the texts that hold one of the tokens in
 * list (each NUL-terminated, one after the other). */
static int texts_of(struct store *s, const struct buf *list, int64_t **ids, size_t *n,
		    size_t *cap, struct pv_err *err)
{
	sqlite3_stmt *st;
	struct buf q = BUF_INIT;
	size_t off;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT rowid FROM fts WHERE fts MATCH ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "reading the full-text index");
	for (off = 0; off < list->len && !rc; off += strlen(list->data + off) + 1) {
		const char *t = list->data + off;
		int src;

		buf_reset(&q);
		buf_putc(&q, '"');
		for (; *t; t++) {
			if (*t == '"')
				buf_putc(&q, '"');
			buf_putc(&q, *t);
		}
		buf_putc(&q, '"');
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, q.data, (int)q.len, SQLITE_STATIC);
		while ((src = sqlite3_step(st)) == SQLITE_ROW) {
			if (*n == *cap) {
				*cap = *cap ? 2 * *cap : 256;
				*ids = pv_realloc(*ids, *cap * sizeof **ids);
			}
			(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
		}
		if (src != SQLITE_DONE)
			rc = store_sqlerr(s, err, "reading the full-text index");
	}
	sqlite3_finalize(st);
	buf_done(&q);
	return rc;
}

int ftsscheme_upgrade(struct store *s, int64_t *ntexts, struct pv_err *err)
{
	sqlite3_stmt *st = NULL, *del = NULL, *ins = NULL;
	struct ftsterms *old = NULL, *cur = NULL;
	struct buf list = BUF_INIT, text = BUF_INIT, oterms = BUF_INIT, nterms = BUF_INIT;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0, i, k;
	int rc = 0, src;

	*ntexts = 0;
	/* the tokens holding a spaceless letter, from the vocabulary */
	if ((rc = store_exec(s->db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.pv_fts_vocab "
			     "USING fts5vocab(main, fts, row)", err)))
		goto out;
	if (sqlite3_prepare_v2(s->db, "SELECT term FROM temp.pv_fts_vocab", -1, &st,
			       NULL) != SQLITE_OK) {
		rc = store_sqlerr(s, err, "reading the full-text vocabulary");
		goto out;
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		if (t && has_spaceless(t, len)) {
			buf_append(&list, t, len);
			buf_putc(&list, '\0');
		}
	}
	if (src != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "reading the full-text vocabulary");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = store_exec(s->db, "DROP TABLE temp.pv_fts_vocab", err)) ||
	    (rc = texts_of(s, &list, &ids, &n, &cap, err)))
		goto out;
	if (n > 1)          /* ids is NULL when there are none */
		qsort(ids, n, sizeof *ids, cmp_id);
	for (i = k = 0; i < n; i++)
		if (k == 0 || ids[i] != ids[k - 1])
			ids[k++] = ids[i];
	n = k;
	/* each of those texts indexed again */
	if (n && ((rc = ftsterms_new(s->db, &old, err)) ||
		  (rc = ftsterms_new(s->db, &cur, err))))
		goto out;
	if (old)
		ftsterms_set_scheme(old, FTSTERMS_WHOLE);
	if (n && (sqlite3_prepare_v2(s->db, "INSERT INTO fts(fts, rowid, text) "
				     "VALUES('delete', ?1, ?2)", -1, &del, NULL) != SQLITE_OK ||
		  sqlite3_prepare_v2(s->db, "INSERT INTO fts(rowid, text) VALUES(?1, ?2)",
				     -1, &ins, NULL) != SQLITE_OK)) {
		rc = store_sqlerr(s, err, "updating the full-text index");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((rc = store_text_read(s, ids[i], &text, err)) ||
		    (rc = ftsterms_get(old, text.data, text.len, &oterms, NULL, err)) ||
		    (rc = ftsterms_get(cur, text.data, text.len, &nterms, NULL, err)))
			goto out;
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, ids[i]);
		sqlite3_bind_text64(del, 2, oterms.data ? oterms.data : "", oterms.len,
				    SQLITE_STATIC, SQLITE_UTF8);
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, ids[i]);
		sqlite3_bind_text64(ins, 2, nterms.data ? nterms.data : "", nterms.len,
				    SQLITE_STATIC, SQLITE_UTF8);
		if (sqlite3_step(del) != SQLITE_DONE || sqlite3_step(ins) != SQLITE_DONE) {
			rc = store_sqlerr(s, err, "updating the full-text index");
			goto out;
		}
	}
	if ((rc = store_exec(s->db, "INSERT OR REPLACE INTO meta VALUES('" FTS_TERMS_KEY
			     "', '" FTS_TERMS_SCHEME "')", err)))
		goto out;
	*ntexts = (int64_t)n;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	ftsterms_free(old);
	ftsterms_free(cur);
	buf_done(&list);
	buf_done(&text);
	buf_done(&oterms);
	buf_done(&nterms);
	free(ids);
	return rc;
}

int ftsscheme_attach(struct store *s, struct pv_err *err)
{
	struct scheme_fn *f;
	bool current;
	int64_t n;
	int rc;

	if ((rc = scheme_read(s, &current, err)))
		return rc;
	if (!current && s->writable) {
		if ((rc = store_begin(s, err)))
			return rc;
		/* another process may have done it while we waited */
		if ((rc = scheme_read(s, &current, err)) ||
		    (!current && (rc = ftsscheme_upgrade(s, &n, err)))) {
			store_rollback(s);
			return rc;
		}
		if ((rc = store_commit(s, err)))
			return rc;
		current = true;
	}
	f = pv_calloc(1, sizeof *f);
	f->current = current;
	f->path = pv_strdup(s->path);
	if (sqlite3_create_function_v2(s->db, "pv_fts_query", 1,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC, f, fn_fts_query,
				       NULL, NULL, scheme_fn_free) != SQLITE_OK)
		return store_sqlerr(s, err, "registering pv_fts_query");
	return 0;
}
