/*
 * lr.h - a second model for provex detect, beside classify.c's naive
 * Bayes: cheap style features of a text, and an L2-regularised logistic
 * regression over the same hashed features plus those style features,
 * trained by SGD with AdaGrad for K folds at once.  Like classify.c it
 * sees no store: detect.c (or a test) feeds it texts.
 *
 * Everything here is deterministic: no clock, no random numbers, no
 * threads; the same texts added in the same order give the same scores,
 * bit for bit.
 *
 * Ownership: struct detect_lr owns its tables; detect_lr_free releases
 * them and accepts NULL.  Vectors and style arrays passed in are borrowed
 * for the call only.
 */
#ifndef PV_LR_H
#define PV_LR_H

#include <stddef.h>
#include <stdint.h>
#include "classify.h"

/* ---- style features ---- */

/*
 * The style features of a text, in this order.  All are computed on the
 * text's first DETECT_MAX_TEXT bytes (its "bytes" below), in one pass
 * plus one compression.  Definitions:
 *
 *  - word: a maximal run of ASCII letters and digits or of bytes >= 0x80
 *    (classify.c's word bytes), ASCII case folded; every run counts,
 *    however long.
 *  - sentence: the words up to a sentence end: a byte '.', '!' or '?'
 *    followed by whitespace (space, tab, CR, LF, FF, VT) or by the end of
 *    the text ("...", "?!" end one sentence, at the last of the run); a
 *    blank line (LF, then only spaces, tabs or CRs, then LF); or the end
 *    of the text.  Sentences without a word are not counted.  A single
 *    LF does not end a sentence (hard-wrapped text keeps its sentences).
 *  - punctuation: the 32 ASCII bytes that ispunct() accepts in the C
 *    locale: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
 *
 * Every ratio whose denominator is 0 is 0, so an empty text (or one
 * without a word) gives zeros where that applies; an empty text gives
 * all zeros.
 */
enum detect_style_feature {
	STYLE_COMPRESSION,   /* zstd level 1 frame size / bytes (see detect_style) */
	STYLE_TTR,           /* distinct words / words, among the first DETECT_STYLE_TTR_WORDS */
	STYLE_SENT_MEAN,     /* mean sentence length, in words */
	STYLE_SENT_SD,       /* its standard deviation (population: divided by sentences) */
	STYLE_PUNCT,         /* punctuation bytes / words */
	STYLE_FUNCTION,      /* words in the function-word list (lr.c, 50 words) / words */
	STYLE_WORD_LEN,      /* mean word length, in bytes */
	STYLE_LOG_LEN,       /* log(1 + bytes) */
	STYLE_DIGITS,        /* ASCII digit bytes / bytes */
	STYLE_UPPER,         /* ASCII uppercase bytes / ASCII letter bytes */
	DETECT_STYLE         /* how many */
};

#define DETECT_STYLE_TTR_WORDS 1000   /* words the type/token ratio looks at */

/* Fills out[] with the style features of text[0..len) (NULL with len 0 is
 * an empty text).  Any bytes are fine: NUL, invalid UTF-8.  The
 * compression ratio is the size of the bytes as one zstd frame at level 1,
 * with the content size pledged (so zstd sizes its tables to the text:
 * about 20 us for 1 KB, where zlib's deflate state alone costs 0.7 ms to
 * set up), over the number of bytes, frame header (a few bytes) included;
 * the same zstd version gives the same size.
 * Allocates nothing itself (32 KB of stack); zstd allocates its context
 * for the call, and if zstd fails the ratio is 1. */
void detect_style(const char *text, size_t len, double out[DETECT_STYLE]);

/* A feature's name ("compression", "ttr", ...): for reports and tests. */
const char *detect_style_name(unsigned k);

/* ---- logistic regression by folds ---- */

/* Measured by 5-fold cross-validation on four labelled corpora
 * (fast-detect-gpt, m4-llama2, gsm8k, self-instruct): steps 0.1 and 0.2
 * did best (0.05 loses 0.005 AUC, 0.02 up to 0.03); L2 weights 0 to 1e-4
 * give the same AUC within 0.002, 1e-3 loses 0.01, 1e-2 up to 0.07; a
 * second epoch gains 0.005 on average, a third nothing more. */
#define DETECT_LR_RATE 0.1         /* AdaGrad base step */
#define DETECT_LR_L2 1e-6          /* L2 weight, per unit of example weight */
#define DETECT_LR_EPOCHS 2         /* passes over the texts that callers make */
#define DETECT_LR_CLIP 5.0         /* standardised style values are clipped to +-this */

/*
 * K models at once, the model of fold f trained on the texts of every
 * other fold, as detect_nb is.  Each model is a logistic regression with
 * a bias, one weight per hashed bucket (a text's present buckets each have
 * value v->scale, as in naive Bayes) and one per style feature
 * (standardised by the mean and standard deviation of its training texts,
 * then clipped to +-DETECT_LR_CLIP), trained by SGD on the weighted
 * log-loss plus (DETECT_LR_L2 / 2) |w|^2, with AdaGrad's per-coordinate
 * steps DETECT_LR_RATE / sqrt(sum of squared gradients).  The L2 term is
 * applied to the coordinates a step touches (the usual sparse shortcut);
 * the bias is not regularised.
 *
 * Use, in this order:
 *   1. detect_lr_count for every text (style only: no features needed);
 *   2. detect_lr_start, once: fixes each model's class weights and style
 *      standardisation from those counts;
 *   3. detect_lr_add for every text, DETECT_LR_EPOCHS times over;
 *   4. detect_lr_score.
 * SGD needs the texts of an epoch in an order that does not follow their
 * labels (or their length, or their source): feed them in a pseudo-random
 * order, such as by a hash of the text id, never sorted by label.
 *
 * Class imbalance: each model weighs its training texts so that the two
 * classes carry equal total weight (a real text's weight is multiplied by
 * (R + S) / 2R, a synthetic one's by (R + S) / 2S, R and S the model's
 * training totals), and detect_lr_score adds back the prior log(S / R),
 * so that the score is the log-odds at the training mix, as naive Bayes's.
 *
 * Memory: per fold, two floats per bucket (weight and AdaGrad sum,
 * interleaved): 8 MB per fold, 40 MB for 5 folds, plus a few doubles.
 */
struct detect_lr;

/* A model set for folds (1 .. DETECT_MAX_FOLDS) folds.  Never NULL
 * (allocation failure aborts, as pv_malloc does). */
struct detect_lr *detect_lr_new(unsigned folds);
void detect_lr_free(struct detect_lr *m);

/* Counts a text of fold f seen `real` times as real and `synth` times as
 * synthetic, with the style features style[] (from detect_style): class
 * totals and the style moments of each fold.  Before detect_lr_start. */
void detect_lr_count(struct detect_lr *m, unsigned f, double real, double synth,
		     const double style[DETECT_STYLE]);

/* Derives each model's class weights and style standardisation from the
 * counts.  Returns how many folds' models have training texts (those of
 * the other folds) of only one class or none: they never train, and their
 * texts all score 0. */
unsigned detect_lr_start(struct detect_lr *m);

/* One SGD step, for every model but fold f's, on a text of fold f seen
 * `real` times as real and `synth` times as synthetic (the step's weight
 * is real and synth times the class weights: a duplicate counts each
 * time).  After detect_lr_start. */
void detect_lr_add(struct detect_lr *m, unsigned f, double real, double synth,
		   const struct detect_vec *v, const double style[DETECT_STYLE]);
/* The same for the models g in [lo, hi) only (g != f): threads adding the
 * same texts in the same order, each for its own range of models, give
 * exactly the weights that one thread would. */
void detect_lr_add_part(struct detect_lr *m, unsigned f, double real, double synth,
			const struct detect_vec *v, const double style[DETECT_STYLE],
			unsigned lo, unsigned hi);

/* The log-odds (synthetic against real) that fold f's model gives a text:
 * prior log(S / R) + bias + v->scale * sum of its buckets' weights + the
 * style weights times its standardised style.  style may be NULL: the
 * style part is then left out (a model without style features is one
 * whose texts are all added and scored with NULL).  0 for a fold whose
 * model never trained (see detect_lr_start). */
double detect_lr_score(const struct detect_lr *m, unsigned f, const struct detect_vec *v,
		       const double style[DETECT_STYLE]);

/* The average of the fold models trained on both classes, for detect
 * --apply (detmodel.c): fills out (release with detect_saved_done); no
 * fold model: out->folds is 0.  After training. */
void detect_lr_save(const struct detect_lr *m, struct detect_saved *out);

#endif
