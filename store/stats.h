/*
 * stats.h - counts and length statistics of the documents matching a
 * filter, grouped by a provenance field.
 */
#ifndef PV_STATS_H
#define PV_STATS_H

#include <stdint.h>
#include "store.h"

struct stats_group {
	char *value;            /* owned; "" for documents without one */
	int64_t docs;
	int64_t bytes;          /* sum of text lengths */
	int64_t words;
	int64_t median, p90;    /* text length in bytes */
};

struct stats {
	struct stats_group *groups;   /* owned, most documents first */
	size_t ngroups;
	int64_t docs, bytes, words;   /* over all groups */
};

/* The fields stats can group by: origin, source, generator, purpose, label,
 * reviewer, file.  Returns the SQL column, or NULL. */
const char *stats_group_column(const char *by);

/* Computes the statistics of the documents matching where (NULL = all),
 * grouped by the field `by` (NULL = origin). */
int stats_compute(struct store *s, const struct filter_sql *where,
		  const char *by, struct stats *out, struct pv_err *err);
void stats_done(struct stats *st);

#endif
