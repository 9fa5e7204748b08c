/*
 * pane.c - one document on screen (see pane.h).
 */
#include "pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pane_load(struct app *a, struct pane *p, const struct browse_row *row)
{
	struct pv_err err;

	memset(p, 0, sizeof *p);
	p->text = (struct buf)BUF_INIT;
	pv_err_clear(&err);
	if (store_text_read(a->store, row->text_id, &p->text, &err)) {
		app_error(a, &err);
		buf_done(&p->text);
		return false;
	}
	p->row = row_copy(row);
	p->width = 80;
	p->tv = textview_new(p->text.data ? p->text.data : "", p->text.len, p->width);
	if (!p->tv) {
		app_status(a, R_ERROR, "out of memory laying out document %lld",
			   (long long)row->id);
		pane_done(p);
		return false;
	}
	pv_err_clear(&err);
	if (browse_history_count(a->store, row->id, &p->nhist, &err))
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
	row_free(p->row);
	p->row = r;
	pv_err_clear(&err);
	if (browse_history_count(a->store, r->id, &p->nhist, &err))
		p->nhist = 0;
}

void pane_done(struct pane *p)
{
	textview_free(p->tv);
	wordset_free(p->words);
	row_free(p->row);
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

void pane_draw(struct app *a, struct pane *p, struct grid *g, int x, int w,
	       int y, int h, bool focused)
{
	int nw, textw, used;

	if (w < 4 || h < 3)
		return;
	used = draw_doc_header(a, g, y, x, x + w, p->row, p->nhist, p->hide);
	if (focused)
		grid_set_role(g, y, x, x + 1, R_CURSOR);
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
	textview_draw(p->tv, g, y + used, h - used, x, nw, p->top);
	if (p->text.len == 0)
		grid_puts(g, y + used, x + nw, x + w, "(empty document)", R_DIM);
}

void pane_scroll(struct pane *p, int lines)
{
	size_t last = textview_last(p->tv);

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
	int i;

	p->top = textview_last(p->tv);
	/* show a full screen ending with the last line */
	for (i = 1; i < p->rows && p->top > 0; i++)
		p->top = textview_prev(p->tv, p->top);
}

const char *pane_where(struct pane *p, char *out, size_t size)
{
	int64_t line = textview_lineno(p->tv, p->top);
	int64_t last = textview_lineno(p->tv, p->text.len ? p->text.len - 1 : 0);
	int pct = p->text.len ? (int)((double)p->top * 100 / (double)p->text.len) : 100;

	snprintf(out, size, "line %lld/%lld  %d%%", (long long)line, (long long)last, pct);
	return out;
}

void pane_find(struct app *a, struct pane *p, bool forward)
{
	size_t at;

	if (!p->search) {
		app_status(a, R_STATUS, "no search: / searches in the document");
		return;
	}
	{
		size_t next = textview_next(p->tv, p->top);
		size_t from = forward ? (next > p->top ? next - 1 : p->top) : p->top;
		if (!textview_find(p->tv, from, forward, &at)) {
			app_status(a, R_ERROR, "not found: %s", p->search);
			return;
		}
	}
	if (0) {
		app_status(a, R_ERROR, "not found: %s", p->search);
		return;
	}
	p->top = textview_line_start(p->tv, at);
	app_status(a, R_STATUS, "match at line %lld", (long long)textview_lineno(p->tv, at));
}

void pane_search(struct app *a, struct pane *p, const char *needle)
{
	size_t at;

	free(p->search);
	p->search = *needle ? pv_strdup(needle) : NULL;
	textview_set_search(p->tv, needle);
	if (!p->search) {
		app_status(a, R_STATUS, "search cleared");
		return;
	}
	/* from the line shown: a match on it counts */
	if (!textview_find(p->tv, p->top ? p->top - 1 : p->text.len, true, &at)) {
		app_status(a, R_ERROR, "not found: %s", needle);
		return;
	}
	p->top = textview_line_start(p->tv, at);
	app_status(a, R_STATUS, "match at line %lld (n: next, N: previous)",
		   (long long)textview_lineno(p->tv, at));
}
