/*
 * compare.c - two documents side by side, each with its provenance
 * header.  The right pane holds the document's counterpart: the document
 * it is paired with when the store has a pair (declared at index time or
 * found by provex pairs; the lowest id when there are several), otherwise
 * another tagged document, otherwise one picked from a filter typed at a
 * prompt.  Tab switches the focused pane (relabel keys, the form, the
 * history and search act on it), `=` toggles synchronised scrolling, `d`
 * highlights the words the two share and the words only one has, `[` and
 * `]` step the left pane through the documents of the filter (passing
 * over the right one), the right pane following to the new document's
 * pair when it has one.
 */
#include "pane.h"
#include "../store/filter.h"
#include "../store/set_pairs.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct compare {
	struct pane pane[2];
	int focus;                   /* 0 left, 1 right */
	bool sync;
	bool diff;
};

/* The document id is paired with (the lowest id), or NULL: asked as the
 * filter pair:ID, so a store without pairs simply has none.  A set keeps
 * its pairs in its review store (provex pairs SET), read directly. */
static struct browse_row *paired_with(struct app *a, int64_t id)
{
	struct set_where where;
	struct browse_page p;
	struct browse_row *r = NULL;
	struct pv_err err;
	char f[64];

	if (set_is_folder_set(a->set)) {
		int64_t partner = 0;
		pv_err_clear(&err);
		if (set_pairs_partner(a->set, id, &partner, &err)) {
			app_status(a, R_ERROR, "%s", err.msg);
			return NULL;
		}
		return partner ? row_fetch(a, partner) : NULL;
	}
	snprintf(f, sizeof f, "pair:%lld", (long long)id);
	if (!app_compile(a, f, &where))
		return NULL;
	pv_err_clear(&err);
	if (set_browse_fetch(a->set, &where, NULL, false, BROWSE_FIRST, NULL, 1, &p,
			     &err) == 0) {
		if (p.n)
			r = browse_row_copy(&p.rows[0]);
		browse_page_done(&p);
	}
	set_where_done(&where);
	return r;
}

static void set_diff(struct compare *c)
{
	if (c->diff) {
		textview_set_diff(c->pane[0].tv, pane_words(&c->pane[1]), R_DIFF_LEFT);
		textview_set_diff(c->pane[1].tv, pane_words(&c->pane[0]), R_DIFF_RIGHT);
	} else {
		textview_set_diff(c->pane[0].tv, NULL, R_DIFF_LEFT);
		textview_set_diff(c->pane[1].tv, NULL, R_DIFF_RIGHT);
	}
}

static void compare_draw(struct app *a, void *state, struct grid *g)
{
	struct compare *c = state;
	int h = g->h - 1, lw = (g->w - 1) / 2, rw = g->w - 1 - lw, y, hr, ww;
	char where[64], left[256];
	long long l = (long long)c->pane[0].row->id, r = (long long)c->pane[1].row->id;

	/* both headers as high as the higher: the texts start on one row */
	hr = PV_MAX(pane_header_rows(&c->pane[0], lw, h), pane_header_rows(&c->pane[1], rw, h));
	c->pane[0].header_min = c->pane[1].header_min = hr;
	pane_draw(a, &c->pane[0], g, 0, lw, 0, h, c->focus == 0);
	for (y = 0; y < h; y++)
		grid_puts(g, y, lw, lw + 1, "\xe2\x94\x82", R_DIM);
	pane_draw(a, &c->pane[1], g, lw + 1, rw, 0, h, c->focus == 1);
	pane_where(&c->pane[c->focus], where, sizeof where);
	/* the longest description that fits */
	ww = g->w - text_width(where, strlen(where)) - 2;
	snprintf(left, sizeof left, "compare #%lld | #%lld  focus: %s%s%s  (Tab, =, d, [ ], q)",
		 l, r, c->focus ? "right" : "left", c->sync ? "  synced" : "",
		 c->diff ? "  word diff" : "");
	if (text_width(left, strlen(left)) > ww)
		snprintf(left, sizeof left, "#%lld | #%lld  %s%s%s", l, r,
			 c->focus ? "right" : "left", c->sync ? " sync" : "",
			 c->diff ? " diff" : "");
	app_draw_status(a, g, left, where);
}

/* Scrolls the focused pane, and the other with it when synchronised. */
static void scroll_both(struct compare *c, int n)
{
	if (c->sync) {
		pane_scroll(&c->pane[0], n);
		pane_scroll(&c->pane[1], n);
	} else {
		pane_scroll(&c->pane[c->focus], n);
	}
}

/* A pane replacing `was` keeps its search. */
static void keep_search(struct pane *p, const struct pane *was)
{
	if (was->search)
		pane_set_search(p, was->search);
}

/* Replaces the left document by the list's next or previous one (the
 * right one is passed over), and the right one by the new document's
 * pair when it has one. */
static void step(struct app *a, struct compare *c, int dir)
{
	const struct browse_row *r;
	struct browse_row *pair;
	struct pane np;
	int64_t id;

	do {
		if (!list_step(a, dir)) {
			app_status(a, R_STATUS, dir > 0 ? "the last document of the filter" :
				   "the first document of the filter");
			return;
		}
		r = list_current(a);
	} while (r && r->id == c->pane[1].row->id);
	if (!r || !pane_load(a, &np, r))
		return;
	id = r->id;
	pair = paired_with(a, id);
	if (pair && pair->id != c->pane[1].row->id) {
		struct pane nr;
		if (pane_load(a, &nr, pair)) {
			keep_search(&nr, &c->pane[1]);
			pane_done(&c->pane[1]);
			c->pane[1] = nr;
		}
	}
	keep_search(&np, &c->pane[0]);
	pane_done(&c->pane[0]);
	c->pane[0] = np;
	if (c->sync)
		pane_top(&c->pane[1]);
	set_diff(c);
	if (pair)
		app_status(a, R_STATUS, "document %lld, %s of the filter, paired with %lld",
			   (long long)id, dir > 0 ? "next" : "previous", (long long)pair->id);
	else
		app_status(a, R_STATUS, "document %lld, %s of the filter", (long long)id,
			   dir > 0 ? "next" : "previous");
	browse_row_free(pair);
}

static void search_enter(struct app *a, void *ctx, const char *text)
{
	struct compare *c = a->state[a->nviews - 1];

	(void)ctx;
	/* highlighted in both, the focused pane goes to its first match */
	pane_set_search(&c->pane[!c->focus], text);
	pane_search(a, &c->pane[c->focus], text);
}

static bool compare_key(struct app *a, void *state, enum action act, int key)
{
	struct compare *c = state;
	struct pane *p = &c->pane[c->focus];
	int page = p->rows > 1 ? p->rows - 1 : 1;

	switch (act) {
	case ACT_DOWN: scroll_both(c, 1); return true;
	case ACT_UP: scroll_both(c, -1); return true;
	case ACT_PGDN: scroll_both(c, page); return true;
	case ACT_PGUP: scroll_both(c, -page); return true;
	case ACT_TOP:
		if (c->sync) {
			pane_top(&c->pane[0]);
			pane_top(&c->pane[1]);
		} else {
			pane_top(p);
		}
		return true;
	case ACT_END:
		if (c->sync) {
			pane_end(&c->pane[0]);
			pane_end(&c->pane[1]);
		} else {
			pane_end(p);
		}
		return true;
	case ACT_FOCUS:
		c->focus = !c->focus;
		app_status(a, R_STATUS, "focus: %s pane (#%lld)", c->focus ? "right" : "left",
			   (long long)c->pane[c->focus].row->id);
		return true;
	case ACT_SYNC:
		c->sync = !c->sync;
		app_status(a, R_STATUS, "synchronised scrolling %s", c->sync ? "on" : "off");
		return true;
	case ACT_DIFF:
		c->diff = !c->diff;
		set_diff(c);
		app_status(a, R_STATUS, c->diff ? "word diff: shared words dimmed, words only "
			   "in one document highlighted" : "word diff off");
		return true;
	case ACT_PAIR_NEXT: step(a, c, 1); return true;
	case ACT_PAIR_PREV: step(a, c, -1); return true;
	case ACT_SEARCH:
		prompt_open(a, PROMPT_SEARCH, p->search ? "search (empty clears): " :
			    "search: ", "", search_enter, NULL, NULL);
		return true;
	case ACT_NEXT: pane_find(a, p, true); return true;
	case ACT_PREV: pane_find(a, p, false); return true;
	case ACT_EDIT: form_open(a, p->row->id, p->row); return true;
	case ACT_HIST: history_open(a, p->row->id); return true;
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
				scroll_both(c, -3);
			else if (ev.bstate & BUTTON5_PRESSED)
				scroll_both(c, 3);
			else if (ev.bstate & BUTTON1_CLICKED)
				c->focus = ev.x > (a->grid.w - 1) / 2;
		}
		return true;
	}
	return false;
}

static void compare_refresh(struct app *a, void *state)
{
	struct compare *c = state;

	pane_refresh(a, &c->pane[0]);
	pane_refresh(a, &c->pane[1]);
}

static void compare_done(void *state)
{
	struct compare *c = state;

	pane_done(&c->pane[0]);
	pane_done(&c->pane[1]);
	free(c);
}

const struct view_ops compare_ops = {
	.name = "compare",
	.mask = VM_COMPARE,
	.draw = compare_draw,
	.key = compare_key,
	.done = compare_done,
	.reload = compare_refresh,
};

/* Opens the compare view on two documents; false (error shown) when
 * one cannot be read. */
static bool open_pair(struct app *a, const struct browse_row *left,
		      const struct browse_row *right)
{
	struct compare *c = pv_malloc(sizeof *c);

	memset(c, 0, sizeof *c);
	c->sync = true;
	if (!pane_load(a, &c->pane[0], left)) {
		free(c);
		return false;
	}
	if (!pane_load(a, &c->pane[1], right)) {
		pane_done(&c->pane[0]);
		free(c);
		return false;
	}
	app_push(a, &compare_ops, c);
	return true;
}

/* The picker's choice arrives here: left is the document compare was
 * asked for (its id travels in the picker). */
void compare_picked(struct app *a, int64_t left_id, int64_t right_id)
{
	struct browse_row *l = row_fetch(a, left_id), *r = NULL;

	if (l)
		r = row_fetch(a, right_id);
	if (l && r)
		open_pair(a, l, r);
	browse_row_free(l);
	browse_row_free(r);
}

void compare_open(struct app *a, const struct browse_row *left)
{
	struct browse_row *pair = paired_with(a, left->id);
	size_t i;

	if (pair) {
		if (open_pair(a, left, pair))
			app_status(a, R_STATUS, "comparing with document %lld, its pair",
				   (long long)pair->id);
		browse_row_free(pair);
		return;
	}
	/* another tagged document */
	for (i = 0; i < a->ntags; i++) {
		if (a->tags[i] != left->id) {
			struct browse_row *r = row_fetch(a, a->tags[i]);
			if (r && open_pair(a, left, r))
				app_status(a, R_STATUS, "comparing with tagged document %lld",
					   (long long)a->tags[i]);
			browse_row_free(r);
			return;
		}
	}
	doc_picker_open(a, left->id);
}
