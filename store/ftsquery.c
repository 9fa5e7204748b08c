/*
 * ftsquery.c - filter words as FTS5 queries, and their confirmation (see
 * ftsquery.h).
 *
 * One tokenizer for the process: an in-memory SQLite connection is opened
 * on first use only to reach FTS5's unicode61 tokenizer (fts5_api), and
 * both stay until the process ends.  The unicode61 instance keeps a buffer
 * of its own while it tokenizes, so calls are serialised by a mutex; they
 * are short (a filter's words, or one candidate text in pv_phrase).
 */
#include "ftsquery.h"
#include "ftsterms.h"

#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t tok_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t tok_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 *tok_db;                 /* kept open while tok is in use */
static fts5_tokenizer tok_api;          /* the tokenizer's functions */
static Fts5Tokenizer *tok;              /* NULL: no FTS5 here */

static void tok_init(void)
{
	static const char *args[] = FTSTERMS_ARGS;
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	void *ud = NULL;

	/* as store_open: no allocation statistics (a global lock per malloc);
	 * ignored once SQLite is initialised */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(":memory:", &tok_db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(tok_db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (!api || api->iVersion < 2 ||
	    api->xFindTokenizer(api, FTSTERMS_TOKENIZER, &ud, &tok_api) != SQLITE_OK ||
	    tok_api.xCreate(ud, args, (int)PV_ARRAY_LEN(args), &tok) != SQLITE_OK) {
		tok = NULL;
		goto fail;
	}
	return;
fail:
	sqlite3_close(tok_db);
	tok_db = NULL;
}

int ftsquery_init(struct pv_err *err)
{
	pthread_once(&tok_once, tok_init);
	if (!tok)
		return pv_errf(err, PV_ESTORE, "this SQLite has no FTS5 tokenizer %s: "
			       "install a build of libsqlite3 with FTS5 (Debian's has it)",
			       FTSTERMS_TOKENIZER);
	return 0;
}

typedef int (*token_fn)(void *, int, const char *, int, int, int);

/* Runs the shared tokenizer over s (n bytes); false when there is none. */
static bool tokenize(const char *s, size_t n, int flags, void *ctx, token_fn fn)
{
	pthread_once(&tok_once, tok_init);
	if (!tok)
		return false;
	if (n > (size_t)INT_MAX)
		n = (size_t)INT_MAX;    /* FTS5 tokenizes at most 2 GB */
	pthread_mutex_lock(&tok_lock);
	tok_api.xTokenize(tok, ctx, flags, s, (int)n, fn);
	pthread_mutex_unlock(&tok_lock);
	return true;
}

static bool has_marks(const char *s, size_t n);

/* ---- the segments of a word or phrase ---- */

struct seg {
	size_t off, len;        /* in segs.bytes */
	size_t nchars;
	bool sl;                /* a spaceless run */
};

struct segs {
	struct buf bytes;       /* the folded segments, one after the other */
	struct seg *v;          /* owned */
	size_t n, cap;
};

static int on_query_token(void *ctx, int flags, const char *t, int nt, int start, int end)
{
	struct segs *q = ctx;
	size_t n = nt > 0 ? (size_t)nt : 0, i = 0;

	(void)flags;
	(void)start;
	(void)end;
	while (i < n) {
		struct seg *g;

		if (q->n == q->cap) {
			q->cap = q->cap ? 2 * q->cap : 8;
			q->v = pv_realloc(q->v, q->cap * sizeof *q->v);
		}
		g = &q->v[q->n++];
		g->len = ftsterms_segment(t + i, n - i, &g->sl, &g->nchars);
		g->off = q->bytes.len;
		buf_append(&q->bytes, t + i, g->len);
		i += g->len;
	}
	return SQLITE_OK;
}

static void segs_of(const char *s, size_t n, struct segs *q)
{
	memset(q, 0, sizeof *q);
	tokenize(s, n, FTS5_TOKENIZE_QUERY, q, on_query_token);
}

static void segs_done(struct segs *q)
{
	buf_done(&q->bytes);
	free(q->v);
}

/* The terms put in one query so far, to put each once: open addressing
 * over (hash, offset, length) of the quoted terms in the output, so that a
 * long word (a 100 KB filter) costs linear time. */
struct term_slot {
	uint64_t h;
	size_t off, len;        /* len 0: a free slot */
};

struct termset {
	struct term_slot *v;    /* owned; cap is 0 or a power of two */
	size_t cap, n;
};

static uint64_t hash_of(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;    /* FNV-1a */

	while (n--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static void termset_grow(struct termset *t)
{
	size_t ncap = t->cap ? 2 * t->cap : 64, i, k;
	struct term_slot *nv = pv_calloc(ncap, sizeof *nv);

	for (i = 0; i < t->cap; i++) {
		if (!t->v[i].len)
			continue;
		for (k = t->v[i].h & (ncap - 1); nv[k].len; k = (k + 1) & (ncap - 1))
			;
		nv[k] = t->v[i];
	}
	free(t->v);
	t->v = nv;
	t->cap = ncap;
}

/* Appends "term" (with "" for a quote, though tokens hold none) and a '*'
 * when prefix, after " AND " unless it is the first, unless set says it is
 * there already. */
static void put_term(struct buf *out, struct termset *set, const char *t, size_t n,
		     bool prefix)
{
	struct buf q = BUF_INIT;
	uint64_t h;
	size_t i, j;

	buf_putc(&q, '"');
	for (i = 0; i < n; i++) {
		if (t[i] == '"')
			buf_putc(&q, '"');
		buf_putc(&q, t[i]);
	}
	buf_putc(&q, '"');
	if (prefix)
		buf_putc(&q, '*');
	if (2 * (set->n + 1) > set->cap)
		termset_grow(set);
	h = hash_of(q.data, q.len);
	for (j = h & (set->cap - 1); set->v[j].len; j = (j + 1) & (set->cap - 1)) {
		const struct term_slot *e = &set->v[j];
		if (e->h == h && e->len == q.len && memcmp(out->data + e->off, q.data, q.len) == 0) {
			buf_done(&q);
			return;
		}
	}
	if (set->n)
		buf_puts(out, " AND ");
	set->v[j].h = h;
	set->v[j].off = out->len;
	set->v[j].len = q.len;
	set->n++;
	buf_append(out, q.data, q.len);
	buf_done(&q);
}

size_t ftsquery_build(const char *s, size_t n, bool prefix, struct buf *out,
		      struct ftsquery_info *info)
{
	struct segs q;
	struct termset set = { NULL, 0, 0 };
	size_t i, count = 0;
	bool sl = false;

	segs_of(s, n, &q);
	for (i = 0; i < q.n; i++) {
		const struct seg *g = &q.v[i];
		const char *t = q.bytes.data + g->off;
		size_t j, a = 0, b, off = 0;

		if (!g->sl) {
			if (out)
				put_term(out, &set, t, g->len, prefix && i == q.n - 1);
			count++;
			continue;
		}
		sl = true;
		if (g->nchars == 1) {
			/* The index holds a one-character run as itself and
			 * the last character of every run alone; the other
			 * characters only as the first of a bigram.  Matching
			 * the end of a run (the first word of several) or a
			 * whole run (between two words): the character; the
			 * start of a run or any part of one: a prefix. */
			if (out)
				put_term(out, &set, t, g->len, i == q.n - 1);
			count++;
			continue;
		}
		for (j = 0; j + 1 < g->nchars; j++, off += a) {   /* its bigrams */
			a = ftsterms_seqlen((unsigned char)t[off]);
			b = ftsterms_seqlen((unsigned char)t[off + a]);
			if (out)
				put_term(out, &set, t + off, PV_MIN(a + b, g->len - off), false);
			count++;
		}
	}
	segs_done(&q);
	free(set.v);
	/* marks the index cannot see: the confirmation must check them */
	if (count == 1 && has_marks(s, n))
		count = 2;
	if (info)
		info->spaceless = sl;
	return count;
}

/* ---- confirmation ---- */

/* The combining marks (Mn, Mc) of Thai, Lao, Myanmar, Khmer and the kana
 * voicing marks: unicode61 takes them for separators, so the index cannot
 * tell ก่ข from ก้ข (two Thai words), but the confirmation can and does:
 * marks next to a spaceless run stay in its text (below).  Sorted. */
static const struct { uint32_t lo, hi; } marks[] = {
	{ 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A }, { 0x0E47, 0x0E4E }, { 0x0EB1, 0x0EB1 },
	{ 0x0EB4, 0x0EBC }, { 0x0EC8, 0x0ECD }, { 0x102B, 0x103E }, { 0x1056, 0x1059 },
	{ 0x105E, 0x1060 }, { 0x1062, 0x1064 }, { 0x1067, 0x106D }, { 0x1071, 0x1074 },
	{ 0x1082, 0x108D }, { 0x108F, 0x108F }, { 0x109A, 0x109D }, { 0x17B4, 0x17D3 },
	{ 0x17DD, 0x17DD }, { 0x3099, 0x309A }, { 0xA9E5, 0xA9E5 }, { 0xAA7B, 0xAA7D },
};

/* The length of the UTF-8 sequence at p (n > 0 bytes left) when it is one
 * of those marks (all take 3 bytes), else 0. */
static size_t mark_at(const unsigned char *p, size_t n)
{
	uint32_t c;
	size_t i;

	if (n < 3 || (p[0] & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
		return 0;
	c = ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
	for (i = 0; i < PV_ARRAY_LEN(marks) && marks[i].lo <= c; i++)
		if (c <= marks[i].hi)
			return 3;
	return 0;
}

static bool has_marks(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i + 3 <= n; i++)
		if (mark_at(p + i, n - i))
			return true;
	return false;
}

/* The canonical form of a text for the confirmation: its segments (folded
 * as the index folds them), each followed by a space, after a space; the
 * marks that follow or precede a spaceless segment in the text stay next
 * to it (a run broken only by marks stays one run). */
struct canon {
	struct buf *out;
	const char *src;        /* the text being tokenized, n bytes */
	size_t n;
	size_t prev_end;        /* where the previous token ended in src */
	int prev;               /* the previous segment: 0 none, 1 word, 2 spaceless */
	int first;              /* the first segment: 0 none, 1, 2 */
};

/* Writes what stands for the bytes between the previous token and the one
 * starting at end (or the end of the text: next == 0) whose first segment
 * is of kind next. */
static void canon_gap(struct canon *c, size_t end, int next)
{
	const unsigned char *g = (const unsigned char *)c->src + c->prev_end;
	size_t n = end - c->prev_end, lead = 0, tail = 0, i, k;

	if (c->prev == 2)       /* marks after a spaceless segment */
		while (lead < n && (k = mark_at(g + lead, n - lead)))
			lead += k;
	if (next == 2) {        /* marks before one, after anything else */
		for (i = lead; i < n; i += k ? k : 1) {
			if ((k = mark_at(g + i, n - i)))
				tail += k;
			else
				tail = 0;
		}
	}
	if (lead) {
		c->out->len--;  /* the space after the previous segment */
		buf_append(c->out, g, lead);
		if (lead == n && next == 2)
			return; /* one run, broken only by marks */
		buf_putc(c->out, ' ');
	}
	if (tail)
		buf_append(c->out, g + n - tail, tail);
}

static int on_text_token(void *ctx, int flags, const char *t, int nt, int start, int end)
{
	struct canon *c = ctx;
	size_t n = nt > 0 ? (size_t)nt : 0, i = 0;
	bool first = true;

	(void)flags;
	while (i < n) {
		bool sl;
		size_t nch, len = ftsterms_segment(t + i, n - i, &sl, &nch);

		if (first && start >= 0 && (size_t)start >= c->prev_end && (size_t)start <= c->n)
			canon_gap(c, (size_t)start, sl ? 2 : 1);
		first = false;
		buf_append(c->out, t + i, len);
		buf_putc(c->out, ' ');
		c->prev = sl ? 2 : 1;
		if (!c->first)
			c->first = c->prev;
		i += len;
	}
	if (n && end >= 0 && (size_t)end <= c->n)
		c->prev_end = (size_t)end;
	return SQLITE_OK;
}

static void canon_of(const char *s, size_t n, struct buf *out, struct canon *c)
{
	memset(c, 0, sizeof *c);
	c->out = out;
	c->src = s;
	c->n = n;
	buf_reset(out);
	buf_putc(out, ' ');
	tokenize(s, n, FTS5_TOKENIZE_DOCUMENT, c, on_text_token);
	if (c->prev)
		canon_gap(c, n, 0);
}

bool ftsquery_phrase(const char *text, size_t tlen, const char *phrase, size_t plen,
		     struct buf *scratch)
{
	struct canon c;
	struct buf p = BUF_INIT;
	const char *pp;
	size_t pn;
	bool found;

	/* The phrase's canonical form, but a spaceless segment at either end
	 * is left open (it may end or begin inside a run of the text), while
	 * a word segment there is closed by its space (it matches whole).
	 * Segments never hold a space, so a match always lines up with the
	 * text's segments. */
	canon_of(phrase, plen, &p, &c);
	if (!c.first) {
		buf_done(&p);
		return true;
	}
	pp = p.data;
	pn = p.len;
	if (c.first == 2) {
		pp++;
		pn--;
	}
	if (c.prev == 2)
		pn--;
	canon_of(text, tlen, scratch, &c);
	found = memmem(scratch->data, scratch->len, pp, pn) != NULL;
	buf_done(&p);
	return found;
}
