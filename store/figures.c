/*
 * figures.c - the statistics view's and provex stats --html's figures:
 * counts by provenance field, length and compression-ratio histograms of
 * the real and the synthetic documents, the latest detect run's words and
 * AUCs, the blind review's accuracies; computed in steps.  The detect
 * run's summary is read in figures_detect.c; the HTML page of provex
 * stats --html is drawn from the figures in figures_html.c.
 *
 * The job holds one statement over the filter's documents open across
 * steps (a read transaction in WAL mode: writers are not blocked) and
 * aggregates in C: a hash table of values per field, per-bin length
 * counts, and the bottom-k sample.  It never decompresses a text: the
 * compression ratio is texts.len over length(texts.body), which SQLite
 * answers from the record header.
 */
#include "store_int.h"
#include "figures.h"
#include "figures_int.h"
#include "filter.h"
#include "../common/clock.h"
#include "../common/mix.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const char *fig_field_name(int field)
{
	static const char *const names[FIG_NFIELDS] = {
		"origin", "source", "generator", "purpose", "label"
	};

	return field >= 0 && field < FIG_NFIELDS ? names[field] : "?";
}

/* ---- histograms ---- */

static const unsigned mant[5] = { 1, 2, 3, 5, 7 };

uint64_t fig_len_edge(int j)
{
	uint64_t p = 1;
	int k;

	assert(j >= 0 && j < FIG_LEN_BINS);
	for (k = 0; k < j / 5; k++)
		p *= 10;
	return mant[j % 5] * p;
}

int fig_len_bin(uint64_t len)
{
	int lo = 0, hi = FIG_LEN_BINS - 1;

	if (len < 1)
		return 0;
	/* the largest j with edge(j) <= len */
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (fig_len_edge(mid) <= len)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static void hist_alloc(struct fig_hist *h, size_t nbins)
{
	int s;

	h->nbins = nbins;
	h->edge = pv_calloc(nbins + 1, sizeof *h->edge);
	for (s = 0; s < FIG_NSERIES; s++)
		h->count[s] = pv_calloc(nbins ? nbins : 1, sizeof *h->count[s]);
}

void fig_hist_from_len(struct fig_hist *h, const int64_t counts[FIG_NSERIES][FIG_LEN_BINS])
{
	int lo = -1, hi = -1, j, s;

	memset(h, 0, sizeof *h);
	h->scale = FIG_LOG;
	for (j = 0; j < FIG_LEN_BINS; j++)
		if (counts[FIG_REAL][j] || counts[FIG_SYNTH][j]) {
			if (lo < 0)
				lo = j;
			hi = j;
		}
	if (lo < 0) {
		hist_alloc(h, 0);
		return;
	}
	hist_alloc(h, (size_t)(hi - lo + 1));
	for (j = lo; j <= hi; j++) {
		h->edge[j - lo] = (double)fig_len_edge(j);
		for (s = 0; s < FIG_NSERIES; s++) {
			h->count[s][j - lo] = counts[s][j];
			h->total[s] += counts[s][j];
		}
	}
	h->edge[hi - lo + 1] = hi + 1 < FIG_LEN_BINS ? (double)fig_len_edge(hi + 1) : INFINITY;
	h->docs = h->of = h->total[FIG_REAL] + h->total[FIG_SYNTH];
}

double fig_nice_step(double x)
{
	double p, f;

	if (!(x > 0) || !isfinite(x))
		return 1;
	p = pow(10, floor(log10(x)));
	f = x / p;
	/* 1, 2, 2.5 or 5 times p, the first at least x (with a little slack
	 * for floating point: 0.3 / 0.1 is 2.9999999999999996) */
	if (f <= 1 + 1e-9)
		return p;
	if (f <= 2 + 1e-9)
		return 2 * p;
	if (f <= 2.5 + 1e-9)
		return 2.5 * p;
	if (f <= 5 + 1e-9)
		return 5 * p;
	return 10 * p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

size_t fig_hist_bin(const struct fig_hist *h, double x)
{
	size_t lo = 0, hi;

	if (h->nbins == 0)
		return 0;
	if (x >= h->edge[h->nbins])
		return h->nbins - 1;         /* the open last bin (or the top edge) */
	hi = h->nbins - 1;
	/* the largest i with edge[i] <= x */
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;
		if (h->edge[mid] <= x)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

double fig_quantile_sorted(const double *v, size_t n, double q)
{
	double h, lo;
	size_t k;

	if (n == 0)
		return 0;
	if (!(q > 0))
		return v[0];
	if (q >= 1)
		return v[n - 1];
	h = q * (double)(n - 1);
	k = (size_t)floor(h);
	if (k + 1 >= n)
		return v[n - 1];
	lo = v[k];
	/* the mean of the two middle values is exact for the median */
	return h == (double)k ? lo : lo + (h - (double)k) * (v[k + 1] - lo);
}

double fig_median_sorted(const double *v, size_t n)
{
	if (n == 0)
		return 0;
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Reorders v so that v[k] is the value of rank k, those before it not
 * larger and those after not smaller (Hoare's selection, the middle of
 * three as pivot: linear time on average). */
static void select_k(int64_t *v, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (lo < hi) {
		int64_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi], pivot, t;
		ptrdiff_t i = lo, j = hi;
		pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				j--;
			}
		}
		/* v[lo..j] <= pivot <= v[i..hi]; between them, the pivot */
		if (kk <= j)
			hi = j;
		else if (kk >= i)
			lo = i;
		else
			return;
	}
}

double fig_median_i64(int64_t *v, size_t n)
{
	int64_t below;
	size_t i;

	if (n == 0)
		return 0;
	select_k(v, n, n / 2);
	if (n % 2)
		return (double)v[n / 2];
	/* the largest value under rank n/2 */
	below = v[0];
	for (i = 1; i < n / 2; i++)
		if (v[i] > below)
			below = v[i];
	return ((double)below + (double)v[n / 2]) / 2;
}

/* The range [*lo, *hi] holding the bulk of the n sorted values of one
 * series: its far-out fences, kept within its values (the 1st and 99th
 * percentiles when half of the values or more are equal). */
static void bulk_range(const double *v, size_t n, double *lo, double *hi)
{
	double q1 = fig_quantile_sorted(v, n, 0.25), q3 = fig_quantile_sorted(v, n, 0.75);
	double iqr = q3 - q1;

	if (iqr > 0) {
		*lo = q1 - 3 * iqr;
		*hi = q3 + 3 * iqr;
		if (*lo < v[0])
			*lo = v[0];
		if (*hi > v[n - 1])
			*hi = v[n - 1];
	} else {
		*lo = fig_quantile_sorted(v, n, 0.01);
		*hi = fig_quantile_sorted(v, n, 0.99);
	}
}

void fig_hist_linear(struct fig_hist *h, double *v, unsigned char *s, size_t n, int target)
{
	double *sv[FIG_NSERIES], lo = INFINITY, hi = -INFINITY, vmin = INFINITY,
		vmax = -INFINITY, step, first;
	size_t ns[FIG_NSERIES] = { 0, 0 }, i, nb, at = 0;
	int se;

	memset(h, 0, sizeof *h);
	h->scale = FIG_LINEAR;
	if (n == 0) {
		hist_alloc(h, 0);
		return;
	}
	if (target < 1)
		target = 1;
	/* each series sorted on its own, for its quartiles and median */
	for (se = 0; se < FIG_NSERIES; se++)
		sv[se] = pv_malloc(n * sizeof *sv[se]);
	for (i = 0; i < n; i++) {
		se = s[i] == FIG_SYNTH ? FIG_SYNTH : FIG_REAL;
		sv[se][ns[se]++] = v[i];
		if (v[i] < vmin)
			vmin = v[i];
		if (v[i] > vmax)
			vmax = v[i];
	}
	for (se = 0; se < FIG_NSERIES; se++) {
		double l, u;
		if (!ns[se])
			continue;
		qsort(sv[se], ns[se], sizeof *sv[se], cmp_double);
		h->median[se] = fig_median_sorted(sv[se], ns[se]);
		bulk_range(sv[se], ns[se], &l, &u);
		if (l < lo)
			lo = l;
		if (u > hi)
			hi = u;
	}
	for (se = 0; se < FIG_NSERIES; se++)
		free(sv[se]);
	step = hi > lo ? fig_nice_step((hi - lo) / target) :
		fig_nice_step(fabs(lo) > 0 ? fabs(lo) / 10 : 1);
	first = floor(lo / step) * step;
	nb = (size_t)floor((hi - first) / step) + 1;
	if (nb > FIG_RATIO_MAX_BINS)
		nb = FIG_RATIO_MAX_BINS;
	/* the outliers, below and above the bulk, in open bins */
	h->open_first = vmin < first;
	h->open_last = vmax >= first + (double)nb * step;
	hist_alloc(h, nb + h->open_first + h->open_last);
	if (h->open_first)
		h->edge[at++] = -INFINITY;
	for (i = 0; i <= nb; i++)
		h->edge[at++] = first + (double)i * step;
	if (h->open_last)
		h->edge[at] = INFINITY;
	for (i = 0; i < n; i++) {
		se = s[i] == FIG_SYNTH ? FIG_SYNTH : FIG_REAL;
		h->count[se][fig_hist_bin(h, v[i])]++;
		h->total[se]++;
	}
	h->docs = h->of = (int64_t)n;
}

double fig_hist_share(const struct fig_hist *h, int s, size_t i)
{
	if (s < 0 || s >= FIG_NSERIES || i >= h->nbins || h->total[s] <= 0)
		return 0;
	return (double)h->count[s][i] / (double)h->total[s];
}

double fig_hist_max_share(const struct fig_hist *h)
{
	double m = 0;
	size_t i;
	int s;

	for (s = 0; s < FIG_NSERIES; s++)
		for (i = 0; i < h->nbins; i++)
			if (fig_hist_share(h, s, i) > m)
				m = fig_hist_share(h, s, i);
	return m;
}

int fig_bar(double share, double max, int width)
{
	int n;

	if (!(share > 0) || !(max > 0) || width <= 0)
		return 0;
	n = (int)floor(share / max * width + 0.5);
	if (n < 1)
		n = 1;
	return n > width ? width : n;
}

/* "1", "20", "3k", "50M", "7G"... (decimal, as the edges are). */
static void len_label(double v, char out[29])
{
	static const char *const unit[] = { "", "k", "M", "G", "T", "P", "E" };
	int u = 0;

	while (v >= 1000 && u < 6) {
		v /= 1000;
		u++;
	}
	snprintf(out, 29, "%g%s", v, unit[u]);
}

/* A ratio edge with as many decimals as its step has (0.25: two). */
static void ratio_label(double v, double step, char out[29])
{
	int dec = 0;

	while (dec < 6) {
		double x = step * pow(10, dec);
		if (fabs(x - floor(x + 0.5)) < 1e-6 * (x > 1 ? x : 1))
			break;
		dec++;
	}
	snprintf(out, 29, "%.*f", dec, v);
}

/* The step of linear bins (1 when there is no closed bin). */
static double hist_step(const struct fig_hist *h)
{
	size_t i = h->open_first;

	return i + 1 <= h->nbins && isfinite(h->edge[i]) && isfinite(h->edge[i + 1]) ?
		h->edge[i + 1] - h->edge[i] : 1;
}

const char *fig_hist_label(const struct fig_hist *h, size_t i, char *out)
{
	bool below = h->open_first && i == 0;
	char v[29];

	out[0] = 0;
	if (i >= h->nbins)
		return out;
	if (h->scale == FIG_LOG)
		len_label(h->edge[i], v);
	else
		ratio_label(h->edge[below ? 1 : i], hist_step(h), v);
	snprintf(out, 32, "%s%s", below ? "<" : h->open_last && i == h->nbins - 1 ? ">=" : "",
		 v);
	return out;
}

const char *fig_median_label(const struct fig_hist *h, int s, char *out)
{
	char n[32];

	out[0] = 0;
	if (s < 0 || s >= FIG_NSERIES || h->total[s] <= 0)
		return out;
	if (h->scale == FIG_LOG) {
		int64_t whole = (int64_t)floor(h->median[s]);
		snprintf(out, 48, "%s%s", pv_num(whole, n),
			 h->median[s] - (double)whole > 0.25 ? ".5" : "");
	} else {
		snprintf(out, 48, "%.2f", h->median[s]);
	}
	return out;
}

double fig_hist_pos(const struct fig_hist *h, double x)
{
	size_t i;
	double a, b, f;

	if (h->nbins == 0)
		return 0;
	i = fig_hist_bin(h, x);
	a = h->edge[i];
	b = h->edge[i + 1];
	if (!isfinite(a) || !isfinite(b) || !(b > a))
		return (double)i + 0.5;
	if (h->scale == FIG_LOG && a > 0 && x > 0)
		f = (log(x) - log(a)) / (log(b) - log(a));
	else
		f = (x - a) / (b - a);
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return (double)i + f;
}

void fig_hist_done(struct fig_hist *h)
{
	int s;

	free(h->edge);
	for (s = 0; s < FIG_NSERIES; s++)
		free(h->count[s]);
	memset(h, 0, sizeof *h);
}

/* ---- sampling ---- */

uint64_t fig_hash(int64_t id)
{
	/* splitmix64's finalizer: every bit of the id moves every bit */
	return pv_mix64((uint64_t)id);
}

void fig_sampler_init(struct fig_sampler *sm, size_t k)
{
	memset(sm, 0, sizeof *sm);
	sm->k = k ? k : 1;
}

/* Orders picks by hash, then id (ids are unique, so the order is total). */
static bool pick_above(const struct fig_pick *a, const struct fig_pick *b)
{
	return a->hash != b->hash ? a->hash > b->hash : a->id > b->id;
}

void fig_sampler_add(struct fig_sampler *sm, const struct fig_pick *p)
{
	struct fig_pick *hp;
	size_t i;

	sm->seen++;
	if (sm->n < sm->k) {
		/* grow, then sift up */
		if (sm->n == sm->cap) {
			sm->cap = sm->cap ? sm->cap * 2 : 1024;
			if (sm->cap > sm->k)
				sm->cap = sm->k;
			sm->heap = pv_realloc(sm->heap, sm->cap * sizeof *sm->heap);
		}
		hp = sm->heap;
		i = sm->n++;
		hp[i] = *p;
		while (i > 0 && pick_above(&hp[i], &hp[(i - 1) / 2])) {
			struct fig_pick t = hp[i];
			hp[i] = hp[(i - 1) / 2];
			hp[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
		return;
	}
	hp = sm->heap;
	if (!pick_above(&hp[0], p))
		return;                      /* not among the k smallest */
	hp[0] = *p;
	i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < sm->n && pick_above(&hp[l], &hp[m]))
			m = l;
		if (r < sm->n && pick_above(&hp[r], &hp[m]))
			m = r;
		if (m == i)
			break;
		struct fig_pick t = hp[i];
		hp[i] = hp[m];
		hp[m] = t;
		i = m;
	}
}

static int by_text(const void *a, const void *b)
{
	const struct fig_pick *x = a, *y = b;

	if (x->text_id != y->text_id)
		return x->text_id < y->text_id ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void fig_sampler_sort(struct fig_sampler *sm)
{
	if (sm->n > 1)
		qsort(sm->heap, sm->n, sizeof *sm->heap, by_text);
}

void fig_sampler_done(struct fig_sampler *sm)
{
	free(sm->heap);
	memset(sm, 0, sizeof *sm);
}

size_t fig_sample_default(void)
{
	const char *e = getenv("PROVEX_STATS_SAMPLE");
	char *end;
	unsigned long long v;

	if (!e || !*e)
		return FIG_SAMPLE;
	v = strtoull(e, &end, 10);
	if (*end || v == 0 || v > (1ull << 30))
		return FIG_SAMPLE;
	return (size_t)v;
}

/* ---- counting values: one open-addressing table per field ---- */

struct vmap {
	struct fig_count *v;     /* owned, in order of first sight */
	size_t n, cap;
	uint32_t *slot;          /* owned: index + 1, 0 empty */
	size_t nslot;            /* a power of two */
};

static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void vmap_rehash(struct vmap *m)
{
	size_t i, ns = m->nslot ? m->nslot * 2 : 64;

	free(m->slot);
	m->slot = pv_calloc(ns, sizeof *m->slot);
	m->nslot = ns;
	for (i = 0; i < m->n; i++) {
		size_t k = str_hash(m->v[i].value, strlen(m->v[i].value)) & (ns - 1);
		while (m->slot[k])
			k = (k + 1) & (ns - 1);
		m->slot[k] = (uint32_t)(i + 1);
	}
}

static struct fig_count *vmap_get(struct vmap *m, const char *s, size_t len)
{
	size_t k;

	if (!m->nslot || (m->n + 1) * 2 > m->nslot)
		vmap_rehash(m);
	k = str_hash(s, len) & (m->nslot - 1);
	while (m->slot[k]) {
		struct fig_count *c = &m->v[m->slot[k] - 1];
		if (strlen(c->value) == len && memcmp(c->value, s, len) == 0)
			return c;
		k = (k + 1) & (m->nslot - 1);
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->v = pv_realloc(m->v, m->cap * sizeof *m->v);
	}
	memset(&m->v[m->n], 0, sizeof m->v[m->n]);
	m->v[m->n].value = pv_strndup(s, len);
	m->slot[k] = (uint32_t)(++m->n);
	return &m->v[m->n - 1];
}

static int by_docs(const void *a, const void *b)
{
	const struct fig_count *x = a, *y = b;

	if (x->docs != y->docs)
		return x->docs < y->docs ? 1 : -1;
	return strcmp(x->value, y->value);
}

/* Moves the table's values into f, most documents first. */
static void vmap_take(struct vmap *m, struct fig_field *f)
{
	free(m->slot);
	if (m->n > 1)
		qsort(m->v, m->n, sizeof *m->v, by_docs);
	f->v = m->v;
	f->n = m->n;
	memset(m, 0, sizeof *m);
}

static void vmap_done(struct vmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].value);
	free(m->v);
	free(m->slot);
	memset(m, 0, sizeof *m);
}

/* ---- the job ---- */

enum { PH_ROWS, PH_RATIO, PH_DETECT, PH_REVIEW, PH_DONE };

struct fig_job {
	struct store *s;
	int phase;
	sqlite3_stmt *st;        /* owned: the phase's statement */
	int64_t rows, expected;
	size_t at;               /* PH_RATIO: next pick */
	struct vmap map[FIG_NFIELDS];
	int64_t lenc[FIG_NSERIES][FIG_LEN_BINS];
	struct fig_sampler sm;
	int64_t *lens[FIG_NSERIES];  /* owned: every length drawn, per series
				      * (for the exact median) */
	size_t nlens[FIG_NSERIES], caplens[FIG_NSERIES];
	double *rv;              /* owned: ratio values of the sample */
	unsigned char *rs;       /* owned: and their series */
	size_t nr;
	int64_t last_text, last_clen;
	struct figures f;        /* what is built */
};

int figures_begin(struct store *s, const struct filter_sql *where,
		  const struct fig_opts *o, struct fig_job **out, struct pv_err *err)
{
	struct fig_job *j;
	struct buf sql = BUF_INIT;
	int rc;

	*out = NULL;
	j = pv_calloc(1, sizeof *j);
	j->s = s;
	j->expected = o && o->expected >= 0 ? o->expected : -1;
	fig_sampler_init(&j->sm, o && o->sample ? o->sample : FIG_SAMPLE);
	j->last_text = -1;
	buf_puts(&sql, "SELECT d.id, d.origin, d.source, d.generator, d.purpose, d.label, "
		 "d.len, d.text_id");
	store_from(where, &sql);
	buf_printf(&sql, "WHERE %s", where && where->where ? where->where : "1");
	rc = store_prep_where(s, &j->st, buf_str(&sql), where, "computing statistics", err);
	buf_done(&sql);
	if (rc) {
		figures_job_free(j);
		return rc;
	}
	*out = j;
	return 0;
}

/* One document of the first pass. */
static void take_row(struct fig_job *j)
{
	sqlite3_stmt *st = j->st;
	const char *origin = (const char *)sqlite3_column_text(st, 1);
	int64_t len = sqlite3_column_int64(st, 6);
	int series = -1, k;

	j->rows++;
	j->f.docs++;
	j->f.bytes += len;
	if (origin && !strcmp(origin, "real"))
		series = FIG_REAL;
	else if (origin && !strcmp(origin, "synthetic"))
		series = FIG_SYNTH;
	j->f.by_origin[series < 0 ? 2 : series]++;
	for (k = 0; k < FIG_NFIELDS; k++) {
		const char *v = (const char *)sqlite3_column_text(st, 1 + k);
		struct fig_count *c = vmap_get(&j->map[k], v ? v : "",
					       v ? (size_t)sqlite3_column_bytes(st, 1 + k) : 0);
		c->docs++;
		c->bytes += len;
		if (series == FIG_REAL)
			c->real++;
		else if (series == FIG_SYNTH)
			c->synthetic++;
	}
	if (series < 0)
		return;
	if (len <= 0) {
		j->f.empty[series]++;
		return;
	}
	j->lenc[series][fig_len_bin((uint64_t)len)]++;
	if (j->nlens[series] == j->caplens[series]) {
		j->caplens[series] = j->caplens[series] ? j->caplens[series] * 2 : 1024;
		j->lens[series] = pv_realloc(j->lens[series],
					     j->caplens[series] * sizeof *j->lens[series]);
	}
	j->lens[series][j->nlens[series]++] = len;
	{
		struct fig_pick p;
		p.id = sqlite3_column_int64(st, 0);
		p.hash = fig_hash(p.id);
		p.text_id = sqlite3_column_int64(st, 7);
		p.len = len;
		p.series = (unsigned char)series;
		fig_sampler_add(&j->sm, &p);
	}
}

static int end_rows(struct fig_job *j, struct pv_err *err)
{
	int k, rc;

	sqlite3_finalize(j->st);
	j->st = NULL;
	for (k = 0; k < FIG_NFIELDS; k++)
		vmap_take(&j->map[k], &j->f.field[k]);
	fig_hist_from_len(&j->f.len, (const int64_t (*)[FIG_LEN_BINS])j->lenc);
	for (k = 0; k < FIG_NSERIES; k++) {
		j->f.len.median[k] = fig_median_i64(j->lens[k], j->nlens[k]);
		free(j->lens[k]);
		j->lens[k] = NULL;
		j->nlens[k] = j->caplens[k] = 0;
	}
	j->f.len.left_out = j->f.empty[FIG_REAL] + j->f.empty[FIG_SYNTH];
	j->f.len.of += j->f.len.left_out;
	j->f.len.docs = j->f.len.of;
	fig_sampler_sort(&j->sm);
	j->f.sampled = (int64_t)j->sm.n;
	j->rv = pv_malloc((j->sm.n ? j->sm.n : 1) * sizeof *j->rv);
	j->rs = pv_malloc(j->sm.n ? j->sm.n : 1);
	if ((rc = store_prep(j->s, &j->st, "SELECT length(body) FROM texts WHERE id = ?1",
			     "reading compressed lengths", err)))
		return rc;
	j->phase = PH_RATIO;
	return 0;
}

static int ratio_one(struct fig_job *j, struct pv_err *err)
{
	const struct fig_pick *p = &j->sm.heap[j->at++];

	if (p->text_id != j->last_text) {
		int rc;
		sqlite3_reset(j->st);
		sqlite3_bind_int64(j->st, 1, p->text_id);
		rc = sqlite3_step(j->st);
		if (rc == SQLITE_ROW)
			j->last_clen = sqlite3_column_int64(j->st, 0);
		else if (rc == SQLITE_DONE)
			j->last_clen = 0;            /* gone meanwhile */
		else
			return store_sqlerr(j->s, err, "reading compressed lengths");
		j->last_text = p->text_id;
	}
	if (j->last_clen > 0) {
		j->rv[j->nr] = (double)p->len / (double)j->last_clen;
		j->rs[j->nr++] = p->series;
	}
	return 0;
}

static void end_ratio(struct fig_job *j)
{
	int64_t of = j->f.len.of - j->f.len.left_out;   /* non-empty real and synthetic */

	sqlite3_finalize(j->st);
	j->st = NULL;
	fig_hist_linear(&j->f.ratio, j->rv, j->rs, j->nr, FIG_RATIO_BINS);
	j->f.ratio.docs = (int64_t)j->sm.n;
	j->f.ratio.of = of;
	j->f.ratio.left_out = j->f.len.left_out;
	free(j->rv);
	free(j->rs);
	j->rv = NULL;
	j->rs = NULL;
	fig_sampler_done(&j->sm);
	j->phase = PH_DETECT;
}

int figures_step(struct fig_job *j, int ms, struct pv_err *err)
{
	int64_t t0 = pv_now_ms();
	int n = 0, rc;

	for (;;) {
		switch (j->phase) {
		case PH_ROWS:
			rc = sqlite3_step(j->st);
			if (rc == SQLITE_ROW) {
				take_row(j);
				break;
			}
			if (rc != SQLITE_DONE)
				return store_sqlerr(j->s, err, "computing statistics");
			if ((rc = end_rows(j, err)))
				return rc;
			break;
		case PH_RATIO:
			if (j->at < j->sm.n) {
				if ((rc = ratio_one(j, err)))
					return rc;
				break;
			}
			end_ratio(j);
			/* the last phases are one step each: say where we are */
			return 1;
		case PH_DETECT:
			if ((rc = fig_read_detect(j->s, &j->f.detect, err)))
				return rc;
			j->phase = PH_REVIEW;
			return 1;
		case PH_REVIEW: {
			struct pv_err e;
			pv_err_clear(&e);
			if (review_report(j->s, "generator", -1, &j->f.review, &e) == 0) {
				j->f.have_review = true;
			} else {
				review_report_done(&j->f.review);
				j->f.review_problem = pv_strdup(e.msg[0] ? e.msg :
								pv_strerror(e.code));
			}
			j->phase = PH_DONE;
			return 0;
		}
		default:
			return 0;
		}
		if ((++n & 255) == 0 && pv_now_ms() - t0 >= ms)
			return 1;
	}
}

const char *figures_progress(const struct fig_job *j, int64_t *done, int64_t *total)
{
	switch (j->phase) {
	case PH_ROWS:
		*done = j->rows;
		*total = j->expected;
		return "counting documents";
	case PH_RATIO:
		*done = (int64_t)j->at;
		*total = (int64_t)j->sm.n;
		return "reading compressed lengths";
	default:
		*done = j->phase - PH_DETECT;
		*total = 2;
		return "reading the detect and review results";
	}
}

void figures_take(struct fig_job *j, struct figures *out)
{
	*out = j->f;
	memset(&j->f, 0, sizeof j->f);
}

void figures_job_free(struct fig_job *j)
{
	int k;

	if (!j)
		return;
	sqlite3_finalize(j->st);
	for (k = 0; k < FIG_NFIELDS; k++)
		vmap_done(&j->map[k]);
	fig_sampler_done(&j->sm);
	for (k = 0; k < FIG_NSERIES; k++)
		free(j->lens[k]);
	free(j->rv);
	free(j->rs);
	figures_done(&j->f);
	free(j);
}

int figures_compute(struct store *s, const struct filter_sql *where,
		    const struct fig_opts *o, struct figures *out, struct pv_err *err)
{
	struct fig_job *j;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = figures_begin(s, where, o, &j, err)))
		return rc;
	while ((rc = figures_step(j, 1000, err)) > 0)
		;
	if (rc == 0)
		figures_take(j, out);
	figures_job_free(j);
	return rc;
}

void figures_done(struct figures *f)
{
	size_t i;
	int k;

	for (k = 0; k < FIG_NFIELDS; k++) {
		for (i = 0; i < f->field[k].n; i++)
			free(f->field[k].v[i].value);
		free(f->field[k].v);
	}
	fig_hist_done(&f->len);
	fig_hist_done(&f->ratio);
	fig_detect_done(&f->detect);
	review_report_done(&f->review);
	free(f->review_problem);
	memset(f, 0, sizeof *f);
}
