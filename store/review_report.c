/*
 * review_report.c - the report of blind review answers (see review.h):
 * the totals, groups and agreement read from review_answers, with the
 * statistics of analysis/agree.c (Wilson intervals, Cohen's and Fleiss'
 * kappa).  Reads only; sessions and answers are written by review.c.
 */
#include "store_int.h"
#include "review.h"
#include "set.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the report ---- */

bool review_by_ok(const char *by)
{
	return !by || !strcmp(by, "generator") || !strcmp(by, "source") ||
	       !strcmp(by, "reviewer");
}

void review_report_done(struct review_report *r)
{
	size_t i;

	for (i = 0; i < r->ngroups; i++)
		free(r->groups[i].value);
	for (i = 0; i < r->ncohen; i++) {
		free(r->cohen[i].a);
		free(r->cohen[i].b);
	}
	free(r->groups);
	free(r->cohen);
	memset(r, 0, sizeof *r);
}

/* The document an answer is about: the synthetic one of a pair (by the
 * truth recorded), the one document in single mode. */
#define ANSWER_DOC "CASE WHEN s.mode='pairs' THEN (CASE a.truth WHEN 'left' THEN a.left_doc " \
		   "ELSE a.right_doc END) ELSE a.left_doc END"
#define FROM_ANSWERS " FROM review_answers a JOIN review_sessions s ON s.id=a.session_id " \
		     "LEFT JOIN docs d ON d.id=" ANSWER_DOC " WHERE (?1 IS NULL OR s.mode=?1) "

static int report_totals(struct store *s, const char *mode, struct review_report *r,
			 struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prep(s, &st, "SELECT count(*), count(*) - count(a.correct), "
			     "count(DISTINCT a.session_id), count(DISTINCT a.reviewer)"
			     FROM_ANSWERS,
			     "preparing a review query", err)))
		return rc;
	if (mode)
		sqlite3_bind_text(st, 1, mode, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->answers = sqlite3_column_int64(st, 0);
		r->skipped = sqlite3_column_int64(st, 1);
		r->sessions = sqlite3_column_int64(st, 2);
		r->reviewers = sqlite3_column_int64(st, 3);
		rc = 0;
	} else {
		rc = store_sqlerr(s, err, "reading the review answers");
	}
	sqlite3_finalize(st);
	return rc;
}

static int report_groups(struct store *s, const char *by, const char *mode,
			 struct review_report *r, struct pv_err *err)
{
	const char *key = !by ? "NULL" :
		!strcmp(by, "generator") ? "CASE WHEN s.mode='single' AND a.truth='real' "
					   "THEN NULL ELSE d.generator END" :
		!strcmp(by, "source") ? "d.source" : "a.reviewer";
	const char *real = by && !strcmp(by, "generator") ?
		"(s.mode='single' AND a.truth='real')" : "0";
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	buf_printf(&sql, "SELECT s.mode, %s AS k, %s AS realdocs, count(*), count(a.correct), "
		   "coalesce(sum(a.correct), 0)" FROM_ANSWERS
		   "GROUP BY s.mode, k, realdocs ORDER BY s.mode='pairs' DESC, "
		   "count(a.correct) DESC, count(*) DESC, k", key, real);
	rc = store_prep(s, &st, buf_str(&sql), "preparing a review query", err);
	buf_done(&sql);
	if (rc)
		return rc;
	if (mode)
		sqlite3_bind_text(st, 1, mode, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct review_group *g;
		const unsigned char *v = sqlite3_column_text(st, 1);
		if (r->ngroups == cap) {
			cap = cap ? cap * 2 : 8;
			r->groups = pv_realloc(r->groups, cap * sizeof *r->groups);
		}
		g = &r->groups[r->ngroups++];
		memset(g, 0, sizeof *g);
		g->mode = strcmp((const char *)sqlite3_column_text(st, 0), "single") ?
			  REVIEW_PAIRS : REVIEW_SINGLE;
		g->value = v ? pv_strdup((const char *)v) : NULL;
		g->real_docs = sqlite3_column_int(st, 2) != 0;
		g->answers = sqlite3_column_int64(st, 3);
		g->answered = sqlite3_column_int64(st, 4);
		g->correct = sqlite3_column_int64(st, 5);
		g->accuracy = g->answered ? (double)g->correct / (double)g->answered : 0;
		review_wilson(g->correct, g->answered, 1.959964, &g->lo, &g->hi);
		g->verdict = !g->answered ? RV_NONE : g->lo > 0.5 ? RV_APART :
			     g->hi < 0.5 ? RV_BELOW : RV_UNCLEAR;
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "reading the review answers");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

/* One reviewer's latest vote on one item. */
struct vote {
	int64_t lo, hi;
	int rev;                 /* reviewer index */
	int cat;                 /* 0 or 1 */
};

struct pairbuf {
	int *a, *b;
	size_t n, cap;
};

static int cmp_str(const void *pa, const void *pb)
{
	return strcmp(*(char *const *)pa, *(char *const *)pb);
}

/* Agreement in one mode: Cohen's kappa per pair of reviewers on the items
 * both answered (their latest answer, skips left out), Fleiss' kappa over
 * the items two or more answered.  The categories: in single mode the
 * answer (synthetic, real); in pairs mode whether the document picked is
 * the synthetic one (which side, or which of the two ids, would be an
 * arbitrary name for the same choice, and would move chance agreement). */
static int report_agreement(struct store *s, enum review_mode m, struct review_report *r,
			    struct pv_err *err)
{
	sqlite3_stmt *st;
	struct vote *v = NULL;
	char **names = NULL;
	size_t nv = 0, vcap = 0, nn = 0, ncap = 0, i, j, k, nr;
	struct pairbuf *pb = NULL;
	int *counts = NULL;
	size_t nunits = 0, ucap = 0;
	bool *rated = NULL;
	int rc;

	if ((rc = store_prep(s, &st,
		"SELECT min(a.left_doc, coalesce(a.right_doc, a.left_doc)) AS lo, "
		"max(a.left_doc, coalesce(a.right_doc, a.left_doc)) AS hi, a.reviewer, "
		"CASE WHEN s.mode='pairs' THEN a.correct=0 ELSE a.answer='real' END, "
		"max(a.id) "
		"FROM review_answers a JOIN review_sessions s ON s.id=a.session_id "
		"WHERE s.mode=?1 AND a.answer <> 'skip' GROUP BY lo, hi, a.reviewer "
		"ORDER BY lo, hi, a.reviewer", "preparing a review query", err)))
		return rc;
	sqlite3_bind_text(st, 1, review_mode_name(m), -1, SQLITE_STATIC);
	/* first pass: votes with reviewer names kept aside */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nv == vcap) {
			vcap = vcap ? vcap * 2 : 64;
			v = pv_realloc(v, vcap * sizeof *v);
		}
		if (nn == ncap) {
			ncap = ncap ? ncap * 2 : 64;
			names = pv_realloc(names, ncap * sizeof *names);
		}
		v[nv].lo = sqlite3_column_int64(st, 0);
		v[nv].hi = sqlite3_column_int64(st, 1);
		v[nv].cat = sqlite3_column_int(st, 3) ? 1 : 0;
		names[nn++] = pv_strdup((const char *)sqlite3_column_text(st, 2));
		nv++;
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "reading the review answers");
		sqlite3_finalize(st);
		for (i = 0; i < nn; i++)
			free(names[i]);
		free(names);
		free(v);
		return rc;
	}
	sqlite3_finalize(st);
	/* reviewer indexes: the sorted distinct names */
	{
		char **sorted = pv_malloc((nn + 1) * sizeof *sorted);
		if (nn)
			memcpy(sorted, names, nn * sizeof *sorted);
		qsort(sorted, nn, sizeof *sorted, cmp_str);
		for (i = 0, nr = 0; i < nn; i++)
			if (nr == 0 || strcmp(sorted[nr - 1], sorted[i]))
				sorted[nr++] = sorted[i];
		for (i = 0; i < nv; i++) {
			char **f = bsearch(&names[i], sorted, nr, sizeof *sorted, cmp_str);
			v[i].rev = (int)(f - sorted);
		}
		/* keep the distinct names (sorted points into names) */
		for (i = 0; i < nr; i++)
			sorted[i] = pv_strdup(sorted[i]);
		for (i = 0; i < nn; i++)
			free(names[i]);
		free(names);
		names = sorted;
	}
	pb = nr > 1 ? pv_calloc(nr * nr, sizeof *pb) : NULL;
	rated = pv_calloc(nr + 1, sizeof *rated);
	for (i = 0; i < nv; i = j) {
		for (j = i + 1; j < nv && v[j].lo == v[i].lo && v[j].hi == v[i].hi; j++)
			;
		if (j - i < 2)
			continue;
		/* a unit two or more answered */
		if (nunits == ucap) {
			ucap = ucap ? ucap * 2 : 64;
			counts = pv_realloc(counts, ucap * 2 * sizeof *counts);
		}
		counts[nunits * 2] = counts[nunits * 2 + 1] = 0;
		for (k = i; k < j; k++) {
			size_t l;
			counts[nunits * 2 + v[k].cat]++;
			rated[v[k].rev] = true;
			for (l = k + 1; l < j; l++) {
				struct pairbuf *p = &pb[(size_t)v[k].rev * nr + (size_t)v[l].rev];
				if (p->n == p->cap) {
					p->cap = p->cap ? p->cap * 2 : 16;
					p->a = pv_realloc(p->a, p->cap * sizeof *p->a);
					p->b = pv_realloc(p->b, p->cap * sizeof *p->b);
				}
				p->a[p->n] = v[k].cat;
				p->b[p->n] = v[l].cat;
				p->n++;
			}
		}
		nunits++;
	}
	for (i = 0; pb && i < nr; i++) {
		for (j = i + 1; j < nr; j++) {
			struct pairbuf *p = &pb[i * nr + j];
			struct review_cohen_pair *c;
			size_t x;
			if (!p->n)
				continue;
			r->cohen = pv_realloc(r->cohen, (r->ncohen + 1) * sizeof *r->cohen);
			c = &r->cohen[r->ncohen++];
			memset(c, 0, sizeof *c);
			c->mode = m;
			c->a = pv_strdup(names[i]);
			c->b = pv_strdup(names[j]);
			c->items = (int64_t)p->n;
			for (x = 0, c->agree = 0; x < p->n; x++)
				c->agree += p->a[x] == p->b[x];
			c->agree /= (double)p->n;
			c->defined = review_cohen(p->a, p->b, p->n, 2, &c->kappa);
		}
	}
	{
		struct review_fleiss_row *f = &r->fleiss[m];
		memset(f, 0, sizeof *f);
		f->mode = m;
		for (i = 0; i < nr; i++)
			f->reviewers += rated[i];
		f->items = (int64_t)nunits;
		if (f->reviewers > 2)
			f->defined = review_fleiss(counts, nunits, 2, &f->kappa);
	}
	for (i = 0; pb && i < nr * nr; i++) {
		free(pb[i].a);
		free(pb[i].b);
	}
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	free(pb);
	free(rated);
	free(counts);
	free(v);
	return 0;
}

int review_report(struct store *s, const char *by, int mode, struct review_report *out,
		  struct pv_err *err)
{
	const char *m = mode < 0 ? NULL : review_mode_name((enum review_mode)mode);
	int rc;

	memset(out, 0, sizeof *out);
	if (!review_by_ok(by))
		return pv_errf(err, PV_EUSAGE, "cannot group by '%s' (generator, source, "
			       "reviewer)", by);
	if ((rc = report_totals(s, m, out, err)) || (rc = report_groups(s, by, m, out, err)))
		goto fail;
	if ((mode < 0 || mode == REVIEW_PAIRS) &&
	    (rc = report_agreement(s, REVIEW_PAIRS, out, err)))
		goto fail;
	if ((mode < 0 || mode == REVIEW_SINGLE) &&
	    (rc = report_agreement(s, REVIEW_SINGLE, out, err)))
		goto fail;
	return 0;
fail:
	review_report_done(out);
	return rc;
}

/* The documents set's review.pvx (rv) has answers about, as the set has
 * them now, in rv's TEMP TABLE docs (the columns the report reads), which
 * hides rv's own docs (only the documents reviewers relabelled). */
static int answer_docs(struct store_set *set, struct store *rv, struct pv_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0, i;
	int rc;

	if ((rc = store_exec(rv->db, "CREATE TEMP TABLE docs(id INTEGER PRIMARY KEY, "
			     "generator TEXT, source TEXT)", err)) ||
	    (rc = store_prep(rv, &st, "SELECT left_doc FROM review_answers UNION "
			     "SELECT right_doc FROM review_answers WHERE right_doc IS "
			     "NOT NULL", "reading the review answers", err)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			ids = pv_realloc(ids, cap * sizeof *ids);
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(rv, err, "reading the review answers");
		goto out;
	}
	if ((rc = store_prep(rv, &st, "INSERT INTO temp.docs VALUES(?1, ?2, ?3)",
			     "reading the reviewed documents", err)))
		goto out;
	for (i = 0; i < n && !rc; i++) {
		struct doc_row row;
		struct store *part;
		memset(&row, 0, sizeof row);
		rc = set_doc_get(set, ids[i], &part, &row, err);
		if (rc == PV_ENOTFOUND) {
			rc = 0;          /* a document no shard holds: no group */
		} else if (!rc) {
			sqlite3_bind_int64(st, 1, ids[i]);
			sqlite3_bind_text(st, 2, row.generator, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 3, row.source, -1, SQLITE_TRANSIENT);
			rc = sqlite3_step(st) == SQLITE_DONE ? 0 :
				store_sqlerr(rv, err, "reading the reviewed documents");
			sqlite3_reset(st);
		}
		doc_row_done(&row);
	}
out:
	sqlite3_finalize(st);
	free(ids);
	return rc;
}

int review_report_set(struct store_set *set, const char *by, int mode,
		      struct review_report *out, struct pv_err *err)
{
	struct buf path = BUF_INIT;
	struct store *rv = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (!set_is_folder_set(set))
		return review_report(set_shard(set, 0), by, mode, out, err);
	if (!review_by_ok(by))
		return pv_errf(err, PV_EUSAGE, "cannot group by '%s' (generator, source, "
			       "reviewer)", by);
	buf_printf(&path, "%s/review.pvx", set_path(set));
	if (access(buf_str(&path), F_OK) != 0) {
		buf_done(&path);
		return 0;                /* no review state yet: no answers */
	}
	if (!(rc = store_open(&rv, buf_str(&path), STORE_READ, err)) &&
	    !(rc = answer_docs(set, rv, err)))
		rc = review_report(rv, by, mode, out, err);
	store_close(rv);
	buf_done(&path);
	return rc;
}

const char *review_verdict_words(enum review_verdict v)
{
	switch (v) {
	case RV_APART: return "told apart";
	case RV_UNCLEAR: return "not distinguishable";
	case RV_BELOW: return "below chance";
	default: return "no answers";
	}
}
