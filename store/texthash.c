/*
 * texthash.c - the texts of a store by hash, in memory (see texthash.h).
 *
 * pfx[id] is the first 4 bytes of text id's hash and bit id of present
 * says that it was added; slot[] holds ids (0: empty) from the position
 * the 4 bytes give, with linear probing.
 */
#include "config.h"
#include "texthash.h"
#include "../common/pv.h"

#include <stdlib.h>
#include <string.h>

struct texthash {
	uint32_t *pfx;            /* owned: pfx[0..cap), by id */
	uint64_t *present;        /* owned: cap bits, by id */
	size_t cap;               /* ids below cap have room (a multiple of 64) */
	uint32_t *slot;           /* owned: slot[0..mask], ids */
	size_t mask;
	size_t n;                 /* ids in slot[] */
	int64_t max_id;
};

#define TH_MIN_SLOTS ((size_t)1 << 12)

static uint32_t prefix_of(const unsigned char hash[16])
{
	uint32_t p;

	memcpy(&p, hash, sizeof p);
	return p;
}

/* Where prefix p starts probing (its bytes are uniform already; the
 * multiplication only keeps two prefixes that share their low bits
 * apart). */
static size_t home(const struct texthash *th, uint32_t p)
{
	return (size_t)(((uint64_t)p * UINT64_C(0x9E3779B97F4A7C15)) >> 24) & th->mask;
}

static bool is_present(const struct texthash *th, uint64_t id)
{
	return id < th->cap && (th->present[id / 64] >> (id % 64) & 1);
}

static void place(struct texthash *th, uint32_t id)
{
	size_t i = home(th, th->pfx[id]);

	while (th->slot[i])
		i = (i + 1) & th->mask;
	th->slot[i] = id;
	th->n++;
}

/* A table of nslots (a power of two) with every id present up to max_id. */
static int rebuild(struct texthash *th, size_t nslots)
{
	uint32_t *slot = calloc(nslots, sizeof *slot);
	int64_t id;

	if (!slot)
		return PV_ENOMEM;
	free(th->slot);
	th->slot = slot;
	th->mask = nslots - 1;
	th->n = 0;
	for (id = 1; id <= th->max_id; id++)
		if (is_present(th, (uint64_t)id))
			place(th, (uint32_t)id);
	return 0;
}

int texthash_new(struct texthash **out)
{
	struct texthash *th = calloc(1, sizeof *th);

	*out = NULL;
	if (!th)
		return PV_ENOMEM;
	th->slot = calloc(TH_MIN_SLOTS, sizeof *th->slot);
	if (!th->slot) {
		free(th);
		return PV_ENOMEM;
	}
	th->mask = TH_MIN_SLOTS - 1;
	*out = th;
	return 0;
}

void texthash_free(struct texthash *th)
{
	if (!th)
		return;
	free(th->pfx);
	free(th->present);
	free(th->slot);
	free(th);
}

/* Room for ids below want. */
static int reserve(struct texthash *th, size_t want)
{
	size_t cap = th->cap ? th->cap : 1024;
	uint32_t *pfx;
	uint64_t *present;

	if (want <= th->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (!(pfx = realloc(th->pfx, cap * sizeof *pfx)))
		return PV_ENOMEM;
	th->pfx = pfx;
	if (!(present = realloc(th->present, cap / 64 * sizeof *present)))
		return PV_ENOMEM;
	th->present = present;
	memset(present + th->cap / 64, 0, (cap - th->cap) / 64 * sizeof *present);
	th->cap = cap;
	return 0;
}

int texthash_add(struct texthash *th, const unsigned char hash[16], int64_t id)
{
	int rc;

	if (id < 1 || id > TEXTHASH_MAX_ID)
		return PV_EINVAL;
	if ((rc = reserve(th, (size_t)id + 1)))
		return rc;
	if (is_present(th, (uint64_t)id))
		return 0;
	/* at most 70% full */
	if ((th->n + 1) * 10 > (th->mask + 1) * 7 &&
	    (rc = rebuild(th, (th->mask + 1) * 2)))
		return rc;
	th->pfx[id] = prefix_of(hash);
	th->present[id / 64] |= UINT64_C(1) << (id % 64);
	if (id > th->max_id)
		th->max_id = id;
	place(th, (uint32_t)id);
	return 0;
}

int64_t texthash_next(const struct texthash *th, const unsigned char hash[16],
		      size_t *pos)
{
	uint32_t p = prefix_of(hash);
	size_t i = (home(th, p) + *pos) & th->mask;

	/* *pos counts the slots walked: the run of full slots from home */
	while (th->slot[i] && *pos <= th->mask) {
		uint32_t id = th->slot[i];
		++*pos;
		i = (i + 1) & th->mask;
		if (th->pfx[id] == p)
			return id;
	}
	return 0;
}

int64_t texthash_max_id(const struct texthash *th)
{
	return th->max_id;
}

int texthash_truncate(struct texthash *th, int64_t max_id)
{
	int64_t id;
	int rc;

	if (max_id >= th->max_id)
		return 0;
	if (max_id < 0)
		max_id = 0;
	for (id = max_id + 1; id <= th->max_id; id++)
		if ((uint64_t)id < th->cap)
			th->present[id / 64] &= ~(UINT64_C(1) << (id % 64));
	th->max_id = max_id;
	if ((rc = rebuild(th, th->mask + 1))) {
		/* nothing is left that could be trusted */
		memset(th->present, 0, th->cap / 64 * sizeof *th->present);
		memset(th->slot, 0, (th->mask + 1) * sizeof *th->slot);
		th->max_id = 0;
		th->n = 0;
	}
	return rc;
}

size_t texthash_bytes(const struct texthash *th)
{
	return th->cap * (sizeof *th->pfx) + th->cap / 8 +
	       (th->mask + 1) * sizeof *th->slot;
}
