/*
 * docview.c - the document view (the reader): one document, wrapped,
 * with line numbers, its provenance header and (m) a panel with every
 * metadata field: the document's provenance and review fields, where it
 * was read from, and every field kept from its input record (meta.PATH).
 */
#include "pane.h"
#include "../common/json.h"

#include <curses.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct meta_field {
	struct buf key, val;         /* owned; any bytes (shown safely) */
};

struct docview {
	struct pane pane;
	bool meta;                   /* the metadata panel is shown */
	bool meta_loaded;
	bool meta_full;              /* the panel covers the text (narrow
				      * screens): moving keys scroll it */
	size_t meta_top;             /* the first field shown when it does */
	int meta_rows;               /* rows of fields at the last draw */
	bool meta_more;              /* fields below the panel's last row */
	struct meta_field *fields;   /* owned */
	size_t nfields, cap;
};

static void meta_clear(struct docview *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++) {
		buf_done(&r->fields[i].key);
		buf_done(&r->fields[i].val);
	}
	r->nfields = 0;
}

static struct meta_field *meta_add(struct docview *r, const char *key, size_t klen)
{
	struct meta_field *f;

	if (r->nfields == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->fields = pv_realloc(r->fields, r->cap * sizeof *r->fields);
	}
	f = &r->fields[r->nfields++];
	f->key = (struct buf)BUF_INIT;
	f->val = (struct buf)BUF_INIT;
	buf_append(&f->key, key, klen);
	return f;
}

static void meta_set(struct docview *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void meta_set(struct docview *r, const char *key, const char *fmt, ...)
{
	struct meta_field *f = meta_add(r, key, strlen(key));
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&f->val, fmt, ap);
	va_end(ap);
}

/* Fills the fields: the document's own, where it came from, then every
 * field kept from the input. */
static void load_meta(struct app *a, struct docview *r)
{
	const struct browse_row *b = r->pane.row;
	struct doc_row row = { 0 };
	struct pv_err err;
	struct json_object obj = JSON_OBJECT_INIT;
	struct json_value v;
	char n1[32];
	size_t i;

	r->meta_loaded = true;
	meta_clear(r);
	meta_set(r, "document", "%lld", (long long)b->id);
	meta_set(r, "id", "%s", b->ext_id ? b->ext_id : "-");
	meta_set(r, "origin", "%s", b->origin ? b->origin : "unknown");
	meta_set(r, "source", "%s", b->source ? b->source : "-");
	meta_set(r, "generator", "%s", b->generator ? b->generator : "-");
	meta_set(r, "purpose", "%s", b->purpose ? b->purpose : "-");
	meta_set(r, "label", "%s", b->label ? b->label : "-");
	meta_set(r, "note", "%s", b->note ? b->note : "-");
	meta_set(r, "reviewer", "%s", b->reviewer ? b->reviewer : "-");
	meta_set(r, "bytes", "%s", pv_num(b->len, n1));
	meta_set(r, "words", "%s", pv_num(b->words, n1));
	meta_set(r, "same text", "%lld document%s", (long long)b->nocc,
		 b->nocc == 1 ? "" : "s");
	meta_set(r, "history", "%lld change%s", (long long)r->pane.nhist,
		 r->pane.nhist == 1 ? "" : "s");
	pv_err_clear(&err);
	if (set_browse_doc_get(a->set, b->id, &row, &err)) {
		meta_set(r, "error", "%s", err.msg);
		return;
	}
	meta_set(r, "file", "%s", row.file ? row.file : "-");
	meta_set(r, "record", "%lld", (long long)row.rec);
	meta_set(r, "stored", "%s bytes", pv_num(row.stored, n1));
	meta_set(r, "run", "%lld", (long long)row.run_id);
	if (row.meta && json_parse(row.meta, strlen(row.meta), &v, &obj, NULL) == 0 &&
	    v.kind == JSON_OBJECT) {
		for (i = 0; i < obj.n; i++) {
			const struct json_member *m = &obj.members[i];
			struct meta_field *f = meta_add(r, "meta.", 5);
			buf_append(&f->key, m->key, m->key_len);
			if (m->val.kind != JSON_STRING ||
			    json_decode_string(m->val.raw, m->val.raw_len, &f->val, NULL)) {
				buf_reset(&f->val);
				buf_append(&f->val, m->val.raw, m->val.raw_len);
			}
		}
	} else if (row.meta && *row.meta) {
		/* not JSON to this provex (a raw control character stored by an
		 * older one): shown as stored, with a note, rather than hidden */
		struct meta_field *f = meta_add(r, "meta (not valid JSON)", 21);
		buf_puts(&f->val, row.meta);
	}
	json_object_done(&obj);
	doc_row_done(&row);
}

/* Draws field f from row y (a row outside the grid only measures), the
 * key in [x, x + kw), the value from x + kw + 1 to x_end, continued on
 * the rows below up to end; returns the rows it takes. */
static int draw_field(const struct meta_field *f, struct grid *g, int y, int end,
		      int x, int kw, int x_end)
{
	const char *v = buf_str(&f->val);
	size_t left = f->val.len;
	int row = y;

	grid_put(g, y, x, x + kw, buf_str(&f->key), f->key.len, R_DIM, GP_ONE_LINE, NULL);
	if (left == 0)
		return 1;
	while (left && row < end) {
		size_t used = 0;
		grid_put(g, row, x + kw + 1, x_end, v, left, R_LIST, GP_ONE_LINE, &used);
		row++;
		if (used == 0)
			break;
		v += used;
		left -= used;
	}
	return row - y;
}

/* The panel in columns [x, x + w) and rows [y, y + h): a title, then a
 * key column and the values, long ones continued on the rows below.
 * When it covers the text it starts at meta_top, never leaving rows
 * empty that earlier fields could fill. */
static void draw_meta(struct docview *r, struct grid *g, int x, int w, int y, int h,
		      bool side)
{
	int row, kw = 0, end = y + h, need;
	size_t i, first = 0;

	if (side) {
		/* a separator on the left */
		for (row = y; row < end; row++)
			grid_puts(g, row, x, x + 1, "\xe2\x94\x82", R_DIM);
		x++;
		w--;
	}
	for (i = 0; i < r->nfields; i++) {
		int kl = text_width(buf_str(&r->fields[i].key), r->fields[i].key.len);
		if (kl > kw)
			kw = kl;
	}
	if (kw > w / 2)
		kw = w / 2;
	for (row = y; row < end; row++)
		grid_fill(g, row, x, x + w, R_LIST);
	grid_fill(g, y, x, x + w, R_HEADER);
	r->meta_rows = h - 1;
	if (r->meta_full) {
		if (r->meta_top >= r->nfields)
			r->meta_top = r->nfields ? r->nfields - 1 : 0;
		/* rows the fields from meta_top on take; pull back while the
		 * one before fits too */
		for (need = 0, i = r->meta_top; i < r->nfields; i++)
			need += draw_field(&r->fields[i], g, -1, INT_MAX, x + 1, kw, x + w);
		while (r->meta_top > 0) {
			int more = draw_field(&r->fields[r->meta_top - 1], g, -1, INT_MAX,
					      x + 1, kw, x + w);
			if (need + more > h - 1)
				break;
			need += more;
			r->meta_top--;
		}
		r->meta_more = need > h - 1;
		first = r->meta_top;
		grid_printf(g, y, x + 1, x + w, R_HEADER, "metadata %zu/%zu (j/k scroll, "
			    "m hides)", first + 1, r->nfields);
	} else {
		grid_puts(g, y, x + 1, x + w, "metadata (m hides)", R_HEADER);
	}
	row = y + 1;
	for (i = first; i < r->nfields && row < end; i++) {
		if (!r->meta_full && row == end - 1 && i + 1 < r->nfields) {
			grid_printf(g, row, x + 1, x + w, R_DIM, "(%zu more fields: a larger "
				    "terminal shows them)", r->nfields - i);
			break;
		}
		row += draw_field(&r->fields[i], g, row, end, x + 1, kw, x + w);
	}
}

static void docview_draw(struct app *a, void *state, struct grid *g)
{
	struct docview *r = state;
	int h = g->h - 1, w = g->w, mw = 0, ww;
	char where[64], left[256];
	long long id = (long long)r->pane.row->id;

	r->meta_full = false;
	if (r->meta) {
		if (!r->meta_loaded)
			load_meta(a, r);
		if (w >= 60)
			mw = w / 3;
		else
			r->meta_full = true;
	}
	if (r->meta_full)
		draw_meta(r, g, 0, w, 0, h, false);
	else
		pane_draw(a, &r->pane, g, 0, w - mw, 0, h, false);
	if (mw)
		draw_meta(r, g, w - mw, mw, 0, h, true);
	pane_where(&r->pane, where, sizeof where);
	app_draw_status(a, g, "", where);
	if (!a->status[0]) {
		/* the longest help that fits */
		ww = g->w - text_width(where, strlen(where)) - 2;
		snprintf(left, sizeof left, "document %lld  (q: back, m: metadata, /: search, "
			 "?: keys)", id);
		if (text_width(left, strlen(left)) > ww)
			snprintf(left, sizeof left, "#%lld  q: back  ?: keys", id);
		if (text_width(left, strlen(left)) > ww)
			snprintf(left, sizeof left, "#%lld", id);
		grid_puts(g, g->h - 1, 0, ww, left, R_STATUS);
	}
}

static void search_enter(struct app *a, void *ctx, const char *text)
{
	struct docview *r = a->state[a->nviews - 1];

	(void)ctx;
	pane_search(a, &r->pane, text);
}

/* Moving keys scroll the panel when it covers the text. */
static bool meta_key(struct docview *r, enum action act)
{
	size_t page = r->meta_rows > 1 ? (size_t)r->meta_rows - 1 : 1;
	size_t last = r->nfields ? r->nfields - 1 : 0;

	switch (act) {
	case ACT_DOWN: r->meta_top += r->meta_more && r->meta_top < last; return true;
	case ACT_UP: r->meta_top -= r->meta_top > 0; return true;
	case ACT_PGDN:
		if (r->meta_more)
			r->meta_top = PV_MIN(r->meta_top + page, last);
		return true;
	case ACT_PGUP: r->meta_top = r->meta_top > page ? r->meta_top - page : 0; return true;
	case ACT_TOP: r->meta_top = 0; return true;
	case ACT_END: r->meta_top = last; return true;
	default: return false;
	}
}

static bool docview_key(struct app *a, void *state, enum action act, int key)
{
	struct docview *r = state;
	struct pane *p = &r->pane;
	int page = p->rows > 1 ? p->rows - 1 : 1;

	if (r->meta_full && meta_key(r, act))
		return true;
	switch (act) {
	case ACT_DOWN: pane_scroll(p, 1); return true;
	case ACT_UP: pane_scroll(p, -1); return true;
	case ACT_PGDN: pane_scroll(p, page); return true;
	case ACT_PGUP: pane_scroll(p, -page); return true;
	case ACT_TOP: pane_top(p); return true;
	case ACT_END: pane_end(p); return true;
	case ACT_META: r->meta = !r->meta; return true;
	case ACT_SEARCH:
		prompt_open(a, PROMPT_SEARCH, p->search ? "search (empty clears): " :
			    "search: ", "", search_enter, NULL, NULL);
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

static void docview_refresh(struct app *a, void *state)
{
	struct docview *r = state;

	pane_refresh(a, &r->pane);
	r->meta_loaded = false;
}

static void docview_done(void *state)
{
	struct docview *r = state;

	pane_done(&r->pane);
	meta_clear(r);
	free(r->fields);
	free(r);
}

const struct view_ops docview_ops = {
	.name = "reader",
	.mask = VM_READER,
	.draw = docview_draw,
	.key = docview_key,
	.done = docview_done,
	.reload = docview_refresh,
};

void doc_open(struct app *a, const struct browse_row *row)
{
	struct docview *r = pv_malloc(sizeof *r);

	memset(r, 0, sizeof *r);
	if (!pane_load(a, &r->pane, row)) {
		free(r);
		return;
	}
	app_push(a, &docview_ops, r);
}
