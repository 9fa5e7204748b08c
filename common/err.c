/*
 * err.c - the error record, its messages, and allocation helpers.
 */
#include "pv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile sig_atomic_t pv_stop_signal;

const char *pv_strerror(int code)
{
	switch (code) {
#define PV_CASE(name, val, msg) case val: return msg;
	PV_CODES(PV_CASE)
#undef PV_CASE
	}
	return "unknown error";
}

void pv_err_clear(struct pv_err *err)
{
	if (!err)
		return;
	err->code = PV_OK;
	err->file[0] = '\0';
	err->line = 0;
	err->column = 0;
	err->msg[0] = '\0';
}

static void vfill(struct pv_err *err, int code, const char *file, long line,
		  long column, const char *fmt, va_list ap)
{
	err->code = code;
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->line = line;
	err->column = column;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

int pv_errf(struct pv_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	va_start(ap, fmt);
	vfill(err, code, NULL, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

int pv_errf_at(struct pv_err *err, int code, const char *file, long line,
	       long column, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	va_start(ap, fmt);
	vfill(err, code, file, line, column, fmt, ap);
	va_end(ap);
	return code;
}

const char *pv_err_format(const struct pv_err *err, char *out, size_t n)
{
	size_t len = 0;

	if (n == 0)
		return out;
	out[0] = '\0';
	if (err->file[0]) {
		len += snprintf(out + len, n - len, "%s:", err->file);
		if (len < n && err->line > 0)
			len += snprintf(out + len, n - len, "%ld:", err->line);
		if (len < n && err->line > 0 && err->column > 0)
			len += snprintf(out + len, n - len, "%ld:", err->column);
		if (len < n)
			len += snprintf(out + len, n - len, " ");
	}
	if (len < n)
		snprintf(out + len, n - len, "%s",
			 err->msg[0] ? err->msg : pv_strerror(err->code));
	return out;
}

static void *oom(size_t n)
{
	fprintf(stderr, "provex: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *pv_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom(n);
}

void *pv_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? p : oom(n * size);
}

void *pv_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom(n);
}

char *pv_strdup(const char *s)
{
	return pv_strndup(s, strlen(s));
}

char *pv_strndup(const char *s, size_t n)
{
	char *d = pv_malloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

const char *pv_num(int64_t n, char *out)
{
	char tmp[32];
	int len, i, j = 0, neg = n < 0;

	len = snprintf(tmp, sizeof tmp, "%lld", (long long)(neg ? -n : n));
	if (neg)
		out[j++] = '-';
	for (i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = tmp[i];
	}
	out[j] = 0;
	return out;
}

char *pv_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return pv_strdup(".");
	if (slash == path)
		return pv_strdup("/");
	return pv_strndup(path, (size_t)(slash - path));
}
