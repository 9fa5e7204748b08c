/*
 * cmd_ls.c - provex ls STORE [--json]: one line per document, streamed.
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../common/utf8.h"

#include <getopt.h>
#include <string.h>

static const char usage_text[] =
"Usage: provex ls STORE [--json] [--limit N]\n"
"One line per document, in id order: id, input id, origin, source,\n"
"generator, purpose, bytes and the first line of the text, separated by\n"
"tabs (control characters made visible).  --json writes one JSON object\n"
"per line with id, ext_id, origin, source, generator, purpose, bytes,\n"
"words, dups and file.\n";

struct ls {
	struct store *s;
	bool json;
	uint64_t limit, n;
	struct buf line, head;
	int status;
};

static void put_col(struct buf *b, const char *v, size_t max)
{
	size_t len = strlen(v);
	struct buf tmp = BUF_INIT;
	size_t i;

	utf8_sanitize(&tmp, v, len, SAN_ONE_LINE);
	for (i = 0; i < tmp.len; i++)
		if (tmp.data[i] == '\t')
			tmp.data[i] = ' ';
	if (!tmp.len)
		buf_putc(b, '-');
	else
		buf_append(b, tmp.data, utf8_cut(tmp.data, tmp.len, max));
	buf_done(&tmp);
}

static int row_cb(void *ctx, const struct doc_row *r)
{
	struct ls *l = ctx;
	struct pv_err e;
	bool first = true;

	if (l->limit && l->n >= l->limit)
		return 1;
	l->n++;
	buf_reset(&l->line);
	if (l->json) {
		buf_putc(&l->line, '{');
		json_put_key(&l->line, &first, "id");
		buf_printf(&l->line, "%lld", (long long)r->id);
		json_put_key(&l->line, &first, "ext_id");
		json_put_string(&l->line, r->ext_id, strlen(r->ext_id));
		json_put_key(&l->line, &first, "origin");
		json_put_string(&l->line, r->origin, strlen(r->origin));
#define OPT(name, v) do { json_put_key(&l->line, &first, name); \
		if (*(v)) json_put_string(&l->line, v, strlen(v)); \
		else buf_puts(&l->line, "null"); } while (0)
		OPT("source", r->source);
		OPT("generator", r->generator);
		OPT("purpose", r->purpose);
#undef OPT
		json_put_key(&l->line, &first, "bytes");
		buf_printf(&l->line, "%lld", (long long)r->len);
		json_put_key(&l->line, &first, "words");
		buf_printf(&l->line, "%lld", (long long)r->words);
		json_put_key(&l->line, &first, "dups");
		buf_printf(&l->line, "%lld", (long long)r->nocc);
		json_put_key(&l->line, &first, "file");
		json_put_string(&l->line, r->file, strlen(r->file));
		buf_puts(&l->line, "}\n");
	} else {
		const char *nl;
		size_t len;
		buf_printf(&l->line, "%lld\t", (long long)r->id);
		put_col(&l->line, r->ext_id, 60);
		buf_putc(&l->line, '\t');
		put_col(&l->line, r->origin, 20);
		buf_putc(&l->line, '\t');
		put_col(&l->line, r->source, 40);
		buf_putc(&l->line, '\t');
		put_col(&l->line, r->generator, 40);
		buf_putc(&l->line, '\t');
		put_col(&l->line, r->purpose, 40);
		buf_printf(&l->line, "\t%lld\t", (long long)r->len);
		if (store_text_head(l->s, r->text_id, 240, &l->head, &e)) {
			cli_error(&e);
			l->status = EXIT_FAIL;
			return 0;
		}
		nl = memchr(l->head.data, '\n', l->head.len);
		len = nl ? (size_t)(nl - l->head.data) : l->head.len;
		if (!nl && len == 240)  /* cut by the limit: keep whole characters */
			len = utf8_cut(l->head.data, len, len - 1);
		{
			struct buf tmp = BUF_INIT;
			utf8_sanitize(&tmp, l->head.data, len, SAN_ONE_LINE);
			buf_append(&l->line, tmp.data, utf8_cut(tmp.data, tmp.len, 100));
			buf_done(&tmp);
		}
		buf_putc(&l->line, '\n');
	}
	if (fwrite(l->line.data, 1, l->line.len, stdout) != l->line.len)
		return 1;
	return 0;
}

int cmd_ls(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ls l;
	struct pv_err e;
	int c;

	memset(&l, 0, sizeof l);
	optind = 1;
	while ((c = getopt_long(argc, argv, "hn:", longopts, NULL)) != -1) {
		if (c == 'j')
			l.json = true;
		else if (c == 'n') {
			if (!cli_parse_size(optarg, &l.limit))
				return cli_usage("ls", "--limit needs a number, not '%s'", optarg);
		} else if (c == 'h') {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else
			return cli_usage("ls", "unknown option");
	}
	if (argc - optind != 1)
		return cli_usage("ls", argc - optind < 1 ? "expected STORE" :
				 "filters arrive with the filter language; expected only STORE");
	if (!(l.s = cli_open(argv[optind], STORE_READ)))
		return EXIT_FAIL;
	if (store_each_doc(l.s, 0, row_cb, &l, &e) < 0) {
		cli_error(&e);
		l.status = EXIT_FAIL;
	}
	if (fflush(stdout) != 0)
		l.status = EXIT_FAIL;
	buf_done(&l.line);
	buf_done(&l.head);
	store_close(l.s);
	return l.status;
}
