/*
 * statsview.c - the statistics view (S in the list): the active filter's
 * documents counted by origin, source, generator, purpose and label with
 * bars; length and compression-ratio histograms of the real and the
 * synthetic documents, two bars per bin (real in the real badge's role
 * and █, synthetic in the synthetic badge's role and ▒), each series'
 * median in the legend; the words that
 * separate them and the detector's AUC per group, from the latest
 * provex detect run; the blind review's accuracy per group with its 95%
 * interval.  Figures computed on a sample say so, with its size.
 *
 * The figures come from store/figures.h, computed in steps right after
 * the view opens: between two steps the view draws its progress and
 * looks for a key without waiting (Esc or q cancel, going back to the
 * list).  Once computed, the whole text is laid out once for the
 * screen's width into a grid of its own and scrolled (j/k, PgDn/PgUp,
 * g/G); a new width lays it out again.
 *
 * Like every view it draws into a grid and never calls curses; the one
 * terminal call is screen_wait(a, 0), the loop's non-blocking key read.
 */
#include "tui.h"
#include "../store/figures.h"
#include "../store/filter.h"
#include "../common/clock.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_REAL "\xe2\x96\x88"     /* █ */
#define BLOCK_SYNTH "\xe2\x96\x92"    /* ▒ */
#define VALUES_SHOWN 8                /* values per field before "more" */
#define TERMS_SHOWN 12                /* words per side and group */

int (*stats_key_hook)(struct app *a);

struct statsview {
	struct set_where where;      /* owned, while computing */
	struct fig_job *job;         /* owned, while computing */
	bool ready;
	struct figures fig;          /* owned, once ready */
	char *filter;                /* owned: the filter the figures are of */
	struct grid text;            /* owned: the laid out text */
	int text_w;                  /* the width it was laid out for (0: none) */
	int nrows;                   /* rows of text */
	int top;                     /* first row shown */
	int page;                    /* rows shown (last draw) */
};

/* ---- layout ---- */

/* Where the text goes: rows beyond the grid are only counted (grid_put
 * writes nothing there), so one function both measures and draws. */
struct lay {
	struct grid *g;
	int w;                       /* width laid out for */
	int y;                       /* next row */
};

/* Writes s on row y in [x, x_end) (clipped to the width laid out for);
 * text too long for that room is cut one column short and the cut marked
 * with an ellipsis, so a value never loses its end unseen. */
static int put(struct lay *L, int y, int x, int x_end, const char *s, enum role role)
{
	if (x_end > L->w)
		x_end = L->w;
	if (x_end - x < 2 || x + text_width(s, strlen(s)) <= x_end)
		return grid_puts(L->g, y, x, x_end, s, role);
	x = grid_puts(L->g, y, x, x_end - 1, s, role);
	return grid_puts(L->g, y, x, x_end, "\xe2\x80\xa6", role);
}

/* A row of text (clipped), then the next row. */
static void row_text(struct lay *L, int x, enum role role, const char *s)
{
	put(L, L->y++, x, L->w, s, role);
}

/* A section title: a row in the header role. */
static void title(struct lay *L, const char *s)
{
	L->y++;                      /* a blank row before */
	grid_fill(L->g, L->y, 0, L->w, R_HEADER);
	row_text(L, 1, R_HEADER, s);
}

/* Text wrapped at spaces over as many rows as it needs, from column x
 * (the following rows indented by two more). */
static void para(struct lay *L, int x, enum role role, const char *s)
{
	int cx = x;
	bool first = true;

	for (;;) {
		size_t len;
		int wd;
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		len = strcspn(s, " ");
		wd = text_width(s, len);
		if (!first) {
			if (cx + 1 + wd > L->w) {
				L->y++;
				cx = x + 2;
			} else {
				cx++;            /* the space between words */
			}
		}
		cx = grid_put(L->g, L->y, cx, L->w, s, len, role, GP_ONE_LINE, NULL);
		first = false;
		s += len;
	}
	L->y++;
}

/* Lays out tokens (each drawn in its role) one after another, wrapping
 * to column indent when one does not fit. */
struct flow {
	struct lay *L;
	int x, indent;
	bool first;
};

static void flow_put(struct flow *f, const char *s, enum role role)
{
	int wd = text_width(s, strlen(s));

	if (!f->first && f->x + 2 + wd > f->L->w) {
		f->L->y++;
		f->x = f->indent;
	} else if (!f->first) {
		f->x += 2;
	}
	f->x = put(f->L, f->L->y, f->x, f->L->w, s, role);
	f->first = false;
}

static void bar(struct lay *L, int y, int x, int n, const char *block, enum role role)
{
	int i;

	for (i = 0; i < n && x + i < L->w; i++)
		put(L, y, x + i, x + i + 1, block, role);
}

static enum role series_role(int s)
{
	return s == FIG_REAL ? R_BADGE_REAL : R_BADGE_SYNTHETIC;
}

/* ---- the sections ---- */

static void lay_totals(struct lay *L, const struct figures *f, const char *filter)
{
	char n1[32], n2[32], n3[32], n4[32], n5[32];
	struct buf b = BUF_INIT;

	buf_printf(&b, "filter: %s", *filter ? filter : "(all documents)");
	para(L, 1, R_DIM, buf_str(&b));
	buf_reset(&b);
	buf_printf(&b, "%s document%s: %s real, %s synthetic, %s unknown; %s bytes",
		   pv_num(f->docs, n1), f->docs == 1 ? "" : "s", pv_num(f->by_origin[0], n2),
		   pv_num(f->by_origin[1], n3), pv_num(f->by_origin[2], n4),
		   pv_num(f->bytes, n5));
	para(L, 1, R_LIST, buf_str(&b));
	buf_done(&b);
	if (f->docs == 0)
		para(L, 1, R_ERROR, "no documents match this filter: nothing to count or draw");
}

static void lay_counts(struct lay *L, const struct figures *f)
{
	int lw = L->w / 4, k;

	if (lw < 8)
		lw = 8;
	if (lw > 24)
		lw = 24;
	title(L, "counts");
	para(L, 1, R_DIM, "every matching document, by provenance field");
	for (k = 0; k < FIG_NFIELDS; k++) {
		const struct fig_field *fd = &f->field[k];
		int64_t max = 0, rest = 0;
		size_t i;
		char hd[64];

		snprintf(hd, sizeof hd, "by %s", fig_field_name(k));
		row_text(L, 1, R_DIM, hd);
		for (i = 0; i < fd->n; i++) {
			if (i < VALUES_SHOWN && fd->v[i].docs > max)
				max = fd->v[i].docs;
			if (i >= VALUES_SHOWN)
				rest += fd->v[i].docs;
		}
		for (i = 0; i < fd->n && i < VALUES_SHOWN; i++) {
			const struct fig_count *c = &fd->v[i];
			enum role role = k == FIG_ORIGIN ? origin_role(c->value) : R_LIST;
			double share = f->docs ? (double)c->docs / (double)f->docs : 0;
			int x = 2, bw;
			char n1[32], pct[16];
			x = put(L, L->y, x, 2 + lw, *c->value ? c->value : "(none)",
				*c->value ? R_LIST : R_DIM);
			x = 2 + lw + 1;
			snprintf(pct, sizeof pct, "%5.1f%%", share * 100);
			x = grid_printf(L->g, L->y, x, L->w, R_LIST, "%8s %s ", pv_num(c->docs, n1),
					pct);
			bw = L->w - x - 1;
			bar(L, L->y, x, fig_bar((double)c->docs, (double)max, bw), BLOCK_REAL,
			    k == FIG_ORIGIN ? role : R_LIST);
			L->y++;
		}
		if (fd->n > VALUES_SHOWN) {
			char n1[32], n2[32], line[128];
			snprintf(line, sizeof line, "... %s more values (%s documents)",
				 pv_num((int64_t)(fd->n - VALUES_SHOWN), n1), pv_num(rest, n2));
			row_text(L, 2, R_DIM, line);
		}
	}
}

static void lay_hist(struct lay *L, const struct fig_hist *h, const char *name,
		     const char *unit)
{
	struct buf b = BUF_INIT;
	double max = fig_hist_max_share(h);
	char n1[32], n2[32], lab[32];
	size_t i;
	int s;

	title(L, name);
	buf_printf(&b, "%s; ", unit);
	if (h->docs < h->of)
		buf_printf(&b, "sample of %s of %s documents", pv_num(h->docs, n1),
			   pv_num(h->of, n2));
	else
		buf_printf(&b, "all %s documents", pv_num(h->docs, n1));
	if (h->left_out)
		buf_printf(&b, "; %s empty left out", pv_num(h->left_out, n1));
	buf_puts(&b, "; bars: share of each series");
	para(L, 1, R_DIM, buf_str(&b));
	buf_done(&b);
	if (h->total[FIG_REAL] == 0 && h->total[FIG_SYNTH] == 0) {
		para(L, 1, R_ERROR, "no real and no synthetic documents: nothing to draw");
		return;
	}
	if (h->total[FIG_SYNTH] == 0)
		para(L, 1, R_ERROR, "no synthetic documents: only the real ones are drawn, "
		     "nothing to compare them with");
	else if (h->total[FIG_REAL] == 0)
		para(L, 1, R_ERROR, "no real documents: only the synthetic ones are drawn, "
		     "nothing to compare them with");
	{
		/* the legend: each series' size and median (wrapped when the
		 * screen is narrow) */
		char md[48], item[160];
		int x = 2, need;
		for (s = 0; s < FIG_NSERIES; s++) {
			if (h->total[s])
				snprintf(item, sizeof item, "%s %s, median %s%s",
					 s == FIG_REAL ? "real" : "synthetic",
					 pv_num(h->total[s], s == FIG_REAL ? n1 : n2),
					 fig_median_label(h, s, md),
					 h->scale == FIG_LOG ? " bytes" : "");
			else
				snprintf(item, sizeof item, "%s 0",
					 s == FIG_REAL ? "real" : "synthetic");
			/* the key and its words stay together on one row */
			need = 2 + text_width(item, strlen(item));
			if (x > 2 && x + 2 + need > L->w) {
				L->y++;
				x = 2;
			} else if (x > 2) {
				x += 2;
			}
			put(L, L->y, x, x + 1, s == FIG_REAL ? BLOCK_REAL : BLOCK_SYNTH,
			    series_role(s));
			x = put(L, L->y, x + 2, L->w, item, R_LIST);
		}
		L->y++;
	}
	for (i = 0; i < h->nbins; i++) {
		bool labelled = false;
		if (h->count[FIG_REAL][i] + h->count[FIG_SYNTH][i] == 0) {
			/* an empty bin: its label alone, one row */
			put(L, L->y++, 2, 2 + 7, fig_hist_label(h, i, lab), R_DIM);
			continue;
		}
		for (s = 0; s < FIG_NSERIES; s++) {
			double share = fig_hist_share(h, s, i);
			int x = 2 + 7, bw = L->w - x - 8, n;
			char pct[16];
			if (!h->total[s])
				continue;
			if (!labelled) {
				put(L, L->y, 2, 2 + 7, fig_hist_label(h, i, lab), R_LIST);
				labelled = true;
			}
			n = fig_bar(share, max, bw);
			bar(L, L->y, x, n, s == FIG_REAL ? BLOCK_REAL : BLOCK_SYNTH, series_role(s));
			snprintf(pct, sizeof pct, "%.1f%%", share * 100);
			put(L, L->y, x + n + 1, L->w, pct, R_DIM);
			L->y++;
		}
	}
}

/* An interval on a [0, 1] scale drawn in width columns from x: '-' the
 * scale, '|' chance, '=' the interval, '*' the estimate. */
static void strip(struct lay *L, int x, int width, double est, double lo, double hi,
		  double chance)
{
	int i, c, a, e;

	if (width < 5)
		return;
	c = (int)floor(chance * (width - 1) + 0.5);
	a = (int)floor(lo * (width - 1) + 0.5);
	e = (int)floor(hi * (width - 1) + 0.5);
	for (i = 0; i < width; i++)
		put(L, L->y, x + i, x + i + 1, i == c ? "|" : "-", R_DIM);
	for (i = a; i <= e && i < width; i++)
		if (i >= 0)
			put(L, L->y, x + i, x + i + 1, "=", R_BADGE_REAL);
	i = (int)floor(est * (width - 1) + 0.5);
	if (i >= 0 && i < width)
		put(L, L->y, x + i, x + i + 1, "*", R_BADGE_SYNTHETIC);
	L->y++;
}

static void lay_detect_head(struct lay *L, const struct fig_detect *d)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "from detect run %lld (%s) on %s", (long long)d->run, d->at ? d->at : "",
		   d->filter && *d->filter ? d->filter : "all documents");
	para(L, 1, R_DIM, buf_str(&b));
	if (d->model || d->match) {
		buf_reset(&b);
		buf_printf(&b, "model: %s", d->model ? d->model : "\xe2\x80\x94");
		if (d->by)
			buf_printf(&b, ", by %s", d->by);
		if (d->match)
			buf_printf(&b, ", --match %s", d->match);
		para(L, 1, R_DIM, buf_str(&b));
	}
	buf_done(&b);
	if (d->problem)
		para(L, 1, R_ERROR, d->problem);
}

static void lay_words(struct lay *L, const struct fig_detect *d)
{
	size_t i, k;
	bool any = false;

	title(L, "distinguishing words");
	if (!d->present) {
		para(L, 1, R_ERROR, "no detect run yet: run provex detect to find the words "
		     "that separate real from synthetic documents");
		return;
	}
	lay_detect_head(L, d);
	for (i = 0; i < d->ngroups; i++) {
		const struct fig_dgroup *g = &d->groups[i];
		struct flow fl;
		struct buf t = BUF_INIT;     /* a word and its z, whole: put()
					      * cuts it to the screen with an
					      * ellipsis */
		if (!g->words)
			continue;
		any = true;
		row_text(L, 1, R_LIST, g->value ? g->value : "(none)");
		fl = (struct flow){ L, 3, 5, true };
		flow_put(&fl, "synthetic:", R_BADGE_SYNTHETIC);
		for (k = 0; k < g->nsyn && k < TERMS_SHOWN; k++) {
			buf_reset(&t);
			buf_printf(&t, "%s %.1f", g->syn[k].term, g->syn[k].z);
			flow_put(&fl, buf_str(&t), R_LIST);
		}
		if (g->nsyn == 0)
			flow_put(&fl, "(none)", R_DIM);
		L->y++;
		fl = (struct flow){ L, 3, 5, true };
		flow_put(&fl, "real:", R_BADGE_REAL);
		for (k = 0; k < g->nrl && k < TERMS_SHOWN; k++) {
			buf_reset(&t);
			buf_printf(&t, "%s %.1f", g->rl[k].term, g->rl[k].z);
			flow_put(&fl, buf_str(&t), R_LIST);
		}
		if (g->nrl == 0)
			flow_put(&fl, "(none)", R_DIM);
		L->y++;
		buf_done(&t);
	}
	if (!any)
		para(L, 1, R_DIM, "the run has no word lists");
}

static void lay_review(struct lay *L, const struct figures *f)
{
	const struct review_report *r = &f->review;
	char n1[32], line[256];
	size_t i;

	title(L, "blind review");
	if (!f->have_review) {
		para(L, 1, R_ERROR, f->review_problem ? f->review_problem :
		     "the review results cannot be read");
		return;
	}
	if (r->answers == 0) {
		para(L, 1, R_DIM, "no blind review answers yet: run provex review");
		return;
	}
	snprintf(line, sizeof line, "accuracy with its 95%% interval (=) per generator, over "
		 "every answer in the store (%s, not only this filter's); chance is 50%% (|)",
		 pv_num(r->answers, n1));
	para(L, 1, R_DIM, line);
	for (i = 0; i < r->ngroups; i++) {
		const struct review_group *g = &r->groups[i];
		struct flow fl = { L, 2, 4, true };
		flow_put(&fl, review_mode_name(g->mode), R_DIM);
		flow_put(&fl, g->real_docs ? "(real documents)" : g->value ? g->value : "(none)",
			 R_LIST);
		snprintf(line, sizeof line, "%.1f%% [%.1f-%.1f] n=%s %s", g->accuracy * 100,
			 g->lo * 100, g->hi * 100, pv_num(g->answered, n1),
			 review_verdict_words(g->verdict));
		flow_put(&fl, line, R_LIST);
		L->y++;
		if (g->answered)
			strip(L, 4, L->w - 6, g->accuracy, g->lo, g->hi, 0.5);
	}
	for (i = 0; i < r->ncohen; i++) {
		const struct review_cohen_pair *c = &r->cohen[i];
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s: %s and %s agree, Cohen's kappa ", review_mode_name(c->mode),
			   c->a, c->b);
		if (c->defined)
			buf_printf(&b, "%.2f", c->kappa);
		else
			buf_puts(&b, "undefined");
		buf_printf(&b, " over %s items", pv_num(c->items, n1));
		para(L, 2, R_LIST, buf_str(&b));
		buf_done(&b);
	}
	for (i = 0; i < 2; i++)
		if (r->fleiss[i].reviewers > 2) {
			if (r->fleiss[i].defined)
				snprintf(line, sizeof line, "%s: Fleiss' kappa %.2f (%lld reviewers)",
					 review_mode_name((enum review_mode)i), r->fleiss[i].kappa,
					 (long long)r->fleiss[i].reviewers);
			else
				snprintf(line, sizeof line, "%s: Fleiss' kappa undefined",
					 review_mode_name((enum review_mode)i));
			para(L, 2, R_LIST, line);
		}
}

static void auc_row(struct lay *L, const char *group, int64_t syn, double auc, double lo,
		    double hi)
{
	struct flow fl = { L, 2, 4, true };
	char line[128], n1[32];

	flow_put(&fl, group, R_LIST);
	if (syn >= 0)
		snprintf(line, sizeof line, "AUC %.3f [%.3f-%.3f] (%s synthetic)", auc, lo, hi,
			 pv_num(syn, n1));
	else
		snprintf(line, sizeof line, "AUC %.3f [%.3f-%.3f]", auc, lo, hi);
	flow_put(&fl, line, R_LIST);
	L->y++;
	strip(L, 4, L->w - 6, auc, lo, hi, 0.5);
}

#define FIG_CELL_W 27           /* "matched 0.701 [0.650-0.750]" */
#define FIG_NAME_W 16           /* at most this wide, the group column */

/* A figure of a group as shown, into out: "own 0.912 [0.880-0.940]", or
 * "own —" when the run does not have it. */
static void auc_cell(char *out, size_t size, const char *name, const struct fig_auc *a)
{
	if (a->has)
		snprintf(out, size, "%s %.3f [%.3f-%.3f]", name, a->auc, a->lo, a->hi);
	else
		snprintf(out, size, "%s \xe2\x80\x94", name);
}

/* The true positive rate at 1% false positives: "TPR@1% 62.0% [58.0-66.0]". */
static void tpr_cell(char *out, size_t size, const struct fig_dgroup *g)
{
	const struct fig_tpr *t = fig_dgroup_tpr(g, 0.01);

	if (!t)
		snprintf(out, size, "TPR@1%% \xe2\x80\x94");
	else if (t->has_ci)
		snprintf(out, size, "TPR@1%% %.1f%% [%.1f-%.1f]", t->tpr * 100, t->lo * 100,
			 t->hi * 100);
	else
		snprintf(out, size, "TPR@1%% %.1f%%", t->tpr * 100);
}

/* The pooled model's AUC of g: its own key, or the group's "auc" (the
 * pooled model's in every run). */
static struct fig_auc pooled_of(const struct fig_dgroup *g)
{
	struct fig_auc a = g->pooled;

	if (!a.has && g->has_auc) {
		a.has = true;
		a.auc = g->auc;
		a.lo = g->lo;
		a.hi = g->hi;
	}
	return a;
}

/* A group of a newer run: its name (and below it, when its figures take
 * two rows or more, its synthetic documents) in a column nw wide, then
 * its four figures in cells FIG_CELL_W wide, as many a row as fit; on a
 * screen too narrow for the column, the name on a row of its own and the
 * figures one a row under it. */
static void group_rows(struct lay *L, const struct fig_dgroup *g, int nw)
{
	struct fig_auc pooled = pooled_of(g);
	const struct fig_auc *auc[3] = { &g->own, &pooled, &g->matched };
	static const char *const names[3] = { "own", "pooled", "matched" };
	const char *name = g->value ? g->value : "(none)";
	char cell[4][96], n1[32], syn[48];
	int x0 = 2 + nw + 2, per, i, y0;

	for (i = 0; i < 3; i++)
		auc_cell(cell[i], sizeof cell[i], names[i], auc[i]);
	tpr_cell(cell[3], sizeof cell[3], g);
	if (g->synthetic >= 0)
		snprintf(syn, sizeof syn, "%s synthetic", pv_num(g->synthetic, n1));
	else
		syn[0] = 0;
	if (L->w - x0 < FIG_CELL_W) {
		struct flow fl = { L, 2, 4, true };
		flow_put(&fl, name, g->value ? R_LIST : R_DIM);
		if (syn[0])
			flow_put(&fl, syn, R_DIM);
		L->y++;
		x0 = 4;
	} else {
		put(L, L->y, 2, 2 + nw, name, g->value ? R_LIST : R_DIM);
	}
	per = (L->w - x0 + 2) / (FIG_CELL_W + 2);
	if (per < 1)
		per = 1;
	if (per >= 4 && x0 > 4 && syn[0] &&
	    x0 + 4 * (FIG_CELL_W + 2) + text_width(syn, strlen(syn)) > L->w)
		per = 2;                 /* two rows of two, the count under the name */
	y0 = L->y;
	for (i = 0; i < 4; i++) {
		int col = i % per;
		if (i && col == 0)
			L->y++;
		put(L, L->y, x0 + col * (FIG_CELL_W + 2), L->w, cell[i],
		    strstr(cell[i], "\xe2\x80\x94") ? R_DIM : R_LIST);
	}
	if (x0 > 4 && syn[0]) {
		if (L->y > y0)
			put(L, y0 + 1, 2, 2 + nw, syn, R_DIM);
		else             /* one row: after the figures (room made above) */
			put(L, L->y, x0 + 4 * (FIG_CELL_W + 2), L->w, syn, R_DIM);
	}
	L->y++;
}


/* The field a group's uncovered values are of ("" when not said). */
static const char *uncovered_field(const struct fig_detect *d, const struct fig_dgroup *g)
{
	const char *f = g->uncovered_field ? g->uncovered_field : fig_match_field(d);

	return f ? f : "";
}

/* One warning per field for the groups that never cover some of its
 * values: "real documents in source values a group never covers, where
 * topic may pass for style: gpt-x (1,200 in 3 values), ...; compare with
 * provex detect --match source". */
static void lay_uncovered(struct lay *L, const struct fig_detect *d)
{
	struct buf b = BUF_INIT;
	char n1[32], n2[32];
	size_t i, j, k;

	for (i = 0; i < d->ngroups; i++) {
		const char *f = uncovered_field(d, &d->groups[i]);
		bool seen = false, first = true;
		if (!d->groups[i].has_uncovered)
			continue;
		for (k = 0; k < i && !seen; k++)
			seen = d->groups[k].has_uncovered && !strcmp(uncovered_field(d, &d->groups[k]), f);
		if (seen)
			continue;            /* said with that group */
		buf_reset(&b);
		buf_printf(&b, "real documents in %s%svalues a group never covers, where topic "
			   "may pass for style: ", f, *f ? " " : "");
		for (j = i; j < d->ngroups; j++) {
			const struct fig_dgroup *g = &d->groups[j];
			if (!g->has_uncovered || strcmp(uncovered_field(d, g), f))
				continue;
			buf_printf(&b, "%s%s (%s in %s value%s)", first ? "" : ", ",
				   g->value ? g->value : "(none)",
				   g->uncovered_real >= 0 ? pv_num(g->uncovered_real, n1) : "?",
				   g->uncovered_values >= 0 ? pv_num(g->uncovered_values, n2) : "?",
				   g->uncovered_values == 1 ? "" : "s");
			first = false;
		}
		if (d->match && !strcmp(d->match, f))
			buf_printf(&b, "; the matched AUCs (--match %s) leave them out", f);
		else
			buf_printf(&b, "; compare with provex detect --match %s", *f ? f : "FIELD");
		para(L, 2, R_ERROR, buf_str(&b));
	}
	buf_done(&b);
}

/* The figures of newer runs: a legend, a group's own, pooled and matched
 * AUCs and its TPR at 1% FPR, the shuffled-label control, and a warning
 * per field for the groups that never cover some of its values. */
static void lay_detector_groups(struct lay *L, const struct fig_detect *d)
{
	struct buf b = BUF_INIT;
	char n1[32];
	size_t i;
	int nw = 5;

	buf_puts(&b, "own: a model of the group alone; pooled: one model for all groups; "
		 "matched: own against real documents of the same ");
	if (fig_match_field(d))
		buf_puts(&b, fig_match_field(d));
	else
		buf_puts(&b, "--match field values");
	buf_puts(&b, "; TPR@1%: synthetic documents caught when 1% of real ones are; "
		 "[95% interval]; \xe2\x80\x94: not in this run");
	para(L, 1, R_DIM, buf_str(&b));
	for (i = 0; i < d->ngroups; i++) {
		const struct fig_dgroup *g = &d->groups[i];
		const char *v = g->value ? g->value : "(none)";
		int wd = text_width(v, strlen(v));
		if (wd > nw)
			nw = wd;
		if (g->synthetic >= 0) {     /* "1,234 synthetic" goes under it */
			wd = (int)strlen(pv_num(g->synthetic, n1)) + 10;
			if (wd > nw)
				nw = wd;
		}
	}
	if (nw > FIG_NAME_W)
		nw = FIG_NAME_W;
	for (i = 0; i < d->ngroups; i++)
		group_rows(L, &d->groups[i], nw);
	buf_reset(&b);
	if (d->control.has) {
		bool off = d->control.lo > 0.5 || d->control.hi < 0.5;
		buf_printf(&b, "control, labels shuffled: AUC %.3f [%.3f-%.3f]: %s",
			   d->control.auc, d->control.lo, d->control.hi, fig_control_words(d));
		para(L, 2, off ? R_ERROR : R_LIST, buf_str(&b));
	} else {
		para(L, 2, R_DIM, "control, labels shuffled: \xe2\x80\x94");
	}
	buf_done(&b);
	lay_uncovered(L, d);
}

static void lay_detector(struct lay *L, const struct fig_detect *d)
{
	size_t i;

	title(L, "detector");
	if (!d->present) {
		para(L, 1, R_ERROR, "no detect run yet: run provex detect");
		return;
	}
	lay_detect_head(L, d);
	para(L, 1, R_DIM, "ROC AUC with its 95% interval (=); 0.5 (|): cannot tell the "
	     "sides apart, 1: always can");
	if (d->has_overall)
		auc_row(L, "all", d->synthetic, d->auc, d->lo, d->hi);
	if (d->extended) {
		lay_detector_groups(L, d);
	} else {
		for (i = 0; i < d->ngroups; i++) {
			const struct fig_dgroup *g = &d->groups[i];
			if (!g->has_auc)
				continue;
			if (d->has_overall && d->by && !strcmp(d->by, "none"))
				continue;            /* the one group is the overall row */
			auc_row(L, g->value ? g->value : "(none)", g->synthetic, g->auc, g->lo,
				g->hi);
		}
	}
	for (i = 0; i < 2; i++) {
		int64_t n = i ? d->low_synthetic : d->high_real;
		const char *qf = i ? d->low_filter : d->high_filter;
		struct buf b = BUF_INIT;
		char n1[32];
		if (n < 0 || !qf)
			continue;
		buf_printf(&b, "%s %s document%s %s: %s", pv_num(n, n1), i ? "synthetic" : "real",
			   n == 1 ? "" : "s", i ? (n == 1 ? "passes as real" : "pass as real") :
			   (n == 1 ? "reads as synthetic" : "read as synthetic"), qf);
		para(L, 2, R_LIST, buf_str(&b));
		buf_done(&b);
	}
}

/* Everything, from row 0 of L->g. */
static void lay_all(struct lay *L, const struct figures *f, const char *filter)
{
	lay_totals(L, f, filter);
	if (f->docs > 0) {
		lay_counts(L, f);
		lay_hist(L, &f->len, "length", "bytes, log scale");
		lay_hist(L, &f->ratio, "compression ratio", "length / compressed length");
	}
	lay_words(L, &f->detect);
	lay_review(L, f);
	lay_detector(L, &f->detect);
}

/* Lays the text out for width w (measured on a scratch row, then drawn
 * into a grid of the height measured). */
static void layout(struct statsview *v, int w)
{
	struct lay L;
	struct grid scratch;

	grid_done(&v->text);
	grid_init(&scratch, w, 1);
	L = (struct lay){ &scratch, w, 1 };     /* from row 1: nothing drawn */
	lay_all(&L, &v->fig, v->filter);
	grid_done(&scratch);
	v->nrows = L.y - 1;
	grid_init(&v->text, w, v->nrows > 0 ? v->nrows : 1);
	L = (struct lay){ &v->text, w, 0 };
	lay_all(&L, &v->fig, v->filter);
	v->text_w = w;
}

/* ---- the view ---- */

static void draw_progress(struct app *a, struct statsview *v, struct grid *g)
{
	int64_t done = 0, total = -1;
	const char *phase = v->job ? figures_progress(v->job, &done, &total) : "starting";
	char n1[32], n2[32], line[160];
	int y = 2, bw = g->w - 4, i, n;

	grid_printf(g, y++, 1, g->w, R_LIST, "computing statistics: %s", phase);
	if (total >= 0)
		snprintf(line, sizeof line, "%s of %s (%d%%)", pv_num(done, n1), pv_num(total, n2),
			 total > 0 ? (int)(100.0 * (double)(done > total ? total : done) /
					   (double)total) : 100);
	else
		snprintf(line, sizeof line, "%s so far", pv_num(done, n1));
	grid_puts(g, y++, 1, g->w, line, R_DIM);
	if (total > 0 && bw > 2) {
		n = (int)((double)bw * (double)(done > total ? total : done) / (double)total);
		grid_puts(g, y, 1, 2, "[", R_DIM);
		for (i = 0; i < bw; i++)
			grid_puts(g, y, 2 + i, 3 + i, i < n ? "#" : ".", i < n ? R_BADGE_REAL : R_DIM);
		grid_puts(g, y, 2 + bw, 3 + bw, "]", R_DIM);
	}
	app_draw_status(a, g, "Esc or q: cancel", "");
}

static void stats_draw(struct app *a, void *state, struct grid *g)
{
	struct statsview *v = state;
	int rows = g->h - 2, y, max_top;
	char pos[48];

	grid_fill(g, 0, 0, g->w, R_HEADER);
	grid_puts(g, 0, 0, g->w, "statistics (j/k: scroll, q: back)", R_HEADER);
	if (!v->ready) {
		draw_progress(a, v, g);
		return;
	}
	if (v->text_w != g->w) {
		/* a new width: keep the same part of the text in view */
		int was = v->nrows;
		layout(v, g->w);
		if (was > 0 && v->top > 0)
			v->top = (int)((double)v->top * v->nrows / was);
	}
	v->page = rows > 0 ? rows : 1;
	max_top = v->nrows > rows ? v->nrows - rows : 0;
	if (v->top > max_top)
		v->top = max_top;
	if (v->top < 0)
		v->top = 0;
	for (y = 0; y < rows && v->top + y < v->nrows; y++)
		memcpy(grid_at(g, y + 1, 0), grid_at(&v->text, v->top + y, 0),
		       (size_t)g->w * sizeof(struct cell));
	snprintf(pos, sizeof pos, "%d-%d/%d", v->nrows ? v->top + 1 : 0,
		 v->top + rows < v->nrows ? v->top + rows : v->nrows, v->nrows);
	app_draw_status(a, g, "j/k PgDn/PgUp: scroll  q: back", pos);
}

static bool stats_key(struct app *a, void *state, enum action act, int key)
{
	struct statsview *v = state;
	int page = v->page > 1 ? v->page - 1 : 1;

	switch (act) {
	case ACT_DOWN: v->top++; return true;
	case ACT_UP: v->top--; return true;
	case ACT_PGDN: v->top += page; return true;
	case ACT_PGUP: v->top -= page; return true;
	case ACT_TOP: v->top = 0; return true;
	case ACT_END: v->top = v->nrows; return true;
	case ACT_OPEN: return true;
	default:
		break;
	}
	if (key == 27) {
		app_pop(a);
		return true;
	}
	return false;
}

static void stats_done(void *state)
{
	struct statsview *v = state;

	figures_job_free(v->job);
	set_where_done(&v->where);
	figures_done(&v->fig);
	grid_done(&v->text);
	free(v->filter);
	free(v);
}

const struct view_ops stats_ops = {
	.name = "statistics",
	.mask = VM_HELP,             /* a text that scrolls: the help view's keys */
	.draw = stats_draw,
	.key = stats_key,
	.done = stats_done,
	.reload = NULL,
};

/* A key typed while computing (0: none), without waiting. */
static int poll_key(struct app *a)
{
	if (a->headless)
		return stats_key_hook ? stats_key_hook(a) : 0;
	return screen_wait(a, 0);
}

void stats_open(struct app *a)
{
	struct statsview *v = pv_calloc(1, sizeof *v);
	struct fig_opts o = { fig_sample_default(), a->count >= 0 ? a->count : -1 };
	struct pv_err err;
	int64_t last = 0;
	int depth = a->nviews, rc;

	if (!a->store) {
		/* figures_begin reads one store; a set's groups: provex stats */
		app_status(a, R_ERROR, "statistics of a set of stores: not in the "
			   "interface; provex stats %s [FILTER] --by FIELD gives them",
			   a->store_path);
		free(v);
		return;
	}
	v->filter = pv_strdup(a->filter ? a->filter : "");
	if (!app_compile(a, v->filter, &v->where)) {
		stats_done(v);
		return;
	}
	pv_err_clear(&err);
	if (figures_begin(a->store, &v->where.w[0], &o, &v->job, &err)) {
		app_error(a, &err);
		stats_done(v);
		return;
	}
	app_push(a, &stats_ops, v);
	if (a->nviews == depth)
		return;                  /* not pushed (v freed) */
	app_draw(a);
	last = pv_now_ms();
	for (;;) {
		int key;
		pv_err_clear(&err);
		rc = figures_step(v->job, 40, &err);
		if (rc < 0) {
			app_pop(a);
			app_error(a, &err);
			return;
		}
		if (rc == 0)
			break;
		if (pv_now_ms() - last >= 100) {
			app_draw(a);
			last = pv_now_ms();
		}
		key = poll_key(a);
		if (key == KEY_RESIZE)
			app_draw(a);
		if (key == 27 || (key > 0 && key != KEY_RESIZE &&
				  key_action(key, VM_HELP) == ACT_QUIT) ||
		    (!a->headless && screen_interrupted())) {
			app_pop(a);
			app_status(a, R_STATUS, "statistics cancelled");
			return;
		}
	}
	figures_take(v->job, &v->fig);
	figures_job_free(v->job);
	v->job = NULL;
	set_where_done(&v->where);
	v->ready = true;
}
