/*
 * screen.c - the terminal: starting and restoring it, copying the grid to
 * it, and waiting for a key, for the background counter or for a signal.
 *
 * The terminal is restored on every way out:
 *   - quitting: endwin();
 *   - Ctrl-C, SIGTERM and SIGHUP: a flag the loop sees (the interface ends
 *     normally, through endwin);
 *   - a crash signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, and SIGQUIT,
 *     SIGTRAP, SIGSYS, all of which dump core): the handler writes the
 *     terminal's own "leave" strings, worked out at start (attributes off,
 *     cursor shown, mouse reports off, keypad off, the normal screen back)
 *     and puts back the terminal modes saved before curses started, using
 *     only write() and tcsetattr(), which are safe in a signal handler
 *     (endwin() is not: the crash may have happened inside malloc or
 *     stdio); then the signal is raised again with its default action, so
 *     the exit status and the core are the signal's;
 *   - Ctrl-Z: curses' own SIGTSTP handling (endwin on stop); on SIGCONT the
 *     size is looked at again and the whole screen is redrawn.
 *
 * Signals wake the loop through a pipe (the self-pipe trick): the handlers
 * only set a flag and write a byte that screen_wait's poll() watches, so a
 * signal arriving just before poll(), or on the counter's thread, still
 * ends the wait at once.  SIGWINCH is handled here rather than by curses
 * (whose handler only sets a flag read by the next getch): the new size
 * comes from TIOCGWINSZ and resize_term(), and screen_wait returns
 * KEY_RESIZE, which redraws the whole screen.
 *
 * Only printable characters reach the terminal: every cell of the grid
 * was made by glyph_next() (grid.h).
 */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted, resized;
static volatile sig_atomic_t started;
static int wake[2] = { -1, -1 };     /* the self-pipe; stays open */

/* For the crash handler: the modes before curses, and the bytes that
 * leave curses' screen (filled in at start, read-only afterwards). */
static struct termios shell_modes;
static volatile sig_atomic_t have_modes;
static char leave[512];
static size_t leave_len;

static void wake_loop(void)
{
	int saved = errno;

	if (wake[1] >= 0 && write(wake[1], "", 1) < 0) {
		/* full pipe: the loop is woken already */
	}
	errno = saved;
}

static volatile sig_atomic_t interrupt_sig;

static void on_interrupt(int sig)
{
	interrupted = 1;
	interrupt_sig = sig;
	wake_loop();
}

int screen_signal(void)
{
	return interrupt_sig ? interrupt_sig : 2;
}

static void on_resize(int sig)
{
	(void)sig;
	resized = 1;
	wake_loop();
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void on_crash(int sig)
{
	if (started) {
		started = 0;
		write_all(STDOUT_FILENO, leave, leave_len);
		if (have_modes)
			tcsetattr(STDIN_FILENO, TCSANOW, &shell_modes);
	}
	/* SA_RESETHAND put the default action back; the signal is blocked
	 * while this runs and arrives again when it returns */
	signal(sig, SIG_DFL);
	raise(sig);
}

bool screen_interrupted(void)
{
	return interrupted != 0;
}

/* Appends a terminfo string capability (if the terminal has it). */
static void leave_add(const char *s)
{
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (leave_len + n < sizeof leave) {
		memcpy(leave + leave_len, s, n);
		leave_len += n;
	}
}

/* What endwin() would send, worked out now for the crash handler. */
static void leave_prepare(bool mouse)
{
	char *xm;

	leave_len = 0;
	leave_add(tigetstr("sgr0"));
	leave_add(tigetstr("cnorm"));
	if (mouse) {
		xm = tigetstr("XM");
		if (xm && xm != (char *)-1)
			leave_add(tiparm(xm, 0));
		else if (tigetstr("kmous") && tigetstr("kmous") != (char *)-1)
			leave_add("\033[?1000l");
	}
	leave_add(tigetstr("rmkx"));
	leave_add(tigetstr("rmcup"));
}

static int pipe_open(int fds[2])
{
	int i;

	if (pipe(fds) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
	}
	return 0;
}

int screen_start(struct app *a, struct pv_err *err)
{
	static const int crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
				     SIGQUIT, SIGTRAP, SIGSYS };
	struct sigaction sa;
	mmask_t got = 0;
	size_t i;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return pv_errf(err, PV_EUSAGE, "the interface needs a terminal on "
			       "standard input and output (for scripts, use provex ls, "
			       "show and label)");
	if (wake[0] < 0 && pipe_open(wake) < 0)
		return pv_errf(err, PV_EIO, "cannot make a pipe: %s", strerror(errno));
	have_modes = tcgetattr(STDIN_FILENO, &shell_modes) == 0;
	if (!newterm(NULL, stdout, stdin))
		return pv_errf(err, PV_EUSAGE, "cannot start the terminal (TERM=%s): "
			       "set TERM to your terminal's type, e.g. xterm-256color",
			       getenv("TERM") ? getenv("TERM") : "");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	got = mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
			BUTTON5_PRESSED, NULL);
	mouseinterval(200);
	if (!a->no_color && has_colors()) {
		start_color();
		use_default_colors();
	}
	theme_attrs(&a->theme, a->no_color || !has_colors(), a->attrs);
	leave_prepare(got != 0);

	/* after newterm: these replace curses' handlers for the same signals
	 * (SIGTSTP stays curses') */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_resize;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);    /* back from Ctrl-Z: size and redraw */
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof crash / sizeof crash[0]; i++)
		sigaction(crash[i], &sa, NULL);
	started = 1;
	return 0;
}

void screen_stop(void)
{
	if (!started)
		return;
	started = 0;
	endwin();
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

/* Takes the terminal's new size (after SIGWINCH, or SIGCONT when the size
 * may have changed while stopped).  resize_term() rather than resizeterm():
 * the caller returns the one KEY_RESIZE, and that redraws everything. */
static int resize_now(void)
{
	struct winsize ws;

	resized = 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resize_term(ws.ws_row, ws.ws_col);
	return KEY_RESIZE;
}

int screen_wait(struct app *a, int timeout_ms)
{
	struct pollfd pfd[3];
	int n = 0, ch;
	char drain[64];

	if (resized)
		return resize_now();
	/* a key already read by curses comes first */
	nodelay(stdscr, TRUE);
	ch = getch();
	if (ch != ERR)
		return ch;
	pfd[n].fd = STDIN_FILENO;
	pfd[n++].events = POLLIN;
	pfd[n].fd = wake[0];
	pfd[n++].events = POLLIN;
	if (a->counter) {
		pfd[n].fd = counter_fd(a->counter);
		pfd[n++].events = POLLIN;
	}
	if (poll(pfd, (nfds_t)n, timeout_ms) < 0 && errno != EINTR)
		return 0;
	/* empty the pipe before looking at the flags: a signal after this
	 * leaves a byte for the next poll */
	while (read(wake[0], drain, sizeof drain) > 0)
		;
	if (resized)
		return resize_now();
	if (interrupted)
		return 0;
	ch = getch();
	return ch == ERR ? 0 : ch;
}
