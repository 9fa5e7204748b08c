/*
 * settings.h - the user's settings file: $XDG_CONFIG_HOME/provex/config.yaml,
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
 * (settings_load leaves the defaults in place for everything).
 *
 * Settings given in the file replace the defaults one by one: quick-labels
 * rebinds only the keys it names (a key set to ~ is unbound), keys rebinds
 * only the actions it names.  Values are checked here (column
 * names, label values as label_check_value does); action and key names
 * are checked by the interface, which reports them with the line and
 * column kept in struct settings_key.
 *
 * The file is read with common/yaml.h, which places every message at
 * file:line:column (1-based, columns counted in bytes).
 *
 * Ownership: struct settings owns every string in it; settings_done frees.
 */
#ifndef PV_SETTINGS_H
#define PV_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include "pv.h"
#include "buf.h"

#define SETTINGS_QUICK 9          /* quick labels on keys 1..9 */
#define SETTINGS_MAX_COLUMNS 16
#define SETTINGS_MAX_KEYS 64

struct settings_key {
	char *action;            /* an action name of the key table (tui/keys.h) */
	char *key;               /* a key name: "q", "C-t", "Enter", "F1"... */
	long line, column;       /* where it was set, for messages */
};

struct settings {
	char *path;              /* the file read, or NULL when there was none */
	char *reviewer;          /* NULL: not set (common/reviewer.h decides) */
	long reviewer_line, reviewer_column;   /* where reviewer: was set */
	char *theme;             /* NULL: not set ("default") */
	long theme_line, theme_column;   /* where theme: was set (messages) */
	char *quick[SETTINGS_QUICK];   /* quick[0] is key 1; NULL: unbound */
	char *columns[SETTINGS_MAX_COLUMNS];   /* list view columns, in order */
	size_t ncolumns;         /* 0: the default columns */
	struct settings_key keys[SETTINGS_MAX_KEYS];
	size_t nkeys;
};

/* The list columns a configuration may name, NULL-terminated. */
extern const char *const settings_column_names[];

/* The columns shown when the file names none (ncolumns 0), NULL-terminated:
 * id, origin, source, generator, purpose, label, size, text. */
extern const char *const settings_default_columns[];

/* Fills c with the defaults (quick labels keep, drop, flag). */
void settings_defaults(struct settings *c);

/* The configuration file's path ($XDG_CONFIG_HOME or ~/.config), caller
 * frees; NULL when neither variable is set. */
char *settings_path(void);

/* settings_defaults, then reads path (NULL: settings_path()).  A missing file
 * is not an error (returns 0, c->path NULL).  On error returns PV_EPARSE or
 * PV_EIO with err->file/line/column set, and c holds the defaults (c->path
 * NULL).  c is overwritten, not freed: settings_done a loaded one first. */
int settings_load(struct settings *c, const char *path, struct pv_err *err);

/* Appends the effective configuration as YAML (what provex config --print
 * shows; it reads back to the same configuration). */
void settings_print(const struct settings *c, struct buf *out);

/* Frees every string of c and leaves it empty (not the defaults); c may
 * be loaded again. */
void settings_done(struct settings *c);

#endif
