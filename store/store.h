/*
 * store.h - the provex store: one SQLite file holding every document's text
 * (compressed on its own with zstd and a trained dictionary, stored once per
 * distinct text), its provenance as columns, the other input fields as JSON,
 * and a full-text index.  The schema is documented in the README and created
 * or migrated by schema.c.
 *
 * Ownership: struct store owns the SQLite connection, every prepared
 * statement and the compression contexts; store_close() releases them all.
 * Rows handed out (struct doc_row) own their strings until doc_row_done().
 */
#ifndef PV_STORE_H
#define PV_STORE_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "../common/pv.h"
#include "../common/buf.h"

#define STORE_SCHEMA_VERSION 6
#define STORE_SCHEMA_OLDEST 1     /* the oldest schema store_open can upgrade */
#define STORE_APP_ID 0x50565831     /* "PVX1" in PRAGMA application_id */

struct store;

enum {
	STORE_READ = 0,      /* open an existing store read-only */
	STORE_WRITE = 1,     /* open an existing store for writing */
	STORE_CREATE = 2     /* create it when absent (implies STORE_WRITE) */
};

/* Opens (or creates) the store at path.  Refuses, without touching it, a
 * file that is not a provex store (PV_ENOTSTORE; an empty file too, which
 * STORE_CREATE makes a store) and a store with a newer schema (PV_ENEWER);
 * migrates an older schema when opened for writing (STORE_READ refuses it:
 * a read never writes).  STORE_WRITE and STORE_CREATE first check that the
 * file and its folder can be written, naming the one that cannot;
 * STORE_READ works in a folder the user cannot write and on read-only
 * media (see store_unlocked).  WAL mode, busy timeout. */
int store_open(struct store **out, const char *path, int mode, struct pv_err *err);
void store_close(struct store *s);                  /* NULL allowed */
/* Whether this opening created the store file (STORE_CREATE). */
bool store_created(const struct store *s);
/* store_close, and then, when this opening created the store and it holds
 * no document (a run that failed before adding any), removes its file
 * rather than leave an empty store behind: true when it did. */
bool store_close_empty(struct store *s);
/* NULL when the store was opened the ordinary way; for a read-only opening
 * of a store whose folder or medium does not let SQLite make the WAL's
 * shared-memory file (-shm), how it was read instead: without locks, so
 * that a writer's changes made meanwhile are not seen (store.c, open_read).
 * A static string. */
const char *store_unlocked(const struct store *s);
/* Reads the store through a memory map from now on: for walks over much of
 * a large store (export), where a read() per page costs most of the time;
 * short queries are faster without it. */
void store_map(struct store *s);
const char *store_path(const struct store *s);

/* Transactions.  store_begin takes the write lock (BEGIN IMMEDIATE), waiting
 * for another writer up to the busy timeout. */
int store_begin(struct store *s, struct pv_err *err);
/* store_begin, tried STORE_BEGIN_TRIES times (each waiting up to the busy
 * timeout, then a growing pause) while another writer holds the lock:
 * for writers that must not lose their change to a busy store. */
#define STORE_BEGIN_TRIES 5
int store_begin_retry(struct store *s, struct pv_err *err);
int store_commit(struct store *s, struct pv_err *err);
void store_rollback(struct store *s);
/* A part of the open transaction that can be undone alone (SQL savepoint
 * pv_part; one at a time): store_part_begin writes the full-text terms
 * gathered so far (so that undoing the part drops only its own),
 * store_part_keep makes the part an ordinary piece of the transaction,
 * store_part_undo drops every write since store_part_begin (full-text
 * terms gathered included) and keeps the transaction open. */
int store_part_begin(struct store *s, struct pv_err *err);
int store_part_keep(struct store *s, struct pv_err *err);
int store_part_undo(struct store *s, struct pv_err *err);

/* Bulk full-text indexing, for a run of many store_doc_add: from
 * store_fts_bulk on, new texts' terms are gathered on a thread of their own
 * and written as whole FTS5 segments at each commit (store/ftsbuild.h)
 * instead of through FTS5's INSERT.  store_fts_bulk_end stops that and
 * merges the index's segments when enough have piled up on one level.
 * A segment is also written inside a transaction once segment_bytes of
 * terms were gathered (0: the default, FTS_BULK_BYTES in store_int.h).
 * Nothing else may write the fts table through this store in between. */
int store_fts_bulk(struct store *s, size_t segment_bytes, struct pv_err *err);
int store_fts_bulk_end(struct store *s, struct pv_err *err);

/* For a run of store_doc_add into a store that has no documents:
 * drops the indexes whose keys come in random order (those of docs that
 * adding does not read, and texts_hash: see store_texts_lookup), so that store_indexes_build makes each in one sort at
 * the end.  store_indexes_build creates whichever of them is missing
 * (after an interrupted run too); *built is their number.  Both outside a
 * transaction.  store_has_docs: whether docs has a row. */
int store_has_docs(struct store *s, bool *has, struct pv_err *err);
int store_indexes_defer(struct store *s, struct pv_err *err);
int store_indexes_build(struct store *s, int *built, struct pv_err *err);
/* Before a run of store_doc_add: when the store's texts have no index on
 * their hash (a first load dropped it: store_indexes_defer; or a run was
 * stopped before building it), repeated texts are found through a table in
 * memory (store/texthash.h, about 10 bytes per text) until
 * store_indexes_build makes the index.  0 or a code (err filled). */
int store_texts_lookup(struct store *s, struct pv_err *err);

/* ---- writing (indexer) ---- */

/* Records an index run; returns its id in *run_id. */
int store_run_start(struct store *s, const char *command, int64_t *run_id,
		    struct pv_err *err);
int store_run_finish(struct store *s, int64_t run_id, const char *summary_json,
		     struct pv_err *err);

/* The query planner's statistics (sqlite_stat1) of every table provex's
 * queries join: renewed for each table that has rows and lacks them, or
 * whose size moved by more than the fraction tol since they were taken
 * (store.c says how, and what it costs).  store_run_finish calls it with
 * STORE_STATS_RUN, store_open (for writing) with STORE_STATS_OPEN.  In a
 * transaction of its own unless the caller holds one; nothing to do on a
 * read-only store.  Returns 0 or a negative code (err filled). */
#define STORE_STATS_RUN 0.1
#define STORE_STATS_OPEN 1.0
int store_stats_refresh(struct store *s, double tol, struct pv_err *err);

/* Registers an input (by canonical path and the options it is read with:
 * the same file read with other options is another input) and returns its id.  *same is set
 * when the path was registered before with the same size and mtime (so its
 * record numbers still name the same records); *done_before when, moreover,
 * it was read to the end (nothing new can come from it). */
int store_input(struct store *s, const char *canon, const char *options,
		const char *name, uint64_t size, int64_t mtime, int64_t *input_id, bool *same,
		bool *done_before, struct pv_err *err);
int store_input_done(struct store *s, int64_t input_id, uint64_t size,
		     int64_t mtime, int64_t records, struct pv_err *err);

/* What the store knew of an input before this run (index/pipeline.c): its
 * content hash (inputs.hash: XXH3-128 of the file's bytes, hex) and the
 * provenance options its documents were labelled with (inputs.prov, a
 * JSON object), NULL when not recorded (schema 4 stores, standard input). */
struct store_input_prev {
	bool found, done;
	char *hash, *prov;          /* owned: store_input_prev_done */
};
int store_input_lookup(struct store *s, const char *canon, const char *options,
		       struct store_input_prev *prev, struct pv_err *err);
void store_input_prev_done(struct store_input_prev *prev);
/* Records an input's content hash (when hash is not NULL), else its
 * provenance options (prov). */
int store_input_ident(struct store *s, int64_t input_id, const char *hash,
		      const char *prov, struct pv_err *err);
/* The provenance of the first document of (input_id, rec): out[0..3] =
 * origin, source, generator, purpose ("" when NULL); *found false when
 * there is none. */
int store_doc_prov(struct store *s, int64_t input_id, int64_t rec, bool *found,
		   struct buf out[4], struct pv_err *err);

/* Adds a compression dictionary (and makes it the one new texts use). */
int store_dict_add(struct store *s, const void *dict, size_t len,
		   size_t nsamples, size_t sample_bytes, int64_t *dict_id,
		   struct pv_err *err);
/* Uses the newest stored dictionary for new texts, if any; returns its id or 0. */
int64_t store_dict_use_latest(struct store *s, struct pv_err *err);
/* Compression level for new texts (default 3). */
int store_set_level(struct store *s, int level, struct pv_err *err);

struct doc_in {
	int64_t id;                 /* the document's id; 0 = the next rowid
	                               (a shard's ids: index/shard.h) */
	int64_t input_id;
	int64_t rec;                /* record number within the input */
	int64_t run_id;
	const char *ext_id;         /* the input's id for the document */
	const char *text;           /* the document's bytes */
	size_t len;
	const char *origin;         /* "real", "synthetic" or "unknown" */
	const char *source, *generator, *purpose;  /* NULL or "" = none */
	const char *meta;           /* JSON object text, or NULL */
	const char *label, *note;   /* review state given at index time, or NULL */
	/* Optional work done beforehand (e.g. on another thread); when NULL,
	 * store_doc_add does it itself. */
	const unsigned char *hash;  /* 16 bytes: store_text_hash() of the text */
	const void *zbody;          /* the text compressed with dictionary zdict */
	size_t zlen;
	int64_t zdict;              /* 0 = no dictionary */
	const char *terms;          /* ftsterms_get() of the text */
	size_t terms_len;
	int64_t words;              /* store_count_words(), or -1 */
};

/* The 16-byte content hash texts are deduplicated by (XXH3-128). */
void store_text_hash(const void *text, size_t len, unsigned char out[16]);
/* Whitespace-separated words. */
int64_t store_count_words(const char *s, size_t len);
/* The dictionary new texts are compressed with: id (0 = none), its bytes and
 * the level; the bytes are borrowed from the store. */
int64_t store_cdict(const struct store *s, const void **dict, size_t *len, int *level);
/* Creates a term finder for this store's full-text index (see ftsterms.h);
 * the caller owns it.  Call from the store's thread. */
struct ftsterms;
int store_ftsterms_new(struct store *s, struct ftsterms **out, struct pv_err *err);

enum doc_outcome {
	DOC_NEW = 1,         /* added, with a text not seen before */
	DOC_DUP = 2,         /* added; its text was already stored */
	DOC_EXISTS = 3       /* this occurrence was indexed before: nothing added */
};

/* Adds one document: hashes the text, stores and indexes it once, links
 * the occurrence.  *cross_origin is set when the text was already stored
 * under the opposite origin (real vs synthetic).  Must run inside
 * store_begin/store_commit. */
int store_doc_add(struct store *s, const struct doc_in *d,
		  enum doc_outcome *outcome, bool *cross_origin,
		  size_t *stored_bytes, struct pv_err *err);

/* Quick check used to skip work when rerunning an interrupted index: true
 * when input_id has an occurrence with record number rec. */
int store_doc_seen(struct store *s, int64_t input_id, int64_t rec, bool *seen,
		   struct pv_err *err);

/* ---- reading ---- */

struct doc_row {
	int64_t id, text_id, input_id, rec, run_id;
	int64_t len;                /* bytes of the text */
	int64_t stored;             /* compressed bytes of the text */
	int64_t nocc;               /* documents sharing this text */
	int64_t words;
	const char *ext_id, *file, *origin, *source, *generator, *purpose, *meta;
	/* review state and the latest detect score: filled by store_select
	 * only (NULL, and has_score false, from store_doc_get) */
	const char *label, *note, *reviewer, *reviewed_at;  /* NULL when none */
	bool has_score;             /* a detect run scored the document */
	double score;               /* the latest score (when has_score) */
	struct buf arena;           /* owns the strings above */
};
void doc_row_done(struct doc_row *r);

/* Fetches document id.  PV_ENOTFOUND when there is none. */
int store_doc_get(struct store *s, int64_t id, struct doc_row *row, struct pv_err *err);

/* Ids of the documents whose ext_id equals ext (at most max, in id order);
 * returns how many were found (may exceed max), or a negative code. */
int64_t store_find_ext(struct store *s, const char *ext, int64_t *ids, size_t max,
		       struct pv_err *err);

/* The input ids (ext_id) that more than one document of the store holds,
 * among the ids of the documents run run_id added: fn gets each (len
 * bytes, NUL-terminated, valid during the call) and how many documents
 * hold it, in the order of their first document.  Returns 0 or a
 * negative code. */
int store_ext_repeats(struct store *s, int64_t run_id,
		      void (*fn)(void *ctx, const char *ext, size_t len, int64_t n),
		      void *ctx, struct pv_err *err);

/* Decompresses a text into out (replacing its contents). */
int store_text_read(struct store *s, int64_t text_id, struct buf *out,
		    struct pv_err *err);
/* Decompresses at most the first `limit` bytes of a text (cheap preview). */
int store_text_head(struct store *s, int64_t text_id, size_t limit,
		    struct buf *out, struct pv_err *err);

/* ---- selecting with the filter language (store/filter.h) ---- */

struct filter_sql;

/* The SQL ordering expression for a sort field (id, len, words, dup,
 * ratio, origin, source, generator, purpose, ext, file), or NULL when the
 * field cannot be sorted on.  Static string. */
const char *store_sort_expr(const char *field);
/* A comma-separated list of the sort fields, for messages.  Static. */
const char *store_sort_fields(void);

/* Calls cb for each document matching where (NULL = all), ordered by sort
 * (NULL = id), descending when desc, at most limit (0 = no limit); stops
 * when cb returns non-zero (that value is returned).  The row is borrowed
 * for the duration of the call. */
int store_select(struct store *s, const struct filter_sql *where,
		 const char *sort, bool desc, uint64_t limit,
		 int (*cb)(void *ctx, const struct doc_row *row), void *ctx,
		 struct pv_err *err);

/* The same selection read one row at a time (store_select is a loop over
 * one), with each row's sort value: for merging the selections of several
 * stores in their common order (store/set.c).  store_cursor_next returns 1
 * with a row, 0 at the end, or a negative code; the row and the key are
 * the cursor's until its next step. */
struct store_cursor;
struct store_key {
	int type;                   /* SQLite's class: SQLITE_NULL, _INTEGER,
				     * _FLOAT, _TEXT or _BLOB */
	int64_t i;                  /* SQLITE_INTEGER */
	double d;                   /* SQLITE_FLOAT */
	struct buf bytes;           /* SQLITE_TEXT, SQLITE_BLOB (owned) */
};
int store_cursor_open(struct store *s, const struct filter_sql *where,
		      const char *sort, bool desc, uint64_t limit,
		      struct store_cursor **out, struct pv_err *err);
int store_cursor_next(struct store_cursor *c, struct pv_err *err);
const struct doc_row *store_cursor_row(const struct store_cursor *c);
const struct store_key *store_cursor_key(const struct store_cursor *c);
void store_cursor_close(struct store_cursor *c);             /* NULL allowed */
/* Two sort values in SQLite's ascending order (ORDER BY, BINARY
 * collation): NULL first, then numbers by value (integers and reals
 * alike), then text and then blobs, bytewise; <0, 0 or >0. */
int store_key_cmp(const struct store_key *a, const struct store_key *b);

/* The number of documents matching where (NULL = all). */
int store_count(struct store *s, const struct filter_sql *where, int64_t *n,
		struct pv_err *err);

/* ---- summary ---- */

struct store_group {                /* one value of a provenance column */
	char *value;                /* owned; "" for none */
	int64_t docs, bytes;
};

struct store_info {
	int schema_version;
	int64_t docs, texts;        /* occurrences, distinct texts */
	int64_t dup_docs;           /* documents whose text was stored before */
	int64_t dup_texts;          /* texts occurring more than once */
	int64_t cross_origin_texts; /* texts occurring as both real and synthetic */
	int64_t bytes_raw;          /* sum of distinct texts' lengths */
	int64_t bytes_docs;         /* sum over documents (duplicates counted) */
	int64_t bytes_stored;       /* compressed texts */
	int64_t dict_count, dict_bytes;
	int64_t inputs, runs;
	int64_t file_bytes;         /* size of the store file(s) on disk */
	struct store_group *by[4];  /* origin, source, generator, purpose */
	size_t nby[4];
};
int store_info_get(struct store *s, struct store_info *info, struct pv_err *err);
void store_info_done(struct store_info *info);

/* The meta table's value of key (into out, *found false when absent),
 * and setting it (its own transaction unless one is open). */
int store_meta_get(struct store *s, const char *key, struct buf *out,
		   bool *found, struct pv_err *err);
int store_meta_set(struct store *s, const char *key, const char *value,
		   struct pv_err *err);

/* What a sealed store holds (store_seal). */
struct store_sealed {
	int64_t docs, texts;
	int64_t inputs, inputs_done;   /* inputs rows, of which read to the end */
	int64_t runs_open;          /* runs without a summary (stopped hard) */
	int64_t added;              /* documents the runs' summaries say added */
	int64_t ids_outside;        /* documents whose id is not of the shard */
};
/* Makes a store that is written no more self-contained, as a set's
 * published shard is: its write-ahead log copied into the file and
 * emptied (wal_checkpoint(TRUNCATE)), the journal mode switched to
 * DELETE (no -wal or -shm needed to read it, on read-only media too),
 * then PRAGMA quick_check; counts what it holds into *c.  With id_stride
 * > 0, ids_outside counts the documents whose id is not
 * (p + 1) * id_stride + rec + 1 with p % world == rank.  Outside a
 * transaction, with no other connection open (PV_EBUSY else).  Writing
 * it again through store_open turns write-ahead logging back on. */
int store_seal(struct store *s, int64_t id_stride, int64_t world, int64_t rank,
	       struct store_sealed *c, struct pv_err *err);

/* Runs PRAGMA integrity_check; 0 when "ok". */
int store_check(struct store *s, struct pv_err *err);

#endif
