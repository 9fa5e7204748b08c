/*
 * cmd_index.c - provex index STORE INPUT... [options]
 */
#include "config.h"
#include "cli.h"
#include "../store/set.h"
#include "../common/buf.h"
#include "../common/utf8.h"
#include "../common/template.h"
#include "../common/json.h"
#include "../index/pipeline.h"
#include "../index/shard.h"
#include "../store/pairs.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WARNINGS 20

static const char usage_text[] =
"Usage: provex index STORE INPUT... [options]\n"
"       provex index STORE --index-meta PATH... | --drop-meta-index PATH...\n"
"       provex index SET INPUT... --world-size N [--rank R] [options]\n"
"Index documents into STORE (created when absent or an empty file, and\n"
"removed again when this run fails before adding anything).  INPUT is a file, a\n"
"folder (walked recursively) or - for standard input; .gz and .zst files\n"
"are read as streams and kept only whole: a damaged or truncated one adds\n"
"nothing.  Formats by extension: .jsonl/.ndjson (one JSON object or string\n"
"per line), .json (an array, or an object of arrays), .csv (header row),\n"
"anything else: one plain-text document per file.\n"
"\n"
"Input:\n"
"  --format F            jsonl, json, csv or text, instead of the extension\n"
"  --records KEY         JSON: read only the array under KEY\n"
"  --glob PATTERN        folders: only files matching PATTERN (e.g. '*.txt')\n"
"  --max-doc-size SIZE   largest document: a JSONL line, CSV row, JSON array\n"
"                        element or text file (default 256M; K, M, G); a\n"
"                        larger one is skipped and counted\n"
"  --text-field NAME     field holding the text (default: text)\n"
"  --text-template T     compose the text, e.g. '{instruction}\\n\\n{output}'\n"
"                        ({{ and }} are literal braces; a field a record\n"
"                        lacks reads as nothing, with a counted warning:\n"
"                        an error under --strict)\n"
"  --id-field NAME       field holding the document's id (default: file:line);\n"
"                        ids given to several documents are counted and named\n"
"  --label-field NAME    field holding a review label (as provex export writes)\n"
"  --note-field NAME     field holding a review note\n"
"  --pair-field NAME     declare pairs: documents sharing a value of NAME, and\n"
"                        a document whose NAME is another's id (seed_id)\n"
"  --pair-cap N          pair at most the first N documents of a value (1000)\n"
"Metadata (every field of a record that is not consumed, by default):\n"
"  --meta-fields A,B     keep only these top-level fields (a consumed field\n"
"                        named here is kept too)\n"
"  --drop-fields X,Y     leave these top-level fields out\n"
"  --keep-consumed       keep the provenance, label and note fields too (the\n"
"                        text, template and id fields only by --meta-fields)\n"
"Provenance (origin is real, synthetic or unknown):\n"
"  --origin V  --source V  --generator V  --purpose V     for every document\n"
"  --origin-field F  --source-field F  --generator-field F  --purpose-field F\n"
"                        take the label from field F of each record\n"
"  --origin-map M ...    map field values: 'human=real,*=synthetic'\n"
"                        (also --source-map, --generator-map, --purpose-map;\n"
"                        the summary names every value no entry mapped)\n"
"  --rules FILE          YAML rules matching files and field values\n"
"                        (precedence: flags < rules < fields; see provex(1))\n"
"  Values are one line of visible UTF-8 as provex label wants them: no\n"
"  control, bidi or zero-width character, U+2028/9, at most 4096 bytes; a\n"
"  record whose value breaks this is skipped and counted.\n"
"Storage:\n"
"  --level N             zstd level (default 3)\n"
"  --dict-size BYTES     dictionary size (default 112K)\n"
"  --new-dict            train a new dictionary even if the store has one\n"
"  --index-meta PATH     index the metadata value at PATH (as the filter's\n"
"                        meta.PATH: lang, a.b, \"x.y\"), so that meta.PATH:V\n"
"                        is a lookup, not a read of every document; kept up\n"
"                        to date by later runs (repeat for several paths)\n"
"  --drop-meta-index PATH  remove that index\n"
"A set's shards (SET is a folder; see provex(1), index SET):\n"
"  --world-size N        the set has N shards (1..1000000); this task\n"
"                        builds one, SET/shard-RRRRR-of-NNNNN.pvx, and\n"
"                        publishes it with its marker (.done) once every\n"
"                        file is read; a rerun of a complete rank does\n"
"                        nothing, a stopped one resumes\n"
"  --rank R              the shard (0..N-1); else the first set of\n"
"                        PROVEX_RANK, SLURM_ARRAY_TASK_ID, SLURM_PROCID,\n"
"                        JOB_COMPLETION_INDEX, PARALLEL_SEQ (1-based)\n"
"  --inputs-from FILE    more INPUTs, one per line (blank lines ignored)\n"
"  --local DIR           build the shard in DIR, then copy it into SET\n"
"  The listing: every INPUT walked (folders recursively, --glob) and the\n"
"  lines of --inputs-from, sorted bytewise, without repeats; rank r takes\n"
"  the files at positions p with p % N == r.  Ids: record rec (from 0) of\n"
"  the file at position p is document (p + 1) * 10^9 + rec + 1, the same\n"
"  whatever N.  Not with standard input, nor (yet) --pair-field.\n"
"Behaviour:\n"
"  --strict              stop at the first bad record; keep nothing of this run\n"
"  -q, --quiet           no progress, warnings or summary\n"
"  --json                print the summary as JSON on standard output\n"
"  -h, --help            this help\n"
"\n"
"Indexing the same inputs again adds nothing; an interrupted run keeps what\n"
"it wrote, and running the same command again completes it.  An input is\n"
"the same when its size, time and content hash are (a file edited with its\n"
"size and time kept is read again: its records already stored with the\n"
"same text are kept, changed ones are added beside the earlier documents).\n"
"Provenance options do not relabel documents already stored: the summary\n"
"counts those that differ from what the options give; provex label\n"
"changes them.\n";


struct ui {
	bool quiet, tty;
	int warnings;
	bool progress_shown;
};

static void ui_say(struct ui *u, const struct pv_err *e);

static void ui_warn(void *ctx, const struct pv_err *e)
{
	struct ui *u = ctx;

	if (u->quiet && e->code != PV_EIO && e->code != PV_ETRUNC &&
	    e->code != PV_ECODEC && e->code != PV_ENOTFOUND)
		return;
	ui_say(u, e);
}

/* An input not read, or stopped early: said even under -q (a UTF-16 file,
 * a CSV header naming a column twice, damage), as the exit status is 1. */
static void ui_input_failed(void *ctx, const struct pv_err *e)
{
	ui_say(ctx, e);
}

static void ui_say(struct ui *u, const struct pv_err *e)
{
	u->warnings++;
	if (u->warnings > MAX_WARNINGS) {
		if (u->warnings == MAX_WARNINGS + 1)
			cli_errorf("more problems follow; the summary counts them all");
		return;
	}
	if (u->progress_shown) {
		fputs("\r\033[K", stderr);
		u->progress_shown = false;
	}
	cli_error(e);
}

static void fmt_time(double s, char *out)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, 32, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, 32, "%ld:%02ld", t / 60, t % 60);
}

static void ui_progress(void *ctx, const struct index_stats *st, bool final)
{
	struct ui *u = ctx;
	char a[32], b[32], c[32], d[32];
	double rate;

	if (u->quiet || !u->tty)
		return;
	if (final) {
		if (u->progress_shown)
			fputs("\r\033[K", stderr);
		u->progress_shown = false;
		return;
	}
	if (st->phase) {
		fprintf(stderr, "\r\033[K%s docs read; %s...", pv_num(st->read, c),
			st->phase);
		fflush(stderr);
		u->progress_shown = true;
		return;
	}
	rate = st->seconds > 0 ? (double)st->read / st->seconds : 0;
	fprintf(stderr, "\r\033[K%s", pv_bytes(st->bytes_in, a));
	if (st->bytes_total) {
		double f = (double)st->bytes_in / (double)st->bytes_total;
		fprintf(stderr, " / %s (%.0f%%)", pv_bytes(st->bytes_total, b), f * 100);
		if (f > 0.01 && f < 1) {
			fmt_time(st->seconds * (1 - f) / f, d);
			fprintf(stderr, "  %s docs  %s docs/s  %s left",
				pv_num(st->read, c), pv_num((int64_t)rate, a), d);
		} else {
			fprintf(stderr, "  %s docs", pv_num(st->read, c));
		}
	} else {
		fprintf(stderr, "  %s docs  %s docs/s", pv_num(st->read, c),
			pv_num((int64_t)rate, a));
	}
	fflush(stderr);
	u->progress_shown = true;
}

static void print_summary(const char *store, const struct index_stats *st,
			  size_t pair_cap)
{
	char a[32], b[32], c[32], d[32];
	size_t i;

	fprintf(stderr, "provex index: ");
	cli_put_safe(stderr, store, strlen(store), 0);
	fprintf(stderr, "%s\n", st->interrupted ? " (interrupted)" : "");
	fprintf(stderr, "  read      %s records from %d input%s (%s) in %.1f s",
		pv_num(st->read, a), st->inputs, st->inputs == 1 ? "" : "s",
		pv_bytes(st->bytes_in, b), st->seconds);
	if (st->seconds > 0.05)
		fprintf(stderr, ", %s docs/s, %.1f MB/s",
			pv_num((int64_t)((double)st->read / st->seconds), c),
			(double)st->bytes_in / 1e6 / st->seconds);
	fputc('\n', stderr);
	if (st->inputs_unchanged)
		fprintf(stderr, "  skipped   %d input%s already indexed and unchanged\n",
			st->inputs_unchanged, st->inputs_unchanged == 1 ? "" : "s");
	if (st->inputs_failed)
		fprintf(stderr, "  failed    %d input%s could not be read to the end "
			"(see above)\n", st->inputs_failed,
			st->inputs_failed == 1 ? "" : "s");
	fprintf(stderr, "  added     %s documents: %s new texts, %s duplicates",
		pv_num(st->added, a), pv_num(st->new_texts, b), pv_num(st->dups, c));
	if (st->cross_origin)
		fprintf(stderr, " (%s also stored with the other origin)",
			pv_num(st->cross_origin, d));
	fputc('\n', stderr);
	if (st->exists)
		fprintf(stderr, "  present   %s records were already in the store\n",
			pv_num(st->exists, a));
	if (st->dropped)
		fprintf(stderr, "  dropped   %s documents of damaged or unfinished "
			"compressed inputs (not kept; see above)\n",
			pv_num(st->dropped, a));
	if (st->not_committed)
		fprintf(stderr, "  lost      %s documents read were not committed "
			"(the failure above rolled their batch back; run the "
			"same command again once it is mended)\n",
			pv_num(st->not_committed, a));
	if (st->rejected) {
		fprintf(stderr, "  rejected  %s:", pv_num(st->rejected, a));
		for (i = 0; i < st->nreasons; i++)
			fprintf(stderr, "%s %s %s", i ? "," : "",
				pv_num(st->reasons[i].n, a), st->reasons[i].reason);
		fputc('\n', stderr);
	}
	if (st->dup_key_records) {
		fprintf(stderr, "  note      %s records have a key twice (the last "
			"value kept, as Python and jq do); the first: \"",
			pv_num(st->dup_key_records, a));
		cli_put_safe(stderr, st->dup_key_first, strlen(st->dup_key_first), 0);
		fprintf(stderr, "\" at ");
		cli_put_safe(stderr, st->dup_key_where, strlen(st->dup_key_where), 0);
		fputc('\n', stderr);
	}
	if (st->invalid_utf8)
		fprintf(stderr, "  note      %s documents hold bytes that are not "
			"UTF-8 (kept as they are)\n", pv_num(st->invalid_utf8, a));
	if (st->origin_unknown_value)
		fprintf(stderr, "  note      %s origin values were not recognised "
			"(stored as unknown)\n", pv_num(st->origin_unknown_value, a));
	if (st->ntpl_missing) {
		fprintf(stderr, "  template  %s documents lack a template field (it "
			"read as nothing):", pv_num(st->tpl_missing_records, a));
		for (i = 0; i < st->ntpl_missing; i++) {
			fprintf(stderr, "%s ", i ? "," : "");
			cli_put_safe(stderr, st->tpl_missing[i].key,
				     st->tpl_missing[i].len, 0);
			fprintf(stderr, " %s", pv_num(st->tpl_missing[i].n, a));
		}
		fputc('\n', stderr);
	}
	{
		int k;
		for (k = 0; k < PROV_N; k++) {
			int64_t tot = 0;
			size_t nv = 0;
			for (i = 0; i < st->nunmapped; i++)
				if (st->unmapped[i].kind == k) {
					tot += st->unmapped[i].n;
					nv++;
				}
			if (!nv)
				continue;
			fprintf(stderr, "  unmapped  --%s-map mapped no entry for %s "
				"record%s (%s value%s; their %s is what the other "
				"options give%s):", prov_names[k], pv_num(tot, a),
				tot == 1 ? "" : "s", pv_num((int64_t)nv, b),
				nv == 1 ? "" : "s", prov_names[k],
				k == PROV_ORIGIN ? ", else unknown" : ", else none");
			for (i = 0; i < st->nunmapped; i++) {
				if (st->unmapped[i].kind != k)
					continue;
				fputs("\n            ", stderr);
				cli_put_safe(stderr, st->unmapped[i].key,
					     st->unmapped[i].len, 0);
				fprintf(stderr, "  %s", pv_num(st->unmapped[i].n, a));
			}
			fputc('\n', stderr);
		}
		if (st->unmapped_other)
			fprintf(stderr, "  unmapped  and %s records of other values (only "
				"the first %d distinct values are named)\n",
				pv_num(st->unmapped_other, a), INDEX_MAX_TALLY);
	}
	if (st->inputs_changed)
		fprintf(stderr, "  changed   %d input%s changed since indexed (content "
			"hash): read again; records stored with the same text are "
			"kept, changed records were added beside the earlier "
			"documents\n", st->inputs_changed,
			st->inputs_changed == 1 ? "" : "s");
	if (st->prov_differ)
		fprintf(stderr, "  labels    %s of %s documents already in the store "
			"(%d input%s) have other provenance than these options give; "
			"index does not relabel: change them with provex label STORE "
			"FILTER --set FIELD=VALUE\n", pv_num(st->prov_differ, a),
			pv_num(st->prov_checked, b), st->prov_differ_inputs,
			st->prov_differ_inputs == 1 ? "" : "s");
	if (st->id_repeats) {
		fprintf(stderr, "  ids       %s --id-field values name more than one "
			"document (%s documents in all; cat/show --ext refuse them):",
			pv_num(st->id_repeats, a), pv_num(st->id_repeat_docs, b));
		for (i = 0; i < st->nid_repeat; i++) {
			fputs(i ? ", " : " ", stderr);
			cli_put_safe(stderr, st->id_repeat[i].key, st->id_repeat[i].len,
				     0);
			fprintf(stderr, " (%s)", pv_num(st->id_repeat[i].n, a));
		}
		fprintf(stderr, "%s\n", st->id_repeats > (int64_t)st->nid_repeat ?
			", ..." : "");
	}
	fprintf(stderr, "  text      %s in new texts, stored in %s (ratio %.2f)",
		pv_bytes(st->bytes_new, a), pv_bytes(st->bytes_stored, b),
		st->bytes_stored ? (double)st->bytes_new / (double)st->bytes_stored : 0);
	if (st->dict_trained)
		fprintf(stderr, "; dictionary of %s trained", pv_bytes(st->dict_bytes, c));
	else if (st->dict_id)
		fprintf(stderr, "; dictionary %lld", (long long)st->dict_id);
	fputc('\n', stderr);
	if (st->pairs_done) {
		fprintf(stderr, "  pairs     declared pairs: %s new (%s value%s of ",
			pv_num(st->pairs_added, a), pv_num(st->pair_groups, b),
			st->pair_groups == 1 ? "" : "s");
		cli_put_safe(stderr, st->pair_field, strlen(st->pair_field), 0);
		fprintf(stderr, " shared by new documents");
		if (st->pair_capped)
			fprintf(stderr, "; %s group%s capped at %s documents",
				pv_num(st->pair_capped, c), st->pair_capped == 1 ? "" : "s",
				pv_num(pair_cap ? (int64_t)pair_cap : PAIRS_GROUP_CAP, d));
		fprintf(stderr, ")\n");
	}
	if (st->interrupted)
		fprintf(stderr, "  Run the same command again to complete the index.\n");
}

/* Splits a comma-separated list of top-level field names (--meta-fields,
 * --drop-fields) onto *list (owned strings, *n of them).  A nested path
 * is refused: metadata keeps or drops whole top-level fields.  Returns
 * EXIT_OK or the usage status. */
static int field_list(const char *opt, const char *arg, char ***list, size_t *n)
{
	const char *p = arg;

	for (;;) {
		size_t len = strcspn(p, ",");
		if (len == 0)
			return cli_usage("index", "%s: an empty field name in '%s' "
					 "(names are separated by single commas)",
					 opt, arg);
		if (memchr(p, '.', len))
			return cli_usage("index", "%s: '%.*s' is a nested path; "
					 "metadata keeps or drops whole top-level "
					 "fields: name '%.*s' instead", opt, (int)len,
					 p, (int)strcspn(p, "."), p);
		*list = pv_realloc(*list, (*n + 1) * sizeof **list);
		(*list)[(*n)++] = pv_strndup(p, len);
		if (!p[len])
			return EXIT_OK;
		p += len + 1;
	}
}

/* --world-size and its companions. */
struct set_args {
	int64_t world;              /* 0: a plain store */
	int64_t rank;
	bool rank_given;
	const char *inputs_from, *local;
};

/* The options of a set that make no sense, or are not yet supported;
 * nargs: the positional arguments.  EXIT_OK or the usage status. */
static int set_check(const struct set_args *set, const struct index_opts *o,
		     int nargs)
{
	if (!set->world) {
		const char *opt = set->rank_given ? "--rank" : set->inputs_from ?
				  "--inputs-from" : set->local ? "--local" : NULL;
		if (opt)
			return cli_usage("index", "%s needs --world-size N (the "
					 "number of shards of the set)", opt);
		return EXIT_OK;
	}
	if (o->pair_field)
		return cli_usage("index", "--pair-field with --world-size: declared "
				 "pairs are not yet supported across shards; index "
				 "into one store to declare pairs");
	if (nargs < 1)
		return cli_usage("index", "missing SET (the set's folder) and INPUT");
	if (nargs < 2 && !set->inputs_from)
		return cli_usage("index", "missing INPUT (files or folders, or "
				 "--inputs-from FILE)");
	return EXIT_OK;
}

/* The listing, the rank and its shard, before indexing: o is pointed at
 * the rank's files and the shard to build.  *complete when the rank's
 * shard is published already (said).  EXIT_OK or a status. */
static int set_begin(struct set_args *set, struct index_opts *o,
		     struct shard_listing *l, struct shard *sh, bool quiet,
		     bool json, bool *complete)
{
	const char *from = "--rank";
	struct pv_err e;
	int64_t docs;
	size_t i;
	int rc;

	*complete = false;
	for (i = 0; i < o->ninputs; i++)
		if (strcmp(o->inputs[i], "-") == 0)
			return cli_usage("index", "standard input (-) cannot be "
					 "part of a set (--world-size): every rank "
					 "must list the same files");
	if (set->rank_given && set->rank >= set->world)
		return cli_usage("index", "--rank %lld is outside 0..%lld for "
				 "--world-size %lld", (long long)set->rank,
				 (long long)set->world - 1, (long long)set->world);
	if (!set->rank_given) {
		rc = shard_rank_env(set->world, &set->rank, &from, &e);
		if (rc == PV_ENOTFOUND)
			return cli_usage("index", "--world-size needs this task's "
					 "rank: pass --rank R (0..%lld), or run under "
					 "a scheduler that sets PROVEX_RANK, "
					 "SLURM_ARRAY_TASK_ID, SLURM_PROCID, "
					 "JOB_COMPLETION_INDEX or PARALLEL_SEQ",
					 (long long)set->world - 1);
		if (rc)
			return cli_usage("index", "%s", e.msg);
	}
	if ((rc = shard_listing_make(l, o->inputs, o->ninputs, set->inputs_from,
				     o->glob, &e))) {
		if (rc == PV_EUSAGE)
			return cli_usage("index", "%s", e.msg);
		cli_error(&e);
		return EXIT_FAIL;
	}
	for (i = 0; i < l->n + o->ninputs; i++) {
		/* a listed file in SET, or SET below an INPUT (as written) */
		const char *a = i < l->n ? l->paths[i] : o->store_path;
		const char *b = i < l->n ? o->store_path : o->inputs[i - l->n];
		size_t n = strlen(b);
		while (n > 1 && b[n - 1] == '/')
			n--;
		if (strncmp(a, b, n) == 0 && a[n] == '/') {
			cli_errorf("%s: the set's folder is inside an INPUT: its shards "
				   "would be listed as inputs as they are published; "
				   "put the set elsewhere", o->store_path);
			return EXIT_USAGE;
		}
	}
	shard_init(sh, o->store_path, set->local, set->rank, set->world, l);
	if (!quiet)
		fprintf(stderr, "provex index: rank %lld of %lld (from %s): %zu of "
			"%zu files\n", (long long)sh->rank, (long long)sh->world,
			from, sh->nfiles, l->n);
	if (shard_prepare(sh, l, complete, &docs, &e)) {
		cli_error(&e);
		return EXIT_FAIL;
	}
	if (*complete) {
		char a[32];
		if (!quiet)
			fprintf(stderr, "provex index: rank %lld of %lld: already "
				"complete (%s documents in ", (long long)sh->rank,
				(long long)sh->world, pv_num(docs, a));
		if (!quiet) {
			cli_put_safe(stderr, sh->published, strlen(sh->published), 0);
			fputs(")\n", stderr);
		}
		if (json) {
			struct buf js = BUF_INIT;
			buf_printf(&js, "{\"complete\":true,\"docs\":%lld,\"rank\":%lld,"
				   "\"world_size\":%lld,\"shard\":", (long long)docs,
				   (long long)sh->rank, (long long)sh->world);
			json_put_string(&js, sh->published, strlen(sh->published));
			buf_puts(&js, ",\"published\":true}");
			puts(buf_str(&js));
			buf_done(&js);
		}
		return EXIT_OK;
	}
	o->store_path = sh->build;
	o->inputs = sh->files;
	o->ninputs = sh->nfiles;
	o->positions = sh->positions;
	return EXIT_OK;
}

enum {
	O_RECORDS = 256, O_FORMAT, O_GLOB, O_TEXT_FIELD, O_TEXT_TEMPLATE,
	O_ID_FIELD, O_LABEL_FIELD, O_NOTE_FIELD, O_PAIR_FIELD, O_PAIR_CAP, O_RULES, O_LEVEL, O_DICT_SIZE, O_NEW_DICT, O_STRICT, O_JSON,
	O_INDEX_META, O_DROP_META, O_META_FIELDS, O_DROP_FIELDS, O_KEEP_CONSUMED,
	O_MAX_DOC, O_WORLD, O_RANK, O_INPUTS_FROM, O_LOCAL,
	O_PROV = 300,          /* + PROV_x */
	O_PROV_FIELD = 310,    /* + PROV_x */
	O_PROV_MAP = 320       /* + PROV_x */
};

int cmd_index(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "records", required_argument, NULL, O_RECORDS },
		{ "meta-fields", required_argument, NULL, O_META_FIELDS },
		{ "drop-fields", required_argument, NULL, O_DROP_FIELDS },
		{ "keep-consumed", no_argument, NULL, O_KEEP_CONSUMED },
		{ "index-meta", required_argument, NULL, O_INDEX_META },
		{ "drop-meta-index", required_argument, NULL, O_DROP_META },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "glob", required_argument, NULL, O_GLOB },
		{ "text-field", required_argument, NULL, O_TEXT_FIELD },
		{ "text-template", required_argument, NULL, O_TEXT_TEMPLATE },
		{ "id-field", required_argument, NULL, O_ID_FIELD },
		{ "label-field", required_argument, NULL, O_LABEL_FIELD },
		{ "note-field", required_argument, NULL, O_NOTE_FIELD },
		{ "pair-field", required_argument, NULL, O_PAIR_FIELD },
		{ "pair-cap", required_argument, NULL, O_PAIR_CAP },
		{ "rules", required_argument, NULL, O_RULES },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "dict-size", required_argument, NULL, O_DICT_SIZE },
		{ "max-doc-size", required_argument, NULL, O_MAX_DOC },
		{ "new-dict", no_argument, NULL, O_NEW_DICT },
		{ "world-size", required_argument, NULL, O_WORLD },
		{ "rank", required_argument, NULL, O_RANK },
		{ "inputs-from", required_argument, NULL, O_INPUTS_FROM },
		{ "local", required_argument, NULL, O_LOCAL },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "origin", required_argument, NULL, O_PROV + PROV_ORIGIN },
		{ "source", required_argument, NULL, O_PROV + PROV_SOURCE },
		{ "generator", required_argument, NULL, O_PROV + PROV_GENERATOR },
		{ "purpose", required_argument, NULL, O_PROV + PROV_PURPOSE },
		{ "origin-field", required_argument, NULL, O_PROV_FIELD + PROV_ORIGIN },
		{ "source-field", required_argument, NULL, O_PROV_FIELD + PROV_SOURCE },
		{ "generator-field", required_argument, NULL, O_PROV_FIELD + PROV_GENERATOR },
		{ "purpose-field", required_argument, NULL, O_PROV_FIELD + PROV_PURPOSE },
		{ "origin-map", required_argument, NULL, O_PROV_MAP + PROV_ORIGIN },
		{ "source-map", required_argument, NULL, O_PROV_MAP + PROV_SOURCE },
		{ "generator-map", required_argument, NULL, O_PROV_MAP + PROV_GENERATOR },
		{ "purpose-map", required_argument, NULL, O_PROV_MAP + PROV_PURPOSE },
		{ NULL, 0, NULL, 0 }
	};
	struct index_opts o;
	struct index_stats st;
	struct valmap *maps[PROV_N] = { 0 };
	struct rules *rules = NULL;
	struct ui u = { 0 };
	struct buf cmdline = BUF_INIT;
	struct pv_err e;
	const char **metas = NULL;      /* --index-meta / --drop-meta-index values */
	char **fields[2] = { NULL, NULL }; /* --meta-fields, --drop-fields: owned */
	size_t nfields[2] = { 0, 0 };
	bool have_st = false;
	bool *meta_drop = NULL;
	size_t nmetas = 0;
	bool json = false;
	struct set_args set = { 0 };
	struct shard_listing listing = { 0 };
	struct shard sh = { 0 };
	struct shard_published pub = { 0 };
	bool published = false;
	uint64_t v;
	int c, i, rc, status = EXIT_OK;

	memset(&o, 0, sizeof o);
	pv_err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_RECORDS: o.ropts.records_key = optarg; break;
		case O_FORMAT:
			if (!strcmp(optarg, "jsonl")) o.ropts.format = IN_FMT_JSONL;
			else if (!strcmp(optarg, "json")) o.ropts.format = IN_FMT_JSON;
			else if (!strcmp(optarg, "csv")) o.ropts.format = IN_FMT_CSV;
			else if (!strcmp(optarg, "text")) o.ropts.format = IN_FMT_TEXT;
			else {
				status = cli_usage("index", "--format must be jsonl, "
						   "json, csv or text, not '%s'", optarg);
				goto out;
			}
			break;
		case O_GLOB: o.glob = optarg; break;
		case O_TEXT_FIELD: o.text_field = optarg; break;
		case O_TEXT_TEMPLATE:
			if (pv_template_check(optarg, "--text-template", &e)) {
				status = cli_usage("index", "%s", e.msg);
				goto out;
			}
			o.text_template = optarg;
			break;
		case O_META_FIELDS:
		case O_DROP_FIELDS:
			if ((status = field_list(c == O_META_FIELDS ? "--meta-fields" :
						 "--drop-fields", optarg,
						 &fields[c == O_DROP_FIELDS],
						 &nfields[c == O_DROP_FIELDS])))
				goto out;
			break;
		case O_KEEP_CONSUMED: o.keep_consumed = true; break;
		case O_ID_FIELD: o.id_field = optarg; break;
		case O_LABEL_FIELD: o.label_field = optarg; break;
		case O_NOTE_FIELD: o.note_field = optarg; break;
		case O_PAIR_FIELD: o.pair_field = optarg; break;
		case O_PAIR_CAP:
			if (!cli_parse_size(optarg, &v) || v < 2 || v > 100000) {
				status = cli_usage("index", "--pair-cap must be 2..100000, "
						   "not '%s'", optarg);
				goto out;
			}
			o.pair_cap = (size_t)v;
			break;
		case O_RULES:
			rules_free(rules);
			rules = NULL;
			o.rules_path = optarg;
			if (rules_load(&rules, optarg, &e)) {
				cli_error(&e);
				status = EXIT_FAIL;
				goto out;
			}
			o.rules = rules;
			break;
		case O_LEVEL:
			if (!cli_parse_size(optarg, &v) || v < 1 || v > 22) {
				status = cli_usage("index", "--level must be 1..22, not '%s'", optarg);
				goto out;
			}
			o.level = (int)v;
			break;
		case O_DICT_SIZE:
			if (!cli_parse_size(optarg, &v) || v < 1024 || v > (64u << 20)) {
				status = cli_usage("index", "--dict-size must be 1K..64M, not '%s'", optarg);
				goto out;
			}
			o.dict_size = (size_t)v;
			break;
		case O_MAX_DOC:
			if (!cli_parse_size(optarg, &v) || v < 1 || v > ((uint64_t)1 << 40)) {
				status = cli_usage("index", "--max-doc-size must be a size "
						   "from 1 to 1T (e.g. 64M), not '%s'", optarg);
				goto out;
			}
			o.ropts.max_doc = v;
			break;
		case O_NEW_DICT: o.new_dict = true; break;
		case O_WORLD:
			if (!cli_parse_size(optarg, &v) || v < 1 || v > SHARD_WORLD_MAX ||
			    !strspn(optarg, "0123456789") ||
			    optarg[strspn(optarg, "0123456789")]) {
				status = cli_usage("index", "--world-size must be a "
						   "number of shards from 1 to %d, not "
						   "'%s'", SHARD_WORLD_MAX, optarg);
				goto out;
			}
			set.world = (int64_t)v;
			break;
		case O_RANK:
			if (!cli_parse_size(optarg, &v) || v >= SHARD_WORLD_MAX ||
			    optarg[strspn(optarg, "0123456789")]) {
				status = cli_usage("index", "--rank must be a number "
						   "from 0 (below --world-size), not "
						   "'%s'", optarg);
				goto out;
			}
			set.rank = (int64_t)v;
			set.rank_given = true;
			break;
		case O_INPUTS_FROM: set.inputs_from = optarg; break;
		case O_LOCAL: set.local = optarg; break;
		case O_INDEX_META:
		case O_DROP_META: {
			if ((status = cli_meta_path_check("index", c == O_INDEX_META ?
							      "--index-meta" : "--drop-meta-index",
							      optarg)))
				goto out;
			metas = pv_realloc(metas, (nmetas + 1) * sizeof *metas);
			meta_drop = pv_realloc(meta_drop, (nmetas + 1) * sizeof *meta_drop);
			metas[nmetas] = optarg;
			meta_drop[nmetas++] = c == O_DROP_META;
			break;
		}
		case O_STRICT: o.strict = true; break;
		case O_JSON: json = true; break;
		case 'q': u.quiet = true; break;
		case 'h': fputs(usage_text, stdout); goto out;
		default:
			if (c >= O_PROV && c < O_PROV + PROV_N) {
				o.prov_value[c - O_PROV] = optarg;
				if (c != O_PROV + PROV_ORIGIN) {
					char what[32];
					snprintf(what, sizeof what, "--%s",
						 prov_names[c - O_PROV]);
					if (utf8_value_check(what, optarg, strlen(optarg),
							     PV_VALUE_MAX, &e)) {
						status = cli_usage("index", "%s", e.msg);
						goto out;
					}
				}
				if (c == O_PROV + PROV_ORIGIN &&
				    !prov_origin_normalize(optarg, strlen(optarg))) {
					status = cli_usage("index", "--origin must be real, "
							   "synthetic or unknown, not '%s'", optarg);
					goto out;
				}
			} else if (c >= O_PROV_FIELD && c < O_PROV_FIELD + PROV_N) {
				o.prov_field[c - O_PROV_FIELD] = optarg;
			} else if (c >= O_PROV_MAP && c < O_PROV_MAP + PROV_N) {
				int k = c - O_PROV_MAP;
				valmap_free(maps[k]);
				maps[k] = NULL;
				if (valmap_parse(&maps[k], optarg, &e)) {
					status = cli_usage("index", "--%s-map: %s (at "
							   "column %ld)", prov_names[k],
							   e.msg, e.column);
					goto out;
				}
				o.prov_map[k] = maps[k];
				o.prov_map_text[k] = optarg;
			} else {
				status = cli_usage("index", "unknown option");
				goto out;
			}
		}
	}
	for (i = 0; i < PROV_N; i++)
		if (maps[i] && !o.prov_field[i]) {
			status = cli_usage("index", "--%s-map needs --%s-field",
					   prov_names[i], prov_names[i]);
			goto out;
		}
	if (nfields[0]) {
		o.meta_fields = (const char *const *)fields[0];
		o.nmeta_fields = nfields[0];
	}
	o.drop_fields = (const char *const *)fields[1];
	o.ndrop_fields = nfields[1];
	if (o.pair_field) {
		const char *tf = o.text_field ? o.text_field : "text";
		size_t n = strlen(o.pair_field);
		if (!n || strchr(o.pair_field, '"') || strchr(o.pair_field, '\\') ||
		    o.pair_field[0] == '.' || o.pair_field[n - 1] == '.' ||
		    strstr(o.pair_field, "..")) {
			status = cli_usage("index", "--pair-field needs a field name, or "
					   "names joined by '.' (without quotes or "
					   "backslashes), not '%s'", o.pair_field);
			goto out;
		}
		if ((o.id_field && !strcmp(o.pair_field, o.id_field)) ||
		    (!o.text_template && !strcmp(o.pair_field, tf))) {
			status = cli_usage("index", "--pair-field '%s' is the %s field: "
					   "pairs link documents by another field's value",
					   o.pair_field, o.id_field &&
					   !strcmp(o.pair_field, o.id_field) ? "id" : "text");
			goto out;
		}
	} else if (o.pair_cap) {
		status = cli_usage("index", "--pair-cap needs --pair-field");
		goto out;
	}
	if ((status = set_check(&set, &o, argc - optind)))
		goto out;
	if (!set.world && argc - optind >= 1 && cli_no_shard("index", argv[optind])) {
		status = EXIT_FAIL;
		goto out;
	}
	if (!set.world && argc - optind >= 1 && set_is_folder(argv[optind])) {
		cli_errorf("%s: a folder: provex index writes one store file, or with "
			   "--world-size N --rank R a shard of the set in that folder; "
			   "sets are read by count, ls, show, cat, info, stats, detect, "
			   "export and browse, and labelled in the set's review.pvx",
			   argv[optind]);
		status = EXIT_FAIL;
		goto out;
	}
	if (argc - optind == 1 && nmetas && !set.world) {  /* metadata indexes only */
		status = cli_meta_indexes(argv[optind], metas, meta_drop, nmetas, u.quiet);
		goto out;
	}
	if (argc - optind < 2 && !set.world) {
		status = cli_usage("index", argc - optind < 1 ? "missing STORE and INPUT"
				   : "missing INPUT (a file, a folder, or - for standard input)");
		goto out;
	}
	o.store_path = argv[optind];
	o.inputs = (const char *const *)argv + optind + 1;
	o.ninputs = (size_t)(argc - optind - 1);
	if (set.world) {
		bool complete;
		if ((status = set_begin(&set, &o, &listing, &sh, u.quiet, json,
					&complete)) || complete)
			goto out;
	}
	for (i = 0; i < argc; i++) {
		if (i)
			buf_putc(&cmdline, ' ');
		buf_puts(&cmdline, argv[i]);
	}
	o.command = buf_str(&cmdline);
	o.stop = &pv_stop_signal;
	o.progress = ui_progress;
	o.warn = ui_warn;
	o.input_failed = ui_input_failed;
	o.ctx = &u;
	u.tty = isatty(2);

	cli_stop_catch();
	rc = index_run(&o, &st, &e);
	have_st = true;
	cli_stop_release();

	/* an interruption is told by the summary when there is one */
	if (rc && (rc != PV_EINTR || json || u.quiet || !(st.inputs || st.read)))
		cli_error(&e);
	/* a shard's metadata indexes are built before it is published:
	 * published shards are never written again */
	if (set.world && !rc && !st.inputs_failed && nmetas &&
	    cli_meta_indexes(o.store_path, metas, meta_drop, nmetas, u.quiet))
		status = EXIT_FAIL;
	if (set.world && !rc && !st.inputs_failed && status == EXIT_OK) {
		if (shard_publish(&sh, &listing, &pub, &e) == 0)
			published = true;
		else
			cli_error(&e);
	}
	if (json) {
		struct buf js = BUF_INIT;
		index_stats_json(&st, &js);
		if (set.world) {        /* the shard's fields at the end */
			js.len--;
			buf_printf(&js, ",\"rank\":%lld,\"world_size\":%lld,"
				   "\"shard\":", (long long)sh.rank,
				   (long long)sh.world);
			json_put_string(&js, published ? sh.published : sh.build,
					strlen(published ? sh.published : sh.build));
			buf_printf(&js, ",\"published\":%s}",
				   published ? "true" : "false");
		}
		puts(buf_str(&js));
		buf_done(&js);
	} else if (!u.quiet && (st.inputs || st.read)) {
		print_summary(o.store_path, &st, o.pair_cap);
	}
	if (published && !u.quiet && !json) {
		char a[32], b[32], c3[32];
		fprintf(stderr, "  published ");
		cli_put_safe(stderr, sh.published, strlen(sh.published), 0);
		fprintf(stderr, ": %s documents, %s texts, %s\n", pv_num(pub.docs, a),
			pv_num(pub.texts, b), pv_bytes((uint64_t)pub.bytes, c3));
	} else if (set.world && !published && !u.quiet) {
		fprintf(stderr, "  not published: ");
		cli_put_safe(stderr, sh.build, strlen(sh.build), 0);
		fprintf(stderr, " stays to be completed by the same command\n");
	}
	if (st.store_removed)
		cli_errorf("%s: not kept: this run created it and added nothing to it",
			   o.store_path);
	if (rc == PV_EINTR)
		status = cli_stop_status();
	else if (rc || st.inputs_failed || (set.world && !published))
		status = EXIT_FAIL;
	/* after the documents: a new index is built in one pass over them */
	if (!set.world && !rc && nmetas && !st.store_removed &&
	    cli_meta_indexes(o.store_path, metas, meta_drop, nmetas, u.quiet))
		status = EXIT_FAIL;
out:
	if (have_st)
		index_stats_done(&st);
	shard_done(&sh);
	shard_listing_done(&listing);
	for (i = 0; i < 2; i++) {
		size_t k;
		for (k = 0; k < nfields[i]; k++)
			free(fields[i][k]);
		free(fields[i]);
	}
	free(metas);
	free(meta_drop);
	for (i = 0; i < PROV_N; i++)
		valmap_free(maps[i]);
	rules_free(rules);
	buf_done(&cmdline);
	return status;
}
