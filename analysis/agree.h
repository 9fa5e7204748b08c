/*
 * agree.h - the statistics of a blind review (agree.c): the Wilson score
 * interval of a proportion and the chance-corrected agreement of raters
 * (Cohen's kappa for two, Fleiss' kappa for several).  No store in sight;
 * store/review.h includes this header, so its users see them too.
 */
#ifndef PV_AGREE_H
#define PV_AGREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Wilson score interval of k successes in n trials at z (1.959964 for
 * 95%): *lo and *hi in [0, 1].  n = 0 gives [0, 1]. */
void review_wilson(int64_t k, int64_t n, double z, double *lo, double *hi);
/* Cohen's kappa of two raters' categories a[i], b[i] (0 <= c < ncat) on
 * n items; false when it is undefined (no items, or chance agreement 1). */
bool review_cohen(const int *a, const int *b, size_t n, int ncat, double *kappa);
/* Fleiss' kappa from counts[u * ncat + c] (raters who put item u in
 * category c), for items rated by two or more (items with fewer are
 * ignored; the number of raters may vary by item: the per-item agreement
 * is averaged over the items, the category shares over all ratings).
 * false when undefined. */
bool review_fleiss(const int *counts, size_t nunits, int ncat, double *kappa);

#endif
