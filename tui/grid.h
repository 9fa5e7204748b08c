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
 *
 * "Unprintable" covers what could reorder or hide text: code points
 * wcwidth() rejects (unassigned, noncharacters), C1 controls, U+2028 and
 * U+2029, the bidi controls (U+202A..U+202E, U+2066..U+2069, U+200E,
 * U+200F, U+061C) and the other zero-width format characters (U+200B..
 * U+200D, U+2060..U+206F, U+FEFF, tag characters U+E0000..U+E007F...).
 * Widths come from wcwidth(), so they follow the locale: the interface
 * runs under a UTF-8 locale (under any other every non-ASCII character
 * is a placeholder).  A combining mark joins the cell before it when
 * that cell was written by the same write (grid_put call or pen) and
 * holds a printable character with room left in ch; otherwise - at the
 * start of a write, after a placeholder or a tab, or beyond 15 bytes -
 * it is shown as its own <U+XXXX> placeholder.
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

/* Decodes the glyph at s[0..len) (len >= 1).  A '\n' comes back as its
 * ^J placeholder with newline set, a tab as one space (width 1) with tab
 * set, a combining mark with width 0 (grid_pen_fit settles both). */
void glyph_next(const char *s, size_t len, struct glyph *g);

/* Columns text takes on one line, as grid_put with GP_ONE_LINE shows it
 * from any column with room enough: a tab counts one column, a newline
 * two (^J), placeholders their length, combining marks nothing where
 * they join a character. */
int text_width(const char *s, size_t len);

int grid_init(struct grid *g, int w, int h);   /* 0 or PV_ENOMEM; blank */
int grid_resize(struct grid *g, int w, int h); /* blank after */
void grid_done(struct grid *g);
void grid_clear(struct grid *g, enum role role);
struct cell *grid_at(struct grid *g, int y, int x);   /* NULL outside */

enum {
	GP_ONE_LINE = 1          /* '\n' shows as ^J placeholder and a tab as
				  * one space (default: a newline ends the
				  * write, a tab goes to the next stop) */
};

/* Writes s[0..len) on row y from column x, never past column x_end
 * (exclusive; clipped to the grid), in role (placeholders always in
 * R_PLACEHOLDER, so they stay visible on any row).  A wide character
 * that does not fit is replaced by spaces.  Stops at '\n' unless
 * GP_ONE_LINE.  Returns the column after the last cell written; *used
 * (may be NULL) gets the bytes consumed.
 *
 * Details: tab stops count from x.  Columns left of 0 are laid out but
 * not written (x may be negative to scroll text sideways; a wide
 * character cut by column 0 leaves a space).  A placeholder that does
 * not fit is cut at x_end.  *used counts the glyphs written whole: it
 * stops before the '\n' that ended the write and before a glyph that
 * was cut or replaced by spaces.  A row outside the grid writes nothing
 * but the columns are still counted.  Writing over half of a wide
 * character blanks its other half. */
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
 * tests and debugging: each cell's ch, skipping the right halves of wide
 * characters, appended to out (nothing for a row outside the grid). */
void grid_row_text(const struct grid *g, int y, struct buf *out);

/*
 * A pen writes one line glyph by glyph exactly as grid_put does, for
 * callers that lay text out themselves: tui/text.c measures lines with a
 * pen that draws nothing (grid NULL) and draws them with one that gives
 * each glyph its own role, so both agree on every column.
 *
 *     struct grid_pen pen;
 *     struct glyph gl;
 *     grid_pen_init(&pen, y, x, x_end, 0);
 *     for (i = 0; i < len; i += gl.bytes) {
 *         glyph_next(s + i, len - i, &gl);
 *         if (!grid_pen_put(&pen, g, &gl, role_of(i)))
 *             break;
 *     }
 */
struct grid_pen {
	int y;                   /* row */
	int x0;                  /* where the line started: tab stops count
				  * from here */
	int x;                   /* next column */
	int x_end;               /* first column not written (callers clip it
				  * to the grid) */
	int flags;               /* GP_ONE_LINE: a tab is one space */
	int join_x;              /* column of the cell a combining mark joins */
	int join;                /* bytes in that cell's ch, 0 when a mark
				  * has nothing to join */
};

void grid_pen_init(struct grid_pen *p, int y, int x, int x_end, int flags);
/* Settles gl at the pen's position: a tab gets its width, a combining mark
 * with nothing to join becomes its <U+XXXX> placeholder.  Returns the
 * columns gl takes there.  (grid_pen_put does this itself; calling it
 * twice changes nothing.) */
int grid_pen_fit(const struct grid_pen *p, struct glyph *gl);
/* Writes gl into g (NULL: only advances) at the pen in role (placeholders
 * in R_PLACEHOLDER; a joining mark keeps its cell's role) and moves the
 * pen past it.  Returns false when gl does not fit before x_end; then the
 * part that fits is written (a wide character as a space, a placeholder
 * or tab cut) and the pen stands after it.  A newline glyph is written as
 * its ^J placeholder: callers stop at it when they mean to. */
bool grid_pen_put(struct grid_pen *p, struct grid *g, struct glyph *gl,
		  enum role role);

#endif
