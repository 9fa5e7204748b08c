/*
 * panels.c - the small views: help (generated from the key table), a
 * document's history, the saved-filter picker, the document picker of
 * the compare view, and the form that edits purpose, source, generator
 * and note.
 *
 * The first four are one "menu" view: lines of text with a cursor, and
 * what Enter does with the line under it.
 */
#include "tui.h"
#include "../store/filter.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the menu view ---- */

struct item {
	char *text;                  /* owned; one line */
	char *arg;                   /* owned; what Enter acts on (or NULL) */
	int64_t id;
	enum role role;
};

struct menu {
	char title[256];
	struct item *items;
	size_t n, cap;
	size_t cursor, top;
	bool selectable;
	int64_t ctx;                 /* the picker's document */
	void (*pick)(struct app *a, struct menu *m, struct item *it);
	void (*del)(struct app *a, struct menu *m, struct item *it);
	unsigned mask;
	int rows;
};

static struct menu *menu_new(const char *title, bool selectable, unsigned mask)
{
	struct menu *m = pv_malloc(sizeof *m);

	memset(m, 0, sizeof *m);
	snprintf(m->title, sizeof m->title, "%s", title);
	m->selectable = selectable;
	m->mask = mask;
	return m;
}

static struct item *menu_add(struct menu *m, enum role role, const char *arg, int64_t id,
			     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static struct item *menu_add(struct menu *m, enum role role, const char *arg, int64_t id,
			     const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	struct item *it;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 32;
		m->items = pv_realloc(m->items, m->cap * sizeof *m->items);
	}
	it = &m->items[m->n++];
	it->text = pv_strdup(buf_str(&b));
	it->arg = arg ? pv_strdup(arg) : NULL;
	it->id = id;
	it->role = role;
	buf_done(&b);
	return it;
}

static void menu_done(void *state)
{
	struct menu *m = state;
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->items[i].text);
		free(m->items[i].arg);
	}
	free(m->items);
	free(m);
}

/* The bytes of s[0..len) that fit in columns [x, w) of one row, drawn
 * on row y of g in role (g NULL: only measured). */
static size_t line_fit(struct grid *g, int y, int x, int w, const char *s, size_t len,
		       enum role role)
{
	struct grid_pen pen;
	struct glyph gl;
	size_t i, used = 0;

	if (g) {
		grid_put(g, y, x, w, s, len, role, GP_ONE_LINE, &used);
		return used;
	}
	grid_pen_init(&pen, 0, x, w, GP_ONE_LINE);
	for (i = 0; i < len; i += gl.bytes) {
		glyph_next(s + i, len - i, &gl);
		if (!grid_pen_put(&pen, NULL, &gl, role))
			break;
	}
	return i;
}

/* Rows item text takes in columns [1, w): a line of text (help, history)
 * that does not fit goes on under itself, indented.  Drawn from row y of
 * g, not on row end or below (g NULL: only measured). */
static int item_rows(struct grid *g, const char *text, enum role role, int y, int end,
		     int w)
{
	size_t left = strlen(text), used;
	int rows = 0, x = 1;

	do {
		used = line_fit(g && y + rows < end ? g : NULL, y + rows, x, w, text, left, role);
		rows++;
		if (used == 0)
			break;
		text += used;
		left -= used;
		x = 5;
	} while (left && w > 12);
	return rows;
}

static void menu_draw(struct app *a, void *state, struct grid *g)
{
	struct menu *m = state;
	int rows = g->h - 2, y;
	char pos[64];

	m->rows = rows;
	if (m->selectable) {
		/* the cursor stays on screen */
		if (m->cursor < m->top)
			m->top = m->cursor;
		if (m->cursor >= m->top + (size_t)rows)
			m->top = m->cursor - (size_t)rows + 1;
	} else if (rows > 0 && m->n > 0) {
		/* text: the last page is a full one */
		size_t i = m->n;
		int need = 0;
		while (i > 0) {
			int r = item_rows(NULL, m->items[i - 1].text, R_LIST, 0, 0, g->w);
			if (need + r > rows)
				break;
			need += r;
			i--;
		}
		if (m->top > i)
			m->top = i;
	}
	grid_fill(g, 0, 0, g->w, R_HEADER);
	grid_puts(g, 0, 0, g->w, m->title, R_HEADER);
	if (m->selectable) {
		for (y = 0; y < rows; y++) {
			size_t i = m->top + (size_t)y;
			if (i >= m->n)
				break;
			bool cur = i == m->cursor;
			if (cur)
				grid_fill(g, y + 1, 0, g->w, R_CURSOR);
			grid_puts(g, y + 1, 1, g->w, m->items[i].text,
				  cur ? R_CURSOR : m->items[i].role);
		}
	} else {
		size_t i;
		for (y = 1, i = m->top; i < m->n && y <= rows; i++)
			y += item_rows(g, m->items[i].text, m->items[i].role, y, rows + 1, g->w);
	}
	if (m->n == 0)
		grid_puts(g, 2, 2, g->w, "(nothing here)", R_DIM);
	snprintf(pos, sizeof pos, "%zu/%zu", m->n ? (m->selectable ? m->cursor : m->top) + 1 : 0,
		 m->n);
	app_draw_status(a, g, m->selectable ? "Enter: choose  q: back" : "q: back", pos);
}

static bool menu_key(struct app *a, void *state, enum action act, int key)
{
	struct menu *m = state;
	size_t page = m->rows > 1 ? (size_t)m->rows - 1 : 1;
	size_t *at = m->selectable ? &m->cursor : &m->top;

	(void)key;
	switch (act) {
	case ACT_DOWN:
		if (*at + 1 < m->n)
			(*at)++;
		return true;
	case ACT_UP:
		if (*at > 0)
			(*at)--;
		return true;
	case ACT_PGDN:
		*at = *at + page < m->n ? *at + page : (m->n ? m->n - 1 : 0);
		return true;
	case ACT_PGUP:
		*at = *at > page ? *at - page : 0;
		return true;
	case ACT_TOP: *at = 0; return true;
	case ACT_END: *at = m->n ? m->n - 1 : 0; return true;
	case ACT_OPEN:
		if (m->selectable && m->pick && m->cursor < m->n)
			m->pick(a, m, &m->items[m->cursor]);
		return true;
	case ACT_DELETE:
		if (m->selectable && m->del && m->cursor < m->n)
			m->del(a, m, &m->items[m->cursor]);
		return true;
	default:
		return false;
	}
}

static void menu_open(struct app *a, struct menu *m);

static const struct view_ops help_view = { "help", VM_HELP, menu_draw, menu_key, menu_done, NULL };
static const struct view_ops history_view = { "history", VM_HISTORY, menu_draw, menu_key, menu_done, NULL };
static const struct view_ops picker_view = { "picker", VM_PICKER, menu_draw, menu_key, menu_done, NULL };
const struct view_ops help_ops = { "help", VM_HELP, menu_draw, menu_key, menu_done, NULL };
const struct view_ops history_ops = { "history", VM_HISTORY, menu_draw, menu_key, menu_done, NULL };
const struct view_ops picker_ops = { "picker", VM_PICKER, menu_draw, menu_key, menu_done, NULL };

static void menu_open(struct app *a, struct menu *m)
{
	const struct view_ops *ops = m->mask == VM_HELP ? &help_view :
		m->mask == VM_HISTORY ? &history_view : &picker_view;

	app_push(a, ops, m);
}

/* ---- help ---- */

static const char *view_title(unsigned mask)
{
	switch (mask) {
	case VM_LIST: return "the list";
	case VM_READER: return "the reader";
	case VM_COMPARE: return "the compare view";
	case VM_HISTORY: return "the history";
	case VM_PICKER: return "pickers";
	default: return "this view";
	}
}

void help_open(struct app *a, unsigned view_mask)
{
	static const unsigned order[] = { VM_LIST, VM_READER, VM_COMPARE, VM_PICKER };
	struct menu *m = menu_new("provex keys (q: back)", false, VM_HELP);
	size_t i, k;
	char keys[64];

	if (view_mask == VM_HELP)
		view_mask = VM_LIST;
	for (k = 0; k < sizeof order / sizeof order[0]; k++) {
		unsigned v = order[k];
		if (k == 0 || v == view_mask || true) {
			menu_add(m, R_HEADER, NULL, 0, "%s%s", v == view_mask ? "> keys in " : "keys in ",
				 view_title(v));
			for (i = 0; i < nkeydefs; i++) {
				const struct keydef *d = &keydefs_table[i];
				if (!(d->views & v))
					continue;
				key_names_of(d->action, keys, sizeof keys);
				if (d->action >= ACT_QUICK1 && d->action <= ACT_QUICK9) {
					int q = (int)(d->action - ACT_QUICK1);
					if (!a->cfg.quick[q])
						continue;
					menu_add(m, R_LIST, NULL, 0, "  %-12s label %s", keys,
						 a->cfg.quick[q]);
					continue;
				}
				menu_add(m, R_LIST, NULL, 0, "  %-12s %s", keys, d->help);
			}
			menu_add(m, R_LIST, NULL, 0, " ");
		}
	}
	menu_add(m, R_HEADER, NULL, 0, "in prompts");
	menu_add(m, R_LIST, NULL, 0, "  %-12s %s", "Enter", "apply");
	menu_add(m, R_LIST, NULL, 0, "  %-12s %s", "Esc", "cancel");
	menu_add(m, R_LIST, NULL, 0, "  %-12s %s", "Up, Down", "walk the filter history");
	menu_add(m, R_LIST, NULL, 0, "  %-12s %s", "Tab", "complete field names, values and "
		 "metadata paths (meta.)");
	menu_add(m, R_LIST, NULL, 0, "  %-12s %s", "C-a C-e C-u", "start, end, erase to start");
	menu_add(m, R_LIST, NULL, 0, " ");
	menu_add(m, R_HEADER, NULL, 0, "the filter language (provex(1) has it all)");
	menu_add(m, R_LIST, NULL, 0, "  origin:synthetic source:news* len:>2000 words:<100 "
		 "ratio:>4 dup:>1 label:keep");
	menu_add(m, R_LIST, NULL, 0, "  meta.lang:en meta.a.b:* meta.list.0.x:v meta.n:>0.5 "
		 "meta.ok:true has:meta.PATH");
	menu_add(m, R_LIST, NULL, 0, "  is:reviewed is:unreviewed is:dup  word \"a phrase\" "
		 "-term NOT term (a OR b) a AND b");
	menu_add(m, R_LIST, NULL, 0, "  AND OR NOT only in capitals: a lowercase or between "
		 "field terms is a word (with a warning)");
	/* start at the current view's section */
	for (i = 0; i < m->n; i++)
		if (strncmp(m->items[i].text, "> ", 2) == 0) {
			m->top = i;
			break;
		}
	menu_open(a, m);
}

/* ---- history ---- */

struct hist_ctx {
	struct menu *m;
};

static int hist_row(void *ctx, const struct label_hist *h)
{
	struct hist_ctx *c = ctx;

	menu_add(c->m, h->undoes ? R_DIM : R_LIST, NULL, h->id,
		 "%s  %-10s %-9s %s -> %s  (batch %lld%s%s%s)", h->at, h->reviewer ? h->reviewer : "-",
		 h->field, h->old_value ? h->old_value : "(none)",
		 h->new_value ? h->new_value : "(none)", (long long)h->batch_id,
		 h->undoes ? ", an undo" : "", h->note ? "; note: " : "", h->note ? h->note : "");
	return 0;
}

void history_open(struct app *a, int64_t doc)
{
	char title[128];
	struct menu *m;
	struct hist_ctx c;
	struct pv_err err;
	struct label_indexed li;

	snprintf(title, sizeof title, "history of document %lld (q: back)", (long long)doc);
	m = menu_new(title, false, VM_HISTORY);
	pv_err_clear(&err);
	if (set_browse_store_of(a->set, doc) &&
	    label_indexed(set_browse_store_of(a->set, doc), doc, &li, &err) == 0) {
		menu_add(m, R_HEADER, NULL, 0, "indexed%s%s: origin %s, source %s, generator %s, "
			 "purpose %s", li.started ? " " : "", li.started ? li.started : "",
			 li.value[0] ? li.value[0] : "-", li.value[1] ? li.value[1] : "-",
			 li.value[2] ? li.value[2] : "-", li.value[3] ? li.value[3] : "-");
		label_indexed_done(&li);
	}
	c.m = m;
	pv_err_clear(&err);
	/* a set's history is its review overlay's (none before the first
	 * change) */
	if (app_review_store(a, false) &&
	    label_history(app_review_store(a, false), doc, hist_row, &c, &err))
		app_error(a, &err);
	if (m->n <= 1)
		menu_add(m, R_DIM, NULL, 0, "no change since it was indexed");
	menu_open(a, m);
}

/* ---- saved filters ---- */

static void saved_pick(struct app *a, struct menu *m, struct item *it)
{
	char *f = pv_strdup(it->arg ? it->arg : "");

	(void)m;
	app_pop(a);                  /* frees m and it */
	if (app_set_filter(a, f))
		app_status(a, R_STATUS, "filter: %s", *f ? f : "(all documents)");
	free(f);
}

static void saved_fill(struct app *a, struct menu *m);

static void saved_del(struct app *a, struct menu *m, struct item *it)
{
	struct pv_err err;
	char name[128];
	const char *sp = strchr(it->text, ' ');
	size_t n = sp ? (size_t)(sp - it->text) : strlen(it->text);

	snprintf(name, sizeof name, "%.*s", (int)n, it->text);
	pv_err_clear(&err);
	if (!app_review_store(a, true))
		return;
	if (browse_delete_filter(app_review_store(a, true), name, &err)) {
		app_error(a, &err);
		return;
	}
	app_status(a, R_STATUS, "deleted saved filter '%s'", name);
	saved_fill(a, m);
}

static void saved_fill(struct app *a, struct menu *m)
{
	struct browse_saved *v = NULL;
	struct pv_err err;
	size_t n = 0, i;

	for (i = 0; i < m->n; i++) {
		free(m->items[i].text);
		free(m->items[i].arg);
	}
	m->n = 0;
	pv_err_clear(&err);
	if (!app_review_store(a, false))
		return;                      /* a set without its overlay yet */
	if (browse_saved(app_review_store(a, false), &v, &n, &err)) {
		app_error(a, &err);
		return;
	}
	for (i = 0; i < n; i++) {
		struct set_where where;
		int64_t count = -1;
		char num[32];
		if (app_compile(a, v[i].filter, &where)) {
			pv_err_clear(&err);
			if (set_browse_count(a->set, &where, &count, &err))
				count = -1;
		}
		set_where_done(&where);
		menu_add(m, R_LIST, v[i].filter, 0, "%-20s %12s  %s", v[i].name,
			 count >= 0 ? pv_num(count, num) : "?", *v[i].filter ? v[i].filter :
			 "(all documents)");
	}
	browse_saved_free(v, n);
	if (m->cursor >= m->n)
		m->cursor = m->n ? m->n - 1 : 0;
}

void saved_open(struct app *a)
{
	struct menu *m = menu_new("saved filters: name, documents, filter  (Enter: apply, "
				  "D: delete, q: back; :save NAME saves the active filter)",
				  true, VM_PICKER);

	m->pick = saved_pick;
	m->del = saved_del;
	saved_fill(a, m);
	menu_open(a, m);
}

/* ---- the document picker (compare) ---- */

static void doc_pick(struct app *a, struct menu *m, struct item *it)
{
	int64_t left = m->ctx, right = it->id;

	if (right <= 0)
		return;                      /* a note, not a document */
	app_pop(a);
	compare_picked(a, left, right);
}

/* ctx: the left document's id (an int64_t the prompt owns). */
static void picker_filter(struct app *a, void *ctx, const char *text)
{
	int64_t left = *(const int64_t *)ctx;
	struct set_where where;
	struct browse_page p;
	struct pv_err err;
	struct menu *m;
	size_t i;

	if (!app_compile(a, text, &where)) {
		set_where_done(&where);
		return;
	}
	pv_err_clear(&err);
	if (set_browse_fetch(a->set, &where, NULL, false, BROWSE_FIRST, NULL, 500, &p,
			     &err)) {
		app_error(a, &err);
		set_where_done(&where);
		return;
	}
	set_where_done(&where);
	{
		char title[128];
		snprintf(title, sizeof title, "compare document %lld with: pick one (Enter), "
			 "q: back", (long long)left);
		m = menu_new(title, true, VM_PICKER);
	}
	m->ctx = left;
	m->pick = doc_pick;
	for (i = 0; i < p.n; i++) {
		const struct browse_row *r = &p.rows[i];
		struct buf line = BUF_INIT;
		size_t e = 0;
		if (r->id == left)
			continue;            /* not with itself */
		while (e < r->head_len && r->head[e] != '\n')
			e++;
		buf_append(&line, r->head, e);
		menu_add(m, R_LIST, NULL, r->id, "%8lld %-5s %-14.14s %s", (long long)r->id,
			 origin_badge(r->origin), r->source ? r->source : "-", buf_str(&line));
		buf_done(&line);
	}
	if (p.more)
		menu_add(m, R_DIM, NULL, 0, "(the first 500; narrow the filter for others)");
	browse_page_done(&p);
	if (m->n == 0) {
		menu_done(m);
		app_status(a, R_ERROR, "no other document matches %s", *text ? text :
			   "(all documents)");
		return;
	}
	menu_open(a, m);
}

/* The filter offered first: documents of the other origin. */
void doc_picker_open(struct app *a, int64_t left_id)
{
	struct browse_row *r = row_fetch(a, left_id);
	const char *init = r && r->origin && !strcmp(r->origin, "real") ?
		"origin:synthetic" : "origin:real";
	int64_t *left = pv_malloc(sizeof *left);

	*left = left_id;
	prompt_open(a, PROMPT_FILTER, "compare with (filter): ", init, picker_filter,
		    left, free);
	browse_row_free(r);
}

/* ---- the edit form ---- */

#define FORM_FIELDS 4

struct form {
	int64_t doc;
	struct buf val[FORM_FIELDS];     /* owned */
	char *was[FORM_FIELDS];          /* owned: the values before */
	int at;
};

static const enum label_field form_fields[FORM_FIELDS] = {
	LF_PURPOSE, LF_SOURCE, LF_GENERATOR, LF_NOTE
};

static void form_draw(struct app *a, void *state, struct grid *g)
{
	struct form *f = state;
	int i, y = 2, x0 = g->w >= 60 ? 2 : 0, x1 = g->w - x0;

	/* drawn over the view below */
	a->ops[a->nviews - 2]->draw(a, a->state[a->nviews - 2], g);
	grid_fill(g, y - 1, x0, x1, R_HEADER);
	grid_printf(g, y - 1, x0 + 1, x1, R_HEADER, "edit document %lld", (long long)f->doc);
	for (i = 0; i < FORM_FIELDS; i++, y++) {
		const char *v = buf_str(&f->val[i]);
		size_t off = 0;
		int x, avail;
		grid_fill(g, y, x0, x1, R_STATUS);
		x = grid_printf(g, y, x0 + 1, x1, R_STATUS, "%-10s ",
				label_field_name(form_fields[i]));
		/* a long value shows its end, where typing goes */
		avail = x1 - 1 - x;
		while (off < f->val[i].len && avail > 0 &&
		       text_width(v + off, f->val[i].len - off) > avail) {
			off++;
			while (off < f->val[i].len && ((unsigned char)v[off] & 0xc0) == 0x80)
				off++;
		}
		x = grid_put(g, y, x, x1, v + off, f->val[i].len - off, R_STATUS,
			     GP_ONE_LINE, NULL);
		if (i == f->at) {
			struct cell *c = grid_at(g, y, x);
			if (c)
				c->role = R_CURSOR;
		}
	}
	grid_fill(g, y, x0, x1, R_HEADER);
	app_draw_status(a, g, "Tab: field  Enter: save  Esc: cancel", "");
}

static bool form_key(struct app *a, void *state, enum action act, int key)
{
	struct form *f = state;
	struct buf *v = &f->val[f->at];

	(void)act;
	switch (key) {
	case 27:
		app_pop(a);
		app_status(a, R_STATUS, "edit cancelled: nothing changed");
		return true;
	case '\t':
	case KEY_DOWN:
		f->at = (f->at + 1) % FORM_FIELDS;
		return true;
	case KEY_BTAB:
	case KEY_UP:
		f->at = (f->at + FORM_FIELDS - 1) % FORM_FIELDS;
		return true;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		while (v->len > 0) {
			v->len--;
			if (((unsigned char)v->data[v->len] & 0xc0) != 0x80)
				break;
		}
		if (v->data)
			v->data[v->len] = 0;
		return true;
	case 21:                         /* C-u */
		buf_reset(v);
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER: {
		struct label_change ch[FORM_FIELDS];
		size_t n = 0;
		int i;
		int64_t doc = f->doc;
		char scope[64];
		struct pv_err err;
		for (i = 0; i < FORM_FIELDS; i++) {
			const char *nv = buf_str(&f->val[i]);
			if (strcmp(nv, f->was[i] ? f->was[i] : "") == 0)
				continue;
			pv_err_clear(&err);
			if (label_check_value(form_fields[i], nv, &err)) {
				app_status(a, R_ERROR, "%s: %s", label_field_name(form_fields[i]),
					   err.msg);
				f->at = i;
				return true;
			}
			ch[n].field = form_fields[i];
			ch[n].value = nv;
			n++;
		}
		if (n == 0) {
			app_pop(a);
			app_status(a, R_STATUS, "nothing changed");
			return true;
		}
		snprintf(scope, sizeof scope, "document %lld", (long long)doc);
		/* the values live in the form until relabelling is done */
		app_relabel(a, &doc, 1, ch, n, scope);
		{
			char msg[sizeof a->status];
			memcpy(msg, a->status, sizeof msg);
			enum role r = a->status_role;
			app_pop(a);
			memcpy(a->status, msg, sizeof msg);
			a->status_role = r;
		}
		return true;
	}
	default:
		if (key >= 32 && key < 256 && key != 127) {
			if (v->len < LABEL_MAX_VALUE)
				buf_putc(v, (char)key);
			return true;
		}
		return false;
	}
}

static void form_done(void *state)
{
	struct form *f = state;
	int i;

	for (i = 0; i < FORM_FIELDS; i++) {
		buf_done(&f->val[i]);
		free(f->was[i]);
	}
	free(f);
}

static const struct view_ops form_ops = { "form", 0, form_draw, form_key, form_done, NULL };

void form_open(struct app *a, int64_t doc, const struct browse_row *row)
{
	struct form *f = pv_malloc(sizeof *f);
	const char *cur[FORM_FIELDS] = { row->purpose, row->source, row->generator, row->note };
	int i;

	memset(f, 0, sizeof *f);
	f->doc = doc;
	for (i = 0; i < FORM_FIELDS; i++) {
		f->val[i] = (struct buf)BUF_INIT;
		buf_puts(&f->val[i], cur[i] ? cur[i] : "");
		f->was[i] = pv_strdup(cur[i] ? cur[i] : "");
	}
	app_push(a, &form_ops, f);
}
