/*
 * test_figures.c - the statistics figures (store/figures.h): log length
 * bins, linear ratio bins with an open last bin, shares and bar lengths
 * of two overlaid series, the deterministic bottom-k sample, HTML
 * escaping, the figures of real stores (mixed, no synthetic documents,
 * one document per class, 10,000 identical documents, empty documents),
 * the latest detect run's summary read defensively; and the statistics
 * view drawn headless (tui/statsview.c): cells and roles, scrolling,
 * small screens, cancelling.
 */
#include "tui/tui.h"
#include "store/figures.h"
#include "store/filter.h"
#include "../tap.h"

#include <curses.h>
#include <locale.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/provex-figures-XXXXXX";

/* A distinguishing word longer than any column: 120 characters. */
#define LONG_TERM "longwordlongwordlongwordlongwordlongwordlongwordlongwordlongword" \
	"longwordlongwordlongwordlongwordlongwordlongwordlongword"

/* ---- arithmetic ---- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* A pseudo-random number in [0, 1) from *seed (the same every run). */
static double unif(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (double)((*seed >> 8) & 0xffff) / 65536.0;
}

/* The width of h's closed bins. */
static double hist_step_of(const struct fig_hist *h)
{
	size_t i = h->open_first;

	return h->edge[i + 1] - h->edge[i];
}

static void test_len_bins(void)
{
	int64_t c[FIG_NSERIES][FIG_LEN_BINS];
	struct fig_hist h;
	char lab[32];

	is_int(fig_len_edge(0), 1, "the first length edge is 1");
	is_int(fig_len_edge(4), 7, "five edges a decade: 1 2 3 5 7");
	is_int(fig_len_edge(5), 10, "then 10");
	is_int(fig_len_edge(17), 3000, "edge 17 is 3000");
	is_int(fig_len_bin(1), 0, "length 1 is in the first bin");
	is_int(fig_len_bin(2), 1, "2 starts the second");
	is_int(fig_len_bin(4), 2, "4 is in [3, 5)");
	is_int(fig_len_bin(9), 4, "9 is in [7, 10)");
	is_int(fig_len_bin(10), 5, "10 starts a decade");
	is_int(fig_len_bin(999), 14, "999 is in [700, 1000)");
	is_int(fig_len_bin(1000), 15, "1000 in [1000, 2000)");
	is_int(fig_len_bin(UINT64_MAX), FIG_LEN_BINS - 1, "the largest length fits the last bin");

	memset(c, 0, sizeof c);
	c[FIG_REAL][5] = 3;          /* [10, 20) */
	c[FIG_SYNTH][7] = 2;         /* [30, 50) */
	fig_hist_from_len(&h, (const int64_t (*)[FIG_LEN_BINS])c);
	is_int(h.nbins, 3, "the bins run from the first to the last one used");
	ok(h.edge[0] == 10 && h.edge[1] == 20 && h.edge[2] == 30 && h.edge[3] == 50,
	   "with their edges (10 20 30 50)");
	is_int(h.count[FIG_REAL][0], 3, "real counts stay in their bin");
	is_int(h.count[FIG_SYNTH][2], 2, "and synthetic ones in theirs");
	is_int(h.count[FIG_REAL][1] + h.count[FIG_SYNTH][1], 0, "a bin between them is empty");
	is_int(h.total[FIG_REAL], 3, "totals per series (real)");
	is_int(h.total[FIG_SYNTH], 2, "totals per series (synthetic)");
	ok(h.scale == FIG_LOG && !h.open_last, "log scale, no open bin");
	is_str(fig_hist_label(&h, 0, lab), "10", "labels are the lower edges");
	fig_hist_done(&h);

	memset(c, 0, sizeof c);
	c[FIG_SYNTH][16] = 1;
	c[FIG_SYNTH][30] = 1;
	fig_hist_from_len(&h, (const int64_t (*)[FIG_LEN_BINS])c);
	is_str(fig_hist_label(&h, 0, lab), "2k", "thousands as k");
	is_str(fig_hist_label(&h, h.nbins - 1, lab), "1M", "millions as M");
	fig_hist_done(&h);

	memset(c, 0, sizeof c);
	fig_hist_from_len(&h, (const int64_t (*)[FIG_LEN_BINS])c);
	is_int(h.nbins, 0, "no documents: no bins");
	ok(fig_hist_max_share(&h) == 0, "and no largest share");
	fig_hist_done(&h);
}

/* The share of series se in bin i of h, in percent. */
static double pct(const struct fig_hist *h, int se, size_t i)
{
	return 100 * fig_hist_share(h, se, i);
}

/* Ratio bins where the documents are: like a store mixing the shared
 * corpora, real ratios from 1.5 to 3, synthetic ones from 1 to 3.5 and 3%
 * very repetitive synthetic documents (ratios 60 to 150).  Bins from the
 * smallest value to the 99th percentile put every real and 97% of the
 * synthetic documents in the first bin; bins over each series' bulk
 * spread them, and gather the repetitive ones in an open last bin. */
static void test_bulk(void)
{
	double v[400];
	unsigned char s[400];
	struct fig_hist h;
	size_t i, n = 0, used = 0, maxbin = 0;
	char lab[32];
	double first_real, first_synth;
	unsigned seed = 7;

	/* peaked in the middle, as ratios are: the sum of two uniforms */
	for (i = 0; i < 200; i++) {
		v[n] = 1.5 + 0.75 * (unif(&seed) + unif(&seed));
		s[n++] = FIG_REAL;
	}
	for (i = 0; i < 194; i++) {
		v[n] = 1.0 + 1.25 * (unif(&seed) + unif(&seed));
		s[n++] = FIG_SYNTH;
	}
	for (i = 0; i < 6; i++) {
		v[n] = 60 + 18 * (double)i;
		s[n++] = FIG_SYNTH;
	}
	fig_hist_linear(&h, v, s, n, FIG_RATIO_BINS);
	first_real = pct(&h, FIG_REAL, 0);
	first_synth = pct(&h, FIG_SYNTH, 0);
	ok(first_real < 20 && first_synth < 20, "the first bin no longer holds the bulk: "
	   "%.1f%% of real and %.1f%% of synthetic documents", first_real, first_synth);
	for (i = 0; i < h.nbins; i++) {
		if (h.count[FIG_REAL][i])
			used++;
		if (pct(&h, FIG_REAL, i) > pct(&h, FIG_REAL, maxbin))
			maxbin = i;
	}
	ok(used >= 8, "the real documents spread over %zu bins", used);
	ok(pct(&h, FIG_REAL, maxbin) < 35, "none holding more than a third of them (%.1f%%)",
	   pct(&h, FIG_REAL, maxbin));
	ok(h.nbins >= FIG_RATIO_BINS / 2 && h.nbins <= FIG_RATIO_BINS + 2,
	   "about FIG_RATIO_BINS bins (%zu)", h.nbins);
	ok(h.open_last, "the repetitive documents are gathered in an open last bin");
	is_int(h.count[FIG_SYNTH][h.nbins - 1], 6, "all six of them");
	is_int(h.count[FIG_REAL][h.nbins - 1], 0, "and nothing else");
	ok(h.edge[h.nbins - 1] <= 6, "the open bin starts just above the bulk (%s)",
	   fig_hist_label(&h, h.nbins - 1, lab));
	ok(strncmp(lab, ">=", 2) == 0, "and says >= (%s)", lab);
	fig_hist_done(&h);

	/* a quarter of a series far out still leaves its bulk resolved */
	n = 0;
	for (i = 0; i < 150; i++) {
		v[n] = 2 + (double)(i % 50) / 50;
		s[n++] = FIG_SYNTH;
	}
	for (i = 0; i < 45; i++) {
		v[n] = 500 + (double)i;
		s[n++] = FIG_SYNTH;
	}
	fig_hist_linear(&h, v, s, n, FIG_RATIO_BINS);
	ok(h.open_last && h.count[FIG_SYNTH][h.nbins - 1] == 45, "45 of 195 far out: in the "
	   "open last bin (%lld)", (long long)h.count[FIG_SYNTH][h.nbins - 1]);
	ok(pct(&h, FIG_SYNTH, 0) < 20, "the other 150 spread (first bin %.1f%%)",
	   pct(&h, FIG_SYNTH, 0));
	fig_hist_done(&h);

	/* outliers below the bulk: an open first bin */
	n = 0;
	for (i = 0; i < 100; i++) {
		v[n] = 10 + (double)i / 50;
		s[n++] = i % 2 ? FIG_SYNTH : FIG_REAL;
	}
	v[n] = 0.02;
	s[n++] = FIG_REAL;
	fig_hist_linear(&h, v, s, n, FIG_RATIO_BINS);
	ok(h.open_first, "a value far below the bulk opens a first bin");
	ok(isinf(h.edge[0]) && h.edge[0] < 0, "which has no lower edge");
	is_int(h.count[FIG_REAL][0], 1, "holding that one value");
	is_int(fig_hist_bin(&h, -1e9), 0, "and anything smaller");
	ok(fig_hist_label(&h, 0, lab)[0] == '<' && atof(lab + 1) <= 10 && atof(lab + 1) > 1,
	   "its label says below where the bulk's bins start (%s)", lab);
	{
		char next[32];
		is_str(fig_hist_label(&h, 1, next), lab + 1, "the next bin starts there");
	}
	ok(!h.open_last, "nothing above: no open last bin");
	{
		int64_t sum = 0;
		for (i = 0; i < h.nbins; i++)
			sum += h.count[FIG_REAL][i] + h.count[FIG_SYNTH][i];
		is_int(sum, 101, "every value in a bin");
	}
	fig_hist_done(&h);

	/* a step of 0.25 is labelled with two decimals */
	n = 0;
	for (i = 0; i < 100; i++) {
		v[n] = 1 + 5 * (double)i / 99;
		s[n++] = FIG_REAL;
	}
	fig_hist_linear(&h, v, s, n, 20);
	ok(fabs(hist_step_of(&h) - 0.25) < 1e-12, "1 to 6 in 20 bins: a step of 0.25 (%g)",
	   hist_step_of(&h));
	is_str(fig_hist_label(&h, 1, lab), "1.25", "labelled 1.25, not 1.2");
	fig_hist_done(&h);
}

/* Medians: exact, the mean of the two middle values for an even count. */
static void test_medians(void)
{
	double d[] = { 1, 2, 3, 4 };
	int64_t a[] = { 890, 887 }, b[] = { 5, 1, 4 }, none[1] = { 0 };
	int64_t *r = malloc(1001 * sizeof *r), *c = malloc(1001 * sizeof *c);
	size_t n, i, bad = 0;
	unsigned x = 12345;

	ok(fig_median_i64(a, 2) == 888.5, "the median of 887 and 890 is 888.5, not 888");
	ok(fig_median_i64(b, 3) == 4, "of 1 4 5: 4");
	ok(fig_median_i64(none, 0) == 0, "of nothing: 0");
	ok(fig_median_sorted(d, 4) == 2.5 && fig_median_sorted(d, 3) == 2,
	   "of sorted doubles: 2.5 of 1 2 3 4, 2 of 1 2 3");
	ok(fig_quantile_sorted(d, 4, 0.5) == 2.5, "the quantile at 0.5 is the median");
	ok(fig_quantile_sorted(d, 4, 0.25) == 1.75 && fig_quantile_sorted(d, 4, 1) == 4 &&
	   fig_quantile_sorted(d, 4, 0) == 1, "quartiles interpolate between ranks");
	/* against a sort, on random arrays of every size, many values equal */
	for (n = 1; n <= 1001; n += 7) {
		double want;
		for (i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			r[i] = (int64_t)((x >> 8) % (n < 50 ? 5 : 1000));
			c[i] = r[i];
		}
		qsort(c, n, sizeof *c, cmp_i64);
		want = n % 2 ? (double)c[n / 2] : ((double)c[n / 2 - 1] + (double)c[n / 2]) / 2;
		if (fig_median_i64(r, n) != want)
			bad++;
	}
	is_int(bad, 0, "the median in linear time equals the sorted one on 143 random arrays");
	free(r);
	free(c);
}

static void test_linear(void)
{
	double v[200];
	unsigned char s[200];
	struct fig_hist h;
	char lab[32];
	size_t i;
	int64_t sum;

	ok(fabs(fig_nice_step(0.3) - 0.5) < 1e-12, "a round step: 0.3 -> 0.5");
	ok(fabs(fig_nice_step(0.3 / 0.1) - 5) < 1e-12, "3.0000000000000004 -> 5");
	ok(fabs(fig_nice_step(0.1) - 0.1) < 1e-12, "0.1 stays");
	ok(fabs(fig_nice_step(1.1) - 2) < 1e-12, "1.1 -> 2");
	ok(fabs(fig_nice_step(7) - 10) < 1e-12, "7 -> 10");
	ok(fabs(fig_nice_step(0.21) - 0.25) < 1e-12, "0.21 -> 0.25: 2.5 is a round step too");
	ok(fig_nice_step(0) == 1 && fig_nice_step(NAN) == 1, "no step for nothing: 1");

	/* 100 real values 1.0 .. 4.96, 99 synthetic 3.0 .. 7.9, one outlier */
	for (i = 0; i < 100; i++) {
		v[i] = 1.0 + 0.04 * (double)i;
		s[i] = FIG_REAL;
	}
	for (i = 100; i < 199; i++) {
		v[i] = 3.0 + 0.05 * (double)(i - 100);
		s[i] = FIG_SYNTH;
	}
	v[199] = 90;
	s[199] = FIG_SYNTH;
	fig_hist_linear(&h, v, s, 200, 16);
	ok(h.scale == FIG_LINEAR, "ratio bins are linear");
	ok(h.open_last, "an outlier beyond the bulk opens a last bin");
	ok(!h.open_first, "nothing lies below the bulk: no open first bin");
	ok(isinf(h.edge[h.nbins]), "which has no upper edge");
	ok(h.edge[0] <= 1.0 && h.edge[0] > 0.5, "the first edge is at or under the smallest "
	   "value (%g)", h.edge[0]);
	ok(h.nbins >= 10 && h.nbins <= 25, "about 16 bins (%zu)", h.nbins);
	is_int(h.total[FIG_REAL], 100, "every real value counted");
	is_int(h.total[FIG_SYNTH], 100, "every synthetic value counted");
	for (sum = 0, i = 0; i < h.nbins; i++)
		sum += h.count[FIG_REAL][i] + h.count[FIG_SYNTH][i];
	is_int(sum, 200, "the bins add up to all values");
	is_int(h.count[FIG_SYNTH][h.nbins - 1], 1, "the outlier is in the open bin");
	is_int(fig_hist_bin(&h, 1e9), h.nbins - 1, "anything larger goes there too");
	is_int(fig_hist_bin(&h, -5), 0, "anything smaller goes to the first bin");
	ok(strncmp(fig_hist_label(&h, h.nbins - 1, lab), ">=", 2) == 0,
	   "the open bin's label says >= (%s)", lab);
	is_str(fig_hist_label(&h, 0, lab), "1", "a label has the step's decimals (step 1: none)");
	ok(fabs(h.median[FIG_REAL] - 2.98) < 1e-9, "the real median: the mean of the two middle "
	   "values 2.96 and 3.00 (%g)", h.median[FIG_REAL]);
	ok(fabs(h.median[FIG_SYNTH] - 5.475) < 1e-9, "the synthetic median, the outlier "
	   "included: 5.45 and 5.50 averaged (%g)", h.median[FIG_SYNTH]);
	/* the overlay: each series as a share of itself */
	{
		double m = fig_hist_max_share(&h), tr = 0, ts = 0;
		for (i = 0; i < h.nbins; i++) {
			tr += fig_hist_share(&h, FIG_REAL, i);
			ts += fig_hist_share(&h, FIG_SYNTH, i);
			ok(fig_bar(fig_hist_share(&h, FIG_REAL, i), m, 30) <= 30, "bar %zu fits", i);
		}
		ok(fabs(tr - 1) < 1e-9 && fabs(ts - 1) < 1e-9, "each series' shares add up to 1");
		ok(m > 0 && m <= 1, "the largest share is a share (%g)", m);
	}
	fig_hist_done(&h);

	/* identical values: one bin, nothing open */
	for (i = 0; i < 50; i++) {
		v[i] = 3.25;
		s[i] = i % 2 ? FIG_SYNTH : FIG_REAL;
	}
	fig_hist_linear(&h, v, s, 50, 16);
	is_int(h.nbins, 1, "identical values: one bin");
	ok(!h.open_last && h.edge[0] <= 3.25 && h.edge[1] > 3.25, "holding the value [%g, %g)",
	   h.edge[0], h.edge[1]);
	is_int(h.count[FIG_REAL][0] + h.count[FIG_SYNTH][0], 50, "all of them");
	fig_hist_done(&h);

	/* one value per class */
	v[0] = 2.0;
	s[0] = FIG_REAL;
	v[1] = 5.0;
	s[1] = FIG_SYNTH;
	fig_hist_linear(&h, v, s, 2, 16);
	is_int(h.total[FIG_REAL] + h.total[FIG_SYNTH], 2, "one value per class: both counted");
	ok(fig_hist_share(&h, FIG_REAL, fig_hist_bin(&h, 2.0)) == 1, "a lone value is 100%% of "
	   "its series");
	fig_hist_done(&h);

	/* only one series: the other's shares are 0, never NaN */
	for (i = 0; i < 10; i++) {
		v[i] = (double)i;
		s[i] = FIG_REAL;
	}
	fig_hist_linear(&h, v, s, 10, 16);
	is_int(h.total[FIG_SYNTH], 0, "no synthetic values");
	for (i = 0; i < h.nbins; i++)
		if (fig_hist_share(&h, FIG_SYNTH, i) != 0)
			break;
	is_int(i, h.nbins, "an empty series has share 0 in every bin (no division by zero)");
	ok(isfinite(fig_hist_max_share(&h)), "the largest share is finite");
	fig_hist_done(&h);

	fig_hist_linear(&h, v, s, 0, 16);
	is_int(h.nbins, 0, "no values: no bins");
	fig_hist_done(&h);

	test_bulk();

	is_int(fig_bar(0.5, 0.5, 20), 20, "the largest share fills the width");
	is_int(fig_bar(0.25, 0.5, 20), 10, "half of it half the width");
	is_int(fig_bar(0.0001, 0.5, 20), 1, "a share above 0 shows at least one cell");
	is_int(fig_bar(0, 0.5, 20), 0, "none shows nothing");
	is_int(fig_bar(0.3, 0, 20), 0, "a largest share of 0 draws nothing");
	is_int(fig_bar(0.3, 0.5, 0), 0, "nor does no room");
}

static void test_sampler(void)
{
	struct fig_sampler a, b;
	uint64_t *h = malloc(10000 * sizeof *h);
	size_t i, k, below = 0;
	int64_t id;
	bool same = true, smallest = true;

	fig_sampler_init(&a, 100);
	fig_sampler_init(&b, 100);
	for (id = 1; id <= 10000; id++) {
		struct fig_pick p = { fig_hash(id), id, id, id, FIG_REAL };
		struct fig_pick q = { fig_hash(10001 - id), 10001 - id, 10001 - id, 1, FIG_SYNTH };
		fig_sampler_add(&a, &p);
		fig_sampler_add(&b, &q);
		h[id - 1] = fig_hash(id);
	}
	is_int(a.n, 100, "the sample has k documents");
	is_int(a.seen, 10000, "out of every one offered");
	fig_sampler_sort(&a);
	fig_sampler_sort(&b);
	for (i = 0; i < 100; i++)
		if (a.heap[i].id != b.heap[i].id)
			same = false;
	ok(same, "the same documents whatever order they come in");
	for (i = 1; i < 100; i++)
		if (a.heap[i - 1].text_id > a.heap[i].text_id)
			break;
	is_int(i, 100, "sorted by text id for reading");
	/* they are the 100 smallest hashes */
	{
		uint64_t max_in = 0;
		for (i = 0; i < 100; i++)
			if (a.heap[i].hash > max_in)
				max_in = a.heap[i].hash;
		for (k = 0, i = 0; i < 10000; i++)
			if (h[i] <= max_in)
				k++;
		smallest = k == 100;
	}
	ok(smallest, "and they are the 100 with the smallest hashes");
	for (i = 0; i < 100; i++)
		if (a.heap[i].id <= 5000)
			below++;
	ok(below >= 30 && below <= 70, "spread over the ids (%zu of 100 in the first half)", below);
	fig_sampler_done(&a);
	fig_sampler_done(&b);

	fig_sampler_init(&a, 50);
	for (id = 1; id <= 20; id++) {
		struct fig_pick p = { fig_hash(id), id, id, 1, FIG_REAL };
		fig_sampler_add(&a, &p);
	}
	is_int(a.n, 20, "fewer documents than k: all of them");
	fig_sampler_done(&a);
	free(h);

	ok(fig_hash(1) != fig_hash(2) && fig_hash(7) == fig_hash(7), "the hash is a function "
	   "of the id");
	setenv("PROVEX_STATS_SAMPLE", "1234", 1);
	is_int(fig_sample_default(), 1234, "PROVEX_STATS_SAMPLE sets the sample size");
	setenv("PROVEX_STATS_SAMPLE", "lots", 1);
	is_int(fig_sample_default(), FIG_SAMPLE, "a value that is not a number is ignored");
	unsetenv("PROVEX_STATS_SAMPLE");
	is_int(fig_sample_default(), FIG_SAMPLE, "the default is 100,000");
}

static void test_escape(void)
{
	struct buf b = BUF_INIT;
	const char nasty[] = "<script>alert(\"x\")</script> & 'q' \x1b[2J \xff";

	fig_html_escape(&b, nasty, sizeof nasty - 1);
	is_str(buf_str(&b), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
	       "&#39;q&#39; ^[[2J \\xff", "markup, quotes, escapes and bad bytes are made harmless");
	buf_done(&b);
}

/* ---- stores ---- */

struct spec {
	const char *text;
	const char *origin;
	const char *source, *generator;
	int times;
};

/* Makes a store at dir/name from specs (each repeated `times`). */
static int mkstore(const char *name, const struct spec *sp, size_t n, char *path, size_t size)
{
	struct store *s = NULL;
	struct pv_err e;
	int64_t iid, run, rec = 0;
	bool same, done;
	size_t i;
	int k;

	snprintf(path, size, "%s/%s", dir, name);
	if (store_open(&s, path, STORE_CREATE, &e)) {
		printf("# %s\n", e.msg);
		return -1;
	}
	store_begin(s, &e);
	store_run_start(s, "provex index test", &run, &e);
	store_input(s, "/abs/in.jsonl", "{}", "in.jsonl", 1, 1, &iid, &same, &done, &e);
	for (i = 0; i < n; i++)
		for (k = 0; k < sp[i].times; k++) {
			char ext[32];
			enum doc_outcome oc;
			bool cross;
			size_t stored;
			struct doc_in d = { .input_id = iid, .rec = ++rec, .run_id = run,
					    .ext_id = ext, .text = sp[i].text,
					    .len = strlen(sp[i].text), .words = -1,
					    .origin = sp[i].origin, .source = sp[i].source,
					    .generator = sp[i].generator };
			snprintf(ext, sizeof ext, "e%lld", (long long)rec);
			if (store_doc_add(s, &d, &oc, &cross, &stored, &e)) {
				printf("# %s\n", e.msg);
				store_close(s);
				return -1;
			}
		}
	store_commit(s, &e);
	store_run_finish(s, run, "{}", &e);
	store_close(s);
	return 0;
}

static int figs(const char *path, const char *filter, size_t sample, struct figures *f)
{
	struct filter_ast *ast = NULL;
	struct filter_sql sql;
	struct store *s = NULL;
	struct pv_err e;
	struct fig_opts o = { sample, -1 };
	int rc;

	memset(f, 0, sizeof *f);
	pv_err_clear(&e);
	if (filter_parse(filter, &ast, &e) || filter_compile(ast, &sql)) {
		printf("# filter: %s\n", e.msg);
		return -1;
	}
	filter_free(ast);
	if (store_open(&s, path, STORE_READ, &e)) {
		printf("# %s\n", e.msg);
		filter_sql_done(&sql);
		return -1;
	}
	rc = figures_compute(s, &sql, &o, f, &e);
	if (rc)
		printf("# %s\n", e.msg);
	store_close(s);
	filter_sql_done(&sql);
	return rc;
}

static char *page(const struct figures *f, const char *filter)
{
	struct buf b = BUF_INIT;

	figures_html(f, "s.pvx", filter, NULL, &b);
	return buf_take(&b);
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static char mixed[256];

static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	if (sqlite3_open(path, &db) == SQLITE_OK) {
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			printf("# %s\n", sqlite3_errmsg(db));
	}
	sqlite3_close(db);
}

static void test_mixed(void)
{
	static const struct spec sp[] = {
		{ "a short real text about the river", "real", "news", NULL, 1 },
		{ "a longer real text about the river and the town and the bridge in the "
		  "morning when the market opens", "real", "news", NULL, 1 },
		{ "real text from books, of middling length here", "real", "books", NULL, 1 },
		{ "synthetic text that delves into the rich tapestry of robust seamless "
		  "pivotal realms, synthetic text that delves into the rich tapestry", "synthetic",
		  "<script>alert('x')</script>\"q\"", "gpt-x", 1 },
		{ "another synthetic text, leverage the realms", "synthetic", "forum", "gpt-x", 1 },
		{ "unknown origin here", "unknown", NULL, NULL, 1 },
		{ "", "real", "news", NULL, 1 },
	};
	struct figures f;
	char *html;
	int64_t n;
	size_t i;

	if (mkstore("mixed.pvx", sp, PV_ARRAY_LEN(sp), mixed, sizeof mixed)) {
		ok(0, "make the mixed store");
		return;
	}
	if (figs(mixed, "", 0, &f)) {
		ok(0, "figures of the mixed store");
		return;
	}
	is_int(f.docs, 7, "every document counted");
	ok(f.by_origin[0] == 4 && f.by_origin[1] == 2 && f.by_origin[2] == 1,
	   "by origin: 4 real, 2 synthetic, 1 unknown");
	is_int(f.field[FIG_ORIGIN].n, 3, "three origins");
	is_str(f.field[FIG_ORIGIN].v[0].value, "real", "most documents first");
	is_int(f.field[FIG_SOURCE].n, 5, "five sources, none included");
	for (n = 0, i = 0; i < f.field[FIG_SOURCE].n; i++)
		n += f.field[FIG_SOURCE].v[i].docs;
	is_int(n, 7, "the sources add up");
	is_int(f.empty[FIG_REAL], 1, "the empty document is counted apart");
	is_int(f.len.total[FIG_REAL], 3, "and left out of the length histogram (3 real)");
	is_int(f.len.total[FIG_SYNTH], 2, "2 synthetic lengths");
	is_int(f.len.left_out, 1, "which says one was left out");
	is_int(f.sampled, 5, "the sample: every non-empty real or synthetic document");
	is_int(f.ratio.total[FIG_REAL] + f.ratio.total[FIG_SYNTH], 5, "each has a ratio");
	ok(f.ratio.docs == f.ratio.of, "all of them: not a sample");
	ok(f.len.median[FIG_REAL] == (double)strlen(sp[2].text),
	   "the real median length: the middle one of three (%g)", f.len.median[FIG_REAL]);
	ok(f.len.median[FIG_SYNTH] == (double)(strlen(sp[3].text) + strlen(sp[4].text)) / 2,
	   "the synthetic one: the mean of two (%g)", f.len.median[FIG_SYNTH]);
	{
		char md[48], want[48];
		snprintf(want, sizeof want, "%zu.5", (strlen(sp[3].text) + strlen(sp[4].text)) / 2);
		is_str(fig_median_label(&f.len, FIG_SYNTH, md), want, "shown with its half");
	}
	ok(!f.detect.present, "no detect run yet");
	ok(f.have_review && f.review.answers == 0, "no review answers yet");
	html = page(&f, "");
	ok(strstr(html, "<!DOCTYPE html>") == html, "the page is an HTML document");
	ok(!strstr(html, "<script"), "no script element anywhere, the source's included");
	ok(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;q&quot;") != NULL,
	   "the source name is escaped");
	ok(strstr(html, "run provex detect") != NULL, "the page says to run provex detect");
	ok(strstr(html, "run provex review") != NULL, "and provex review");
	is_int(count_of(html, "class=\"bar real\""), f.len.nbins + f.ratio.nbins,
	       "one real bar per bin of each histogram");
	is_int(count_of(html, "class=\"bar synthetic\""), f.len.nbins + f.ratio.nbins,
	       "and one synthetic bar");
	ok(strstr(html, "http://") == NULL && strstr(html, "https://") == NULL &&
	   strstr(html, "src=") == NULL, "nothing is fetched");
	ok(strstr(html, "all 5 documents") != NULL, "the ratio histogram says it is over all "
	   "documents");
	{
		char md[48], want[96];
		snprintf(want, sizeof want, "synthetic (2; <span class=\"median\">median %s bytes",
			 fig_median_label(&f.len, FIG_SYNTH, md));
		ok(strstr(html, want) != NULL, "the legend gives each series' median (%s)", want);
	}
	is_int(count_of(html, "<line class=\"median real\""), 2, "a dashed line at the real "
	       "median of each histogram");
	is_int(count_of(html, "<line class=\"median synthetic\""), 2, "and at the synthetic one");
	free(html);
	figures_done(&f);

	/* a sample */
	if (figs(mixed, "", 2, &f) == 0) {
		is_int(f.ratio.docs, 2, "a sample of 2");
		is_int(f.ratio.of, 5, "of 5");
		is_int(f.ratio.total[FIG_REAL] + f.ratio.total[FIG_SYNTH], 2, "2 ratios drawn");
		html = page(&f, "");
		ok(strstr(html, "a sample of 2 of 5 documents") != NULL, "the page says so");
		free(html);
		figures_done(&f);
	}
	{
		struct figures g;
		if (figs(mixed, "", 2, &g) == 0 && figs(mixed, "", 2, &f) == 0) {
			ok(g.ratio.count[FIG_REAL][0] == f.ratio.count[FIG_REAL][0] &&
			   g.ratio.nbins == f.ratio.nbins, "the same sample every time");
		}
		figures_done(&g);
		figures_done(&f);
	}

	/* no synthetic documents */
	if (figs(mixed, "origin:real", 0, &f) == 0) {
		is_int(f.len.total[FIG_SYNTH], 0, "origin:real has no synthetic lengths");
		ok(isfinite(fig_hist_max_share(&f.len)), "shares stay finite");
		html = page(&f, "origin:real");
		ok(strstr(html, "no synthetic documents") != NULL, "the page says there are no "
		   "synthetic documents");
		is_int(count_of(html, "class=\"bar synthetic\""), 0, "and draws no synthetic bar");
		ok(count_of(html, "class=\"bar real\"") > 0, "but the real ones");
		free(html);
		figures_done(&f);
	}
	if (figs(mixed, "origin:synthetic", 0, &f) == 0) {
		html = page(&f, "origin:synthetic");
		ok(strstr(html, "no real documents") != NULL, "and the other way round");
		free(html);
		figures_done(&f);
	}
	if (figs(mixed, "origin:unknown", 0, &f) == 0) {
		is_int(f.len.nbins + f.ratio.nbins, 0, "only unknown documents: no bins");
		html = page(&f, "origin:unknown");
		ok(strstr(html, "no real and no synthetic documents") != NULL, "said so");
		free(html);
		figures_done(&f);
	}
	if (figs(mixed, "source:nothing-like-this", 0, &f) == 0) {
		is_int(f.docs, 0, "a filter matching nothing");
		html = page(&f, "source:nothing-like-this");
		ok(strstr(html, "No document matches") != NULL, "the page says nothing matches");
		free(html);
		figures_done(&f);
	}
}

static void test_edge_stores(void)
{
	static const struct spec one[] = {
		{ "one real", "real", NULL, NULL, 1 },
		{ "one synthetic", "synthetic", NULL, "g", 1 },
	};
	static const struct spec same[] = {
		{ "the very same text, ten thousand times", "real", "a", NULL, 5000 },
		{ "the very same text, ten thousand times", "synthetic", "b", "g", 5000 },
	};
	static const struct spec empty[] = {
		{ "", "real", NULL, NULL, 3 },
		{ "", "synthetic", NULL, NULL, 2 },
	};
	struct figures f;
	char path[256], *html;

	if (mkstore("one.pvx", one, 2, path, sizeof path) == 0 && figs(path, "", 0, &f) == 0) {
		ok(f.len.total[FIG_REAL] == 1 && f.len.total[FIG_SYNTH] == 1, "one document per "
		   "class: both lengths");
		is_int(f.ratio.total[FIG_REAL] + f.ratio.total[FIG_SYNTH], 2, "and both ratios");
		ok(fig_hist_max_share(&f.len) == 1, "each is all of its series");
		html = page(&f, "");
		ok(strstr(html, "</html>") != NULL, "the page is whole");
		free(html);
		figures_done(&f);
	} else {
		ok(0, "one document per class");
	}
	if (mkstore("same.pvx", same, 2, path, sizeof path) == 0 && figs(path, "", 100, &f) == 0) {
		is_int(f.docs, 10000, "10,000 identical documents");
		is_int(f.len.nbins, 1, "one length bin");
		is_int(f.len.count[FIG_REAL][0], 5000, "holding every real one");
		is_int(f.ratio.nbins, 1, "one ratio bin");
		is_int(f.ratio.docs, 100, "the ratios over a sample of 100");
		is_int(f.ratio.total[FIG_REAL] + f.ratio.total[FIG_SYNTH], 100, "all drawn");
		figures_done(&f);
	} else {
		ok(0, "10,000 identical documents");
	}
	if (mkstore("empty.pvx", empty, 2, path, sizeof path) == 0 && figs(path, "", 0, &f) == 0) {
		is_int(f.docs, 5, "empty documents are counted");
		ok(f.empty[FIG_REAL] == 3 && f.empty[FIG_SYNTH] == 2, "as empty");
		is_int(f.len.nbins + f.ratio.nbins, 0, "and draw no bins");
		is_int(f.len.left_out, 5, "left out, said");
		html = page(&f, "");
		ok(strstr(html, "5 empty documents left out") != NULL, "the page says so");
		free(html);
		figures_done(&f);
	} else {
		ok(0, "empty documents");
	}
}

static void test_detect_summary(void)
{
	struct figures f;
	char *html;

	sql_exec(mixed, "INSERT INTO detect_runs(id, at, filter, settings, summary) VALUES "
		 "(1, '2026-01-01', '', '{}', '{\"overall\":{\"auc\":0.75,\"ci\":[0.6,0.9]},"
		 "\"real\":4,\"synthetic\":2,\"by\":\"generator\",\"groups\":["
		 "{\"value\":\"gpt-x\",\"synthetic\":2,\"real\":4,\"auc\":0.8,\"ci\":[0.5,1],"
		 "\"words\":{\"synthetic\":[{\"term\":\"tapestry\",\"z\":3.5},{\"term\":"
		 "\"<b>delve</b>\",\"z\":2}],\"real\":[{\"term\":\"river\",\"z\":-3},"
		 "{\"term\":\"" LONG_TERM "\",\"z\":-1.5}]}},"
		 "{\"value\":null,\"auc\":\"not a number\",\"words\":null},"
		 "7,{\"extra\":[1,{\"x\":\"]\"}]}],\"review\":{\"real_reading_synthetic\":"
		 "{\"documents\":3,\"filter\":\"origin:real score:>0.9\"},"
		 "\"synthetic_passing_real\":{\"documents\":\"many\"}},"
		 "\"future\":{\"field\":[1,2,3]}}')");
	if (figs(mixed, "", 0, &f) == 0) {
		const struct fig_detect *d = &f.detect;
		ok(d->present && d->run == 1, "the latest detect run is read");
		ok(d->has_overall && fabs(d->auc - 0.75) < 1e-9 && fabs(d->lo - 0.6) < 1e-9 &&
		   fabs(d->hi - 0.9) < 1e-9, "its overall AUC and interval");
		is_int(d->ngroups, 3, "its groups, the one that is not an object left out");
		if (d->ngroups >= 1) {
			ok(d->groups[0].has_auc && fabs(d->groups[0].auc - 0.8) < 1e-9, "a group's AUC");
			is_int(d->groups[0].nsyn, 2, "its synthetic words");
			is_str(d->groups[0].syn[0].term, "tapestry", "most distinguishing first");
			is_int(d->groups[0].nrl, 2, "its real words");
		}
		if (d->ngroups >= 2)
			ok(!d->groups[1].has_auc && !d->groups[1].words && !d->groups[1].value,
			   "a group with a wrong AUC and no words is kept without them");
		ok(d->problem != NULL, "and the page will say part could not be read");
		ok(d->high_real == 3 && d->high_filter &&
		   !strcmp(d->high_filter, "origin:real score:>0.9"),
		   "the queue of real documents that read as synthetic");
		ok(d->low_synthetic == -1 && !d->low_filter, "a queue with a count that is not a "
		   "number is left out");
		html = page(&f, "");
		ok(strstr(html, "tapestry") != NULL, "the words are on the page");
		ok(strstr(html, "&lt;b&gt;delve&lt;/b&gt;") != NULL, "escaped");
		is_int(count_of(html, "class=\"interval\""), 2, "an interval per AUC (all and gpt-x)");
		free(html);
		figures_done(&f);
	}
	sql_exec(mixed, "INSERT INTO detect_runs(id, at, filter, settings, summary) VALUES "
		 "(2, '2026-01-02', 'origin:real', '{}', 'this is not JSON')");
	if (figs(mixed, "", 0, &f) == 0) {
		ok(f.detect.present && f.detect.run == 2, "a newer run is the latest");
		ok(f.detect.problem && strstr(f.detect.problem, "cannot be read"),
		   "a summary that is not JSON is said to be unreadable (%s)",
		   f.detect.problem ? f.detect.problem : "");
		is_int(f.detect.ngroups, 0, "and gives no groups");
		figures_done(&f);
	}
	sql_exec(mixed, "INSERT INTO detect_runs(id, at, filter, settings, summary) VALUES "
		 "(3, '2026-01-03', '', '{}', '[1,2]'), (4, 'x', '', '{}', NULL)");
	if (figs(mixed, "", 0, &f) == 0) {
		ok(f.detect.run == 3 && f.detect.problem != NULL,
		   "a summary that is not an object is unreadable too; a run without summary "
		   "is passed over");
		figures_done(&f);
	}
	sql_exec(mixed, "DELETE FROM detect_runs WHERE id > 1");
}

/* A summary of a newer detect run: the pooled, own and matched AUCs per
 * group, its ROC points, AUC by length, the field values it never
 * covers, and the shuffled-label control.  The second group has null for
 * every new figure, as a group too small for a model of its own would. */
#define NEW_SUMMARY "{\"overall\":{\"auc\":0.9,\"ci\":[0.85,0.95],\"se\":0.02}," \
	"\"real\":4000,\"synthetic\":240,\"by\":\"generator\"," \
	"\"model\":\"logistic regression\",\"match\":\"source\"," \
	"\"control\":{\"auc\":0.503,\"ci\":[0.47,0.53],\"se\":0.01},\"groups\":[" \
	"{\"value\":\"gpt-x\",\"synthetic\":120,\"real\":4000,\"auc\":0.87," \
	"\"ci\":[0.83,0.91],\"se\":0.02,\"words\":null," \
	"\"pooled\":{\"auc\":0.87,\"ci\":[0.83,0.91],\"se\":0.02,\"real\":4000}," \
	"\"own\":{\"auc\":0.912,\"ci\":[0.88,0.94],\"se\":0.015,\"real\":4000}," \
	"\"matched\":{\"auc\":0.701,\"ci\":[0.65,0.75],\"se\":0.03,\"real\":800," \
	"\"field\":\"source\"},\"tpr\":[{\"fpr\":0.05,\"tpr\":0.8,\"ci\":[0.76,0.84]," \
	"\"threshold\":0.41,\"model\":\"own\"},{\"fpr\":0.01,\"tpr\":0.55,\"ci\":[0.5,0.6]," \
	"\"threshold\":0.9,\"model\":\"pooled\"},{\"fpr\":0.01,\"tpr\":0.62," \
	"\"ci\":[0.58,0.66],\"threshold\":0.83,\"model\":\"own\"}]," \
	"\"length_bins\":[{\"min_bytes\":0,\"max_bytes\":500,\"synthetic\":40," \
	"\"real\":1000,\"auc\":0.8,\"ci\":[0.7,0.9]},{\"min_bytes\":500," \
	"\"max_bytes\":null,\"synthetic\":0,\"real\":300,\"auc\":null,\"ci\":null}]," \
	"\"uncovered\":{\"field\":\"source\",\"values\":3,\"real\":1200}}," \
	"{\"value\":\"<b>llama</b>\",\"synthetic\":120,\"real\":4000,\"auc\":0.6," \
	"\"ci\":[0.55,0.65],\"pooled\":null,\"own\":null,\"matched\":null,\"tpr\":null," \
	"\"length_bins\":null,\"uncovered\":null}]}"

/* Makes summary js the only detect run of the store at path. */
static void set_summary(const char *path, const char *js)
{
	struct buf q = BUF_INIT;
	size_t i;

	buf_puts(&q, "DELETE FROM detect_runs; INSERT INTO detect_runs(id, at, filter, "
		 "settings, summary) VALUES (9, '2026-02-01', '', '{}', '");
	for (i = 0; js[i]; i++) {
		if (js[i] == '\'')
			buf_putc(&q, '\'');
		buf_putc(&q, js[i]);
	}
	buf_puts(&q, "')");
	sql_exec(path, buf_str(&q));
	buf_done(&q);
}

/* The figures of the store at path with js its latest detect run's
 * summary.  Returns what figs returns. */
static int figs_with_summary(const char *path, const char *js, struct figures *f)
{
	set_summary(path, js);
	return figs(path, "", 0, f);
}

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void test_detect_new_keys(void)
{
	static const struct spec one[] = {
		{ "one real text", "real", "news", NULL, 1 },
		{ "one synthetic text", "synthetic", "news", "gpt-x", 1 },
	};
	struct figures f;
	char path[256], *html;

	if (mkstore("newkeys.pvx", one, 2, path, sizeof path)) {
		ok(0, "make a store for the new summary keys");
		return;
	}
	if (figs_with_summary(path, NEW_SUMMARY, &f) == 0) {
		const struct fig_detect *d = &f.detect;
		const struct fig_dgroup *g = d->ngroups >= 2 ? &d->groups[0] : NULL;
		const struct fig_dgroup *h = d->ngroups >= 2 ? &d->groups[1] : NULL;
		const struct fig_tpr *t;
		ok(d->present && d->problem == NULL, "a newer summary reads whole (%s)",
		   d->problem ? d->problem : "no problem");
		ok(d->extended, "and is known to have the newer figures");
		ok(d->model && !strcmp(d->model, "logistic regression"), "its model");
		ok(d->match && !strcmp(d->match, "source"), "the --match field");
		ok(d->control.has && near(d->control.auc, 0.503) && near(d->control.lo, 0.47) &&
		   near(d->control.hi, 0.53) && d->control.has_se && near(d->control.se, 0.01),
		   "the shuffled-label control with its interval and standard error");
		is_int(d->ngroups, 2, "both groups");
		if (g && h) {
			ok(g->extended && g->own.has && near(g->own.auc, 0.912) &&
			   near(g->own.lo, 0.88) && near(g->own.hi, 0.94) && g->own.real == 4000,
			   "a group's own AUC, interval and real documents");
			ok(g->pooled.has && near(g->pooled.auc, 0.87), "its pooled AUC");
			ok(g->has_auc && near(g->auc, 0.87), "the pooled AUC under the old key too");
			ok(g->matched.has && near(g->matched.auc, 0.701) && g->matched.real == 800,
			   "its matched AUC over 800 real documents");
			ok(g->matched_field && !strcmp(g->matched_field, "source"),
			   "matched on source");
			is_int(g->ntpr, 3, "its ROC points, all of them");
			t = fig_dgroup_tpr(g, 0.01);
			ok(t && near(t->tpr, 0.62) && t->has_ci && near(t->lo, 0.58) &&
			   near(t->hi, 0.66) && t->has_threshold && near(t->threshold, 0.83),
			   "the TPR at 1%% FPR is the own model's, listed after the pooled one's");
			t = fig_dgroup_tpr(g, 0.05);
			ok(t && near(t->tpr, 0.8) && t->model && !strcmp(t->model, "own"),
			   "and at 5%%");
			ok(fig_dgroup_tpr(g, 0.1) == NULL, "none at an FPR it does not list");
			is_int(g->nlenbin, 2, "its AUC by length");
			if (g->nlenbin == 2) {
				ok(g->lenbin[0].has_auc && near(g->lenbin[0].auc, 0.8) &&
				   g->lenbin[0].min_bytes == 0 && g->lenbin[0].max_bytes == 500 &&
				   g->lenbin[0].synthetic == 40 && g->lenbin[0].real == 1000,
				   "a length bin with both sides");
				ok(!g->lenbin[1].has_auc && g->lenbin[1].max_bytes == -1 &&
				   g->lenbin[1].synthetic == 0, "one with an empty side has no AUC, "
				   "and an open upper end");
			}
			ok(g->has_uncovered && g->uncovered_field &&
			   !strcmp(g->uncovered_field, "source") && g->uncovered_values == 3 &&
			   g->uncovered_real == 1200, "the source values it never covers");
			ok(h->extended && !h->own.has && !h->pooled.has && !h->matched.has &&
			   h->ntpr == 0 && h->nlenbin == 0 && !h->has_uncovered,
			   "a group with null for every newer figure has none of them");
			ok(h->has_auc && near(h->auc, 0.6), "but keeps its AUC");
		}
		html = page(&f, "");
		ok(strstr(html, "0.912 (0.880&ndash;0.940)") != NULL, "the page has the own AUC");
		ok(strstr(html, "0.701 (0.650&ndash;0.750)") != NULL, "the matched AUC");
		ok(strstr(html, "62.0% (58.0&ndash;66.0)") != NULL, "the TPR at 1%% FPR");
		ok(strstr(html, "80.0% (76.0&ndash;84.0)") != NULL, "and at 5%%");
		ok(strstr(html, "0.503 (0.470&ndash;0.530)") != NULL, "the control");
		ok(strstr(html, "--match source") != NULL, "the uncovered values' warning names "
		   "--match source");
		ok(strstr(html, "&lt;b&gt;llama&lt;/b&gt;") != NULL && !strstr(html, "<b>llama"),
		   "group names escaped");
		ok(strstr(html, "data-figure=\"detector-length\"") != NULL ||
		   strstr(html, "id=\"detector-length\"") != NULL, "the AUC by length");
		free(html);
		figures_done(&f);
	}

	/* only the old keys: nothing new, nothing said to be missing */
	if (figs_with_summary(path, "{\"overall\":{\"auc\":0.75,\"ci\":[0.6,0.9]},\"by\":"
			      "\"generator\",\"groups\":[{\"value\":\"g\",\"synthetic\":2,"
			      "\"real\":4,\"auc\":0.8,\"ci\":[0.5,1]}]}", &f) == 0) {
		const struct fig_detect *d = &f.detect;
		ok(!d->extended && !d->model && !d->match && !d->control.has && !d->problem,
		   "an older summary: no model, match or control, and no problem");
		ok(d->ngroups == 1 && !d->groups[0].extended && !d->groups[0].own.has &&
		   d->groups[0].ntpr == 0 && !d->groups[0].has_uncovered,
		   "its group has none of the newer figures");
		html = page(&f, "");
		ok(strstr(html, "own AUC") == NULL, "the page keeps the older table");
		free(html);
		figures_done(&f);
	}

	/* null at the top level */
	if (figs_with_summary(path, "{\"overall\":{\"auc\":0.75,\"ci\":[0.6,0.9]},"
			      "\"model\":null,\"match\":null,\"control\":null,\"groups\":["
			      "{\"value\":\"g\",\"auc\":0.8,\"ci\":[0.5,1],\"own\":{\"auc\":null},"
			      "\"matched\":null}]}", &f) == 0) {
		const struct fig_detect *d = &f.detect;
		ok(d->extended && !d->model && !d->match && !d->control.has && !d->problem,
		   "null model, match and control: newer, without them, no problem");
		ok(d->ngroups == 1 && !d->groups[0].own.has, "an own AUC of null is not there");
		figures_done(&f);
	}

	/* malformed values: left out, the rest kept, and said */
	if (figs_with_summary(path, "{\"overall\":{\"auc\":0.75,\"ci\":[0.6,0.9]},"
			      "\"model\":7,\"control\":[0.5],\"groups\":[{\"value\":\"g\","
			      "\"auc\":0.8,\"ci\":[0.5,1],\"own\":\"high\",\"pooled\":{\"auc\":"
			      "\"x\"},\"matched\":{\"auc\":0.7,\"ci\":[0.6]},\"tpr\":[{\"fpr\":"
			      "\"one\",\"tpr\":0.5},7,{\"fpr\":0.01,\"tpr\":0.4}],\"length_bins\":"
			      "{\"min_bytes\":0},\"uncovered\":\"yes\"}]}", &f) == 0) {
		const struct fig_detect *d = &f.detect;
		const struct fig_dgroup *g = d->ngroups ? &d->groups[0] : NULL;
		ok(d->problem && strstr(d->problem, "could not be read"),
		   "malformed values: the summary is said to be partly unreadable (%s)",
		   d->problem ? d->problem : "");
		ok(!d->model && !d->control.has, "a model that is not a string and a control "
		   "that is not an object are left out");
		ok(g && !g->own.has && !g->pooled.has, "so are an own AUC that is a string and "
		   "a pooled one without a number");
		ok(g && g->matched.has && near(g->matched.auc, 0.7) && near(g->matched.lo, 0.7) &&
		   near(g->matched.hi, 0.7), "an AUC with half an interval keeps the estimate");
		ok(g && g->ntpr == 1 && fig_dgroup_tpr(g, 0.01) && !g->tpr[0].has_ci &&
		   !g->tpr[0].model, "of three ROC points the one that reads is kept");
		ok(g && g->nlenbin == 0 && !g->has_uncovered, "length bins that are not a list "
		   "and an uncovered that is not an object are left out");
		ok(g && g->has_auc && near(g->auc, 0.8), "the group's AUC stays");
		html = page(&f, "");
		ok(strstr(html, "</html>") != NULL, "the page is whole");
		free(html);
		figures_done(&f);
	}
}

/* Two reviewers answer every pair of the mixed store in pairs mode: one
 * always right, the other always saying "left". */
static void test_review(void)
{
	static const char *const who[2] = { "ann", "bob" };
	struct store *s = NULL;
	struct pv_err e;
	struct figures f;
	int r;
	char *html;

	if (store_open(&s, mixed, STORE_WRITE, &e)) {
		ok(0, "open the mixed store: %s", e.msg);
		return;
	}
	for (r = 0; r < 2; r++) {
		struct review_plan p;
		size_t i;
		if (review_plan_make(s, "", NULL, REVIEW_PAIRS, who[r], 7, &p, &e)) {
			ok(0, "plan a review: %s", e.msg);
			continue;
		}
		for (i = 0; i < p.n; i++) {
			struct review_recorded rec;
			const char *ans = "left";
			if (r == 0) {
				/* the synthetic one */
				struct doc_row d;
				memset(&d, 0, sizeof d);
				if (store_doc_get(s, p.items[i].left, &d, &e) == 0)
					ans = d.origin && !strcmp(d.origin, "synthetic") ? "left" : "right";
				doc_row_done(&d);
			}
			review_record(s, &p, i, ans, 1000, &rec, &e);
		}
		review_plan_done(&p);
	}
	store_close(s);
	if (figs(mixed, "", 0, &f) == 0) {
		ok(f.have_review && f.review.answers >= 2, "the review answers are read (%lld)",
		   (long long)f.review.answers);
		ok(f.review.ngroups >= 1 && f.review.groups[0].answered > 0, "with a group");
		ok(f.review.ncohen == 1, "and the agreement of the two reviewers");
		html = page(&f, "");
		ok(strstr(html, "data-figure=\"review\"") != NULL, "the page draws their intervals");
		ok(strstr(html, "Cohen's kappa") != NULL || strstr(html, "kappa undefined"),
		   "and the kappa");
		free(html);
		figures_done(&f);
	}
}

/* ---- the view, headless ---- */

static char row_buf[4096];

static const char *row(struct app *a, int y)
{
	struct buf b = BUF_INIT;

	grid_row_text(&a->grid, y, &b);
	snprintf(row_buf, sizeof row_buf, "%s", buf_str(&b));
	buf_done(&b);
	return row_buf;
}

/* The first row (from 1) showing text, or -1. */
static int find_row(struct app *a, const char *text)
{
	int y;

	for (y = 0; y < a->grid.h; y++)
		if (strstr(row(a, y), text))
			return y;
	return -1;
}

/* The role of the first cell on row y holding ch, or -1. */
static int role_of(struct app *a, int y, const char *ch)
{
	int x;

	for (x = 0; x < a->grid.w; x++) {
		const struct cell *c = grid_at(&a->grid, y, x);
		if (c && !strcmp(c->ch, ch))
			return c->role;
	}
	return -1;
}

/* Scrolls down (j) until text shows; its row, or -1. */
static int scroll_to(struct app *a, const char *text)
{
	int i, y;

	app_key(a, 'g');
	app_draw(a);
	for (i = 0; i < 400; i++) {
		if ((y = find_row(a, text)) > 0 && y < a->grid.h - 1)
			return y;
		app_key(a, 'j');
		app_draw(a);
	}
	return -1;
}

/* Row y without the spaces at its end. */
static const char *trimmed(struct app *a, int y)
{
	size_t n;

	row(a, y);
	n = strlen(row_buf);
	while (n > 0 && row_buf[n - 1] == ' ')
		row_buf[--n] = 0;
	return row_buf;
}

/* Scrolls until text shows on the first rows of the view (as near the
 * top as the end of the text allows); its row, or -1. */
static int scroll_top(struct app *a, const char *text)
{
	int y = scroll_to(a, text), was = -1;

	while (y > 1 && y != was) {
		was = y;
		app_key(a, 'j');
		app_draw(a);
		y = find_row(a, text);
	}
	return y;
}

static bool saw_progress;
static int hook_calls;

static int cancel_hook(struct app *a)
{
	hook_calls++;
	if (find_row(a, "computing statistics") > 0)
		saw_progress = true;
	return 27;
}

static void test_view(void)
{
	struct app app, *a = &app;
	int y, y2, rc;

	rc = app_open(a, mixed, NULL, NULL, NULL, 100, 30);
	is_int(rc, 0, "the application opens headless");
	if (rc) {
		app_close(a);
		return;
	}
	app_wait_count(a, 5000);
	app_key(a, 'S');
	app_draw(a);
	is_str(a->ops[a->nviews - 1]->name, "statistics", "S opens the statistics view");
	ok(strstr(row(a, 0), "statistics") != NULL, "its title (%s)", row(a, 0));
	is_int(grid_at(&a->grid, 0, 2)->role, R_HEADER, "in the header role");
	ok(find_row(a, "7 documents: 4 real, 2 synthetic, 1 unknown") > 0, "the totals");
	y = find_row(a, "by origin");
	ok(y > 0, "counts by origin");
	y2 = find_row(a, "  real ");
	ok(y2 > y && strstr(row(a, y2), "4") != NULL, "real first, with 4 (%s)", row(a, y2));
	is_int(role_of(a, y2, "\xe2\x96\x88"), R_BADGE_REAL, "its bar in the real badge's role");
	y2 = find_row(a, "  synthetic ");
	is_int(role_of(a, y2, "\xe2\x96\x88"), R_BADGE_SYNTHETIC,
	       "the synthetic bar in the synthetic badge's role");
	ok(strstr(row(a, a->grid.h - 1), "q: back") != NULL, "the status line says q goes back");
	y = scroll_to(a, "<script>alert('x')</scr\xe2\x80\xa6 ");
	ok(y > 0, "a source longer than its column is cut with an ellipsis (%s)",
	   y > 0 ? row(a, y) : "not found");
	ok(y > 0 && strstr(row(a, y), "</script>") == NULL, "not silently");

	y = scroll_to(a, "bytes, log scale");
	ok(y > 0, "the length histogram (after scrolling)");
	y = scroll_to(a, "synthetic 2");
	ok(y > 0 && role_of(a, y, "\xe2\x96\x88") == R_BADGE_REAL &&
	   role_of(a, y, "\xe2\x96\x92") == R_BADGE_SYNTHETIC,
	   "its legend: real in its role, synthetic in its own and another character");
	ok(role_of(a, y + 1, "\xe2\x96\x88") == R_BADGE_REAL, "a real bar under the legend");
	{
		int k, synth_rows = 0;
		for (k = y + 1; k < a->grid.h - 1; k++)
			if (role_of(a, k, "\xe2\x96\x92") == R_BADGE_SYNTHETIC)
				synth_rows++;
		ok(synth_rows > 0, "and synthetic bars (%d rows)", synth_rows);
	}
	ok(find_row(a, "real 3, median 45 bytes") == y && find_row(a, "synthetic 2, median "
	   "88.5 bytes") == y, "the legend gives each series' median length, exact (%s)",
	   row(a, y));
	ok(scroll_to(a, "1 empty left out") > 0, "the empty document is said to be left out");
	ok(scroll_to(a, "all 5 documents") > 0, "the ratio histogram says what it covers");
	app_key(a, 'G');
	app_draw(a);
	ok(strstr(row(a, a->grid.h - 1), "/") != NULL, "G goes to the end (%s)",
	   row(a, a->grid.h - 1));
	{
		char end[128];
		snprintf(end, sizeof end, "%s", row(a, a->grid.h - 1));
		app_key(a, 'j');
		app_draw(a);
		is_str(row(a, a->grid.h - 1), end, "j at the end stays");
		app_key(a, KEY_PPAGE);
		app_draw(a);
		ok(strcmp(row(a, a->grid.h - 1), end) != 0, "PgUp scrolls back");
		app_key(a, KEY_NPAGE);
		app_draw(a);
	}

	/* small and large screens */
	grid_resize(&a->grid, 40, 10);
	app_key(a, 'g');
	app_draw(a);
	ok(strstr(row(a, 0), "statistics") != NULL, "at 40x10 the title is drawn");
	ok(find_row(a, "7 documents") > 0, "and the totals, wrapped");
	ok(strstr(row(a, 9), "q: back") || strstr(row(a, 9), "/"), "and the status (%s)", row(a, 9));
	ok(scroll_to(a, "\xe2\x96\x92 synthetic 2, median 88.5 bytes") > 0, "at 40 columns the "
	   "legend wraps with each key next to its words");
	ok(scroll_to(a, "AUC 0.750") > 0, "the detector's AUC scrolls into view at 40 columns");
	grid_resize(&a->grid, 200, 50);
	app_draw(a);
	ok(find_row(a, "AUC 0.750") > 0, "at 200x50 too");
	ok(scroll_to(a, "tapestry 3.5") > 0, "the words of the latest run");
	ok(scroll_to(a, LONG_TERM " -1.5") > 0, "a 120-character word whole, with its z, when "
	   "the screen has room");
	grid_resize(&a->grid, 100, 30);
	y = scroll_to(a, "longwordlongwordlongword");
	ok(y > 0 && strstr(row(a, y), "\xe2\x80\xa6") && strstr(row(a, y), " -1.5") == NULL,
	   "cut with an ellipsis where it has not (%s)", y > 0 ? row(a, y) : "not found");
	grid_resize(&a->grid, 200, 50);
	ok(scroll_to(a, "3 real documents read as synthetic: origin:real score:>0.9") > 0,
	   "and the review queue it suggests");
	ok(scroll_to(a, "% [") > 0 && scroll_to(a, "gpt-x") > 0, "the blind review's accuracy "
	   "with its interval");
	ok(scroll_to(a, "ann and bob agree, Cohen's kappa") > 0, "and the reviewers' agreement");
	app_key(a, 'q');
	app_draw(a);
	is_str(a->ops[a->nviews - 1]->name, "list", "q goes back to the list");

	/* a filter with no synthetic documents */
	grid_resize(&a->grid, 100, 30);
	app_set_filter(a, "origin:real");
	app_key(a, 'S');
	ok(scroll_to(a, "no synthetic documents") > 0, "origin:real: the view says there are no "
	   "synthetic documents");
	ok(find_row(a, "4 documents: 4 real, 0 synthetic") > 0 || scroll_to(a, "4 documents") > 0,
	   "and counts the real ones");
	app_key(a, 27);
	is_str(a->ops[a->nviews - 1]->name, "list", "Esc goes back too");

	/* cancelling */
	stats_key_hook = cancel_hook;
	app_key(a, 'S');
	stats_key_hook = NULL;
	ok(hook_calls > 0, "the computation looks for a key between steps");
	ok(saw_progress, "with its progress on the screen");
	is_str(a->ops[a->nviews - 1]->name, "list", "Esc cancels it, back to the list");
	ok(strstr(a->status, "cancelled") != NULL, "saying so (%s)", a->status);
	app_close(a);
}

static void test_view_no_run(void)
{
	struct app app, *a = &app;
	static const struct spec one[] = {
		{ "only real", "real", NULL, NULL, 1 },
	};
	char path[256];

	if (mkstore("norun.pvx", one, 1, path, sizeof path) ||
	    app_open(a, path, NULL, NULL, NULL, 80, 24)) {
		ok(0, "open a store without detect runs");
		app_close(a);
		return;
	}
	app_key(a, 'S');
	ok(scroll_to(a, "run provex detect") > 0, "no detect run: the view says to run provex "
	   "detect");
	ok(scroll_to(a, "run provex review") > 0, "no answers: provex review");
	ok(scroll_to(a, "no synthetic documents") > 0, "only real documents: said");
	app_close(a);
}

/* The newer figures in the view: at 80x24 a group's four figures take
 * two rows (the number of its synthetic documents under its name), at
 * 140 columns one, at 40 the name goes on a row of its own and the
 * figures one a row under it; the legend, the control and the warning
 * about field values never covered. */
static void test_view_new_keys(void)
{
	struct app app, *a = &app;
	char path[256];
	int y;

	snprintf(path, sizeof path, "%s/newkeys.pvx", dir);
	set_summary(path, NEW_SUMMARY);
	if (app_open(a, path, NULL, NULL, NULL, 80, 24)) {
		ok(0, "open the store with a newer detect run");
		app_close(a);
		return;
	}
	app_key(a, 'S');
	app_draw(a);
	ok(scroll_top(a, "model: logistic regression, by generator, --match source") > 0,
	   "the run's model and --match field under its head");
	y = scroll_top(a, "own: a model of the group alone; pooled: one model for all");
	ok(y > 0, "a legend explains the abbreviations");
	ok(y > 0 && find_row(a, "of the same source; TPR@1%: synthetic documents caught") > y,
	   "naming the field matched on (%s)", y > 0 ? row(a, y + 1) : "");
	ok(y > 0 && grid_at(&a->grid, y, 1)->role == R_DIM, "in the dim role");
	y = scroll_top(a, "own 0.912 [0.880-0.940]");
	ok(y > 0 && !strcmp(trimmed(a, y), "  gpt-x          own 0.912 [0.880-0.940]      "
			    "pooled 0.870 [0.830-0.910]"), "at 80 columns: the group, its own and pooled "
	   "AUCs on one row (%s)", y > 0 ? row(a, y) : "not found");
	ok(y > 0 && !strcmp(trimmed(a, y + 1), "  120 synthetic  matched 0.701 [0.650-0.750]  "
			    "TPR@1% 62.0% [58.0-66.0]"), "its matched AUC and TPR at 1%% FPR on the "
	   "next, its synthetic documents under its name (%s)", y > 0 ? row(a, y + 1) : "");
	ok(y > 0 && grid_at(&a->grid, y, 2)->role == R_LIST &&
	   grid_at(&a->grid, y + 1, 2)->role == R_DIM, "the name in the list role, the count dim");
	ok(y > 0 && !strncmp(trimmed(a, y + 2), "  <b>llama</b>   own \xe2\x80\x94", 23),
	   "a group without them: a dash for each (%s)", y > 0 ? row(a, y + 2) : "");
	ok(y > 0 && role_of(a, y + 2, "\xe2\x80\x94") == R_DIM, "in the dim role");
	ok(y > 0 && strstr(row(a, y + 2), "pooled 0.600 [0.550-0.650]"), "its pooled AUC from "
	   "the group's AUC");
	ok(y > 0 && strstr(row(a, y + 3), "TPR@1% \xe2\x80\x94"), "no TPR: a dash");
	y = scroll_top(a, "control, labels shuffled: AUC 0.503 [0.470-0.530]: about 0.5");
	ok(y > 0, "the shuffled-label control, about 0.5");
	ok(y > 0 && grid_at(&a->grid, y, 2)->role == R_LIST, "not a warning");
	y = scroll_top(a, "real documents in source values a group never covers, where");
	ok(y > 0, "a warning for the field values a group never covers");
	ok(y > 0 && grid_at(&a->grid, y, 2)->role == R_ERROR, "in the error role");
	ok(y > 0 && find_row(a, "gpt-x (1,200 in 3 values)") >= y, "naming the group, its real "
	   "documents and the values");
	{
		/* the paragraph's rows joined again, however it wraps */
		char para[1024] = "";
		int k;
		for (k = y; y > 0 && k < a->grid.h - 1 && k < y + 4; k++) {
			const char *t = trimmed(a, k);
			while (*t == ' ')
				t++;
			snprintf(para + strlen(para), sizeof para - strlen(para), "%s ", t);
		}
		ok(strstr(para, "the matched AUCs (--match source) leave them out") != NULL,
		   "and --match source (%s)", para);
	}
	for (y = 1; y < a->grid.h - 1; y++)
		if (strstr(row(a, y), "\xe2\x80\xa6"))
			break;
	is_int(y, a->grid.h - 1, "nothing of the detector is cut at 80 columns");

	grid_resize(&a->grid, 140, 30);
	y = scroll_top(a, "own 0.912");
	ok(y > 0 && strstr(row(a, y), "pooled 0.870") && !strstr(row(a, y), "matched") &&
	   strstr(row(a, y + 1), "120 synthetic  matched 0.701"), "at 140 columns, without "
	   "room for the count after four figures: two rows of two (%s)", y > 0 ? row(a, y) : "");
	grid_resize(&a->grid, 160, 30);
	y = scroll_top(a, "own 0.912");
	ok(y > 0 && strstr(row(a, y), "gpt-x") && strstr(row(a, y), "TPR@1% 62.0% [58.0-66.0]") &&
	   strstr(row(a, y), "120 synthetic") && strstr(row(a, y + 1), "<b>llama</b>"),
	   "at 160 columns one row a group (%s)", y > 0 ? row(a, y) : "");
	grid_resize(&a->grid, 40, 12);
	y = scroll_top(a, "  gpt-x  120 synthetic");
	ok(y > 0 && !strcmp(trimmed(a, y + 1), "    own 0.912 [0.880-0.940]") &&
	   !strcmp(trimmed(a, y + 4), "    TPR@1% 62.0% [58.0-66.0]"), "at 40 columns the name "
	   "on a row of its own, a figure a row under it (%s)", y > 0 ? row(a, y + 1) : "");
	grid_resize(&a->grid, 24, 12);
	y = scroll_top(a, "own 0.912");
	ok(y > 0 && strstr(row(a, y), "\xe2\x80\xa6"), "at 24 columns a figure is cut with an "
	   "ellipsis (%s)", y > 0 ? row(a, y) : "");
	app_close(a);

	/* a control far from 0.5 is a warning */
	set_summary(path, "{\"control\":{\"auc\":0.7,\"ci\":[0.65,0.75]},\"groups\":[{\"value\":"
		    "\"g\",\"auc\":0.9,\"ci\":[0.8,1],\"own\":null}]}");
	if (app_open(a, path, NULL, NULL, NULL, 80, 24) == 0) {
		app_key(a, 'S');
		y = scroll_top(a, "control, labels shuffled: AUC 0.700 [0.650-0.750]: above 0.5");
		ok(y > 0 && grid_at(&a->grid, y, 2)->role == R_ERROR &&
		   find_row(a, "the AUCs above may be inflated") >= y, "a control above 0.5 "
		   "is shown as a warning: the AUCs may be inflated");
	} else {
		ok(0, "open the store again");
	}
	app_close(a);
	set_summary(path, "{\"control\":{\"auc\":0.426,\"ci\":[0.374,0.478]},\"groups\":[]}");
	if (app_open(a, path, NULL, NULL, NULL, 80, 24) == 0) {
		app_key(a, 'S');
		y = scroll_top(a, "control, labels shuffled: AUC 0.426 [0.374-0.478]: below 0.5");
		ok(y > 0 && grid_at(&a->grid, y, 2)->role == R_ERROR &&
		   find_row(a, "the intervals above may be too narrow") >= y, "one below 0.5 too: "
		   "the intervals may be too narrow");
	} else {
		ok(0, "open the store again");
	}
	app_close(a);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	setenv("XDG_CONFIG_HOME", "/nonexistent-provex-config", 1);
	unsetenv("PROVEX_STATS_SAMPLE");
	test_len_bins();
	test_linear();
	test_medians();
	test_sampler();
	test_escape();
	if (!mkdtemp(dir)) {
		printf("# cannot make a temporary folder\n");
		return tap_done();
	}
	test_mixed();
	test_edge_stores();
	test_detect_summary();
	test_detect_new_keys();
	test_review();
	test_view();
	test_view_no_run();
	test_view_new_keys();
	{
		char cmd[512];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
