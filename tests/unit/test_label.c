/*
 * test_label.c - relabelling: label_set (counts, history rows, dry run,
 * validation), label_undo (last batch, conflicts, --force, after a
 * restart), label_history and label_indexed, pv_phrase in filters, and the
 * migration of a version-1 store to version 2.
 */
#include "config.h"
#include "../tap.h"
#include "fixture.h"
#include "store/store.h"
#include "store/filter.h"
#include "store/label.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/provex-label-XXXXXX";

static char *path(const char *name)
{
	static char p[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
	return p[i];
}

static void is_q(const char *file, const char *sql, const char *want, const char *name)
{
	char *got = fx_q(file, sql);
	is_str(got, want, "%s", name);
	free(got);
}

/* A store with n documents "document number I about cats" (origin real,
 * source web). */
struct label_docs {
	char text[64], ext[16];
};

static void label_doc(int i, struct doc_in *d, void *ctx)
{
	struct label_docs *b = ctx;

	snprintf(b->text, sizeof b->text, "document number %d about cats", i);
	snprintf(b->ext, sizeof b->ext, "e%d", i);
	d->rec = i - 1;
	d->ext_id = b->ext;
	d->text = b->text;
	d->len = strlen(b->text);
	d->origin = "real";
	d->source = "web";
}

static struct store *make_store(const char *file, int n)
{
	struct label_docs b;

	return fx_store(file, n, 1, false, label_doc, &b);
}

static int compile(const char *text, struct filter_sql *sql)
{
	struct filter_ast *ast = NULL;
	struct pv_err e;
	int rc = filter_parse(text, &ast, &e);

	if (rc) {
		printf("# filter: %s\n", e.msg);
		memset(sql, 0, sizeof *sql);
		return rc;
	}
	rc = filter_compile(ast, sql);
	filter_free(ast);
	return rc;
}

static int count_cb(void *ctx, const struct label_hist *h)
{
	(void)h;
	(*(int *)ctx)++;
	return 0;
}

static void test_set_and_undo(void)
{
	const char *file = path("a.pvx");
	struct store *s = make_store(file, 10);
	struct label_change ch[2] = { { LF_ORIGIN, "synthetic" }, { LF_LABEL, "drop" } };
	struct label_result r;
	struct filter_sql sql;
	struct label_indexed li;
	struct pv_err e;
	int n;

	ok(s != NULL, "store with 10 documents");
	if (!s)
		return;
	compile("id:1..4", &sql);
	ok(label_set(s, &sql, ch, 2, "ann", "generated", "provex label", true, &r, &e) == 0,
	   "dry run");
	is_int(r.matched, 4, "dry run: 4 matched");
	is_int(r.changes, 8, "dry run: 8 changes");
	is_int(r.batch_id, 0, "dry run: no batch");
	is_q(file, "SELECT count(*) FROM history", "0", "dry run: no history");
	is_q(file, "SELECT count(*) FROM docs WHERE origin='synthetic'", "0",
	     "dry run: documents unchanged");

	ok(label_set(s, &sql, ch, 2, "ann", "generated", "provex label", false, &r, &e) == 0,
	   "label_set");
	is_int(r.matched, 4, "4 matched");
	is_int(r.changed, 4, "4 changed");
	is_int(r.changes, 8, "8 changes");
	is_int(r.by_field[LF_ORIGIN], 4, "4 origin changes");
	is_int(r.batch_id, 1, "batch 1");
	is_q(file, "SELECT count(*) FROM docs WHERE origin='synthetic' AND label='drop' "
	     "AND reviewer='ann' AND reviewed_at IS NOT NULL", "4", "documents changed");
	is_q(file, "SELECT group_concat(old||'>'||new) FROM history WHERE doc_id=2 "
	     "AND field='origin'", "real>synthetic", "history row with old and new");
	is_q(file, "SELECT note||' '||reviewer FROM history WHERE doc_id=2 LIMIT 1",
	     "generated ann", "history row with note and reviewer");
	is_q(file, "SELECT reviewer||' '||command FROM batches WHERE id=1",
	     "ann provex label", "batch recorded");
	filter_sql_done(&sql);

	/* the same again: nothing changes, no batch */
	compile("id:1..4", &sql);
	ok(label_set(s, &sql, ch, 2, "ann", NULL, "again", false, &r, &e) == 0, "again");
	is_int(r.changes, 0, "again: no change");
	is_int(r.batch_id, 0, "again: no batch");
	filter_sql_done(&sql);

	/* filter on the field being changed: the selection is fixed first */
	compile("origin:synthetic", &sql);
	ch[0].value = "unknown";
	ok(label_set(s, &sql, ch, 1, "bob", NULL, "c", false, &r, &e) == 0,
	   "filter on the changed field");
	is_int(r.changes, 4, "4 changes");
	is_int(r.batch_id, 2, "batch 2");
	filter_sql_done(&sql);

	/* doc 5 by another batch (3) */
	compile("id:5", &sql);
	ch[0].value = "synthetic";
	label_set(s, &sql, ch, 1, "bob", NULL, "c", false, &r, &e);
	is_int(r.batch_id, 3, "batch 3");
	filter_sql_done(&sql);

	ok(label_indexed(s, 2, &li, &e) == 0, "label_indexed");
	is_str(li.value[0], "real", "indexed origin comes from the first history row");
	is_str(li.value[1], "web", "indexed source from the docs row");
	is_int(li.run_id, 1, "indexed by run 1");
	label_indexed_done(&li);
	n = 0;
	label_history(s, 2, count_cb, &n, &e);
	is_int(n, 3, "doc 2 has 3 history rows");

	/* undo the last (3) */
	ok(label_undo(s, 0, false, "cy", "undo", &r, &e) == 0, "undo last");
	is_int(r.undone, 3, "undid batch 3");
	is_int(r.batch_id, 4, "as batch 4");
	is_int(r.changes, 1, "1 change");
	is_q(file, "SELECT origin FROM docs WHERE id=5", "real", "doc 5 reverted");
	is_q(file, "SELECT undoes FROM batches WHERE id=4", "3", "batch 4 undoes 3");
	label_result_done(&r);

	/* restart, then undo the last again: batch 2 */
	store_close(s);
	ok(store_open(&s, file, STORE_WRITE, &e) == 0, "reopened");
	ok(label_undo(s, 0, false, "cy", "undo", &r, &e) == 0, "undo after restart");
	is_int(r.undone, 2, "undid batch 2");
	is_int(r.nconflicts, 0, "no conflict");
	is_q(file, "SELECT count(*) FROM docs WHERE origin='synthetic'", "4",
	     "documents back to batch 1's values");
	label_result_done(&r);

	/* a batch undone already is refused */
	is_int(label_undo(s, 2, false, "cy", "undo", &r, &e), PV_EINVAL,
	       "batch 2 cannot be undone twice");
	ok(strstr(e.msg, "undone already") != NULL, "says so: %s", e.msg);
	label_result_done(&r);

	/* conflict: doc 3 changed after batch 1 */
	compile("id:3", &sql);
	ch[0].value = "unknown";
	label_set(s, &sql, ch, 1, "dee", NULL, "c", false, &r, &e);
	filter_sql_done(&sql);
	ok(label_undo(s, 1, false, "cy", "undo", &r, &e) == 0, "undo batch 1");
	is_int(r.nconflicts, 1, "one conflict");
	ok(r.nconflicts == 1 && r.conflicts[0] == 3, "document 3 reported");
	is_q(file, "SELECT origin||' '||coalesce(label,'-') FROM docs WHERE id=3",
	     "unknown drop", "document 3 left alone, every field of it");
	is_q(file, "SELECT group_concat(origin||coalesce(label,'-')) FROM docs WHERE id IN (1,2,4)",
	     "real-,real-,real-", "the others reverted");
	label_result_done(&r);
	ok(label_undo(s, 1, true, "cy", "undo", &r, &e) == 0, "undo batch 1 --force");
	is_q(file, "SELECT origin||' '||coalesce(label,'-') FROM docs WHERE id=3",
	     "real -", "document 3 reverted with force");
	is_int(r.changes, 2, "only what was left alone");
	label_result_done(&r);
	n = 0;
	label_history(s, 0, count_cb, &n, &e);
	ok(n > 10, "history lists every change (%d)", n);
	store_close(s);
}

static void test_validation(void)
{
	struct label_change c;
	struct pv_err e;
	char big[5000];

	is_int(label_parse_set("origin=synthetic", &c, &e), 0, "origin=synthetic");
	is_int(c.field, LF_ORIGIN, "field origin");
	is_int(label_parse_set("origin=fake", &c, &e), PV_EINVAL, "bad origin");
	is_int(label_parse_set("text=x", &c, &e), PV_EINVAL, "unknown field");
	ok(strstr(e.msg, "settable") != NULL, "lists the settable fields");
	is_int(label_parse_set("label", &c, &e), PV_EINVAL, "no '='");
	is_int(label_parse_set("note=ab\033[2J", &c, &e), PV_EINVAL, "ESC rejected");
	ok(strstr(e.msg, "position 3") != NULL, "position named: %s", e.msg);
	is_int(label_parse_set("note=a\xc2\x9b", &c, &e), PV_EINVAL, "C1 rejected");
	is_int(label_parse_set("note=a\xff", &c, &e), PV_EINVAL, "invalid UTF-8 rejected");
	is_int(label_parse_set("note=caf\xc3\xa9", &c, &e), 0, "UTF-8 accepted");
	memset(big, 'x', sizeof big);
	memcpy(big, "note=", 5);
	big[sizeof big - 1] = '\0';
	is_int(label_parse_set(big, &c, &e), PV_EINVAL, "5000 bytes rejected");
	ok(strstr(e.msg, "4096") != NULL, "limit named");
	big[5 + 4096] = '\0';
	is_int(label_parse_set(big, &c, &e), 0, "4096 bytes accepted");
	is_int(label_parse_set("source=", &c, &e), 0, "empty value clears");
	is_int(label_parse_set("origin=", &c, &e), PV_EINVAL, "origin cannot be cleared");
}

static void test_phrase_and_preview(void)
{
	const char *file = path("p.pvx");
	struct store *s = make_store(file, 12);
	struct label_change ch = { LF_LABEL, "keep" };
	struct label_result r;
	struct filter_sql sql;
	struct pv_err e;
	int64_t count, ids[LABEL_SAMPLE];
	char *ext[LABEL_SAMPLE];
	size_t n, i;

	if (!s)
		return;
	compile("\"NUMBER 1 about\"", &sql);
	ok(label_preview(s, &sql, &count, ids, ext, &n, &e) == 0, "preview");
	is_int(count, 1, "phrase matches one document (case-insensitive)");
	ok(n == 1 && ids[0] == 1 && strcmp(ext[0], "e1") == 0, "sample: id and ext_id");
	for (i = 0; i < n; i++)
		free(ext[i]);
	filter_sql_done(&sql);
	compile("\"number about\"", &sql);
	label_preview(s, &sql, &count, ids, ext, &n, &e);
	is_int(count, 0, "words not consecutive: no match");
	filter_sql_done(&sql);
	compile("cats", &sql);
	label_preview(s, &sql, &count, ids, ext, &n, &e);
	is_int(count, 12, "word matches all");
	is_int(n, 5, "a sample of five");
	for (i = 0; i < n; i++)
		free(ext[i]);
	ok(label_set(s, &sql, &ch, 1, "ann", NULL, "c", false, &r, &e) == 0, "label all");
	filter_sql_done(&sql);
	compile("is:reviewed label:keep", &sql);
	label_preview(s, &sql, &count, ids, ext, &n, &e);
	for (i = 0; i < n; i++)
		free(ext[i]);
	is_int(count, 12, "label: and is:reviewed filters see the new columns");
	filter_sql_done(&sql);
	store_close(s);
}

static void test_migration(void)
{
	const char *file = path("v1.pvx");
	struct store *s = NULL;
	struct pv_err e;
	sqlite3 *db;
	char app[64];

	sqlite3_open(file, &db);
	snprintf(app, sizeof app, "PRAGMA application_id=%d", STORE_APP_ID);
	sqlite3_exec(db, app, NULL, NULL, NULL);
	ok(sqlite3_exec(db,
		"PRAGMA user_version=1;"
		"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
		"CREATE TABLE dicts(id INTEGER PRIMARY KEY, created TEXT NOT NULL,"
		" nsamples INTEGER NOT NULL, sample_bytes INTEGER NOT NULL, data BLOB NOT NULL);"
		"CREATE TABLE runs(id INTEGER PRIMARY KEY, started TEXT NOT NULL,"
		" finished TEXT, command TEXT NOT NULL, summary TEXT);"
		"CREATE TABLE inputs(id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
		" options TEXT NOT NULL, name TEXT NOT NULL, size INTEGER, mtime INTEGER,"
		" done INTEGER NOT NULL DEFAULT 0, records INTEGER, UNIQUE(path, options));"
		"CREATE TABLE texts(id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
		" len INTEGER NOT NULL, words INTEGER NOT NULL, nocc INTEGER NOT NULL DEFAULT 1,"
		" dict_id INTEGER REFERENCES dicts(id), body BLOB NOT NULL);"
		"CREATE TABLE docs(id INTEGER PRIMARY KEY, text_id INTEGER NOT NULL,"
		" input_id INTEGER NOT NULL, rec INTEGER NOT NULL, run_id INTEGER,"
		" ext_id TEXT NOT NULL, origin TEXT NOT NULL, source TEXT, generator TEXT,"
		" purpose TEXT, meta TEXT);"
		"CREATE VIRTUAL TABLE fts USING fts5(text, content='', detail=none,"
		" columnsize=0);"
		"INSERT INTO runs VALUES(1,'2024-01-01T00:00:00Z',NULL,'provex index',NULL);"
		"INSERT INTO inputs VALUES(1,'/x','{}','x',1,1,1,1);"
		"INSERT INTO texts VALUES(1,x'00',3,1,1,NULL,x'00');"
		"INSERT INTO docs VALUES(1,1,1,0,1,'k1','real','web','gpt',NULL,'{}');",
		NULL, NULL, NULL) == SQLITE_OK, "a version-1 store made by hand");
	sqlite3_close(db);
	/* a reading command's open upgrades an older store it may write,
	 * through a connection of its own (readonly.sh: not where it cannot) */
	if (!ok(store_open(&s, file, STORE_READ, &e) == 0,
		"a reading open of an older store it may write upgrades it"))
		printf("# %s\n", e.msg);
	store_close(s);
	is_q(file, "PRAGMA user_version", "6", "to the current version");
	if (!ok(store_open(&s, file, STORE_WRITE, &e) == 0, "opened for writing: migrated"))
		printf("# %s\n", e.msg);
	store_close(s);
	is_q(file, "PRAGMA user_version", "6", "user_version 6 (migrated)");
	is_q(file, "SELECT group_concat(name) FROM pragma_table_info('docs') WHERE cid>=11",
	     "label,note,reviewer,reviewed_at,len", "docs has the review columns");
	is_q(file, "SELECT count(*) FROM sqlite_master WHERE name IN ('batches',"
	     "'history','history_doc','docs_label')", "4", "tables and indexes added");
	is_q(file, "SELECT ext_id||' '||origin||' '||source||' '||generator FROM docs",
	     "k1 real web gpt", "data kept");
	ok(store_open(&s, file, STORE_WRITE, &e) == 0, "opens again");
	store_close(s);
	/* a new store has the same columns, in the same order */
	s = make_store(path("new.pvx"), 1);
	store_close(s);
	is_q(path("new.pvx"), "SELECT group_concat(name) FROM pragma_table_info('docs') WHERE cid>=11",
	     "label,note,reviewer,reviewed_at,len", "a new store is created at the current version");
	is_q(path("new.pvx"), "PRAGMA user_version", "6", "new store: user_version 6");
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_validation();
	test_set_and_undo();
	test_phrase_and_preview();
	test_migration();
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
