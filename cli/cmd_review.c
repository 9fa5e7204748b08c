/*
 * cmd_review.c - provex review STORE [FILTER]: a blind review session in
 * the interface (store/review.h, tui/review.c); with --report, how well
 * the reviewers told real from synthetic, and how much they agreed.
 *
 * The session's items are planned here, before the terminal is taken, so
 * a filter with nothing to review is a plain message and exit status 1.
 * STORE may be a set's folder: its sessions and answers go to its
 * review.pvx, its documents come from every shard (store/review.h).
 */
#include "config.h"
#include "cli.h"
#include "../tui/tui.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../store/filter.h"
#include "../store/label.h"
#include "../store/review.h"
#include "../store/set.h"
#include "../common/reviewer.h"
#include "../common/settings.h"

#include <getopt.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
"Usage: provex review STORE [FILTER] [--pairs | --single] [--reviewer NAME]\n"
"                     [--seed N] [--theme NAME|FILE] [--config FILE]\n"
"       provex review STORE --report [--pairs | --single]\n"
"                     [--by generator|source|reviewer] [--json]\n"
"Blind review: can a person tell real from synthetic documents?  Opens a\n"
"session in the interface on the documents matching FILTER, provenance\n"
"hidden, and records every answer with the hidden truth, the side shown,\n"
"the time taken and the reviewer.\n"
"  --pairs            one real and one synthetic document side by side: say\n"
"                     which one is synthetic (1 or Left, 2 or Right; s or\n"
"                     Space skips) - the default\n"
"  --single           one document at a time: r real, s synthetic, Space skips\n"
"  --reviewer NAME    who answers (default: $PROVEX_REVIEWER, else the\n"
"                     configuration's reviewer, else the login name)\n"
"  --seed N           the seed of a new session (items and sides follow from it)\n"
"q stops; the same reviewer, mode and FILTER resume the session where it\n"
"stopped.  --report prints accuracy with a 95% Wilson interval and a verdict\n"
"per group, and Cohen's and Fleiss' kappa where reviewers answered the same\n"
"items.\n";

/* ---- the report ---- */

static const char *dash(bool json)
{
	return json || strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? "\xe2\x80\x93" : "-";
}

static const char *verdict_name(enum review_verdict v)
{
	switch (v) {
	case RV_APART: return "apart";
	case RV_UNCLEAR: return "not distinguishable";
	case RV_BELOW: return "below chance";
	default: return "no answers";
	}
}

/* What a group is, in a sentence ("generator gpt-x"). */
static void subject(struct buf *b, const struct review_group *g, const char *by)
{
	if (!by)
		buf_puts(b, "real and synthetic documents");
	else if (g->real_docs)
		buf_puts(b, "real documents");
	else if (!strcmp(by, "reviewer"))
		buf_puts(b, g->value ? g->value : "(none)");
	else
		buf_printf(b, "%s %s", by, g->value ? g->value : "(none)");
}

/* The verdict in plain words, with the numbers:
 * "people tell generator X apart: 81% [74-87], n=120". */
static void verdict(struct buf *b, const struct review_group *g, const char *by, bool json)
{
	struct buf who = BUF_INIT;
	bool person = by && !strcmp(by, "reviewer") && !g->real_docs;

	subject(&who, g, by);
	switch (g->verdict) {
	case RV_APART:
		if (g->real_docs)
			buf_printf(b, "people recognise real documents");
		else if (person)
			buf_printf(b, "%s tells them apart", buf_str(&who));
		else
			buf_printf(b, "people tell %s apart", buf_str(&who));
		break;
	case RV_UNCLEAR:
		buf_printf(b, "%s: not distinguishable at this sample size", buf_str(&who));
		break;
	case RV_BELOW:
		buf_printf(b, "%s: %s wrong more often than chance (taking one for the "
			   "other)", buf_str(&who), person ? "answers" : "people answer");
		break;
	default:
		buf_printf(b, "%s: no answers (only skips)", buf_str(&who));
		buf_done(&who);
		return;
	}
	buf_printf(b, ": %.0f%% [%.0f%s%.0f], n=%lld", g->accuracy * 100, g->lo * 100,
		   dash(json), g->hi * 100, (long long)g->answered);
	buf_done(&who);
}

static const char *mode_title(enum review_mode m)
{
	return m == REVIEW_PAIRS ? "pairs: which of two documents is synthetic (chance: 50%)" :
		"single: real or synthetic, one document at a time (chance: 50%)";
}

static void print_agreement(const struct review_report *r, enum review_mode m)
{
	const struct review_fleiss_row *f = &r->fleiss[m];
	const char *unit = m == REVIEW_PAIRS ? "pairs" : "documents";
	size_t i;
	bool head = false;

	for (i = 0; i < r->ncohen; i++) {
		const struct review_cohen_pair *c = &r->cohen[i];
		if (c->mode != m)
			continue;
		if (!head)
			printf("\n  agreement (each reviewer's latest answer; skips left out)\n");
		head = true;
		printf("    ");
		cli_put_safe(stdout, c->a, strlen(c->a), 0);
		printf(" and ");
		cli_put_safe(stdout, c->b, strlen(c->b), 0);
		if (c->defined)
			printf(": Cohen's kappa %.2f", c->kappa);
		else
			printf(": Cohen's kappa undefined (every answer the same)");
		printf(", agreeing on %.0f%% of %lld %s\n", c->agree * 100, (long long)c->items,
		       c->items == 1 ? (m == REVIEW_PAIRS ? "pair" : "document") : unit);
	}
	if (f->reviewers > 2) {
		if (f->defined)
			printf("    Fleiss' kappa %.2f: %lld reviewers, %lld %s answered by two "
			       "or more\n", f->kappa, (long long)f->reviewers, (long long)f->items,
			       unit);
		else
			printf("    Fleiss' kappa undefined (every answer the same): %lld "
			       "reviewers, %lld %s\n", (long long)f->reviewers,
			       (long long)f->items, unit);
	}
}

static void print_text(const struct review_report *r, const char *by)
{
	char n1[32], n2[32], n3[32], n4[32];
	int m;
	size_t i;

	printf("blind review: %s answer%s in %s session%s by %s reviewer%s (%s skipped)\n",
	       pv_num(r->answers, n1), r->answers == 1 ? "" : "s",
	       pv_num(r->sessions, n2), r->sessions == 1 ? "" : "s",
	       pv_num(r->reviewers, n3), r->reviewers == 1 ? "" : "s",
	       pv_num(r->skipped, n4));
	for (m = REVIEW_PAIRS; m <= REVIEW_SINGLE; m++) {
		bool any = false;
		for (i = 0; i < r->ngroups; i++)
			any |= r->groups[i].mode == (enum review_mode)m;
		if (!any)
			continue;
		printf("\n%s\n", mode_title((enum review_mode)m));
		printf("  %-24s %9s %8s %9s  %s\n", by ? by : "", "answered", "correct",
		       "accuracy", "95% interval");
		for (i = 0; i < r->ngroups; i++) {
			const struct review_group *g = &r->groups[i];
			const char *v = !by ? "all" : g->real_docs ? "(real documents)" :
				g->value ? g->value : "(none)";
			size_t len = strlen(v);
			if (g->mode != (enum review_mode)m)
				continue;
			printf("  ");
			cli_put_safe(stdout, v, len > 24 ? 24 : len, 0);
			printf("%*s %9s %8s", (int)(len > 24 ? 0 : 24 - len), "",
			       pv_num(g->answered, n1), pv_num(g->correct, n2));
			if (g->answered)
				printf(" %8.0f%%  [%.0f%s%.0f]\n", g->accuracy * 100, g->lo * 100,
				       dash(false), g->hi * 100);
			else
				printf(" %9s  -\n", "-");
		}
		printf("\n");
		for (i = 0; i < r->ngroups; i++) {
			struct buf b = BUF_INIT;
			if (r->groups[i].mode != (enum review_mode)m)
				continue;
			verdict(&b, &r->groups[i], by, false);
			printf("  ");
			cli_put_safe(stdout, buf_str(&b), b.len, 0);
			printf("\n");
			buf_done(&b);
		}
		print_agreement(r, (enum review_mode)m);
	}
}

static void put_num(struct buf *b, bool defined, double v)
{
	if (defined)
		buf_printf(b, "%.4f", v);
	else
		buf_puts(b, "null");
}

static void print_json(const struct review_report *r, const char *by)
{
	struct buf b = BUF_INIT;
	size_t i;
	int m;

	buf_printf(&b, "{\"answers\":%lld,\"answered\":%lld,\"skipped\":%lld,\"sessions\":%lld,"
		   "\"reviewers\":%lld,\"by\":", (long long)r->answers,
		   (long long)(r->answers - r->skipped), (long long)r->skipped,
		   (long long)r->sessions, (long long)r->reviewers);
	if (by)
		json_put_string(&b, by, strlen(by));
	else
		buf_puts(&b, "null");
	buf_puts(&b, ",\"groups\":[");
	for (i = 0; i < r->ngroups; i++) {
		const struct review_group *g = &r->groups[i];
		struct buf t = BUF_INIT;
		if (i)
			buf_putc(&b, ',');
		buf_printf(&b, "{\"mode\":\"%s\",\"value\":", review_mode_name(g->mode));
		if (g->value)
			json_put_string(&b, g->value, strlen(g->value));
		else
			buf_puts(&b, "null");
		buf_printf(&b, ",\"real_documents\":%s,\"answers\":%lld,\"answered\":%lld,"
			   "\"correct\":%lld,\"accuracy\":", g->real_docs ? "true" : "false",
			   (long long)g->answers, (long long)g->answered, (long long)g->correct);
		put_num(&b, g->answered > 0, g->accuracy);
		buf_puts(&b, ",\"low\":");
		put_num(&b, g->answered > 0, g->lo);
		buf_puts(&b, ",\"high\":");
		put_num(&b, g->answered > 0, g->hi);
		buf_printf(&b, ",\"verdict\":\"%s\",\"text\":", verdict_name(g->verdict));
		verdict(&t, g, by, true);
		json_put_string(&b, buf_str(&t), t.len);
		buf_done(&t);
		buf_putc(&b, '}');
	}
	buf_puts(&b, "],\"agreement\":[");
	for (m = REVIEW_PAIRS; m <= REVIEW_SINGLE; m++) {
		const struct review_fleiss_row *f = &r->fleiss[m];
		bool first = true;
		if (m > REVIEW_PAIRS)
			buf_putc(&b, ',');
		buf_printf(&b, "{\"mode\":\"%s\",\"cohen\":[", review_mode_name((enum review_mode)m));
		for (i = 0; i < r->ncohen; i++) {
			const struct review_cohen_pair *c = &r->cohen[i];
			if (c->mode != (enum review_mode)m)
				continue;
			if (!first)
				buf_putc(&b, ',');
			first = false;
			buf_puts(&b, "{\"a\":");
			json_put_string(&b, c->a, strlen(c->a));
			buf_puts(&b, ",\"b\":");
			json_put_string(&b, c->b, strlen(c->b));
			buf_printf(&b, ",\"items\":%lld,\"agreement\":%.4f,\"kappa\":",
				   (long long)c->items, c->agree);
			put_num(&b, c->defined, c->kappa);
			buf_putc(&b, '}');
		}
		buf_puts(&b, "],\"fleiss\":");
		if (f->reviewers > 2) {
			buf_printf(&b, "{\"reviewers\":%lld,\"items\":%lld,\"kappa\":",
				   (long long)f->reviewers, (long long)f->items);
			put_num(&b, f->defined, f->kappa);
			buf_putc(&b, '}');
		} else {
			buf_puts(&b, "null");
		}
		buf_putc(&b, '}');
	}
	buf_puts(&b, "]}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_done(&b);
}

static int report(const char *path, const char *by, int mode, bool json)
{
	struct review_report r;
	struct store_set *set = set_is_folder(path) ? cli_open_read(path) : NULL;
	struct store *s = set ? NULL : cli_open(path, STORE_READ);
	struct pv_err e;
	int rc = EXIT_OK;

	if (!s && !set)
		return EXIT_FAIL;
	pv_err_clear(&e);
	if (set ? review_report_set(set, by, mode, &r, &e) :
	    review_report(s, by, mode, &r, &e)) {
		cli_error(&e);
		set_close(set);
		store_close(s);
		return EXIT_FAIL;
	}
	if (json)
		print_json(&r, by);
	else if (r.answers == 0)
		printf("no review answers%s yet: provex review STORE%s starts a session\n",
		       mode < 0 ? "" : mode == REVIEW_PAIRS ? " in pairs mode" :
		       " in single mode", mode == REVIEW_SINGLE ? " --single" : "");
	else
		print_text(&r, by);
	review_report_done(&r);
	set_close(set);
	store_close(s);
	return rc;
}

/* ---- a session ---- */

static int session(const char *path, const char *filter, int mode, const char *reviewer_opt,
		   int64_t seed, const char *theme, const char *config_path)
{
	struct filter_ast *ast = NULL;
	struct filter_sql sql;
	struct buf canon = BUF_INIT;
	struct review_plan plan;
	struct settings cfg;
	struct store *s = NULL;
	struct store_set *set = NULL;
	struct pv_err e;
	char *reviewer = NULL, n1[32], n2[32];
	int rc;

	memset(&plan, 0, sizeof plan);
	memset(&cfg, 0, sizeof cfg);
	if ((rc = cli_filter(filter, &ast, &sql)))
		goto out;
	filter_canonical(ast, &canon);
	pv_err_clear(&e);
	/* a settings file that does not load is the interface's to report */
	if (reviewer_wants_settings(reviewer_opt) &&
	    settings_load(&cfg, config_path, &e))
		settings_done(&cfg);
	pv_err_clear(&e);
	if (reviewer_find(reviewer_opt, cfg.path ? &cfg : NULL, &reviewer, NULL, &e)) {
		cli_error(&e);
		rc = EXIT_USAGE;
		goto out;
	}
	if (set_is_folder(path)) {
		/* a set: planned over its shards, recorded in its review.pvx */
		if (!(set = cli_open_read(path))) {
			rc = EXIT_FAIL;
			goto out;
		}
		if ((rc = cli_set_exact("review", set, ast, NULL)))
			goto out;
		pv_err_clear(&e);
		if (review_plan_make_set(set, buf_str(&canon), ast, (enum review_mode)mode,
					 reviewer, seed, &plan, &e)) {
			cli_error(&e);
			rc = e.code == PV_EUSAGE ? EXIT_USAGE : EXIT_FAIL;
			goto out;
		}
		set_close(set);
		set = NULL;
	} else {
		if (!(s = cli_open(path, STORE_WRITE))) {
			rc = EXIT_FAIL;
			goto out;
		}
		if ((rc = cli_filter_store(s, ast, &sql)))
			goto out;
		pv_err_clear(&e);
		if (review_plan_make(s, buf_str(&canon), &sql, (enum review_mode)mode,
				     reviewer, seed, &plan, &e)) {
			cli_error(&e);
			rc = EXIT_FAIL;
			goto out;
		}
		store_close(s);
		s = NULL;
	}
	rc = tui_run_with(path, theme, config_path, review_view_setup, &plan);
	if (rc == EXIT_OK || rc == EXIT_INTR) {
		if (!plan.session_id)
			printf("nothing answered: no session recorded\n");
		else if (plan.ndone >= plan.n)
			printf("session %lld complete: %s items; provex review %s --report "
			       "shows the results\n", (long long)plan.session_id,
			       pv_num((int64_t)plan.n, n1), path);
		else
			printf("session %lld: %s of %s items done; the same command resumes it\n",
			       (long long)plan.session_id, pv_num((int64_t)plan.ndone, n1),
			       pv_num((int64_t)plan.n, n2));
	}
out:
	review_plan_done(&plan);
	set_close(set);
	store_close(s);
	settings_done(&cfg);
	free(reviewer);
	buf_done(&canon);
	filter_sql_done(&sql);
	filter_free(ast);
	return rc;
}

int cmd_review(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pairs", no_argument, NULL, 'p' },
		{ "single", no_argument, NULL, '1' },
		{ "reviewer", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'S' },
		{ "report", no_argument, NULL, 'R' },
		{ "by", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "theme", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *reviewer = NULL, *by = NULL, *theme = NULL, *config = NULL;
	const char *store, *filter = NULL;
	bool rep = false, json = false, pairs = false, single = false;
	int64_t seed = 0;
	int c;

	optind = 1;
	int optend = cli_filter_dash(argc, argv, "h", opts);
	opterr = 0;
	while ((c = getopt_long(optend, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pairs = true; break;
		case '1': single = true; break;
		case 'r': reviewer = optarg; break;
		case 'S': {
			char *end;
			long long v = strtoll(optarg, &end, 10);
			if (!*optarg || *end || v <= 0)
				return cli_usage("review", "--seed takes a positive number, not '%s'",
						 optarg);
			seed = v;
			break;
		}
		case 'R': rep = true; break;
		case 'b': by = optarg; break;
		case 'j': json = true; break;
		case 't': theme = optarg; break;
		case 'c': config = optarg; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default:
			return cli_usage("review", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (pairs && single)
		return cli_usage("review", "--pairs and --single: choose one");
	if (optind >= argc)
		return cli_usage("review", "missing STORE");
	store = argv[optind++];
	if (optind < argc)
		filter = argv[optind++];
	if (optind < argc)
		return cli_usage("review", "one FILTER only (quote it: '%s %s')", filter,
				 argv[optind]);
	if (rep) {
		if (filter)
			return cli_usage("review", "--report takes no FILTER (it reports every "
					 "answer; --pairs or --single keeps one mode)");
		if (reviewer || seed || theme)
			return cli_usage("review", "--reviewer, --seed and --theme are for a "
					 "session, not --report");
		if (by && !review_by_ok(by))
			return cli_usage("review", "cannot group by '%s' (generator, source, "
					 "reviewer)", by);
		return report(store, by, pairs ? REVIEW_PAIRS : single ? REVIEW_SINGLE : -1,
			      json);
	}
	if (by || json)
		return cli_usage("review", "--by and --json go with --report");
	return session(store, filter, single ? REVIEW_SINGLE : REVIEW_PAIRS, reviewer, seed,
		       theme, config);
}
