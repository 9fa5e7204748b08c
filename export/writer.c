/*
 * writer.c - the records of an export and the thread that writes them:
 * a JSONL record per copy of each document (or a text file each, for
 * --format text), gathered per shard into pieces that the writing thread
 * compresses, hashes and writes while the next are built; and the
 * tallies by provenance the manifest reports.
 *
 * Ownership: the writer owns its slots' buffers until xp_writer_stop();
 * a piece handed over belongs to the writer until it is written.
 */
#include "config.h"
#include "export_int.h"
#include "../common/json.h"
#include "../common/utf8.h"
#include "../common/template.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const export_field_names[EXPORT_F_N] = {
	"text", "origin", "source", "generator", "purpose", "label", "note",
	"id", "ext_id", "meta"
};

/* ---- the writing thread ---- */

/* Writes one piece (the writing thread's side). */
static int write_piece(struct slot *sl, struct pv_err *err)
{
	int rc = 0;

	if (sl->data.len)
		rc = xp_out_put(sl->o, sl->data.data, sl->data.len, false, err);
	if (!rc && sl->finish)
		rc = xp_out_end(sl->o, err);
	return rc;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct pv_err e;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->done == w->queued && !w->quit)
			pthread_cond_wait(&w->work, &w->mu);
		if (w->quit)
			break;
		if (!w->rc) {
			struct slot *sl = &w->slot[w->done % NSLOT];
			int rc;
			pthread_mutex_unlock(&w->mu);
			rc = write_piece(sl, &e);
			pthread_mutex_lock(&w->mu);
			if (rc) {
				w->rc = rc;
				w->err = e;
			}
		}
		w->done++;
		pthread_cond_signal(&w->room);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Starts the thread; without one, pieces are written as they are handed
 * over. */
void xp_writer_start(struct writer *w)
{
	sigset_t all, old;

	memset(w, 0, sizeof *w);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->room, NULL);
	/* signals go to the main thread, which watches for Ctrl-C */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	w->running = pthread_create(&w->th, NULL, writer_main, w) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!w->running) {
		pthread_cond_destroy(&w->room);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mu);
	}
}

/* Hands o's pending records to the writer (and ends o's stream after
 * them when finish); returns the writer's error, if it had one. */
int xp_hand_over(struct writer *w, struct outfile *o, bool finish,
		     struct pv_err *err)
{
	struct slot *sl;
	struct buf t;
	int rc;

	if (!w->running) {
		rc = o->pend.len ? xp_out_put(o, o->pend.data, o->pend.len, false, err) : 0;
		if (!rc && finish)
			rc = xp_out_end(o, err);
		buf_reset(&o->pend);
		return rc;
	}
	pthread_mutex_lock(&w->mu);
	while (w->queued - w->done == NSLOT && !w->rc)
		pthread_cond_wait(&w->room, &w->mu);
	if ((rc = w->rc) && err)
		*err = w->err;
	pthread_mutex_unlock(&w->mu);
	if (rc)
		return rc;
	/* the slot is free: the writer is done with it */
	sl = &w->slot[w->queued % NSLOT];
	t = sl->data;
	sl->data = o->pend;
	o->pend = t;
	buf_reset(&o->pend);
	if (o->pend.cap > 4 * PIECE_MAX)
		buf_done(&o->pend);  /* after a huge record */
	sl->o = o;
	sl->finish = finish;
	pthread_mutex_lock(&w->mu);
	w->queued++;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

/* Waits until every piece handed over is written; returns the writer's
 * error, if it had one. */
int xp_writer_wait(struct writer *w, struct pv_err *err)
{
	int rc;

	if (!w->running)
		return 0;
	pthread_mutex_lock(&w->mu);
	while (w->done != w->queued && !w->rc)
		pthread_cond_wait(&w->room, &w->mu);
	if ((rc = w->rc) && err)
		*err = w->err;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* Stops the thread, dropping what it was not given time to write. */
void xp_writer_stop(struct writer *w)
{
	size_t i;

	if (w->running) {
		pthread_mutex_lock(&w->mu);
		w->quit = true;
		pthread_cond_signal(&w->work);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		pthread_cond_destroy(&w->room);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mu);
		w->running = false;
	}
	for (i = 0; i < NSLOT; i++)
		buf_done(&w->slot[i].data);
}

/* ---- tallies by provenance ---- */

void xp_tally_add(struct tally *t, const char *v, int64_t records, int64_t bytes)
{
	size_t i;

	if (!v)
		v = "";
	if (t->n && strcmp(t->items[t->last].value, v) == 0) {
		i = t->last;
	} else {
		for (i = 0; i < t->n; i++)
			if (strcmp(t->items[i].value, v) == 0)
				break;
		if (i == t->n) {
			if (t->n == t->cap) {
				t->cap = t->cap ? 2 * t->cap : 8;
				t->items = pv_realloc(t->items, t->cap * sizeof *t->items);
			}
			t->items[i].value = pv_strdup(v);
			t->items[i].records = t->items[i].bytes = 0;
			t->n++;
		}
		t->last = i;
	}
	t->items[i].records += records;
	t->items[i].bytes += bytes;
}

int xp_by_value(const void *a, const void *b)
{
	return strcmp(((const struct tally_item *)a)->value,
		      ((const struct tally_item *)b)->value);
}

void xp_tally_done(struct tally *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->items[i].value);
	free(t->items);
	memset(t, 0, sizeof *t);
}
/* Expands the --prefix template for one document. */
static void expand_prefix(const char *t, const struct export_doc *d, struct buf *out)
{
	static const char *const names[] = { "origin", "source", "generator",
		"purpose", "label", "id", "ext_id" };
	size_t i;

	buf_reset(out);
	while (*t) {
		if (*t == '\\' && t[1]) {
			char c = t[1];
			buf_putc(out, c == 'n' ? '\n' : c == 't' ? '\t' : c);
			t += 2;
			continue;
		}
		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			buf_putc(out, *t);
			t += 2;
			continue;
		}
		if (*t == '{') {
			for (i = 0; i < PV_ARRAY_LEN(names); i++) {
				size_t n = strlen(names[i]);
				if (strncmp(t + 1, names[i], n) == 0 && t[1 + n] == '}')
					break;
			}
			if (i < PV_ARRAY_LEN(names)) {
				const char *v[] = { d->origin, d->source, d->generator,
					d->purpose, d->label, NULL, d->ext_id };
				if (i == 5)
					buf_printf(out, "%lld", (long long)d->id);
				else if (v[i])
					buf_puts(out, v[i]);
				t += strlen(names[i]) + 2;
				continue;
			}
		}
		buf_putc(out, *t++);
	}
}

/* Checks a --prefix template: braces balanced (pv_template_check: {{ and
 * }} are literal braces) and placeholders known.  Returns NULL or the
 * unknown placeholder (in bad); an unbalanced brace fills e and returns
 * e->msg. */
const char *xp_check_prefix(const char *t, char *bad, size_t badlen,
				struct pv_err *e)
{
	static const char *const names[] = { "origin", "source", "generator",
		"purpose", "label", "id", "ext_id" };
	size_t i;

	if (pv_template_check(t, "--prefix", e))
		return e->msg;
	for (; *t; t++) {
		const char *close;
		if (*t == '\\' && t[1]) {
			t++;
			continue;
		}
		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			t++;
			continue;
		}
		if (*t != '{' || !(close = strchr(t, '}')))
			continue;
		for (i = 0; i < PV_ARRAY_LEN(names); i++)
			if ((size_t)(close - t - 1) == strlen(names[i]) &&
			    strncmp(t + 1, names[i], strlen(names[i])) == 0)
				break;
		if (i == PV_ARRAY_LEN(names)) {
			snprintf(bad, badlen, "%.*s", (int)(close - t + 1), t);
			return bad;
		}
		t = close;
	}
	return NULL;
}

/*
 * Appends meta (JSON from the store) as one line of valid JSON: line
 * breaks and tabs between tokens are dropped (a value pretty-printed in
 * its input keeps its meaning on one line), invalid UTF-8 becomes U+FFFD
 * (counted in *bad).  A value that is not valid JSON - a raw control
 * character inside a string, a truncated or damaged value - is never
 * written: PV_EPARSE naming the document.
 */
static int put_meta(struct buf *b, const char *store, const struct export_doc *d,
		    size_t *bad, struct pv_err *err)
{
	const char *m = d->meta;
	size_t len = strlen(m), i = 0, start = b->len;
	struct json_error je;
	bool in_str = false, esc = false;
	const char *why = NULL;
	size_t at = 0;

	while (i < len) {
		unsigned char c = (unsigned char)m[i];
		size_t n;
		if (c < 0x20) {
			if (in_str || (c != '\n' && c != '\r' && c != '\t')) {
				why = in_str ? "a raw control character inside a string" :
					"a control character between values";
				at = i;
				break;
			}
			i++;            /* whitespace between tokens */
			continue;
		}
		if (c < 0x80) {
			if (in_str && !esc && c == '"')
				in_str = false;
			else if (!in_str && c == '"')
				in_str = true;
			esc = in_str && !esc && c == '\\';
			buf_putc(b, (char)c);
			i++;
			continue;
		}
		esc = false;
		n = utf8_seq_len((const unsigned char *)m + i, len - i);
		if (n == 0) {
			buf_puts(b, "\xef\xbf\xbd");
			++*bad;
			i++;
		} else {
			buf_append(b, m + i, n);
			i += n;
		}
	}
	if (!why && json_parse(b->data + start, b->len - start, NULL, NULL, &je) != 0) {
		why = je.reason;
		at = je.offset;   /* in the line written, close to the stored one */
	}
	if (why) {
		b->len = start;
		b->data[start] = '\0';
		return pv_errf(err, PV_EPARSE, "%s: document %lld (ext_id %s): its stored "
			       "metadata is not valid JSON (%s, near byte %zu); no line is "
			       "written with it: re-index its input with this provex, which "
			       "stores valid JSON, or leave the metadata out (--fields "
			       "without meta)", store, (long long)d->id,
			       d->ext_id ? d->ext_id : "none", why, at);
	}
	return 0;
}

/* Appends one JSONL record to b, adding the number of invalid UTF-8
 * sequences replaced to *bad; PV_EPARSE (b as it was) when the document's
 * metadata is not valid JSON. */
static int build_record(struct exp *x, const struct export_doc *d, struct buf *b,
			size_t *bad, struct pv_err *err)
{
	bool first = true;
	size_t start = b->len;

	buf_putc(b, '{');
	if (x->o->fields[EXPORT_F_TEXT]) {
		json_put_key(b, &first, "text");
		if (x->o->prefix) {
			expand_prefix(x->o->prefix, d, &x->pre);
			buf_append(&x->pre, d->text, d->len);
			*bad += json_put_string(b, x->pre.data, x->pre.len);
		} else {
			*bad += json_put_string(b, d->text, d->len);
		}
	}
#define STR(f, name, v) do { if (x->o->fields[f]) { \
		json_put_key(b, &first, name); \
		if (v) *bad += json_put_string(b, v, strlen(v)); \
		else buf_puts(b, "null"); } } while (0)
	STR(EXPORT_F_ORIGIN, "origin", d->origin);
	STR(EXPORT_F_SOURCE, "source", d->source);
	STR(EXPORT_F_GENERATOR, "generator", d->generator);
	STR(EXPORT_F_PURPOSE, "purpose", d->purpose);
	STR(EXPORT_F_LABEL, "label", d->label);
	STR(EXPORT_F_NOTE, "note", d->note);
	if (x->o->fields[EXPORT_F_ID]) {
		json_put_key(b, &first, "id");
		buf_printf(b, "%lld", (long long)d->id);
	}
	STR(EXPORT_F_EXT_ID, "ext_id", d->ext_id);
#undef STR
	if (x->o->fields[EXPORT_F_META]) {
		json_put_key(b, &first, "meta");
		if (d->meta && *d->meta) {
			int rc = put_meta(b, x->o->store_path, d, bad, err);
			if (rc) {
				b->len = start;
				b->data[start] = '\0';
				return rc;
			}
		} else {
			buf_puts(b, "null");
		}
	}
	buf_puts(b, "}\n");
	return 0;
}

static void progress(struct exp *x)
{
	if (x->h && x->h->progress && x->records % 4096 == 0)
		x->h->progress(x->h->arg, x->records, x->records_total, false);
}

/* Writes one text file into the temporary folder. */
static int write_text_file(struct exp *x, const struct export_doc *d, uint32_t copy,
			   struct pv_err *err)
{
	struct outfile o;
	struct text_file *tf;
	struct buf path = BUF_INIT, name = BUF_INIT;
	int rc = 0;

	if (copy == 0)
		buf_printf(&name, "%lld.txt", (long long)d->id);
	else
		buf_printf(&name, "%lld-%u.txt", (long long)d->id, (unsigned)copy);
	buf_printf(&path, "%s/%s", x->tmpdir, buf_str(&name));
	memset(&o, 0, sizeof o);
	o.kind = EXPORT_TEXT;
	o.final = pv_strdup(x->o->out);
	sha256_init(&o.sha);
	if ((o.fd = open(buf_str(&path), O_WRONLY | O_CREAT | O_EXCL | O_TRUNC,
			 0666)) < 0) {
		rc = pv_errf(err, PV_EIO, "%s: %s", x->o->out, strerror(errno));
		goto out;
	}
	if (x->o->prefix) {
		/* one write: the header and the text */
		expand_prefix(x->o->prefix, d, &x->pre);
		buf_append(&x->pre, d->text, d->len);
		rc = xp_out_raw(&o, x->pre.data, x->pre.len, err);
	} else {
		rc = xp_out_raw(&o, d->text, d->len, err);
	}
	if (close(o.fd) != 0 && !rc)
		rc = pv_errf(err, PV_EIO, "%s: %s", x->o->out, strerror(errno));
	if (rc)
		goto out;
	if (x->ntfiles == x->tcap) {
		x->tcap = x->tcap ? 2 * x->tcap : 64;
		x->tfiles = pv_realloc(x->tfiles, x->tcap * sizeof *x->tfiles);
	}
	tf = &x->tfiles[x->ntfiles++];
	tf->name = buf_take(&name);
	tf->bytes = o.bytes;
	sha256_digest(&o.sha, SHA256_DIGEST_SIZE, tf->digest);
out:
	free(o.final);
	buf_done(&path);
	buf_done(&name);
	return rc;
}

int xp_row_cb(void *ctx, const struct export_doc *d, uint32_t reps)
{
	struct row_ctx *rc = ctx;
	struct exp *x = rc->x;
	const char *prov[4] = { d->origin, d->source, d->generator, d->purpose };
	uint32_t k;
	int i, r;

	if (pv_stop_signal)
		return pv_errf(rc->err, PV_EINTR, "interrupted");
	/* shuffled, a document comes once per copy: counted at its first */
	if (d->copy == 0)
		x->docs++;
	if (x->o->fmt == EXPORT_TEXT) {
		if (!utf8_valid(d->text, d->len))
			x->bad_utf8++;
		for (k = 0; k < reps; k++) {
			if ((r = write_text_file(x, d, k, rc->err)))
				return r;
			x->records++;
			progress(x);
		}
	} else if (reps == 1) {
		/* built where it is written from */
		struct outfile *o = &x->outs[x->records % x->o->shards];
		size_t bad = 0;
		if ((r = build_record(x, d, &o->pend, &bad, rc->err)))
			return r;
		if (bad && d->copy == 0)
			x->bad_utf8++;
		o->records++;
		x->records++;
		progress(x);
		if (o->pend.len >= x->piece && (r = xp_hand_over(&x->w, o, false, rc->err)))
			return r;
	} else {
		size_t bad = 0;
		buf_reset(&x->rec);
		if ((r = build_record(x, d, &x->rec, &bad, rc->err)))
			return r;
		if (bad)
			x->bad_utf8++;
		for (k = 0; k < reps; k++) {
			struct outfile *o = &x->outs[x->records % x->o->shards];
			buf_append(&o->pend, x->rec.data, x->rec.len);
			o->records++;
			x->records++;
			progress(x);
			if (o->pend.len >= x->piece &&
			    (r = xp_hand_over(&x->w, o, false, rc->err)))
				return r;
		}
	}
	x->text_bytes += (int64_t)d->len * reps;
	for (i = 0; i < 4; i++)
		xp_tally_add(&x->by[i], prov[i], reps, (int64_t)d->len * reps);
	return 0;
}
