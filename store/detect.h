/*
 * detect.h - provex detect: can a classifier tell the real documents of a
 * filter from the synthetic ones?
 *
 * The models and measurements (features, naive Bayes, Platt calibration,
 * ROC AUC, log-odds ratios, the saved model) see no store and are declared
 * in analysis/classify.h, included here; analysis/lr.h is the logistic
 * regression, the default model.  detect.c reads the documents of a
 * filter from a store, runs K-fold cross-validation of either model over
 * their distinct texts, writes each document's out-of-fold score to the
 * scores table and the run to detect_runs, and fills a report.
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
#include "../analysis/classify.h"

#define DETECT_HIGH 0.9                       /* review queues: real above this */
#define DETECT_LOW 0.1                        /* ... synthetic below this */
#define DETECT_WORD_GROUPS 16                 /* groups that get word lists */
#define DETECT_WORD_SAMPLE 20000              /* texts whose word buckets pick candidates */
#define DETECT_MAX_THREADS 8

/* ---- a run over a store (detect.c) ---- */

struct store;
struct filter_sql;

enum detect_by { DETECT_BY_NONE, DETECT_BY_GENERATOR, DETECT_BY_SOURCE };

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

/* ---- a run over a set of stores (detect_set.c) ---- */

/* detect_run and detect_apply over a set (set.h): the documents of every
 * listed part that ast selects (compiled for each part's store; NULL =
 * all), the rows the review overlay shadows left out, read in the order
 * one store holding every document would read them: a text's key is the
 * id that store would have given it (texts numbered in the order of their
 * first document's id, the same with any number of shards), so that
 * folds, samples and every figure are those of that store.  The run, its
 * scores and its saved model are written to out (the set's review store,
 * set_review; borrowed), which must be NULL with o->dry_run and
 * otherwise given; detect_apply_set reads the saved model from out (with
 * o->dry_run: the review store opened read-only). */
struct filter_ast;
struct store_set;
int detect_run_set(struct store_set *set, const struct filter_ast *ast, struct store *out,
		   const struct detect_opts *o, struct detect_report *r, struct pv_err *err);
int detect_apply_set(struct store_set *set, const struct filter_ast *ast, struct store *out,
		     const struct detect_opts *o, int64_t run, struct detect_applied *a,
		     struct pv_err *err);

/* Whether f names a field --match takes (source, purpose, generator). */
bool detect_match_field(const char *f);

/* "generator", "source" or "none". */
const char *detect_by_name(enum detect_by by);

/* "logistic regression" or "naive Bayes": the summary's "model". */
const char *detect_model_name(enum detect_model m);

#endif
