/*
 * classify.c - the model behind provex detect, with no store in sight:
 * hashed features of a text, naive Bayes by folds, Platt calibration,
 * ROC AUC with DeLong's interval, and Monroe et al.'s log-odds ratio.
 * See classify.h for what each part is; store/detect.c feeds it
 * documents.
 *
 * Everything here is deterministic: no clock, no random numbers, and
 * sums are taken in the order the caller adds texts.
 */
#include "config.h"
#include "classify.h"
#include "../common/mix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- hashing ---- */

#define GOLDEN PV_GOLDEN64
#define SALT_UNI 0x5bd1e9955bd1e995ULL     /* word unigrams */
#define SALT_BI 0xc2b2ae3d27d4eb4fULL      /* word bigrams */

/* The 64-bit finalizer of MurmurHash3: every input bit moves every
 * output bit.  Used for word keys (a few hundred per text). */
static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* The classifier bucket (the top bits of the mixed key) and the word
 * bucket (its low bits, independent of the top ones) of a word key. */
static uint32_t cbucket(uint64_t mixed)
{
	return (uint32_t)(mixed >> (64 - DETECT_BITS));
}

static uint32_t wbucket(uint64_t mixed)
{
	return (uint32_t)(mixed & (DETECT_WBUCKETS - 1));
}

static uint64_t uni_key(uint64_t h)
{
	return h ^ SALT_UNI;
}

static uint64_t bi_key(uint64_t prev, uint64_t h)
{
	return (prev * GOLDEN + h) ^ SALT_BI;
}

static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static unsigned char fold_case(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* ---- features ---- */

struct detect_fx {
	uint64_t *seen;            /* DETECT_BUCKETS bits, all 0 between texts */
	uint32_t *wcnt;            /* DETECT_WBUCKETS counts, likewise */
	uint32_t *idx;             /* buckets present in this text, in order */
	size_t n, cap;
	uint32_t *widx, *wc;       /* word buckets touched, and their counts */
	size_t nw, wcap;
};

struct detect_fx *detect_fx_new(void)
{
	struct detect_fx *x = pv_calloc(1, sizeof *x);

	x->seen = pv_calloc(DETECT_BUCKETS / 64, sizeof *x->seen);
	x->wcnt = pv_calloc(DETECT_WBUCKETS, sizeof *x->wcnt);
	return x;
}

void detect_fx_free(struct detect_fx *x)
{
	if (!x)
		return;
	free(x->seen);
	free(x->wcnt);
	free(x->idx);
	free(x->widx);
	free(x->wc);
	free(x);
}

/* Room for every distinct feature a text of len bytes can have. */
static void fx_reserve(struct detect_fx *x, size_t len)
{
	size_t need = PV_MIN(5 * len + 16, (size_t)DETECT_BUCKETS);
	size_t wneed = PV_MIN(2 * len + 16, (size_t)DETECT_WBUCKETS);

	if (need > x->cap) {
		x->idx = pv_realloc(x->idx, need * sizeof *x->idx);
		x->cap = need;
	}
	if (wneed > x->wcap) {
		x->widx = pv_realloc(x->widx, wneed * sizeof *x->widx);
		x->wc = pv_realloc(x->wc, wneed * sizeof *x->wc);
		x->wcap = wneed;
	}
}

/* Notes one classifier feature: present or not, the first time only
 * added to the list. */
#define CFEAT(b) do {                                           \
	uint32_t b_ = (b);                                      \
	uint64_t m_ = 1ULL << (b_ & 63), *w_ = &x->seen[b_ >> 6]; \
	if (!(*w_ & m_)) {                                      \
		*w_ |= m_;                                      \
		x->idx[x->n++] = b_;                            \
	}                                                       \
} while (0)

/* Counts one word 1-2-gram: a classifier feature and, when words, a word
 * bucket. */
static void word_feat(struct detect_fx *x, uint64_t key, bool words)
{
	uint64_t h = fmix64(key);
	uint32_t w = wbucket(h);

	CFEAT(cbucket(h));
	if (words && x->wcnt[w]++ == 0)
		x->widx[x->nw++] = w;
}

void detect_fx_text(struct detect_fx *x, const char *text, size_t len, bool words,
		    struct detect_vec *v)
{
	const unsigned char *p = (const unsigned char *)text;
	uint64_t win = 0, h = 0, prev = 0, nwords = 0;
	size_t i, wlen = 0;
	bool have_prev = false;

	if (len > DETECT_MAX_TEXT)
		len = DETECT_MAX_TEXT;
	fx_reserve(x, len);
	x->n = x->nw = 0;
	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? p[i] : ' ';
		if (i < len) {
			/* byte 3-, 4- and 5-grams: multiplicative hashing of the
			 * window, the length in the top byte */
			win = (win << 8) | c;
			if (i >= 2)
				CFEAT((uint32_t)((((win & 0xffffffULL) | (3ULL << 56)) * GOLDEN)
						 >> (64 - DETECT_BITS)));
			if (i >= 3)
				CFEAT((uint32_t)((((win & 0xffffffffULL) | (4ULL << 56)) * GOLDEN)
						 >> (64 - DETECT_BITS)));
			if (i >= 4)
				CFEAT((uint32_t)((((win & 0xffffffffffULL) | (5ULL << 56)) * GOLDEN)
						 >> (64 - DETECT_BITS)));
		}
		if (i < len && word_byte(c)) {
			/* FNV-1a over the case-folded bytes */
			if (wlen == 0)
				h = 0xcbf29ce484222325ULL;
			h = (h ^ fold_case(c)) * 0x100000001b3ULL;
			wlen++;
			continue;
		}
		if (wlen == 0)
			continue;
		if (wlen <= DETECT_MAX_WORD) {
			word_feat(x, uni_key(h), words);
			nwords++;
			if (have_prev) {
				word_feat(x, bi_key(prev, h), words);
				nwords++;
			}
			prev = h;
			have_prev = true;
		} else {
			have_prev = false;       /* a long run is no word: no bigram across it */
		}
		wlen = 0;
	}
	for (i = 0; i < x->n; i++)
		x->seen[x->idx[i] >> 6] = 0;
	for (i = 0; i < x->nw; i++) {
		x->wc[i] = x->wcnt[x->widx[i]];
		x->wcnt[x->widx[i]] = 0;
	}
	v->idx = x->idx;
	v->n = x->n;
	v->scale = x->n ? (float)(1.0 / sqrt((double)x->n)) : 0;
	v->widx = x->widx;
	v->wcnt = x->wc;
	v->nw = x->nw;
	v->words = nwords;
}

void detect_words(const char *text, size_t len,
		  void (*cb)(void *ctx, uint32_t wbucket, const char *term, size_t tlen),
		  void *ctx)
{
	const unsigned char *p = (const unsigned char *)text;
	char term[2 * DETECT_MAX_WORD + 2];      /* "prev cur" */
	size_t i, wlen = 0, plen = 0, start = 0;
	uint64_t h = 0, prev = 0;
	bool have_prev = false;

	if (len > DETECT_MAX_TEXT)
		len = DETECT_MAX_TEXT;
	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? p[i] : ' ';
		size_t k;
		if (i < len && word_byte(c)) {
			if (wlen == 0) {
				h = 0xcbf29ce484222325ULL;
				start = i;
			}
			h = (h ^ fold_case(c)) * 0x100000001b3ULL;
			wlen++;
			continue;
		}
		if (wlen == 0)
			continue;
		if (wlen <= DETECT_MAX_WORD) {
			/* term holds "prev " (plen + 1 bytes) then this word */
			char *w = term + (have_prev ? plen + 1 : 0);
			for (k = 0; k < wlen; k++)
				w[k] = (char)fold_case(p[start + k]);
			w[wlen] = '\0';
			cb(ctx, wbucket(fmix64(uni_key(h))), w, wlen);
			if (have_prev)
				cb(ctx, wbucket(fmix64(bi_key(prev, h))), term, plen + 1 + wlen);
			/* this word becomes the previous one */
			memmove(term, w, wlen);
			term[wlen] = ' ';
			plen = wlen;
			prev = h;
			have_prev = true;
		} else {
			have_prev = false;
		}
		wlen = 0;
	}
}

/* ---- naive Bayes by folds ---- */

struct detect_nb {
	unsigned folds;
	float *cnt;                /* [fold][bucket][class]: class 0 real, 1 synthetic */
	double *docs;              /* [fold][class]: weighted documents */
	float *w;                  /* [fold][bucket]: log-probability ratios */
	double *prior;             /* [fold]: log(synthetic / real) of its training part */
	unsigned char *ok;         /* [fold]: trained on both classes */
};

struct detect_nb *detect_nb_new(unsigned folds)
{
	struct detect_nb *m = pv_calloc(1, sizeof *m);

	m->folds = folds;
	m->cnt = pv_calloc((size_t)folds * 2 * DETECT_BUCKETS, sizeof *m->cnt);
	m->docs = pv_calloc((size_t)folds * 2, sizeof *m->docs);
	m->prior = pv_calloc(folds, sizeof *m->prior);
	m->ok = pv_calloc(folds, 1);
	return m;
}

void detect_nb_free(struct detect_nb *m)
{
	if (!m)
		return;
	free(m->cnt);
	free(m->docs);
	free(m->w);
	free(m->prior);
	free(m->ok);
	free(m);
}

void detect_nb_add_part(struct detect_nb *m, unsigned f, double real, double synth,
			const struct detect_vec *v, uint32_t lo, uint32_t hi)
{
	float *c = m->cnt + (size_t)f * 2 * DETECT_BUCKETS;
	float r = (float)(real * v->scale), s = (float)(synth * v->scale);
	size_t i;

	if (f >= m->folds)
		return;
	if (lo == 0) {
		m->docs[f * 2] += real;
		m->docs[f * 2 + 1] += synth;
	}
	for (i = 0; i < v->n; i++) {
		uint32_t b = v->idx[i];
		float *p;
		if (b < lo || b >= hi)
			continue;
		p = c + 2 * (size_t)b;
		p[0] += r;
		p[1] += s;
	}
}

void detect_nb_add(struct detect_nb *m, unsigned f, double real, double synth,
		   const struct detect_vec *v)
{
	detect_nb_add_part(m, f, real, synth, v, 0, DETECT_BUCKETS);
}

void detect_nb_copy_real(struct detect_nb *dst, const struct detect_nb *src)
{
	size_t k, n;

	if (!dst || !src || dst->folds != src->folds)
		return;
	n = (size_t)src->folds * DETECT_BUCKETS;
	for (k = 0; k < n; k++)
		dst->cnt[2 * k] = src->cnt[2 * k];
	for (k = 0; k < src->folds; k++)
		dst->docs[2 * k] = src->docs[2 * k];
}

unsigned detect_nb_fit(struct detect_nb *m)
{
	const double lam = DETECT_SMOOTHING;
	unsigned f, g, bad = 0;
	size_t b;
	double *tr = pv_calloc(DETECT_BUCKETS, sizeof *tr);
	double *ts = pv_calloc(DETECT_BUCKETS, sizeof *ts);

	free(m->w);
	m->w = pv_calloc((size_t)m->folds * DETECT_BUCKETS, sizeof *m->w);
	for (f = 0; f < m->folds; f++) {
		double dr = 0, ds = 0, nr = 0, ns = 0;
		float *w = m->w + (size_t)f * DETECT_BUCKETS;

		for (g = 0; g < m->folds; g++)
			if (g != f) {
				dr += m->docs[g * 2];
				ds += m->docs[g * 2 + 1];
			}
		m->ok[f] = dr > 0 && ds > 0;
		m->prior[f] = 0;
		if (!m->ok[f]) {
			bad++;
			continue;
		}
		m->prior[f] = log(ds / dr);
		/* the training counts: every fold but f, summed in fold order */
		memset(tr, 0, DETECT_BUCKETS * sizeof *tr);
		memset(ts, 0, DETECT_BUCKETS * sizeof *ts);
		for (g = 0; g < m->folds; g++) {
			const float *c = m->cnt + (size_t)g * 2 * DETECT_BUCKETS;
			if (g == f)
				continue;
			for (b = 0; b < DETECT_BUCKETS; b++) {
				tr[b] += c[2 * b];
				ts[b] += c[2 * b + 1];
			}
		}
		for (b = 0; b < DETECT_BUCKETS; b++) {
			nr += tr[b];
			ns += ts[b];
		}
		/* each side smoothed by lam times its own mass spread evenly: a
		 * bucket neither side has weighs 0, whatever their sizes */
		if (!(nr > 0) || !(ns > 0))
			continue;    /* texts without features: every weight 0 */
		for (b = 0; b < DETECT_BUCKETS; b++)
			w[b] = (float)(log((ts[b] + lam * ns / DETECT_BUCKETS) / ns) -
				       log((tr[b] + lam * nr / DETECT_BUCKETS) / nr));
	}
	free(tr);
	free(ts);
	return bad;
}

double detect_nb_score(const struct detect_nb *m, unsigned f,
		       const struct detect_vec *v)
{
	const float *w;
	double s = 0;
	size_t i;

	if (f >= m->folds || !m->w || !m->ok[f])
		return 0;
	w = m->w + (size_t)f * DETECT_BUCKETS;
	for (i = 0; i < v->n; i++)
		s += w[v->idx[i]];
	return m->prior[f] + s * v->scale;
}

void detect_nb_save(const struct detect_nb *m, struct detect_saved *out)
{
	unsigned f, n = detect_saved_start(out, DETECT_MODEL_NB, false, m->ok, m->folds);

	for (f = 0; m->w && n && f < m->folds; f++) {
		if (!m->ok[f])
			continue;
		out->c[out->folds++] = m->prior[f];
		detect_saved_add(out, m->w + (size_t)f * DETECT_BUCKETS, 1, n);
	}
}

/* ---- Platt scaling ---- */

double detect_sigmoid(double x)
{
	if (x >= 0)
		return 1 / (1 + exp(-x));
	return exp(x) / (1 + exp(x));
}

/* The weighted log-loss of p = sigmoid(A u + B) against targets t. */
static double platt_loss(const double *u, const double *t, const double *w,
			 size_t n, double A, double B)
{
	double l = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double z = A * u[i] + B;
		/* log(1 + e^z) - t z, computed without overflow */
		double lse = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
		l += (w ? w[i] : 1) * (lse - t[i] * z);
	}
	return l;
}

void detect_platt(const double *s, const unsigned char *y, const double *w,
		  size_t n, double *a, double *b)
{
	double np = 0, nn = 0, mean = 0, sd = 0, tot = 0;
	double A = 0, B, tp, tn, loss;
	double *u, *t;
	size_t i;
	int it;

	for (i = 0; i < n; i++) {
		double wi = w ? w[i] : 1;
		if (y[i])
			np += wi;
		else
			nn += wi;
		mean += wi * s[i];
		tot += wi;
	}
	*a = 0;
	*b = 0;
	if (tot <= 0)
		return;
	mean /= tot;
	for (i = 0; i < n; i++)
		sd += (w ? w[i] : 1) * (s[i] - mean) * (s[i] - mean);
	sd = sqrt(sd / tot);
	/* Platt's targets: never exactly 0 or 1 */
	tp = (np + 1) / (np + 2);
	tn = 1 / (nn + 2);
	B = log((np + 1) / (nn + 1));
	*b = B;
	if (!(sd > 0) || np == 0 || nn == 0)
		return;
	u = pv_malloc(n * sizeof *u);
	t = pv_malloc(n * sizeof *t);
	for (i = 0; i < n; i++) {
		u[i] = (s[i] - mean) / sd;
		t[i] = y[i] ? tp : tn;
	}
	loss = platt_loss(u, t, w, n, A, B);
	for (it = 0; it < 100; it++) {
		double g1 = 0, g2 = 0, h11 = 1e-12, h12 = 0, h22 = 1e-12;
		double det, dA, dB, step = 1;

		for (i = 0; i < n; i++) {
			double wi = w ? w[i] : 1;
			double p = detect_sigmoid(A * u[i] + B), d = wi * (p - t[i]);
			double q = wi * p * (1 - p);
			g1 += d * u[i];
			g2 += d;
			h11 += q * u[i] * u[i];
			h12 += q * u[i];
			h22 += q;
		}
		det = h11 * h22 - h12 * h12;
		if (!(det > 0))
			break;
		dA = (h22 * g1 - h12 * g2) / det;
		dB = (h11 * g2 - h12 * g1) / det;
		/* backtracking: a Newton step may overshoot far from the optimum */
		while (step > 1e-10) {
			double nl = platt_loss(u, t, w, n, A - step * dA, B - step * dB);
			if (nl <= loss) {
				loss = nl;
				break;
			}
			step /= 2;
		}
		if (step <= 1e-10)
			break;
		A -= step * dA;
		B -= step * dB;
		if (fabs(step * dA) < 1e-10 && fabs(step * dB) < 1e-10)
			break;
	}
	free(u);
	free(t);
	if (A < 0) {
		/* ranks worse than chance: no ordering, the base rate for all */
		*a = 0;
		*b = log((np + 1) / (nn + 1));
		return;
	}
	*a = A / sd;
	*b = B - A * mean / sd;
}

/* ---- AUC and DeLong's interval ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A sorted copy of x[0..n) (n > 0), the caller's to free. */
static double *sorted_copy(const double *x, size_t n)
{
	double *c = pv_malloc(n * sizeof *c);

	memcpy(c, x, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_double);
	return c;
}

int detect_auc(const double *pos, size_t npos, const double *neg, size_t nneg,
	       struct detect_auc *out)
{
	double *p, *q, sum = 0, s10 = 0, s01 = 0, var;
	size_t i, lo, hi;

	memset(out, 0, sizeof *out);
	out->npos = npos;
	out->nneg = nneg;
	out->auc = 0.5;
	out->hi = 1;
	if (!npos || !nneg)
		return PV_EINVAL;
	p = sorted_copy(pos, npos);
	q = sorted_copy(neg, nneg);
	/* V10 of each positive: the share of negatives below it (ties half);
	 * lo and hi walk the sorted negatives: q[0..lo) < x, q[lo..hi) == x */
	lo = hi = 0;
	for (i = 0; i < npos; i++) {
		double v;
		while (lo < nneg && q[lo] < p[i])
			lo++;
		if (hi < lo)
			hi = lo;
		while (hi < nneg && q[hi] <= p[i])
			hi++;
		v = ((double)lo + 0.5 * (double)(hi - lo)) / (double)nneg;
		sum += v;
		p[i] = v;                /* p now holds V10 */
	}
	out->auc = sum / (double)npos;
	for (i = 0; i < npos; i++)
		s10 += (p[i] - out->auc) * (p[i] - out->auc);
	/* V01 of each negative: the share of positives above it; positives
	 * are needed sorted again, so sort the originals once more */
	memcpy(p, pos, npos * sizeof *p);
	qsort(p, npos, sizeof *p, cmp_double);
	lo = hi = 0;
	for (i = 0; i < nneg; i++) {
		double v;
		while (lo < npos && p[lo] < q[i])
			lo++;
		if (hi < lo)
			hi = lo;
		while (hi < npos && p[hi] <= q[i])
			hi++;
		v = ((double)(npos - hi) + 0.5 * (double)(hi - lo)) / (double)npos;
		s01 += (v - out->auc) * (v - out->auc);
	}
	s10 = npos > 1 ? s10 / (double)(npos - 1) : 0;
	s01 = nneg > 1 ? s01 / (double)(nneg - 1) : 0;
	var = s10 / (double)npos + s01 / (double)nneg;
	out->se = sqrt(var > 0 ? var : 0);
	out->lo = PV_MAX(0.0, out->auc - 1.959963984540054 * out->se);
	out->hi = PV_MIN(1.0, out->auc + 1.959963984540054 * out->se);
	free(p);
	free(q);
	return 0;
}

/* ---- the true-positive rate at a false-positive rate ---- */

/* A uniform index below n (n > 0; the modulo bias is below 2^-40 for
 * the sizes met here). */
static size_t draw(uint64_t *x, size_t n)
{
	return (size_t)(pv_rand64(x) % n);
}

/* The threshold of the sorted (ascending) negatives q[0..n) that lets at
 * most k of them score strictly above it: q[n - k - 1] (ties at it stay
 * below).  n > k. */
static double threshold_at(const double *q, size_t n, size_t k)
{
	return q[n - k - 1];
}

/* The number of the sorted p[0..n) strictly above t. */
static size_t above(const double *p, size_t n, double t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p[mid] > t)
			hi = mid;
		else
			lo = mid + 1;
	}
	return n - lo;
}

int detect_tpr_at(const double *pos, size_t npos, const double *neg, size_t nneg,
		  double fpr, unsigned boot, uint64_t seed, struct detect_tpr *out)
{
	double *p, *q, *rates;
	unsigned *cnt;
	uint64_t rng = seed;
	size_t i, k;
	unsigned b;

	memset(out, 0, sizeof *out);
	out->fpr = fpr;
	out->hi = 1;
	if (!npos || !nneg || !(fpr >= 0) || fpr >= 1)
		return PV_EINVAL;
	p = sorted_copy(pos, npos);
	q = sorted_copy(neg, nneg);
	k = (size_t)floor(fpr * (double)nneg);
	if (k >= nneg)
		k = nneg - 1;
	out->threshold = threshold_at(q, nneg, k);
	out->real_above = above(q, nneg, out->threshold);
	out->synthetic_above = above(p, npos, out->threshold);
	out->tpr = (double)out->synthetic_above / (double)npos;
	out->real_rate = (double)out->real_above / (double)nneg;
	out->lo = out->hi = out->tpr;
	if (boot) {
		/* percentile bootstrap, both sides resampled: the threshold
		 * moves with the real documents drawn, as it would on
		 * another sample of them */
		rates = pv_malloc(boot * sizeof *rates);
		cnt = pv_malloc(nneg * sizeof *cnt);
		for (b = 0; b < boot; b++) {
			size_t seen = 0, j, hit = 0, first;
			double t = q[0];
			memset(cnt, 0, nneg * sizeof *cnt);
			for (i = 0; i < nneg; i++)
				cnt[draw(&rng, nneg)]++;
			/* the (k+1)-th highest of the resample */
			for (j = nneg; j-- > 0;) {
				seen += cnt[j];
				if (seen > k) {
					t = q[j];
					break;
				}
			}
			first = npos - above(p, npos, t);
			for (i = 0; i < npos; i++)
				hit += draw(&rng, npos) >= first;
			rates[b] = (double)hit / (double)npos;
		}
		qsort(rates, boot, sizeof *rates, cmp_double);
		out->lo = rates[(size_t)floor(0.025 * (double)(boot - 1))];
		out->hi = rates[(size_t)ceil(0.975 * (double)(boot - 1))];
		free(rates);
		free(cnt);
	}
	free(p);
	free(q);
	return 0;
}

/* ---- log-odds with an informative Dirichlet prior ---- */

double detect_logodds(double yi, double ni, double yj, double nj, double bg,
		      double nbg, double a0, double *delta)
{
	double aw, d, var;

	if (delta)
		*delta = 0;
	if (!(bg > 0) || !(nbg > 0))
		return 0;
	aw = a0 * bg / nbg;
	d = log((yi + aw) / (ni + a0 - yi - aw)) - log((yj + aw) / (nj + a0 - yj - aw));
	var = 1 / (yi + aw) + 1 / (yj + aw);
	if (delta)
		*delta = d;
	return d / sqrt(var);
}
