/*
 * ftsfeed.h - a thread that gathers texts' full-text terms into a segment
 * builder (ftsbuild.h) while the store's writer goes on.
 *
 * The writer hands over (rowid, terms) records; they are copied into a
 * chunk, and each full chunk is passed to the feed's thread, which adds its
 * records to the builder.  ftsfeed_sync waits until every record handed
 * over is in the builder and lends the builder to the caller, who writes
 * it as a segment (ftsbuild_write) before handing over more.
 *
 * The feed owns its thread, its chunks and its builder.  One caller thread.
 */
#ifndef PV_FTSFEED_H
#define PV_FTSFEED_H

#include <stddef.h>
#include <stdint.h>
#include "../common/pv.h"

struct ftsfeed;
struct ftsbuild;

/* Starts a feed and its thread. */
int ftsfeed_new(struct ftsfeed **out, struct pv_err *err);
/* Stops the thread and frees everything, records not yet written included.
 * NULL allowed. */
void ftsfeed_free(struct ftsfeed *f);

/* Hands over a text's terms (copied): rowid must be greater than every
 * rowid handed over since the builder was last emptied. */
void ftsfeed_add(struct ftsfeed *f, int64_t rowid, const char *terms, size_t len);
/* Term bytes (and one per text) handed over since the builder was last
 * emptied. */
size_t ftsfeed_bytes(const struct ftsfeed *f);
/* Waits until every record handed over is in the builder, and returns it:
 * the caller may use it (write it, which empties it) until its next
 * ftsfeed_add.  Call ftsfeed_written after emptying it. */
struct ftsbuild *ftsfeed_sync(struct ftsfeed *f);
void ftsfeed_written(struct ftsfeed *f);
/* Drops every record handed over and not yet written. */
void ftsfeed_discard(struct ftsfeed *f);

#endif
