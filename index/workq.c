/*
 * workq.c - the indexing pipeline's work queue (see workq.h): a ring of
 * QUEUE_JOBS jobs, one mutex and two condition variables (work to do; a
 * job got ready), and up to MAX_WORKERS threads that hash, compress and
 * find the terms of each document.
 *
 * The ring's counters only grow: head is the oldest job not yet written,
 * work the next one for a worker, fill the next free slot; the job of
 * counter c is jobs[c % QUEUE_JOBS].  The reading thread owns jobs in
 * [fill, ...) and, once ready, at head; workers own the jobs they took in
 * [head, work) until they mark them ready.
 */
#include "config.h"
#include "workq.h"
#include "../common/utf8.h"
#include "../store/store.h"
#include "../store/codec.h"
#include "../store/ftsterms.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef QUEUE_JOBS
#define QUEUE_JOBS 256                  /* documents between reader and writer */
#endif
#define QUEUE_BYTES (64u << 20)         /* and at most this many text bytes */
#define QUEUE_KEEP (16u << 10)          /* a written job keeps buffers up to this size */

#define MAX_WORKERS 8

/* One worker thread with its own compression context and term finder. */
struct worker {
	pthread_t thread;
	struct workq *q;
	struct codec *codec;        /* owned, with the store's dictionary */
	struct ftsterms *terms;     /* owned */
};

struct workq {
	bool started, quit;
	pthread_mutex_t mu;
	pthread_cond_t more, ready; /* work to do; a job got ready */
	struct workq_job jobs[QUEUE_JOBS];
	uint64_t head, work, fill;  /* oldest unwritten, next for a worker, next free */
	size_t inflight;            /* text bytes in the ring */
	int64_t dict_id;
	struct worker workers[MAX_WORKERS];
	int nworkers;               /* started */
};

/* The ring's invariant (under mu). */
static void check_ring(const struct workq *q)
{
	assert(q->head <= q->work && q->work <= q->fill);
	assert(q->fill - q->head <= QUEUE_JOBS);
	(void)q;
}

/* Jobs are taken in ring order by whichever worker is free; each marks its
 * own job ready, and the writer waits for the oldest. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct workq *q = w->q;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		struct workq_job *j;
		while (q->work == q->fill && !q->quit)
			pthread_cond_wait(&q->more, &q->mu);
		if (q->work == q->fill && q->quit)
			break;
		check_ring(q);
		j = &q->jobs[q->work % QUEUE_JOBS];
		assert(!j->ready);      /* pushed, not yet done: now this worker's */
		q->work++;
		pthread_mutex_unlock(&q->mu);
		j->wrc = 0;
		if (j->kind == WORKQ_DOC) {
			struct ftsterms_info fi;

			store_text_hash(j->text.data, j->text.len, j->hash);
			j->wrc = codec_compress(w->codec, j->text.data, j->text.len,
						&j->z, &j->werr);
			if (!j->wrc)
				j->wrc = ftsterms_get(w->terms, j->text.data, j->text.len,
						      &j->terms, &fi, &j->werr);
			if (!j->wrc) {
				j->words = fi.words;
				j->invalid_utf8 = !fi.ascii &&
					!utf8_valid(j->text.data, j->text.len);
			}
		}
		pthread_mutex_lock(&q->mu);
		j->ready = true;        /* handed to the writer */
		pthread_cond_broadcast(&q->ready);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Workers: one per processor, at most MAX_WORKERS (PROVEX_WORKERS sets it). */
static int worker_count(void)
{
	const char *env = getenv("PROVEX_WORKERS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

struct workq *workq_new(void)
{
	struct workq *q = pv_calloc(1, sizeof *q);

	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->ready, NULL);
	return q;
}

bool workq_started(const struct workq *q)
{
	return q->started;
}

int64_t workq_dict_id(const struct workq *q)
{
	return q->dict_id;
}

int workq_start(struct workq *q, struct store *s, struct pv_err *err)
{
	const void *dict;
	size_t dlen;
	int level, rc, i, n = worker_count();

	assert(!q->started);
	q->dict_id = store_cdict(s, &dict, &dlen, &level);
	q->started = true;
	for (i = 0; i < n; i++) {
		struct worker *w = &q->workers[i];
		w->q = q;
		w->codec = codec_new();
		if (!w->codec)
			return pv_errf(err, PV_ENOMEM, "cannot create a zstd context");
		if ((rc = codec_set_cdict(w->codec, q->dict_id, dict, dlen, level, err)) ||
		    (rc = store_ftsterms_new(s, &w->terms, err)))
			return rc;
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			if (i > 0)
				break;          /* fewer workers will do */
			return pv_errf(err, PV_ENOMEM, "cannot start a worker thread");
		}
		q->nworkers++;
	}
	return 0;
}

/* Frees the big buffers of a written job: only the jobs in flight hold
 * big documents (bounded by QUEUE_BYTES), not every slot of the ring the
 * biggest that ever passed through it. */
static void job_trim(struct workq_job *j)
{
	if (j->text.cap > QUEUE_KEEP)
		buf_done(&j->text);
	if (j->z.cap > QUEUE_KEEP)
		buf_done(&j->z);
	if (j->terms.cap > QUEUE_KEEP)
		buf_done(&j->terms);
	if (j->strs.cap > QUEUE_KEEP)
		buf_done(&j->strs);
}

int workq_drain(struct workq *q, bool wait, workq_write_fn write, void *ctx,
		struct pv_err *err)
{
	int rc = 0;

	for (;;) {
		struct workq_job *j;
		pthread_mutex_lock(&q->mu);
		if (q->head == q->fill) {
			pthread_mutex_unlock(&q->mu);
			return 0;
		}
		j = &q->jobs[q->head % QUEUE_JOBS];
		if (!j->ready && !wait) {
			pthread_mutex_unlock(&q->mu);
			return 0;
		}
		while (!j->ready)
			pthread_cond_wait(&q->ready, &q->mu);
		check_ring(q);
		assert(q->head < q->work);      /* a worker took it and let it go */
		pthread_mutex_unlock(&q->mu);
		rc = write(ctx, j, err);
		pthread_mutex_lock(&q->mu);
		assert(q->inflight >= j->text.len);
		q->inflight -= j->text.len;
		j->ready = false;
		job_trim(j);
		q->head++;              /* the slot is free again */
		pthread_mutex_unlock(&q->mu);
		if (rc)
			return rc;
	}
}

int workq_slot(struct workq *q, size_t bytes, workq_write_fn write, void *ctx,
	       struct workq_job **out, struct pv_err *err)
{
	int rc;

	assert(q->started);
	for (;;) {
		bool full;
		pthread_mutex_lock(&q->mu);
		full = q->fill - q->head == QUEUE_JOBS ||
		       (q->inflight + bytes > QUEUE_BYTES && q->fill > q->head);
		pthread_mutex_unlock(&q->mu);
		if (!full)
			break;
		/* write the oldest (waiting for it), then whatever else is ready */
		{
			struct workq_job *j;
			pthread_mutex_lock(&q->mu);
			j = &q->jobs[q->head % QUEUE_JOBS];
			while (!j->ready)
				pthread_cond_wait(&q->ready, &q->mu);
			pthread_mutex_unlock(&q->mu);
		}
		if ((rc = workq_drain(q, false, write, ctx, err)))
			return rc;
	}
	/* only the reading thread moves fill, so the slot stays free */
	assert(q->fill - q->head < QUEUE_JOBS);
	*out = &q->jobs[q->fill % QUEUE_JOBS];
	return 0;
}

void workq_push(struct workq *q, struct workq_job *j)
{
	pthread_mutex_lock(&q->mu);
	assert(j == &q->jobs[q->fill % QUEUE_JOBS]);    /* from workq_slot */
	assert(q->fill - q->head < QUEUE_JOBS);
	j->ready = false;
	q->inflight += j->text.len;
	q->fill++;                      /* now the workers' */
	check_ring(q);
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->mu);
}

void workq_free(struct workq *q)
{
	size_t i;

	if (!q)
		return;
	if (q->started) {
		int k;
		pthread_mutex_lock(&q->mu);
		q->quit = true;
		pthread_cond_broadcast(&q->more);
		pthread_mutex_unlock(&q->mu);
		for (k = 0; k < q->nworkers; k++)
			pthread_join(q->workers[k].thread, NULL);
		for (k = 0; k < MAX_WORKERS; k++) {
			codec_free(q->workers[k].codec);
			ftsterms_free(q->workers[k].terms);
		}
	}
	for (i = 0; i < QUEUE_JOBS; i++) {
		buf_done(&q->jobs[i].text);
		buf_done(&q->jobs[i].strs);
		buf_done(&q->jobs[i].z);
		buf_done(&q->jobs[i].terms);
	}
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->more);
	pthread_cond_destroy(&q->ready);
	free(q);
}
