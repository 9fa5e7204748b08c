/*
 * tap.h - a tiny Test Anything Protocol harness for unit tests.
 *
 *     static void test_something(void) {
 *         ok(1 + 1 == 2, "addition");
 *         is_int(f(), 3, "f returns 3");
 *         is_str(g(), "x", "g returns x");
 *     }
 *     int main(void) { test_something(); return tap_done(); }
 *
 * Each check prints "ok N - name" or "not ok N - name" with a diagnostic;
 * tap_done() prints the plan and returns non-zero when a check failed.
 */
#ifndef PV_TAP_H
#define PV_TAP_H

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5), unused))
static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define is_int(got, want, ...) do {                                          \
	long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);       \
	if (!ok(tap_g_ == tap_w_, __VA_ARGS__))                                \
		printf("#   got %lld, want %lld\n", tap_g_, tap_w_);          \
} while (0)

#define is_str(got, want, ...) do {                                          \
	const char *tap_g_ = (got), *tap_w_ = (want);                          \
	if (!ok(tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0, __VA_ARGS__)) \
		printf("#   got \"%s\", want \"%s\"\n", tap_g_ ? tap_g_ : "(null)", \
		       tap_w_ ? tap_w_ : "(null)");                             \
} while (0)

#define is_mem(got, glen, want, wlen, ...) \
	ok((size_t)(glen) == (size_t)(wlen) && memcmp((got), (want), (wlen)) == 0, __VA_ARGS__)

__attribute__((unused))
static void tap_skip(const char *why)
{
	tap_n++;
	printf("ok %d # SKIP %s\n", tap_n, why);
}

__attribute__((unused))
static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
