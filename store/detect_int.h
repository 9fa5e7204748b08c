/*
 * detect_int.h - what the files of provex detect share, inside the store:
 * a run's documents, texts, groups and word tables (struct run), the
 * models of its family, the batch of group models, the thread pool of the
 * passes, and the functions each file gives the others.  detect.h is the
 * public face; nothing outside store/detect*.c includes this.
 *
 *   detect.c          the run from end to end (its head comment tells how
 *                     the passes, the group batches, the control's sample
 *                     and the saved model fit in), the batches of group
 *                     models, writing, detect_apply
 *   detect_read.c     reading the documents: groups, match values, what
 *                     each group covers, length bins, the distinct texts
 *   detect_words.c    the word tables: the log-odds words and phrases
 *   detect_pass.c     the passes over the texts, shared among threads:
 *                     counting, the regression's training epochs, scoring
 *   detect_measure.c  the figures: calibration, AUCs, TPR at each FPR,
 *                     AUC by length, the control, uncovered values
 *   detect_json.c     the run's summary and settings as JSON
 *   detect_set.c      a run over a set of stores (set.h): its parts as the
 *                     sources of the documents, the texts' keys across
 *                     shards, the run's record in the set's review store
 */
#ifndef PV_DETECT_INT_H
#define PV_DETECT_INT_H

#include "store_int.h"
#include "detect.h"
#include "../analysis/lr.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct store_set;
struct set_part;

#define NONE_GROUP UINT32_MAX

struct drow {                      /* one document */
	int64_t id;
	int64_t text_id;           /* its text's key (dt_text_key): folds, samples, order */
	int64_t local;             /* its text's id in its source's store */
	int64_t len;               /* its text's bytes */
	uint32_t group;            /* synthetic: index in groups; real: NONE_GROUP */
	uint32_t mval;             /* its value of the match field (index in mvals) */
	uint32_t src;              /* its source (index in r->src) */
	unsigned char synth;
	double s;                  /* its text's out-of-fold log-odds */
	double own;                /* synthetic: its group's own model's probability (NaN: none) */
};

struct dtext {                     /* one distinct text */
	int64_t text_id;           /* its key (dt_text_key) */
	int64_t local;             /* its id in the store of source src, */
	uint32_t src;              /* ... where its body is read */
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

/* Where a run reads documents: the store of detect_run, or each listed
 * part of the set of detect_run_set (set.h) with the filter compiled for
 * that part's store. */
struct dsrc {
	struct store *s;                  /* borrowed */
	const struct filter_sql *where;   /* borrowed; NULL: every document */
	const struct set_part *part;      /* borrowed; NULL: a plain store */
};

struct run {
	struct store *out;         /* where the run is written; NULL: dry run */
	struct store_set *set;     /* borrowed; NULL: a plain store (src[0]) */
	struct dsrc *src;          /* owned array, borrowed contents */
	size_t nsrc;
	int64_t **keys;            /* a set of shards: keys[shard][text id], */
	size_t *nkeys;             /* ... the text's key (dt_set_keys); NULL: */
	size_t nkeyed;             /* ... the text id is the key */
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

/* The passes (detect_pass.c, whose head comment tells how they share
 * the work among threads): */
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

/* ---- detect.c ---- */

int dt_run(struct run *r, struct detect_report *rep, struct pv_err *err);
int dt_apply(struct run *r, int64_t run, struct detect_applied *a, struct pv_err *err);
double dt_model_score(const struct model *m, unsigned f, const struct detect_vec *v,
	const double *style);
uint64_t dt_str_hash(const char *s, size_t len);

/* ---- detect_read.c: reading the documents ---- */

size_t dt_bin_of(const struct run *r, int64_t len);
const char *dt_check_field(const struct detect_opts *o);
bool dt_covers(const struct run *r, uint32_t g, uint32_t v);
void dt_make_cover(struct run *r);
void dt_make_edges(struct run *r, struct detect_report *rep);
int dt_make_texts(struct run *r, struct detect_report *rep, struct pv_err *err);
void dt_rank_groups(struct run *r);
int dt_read_rows(struct run *r, struct detect_report *rep, struct pv_err *err);

/* ---- detect_set.c: a run over a set ---- */

/* The key of text `local` of source src: the text id itself for a plain
 * store, else its key across the set (dt_set_keys); -1 when it has none. */
int64_t dt_text_key(const struct run *r, uint32_t src, int64_t local);
int dt_set_keys(struct run *r, struct pv_err *err);
void dt_set_keys_free(struct run *r);
/* The highest document id of the run's sources (0 when empty). */
int dt_max_doc(const struct run *r, int64_t *out, struct pv_err *err);

/* ---- detect_words.c: the word tables ---- */

/* dt_keep_hit's context: the buckets marked, where a text's terms go. */
struct hit_ctx {
	const unsigned char *mark;
	struct buf *hits;
};
void dt_keep_hit(void *ctx, uint32_t wb, const char *term, size_t len);
void dt_words_count(struct words *w, const struct detect_vec *v, double real,
	double synth, const double *gcount, bool sampled, uint32_t lo, uint32_t hi);
void dt_words_done(struct words *w);
void dt_words_exact(struct words *w, const char *term, size_t len);
void dt_words_init(struct words *w, size_t ng);
void dt_words_pick(struct words *w, unsigned top);
void dt_words_report(struct words *w, size_t k, unsigned top, struct detect_group *g);

/* ---- detect_pass.c: the passes ---- */

int dt_epochs(struct pool *p, int which, struct pv_err *err);
struct gtext *dt_gt_of(const struct run *r, const struct dtext *t, unsigned j);
int dt_pass(struct pool *p, int which, const size_t *order, struct pv_err *err);
void dt_pool_start(struct pool *p, struct run *r, unsigned nth, struct helper *hs);
void dt_pool_stop(struct pool *p);
const double *dt_style_of(const struct run *r, const struct dtext *t);

/* ---- detect_measure.c: the figures of the report ---- */

void dt_calibrate(struct run *r, struct detect_report *rep);
void dt_control_auc(const struct run *r, struct detect_report *rep);
void dt_measure(struct run *r, struct detect_report *rep);
void dt_platt_of(const struct run *r, int j, double *a, double *b);
double dt_prob(const struct detect_report *rep, double s);
void dt_tpr_and_bins(const struct run *r, const struct detect_report *rep, uint32_t g,
	int gj, double a, double b, struct detect_tpr *tpr, struct detect_bin *bins);
void dt_uncovered(const struct run *r, struct detect_report *rep);

/* ---- detect_json.c: the summary ---- */

char *dt_make_settings(const struct detect_opts *o);
char *dt_make_summary(const struct detect_opts *o, const struct detect_report *rep);
char *dt_queue_filter(const char *filter, const char *cond);

#endif
