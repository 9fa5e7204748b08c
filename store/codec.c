/*
 * codec.c - zstd compression of single documents with dictionaries.
 */
#include "codec.h"

#include <zstd.h>
/* the fastCover trainer's parameters (exported by the shared library, but
 * declared only for static linking) */
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ddict_slot {
	int64_t id;
	ZSTD_DDict *dd;
};

struct codec {
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	ZSTD_DStream *dstream;     /* for partial (head) decompression */
	ZSTD_CDict *cdict;         /* NULL: no dictionary */
	int64_t cdict_id;
	struct buf cdict_bytes;    /* a copy of the dictionary's bytes */
	int level;
	struct ddict_slot *dd;     /* owned digested dictionaries */
	size_t ndd;
};

struct codec *codec_new(void)
{
	struct codec *c = pv_calloc(1, sizeof *c);

	c->cctx = ZSTD_createCCtx();
	c->dctx = ZSTD_createDCtx();
	c->dstream = ZSTD_createDStream();
	if (!c->cctx || !c->dctx || !c->dstream) {
		codec_free(c);
		return NULL;
	}
	c->level = 3;
	return c;
}

void codec_free(struct codec *c)
{
	size_t i;

	if (!c)
		return;
	ZSTD_freeCCtx(c->cctx);
	ZSTD_freeDCtx(c->dctx);
	ZSTD_freeDStream(c->dstream);
	ZSTD_freeCDict(c->cdict);
	buf_done(&c->cdict_bytes);
	for (i = 0; i < c->ndd; i++)
		ZSTD_freeDDict(c->dd[i].dd);
	free(c->dd);
	free(c);
}

int codec_set_cdict(struct codec *c, int64_t dict_id, const void *dict,
		    size_t len, int level, struct pv_err *err)
{
	ZSTD_CDict *cd = NULL;

	if (level < 1 || level > ZSTD_maxCLevel())
		return pv_errf(err, PV_EINVAL,
			       "compression level %d is out of range (1..%d)",
			       level, ZSTD_maxCLevel());
	if (dict && len) {
		cd = ZSTD_createCDict(dict, len, level);
		if (!cd)
			return pv_errf(err, PV_ECODEC,
				       "dictionary %lld cannot be loaded",
				       (long long)dict_id);
	}
	ZSTD_freeCDict(c->cdict);
	c->cdict = cd;
	c->cdict_id = cd ? dict_id : 0;
	if (cd && dict != c->cdict_bytes.data) {
		buf_reset(&c->cdict_bytes);
		buf_append(&c->cdict_bytes, dict, len);
	} else if (!cd) {
		buf_reset(&c->cdict_bytes);
	}
	c->level = level;
	return 0;
}

int64_t codec_cdict_id(const struct codec *c)
{
	return c->cdict_id;
}

const void *codec_cdict_data(const struct codec *c, size_t *len)
{
	*len = c->cdict ? c->cdict_bytes.len : 0;
	return c->cdict ? c->cdict_bytes.data : NULL;
}

int codec_level(const struct codec *c)
{
	return c->level;
}

static ZSTD_DDict *find_ddict(const struct codec *c, int64_t id)
{
	size_t i;

	for (i = 0; i < c->ndd; i++)
		if (c->dd[i].id == id)
			return c->dd[i].dd;
	return NULL;
}

bool codec_has_ddict(const struct codec *c, int64_t dict_id)
{
	return find_ddict(c, dict_id) != NULL;
}

int codec_add_ddict(struct codec *c, int64_t dict_id, const void *dict,
		    size_t len, struct pv_err *err)
{
	ZSTD_DDict *dd;

	if (find_ddict(c, dict_id))
		return 0;
	dd = ZSTD_createDDict(dict, len);
	if (!dd)
		return pv_errf(err, PV_ECODEC, "dictionary %lld is corrupt",
			       (long long)dict_id);
	c->dd = pv_realloc(c->dd, (c->ndd + 1) * sizeof *c->dd);
	c->dd[c->ndd].id = dict_id;
	c->dd[c->ndd].dd = dd;
	c->ndd++;
	return 0;
}

int codec_compress(struct codec *c, const void *src, size_t len,
		   struct buf *out, struct pv_err *err)
{
	size_t bound = ZSTD_compressBound(len), n;

	buf_reset(out);
	buf_reserve(out, bound);
	if (c->cdict)
		n = ZSTD_compress_usingCDict(c->cctx, out->data, bound, src, len,
					     c->cdict);
	else
		n = ZSTD_compressCCtx(c->cctx, out->data, bound, src, len,
				      c->level);
	if (ZSTD_isError(n))
		return pv_errf(err, PV_ECODEC, "compression failed: %s",
			       ZSTD_getErrorName(n));
	out->len = n;
	return 0;
}

int codec_decompress(struct codec *c, int64_t dict_id, const void *src,
		     size_t len, size_t limit, struct buf *out, struct pv_err *err)
{
	ZSTD_DDict *dd = NULL;
	unsigned long long size;
	size_t n;

	buf_reset(out);
	if (dict_id) {
		dd = find_ddict(c, dict_id);
		if (!dd)
			return pv_errf(err, PV_ECODEC,
				       "dictionary %lld is missing from the store",
				       (long long)dict_id);
	}
	size = ZSTD_getFrameContentSize(src, len);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
		return pv_errf(err, PV_ECODEC, "stored text is not a zstd frame");
	if (limit != SIZE_MAX && size > limit) {
		/* partial: stream until limit bytes are out */
		ZSTD_inBuffer in = { src, len, 0 };
		ZSTD_outBuffer ob;

		ZSTD_DCtx_reset(c->dstream, ZSTD_reset_session_only);
		ZSTD_DCtx_refDDict(c->dstream, dd);
		buf_reserve(out, limit);
		ob.dst = out->data;
		ob.size = limit;
		ob.pos = 0;
		while (ob.pos < ob.size && in.pos < in.size) {
			n = ZSTD_decompressStream(c->dstream, &ob, &in);
			if (ZSTD_isError(n))
				return pv_errf(err, PV_ECODEC,
					       "stored text is corrupt: %s",
					       ZSTD_getErrorName(n));
			if (n == 0)
				break;
		}
		out->len = ob.pos;
		out->data[out->len] = '\0';
		return 0;
	}
	buf_reserve(out, (size_t)size);
	if (dd)
		n = ZSTD_decompress_usingDDict(c->dctx, out->data, (size_t)size,
					       src, len, dd);
	else
		n = ZSTD_decompressDCtx(c->dctx, out->data, (size_t)size, src, len);
	if (ZSTD_isError(n))
		return pv_errf(err, PV_ECODEC, "stored text is corrupt: %s",
			       ZSTD_getErrorName(n));
	out->len = n;
	out->data[n] = '\0';
	return 0;
}

int codec_train(const void *samples, const size_t *sizes, unsigned n,
		size_t cap, struct buf *dict, struct pv_err *err)
{
	size_t r;

	buf_reset(dict);
	buf_reserve(dict, cap);
	/* ZDICT_trainFromBuffer's own choice (fastCover, d=8, 4 steps of k, at
	 * the default level), with its candidates tried on every processor */
	{
		ZDICT_fastCover_params_t p;
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		memset(&p, 0, sizeof p);
		p.d = 8;
		p.steps = 4;
		p.nbThreads = cpus < 1 ? 1 : cpus > 8 ? 8 : (unsigned)cpus;
		p.zParams.compressionLevel = ZSTD_CLEVEL_DEFAULT;
		r = ZDICT_optimizeTrainFromBuffer_fastCover(dict->data, cap, samples,
							    sizes, n, &p);
	}
	if (ZDICT_isError(r))
		return pv_errf(err, PV_ECODEC, "dictionary training failed: %s",
			       ZDICT_getErrorName(r));
	dict->len = r;
	return 0;
}
