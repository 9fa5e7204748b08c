/*
 * write.h - exporting the documents a filter selects: the options of an
 * export (as `provex export` and the interface's :export take them), and
 * writing the files (JSONL plain, gzip or zstd, in shards, or one text
 * file per document) with their manifest.
 *
 * Which documents, and how many copies of each (the candidates, samples
 * and mixtures), is store/export.h: it stays in store/ because it is SQL
 * over the store's tables, like every other store/ file, while export/
 * holds what happens to the files.  The files of export/:
 *   options.c   the options: parsed from an argument vector into
 *               struct export_opts
 *   write.c     one export from start to end (export_check, export_write)
 *   output.c    output files: temporary then renamed, gzip/zstd, SHA-256
 *   writer.c    the writing thread and the records
 *   manifest.c  the manifest OUT.manifest.json
 *
 * Every file is written under a temporary name in its final folder and
 * renamed into place only when all of them are complete, so an error (a
 * full disk, Ctrl-C) leaves nothing under a final name; the temporaries
 * are removed on every path.  The same export on the same store writes
 * the same bytes.
 *
 * Ownership: struct export_opts owns what export_opts_done() frees (the
 * copy of the argument vector's pointers, the --mix groups); the strings
 * it points to (store path, filter, OUT, --prefix, argv's strings) are
 * borrowed from the caller's argument vector.
 */
#ifndef PV_EXPORT_WRITE_H
#define PV_EXPORT_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include "../common/pv.h"
#include "../common/buf.h"
#include "../store/export.h"

struct store;
struct filter_ast;
struct filter_sql;
struct option;

enum export_fmt { EXPORT_JSONL, EXPORT_GZ, EXPORT_ZST, EXPORT_TEXT };
extern const char *const export_fmt_ext[4];     /* ".jsonl", ... "" */
extern const char *const export_fmt_name[4];    /* "jsonl", ... "text" */

enum {
	EXPORT_F_TEXT, EXPORT_F_ORIGIN, EXPORT_F_SOURCE, EXPORT_F_GENERATOR,
	EXPORT_F_PURPOSE, EXPORT_F_LABEL, EXPORT_F_NOTE, EXPORT_F_ID,
	EXPORT_F_EXT_ID, EXPORT_F_META, EXPORT_F_N
};
extern const char *const export_field_names[EXPORT_F_N];

struct export_opts {
	const char *store_path;  /* as named: messages and the manifest */
	const char *filter_text; /* NULL: every document */
	const char *out;
	enum export_fmt fmt;
	bool fields[EXPORT_F_N];
	bool keep_dups, force, have_sample, have_fraction;
	uint64_t sample;
	double fraction;
	uint64_t seed;
	char *mix_field;         /* owned; NULL: no mixture */
	struct export_group *groups;    /* owned (values point into mix_spec);
					 * export_write fills in their plan */
	char *mix_spec;          /* owned copy of the --mix text */
	size_t ngroups;
	int64_t total, max_repeat;  /* total: asked */
	bool have_maxrep, keep_shares, shuffle;
	unsigned shards;
	const char *prefix;      /* the --prefix template as given */
	int argc;                /* the command as given, for the manifest */
	char **argv;             /* owned array; its strings borrowed */
};

/* What an export wrote (the summary's counts). */
struct export_result {
	int64_t records, docs, text_bytes;
	int64_t bad_utf8;        /* documents holding invalid UTF-8 */
	int64_t dups;            /* duplicate documents skipped */
};

/* What the caller may see while the records are written; each may be NULL. */
struct export_hooks {
	void *arg;
	/* every 4,096 records, and once with end set after the last */
	void (*progress)(void *arg, int64_t done, int64_t total, bool end);
	/* on before the records are written, off after (signal handling) */
	void (*stop_catch)(void *arg, bool on);
};

/* The options getopt_long takes (for cli_filter_dash). */
#define EXPORT_SHORTOPTS "ho:"
extern const struct option *const export_longopts;

/* Defaults, and a copy of argv[0..argc] for the manifest (taken before
 * getopt_long permutes argv). */
void export_opts_init(struct export_opts *o, int argc, char **argv);
/*
 * Parses the options of argv[0..optend) with getopt_long (optind reset;
 * its own messages per opterr), then the positional STORE [FILTER] of
 * argv[optind..argc), and checks them together.  *help is set for -h
 * (nothing more is parsed).  PV_EUSAGE with the reason (no "provex
 * export:" prefix) on a bad command.
 */
int export_opts_parse(struct export_opts *o, int argc, char **argv, int optend,
		      bool *help, struct pv_err *err);
void export_opts_done(struct export_opts *o);

/*
 * Before any work: refuses what cannot or may not be written (the folder
 * must exist and be writable; existing files need --force), then removes
 * the temporaries an export that was killed left beside the output
 * (*swept: how many; those of a running export are locked and kept).
 */
int export_check(const struct export_opts *o, int64_t *swept, struct pv_err *err);

/*
 * Writes the export: the documents of sql (ast: the same filter, for the
 * manifest's canonical form) in store s (borrowed, open for reading), as
 * o says.  Fills *r; returns 0, PV_EINTR once pv_stop_signal is set,
 * PV_EUSAGE for a mixture refused, or the error, with nothing left under
 * a final name nor any temporary.
 */
int export_write(struct store *s, const struct filter_ast *ast,
		 const struct filter_sql *sql, struct export_opts *o,
		 const struct export_hooks *h, struct export_result *r,
		 struct pv_err *err);

/*
 * The same over a set of stores (store/set.h) read as one: sqls[k] is the
 * filter compiled for part k (set_filters).  The documents, records and
 * manifest are those of one store holding every document of the set
 * (same seed, same output), save the manifest's "store" (the set's path)
 * and its "set" (the shards and the listing digest).
 */
struct store_set;
int export_write_set(struct store_set *set, const struct filter_ast *ast,
		     const struct filter_sql *sqls, struct export_opts *o,
		     const struct export_hooks *h, struct export_result *r,
		     struct pv_err *err);

/*
 * One export from the filter to the files, for a caller that reports on
 * its own (the interface's :export): o->filter_text parsed and compiled,
 * export_check (its sweep done silently), the store o->store_path opened
 * for reading, a snapshot of its own, and export_write with hooks h (may
 * be NULL); a set (a folder) is refused (PV_EUSAGE, saying to run
 * provex export).  Returns export_write's codes; on failure *stage says
 * where: EXPORT_AT_FILTER (the filter is wrong) or EXPORT_AT_STORE (the
 * checks, the store, the writing).  provex export runs the same steps itself, to
 * print its filter warnings and the sweep as they happen.
 */
enum export_stage { EXPORT_AT_FILTER, EXPORT_AT_STORE };
int export_run(struct export_opts *o, const struct export_hooks *h,
	       struct export_result *r, enum export_stage *stage,
	       struct pv_err *err);

/* "12 records (12 documents, 3.4 KB of text) written to OUT[ in N shards
 * (round-robin)]", appended to b (OUT as it is: sanitize it to show it). */
void export_summary_line(const struct export_opts *o, const struct export_result *r,
			 struct buf *b);

#endif
