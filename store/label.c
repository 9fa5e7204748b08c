/*
 * label.c - relabelling with an audit history, undo, and the history read
 * back (see label.h).  The only code that changes a document after it was
 * indexed.
 *
 * label_set works on sets, not rows: the selection is fixed first in a
 * temporary table (so a filter on a field being changed still means the
 * documents it matched before the change), then for each field one INSERT
 * ... SELECT appends the history rows of the documents whose value differs
 * and one UPDATE changes them.  Column names spliced into SQL come from the
 * fixed table below, never from the user; values are bound.
 */
#include "store_int.h"
#include "label.h"
#include "../common/utf8.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const field_names[LF_N] = {
	[LF_ORIGIN] = "origin", [LF_SOURCE] = "source",
	[LF_GENERATOR] = "generator", [LF_PURPOSE] = "purpose",
	[LF_LABEL] = "label", [LF_NOTE] = "note",
};


const char *label_field_name(enum label_field f)
{
	return (unsigned)f < LF_N ? field_names[f] : "?";
}

int label_field_find(const char *name)
{
	int i;

	for (i = 0; i < LF_N; i++)
		if (strcmp(field_names[i], name) == 0)
			return i;
	return -1;
}

void label_result_done(struct label_result *r)
{
	free(r->conflicts);
	r->conflicts = NULL;
	r->nconflicts = 0;
}

void label_indexed_done(struct label_indexed *li)
{
	size_t i;

	free(li->started);
	li->started = NULL;
	for (i = 0; i < PV_ARRAY_LEN(li->value); i++) {
		free(li->value[i]);
		li->value[i] = NULL;
	}
}

int label_check_value(enum label_field f, const char *value, struct pv_err *err)
{
	const char *p = value ? value : "";
	char what[64];
	int rc;

	snprintf(what, sizeof what, "the value for %s", field_names[f]);
	if ((rc = utf8_value_check(what, p, strlen(p), LABEL_MAX_VALUE, err)))
		return rc;
	if (f == LF_ORIGIN && strcmp((const char *)p, "real") != 0 &&
	    strcmp((const char *)p, "synthetic") != 0 &&
	    strcmp((const char *)p, "unknown") != 0)
		return pv_errf(err, PV_EINVAL, "origin must be real, synthetic "
			       "or unknown, not '%s'", (const char *)p);
	return 0;
}

int label_parse_set(const char *arg, struct label_change *out, struct pv_err *err)
{
	const char *eq = strchr(arg, '=');
	char name[32];
	size_t len;
	int f;

	if (!eq)
		return pv_errf(err, PV_EINVAL, "expected FIELD=VALUE, not '%.100s'",
			       arg);
	len = (size_t)(eq - arg);
	f = -1;
	if (len < sizeof name) {
		memcpy(name, arg, len);
		name[len] = '\0';
		f = label_field_find(name);
	}
	if (f < 0)
		return pv_errf(err, PV_EINVAL, "cannot set '%.*s': the settable "
			       "fields are origin, source, generator, purpose, "
			       "label and note", (int)PV_MIN(len, 100), arg);
	out->field = (enum label_field)f;
	out->value = eq + 1;
	return label_check_value(out->field, out->value, err);
}

/* Current time as 2024-01-31T12:00:00Z, as elsewhere in the store. */
static void now_utc(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}


static void bind_value(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Records a batch; its id in *id. */
static int batch_add(struct store *s, const char *at, const char *reviewer,
		     const char *command, const char *note, int64_t undoes,
		     int64_t *id, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prep(s, &st, "INSERT INTO batches(created,reviewer,command,"
			     "note,undoes) VALUES(?1,?2,?3,?4,?5)", "preparing a query",
			     err)))
		return rc;
	sqlite3_bind_text(st, 1, at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, command, -1, SQLITE_TRANSIENT);
	bind_value(st, 4, note);
	if (undoes)
		sqlite3_bind_int64(st, 5, undoes);
	if ((rc = store_step_done(s, st, "recording a batch", err)))
		return rc;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* Fills temp.pv_sel with the ids sel selects; the count in *n. */
static int select_into_temp(struct store *s, const struct filter_sql *sel,
			    int64_t *n, struct pv_err *err)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS pv_sel("
			     "id INTEGER PRIMARY KEY); DELETE FROM temp.pv_sel;", err)))
		return rc;
	buf_printf(&sql, "INSERT INTO temp.pv_sel SELECT d.id FROM docs d "
		   "CROSS JOIN texts t ON t.id=d.text_id JOIN inputs i ON i.id=d.input_id "
		   "WHERE (%s)", sel && sel->where ? sel->where : "1");
	rc = store_prep(s, &st, buf_str(&sql), "preparing a query", err);
	buf_done(&sql);
	if (rc)
		return rc;
	if (sel && filter_bind(sel, st, sel->first)) {
		sqlite3_finalize(st);
		return store_sqlerr(s, err, "binding the filter");
	}
	if ((rc = store_step_done(s, st, "selecting documents", err)))
		return rc;
	*n = sqlite3_changes(s->db);
	return 0;
}

/* Appends the history rows and updates the documents for one change. */
static int apply_change(struct store *s, int64_t batch, const struct label_change *c,
			const char *reviewer, const char *at, const char *note,
			int64_t *nchanged, struct pv_err *err)
{
	const char *col = field_names[c->field];
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	buf_printf(&sql, "INSERT INTO history(batch_id,doc_id,field,old,new,"
		   "reviewer,at,note) SELECT ?1,d.id,'%s',d.%s,?2,?3,?4,?5 "
		   "FROM docs d WHERE d.id IN (SELECT id FROM temp.pv_sel) "
		   "AND d.%s IS NOT ?2 ORDER BY d.id", col, col, col);
	if ((rc = store_prep(s, &st, buf_str(&sql), "preparing a query", err))) {
		buf_done(&sql);
		return rc;
	}
	sqlite3_bind_int64(st, 1, batch);
	bind_value(st, 2, c->value);
	sqlite3_bind_text(st, 3, reviewer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_TRANSIENT);
	bind_value(st, 5, note);
	if ((rc = store_step_done(s, st, "recording history", err))) {
		buf_done(&sql);
		return rc;
	}
	*nchanged = sqlite3_changes(s->db);
	buf_reset(&sql);
	buf_printf(&sql, "UPDATE docs SET %s=?1 WHERE id IN (SELECT id FROM "
		   "temp.pv_sel) AND %s IS NOT ?1", col, col);
	rc = store_prep(s, &st, buf_str(&sql), "preparing a query", err);
	buf_done(&sql);
	if (rc)
		return rc;
	bind_value(st, 1, c->value);
	return store_step_done(s, st, "updating documents", err);
}

/* Sets reviewer and reviewed_at on the documents batch changed, and counts
 * them into *ndocs. */
static int mark_reviewed(struct store *s, int64_t batch, const char *reviewer,
			 const char *at, int64_t *ndocs, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prep(s, &st, "UPDATE docs SET reviewer=?2, reviewed_at=?3 "
			     "WHERE id IN (SELECT doc_id FROM history WHERE "
			     "batch_id=?1)", "preparing a query", err)))
		return rc;
	sqlite3_bind_int64(st, 1, batch);
	sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, at, -1, SQLITE_TRANSIENT);
	if ((rc = store_step_done(s, st, "updating documents", err)))
		return rc;
	*ndocs = sqlite3_changes(s->db);
	return 0;
}

/* Fills temp.pv_sel with the documents of ids[0..nids) the store holds;
 * the count in *n. */
static int ids_into_temp(struct store *s, const int64_t *ids, size_t nids,
			 int64_t *n, struct pv_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	*n = 0;
	if ((rc = store_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS pv_sel("
			     "id INTEGER PRIMARY KEY); DELETE FROM temp.pv_sel;", err)) ||
	    (rc = store_prep(s, &st, "INSERT OR IGNORE INTO temp.pv_sel SELECT id "
			     "FROM docs WHERE id=?1", "preparing a query", err)))
		return rc;
	for (i = 0; i < nids; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_sqlerr(s, err, "selecting documents");
		}
		*n += sqlite3_changes(s->db);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
}

static int label_apply(struct store *s, const struct filter_sql *sel,
		       int (*choose)(void *ctx, struct store *s, int64_t **ids,
				     size_t *nids, struct pv_err *err), void *ctx,
		       const struct label_change *changes, size_t n, const char *reviewer,
		       const char *note, const char *command, bool dry_run,
		       struct label_result *res, struct pv_err *err);

int label_set(struct store *s, const struct filter_sql *sel,
	      const struct label_change *changes, size_t n, const char *reviewer,
	      const char *note, const char *command, bool dry_run,
	      struct label_result *res, struct pv_err *err)
{
	return label_apply(s, sel, NULL, NULL, changes, n, reviewer, note, command,
			   dry_run, res, err);
}

int label_set_ids(struct store *s,
		  int (*choose)(void *ctx, struct store *s, int64_t **ids, size_t *nids,
				struct pv_err *err), void *ctx,
		  const struct label_change *changes, size_t n, const char *reviewer,
		  const char *note, const char *command, bool dry_run,
		  struct label_result *res, struct pv_err *err)
{
	return label_apply(s, NULL, choose, ctx, changes, n, reviewer, note, command,
			   dry_run, res, err);
}

static int label_apply(struct store *s, const struct filter_sql *sel,
		       int (*choose)(void *ctx, struct store *s, int64_t **ids,
				     size_t *nids, struct pv_err *err), void *ctx,
		       const struct label_change *changes, size_t n, const char *reviewer,
		       const char *note, const char *command, bool dry_run,
		       struct label_result *res, struct pv_err *err)
{
	bool seen[LF_N] = { false };
	char at[32];
	size_t i;
	int rc;

	memset(res, 0, sizeof *res);
	if (n == 0)
		return pv_errf(err, PV_EINVAL, "nothing to set");
	for (i = 0; i < n; i++) {
		if ((unsigned)changes[i].field >= LF_N)
			return pv_errf(err, PV_EINVAL, "unknown field");
		if (seen[changes[i].field])
			return pv_errf(err, PV_EINVAL, "%s is set twice",
				       field_names[changes[i].field]);
		seen[changes[i].field] = true;
		if ((rc = label_check_value(changes[i].field, changes[i].value, err)))
			return rc;
	}
	if (note && (rc = label_check_value(LF_NOTE, note, err)))
		return rc;
	if ((rc = store_begin_retry(s, err)))
		return rc;
	now_utc(at);
	if (choose) {
		int64_t *ids = NULL;
		size_t nids = 0;
		rc = choose(ctx, s, &ids, &nids, err);
		if (!rc)
			rc = ids_into_temp(s, ids, nids, &res->matched, err);
		free(ids);
		if (rc)
			goto fail;
	} else if ((rc = select_into_temp(s, sel, &res->matched, err))) {
		goto fail;
	}
	if ((rc = batch_add(s, at, reviewer, command, note, 0, &res->batch_id, err)))
		goto fail;
	for (i = 0; i < n; i++) {
		int64_t k = 0;

		if ((rc = apply_change(s, res->batch_id, &changes[i], reviewer,
				       at, note, &k, err)))
			goto fail;
		assert(k <= res->matched);  /* a change per selected document */
		res->by_field[changes[i].field] = k;
		res->changes += k;
	}
	if ((rc = mark_reviewed(s, res->batch_id, reviewer, at, &res->changed, err)) ||
	    (rc = store_exec(s->db, "DELETE FROM temp.pv_sel", err)))
		goto fail;
	/* the documents changed are selected ones with a history row each */
	assert(res->changed <= res->matched && res->changed <= res->changes &&
	       (res->changes == 0) == (res->changed == 0));
	if (dry_run || res->changes == 0) {
		store_rollback(s);
		res->batch_id = 0;
		return 0;
	}
	if ((rc = store_commit(s, err))) {
		res->batch_id = 0;
		return rc;
	}
	return 0;
fail:
	store_rollback(s);
	res->batch_id = 0;
	return rc;
}

/* ---- undo ---- */

struct hrow {
	int64_t doc;
	int field;
	char *old, *new_value;      /* owned, NULL for none */
};

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? pv_strdup((const char *)v) : NULL;
}

static bool same_value(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, b) == 0;
}

/* Looks up an int64 with one bound int64 parameter; *found false when no
 * row. */
static int q_id(struct store *s, const char *sql, int64_t arg, int64_t *out,
		bool *found, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*found = false;
	if ((rc = store_prep(s, &st, sql, "preparing a query", err)))
		return rc;
	if (arg)
		sqlite3_bind_int64(st, 1, arg);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		*found = true;
	} else if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "reading batches");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

/* The history rows of batch, in order. */
static int load_rows(struct store *s, int64_t batch, struct hrow **rows,
		     size_t *nrows, struct pv_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*rows = NULL;
	*nrows = 0;
	if ((rc = store_prep(s, &st, "SELECT doc_id,field,old,new FROM history "
			     "WHERE batch_id=?1 ORDER BY id", "preparing a query", err)))
		return rc;
	sqlite3_bind_int64(st, 1, batch);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *f = (const char *)sqlite3_column_text(st, 1);
		int fi = f ? label_field_find(f) : -1;

		if (fi < 0)
			continue;       /* not a field this provex changes */
		if (*nrows == cap) {
			cap = cap ? cap * 2 : 64;
			*rows = pv_realloc(*rows, cap * sizeof **rows);
		}
		(*rows)[*nrows].doc = sqlite3_column_int64(st, 0);
		(*rows)[*nrows].field = fi;
		(*rows)[*nrows].old = col_dup(st, 2);
		(*rows)[*nrows].new_value = col_dup(st, 3);
		(*nrows)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "reading history");
	return 0;
}

static void free_rows(struct hrow *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].old);
		free(rows[i].new_value);
	}
	free(rows);
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Statements used per history row while undoing. */
struct undo_st {
	sqlite3_stmt *cur[LF_N], *upd[LF_N];
	sqlite3_stmt *later, *done_before, *hist;
};

static void undo_st_free(struct undo_st *u)
{
	int i;

	for (i = 0; i < LF_N; i++) {
		sqlite3_finalize(u->cur[i]);
		sqlite3_finalize(u->upd[i]);
	}
	sqlite3_finalize(u->later);
	sqlite3_finalize(u->done_before);
	sqlite3_finalize(u->hist);
}

static int undo_st_init(struct store *s, struct undo_st *u, struct pv_err *err)
{
	char sql[256];
	int i, rc;

	memset(u, 0, sizeof *u);
	for (i = 0; i < LF_N; i++) {
		snprintf(sql, sizeof sql, "SELECT %s FROM docs WHERE id=?1",
			 field_names[i]);
		if ((rc = store_prep(s, &u->cur[i], sql, "preparing a query", err)))
			return rc;
		snprintf(sql, sizeof sql, "UPDATE docs SET %s=?2, reviewer=?3, "
			 "reviewed_at=?4 WHERE id=?1", field_names[i]);
		if ((rc = store_prep(s, &u->upd[i], sql, "preparing a query", err)))
			return rc;
	}
	/* a later change still in effect: not undone, and not an undo of a
	 * batch after the one being undone (those cancel out) */
	if ((rc = store_prep(s, &u->later, "SELECT 1 FROM history h JOIN batches b ON "
			     "b.id=h.batch_id WHERE h.doc_id=?1 AND h.field=?2 AND "
			     "h.batch_id>?3 AND h.batch_id<>?4 AND NOT EXISTS (SELECT 1 "
			     "FROM batches u WHERE u.undoes=b.id) AND (b.undoes IS NULL "
			     "OR b.undoes<=?3) LIMIT 1", "preparing a query", err)) ||
	    (rc = store_prep(s, &u->done_before, "SELECT 1 FROM history h JOIN "
			     "batches b ON b.id=h.batch_id WHERE b.undoes=?3 AND "
			     "h.batch_id<>?4 AND h.doc_id=?1 AND h.field=?2 LIMIT 1",
			     "preparing a query", err)) ||
	    (rc = store_prep(s, &u->hist, "INSERT INTO history(batch_id,doc_id,field,"
			     "old,new,reviewer,at,note) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
			     "preparing a query", err)))
		return rc;
	return 0;
}

/* Runs an existence query (?1 doc, ?2 field, ?3 batch, ?4 new batch). */
static int exists4(struct store *s, sqlite3_stmt *st, const struct hrow *r,
		   int64_t batch, int64_t undo, bool *yes, struct pv_err *err)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->doc);
	sqlite3_bind_text(st, 2, field_names[r->field], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, batch);
	sqlite3_bind_int64(st, 4, undo);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "reading history");
	*yes = rc == SQLITE_ROW;
	return 0;
}

/* Decides about one history row of batch: *skip when there is nothing to
 * revert (the earlier undo reverted it, the document is gone, or it holds
 * the old value already), *conflict when the field changed again after the
 * batch.  *cur receives the current value (owned, NULL for none). */
static int undo_check(struct store *s, struct undo_st *u, const struct hrow *r,
		      int64_t batch, int64_t undo, bool again, char **cur,
		      bool *skip, bool *conflict, struct pv_err *err)
{
	sqlite3_stmt *st = u->cur[r->field];
	bool later = false, done = false;
	int rc;

	*cur = NULL;
	*skip = *conflict = false;
	if (again) {
		if ((rc = exists4(s, u->done_before, r, batch, undo, &done, err)))
			return rc;
		if (done) {
			*skip = true;   /* the earlier undo reverted it */
			return 0;
		}
	}
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->doc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		*skip = true;           /* the document is gone */
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_sqlerr(s, err, "reading a document");
	}
	*cur = col_dup(st, 0);
	sqlite3_reset(st);
	if ((rc = exists4(s, u->later, r, batch, undo, &later, err)))
		return rc;
	*conflict = later || !same_value(*cur, r->new_value);
	*skip = same_value(*cur, r->old);
	return 0;
}

/* Writes the revert of one history row (cur -> r->old) into the undo batch. */
static int undo_apply(struct store *s, struct undo_st *u, const struct hrow *r,
		      int64_t undo, const char *cur, const char *reviewer,
		      const char *at, const char *note, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	sqlite3_reset(u->hist);
	sqlite3_bind_int64(u->hist, 1, undo);
	sqlite3_bind_int64(u->hist, 2, r->doc);
	sqlite3_bind_text(u->hist, 3, field_names[r->field], -1, SQLITE_STATIC);
	bind_value(u->hist, 4, cur);
	bind_value(u->hist, 5, r->old);
	sqlite3_bind_text(u->hist, 6, reviewer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(u->hist, 7, at, -1, SQLITE_TRANSIENT);
	bind_value(u->hist, 8, note);
	rc = sqlite3_step(u->hist);
	sqlite3_reset(u->hist);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "recording history");
	st = u->upd[r->field];
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->doc);
	bind_value(st, 2, r->old);
	sqlite3_bind_text(st, 3, reviewer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "updating a document");
	return 0;
}

static void free_cur(char **cur, size_t n)
{
	size_t i;

	if (!cur)
		return;
	for (i = 0; i < n; i++)
		free(cur[i]);
	free(cur);
}

static bool id_in(const int64_t *ids, size_t n, int64_t id)
{
	return n > 0 && bsearch(&id, ids, n, sizeof *ids, cmp_id) != NULL;
}

int label_undo(struct store *s, int64_t batch_id, bool force,
	       const char *reviewer, const char *command,
	       struct label_result *res, struct pv_err *err)
{
	struct undo_st u;
	struct hrow *rows = NULL;
	char **cur = NULL, *state = NULL;
	size_t nrows = 0, i, cap = 0;
	int64_t prior = 0, undo = 0, ndocs = 0;
	bool found, again = false;
	char at[32], note[64];
	int rc;

	memset(res, 0, sizeof *res);
	memset(&u, 0, sizeof u);
	if ((rc = store_begin_retry(s, err)))
		return rc;
	if (batch_id == 0) {
		if ((rc = q_id(s, "SELECT id FROM batches b WHERE undoes IS NULL AND "
			       "NOT EXISTS (SELECT 1 FROM batches u WHERE "
			       "u.undoes=b.id) ORDER BY id DESC LIMIT 1", 0,
			       &batch_id, &found, err)))
			goto fail;
		if (!found) {
			rc = pv_errf(err, PV_ENOTFOUND, "%s: nothing to undo: every "
				     "relabelling was undone already", s->path);
			goto fail;
		}
	} else {
		if ((rc = q_id(s, "SELECT id FROM batches WHERE id=?1", batch_id,
			       &batch_id, &found, err)))
			goto fail;
		if (!found) {
			rc = pv_errf(err, PV_ENOTFOUND, "%s: no batch %lld",
				     s->path, (long long)batch_id);
			goto fail;
		}
	}
	res->undone = batch_id;
	if ((rc = q_id(s, "SELECT id FROM batches WHERE undoes=?1 ORDER BY id "
		       "LIMIT 1", batch_id, &prior, &again, err)))
		goto fail;
	if (again && !force) {
		rc = pv_errf(err, PV_EINVAL, "batch %lld was undone already (by "
			     "batch %lld); --force reverts what that undo left "
			     "alone", (long long)batch_id, (long long)prior);
		goto fail;
	}
	now_utc(at);
	snprintf(note, sizeof note, "undo of batch %lld", (long long)batch_id);
	if ((rc = batch_add(s, at, reviewer, command, note, batch_id, &undo, err)) ||
	    (rc = load_rows(s, batch_id, &rows, &nrows, err)) ||
	    (rc = undo_st_init(s, &u, err)))
		goto fail;
	/* first every row's state, then the reverts: a document with a
	 * conflict in any field is left alone as a whole (unless force) */
	cur = pv_calloc(nrows + 1, sizeof *cur);
	state = pv_calloc(nrows + 1, 1);
	for (i = 0; i < nrows; i++) {
		bool skip, conflict;

		if ((rc = undo_check(s, &u, &rows[i], batch_id, undo, again, &cur[i],
				     &skip, &conflict, err)))
			goto fail;
		state[i] = skip ? 1 : 0;
		if (conflict && !skip) {
			if (res->nconflicts == cap) {
				cap = cap ? cap * 2 : 16;
				res->conflicts = pv_realloc(res->conflicts,
							    cap * sizeof *res->conflicts);
			}
			res->conflicts[res->nconflicts++] = rows[i].doc;
		}
	}
	if (res->nconflicts) {      /* sorted, each document once */
		size_t j = 0;
		qsort(res->conflicts, res->nconflicts, sizeof *res->conflicts, cmp_id);
		for (i = 0; i < res->nconflicts; i++)
			if (!j || res->conflicts[j - 1] != res->conflicts[i])
				res->conflicts[j++] = res->conflicts[i];
		res->nconflicts = j;
	}
	for (i = 0; i < nrows; i++) {
		if (state[i] || (!force && id_in(res->conflicts, res->nconflicts,
						 rows[i].doc)))
			continue;
		if ((rc = undo_apply(s, &u, &rows[i], undo, cur[i], reviewer, at,
				     note, err)))
			goto fail;
		res->changes++;
		res->by_field[rows[i].field]++;
	}
	undo_st_free(&u);
	memset(&u, 0, sizeof u);
	if ((rc = q_id(s, "SELECT count(DISTINCT doc_id) FROM history WHERE "
		       "batch_id=?1", undo, &ndocs, &found, err)))
		goto fail;
	res->changed = ndocs;
	free_cur(cur, nrows);
	free(state);
	free_rows(rows, nrows);
	rows = NULL;
	if (res->changes == 0) {
		store_rollback(s);
		return 0;
	}
	if ((rc = store_commit(s, err)))
		return rc;
	res->batch_id = undo;
	return 0;
fail:
	undo_st_free(&u);
	free_cur(cur, nrows);
	free(state);
	free_rows(rows, nrows);
	store_rollback(s);
	return rc;
}

/* ---- reading ---- */

int label_preview(struct store *s, const struct filter_sql *sel, int64_t *count,
		  int64_t ids[LABEL_SAMPLE], char *ext_ids[LABEL_SAMPLE],
		  size_t *nsample, struct pv_err *err)
{
	static const char from[] = " FROM docs d CROSS JOIN texts t ON t.id=d.text_id "
		"JOIN inputs i ON i.id=d.input_id WHERE (%s)";
	const char *where = sel && sel->where ? sel->where : "1";
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	*count = 0;
	*nsample = 0;
	buf_puts(&sql, "SELECT count(*)");
	buf_printf(&sql, from, where);
	if ((rc = store_prep(s, &st, buf_str(&sql), "preparing a query", err))) {
		buf_done(&sql);
		return rc;
	}
	if (sel)
		filter_bind(sel, st, sel->first);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		buf_done(&sql);
		return store_sqlerr(s, err, "counting documents");
	}
	buf_reset(&sql);
	buf_puts(&sql, "SELECT d.id, d.ext_id");
	buf_printf(&sql, from, where);
	buf_printf(&sql, " ORDER BY d.id LIMIT %d", LABEL_SAMPLE);
	rc = store_prep(s, &st, buf_str(&sql), "preparing a query", err);
	buf_done(&sql);
	if (rc)
		return rc;
	if (sel)
		filter_bind(sel, st, sel->first);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *nsample < LABEL_SAMPLE) {
		ids[*nsample] = sqlite3_column_int64(st, 0);
		ext_ids[*nsample] = col_dup(st, 1);
		if (!ext_ids[*nsample])
			ext_ids[*nsample] = pv_strdup("");
		(*nsample)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(s, err, "sampling documents");
	return 0;
}

int label_history(struct store *s, int64_t doc_id,
		  int (*cb)(void *ctx, const struct label_hist *h), void *ctx,
		  struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prep(s, &st, doc_id ?
		"SELECT h.id,h.batch_id,h.doc_id,coalesce(b.undoes,0),h.at,"
		"h.reviewer,h.field,h.old,h.new,h.note,b.command FROM history h "
		"JOIN batches b ON b.id=h.batch_id WHERE h.doc_id=?1 ORDER BY h.id" :
		"SELECT h.id,h.batch_id,h.doc_id,coalesce(b.undoes,0),h.at,"
		"h.reviewer,h.field,h.old,h.new,h.note,b.command FROM history h "
		"JOIN batches b ON b.id=h.batch_id ORDER BY h.id",
		"preparing a query", err)))
		return rc;
	if (doc_id)
		sqlite3_bind_int64(st, 1, doc_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct label_hist h;

		h.id = sqlite3_column_int64(st, 0);
		h.batch_id = sqlite3_column_int64(st, 1);
		h.doc_id = sqlite3_column_int64(st, 2);
		h.undoes = sqlite3_column_int64(st, 3);
		h.at = (const char *)sqlite3_column_text(st, 4);
		h.reviewer = (const char *)sqlite3_column_text(st, 5);
		h.field = (const char *)sqlite3_column_text(st, 6);
		h.old_value = (const char *)sqlite3_column_text(st, 7);
		h.new_value = (const char *)sqlite3_column_text(st, 8);
		h.note = (const char *)sqlite3_column_text(st, 9);
		h.command = (const char *)sqlite3_column_text(st, 10);
		if (!h.at)
			h.at = "";
		if (!h.reviewer)
			h.reviewer = "";
		if (!h.field)
			h.field = "";
		stop = cb(ctx, &h);
	}
	if (stop) {
		sqlite3_finalize(st);
		return stop;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "reading history");
	return 0;
}

int label_indexed(struct store *s, int64_t doc_id, struct label_indexed *out,
		  struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc, i;

	memset(out, 0, sizeof *out);
	if ((rc = store_prep(s, &st, "SELECT d.run_id,r.started,d.origin,d.source,"
			     "d.generator,d.purpose FROM docs d LEFT JOIN runs r "
			     "ON r.id=d.run_id WHERE d.id=?1", "preparing a query", err)))
		return rc;
	sqlite3_bind_int64(st, 1, doc_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return pv_errf(err, PV_ENOTFOUND, "%s: no document with id %lld",
				       s->path, (long long)doc_id);
		return store_sqlerr(s, err, "reading a document");
	}
	out->run_id = sqlite3_column_int64(st, 0);
	out->started = col_dup(st, 1);
	for (i = 0; i < 4; i++)
		out->value[i] = col_dup(st, 2 + i);
	sqlite3_finalize(st);
	if ((rc = store_prep(s, &st, "SELECT old FROM history WHERE doc_id=?1 AND "
			     "field=?2 ORDER BY id LIMIT 1", "preparing a query", err))) {
		label_indexed_done(out);
		return rc;
	}
	for (i = 0; i < 4; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, doc_id);
		sqlite3_bind_text(st, 2, field_names[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			free(out->value[i]);
			out->value[i] = col_dup(st, 0);
		} else if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			label_indexed_done(out);
			return store_sqlerr(s, err, "reading history");
		}
	}
	sqlite3_finalize(st);
	return 0;
}
