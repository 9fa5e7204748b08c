/*
 * cmd_stats.c - provex stats STORE [FILTER] [--by FIELD] [--json]
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../store/filter.h"
#include "../store/stats.h"

#include <getopt.h>
#include <langinfo.h>
#include <string.h>

static const char usage_text[] =
"Usage: provex stats STORE [FILTER] [--by FIELD] [--json]\n"
"Per group of the documents matching FILTER: documents, share (with a\n"
"bar), bytes, words, and the median and 90th-percentile length in bytes.\n"
"FIELD is origin (the default), source, generator, purpose, label,\n"
"reviewer or file.\n";

#define BAR 20

static void print_json(const struct stats *st, const char *by)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_printf(&b, "{\"by\":\"%s\",\"documents\":%lld,\"bytes\":%lld,\"words\":%lld,"
		   "\"groups\":[", by, (long long)st->docs, (long long)st->bytes,
		   (long long)st->words);
	for (i = 0; i < st->ngroups; i++) {
		const struct stats_group *g = &st->groups[i];
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, "{\"value\":");
		if (g->value[0])
			json_put_string(&b, g->value, strlen(g->value));
		else
			buf_puts(&b, "null");
		buf_printf(&b, ",\"documents\":%lld,\"bytes\":%lld,\"words\":%lld,"
			   "\"median\":%lld,\"p90\":%lld,\"share\":%.6f}",
			   (long long)g->docs, (long long)g->bytes, (long long)g->words,
			   (long long)g->median, (long long)g->p90,
			   st->docs ? (double)g->docs / (double)st->docs : 0.0);
	}
	buf_puts(&b, "]}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_done(&b);
}

static void print_text(const struct stats *st, const char *by)
{
	const char *block = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? "\xe2\x96\x88" : "#";
	char a[32], b[32], c[32], d[32], e[32];
	size_t i;
	int k;

	printf("%-24s %10s %7s %-*s %10s %12s %9s %9s\n", by, "documents", "share",
	       BAR, "", "bytes", "words", "median", "p90");
	for (i = 0; i < st->ngroups; i++) {
		const struct stats_group *g = &st->groups[i];
		const char *v = g->value[0] ? g->value : "(none)";
		size_t len = strlen(v);
		double share = st->docs ? (double)g->docs / (double)st->docs : 0;
		int n = (int)(share * BAR + 0.5);

		cli_put_safe(stdout, v, len > 24 ? 24 : len, 0);
		printf("%*s %10s %6.1f%% ", (int)(len > 24 ? 0 : 24 - len), "",
		       cli_num(g->docs, a), share * 100);
		for (k = 0; k < BAR; k++)
			fputs(k < n ? block : " ", stdout);
		printf(" %10s %12s %9s %9s\n", cli_bytes((uint64_t)g->bytes, b),
		       cli_num(g->words, c), cli_num(g->median, d), cli_num(g->p90, e));
	}
	printf("%-24s %10s %7s %-*s %10s %12s\n", "total", cli_num(st->docs, a),
	       "100.0%", BAR, "", cli_bytes((uint64_t)st->bytes, b), cli_num(st->words, c));
}

int cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct filter_ast *ast = NULL;
	struct filter_sql sql;
	struct stats st;
	struct store *s = NULL;
	struct pv_err e;
	const char *by = "origin";
	bool json = false;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'b') {
			by = optarg;
			if (!stats_group_column(by))
				return cli_usage("stats", "cannot group by '%s' (origin, "
						 "source, generator, purpose, label, "
						 "reviewer, file)", by);
		} else if (c == 'j') {
			json = true;
		} else if (c == 'h') {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else {
			return cli_usage("stats", "unknown option");
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("stats", argc - optind < 1 ? "expected STORE" :
				 "expected STORE and one FILTER (quote it)");
	memset(&st, 0, sizeof st);
	if ((rc = cli_filter(argc - optind == 2 ? argv[optind + 1] : NULL, &ast, &sql)))
		goto out;
	if (!(s = cli_open(argv[optind], STORE_READ))) {
		rc = EXIT_FAIL;
	} else if (stats_compute(s, &sql, by, &st, &e)) {
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
	store_close(s);
	filter_sql_done(&sql);
	filter_free(ast);
	return rc;
}
