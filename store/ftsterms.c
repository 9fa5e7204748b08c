/*
 * ftsterms.c - distinct FTS5 terms of a text (see ftsterms.h).
 *
 * The set is open addressing over (hash, offset, length) of terms already
 * written to the output; a generation counter empties it between texts
 * without clearing memory.
 */
#include "ftsterms.h"

#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

struct slot {
	uint32_t gen;           /* == t->gen when in use for this text */
	uint32_t len;
	size_t off;             /* the term's offset in the output buffer */
	uint64_t hash;
};

struct ftsterms {
	fts5_tokenizer api;     /* the tokenizer's functions (copied) */
	Fts5Tokenizer *tok;     /* owned instance */
	struct slot *slots;     /* owned; cap is a power of two */
	size_t cap, used;
	uint32_t gen;
	struct buf *out;        /* during ftsterms_get: the caller's buffer */
	unsigned char cls[256]; /* CLS_* of each byte */
	unsigned char fold[128];/* an ASCII token byte as the tokenizer folds it */
	struct buf fold_buf;    /* one folded token */
	int scheme;             /* FTSTERMS_WHOLE or FTSTERMS_BIGRAMS */
};

enum { CLS_TOKEN = 1, CLS_SPACE = 2, CLS_HIGH = 4 };

static int learn_ascii(struct ftsterms *t);

static fts5_api *fts5_api_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return api;
}

int ftsterms_new(sqlite3 *db, struct ftsterms **out, struct pv_err *err)
{
	static const char *args[] = FTSTERMS_ARGS;
	fts5_api *api = fts5_api_of(db);
	struct ftsterms *t;
	void *ud = NULL;

	*out = NULL;
	if (!api || api->iVersion < 2)
		return pv_errf(err, PV_ESTORE, "this SQLite has no FTS5: install "
			       "a build of libsqlite3 with FTS5 (Debian's has it)");
	t = pv_calloc(1, sizeof *t);
	if (api->xFindTokenizer(api, FTSTERMS_TOKENIZER, &ud, &t->api) != SQLITE_OK ||
	    t->api.xCreate(ud, args, (int)PV_ARRAY_LEN(args), &t->tok) != SQLITE_OK) {
		free(t);
		return pv_errf(err, PV_ESTORE, "the FTS5 tokenizer %s is not available",
			       FTSTERMS_TOKENIZER);
	}
	if (learn_ascii(t) != SQLITE_OK) {
		ftsterms_free(t);
		return pv_errf(err, PV_ESTORE, "the FTS5 tokenizer %s failed on "
			       "ASCII input", FTSTERMS_TOKENIZER);
	}
	t->cap = 1024;
	t->slots = pv_calloc(t->cap, sizeof *t->slots);
	t->scheme = FTSTERMS_BIGRAMS;
	*out = t;
	return 0;
}

void ftsterms_free(struct ftsterms *t)
{
	if (!t)
		return;
	if (t->tok)
		t->api.xDelete(t->tok);
	free(t->slots);
	buf_done(&t->fold_buf);
	free(t);
}

static void grow(struct ftsterms *t)
{
	size_t ncap = t->cap * 2, i;
	struct slot *ns = pv_calloc(ncap, sizeof *ns);

	for (i = 0; i < t->cap; i++) {
		struct slot *s = &t->slots[i];
		size_t j;
		if (s->gen != t->gen)
			continue;
		for (j = s->hash & (ncap - 1); ns[j].gen == t->gen; j = (j + 1) & (ncap - 1))
			;
		ns[j] = *s;
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
}

/* The n <= 8 bytes at s as one number, the same for the same bytes and
 * different for different ones of the same length; without a call. */
static inline uint64_t load_small(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t lo, hi;

	if (n >= 4) {
		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		return lo | ((uint64_t)hi << ((n - 4) * 8));
	}
	if (n == 0)
		return 0;
	return u[0] | ((uint64_t)u[n >> 1] << 8) | ((uint64_t)u[n - 1] << 16);
}

/* A term's hash for the set of one text: short terms (nearly all) are
 * mixed by one 128-bit multiply of their bytes, longer ones by XXH3. */
static inline uint64_t term_hash(const char *s, size_t n)
{
	uint64_t a = 0, b = n;
	__uint128_t m;

	if (n <= 8) {
		a = load_small(s, n);
	} else if (n <= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		b ^= n << 56;
	} else {
		return XXH3_64bits(s, n);
	}
	m = (__uint128_t)(a ^ 0x9e3779b97f4a7c15ull) * (b ^ 0xd6e8feb86659fd93ull);
	return (uint64_t)m ^ (uint64_t)(m >> 64);
}

/* Equal terms of equal length n. */
static inline bool same_term(const char *a, const char *b, size_t n)
{
	if (n <= 8)
		return load_small(a, n) == load_small(b, n);
	return memcmp(a, b, n) == 0;
}

/* Adds a term (already folded) to the output unless this text had it. */
static int add_term(struct ftsterms *t, const char *tok, size_t ntok, uint64_t h)
{
	size_t j;

	for (j = h & (t->cap - 1); t->slots[j].gen == t->gen; j = (j + 1) & (t->cap - 1)) {
		struct slot *s = &t->slots[j];
		if (s->hash == h && s->len == (uint32_t)ntok &&
		    same_term(t->out->data + s->off, tok, ntok))
			return 0;
	}
	if (t->out->len)
		buf_putc(t->out, ' ');
	t->slots[j].gen = t->gen;
	t->slots[j].hash = h;
	t->slots[j].len = (uint32_t)ntok;
	t->slots[j].off = t->out->len;
	buf_append(t->out, tok, ntok);
	if (++t->used * 2 > t->cap)
		grow(t);
	return 1;
}

void ftsterms_set_scheme(struct ftsterms *t, int scheme)
{
	t->scheme = scheme;
}

bool ftsterms_spaceless(uint32_t c)
{
	if (c < 0x0E00)
		return false;
	if (c < 0x3000)
		return c <= 0x0EFF ||                   /* Thai, Lao */
		       (c >= 0x1000 && c <= 0x109F) ||  /* Myanmar */
		       (c >= 0x1100 && c <= 0x11FF) ||  /* Hangul Jamo */
		       (c >= 0x1780 && c <= 0x17FF) ||  /* Khmer */
		       (c >= 0x19E0 && c <= 0x19FF);    /* Khmer symbols */
	if (c < 0x3040)         /* the letters among CJK symbols: 々〆〇, 〡-〩 ... */
		return (c >= 0x3005 && c <= 0x3007) || (c >= 0x3021 && c <= 0x3029) ||
		       (c >= 0x3031 && c <= 0x3035) || (c >= 0x3038 && c <= 0x303C);
	if (c < 0xAC00)
		return c <= 0x30FF ||                   /* Hiragana, Katakana */
		       (c >= 0x3130 && c <= 0x318F) ||  /* Hangul compatibility Jamo */
		       (c >= 0x31F0 && c <= 0x31FF) ||  /* Katakana extensions */
		       (c >= 0x3400 && c <= 0x4DBF) ||  /* CJK extension A */
		       (c >= 0x4E00 && c <= 0x9FFF) ||  /* CJK unified ideographs */
		       (c >= 0xA960 && c <= 0xA97F) ||  /* Hangul Jamo extended A */
		       (c >= 0xA9E0 && c <= 0xA9FF) ||  /* Myanmar extended B */
		       (c >= 0xAA60 && c <= 0xAA7F);    /* Myanmar extended A */
	return c <= 0xD7FF ||                           /* Hangul syllables, Jamo ext. B */
	       (c >= 0xF900 && c <= 0xFAFF) ||          /* CJK compatibility ideographs */
	       (c >= 0xFF66 && c <= 0xFFDC) ||          /* halfwidth Katakana, Hangul */
	       (c >= 0x1B000 && c <= 0x1B16F) ||        /* Kana supplement, extensions */
	       (c >= 0x20000 && c <= 0x3FFFF);          /* CJK extensions B and on */
}

/* The code point of the UTF-8 sequence of k bytes at p (as the tokenizer
 * writes them; nothing to validate). */
static inline uint32_t cp_of(const unsigned char *p, size_t k)
{
	switch (k) {
	case 2: return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
	case 3: return ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) |
		(p[2] & 0x3f);
	case 4: return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
		((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
	default: return p[0];
	}
}

size_t ftsterms_segment(const char *tok, size_t n, bool *spaceless, size_t *nchars)
{
	const unsigned char *p = (const unsigned char *)tok;
	size_t i = 0, count = 0;
	bool first = false;

	while (i < n) {
		size_t k = ftsterms_seqlen(p[i]);
		bool sl;

		if (k > n - i)
			k = n - i;
		/* spaceless code points all take 3 or 4 bytes */
		sl = k >= 3 && ftsterms_spaceless(cp_of(p + i, k));
		if (count == 0)
			first = sl;
		else if (sl != first)
			break;
		i += k;
		count++;
	}
	*spaceless = first;
	*nchars = count;
	return i;
}

static void add(struct ftsterms *t, const char *tok, size_t n)
{
	add_term(t, tok, n, term_hash(tok, n));
}

static int on_token(void *ctx, int flags, const char *tok, int ntok, int start, int end)
{
	struct ftsterms *t = ctx;
	size_t n = ntok > 0 ? (size_t)ntok : 0, i = 0;

	(void)flags;
	(void)start;
	(void)end;
	if (t->scheme == FTSTERMS_WHOLE) {
		if (n)
			add(t, tok, n);
		return SQLITE_OK;
	}
	while (i < n) {
		bool sl;
		size_t nch, len = ftsterms_segment(tok + i, n - i, &sl, &nch), j, a, b;

		if (!sl) {
			add(t, tok + i, len);
			i += len;
			continue;
		}
		/* a spaceless run: its bigrams, then its last character */
		for (j = i, a = 0; j < i + len; j += a) {
			a = ftsterms_seqlen((unsigned char)tok[j]);
			if (j + a >= i + len) {
				add(t, tok + j, i + len - j);
				break;
			}
			b = ftsterms_seqlen((unsigned char)tok[j + a]);
			add(t, tok + j, PV_MIN(a + b, i + len - j));
		}
		i += len;
	}
	return SQLITE_OK;
}

/* The tokenizer's view of each ASCII byte, found by asking it: a byte is a
 * token character when the text holding only that byte is one token, and
 * its folded form is that token.  Bytes from 0x80 up are left to the
 * tokenizer itself. */
struct probe {
	int n;
	char tok[2];
};

static int on_probe(void *ctx, int flags, const char *tok, int ntok, int start, int end)
{
	struct probe *p = ctx;

	(void)flags;
	(void)start;
	(void)end;
	if (p->n++ == 0 && ntok == 1)
		p->tok[0] = tok[0];
	else
		p->tok[0] = 0;
	return SQLITE_OK;
}

static int learn_ascii(struct ftsterms *t)
{
	int c, rc;

	for (c = 0; c < 128; c++) {
		char in = (char)c;
		struct probe p = { 0, { 0, 0 } };

		t->cls[c] = (c == ' ' || c == '\n' || c == '\t' || c == '\r' ||
			     c == '\f' || c == '\v') ? CLS_SPACE : 0;
		if ((rc = t->api.xTokenize(t->tok, &p, FTS5_TOKENIZE_DOCUMENT, &in, 1,
					   on_probe)) != SQLITE_OK)
			return rc;
		if (p.n == 1 && p.tok[0]) {
			t->cls[c] |= CLS_TOKEN;
			t->fold[c] = (unsigned char)p.tok[0];
		}
	}
	for (c = 128; c < 256; c++)
		t->cls[c] = CLS_HIGH;
	return SQLITE_OK;
}

/* Hands a chunk holding bytes from 0x80 up to the tokenizer itself. */
static int tokenize_slow(struct ftsterms *t, const char *s, size_t n)
{
	if (n > (size_t)0x7fffffff)
		n = 0x7fffffff;         /* FTS5 tokenizes at most 2 GB */
	return t->api.xTokenize(t->tok, t, FTS5_TOKENIZE_DOCUMENT, s, (int)n, on_token);
}

int ftsterms_get(struct ftsterms *t, const char *text, size_t len,
		 struct buf *out, struct ftsterms_info *info, struct pv_err *err)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	int64_t words = 0;
	unsigned prev_space = CLS_SPACE, high = 0;
	int rc = SQLITE_OK;

	buf_reset(out);
	buf_reserve(out, len / 4 + 16);
	/* after a big text, a small one gets a small set again: its terms
	 * would be scattered over memory out of the caches */
	if (t->cap > 4096 && len < t->cap / 4) {
		size_t cap = 1024;
		while (cap < len)
			cap *= 2;
		free(t->slots);
		t->cap = cap;
		t->slots = pv_calloc(t->cap, sizeof *t->slots);
		t->gen = 0;
	}
	if (++t->gen == 0) {            /* wrapped: really clear the set */
		memset(t->slots, 0, t->cap * sizeof *t->slots);
		t->gen = 1;
	}
	t->used = 0;
	t->out = out;
	/* Chunks: maximal runs of bytes that are not ASCII separators.  The
	 * tokenizer never lets a token or a UTF-8 sequence cross an ASCII
	 * separator, so each chunk can be tokenized on its own: an all-ASCII
	 * chunk is one token, folded by the table; any other chunk goes to the
	 * tokenizer.  Words (runs of non-whitespace) are counted on the way. */
	while (p < end && rc == SQLITE_OK) {
		const unsigned char *s;
		unsigned cls = 0, all = 0;
		size_t n, i;
		char *f, small[64];

		while (p < end && !((cls = t->cls[*p]) & (CLS_TOKEN | CLS_HIGH))) {
			words += prev_space & ~cls & CLS_SPACE ? 1 : 0;
			prev_space = cls & CLS_SPACE;
			p++;
		}
		if (p == end)
			break;
		s = p;
		while (p < end && ((cls = t->cls[*p]) & (CLS_TOKEN | CLS_HIGH))) {
			all |= cls;
			p++;
		}
		words += prev_space ? 1 : 0;
		prev_space = 0;
		n = (size_t)(p - s);
		if (all & CLS_HIGH) {
			high = 1;
			rc = tokenize_slow(t, (const char *)s, n);
			continue;
		}
		if (n <= sizeof small) {
			f = small;
		} else {
			buf_reset(&t->fold_buf);
			buf_reserve(&t->fold_buf, n);
			f = t->fold_buf.data;
		}
		for (i = 0; i < n; i++)
			f[i] = (char)t->fold[s[i]];
		add_term(t, f, n, term_hash(f, n));
	}
	t->out = NULL;
	if (info) {
		info->words = words;
		info->ascii = !high;
	}
	if (rc != SQLITE_OK)
		return pv_errf(err, PV_ESTORE, "tokenizing a text failed: %s",
			       sqlite3_errstr(rc));
	return 0;
}
