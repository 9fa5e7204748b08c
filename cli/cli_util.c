/*
 * cli_util.c - helpers shared by the commands: messages, number formats,
 * store opening, id parsing.
 */
#include "cli.h"
#include "../common/buf.h"
#include "../common/utf8.h"
#include "../store/filter.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

	pv_err_clear(&e);
	if (store_open(&s, path, mode, &e)) {
		cli_error(&e);
		return NULL;
	}
	return s;
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

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end)
		return false;
	*out = v;
	return true;
}

const char *cli_bytes(uint64_t n, char *out)
{
	static const char *const unit[] = { "B", "KB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, 32, "%llu B", (unsigned long long)n);
	else
		snprintf(out, 32, "%.1f %s", v, unit[u]);
	return out;
}

int cli_resolve_ids(struct store *s, char **args, int nargs, bool ext,
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
			int64_t found = store_find_ext(s, args[i], NULL, 0, &e);
			if (found < 0) {
				cli_error(&e);
				status = EXIT_FAIL;
				continue;
			}
			if (found == 0) {
				cli_errorf("%s: no document with input id '%s'",
					   store_path(s), args[i]);
				status = EXIT_FAIL;
				continue;
			}
			cap += (size_t)found;
			*ids = pv_realloc(*ids, cap * sizeof **ids);
			store_find_ext(s, args[i], *ids + n, (size_t)found, &e);
			n += (size_t)found;
		}
	}
	*nids = n;
	return status;
}

/* Parses and compiles the filter text (NULL = everything); on a parse
 * error prints it with a caret under the position and returns EXIT_USAGE. */
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
	if (filter_compile(*ast, sql)) {
		cli_errorf("filter: too many terms");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}
