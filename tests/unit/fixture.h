/*
 * fixture.h - the test stores of the unit tests: a new store filled as one
 * provex index run fills it (one transaction, the run "provex index test",
 * inputs in.jsonl and more.jsonl), each test saying what its documents
 * are through a callback.
 */
#ifndef PV_TEST_FIXTURE_H
#define PV_TEST_FIXTURE_H

#include "store/store.h"

#include <stdbool.h>

/* Fills document i (1-based) in d: text, len, ext_id and provenance.  d's
 * input_id (input i % ninputs), run_id, rec (= i) and words (-1) are set
 * before the call; the callback may change them.  The strings are
 * borrowed: they must last until the callback is called again (buffers
 * of ctx, or static ones). */
typedef void fx_doc_fn(int i, struct doc_in *d, void *ctx);

/*
 * fx_store - creates the store file with n documents from doc, from
 * ninputs inputs (1: in.jsonl; 2: in.jsonl and more.jsonl), and returns it
 * open (owned by the caller: store_close), or NULL after printing a "# "
 * diagnostic when a step fails.  finish: the run is finished too
 * (store_run_finish, as an index run's end: it records the run's summary
 * and may refresh the statistics).
 */
struct store *fx_store(const char *file, int n, int ninputs, bool finish,
		       fx_doc_fn *doc, void *ctx);

/* The first column of sql's first row, read on a fresh read-only
 * connection to file, as a new string (the caller frees it); "(null)",
 * "(no row)", "(open failed)" or SQLite's message when there is none. */
char *fx_q(const char *file, const char *sql);

#endif
