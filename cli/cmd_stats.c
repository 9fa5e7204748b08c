/*
 * cmd_stats.c - provex stats STORE [FILTER] [--by FIELD] [--json]
 *               provex stats STORE [FILTER] --html FILE [--sample N]
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../common/utf8.h"
#include "../store/filter.h"
#include "../store/stats.h"
#include "../store/figures.h"
#include "../store/set.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <getopt.h>
#include <langinfo.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
"Usage: provex stats STORE [FILTER] [--by FIELD] [--json]\n"
"       provex stats STORE [FILTER] --html FILE [--sample N]\n"
"Per group of the documents matching FILTER: documents, share (with a\n"
"bar), bytes, words, and the median (the mean of the two middle ones for\n"
"an even count) and 90th-percentile length in bytes.  FIELD is origin\n"
"(the default), source, generator, purpose, label, reviewer or file;\n"
"files are shown by their path relative to the folder they all share,\n"
"named once above the table (--json: \"folder\", and each file's absolute\n"
"path in \"value\" and relative one in \"relative\").  Values longer than\n"
"40 characters are cut with an ellipsis, file paths never.\n"
"--html FILE writes the figures of the statistics view (S in provex\n"
"browse) as one self-contained HTML page with its charts drawn in SVG:\n"
"counts by origin, source, generator, purpose and label; length and\n"
"compression-ratio histograms of real against synthetic documents (the\n"
"ratio over a sample of N documents, 100000 by default); the words and\n"
"AUCs of the latest provex detect run; the blind review's accuracies.\n";

/* Writes the statistics page to path (through a temporary file renamed
 * into place, so a reader never sees half a page).  Returns an exit
 * status. */
static int write_html(struct store *s, const struct filter_sql *sql, const char *store_name,
		      const char *filter, const char *path, size_t sample)
{
	struct fig_opts o = { sample, -1 };
	struct figures f;
	struct pv_err e;
	struct buf page = BUF_INIT, tmp = BUF_INIT;
	char when[64], n1[32];
	time_t now = time(NULL);
	struct tm tm;
	struct stat st;
	FILE *fp;
	int rc = EXIT_OK;

	pv_err_clear(&e);
	if (strcmp(path, "-") && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* never renamed over a device, a FIFO or a folder (as root that
		 * would replace /dev/null with a file) */
		cli_errorf("%s: not a regular file (the page is written under a temporary "
			   "name and renamed into place): give a file name, or - for "
			   "standard output", path);
		return EXIT_USAGE;
	}
	if (figures_compute(s, sql, &o, &f, &e)) {
		cli_error(&e);
		return EXIT_FAIL;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	figures_html(&f, store_name, filter, when, &page);
	buf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	fp = strcmp(path, "-") ? fopen(buf_str(&tmp), "wb") : stdout;
	if (!fp) {
		cli_errorf("%s: %s", buf_str(&tmp), strerror(errno));
		rc = EXIT_FAIL;
	} else if (fwrite(page.data, 1, page.len, fp) != page.len || fflush(fp) ||
		   (fp != stdout && fclose(fp))) {
		cli_errorf("%s: %s", path, strerror(errno));
		if (fp != stdout)
			unlink(buf_str(&tmp));
		rc = EXIT_FAIL;
	} else if (fp != stdout && rename(buf_str(&tmp), path)) {
		cli_errorf("%s: %s", path, strerror(errno));
		unlink(buf_str(&tmp));
		rc = EXIT_FAIL;
	} else if (fp != stdout) {
		printf("wrote %s: %s document%s", path, pv_num(f.docs, n1),
		       f.docs == 1 ? "" : "s");
		if (f.ratio.docs < f.ratio.of)
			printf(" (compression ratios over a sample of %s)",
			       pv_num(f.ratio.docs, n1));
		printf("\n");
	}
	buf_done(&page);
	buf_done(&tmp);
	figures_done(&f);
	return rc;
}

#define BAR 20

/* A median as shown: "888" or "888.5" (with thousands separators in text,
 * plain in JSON).  Returns out (size >= 48). */
static const char *median_str(double m, bool json, char *out)
{
	char n[32];
	int64_t whole = (int64_t)floor(m);
	bool half = m - (double)whole > 0.25;

	if (json)
		snprintf(out, 48, "%lld%s", (long long)whole, half ? ".5" : "");
	else
		snprintf(out, 48, "%s%s", pv_num(whole, n), half ? ".5" : "");
	return out;
}

static void print_json(const struct stats *st, const char *by)
{
	struct buf b = BUF_INIT;
	char md[48];
	size_t i;

	buf_printf(&b, "{\"by\":\"%s\",\"documents\":%lld,\"bytes\":%lld,\"words\":%lld,",
		   by, (long long)st->docs, (long long)st->bytes, (long long)st->words);
	if (st->folder_by) {
		buf_puts(&b, "\"folder\":");
		if (st->folder)
			json_put_string(&b, st->folder, strlen(st->folder));
		else
			buf_puts(&b, "null");
		buf_putc(&b, ',');
	}
	buf_puts(&b, "\"groups\":[");
	for (i = 0; i < st->ngroups; i++) {
		const struct stats_group *g = &st->groups[i];
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, "{\"value\":");
		if (g->value[0])
			json_put_string(&b, g->value, strlen(g->value));
		else
			buf_puts(&b, "null");
		if (st->folder_by) {
			const char *r = stats_shown(st, g);
			buf_puts(&b, ",\"relative\":");
			json_put_string(&b, r, strlen(r));
		}
		buf_printf(&b, ",\"documents\":%lld,\"bytes\":%lld,\"words\":%lld,"
			   "\"median\":%s,\"p90\":%lld,\"share\":%.6f}",
			   (long long)g->docs, (long long)g->bytes, (long long)g->words,
			   median_str(g->median, true, md), (long long)g->p90,
			   st->docs ? (double)g->docs / (double)st->docs : 0.0);
	}
	buf_puts(&b, "]}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_done(&b);
}

/* The value column: made safe to show; cut with an ellipsis to max
 * characters when max > 0 (never a file path: two paths cut the same
 * way could no longer be told apart). */
static void value_cell(struct buf *out, const char *v, size_t max, const char *ell)
{
	struct buf safe = BUF_INIT;

	utf8_sanitize(&safe, v, strlen(v), SAN_ONE_LINE);
	if (max)
		utf8_fit(out, safe.data, safe.len, max, FIT_END, ell);
	else
		buf_append(out, safe.data, safe.len);
	buf_done(&safe);
}

static void print_text(const struct stats *st, const char *by)
{
	bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	const char *block = utf8 ? "\xe2\x96\x88" : "#";
	const char *ell = utf8 ? "\xe2\x80\xa6" : "...";
	char a[32], b[32], c[32], d[48], e[32];
	struct buf cell = BUF_INIT;
	size_t i, wv = strlen(by) > 24 ? strlen(by) : 24, max = 40;
	int k;

	/* the value column: as wide as the longest value, from 24 to 40
	 * characters (file paths whole, however long) */
	for (i = 0; i < st->ngroups; i++) {
		const struct stats_group *g = &st->groups[i];
		const char *v = g->value[0] ? stats_shown(st, g) : "(none)";
		buf_reset(&cell);
		value_cell(&cell, v, 0, ell);
		if (utf8_chars(cell.data, cell.len) > wv)
			wv = utf8_chars(cell.data, cell.len);
	}
	if (st->folder_by)
		max = 0;
	else if (wv > max)
		wv = max;
	if (st->folder_by && st->folder) {
		fputs("files in ", stdout);
		cli_put_safe(stdout, st->folder, strlen(st->folder), SAN_ONE_LINE);
		fputc('\n', stdout);
	}
	printf("%-*s %10s %7s %-*s %10s %12s %9s %9s\n", (int)wv, by, "documents", "share",
	       BAR, "", "bytes", "words", "median", "p90");
	for (i = 0; i < st->ngroups; i++) {
		const struct stats_group *g = &st->groups[i];
		const char *v = g->value[0] ? stats_shown(st, g) : "(none)";
		double share = st->docs ? (double)g->docs / (double)st->docs : 0;
		int n = (int)(share * BAR + 0.5);
		size_t w;

		buf_reset(&cell);
		value_cell(&cell, v, max, ell);
		w = utf8_chars(cell.data, cell.len);
		printf("%.*s%*s %10s %6.1f%% ", (int)cell.len, cell.data,
		       (int)(w < wv ? wv - w : 0), "", pv_num(g->docs, a), share * 100);
		for (k = 0; k < BAR; k++)
			fputs(k < n ? block : " ", stdout);
		printf(" %10s %12s %9s %9s\n", pv_bytes((uint64_t)g->bytes, b),
		       pv_num(g->words, c), median_str(g->median, false, d), pv_num(g->p90, e));
	}
	printf("%-*s %10s %7s %-*s %10s %12s\n", (int)wv, "total", pv_num(st->docs, a),
	       "100.0%", BAR, "", pv_bytes((uint64_t)st->bytes, b), pv_num(st->words, c));
	buf_done(&cell);
}

int cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "sample", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct filter_ast *ast = NULL;
	struct filter_sql sql, *sqls = NULL;
	struct stats st;
	struct store_set *set = NULL;
	struct pv_err e;
	const char *by = "origin", *html = NULL;
	bool json = false, by_given = false;
	size_t sample = fig_sample_default();
	int c, rc;

	optind = 1;
	int optend = cli_filter_dash(argc, argv, "h", longopts);
	while ((c = getopt_long(optend, argv, "h", longopts, NULL)) != -1) {
		if (c == 'b') {
			by = optarg;
			by_given = true;
			if (!stats_group_column(by))
				return cli_usage("stats", "cannot group by '%s' (origin, "
						 "source, generator, purpose, label, "
						 "reviewer, file)", by);
		} else if (c == 'j') {
			json = true;
		} else if (c == 'H') {
			if (!*optarg)
				return cli_usage("stats", "--html needs a file name");
			html = optarg;
		} else if (c == 's') {
			uint64_t n;
			if (!cli_parse_size(optarg, &n) || n == 0 || n > (1u << 30))
				return cli_usage("stats", "--sample wants a number of documents "
						 "from 1 to %u, not '%s'", 1u << 30, optarg);
			sample = (size_t)n;
		} else if (c == 'h') {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else {
			return cli_bad_option("stats");
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("stats", argc - optind < 1 ? "expected STORE" :
				 "expected STORE and one FILTER (quote it)");
	if (html && (json || by_given))
		return cli_usage("stats", "--html writes every grouping itself: it does not "
				 "go with %s", json ? "--json" : "--by");
	memset(&st, 0, sizeof st);
	if ((rc = cli_filter(argc - optind == 2 ? argv[optind + 1] : NULL, &ast, &sql)))
		goto out;
	if (!(set = cli_open_read(argv[optind]))) {
		rc = EXIT_FAIL;
	} else if ((rc = cli_set_exact("stats", set, ast, NULL))) {
		/* printed */
	} else if (html && set_size(set) > 1) {
		/* its figures (samples, detect's, pairs') are one store's */
		cli_errorf("stats: %s: --html on a set of %zu shards: refused, its "
			   "figures are computed within one store; stats without "
			   "--html reads a set", argv[optind], set_size(set));
		rc = EXIT_FAIL;
	} else if (html && set_nparts(set) > 1) {
		/* a shard as published is not what the set holds now */
		cli_errorf("stats: %s: --html on a set whose review.pvx holds "
			   "relabelled documents: refused, its figures are computed "
			   "within one store; stats without --html reads the set as "
			   "it is now", argv[optind]);
		rc = EXIT_FAIL;
	} else if (html) {
		if (!(rc = cli_filter_store(set_shard(set, 0), ast, &sql)))
			rc = write_html(set_shard(set, 0), &sql, argv[optind],
					argc - optind == 2 ? argv[optind + 1] : "", html,
					sample);
	} else if ((rc = cli_filter_set(set, ast, &sqls))) {
		/* printed */
	} else if (set_stats(set, sqls, by, &st, &e)) {
		cli_error(&e);
		rc = EXIT_FAIL;
	} else if (json) {
		print_json(&st, by);
	} else if (st.docs == 0) {
		printf("no documents match\n");
	} else {
		print_text(&st, by);
	}
out:
	stats_done(&st);
	if (set)
		set_filters_done(set, sqls);
	set_close(set);
	filter_sql_done(&sql);
	filter_free(ast);
	return rc;
}
