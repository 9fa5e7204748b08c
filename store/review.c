/*
 * review.c - blind review sessions, their items and answers (see
 * review.h; the report is review_report.c's).  Owns review_sessions and
 * review_answers; reads docs, texts and pairs, never changes them.
 *
 * On a set of stores (store/set.h) the sessions, answers and pairs are
 * its review.pvx's, and the documents are read from its parts (the
 * filter compiled for each, the rows the overlay replaces skipped): texts
 * are told apart by their hash, as a shard's text ids are its own.
 *
 * Building a session's items loads the filter's real and synthetic
 * documents (id, text, length, source) into memory once; pairing them by
 * source and nearest length walks sorted arrays with "next unused"
 * pointers (path-compressed), so it is O(n log n) however many documents
 * are already taken.  Everything random comes from one splitmix64 stream
 * seeded with the session's seed, so the same seed, documents and pairs
 * give the same items in the same order on every machine.
 */
#include "store_int.h"
#include "review.h"
#include "set.h"
#include "../common/mix.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


const char *review_mode_name(enum review_mode m)
{
	return m == REVIEW_SINGLE ? "single" : "pairs";
}

/* ---- small helpers ---- */

/* Current time as 2024-01-31T12:00:00Z, as elsewhere in the store. */
static void now_utc(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}


/* A number in [0, k). */
static size_t rng_below(uint64_t *st, size_t k)
{
	return (size_t)(pv_rand64(st) % (uint64_t)k);
}

/* A positive seed from the system's randomness (the clock if none). */
static int64_t random_seed(void)
{
	uint64_t x = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &x, sizeof x) != (ssize_t)sizeof x)
			x = 0;
		close(fd);
	}
	if (!x) {
		struct timespec ts;
		uint64_t st;
		clock_gettime(CLOCK_REALTIME, &ts);
		st = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
		     ((uint64_t)getpid() << 32);
		x = pv_rand64(&st);
	}
	x &= (uint64_t)INT64_MAX >> 1;   /* a positive SQLite integer */
	return x ? (int64_t)x : 1;
}

/* ---- candidates ---- */

struct cand {
	int64_t id, text_id, len;   /* text_id: a key of the text (on a set, its
				     * hash's rank) */
	unsigned char hash[16];  /* the text's hash (a set's candidates only) */
	long src_off;            /* offset of the source in the arena, -1: none */
	int src;                 /* source group (representatives) */
	size_t tg;               /* text group */
	bool synth;
	bool rep;                /* the text's representative: takes part */
	bool mixed;              /* its text is both real and synthetic */
};

struct cands {
	struct cand *v;          /* owned, by id */
	size_t n, cap;
	struct buf arena;        /* owns the sources */
	size_t ntexts;
};

static void cands_done(struct cands *c)
{
	free(c->v);
	buf_done(&c->arena);
	memset(c, 0, sizeof *c);
}

static const char *cand_source(const struct cands *c, const struct cand *x)
{
	return x->src_off < 0 ? NULL : c->arena.data + x->src_off;
}

static void cand_add(struct cands *c, sqlite3_stmt *st, struct review_plan *plan,
		     bool hash);

/* Loads the filter's real and synthetic documents with words; counts the
 * others left out (no words) into plan->nempty. */
static int cands_load(struct store *s, const struct filter_sql *where, struct cands *c,
		      struct review_plan *plan, struct pv_err *err)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	buf_puts(&sql, "SELECT d.id, d.text_id, t.len, t.words, d.source, d.origin "
		 "FROM docs d CROSS JOIN texts t ON t.id=d.text_id "
		 "JOIN inputs i ON i.id=d.input_id WHERE (");
	buf_puts(&sql, where && where->where ? where->where : "1");
	buf_puts(&sql, ") AND d.origin IN ('real','synthetic') ORDER BY d.id");
	rc = store_prep_where(s, &st, buf_str(&sql), where, "selecting documents to review",
			      err);
	buf_done(&sql);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cand_add(c, st, plan, false);
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "selecting documents to review");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Adds a candidate from row st (id, text, len, words, source, origin:
 * cands_load's columns); counts one without words into plan->nempty. */
static void cand_add(struct cands *c, sqlite3_stmt *st, struct review_plan *plan,
		     bool hash)
{
	struct cand *x;
	const unsigned char *src = sqlite3_column_text(st, 4);
	const unsigned char *origin = sqlite3_column_text(st, 5);

	if (sqlite3_column_int64(st, 3) <= 0) {
		plan->nempty++;
		return;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = pv_realloc(c->v, c->cap * sizeof *c->v);
	}
	x = &c->v[c->n++];
	memset(x, 0, sizeof *x);
	x->id = sqlite3_column_int64(st, 0);
	if (hash) {
		if (sqlite3_column_bytes(st, 1) == 16)
			memcpy(x->hash, sqlite3_column_blob(st, 1), 16);
	} else {
		x->text_id = sqlite3_column_int64(st, 1);
	}
	x->len = sqlite3_column_int64(st, 2);
	x->synth = origin && strcmp((const char *)origin, "synthetic") == 0;
	x->src_off = -1;
	if (src) {
		x->src_off = (long)c->arena.len;
		buf_append(&c->arena, src, (size_t)sqlite3_column_bytes(st, 4) + 1);
	}
}

static int cand_by_id(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

static const struct cands *sort_ctx;

static int by_hash(const void *pa, const void *pb)
{
	const struct cand *a = &sort_ctx->v[*(const size_t *)pa];
	const struct cand *b = &sort_ctx->v[*(const size_t *)pb];

	return memcmp(a->hash, b->hash, 16);
}

/* cands_load over a set of stores: where[k] is the filter compiled for
 * part k (set_filters).  The candidates are put in id order, and each
 * text's key is the rank of its hash (the same text in two shards is one
 * text, as in one store holding them all). */
static int cands_load_set(struct store_set *set, const struct filter_sql *where,
			  struct cands *c, struct review_plan *plan, struct pv_err *err)
{
	struct buf sql = BUF_INIT;
	size_t k, i, *ix;
	int rc = 0;

	for (k = 0; k < set_nparts(set) && !rc; k++) {
		const struct set_part *p = set_part(set, k);
		sqlite3_stmt *st;
		if (!p->listed)
			continue;
		buf_reset(&sql);
		buf_puts(&sql, "SELECT d.id, t.hash, t.len, t.words, d.source, d.origin "
			 "FROM docs d CROSS JOIN texts t ON t.id=d.text_id "
			 "JOIN inputs i ON i.id=d.input_id WHERE (");
		buf_puts(&sql, where[k].where ? where[k].where : "1");
		buf_puts(&sql, ") AND d.origin IN ('real','synthetic')");
		if ((rc = store_prep_where(p->s, &st, buf_str(&sql), &where[k],
					   "selecting documents to review", err)))
			break;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (!set_shadowed(set, p, sqlite3_column_int64(st, 0)))
				cand_add(c, st, plan, true);
		rc = rc == SQLITE_DONE ? 0 : store_sqlerr(p->s, err, "selecting documents "
							     "to review");
		sqlite3_finalize(st);
	}
	buf_done(&sql);
	if (rc)
		return rc;
	pv_qsort(c->v, c->n, sizeof *c->v, cand_by_id);
	ix = pv_malloc((c->n + 1) * sizeof *ix);
	for (i = 0; i < c->n; i++)
		ix[i] = i;
	sort_ctx = c;
	pv_qsort(ix, c->n, sizeof *ix, by_hash);
	for (i = 0; i < c->n; i++)
		c->v[ix[i]].text_id = i && memcmp(c->v[ix[i]].hash, c->v[ix[i - 1]].hash,
						  16) == 0 ? c->v[ix[i - 1]].text_id :
				      (int64_t)i;
	free(ix);
	return 0;
}

static int by_text(const void *pa, const void *pb)
{
	const struct cand *a = &sort_ctx->v[*(const size_t *)pa];
	const struct cand *b = &sort_ctx->v[*(const size_t *)pb];

	if (a->text_id != b->text_id)
		return a->text_id < b->text_id ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int by_source(const void *pa, const void *pb)
{
	const struct cand *a = &sort_ctx->v[*(const size_t *)pa];
	const struct cand *b = &sort_ctx->v[*(const size_t *)pb];
	const char *sa = cand_source(sort_ctx, a), *sb = cand_source(sort_ctx, b);
	int r;

	if (!sa || !sb) {
		if (sa != sb)
			return sa ? 1 : -1;
	} else if ((r = strcmp(sa, sb))) {
		return r;
	}
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Real documents by source group, then length, then id. */
static int by_src_len(const void *pa, const void *pb)
{
	const struct cand *a = &sort_ctx->v[*(const size_t *)pa];
	const struct cand *b = &sort_ctx->v[*(const size_t *)pb];

	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int by_len(const void *pa, const void *pb)
{
	const struct cand *a = &sort_ctx->v[*(const size_t *)pa];
	const struct cand *b = &sort_ctx->v[*(const size_t *)pb];

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Text groups (one representative per text, none for a text both real
 * and synthetic) and source groups of the representatives. */
static void cands_group(struct cands *c, struct review_plan *plan)
{
	size_t *ix = pv_malloc((c->n + 1) * sizeof *ix), i, j, k, nrep = 0;
	int src = -1;

	for (i = 0; i < c->n; i++)
		ix[i] = i;
	sort_ctx = c;
	qsort(ix, c->n, sizeof *ix, by_text);
	c->ntexts = 0;
	for (i = 0; i < c->n; i = j) {
		bool mixed = false;
		for (j = i + 1; j < c->n && c->v[ix[j]].text_id == c->v[ix[i]].text_id; j++)
			if (c->v[ix[j]].synth != c->v[ix[i]].synth)
				mixed = true;
		for (k = i; k < j; k++) {
			c->v[ix[k]].tg = c->ntexts;
			c->v[ix[k]].mixed = mixed;
		}
		if (mixed)
			plan->nambiguous += (int64_t)(j - i);
		else
			c->v[ix[i]].rep = true;
		c->ntexts++;
	}
	for (i = 0; i < c->n; i++)
		if (c->v[i].rep)
			ix[nrep++] = i;
	qsort(ix, nrep, sizeof *ix, by_source);
	for (i = 0; i < nrep; i++) {
		const char *a = cand_source(c, &c->v[ix[i]]);
		const char *b = i ? cand_source(c, &c->v[ix[i - 1]]) : NULL;
		if (i == 0 || (a == NULL) != (b == NULL) || (a && strcmp(a, b)))
			src++;
		c->v[ix[i]].src = src;
		if (c->v[ix[i]].synth)
			plan->nsynth++;
		else
			plan->nreal++;
	}
	free(ix);
}

/* The candidate with document id, or NULL. */
static struct cand *cand_find(struct cands *c, int64_t id)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->v[lo].id == id ? &c->v[lo] : NULL;
}

/* ---- "next unused" pointers over a sorted array ---- */

struct skip {
	size_t *right;           /* right[i]: first unused >= i (n: none) */
	size_t *left;            /* left[i + 1]: last unused <= i (0: none) */
	size_t n;
};

static void skip_init(struct skip *k, size_t n)
{
	size_t i;

	k->n = n;
	k->right = pv_malloc((n + 1) * sizeof *k->right);
	k->left = pv_malloc((n + 1) * sizeof *k->left);
	for (i = 0; i <= n; i++)
		k->right[i] = k->left[i] = i;
}

static void skip_done(struct skip *k)
{
	free(k->right);
	free(k->left);
}

/* The first unused index >= i, or n. */
static size_t skip_right(struct skip *k, size_t i)
{
	size_t r = i, t;

	while (k->right[r] != r)
		r = k->right[r];
	while (k->right[i] != r) {
		t = k->right[i];
		k->right[i] = r;
		i = t;
	}
	return r;
}

/* The last unused index <= i, plus one (0: none); i + 1 is passed. */
static size_t skip_left1(struct skip *k, size_t i1)
{
	size_t r = i1, t;

	while (k->left[r] != r)
		r = k->left[r];
	while (k->left[i1] != r) {
		t = k->left[i1];
		k->left[i1] = r;
		i1 = t;
	}
	return r;
}

static void skip_take(struct skip *k, size_t i)
{
	k->right[i] = i + 1;
	k->left[i + 1] = i;
}

/* The unused entry of arr[lo..hi) (sorted by length) nearest in length to
 * len (the shorter one on a tie); returns its index or (size_t)-1. */
static size_t nearest(const struct cands *c, const size_t *arr, struct skip *k,
		      size_t lo, size_t hi, int64_t len)
{
	size_t a = lo, b = hi, r, l1;

	if (lo >= hi)
		return (size_t)-1;
	while (a < b) {
		size_t mid = (a + b) / 2;
		if (c->v[arr[mid]].len < len)
			a = mid + 1;
		else
			b = mid;
	}
	r = skip_right(k, a);
	l1 = skip_left1(k, a);           /* last unused <= a - 1, plus one */
	if (r >= hi)
		r = (size_t)-1;
	if (l1 == 0 || l1 - 1 < lo)
		l1 = 0;
	if (r == (size_t)-1 && !l1)
		return (size_t)-1;
	if (r == (size_t)-1)
		return l1 - 1;
	if (!l1)
		return r;
	return len - c->v[arr[l1 - 1]].len <= c->v[arr[r]].len - len ? l1 - 1 : r;
}

/* ---- building the items ---- */

static void item_add(struct review_plan *p, size_t *cap, int64_t real, int64_t synth,
		     enum review_kind kind)
{
	if (p->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		p->items = pv_realloc(p->items, *cap * sizeof *p->items);
	}
	p->items[p->n].left = real;      /* sides are drawn at the end */
	p->items[p->n].right = synth;
	p->items[p->n].kind = kind;
	p->items[p->n].done = false;
	p->n++;
}

/* Pairs from the pairs table: declared first, then found by similarity. */
static int table_pairs(struct store *s, struct cands *c, bool *used, struct review_plan *p,
		       size_t *cap, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prep(s, &st, "SELECT a, b, kind FROM pairs ORDER BY "
			     "kind='declared' DESC, sim DESC, id",
			     "preparing a review query", err)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cand *a = cand_find(c, sqlite3_column_int64(st, 0));
		struct cand *b = cand_find(c, sqlite3_column_int64(st, 1));
		const unsigned char *kind = sqlite3_column_text(st, 2);

		if (!a || !b || a->mixed || b->mixed || a->synth == b->synth ||
		    a->text_id == b->text_id || used[a->tg] || used[b->tg])
			continue;
		used[a->tg] = used[b->tg] = true;
		if (a->synth) {
			struct cand *t = a;
			a = b;
			b = t;
		}
		item_add(p, cap, a->id, b->id, kind && !strcmp((const char *)kind, "declared") ?
			 RK_DECLARED : RK_FOUND);
		p->ntable++;
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "reading the pairs");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Each unused synthetic representative, in a drawn order, takes the
 * nearest-length unused real one of its source, else of any source. */
static void match_rest(struct cands *c, const bool *used, uint64_t *rng,
		       struct review_plan *p, size_t *cap)
{
	size_t nr = 0, ns = 0, i, ngroups = 0;
	size_t *reals = pv_malloc((c->n + 1) * sizeof *reals);
	size_t *glob = pv_malloc((c->n + 1) * sizeof *glob);
	size_t *synths = pv_malloc((c->n + 1) * sizeof *synths);
	size_t *pos_s, *pos_g, *gstart, *gend;
	struct skip ks, kg;

	for (i = 0; i < c->n; i++) {
		const struct cand *x = &c->v[i];
		if (!x->rep || used[x->tg])
			continue;
		if (x->synth) {
			synths[ns++] = i;
		} else {
			reals[nr] = glob[nr] = i;
			nr++;
		}
		if ((size_t)x->src + 1 > ngroups)
			ngroups = (size_t)x->src + 1;
	}
	sort_ctx = c;
	qsort(reals, nr, sizeof *reals, by_src_len);
	qsort(glob, nr, sizeof *glob, by_len);
	/* where each real sits in both arrays (indexed by candidate) */
	pos_s = pv_malloc((c->n + 1) * sizeof *pos_s);
	pos_g = pv_malloc((c->n + 1) * sizeof *pos_g);
	for (i = 0; i < nr; i++) {
		pos_s[reals[i]] = i;
		pos_g[glob[i]] = i;
	}
	gstart = pv_calloc(ngroups + 1, sizeof *gstart);
	gend = pv_calloc(ngroups + 1, sizeof *gend);
	for (i = nr; i-- > 0;)
		gstart[c->v[reals[i]].src] = i;
	for (i = 0; i < nr; i++)
		gend[c->v[reals[i]].src] = i + 1;
	skip_init(&ks, nr);
	skip_init(&kg, nr);
	/* the order synthetic documents choose in */
	for (i = ns; i > 1; i--) {
		size_t j = rng_below(rng, i), t = synths[i - 1];
		synths[i - 1] = synths[j];
		synths[j] = t;
	}
	for (i = 0; i < ns; i++) {
		const struct cand *x = &c->v[synths[i]];
		size_t at, real;
		int src = x->src;

		at = nearest(c, reals, &ks, gstart[src], gend[src], x->len);
		if (at != (size_t)-1) {
			real = reals[at];
		} else {
			at = nearest(c, glob, &kg, 0, nr, x->len);
			if (at == (size_t)-1)
				break;           /* no real document left */
			real = glob[at];
		}
		skip_take(&ks, pos_s[real]);
		skip_take(&kg, pos_g[real]);
		item_add(p, cap, c->v[real].id, x->id, RK_MATCHED);
	}
	skip_done(&ks);
	skip_done(&kg);
	free(gstart);
	free(gend);
	free(pos_s);
	free(pos_g);
	free(reals);
	free(glob);
	free(synths);
}

/* review_items_build on store s (sessions, pairs) whose documents are
 * set's when set is not NULL (where: one filter a part, set_filters). */
static int items_build(struct store *s, struct store_set *set,
		       const struct filter_sql *where, enum review_mode mode,
		       uint64_t seed, struct review_plan *p, struct pv_err *err)
{
	struct cands c;
	uint64_t rng = seed;
	size_t cap = 0, i;
	int rc;

	memset(&c, 0, sizeof c);
	free(p->items);
	p->items = NULL;
	p->n = p->ndone = 0;
	p->nreal = p->nsynth = p->nempty = p->nambiguous = p->ntable = 0;
	if ((rc = set ? cands_load_set(set, where, &c, p, err) :
		  cands_load(s, where, &c, p, err)))
		goto out;
	cands_group(&c, p);
	if (p->nsynth == 0 || p->nreal == 0) {
		const char *which = p->nsynth == 0 ? "synthetic" : "real";
		if (c.n == 0 && p->nempty == 0)
			rc = pv_errf(err, PV_ENOTFOUND, "the filter matches no real and "
				     "no synthetic documents: a blind review needs both");
		else
			rc = pv_errf(err, PV_ENOTFOUND, "the filter matches no %s documents%s: "
				     "a blind review needs both real and synthetic ones",
				     which, p->nempty || p->nambiguous ?
				     " that can be shown (empty documents and texts both real "
				     "and synthetic are left out)" : "");
		goto out;
	}
	if (mode == REVIEW_SINGLE) {
		for (i = 0; i < c.n; i++)
			if (c.v[i].rep)
				item_add(p, &cap, c.v[i].id, 0, RK_SINGLE);
	} else {
		bool *used = pv_calloc(c.ntexts + 1, sizeof *used);
		rc = table_pairs(s, &c, used, p, &cap, err);
		if (!rc)
			match_rest(&c, used, &rng, p, &cap);
		free(used);
		if (rc)
			goto out;
	}
	/* the order shown, then the sides */
	for (i = p->n; i > 1; i--) {
		size_t j = rng_below(&rng, i);
		struct review_item t = p->items[i - 1];
		p->items[i - 1] = p->items[j];
		p->items[j] = t;
	}
	if (mode == REVIEW_PAIRS) {
		for (i = 0; i < p->n; i++) {
			if (pv_rand64(&rng) & 1) {
				int64_t t = p->items[i].left;
				p->items[i].left = p->items[i].right;
				p->items[i].right = t;
			}
		}
	}
out:
	cands_done(&c);
	if (rc) {
		free(p->items);
		p->items = NULL;
		p->n = 0;
	}
	return rc;
}

int review_items_build(struct store *s, const struct filter_sql *where,
		       enum review_mode mode, uint64_t seed, struct review_plan *p,
		       struct pv_err *err)
{
	return items_build(s, NULL, where, mode, seed, p, err);
}

/* ---- sessions ---- */

void review_plan_done(struct review_plan *p)
{
	free(p->reviewer);
	free(p->filter);
	free(p->items);
	memset(p, 0, sizeof *p);
}

size_t review_plan_next(const struct review_plan *p, size_t from)
{
	while (from < p->n && p->items[from].done)
		from++;
	return from;
}

struct answered {
	int64_t lo, hi;
};

static int cmp_answered(const void *pa, const void *pb)
{
	const struct answered *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->hi < b->hi ? -1 : a->hi > b->hi;
}

static int cmp_i64(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? -1 : a > b;
}

/* Marks the items the session answered: by item number, or the same two
 * documents under another number (the documents changed since). */
static int mark_answered(struct store *s, struct review_plan *p, struct pv_err *err)
{
	sqlite3_stmt *st;
	struct answered *v = NULL;
	int64_t *items = NULL;
	size_t n = 0, cap = 0, i;
	int rc;

	if ((rc = store_prep(s, &st, "SELECT item, left_doc, coalesce(right_doc, left_doc) "
			     "FROM review_answers WHERE session_id=?1",
			     "preparing a review query", err)))
		return rc;
	sqlite3_bind_int64(st, 1, p->session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t a = sqlite3_column_int64(st, 1), b = sqlite3_column_int64(st, 2);
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = pv_realloc(v, cap * sizeof *v);
			items = pv_realloc(items, cap * sizeof *items);
		}
		items[n] = sqlite3_column_int64(st, 0);
		v[n].lo = PV_MIN(a, b);
		v[n].hi = PV_MAX(a, b);
		n++;
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "reading the session's answers");
		sqlite3_finalize(st);
		free(v);
		free(items);
		return rc;
	}
	sqlite3_finalize(st);
	if (n) {
		qsort(v, n, sizeof *v, cmp_answered);
		qsort(items, n, sizeof *items, cmp_i64);
	}
	for (i = 0; i < p->n; i++) {
		struct review_item *it = &p->items[i];
		int64_t num = (int64_t)i + 1;
		int64_t r = it->right ? it->right : it->left;
		struct answered key = { PV_MIN(it->left, r), PV_MAX(it->left, r) };
		if ((n && bsearch(&num, items, n, sizeof *items, cmp_i64)) ||
		    (n && bsearch(&key, v, n, sizeof *v, cmp_answered))) {
			it->done = true;
			p->ndone++;
		}
	}
	free(v);
	free(items);
	return 0;
}

/* Sets the session's finished time (in its own transaction unless the
 * caller holds one). */
static int finish_session(struct store *s, int64_t id, bool in_tx, struct pv_err *err)
{
	sqlite3_stmt *st;
	char at[32];
	int rc;

	if (!in_tx && (rc = store_begin_retry(s, err)))
		return rc;
	if ((rc = store_prep(s, &st, "UPDATE review_sessions SET finished=?2 WHERE id=?1 "
			     "AND finished IS NULL", "preparing a review query", err))) {
		if (!in_tx)
			store_rollback(s);
		return rc;
	}
	now_utc(at);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "finishing the review session");
		if (!in_tx)
			store_rollback(s);
		return rc;
	}
	return in_tx ? 0 : store_commit(s, err);
}

/* The unfinished session of (reviewer, mode, filter): *id and *seed, or
 * *id = 0. */
static int session_find(struct store *s, const char *reviewer, enum review_mode mode,
			const char *filter, int64_t *id, int64_t *seed, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if ((rc = store_prep(s, &st, "SELECT id, seed FROM review_sessions WHERE reviewer=?1 "
			     "AND mode=?2 AND filter=?3 AND finished IS NULL "
			     "ORDER BY id DESC LIMIT 1",
			     "preparing a review query", err)))
		return rc;
	sqlite3_bind_text(st, 1, reviewer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, review_mode_name(mode), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, filter, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*seed = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "looking for an unfinished review session");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

/* review_plan_make on store s, its documents set's when set is not NULL
 * (items_build). */
static int plan_make(struct store *s, struct store_set *set, const char *filter,
		     const struct filter_sql *where, enum review_mode mode,
		     const char *reviewer, int64_t seed, struct review_plan *out,
		     struct pv_err *err)
{
	int rc, round;

	memset(out, 0, sizeof *out);
	out->mode = mode;
	out->reviewer = pv_strdup(reviewer);
	out->filter = pv_strdup(filter ? filter : "");
	for (round = 0; round < 2; round++) {
		int64_t id = 0, sseed = 0;
		if (round == 0 && (rc = session_find(s, reviewer, mode, out->filter, &id,
						     &sseed, err)))
			return rc;
		out->session_id = id;
		out->resumed = id != 0;
		out->seed = id ? sseed : seed > 0 ? seed : random_seed();
		if ((rc = items_build(s, set, where, mode, (uint64_t)out->seed, out, err)))
			return rc;
		if (!id)
			return 0;
		if ((rc = mark_answered(s, out, err)))
			return rc;
		if (review_plan_next(out, 0) < out->n)
			return 0;
		/* every item done, but the session was not marked: mark it and
		 * plan a new one */
		if ((rc = finish_session(s, id, false, err)))
			return rc;
	}
	return 0;
}

int review_plan_make(struct store *s, const char *filter, const struct filter_sql *where,
		     enum review_mode mode, const char *reviewer, int64_t seed,
		     struct review_plan *out, struct pv_err *err)
{
	return plan_make(s, NULL, filter, where, mode, reviewer, seed, out, err);
}

int review_plan_make_set(struct store_set *set, const char *filter,
			 const struct filter_ast *ast, enum review_mode mode,
			 const char *reviewer, int64_t seed, struct review_plan *out,
			 struct pv_err *err)
{
	struct filter_sql *where = NULL;
	struct store *rv;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = set_review(set, &rv, err)) || (rc = set_filters(set, ast, &where, err)))
		return rc;
	if (set_is_folder_set(set))
		rc = plan_make(rv, set, filter, where, mode, reviewer, seed, out, err);
	else
		rc = plan_make(rv, NULL, filter, &where[0], mode, reviewer, seed, out, err);
	set_filters_done(set, where);
	return rc;
}

/* ---- answers ---- */

/* The origin of document id now ("" when there is none): in set when
 * not NULL (the overlay's copy when a reviewer relabelled it), else s. */
static int origin_of(struct store *s, struct store_set *set, int64_t id, char out[16],
		     struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = 0;
	if (set) {
		struct doc_row row;
		struct store *part;
		memset(&row, 0, sizeof row);
		rc = set_doc_get(set, id, &part, &row, err);
		if (!rc)
			snprintf(out, 16, "%s", row.origin ? row.origin : "");
		doc_row_done(&row);
		return rc == PV_ENOTFOUND ? 0 : rc;
	}
	if ((rc = store_prep(s, &st, "SELECT origin FROM docs WHERE id=?1",
			     "preparing a review query", err)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *o = sqlite3_column_text(st, 0);
		snprintf(out, 16, "%s", o ? (const char *)o : "");
	} else if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "reading a document's origin");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

static int session_create(struct store *s, struct review_plan *p, int64_t *id,
			  struct pv_err *err)
{
	sqlite3_stmt *st;
	char at[32];
	int rc;

	if ((rc = store_prep(s, &st, "INSERT INTO review_sessions(reviewer, mode, filter, seed, "
			     "started) VALUES(?1, ?2, ?3, ?4, ?5)",
			     "preparing a review query", err)))
		return rc;
	now_utc(at);
	sqlite3_bind_text(st, 1, p->reviewer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, review_mode_name(p->mode), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->filter, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, p->seed);
	sqlite3_bind_text(st, 5, at, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "starting the review session");
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* review_record into store s, the documents' origins read in set when
 * not NULL. */
static int record(struct store *s, struct store_set *set, struct review_plan *p,
		  size_t i, const char *answer, int64_t ms, struct review_recorded *out,
		  struct pv_err *err)
{
	struct review_item *it;
	sqlite3_stmt *st;
	char ol[16], orr[16], at[32];
	int64_t sid = p->session_id;
	bool pairs = p->mode == REVIEW_PAIRS, skip, marked = false;
	int rc;

	memset(out, 0, sizeof *out);
	out->correct = -1;
	if (i >= p->n)
		return pv_errf(err, PV_EUSAGE, "no item %zu in this session", i + 1);
	it = &p->items[i];
	skip = strcmp(answer, "skip") == 0;
	if (!skip && (pairs ? strcmp(answer, "left") && strcmp(answer, "right") :
		      strcmp(answer, "real") && strcmp(answer, "synthetic")))
		return pv_errf(err, PV_EUSAGE, "'%s' is not an answer in %s mode", answer,
			       review_mode_name(p->mode));
	if ((rc = store_begin_retry(s, err)))
		return rc;
	if ((rc = origin_of(s, set, it->left, ol, err)) ||
	    (pairs && (rc = origin_of(s, set, it->right, orr, err))))
		goto fail;
	if (pairs) {
		if (!strcmp(ol, "synthetic") && !strcmp(orr, "real")) {
			snprintf(out->truth, sizeof out->truth, "left");
		} else if (!strcmp(ol, "real") && !strcmp(orr, "synthetic")) {
			snprintf(out->truth, sizeof out->truth, "right");
		} else {
			rc = pv_errf(err, PV_EINVAL, "not recorded: documents %lld and %lld "
				     "are now %s and %s (relabelled meanwhile)", (long long)it->left,
				     (long long)it->right, ol[0] ? ol : "gone",
				     orr[0] ? orr : "gone");
			goto unrecordable;
		}
	} else if (!strcmp(ol, "real") || !strcmp(ol, "synthetic")) {
		snprintf(out->truth, sizeof out->truth, "%s", ol);
	} else {
		rc = pv_errf(err, PV_EINVAL, "not recorded: document %lld is now %s "
			     "(relabelled meanwhile)",
			     (long long)it->left, ol[0] ? ol : "gone");
		goto unrecordable;
	}
	if (!sid && (rc = session_create(s, p, &sid, err)))
		goto fail;
	if ((rc = store_prep(s, &st, "INSERT OR IGNORE INTO review_answers(session_id, "
			     "reviewer, item, left_doc, right_doc, truth, answer, correct, "
			     "ms, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
			     "preparing a review query", err)))
		goto fail;
	now_utc(at);
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_text(st, 2, p->reviewer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (int64_t)i + 1);
	sqlite3_bind_int64(st, 4, it->left);
	if (pairs)
		sqlite3_bind_int64(st, 5, it->right);
	sqlite3_bind_text(st, 6, out->truth, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, answer, -1, SQLITE_TRANSIENT);
	if (!skip) {
		out->correct = strcmp(answer, out->truth) == 0;
		sqlite3_bind_int(st, 8, out->correct);
	}
	sqlite3_bind_int64(st, 9, ms < 0 ? 0 : ms);
	sqlite3_bind_text(st, 10, at, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, "recording the answer");
		goto fail;
	}
	out->already = sqlite3_changes(s->db) == 0;
	marked = !it->done;
	if (marked) {
		it->done = true;
		p->ndone++;
	}
	if (review_plan_next(p, 0) == p->n) {
		if ((rc = finish_session(s, sid, true, err)))
			goto fail_undone;
		out->finished = true;
	}
	if ((rc = store_commit(s, err)))
		goto fail_undone;
	p->session_id = sid;
	return 0;
fail_undone:
	if (marked) {
		it->done = false;
		p->ndone--;
	}
	out->finished = false;
fail:
	store_rollback(s);
	return rc;
unrecordable:
	store_rollback(s);
	if (!it->done) {
		it->done = true;
		p->ndone++;
	}
	if (review_plan_next(p, 0) == p->n) {
		if (p->session_id)
			finish_session(s, p->session_id, false, NULL);
		out->finished = true;
	}
	return rc;
}

int review_record(struct store *s, struct review_plan *p, size_t i, const char *answer,
		  int64_t ms, struct review_recorded *out, struct pv_err *err)
{
	return record(s, NULL, p, i, answer, ms, out, err);
}

int review_record_set(struct store_set *set, struct review_plan *p, size_t i,
		      const char *answer, int64_t ms, struct review_recorded *out,
		      struct pv_err *err)
{
	struct store *rv;
	int rc;

	memset(out, 0, sizeof *out);
	out->correct = -1;
	if ((rc = set_review(set, &rv, err)))
		return rc;
	return record(rv, set_is_folder_set(set) ? set : NULL, p, i, answer, ms, out, err);
}
