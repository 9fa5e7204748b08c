/*
 * detect_json.c - provex detect's run as JSON: the summary stored in
 * detect_runs.summary and printed by --json (AUCs, TPRs, length bins,
 * words, review queues with their filters) and the settings saved with
 * the run.  Part of detect.c's run (detect_int.h).
 */
#include "detect_int.h"
#include "../common/json.h"

#include <string.h>

char *dt_queue_filter(const char *filter, const char *cond)
{
	struct buf b = BUF_INIT;
	const char *p = filter;

	while (p && (*p == ' ' || *p == '\t' || *p == '\n'))
		p++;
	if (p && *p)
		buf_printf(&b, "(%s) %s", filter, cond);
	else
		buf_puts(&b, cond);
	return buf_take(&b);
}

static void json_auc(struct buf *b, const struct detect_auc *a)
{
	buf_printf(b, "\"auc\":%.6f,\"ci\":[%.6f,%.6f],\"se\":%.6f", a->auc, a->lo,
		   a->hi, a->se);
}

/* {"auc":..,"ci":[..],"se":..,"real":N[,"field":F]} */
static void json_model(struct buf *b, const struct detect_auc *a, const char *field)
{
	buf_putc(b, '{');
	json_auc(b, a);
	buf_printf(b, ",\"real\":%zu", a->nneg);
	if (field) {
		buf_puts(b, ",\"field\":");
		json_put_string(b, field, strlen(field));
	}
	buf_putc(b, '}');
}

static void json_tpr(struct buf *b, const struct detect_tpr *t, const char *model)
{
	size_t k;

	buf_putc(b, '[');
	for (k = 0; k < DETECT_FPRS; k++) {
		if (k)
			buf_putc(b, ',');
		buf_printf(b, "{\"fpr\":%g,\"tpr\":%.6f,\"ci\":[%.6f,%.6f],\"threshold\":%.17g,"
			   "\"real_above\":%zu,\"synthetic_above\":%zu,\"model\":\"%s\"}",
			   t[k].fpr, t[k].tpr, t[k].lo, t[k].hi, t[k].threshold,
			   t[k].real_above, t[k].synthetic_above, model);
	}
	buf_putc(b, ']');
}

static void json_bins(struct buf *b, const struct detect_bin *bins)
{
	size_t k;

	buf_putc(b, '[');
	for (k = 0; k < DETECT_BINS; k++) {
		const struct detect_bin *x = &bins[k];
		if (k)
			buf_putc(b, ',');
		buf_printf(b, "{\"min_bytes\":%lld,\"max_bytes\":%lld,\"synthetic\":%zu,"
			   "\"real\":%zu,", (long long)x->min_bytes, (long long)x->max_bytes,
			   x->auc.npos, x->auc.nneg);
		if (x->auc.npos && x->auc.nneg)
			json_auc(b, &x->auc);
		else
			buf_puts(b, "\"auc\":null,\"ci\":null");
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

static void json_terms(struct buf *b, const struct detect_term *t, size_t n)
{
	size_t i;

	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		buf_puts(b, "{\"term\":");
		json_put_string(b, t[i].term, strlen(t[i].term));
		buf_printf(b, ",\"z\":%.3f,\"log_odds\":%.4f,\"synthetic\":%.0f,\"real\":%.0f}",
			   t[i].z, t[i].delta, t[i].nsyn, t[i].nreal);
	}
	buf_putc(b, ']');
}

static void json_queue(struct buf *b, const char *name, const char *store,
		       const char *filter, int64_t n)
{
	struct buf cmd = BUF_INIT;

	buf_puts(&cmd, "provex ls ");
	buf_shell_quote(&cmd, store ? store : "STORE");
	buf_putc(&cmd, ' ');
	buf_shell_quote(&cmd, filter);
	buf_printf(b, "\"%s\":{\"documents\":%lld,\"filter\":", name, (long long)n);
	json_put_string(b, filter, strlen(filter));
	buf_puts(b, ",\"command\":");
	json_put_string(b, cmd.data, cmd.len);
	buf_putc(b, '}');
	buf_done(&cmd);
}

/* The settings of the model family: "model" and what is particular to
 * it. */
static void json_model_settings(struct buf *b, enum detect_model m)
{
	unsigned k;

	buf_puts(b, "\"model\":");
	json_put_string(b, detect_model_name(m), strlen(detect_model_name(m)));
	if (m == DETECT_MODEL_NB) {
		buf_printf(b, ",\"family\":\"multinomial naive Bayes\",\"features\":\"word "
			   "1-2-grams and byte 3-5-grams, presence, unit length\","
			   "\"smoothing\":%g", DETECT_SMOOTHING);
		return;
	}
	buf_printf(b, ",\"family\":\"L2-regularised logistic regression, AdaGrad SGD\","
		   "\"features\":\"word 1-2-grams and byte 3-5-grams, presence, unit "
		   "length; %d style features, standardised, clipped to +-%g\",\"style\":[",
		   DETECT_STYLE, DETECT_LR_CLIP);
	for (k = 0; k < DETECT_STYLE; k++)
		buf_printf(b, "%s\"%s\"", k ? "," : "", detect_style_name(k));
	buf_printf(b, "],\"rate\":%g,\"l2\":%g,\"epochs\":%d,\"group_epochs\":%d,"
		   "\"control_epochs\":%d,\"order\":\"a hash of (seed, epoch, text id)\","
		   "\"classes\":\"weighted equally, prior added back\"", DETECT_LR_RATE,
		   DETECT_LR_L2, DETECT_LR_EPOCHS, GROUP_EPOCHS, CONTROL_EPOCHS);
}

char *dt_make_settings(const struct detect_opts *o)
{
	struct buf b = BUF_INIT;

	buf_putc(&b, '{');
	json_model_settings(&b, o->model);
	buf_printf(&b, ",\"buckets\":%u,"
		   "\"max_text_bytes\":%u,\"calibration\":\"Platt\","
		   "\"interval\":\"DeLong 95%%\",\"by\":\"%s\",\"folds\":%u,\"seed\":%llu,"
		   "\"top\":%u,\"prior\":%g,\"match\":", DETECT_BUCKETS, DETECT_MAX_TEXT,
		   detect_by_name(o->by), o->folds,
		   (unsigned long long)o->seed, o->top, DETECT_PRIOR);
	if (o->match)
		json_put_string(&b, o->match, strlen(o->match));
	else
		buf_puts(&b, "null");
	buf_printf(&b, ",\"scores\":\"the pooled model's Platt probability, out of fold\","
		   "\"own_models\":\"the %d largest groups\",\"matched\":\"real documents of "
		   "the values the group's synthetic documents have, unweighted\","
		   "\"tpr_interval\":\"percentile bootstrap, %d resamples of both sides\","
		   "\"length_bins\":\"quartiles of the documents' lengths\","
		   "\"control\":\"labels permuted across texts\"}",
		   DETECT_WORD_GROUPS, DETECT_BOOT);
	return buf_take(&b);
}

char *dt_make_summary(const struct detect_opts *o, const struct detect_report *rep)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_printf(&b, "{\"run\":%lld,\"filter\":", (long long)rep->run_id);
	json_put_string(&b, o->filter ? o->filter : "", o->filter ? strlen(o->filter) : 0);
	buf_printf(&b, ",\"settings\":%s,\"documents\":%lld,\"real\":%lld,\"synthetic\":%lld,"
		   "\"unknown_ignored\":%lld,\"texts\":%lld,\"degenerate_folds\":%u,"
		   "\"platt\":{\"a\":%.6g,\"b\":%.6g},\"overall\":{", rep->settings,
		   (long long)(rep->real + rep->synthetic), (long long)rep->real,
		   (long long)rep->synthetic, (long long)rep->unknown, (long long)rep->texts,
		   rep->degenerate_folds, rep->platt_a, rep->platt_b);
	json_auc(&b, &rep->overall);
	buf_puts(&b, ",\"tpr\":");
	json_tpr(&b, rep->tpr, "pooled");
	buf_puts(&b, ",\"length_bins\":");
	json_bins(&b, rep->bins);
	buf_printf(&b, "},\"model\":\"%s\",\"match\":", detect_model_name(o->model));
	if (o->match)
		json_put_string(&b, o->match, strlen(o->match));
	else
		buf_puts(&b, "null");
	buf_puts(&b, ",\"control\":{");
	json_auc(&b, &rep->control);
	buf_printf(&b, "},\"by\":\"%s\",\"groups\":[", detect_by_name(o->by));
	for (i = 0; i < rep->ngroups; i++) {
		const struct detect_group *g = &rep->groups[i];
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, "{\"value\":");
		if (g->value)
			json_put_string(&b, g->value, strlen(g->value));
		else
			buf_puts(&b, "null");
		buf_printf(&b, ",\"synthetic\":%lld,\"real\":%lld,", (long long)g->synthetic,
			   (long long)rep->real);
		json_auc(&b, &g->auc);
		buf_puts(&b, ",\"pooled\":");
		json_model(&b, &g->auc, NULL);
		buf_puts(&b, ",\"own\":");
		if (g->has_own)
			json_model(&b, &g->own, NULL);
		else
			buf_puts(&b, "null");
		buf_puts(&b, ",\"matched\":");
		if (g->has_matched) {
			json_model(&b, &g->matched, o->match);
		} else {
			buf_puts(&b, "null");
		}
		buf_puts(&b, ",\"tpr\":");
		json_tpr(&b, g->tpr, g->tpr_model ? g->tpr_model : "pooled");
		buf_puts(&b, ",\"length_bins\":");
		json_bins(&b, g->bins);
		buf_puts(&b, ",\"uncovered\":");
		if (g->uncovered_real) {
			buf_puts(&b, "{\"field\":");
			json_put_string(&b, rep->check_field, strlen(rep->check_field));
			buf_printf(&b, ",\"values\":%zu,\"real\":%lld}", g->uncovered_values,
				   (long long)g->uncovered_real);
		} else {
			buf_puts(&b, "null");
		}
		buf_puts(&b, ",\"words\":");
		if (g->words) {
			buf_puts(&b, "{\"synthetic\":");
			json_terms(&b, g->syn, g->nsyn);
			buf_puts(&b, ",\"real\":");
			json_terms(&b, g->real, g->nreal);
			buf_putc(&b, '}');
		} else {
			buf_puts(&b, "null");
		}
		buf_putc(&b, '}');
	}
	buf_puts(&b, "],\"review\":{");
	json_queue(&b, "real_reading_synthetic", o->store_name, rep->high_filter,
		   rep->high_real);
	buf_putc(&b, ',');
	json_queue(&b, "synthetic_passing_real", o->store_name, rep->low_filter,
		   rep->low_synthetic);
	buf_printf(&b, "},\"seconds\":%.3f}", rep->seconds);
	return buf_take(&b);
}

