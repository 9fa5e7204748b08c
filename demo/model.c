/*
 * model.c - the demo generator's word model: a vocabulary, the token
 * stream of every real document, and order-1 and order-2 transition
 * tables sorted for binary search; demo_choose() picks a successor,
 * preferring the words of the seed document marked by demo_mark_seed().
 *
 * The model owns its tables (demo_model_free releases them); the corpus
 * it was built from is borrowed and only its token ranges are written.
 */
#include "demo_int.h"

#include <stdlib.h>
#include <string.h>

/* Returns the id of word w (len bytes), adding it when new. */
static uint32_t vocab_intern(struct vocab *v, const char *w, size_t len)
{
	uint64_t h = fnv1a(w, len);
	size_t j, mask, i, nslot;
	uint32_t id, *slot;

	if ((v->n + 1) * 2 > v->nslot) {
		nslot = v->nslot ? v->nslot * 2 : 4096;
		slot = pv_calloc(nslot, sizeof *slot);
		for (i = 0; i < v->n; i++) {
			j = (size_t)fnv1a(v->pool.data + v->off[i], v->wlen[i]) &
			    (nslot - 1);
			while (slot[j])
				j = (j + 1) & (nslot - 1);
			slot[j] = (uint32_t)i + 1;
		}
		free(v->slot);
		v->slot = slot;
		v->nslot = nslot;
	}
	mask = v->nslot - 1;
	for (j = (size_t)h & mask; v->slot[j]; j = (j + 1) & mask) {
		id = v->slot[j] - 1;
		if (v->wlen[id] == len &&
		    memcmp(v->pool.data + v->off[id], w, len) == 0)
			return id;
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 4096;
		v->off = pv_realloc(v->off, v->cap * sizeof *v->off);
		v->wlen = pv_realloc(v->wlen, v->cap * sizeof *v->wlen);
	}
	id = (uint32_t)v->n++;
	v->off[id] = v->pool.len;
	v->wlen[id] = (uint32_t)len;
	buf_append(&v->pool, w, len);
	buf_putc(&v->pool, '\0');
	v->slot[j] = id + 1;
	return id;
}

/* Appends token t to the stream. */
static void model_push(struct model *m, uint32_t t)
{
	if (m->ntok == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 65536;
		m->tok = pv_realloc(m->tok, m->cap * sizeof *m->tok);
	}
	m->tok[m->ntok++] = t;
}

/* Adds document d's words to the stream and records where they are.  A
 * blank line becomes PARA; a line break that starts an indented or
 * bulleted line becomes a break token ("\n" and the indent), so lists keep
 * their shape; other line breaks (wrapped prose) are spaces. */
static void model_add_doc(struct model *m, struct doc *d)
{
	const char *s = d->text;
	size_t i = 0, st, nl, lb = 0;

	d->tok0 = m->ntok;
	while (i < d->len) {
		for (nl = 0; i < d->len && is_ws((unsigned char)s[i]); i++)
			if (s[i] == '\n') {
				nl++;
				lb = i;
			}
		if (i >= d->len)
			break;
		if (m->ntok > d->tok0 && m->tok[m->ntok - 1] != PARA) {
			if (nl >= 2) {
				model_push(m, PARA);
			} else if (nl == 1 && (i > lb + 1 ||
					       strchr("*-+#>|", s[i]))) {
				st = PV_MIN(i - lb, (size_t)LINE_INDENT_MAX + 1);
				model_push(m, vocab_intern(&m->v, s + lb, st));
			}
		}
		for (st = i; i < d->len && !is_ws((unsigned char)s[i]); i++)
			;
		model_push(m, vocab_intern(&m->v, s + st, i - st));
	}
	d->tok1 = m->ntok;
	model_push(m, PARA);
}

static int tri_cmp(const void *x, const void *y)
{
	const struct tri *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	if (a->c != b->c)
		return a->c < b->c ? -1 : 1;
	return 0;
}

static int duo_cmp(const void *x, const void *y)
{
	const struct duo *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return 0;
}

/* Trains the model on every document of the corpus. */
void demo_model_build(struct model *m, struct corpus *c)
{
	size_t i;

	memset(m, 0, sizeof *m);
	vocab_intern(&m->v, "\n\n", 2); /* id 0 = PARA; no token matches it */
	for (i = 0; i < c->n; i++)
		model_add_doc(m, &c->v[i]);
	m->t2 = pv_malloc((m->ntok + 1) * sizeof *m->t2);
	m->t1 = pv_malloc((m->ntok + 1) * sizeof *m->t1);
	for (i = 1; i < m->ntok; i++) {
		m->t1[m->nt1].a = m->tok[i - 1];
		m->t1[m->nt1].b = m->tok[i];
		m->nt1++;
		if (i >= 2) {
			m->t2[m->nt2].a = m->tok[i - 2];
			m->t2[m->nt2].b = m->tok[i - 1];
			m->t2[m->nt2].c = m->tok[i];
			m->nt2++;
		}
	}
	qsort(m->t2, m->nt2, sizeof *m->t2, tri_cmp);
	qsort(m->t1, m->nt1, sizeof *m->t1, duo_cmp);
	m->mark = pv_calloc(m->v.n, 1);
}

/* Frees everything the model owns. */
void demo_model_free(struct model *m)
{
	free(m->v.slot);
	free(m->v.off);
	free(m->v.wlen);
	buf_done(&m->v.pool);
	free(m->tok);
	free(m->t2);
	free(m->t1);
	free(m->mark);
	memset(m, 0, sizeof *m);
}

/* The transitions after (a, b): *n of them from the returned pointer. */
const struct tri *demo_range2(const struct model *m, uint32_t a,
			      uint32_t b, size_t *n)
{
	size_t lo = 0, hi = m->nt2, mid, first;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->t2[mid].a < a || (m->t2[mid].a == a && m->t2[mid].b < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	hi = m->nt2;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->t2[mid].a < a || (m->t2[mid].a == a && m->t2[mid].b <= b))
			lo = mid + 1;
		else
			hi = mid;
	}
	*n = lo - first;
	return m->t2 + first;
}

/* The transitions after a: *n of them from the returned pointer. */
const struct duo *demo_range1(const struct model *m, uint32_t a, size_t *n)
{
	size_t lo = 0, hi = m->nt1, mid, first;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->t1[mid].a < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	hi = m->nt1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->t1[mid].a <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	*n = lo - first;
	return m->t1 + first;
}

/* Picks one of n successors (from r2's c or r1's b), preferring words of
 * the seed document with probability pref. */
uint32_t demo_choose(const struct model *m, uint64_t *rng,
		     const struct tri *r2, const struct duo *r1, size_t n,
		     double pref)
{
	uint32_t w;
	size_t k, tries;

	if (rng_unit(rng) < pref) {
		for (tries = 0; tries < 8; tries++) {
			k = rng_below(rng, n);
			w = r2 ? r2[k].c : r1[k].b;
			if (m->mark[w])
				return w;
		}
	}
	k = rng_below(rng, n);
	return r2 ? r2[k].c : r1[k].b;
}

/* Sets (on) or clears the seed-vocabulary marks for document d. */
void demo_mark_seed(struct model *m, const struct doc *d, bool on)
{
	size_t i;

	for (i = d->tok0; i < d->tok1; i++)
		m->mark[m->tok[i]] = on;
}
