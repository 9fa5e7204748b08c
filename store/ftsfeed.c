/*
 * ftsfeed.c - the full-text terms of texts, gathered on a thread of their
 * own (see ftsfeed.h).
 *
 * Records are laid out in a chunk as rowid (8 bytes), length (4 bytes) and
 * the terms.  Two chunks take turns: the caller fills one while the thread
 * adds the other's records to the builder, so the two meet once per chunk
 * and not once per text.
 */
#include "config.h"
#include "ftsfeed.h"
#include "ftsbuild.h"
#include "../common/buf.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES (1u << 20)  /* handed to the thread when this full */
#define CHUNK_KEEP (8u << 20)   /* a chunk keeps at most this much memory */

struct ftsfeed {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;     /* a chunk to add, or quit */
	pthread_cond_t idle_cv;     /* the thread finished its chunk */
	bool has_work, quit;        /* under mu */
	struct buf fill;            /* the caller's chunk */
	struct buf work;            /* the thread's chunk (while has_work) */
	struct ftsbuild *b;         /* the thread's while has_work, else the caller's */
	size_t bytes;               /* term bytes handed over since emptied */
};

static void add_chunk(struct ftsbuild *b, const struct buf *c)
{
	size_t off = 0;

	while (off + 12 <= c->len) {
		int64_t rowid;
		uint32_t len;

		memcpy(&rowid, c->data + off, 8);
		memcpy(&len, c->data + off + 8, 4);
		ftsbuild_add(b, rowid, c->data + off + 12, len);
		off += 12 + (size_t)len;
	}
	assert(off == c->len);      /* whole records only */
}

static void *feed_main(void *arg)
{
	struct ftsfeed *f = arg;

	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (!f->has_work && !f->quit)
			pthread_cond_wait(&f->work_cv, &f->mu);
		if (!f->has_work)
			break;
		pthread_mutex_unlock(&f->mu);
		add_chunk(f->b, &f->work);
		pthread_mutex_lock(&f->mu);
		f->has_work = false;
		pthread_cond_signal(&f->idle_cv);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

int ftsfeed_new(struct ftsfeed **out, struct pv_err *err)
{
	struct ftsfeed *f = pv_calloc(1, sizeof *f);

	*out = NULL;
	f->b = ftsbuild_new();
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->work_cv, NULL);
	pthread_cond_init(&f->idle_cv, NULL);
	if (pthread_create(&f->thread, NULL, feed_main, f) != 0) {
		ftsbuild_free(f->b);
		pthread_mutex_destroy(&f->mu);
		pthread_cond_destroy(&f->work_cv);
		pthread_cond_destroy(&f->idle_cv);
		free(f);
		return pv_errf(err, PV_ENOMEM, "cannot start the full-text thread");
	}
	*out = f;
	return 0;
}

/* Waits until the thread is idle. */
static void wait_idle(struct ftsfeed *f)
{
	pthread_mutex_lock(&f->mu);
	while (f->has_work)
		pthread_cond_wait(&f->idle_cv, &f->mu);
	pthread_mutex_unlock(&f->mu);
}

/* Passes the caller's chunk to the thread (once it is idle). */
static void hand_over(struct ftsfeed *f)
{
	struct buf t;

	if (f->fill.len == 0)
		return;
	pthread_mutex_lock(&f->mu);
	while (f->has_work)
		pthread_cond_wait(&f->idle_cv, &f->mu);
	if (f->work.cap > CHUNK_KEEP)
		buf_done(&f->work);
	buf_reset(&f->work);
	t = f->work;
	f->work = f->fill;
	f->fill = t;
	f->has_work = true;
	pthread_cond_signal(&f->work_cv);
	pthread_mutex_unlock(&f->mu);
}

void ftsfeed_add(struct ftsfeed *f, int64_t rowid, const char *terms, size_t len)
{
	uint32_t n = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;

	buf_append(&f->fill, &rowid, 8);
	buf_append(&f->fill, &n, 4);
	buf_append(&f->fill, terms, n);
	f->bytes += (size_t)n + 1;  /* a text without terms still counts */
	if (f->fill.len >= CHUNK_BYTES)
		hand_over(f);
}

size_t ftsfeed_bytes(const struct ftsfeed *f)
{
	return f->bytes;
}

struct ftsbuild *ftsfeed_sync(struct ftsfeed *f)
{
	hand_over(f);
	wait_idle(f);
	return f->b;
}

void ftsfeed_written(struct ftsfeed *f)
{
	f->bytes = 0;
}

void ftsfeed_discard(struct ftsfeed *f)
{
	wait_idle(f);
	buf_reset(&f->fill);
	ftsbuild_free(f->b);
	f->b = ftsbuild_new();
	f->bytes = 0;
}

void ftsfeed_free(struct ftsfeed *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	f->quit = true;
	pthread_cond_signal(&f->work_cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thread, NULL);
	ftsbuild_free(f->b);
	buf_done(&f->fill);
	buf_done(&f->work);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->work_cv);
	pthread_cond_destroy(&f->idle_cv);
	free(f);
}
