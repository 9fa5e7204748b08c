/*
 * docs.c - adding documents (hash, dedupe, compress, index, link) and
 * reading them back.
 */
#include "store_int.h"
#include "ftsfeed.h"
#include "../common/words.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* Words as common/words.h defines them. */
int64_t store_count_words(const char *s, size_t len)
{
	return pv_count_words(s, len);
}

void store_text_hash(const void *text, size_t len, unsigned char out[16])
{
	XXH128_hash_t h = XXH3_128bits(text, len);

	XXH128_canonicalFromHash((XXH128_canonical_t *)out, h);
}

int64_t store_cdict(const struct store *s, const void **dict, size_t *len, int *level)
{
	*dict = codec_cdict_data(s->codec, len);
	*level = codec_level(s->codec);
	return codec_cdict_id(s->codec);
}

int store_ftsterms_new(struct store *s, struct ftsterms **out, struct pv_err *err)
{
	return ftsterms_new(s->db, out, err);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int step_done(struct store *s, sqlite3_stmt *st, struct pv_err *err,
		     const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, what);
	return 0;
}

int store_doc_add(struct store *s, const struct doc_in *d,
		  enum doc_outcome *outcome, bool *cross_origin,
		  size_t *stored_bytes, struct pv_err *err)
{
	unsigned char hash[16];
	sqlite3_stmt *st;
	int64_t text_id = 0;
	bool existed = false;
	int rc;

	*cross_origin = false;
	*stored_bytes = 0;
	if (d->hash)
		memcpy(hash, d->hash, sizeof hash);
	else
		store_text_hash(d->text, d->len, hash);

	if (s->texts_mem) {
		/* a candidate shares 4 bytes of hash: the row says whether it
		 * shares all 16 */
		size_t pos = 0;
		int64_t cand;
		while (!existed && (cand = texthash_next(s->texts_mem, hash, &pos))) {
			if ((rc = store_stmt(s, ST_TEXT_HASH_BY_ID, &st, err)))
				return rc;
			sqlite3_bind_int64(st, 1, cand);
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == sizeof hash &&
			    memcmp(sqlite3_column_blob(st, 0), hash, sizeof hash) == 0) {
				text_id = cand;
				existed = true;
			} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
				sqlite3_reset(st);
				return store_sqlerr(s, err, "looking up a text");
			}
			sqlite3_reset(st);
		}
	} else {
		if ((rc = store_stmt(s, ST_TEXT_BY_HASH, &st, err)))
			return rc;
		sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			text_id = sqlite3_column_int64(st, 0);
			existed = true;
		} else if (rc != SQLITE_DONE) {
			sqlite3_reset(st);
			return store_sqlerr(s, err, "looking up a text");
		}
		sqlite3_reset(st);
	}

	if (existed) {
		if ((rc = store_stmt(s, ST_OCC_EXISTS, &st, err)))
			return rc;
		sqlite3_bind_int64(st, 1, d->input_id);
		sqlite3_bind_int64(st, 2, d->rec);
		sqlite3_bind_int64(st, 3, text_id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_ROW) {
			*outcome = DOC_EXISTS;
			return 0;
		}
		if (rc != SQLITE_DONE)
			return store_sqlerr(s, err, "looking up a document");
		if (strcmp(d->origin, "unknown") != 0) {
			const char *other = strcmp(d->origin, "real") == 0 ?
					    "synthetic" : "real";
			if ((rc = store_stmt(s, ST_CROSS_ORIGIN, &st, err)))
				return rc;
			sqlite3_bind_int64(st, 1, text_id);
			sqlite3_bind_text(st, 2, other, -1, SQLITE_STATIC);
			*cross_origin = sqlite3_step(st) == SQLITE_ROW;
			sqlite3_reset(st);
		}
	} else {
		const void *body = d->zbody;
		size_t zlen = d->zlen;
		int64_t dict = d->zdict;
		const char *terms = d->terms;
		size_t terms_len = d->terms_len;

		if (!body) {
			if ((rc = codec_compress(s->codec, d->text, d->len, &s->zbuf, err)))
				return rc;
			body = s->zbuf.data;
			zlen = s->zbuf.len;
			dict = codec_cdict_id(s->codec);
		}
		if (!terms) {
			if (!s->terms && (rc = ftsterms_new(s->db, &s->terms, err)))
				return rc;
			if ((rc = ftsterms_get(s->terms, d->text, d->len, &s->tbuf, NULL, err)))
				return rc;
			terms = s->tbuf.data ? s->tbuf.data : "";
			terms_len = s->tbuf.len;
		}
		if ((rc = store_stmt(s, ST_TEXT_INSERT, &st, err)))
			return rc;
		sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)d->len);
		sqlite3_bind_int64(st, 3, d->words >= 0 && d->zbody ? d->words :
				   store_count_words(d->text, d->len));
		if (dict)
			sqlite3_bind_int64(st, 4, dict);
		else
			sqlite3_bind_null(st, 4);
		sqlite3_bind_blob64(st, 5, body, zlen, SQLITE_STATIC);
		if ((rc = step_done(s, st, err, "storing a text")))
			return rc;
		text_id = sqlite3_last_insert_rowid(s->db);
		*stored_bytes = zlen;
		if (s->texts_mem && (rc = texthash_add(s->texts_mem, hash, text_id)))
			return rc == PV_ENOMEM ?
			       pv_errf(err, rc, "out of memory keeping the texts' hashes") :
			       pv_errf(err, rc, "%s: text ids beyond %lld: index "
				       "further inputs into a new store", s->path,
				       (long long)TEXTHASH_MAX_ID);

		if (s->feed) {
			ftsfeed_add(s->feed, text_id, terms, terms_len);
			if (ftsfeed_bytes(s->feed) >= s->feed_bytes &&
			    (rc = store_fts_flush(s, err)))
				return rc;
		} else {
			if ((rc = store_stmt(s, ST_FTS_INSERT, &st, err)))
				return rc;
			sqlite3_bind_int64(st, 1, text_id);
			sqlite3_bind_text64(st, 2, terms, terms_len, SQLITE_STATIC,
					    SQLITE_UTF8);
			if ((rc = step_done(s, st, err, "indexing a text")))
				return rc;
		}
	}

	if (existed) {
		if ((rc = store_stmt(s, ST_TEXT_BUMP, &st, err)))
			return rc;
		sqlite3_bind_int64(st, 1, text_id);
		if ((rc = step_done(s, st, err, "counting a text")))
			return rc;
	}

	if ((rc = store_stmt(s, ST_DOC_INSERT, &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, text_id);
	sqlite3_bind_int64(st, 2, d->input_id);
	sqlite3_bind_int64(st, 3, d->rec);
	if (d->run_id)
		sqlite3_bind_int64(st, 4, d->run_id);
	sqlite3_bind_text(st, 5, d->ext_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, d->origin, -1, SQLITE_STATIC);
	bind_opt(st, 7, d->source);
	bind_opt(st, 8, d->generator);
	bind_opt(st, 9, d->purpose);
	bind_opt(st, 10, d->meta);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)d->len);
	bind_opt(st, 12, d->label);
	bind_opt(st, 13, d->note);
	if (d->id > 0)              /* else NULL: SQLite's next rowid */
		sqlite3_bind_int64(st, 14, d->id);
	if ((rc = step_done(s, st, err, "storing a document"))) {
		if (d->id > 0 && sqlite3_extended_errcode(s->db) ==
		    SQLITE_CONSTRAINT_PRIMARYKEY)
			return pv_errf(err, PV_ESTORE, "%s: document id %lld (%s) "
				       "is already taken by another document: the "
				       "input changed since its documents were "
				       "stored; remove the store to index it again",
				       s->path, (long long)d->id, d->ext_id);
		return rc;
	}
	*outcome = existed ? DOC_DUP : DOC_NEW;
	return 0;
}

int store_doc_seen(struct store *s, int64_t input_id, int64_t rec, bool *seen,
		   struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_stmt(s, ST_SEEN, &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, input_id);
	sqlite3_bind_int64(st, 2, rec);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "looking up a document");
	*seen = rc == SQLITE_ROW;
	return 0;
}

/* ---- reading ---- */

void doc_row_done(struct doc_row *r)
{
	buf_done(&r->arena);
}

/* Fills row from a statement laid out as ST_DOC_GET's columns, followed
 * (when the statement has them: store_select's) by label, note, reviewer,
 * reviewed_at and score. */
void store_row_fill(struct doc_row *r, sqlite3_stmt *st)
{
	size_t off[11];
	bool null[11];
	int i, ncol = sqlite3_column_count(st) >= 21 ? 11 : 7;

	r->id = sqlite3_column_int64(st, 0);
	r->text_id = sqlite3_column_int64(st, 1);
	r->input_id = sqlite3_column_int64(st, 2);
	r->rec = sqlite3_column_int64(st, 3);
	r->run_id = sqlite3_column_int64(st, 4);
	r->len = sqlite3_column_int64(st, 5);
	r->stored = sqlite3_column_int64(st, 6);
	r->nocc = sqlite3_column_int64(st, 7);
	r->words = sqlite3_column_int64(st, 8);
	buf_reset(&r->arena);
	for (i = 0; i < ncol; i++) {
		const unsigned char *t = sqlite3_column_text(st, 9 + i);
		int n = sqlite3_column_bytes(st, 9 + i);
		off[i] = r->arena.len;
		null[i] = t == NULL;
		if (t)
			buf_append(&r->arena, t, (size_t)n);
		buf_putc(&r->arena, '\0');
	}
	r->ext_id = r->arena.data + off[0];
	r->file = r->arena.data + off[1];
	r->origin = r->arena.data + off[2];
	r->source = r->arena.data + off[3];
	r->generator = r->arena.data + off[4];
	r->purpose = r->arena.data + off[5];
	r->meta = r->arena.data + off[6];
	r->label = r->note = r->reviewer = r->reviewed_at = NULL;
	r->has_score = false;
	r->score = 0;
	if (ncol == 11) {
		const char **rv[4] = { &r->label, &r->note, &r->reviewer, &r->reviewed_at };
		for (i = 0; i < 4; i++)
			*rv[i] = null[7 + i] ? NULL : r->arena.data + off[7 + i];
		r->has_score = sqlite3_column_type(st, 20) != SQLITE_NULL;
		r->score = r->has_score ? sqlite3_column_double(st, 20) : 0;
	}
}

int store_doc_get(struct store *s, int64_t id, struct doc_row *row, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_stmt(s, ST_DOC_GET, &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_row_fill(row, st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pv_errf(err, PV_ENOTFOUND, "%s: no document with id %lld",
			       s->path, (long long)id);
	if (rc != SQLITE_ROW)
		return store_sqlerr(s, err, "reading a document");
	return 0;
}

int64_t store_find_ext(struct store *s, const char *ext, int64_t *ids, size_t max,
		       struct pv_err *err)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	int rc;

	if ((rc = store_stmt(s, ST_FIND_EXT, &st, err)))
		return rc;
	sqlite3_bind_text(st, 1, ext, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((size_t)n < max)
			ids[n] = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "looking up an id");
	return n;
}

int store_ext_repeats(struct store *s, int64_t run_id,
		      void (*fn)(void *ctx, const char *ext, size_t len, int64_t n),
		      void *ctx, struct pv_err *err)
{
	/* the ids this run gave, each counted over the whole store (through
	 * docs_ext), in the order of their first document */
	static const char sql[] =
		"SELECT ext_id, count(*) FROM docs WHERE ext_id IN "
		"(SELECT ext_id FROM docs WHERE run_id=?1) "
		"GROUP BY ext_id HAVING count(*) > 1 ORDER BY min(id)";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "looking for repeated input ids");
	sqlite3_bind_int64(st, 1, run_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		   (size_t)sqlite3_column_bytes(st, 0), sqlite3_column_int64(st, 1));
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "looking for repeated input ids");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

static int text_read(struct store *s, int64_t text_id, size_t limit,
		     struct buf *out, struct pv_err *err)
{
	sqlite3_stmt *st;
	int64_t dict_id;
	int rc;

	if ((rc = store_stmt(s, ST_TEXT_GET, &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, text_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return pv_errf(err, PV_ENOTFOUND, "%s: no text %lld",
				       s->path, (long long)text_id);
		return store_sqlerr(s, err, "reading a text");
	}
	dict_id = sqlite3_column_int64(st, 0);
	if (dict_id && (rc = store_load_ddict(s, dict_id, err))) {
		sqlite3_reset(st);
		return rc;
	}
	/* store_load_ddict used another statement: st still holds its row */
	rc = codec_decompress(s->codec, dict_id, sqlite3_column_blob(st, 1),
			      (size_t)sqlite3_column_bytes(st, 1), limit, out, err);
	if (!rc && limit == SIZE_MAX && (int64_t)out->len != sqlite3_column_int64(st, 2))
		rc = pv_errf(err, PV_ECODEC, "%s: text %lld decompressed to %zu "
			     "bytes, expected %lld: the store is damaged", s->path,
			     (long long)text_id, out->len,
			     (long long)sqlite3_column_int64(st, 2));
	sqlite3_reset(st);
	return rc;
}

int store_text_read(struct store *s, int64_t text_id, struct buf *out,
		    struct pv_err *err)
{
	return text_read(s, text_id, SIZE_MAX, out, err);
}

int store_text_head(struct store *s, int64_t text_id, size_t limit,
		    struct buf *out, struct pv_err *err)
{
	return text_read(s, text_id, limit, out, err);
}
