/*
 * figures_detect.c - the figures' reading of the latest provex detect
 * run: its summary (detect_runs.summary, JSON) read defensively into
 * struct fig_detect (figures.h), whatever is missing or of another kind
 * left out and said (fig_detect.problem); and what the statistics view
 * and the page ask of it (the control in words, a group's ROC point, the
 * --match field).  figures.c's job calls it (figures_int.h).
 */
#include "store_int.h"
#include "figures.h"
#include "figures_int.h"
#include "../common/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the latest detect run ---- */

static const struct json_value *member(const struct json_object *o, const char *key)
{
	const struct json_member *m = json_object_get(o, key, strlen(key));

	return m ? &m->val : NULL;
}

static bool as_num(const struct json_value *v, double *out)
{
	char tmp[64];
	char *end;

	if (!v || v->kind != JSON_NUMBER || v->raw_len >= sizeof tmp)
		return false;
	memcpy(tmp, v->raw, v->raw_len);
	tmp[v->raw_len] = 0;
	*out = strtod(tmp, &end);
	return *end == 0 && isfinite(*out);
}

/* A decoded string (owned), or NULL when v is not a string. */
static char *as_str(const struct json_value *v)
{
	struct buf b = BUF_INIT;

	if (!v || v->kind != JSON_STRING)
		return NULL;
	if (json_decode_string(v->raw, v->raw_len, &b, NULL)) {
		buf_done(&b);
		return NULL;
	}
	buf_str(&b);
	return b.data ? buf_take(&b) : pv_strdup("");
}

/* An AUC with its interval: "auc" and "ci": [lo, hi] in obj (lo = hi =
 * auc without both ends of an interval). */
static bool read_auc(const struct json_object *o, double *auc, double *lo, double *hi)
{
	const struct json_value *ci = member(o, "ci");
	struct json_value e;
	size_t pos = 0;

	if (!as_num(member(o, "auc"), auc))
		return false;
	if (!(ci && json_array_next(ci, &pos, &e, NULL) == 1 && as_num(&e, lo) &&
	      json_array_next(ci, &pos, &e, NULL) == 1 && as_num(&e, hi)))
		*lo = *hi = *auc;        /* no interval, or half of one */
	return true;
}

static void read_terms(const struct json_value *arr, struct fig_term **out, size_t *n)
{
	struct json_object o = JSON_OBJECT_INIT;
	struct json_value e;
	size_t pos = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (!arr)
		return;
	while (json_array_next(arr, &pos, &e, NULL) == 1) {
		char *t;
		double z = 0;
		if (e.kind != JSON_OBJECT || json_parse(e.raw, e.raw_len, NULL, &o, NULL))
			continue;
		if (!(t = as_str(member(&o, "term"))))
			continue;
		as_num(member(&o, "z"), &z);
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = pv_realloc(*out, cap * sizeof **out);
		}
		(*out)[*n].term = t;
		(*out)[(*n)++].z = z;
	}
	json_object_done(&o);
}

/* An integer member of o, or -1 when it is absent or not a number. */
static int64_t as_count(const struct json_object *o, const char *key)
{
	double x;

	return as_num(member(o, key), &x) && x >= 0 ? (int64_t)x : -1;
}

/* A string member of o, decoded (owned), or NULL when it is absent, null
 * or of another kind (*bad set for another kind). */
static char *opt_str(const struct json_object *o, const char *key, bool *bad)
{
	const struct json_value *v = member(o, key);

	if (v && v->kind != JSON_STRING && v->kind != JSON_NULL)
		*bad = true;
	return as_str(v);
}

/* An AUC object of newer summaries ({"auc", "ci", "se", "real"}) into a;
 * when field is not NULL, its "field" too (owned by the caller).  Absent
 * or null: a->has false.  An "auc" of null is a figure not computed;
 * anything else that is not an object with a numeric "auc" is malformed
 * (*bad set). */
static void read_auc_obj(const struct json_value *v, struct fig_auc *a, char **field,
			 bool *bad)
{
	struct json_object o = JSON_OBJECT_INIT;
	const struct json_value *x;

	memset(a, 0, sizeof *a);
	a->real = -1;
	if (!v || v->kind == JSON_NULL)
		return;
	if (v->kind != JSON_OBJECT || json_parse(v->raw, v->raw_len, NULL, &o, NULL)) {
		*bad = true;
		json_object_done(&o);
		return;
	}
	x = member(&o, "auc");
	a->has = read_auc(&o, &a->auc, &a->lo, &a->hi);
	if (!a->has && !(x && x->kind == JSON_NULL))
		*bad = true;
	a->has_se = as_num(member(&o, "se"), &a->se);
	a->real = as_count(&o, "real");
	if (field)
		*field = opt_str(&o, "field", bad);
	json_object_done(&o);
}

/* The ROC points of a group ("tpr": [{"fpr", "tpr", "ci", "threshold",
 * "model"}]): an element without a numeric fpr and tpr is left out
 * (*bad set). */
static void read_tpr(const struct json_value *arr, struct fig_dgroup *g, bool *bad)
{
	struct json_object o = JSON_OBJECT_INIT;
	struct json_value e;
	size_t pos = 0;

	if (!arr || arr->kind == JSON_NULL)
		return;
	if (arr->kind != JSON_ARRAY) {
		*bad = true;
		return;
	}
	while (json_array_next(arr, &pos, &e, NULL) == 1) {
		struct fig_tpr t;
		const struct json_value *ci;
		struct json_value c;
		size_t cpos = 0;

		memset(&t, 0, sizeof t);
		if (e.kind != JSON_OBJECT || json_parse(e.raw, e.raw_len, NULL, &o, NULL) ||
		    !as_num(member(&o, "fpr"), &t.fpr) || !as_num(member(&o, "tpr"), &t.tpr)) {
			*bad = true;
			continue;
		}
		t.lo = t.hi = t.tpr;
		ci = member(&o, "ci");
		if (ci && json_array_next(ci, &cpos, &c, NULL) == 1 && as_num(&c, &t.lo) &&
		    json_array_next(ci, &cpos, &c, NULL) == 1 && as_num(&c, &t.hi))
			t.has_ci = true;
		else
			t.lo = t.hi = t.tpr;
		t.has_threshold = as_num(member(&o, "threshold"), &t.threshold);
		t.model = opt_str(&o, "model", bad);
		g->tpr = pv_realloc(g->tpr, (g->ntpr + 1) * sizeof *g->tpr);
		g->tpr[g->ntpr++] = t;
	}
	json_object_done(&o);
}

/* The AUC by length of a group ("length_bins": [{"min_bytes",
 * "max_bytes", "synthetic", "real", "auc", "ci"}], "auc" null when a side
 * is empty). */
static void read_lenbins(const struct json_value *arr, struct fig_dgroup *g, bool *bad)
{
	struct json_object o = JSON_OBJECT_INIT;
	struct json_value e;
	size_t pos = 0;

	if (!arr || arr->kind == JSON_NULL)
		return;
	if (arr->kind != JSON_ARRAY) {
		*bad = true;
		return;
	}
	while (json_array_next(arr, &pos, &e, NULL) == 1) {
		struct fig_lenbin lb;
		const struct json_value *x;

		memset(&lb, 0, sizeof lb);
		if (e.kind != JSON_OBJECT || json_parse(e.raw, e.raw_len, NULL, &o, NULL)) {
			*bad = true;
			continue;
		}
		lb.min_bytes = as_count(&o, "min_bytes");
		lb.max_bytes = as_count(&o, "max_bytes");
		lb.synthetic = as_count(&o, "synthetic");
		lb.real = as_count(&o, "real");
		x = member(&o, "auc");
		lb.has_auc = read_auc(&o, &lb.auc, &lb.lo, &lb.hi);
		if (!lb.has_auc && x && x->kind != JSON_NULL)
			*bad = true;
		g->lenbin = pv_realloc(g->lenbin, (g->nlenbin + 1) * sizeof *g->lenbin);
		g->lenbin[g->nlenbin++] = lb;
	}
	json_object_done(&o);
}

/* The field values a group never covers ("uncovered": {"field",
 * "values", "real"} or null). */
static void read_uncovered(const struct json_value *v, struct fig_dgroup *g, bool *bad)
{
	struct json_object o = JSON_OBJECT_INIT;

	if (!v || v->kind == JSON_NULL)
		return;
	if (v->kind != JSON_OBJECT || json_parse(v->raw, v->raw_len, NULL, &o, NULL)) {
		*bad = true;
		json_object_done(&o);
		return;
	}
	g->has_uncovered = true;
	g->uncovered_field = opt_str(&o, "field", bad);
	g->uncovered_values = as_count(&o, "values");
	g->uncovered_real = as_count(&o, "real");
	json_object_done(&o);
}

/* The keys newer runs add to a group; any of them, null included, makes
 * the group extended. */
static const char *const group_keys[] = {
	"pooled", "own", "matched", "tpr", "length_bins", "uncovered"
};

static void read_group_new(const struct json_object *o, struct fig_dgroup *g, bool *bad)
{
	size_t k;

	for (k = 0; k < PV_ARRAY_LEN(group_keys); k++)
		if (member(o, group_keys[k]))
			g->extended = true;
	read_auc_obj(member(o, "pooled"), &g->pooled, NULL, bad);
	read_auc_obj(member(o, "own"), &g->own, NULL, bad);
	read_auc_obj(member(o, "matched"), &g->matched, &g->matched_field, bad);
	read_tpr(member(o, "tpr"), g, bad);
	read_lenbins(member(o, "length_bins"), g, bad);
	read_uncovered(member(o, "uncovered"), g, bad);
}

const char *fig_control_words(const struct fig_detect *d)
{
	if (!d->control.has)
		return "";
	if (d->control.lo > 0.5)
		return "above 0.5 beyond its interval, so the AUCs above may be inflated";
	if (d->control.hi < 0.5)
		return "below 0.5 beyond its interval, so the intervals above may be too narrow";
	return "about 0.5, as it should be";
}

const struct fig_tpr *fig_dgroup_tpr(const struct fig_dgroup *g, double fpr)
{
	const struct fig_tpr *best = NULL;
	size_t i;

	for (i = 0; i < g->ntpr; i++) {
		const struct fig_tpr *t = &g->tpr[i];
		if (fabs(t->fpr - fpr) > 1e-9)
			continue;
		if (!best || (t->model && !strcmp(t->model, "own") &&
			      !(best->model && !strcmp(best->model, "own"))))
			best = t;
	}
	return best;
}

static void read_group(const struct json_value *v, struct fig_detect *d, bool *bad)
{
	struct json_object o = JSON_OBJECT_INIT, w = JSON_OBJECT_INIT;
	const struct json_value *words;
	struct fig_dgroup *g;
	double x;

	if (v->kind != JSON_OBJECT || json_parse(v->raw, v->raw_len, NULL, &o, NULL)) {
		*bad = true;
		json_object_done(&o);
		return;
	}
	d->groups = pv_realloc(d->groups, (d->ngroups + 1) * sizeof *d->groups);
	g = &d->groups[d->ngroups++];
	memset(g, 0, sizeof *g);
	g->value = as_str(member(&o, "value"));
	g->synthetic = as_num(member(&o, "synthetic"), &x) ? (int64_t)x : -1;
	g->real = as_num(member(&o, "real"), &x) ? (int64_t)x : -1;
	g->has_auc = read_auc(&o, &g->auc, &g->lo, &g->hi);
	read_group_new(&o, g, bad);
	if (g->extended)
		d->extended = true;
	words = member(&o, "words");
	if (words && words->kind == JSON_OBJECT &&
	    json_parse(words->raw, words->raw_len, NULL, &w, NULL) == 0) {
		g->words = true;
		read_terms(member(&w, "synthetic"), &g->syn, &g->nsyn);
		read_terms(member(&w, "real"), &g->rl, &g->nrl);
	}
	json_object_done(&w);
	json_object_done(&o);
}

/* Reads a detect run's summary JSON into d (run, at and filter set by
 * the caller).  Whatever cannot be read is left out and d->problem says
 * so. */
static void read_summary(const char *js, size_t len, struct fig_detect *d)
{
	struct json_object o = JSON_OBJECT_INIT, ov = JSON_OBJECT_INIT;
	struct json_value top, e;
	const struct json_value *v;
	struct json_error je;
	bool bad = false;
	size_t pos = 0;
	double x;

	je.reason = NULL;
	if (json_parse(js, len, &top, &o, &je) || top.kind != JSON_OBJECT) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "the summary of detect run %lld cannot be read (%s)",
			   (long long)d->run, je.reason ? je.reason : "not a JSON object");
		d->problem = buf_take(&b);
		json_object_done(&o);
		return;
	}
	d->real = as_num(member(&o, "real"), &x) ? (int64_t)x : -1;
	d->synthetic = as_num(member(&o, "synthetic"), &x) ? (int64_t)x : -1;
	d->by = as_str(member(&o, "by"));
	d->model = opt_str(&o, "model", &bad);
	d->match = opt_str(&o, "match", &bad);
	read_auc_obj(member(&o, "control"), &d->control, NULL, &bad);
	d->extended = member(&o, "model") || member(&o, "match") || member(&o, "control");
	v = member(&o, "overall");
	if (v && v->kind == JSON_OBJECT && json_parse(v->raw, v->raw_len, NULL, &ov, NULL) == 0)
		d->has_overall = read_auc(&ov, &d->auc, &d->lo, &d->hi);
	v = member(&o, "groups");
	if (v && v->kind == JSON_ARRAY) {
		while (json_array_next(v, &pos, &e, NULL) == 1)
			read_group(&e, d, &bad);
	} else if (v) {
		bad = true;
	}
	d->high_real = d->low_synthetic = -1;
	v = member(&o, "review");
	if (v && v->kind == JSON_OBJECT) {
		struct json_object rq = JSON_OBJECT_INIT, q = JSON_OBJECT_INIT;
		if (json_parse(v->raw, v->raw_len, NULL, &rq, NULL) == 0) {
			static const char *const names[2] = { "real_reading_synthetic",
							      "synthetic_passing_real" };
			int k;
			for (k = 0; k < 2; k++) {
				const struct json_value *e2 = member(&rq, names[k]);
				if (!e2 || e2->kind != JSON_OBJECT ||
				    json_parse(e2->raw, e2->raw_len, NULL, &q, NULL))
					continue;
				if (as_num(member(&q, "documents"), &x))
					*(k ? &d->low_synthetic : &d->high_real) = (int64_t)x;
				*(k ? &d->low_filter : &d->high_filter) = as_str(member(&q, "filter"));
			}
		}
		json_object_done(&q);
		json_object_done(&rq);
	}
	if (bad || (!d->has_overall && d->ngroups == 0))
		d->problem = pv_strdup(bad ? "parts of the latest detect run's summary could "
				       "not be read" : "the latest detect run's summary has no "
				       "AUC and no groups");
	json_object_done(&ov);
	json_object_done(&o);
}

int fig_read_detect(struct store *s, struct fig_detect *d, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(d, 0, sizeof *d);
	if (store_prep(s, &st, "SELECT id, at, filter, summary FROM detect_runs "
		       "WHERE summary IS NOT NULL ORDER BY id DESC LIMIT 1",
		       "reading the latest detect run", NULL)) {
		/* a store from before detect runs existed has none: not an
		 * error, the page says so (SQLite's message) */
		d->problem = pv_strdup(sqlite3_errmsg(s->db));
		return 0;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *at = (const char *)sqlite3_column_text(st, 1);
		const char *f = (const char *)sqlite3_column_text(st, 2);
		const char *js = (const char *)sqlite3_column_text(st, 3);
		d->present = true;
		d->run = sqlite3_column_int64(st, 0);
		d->at = pv_strdup(at ? at : "");
		d->filter = pv_strdup(f ? f : "");
		read_summary(js ? js : "", js ? (size_t)sqlite3_column_bytes(st, 3) : 0, d);
	} else if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return store_sqlerr(s, err, "reading the latest detect run");
	}
	sqlite3_finalize(st);
	return 0;
}

void fig_detect_done(struct fig_detect *d)
{
	size_t i, k;

	for (i = 0; i < d->ngroups; i++) {
		struct fig_dgroup *g = &d->groups[i];
		for (k = 0; k < g->nsyn; k++)
			free(g->syn[k].term);
		for (k = 0; k < g->nrl; k++)
			free(g->rl[k].term);
		free(g->syn);
		free(g->rl);
		free(g->value);
		for (k = 0; k < g->ntpr; k++)
			free(g->tpr[k].model);
		free(g->tpr);
		free(g->lenbin);
		free(g->matched_field);
		free(g->uncovered_field);
	}
	free(d->groups);
	free(d->at);
	free(d->filter);
	free(d->by);
	free(d->model);
	free(d->match);
	free(d->problem);
	free(d->high_filter);
	free(d->low_filter);
	memset(d, 0, sizeof *d);
}

const char *fig_match_field(const struct fig_detect *d)
{
	size_t i;

	if (d->match)
		return d->match;
	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i].matched_field)
			return d->groups[i].matched_field;
	return NULL;
}
