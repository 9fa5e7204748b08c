/*
 * detect_words.c - provex detect's word tables: word 1-2-gram counts
 * per side and per word group in hashed buckets, the buckets that most
 * separate the sides (log-odds ratio with an informative Dirichlet
 * prior, z-scores), their terms counted again exactly in the scoring pass,
 * and the words and phrases of the report.  Part of detect.c's run
 * (detect_int.h).
 */
#include "detect_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the word tables ---- */

static void sat_add(uint32_t *p, uint64_t v)
{
	uint64_t s = (uint64_t)*p + v;

	*p = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

void dt_words_init(struct words *w, size_t ng)
{
	size_t i;

	memset(w, 0, sizeof *w);
	w->ng = ng;
	w->real = pv_calloc(DETECT_WBUCKETS, sizeof *w->real);
	w->syn = pv_calloc(DETECT_WBUCKETS, sizeof *w->syn);
	w->g = pv_calloc(ng ? ng : 1, sizeof *w->g);
	for (i = 0; i < ng; i++)
		w->g[i] = pv_calloc(DETECT_WBUCKETS, sizeof *w->g[i]);
	w->ng_tot = pv_calloc(ng ? ng : 1, sizeof *w->ng_tot);
	w->sg_tot = pv_calloc(ng ? ng : 1, sizeof *w->sg_tot);
	w->cur_g = pv_calloc(ng ? ng : 1, sizeof *w->cur_g);
}

void dt_words_done(struct words *w)
{
	size_t i;

	free(w->real);
	free(w->syn);
	for (i = 0; w->g && i < w->ng; i++)
		free(w->g[i]);
	free(w->g);
	free(w->ng_tot);
	free(w->sg_tot);
	free(w->cur_g);
	free(w->mark);
	for (i = 0; i < w->cap; i++)
		free(w->e[i].term);
	free(w->e);
	free(w->gcounts);
	memset(w, 0, sizeof *w);
}

/* Pass 1: a text's word occurrences, and when it is sampled its word
 * buckets in [lo, hi), counted for its sides and groups (gcount[k]: its
 * documents in word group k). */
void dt_words_count(struct words *w, const struct detect_vec *v, double real,
			double synth, const double *gcount, bool sampled, uint32_t lo,
			uint32_t hi)
{
	size_t i, k;

	if (lo == 0) {
		/* the totals: counted by the part that starts at 0 */
		w->nreal += real * (double)v->words;
		w->nsyn += synth * (double)v->words;
		for (k = 0; k < w->ng; k++)
			w->ng_tot[k] += gcount[k] * (double)v->words;
		if (sampled) {
			w->sreal += real * (double)v->words;
			w->ssyn += synth * (double)v->words;
			for (k = 0; k < w->ng; k++)
				w->sg_tot[k] += gcount[k] * (double)v->words;
		}
	}
	if (!sampled)
		return;
	for (i = 0; i < v->nw; i++) {
		uint32_t b = v->widx[i];
		uint64_t c = v->wcnt[i];
		if (b < lo || b >= hi)
			continue;
		if (real > 0)
			sat_add(&w->real[b], c * (uint64_t)real);
		if (synth > 0)
			sat_add(&w->syn[b], c * (uint64_t)synth);
		for (k = 0; k < w->ng; k++)
			if (gcount[k] > 0)
				sat_add(&w->g[k][b], c * (uint64_t)gcount[k]);
	}
}

struct cand {
	double z;
	uint32_t b;
};

/* Keeps the n largest z in a min-heap h (size *len). */
static void heap_push(struct cand *h, size_t *len, size_t n, double z, uint32_t b)
{
	size_t i, c;

	if (*len < n) {
		i = (*len)++;
		while (i > 0 && h[(i - 1) / 2].z > z) {
			h[i] = h[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		h[i].z = z;
		h[i].b = b;
		return;
	}
	if (n == 0 || z <= h[0].z)
		return;
	i = 0;
	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1].z < h[c].z)
			c++;
		if (h[c].z >= z)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i].z = z;
	h[i].b = b;
}

/* After pass 1: marks, for each word group, the buckets whose (hashed)
 * counts in the sampled texts give the most extreme z on either side;
 * pass 2 counts the words in them exactly, in every text.  A bucket may
 * hold several terms: the exact counts sort them out, and the margin
 * (3 top + 10) leaves room for collisions and sampling. */
void dt_words_pick(struct words *w, unsigned top)
{
	size_t n = 3 * (size_t)top + 10, k, nside = w->ng ? w->ng : 1;
	double nbg = w->sreal + w->ssyn;
	struct cand *hi = pv_malloc(n * sizeof *hi), *lo = pv_malloc(n * sizeof *lo);
	uint32_t b;

	w->mark = pv_calloc(DETECT_WBUCKETS, 1);
	for (k = 0; k < nside; k++) {
		const uint32_t *gi = w->ng ? w->g[k] : w->syn;
		double ni = w->ng ? w->sg_tot[k] : w->ssyn;
		size_t nhi = 0, nlo = 0, i;
		for (b = 0; b < DETECT_WBUCKETS; b++) {
			double yi = gi[b], yj = w->real[b], z;
			if (yi == 0 && yj == 0)
				continue;
			z = detect_logodds(yi, ni, yj, w->sreal, (double)w->real[b] + w->syn[b],
					   nbg, DETECT_PRIOR, NULL);
			heap_push(hi, &nhi, n, z, b);
			heap_push(lo, &nlo, n, -z, b);
		}
		for (i = 0; i < nhi; i++)
			w->mark[hi[i].b] = 1;
		for (i = 0; i < nlo; i++)
			w->mark[lo[i].b] = 1;
	}
	free(hi);
	free(lo);
	w->cap = 1024;
	w->e = pv_calloc(w->cap, sizeof *w->e);
	w->gcounts = pv_calloc(w->cap * (w->ng ? w->ng : 1), sizeof *w->gcounts);
}

/* The exact entry of term (added when new). */
static struct wentry *words_entry(struct words *w, const char *term, size_t len)
{
	uint64_t h = dt_str_hash(term, len);
	size_t i, k, ngc = w->ng ? w->ng : 1;

	if ((w->ne + 1) * 2 > w->cap) {
		struct wentry *old = w->e;
		double *oldg = w->gcounts;
		size_t oldcap = w->cap;
		w->cap *= 2;
		w->e = pv_calloc(w->cap, sizeof *w->e);
		w->gcounts = pv_calloc(w->cap * ngc, sizeof *w->gcounts);
		for (k = 0; k < oldcap; k++) {
			if (!old[k].term)
				continue;
			for (i = old[k].hash & (w->cap - 1); w->e[i].term; i = (i + 1) & (w->cap - 1))
				;
			w->e[i] = old[k];
			w->e[i].g = w->gcounts + i * ngc;
			memcpy(w->e[i].g, oldg + k * ngc, ngc * sizeof *oldg);
		}
		free(old);
		free(oldg);
	}
	for (i = h & (w->cap - 1); w->e[i].term; i = (i + 1) & (w->cap - 1))
		if (w->e[i].hash == h && strlen(w->e[i].term) == len &&
		    memcmp(w->e[i].term, term, len) == 0)
			return &w->e[i];
	w->e[i].term = pv_strndup(term, len);
	w->e[i].hash = h;
	w->e[i].g = w->gcounts + i * ngc;
	w->ne++;
	return &w->e[i];
}

/* Pass 2: counts a term of the current text exactly. */
void dt_words_exact(struct words *w, const char *term, size_t len)
{
	struct wentry *e = words_entry(w, term, len);
	size_t k;

	e->real += w->cur_real;
	e->syn += w->cur_syn;
	for (k = 0; k < w->ng; k++)
		e->g[k] += w->cur_g[k];
}

/* detect_words callback of pass 2 (any thread): keeps the terms of marked
 * buckets. */
void dt_keep_hit(void *ctx, uint32_t wb, const char *term, size_t len)
{
	struct hit_ctx *h = ctx;

	if (!h->mark[wb])
		return;
	buf_append(h->hits, term, len);
	buf_putc(h->hits, '\0');
}

static int by_z_desc(const void *a, const void *b)
{
	const struct detect_term *x = a, *y = b;

	if (x->z != y->z)
		return x->z > y->z ? -1 : 1;
	return strcmp(x->term, y->term);
}

/* The top terms of word group k (or of all synthetic documents when the
 * run has no groups) on each side. */
void dt_words_report(struct words *w, size_t k, unsigned top, struct detect_group *g)
{
	struct detect_term *all = pv_malloc((w->ne ? w->ne : 1) * sizeof *all);
	double nbg = w->nreal + w->nsyn, ni = w->ng ? w->ng_tot[k] : w->nsyn;
	size_t i, n = 0, j;

	for (i = 0; i < w->cap; i++) {
		const struct wentry *e = &w->e[i];
		double yi;
		if (!e->term)
			continue;
		yi = w->ng ? e->g[k] : e->syn;
		if (yi == 0 && e->real == 0)
			continue;
		all[n].term = e->term;        /* borrowed until copied below */
		all[n].nsyn = yi;
		all[n].nreal = e->real;
		all[n].z = detect_logodds(yi, ni, e->real, w->nreal, e->real + e->syn,
					  nbg, DETECT_PRIOR, &all[n].delta);
		n++;
	}
	qsort(all, n, sizeof *all, by_z_desc);
	g->words = true;
	g->syn = pv_calloc(top ? top : 1, sizeof *g->syn);
	g->real = pv_calloc(top ? top : 1, sizeof *g->real);
	for (i = 0; i < n && g->nsyn < top && all[i].z > 0; i++) {
		g->syn[g->nsyn] = all[i];
		g->syn[g->nsyn++].term = pv_strdup(all[i].term);
	}
	for (j = n; j > 0 && g->nreal < top && all[j - 1].z < 0; j--) {
		g->real[g->nreal] = all[j - 1];
		g->real[g->nreal++].term = pv_strdup(all[j - 1].term);
	}
	free(all);
}

