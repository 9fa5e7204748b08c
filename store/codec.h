/*
 * codec.h - per-document compression with zstd and trained dictionaries.
 *
 * A codec owns one compression context (with the dictionary new texts are
 * compressed with) and one decompression context with a cache of digested
 * dictionaries by id.  It knows nothing of SQLite: the store feeds it the
 * dictionary bytes.
 */
#ifndef PV_CODEC_H
#define PV_CODEC_H

#include <stdint.h>
#include <stdbool.h>
#include "../common/pv.h"
#include "../common/buf.h"

struct codec;

struct codec *codec_new(void);
void codec_free(struct codec *c);                 /* NULL allowed */

/* Dictionary (and level) for compressing; dict NULL/len 0 = none, id 0.
 * The bytes are copied. */
int codec_set_cdict(struct codec *c, int64_t dict_id, const void *dict,
		    size_t len, int level, struct pv_err *err);
int64_t codec_cdict_id(const struct codec *c);
/* The current compression dictionary's bytes (borrowed; NULL when none). */
const void *codec_cdict_data(const struct codec *c, size_t *len);
int codec_level(const struct codec *c);

/* Makes dictionary dict_id available for decompression (bytes copied). */
int codec_add_ddict(struct codec *c, int64_t dict_id, const void *dict,
		    size_t len, struct pv_err *err);
bool codec_has_ddict(const struct codec *c, int64_t dict_id);

/* Compresses src into out (replacing its contents) with the current
 * dictionary. */
int codec_compress(struct codec *c, const void *src, size_t len,
		   struct buf *out, struct pv_err *err);

/* Decompresses a frame made with dictionary dict_id (0 = none) into out
 * (replacing its contents).  At most limit bytes when limit != SIZE_MAX. */
int codec_decompress(struct codec *c, int64_t dict_id, const void *src,
		     size_t len, size_t limit, struct buf *out, struct pv_err *err);

/* Trains a dictionary of at most cap bytes from n samples laid end to end
 * in samples (sizes[i] each).  Fills dict. */
int codec_train(const void *samples, const size_t *sizes, unsigned n,
		size_t cap, struct buf *dict, struct pv_err *err);

#endif
