/*
 * test_lr.c - provex detect's second model (store/lr.c): style features
 * on hand-made texts (values worked out by hand, repetitive against varied
 * text, empty text, NUL bytes and invalid UTF-8); the logistic regression
 * by folds on toy corpora: a vocabulary difference (both models do well),
 * a style-only difference naive Bayes cannot see (only the regression
 * with style features separates it); determinism; fold isolation; folds
 * trained on one class.
 */
#include "config.h"
#include "../tap.h"
#include "../../store/detect.h"
#include "../../store/lr.h"

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

int main(void)
{
	test_style_hand();
	test_style_edges();
	return tap_done();
}
