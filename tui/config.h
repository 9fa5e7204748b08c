/*
 * config.h - the user's configuration: $XDG_CONFIG_HOME/provex/config.yaml,
 * else ~/.config/provex/config.yaml.
 *
 *     reviewer: alice
 *     theme: light
 *     columns: [id, origin, source, generator, purpose, label, size, text]
 *     quick-labels:            # keys 1-9 in the interface
 *       1: keep
 *       2: drop
 *       3: flag
 *       4: needs-second-look
 *     keys:                    # action: key
 *       quit: q
 *       filter: /
 *
 * A broken file (YAML syntax, an unknown setting, a bad value) is reported
 * with file:line:column; the caller warns and goes on with the defaults
 * (config_load leaves the defaults in place for everything).
 *
 * Settings given in the file replace the defaults one by one: quick-labels
 * rebinds only the keys it names (a key set to ~ is unbound), keys rebinds
 * only the actions it names.  Values are checked here (column
 * names, label values as label_check_value does); action and key names
 * are checked by the interface, which reports them with the line and
 * column kept in struct config_key.
 *
 * This file also holds the YAML file reader that theme.c shares: a file
 * read whole, parsed into one document, with every message placed at
 * file:line:column (1-based, columns counted in bytes).
 *
 * Ownership: struct config owns every string in it; config_done frees.
 */
#ifndef PV_CONFIG_H
#define PV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "../common/pv.h"
#include "../common/buf.h"

#define CONFIG_QUICK 9          /* quick labels on keys 1..9 */
#define CONFIG_MAX_COLUMNS 16
#define CONFIG_MAX_KEYS 64

struct config_key {
	char *action;            /* an action name of the key table (tui/keys.h) */
	char *key;               /* a key name: "q", "C-t", "Enter", "F1"... */
	long line, column;       /* where it was set, for messages */
};

struct config {
	char *path;              /* the file read, or NULL when there was none */
	char *reviewer;          /* NULL: not set */
	char *theme;             /* NULL: not set ("default") */
	long theme_line, theme_column;   /* where theme: was set (messages) */
	char *quick[CONFIG_QUICK];   /* quick[0] is key 1; NULL: unbound */
	char *columns[CONFIG_MAX_COLUMNS];   /* list view columns, in order */
	size_t ncolumns;         /* 0: the default columns */
	struct config_key keys[CONFIG_MAX_KEYS];
	size_t nkeys;
};

/* The list columns a configuration may name, NULL-terminated. */
extern const char *const config_column_names[];

/* The columns shown when the file names none (ncolumns 0), NULL-terminated:
 * id, origin, source, generator, purpose, label, size, text. */
extern const char *const config_default_columns[];

/* Fills c with the defaults (quick labels keep, drop, flag). */
void config_defaults(struct config *c);

/* The configuration file's path ($XDG_CONFIG_HOME or ~/.config), caller
 * frees; NULL when neither variable is set. */
char *config_path(void);

/* config_defaults, then reads path (NULL: config_path()).  A missing file
 * is not an error (returns 0, c->path NULL).  On error returns PV_EPARSE or
 * PV_EIO with err->file/line/column set, and c holds the defaults (c->path
 * NULL).  c is overwritten, not freed: config_done a loaded one first. */
int config_load(struct config *c, const char *path, struct pv_err *err);

/* Appends the effective configuration as YAML (what provex config --print
 * shows; it reads back to the same configuration). */
void config_print(const struct config *c, struct buf *out);

/* Frees every string of c and leaves it empty (not the defaults); c may
 * be loaded again. */
void config_done(struct config *c);

/* ---- YAML files, shared with theme.c ----
 * The node type is libyaml's yaml_node_t (include <yaml.h> to look inside);
 * nodes belong to the file and live until config_yaml_close. */
struct config_yaml;
struct yaml_node_s;

/* Reads and parses the file at path (what names it in messages: "theme
 * file").  Returns 0 with *out set, PV_ENOTFOUND when the file does not
 * exist, PV_EIO when it cannot be read, PV_EPARSE for YAML syntax errors
 * and for a second document in the file, all with err set; *out is NULL
 * on error. */
int config_yaml_open(struct config_yaml **out, const char *path,
		     const char *what, struct pv_err *err);

/* The document's root node; NULL for an empty file. */
struct yaml_node_s *config_yaml_root(struct config_yaml *y);

/* The node with libyaml's 1-based index i (from a pair or an item). */
struct yaml_node_s *config_yaml_node(struct config_yaml *y, int i);

/* Where node n starts: 1-based line and byte column. */
void config_yaml_where(const struct config_yaml *y, const struct yaml_node_s *n,
		       long *line, long *column);

/* Fills err (as given to config_yaml_open) with PV_EPARSE at node n and a
 * printf-style message; returns PV_EPARSE. */
int config_yaml_fail(struct config_yaml *y, const struct yaml_node_s *n,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* True for a plain scalar that YAML reads as null: "", ~, null. */
bool config_yaml_is_null(const struct yaml_node_s *n);

/* "a mapping", "a list", "a string" (for "expected X, not Y" messages). */
const char *config_yaml_kind(const struct yaml_node_s *n);

/* Frees y and its nodes.  NULL is allowed. */
void config_yaml_close(struct config_yaml *y);

#endif
