/*
 * cmd_pairs.c - provex pairs STORE [FILTER] [--threshold J] [--within]
 * [--json] [--report]: near-duplicates of real and synthetic documents
 * (MinHash + LSH, store/pairs.h), and the leakage report built on them.
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/utf8.h"
#include "../common/json.h"
#include "../store/filter.h"
#include "../analysis/minhash.h"
#include "../store/pairs.h"
#include "../store/set.h"
#include "../store/set_pairs.h"
#include "../common/clock.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
"Usage: provex pairs STORE [FILTER] [options]\n"
"       provex pairs SET [FILTER] [options]\n"
"       provex pairs SET|STORE [FILTER] --against REF [options]\n"
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
"  --against REF   pairs of a document of SET (or STORE; FILTER selects them)\n"
"                  and one of REF (a set or a store, all of it), of any\n"
"                  origin, identical texts included (sim 1); stored in the\n"
"                  table against_pairs of SET/review.pvx (of STORE itself)\n"
"  --rank R --world-size N\n"
"                  on a set: only make the band files of the shards k with\n"
"                  k % N == R (one scheduler task each), no pairs; a run\n"
"                  without them then reuses those files\n"
"\n"
"On a set (a folder made by provex index --world-size), each shard's\n"
"signatures and sorted band files are made once in SET/bands (the shards\n"
"are only read), the bands merged across shards, and the pairs stored in\n"
"SET/review.pvx: the same pairs as one store indexed from the same files.\n"
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


static void sp_progress(void *ctx, const struct set_pairs_stats *st, enum sp_phase ph)
{
	struct ui *u = ctx;
	double t = pv_now();

	if (!u->show || t - u->last < 0.2)
		return;
	u->last = t;
	if (ph == SP_SIGNING || ph == SP_BANDING)
		fprintf(stderr, "\r\033[Kstage 1: shard %zu / %zu, %lld signatures computed",
			st->shard_done + 1, st->shards + st->ref_shards, (long long)st->sig_new);
	else if (ph == SP_MERGING)
		fprintf(stderr, "\r\033[Kstage 2: band %d / %d", st->band_done, st->bands);
	else
		fprintf(stderr, "\r\033[Kstoring pairs: %lld", (long long)st->pairs);
	fflush(stderr);
	u->shown = true;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void set_summary_json(const struct set_pairs_stats *st, const struct set_pairs_opts *o,
			     struct buf *out)
{
	buf_printf(out, "{\"threshold\":%.4g,\"within\":%s,\"against\":",
		   o->threshold, o->within ? "true" : "false");
	if (o->ref_name)
		json_put_string(out, o->ref_name, strlen(o->ref_name));
	else
		buf_puts(out, "null");
	buf_printf(out, ",\"shards\":%zu,\"ref_shards\":%zu,\"stage1\":{\"built\":%zu,"
		   "\"reused\":%zu,\"rebuilt\":%zu,\"signatures_computed\":%lld,"
		   "\"signatures_read\":%lld},\"stage1_only\":%s,\"bands\":%d,\"rows\":%d,"
		   "\"documents\":%lld,\"real\":%lld,\"synthetic\":%lld,\"unknown\":%lld,"
		   "\"ref_documents\":%lld,\"texts\":%lld,\"candidates\":%llu,"
		   "\"oversized_buckets\":%llu,\"text_pairs\":%lld,\"pairs\":%lld,"
		   "\"new_pairs\":%lld,\"capped_text_pairs\":%lld,\"seconds\":%.3f,"
		   "\"nothing_to_compare\":", st->shards, st->ref_shards, st->built,
		   st->reused, st->rebuilt, (long long)st->sig_new, (long long)st->sig_cached,
		   st->stage1_only ? "true" : "false", st->bands, st->rows,
		   (long long)st->docs, (long long)st->real, (long long)st->synthetic,
		   (long long)st->unknown, (long long)st->ref_docs, (long long)st->texts,
		   (unsigned long long)st->candidates, (unsigned long long)st->oversized,
		   (long long)st->text_pairs, (long long)st->pairs, (long long)st->pairs_new,
		   (long long)st->capped, st->seconds);
	if (st->nothing)
		json_put_string(out, st->nothing, strlen(st->nothing));
	else
		buf_puts(out, "null");
	buf_putc(out, '}');
}

static void set_summary(const char *path, const struct set_pairs_stats *st,
			const struct set_pairs_opts *o)
{
	char a[32], b[32], c[32], d[32];

	printf("provex pairs: ");
	cli_put_safe(stdout, path, strlen(path), 0);
	if (o->ref_name) {
		printf(" against ");
		cli_put_safe(stdout, o->ref_name, strlen(o->ref_name), 0);
	}
	putchar('\n');
	printf("  stage 1    %zu shard%s%s: %zu made (%zu of them stale or damaged), "
	       "%zu reused; %s signatures computed, %s read from the shards\n",
	       st->shards + st->ref_shards, st->shards + st->ref_shards == 1 ? "" : "s",
	       st->ref_shards ? " (with REF's)" : "", st->built, st->rebuilt, st->reused,
	       pv_num(st->sig_new, a), pv_num(st->sig_cached, b));
	if (st->stage1_only) {
		printf("  stage 2    not run (--rank/--world-size): run provex pairs "
		       "without them once every rank is done\n");
		return;
	}
	printf("  selected   %s documents: %s real, %s synthetic, %s unknown\n",
	       pv_num(st->docs, a), pv_num(st->real, b), pv_num(st->synthetic, c),
	       pv_num(st->unknown, d));
	if (o->ref_name)
		printf("  reference  %s documents\n", pv_num(st->ref_docs, a));
	if (st->nothing)
		return;
	printf("  compared   %s: %s candidate text pairs from %d bands of %d rows\n",
	       o->ref_name ? "SET x REF" : o->within ? "any two documents (--within)" :
	       "real x synthetic", pv_num((int64_t)st->candidates, a), st->bands, st->rows);
	if (st->oversized)
		printf("  note       %s buckets held more than 1,000 texts of a side: "
		       "only 1,000 were compared\n", pv_num((int64_t)st->oversized, a));
	printf("  pairs      %s document pairs at estimated Jaccard >= %.2f (%s new), "
	       "from %s pairs of texts\n", pv_num(st->pairs, a), o->threshold,
	       pv_num(st->pairs_new, b), pv_num(st->text_pairs, c));
	if (st->capped)
		printf("  note       %s pairs of texts held more than %s document pairs: "
		       "the rest were left out\n", pv_num(st->capped, a),
		       pv_num(PAIRS_DOC_CAP, b));
	printf("  stored in  %s\n", o->ref_name ? "the table against_pairs of the review store"
	       : "the pairs table of the review store");
	printf("  time       %.1f s\n", st->seconds);
}

/* provex pairs on a set, or with --against: store/set_pairs.h. */
static int run_set(const char *path, const struct filter_ast *ast, const char *against,
		   struct set_pairs_opts *o, bool json, bool quiet)
{
	struct store_set *set = NULL, *ref = NULL;
	struct filter_sql *sqls = NULL;
	struct set_pairs_stats st;
	struct buf dir = BUF_INIT;
	char rp[PATH_MAX], sp[PATH_MAX], tmpl[PATH_MAX];
	bool tmpdir = false;
	struct ui u = { 0 };
	struct pv_err e;
	int status = EXIT_OK, rc;

	pv_err_clear(&e);
	if (set_is_folder(path)) {
		if ((rc = set_open(&set, path, &e))) {
			cli_error(&e);
			return EXIT_FAIL;
		}
	} else {
		struct store *s;
		if (o->world_size) {
			cli_errorf("pairs: --rank/--world-size work on a set (a folder of "
				   "shards); %s is a store", path);
			return EXIT_USAGE;
		}
		if (!(s = cli_open(path, STORE_WRITE)))
			return EXIT_FAIL;
		set = set_of_store(s);
	}
	if ((status = cli_set_exact("pairs", set, ast, NULL)))
		goto out;
	if (ast && (status = cli_filter_set(set, ast, &sqls)))
		goto out;
	if (against) {
		if (!realpath(against, rp)) {
			cli_errorf("pairs: --against %s: %s (give a set's folder or a store "
				   "file)", against, strerror(errno));
			status = EXIT_FAIL;
			goto out;
		}
		if (realpath(path, sp) && !strcmp(sp, rp)) {
			cli_errorf("pairs: --against %s: the same as %s: give another set "
				   "or store (without --against, pairs are looked for within "
				   "it)", against, path);
			status = EXIT_USAGE;
			goto out;
		}
		if (set_is_folder(against)) {
			if (set_open(&ref, against, &e)) {
				cli_errorf("pairs: --against: %s", e.msg);
				status = EXIT_FAIL;
				goto out;
			}
		} else {
			struct store *s = cli_open(against, STORE_READ);
			if (!s) {
				status = EXIT_FAIL;
				goto out;
			}
			ref = set_of_store(s);
		}
		o->ref = ref;
		o->ref_name = rp;
	}
	if (set_is_folder_set(set)) {
		buf_printf(&dir, "%s/bands", path);
	} else {
		const char *t = getenv("TMPDIR");
		snprintf(tmpl, sizeof tmpl, "%s/provex-pairs-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(tmpl)) {
			cli_errorf("pairs: cannot make a temporary folder %s: %s", tmpl,
				   strerror(errno));
			status = EXIT_FAIL;
			goto out;
		}
		tmpdir = true;
		buf_puts(&dir, tmpl);
	}
	o->bands_dir = buf_str(&dir);
	u.show = !quiet && isatty(2);
	u.t0 = pv_now();
	o->stop = &pv_stop_signal;
	o->progress = sp_progress;
	o->ctx = &u;
	cli_stop_catch();
	rc = set_pairs_find(set, sqls, o, &st, &e);
	cli_stop_release();
	progress_clear(&u);
	if (rc) {
		cli_error(&e);
		status = rc == PV_EINTR ? cli_stop_status() : EXIT_FAIL;
		goto out;
	}
	if (st.nothing && !quiet)
		cli_errorf("%s", st.nothing);
	if (json) {
		struct buf js = BUF_INIT;
		set_summary_json(&st, o, &js);
		puts(buf_str(&js));
		buf_done(&js);
	} else if (!quiet) {
		set_summary(path, &st, o);
	}
out:
	if (tmpdir)
		nftw(tmpl, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (sqls)
		set_filters_done(set, sqls);
	set_close(ref);
	set_close(set);
	buf_done(&dir);
	return status;
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
		{ "against", required_argument, NULL, 'a' },
		{ "rank", required_argument, NULL, 'R' },
		{ "world-size", required_argument, NULL, 'W' },
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
	bool json = false, report = false, quiet = false, has_rank = false;
	const char *against = NULL;
	uint64_t rank = 0, world = 0;
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
		case 'a': against = optarg; break;
		case 'R':
			if (!cli_parse_size(optarg, &rank) || rank > 100000)
				return cli_usage("pairs", "--rank must be 0..100000, not '%s'",
						 optarg);
			has_rank = true;
			break;
		case 'W':
			if (!cli_parse_size(optarg, &world) || world < 1 || world > 100000)
				return cli_usage("pairs", "--world-size must be 1..100000, "
						 "not '%s'", optarg);
			break;
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
	if (has_rank != (world > 0) || (world && rank >= world)) {
		status = cli_usage("pairs", "--rank R and --world-size N go together, "
				   "with R < N");
		goto out;
	}
	if (against && o.within) {
		status = cli_usage("pairs", "--within has no meaning with --against "
				   "(every document of SET is compared with every one of REF)");
		goto out;
	}
	if ((against || world || set_is_folder(argv[optind])) && report) {
		status = cli_usage("pairs", "--report reads one store's pairs: on a set "
				   "or with --against it is not supported (read the pairs "
				   "in the review store, see provex(1))");
		goto out;
	}
	if (against || world || set_is_folder(argv[optind])) {
		struct set_pairs_opts so;
		memset(&so, 0, sizeof so);
		so.threshold = o.threshold;
		so.within = o.within;
		so.threads = o.threads;
		so.rank = (int)rank;
		so.world_size = (int)world;
		status = run_set(argv[optind], ast, against, &so, json, quiet);
		goto out;
	}
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
