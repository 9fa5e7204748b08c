/*
 * review.c - the blind review view (provex review): documents with their
 * provenance hidden, one pair or one document at a time, and the
 * reviewer's answer to each.  The items, the session and the answers are
 * store/review.h's; this file shows them and turns keys into answers.
 *
 * Blind means: nothing on screen tells where a document came from - not
 * its origin, source, generator, external id, or even its document id
 * (ids may follow the order corpora were indexed in, so the panes'
 * headers are drawn over) - and no feedback follows an answer, only the
 * progress ("item 12 of 200").  The time from showing an item to
 * answering it is recorded with the answer.
 *
 * The view answers to raw keys (mask 0: the key table's bindings do not
 * apply), so its keys are the ones drawn at the bottom and in its help:
 *   pairs   1 / Left: the left one is synthetic; 2 / Right: the right
 *           one; s / Space: skip
 *   single  r: real; s: synthetic; Space: skip
 *   both    j k Up Down PgDn PgUp b g G: scroll (both panes together);
 *           ?: help; q: stop (the session resumes next time)
 *
 * Ownership: the view borrows the plan (the caller keeps it past the
 * loop and reads the progress from it) and owns its panes.
 */
#include "pane.h"
#include "../store/review.h"
#include "../common/clock.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rv {
	struct review_plan *plan;    /* borrowed */
	size_t at;                   /* the item shown; plan->n when all done */
	struct pane pane[2];         /* pane[1] unused in single mode */
	int npanes;                  /* panes loaded */
	int64_t shown;               /* pv_now_ms() when the item was shown */
	bool help;                   /* the help box is open */
};

static void unload(struct rv *v)
{
	int i;

	for (i = 0; i < v->npanes; i++)
		pane_done(&v->pane[i]);
	v->npanes = 0;
}

/* Loads one document into pane i (provenance hidden); false when it is
 * gone (the error shown). */
static bool load_doc(struct app *a, struct rv *v, int i, int64_t id)
{
	struct browse_row *r = row_fetch(a, id);
	bool ok = r && pane_load(a, &v->pane[i], r);

	browse_row_free(r);
	if (ok)
		v->pane[i].hide = true;
	return ok;
}

/* Shows the first item not done at or after v->at (passing over items
 * whose documents cannot be read). */
static void show_next(struct app *a, struct rv *v)
{
	struct review_plan *p = v->plan;

	unload(v);
	for (v->at = review_plan_next(p, v->at); v->at < p->n;
	     v->at = review_plan_next(p, v->at + 1)) {
		const struct review_item *it = &p->items[v->at];
		if (!load_doc(a, v, 0, it->left))
			continue;
		v->npanes = 1;
		if (p->mode == REVIEW_PAIRS) {
			if (!load_doc(a, v, 1, it->right)) {
				unload(v);
				continue;
			}
			v->npanes = 2;
		}
		break;
	}
	v->shown = pv_now_ms();
}

/* ---- drawing ---- */

/* Covers a pane's header (two rows) with what may be said: its side and
 * size. */
static void cover_header(struct app *a, struct rv *v, struct grid *g, int i, int x, int w)
{
	const struct pane *p = &v->pane[i];
	char n1[32];

	(void)a;
	grid_fill(g, 0, x, x + w, R_HEADER);
	grid_fill(g, 1, x, x + w, R_HEADER);
	if (v->plan->mode == REVIEW_PAIRS) {
		grid_printf(g, 0, x + 1, x + w, R_HEADER, "%s  %s document  %s bytes",
			    i ? "2" : "1", i ? "right" : "left", pv_num(p->row->len, n1));
		grid_puts(g, 1, x + 1, x + w, "provenance hidden", R_HEADER);
	} else {
		grid_printf(g, 0, x + 1, x + w, R_HEADER, "document  %s bytes",
			    pv_num(p->row->len, n1));
		grid_puts(g, 1, x + 1, x + w, "provenance hidden: real or synthetic?",
			  R_HEADER);
	}
}

static const char *const help_pairs[] = {
	"Blind review: which of the two documents is synthetic?",
	"",
	"  1  Left      the left document is synthetic",
	"  2  Right     the right document is synthetic",
	"  s  Space     skip this pair",
	"  j k  Up Down PgDn PgUp b  g G   scroll both documents",
	"  q            stop; the same command resumes the session",
	"  ?            show or hide this help",
	"",
	"Provenance is hidden and no answer is judged on screen: each is",
	"recorded with the time it took.  provex review STORE --report",
	"shows how well people tell them apart.",
	NULL
};

static const char *const help_single[] = {
	"Blind review: is this document real or synthetic?",
	"",
	"  r            real (written by people)",
	"  s            synthetic (written by a model)",
	"  Space        skip this document",
	"  j k  Up Down PgDn PgUp b  g G   scroll",
	"  q            stop; the same command resumes the session",
	"  ?            show or hide this help",
	"",
	"Provenance is hidden and no answer is judged on screen: each is",
	"recorded with the time it took.  provex review STORE --report",
	"shows how well people tell them apart.",
	NULL
};

static void draw_box(struct grid *g, const char *const *lines)
{
	int n, w = 0, x, y, i;

	for (n = 0; lines[n]; n++)
		w = PV_MAX(w, text_width(lines[n], strlen(lines[n])));
	w += 4;
	if (w > g->w - 2)
		w = g->w - 2;
	x = (g->w - w) / 2;
	y = PV_MAX(0, (g->h - 2 - (n + 2)) / 2);
	for (i = 0; i < n + 2 && y + i < g->h - 1; i++) {
		grid_fill(g, y + i, x, x + w, R_STATUS);
		if (i > 0 && i <= n)
			grid_puts(g, y + i, x + 2, x + w - 1, lines[i - 1],
				  i == 1 ? R_HEADER : R_STATUS);
	}
}

static void review_draw(struct app *a, void *state, struct grid *g)
{
	struct rv *v = state;
	struct review_plan *p = v->plan;
	int h = g->h - 2, lw, rw, y;
	char right[256], n1[32], n2[32];
	const char *keys;

	if (v->at >= p->n) {
		const char *const done[] = {
			"This session is complete: thank you.",
			"",
			"provex review STORE --report shows the results.",
			"q quits.",
			NULL
		};
		draw_box(g, done);
		snprintf(right, sizeof right, "%s of %s items done  %s  reviewer %s",
			 pv_num((int64_t)p->ndone, n1), pv_num((int64_t)p->n, n2),
			 review_mode_name(p->mode), p->reviewer);
		app_draw_status(a, g, "blind review", right);
		return;
	}
	if (p->mode == REVIEW_PAIRS) {
		lw = (g->w - 1) / 2;
		rw = g->w - 1 - lw;
		pane_draw(a, &v->pane[0], g, 0, lw, 0, h, false);
		for (y = 0; y < h; y++)
			grid_puts(g, y, lw, lw + 1, "\xe2\x94\x82", R_DIM);
		pane_draw(a, &v->pane[1], g, lw + 1, rw, 0, h, false);
		cover_header(a, v, g, 0, 0, lw);
		cover_header(a, v, g, 1, lw + 1, rw);
		keys = "1/Left: left is synthetic  2/Right: right is synthetic  "
		       "s/Space: skip  j/k: scroll  q: stop  ?: help";
	} else {
		pane_draw(a, &v->pane[0], g, 0, g->w, 0, h, false);
		cover_header(a, v, g, 0, 0, g->w);
		keys = "r: real  s: synthetic  Space: skip  j/k: scroll  q: stop  ?: help";
	}
	grid_fill(g, h, 0, g->w, R_HEADER);
	grid_puts(g, h, 1, g->w, keys, R_HEADER);
	if (v->help)
		draw_box(g, p->mode == REVIEW_PAIRS ? help_pairs : help_single);
	/* the progress on the right: a message does not hide it */
	snprintf(right, sizeof right, "item %s of %s  %s  reviewer %s",
		 pv_num((int64_t)v->at + 1, n1), pv_num((int64_t)p->n, n2),
		 review_mode_name(p->mode), p->reviewer);
	app_draw_status(a, g, "blind review: provenance hidden", right);
}

/* ---- keys ---- */

static void scroll_panes(struct rv *v, int n)
{
	int i;

	for (i = 0; i < v->npanes; i++)
		pane_scroll(&v->pane[i], n);
}

static void answer(struct app *a, struct rv *v, const char *ans)
{
	struct review_recorded rec;
	struct pv_err err;
	int64_t ms = pv_now_ms() - v->shown;
	int rc;

	pv_err_clear(&err);
	/* a set's answers go to its review.pvx */
	rc = a->store ? review_record(a->store, v->plan, v->at, ans, ms, &rec, &err) :
		review_record_set(a->set, v->plan, v->at, ans, ms, &rec, &err);
	if (rc && rc != PV_EINVAL) {
		/* nothing recorded: the item stays on screen */
		app_error(a, &err);
		return;
	}
	if (rc == PV_EINVAL)
		app_status(a, R_ERROR, "%s", err.msg);
	else if (rec.already)
		app_status(a, R_STATUS, "item %zu already had an answer (another window?): "
			    "that one is kept", v->at + 1);
	show_next(a, v);
}

static bool review_key(struct app *a, void *state, enum action act, int key)
{
	struct rv *v = state;
	bool pairs = v->plan->mode == REVIEW_PAIRS;
	int page = v->npanes && v->pane[0].rows > 1 ? v->pane[0].rows - 1 : 1, i;

	(void)act;
	if (key == 'q') {
		a->quit = true;
		return true;
	}
	if (key == 12) {                 /* C-l */
		a->redraw_all = true;
		return true;
	}
	if (key == KEY_RESIZE || key == KEY_MOUSE)
		return true;
	if (v->help) {
		v->help = false;
		return true;
	}
	if (key == '?' || key == KEY_F(1)) {
		v->help = true;
		return true;
	}
	if (v->at >= v->plan->n) {
		app_status(a, R_STATUS, "the session is complete: q quits");
		return true;
	}
	switch (key) {
	case 'j': case KEY_DOWN: scroll_panes(v, 1); return true;
	case 'k': case KEY_UP: scroll_panes(v, -1); return true;
	case KEY_NPAGE: scroll_panes(v, page); return true;
	case KEY_PPAGE: case 'b': scroll_panes(v, -page); return true;
	case 'g': case KEY_HOME:
		for (i = 0; i < v->npanes; i++)
			pane_top(&v->pane[i]);
		return true;
	case 'G': case KEY_END:
		for (i = 0; i < v->npanes; i++)
			pane_end(&v->pane[i]);
		return true;
	case ' ':
		answer(a, v, "skip");
		return true;
	default:
		break;
	}
	if (pairs) {
		if (key == '1' || key == KEY_LEFT)
			answer(a, v, "left");
		else if (key == '2' || key == KEY_RIGHT)
			answer(a, v, "right");
		else if (key == 's')
			answer(a, v, "skip");
		else
			return false;
		return true;
	}
	if (key == 'r')
		answer(a, v, "real");
	else if (key == 's')
		answer(a, v, "synthetic");
	else
		return false;
	return true;
}

static void review_done(void *state)
{
	struct rv *v = state;

	unload(v);
	free(v);
}

static const struct view_ops review_ops = {
	.name = "review",
	.mask = 0,
	.draw = review_draw,
	.key = review_key,
	.done = review_done,
	.reload = NULL,
};

void review_view_setup(struct app *a, void *arg)
{
	struct review_plan *p = arg;
	struct rv *v = pv_malloc(sizeof *v);
	char n1[32], n2[32];

	memset(v, 0, sizeof *v);
	v->plan = p;
	show_next(a, v);
	app_push(a, &review_ops, v);
	if (a->status[0] && a->status_role == R_ERROR)
		return;                  /* a problem from opening stays shown */
	if (p->resumed)
		app_status(a, R_STATUS, "session %lld resumed: %s of %s items done "
			    "(? shows the keys)", (long long)p->session_id,
			    pv_num((int64_t)p->ndone, n1), pv_num((int64_t)p->n, n2));
	else if (p->nempty)
		app_status(a, R_STATUS, "new %s session: %s item%s; %s empty document%s left "
			    "out (? shows the keys)", review_mode_name(p->mode),
			    pv_num((int64_t)p->n, n1), p->n == 1 ? "" : "s",
			    pv_num(p->nempty, n2), p->nempty == 1 ? "" : "s");
	else
		app_status(a, R_STATUS, "new %s session: %s item%s (? shows the keys)",
			    review_mode_name(p->mode), pv_num((int64_t)p->n, n1),
			    p->n == 1 ? "" : "s");
}
