/*
 * detect_pass.c - provex detect's passes over the distinct texts, the
 * work of each shared among threads: counting (naive Bayes tables, word
 * tables, the regression's style features), the regression's training
 * epochs in orders drawn from the seed, and scoring out of fold.  Part of
 * detect.c's run (detect_int.h).
 *
 * Every pass reads the texts in batches, on the calling thread, in the
 * pass's order, and shares the work of a batch among nth threads (the
 * caller one of them):
 *  A. the threads take the batch's texts one at a time and extract their
 *     features (in pass 1 the regression's style features too; in the
 *     scoring passes they score them: the model is only read);
 *  B. counting passes: the threads take ranges of the buckets (RANGES of
 *     them) one at a time, and add every text of the batch, in order, to
 *     the naive Bayes tables and word tables within the range;
 *     training passes: the threads take (model, fold) units one at a
 *     time, and make the SGD step of every text of the batch, in order,
 *     on that fold's model (detect_lr_add_part for the one fold).
 * So every sum and every step is taken in the pass's order whatever the
 * number of threads, and a run gives the same scores, bit for bit, with
 * one thread or eight.
 * Work is taken, not assigned, so that a thread the system stops for a
 * while (a busy machine) holds up one text or one range, not its share.
 * In pass 2 the threads also note each text's terms that are to be
 * counted exactly (words hold no NUL byte); the calling thread counts them,
 * text by text, in its own table.
 */
#include "detect_int.h"
#include "../common/mix.h"
#include "../common/clock.h"

#include <stdlib.h>
#include <string.h>


static int read_text(struct run *r, const struct dtext *t, struct buf *out,
		     struct pv_err *err)
{
	return store_text_head(r->src[t->src].s, t->local, DETECT_MAX_TEXT, out, err);
}

/* Documents of text t in each word group (gcount[ng], zeroed first). */
static void text_groups(const struct run *r, const struct dtext *t, double *gcount)
{
	size_t i;

	memset(gcount, 0, (r->w.ng ? r->w.ng : 1) * sizeof *gcount);
	for (i = t->first; i < t->first + t->n; i++) {
		uint32_t g = r->rows[i].group;
		if (r->rows[i].synth && g != NONE_GROUP && g < r->w.ng)
			gcount[g]++;
	}
}

/* Keeps v's features in the slot (v is borrowed from an extractor),
 * grouped by range of buckets (a counting sort, stable). */
static void slot_keep(struct slot *sl, const struct detect_vec *v)
{
	size_t i, q, at[RANGES];

	if (v->n > sl->cap) {
		sl->cap = v->n;
		sl->idx = pv_realloc(sl->idx, sl->cap * sizeof *sl->idx);
	}
	if (v->nw > sl->wcap) {
		sl->wcap = v->nw;
		sl->widx = pv_realloc(sl->widx, sl->wcap * sizeof *sl->widx);
		sl->wcnt = pv_realloc(sl->wcnt, sl->wcap * sizeof *sl->wcnt);
	}
	memset(sl->off, 0, sizeof sl->off);
	for (i = 0; i < v->n; i++)
		sl->off[(v->idx[i] >> (DETECT_BITS - RANGE_BITS)) + 1]++;
	for (q = 0; q < RANGES; q++) {
		sl->off[q + 1] += sl->off[q];
		at[q] = sl->off[q];
	}
	for (i = 0; i < v->n; i++)
		sl->idx[at[v->idx[i] >> (DETECT_BITS - RANGE_BITS)]++] = v->idx[i];
	memset(sl->woff, 0, sizeof sl->woff);
	for (i = 0; i < v->nw; i++)
		sl->woff[(v->widx[i] >> (DETECT_WBITS - RANGE_BITS)) + 1]++;
	for (q = 0; q < RANGES; q++) {
		sl->woff[q + 1] += sl->woff[q];
		at[q] = sl->woff[q];
	}
	for (i = 0; i < v->nw; i++) {
		size_t j = at[v->widx[i] >> (DETECT_WBITS - RANGE_BITS)]++;
		sl->widx[j] = v->widx[i];
		sl->wcnt[j] = v->wcnt[i];
	}
	sl->n = v->n;
	sl->nw = v->nw;
	sl->scale = v->scale;
	sl->words = v->words;
}

/* The slot's features in range q of the buckets. */
static void slot_vec(const struct slot *sl, size_t q, struct detect_vec *v)
{
	v->idx = sl->idx + sl->off[q];
	v->n = sl->off[q + 1] - sl->off[q];
	v->scale = sl->scale;
	v->widx = sl->widx + sl->woff[q];
	v->wcnt = sl->wcnt + sl->woff[q];
	v->nw = sl->woff[q + 1] - sl->woff[q];
	v->words = sl->words;
}

/* Text t's style features (the regression's; NULL for naive Bayes). */
const double *dt_style_of(const struct run *r, const struct dtext *t)
{
	return r->style ? r->style + (size_t)(t - r->texts) * DETECT_STYLE : NULL;
}

/* Text t's group j of the batch. */
struct gtext *dt_gt_of(const struct run *r, const struct dtext *t, unsigned j)
{
	return &r->b.gt[(size_t)(t - r->texts) * BATCH_GROUPS + j];
}

/* Training pass B: the SGD steps of the batch's texts, in order, on the
 * units that thread takes, each text weighted by its labels for the
 * unit's model. */
static void train(struct pool *p)
{
	struct run *r = p->r;
	struct detect_vec v;
	size_t u, i;

	while ((u = __atomic_fetch_add(&p->next_range, 1, __ATOMIC_RELAXED)) < p->nunits) {
		const struct unit *un = &p->units[u];
		for (i = 0; i < p->n; i++) {
			const struct slot *sl = &p->slots[i];
			const struct dtext *t = sl->t;
			const struct gtext *gt;
			double real, synth;
			if (t->fold == un->fold)
				continue;          /* fold g's model never sees its texts */
			switch (un->kind) {
			case U_POOLED:
				real = t->real;
				synth = t->synth;
				break;
			case U_CONTROL:
				real = t->creal;
				synth = t->csynth;
				break;
			default:
				gt = dt_gt_of(r, t, un->j);
				real = un->kind == U_OWN ? t->real : gt->mreal;
				synth = gt->gsyn;
				break;
			}
			if (!(real > 0) && !(synth > 0))
				continue;
			v.idx = sl->idx;
			v.n = sl->n;
			v.scale = sl->scale;
			v.widx = v.wcnt = NULL;
			v.nw = 0;
			v.words = 0;
			detect_lr_add_part(un->m, t->fold, real, synth, &v, dt_style_of(r, t),
					   un->fold, un->fold + 1);
		}
	}
}

/* Scores text t (features v, style st) by the batch's models. */
static void score_batch(struct run *r, const struct dtext *t, const struct detect_vec *v,
			const double *st)
{
	unsigned j;

	for (j = 0; j < r->b.n; j++) {
		struct gtext *gt = dt_gt_of(r, t, j);
		gt->s_own = dt_model_score(&r->b.own[j], t->fold, v, st);
		gt->s_match = gt->mreal > 0 || gt->gsyn > 0 ?
			      dt_model_score(&r->b.mtc[j], t->fold, v, st) : 0;
	}
}

/* Thread k's share of a batch (see above). */
static void work(struct pool *p, unsigned k)
{
	struct run *r = p->r;
	struct detect_vec v;
	uint32_t lo, hi, wlo, whi;
	size_t i, q;

	while ((i = __atomic_fetch_add(&p->next_text, 1, __ATOMIC_RELAXED)) < p->n) {
		struct slot *sl = &p->slots[i];
		struct dtext *t = sl->t;
		const char *text = sl->text.data ? sl->text.data : "";
		const double *st = dt_style_of(r, t);
		detect_fx_text(p->fx[k], text, sl->text.len,
			       p->pass == PASS_COUNT && r->o->top && t->wsample, &v);
		if (p->pass == PASS_COUNT && r->style)
			detect_style(text, sl->text.len, r->style + (size_t)(t - r->texts) *
				     DETECT_STYLE);
		if (p->pass == PASS_COUNT || p->pass == PASS_GCOUNT ||
		    p->pass == PASS_TRAIN || p->pass == PASS_GTRAIN) {
			slot_keep(sl, &v);
			continue;
		}
		if (p->pass == PASS_GSCORE) {
			score_batch(r, t, &v, st);
			continue;
		}
		t->s = dt_model_score(&r->pooled, t->fold, &v, st);
		t->s_ctl = t->creal > 0 || t->csynth > 0 ?
			   dt_model_score(&r->ctl, t->fold, &v, st) : 0;
		if (r->b.in_pooled)
			score_batch(r, t, &v, st);
		buf_reset(&sl->hits);
		if (r->o->top) {
			struct hit_ctx h = { r->w.mark, &sl->hits };
			detect_words(text, sl->text.len, dt_keep_hit, &h);
		}
	}
	if (p->pass == PASS_SCORE || p->pass == PASS_GSCORE)
		return;
	if (p->nth > 1)
		pthread_barrier_wait(&p->bar);
	if (p->pass == PASS_TRAIN || p->pass == PASS_GTRAIN) {
		train(p);
		return;
	}
	while ((q = __atomic_fetch_add(&p->next_range, 1, __ATOMIC_RELAXED)) < RANGES) {
		lo = (uint32_t)((uint64_t)DETECT_BUCKETS * q / RANGES);
		hi = (uint32_t)((uint64_t)DETECT_BUCKETS * (q + 1) / RANGES);
		wlo = (uint32_t)((uint64_t)DETECT_WBUCKETS * q / RANGES);
		whi = (uint32_t)((uint64_t)DETECT_WBUCKETS * (q + 1) / RANGES);
		for (i = 0; i < p->n; i++) {
			const struct slot *sl = &p->slots[i];
			const struct dtext *t = sl->t;
			slot_vec(sl, q, &v);
			if (p->pass == PASS_GCOUNT) {
				unsigned j;
				for (j = 0; j < r->b.n; j++) {
					const struct gtext *gt = dt_gt_of(r, t, j);
					if (r->b.own[j].nb && gt->gsyn > 0)
						detect_nb_add_part(r->b.own[j].nb, t->fold, 0,
								   gt->gsyn, &v, lo, hi);
					if (r->b.mtc[j].nb && (gt->mreal > 0 || gt->gsyn > 0))
						detect_nb_add_part(r->b.mtc[j].nb, t->fold,
								   gt->mreal, gt->gsyn, &v, lo, hi);
				}
				continue;
			}
			if (r->pooled.nb) {
				detect_nb_add_part(r->pooled.nb, t->fold, t->real, t->synth, &v,
						   lo, hi);
				detect_nb_add_part(r->ctl.nb, t->fold, t->creal, t->csynth, &v,
						   lo, hi);
			}
			if (r->o->top) {
				text_groups(r, t, p->gcount[k]);
				dt_words_count(&r->w, &v, t->real, t->synth, p->gcount[k],
					    t->wsample, wlo, whi);
			}
		}
	}
}

static void *helper_main(void *arg)
{
	struct helper *h = arg;
	struct pool *p = h->p;

	pthread_mutex_lock(&p->mu);
	while (!p->ready)
		pthread_cond_wait(&p->go, &p->mu);
	pthread_mutex_unlock(&p->mu);
	if (h->k >= p->nth)
		return NULL;     /* the pool started with fewer threads */
	for (;;) {
		pthread_barrier_wait(&p->bar);          /* a batch is ready */
		if (p->stop)
			break;
		work(p, h->k);
		pthread_barrier_wait(&p->bar);          /* the batch is done */
	}
	return NULL;
}

/* Starts up to nth - 1 helpers (fewer when the system refuses). */
void dt_pool_start(struct pool *p, struct run *r, unsigned nth, struct helper *hs)
{
	sigset_t all, old;
	unsigned k;

	memset(p, 0, sizeof *p);
	p->r = r;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	/* signals are the caller's business: helpers take none */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (k = 1; k < nth; k++) {
		hs[k].p = p;
		hs[k].k = k;
		if (pthread_create(&p->th[k], NULL, helper_main, &hs[k]) != 0)
			break;
		p->nstarted++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	p->nth = p->nstarted + 1;
	pthread_barrier_init(&p->bar, NULL, p->nth);
	for (k = 0; k < p->nth; k++) {
		p->fx[k] = detect_fx_new();
		p->gcount[k] = pv_calloc(r->w.ng ? r->w.ng : 1, sizeof *p->gcount[k]);
	}
	pthread_mutex_lock(&p->mu);
	p->ready = true;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
}

void dt_pool_stop(struct pool *p)
{
	unsigned k;
	size_t i;

	p->stop = true;
	if (p->nth > 1)
		pthread_barrier_wait(&p->bar);
	for (k = 1; k <= p->nstarted; k++)
		pthread_join(p->th[k], NULL);
	pthread_barrier_destroy(&p->bar);
	pthread_cond_destroy(&p->go);
	pthread_mutex_destroy(&p->mu);
	for (k = 0; k < p->nth; k++) {
		detect_fx_free(p->fx[k]);
		free(p->gcount[k]);
	}
	for (i = 0; i < p->cap; i++) {
		buf_done(&p->slots[i].text);
		buf_done(&p->slots[i].hits);
		free(p->slots[i].idx);
		free(p->slots[i].widx);
		free(p->slots[i].wcnt);
	}
	free(p->slots);
}

/* Whether text t takes part in pass `which`: every text in the pooled
 * passes; in the group passes, the texts that train its models and then
 * those they score (naive Bayes's own model has its real counts from the
 * pooled model; the regression's is trained on the real texts too). */
static bool in_pass(const struct run *r, const struct dtext *t, int which)
{
	unsigned j;

	if (which != PASS_GCOUNT && which != PASS_GTRAIN && which != PASS_GSCORE)
		return true;
	if (which == PASS_GSCORE && t->real > 0)
		return true;
	for (j = 0; j < r->b.n; j++) {
		const struct gtext *gt = dt_gt_of(r, t, j);
		if (gt->gsyn > 0)
			return true;
		if (which == PASS_GCOUNT && r->b.mtc[j].nb && gt->mreal > 0)
			return true;
		if (which == PASS_GTRAIN && ((r->b.own[j].lr && t->real > 0) ||
					     (r->b.mtc[j].lr && gt->mreal > 0)))
			return true;
	}
	return false;
}

/* Runs a pass over the texts that take part in it, in text id order or,
 * when order is not NULL, in the order of its ntexts indices. */
/* Tells o->progress where pass `which` stands. */
static void say_progress(const struct pool *p, int which, size_t done)
{
	const struct run *r = p->r;
	const struct detect_opts *o = r->o;
	struct buf b = BUF_INIT;
	unsigned epochs = which == PASS_TRAIN ? DETECT_LR_EPOCHS : GROUP_EPOCHS;
	bool pooled = which == PASS_COUNT || which == PASS_TRAIN || which == PASS_SCORE;
	bool groups = !pooled || (r->b.in_pooled && (which == PASS_SCORE ||
			(which == PASS_TRAIN && p->epoch >= DETECT_LR_EPOCHS - GROUP_EPOCHS)));

	if (!o->progress)
		return;
	if (pooled)
		buf_puts(&b, groups ? "pooled, control" : "pooled model and control");
	if (groups) {
		/* one group by its value; several by their ranks (a line must fit) */
		const char *by = o->by == DETECT_BY_NONE ? "all" : detect_by_name(o->by);
		const char *v = r->gs[r->b.g[0]].value;
		if (b.len)
			buf_puts(&b, ", ");
		if (r->b.n == 1)
			buf_printf(&b, "%s%s%s (%u of %u)", by, o->by == DETECT_BY_NONE ? "" : " ",
				   o->by == DETECT_BY_NONE ? "" : v ? v : "(none)",
				   r->b.g[0] + 1, r->ngroup_models);
		else
			buf_printf(&b, "%ss %u-%u of %u", by, r->b.g[0] + 1,
				   r->b.g[r->b.n - 1] + 1, r->ngroup_models);
	}
	buf_puts(&b, ": ");
	if (which == PASS_COUNT)
		buf_puts(&b, "reading the texts");
	else if (which == PASS_GCOUNT)
		buf_puts(&b, "counting");
	else if (which == PASS_TRAIN || which == PASS_GTRAIN)
		buf_printf(&b, "training, epoch %u of %u", p->epoch + 1, epochs);
	else
		buf_puts(&b, "scoring");
	o->progress(o->progress_ctx, buf_str(&b), done, r->ntexts);
	buf_done(&b);
}

int dt_pass(struct pool *p, int which, const size_t *order, struct pv_err *err)
{
	struct run *r = p->r;
	size_t next = 0, i, j;
	int rc = 0;

	p->pass = which;
	while (next < r->ntexts && !rc) {
		size_t bytes = 0;
		p->n = 0;
		while (next < r->ntexts && p->n < BATCH_TEXTS && bytes < BATCH_BYTES) {
			struct dtext *t;
			struct slot *sl;
			if (p->n == p->cap) {
				size_t cap = p->cap ? 2 * p->cap : 64;
				p->slots = pv_realloc(p->slots, cap * sizeof *p->slots);
				memset(p->slots + p->cap, 0, (cap - p->cap) * sizeof *p->slots);
				p->cap = cap;
			}
			t = &r->texts[order ? order[next] : next];
			next++;
			if (!in_pass(r, t, which))
				continue;
			sl = &p->slots[p->n];
			sl->t = t;
			if ((rc = read_text(r, sl->t, &sl->text, err)))
				break;
			bytes += sl->text.len;
			p->n++;
		}
		if (rc)
			break;
		p->next_text = p->next_range = 0;
		if (p->nth > 1)
			pthread_barrier_wait(&p->bar);
		work(p, 0);
		if (p->nth > 1)
			pthread_barrier_wait(&p->bar);
		say_progress(p, which, next);
		if (which != PASS_SCORE)
			continue;
		for (i = 0; i < p->n; i++) {
			const struct slot *sl = &p->slots[i];
			struct dtext *t = sl->t;
			for (j = t->first; j < t->first + t->n; j++)
				r->rows[j].s = t->s;
			if (r->o->top) {
				const char *h = sl->hits.data, *end = h + sl->hits.len;
				r->w.cur_real = t->real;
				r->w.cur_syn = t->synth;
				text_groups(r, t, r->w.cur_g);
				for (; h && h < end; h += strlen(h) + 1)
					dt_words_exact(&r->w, h, strlen(h));
			}
		}
	}
	return rc;
}

struct okey {                      /* a text's place in a training order */
	uint64_t h;
	size_t i;
};

static int cmp_okey(const void *a, const void *b)
{
	const struct okey *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Epoch e's order (in r->order): the texts by a hash of (seed, e, text
 * id), which follows neither their labels nor their length nor their
 * source, and differs from epoch to epoch; the same on every run. */
static void make_order(struct run *r, unsigned e)
{
	struct okey *k = pv_malloc((r->ntexts ? r->ntexts : 1) * sizeof *k);
	uint64_t salt = pv_mix64(pv_mix64(r->o->seed ^ 0x0bde5eed0bde5eedULL) + e);
	size_t i;

	for (i = 0; i < r->ntexts; i++) {
		k[i].h = pv_mix64(salt ^ (uint64_t)r->texts[i].text_id);
		k[i].i = i;
	}
	qsort(k, r->ntexts, sizeof *k, cmp_okey);
	for (i = 0; i < r->ntexts; i++)
		r->order[i] = k[i].i;
	free(k);
}

static void add_units(struct pool *p, struct detect_lr *m, enum unit_kind kind, unsigned j)
{
	unsigned f;

	for (f = 0; m && f < p->r->o->folds && p->nunits < MAX_UNITS; f++) {
		struct unit *u = &p->units[p->nunits++];
		u->m = m;
		u->kind = kind;
		u->fold = f;
		u->j = j;
	}
}

/* The regression's training passes, each in its own order; after
 * detect_lr_start.  PASS_TRAIN: the pooled model's DETECT_LR_EPOCHS
 * epochs, the control in the first CONTROL_EPOCHS, the batch's models (if
 * in_pooled) in the last GROUP_EPOCHS; PASS_GTRAIN: the batch's models'
 * GROUP_EPOCHS, in the orders of those same last epochs. */
int dt_epochs(struct pool *p, int which, struct pv_err *err)
{
	struct run *r = p->r;
	unsigned e, first = which == PASS_TRAIN ? 0 : DETECT_LR_EPOCHS - GROUP_EPOCHS;
	int rc = 0;

	for (e = first; e < DETECT_LR_EPOCHS && !rc; e++) {
		unsigned j;
		p->nunits = 0;
		if (which == PASS_TRAIN) {
			add_units(p, r->pooled.lr, U_POOLED, 0);
			if (e < CONTROL_EPOCHS)
				add_units(p, r->ctl.lr, U_CONTROL, 0);
		}
		if (which == PASS_GTRAIN ||
		    (r->b.in_pooled && e >= DETECT_LR_EPOCHS - GROUP_EPOCHS))
			for (j = 0; j < r->b.n; j++) {
				add_units(p, r->b.own[j].lr, U_OWN, j);
				add_units(p, r->b.mtc[j].lr, U_MATCHED, j);
			}
		p->epoch = e - first;
		make_order(r, e);
		rc = dt_pass(p, which, r->order, err);
	}
	return rc;
}

