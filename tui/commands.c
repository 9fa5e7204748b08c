/*
 * commands.c - the command prompt (:): its commands (quit, save, theme,
 * export, help), the table naming them, and the parsing of a `:` line
 * into words.
 *
 * A command is a function taking the line's words (w[0] its name, quotes
 * '...' and "..." grouping); it reports on the status line.  :export
 * writes through the export library (export/write.h), in this process.
 */
#include "tui.h"
#include "../export/write.h"

#include <curses.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsing ---- */

/* Splits s into words (quotes '...' and "..." group); the caller frees
 * the array and the words. */
static char **split_words(const char *s, int *n)
{
	char **v = NULL;
	int cap = 0;

	*n = 0;
	for (;;) {
		struct buf w = BUF_INIT;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		while (*s && *s != ' ' && *s != '\t') {
			if (*s == '\'' || *s == '"') {
				char q = *s++;
				while (*s && *s != q)
					buf_putc(&w, *s++);
				if (*s)
					s++;
			} else {
				buf_putc(&w, *s++);
			}
		}
		if (*n + 2 > cap) {
			cap = cap ? cap * 2 : 8;
			v = pv_realloc(v, (size_t)cap * sizeof *v);
		}
		v[(*n)++] = pv_strdup(buf_str(&w));
		buf_done(&w);
	}
	if (!v)
		v = pv_malloc(sizeof *v);
	v[*n] = NULL;
	return v;
}

static void free_words(char **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- :export ---- */

/*
 * The export itself, as `provex export STORE -o FILE [options] -- FILTER`
 * would run it: the options parsed by the library (argv as that command's,
 * so the manifest records the same command), then export_run, which opens
 * the store a second time, for reading (the export reads one snapshot and
 * leaves the interface's own connection alone).  Blocking, as the child
 * the interface used to wait for was: the keys wait until it ends.
 * Returns 0 and fills *r, or the error in err and in *says how the
 * command would have begun saying it; *help for -h.
 */
static int export_here(int argc, char **argv, struct export_opts *o,
		       struct export_result *r, bool *help, const char **says,
		       struct pv_err *err)
{
	enum export_stage stage;
	int rc, save = opterr;

	*says = "provex export: ";   /* a usage error */
	opterr = 0;                  /* getopt's own messages would hit the screen */
	rc = export_opts_parse(o, argc, argv, argc, help, err);
	opterr = save;
	if (rc || *help)
		return rc;
	rc = export_run(o, NULL, r, &stage, err);
	*says = stage == EXPORT_AT_FILTER ? "provex: filter: " : "provex: ";
	return rc;
}

/* :export FILE [options]: the active filter's documents written by the
 * library (export/write.h); the status line says what `provex export`
 * would have said: its summary, or its error. */
static void run_export(struct app *a, char **w, int n)
{
	struct export_opts o;
	struct export_result r;
	struct pv_err err;
	char **argv;
	const char *says = "";
	bool help = false;
	int i, k = 0, rc;

	if (n < 2) {
		app_status(a, R_ERROR, ":export FILE [options] (the options of provex export)");
		return;
	}

	argv = pv_malloc((size_t)(n + 6) * sizeof *argv);
	argv[k++] = (char *)"export";
	argv[k++] = a->store_path;
	argv[k++] = (char *)"-o";
	for (i = 1; i < n; i++)
		argv[k++] = w[i];
	/* the filter last, after --: one that starts with '-' (-h) is no option */
	argv[k++] = (char *)"--";
	argv[k++] = a->filter;
	argv[k] = NULL;
	app_status(a, R_STATUS, "exporting...");
	pv_err_clear(&err);
	export_opts_init(&o, k, argv);
	rc = export_here(k, argv, &o, &r, &help, &says, &err);
	if (help) {
		app_status(a, R_STATUS, ":export FILE [options] (the options of provex export)");
	} else if (rc && strcmp(says, "provex: ") != 0) {
		if (err.column)
			app_status(a, R_ERROR, "export failed: %sat byte %ld: %s", says,
				   err.column, err.msg);
		else
			app_status(a, R_ERROR, "export failed: %s%s", says, err.msg);
	} else if (rc == PV_EINTR) {
		app_status(a, R_ERROR, "export failed: provex: interrupted: nothing written "
			   "under %s; run the same command again to write it", o.out);
	} else if (rc) {
		char msg[2048];
		pv_err_format(&err, msg, sizeof msg);
		app_status(a, R_ERROR, "export failed: provex: %s", msg);
	} else {
		struct buf line = BUF_INIT;
		buf_puts(&line, "provex export: ");
		export_summary_line(&o, &r, &line);
		app_status(a, R_STATUS, "exported to %s: %s", w[1], buf_str(&line));
		buf_done(&line);
	}
	export_opts_done(&o);
	free(argv);
}


/* ---- the commands ---- */

static void command_quit(struct app *a, char **w, int n)
{
	(void)w;
	(void)n;
	a->quit = true;
}

static void command_save(struct app *a, char **w, int n)
{
	struct pv_err err;

	pv_err_clear(&err);
	if (n != 2)
		app_status(a, R_ERROR, ":save NAME saves the active filter under NAME");
	else if (!app_review_store(a, true))
		;                        /* a set's overlay cannot be written (said) */
	else if (browse_save_filter(app_review_store(a, true), w[1], a->filter, &err))
		app_error(a, &err);
	else {
		app_set_reload(a);
		app_status(a, R_STATUS, "saved filter '%s' = %s (F lists saved filters)",
			   w[1], *a->filter ? a->filter : "(all documents)");
	}
}

static void command_theme(struct app *a, char **w, int n)
{
	struct pv_err err;
	struct theme t;

	pv_err_clear(&err);
	if (n != 2) {
		app_status(a, R_ERROR, ":theme NAME|FILE (default, light, high-contrast, mono)");
	} else if (theme_load(&t, w[1], &err)) {
		app_error(a, &err);
	} else {
		a->theme = t;
		if (!a->headless)
			theme_attrs(&a->theme, a->no_color || !has_colors(), a->attrs);
		a->redraw_all = true;
		app_status(a, R_STATUS, "theme %s", t.name);
	}
}

static void command_help(struct app *a, char **w, int n)
{
	(void)w;
	(void)n;
	help_open(a, a->ops[a->nviews - 1]->mask);
}

/* The commands by name; each gets the line's words (w[0] its name). */
static const struct command {
	const char *name;
	void (*run)(struct app *a, char **w, int n);
} commands[] = {
	{ "q", command_quit },
	{ "quit", command_quit },
	{ "save", command_save },
	{ "theme", command_theme },
	{ "export", run_export },
	{ "help", command_help },
};

/* ---- the command line ---- */

void command_enter(struct app *a, void *ctx, const char *text)
{
	int n;
	char **w = split_words(text, &n);
	size_t i;

	(void)ctx;
	if (n > 0) {
		for (i = 0; i < PV_ARRAY_LEN(commands); i++)
			if (!strcmp(w[0], commands[i].name))
				break;
		if (i < PV_ARRAY_LEN(commands))
			commands[i].run(a, w, n);
		else
			app_status(a, R_ERROR, "unknown command '%s' (save NAME, theme NAME, "
				   "export FILE [options], help, quit)", w[0]);
	}
	free_words(w, n);
}
