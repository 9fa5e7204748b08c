/*
 * test_theme.c - unit tests for tui/theme.c and common/settings.c: the role
 * names, the compiled-in default against themes/default.yaml, the shipped
 * themes, 8-colour fallbacks, theme errors with their exact line:column,
 * finding and listing themes, and the configuration file (settings, errors,
 * defaults after an error, and the settings_print round trip).
 *
 * Files are written into a private mkdtemp folder, which also serves as
 * $XDG_CONFIG_HOME; it is removed at the end.  Nothing needs a terminal:
 * theme_attrs() is not called.
 */
#include "common/pv.h"
#include "common/buf.h"
#include "tui/theme.h"
#include "common/settings.h"
#include "tests/tap.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

/* Writes text to tmpdir/name; returns the path (static, overwritten by the
 * next call). */
static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	fp = fopen(path, "wb");
	if (!fp) {
		perror(path);
		abort();
	}
	fwrite(text, 1, strlen(text), fp);
	fclose(fp);
	return path;
}

/* Reads a whole file into a new string (NULL when it cannot). */
static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	return buf_take(&b);
}

static bool same_theme(const struct theme *a, const struct theme *b)
{
	int r;

	if (strcmp(a->name, b->name))
		return false;
	for (r = 0; r < R_N; r++)
		if (a->style[r].fg != b->style[r].fg ||
		    a->style[r].bg != b->style[r].bg ||
		    a->style[r].attrs != b->style[r].attrs)
			return false;
	return true;
}

/* ---- themes ---------------------------------------------------------- */

static void test_roles(void)
{
	int r, k;
	bool distinct = true;

	is_str(theme_role_name(R_LIST), "list", "role list");
	is_str(theme_role_name(R_BADGE_SYNTHETIC), "badge-synthetic", "role badge-synthetic");
	is_str(theme_role_name(R_DIFF_LEFT), "diff-only-left", "role diff-only-left");
	is_str(theme_role_name(R_DIFF_RIGHT), "diff-only-right", "role diff-only-right");
	is_str(theme_role_name(R_PLACEHOLDER), "placeholder", "role placeholder");
	is_str(theme_role_name(R_DIM), "dim", "the last role is dim");
	for (r = 0; r < R_N; r++)
		for (k = 0; k < r; k++)
			if (!strcmp(theme_role_name((enum role)r), theme_role_name((enum role)k)))
				distinct = false;
	ok(distinct, "role names are distinct");
}

static void test_default_file(void)
{
	struct theme def, file;
	struct pv_err e;
	int rc;

	theme_default(&def);
	is_str(def.name, "default", "the compiled-in theme is called default");
	rc = theme_load_file(&file, PV_SRCDIR "/themes/default.yaml", &e);
	is_int(rc, 0, "themes/default.yaml loads");
	if (rc)
		printf("#   %s\n", e.msg);
	ok(same_theme(&def, &file), "the compiled-in default equals themes/default.yaml");
	is_int(def.style[R_CURSOR].fg, 0, "default cursor fg black");
	is_int(def.style[R_CURSOR].bg, 6, "default cursor bg cyan");
	is_int(def.style[R_ERROR].fg, 15, "bright-white is 15");
	is_int(def.style[R_LIST].fg, THEME_DEFAULT_COLOR, "list fg is the terminal's");
	is_int(def.style[R_PLACEHOLDER].attrs, TA_REVERSE, "placeholder reverse");
}

/* Each shipped theme loads, names itself, and its file names every role. */
static void test_shipped(void)
{
	static const char *const names[] = { "default", "light", "high-contrast", "mono" };
	struct theme t;
	struct pv_err e;
	char path[512], want[64];
	size_t i;
	int r;

	for (i = 0; i < PV_ARRAY_LEN(names); i++) {
		char *text;
		bool all = true, visible = true;

		snprintf(path, sizeof path, "%s/themes/%s.yaml", PV_SRCDIR, names[i]);
		is_int(theme_load_file(&t, path, &e), 0, "%s.yaml loads", names[i]);
		if (!ok(!strcmp(t.name, names[i]), "%s.yaml is called %s", names[i], names[i]))
			printf("#   it is called %s\n", t.name);
		text = slurp(path);
		for (r = 0; text && r < R_N; r++) {
			snprintf(want, sizeof want, "\n  %s:", theme_role_name((enum role)r));
			if (!strstr(text, want)) {
				all = false;
				printf("#   %s.yaml does not set %s\n", names[i],
				       theme_role_name((enum role)r));
			}
		}
		ok(text && all, "%s.yaml sets every role", names[i]);
		free(text);
		/* on an 8-colour terminal no role loses its letters */
		for (r = 0; r < R_N; r++) {
			const struct theme_style *s = &t.style[r];

			if (s->fg >= 0 && s->bg >= 0 &&
			    theme_color8(s->fg) == theme_color8(s->bg))
				visible = false;
		}
		ok(visible, "%s: fg and bg differ on 8-colour terminals", names[i]);
	}
}

static void test_mono(void)
{
	struct theme t;
	struct pv_err e;
	bool nocolor = true, attrs = true;
	int r;

	theme_load_file(&t, PV_SRCDIR "/themes/mono.yaml", &e);
	for (r = 0; r < R_N; r++) {
		if (t.style[r].fg != THEME_DEFAULT_COLOR || t.style[r].bg != THEME_DEFAULT_COLOR)
			nocolor = false;
		if (r != R_LIST && !t.style[r].attrs)
			attrs = false;
	}
	ok(nocolor, "mono sets no colour");
	ok(attrs, "mono gives every role but list an attribute");
#define DIFFER(a, b) (t.style[a].attrs != t.style[b].attrs)
	ok(DIFFER(R_BADGE_REAL, R_BADGE_SYNTHETIC) && DIFFER(R_BADGE_REAL, R_BADGE_UNKNOWN) &&
	   DIFFER(R_BADGE_SYNTHETIC, R_BADGE_UNKNOWN), "mono: the badges differ");
	ok(DIFFER(R_DIFF_SHARED, R_DIFF_LEFT) && DIFFER(R_DIFF_SHARED, R_DIFF_RIGHT) &&
	   DIFFER(R_DIFF_LEFT, R_DIFF_RIGHT), "mono: the diff parts differ");
	ok(DIFFER(R_CURSOR, R_TAGGED) && DIFFER(R_CURSOR, R_MATCH) &&
	   DIFFER(R_TAGGED, R_MATCH) && DIFFER(R_MATCH, R_PLACEHOLDER) &&
	   DIFFER(R_LIST, R_MATCH), "mono: cursor, tagged, match, placeholder differ");
#undef DIFFER
}

static void test_color8(void)
{
	is_int(theme_color8(0), 0, "0 -> black");
	is_int(theme_color8(7), 7, "7 -> white");
	is_int(theme_color8(9), 1, "9 (bright red) -> red");
	is_int(theme_color8(15), 7, "15 -> white");
	is_int(theme_color8(16), 0, "16 (cube black) -> black");
	is_int(theme_color8(196), 1, "196 (255,0,0) -> red");
	is_int(theme_color8(46), 2, "46 (0,255,0) -> green");
	is_int(theme_color8(226), 3, "226 (255,255,0) -> yellow");
	is_int(theme_color8(21), 4, "21 (0,0,255) -> blue");
	is_int(theme_color8(201), 5, "201 (255,0,255) -> magenta");
	is_int(theme_color8(51), 6, "51 (0,255,255) -> cyan");
	is_int(theme_color8(231), 7, "231 (255,255,255) -> white");
	is_int(theme_color8(232), 0, "232 (grey 8) -> black");
	is_int(theme_color8(255), 7, "255 (grey 238) -> white");
	is_int(theme_color8(24), 6, "24 (0,95,135) -> cyan");
	is_int(theme_color8(28), 2, "28 (0,135,0) -> green");
	is_int(theme_color8(THEME_DEFAULT_COLOR), THEME_DEFAULT_COLOR, "-1 stays the default");
}

/* A broken theme file: the load fails with PV_EPARSE at line:column, the
 * message holds want, and the default theme is left in place. */
static void theme_error(const char *text, long line, long col, const char *want,
			const char *what)
{
	struct theme t, def;
	struct pv_err e;
	const char *path = write_file("bad.yaml", text);
	int rc;

	pv_err_clear(&e);
	rc = theme_load_file(&t, path, &e);
	theme_default(&def);
	ok(rc == PV_EPARSE && e.code == PV_EPARSE && e.line == line &&
	   e.column == col && strstr(e.msg, want) && !strcmp(e.file, path) &&
	   same_theme(&t, &def), "theme error: %s", what);
	if (rc != PV_EPARSE || e.line != line || e.column != col || !strstr(e.msg, want))
		printf("#   rc %d at %ld:%ld: %s\n#   want %ld:%ld: ...%s...\n",
		       rc, e.line, e.column, e.msg, line, col, want);
}

static void test_theme_errors(void)
{
	struct theme t;
	struct pv_err e;
	char path[128];

	theme_error("name: x\nroles:\n  curser: { fg: red }\n", 3, 3,
		    "unknown role 'curser'; the roles are list, cursor", "unknown role");
	theme_error("roles:\n  cursor: { fg: red, bg: pink }\n", 2, 26,
		    "cursor bg: unknown colour 'pink'; colours are default, black",
		    "unknown colour name");
	theme_error("roles:\n  match:\n    fg: 256\n", 3, 9,
		    "match fg: colour 256 is outside 0..255", "number above 255");
	theme_error("roles:\n  match: { fg: -3 }\n", 2, 16,
		    "colour -3 is outside 0..255", "negative number");
	theme_error("roles:\n  status: { attrs: [bold, blink] }\n", 2, 27,
		    "status attrs: unknown attribute 'blink'; attributes are bold, dim, "
		    "underline, reverse and italic", "unknown attribute");
	theme_error("roles:\n  status: { colour: red }\n", 2, 13,
		    "status: unknown key 'colour'; a role has fg, bg and attrs",
		    "unknown key in a role");
	theme_error("roles:\n  status: red\n", 2, 11,
		    "status: expected a mapping", "a role that is not a mapping");
	theme_error("roles: [cursor]\n", 1, 8,
		    "roles: expected a mapping of role names to styles, not a list",
		    "roles as a list");
	theme_error("- cursor\n", 1, 1, "expected a mapping with name and roles, not a list",
		    "a list at the top");
	theme_error("name: x\ncolours: {}\n", 2, 1,
		    "unknown key 'colours'; a theme has name and roles", "unknown top-level key");
	theme_error("roles:\n  cursor: { fg: red\n  match: {}\n", 3, 8,
		    "YAML syntax error", "YAML syntax error");
	theme_error("roles:\n  list: { fg: red }\n  list: { fg: blue }\n", 3, 3,
		    "role list is set twice (first at line 2)", "a role set twice");
	theme_error("roles:\n  list: {}\n---\nroles: {}\n", 3, 1,
		    "one YAML document", "a second document");

	snprintf(path, sizeof path, "%s/missing.yaml", tmpdir);
	is_int(theme_load_file(&t, path, &e), PV_EIO, "a missing theme file: PV_EIO");
	is_str(e.file, path, "which names the file");

	/* a partial theme: roles it leaves out keep the default */
	is_int(theme_load_file(&t, write_file("part.yaml",
		"roles:\n  cursor: { attrs: [reverse, bold] }\n  match: { fg: 208, bg: bright-blue }\n"),
		&e), 0, "a partial theme loads");
	is_str(t.name, "part", "a theme without a name is named after its file");
	ok(t.style[R_CURSOR].fg == THEME_DEFAULT_COLOR && t.style[R_CURSOR].bg == THEME_DEFAULT_COLOR &&
	   t.style[R_CURSOR].attrs == (TA_REVERSE | TA_BOLD), "a role given is set by the file alone");
	ok(t.style[R_MATCH].fg == 208 && t.style[R_MATCH].bg == 12, "numbers and bright- names");
	is_int(t.style[R_HEADER].attrs, TA_BOLD, "a role left out keeps the default's style");
}

static void test_find(void)
{
	struct theme t;
	struct pv_err e;
	char dir[128], **names = NULL;
	size_t n = 0, i;
	bool sorted = true, has_mine = false, has_light = false, has_default = false;

	snprintf(dir, sizeof dir, "%s/provex", tmpdir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof dir, "%s/provex/themes", tmpdir);
	mkdir(dir, 0755);
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	write_file("provex/themes/mine.yaml", "roles:\n  cursor: { fg: red, bg: blue }\n");

	is_int(theme_load(&t, "mine", &e), 0, "a theme in $XDG_CONFIG_HOME/provex/themes");
	is_str(t.name, "mine", "named after its file");
	is_int(t.style[R_CURSOR].fg, 1, "with its roles");
	is_int(theme_load(&t, "light", &e), 0, "light is found");
	is_str(t.name, "light", "and is light");
	is_int(theme_load(&t, "default", &e), 0, "default is found");
	is_str(t.name, "default", "and is default");
	is_int(theme_load(&t, "nope", &e), PV_ENOTFOUND, "an unknown name: PV_ENOTFOUND");
	ok(strstr(e.msg, "no theme called 'nope' (looked in ") && strstr(e.msg, dir) &&
	   strstr(e.msg, "mine"), "which says where it looked and what there is");
	is_str(t.name, "default", "and leaves the default theme");
	is_int(theme_load(&t, "../mine", &e) != 0, 1, "a relative path is a file");

	/* the user's folder comes first */
	write_file("provex/themes/light.yaml", "name: my-light\n");
	theme_load(&t, "light", &e);
	is_str(t.name, "my-light", "the user's themes come before the shipped ones");
	snprintf(dir, sizeof dir, "%s/provex/themes/mine.yaml", tmpdir);
	is_int(theme_load(&t, dir, &e), 0, "a path loads the file");
	is_int(theme_load(&t, write_file("x.yaml", "name: by-path\n") + strlen(tmpdir) + 1, &e),
	       PV_EIO, "a name ending in .yaml is a path (relative to the current folder)");

	is_int(theme_list(&names, &n), 0, "theme_list");
	for (i = 0; i < n; i++) {
		if (i && strcmp(names[i - 1], names[i]) >= 0)
			sorted = false;

		has_mine |= !strcmp(names[i], "mine");
		has_light |= !strcmp(names[i], "light");
		has_default |= !strcmp(names[i], "default");
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	ok(sorted, "theme_list is sorted, without repeats");
	ok(has_mine && has_light && has_default, "and holds the user's, the shipped and default");
	unsetenv("XDG_CONFIG_HOME");
}

/* ---- configuration --------------------------------------------------- */

static void test_settings_defaults(void)
{
	struct settings c;
	char *p;

	settings_defaults(&c);
	ok(!c.path && !c.reviewer && !c.theme && !c.ncolumns && !c.nkeys,
	   "defaults: nothing set");
	is_str(c.quick[0], "keep", "quick 1 keep");
	is_str(c.quick[1], "drop", "quick 2 drop");
	is_str(c.quick[2], "flag", "quick 3 flag");
	ok(!c.quick[3] && !c.quick[8], "quick 4..9 unbound");
	settings_done(&c);

	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	setenv("HOME", "/home/h", 1);
	p = settings_path();
	is_str(p, "/x/cfg/provex/config.yaml", "config_path: $XDG_CONFIG_HOME");
	free(p);
	setenv("XDG_CONFIG_HOME", "", 1);
	p = settings_path();
	is_str(p, "/home/h/.config/provex/config.yaml", "config_path: ~/.config");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	ok(!settings_path(), "config_path: NULL without either");
}

static void test_settings_load(void)
{
	struct settings c;
	struct pv_err e;
	char path[128];
	const char *f;

	f = write_file("config.yaml",
		"# mine\n"
		"reviewer: alice\n"
		"theme: light\n"
		"columns: [id, origin, words, text]\n"
		"quick-labels:\n"
		"  2: ~\n"
		"  4: needs-second-look\n"
		"  9: \"проверка\"\n"
		"keys:\n"
		"  quit: Q\n"
		"  filter: \"/\"\n");
	is_int(settings_load(&c, f, &e), 0, "a configuration file loads");
	is_str(c.path, f, "path");
	is_str(c.reviewer, "alice", "reviewer");
	is_str(c.theme, "light", "theme");
	is_int(c.ncolumns, 4, "columns");
	ok(c.ncolumns == 4 && !strcmp(c.columns[2], "words") && !strcmp(c.columns[3], "text"),
	   "columns in order");
	is_str(c.quick[0], "keep", "quick 1 keeps its default");
	ok(!c.quick[1], "quick 2: ~ unbinds");
	is_str(c.quick[3], "needs-second-look", "quick 4");
	is_str(c.quick[8], "проверка", "quick 9 (UTF-8)");
	is_int(c.nkeys, 2, "keys");
	ok(c.nkeys == 2 && !strcmp(c.keys[0].action, "quit") && !strcmp(c.keys[0].key, "Q") &&
	   c.keys[0].line == 10 && c.keys[0].column == 3, "keys keep where they were set");
	ok(c.nkeys == 2 && !strcmp(c.keys[1].key, "/") && c.keys[1].line == 11,
	   "a quoted key");
	settings_done(&c);

	snprintf(path, sizeof path, "%s/none.yaml", tmpdir);
	is_int(settings_load(&c, path, &e), 0, "a missing file is not an error");
	ok(!c.path && c.quick[0] && !strcmp(c.quick[0], "keep"), "and gives the defaults");
	settings_done(&c);

	is_int(settings_load(&c, write_file("empty.yaml", "# nothing\n"), &e), 0,
	       "an empty file loads");
	ok(c.path && !c.reviewer, "with the defaults");
	settings_done(&c);
}

/* A broken configuration: PV_EPARSE at line:column, want in the message,
 * and the defaults in c. */
static void config_error(const char *text, long line, long col, const char *want,
			 const char *what)
{
	struct settings c;
	struct pv_err e;
	const char *path = write_file("bad-config.yaml", text);
	int rc;

	pv_err_clear(&e);
	rc = settings_load(&c, path, &e);
	ok(rc == PV_EPARSE && e.line == line && e.column == col &&
	   strstr(e.msg, want) && !strcmp(e.file, path) && !c.path && !c.reviewer &&
	   !c.theme && !c.ncolumns && !c.nkeys && c.quick[0] && !strcmp(c.quick[0], "keep") &&
	   c.quick[1] && !c.quick[3], "config error: %s", what);
	if (rc != PV_EPARSE || e.line != line || e.column != col || !strstr(e.msg, want))
		printf("#   rc %d at %ld:%ld: %s\n#   want %ld:%ld: ...%s...\n",
		       rc, e.line, e.column, e.msg, line, col, want);
	settings_done(&c);
}

static void test_config_errors(void)
{
	config_error("reviewer: bob\ncolour: red\n", 2, 1,
		     "unknown setting 'colour'; the settings are reviewer, theme, "
		     "columns, quick-labels and keys", "unknown setting");
	config_error("reviewer: bob\nquick-labels: { 2: ~ }\ncolumns: [id, colour]\n", 3, 15,
		     "columns: no column called 'colour'; the columns are id, origin",
		     "unknown column, after good settings");
	config_error("columns: id\n", 1, 10, "columns: expected a list", "columns not a list");
	config_error("columns: [id, text, id]\n", 1, 21, "'id' is listed twice", "a column twice");
	config_error("quick-labels:\n  10: x\n", 2, 3, "the keys are 1 to 9, not '10'",
		     "quick key 10");
	config_error("quick-labels:\n  1: \"a\\tb\"\n", 2, 6,
		     "quick-labels 1: the value for label \"a^Ib\" holds a control character",
		     "a label with a control character");
	/* columns count bytes: "é" is two */
	config_error("quick-labels: { 1: \"é\", 2: \"a\\tb\" }\n", 1, 29,
		     "control character", "byte columns after UTF-8");
	config_error("quick-labels: [keep]\n", 1, 15, "quick-labels: expected a mapping",
		     "quick-labels as a list");
	config_error("keys:\n  quit: [q, Q]\n", 2, 9, "keys: a key name: expected a string, not a list",
		     "a key that is a list");
	config_error("keys:\n  quit: q\n  quit: x\n", 3, 3, "'quit' is given twice (first at line 2)",
		     "an action twice");
	config_error("reviewer: [carol\n", 2, 1, "YAML syntax error", "YAML syntax error");
	config_error("- reviewer\n", 1, 1, "expected a mapping of settings", "a list at the top");
	config_error("reviewer: ~\n", 1, 11, "reviewer: expected a string, not an empty value",
		     "an empty reviewer");
	config_error("theme: x\ntheme: y\n", 2, 1, "theme is set twice (first at line 1)",
		     "a setting twice");
}

/* Prints c, loads the text back, and checks that it gives c again and
 * prints the same. */
static void round_trip(const struct settings *c, const char *what)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct settings d;
	struct pv_err e;
	bool same = true;
	size_t i;
	int rc;

	settings_print(c, &a);
	rc = settings_load(&d, write_file("printed.yaml", buf_str(&a)), &e);
	is_int(rc, 0, "%s: the printed configuration loads", what);
	if (rc)
		printf("#   %ld:%ld: %s\n%s", e.line, e.column, e.msg, buf_str(&a));
#define SAME_STR(x, y) ((!(x) && !(y)) || ((x) && (y) && !strcmp((x), (y))))
	same = SAME_STR(c->reviewer, d.reviewer) && SAME_STR(c->theme, d.theme) &&
	       c->ncolumns == d.ncolumns && c->nkeys == d.nkeys;
	for (i = 0; same && i < SETTINGS_QUICK; i++)
		same = SAME_STR(c->quick[i], d.quick[i]);
	for (i = 0; same && i < c->ncolumns; i++)
		same = SAME_STR(c->columns[i], d.columns[i]);
	for (i = 0; same && i < c->nkeys; i++)
		same = SAME_STR(c->keys[i].action, d.keys[i].action) &&
		       SAME_STR(c->keys[i].key, d.keys[i].key);
#undef SAME_STR
	ok(same, "%s: and gives the same configuration", what);
	settings_print(&d, &b);
	is_str(buf_str(&b), buf_str(&a), "%s: which prints the same", what);
	settings_done(&d);
	buf_done(&a);
	buf_done(&b);
}

static void test_settings_print(void)
{
	struct settings c;
	struct buf out = BUF_INIT;
	struct pv_err e;
	const char *f;

	settings_defaults(&c);
	settings_print(&c, &out);
	ok(strstr(buf_str(&out), "# reviewer: not set") &&
	   strstr(buf_str(&out), "quick-labels:\n  1: keep\n  2: drop\n  3: flag\n  4: ~\n") &&
	   strstr(buf_str(&out), "# columns: [id, origin, source, generator, purpose, label, size, text]"),
	   "the defaults print, unset settings as comments");
	round_trip(&c, "defaults");
	settings_done(&c);
	buf_done(&out);

	f = write_file("odd.yaml",
		"reviewer: \"O'Brien: \\\"x\\\" #1\"\n"
		"theme: \"null\"\n"
		"columns: [text, dup]\n"
		"quick-labels: { 1: ~, 2: \"- maybe\", 5: \"~\", 6: \"needs a look\", 7: \"yes\" }\n"
		"keys: { quit: \"#\", next: \"-\", prev: \"C-p\", help: \"?\", top: \"\\x01\", "
		"\"odd action\": \"Space\" }\n");
	is_int(settings_load(&c, f, &e), 0, "a configuration with awkward strings loads");
	if (c.path) {
		is_str(c.reviewer, "O'Brien: \"x\" #1", "a quoted reviewer");
		is_str(c.theme, "null", "a quoted null is a string");
		is_str(c.quick[4], "~", "a quoted ~ is a label");
	}
	round_trip(&c, "awkward strings");
	settings_done(&c);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/provex-theme.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	test_roles();
	test_default_file();
	test_shipped();
	test_mono();
	test_color8();
	test_theme_errors();
	test_find();
	test_settings_defaults();
	test_settings_load();
	test_config_errors();
	test_settings_print();
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
