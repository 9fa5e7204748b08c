/*
 * test_export.c - the arithmetic of provex export: ranks, samples, even
 * repeats, mixture plans (largest-remainder rounding, caps, errors), all
 * deterministic given the seed.  No store is needed.
 */
#include "config.h"
#include "../tap.h"
#include "../../store/export.h"

#include <math.h>
#include <stdlib.h>

#define N 1000

static int64_t sum(const uint32_t *r, size_t n)
{
	int64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += r[i];
	return s;
}

static void test_rank(void)
{
	ok(export_rank(0, 1) == export_rank(0, 1), "rank: deterministic");
	ok(export_rank(0, 1) != export_rank(1, 1), "rank: depends on the seed");
	ok(export_rank(0, 1) != export_rank(0, 2), "rank: depends on the id");
}

static void test_sample(void)
{
	int64_t ids[N];
	uint32_t a[N], b[N], c[N];
	size_t i, same = 0;
	bool binary = true;

	for (i = 0; i < N; i++)
		ids[i] = (int64_t)(i * 3 + 1);
	export_repeats(ids, N, 7, 100, a);
	export_repeats(ids, N, 7, 100, b);
	export_repeats(ids, N, 8, 100, c);
	is_int(sum(a, N), 100, "sample: exactly N documents");
	for (i = 0; i < N; i++) {
		if (a[i] > 1)
			binary = false;
		same += a[i] && c[i];
	}
	ok(binary, "sample: each document at most once");
	ok(memcmp(a, b, sizeof a) == 0, "sample: same seed, same documents");
	ok(same < 50, "sample: another seed, other documents (%zu shared)", same);
	export_repeats(ids, N, 7, 0, a);
	is_int(sum(a, N), 0, "sample of 0: nothing");
	export_repeats(ids, N, 7, N, a);
	for (i = 0; i < N && a[i] == 1; i++)
		;
	is_int(i, N, "sample of everything: each once");
	/* a sample of 10 is the first 10 of a sample of 100 (smallest ranks) */
	export_repeats(ids, N, 7, 100, a);
	export_repeats(ids, N, 7, 10, b);
	for (i = 0, same = 0; i < N; i++)
		same += b[i] && !a[i];
	is_int(same, 0, "samples nest: a smaller one is inside a larger one");
	export_repeats(ids, 0, 7, 10, a);
	ok(1, "no documents: nothing to do");
}

static void test_repeats(void)
{
	int64_t ids[7] = { 2, 3, 5, 7, 11, 13, 17 };
	uint32_t r[7], r2[7];
	size_t i, hi = 0;
	bool even = true;

	export_repeats(ids, 7, 0, 30, r);
	is_int(sum(r, 7), 30, "repeats: add up to the records asked for");
	for (i = 0; i < 7; i++) {
		if (r[i] != 4 && r[i] != 5)
			even = false;
		hi += r[i] == 5;
	}
	ok(even, "repeats: each document 30/7 = 4 or 5 times");
	is_int(hi, 2, "repeats: 30 %% 7 = 2 documents get one more");
	export_repeats(ids, 7, 0, 30, r2);
	ok(memcmp(r, r2, sizeof r) == 0, "repeats: deterministic");
	export_repeats(ids, 7, 0, 14, r);
	for (i = 0; i < 7 && r[i] == 2; i++)
		;
	is_int(i, 7, "repeats: an exact multiple repeats every document equally");
}

static void test_mix(void)
{
	struct export_group g[3];
	struct pv_err e;
	int64_t total;

	memset(g, 0, sizeof g);
	g[0].value = "real"; g[0].share = 0.7; g[0].available = 10;
	g[1].value = "synthetic"; g[1].share = 0.3; g[1].available = 1000;
	is_int(export_mix_plan(g, 2, 100, 0, &e), 0, "mix: plan");
	is_int(g[0].target, 70, "mix: 70%% of 100");
	is_int(g[1].target, 30, "mix: 30%% of 100");
	is_int(g[0].written, 70, "mix: a small group is upsampled to its share");
	ok(fabs((double)g[0].written / (double)g[0].available - 7.0) < 1e-9,
	   "mix: repeat factor 7");

	/* largest remainder: thirds of 100 */
	memset(g, 0, sizeof g);
	g[0].value = "a"; g[0].share = 1.0 / 3; g[0].available = 100;
	g[1].value = "b"; g[1].share = 1.0 / 3; g[1].available = 100;
	g[2].value = "c"; g[2].share = 1.0 / 3; g[2].available = 100;
	is_int(export_mix_plan(g, 3, 100, 0, &e), 0, "mix: thirds");
	total = g[0].target + g[1].target + g[2].target;
	is_int(total, 100, "mix: targets add up to the total");
	ok(g[0].target == 34 && g[1].target == 33 && g[2].target == 33,
	   "mix: the remainder goes to the earlier group on ties (34 33 33)");

	/* every target within one of share * total, over many totals */
	{
		int64_t t;
		bool within = true, exact = true;
		for (t = 1; t <= 2000; t++) {
			memset(g, 0, sizeof g);
			g[0].value = "a"; g[0].share = 0.15; g[0].available = 5;
			g[1].value = "b"; g[1].share = 0.35; g[1].available = 5;
			g[2].value = "c"; g[2].share = 0.5; g[2].available = 5;
			if (export_mix_plan(g, 3, t, 0, &e)) {
				within = false;
				break;
			}
			if (g[0].target + g[1].target + g[2].target != t)
				exact = false;
			if (fabs((double)g[0].target - 0.15 * (double)t) >= 1 ||
			    fabs((double)g[1].target - 0.35 * (double)t) >= 1 ||
			    fabs((double)g[2].target - 0.5 * (double)t) >= 1)
				within = false;
		}
		ok(exact, "mix: totals 1..2000 add up exactly");
		ok(within, "mix: each group within one record of its share");
	}

	/* caps */
	memset(g, 0, sizeof g);
	g[0].value = "real"; g[0].share = 0.5; g[0].available = 10;
	g[1].value = "synthetic"; g[1].share = 0.5; g[1].available = 1000;
	is_int(export_mix_plan(g, 2, 100, 3, &e), 0, "mix: with --max-repeat 3");
	is_int(g[0].target, 50, "cap: asked 50");
	is_int(g[0].written, 30, "cap: written 3 x 10");
	is_int(g[0].shortfall, 20, "cap: 20 short");
	is_int(g[1].written, 50, "cap: a large group is not touched");

	/* errors */
	memset(g, 0, sizeof g);
	g[0].value = "real"; g[0].share = 0.5; g[0].available = 10;
	g[1].value = "synthetic"; g[1].share = 0.4; g[1].available = 10;
	is_int(export_mix_plan(g, 2, 100, 0, &e), PV_EUSAGE, "error: shares add up to 0.9");
	ok(strstr(e.msg, "add up") != NULL, "error says the shares do not add up");
	g[1].share = 0.5;
	is_int(export_mix_plan(g, 2, 0, 0, &e), PV_EUSAGE, "error: zero total");
	is_int(export_mix_plan(g, 2, -5, 0, &e), PV_EUSAGE, "error: negative total");
	g[1].available = 0;
	is_int(export_mix_plan(g, 2, 100, 0, &e), PV_EUSAGE, "error: a group without documents");
	ok(strstr(e.msg, "synthetic") != NULL, "error names the empty group");
	g[1].available = 10;
	g[1].share = -0.5;
	g[0].share = 1.5;
	is_int(export_mix_plan(g, 2, 100, 0, &e), PV_EUSAGE, "error: a share outside (0, 1]");
	is_int(export_mix_plan(g, 0, 100, 0, &e), PV_EUSAGE, "error: no groups");
	g[0].share = 0.3333333;
	g[1].share = 0.6666667;
	is_int(export_mix_plan(g, 2, 3, 0, &e), 0, "shares within 1e-6 of 1 are accepted");
	is_int(g[0].target + g[1].target, 3, "... and still add up to the total");
}

static void test_mix_columns(void)
{
	ok(export_mix_column("origin") && export_mix_column("label"),
	   "mix fields: origin, label");
	ok(export_mix_column("colour") == NULL, "mix fields: unknown field refused");
}

int main(void)
{
	test_rank();
	test_sample();
	test_repeats();
	test_mix();
	test_mix_columns();
	return tap_done();
}
