/*
 * cmd_ls.c - provex ls STORE [--json]: one line per document, streamed;
 * and provex count.  STORE may be a set of stores (a folder, store/set.h):
 * its shards' rows merged in the order of one store.
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../common/utf8.h"
#include "../store/filter.h"
#include "../store/set.h"

#include <getopt.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char ls_usage[] =
"Usage: provex ls STORE [FILTER] [--json] [--limit N] [--sort FIELD[-]] [--explain]\n"
"One line per document matching FILTER (all when absent): id, input id,\n"
"origin, source, generator, purpose, bytes and the first line of the\n"
"text, separated by tabs (control characters made visible).  A value too\n"
"long for its column is cut with an ellipsis: the input id in its middle\n"
"(keeping its end, the line or record number), the others at their end.\n"
"  --json          one JSON object per line, nothing cut: id, ext_id,\n"
"                  origin, source, generator, purpose, bytes, words, dups,\n"
"                  file, label, note, reviewer, reviewed_at and score (the\n"
"                  latest provex detect score; null when none)\n"
"  --limit N       at most N documents\n"
"  --sort FIELD    sort by FIELD (default id); FIELD- sorts descending.\n"
"                  FIELD is one of: ";

static const char ls_usage_end[] =
"  --explain       print the filter's canonical form and the SQL it became\n"
"STORE may be a set of stores (a folder of shards; provex(1), SETS): its\n"
"documents are listed in the order one store holding them would give.\n";

static const char count_usage[] =
"Usage: provex count STORE [FILTER]\n"
"The number of documents matching FILTER (all when absent), on one line.\n"
"STORE may be a set of stores (a folder of shards; provex(1), SETS).\n";

static const char filter_usage[] =
"\n"
"The filter language (see provex(1), FILTER LANGUAGE):\n"
"  origin:synthetic  source:news*  field:a,b      values, * globs, any of\n"
"  origin:human      the words index --origin takes (read as origin:real)\n"
"  len:>2000  len:500..2k  words:<100  ratio:>4  dup:>1   numbers (k = 1024)\n"
"  a b   a AND b   a OR b   NOT a   -a   (a OR b) c     operators in capitals\n"
"  word  pre*  \"a phrase\"                         full text\n"
"  meta.lang:en  meta.lang:e*  meta.\"x.y\":v     metadata: text, glob, dotted key\n"
"  meta.instances.0.output:*  meta.a.b:v       nested objects and arrays\n"
"  meta.temperature:>0.5  meta.n:3..7          numbers (and numeric strings)\n"
"  meta.ok:true  meta.x:null  meta.n:\"3\"       true/false/null; quoted = text\n"
"  has:meta.instances                          the path holds a value\n"
"  is:reviewed  is:unreviewed  is:dup  is:disputed   review state\n"
"  has:pair  pair:ID  sim:>0.8                   pairs (--pair-field, pairs)\n"
"  has:score  score:>0.9                         provex detect's scores\n"
"A lowercase and/or/not next to field terms is searched for as a word,\n"
"with a warning; --explain shows how a filter is read.  A filter that\n"
"starts with '-' may follow STORE (provex ls STORE -origin:real); one that\n"
"could be read as an option (-h, --x) goes after -- (provex ls STORE -- -h).\n";

/* Prints ls's help: the sort fields come from the store's own table
 * (store_sort_fields, "a, b, c"), wrapped under the option. */
static void ls_help(void)
{
	const char *f = store_sort_fields();
	int col = 37;                /* where the list starts on its line */
	bool first = true;           /* the first field of a line */

	fputs(ls_usage, stdout);
	while (*f) {
		size_t n = strcspn(f, ",");
		bool last = f[n] == '\0';
		if (!first && col + 1 + (int)n + !last > 78) {
			fputs("\n                  ", stdout);
			col = 18;
		} else if (!first) {
			fputc(' ', stdout);
			col++;
		}
		first = false;
		fwrite(f, 1, n, stdout);
		col += (int)n;
		if (!last) {
			fputc(',', stdout);
			col++;
		}
		f += n;
		while (*f == ',' || *f == ' ')
			f++;
	}
	fputs("\n", stdout);
	fputs(ls_usage_end, stdout);
	fputs(filter_usage, stdout);
}

/* What stands for the part of a value left out: the ellipsis where the
 * terminal's character set has it, three dots elsewhere. */
static const char *ellipsis(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? "\xe2\x80\xa6" : "...";
}

struct ls {
	struct store_set *set;
	bool json;
	uint64_t limit, n;
	struct buf line, head;
	int status;
};

/* Appends value v to b as one column: control characters made visible,
 * tabs as spaces, "-" when empty, at most max characters (cut as how says,
 * with an ellipsis). */
static void put_col(struct buf *b, const char *v, size_t max, int how)
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
		utf8_fit(b, tmp.data, tmp.len, max, how, ellipsis());
	buf_done(&tmp);
}

/* A JSON string, or null for NULL. */
static void put_json_opt(struct buf *b, const char *v)
{
	if (v)
		json_put_string(b, v, strlen(v));
	else
		buf_puts(b, "null");
}

static int row_cb(void *ctx, struct store *shard, const struct doc_row *r)
{
	struct ls *l = ctx;
	struct pv_err e;
	bool first = true;
	int64_t dups = r->nocc;

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
		/* in the whole set: the text may be in other shards too */
		if (set_size(l->set) > 1 &&
		    set_nocc(l->set, shard, r->text_id, &dups, &e)) {
			cli_error(&e);
			l->status = EXIT_FAIL;
			return 1;
		}
		json_put_key(&l->line, &first, "dups");
		buf_printf(&l->line, "%lld", (long long)dups);
		json_put_key(&l->line, &first, "file");
		json_put_string(&l->line, r->file, strlen(r->file));
		json_put_key(&l->line, &first, "label");
		put_json_opt(&l->line, r->label);
		json_put_key(&l->line, &first, "note");
		put_json_opt(&l->line, r->note);
		json_put_key(&l->line, &first, "reviewer");
		put_json_opt(&l->line, r->reviewer);
		json_put_key(&l->line, &first, "reviewed_at");
		put_json_opt(&l->line, r->reviewed_at);
		json_put_key(&l->line, &first, "score");
		if (r->has_score) {
			/* the shortest digits that read back as the same number */
			char num[40];
			int prec;
			for (prec = 6; prec < 17; prec++) {
				snprintf(num, sizeof num, "%.*g", prec, r->score);
				if (strtod(num, NULL) == r->score)
					break;
			}
			buf_printf(&l->line, "%.*g", prec, r->score);
		} else {
			buf_puts(&l->line, "null");
		}
		buf_puts(&l->line, "}\n");
	} else {
		const char *nl;
		size_t len;
		bool more;
		buf_printf(&l->line, "%lld\t", (long long)r->id);
		put_col(&l->line, r->ext_id, 60, FIT_MIDDLE);
		buf_putc(&l->line, '\t');
		put_col(&l->line, r->origin, 20, FIT_END);
		buf_putc(&l->line, '\t');
		put_col(&l->line, r->source, 40, FIT_END);
		buf_putc(&l->line, '\t');
		put_col(&l->line, r->generator, 40, FIT_END);
		buf_putc(&l->line, '\t');
		put_col(&l->line, r->purpose, 40, FIT_END);
		buf_printf(&l->line, "\t%lld\t", (long long)r->len);
		/* 240 bytes of text, and one more to know whether there are more */
		if (store_text_head(shard, r->text_id, 241, &l->head, &e)) {
			cli_error(&e);
			l->status = EXIT_FAIL;
			return 0;
		}
		more = l->head.len > 240;
		if (more)
			l->head.len = 240;
		nl = memchr(l->head.data, '\n', l->head.len);
		len = nl ? (size_t)(nl - l->head.data) : l->head.len;
		if (!nl && more)  /* cut by the limit: keep whole characters */
			len = utf8_cut(l->head.data, len, len - 1);
		{
			/* the first line, at most 100 characters; a line cut here
			 * ends with an ellipsis, as does one cut by the limit */
			struct buf tmp = BUF_INIT;
			utf8_sanitize(&tmp, l->head.data, len, SAN_ONE_LINE);
			if (!utf8_fit(&l->line, tmp.data, tmp.len, 100, FIT_END, ellipsis()) &&
			    !nl && more)
				buf_puts(&l->line, ellipsis());
			buf_done(&tmp);
		}
		buf_putc(&l->line, '\n');
	}
	if (fwrite(l->line.data, 1, l->line.len, stdout) != l->line.len)
		return 1;
	return 0;
}

static void explain(const struct filter_ast *ast, const struct filter_sql *sql)
{
	struct buf b = BUF_INIT;
	size_t i;

	filter_canonical(ast, &b);
	fputs("filter: ", stdout);
	cli_put_safe(stdout, buf_str(&b), b.len, 0);
	buf_reset(&b);
	filter_reading(ast, &b);
	fputs("\nread:   ", stdout);
	cli_put_safe(stdout, buf_str(&b), b.len, 0);
	fputs("\nsql:    ", stdout);
	cli_put_safe(stdout, sql->where, strlen(sql->where), 0);
	fputc('\n', stdout);
	for (i = 0; i < sql->nparams; i++) {
		const struct filter_param *p = &sql->params[i];
		printf("?%-5zu ", (size_t)sql->first + i);
		if (p->type == FP_TEXT) {
			buf_reset(&b);
			json_put_string(&b, p->text, strlen(p->text));
			cli_put_safe(stdout, buf_str(&b), b.len, 0);
		} else if (p->type == FP_INT) {
			printf("%lld", (long long)p->i);
		} else {
			printf("%.17g", p->d);
		}
		fputc('\n', stdout);
	}
	cli_put_lines(stdout, "note:   ", sql->notes);
	buf_done(&b);
}

int cmd_ls(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, 's' },
		{ "explain", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct filter_ast *ast = NULL;
	struct filter_sql sql, *sqls = NULL;
	struct ls l;
	struct pv_err e;
	char *sort = NULL;
	bool desc = false, do_explain = false;
	int c, rc;

	memset(&l, 0, sizeof l);
	memset(&sql, 0, sizeof sql);
	optind = 1;
	int optend = cli_filter_dash(argc, argv, "hn:", longopts);
	while ((c = getopt_long(optend, argv, "hn:", longopts, NULL)) != -1) {
		if (c == 'j')
			l.json = true;
		else if (c == 'x')
			do_explain = true;
		else if (c == 's') {
			size_t n = strlen(optarg);
			free(sort);
			sort = pv_strdup(optarg);
			desc = n > 1 && sort[n - 1] == '-';
			if (desc)
				sort[n - 1] = '\0';
			if (!store_sort_expr(sort)) {
				rc = cli_usage("ls", "cannot sort on '%s' (sort fields: %s)",
					       sort, store_sort_fields());
				free(sort);
				return rc;
			}
		} else if (c == 'n') {
			if (!cli_parse_size(optarg, &l.limit)) {
				free(sort);
				return cli_usage("ls", "--limit needs a number, not '%s'", optarg);
			}
		} else if (c == 'h') {
			ls_help();
			free(sort);
			return EXIT_OK;
		} else {
			free(sort);
			return cli_bad_option("ls");
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		free(sort);
		return cli_usage("ls", argc - optind < 1 ? "expected STORE" :
				 "expected STORE and one FILTER (quote it: 'origin:real len:>100')");
	}
	if ((rc = cli_filter(argc - optind == 2 ? argv[optind + 1] : NULL, &ast, &sql))) {
		free(sort);
		return rc;
	}
	if (do_explain) {
		/* with the store's metadata indexes when there is a store (a
		 * set's first shard) */
		if (access(argv[optind], F_OK) == 0 &&
		    (l.set = cli_open_read(argv[optind]))) {
			cli_filter_store(set_shard(l.set, 0), ast, &sql);
			set_close(l.set);
			l.set = NULL;
		}
		explain(ast, &sql);
		filter_sql_done(&sql);
		filter_free(ast);
		free(sort);
		return EXIT_OK;
	}
	filter_sql_done(&sql);
	if (!(l.set = cli_open_read(argv[optind]))) {
		filter_free(ast);
		free(sort);
		return EXIT_FAIL;
	}
	if ((rc = cli_set_exact("ls", l.set, ast, sort))) {
		l.status = rc;
	} else if (cli_filter_set(l.set, ast, &sqls)) {
		l.status = EXIT_FAIL;
	} else if (set_select(l.set, sqls, sort, desc, l.limit, row_cb, &l, &e) < 0) {
		cli_error(&e);
		l.status = EXIT_FAIL;
	}
	if (fflush(stdout) != 0)
		l.status = EXIT_FAIL;
	buf_done(&l.line);
	buf_done(&l.head);
	set_filters_done(l.set, sqls);
	set_close(l.set);
	filter_free(ast);
	free(sort);
	return l.status;
}

int cmd_count(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct filter_ast *ast = NULL;
	struct filter_sql sql, *sqls = NULL;
	struct store_set *set = NULL;
	struct pv_err e;
	int64_t n = 0;
	int c, rc;

	optind = 1;
	int optend = cli_filter_dash(argc, argv, "h", longopts);
	while ((c = getopt_long(optend, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(count_usage, stdout);
			fputs(filter_usage, stdout);
			return EXIT_OK;
		}
		return cli_bad_option("count");
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("count", argc - optind < 1 ? "expected STORE" :
				 "expected STORE and one FILTER (quote it: 'origin:real len:>100')");
	if ((rc = cli_filter(argc - optind == 2 ? argv[optind + 1] : NULL, &ast, &sql)))
		return rc;
	filter_sql_done(&sql);
	rc = EXIT_OK;
	if (!(set = cli_open_read(argv[optind]))) {
		rc = EXIT_FAIL;
	} else if ((rc = cli_set_exact("count", set, ast, NULL))) {
		/* printed */
	} else if ((rc = cli_filter_set(set, ast, &sqls))) {
		/* printed */
	} else if (set_count(set, sqls, &n, &e)) {
		cli_error(&e);
		rc = EXIT_FAIL;
	} else {
		printf("%lld\n", (long long)n);
	}
	if (set)
		set_filters_done(set, sqls);
	set_close(set);
	filter_free(ast);
	return rc;
}
