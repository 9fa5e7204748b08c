/*
 * grid.h - a headless screen: a grid of cells, each one character with the
 * role it is drawn in.  Views draw into a grid; tui/screen.c copies it to
 * the terminal.  Tests draw into a grid and assert on cells and roles
 * without a terminal.
 *
 * Everything written passes through glyph_next(), the one place that
 * decides how a byte sequence is shown:
 *   - printable UTF-8: itself, 1 or 2 columns wide (wcwidth; CJK and emoji
 *     take 2); zero-width combining characters join the previous cell;
 *   - C0 controls and DEL: ^@ .. ^_ and ^? (ESC is ^[), role R_PLACEHOLDER;
 *   - C1 controls (U+0080..U+009F) and other unprintable code points:
 *     <U+XXXX>, role R_PLACEHOLDER;
 *   - bytes that are not valid UTF-8: \xNN, one per byte, R_PLACEHOLDER;
 *   - tab: spaces to the next multiple of 8 columns (grid_put) or one
 *     space where columns are not tracked.
 * So no byte of a document reaches the terminal as it is unless it is a
 * printable character.
 */
#ifndef PV_GRID_H
#define PV_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../common/buf.h"
#include "theme.h"

/* One cell.  A wide character occupies its cell (width 2) and the next
 * (width 0, ch ""). */
struct cell {
	char ch[16];             /* UTF-8 of the character (+ combining marks),
				  * NUL-terminated; " " when blank */
	uint8_t width;           /* 1, 2, or 0 for the right half of a wide one */
	uint8_t role;            /* enum role */
};

struct grid {
	int w, h;
	struct cell *cells;      /* owned: h rows of w cells */
};

/* How one character (or unsafe byte) of text is shown. */
struct glyph {
	size_t bytes;            /* bytes of the input it stands for (>= 1) */
	int width;               /* columns: 0 (combining), 1 or 2; a
				  * placeholder is as wide as its text */
	bool placeholder;        /* shown as a stand-in (R_PLACEHOLDER) */
	bool tab, newline;       /* '\t' and '\n' (the caller decides) */
	char text[16];           /* what to show, NUL-terminated */
};

/* Decodes the glyph at s[0..len) (len >= 1). */
void glyph_next(const char *s, size_t len, struct glyph *g);

/* Columns text takes on one line (newlines and tabs count as one column,
 * as grid_put with GP_ONE_LINE shows them). */
int text_width(const char *s, size_t len);

int grid_init(struct grid *g, int w, int h);   /* 0 or PV_ENOMEM; blank */
int grid_resize(struct grid *g, int w, int h); /* blank after */
void grid_done(struct grid *g);
void grid_clear(struct grid *g, enum role role);
struct cell *grid_at(struct grid *g, int y, int x);   /* NULL outside */

enum {
	GP_ONE_LINE = 1          /* '\n' shows as ^J placeholder (default: a
				  * newline ends the write) */
};

/* Writes s[0..len) on row y from column x, never past column x_end
 * (exclusive; clipped to the grid), in role (placeholders always in
 * R_PLACEHOLDER, so they stay visible on any row).  A wide character
 * that does not fit is replaced by spaces.  Stops at '\n' unless
 * GP_ONE_LINE.  Returns the column after the last cell written; *used
 * (may be NULL) gets the bytes consumed. */
int grid_put(struct grid *g, int y, int x, int x_end, const char *s, size_t len,
	     enum role role, int flags, size_t *used);
/* grid_put of a NUL-terminated string. */
int grid_puts(struct grid *g, int y, int x, int x_end, const char *s, enum role role);
int grid_printf(struct grid *g, int y, int x, int x_end, enum role role,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Blanks columns [x, x_end) of row y in role. */
void grid_fill(struct grid *g, int y, int x, int x_end, enum role role);
/* Sets the role of columns [x, x_end) of row y, keeping the characters. */
void grid_set_role(struct grid *g, int y, int x, int x_end, enum role role);

/* Row y as UTF-8 text (wide characters once, trailing spaces kept), for
 * tests and debugging. */
void grid_row_text(const struct grid *g, int y, struct buf *out);

#endif
