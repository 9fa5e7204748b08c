/*
 * test_detect.c - the model behind provex detect (store/classify.c): the
 * AUC against a hand-computed example with ties and its DeLong interval;
 * features (word buckets agree between the two tokenizers, unit length,
 * empty texts); naive Bayes by folds on separable toy texts (AUC near 1)
 * and on random labels (AUC near 0.5); folds trained on one class; Platt
 * calibration; and the log-odds ratio picking the right words.
 */
#include "config.h"
#include "../tap.h"
#include "../../store/detect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static double rnd01(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void test_auc_hand(void)
{
	/* pairs: 0.9 beats all 4; 0.8 beats 3 and ties 1; 0.5 beats 2 and
	 * ties 1: (4 + 3.5 + 2.5) / 12 */
	const double pos[] = { 0.9, 0.8, 0.5 }, neg[] = { 0.5, 0.3, 0.8, 0.1 };
	struct detect_auc a;

	is_int(detect_auc(pos, 3, neg, 4, &a), 0, "auc: returns 0");
	ok(near(a.auc, 10.0 / 12.0, 1e-12), "auc: 10/12 with ties counting half (%.6f)", a.auc);
	/* DeLong: V10 = (1, .875, .625), V01 = (5/6, 1, .5, 1) */
	ok(near(a.se, 0.1613743060919757, 1e-9), "auc: DeLong standard error (%.9f)", a.se);
	ok(near(a.lo, 0.5170455053629184, 1e-9), "auc: lower bound auc - 1.96 se (%.9f)", a.lo);
	ok(a.hi == 1.0, "auc: upper bound clipped to 1");
	ok(a.lo <= a.auc && a.auc <= a.hi, "auc: the interval holds the estimate");
	is_int(a.npos, 3, "auc: positives counted");
	is_int(a.nneg, 4, "auc: negatives counted");
}

static void test_auc_edges(void)
{
	const double hi[] = { 3, 4, 5 }, lo[] = { 0, 1, 2 }, same[] = { 1, 1, 1 };
	struct detect_auc a;

	detect_auc(hi, 3, lo, 3, &a);
	ok(a.auc == 1.0 && a.lo == 1.0 && a.hi == 1.0, "auc: separated: 1, interval [1, 1]");
	detect_auc(lo, 3, hi, 3, &a);
	ok(a.auc == 0.0, "auc: reversed: 0");
	detect_auc(same, 3, same, 3, &a);
	ok(a.auc == 0.5 && a.se == 0, "auc: all tied: 0.5");
	detect_auc(hi, 1, lo, 3, &a);
	ok(a.auc == 1.0 && a.se == 0, "auc: one positive: its variance taken as 0");
	is_int(detect_auc(hi, 0, lo, 3, &a), PV_EINVAL, "auc: no positive: PV_EINVAL");
	ok(a.auc == 0.5 && a.lo == 0 && a.hi == 1, "auc: and 0.5 in [0, 1], no division by zero");
	is_int(detect_auc(hi, 3, lo, 0, &a), PV_EINVAL, "auc: no negative: PV_EINVAL");
}

static void test_auc_interval(void)
{
	double pos[200], neg[300];
	struct detect_auc a;
	size_t i, bad = 0;
	int round;

	for (round = 0; round < 50; round++) {
		double shift = round * 0.02;
		for (i = 0; i < 200; i++)
			pos[i] = rnd01() + shift;
		for (i = 0; i < 300; i++)
			neg[i] = rnd01();
		detect_auc(pos, 200, neg, 300, &a);
		if (!(a.lo <= a.auc && a.auc <= a.hi && a.lo >= 0 && a.hi <= 1 && a.se > 0))
			bad++;
	}
	is_int(bad, 0, "auc: 50 random draws: the interval holds the estimate, within [0, 1]");
}

/* ---- features ---- */

struct seen {
	uint32_t b[64];
	char t[64][64];
	size_t n;
};

static void collect(void *ctx, uint32_t wb, const char *term, size_t len)
{
	struct seen *s = ctx;

	if (s->n < 64) {
		s->b[s->n] = wb;
		snprintf(s->t[s->n], sizeof s->t[0], "%.*s", (int)len, term);
		s->n++;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void test_features(void)
{
	struct detect_fx *x = detect_fx_new();
	struct detect_vec v;
	struct seen s;
	const char *text = "Hello, WORLD hello; caf\xc3\xa9 x";
	uint32_t a[64], b[64];
	double norm = 0;
	size_t i, na, nb = 0;

	memset(&s, 0, sizeof s);
	detect_words(text, strlen(text), collect, &s);
	is_int(s.n, 9, "words: 5 unigrams and 4 bigrams");
	is_str(s.t[0], "hello", "words: case folded");
	is_str(s.t[2], "hello world", "words: a bigram is the two words with a space");
	is_str(s.t[7], "x", "words: a one-letter word counts");
	is_str(s.t[8], "caf\xc3\xa9 x", "words: UTF-8 bytes are word bytes");
	ok(s.b[0] == s.b[3], "words: the same word, the same bucket");

	detect_fx_text(x, text, strlen(text), true, &v);
	is_int(v.words, 9, "features: 9 word 1-2-gram occurrences");
	/* the distinct word buckets of both tokenizers agree */
	na = v.nw;
	memcpy(a, v.widx, na * sizeof *a);
	for (i = 0; i < s.n; i++)
		b[nb++] = s.b[i];
	qsort(a, na, sizeof *a, cmp_u32);
	qsort(b, nb, sizeof *b, cmp_u32);
	for (i = 1, s.n = nb ? 1 : 0; i < nb; i++)
		if (b[i] != b[s.n - 1])
			b[s.n++] = b[i];
	ok(na == s.n && memcmp(a, b, na * sizeof *a) == 0,
	   "features: detect_fx_text and detect_words give the same word buckets");
	for (i = 0; i < v.nw; i++)
		if (v.widx[i] == s.b[0])
			is_int(v.wcnt[i], 2, "features: 'hello' counted twice");
	norm = (double)v.n * v.scale * v.scale;
	ok(near(norm, 1.0, 1e-5), "features: unit length (%.7f)", norm);
	ok(v.n > 30, "features: byte n-grams and words (%zu)", v.n);

	detect_fx_text(x, "", 0, true, &v);
	ok(v.n == 0 && v.nw == 0 && v.words == 0, "features: an empty text has none");
	detect_fx_text(x, "  \n\t ", 5, true, &v);
	ok(v.nw == 0 && v.n == 6, "features: blanks: byte 3-, 4- and 5-grams only, no words");
	detect_fx_text(x, "ab", 2, true, &v);
	ok(v.n == 1 && v.nw == 1, "features: 'ab': one word, no byte n-gram");
	detect_fx_free(x);
}

/* ---- the model on toy corpora ---- */

static const char *const va[] = { "apple", "orange", "pear", "grape", "melon", "plum",
	"cherry", "lemon" };
static const char *const vb[] = { "hammer", "saw", "drill", "wrench", "chisel", "pliers",
	"level", "clamp" };
static const char *const common[] = { "the", "a", "and", "of", "to", "is", "with", "for" };

/* A text of n words: from side (0: va, 1: vb, 2: neither) and common words. */
static void toy_text(char *out, size_t cap, int side, int n)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		const char *w;
		if (side < 2 && rnd() % 3 == 0)
			w = (side ? vb : va)[rnd() % 8];
		else
			w = common[rnd() % 8];
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "", w);
	}
}

/* Cross-validates naive Bayes over n toy texts whose side is side[i] and
 * label label[i]; returns the AUC of the out-of-fold scores. */
static double toy_cv(size_t n, const int *side, const unsigned char *label, unsigned folds,
		     unsigned *bad)
{
	struct detect_fx *x = detect_fx_new();
	struct detect_nb *m = detect_nb_new(folds);
	struct detect_vec v;
	struct detect_auc a;
	char (*texts)[512] = malloc(n * sizeof *texts);
	double *pos = malloc(n * sizeof *pos), *neg = malloc(n * sizeof *neg);
	size_t i, np = 0, nn = 0;

	for (i = 0; i < n; i++) {
		toy_text(texts[i], sizeof texts[i], side[i], 20);
		detect_fx_text(x, texts[i], strlen(texts[i]), false, &v);
		detect_nb_add(m, (unsigned)(i % folds), !label[i], label[i], &v);
	}
	*bad = detect_nb_fit(m);
	for (i = 0; i < n; i++) {
		double s;
		detect_fx_text(x, texts[i], strlen(texts[i]), false, &v);
		s = detect_nb_score(m, (unsigned)(i % folds), &v);
		if (label[i])
			pos[np++] = s;
		else
			neg[nn++] = s;
	}
	detect_auc(pos, np, neg, nn, &a);
	detect_nb_free(m);
	detect_fx_free(x);
	free(texts);
	free(pos);
	free(neg);
	return a.auc;
}

static void test_model(void)
{
	enum { N = 400 };
	int side[N];
	unsigned char label[N];
	unsigned bad;
	double auc;
	size_t i;

	/* separable: synthetic texts use one vocabulary, real ones another */
	for (i = 0; i < N; i++) {
		label[i] = i % 2;
		side[i] = label[i];
	}
	auc = toy_cv(N, side, label, 5, &bad);
	ok(auc > 0.99, "model: separable toy texts: AUC near 1 (%.4f)", auc);
	is_int(bad, 0, "model: every fold trained on both classes");

	/* random labels over texts of one distribution */
	for (i = 0; i < N; i++) {
		label[i] = rnd() % 2;
		side[i] = 2;
	}
	auc = toy_cv(N, side, label, 5, &bad);
	ok(auc > 0.4 && auc < 0.6, "model: random labels: AUC near 0.5 (%.4f)", auc);

	/* 2 folds, one holding the only synthetic texts: its model has no
	 * synthetic training texts */
	{
		struct detect_nb *m = detect_nb_new(2);
		struct detect_fx *x = detect_fx_new();
		struct detect_vec v;
		detect_fx_text(x, "some real words", 15, false, &v);
		detect_nb_add(m, 0, 1, 0, &v);
		detect_nb_add(m, 1, 1, 0, &v);
		detect_fx_text(x, "machine made words", 18, false, &v);
		detect_nb_add(m, 1, 0, 1, &v);
		is_int(detect_nb_fit(m), 1, "model: a fold trained on one class is counted");
		ok(detect_nb_score(m, 1, &v) == 0, "model: and its texts score 0");
		ok(detect_nb_score(m, 0, &v) != 0, "model: the other fold scores");
		detect_nb_free(m);
		detect_fx_free(x);
	}
}

static void test_platt(void)
{
	double s[100], w[100], a, b, p0, p1;
	unsigned char y[100];
	size_t i;

	for (i = 0; i < 100; i++) {
		y[i] = i % 2;
		s[i] = y[i] ? 1.0 + rnd01() : -1.0 - rnd01();
		w[i] = 1;
	}
	detect_platt(s, y, w, 100, &a, &b);
	p0 = detect_sigmoid(a * -1.5 + b);
	p1 = detect_sigmoid(a * 1.5 + b);
	ok(a > 0 && isfinite(a), "platt: separable scores: a finite positive slope (%.3f)", a);
	ok(p1 > 0.9 && p0 < 0.1, "platt: and confident probabilities (%.3f, %.3f)", p0, p1);
	for (i = 0; i < 100; i++)
		s[i] = -s[i];
	detect_platt(s, y, NULL, 100, &a, &b);
	ok(a == 0, "platt: scores ranking against the labels: slope 0");
	ok(near(detect_sigmoid(b), 0.5, 0.01), "platt: and the base rate (%.3f)", detect_sigmoid(b));
	for (i = 0; i < 100; i++)
		s[i] = 3;
	detect_platt(s, y, w, 100, &a, &b);
	ok(a == 0 && isfinite(b), "platt: constant scores: slope 0, no division by zero");
	ok(near(detect_sigmoid(1e6), 1, 1e-12) && near(detect_sigmoid(-1e6), 0, 1e-12) &&
	   isfinite(detect_sigmoid(-1e6)), "sigmoid: no overflow at the ends");
}

/* ---- log-odds ---- */

struct counts {
	const char *term;
	double syn, real;
};

static void test_logodds(void)
{
	/* a toy: "delve" is the synthetic side's, "said" the real side's,
	 * "the" is common to both, "zyx" too rare to say */
	const struct counts c[] = {
		{ "the", 500, 520 }, { "delve", 60, 2 }, { "said", 3, 80 },
		{ "tapestry", 20, 1 }, { "zyx", 1, 0 }, { "and", 300, 290 },
	};
	double ns = 0, nr = 0, z[6], d;
	size_t i, best = 0, worst = 0;

	for (i = 0; i < 6; i++) {
		ns += c[i].syn;
		nr += c[i].real;
	}
	ns += 2000;
	nr += 2000;           /* other words */
	for (i = 0; i < 6; i++) {
		z[i] = detect_logodds(c[i].syn, ns, c[i].real, nr, c[i].syn + c[i].real,
				      ns + nr, DETECT_PRIOR, &d);
		if (z[i] > z[best])
			best = i;
		if (z[i] < z[worst])
			worst = i;
	}
	is_str(c[best].term, "delve", "log-odds: the most synthetic word (z %.2f)", z[best]);
	is_str(c[worst].term, "said", "log-odds: the most real word (z %.2f)", z[worst]);
	ok(fabs(z[0]) < 2, "log-odds: a common word is not significant (z %.2f)", z[0]);
	ok(z[3] > 2 && z[3] < z[1], "log-odds: 'tapestry' significant, less than 'delve' (%.2f)", z[3]);
	ok(fabs(z[4]) < 1.5, "log-odds: one occurrence is shrunk by the prior (z %.2f)", z[4]);
	ok(detect_logodds(0, 10, 0, 10, 0, 20, DETECT_PRIOR, &d) == 0 && d == 0,
	   "log-odds: a term absent from the background: 0, no division by zero");
	z[0] = detect_logodds(10, 100, 2, 100, 12, 200, DETECT_PRIOR, NULL);
	z[1] = detect_logodds(2, 100, 10, 100, 12, 200, DETECT_PRIOR, NULL);
	ok(near(z[0], -z[1], 1e-12), "log-odds: swapping the sides flips the sign");
}

/* TPR at a fixed FPR: a hand example, the edges, the interval. */
static void test_tpr(void)
{
	double neg[100], pos[100], one = 5;
	struct detect_tpr t, u;
	int i;

	for (i = 0; i < 100; i++) {
		neg[i] = 99 - i;          /* 0 .. 99, given in reverse */
		pos[i] = 50 + i;          /* 50 .. 149 */
	}
	is_int(detect_tpr_at(pos, 100, neg, 100, 0.01, 0, 1, &t), 0, "tpr: returns 0");
	ok(t.threshold == 98, "tpr: at 1%% of 100 real, the threshold is the 2nd highest (got %g)",
	   t.threshold);
	is_int((int)t.real_above, 1, "tpr: one real document above it (1%%)");
	is_int((int)t.synthetic_above, 51, "tpr: 99 .. 149 above it");
	ok(near(t.tpr, 0.51, 1e-12) && t.lo == t.tpr && t.hi == t.tpr,
	   "tpr: 0.51, no interval without resamples");
	detect_tpr_at(pos, 100, neg, 100, 0.05, 0, 1, &t);
	ok(t.threshold == 94 && t.real_above == 5 && t.synthetic_above == 55,
	   "tpr: at 5%%, threshold 94, 5 real and 55 synthetic above");
	detect_tpr_at(pos, 100, neg, 100, 0, 0, 1, &t);
	ok(t.threshold == 99 && t.real_above == 0, "tpr: at 0%%, above every real document");
	/* ties at the threshold stay below it: never more than the rate */
	for (i = 0; i < 100; i++)
		neg[i] = i < 50 ? 0 : 1;
	detect_tpr_at(pos, 100, neg, 100, 0.01, 0, 1, &t);
	ok(t.threshold == 1 && t.real_above == 0, "tpr: tied real scores are not split");
	for (i = 0; i < 100; i++)
		neg[i] = 99 - i;
	is_int(detect_tpr_at(pos, 100, neg, 0, 0.01, 0, 1, &t), PV_EINVAL, "tpr: no real: EINVAL");
	is_int(detect_tpr_at(pos, 0, neg, 100, 0.01, 0, 1, &t), PV_EINVAL, "tpr: no synthetic: EINVAL");
	is_int(detect_tpr_at(pos, 100, neg, 100, 1, 0, 1, &t), PV_EINVAL, "tpr: fpr 1: EINVAL");
	is_int(detect_tpr_at(&one, 1, neg, 100, 0.01, 0, 1, &t), 0, "tpr: one synthetic document");
	ok(t.tpr == 0, "tpr: ... below the threshold: 0");
	/* the bootstrap: an interval around the estimate, the same each time */
	detect_tpr_at(pos, 100, neg, 100, 0.05, DETECT_BOOT, 42, &t);
	detect_tpr_at(pos, 100, neg, 100, 0.05, DETECT_BOOT, 42, &u);
	ok(t.lo <= t.tpr && t.tpr <= t.hi && t.lo < t.hi && t.lo >= 0 && t.hi <= 1,
	   "tpr: the interval [%.3f, %.3f] holds %.3f", t.lo, t.hi, t.tpr);
	ok(t.hi - t.lo > 0.05 && t.hi - t.lo < 0.4,
	   "tpr: ... and is as wide as 100 documents a side allow (%.3f)", t.hi - t.lo);
	ok(t.lo == u.lo && t.hi == u.hi, "tpr: the same seed gives the same interval");
}

int main(void)
{
	test_auc_hand();
	test_auc_edges();
	test_auc_interval();
	test_features();
	test_model();
	test_platt();
	test_logodds();
	test_tpr();
	return tap_done();
}
