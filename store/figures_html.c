/*
 * figures_html.c - provex stats --html: the page drawn from struct
 * figures (store/figures.h), one self-contained HTML document with inline
 * SVG charts and CSS, no script and nothing fetched; every string from the
 * store is escaped.
 *
 * It sits beside figures.c rather than in a folder of its own: it reads
 * nothing from the store and computes nothing, it only draws what
 * figures.c computed, through the types and accessors of figures.h (the
 * interface's statistics view, tui/statsview.c, draws the same figures on
 * a terminal); one file is not worth a new layer.
 */
#include "figures.h"
#include "../common/buf.h"
#include "../common/utf8.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- HTML ---- */

void fig_html_escape(struct buf *b, const char *s, size_t len)
{
	struct buf safe = BUF_INIT;
	size_t i;

	utf8_sanitize(&safe, s, len, SAN_ONE_LINE);
	for (i = 0; i < safe.len; i++) {
		char c = safe.data[i];
		switch (c) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, c);
		}
	}
	buf_done(&safe);
}

static void esc(struct buf *b, const char *s)
{
	fig_html_escape(b, s, strlen(s));
}

/* A value as shown: "(none)" for documents without one; cut to max
 * characters (with an ellipsis) when max > 0. */
static void esc_value(struct buf *b, const char *v, size_t max)
{
	size_t len, cut, chars = 0, i;

	if (!v || !*v) {
		buf_puts(b, "(none)");
		return;
	}
	len = strlen(v);
	cut = len;
	if (max) {
		for (i = 0; i < len; i++)
			if (((unsigned char)v[i] & 0xc0) != 0x80 && chars++ == max) {
				cut = i;
				break;
			}
	}
	fig_html_escape(b, v, cut);
	if (cut < len)
		buf_puts(b, "\xe2\x80\xa6");
}

#define COL_REAL "#2f6db5"
#define COL_SYNTH "#e8782a"
#define COL_COUNT "#6b7280"

static const char css[] =
	"body{font:14px/1.45 'DejaVu Sans',system-ui,sans-serif;margin:24px auto;"
	"max-width:1100px;padding:0 16px;color:#1f2933;background:#fff}"
	"h1{font-size:24px;margin-bottom:4px}"
	"h2{font-size:19px;margin-top:36px;border-bottom:1px solid #d0d7de;padding-bottom:4px}"
	"h3{font-size:15px;margin:20px 0 6px}"
	".note{color:#57606a}.warn{color:#9a3412;font-weight:600}"
	"code{background:#f3f4f6;padding:1px 4px;border-radius:3px}"
	"table{border-collapse:collapse;margin:6px 0}"
	"th,td{padding:3px 10px;text-align:left;vertical-align:top}"
	"th{border-bottom:1px solid #d0d7de}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"svg{display:block;margin:6px 0}"
	"svg text{font:12px 'DejaVu Sans',system-ui,sans-serif;fill:#1f2933}"
	".real{fill:" COL_REAL "}.synthetic{fill:" COL_SYNTH "}.count{fill:" COL_COUNT "}"
	".key{display:inline-block;width:12px;height:12px;margin:0 4px 0 14px;"
	"vertical-align:-1px}"
	".zbar{display:inline-block;height:10px;vertical-align:0}"
	".words{display:flex;gap:40px;flex-wrap:wrap}";

/* Counts of one field: a horizontal bar per value (at most 30, then
 * the rest in one bar). */
static void html_counts(struct buf *b, const struct figures *f, int k)
{
	const struct fig_field *fd = &f->field[k];
	size_t i, shown = fd->n > 30 ? 30 : fd->n, bars = shown + (fd->n > shown);
	int64_t max = 0, rest = 0, restv = 0;
	const int row = 20, lw = 250, bw = 560, W = 980;
	char n1[32];

	for (i = 0; i < fd->n; i++) {
		if (i < shown && fd->v[i].docs > max)
			max = fd->v[i].docs;
		if (i >= shown) {
			rest += fd->v[i].docs;
			restv++;
		}
	}
	if (rest > max)
		max = rest;
	buf_printf(b, "<h3>by %s</h3>\n", fig_field_name(k));
	if (fd->n == 0) {
		buf_puts(b, "<p class=\"note\">no documents</p>\n");
		return;
	}
	buf_printf(b, "<svg class=\"counts\" data-field=\"%s\" data-bars=\"%zu\" width=\"%d\" "
		   "height=\"%zu\" viewBox=\"0 0 %d %zu\" role=\"img\" aria-label=\"documents "
		   "by %s\">\n", fig_field_name(k), bars, W, bars * row + 4, W,
		   bars * row + 4, fig_field_name(k));
	for (i = 0; i < bars; i++) {
		bool others = i == shown;
		int64_t docs = others ? rest : fd->v[i].docs;
		double share = f->docs ? (double)docs / (double)f->docs : 0;
		int w = max ? (int)((double)docs / (double)max * bw + 0.5) : 0;
		int y = (int)i * row + 2;
		if (docs > 0 && w < 1)
			w = 1;
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", lw - 8, y + 13);
		if (others)
			buf_printf(b, "%s other values", pv_num(restv, n1));
		else
			esc_value(b, fd->v[i].value, 32);
		buf_printf(b, "</text><rect class=\"bar count\" x=\"%d\" y=\"%d\" width=\"%d\" "
			   "height=\"14\" fill=\"" COL_COUNT "\" shape-rendering=\"crispEdges\">"
			   "<title>", lw, y + 1, w);
		if (others)
			buf_printf(b, "%s other values", pv_num(restv, n1));
		else
			esc_value(b, fd->v[i].value, 0);
		buf_printf(b, ": %s documents</title></rect><text x=\"%d\" y=\"%d\">%s "
			   "(%.1f%%)</text>\n", pv_num(docs, n1), lw + w + 6, y + 13, pv_num(docs, n1),
			   share * 100);
	}
	buf_puts(b, "</svg>\n");
}

/* Which series a histogram cannot compare, as a sentence (or NULL). */
static const char *missing_series(const struct fig_hist *h)
{
	if (h->total[FIG_REAL] == 0 && h->total[FIG_SYNTH] == 0)
		return "no real and no synthetic documents: nothing to draw";
	if (h->total[FIG_SYNTH] == 0)
		return "no synthetic documents: only the real ones are drawn, with "
			"nothing to compare them with";
	if (h->total[FIG_REAL] == 0)
		return "no real documents: only the synthetic ones are drawn, with "
			"nothing to compare them with";
	return NULL;
}

/* "all 1,234 documents" or "a sample of 100,000 of 2,345,678 documents". */
static void sample_words(struct buf *b, const struct fig_hist *h)
{
	char n1[32], n2[32];

	if (h->docs < h->of)
		buf_printf(b, "a sample of %s of %s documents (chosen by a hash of their ids)",
			   pv_num(h->docs, n1), pv_num(h->of, n2));
	else
		buf_printf(b, "all %s documents", pv_num(h->docs, n1));
}

static void html_hist(struct buf *b, const struct fig_hist *h, const char *name,
		      const char *title, const char *unit)
{
	const int W = 1000, H = 300, x0 = 60, x1 = 985, y0 = 16, y1 = 240;
	double max = fig_hist_max_share(h), bw;
	const char *miss = missing_series(h);
	size_t i, every;
	int s;
	char lab[32], n1[32], md[48];

	buf_printf(b, "<h2>%s</h2>\n<p class=\"note\">%s; ", title, unit);
	sample_words(b, h);
	if (h->left_out)
		buf_printf(b, "; %s empty documents left out", pv_num(h->left_out, n1));
	buf_puts(b, ". Each bar is the share of its own series in the bin, so the two "
		 "series compare however many documents each has; a dashed line marks each "
		 "series' median.</p>\n");
	if (miss)
		buf_printf(b, "<p class=\"warn\">%s.</p>\n", miss);
	if (h->nbins == 0)
		return;
	buf_puts(b, "<p class=\"legend\">");
	for (s = 0; s < FIG_NSERIES; s++) {
		buf_printf(b, "%s<span class=\"key %s\" style=\"background:%s\"></span>%s (%s",
			   s ? " " : "", s == FIG_REAL ? "real" : "synthetic",
			   s == FIG_REAL ? COL_REAL : COL_SYNTH, s == FIG_REAL ? "real" : "synthetic",
			   pv_num(h->total[s], n1));
		if (h->total[s])
			buf_printf(b, "; <span class=\"median\">median %s%s</span>",
				   fig_median_label(h, s, md), h->scale == FIG_LOG ? " bytes" : "");
		buf_puts(b, ")");
	}
	buf_puts(b, "</p>\n");
	buf_printf(b, "<svg class=\"hist\" data-figure=\"%s\" data-bins=\"%zu\" "
		   "data-series=\"%s%s%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "role=\"img\" aria-label=\"%s\">\n", name, h->nbins,
		   h->total[FIG_REAL] ? "real" : "",
		   h->total[FIG_REAL] && h->total[FIG_SYNTH] ? " " : "",
		   h->total[FIG_SYNTH] ? "synthetic" : "", W, H, W, H, title);
	/* axes and grid: 0, half and the largest share */
	for (i = 0; i <= 2; i++) {
		int y = y1 - (int)((y1 - y0) * (double)i / 2);
		buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>"
			   "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.1f%%</text>\n", x0, y,
			   x1, y, i ? "#e5e7eb" : "#6b7280", x0 - 6, y + 4,
			   max * 100 * (double)i / 2);
	}
	bw = (double)(x1 - x0) / (double)h->nbins;
	every = (size_t)ceil(46.0 / bw);
	if (every < 1)
		every = 1;
	for (i = 0; i < h->nbins; i++) {
		double bx = x0 + bw * (double)i;
		for (s = 0; s < FIG_NSERIES; s++) {
			double share = fig_hist_share(h, s, i);
			double ht = max > 0 ? share / max * (y1 - y0) : 0;
			if (!h->total[s])
				continue;
			if (share > 0 && ht < 1)
				ht = 1;
			buf_printf(b, "<rect class=\"bar %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				   "height=\"%.1f\" fill=\"%s\" shape-rendering=\"crispEdges\">"
				   "<title>%s, from %s: %s documents (%.1f%%)</title></rect>\n",
				   s == FIG_REAL ? "real" : "synthetic",
				   bx + bw * (s == FIG_REAL ? 0.08 : 0.5), y1 - ht, bw * 0.42, ht,
				   s == FIG_REAL ? COL_REAL : COL_SYNTH,
				   s == FIG_REAL ? "real" : "synthetic", fig_hist_label(h, i, lab),
				   pv_num(h->count[s][i], n1), share * 100);
		}
		if (i % every == 0)
			buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
				   bx + bw / 2, y1 + 16, fig_hist_label(h, i, lab));
	}
	/* each series' median: a dashed line where it falls */
	for (s = 0; s < FIG_NSERIES; s++) {
		double mx;
		if (!h->total[s])
			continue;
		mx = x0 + bw * fig_hist_pos(h, h->median[s]);
		buf_printf(b, "<line class=\"median %s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			   "y2=\"%d\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"6 4\">"
			   "<title>median of the %s documents: %s%s</title></line>\n",
			   s == FIG_REAL ? "real" : "synthetic", mx, y0, mx, y1,
			   s == FIG_REAL ? COL_REAL : COL_SYNTH, s == FIG_REAL ? "real" : "synthetic",
			   fig_median_label(h, s, md), h->scale == FIG_LOG ? " bytes" : "");
	}
	buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s (bins from the "
		   "value shown)</text>\n</svg>\n", (x0 + x1) / 2, y1 + 40, unit);
}

/* One row per interval on a 0..1 scale, with a dashed line at chance. */
struct ivrow {
	double x, lo, hi;
	const char *label;       /* borrowed; NULL: "(none)" */
};

static void html_intervals(struct buf *b, const char *name, const struct ivrow *r,
			   size_t n, double chance)
{
	const int W = 720, row = 22, x0 = 190, x1 = 700;
	size_t i;
	int H = (int)n * row + 26, k;

	buf_printf(b, "<svg class=\"intervals\" data-figure=\"%s\" data-rows=\"%zu\" "
		   "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", name, n,
		   W, H, W, H);
	for (k = 0; k <= 4; k++) {
		int x = x0 + (x1 - x0) * k / 4;
		buf_printf(b, "<line x1=\"%d\" y1=\"2\" x2=\"%d\" y2=\"%d\" stroke=\"#e5e7eb\"/>"
			   "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", x, x,
			   H - 20, x, H - 6, k / 4.0);
	}
	buf_printf(b, "<line x1=\"%.1f\" y1=\"2\" x2=\"%.1f\" y2=\"%d\" stroke=\"#9a3412\" "
		   "stroke-dasharray=\"4 3\"/>\n", x0 + (x1 - x0) * chance,
		   x0 + (x1 - x0) * chance, H - 20);
	for (i = 0; i < n; i++) {
		double y = (double)i * row + 2 + row / 2.0;
		buf_printf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", x0 - 12, y + 4);
		esc_value(b, r[i].label, 24);
		buf_puts(b, "</text>");
		buf_printf(b, "<line class=\"interval\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			   "y2=\"%.1f\" stroke=\"" COL_REAL "\" stroke-width=\"3\"/>"
			   "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\""
			   COL_SYNTH "\"/>\n", x0 + (x1 - x0) * r[i].lo, y, x0 + (x1 - x0) * r[i].hi,
			   y, x0 + (x1 - x0) * r[i].x, y);
	}
	buf_puts(b, "</svg>\n");
}

static void html_terms(struct buf *b, const char *side, const struct fig_term *t, size_t n)
{
	double max = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (fabs(t[i].z) > max)
			max = fabs(t[i].z);
	buf_printf(b, "<table class=\"terms\"><tr><th>more %s</th><th class=\"n\">z</th>"
		   "<th></th></tr>\n", side);
	for (i = 0; i < n; i++) {
		buf_puts(b, "<tr><td>");
		esc(b, t[i].term);
		buf_printf(b, "</td><td class=\"n\">%.1f</td><td><span class=\"zbar\" "
			   "style=\"width:%dpx;background:%s\"></span></td></tr>\n", t[i].z,
			   max > 0 ? (int)(fabs(t[i].z) / max * 160 + 0.5) : 0,
			   !strcmp(side, "synthetic") ? COL_SYNTH : COL_REAL);
	}
	if (n == 0)
		buf_puts(b, "<tr><td class=\"note\">(none)</td></tr>\n");
	buf_puts(b, "</table>\n");
}

static void html_detect_head(struct buf *b, const struct fig_detect *d)
{
	buf_printf(b, "<p class=\"note\">From provex detect run %lld (", (long long)d->run);
	esc(b, d->at ? d->at : "");
	buf_puts(b, ") on the filter <code>");
	esc(b, d->filter && *d->filter ? d->filter : "(all documents)");
	buf_puts(b, "</code>; it covers the documents of that run, not necessarily "
		 "this page's filter.</p>\n");
	if (d->model || d->match) {
		buf_puts(b, "<p class=\"note\">Model: ");
		esc(b, d->model ? d->model : "\xe2\x80\x94");
		if (d->by) {
			buf_puts(b, ", by ");
			esc(b, d->by);
		}
		if (d->match) {
			buf_puts(b, ", <code>--match ");
			esc(b, d->match);
			buf_puts(b, "</code>");
		}
		buf_puts(b, ".</p>\n");
	}
	if (d->problem) {
		buf_puts(b, "<p class=\"warn\">");
		esc(b, d->problem);
		buf_puts(b, ".</p>\n");
	}
}

/* An AUC cell of the detector table: "0.912 (0.880–0.940)", a dash when
 * the run does not have it; with the real documents it is over when
 * real is true and the summary says. */
static void html_auc_cell(struct buf *b, const struct fig_auc *a, bool real)
{
	char n1[32];

	if (!a->has) {
		buf_puts(b, "<td class=\"n\">&mdash;</td>");
		return;
	}
	buf_printf(b, "<td class=\"n\">%.3f (%.3f&ndash;%.3f)", a->auc, a->lo, a->hi);
	if (real && a->real >= 0)
		buf_printf(b, "<br><span class=\"note\">over %s real</span>", pv_num(a->real, n1));
	buf_puts(b, "</td>");
}

/* The field the matched AUCs are over, for the page. */
static const char *html_match_field(const struct fig_detect *d)
{
	const char *f = fig_match_field(d);

	return f ? f : "--match";
}

#define HTML_MAX_FPR 4           /* TPR columns at most */

/* The detector table of a newer run: per group its own, pooled and
 * matched AUCs and its TPR at each false positive rate any group lists;
 * the shuffled-label control; a warning per group that never covers some
 * field values; the AUC by length. */
static void html_detect_groups(struct buf *b, const struct fig_detect *d)
{
	double fpr[HTML_MAX_FPR];
	size_t nfpr = 0, i, k;
	char n1[32], n2[32];
	bool lengths = false;

	for (i = 0; i < d->ngroups; i++)
		for (k = 0; k < d->groups[i].ntpr; k++) {
			double x = d->groups[i].tpr[k].fpr;
			size_t j;
			for (j = 0; j < nfpr && fabs(fpr[j] - x) > 1e-9; j++)
				;
			if (j == nfpr && nfpr < HTML_MAX_FPR)
				fpr[nfpr++] = x;
		}
	if (nfpr == 0)
		fpr[nfpr++] = 0.01;
	for (i = 1; i < nfpr; i++)           /* smallest first */
		for (k = i; k > 0 && fpr[k] < fpr[k - 1]; k--) {
			double t = fpr[k];
			fpr[k] = fpr[k - 1];
			fpr[k - 1] = t;
		}
	buf_puts(b, "<p class=\"note\">Own: a model of the group's synthetic documents "
		 "against the real ones; pooled: one model for all groups; matched: the own "
		 "model against the real documents of the same ");
	esc(b, html_match_field(d));
	buf_puts(b, " only; TPR at x% FPR: the share of the group's synthetic documents "
		 "caught when x% of the real ones are. Each with its 95% interval; "
		 "&mdash;: not in this run.</p>\n<table class=\"detector\">\n<tr><th>group"
		 "</th><th class=\"n\">synthetic</th><th class=\"n\">real</th><th class=\"n\">"
		 "own AUC</th><th class=\"n\">pooled AUC</th><th class=\"n\">matched AUC</th>");
	for (k = 0; k < nfpr; k++)
		buf_printf(b, "<th class=\"n\">TPR at %g%% FPR</th>", fpr[k] * 100);
	buf_puts(b, "</tr>\n");
	for (i = 0; i < d->ngroups; i++) {
		const struct fig_dgroup *g = &d->groups[i];
		struct fig_auc pooled = g->pooled;
		if (!pooled.has && g->has_auc) {
			pooled.has = true;
			pooled.auc = g->auc;
			pooled.lo = g->lo;
			pooled.hi = g->hi;
		}
		if (g->nlenbin)
			lengths = true;
		buf_puts(b, "<tr><td>");
		esc_value(b, g->value, 0);
		buf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>",
			   g->synthetic >= 0 ? pv_num(g->synthetic, n1) : "?",
			   g->real >= 0 ? pv_num(g->real, n2) : "?");
		html_auc_cell(b, &g->own, false);
		html_auc_cell(b, &pooled, false);
		html_auc_cell(b, &g->matched, true);
		for (k = 0; k < nfpr; k++) {
			const struct fig_tpr *t = fig_dgroup_tpr(g, fpr[k]);
			if (!t) {
				buf_puts(b, "<td class=\"n\">&mdash;</td>");
				continue;
			}
			buf_printf(b, "<td class=\"n\">%.1f%%", t->tpr * 100);
			if (t->has_ci)
				buf_printf(b, " (%.1f&ndash;%.1f)", t->lo * 100, t->hi * 100);
			if (t->model && strcmp(t->model, "own")) {
				buf_puts(b, "<br><span class=\"note\">");
				esc(b, t->model);
				buf_puts(b, " model</span>");
			}
			buf_puts(b, "</td>");
		}
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
	if (d->control.has) {
		bool off = d->control.lo > 0.5 || d->control.hi < 0.5;
		buf_printf(b, "<p id=\"control\"%s>Control, the labels shuffled: AUC %.3f "
			   "(%.3f&ndash;%.3f): %s.</p>\n", off ? " class=\"warn\"" : "",
			   d->control.auc, d->control.lo, d->control.hi, fig_control_words(d));
	} else {
		buf_puts(b, "<p id=\"control\" class=\"note\">Control, the labels shuffled: "
			 "&mdash;</p>\n");
	}
	for (i = 0; i < d->ngroups; i++) {
		const struct fig_dgroup *g = &d->groups[i];
		const char *f = g->uncovered_field ? g->uncovered_field : html_match_field(d);
		if (!g->has_uncovered)
			continue;
		buf_puts(b, "<p class=\"warn uncovered\">");
		esc_value(b, g->value, 0);
		buf_puts(b, ": ");
		if (g->uncovered_real >= 0)
			buf_printf(b, "%s ", pv_num(g->uncovered_real, n1));
		buf_puts(b, "real documents in ");
		if (g->uncovered_values >= 0)
			buf_printf(b, "%s ", pv_num(g->uncovered_values, n2));
		esc(b, f);
		buf_puts(b, " values it never covers: topic may pass for style; ");
		if (d->match && !strcmp(d->match, f))
			buf_puts(b, "its matched AUC (<code>--match ");
		else
			buf_puts(b, "compare with <code>provex detect --match ");
		esc(b, f);
		buf_puts(b, d->match && !strcmp(d->match, f) ? "</code>) leaves them out.</p>\n" :
			 "</code>.</p>\n");
	}
	if (!lengths)
		return;
	buf_puts(b, "<h3>AUC by length</h3>\n<table class=\"lengths\" "
		 "data-figure=\"detector-length\">\n<tr><th>group</th><th class=\"n\">bytes"
		 "</th><th class=\"n\">synthetic</th><th class=\"n\">real</th><th class=\"n\">"
		 "AUC</th></tr>\n");
	for (i = 0; i < d->ngroups; i++) {
		const struct fig_dgroup *g = &d->groups[i];
		for (k = 0; k < g->nlenbin; k++) {
			const struct fig_lenbin *lb = &g->lenbin[k];
			buf_puts(b, "<tr><td>");
			if (k == 0)
				esc_value(b, g->value, 0);
			buf_puts(b, "</td><td class=\"n\">");
			if (lb->min_bytes >= 0)
				buf_puts(b, pv_num(lb->min_bytes, n1));
			buf_puts(b, "&ndash;");
			if (lb->max_bytes >= 0)
				buf_puts(b, pv_num(lb->max_bytes, n1));
			buf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>",
				   lb->synthetic >= 0 ? pv_num(lb->synthetic, n1) : "?",
				   lb->real >= 0 ? pv_num(lb->real, n2) : "?");
			if (lb->has_auc)
				buf_printf(b, "<td class=\"n\">%.3f (%.3f&ndash;%.3f)</td></tr>\n",
					   lb->auc, lb->lo, lb->hi);
			else
				buf_puts(b, "<td class=\"n\">&mdash;</td></tr>\n");
		}
	}
	buf_puts(b, "</table>\n");
}

void figures_html(const struct figures *f, const char *store_name, const char *filter,
		  const char *generated, struct buf *b)
{
	const struct fig_detect *d = &f->detect;
	char n1[32], n2[32], n3[32], n4[32], n5[32];
	size_t i;
	int k;

	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		 "<title>provex statistics: ");
	esc(b, store_name ? store_name : "");
	buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>provex statistics</h1>\n"
		   "<p class=\"note\">Store <code>", css);
	esc(b, store_name ? store_name : "");
	buf_puts(b, "</code>, filter <code>");
	esc(b, filter && *filter ? filter : "(all documents)");
	buf_puts(b, "</code>");
	if (generated) {
		buf_puts(b, ", written ");
		esc(b, generated);
	}
	buf_puts(b, ".</p>\n");
	buf_printf(b, "<p id=\"totals\">%s document%s: %s real, %s synthetic, %s of unknown "
		   "origin; %s bytes of text.</p>\n", pv_num(f->docs, n1), f->docs == 1 ? "" : "s",
		   pv_num(f->by_origin[0], n2), pv_num(f->by_origin[1], n3), pv_num(f->by_origin[2], n4),
		   pv_num(f->bytes, n5));
	if (f->docs == 0)
		buf_puts(b, "<p class=\"warn\">No document matches this filter.</p>\n");

	buf_puts(b, "<section id=\"counts\">\n<h2>Documents by provenance</h2>\n<p class=\"note\">"
		 "Counted over every matching document.</p>\n");
	for (k = 0; k < FIG_NFIELDS; k++)
		html_counts(b, f, k);
	buf_puts(b, "</section>\n<section id=\"length\">\n");
	html_hist(b, &f->len, "length", "Length", "length in bytes, log scale");
	buf_puts(b, "</section>\n<section id=\"ratio\">\n");
	html_hist(b, &f->ratio, "ratio", "Compression ratio",
		  "length / compressed length (higher: more repetitive)");
	buf_puts(b, "</section>\n");

	/* the words and the detector */
	buf_puts(b, "<section id=\"words\">\n<h2>Distinguishing words</h2>\n");
	if (!d->present) {
		buf_puts(b, "<p class=\"warn\">No detect run yet: run provex detect on the store "
			 "to find the words that separate real from synthetic documents.</p>\n");
		if (d->problem) {
			buf_puts(b, "<p class=\"note\">");
			esc(b, d->problem);
			buf_puts(b, "</p>\n");
		}
	} else {
		bool any = false;
		html_detect_head(b, d);
		for (i = 0; i < d->ngroups; i++) {
			const struct fig_dgroup *g = &d->groups[i];
			if (!g->words)
				continue;
			any = true;
			buf_puts(b, "<h3>");
			esc_value(b, g->value, 0);
			buf_puts(b, "</h3>\n<div class=\"words\">\n");
			html_terms(b, "synthetic", g->syn, g->nsyn);
			html_terms(b, "real", g->rl, g->nrl);
			buf_puts(b, "</div>\n");
		}
		if (!any)
			buf_puts(b, "<p class=\"note\">The run has no word lists.</p>\n");
	}
	buf_puts(b, "</section>\n");

	buf_puts(b, "<section id=\"review\">\n<h2>Blind review</h2>\n");
	if (!f->have_review) {
		buf_puts(b, "<p class=\"warn\">The review results cannot be read: ");
		esc(b, f->review_problem ? f->review_problem : "unknown reason");
		buf_puts(b, ".</p>\n");
	} else if (f->review.answers == 0) {
		buf_puts(b, "<p class=\"note\">No blind review answers yet: run provex review.</p>\n");
	} else {
		const struct review_report *r = &f->review;
		struct ivrow *iv = pv_calloc(r->ngroups + 1, sizeof *iv);
		size_t n = 0;
		buf_printf(b, "<p class=\"note\">Every review answer in the store (not only this "
			   "filter's documents): %s answers, %s skipped, %s sessions, %s "
			   "reviewers. Accuracy per generator (of the synthetic document shown) "
			   "with its 95%% Wilson interval; chance is 50%%.</p>\n<table>\n<tr><th>"
			   "mode</th><th>generator</th><th class=\"n\">answered</th><th class=\"n\">"
			   "accuracy</th><th class=\"n\">95%% interval</th><th>verdict</th></tr>\n",
			   pv_num(r->answers, n1), pv_num(r->skipped, n2), pv_num(r->sessions, n3),
			   pv_num(r->reviewers, n4));
		for (i = 0; i < r->ngroups; i++) {
			const struct review_group *g = &r->groups[i];
			buf_printf(b, "<tr><td>%s</td><td>", review_mode_name(g->mode));
			if (g->real_docs)
				buf_puts(b, "(real documents)");
			else
				esc_value(b, g->value, 0);
			buf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%.1f%%</td>"
				   "<td class=\"n\">%.1f%% &ndash; %.1f%%</td><td>%s</td></tr>\n",
				   pv_num(g->answered, n1), g->accuracy * 100, g->lo * 100, g->hi * 100,
				   review_verdict_words(g->verdict));
			if (g->answered) {
				iv[n].label = g->real_docs ? "(real documents)" : g->value;
				iv[n].x = g->accuracy;
				iv[n].lo = g->lo;
				iv[n++].hi = g->hi;
			}
		}
		buf_puts(b, "</table>\n");
		if (n)
			html_intervals(b, "review", iv, n, 0.5);
		free(iv);
		for (i = 0; i < r->ncohen; i++) {
			const struct review_cohen_pair *c = &r->cohen[i];
			buf_printf(b, "<p>Agreement (%s), ", review_mode_name(c->mode));
			esc(b, c->a);
			buf_puts(b, " and ");
			esc(b, c->b);
			if (c->defined)
				buf_printf(b, ": Cohen's kappa %.2f over %s items.</p>\n", c->kappa,
					   pv_num(c->items, n1));
			else
				buf_printf(b, ": kappa undefined over %s items.</p>\n",
					   pv_num(c->items, n1));
		}
		for (k = 0; k < 2; k++)
			if (r->fleiss[k].reviewers > 2)
				buf_printf(b, "<p>Fleiss' kappa (%s, %lld reviewers, %s items): %s</p>\n",
					   review_mode_name((enum review_mode)k),
					   (long long)r->fleiss[k].reviewers,
					   pv_num(r->fleiss[k].items, n1), r->fleiss[k].defined ?
					   (snprintf(n2, sizeof n2, "%.2f", r->fleiss[k].kappa), n2) :
					   "undefined");
	}
	buf_puts(b, "</section>\n");

	buf_puts(b, "<section id=\"detector\">\n<h2>Detector</h2>\n");
	if (!d->present) {
		buf_puts(b, "<p class=\"warn\">No detect run yet: run provex detect.</p>\n");
	} else {
		struct ivrow *iv = pv_calloc(d->ngroups + 1, sizeof *iv);
		size_t n = 0;
		html_detect_head(b, d);
		buf_puts(b, "<p class=\"note\">ROC AUC of the cross-validated classifier (0.5: "
			 "cannot tell the sides apart, 1: always can) with its 95% DeLong "
			 "interval.</p>\n<table>\n<tr><th>group</th><th class=\"n\">synthetic</th>"
			 "<th class=\"n\">real</th><th class=\"n\">AUC</th><th class=\"n\">95% "
			 "interval</th></tr>\n");
		if (d->has_overall) {
			buf_printf(b, "<tr><td>all</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
				   "<td class=\"n\">%.3f</td><td class=\"n\">%.3f &ndash; %.3f</td>"
				   "</tr>\n", d->synthetic >= 0 ? pv_num(d->synthetic, n1) : "?",
				   d->real >= 0 ? pv_num(d->real, n2) : "?", d->auc, d->lo, d->hi);
			iv[n].label = "all";
			iv[n].x = d->auc;
			iv[n].lo = d->lo;
			iv[n++].hi = d->hi;
		}
		for (i = 0; i < d->ngroups; i++) {
			const struct fig_dgroup *g = &d->groups[i];
			if (!g->has_auc)
				continue;
			if (d->has_overall && d->by && !strcmp(d->by, "none"))
				continue;            /* the one group is the overall row */
			buf_puts(b, "<tr><td>");
			esc_value(b, g->value, 0);
			buf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td "
				   "class=\"n\">%.3f</td><td class=\"n\">%.3f &ndash; %.3f</td></tr>\n",
				   g->synthetic >= 0 ? pv_num(g->synthetic, n1) : "?",
				   g->real >= 0 ? pv_num(g->real, n2) : "?", g->auc, g->lo, g->hi);
			iv[n].label = g->value;
			iv[n].x = g->auc;
			iv[n].lo = g->lo;
			iv[n++].hi = g->hi;
		}
		buf_puts(b, "</table>\n");
		if (d->extended)
			buf_puts(b, "<p class=\"note\">The AUCs above and the intervals below are "
				 "the pooled model's; per group, its own and matched ones "
				 "follow.</p>\n");
		if (n)
			html_intervals(b, "detector", iv, n, 0.5);
		free(iv);
		if (d->extended)
			html_detect_groups(b, d);
		for (k = 0; k < 2; k++) {
			int64_t nd = k ? d->low_synthetic : d->high_real;
			const char *qf = k ? d->low_filter : d->high_filter;
			if (nd < 0 || !qf)
				continue;
			buf_printf(b, "<p>%s %s document%s %s: <code>", pv_num(nd, n1),
				   k ? "synthetic" : "real", nd == 1 ? "" : "s",
				   k ? (nd == 1 ? "passes as real" : "pass as real") :
				   (nd == 1 ? "reads as synthetic" : "read as synthetic"));
			esc(b, qf);
			buf_puts(b, "</code></p>\n");
		}
	}
	buf_puts(b, "</section>\n</body>\n</html>\n");
}
