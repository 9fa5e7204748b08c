/*
 * detect_set.c - provex detect over a set of stores (set.h): the sources
 * of a run are the set's listed parts, each with the filter compiled for
 * its store, the rows the review overlay shadows left out; the run, its
 * scores and its saved model go to the set's review store.
 *
 * A run reads its documents in text order and draws folds, samples and
 * training orders from a hash of each text's id (detect.c), so the texts
 * of a set need ids that do not depend on how the set is cut into
 * shards.  A shard numbers its own texts; here every distinct text of the
 * set (the same hash in several shards is one text) gets as its KEY the
 * id that one store indexing the set's listing in order would have given
 * it: texts are numbered 1, 2, ... in the order of their first document's
 * id (document ids are the same whatever the number of shards, and a
 * store numbers a text when it first meets it).  So a set of one shard, a
 * set of N and a plain store indexed from the same files in the same
 * order give the same figures.  The keys cost a pass over the documents
 * of every shard and about 40 bytes per distinct text while they are
 * made, 8 bytes per text after.
 *
 * Part of detect.c's run (detect_int.h).
 */
#include "detect_int.h"
#include "set.h"
#include "filter.h"

#include <stdlib.h>
#include <string.h>

/* ---- the texts' keys ---- */

struct tfirst {                    /* a text of a shard */
	unsigned char hash[16];
	int64_t first;             /* its first document's id (in the set, once merged) */
	int64_t local;             /* its id in the shard */
	size_t shard;
};

static int by_hash_first(const void *a, const void *b)
{
	const struct tfirst *x = a, *y = b;
	int c = memcmp(x->hash, y->hash, sizeof x->hash);

	if (c)
		return c;
	return (x->first > y->first) - (x->first < y->first);
}

static int by_first(const void *a, const void *b)
{
	const struct tfirst *x = *(struct tfirst *const *)a, *y = *(struct tfirst *const *)b;

	return (x->first > y->first) - (x->first < y->first);
}

int64_t dt_text_key(const struct run *r, uint32_t src, int64_t local)
{
	size_t shard;

	if (!r->keys)
		return local;
	shard = r->src[src].part->shard;
	if (shard >= r->nkeyed || local < 0 || (size_t)local >= r->nkeys[shard] ||
	    r->keys[shard][local] == 0)
		return -1;
	return r->keys[shard][local];
}

void dt_set_keys_free(struct run *r)
{
	size_t k;

	for (k = 0; k < r->nkeyed; k++)
		free(r->keys[k]);
	free(r->keys);
	free(r->nkeys);
	r->keys = NULL;
	r->nkeys = NULL;
	r->nkeyed = 0;
}

/* Adds the texts of part p (each with its first document there) to *t. */
static int part_texts(const struct set_part *p, struct tfirst **t, size_t *n, size_t *cap,
		      struct pv_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(p->s, &st, "SELECT d.text_id, t.hash, min(d.id) FROM docs d "
			     "JOIN texts t ON t.id = d.text_id GROUP BY d.text_id",
			     "numbering the set's texts", err)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tfirst *x;
		if (sqlite3_column_bytes(st, 1) != 16) {
			int64_t id = sqlite3_column_int64(st, 0);
			int len = sqlite3_column_bytes(st, 1);
			sqlite3_finalize(st);
			return pv_errf(err, PV_ESTORE, "%s: text %lld has a hash of %d bytes, "
				       "not 16: the store is damaged", store_path(p->s),
				       (long long)id, len);
		}
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 4096;
			*t = pv_realloc(*t, *cap * sizeof **t);
		}
		x = &(*t)[(*n)++];
		x->local = sqlite3_column_int64(st, 0);
		memcpy(x->hash, sqlite3_column_blob(st, 1), 16);
		x->first = sqlite3_column_int64(st, 2);
		x->shard = p->shard;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(p->s, err, "numbering the set's texts");
	return 0;
}

/* Numbers the texts of the set (the head comment): r->keys. */
int dt_set_keys(struct run *r, struct pv_err *err)
{
	struct tfirst *t = NULL, **order = NULL;
	size_t n = 0, cap = 0, i, j, nd = 0, np = set_nparts(r->set), ns = set_size(r->set);
	int rc = 0;

	for (i = 0; i < np; i++) {
		const struct set_part *p = set_part(r->set, i);
		/* a minus part's rows are a base part's; a plus part's are copies
		 * of them (same ids, same texts): the first document is the same */
		if (p->sign > 0 && (rc = part_texts(p, &t, &n, &cap, err)))
			goto out;
	}
	r->nkeyed = ns;
	r->keys = pv_calloc(ns ? ns : 1, sizeof *r->keys);
	r->nkeys = pv_calloc(ns ? ns : 1, sizeof *r->nkeys);
	for (i = 0; i < n; i++)
		if (t[i].shard < ns && (size_t)t[i].local >= r->nkeys[t[i].shard])
			r->nkeys[t[i].shard] = (size_t)t[i].local + 1;
	for (i = 0; i < ns; i++)
		r->keys[i] = pv_calloc(r->nkeys[i] ? r->nkeys[i] : 1, sizeof **r->keys);
	/* the same text in several shards (or parts): one, with the earliest
	 * first document */
	pv_qsort(t, n, sizeof *t, by_hash_first);
	order = pv_malloc((n ? n : 1) * sizeof *order);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !memcmp(t[j].hash, t[i].hash, 16); j++)
			t[j].first = t[i].first;
		order[nd++] = &t[i];
	}
	pv_qsort(order, nd, sizeof *order, by_first);
	/* the key of a text: its place in that order, from 1, given to each of
	 * its copies (the group of equal hashes after its head) */
	for (i = 0; i < nd; i++) {
		struct tfirst *head = order[i];
		for (j = (size_t)(head - t); j < n && !memcmp(t[j].hash, head->hash, 16); j++)
			if (t[j].shard < ns)
				r->keys[t[j].shard][t[j].local] = (int64_t)i + 1;
	}
out:
	free(order);
	free(t);
	return rc;
}

/* ---- the sources ---- */

int dt_max_doc(const struct run *r, int64_t *out, struct pv_err *err)
{
	size_t k;

	*out = 0;
	for (k = 0; k < r->nsrc; k++) {
		int64_t m = 0;
		if (store_q_int64(r->src[k].s->db, "SELECT coalesce(max(id), 0) FROM docs",
				  NULL, &m) != SQLITE_OK)
			return store_sqlerr(r->src[k].s, err, "reading the documents' ids");
		if (m > *out)
			*out = m;
	}
	return 0;
}

/* Makes r's sources of the set: its listed parts, each with its filter
 * (*sql, compiled for every part; the caller frees it), and the texts'
 * keys. */
static int set_sources(struct run *r, struct store_set *set, const struct filter_ast *ast,
		       struct filter_sql **sql, struct pv_err *err)
{
	size_t k, np = set_nparts(set);
	int rc;

	r->set = set;
	if (ast && (rc = set_filters(set, ast, sql, err)))
		return rc;
	r->src = pv_calloc(np ? np : 1, sizeof *r->src);
	for (k = 0; k < np; k++) {
		const struct set_part *p = set_part(set, k);
		if (!p->listed)
			continue;
		r->src[r->nsrc].s = p->s;
		r->src[r->nsrc].where = *sql ? &(*sql)[k] : NULL;
		r->src[r->nsrc].part = p;
		r->nsrc++;
	}
	/* a plain store wrapped as a set of one keeps its own text ids */
	return set_is_folder_set(set) ? dt_set_keys(r, err) : 0;
}

static void set_sources_done(struct run *r, struct filter_sql *sql)
{
	if (r->set)
		set_filters_done(r->set, sql);
	dt_set_keys_free(r);
	free(r->src);
}

int detect_run_set(struct store_set *set, const struct filter_ast *ast, struct store *out,
		   const struct detect_opts *o, struct detect_report *rep, struct pv_err *err)
{
	struct filter_sql *sql = NULL;
	struct run r;
	int rc;

	memset(rep, 0, sizeof *rep);
	memset(&r, 0, sizeof r);
	r.o = o;
	r.out = o->dry_run ? NULL : out;
	if (!(rc = set_sources(&r, set, ast, &sql, err)))
		rc = dt_run(&r, rep, err);
	set_sources_done(&r, sql);
	return rc;
}

int detect_apply_set(struct store_set *set, const struct filter_ast *ast, struct store *out,
		     const struct detect_opts *o, int64_t run, struct detect_applied *a,
		     struct pv_err *err)
{
	struct filter_sql *sql = NULL;
	struct run r;
	int rc;

	memset(a, 0, sizeof *a);
	memset(&r, 0, sizeof r);
	r.o = o;
	r.out = out;
	if (!out)
		return pv_errf(err, PV_EINVAL, "%s: detect --apply needs the store its run "
			       "is in", set_path(set));
	if (!(rc = set_sources(&r, set, ast, &sql, err)))
		rc = dt_apply(&r, run, a, err);
	set_sources_done(&r, sql);
	return rc;
}
