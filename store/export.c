/*
 * export.c - what provex export reads: the documents a filter selects
 * (one per text unless duplicates are kept), how many copies of each a
 * sample or a mixture asks for, and the chosen rows with their text.
 *
 * Samples and mixtures rank documents by a hash of (seed, document id) and
 * take the smallest ranks; a group asked for more records than it has
 * documents repeats every document k or k+1 times, the k+1 going to the
 * documents of smallest rank.  So the same command on the same store
 * chooses the same documents, whatever order SQLite returns them in.
 *
 * Rows are read by walking the filter in id order and picking the chosen
 * ids as they pass (a merge), so texts are decompressed only for the
 * documents written.
 */
#include "store_int.h"
#include "export.h"
#include "filter.h"
#include "fields.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* ---- arithmetic ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t export_rank(uint64_t seed, int64_t id)
{
	return splitmix64(splitmix64(seed) ^ (uint64_t)id);
}

struct ranked {
	uint64_t rank;
	int64_t id;
	size_t at;
};

static int by_rank(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Fills reps[] so that they add up to written, evenly: k or k+1 each.
 * The ranking is only needed for the remainder.
 */
void export_repeats(const int64_t *ids, size_t n, uint64_t seed,
		    int64_t written, uint32_t *reps)
{
	struct ranked *r;
	uint64_t k, extra;
	size_t i;

	if (n == 0)
		return;
	if (written < 0)
		written = 0;
	k = (uint64_t)written / n;
	extra = (uint64_t)written % n;
	for (i = 0; i < n; i++)
		reps[i] = (uint32_t)k;
	if (extra == 0)
		return;
	r = pv_malloc(n * sizeof *r);
	for (i = 0; i < n; i++) {
		r[i].rank = export_rank(seed, ids[i]);
		r[i].id = ids[i];
		r[i].at = i;
	}
	qsort(r, n, sizeof *r, by_rank);
	for (i = 0; i < extra; i++)
		reps[r[i].at]++;
	free(r);
}

struct rem {
	double frac;
	size_t at;
};

static int by_frac_desc(const void *a, const void *b)
{
	const struct rem *x = a, *y = b;

	if (x->frac != y->frac)
		return x->frac > y->frac ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

int export_mix_plan(struct export_group *g, size_t n, int64_t total,
		    int64_t max_repeat, struct pv_err *err)
{
	struct rem *r;
	double sum = 0;
	int64_t assigned = 0, left;
	size_t i;

	if (n == 0)
		return pv_errf(err, PV_EUSAGE, "--mix names no groups");
	if (total <= 0)
		return pv_errf(err, PV_EUSAGE, "--total must be a positive number");
	for (i = 0; i < n; i++) {
		if (!(g[i].share > 0 && g[i].share <= 1))
			return pv_errf(err, PV_EUSAGE, "--mix: the share of '%s' must be "
				       "above 0 and at most 1, not %g", g[i].value, g[i].share);
		sum += g[i].share;
	}
	if (fabs(sum - 1) > 1e-6)
		return pv_errf(err, PV_EUSAGE, "--mix: the shares add up to %.6g, "
			       "not 1", sum);
	for (i = 0; i < n; i++)
		if (g[i].available == 0)
			return pv_errf(err, PV_EUSAGE, "--mix: no document has %s",
				       g[i].value);
	r = pv_malloc(n * sizeof *r);
	for (i = 0; i < n; i++) {
		double q = g[i].share / sum * (double)total;
		double fl = floor(q);
		g[i].target = (int64_t)fl;
		assigned += g[i].target;
		r[i].frac = q - fl;
		r[i].at = i;
	}
	qsort(r, n, sizeof *r, by_frac_desc);
	left = total - assigned;
	for (i = 0; left > 0; i = (i + 1) % n, left--)
		g[r[i].at].target++;
	/* rounding can only overshoot through floating error: take back from
	 * the smallest remainders */
	for (i = n; left < 0; i = i > 1 ? i - 1 : n) {
		if (g[r[i - 1].at].target > 0) {
			g[r[i - 1].at].target--;
			left++;
		}
	}
	free(r);
	for (i = 0; i < n; i++) {
		g[i].written = g[i].target;
		if (max_repeat > 0 && g[i].target > max_repeat * g[i].available)
			g[i].written = max_repeat * g[i].available;
		g[i].shortfall = g[i].target - g[i].written;
	}
	return 0;
}

/* ---- candidates ---- */

const char *export_mix_column(const char *field)
{
	static const char *const mixable[] = {
		"origin", "source", "generator", "purpose", "label", NULL
	};

	return field_column(field, mixable);
}

struct tpair {
	int64_t text_id, id;
};

static int by_text(const void *a, const void *b)
{
	const struct tpair *x = a, *y = b;

	if (x->text_id != y->text_id)
		return x->text_id < y->text_id ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int by_id(const void *a, const void *b)
{
	const struct tpair *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Drops every document whose text occurred at a smaller id, keeping the
 * arrays in id order.
 */
static void drop_dups(struct export_cands *c)
{
	struct tpair *p;
	size_t i, j, keep = 0;

	if (c->n < 2)
		return;
	p = pv_malloc(c->n * sizeof *p);
	for (i = 0; i < c->n; i++) {
		p[i].text_id = c->text_ids[i];
		p[i].id = c->ids[i];
	}
	qsort(p, c->n, sizeof *p, by_text);
	for (i = 0; i < c->n; i++)
		if (i == 0 || p[i].text_id != p[i - 1].text_id)
			p[keep++] = p[i];
	qsort(p, keep, sizeof *p, by_id);
	/* walk both lists in id order; group[] follows its document */
	for (i = 0, j = 0; i < c->n && j < keep; i++) {
		if (c->ids[i] != p[j].id)
			continue;
		c->ids[j] = c->ids[i];
		c->text_ids[j] = c->text_ids[i];
		c->group[j] = c->group[i];
		j++;
	}
	c->dups += (int64_t)(c->n - keep);
	c->n = keep;
	free(p);
}

int export_candidates(struct store *s, const struct filter_sql *where,
		      bool keep_dups, const char *field,
		      const char *const *values, size_t nvalues,
		      struct export_cands *out, struct pv_err *err)
{
	const char *col = NULL;
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (field && !(col = export_mix_column(field)))
		return pv_errf(err, PV_EUSAGE, "cannot mix on '%s' (origin, source, "
			       "generator, purpose, label)", field);
	buf_printf(&sql, "SELECT d.id, d.text_id, coalesce(%s,'')", col ? col : "''");
	store_from(where, &sql);
	buf_printf(&sql, "WHERE %s ORDER BY d.id", where && where->where ? where->where : "1");
	st = store_prepare_where(s, buf_str(&sql), where, "selecting documents to export", err);
	buf_done(&sql);
	if (!st)
		return err ? err->code : PV_ESTORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int grp = 0;
		if (col) {
			const char *v = (const char *)sqlite3_column_text(st, 2);
			size_t k;
			for (k = 0; k < nvalues; k++)
				if (strcmp(values[k], v ? v : "") == 0)
					break;
			if (k == nvalues) {
				out->ungrouped++;
				continue;
			}
			grp = (int)k;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 1024;
			out->ids = pv_realloc(out->ids, cap * sizeof *out->ids);
			out->text_ids = pv_realloc(out->text_ids, cap * sizeof *out->text_ids);
			out->group = pv_realloc(out->group, cap * sizeof *out->group);
		}
		out->ids[out->n] = sqlite3_column_int64(st, 0);
		out->text_ids[out->n] = sqlite3_column_int64(st, 1);
		out->group[out->n] = grp;
		out->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		export_cands_done(out);
		return store_sqlerr(s, err, "selecting documents to export");
	}
	if (!keep_dups)
		drop_dups(out);
	return 0;
}

void export_cands_done(struct export_cands *c)
{
	free(c->ids);
	free(c->text_ids);
	free(c->group);
	memset(c, 0, sizeof *c);
}

/* ---- rows ---- */

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int export_rows(struct store *s, const struct filter_sql *where,
		const int64_t *ids, const uint32_t *reps, size_t n,
		int (*cb)(void *ctx, const struct export_doc *d, uint32_t reps),
		void *ctx, struct pv_err *err)
{
	struct buf sql = BUF_INIT, text = BUF_INIT;
	struct export_doc d;
	sqlite3_stmt *st;
	size_t k = 0;
	int rc = SQLITE_DONE, ret = 0;

	while (k < n && reps[k] == 0)
		k++;
	if (k == n)
		return 0;
	/* start at the first chosen id: a sample of a large store skips the rest */
	buf_puts(&sql, "SELECT d.id, d.text_id, d.ext_id, d.origin, d.source, "
		 "d.generator, d.purpose, d.label, d.note, d.meta");
	store_from(where, &sql);
	buf_printf(&sql, "WHERE (%s) AND d.id >= %lld ORDER BY d.id",
		   where && where->where ? where->where : "1", (long long)ids[k]);
	st = store_prepare_where(s, buf_str(&sql), where, "selecting documents to export", err);
	buf_done(&sql);
	if (!st)
		return err ? err->code : PV_ESTORE;
	while (k < n && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		while (k < n && (ids[k] < id || reps[k] == 0))
			k++;
		if (k == n || ids[k] != id)
			continue;
		memset(&d, 0, sizeof d);
		d.id = id;
		d.text_id = sqlite3_column_int64(st, 1);
		d.ext_id = col_text(st, 2);
		d.origin = col_text(st, 3);
		d.source = col_text(st, 4);
		d.generator = col_text(st, 5);
		d.purpose = col_text(st, 6);
		d.label = col_text(st, 7);
		d.note = col_text(st, 8);
		d.meta = col_text(st, 9);
		if ((ret = store_text_read(s, d.text_id, &text, err)))
			break;
		d.text = text.data ? text.data : "";
		d.len = text.len;
		if ((ret = cb(ctx, &d, reps[k])))
			break;
		k++;
	}
	if (!ret && k < n && rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = store_sqlerr(s, err, "reading documents to export");
	sqlite3_finalize(st);
	buf_done(&text);
	return ret;
}

int export_begin(struct store *s, struct pv_err *err)
{
	/* a deferred transaction takes its snapshot at the first read */
	if (store_exec(s->db, "BEGIN", err))
		return err ? err->code : PV_ESTORE;
	return store_exec(s->db, "SELECT count(*) FROM docs", err);
}

void export_end(struct store *s)
{
	store_exec(s->db, "COMMIT", NULL);
}

int export_store_state(struct store *s, int64_t *history_pos, int64_t *docs,
		       struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*history_pos = *docs = 0;
	st = store_prepare_where(s, "SELECT (SELECT coalesce(max(id),0) FROM history), "
				 "(SELECT count(*) FROM docs)", NULL,
				 "reading the store's position", err);
	if (!st)
		return err ? err->code : PV_ESTORE;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*history_pos = sqlite3_column_int64(st, 0);
		*docs = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sqlerr(s, err, "reading the store's state");
	return 0;
}
