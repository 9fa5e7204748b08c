/*
 * classify.h - the models and measurements behind provex detect, with no
 * store in sight (classify.c, lr.c, detmodel.c): hashed features of a
 * text, a multinomial naive Bayes model trained by folds, Platt
 * calibration, ROC AUC with a DeLong interval, the log-odds ratio with an
 * informative Dirichlet prior (Monroe, Colaresi and Quinn 2008) that names
 * the words and phrases separating two sides, and the averaged model a
 * run saves for detect --apply.  lr.h is the other model, the logistic
 * regression; store/detect.h (which includes this header) runs either
 * over a store's documents.
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
#ifndef PV_CLASSIFY_H
#define PV_CLASSIFY_H

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

/* The family of every model of a run (pooled, control, own, matched):
 * lr.c's logistic regression over the hashed features and the style
 * features (the default: 0), or the naive Bayes above over the hashed
 * features. */
enum detect_model { DETECT_MODEL_LR, DETECT_MODEL_NB };

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

#endif
