/*
 * browse_count.c - counting a filter's documents (or a row's position) on
 * a thread of its own with its own read connection, for the interface
 * (browse.h): a new request interrupts the one in progress, and a byte on
 * a pipe says a count arrived.  A set of stores (a folder) is opened by
 * the thread itself, on its first request, with connections of its own,
 * and again when its review overlay (SET/review.pvx) changed since.
 */
#include "store_int.h"
#include "browse.h"
#include "set_browse.h"
#include "metaindex.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A request as given to counter_request; strings owned. */
struct creq {
	uint64_t gen;
	char *filter, *sort;
	bool desc, has_key;
	struct browse_key key;
};

struct counter {
	char *path;                  /* owned */
	bool folder;                 /* a set of stores */
	struct store_set *set;       /* read connections, used by the thread
				      * (set under mu; a folder's is opened by
				      * the thread) */
	struct set_stamp review;     /* SET/review.pvx when the set was opened */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fds[2];                  /* pipe: [0] read end (counter_fd) */
	/* under mu: */
	bool has_req, running, quit, has_result;
	struct creq req;             /* pending (has_req) */
	uint64_t res_gen;
	int64_t res_n;
};

static void creq_done(struct creq *r)
{
	free(r->filter);
	free(r->sort);
	if (r->has_key)
		browse_key_done(&r->key);
	memset(r, 0, sizeof *r);
}

/* Runs one request on the counter's connection: the count, or a negative
 * code.  *interrupted when sqlite3_interrupt stopped it. */
/* Opens the folder's set (again when its overlay changed); on the
 * counter's thread, outside mu. */
static int open_set(struct counter *c, struct pv_err *err)
{
	struct store_set *set, *old;
	struct set_stamp now;
	int rc;

	if (!set_browse_stamp(c->path, c->set ? &c->review : NULL, &now))
		return 0;
	if ((rc = set_open(&set, c->path, err)))
		return rc;
	pthread_mutex_lock(&c->mu);
	old = c->set;
	c->set = set;
	c->review = now;
	pthread_mutex_unlock(&c->mu);
	set_close(old);
	return 0;
}

static int64_t count_one(struct counter *c, const struct creq *r, bool *interrupted)
{
	struct filter_ast *ast = NULL;
	struct set_where sql;
	struct pv_err err;
	int64_t n = 0;
	int rc;

	*interrupted = false;
	if ((rc = open_set(c, &err)))
		return rc;
	if ((rc = filter_parse(r->filter ? r->filter : "", &ast, &err)))
		return rc;
	rc = set_where_compile(c->set, ast, &sql, &err);   /* metadata indexes */
	filter_free(ast);
	if (rc)
		return rc;
	if (r->has_key)
		rc = set_browse_position(c->set, &sql, r->sort, r->desc, &r->key, &n, &err);
	else
		rc = set_browse_count(c->set, &sql, &n, &err);
	set_where_done(&sql);
	if (rc && set_browse_interrupted(c->set))
		*interrupted = true;
	return rc ? rc : n;
}

static void *counter_main(void *arg)
{
	struct counter *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		struct creq r;
		bool interrupted;
		int64_t n;

		while (!c->quit && !c->has_req)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->quit)
			break;
		r = c->req;
		memset(&c->req, 0, sizeof c->req);
		c->has_req = false;
		c->running = true;
		pthread_mutex_unlock(&c->mu);

		n = count_one(c, &r, &interrupted);

		pthread_mutex_lock(&c->mu);
		c->running = false;
		if (c->quit || c->has_req) {
			/* superseded: a newer request is waiting */
			creq_done(&r);
			continue;
		}
		if (interrupted) {
			/* not by a newer request (there is none): run it again */
			c->req = r;
			c->has_req = true;
			continue;
		}
		c->res_gen = r.gen;
		c->res_n = n;
		c->has_result = true;
		creq_done(&r);
		if (write(c->fds[1], "", 1) < 0) {
			/* the pipe is full: a wake-up is already pending */
		}
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static int set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

int counter_new(const char *path, struct counter **out, struct pv_err *err)
{
	struct counter *c;
	int rc;

	*out = NULL;
	c = pv_calloc(1, sizeof *c);
	c->fds[0] = c->fds[1] = -1;
	c->path = pv_strdup(path);
	c->folder = set_is_folder(path);
	if (!c->folder) {
		struct store *s;
		if ((rc = store_open(&s, path, STORE_READ, err))) {
			free(c->path);
			free(c);
			return rc;
		}
		c->set = set_of_store(s);
	}
	if (pipe(c->fds) != 0 || set_nonblock_cloexec(c->fds[0]) ||
	    set_nonblock_cloexec(c->fds[1])) {
		rc = pv_errf(err, PV_EIO, "cannot create a pipe: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if ((rc = pthread_create(&c->thread, NULL, counter_main, c)) != 0) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		rc = pv_errf(err, PV_EIO, "cannot start the counting thread: %s",
			     strerror(rc));
		goto fail;
	}
	*out = c;
	return 0;
fail:
	if (c->fds[0] >= 0)
		close(c->fds[0]);
	if (c->fds[1] >= 0)
		close(c->fds[1]);
	set_close(c->set);
	free(c->path);
	free(c);
	return rc;
}

void counter_free(struct counter *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->quit = true;
	if (c->running && c->set)
		set_browse_interrupt(c->set);
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	if (c->has_req)
		creq_done(&c->req);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	close(c->fds[0]);
	close(c->fds[1]);
	set_close(c->set);
	free(c->path);
	free(c);
}

int counter_fd(const struct counter *c)
{
	return c->fds[0];
}

void counter_request(struct counter *c, uint64_t gen, const char *filter,
		     const char *sort, bool desc, const struct browse_key *key)
{
	struct creq r;

	memset(&r, 0, sizeof r);
	r.gen = gen;
	r.filter = pv_strdup(filter ? filter : "");
	r.sort = sort ? pv_strdup(sort) : NULL;
	r.desc = desc;
	if (key) {
		browse_key_copy(&r.key, key);
		r.has_key = true;
	}
	pthread_mutex_lock(&c->mu);
	if (c->has_req)
		creq_done(&c->req);
	c->req = r;
	c->has_req = true;
	c->has_result = false;      /* an older count is never reported now */
	/* the connection stays open while the thread runs (counter_free
	 * closes it after the join), so interrupting it here is safe */
	if (c->running && c->set)
		set_browse_interrupt(c->set);
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

bool counter_result(struct counter *c, uint64_t *gen, int64_t *n)
{
	char drain[64];
	bool got;

	while (read(c->fds[0], drain, sizeof drain) > 0)
		;
	pthread_mutex_lock(&c->mu);
	got = c->has_result;
	if (got) {
		*gen = c->res_gen;
		*n = c->res_n;
		c->has_result = false;
	}
	pthread_mutex_unlock(&c->mu);
	return got;
}
