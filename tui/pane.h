/*
 * pane.h - one document on screen: its provenance header and its text,
 * laid out by a textview (text.h).  The reader shows one pane, the
 * compare view two.
 *
 * The header flows: its fields (#id and external id, origin, source,
 * generator, purpose; then label, note, size, shared text, history) fill
 * a row two columns apart and go on to the next row when they do not
 * fit, so nothing is lost in a narrow pane; it takes at least two rows
 * and at most a third of the pane.
 *
 * Scrolling stops where the last line is on the pane's last row.  A
 * search keeps its current match: n and N step from it (or from the top
 * of the screen when it has scrolled out of view) and wrap around the
 * text, saying so.
 *
 * Ownership: a pane owns its copied row, the decompressed text, the
 * textview and the word set.
 */
#ifndef PV_PANE_H
#define PV_PANE_H

#include "tui.h"
#include "text.h"

#define PANE_NO_MATCH ((size_t)-1)

struct pane {
	struct browse_row *row;      /* owned copy */
	struct buf text;             /* owned: the document's bytes */
	struct textview *tv;         /* owned */
	struct wordset *words;       /* owned; made on first use */
	size_t top;                  /* offset of the first visual line shown */
	size_t bottom;               /* offset after the last line shown */
	size_t match;                /* the current match, or PANE_NO_MATCH */
	int64_t nhist;               /* history rows */
	int width;                   /* text columns the view was laid out for */
	int rows;                    /* text rows shown at the last draw */
	int header_min;              /* header rows at least (compare aligns) */
	char *search;                /* owned; NULL: none */
	bool hide;                   /* provenance hidden (blind review) */
};

/* Loads document row (copied) into p; false (error shown) on failure. */
bool pane_load(struct app *a, struct pane *p, const struct browse_row *row);
/* Refetches the row (provenance changed) keeping the text and place. */
void pane_refresh(struct app *a, struct pane *p);
void pane_done(struct pane *p);

/* Rows the header needs in a pane w columns wide and h rows high. */
int pane_header_rows(const struct pane *p, int w, int h);
/* Draws the pane in columns [x, x + w) and rows [y, y + h).  A focused
 * pane (compare) shows its #id in R_CURSOR. */
void pane_draw(struct app *a, struct pane *p, struct grid *g, int x, int w,
	       int y, int h, bool focused);

/* Scrolling by visual lines (negative: up), to the top and the end. */
void pane_scroll(struct pane *p, int lines);
void pane_top(struct pane *p);
void pane_end(struct pane *p);
/* The next (forward) or previous match of the pane's search; shows where
 * on the status line. */
void pane_find(struct app *a, struct pane *p, bool forward);
/* Sets the search and jumps to the first match from the top of the
 * screen (a match on the top line counts); an empty needle clears it. */
void pane_search(struct app *a, struct pane *p, const char *needle);
/* Sets the search's highlighting only (the compare view's other pane). */
void pane_set_search(struct pane *p, const char *needle);
/* "line 12/340  4%" for the status line (the percentage is of the text
 * up to the bottom of the screen, so 100% at the end); returns out. */
const char *pane_where(struct pane *p, char *out, size_t size);
/* The pane's word set (made on first use). */
struct wordset *pane_words(struct pane *p);

#endif
