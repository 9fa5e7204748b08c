/*
 * stats.h - counts and length statistics of the documents matching a
 * filter, grouped by a provenance field.
 */
#ifndef PV_STATS_H
#define PV_STATS_H

#include <stdint.h>
#include "store.h"

struct stats_group {
	char *value;            /* owned; "" for documents without one; by
				 * file: the file's absolute path ("-" for
				 * standard input) */
	int64_t docs;
	int64_t bytes;          /* sum of text lengths */
	int64_t words;
	double median;          /* text length in bytes: the middle one, or
				 * the mean of the two middle ones (888.5) */
	int64_t p90;            /* text length in bytes, nearest rank */
};

struct stats {
	struct stats_group *groups;   /* owned, most documents first */
	size_t ngroups;
	int64_t docs, bytes, words;   /* over all groups */
	char *folder;           /* owned; by file: the folder holding every
				 * file (ending in '/'; NULL when the files
				 * share none, or not by file) */
	bool folder_by;         /* grouped by file */
};

/* The fields stats can group by: origin, source, generator, purpose, label,
 * reviewer, file.  Returns the SQL column, or NULL.  Files are grouped by
 * their absolute path (inputs.path): two files given by the same name
 * from different folders stay apart. */
const char *stats_group_column(const char *by);

/* A group's value as shown: by file, its path relative to st->folder
 * (or "(stdin)"), otherwise the value itself.  Borrowed from g or a
 * constant. */
const char *stats_shown(const struct stats *st, const struct stats_group *g);

/* The folder (ending in '/') holding every absolute path among the
 * groups' values, or NULL (owned by the caller); set.c's merge too. */
char *stats_common_folder(const struct stats *st);

/* Computes the statistics of the documents matching where (NULL = all),
 * grouped by the field `by` (NULL = origin). */
int stats_compute(struct store *s, const struct filter_sql *where,
		  const char *by, struct stats *out, struct pv_err *err);
void stats_done(struct stats *st);

#endif
