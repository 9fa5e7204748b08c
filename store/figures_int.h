/*
 * figures_int.h - what figures.c's job takes from figures_detect.c, inside
 * the store: the latest detect run read into the figures.
 */
#ifndef PV_FIGURES_INT_H
#define PV_FIGURES_INT_H

#include "store.h"
#include "figures.h"

/* Reads the latest detect run with a summary into d (zeroed first): d->present
 * when there is one; what cannot be read is said in d->problem (a store
 * from before detect runs existed too).  Returns 0, or a code with err
 * filled when the store cannot be read. */
int fig_read_detect(struct store *s, struct fig_detect *d, struct pv_err *err);
/* Frees what d holds; d is zeroed. */
void fig_detect_done(struct fig_detect *d);

#endif
