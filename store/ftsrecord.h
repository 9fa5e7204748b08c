/*
 * ftsrecord.h - the records of an FTS5 table that ftsbuild.c reads and
 * writes besides the segment itself: SQLite's varints, the structure record
 * (levels and segments) and the table's declaration as FTS5 parses it.
 * Private to ftsbuild.c and ftsrecord.c; the formats are described at the
 * head of ftsbuild.c.
 */
#ifndef PV_FTSRECORD_H
#define PV_FTSRECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../common/buf.h"

/* ---- varints (inline: the segment writer's inner loops use them) ---- */

static inline unsigned put_varint(uint8_t *p, uint64_t v)
{
	uint8_t tmp[10];
	unsigned n, i;

	if (v <= 0x7f) {
		p[0] = (uint8_t)v;
		return 1;
	}
	if (v <= 0x3fff) {
		p[0] = (uint8_t)(0x80 | (v >> 7));
		p[1] = (uint8_t)(v & 0x7f);
		return 2;
	}
	if (v & ((uint64_t)0xff << 56)) {
		p[8] = (uint8_t)v;
		v >>= 8;
		for (i = 8; i-- > 0; ) {
			p[i] = (uint8_t)(0x80 | (v & 0x7f));
			v >>= 7;
		}
		return 9;
	}
	n = 0;
	do {
		tmp[n++] = (uint8_t)(0x80 | (v & 0x7f));
		v >>= 7;
	} while (v);
	tmp[0] &= 0x7f;
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/* Reads a varint from p[0..n); bytes past n read as 0 (as FTS5's padding
 * does).  Returns the bytes it spans. */
static inline size_t get_varint(const uint8_t *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < 9; i++) {
		uint8_t c = i < n ? p[i] : 0;
		if (i == 8) {
			*v = (x << 8) | c;
			return 9;
		}
		x = (x << 7) | (c & 0x7f);
		if (!(c & 0x80))
			break;
	}
	*v = x;
	return i + 1;
}

static inline void buf_varint(struct buf *b, uint64_t v)
{
	buf_reserve(b, 10);
	b->len += put_varint((uint8_t *)b->data + b->len, v);
	b->data[b->len] = '\0';
}

/* ---- the structure record (ftsrecord.c) ---- */

struct fseg {
	int segid, first, last;
};

struct flevel {
	int nmerge, nseg;
	struct fseg *seg;           /* oldest first */
};

struct fstruct {
	uint8_t cookie[4];
	uint64_t nwrite;            /* nWriteCounter */
	int nlevel, nsegment;
	struct flevel *lv;
};

void fstruct_done(struct fstruct *s);
/* As fts5StructureDecode; false if corrupt. */
bool fstruct_decode(struct fstruct *s, const uint8_t *p, size_t n);
void fstruct_encode(const struct fstruct *s, struct buf *out);
/* The lowest segid in 1..2000 no segment uses (fts5AllocateSegid). */
int fstruct_segid(const struct fstruct *s);
/* Adds a new segment of nleaves leaves to level 0 and promotes as FTS5's
 * flush does. */
void fstruct_add(struct fstruct *s, int segid, int nleaves);

/* ---- the table's declaration (ftsrecord.c) ---- */

/* The table's declaration, as FTS5 parses it (fts5_config.c). */
struct decl {
	int ncol;                   /* columns */
	bool unindexed;             /* a column is UNINDEXED */
	bool contentless, external; /* content='' / content='x' */
	int detail;                 /* 0 none, 1 full, 2 columns, -1 bad */
	bool columnsize;
	bool prefix;
};

/* Parses CREATE VIRTUAL TABLE ... USING fts5(args); false if not fts5. */
bool decl_parse(const char *sql, struct decl *d);

#endif
