/*
 * test_lr.c - provex detect's second model (analysis/lr.c): style features
 * on hand-made texts (values worked out by hand, repetitive against varied
 * text, empty text, NUL bytes and invalid UTF-8); the logistic regression
 * by folds on toy corpora: a vocabulary difference (both models do well),
 * a style-only difference naive Bayes cannot see (only the regression
 * with style features separates it); determinism; fold isolation; folds
 * trained on one class; the saved model of detect --apply (the mean of
 * the fold models, packed and unpacked, damaged bytes refused).
 */
#include "config.h"
#include "../tap.h"
#include "../../store/detect.h"
#include "../../analysis/lr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static bool near(double a, double b, double eps)
{
	return fabs(a - b) <= eps;
}

/* A small deterministic generator (xorshift64*), so the toy corpora are
 * the same on every run. */
static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/* ---- style features ---- */

static void test_style_hand(void)
{
	const char *text = "The cat sat on the mat. It was 42!\n\nReally... ok";
	double s[DETECT_STYLE];
	/* 11 words in 4 sentences: "The cat sat on the mat." (6), "It was
	 * 42!" (3, then a blank line), "Really..." (1), "ok" (1, ended by the
	 * end of the text) */
	double mean = 11.0 / 4, var = (36 + 9 + 1 + 1) / 4.0 - mean * mean;

	detect_style(text, strlen(text), s);
	ok(near(s[STYLE_SENT_MEAN], mean, 1e-12), "style: mean sentence length 11/4 (%.6f)",
	   s[STYLE_SENT_MEAN]);
	ok(near(s[STYLE_SENT_SD], sqrt(var), 1e-12), "style: its standard deviation (%.6f)",
	   s[STYLE_SENT_SD]);
	/* distinct: the cat sat on mat it was 42 really ok = 10 of 11 */
	ok(near(s[STYLE_TTR], 10.0 / 11, 1e-12), "style: type/token 10/11, case folded (%.6f)",
	   s[STYLE_TTR]);
	/* punctuation: . ! . . . = 5 over 11 words */
	ok(near(s[STYLE_PUNCT], 5.0 / 11, 1e-12), "style: punctuation per word 5/11 (%.6f)",
	   s[STYLE_PUNCT]);
	/* function words: the, on, the, it, was = 5 */
	ok(near(s[STYLE_FUNCTION], 5.0 / 11, 1e-12), "style: function words 5/11 (%.6f)",
	   s[STYLE_FUNCTION]);
	/* word bytes: 3+3+3+2+3+3 + 2+3+2 + 6 + 2 = 32 */
	ok(near(s[STYLE_WORD_LEN], 32.0 / 11, 1e-12), "style: mean word length 32/11 (%.6f)",
	   s[STYLE_WORD_LEN]);
	ok(near(s[STYLE_LOG_LEN], log(1.0 + (double)strlen(text)), 1e-12), "style: log(1 + bytes)");
	ok(near(s[STYLE_DIGITS], 2.0 / (double)strlen(text), 1e-12), "style: digit rate 2/bytes");
	/* letters: 30 (32 word bytes less 2 digits); upper: T, I, R */
	ok(near(s[STYLE_UPPER], 3.0 / 30, 1e-12), "style: uppercase rate 3/30 (%.6f)",
	   s[STYLE_UPPER]);
	ok(s[STYLE_COMPRESSION] > 0.3 && s[STYLE_COMPRESSION] < 1.5,
	   "style: a compression ratio (%.3f)", s[STYLE_COMPRESSION]);
}

static void test_style_edges(void)
{
	static char rep[8000], var[8000];
	double a[DETECT_STYLE], b[DETECT_STYLE], z[DETECT_STYLE];
	size_t len = 0, i;
	unsigned k, zeros = 0;

	/* repetitive: one sentence over and over; varied: random words */
	while (len + 40 < sizeof rep)
		len += (size_t)snprintf(rep + len, sizeof rep - len, "the cat sat on the mat. ");
	for (i = 0; i < len; i++) {
		uint64_t r = rnd();
		var[i] = (i % 7 == 6) ? ' ' : (char)('a' + r % 26);
	}
	detect_style(rep, len, a);
	detect_style(var, len, b);
	ok(a[STYLE_COMPRESSION] < b[STYLE_COMPRESSION] / 4,
	   "style: repetitive text compresses far better (%.3f < %.3f)", a[STYLE_COMPRESSION],
	   b[STYLE_COMPRESSION]);
	ok(a[STYLE_TTR] < 0.01 && b[STYLE_TTR] > 0.9,
	   "style: and has a lower type/token ratio (%.4f < %.4f)", a[STYLE_TTR], b[STYLE_TTR]);
	ok(a[STYLE_LOG_LEN] == b[STYLE_LOG_LEN], "style: the same length, the same log length");

	detect_style("", 0, z);
	for (k = 0; k < DETECT_STYLE; k++)
		zeros += z[k] == 0;
	is_int(zeros, DETECT_STYLE, "style: an empty text gives zeros");
	detect_style(NULL, 0, z);
	for (k = 0, zeros = 0; k < DETECT_STYLE; k++)
		zeros += z[k] == 0;
	is_int(zeros, DETECT_STYLE, "style: NULL with length 0 too");

	{
		const char bad[] = "ab\0cd \xff\xfe\xc3 x\x80y.\0\0. \xe2\x82";
		unsigned finite = 0;
		detect_style(bad, sizeof bad - 1, z);
		for (k = 0; k < DETECT_STYLE; k++)
			finite += isfinite(z[k]) && z[k] >= 0;
		is_int(finite, DETECT_STYLE, "style: NUL bytes and invalid UTF-8: finite values");
		/* words: ab cd \xff\xfe\xc3 x\x80y \xe2\x82 */
		ok(near(z[STYLE_WORD_LEN], 12.0 / 5, 1e-12), "style: bytes >= 0x80 are word bytes (%.3f)",
		   z[STYLE_WORD_LEN]);
	}
	detect_style("   \n\n  ", 7, z);
	ok(z[STYLE_TTR] == 0 && z[STYLE_SENT_MEAN] == 0 && z[STYLE_PUNCT] == 0 && z[STYLE_LOG_LEN] > 0,
	   "style: no word: the word ratios are 0, no division by zero");
	for (k = 0; k < DETECT_STYLE; k++)
		ok(detect_style_name(k)[0] != '?', "style: feature %u is named %s", k,
		   detect_style_name(k));
}

/* ---- the regression on toy corpora ---- */

static const char *const va[] = { "apple", "orange", "pear", "grape", "melon", "plum",
	"cherry", "lemon" };
static const char *const vb[] = { "hammer", "saw", "drill", "wrench", "chisel", "pliers",
	"level", "clamp" };
static const char *const common[] = { "the", "and", "of", "to", "is", "with", "for", "was",
	"river", "stone", "light", "paper", "green", "house", "table", "water" };

/* A text of n words from side 0 (va) or 1 (vb) and common words. */
static void vocab_text(char *out, size_t cap, int side, int n)
{
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		const char *w = rnd() % 3 == 0 ? (side ? vb : va)[rnd() % 8] : common[rnd() % 16];
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "", w);
	}
}

/* A text of 8 sentences, 80 words drawn alike whatever the side: side 0
 * writes sentences of 10 words, side 1 of 2 and 18 words (4 of each, in
 * a random order).  The same words, the same number of periods, the same
 * mean sentence length: only the spread of the lengths differs, and the
 * byte n-grams and words naive Bayes sees have one distribution. */
static void style_text(char *out, size_t cap, int side)
{
	int lens[8], i, j, shorts = 0;
	size_t len = 0;

	for (i = 0; i < 8; i++) {
		if (!side)
			lens[i] = 10;
		else if (shorts < 4 && (rnd() % 2 || i - shorts >= 4))
			lens[i] = 2, shorts++;
		else
			lens[i] = 18;
	}
	for (i = 0; i < 8; i++)
		for (j = 0; j < lens[i]; j++)
			len += (size_t)snprintf(out + len, cap - len, "%s%s%s", len ? " " : "",
						common[rnd() % 16], j + 1 == lens[i] ? "." : "");
}

enum { NTOY = 400, TOYLEN = 1024 };

struct toy {
	char text[NTOY][TOYLEN];
	unsigned char label[NTOY];     /* 1 = synthetic */
	unsigned fold[NTOY];
};

enum toy_model { TOY_NB, TOY_LR, TOY_LR_HASHED };

/* Cross-validates one model over the toy texts, in their order (already
 * unrelated to the labels), DETECT_LR_EPOCHS for the regression; the out-of-fold
 * scores go to s[] (may be NULL); returns their AUC. */
static double toy_cv(const struct toy *c, enum toy_model which, double *s)
{
	struct detect_fx *x = detect_fx_new();
	struct detect_vec v;
	struct detect_auc a;
	double pos[NTOY], neg[NTOY], sc[NTOY], style[NTOY][DETECT_STYLE];
	size_t i, np = 0, nn = 0;
	int e;

	for (i = 0; i < NTOY; i++)
		detect_style(c->text[i], strlen(c->text[i]), style[i]);
	if (which == TOY_NB) {
		struct detect_nb *m = detect_nb_new(5);
		for (i = 0; i < NTOY; i++) {
			detect_fx_text(x, c->text[i], strlen(c->text[i]), false, &v);
			detect_nb_add(m, c->fold[i], !c->label[i], c->label[i], &v);
		}
		detect_nb_fit(m);
		for (i = 0; i < NTOY; i++) {
			detect_fx_text(x, c->text[i], strlen(c->text[i]), false, &v);
			sc[i] = detect_nb_score(m, c->fold[i], &v);
		}
		detect_nb_free(m);
	} else {
		struct detect_lr *m = detect_lr_new(5);
		const bool st = which == TOY_LR;
		for (i = 0; i < NTOY; i++)
			detect_lr_count(m, c->fold[i], !c->label[i], c->label[i], st ? style[i] : NULL);
		detect_lr_start(m);
		for (e = 0; e < DETECT_LR_EPOCHS; e++)
			for (i = 0; i < NTOY; i++) {
				detect_fx_text(x, c->text[i], strlen(c->text[i]), false, &v);
				detect_lr_add(m, c->fold[i], !c->label[i], c->label[i], &v,
					      st ? style[i] : NULL);
			}
		for (i = 0; i < NTOY; i++) {
			detect_fx_text(x, c->text[i], strlen(c->text[i]), false, &v);
			sc[i] = detect_lr_score(m, c->fold[i], &v, st ? style[i] : NULL);
		}
		detect_lr_free(m);
	}
	for (i = 0; i < NTOY; i++) {
		if (c->label[i])
			pos[np++] = sc[i];
		else
			neg[nn++] = sc[i];
		if (s)
			s[i] = sc[i];
	}
	detect_auc(pos, np, neg, nn, &a);
	detect_fx_free(x);
	return a.auc;
}

static void test_lr_corpora(void)
{
	struct toy *c = malloc(sizeof *c);
	double nb, lr, hashed, s1[NTOY], s2[NTOY];
	size_t i, finite = 0;

	/* labels at random, so that the order of the texts does not follow them */
	for (i = 0; i < NTOY; i++) {
		c->label[i] = rnd() % 2;
		c->fold[i] = (unsigned)(rnd() % 5);
		vocab_text(c->text[i], TOYLEN, c->label[i], 30);
	}
	nb = toy_cv(c, TOY_NB, NULL);
	lr = toy_cv(c, TOY_LR, s1);
	hashed = toy_cv(c, TOY_LR_HASHED, NULL);
	ok(nb > 0.95, "vocabulary corpus: naive Bayes separates it (AUC %.4f)", nb);
	ok(lr > 0.95, "vocabulary corpus: so does the regression with style (AUC %.4f)", lr);
	ok(hashed > 0.95, "vocabulary corpus: and without (AUC %.4f)", hashed);
	for (i = 0; i < NTOY; i++)
		finite += isfinite(s1[i]) && s1[i] != 0;
	is_int(finite, NTOY, "vocabulary corpus: every score finite and non-zero");

	for (i = 0; i < NTOY; i++) {
		c->label[i] = rnd() % 2;
		c->fold[i] = (unsigned)(rnd() % 5);
		style_text(c->text[i], TOYLEN, c->label[i]);
	}
	nb = toy_cv(c, TOY_NB, NULL);
	lr = toy_cv(c, TOY_LR, s1);
	hashed = toy_cv(c, TOY_LR_HASHED, NULL);
	ok(nb > 0.35 && nb < 0.65, "style corpus: naive Bayes cannot tell (AUC %.4f)", nb);
	ok(hashed > 0.35 && hashed < 0.65,
	   "style corpus: nor can the regression without style (AUC %.4f)", hashed);
	ok(lr > 0.9, "style corpus: the regression with style features can (AUC %.4f)", lr);

	/* determinism: the same texts in the same order, the same scores */
	toy_cv(c, TOY_LR, s2);
	ok(memcmp(s1, s2, sizeof s1) == 0, "determinism: a second run gives the same scores, bit for bit");
	free(c);
}

/* Vectors by hand: bucket b alone, or none, with scale 1. */
static struct detect_vec one_bucket(const uint32_t *b, size_t n)
{
	struct detect_vec v;

	memset(&v, 0, sizeof v);
	v.idx = b;
	v.n = n;
	v.scale = n ? 1.0f / sqrtf((float)n) : 0;
	return v;
}

static void test_lr_folds(void)
{
	/* texts of 3 common buckets and one of 4 side buckets; fold 0's texts
	 * also hold bucket 999999, which no other fold has */
	const uint32_t probe[] = { 999999 };
	struct detect_lr *m = detect_lr_new(3), *m2 = detect_lr_new(3);
	struct detect_vec v, p = one_bucket(probe, 1), none = one_bucket(NULL, 0);
	double st[DETECT_STYLE];
	unsigned i, k, bad;
	int e;

	for (i = 0; i < 300; i++) {
		unsigned f = i % 3, y = (i / 3) % 2;
		for (k = 0; k < DETECT_STYLE; k++)
			st[k] = (double)(i % 7) + k + (f == 0 ? 100 : 0);
		detect_lr_count(m, f, !y, y, st);
		detect_lr_count(m2, f, !y, y, st);
	}
	is_int(detect_lr_start(m), 0, "folds: every model trains on both classes");
	detect_lr_start(m2);
	for (e = 0; e < DETECT_LR_EPOCHS; e++)
		for (i = 0; i < 300; i++) {
			unsigned f = i % 3, y = (i / 3) % 2;
			uint32_t b[5] = { 10, 20, 30, 100 + 10 * y + i % 4, 999999 };
			v = one_bucket(b, f == 0 ? 5 : 4);
			for (k = 0; k < DETECT_STYLE; k++)
				st[k] = (double)(i % 7) + k + (f == 0 ? 100 : 0);
			detect_lr_add(m, f, !y, y, &v, st);
			if (f != 0)
				detect_lr_add(m2, f, !y, y, &v, st);
		}
	ok(detect_lr_score(m, 0, &p, NULL) == detect_lr_score(m, 0, &none, NULL),
	   "folds: a bucket only fold 0's texts hold weighs nothing in fold 0's model");
	ok(detect_lr_score(m, 1, &p, NULL) != detect_lr_score(m, 1, &none, NULL),
	   "folds: it weighs something in fold 1's, which trained on them");
	{
		uint32_t b[4] = { 10, 20, 30, 110 };
		v = one_bucket(b, 4);
		for (k = 0; k < DETECT_STYLE; k++)
			st[k] = 3.0 + k;
		ok(detect_lr_score(m, 0, &v, st) == detect_lr_score(m2, 0, &v, st),
		   "folds: fold 0's model is the same, bit for bit, without fold 0's texts");
		ok(detect_lr_score(m, 1, &v, st) != detect_lr_score(m2, 1, &v, st),
		   "folds: fold 1's model is not");
		{
			double syn = detect_lr_score(m, 1, &v, st), real;
			b[3] = 100;
			real = detect_lr_score(m, 1, &v, st);
			ok(syn > real + 0.3, "folds: a synthetic-side bucket scores above a real-side "
			   "one (%.3f > %.3f)", syn, real);
		}
	}
	detect_lr_free(m);
	detect_lr_free(m2);

	/* 2 folds, the only synthetic texts in fold 1: fold 1's model has no
	 * synthetic training text */
	m = detect_lr_new(2);
	ok(detect_lr_score(m, 0, &none, NULL) == 0, "folds: before start, every score is 0");
	detect_lr_count(m, 0, 1, 0, NULL);
	detect_lr_count(m, 1, 1, 0, NULL);
	detect_lr_count(m, 1, 0, 3, NULL);
	bad = detect_lr_start(m);
	is_int(bad, 1, "folds: a model trained on one class is counted");
	{
		uint32_t b[2] = { 5, 6 };
		v = one_bucket(b, 2);
		detect_lr_add(m, 0, 1, 0, &v, NULL);
		detect_lr_add(m, 1, 0, 3, &v, NULL);
		ok(detect_lr_score(m, 1, &v, NULL) == 0, "folds: and its texts score 0");
		ok(detect_lr_score(m, 0, &v, NULL) != 0, "folds: the other one scores");
		ok(detect_lr_score(m, 7, &v, NULL) == 0, "folds: a fold out of range scores 0");
	}
	detect_lr_free(m);
	detect_lr_free(NULL);
}

/* The saved model (analysis/detmodel.c): the average of the fold models
 * scores a text with the mean of their log-odds; packed and unpacked it
 * scores the same, bit for bit; damaged bytes are refused. */
static void check_saved(const char *name, const struct detect_saved *sv, double *mean,
			const struct detect_vec *vs, double (*style)[DETECT_STYLE], size_t n)
{
	struct detect_saved back;
	struct pv_err e;
	void *blob = NULL, *cut;
	size_t len = 0, i, close = 0, same = 0;
	unsigned char junk[64];

	for (i = 0; i < n; i++) {
		double sc = detect_saved_score(sv, &vs[i], sv->style ? style[i] : NULL);
		close += near(sc, mean[i], 1e-4 * (1 + fabs(mean[i])));
	}
	is_int(close, n, "%s: the saved model's log-odds are the mean of its fold models'", name);
	ok(detect_saved_pack(sv, &blob, &len, &e) == 0 && len > 0, "%s: packed (%zu bytes)", name, len);
	ok(detect_saved_unpack(blob, len, &back, &e) == 0, "%s: unpacked", name);
	ok(back.kind == sv->kind && back.folds == sv->folds && back.style == sv->style,
	   "%s: its kind, folds and style part come back", name);
	for (i = 0; i < n; i++)
		same += detect_saved_score(&back, &vs[i], sv->style ? style[i] : NULL) ==
			detect_saved_score(sv, &vs[i], sv->style ? style[i] : NULL);
	is_int(same, n, "%s: and it scores every text the same, bit for bit", name);
	detect_saved_done(&back);
	ok(detect_saved_unpack(blob, len / 2, &back, &e) == PV_ESTORE &&
	   strstr(e.msg, "damaged") != NULL, "%s: cut in half: refused as damaged (%s)", name, e.msg);
	ok(back.w == NULL && back.folds == 0, "%s: and nothing is left to free", name);
	memset(junk, 'x', sizeof junk);
	ok(detect_saved_unpack(junk, sizeof junk, &back, &e) == PV_ESTORE,
	   "%s: bytes that are no zstd frame: refused", name);
	/* a sound zstd frame of other bytes */
	cut = malloc(ZSTD_COMPRESSBOUND(sizeof junk));
	len = ZSTD_compress(cut, ZSTD_COMPRESSBOUND(sizeof junk), junk, sizeof junk, 1);
	ok(detect_saved_unpack(cut, len, &back, &e) == PV_ESTORE && strstr(e.msg, "not one"),
	   "%s: a zstd frame of something else: refused (%s)", name, e.msg);
	free(cut);
	free(blob);
}

static void test_saved(void)
{
	enum { N = 200, K = 5, CHECK = 40 };
	struct toy *c = malloc(sizeof *c);
	struct detect_fx *x = detect_fx_new();
	static uint32_t idx[CHECK][4096];
	struct detect_vec v, vs[CHECK];
	double style[N][DETECT_STYLE], mean[CHECK];
	struct detect_lr *lr = detect_lr_new(K);
	struct detect_nb *nb = detect_nb_new(K);
	struct detect_saved sv;
	size_t i;
	unsigned f;
	int e;

	for (i = 0; i < N; i++) {
		c->label[i] = rnd() % 2;
		c->fold[i] = (unsigned)(rnd() % K);
		vocab_text(c->text[i], TOYLEN, c->label[i], 30);
		detect_style(c->text[i], strlen(c->text[i]), style[i]);
		detect_lr_count(lr, c->fold[i], !c->label[i], c->label[i], style[i]);
	}
	detect_lr_start(lr);
	for (e = 0; e < DETECT_LR_EPOCHS; e++)
		for (i = 0; i < N; i++) {
			detect_fx_text(x, c->text[i], strlen(c->text[i]), false, &v);
			detect_lr_add(lr, c->fold[i], !c->label[i], c->label[i], &v, style[i]);
			if (e == 0)
				detect_nb_add(nb, c->fold[i], !c->label[i], c->label[i], &v);
		}
	detect_nb_fit(nb);
	/* texts to check: copies of their features (the extractor's are borrowed) */
	for (i = 0; i < CHECK; i++) {
		detect_fx_text(x, c->text[i], strlen(c->text[i]), false, &v);
		memcpy(idx[i], v.idx, PV_MIN(v.n, (size_t)4096) * sizeof *v.idx);
		vs[i] = v;
		vs[i].idx = idx[i];
		vs[i].n = PV_MIN(v.n, (size_t)4096);
	}
	for (i = 0; i < CHECK; i++) {
		mean[i] = 0;
		for (f = 0; f < K; f++)
			mean[i] += detect_lr_score(lr, f, &vs[i], style[i]) / K;
	}
	detect_lr_save(lr, &sv);
	is_int(sv.folds, K, "saved regression: every fold model kept");
	check_saved("saved regression", &sv, mean, vs, style, CHECK);
	detect_saved_done(&sv);
	for (i = 0; i < CHECK; i++) {
		mean[i] = 0;
		for (f = 0; f < K; f++)
			mean[i] += detect_nb_score(nb, f, &vs[i]) / K;
	}
	detect_nb_save(nb, &sv);
	ok(sv.folds == K && !sv.style, "saved naive Bayes: every fold model kept, no style part");
	check_saved("saved naive Bayes", &sv, mean, vs, style, CHECK);
	detect_saved_done(&sv);
	detect_saved_done(NULL);
	detect_lr_free(lr);
	detect_nb_free(nb);
	detect_fx_free(x);
	free(c);
}

int main(void)
{
	test_style_hand();
	test_style_edges();
	test_lr_corpora();
	test_lr_folds();
	test_saved();
	return tap_done();
}
