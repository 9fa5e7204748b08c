/*
 * ftsrecord.c - FTS5's structure record, decoded, grown by a segment and
 * encoded again, and an FTS5 table's declaration parsed as FTS5 parses it
 * (fts5_config.c): the two records ftsbuild.c reads and writes besides
 * the segment itself (see ftsrecord.h; the formats are described at the
 * head of ftsbuild.c).
 */
#include "ftsrecord.h"
#include "ftsbuild.h"
#include "../common/pv.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the structure record ---- */

void fstruct_done(struct fstruct *s)
{
	int i;

	for (i = 0; i < s->nlevel; i++)
		free(s->lv[i].seg);
	free(s->lv);
	memset(s, 0, sizeof *s);
}

/* A 32-bit varint field as FTS5 reads it (fts5GetVarint32); false if it
 * does not fit an int. */
static bool get_int(const uint8_t *p, size_t n, size_t *i, int *out)
{
	uint64_t v;

	*i += get_varint(p + PV_MIN(*i, n), *i < n ? n - *i : 0, &v);
	if (v > 0x7fffffff)
		return false;
	*out = (int)v;
	return true;
}

/* As fts5StructureDecode; false if corrupt. */
bool fstruct_decode(struct fstruct *s, const uint8_t *p, size_t n)
{
	size_t i = 4;
	int l, k, total = 0;

	memset(s, 0, sizeof *s);
	if (n < 4)
		return false;
	memcpy(s->cookie, p, 4);
	if (!get_int(p, n, &i, &s->nlevel) || !get_int(p, n, &i, &s->nsegment) ||
	    s->nlevel > FTSBUILD_MAX_SEGMENT || s->nsegment > FTSBUILD_MAX_SEGMENT)
		return false;
	i += get_varint(p + PV_MIN(i, n), i < n ? n - i : 0, &s->nwrite);
	s->lv = pv_calloc((size_t)s->nlevel + 1, sizeof *s->lv);
	for (l = 0; l < s->nlevel; l++) {
		struct flevel *lv = &s->lv[l];
		if (i >= n || !get_int(p, n, &i, &lv->nmerge) || !get_int(p, n, &i, &lv->nseg) ||
		    lv->nseg < lv->nmerge || lv->nseg > FTSBUILD_MAX_SEGMENT)
			return false;
		lv->seg = pv_calloc((size_t)lv->nseg + 1, sizeof *lv->seg);
		for (k = 0; k < lv->nseg; k++) {
			struct fseg *g = &lv->seg[k];
			if (i >= n || !get_int(p, n, &i, &g->segid) ||
			    !get_int(p, n, &i, &g->first) || !get_int(p, n, &i, &g->last) ||
			    g->last < g->first)
				return false;
		}
		if (l > 0 && s->lv[l - 1].nmerge && lv->nseg == 0)
			return false;
		if (l == s->nlevel - 1 && lv->nmerge)
			return false;
		total += lv->nseg;
	}
	return total == s->nsegment;
}

void fstruct_encode(const struct fstruct *s, struct buf *out)
{
	int l, k;

	buf_reset(out);
	buf_append(out, s->cookie, 4);
	buf_varint(out, (uint64_t)s->nlevel);
	buf_varint(out, (uint64_t)s->nsegment);
	buf_varint(out, s->nwrite);
	for (l = 0; l < s->nlevel; l++) {
		assert(s->lv[l].nmerge <= s->lv[l].nseg);
		buf_varint(out, (uint64_t)s->lv[l].nmerge);
		buf_varint(out, (uint64_t)s->lv[l].nseg);
		for (k = 0; k < s->lv[l].nseg; k++) {
			buf_varint(out, (uint64_t)s->lv[l].seg[k].segid);
			buf_varint(out, (uint64_t)s->lv[l].seg[k].first);
			buf_varint(out, (uint64_t)s->lv[l].seg[k].last);
		}
	}
}

/* The lowest segid in 1..2000 no segment uses (fts5AllocateSegid). */
int fstruct_segid(const struct fstruct *s)
{
	bool used[FTSBUILD_MAX_SEGMENT + 2] = { false };
	int l, k, id;

	for (l = 0; l < s->nlevel; l++)
		for (k = 0; k < s->lv[l].nseg; k++) {
			id = s->lv[l].seg[k].segid;
			if (id > 0 && id <= FTSBUILD_MAX_SEGMENT)
				used[id] = true;
		}
	for (id = 1; used[id]; id++)
		;
	return id;
}

static int seg_size(const struct fseg *g)
{
	return 1 + g->last - g->first;
}

/* Adds the new segment to level 0 and promotes as fts5FlushOneHash does
 * (fts5StructurePromote for level 0: condition (a) looks at levels below
 * 0, of which there are none; then fts5StructurePromoteTo(0, size)). */
void fstruct_add(struct fstruct *s, int segid, int nleaves)
{
	struct flevel *out;
	int l, k, size = nleaves;

	assert(segid >= 1 && segid <= FTSBUILD_MAX_SEGMENT && nleaves >= 1);
	if (s->nlevel == 0) {
		free(s->lv);
		s->lv = pv_calloc(2, sizeof *s->lv);
		s->nlevel = 1;
	}
	out = &s->lv[0];
	out->seg = pv_realloc(out->seg, ((size_t)out->nseg + 1) * sizeof *out->seg);
	out->seg[out->nseg].segid = segid;
	out->seg[out->nseg].first = 1;
	out->seg[out->nseg].last = nleaves;
	out->nseg++;
	s->nsegment++;

	if (out->nmerge)
		return;
	for (l = 1; l < s->nlevel; l++) {
		struct flevel *lv = &s->lv[l];
		if (lv->nmerge)
			return;
		for (k = lv->nseg - 1; k >= 0; k--) {
			if (seg_size(&lv->seg[k]) > size)
				return;
			out->seg = pv_realloc(out->seg, ((size_t)out->nseg + 1) * sizeof *out->seg);
			memmove(out->seg + 1, out->seg, (size_t)out->nseg * sizeof *out->seg);
			out->seg[0] = lv->seg[k];
			out->nseg++;
			lv->nseg--;
		}
	}
}

/* ---- the table's declaration ---- */

static bool bareword(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == 0x1a;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A quoted word at p ('...', "...", `...`, [...]) dequoted into out; the
 * end of it, or NULL if unterminated. */
static const char *dequote(const char *p, const char *end, struct buf *out)
{
	char q = *p == '[' ? ']' : *p;

	buf_reset(out);
	for (p++; p < end; p++) {
		if (*p == q) {
			if (q != ']' && p + 1 < end && p[1] == q) {
				buf_putc(out, q);
				p++;
				continue;
			}
			return p + 1;
		}
		buf_putc(out, *p);
	}
	return NULL;
}

/* A word (quoted or bare) at p into out; its end or NULL. */
static const char *word(const char *p, const char *end, struct buf *out, bool *quoted)
{
	const char *s = p;

	*quoted = false;
	if (p < end && (*p == '\'' || *p == '"' || *p == '`' || *p == '[')) {
		*quoted = true;
		return dequote(p, end, out);
	}
	while (p < end && bareword((unsigned char)*p))
		p++;
	if (p == s)
		return NULL;
	buf_reset(out);
	buf_append(out, s, (size_t)(p - s));
	return p;
}

/* Does the key name (FTS5 matches a key against a name as a prefix of it,
 * any case) */
static bool key_is(const char *name, const struct buf *key)
{
	return key->len <= strlen(name) && strncasecmp(name, key->data, key->len) == 0;
}

static void decl_arg(struct decl *d, const char *p, const char *end)
{
	struct buf one = BUF_INIT, two = BUF_INIT;
	bool quoted, dummy, option = false;
	const char *z = word(p, end, &one, &quoted);

	while (z && z < end && is_space(*z))
		z++;
	if (z && z < end && *z == '=') {
		option = true;
		z = quoted ? NULL : z + 1;
	}
	while (z && z < end && is_space(*z))
		z++;
	if (z && z < end)
		z = word(z, end, &two, &dummy);
	if (z && option) {
		const char *v = buf_str(&two);
		if (key_is("prefix", &one)) {
			d->prefix = true;
		} else if (key_is("tokenize", &one)) {
			;
		} else if (key_is("content", &one)) {
			if (*v)
				d->external = true;
			else
				d->contentless = true;
		} else if (key_is("content_rowid", &one)) {
			;
		} else if (key_is("columnsize", &one)) {
			d->columnsize = strcmp(v, "0") != 0;
		} else if (key_is("detail", &one)) {
			static const char *const names[] = { "none", "full", "columns" };
			size_t i, n = strlen(v);
			d->detail = -1;
			for (i = 0; i < PV_ARRAY_LEN(names); i++)
				if (strncasecmp(names[i], v, n) == 0)
					d->detail = d->detail == -1 ? (int)i : -2;
		}
	} else if (z) {
		d->ncol++;
		if (two.len && strcasecmp(buf_str(&two), "unindexed") == 0)
			d->unindexed = true;
	}
	buf_done(&one);
	buf_done(&two);
}

/* Skips a quoted token or comment at p; returns its end (p if none). */
static const char *sql_skip(const char *p, const char *end)
{
	if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
		char q = *p == '[' ? ']' : *p;
		for (p++; p < end && *p != q; p++)
			;
		return p < end ? p + 1 : end;
	}
	if (*p == '-' && p + 1 < end && p[1] == '-') {
		while (p < end && *p != '\n')
			p++;
		return p;
	}
	if (*p == '/' && p + 1 < end && p[1] == '*') {
		for (p += 2; p + 1 < end && !(p[0] == '*' && p[1] == '/'); p++)
			;
		return p + 1 < end ? p + 2 : end;
	}
	return p;
}

/* Parses CREATE VIRTUAL TABLE ... USING fts5(args); false if not fts5. */
bool decl_parse(const char *sql, struct decl *d)
{
	const char *p = sql, *end = sql + strlen(sql), *s, *q;
	int depth;

	memset(d, 0, sizeof *d);
	d->columnsize = true;
	d->detail = 1;
	/* find USING outside quotes */
	while (p < end) {
		q = sql_skip(p, end);
		if (q != p) {
			p = q;
			continue;
		}
		if (bareword((unsigned char)*p)) {
			s = p;
			while (p < end && bareword((unsigned char)*p))
				p++;
			if (p - s == 5 && strncasecmp(s, "using", 5) == 0)
				break;
			continue;
		}
		p++;
	}
	while (p < end && is_space(*p))
		p++;
	s = p;
	if (p < end && *p == '"')
		p = sql_skip(p, end);
	else
		while (p < end && bareword((unsigned char)*p))
			p++;
	if (!((p - s == 4 && strncasecmp(s, "fts5", 4) == 0) ||
	      (p - s == 6 && strncasecmp(s, "\"fts5\"", 6) == 0)))
		return false;
	while (p < end && is_space(*p))
		p++;
	if (p == end || *p != '(')
		return true;        /* no arguments: no columns */
	p++;
	/* the arguments, split at commas outside parentheses and quotes */
	for (depth = 0, s = p; p < end; ) {
		q = sql_skip(p, end);
		if (q != p) {
			p = q;
			continue;
		}
		if (*p == '(') {
			depth++;
		} else if ((*p == ',' || *p == ')') && depth == 0) {
			const char *a = s, *b = p;
			while (a < b && is_space(*a))
				a++;
			while (b > a && is_space(b[-1]))
				b--;
			if (a < b)
				decl_arg(d, a, b);
			if (*p == ')')
				break;
			s = p + 1;
		} else if (*p == ')') {
			depth--;
		}
		p++;
	}
	return true;
}
