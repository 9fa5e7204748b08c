/*
 * filter_path.c - the metadata paths of the filter language (meta.PATH,
 * filter.h): reading a path's keys, the readings a path with dots in its
 * keys may have, the SQL that reads every reading (filter_meta_sql, also
 * the expression of an indexed path, metaindex.c) and the path's
 * canonical form.  The parser (filter.c) reads paths through
 * filter_path_read.
 */
#include "filter_int.h"
#include "ftsquery.h"
#include "../common/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- meta paths ---- */

/* A key of decimal digits that may index an array: no sign, no leading
 * zero except "0" (as index/fieldpath.c). */
static bool is_index_key(const char *k)
{
	size_t i, n = strlen(k);

	if (n == 0 || n > 9 || (k[0] == '0' && n > 1))
		return false;
	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)k[i]))
			return false;
	return true;
}

/* Appends the readings of keys [i, n) to the JSON path prefix, calling
 * add for each complete one, in the order index/fieldpath.c tries them:
 * the whole rest as one key first (when every key left is unquoted and
 * there are several), then the first key alone (a digit key as an array
 * index, then as an object key) followed by the readings of the rest. */
static void readings(const struct filter_path *p, size_t i, struct buf *prefix,
		     void (*add)(void *, const char *), void *ctx)
{
	size_t mark = prefix->len, k;
	bool all_plain = true;

	if (i == p->n) {
		add(ctx, buf_str(prefix));
		return;
	}
	for (k = i; k < p->n && all_plain; k++)
		all_plain = !p->quoted[k];
	if (all_plain && p->n - i > 1) {
		buf_puts(prefix, ".\"");
		for (k = i; k < p->n; k++) {
			if (k > i)
				buf_putc(prefix, '.');
			buf_puts(prefix, p->key[k]);
		}
		buf_putc(prefix, '"');
		add(ctx, buf_str(prefix));
		prefix->len = mark;
	}
	if (!p->quoted[i] && is_index_key(p->key[i])) {
		buf_printf(prefix, "[%s]", p->key[i]);
		readings(p, i + 1, prefix, add, ctx);
		prefix->len = mark;
	}
	buf_printf(prefix, ".\"%s\"", p->key[i]);
	readings(p, i + 1, prefix, add, ctx);
	prefix->len = mark;
}

struct reading_list {
	char **v;
	size_t n;
	bool count_only;
};

static void reading_add(void *ctx, const char *path)
{
	struct reading_list *l = ctx;

	if (!l->count_only) {
		l->v = pv_realloc(l->v, (l->n + 1) * sizeof *l->v);
		l->v[l->n] = pv_strdup(path);
	}
	l->n++;
}

/* The number of readings of p (0 for an empty path). */
size_t filter_path_readings(const struct filter_path *p)
{
	struct reading_list l = { NULL, 0, true };
	struct buf prefix = BUF_INIT;

	if (p->n) {
		buf_putc(&prefix, '$');
		readings(p, 0, &prefix, reading_add, &l);
	}
	buf_done(&prefix);
	return l.n;
}

/* Why p cannot be looked up, or NULL. */
const char *filter_path_problem(const struct filter_path *p)
{
	size_t i;

	if (p->n == 0)
		return "an empty path";
	for (i = 0; i < p->n; i++)
		if (strchr(p->key[i], '"'))
			return "a key holding '\"' (SQLite's JSON paths cannot name it)";
	if (filter_path_readings(p) > FILTER_MAX_READINGS)
		return "too many readings (quote keys that hold no dots: meta.\"a\".\"b\")";
	return NULL;
}

int filter_meta_paths(const struct filter_path *path, char ***paths, size_t *n,
		      struct pv_err *err)
{
	struct reading_list l = { NULL, 0, false };
	struct buf prefix = BUF_INIT;
	const char *why = filter_path_problem(path);

	*paths = NULL;
	*n = 0;
	if (why)
		return pv_errf(err, PV_EUSAGE, "metadata path: %s", why);
	buf_putc(&prefix, '$');
	readings(path, 0, &prefix, reading_add, &l);
	buf_done(&prefix);
	*paths = l.v;
	*n = l.n;
	return 0;
}

static void free_paths(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Appends s as an SQL string literal ('...' with '' for a quote). */
static void sql_literal(struct buf *out, const char *s)
{
	buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_putc(out, '\'');
		buf_putc(out, *s);
	}
	buf_putc(out, '\'');
}

int filter_meta_sql(const struct filter_path *path, const char *col, struct buf *out,
		    struct pv_err *err)
{
	char **v;
	size_t n, i;
	int rc;

	if ((rc = filter_meta_paths(path, &v, &n, err)))
		return rc;
	if (n > 1)
		buf_puts(out, "coalesce(");
	for (i = 0; i < n; i++) {
		if (i)
			buf_puts(out, ", ");
		buf_printf(out, "json_extract(%s, ", col);
		sql_literal(out, v[i]);
		buf_putc(out, ')');
	}
	if (n > 1)
		buf_putc(out, ')');
	free_paths(v, n);
	return 0;
}

/* Appends the canonical form of p: keys joined by '.', quoted where they
 * were quoted or could not be read back unquoted. */
static void path_canon(struct buf *out, const struct filter_path *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const char *q;
		bool quote = p->quoted[i] || !*p->key[i];

		for (q = p->key[i]; *q && !quote; q++)
			quote = (unsigned char)*q <= ' ' || *q == 0x7f || *q == '(' ||
				*q == ')' || *q == '"' || *q == ',' || *q == '.' ||
				*q == ':' || *q == '\\';
		if (i)
			buf_putc(out, '.');
		if (!quote) {
			buf_puts(out, p->key[i]);
			continue;
		}
		buf_putc(out, '"');
		for (q = p->key[i]; *q; q++) {
			if (*q == '"' || *q == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *q);
		}
		buf_putc(out, '"');
	}
}

static void path_push(struct filter_path *p, const char *k, size_t len, bool quoted)
{
	p->key = pv_realloc(p->key, (p->n + 1) * sizeof *p->key);
	p->quoted = pv_realloc(p->quoted, (p->n + 1) * sizeof *p->quoted);
	p->key[p->n] = pv_strndup(k, len);
	p->quoted[p->n] = quoted;
	p->n++;
}

/* A byte that ends an unquoted key. */
static bool ends_key(int c)
{
	return is_delim(c) || c == '.' || c == ':' || c == ',';
}

/* Reads keys at s[*pos] up to the first byte that is not part of the path
 * ('.' between keys), leaving *pos there.  Returns 0, or PV_EPARSE with
 * *bad the offset of the problem and *why what it is. */
int filter_path_read(const char *s, size_t *pos, struct filter_path *out,
		     size_t *bad, const char **why)
{
	size_t i = *pos;

	memset(out, 0, sizeof *out);
	for (;;) {
		if (s[i] == '"') {
			struct buf k = BUF_INIT;
			size_t j = i + 1;
			for (;;) {
				if (!s[j]) {
					buf_done(&k);
					*bad = i;
					*why = "unterminated quote";
					goto fail;
				}
				if (s[j] == '"')
					break;
				if (s[j] == '\\' && s[j + 1])
					j++;
				buf_putc(&k, s[j]);
				j++;
			}
			path_push(out, k.data ? k.data : "", k.len, true);
			buf_done(&k);
			i = j + 1;
		} else {
			size_t j = i;
			while (!ends_key((unsigned char)s[j]) && (unsigned char)s[j] >= 0x20 &&
			       s[j] != 0x7f)
				j++;
			if ((unsigned char)s[j] < 0x20 && s[j] && !is_space((unsigned char)s[j])) {
				*bad = j;
				*why = "a control character in a metadata key (quote the key)";
				goto fail;
			}
			if (s[j] == 0x7f) {
				*bad = j;
				*why = "a control character in a metadata key (quote the key)";
				goto fail;
			}
			if (j == i) {
				*bad = i;
				*why = out->n ? "expected a key after '.'" : "expected a key after 'meta.'";
				goto fail;
			}
			path_push(out, s + i, j - i, false);
			i = j;
		}
		if (s[i] != '.')
			break;
		i++;
	}
	*pos = i;
	return 0;
fail:
	filter_path_done(out);
	return PV_EPARSE;
}

void filter_path_canon(const struct filter_path *path, struct buf *out)
{
	path_canon(out, path);
}

int filter_path_parse(const char *text, struct filter_path *out, struct pv_err *err)
{
	size_t pos = 0, bad = 0;
	const char *why = NULL, *problem;

	if (filter_path_read(text, &pos, out, &bad, &why))
		return pv_errf_at(err, PV_EPARSE, NULL, 0, (long)bad + 1, "%s", why);
	if (text[pos]) {
		filter_path_done(out);
		return pv_errf_at(err, PV_EPARSE, NULL, 0, (long)pos + 1,
				  "unexpected '%c' in a metadata path (quote the key)", text[pos]);
	}
	if ((problem = filter_path_problem(out))) {
		filter_path_done(out);
		return pv_errf_at(err, PV_EPARSE, NULL, 0, 1, "metadata path: %s", problem);
	}
	return 0;
}
