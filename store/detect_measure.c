/*
 * detect_measure.c - the figures of provex detect's report, from the
 * out-of-fold scores: Platt calibration, the AUC with its DeLong interval
 * (overall and per group), the true-positive rate at each false-positive
 * rate with its bootstrap interval and threshold, the AUC within length
 * bins, the shuffled-label control, and the values a group never covers.
 * The statistics themselves are classify.c's; this file gathers the
 * scores they take.  Part of detect.c's run (detect_int.h).
 */
#include "detect_int.h"
#include "../common/mix.h"

#include <math.h>
#include <stdlib.h>

/* ---- the report ---- */

/* Platt's a and b over the out-of-fold scores of every real and
 * synthetic text: the pooled model's (j < 0), or the own model's of the
 * batch's group j (its s_own, its documents gsyn). */
void dt_platt_of(const struct run *r, int j, double *a, double *b)
{
	double *s = pv_malloc((2 * r->ntexts + 1) * sizeof *s);
	double *w = pv_malloc((2 * r->ntexts + 1) * sizeof *w);
	unsigned char *y = pv_malloc(2 * r->ntexts + 1);
	size_t i, n = 0;

	for (i = 0; i < r->ntexts; i++) {
		const struct dtext *t = &r->texts[i];
		const struct gtext *gt = j >= 0 ? dt_gt_of(r, t, (unsigned)j) : NULL;
		double score = gt ? gt->s_own : t->s, synth = gt ? gt->gsyn : t->synth;
		if (t->real > 0) {
			s[n] = score;
			y[n] = 0;
			w[n++] = t->real;
		}
		if (synth > 0) {
			s[n] = score;
			y[n] = 1;
			w[n++] = synth;
		}
	}
	detect_platt(s, y, w, n, a, b);
	free(s);
	free(w);
	free(y);
}

void dt_calibrate(struct run *r, struct detect_report *rep)
{
	dt_platt_of(r, -1, &rep->platt_a, &rep->platt_b);
}

double dt_prob(const struct detect_report *rep, double s)
{
	return detect_sigmoid(rep->platt_a * s + rep->platt_b);
}

void dt_measure(struct run *r, struct detect_report *rep)
{
	double *neg = pv_malloc((size_t)rep->real * sizeof *neg);
	double *pos = pv_malloc(((size_t)rep->synthetic + 1) * sizeof *pos);
	size_t *at = pv_calloc(r->ngs + 1, sizeof *at), *fill = pv_calloc(r->ngs + 1, sizeof *fill);
	size_t i, nneg = 0, g;

	/* positives grouped: group g's scores at pos[at[g] ..] */
	for (g = 0; g < r->ngs; g++)
		at[g + 1] = at[g] + (size_t)r->gs[g].docs;
	for (i = 0; i < r->nrows; i++) {
		const struct drow *d = &r->rows[i];
		double p = dt_prob(rep, d->s);
		if (d->synth) {
			pos[at[d->group] + fill[d->group]++] = d->s;
			rep->low_synthetic += p < DETECT_LOW;
		} else {
			neg[nneg++] = d->s;
			rep->high_real += p > DETECT_HIGH;
		}
	}
	detect_auc(pos, (size_t)rep->synthetic, neg, nneg, &rep->overall);
	dt_tpr_and_bins(r, rep, NONE_GROUP, -1, rep->platt_a, rep->platt_b, rep->tpr, rep->bins);
	for (g = 0; g < r->ngs; g++) {
		struct detect_group *dg = &rep->groups[g];
		dg->value = r->gs[g].value ? pv_strdup(r->gs[g].value) : NULL;
		dg->synthetic = r->gs[g].docs;
		detect_auc(pos + at[g], (size_t)dg->synthetic, neg, nneg, &dg->auc);
		/* the pooled model's thresholds until an own model replaces them */
		dg->tpr_model = "pooled";
		dt_tpr_and_bins(r, rep, (uint32_t)g, -1, rep->platt_a, rep->platt_b,
			     dg->tpr, dg->bins);
		if (r->o->top && (g < r->w.ng || (r->w.ng == 0 && g == 0)))
			dt_words_report(&r->w, g, r->o->top, dg);
	}
	free(pos);
	free(neg);
	free(at);
	free(fill);
}

/* The TPR at each of detect_fprs and the AUC within each length bin of
 * group g's synthetic documents (NONE_GROUP: every synthetic document)
 * against every real one, by the pooled model (gj < 0) or g's own (g is
 * the batch's group gj; its log-odds in the texts' s_own), each log-odds turned into
 * a probability by p = sigmoid(a s + b): thresholds are then in the units
 * of the stored scores (the pooled model's) or of the own model's
 * calibrated probability. */
void dt_tpr_and_bins(const struct run *r, const struct detect_report *rep, uint32_t g,
			 int gj, double a, double b, struct detect_tpr *tpr,
			 struct detect_bin *bins)
{
	size_t npos = 0, nneg = 0, i, j, k;
	double *pos = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *pos);
	double *neg = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *neg);
	size_t *bpos = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *bpos);
	size_t *bneg = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *bneg);
	double *bp, *bn;

	for (i = 0; i < r->ntexts; i++) {
		const struct dtext *t = &r->texts[i];
		double p = detect_sigmoid(a * (gj >= 0 ? dt_gt_of(r, t, (unsigned)gj)->s_own : t->s) + b);
		for (j = t->first; j < t->first + t->n; j++) {
			const struct drow *d = &r->rows[j];
			if (d->synth && (g == NONE_GROUP || d->group == g)) {
				bpos[npos] = dt_bin_of(r, d->len);
				pos[npos++] = p;
			} else if (!d->synth) {
				bneg[nneg] = dt_bin_of(r, d->len);
				neg[nneg++] = p;
			}
		}
	}
	for (k = 0; k < DETECT_FPRS; k++)
		detect_tpr_at(pos, npos, neg, nneg, detect_fprs[k], DETECT_BOOT,
			      pv_mix64(r->o->seed + k + 1), &tpr[k]);
	bp = pv_malloc((npos ? npos : 1) * sizeof *bp);
	bn = pv_malloc((nneg ? nneg : 1) * sizeof *bn);
	for (k = 0; k < DETECT_BINS; k++) {
		size_t np = 0, nn = 0;
		for (i = 0; i < npos; i++)
			if (bpos[i] == k)
				bp[np++] = pos[i];
		for (i = 0; i < nneg; i++)
			if (bneg[i] == k)
				bn[nn++] = neg[i];
		bins[k].min_bytes = rep->bins[k].min_bytes;
		bins[k].max_bytes = rep->bins[k].max_bytes;
		detect_auc(bp, np, bn, nn, &bins[k].auc);
	}
	free(bp);
	free(bn);
	free(pos);
	free(neg);
	free(bpos);
	free(bneg);
}

/* The control: the shuffled-label model's AUC (each text's documents
 * counted under its borrowed labels). */
void dt_control_auc(const struct run *r, struct detect_report *rep)
{
	double *pos = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *pos);
	double *neg = pv_malloc((r->nrows ? r->nrows : 1) * sizeof *neg);
	size_t np = 0, nn = 0, i;
	double c;

	for (i = 0; i < r->ntexts; i++) {
		const struct dtext *t = &r->texts[i];
		for (c = 0; c < t->csynth && np < r->nrows; c++)
			pos[np++] = t->s_ctl;
		for (c = 0; c < t->creal && nn < r->nrows; c++)
			neg[nn++] = t->s_ctl;
	}
	detect_auc(pos, np, neg, nn, &rep->control);
	free(pos);
	free(neg);
}

/* The uncovered real documents of each group: of the check field's values
 * its synthetic documents never have. */
void dt_uncovered(const struct run *r, struct detect_report *rep)
{
	int64_t *real = pv_calloc(r->nmv ? r->nmv : 1, sizeof *real);
	int64_t all = 0;
	size_t g, i, values = 0;

	/* the real documents of each value, once; then each group's covered
	 * values taken away: one walk of the rows, not one per group */
	for (i = 0; i < r->nrows; i++)
		if (!r->rows[i].synth)
			real[r->rows[i].mval]++;
	for (i = 0; i < r->nmv; i++) {
		all += real[i];
		values += real[i] > 0;
	}
	for (g = 0; g < rep->ngroups; g++) {
		struct detect_group *dg = &rep->groups[g];
		dg->uncovered_real = all;
		dg->uncovered_values = values;
		for (i = r->cstart[g]; i < r->cstart[g + 1]; i++) {
			dg->uncovered_real -= real[r->cover[i]];
			dg->uncovered_values -= real[r->cover[i]] > 0;
		}
	}
	free(real);
}

