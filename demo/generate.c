/*
 * generate.c - the demo corpus's text generators, each writing one
 * synthetic document made from a seed document into a buffer: Markov text
 * of order 1 or 2 (demo_gen_markov), a near copy (demo_gen_edit), a
 * summary-style template (demo_gen_template), and two hard cases for
 * viewers, terminal escapes (demo_gen_ansi) and CJK and emoji
 * (demo_gen_cjk).  The model and the seed are borrowed; all randomness
 * comes from the caller's stream.
 */
#include "demo_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes tokens as text: words joined by spaces, PARA as a blank line,
 * break tokens as themselves (or all of them as a space on one line). */
struct emitter {
	struct buf *out;
	const struct model *m;
	bool one_line;
	bool brk;               /* last thing written was a break: no space */
};

/* True when token w is PARA or a line break. */
static bool is_sep(const struct model *m, uint32_t w)
{
	return m->v.pool.data[m->v.off[w]] == '\n';
}

/* Appends token w. */
static void emit(struct emitter *e, uint32_t w)
{
	const char *s = e->m->v.pool.data + e->m->v.off[w];
	size_t n = e->m->v.wlen[w];

	if (s[0] == '\n') {
		if (!e->out->len)
			return;
		if (e->one_line) {
			if (!e->brk)
				buf_putc(e->out, ' ');
		} else if (w == PARA) {
			trim_tail(e->out, 0);
			buf_puts(e->out, "\n\n");
		} else if (!e->brk) {
			buf_append(e->out, s, n);
		}
		e->brk = true;
		return;
	}
	if (e->out->len && !e->brk)
		buf_putc(e->out, ' ');
	buf_append(e->out, s, n);
	e->brk = false;
}

/* True when word w ends a sentence. */
static bool ends_sentence(const struct model *m, uint32_t w)
{
	char c;

	if (w == PARA)
		return true;
	c = m->v.pool.data[m->v.off[w] + m->v.wlen[w] - 1];
	return c == '.' || c == '!' || c == '?';
}

/* Markov text of about target bytes, primed from seed: order 2 starts with
 * the seed's first two words, order 1 with a random word of it; both
 * prefer the seed's vocabulary.  one_line keeps it on a single line. */
void demo_gen_markov(struct model *m, const struct doc *seed, int order,
		     size_t target, bool one_line, uint64_t *rng,
		     struct buf *out)
{
	struct emitter e = { out, m, one_line, false };
	const struct tri *r2;
	const struct duo *r1;
	uint32_t p1 = PARA, p2 = PARA, w;
	size_t i, n, nseed = seed->tok1 - seed->tok0;

	demo_mark_seed(m, seed, true);
	if (order == 2) {
		for (i = seed->tok0; i < seed->tok1 && p2 == PARA; i++)
			if (!is_sep(m, m->tok[i]))
				p2 = m->tok[i];
		for (; i < seed->tok1 && p1 == PARA; i++)
			if (!is_sep(m, m->tok[i]))
				p1 = m->tok[i];
		emit(&e, p2);
		emit(&e, p1);
	} else {
		for (i = 0; i < 16 && is_sep(m, p1) && nseed; i++)
			p1 = m->tok[seed->tok0 + rng_below(rng, nseed)];
		if (is_sep(m, p1))
			p1 = PARA;
		emit(&e, p1);
	}
	for (;;) {
		n = 0;
		r2 = NULL;
		r1 = NULL;
		if (order == 2)
			r2 = demo_range2(m, p2, p1, &n);
		if (n == 0) {
			r2 = NULL;
			r1 = demo_range1(m, p1, &n);
		}
		if (n == 0)
			w = m->tok[rng_below(rng, m->ntok)];
		else
			w = demo_choose(m, rng, r2, r1, n, 0.6);
		if (!(w == PARA && p1 == PARA))
			emit(&e, w);
		p2 = p1;
		p1 = w;
		if (out->len >= target && ends_sentence(m, w))
			break;
		if (out->len >= target + target / 2 + 200)
			break;
	}
	demo_mark_seed(m, seed, false);
	trim_tail(out, 0);
}

/* A near copy of part of seed: 60-90% of its words in order, with about
 * 3% dropped and 4% replaced by an order-1 successor of the word before. */
void demo_gen_edit(struct model *m, const struct doc *seed, uint64_t *rng,
		   struct buf *out)
{
	struct emitter e = { out, m, false, false };
	size_t n = seed->tok1 - seed->tok0, span = n, start = 0, i, k;
	const struct duo *r1;
	uint32_t w, prev = PARA;
	double r;

	if (n > 40) {
		span = (size_t)((double)n * (0.6 + 0.3 * rng_unit(rng)));
		start = rng_below(rng, n - span + 1);
	}
	for (i = 0; i < span; i++) {
		w = m->tok[seed->tok0 + start + i];
		r = rng_unit(rng);
		if (!is_sep(m, w) && r < 0.03)
			continue;
		if (!is_sep(m, w) && !is_sep(m, prev) && r < 0.07) {
			r1 = demo_range1(m, prev, &k);
			if (k) {
				w = r1[rng_below(rng, k)].b;
				if (is_sep(m, w))
					w = m->tok[seed->tok0 + start + i];
			}
		}
		emit(&e, w);
		prev = w;
	}
	trim_tail(out, 0);
}

/* Words that make poor keywords (all of them 4 letters or longer). */
static const char *const stopwords[] = {
	"that", "this", "with", "from", "have", "will", "which", "when",
	"there", "their", "they", "them", "then", "than", "been", "were",
	"what", "into", "also", "such", "only", "other", "some", "these",
	"those", "more", "most", "each", "must", "shall", "should", "would",
	"could", "about", "after", "before", "where", "while", "your", "does",
	"used", "using", "over", "under", "very", "here", "upon", "being",
	"between", "both", "same", "make", "made", "many", "like", "just",
	"above", "below", "without", "within", "through", "because",
	"however", "following", "default", "specified", NULL
};

struct kw {
	char w[24];
	size_t count;
};

static int kw_by_word(const void *x, const void *y)
{
	return strcmp(((const struct kw *)x)->w, ((const struct kw *)y)->w);
}

static int kw_by_count(const void *x, const void *y)
{
	const struct kw *a = x, *b = y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->w, b->w);
}

/* Fills kw[0..5) with the seed's most frequent content words (lower case,
 * letters only, 4 to 23 of them), padded with generic words. */
static void keywords(const struct model *m, const struct doc *d,
		     char kw[5][24])
{
	static const char *const pad[] = {
		"usage", "options", "details", "changes", "examples"
	};
	struct kw *all;
	const char *w;
	size_t n = 0, i, j, len, a, b, u = 0;

	all = pv_malloc((d->tok1 - d->tok0 + 1) * sizeof *all);
	for (i = d->tok0; i < d->tok1; i++) {
		if (m->tok[i] == PARA)
			continue;
		w = m->v.pool.data + m->v.off[m->tok[i]];
		len = m->v.wlen[m->tok[i]];
		for (a = 0; a < len && !is_alpha((unsigned char)w[a]); a++)
			;
		for (b = len; b > a && !is_alpha((unsigned char)w[b - 1]); b--)
			;
		if (b - a < 4 || b - a > 23)
			continue;
		for (j = a; j < b && is_alpha((unsigned char)w[j]); j++)
			all[n].w[j - a] = (char)to_lower((unsigned char)w[j]);
		if (j < b)
			continue;
		all[n].w[b - a] = '\0';
		if (in_list(all[n].w, stopwords))
			continue;
		all[n].count = 1;
		n++;
	}
	if (n) {
		qsort(all, n, sizeof *all, kw_by_word);
		for (i = 1, u = 0; i < n; i++) {
			if (strcmp(all[i].w, all[u].w) == 0)
				all[u].count++;
			else
				all[++u] = all[i];
		}
		u++;
		qsort(all, u, sizeof *all, kw_by_count);
	}
	for (i = 0; i < 5; i++)
		snprintf(kw[i], 24, "%s", i < u ? all[i].w : pad[i]);
	free(all);
}

/* Appends a sentence-like fragment of the seed: up to 16 words of a random
 * sentence of 5 to 40 words (or of the start), "..." when cut. */
static void put_fragment(const struct model *m, const struct doc *d,
			 uint64_t *rng, struct buf *out)
{
	struct emitter e = { out, m, true, true };
	size_t starts[64], ends[64], n = 0, i, s = d->tok0, k, stop;

	for (i = d->tok0; i < d->tok1 && n < 64; i++) {
		if (m->tok[i] == PARA || ends_sentence(m, m->tok[i])) {
			k = i + (m->tok[i] != PARA);
			if (k - s >= 5 && k - s <= 40) {
				starts[n] = s;
				ends[n] = k;
				n++;
			}
			s = i + 1;
		}
	}
	if (n == 0) {
		starts[0] = d->tok0;
		ends[0] = d->tok1;
		n = 1;
	}
	k = rng_below(rng, n);
	stop = PV_MIN(ends[k], starts[k] + 16);
	for (i = starts[k]; i < stop; i++)
		emit(&e, m->tok[i]);
	if (stop < ends[k])
		buf_puts(out, "...");
}

/* A summary-style text about seed, from one of a few templates filled with
 * its keywords and fragments. */
void demo_gen_template(struct model *m, const struct doc *seed,
		       uint64_t *rng, struct buf *out)
{
	char kw[5][24];

	keywords(m, seed, kw);
	switch (rng_below(rng, 3)) {
	case 0:
		buf_printf(out, "Summary\n\nThis text is about %s and %s. It "
			   "explains how %s relates to %s, and mentions %s.\n\n"
			   "Key points:\n- ", kw[0], kw[1], kw[2], kw[3], kw[4]);
		put_fragment(m, seed, rng, out);
		buf_puts(out, "\n- ");
		put_fragment(m, seed, rng, out);
		buf_puts(out, "\n- ");
		put_fragment(m, seed, rng, out);
		buf_printf(out, "\n\nIn short: the document is mainly concerned "
			   "with %s.", kw[0]);
		break;
	case 1:
		buf_printf(out, "TL;DR: %s, %s, %s.\n\nThe document covers %s "
			   "in some detail. ", kw[0], kw[1], kw[2], kw[0]);
		put_fragment(m, seed, rng, out);
		buf_puts(out, " It also notes: ");
		put_fragment(m, seed, rng, out);
		buf_printf(out, "\n\nOverall, the main topics are %s and %s.",
			   kw[1], kw[3]);
		break;
	default:
		buf_printf(out, "Overview of %s\n\n1. ", kw[0]);
		put_fragment(m, seed, rng, out);
		buf_puts(out, "\n2. ");
		put_fragment(m, seed, rng, out);
		buf_puts(out, "\n3. ");
		put_fragment(m, seed, rng, out);
		buf_printf(out, "\n\nRelated terms: %s, %s, %s, %s.", kw[1],
			   kw[2], kw[3], kw[4]);
	}
}

/* Hard case: a terminal capture with ANSI escapes (clear screen, an OSC
 * title change, colours, cursor moves), carriage returns and a BEL. */
void demo_gen_ansi(struct model *m, const struct doc *seed, uint64_t *rng,
		   struct buf *out)
{
	char kw[5][24];

	keywords(m, seed, kw);
	buf_printf(out, "\033]0;%s: build log\a", kw[0]);
	buf_puts(out, "\033[2J\033[H");
	buf_printf(out, "\033[1;32m==>\033[0m \033[1mChecking %s\033[0m\n", kw[1]);
	buf_puts(out, "\033[33mwarning:\033[0m ");
	put_fragment(m, seed, rng, out);
	buf_puts(out, "\nprogress  10%\rprogress  55%\rprogress 100%\n");
	buf_printf(out, "\033[31;1merror:\033[0m %s not found\n", kw[2]);
	buf_puts(out, "\033[38;5;208m");
	put_fragment(m, seed, rng, out);
	buf_puts(out, "\033[0m\n\033[1A\033[2K\033[?25l\033[7mreverse "
		 "video\033[27m\033[?25h\a\n");
	buf_printf(out, "done: %s, %s\n", kw[3], kw[4]);
}

/* Hard case: CJK, Hangul, emoji (with skin tone, flags and ZWJ
 * sequences), full-width and half-width forms, combining marks and
 * right-to-left scripts. */
void demo_gen_cjk(struct model *m, const struct doc *seed, uint64_t *rng,
		  struct buf *out)
{
	char kw[5][24];

	keywords(m, seed, kw);
	buf_printf(out, "概要：この文書は「%s」と「%s」について説明します。🚀\n\n",
		   kw[0], kw[1]);
	buf_printf(out, "中文摘要：本文介绍了 %s 的用法，以及 %s 的相关细节。"
		   "😀👍🏽\n\n", kw[0], kw[2]);
	buf_printf(out, "한국어 요약: %s 및 %s 에 대한 문서입니다. 🇰🇷 🇯🇵 🇨🇳\n\n",
		   kw[1], kw[3]);
	buf_puts(out, "Ｗｉｄｅ ｆｏｒｍｓ, ﾊﾝｶｸ ｶﾀｶﾅ, e\u0301 (e + combining "
		 "acute), family \U0001F469\u200D\U0001F469\u200D\U0001F467"
		 "\u200D\U0001F466, العربية and עברית (right to left).\n\n");
	put_fragment(m, seed, rng, out);
	buf_printf(out, " 🎉 %s\n", kw[4]);
}
