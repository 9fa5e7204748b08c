/*
 * test_grid.c - the cell grid (tui/grid.c) and the document layout
 * (tui/text.c): glyphs and placeholders, cells and roles, wrapping,
 * anchors, next/prev consistency on random texts, line numbers, search,
 * word diff, and the time a 100 MB document takes to open and show.
 *
 * Rows are compared as text (grid_row_text) and roles as one letter per
 * cell (see role_letters).  With PROVEX_VALGRIND set, the 100 MB timings
 * are skipped.
 */
#include "config.h"
#include "../tap.h"
#include "common/pv.h"
#include "common/buf.h"
#include "tui/grid.h"
#include "tui/text.h"

#include <inttypes.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define A TEXT_ANCHOR

/* row - row y of g as text, trailing spaces removed (static buffer). */
static const char *row(const struct grid *g, int y)
{
	static char out[4096];
	struct buf b = BUF_INIT;
	size_t n;

	grid_row_text(g, y, &b);
	n = b.len;
	while (n > 0 && b.data[n - 1] == ' ')
		n--;
	n = PV_MIN(n, sizeof out - 1);
	memcpy(out, buf_str(&b), n);
	out[n] = '\0';
	buf_done(&b);
	return out;
}

/* role_letters - the roles of cells [x0, x1) of row y, one letter each:
 * L list, P placeholder, M match, S shared, l diff-left, r diff-right,
 * N line number, C cursor, ? other (static buffer). */
static const char *role_letters(struct grid *g, int y, int x0, int x1)
{
	static char out[1024];
	int x, n = 0;

	for (x = x0; x < x1 && n < (int)sizeof out - 1; x++) {
		const struct cell *c = grid_at(g, y, x);
		char l = '?';

		switch (c ? c->role : -1) {
		case R_LIST: l = 'L'; break;
		case R_PLACEHOLDER: l = 'P'; break;
		case R_MATCH: l = 'M'; break;
		case R_DIFF_SHARED: l = 'S'; break;
		case R_DIFF_LEFT: l = 'l'; break;
		case R_DIFF_RIGHT: l = 'r'; break;
		case R_LINENO: l = 'N'; break;
		case R_CURSOR: l = 'C'; break;
		}
		out[n++] = l;
	}
	out[n] = '\0';
	return out;
}

static char fold_c(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* xorshift64 - the tests' fixed-seed random numbers. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/*
 * Glyphs.
 */

static void check_glyph(const char *s, size_t len, size_t bytes, int width,
			bool ph, const char *text)
{
	struct glyph g;

	glyph_next(s, len, &g);
	ok(g.bytes == bytes && g.width == width && g.placeholder == ph &&
	   strcmp(g.text, text) == 0,
	   "glyph %s: %zu bytes, width %d%s", text, bytes, width, ph ? ", placeholder" : "");
	if (g.bytes != bytes || g.width != width || g.placeholder != ph ||
	    strcmp(g.text, text) != 0)
		printf("#   got %zu bytes, width %d, placeholder %d, \"%s\"\n",
		       g.bytes, g.width, g.placeholder, g.text);
}

static void test_glyphs(void)
{
	struct glyph g;

	check_glyph("a", 1, 1, 1, false, "a");
	check_glyph("\x1b[2J", 4, 1, 2, true, "^[");
	check_glyph("\x7f", 1, 1, 2, true, "^?");
	check_glyph("\x01", 1, 1, 2, true, "^A");
	check_glyph("\r", 1, 1, 2, true, "^M");
	check_glyph("", 1, 1, 2, true, "^@");
	check_glyph("\xff", 1, 1, 4, true, "\\xff");
	check_glyph("\xc2\x9b", 2, 2, 8, true, "<U+009B>");
	check_glyph("\xc2\x85", 2, 2, 8, true, "<U+0085>");
	check_glyph("\xe2\x80\xae", 3, 3, 8, true, "<U+202E>");
	check_glyph("\xe2\x80\xaa", 3, 3, 8, true, "<U+202A>");
	check_glyph("\xe2\x81\xa6", 3, 3, 8, true, "<U+2066>");
	check_glyph("\xe2\x81\xa9", 3, 3, 8, true, "<U+2069>");
	check_glyph("\xe2\x80\x8f", 3, 3, 8, true, "<U+200F>");
	check_glyph("\xe2\x80\xa8", 3, 3, 8, true, "<U+2028>");
	check_glyph("\xe2\x80\xa9", 3, 3, 8, true, "<U+2029>");
	check_glyph("\xe2\x80\x8b", 3, 3, 8, true, "<U+200B>");
	check_glyph("\xe2\x80\x8d", 3, 3, 8, true, "<U+200D>");
	check_glyph("\xef\xbb\xbf", 3, 3, 8, true, "<U+FEFF>");
	check_glyph("\xf3\xa0\x81\x81", 4, 4, 9, true, "<U+E0041>");
	check_glyph("\xcd\xb8", 2, 2, 8, true, "<U+0378>");       /* unassigned */
	check_glyph("\xef\xbf\xbf", 3, 3, 8, true, "<U+FFFF>");   /* noncharacter */
	check_glyph("\xe4\xb8\xad", 3, 3, 2, false, "\xe4\xb8\xad");
	check_glyph("\xf0\x9f\x98\x80", 4, 4, 2, false, "\xf0\x9f\x98\x80");
	check_glyph("\xcc\x81", 2, 2, 0, false, "\xcc\x81");
	check_glyph("\xc3\xa9", 2, 2, 1, false, "\xc3\xa9");
	check_glyph("\xe4\xb8", 2, 1, 4, true, "\\xe4");          /* cut short */
	check_glyph("\xc0\xaf", 2, 1, 4, true, "\\xc0");          /* overlong */
	check_glyph("\xed\xa0\x80", 3, 1, 4, true, "\\xed");      /* surrogate */
	check_glyph("\xe4\xb8\xad", 2, 1, 4, true, "\\xe4");      /* len limits */

	glyph_next("\n", 1, &g);
	ok(g.newline && g.placeholder && strcmp(g.text, "^J") == 0, "newline is ^J, flagged");
	glyph_next("\t", 1, &g);
	ok(g.tab && !g.placeholder && g.width == 1, "tab is flagged, one column unsettled");
}

/*
 * The grid.
 */

static void test_grid_put(void)
{
	struct grid g;
	struct cell *c;
	size_t used;
	int end;

	is_int(grid_init(&g, 20, 4), 0, "grid_init");
	is_str(row(&g, 0), "", "a new grid is blank");
	ok(grid_at(&g, 0, 20) == NULL && grid_at(&g, 4, 0) == NULL &&
	   grid_at(&g, -1, 0) == NULL && grid_at(&g, 0, -1) == NULL, "grid_at outside is NULL");

	end = grid_puts(&g, 0, 0, 20, "\x1b[2J", R_LIST);
	is_str(row(&g, 0), "^[[2J", "ESC sequence shows as ^[[2J");
	is_str(role_letters(&g, 0, 0, 6), "PPLLLL", "^[ in R_PLACEHOLDER, the rest in the text role");
	is_int(end, 5, "returns the column after the text");

	grid_clear(&g, R_LIST);
	grid_puts(&g, 0, 0, 20, "a\xff" "b", R_CURSOR);
	is_str(row(&g, 0), "a\\xffb", "invalid byte as \\xff");
	is_str(role_letters(&g, 0, 0, 7), "CPPPPCL", "placeholder keeps its role on any row");

	grid_puts(&g, 1, 0, 20, "x\xc2\x9by", R_LIST);
	is_str(row(&g, 1), "x<U+009B>y", "C1 control as <U+009B>");
	is_str(role_letters(&g, 1, 0, 10), "LPPPPPPPPL", "C1 placeholder role");

	grid_puts(&g, 2, 0, 20, "ab\xe2\x80\xae" "cd", R_LIST);
	is_str(row(&g, 2), "ab<U+202E>cd", "bidi override U+202E is a placeholder");

	grid_clear(&g, R_LIST);
	end = grid_put(&g, 0, 2, 6, "hello world", 11, R_LIST, 0, &used);
	is_str(row(&g, 0), "  hell", "clipped at x_end");
	ok(end == 6 && used == 4, "returns x_end, used 4 bytes");
	end = grid_put(&g, 1, 15, 99, "hello world", 11, R_LIST, 0, &used);
	is_str(row(&g, 1), "               hello", "x_end clipped to the grid");
	ok(end == 20 && used == 5, "clipped to the grid: column 20, 5 bytes");
	end = grid_put(&g, 2, -3, 20, "abcdef", 6, R_LIST, 0, &used);
	is_str(row(&g, 2), "def", "columns left of 0 are not written");
	ok(end == 3 && used == 6, "negative x: column and bytes still counted");
	grid_put(&g, 3, -1, 20, "\xe4\xb8\xad" "a", 4, R_LIST, 0, NULL);
	c = grid_at(&g, 3, 0);
	ok(c && strcmp(c->ch, " ") == 0 && c->width == 1, "a wide char cut by column 0 leaves a space");
	is_str(row(&g, 3), " a", "and the text goes on after it");

	grid_clear(&g, R_LIST);
	end = grid_put(&g, 0, 0, 20, "ab\ncd", 5, R_LIST, 0, &used);
	ok(end == 2 && used == 2, "a newline ends the write (used excludes it)");
	is_str(row(&g, 0), "ab", "only the first line is written");
	end = grid_put(&g, 1, 0, 20, "ab\ncd", 5, R_LIST, GP_ONE_LINE, &used);
	is_str(row(&g, 1), "ab^Jcd", "GP_ONE_LINE shows the newline as ^J");
	ok(end == 6 && used == 5, "GP_ONE_LINE consumes everything");
	is_str(role_letters(&g, 1, 0, 6), "LLPPLL", "^J is a placeholder");
	grid_put(&g, 3, 0, 4, "\x1b\x1b\x1b", 3, R_LIST, 0, &used);
	is_str(row(&g, 3), "^[^[", "placeholders are cut at x_end");
	is_int(used, 2, "a cut placeholder is not consumed");
	grid_put(&g, 3, 10, 13, "a\xff", 2, R_LIST, 0, &used);
	is_str(row(&g, 3), "^[^[      a\\x", "a placeholder cut in its middle");
	is_int(used, 1, "only the whole glyphs count as used");
	grid_done(&g);
}

static void test_grid_wide(void)
{
	struct grid g;
	struct cell *c;
	size_t used;
	int end;

	grid_init(&g, 10, 4);
	end = grid_puts(&g, 0, 0, 10, "\xe4\xb8\xad\xe6\x96\x87" "ab", R_LIST);
	is_int(end, 6, "two CJK and two ASCII take 6 columns");
	c = grid_at(&g, 0, 0);
	ok(c && c->width == 2 && strcmp(c->ch, "\xe4\xb8\xad") == 0, "a wide char in its cell");
	c = grid_at(&g, 0, 1);
	ok(c && c->width == 0 && c->ch[0] == '\0', "and its right half");
	c = grid_at(&g, 0, 4);
	ok(c && strcmp(c->ch, "a") == 0, "ASCII after two wide chars at column 4");
	is_str(row(&g, 0), "\xe4\xb8\xad\xe6\x96\x87" "ab", "row text renders each wide char once");

	/* alignment: a row with wide chars ends at the right column */
	grid_puts(&g, 1, 0, 10, "\xf0\x9f\x98\x80x|", R_LIST);
	grid_puts(&g, 2, 0, 10, "abx|", R_LIST);
	c = grid_at(&g, 1, 3);
	ok(c && strcmp(c->ch, "|") == 0, "emoji row: '|' at column 3");
	c = grid_at(&g, 2, 3);
	ok(c && strcmp(c->ch, "|") == 0, "ASCII row: '|' at column 3 too");

	grid_clear(&g, R_LIST);
	end = grid_put(&g, 0, 0, 3, "ab\xe4\xb8\xad", 5, R_LIST, 0, &used);
	is_str(row(&g, 0), "ab", "a wide char that does not fit is not split");
	c = grid_at(&g, 0, 2);
	ok(end == 3 && used == 2 && c && strcmp(c->ch, " ") == 0 && c->width == 1,
	   "it becomes a space up to x_end");
	end = grid_put(&g, 1, 8, 10, "a\xe4\xb8\xad", 4, R_LIST, 0, NULL);
	is_int(end, 10, "a wide char at the grid's last column");
	c = grid_at(&g, 1, 9);
	ok(c && c->width == 1, "is a space, not half a character");

	grid_clear(&g, R_LIST);
	grid_puts(&g, 0, 0, 10, "\xe4\xb8\xad\xe4\xb8\xad", R_LIST);
	grid_puts(&g, 0, 1, 10, "x", R_LIST);
	is_str(row(&g, 0), " x\xe4\xb8\xad", "writing over a right half blanks the left half");
	grid_puts(&g, 0, 2, 10, "y", R_LIST);
	is_str(row(&g, 0), " xy", "writing over a left half blanks the right half");
	grid_fill(&g, 1, 0, 10, R_LIST);
	grid_puts(&g, 1, 0, 10, "\xe4\xb8\xad", R_LIST);
	grid_fill(&g, 1, 1, 2, R_STATUS);
	c = grid_at(&g, 1, 0);
	ok(c && c->width == 1 && strcmp(c->ch, " ") == 0, "grid_fill over a right half blanks the left");
	grid_done(&g);
}

static void test_grid_misc(void)
{
	struct grid g;
	struct cell *c;
	int i;
	char s[64];

	grid_init(&g, 24, 3);
	grid_puts(&g, 0, 0, 24, "a\tb", R_LIST);
	c = grid_at(&g, 0, 8);
	ok(c && strcmp(c->ch, "b") == 0, "tab to column 8");
	grid_puts(&g, 1, 3, 24, "a\tb", R_LIST);
	c = grid_at(&g, 1, 11);
	ok(c && strcmp(c->ch, "b") == 0, "tab stops count from the write's start");
	grid_put(&g, 2, 0, 24, "a\tb", 3, R_LIST, GP_ONE_LINE, NULL);
	is_str(row(&g, 2), "a b", "GP_ONE_LINE: a tab is one space");

	grid_clear(&g, R_LIST);
	grid_puts(&g, 0, 0, 24, "e\xcc\x81x", R_LIST);
	c = grid_at(&g, 0, 0);
	ok(c && strcmp(c->ch, "e\xcc\x81") == 0, "a combining mark joins the previous cell");
	is_str(row(&g, 0), "e\xcc\x81x", "and takes no column");
	grid_puts(&g, 1, 0, 24, "\xcc\x81" "a", R_LIST);
	is_str(row(&g, 1), "<U+0301>a", "a combining mark at the start is a placeholder");
	is_str(role_letters(&g, 1, 0, 9), "PPPPPPPPL", "in R_PLACEHOLDER");
	strcpy(s, "e");
	for (i = 0; i < 8; i++)
		strcat(s, "\xcc\x81");
	grid_puts(&g, 2, 0, 24, s, R_LIST);
	c = grid_at(&g, 2, 0);
	ok(c && strlen(c->ch) == 15, "marks fill the cell up to 15 bytes");
	is_str(row(&g, 2) + 15, "<U+0301>", "the one that does not fit is a placeholder");

	is_int(text_width("abc", 3), 3, "text_width ASCII");
	is_int(text_width("\xe4\xb8\xad" "a", 4), 3, "text_width CJK");
	is_int(text_width("a\tb", 3), 3, "text_width: tab is one column");
	is_int(text_width("a\nb", 3), 4, "text_width: newline is ^J");
	is_int(text_width("\x1b\xff", 2), 6, "text_width placeholders");
	is_int(text_width("e\xcc\x81", 3), 1, "text_width combining");
	is_int(text_width("\xcc\x81", 2), 8, "text_width lone combining mark");

	grid_clear(&g, R_LIST);
	grid_printf(&g, 0, 2, 24, R_STATUS, "%d of %s", 3, "ten");
	is_str(row(&g, 0), "  3 of ten", "grid_printf");
	grid_set_role(&g, 0, 2, 3, R_MATCH);
	is_str(role_letters(&g, 0, 0, 6), "LLM???", "grid_set_role keeps characters");
	is_str(row(&g, 0), "  3 of ten", "characters kept");
	grid_fill(&g, 0, 4, 6, R_LIST);
	is_str(row(&g, 0), "  3    ten", "grid_fill blanks");
	is_int(grid_resize(&g, 5, 2), 0, "grid_resize");
	ok(g.w == 5 && g.h == 2 && strcmp(row(&g, 1), "") == 0, "resized and blank");
	grid_done(&g);
}

/*
 * Text views.
 */

/* render - draws tv from top into a fresh w x h grid with number column
 * nw; returns the offset after the last line. */
static size_t render(struct grid *g, struct textview *tv, int nw, size_t top)
{
	grid_clear(g, R_CURSOR);
	return textview_draw(tv, g, 0, g->h, 0, nw, top);
}

static void test_wrap(void)
{
	const char *s = "the quick brown fox jumps over the lazy dog";
	struct textview *tv = textview_new(s, strlen(s), 10);
	struct grid g;
	size_t end;

	grid_init(&g, 12, 6);
	end = render(&g, tv, 0, 0);
	is_str(row(&g, 0), "the quick", "word wrap 1");
	is_str(row(&g, 1), "brown fox", "word wrap 2");
	is_str(row(&g, 2), "jumps over", "word wrap 3 (the space hangs)");
	is_str(row(&g, 3), "the lazy", "word wrap 4");
	is_str(row(&g, 4), "dog", "word wrap 5");
	is_str(row(&g, 5), "", "past the end blank");
	is_str(role_letters(&g, 5, 0, 12), "LLLLLLLLLLCC", "in R_LIST, only the text's columns");
	is_int(end, strlen(s), "draw returns the end");
	is_int(textview_next(tv, 0), 10, "next after the first line");
	is_int(textview_next(tv, 20), 31, "the hanging space belongs to the line");
	is_int(textview_prev(tv, 31), 20, "prev");
	is_int(textview_line_start(tv, 33), 31, "line_start");
	is_int(textview_last(tv), 40, "last line");
	is_int(textview_next(tv, 40), strlen(s), "next of the last line is len");
	is_int(textview_prev(tv, 0), 0, "prev at the top is 0");
	is_int(textview_set_width(tv, 20, 33), 20, "set_width: the line now holding the byte");
	is_int(textview_next(tv, 0), 20, "rewrapped to 20");
	textview_free(tv);

	s = "abcdefghijklmnop qr";
	tv = textview_new(s, strlen(s), 5);
	render(&g, tv, 0, 0);
	ok(strcmp(row(&g, 0), "abcde") == 0 && strcmp(row(&g, 1), "fghij") == 0 &&
	   strcmp(row(&g, 2), "klmno") == 0 && strcmp(row(&g, 3), "p qr") == 0,
	   "a long word is cut at the width");
	textview_free(tv);

	s = "a\tb\n12345678901\tc";
	tv = textview_new(s, strlen(s), 10);
	render(&g, tv, 0, 0);
	is_str(row(&g, 0), "a       b", "tab to column 8");
	is_str(row(&g, 1), "1234567890", "a tab that does not fit ends the line");
	is_str(row(&g, 2), "1       c", "tab stops count from the visual line");
	textview_free(tv);

	s = "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad";
	tv = textview_new(s, strlen(s), 5);
	render(&g, tv, 0, 0);
	ok(strcmp(row(&g, 0), "\xe4\xb8\xad\xe4\xb8\xad") == 0 &&
	   strcmp(row(&g, 1), "\xe4\xb8\xad") == 0, "wide chars are never split");
	textview_free(tv);

	s = "\x1b\x1b\x1bx";
	tv = textview_new(s, strlen(s), 5);
	render(&g, tv, 0, 0);
	ok(strcmp(row(&g, 0), "^[^[") == 0 && strcmp(row(&g, 1), "^[x") == 0,
	   "placeholders count at their width");
	is_str(role_letters(&g, 1, 0, 5), "PPLLL", "and are drawn in R_PLACEHOLDER");
	textview_free(tv);

	s = "\xcc\x81" "ab";
	tv = textview_new(s, strlen(s), 5);
	render(&g, tv, 0, 0);
	ok(strcmp(row(&g, 0), "<U+0") == 0 || strcmp(row(&g, 0), "<U+03") == 0,
	   "a placeholder wider than the line is cut");
	is_str(row(&g, 1), "ab", "and gets a line of its own");
	textview_free(tv);

	tv = textview_new("", 0, 5);
	ok(textview_next(tv, 0) == 0 && textview_last(tv) == 0 && textview_prev(tv, 0) == 0,
	   "empty text: one line at 0");
	render(&g, tv, 5, 0);
	is_str(row(&g, 0), "   1", "empty text draws line 1");
	textview_free(tv);
	grid_done(&g);
}

static void test_numbers(void)
{
	const char *s = "one\ntwo words here\n\nfour";
	struct textview *tv = textview_new(s, strlen(s), 8);
	struct grid g;
	int nw = textview_number_width(tv);

	is_int(nw, 5, "number width: 4 digits and a space");
	grid_init(&g, nw + 8, 7);
	render(&g, tv, nw, 0);
	is_str(row(&g, 0), "   1 one", "line 1");
	is_str(row(&g, 1), "   2 two", "line 2");
	is_str(row(&g, 2), "     words", "continuation: no number");
	is_str(row(&g, 3), "     here", "continuation");
	is_str(row(&g, 4), "   3", "empty line 3");
	is_str(row(&g, 5), "   4 four", "line 4");
	is_str(role_letters(&g, 1, 0, 13), "NNNNNLLLLLLLL", "numbers in R_LINENO, text in R_LIST");
	is_str(role_letters(&g, 2, 0, 6), "NNNNNL", "blank number column in R_LINENO");
	ok(textview_starts_line(tv, 4) && !textview_starts_line(tv, 8), "starts_line");
	is_int(textview_lineno(tv, 0), 1, "lineno at 0");
	is_int(textview_lineno(tv, 10), 2, "lineno inside line 2");
	is_int(textview_lineno(tv, strlen(s)), 4, "lineno at the end");
	render(&g, tv, nw, 8);
	is_str(row(&g, 0), "     words", "drawn from a continuation line");
	is_str(row(&g, 2), "   3", "numbers still right below it");
	textview_free(tv);
	grid_done(&g);
}

/* many_lines - "line N\n" for N in 1..n, in a new buffer. */
static char *many_lines(int n, size_t *len)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 1; i <= n; i++)
		buf_printf(&b, "line %d\n", i);
	*len = b.len;
	return buf_take(&b);
}

static void test_numbers_far(void)
{
	size_t len, off;
	char *s = many_lines(200000, &len);
	struct textview *tv = textview_new(s, len, 40);
	struct grid g;
	int nw, k;

	off = textview_last(tv);
	is_int(textview_lineno(tv, off), 200000, "lineno of the last line of 200000");
	nw = textview_number_width(tv);
	is_int(nw, 7, "number width grows with the lines counted");
	for (k = 0; k < 3; k++)
		off = textview_prev(tv, off);
	grid_init(&g, nw + 40, 5);
	render(&g, tv, nw, off);
	is_str(row(&g, 0), "199997 line 199997", "numbers far down");
	is_str(row(&g, 3), "200000 line 200000", "the last line");
	is_str(row(&g, 4), "", "nothing after it");
	is_int(textview_lineno(tv, 7 * 9 + 8 * 90), 100, "lineno going back up");
	textview_free(tv);
	grid_done(&g);
	free(s);
}

static void test_search(void)
{
	const char *s = "Find the needle, NEEDLE and neeDLE.\nno match here\nneedle";
	struct textview *tv = textview_new(s, strlen(s), 40);
	struct grid g;
	size_t at;

	ok(!textview_find(tv, 0, true, &at), "no needle, no match");
	textview_set_search(tv, "needle");
	ok(textview_find(tv, 0, true, &at) && at == 9, "find forward");
	ok(textview_find(tv, 9, true, &at) && at == 17, "case-insensitive, after from");
	ok(textview_find(tv, 17, true, &at) && at == 28, "third");
	ok(textview_find(tv, 28, true, &at) && at == 50, "on the last line");
	ok(textview_find(tv, 50, true, &at) && at == 9, "forward wraps around");
	ok(textview_find(tv, 17, false, &at) && at == 9, "find backward");
	ok(textview_find(tv, 9, false, &at) && at == 50, "backward wraps around");
	ok(textview_find(tv, 5, false, &at) && at == 50, "backward from before the first");
	grid_init(&g, 40, 3);
	render(&g, tv, 0, 0);
	is_str(role_letters(&g, 0, 0, 36), "LLLLLLLLLMMMMMMLLMMMMMMLLLLLMMMMMMLL",
	       "matches in R_MATCH");
	is_str(role_letters(&g, 2, 0, 7), "MMMMMML", "match on the last line");
	textview_set_search(tv, "e n");
	ok(textview_find(tv, 0, true, &at) && at == 7, "needle with a space");
	textview_set_search(tv, "ee");
	render(&g, tv, 0, 0);
	is_str(role_letters(&g, 0, 0, 13), "LLLLLLLLLLMML", "a match inside a word");
	textview_set_search(tv, "absent");
	ok(!textview_find(tv, 0, true, &at), "absent needle");
	textview_set_search(tv, "");
	render(&g, tv, 0, 0);
	is_str(role_letters(&g, 0, 0, 12), "LLLLLLLLLLLL", "empty needle clears");
	textview_free(tv);

	s = "aaaa";
	tv = textview_new(s, 4, 10);
	textview_set_search(tv, "aa");
	render(&g, tv, 0, 0);
	is_str(role_letters(&g, 0, 0, 5), "MMMML", "overlapping matches all marked");
	ok(textview_find(tv, 0, true, &at) && at == 1, "overlapping matches are found");
	ok(textview_find(tv, 2, true, &at) && at == 0, "after the last start wraps to 0");
	textview_set_search(tv, "aaaaa");
	ok(!textview_find(tv, 0, true, &at), "needle longer than the text");
	textview_free(tv);

	/* a match cut by the top of the screen is still marked */
	s = "xx abcdefghij yy";
	tv = textview_new(s, strlen(s), 8);
	textview_set_search(tv, "defg");
	render(&g, tv, 0, textview_next(tv, 0));
	is_str(row(&g, 0), "abcdefgh", "wrapped");
	is_str(role_letters(&g, 0, 0, 8), "LLLMMMML", "match inside a cut word");
	textview_free(tv);
	grid_done(&g);
}

/* naive_find - textview_find by brute force. */
static bool naive_find(const char *s, size_t len, const char *needle, size_t from,
		       bool forward, size_t *at)
{
	size_t n = strlen(needle), p, k, best = SIZE_MAX;

	for (p = 0; p + n <= len; p++) {
		for (k = 0; k < n && fold_c(s[p + k]) == fold_c(needle[k]); k++)
			;
		if (k < n)
			continue;
		if (forward ? p > from : p < from) {
			if (best == SIZE_MAX || (forward ? p < best : p > best))
				best = p;
		}
	}
	if (best == SIZE_MAX) {
		/* wrap around: the first (forward) or last (backward) of all */
		for (p = 0; p + n <= len; p++) {
			for (k = 0; k < n && fold_c(s[p + k]) == fold_c(needle[k]); k++)
				;
			if (k == n && (best == SIZE_MAX || !forward))
				best = p;
		}
	}
	*at = best;
	return best != SIZE_MAX;
}

static void test_search_random(void)
{
	static const char *const needles[] = { "a", "ab", "Ba", "aba", "bB-a", "AbAbA", "-", "b-b" };
	size_t len = 700, k, bad = 0, i;
	char *s = pv_malloc(len);
	struct textview *tv = textview_new(s, len, 30);

	for (i = 0; i < len; i++)
		s[i] = "aAbB-"[rnd() % 5];
	for (i = 0; i < PV_ARRAY_LEN(needles); i++) {
		textview_set_search(tv, needles[i]);
		for (k = 0; k < 300; k++) {
			size_t from = rnd() % (len + 2), got = 0, want = 0;
			bool fw = rnd() & 1;
			bool g = textview_find(tv, from, fw, &got);
			bool w = naive_find(s, len, needles[i], from, fw, &want);

			if (g != w || (g && got != want))
				bad++;
		}
	}
	ok(bad == 0, "find agrees with a brute-force search on random texts");
	textview_free(tv);
	free(s);
}

static void test_diff(void)
{
	const char *left = "Alpha beta, caf\xc3\xa9 42 x";
	const char *right = "alpha gamma BETA! caf\xc3\xa9 42x";
	struct wordset *ws = wordset_new(left, strlen(left));
	struct textview *tv = textview_new(right, strlen(right), 40);
	struct grid g;

	ok(wordset_has(ws, "alpha", 5) && wordset_has(ws, "ALPHA", 5), "wordset folds ASCII case");
	ok(wordset_has(ws, "caf\xc3\xa9", 5) && !wordset_has(ws, "caf", 3), "UTF-8 letters are part of words");
	ok(wordset_has(ws, "42", 2) && !wordset_has(ws, "gamma", 5), "digits; missing word");
	ok(!wordset_has(ws, ",", 1) && !wordset_has(NULL, "x", 1), "punctuation is no word; NULL set");
	grid_init(&g, 40, 2);
	textview_set_diff(tv, ws, R_DIFF_RIGHT);
	render(&g, tv, 0, 0);
	is_str(role_letters(&g, 0, 0, 28), "SSSSSLrrrrrLSSSSLLSSSSLrrrLL",
	       "shared words in R_DIFF_SHARED, others in the only-role");
	textview_set_search(tv, "gam");
	render(&g, tv, 0, 0);
	is_str(role_letters(&g, 0, 0, 12), "SSSSSLMMMrrL", "a match wins over the diff");
	textview_set_search(tv, NULL);
	textview_set_diff(tv, NULL, R_DIFF_RIGHT);
	render(&g, tv, 0, 0);
	is_str(role_letters(&g, 0, 0, 12), "LLLLLLLLLLLL", "diff off");
	textview_free(tv);
	wordset_free(ws);
	wordset_free(NULL);
	textview_free(NULL);
	grid_done(&g);
}

/* starts_of - every visual line start walking forward from 0 (malloc'd). */
static size_t *starts_of(struct textview *tv, size_t len, size_t *n)
{
	size_t cap = 1024, off = 0, *v = pv_malloc(cap * sizeof *v);

	*n = 0;
	do {
		if (*n == cap)
			v = pv_realloc(v, (cap *= 2) * sizeof *v);
		v[(*n)++] = off;
		off = textview_next(tv, off);
	} while (off < len && off > v[*n - 1]);
	return v;
}

static bool is_start(const size_t *v, size_t n, size_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v[mid] == off)
			return true;
		if (v[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void test_anchors(void)
{
	size_t len = 3 * A + 500, n, i;
	char *s = pv_malloc(len);
	struct textview *tv;
	size_t *v;

	/* words of 4 letters; a 20-letter word over A and 2A; a newline at
	 * 99, so the line from 100 reaches A only after 2A */
	for (i = 0; i < len; i++)
		s[i] = i % 5 == 4 ? ' ' : 'a' + i % 5;
	memset(s + A - 11, ' ', 22);
	memset(s + A - 10, 'x', 20);
	memset(s + 2 * A - 11, ' ', 22);
	memset(s + 2 * A - 10, 'x', 20);
	s[99] = '\n';
	tv = textview_new(s, len, 30);
	v = starts_of(tv, len, &n);
	ok(!is_start(v, n, A), "no anchor within TEXT_ANCHOR of the line start");
	ok(is_start(v, n, A - 10), "(the word over it wraps whole)");
	ok(is_start(v, n, 2 * A), "an anchor cuts the word at 2 x TEXT_ANCHOR");
	is_int(textview_line_start(tv, 2 * A + 5), 2 * A, "line_start from after the anchor");
	is_int(textview_prev(tv, 2 * A), textview_line_start(tv, 2 * A - 1), "prev over the anchor");
	free(v);
	textview_free(tv);

	s[99] = 'x';
	tv = textview_new(s, len, 30);
	v = starts_of(tv, len, &n);
	ok(is_start(v, n, A), "a line from 0 has an anchor at TEXT_ANCHOR");
	ok(is_start(v, n, 2 * A) && is_start(v, n, 3 * A), "and every TEXT_ANCHOR after");
	free(v);
	textview_free(tv);

	/* a character across the anchor point moves it past the character;
	 * so do combining marks right after it */
	memcpy(s + A - 1, "\xe4\xb8\xad", 3);
	memcpy(s + 2 * A - 1, "e\xcc\x81\xcc\x81", 5);
	tv = textview_new(s, len, 30);
	v = starts_of(tv, len, &n);
	ok(!is_start(v, n, A) && is_start(v, n, A + 2), "anchor moved to the next character");
	ok(is_start(v, n, 2 * A + 4) && !is_start(v, n, 2 * A), "anchor moved past combining marks");
	is_int(textview_line_start(tv, A + 1), textview_line_start(tv, A - 1),
	       "the bytes of the character share its line");
	free(v);
	textview_free(tv);
	free(s);
}

/* random_text - len bytes of mixed text: words, spaces, tabs, newlines
 * (rare in the middle half, so lines longer than 2 x TEXT_ANCHOR occur),
 * CJK, emoji, combining marks, ESC, C1, invalid bytes. */
static char *random_text(size_t len)
{
	static const char *const pieces[] = {
		"word", "a", "longerword", "x", " ", " ", " ", "  ", "\t",
		"\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xcc\x81", "e\xcc\x81",
		"\x1b[1m", "\xc2\x9b", "\xff", "\xe2\x80\xae", "\xc3\xa9t\xc3\xa9",
		"\xe4\xb8", "\xcd\xb8",
	};
	char *s = pv_malloc(len + 16);
	size_t i = 0;

	while (i < len) {
		uint64_t r = rnd();
		bool middle = i > len / 4 && i < 3 * len / 4;
		const char *p;

		if (r % (middle ? 100000 : 40) == 0) {
			s[i++] = '\n';
			continue;
		}
		p = pieces[(r >> 20) % PV_ARRAY_LEN(pieces)];
		while (*p && i < len)
			s[i++] = *p++;
	}
	return s;
}

static void test_walk(void)
{
	static const int widths[] = { 1, 3, 8, 17, 80 };
	size_t len = 400000, k, i, line = 0, longest = 0;
	char *s;
	int wi;

	rng_state = 0x9e3779b97f4a7c15ull;   /* the same text whatever ran before */
	s = random_text(len);
	for (i = 0; i < len; i++) {
		line = s[i] == '\n' ? 0 : line + 1;
		longest = PV_MAX(longest, line);
	}
	ok(longest > 3 * A, "the random text has a line over 3 x TEXT_ANCHOR (%zu bytes)", longest);

	for (wi = 0; wi < (int)PV_ARRAY_LEN(widths); wi++) {
		int width = widths[wi];
		size_t tlen = width == 1 ? len / 3 : len;
		struct textview *fw = textview_new(s, tlen, width);
		struct textview *bw = textview_new(s, tlen, width);
		struct textview *ls = textview_new(s, tlen, width);
		size_t n, off, bad = 0, lbad = 0, nlbad = 0, wbad = 0;
		size_t *v = starts_of(fw, tlen, &n);
		struct grid g;

		/* backward from the end, with a view that has seen nothing */
		off = textview_last(bw);
		if (off != v[n - 1])
			bad++;
		for (i = n - 1; i > 0; i--) {
			off = textview_prev(bw, off);
			if (off != v[i - 1]) {
				bad++;
				break;
			}
		}
		ok(bad == 0 && n > 1, "width %d: %zu lines; walking back visits the same starts",
		   width, n);
		/* line_start of random bytes: the last start before them */
		for (k = 0; k < 500; k++) {
			size_t x = rnd() % tlen, lo = 0, hi = n;

			while (hi - lo > 1) {
				size_t mid = (lo + hi) / 2;

				if (v[mid] <= x)
					lo = mid;
				else
					hi = mid;
			}
			if (textview_line_start(ls, x) != v[lo])
				lbad++;
		}
		ok(lbad == 0, "width %d: line_start agrees at 500 random bytes", width);
		for (i = 1; i < tlen; i++)
			if (s[i - 1] == '\n' && !is_start(v, n, i))
				nlbad++;
		ok(nlbad == 0, "width %d: every logical line starts a visual line", width);
		/* every line fits the width (but for a glyph alone on it) */
		grid_init(&g, width + 12, 1);
		for (i = 0; i < n; i += 1 + n / 300) {
			int x;

			grid_clear(&g, R_CURSOR);
			textview_draw(fw, &g, 0, 1, 0, 0, v[i]);
			for (x = width; x < g.w; x++)
				if (grid_at(&g, 0, x)->role != R_CURSOR)
					wbad++;
		}
		ok(wbad == 0, "width %d: drawn lines stay within the width", width);
		grid_done(&g);
		free(v);
		textview_free(fw);
		textview_free(bw);
		textview_free(ls);
	}
	free(s);
}

/*
 * 100 MB documents.
 */

/* big_words - len bytes of words and spaces, a newline every `line`
 * bytes on average (0: none). */
static char *big_words(size_t len, unsigned line)
{
	char *s = malloc(len);
	size_t i = 0;

	if (!s)
		return NULL;
	while (i < len) {
		uint64_t r = rnd();
		size_t w = 1 + r % 9, k;

		for (k = 0; k < w && i < len; k++)
			s[i++] = (char)('a' + (r >> (8 + 4 * k)) % 26);
		if (i < len)
			s[i++] = line && (r >> 56) % line < 6 ? '\n' : ' ';
	}
	return s;
}

static void time_doc(const char *name, const char *s, size_t len)
{
	struct textview *tv;
	struct grid g;
	double t0, t_open, t_last, t_back, t_draw;
	size_t off, end, last, at;
	int k, nw;

	t0 = now_ms();
	tv = textview_new(s, len, 200);
	t_open = now_ms() - t0;
	t0 = now_ms();
	off = last = textview_last(tv);
	t_last = now_ms() - t0;
	t0 = now_ms();
	for (k = 0; k < 50; k++)
		off = textview_prev(tv, off);
	t_back = now_ms() - t0;
	nw = textview_number_width(tv);
	grid_init(&g, 200 + nw, 50);
	t0 = now_ms();
	textview_set_width(tv, 200, off);
	end = textview_draw(tv, &g, 0, 50, 0, nw, off);
	t_draw = now_ms() - t0;
	printf("# %s: open %.3f ms, last %.3f ms, back 50 lines %.3f ms, draw 200x50 %.3f ms\n",
	       name, t_open, t_last, t_back, t_draw);
	textview_set_search(tv, "zzzzzzzzzz");
	t0 = now_ms();
	textview_find(tv, off, true, &at);
	printf("# %s: searching all of it for an absent word %.1f ms\n", name, now_ms() - t0);
	ok(t_open < 200 && t_last < 200 && t_back < 200 && t_draw < 200,
	   "%s: open, last, back 50 and draw each under 200 ms", name);
	is_int(end, last, "%s: 50 rows from 50 lines up end at the last line", name);
	textview_free(tv);
	grid_done(&g);
}

static void test_big(void)
{
	size_t len = 100u << 20;
	char *s;

	if (getenv("PROVEX_VALGRIND") && *getenv("PROVEX_VALGRIND")) {
		tap_skip("100 MB timings skipped under valgrind (PROVEX_VALGRIND is set)");
		tap_skip("100 MB timings skipped under valgrind (PROVEX_VALGRIND is set)");
		return;
	}
	s = big_words(len, 0);
	if (!s) {
		tap_skip("no memory for 100 MB");
		tap_skip("no memory for 100 MB");
		return;
	}
	ok(memchr(s, '\n', len) == NULL, "100 MB of words with no newline");
	time_doc("100 MB, no newline", s, len);
	free(s);
	s = big_words(len, 60);
	ok(s != NULL, "100 MB of short lines");
	if (s) {
		time_doc("100 MB, short lines", s, len);
		free(s);
	}
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		printf("# no C.UTF-8 locale: widths will be wrong\n");
	test_glyphs();
	test_grid_put();
	test_grid_wide();
	test_grid_misc();
	test_wrap();
	test_numbers();
	test_numbers_far();
	test_search();
	test_search_random();
	test_diff();
	test_anchors();
	test_walk();
	test_big();
	return tap_done();
}
