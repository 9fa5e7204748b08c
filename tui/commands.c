/*
 * commands.c - the command prompt (:): its commands (quit, save, theme,
 * export, help), the table naming them, and the parsing of a `:` line
 * into words.
 *
 * A command is a function taking the line's words (w[0] its name, quotes
 * '...' and "..." grouping); it reports on the status line.  :export runs
 * provex export in a child process.
 */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

/* Runs provex export in a child process (its own signals and output),
 * and shows its last line of output. */
static void run_export(struct app *a, char **w, int n)
{
	char tmpl[] = "/tmp/provex-export-XXXXXX", self[4096];
	posix_spawn_file_actions_t fa;
	char **argv;
	int fd, i, k = 0, status = 0;
	pid_t pid;

	if (n < 2) {
		app_status(a, R_ERROR, ":export FILE [options] (the options of provex export)");
		return;
	}
	fd = mkstemp(tmpl);
	if (fd < 0) {
		app_status(a, R_ERROR, "export: cannot make a temporary file: %s", strerror(errno));
		return;
	}
	unlink(tmpl);
	argv = pv_malloc((size_t)(n + 8) * sizeof *argv);
	argv[k++] = (char *)"provex";
	argv[k++] = (char *)"export";
	argv[k++] = a->store_path;
	argv[k++] = (char *)"-o";
	for (i = 1; i < n; i++)
		argv[k++] = w[i];
	/* the filter last, after --: one that starts with '-' (-h) is no option */
	argv[k++] = (char *)"--";
	argv[k++] = a->filter;
	argv[k] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fd, STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	app_status(a, R_STATUS, "exporting...");
	{
		/* the binary itself (under valgrind, /proc/self/exe is valgrind's) */
		ssize_t l = readlink("/proc/self/exe", self, sizeof self - 1);
		self[l > 0 ? l : 0] = 0;
		if (l <= 0)
			snprintf(self, sizeof self, "/proc/self/exe");
	}
	if (posix_spawn(&pid, self, &fa, NULL, argv, environ) != 0) {
		app_status(a, R_ERROR, "export: cannot start provex: %s", strerror(errno));
	} else {
		char out[4096];
		ssize_t got;
		char *line, *end;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		got = pread(fd, out, sizeof out - 1, 0);
		out[got > 0 ? got : 0] = 0;
		/* the summary ("wrote ..."), else the last non-empty line */
		end = out + strlen(out);
		while (end > out && (end[-1] == '\n' || end[-1] == ' '))
			*--end = 0;
		line = strstr(out, "records (");
		if (line) {
			/* back to the start of that line */
			while (line > out && line[-1] != '\n')
				line--;
		}
		if (line) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = 0;
		} else {
			line = strrchr(out, '\n');
			line = line ? line + 1 : out;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			app_status(a, R_STATUS, "exported to %s: %s", w[1], line);
		else
			app_status(a, R_ERROR, "export failed: %s", line);
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fd);
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
	else if (browse_save_filter(a->store, w[1], a->filter, &err))
		app_error(a, &err);
	else
		app_status(a, R_STATUS, "saved filter '%s' = %s (F lists saved filters)",
			   w[1], *a->filter ? a->filter : "(all documents)");
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
