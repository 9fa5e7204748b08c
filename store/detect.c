/*
 * detect.c - provex detect over a store: the real and synthetic documents
 * of a filter, K-fold cross-validation of classify.c's model over their
 * distinct texts, each document's out-of-fold score written to scores,
 * the run to detect_runs, and the report (AUC per group, the words and
 * phrases that separate the sides, the review queues).
 *
 * Every model of a run is of one family (o->model): naive Bayes
 * (classify.c) or the logistic regression (lr.c).  The work is passes
 * over the distinct texts:
 *  1. count, in text id order: each text's word 1-2-grams go to the word
 *     tables of its sides and groups; for naive Bayes its features go to
 *     its fold's table (a text seen several times counts as often as it
 *     occurs); for the regression its style features are kept (r->style),
 *     then counted for each model, text by text;
 *  (the regression only) training passes, DETECT_LR_EPOCHS of them for
 *     the pooled model (CONTROL_EPOCHS of them step the control too), each
 *     in an order of its own drawn from the seed (a hash of the text id,
 *     never the labels' order), each text an SGD step of the models;
 *  2. score, in text id order: each text is scored by the model of its
 *     fold (trained on the other folds), and the words of the buckets
 *     that the counts single out are counted again exactly, by their text.
 * The group models (own, matched) take the same passes over the texts
 * they involve (GROUP_EPOCHS training passes for the regression), a
 * batch of groups at a time; the regression's first batch rides along
 * the pooled model's last epoch and its scoring pass (struct batch).  The
 * control is trained and measured on a sample of about CONTROL_TEXTS.
 * Folds go by a hash of (seed, text id): exact duplicates share a fold,
 * so no text is both trained on and scored.  Documents of unknown origin
 * are left out; every other document the filter selects takes part.
 *
 * Writing happens at the end, in one transaction: the scores, the run
 * and its saved model (the pooled fold models averaged, detmodel.c), so
 * that a run stopped before leaves the store as it was.  detect_apply
 * scores the documents added since a run with that saved model.
 *
 * The work is in files of one job each (store/detect_int.h, which they
 * share, lists them): detect_read.c reads the documents, detect_words.c
 * keeps the word tables, detect_pass.c runs the passes on the threads,
 * detect_measure.c computes the figures, detect_json.c writes the
 * summary, detect_set.c makes a run over a set of stores (its documents
 * from every part of the set, in the order of one store, its run written
 * to the set's review store).  This file holds the run itself, the
 * batches of group models, the writing and detect_apply.
 */
#include "store_int.h"
#include "detect.h"
#include "../analysis/lr.h"
#include "detect_int.h"
#include "filter.h"
#include "set.h"
#include "../common/json.h"
#include "../common/mix.h"
#include "../common/clock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double detect_fprs[DETECT_FPRS] = { 0.01, 0.05 };

/* Threads by default: one per online processor, at most DETECT_MAX_THREADS. */
static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > DETECT_MAX_THREADS ? DETECT_MAX_THREADS : (unsigned)n;
}

uint64_t dt_str_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return pv_mix64(h);
}

const char *detect_by_name(enum detect_by by)
{
	return by == DETECT_BY_GENERATOR ? "generator" :
	       by == DETECT_BY_SOURCE ? "source" : "none";
}

const char *detect_model_name(enum detect_model m)
{
	return m == DETECT_MODEL_NB ? "naive Bayes" : "logistic regression";
}

/* ---- a model of the run's family ---- */

static void model_new(struct model *m, enum detect_model kind, unsigned folds)
{
	m->nb = kind == DETECT_MODEL_NB ? detect_nb_new(folds) : NULL;
	m->lr = kind == DETECT_MODEL_LR ? detect_lr_new(folds) : NULL;
}

static void model_free(struct model *m)
{
	detect_nb_free(m->nb);
	detect_lr_free(m->lr);
	m->nb = NULL;
	m->lr = NULL;
}

static void batch_free(struct batch *b)
{
	unsigned j;

	for (j = 0; j < BATCH_GROUPS; j++) {
		model_free(&b->own[j]);
		model_free(&b->mtc[j]);
	}
	b->n = 0;
	b->in_pooled = false;
}

static bool model_on(const struct model *m)
{
	return m->nb || m->lr;
}

/* After counting (naive Bayes: its pass; the regression: detect_lr_count):
 * fits naive Bayes's weights or starts the regression.  Returns the folds
 * trained on one class only. */
static unsigned model_fit(struct model *m)
{
	return m->nb ? detect_nb_fit(m->nb) : m->lr ? detect_lr_start(m->lr) : 0;
}

/* The log-odds that fold f's model gives a text (style: its style
 * features, used by the regression only). */
double dt_model_score(const struct model *m, unsigned f, const struct detect_vec *v,
			  const double *style)
{
	return m->nb ? detect_nb_score(m->nb, f, v) :
	       m->lr ? detect_lr_score(m->lr, f, v, style) : 0;
}


/*
 * The group models, a batch at a time: for each group, its own model (its
 * synthetic texts against every real one; naive Bayes reuses the pooled
 * model's real counts, the regression is trained on the real texts too)
 * when own, and its matched model (against the real documents of the
 * values it covers) when --match, trained and scored out of fold in
 * passes over the texts involved (naive Bayes: one to count, one to
 * score; the regression: its epochs, one to score), then measured.
 *
 * batch_start makes the models of groups [g0, g0 + n) and counts what the
 * regression needs counted; the passes follow; batch_measure fills the
 * report and frees the models.
 */
static void batch_start(struct run *r, struct detect_report *rep, uint32_t g0, unsigned n,
			bool own)
{
	struct batch *b = &r->b;
	bool match = r->o->match != NULL;
	size_t mtexts[BATCH_GROUPS] = { 0 }, i, k;
	unsigned j;

	b->n = n;
	for (j = 0; j < n; j++)
		b->g[j] = g0 + j;
	for (i = 0; i < r->ntexts; i++) {
		struct dtext *t = &r->texts[i];
		for (j = 0; j < n; j++) {
			struct gtext *gt = dt_gt_of(r, t, j);
			memset(gt, 0, sizeof *gt);
			for (k = t->first; k < t->first + t->n; k++) {
				const struct drow *d = &r->rows[k];
				if (d->synth && d->group == b->g[j])
					gt->gsyn++;
				else if (!d->synth && match && dt_covers(r, b->g[j], d->mval))
					gt->mreal++;
			}
			mtexts[j] += gt->mreal > 0;
		}
	}
	for (j = 0; j < n; j++) {
		if (own)
			model_new(&b->own[j], r->o->model, r->o->folds);
		if (match && mtexts[j] >= 2)
			model_new(&b->mtc[j], r->o->model, r->o->folds);
		if (b->own[j].nb)
			detect_nb_copy_real(b->own[j].nb, r->pooled.nb);
		for (i = 0; r->o->model == DETECT_MODEL_LR && i < r->ntexts; i++) {
			const struct dtext *t = &r->texts[i];
			const struct gtext *gt = dt_gt_of(r, t, j);
			if (b->own[j].lr)
				detect_lr_count(b->own[j].lr, t->fold, t->real, gt->gsyn,
						dt_style_of(r, t));
			if (b->mtc[j].lr)
				detect_lr_count(b->mtc[j].lr, t->fold, gt->mreal, gt->gsyn,
						dt_style_of(r, t));
		}
		/* the regression starts now; naive Bayes after its counting pass */
		if (r->o->model == DETECT_MODEL_LR) {
			if (model_on(&b->own[j]))
				rep->groups[b->g[j]].own_degenerate = model_fit(&b->own[j]);
			model_fit(&b->mtc[j]);
		}
	}
}

static void batch_measure(struct run *r, struct detect_report *rep)
{
	struct batch *b = &r->b;
	bool match = r->o->match != NULL;
	double *pos = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *pos);
	double *neg = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *neg);
	double *mpos = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *mpos);
	double *mneg = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *mneg);
	unsigned j;

	for (j = 0; j < b->n; j++) {
		uint32_t g = b->g[j];
		struct detect_group *dg = &rep->groups[g];
		size_t i, k, np = 0, nn = 0, nm = 0;
		double pa = 0, pb = 0;
		for (i = 0; i < r->ntexts; i++) {
			const struct dtext *t = &r->texts[i];
			const struct gtext *gt = dt_gt_of(r, t, j);
			for (k = t->first; k < t->first + t->n; k++) {
				const struct drow *d = &r->rows[k];
				if (d->synth && d->group == g) {
					pos[np] = gt->s_own;
					mpos[np++] = gt->s_match;
				} else if (!d->synth) {
					neg[nn++] = gt->s_own;
					if (match && dt_covers(r, g, d->mval))
						mneg[nm++] = gt->s_match;
				}
			}
		}
		if (model_on(&b->own[j])) {
			dg->has_own = detect_auc(pos, np, neg, nn, &dg->own) == 0;
			/* the own model's probability: Platt over its own scores */
			dt_platt_of(r, (int)j, &pa, &pb);
			for (i = 0; i < r->ntexts; i++) {
				const struct dtext *t = &r->texts[i];
				double p = detect_sigmoid(pa * dt_gt_of(r, t, j)->s_own + pb);
				for (k = t->first; k < t->first + t->n; k++)
					if (r->rows[k].synth && r->rows[k].group == g)
						r->rows[k].own = p;
			}
			dg->tpr_model = "own";
			dt_tpr_and_bins(r, rep, g, (int)j, pa, pb, dg->tpr, dg->bins);
		}
		dg->matched_real = (int64_t)nm;
		if (model_on(&b->mtc[j]))
			dg->has_matched = detect_auc(mpos, np, mneg, nm, &dg->matched) == 0;
		rep->own_groups += dg->has_own;
	}
	free(pos);
	free(neg);
	free(mpos);
	free(mneg);
	batch_free(b);
}

/* The models of a batch of n groups run in their own passes. */
static int batch_passes(struct pool *p, struct run *r, struct detect_report *rep,
			struct pv_err *err)
{
	struct batch *b = &r->b;
	unsigned j;
	int rc;

	if (r->o->model == DETECT_MODEL_NB) {
		if ((rc = dt_pass(p, PASS_GCOUNT, NULL, err)))
			return rc;
		for (j = 0; j < b->n; j++) {
			if (model_on(&b->own[j]))
				rep->groups[b->g[j]].own_degenerate = model_fit(&b->own[j]);
			model_fit(&b->mtc[j]);
		}
	} else if ((rc = dt_epochs(p, PASS_GTRAIN, err))) {
		return rc;
	}
	return dt_pass(p, PASS_GSCORE, NULL, err);
}

/* How many groups from g0 on (of ng) a batch holds, with at most `models`
 * group models. */
static unsigned batch_size(const struct run *r, size_t g0, size_t ng, bool own,
			   unsigned models)
{
	unsigned per = (own ? 1u : 0u) + (r->o->match ? 1u : 0u);
	unsigned n = per ? models / per : 0;

	if (n > BATCH_GROUPS)
		n = BATCH_GROUPS;
	if (n > ng - g0)
		n = (unsigned)(ng - g0);
	return n;
}

/* The filter of a review queue: the run's filter (in parentheses) and
 * cond. */
/* ---- writing ---- */

/* The run's model, for detect --apply (in write_run's transaction). */
static int write_model(struct run *r, const struct detect_report *rep, struct pv_err *err)
{
	sqlite3_stmt *st = NULL;
	void *blob = NULL;
	size_t len = 0;
	int rc;

	if (!r->saved.folds)
		return 0;                  /* no fold model trained on both classes */
	if ((rc = detect_saved_pack(&r->saved, &blob, &len, err)))
		return rc;
	if ((rc = store_prep(r->out, &st, "INSERT OR REPLACE INTO detect_models(run_id, kind, "
			     "max_doc, platt_a, platt_b, threshold_1, threshold_5, model) "
			     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", "saving the model", err))) {
		free(blob);
		return rc;
	}
	sqlite3_bind_int64(st, 1, rep->run_id);
	sqlite3_bind_text(st, 2, r->saved.kind == DETECT_MODEL_NB ? "nb" : "lr", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->max_doc);
	sqlite3_bind_double(st, 4, rep->platt_a);
	sqlite3_bind_double(st, 5, rep->platt_b);
	sqlite3_bind_double(st, 6, rep->tpr[0].threshold);
	sqlite3_bind_double(st, 7, rep->tpr[1].threshold);
	sqlite3_bind_blob(st, 8, blob, (int)len, free);
	return store_step_done(r->out, st, "saving the model", err);
}

static int write_run(struct run *r, struct detect_report *rep, double t0,
		     struct pv_err *err)
{
	sqlite3 *db = r->out->db;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	if ((rc = store_begin(r->out, err)))
		return rc;
	if ((rc = store_prep(r->out, &st, "INSERT INTO detect_runs(at, filter, settings) "
			     "VALUES(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1, ?2)",
			     "writing the scores", err)))
		goto undo;
	sqlite3_bind_text(st, 1, r->o->filter ? r->o->filter : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, rep->settings, -1, SQLITE_TRANSIENT);
	if ((rc = store_step_done(r->out, st, "writing the scores", err)))
		goto undo;
	rep->run_id = sqlite3_last_insert_rowid(db);
	if ((rc = write_model(r, rep, err))) {
		store_rollback(r->out);
		return rc;
	}
	if ((rc = store_prep(r->out, &st, "INSERT OR REPLACE INTO scores(doc_id, score, run_id, "
			     "model, own) VALUES(?1, ?2, ?3, 'pooled', ?4)", "writing the scores",
			     err)))
		goto undo;
	for (i = 0; i < r->nrows; i++) {
		sqlite3_bind_int64(st, 1, r->rows[i].id);
		sqlite3_bind_double(st, 2, dt_prob(rep, r->rows[i].s));
		sqlite3_bind_int64(st, 3, rep->run_id);
		if (isnan(r->rows[i].own))
			sqlite3_bind_null(st, 4);
		else
			sqlite3_bind_double(st, 4, r->rows[i].own);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	rep->seconds = pv_now() - t0;
	rep->summary = dt_make_summary(r->o, rep);
	if ((rc = store_prep(r->out, &st, "UPDATE detect_runs SET summary = ?1 WHERE id = ?2",
			     "writing the scores", err)))
		goto undo;
	sqlite3_bind_text(st, 1, rep->summary, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, rep->run_id);
	if ((rc = store_step_done(r->out, st, "writing the scores", err)))
		goto undo;
	return store_commit(r->out, err);
fail:
	rc = store_sqlerr(r->out, err, "writing the scores");
	sqlite3_finalize(st);
undo:
	store_rollback(r->out);
	return rc;
}

/* ---- the run ---- */

int detect_run(struct store *s, const struct filter_sql *where,
	       const struct detect_opts *o, struct detect_report *rep,
	       struct pv_err *err)
{
	struct dsrc src = { s, where, NULL };
	struct run r;

	memset(&r, 0, sizeof r);
	r.out = o->dry_run ? NULL : s;
	r.src = &src;
	r.nsrc = 1;
	r.o = o;
	return dt_run(&r, rep, err);
}

/* The run over r's sources (r->out, r->set, r->src, r->keys and r->o
 * set, the rest zero); frees what it made, not those. */
int dt_run(struct run *rp, struct detect_report *rep, struct pv_err *err)
{
	struct helper helpers[DETECT_MAX_THREADS];
	struct pool pool;
	struct run r = *rp;
	const struct detect_opts *o = r.o;
	double t0 = pv_now();
	bool started = false, own;
	size_t i, g = 0, ng;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (o->folds < 2 || o->folds > DETECT_MAX_FOLDS)
		return pv_errf(err, PV_EUSAGE, "--folds must be 2 to %d", DETECT_MAX_FOLDS);
	if (!o->dry_run && !r.out)
		return pv_errf(err, PV_EINVAL, "detect: nowhere to write the run (no store "
			       "open for writing): use --dry-run");
	rep->settings = dt_make_settings(o);
	rep->high_filter = dt_queue_filter(o->filter, "origin:real score:>0.9");
	rep->low_filter = dt_queue_filter(o->filter, "origin:synthetic score:<0.1");
	if ((rc = dt_max_doc(&r, &r.max_doc, err)) || (rc = dt_read_rows(&r, rep, err)))
		goto out;
	dt_rank_groups(&r);
	dt_make_cover(&r);
	if ((rc = dt_make_texts(&r, rep, err)))
		goto out;
	dt_make_edges(&r, rep);
	rep->check_field = dt_check_field(o);
	model_new(&r.pooled, o->model, o->folds);
	model_new(&r.ctl, o->model, o->folds);
	if (o->model == DETECT_MODEL_LR) {
		r.style = pv_malloc(r.ntexts * DETECT_STYLE * sizeof *r.style);
		r.order = pv_malloc(r.ntexts * sizeof *r.order);
	}
	/* word tables: one per group (the largest DETECT_WORD_GROUPS) when
	 * grouping, else the synthetic side is the one group */
	if (o->top)
		dt_words_init(&r.w, o->by == DETECT_BY_NONE ? 0 :
			   PV_MIN(r.ngs, (size_t)DETECT_WORD_GROUPS));
	dt_pool_start(&pool, &r, o->threads ? PV_MIN(o->threads, DETECT_MAX_THREADS) :
		   default_threads(), helpers);
	started = true;
	if ((rc = dt_pass(&pool, PASS_COUNT, NULL, err)))
		goto out;
	for (i = 0; r.pooled.lr && i < r.ntexts; i++) {
		const struct dtext *t = &r.texts[i];
		detect_lr_count(r.pooled.lr, t->fold, t->real, t->synth, dt_style_of(&r, t));
		detect_lr_count(r.ctl.lr, t->fold, t->creal, t->csynth, dt_style_of(&r, t));
	}
	rep->degenerate_folds = model_fit(&r.pooled);
	model_fit(&r.ctl);
	/* a model per group (the largest DETECT_WORD_GROUPS), when there are
	 * several; a matched model per group with --match */
	own = o->by != DETECT_BY_NONE && r.ngs >= 2;
	ng = own || o->match ? PV_MIN(r.ngs, (size_t)DETECT_WORD_GROUPS) : 0;
	r.ngroup_models = (unsigned)ng;
	rep->groups = pv_calloc(r.ngs ? r.ngs : 1, sizeof *rep->groups);
	rep->ngroups = r.ngs;
	r.b.gt = pv_malloc((r.ntexts ? r.ntexts : 1) * BATCH_GROUPS * sizeof *r.b.gt);
	if (r.pooled.lr && ng) {
		/* the first groups' models ride along the pooled passes */
		batch_start(&r, rep, 0, batch_size(&r, 0, ng, own, BATCH_MODELS_POOLED), own);
		r.b.in_pooled = r.b.n > 0;
		g = r.b.n;
	}
	if (r.pooled.lr && (rc = dt_epochs(&pool, PASS_TRAIN, err)))
		goto out;
	if (o->top)
		dt_words_pick(&r.w, o->top);
	if ((rc = dt_pass(&pool, PASS_SCORE, NULL, err)))
		goto out;
	if (!o->dry_run) {
		if (r.pooled.lr)
			detect_lr_save(r.pooled.lr, &r.saved);
		else
			detect_nb_save(r.pooled.nb, &r.saved);
	}
	model_free(&r.ctl);
	if (r.pooled.lr)
		model_free(&r.pooled);     /* the regression's group models reuse nothing */
	dt_calibrate(&r, rep);
	dt_measure(&r, rep);
	dt_words_done(&r.w);
	dt_control_auc(&r, rep);
	dt_uncovered(&r, rep);
	if (r.b.in_pooled)
		batch_measure(&r, rep);
	while (g < ng) {
		batch_start(&r, rep, (uint32_t)g, batch_size(&r, g, ng, own,
			    o->model == DETECT_MODEL_NB ? BATCH_MODELS_NB : BATCH_MODELS), own);
		if ((rc = batch_passes(&pool, &r, rep, err)))
			goto out;
		g += r.b.n;
		batch_measure(&r, rep);
	}
	if (o->dry_run) {
		rep->seconds = pv_now() - t0;
		rep->summary = dt_make_summary(o, rep);
	} else {
		rc = write_run(&r, rep, t0, err);
	}
out:
	if (started)
		dt_pool_stop(&pool);
	free(r.rows);
	free(r.texts);
	for (i = 0; i < r.ngs; i++)
		free(r.gs[i].value);
	free(r.gs);
	free(r.ghash);
	dt_words_done(&r.w);
	model_free(&r.pooled);
	model_free(&r.ctl);
	batch_free(&r.b);
	free(r.b.gt);
	detect_saved_done(&r.saved);
	free(r.style);
	free(r.order);
	for (i = 0; i < r.nmv; i++)
		free(r.mvals[i]);
	free(r.mvals);
	free(r.mhash);
	free(r.cover);
	free(r.cstart);
	return rc;
}

/* ---- applying a saved model ---- */

struct arow {                      /* a document to score */
	int64_t id, text_id;       /* text_id: its text's key (dt_text_key) */
	int64_t local;             /* its text's id in the store of its source */
	uint32_t src;
	int origin;                /* 0 real, 1 synthetic, 2 unknown */
	double p;
};

static int by_arow(const void *a, const void *b)
{
	const struct arow *x = a, *y = b;

	if (x->text_id != y->text_id)
		return x->text_id < y->text_id ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Reads run's saved model, its calibration and thresholds. */
static int read_model(struct store *s, int64_t run, struct detect_saved *m,
		      double *pa, double *pb, struct detect_applied *a, struct pv_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, &st, "SELECT r.id, m.kind, m.max_doc, m.platt_a, m.platt_b, "
			     "m.threshold_1, m.threshold_5, m.model FROM detect_runs r "
			     "LEFT JOIN detect_models m ON m.run_id = r.id WHERE r.id = ?1",
			     "reading the saved model", err)))
		return rc;
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		int64_t last = 0;
		sqlite3_finalize(st);
		store_q_int64(s->db, "SELECT coalesce(max(id), 0) FROM detect_runs", NULL, &last);
		if (last <= 0)
			return pv_errf(err, PV_ENOTFOUND, "%s: no detect run %lld: the store has "
				       "none (provex detect makes one)", s->path, (long long)run);
		return pv_errf(err, PV_ENOTFOUND, "%s: no detect run %lld (the runs are 1 to "
			       "%lld, in detect_runs)", s->path, (long long)run, (long long)last);
	}
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return store_sqlerr(s, err, "reading the saved model");
	}
	if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
		sqlite3_finalize(st);
		return pv_errf(err, PV_EINVAL, "%s: detect run %lld saved no model (a run of "
			       "an older provex, or one whose folds all trained on one side): "
			       "run provex detect again", s->path, (long long)run);
	}
	a->kind = strcmp((const char *)sqlite3_column_text(st, 1), "nb") ? "lr" : "nb";
	a->max_doc = sqlite3_column_int64(st, 2);
	*pa = sqlite3_column_double(st, 3);
	*pb = sqlite3_column_double(st, 4);
	a->threshold[0] = sqlite3_column_type(st, 5) == SQLITE_NULL ? NAN :
			  sqlite3_column_double(st, 5);
	a->threshold[1] = sqlite3_column_type(st, 6) == SQLITE_NULL ? NAN :
			  sqlite3_column_double(st, 6);
	rc = detect_saved_unpack(sqlite3_column_blob(st, 7), (size_t)sqlite3_column_bytes(st, 7),
				 m, err);
	sqlite3_finalize(st);
	if (rc && err) {
		char msg[sizeof err->msg];
		snprintf(msg, sizeof msg, "%s", err->msg);
		pv_errf(err, rc, "%s: detect run %lld: %s", s->path, (long long)run, msg);
	}
	return rc;
}

int detect_apply(struct store *s, const struct filter_sql *where,
		 const struct detect_opts *o, int64_t run, struct detect_applied *a,
		 struct pv_err *err)
{
	struct dsrc src = { s, where, NULL };
	struct run r;

	memset(&r, 0, sizeof r);
	r.out = s;
	r.src = &src;
	r.nsrc = 1;
	r.o = o;
	return dt_apply(&r, run, a, err);
}

/* Reads the documents of source k added since max_doc into *rows. */
static int apply_read(struct run *r, uint32_t k, int64_t max_doc, struct arow **rows,
		      size_t *n, size_t *cap, struct pv_err *err)
{
	const struct dsrc *src = &r->src[k];
	const char *w = src->where && src->where->where ? src->where->where : "1";
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	buf_puts(&sql, "SELECT d.id, d.text_id, CASE d.origin WHEN 'real' THEN 0 "
		 "WHEN 'synthetic' THEN 1 ELSE 2 END");
	store_from(src->where, &sql);
	buf_printf(&sql, "WHERE (%s) AND d.id > %lld ORDER BY d.text_id, d.id", w,
		   (long long)max_doc);
	rc = store_prep_where(src->s, &st, buf_str(&sql), src->where, "selecting documents",
			      err);
	buf_done(&sql);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct arow *x;
		int64_t id = sqlite3_column_int64(st, 0);
		if (src->part && set_shadowed(r->set, src->part, id))
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 1024;
			*rows = pv_realloc(*rows, *cap * sizeof **rows);
		}
		x = &(*rows)[(*n)++];
		x->id = id;
		x->local = sqlite3_column_int64(st, 1);
		x->src = k;
		x->text_id = dt_text_key(r, k, x->local);
		x->origin = sqlite3_column_int(st, 2);
		x->p = 0;
		if (x->text_id < 0) {
			sqlite3_finalize(st);
			return pv_errf(err, PV_ESTORE, "%s: document %lld has text %lld, which "
				       "no document had when the set's texts were numbered: "
				       "run detect again", store_path(src->s), (long long)id,
				       (long long)x->local);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(src->s, err, "selecting documents");
	return 0;
}

/* detect_apply over r's sources: the model is read from r->out, which
 * the scores are written to unless r->o->dry_run. */
int dt_apply(struct run *r, int64_t run, struct detect_applied *a, struct pv_err *err)
{
	const struct detect_opts *o = r->o;
	struct store *s = r->out;
	struct detect_saved m;
	struct detect_fx *fx = NULL;
	struct arow *rows = NULL;
	size_t n = 0, cap = 0, i, j, k;
	struct buf text = BUF_INIT;
	sqlite3_stmt *st = NULL;
	double pa = 0, pb = 0, t0 = pv_now();
	uint32_t q;
	int rc;

	memset(a, 0, sizeof *a);
	a->run_id = run;
	if ((rc = read_model(s, run, &m, &pa, &pb, a, err)))
		return rc;
	for (q = 0; q < r->nsrc; q++)
		if ((rc = apply_read(r, q, a->max_doc, &rows, &n, &cap, err)))
			goto out;
	if (r->nsrc > 1 || r->keys)
		pv_qsort(rows, n, sizeof *rows, by_arow);
	fx = detect_fx_new();
	for (i = 0; i < n; i = j) {
		struct detect_vec v;
		double style[DETECT_STYLE], p;
		for (j = i; j < n && rows[j].text_id == rows[i].text_id; j++)
			;
		if ((rc = store_text_head(r->src[rows[i].src].s, rows[i].local, DETECT_MAX_TEXT,
					  &text, err)))
			goto out;
		detect_fx_text(fx, text.data ? text.data : "", text.len, false, &v);
		if (m.style)
			detect_style(text.data ? text.data : "", text.len, style);
		p = detect_sigmoid(pa * detect_saved_score(&m, &v, m.style ? style : NULL) + pb);
		a->texts++;
		for (k = i; k < j; k++) {
			rows[k].p = p;
			a->docs[rows[k].origin]++;
			for (size_t f = 0; f < DETECT_FPRS; f++)
				a->above[f][rows[k].origin] += p > a->threshold[f];
		}
		if (o->progress && (a->texts % 256 == 0 || j == n))
			o->progress(o->progress_ctx, "scoring with the saved model", j, n);
	}
	if (!o->dry_run && n) {
		if ((rc = store_begin(s, err)))
			goto out;
		if ((rc = store_prep(s, &st, "INSERT OR REPLACE INTO scores(doc_id, score, "
				     "run_id, model, own) VALUES(?1, ?2, ?3, 'applied', NULL)",
				     "writing the scores", err))) {
			store_rollback(s);
			goto out;
		}
		for (i = 0; i < n; i++) {
			sqlite3_bind_int64(st, 1, rows[i].id);
			sqlite3_bind_double(st, 2, rows[i].p);
			sqlite3_bind_int64(st, 3, run);
			if (sqlite3_step(st) != SQLITE_DONE)
				goto fail;
			sqlite3_reset(st);
		}
		sqlite3_finalize(st);
		st = NULL;
		if ((rc = store_commit(s, err)))
			goto out;
	}
	rc = 0;
	goto out;
fail:
	rc = store_sqlerr(s, err, "writing the scores");
	sqlite3_finalize(st);
	store_rollback(s);
out:
	a->seconds = pv_now() - t0;
	detect_fx_free(fx);
	detect_saved_done(&m);
	buf_done(&text);
	free(rows);
	return rc;
}

void detect_report_done(struct detect_report *r)
{
	size_t i, j;

	if (!r)
		return;
	for (i = 0; i < r->ngroups; i++) {
		struct detect_group *g = &r->groups[i];
		for (j = 0; j < g->nsyn; j++)
			free(g->syn[j].term);
		for (j = 0; j < g->nreal; j++)
			free(g->real[j].term);
		free(g->syn);
		free(g->real);
		free(g->value);
	}
	free(r->groups);
	free(r->high_filter);
	free(r->low_filter);
	free(r->settings);
	free(r->summary);
	memset(r, 0, sizeof *r);
}

