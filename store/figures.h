/*
 * figures.h - what the statistics view and provex stats --html draw: the
 * documents of a filter counted by origin, source, generator, purpose and
 * label; histograms of length and compression ratio with the real and the
 * synthetic documents as two series over the same bins; the words that
 * separate the two sides and the detector's AUC per group, read from the
 * latest provex detect run; and the blind review's accuracy per group.
 *
 * Computing them is a job taken in steps (figures_step), so that the
 * interface can draw its progress and take a key between two steps; the
 * command line runs the job to its end (figures_compute).  The job reads:
 *
 *   1. every matching document's id, origin, provenance, length and text
 *      (one pass, no text decompressed): the counts and the length
 *      histogram are exact, over all of them; the ids go through a
 *      bottom-k sample (the k documents whose hashed ids are smallest, so
 *      the sample depends on the filter's documents only, not on the
 *      order they come in) of at most FIG_SAMPLE documents;
 *   2. each sampled document's compressed length: the compression-ratio
 *      histogram is over the sample, and says so;
 *   3. the latest detect run's summary (detect_runs.summary, JSON, read
 *      defensively: whatever is missing or of another kind is left out)
 *      and the review report (store/review.h), which cover the whole
 *      store, not the filter.
 *
 * Histograms (struct fig_hist) keep a count per bin and series; figures
 * are drawn as each series' share of its own documents, so that 30 real
 * and 3,000 synthetic documents can be compared bin by bin.  Length bins
 * are logarithmic with edges 1, 2, 3, 5, 7, 10, 20 ... (five a decade);
 * empty documents (length 0) are counted apart and left out of both
 * histograms.  Ratio bins are linear, a round step wide (1, 2, 2.5 or 5
 * times a power of ten, about FIG_RATIO_BINS of them), over the range
 * where each series has its bulk: for each series, from its lower to
 * its upper far-out fence (Tukey's: the quartiles minus and plus three
 * times the interquartile range), kept within its smallest and largest
 * value; the union of the two series' ranges is binned.  The outliers
 * beyond are gathered in an open first bin ("<x") and an open last bin
 * (">=y").  A few very repetitive documents (ratios of 50 and more among
 * ratios of 1 to 4) therefore no longer squeeze everything else into
 * one bin, whatever share of a series they are up to a quarter of it.
 *
 * Each histogram carries the median of each series (exact: the middle
 * value, or the mean of the two middle ones for an even count): of every
 * length drawn, and of the sample's ratios.
 *
 * Ownership: struct figures owns everything its pointers point to
 * (figures_done); a job owns its statements until figures_job_free.
 * Nothing here touches a terminal; the HTML writer escapes every string
 * that comes from the store.
 */
#ifndef PV_FIGURES_H
#define PV_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../common/pv.h"
#include "../common/buf.h"
#include "store.h"
#include "review.h"

#define FIG_SAMPLE 100000        /* documents sampled for the ratio histogram */
#define FIG_LEN_BINS 95          /* log length bins: edges 1 .. 7e18 */
#define FIG_RATIO_BINS 20        /* at most this many ratio bins over the
				  * bulk, at least half as many */
#define FIG_RATIO_MAX_BINS 40

enum { FIG_REAL, FIG_SYNTH, FIG_NSERIES };

/* The provenance fields counted, in the order shown. */
enum { FIG_ORIGIN, FIG_SOURCE, FIG_GENERATOR, FIG_PURPOSE, FIG_LABEL, FIG_NFIELDS };

/* "origin", "source", "generator", "purpose", "label". */
/* The field the matched AUCs of a detect run are over (borrowed from d),
 * or NULL when the run does not say. */
struct fig_detect;
const char *fig_match_field(const struct fig_detect *d);

const char *fig_field_name(int field);

/* ---- histograms ---- */

enum fig_scale { FIG_LOG, FIG_LINEAR };

struct fig_hist {
	enum fig_scale scale;
	size_t nbins;
	double *edge;            /* owned: nbins + 1 edges; bin i is
				  * [edge[i], edge[i+1]) */
	bool open_first;         /* the first bin holds everything below
				  * edge[1] (edge[0] is -infinity) */
	bool open_last;          /* the last bin also holds everything above */
	int64_t *count[FIG_NSERIES];  /* owned: nbins counts per series */
	int64_t total[FIG_NSERIES];   /* values counted, per series */
	int64_t docs;            /* documents the figure is computed on */
	int64_t of;              /* documents matching: docs < of is a sample */
	int64_t left_out;        /* of those, not drawn (empty documents) */
	double median[FIG_NSERIES];  /* each series' median (when total > 0) */
};

/* The median of n sorted values (0 when n is 0): the middle one, or the
 * mean of the two middle ones when n is even. */
double fig_median_sorted(const double *v, size_t n);
/* The median of n values (any order; v is reordered), as above, in
 * linear time. */
double fig_median_i64(int64_t *v, size_t n);
/* Quantile q (0..1) of n >= 1 sorted values, interpolated between the
 * two nearest ranks (q = 0.5 is fig_median_sorted). */
double fig_quantile_sorted(const double *v, size_t n, double q);

/* The lower edge of log length bin j (0 <= j < FIG_LEN_BINS): 1, 2, 3,
 * 5, 7, 10, 20, ...  */
uint64_t fig_len_edge(int j);
/* The log length bin of len >= 1 (the largest j with edge <= len). */
int fig_len_bin(uint64_t len);
/* Makes h the log length bins [lo, hi] (lo <= hi < FIG_LEN_BINS) from
 * full per-bin counts counts[series][FIG_LEN_BINS]; h is initialized. */
void fig_hist_from_len(struct fig_hist *h, const int64_t counts[FIG_NSERIES][FIG_LEN_BINS]);

/* A round bin width (1, 2, 2.5 or 5 times a power of ten) at least x > 0. */
double fig_nice_step(double x);
/* Makes h linear bins for the values v[i] of series s[i] (n of them, any
 * order; neither array is changed): a round step at least 1/target of
 * the range holding each series' bulk (see above), from a multiple of the
 * step at or under it, with an open first and an open last bin for the
 * values below and above when there are any; and each series' median.
 * n = 0 gives no bins. */
void fig_hist_linear(struct fig_hist *h, double *v, unsigned char *s, size_t n,
		     int target);
/* The bin of value x in h (the open last bin takes everything above;
 * values below the first edge go to bin 0). */
size_t fig_hist_bin(const struct fig_hist *h, double x);
/* The share (0..1) of series s in bin i, 0 when the series is empty. */
double fig_hist_share(const struct fig_hist *h, int s, size_t i);
/* The largest share of any bin of any series (0 when both are empty). */
double fig_hist_max_share(const struct fig_hist *h);
/* The length of a bar for share out of max in width columns: rounded,
 * at least 1 for a share above 0, 0 for none (or max 0). */
int fig_bar(double share, double max, int width);
/* A bin's label into out (size >= 32): "1k" for log length bins, "2.5"
 * for ratio bins (as many decimals as the step has), "<0.5" for an open
 * first bin, ">=12.5" for an open last bin. */
const char *fig_hist_label(const struct fig_hist *h, size_t i, char *out);
/* Series s's median as shown, into out (size >= 48): a length in bytes
 * with thousands separators ("1,234" or "1,234.5"), a ratio with two
 * decimals ("2.41"); "" when the series is empty. */
const char *fig_median_label(const struct fig_hist *h, int s, char *out);
/* Where value x falls along the bins, from 0 (the first bin's start) to
 * nbins (the last one's end): linear within a linear bin, logarithmic
 * within a log one, the middle of an open bin. */
double fig_hist_pos(const struct fig_hist *h, double x);
void fig_hist_done(struct fig_hist *h);

/* ---- sampling ---- */

/* A deterministic bottom-k sample: the k documents with the smallest
 * fig_hash(id), kept in a max-heap while documents stream by. */
struct fig_pick {
	uint64_t hash;
	int64_t id, text_id, len;
	unsigned char series;    /* FIG_REAL / FIG_SYNTH */
};

struct fig_sampler {
	size_t k;
	struct fig_pick *heap;   /* owned */
	size_t n, cap;
	int64_t seen;            /* documents offered */
};

uint64_t fig_hash(int64_t id);
void fig_sampler_init(struct fig_sampler *sm, size_t k);
void fig_sampler_add(struct fig_sampler *sm, const struct fig_pick *p);
/* Sorts the sample by text id (the order it is read back in). */
void fig_sampler_sort(struct fig_sampler *sm);
void fig_sampler_done(struct fig_sampler *sm);

/* ---- what is computed ---- */

struct fig_count {
	char *value;             /* owned; "" for documents without one */
	int64_t docs, bytes;
	int64_t real, synthetic;
};

struct fig_field {
	struct fig_count *v;     /* owned, most documents first */
	size_t n;
};

struct fig_term {
	char *term;              /* owned */
	double z;
};

/* An AUC of the detector's summary ("auc", "ci": [lo, hi], "se" and the
 * real documents it is over): has is false when the summary leaves it
 * out or gives null (a run before the key existed, or a figure that could
 * not be computed). */
struct fig_auc {
	bool has;
	double auc, lo, hi;      /* lo = hi = auc when no interval is given */
	bool has_se;
	double se;
	int64_t real;            /* real documents it is over; -1 not said */
};

/* One point of a group's ROC curve: the share of its synthetic
 * documents caught (tpr) when fpr of the real ones are. */
struct fig_tpr {
	double fpr, tpr;
	bool has_ci;
	double lo, hi;           /* lo = hi = tpr without an interval */
	bool has_threshold;
	double threshold;
	char *model;             /* owned: "own" or "pooled"; NULL not said */
};

/* The AUC of one length bin of a group (auc NULL in the summary when a
 * side is empty: has_auc false). */
struct fig_lenbin {
	int64_t min_bytes, max_bytes;    /* -1 when not said (max: open) */
	int64_t synthetic, real;         /* -1 when not said */
	bool has_auc;
	double auc, lo, hi;
};

struct fig_dgroup {
	char *value;             /* owned; NULL: documents without one */
	int64_t synthetic, real; /* -1 when the summary does not say */
	bool has_auc;
	double auc, lo, hi;      /* the pooled model's (the summary's "auc") */
	struct fig_term *syn, *rl;   /* owned: words of each side, most
				      * distinguishing first */
	size_t nsyn, nrl;
	bool words;              /* the summary has word lists for it */
	/* the per-group figures of newer runs: each absent from older ones */
	bool extended;           /* any of the keys below is in the summary,
				  * null included */
	struct fig_auc pooled;   /* one model for all groups */
	struct fig_auc own;      /* a model of this group's synthetic
				  * documents against the real ones */
	struct fig_auc matched;  /* the own model against the real documents
				  * of the field values the group covers */
	char *matched_field;     /* owned: the field matched on, or NULL */
	struct fig_tpr *tpr;     /* owned: ROC points, as the summary lists them */
	size_t ntpr;
	struct fig_lenbin *lenbin;   /* owned: AUC by length, shortest first */
	size_t nlenbin;
	bool has_uncovered;      /* real documents of field values the group
				  * never covers (topic may pass for style) */
	char *uncovered_field;   /* owned when has_uncovered (may be NULL) */
	int64_t uncovered_values, uncovered_real;  /* -1 when not said */
};

struct fig_detect {
	bool present;            /* a run with a summary was found */
	int64_t run;
	char *at;                /* owned */
	char *filter;            /* owned: the run's filter, as given */
	char *by;                /* owned; NULL when not said */
	char *problem;           /* owned: why the summary could not be read
				  * (whole or part), or NULL */
	bool has_overall;
	double auc, lo, hi;
	int64_t real, synthetic; /* -1 when not said */
	struct fig_dgroup *groups;   /* owned */
	size_t ngroups;
	/* newer runs (each NULL or absent in older ones) */
	char *model;             /* owned: "naive Bayes", "logistic regression" */
	char *match;             /* owned: the --match field, NULL without */
	struct fig_auc control;  /* the shuffled-label control (about 0.5) */
	bool extended;           /* any group or top-level key of newer runs */
	/* the review queues the run suggests (documents -1: not said) */
	int64_t high_real;       /* real documents that read as synthetic */
	char *high_filter;       /* owned; NULL when not said */
	int64_t low_synthetic;   /* synthetic documents that pass as real */
	char *low_filter;        /* owned; NULL when not said */
};

struct figures {
	int64_t docs, bytes;
	int64_t by_origin[3];    /* real, synthetic, unknown */
	int64_t empty[FIG_NSERIES];  /* empty documents per series */
	struct fig_field field[FIG_NFIELDS];
	struct fig_hist len;     /* every document's length */
	struct fig_hist ratio;   /* the sample's compression ratios */
	int64_t sampled;         /* documents in the sample */
	struct fig_detect detect;
	bool have_review;
	struct review_report review; /* by generator, every mode */
	char *review_problem;    /* owned: why there is no report, or NULL */
};

struct fig_opts {
	size_t sample;           /* 0: FIG_SAMPLE */
	int64_t expected;        /* the filter's count when known (progress), -1 */
};

/* The sample size from the environment (PROVEX_STATS_SAMPLE, a positive
 * number) or FIG_SAMPLE. */
size_t fig_sample_default(void);

struct fig_job;

/* Starts computing the figures of the documents where selects (NULL:
 * all; borrowed until the job is freed).  Returns 0 or a negative code
 * (err filled). */
int figures_begin(struct store *s, const struct filter_sql *where,
		  const struct fig_opts *o, struct fig_job **out, struct pv_err *err);
/* Works for about ms milliseconds (at least a few rows).  Returns 1 when
 * there is more to do, 0 when done, or a negative code (err filled). */
int figures_step(struct fig_job *j, int ms, struct pv_err *err);
/* Where the job is: a phase name ("counting documents", "reading
 * compressed lengths", "reading the detect and review results"), done
 * and total in that phase (total -1 when not known). */
const char *figures_progress(const struct fig_job *j, int64_t *done, int64_t *total);
/* After figures_step returned 0: moves the figures into out. */
void figures_take(struct fig_job *j, struct figures *out);
void figures_job_free(struct fig_job *j);      /* NULL allowed */

/* The job from start to end. */
int figures_compute(struct store *s, const struct filter_sql *where,
		    const struct fig_opts *o, struct figures *out, struct pv_err *err);
void figures_done(struct figures *f);

/* The point of g's ROC curve at false positive rate fpr (within 1e-9),
 * preferring the own model's; NULL when the summary has none.  Borrowed
 * from g. */
const struct fig_tpr *fig_dgroup_tpr(const struct fig_dgroup *g, double fpr);

/* What the shuffled-label control says, as words: "about 0.5, as it
 * should be" when its interval holds 0.5, otherwise which way it leaves
 * it and what that puts in doubt ("" without a control).  Static. */
const char *fig_control_words(const struct fig_detect *d);

/* ---- HTML ---- */

/* Appends text to b escaped for HTML text and attribute values: control
 * bytes and invalid UTF-8 shown as the terminal shows them (^[, \xff),
 * then & < > " ' as entities. */
void fig_html_escape(struct buf *b, const char *s, size_t len);

/* Appends the whole page: one self-contained HTML document (inline SVG
 * charts and CSS, no scripts, nothing fetched).  store_name and filter
 * are shown (escaped); generated is the time shown (may be NULL). */
void figures_html(const struct figures *f, const char *store_name, const char *filter,
		  const char *generated, struct buf *b);

#endif
