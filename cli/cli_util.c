/*
 * cli_util.c - helpers shared by the commands: messages, number formats,
 * store opening (a store or a set of stores), id parsing.
 */
#include "cli.h"
#include "../store/metaindex.h"
#include "../common/buf.h"
#include "../common/utf8.h"
#include "../store/filter.h"
#include "../store/set.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_put_safe(FILE *fp, const char *s, size_t len, int flags)
{
	struct buf b = BUF_INIT;

	utf8_sanitize(&b, s, len, flags);
	fwrite(buf_str(&b), 1, b.len, fp);
	buf_done(&b);
}

void cli_error(const struct pv_err *e)
{
	char msg[2048];

	pv_err_format(e, msg, sizeof msg);
	fputs("provex: ", stderr);
	cli_put_safe(stderr, msg, strlen(msg), 0);
	fputc('\n', stderr);
}

void cli_errorf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	fputs("provex: ", stderr);
	cli_put_safe(stderr, buf_str(&b), b.len, 0);
	fputc('\n', stderr);
	buf_done(&b);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	fprintf(stderr, "provex %s: ", cmd);
	cli_put_safe(stderr, buf_str(&b), b.len, 0);
	fprintf(stderr, "\nTry 'provex %s --help'.\n", cmd);
	buf_done(&b);
	return EXIT_USAGE;
}

struct store *cli_open(const char *path, int mode)
{
	struct store *s = NULL;
	struct pv_err e;

	if (mode != STORE_READ && cli_no_shard(NULL, path))
		return NULL;
	pv_err_clear(&e);
	if (store_open(&s, path, mode, &e)) {
		cli_error(&e);
		return NULL;
	}
	return s;
}

struct store_set *cli_open_read(const char *path)
{
	struct store_set *set = NULL;
	struct store *s;
	struct pv_err e;

	pv_err_clear(&e);
	if (set_is_folder(path)) {
		if (set_open(&set, path, &e)) {
			cli_error(&e);
			return NULL;
		}
		return set;
	}
	if (!(s = cli_open(path, STORE_READ)))
		return NULL;
	return set_of_store(s);
}

int cli_no_set(const char *cmd, const char *path)
{
	if (!set_is_folder(path))
		return EXIT_OK;
	cli_errorf("%s: a folder: provex %s does not read a set of stores; sets are "
		   "read by count, ls, show, cat, info, stats, detect, pairs and browse, "
		   "written out by export, and reviewed by label, history, undo and "
		   "review (in the set's review.pvx) today (give %s one store file)", path, cmd, cmd);
	return EXIT_FAIL;
}

int cli_no_shard(const char *cmd, const char *path)
{
	if (!set_is_published_shard(path))
		return EXIT_OK;
	cli_errorf("%s: a published shard of a set (its completion marker is beside "
		   "it): shards are never written again%s%s%s; read it, or its set's "
		   "folder, with count, ls, show, cat, info and stats, label its "
		   "set's folder (the changes go to the set's review.pvx), or copy "
		   "it to another name to change the copy", path, cmd ? " (provex " : "",
		   cmd ? cmd : "", cmd ? " would write it)" : "");
	return EXIT_FAIL;
}

int cli_set_exact(const char *cmd, const struct store_set *set,
		  const struct filter_ast *ast, const char *sort)
{
	const char *f;
	struct pv_err e;

	if (set_review_blind(set) && (set_filter_review(ast) || set_sort_review(sort))) {
		char what[64];
		if ((f = set_filter_review(ast)))
			snprintf(what, sizeof what, "the filter's %s", f);
		else
			snprintf(what, sizeof what, "--sort %s", set_sort_review(sort));
		set_review_refuse(set, what, &e);
		cli_errorf("%s: %s", cmd, e.msg);
		return EXIT_USAGE;
	}
	if (set_size(set) < 2)
		return EXIT_OK;
	if ((f = set_filter_per_store(ast)))
		cli_errorf("%s: %s: the filter's %s on a set of %zu shards: refused, "
			   "as it would be answered per shard (duplicates are counted "
			   "within each shard, and the compression ratio depends on the "
			   "shard's dictionary), not for the whole set", cmd,
			   set_path(set), f, set_size(set));
	else if (set_sort_per_store(sort))
		cli_errorf("%s: %s: --sort %s on a set of %zu shards: refused, as "
			   "it would be per shard (duplicates are counted within each "
			   "shard, and the compression ratio depends on the shard's "
			   "dictionary), not for the whole set", cmd, set_path(set),
			   sort, set_size(set));
	else
		return EXIT_OK;
	return EXIT_USAGE;
}

bool cli_parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return false;
	*id = v;
	return true;
}

bool cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	/* k, K or Ki = 1024; M or Mi = 2^20; G or Gi = 2^30 (as the filter's len:) */
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (shift && *end == 'i')
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return false;
	v <<= shift;
	*out = v;
	return true;
}


/* Refuses input id ext, which names found > 1 documents: says so on
 * stderr and lists them (id, input file, record number), the first
 * AMBIG_LIST of them. */
#define AMBIG_LIST 20
static void ambiguous_ext(struct store_set *set, const char *ext, int64_t found)
{
	struct store *shards[AMBIG_LIST];
	int64_t ids[AMBIG_LIST];
	int64_t k, shown = PV_MIN(found, AMBIG_LIST);
	struct doc_row row;
	struct pv_err e;
	char num[32];

	cli_errorf("%s: input id '%s' names %s documents (its --id-field values "
		   "repeat): refused; give one of their ids without --ext",
		   set_path(set), ext, pv_num(found, num));
	if (set_find_ext(set, ext, shards, ids, (size_t)shown, &e) < 0) {
		cli_error(&e);
		return;
	}
	memset(&row, 0, sizeof row);
	for (k = 0; k < shown; k++) {
		if (store_doc_get(shards[k], ids[k], &row, &e)) {
			cli_error(&e);
			break;
		}
		fprintf(stderr, "  id %lld  ", (long long)row.id);
		cli_put_safe(stderr, row.file, strlen(row.file), SAN_ONE_LINE);
		fprintf(stderr, ", record %lld\n", (long long)row.rec + 1);
	}
	if (found > shown)
		fprintf(stderr, "  and %s more\n", pv_num(found - shown, num));
	doc_row_done(&row);
}

int cli_resolve_ids(struct store_set *set, char **args, int nargs, bool ext,
		    int64_t **ids, size_t *nids)
{
	size_t cap = (size_t)nargs + 1, n = 0;
	int i, status = EXIT_OK;
	struct pv_err e;

	*ids = pv_malloc(cap * sizeof **ids);
	for (i = 0; i < nargs; i++) {
		if (!ext) {
			if (!cli_parse_id(args[i], &(*ids)[n])) {
				cli_errorf("'%s' is not a document id (a positive "
					   "integer; use --ext for the input's own ids)",
					   args[i]);
				status = EXIT_USAGE;
				continue;
			}
			n++;
			continue;
		} else {
			/* in every shard: a repeat across shards is refused too */
			int64_t found = set_find_ext(set, args[i], NULL, NULL, 0, &e);
			if (found < 0) {
				cli_error(&e);
				status = EXIT_FAIL;
				continue;
			}
			if (found == 0) {
				cli_errorf("%s: no document with input id '%s'",
					   set_path(set), args[i]);
				status = EXIT_FAIL;
				continue;
			}
			if (found > 1) {
				/* two texts run together would pass for one */
				ambiguous_ext(set, args[i], found);
				status = EXIT_FAIL;
				continue;
			}
			set_find_ext(set, args[i], NULL, *ids + n, 1, &e);
			n++;
		}
	}
	*nids = n;
	return status;
}

/* Parses and compiles the filter text (NULL = everything); on a parse
 * error prints it with a caret under the position and returns EXIT_USAGE.
 * The readings the parser warns about go to stderr, one line each. */
int cli_filter(const char *text, struct filter_ast **ast, struct filter_sql *sql)
{
	struct pv_err e;

	pv_err_clear(&e);
	*ast = NULL;
	memset(sql, 0, sizeof *sql);
	if (filter_parse(text ? text : "", ast, &e)) {
		struct buf caret = BUF_INIT;
		filter_error_caret(text, &e, &caret);
		fprintf(stderr, "provex: filter: at byte %ld: ", e.column);
		cli_put_safe(stderr, e.msg, strlen(e.msg), 0);
		fprintf(stderr, "\n%s", buf_str(&caret));
		if (caret.len && caret.data[caret.len - 1] != '\n')
			fputc('\n', stderr);
		buf_done(&caret);
		return EXIT_USAGE;
	}
	cli_put_lines(stderr, "provex: filter: warning: ", filter_warnings(*ast));
	if (filter_compile(*ast, sql)) {
		cli_errorf("filter: too many terms");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

void cli_put_lines(FILE *fp, const char *prefix, const char *text)
{
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		fputs(prefix, fp);
		cli_put_safe(fp, text, len, 0);
		fputc('\n', fp);
		text += len + (nl ? 1 : 0);
	}
}

int cli_filter_store(struct store *s, const struct filter_ast *ast, struct filter_sql *sql)
{
	struct filter_sql fresh;
	struct pv_err e;

	if (store_filter_compile(s, ast, sql->first > 0 ? sql->first : 1, &fresh, &e)) {
		cli_error(&e);
		return EXIT_FAIL;
	}
	filter_sql_done(sql);
	*sql = fresh;
	return EXIT_OK;
}

int cli_filter_set(struct store_set *set, const struct filter_ast *ast,
		   struct filter_sql **sqls)
{
	struct pv_err e;

	if (set_filters(set, ast, sqls, &e)) {
		cli_error(&e);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Creates (or drops, where drop[k]) the metadata indexes paths[0..n) of
 * the store at path, saying what it did on stderr unless quiet. */
int cli_meta_indexes(const char *path, const char *const *paths, const bool *drop,
			size_t n, bool quiet)
{
	struct store *s = cli_open(path, STORE_WRITE);
	struct pv_err e;
	size_t k;
	int status = EXIT_OK;

	if (!s)
		return EXIT_FAIL;
	for (k = 0; k < n; k++) {
		bool did = false;
		if (!quiet && !drop[k] && isatty(2))
			fprintf(stderr, "indexing meta.%s ...\r", paths[k]);
		if ((drop[k] ? metaidx_drop(s, paths[k], &did, &e) :
		     metaidx_create(s, paths[k], &did, &e))) {
			cli_error(&e);
			status = EXIT_FAIL;
			continue;
		}
		if (quiet)
			continue;
		if (drop[k])
			fprintf(stderr, did ? "meta.%s: index removed\n" :
				"meta.%s: no index to remove\n", paths[k]);
		else if (did)
			fprintf(stderr, "meta.%s: indexed\n", paths[k]);
		else
			fprintf(stderr, "meta.%s: already indexed\n", paths[k]);
	}
	store_close(s);
	return status;
}

int cli_meta_path_check(const char *cmd, const char *opt, const char *text)
{
	struct filter_path path;
	struct pv_err e;

	if (filter_path_parse(text, &path, &e))
		return cli_usage(cmd, "%s '%s': at byte %ld: %s", opt, text, e.column, e.msg);
	filter_path_done(&path);
	return EXIT_OK;
}

/* True when arg (which starts with one '-') reads as a filter rather than
 * short options of shortopts: it is not a run of option letters (the
 * last one may be followed by its value: -n5), or it holds a byte no
 * option does (':', '(', '"', '*', a space, non-ASCII). */
/* looks_like_option: "-q", "-vx", "-n5": what a mistyped or misplaced
 * option looks like, as against "-origin:real" or "-(a OR b)".  Taken as a
 * filter all the same (issue: a filter may start with '-'), but said. */
static bool looks_like_option(const char *arg)
{
	const unsigned char *q;

	for (q = (const unsigned char *)arg + 1; *q; q++)
		if (!isalnum(*q))
			return false;
	return q - (const unsigned char *)arg <= 3;
}

static bool dash_filter(const char *arg, const char *shortopts)
{
	const unsigned char *q;

	for (q = (const unsigned char *)arg + 1; *q; q++)
		if (*q == ':' || *q == '(' || *q == '"' || *q == '*' || *q == ' ' || *q >= 0x80)
			return true;
	for (q = (const unsigned char *)arg + 1; *q; q++) {
		const char *spec = *q == ':' ? NULL : strchr(shortopts, *q);
		if (!spec)
			return true;
		if (spec[1] == ':')
			return false;           /* the rest is its value */
	}
	return false;
}

int cli_filter_dash(int argc, char **argv, const char *shortopts,
		    const struct option *longopts)
{
	int i, end = argc;

	for (i = 1; i < end; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0')
			continue;
		if (a[1] == '-') {              /* --name VALUE: skip the value */
			const struct option *o;
			size_t n = strcspn(a + 2, "=");
			if (a[2 + n] == '=')
				continue;
			for (o = longopts; o && o->name; o++)
				if (strlen(o->name) == n && strncmp(o->name, a + 2, n) == 0) {
					if (o->has_arg == required_argument)
						i++;
					break;
				}
			continue;
		}
		if (dash_filter(a, shortopts)) {
			/* to the end, keeping the order of such arguments */
			char *keep = argv[i];
			if (looks_like_option(a))
				fprintf(stderr, "provex: warning: no option %s here: reading it "
					"as the filter NOT %s (put a filter after -- to say so: "
					"-- %s)\n", a, a + 1, a);
			memmove(argv + i, argv + i + 1, (size_t)(argc - i - 1) * sizeof *argv);
			argv[argc - 1] = keep;
			end--;
			i--;
			continue;
		}
		{                               /* -xVALUE, or -x VALUE */
			const char *q;
			for (q = a + 1; *q; q++) {
				const char *spec = strchr(shortopts, *q);
				if (spec && spec[1] == ':') {
					if (!q[1])
						i++;
					break;
				}
			}
		}
	}
	return end;
}

int cli_bad_option(const char *cmd)
{
	return cli_usage(cmd, "unknown option (a filter that starts with '-' may also "
			 "go after --: provex %s STORE -- -TERM)", cmd);
}
