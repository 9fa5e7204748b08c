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
 * The chosen rows are then looked up by id, on a thread of their own
 * that runs ahead of the writing, so texts are decompressed only for the
 * documents written.
 */
#include "store_int.h"
#include "export.h"
#include "filter.h"
#include "fields.h"
#include "set.h"
#include "../common/mix.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>


/* ---- arithmetic ---- */

uint64_t export_rank(uint64_t seed, int64_t id)
{
	return pv_mix64(pv_mix64(seed) ^ (uint64_t)id);
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
	pv_qsort(r, n, sizeof *r, by_rank);
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
	pv_qsort(r, n, sizeof *r, by_frac_desc);
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
		/* (a cap above INT64_MAX / available caps nothing) */
		if (max_repeat > 0 && max_repeat <= INT64_MAX / g[i].available &&
		    g[i].target > max_repeat * g[i].available)
			g[i].written = max_repeat * g[i].available;
		g[i].shortfall = g[i].target - g[i].written;
	}
	return 0;
}

/*
 * The largest total whose plan fits the cap: share * T <= cap for every
 * group gives a first guess; rounding can put a target one record over,
 * so the total goes down until none is.
 */
int export_mix_fit(struct export_group *g, size_t n, int64_t total,
		   int64_t max_repeat, int64_t *fitted, struct pv_err *err)
{
	int64_t *asked, t;
	size_t i;
	int rc;
	bool over;

	*fitted = 0;
	if ((rc = export_mix_plan(g, n, total, 0, err)))
		return rc;
	if (max_repeat <= 0) {
		*fitted = total;
		return 0;
	}
	asked = pv_malloc(n * sizeof *asked);
	t = total;
	for (i = 0; i < n; i++) {
		double cap = (double)max_repeat * (double)g[i].available;
		asked[i] = g[i].target;
		if (cap < g[i].share * (double)t)
			t = (int64_t)floor(cap / g[i].share);
	}
	for (;;) {
		if (t < (int64_t)n) {
			free(asked);
			return pv_errf(err, PV_EUSAGE, "--keep-shares: no total of at least "
				       "one record per group keeps the shares within "
				       "--max-repeat %lld", (long long)max_repeat);
		}
		if ((rc = export_mix_plan(g, n, t, 0, err))) {
			free(asked);
			return rc;
		}
		over = false;
		for (i = 0; i < n; i++)
			if (max_repeat <= INT64_MAX / g[i].available &&
			    g[i].target > max_repeat * g[i].available)
				over = true;
		if (!over)
			break;
		t--;
	}
	for (i = 0; i < n; i++) {
		g[i].written = g[i].target;
		g[i].target = asked[i];
		g[i].shortfall = g[i].target - g[i].written;
	}
	free(asked);
	*fitted = t;
	return 0;
}

/* ---- shuffling ---- */

void export_perm_init(struct export_perm *p, uint64_t seed, uint64_t size)
{
	unsigned bits = 2;
	int i;

	memset(p, 0, sizeof *p);
	p->size = size;
	while (bits < 64 && (UINT64_C(1) << bits) < size)
		bits += 2;
	p->half = bits / 2;
	p->mask = (UINT64_C(1) << p->half) - 1;
	for (i = 0; i < 6; i++)
		p->key[i] = pv_mix64(seed * 6 + (uint64_t)i + 0x5eed);
}

/* One pass of the network over x (2 * half bits): a bijection. */
static uint64_t feistel(const struct export_perm *p, uint64_t x)
{
	uint64_t l = (x >> p->half) & p->mask, r = x & p->mask, t;
	int i;

	for (i = 0; i < 6; i++) {
		t = r;
		r = l ^ (pv_mix64(p->key[i] ^ r) & p->mask);
		l = t;
	}
	return (l << p->half) | r;
}

uint64_t export_perm_at(const struct export_perm *p, uint64_t i)
{
	uint64_t x = i;

	/* cycle walking: the network permutes [0, 4^half), which holds
	 * [0, size); following it from i until it is back inside gives a
	 * permutation of [0, size) */
	do
		x = feistel(p, x);
	while (x >= p->size);
	return x;
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
	pv_qsort(p, c->n, sizeof *p, by_text);
	for (i = 0; i < c->n; i++)
		if (i == 0 || p[i].text_id != p[i - 1].text_id)
			p[keep++] = p[i];
	pv_qsort(p, keep, sizeof *p, by_id);
	/* walk both lists in id order; group[] follows its document */
	for (i = 0, j = 0; i < c->n && j < keep; i++) {
		if (c->ids[i] != p[j].id)
			continue;
		c->ids[j] = c->ids[i];
		c->text_ids[j] = c->text_ids[i];
		c->group[j] = c->group[i];
		c->len[j] = c->len[i];
		c->extra[j] = c->extra[i];
		j++;
	}
	c->dups += (int64_t)(c->n - keep);
	c->n = keep;
	free(p);
}

struct cand {
	int64_t id, text_id;
	int group;
	uint32_t len, extra, part;
	unsigned char hash[16];
};

static int by_cand_id(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Puts the candidates in id order. */
static void sort_cands(struct export_cands *c)
{
	struct cand *p;
	size_t i;

	for (i = 1; i < c->n && c->ids[i - 1] < c->ids[i]; i++)
		;
	if (i >= c->n)
		return;
	p = pv_malloc(c->n * sizeof *p);
	for (i = 0; i < c->n; i++) {
		p[i].id = c->ids[i];
		p[i].text_id = c->text_ids[i];
		p[i].group = c->group[i];
		p[i].len = c->len[i];
		p[i].extra = c->extra[i];
		p[i].part = c->part ? c->part[i] : 0;
		if (c->hash)
			memcpy(p[i].hash, c->hash + 16 * i, 16);
	}
	pv_qsort(p, c->n, sizeof *p, by_cand_id);
	for (i = 0; i < c->n; i++) {
		c->ids[i] = p[i].id;
		c->text_ids[i] = p[i].text_id;
		c->group[i] = p[i].group;
		c->len[i] = p[i].len;
		c->extra[i] = p[i].extra;
		if (c->part)
			c->part[i] = p[i].part;
		if (c->hash)
			memcpy(c->hash + 16 * i, p[i].hash, 16);
	}
	free(p);
}

static uint32_t cap32(int64_t v)
{
	return v < 0 ? 0 : v > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/*
 * Collects the documents matching where into out.  With scan, docs is
 * read once in id order (no index); without, SQLite plans the filter as
 * it likes, and the walk stops when it has seen more than limit rows
 * (0: no limit), returning 1 with out empty.
 */
static int collect(struct store *s, const struct filter_sql *where, bool scan,
		   size_t limit, const char *col, const char *const *values,
		   size_t nvalues, struct export_cands *out, struct pv_err *err)
{
	static const char plain[] = " FROM docs d ";
	/* bytes of the other columns (CAST: bytes, not characters) */
	static const char extra_sql[] =
		"coalesce(length(CAST(d.meta AS BLOB)),0)"
		"+coalesce(length(CAST(d.source AS BLOB)),0)"
		"+coalesce(length(CAST(d.generator AS BLOB)),0)"
		"+coalesce(length(CAST(d.purpose AS BLOB)),0)"
		"+coalesce(length(CAST(d.label AS BLOB)),0)"
		"+coalesce(length(CAST(d.note AS BLOB)),0)"
		"+length(CAST(d.ext_id AS BLOB))";
	struct buf sql = BUF_INIT, from = BUF_INIT;
	sqlite3_stmt *st;
	size_t cap = 0, seen = 0;
	int rc;

	export_cands_done(out);
	buf_printf(&sql, "SELECT d.id, d.text_id, coalesce(%s,''), d.len, %s",
		   col ? col : "''", extra_sql);
	store_from(where, &from);
	if (scan && strncmp(buf_str(&from), plain, strlen(plain)) == 0) {
		buf_puts(&sql, " FROM docs d NOT INDEXED ");
		buf_puts(&sql, buf_str(&from) + strlen(plain));
	} else {
		buf_puts(&sql, buf_str(&from));
	}
	buf_done(&from);
	buf_printf(&sql, "WHERE %s", where && where->where ? where->where : "1");
	if (scan)
		buf_puts(&sql, " ORDER BY d.id");
	rc = store_prep_where(s, &st, buf_str(&sql), where, "selecting documents to export",
			      err);
	buf_done(&sql);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int grp = 0;
		if (limit && ++seen > limit) {
			sqlite3_finalize(st);
			export_cands_done(out);
			return 1;
		}
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
			out->len = pv_realloc(out->len, cap * sizeof *out->len);
			out->extra = pv_realloc(out->extra, cap * sizeof *out->extra);
		}
		out->ids[out->n] = sqlite3_column_int64(st, 0);
		out->text_ids[out->n] = sqlite3_column_int64(st, 1);
		out->group[out->n] = grp;
		out->len[out->n] = cap32(sqlite3_column_int64(st, 3));
		out->extra[out->n] = cap32(sqlite3_column_int64(st, 4));
		out->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		export_cands_done(out);
		return store_sqlerr(s, err, "selecting documents to export");
	}
	sort_cands(out);
	return 0;
}

/*
 * SQLite plans a filter on an indexed column as a walk of the index with
 * a lookup of each match, which costs more than reading the whole table
 * once when the filter matches much of it (and without statistics SQLite
 * cannot tell).  So the planned walk is tried first, and given up for a
 * scan of the table after a sixteenth of the store's rows.  Either way
 * the documents are the same, sorted by id here (SQLite's sorter would
 * spill to temporary files).
 */
struct idhash {
	int64_t id;
	unsigned char hash[16];
};

static int by_idhash(const void *a, const void *b)
{
	const struct idhash *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Candidates at least 1/HASH_SCAN_PART of the texts: every text's hash
 * is read from the hash index (a few bytes a text, where the pages of
 * texts hold the bodies); fewer: each is looked up. */
#define HASH_SCAN_PART 8

static int hash_damaged(struct store *s, int64_t text_id, struct pv_err *err)
{
	return pv_errf(err, PV_ESTORE, "%s: text %lld has no hash of 16 bytes: "
		       "the store is damaged", s->path, (long long)text_id);
}

/*
 * Fills c->hash (16 bytes per candidate) with the hash of each one's
 * text: a set dedupes by hash, text ids being per shard.
 */
static int text_hashes(struct store *s, struct export_cands *c, struct pv_err *err)
{
	struct idhash *t = NULL, key;
	size_t nt = 0, cap = 0, i;
	sqlite3_stmt *st;
	int64_t ntexts = 0;
	bool scan;
	int rc;

	c->hash = pv_malloc((c->n ? c->n : 1) * 16);
	if (c->n == 0)
		return 0;
	if ((rc = store_prep_where(s, &st, "SELECT coalesce(max(id),0) FROM texts", NULL,
				   "selecting documents to export", err)))
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		ntexts = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	scan = (int64_t)c->n * HASH_SCAN_PART >= ntexts;
	if ((rc = store_prep_where(s, &st, scan ? "SELECT id, hash FROM texts" :
				   "SELECT id, hash FROM texts WHERE id=?1", NULL,
				   "selecting documents to export", err)))
		return rc;
	for (i = 0; i < (scan ? 1 : c->n); i++) {
		bool found = false;
		if (!scan)
			sqlite3_bind_int64(st, 1, c->text_ids[i]);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);
			const void *h = sqlite3_column_blob(st, 1);
			if (!h || sqlite3_column_bytes(st, 1) != 16) {
				sqlite3_finalize(st);
				free(t);
				return hash_damaged(s, id, err);
			}
			if (!scan) {
				memcpy(c->hash + 16 * i, h, 16);
				found = true;
				continue;
			}
			if (nt == cap) {
				cap = cap ? 2 * cap : 4096;
				t = pv_realloc(t, cap * sizeof *t);
			}
			t[nt].id = id;
			memcpy(t[nt].hash, h, 16);
			nt++;
		}
		if (rc != SQLITE_DONE) {
			rc = store_sqlerr(s, err, "selecting documents to export");
			sqlite3_finalize(st);
			free(t);
			return rc;
		}
		sqlite3_reset(st);
		if (!scan && !found) {
			sqlite3_finalize(st);
			return hash_damaged(s, c->text_ids[i], err);
		}
	}
	sqlite3_finalize(st);
	if (!scan)
		return 0;
	pv_qsort(t, nt, sizeof *t, by_idhash);
	for (i = 0; i < c->n; i++) {
		struct idhash *f;
		key.id = c->text_ids[i];
		f = bsearch(&key, t, nt, sizeof *t, by_idhash);
		if (!f) {
			free(t);
			return hash_damaged(s, c->text_ids[i], err);
		}
		memcpy(c->hash + 16 * i, f->hash, 16);
	}
	free(t);
	return 0;
}

static int candidates(struct store *s, const struct filter_sql *where,
		      const char *col, const char *const *values, size_t nvalues,
		      bool hash, struct export_cands *out, struct pv_err *err)
{
	sqlite3_stmt *st;
	int64_t top = 0;
	int rc = 1;

	memset(out, 0, sizeof *out);
	if (where && where->where) {
		if ((rc = store_prep_where(s, &st, "SELECT coalesce(max(id),0) FROM docs",
					   NULL, "selecting documents to export", err)))
			return rc;
		if (sqlite3_step(st) == SQLITE_ROW)
			top = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		/* a shard's ids say nothing of its size (they start at
		 * SET_ID_STRIDE, one range per file): count them */
		if (top >= SET_ID_STRIDE) {
			if ((rc = store_prep_where(s, &st, "SELECT count(*) FROM docs", NULL,
						   "selecting documents to export", err)))
				return rc;
			if (sqlite3_step(st) == SQLITE_ROW)
				top = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		rc = collect(s, where, false, (size_t)(top / 16) + 256, col, values,
			     nvalues, out, err);
	}
	if (rc == 1)
		rc = collect(s, where, true, 0, col, values, nvalues, out, err);
	if (rc == 0 && hash)
		rc = text_hashes(s, out, err);
	return rc;
}

int export_candidates(struct store *s, const struct filter_sql *where,
		      bool keep_dups, const char *field,
		      const char *const *values, size_t nvalues,
		      struct export_cands *out, struct pv_err *err)
{
	const char *col = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (field && !(col = export_mix_column(field)))
		return pv_errf(err, PV_EUSAGE, "cannot mix on '%s' (origin, source, "
			       "generator, purpose, label)", field);
	if ((rc = candidates(s, where, col, values, nvalues, false, out, err)))
		return rc;
	if (!keep_dups)
		drop_dups(out);
	return 0;
}

/* ---- candidates of a set ---- */

/*
 * The parts of a set (store/set.h): each shard as published, and when the
 * review overlay holds changed documents, the rows it replaces (sign -1,
 * not listed) and its own rows of the shard (listed).  A listing reads
 * the listed parts and skips the rows the overlay shadows.
 */
static size_t nparts(const struct store_set *set)
{
	return set_nparts(set);
}

static struct store *part_store(const struct store_set *set, size_t k)
{
	return set_part(set, k)->s;
}

static int part_sign(const struct store_set *set, size_t k)
{
	return set_part(set, k)->sign;
}

static bool part_listed(const struct store_set *set, size_t k)
{
	return set_part(set, k)->listed;
}

static bool part_shadowed(const struct store_set *set, size_t k, int64_t id)
{
	return set_shadowed(set, set_part(set, k), id);
}

struct hpair {
	unsigned char hash[16];
	int64_t id;
};

static int by_hash(const void *a, const void *b)
{
	const struct hpair *x = a, *y = b;
	int c = memcmp(x->hash, y->hash, 16);

	if (c)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int by_hpair_id(const void *a, const void *b)
{
	const struct hpair *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * drop_dups by the texts' hash, for candidates from several shards (each
 * stores its own copy of a text, under its own text id): keeps the
 * smallest id of each text, as one store holding every document would.
 */
static void drop_dups_hash(struct export_cands *c)
{
	struct hpair *p;
	size_t i, j, keep = 0;

	if (c->n < 2)
		return;
	p = pv_malloc(c->n * sizeof *p);
	for (i = 0; i < c->n; i++) {
		memcpy(p[i].hash, c->hash + 16 * i, 16);
		p[i].id = c->ids[i];
	}
	pv_qsort(p, c->n, sizeof *p, by_hash);
	for (i = 0; i < c->n; i++)
		if (i == 0 || memcmp(p[i].hash, p[i - 1].hash, 16) != 0)
			p[keep++] = p[i];
	pv_qsort(p, keep, sizeof *p, by_hpair_id);
	for (i = 0, j = 0; i < c->n && j < keep; i++) {
		if (c->ids[i] != p[j].id)
			continue;
		c->ids[j] = c->ids[i];
		c->text_ids[j] = c->text_ids[i];
		c->group[j] = c->group[i];
		c->len[j] = c->len[i];
		c->extra[j] = c->extra[i];
		c->part[j] = c->part[i];
		memmove(c->hash + 16 * j, c->hash + 16 * i, 16);
		j++;
	}
	c->dups += (int64_t)(c->n - keep);
	c->n = keep;
	free(p);
}

/* Appends the candidates of part k (shadowed rows left out) to out. */
static void append_part(struct export_cands *out, size_t *cap,
			const struct export_cands *c, const struct store_set *set,
			size_t k)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (part_shadowed(set, k, c->ids[i]))
			continue;
		if (out->n == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			out->ids = pv_realloc(out->ids, *cap * sizeof *out->ids);
			out->text_ids = pv_realloc(out->text_ids, *cap * sizeof *out->text_ids);
			out->group = pv_realloc(out->group, *cap * sizeof *out->group);
			out->len = pv_realloc(out->len, *cap * sizeof *out->len);
			out->extra = pv_realloc(out->extra, *cap * sizeof *out->extra);
			out->part = pv_realloc(out->part, *cap * sizeof *out->part);
			out->hash = pv_realloc(out->hash, *cap * 16);
		}
		out->ids[out->n] = c->ids[i];
		out->text_ids[out->n] = c->text_ids[i];
		out->group[out->n] = c->group[i];
		out->len[out->n] = c->len[i];
		out->extra[out->n] = c->extra[i];
		out->part[out->n] = (uint32_t)k;
		memcpy(out->hash + 16 * out->n, c->hash + 16 * i, 16);
		out->n++;
	}
}

int export_set_candidates(struct store_set *set, const struct filter_sql *where,
			  bool keep_dups, const char *field,
			  const char *const *values, size_t nvalues,
			  struct export_cands *out, struct pv_err *err)
{
	struct export_cands c;
	const char *col = NULL;
	size_t k, cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (field && !(col = export_mix_column(field)))
		return pv_errf(err, PV_EUSAGE, "cannot mix on '%s' (origin, source, "
			       "generator, purpose, label)", field);
	for (k = 0; k < nparts(set); k++) {
		if (!part_listed(set, k))
			continue;
		if ((rc = candidates(part_store(set, k), where ? &where[k] : NULL, col,
				     values, nvalues, true, &c, err))) {
			export_cands_done(out);
			return rc;
		}
		append_part(out, &cap, &c, set, k);
		out->ungrouped += c.ungrouped;
		export_cands_done(&c);
	}
	/* ids are unique over the set: in id order, the shards' rows
	 * interleave as one store's would */
	sort_cands(out);
	if (!keep_dups)
		drop_dups_hash(out);
	free(out->hash);
	out->hash = NULL;
	return 0;
}

void export_cands_done(struct export_cands *c)
{
	free(c->ids);
	free(c->text_ids);
	free(c->group);
	free(c->len);
	free(c->extra);
	free(c->part);
	free(c->hash);
	memset(c, 0, sizeof *c);
}

/* ---- rows ---- */

/*
 * The rows are read by a thread of their own, which owns the SQLite
 * connection (and the store's codec) for the whole walk: it looks up each
 * chosen document by id (with its text, in the same statement), copies
 * its columns and decompresses its text into a batch.  The calling thread
 * takes the batches in order and calls cb.  At most NBATCH batches exist,
 * so the reader runs at most that far ahead.  An error of the reader's is
 * returned after the documents read before it, as a single thread would;
 * when cb stops, the reader is told to stop too.
 *
 * The filter is not asked again: the ids are the ones it chose (in the
 * same snapshot), and looking them up needs no sort, however the filter
 * would be planned.
 */
static const char rows_sql[] =
	"SELECT d.text_id, d.ext_id, d.origin, d.source, d.generator, d.purpose, "
	"d.label, d.note, d.meta, t.id, t.dict_id, t.body, t.len "
	"FROM docs d LEFT JOIN texts t ON t.id=d.text_id WHERE d.id=?1";

#define BATCH_ROWS 256
#define BATCH_BYTES (2u << 20)    /* texts and columns */
#define NBATCH 4
#define NCOLS 8                   /* ext_id, origin, ..., meta */
#define TEXT_KEEP (1u << 20)      /* a row's text buffer larger than this is freed */

struct brow {
	int64_t id, text_id;
	uint32_t reps, copy;
	size_t col[NCOLS];        /* offsets into the arena; SIZE_MAX: NULL */
	struct buf text;          /* reused from batch to batch */
};

struct batch {
	struct brow *rows;
	size_t n, cap;
	struct buf arena;         /* the columns' strings */
	int rc;                   /* the reader's error after the rows, or 0 */
	struct pv_err err;
	bool end;                 /* the last batch */
};

struct reader {
	struct store *const *stores;    /* borrowed: one, or a set's parts */
	sqlite3_stmt **sts;             /* owned: one statement per store */
	size_t nst;
	const uint32_t *part;           /* the store of ids[k], or NULL: the first */
	const int64_t *ids;
	const uint32_t *reps;
	size_t n, k;
	struct batch b[NBATCH];
	pthread_mutex_t mu;
	pthread_cond_t room, ready;
	size_t made, used;        /* batches filled, batches given back */
	bool stop;                /* the caller wants no more */
	bool threaded;
	/* shuffled: record x is copy x - cum[k] of ids[k], cum[k] <= x <
	 * cum[k + 1]; records come out in the order of perm */
	uint64_t *cum;            /* owned: n + 1 counts, or NULL */
	struct export_perm perm;
	uint64_t pos;             /* records handed out */
};

/* The next document (or record, shuffled) to read: 0, or 1 at the end;
 * *at is its index in ids. */
static int next_item(struct reader *r, int64_t *id, uint32_t *reps, uint32_t *copy,
		     size_t *at)
{
	if (r->cum) {
		uint64_t x;
		size_t lo = 0, hi = r->n;
		if (r->pos == r->perm.size)
			return 1;
		x = export_perm_at(&r->perm, r->pos);
		while (hi - lo > 1) {       /* cum[lo] <= x < cum[hi] */
			size_t mid = lo + (hi - lo) / 2;
			if (r->cum[mid] <= x)
				lo = mid;
			else
				hi = mid;
		}
		*id = r->ids[lo];
		*at = lo;
		*reps = 1;
		*copy = (uint32_t)(x - r->cum[lo]);
		return 0;
	}
	while (r->k < r->n && r->reps[r->k] == 0)
		r->k++;
	if (r->k == r->n)
		return 1;
	*id = r->ids[r->k];
	*at = r->k;
	*reps = r->reps[r->k];
	*copy = 0;
	return 0;
}

static void advance(struct reader *r)
{
	if (r->cum)
		r->pos++;
	else
		r->k++;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Decompresses the text in columns 10-12 of st (text_id's) into out. */
static int read_text(struct store *s, sqlite3_stmt *st, int64_t text_id,
		     struct buf *out, struct pv_err *err)
{
	int64_t dict_id = sqlite3_column_int64(st, 10);
	int rc;

	if (sqlite3_column_type(st, 9) == SQLITE_NULL)
		return pv_errf(err, PV_ENOTFOUND, "%s: no text %lld", s->path,
			       (long long)text_id);
	/* store_load_ddict uses another statement: st keeps its row */
	if (dict_id && (rc = store_load_ddict(s, dict_id, err)))
		return rc;
	rc = codec_decompress(s->codec, dict_id, sqlite3_column_blob(st, 11),
			      (size_t)sqlite3_column_bytes(st, 11), SIZE_MAX, out, err);
	if (!rc && (int64_t)out->len != sqlite3_column_int64(st, 12))
		rc = pv_errf(err, PV_ECODEC, "%s: text %lld decompressed to %zu "
			     "bytes, expected %lld: the store is damaged", s->path,
			     (long long)text_id, out->len,
			     (long long)sqlite3_column_int64(st, 12));
	return rc;
}

/* Fills b with the next chosen rows (the reader's side). */
static void fill(struct reader *r, struct batch *b)
{
	size_t bytes = 0;
	int rc, i;

	b->n = 0;
	b->rc = 0;
	b->end = false;
	buf_reset(&b->arena);
	while (b->n < BATCH_ROWS && bytes + b->arena.len < BATCH_BYTES) {
		struct brow *w;
		struct store *s;
		sqlite3_stmt *st;
		int64_t id;
		uint32_t reps, copy;
		size_t at, from;
		if (next_item(r, &id, &reps, &copy, &at)) {
			b->end = true;
			return;
		}
		from = r->part ? r->part[at] : 0;
		s = r->stores[from];
		st = r->sts[from];
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(st);
			if (rc != SQLITE_DONE) {
				b->rc = store_sqlerr(s, &b->err, "reading documents to export");
				b->end = true;
				return;
			}
			advance(r);     /* not there: nothing to write */
			continue;
		}
		if (b->n == b->cap) {
			size_t cap = b->cap ? 2 * b->cap : 64;
			b->rows = pv_realloc(b->rows, cap * sizeof *b->rows);
			memset(b->rows + b->cap, 0, (cap - b->cap) * sizeof *b->rows);
			b->cap = cap;
		}
		w = &b->rows[b->n];
		w->id = id;
		w->text_id = sqlite3_column_int64(st, 0);
		w->reps = reps;
		w->copy = copy;
		for (i = 0; i < NCOLS; i++) {
			const char *v = col_text(st, 1 + i);
			w->col[i] = SIZE_MAX;
			if (v) {
				w->col[i] = b->arena.len;
				buf_append(&b->arena, v, (size_t)sqlite3_column_bytes(st, 1 + i));
				buf_putc(&b->arena, '\0');
			}
		}
		b->rc = read_text(s, st, w->text_id, &w->text, &b->err);
		sqlite3_reset(st);
		if (b->rc) {
			b->end = true;
			return;
		}
		bytes += w->text.len;
		b->n++;
		advance(r);
	}
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct batch *b;
	bool end;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (r->made - r->used == NBATCH && !r->stop)
			pthread_cond_wait(&r->room, &r->mu);
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		b = &r->b[r->made % NBATCH];
		pthread_mutex_unlock(&r->mu);
		fill(r, b);
		end = b->end;
		pthread_mutex_lock(&r->mu);
		r->made++;
		pthread_cond_signal(&r->ready);
		pthread_mutex_unlock(&r->mu);
		if (end)
			return NULL;
	}
}

/* The next batch, in order (the caller's side). */
static struct batch *next_batch(struct reader *r)
{
	struct batch *b;

	if (!r->threaded) {
		b = &r->b[r->used % NBATCH];
		fill(r, b);
		r->made++;
		return b;
	}
	pthread_mutex_lock(&r->mu);
	while (r->made == r->used)
		pthread_cond_wait(&r->ready, &r->mu);
	b = &r->b[r->used % NBATCH];
	pthread_mutex_unlock(&r->mu);
	return b;
}

static void give_back(struct reader *r)
{
	if (!r->threaded) {
		r->used++;
		return;
	}
	pthread_mutex_lock(&r->mu);
	r->used++;
	pthread_cond_signal(&r->room);
	pthread_mutex_unlock(&r->mu);
}

/* Hands the rows of b to cb; returns what cb returned, or the reader's
 * error. */
static int deliver(struct batch *b,
		   int (*cb)(void *ctx, const struct export_doc *d, uint32_t reps),
		   void *ctx, struct pv_err *err)
{
	const char *a = b->arena.data;
	struct export_doc d;
	const char **col[NCOLS] = { &d.ext_id, &d.origin, &d.source, &d.generator,
		&d.purpose, &d.label, &d.note, &d.meta };
	size_t i;
	int rc = 0, c;

	for (i = 0; i < b->n && !rc; i++) {
		struct brow *w = &b->rows[i];
		memset(&d, 0, sizeof d);
		d.id = w->id;
		d.text_id = w->text_id;
		for (c = 0; c < NCOLS; c++)
			*col[c] = w->col[c] == SIZE_MAX ? NULL : a + w->col[c];
		d.text = w->text.data ? w->text.data : "";
		d.len = w->text.len;
		d.copy = w->copy;
		rc = cb(ctx, &d, w->reps);
		if (w->text.cap > TEXT_KEEP)
			buf_done(&w->text);
	}
	if (rc)
		return rc;
	if (b->rc && err)
		*err = b->err;
	return b->rc;
}

static int rows(struct store *const *stores, size_t nst, const uint32_t *part,
		const int64_t *ids, const uint32_t *reps,
		size_t n, bool shuffle, uint64_t seed,
		int (*cb)(void *ctx, const struct export_doc *d, uint32_t reps),
		void *ctx, struct pv_err *err)
{
	struct reader r;
	sigset_t all, old;
	pthread_t th;
	size_t k = 0, i, j;
	int ret = 0;
	bool end = false;

	while (k < n && reps[k] == 0)
		k++;
	if (k == n)
		return 0;
	memset(&r, 0, sizeof r);
	r.sts = pv_calloc(nst, sizeof *r.sts);
	for (i = 0; i < nst; i++)
		if ((ret = store_prep_where(stores[i], &r.sts[i], rows_sql, NULL,
					    "selecting documents to export", err))) {
			for (j = 0; j < i; j++)
				sqlite3_finalize(r.sts[j]);
			free(r.sts);
			return ret;
		}
	if (shuffle) {
		r.cum = pv_malloc((n + 1) * sizeof *r.cum);
		r.cum[0] = 0;
		for (i = 0; i < n; i++)
			r.cum[i + 1] = r.cum[i] + reps[i];
		export_perm_init(&r.perm, seed, r.cum[n]);
	}
	r.stores = stores;
	r.nst = nst;
	r.part = part;
	r.ids = ids;
	r.reps = reps;
	r.n = n;
	r.k = k;
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.room, NULL);
	pthread_cond_init(&r.ready, NULL);
	/* signals are the caller's business: the reader takes none */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r.threaded = pthread_create(&th, NULL, reader_main, &r) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* without a thread, each batch is filled when it is needed */
	while (!end && !ret) {
		struct batch *b = next_batch(&r);
		end = b->end;
		ret = deliver(b, cb, ctx, err);
		give_back(&r);
	}
	if (r.threaded) {
		pthread_mutex_lock(&r.mu);
		r.stop = true;
		pthread_cond_signal(&r.room);
		pthread_mutex_unlock(&r.mu);
		pthread_join(th, NULL);
	}
	pthread_cond_destroy(&r.ready);
	pthread_cond_destroy(&r.room);
	pthread_mutex_destroy(&r.mu);
	for (i = 0; i < nst; i++)
		sqlite3_finalize(r.sts[i]);
	free(r.sts);
	for (i = 0; i < NBATCH; i++) {
		for (j = 0; j < r.b[i].cap; j++)
			buf_done(&r.b[i].rows[j].text);
		free(r.b[i].rows);
		buf_done(&r.b[i].arena);
	}
	free(r.cum);
	return ret;
}

int export_rows(struct store *s, const int64_t *ids, const uint32_t *reps,
		size_t n,
		int (*cb)(void *ctx, const struct export_doc *d, uint32_t reps),
		void *ctx, struct pv_err *err)
{
	return rows(&s, 1, NULL, ids, reps, n, false, 0, cb, ctx, err);
}

int export_rows_shuffled(struct store *s, const int64_t *ids, const uint32_t *reps,
			 size_t n, uint64_t seed,
			 int (*cb)(void *ctx, const struct export_doc *d, uint32_t reps),
			 void *ctx, struct pv_err *err)
{
	return rows(&s, 1, NULL, ids, reps, n, true, seed, cb, ctx, err);
}

int export_set_rows(struct store_set *set, const struct export_cands *c,
		    const uint32_t *reps, bool shuffle, uint64_t seed,
		    int (*cb)(void *ctx, const struct export_doc *d, uint32_t reps),
		    void *ctx, struct pv_err *err)
{
	struct store **stores;
	size_t k, n = nparts(set);
	int rc;

	stores = pv_malloc((n ? n : 1) * sizeof *stores);
	for (k = 0; k < n; k++)
		stores[k] = part_store(set, k);
	rc = rows(stores, n, c->part, c->ids, reps, c->n, shuffle, seed, cb, ctx, err);
	free(stores);
	return rc;
}

int export_begin(struct store *s, struct pv_err *err)
{
	int rc;

	/* a deferred transaction takes its snapshot at the first read */
	if ((rc = store_exec(s->db, "BEGIN", err)))
		return rc;
	return store_exec(s->db, "SELECT count(*) FROM docs", err);
}

void export_end(struct store *s)
{
	store_exec(s->db, "COMMIT", NULL);
}

double export_store_ratio(struct store *s, const int64_t *text_ids, size_t n)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	double raw = 0, packed = 0;
	size_t i, step;
	int rc;

	if (n == 0)
		return 1;
	step = n > 256 ? n / 256 : 1;
	/* length(body) reads the blob's size, not the blob */
	buf_puts(&sql, "SELECT coalesce(sum(length(body)),0), coalesce(sum(len),0) "
		 "FROM texts WHERE id IN (");
	for (i = 0; i < n; i += step)
		buf_printf(&sql, "%s%lld", i ? "," : "", (long long)text_ids[i]);
	buf_puts(&sql, ")");
	rc = store_prep_where(s, &st, buf_str(&sql), NULL, "estimating the output", NULL);
	buf_done(&sql);
	if (rc)
		return 1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		packed = sqlite3_column_double(st, 0);
		raw = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	return raw > 0 ? packed / raw : 1;
}

int export_store_state(struct store *s, int64_t *history_pos, int64_t *docs,
		       struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*history_pos = *docs = 0;
	if ((rc = store_prep_where(s, &st, "SELECT (SELECT coalesce(max(id),0) FROM history), "
				   "(SELECT count(*) FROM docs)", NULL,
				   "reading the store's position", err)))
		return rc;
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

/* ---- a set's snapshot and figures ---- */

/* set_open holds a read transaction on each shard for the whole command
 * (a published shard never changes): a part already in one keeps it, the
 * others begin theirs here, and every one ends when the set is closed. */
int export_set_begin(struct store_set *set, struct pv_err *err)
{
	size_t k;
	int rc;

	for (k = 0; k < nparts(set); k++)
		if (sqlite3_get_autocommit(part_store(set, k)->db) &&
		    (rc = export_begin(part_store(set, k), err)))
			return rc;
	if (set_overlay(set) && sqlite3_get_autocommit(set_overlay(set)->db))
		return export_begin(set_overlay(set), err);
	return 0;
}

void export_set_end(struct store_set *set)
{
	(void)set;
}

void export_set_map(struct store_set *set)
{
	size_t k;

	for (k = 0; k < nparts(set); k++)
		store_map(part_store(set, k));
}

double export_set_ratio(struct store_set *set, const struct export_cands *c)
{
	int64_t *tids = pv_malloc((c->n ? c->n : 1) * sizeof *tids);
	double sum = 0, w = 0;
	size_t k, i, m;

	for (k = 0; k < nparts(set); k++) {
		for (i = 0, m = 0; i < c->n; i++)
			if (c->part[i] == k)
				tids[m++] = c->text_ids[i];
		if (m) {
			sum += (double)m * export_store_ratio(part_store(set, k), tids, m);
			w += (double)m;
		}
	}
	free(tids);
	return w > 0 ? sum / w : 1;
}

int export_set_state(struct store_set *set, int64_t *history_pos, int64_t *docs,
		     struct pv_err *err)
{
	struct store *review = set_overlay(set);
	int64_t h, d;
	size_t k;
	int rc;

	*history_pos = *docs = 0;
	for (k = 0; k < nparts(set); k++) {
		if ((rc = export_store_state(part_store(set, k), &h, &d, err)))
			return rc;
		*history_pos = PV_MAX(*history_pos, h);
		*docs += part_sign(set, k) * d;
	}
	/* the set's history is review.pvx's (the shards have none) */
	if (review) {
		if ((rc = export_store_state(review, &h, &d, err)))
			return rc;
		*history_pos = PV_MAX(*history_pos, h);
	}
	return 0;
}
