/*
 * pane.c - one document on screen (see pane.h).
 */
#include "pane.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pane_load(struct app *a, struct pane *p, const struct browse_row *row)
{
	struct pv_err err;
	struct store *s;
	int rc;

	memset(p, 0, sizeof *p);
	p->text = (struct buf)BUF_INIT;
	p->match = PANE_NO_MATCH;
	pv_err_clear(&err);
	/* the text is in the document's shard (its store for a store) */
	if (!(s = set_browse_store_of(a->set, row->id)))
		rc = pv_errf(&err, PV_ENOTFOUND, "document %lld: no shard of the set "
			     "holds it", (long long)row->id);
	else
		rc = store_text_read(s, row->text_id, &p->text, &err);
	if (rc) {
		app_error(a, &err);
		buf_done(&p->text);
		return false;
	}
	p->row = browse_row_copy(row);
	p->width = 80;
	p->tv = textview_new(p->text.data ? p->text.data : "", p->text.len, p->width);
	if (!p->tv) {
		app_status(a, R_ERROR, "out of memory laying out document %lld",
			   (long long)row->id);
		pane_done(p);
		return false;
	}
	/* the last line's number (one pass counting newlines) gives the line
	 * number column its width before the first screen is laid out */
	textview_lineno(p->tv, p->text.len);
	pv_err_clear(&err);
	if (!app_review_store(a, false) ||
	    browse_history_count(app_review_store(a, false), row->id, &p->nhist, &err))
		p->nhist = 0;
	return true;
}

void pane_refresh(struct app *a, struct pane *p)
{
	struct browse_row *r;
	struct pv_err err;

	if (!p->row)
		return;
	r = row_fetch(a, p->row->id);
	if (!r)
		return;
	browse_row_free(p->row);
	p->row = r;
	pv_err_clear(&err);
	if (!app_review_store(a, false) ||
	    browse_history_count(app_review_store(a, false), r->id, &p->nhist, &err))
		p->nhist = 0;
}

void pane_done(struct pane *p)
{
	textview_free(p->tv);
	wordset_free(p->words);
	browse_row_free(p->row);
	buf_done(&p->text);
	free(p->search);
	memset(p, 0, sizeof *p);
}

struct wordset *pane_words(struct pane *p)
{
	if (!p->words)
		p->words = wordset_new(p->text.data ? p->text.data : "", p->text.len);
	return p->words;
}

/* ---- the header ---- */

#define HDR_ITEMS 12

struct hdr_item {
	struct buf text;             /* owned */
	enum role role;
	bool new_row;                /* starts a row of its own */
	int id_cols;                 /* the #id's columns (first item) */
};

static void item_add(struct hdr_item *it, int *n, bool new_row, enum role role,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void item_add(struct hdr_item *it, int *n, bool new_row, enum role role,
		     const char *fmt, ...)
{
	va_list ap;

	it[*n].text = (struct buf)BUF_INIT;
	va_start(ap, fmt);
	buf_vprintf(&it[*n].text, fmt, ap);
	va_end(ap);
	it[*n].role = role;
	it[*n].new_row = new_row;
	it[*n].id_cols = 0;
	(*n)++;
}

static int header_items(const struct pane *p, struct hdr_item *it)
{
	const struct browse_row *r = p->row;
	char n1[32];
	int n = 0;

	if (r->ext_id && !p->hide)
		item_add(it, &n, true, R_HEADER, "#%lld %s", (long long)r->id, r->ext_id);
	else
		item_add(it, &n, true, R_HEADER, "#%lld", (long long)r->id);
	{
		char id[32];
		it[0].id_cols = snprintf(id, sizeof id, "#%lld", (long long)r->id);
	}
	if (p->hide) {
		item_add(it, &n, false, R_HEADER, "%s bytes (provenance hidden)",
			 pv_num(r->len, n1));
		return n;
	}
	item_add(it, &n, false, origin_role(r->origin), "%s", r->origin ? r->origin : "unknown");
	item_add(it, &n, false, R_HEADER, "source: %s", r->source ? r->source : "-");
	item_add(it, &n, false, R_HEADER, "generator: %s", r->generator ? r->generator : "-");
	item_add(it, &n, false, R_HEADER, "purpose: %s", r->purpose ? r->purpose : "-");
	item_add(it, &n, true, R_HEADER, "label: %s", r->label ? r->label : "-");
	if (r->note)
		item_add(it, &n, false, R_HEADER, "note: %s", r->note);
	item_add(it, &n, false, R_HEADER, "%s bytes", pv_num(r->len, n1));
	if (r->nocc > 1)
		item_add(it, &n, false, R_HEADER, "text x%lld", (long long)r->nocc);
	item_add(it, &n, false, R_HEADER, "history: %lld change%s", (long long)p->nhist,
		 p->nhist == 1 ? "" : "s");
	return n;
}

/* The most rows a header may take in a pane h rows high. */
static int header_cap(int h)
{
	return h / 3 > 2 ? h / 3 : 2;
}

/* Lays the items out in w columns, at most maxrows rows (the last row
 * takes what is left, cut); draws them when g is not NULL.  Returns the
 * rows used. */
static int header_layout(struct hdr_item *it, int n, struct grid *g, int y, int x,
			 int w, int maxrows, bool focused)
{
	int row = 0, cx = 0, i;

	for (i = 0; i < n; i++) {
		const char *s = buf_str(&it[i].text);
		int iw = text_width(s, it[i].text.len), sep = cx ? 2 : 0;
		if (i > 0 && (it[i].new_row || cx + sep + iw > w) && cx > 0 &&
		    row + 1 < maxrows) {
			row++;
			cx = 0;
			sep = 0;
		}
		if (g && cx + sep < w) {
			int at = x + cx + sep;
			grid_put(g, y + row, at, x + w, s, it[i].text.len, it[i].role,
				 GP_ONE_LINE, NULL);
			if (focused && it[i].id_cols)
				grid_set_role(g, y + row, at, PV_MIN(at + it[i].id_cols, x + w),
					      R_CURSOR);
		}
		cx += sep + iw;
	}
	return row + 1;
}

static void items_done(struct hdr_item *it, int n)
{
	int i;

	for (i = 0; i < n; i++)
		buf_done(&it[i].text);
}

int pane_header_rows(const struct pane *p, int w, int h)
{
	struct hdr_item it[HDR_ITEMS];
	int n = header_items(p, it), rows;

	rows = header_layout(it, n, NULL, 0, 0, w, header_cap(h), false);
	items_done(it, n);
	return rows > 2 ? rows : 2;
}

static int draw_header(struct pane *p, struct grid *g, int y, int x, int w, int h,
		       bool focused)
{
	struct hdr_item it[HDR_ITEMS];
	int n = header_items(p, it), rows, r, cap = header_cap(h);

	rows = header_layout(it, n, NULL, 0, 0, w, cap, false);
	if (rows < 2)
		rows = 2;
	if (rows < p->header_min)
		rows = PV_MIN(p->header_min, cap);
	for (r = 0; r < rows; r++)
		grid_fill(g, y + r, x, x + w, R_HEADER);
	header_layout(it, n, g, y, x, w, cap, focused);
	items_done(it, n);
	return rows;
}

/* ---- drawing and moving ---- */

void pane_draw(struct app *a, struct pane *p, struct grid *g, int x, int w,
	       int y, int h, bool focused)
{
	int nw, textw, used;

	(void)a;
	if (w < 4 || h < 3)
		return;
	used = draw_header(p, g, y, x, w, h, focused);
	nw = textview_number_width(p->tv);
	if (nw > w / 3)
		nw = 0;
	textw = w - nw;
	if (textw < 1)
		textw = 1;
	if (textw != p->width) {
		p->top = textview_set_width(p->tv, textw, p->top);
		p->width = textw;
	}
	p->rows = h - used;
	p->bottom = textview_draw(p->tv, g, y + used, h - used, x, nw, p->top);
	if (p->text.len == 0)
		grid_puts(g, y + used, x + nw, x + w, "(empty document)", R_DIM);
}

/* The top of the last screen: the last line on the pane's last row. */
static size_t last_top(struct pane *p)
{
	size_t top = textview_last(p->tv);
	int i;

	for (i = 1; i < p->rows && top > 0; i++)
		top = textview_prev(p->tv, top);
	return top;
}

void pane_scroll(struct pane *p, int lines)
{
	size_t last = last_top(p);

	if (lines > 0 && p->top >= last)
		return;
	for (; lines > 0 && p->top < last; lines--)
		p->top = textview_next(p->tv, p->top);
	for (; lines < 0 && p->top > 0; lines++)
		p->top = textview_prev(p->tv, p->top);
}

void pane_top(struct pane *p)
{
	p->top = 0;
}

void pane_end(struct pane *p)
{
	p->top = last_top(p);
}

const char *pane_where(struct pane *p, char *out, size_t size)
{
	int64_t line = textview_lineno(p->tv, p->top);
	int64_t last = textview_lineno(p->tv, p->text.len ? p->text.len - 1 : 0);
	size_t seen = p->bottom > p->top ? p->bottom : p->top;
	int pct = p->text.len ? (int)((double)PV_MIN(seen, p->text.len) * 100 /
				      (double)p->text.len) : 100;

	snprintf(out, size, "line %lld/%lld  %d%%", (long long)line, (long long)last, pct);
	return out;
}

/* Brings the match at `at` to the top of the screen (not past the last
 * screen) and makes it the current one. */
static void show_match(struct pane *p, size_t at)
{
	size_t line = textview_line_start(p->tv, at), last = last_top(p);

	p->match = at;
	p->top = line < last ? line : last;
}

void pane_find(struct app *a, struct pane *p, bool forward)
{
	size_t at, from;
	bool wrapped;

	if (!p->search) {
		app_status(a, R_STATUS, "no search: / searches in the document");
		return;
	}
	/* from the current match while it is on screen, else from the top */
	if (p->match != PANE_NO_MATCH && p->match >= p->top && p->match < p->bottom)
		from = p->match;
	else if (forward)
		from = p->top ? p->top - 1 : p->text.len;
	else
		from = p->top;
	if (!textview_find(p->tv, from, forward, &at)) {
		app_status(a, R_ERROR, "not found: %s", p->search);
		return;
	}
	wrapped = from < p->text.len && (forward ? at <= from : at >= from);
	show_match(p, at);
	if (wrapped)
		app_status(a, R_STATUS, "match at line %lld (%s)",
			   (long long)textview_lineno(p->tv, at),
			   forward ? "from the top again" : "from the end again");
	else
		app_status(a, R_STATUS, "match at line %lld",
			   (long long)textview_lineno(p->tv, at));
}

void pane_set_search(struct pane *p, const char *needle)
{
	free(p->search);
	p->search = *needle ? pv_strdup(needle) : NULL;
	p->match = PANE_NO_MATCH;
	textview_set_search(p->tv, needle);
}

void pane_search(struct app *a, struct pane *p, const char *needle)
{
	size_t at;

	pane_set_search(p, needle);
	if (!p->search) {
		app_status(a, R_STATUS, "search cleared");
		return;
	}
	/* from the line shown: a match on it counts */
	if (!textview_find(p->tv, p->top ? p->top - 1 : p->text.len, true, &at)) {
		app_status(a, R_ERROR, "not found: %s", needle);
		return;
	}
	show_match(p, at);
	app_status(a, R_STATUS, "match at line %lld (n: next, N: previous)",
		   (long long)textview_lineno(p->tv, at));
}
