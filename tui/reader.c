/*
 * reader.c - the reader: one document, wrapped, with line numbers, its
 * provenance header and (m) a panel with every metadata field.
 */
#include "pane.h"
#include "../common/json.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	struct pane pane;
	bool meta;                   /* the metadata panel is shown */
	struct buf meta_lines;       /* owned: "key\tvalue\n" lines */
	bool meta_loaded;
};

/* Fills the metadata lines: file, record, input id, run, then every
 * field kept from the input, one per line. */
static void load_meta(struct app *a, struct reader *r)
{
	struct doc_row row = { 0 };
	struct pv_err err;
	struct json_object obj = JSON_OBJECT_INIT;
	struct json_value v;
	size_t i;

	r->meta_loaded = true;
	buf_reset(&r->meta_lines);
	pv_err_clear(&err);
	if (store_doc_get(a->store, r->pane.row->id, &row, &err)) {
		buf_printf(&r->meta_lines, "error\t%s\n", err.msg);
		return;
	}
	buf_printf(&r->meta_lines, "file\t%s\n", row.file ? row.file : "-");
	buf_printf(&r->meta_lines, "record\t%lld\n", (long long)row.rec);
	buf_printf(&r->meta_lines, "id\t%s\n", row.ext_id ? row.ext_id : "-");
	buf_printf(&r->meta_lines, "words\t%lld\n", (long long)row.words);
	buf_printf(&r->meta_lines, "stored\t%lld bytes\n", (long long)row.stored);
	buf_printf(&r->meta_lines, "run\t%lld\n", (long long)row.run_id);
	if (r->pane.row->reviewer)
		buf_printf(&r->meta_lines, "reviewer\t%s\n", r->pane.row->reviewer);
	if (row.meta && json_parse(row.meta, strlen(row.meta), &v, &obj, NULL) == 0 &&
	    v.kind == JSON_OBJECT) {
		for (i = 0; i < obj.n; i++) {
			const struct json_member *m = &obj.members[i];
			buf_printf(&r->meta_lines, "meta.%s\t", m->key);
			if (m->val.kind == JSON_STRING) {
				struct buf s = BUF_INIT;
				if (json_decode_string(m->val.raw, m->val.raw_len, &s, NULL) == 0)
					buf_append(&r->meta_lines, s.data ? s.data : "", s.len);
				buf_done(&s);
			} else {
				buf_append(&r->meta_lines, m->val.raw, m->val.raw_len);
			}
			buf_putc(&r->meta_lines, '\n');
		}
	}
	json_object_done(&obj);
	doc_row_done(&row);
}

static void draw_meta(struct reader *r, struct grid *g, int x, int w, int y, int h)
{
	const char *s = buf_str(&r->meta_lines), *end = s + r->meta_lines.len;
	int row = y, kw = 0;
	const char *p;

	/* key column width: the longest key, at most a third */
	for (p = s; p < end;) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (tab && tab < nl) {
			int kl = text_width(p, (size_t)(tab - p));
			if (kl > kw)
				kw = kl;
		}
		p = nl + 1;
	}
	if (kw > w / 3)
		kw = w / 3;
	grid_fill(g, y, x, x + w, R_HEADER);
	grid_puts(g, row++, x + 1, x + w, "metadata (m hides)", R_HEADER);
	for (p = s; p < end && row < y + h;) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (!tab || tab > nl)
			tab = p;
		grid_put(g, row, x + 1, x + 1 + kw, p, (size_t)(tab - p), R_DIM, GP_ONE_LINE, NULL);
		/* long values continue on the following lines */
		{
			const char *v = tab + 1;
			size_t left = nl > v ? (size_t)(nl - v) : 0;
			do {
				size_t used = 0;
				grid_put(g, row, x + 2 + kw, x + w, v, left, R_LIST, GP_ONE_LINE, &used);
				if (used == 0)
					break;
				v += used;
				left -= used;
				row++;
			} while (left && row < y + h);
		}
		p = nl + 1;
	}
	/* a separator on the left */
	for (row = y; row < y + h; row++)
		grid_puts(g, row, x, x + 1, "\xe2\x94\x82", R_DIM);
}

static void reader_draw(struct app *a, void *state, struct grid *g)
{
	struct reader *r = state;
	int h = g->h - 1, w = g->w, mw = 0;
	char where[64];

	if (r->meta) {
		if (!r->meta_loaded)
			load_meta(a, r);
		mw = w >= 60 ? w / 3 : 0;
	}
	pane_draw(a, &r->pane, g, 0, w - mw, 0, h, false);
	if (r->meta && mw)
		draw_meta(r, g, w - mw, mw, 0, h);
	else if (r->meta)
		draw_meta(r, g, 0, w, h / 2, h - h / 2);
	app_draw_status(a, g, "", pane_where(&r->pane, where, sizeof where));
	if (!a->status[0]) {
		char left[256];
		snprintf(left, sizeof left, "document %lld  (q: back, m: metadata, /: search, "
			 "?: keys)", (long long)r->pane.row->id);
		grid_puts(g, g->h - 1, 0, g->w - (int)strlen(where) - 2, left, R_STATUS);
	}
}

static void search_enter(struct app *a, const char *text)
{
	struct reader *r = a->state[a->nviews - 1];

	pane_search(a, &r->pane, text);
}

static bool reader_key(struct app *a, void *state, enum action act, int key)
{
	struct reader *r = state;
	struct pane *p = &r->pane;
	int page = p->rows > 1 ? p->rows - 1 : 1;

	(void)key;
	switch (act) {
	case ACT_DOWN: pane_scroll(p, 1); return true;
	case ACT_UP: pane_scroll(p, -1); return true;
	case ACT_PGDN: pane_scroll(p, page); return true;
	case ACT_PGUP: pane_scroll(p, -page); return true;
	case ACT_TOP: pane_top(p); return true;
	case ACT_END: pane_end(p); return true;
	case ACT_META: r->meta = !r->meta; return true;
	case ACT_SEARCH:
		prompt_open(a, PROMPT_SEARCH, "search: ", p->search ? p->search : "",
			    search_enter);
		return true;
	case ACT_NEXT: pane_find(a, p, true); return true;
	case ACT_PREV: pane_find(a, p, false); return true;
	case ACT_EDIT: form_open(a, p->row->id, p->row); return true;
	case ACT_HIST: history_open(a, p->row->id); return true;
	case ACT_COMPARE: compare_open(a, p->row); return true;
	default:
		break;
	}
	if (act >= ACT_REAL && act <= ACT_QUICK9) {
		app_relabel_key(a, act, p->row->id, false);
		return true;
	}
	if (act == ACT_NONE && key == KEY_MOUSE) {
		MEVENT ev;
		if (getmouse(&ev) == OK) {
			if (ev.bstate & BUTTON4_PRESSED)
				pane_scroll(p, -3);
			else if (ev.bstate & BUTTON5_PRESSED)
				pane_scroll(p, 3);
		}
		return true;
	}
	return false;
}

static void reader_refresh(struct app *a, void *state)
{
	struct reader *r = state;

	pane_refresh(a, &r->pane);
	r->meta_loaded = false;
}

static void reader_done(void *state)
{
	struct reader *r = state;

	pane_done(&r->pane);
	buf_done(&r->meta_lines);
	free(r);
}

const struct view_ops reader_ops = {
	.name = "reader",
	.mask = VM_READER,
	.draw = reader_draw,
	.key = reader_key,
	.done = reader_done,
	.reload = reader_refresh,
};

void doc_open(struct app *a, const struct browse_row *row)
{
	struct reader *r = pv_malloc(sizeof *r);

	memset(r, 0, sizeof *r);
	r->meta_lines = (struct buf)BUF_INIT;
	if (!pane_load(a, &r->pane, row)) {
		free(r);
		return;
	}
	app_push(a, &reader_ops, r);
}
