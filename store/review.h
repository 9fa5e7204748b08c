/*
 * review.h - blind review: can a person tell real from synthetic?
 *
 * A review session shows documents with their provenance hidden and
 * records what the reviewer says about each, with the hidden truth, the
 * side shown, the time taken and the reviewer (review_sessions and
 * review_answers, schema 4).  Two modes:
 *
 *   pairs   one real and one synthetic document side by side; the
 *           reviewer says which one is synthetic (answer 'left' or
 *           'right', truth the side that is) or skips ('skip').
 *   single  one document at a time; the reviewer says 'real' or
 *           'synthetic' (truth the document's origin) or skips.
 *
 * The items of a session (review_plan_make) are a deterministic function
 * of the filter's documents, the pairs table and the session's seed, so a
 * session stopped half way continues where it stopped: the same reviewer,
 * mode and filter find the unfinished session, rebuild its sequence from
 * its seed and go on at the first item not answered yet.
 *
 * Which documents take part: real and synthetic ones (not unknown) with
 * at least one word (empty and whitespace-only documents are left out and
 * counted), one document per distinct text (the lowest id), and no text
 * that occurs both as real and as synthetic (its truth is ambiguous).
 * Pairs come from the pairs table first (declared before found, higher
 * similarity first), then each remaining synthetic document, in an order
 * drawn from the seed, takes the unused real document of the same source
 * with the nearest length, or of any source when its source has none
 * left.  Two documents with the same text are never a pair.  Each
 * document is shown at most once per session.  The final order and the
 * side each document is shown on are drawn from the seed.
 *
 * The truth is recorded when the answer is: from the documents' origins
 * at that moment, so a store relabelled during a session records the new
 * truth (and an item whose two documents now have the same origin is not
 * recorded: PV_EINVAL).
 *
 * The report (review_report) gives accuracy per group (correct / answered,
 * skips excluded) with a 95% Wilson score interval and a verdict, and the
 * agreement between reviewers who answered the same items: Cohen's kappa
 * per pair of reviewers and Fleiss' kappa when more than two (on whether
 * they picked the synthetic document in pairs mode; on real/synthetic in
 * single mode).
 *
 * On a set of stores (store/set.h, the _set functions) the sessions and
 * answers are written to SET/review.pvx, in BEGIN IMMEDIATE transactions
 * with its busy timeout (two reviewers at once both record), the pairs
 * are review.pvx's, and the documents are any shard's (global ids); a
 * plain store wrapped as a set of one is its own review store.
 *
 * Ownership: a plan owns its strings and items (review_plan_done); a
 * report owns its groups and agreements (review_report_done).
 */
#ifndef PV_REVIEW_H
#define PV_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../common/pv.h"
#include "store.h"
#include "filter.h"
#include "../analysis/agree.h"

enum review_mode { REVIEW_PAIRS, REVIEW_SINGLE };

/* How an item was formed (pairs mode), for the plan's counts and tests. */
enum review_kind {
	RK_DECLARED,             /* a declared pair of the pairs table */
	RK_FOUND,                /* a found pair of the pairs table */
	RK_MATCHED,              /* matched by source and length */
	RK_SINGLE                /* one document (single mode) */
};

struct review_item {
	int64_t left, right;     /* documents shown; right 0 in single mode */
	enum review_kind kind;
	bool done;               /* answered (or skipped) in this session */
};

struct review_plan {
	enum review_mode mode;
	char *reviewer;          /* owned */
	char *filter;            /* owned: the canonical filter */
	int64_t session_id;      /* 0: new (created with the first answer) */
	int64_t seed;            /* the session's seed (positive) */
	bool resumed;            /* an unfinished session was found */
	struct review_item *items;   /* owned, in the order shown */
	size_t n;
	size_t ndone;            /* items done */
	int64_t nreal, nsynth;   /* documents taking part, by origin */
	int64_t nempty;          /* documents left out: no words */
	int64_t nambiguous;      /* documents left out: text real and synthetic */
	int64_t ntable;          /* items from the pairs table */
};

/* Builds the plan of a review session: the unfinished session of
 * (reviewer, mode, canonical filter `filter`) when there is one (its seed
 * and its answers), else a new one with `seed` (0: drawn at random).
 * where is the compiled filter (NULL: all documents).  A session whose
 * every item is done but that was not marked finished is marked now and
 * a new one planned.  Errors: PV_ENOTFOUND when the filter has no real or
 * no synthetic document to show (the message says which and why). */
int review_plan_make(struct store *s, const char *filter, const struct filter_sql *where,
		     enum review_mode mode, const char *reviewer, int64_t seed,
		     struct review_plan *out, struct pv_err *err);
/* review_plan_make on a set (the filter ast compiled for each of its
 * parts here; the unfinished session looked for in its review.pvx, made
 * when absent). */
struct store_set;
int review_plan_make_set(struct store_set *set, const char *filter,
			 const struct filter_ast *ast, enum review_mode mode,
			 const char *reviewer, int64_t seed, struct review_plan *out,
			 struct pv_err *err);
void review_plan_done(struct review_plan *p);
/* The first item not done at or after `from`, or p->n. */
size_t review_plan_next(const struct review_plan *p, size_t from);

/* Builds only the item sequence (what review_plan_make does after finding
 * the session); counts go into plan (items, n and the n* counts). */
int review_items_build(struct store *s, const struct filter_sql *where,
		       enum review_mode mode, uint64_t seed, struct review_plan *plan,
		       struct pv_err *err);

/* What happened to an answer. */
struct review_recorded {
	char truth[16];          /* 'left'/'right' or 'real'/'synthetic' */
	int correct;             /* 1, 0, or -1 for a skip */
	bool already;            /* the item had an answer (another window) */
	bool finished;           /* that was the last item: session finished */
};

/* Records the answer to item i of the plan ('left', 'right' or 'skip' in
 * pairs mode; 'real', 'synthetic' or 'skip' in single mode) taking ms
 * milliseconds; creates the session with the first answer.  The truth is
 * read from the documents' origins now.  Marks the item done, and the
 * session finished when every item is.  PV_EINVAL (nothing recorded, the
 * item still marked done) when the documents' origins no longer give a
 * truth (relabelled meanwhile); PV_EUSAGE for an answer the mode does not
 * take. */
int review_record(struct store *s, struct review_plan *p, size_t i, const char *answer,
		  int64_t ms, struct review_recorded *out, struct pv_err *err);

/* review_record on a set: written to its review.pvx, the truth read from
 * the documents as the set has them (set_doc_get). */
int review_record_set(struct store_set *set, struct review_plan *p, size_t i,
		      const char *answer, int64_t ms, struct review_recorded *out,
		      struct pv_err *err);

/* The statistics (review_wilson, review_cohen, review_fleiss) are declared
 * in analysis/agree.h, included above. */

/* ---- the report ---- */

enum review_verdict {
	RV_NONE,                 /* no answers (only skips) */
	RV_APART,                /* the interval is above 50% */
	RV_UNCLEAR,              /* the interval covers 50% */
	RV_BELOW                 /* the interval is below 50% */
};

/* A verdict in words ("told apart", "not distinguishable", ...). */
const char *review_verdict_words(enum review_verdict v);

struct review_group {
	enum review_mode mode;
	char *value;             /* owned; NULL for none (or --by nothing) */
	bool real_docs;          /* single mode, --by generator: real documents */
	int64_t answers, answered, correct;
	double accuracy, lo, hi; /* lo, hi: 95% Wilson interval */
	enum review_verdict verdict;
};

struct review_cohen_pair {
	enum review_mode mode;
	char *a, *b;             /* owned: two reviewers */
	int64_t items;           /* items both answered */
	double agree;            /* observed agreement */
	bool defined;
	double kappa;
};

struct review_fleiss_row {
	enum review_mode mode;
	int64_t reviewers, items;    /* items answered by two or more */
	bool defined;
	double kappa;
};

struct review_report {
	int64_t answers, skipped, sessions, reviewers;
	struct review_group *groups;     /* owned; by mode, then most answers */
	size_t ngroups;
	struct review_cohen_pair *cohen; /* owned */
	size_t ncohen;
	struct review_fleiss_row fleiss[2];  /* by mode; reviewers > 2 to count */
};

/* Groups for review_report's by: NULL (one group), "generator", "source",
 * "reviewer"; false for another. */
bool review_by_ok(const char *by);
/* The report over every answer (mode < 0) or one mode's.  Groups by
 * generator and source take the synthetic document's (pairs mode) or the
 * document's (single mode) current value. */
int review_report(struct store *s, const char *by, int mode, struct review_report *out,
		  struct pv_err *err);
/* review_report on a set: its review.pvx's answers (none when it has no
 * review.pvx), grouped by the documents' values as the set has them. */
int review_report_set(struct store_set *set, const char *by, int mode,
		      struct review_report *out, struct pv_err *err);
void review_report_done(struct review_report *r);

/* "pairs" / "single". */
const char *review_mode_name(enum review_mode m);

#endif
