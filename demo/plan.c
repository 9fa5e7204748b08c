/*
 * plan.c - the demo corpus's provenance plan: which synthetic documents
 * are made, from which seed document, by which generator, and after which
 * real document each is written (demo_plan_jobs); demo_run_job() runs one
 * and names its generator and purpose.
 */
#include "demo_int.h"

#include <stdlib.h>

static int job_cmp(const void *x, const void *y)
{
	const struct job *a = x, *b = y;

	if (a->slot != b->slot)
		return a->slot < b->slot ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int size_cmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return a < b ? -1 : a > b;
}

/* Makes the list of synthetic documents for nreal real ones.  Returns the
 * jobs (free() them) sorted by slot, and their count in *njobs. */
struct job *demo_plan_jobs(const struct demo_opts *o, size_t nreal,
			   uint64_t *rng, size_t *njobs)
{
	size_t nseeds = 0, i, j, k, n = 0, cap, sets, *idx, t;
	struct job *jobs;
	double r;

	if (o->seed_every)
		nseeds = (nreal + o->seed_every - 1) / o->seed_every;
	nseeds = PV_MIN(nseeds, nreal);
	idx = pv_malloc((nreal + 1) * sizeof *idx);
	for (i = 0; i < nreal; i++)
		idx[i] = i;
	for (i = 0; i < nseeds; i++) {          /* partial Fisher-Yates */
		k = i + rng_below(rng, nreal - i);
		t = idx[i];
		idx[i] = idx[k];
		idx[k] = t;
	}
	qsort(idx, nseeds, sizeof *idx, size_cmp);
	sets = (nreal + nseeds * o->synth_per_real + DEMO_HARD_EVERY / 2) /
	       DEMO_HARD_EVERY;
	sets = PV_MAX(sets, (size_t)1);
	cap = nseeds * o->synth_per_real + 3 * sets;
	jobs = pv_malloc((cap + 1) * sizeof *jobs);
	for (i = 0; i < nseeds; i++) {
		for (j = 0; j < o->synth_per_real; j++) {
			r = rng_unit(rng);
			jobs[n].kind = r < 0.08 ? G_EDIT : r < 0.30 ? G_TEMPLATE :
				       r < 0.55 ? G_MARKOV1 : G_MARKOV2;
			jobs[n].seed = idx[i];
			n++;
		}
	}
	for (i = 0; i < sets; i++) {
		for (j = 0; j < 3; j++) {
			jobs[n].kind = j == 0 ? G_ANSI : j == 1 ? G_CJK : G_LONGLINE;
			jobs[n].seed = rng_below(rng, nreal);
			n++;
		}
	}
	for (i = 0; i < n; i++) {
		t = jobs[i].seed + rng_below(rng, DEMO_SLOT_SPREAD);
		jobs[i].slot = PV_MIN(nreal - 1, t);
		jobs[i].order = i;
		jobs[i].rng = pv_rand64(rng);
	}
	qsort(jobs, n, sizeof *jobs, job_cmp);
	free(idx);
	*njobs = n;
	return jobs;
}

/* Runs job j into out; sets *generator and *purpose. */
void demo_run_job(struct model *m, const struct corpus *c,
		  const struct job *j, struct buf *out,
		  const char **generator, const char **purpose)
{
	const struct doc *seed = &c->v[j->seed];
	uint64_t rng = j->rng;
	size_t target;

	target = (size_t)((double)seed->len * (0.4 + 0.7 * rng_unit(&rng)));
	target = PV_MAX(target, (size_t)250);
	target = PV_MIN(target, (size_t)6000);
	buf_reset(out);
	switch (j->kind) {
	case G_MARKOV2:
		demo_gen_markov(m, seed, 2, target, false, &rng, out);
		*generator = "markov2";
		*purpose = "continuation";
		break;
	case G_MARKOV1:
		demo_gen_markov(m, seed, 1, target, false, &rng, out);
		*generator = "markov1";
		*purpose = "paraphrase";
		break;
	case G_TEMPLATE:
		demo_gen_template(m, seed, &rng, out);
		*generator = "template";
		*purpose = "summary-style";
		break;
	case G_EDIT:
		demo_gen_edit(m, seed, &rng, out);
		*generator = "edit";
		*purpose = "paraphrase";
		break;
	case G_ANSI:
		demo_gen_ansi(m, seed, &rng, out);
		*generator = "template";
		*purpose = "stress-test";
		break;
	case G_CJK:
		demo_gen_cjk(m, seed, &rng, out);
		*generator = "template";
		*purpose = "stress-test";
		break;
	case G_LONGLINE:
		demo_gen_markov(m, seed, 2, DEMO_LONG_LINE, true, &rng, out);
		*generator = "markov2";
		*purpose = "stress-test";
		break;
	}
}
