/*
 * fixture.c - the test stores of the unit tests (fixture.h).
 */
#include "config.h"
#include "fixture.h"

#include "common/pv.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

struct store *fx_store(const char *file, int n, int ninputs, bool finish,
		       fx_doc_fn *doc, void *ctx)
{
	static const char *const names[2] = { "in.jsonl", "more.jsonl" };
	struct store *s = NULL;
	struct pv_err e;
	int64_t iid[2], run;
	bool same, done;
	int i;

	if (ninputs < 1 || ninputs > 2) {
		printf("# fx_store: %d inputs (1 or 2)\n", ninputs);
		return NULL;
	}
	if (store_open(&s, file, STORE_CREATE, &e))
		goto fail;
	if (store_begin(s, &e) || store_run_start(s, "provex index test", &run, &e))
		goto fail;
	for (i = 0; i < ninputs; i++) {
		char canon[64];

		snprintf(canon, sizeof canon, "/abs/%s", names[i]);
		if (store_input(s, canon, "{}", names[i], 1, 1, &iid[i], &same, &done, &e))
			goto fail;
	}
	for (i = 1; i <= n; i++) {
		enum doc_outcome oc;
		bool cross;
		size_t stored;
		struct doc_in d;

		memset(&d, 0, sizeof d);
		d.input_id = iid[i % ninputs];
		d.rec = i;
		d.run_id = run;
		d.words = -1;
		doc(i, &d, ctx);
		if (store_doc_add(s, &d, &oc, &cross, &stored, &e))
			goto fail;
	}
	if (store_commit(s, &e))
		goto fail;
	if (finish && store_run_finish(s, run, "{}", &e))
		goto fail;
	return s;
fail:
	printf("# %s: %s\n", file, e.msg);
	store_close(s);
	return NULL;
}

/* fx_q: the first column of sql's first row on a fresh read-only
 * connection to file, as a new string (the caller frees it): "(null)",
 * "(no row)", "(open failed)" or SQLite's message when there is no value. */
char *fx_q(const char *file, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *out = NULL;

	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return pv_strdup("(open failed)");
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			out = pv_strdup(sqlite3_column_text(st, 0) ?
					(const char *)sqlite3_column_text(st, 0) : "(null)");
		sqlite3_finalize(st);
	} else {
		out = pv_strdup(sqlite3_errmsg(db));
	}
	sqlite3_close(db);
	return out ? out : pv_strdup("(no row)");
}
