/*
 * store_int.h - internals shared by the store's source files.
 */
#ifndef PV_STORE_INT_H
#define PV_STORE_INT_H

#include "config.h"
#include "store.h"
#include "codec.h"
#include "ftsterms.h"
#include "texthash.h"

#include <sqlite3.h>
#include <stdio.h>

/* FTS5 detail level: "full" keeps token positions, which phrase search
 * ("quoted phrases") and NEAR need; measured in tests/bench/index. */
#define STORE_FTS_DETAIL "none"
/* Segments on one level that FTS5 merges into one (automerge, and the
 * merges after bulk indexing). */
#define STORE_FTS_MERGE "16"

enum stmt_id {
	ST_TEXT_BY_HASH, ST_TEXT_INSERT, ST_TEXT_BUMP, ST_FTS_INSERT,
	ST_DOC_INSERT, ST_OCC_EXISTS, ST_CROSS_ORIGIN, ST_SEEN,
	ST_DOC_GET, ST_TEXT_GET, ST_DICT_GET, ST_FIND_EXT, ST_DOC_PROV,
	ST_TEXT_HASH_BY_ID, ST_TEXTS_AFTER,
	ST_N
};

struct store {
	sqlite3 *db;
	char *path;                /* owned */
	bool writable;
	bool created;              /* this opening created the file */
	/* how a read-only opening reads a store whose folder or medium does
	 * not let SQLite keep its WAL's shared memory (store_open): NULL when
	 * opened the ordinary way, else a static description */
	const char *unlocked;
	bool in_tx;
	sqlite3_stmt *st[ST_N];    /* prepared lazily, finalized in store_close */
	struct codec *codec;       /* owned */
	struct ftsterms *terms;    /* owned, created on first use */
	struct buf tbuf;           /* terms of the text being added, reused */
	struct buf zbuf;           /* compression output, reused */
	struct ftsfeed *feed;      /* owned; bulk full-text indexing when set */
	size_t feed_bytes;         /* a segment once this many term bytes gathered */
	/* texts by hash while texts_hash is missing (a first load, or one
	 * interrupted): owned; brought up to date with the file at each
	 * transaction's start and after a savepoint's rollback (texts_sync) */
	struct texthash *texts_mem;
};

/* In bulk full-text indexing, a segment is written once this many term
 * bytes were gathered (besides at each commit). */
#define FTS_BULK_BYTES (48u << 20)

/* Writes the terms gathered in bulk mode as one FTS5 segment, in the open
 * transaction. */
int store_fts_flush(struct store *s, struct pv_err *err);

int store_exec(sqlite3 *db, const char *sql, struct pv_err *err);
int store_sqlerr(struct store *s, struct pv_err *err, const char *what);
/* Column 0 of the first row of sql (?1 bound to arg when not NULL) as an
 * integer in *v; -1 when there is no row or it is NULL.  Returns an SQLite
 * code (SQLITE_OK). */
int store_q_int64(sqlite3 *db, const char *sql, const char *arg, int64_t *v);
/* The one way the store's files prepare and run a statement.
 * store_prep: prepares sql into *st (the caller finalizes it); on failure
 * *st is NULL and the code returned (PV_EBUSY, PV_EIO, PV_ESTORE...) is the
 * one err holds, err naming what was being done; err may be NULL and the
 * code is still right.
 * store_step_done: runs st to its end (a statement run for its effect:
 * rows it returns are ignored) and finalizes it, whatever happens; 0 or a
 * code as store_prep's. */
int store_prep(struct store *s, sqlite3_stmt **st, const char *sql,
	       const char *what, struct pv_err *err);
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what,
		    struct pv_err *err);
/* store_stmt: the cached statement id, reset and unbound, in *st (owned
 * by the store: reset, never finalize it); 0 or a code as store_prep's. */
int store_stmt(struct store *s, enum stmt_id id, sqlite3_stmt **st,
	       struct pv_err *err);
int schema_create(sqlite3 *db, struct pv_err *err);
int schema_migrate(sqlite3 *db, int from, struct pv_err *err);
/* The indexes of docs an index run may build at its end (schema.c):
 * drop them, count those missing (an SQLite code), create those missing;
 * inside the caller's transaction. */
int schema_defer_indexes(sqlite3 *db, struct pv_err *err);
int schema_missing_indexes(sqlite3 *db, int *missing);
int schema_build_indexes(sqlite3 *db, struct pv_err *err);
/* Whether texts has no index on hash (texts_hash deferred and not built
 * yet); an SQLite code. */
int schema_texts_unindexed(sqlite3 *db, bool *unindexed);
/* Brings s->texts_mem up to date with the texts the file holds, in the
 * open transaction: forgets ids rolled back, adds those another writer
 * committed.  0 or a code (err filled). */
int store_texts_sync(struct store *s, struct pv_err *err);
int store_load_ddict(struct store *s, int64_t dict_id, struct pv_err *err);
/* Fills a row from a statement whose columns are laid out as in
 * ST_DOC_GET (see store.c). */
void store_row_fill(struct doc_row *r, sqlite3_stmt *st);
struct filter_sql;
/* The one FROM builder: appends " FROM docs d " and the joins of texts t
 * and inputs i that the compiled condition reads (where->needs_texts,
 * needs_inputs; a scan of docs alone is much faster), or that joins asks
 * for (STORE_JOIN_*: the selected columns, the sort; store_sort_joins).
 * store_from(where, sql) is store_from_joins(where, 0, sql). */
enum { STORE_JOIN_TEXTS = 1, STORE_JOIN_INPUTS = 2 };
void store_from(const struct filter_sql *where, struct buf *sql);
void store_from_joins(const struct filter_sql *where, unsigned joins, struct buf *sql);
/* The joins sort field `field` (store_sort_expr; NULL: id) reads, and
 * those a field of the filter language with these flags reads. */
unsigned store_sort_joins(const char *field);
unsigned store_joins_of(unsigned field_flags);
#include "filter_sql.h"
/* Prepares sql into *st with a compiled filter's parameters bound (where
 * may be NULL); 0, or a code as store_prep's with *st NULL and err filled
 * (naming what was being done). The caller finalizes the statement. */
int store_prep_where(struct store *s, sqlite3_stmt **st, const char *sql,
		     const struct filter_sql *where, const char *what,
		     struct pv_err *err);

#endif
