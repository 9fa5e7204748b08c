/*
 * fuzz.h - what the fuzz targets of tests/fuzz share.
 *
 * Each target fuzz_NAME.c defines LLVMFuzzerTestOneInput(), the entry
 * point libFuzzer calls with every input it tries, and FUZZ_NAME, the
 * name of its folders tests/fuzz/corpus/NAME (seeds) and
 * tests/fuzz/regress/NAME (inputs that once failed).  Built with
 * ./configure --enable-fuzzing (clang) it links with -fsanitize=fuzzer;
 * otherwise replay.c supplies a main() that runs every file of those two
 * folders through the same function once, as a TAP test, so that make
 * check (under ASan, UBSan and valgrind) replays every seed and finding.
 *
 * A target asserts properties of what it calls (fuzz_check), not only
 * that nothing crashes: a broken property prints what and where, then
 * aborts, which libFuzzer records as a crash with the input that caused
 * it.
 */
#ifndef PV_FUZZ_H
#define PV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The target's name (corpus/NAME, regress/NAME); defined by each target. */
extern const char fuzz_name[];

/* fuzz_check(cond, fmt, ...): when cond is false, prints "fuzz_NAME:
 * property broken at file:line: message" on stderr and aborts. */
#define fuzz_check(cond, ...) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, __VA_ARGS__))

void fuzz_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

/* A path in a temporary folder of this process, made on first use and
 * removed at exit, holding exactly data[0..size) after the call (the same
 * path for the same name during the process).  Aborts when it cannot be
 * written: the target cannot test anything then. */
const char *fuzz_file(const char *name, const void *data, size_t size);

/* The temporary folder itself (made on first use). */
const char *fuzz_dir(void);

/* Indexes the JSONL file input into a new store at store_path, provenance
 * from the fields origin, source, generator, purpose (fuzz_index.c).
 * Returns index_run's result. */
struct pv_err;
int fuzz_index(const char *store_path, const char *input, struct pv_err *err);

#endif
