/*
 * ftsbuild.h - FTS5 segments built directly from (rowid, terms) pairs.
 *
 * The indexer already knows the distinct terms of each text (ftsterms.h).
 * Handing them to FTS5 one INSERT at a time makes FTS5 tokenize them again
 * and spend most of its time in its in-memory hash; this module instead
 * collects the postings itself and writes them as one new segment, in
 * FTS5's own on-disk format, into the shadow tables of the store's
 * contentless fts table (detail=none, columnsize=0, one column).  The rows
 * written are byte for byte those FTS5 would have written had the same
 * terms strings been inserted into it in one transaction and flushed once
 * (tests/unit/test_ftsbuild.c compares them): leaves, doclist indexes,
 * %_idx rows, the averages record and the structure record.
 *
 * What it does not do: merging.  FTS5 would, after its flush, do some
 * automerge work (when a level holds 'automerge' segments) or a crisis
 * merge (16 segments on one level); ftsbuild_write only adds the segment
 * and advances the write counter as FTS5's automerge accounting does, so
 * that the next FTS5 write (or an explicit 'merge' / 'optimize' command)
 * does the merge work FTS5 would have done.  A table written only through
 * this module gains one level-0 segment per ftsbuild_write: run
 * `INSERT INTO fts(fts, rank) VALUES('merge', 500)` now and then (FTS5
 * refuses to hold more than 2000 segments), or 'optimize' at the end.
 *
 * Rules for the caller:
 *  - rowids given to ftsbuild_add grow strictly between two writes (FTS5
 *    itself would start a new segment at a rowid that does not grow).  A
 *    rowid that does not grow is an error reported by the next
 *    ftsbuild_write (PV_EINVAL, nothing written, the builder emptied); the
 *    texts added after it are ignored.  Rowids need not be greater than
 *    those of earlier segments; like FTS5 on a contentless table, nothing
 *    checks that a rowid is not already indexed.
 *  - terms are single FTS5 tokens, each one that FTS5's tokenizer returns
 *    unchanged (ftsterms_get output: tokens, or segments and bigrams of
 *    them), separated by single spaces; runs of spaces are tolerated.  So
 *    FTS5's INSERT of the same terms writes the same rows.  A term longer
 *    than 32768 bytes is cut there, as FTS5 cuts tokens.
 *  - ftsbuild_write runs inside the caller's open transaction, with no
 *    statement on the fts table in progress.  Terms FTS5 itself holds in
 *    memory for the same table in that transaction are flushed first (they
 *    become a segment of their own, before the builder's), never lost; FTS5
 *    inserts after the call, in the same or a later transaction, see the new
 *    segment (the call makes the connection's FTS5 drop its cached
 *    structure and totals; see ftsbuild.c).
 */
#ifndef PV_FTSBUILD_H
#define PV_FTSBUILD_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "../common/pv.h"

/* FTS5's limits and defaults (fts5Int.h, fts5_config.c of SQLite 3.40). */
#define FTSBUILD_MAX_TOKEN 32768      /* bytes of a term kept */
#define FTSBUILD_MAX_SEGMENT 2000     /* segments an FTS5 index may hold */
#define FTSBUILD_DEFAULT_PGSZ 4050    /* 'pgsz' when table_config has none */

struct ftsbuild;                       /* one per thread at a time; owns its memory */

struct ftsbuild *ftsbuild_new(void);
void ftsbuild_free(struct ftsbuild *b);           /* NULL allowed */

/* Adds a text: rowid its FTS rowid, terms its distinct terms joined by single
 * spaces (ftsterms_get's output; a repeated term is indexed once, but counts
 * in the token total as FTS5 would count it).  rowid must be greater than
 * every rowid added since the last ftsbuild_write (see above).  terms may be
 * NULL when len is 0. */
void ftsbuild_add(struct ftsbuild *b, int64_t rowid, const char *terms, size_t len);

size_t ftsbuild_rows(const struct ftsbuild *b);   /* texts added since the last write */
size_t ftsbuild_postings(const struct ftsbuild *b);/* (term, rowid) pairs, likewise */
size_t ftsbuild_terms(const struct ftsbuild *b);  /* distinct terms, likewise */
size_t ftsbuild_memory(const struct ftsbuild *b); /* bytes held */

/* Writes everything added as one new segment of the FTS5 table `table` of
 * db's main schema (one column, detail=none, columnsize=0, contentless;
 * others are refused with a clear error) inside db's open write
 * transaction: leaves, doclist indexes and b-tree rows (table_data,
 * table_idx), the averages record (row count and token total grown as
 * FTS5's own insert of the same terms strings would grow them) and the
 * structure record (the new segment added as FTS5's flush adds it,
 * promotions included, nWriteCounter advanced as its automerge accounting
 * does, no merging done), with FTS5's page size from table_config ('pgsz',
 * default 4050).  Texts whose terms are all empty only grow the averages
 * record, as with FTS5.  All or nothing: on error the transaction is as it
 * was before the call.  Empties b either way.  Nothing added: returns 0 and
 * changes nothing.  Returns 0 or a negative code: PV_EUSAGE (no open
 * transaction; no such table, or not one this module can write, the
 * message says why), PV_EINVAL (a rowid that did not grow), PV_EBUSY,
 * PV_ESTORE (SQLite errors, a corrupt or full index: FTS5 holds at most
 * 2000 segments). */
int ftsbuild_write(struct ftsbuild *b, sqlite3 *db, const char *table, struct pv_err *err);

#endif
