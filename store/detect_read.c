/*
 * detect_read.c - provex detect's reading of the documents: each real
 * and synthetic document the filter selects (unknown origin left out), the
 * groups of --by and the values of --match (open addressing over the
 * values), the values each group covers, the length bins' edges, the
 * groups' order in the report, and the distinct texts with their folds
 * and the control's sample.  Part of detect.c's run (detect_int.h).
 */
#include "detect_int.h"
#include "filter.h"
#include "set.h"
#include "../common/mix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the documents ---- */

/* Looks value (NULL = none) up among the n values that value_at gives,
 * through the open-addressing table *hash (*cap slots, a power of 2, grown
 * and rebuilt to stay at most half full, NONE_GROUP when free): returns its
 * index, or NONE_GROUP with *slot the free slot where the caller, adding it
 * as index n, stores n. */
static uint32_t find_value(const struct run *r, uint32_t **hash, size_t *cap, size_t n,
			   const char *(*value_at)(const struct run *, size_t),
			   const char *value, size_t *slot)
{
	uint64_t h = value ? dt_str_hash(value, strlen(value)) : 0x1234567ULL;
	size_t i, k;

	if (n * 2 >= *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		free(*hash);
		*hash = pv_malloc(c * sizeof **hash);
		for (k = 0; k < c; k++)
			(*hash)[k] = NONE_GROUP;
		*cap = c;
		for (k = 0; k < n; k++) {
			const char *v = value_at(r, k);
			uint64_t hk = v ? dt_str_hash(v, strlen(v)) : 0x1234567ULL;
			for (i = hk & (c - 1); (*hash)[i] != NONE_GROUP; i = (i + 1) & (c - 1))
				;
			(*hash)[i] = (uint32_t)k;
		}
	}
	for (i = h & (*cap - 1); (*hash)[i] != NONE_GROUP; i = (i + 1) & (*cap - 1)) {
		const char *v = value_at(r, (*hash)[i]);
		if ((!v && !value) || (v && value && strcmp(v, value) == 0))
			return (*hash)[i];
	}
	*slot = i;
	return NONE_GROUP;
}

static const char *group_value(const struct run *r, size_t k)
{
	return r->gs[k].value;
}

static const char *match_value(const struct run *r, size_t k)
{
	return r->mvals[k];
}

/* The group of value (NULL = none), added when new. */
static uint32_t group_of(struct run *r, const char *value)
{
	size_t slot;
	uint32_t k = find_value(r, &r->ghash, &r->capg, r->ngs, group_value, value, &slot);

	if (k != NONE_GROUP)
		return k;
	if (r->ngs == r->capgs) {
		r->capgs = r->capgs ? 2 * r->capgs : 16;
		r->gs = pv_realloc(r->gs, r->capgs * sizeof *r->gs);
	}
	r->gs[r->ngs].value = value ? pv_strdup(value) : NULL;
	r->gs[r->ngs].docs = 0;
	r->ghash[slot] = (uint32_t)r->ngs;
	return (uint32_t)r->ngs++;
}

/* The index of the match field's value (NULL = none), added when new. */
static uint32_t mval_of(struct run *r, const char *value)
{
	size_t slot;
	uint32_t k = find_value(r, &r->mhash, &r->capmh, r->nmv, match_value, value, &slot);

	if (k != NONE_GROUP)
		return k;
	if (r->nmv == r->capmv) {
		r->capmv = r->capmv ? 2 * r->capmv : 16;
		r->mvals = pv_realloc(r->mvals, r->capmv * sizeof *r->mvals);
	}
	r->mvals[r->nmv] = value ? pv_strdup(value) : NULL;
	r->mhash[slot] = (uint32_t)r->nmv;
	return (uint32_t)r->nmv++;
}

bool detect_match_field(const char *f)
{
	return f && (!strcmp(f, "source") || !strcmp(f, "purpose") || !strcmp(f, "generator"));
}

/* The field whose values a group's real side is compared on. */
const char *dt_check_field(const struct detect_opts *o)
{
	return detect_match_field(o->match) ? o->match : "source";
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Which values of the match field each group's synthetic documents have
 * (after rank_groups). */
void dt_make_cover(struct run *r)
{
	uint64_t *pairs = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *pairs);
	size_t i, n = 0, m = 0, g;

	for (i = 0; i < r->nrows; i++)
		if (r->rows[i].synth)
			pairs[n++] = (uint64_t)r->rows[i].group << 32 | r->rows[i].mval;
	qsort(pairs, n, sizeof *pairs, cmp_u64);
	r->cover = pv_malloc((n ? n : 1) * sizeof *r->cover);
	r->cstart = pv_calloc(r->ngs + 1, sizeof *r->cstart);
	for (i = 0; i < n; i++) {
		if (i && pairs[i] == pairs[i - 1])
			continue;
		r->cover[m++] = (uint32_t)pairs[i];
		r->cstart[(pairs[i] >> 32) + 1]++;
	}
	for (g = 0; g < r->ngs; g++)
		r->cstart[g + 1] += r->cstart[g];
	free(pairs);
}

/* Whether group g has a synthetic document of match value v. */
bool dt_covers(const struct run *r, uint32_t g, uint32_t v)
{
	size_t lo = r->cstart[g], hi = r->cstart[g + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->cover[mid] == v)
			return true;
		if (r->cover[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The length bin of a document of len bytes (after make_edges). */
size_t dt_bin_of(const struct run *r, int64_t len)
{
	size_t b = 0;

	while (b + 1 < DETECT_BINS && len > r->edges[b])
		b++;
	return b;
}

/* The length bins' edges: the quartiles of the documents' lengths. */
void dt_make_edges(struct run *r, struct detect_report *rep)
{
	int64_t *len = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *len);
	size_t i, k;

	for (i = 0; i < r->nrows; i++)
		len[i] = r->rows[i].len;
	qsort(len, r->nrows, sizeof *len, cmp_i64);
	for (k = 0; k + 1 < DETECT_BINS; k++)
		r->edges[k] = r->nrows ? len[(r->nrows * (k + 1)) / DETECT_BINS] : 0;
	for (k = 0; k < DETECT_BINS; k++) {
		rep->bins[k].min_bytes = INT64_MAX;
		rep->bins[k].max_bytes = -1;
	}
	for (i = 0; i < r->nrows; i++) {
		size_t b = dt_bin_of(r, len[i]);
		rep->bins[b].min_bytes = PV_MIN(rep->bins[b].min_bytes, len[i]);
		rep->bins[b].max_bytes = PV_MAX(rep->bins[b].max_bytes, len[i]);
	}
	for (k = 0; k < DETECT_BINS; k++)
		if (rep->bins[k].max_bytes < 0)
			rep->bins[k].min_bytes = rep->bins[k].max_bytes = 0;
	free(len);
}

/* Rows in text key order, then document id order. */
static int by_text_then_id(const void *a, const void *b)
{
	const struct drow *x = a, *y = b;

	if (x->text_id != y->text_id)
		return x->text_id < y->text_id ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Numbers the match field's values in the order of their first row (so
 * that the order the sources were read in makes no difference). */
static void renumber_mvals(struct run *r)
{
	uint32_t *to = pv_malloc((r->nmv ? r->nmv : 1) * sizeof *to);
	char **vals = pv_malloc((r->capmv ? r->capmv : 1) * sizeof *vals);
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < r->nmv; i++)
		to[i] = NONE_GROUP;
	for (i = 0; i < r->nrows; i++) {
		uint32_t v = r->rows[i].mval;
		if (to[v] == NONE_GROUP) {
			to[v] = n;
			vals[n++] = r->mvals[v];
		}
		r->rows[i].mval = to[v];
	}
	for (i = 0; i < r->nmv; i++)
		if (to[i] == NONE_GROUP)
			vals[n++] = r->mvals[i];   /* none: every value has a row */
	free(r->mvals);
	r->mvals = vals;
	/* the lookup table is the reading's: it indexes the old numbers */
	free(r->mhash);
	r->mhash = NULL;
	r->capmh = 0;
	free(to);
}

/* Reads the documents of the filter from one source: the real and
 * synthetic ones into rows, the unknown ones counted.  A base part of a
 * set leaves out the rows the review overlay holds (its plus part lists
 * them as they are now). */
static int read_src(struct run *r, uint32_t k, struct detect_report *rep,
		    struct pv_err *err)
{
	const struct dsrc *src = &r->src[k];
	const struct filter_sql *where = src->where;
	const char *w = where && where->where ? where->where : "1";
	const char *gcol = r->o->by == DETECT_BY_GENERATOR ? "d.generator" :
			   r->o->by == DETECT_BY_SOURCE ? "d.source" : "NULL";
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	buf_printf(&sql, "SELECT d.id, d.text_id, CASE d.origin WHEN 'real' THEN 0 "
		   "WHEN 'synthetic' THEN 1 ELSE 2 END, %s, d.%s, d.len",
		   gcol, dt_check_field(r->o));
	store_from(where, &sql);
	buf_printf(&sql, "WHERE (%s) ORDER BY d.text_id, d.id", w);
	rc = store_prep_where(src->s, &st, buf_str(&sql), where, "selecting documents", err);
	buf_done(&sql);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct drow *d;
		int64_t id = sqlite3_column_int64(st, 0);
		int origin = sqlite3_column_int(st, 2);
		if (src->part && set_shadowed(r->set, src->part, id))
			continue;
		if (origin == 2) {
			rep->unknown++;
			continue;
		}
		if (r->nrows == r->caprows) {
			r->caprows = r->caprows ? 2 * r->caprows : 1024;
			r->rows = pv_realloc(r->rows, r->caprows * sizeof *r->rows);
		}
		d = &r->rows[r->nrows++];
		d->id = id;
		d->local = sqlite3_column_int64(st, 1);
		d->src = k;
		d->text_id = dt_text_key(r, k, d->local);
		d->synth = origin == 1;
		d->s = 0;
		d->own = NAN;
		d->group = NONE_GROUP;
		d->mval = mval_of(r, (const char *)sqlite3_column_text(st, 4));
		d->len = sqlite3_column_int64(st, 5);
		if (d->text_id < 0) {
			sqlite3_finalize(st);
			return pv_errf(err, PV_ESTORE, "%s: document %lld has text %lld, which "
				       "no document had when the set's texts were numbered: "
				       "was the set written while detect read it? run detect "
				       "again", store_path(src->s), (long long)id,
				       (long long)d->local);
		}
		if (d->synth) {
			const char *v = (const char *)sqlite3_column_text(st, 3);
			d->group = group_of(r, r->o->by == DETECT_BY_NONE ? "all" : v);
			r->gs[d->group].docs++;
			rep->synthetic++;
		} else {
			rep->real++;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(src->s, err, "selecting documents");
	return 0;
}

/* Reads the real and synthetic documents of the filter from every
 * source, in text order (then id order), and counts the unknown ones. */
int dt_read_rows(struct run *r, struct detect_report *rep, struct pv_err *err)
{
	uint32_t k;
	int rc;

	for (k = 0; k < r->nsrc; k++)
		if ((rc = read_src(r, k, rep, err)))
			return rc;
	if (r->nsrc > 1 || r->keys)
		qsort(r->rows, r->nrows, sizeof *r->rows, by_text_then_id);
	renumber_mvals(r);
	return 0;
}

static int by_group_rank(const void *a, const void *b)
{
	const struct gslot *x = *(struct gslot *const *)a, *y = *(struct gslot *const *)b;

	if (x->docs != y->docs)
		return x->docs > y->docs ? -1 : 1;
	if (!x->value || !y->value)
		return !x->value - !y->value;   /* no value last */
	return strcmp(x->value, y->value);
}

/* Orders the groups (most documents first, then by value) and renumbers
 * the rows' groups to match. */
void dt_rank_groups(struct run *r)
{
	struct gslot **p = pv_malloc((r->ngs ? r->ngs : 1) * sizeof *p);
	struct gslot *ordered;
	size_t i;

	for (i = 0; i < r->ngs; i++)
		p[i] = &r->gs[i];
	qsort(p, r->ngs, sizeof *p, by_group_rank);
	for (i = 0; i < r->ngs; i++)
		p[i]->rank = (uint32_t)i;
	for (i = 0; i < r->nrows; i++)
		if (r->rows[i].group != NONE_GROUP)
			r->rows[i].group = r->gs[r->rows[i].group].rank;
	ordered = pv_malloc((r->ngs ? r->ngs : 1) * sizeof *ordered);
	for (i = 0; i < r->ngs; i++)
		ordered[i] = *p[i];
	free(r->gs);
	free(p);
	r->gs = ordered;
	r->capgs = r->ngs;
}

/* Groups the rows by text; checks that there is something to learn. */
int dt_make_texts(struct run *r, struct detect_report *rep, struct pv_err *err)
{
	size_t i, nreal = 0, nsyn = 0;
	unsigned k = r->o->folds;

	if (rep->synthetic == 0 || rep->real == 0)
		return pv_errf(err, PV_EINVAL, "the filter matches %lld real and %lld "
			       "synthetic documents%s: detect needs both", (long long)rep->real,
			       (long long)rep->synthetic, rep->unknown ? " (and some of "
			       "unknown origin, which are left out)" : "");
	r->texts = pv_malloc(r->nrows * sizeof *r->texts);
	for (i = 0; i < r->nrows; i++) {
		struct dtext *t;
		if (i == 0 || r->rows[i].text_id != r->rows[i - 1].text_id) {
			t = &r->texts[r->ntexts++];
			t->text_id = r->rows[i].text_id;
			t->local = r->rows[i].local;
			t->src = r->rows[i].src;
			t->first = i;
			t->n = 0;
			t->real = t->synth = 0;
			t->s = 0;
			t->fold = (unsigned)(pv_mix64(pv_mix64(r->o->seed) ^
						       (uint64_t)t->text_id) % k);
		}
		t = &r->texts[r->ntexts - 1];
		t->n++;
		if (r->rows[i].synth)
			t->synth++;
		else
			t->real++;
	}
	for (i = 0; i < r->ntexts; i++) {
		struct dtext *t = &r->texts[i];
		nreal += t->real > 0;
		nsyn += t->synth > 0;
		/* about DETECT_WORD_SAMPLE texts, the same ones on every run */
		t->wsample = r->ntexts <= DETECT_WORD_SAMPLE ||
			     pv_mix64((uint64_t)t->text_id ^ 0x5eed5eed5eed5eedULL) %
			     r->ntexts < DETECT_WORD_SAMPLE;
	}
	rep->texts = (int64_t)r->ntexts;
	/* the control: each text of a sample of about CONTROL_TEXTS (all of
	 * them when there are no more; the same ones on every run) takes
	 * another's labels (a permutation drawn from the seed), so that the
	 * same features face labels that mean nothing; the other texts take
	 * no part in it */
	{
		size_t *in = pv_malloc((r->ntexts ? r->ntexts : 1) * sizeof *in);
		size_t *perm = pv_malloc((r->ntexts ? r->ntexts : 1) * sizeof *perm);
		size_t m = 0;
		uint64_t x = pv_mix64(r->o->seed ^ 0xc0a7201c0a7201cULL);
		for (i = 0; i < r->ntexts; i++) {
			r->texts[i].creal = r->texts[i].csynth = 0;
			if (r->ntexts <= CONTROL_TEXTS ||
			    pv_mix64((uint64_t)r->texts[i].text_id ^ 0xc0a7c0a7c0a7c0a7ULL) %
			    r->ntexts < CONTROL_TEXTS)
				in[m++] = i;
		}
		for (i = 0; i < m; i++)
			perm[i] = i;
		for (i = m; i > 1; i--) {
			size_t j;
			x = pv_mix64(x);
			j = (size_t)(x % i);
			size_t tmp = perm[i - 1];
			perm[i - 1] = perm[j];
			perm[j] = tmp;
		}
		for (i = 0; i < m; i++) {
			r->texts[in[i]].creal = r->texts[in[perm[i]]].real;
			r->texts[in[i]].csynth = r->texts[in[perm[i]]].synth;
		}
		free(in);
		free(perm);
	}
	if (nreal < 2 || nsyn < 2)
		return pv_errf(err, PV_EINVAL, "%zu distinct real and %zu distinct synthetic "
			       "text%s: cross-validation needs at least 2 on each side "
			       "(one to train on while the other is scored)", nreal, nsyn,
			       nsyn == 1 ? "" : "s");
	if (r->ntexts < k)
		return pv_errf(err, PV_EINVAL, "%zu distinct texts for %u folds: every "
			       "fold needs a text; use --folds %zu or fewer", r->ntexts, k,
			       r->ntexts);
	return 0;
}

