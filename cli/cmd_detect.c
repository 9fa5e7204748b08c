/*
 * cmd_detect.c - provex detect STORE [FILTER] [--by generator|source]
 *                [--match F] [--model lr|nb] [--folds K] [--seed S]
 *                [--top N] [--json] [--dry-run] [--threads N]
 *
 * Runs store/detect.c's cross-validated classifiers (logistic regression
 * with style features, or naive Bayes) and prints its report:
 * per group the AUC of its own model, of the pooled model and (--match)
 * against matched real documents, with 95% intervals; the true-positive
 * rate at 1% and 5% false positives; AUC within length bins; the
 * shuffled-label control; the words and phrases that separate each group
 * from the real documents, and the two review queues.  STORE may be a
 * set's folder (store/set.h): detect_run_set reads it as one store, and
 * the run goes to the set's review store (set_review).
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/utf8.h"
#include "../store/filter.h"
#include "../store/detect.h"
#include "../store/set.h"
#include "../analysis/lr.h"
#include "../common/clock.h"

#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
"Usage: provex detect STORE [FILTER] [--by generator|source] [--match F]\n"
"                     [--model lr|nb] [--folds K] [--seed S] [--top N]\n"
"                     [--json] [--dry-run] [--threads N]\n"
"       provex detect STORE --apply RUN [FILTER] [--json] [--dry-run]\n"
"Trains a classifier (by default a logistic regression over hashed word\n"
"1-2-grams, byte 3-5-grams and 10 style features) to tell the real\n"
"documents matching FILTER from the synthetic ones, by K-fold\n"
"cross-validation (documents of unknown origin are left out), and reports\n"
"the ROC AUC with a 95% DeLong interval: overall, and with --by for each\n"
"generator's (or source's) synthetic documents against all the real ones,\n"
"by a model of that group alone (own) and by the model of all groups\n"
"(pooled); the true-positive rate at 1% and 5% false positives (the share\n"
"of synthetic documents a threshold catches when it keeps that share of\n"
"the real ones out), with a bootstrap interval and the threshold; the AUC\n"
"within four length bins (length alone is not style); a control trained\n"
"on shuffled labels (its AUC should be near 0.5); then the words and\n"
"phrases that most separate the two sides (log-odds ratio with an\n"
"informative Dirichlet prior, z-scores and counts).  Every document keeps\n"
"the pooled model's out-of-fold score, the probability that it is\n"
"synthetic, for the filter language: the report's score thresholds are in\n"
"its units (score:>T keeps at most 1% of the real documents).\n"
"  --by F       generator or source: figures and word lists per value\n"
"  --match F    source, purpose or generator: compare each group also with\n"
"               the real documents of the F values it has only (so that\n"
"               topic does not pass for style)\n"
"  --model M    lr: logistic regression over the hashed features and style\n"
"               features (sentence lengths and their spread, compression,\n"
"               punctuation, ...), trained by SGD (the default); nb: naive\n"
"               Bayes over the hashed features (faster, sees no style);\n"
"               every model of the run (pooled, own, matched, control)\n"
"               is of this kind\n"
"  --folds K    cross-validation folds, 2 to 20 (default 5)\n"
"  --seed S     folds are a hash of (S, text id) (default 0)\n"
"  --top N      words and phrases per side (default 20; 0: none)\n"
"  --json       the run's summary as JSON (as stored in detect_runs)\n"
"  --dry-run    report only: write no scores and no run\n"
"  --threads N  threads to use (default: one per processor, at most 8);\n"
"               the results are the same with any number\n"
"  --apply RUN  score the documents added since detect run RUN (and matching\n"
"               FILTER) with the model that run saved, and report how many\n"
"               score above its 1% and 5% FPR thresholds, by origin\n"
"STORE may be a set's folder (provex index --world-size): its documents are\n"
"read as one store holding them all would read them (the same figures\n"
"whatever the number of shards), and the run, its scores and its saved\n"
"model go to SET/review.pvx (the shards are never written).\n";

/* Writes s (sanitized) padded or cut to width columns (a column per
 * character: wide characters may shift what follows). */
static void put_cell(const char *s, int width)
{
	struct buf b = BUF_INIT;
	const unsigned char *p;
	size_t i = 0, cols = 0, end;

	utf8_sanitize(&b, s, strlen(s), SAN_ONE_LINE);
	p = (const unsigned char *)buf_str(&b);
	while (i < b.len && cols < (size_t)width) {
		size_t n = utf8_seq_len(p + i, b.len - i);
		i += n ? n : 1;
		cols++;
	}
	end = i;
	if (end < b.len && cols == (size_t)width && width > 1) {
		/* cut: end with '~' in the last column */
		size_t j = 0, c = 0;
		while (j < b.len && c + 1 < (size_t)width) {
			size_t n = utf8_seq_len(p + j, b.len - j);
			j += n ? n : 1;
			c++;
		}
		fwrite(p, 1, j, stdout);
		fputc('~', stdout);
	} else {
		fwrite(p, 1, end, stdout);
		for (; cols < (size_t)width; cols++)
			fputc(' ', stdout);
	}
	buf_done(&b);
}

static void put_auc(const struct detect_auc *a)
{
	printf("  %.3f  [%.3f, %.3f]", a->auc, a->lo, a->hi);
}

static void print_words(const struct detect_group *g)
{
	size_t i, n = PV_MAX(g->nsyn, g->nreal);
	char a[32], b[32];

	if (!g->words)
		return;
	printf("\n");
	if (g->value)
		cli_put_safe(stdout, g->value, strlen(g->value), SAN_ONE_LINE);
	else
		fputs("(none)", stdout);
	printf(" against the real documents: words and phrases (z-score, occurrences)\n");
	printf("  %-22s %7s %9s %9s    %-22s %7s %9s %9s\n", "more synthetic", "z",
	       "synthetic", "real", "more real", "z", "synthetic", "real");
	for (i = 0; i < n; i++) {
		printf("  ");
		if (i < g->nsyn) {
			put_cell(g->syn[i].term, 22);
			printf(" %7.1f %9s %9s", g->syn[i].z, pv_num((int64_t)g->syn[i].nsyn, a),
			       pv_num((int64_t)g->syn[i].nreal, b));
		} else {
			printf("%-22s %7s %9s %9s", "", "", "", "");
		}
		if (i < g->nreal) {
			printf("    ");
			put_cell(g->real[i].term, 22);
			printf(" %7.1f %9s %9s", g->real[i].z,
			       pv_num((int64_t)g->real[i].nsyn, a),
			       pv_num((int64_t)g->real[i].nreal, b));
		}
		printf("\n");
	}
	if (n == 0)
		printf("  (no word or phrase separates them)\n");
}

static void print_queue(const char *what, int64_t n, const char *store, const char *filter)
{
	struct buf cmd = BUF_INIT;
	char a[32];

	/* the same command as the summary's "command" */
	buf_puts(&cmd, "provex ls ");
	buf_shell_quote(&cmd, store);
	buf_putc(&cmd, ' ');
	buf_shell_quote(&cmd, filter);
	printf("  %-38s %9s   ", what, pv_num(n, a));
	cli_put_safe(stdout, cmd.data, cmd.len, SAN_ONE_LINE);
	printf("\n");
	buf_done(&cmd);
}

/* x rounded up to 4 significant digits: a threshold printed so that
 * score:>T never lets in a document the exact threshold keeps out. */
static double round_up4(double x)
{
	char b[32];
	double v;

	if (!(x > 0))
		return x;
	snprintf(b, sizeof b, "%.3e", x);
	v = strtod(b, NULL);
	if (v < x)
		v += pow(10, floor(log10(x)) - 3);
	snprintf(b, sizeof b, "%.4g", v);
	return strtod(b, NULL);
}

static void put_tpr(const struct detect_tpr *t)
{
	printf("  %.3f [%.3f, %.3f]", t->tpr, t->lo, t->hi);
}

/* The matched AUC and its real documents, or a dash and their count. */
static void put_matched(const struct detect_group *g)
{
	char a[32];

	if (g->has_matched)
		put_auc(&g->matched);
	else
		printf("  %-21s", "-");
	printf(" %10s", pv_num(g->matched_real, a));
}

static void put_group_name(const struct detect_group *g)
{
	put_cell(g->value ? g->value : "(none)", 24);
}

/* One bin's AUC, or why there is none. */
static void put_bin(const struct detect_bin *b)
{
	char cell[64];

	if (b->auc.npos && b->auc.nneg)
		snprintf(cell, sizeof cell, "%.3f (%zu/%zu)", b->auc.auc, b->auc.npos, b->auc.nneg);
	else
		snprintf(cell, sizeof cell, "- (%zu/%zu)", b->auc.npos, b->auc.nneg);
	printf("  %-20s", cell);
}

static void print_text(const struct detect_report *r, const struct detect_opts *o,
		       const struct store *out)
{
	char a[32], b[32], c[32];
	bool by = o->by != DETECT_BY_NONE;
	size_t i, k;

	if (o->model == DETECT_MODEL_NB)
		printf("naive Bayes over word 1-2-grams and byte 3-5-grams");
	else
		printf("logistic regression over word 1-2-grams, byte 3-5-grams and %d style "
		       "features", DETECT_STYLE);
	printf(", %u folds, seed %llu\n", o->folds, (unsigned long long)o->seed);
	printf("%s real and %s synthetic documents, %s distinct texts",
	       pv_num(r->real, a), pv_num(r->synthetic, b), pv_num(r->texts, c));
	if (r->unknown)
		printf("; %s of unknown origin left out", pv_num(r->unknown, a));
	printf("\n\n");

	/* the AUCs */
	printf("%-24s %10s %10s  %-21s  %-21s", by ? detect_by_name(o->by) : "",
	       "synthetic", "real", "own model AUC [95% CI]", "pooled model AUC");
	if (o->match)
		printf("  %-21s %10s", "matched AUC", "real");
	printf("\n");
	for (i = 0; by && i < r->ngroups; i++) {
		const struct detect_group *g = &r->groups[i];
		put_group_name(g);
		printf(" %10s %10s", pv_num(g->synthetic, a), pv_num(r->real, b));
		if (g->has_own)
			put_auc(&g->own);
		else
			printf("  %-21s", r->ngroups == 1 ? "(= pooled)" : "-");
		put_auc(&g->auc);
		if (o->match)
			put_matched(g);
		printf("\n");
	}
	printf("%-24s %10s %10s  %-21s", "all", pv_num(r->synthetic, a), pv_num(r->real, b), "");
	put_auc(&r->overall);
	if (o->match && !by && r->ngroups == 1)
		put_matched(&r->groups[0]);
	printf("\n");
	printf("%-24s %10s %10s  %-21s", "control (shuffled)", "", "", "");
	put_auc(&r->control);
	printf("   should be near 0.5\n");
	if (by && r->ngroups > DETECT_WORD_GROUPS)
		printf("(own models for the %d largest groups only)\n", DETECT_WORD_GROUPS);
	if (o->match)
		printf("matched: the group's own model against the real documents of the %s "
		       "values it has\n", o->match);

	/* thresholds */
	printf("\ntrue-positive rate at a false-positive rate on the real documents "
	       "(out of fold, 95%% bootstrap CI):\n");
	printf("%-24s %-6s  %-20s %-12s  %-20s %-12s\n", by ? detect_by_name(o->by) : "",
	       "model", "TPR at 1% FPR", "threshold", "TPR at 5% FPR", "threshold");
	for (i = 0; by && i < r->ngroups; i++) {
		const struct detect_group *g = &r->groups[i];
		put_group_name(g);
		printf(" %-6s", g->tpr_model ? g->tpr_model : "pooled");
		for (k = 0; k < DETECT_FPRS; k++) {
			put_tpr(&g->tpr[k]);
			printf(" p>%-10.4g", round_up4(g->tpr[k].threshold));
		}
		printf("\n");
	}
	printf("%-24s %-6s", "all", "pooled");
	for (k = 0; k < DETECT_FPRS; k++) {
		put_tpr(&r->tpr[k]);
		printf(" p>%-10.4g", round_up4(r->tpr[k].threshold));
	}
	printf("\n");
	printf("thresholds are probabilities of the model named (rounded up); the pooled "
	       "model's are the stored scores: score:>%.4g keeps at most %s of the %s real "
	       "documents (%.2f%%) and %s of the synthetic ones\n",
	       round_up4(r->tpr[0].threshold), pv_num((int64_t)r->tpr[0].real_above, a),
	       pv_num(r->real, b), 100.0 * r->tpr[0].real_rate,
	       pv_num((int64_t)r->tpr[0].synthetic_above, c));

	/* length bins */
	printf("\nAUC within length bins (synthetic/real documents in each), by the "
	       "model of the TPR table:\n");
	printf("%-24s", by ? detect_by_name(o->by) : "");
	for (k = 0; k < DETECT_BINS; k++) {
		char h[48];
		snprintf(h, sizeof h, "%lld-%lld bytes", (long long)r->bins[k].min_bytes,
			 (long long)r->bins[k].max_bytes);
		printf("  %-20s", h);
	}
	printf("\n");
	for (i = 0; by && i < r->ngroups; i++) {
		put_group_name(&r->groups[i]);
		for (k = 0; k < DETECT_BINS; k++)
			put_bin(&r->groups[i].bins[k]);
		printf("\n");
	}
	printf("%-24s", "all");
	for (k = 0; k < DETECT_BINS; k++)
		put_bin(&r->bins[k]);
	printf("\n");

	for (i = 0; i < r->ngroups; i++)
		print_words(&r->groups[i]);
	if (o->top && by && r->ngroups > DETECT_WORD_GROUPS)
		printf("\n(words and phrases for the %d largest groups only)\n",
		       DETECT_WORD_GROUPS);
	printf("\nreview queues (scores: probability of being synthetic, out of fold):\n");
	print_queue("real documents that read as synthetic", r->high_real,
		    o->store_name, r->high_filter);
	print_queue("synthetic documents that pass as real", r->low_synthetic,
		    o->store_name, r->low_filter);
	if (o->dry_run)
		printf("dry run: no scores written\n");
	else if (out && set_is_folder(o->store_name))
		printf("scores of %s documents written to %s (run %lld), %.1f s\n",
		       pv_num(r->real + r->synthetic, a), store_path(out),
		       (long long)r->run_id, r->seconds);
	else
		printf("scores of %s documents written (run %lld), %.1f s\n",
		       pv_num(r->real + r->synthetic, a), (long long)r->run_id, r->seconds);
}

/* Says which groups' real side holds values of the check field that the
 * group never has (topic may pass for style), and the option to use. */
static void warn_uncovered(const struct detect_report *r, const struct detect_opts *o)
{
	size_t i, shown = 0, more = 0;
	char a[32], nv[32];

	if (o->match)
		return;
	for (i = 0; i < r->ngroups; i++) {
		const struct detect_group *g = &r->groups[i];
		struct buf name = BUF_INIT;
		if (!g->uncovered_real)
			continue;
		if (shown == 5) {
			more++;
			continue;
		}
		utf8_sanitize(&name, g->value ? g->value : "(none)",
			      g->value ? strlen(g->value) : 6, SAN_ONE_LINE);
		cli_errorf("warning: %s%s%s is compared with %s real documents of %s %s "
			   "value%s it has no synthetic document of: topic may pass for style; "
			   "--match %s compares it with the real documents of its own %s values",
			   o->by != DETECT_BY_NONE ? detect_by_name(o->by) : "",
			   o->by != DETECT_BY_NONE ? " " : "", buf_str(&name),
			   pv_num(g->uncovered_real, a), pv_num((int64_t)g->uncovered_values, nv),
			   r->check_field,
			   g->uncovered_values == 1 ? "" : "s", r->check_field, r->check_field);
		buf_done(&name);
		shown++;
	}
	if (more)
		cli_errorf("warning: and %zu more group%s like these", more, more == 1 ? "" : "s");
}

/* Progress on a terminal's standard error: the stage and its share of
 * the texts, on one line rewritten at most 5 times a second. */
struct progress {
	double last;               /* when it was last written (monotonic s) */
	bool shown;                /* a line is on the screen */
};

static void show_progress(void *ctx, const char *stage, size_t done, size_t total)
{
	struct progress *pg = ctx;
	struct buf b = BUF_INIT;
	double t = pv_now();

	if (pg->shown && t - pg->last < 0.2 && done < total)
		return;
	pg->last = t;
	utf8_sanitize(&b, stage, strlen(stage), SAN_ONE_LINE);
	/* at most 64 characters of it, cut between two */
	{
		const unsigned char *q = (const unsigned char *)buf_str(&b);
		size_t i = 0, chars = 0;
		while (i < b.len && chars < 64) {
			size_t n = utf8_seq_len(q + i, b.len - i);
			i += n ? n : 1;
			chars++;
		}
		fputs("\r\033[Kdetect: ", stderr);
		fwrite(q, 1, i, stderr);
	}
	fprintf(stderr, "  %.0f%%", total ? 100.0 * (double)done / (double)total : 100.0);
	fflush(stderr);
	pg->shown = true;
	buf_done(&b);
}

static void clear_progress(struct progress *pg)
{
	if (pg->shown)
		fputs("\r\033[K", stderr);
	pg->shown = false;
}

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max;
}

/* The report of detect --apply. */
static void print_applied(const struct detect_applied *a, const struct detect_opts *o,
			  bool json, const struct store *out)
{
	static const char *const names[3] = { "real", "synthetic", "unknown" };
	int64_t all = a->docs[0] + a->docs[1] + a->docs[2];
	char n1[32], n2[32], n3[32];
	size_t f, k;

	if (json) {
		printf("{\"apply\":%lld,\"model\":\"%s\",\"max_doc\":%lld,\"texts\":%lld,"
		       "\"documents\":{", (long long)a->run_id, a->kind, (long long)a->max_doc,
		       (long long)a->texts);
		for (k = 0; k < 3; k++)
			printf("%s\"%s\":%lld", k ? "," : "", names[k], (long long)a->docs[k]);
		printf("},\"thresholds\":[");
		for (f = 0; f < DETECT_FPRS; f++) {
			printf("%s{\"fpr\":%g,\"threshold\":", f ? "," : "", detect_fprs[f]);
			if (isnan(a->threshold[f]))
				printf("null");
			else
				printf("%.17g", a->threshold[f]);
			printf(",\"above\":{");
			for (k = 0; k < 3; k++)
				printf("%s\"%s\":%lld", k ? "," : "", names[k],
				       (long long)a->above[f][k]);
			printf("}}");
		}
		printf("],\"dry_run\":%s,\"seconds\":%.3f}\n", o->dry_run ? "true" : "false",
		       a->seconds);
		return;
	}
	printf("%s the %s model of detect run %lld to %s document%s added since it "
	       "(ids above %s; %s distinct text%s)\n", o->dry_run ? "would apply" : "applied",
	       strcmp(a->kind, "nb") ? "logistic regression" : "naive Bayes",
	       (long long)a->run_id, pv_num(all, n1), all == 1 ? "" : "s",
	       pv_num(a->max_doc, n2), pv_num(a->texts, n3), a->texts == 1 ? "" : "s");
	if (!all) {
		printf("nothing to score: no document the filter selects was added since run "
		       "%lld\n", (long long)a->run_id);
		return;
	}
	printf("\n%-12s %12s", "origin", "documents");
	for (f = 0; f < DETECT_FPRS; f++) {
		char head[64];
		if (isnan(a->threshold[f]))
			snprintf(head, sizeof head, "above %g%% FPR (none)", 100 * detect_fprs[f]);
		else
			snprintf(head, sizeof head, "above %g%% FPR (p>%.4g)", 100 * detect_fprs[f],
				 round_up4(a->threshold[f]));
		printf("  %26s", head);
	}
	printf("\n");
	for (k = 0; k < 3; k++) {
		if (!a->docs[k])
			continue;
		printf("%-12s %12s", names[k], pv_num(a->docs[k], n1));
		for (f = 0; f < DETECT_FPRS; f++) {
			char cell[64];
			snprintf(cell, sizeof cell, "%s (%.1f%%)", pv_num(a->above[f][k], n2),
				 100.0 * (double)a->above[f][k] / (double)a->docs[k]);
			printf("  %26s", cell);
		}
		printf("\n");
	}
	printf("\nthe thresholds are the run's, set on its real documents' out-of-fold "
	       "scores: new real documents like those should score above them about as "
	       "often as the rate says\n");
	if (!o->dry_run && set_is_folder(o->store_name))
		printf("written to the scores of %s (model 'applied', run %lld)\n",
		       store_path(out), (long long)a->run_id);
	else if (!o->dry_run)
		printf("written to scores (model 'applied', run %lld): score:>T selects them "
		       "with the others\n", (long long)a->run_id);
}

/* Opens the set at path for detect: *out is where the run goes (the set's
 * review store, created when absent; NULL with --dry-run) or, with
 * --apply, where its saved model is read from (with --dry-run the review
 * store opened read-only, in *ro).  Prints the error; an exit status. */
static int open_set(const char *path, const struct filter_ast *ast,
		    const struct detect_opts *o, bool apply, struct store_set **set,
		    struct store **out, struct store **ro)
{
	struct pv_err e;
	int rc;

	if (!(*set = cli_open_read(path)))
		return EXIT_FAIL;
	if ((rc = cli_set_exact("detect", *set, ast, NULL)))
		return rc;
	if (apply && o->dry_run) {
		struct buf rp = BUF_INIT;
		buf_printf(&rp, "%s/review.pvx", path);
		if (access(buf_str(&rp), F_OK) != 0) {
			cli_errorf("%s: no detect run: the set has no review store yet "
				   "(provex detect %s writes its runs to %s)", path, path,
				   buf_str(&rp));
			buf_done(&rp);
			return EXIT_FAIL;
		}
		*out = *ro = cli_open(buf_str(&rp), STORE_READ);
		buf_done(&rp);
		return *ro ? EXIT_OK : EXIT_FAIL;
	}
	if (o->dry_run)
		return EXIT_OK;
	pv_err_clear(&e);
	if (set_review(*set, out, &e)) {
		cli_error(&e);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_detect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "match", required_argument, NULL, 'm' },
		{ "model", required_argument, NULL, 'M' },
		{ "folds", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 'T' },
		{ "apply", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct detect_opts o = { NULL, NULL, DETECT_BY_NONE, NULL, 5, 0, 20, false, 0,
				 DETECT_MODEL_LR, NULL, NULL };
	struct progress pg = { 0, false };
	struct detect_report r;
	struct filter_ast *ast = NULL;
	struct filter_sql sql;
	struct store *s = NULL;
	struct store_set *set = NULL;     /* STORE is a folder: a set of stores */
	struct store *out = NULL;         /* where the run goes (borrowed) */
	struct store *ro = NULL;          /* a set's review store read-only */
	struct pv_err e;
	unsigned long long v;
	bool json = false;
	int64_t apply = 0;
	const char *trains = NULL;         /* an option --apply takes from the run */
	int c, rc;

	optind = 1;
	int optend = cli_filter_dash(argc, argv, "h", longopts);
	while ((c = getopt_long(optend, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!strcmp(optarg, "generator"))
				o.by = DETECT_BY_GENERATOR;
			else if (!strcmp(optarg, "source"))
				o.by = DETECT_BY_SOURCE;
			else if (!strcmp(optarg, "none"))
				o.by = DETECT_BY_NONE;
			else
				return cli_usage("detect", "cannot group by '%s' (generator, "
						 "source or none)", optarg);
			break;
		case 'm':
			if (!detect_match_field(optarg))
				return cli_usage("detect", "cannot match on '%s' (source, purpose "
						 "or generator)", optarg);
			o.match = optarg;
			break;
		case 'M':
			if (!strcmp(optarg, "lr"))
				o.model = DETECT_MODEL_LR;
			else if (!strcmp(optarg, "nb"))
				o.model = DETECT_MODEL_NB;
			else
				return cli_usage("detect", "no model '%s' (lr: logistic "
						 "regression, nb: naive Bayes)", optarg);
			break;
		case 'k':
			if (!parse_uint(optarg, DETECT_MAX_FOLDS, &v) || v < 2)
				return cli_usage("detect", "--folds must be a number from 2 "
						 "to %d", DETECT_MAX_FOLDS);
			o.folds = (unsigned)v;
			break;
		case 's':
			if (!parse_uint(optarg, UINT64_MAX, &v))
				return cli_usage("detect", "--seed must be a non-negative integer");
			o.seed = v;
			break;
		case 't':
			if (!parse_uint(optarg, 10000, &v))
				return cli_usage("detect", "--top must be a number from 0 to 10000");
			o.top = (unsigned)v;
			break;
		case 'j':
			json = true;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'T':
			if (!parse_uint(optarg, DETECT_MAX_THREADS, &v) || v < 1)
				return cli_usage("detect", "--threads must be a number from 1 "
						 "to %d", DETECT_MAX_THREADS);
			o.threads = (unsigned)v;
			break;
		case 'A':
			if (!parse_uint(optarg, INT64_MAX, &v) || v < 1)
				return cli_usage("detect", "--apply takes a detect run's id (a "
						 "positive integer), not '%s'", optarg);
			apply = (int64_t)v;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("detect");
		}
		if (strchr("bmMkstT", c))
			for (const struct option *lo = longopts; lo->name; lo++)
				if (lo->val == c)
					trains = lo->name;
	}
	if (apply && trains)
		return cli_usage("detect", "--apply scores with the run's saved model as it "
				 "was trained: --%s does not go with it", trains);
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("detect", argc - optind < 1 ? "expected STORE" :
				 "expected STORE and one FILTER (quote it)");
	o.store_name = argv[optind];
	if (isatty(2)) {
		o.progress = show_progress;
		o.progress_ctx = &pg;
	}
	o.filter = argc - optind == 2 ? argv[optind + 1] : "";
	memset(&r, 0, sizeof r);
	if ((rc = cli_filter(o.filter, &ast, &sql)))
		goto out;
	if (set_is_folder(argv[optind])) {
		if ((rc = open_set(argv[optind], ast, &o, apply != 0, &set, &out, &ro)))
			goto out;
	} else if (!(s = cli_open(argv[optind], o.dry_run ? STORE_READ : STORE_WRITE))) {
		rc = EXIT_FAIL;
		goto out;
	} else if ((rc = cli_filter_store(s, ast, &sql))) {
		goto out;                  /* printed */
	} else {
		out = s;
	}
	pv_err_clear(&e);
	if (apply) {
		struct detect_applied a;
		if (set ? detect_apply_set(set, ast, out, &o, apply, &a, &e) :
		    detect_apply(s, &sql, &o, apply, &a, &e)) {
			clear_progress(&pg);
			cli_error(&e);
			rc = EXIT_FAIL;
		} else {
			clear_progress(&pg);
			print_applied(&a, &o, json, out);
		}
	} else if (set ? detect_run_set(set, ast, out, &o, &r, &e) :
		   detect_run(s, &sql, &o, &r, &e)) {
		clear_progress(&pg);
		cli_error(&e);
		rc = e.code == PV_EUSAGE ? EXIT_USAGE : EXIT_FAIL;
	} else {
		clear_progress(&pg);
		if (r.degenerate_folds)
			cli_errorf("warning: %u of %u folds were trained on one class only "
				   "(too few distinct texts): their documents all score the same",
				   r.degenerate_folds, o.folds);
		warn_uncovered(&r, &o);
		if (json)
			printf("%s\n", r.summary);
		else
			print_text(&r, &o, out);
	}
out:
	detect_report_done(&r);
	store_close(s);
	store_close(ro);
	set_close(set);
	filter_sql_done(&sql);
	filter_free(ast);
	return rc;
}
