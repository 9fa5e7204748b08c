/*
 * theme.h - the colours and attributes of every role the interface draws
 * with, read from a YAML theme file (themes/NAME.yaml) or the compiled-in
 * default, and turned into ncurses attributes for the terminal at hand.
 *
 * A theme file:
 *
 *     name: default
 *     roles:
 *       cursor: { fg: black, bg: cyan, attrs: [bold] }
 *       ...
 *
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-<name>, or a 256-colour number 0..255.  Attributes: bold, dim,
 * underline, reverse, italic.  A role missing from a file keeps the
 * default theme's style; a role given is set by the file alone (fg and bg
 * default to the terminal's colours, attrs to none).  A file without name
 * is named after the file (light.yaml: "light").  An unknown role, colour,
 * attribute or key, a number outside 0..255, a value of the wrong kind and
 * YAML syntax errors are PV_EPARSE with file:line:column (1-based, columns
 * in bytes) and a message saying what is allowed.
 *
 * Loading touches no terminal (tested headless); theme_attrs() is the one
 * function that needs ncurses to be started.
 */
#ifndef PV_THEME_H
#define PV_THEME_H

#include <stdbool.h>
#include "../common/pv.h"

/* Every role, in the order of role_names in theme.c. */
enum role {
	R_LIST,            /* list rows, document text */
	R_CURSOR,          /* the selected row */
	R_HEADER,          /* column headers, document header */
	R_BADGE_REAL, R_BADGE_SYNTHETIC, R_BADGE_UNKNOWN,
	R_DIFF_SHARED, R_DIFF_LEFT, R_DIFF_RIGHT,   /* compare view word diff */
	R_MATCH,           /* search matches */
	R_STATUS,          /* status line */
	R_ERROR,           /* errors, the caret under a filter error */
	R_PLACEHOLDER,     /* ^[ \xff and other stand-ins for unsafe bytes */
	R_TAGGED,          /* tagged rows */
	R_LINENO,          /* line numbers in the reader */
	R_DIM,             /* secondary text: help descriptions, meta keys */
	R_N
};

enum { THEME_DEFAULT_COLOR = -1 };

enum {
	TA_BOLD = 1, TA_DIM = 2, TA_UNDERLINE = 4, TA_REVERSE = 8, TA_ITALIC = 16
};

struct theme_style {
	int fg, bg;              /* THEME_DEFAULT_COLOR, or 0..255 */
	unsigned attrs;          /* TA_* */
};

struct theme {
	char name[64];
	struct theme_style style[R_N];
};

/* "cursor", "badge-real"... (the names theme files use). */
const char *theme_role_name(enum role r);

/* The compiled-in default theme (the same as themes/default.yaml). */
void theme_default(struct theme *out);

/* Reads a theme file over the default theme.  On error (PV_EIO, PV_EPARSE)
 * err names the file, line and column, and *out holds the default. */
int theme_load_file(struct theme *out, const char *path, struct pv_err *err);

/* Finds a theme by name or path: an argument holding '/' or ending in
 * ".yaml" is a file (theme_load_file); otherwise NAME.yaml is looked for in
 * $XDG_CONFIG_HOME/provex/themes (else ~/.config/provex/themes), then in
 * the installed themes folder (PV_DATADIR/themes), then in the source
 * tree's themes/ (PV_SRCDIR, for running from a build folder); "default"
 * always exists (compiled in).  PV_ENOTFOUND names the places looked in. */
int theme_load(struct theme *out, const char *name_or_path, struct pv_err *err);

/* The names of the themes found in those places, plus "default", sorted
 * and without repeats; the caller frees each name and the array.  Returns
 * 0 (folders that cannot be read are skipped). */
int theme_list(char ***names, size_t *n);

/* The nearest of the 8 basic colours (0..7) to a 256-colour number (for
 * 8-colour terminals): 16..255 by RGB distance (xterm's 6x6x6 cube and
 * grey ramp against xterm's basic eight); 0..15 map to c % 8;
 * THEME_DEFAULT_COLOR stays itself. */
int theme_color8(int c);

/* The ncurses attributes (colour pair included) for every role, on the
 * started terminal: uses 256 colours when the terminal has them, else
 * theme_color8(); with no_color (NO_COLOR set) or a terminal without
 * colours, attributes only (the cursor gets A_REVERSE when it has no bold,
 * underline or reverse, so it stays visible).  Defines colour pairs 1..R_N
 * (pair r + 1 for role r; roles with both colours default use pair 0).
 * The caller has called initscr/newterm and, when has_colors(),
 * start_color() and use_default_colors(), so that -1 is the terminal's
 * own colour.  Call again after changing theme.  out[] holds attr_t
 * values. */
void theme_attrs(const struct theme *t, bool no_color, unsigned long out[R_N]);

#endif
