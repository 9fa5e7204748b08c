/*
 * screen.c - the terminal: starting and restoring it, copying the grid to
 * it, and waiting for a key or for the background counter.
 *
 * The terminal is restored on every way out: quitting, Ctrl-C and SIGTERM
 * (a flag the loop sees: the interface ends normally), a crash signal
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT: endwin(), then the signal is
 * raised again with its default action so a core is still written), and
 * Ctrl-Z (curses' own SIGTSTP handling: endwin on stop, a full redraw on
 * fg).  Resizing arrives as KEY_RESIZE from curses' SIGWINCH handler.
 *
 * Only printable characters reach the terminal: every cell of the grid
 * was made by glyph_next() (grid.h).
 */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;
static bool started;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void on_crash(int sig)
{
	if (started)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

bool screen_interrupted(void)
{
	return interrupted != 0;
}

int screen_start(struct app *a, struct pv_err *err)
{
	static const int crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;
	size_t i;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return pv_errf(err, PV_EUSAGE, "the interface needs a terminal on "
			       "standard input and output (for scripts, use provex ls, "
			       "show and label)");
	if (!newterm(NULL, stdout, stdin))
		return pv_errf(err, PV_EUSAGE, "cannot start the terminal (TERM=%s): "
			       "set TERM to your terminal's type, e.g. xterm-256color",
			       getenv("TERM") ? getenv("TERM") : "");
	started = true;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof crash / sizeof crash[0]; i++)
		sigaction(crash[i], &sa, NULL);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
		  BUTTON5_PRESSED, NULL);
	mouseinterval(200);
	if (!a->no_color && has_colors()) {
		start_color();
		use_default_colors();
	}
	theme_attrs(&a->theme, a->no_color || !has_colors(), a->attrs);
	return 0;
}

void screen_stop(void)
{
	if (!started)
		return;
	endwin();
	started = false;
}

void screen_size(int *w, int *h)
{
	*w = COLS;
	*h = LINES;
}

void screen_show(struct app *a)
{
	struct grid *g = &a->grid;
	int y, x;

	if (a->redraw_all) {
		clearok(curscr, TRUE);
		a->redraw_all = false;
	}
	for (y = 0; y < g->h && y < LINES; y++) {
		for (x = 0; x < g->w && x < COLS; x++) {
			const struct cell *c = &g->cells[y * g->w + x];
			if (c->width == 0)
				continue;
			attrset((attr_t)a->attrs[c->role < R_N ? c->role : R_LIST]);
			/* the bottom-right cell: curses may refuse it; harmless */
			mvaddstr(y, x, c->ch[0] ? c->ch : " ");
		}
	}
	attrset(A_NORMAL);
	refresh();
}

int screen_wait(struct app *a, int timeout_ms)
{
	struct pollfd pfd[2];
	int n = 1, ch;

	/* a key already read by curses comes first */
	nodelay(stdscr, TRUE);
	ch = getch();
	if (ch != ERR)
		return ch;
	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	if (a->counter) {
		pfd[1].fd = counter_fd(a->counter);
		pfd[1].events = POLLIN;
		n = 2;
	}
	if (poll(pfd, (nfds_t)n, timeout_ms) < 0 && errno != EINTR)
		return 0;
	ch = getch();          /* KEY_RESIZE after SIGWINCH interrupted poll */
	return ch == ERR ? 0 : ch;
}
