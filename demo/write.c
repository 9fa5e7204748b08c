/*
 * write.c - demo_write(): the demo corpus written as JSONL for `provex
 * demo`.  It gathers the real documents (real.c, else or also
 * builtin.c), builds the model (model.c) and the plan (plan.c), and
 * writes each real document followed by the synthetic ones planned after
 * it, to path.tmp renamed into place at the end.
 *
 * All randomness comes from one splitmix64 stream seeded by the caller,
 * and no character test depends on the locale, so a seed gives the same
 * bytes on the same machine.  Everything is freed before demo_write
 * returns.
 */
#include "demo_int.h"
#include "../common/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const demo_default_roots[] = {
	"/usr/share/doc", "/usr/share/man", "/usr/share/common-licenses", NULL
};

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* Appends one JSONL line for a document to line.  generator and seed_id
 * are left out when generator is NULL.  provex demo indexes the corpus
 * with --pair-field seed_id: each synthetic document becomes a declared
 * pair of its seed (and of the other documents written from that seed). */
static void put_line(struct buf *line, size_t id, const char *text,
		     size_t len, const char *origin, const char *source,
		     const char *purpose, const char *generator, size_t seed_id)
{
	char ids[32];
	bool first = true;

	buf_reset(line);
	buf_putc(line, '{');
	json_put_key(line, &first, "id");
	snprintf(ids, sizeof ids, "demo-%06zu", id);
	json_put_string(line, ids, strlen(ids));
	json_put_key(line, &first, "text");
	json_put_string(line, text, len);
	json_put_key(line, &first, "origin");
	json_put_string(line, origin, strlen(origin));
	json_put_key(line, &first, "source");
	json_put_string(line, source, strlen(source));
	json_put_key(line, &first, "purpose");
	json_put_string(line, purpose, strlen(purpose));
	if (generator) {
		json_put_key(line, &first, "generator");
		json_put_string(line, generator, strlen(generator));
		json_put_key(line, &first, "seed_id");
		snprintf(ids, sizeof ids, "demo-%06zu", seed_id);
		json_put_string(line, ids, strlen(ids));
	}
	buf_puts(line, "}\n");
}

void demo_opts_default(struct demo_opts *o)
{
	memset(o, 0, sizeof *o);
	o->ndocs_real = 600;
	o->synth_per_real = 2;
	o->seed_every = 3;
	o->seed = 1;
	o->roots = NULL;
}

/* Reads real documents from the roots into c, round-robin over the man,
 * doc and licence buckets, each shuffled by the seed.  Reports progress
 * against total_est.  Returns the number of files read. */
static size_t collect_real(struct corpus *c, const struct demo_opts *o,
			   uint64_t *rng, size_t total_est)
{
	struct cands b[B_COUNT];
	struct buf raw = BUF_INIT, txt = BUF_INIT;
	size_t pos[B_COUNT] = { 0 }, files = 0, bytes = 0, i, k, before;
	struct cand t;
	bool any;

	memset(b, 0, sizeof b);
	demo_scan_roots(b, o->roots ? o->roots : demo_default_roots);
	for (k = 0; k < B_COUNT; k++) {
		for (i = b[k].n; i > 1; i--) {
			size_t r = rng_below(rng, i);
			t = b[k].v[i - 1];
			b[k].v[i - 1] = b[k].v[r];
			b[k].v[r] = t;
		}
	}
	do {
		any = false;
		for (k = 0; k < B_COUNT; k++) {
			if (c->n >= o->ndocs_real || files >= DEMO_MAX_FILES ||
			    bytes >= DEMO_MAX_BYTES)
				break;
			if (pos[k] >= b[k].n)
				continue;
			any = true;
			before = c->n;
			bytes += demo_read_cand(c, &b[k].v[pos[k]++], k == B_MAN,
						o->ndocs_real, &raw, &txt, rng);
			files++;
			if (o->progress && c->n != before)
				o->progress(o->progress_ctx, c->n, total_est);
		}
	} while (any && c->n < o->ndocs_real && files < DEMO_MAX_FILES &&
		 bytes < DEMO_MAX_BYTES);
	for (k = 0; k < B_COUNT; k++) {
		for (i = 0; i < b[k].n; i++)
			free(b[k].v[i].path);
		free(b[k].v);
	}
	buf_done(&raw);
	buf_done(&txt);
	return files;
}

int demo_write(const char *path, const struct demo_opts *o,
	       struct demo_stats *st, struct pv_err *err)
{
	struct demo_opts def;
	struct corpus c;
	struct model m;
	struct buf tmp = BUF_INIT, line = BUF_INIT, text = BUF_INIT;
	struct job *jobs = NULL;
	size_t *real_id = NULL, njobs = 0, ji = 0, i, id = 0, nbuiltin = 0;
	size_t est, files, nsynth = 0;
	const char *generator = NULL, *purpose = NULL;
	uint64_t rng, bytes = 0;
	FILE *fp;
	int rc = 0, e;

	if (st)
		memset(st, 0, sizeof *st);
	if (!o) {
		demo_opts_default(&def);
		o = &def;
	}
	if (!path || !*path)
		return pv_errf(err, PV_EINVAL, "demo: no output path given");
	if (o->ndocs_real == 0)
		return pv_errf(err, PV_EINVAL, "demo: %s: ask for at least one "
			       "real document", path);

	buf_printf(&tmp, "%s.tmp", path);
	fp = fopen(tmp.data, "wb");
	if (!fp) {
		e = errno;
		buf_done(&tmp);
		return pv_errf(err, PV_EIO, "cannot write the demo corpus to %s: "
			       "%s (check that the folder exists and is "
			       "writable)", path, strerror(e));
	}

	/* real documents: the machine's, else (or also) the builtin ones */
	memset(&c, 0, sizeof c);
	rng = o->seed ^ 0x70726f7665782d64ULL;  /* "provex-d" */
	est = o->ndocs_real + (o->seed_every ?
	      o->ndocs_real / o->seed_every * o->synth_per_real : 0);
	files = collect_real(&c, o, &rng, est);
	if (c.n < PV_MIN((size_t)DEMO_MIN_FOUND, o->ndocs_real)) {
		for (i = 0; i < demo_nbuiltin && c.n < o->ndocs_real; i++)
			if (demo_corpus_add(&c, demo_builtin_texts[i],
					    strlen(demo_builtin_texts[i]),
					    "builtin"))
				nbuiltin++;
	}

	/* the generator and the plan */
	demo_model_build(&m, &c);
	jobs = demo_plan_jobs(o, c.n, &rng, &njobs);
	real_id = pv_malloc((c.n + 1) * sizeof *real_id);

	for (i = 0; i < c.n && rc == 0; i++) {
		real_id[i] = ++id;
		put_line(&line, id, c.v[i].text, c.v[i].len, "real",
			 c.v[i].source, "reference", NULL, 0);
		if (fwrite(line.data, 1, line.len, fp) != line.len)
			rc = -1;
		bytes += line.len;
		for (; ji < njobs && jobs[ji].slot == i && rc == 0; ji++) {
			demo_run_job(&m, &c, &jobs[ji], &text, &generator,
				     &purpose);
			put_line(&line, ++id, buf_str(&text), text.len,
				 "synthetic", c.v[jobs[ji].seed].source, purpose,
				 generator, real_id[jobs[ji].seed]);
			if (fwrite(line.data, 1, line.len, fp) != line.len)
				rc = -1;
			bytes += line.len;
			nsynth++;
			if (o->progress)
				o->progress(o->progress_ctx, c.n + nsynth,
					    c.n + njobs);
		}
	}
	if (o->progress && njobs == 0)
		o->progress(o->progress_ctx, c.n, c.n);

	e = 0;
	if (rc != 0 || fflush(fp) != 0 || fsync(fileno(fp)) != 0)
		e = errno ? errno : EIO;
	if (fclose(fp) != 0 && !e)
		e = errno ? errno : EIO;
	if (e) {
		rc = pv_errf(err, PV_EIO, "cannot write the demo corpus to %s: "
			     "%s (check free space on that file system)",
			     tmp.data, strerror(e));
		unlink(tmp.data);
	} else if (rename(tmp.data, path) != 0) {
		e = errno;
		rc = pv_errf(err, PV_EIO, "cannot rename %s to %s: %s", tmp.data,
			     path, strerror(e));
		unlink(tmp.data);
	} else if (st) {
		st->real = c.n;
		st->synthetic = nsynth;
		st->builtin = nbuiltin;
		st->files = files;
		st->bytes = bytes;
	}

	free(real_id);
	free(jobs);
	demo_model_free(&m);
	demo_corpus_free(&c);
	buf_done(&tmp);
	buf_done(&line);
	buf_done(&text);
	return rc;
}
