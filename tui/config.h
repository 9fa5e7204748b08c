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
 * Ownership: struct config owns every string in it; config_done frees.
 */
#ifndef PV_CONFIG_H
#define PV_CONFIG_H

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
	char *quick[CONFIG_QUICK];   /* quick[0] is key 1; NULL: unbound */
	char *columns[CONFIG_MAX_COLUMNS];   /* list view columns, in order */
	size_t ncolumns;         /* 0: the default columns */
	struct config_key keys[CONFIG_MAX_KEYS];
	size_t nkeys;
};

/* The list columns a configuration may name, NULL-terminated. */
extern const char *const config_column_names[];

/* Fills c with the defaults (quick labels keep, drop, flag). */
void config_defaults(struct config *c);

/* The configuration file's path ($XDG_CONFIG_HOME or ~/.config), caller
 * frees; NULL when neither variable is set. */
char *config_path(void);

/* config_defaults, then reads path (NULL: config_path()).  A missing file
 * is not an error (returns 0, c->path NULL).  On error returns PV_EPARSE or
 * PV_EIO with err->file/line/column set, and c holds the defaults. */
int config_load(struct config *c, const char *path, struct pv_err *err);

/* Appends the effective configuration as YAML (what provex config --print
 * shows; it reads back to the same configuration). */
void config_print(const struct config *c, struct buf *out);

void config_done(struct config *c);

#endif
