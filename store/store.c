/*
 * store.c - opening, creating and closing a store; transactions; the cache
 * of prepared statements; the planner's statistics.  What the store
 * records of its indexing (runs, inputs, dictionaries) is in records.c.
 *
 * A store is refused, never touched, when the file is something else: any
 * existing file is checked for the SQLite header and for provex's
 * application id before anything is written to it.
 */
#include "store_int.h"
#include "ftsbuild.h"
#include "ftsfeed.h"
#include "ftsquery.h"
#include "ftsscheme.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 60000

/* Waits for another connection's lock as sqlite3_busy_timeout would, up to
 * BUSY_TIMEOUT_MS in steps of 10 ms, but gives up at once when a signal
 * asked the process to stop (pv_stop_signal): Ctrl-C is not held up by
 * another writer's transaction. */
static int busy_wait(void *ctx, int n)
{
	(void)ctx;
	if (pv_stop_signal || n >= BUSY_TIMEOUT_MS / 10)
		return 0;
	usleep(10000);
	return !pv_stop_signal;
}
#ifndef STORE_PAGE_SIZE
#define STORE_PAGE_SIZE 65536          /* see create_atomic */
#endif
#define PV_STR_(x) #x
#define PV_STR(x) PV_STR_(x)


static const char *const stmt_sql[ST_N] = {
	[ST_TEXT_BY_HASH] = "SELECT id FROM texts WHERE hash=?1",
	[ST_TEXT_HASH_BY_ID] = "SELECT hash FROM texts WHERE id=?1",
	[ST_TEXTS_AFTER] = "SELECT id, hash FROM texts WHERE id>?1 ORDER BY id",
	[ST_TEXT_INSERT] = "INSERT INTO texts(hash,len,words,nocc,dict_id,body) "
			   "VALUES(?1,?2,?3,1,?4,?5)",
	[ST_TEXT_BUMP] = "UPDATE texts SET nocc=nocc+1 WHERE id=?1",
	[ST_FTS_INSERT] = "INSERT INTO fts(rowid,text) VALUES(?1,?2)",
	[ST_DOC_INSERT] = "INSERT INTO docs(text_id,input_id,rec,run_id,ext_id,"
			  "origin,source,generator,purpose,meta,len,label,note,id) "
			  "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
	[ST_OCC_EXISTS] = "SELECT 1 FROM docs WHERE input_id=?1 AND rec=?2 AND text_id=?3",
	[ST_CROSS_ORIGIN] = "SELECT 1 FROM docs WHERE text_id=?1 AND origin=?2 LIMIT 1",
	[ST_SEEN] = "SELECT 1 FROM docs WHERE input_id=?1 AND rec=?2 LIMIT 1",
	[ST_DOC_PROV] = "SELECT origin,source,generator,purpose FROM docs "
			"WHERE input_id=?1 AND rec=?2 ORDER BY id LIMIT 1",
	[ST_DOC_GET] = "SELECT d.id,d.text_id,d.input_id,d.rec,d.run_id,t.len,"
		       "length(t.body),t.nocc,t.words,d.ext_id,i.name,d.origin,"
		       "d.source,d.generator,d.purpose,d.meta "
		       "FROM docs d JOIN texts t ON t.id=d.text_id "
		       "JOIN inputs i ON i.id=d.input_id WHERE d.id=?1",
	[ST_TEXT_GET] = "SELECT dict_id,body,len FROM texts WHERE id=?1",
	[ST_DICT_GET] = "SELECT data FROM dicts WHERE id=?1",
	[ST_FIND_EXT] = "SELECT id FROM docs WHERE ext_id=?1 ORDER BY id",
};

int store_exec(sqlite3 *db, const char *sql, struct pv_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		return 0;
	pv_errf(err, rc == SQLITE_BUSY ? PV_EBUSY : PV_ESTORE, "%s",
		msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc == SQLITE_BUSY ? PV_EBUSY : PV_ESTORE;
}

int store_sqlerr(struct store *s, struct pv_err *err, const char *what)
{
	int rc = sqlite3_errcode(s->db);
	int code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? PV_EBUSY : PV_ESTORE;

	/* SQLite reports a full disk met while growing the -shm or -wal file
	 * as an I/O error: the system's errno tells */
	if (rc == SQLITE_FULL || (rc == SQLITE_IOERR && sqlite3_system_errno(s->db) == ENOSPC))
		return pv_errf(err, PV_EIO, "%s: %s: the disk is full; free space "
			       "and run the same command again", s->path, what);
	if (code == PV_EBUSY && pv_stop_signal)  /* busy_wait gave up */
		return pv_errf(err, PV_EINTR, "%s: %s: interrupted while waiting "
			       "for another writer to finish; run the same command "
			       "again", s->path, what);
	if (code == PV_EBUSY)
		return pv_errf(err, code, "%s: %s: the store is busy (another "
			       "provex is writing to it); try again when it is done",
			       s->path, what);
	/* SQLite's json functions meet a row whose metadata a provex older
	 * than the strict reader stored with a raw control character */
	if (strcmp(sqlite3_errmsg(s->db), "malformed JSON") == 0)
		return pv_errf(err, code, "%s: %s: malformed JSON: the stored "
			       "metadata of a document is not valid JSON (a raw "
			       "control character kept by an older provex); index "
			       "its inputs again into a new store, or filter "
			       "without meta. fields", s->path, what);
	return pv_errf(err, code, "%s: %s: %s", s->path, what,
		       sqlite3_errmsg(s->db));
}

int store_prep(struct store *s, sqlite3_stmt **st, const char *sql,
	       const char *what, struct pv_err *err)
{
	*st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	sqlite3_finalize(*st);
	*st = NULL;
	return store_sqlerr(s, err, what);
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what,
		    struct pv_err *err)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, what);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

int store_stmt(struct store *s, enum stmt_id id, sqlite3_stmt **st,
	       struct pv_err *err)
{
	*st = NULL;
	if (!s->st[id]) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
				       SQLITE_PREPARE_PERSISTENT, &s->st[id],
				       NULL) != SQLITE_OK)
			return store_sqlerr(s, err, "preparing a query");
	} else {
		sqlite3_reset(s->st[id]);
		sqlite3_clear_bindings(s->st[id]);
	}
	*st = s->st[id];
	return 0;
}

/* Checks that an existing file is a provex store before SQLite opens it:
 * returns 0 (it is an SQLite file, or does not exist: *exists says which),
 * or PV_ENOTSTORE. */
static int precheck(const char *path, bool create, bool *exists,
		    struct pv_err *err)
{
	struct stat st;

	*exists = false;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return pv_errf(err, PV_EIO, "%s: %s", path, strerror(errno));
	}
	*exists = true;
	if (S_ISDIR(st.st_mode))
		return pv_errf(err, PV_ENOTSTORE,
			       "%s is a directory, not a provex store; give a "
			       "file name such as %s/corpus.pvx", path, path);
	if (!S_ISREG(st.st_mode))
		return pv_errf(err, PV_ENOTSTORE,
			       "%s is not a regular file, so not a provex store",
			       path);
	if (st.st_size == 0 && create) {
		/* an empty file holds nothing to lose: a store whose creation
		 * was interrupted before its first transaction looks like this */
		*exists = false;
		return 0;
	}
	/* what index does with it (above) is what the message says */
	if (st.st_size == 0)
		return pv_errf(err, PV_ENOTSTORE,
			       "%s is an empty file, not a provex store yet (nothing "
			       "to read): provex index %s FILE... makes it one", path, path);
	/* The header is not read here: close() on any descriptor of a file
	 * drops every POSIX lock this process holds on it, the SQLite
	 * connections' included (the interface opens the store twice).
	 * SQLite itself refuses a file that is not a database (setup()). */
	return 0;
}

static int pragma_int(sqlite3 *db, const char *pragma, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, pragma, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int check_writable(const char *path, bool create, struct pv_err *err);

/* upgrade_apart: brings the store of a reading command (opened read-only)
 * from schema version ver to this one's, through a connection of its own
 * that is closed at once; the reading connection sees the new schema at
 * its next statement. */
static int upgrade_apart(struct store *s, int ver, struct pv_err *err)
{
	sqlite3 *db = NULL;
	int rc;

	if (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = pv_errf(err, PV_ESTORE, "%s: cannot open it to upgrade its schema "
			     "from version %d: %s", s->path, ver,
			     db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return rc;
	}
	sqlite3_busy_handler(db, busy_wait, NULL);
	if ((rc = store_exec(db, "BEGIN IMMEDIATE", err)) == 0) {
		/* another process may have upgraded it while we waited */
		if (pragma_int(db, "PRAGMA user_version", &ver) != SQLITE_OK)
			rc = pv_errf(err, PV_ESTORE, "%s: reading its schema version: %s",
				     s->path, sqlite3_errmsg(db));
		else if (ver < STORE_SCHEMA_VERSION)
			rc = schema_migrate(db, ver, err);
		if (rc)
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		else
			rc = store_exec(db, "COMMIT", err);
	}
	sqlite3_close(db);
	return rc;
}

/* Checks ids and version; creates the schema in a new, empty database. */
static int setup(struct store *s, bool may_create, struct pv_err *err)
{
	int app = 0, ver = 0, ntables = 0, rc;

	if (pragma_int(s->db, "PRAGMA application_id", &app) != SQLITE_OK ||
	    pragma_int(s->db, "PRAGMA user_version", &ver) != SQLITE_OK ||
	    pragma_int(s->db, "SELECT count(*) FROM sqlite_master", &ntables) != SQLITE_OK) {
		if (sqlite3_errcode(s->db) == SQLITE_NOTADB)
			return pv_errf(err, PV_ENOTSTORE,
				       "%s is not a provex store (not an SQLite "
				       "database); it was left untouched", s->path);
		return store_sqlerr(s, err, "reading the store header");
	}
	if (app == 0 && ntables == 0 && may_create) {
		if ((rc = store_begin(s, err)))
			return rc;
		/* another process may have created it meanwhile */
		pragma_int(s->db, "PRAGMA application_id", &app);
		pragma_int(s->db, "SELECT count(*) FROM sqlite_master", &ntables);
		if (app == 0 && ntables == 0) {
			if ((rc = schema_create(s->db, err))) {
				store_rollback(s);
				return rc;
			}
			app = STORE_APP_ID;
		}
		if ((rc = store_commit(s, err)))
			return rc;
		pragma_int(s->db, "PRAGMA user_version", &ver);
	}
	if (app != STORE_APP_ID)
		return pv_errf(err, PV_ENOTSTORE,
			       "%s is an SQLite database but not a provex store; "
			       "it was left untouched: choose another store path",
			       s->path);
	if (ver > STORE_SCHEMA_VERSION)
		return pv_errf(err, PV_ENEWER,
			       "%s has schema version %d, newer than this provex "
			       "understands (%d): upgrade provex to open it",
			       s->path, ver, STORE_SCHEMA_VERSION);
	if (ver < STORE_SCHEMA_OLDEST)
		return pv_errf(err, PV_ESTORE,
			       "%s has schema version %d, from a provex too old for "
			       "this one to upgrade (it migrates versions %d to %d): "
			       "index its inputs again into a new store (provex index "
			       "NEW.pvx FILE...); it was left untouched",
			       s->path, ver, STORE_SCHEMA_OLDEST, STORE_SCHEMA_VERSION - 1);
	if (ver < STORE_SCHEMA_VERSION) {
		/* a reading command writes nothing but the upgrade, and that
		 * only where the store can be written: an older store opens as
		 * it always did, once upgraded; in a read-only place it is
		 * refused, since this provex reads only its own schema */
		if (!s->writable && !s->unlocked &&
		    check_writable(s->path, false, NULL) == 0)
			return upgrade_apart(s, ver, err);
		if (!s->writable)
			return pv_errf(err, PV_ESTORE,
				       "%s has the older schema version %d, and this "
				       "provex reads only version %d, which it cannot "
				       "write here: copy the store to a folder you can "
				       "write, and any provex command there upgrades "
				       "the copy", s->path, ver, STORE_SCHEMA_VERSION);
		if ((rc = store_begin(s, err)))
			return rc;
		/* another process may have upgraded it while we waited */
		pragma_int(s->db, "PRAGMA user_version", &ver);
		if (ver < STORE_SCHEMA_VERSION &&
		    (rc = schema_migrate(s->db, ver, err))) {
			store_rollback(s);
			return rc;
		}
		return store_commit(s, err);
	}
	return 0;
}

/* SQL function pv_phrase(text_id, phrase): 1 when the text holds the
 * phrase's words in a row, else 0: words as the full-text index finds them
 * (case and diacritics folded as unicode61 remove_diacritics 2 folds them,
 * anything else between them), and a run of Chinese, Japanese, Korean,
 * Thai, Lao, Khmer or Myanmar found inside a longer one (ftsquery.h).  The
 * full-text index (detail=none) narrows the candidates; this confirms them
 * against the text itself. */
static void fn_phrase(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct store *s = sqlite3_user_data(ctx);
	struct buf text = BUF_INIT, words = BUF_INIT;
	struct pv_err e;
	const char *phrase = (const char *)sqlite3_value_text(argv[1]);

	(void)argc;
	if (!phrase) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	if (store_text_read(s, sqlite3_value_int64(argv[0]), &text, &e)) {
		sqlite3_result_error(ctx, e.msg, -1);
		buf_done(&text);
		return;
	}
	sqlite3_result_int(ctx, ftsquery_phrase(text.data ? text.data : "", text.len, phrase,
						(size_t)sqlite3_value_bytes(argv[1]), &words));
	buf_done(&text);
	buf_done(&words);
}

/* Creates a new store at path all at once: the schema is written to a
 * file of its own next to it, which is then linked to path.  So path never
 * names a half-made store, whenever the process is stopped; link() does not
 * overwrite, so when another process made the store meanwhile, its store is
 * the one used.  Returns 0 (path exists now) or a negative code. */
static int create_atomic(const char *path, bool *made, struct pv_err *err)
{
	struct buf tmp = BUF_INIT;
	sqlite3 *db = NULL;
	int rc;

	*made = false;
	buf_printf(&tmp, "%s.new-%ld", path, (long)getpid());
	unlink(buf_str(&tmp));
	if (sqlite3_open_v2(buf_str(&tmp), &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = pv_errf(err, PV_EIO, "%s: cannot create the store: %s", path,
			     db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	/* the page size goes first: it is fixed once a table exists.  64 KB
	 * pages: a store is written in bulk and read in ranges; an index run
	 * makes a sixteenth of the writes of 4 KB pages (13% faster in
	 * tests/bench/index) and the store comes out 9% smaller. */
	if ((rc = store_exec(db, "PRAGMA page_size=" PV_STR(STORE_PAGE_SIZE) "; "
			     "PRAGMA journal_mode=WAL; BEGIN IMMEDIATE", err)))
		goto out;
	if ((rc = schema_create(db, err))) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	if ((rc = store_exec(db, "COMMIT", err)))
		goto out;
	sqlite3_close(db);        /* checkpoints and removes the -wal */
	db = NULL;
	if (link(buf_str(&tmp), path) == 0)
		*made = true;
	else if (errno != EEXIST)
		rc = pv_errf(err, PV_EIO, "%s: cannot create the store: %s", path,
			     strerror(errno));
out:
	if (db)
		sqlite3_close(db);
	unlink(buf_str(&tmp));
	buf_printf(&tmp, "-wal");
	unlink(buf_str(&tmp));
	buf_done(&tmp);
	return rc;
}

/* Whether the store at path can be written (or created) here, before
 * SQLite tries: its file, and its folder, where SQLite makes the -wal and
 * -shm files a writer needs (unless both are there and writable) and
 * where a new store is made.  Without this, a write command in a shared,
 * read-only corpus folder or on read-only media fails with SQLite's
 * "attempt to write a readonly database" or "unable to open database
 * file", which names neither the file nor what to do.  0, or PV_ESTORE
 * with a message naming the file or folder. */
static int check_writable(const char *path, bool create, struct pv_err *err)
{
	struct buf side = BUF_INIT;
	char *dir = pv_dirname(path);
	bool sides_ok = false;
	int rc = 0, e;

	if (!create && access(path, W_OK) != 0) {
		e = errno;
		rc = pv_errf(err, PV_ESTORE, "%s: the store file is not writable "
			     "(%s), so this command cannot change it; reading "
			     "commands (ls, show, export ...) work on it as it is.  "
			     "To change it, copy it to a folder you can write "
			     "(cp %s DEST/) and run the command on the copy",
			     path, strerror(e), path);
		goto out;
	}
	if (!create) {
		buf_printf(&side, "%s-wal", path);
		sides_ok = access(buf_str(&side), W_OK) == 0;
		buf_reset(&side);
		buf_printf(&side, "%s-shm", path);
		sides_ok = sides_ok && access(buf_str(&side), W_OK) == 0;
	}
	if (!sides_ok && access(dir, W_OK | X_OK) != 0) {
		e = errno;
		if (e == ENOENT)
			rc = pv_errf(err, PV_ENOTFOUND, "%s: cannot create the "
				     "store: there is no folder %s", path, dir);
		else if (create)
			rc = pv_errf(err, PV_ESTORE, "%s: cannot create the store: "
				     "its folder %s is not writable (%s); choose "
				     "a store path in a folder you can write",
				     path, dir, strerror(e));
		else
			rc = pv_errf(err, PV_ESTORE, "%s: its folder %s is not "
				     "writable (%s), and writing to a store needs "
				     "its -wal and -shm files made there, so this "
				     "command cannot change it; reading commands "
				     "(ls, show, export ...) work on it as it is.  "
				     "To change it, copy it to a folder you can "
				     "write (cp %s DEST/) and run the command on "
				     "the copy", path, dir, strerror(e), path);
	}
out:
	buf_done(&side);
	free(dir);
	return rc;
}

/* path as an SQLite URI (https://www.sqlite.org/uri.html) with the query
 * q appended: "file:" and the path, its bytes other than letters, digits
 * and "/._-~" percent-encoded ('?', '#' and '%' would be taken for URI
 * syntax), an absolute path behind an empty authority. */
static void uri_of(const char *path, const char *q, struct buf *out)
{
	const unsigned char *p;

	buf_puts(out, path[0] == '/' ? "file://" : "file:");
	for (p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-~", *p))
			buf_putc(out, (char)*p);
		else
			buf_printf(out, "%%%02X", *p);
	}
	buf_printf(out, "?%s", q);
}

/* Reads the schema through db: an SQLite code (SQLITE_OK). */
static int probe(sqlite3 *db)
{
	int n;

	sqlite3_extended_result_codes(db, 0);
	return pragma_int(db, "SELECT count(*) FROM sqlite_master", &n);
}

/*
 * Opens s->path read-only.  A store is in WAL mode, and SQLite reads such
 * a database through an index kept in shared memory: the -shm file next
 * to it, which the first reader makes (https://www.sqlite.org/wal.html,
 * "read-only databases").  Where it cannot be made (a folder the user
 * cannot write, read-only media, a full disk) the ordinary opening fails
 * at the first read, with "attempt to write a readonly database",
 * "unable to open database file" or "disk I/O error".  The store is then
 * opened without any lock, in one of two ways:
 *
 *  - with no -wal file next to it (or an empty one), every transaction
 *    is in the store file: the URI parameter immutable=1
 *    (https://www.sqlite.org/uri.html) reads it as a file that does not
 *    change, with no -shm, no -wal and no locks;
 *  - with a -wal holding transactions not yet copied into the store file
 *    (its writer was stopped, or runs elsewhere), immutable=1 would
 *    silently read the store without them, so instead the unix-none VFS
 *    (no locks) in exclusive locking mode keeps the WAL's index in this
 *    process's memory and reads them.
 *
 * The caveat of both (doc/provex.1, FILES): without locks, changes that a
 * writer with more rights makes while this command runs are not seen, or
 * make it fail or see a mix of before and after; such a store must not be
 * read this way while someone writes it.  A writer cannot run from this
 * user anyway: the folder is not writable.  s->unlocked says which way
 * was taken.
 */
static int open_read(struct store *s, struct pv_err *err)
{
	struct buf uri = BUF_INIT, wal = BUF_INIT;
	struct stat st;
	const char *vfs = NULL;
	int rc, e = 0;

	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc == SQLITE_OK) {
		rc = probe(s->db);
		/* SQLITE_NOTADB and the like: setup() says what the file is */
		if (rc != SQLITE_READONLY && rc != SQLITE_CANTOPEN &&
		    rc != SQLITE_IOERR && rc != SQLITE_FULL)
			return 0;
	}
	sqlite3_close(s->db);
	s->db = NULL;
	buf_printf(&wal, "%s-wal", s->path);
	if (stat(buf_str(&wal), &st) != 0 && (e = errno) != ENOENT) {
		rc = pv_errf(err, PV_EIO, "%s: cannot read the store's write-ahead "
			     "log %s: %s", s->path, buf_str(&wal), strerror(e));
		goto out;
	}
	if (e == ENOENT || st.st_size == 0) {
		uri_of(s->path, "immutable=1", &uri);
		s->unlocked = "without locks, as an unchanging file (immutable)";
	} else {
		uri_of(s->path, "mode=ro", &uri);
		vfs = "unix-none";
		s->unlocked = "without locks, its write-ahead log indexed in memory";
	}
	rc = sqlite3_open_v2(buf_str(&uri), &s->db, SQLITE_OPEN_READONLY |
			     SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, vfs);
	if (rc == SQLITE_OK) {
		/* no checkpoint at close: this connection writes nothing */
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
		if (vfs)
			rc = sqlite3_exec(s->db, "PRAGMA locking_mode=EXCLUSIVE",
					  NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = probe(s->db);
		if (rc == SQLITE_OK || rc == SQLITE_NOTADB) {
			rc = 0;
			goto out;
		}
	}
	rc = pv_errf(err, PV_ESTORE, "%s: cannot read the store here: %s (SQLite "
		     "could not make its shared-memory file %s-shm next to it, nor "
		     "read it without one); copy the store%s to a folder you can "
		     "write and read the copy", s->path,
		     s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), s->path,
		     vfs ? " and its -wal file" : "");
out:
	buf_done(&uri);
	buf_done(&wal);
	return rc;
}

/* Gives a store opened for writing the statistics it lacks (see
 * store_stats_refresh), when it can do so at once: with another writer at
 * work (an index run, a label command) it is left to the next opening,
 * rather than making this one wait for the lock.  Nothing here fails the
 * opening: without statistics the queries are slower, not wrong. */
static void stats_on_open(struct store *s)
{
	sqlite3_busy_timeout(s->db, 0);
	store_stats_refresh(s, STORE_STATS_OPEN, NULL);
	sqlite3_busy_handler(s->db, busy_wait, NULL);
}

int store_open(struct store **out, const char *path, int mode, struct pv_err *err)
{
	struct store *s;
	bool exists, made = false;
	int flags, rc;

	*out = NULL;
	/* no allocation statistics: they take a global lock per malloc, and
	 * the indexer allocates on two threads (a no-op once SQLite is up) */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if ((rc = precheck(path, mode == STORE_CREATE, &exists, err)))
		return rc;
	if (!exists && mode != STORE_CREATE && access(path, F_OK) != 0)
		return pv_errf(err, PV_ENOTFOUND,
			       "%s: no such store; create one with: provex index %s FILE...",
			       path, path);
	if (exists && access(path, R_OK) != 0)
		return pv_errf(err, PV_ESTORE, "%s: cannot read the store: %s", path,
			       strerror(errno));
	if (mode != STORE_READ && (rc = check_writable(path, !exists, err)))
		return rc;
	if (!exists && mode == STORE_CREATE) {
		if (access(path, F_OK) == 0)
			unlink(path);     /* an empty file: nothing to lose */
		if ((rc = create_atomic(path, &made, err)))
			return rc;
	}
	s = pv_calloc(1, sizeof *s);
	s->path = pv_strdup(path);
	s->writable = mode != STORE_READ;
	s->created = made;
	if (!s->writable) {
		if ((rc = open_read(s, err))) {
			store_close(s);
			return rc;
		}
	} else {
		flags = SQLITE_OPEN_READWRITE;
		if (mode == STORE_CREATE)
			flags |= SQLITE_OPEN_CREATE;
		rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
		if (rc != SQLITE_OK) {
			pv_errf(err, PV_ESTORE, "%s: cannot open: %s", path,
				s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
			store_close(s);
			return PV_ESTORE;
		}
	}
	sqlite3_busy_handler(s->db, busy_wait, NULL);
	sqlite3_extended_result_codes(s->db, 0);
	if ((rc = setup(s, mode == STORE_CREATE, err))) {
		store_close(s);
		return rc;
	}
	if (s->writable &&
	    (rc = store_exec(s->db, "PRAGMA journal_mode=WAL; "
			     "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768;",
			     err))) {
		store_close(s);
		return rc;
	}
	if (s->writable && mode != STORE_CREATE)
		stats_on_open(s);
	sqlite3_create_function(s->db, "pv_phrase", 2, SQLITE_UTF8, s, fn_phrase,
				NULL, NULL);
	s->codec = codec_new();
	if (!s->codec) {
		store_close(s);
		return pv_errf(err, PV_ENOMEM, "cannot create zstd contexts");
	}
	/* the full-text index's term scheme (an older one is brought up to
	 * date when writable), and pv_fts_query */
	if ((rc = ftsscheme_attach(s, err))) {
		store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void store_map(struct store *s)
{
	store_exec(s->db, "PRAGMA mmap_size=4294967296", NULL);
}

void store_close(struct store *s)
{
	size_t i;

	if (!s)
		return;
	if (s->in_tx)
		store_rollback(s);
	ftsfeed_free(s->feed);
	texthash_free(s->texts_mem);
	for (i = 0; i < ST_N; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db)
		sqlite3_close(s->db);
	codec_free(s->codec);
	ftsterms_free(s->terms);
	buf_done(&s->zbuf);
	buf_done(&s->tbuf);
	free(s->path);
	free(s);
}

bool store_close_empty(struct store *s)
{
	struct buf side = BUF_INIT;
	bool has = true, drop;
	int64_t runs = 0;
	char *path;

	if (!s)
		return false;
	if (s->in_tx)
		store_rollback(s);
	/* a second provex that made the same new store at the same moment
	 * (create_atomic) has recorded a run of its own: then it is kept */
	drop = s->created && s->writable && store_has_docs(s, &has, NULL) == 0 && !has &&
	       store_q_int64(s->db, "SELECT count(*) FROM runs", NULL, &runs) == SQLITE_OK &&
	       runs <= 1;
	path = pv_strdup(s->path);
	store_close(s);
	if (drop && unlink(path) == 0) {
		/* SQLite removed them at the close, unless a step failed */
		buf_printf(&side, "%s-wal", path);
		unlink(buf_str(&side));
		buf_reset(&side);
		buf_printf(&side, "%s-shm", path);
		unlink(buf_str(&side));
	} else {
		drop = false;
	}
	buf_done(&side);
	free(path);
	return drop;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

bool store_created(const struct store *s)
{
	return s->created;
}

const char *store_unlocked(const struct store *s)
{
	return s->unlocked;
}

int store_begin(struct store *s, struct pv_err *err)
{
	int rc;

	/* a reading command's store, or the interface's on a store it
	 * may not write: say so rather than SQLite's "readonly database" */
	if (!s->writable)
		return pv_errf(err, PV_ESTORE, "%s: the store is open read-only "
			       "(you cannot write it, or it is on read-only media), "
			       "so nothing in it can be changed; to change it, copy "
			       "it to a folder you can write and work on the copy",
			       s->path);
	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_sqlerr(s, err, "starting a transaction");
	s->in_tx = true;
	/* another run may have added texts since, or a rollback taken ours */
	if (s->texts_mem && (rc = store_texts_sync(s, err))) {
		store_rollback(s);
		return rc;
	}
	return 0;
}

int store_begin_retry(struct store *s, struct pv_err *err)
{
	int i, rc = 0;

	for (i = 0; i < STORE_BEGIN_TRIES; i++) {
		rc = store_begin(s, err);
		if (rc != PV_EBUSY || pv_stop_signal)
			return rc;
		usleep(100000u * (unsigned)(i + 1));
	}
	return rc;
}

int store_commit(struct store *s, struct pv_err *err)
{
	int rc;

	if (s->feed && (rc = store_fts_flush(s, err))) {
		store_rollback(s);
		return rc;
	}
	rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sqlerr(s, err, "committing");
		store_rollback(s);
		return rc;
	}
	assert(sqlite3_get_autocommit(s->db));
	s->in_tx = false;
	return 0;
}

void store_rollback(struct store *s)
{
	if (s->feed)
		ftsfeed_discard(s->feed);
	if (sqlite3_get_autocommit(s->db) == 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = false;
}

int store_part_begin(struct store *s, struct pv_err *err)
{
	int rc;

	if (!s->in_tx)
		return pv_errf(err, PV_EUSAGE, "a part of a transaction needs one open");
	if ((rc = store_fts_flush(s, err)))
		return rc;
	/* nothing gathered is left over: store_part_undo drops only what
	 * comes after this point */
	assert(!s->feed || ftsfeed_bytes(s->feed) == 0);
	if (sqlite3_exec(s->db, "SAVEPOINT pv_part", NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "starting a savepoint");
	return 0;
}

int store_part_keep(struct store *s, struct pv_err *err)
{
	if (sqlite3_exec(s->db, "RELEASE pv_part", NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "releasing a savepoint");
	return 0;
}

int store_part_undo(struct store *s, struct pv_err *err)
{
	if (s->feed)
		ftsfeed_discard(s->feed);
	if (sqlite3_exec(s->db, "ROLLBACK TO pv_part", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, "RELEASE pv_part", NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "rolling back to a savepoint");
	return s->texts_mem ? store_texts_sync(s, err) : 0;
}

int store_texts_sync(struct store *s, struct pv_err *err)
{
	sqlite3_stmt *st;
	int64_t top = 0;
	int rc;

	if (store_q_int64(s->db, "SELECT max(id) FROM texts", NULL, &top) != SQLITE_OK)
		return store_sqlerr(s, err, "reading the texts' ids");
	if (top < texthash_max_id(s->texts_mem) &&
	    texthash_truncate(s->texts_mem, top < 0 ? 0 : top))
		return pv_errf(err, PV_ENOMEM, "out of memory keeping the texts' hashes");
	if (top <= texthash_max_id(s->texts_mem))
		return 0;
	if ((rc = store_stmt(s, ST_TEXTS_AFTER, &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, texthash_max_id(s->texts_mem));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int rc2;
		if (sqlite3_column_bytes(st, 1) != 16) {
			sqlite3_reset(st);
			return pv_errf(err, PV_ESTORE, "%s: text %lld has a hash of %d "
				       "bytes, not 16: the store is damaged",
				       s->path, (long long)sqlite3_column_int64(st, 0),
				       sqlite3_column_bytes(st, 1));
		}
		rc2 = texthash_add(s->texts_mem, sqlite3_column_blob(st, 1),
				   sqlite3_column_int64(st, 0));
		if (rc2 == PV_ENOMEM) {
			sqlite3_reset(st);
			return pv_errf(err, rc2, "out of memory keeping the texts' hashes");
		} else if (rc2) {
			sqlite3_reset(st);
			return pv_errf(err, rc2, "%s: text ids beyond %lld: index "
				       "further inputs into a new store", s->path,
				       (long long)TEXTHASH_MAX_ID);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "reading the texts' hashes");
	return 0;
}

int store_texts_lookup(struct store *s, struct pv_err *err)
{
	bool unindexed;
	int rc;

	if (s->texts_mem)
		return 0;
	if (schema_texts_unindexed(s->db, &unindexed) != SQLITE_OK)
		return store_sqlerr(s, err, "looking for the index of texts");
	if (!unindexed)
		return 0;
	if (texthash_new(&s->texts_mem))
		return pv_errf(err, PV_ENOMEM, "out of memory keeping the texts' hashes");
	if (!s->in_tx)
		return 0;               /* filled at the next store_begin */
	if ((rc = store_texts_sync(s, err))) {
		texthash_free(s->texts_mem);
		s->texts_mem = NULL;
	}
	return rc;
}

int store_fts_flush(struct store *s, struct pv_err *err)
{
	struct ftsbuild *b;
	int rc;

	if (!s->feed || ftsfeed_bytes(s->feed) == 0)
		return 0;
	assert(!sqlite3_get_autocommit(s->db));    /* in the open transaction */
	b = ftsfeed_sync(s->feed);
	if ((rc = ftsbuild_write(b, s->db, "fts", err)))
		return rc;
	ftsfeed_written(s->feed);
	return 0;
}

int store_fts_bulk(struct store *s, size_t segment_bytes, struct pv_err *err)
{
	s->feed_bytes = segment_bytes ? segment_bytes : FTS_BULK_BYTES;
	if (s->feed)
		return 0;
	if (s->in_tx)
		return pv_errf(err, PV_EUSAGE, "bulk full-text indexing must start "
			       "outside a transaction");
	return ftsfeed_new(&s->feed, err);
}

int store_has_docs(struct store *s, bool *has, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM docs LIMIT 1", -1, &st, NULL))
		return store_sqlerr(s, err, "looking for documents");
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "looking for documents");
	*has = rc == SQLITE_ROW;
	return 0;
}

int store_indexes_defer(struct store *s, struct pv_err *err)
{
	int rc;

	if ((rc = store_begin_retry(s, err)))
		return rc;
	if ((rc = schema_defer_indexes(s->db, err))) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

int store_indexes_build(struct store *s, int *built, struct pv_err *err)
{
	int rc;

	*built = 0;
	if (schema_missing_indexes(s->db, built) != SQLITE_OK)
		return store_sqlerr(s, err, "looking for indexes");
	if (*built == 0)
		return 0;
	if ((rc = store_begin_retry(s, err)))
		return rc;
	if ((rc = schema_build_indexes(s->db, err))) {
		store_rollback(s);
		return rc;
	}
	if ((rc = store_commit(s, err)))
		return rc;
	/* texts_hash is there now (when it applies): SQLite finds texts */
	texthash_free(s->texts_mem);
	s->texts_mem = NULL;
	return 0;
}

/* Total changes of a statement run on its own. */
static int exec_changes(struct store *s, const char *sql, int64_t *changes,
			struct pv_err *err)
{
	int64_t before = sqlite3_total_changes64(s->db);
	int rc = store_exec(s->db, sql, err);

	*changes = sqlite3_total_changes64(s->db) - before;
	return rc;
}

int store_fts_bulk_end(struct store *s, struct pv_err *err)
{
	int64_t n;
	int rc, i;

	if (!s->feed)
		return 0;
	if (s->in_tx)
		return pv_errf(err, PV_EUSAGE, "bulk full-text indexing must end "
			       "outside a transaction");
	/* every commit wrote the terms gathered before it */
	assert(ftsfeed_bytes(s->feed) == 0);
	ftsfeed_free(s->feed);
	s->feed = NULL;
	/* FTS5 merges as it flushes; bulk segments were not merged.  'merge'
	 * with a positive budget merges a level once it holds usermerge
	 * segments, as automerge does: each call writes about that many
	 * pages, and changes fewer than 2 rows once there is nothing left. */
	if ((rc = store_exec(s->db, "INSERT INTO fts(fts, rank) VALUES('usermerge', "
			     STORE_FTS_MERGE ")", err)))
		return rc;
	for (i = 0; i < 100000; i++) {
		if ((rc = exec_changes(s, "INSERT INTO fts(fts, rank) VALUES('merge', 2000)",
				       &n, err)))
			return rc;
		if (n < 2)
			break;
	}
	return 0;
}

int store_check(struct store *s, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc, bad = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL))
		return store_sqlerr(s, err, "checking integrity");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		if (!r || strcmp(r, "ok") != 0) {
			if (!bad)
				pv_errf(err, PV_ESTORE, "%s: integrity check: %s",
					s->path, r ? r : "?");
			bad = 1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && !bad)
		return store_sqlerr(s, err, "checking integrity");
	return bad ? PV_ESTORE : 0;
}

/* ---- the meta table, and sealing a store written no more ---- */

int store_meta_set(struct store *s, const char *key, const char *value,
		   struct pv_err *err)
{
	sqlite3_stmt *st;
	bool own = !s->in_tx;
	int rc;

	if (own && (rc = store_begin(s, err)))
		return rc;
	if ((rc = store_prep(s, &st, "INSERT OR REPLACE INTO meta(key,value) "
			     "VALUES(?1,?2)", "recording the store's metadata", err)) == 0) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
		rc = store_step_done(s, st, "recording the store's metadata", err);
	}
	if (!own)
		return rc;
	if (rc) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

int store_meta_get(struct store *s, const char *key, struct buf *out,
		   bool *found, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	buf_reset(out);
	*found = false;
	if ((rc = store_prep(s, &st, "SELECT value FROM meta WHERE key=?1",
			     "reading the store's metadata", err)))
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*found = true;
		buf_append(out, sqlite3_column_text(st, 0),
			   (size_t)sqlite3_column_bytes(st, 0));
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "reading the store's metadata");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	buf_str(out);
	return 0;
}

/* One integer of sql into *v (0 when NULL or no row). */
static int seal_q(struct store *s, const char *sql, int64_t *v, struct pv_err *err)
{
	if (store_q_int64(s->db, sql, NULL, v) != SQLITE_OK)
		return store_sqlerr(s, err, "counting what the store holds");
	if (*v < 0)
		*v = 0;
	return 0;
}

int store_seal(struct store *s, int64_t id_stride, int64_t world, int64_t rank,
	       struct store_sealed *c, struct pv_err *err)
{
	sqlite3_stmt *st;
	const char *v;
	char sql[256];
	int rc;

	memset(c, 0, sizeof *c);
	if (!s->writable || s->in_tx)
		return pv_errf(err, PV_ESTORE, "%s: cannot seal a store opened "
			       "for reading or inside a transaction", s->path);
	/* the write-ahead log into the file, then no log at all */
	if ((rc = store_prep(s, &st, "PRAGMA wal_checkpoint(TRUNCATE)",
			     "copying the write-ahead log into the store", err)))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0) {
		sqlite3_finalize(st);
		return pv_errf(err, PV_EBUSY, "%s: another connection reads or "
			       "writes the store: its write-ahead log cannot be "
			       "emptied; run the same command again when it is "
			       "done", s->path);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "copying the write-ahead log into the store");
	if ((rc = store_prep(s, &st, "PRAGMA journal_mode=DELETE",
			     "leaving write-ahead logging", err)))
		return rc;
	rc = sqlite3_step(st);
	v = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (!v || strcmp(v, "delete") != 0) {
		rc = pv_errf(err, PV_EBUSY, "%s: cannot leave write-ahead logging "
			     "(journal mode %s): another connection has the "
			     "store open; run the same command again when it is "
			     "done", s->path, v ? v : sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if ((rc = store_prep(s, &st, "PRAGMA quick_check", "checking the store",
			     err)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(st, 0);
		if (!v || strcmp(v, "ok") != 0) {
			rc = pv_errf(err, PV_ESTORE, "%s: PRAGMA quick_check: %s",
				     s->path, v ? v : "?");
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "checking the store");
	if ((rc = seal_q(s, "SELECT count(*) FROM docs", &c->docs, err)) ||
	    (rc = seal_q(s, "SELECT count(*) FROM texts", &c->texts, err)) ||
	    (rc = seal_q(s, "SELECT count(*) FROM inputs", &c->inputs, err)) ||
	    (rc = seal_q(s, "SELECT count(*) FROM inputs WHERE done", &c->inputs_done,
			 err)) ||
	    (rc = seal_q(s, "SELECT count(*) FROM runs WHERE summary IS NULL OR NOT "
			 "json_valid(summary)", &c->runs_open, err)) ||
	    (rc = seal_q(s, "SELECT coalesce(sum(json_extract(summary,'$.added')),0) "
			 "FROM runs WHERE json_valid(summary)", &c->added, err)))
		return rc;
	if (id_stride > 0 && world > 0) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM docs WHERE id %% %lld "
			 "<> rec + 1 OR id < %lld OR (id / %lld - 1) %% %lld <> %lld",
			 (long long)id_stride, (long long)id_stride,
			 (long long)id_stride, (long long)world, (long long)rank);
		if ((rc = seal_q(s, sql, &c->ids_outside, err)))
			return rc;
	}
	return 0;
}

/* ---- the planner's statistics ---- */

/*
 * SQLite picks join orders and indexes from sqlite_stat1: for each table
 * and index, its rows and how many rows share each key prefix.  A table
 * without a row there is taken to hold about a million rows: index runs
 * used to analyse docs alone, so on a store of 3M documents SQLite thought
 * texts the smaller table, scanned it as the outer loop of every page and
 * sorted the result (1.4 s for a first screen instead of 26 ms).  Every
 * table that provex's queries join or search through an index gets
 * statistics here:
 *
 *   docs     ANALYZE: how many documents share an origin, a source, a
 *            length ... decides between walking the id order and an index
 *            with a sort.  The one costly step: about 1.2 s per million
 *            documents (9 indexes read), so it is redone only when docs
 *            has moved by a fraction (tolerance below).
 *   texts    written directly: its indexes are unique on one column (the
 *            hash), whose statistics are exactly "N 1", and N is max(id)
 *            (texts are never deleted and take ids one after the other).
 *            ANALYZE would read every hash (0.13 s per million) for the
 *            same row.  Should texts ever gain another index, it is
 *            analysed instead.
 *   inputs, pairs, history, batches, review_answers, review_sessions
 *            ANALYZE; small next to docs.
 *
 * A table is renewed when it has rows and some index of it (or the table,
 * without an index) has no statistics, or when its size differs from the
 * recorded one by more than the tolerance: STORE_STATS_RUN (10%) at the
 * end of an index run, so a small run into a large store does not pay for
 * ANALYZE; STORE_STATS_OPEN (100%) when a store is opened for writing,
 * which gives a store written by an older provex (docs analysed, texts
 * not) its statistics once, and catches the tables other commands grow
 * (labels' history, pairs, blind review answers).  Sizes are max(rowid),
 * one descent of a b-tree each.
 */
static const char *const stat_tables[] = {
	"docs", "texts", "inputs", "pairs", "history", "batches",
	"review_answers", "review_sessions",
};

int store_q_int64(sqlite3 *db, const char *sql, const char *arg, int64_t *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	*v = -1;
	if (rc != SQLITE_OK)
		return rc;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Whether table (one of stat_tables: never user text) needs new
 * statistics, with tolerance tol; its size in *rows.  have_stat1: the
 * store has a sqlite_stat1 table.  Returns an SQLite code. */
static int stats_stale(sqlite3 *db, const char *table, double tol,
		       bool have_stat1, bool *stale, int64_t *rows)
{
	char sql[96];
	int64_t missing, recorded;
	int rc;

	*stale = false;
	snprintf(sql, sizeof sql, "SELECT max(rowid) FROM \"%s\"", table);
	if ((rc = store_q_int64(db, sql, NULL, rows)) != SQLITE_OK) {
		/* a table this schema version does not have: nothing to do */
		*rows = 0;
		return rc == SQLITE_ERROR ? SQLITE_OK : rc;
	}
	/* a set's shard numbers its documents (p + 1) * 10^9 + rec + 1
	 * (index/shard.h): its max(rowid) is no size, so it is counted */
	if (*rows >= 1000000000 && strcmp(table, "docs") == 0 &&
	    (rc = store_q_int64(db, "SELECT count(*) FROM docs", NULL, rows))
	    != SQLITE_OK)
		return rc;
	if (*rows <= 0)
		return SQLITE_OK;           /* empty: nothing to describe */
	if (!have_stat1) {
		*stale = true;
		return SQLITE_OK;
	}
	/* an index (or the table itself, when it has none) without a row */
	if ((rc = store_q_int64(db, "SELECT CASE WHEN EXISTS (SELECT 1 FROM "
			  "sqlite_master WHERE type='index' AND tbl_name=?1) THEN "
			  "(SELECT count(*) FROM sqlite_master m WHERE m.type='index' "
			  "AND m.tbl_name=?1 AND NOT EXISTS (SELECT 1 FROM sqlite_stat1 "
			  "s WHERE s.tbl=?1 AND s.idx=m.name)) ELSE NOT EXISTS (SELECT "
			  "1 FROM sqlite_stat1 WHERE tbl=?1) END", table, &missing))
	    != SQLITE_OK)
		return rc;
	/* the recorded size: the first number of any of its rows */
	if ((rc = store_q_int64(db, "SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 "
			  "WHERE tbl=?1 LIMIT 1", table, &recorded)) != SQLITE_OK)
		return rc;
	*stale = missing != 0 || recorded <= 0 ||
		 (double)*rows > (double)recorded * (1 + tol) ||
		 (double)*rows < (double)recorded / (1 + tol);
	return SQLITE_OK;
}

/* Writes the statistics of texts (rows of them) without reading it, when
 * its indexes are all unique on one column; *done false when they are not
 * (the caller analyses it).  Inside the caller's transaction. */
static int stats_texts(sqlite3 *db, int64_t rows, bool *done,
		       struct pv_err *err)
{
	char stat[32];
	sqlite3_stmt *st;
	int64_t other;
	int rc;

	*done = false;
	if (store_q_int64(db, "SELECT count(*) FROM pragma_index_list('texts') l WHERE "
		    "NOT l.\"unique\" OR (SELECT count(*) FROM "
		    "pragma_index_info(l.name)) <> 1", NULL, &other) != SQLITE_OK)
		return pv_errf(err, PV_ESTORE, "reading the indexes of texts: %s",
			       sqlite3_errmsg(db));
	if (other != 0)
		return 0;
	snprintf(stat, sizeof stat, "%lld 1", (long long)rows);
	if ((rc = store_exec(db, "DELETE FROM sqlite_stat1 WHERE tbl='texts'", err)))
		return rc;
	if (sqlite3_prepare_v2(db, "INSERT INTO sqlite_stat1(tbl,idx,stat) SELECT "
			       "'texts', name, ?1 FROM pragma_index_list('texts')",
			       -1, &st, NULL) != SQLITE_OK)
		return pv_errf(err, PV_ESTORE, "writing the statistics of texts: %s",
			       sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, stat, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pv_errf(err, PV_ESTORE, "writing the statistics of texts: %s",
			       sqlite3_errmsg(db));
	*done = true;
	return 0;
}

int store_stats_refresh(struct store *s, double tol, struct pv_err *err)
{
	bool stale[PV_ARRAY_LEN(stat_tables)], any = false, wrote = false;
	int64_t rows[PV_ARRAY_LEN(stat_tables)], have;
	bool own = !s->in_tx;
	size_t i;
	int rc;

	if (!s->writable)
		return 0;
	if (store_q_int64(s->db, "SELECT 1 FROM sqlite_master WHERE name='sqlite_stat1'",
		    NULL, &have) != SQLITE_OK)
		return store_sqlerr(s, err, "reading the statistics");
	for (i = 0; i < PV_ARRAY_LEN(stat_tables); i++) {
		rc = stats_stale(s->db, stat_tables[i], tol, have > 0, &stale[i],
				 &rows[i]);
		if (rc != SQLITE_OK)
			return store_sqlerr(s, err, "reading the statistics");
		any |= stale[i];
	}
	if (!any)
		return 0;
	rc = 0;
	if (own && (rc = store_begin(s, err)))
		return rc;
	/* sqlite_stat1 is made by the first ANALYZE: docs comes first (a
	 * store with texts has documents) */
	for (i = 0; i < PV_ARRAY_LEN(stat_tables) && !rc; i++) {
		char sql[64];
		bool done = false;

		if (!stale[i])
			continue;
		if (strcmp(stat_tables[i], "texts") == 0 && (have > 0 || wrote) &&
		    (rc = stats_texts(s->db, rows[i], &done, err)))
			break;
		if (done) {
			wrote = true;
			continue;
		}
		snprintf(sql, sizeof sql, "ANALYZE \"%s\"", stat_tables[i]);
		rc = store_exec(s->db, sql, err);
		wrote = true;
	}
	/* rows written directly are read by this connection after it loads
	 * the statistics again, which ANALYZE of the schema table does (it
	 * writes nothing) */
	if (!rc)
		rc = store_exec(s->db, "ANALYZE sqlite_schema", err);
	if (!own)
		return rc;
	if (rc) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}
