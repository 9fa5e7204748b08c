/*
 * grid.c - the headless screen of grid.h, and glyph_next(), the one place
 * that decides how a byte sequence is shown.
 *
 * UTF-8 is checked with utf8_seq_len() and decoded here rather than by
 * mbrtowc(), so what counts as a character never depends on the locale's
 * charset; only widths come from wcwidth().  Code points that could
 * reorder or hide text (bidi controls, zero-width format characters, line
 * and paragraph separators: common/utf8.h utf8_hidden, the rule the command
 * line's utf8_sanitize follows too) are placeholders whatever wcwidth says.
 *
 * Every write goes through a pen (struct grid_pen): grid_put() is a loop
 * over glyph_next() and grid_pen_put(), and tui/text.c lays documents out
 * with the same pen, so measuring and drawing cannot disagree.
 *
 * The grid owns its cells; nothing here keeps a pointer to written text.
 */
#include "grid.h"
#include "../common/pv.h"
#include "../common/utf8.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Bytes a cell's ch holds, the NUL included. */
#define CH_SIZE ((int)sizeof(((struct cell *)NULL)->ch))

static const char hex[] = "0123456789ABCDEF";

/* set_placeholder - makes g the <U+XXXX> stand-in of cp (4 to 6 digits). */
static void set_placeholder(struct glyph *g, uint32_t cp)
{
	g->width = (int)utf8_placeholder(g->text, cp);
	g->placeholder = true;
}

void glyph_next(const char *s, size_t len, struct glyph *g)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char c = p[0];
	uint32_t cp;
	size_t n;
	int w;

	g->bytes = 1;
	g->placeholder = g->tab = g->newline = false;
	if (c >= 0x20 && c < 0x7f) {
		g->width = 1;
		g->text[0] = (char)c;
		g->text[1] = '\0';
		return;
	}
	if (c == '\t') {
		g->tab = true;
		g->width = 1;
		memcpy(g->text, " ", 2);
		return;
	}
	if (c < 0x20 || c == 0x7f) {
		g->newline = c == '\n';
		g->placeholder = true;
		g->width = 2;
		g->text[0] = '^';
		g->text[1] = c == 0x7f ? '?' : (char)(c + '@');
		g->text[2] = '\0';
		return;
	}
	n = utf8_seq_len(p, len);
	if (n == 0) {
		g->text[0] = '\\';
		g->text[1] = 'x';
		g->text[2] = (char)(hex[c >> 4] | 0x20);   /* lower case */
		g->text[3] = (char)(hex[c & 0xf] | 0x20);
		g->text[4] = '\0';
		g->width = 4;
		g->placeholder = true;
		return;
	}
	g->bytes = n;
	cp = utf8_decode(p, n);
	if (cp < 0xa0 || utf8_hidden(cp) || (w = wcwidth((wchar_t)cp)) < 0 || w > 2) {
		set_placeholder(g, cp);
		return;
	}
	g->width = w;
	memcpy(g->text, s, n);
	g->text[n] = '\0';
}

/*
 * Cells.
 */

/* blank - makes c a space in role. */
static void blank(struct cell *c, int role)
{
	c->ch[0] = ' ';
	c->ch[1] = '\0';
	c->width = 1;
	c->role = (uint8_t)role;
}

/* unpair - before cell x of row is overwritten: blanks the other half of
 * the wide character it belongs to, so no half is left orphaned. */
static void unpair(struct cell *row, int w, int x)
{
	if (row[x].width == 2 && x + 1 < w && row[x + 1].width == 0)
		blank(&row[x + 1], row[x + 1].role);
	else if (row[x].width == 0 && x > 0 && row[x - 1].width == 2)
		blank(&row[x - 1], row[x - 1].role);
}

/* row_of - row y of g, or NULL when there is none. */
static struct cell *row_of(struct grid *g, int y)
{
	if (!g || y < 0 || y >= g->h || !g->cells)
		return NULL;
	return g->cells + (size_t)y * (size_t)g->w;
}

/* put_cell - writes a character of width 1 or 2 (ch: n bytes, n < 16) at
 * column x of row y; the parts outside the grid are dropped (a wide
 * character cut by an edge leaves a space in its visible half). */
static void put_cell(struct grid *g, int y, int x, const char *ch, size_t n,
		     int width, int role)
{
	struct cell *row = row_of(g, y);

	if (!row || x >= g->w || x + width <= 0)
		return;
	if (width == 2 && (x < 0 || x + 1 >= g->w)) {
		x = x < 0 ? 0 : x;
		unpair(row, g->w, x);
		blank(&row[x], role);
		return;
	}
	unpair(row, g->w, x);
	memcpy(row[x].ch, ch, n);
	row[x].ch[n] = '\0';
	row[x].width = (uint8_t)width;
	row[x].role = (uint8_t)role;
	if (width == 2) {
		unpair(row, g->w, x + 1);
		row[x + 1].ch[0] = '\0';
		row[x + 1].width = 0;
		row[x + 1].role = (uint8_t)role;
	}
}

int grid_init(struct grid *g, int w, int h)
{
	g->w = g->h = 0;
	g->cells = NULL;
	return grid_resize(g, w, h);
}

int grid_resize(struct grid *g, int w, int h)
{
	struct cell *cells = NULL;

	w = w < 0 ? 0 : w;
	h = h < 0 ? 0 : h;
	if (w > 0 && h > 0) {
		cells = calloc((size_t)w * (size_t)h, sizeof *cells);
		if (!cells)
			return PV_ENOMEM;
	}
	free(g->cells);
	g->cells = cells;
	g->w = cells ? w : 0;
	g->h = cells ? h : 0;
	grid_clear(g, R_LIST);
	return 0;
}

void grid_done(struct grid *g)
{
	free(g->cells);
	g->cells = NULL;
	g->w = g->h = 0;
}

void grid_clear(struct grid *g, enum role role)
{
	size_t i, n = (size_t)g->w * (size_t)g->h;

	for (i = 0; i < n; i++)
		blank(&g->cells[i], role);
}

struct cell *grid_at(struct grid *g, int y, int x)
{
	struct cell *row = row_of(g, y);

	return row && x >= 0 && x < g->w ? &row[x] : NULL;
}

/*
 * Pens.
 */

void grid_pen_init(struct grid_pen *p, int y, int x, int x_end, int flags)
{
	p->y = y;
	p->x0 = p->x = x;
	p->x_end = x_end;
	p->flags = flags;
	p->join_x = x;
	p->join = 0;
}

int grid_pen_fit(const struct grid_pen *p, struct glyph *gl)
{
	if (gl->tab) {
		gl->width = (p->flags & GP_ONE_LINE) ? 1 : 8 - (p->x - p->x0) % 8;
	} else if (gl->width == 0 && !gl->placeholder &&
		   (p->join == 0 || p->join + (int)gl->bytes >= CH_SIZE)) {
		set_placeholder(gl, utf8_decode((const unsigned char *)gl->text, gl->bytes));
	}
	return gl->width;
}

bool grid_pen_put(struct grid_pen *p, struct grid *g, struct glyph *gl,
		  enum role role)
{
	int w = grid_pen_fit(p, gl), i;

	if (w == 0) {
		/* a combining mark: joins the cell before */
		struct cell *c = g ? grid_at(g, p->y, p->join_x) : NULL;

		if (c && c->width != 0)
			strcat(c->ch, gl->text);
		p->join += (int)gl->bytes;
		return true;
	}
	p->join = 0;
	if (gl->placeholder || gl->tab) {
		for (i = 0; i < w; i++) {
			if (p->x >= p->x_end)
				return false;
			if (gl->tab)
				put_cell(g, p->y, p->x, " ", 1, 1, role);
			else
				put_cell(g, p->y, p->x, gl->text + i, 1, 1, R_PLACEHOLDER);
			p->x++;
		}
		return true;
	}
	if (p->x + w > p->x_end) {
		if (p->x < p->x_end) {
			put_cell(g, p->y, p->x, " ", 1, 1, role);
			p->x++;
		}
		return false;
	}
	put_cell(g, p->y, p->x, gl->text, gl->bytes, w, role);
	p->join_x = p->x;
	p->join = (int)gl->bytes;
	p->x += w;
	return true;
}

/*
 * Writing text.
 */

int text_width(const char *s, size_t len)
{
	struct grid_pen pen;
	struct glyph gl;
	size_t i;

	grid_pen_init(&pen, 0, 0, INT_MAX, GP_ONE_LINE);
	for (i = 0; i < len; i += gl.bytes) {
		glyph_next(s + i, len - i, &gl);
		grid_pen_put(&pen, NULL, &gl, R_LIST);
	}
	return pen.x;
}

int grid_put(struct grid *g, int y, int x, int x_end, const char *s, size_t len,
	     enum role role, int flags, size_t *used)
{
	struct grid_pen pen;
	struct glyph gl;
	size_t i;

	if (x_end > g->w)
		x_end = g->w;
	grid_pen_init(&pen, y, x, x_end, flags);
	for (i = 0; i < len; i += gl.bytes) {
		glyph_next(s + i, len - i, &gl);
		if (gl.newline && !(flags & GP_ONE_LINE))
			break;
		if (!grid_pen_put(&pen, g, &gl, role))
			break;
	}
	if (used)
		*used = i;
	return pen.x;
}

int grid_puts(struct grid *g, int y, int x, int x_end, const char *s, enum role role)
{
	return grid_put(g, y, x, x_end, s, strlen(s), role, 0, NULL);
}

int grid_printf(struct grid *g, int y, int x, int x_end, enum role role,
		const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int end;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	end = grid_put(g, y, x, x_end, buf_str(&b), b.len, role, 0, NULL);
	buf_done(&b);
	return end;
}

void grid_fill(struct grid *g, int y, int x, int x_end, enum role role)
{
	struct cell *row = row_of(g, y);

	if (!row)
		return;
	x = x < 0 ? 0 : x;
	x_end = x_end > g->w ? g->w : x_end;
	for (; x < x_end; x++) {
		unpair(row, g->w, x);
		blank(&row[x], role);
	}
}

void grid_set_role(struct grid *g, int y, int x, int x_end, enum role role)
{
	struct cell *row = row_of(g, y);

	if (!row)
		return;
	x = x < 0 ? 0 : x;
	x_end = x_end > g->w ? g->w : x_end;
	for (; x < x_end; x++)
		row[x].role = (uint8_t)role;
}

void grid_row_text(const struct grid *g, int y, struct buf *out)
{
	const struct cell *row;
	int x;

	if (y < 0 || y >= g->h || !g->cells)
		return;
	row = g->cells + (size_t)y * (size_t)g->w;
	for (x = 0; x < g->w; x++)
		if (row[x].width != 0)
			buf_puts(out, row[x].ch);
}
