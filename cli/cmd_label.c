/*
 * cmd_label.c - provex label, provex history and provex undo: relabelling
 * documents chosen with the filter language, the audit history of every
 * change, and undo.  The work is done by store/label.c; this file parses
 * arguments, finds the reviewer's name, asks for confirmation of large
 * changes and prints what happened.
 *
 * On a set's folder the three work on SET/review.pvx (store/set.h,
 * set_label; the shards are never written).
 *
 * The reviewer is common/reviewer.h's: --reviewer, else PROVEX_REVIEWER,
 * else "reviewer:" in the settings file ($XDG_CONFIG_HOME/provex/config.yaml,
 * else ~/.config/provex/config.yaml; a broken file is reported with
 * file:line:column and ignored), else the login name ($USER, $LOGNAME).
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../common/utf8.h"
#include "../store/filter.h"
#include "../store/label.h"
#include "../store/set.h"
#include "../common/reviewer.h"
#include "../common/settings.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* More documents than this at once need --yes or a confirmation. */
#define LABEL_CONFIRM_OVER 1000

static const char label_usage[] =
"Usage: provex label STORE FILTER --set FIELD=VALUE... [options]\n"
"Changes the provenance or review state of every document FILTER selects\n"
"(the filter language of provex ls; '' selects every document; put -- before\n"
"a filter that starts with '-').  Settable fields: origin (real, synthetic,\n"
"unknown), source, generator, purpose, label (the reviewer's verdict: free\n"
"text; keep, drop and flag are the usual ones) and note.  An empty VALUE\n"
"clears the field (not origin).  Values are one line of printable UTF-8, at\n"
"most 4096 bytes, without control characters, bidi controls, zero-width\n"
"characters (the joiner of emoji sequences too) or U+2028/U+2029: the rule\n"
"of index's --source, --generator, --purpose and input fields as well.\n"
"Every change is recorded in the store's history, in one\n"
"batch per command: see provex history and provex undo.  STORE may be a set's\n"
"folder: the changes then go to SET/review.pvx, never to its shards.\n"
"\n"
"  --set FIELD=VALUE  a change (repeat for several fields)\n"
"  --note TEXT        why: kept with each change in the history\n"
"  --reviewer NAME    who (default: $PROVEX_REVIEWER, else reviewer: in\n"
"                     $XDG_CONFIG_HOME/provex/config.yaml, else the login name)\n"
"  --dry-run          say what would change; change nothing\n"
"  --yes              relabel more than 1,000 documents without asking\n";

static const char history_usage[] =
"Usage: provex history STORE [ID] [--json]\n"
"Lists the changes made by provex label and provex undo, oldest first: batch,\n"
"time, reviewer, document, field, old -> new, note.  With a document ID, its\n"
"provenance as indexed comes first, then its changes.  --json writes one\n"
"object per line (\"event\": \"indexed\" or \"change\").  On a set's folder, the\n"
"history of its SET/review.pvx.\n";

static const char undo_usage[] =
"Usage: provex undo STORE [BATCH] [--force] [--reviewer NAME]\n"
"Reverts a batch of changes (default: the last one not undone yet), recorded\n"
"as a batch of its own.  A document whose field changed again after that\n"
"batch is reported and left alone, unless --force.  On a set's folder, a batch\n"
"of its SET/review.pvx.\n";

/* The command line as one string, arguments with unusual bytes quoted, for
 * the batch's record.  Caller frees. */
static char *command_line(const char *name, int argc, char **argv)
{
	struct buf b = BUF_INIT;
	int i;

	buf_printf(&b, "provex %s", name);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool plain = *a != '\0';
		const char *p;

		for (p = a; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789-_=.,:/+@%", *p))
				plain = false;
		buf_putc(&b, ' ');
		if (plain) {
			buf_puts(&b, a);
			continue;
		}
		buf_shell_quote(&b, a);
	}
	return buf_take(&b);
}

/* The reviewer's name by common/reviewer.h's rule (given is --reviewer,
 * or NULL).  A settings file that does not load is reported as a warning
 * with file:line:column and ignored.  Returns a string the caller frees,
 * or NULL after printing why. */
static char *find_reviewer(const char *given)
{
	struct settings cfg;
	struct pv_err e;
	bool loaded = false;
	char *name;

	memset(&cfg, 0, sizeof cfg);
	pv_err_clear(&e);
	if (reviewer_wants_settings(given)) {
		if (settings_load(&cfg, NULL, &e)) {
			char msg[sizeof e.msg + sizeof e.file + 64];

			cli_errorf("warning: %s; the configuration file is ignored",
				   pv_err_format(&e, msg, sizeof msg));
		} else {
			loaded = true;
		}
	}
	pv_err_clear(&e);
	if (reviewer_find(given, loaded ? &cfg : NULL, &name, NULL, &e))
		cli_error(&e);
	settings_done(&cfg);
	return name;
}

/* Parses a filter with cli_filter (which prints a parse error with a
 * caret and the readings it warns about); compiled again with the store's
 * metadata indexes by cli_filter_store once the store is open.  The caller
 * frees *ast and *sql. */
static int compile_filter(const char *text, struct filter_ast **ast, struct filter_sql *sql)
{
	*ast = NULL;
	return cli_filter(text, ast, sql);
}

/* "origin: 12 changes, label: 3 changes" */
static void put_counts(struct buf *b, const struct label_result *r)
{
	bool first = true;
	int f;

	for (f = 0; f < LF_N; f++) {
		if (!r->by_field[f])
			continue;
		buf_printf(b, "%s%s: %lld change%s", first ? "" : ", ",
			   label_field_name((enum label_field)f),
			   (long long)r->by_field[f], r->by_field[f] == 1 ? "" : "s");
		first = false;
	}
}

/* Shows the count and a sample and asks on the terminal; true to go on. */
static bool confirm(struct store *s, const struct filter_sql *sql, int64_t count)
{
	int64_t ids[LABEL_SAMPLE];
	char *ext[LABEL_SAMPLE];
	size_t n = 0, i;
	struct pv_err e;
	char num[32], line[64];
	bool yes = false;

	if (label_preview(s, sql, &count, ids, ext, &n, &e)) {
		cli_error(&e);
		return false;
	}
	fprintf(stderr, "%s documents match, among them:\n", pv_num(count, num));
	for (i = 0; i < n; i++) {
		fprintf(stderr, "  %lld\t", (long long)ids[i]);
		cli_put_safe(stderr, ext[i], strlen(ext[i]), SAN_ONE_LINE);
		fputc('\n', stderr);
		free(ext[i]);
	}
	fputs("Relabel them all? [y/N] ", stderr);
	fflush(stderr);
	if (fgets(line, sizeof line, stdin))
		yes = line[0] == 'y' || line[0] == 'Y';
	return yes;
}

/* What label did (or, dry, would do), on stdout. */
static void print_result(const struct label_result *res, bool dry, const char *path)
{
	struct buf out = BUF_INIT;
	char n1[32];

	if (res->matched == 0) {
		printf("no document matches the filter; nothing changed\n");
	} else if (res->changes == 0) {
		printf("%s document%s matched; nothing to change (they hold these "
		       "values already)\n", pv_num(res->matched, n1),
		       res->matched == 1 ? "" : "s");
	} else {
		buf_printf(&out, "%s %s document%s (", dry ? "would relabel" : "relabelled",
			   pv_num(res->changed, n1), res->changed == 1 ? "" : "s");
		put_counts(&out, res);
		buf_putc(&out, ')');
		if (res->changed != res->matched)
			buf_printf(&out, " of %lld matched", (long long)res->matched);
		if (dry) {
			buf_puts(&out, "; dry run: nothing written\n");
		} else {
			buf_printf(&out, ", batch %lld; undo with: provex undo ",
				   (long long)res->batch_id);
			fputs(buf_str(&out), stdout);
			cli_put_safe(stdout, path, strlen(path), SAN_ONE_LINE);
			buf_reset(&out);
			buf_printf(&out, " %lld\n", (long long)res->batch_id);
		}
		fputs(buf_str(&out), stdout);
	}
	buf_done(&out);
}

/* The sample of the documents a set's filter selects, for confirm_set. */
struct sample {
	size_t n;
};

static int sample_cb(void *ctx, struct store *shard, const struct doc_row *row)
{
	struct sample *sm = ctx;

	(void)shard;
	fprintf(stderr, "  %lld\t", (long long)row->id);
	cli_put_safe(stderr, row->ext_id ? row->ext_id : "", row->ext_id ?
		     strlen(row->ext_id) : 0, SAN_ONE_LINE);
	fputc('\n', stderr);
	return ++sm->n >= LABEL_SAMPLE;
}

/* label on a set's folder: the documents its filter selects over the
 * set's parts, relabelled in SET/review.pvx (store/set.h, set_label);
 * the published shards are only read. */
static int label_set_folder(const char *path, const struct filter_ast *ast,
			    const struct label_change *ch, size_t nch,
			    const char *reviewer, const char *note, bool dry, bool yes,
			    const char *command)
{
	struct store_set *set = cli_open_read(path);
	struct filter_sql *sqls = NULL;
	struct label_result res;
	struct pv_err e;
	int status = EXIT_OK;
	int64_t count = 0;
	char n1[32], line[64];

	memset(&res, 0, sizeof res);
	if (!set)
		return EXIT_FAIL;
	if ((status = cli_set_exact("label", set, ast, NULL)))
		goto done;
	if (!dry && !yes) {
		if ((status = cli_filter_set(set, ast, &sqls)))
			goto done;
		if (set_count(set, sqls, &count, &e)) {
			cli_error(&e);
			status = EXIT_FAIL;
			goto done;
		}
		if (count > LABEL_CONFIRM_OVER) {
			struct sample sm = { 0 };
			if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
				cli_errorf("%s documents match (more than %d): add --yes "
					   "to relabel them all, or narrow the filter",
					   pv_num(count, n1), LABEL_CONFIRM_OVER);
				status = EXIT_FAIL;
				goto done;
			}
			fprintf(stderr, "%s documents match, among them:\n",
				pv_num(count, n1));
			if (set_select(set, sqls, NULL, false, LABEL_SAMPLE, sample_cb,
				       &sm, &e) < 0) {
				cli_error(&e);
				status = EXIT_FAIL;
				goto done;
			}
			fputs("Relabel them all? [y/N] ", stderr);
			fflush(stderr);
			if (!fgets(line, sizeof line, stdin) ||
			    (line[0] != 'y' && line[0] != 'Y')) {
				fputs("nothing changed\n", stderr);
				status = EXIT_FAIL;
				goto done;
			}
		}
		set_filters_done(set, sqls);
		sqls = NULL;
	}
	if (set_label(set, ast, ch, nch, reviewer, note, command, dry, &res, &e)) {
		cli_error(&e);
		status = EXIT_FAIL;
		goto done;
	}
	print_result(&res, dry, path);
	if (fflush(stdout) != 0)
		status = EXIT_FAIL;
done:
	set_filters_done(set, sqls);
	label_result_done(&res);
	set_close(set);
	return status;
}

int cmd_label(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "note", required_argument, NULL, 'n' },
		{ "reviewer", required_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct label_change *ch;
	size_t nch = 0;
	const char *note = NULL, *given = NULL;
	bool dry = false, yes = false;
	struct filter_ast *ast = NULL;
	struct filter_sql sql;
	struct label_result res;
	struct store *s = NULL;
	struct pv_err e;
	struct buf out = BUF_INIT;
	char *reviewer = NULL, *command = NULL;
	int c, status = EXIT_OK;
	int64_t count = 0;
	char n1[32];

	memset(&sql, 0, sizeof sql);
	memset(&res, 0, sizeof res);
	optind = 1;
	int optend = cli_filter_dash(argc, argv, "hy", longopts);
	ch = pv_calloc((size_t)argc + 1, sizeof *ch);
	while ((c = getopt_long(optend, argv, "hy", longopts, NULL)) != -1) {
		if (c == 's') {
			if (label_parse_set(optarg, &ch[nch], &e)) {
				free(ch);
				return cli_usage("label", "--set: %s", e.msg);
			}
			nch++;
		} else if (c == 'n') {
			note = optarg;
			if (label_check_value(LF_NOTE, note, &e)) {
				free(ch);
				return cli_usage("label", "--note: %s", e.msg);
			}
		} else if (c == 'r') {
			given = optarg;
		} else if (c == 'd') {
			dry = true;
		} else if (c == 'y') {
			yes = true;
		} else if (c == 'h') {
			fputs(label_usage, stdout);
			free(ch);
			return EXIT_OK;
		} else {
			free(ch);
			return cli_bad_option("label");
		}
	}
	if (argc - optind != 2) {
		free(ch);
		return cli_usage("label", argc - optind < 2 ? "expected STORE and FILTER "
				 "('' selects every document)" :
				 "expected STORE and one FILTER (quote a filter "
				 "of several terms)");
	}
	if (!nch) {
		free(ch);
		return cli_usage("label", "nothing to change: give --set FIELD=VALUE");
	}
	if ((status = compile_filter(argv[optind + 1], &ast, &sql)))
		goto done;
	if (!(reviewer = find_reviewer(given))) {
		status = EXIT_USAGE;
		goto done;
	}
	if (set_is_folder(argv[optind])) {
		command = command_line("label", argc, argv);
		status = label_set_folder(argv[optind], ast, ch, nch, reviewer, note,
					  dry, yes, command);
		goto done;
	}
	if (!(s = cli_open(argv[optind], STORE_WRITE))) {
		status = EXIT_FAIL;
		goto done;
	}
	if ((status = cli_filter_store(s, ast, &sql)))
		goto done;
	if (!dry && !yes) {
		int64_t ids[LABEL_SAMPLE];
		char *ext[LABEL_SAMPLE];
		size_t n = 0, i;

		if (label_preview(s, &sql, &count, ids, ext, &n, &e)) {
			cli_error(&e);
			status = EXIT_FAIL;
			goto done;
		}
		for (i = 0; i < n; i++)
			free(ext[i]);
		if (count > LABEL_CONFIRM_OVER) {
			if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
				cli_errorf("%s documents match (more than %d): add --yes "
					   "to relabel them all, or narrow the filter",
					   pv_num(count, n1), LABEL_CONFIRM_OVER);
				status = EXIT_FAIL;
				goto done;
			}
			if (!confirm(s, &sql, count)) {
				fputs("nothing changed\n", stderr);
				status = EXIT_FAIL;
				goto done;
			}
		}
	}
	command = command_line("label", argc, argv);
	if (label_set(s, &sql, ch, nch, reviewer, note, command, dry, &res, &e)) {
		cli_error(&e);
		status = EXIT_FAIL;
		goto done;
	}
	print_result(&res, dry, argv[optind]);
	if (fflush(stdout) != 0)
		status = EXIT_FAIL;
done:
	label_result_done(&res);
	filter_sql_done(&sql);
	filter_free(ast);
	store_close(s);
	buf_done(&out);
	free(reviewer);
	free(command);
	free(ch);
	return status;
}

/* ---- history ---- */

struct hist {
	bool json;
	struct buf line;
};

/* Appends v made safe for one line, or "(none)". */
static void put_val(struct buf *b, const char *v)
{
	if (!v || !*v)
		buf_puts(b, "(none)");
	else
		utf8_sanitize(b, v, strlen(v), SAN_ONE_LINE);
}

static void json_opt(struct buf *b, bool *first, const char *key, const char *v)
{
	json_put_key(b, first, key);
	if (v)
		json_put_string(b, v, strlen(v));
	else
		buf_puts(b, "null");
}

static int hist_cb(void *ctx, const struct label_hist *h)
{
	struct hist *hs = ctx;
	struct buf *b = &hs->line;
	bool first = true;

	buf_reset(b);
	if (hs->json) {
		buf_putc(b, '{');
		json_opt(b, &first, "event", "change");
		json_put_key(b, &first, "batch");
		buf_printf(b, "%lld", (long long)h->batch_id);
		json_opt(b, &first, "at", h->at);
		json_opt(b, &first, "reviewer", h->reviewer);
		json_put_key(b, &first, "doc");
		buf_printf(b, "%lld", (long long)h->doc_id);
		json_opt(b, &first, "field", h->field);
		json_opt(b, &first, "old", h->old_value);
		json_opt(b, &first, "new", h->new_value);
		json_opt(b, &first, "note", h->note);
		json_put_key(b, &first, "undoes");
		if (h->undoes)
			buf_printf(b, "%lld", (long long)h->undoes);
		else
			buf_puts(b, "null");
		buf_puts(b, "}\n");
	} else {
		buf_printf(b, "batch %lld  %s  ", (long long)h->batch_id, h->at);
		put_val(b, h->reviewer);
		buf_printf(b, "  doc %lld  ", (long long)h->doc_id);
		put_val(b, h->field);
		buf_puts(b, ": ");
		put_val(b, h->old_value);
		buf_puts(b, " -> ");
		put_val(b, h->new_value);
		if (h->note && *h->note) {
			buf_puts(b, "  # ");
			put_val(b, h->note);
		}
		buf_putc(b, '\n');
	}
	return fwrite(b->data, 1, b->len, stdout) != b->len;
}

/* The document's provenance as indexed, as the first line of its history. */
static int print_indexed(struct store *s, int64_t id, bool json)
{
	static const char *const names[4] = { "origin", "source", "generator", "purpose" };
	struct label_indexed li;
	struct buf b = BUF_INIT;
	struct pv_err e;
	bool first = true;
	int i;

	if (label_indexed(s, id, &li, &e)) {
		cli_error(&e);
		return EXIT_FAIL;
	}
	if (json) {
		buf_putc(&b, '{');
		json_opt(&b, &first, "event", "indexed");
		json_opt(&b, &first, "at", li.started);
		json_put_key(&b, &first, "run");
		buf_printf(&b, "%lld", (long long)li.run_id);
		json_put_key(&b, &first, "doc");
		buf_printf(&b, "%lld", (long long)id);
		for (i = 0; i < 4; i++)
			json_opt(&b, &first, names[i], li.value[i]);
		buf_puts(&b, "}\n");
	} else {
		buf_puts(&b, "indexed ");
		put_val(&b, li.started);
		if (li.run_id)
			buf_printf(&b, " by run %lld", (long long)li.run_id);
		buf_printf(&b, ": doc %lld", (long long)id);
		for (i = 0; i < 4; i++) {
			if (!li.value[i])
				continue;
			buf_printf(&b, "%s%s=", i ? ", " : " ", names[i]);
			put_val(&b, li.value[i]);
		}
		buf_putc(&b, '\n');
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_done(&b);
	label_indexed_done(&li);
	return EXIT_OK;
}

int cmd_history(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct hist hs;
	struct store *s;
	struct store_set *set = NULL;
	struct pv_err e;
	int64_t id = 0;
	int c, status = EXIT_OK, rc;

	memset(&hs, 0, sizeof hs);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'j')
			hs.json = true;
		else if (c == 'h') {
			fputs(history_usage, stdout);
			return EXIT_OK;
		} else
			return cli_usage("history", "unknown option");
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("history", "expected STORE and at most one document ID");
	if (argc - optind == 2 && !cli_parse_id(argv[optind + 1], &id))
		return cli_usage("history", "'%s' is not a document id", argv[optind + 1]);
	if (set_is_folder(argv[optind])) {
		/* a set: each document's provenance as indexed is its shard's
		 * (published, never written), its changes review.pvx's */
		if (!(set = cli_open_read(argv[optind])))
			return EXIT_FAIL;
		s = set_overlay(set);
		if (id) {
			long k = set_route(set, id);
			if (k < 0) {
				cli_errorf("%s: no document with id %lld", argv[optind],
					   (long long)id);
				status = EXIT_FAIL;
			} else {
				status = print_indexed(set_shard(set, (size_t)k), id,
						       hs.json);
			}
		}
	} else if (!(s = cli_open(argv[optind], STORE_READ))) {
		return EXIT_FAIL;
	} else if (id) {
		status = print_indexed(s, id, hs.json);
	}
	if (status == EXIT_OK && s) {
		rc = label_history(s, id, hist_cb, &hs, &e);
		if (rc < 0) {
			cli_error(&e);
			status = EXIT_FAIL;
		} else if (rc > 0) {
			status = EXIT_FAIL;
		}
	}
	if (fflush(stdout) != 0)
		status = EXIT_FAIL;
	buf_done(&hs.line);
	if (set)
		set_close(set);   /* s is the set's */
	else
		store_close(s);
	return status;
}

/* ---- undo ---- */

/* "4, 9, 12" (at most 20, then "..."). */
static void put_ids(struct buf *b, const int64_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 20; i++)
		buf_printf(b, "%s%lld", i ? ", " : "", (long long)ids[i]);
	if (n > 20)
		buf_printf(b, ", ... (%zu in all)", n);
}

int cmd_undo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "reviewer", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct label_result res;
	struct store *s = NULL;
	struct store_set *set = NULL;
	struct pv_err e;
	struct buf b = BUF_INIT;
	const char *given = NULL;
	char *reviewer = NULL, *command = NULL;
	int64_t batch = 0;
	bool force = false;
	int c, status = EXIT_OK;
	char n1[32];

	memset(&res, 0, sizeof res);
	optind = 1;
	while ((c = getopt_long(argc, argv, "hf", longopts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'r')
			given = optarg;
		else if (c == 'h') {
			fputs(undo_usage, stdout);
			return EXIT_OK;
		} else
			return cli_usage("undo", "unknown option");
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("undo", "expected STORE and at most one BATCH");
	if (argc - optind == 2 && !cli_parse_id(argv[optind + 1], &batch))
		return cli_usage("undo", "'%s' is not a batch number", argv[optind + 1]);
	if (!(reviewer = find_reviewer(given)))
		return EXIT_USAGE;
	if (set_is_folder(argv[optind])) {
		/* a set's one history is its review.pvx's */
		if (!(set = cli_open_read(argv[optind])) || set_review(set, &s, &e)) {
			if (set)
				cli_error(&e);
			set_close(set);
			free(reviewer);
			return EXIT_FAIL;
		}
	} else if (!(s = cli_open(argv[optind], STORE_WRITE))) {
		free(reviewer);
		return EXIT_FAIL;
	}
	command = command_line("undo", argc, argv);
	if (label_undo(s, batch, force, reviewer, command, &res, &e)) {
		cli_error(&e);
		status = EXIT_FAIL;
		goto done;
	}
	if (res.batch_id) {
		buf_printf(&b, "undid batch %lld as batch %lld: %s document%s (",
			   (long long)res.undone, (long long)res.batch_id,
			   pv_num(res.changed, n1), res.changed == 1 ? "" : "s");
		put_counts(&b, &res);
		buf_puts(&b, ")\n");
	} else {
		buf_printf(&b, "batch %lld: nothing reverted\n", (long long)res.undone);
	}
	fputs(buf_str(&b), stdout);
	if (res.nconflicts) {
		buf_reset(&b);
		put_ids(&b, res.conflicts, res.nconflicts);
		if (force) {
			cli_errorf("overwrote later changes to %zu document%s: %s",
				   res.nconflicts, res.nconflicts == 1 ? "" : "s",
				   buf_str(&b));
		} else {
			cli_errorf("%zu document%s changed again after batch %lld and "
				   "%s left alone: %s; to revert %s too: provex "
				   "undo %s %lld --force", res.nconflicts,
				   res.nconflicts == 1 ? "" : "s", (long long)res.undone,
				   res.nconflicts == 1 ? "was" : "were", buf_str(&b),
				   res.nconflicts == 1 ? "it" : "them", argv[optind],
				   (long long)res.undone);
			status = EXIT_FAIL;
		}
	}
	if (fflush(stdout) != 0)
		status = EXIT_FAIL;
done:
	label_result_done(&res);
	if (set)
		set_close(set);   /* s is the set's */
	else
		store_close(s);
	buf_done(&b);
	free(reviewer);
	free(command);
	return status;
}
