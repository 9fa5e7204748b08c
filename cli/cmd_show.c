/*
 * cmd_show.c - provex show STORE ID (for people) and provex cat STORE ID...
 * (the exact bytes, for programs).  STORE may be a set of stores (a
 * folder): an id is read from its shard, an input id (--ext) is looked
 * for in every shard.
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/utf8.h"
#include "../store/set.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char show_usage[] =
"Usage: provex show STORE ID... [--ext]\n"
"Provenance, metadata and text of documents, for people: control\n"
"characters and bytes that are not UTF-8 are shown as visible\n"
"placeholders (^[, \\xff, <U+202E> for bidi controls, zero-width\n"
"characters and line separators).  ID is the store's id; with --ext, the\n"
"input's own id (as listed by provex ls); an input id that names several\n"
"documents is refused, and they are listed.  STORE may be a set of stores\n"
"(a folder of shards; provex(1), SETS): --ext looks in every shard.\n";

static const char cat_usage[] =
"Usage: provex cat STORE ID... [--ext] [--raw]\n"
"Write the documents' original text bytes, exactly, one after the other.\n"
"ID is the store's id; with --ext, the input's own id (an id that names\n"
"several documents is refused, and they are listed).  When standard\n"
"output is a terminal, control characters, bidi controls, zero-width\n"
"characters, line separators and bytes that are not UTF-8 are shown as\n"
"placeholders, as by show (a note on stderr says so); --raw writes the\n"
"exact bytes to a terminal too.  STORE may be a set of stores (a folder\n"
"of shards; provex(1), SETS).\n";

static int parse(int argc, char **argv, const char *usage, bool *ext,
		 bool *raw, struct store_set **s, int64_t **ids, size_t *nids)
{
	static const struct option longopts[] = {
		{ "ext", no_argument, NULL, 'e' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, status;

	optind = 1;
	*s = NULL;
	*ids = NULL;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'e')
			*ext = true;
		else if (c == 'r' && raw)
			*raw = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			return -1;
		} else
			return cli_usage(argv[0], "unknown option");
	}
	if (argc - optind < 2)
		return cli_usage(argv[0], "expected STORE and at least one ID");
	if (!(*s = cli_open_read(argv[optind])))
		return EXIT_FAIL;
	status = cli_resolve_ids(*s, argv + optind + 1, argc - optind - 1, *ext,
				 ids, nids);
	return status;
}

/* Fetches document id and its text; prints the problem and returns false
 * when it cannot. */
static bool load(struct store_set *set, int64_t id, struct store **shard,
		 struct doc_row *row, struct buf *text)
{
	struct pv_err e;

	if (set_doc_get(set, id, shard, row, &e) ||
	    store_text_read(*shard, row->text_id, text, &e)) {
		cli_error(&e);
		return false;
	}
	return true;
}

static void field(const char *name, const char *v)
{
	printf("%-10s ", name);
	if (v && *v)
		cli_put_safe(stdout, v, strlen(v), 0);
	else
		fputs("-", stdout);
	fputc('\n', stdout);
}

int cmd_show(int argc, char **argv)
{
	struct store_set *s;
	struct store *shard;
	int64_t *ids;
	size_t nids, i;
	struct doc_row row;
	struct buf text = BUF_INIT;
	bool ext = false;
	char a[32], b[32], c[32];
	int status = parse(argc, argv, show_usage, &ext, NULL, &s, &ids, &nids);

	if (status < 0) {
		status = EXIT_OK;
		goto out;
	}
	memset(&row, 0, sizeof row);
	for (i = 0; s && i < nids; i++) {
		size_t bad;
		int64_t nocc;
		struct pv_err e;
		if (!load(s, ids[i], &shard, &row, &text)) {
			status = EXIT_FAIL;
			continue;
		}
		if (i)
			fputs("\n", stdout);
		printf("%-10s %lld\n", "id", (long long)row.id);
		field("ext_id", row.ext_id);
		field("file", row.file);
		field("origin", row.origin);
		field("source", row.source);
		field("generator", row.generator);
		field("purpose", row.purpose);
		printf("%-10s %s bytes, %s words, stored in %s", "size",
		       pv_num(row.len, a), pv_num(row.words, b),
		       pv_bytes((uint64_t)row.stored, c));
		/* in the whole set: the text may be in other shards too */
		if (set_nocc(s, shard, row.text_id, &nocc, &e)) {
			fputc('\n', stdout);
			cli_error(&e);
			status = EXIT_FAIL;
			continue;
		}
		if (nocc > 1)
			printf("; the same text occurs %lld times", (long long)nocc);
		fputc('\n', stdout);
		bad = utf8_count_invalid(text.data, text.len);
		if (bad)
			printf("%-10s %zu byte sequences are not UTF-8 (shown as \\xNN)\n",
			       "note", bad);
		field("meta", row.meta);
		fputs("----\n", stdout);
		cli_put_safe(stdout, text.data, text.len, SAN_KEEP_NEWLINES);
		if (text.len && text.data[text.len - 1] != '\n')
			fputc('\n', stdout);
	}
	doc_row_done(&row);
out:
	buf_done(&text);
	free(ids);
	set_close(s);
	return status;
}

int cmd_cat(int argc, char **argv)
{
	struct store_set *s;
	struct store *shard;
	int64_t *ids;
	size_t nids, i;
	struct doc_row row;
	struct buf text = BUF_INIT;
	struct buf safe = BUF_INIT;
	bool ext = false, raw = false, tty;
	size_t replaced = 0;
	int status = parse(argc, argv, cat_usage, &ext, &raw, &s, &ids, &nids);

	if (status < 0) {
		status = EXIT_OK;
		goto out;
	}
	tty = !raw && isatty(STDOUT_FILENO);
	memset(&row, 0, sizeof row);
	for (i = 0; s && i < nids; i++) {
		if (!load(s, ids[i], &shard, &row, &text)) {
			status = EXIT_FAIL;
			continue;
		}
		if (tty) {
			/* to a terminal: what show prints, never raw bytes */
			buf_reset(&safe);
			replaced += utf8_sanitize(&safe, text.data, text.len,
						  SAN_KEEP_NEWLINES);
			buf_reset(&text);
			buf_append(&text, safe.data, safe.len);
		}
		if (fwrite(text.data, 1, text.len, stdout) != text.len) {
			cli_errorf("writing to standard output failed");
			status = EXIT_FAIL;
			break;
		}
	}
	doc_row_done(&row);
	if (fflush(stdout) != 0) {
		cli_errorf("writing to standard output failed");
		status = EXIT_FAIL;
	}
	if (replaced)
		cli_errorf("standard output is a terminal: %zu bytes shown as "
			   "placeholders (^[, <U+202E>, \\xff); --raw writes them "
			   "as they are, and so does a pipe or a file", replaced);
out:
	buf_done(&safe);
	buf_done(&text);
	free(ids);
	set_close(s);
	return status;
}
