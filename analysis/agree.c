/*
 * agree.c - the statistics of a blind review (agree.h): Wilson score
 * intervals, Cohen's and Fleiss' kappa.  Plain arithmetic on counts, with
 * no store in sight; store/review_report.c feeds them the answers.
 */
#include "config.h"
#include "agree.h"
#include "../common/pv.h"

#include <math.h>
#include <stdlib.h>

void review_wilson(int64_t k, int64_t n, double z, double *lo, double *hi)
{
	double ph, z2, den, center, half;

	if (n <= 0) {
		*lo = 0;
		*hi = 1;
		return;
	}
	ph = (double)k / (double)n;
	z2 = z * z;
	den = 1 + z2 / (double)n;
	center = (ph + z2 / (2.0 * (double)n)) / den;
	half = z * sqrt(ph * (1 - ph) / (double)n + z2 / (4.0 * (double)n * (double)n)) / den;
	*lo = center - half < 0 ? 0 : center - half;
	*hi = center + half > 1 ? 1 : center + half;
}

bool review_cohen(const int *a, const int *b, size_t n, int ncat, double *kappa)
{
	double po = 0, pe = 0;
	size_t i;
	int c;

	*kappa = 0;
	if (n == 0 || ncat <= 0)
		return false;
	for (i = 0; i < n; i++)
		po += a[i] == b[i];
	po /= (double)n;
	for (c = 0; c < ncat; c++) {
		double pa = 0, pb = 0;
		for (i = 0; i < n; i++) {
			pa += a[i] == c;
			pb += b[i] == c;
		}
		pe += (pa / (double)n) * (pb / (double)n);
	}
	if (pe >= 1 - 1e-12)
		return false;
	*kappa = (po - pe) / (1 - pe);
	return true;
}

bool review_fleiss(const int *counts, size_t nunits, int ncat, double *kappa)
{
	double pbar = 0, pe = 0, total = 0, *share;
	size_t u, used = 0;
	int c;

	*kappa = 0;
	if (ncat <= 0)
		return false;
	share = pv_calloc((size_t)ncat, sizeof *share);
	for (u = 0; u < nunits; u++) {
		const int *row = counts + u * (size_t)ncat;
		double nu = 0, sq = 0;
		for (c = 0; c < ncat; c++) {
			nu += row[c];
			sq += (double)row[c] * row[c];
		}
		if (nu < 2)
			continue;
		pbar += (sq - nu) / (nu * (nu - 1));
		for (c = 0; c < ncat; c++)
			share[c] += row[c];
		total += nu;
		used++;
	}
	if (used == 0) {
		free(share);
		return false;
	}
	pbar /= (double)used;
	for (c = 0; c < ncat; c++)
		pe += (share[c] / total) * (share[c] / total);
	free(share);
	if (pe >= 1 - 1e-12)
		return false;
	*kappa = (pbar - pe) / (1 - pe);
	return true;
}
