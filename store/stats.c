/*
 * stats.c - per-group counts, bytes, words and length percentiles.
 *
 * One pass over the matching documents ordered by group and length: the
 * median and 90th percentile of each group are read off its sorted lengths
 * as they stream by, so memory does not grow with the store.
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

	return field_column(by, groupable);
}

static int by_docs(const void *a, const void *b)
{
	const struct stats_group *x = a, *y = b;

	if (x->docs != y->docs)
		return x->docs < y->docs ? 1 : -1;
	return strcmp(x->value, y->value);
}

/* Nearest-rank percentile q (0..1) of n sorted values: the index. */
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
	buf_printf(&sql, "SELECT coalesce(%s,''), count(*), sum(t.len), sum(t.words) "
		   "FROM docs d JOIN texts t ON t.id=d.text_id JOIN inputs i "
		   "ON i.id=d.input_id WHERE %s GROUP BY 1 ORDER BY 1", col,
		   where && where->where ? where->where : "1");
	st = store_prepare_where(s, buf_str(&sql), where, "computing statistics", err);
	if (!st) {
		buf_done(&sql);
		return err ? err->code : PV_ESTORE;
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
	buf_printf(&sql, "SELECT t.len FROM docs d JOIN texts t ON t.id=d.text_id "
		   "JOIN inputs i ON i.id=d.input_id WHERE %s ORDER BY coalesce(%s,''), t.len",
		   where && where->where ? where->where : "1", col);
	st = store_prepare_where(s, buf_str(&sql), where, "computing statistics", err);
	buf_done(&sql);
	if (!st)
		return err ? err->code : PV_ESTORE;
	{
		size_t gi = 0;
		int64_t k = 0;      /* position within the current group */
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && gi < out->ngroups) {
			struct stats_group *g = &out->groups[gi];
			int64_t len = sqlite3_column_int64(st, 0);
			if (k == rank(g->docs, 0.5))
				g->median = len;
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
	return 0;
}

void stats_done(struct stats *st)
{
	size_t i;

	for (i = 0; i < st->ngroups; i++)
		free(st->groups[i].value);
	free(st->groups);
	memset(st, 0, sizeof *st);
}
