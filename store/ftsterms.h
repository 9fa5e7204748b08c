/*
 * ftsterms.h - the distinct full-text terms of a text, as the store's FTS5
 * tokenizer sees them.
 *
 * The store's full-text index is contentless with detail=none and
 * columnsize=0: it records, for each term, which texts hold it, and nothing
 * about where or how often.  Indexing the distinct terms of a text, joined
 * by spaces, therefore gives exactly the index the text itself would give,
 * for a fraction of FTS5's work; and the terms can be found on another
 * thread while the writer is busy.  The terms come from FTS5's own
 * unicode61 tokenizer with the table's arguments, so they are the ones a
 * query is matched against, and re-tokenizing them is the identity.
 *
 * One struct ftsterms per thread; it owns its tokenizer instance and set.
 */
#ifndef PV_FTSTERMS_H
#define PV_FTSTERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "../common/pv.h"
#include "../common/buf.h"

/* The tokenizer arguments of the store's fts table (see schema.c). */
#define FTSTERMS_TOKENIZER "unicode61"
#define FTSTERMS_ARGS { "remove_diacritics", "2" }

struct ftsterms;

/* Creates a term finder using the FTS5 tokenizer registered on db.  Call on
 * the thread that owns db; the result may then be used on any one thread. */
int ftsterms_new(sqlite3 *db, struct ftsterms **out, struct pv_err *err);
void ftsterms_free(struct ftsterms *t);      /* NULL allowed */

/* What one pass over a text finds besides its terms. */
struct ftsterms_info {
	int64_t words;          /* as store_count_words counts them */
	bool ascii;             /* no byte from 0x80 up (so valid UTF-8) */
};

/* Replaces out with the distinct terms of text joined by single spaces, in
 * order of first appearance, and fills info when not NULL.  Returns 0 or a
 * negative code. */
int ftsterms_get(struct ftsterms *t, const char *text, size_t len,
		 struct buf *out, struct ftsterms_info *info, struct pv_err *err);

#endif
