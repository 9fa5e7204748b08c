/*
 * cli.h - the command-line commands and the helpers they share.
 *
 * Each command is one function taking its own argc/argv (argv[0] is the
 * command name) and returning the process exit status:
 *   0 success, 1 failure (the message was printed), 2 usage error,
 *   130 interrupted.
 * Only main.c calls exit(); commands return.
 */
#ifndef PV_CLI_H
#define PV_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "../common/pv.h"
#include "../store/store.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INTR = 130 };

/* Signals (signals.c): from cli_stop_catch on, the first SIGINT or SIGTERM
 * sets pv_stop_signal and interrupts blocking calls, a second one ends the
 * process; cli_stop_release restores the default actions.  The exit
 * status of an interrupted command: 130 for SIGINT, 143 for SIGTERM. */
void cli_stop_catch(void);
void cli_stop_release(void);
int cli_stop_status(void);

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;        /* "STORE INPUT... [options]" */
	const char *summary;     /* one line */
};

extern const struct cli_cmd cli_cmds[];

int cmd_index(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_detect(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_undo(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_browse(int argc, char **argv);
int cmd_pairs(int argc, char **argv);
int cmd_review(int argc, char **argv);

/* Prints "provex: <formatted err>" on stderr, sanitized. */
void cli_error(const struct pv_err *e);
/* Prints "provex: <message>" on stderr. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints a usage error with a pointer to --help; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens a store for reading or writing, printing the error; NULL on failure. */
struct store *cli_open(const char *path, int mode);
/* Opens "a store or a set" for reading: a folder as a set of stores
 * (store/set.h), a file as a store (a set of one); prints the error and
 * returns NULL on failure. */
struct store_set;
struct store_set *cli_open_read(const char *path);
/* For the commands that do not read sets: EXIT_OK when path is not a
 * folder, else prints that cmd does not take a set (and which commands
 * do) and returns EXIT_FAIL. */
int cli_no_set(const char *cmd, const char *path);
/* For the commands that would write path: EXIT_OK unless it is a
 * published shard of a set (its .done beside it), which is never written
 * again: then prints so (cmd NULL: said without a command) and returns
 * EXIT_FAIL.  cli_open checks it for every opening for writing. */
int cli_no_shard(const char *cmd, const char *path);
/* Refuses (EXIT_USAGE, said) a filter term or a sort field whose meaning
 * is per store (duplicates, compression ratio) on a set of more than one
 * shard; EXIT_OK otherwise.  ast and sort may be NULL. */
struct filter_ast;
int cli_set_exact(const char *cmd, const struct store_set *set,
		  const struct filter_ast *ast, const char *sort);

/* Parses a document id (a positive integer); false when it is not one. */
bool cli_parse_id(const char *s, int64_t *id);
/* Parses a non-negative integer with an optional suffix: k, K or Ki
 * (1024), M or Mi (2^20), G or Gi (2^30); false on overflow. */
bool cli_parse_size(const char *s, uint64_t *out);

/* Writes s sanitized (no control bytes reach the terminal) to fp. */
void cli_put_safe(FILE *fp, const char *s, size_t len, int flags);

/* The resolved ids named on a command line: plain ids, or --ext values
 * looked up in every shard of the set.  Returns EXIT_OK, or an exit status after
 * printing the problem. */
int cli_resolve_ids(struct store_set *set, char **args, int nargs, bool ext,
		    int64_t **ids, size_t *nids);

/* Parses and compiles a filter (NULL or "" = every document) for the store
 * functions that take one.  On a parse error prints the filter with a caret
 * under the position and what was expected, and returns EXIT_USAGE; the
 * caller frees *ast (filter_free) and *sql (filter_sql_done) either way. */
struct filter_ast;
struct filter_sql;
int cli_filter(const char *text, struct filter_ast **ast, struct filter_sql *sql);
/* Prints each line of text (NULL allowed) after prefix, made safe. */
void cli_put_lines(FILE *fp, const char *prefix, const char *text);
/* Compiles ast again with the store's metadata indexes (after cli_open),
 * replacing sql; prints the error and returns EXIT_FAIL on failure. */
int cli_filter_store(struct store *s, const struct filter_ast *ast, struct filter_sql *sql);
/* The same for each shard of a set: *sqls (one per shard, freed with
 * set_filters_done) replaces nothing; prints the error, EXIT_FAIL. */
int cli_filter_set(struct store_set *set, const struct filter_ast *ast,
		   struct filter_sql **sqls);
/* Lets a filter that starts with '-' stand anywhere after the store
 * (provex ls S -origin:real): moves the arguments that read as such a
 * filter (not options of shortopts/longopts, nor their values) to the end
 * of argv, keeping their order, and returns the count of those before
 * them, to give getopt_long instead of argc.  The positional arguments
 * are then argv[optind..argc) as usual. */
struct option;
int cli_filter_dash(int argc, char **argv, const char *shortopts,
		    const struct option *longopts);
/* A usage error for an unknown option that names the '--' way of writing
 * a filter that starts with '-'. */
int cli_bad_option(const char *cmd);
/* Checks a metadata path given to option opt of cmd (e.g. --index-meta);
 * EXIT_OK, or prints a usage error and returns EXIT_USAGE. */
int cli_meta_path_check(const char *cmd, const char *opt, const char *text);
/* Creates (or drops, where drop[k]) the metadata indexes paths[0..n) of
 * the store at path, saying what it did on stderr unless quiet. */
int cli_meta_indexes(const char *path, const char *const *paths, const bool *drop,
		     size_t n, bool quiet);

#endif
