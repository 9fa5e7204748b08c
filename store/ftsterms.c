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
};

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
	t->cap = 1024;
	t->slots = pv_calloc(t->cap, sizeof *t->slots);
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

static int on_token(void *ctx, int flags, const char *tok, int ntok, int start, int end)
{
	struct ftsterms *t = ctx;
	uint64_t h;
	size_t j;

	(void)flags;
	(void)start;
	(void)end;
	if (ntok <= 0)
		return SQLITE_OK;
	h = XXH3_64bits(tok, (size_t)ntok);
	for (j = h & (t->cap - 1); t->slots[j].gen == t->gen; j = (j + 1) & (t->cap - 1)) {
		struct slot *s = &t->slots[j];
		if (s->hash == h && s->len == (uint32_t)ntok &&
		    memcmp(t->out->data + s->off, tok, (size_t)ntok) == 0)
			return SQLITE_OK;
	}
	if (t->out->len)
		buf_putc(t->out, ' ');
	t->slots[j].gen = t->gen;
	t->slots[j].hash = h;
	t->slots[j].len = (uint32_t)ntok;
	t->slots[j].off = t->out->len;
	buf_append(t->out, tok, (size_t)ntok);
	if (++t->used * 2 > t->cap)
		grow(t);
	return SQLITE_OK;
}

int ftsterms_get(struct ftsterms *t, const char *text, size_t len,
		 struct buf *out, struct pv_err *err)
{
	int rc;

	buf_reset(out);
	buf_reserve(out, len / 4 + 16);
	if (++t->gen == 0) {            /* wrapped: really clear the set */
		memset(t->slots, 0, t->cap * sizeof *t->slots);
		t->gen = 1;
	}
	t->used = 0;
	t->out = out;
	if (len > (size_t)0x7fffffff)
		len = 0x7fffffff;       /* FTS5 tokenizes at most 2 GB */
	rc = t->api.xTokenize(t->tok, t, FTS5_TOKENIZE_DOCUMENT, text, (int)len,
			      on_token);
	t->out = NULL;
	if (rc != SQLITE_OK)
		return pv_errf(err, PV_ESTORE, "tokenizing a text failed: %s",
			       sqlite3_errstr(rc));
	return 0;
}
