/*
 * pane.h - one document on screen: its provenance header and its text,
 * laid out by a textview (text.h).  The reader shows one pane, the
 * compare view two.
 *
 * Ownership: a pane owns its copied row, the decompressed text, the
 * textview and the word set.
 */
#ifndef PV_PANE_H
#define PV_PANE_H

#include "tui.h"
#include "text.h"

struct pane {
	struct browse_row *row;      /* owned copy */
	struct buf text;             /* owned: the document's bytes */
	struct textview *tv;         /* owned */
	struct wordset *words;       /* owned; made on first use */
	size_t top;                  /* offset of the first visual line shown */
	int64_t nhist;               /* history rows */
	int width;                   /* text columns the view was laid out for */
	int rows;                    /* text rows shown at the last draw */
	char *search;                /* owned; NULL: none */
	bool hide;                   /* provenance hidden (blind review) */
};

/* Loads document row (copied) into p; false (error shown) on failure. */
bool pane_load(struct app *a, struct pane *p, const struct browse_row *row);
/* Refetches the row (provenance changed) keeping the text and place. */
void pane_refresh(struct app *a, struct pane *p);
void pane_done(struct pane *p);

/* Draws the pane in columns [x, x + w) and rows [y, y + h). */
void pane_draw(struct app *a, struct pane *p, struct grid *g, int x, int w,
	       int y, int h, bool focused);

/* Scrolling by visual lines (negative: up), to the top and the end. */
void pane_scroll(struct pane *p, int lines);
void pane_top(struct pane *p);
void pane_end(struct pane *p);
/* The next (forward) or previous match of the pane's search; shows where
 * on the status line. */
void pane_find(struct app *a, struct pane *p, bool forward);
/* Sets the search and jumps to the first match after the top. */
void pane_search(struct app *a, struct pane *p, const char *needle);
/* "line 12/340  4%" for the status line; returns out. */
const char *pane_where(struct pane *p, char *out, size_t size);
/* The pane's word set (made on first use). */
struct wordset *pane_words(struct pane *p);

#endif
