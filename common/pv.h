/*
 * pv.h - project-wide definitions: error codes, the error record every
 * fallible function fills, and small helpers.
 *
 * Convention: a function that can fail returns 0 (or a non-negative value)
 * on success and a negative enum pv_code on failure, and fills the caller's
 * struct pv_err when it is not NULL.  pv_errf() does both in one line:
 *
 *     if (!fp) return pv_errf(err, PV_EIO, "%s: %s", path, strerror(errno));
 *
 * Nothing in the library calls exit(); only main.c decides how to end.
 */
#ifndef PV_H
#define PV_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>

/* Error codes and their short descriptions.  Values are stable. */
#define PV_CODES(X)                                              \
	X(PV_OK,       0, "success")                                 \
	X(PV_ENOMEM,  -1, "out of memory")                           \
	X(PV_EIO,     -2, "input/output error")                      \
	X(PV_EPARSE,  -3, "parse error")                             \
	X(PV_EUSAGE,  -4, "invalid usage")                           \
	X(PV_ESTORE,  -5, "store error")                             \
	X(PV_ENOTSTORE, -6, "not a provex store")                    \
	X(PV_ENEWER,  -7, "store written by a newer provex")         \
	X(PV_ECODEC,  -8, "compression error")                       \
	X(PV_ENOTFOUND, -9, "not found")                             \
	X(PV_ETRUNC, -10, "truncated input")                         \
	X(PV_EINTR,  -11, "interrupted")                             \
	X(PV_EBUSY,  -12, "store is busy")                           \
	X(PV_EINVAL, -13, "invalid value")

enum pv_code {
#define PV_ENUM(name, val, msg) name = val,
	PV_CODES(PV_ENUM)
#undef PV_ENUM
};

/* What went wrong, where.  Owned by the caller; no heap memory inside. */
struct pv_err {
	int code;               /* enum pv_code, negative on error */
	char file[512];         /* input file the error is about, or "" */
	long line;              /* 1-based line in that file, 0 if none */
	long column;            /* 1-based column (bytes), 0 if none */
	char msg[1024];         /* human-readable reason */
};

/* Short description of a code ("parse error"). Never NULL. */
const char *pv_strerror(int code);

/* Clear an error record (code PV_OK, empty strings). NULL is allowed. */
void pv_err_clear(struct pv_err *err);

/* Fill err (if not NULL) with code and a printf-style message; clears the
 * location.  Returns code, so callers can `return pv_errf(...)`. */
int pv_errf(struct pv_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like pv_errf, with a location (file may be NULL; line/column 0 = none). */
int pv_errf_at(struct pv_err *err, int code, const char *file, long line,
	       long column, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Format err as "file:line:column: msg" (parts omitted when unknown) into
 * out (size n).  Returns out. */
const char *pv_err_format(const struct pv_err *err, char *out, size_t n);

/* Allocation helpers that never return NULL: they abort the program with
 * a message on exhaustion, as an out-of-memory state cannot be reported
 * meaningfully from deep inside a parser.  (abort, not exit: it is a
 * crash, and the store stays consistent through SQLite's journal.) */
void *pv_malloc(size_t n);
void *pv_calloc(size_t n, size_t size);
void *pv_realloc(void *p, size_t n);
char *pv_strdup(const char *s);
char *pv_strndup(const char *s, size_t n);
/* The folder part of path ("." when none, "/" for the root); owned by the
 * caller. */
char *pv_dirname(const char *path);
/* n with thousands separators ("-12,345") in out (at least 32 bytes);
 * returns out. */
const char *pv_num(int64_t n, char *out);

/* The signal (SIGINT, SIGTERM) that asked the process to stop, 0 while
 * none did.  Set by the command line's handler (cli/cli_signal.c), which
 * lets blocking calls fail with EINTR: a loop that retries on EINTR
 * gives up with PV_EINTR once this is set. */
extern volatile sig_atomic_t pv_stop_signal;

#define PV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* qsort of n elements, where base may be NULL when n < 2 (an empty array
 * that was never allocated): qsort itself must not be given NULL, even
 * with nothing to sort. */
static inline void pv_qsort(void *base, size_t n, size_t size,
			    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}
#define PV_MIN(a, b) ((a) < (b) ? (a) : (b))
#define PV_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
