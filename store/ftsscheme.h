/*
 * ftsscheme.h - which terms a store's full-text index holds, and bringing
 * an index of an older scheme up to date.
 *
 * meta 'fts_terms' names the scheme (FTS_TERMS_SCHEME): terms cut into
 * segments and bigrams as ftsterms.h describes.  Stores made before it have
 * no such row: their index holds whole unicode61 tokens, so a run of
 * Chinese, Japanese, Korean, Thai, Lao, Khmer or Myanmar is found only
 * whole.  Opened for writing, such a store is brought up to date in one
 * transaction (only the texts holding a spaceless letter are indexed
 * again: they are found from the index's own vocabulary, so the rest are
 * never decompressed).  Opened read-only it is left as it is, and a filter
 * word of those scripts fails with a message saying how to update it,
 * rather than silently finding less; other words work as before.
 */
#ifndef PV_FTSSCHEME_H
#define PV_FTSSCHEME_H

#include "../common/pv.h"

struct store;

#define FTS_TERMS_KEY "fts_terms"
#define FTS_TERMS_SCHEME "unicode61 segments, bigrams of spaceless runs (1)"

/* Called by store_open once the store is usable: reads the scheme, brings
 * an older index up to date when the store is writable, and registers the
 * SQL function pv_fts_query(q) on the store's connection: it returns q
 * when the index holds this scheme, and fails with that message
 * otherwise (the filter compiler wraps the queries that need the bigrams
 * in it).  Returns 0 or a negative code. */
int ftsscheme_attach(struct store *s, struct pv_err *err);

/* Brings an index of the older scheme up to date (inside the caller's
 * transaction, the store writable); *ntexts is set to the number of texts
 * indexed again.  Used by ftsscheme_attach; tests call it directly. */
int ftsscheme_upgrade(struct store *s, int64_t *ntexts, struct pv_err *err);

#endif
