/*
 * detmodel.c - the model a detect run leaves in its store for detect
 * --apply: its pooled model's fold models averaged, packed into bytes
 * (little-endian, then one zstd frame) and back.  No store in sight: the
 * caller writes and reads the bytes (detect.c).
 *
 * The average of K fold models scores a text with the mean of their
 * log-odds: the bucket weights enter the log-odds linearly, so their mean
 * is kept (one table, not K), and each fold's constant (prior and bias)
 * and style part (weights, standardisation, clipping) are kept as they
 * are, so the mean is exact.
 */
#include "config.h"
#include "classify.h"
#include "lr.h"
#include "../common/buf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

_Static_assert(DETECT_STYLE == 10, "struct detect_saved holds 10 style features");

#define SAVED_MAGIC "PVDM"
#define SAVED_VERSION 1u

void detect_saved_done(struct detect_saved *m)
{
	if (!m)
		return;
	free(m->w);
	memset(m, 0, sizeof *m);
}

unsigned detect_saved_start(struct detect_saved *out, enum detect_model kind, bool style,
			    const unsigned char *ok, unsigned folds)
{
	unsigned f, n = 0;

	memset(out, 0, sizeof *out);
	out->kind = kind;
	out->style = style;
	out->w = pv_calloc(DETECT_BUCKETS, sizeof *out->w);
	for (f = 0; f < folds; f++)
		n += ok[f] != 0;
	return n;
}

void detect_saved_add(struct detect_saved *out, const float *w, size_t stride, unsigned n)
{
	size_t b;

	for (b = 0; b < DETECT_BUCKETS; b++)
		out->w[b] += w[stride * b] / (float)n;
}

double detect_saved_score(const struct detect_saved *m, const struct detect_vec *v,
			  const double *style)
{
	double s = 0, c = 0;
	size_t i;
	unsigned f, k;

	if (!m->folds)
		return 0;
	for (i = 0; i < v->n; i++)
		s += m->w[v->idx[i]];
	for (f = 0; f < m->folds; f++) {
		c += m->c[f];
		for (k = 0; style && m->style && k < DETECT_STYLE; k++) {
			double sd = m->sd[f][k], z;
			if (!(sd > 0))
				continue;
			z = (style[k] - m->mu[f][k]) / sd;
			z = z > DETECT_LR_CLIP ? DETECT_LR_CLIP : z < -DETECT_LR_CLIP ? -DETECT_LR_CLIP : z;
			c += m->sw[f][k] * z;
		}
	}
	return s * v->scale + c / m->folds;
}

/* ---- bytes ---- */

static void put_u32(struct buf *b, uint32_t x)
{
	unsigned char p[4] = { (unsigned char)x, (unsigned char)(x >> 8),
			       (unsigned char)(x >> 16), (unsigned char)(x >> 24) };
	buf_append(b, p, 4);
}

static void put_f64(struct buf *b, double d)
{
	uint64_t x;
	unsigned char p[8];
	unsigned i;

	memcpy(&x, &d, 8);
	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(x >> (8 * i));
	buf_append(b, p, 8);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static double get_f64(const unsigned char *p)
{
	uint64_t x = 0;
	double d;
	unsigned i;

	for (i = 0; i < 8; i++)
		x |= (uint64_t)p[i] << (8 * i);
	memcpy(&d, &x, 8);
	return d;
}

int detect_saved_pack(const struct detect_saved *m, void **out, size_t *len,
		      struct pv_err *err)
{
	struct buf b = BUF_INIT;
	unsigned f, k;
	uint32_t i;
	size_t cap, n;
	void *z;

	buf_append(&b, SAVED_MAGIC, 4);
	put_u32(&b, SAVED_VERSION);
	put_u32(&b, (uint32_t)m->kind);
	put_u32(&b, m->style ? 1u : 0u);
	put_u32(&b, m->folds);
	put_u32(&b, DETECT_BUCKETS);
	for (f = 0; f < m->folds; f++) {
		put_f64(&b, m->c[f]);
		for (k = 0; m->style && k < DETECT_STYLE; k++) {
			put_f64(&b, m->sw[f][k]);
			put_f64(&b, m->mu[f][k]);
			put_f64(&b, m->sd[f][k]);
		}
	}
	for (i = 0; i < DETECT_BUCKETS; i++) {
		uint32_t x;
		memcpy(&x, &m->w[i], 4);
		put_u32(&b, x);
	}
	cap = ZSTD_compressBound(b.len);
	z = pv_malloc(cap);
	n = ZSTD_compress(z, cap, b.data, b.len, 3);
	buf_done(&b);
	if (ZSTD_isError(n)) {
		free(z);
		return pv_errf(err, PV_ESTORE, "packing the model: %s", ZSTD_getErrorName(n));
	}
	*out = z;
	*len = n;
	return 0;
}

int detect_saved_unpack(const void *data, size_t len, struct detect_saved *m,
			struct pv_err *err)
{
	unsigned long long size = ZSTD_getFrameContentSize(data, len);
	unsigned char *raw, *p, *end;
	size_t n, need;
	unsigned f, k;
	uint32_t i, style, buckets;

	memset(m, 0, sizeof *m);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
	    size > 64u << 20)
		return pv_errf(err, PV_ESTORE, "the saved model is damaged (not a zstd frame "
			       "of a known size): run provex detect again to save a new one");
	raw = pv_malloc(size ? (size_t)size : 1);
	n = ZSTD_decompress(raw, (size_t)size, data, len);
	if (ZSTD_isError(n) || n != size) {
		free(raw);
		return pv_errf(err, PV_ESTORE, "the saved model is damaged (%s): run provex "
			       "detect again to save a new one",
			       ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short");
	}
	p = raw;
	end = raw + n;
	if (n < 24 || memcmp(p, SAVED_MAGIC, 4) || get_u32(p + 4) != SAVED_VERSION)
		goto bad;
	m->kind = get_u32(p + 8) == DETECT_MODEL_NB ? DETECT_MODEL_NB : DETECT_MODEL_LR;
	style = get_u32(p + 12);
	m->folds = get_u32(p + 16);
	buckets = get_u32(p + 20);
	p += 24;
	m->style = style != 0;
	need = (size_t)m->folds * 8 * (1 + (m->style ? 3 * DETECT_STYLE : 0)) +
	       (size_t)buckets * 4;
	if (style > 1 || m->folds < 1 || m->folds > DETECT_MAX_FOLDS ||
	    buckets != DETECT_BUCKETS || (size_t)(end - p) != need)
		goto bad;
	for (f = 0; f < m->folds; f++) {
		m->c[f] = get_f64(p);
		p += 8;
		for (k = 0; m->style && k < DETECT_STYLE; k++, p += 24) {
			m->sw[f][k] = get_f64(p);
			m->mu[f][k] = get_f64(p + 8);
			m->sd[f][k] = get_f64(p + 16);
		}
	}
	m->w = pv_malloc(DETECT_BUCKETS * sizeof *m->w);
	for (i = 0; i < DETECT_BUCKETS; i++, p += 4) {
		uint32_t x = get_u32(p);
		memcpy(&m->w[i], &x, 4);
	}
	free(raw);
	return 0;
bad:
	free(raw);
	m->folds = 0;
	return pv_errf(err, PV_ESTORE, "the saved model is not one this provex reads "
		       "(format or size): run provex detect again to save a new one");
}
