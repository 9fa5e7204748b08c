/*
 * label.h - relabelling documents, with an append-only audit history and
 * undo.  Every change to a document's provenance (origin, source,
 * generator, purpose) or review state (label, note) goes through
 * label_set(), which in one transaction records a batch, appends one
 * history row per document and field that changes (old and new value) and
 * updates the documents.  label_undo() reverts a batch as a batch of its
 * own.  Everything lives in the store, so undo works after a restart.
 *
 * Index-time provenance is derived, not copied (the indexer's hot path
 * stays as it was): a field's value at index time is the old value of the
 * document's first history row for that field, or the docs row itself when
 * the field never changed; label_indexed() returns it.
 *
 * Concurrency: writers take the store's write lock (BEGIN IMMEDIATE) and
 * wait for each other (busy timeout, then a few retries), so two processes
 * relabelling at once both succeed and lose nothing.
 */
#ifndef PV_LABEL_H
#define PV_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../common/pv.h"
#include "../common/utf8.h"
#include "store.h"
#include "filter.h"

/* Longest value accepted for a field, in bytes. */
#define LABEL_MAX_VALUE PV_VALUE_MAX
/* Documents shown by label_preview. */
#define LABEL_SAMPLE 5

/* The settable fields, in this order everywhere (counts, messages). */
enum label_field {
	LF_ORIGIN, LF_SOURCE, LF_GENERATOR, LF_PURPOSE, LF_LABEL, LF_NOTE,
	LF_N
};

/* Name of a settable field ("origin"...). */
const char *label_field_name(enum label_field f);
/* The field called name, or -1. */
int label_field_find(const char *name);

/* One change: field := value.  value NULL or "" clears the field (not
 * allowed for origin, which is real, synthetic or unknown). */
struct label_change {
	enum label_field field;
	const char *value;         /* borrowed */
};

/* Parses "FIELD=VALUE" (as given to --set) into *out, borrowing VALUE from
 * arg; checks the field and the value (label_check_value).  Returns 0, or
 * PV_EINVAL with err saying what is wrong. */
int label_parse_set(const char *arg, struct label_change *out, struct pv_err *err);

/* Checks a value for field f by the one rule of values (common/utf8.h
 * utf8_value_check: at most LABEL_MAX_VALUE bytes of valid UTF-8, no
 * control characters, bidi controls, zero-width characters or line
 * separators; the error names the value, the code point and its position),
 * and for origin one of real, synthetic, unknown.  Returns 0 or PV_EINVAL. */
int label_check_value(enum label_field f, const char *value, struct pv_err *err);

struct label_result {
	int64_t matched;           /* documents the selection matched */
	int64_t changed;           /* documents with at least one change */
	int64_t changes;           /* history rows written */
	int64_t by_field[LF_N];    /* changes per field */
	int64_t batch_id;          /* the batch written; 0 when none (dry run,
				    * nothing to change, undo refused) */
	int64_t undone;            /* label_undo: the batch reverted */
	int64_t *conflicts;        /* label_undo: documents left alone (owned) */
	size_t nconflicts;
};
void label_result_done(struct label_result *r);     /* frees conflicts */

/* Applies changes[0..n) to every document sel selects (sel compiled with
 * filter_compile, parameters from ?1), in one transaction: a new batch
 * (reviewer, command, note), one history row per document and field whose
 * value changes, the documents updated (and their reviewer and reviewed_at
 * set).  Nothing is written when no value changes (res->batch_id = 0), and
 * nothing at all with dry_run (res holds what would change).  reviewer and
 * command must not be NULL; note may be.  Returns 0 or a negative code;
 * res is initialized in every case (label_result_done it). */
int label_set(struct store *s, const struct filter_sql *sel,
	      const struct label_change *changes, size_t n, const char *reviewer,
	      const char *note, const char *command, bool dry_run,
	      struct label_result *res, struct pv_err *err);

/* label_set on documents given by id rather than by a filter: inside the
 * transaction (the store's write lock held), choose(ctx, s, &ids, &nids,
 * err) returns the ids (an array the caller frees with free(); those the
 * store does not hold are ignored) and may write to s first (a set's
 * review.pvx copies the documents it does not hold yet: set.c).  Its
 * writes are part of the batch's one transaction. */
int label_set_ids(struct store *s,
		  int (*choose)(void *ctx, struct store *s, int64_t **ids, size_t *nids,
				struct pv_err *err), void *ctx,
		  const struct label_change *changes, size_t n, const char *reviewer,
		  const char *note, const char *command, bool dry_run,
		  struct label_result *res, struct pv_err *err);

/* Reverts batch_id (0: the last batch that is not an undo and was not
 * undone) as a new batch whose undoes is batch_id, in one transaction.  A
 * document whose field changed again after that batch (by a batch still in
 * effect) or whose value is not the one the batch wrote is a conflict: it
 * is listed in res->conflicts and left alone, unless force.  A batch
 * undone before is refused (PV_EINVAL) unless force, which then reverts
 * only what the earlier undo left alone.  Returns 0, PV_ENOTFOUND (no such
 * batch, nothing to undo) or another negative code. */
int label_undo(struct store *s, int64_t batch_id, bool force,
	       const char *reviewer, const char *command,
	       struct label_result *res, struct pv_err *err);

/* Counts the documents sel selects and returns the first LABEL_SAMPLE of
 * them (ids, and their ext_ids as strings the caller frees) for a
 * confirmation.  Returns 0 or a negative code. */
int label_preview(struct store *s, const struct filter_sql *sel, int64_t *count,
		  int64_t ids[LABEL_SAMPLE], char *ext_ids[LABEL_SAMPLE],
		  size_t *nsample, struct pv_err *err);

/* One history row, with its batch.  Strings are borrowed for the duration
 * of the callback; old, new, note and command may be NULL. */
struct label_hist {
	int64_t id, batch_id, doc_id, undoes;   /* undoes 0: not an undo */
	const char *at, *reviewer, *field, *old_value, *new_value, *note,
		   *command;
};

/* Calls cb for each history row (of doc_id, or all when 0) in order;
 * stops when cb returns non-zero (that value is returned). */
int label_history(struct store *s, int64_t doc_id,
		  int (*cb)(void *ctx, const struct label_hist *h), void *ctx,
		  struct pv_err *err);

/* A document's provenance as it was indexed (see the top of this file). */
struct label_indexed {
	int64_t run_id;            /* 0 when unknown */
	char *started;             /* the run's start time, or NULL (owned) */
	char *value[4];            /* origin, source, generator, purpose (owned;
				    * NULL when none) */
};
/* Fills *out for document doc_id; PV_ENOTFOUND when there is none. */
int label_indexed(struct store *s, int64_t doc_id, struct label_indexed *out,
		  struct pv_err *err);
void label_indexed_done(struct label_indexed *li);

#endif
