/*
 * records.c - what a store records of its indexing: runs (each command
 * that wrote), inputs (each file read, with its options and content hash,
 * and the provenance of its records) and compression dictionaries, the
 * current one loaded into the codec.  Opening, transactions and the
 * statement cache are store.c's.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- runs ---- */

int store_run_start(struct store *s, const char *command, int64_t *run_id,
		    struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO runs(started,command) VALUES"
			       "(strftime('%Y-%m-%dT%H:%M:%SZ','now'),?1)", -1,
			       &st, NULL))
		return store_sqlerr(s, err, "recording the run");
	sqlite3_bind_text(st, 1, command, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "recording the run");
	*run_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_run_finish(struct store *s, int64_t run_id, const char *summary_json,
		     struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE runs SET finished=strftime("
			       "'%Y-%m-%dT%H:%M:%SZ','now'), summary=?2 WHERE id=?1",
			       -1, &st, NULL))
		return store_sqlerr(s, err, "recording the run");
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, summary_json, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "recording the run");
	/* fresh statistics, so that SQLite walks the id order for a page of
	 * origin:synthetic instead of sorting 40% of the store (0.8 s per
	 * million documents), and never scans texts for a page (see below) */
	return store_stats_refresh(s, STORE_STATS_RUN, err);
}

/* ---- inputs ---- */

int store_input(struct store *s, const char *canon, const char *options,
		const char *name, uint64_t size, int64_t mtime, int64_t *input_id, bool *same,
		bool *done_before, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*done_before = *same = false;
	if (sqlite3_prepare_v2(s->db, "SELECT id,size,mtime,done FROM inputs "
			       "WHERE path=?1 AND options=?2", -1, &st, NULL))
		return store_sqlerr(s, err, "looking up an input");
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, options, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*input_id = sqlite3_column_int64(st, 0);
		*same = (uint64_t)sqlite3_column_int64(st, 1) == size &&
			sqlite3_column_int64(st, 2) == mtime && size > 0;
		*done_before = *same && sqlite3_column_int(st, 3);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "looking up an input");
	if (sqlite3_prepare_v2(s->db, "INSERT INTO inputs(path,name,size,mtime,options) "
			       "VALUES(?1,?2,?3,?4,?5)", -1, &st, NULL))
		return store_sqlerr(s, err, "recording an input");
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, options, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)size);
	sqlite3_bind_int64(st, 4, mtime);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "recording an input");
	*input_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_input_lookup(struct store *s, const char *canon, const char *options,
		       struct store_input_prev *prev, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(prev, 0, sizeof *prev);
	if (sqlite3_prepare_v2(s->db, "SELECT done,hash,prov FROM inputs "
			       "WHERE path=?1 AND options=?2", -1, &st, NULL))
		return store_sqlerr(s, err, "looking up an input");
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, options, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 1);
		const char *p = (const char *)sqlite3_column_text(st, 2);
		prev->found = true;
		prev->done = sqlite3_column_int(st, 0) != 0;
		prev->hash = h ? pv_strdup(h) : NULL;
		prev->prov = p ? pv_strdup(p) : NULL;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "looking up an input");
	return 0;
}

void store_input_prev_done(struct store_input_prev *prev)
{
	free(prev->hash);
	free(prev->prov);
	prev->hash = prev->prov = NULL;
}

int store_input_ident(struct store *s, int64_t input_id, const char *hash,
		      const char *prov, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, hash ? "UPDATE inputs SET hash=?2 WHERE id=?1" :
			       "UPDATE inputs SET prov=?3 WHERE id=?1", -1, &st, NULL))
		return store_sqlerr(s, err, "recording an input");
	sqlite3_bind_int64(st, 1, input_id);
	if (hash)
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_text(st, 3, prov, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "recording an input");
	return 0;
}

int store_doc_prov(struct store *s, int64_t input_id, int64_t rec, bool *found,
		   struct buf out[4], struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc, i;

	if ((rc = store_stmt(s, ST_DOC_PROV, &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, input_id);
	sqlite3_bind_int64(st, 2, rec);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	for (i = 0; i < 4 && *found; i++) {
		buf_reset(&out[i]);
		if (sqlite3_column_type(st, i) != SQLITE_NULL)
			buf_append(&out[i], sqlite3_column_text(st, i),
				   (size_t)sqlite3_column_bytes(st, i));
		buf_str(&out[i]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "looking up a document");
	return 0;
}

int store_input_done(struct store *s, int64_t input_id, uint64_t size,
		     int64_t mtime, int64_t records, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE inputs SET done=1,size=?2,"
			       "mtime=?3,records=?4 WHERE id=?1", -1, &st, NULL))
		return store_sqlerr(s, err, "recording an input");
	sqlite3_bind_int64(st, 1, input_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
	sqlite3_bind_int64(st, 3, mtime);
	sqlite3_bind_int64(st, 4, records);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "recording an input");
	return 0;
}

/* ---- dictionaries ---- */

int store_dict_add(struct store *s, const void *dict, size_t len,
		   size_t nsamples, size_t sample_bytes, int64_t *dict_id,
		   struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO dicts(created,nsamples,"
			       "sample_bytes,data) VALUES(strftime('%Y-%m-%dT"
			       "%H:%M:%SZ','now'),?1,?2,?3)", -1, &st, NULL))
		return store_sqlerr(s, err, "storing a dictionary");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)nsamples);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)sample_bytes);
	sqlite3_bind_blob(st, 3, dict, (int)len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "storing a dictionary");
	*dict_id = sqlite3_last_insert_rowid(s->db);
	if ((rc = codec_set_cdict(s->codec, *dict_id, dict, len,
				  codec_level(s->codec), err)))
		return rc;
	return codec_add_ddict(s->codec, *dict_id, dict, len, err);
}

int64_t store_dict_use_latest(struct store *s, struct pv_err *err)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT id,data FROM dicts ORDER BY id DESC "
			       "LIMIT 1", -1, &st, NULL))
		return store_sqlerr(s, err, "reading dictionaries");
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		rc = codec_set_cdict(s->codec, id, sqlite3_column_blob(st, 1),
				     (size_t)sqlite3_column_bytes(st, 1),
				     codec_level(s->codec), err);
		if (!rc)
			rc = codec_add_ddict(s->codec, id,
					     sqlite3_column_blob(st, 1),
					     (size_t)sqlite3_column_bytes(st, 1), err);
		if (rc) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	return id;
}

int store_set_level(struct store *s, int level, struct pv_err *err)
{
	/* re-digest the current dictionary at the new level */
	int64_t id = codec_cdict_id(s->codec);
	sqlite3_stmt *st;
	int rc;

	if (!id)
		return codec_set_cdict(s->codec, 0, NULL, 0, level, err);
	if ((rc = store_stmt(s, ST_DICT_GET, &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_sqlerr(s, err, "reading a dictionary");
	rc = codec_set_cdict(s->codec, id, sqlite3_column_blob(st, 0),
			     (size_t)sqlite3_column_bytes(st, 0), level, err);
	sqlite3_reset(st);
	return rc;
}

int store_load_ddict(struct store *s, int64_t dict_id, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (codec_has_ddict(s->codec, dict_id))
		return 0;
	if ((rc = store_stmt(s, ST_DICT_GET, &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, dict_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return pv_errf(err, PV_ESTORE, "%s: dictionary %lld is missing; "
			       "the store is damaged", s->path, (long long)dict_id);
	}
	rc = codec_add_ddict(s->codec, dict_id, sqlite3_column_blob(st, 0),
			     (size_t)sqlite3_column_bytes(st, 0), err);
	sqlite3_reset(st);
	return rc;
}
