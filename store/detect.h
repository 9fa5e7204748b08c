/*
 * detect.h - provex detect: can a classifier tell the real documents of a
 * filter from the synthetic ones?
 *
 * Three parts.  classify.c is a model and the measurements, with no
 * store in sight: hashed features of a text, a multinomial naive Bayes
 * model trained by folds, Platt calibration, ROC AUC with a DeLong
 * interval, and the log-odds ratio with an informative Dirichlet prior
 * (Monroe, Colaresi and Quinn 2008) that names the words and phrases
 * separating two sides.  lr.c (lr.h) is the other model: a logistic
 * regression over the same features plus a few style features, the
 * default (it did better than naive Bayes on every labelled corpus
 * measured).  detect.c reads the documents of a filter from a store, runs
 * K-fold cross-validation of either model over their distinct texts,
 * writes each document's out-of-fold score to the scores table and the
 * run to detect_runs, and fills a report.
 *
 * Features (classify.c): word unigrams and bigrams (words are runs of ASCII
 * letters and digits or of bytes >= 0x80, ASCII case folded) and byte
 * 3-, 4- and 5-grams of the raw text, hashed into DETECT_BUCKETS buckets;
 * a text's vector has 1 for each bucket present (however often), scaled
 * to unit length, so that every text weighs the same in training whatever
 * its length.  (Presence did better than log(1 + count) on the corpora
 * measured in tests/bench/review, and costs less.)
 *
 * Ownership: every struct here owns what its pointers point to unless a
 * comment says "borrowed"; the _free/_done functions release it and accept
 * NULL (or a zeroed struct).
 */
#ifndef PV_DETECT_H
#define PV_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "../common/pv.h"

#define DETECT_BITS 20                        /* classifier feature buckets: 2^20 */
#define DETECT_BUCKETS (1u << DETECT_BITS)
#define DETECT_WBITS 20                       /* word 1-2-gram buckets (log-odds) */
#define DETECT_WBUCKETS (1u << DETECT_WBITS)
#define DETECT_MAX_TEXT (1u << 20)            /* bytes of a text looked at */
#define DETECT_MAX_WORD 64                    /* longer words are not words */
#define DETECT_SMOOTHING 0.5                  /* naive Bayes smoothing, relative */
#define DETECT_PRIOR 1000.0                   /* alpha_0 of the log-odds prior */
#define DETECT_MAX_FOLDS 20                   /* each fold's model: 12 MB */
#define DETECT_HIGH 0.9                       /* review queues: real above this */
#define DETECT_LOW 0.1                        /* ... synthetic below this */
#define DETECT_WORD_GROUPS 16                 /* groups that get word lists */
#define DETECT_WORD_SAMPLE 20000              /* texts whose word buckets pick candidates */
#define DETECT_MAX_THREADS 8

/* ---- features (classify.c) ---- */

/* One text's features, borrowed from the extractor until its next call. */
struct detect_vec {
	const uint32_t *idx;       /* distinct classifier buckets, < DETECT_BUCKETS */
	size_t n;
	float scale;               /* each one's weight: 1 / sqrt(n) (0 when n = 0) */
	const uint32_t *widx;      /* distinct word 1-2-gram buckets, < DETECT_WBUCKETS */
	const uint32_t *wcnt;      /* occurrences of each */
	size_t nw;
	uint64_t words;            /* word 1-2-gram occurrences in all */
};

/* A feature extractor: reusable scratch (a bit per bucket, a count per
 * word bucket) for one thread.  Never NULL (allocation failure aborts, as pv_malloc does). */
struct detect_fx;
struct detect_fx *detect_fx_new(void);
void detect_fx_free(struct detect_fx *x);

/* The features of text[0..len) (only its first DETECT_MAX_TEXT bytes);
 * the word buckets (widx, wcnt) only when words is true (nw = 0 else;
 * words is counted either way).  v's arrays are borrowed from x until the
 * next call.  An empty text, or one without any n-gram, gives n = 0. */
void detect_fx_text(struct detect_fx *x, const char *text, size_t len, bool words,
		    struct detect_vec *v);

/* Calls cb for every word 1-2-gram occurrence of the text, in order, with
 * its word bucket (the one detect_fx_text counts) and its lowercased form
 * ("word" or "word word"; borrowed for the call). */
void detect_words(const char *text, size_t len,
		  void (*cb)(void *ctx, uint32_t wbucket, const char *term, size_t tlen),
		  void *ctx);

/* ---- the model (classify.c) ---- */

/* Multinomial naive Bayes over the unit-length vectors, one count table
 * per fold and class, so that the model of fold f (trained on every other
 * fold) costs a subtraction: cross-validation is one pass to count and one
 * to score. */
struct detect_nb;
struct detect_nb *detect_nb_new(unsigned folds);
void detect_nb_free(struct detect_nb *m);

/* Adds a text of fold f (< folds) seen `real` times as real and `synth`
 * times as synthetic (an exact duplicate counts each time). */
void detect_nb_add(struct detect_nb *m, unsigned f, double real, double synth,
		   const struct detect_vec *v);
/* The same for the buckets in [lo, hi) only, the text itself counted when
 * lo is 0: threads adding the same texts in the same order, each to its
 * own range of buckets, give exactly the sums that one thread would. */
void detect_nb_add_part(struct detect_nb *m, unsigned f, double real, double synth,
			const struct detect_vec *v, uint32_t lo, uint32_t hi);

/* Copies src's real-class counts (every fold's) into dst, made with as
 * many folds: a model of one group's synthetic texts against the real
 * texts another model counted already. */
void detect_nb_copy_real(struct detect_nb *dst, const struct detect_nb *src);

/* Computes each fold's weights: log-probability ratios, each side's
 * counts smoothed by adding DETECT_SMOOTHING times its total mass, spread
 * evenly over the buckets.  Returns how many folds have training
 * documents (those of the other folds) of only one class or none: their
 * texts all score 0. */
unsigned detect_nb_fit(struct detect_nb *m);

/* The log-odds (synthetic against real) that fold f's model gives v:
 * the prior log-odds plus the dot product with the weights.  After
 * detect_nb_fit. */
double detect_nb_score(const struct detect_nb *m, unsigned f,
		       const struct detect_vec *v);

/* Platt scaling: the a >= 0 and b of p = 1 / (1 + exp(-(a s + b))) that
 * best fit labels y (1 = synthetic) with weights w (NULL = 1 each), by
 * Newton's method on the log-loss with Platt's smoothed targets (so that
 * separable scores still give a finite a).  a = 0 when the scores rank
 * worse than chance: then p is the base rate for every text, and the
 * stored scores never order the documents against the model. */
void detect_platt(const double *s, const unsigned char *y, const double *w,
		  size_t n, double *a, double *b);
double detect_sigmoid(double x);

/* ---- measurements (classify.c) ---- */

/* The ROC AUC of scores pos (synthetic) against neg (real): the chance
 * that a random positive scores above a random negative, ties counting
 * half (Mann-Whitney).  se and the 95% interval [lo, hi] by DeLong et al.
 * (1988), normal approximation clipped to [0, 1]; with one positive or
 * one negative the variance of that side is taken as 0. */
struct detect_auc {
	double auc, se, lo, hi;
	size_t npos, nneg;
};

/* Returns 0, or PV_EINVAL when pos or neg is empty (auc is then 0.5 and
 * the interval [0, 1]).  The arrays are not changed (copies are sorted). */
int detect_auc(const double *pos, size_t npos, const double *neg, size_t nneg,
	       struct detect_auc *out);

/* The true-positive rate at a false-positive rate: the threshold t is
 * the (k+1)-th highest negative score, k = floor(fpr * nneg), so that at
 * most a share fpr of the negatives (real documents) score strictly above
 * it; tpr is the share of positives (synthetic) strictly above t.  The
 * 95% interval is a percentile bootstrap over `boot` resamples of both
 * sides (the threshold recomputed on each), drawn from `seed`: the same
 * inputs give the same interval.  boot = 0: no interval (lo = hi = tpr). */
struct detect_tpr {
	double fpr;                /* asked for */
	double threshold;          /* in the scores' own units */
	double tpr, lo, hi;
	double real_rate;          /* the negatives' share above t (<= fpr) */
	size_t real_above, synthetic_above;
};

/* Returns 0, or PV_EINVAL when a side is empty or fpr is not in [0, 1). */
int detect_tpr_at(const double *pos, size_t npos, const double *neg, size_t nneg,
		  double fpr, unsigned boot, uint64_t seed, struct detect_tpr *out);

/* The log-odds ratio of a term between side i (yi occurrences of ni) and
 * side j (yj of nj), with the informative Dirichlet prior alpha_w = a0 *
 * bg / nbg (bg: the term's occurrences in the background, nbg all of
 * them): Monroe, Colaresi and Quinn (2008), eq. 16-22.  Stores delta in
 * *delta (may be NULL) and returns its z-score delta / sigma; 0 when the
 * background has no such term. */
double detect_logodds(double yi, double ni, double yj, double nj, double bg,
		      double nbg, double a0, double *delta);

/* ---- a run over a store (detect.c) ---- */

struct store;
struct filter_sql;

enum detect_by { DETECT_BY_NONE, DETECT_BY_GENERATOR, DETECT_BY_SOURCE };

/* The family of every model of a run (pooled, control, own, matched):
 * lr.c's logistic regression over the hashed features and the style
 * features (the default: 0), or the naive Bayes above over the hashed
 * features. */
enum detect_model { DETECT_MODEL_LR, DETECT_MODEL_NB };

struct detect_opts {
	const char *filter;        /* its text, as given (recorded); may be NULL */
	const char *store_name;    /* the store as named by the user (for commands) */
	enum detect_by by;
	const char *match;         /* --match: "source", "purpose" or "generator"; NULL: none */
	unsigned folds;            /* 2 .. DETECT_MAX_FOLDS */
	uint64_t seed;             /* folds: a hash of (seed, text id) */
	unsigned top;              /* words and phrases per side */
	bool dry_run;              /* compute and report, write nothing */
	unsigned threads;          /* 0: one per processor; the results do not depend on it */
	enum detect_model model;   /* the models' family (0: logistic regression) */
	/* progress, called on the calling thread after each batch of texts
	 * (may be NULL): stage says what is being done (it holds a group's
	 * value as stored: sanitize it before showing it), done of total texts
	 * walked in that stage */
	void (*progress)(void *ctx, const char *stage, size_t done, size_t total);
	void *progress_ctx;
};

struct detect_term {
	char *term;                /* "word" or "word word" */
	double z, delta;           /* z > 0: the synthetic side's */
	double nsyn, nreal;        /* occurrences in the group and in the real side */
};

/* The figures of a model within a range of document lengths (bytes). */
struct detect_bin {
	int64_t min_bytes, max_bytes;
	struct detect_auc auc;     /* auc.npos or auc.nneg 0: a side is empty there */
};

#define DETECT_BINS 4              /* length bins: the quartiles of the run's lengths */
#define DETECT_FPRS 2              /* TPR at 1% and at 5% false positives */
#define DETECT_BOOT 200            /* bootstrap resamples of a TPR's interval */
extern const double detect_fprs[DETECT_FPRS];

struct detect_group {
	char *value;               /* the generator or source; NULL = none; "all" for BY_NONE */
	int64_t synthetic;         /* its documents (all synthetic) */
	struct detect_auc auc;     /* the pooled model's, against every real document */
	bool has_own;              /* a model of this group alone was trained */
	struct detect_auc own;     /* ... its AUC against every real document */
	unsigned own_degenerate;   /* ... its folds trained on one class only */
	bool has_matched;          /* --match: a model against the matched real documents */
	struct detect_auc matched; /* ... its AUC against them */
	int64_t matched_real;      /* real documents of the values the group covers */
	const char *tpr_model;     /* "own" or "pooled" (static): the model of tpr and bins */
	struct detect_tpr tpr[DETECT_FPRS];  /* thresholds: that model's probability */
	struct detect_bin bins[DETECT_BINS];
	int64_t uncovered_real;    /* real documents of values (of the match field) */
	size_t uncovered_values;   /* ... the group has no synthetic document of */
	bool words;                /* the word lists were computed */
	struct detect_term *syn, *real;   /* most synthetic / most real first */
	size_t nsyn, nreal;
};

struct detect_report {
	int64_t run_id;            /* 0 with dry_run */
	int64_t real, synthetic;   /* documents, by origin */
	int64_t unknown;           /* matching but of unknown origin: ignored */
	int64_t texts;             /* distinct texts among real and synthetic */
	unsigned degenerate_folds; /* folds trained on one class only */
	double platt_a, platt_b;
	struct detect_auc overall; /* every synthetic against every real document */
	struct detect_tpr tpr[DETECT_FPRS];  /* ... thresholds in score: units */
	struct detect_bin bins[DETECT_BINS]; /* ... within length bins */
	struct detect_auc control; /* the pooled model trained on shuffled labels */
	const char *check_field;   /* the field of uncovered_* (static): --match's or "source" */
	unsigned own_groups;       /* groups that got a model of their own */
	struct detect_group *groups;
	size_t ngroups;
	int64_t high_real;         /* real documents scoring > DETECT_HIGH */
	int64_t low_synthetic;     /* synthetic documents scoring < DETECT_LOW */
	char *high_filter, *low_filter;  /* the filters of those two queues */
	double seconds;
	char *settings;            /* JSON, as stored in detect_runs.settings */
	char *summary;             /* JSON, as stored in detect_runs.summary */
};

/* Trains and cross-validates the classifier on the real and synthetic
 * documents that where selects (NULL = all), writes their scores (each
 * replacing the document's earlier one) and the run, in one transaction,
 * unless o->dry_run.  The store must be open for writing unless dry_run.
 * Errors (PV_EINVAL, message filled): no real or no synthetic document;
 * fewer than two distinct texts on a side; fewer distinct texts than
 * folds.  r is filled on success and must be released with
 * detect_report_done either way. */
int detect_run(struct store *s, const struct filter_sql *where,
	       const struct detect_opts *o, struct detect_report *r,
	       struct pv_err *err);
void detect_report_done(struct detect_report *r);

/* ---- the saved model (detmodel.c) ---- */

/* The model a run leaves for detect --apply: the average of its pooled
 * model's fold models (those trained on both classes), which gives a text
 * the mean of their log-odds.  w is owned; detect_saved_done frees it. */
struct detect_saved {
	enum detect_model kind;
	bool style;                           /* the regression's style part */
	unsigned folds;                       /* fold models averaged (0: none) */
	float *w;                             /* [DETECT_BUCKETS]: mean bucket weight */
	double c[DETECT_MAX_FOLDS];           /* each one's constant (prior + bias) */
	double sw[DETECT_MAX_FOLDS][10], mu[DETECT_MAX_FOLDS][10], sd[DETECT_MAX_FOLDS][10];
};
void detect_saved_done(struct detect_saved *m);

/* For the models' _save functions: clears out for a model of that kind
 * (w zeroed, owned) and returns how many of the folds' ok[] are set;
 * then adds w[stride * b] / n to each bucket's mean (a fold model's
 * weights, every stride-th float). */
unsigned detect_saved_start(struct detect_saved *out, enum detect_model kind, bool style,
			    const unsigned char *ok, unsigned folds);
void detect_saved_add(struct detect_saved *out, const float *w, size_t stride, unsigned n);

/* The log-odds the saved model gives a text (its features v and, for the
 * regression, its style features from detect_style). */
double detect_saved_score(const struct detect_saved *m, const struct detect_vec *v,
			  const double *style);

/* The model as bytes (*out, owned by the caller: free()) and back.
 * unpack fills m (release with detect_saved_done) or returns PV_ESTORE
 * with a message for bytes that are damaged or of another format. */
int detect_saved_pack(const struct detect_saved *m, void **out, size_t *len,
		      struct pv_err *err);
int detect_saved_unpack(const void *data, size_t len, struct detect_saved *m,
			struct pv_err *err);

/* The average of naive Bayes's fold models trained on both classes
 * (classify.c): fills out (release with detect_saved_done); none: folds 0.
 * After detect_nb_fit. */
void detect_nb_save(const struct detect_nb *m, struct detect_saved *out);

/* ---- applying a saved model (detect.c) ---- */

/* What detect --apply did: by origin (0 real, 1 synthetic, 2 unknown). */
struct detect_applied {
	int64_t run_id;            /* the run whose model was applied */
	const char *kind;          /* "lr" or "nb" (static) */
	int64_t max_doc;           /* documents with a greater id were scored */
	int64_t docs[3];           /* documents scored */
	int64_t texts;             /* ... distinct texts */
	double threshold[DETECT_FPRS];   /* the run's thresholds (NaN: none) */
	int64_t above[DETECT_FPRS][3];   /* documents scoring above each */
	double seconds;
};

/* Scores, with the model that detect run `run` saved, every document
 * added since that run (id greater than the highest id it saw) that
 * where selects (NULL = all), whatever its origin: the mean log-odds of
 * the run's fold models through the run's Platt scaling, so that the
 * run's thresholds keep their meaning (about: the average of its fold
 * models saw all its texts, each fold model 1 - 1/K of them).  Each
 * score replaces the document's earlier one, with run_id = run and model
 * 'applied', in one transaction (unless o->dry_run).  Errors: no such
 * run (PV_ENOTFOUND), a run without a saved model or a damaged one
 * (PV_EINVAL, PV_ESTORE).  Uses o->dry_run, o->progress. */
int detect_apply(struct store *s, const struct filter_sql *where,
		 const struct detect_opts *o, int64_t run, struct detect_applied *a,
		 struct pv_err *err);

/* Whether f names a field --match takes (source, purpose, generator). */
bool detect_match_field(const char *f);

/* "generator", "source" or "none". */
const char *detect_by_name(enum detect_by by);

/* "logistic regression" or "naive Bayes": the summary's "model". */
const char *detect_model_name(enum detect_model m);

#endif
