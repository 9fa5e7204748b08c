/*
 * cmd_pairs.c - provex pairs STORE [FILTER] [--threshold J] [--within]
 * [--json] [--report]: near-duplicates of real and synthetic documents
 * (MinHash + LSH, store/pairs.h), and the leakage report built on them.
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/utf8.h"
#include "../store/filter.h"
#include "../analysis/minhash.h"
#include "../store/pairs.h"
#include "../common/clock.h"

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
"Usage: provex pairs STORE [FILTER] [options]\n"
"Find the synthetic documents that nearly copy a real one among those\n"
"FILTER selects (all by default), and store each pair with its estimated\n"
"Jaccard similarity (filter them with has:pair, pair:ID, sim:>0.9).\n"
"\n"
"Texts are compared by their word shingles (5 words, lowercased, without\n"
"punctuation) through MinHash signatures of 128 hash functions and\n"
"locality-sensitive hashing (bands x rows chosen from the threshold);\n"
"every candidate is checked on its whole signature.  Signatures are kept\n"
"in the store: a later run computes only those of new texts.  Documents\n"
"holding the same text are duplicates (is:dup), never pairs.  A text of\n"
"fewer than 5 words is signed from the words it has; a text without words\n"
"is left out (and counted).\n"
"\n"
"Options:\n"
"  --threshold J   estimated Jaccard similarity to reach, in (0, 1]\n"
"                  (default 0.8)\n"
"  --within        pair documents of the same origin too (any two documents);\n"
"                  by default only real x synthetic pairs are looked for\n"
"  --report        print the leakage report: the synthetic documents with a\n"
"                  stored near copy of a real one, by generator and source,\n"
"                  with the most similar examples\n"
"  --examples N    examples per group in the report (default 3)\n"
"  --threads N     threads computing signatures (default 2)\n"
"  --json          print the summary (or the report) as JSON\n"
"  -q, --quiet     no progress and no summary\n"
"  -h, --help      this help\n";


struct ui {
	bool show;                  /* progress on a terminal */
	bool shown;
	double t0, last;
};

static void progress_clear(struct ui *u)
{
	if (u->shown)
		fputs("\r\033[K", stderr);
	u->shown = false;
}

static void ui_progress(void *ctx, const struct pairs_stats *st, enum pairs_phase ph)
{
	struct ui *u = ctx;
	char a[32], b[32], c[32];
	double t = pv_now();

	if (!u->show || t - u->last < 0.2)
		return;
	u->last = t;
	if (ph == PAIRS_SIGNING)
		fprintf(stderr, "\r\033[Ksignatures %s / %s (%.0f%%)  %s texts/s",
			pv_num(st->sig_done, a), pv_num(st->sig_todo, b),
			st->sig_todo ? 100.0 * (double)st->sig_done / (double)st->sig_todo : 100.0,
			pv_num((int64_t)((double)st->sig_done / (t - u->t0 + 1e-9)), c));
	else if (ph == PAIRS_COMPARING)
		fprintf(stderr, "\r\033[Kcomparing: band %d / %d", st->band_done, st->bands);
	else
		fprintf(stderr, "\r\033[Kstoring pairs: %s", pv_num(st->pairs, a));
	fflush(stderr);
	u->shown = true;
}

static void print_summary(FILE *fp, const char *store, const struct pairs_stats *st,
			  double threshold, bool within)
{
	char a[32], b[32], c[32], d[32];

	fprintf(fp, "provex pairs: ");
	cli_put_safe(fp, store, strlen(store), 0);
	fputc('\n', fp);
	fprintf(fp, "  selected   %s documents: %s real, %s synthetic, %s unknown\n",
		pv_num(st->docs, a), pv_num(st->real, b), pv_num(st->synthetic, c),
		pv_num(st->unknown, d));
	if (st->nothing)
		return;
	if (!within && st->unknown)
		fprintf(fp, "  left out   %s documents of unknown origin (they pair "
			"only with --within)\n", pv_num(st->unknown, a));
	fprintf(fp, "  texts      %s distinct texts compared\n", pv_num(st->texts, a));
	if (st->dup_docs)
		fprintf(fp, "  duplicates %s documents share their text with another: "
			"duplicates are not pairs (see is:dup)\n", pv_num(st->dup_docs, a));
	fprintf(fp, "  signatures %s computed (%.1f s, %d thread%s), %s reused from "
		"earlier runs\n", pv_num(st->sig_new, a), st->sec_sign, st->threads,
		st->threads == 1 ? "" : "s", pv_num(st->sig_reused, b));
	if (st->short_texts)
		fprintf(fp, "  short      %s text%s of fewer than %d words: signed from "
			"the words %s\n", pv_num(st->short_texts, a),
			st->short_texts == 1 ? "" : "s", MINHASH_SHINGLE,
			st->short_texts == 1 ? "it has" : "they have");
	if (st->no_words)
		fprintf(fp, "  skipped    %s text%s without words: left out\n",
			pv_num(st->no_words, a), st->no_words == 1 ? "" : "s");
	fprintf(fp, "  compared   %s: %s candidate text pairs from %d bands of %d rows "
		"(%.1f s)\n", within ? "any two documents (--within)" : "real x synthetic",
		pv_num((int64_t)st->candidates, a), st->bands, st->rows, st->sec_compare);
	if (st->oversized)
		fprintf(fp, "  note       %s buckets held more than 1,000 texts of a "
			"side: only their first 1,000 were compared\n",
			pv_num((int64_t)st->oversized, a));
	fprintf(fp, "  pairs      %s document pairs at estimated Jaccard >= %.2f "
		"(%s new), from %s pairs of texts\n", pv_num(st->pairs, a), threshold,
		pv_num(st->pairs_new, b), pv_num(st->text_pairs, c));
	if (st->capped)
		fprintf(fp, "  note       %s pairs of texts held more than %s document "
			"pairs: the rest were left out\n", pv_num(st->capped, a),
			pv_num(PAIRS_DOC_CAP, b));
	fprintf(fp, "  time       %.1f s\n", st->seconds);
}

/* A share as a percentage with one decimal, "<0.1%" when it would show
 * as 0 but is not; out holds 32 bytes. */
static const char *share(int64_t n, int64_t of, char *out)
{
	double p = of ? 100.0 * (double)n / (double)of : 0;

	if (n > 0 && p < 0.05)
		snprintf(out, 32, "<0.1%%");
	else
		snprintf(out, 32, "%.1f%%", p);
	return out;
}

/* Writes s (sanitized) in a column of width bytes, cut or padded. */
static void put_cell(const char *s, int width)
{
	size_t len = strlen(s), cut = utf8_cut(s, len, (size_t)width);
	struct buf b = BUF_INIT;

	utf8_sanitize(&b, s, cut, SAN_ONE_LINE);
	fputs(buf_str(&b), stdout);
	printf("%*s", b.len < (size_t)width ? (int)((size_t)width - b.len) : 0, "");
	buf_done(&b);
}

static void print_report(const char *store, const struct pairs_report *rep)
{
	char a[32], b[32], c[32], d[32];
	size_t i, k;

	printf("provex pairs: leakage report for ");
	cli_put_safe(stdout, store, strlen(store), 0);
	printf(" (estimated Jaccard >= %.2f)\n", rep->threshold);
	if (!rep->synthetic) {
		printf("no synthetic documents are selected\n");
		return;
	}
	printf("%s of %s synthetic documents (%s) nearly copy one of %s real "
	       "documents\n", pv_num(rep->copies, a), pv_num(rep->synthetic, b),
	       share(rep->copies, rep->synthetic, d), pv_num(rep->real, c));
	printf("\n%-20s %-24s %9s %10s %7s\n", "generator", "source", "copies",
	       "synthetic", "share");
	for (i = 0; i < rep->ngroups; i++) {
		const struct pairs_group *g = &rep->groups[i];
		put_cell(g->generator[0] ? g->generator : "(none)", 20);
		putchar(' ');
		put_cell(g->source[0] ? g->source : "(none)", 24);
		printf(" %9s %10s %7s\n", pv_num(g->copies, a), pv_num(g->synthetic, b),
		       share(g->copies, g->synthetic, d));
		for (k = 0; k < g->nex; k++) {
			const struct pairs_example *e = &g->ex[k];
			printf("    %.2f  synthetic #%lld (", e->sim, (long long)e->syn.id);
			cli_put_safe(stdout, e->syn.ext_id, strlen(e->syn.ext_id), SAN_ONE_LINE);
			printf(") ~ real #%lld (", (long long)e->real.id);
			cli_put_safe(stdout, e->real.ext_id, strlen(e->real.ext_id), SAN_ONE_LINE);
			printf(")%s\n", e->declared ? ", also a declared pair" : "");
			printf("          synthetic: ");
			cli_put_safe(stdout, e->syn.words, strlen(e->syn.words), SAN_ONE_LINE);
			printf("\n          real:      ");
			cli_put_safe(stdout, e->real.words, strlen(e->real.words), SAN_ONE_LINE);
			putchar('\n');
		}
	}
}

/* Parses a threshold in (0, 1]. */
static bool parse_threshold(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s)
		return false;
	v = strtod(s, &end);
	if (*end || !isfinite(v) || !(v > 0) || v > 1)
		return false;
	*out = v;
	return true;
}

int cmd_pairs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "within", no_argument, NULL, 'w' },
		{ "report", no_argument, NULL, 'r' },
		{ "examples", required_argument, NULL, 'e' },
		{ "threads", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pairs_opts o;
	struct pairs_stats st;
	struct filter_ast *ast = NULL;
	struct filter_sql sql;
	struct store *s = NULL;
	struct ui u = { 0 };
	struct pv_err e;
	bool json = false, report = false, quiet = false;
	uint64_t v, nexamples = 3;
	int c, rc, status = EXIT_OK;

	memset(&o, 0, sizeof o);
	memset(&sql, 0, sizeof sql);
	pv_err_clear(&e);
	o.threshold = PAIRS_THRESHOLD;
	optind = 1;
	int optend = cli_filter_dash(argc, argv, "qh", longopts);
	while ((c = getopt_long(optend, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!parse_threshold(optarg, &o.threshold))
				return cli_usage("pairs", "--threshold must be a number "
						 "in (0, 1], not '%s'", optarg);
			break;
		case 'w': o.within = true; break;
		case 'r': report = true; break;
		case 'e':
			if (!cli_parse_size(optarg, &v) || v > 1000)
				return cli_usage("pairs", "--examples must be 0..1000, "
						 "not '%s'", optarg);
			nexamples = v;
			break;
		case 'T':
			if (!cli_parse_size(optarg, &v) || v < 1 || v > 16)
				return cli_usage("pairs", "--threads must be 1..16, not '%s'",
						 optarg);
			o.threads = (int)v;
			break;
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: return cli_bad_option("pairs");
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("pairs", argc - optind < 1 ? "expected STORE" :
				 "expected STORE and one FILTER (quote it)");
	if ((status = cli_filter(argc - optind == 2 ? argv[optind + 1] : NULL, &ast, &sql)))
		goto out;
	if (cli_no_set("pairs", argv[optind]) || !(s = cli_open(argv[optind], STORE_WRITE))) {
		status = EXIT_FAIL;
		goto out;
	}
	if ((status = cli_filter_store(s, ast, &sql)))
		goto out;
	u.show = !quiet && isatty(2);
	u.t0 = pv_now();
	o.stop = &pv_stop_signal;
	o.progress = ui_progress;
	o.ctx = &u;
	cli_stop_catch();
	rc = pairs_find(s, &sql, &o, &st, &e);
	cli_stop_release();
	progress_clear(&u);
	if (rc == PV_EINTR) {
		cli_error(&e);
		status = cli_stop_status();
		goto out;
	}
	if (rc) {
		cli_error(&e);
		status = EXIT_FAIL;
		goto out;
	}
	if (st.nothing && !quiet)
		cli_errorf("%s", st.nothing);
	if (report) {
		struct pairs_report rep;
		if (!quiet && !json && !st.nothing)
			fprintf(stderr, "provex pairs: %lld document pairs at estimated "
				"Jaccard >= %.2f (%lld new); %lld signatures computed, "
				"%lld reused, in %.1f s\n", (long long)st.pairs, o.threshold,
				(long long)st.pairs_new, (long long)st.sig_new,
				(long long)st.sig_reused, st.seconds);
		if (pairs_report(s, &sql, o.threshold, (size_t)nexamples, &rep, &e)) {
			cli_error(&e);
			status = EXIT_FAIL;
			goto out;
		}
		if (json) {
			struct buf js = BUF_INIT, run = BUF_INIT;
			/* with the run that refreshed the pairs */
			pairs_stats_json(&st, &o, &run);
			pairs_report_json(&rep, buf_str(&run), &js);
			puts(buf_str(&js));
			buf_done(&js);
			buf_done(&run);
		} else {
			print_report(argv[optind], &rep);
		}
		pairs_report_done(&rep);
	} else if (json) {
		struct buf js = BUF_INIT;
		pairs_stats_json(&st, &o, &js);
		puts(buf_str(&js));
		buf_done(&js);
	} else if (!quiet) {
		print_summary(stdout, argv[optind], &st, o.threshold, o.within);
	}
out:
	store_close(s);
	filter_sql_done(&sql);
	filter_free(ast);
	return status;
}
