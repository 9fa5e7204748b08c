/*
 * theme.c - themes: the role table, the compiled-in default theme, theme
 * files (YAML) and the ncurses attributes a theme gives on a terminal.
 *
 * A theme is a plain value (struct theme, no heap memory).  Loading starts
 * from the default theme and lays the file's roles over it; a role given in
 * a file is set completely by it (fg and bg default to the terminal's
 * colours, attrs to none), a role the file leaves out keeps the default
 * theme's style.  Any mistake makes the whole load fail with
 * file:line:column, leaving the default theme in *out.
 *
 * The YAML file reader is common/yaml.c's (yaml_file_*), shared with the
 * settings and rules files so that every kind of file reports errors the
 * same way.  Only theme_attrs() talks to
 * ncurses; everything else runs without a terminal.
 */
#include "theme.h"
#include "../common/buf.h"
#include "../common/yaml.h"

#include <curses.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

static const char *const role_names[R_N] = {
	"list", "cursor", "header",
	"badge-real", "badge-synthetic", "badge-unknown",
	"diff-shared", "diff-only-left", "diff-only-right",
	"match", "status", "error", "placeholder",
	"tagged", "lineno", "dim"
};

/* The basic colours by number: 0..7, and 8..15 as bright-<name>. */
static const char *const color_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const char *const attr_names[] = {
	"bold", "dim", "underline", "reverse", "italic"
};

#define D THEME_DEFAULT_COLOR

/* The default theme; themes/default.yaml says the same (a unit test checks). */
static const struct theme_style default_style[R_N] = {
	[R_LIST]            = { D, D, 0 },
	[R_CURSOR]          = { COLOR_BLACK, COLOR_CYAN, 0 },
	[R_HEADER]          = { D, D, TA_BOLD },
	[R_BADGE_REAL]      = { COLOR_GREEN, D, TA_BOLD },
	[R_BADGE_SYNTHETIC] = { COLOR_MAGENTA, D, TA_BOLD },
	[R_BADGE_UNKNOWN]   = { COLOR_YELLOW, D, 0 },
	[R_DIFF_SHARED]     = { D, D, TA_DIM },
	[R_DIFF_LEFT]       = { COLOR_BLACK, COLOR_GREEN, 0 },
	[R_DIFF_RIGHT]      = { COLOR_BLACK, COLOR_MAGENTA, 0 },
	[R_MATCH]           = { COLOR_BLACK, COLOR_YELLOW, 0 },
	[R_STATUS]          = { COLOR_BLACK, COLOR_WHITE, 0 },
	[R_ERROR]           = { 8 + COLOR_WHITE, COLOR_RED, TA_BOLD },
	[R_PLACEHOLDER]     = { COLOR_RED, D, TA_REVERSE },
	[R_TAGGED]          = { 8 + COLOR_YELLOW, D, TA_BOLD },
	[R_LINENO]          = { COLOR_CYAN, D, 0 },
	[R_DIM]             = { D, D, TA_DIM },
};

#undef D

const char *theme_role_name(enum role r)
{
	return (unsigned)r < R_N ? role_names[r] : "?";
}

void theme_default(struct theme *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "default");
	memcpy(out->style, default_style, sizeof default_style);
}

/* ===================================================================== */
/* Theme files                                                            */
/* ===================================================================== */

/* A scalar node's text, shortened for messages. */
#define SHOWN(n) (int)PV_MIN((n)->data.scalar.length, 40), \
		 (const char *)(n)->data.scalar.value

/* True when node n is a scalar equal to s. */
static bool scalar_is(const yaml_node_t *n, const char *s)
{
	return n->type == YAML_SCALAR_NODE &&
	       strlen(s) == n->data.scalar.length &&
	       !memcmp(n->data.scalar.value, s, n->data.scalar.length);
}

/*
 * Parses a colour (node v, for role and key fg/bg) into *c: default, a
 * name, bright-<name> or 0..255.  Returns 0 or PV_EPARSE.
 */
static int load_color(struct yaml_file *y, const yaml_node_t *v,
		      const char *role, const char *key, int *c)
{
	const char *s;
	size_t i, len;

	if (v->type != YAML_SCALAR_NODE || yaml_file_is_null(v))
		return yaml_file_fail(y, v, "%s %s: expected a colour, not %s",
					role, key, yaml_file_kind(v));
	s = (const char *)v->data.scalar.value;
	len = v->data.scalar.length;
	if (scalar_is(v, "default")) {
		*c = THEME_DEFAULT_COLOR;
		return 0;
	}
	for (i = 0; i < 8; i++) {
		if (scalar_is(v, color_names[i])) {
			*c = (int)i;
			return 0;
		}
		if (len == 7 + strlen(color_names[i]) && !memcmp(s, "bright-", 7) &&
		    !strcmp(s + 7, color_names[i])) {
			*c = 8 + (int)i;
			return 0;
		}
	}
	i = (len && s[0] == '-') ? 1 : 0;
	if (len > i && strspn(s + i, "0123456789") == len - i) {
		long n = len - i > 4 ? 1000 : strtol(s, NULL, 10);

		if (n < 0 || n > 255)
			return yaml_file_fail(y, v, "%s %s: colour %.*s is "
						"outside 0..255", role, key, SHOWN(v));
		*c = (int)n;
		return 0;
	}
	return yaml_file_fail(y, v, "%s %s: unknown colour '%.*s'; colours "
				"are default, black, red, green, yellow, blue, "
				"magenta, cyan, white, bright-<name> or a number "
				"0..255", role, key, SHOWN(v));
}

/* Parses the attribute name in scalar node n into the bits at *attrs. */
static int load_attr(struct yaml_file *y, const yaml_node_t *n,
		     const char *role, unsigned *attrs)
{
	size_t i;

	if (n->type == YAML_SCALAR_NODE && !yaml_file_is_null(n))
		for (i = 0; i < PV_ARRAY_LEN(attr_names); i++)
			if (scalar_is(n, attr_names[i])) {
				*attrs |= 1u << i;
				return 0;
			}
	if (n->type != YAML_SCALAR_NODE || yaml_file_is_null(n))
		return yaml_file_fail(y, n, "%s attrs: expected an attribute "
					"name, not %s", role, yaml_file_kind(n));
	return yaml_file_fail(y, n, "%s attrs: unknown attribute '%.*s'; "
				"attributes are bold, dim, underline, reverse "
				"and italic", role, SHOWN(n));
}

/* Parses one role's mapping (node v) into *st. */
static int load_style(struct yaml_file *y, const yaml_node_t *v,
		      const char *role, struct theme_style *st)
{
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	int rc;

	if (v->type != YAML_MAPPING_NODE)
		return yaml_file_fail(y, v, "%s: expected a mapping like "
					"{ fg: black, bg: cyan, attrs: [bold] }, "
					"not %s", role, yaml_file_kind(v));
	st->fg = st->bg = THEME_DEFAULT_COLOR;
	st->attrs = 0;
	for (pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_file_node(y, pr->key);
		yaml_node_t *n = yaml_file_node(y, pr->value);

		if (scalar_is(k, "fg")) {
			rc = load_color(y, n, role, "fg", &st->fg);
		} else if (scalar_is(k, "bg")) {
			rc = load_color(y, n, role, "bg", &st->bg);
		} else if (scalar_is(k, "attrs")) {
			rc = 0;
			if (n->type == YAML_SEQUENCE_NODE) {
				for (it = n->data.sequence.items.start;
				     !rc && it < n->data.sequence.items.top; it++)
					rc = load_attr(y, yaml_file_node(y, *it),
						       role, &st->attrs);
			} else if (!yaml_file_is_null(n)) {
				rc = load_attr(y, n, role, &st->attrs);
			}
		} else if (k->type == YAML_SCALAR_NODE) {
			rc = yaml_file_fail(y, k, "%s: unknown key '%.*s'; a role "
					      "has fg, bg and attrs", role, SHOWN(k));
		} else {
			rc = yaml_file_fail(y, k, "%s: expected fg, bg or attrs, "
					      "not %s", role, yaml_file_kind(k));
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* Parses the roles mapping (node v) into t. */
static int load_roles(struct yaml_file *y, const yaml_node_t *v,
		      struct theme *t)
{
	const yaml_node_t *seen[R_N] = { NULL };
	yaml_node_pair_t *pr;
	int r, rc;

	if (v->type != YAML_MAPPING_NODE)
		return yaml_file_fail(y, v, "roles: expected a mapping of role "
					"names to styles, not %s",
					yaml_file_kind(v));
	for (pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_file_node(y, pr->key);

		for (r = 0; r < R_N; r++)
			if (scalar_is(k, role_names[r]))
				break;
		if (r == R_N && k->type != YAML_SCALAR_NODE)
			return yaml_file_fail(y, k, "roles: expected a role "
						"name, not %s", yaml_file_kind(k));
		if (r == R_N)
			return yaml_file_fail(y, k, "unknown role '%.*s'; the "
						"roles are list, cursor, header, "
						"badge-real, badge-synthetic, "
						"badge-unknown, diff-shared, "
						"diff-only-left, diff-only-right, "
						"match, status, error, placeholder, "
						"tagged, lineno, dim", SHOWN(k));
		if (seen[r])
			return yaml_file_fail(y, k, "role %s is set twice (first "
						"at line %lu)", role_names[r],
						(unsigned long)seen[r]->start_mark.line + 1);
		seen[r] = k;
		rc = load_style(y, yaml_file_node(y, pr->value), role_names[r],
				&t->style[r]);
		if (rc)
			return rc;
	}
	return 0;
}

/* Parses the root mapping (NULL: an empty file) into t. */
static int load_theme(struct yaml_file *y, const yaml_node_t *root,
		      struct theme *t)
{
	const yaml_node_t *seen_name = NULL, *seen_roles = NULL;
	yaml_node_pair_t *pr;
	int rc;

	if (!root || yaml_file_is_null(root))
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return yaml_file_fail(y, root, "expected a mapping with name "
					"and roles, not %s", yaml_file_kind(root));
	for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_file_node(y, pr->key);
		yaml_node_t *v = yaml_file_node(y, pr->value);

		if (scalar_is(k, "name")) {
			if (seen_name)
				return yaml_file_fail(y, k, "name is set twice");
			seen_name = k;
			if (v->type != YAML_SCALAR_NODE || yaml_file_is_null(v) ||
			    memchr(v->data.scalar.value, '\0', v->data.scalar.length))
				return yaml_file_fail(y, v, "name: expected a "
							"string, not %s",
							yaml_file_kind(v));
			if (v->data.scalar.length >= sizeof t->name)
				return yaml_file_fail(y, v, "name: at most %zu "
							"bytes", sizeof t->name - 1);
			snprintf(t->name, sizeof t->name, "%s",
				 (const char *)v->data.scalar.value);
		} else if (scalar_is(k, "roles")) {
			if (seen_roles)
				return yaml_file_fail(y, k, "roles is set twice");
			seen_roles = k;
			if (yaml_file_is_null(v))
				continue;
			rc = load_roles(y, v, t);
			if (rc)
				return rc;
		} else if (k->type == YAML_SCALAR_NODE) {
			return yaml_file_fail(y, k, "unknown key '%.*s'; a theme "
						"has name and roles", SHOWN(k));
		} else {
			return yaml_file_fail(y, k, "expected name or roles, not %s",
						yaml_file_kind(k));
		}
	}
	return 0;
}

int theme_load_file(struct theme *out, const char *path, struct pv_err *err)
{
	struct yaml_file *y;
	struct theme t;
	const char *base = strrchr(path, '/');
	size_t n;
	int rc;

	theme_default(out);
	theme_default(&t);
	/* the name, unless the file gives one: the file's name less .yaml */
	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".yaml"))
		n -= 5;
	snprintf(t.name, sizeof t.name, "%.*s", (int)PV_MIN(n, sizeof t.name - 1), base);

	rc = yaml_file_open(&y, path, "theme file", 0, err);
	if (!rc && (rc = yaml_file_end(y)) != 0)
		yaml_file_close(y);
	if (rc == PV_ENOTFOUND) {
		if (err)
			err->code = PV_EIO;
		return PV_EIO;
	}
	if (rc)
		return rc;
	rc = load_theme(y, yaml_file_root(y), &t);
	yaml_file_close(y);
	if (!rc)
		*out = t;
	return rc;
}

/* ===================================================================== */
/* Finding themes                                                         */
/* ===================================================================== */

/* The folders themes are looked for in, in order: new strings in dirs[]
 * (caller frees); returns how many. */
static size_t theme_dirs(char *dirs[3])
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct buf b = BUF_INIT;
	size_t n = 0;

	if (xdg && *xdg)
		buf_printf(&b, "%s/provex/themes", xdg);
	else if (home && *home)
		buf_printf(&b, "%s/.config/provex/themes", home);
	if (b.len)
		dirs[n++] = buf_take(&b);
	dirs[n++] = pv_strdup(PV_DATADIR "/themes");
	if (strcmp(PV_SRCDIR "/themes", PV_DATADIR "/themes") != 0)
		dirs[n++] = pv_strdup(PV_SRCDIR "/themes");
	buf_done(&b);
	return n;
}

int theme_load(struct theme *out, const char *name_or_path, struct pv_err *err)
{
	const char *name = name_or_path;
	char *dirs[3], **names = NULL;
	struct buf path = BUF_INIT, msg = BUF_INIT;
	size_t len = strlen(name), ndirs, nnames = 0, i;
	int rc = PV_ENOTFOUND;

	if (strchr(name, '/') || (len >= 5 && !strcmp(name + len - 5, ".yaml")))
		return theme_load_file(out, name, err);
	theme_default(out);
	ndirs = theme_dirs(dirs);
	for (i = 0; i < ndirs && rc == PV_ENOTFOUND; i++) {
		if (!*name || name[0] == '.')
			break;
		buf_reset(&path);
		buf_printf(&path, "%s/%s.yaml", dirs[i], name);
		if (access(buf_str(&path), F_OK) == 0)
			rc = theme_load_file(out, buf_str(&path), err);
	}
	if (rc == PV_ENOTFOUND && !strcmp(name, "default"))
		rc = 0;
	if (rc == PV_ENOTFOUND) {
		buf_printf(&msg, "no theme called '%.64s' (looked in", name);
		for (i = 0; i < ndirs; i++)
			buf_printf(&msg, "%s %s", i ? "," : "", dirs[i]);
		buf_puts(&msg, "); the themes are");
		theme_list(&names, &nnames);
		for (i = 0; i < nnames; i++) {
			buf_printf(&msg, "%s %s", i ? "," : "", names[i]);
			free(names[i]);
		}
		free(names);
		pv_errf(err, PV_ENOTFOUND, "%s", buf_str(&msg));
	}
	for (i = 0; i < ndirs; i++)
		free(dirs[i]);
	buf_done(&path);
	buf_done(&msg);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends a copy of the len bytes at s to the array *v of *cnt names. */
static void add_name(char ***v, size_t *cnt, size_t *cap, const char *s,
		     size_t len)
{
	if (*cnt == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = pv_realloc(*v, *cap * sizeof **v);
	}
	(*v)[(*cnt)++] = pv_strndup(s, len);
}

int theme_list(char ***names, size_t *n)
{
	char *dirs[3], **v = NULL;
	size_t ndirs, i, cnt = 0, cap = 0, k;
	struct dirent *de;
	DIR *d;

	add_name(&v, &cnt, &cap, "default", 7);
	ndirs = theme_dirs(dirs);
	for (i = 0; i < ndirs; i++) {
		if (!(d = opendir(dirs[i])))
			continue;
		while ((de = readdir(d))) {
			size_t len = strlen(de->d_name);

			if (len > 5 && de->d_name[0] != '.' &&
			    !strcmp(de->d_name + len - 5, ".yaml"))
				add_name(&v, &cnt, &cap, de->d_name, len - 5);
		}
		closedir(d);
	}
	for (i = 0; i < ndirs; i++)
		free(dirs[i]);
	qsort(v, cnt, sizeof *v, cmp_names);
	for (i = k = 0; i < cnt; i++) {
		if (k && !strcmp(v[k - 1], v[i])) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	*names = v;
	*n = k;
	return 0;
}

/* ===================================================================== */
/* Colours on the terminal                                                */
/* ===================================================================== */

/* The RGB value of a 256-colour number 16..255 (xterm's palette). */
static void color_rgb(int c, int rgb[3])
{
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };

	if (c >= 232) {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
		return;
	}
	c -= 16;
	rgb[0] = level[c / 36];
	rgb[1] = level[(c / 6) % 6];
	rgb[2] = level[c % 6];
}

int theme_color8(int c)
{
	/* the basic eight as xterm shows them */
	static const int basic[8][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
		{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 }
	};
	int rgb[3], best = 0, i, k;
	long d, bestd = -1;

	if (c < 0)
		return c;
	if (c < 16)
		return c % 8;
	if (c > 255)
		c = 255;
	color_rgb(c, rgb);
	for (i = 0; i < 8; i++) {
		for (d = 0, k = 0; k < 3; k++)
			d += (long)(rgb[k] - basic[i][k]) * (rgb[k] - basic[i][k]);
		if (bestd < 0 || d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
}

/* Colour c as the terminal can show it (COLORS of them). */
static int term_color(int c)
{
	if (c < 0 || c < COLORS)
		return c;
	return theme_color8(c);
}

/*
 * The caller has started the terminal, and called start_color() and
 * use_default_colors() when it has colours; -1 is the terminal's own
 * colour.  If the terminal refuses -1 (use_default_colors failed), white
 * on black stands in for it.
 */
void theme_attrs(const struct theme *t, bool no_color, unsigned long out[R_N])
{
	bool color = !no_color && has_colors() && COLORS >= 8;
	int r;

	for (r = 0; r < R_N; r++) {
		const struct theme_style *s = &t->style[r];
		attr_t a = 0;
		int fg, bg;

		if (s->attrs & TA_BOLD)
			a |= A_BOLD;
		if (s->attrs & TA_DIM)
			a |= A_DIM;
		if (s->attrs & TA_UNDERLINE)
			a |= A_UNDERLINE;
		if (s->attrs & TA_REVERSE)
			a |= A_REVERSE;
		if (s->attrs & TA_ITALIC)
			a |= A_ITALIC;
		if (color && r + 1 < COLOR_PAIRS &&
		    (s->fg != THEME_DEFAULT_COLOR || s->bg != THEME_DEFAULT_COLOR)) {
			fg = term_color(s->fg);
			bg = term_color(s->bg);
			if (init_pair((short)(r + 1), (short)fg, (short)bg) == ERR)
				init_pair((short)(r + 1),
					  (short)(fg < 0 ? COLOR_WHITE : fg),
					  (short)(bg < 0 ? COLOR_BLACK : bg));
			a |= COLOR_PAIR(r + 1);
		}
		if (!color && r == R_CURSOR && !(a & (A_REVERSE | A_UNDERLINE | A_BOLD)))
			a |= A_REVERSE;
		out[r] = (unsigned long)a;
	}
}
