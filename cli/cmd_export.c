/*
 * cmd_export.c - provex export STORE|SET [FILTER] -o OUT: the command line of
 * an export: its options (parsed by export/options.c), its messages (the
 * filter's, the temporaries swept, progress on a terminal, errors) and
 * the summary.  A set (a folder of shards) is read as one store
 * (export_write_set).  Writing the files - temporaries renamed into place,
 * gzip/zstd, SHA-256, the writing thread, the records, the manifest - is
 * export/ (export/write.h), which the interface's :export calls too.
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/utf8.h"
#include "../store/filter.h"
#include "../store/set.h"
#include "../export/write.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
"Usage: provex export STORE|SET [FILTER] -o OUT [options]\n"
"Writes the documents matching FILTER (all when absent) to OUT, in id\n"
"order (or --shuffle), with a manifest OUT.manifest.json (command, filter,\n"
"seed, counts, the store's history position, SHA-256 of each file).  The\n"
"format comes from OUT's extension: .jsonl, .jsonl.gz, .jsonl.zst.\n"
"A set (a folder of shards) is exported as one store holding all its\n"
"documents: the same seed writes the same records whatever the shards.\n"
"  -o, --output OUT     the file (or folder, with --format text) to write\n"
"  --format F           jsonl, jsonl.gz, jsonl.zst, or text: one file\n"
"                       per document in the folder OUT, named ID.txt\n"
"  --fields LIST        record fields, from text, origin, source, generator,\n"
"                       purpose, label, note, id, ext_id, meta (default: all)\n"
"  --sample N           N documents, chosen by a hash of (seed, id)\n"
"  --fraction F         the same, a fraction F (0 < F <= 1) of them\n"
"  --seed S             the seed of samples, mixtures and --shuffle (default 0)\n"
"  --shuffle            records in an order drawn from the seed (copies and\n"
"                       groups spread out, across shards too), not id order\n"
"  --mix FIELD=V:SHARE,...  a mixture with exactly these shares of --total\n"
"                       records (FIELD: origin, source, generator, purpose,\n"
"                       label); small groups are repeated evenly\n"
"  --total N            the records a mixture holds\n"
"  --max-repeat K       repeat a document at most K times: a group that\n"
"                       needs more is written short (its share falls);\n"
"                       without it, more than 100 copies is refused\n"
"  --keep-shares        with --max-repeat: keep the shares, write fewer records\n"
"  --shards N           N files OUT-00000-of-0000N.jsonl..., round-robin\n"
"  --prefix TEMPLATE    header before each text: {origin} {source}\n"
"                       {generator} {purpose} {label} {id} {ext_id}, \\n \\t \\\\\n"
"  --keep-dups          write every document of a duplicated text (default:\n"
"                       the first, by id)\n"
"  --force              replace existing output files; write even more than\n"
"                       100 copies of a document or more than the estimated\n"
"                       free space\n"
"An output estimated larger than the free space of its file system is\n"
"refused (unless --force), saying records, copies and bytes.  Temporaries\n"
"(.NAME.XXXXXX beside each file) of an export that was killed are removed\n"
"by the next export to the same place; those of a running one are locked\n"
"and kept.\n"
"Text that is not valid UTF-8 cannot travel in JSON: invalid bytes are\n"
"written as U+FFFD and the documents affected are counted in the summary\n"
"and the manifest (--format text writes the exact bytes).  Stored metadata\n"
"that is not valid JSON stops the export, naming the document.\n";

static void summary(const struct export_opts *o, const struct export_result *r)
{
	struct buf line = BUF_INIT;
	char a[32], t[32];
	size_t i;

	buf_puts(&line, "provex export: ");
	export_summary_line(o, r, &line);
	cli_put_safe(stderr, line.data, line.len, 0);
	buf_done(&line);
	fputc('\n', stderr);
	if (r->dups)
		fprintf(stderr, "  %s duplicate documents skipped (their text was "
			"written once; --keep-dups writes them)\n", pv_num(r->dups, a));
	if (r->bad_utf8)
		fprintf(stderr, "  %s documents held invalid UTF-8: %s\n",
			pv_num(r->bad_utf8, a), o->fmt == EXPORT_TEXT ?
			"written as they are" : "invalid bytes written as U+FFFD");
	if (o->mix_field) {
		int64_t asked = 0;
		for (i = 0; i < o->ngroups; i++)
			asked += o->groups[i].target;
		fprintf(stderr, "  mixture by %s: %s of the %s records asked", o->mix_field,
			pv_num(r->records, a), pv_num(asked, t));
		if (o->max_repeat)
			fprintf(stderr, " (--max-repeat %lld%s)", (long long)o->max_repeat,
				o->keep_shares ? ", --keep-shares" : "");
		fprintf(stderr, ":\n    %-20s %10s %10s %7s %10s %7s %7s\n", "group",
			"available", "asked", "share", "written", "share", "repeat");
		for (i = 0; i < o->ngroups; i++) {
			const struct export_group *g = &o->groups[i];
			struct buf v = BUF_INIT;
			char w[32];
			utf8_sanitize(&v, g->value, strlen(g->value), SAN_ONE_LINE);
			fprintf(stderr, "    %-20s %10s %10s %6.1f%% %10s %6.1f%% %7.2f\n",
				buf_str(&v), pv_num(g->available, a), pv_num(g->target, t),
				100 * (double)g->target / (double)(asked ? asked : 1),
				pv_num(g->written, w),
				100 * (double)g->written / (double)(r->records ? r->records : 1),
				(double)g->written / (double)g->available);
			buf_done(&v);
		}
		if (o->keep_shares) {
			if (r->records < asked)
				fprintf(stderr, "  --keep-shares: %s records fewer than asked, so "
					"that the shares hold with no document repeated more "
					"than %lld times\n", pv_num(asked - r->records, a),
					(long long)o->max_repeat);
		} else {
			for (i = 0; i < o->ngroups; i++)
				if (o->groups[i].shortfall) {
					fputs("  ", stderr);
					cli_put_safe(stderr, o->groups[i].value,
						     strlen(o->groups[i].value), SAN_ONE_LINE);
					fprintf(stderr, ": %s records short of its share (%s "
						"asked; --max-repeat %lld)\n",
						pv_num(o->groups[i].shortfall, a),
						pv_num(o->groups[i].target, t),
						(long long)o->max_repeat);
				}
			if (r->records < asked)
				fputs("  the shares written differ from those asked: "
				      "--keep-shares keeps them by writing fewer records\n",
				      stderr);
		}
	}
}

/* Progress on a terminal: "provex export: N of M records", cleared at the end. */
static void progress(void *arg, int64_t done, int64_t total, bool end)
{
	char a[32], t[32];

	(void)arg;
	if (end)
		fputs("\r\033[K", stderr);
	else
		fprintf(stderr, "\rprovex export: %s of %s records", pv_num(done, a),
			pv_num(total, t));
}

/* Ctrl-C while the records are written: stop, leaving nothing behind. */
static void stop_catch(void *arg, bool on)
{
	(void)arg;
	if (on)
		cli_stop_catch();
	else
		cli_stop_release();
}

static int status_of(int code)
{
	if (code == PV_EUSAGE)
		return EXIT_USAGE;
	if (code == PV_EINTR)
		return cli_stop_status();
	return EXIT_FAIL;
}

static int run(struct export_opts *o)
{
	struct filter_ast *ast = NULL;
	struct filter_sql sql;
	struct export_result r;
	struct export_hooks h = { NULL, NULL, stop_catch };
	struct store *s = NULL;
	struct store_set *set = NULL;
	struct filter_sql *sqls = NULL;
	struct pv_err e;
	int64_t swept = 0;
	int rc, status = EXIT_OK;

	pv_err_clear(&e);
	if ((rc = cli_filter(o->filter_text, &ast, &sql))) {
		filter_sql_done(&sql);
		filter_free(ast);
		return rc;
	}
	/* refuse what cannot or may not be written before any work */
	rc = export_check(o, &swept, &e);
	if (swept) {
		char a[32], *dir = pv_dirname(o->out);
		fprintf(stderr, "provex export: removed %s temporary %s left in ",
			pv_num(swept, a), swept == 1 ? "file" : "files");
		cli_put_safe(stderr, dir, strlen(dir), SAN_ONE_LINE);
		fputs(" by an export that was stopped\n", stderr);
		free(dir);
	}
	if (rc)
		goto fail;
	if (set_is_folder(o->store_path)) {
		if (!(set = cli_open_read(o->store_path))) {
			status = EXIT_FAIL;
			goto out;
		}
		if ((status = cli_set_exact("export", set, ast, NULL)) ||
		    (status = cli_filter_set(set, ast, &sqls)))
			goto out;
	} else {
		if (!(s = cli_open(o->store_path, STORE_READ))) {
			status = EXIT_FAIL;
			goto out;
		}
		if ((status = cli_filter_store(s, ast, &sql)))
			goto out;
	}
	if (isatty(STDERR_FILENO))
		h.progress = progress;
	if (set)
		rc = export_write_set(set, ast, sqls, o, &h, &r, &e);
	else
		rc = export_write(s, ast, &sql, o, &h, &r, &e);
	if (rc)
		goto fail;
	summary(o, &r);
	goto out;
fail:
	if (rc == PV_EINTR)
		cli_errorf("interrupted: nothing written under %s; run the same "
			   "command again to write it", o->out);
	else
		cli_error(&e);
	status = status_of(rc);
out:
	if (sqls)
		set_filters_done(set, sqls);
	set_close(set);
	store_close(s);
	filter_sql_done(&sql);
	filter_free(ast);
	return status;
}

int cmd_export(int argc, char **argv)
{
	struct export_opts o;
	struct pv_err e;
	bool help = false;
	int optend, rc, status;

	/* getopt_long permutes argv: the manifest records it as given */
	export_opts_init(&o, argc, argv);
	optind = 1;
	optend = cli_filter_dash(argc, argv, EXPORT_SHORTOPTS, export_longopts);
	pv_err_clear(&e);
	rc = export_opts_parse(&o, argc, argv, optend, &help, &e);
	if (help)
		fputs(usage_text, stdout);
	if (rc)
		status = cli_usage("export", "%s", e.msg);
	else
		status = help ? EXIT_OK : run(&o);
	export_opts_done(&o);
	return status;
}
