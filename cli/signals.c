/*
 * signals.c - the first SIGINT or SIGTERM stops a command within a moment.
 *
 * cli_stop_catch installs a handler without SA_RESTART: a system call the
 * command is blocked in (open() of a FIFO no one writes, read() of a silent
 * standard input or pipe, write() to a pipe no one reads) fails with EINTR,
 * and the loops that retry on EINTR give up once pv_stop_signal is set
 * (common/pv.h); the command then stops at its next check, keeps what it
 * committed and exits with 128 + the signal (cli_stop_status).  A signal
 * that lands on another thread (workers, the full-text thread) is passed
 * on to the thread that caught it first, so that its blocked call is the
 * one interrupted.  A second signal ends the process at once, with the
 * signal's default action (SQLite's journal keeps the store whole).
 */
#include "config.h"
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

static pthread_t main_thread;

static void on_stop(int sig)
{
	if (!pthread_equal(pthread_self(), main_thread)) {
		pthread_kill(main_thread, sig);
		return;
	}
	if (pv_stop_signal) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	pv_stop_signal = sig;
}

void cli_stop_catch(void)
{
	struct sigaction sa;

	main_thread = pthread_self();
	pv_stop_signal = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;            /* no SA_RESTART: blocked calls return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void cli_stop_release(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

int cli_stop_status(void)
{
	return pv_stop_signal ? 128 + pv_stop_signal : EXIT_INTR;
}
