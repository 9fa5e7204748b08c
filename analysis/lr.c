/*
 * lr.c - style features of a text and a logistic regression by folds,
 * the second model of provex detect (see lr.h for what each computes).
 * No store, no clock, no random numbers, no threads: sums are taken in
 * the order the caller adds texts, so scores repeat bit for bit.
 */
#include "config.h"
#include "lr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* ---- style features ---- */

/* The function words, sorted (strcmp order) for bsearch: 50 of the most
 * frequent English words that carry grammar rather than topic. */
static const char *const function_words[] = {
	"a", "about", "all", "also", "an", "and", "are", "as", "at", "be",
	"been", "but", "by", "can", "for", "from", "had", "has", "have", "he",
	"her", "his", "i", "if", "in", "is", "it", "its", "more", "not",
	"of", "on", "one", "or", "our", "she", "so", "that", "the", "their",
	"there", "these", "they", "this", "to", "was", "we", "which", "with", "would",
};
#define NFUNCTION (sizeof function_words / sizeof function_words[0])
#define FUNCTION_MAX 5                 /* the longest one's length */

static const char *const style_names[DETECT_STYLE] = {
	"compression", "ttr", "sent_mean", "sent_sd", "punct", "function",
	"word_len", "log_len", "digits", "upper",
};

const char *detect_style_name(unsigned k)
{
	return k < DETECT_STYLE ? style_names[k] : "?";
}

static bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool is_punct(unsigned char c)
{
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
	       (c >= '{' && c <= '~');
}

static int cmp_word(const void *key, const void *elt)
{
	return strcmp(key, *(const char *const *)elt);
}

/* The size of text[0..len) as one zstd frame at level 1 (content size
 * in the header: zstd then sizes its tables to the text, which makes a
 * short text cheap), streamed into a buffer on the stack that is
 * overwritten (only the size matters); len (a ratio of 1) if zstd
 * fails. */
static size_t compressed_size(const char *text, size_t len)
{
	unsigned char out[16384];
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_inBuffer in = { text, len, 0 };
	size_t total = 0, rc;

	if (!c)
		return len;
	rc = ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
	if (!ZSTD_isError(rc))
		rc = ZSTD_CCtx_setPledgedSrcSize(c, len);
	while (!ZSTD_isError(rc)) {
		ZSTD_outBuffer o = { out, sizeof out, 0 };
		rc = ZSTD_compressStream2(c, &o, &in, ZSTD_e_end);
		total += o.pos;
		if (rc == 0)
			break;               /* the frame is complete */
	}
	ZSTD_freeCCtx(c);
	return ZSTD_isError(rc) ? len : total;
}

/* The type/token counter: 64-bit hashes of the first
 * DETECT_STYLE_TTR_WORDS words in an open-addressing table (0 = empty;
 * a hash that is 0 is taken as 1). */
#define TTR_SLOTS 2048                 /* a power of two, > 2 * TTR words */

struct ttr {
	uint64_t slot[TTR_SLOTS];
	size_t words, distinct;
};

static void ttr_add(struct ttr *t, uint64_t h)
{
	size_t i;

	if (t->words >= DETECT_STYLE_TTR_WORDS)
		return;
	t->words++;
	h = h ? h : 1;
	for (i = (size_t)(h ^ (h >> 29)) & (TTR_SLOTS - 1); t->slot[i]; i = (i + 1) & (TTR_SLOTS - 1))
		if (t->slot[i] == h)
			return;
	t->slot[i] = h;
	t->distinct++;
}

void detect_style(const char *text, size_t len, double out[DETECT_STYLE])
{
	const unsigned char *p = (const unsigned char *)text;
	struct ttr t;                  /* 16 KB on the stack */
	size_t i, words = 0, wbytes = 0, punct = 0, digits = 0, upper = 0, letters = 0;
	size_t function = 0, sentences = 0, swords = 0;   /* swords: words of this sentence */
	double ssum = 0, ssq = 0;

	memset(out, 0, DETECT_STYLE * sizeof *out);
	if (len > DETECT_MAX_TEXT)
		len = DETECT_MAX_TEXT;
	if (!text || len == 0)
		return;
	t.words = t.distinct = 0;
	memset(t.slot, 0, sizeof t.slot);
	i = 0;
	while (i < len) {
		unsigned char c = p[i];
		bool end = false;

		if (is_word_byte(c)) {
			uint64_t h = 14695981039346656037ULL;     /* FNV-1a */
			char fw[FUNCTION_MAX + 1];
			size_t start = i;

			for (; i < len && is_word_byte(p[i]); i++) {
				unsigned char b = p[i];
				if (b >= 'A' && b <= 'Z') {
					upper++;
					b = (unsigned char)(b + 32);
				}
				if (b >= 'a' && b <= 'z')
					letters++;
				else if (b >= '0' && b <= '9')
					digits++;
				if (i - start < FUNCTION_MAX)
					fw[i - start] = (char)b;
				h = (h ^ b) * 1099511628211ULL;
			}
			words++;
			swords++;
			wbytes += i - start;
			ttr_add(&t, h);
			if (i - start <= FUNCTION_MAX) {
				fw[i - start] = '\0';
				if (bsearch(fw, function_words, NFUNCTION, sizeof function_words[0],
					    cmp_word))
					function++;
			}
			continue;
		}
		if (is_punct(c)) {
			punct++;
			if ((c == '.' || c == '!' || c == '?') &&
			    (i + 1 == len || is_space(p[i + 1])))
				end = true;
		} else if (c == '\n') {
			size_t j = i + 1;
			while (j < len && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r'))
				j++;
			if (j < len && p[j] == '\n')
				end = true;          /* a blank line; the second LF is seen next */
		}
		if (end && swords) {
			sentences++;
			ssum += (double)swords;
			ssq += (double)swords * (double)swords;
			swords = 0;
		}
		i++;
	}
	if (swords) {
		sentences++;
		ssum += (double)swords;
		ssq += (double)swords * (double)swords;
	}
	out[STYLE_COMPRESSION] = (double)compressed_size(text, len) / (double)len;
	if (words) {
		out[STYLE_TTR] = (double)t.distinct / (double)t.words;
		out[STYLE_PUNCT] = (double)punct / (double)words;
		out[STYLE_FUNCTION] = (double)function / (double)words;
		out[STYLE_WORD_LEN] = (double)wbytes / (double)words;
	}
	if (sentences) {
		double mean = ssum / (double)sentences, var = ssq / (double)sentences - mean * mean;
		out[STYLE_SENT_MEAN] = mean;
		out[STYLE_SENT_SD] = var > 0 ? sqrt(var) : 0;
	}
	out[STYLE_LOG_LEN] = log1p((double)len);
	out[STYLE_DIGITS] = (double)digits / (double)len;
	out[STYLE_UPPER] = letters ? (double)upper / (double)letters : 0;
}

/* ---- logistic regression by folds ---- */

struct detect_lr {
	unsigned folds;
	float *wg;                 /* [fold][bucket][2]: weight, AdaGrad sum of squares */
	double *bias;              /* [fold][2]: bias, its AdaGrad sum */
	double *sw;                /* [fold][DETECT_STYLE][2]: style weights, AdaGrad sums */
	double *cls;               /* [fold][2]: counted real, synthetic weight of fold f's texts */
	double *mom;               /* [fold][DETECT_STYLE][3]: counted weight, sum x, sum x^2 */
	double *mu, *sd;           /* [model][DETECT_STYLE]: standardisation (sd 0: unused) */
	double *cw;                /* [model][2]: class weights, real and synthetic */
	double *prior;             /* [model]: log(S / R) of its training texts */
	unsigned char *ok;         /* [model]: trained on both classes */
	bool started;
};

struct detect_lr *detect_lr_new(unsigned folds)
{
	struct detect_lr *m = pv_calloc(1, sizeof *m);

	m->folds = folds;
	m->wg = pv_calloc((size_t)folds * 2 * DETECT_BUCKETS, sizeof *m->wg);
	m->bias = pv_calloc((size_t)folds * 2, sizeof *m->bias);
	m->sw = pv_calloc((size_t)folds * DETECT_STYLE * 2, sizeof *m->sw);
	m->cls = pv_calloc((size_t)folds * 2, sizeof *m->cls);
	m->mom = pv_calloc((size_t)folds * DETECT_STYLE * 3, sizeof *m->mom);
	m->mu = pv_calloc((size_t)folds * DETECT_STYLE, sizeof *m->mu);
	m->sd = pv_calloc((size_t)folds * DETECT_STYLE, sizeof *m->sd);
	m->cw = pv_calloc((size_t)folds * 2, sizeof *m->cw);
	m->prior = pv_calloc(folds, sizeof *m->prior);
	m->ok = pv_calloc(folds, 1);
	return m;
}

void detect_lr_free(struct detect_lr *m)
{
	if (!m)
		return;
	free(m->wg);
	free(m->bias);
	free(m->sw);
	free(m->cls);
	free(m->mom);
	free(m->mu);
	free(m->sd);
	free(m->cw);
	free(m->prior);
	free(m->ok);
	free(m);
}

void detect_lr_count(struct detect_lr *m, unsigned f, double real, double synth,
		     const double style[DETECT_STYLE])
{
	double w = real + synth, *mo;
	unsigned k;

	if (f >= m->folds)
		return;
	m->cls[f * 2] += real;
	m->cls[f * 2 + 1] += synth;
	if (!style)
		return;
	mo = m->mom + (size_t)f * DETECT_STYLE * 3;
	for (k = 0; k < DETECT_STYLE; k++) {
		mo[3 * k] += w;
		mo[3 * k + 1] += w * style[k];
		mo[3 * k + 2] += w * style[k] * style[k];
	}
}

unsigned detect_lr_start(struct detect_lr *m)
{
	unsigned g, f, k, bad = 0;

	for (g = 0; g < m->folds; g++) {
		double r = 0, s = 0, n[DETECT_STYLE] = { 0 }, sx[DETECT_STYLE] = { 0 },
		       sxx[DETECT_STYLE] = { 0 };

		for (f = 0; f < m->folds; f++) {
			const double *mo = m->mom + (size_t)f * DETECT_STYLE * 3;
			if (f == g)
				continue;
			r += m->cls[f * 2];
			s += m->cls[f * 2 + 1];
			for (k = 0; k < DETECT_STYLE; k++) {
				n[k] += mo[3 * k];
				sx[k] += mo[3 * k + 1];
				sxx[k] += mo[3 * k + 2];
			}
		}
		m->ok[g] = r > 0 && s > 0;
		if (!m->ok[g]) {
			bad++;
			continue;
		}
		m->cw[g * 2] = (r + s) / (2 * r);
		m->cw[g * 2 + 1] = (r + s) / (2 * s);
		m->prior[g] = log(s / r);
		for (k = 0; k < DETECT_STYLE; k++) {
			double mean = n[k] > 0 ? sx[k] / n[k] : 0;
			double var = n[k] > 0 ? sxx[k] / n[k] - mean * mean : 0;
			m->mu[g * DETECT_STYLE + k] = mean;
			/* a feature that does not vary (relative to its size) is left out */
			m->sd[g * DETECT_STYLE + k] =
				var > 1e-12 * (1 + mean * mean) ? sqrt(var) : 0;
		}
	}
	m->started = true;
	return bad;
}

/* Fold g's standardised style values into x[] (0 for a feature left out). */
static void standardise(const struct detect_lr *m, unsigned g, const double style[DETECT_STYLE],
			double x[DETECT_STYLE])
{
	const double *mu = m->mu + (size_t)g * DETECT_STYLE, *sd = m->sd + (size_t)g * DETECT_STYLE;
	unsigned k;

	for (k = 0; k < DETECT_STYLE; k++) {
		double z = sd[k] > 0 ? (style[k] - mu[k]) / sd[k] : 0;
		x[k] = z > DETECT_LR_CLIP ? DETECT_LR_CLIP : z < -DETECT_LR_CLIP ? -DETECT_LR_CLIP : z;
	}
}

#define LR_AHEAD 12                /* prefetch distance, in buckets */

/* Model g's margin (without the prior) on a text. */
static double margin(const struct detect_lr *m, unsigned g, const struct detect_vec *v,
		     const double *x)
{
	const float *wg = m->wg + (size_t)g * 2 * DETECT_BUCKETS;
	const double *sw = m->sw + (size_t)g * DETECT_STYLE * 2;
	double s = 0, z;
	size_t i;
	unsigned k;

	for (i = 0; i < v->n; i++) {
		/* the buckets are scattered over 8 MB: ask for the cache line
		 * of a bucket a few ahead while this one is added */
		if (i + LR_AHEAD < v->n)
			__builtin_prefetch(wg + 2 * (size_t)v->idx[i + LR_AHEAD], 1);
		s += wg[2 * (size_t)v->idx[i]];
	}
	z = m->bias[g * 2] + s * v->scale;
	if (x)
		for (k = 0; k < DETECT_STYLE; k++)
			z += sw[2 * k] * x[k];
	return z;
}

/* One AdaGrad step on a coordinate: gradient gr, at weight *w, sum *acc
 * (in single precision, as they are stored). */
static inline void adagrad_f(float *w, float *acc, float gr)
{
	*acc += gr * gr;
	if (*acc > 0)
		*w -= (float)DETECT_LR_RATE * gr / sqrtf(*acc);
}

static inline void adagrad_d(double *w, double *acc, double gr)
{
	*acc += gr * gr;
	if (*acc > 0)
		*w -= DETECT_LR_RATE * gr / sqrt(*acc);
}

void detect_lr_add_part(struct detect_lr *m, unsigned f, double real, double synth,
			const struct detect_vec *v, const double style[DETECT_STYLE],
			unsigned lo, unsigned hi)
{
	unsigned g, k;

	if (f >= m->folds || !m->started)
		return;
	if (hi > m->folds)
		hi = m->folds;
	for (g = lo; g < hi; g++) {
		double x[DETECT_STYLE], rw, sw, wt, p, dz, lam;
		float *wg, gs, flam;
		size_t i;

		if (g == f || !m->ok[g])
			continue;
		rw = real * m->cw[g * 2];
		sw = synth * m->cw[g * 2 + 1];
		wt = rw + sw;
		if (!(wt > 0))
			continue;
		if (style)
			standardise(m, g, style, x);
		p = detect_sigmoid(margin(m, g, v, style ? x : NULL));
		dz = wt * p - sw;          /* d(weighted log-loss) / d(margin) */
		lam = DETECT_LR_L2 * wt;
		wg = m->wg + (size_t)g * 2 * DETECT_BUCKETS;
		gs = (float)(dz * v->scale);
		flam = (float)lam;
		for (i = 0; i < v->n; i++) {
			float *c = wg + 2 * (size_t)v->idx[i];
			adagrad_f(c, c + 1, gs + flam * c[0]);
		}
		adagrad_d(&m->bias[g * 2], &m->bias[g * 2 + 1], dz);
		if (style) {
			double *s = m->sw + (size_t)g * DETECT_STYLE * 2;
			for (k = 0; k < DETECT_STYLE; k++)
				adagrad_d(&s[2 * k], &s[2 * k + 1], dz * x[k] + lam * s[2 * k]);
		}
	}
}

void detect_lr_add(struct detect_lr *m, unsigned f, double real, double synth,
		   const struct detect_vec *v, const double style[DETECT_STYLE])
{
	detect_lr_add_part(m, f, real, synth, v, style, 0, m->folds);
}

double detect_lr_score(const struct detect_lr *m, unsigned f, const struct detect_vec *v,
		       const double style[DETECT_STYLE])
{
	double x[DETECT_STYLE];

	if (f >= m->folds || !m->ok[f])
		return 0;
	if (style)
		standardise(m, f, style, x);
	return m->prior[f] + margin(m, f, v, style ? x : NULL);
}

void detect_lr_save(const struct detect_lr *m, struct detect_saved *out)
{
	unsigned g, n = detect_saved_start(out, DETECT_MODEL_LR, true, m->ok, m->folds), k;

	for (g = 0; m->started && n && g < m->folds; g++) {
		if (!m->ok[g])
			continue;
		out->c[out->folds] = m->prior[g] + m->bias[g * 2];
		for (k = 0; k < DETECT_STYLE; k++) {
			out->sw[out->folds][k] = m->sw[((size_t)g * DETECT_STYLE + k) * 2];
			out->mu[out->folds][k] = m->mu[(size_t)g * DETECT_STYLE + k];
			out->sd[out->folds][k] = m->sd[(size_t)g * DETECT_STYLE + k];
		}
		out->folds++;
		detect_saved_add(out, m->wg + (size_t)g * 2 * DETECT_BUCKETS, 2, n);
	}
}
