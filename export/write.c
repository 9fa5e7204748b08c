/*
 * write.c - one export from start to end: the checks before any work
 * (export_check), then export_write: the candidates and the copies of
 * each (all, a sample, a mixture's plan, from store/export.h), the
 * refusals (too many copies, too little free space), the temporaries,
 * the records through the writing thread, the manifest, and the renames
 * into place, data files first and the manifest last.
 *
 * Ownership: export_write borrows the store, the filter and the options
 * (filling in the mixture's plan in o->groups); everything it makes is
 * freed, and every temporary removed, before it returns.
 */
#include "config.h"
#include "export_int.h"
#include "../common/utf8.h"
#include "../store/metaindex.h"
#include "../store/store.h"
#include "../store/set.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* ---- running it ---- */

/* Removes every temporary file and folder still there. */
static void cleanup(struct exp *x)
{
	size_t i;

	xp_writer_stop(&x->w);
	if (x->outs) {
		for (i = 0; i < x->o->shards; i++)
			xp_out_done(&x->outs[i]);
		free(x->outs);
		x->outs = NULL;
	}
	xp_out_done(&x->manifest);
	if (x->tmpdir) {
		xp_remove_folder(x->tmpdir);
		free(x->tmpdir);
		x->tmpdir = NULL;
	}
	if (x->tmpdir_fd >= 0) {
		close(x->tmpdir_fd);
		x->tmpdir_fd = -1;
	}
	for (i = 0; i < x->ntfiles; i++)
		free(x->tfiles[i].name);
	free(x->tfiles);
	x->tfiles = NULL;
	x->ntfiles = 0;
	for (i = 0; i < 4; i++)
		xp_tally_done(&x->by[i]);
	buf_done(&x->rec);
	buf_done(&x->pre);
}

/* Without --max-repeat, a mixture repeating a document more than this
 * many times is refused unless --force (it is most likely a mistake). */
#define REPEAT_LIMIT 100

/* The copies a group's plan gives each of its documents, at most. */
static int64_t copies_of(const struct export_group *g)
{
	return g->available ? (g->written + g->available - 1) / g->available : 0;
}

/* About how many bytes a record of candidate i takes before compression. */
static double record_bytes(const struct exp *x, const struct export_cands *c, size_t i)
{
	double b = 0;

	if (x->o->fmt == EXPORT_TEXT)   /* one file each, at least a block */
		return PV_MAX(4096.0, (double)c->len[i] + (x->o->prefix ? 64 : 0));
	if (x->o->fields[EXPORT_F_TEXT])
		b += (double)c->len[i] + (x->o->prefix ? (double)strlen(x->o->prefix) + 32 : 0);
	if (x->o->fields[EXPORT_F_META] || x->o->fields[EXPORT_F_SOURCE] || x->o->fields[EXPORT_F_EXT_ID])
		b += (double)c->extra[i];
	return b + 140;           /* keys, nulls, origin, id */
}

/*
 * The compressed size of a .gz or .zst output as a fraction of the raw
 * one, guessed from how well the store compresses its texts (zstd with
 * the store's dictionary, one text at a time); gzip does worse than that,
 * so it gets a third more.
 */
static double compress_guess(const struct exp *x, const struct export_cands *c)
{
	double r;

	if (x->o->fmt != EXPORT_GZ && x->o->fmt != EXPORT_ZST)
		return 1;
	r = x->set ? export_set_ratio(x->set, c) :
		export_store_ratio(x->s, c->text_ids, c->n);
	if (x->o->fmt == EXPORT_GZ)
		r *= 4.0 / 3;
	return r < 0.05 ? 0.05 : r > 1 ? 1 : r;
}

/* About how many bytes the export writes: each candidate's record size
 * times its copies, by the compression guess. */
static double estimate(const struct exp *x, const struct export_cands *c,
		       const uint32_t *reps)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (reps[i])
			sum += (double)reps[i] * record_bytes(x, c, i);
	return sum * compress_guess(x, c);
}

/* The same, for a mixture's plan before its copies are counted out (a
 * group's documents average written / available copies). */
static double estimate_plan(const struct exp *x, const struct export_cands *c)
{
	double *per = pv_calloc(x->o->ngroups, sizeof *per), sum = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		per[c->group[i]] += record_bytes(x, c, i);
	for (i = 0; i < x->o->ngroups; i++)
		sum += per[i] * (double)x->o->groups[i].written / (double)x->o->groups[i].available;
	free(per);
	return sum * compress_guess(x, c);
}

/* "12.3 GB" for a double. */
static const char *approx_bytes(double b, char *out)
{
	return pv_bytes(b >= 1.8e19 ? UINT64_MAX : (uint64_t)b, out);
}

/*
 * Refuses a mixture that repeats documents beyond reason: more copies
 * than a record count can hold always, more than REPEAT_LIMIT without
 * --max-repeat unless --force.  Says what it would have written.
 */
static int check_repeats(const struct exp *x, const struct export_cands *c,
			 struct pv_err *err)
{
	const struct export_group *worst = NULL;
	char a[32], b[32], d[32], e[32], f[32];
	size_t i;

	for (i = 0; i < x->o->ngroups; i++)
		if (!worst || copies_of(&x->o->groups[i]) > copies_of(worst))
			worst = &x->o->groups[i];
	if (!worst)
		return 0;
	if (copies_of(worst) > (int64_t)UINT32_MAX || (!x->o->have_maxrep && !x->o->force &&
						     copies_of(worst) > REPEAT_LIMIT)) {
		struct buf v = BUF_INIT;
		bool hard = copies_of(worst) > (int64_t)UINT32_MAX;
		char why[256];
		int rc;
		if (hard)
			snprintf(why, sizeof why, "more copies than provex can count; "
				 "choose a smaller --total");
		else
			snprintf(why, sizeof why, "more than %d copies is refused unless "
				 "--force; --max-repeat K caps the copies (--keep-shares then "
				 "keeps the shares by writing fewer records)", REPEAT_LIMIT);
		utf8_sanitize(&v, worst->value, strlen(worst->value), SAN_ONE_LINE);
		rc = pv_errf(err, PV_EUSAGE, "--total %s would repeat each of the %s "
			     "documents of %s=%s up to %s times (%s records, about %s): %s",
			     pv_num(x->o->total, a), pv_num(worst->available, b),
			     x->o->mix_field, buf_str(&v), pv_num(copies_of(worst), d),
			     pv_num(x->written_total, e), approx_bytes(estimate_plan(x, c), f),
			     why);
		buf_done(&v);
		return rc;
	}
	return 0;
}

/*
 * Refuses an export whose estimated size exceeds the free space of the
 * target's file system, unless --force.
 */
static int check_space(const struct exp *x, const struct export_cands *c,
		       const uint32_t *reps, struct pv_err *err)
{
	char *dir = pv_dirname(x->o->out);
	struct statvfs fs;
	double need, avail;
	char a[32], b[32], d[32], e[32], f[32];
	int64_t docs = 0, most = 0;
	size_t i;
	int rc = 0;

	if (x->o->force || statvfs(dir, &fs) != 0) {
		free(dir);
		return 0;
	}
	avail = (double)fs.f_bavail * (double)fs.f_frsize;
	need = estimate(x, c, reps);
	if (need > avail) {
		for (i = 0; i < c->n; i++)
			if (reps[i]) {
				docs++;
				most = PV_MAX(most, (int64_t)reps[i]);
			}
		rc = pv_errf(err, PV_EIO, "%s: this export would write %s records (%s "
			     "documents, up to %s copies each), about %s%s, and the file "
			     "system of %s has %s free: free some space, export less, or "
			     "--force to try (a full disk leaves nothing behind)",
			     x->o->out, pv_num(x->records_total, a), pv_num(docs, b),
			     pv_num(most, d), approx_bytes(need, e),
			     x->o->fmt == EXPORT_GZ ? " once gzipped (a guess from the store's "
			     "compression)" : x->o->fmt == EXPORT_ZST ? " once compressed (a guess "
			     "from the store's compression)" : "", dir,
			     approx_bytes(avail, f));
	}
	free(dir);
	return rc;
}
/* How many copies of each candidate: all once, a sample, or a mixture. */
static int choose(struct exp *x, const struct export_cands *c, uint32_t *reps,
		  struct pv_err *err)
{
	size_t i, g;
	int rc;

	if (x->o->mix_field) {
		int64_t *ids;
		uint32_t *r;
		for (g = 0; g < x->o->ngroups; g++)
			x->o->groups[g].available = 0;
		for (i = 0; i < c->n; i++)
			x->o->groups[c->group[i]].available++;
		if (x->o->keep_shares)
			rc = export_mix_fit(x->o->groups, x->o->ngroups, x->o->total, x->o->max_repeat,
					    &x->written_total, err);
		else
			rc = export_mix_plan(x->o->groups, x->o->ngroups, x->o->total,
					     x->o->max_repeat, err);
		if (rc)
			return rc;
		x->written_total = 0;
		for (g = 0; g < x->o->ngroups; g++)
			x->written_total += x->o->groups[g].written;
		if ((rc = check_repeats(x, c, err)))
			return rc;
		ids = pv_malloc((c->n ? c->n : 1) * sizeof *ids);
		r = pv_malloc((c->n ? c->n : 1) * sizeof *r);
		for (g = 0; g < x->o->ngroups; g++) {
			size_t n = 0, k = 0;
			for (i = 0; i < c->n; i++)
				if (c->group[i] == (int)g)
					ids[n++] = c->ids[i];
			export_repeats(ids, n, x->o->seed, x->o->groups[g].written, r);
			for (i = 0; i < c->n; i++)
				if (c->group[i] == (int)g)
					reps[i] = r[k++];
		}
		free(ids);
		free(r);
		return 0;
	}
	if (x->o->have_sample || x->o->have_fraction) {
		int64_t want = x->o->have_sample ?
			(int64_t)PV_MIN(x->o->sample, (uint64_t)c->n) :
			(int64_t)llround(x->o->fraction * (double)c->n);
		export_repeats(c->ids, c->n, x->o->seed, want, reps);
		return 0;
	}
	for (i = 0; i < c->n; i++)
		reps[i] = 1;
	return 0;
}

/* Renames everything into place: data files first, the manifest last. */
static int commit(struct exp *x, struct pv_err *err)
{
	size_t i;
	int rc;

	if (x->o->fmt == EXPORT_TEXT) {
		struct stat st;
		char *old = NULL;
		if (lstat(x->o->out, &st) == 0) {
			/* --force (checked before): move the old one aside first */
			old = xp_tmp_template(x->o->out);
			if (!mkdtemp(old)) {
				rc = pv_errf(err, PV_EIO, "%s: %s", x->o->out, strerror(errno));
				free(old);
				return rc;
			}
			rmdir(old);
			if (rename(x->o->out, old) != 0) {
				rc = pv_errf(err, PV_EIO, "%s: %s", x->o->out, strerror(errno));
				free(old);
				return rc;
			}
		}
		if (rename(x->tmpdir, x->o->out) != 0) {
			rc = pv_errf(err, PV_EIO, "%s: %s", x->o->out, strerror(errno));
			if (old) {
				rename(old, x->o->out);
				free(old);
			}
			return rc;
		}
		free(x->tmpdir);
		x->tmpdir = NULL;
		close(x->tmpdir_fd);
		x->tmpdir_fd = -1;
		if (old) {
			if (S_ISDIR(st.st_mode))
				xp_remove_folder(old);
			else
				unlink(old);
			free(old);
		}
	} else {
		for (i = 0; i < x->o->shards; i++)
			if ((rc = xp_out_commit(&x->outs[i], err)))
				return rc;
	}
	return xp_out_commit(&x->manifest, err);
}
int export_check(const struct export_opts *o, int64_t *swept, struct pv_err *err)
{
	struct exp x;
	char *path;
	size_t i;
	int rc;

	memset(&x, 0, sizeof x);
	x.o = (struct export_opts *)o;     /* only read */
	x.tmpdir_fd = -1;
	*swept = 0;
	if ((rc = xp_check_folder(o->out, err)))
		return rc;
	if (o->fmt == EXPORT_TEXT) {
		if ((rc = xp_check_target(&x, o->out, true, err)))
			return rc;
	} else {
		for (i = 0; i < o->shards; i++) {
			path = xp_shard_name(&x, (unsigned)i);
			rc = xp_check_target(&x, path, false, err);
			free(path);
			if (rc)
				return rc;
		}
	}
	path = xp_manifest_name(o->out);
	rc = xp_check_target(&x, path, false, err);
	free(path);
	if (rc)
		return rc;
	*swept = xp_sweep(&x);
	return 0;
}

/* export_write and export_write_set: exactly one of s and set. */
static int write_export(struct store *s, struct store_set *set,
			const struct filter_ast *ast, const struct filter_sql *sql,
			struct export_opts *o, const struct export_hooks *h,
			struct export_result *r, struct pv_err *err)
{
	struct exp xs, *x = &xs;
	struct export_cands c;
	struct row_ctx rctx;
	struct buf man = BUF_INIT;
	const char **values = NULL;
	uint32_t *reps = NULL;
	int64_t hist = 0, ndocs = 0;
	char *path;
	size_t i;
	int rc;
	bool began = false;

	memset(x, 0, sizeof *x);
	memset(r, 0, sizeof *r);
	memset(&c, 0, sizeof c);
	x->o = o;
	x->h = h;
	x->s = s;
	x->set = set;
	x->tmpdir_fd = -1;
	/* an export walks much of the store */
	if (set)
		export_set_map(set);
	else
		store_map(x->s);
	if ((rc = set ? export_set_begin(set, err) : export_begin(x->s, err)))
		goto out;
	began = true;
	if ((rc = set ? export_set_state(set, &hist, &ndocs, err) :
	     export_store_state(x->s, &hist, &ndocs, err)))
		goto out;
	if (x->o->mix_field) {
		values = pv_malloc(x->o->ngroups * sizeof *values);
		for (i = 0; i < x->o->ngroups; i++)
			values[i] = x->o->groups[i].value;
	}
	if (set)
		rc = export_set_candidates(set, sql, x->o->keep_dups, x->o->mix_field,
					   values, x->o->ngroups, &c, err);
	else
		rc = export_candidates(x->s, sql, x->o->keep_dups, x->o->mix_field, values,
				       x->o->ngroups, &c, err);
	if (rc)
		goto out;
	reps = pv_calloc(c.n ? c.n : 1, sizeof *reps);
	if ((rc = choose(x, &c, reps, err)))
		goto out;
	for (i = 0; i < c.n; i++)
		x->records_total += reps[i];
	if ((rc = check_space(x, &c, reps, err)))
		goto out;

	/* the temporaries */
	if (x->o->fmt == EXPORT_TEXT) {
		x->tmpdir = xp_tmp_template(x->o->out);
		if ((x->tmpdir_fd = xp_mkdtemp_locked(x->tmpdir)) < 0) {
			char *dir = pv_dirname(x->o->out);
			rc = pv_errf(err, PV_EIO, "%s: cannot create a folder here: %s",
				     dir, strerror(errno));
			free(dir);
			free(x->tmpdir);
			x->tmpdir = NULL;
			goto out;
		}
	} else {
		x->outs = pv_calloc(x->o->shards, sizeof *x->outs);
		for (i = 0; i < x->o->shards; i++) {
			path = xp_shard_name(x, (unsigned)i);
			rc = xp_out_open(&x->outs[i], path, x->o->fmt, err);
			free(path);
			if (rc)
				goto out;
			if (x->o->shards <= DIRECT_MAX_FILES)
				xp_out_direct(&x->outs[i]);
		}
		x->piece = PV_MAX(PIECE_MIN, PV_MIN(PIECE_MAX, PIECES_ALL / x->o->shards));
		xp_writer_start(&x->w);
	}

	rctx.x = x;
	rctx.err = err;
	if (h && h->stop_catch)
		h->stop_catch(h->arg, true);
	if (set)
		rc = export_set_rows(set, &c, reps, x->o->shuffle, x->o->seed, xp_row_cb,
				     &rctx, err);
	else if (x->o->shuffle)
		rc = export_rows_shuffled(x->s, c.ids, reps, c.n, x->o->seed, xp_row_cb,
					  &rctx, err);
	else
		rc = export_rows(x->s, c.ids, reps, c.n, xp_row_cb, &rctx, err);
	if (h && h->stop_catch)
		h->stop_catch(h->arg, false);
	if (h && h->progress)
		h->progress(h->arg, x->records, x->records_total, true);
	if (!rc && pv_stop_signal)
		rc = pv_errf(err, PV_EINTR, "interrupted");
	if (rc)
		goto out;
	for (i = 0; x->outs && i < x->o->shards; i++)
		if ((rc = xp_hand_over(&x->w, &x->outs[i], true, err)))
			goto out;
	if ((rc = xp_writer_wait(&x->w, err)))
		goto out;
	xp_writer_stop(&x->w);
	for (i = 0; x->outs && i < x->o->shards; i++)
		if ((rc = xp_out_finish(&x->outs[i], err)))
			goto out;

	xp_build_manifest(x, ast, hist, ndocs, &c, &man);
	path = xp_manifest_name(x->o->out);
	rc = xp_out_open(&x->manifest, path, EXPORT_JSONL, err);
	free(path);
	if (rc || (rc = xp_out_put(&x->manifest, man.data, man.len, true, err)) ||
	    (rc = xp_out_finish(&x->manifest, err)) || (rc = commit(x, err)))
		goto out;
	r->records = x->records;
	r->docs = x->docs;
	r->text_bytes = x->text_bytes;
	r->bad_utf8 = x->bad_utf8;
	r->dups = c.dups;
out:
	cleanup(x);
	if (began && set)
		export_set_end(set);
	else if (began)
		export_end(x->s);
	buf_done(&man);
	free(values);
	free(reps);
	export_cands_done(&c);
	return rc;
}

int export_write(struct store *s, const struct filter_ast *ast,
		 const struct filter_sql *sql, struct export_opts *o,
		 const struct export_hooks *h, struct export_result *r,
		 struct pv_err *err)
{
	return write_export(s, NULL, ast, sql, o, h, r, err);
}

int export_write_set(struct store_set *set, const struct filter_ast *ast,
		     const struct filter_sql *sqls, struct export_opts *o,
		     const struct export_hooks *h, struct export_result *r,
		     struct pv_err *err)
{
	return write_export(NULL, set, ast, sqls, o, h, r, err);
}

void export_summary_line(const struct export_opts *o, const struct export_result *r,
			 struct buf *b)
{
	char a[32], b2[32], t[32];

	buf_printf(b, "%s records (%s documents, %s of text) written to %s",
		   pv_num(r->records, a), pv_num(r->docs, t),
		   pv_bytes((uint64_t)r->text_bytes, b2), o->out);
	if (o->fmt != EXPORT_TEXT && o->shards > 1)
		buf_printf(b, " in %u shards (round-robin)", o->shards);
}

int export_run(struct export_opts *o, const struct export_hooks *h,
	       struct export_result *r, enum export_stage *stage,
	       struct pv_err *err)
{
	struct filter_ast *ast = NULL;
	struct filter_sql sql0, sql;
	struct store *s = NULL;
	int64_t swept;
	int rc;

	memset(&sql0, 0, sizeof sql0);
	memset(&sql, 0, sizeof sql);
	*stage = EXPORT_AT_FILTER;
	if ((rc = filter_parse(o->filter_text ? o->filter_text : "", &ast, err)))
		goto out;
	if (filter_compile(ast, &sql0)) {
		rc = pv_errf(err, PV_EUSAGE, "too many terms");
		goto out;
	}
	*stage = EXPORT_AT_STORE;
	if (set_is_folder(o->store_path)) {
		rc = pv_errf(err, PV_EUSAGE, "%s is a set of stores: the interface "
			     "exports from one store; run provex export %s FILTER -o OUT "
			     "from a shell to export the set", o->store_path, o->store_path);
		goto out;
	}
	if ((rc = export_check(o, &swept, err)) ||
	    (rc = store_open(&s, o->store_path, STORE_READ, err)) ||
	    (rc = store_filter_compile(s, ast, sql0.first > 0 ? sql0.first : 1, &sql, err)))
		goto out;
	rc = export_write(s, ast, &sql, o, h, r, err);
out:
	store_close(s);
	filter_sql_done(&sql);
	filter_sql_done(&sql0);
	filter_free(ast);
	return rc;
}
