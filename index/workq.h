/*
 * workq.h - the indexing pipeline's work queue: a ring of jobs passed in
 * input order from the reading thread to worker threads (hashing, zstd
 * compression, FTS terms) and back to the reading thread, which writes
 * them to the store oldest first, so ids follow the input order.  A job
 * can also mark an input as read to the end (WORKQ_INPUT_DONE): it is
 * written once every document before it is.
 *
 * Ownership of a job moves with the ring's three counters (head <= work
 * <= fill): from workq_slot() to workq_push() it is the reader's; from
 * then until it is ready, a worker's (taken in ring order by whichever is
 * free); once ready, the writer's, through the callback given to
 * workq_drain() and workq_slot(); after the callback the slot is free
 * again.  At most WORKQ_JOBS jobs and WORKQ_BYTES text bytes are in the
 * ring (one job larger than that alone is let in).
 *
 * Only the reading thread calls these functions.
 */
#ifndef PV_WORKQ_H
#define PV_WORKQ_H

#include <stdbool.h>
#include <stdint.h>
#include "../common/buf.h"
#include "../common/pv.h"

struct store;

/* An input read to the end: recorded once its documents are written. */
struct done_input {
	int64_t id;
	uint64_t size;
	int64_t mtime, records;
	bool prov_ok;               /* its documents have this run's provenance:
	                               record the options (inputs.prov) */
	char hash[40];              /* content hash to record ("" = none) */
};

enum { WORKQ_DOC, WORKQ_INPUT_DONE };

/* The strings of a document, in workq_job.strs. */
enum { WQ_EXT_ID, WQ_META, WQ_ORIGIN, WQ_SOURCE, WQ_GENERATOR, WQ_PURPOSE,
       WQ_LABEL, WQ_NOTE, WQ_NSTR };

struct workq_job {
	int kind;                   /* WORKQ_DOC or WORKQ_INPUT_DONE */
	bool ready;                 /* its worker is done with it (under the
	                               queue's lock) */
	int64_t input_id, rec;
	struct buf text;            /* the document, owned by the slot */
	struct buf strs;            /* ext_id, meta, origin, source, generator,
	                               purpose, label, note */
	size_t off[WQ_NSTR];
	bool has[WQ_NSTR];
	unsigned char hash[16];     /* outputs */
	struct buf z, terms;
	int64_t words;
	bool invalid_utf8;
	int wrc;                    /* worker's result; werr when negative */
	struct pv_err werr;
	struct done_input di;       /* WORKQ_INPUT_DONE */
};

/* Writes one ready job (the oldest) to the store; nonzero stops. */
typedef int (*workq_write_fn)(void *ctx, struct workq_job *j,
			      struct pv_err *err);

/* An empty ring, no workers yet (owned: workq_free). */
struct workq *workq_new(void);

/* True once workq_start was called (even when it failed). */
bool workq_started(const struct workq *q);

/* Starts the workers, one per processor (PROVEX_WORKERS sets it, at most
 * 8), each with a compression context holding the store's current
 * dictionary and its own term finder.  s is borrowed for the call. */
int workq_start(struct workq *q, struct store *s, struct pv_err *err);

/* The dictionary the workers compress with (workq_start). */
int64_t workq_dict_id(const struct workq *q);

/* Writes finished jobs, oldest first, with write(ctx, job).  With wait,
 * until the ring is empty; else only those already ready.  Stops at the
 * first error. */
int workq_drain(struct workq *q, bool wait, workq_write_fn write, void *ctx,
		struct pv_err *err);

/* *out: a free job at the end of the ring for a document of bytes text
 * bytes, writing old ones (with write) to make room. */
int workq_slot(struct workq *q, size_t bytes, workq_write_fn write, void *ctx,
	       struct workq_job **out, struct pv_err *err);

/* Hands job j (filled, from workq_slot) to the workers. */
void workq_push(struct workq *q, struct workq_job *j);

/* String i of a document job (WQ_*), NULL when it has none. */
static inline const char *workq_job_str(const struct workq_job *j, int i)
{
	return j->has[i] ? j->strs.data + j->off[i] : NULL;
}

/* Stops the workers and frees the ring; unwritten jobs are dropped.  q may
 * be NULL. */
void workq_free(struct workq *q);

#endif
