/*
 * cmd_info.c - provex info STORE [--json]: what a store holds, or a set of
 * stores (a folder): its shards' figures summed, and its texts merged
 * across them (store_info_merge), so that every figure is the set's.
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../common/utf8.h"
#include "../store/set.h"

#include <getopt.h>
#include <langinfo.h>
#include <string.h>

static const char usage_text[] =
"Usage: provex info STORE [--json]\n"
"Counts by origin, source, generator and purpose; bytes raw and stored;\n"
"dictionaries; duplicates; schema version.  A value longer than its\n"
"column (26 characters) is cut with an ellipsis; --json gives it whole.\n"
"STORE may be a set of stores (a folder of shards): the figures are the\n"
"whole set's (a text stored in several shards counts once); its files,\n"
"dictionaries and index runs are those of all its shards.\n";

static const char *const group_names[4] = { "origin", "source", "generator", "purpose" };

static void print_json(const struct store_info *in, const char *path,
		       const struct store_set *set)
{
	struct buf b = BUF_INIT;
	bool first = true;
	size_t i, j;

	buf_puts(&b, "{");
	json_put_key(&b, &first, set_is_folder_set(set) ? "set" : "store");
	json_put_string(&b, path, strlen(path));
	if (set_is_folder_set(set))
		buf_printf(&b, ",\"shards\":%zu,\"listing\":\"%s\"", set_size(set),
			   set_listing(set));
	buf_printf(&b, ",\"schema_version\":%d,\"documents\":%lld,\"texts\":%lld,"
		   "\"duplicate_documents\":%lld,\"duplicated_texts\":%lld,"
		   "\"cross_origin_texts\":%lld,\"bytes_raw\":%lld,\"bytes_documents\":%lld,"
		   "\"bytes_stored\":%lld,\"dictionaries\":%lld,\"dictionary_bytes\":%lld,"
		   "\"inputs\":%lld,\"runs\":%lld,\"file_bytes\":%lld",
		   in->schema_version, (long long)in->docs, (long long)in->texts,
		   (long long)in->dup_docs, (long long)in->dup_texts,
		   (long long)in->cross_origin_texts, (long long)in->bytes_raw,
		   (long long)in->bytes_docs, (long long)in->bytes_stored,
		   (long long)in->dict_count, (long long)in->dict_bytes,
		   (long long)in->inputs, (long long)in->runs, (long long)in->file_bytes);
	for (i = 0; i < 4; i++) {
		buf_printf(&b, ",\"by_%s\":{", group_names[i]);
		for (j = 0; j < in->nby[i]; j++) {
			if (j)
				buf_putc(&b, ',');
			json_put_string(&b, in->by[i][j].value, strlen(in->by[i][j].value));
			buf_printf(&b, ":{\"documents\":%lld,\"bytes\":%lld}",
				   (long long)in->by[i][j].docs, (long long)in->by[i][j].bytes);
		}
		buf_putc(&b, '}');
	}
	buf_puts(&b, "}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_done(&b);
}

static void print_text(const struct store_info *in, const char *path,
		       const struct store_set *set)
{
	/* a value cut to its column ends with an ellipsis (three dots where
	 * the terminal's character set has none) */
	const char *ell = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? "\xe2\x80\xa6" : "...";
	struct buf safe = BUF_INIT, col = BUF_INIT;
	char a[32], b[32], c[32];
	size_t i, j;

	fputs(set_is_folder_set(set) ? "set        " : "store      ", stdout);
	cli_put_safe(stdout, path, strlen(path), 0);
	if (set_is_folder_set(set))
		printf("\nshards     %zu (listing %s)", set_size(set), set_listing(set));
	printf("\nschema     version %d\n", in->schema_version);
	printf("documents  %s (%s distinct texts)\n", pv_num(in->docs, a),
	       pv_num(in->texts, b));
	printf("duplicates %s documents repeat a stored text; %s texts occur more "
	       "than once; %s occur as both real and synthetic\n",
	       pv_num(in->dup_docs, a), pv_num(in->dup_texts, b),
	       pv_num(in->cross_origin_texts, c));
	printf("bytes      %s of text (%s counting duplicates), stored in %s",
	       pv_bytes((uint64_t)in->bytes_raw, a), pv_bytes((uint64_t)in->bytes_docs, b),
	       pv_bytes((uint64_t)in->bytes_stored, c));
	if (in->bytes_stored)
		printf(" (ratio %.2f)", (double)in->bytes_raw / (double)in->bytes_stored);
	printf("\nfile       %s on disk (text, metadata and full-text index)\n",
	       pv_bytes((uint64_t)in->file_bytes, a));
	printf("dictionary %s (%s)\n", pv_num(in->dict_count, a),
	       pv_bytes((uint64_t)in->dict_bytes, b));
	printf("inputs     %s files, %s index runs\n", pv_num(in->inputs, a),
	       pv_num(in->runs, b));
	for (i = 0; i < 4; i++) {
		printf("\n%-28s %12s %12s %7s\n", group_names[i], "documents", "bytes", "share");
		for (j = 0; j < in->nby[i]; j++) {
			const struct store_group *g = &in->by[i][j];
			const char *v = g->value[0] ? g->value : "(none)";
			size_t w;
			/* made safe, then cut to its column with an ellipsis */
			buf_reset(&safe);
			buf_reset(&col);
			utf8_sanitize(&safe, v, strlen(v), SAN_ONE_LINE);
			utf8_fit(&col, safe.data, safe.len, 26, FIT_END, ell);
			w = utf8_chars(col.data, col.len);
			printf("  %.*s%*s %12s %12s %6.1f%%\n", (int)col.len, col.data,
			       (int)(w > 26 ? 0 : 26 - w), "", pv_num(g->docs, a),
			       pv_bytes((uint64_t)g->bytes, b),
			       in->docs ? 100.0 * (double)g->docs / (double)in->docs : 0.0);
		}
	}
	buf_done(&safe);
	buf_done(&col);
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_info in;
	struct store_set *s;
	struct pv_err e;
	bool json = false;
	int c, status = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h') {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else
			return cli_usage("info", "unknown option");
	}
	if (argc - optind != 1)
		return cli_usage("info", "expected one STORE");
	if (!(s = cli_open_read(argv[optind])))
		return EXIT_FAIL;
	if (set_info(s, &in, &e)) {
		cli_error(&e);
		status = EXIT_FAIL;
	} else {
		if (json)
			print_json(&in, argv[optind], s);
		else
			print_text(&in, argv[optind], s);
		/* on stderr, so that --json stays one object: how a store in
		 * a folder or on media SQLite cannot write was read */
		if (!set_is_folder_set(s) && store_unlocked(set_shard(s, 0)))
			cli_errorf("note: %s was read %s, as SQLite cannot make its "
				   "-shm file there: changes that a writer makes "
				   "while it is read are not seen", argv[optind],
				   store_unlocked(set_shard(s, 0)));
	}
	store_info_done(&in);
	set_close(s);
	return status;
}
