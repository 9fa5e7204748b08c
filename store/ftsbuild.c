/*
 * ftsbuild.c - FTS5 segments built directly (see ftsbuild.h).
 *
 * The format, as SQLite 3.40's ext/fts5 writes it for a one-column,
 * detail=none, contentless table named T (fts5_index.c, fts5_hash.c,
 * fts5_storage.c are the specification; nothing of their text is copied).
 * Varints are SQLite's: big-endian groups of 7 bits, the high bit set on
 * every byte but the last, a ninth byte holding 8 bits.
 *
 * T_data(id INTEGER PRIMARY KEY, block BLOB) holds:
 *   id 1, the averages record: varint rows indexed, varint tokens in the
 *     column over all rows (a zero-length blob while the table is empty).
 *   id 10, the structure record: 4 bytes big-endian config cookie, varint
 *     levels, varint segments, varint nWriteCounter (leaves written to
 *     level 0, 64-bit); then per level: varint segments of an incremental
 *     merge in progress, varint segments, and per segment, oldest first,
 *     varint segid, varint first leaf, varint last leaf.
 *   id (segid << 37) + pgno, the leaves of a segment, pgno from 1:
 *     u16 big-endian offset of the first rowid when the page begins inside
 *     a doclist (else 0), u16 big-endian offset of the page index (the
 *     "leaf size"), then terms and doclists, then the page index: one
 *     varint per term on the page, its offset, each less the previous one.
 *     Every term carries a leading '0' (the main index; prefix indexes
 *     would use '1'...).  The first term of a page is varint length and
 *     bytes; a later one varint bytes shared with the previous term,
 *     varint new bytes, the new bytes.  A detail=none doclist is varint
 *     first rowid, varint rowid deltas, nothing else (a delete marker
 *     would add 0x00 bytes; this module writes none).  A leaf is flushed
 *     once its data and index reach pgsz bytes; a doclist going on to the
 *     next leaf starts it with its next rowid in full (the header's first
 *     offset points to it).  A term longer than a page makes a longer page.
 *   id (segid << 37) + (1 << 36) + (height << 31) + pgno, the doclist
 *     index of a doclist that runs on over 4 or more leaves holding no
 *     term: the first rowid of each leaf it continues on.  A page of
 *     height 0 is a flags byte (0 on the root, 1 below it), varint the
 *     number of the leaf of its first entry, varint that leaf's first
 *     rowid, then a varint per following leaf: its first rowid less the
 *     one before (0 for a leaf without a rowid).  A page reaching pgsz
 *     bytes is written and the next one started; the height above gets
 *     an entry for each page below (page number, first rowid, then
 *     deltas), so that its root may hold several heights.  Pages of
 *     height 0 are numbered from the term's leaf, those above from the
 *     first page of the height below.
 * T_idx(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID holds
 *   the b-tree over a segment's leaves: a row per leaf that holds a term,
 *   term the shortest prefix of its first term greater than the term
 *   before it ('0'-led like the leaves; a zero-length blob for leaf 1),
 *   pgno (leaf << 1) | 1 if the last doclist starting on that leaf has a
 *   doclist index, (leaf << 1) otherwise.
 *
 * FTS5's flush, which this module reproduces: the in-memory hash of
 * ('0' + term) -> doclist is sorted by key (bytes unsigned, a key before
 * the keys it is a prefix of) and written as one new segment with the
 * lowest free segid in 1..2000, appended to level 0; smaller or equal
 * segments of the levels above are then moved to the front of level 0
 * (fts5StructurePromote), and nWriteCounter grows by the leaves written
 * when 'automerge' is not 0.  The averages grow by one row per insert and
 * by the tokens the tokenizer returned (repeats counted, each token cut
 * at 32768 bytes).
 *
 * The builder's memory: an open-addressing table of (hash tag, record)
 * slots over XXH3; per term a record in an arena holding its bytes and
 * the start of its doclist, already in the on-disk form (first rowid,
 * then deltas), which goes on in a chain of chunks in one pool, so a
 * leaf is filled by copying.  Only the distinct terms are sorted, at
 * write time (radix on their first 8 bytes).
 *
 * FTS5's caches.  A connection's FTS5 keeps the structure record across
 * transactions (fts5StructureRead keeps Fts5Index.pStruct; it is dropped
 * by sqlite3Fts5IndexReset only when PRAGMA data_version changed, which a
 * connection's own commits do not change) and, within a write
 * transaction, the averages (Fts5Storage.bTotalsValid, written back at
 * xSync) and pending terms in its hash.  ftsbuild_write therefore:
 *   1. opens SAVEPOINT ftsbuild: SQLite calls xSavepoint of every virtual
 *      table already in the transaction (vdbe.c OP_Savepoint ->
 *      sqlite3VtabSavepoint), and FTS5's (fts5SavepointMethod ->
 *      sqlite3Fts5FlushToDisk -> sqlite3Fts5StorageSync) writes its
 *      averages and flushes its pending terms as a segment of its own.  A
 *      table not in the transaction holds neither: terms enter the hash
 *      only through xUpdate, after xBegin, and leave it at xSync or
 *      xRollback;
 *   2. reads the structure and averages records and writes the segment;
 *   3. opens SAVEPOINT ftsbuild_sync and runs the special insert
 *      INSERT INTO T(T, rank) VALUES('merge', 0): it makes FTS5 join the
 *      transaction (OP_VBegin; joining inside a savepoint calls its
 *      xSavepoint, a flush of nothing), reads the structure and drops it
 *      (sqlite3Fts5IndexMerge calls fts5StructureInvalidate) and writes
 *      nothing (fts5IndexMerge does no work for 0 pages, so no
 *      fts5StructureWrite);
 *   4. ROLLBACK TO ftsbuild_sync: xRollbackTo of every table that joined
 *      (pVTab->iSavepoint > the savepoint's index, vtab.c
 *      sqlite3VtabSavepoint) -> sqlite3Fts5StorageRollback: bTotalsValid =
 *      0, and sqlite3Fts5IndexRollback: reader closed, hash emptied (it
 *      holds nothing: flushed at 1, nothing written since), structure
 *      dropped.  The rollback itself undoes nothing, the 'merge' having
 *      written nothing;
 *   5. RELEASE ftsbuild_sync, RELEASE ftsbuild (xRelease: a flush of
 *      nothing).
 * After that the connection's FTS5 reads the structure and averages from
 * the table again before its next use.  On an error, ROLLBACK TO ftsbuild
 * undoes the writes (and drops FTS5's caches the same way).
 */
#include "ftsbuild.h"
#include "ftsrecord.h"
#include "../common/buf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#define STRUCTURE_ROWID 10
#define AVERAGES_ROWID 1
#define FTS5_VERSION 4              /* the 'version' of table_config */
#define DEFAULT_AUTOMERGE 4
#define MAX_PGSZ (64 * 1024)
#define MIN_DLIDX 4                 /* termless leaves that earn a dlidx */
#define MAIN_PREFIX '0'

#define SEGMENT_ROWID(segid, pgno) (((int64_t)(segid) << 37) + (int64_t)(pgno))
#define DLIDX_ROWID(segid, height, pgno) (((int64_t)(segid) << 37) + \
	((int64_t)1 << 36) + ((int64_t)(height) << 31) + (int64_t)(pgno))

/* ---- varints: see ftsrecord.h ---- */

static void put_u16(char *p, size_t v)
{
	p[0] = (char)(uint8_t)((v >> 8) & 0xff);  /* FTS5 stores (u16)n */
	p[1] = (char)(uint8_t)(v & 0xff);
}

/* ---- the builder ---- */

/*
 * A term is a record in b->recs: struct rec, then its bytes, padded to 8.
 * Its doclist starts in rec.data and goes on in a chain of chunks in
 * b->pool (a 4-byte link to the next chunk, then data), 64 bytes long at
 * first, twice as long each time up to 4096.  Most terms never leave
 * rec.data, so finding a term and appending to it touches one slot and
 * one record.
 */
#define INLINE 19                   /* doclist bytes in the record */
#define CHUNK_UNIT 16               /* pool offsets count 16-byte units */
#define CHUNK_FIRST 2               /* first class: 16 << 2 = 64 bytes */
#define CHUNK_TOP 8                 /* largest class: 16 << 8 = 4096 bytes */
#define CHUNK_UNITS(c) (1u << (c))
#define CHUNK_CAP(c) ((CHUNK_UNIT << (c)) - 4u)   /* data bytes */
#define REC_ALIGN 8                 /* records start at multiples of 8 */

struct rec {
	int64_t last;               /* rowid of its last posting */
	uint32_t head, tail;        /* its first and last pool chunk, 0 = none */
	uint16_t used;              /* bytes in the last chunk (in data if none) */
	uint16_t len;               /* term bytes (<= FTSBUILD_MAX_TOKEN) */
	uint8_t cls;                /* class of the last chunk */
	uint8_t data[INLINE];       /* the first doclist bytes */
	/* then the term's len bytes */
};

struct slot {
	uint32_t tag;               /* high 32 bits of the term's XXH3 */
	uint32_t rec;               /* its record: b->recs + rec * REC_ALIGN; 0 = empty */
};

struct tok {                        /* a term of the text being added */
	const char *p;
	uint32_t len, tag;
	uint32_t rec;               /* probable record (prefetched), 0 = none */
};

struct ftsbuild {
	struct slot *slots;         /* nslots, a power of two; <= half used */
	size_t nslots;
	uint8_t *recs;              /* records, from offset REC_ALIGN */
	size_t recs_len, recs_cap;
	size_t nterms;
	uint8_t *pool;              /* chunks, from unit 1 */
	size_t pool_units, pool_cap;
	struct tok *toks;           /* scratch for one text */
	size_t ntoks_cap;
	size_t rows, postings;
	uint64_t tokens;            /* token total of the texts added */
	int64_t last_rowid;         /* of the last text added (rows > 0) */
	bool bad;                   /* a rowid did not grow: */
	int64_t bad_rowid, bad_prev;
};

#define REC(b, off) ((struct rec *)((b)->recs + (size_t)(off) * REC_ALIGN))
#define REC_TERM(r) ((const char *)(r) + sizeof(struct rec))
#define REC_SIZE(len) ((sizeof(struct rec) + (len) + REC_ALIGN - 1) & ~(size_t)(REC_ALIGN - 1))
#define CHUNK(b, c) ((b)->pool + (size_t)(c) * CHUNK_UNIT)

struct ftsbuild *ftsbuild_new(void)
{
	return pv_calloc(1, sizeof(struct ftsbuild));
}

static void builder_clear(struct ftsbuild *b)
{
	free(b->slots);
	free(b->recs);
	free(b->pool);
	free(b->toks);
	memset(b, 0, sizeof *b);
}

void ftsbuild_free(struct ftsbuild *b)
{
	if (!b)
		return;
	builder_clear(b);
	free(b);
}

size_t ftsbuild_rows(const struct ftsbuild *b)
{
	return b->rows;
}

size_t ftsbuild_postings(const struct ftsbuild *b)
{
	return b->postings;
}

size_t ftsbuild_terms(const struct ftsbuild *b)
{
	return b->nterms;
}

size_t ftsbuild_memory(const struct ftsbuild *b)
{
	return sizeof *b + b->nslots * sizeof(struct slot) + b->recs_cap +
	       b->pool_cap * CHUNK_UNIT + b->ntoks_cap * sizeof(struct tok);
}

static void too_big(const char *what)
{
	fprintf(stderr, "ftsbuild: more than %s in one segment: write more often\n", what);
	abort();
}

static uint32_t chunk_new(struct ftsbuild *b, unsigned cls)
{
	size_t need, off;

	if (!b->pool_units)
		b->pool_units = 1;  /* unit 0 means "none" */
	need = b->pool_units + CHUNK_UNITS(cls);
	if (need > b->pool_cap) {
		size_t cap = b->pool_cap ? b->pool_cap : 65536;
		while (cap < need)
			cap *= 2;
		if (cap > UINT32_MAX) {
			if (need > UINT32_MAX)
				too_big("64 GiB of doclists");
			cap = UINT32_MAX;
		}
		b->pool = pv_realloc(b->pool, cap * CHUNK_UNIT);
		b->pool_cap = cap;
	}
	off = b->pool_units;
	b->pool_units = need;
	memset(CHUNK(b, off), 0, 4);        /* no next chunk */
	return (uint32_t)off;
}

/* Appends n bytes (n <= 10) to the doclist of r. */
static void doclist_put(struct ftsbuild *b, struct rec *r, const uint8_t *p, unsigned n)
{
	uint8_t *d = r->head ? CHUNK(b, r->tail) + 4 : r->data;
	unsigned cap = r->head ? CHUNK_CAP(r->cls) : INLINE, k;
	uint32_t c;

	if (r->used + n <= cap) {
		memcpy(d + r->used, p, n);
		r->used = (uint16_t)(r->used + n);
		return;
	}
	k = cap - r->used;
	memcpy(d + r->used, p, k);
	if (!r->head) {
		r->cls = CHUNK_FIRST;
		r->head = r->tail = c = chunk_new(b, r->cls);
	} else {
		if (r->cls < CHUNK_TOP)
			r->cls++;
		c = chunk_new(b, r->cls);
		memcpy(CHUNK(b, r->tail), &c, 4);
		r->tail = c;
	}
	memcpy(CHUNK(b, c) + 4, p + k, n - k);
	r->used = (uint16_t)(n - k);
}

static void slots_grow(struct ftsbuild *b)
{
	size_t n = b->nslots ? b->nslots * 2 : 4096, i, j;
	struct slot *ns = pv_calloc(n, sizeof *ns);

	if (n > ((size_t)1 << 32))
		too_big("2^31 terms");
	for (i = 0; i < b->nslots; i++) {
		if (!b->slots[i].rec)
			continue;
		for (j = b->slots[i].tag & (n - 1); ns[j].rec; j = (j + 1) & (n - 1))
			;
		ns[j] = b->slots[i];
	}
	free(b->slots);
	b->slots = ns;
	b->nslots = n;
}

static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	for (; n >= 8; a += 8, b += 8, n -= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	for (; n; n--)
		if (*a++ != *b++)
			return false;
	return true;
}

static void posting_add(struct ftsbuild *b, int64_t rowid, const struct tok *k)
{
	size_t mask = b->nslots - 1, i, size;
	uint8_t v[10];
	struct rec *r;

	for (i = k->tag & mask; b->slots[i].rec; i = (i + 1) & mask) {
		if (b->slots[i].tag != k->tag)
			continue;
		r = REC(b, b->slots[i].rec);
		if (r->len == k->len && same_bytes(REC_TERM(r), k->p, k->len)) {
			if (r->last != rowid) {
				assert(rowid > r->last);    /* ftsbuild_add's rule */
				doclist_put(b, r, v, put_varint(v, (uint64_t)rowid - (uint64_t)r->last));
				r->last = rowid;
				b->postings++;
			}
			return;
		}
	}

	/* a new term */
	if ((b->nterms + 1) * 2 > b->nslots) {
		slots_grow(b);
		mask = b->nslots - 1;
		for (i = k->tag & mask; b->slots[i].rec; i = (i + 1) & mask)
			;
	}
	size = REC_SIZE(k->len);
	if (!b->recs_len)
		b->recs_len = REC_ALIGN;    /* record 0 means "none" */
	if (b->recs_len + size > b->recs_cap) {
		size_t cap = b->recs_cap ? b->recs_cap : 1 << 20;
		while (cap < b->recs_len + size)
			cap *= 2;
		if (cap / REC_ALIGN > UINT32_MAX)
			too_big("32 GiB of terms");
		b->recs = pv_realloc(b->recs, cap);
		b->recs_cap = cap;
	}
	r = (struct rec *)(b->recs + b->recs_len);
	r->last = rowid;
	r->head = r->tail = 0;
	r->len = (uint16_t)k->len;
	r->cls = 0;
	r->used = (uint16_t)put_varint(r->data, (uint64_t)rowid);
	memcpy((char *)r + sizeof *r, k->p, k->len);
	b->slots[i].tag = k->tag;
	b->slots[i].rec = (uint32_t)(b->recs_len / REC_ALIGN);
	b->recs_len += size;
	b->nterms++;
	b->postings++;
}

void ftsbuild_add(struct ftsbuild *b, int64_t rowid, const char *terms, size_t len)
{
	const char *p = terms, *end = terms + len, *q;
	size_t n = 0, i, mask;

	if (b->bad)
		return;
	if (b->rows && rowid <= b->last_rowid) {
		b->bad = true;
		b->bad_rowid = rowid;
		b->bad_prev = b->last_rowid;
		return;
	}
	b->rows++;
	b->last_rowid = rowid;
	if (!b->nslots)
		slots_grow(b);

	/* the terms, hashed, their slots prefetched */
	mask = b->nslots - 1;
	while (p < end) {
		if (*p == ' ') {
			p++;
			continue;
		}
		q = memchr(p, ' ', (size_t)(end - p));
		if (!q)
			q = end;
		if (n == b->ntoks_cap) {
			b->ntoks_cap = b->ntoks_cap ? b->ntoks_cap * 2 : 256;
			b->toks = pv_realloc(b->toks, b->ntoks_cap * sizeof *b->toks);
		}
		b->toks[n].p = p;
		b->toks[n].len = (uint32_t)PV_MIN((size_t)(q - p), (size_t)FTSBUILD_MAX_TOKEN);
		b->toks[n].tag = (uint32_t)(XXH3_64bits(p, b->toks[n].len) >> 32);
		__builtin_prefetch(&b->slots[b->toks[n].tag & mask]);
		n++;
		p = q;
	}
	b->tokens += n;
	/* their probable records prefetched (both ends: a record may span
	 * two cache lines), then the doclists' ends */
	for (i = 0; i < n; i++) {
		size_t j = b->toks[i].tag & mask;
		const uint8_t *r;
		while (b->slots[j].rec && b->slots[j].tag != b->toks[i].tag)
			j = (j + 1) & mask;
		b->toks[i].rec = b->slots[j].rec;
		if (!b->toks[i].rec)
			continue;
		r = (const uint8_t *)REC(b, b->toks[i].rec);
		__builtin_prefetch(r);
		__builtin_prefetch(r + sizeof(struct rec) + b->toks[i].len - 1);
	}
	for (i = 0; i < n; i++) {
		const struct rec *r;
		if (!b->toks[i].rec)
			continue;
		r = REC(b, b->toks[i].rec);
		if (r->head)
			__builtin_prefetch(CHUNK(b, r->tail) + 4 + r->used, 1);
	}
	for (i = 0; i < n; i++)
		posting_add(b, rowid, &b->toks[i]);
}

/* ---- reading a doclist back ---- */

struct dlread {
	const struct ftsbuild *b;
	const struct rec *r;
	uint32_t chunk;             /* 0 while in r->data */
	unsigned cls;
	const uint8_t *p, *end;     /* the rest of the current part */
};

static void dlread_init(struct dlread *d, const struct ftsbuild *b, const struct rec *r)
{
	d->b = b;
	d->r = r;
	d->chunk = 0;
	d->cls = CHUNK_FIRST;
	d->p = r->data;
	d->end = r->data + (r->head ? INLINE : r->used);
}

/* False at the end of the doclist. */
static bool dlread_next_chunk(struct dlread *d)
{
	uint32_t next;

	if (!d->r->head || d->chunk == d->r->tail)
		return false;
	if (!d->chunk) {
		next = d->r->head;
	} else {
		memcpy(&next, CHUNK(d->b, d->chunk), 4);
		if (d->cls < CHUNK_TOP)
			d->cls++;
	}
	d->chunk = next;
	d->p = CHUNK(d->b, next) + 4;
	d->end = d->p + (next == d->r->tail ? d->r->used : CHUNK_CAP(d->cls));
	return true;
}

static size_t doclist_bytes(const struct ftsbuild *b, const struct rec *r)
{
	struct dlread d;
	size_t n = 0;

	dlread_init(&d, b, r);
	do
		n += (size_t)(d.end - d.p);
	while (dlread_next_chunk(&d));
	return n;
}

/* The next varint: its bytes into raw, its value into v.  False at the end. */
static bool dlread_varint(struct dlread *d, uint8_t *raw, unsigned *nraw, uint64_t *v)
{
	uint64_t x = 0;
	unsigned n = 0;

	while (d->p == d->end)
		if (!dlread_next_chunk(d))
			return false;
	if (d->end - d->p >= 9) {       /* all in this part */
		size_t k = get_varint(d->p, 9, v);
		memcpy(raw, d->p, k);
		*nraw = (unsigned)k;
		d->p += k;
		return true;
	}
	for (;;) {
		uint8_t c;
		while (d->p == d->end)
			if (!dlread_next_chunk(d))
				return false;  /* cannot happen: whole varints were written */
		c = *d->p++;
		raw[n++] = c;
		if (n == 9) {
			x = (x << 8) | c;
			break;
		}
		x = (x << 7) | (c & 0x7f);
		if (!(c & 0x80))
			break;
	}
	*nraw = n;
	*v = x;
	return true;
}

/* ---- the segment writer (FTS5's Fts5SegWriter, detail=none) ---- */

struct dlidx {                      /* one height of a doclist index */
	struct buf buf;             /* the page being filled */
	int pgno;
	bool prev_valid;
	uint64_t prev;              /* last rowid added to buf */
};

struct segw {
	sqlite3 *db;
	sqlite3_stmt *data;         /* REPLACE INTO T_data(id, block) */
	sqlite3_stmt *idx;          /* INSERT INTO T_idx(segid, term, pgno) */
	int rc;                     /* first SQLite error */
	char errmsg[300];           /* its message */
	int segid, pgsz;

	struct buf page;            /* the leaf being filled, header first */
	struct buf pgidx;           /* its page index */
	size_t prev_pgidx;          /* offset of its last term */
	int pgno;                   /* its number */
	struct buf term;            /* the last term written ('0' + bytes) */
	bool first_term_in_page, first_rowid_in_page;
	int nempty;                 /* termless leaves since the last b-tree row */
	int nleaves;

	struct dlidx *dl;           /* heights 0..ndl-1 */
	int ndl;

	struct buf btterm;          /* b-tree key of leaf btpage */
	int btpage;                 /* 0 = none pending */
};

/* Steps a write, keeping its error (the next bind would clear it). */
static void step_done(struct segw *w, sqlite3_stmt *st)
{
	sqlite3_step(st);
	w->rc = sqlite3_reset(st);
	if (w->rc != SQLITE_OK)
		snprintf(w->errmsg, sizeof w->errmsg, "%s", sqlite3_errmsg(w->db));
}

static void data_write(struct segw *w, int64_t id, const void *p, size_t n)
{
	if (w->rc != SQLITE_OK)
		return;
	sqlite3_bind_int64(w->data, 1, id);
	sqlite3_bind_blob(w->data, 2, p ? p : "", (int)n, SQLITE_STATIC);
	step_done(w, w->data);
	sqlite3_bind_null(w->data, 2);
}

static void dlidx_grow(struct segw *w, int n)
{
	if (n <= w->ndl)
		return;
	w->dl = pv_realloc(w->dl, (size_t)n * sizeof *w->dl);
	memset(w->dl + w->ndl, 0, (size_t)(n - w->ndl) * sizeof *w->dl);
	w->ndl = n;
}

static void dlidx_clear(struct segw *w, bool write)
{
	int i;

	for (i = 0; i < w->ndl && w->dl[i].buf.len; i++) {
		if (write)
			data_write(w, DLIDX_ROWID(w->segid, i, w->dl[i].pgno),
				   w->dl[i].buf.data, w->dl[i].buf.len);
		buf_reset(&w->dl[i].buf);
		w->dl[i].prev_valid = false;
	}
}

/* Writes the pending b-tree row, and the doclist index of the last
 * doclist of its leaf when that doclist ran over MIN_DLIDX termless
 * leaves (else the index is dropped). */
static void btree_flush(struct segw *w)
{
	bool dl;

	if (!w->btpage)
		return;
	dl = w->dl[0].buf.len > 0 && w->nempty >= MIN_DLIDX;
	dlidx_clear(w, dl);
	w->nempty = 0;
	if (w->rc == SQLITE_OK) {
		sqlite3_bind_blob(w->idx, 2, w->btterm.len ? w->btterm.data : "",
				  (int)w->btterm.len, SQLITE_STATIC);
		sqlite3_bind_int64(w->idx, 3, (int64_t)dl + ((int64_t)w->btpage << 1));
		step_done(w, w->idx);
		sqlite3_bind_null(w->idx, 2);
	}
	w->btpage = 0;
}

static uint64_t dlidx_first_rowid(const struct buf *b)
{
	uint64_t v;
	size_t off = 1 + get_varint((const uint8_t *)b->data + 1, b->len - 1, &v);

	get_varint((const uint8_t *)b->data + off, b->len - off, &v);
	return v;
}

/* rowid is the first on the current leaf, which the doclist of the last
 * term continues on. */
static void dlidx_append(struct segw *w, uint64_t rowid)
{
	bool done = false;
	int i;

	for (i = 0; !done; i++) {
		struct dlidx *d = &w->dl[i];
		uint64_t val;

		if (d->buf.len >= (size_t)w->pgsz) {
			/* full: write it, and make sure the height above holds
			 * an entry for it (a new root starts with it) */
			d->buf.data[0] = 0x01;
			data_write(w, DLIDX_ROWID(w->segid, i, d->pgno),
				   d->buf.data, d->buf.len);
			dlidx_grow(w, i + 2);
			d = &w->dl[i];
			if (d[1].buf.len == 0) {
				uint64_t first = dlidx_first_rowid(&d->buf);
				d[1].pgno = d->pgno;
				buf_varint(&d[1].buf, 0);
				buf_varint(&d[1].buf, (uint64_t)d->pgno);
				buf_varint(&d[1].buf, first);
				d[1].prev_valid = true;
				d[1].prev = first;
			}
			buf_reset(&d->buf);
			d->prev_valid = false;
			d->pgno++;
		} else {
			done = true;
		}
		if (d->prev_valid) {
			val = rowid - d->prev;
		} else {
			buf_varint(&d->buf, !done);
			buf_varint(&d->buf, (uint64_t)(i == 0 ? w->pgno : w->dl[i - 1].pgno));
			val = rowid;
		}
		buf_varint(&d->buf, val);
		d->prev_valid = true;
		d->prev = rowid;
	}
}

static void page_start(struct segw *w)
{
	buf_reset(&w->page);
	buf_append(&w->page, "\0\0\0\0", 4);
	buf_reset(&w->pgidx);
	w->prev_pgidx = 0;
}

static void leaf_flush(struct segw *w)
{
	put_u16(w->page.data + 2, w->page.len);
	if (w->first_term_in_page) {
		/* no term: a doclist index entry of 0 if no rowid either */
		if (w->first_rowid_in_page && w->dl[0].buf.len)
			buf_varint(&w->dl[0].buf, 0);
		w->nempty++;
	} else {
		buf_append(&w->page, w->pgidx.data, w->pgidx.len);
	}
	data_write(w, SEGMENT_ROWID(w->segid, w->pgno), w->page.data, w->page.len);
	page_start(w);
	w->pgno++;
	w->nleaves++;
	w->first_term_in_page = true;
	w->first_rowid_in_page = true;
}

static size_t common_prefix(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n && a[i] == b[i]; i++)
		;
	return i;
}

static void term_append(struct segw *w, const char *key, size_t n)
{
	size_t nmin = PV_MIN(w->term.len, n), prefix;

	/* keys come sorted: bytes unsigned, a key before those it is a
	 * prefix of */
	assert(!w->term.len || memcmp(w->term.data, key, nmin) < 0 ||
	       (memcmp(w->term.data, key, nmin) == 0 && w->term.len < n));
	if (w->page.len + w->pgidx.len + n + 2 >= (size_t)w->pgsz && w->page.len > 4)
		leaf_flush(w);
	buf_varint(&w->pgidx, w->page.len - w->prev_pgidx);
	w->prev_pgidx = w->page.len;
	if (w->first_term_in_page) {
		prefix = 0;
		if (w->pgno != 1) {
			/* a b-tree row for this leaf: the shortest prefix of
			 * the term greater than the term before it */
			size_t bt = w->term.len ? 1 + common_prefix(w->term.data, key, nmin) : n;
			btree_flush(w);
			buf_reset(&w->btterm);
			buf_append(&w->btterm, key, bt);
			w->btpage = w->pgno;
		}
	} else {
		prefix = common_prefix(w->term.data, key, nmin);
		buf_varint(&w->page, prefix);
	}
	buf_varint(&w->page, n - prefix);
	buf_append(&w->page, key + prefix, n - prefix);
	buf_reset(&w->term);
	buf_append(&w->term, key, n);
	w->first_term_in_page = false;
	w->first_rowid_in_page = false;
	w->dl[0].pgno = w->pgno;
}

/* The doclist of the term just appended. */
static void doclist_append(struct segw *w, const struct ftsbuild *b, const struct rec *r)
{
	size_t n = doclist_bytes(b, r);
	struct dlread d;
	uint8_t raw[10];
	unsigned nraw;
	uint64_t delta, rowid = 0;

	dlread_init(&d, b, r);
	if ((size_t)w->pgsz >= w->page.len + w->pgidx.len + n + 1) {
		do
			buf_append(&w->page, d.p, (size_t)(d.end - d.p));
		while (dlread_next_chunk(&d));
		return;
	}
	/* rowid by rowid, a leaf flushed as soon as it is full */
	while (w->rc == SQLITE_OK && dlread_varint(&d, raw, &nraw, &delta)) {
		rowid += delta;
		if (w->first_rowid_in_page) {
			put_u16(w->page.data, w->page.len);
			buf_varint(&w->page, rowid);
			w->first_rowid_in_page = false;
			dlidx_append(w, rowid);
		} else {
			buf_append(&w->page, raw, nraw);
		}
		if (w->page.len + w->pgidx.len >= (size_t)w->pgsz)
			leaf_flush(w);
	}
}

struct skey {
	uint64_t key;               /* the term's first 8 bytes, big-endian */
	uint64_t rec;
};

static int skey_cmp(const void *x, const void *y, void *ctx)
{
	const struct skey *a = x, *c = y;
	const struct ftsbuild *b = ctx;
	const struct rec *s, *t;
	int r;

	if (a->key != c->key)
		return a->key < c->key ? -1 : 1;
	s = REC(b, a->rec);
	t = REC(b, c->rec);
	r = memcmp(REC_TERM(s), REC_TERM(t), PV_MIN(s->len, t->len));
	return r ? r : (s->len > t->len) - (s->len < t->len);
}

/* LSD radix sort on key, a byte at a time, skipping bytes all keys share. */
static void radix_sort(struct skey *k, size_t n)
{
	struct skey *tmp = pv_malloc((n + 1) * sizeof *tmp), *a = k, *t = tmp, *x;
	size_t (*count)[256] = pv_calloc(8, sizeof *count);
	size_t i, sum;
	unsigned d, c;

	for (i = 0; i < n; i++)
		for (d = 0; d < 8; d++)
			count[d][(a[i].key >> (8 * d)) & 0xff]++;
	for (d = 0; d < 8; d++) {
		for (c = 0; c < 256 && count[d][c] != n; c++)
			;
		if (c < 256)
			continue;           /* one value: nothing to do */
		for (c = 0, sum = 0; c < 256; c++) {
			size_t m = count[d][c];
			count[d][c] = sum;
			sum += m;
		}
		for (i = 0; i < n; i++)
			t[count[d][(a[i].key >> (8 * d)) & 0xff]++] = a[i];
		x = a;
		a = t;
		t = x;
	}
	if (a != k)
		memcpy(k, a, n * sizeof *k);
	free(count);
	free(tmp);
}

/* The records in FTS5's order: bytes compared unsigned, a term before
 * those it is a prefix of.  The sort key is the first 8 bytes,
 * big-endian, zero-padded (a prefix sorts no later than its extensions),
 * ties broken on the whole term. */
static struct skey *terms_sorted(const struct ftsbuild *b)
{
	struct skey *k = pv_malloc((b->nterms + 1) * sizeof *k);
	size_t i = 0, off, j;

	for (off = REC_ALIGN; off < b->recs_len; i++) {
		const struct rec *r = (const struct rec *)(b->recs + off);
		const uint8_t *s = (const uint8_t *)REC_TERM(r);
		uint64_t key = 0;
		for (j = 0; j < 8; j++)
			key = (key << 8) | (j < r->len ? s[j] : 0);
		k[i].key = key;
		k[i].rec = off / REC_ALIGN;
		off += REC_SIZE(r->len);
	}
	radix_sort(k, b->nterms);
	for (i = 0; i < b->nterms; i = j) {
		for (j = i + 1; j < b->nterms && k[j].key == k[i].key; j++)
			;
		if (j - i > 1)
			qsort_r(k + i, j - i, sizeof *k, skey_cmp, (void *)b);
	}
	return k;
}

/* Writes the segment. */
static int segment_write(struct segw *w, const struct ftsbuild *b)
{
	struct skey *order = terms_sorted(b);
	struct buf key = BUF_INIT;
	size_t i;

	dlidx_grow(w, 1);
	w->pgno = 1;
	w->first_term_in_page = true;
	w->btpage = 1;              /* leaf 1, b-tree key '' */
	page_start(w);
	sqlite3_bind_int(w->idx, 1, w->segid);
	for (i = 0; i < b->nterms && w->rc == SQLITE_OK; i++) {
		const struct rec *r = REC(b, order[i].rec);
		/* records are visited out of order: fetch ahead */
		if (i + 16 < b->nterms)
			__builtin_prefetch(REC(b, order[i + 16].rec));
		if (i + 8 < b->nterms && REC(b, order[i + 8].rec)->head)
			__builtin_prefetch(CHUNK(b, REC(b, order[i + 8].rec)->head));
		buf_reset(&key);
		buf_putc(&key, MAIN_PREFIX);
		buf_append(&key, REC_TERM(r), r->len);
		term_append(w, key.data, key.len);
		doclist_append(w, b, r);
	}
	if (w->rc == SQLITE_OK) {
		if (w->page.len > 4)
			leaf_flush(w);
		if (w->pgno > 1)
			btree_flush(w);
	}
	buf_done(&key);
	free(order);
	return w->rc;
}

static void segw_done(struct segw *w)
{
	int i;

	sqlite3_finalize(w->data);
	sqlite3_finalize(w->idx);
	buf_done(&w->page);
	buf_done(&w->pgidx);
	buf_done(&w->term);
	buf_done(&w->btterm);
	for (i = 0; i < w->ndl; i++)
		buf_done(&w->dl[i].buf);
	free(w->dl);
}

/* ---- the table ---- */

static int sql_err(sqlite3 *db, int rc, struct pv_err *err, const char *what)
{
	int code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ?
		   PV_EBUSY : PV_ESTORE;

	return pv_errf(err, code, "ftsbuild: %s: %s", what,
		       rc == SQLITE_OK ? "failed" : sqlite3_errmsg(db));
}

static int exec(sqlite3 *db, const char *sql, struct pv_err *err)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sql_err(db, rc, err, sql);
}

/* Prepares sqlite3_mprintf(fmt, ...) (%q, %w, %Q).  Not store_prep: this
 * module works on a bare sqlite3 * (it knows nothing of struct store, and
 * test_ftsbuild drives it on a plain database), names the table through %w,
 * and its errors name the statement ("ftsbuild: SQL: message", sql_err);
 * the busy/other split of the code is the same as store_sqlerr's. */
static int prepare(sqlite3 *db, sqlite3_stmt **st, struct pv_err *err, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	int rc;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (!sql) {
		fprintf(stderr, "ftsbuild: out of memory\n");
		abort();
	}
	rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
	if (rc != SQLITE_OK) {
		rc = sql_err(db, rc, err, sql);
		sqlite3_free(sql);
		return rc;
	}
	sqlite3_free(sql);
	return 0;
}

struct table {
	char *name;                 /* as in sqlite_schema (sqlite3_malloc'ed) */
	int pgsz, automerge;
};

static int table_exists(sqlite3 *db, const char *name, const char *suffix, bool *yes,
			struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc = prepare(db, &st, err, "SELECT 1 FROM main.sqlite_schema "
			 "WHERE type = 'table' AND name = '%q%q' COLLATE NOCASE", name, suffix);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sql_err(db, rc, err, "sqlite_schema");
}

/* Checks that `table` is a table this module can write, and reads its
 * page size and automerge setting as FTS5 loads them (sqlite3Fts5ConfigLoad:
 * a bad value leaves the default). */
static int table_open(sqlite3 *db, const char *table, struct table *tb, struct pv_err *err)
{
	static const char *const need[] = { "_data", "_idx", "_config" };
	static const char *const never[] = { "_content", "_docsize" };
	sqlite3_stmt *st;
	struct decl d;
	int rc, version = 0;
	size_t i;
	bool yes;

	memset(tb, 0, sizeof *tb);
	tb->pgsz = FTSBUILD_DEFAULT_PGSZ;
	tb->automerge = DEFAULT_AUTOMERGE;
	rc = prepare(db, &st, err, "SELECT name, sql FROM main.sqlite_schema "
		     "WHERE type = 'table' AND name = %Q COLLATE NOCASE", table);
	if (rc)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return pv_errf(err, PV_EUSAGE, "ftsbuild: no table '%s' in the main schema", table);
	}
	tb->name = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 0));
	if (!decl_parse(sqlite3_column_text(st, 1) ?
			(const char *)sqlite3_column_text(st, 1) : "", &d)) {
		sqlite3_finalize(st);
		return pv_errf(err, PV_EUSAGE, "ftsbuild: '%s' is not an FTS5 table", table);
	}
	sqlite3_finalize(st);
	if (d.ncol != 1 || d.unindexed)
		return pv_errf(err, PV_EUSAGE, "ftsbuild: FTS5 table '%s' has %d %scolumns; "
			       "only one indexed column is supported", table, d.ncol,
			       d.unindexed ? "(UNINDEXED) " : "");
	if (!d.contentless)
		return pv_errf(err, PV_EUSAGE, "ftsbuild: FTS5 table '%s' has %s content; "
			       "only contentless tables (content='') are supported",
			       table, d.external ? "external" : "its own");
	if (d.detail != 0)
		return pv_errf(err, PV_EUSAGE, "ftsbuild: FTS5 table '%s' has detail=%s; "
			       "only detail=none is supported", table,
			       d.detail == 1 ? "full" : d.detail == 2 ? "columns" : "(malformed)");
	if (d.columnsize)
		return pv_errf(err, PV_EUSAGE, "ftsbuild: FTS5 table '%s' has columnsize=1; "
			       "only columnsize=0 is supported", table);
	if (d.prefix)
		return pv_errf(err, PV_EUSAGE, "ftsbuild: FTS5 table '%s' has prefix indexes; "
			       "they are not supported", table);
	for (i = 0; i < PV_ARRAY_LEN(need); i++) {
		if ((rc = table_exists(db, tb->name, need[i], &yes, err)))
			return rc;
		if (!yes)
			return pv_errf(err, PV_ESTORE, "ftsbuild: FTS5 table '%s' has no "
				       "shadow table %s%s", table, tb->name, need[i]);
	}
	for (i = 0; i < PV_ARRAY_LEN(never); i++) {
		if ((rc = table_exists(db, tb->name, never[i], &yes, err)))
			return rc;
		if (yes)
			return pv_errf(err, PV_EUSAGE, "ftsbuild: FTS5 table '%s' has a shadow "
				       "table %s%s; it is not contentless with columnsize=0",
				       table, tb->name, never[i]);
	}

	if ((rc = prepare(db, &st, err, "SELECT k, v FROM main.\"%w_config\"", tb->name)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		sqlite3_value *v = sqlite3_column_value(st, 1);
		int x = -1;
		if (!k)
			continue;
		if (sqlite3_value_numeric_type(v) == SQLITE_INTEGER)
			x = sqlite3_value_int(v);
		if (strcasecmp(k, "version") == 0) {
			version = sqlite3_value_int(v);
		} else if (strcasecmp(k, "pgsz") == 0) {
			if (x >= 32 && x <= MAX_PGSZ)
				tb->pgsz = x;
		} else if (strcasecmp(k, "automerge") == 0) {
			if (x >= 0 && x <= 64)
				tb->automerge = x == 1 ? DEFAULT_AUTOMERGE : x;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(db, rc, err, "reading the fts config");
	if (version != FTS5_VERSION)
		return pv_errf(err, PV_ESTORE, "ftsbuild: FTS5 table '%s' has format version "
			       "%d, not %d", table, version, FTS5_VERSION);
	return 0;
}

/* Reads record id of T_data into out (a missing record is corruption:
 * FTS5 writes both when it creates the table). */
static int record_read(sqlite3 *db, const struct table *tb, int64_t id, struct buf *out,
		       struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc = prepare(db, &st, err, "SELECT block FROM main.\"%w_data\" WHERE id = %lld",
			 tb->name, (long long)id);

	if (rc)
		return rc;
	buf_reset(out);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		buf_append(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return pv_errf(err, PV_ESTORE, "ftsbuild: FTS5 table '%s' has no %s record",
			       tb->name, id == STRUCTURE_ROWID ? "structure" : "averages");
	return sql_err(db, rc, err, "reading the fts index");
}

static int seg_err(const struct segw *w, struct pv_err *err, const char *what)
{
	int busy = (w->rc & 0xff) == SQLITE_BUSY || (w->rc & 0xff) == SQLITE_LOCKED;

	return pv_errf(err, busy ? PV_EBUSY : PV_ESTORE, "ftsbuild: %s: %s", what, w->errmsg);
}

/* The new segment, structure and averages. */
static int index_write(struct ftsbuild *b, sqlite3 *db, const struct table *tb,
		       struct pv_err *err)
{
	struct buf rec = BUF_INIT;
	struct fstruct s;
	struct segw w;
	uint64_t nrow = 0, ntok = 0;
	size_t off;
	int rc;

	memset(&s, 0, sizeof s);
	memset(&w, 0, sizeof w);
	if ((rc = record_read(db, tb, AVERAGES_ROWID, &rec, err)))
		goto done;
	if (rec.len) {
		off = get_varint((const uint8_t *)rec.data, rec.len, &nrow);
		if (off < rec.len)
			get_varint((const uint8_t *)rec.data + off, rec.len - off, &ntok);
	}

	if (b->nterms) {
		if ((rc = record_read(db, tb, STRUCTURE_ROWID, &rec, err)))
			goto done;
		if (!fstruct_decode(&s, (const uint8_t *)rec.data, rec.len)) {
			rc = pv_errf(err, PV_ESTORE, "ftsbuild: FTS5 table '%s' has a corrupt "
				     "structure record", tb->name);
			goto done;
		}
		if (s.nsegment >= FTSBUILD_MAX_SEGMENT) {
			rc = pv_errf(err, PV_ESTORE, "ftsbuild: FTS5 table '%s' holds %d "
				     "segments, its most: merge it ('merge' or 'optimize')",
				     tb->name, s.nsegment);
			goto done;
		}
		w.db = db;
		w.pgsz = tb->pgsz;
		w.segid = fstruct_segid(&s);
		if ((rc = prepare(db, &w.data, err, "REPLACE INTO main.\"%w_data\"(id, block) "
				  "VALUES(?, ?)", tb->name)) ||
		    (rc = prepare(db, &w.idx, err, "INSERT INTO main.\"%w_idx\"(segid, term, pgno) "
				  "VALUES(?, ?, ?)", tb->name)))
			goto done;
		if (segment_write(&w, b) != SQLITE_OK) {
			rc = seg_err(&w, err, "writing the segment");
			goto done;
		}
		fstruct_add(&s, w.segid, w.nleaves);
		if (tb->automerge > 0)
			s.nwrite += (uint64_t)w.nleaves;
		fstruct_encode(&s, &rec);
		data_write(&w, STRUCTURE_ROWID, rec.data, rec.len);
		if (w.rc != SQLITE_OK) {
			rc = seg_err(&w, err, "writing the structure record");
			goto done;
		}
	}

	/* the averages, as fts5StorageSaveTotals writes them */
	buf_reset(&rec);
	buf_varint(&rec, nrow + b->rows);
	buf_varint(&rec, ntok + b->tokens);
	{
		sqlite3_stmt *st;
		if ((rc = prepare(db, &st, err, "REPLACE INTO main.\"%w_data\"(id, block) "
				  "VALUES(%d, ?)", tb->name, AVERAGES_ROWID)))
			goto done;
		sqlite3_bind_blob(st, 1, rec.data, (int)rec.len, SQLITE_STATIC);
		sqlite3_step(st);
		rc = sqlite3_finalize(st);
		rc = rc == SQLITE_OK ? 0 : sql_err(db, rc, err, "writing the averages record");
	}
done:
	segw_done(&w);
	fstruct_done(&s);
	buf_done(&rec);
	return rc;
}

/* Steps 3 to 5 of the comment at the top: FTS5 drops what it cached. */
static int fts5_forget(sqlite3 *db, const struct table *tb, struct pv_err *err)
{
	char *sql = sqlite3_mprintf("INSERT INTO main.\"%w\"(\"%w\", rank) VALUES('merge', 0)",
				    tb->name, tb->name);
	int rc;

	if (!sql) {
		fprintf(stderr, "ftsbuild: out of memory\n");
		abort();
	}
	rc = exec(db, "SAVEPOINT ftsbuild_sync", err);
	if (!rc) {
		int rc2;
		rc = exec(db, sql, err);
		rc2 = exec(db, "ROLLBACK TO ftsbuild_sync", rc ? NULL : err);
		if (!rc)
			rc = rc2;
		rc2 = exec(db, "RELEASE ftsbuild_sync", rc ? NULL : err);
		if (!rc)
			rc = rc2;
	}
	sqlite3_free(sql);
	return rc;
}

static void builder_empty(struct ftsbuild *b)
{
	builder_clear(b);
}

int ftsbuild_write(struct ftsbuild *b, sqlite3 *db, const char *table, struct pv_err *err)
{
	struct table tb;
	sqlite3_int64 last_insert;
	int rc, defensive = 0;

	memset(&tb, 0, sizeof tb);
	if (b->bad) {
		rc = pv_errf(err, PV_EINVAL, "ftsbuild: rowid %lld added after rowid %lld: "
			     "rowids must grow between two writes; nothing written",
			     (long long)b->bad_rowid, (long long)b->bad_prev);
		builder_empty(b);
		return rc;
	}
	if (!b->rows)
		return 0;
	if (sqlite3_get_autocommit(db)) {
		builder_empty(b);
		return pv_errf(err, PV_EUSAGE, "ftsbuild: writing the FTS5 table '%s' needs "
			       "an open transaction", table);
	}
	if ((rc = table_open(db, table, &tb, err)))
		goto out;

	/* the writes are to FTS5's shadow tables, which a defensive
	 * connection refuses to ordinary SQL; and FTS5 keeps
	 * last_insert_rowid as its writes found it: so do we */
	last_insert = sqlite3_last_insert_rowid(db);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
	if (defensive)
		sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 0, NULL);
	if (!(rc = exec(db, "SAVEPOINT ftsbuild", err))) {
		rc = index_write(b, db, &tb, err);
		if (!rc)
			rc = fts5_forget(db, &tb, err);
		if (!rc)
			rc = exec(db, "RELEASE ftsbuild", err);
		if (rc) {
			exec(db, "ROLLBACK TO ftsbuild", NULL);
			exec(db, "RELEASE ftsbuild", NULL);
		}
	}
	if (defensive)
		sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_set_last_insert_rowid(db, last_insert);
out:
	sqlite3_free(tb.name);
	builder_empty(b);
	return rc;
}
