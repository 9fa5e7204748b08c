/*
 * stats.c - per-group counts, bytes, words and length percentiles.
 *
 * One pass over the matching documents ordered by group and length: the
 * median (exact: the mean of the two middle lengths for an even count) and
 * the 90th percentile of each group are read off its sorted lengths as
 * they stream by, so memory does not grow with the store.  By file, the
 * groups are absolute paths, shown relative to the folder they share.
 */
#include "store_int.h"
#include "stats.h"
#include "filter.h"
#include "fields.h"

#include <stdlib.h>
#include <string.h>

const char *stats_group_column(const char *by)
{
	static const char *const groupable[] = {
		"origin", "source", "generator", "purpose", "label", "reviewer",
		"file", NULL
	};

	if (by && strcmp(by, "file") == 0)
		return "i.path";
	return field_column(by, groupable);
}

const char *stats_shown(const struct stats *st, const struct stats_group *g)
{
	if (st->folder_by && strcmp(g->value, "-") == 0)
		return "(stdin)";
	if (st->folder && strncmp(g->value, st->folder, strlen(st->folder)) == 0)
		return g->value + strlen(st->folder);
	return g->value;
}

/* The folder (ending in '/') holding every absolute path among the
 * groups' values, or NULL (owned by the caller). */
char *stats_common_folder(const struct stats *st)
{
	const char *first = NULL;
	size_t n = 0, i, k;

	for (i = 0; i < st->ngroups; i++) {
		const char *v = st->groups[i].value;
		if (v[0] != '/')
			continue;            /* standard input */
		if (!first) {
			first = v;
			n = (size_t)(strrchr(v, '/') - v) + 1;
			continue;
		}
		for (k = 0; k < n && v[k] == first[k]; k++)
			;
		n = k;
	}
	if (!first)
		return NULL;
	while (n > 0 && first[n - 1] != '/')
		n--;                         /* back to a whole folder name */
	return n > 1 ? pv_strndup(first, n) : NULL;
}

static int by_docs(const void *a, const void *b)
{
	const struct stats_group *x = a, *y = b;

	if (x->docs != y->docs)
		return x->docs < y->docs ? 1 : -1;
	return strcmp(x->value, y->value);
}

/* Nearest-rank percentile q (0..1) of n sorted values: the index (the
 * 90th percentile; the median is exact: the mean of the two middle
 * lengths for an even count, read as the lengths stream by). */
static int64_t rank(int64_t n, double q)
{
	int64_t k = (int64_t)(q * (double)n + 0.999999);

	return k < 1 ? 0 : k - 1;
}

int stats_compute(struct store *s, const struct filter_sql *where,
		  const char *by, struct stats *out, struct pv_err *err)
{
	const char *col = stats_group_column(by ? by : "origin");
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (!col)
		return pv_errf(err, PV_EUSAGE, "cannot group by '%s' (origin, source, "
			       "generator, purpose, label, reviewer, file)", by);
	/* first the group sizes, then the lengths in order */
	buf_printf(&sql, "SELECT coalesce(%s,''), count(*), sum(t.len), sum(t.words)", col);
	store_from_joins(where, STORE_JOIN_TEXTS | STORE_JOIN_INPUTS, &sql);
	buf_printf(&sql, "WHERE %s GROUP BY 1 ORDER BY 1",
		   where && where->where ? where->where : "1");
	if ((rc = store_prep_where(s, &st, buf_str(&sql), where, "computing statistics",
				   err))) {
		buf_done(&sql);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct stats_group *g;
		if (out->ngroups == cap) {
			cap = cap ? cap * 2 : 8;
			out->groups = pv_realloc(out->groups, cap * sizeof *out->groups);
		}
		g = &out->groups[out->ngroups++];
		memset(g, 0, sizeof *g);
		g->value = pv_strdup((const char *)sqlite3_column_text(st, 0));
		g->docs = sqlite3_column_int64(st, 1);
		g->bytes = sqlite3_column_int64(st, 2);
		g->words = sqlite3_column_int64(st, 3);
		out->docs += g->docs;
		out->bytes += g->bytes;
		out->words += g->words;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		buf_done(&sql);
		return store_sqlerr(s, err, "computing statistics");
	}
	buf_reset(&sql);
	buf_puts(&sql, "SELECT t.len");
	store_from_joins(where, STORE_JOIN_TEXTS | STORE_JOIN_INPUTS, &sql);
	buf_printf(&sql, "WHERE %s ORDER BY coalesce(%s,''), t.len",
		   where && where->where ? where->where : "1", col);
	rc = store_prep_where(s, &st, buf_str(&sql), where, "computing statistics", err);
	buf_done(&sql);
	if (rc)
		return rc;
	{
		size_t gi = 0;
		int64_t k = 0;      /* position within the current group */
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && gi < out->ngroups) {
			struct stats_group *g = &out->groups[gi];
			int64_t len = sqlite3_column_int64(st, 0);
			/* the middle one, or the two middle ones averaged */
			if (k == (g->docs - 1) / 2)
				g->median = (double)len;
			else if (g->docs % 2 == 0 && k == g->docs / 2)
				g->median = (g->median + (double)len) / 2;
			if (k == rank(g->docs, 0.9))
				g->p90 = len;
			if (++k == g->docs) {
				gi++;
				k = 0;
			}
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(s, err, "computing statistics");
	if (out->ngroups > 1)
		qsort(out->groups, out->ngroups, sizeof *out->groups, by_docs);
	if (strcmp(col, "i.path") == 0) {
		out->folder_by = true;
		out->folder = stats_common_folder(out);
	}
	return 0;
}

void stats_done(struct stats *st)
{
	size_t i;

	for (i = 0; i < st->ngroups; i++)
		free(st->groups[i].value);
	free(st->groups);
	free(st->folder);
	memset(st, 0, sizeof *st);
}
