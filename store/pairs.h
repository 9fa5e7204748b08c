/*
 * pairs.h - documents that belong together, in the store's pairs table
 * (a < b, one row per pair and kind):
 *
 *   declared  at index time by --pair-field NAME: documents that share a
 *             value of field NAME (a task id shared by a human answer and
 *             several model answers), and a document whose NAME value is
 *             another document's input id (--id-field), so that
 *             --pair-field seed_id links a synthetic document to the real
 *             one it was written from.  key = the shared value.
 *   found     by provex pairs: near-duplicates found with MinHash and LSH
 *             over word shingles (minhash.h), real against synthetic (or
 *             any two documents with within), with sim = the estimated
 *             Jaccard similarity of their shingle sets.
 *
 * Documents holding the same text (the same texts row) are duplicates, a
 * separate notion (is:dup, dup:N): they are never found as pairs of each
 * other.  Signatures are kept in the minhash table by text, so a run
 * computes only those of texts it has not seen.
 *
 * Everything here runs on the caller's store connection; pairs_find also
 * uses worker threads that compute signatures and never touch the store.
 */
#ifndef PV_PAIRS_H
#define PV_PAIRS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "../common/pv.h"
#include "../common/buf.h"
#include "store.h"

#define PAIRS_GROUP_CAP 1000        /* documents of one declared group paired */
#define PAIRS_THRESHOLD 0.8         /* default estimated Jaccard */
#define PAIRS_THREADS 2             /* signature threads by default */
#define PAIRS_DOC_CAP 1000          /* document pairs per pair of texts */

/* ---- declared pairs (the indexer) ---- */

struct pairs_declared {
	int64_t docs;               /* documents examined: new since the last pass */
	int64_t groups;             /* values shared by 2+ documents, with a new one */
	int64_t capped;             /* of which larger than the cap */
	int64_t added;              /* pairs added (new rows) */
	int64_t upto;               /* documents up to this id are done */
};

/*
 * Declares the pairs of field `field` (a name or dotted path, looked up in
 * each document's metadata as --text-field looks up a record's fields) for
 * the documents added since the last pass over this field (found in the
 * runs table's summaries: "declared_pairs": {"field", "upto"}), pairing each
 * with every document of the store that shares its value or whose input id
 * is its value.  A group (the documents with a value, and those whose id it
 * is) is paired among its first `cap` documents by id (0 = the default).
 * Rows carry run_id; existing rows are kept, never duplicated.  Runs in a
 * transaction of its own (the caller must not hold one).  Returns 0 or a
 * negative code.
 */
int pairs_declare(struct store *s, const char *field, int64_t run_id, size_t cap,
		  struct pairs_declared *out, struct pv_err *err);

/* ---- found pairs (provex pairs) ---- */

enum pairs_phase { PAIRS_SIGNING, PAIRS_COMPARING, PAIRS_STORING };

struct pairs_stats {
	int64_t docs, real, synthetic, unknown;  /* selected by the filter */
	int64_t texts;              /* distinct texts among the documents compared */
	int64_t dup_docs;           /* documents sharing their text with another */
	int64_t sig_new;            /* signatures computed in this run */
	int64_t sig_reused;         /* read back from the store */
	int64_t sig_done;           /* progress of sig_new */
	int64_t sig_todo;
	int64_t short_texts;        /* fewer words than a shingle: signed anyway */
	int64_t no_words;           /* no words at all: left out */
	int threads;
	int bands, rows;
	int band_done;              /* progress */
	uint64_t candidates;        /* text pairs compared */
	uint64_t oversized;         /* LSH buckets with members left out */
	int64_t text_pairs;         /* pairs of texts at or above the threshold */
	int64_t pairs;              /* document pairs at or above it */
	int64_t pairs_new;          /* of which not stored before */
	int64_t capped;             /* text pairs with more than PAIRS_DOC_CAP
	                               document pairs (the rest left out) */
	double sec_sign, sec_compare, sec_store, seconds;
	const char *nothing;        /* why nothing was compared, or NULL (static) */
	bool interrupted;
};

struct pairs_opts {
	double threshold;           /* (0, 1]; 0 = PAIRS_THRESHOLD */
	bool within;                /* same-origin pairs too (any two documents) */
	int threads;                /* 0 = PAIRS_THREADS */
	volatile sig_atomic_t *stop;/* set asynchronously to interrupt; may be NULL */
	void (*progress)(void *ctx, const struct pairs_stats *st,
			 enum pairs_phase phase);   /* may be NULL; called often */
	void *ctx;
};

/*
 * Finds the near-duplicate pairs among the documents `where` selects (NULL
 * = all) and stores them as found pairs; st says what was done.  Without
 * within, only real x synthetic pairs are looked for; when the selection
 * holds no documents of one side, nothing is compared: returns 0 with
 * st->nothing saying why.  Signatures are written in batches, one
 * transaction each, and the pairs in one at the end.  Returns 0, PV_EINTR
 * when stopped (the signatures written so far are kept; no pairs), or a
 * negative code.
 */
int pairs_find(struct store *s, const struct filter_sql *where,
	       const struct pairs_opts *o, struct pairs_stats *st, struct pv_err *err);

/* The parameters and st as one JSON object, appended to out. */
void pairs_stats_json(const struct pairs_stats *st, const struct pairs_opts *o,
		      struct buf *out);

/* ---- the leakage report ---- */

struct pairs_side {
	int64_t id;
	char *ext_id;               /* owned */
	char *words;                /* the first words of the text, owned */
};

struct pairs_example {
	struct pairs_side syn, real;
	double sim;
	bool declared;              /* also a declared pair (e.g. its seed) */
};

struct pairs_group {
	char *generator, *source;   /* owned; "" for none */
	int64_t synthetic;          /* synthetic documents of the group selected */
	int64_t copies;             /* of which with a found pair >= threshold */
	struct pairs_example *ex;   /* the most similar, owned */
	size_t nex;
};

struct pairs_report {
	double threshold;
	int64_t real, synthetic;    /* selected */
	int64_t copies;             /* synthetic documents with a near copy */
	int64_t found;              /* found real x synthetic pairs >= threshold */
	struct pairs_group *groups; /* by copies, then synthetic, descending */
	size_t ngroups;
};

/*
 * The synthetic documents among those `where` selects that have a stored
 * found pair with a selected real document at estimated Jaccard >=
 * threshold, grouped by generator and source, with up to nexamples of
 * each group's most similar (one per synthetic document: its closest real
 * one).  Returns 0 or a negative code; free with pairs_report_done.
 */
int pairs_report(struct store *s, const struct filter_sql *where, double threshold,
		 size_t nexamples, struct pairs_report *rep, struct pv_err *err);
void pairs_report_done(struct pairs_report *rep);
/* The report as one JSON object appended to out; run_json (JSON text, may
 * be NULL) is added as its member "run". */
void pairs_report_json(const struct pairs_report *rep, const char *run_json,
		       struct buf *out);

#endif
