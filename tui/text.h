/*
 * text.h - a document laid out for reading: wrapped to a width, with line
 * numbers, search matches and word-diff highlighting, drawn into a grid.
 *
 * Layout is lazy, so a 100 MB document opens at once: nothing is computed
 * for the whole text up front.  A position in the text is the byte offset
 * where a screen line (a visual line) starts; textview_next/prev step
 * between them by wrapping only the neighbourhood:
 *   - a logical line is the text between two '\n';
 *   - a logical line is wrapped at the last space that fits (word wrap),
 *     else at the width (a long word is cut);
 *   - a logical line longer than TEXT_ANCHOR bytes is wrapped from anchor
 *     points every TEXT_ANCHOR bytes (moved forward to a character
 *     boundary), so stepping back over a 100 MB line without newlines
 *     costs at most one anchor's wrapping; precisely, the anchors are the
 *     multiples of TEXT_ANCHOR (moved past a split UTF-8 sequence and up
 *     to 32 bytes of combining marks) that lie at least TEXT_ANCHOR bytes
 *     after the start of their logical line, and each starts a visual
 *     line, so finding where any byte's visual line starts looks at no
 *     more than about two anchors' worth of text;
 *   - line numbers (of logical lines) come from newline counts cached at
 *     checkpoints, so the number of any position costs at most one
 *     checkpoint interval of counting after the first visit.
 * Glyphs are those of grid.h (placeholders for unsafe bytes, wide chars)
 * and take the columns a grid_pen gives them: placeholders their length,
 * tabs up to the next multiple of 8 columns of the visual line.  A space
 * or tab that does not fit ends its line (it is not drawn); a glyph wider
 * than the whole width gets a line of its own and is cut.  A visual line
 * holds its ending '\n'.  The end of the text (len) starts no visual line
 * (a final '\n' adds no empty line), except that an empty text is one
 * empty line at 0.
 *
 * Costs: textview_new computes nothing; the wrapped lines of the last few
 * stretches between anchors or newlines are cached, so next/prev over a
 * screen cost about one wrap of TEXT_ANCHOR bytes.  Line numbers cost one
 * pass over the text up to the line the first time (newlines are counted
 * 16 bytes at a time).
 *
 * Ownership: the textview borrows the text (the caller keeps it alive and
 * unchanged) and owns its caches, search needle and word sets.
 */
#ifndef PV_TEXT_H
#define PV_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "grid.h"

#define TEXT_ANCHOR 65536

struct textview;
struct wordset;

/* A view of text[0..len) wrapped to width columns (>= 1).  NULL only when
 * out of memory. */
struct textview *textview_new(const char *text, size_t len, int width);
void textview_free(struct textview *tv);          /* NULL allowed */

/* Re-wraps to a new width; returns the start of the visual line now
 * holding the byte at off (so the reader keeps its place). */
size_t textview_set_width(struct textview *tv, int width, size_t off);

/* The start of the visual line after the one starting at off, or len when
 * off's line is the last; textview_prev the one before (0 at the top).
 * (For an off inside a visual line, next gives the line after the one
 * holding off and prev the start of the line holding off - 1.) */
size_t textview_next(struct textview *tv, size_t off);
size_t textview_prev(struct textview *tv, size_t off);
/* The start of the visual line holding the byte at off. */
size_t textview_line_start(struct textview *tv, size_t off);
/* The start of the last visual line. */
size_t textview_last(struct textview *tv);

/* The 1-based logical line number of the byte at off. */
int64_t textview_lineno(struct textview *tv, size_t off);
/* Whether the visual line starting at off starts a logical line (its
 * number is shown; continuation lines get none). */
bool textview_starts_line(struct textview *tv, size_t off);

/* Search: matches of needle, ASCII case-insensitive, byte-exact
 * otherwise.  An empty needle clears it.  Matches are highlighted by
 * textview_draw in R_MATCH. */
void textview_set_search(struct textview *tv, const char *needle);
/* The offset of the next match starting after `from` (forward) or the
 * previous one starting before `from`; wraps around the text; returns
 * false when there is none. */
bool textview_find(struct textview *tv, size_t from, bool forward, size_t *at);

/* Word sets for the compare view's word diff: words are runs of letters
 * and digits (UTF-8 letters included), compared case-folded for ASCII.
 * Every valid multibyte UTF-8 character counts as a letter; words longer
 * than 1024 bytes are never in a set (and are drawn as not shared).  The
 * set copies the words it keeps: text may go away after wordset_new.
 * wordset_has takes one word (as textview_draw finds them). */
struct wordset *wordset_new(const char *text, size_t len);
void wordset_free(struct wordset *ws);            /* NULL allowed */
bool wordset_has(const struct wordset *ws, const char *word, size_t len);

/* Highlights words: those in `other` in R_DIFF_SHARED, the others in
 * only_role (R_DIFF_LEFT or R_DIFF_RIGHT).  other NULL turns it off.
 * other is borrowed. */
void textview_set_diff(struct textview *tv, const struct wordset *other,
		       enum role only_role);

/* Draws the visual lines from top into rows [y, y + rows) of g between
 * columns [x, x + number_width + width): a right-aligned line number in
 * R_LINENO (number_width columns, 0 for none) on lines starting a logical
 * line, then the text in R_LIST (matches, diff and placeholders in their
 * roles).  Returns the offset after the last line drawn.
 *
 * Details: the number is followed by one space; continuation lines get
 * a blank number column in R_LINENO; rows past the end of the text are
 * blanked in R_LIST.  Roles by priority: R_PLACEHOLDER, R_MATCH (every
 * byte of every occurrence, overlapping ones included), then the word
 * diff (letters and digits only; spaces and punctuation stay R_LIST). */
size_t textview_draw(struct textview *tv, struct grid *g, int y, int rows,
		     int x, int number_width, size_t top);

/* Columns needed for the line numbers of this text (digits of its last
 * line number counted so far, at least 4, plus one space). */
int textview_number_width(struct textview *tv);

#endif
