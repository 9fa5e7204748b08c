/*
 * list.c - the list view: one line per document of the active filter.
 *
 * The view holds one page: the rows after an anchor (the sort key of the
 * row just above the screen; none at the top), fetched with browse_fetch.
 * Every move computes a new anchor and fetches the page after it, so a
 * screen costs one keyset query whatever the store's size or the position
 * (store/browse.h).  The position shown on the status line is counted from
 * the moves made (known after g, j, PgDn...) or, after G, from the end
 * once the count is known.
 */
#include "tui.h"
#include "../store/fields.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct list {
	struct browse_page page;     /* the rows on screen */
	bool has_anchor;
	struct browse_key anchor;    /* owned */
	int cursor;                  /* index in page */
	int rows;                    /* rows the page is fetched for */
	int64_t top;                 /* 0-based position of page row 0, -1 unknown */
	int64_t below;               /* rows after the page's last, -1 unknown
				      * (known after G, before the count is) */
	int text_delta;              /* < and > */
	int sort_at;                 /* index in the sort cycle (field_sort_cycle) */
	bool failed;                 /* the last fetch failed (shown) */
};

static struct list *L(struct app *a)
{
	return a->state[0];
}

/* Fetches a page in dir from key into l->page (replacing it). */
static bool fetch(struct app *a, struct list *l, enum browse_dir dir,
		  const struct browse_key *key, size_t n, struct browse_page *out)
{
	struct set_where where;
	struct pv_err err;
	int rc;

	app_set_check(a);        /* a set labelled by another reviewer meanwhile */
	if (!app_compile(a, a->filter, &where)) {
		l->failed = true;
		return false;
	}
	pv_err_clear(&err);
	rc = set_browse_fetch(a->set, &where, a->sort, a->desc, dir, key, n, out, &err);
	set_where_done(&where);
	if (rc) {
		app_error(a, &err);
		l->failed = true;
		return false;
	}
	l->failed = false;
	return true;
}

static void set_anchor(struct list *l, const struct browse_key *k)
{
	browse_key_done(&l->anchor);
	l->has_anchor = k != NULL;
	if (k)
		browse_key_copy(&l->anchor, k);
}

/* Fetches the page after the anchor. */
static void refetch(struct app *a, struct list *l)
{
	struct browse_page p;

	if (!fetch(a, l, l->has_anchor ? BROWSE_AFTER : BROWSE_FIRST,
		   l->has_anchor ? &l->anchor : NULL, (size_t)l->rows, &p))
		return;
	browse_page_done(&l->page);
	l->page = p;
	if (l->cursor >= (int)l->page.n)
		l->cursor = l->page.n ? (int)l->page.n - 1 : 0;
}

static void go_top(struct app *a, struct list *l)
{
	set_anchor(l, NULL);
	l->top = 0;
	l->below = -1;
	l->cursor = 0;
	refetch(a, l);
}

static void go_end(struct app *a, struct list *l)
{
	struct browse_page p;

	if (!fetch(a, l, BROWSE_LAST, NULL, (size_t)l->rows + 1, &p))
		return;
	if (p.n == (size_t)l->rows + 1) {
		set_anchor(l, &p.rows[0].key);
		l->top = -1;
	} else {
		set_anchor(l, NULL);
		l->top = 0;
	}
	l->below = 0;
	browse_page_done(&p);
	refetch(a, l);
	l->cursor = l->page.n ? (int)l->page.n - 1 : 0;
}

/* Scrolls the page by delta rows (the cursor stays on its screen row). */
static void list_scroll(struct app *a, struct list *l, int delta)
{
	struct browse_page p;

	if (delta > 0) {
		int k = delta;
		if (l->page.n == 0)
			return;
		if (!l->page.more && l->page.n <= (size_t)l->rows) {
			/* nothing below the page */
			return;
		}
		if (k > (int)l->page.n)
			k = (int)l->page.n;
		set_anchor(l, &l->page.rows[k - 1].key);
		if (l->top >= 0)
			l->top += k;
		if (l->below >= 0)
			l->below = l->below > k ? l->below - k : 0;
		refetch(a, l);
		/* past the end: show a full last page */
		if ((int)l->page.n < l->rows && !l->page.more)
			go_end(a, l);
		return;
	}
	if (delta < 0 && l->page.n > 0) {
		int k = -delta;
		if (!l->has_anchor)
			return;
		if (!fetch(a, l, BROWSE_BEFORE, &l->page.rows[0].key, (size_t)k + 1, &p))
			return;
		if (p.n == (size_t)k + 1) {
			set_anchor(l, &p.rows[0].key);
			if (l->top >= 0)
				l->top -= k;
			if (l->below >= 0)
				l->below += k;
		} else {
			set_anchor(l, NULL);
			l->top = 0;
			if (l->below >= 0)
				l->below += (int64_t)p.n;
		}
		browse_page_done(&p);
		refetch(a, l);
	}
}

bool list_step(struct app *a, int delta)
{
	struct list *l = L(a);
	int before = l->cursor;
	int64_t id = l->page.n ? l->page.rows[l->cursor].id : 0;

	if (delta > 0) {
		if (l->cursor + 1 < (int)l->page.n) {
			l->cursor++;
		} else {
			list_scroll(a, l, 1);
			if (l->page.n && l->page.rows[l->cursor].id == id &&
			    l->cursor + 1 < (int)l->page.n)
				l->cursor++;
		}
	} else if (delta < 0) {
		if (l->cursor > 0)
			l->cursor--;
		else
			list_scroll(a, l, -1);
	}
	return l->page.n && (l->cursor != before || l->page.rows[l->cursor].id != id);
}

const struct browse_row *list_current(struct app *a)
{
	struct list *l = L(a);

	if (!l || l->page.n == 0)
		return NULL;
	return &l->page.rows[l->cursor];
}

void list_reload(struct app *a)
{
	struct list *l = L(a);

	refetch(a, l);
}

static void list_refresh(struct app *a, void *state)
{
	refetch(a, state);
}

void list_reset(struct app *a)
{
	struct list *l = L(a);
	const char *name;
	size_t i;

	for (i = 0; (name = field_sort_cycle(i)); i++)
		if (a->sort && strcmp(name, a->sort) == 0)
			l->sort_at = (int)i;
	go_top(a, l);
}

void *list_new(struct app *a)
{
	struct list *l = pv_malloc(sizeof *l);
	int w, h;

	memset(l, 0, sizeof *l);
	l->page.arena = (struct buf)BUF_INIT;
	w = a->grid.w;
	h = a->grid.h;
	(void)w;
	l->rows = h > 3 ? h - 2 : 1;
	l->top = 0;
	l->below = -1;
	return l;
}

static void list_done(void *state)
{
	struct list *l = state;

	browse_page_done(&l->page);
	browse_key_done(&l->anchor);
	free(l);
}

/* ---- drawing ---- */

enum col { C_ID, C_ORIGIN, C_SOURCE, C_GENERATOR, C_PURPOSE, C_LABEL, C_SIZE,
	   C_WORDS, C_DUP, C_TEXT, C_N };

static const char *const col_names[C_N] = {
	"id", "origin", "source", "generator", "purpose", "label", "size",
	"words", "dup", "text"
};
static const char *const col_sort[C_N] = {
	"id", "origin", "source", "generator", "purpose", NULL, "len",
	"words", "dup", NULL
};

static int col_find(const char *name)
{
	int i;

	for (i = 0; i < C_N; i++)
		if (strcmp(col_names[i], name) == 0)
			return i;
	return -1;
}

static void human_size(int64_t n, char *out, size_t size)
{
	if (n < 1000)
		snprintf(out, size, "%lld", (long long)n);
	else if (n < 1000 * 1000)
		snprintf(out, size, "%.1fk", (double)n / 1000);
	else if (n < 1000LL * 1000 * 1000)
		snprintf(out, size, "%.1fM", (double)n / 1e6);
	else
		snprintf(out, size, "%.1fG", (double)n / 1e9);
}

enum role origin_role(const char *o)
{
	if (o && strcmp(o, "real") == 0)
		return R_BADGE_REAL;
	if (o && strcmp(o, "synthetic") == 0)
		return R_BADGE_SYNTHETIC;
	return R_BADGE_UNKNOWN;
}

const char *origin_badge(const char *o)
{
	if (o && strcmp(o, "real") == 0)
		return "real";
	if (o && strcmp(o, "synthetic") == 0)
		return "synth";
	return "unkn";
}

struct layout {
	int ncols;
	int col[C_N];          /* which column */
	int width[C_N];
};

/* Fits the configured columns to width w: fixed columns keep their size,
 * flexible ones (source, generator, purpose, label) share what the text
 * column leaves, and columns are dropped from the right of the list of
 * flexible ones when even their minimum does not fit. */
static void layout(struct app *a, struct list *l, int w, struct layout *lo)
{
	int want[C_N], i, fixed = 0, nflex = 0, text_at = -1, avail, textw, flexw;
	int64_t maxid = 0;
	size_t r;
	char num[32];

	lo->ncols = 0;
	if (a->cfg.ncolumns) {
		for (r = 0; r < a->cfg.ncolumns; r++) {
			int c = col_find(a->cfg.columns[r]);
			if (c >= 0)
				lo->col[lo->ncols++] = c;
		}
	}
	if (lo->ncols == 0) {
		static const int def[] = { C_ID, C_ORIGIN, C_SOURCE, C_GENERATOR,
					   C_PURPOSE, C_LABEL, C_SIZE, C_TEXT };
		for (i = 0; i < (int)(sizeof def / sizeof def[0]); i++)
			lo->col[lo->ncols++] = def[i];
	}
	for (r = 0; r < l->page.n; r++)
		if (l->page.rows[r].id > maxid)
			maxid = l->page.rows[r].id;
	snprintf(num, sizeof num, "%lld", (long long)maxid);
	want[C_ID] = (int)strlen(num) < 4 ? 4 : (int)strlen(num);
	want[C_ORIGIN] = 6;
	want[C_SOURCE] = 14;
	want[C_GENERATOR] = 12;
	want[C_PURPOSE] = 10;
	want[C_LABEL] = 6;
	want[C_SIZE] = 6;
	want[C_WORDS] = 6;
	want[C_DUP] = 3;
	want[C_TEXT] = 0;
again:
	fixed = 2;             /* tag mark and a space */
	nflex = 0;
	text_at = -1;
	for (i = 0; i < lo->ncols; i++) {
		int c = lo->col[i];
		if (c == C_TEXT) {
			text_at = i;
			continue;
		}
		if (c == C_SOURCE || c == C_GENERATOR || c == C_PURPOSE || c == C_LABEL)
			nflex++;
		else
			fixed += want[c] + 1;
	}
	avail = w - fixed;
	flexw = 0;
	for (i = 0; i < lo->ncols; i++) {
		int c = lo->col[i];
		if (c == C_SOURCE || c == C_GENERATOR || c == C_PURPOSE || c == C_LABEL)
			flexw += want[c] + 1;
	}
	/* the text column keeps at least a quarter of the width (less only
	 * when narrowed with <); flexible columns shrink to 4 and then go */
	if (text_at >= 0) {
		int min_text = w / 4 + l->text_delta;
		if (min_text < 8)
			min_text = 8;
		textw = avail - flexw + l->text_delta;
		if (textw < min_text)
			textw = min_text;
		if (textw > avail - nflex * 5)
			textw = avail - nflex * 5 > min_text ? avail - nflex * 5 : min_text;
	} else {
		textw = 0;
	}
	if (nflex && avail - textw - nflex < nflex * 4) {
		/* drop the last flexible column and try again */
		for (i = lo->ncols - 1; i >= 0; i--) {
			int c = lo->col[i];
			if (c == C_SOURCE || c == C_GENERATOR || c == C_PURPOSE || c == C_LABEL) {
				memmove(&lo->col[i], &lo->col[i + 1],
					(size_t)(lo->ncols - i - 1) * sizeof lo->col[0]);
				lo->ncols--;
				goto again;
			}
		}
	}
	if (text_at >= 0 && textw < 1)
		textw = 1;
	{
		int left = avail - (text_at >= 0 ? textw : 0) - nflex;   /* separators */
		int sumwant = 0;
		for (i = 0; i < lo->ncols; i++) {
			int c = lo->col[i];
			if (c == C_SOURCE || c == C_GENERATOR || c == C_PURPOSE || c == C_LABEL)
				sumwant += want[c];
		}
		for (i = 0; i < lo->ncols; i++) {
			int c = lo->col[i];
			if (c == C_TEXT)
				lo->width[i] = textw;
			else if (c == C_SOURCE || c == C_GENERATOR || c == C_PURPOSE || c == C_LABEL)
				lo->width[i] = sumwant ? (int)((int64_t)left * want[c] / sumwant) : 0;
			else
				lo->width[i] = want[c];
			if (lo->width[i] < 1)
				lo->width[i] = 1;
		}
	}
}

static void draw_row(struct app *a, struct grid *g, int y, const struct layout *lo,
		     const struct browse_row *r, bool cursor)
{
	enum role base = cursor ? R_CURSOR : app_tagged(a, r->id) ? R_TAGGED : R_LIST;
	int x = 0, i;
	char tmp[64];

	grid_fill(g, y, 0, g->w, base);
	grid_puts(g, y, 0, 1, app_tagged(a, r->id) ? "*" : " ", base);
	x = 2;
	for (i = 0; i < lo->ncols && x < g->w; i++) {
		int c = lo->col[i], end = x + lo->width[i];
		const char *v = NULL;
		if (end > g->w)
			end = g->w;
		switch (c) {
		case C_ID:
			snprintf(tmp, sizeof tmp, "%*lld", lo->width[i], (long long)r->id);
			grid_puts(g, y, x, end, tmp, base);
			break;
		case C_ORIGIN:
			grid_puts(g, y, x, end, origin_badge(r->origin),
				  cursor ? base : origin_role(r->origin));
			break;
		case C_SOURCE: v = r->source; break;
		case C_GENERATOR: v = r->generator; break;
		case C_PURPOSE: v = r->purpose; break;
		case C_LABEL: v = r->label; break;
		case C_SIZE:
			human_size(r->len, tmp, sizeof tmp);
			grid_printf(g, y, x, end, base, "%*s", lo->width[i], tmp);
			break;
		case C_WORDS:
			grid_printf(g, y, x, end, base, "%*lld", lo->width[i], (long long)r->words);
			break;
		case C_DUP:
			grid_printf(g, y, x, end, base, "%*lld", lo->width[i], (long long)r->nocc);
			break;
		case C_TEXT: {
			const char *h = r->head ? r->head : "";
			size_t n = r->head_len, s = 0, e;
			while (s < n && (h[s] == ' ' || h[s] == '\n' || h[s] == '\t' || h[s] == '\r'))
				s++;
			for (e = s; e < n && h[e] != '\n'; e++)
				;
			grid_put(g, y, x, end, h + s, e - s, base, GP_ONE_LINE, NULL);
			break;
		}
		}
		if (v)
			grid_puts(g, y, x, end, v, base);
		x = end + 1;
	}
}

static void list_draw(struct app *a, void *state, struct grid *g)
{
	struct list *l = state;
	struct layout lo;
	int want_rows = g->h > 3 ? g->h - 2 : 1;
	int i, x, y;
	char left[1024], right[128], n1[32], n2[32];

	if (want_rows != l->rows) {
		l->rows = want_rows;
		if (l->cursor >= l->rows)
			l->cursor = l->rows - 1;
		refetch(a, l);
	}
	layout(a, l, g->w, &lo);
	/* header */
	grid_fill(g, 0, 0, g->w, R_HEADER);
	x = 2;
	for (i = 0; i < lo.ncols && x < g->w; i++) {
		int c = lo.col[i], end = x + lo.width[i];
		const char *mark = "";
		if (col_sort[c] && strcmp(col_sort[c], a->sort ? a->sort : "id") == 0)
			mark = a->desc ? "\xe2\x86\x93" : "\xe2\x86\x91";
		if (c == C_ID || c == C_SIZE || c == C_WORDS || c == C_DUP) {
			int len = (int)strlen(col_names[c]) + (*mark ? 1 : 0);
			grid_printf(g, 0, x + (lo.width[i] > len ? lo.width[i] - len : 0), end,
				    R_HEADER, "%s%s", col_names[c], mark);
		} else {
			grid_printf(g, 0, x, end, R_HEADER, "%s%s", col_names[c], mark);
		}
		x = end + 1;
	}
	for (y = 0; y < l->rows && y + 1 < g->h - 1; y++) {
		if (y < (int)l->page.n)
			draw_row(a, g, y + 1, &lo, &l->page.rows[y], y == l->cursor);
		else
			grid_fill(g, y + 1, 0, g->w, R_LIST);
	}
	if (l->page.n == 0 && !l->failed)
		grid_puts(g, 2, 2, g->w, *a->filter ? "no document matches the filter"
			  : "the store holds no documents", R_DIM);
	/* status */
	snprintf(left, sizeof left, "%s%s%s", a->store_path,
		 *a->filter ? "  filter: " : "", a->filter);
	if (a->ntags)
		snprintf(left + strlen(left), sizeof left - strlen(left), "  [%zu tagged]",
			 a->ntags);
	{
		int64_t pos = -1;
		if (l->top < 0 && l->below >= 0 && a->count >= 0)
			l->top = a->count - l->below - (int64_t)l->page.n;
		if (l->top >= 0)
			pos = l->top + l->cursor;
		if (l->page.n == 0)
			snprintf(right, sizeof right, "0/%s", a->count >= 0 ?
				 pv_num(a->count, n2) : "\xe2\x80\xa6");
		else
			snprintf(right, sizeof right, "%s/%s%s",
				 pos >= 0 ? pv_num(pos + 1, n1) : "?",
				 a->count >= 0 ? pv_num(a->count, n2) : "\xe2\x80\xa6",
				 a->count >= 0 ? "" : " counting");
	}
	app_draw_status(a, g, left, right);
}

static void cycle_sort(struct app *a, struct list *l)
{
	const char *skipped = NULL;

	for (;;) {
		l->sort_at++;
		if (!field_sort_cycle((size_t)l->sort_at))
			l->sort_at = 0;
		/* a set of shards passes over the sorts that are per shard */
		if (set_sort_ok(a->set, field_sort_cycle((size_t)l->sort_at)))
			break;
		skipped = field_sort_cycle((size_t)l->sort_at);
	}
	free(a->sort);
	a->sort = pv_strdup(field_sort_cycle((size_t)l->sort_at));
	a->desc = false;
	go_top(a, l);
	app_recount(a);
	if (skipped)
		app_status(a, R_STATUS, "sorted by %s (not by %s: on a set of shards it "
			   "would be per shard)", a->sort, skipped);
	else
		app_status(a, R_STATUS, "sorted by %s", a->sort);
}

static void tag_all(struct app *a)
{
	struct set_where where;
	struct pv_err err;
	int64_t *ids = NULL;
	size_t n = 0;

	if (!app_compile(a, a->filter, &where))
		return;
	pv_err_clear(&err);
	if (set_browse_ids(a->set, &where, &ids, &n, &err)) {
		app_error(a, &err);
	} else {
		app_tags_set(a, ids, n);
		app_status(a, R_STATUS, "tagged %zu documents (the whole filter); "
			   "relabel keys now act on them", n);
	}
	set_where_done(&where);
}

static bool list_key(struct app *a, void *state, enum action act, int key)
{
	struct list *l = state;
	const struct browse_row *r = list_current(a);
	int half = l->rows > 1 ? l->rows - 1 : 1;

	switch (act) {
	case ACT_DOWN: list_step(a, 1); return true;
	case ACT_UP: list_step(a, -1); return true;
	case ACT_PGDN:
		if (l->page.more)
			list_scroll(a, l, half);
		else
			l->cursor = l->page.n ? (int)l->page.n - 1 : 0;
		return true;
	case ACT_PGUP:
		if (l->has_anchor)
			list_scroll(a, l, -half);
		else
			l->cursor = 0;
		return true;
	case ACT_TOP: go_top(a, l); return true;
	case ACT_END: go_end(a, l); return true;
	case ACT_OPEN:
		if (r)
			doc_open(a, r);
		return true;
	case ACT_COMPARE:
		if (r)
			compare_open(a, r);
		return true;
	case ACT_SORT: cycle_sort(a, l); return true;
	case ACT_SORT_REV:
		a->desc = !a->desc;
		go_top(a, l);
		app_status(a, R_STATUS, "sorted by %s, %s", a->sort ? a->sort : "id",
			   a->desc ? "descending" : "ascending");
		return true;
	case ACT_NARROW: l->text_delta -= 4; return true;
	case ACT_WIDEN: l->text_delta += 4; return true;
	case ACT_TAG:
		if (r) {
			app_tag_toggle(a, r->id);
			list_step(a, 1);
		}
		return true;
	case ACT_TAG_ALL: tag_all(a); return true;
	case ACT_STATS: stats_open(a); return true;
	case ACT_UNTAG_ALL:
		app_tags_clear(a);
		app_status(a, R_STATUS, "tags cleared");
		return true;
	default:
		break;
	}
	if (act >= ACT_REAL && act <= ACT_QUICK9) {
		if (r || a->ntags)
			app_relabel_key(a, act, r ? r->id : 0, true);
		return true;
	}
	if (act == ACT_EDIT && r) {
		form_open(a, r->id, r);
		return true;
	}
	if (act == ACT_HIST && r) {
		history_open(a, r->id);
		return true;
	}
	if (act == ACT_NONE && key == KEY_MOUSE) {
		MEVENT ev;
		if (getmouse(&ev) != OK)
			return false;
		if (ev.bstate & BUTTON4_PRESSED) {
			int i;
			for (i = 0; i < 3; i++)
				list_step(a, -1);
		} else if (ev.bstate & BUTTON5_PRESSED) {
			int i;
			for (i = 0; i < 3; i++)
				list_step(a, 1);
		} else if (ev.y >= 1 && ev.y - 1 < (int)l->page.n) {
			l->cursor = ev.y - 1;
			if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
				doc_open(a, &l->page.rows[l->cursor]);
		}
		return true;
	}
	return false;
}

const struct view_ops list_ops = {
	.name = "list",
	.mask = VM_LIST,
	.draw = list_draw,
	.key = list_key,
	.done = list_done,
	.reload = list_refresh,
};
