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
 */
#include "store_int.h"
#include "detect.h"
#include "../analysis/lr.h"
#include "filter.h"
#include "../common/json.h"
#include "../common/mix.h"
#include "../common/clock.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NONE_GROUP UINT32_MAX

struct drow {                      /* one document */
	int64_t id, text_id;
	int64_t len;               /* its text's bytes */
	uint32_t group;            /* synthetic: index in groups; real: NONE_GROUP */
	uint32_t mval;             /* its value of the match field (index in mvals) */
	unsigned char synth;
	double s;                  /* its text's out-of-fold log-odds */
	double own;                /* synthetic: its group's own model's probability (NaN: none) */
};

struct dtext {                     /* one distinct text */
	int64_t text_id;
	size_t first, n;           /* its documents: rows[first .. first + n) */
	double real, synth;        /* how often it occurs on each side */
	unsigned fold;
	bool wsample;              /* its word buckets pick the candidates */
	double s;
	double creal, csynth;      /* the control's shuffled labels (another text's) */
	double s_ctl;              /* the control model's out-of-fold log-odds */
};

/* A text as one group of a batch sees it. */
struct gtext {
	double gsyn;               /* its documents in the group */
	double mreal;              /* its real documents of values the group covers */
	double s_own, s_match;     /* the group's own and matched models' log-odds */
};

struct gslot {                     /* a group while documents are read */
	char *value;               /* owned; NULL = no value */
	int64_t docs;
	uint32_t rank;             /* its place in the report */
};

struct wentry {                    /* a word 1-2-gram counted exactly */
	char *term;                /* owned */
	uint64_t hash;
	double real, syn;
	double *g;                 /* [word groups], in words.gcounts */
};

struct words {                     /* the log-odds side of a run */
	size_t ng;                 /* word groups (tables besides real and syn) */
	uint32_t *real, *syn;      /* [DETECT_WBUCKETS] occurrences */
	uint32_t **g;              /* [ng][DETECT_WBUCKETS] */
	double sreal, ssyn, *sg_tot;   /* word occurrences of the sampled texts */
	double nreal, nsyn, *ng_tot;   /* ... of all texts */
	unsigned char *mark;       /* [DETECT_WBUCKETS]: counted exactly in pass 2 */
	struct wentry *e;          /* open addressing, cap a power of 2 */
	size_t ne, cap;
	double *gcounts;           /* [cap][ng] */
	/* the text being counted in pass 2 */
	double cur_real, cur_syn, *cur_g;
};

/* One model of a run, of the run's family: at most one pointer is set
 * (both NULL: no such model).  Owned; model_free releases it. */
struct model {
	struct detect_nb *nb;
	struct detect_lr *lr;
};

/*
 * The groups modelled in the same passes (own and matched models).  A
 * pass over the texts costs their reading and feature extraction whatever
 * the models it feeds, so the regression trains the first batch's models
 * in the pooled model's last epoch and scores them in its scoring pass,
 * and the next batches several groups at a time; the models held at once
 * are bounded (BATCH_MODELS_*) to bound the memory (the regression's
 * model: 8 MB per fold).  A group's models are the same whatever its
 * batch: each is trained in the order of the pooled model's last epochs.
 */
#define BATCH_GROUPS 4             /* at most */
#define BATCH_MODELS_POOLED 2      /* group models beside the pooled model and control */
#define BATCH_MODELS 4             /* group models in a batch of their own */
#define BATCH_MODELS_NB 2          /* ... of naive Bayes (60 MB each with 5 folds, */
				   /* ... beside the pooled model it copies from) */

struct batch {
	unsigned n;                /* groups */
	uint32_t g[BATCH_GROUPS];  /* their indices in the report */
	struct model own[BATCH_GROUPS], mtc[BATCH_GROUPS];
	bool in_pooled;            /* trained and scored in the pooled passes */
	struct gtext *gt;          /* [ntexts][BATCH_GROUPS] */
};

struct run {
	struct store *s;
	const struct detect_opts *o;
	unsigned ngroup_models;    /* groups that get models, for progress */
	struct drow *rows;
	size_t nrows, caprows;
	struct dtext *texts;
	size_t ntexts;
	struct gslot *gs;
	size_t ngs, capgs;
	uint32_t *ghash;           /* open addressing over gs, capg a power of 2 */
	size_t capg;
	struct words w;
	struct model pooled;       /* all synthetic against all real texts */
	struct model ctl;          /* the shuffled-label control (pooled passes) */
	struct batch b;            /* the groups being modelled */
	double *style;             /* regression: [ntexts][DETECT_STYLE], from pass 1 */
	size_t *order;             /* a training pass's order: [ntexts] indices of texts */
	char **mvals;              /* the match field's values (owned; NULL = none) */
	size_t nmv, capmv;
	uint32_t *mhash;           /* open addressing over mvals, capmh a power of 2 */
	size_t capmh;
	uint32_t *cover;           /* the values each group covers: group g's, sorted, */
	size_t *cstart;            /* ... at cover[cstart[g] .. cstart[g + 1]) */
	int64_t edges[DETECT_BINS - 1];   /* length bins: bin k holds len <= edges[k] */
	struct detect_saved saved; /* the pooled model's folds averaged, for --apply */
	int64_t max_doc;           /* the highest document id when the run began */
};

#define PASS_COUNT 1               /* pooled model, control and word tables */
#define PASS_SCORE 2
#define PASS_GCOUNT 3              /* the group's own and matched models (naive Bayes) */
#define PASS_GSCORE 4
#define PASS_TRAIN 5               /* an epoch of the pooled and control regressions */
#define PASS_GTRAIN 6              /* ... of the group's own and matched ones */

/* Epochs of the regression's group models (own, matched) and of its
 * control: one, where the pooled model, whose scores are stored, takes
 * DETECT_LR_EPOCHS.  An SGD step costs far more than naive Bayes's count
 * (about 50 us per fold for a 3 KB text), a second epoch gains little
 * (about 0.005 AUC, lr.h), and each group model is a pass over the real
 * texts as well as the group's: with two epochs everywhere, detect --by
 * generator on 100,000 documents (tests/bench/review, two groups) took
 * 206 s of CPU time, with one for these 132 s.  A control of one epoch still shows a leak (its AUC would leave
 * 0.5 whatever the epochs). */
#define GROUP_EPOCHS 1
#define CONTROL_EPOCHS 1
/* Texts the control is trained and measured on, about: a leak shows at
 * any size, and 20,000 texts give it an interval about 0.02 wide. */
#define CONTROL_TEXTS 20000
_Static_assert(GROUP_EPOCHS <= DETECT_LR_EPOCHS && CONTROL_EPOCHS <= DETECT_LR_EPOCHS,
	       "the group models and the control train in the pooled model's epochs");

const double detect_fprs[DETECT_FPRS] = { 0.01, 0.05 };

/* Threads by default: one per online processor, at most DETECT_MAX_THREADS. */
static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > DETECT_MAX_THREADS ? DETECT_MAX_THREADS : (unsigned)n;
}

static uint64_t str_hash(const char *s, size_t len)
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
static double model_score(const struct model *m, unsigned f, const struct detect_vec *v,
			  const double *style)
{
	return m->nb ? detect_nb_score(m->nb, f, v) :
	       m->lr ? detect_lr_score(m->lr, f, v, style) : 0;
}

/* ---- reading the documents ---- */

/* Looks value (NULL = none) up among the n values that value_at gives,
 * through the open-addressing table *hash (*cap slots, a power of 2, grown
 * and rebuilt to stay at most half full, NONE_GROUP when free): returns its
 * index, or NONE_GROUP with *slot the free slot where the caller, adding it
 * as index n, stores n. */
static uint32_t find_value(const struct run *r, uint32_t **hash, size_t *cap, size_t n,
			   const char *(*value_at)(const struct run *, size_t),
			   const char *value, size_t *slot)
{
	uint64_t h = value ? str_hash(value, strlen(value)) : 0x1234567ULL;
	size_t i, k;

	if (n * 2 >= *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		free(*hash);
		*hash = pv_malloc(c * sizeof **hash);
		for (k = 0; k < c; k++)
			(*hash)[k] = NONE_GROUP;
		*cap = c;
		for (k = 0; k < n; k++) {
			const char *v = value_at(r, k);
			uint64_t hk = v ? str_hash(v, strlen(v)) : 0x1234567ULL;
			for (i = hk & (c - 1); (*hash)[i] != NONE_GROUP; i = (i + 1) & (c - 1))
				;
			(*hash)[i] = (uint32_t)k;
		}
	}
	for (i = h & (*cap - 1); (*hash)[i] != NONE_GROUP; i = (i + 1) & (*cap - 1)) {
		const char *v = value_at(r, (*hash)[i]);
		if ((!v && !value) || (v && value && strcmp(v, value) == 0))
			return (*hash)[i];
	}
	*slot = i;
	return NONE_GROUP;
}

static const char *group_value(const struct run *r, size_t k)
{
	return r->gs[k].value;
}

static const char *match_value(const struct run *r, size_t k)
{
	return r->mvals[k];
}

/* The group of value (NULL = none), added when new. */
static uint32_t group_of(struct run *r, const char *value)
{
	size_t slot;
	uint32_t k = find_value(r, &r->ghash, &r->capg, r->ngs, group_value, value, &slot);

	if (k != NONE_GROUP)
		return k;
	if (r->ngs == r->capgs) {
		r->capgs = r->capgs ? 2 * r->capgs : 16;
		r->gs = pv_realloc(r->gs, r->capgs * sizeof *r->gs);
	}
	r->gs[r->ngs].value = value ? pv_strdup(value) : NULL;
	r->gs[r->ngs].docs = 0;
	r->ghash[slot] = (uint32_t)r->ngs;
	return (uint32_t)r->ngs++;
}

/* The index of the match field's value (NULL = none), added when new. */
static uint32_t mval_of(struct run *r, const char *value)
{
	size_t slot;
	uint32_t k = find_value(r, &r->mhash, &r->capmh, r->nmv, match_value, value, &slot);

	if (k != NONE_GROUP)
		return k;
	if (r->nmv == r->capmv) {
		r->capmv = r->capmv ? 2 * r->capmv : 16;
		r->mvals = pv_realloc(r->mvals, r->capmv * sizeof *r->mvals);
	}
	r->mvals[r->nmv] = value ? pv_strdup(value) : NULL;
	r->mhash[slot] = (uint32_t)r->nmv;
	return (uint32_t)r->nmv++;
}

bool detect_match_field(const char *f)
{
	return f && (!strcmp(f, "source") || !strcmp(f, "purpose") || !strcmp(f, "generator"));
}

/* The field whose values a group's real side is compared on. */
static const char *check_field(const struct detect_opts *o)
{
	return detect_match_field(o->match) ? o->match : "source";
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Which values of the match field each group's synthetic documents have
 * (after rank_groups). */
static void make_cover(struct run *r)
{
	uint64_t *pairs = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *pairs);
	size_t i, n = 0, m = 0, g;

	for (i = 0; i < r->nrows; i++)
		if (r->rows[i].synth)
			pairs[n++] = (uint64_t)r->rows[i].group << 32 | r->rows[i].mval;
	qsort(pairs, n, sizeof *pairs, cmp_u64);
	r->cover = pv_malloc((n ? n : 1) * sizeof *r->cover);
	r->cstart = pv_calloc(r->ngs + 1, sizeof *r->cstart);
	for (i = 0; i < n; i++) {
		if (i && pairs[i] == pairs[i - 1])
			continue;
		r->cover[m++] = (uint32_t)pairs[i];
		r->cstart[(pairs[i] >> 32) + 1]++;
	}
	for (g = 0; g < r->ngs; g++)
		r->cstart[g + 1] += r->cstart[g];
	free(pairs);
}

/* Whether group g has a synthetic document of match value v. */
static bool covers(const struct run *r, uint32_t g, uint32_t v)
{
	size_t lo = r->cstart[g], hi = r->cstart[g + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->cover[mid] == v)
			return true;
		if (r->cover[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The length bin of a document of len bytes (after make_edges). */
static size_t bin_of(const struct run *r, int64_t len)
{
	size_t b = 0;

	while (b + 1 < DETECT_BINS && len > r->edges[b])
		b++;
	return b;
}

/* The length bins' edges: the quartiles of the documents' lengths. */
static void make_edges(struct run *r, struct detect_report *rep)
{
	int64_t *len = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *len);
	size_t i, k;

	for (i = 0; i < r->nrows; i++)
		len[i] = r->rows[i].len;
	qsort(len, r->nrows, sizeof *len, cmp_i64);
	for (k = 0; k + 1 < DETECT_BINS; k++)
		r->edges[k] = r->nrows ? len[(r->nrows * (k + 1)) / DETECT_BINS] : 0;
	for (k = 0; k < DETECT_BINS; k++) {
		rep->bins[k].min_bytes = INT64_MAX;
		rep->bins[k].max_bytes = -1;
	}
	for (i = 0; i < r->nrows; i++) {
		size_t b = bin_of(r, len[i]);
		rep->bins[b].min_bytes = PV_MIN(rep->bins[b].min_bytes, len[i]);
		rep->bins[b].max_bytes = PV_MAX(rep->bins[b].max_bytes, len[i]);
	}
	for (k = 0; k < DETECT_BINS; k++)
		if (rep->bins[k].max_bytes < 0)
			rep->bins[k].min_bytes = rep->bins[k].max_bytes = 0;
	free(len);
}

/* Reads the real and synthetic documents of the filter, in text order,
 * and counts the unknown ones. */
static int read_rows(struct run *r, const struct filter_sql *where,
		     struct detect_report *rep, struct pv_err *err)
{
	const char *w = where && where->where ? where->where : "1";
	const char *gcol = r->o->by == DETECT_BY_GENERATOR ? "d.generator" :
			   r->o->by == DETECT_BY_SOURCE ? "d.source" : "NULL";
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	buf_printf(&sql, "SELECT d.id, d.text_id, d.origin = 'synthetic', %s, d.%s, d.len",
		   gcol, check_field(r->o));
	store_from(where, &sql);
	buf_printf(&sql, "WHERE (%s) AND d.origin IN ('real', 'synthetic') "
		   "ORDER BY d.text_id, d.id", w);
	st = store_prepare_where(r->s, buf_str(&sql), where, "selecting documents", err);
	buf_done(&sql);
	if (!st)
		return err ? err->code : PV_ESTORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct drow *d;
		if (r->nrows == r->caprows) {
			r->caprows = r->caprows ? 2 * r->caprows : 1024;
			r->rows = pv_realloc(r->rows, r->caprows * sizeof *r->rows);
		}
		d = &r->rows[r->nrows++];
		d->id = sqlite3_column_int64(st, 0);
		d->text_id = sqlite3_column_int64(st, 1);
		d->synth = sqlite3_column_int(st, 2) != 0;
		d->s = 0;
		d->own = NAN;
		d->group = NONE_GROUP;
		d->mval = mval_of(r, (const char *)sqlite3_column_text(st, 4));
		d->len = sqlite3_column_int64(st, 5);
		if (d->synth) {
			const char *v = (const char *)sqlite3_column_text(st, 3);
			d->group = group_of(r, r->o->by == DETECT_BY_NONE ? "all" : v);
			r->gs[d->group].docs++;
			rep->synthetic++;
		} else {
			rep->real++;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(r->s, err, "selecting documents");

	buf_puts(&sql, "SELECT count(*)");
	store_from(where, &sql);
	buf_printf(&sql, "WHERE (%s) AND d.origin = 'unknown'", w);
	st = store_prepare_where(r->s, buf_str(&sql), where, "counting documents", err);
	buf_done(&sql);
	if (!st)
		return err ? err->code : PV_ESTORE;
	rc = sqlite3_step(st);
	rep->unknown = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sqlerr(r->s, err, "counting documents");
	return 0;
}

static int by_group_rank(const void *a, const void *b)
{
	const struct gslot *x = *(struct gslot *const *)a, *y = *(struct gslot *const *)b;

	if (x->docs != y->docs)
		return x->docs > y->docs ? -1 : 1;
	if (!x->value || !y->value)
		return !x->value - !y->value;   /* no value last */
	return strcmp(x->value, y->value);
}

/* Orders the groups (most documents first, then by value) and renumbers
 * the rows' groups to match. */
static void rank_groups(struct run *r)
{
	struct gslot **p = pv_malloc((r->ngs ? r->ngs : 1) * sizeof *p);
	struct gslot *ordered;
	size_t i;

	for (i = 0; i < r->ngs; i++)
		p[i] = &r->gs[i];
	qsort(p, r->ngs, sizeof *p, by_group_rank);
	for (i = 0; i < r->ngs; i++)
		p[i]->rank = (uint32_t)i;
	for (i = 0; i < r->nrows; i++)
		if (r->rows[i].group != NONE_GROUP)
			r->rows[i].group = r->gs[r->rows[i].group].rank;
	ordered = pv_malloc((r->ngs ? r->ngs : 1) * sizeof *ordered);
	for (i = 0; i < r->ngs; i++)
		ordered[i] = *p[i];
	free(r->gs);
	free(p);
	r->gs = ordered;
	r->capgs = r->ngs;
}

/* Groups the rows by text; checks that there is something to learn. */
static int make_texts(struct run *r, struct detect_report *rep, struct pv_err *err)
{
	size_t i, nreal = 0, nsyn = 0;
	unsigned k = r->o->folds;

	if (rep->synthetic == 0 || rep->real == 0)
		return pv_errf(err, PV_EINVAL, "the filter matches %lld real and %lld "
			       "synthetic documents%s: detect needs both", (long long)rep->real,
			       (long long)rep->synthetic, rep->unknown ? " (and some of "
			       "unknown origin, which are left out)" : "");
	r->texts = pv_malloc(r->nrows * sizeof *r->texts);
	for (i = 0; i < r->nrows; i++) {
		struct dtext *t;
		if (i == 0 || r->rows[i].text_id != r->rows[i - 1].text_id) {
			t = &r->texts[r->ntexts++];
			t->text_id = r->rows[i].text_id;
			t->first = i;
			t->n = 0;
			t->real = t->synth = 0;
			t->s = 0;
			t->fold = (unsigned)(pv_mix64(pv_mix64(r->o->seed) ^
						       (uint64_t)t->text_id) % k);
		}
		t = &r->texts[r->ntexts - 1];
		t->n++;
		if (r->rows[i].synth)
			t->synth++;
		else
			t->real++;
	}
	for (i = 0; i < r->ntexts; i++) {
		struct dtext *t = &r->texts[i];
		nreal += t->real > 0;
		nsyn += t->synth > 0;
		/* about DETECT_WORD_SAMPLE texts, the same ones on every run */
		t->wsample = r->ntexts <= DETECT_WORD_SAMPLE ||
			     pv_mix64((uint64_t)t->text_id ^ 0x5eed5eed5eed5eedULL) %
			     r->ntexts < DETECT_WORD_SAMPLE;
	}
	rep->texts = (int64_t)r->ntexts;
	/* the control: each text of a sample of about CONTROL_TEXTS (all of
	 * them when there are no more; the same ones on every run) takes
	 * another's labels (a permutation drawn from the seed), so that the
	 * same features face labels that mean nothing; the other texts take
	 * no part in it */
	{
		size_t *in = pv_malloc((r->ntexts ? r->ntexts : 1) * sizeof *in);
		size_t *perm = pv_malloc((r->ntexts ? r->ntexts : 1) * sizeof *perm);
		size_t m = 0;
		uint64_t x = pv_mix64(r->o->seed ^ 0xc0a7201c0a7201cULL);
		for (i = 0; i < r->ntexts; i++) {
			r->texts[i].creal = r->texts[i].csynth = 0;
			if (r->ntexts <= CONTROL_TEXTS ||
			    pv_mix64((uint64_t)r->texts[i].text_id ^ 0xc0a7c0a7c0a7c0a7ULL) %
			    r->ntexts < CONTROL_TEXTS)
				in[m++] = i;
		}
		for (i = 0; i < m; i++)
			perm[i] = i;
		for (i = m; i > 1; i--) {
			size_t j;
			x = pv_mix64(x);
			j = (size_t)(x % i);
			size_t tmp = perm[i - 1];
			perm[i - 1] = perm[j];
			perm[j] = tmp;
		}
		for (i = 0; i < m; i++) {
			r->texts[in[i]].creal = r->texts[in[perm[i]]].real;
			r->texts[in[i]].csynth = r->texts[in[perm[i]]].synth;
		}
		free(in);
		free(perm);
	}
	if (nreal < 2 || nsyn < 2)
		return pv_errf(err, PV_EINVAL, "%zu distinct real and %zu distinct synthetic "
			       "text%s: cross-validation needs at least 2 on each side "
			       "(one to train on while the other is scored)", nreal, nsyn,
			       nsyn == 1 ? "" : "s");
	if (r->ntexts < k)
		return pv_errf(err, PV_EINVAL, "%zu distinct texts for %u folds: every "
			       "fold needs a text; use --folds %zu or fewer", r->ntexts, k,
			       r->ntexts);
	return 0;
}

/* ---- the word tables ---- */

static void sat_add(uint32_t *p, uint64_t v)
{
	uint64_t s = (uint64_t)*p + v;

	*p = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static void words_init(struct words *w, size_t ng)
{
	size_t i;

	memset(w, 0, sizeof *w);
	w->ng = ng;
	w->real = pv_calloc(DETECT_WBUCKETS, sizeof *w->real);
	w->syn = pv_calloc(DETECT_WBUCKETS, sizeof *w->syn);
	w->g = pv_calloc(ng ? ng : 1, sizeof *w->g);
	for (i = 0; i < ng; i++)
		w->g[i] = pv_calloc(DETECT_WBUCKETS, sizeof *w->g[i]);
	w->ng_tot = pv_calloc(ng ? ng : 1, sizeof *w->ng_tot);
	w->sg_tot = pv_calloc(ng ? ng : 1, sizeof *w->sg_tot);
	w->cur_g = pv_calloc(ng ? ng : 1, sizeof *w->cur_g);
}

static void words_done(struct words *w)
{
	size_t i;

	free(w->real);
	free(w->syn);
	for (i = 0; w->g && i < w->ng; i++)
		free(w->g[i]);
	free(w->g);
	free(w->ng_tot);
	free(w->sg_tot);
	free(w->cur_g);
	free(w->mark);
	for (i = 0; i < w->cap; i++)
		free(w->e[i].term);
	free(w->e);
	free(w->gcounts);
	memset(w, 0, sizeof *w);
}

/* Pass 1: a text's word occurrences, and when it is sampled its word
 * buckets in [lo, hi), counted for its sides and groups (gcount[k]: its
 * documents in word group k). */
static void words_count(struct words *w, const struct detect_vec *v, double real,
			double synth, const double *gcount, bool sampled, uint32_t lo,
			uint32_t hi)
{
	size_t i, k;

	if (lo == 0) {
		/* the totals: counted by the part that starts at 0 */
		w->nreal += real * (double)v->words;
		w->nsyn += synth * (double)v->words;
		for (k = 0; k < w->ng; k++)
			w->ng_tot[k] += gcount[k] * (double)v->words;
		if (sampled) {
			w->sreal += real * (double)v->words;
			w->ssyn += synth * (double)v->words;
			for (k = 0; k < w->ng; k++)
				w->sg_tot[k] += gcount[k] * (double)v->words;
		}
	}
	if (!sampled)
		return;
	for (i = 0; i < v->nw; i++) {
		uint32_t b = v->widx[i];
		uint64_t c = v->wcnt[i];
		if (b < lo || b >= hi)
			continue;
		if (real > 0)
			sat_add(&w->real[b], c * (uint64_t)real);
		if (synth > 0)
			sat_add(&w->syn[b], c * (uint64_t)synth);
		for (k = 0; k < w->ng; k++)
			if (gcount[k] > 0)
				sat_add(&w->g[k][b], c * (uint64_t)gcount[k]);
	}
}

struct cand {
	double z;
	uint32_t b;
};

/* Keeps the n largest z in a min-heap h (size *len). */
static void heap_push(struct cand *h, size_t *len, size_t n, double z, uint32_t b)
{
	size_t i, c;

	if (*len < n) {
		i = (*len)++;
		while (i > 0 && h[(i - 1) / 2].z > z) {
			h[i] = h[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		h[i].z = z;
		h[i].b = b;
		return;
	}
	if (n == 0 || z <= h[0].z)
		return;
	i = 0;
	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1].z < h[c].z)
			c++;
		if (h[c].z >= z)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i].z = z;
	h[i].b = b;
}

/* After pass 1: marks, for each word group, the buckets whose (hashed)
 * counts in the sampled texts give the most extreme z on either side;
 * pass 2 counts the words in them exactly, in every text.  A bucket may
 * hold several terms: the exact counts sort them out, and the margin
 * (3 top + 10) leaves room for collisions and sampling. */
static void words_pick(struct words *w, unsigned top)
{
	size_t n = 3 * (size_t)top + 10, k, nside = w->ng ? w->ng : 1;
	double nbg = w->sreal + w->ssyn;
	struct cand *hi = pv_malloc(n * sizeof *hi), *lo = pv_malloc(n * sizeof *lo);
	uint32_t b;

	w->mark = pv_calloc(DETECT_WBUCKETS, 1);
	for (k = 0; k < nside; k++) {
		const uint32_t *gi = w->ng ? w->g[k] : w->syn;
		double ni = w->ng ? w->sg_tot[k] : w->ssyn;
		size_t nhi = 0, nlo = 0, i;
		for (b = 0; b < DETECT_WBUCKETS; b++) {
			double yi = gi[b], yj = w->real[b], z;
			if (yi == 0 && yj == 0)
				continue;
			z = detect_logodds(yi, ni, yj, w->sreal, (double)w->real[b] + w->syn[b],
					   nbg, DETECT_PRIOR, NULL);
			heap_push(hi, &nhi, n, z, b);
			heap_push(lo, &nlo, n, -z, b);
		}
		for (i = 0; i < nhi; i++)
			w->mark[hi[i].b] = 1;
		for (i = 0; i < nlo; i++)
			w->mark[lo[i].b] = 1;
	}
	free(hi);
	free(lo);
	w->cap = 1024;
	w->e = pv_calloc(w->cap, sizeof *w->e);
	w->gcounts = pv_calloc(w->cap * (w->ng ? w->ng : 1), sizeof *w->gcounts);
}

/* The exact entry of term (added when new). */
static struct wentry *words_entry(struct words *w, const char *term, size_t len)
{
	uint64_t h = str_hash(term, len);
	size_t i, k, ngc = w->ng ? w->ng : 1;

	if ((w->ne + 1) * 2 > w->cap) {
		struct wentry *old = w->e;
		double *oldg = w->gcounts;
		size_t oldcap = w->cap;
		w->cap *= 2;
		w->e = pv_calloc(w->cap, sizeof *w->e);
		w->gcounts = pv_calloc(w->cap * ngc, sizeof *w->gcounts);
		for (k = 0; k < oldcap; k++) {
			if (!old[k].term)
				continue;
			for (i = old[k].hash & (w->cap - 1); w->e[i].term; i = (i + 1) & (w->cap - 1))
				;
			w->e[i] = old[k];
			w->e[i].g = w->gcounts + i * ngc;
			memcpy(w->e[i].g, oldg + k * ngc, ngc * sizeof *oldg);
		}
		free(old);
		free(oldg);
	}
	for (i = h & (w->cap - 1); w->e[i].term; i = (i + 1) & (w->cap - 1))
		if (w->e[i].hash == h && strlen(w->e[i].term) == len &&
		    memcmp(w->e[i].term, term, len) == 0)
			return &w->e[i];
	w->e[i].term = pv_strndup(term, len);
	w->e[i].hash = h;
	w->e[i].g = w->gcounts + i * ngc;
	w->ne++;
	return &w->e[i];
}

/* Pass 2: counts a term of the current text exactly. */
static void words_exact(struct words *w, const char *term, size_t len)
{
	struct wentry *e = words_entry(w, term, len);
	size_t k;

	e->real += w->cur_real;
	e->syn += w->cur_syn;
	for (k = 0; k < w->ng; k++)
		e->g[k] += w->cur_g[k];
}

struct hit_ctx {
	const unsigned char *mark;
	struct buf *hits;
};

/* detect_words callback of pass 2 (any thread): keeps the terms of marked
 * buckets. */
static void keep_hit(void *ctx, uint32_t wb, const char *term, size_t len)
{
	struct hit_ctx *h = ctx;

	if (!h->mark[wb])
		return;
	buf_append(h->hits, term, len);
	buf_putc(h->hits, '\0');
}

static int by_z_desc(const void *a, const void *b)
{
	const struct detect_term *x = a, *y = b;

	if (x->z != y->z)
		return x->z > y->z ? -1 : 1;
	return strcmp(x->term, y->term);
}

/* The top terms of word group k (or of all synthetic documents when the
 * run has no groups) on each side. */
static void words_report(struct words *w, size_t k, unsigned top, struct detect_group *g)
{
	struct detect_term *all = pv_malloc((w->ne ? w->ne : 1) * sizeof *all);
	double nbg = w->nreal + w->nsyn, ni = w->ng ? w->ng_tot[k] : w->nsyn;
	size_t i, n = 0, j;

	for (i = 0; i < w->cap; i++) {
		const struct wentry *e = &w->e[i];
		double yi;
		if (!e->term)
			continue;
		yi = w->ng ? e->g[k] : e->syn;
		if (yi == 0 && e->real == 0)
			continue;
		all[n].term = e->term;        /* borrowed until copied below */
		all[n].nsyn = yi;
		all[n].nreal = e->real;
		all[n].z = detect_logodds(yi, ni, e->real, w->nreal, e->real + e->syn,
					  nbg, DETECT_PRIOR, &all[n].delta);
		n++;
	}
	qsort(all, n, sizeof *all, by_z_desc);
	g->words = true;
	g->syn = pv_calloc(top ? top : 1, sizeof *g->syn);
	g->real = pv_calloc(top ? top : 1, sizeof *g->real);
	for (i = 0; i < n && g->nsyn < top && all[i].z > 0; i++) {
		g->syn[g->nsyn] = all[i];
		g->syn[g->nsyn++].term = pv_strdup(all[i].term);
	}
	for (j = n; j > 0 && g->nreal < top && all[j - 1].z < 0; j--) {
		g->real[g->nreal] = all[j - 1];
		g->real[g->nreal++].term = pv_strdup(all[j - 1].term);
	}
	free(all);
}

/* ---- the passes ---- */

/*
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
#define BATCH_TEXTS 256
#define BATCH_BYTES (4u << 20)
#define RANGE_BITS 5
#define RANGES (1u << RANGE_BITS)

struct slot {                      /* a text of the batch */
	struct dtext *t;
	struct buf text;
	uint32_t *idx, *widx, *wcnt;   /* its features, copied from an extractor, */
	size_t n, nw, cap, wcap;       /* ... grouped by range of buckets */
	size_t off[RANGES + 1];        /* range q: idx[off[q] .. off[q + 1]) */
	size_t woff[RANGES + 1];       /* ... and widx, wcnt[woff[q] .. woff[q + 1]) */
	float scale;
	uint64_t words;
	struct buf hits;               /* pass 2: its terms in marked buckets, NUL after each */
};

/* A training unit: one fold's model of one model of the pass. */
enum unit_kind { U_POOLED, U_CONTROL, U_OWN, U_MATCHED };
struct unit {
	struct detect_lr *m;       /* borrowed */
	enum unit_kind kind;
	unsigned fold;
	unsigned j;                /* U_OWN, U_MATCHED: the group's place in the batch */
};
#define MAX_UNITS ((2 + 2 * BATCH_GROUPS) * DETECT_MAX_FOLDS)

struct pool {
	struct run *r;
	unsigned nth;                  /* threads working, the caller's included */
	pthread_t th[DETECT_MAX_THREADS];
	unsigned nstarted;             /* helper threads running */
	pthread_barrier_t bar;
	pthread_mutex_t mu;
	pthread_cond_t go;
	bool ready, stop;
	struct detect_fx *fx[DETECT_MAX_THREADS];
	double *gcount[DETECT_MAX_THREADS];   /* scratch: a text's documents per word group */
	struct slot *slots;
	size_t n, cap;                 /* slots of this batch; allocated */
	int pass;                      /* PASS_* */
	unsigned epoch;                /* training passes: 0, 1, ... */
	struct unit units[MAX_UNITS];  /* training passes: the units, */
	size_t nunits;                 /* ... taken in this order */
	size_t next_text, next_range;  /* work handed out (atomically): texts, */
				       /* ... then ranges or (model, fold) units */
};

struct helper {
	struct pool *p;
	unsigned k;
};

static int read_text(struct run *r, const struct dtext *t, struct buf *out,
		     struct pv_err *err)
{
	return store_text_head(r->s, t->text_id, DETECT_MAX_TEXT, out, err);
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
static const double *style_of(const struct run *r, const struct dtext *t)
{
	return r->style ? r->style + (size_t)(t - r->texts) * DETECT_STYLE : NULL;
}

/* Text t's group j of the batch. */
static struct gtext *gt_of(const struct run *r, const struct dtext *t, unsigned j)
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
				gt = gt_of(r, t, un->j);
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
			detect_lr_add_part(un->m, t->fold, real, synth, &v, style_of(r, t),
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
		struct gtext *gt = gt_of(r, t, j);
		gt->s_own = model_score(&r->b.own[j], t->fold, v, st);
		gt->s_match = gt->mreal > 0 || gt->gsyn > 0 ?
			      model_score(&r->b.mtc[j], t->fold, v, st) : 0;
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
		const double *st = style_of(r, t);
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
		t->s = model_score(&r->pooled, t->fold, &v, st);
		t->s_ctl = t->creal > 0 || t->csynth > 0 ?
			   model_score(&r->ctl, t->fold, &v, st) : 0;
		if (r->b.in_pooled)
			score_batch(r, t, &v, st);
		buf_reset(&sl->hits);
		if (r->o->top) {
			struct hit_ctx h = { r->w.mark, &sl->hits };
			detect_words(text, sl->text.len, keep_hit, &h);
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
					const struct gtext *gt = gt_of(r, t, j);
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
				words_count(&r->w, &v, t->real, t->synth, p->gcount[k],
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
static void pool_start(struct pool *p, struct run *r, unsigned nth, struct helper *hs)
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

static void pool_stop(struct pool *p)
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
		const struct gtext *gt = gt_of(r, t, j);
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

static int pass(struct pool *p, int which, const size_t *order, struct pv_err *err)
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
					words_exact(&r->w, h, strlen(h));
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
static int epochs(struct pool *p, int which, struct pv_err *err)
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
		rc = pass(p, which, r->order, err);
	}
	return rc;
}

/* ---- the report ---- */

/* Platt's a and b over the out-of-fold scores of every real and
 * synthetic text: the pooled model's (j < 0), or the own model's of the
 * batch's group j (its s_own, its documents gsyn). */
static void platt_of(const struct run *r, int j, double *a, double *b)
{
	double *s = pv_malloc((2 * r->ntexts + 1) * sizeof *s);
	double *w = pv_malloc((2 * r->ntexts + 1) * sizeof *w);
	unsigned char *y = pv_malloc(2 * r->ntexts + 1);
	size_t i, n = 0;

	for (i = 0; i < r->ntexts; i++) {
		const struct dtext *t = &r->texts[i];
		const struct gtext *gt = j >= 0 ? gt_of(r, t, (unsigned)j) : NULL;
		double score = gt ? gt->s_own : t->s, synth = gt ? gt->gsyn : t->synth;
		if (t->real > 0) {
			s[n] = score;
			y[n] = 0;
			w[n++] = t->real;
		}
		if (synth > 0) {
			s[n] = score;
			y[n] = 1;
			w[n++] = synth;
		}
	}
	detect_platt(s, y, w, n, a, b);
	free(s);
	free(w);
	free(y);
}

static void calibrate(struct run *r, struct detect_report *rep)
{
	platt_of(r, -1, &rep->platt_a, &rep->platt_b);
}

static double prob(const struct detect_report *rep, double s)
{
	return detect_sigmoid(rep->platt_a * s + rep->platt_b);
}

static void tpr_and_bins(const struct run *r, const struct detect_report *rep, uint32_t g,
			 int j, double a, double b, struct detect_tpr *tpr,
			 struct detect_bin *bins);

static void measure(struct run *r, struct detect_report *rep)
{
	double *neg = pv_malloc((size_t)rep->real * sizeof *neg);
	double *pos = pv_malloc(((size_t)rep->synthetic + 1) * sizeof *pos);
	size_t *at = pv_calloc(r->ngs + 1, sizeof *at), *fill = pv_calloc(r->ngs + 1, sizeof *fill);
	size_t i, nneg = 0, g;

	/* positives grouped: group g's scores at pos[at[g] ..] */
	for (g = 0; g < r->ngs; g++)
		at[g + 1] = at[g] + (size_t)r->gs[g].docs;
	for (i = 0; i < r->nrows; i++) {
		const struct drow *d = &r->rows[i];
		double p = prob(rep, d->s);
		if (d->synth) {
			pos[at[d->group] + fill[d->group]++] = d->s;
			rep->low_synthetic += p < DETECT_LOW;
		} else {
			neg[nneg++] = d->s;
			rep->high_real += p > DETECT_HIGH;
		}
	}
	detect_auc(pos, (size_t)rep->synthetic, neg, nneg, &rep->overall);
	tpr_and_bins(r, rep, NONE_GROUP, -1, rep->platt_a, rep->platt_b, rep->tpr, rep->bins);
	for (g = 0; g < r->ngs; g++) {
		struct detect_group *dg = &rep->groups[g];
		dg->value = r->gs[g].value ? pv_strdup(r->gs[g].value) : NULL;
		dg->synthetic = r->gs[g].docs;
		detect_auc(pos + at[g], (size_t)dg->synthetic, neg, nneg, &dg->auc);
		/* the pooled model's thresholds until an own model replaces them */
		dg->tpr_model = "pooled";
		tpr_and_bins(r, rep, (uint32_t)g, -1, rep->platt_a, rep->platt_b,
			     dg->tpr, dg->bins);
		if (r->o->top && (g < r->w.ng || (r->w.ng == 0 && g == 0)))
			words_report(&r->w, g, r->o->top, dg);
	}
	free(pos);
	free(neg);
	free(at);
	free(fill);
}

/* The TPR at each of detect_fprs and the AUC within each length bin of
 * group g's synthetic documents (NONE_GROUP: every synthetic document)
 * against every real one, by the pooled model (gj < 0) or g's own (g is
 * the batch's group gj; its log-odds in the texts' s_own), each log-odds turned into
 * a probability by p = sigmoid(a s + b): thresholds are then in the units
 * of the stored scores (the pooled model's) or of the own model's
 * calibrated probability. */
static void tpr_and_bins(const struct run *r, const struct detect_report *rep, uint32_t g,
			 int gj, double a, double b, struct detect_tpr *tpr,
			 struct detect_bin *bins)
{
	size_t npos = 0, nneg = 0, i, j, k;
	double *pos = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *pos);
	double *neg = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *neg);
	size_t *bpos = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *bpos);
	size_t *bneg = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *bneg);
	double *bp, *bn;

	for (i = 0; i < r->ntexts; i++) {
		const struct dtext *t = &r->texts[i];
		double p = detect_sigmoid(a * (gj >= 0 ? gt_of(r, t, (unsigned)gj)->s_own : t->s) + b);
		for (j = t->first; j < t->first + t->n; j++) {
			const struct drow *d = &r->rows[j];
			if (d->synth && (g == NONE_GROUP || d->group == g)) {
				bpos[npos] = bin_of(r, d->len);
				pos[npos++] = p;
			} else if (!d->synth) {
				bneg[nneg] = bin_of(r, d->len);
				neg[nneg++] = p;
			}
		}
	}
	for (k = 0; k < DETECT_FPRS; k++)
		detect_tpr_at(pos, npos, neg, nneg, detect_fprs[k], DETECT_BOOT,
			      pv_mix64(r->o->seed + k + 1), &tpr[k]);
	bp = pv_malloc((npos ? npos : 1) * sizeof *bp);
	bn = pv_malloc((nneg ? nneg : 1) * sizeof *bn);
	for (k = 0; k < DETECT_BINS; k++) {
		size_t np = 0, nn = 0;
		for (i = 0; i < npos; i++)
			if (bpos[i] == k)
				bp[np++] = pos[i];
		for (i = 0; i < nneg; i++)
			if (bneg[i] == k)
				bn[nn++] = neg[i];
		bins[k].min_bytes = rep->bins[k].min_bytes;
		bins[k].max_bytes = rep->bins[k].max_bytes;
		detect_auc(bp, np, bn, nn, &bins[k].auc);
	}
	free(bp);
	free(bn);
	free(pos);
	free(neg);
	free(bpos);
	free(bneg);
}

/* The control: the shuffled-label model's AUC (each text's documents
 * counted under its borrowed labels). */
static void control_auc(const struct run *r, struct detect_report *rep)
{
	double *pos = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *pos);
	double *neg = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *neg);
	size_t np = 0, nn = 0, i;
	double c;

	for (i = 0; i < r->ntexts; i++) {
		const struct dtext *t = &r->texts[i];
		for (c = 0; c < t->csynth && np < r->nrows; c++)
			pos[np++] = t->s_ctl;
		for (c = 0; c < t->creal && nn < r->nrows; c++)
			neg[nn++] = t->s_ctl;
	}
	detect_auc(pos, np, neg, nn, &rep->control);
	free(pos);
	free(neg);
}

/* The uncovered real documents of each group: of the check field's values
 * its synthetic documents never have. */
static void uncovered(const struct run *r, struct detect_report *rep)
{
	int64_t *real = pv_calloc(r->nmv ? r->nmv : 1, sizeof *real);
	int64_t all = 0;
	size_t g, i, values = 0;

	/* the real documents of each value, once; then each group's covered
	 * values taken away: one walk of the rows, not one per group */
	for (i = 0; i < r->nrows; i++)
		if (!r->rows[i].synth)
			real[r->rows[i].mval]++;
	for (i = 0; i < r->nmv; i++) {
		all += real[i];
		values += real[i] > 0;
	}
	for (g = 0; g < rep->ngroups; g++) {
		struct detect_group *dg = &rep->groups[g];
		dg->uncovered_real = all;
		dg->uncovered_values = values;
		for (i = r->cstart[g]; i < r->cstart[g + 1]; i++) {
			dg->uncovered_real -= real[r->cover[i]];
			dg->uncovered_values -= real[r->cover[i]] > 0;
		}
	}
	free(real);
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
			struct gtext *gt = gt_of(r, t, j);
			memset(gt, 0, sizeof *gt);
			for (k = t->first; k < t->first + t->n; k++) {
				const struct drow *d = &r->rows[k];
				if (d->synth && d->group == b->g[j])
					gt->gsyn++;
				else if (!d->synth && match && covers(r, b->g[j], d->mval))
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
			const struct gtext *gt = gt_of(r, t, j);
			if (b->own[j].lr)
				detect_lr_count(b->own[j].lr, t->fold, t->real, gt->gsyn,
						style_of(r, t));
			if (b->mtc[j].lr)
				detect_lr_count(b->mtc[j].lr, t->fold, gt->mreal, gt->gsyn,
						style_of(r, t));
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
			const struct gtext *gt = gt_of(r, t, j);
			for (k = t->first; k < t->first + t->n; k++) {
				const struct drow *d = &r->rows[k];
				if (d->synth && d->group == g) {
					pos[np] = gt->s_own;
					mpos[np++] = gt->s_match;
				} else if (!d->synth) {
					neg[nn++] = gt->s_own;
					if (match && covers(r, g, d->mval))
						mneg[nm++] = gt->s_match;
				}
			}
		}
		if (model_on(&b->own[j])) {
			dg->has_own = detect_auc(pos, np, neg, nn, &dg->own) == 0;
			/* the own model's probability: Platt over its own scores */
			platt_of(r, (int)j, &pa, &pb);
			for (i = 0; i < r->ntexts; i++) {
				const struct dtext *t = &r->texts[i];
				double p = detect_sigmoid(pa * gt_of(r, t, j)->s_own + pb);
				for (k = t->first; k < t->first + t->n; k++)
					if (r->rows[k].synth && r->rows[k].group == g)
						r->rows[k].own = p;
			}
			dg->tpr_model = "own";
			tpr_and_bins(r, rep, g, (int)j, pa, pb, dg->tpr, dg->bins);
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
		if ((rc = pass(p, PASS_GCOUNT, NULL, err)))
			return rc;
		for (j = 0; j < b->n; j++) {
			if (model_on(&b->own[j]))
				rep->groups[b->g[j]].own_degenerate = model_fit(&b->own[j]);
			model_fit(&b->mtc[j]);
		}
	} else if ((rc = epochs(p, PASS_GTRAIN, err))) {
		return rc;
	}
	return pass(p, PASS_GSCORE, NULL, err);
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
static char *queue_filter(const char *filter, const char *cond)
{
	struct buf b = BUF_INIT;
	const char *p = filter;

	while (p && (*p == ' ' || *p == '\t' || *p == '\n'))
		p++;
	if (p && *p)
		buf_printf(&b, "(%s) %s", filter, cond);
	else
		buf_puts(&b, cond);
	return buf_take(&b);
}

static void json_auc(struct buf *b, const struct detect_auc *a)
{
	buf_printf(b, "\"auc\":%.6f,\"ci\":[%.6f,%.6f],\"se\":%.6f", a->auc, a->lo,
		   a->hi, a->se);
}

/* {"auc":..,"ci":[..],"se":..,"real":N[,"field":F]} */
static void json_model(struct buf *b, const struct detect_auc *a, const char *field)
{
	buf_putc(b, '{');
	json_auc(b, a);
	buf_printf(b, ",\"real\":%zu", a->nneg);
	if (field) {
		buf_puts(b, ",\"field\":");
		json_put_string(b, field, strlen(field));
	}
	buf_putc(b, '}');
}

static void json_tpr(struct buf *b, const struct detect_tpr *t, const char *model)
{
	size_t k;

	buf_putc(b, '[');
	for (k = 0; k < DETECT_FPRS; k++) {
		if (k)
			buf_putc(b, ',');
		buf_printf(b, "{\"fpr\":%g,\"tpr\":%.6f,\"ci\":[%.6f,%.6f],\"threshold\":%.17g,"
			   "\"real_above\":%zu,\"synthetic_above\":%zu,\"model\":\"%s\"}",
			   t[k].fpr, t[k].tpr, t[k].lo, t[k].hi, t[k].threshold,
			   t[k].real_above, t[k].synthetic_above, model);
	}
	buf_putc(b, ']');
}

static void json_bins(struct buf *b, const struct detect_bin *bins)
{
	size_t k;

	buf_putc(b, '[');
	for (k = 0; k < DETECT_BINS; k++) {
		const struct detect_bin *x = &bins[k];
		if (k)
			buf_putc(b, ',');
		buf_printf(b, "{\"min_bytes\":%lld,\"max_bytes\":%lld,\"synthetic\":%zu,"
			   "\"real\":%zu,", (long long)x->min_bytes, (long long)x->max_bytes,
			   x->auc.npos, x->auc.nneg);
		if (x->auc.npos && x->auc.nneg)
			json_auc(b, &x->auc);
		else
			buf_puts(b, "\"auc\":null,\"ci\":null");
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

static void json_terms(struct buf *b, const struct detect_term *t, size_t n)
{
	size_t i;

	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		buf_puts(b, "{\"term\":");
		json_put_string(b, t[i].term, strlen(t[i].term));
		buf_printf(b, ",\"z\":%.3f,\"log_odds\":%.4f,\"synthetic\":%.0f,\"real\":%.0f}",
			   t[i].z, t[i].delta, t[i].nsyn, t[i].nreal);
	}
	buf_putc(b, ']');
}

static void json_queue(struct buf *b, const char *name, const char *store,
		       const char *filter, int64_t n)
{
	struct buf cmd = BUF_INIT;

	buf_puts(&cmd, "provex ls ");
	buf_shell_quote(&cmd, store ? store : "STORE");
	buf_putc(&cmd, ' ');
	buf_shell_quote(&cmd, filter);
	buf_printf(b, "\"%s\":{\"documents\":%lld,\"filter\":", name, (long long)n);
	json_put_string(b, filter, strlen(filter));
	buf_puts(b, ",\"command\":");
	json_put_string(b, cmd.data, cmd.len);
	buf_putc(b, '}');
	buf_done(&cmd);
}

/* The settings of the model family: "model" and what is particular to
 * it. */
static void json_model_settings(struct buf *b, enum detect_model m)
{
	unsigned k;

	buf_puts(b, "\"model\":");
	json_put_string(b, detect_model_name(m), strlen(detect_model_name(m)));
	if (m == DETECT_MODEL_NB) {
		buf_printf(b, ",\"family\":\"multinomial naive Bayes\",\"features\":\"word "
			   "1-2-grams and byte 3-5-grams, presence, unit length\","
			   "\"smoothing\":%g", DETECT_SMOOTHING);
		return;
	}
	buf_printf(b, ",\"family\":\"L2-regularised logistic regression, AdaGrad SGD\","
		   "\"features\":\"word 1-2-grams and byte 3-5-grams, presence, unit "
		   "length; %d style features, standardised, clipped to +-%g\",\"style\":[",
		   DETECT_STYLE, DETECT_LR_CLIP);
	for (k = 0; k < DETECT_STYLE; k++)
		buf_printf(b, "%s\"%s\"", k ? "," : "", detect_style_name(k));
	buf_printf(b, "],\"rate\":%g,\"l2\":%g,\"epochs\":%d,\"group_epochs\":%d,"
		   "\"control_epochs\":%d,\"order\":\"a hash of (seed, epoch, text id)\","
		   "\"classes\":\"weighted equally, prior added back\"", DETECT_LR_RATE,
		   DETECT_LR_L2, DETECT_LR_EPOCHS, GROUP_EPOCHS, CONTROL_EPOCHS);
}

static char *make_settings(const struct detect_opts *o)
{
	struct buf b = BUF_INIT;

	buf_putc(&b, '{');
	json_model_settings(&b, o->model);
	buf_printf(&b, ",\"buckets\":%u,"
		   "\"max_text_bytes\":%u,\"calibration\":\"Platt\","
		   "\"interval\":\"DeLong 95%%\",\"by\":\"%s\",\"folds\":%u,\"seed\":%llu,"
		   "\"top\":%u,\"prior\":%g,\"match\":", DETECT_BUCKETS, DETECT_MAX_TEXT,
		   detect_by_name(o->by), o->folds,
		   (unsigned long long)o->seed, o->top, DETECT_PRIOR);
	if (o->match)
		json_put_string(&b, o->match, strlen(o->match));
	else
		buf_puts(&b, "null");
	buf_printf(&b, ",\"scores\":\"the pooled model's Platt probability, out of fold\","
		   "\"own_models\":\"the %d largest groups\",\"matched\":\"real documents of "
		   "the values the group's synthetic documents have, unweighted\","
		   "\"tpr_interval\":\"percentile bootstrap, %d resamples of both sides\","
		   "\"length_bins\":\"quartiles of the documents' lengths\","
		   "\"control\":\"labels permuted across texts\"}",
		   DETECT_WORD_GROUPS, DETECT_BOOT);
	return buf_take(&b);
}

static char *make_summary(const struct detect_opts *o, const struct detect_report *rep)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_printf(&b, "{\"run\":%lld,\"filter\":", (long long)rep->run_id);
	json_put_string(&b, o->filter ? o->filter : "", o->filter ? strlen(o->filter) : 0);
	buf_printf(&b, ",\"settings\":%s,\"documents\":%lld,\"real\":%lld,\"synthetic\":%lld,"
		   "\"unknown_ignored\":%lld,\"texts\":%lld,\"degenerate_folds\":%u,"
		   "\"platt\":{\"a\":%.6g,\"b\":%.6g},\"overall\":{", rep->settings,
		   (long long)(rep->real + rep->synthetic), (long long)rep->real,
		   (long long)rep->synthetic, (long long)rep->unknown, (long long)rep->texts,
		   rep->degenerate_folds, rep->platt_a, rep->platt_b);
	json_auc(&b, &rep->overall);
	buf_puts(&b, ",\"tpr\":");
	json_tpr(&b, rep->tpr, "pooled");
	buf_puts(&b, ",\"length_bins\":");
	json_bins(&b, rep->bins);
	buf_printf(&b, "},\"model\":\"%s\",\"match\":", detect_model_name(o->model));
	if (o->match)
		json_put_string(&b, o->match, strlen(o->match));
	else
		buf_puts(&b, "null");
	buf_puts(&b, ",\"control\":{");
	json_auc(&b, &rep->control);
	buf_printf(&b, "},\"by\":\"%s\",\"groups\":[", detect_by_name(o->by));
	for (i = 0; i < rep->ngroups; i++) {
		const struct detect_group *g = &rep->groups[i];
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, "{\"value\":");
		if (g->value)
			json_put_string(&b, g->value, strlen(g->value));
		else
			buf_puts(&b, "null");
		buf_printf(&b, ",\"synthetic\":%lld,\"real\":%lld,", (long long)g->synthetic,
			   (long long)rep->real);
		json_auc(&b, &g->auc);
		buf_puts(&b, ",\"pooled\":");
		json_model(&b, &g->auc, NULL);
		buf_puts(&b, ",\"own\":");
		if (g->has_own)
			json_model(&b, &g->own, NULL);
		else
			buf_puts(&b, "null");
		buf_puts(&b, ",\"matched\":");
		if (g->has_matched) {
			json_model(&b, &g->matched, o->match);
		} else {
			buf_puts(&b, "null");
		}
		buf_puts(&b, ",\"tpr\":");
		json_tpr(&b, g->tpr, g->tpr_model ? g->tpr_model : "pooled");
		buf_puts(&b, ",\"length_bins\":");
		json_bins(&b, g->bins);
		buf_puts(&b, ",\"uncovered\":");
		if (g->uncovered_real) {
			buf_puts(&b, "{\"field\":");
			json_put_string(&b, rep->check_field, strlen(rep->check_field));
			buf_printf(&b, ",\"values\":%zu,\"real\":%lld}", g->uncovered_values,
				   (long long)g->uncovered_real);
		} else {
			buf_puts(&b, "null");
		}
		buf_puts(&b, ",\"words\":");
		if (g->words) {
			buf_puts(&b, "{\"synthetic\":");
			json_terms(&b, g->syn, g->nsyn);
			buf_puts(&b, ",\"real\":");
			json_terms(&b, g->real, g->nreal);
			buf_putc(&b, '}');
		} else {
			buf_puts(&b, "null");
		}
		buf_putc(&b, '}');
	}
	buf_puts(&b, "],\"review\":{");
	json_queue(&b, "real_reading_synthetic", o->store_name, rep->high_filter,
		   rep->high_real);
	buf_putc(&b, ',');
	json_queue(&b, "synthetic_passing_real", o->store_name, rep->low_filter,
		   rep->low_synthetic);
	buf_printf(&b, "},\"seconds\":%.3f}", rep->seconds);
	return buf_take(&b);
}

/* ---- writing ---- */

/* The highest document id of the store (0 when empty). */
static int max_doc(struct store *s, int64_t *out, struct pv_err *err)
{
	if (store_q_int64(s->db, "SELECT coalesce(max(id), 0) FROM docs", NULL, out) != SQLITE_OK)
		return store_sqlerr(s, err, "reading the documents' ids");
	return 0;
}

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
	if (sqlite3_prepare_v2(r->s->db, "INSERT OR REPLACE INTO detect_models(run_id, kind, "
			       "max_doc, platt_a, platt_b, threshold_1, threshold_5, model) "
			       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL) != SQLITE_OK) {
		free(blob);
		return store_sqlerr(r->s, err, "saving the model");
	}
	sqlite3_bind_int64(st, 1, rep->run_id);
	sqlite3_bind_text(st, 2, r->saved.kind == DETECT_MODEL_NB ? "nb" : "lr", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->max_doc);
	sqlite3_bind_double(st, 4, rep->platt_a);
	sqlite3_bind_double(st, 5, rep->platt_b);
	sqlite3_bind_double(st, 6, rep->tpr[0].threshold);
	sqlite3_bind_double(st, 7, rep->tpr[1].threshold);
	sqlite3_bind_blob(st, 8, blob, (int)len, free);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_sqlerr(r->s, err, "saving the model");
	sqlite3_finalize(st);
	return rc;
}

static int write_run(struct run *r, struct detect_report *rep, double t0,
		     struct pv_err *err)
{
	sqlite3 *db = r->s->db;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	if ((rc = store_begin(r->s, err)))
		return rc;
	if (sqlite3_prepare_v2(db, "INSERT INTO detect_runs(at, filter, settings) "
			       "VALUES(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1, ?2)",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, r->o->filter ? r->o->filter : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, rep->settings, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	rep->run_id = sqlite3_last_insert_rowid(db);
	if ((rc = write_model(r, rep, err))) {
		store_rollback(r->s);
		return rc;
	}
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO scores(doc_id, score, run_id, model, "
			       "own) VALUES(?1, ?2, ?3, 'pooled', ?4)", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < r->nrows; i++) {
		sqlite3_bind_int64(st, 1, r->rows[i].id);
		sqlite3_bind_double(st, 2, prob(rep, r->rows[i].s));
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
	rep->summary = make_summary(r->o, rep);
	if (sqlite3_prepare_v2(db, "UPDATE detect_runs SET summary = ?1 WHERE id = ?2",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, rep->summary, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, rep->run_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return store_commit(r->s, err);
fail:
	rc = store_sqlerr(r->s, err, "writing the scores");
	sqlite3_finalize(st);
	store_rollback(r->s);
	return rc;
}

/* ---- the run ---- */

int detect_run(struct store *s, const struct filter_sql *where,
	       const struct detect_opts *o, struct detect_report *rep,
	       struct pv_err *err)
{
	struct helper helpers[DETECT_MAX_THREADS];
	struct pool pool;
	struct run r;
	double t0 = pv_now();
	bool started = false, own;
	size_t i, g = 0, ng;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (o->folds < 2 || o->folds > DETECT_MAX_FOLDS)
		return pv_errf(err, PV_EUSAGE, "--folds must be 2 to %d", DETECT_MAX_FOLDS);
	memset(&r, 0, sizeof r);
	r.s = s;
	r.o = o;
	rep->settings = make_settings(o);
	rep->high_filter = queue_filter(o->filter, "origin:real score:>0.9");
	rep->low_filter = queue_filter(o->filter, "origin:synthetic score:<0.1");
	if ((rc = max_doc(s, &r.max_doc, err)) || (rc = read_rows(&r, where, rep, err)))
		goto out;
	rank_groups(&r);
	make_cover(&r);
	if ((rc = make_texts(&r, rep, err)))
		goto out;
	make_edges(&r, rep);
	rep->check_field = check_field(o);
	model_new(&r.pooled, o->model, o->folds);
	model_new(&r.ctl, o->model, o->folds);
	if (o->model == DETECT_MODEL_LR) {
		r.style = pv_malloc(r.ntexts * DETECT_STYLE * sizeof *r.style);
		r.order = pv_malloc(r.ntexts * sizeof *r.order);
	}
	/* word tables: one per group (the largest DETECT_WORD_GROUPS) when
	 * grouping, else the synthetic side is the one group */
	if (o->top)
		words_init(&r.w, o->by == DETECT_BY_NONE ? 0 :
			   PV_MIN(r.ngs, (size_t)DETECT_WORD_GROUPS));
	pool_start(&pool, &r, o->threads ? PV_MIN(o->threads, DETECT_MAX_THREADS) :
		   default_threads(), helpers);
	started = true;
	if ((rc = pass(&pool, PASS_COUNT, NULL, err)))
		goto out;
	for (i = 0; r.pooled.lr && i < r.ntexts; i++) {
		const struct dtext *t = &r.texts[i];
		detect_lr_count(r.pooled.lr, t->fold, t->real, t->synth, style_of(&r, t));
		detect_lr_count(r.ctl.lr, t->fold, t->creal, t->csynth, style_of(&r, t));
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
	if (r.pooled.lr && (rc = epochs(&pool, PASS_TRAIN, err)))
		goto out;
	if (o->top)
		words_pick(&r.w, o->top);
	if ((rc = pass(&pool, PASS_SCORE, NULL, err)))
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
	calibrate(&r, rep);
	measure(&r, rep);
	words_done(&r.w);
	control_auc(&r, rep);
	uncovered(&r, rep);
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
		rep->summary = make_summary(o, rep);
	} else {
		rc = write_run(&r, rep, t0, err);
	}
out:
	if (started)
		pool_stop(&pool);
	free(r.rows);
	free(r.texts);
	for (i = 0; i < r.ngs; i++)
		free(r.gs[i].value);
	free(r.gs);
	free(r.ghash);
	words_done(&r.w);
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
	int64_t id, text_id;
	int origin;                /* 0 real, 1 synthetic, 2 unknown */
	double p;
};

/* Reads run's saved model, its calibration and thresholds. */
static int read_model(struct store *s, int64_t run, struct detect_saved *m,
		      double *pa, double *pb, struct detect_applied *a, struct pv_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT r.id, m.kind, m.max_doc, m.platt_a, m.platt_b, "
			       "m.threshold_1, m.threshold_5, m.model FROM detect_runs r "
			       "LEFT JOIN detect_models m ON m.run_id = r.id WHERE r.id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "reading the saved model");
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
	const char *w = where && where->where ? where->where : "1";
	struct detect_saved m;
	struct detect_fx *fx = NULL;
	struct arow *rows = NULL;
	size_t n = 0, cap = 0, i, j, k;
	struct buf sql = BUF_INIT, text = BUF_INIT;
	sqlite3_stmt *st = NULL;
	double pa = 0, pb = 0, t0 = pv_now();
	int rc;

	memset(a, 0, sizeof *a);
	a->run_id = run;
	if ((rc = read_model(s, run, &m, &pa, &pb, a, err)))
		return rc;
	buf_puts(&sql, "SELECT d.id, d.text_id, CASE d.origin WHEN 'real' THEN 0 "
		 "WHEN 'synthetic' THEN 1 ELSE 2 END");
	store_from(where, &sql);
	buf_printf(&sql, "WHERE (%s) AND d.id > %lld ORDER BY d.text_id, d.id", w,
		   (long long)a->max_doc);
	st = store_prepare_where(s, buf_str(&sql), where, "selecting documents", err);
	buf_done(&sql);
	if (!st) {
		detect_saved_done(&m);
		return err ? err->code : PV_ESTORE;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			rows = pv_realloc(rows, cap * sizeof *rows);
		}
		rows[n].id = sqlite3_column_int64(st, 0);
		rows[n].text_id = sqlite3_column_int64(st, 1);
		rows[n].origin = sqlite3_column_int(st, 2);
		rows[n++].p = 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "selecting documents");
		goto out;
	}
	fx = detect_fx_new();
	for (i = 0; i < n; i = j) {
		struct detect_vec v;
		double style[DETECT_STYLE], p;
		for (j = i; j < n && rows[j].text_id == rows[i].text_id; j++)
			;
		if ((rc = store_text_head(s, rows[i].text_id, DETECT_MAX_TEXT, &text, err)))
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
		if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO scores(doc_id, score, run_id, "
				       "model, own) VALUES(?1, ?2, ?3, 'applied', NULL)", -1, &st,
				       NULL) != SQLITE_OK)
			goto fail;
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
