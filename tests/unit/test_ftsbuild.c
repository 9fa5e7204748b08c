/*
 * test_ftsbuild.c - FTS5 segments built directly (store/ftsbuild.c)
 * against FTS5 itself: the same texts indexed into two fresh tables
 * declared as the store declares its fts table, one through FTS5's own
 * INSERT INTO fts(rowid, text) VALUES(?, terms) (hashsize large enough for
 * one flush per transaction), the other through ftsbuild_add and
 * ftsbuild_write; every row of fts_data and fts_idx must be identical.
 * Cases: one text, empty texts, a term in every text (doclist indexes of
 * several heights), many distinct terms (a deep %_idx), long shared
 * prefixes, terms longer than a page and than FTS5's 32768-byte cut,
 * non-ASCII terms from ftsterms, rowids with big gaps, near 2^62 and
 * negative, several page sizes, automerge settings, two and three
 * segments, segid reuse and promotion after 'optimize', a Zipf corpus;
 * then the integrity check, MATCH queries on both tables, FTS5 merging
 * the built segments, FTS5 writing through the same connection before
 * and after a build in the same and later transactions (its cached
 * structure), a defensive connection, errors; and a timing printout.
 */
#include "config.h"
#include "../tap.h"
#include "../../store/ftsbuild.h"
#include "../../store/ftsterms.h"
#include "../../common/buf.h"

#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng_state = 42;
static bool valgrind;

/* A case's size: a fifth under valgrind (PROVEX_VALGRIND), where memory
 * errors are looked for, not sizes. */
static size_t scaled(size_t n)
{
	return valgrind ? (n + 4) / 5 : n;
}

static uint64_t rnd64(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return rng_state;
}

static unsigned rnd(unsigned n)
{
	return (unsigned)((rnd64() >> 33) % n);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- corpora: (rowid, terms) pairs ---- */

struct corpus {
	size_t n, cap;
	int64_t *rowid;
	char **terms;
};

static void corpus_add(struct corpus *c, int64_t rowid, const char *terms)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->rowid = pv_realloc(c->rowid, c->cap * sizeof *c->rowid);
		c->terms = pv_realloc(c->terms, c->cap * sizeof *c->terms);
	}
	c->rowid[c->n] = rowid;
	c->terms[c->n++] = pv_strdup(terms);
}

static void corpus_free(struct corpus *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->terms[i]);
	free(c->rowid);
	free(c->terms);
	memset(c, 0, sizeof *c);
}

static size_t corpus_postings(const struct corpus *c)
{
	size_t i, n = 0;
	const char *p;

	for (i = 0; i < c->n; i++)
		for (p = c->terms[i]; *p; p++)
			n += (p == c->terms[i] || p[-1] == ' ') && *p != ' ';
	return n;
}

/* A word for number k: letters, so that words share prefixes. */
static void word(struct buf *b, unsigned k)
{
	static const char letters[] = "etaoinshrdlucmfwypvbgkqjxz";

	do {
		buf_putc(b, letters[k % 26]);
		k /= 26;
	} while (k);
}

/* Zipf(s) over 1..n by inverse CDF. */
struct zipf {
	double *cdf;
	unsigned n;
};

static void zipf_init(struct zipf *z, unsigned n, double s)
{
	double sum = 0;
	unsigned i;

	z->n = n;
	z->cdf = pv_malloc(n * sizeof *z->cdf);
	for (i = 0; i < n; i++) {
		sum += 1.0 / pow(i + 1.0, s);
		z->cdf[i] = sum;
	}
	for (i = 0; i < n; i++)
		z->cdf[i] /= sum;
}

static unsigned zipf_draw(const struct zipf *z)
{
	double u = (double)(rnd64() >> 11) / 9007199254740992.0;
	unsigned lo = 0, hi = z->n - 1;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (z->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ntexts texts of about nterms distinct Zipf words each (a few empty),
 * rowids from first with gaps of 1..gap. */
static void corpus_zipf(struct corpus *c, size_t ntexts, unsigned nterms, unsigned vocab,
			int64_t first, unsigned gap)
{
	struct zipf z;
	struct buf t = BUF_INIT;
	unsigned *seen = pv_calloc(vocab, sizeof *seen), gen = 0, k, j, want;
	int64_t rowid = first;
	size_t i;

	zipf_init(&z, vocab, 1.07);
	for (i = 0; i < ntexts; i++) {
		buf_reset(&t);
		gen++;
		want = rnd(50) == 0 ? 0 : 1 + rnd(2 * nterms);
		for (j = 0; j < want; j++) {
			k = zipf_draw(&z);
			if (seen[k] == gen)
				continue;
			seen[k] = gen;
			if (t.len)
				buf_putc(&t, ' ');
			word(&t, k);
		}
		corpus_add(c, rowid, buf_str(&t));
		rowid += 1 + rnd(gap);
	}
	free(z.cdf);
	free(seen);
	buf_done(&t);
}

/* ---- the two tables ---- */

struct cfg {
	int pgsz;                   /* 0: FTS5's default */
	int automerge;              /* -1: FTS5's default */
};

static const struct cfg CFG_STORE = { 0, 16 };

static sqlite3 *fts_open(const char *path, struct cfg cfg)
{
	sqlite3 *db = NULL;
	char sql[200];

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "open %s: %s\n", path, sqlite3_errmsg(db));
		exit(1);
	}
	/* the store's declaration (schema.c), then a hash large enough for
	 * FTS5 to flush once per transaction */
	if (sqlite3_exec(db,
		"CREATE VIRTUAL TABLE fts USING fts5(text, content='', "
		"  detail=none, columnsize=0, "
		"  tokenize='unicode61 remove_diacritics 2');\n"
		"INSERT INTO fts(fts, rank) VALUES('hashsize', 8388608);\n"
		"INSERT INTO fts(fts, rank) VALUES('hashsize', 1073741824);\n",
		NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "create: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	if (cfg.automerge >= 0) {
		snprintf(sql, sizeof sql, "INSERT INTO fts(fts, rank) VALUES('automerge', %d)",
			 cfg.automerge);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	if (cfg.pgsz) {
		snprintf(sql, sizeof sql, "INSERT INTO fts(fts, rank) VALUES('pgsz', %d)", cfg.pgsz);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	return db;
}

static int exec(sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		printf("# %s: %s\n", sql, sqlite3_errmsg(db));
	return rc;
}

/* FTS5's own insert of texts [from, to) in one transaction. */
static void index_fts5(sqlite3 *db, const struct corpus *c, size_t from, size_t to)
{
	sqlite3_stmt *st;
	size_t i;

	exec(db, "BEGIN");
	sqlite3_prepare_v2(db, "INSERT INTO fts(rowid, text) VALUES(?, ?)", -1, &st, NULL);
	for (i = from; i < to; i++) {
		sqlite3_bind_int64(st, 1, c->rowid[i]);
		sqlite3_bind_text(st, 2, c->terms[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			printf("# fts5 insert %" PRId64 ": %s\n", c->rowid[i], sqlite3_errmsg(db));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	exec(db, "COMMIT");
}

/* The builder's, likewise. */
static int index_build(sqlite3 *db, const struct corpus *c, size_t from, size_t to)
{
	struct ftsbuild *b = ftsbuild_new();
	struct pv_err err;
	size_t i;
	int rc;

	exec(db, "BEGIN");
	for (i = from; i < to; i++)
		ftsbuild_add(b, c->rowid[i], c->terms[i], strlen(c->terms[i]));
	rc = ftsbuild_write(b, db, "fts", &err);
	if (rc)
		printf("# ftsbuild_write: %s\n", err.msg);
	exec(db, rc ? "ROLLBACK" : "COMMIT");
	ftsbuild_free(b);
	return rc;
}

static void describe_id(char *out, size_t n, int64_t id)
{
	if (id == 1)
		snprintf(out, n, "the averages record (id 1)");
	else if (id == 10)
		snprintf(out, n, "the structure record (id 10)");
	else if ((id >> 36) & 1)
		snprintf(out, n, "id %" PRId64 " (segment %d dlidx height %d page %d)", id,
			 (int)(id >> 37), (int)((id >> 31) & 31), (int)(id & 0x7fffffff));
	else
		snprintf(out, n, "id %" PRId64 " (segment %d leaf %d)", id, (int)(id >> 37),
			 (int)(id & 0x7fffffff));
}

static void hex(const unsigned char *p, int n, int at)
{
	int i, from = at > 8 ? at - 8 : 0;

	printf("#     ");
	for (i = from; i < n && i < at + 16; i++)
		printf(i == at ? "[%02x]" : "%02x ", p[i]);
	printf("%s\n", n > at + 16 ? "..." : "");
}

/* Every row of fts_data and fts_idx of the two databases (of segment
 * segid only if not 0), the first difference reported. */
static bool same_rows(sqlite3 *ref, sqlite3 *bld, int segid, const char *label)
{
	char sql[2][200];
	bool same = true;
	int t, rows[2];

	snprintf(sql[0], sizeof sql[0], "SELECT id, block, typeof(block) FROM fts_data "
		 "WHERE %d IN (0, id >> 37) ORDER BY id", segid);
	snprintf(sql[1], sizeof sql[1], "SELECT segid, term, typeof(term), pgno FROM fts_idx "
		 "WHERE %d IN (0, segid) ORDER BY segid, term", segid);
	for (t = 0; t < 2 && same; t++) {
		sqlite3_stmt *a, *b;
		int ra, rb;
		sqlite3_prepare_v2(ref, sql[t], -1, &a, NULL);
		sqlite3_prepare_v2(bld, sql[t], -1, &b, NULL);
		rows[t] = 0;
		for (;;) {
			char what[120];
			ra = sqlite3_step(a);
			rb = sqlite3_step(b);
			if (ra != SQLITE_ROW || rb != SQLITE_ROW) {
				if (ra != rb) {
					sqlite3_stmt *more = ra == SQLITE_ROW ? a : b;
					printf("# %s: %s has more rows: ", label,
					       ra == SQLITE_ROW ? "fts5" : "the builder");
					if (t == 0) {
						describe_id(what, sizeof what, sqlite3_column_int64(more, 0));
						printf("fts_data %s\n", what);
					} else {
						printf("fts_idx segid %d term '%.*s' pgno %lld\n",
						       sqlite3_column_int(more, 0),
						       sqlite3_column_bytes(more, 1),
						       (const char *)sqlite3_column_blob(more, 1),
						       sqlite3_column_int64(more, 3));
					}
					same = false;
				}
				break;
			}
			rows[t]++;
			if (t == 0) {
				int64_t ia = sqlite3_column_int64(a, 0), ib = sqlite3_column_int64(b, 0);
				const unsigned char *pa = sqlite3_column_blob(a, 1);
				const unsigned char *pb = sqlite3_column_blob(b, 1);
				int na = sqlite3_column_bytes(a, 1), nb = sqlite3_column_bytes(b, 1), i;
				if (ia != ib) {
					describe_id(what, sizeof what, PV_MIN(ia, ib));
					printf("# %s: fts_data %s only in %s\n", label, what,
					       ia < ib ? "fts5's" : "the builder's");
					same = false;
					break;
				}
				for (i = 0; i < na && i < nb && pa[i] == pb[i]; i++)
					;
				if (i < na || i < nb || strcmp((const char *)sqlite3_column_text(a, 2),
								(const char *)sqlite3_column_text(b, 2))) {
					describe_id(what, sizeof what, ia);
					printf("# %s: fts_data %s differs at byte %d (fts5 %d bytes, "
					       "builder %d)\n", label, what, i, na, nb);
					printf("#   fts5:\n");
					hex(pa, na, i);
					printf("#   builder:\n");
					hex(pb, nb, i);
					same = false;
					break;
				}
			} else {
				int k;
				for (k = 0; k < 4; k++)
					if (sqlite3_column_bytes(a, k) != sqlite3_column_bytes(b, k) ||
					    (sqlite3_column_bytes(a, k) &&
					     memcmp(sqlite3_column_blob(a, k), sqlite3_column_blob(b, k),
						    (size_t)sqlite3_column_bytes(a, k))))
						break;
				if (k < 4) {
					printf("# %s: fts_idx row %d differs: fts5 (%d, '%.*s' %s, %lld), "
					       "builder (%d, '%.*s' %s, %lld)\n", label, rows[t],
					       sqlite3_column_int(a, 0), sqlite3_column_bytes(a, 1),
					       (const char *)sqlite3_column_blob(a, 1),
					       sqlite3_column_text(a, 2), sqlite3_column_int64(a, 3),
					       sqlite3_column_int(b, 0), sqlite3_column_bytes(b, 1),
					       (const char *)sqlite3_column_blob(b, 1),
					       sqlite3_column_text(b, 2), sqlite3_column_int64(b, 3));
					same = false;
					break;
				}
			}
		}
		sqlite3_finalize(a);
		sqlite3_finalize(b);
	}
	return ok(same, "%s: fts_data and fts_idx identical to FTS5's (%d and %d rows)", label,
		  rows[0], same ? rows[1] : -1);
}

/* The structure record as "w=nWriteCounter L0[segid:first-last ...] L1[...]". */
static void structure_str(sqlite3 *db, struct buf *out)
{
	sqlite3_stmt *st;
	const unsigned char *p;
	int n, i = 4;
	int64_t v[3], l, k, nmerge, nseg, g[3];

	buf_reset(out);
	sqlite3_prepare_v2(db, "SELECT block FROM fts_data WHERE id = 10", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW) {
		p = sqlite3_column_blob(st, 0);
		n = sqlite3_column_bytes(st, 0);
#define NEXT(x) do { x = 0; while (i < n && (p[i] & 0x80)) x = (x << 7) | (p[i++] & 0x7f); \
		     if (i < n) x = (x << 7) | p[i++]; } while (0)
		NEXT(v[0]);
		NEXT(v[1]);
		NEXT(v[2]);
		buf_printf(out, "w=%lld", (long long)v[2]);
		for (l = 0; l < v[0]; l++) {
			NEXT(nmerge);
			NEXT(nseg);
			buf_printf(out, " L%lld%s[", (long long)l, nmerge ? "(merging)" : "");
			for (k = 0; k < nseg; k++) {
				NEXT(g[0]);
				NEXT(g[1]);
				NEXT(g[2]);
				buf_printf(out, "%s%lld:%lld-%lld", k ? " " : "", (long long)g[0],
					   (long long)g[1], (long long)g[2]);
			}
			buf_putc(out, ']');
		}
#undef NEXT
	}
	sqlite3_finalize(st);
}

static bool same_index(sqlite3 *ref, sqlite3 *bld, const char *label)
{
	return same_rows(ref, bld, 0, label);
}

/* A field of the structure record: 0 levels, 1 segments, 2 nWriteCounter,
 * 3 segments being merged on level 0 ... */
static int64_t structure_field(sqlite3 *db, int field)
{
	sqlite3_stmt *st;
	const unsigned char *p;
	int64_t v = -1;
	int n, i = 4, f;

	sqlite3_prepare_v2(db, "SELECT block FROM fts_data WHERE id = 10", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW) {
		p = sqlite3_column_blob(st, 0);
		n = sqlite3_column_bytes(st, 0);
		for (f = 0; f <= field && i < n; f++) {
			v = 0;
			while (i < n && (p[i] & 0x80))
				v = (v << 7) | (p[i++] & 0x7f);
			v = (v << 7) | p[i++];
		}
		if (f <= field)
			v = -1;
	}
	sqlite3_finalize(st);
	return v;
}

static int64_t count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", sql, sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static bool integrity(sqlite3 *db)
{
	return sqlite3_exec(db, "INSERT INTO fts(fts) VALUES('integrity-check')",
			    NULL, NULL, NULL) == SQLITE_OK;
}

/* The rowids a query matches, as a string. */
static void matches(sqlite3 *db, const char *q, struct buf *out)
{
	sqlite3_stmt *st;

	buf_reset(out);
	if (sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK) {
		buf_printf(out, "error %s", sqlite3_errmsg(db));
		return;
	}
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		buf_printf(out, "%lld ", sqlite3_column_int64(st, 0));
	if (sqlite3_reset(st) != SQLITE_OK)
		buf_printf(out, "error %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
}

/* Queries return the same rowids on both, some of them some rowids. */
static void same_matches(sqlite3 *ref, sqlite3 *bld, const char *const *q, size_t nq,
			 const char *label)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	size_t i, hits = 0;
	bool same = true;

	for (i = 0; i < nq && same; i++) {
		matches(ref, q[i], &a);
		matches(bld, q[i], &b);
		if (strcmp(buf_str(&a), buf_str(&b))) {
			printf("# %s: '%s': fts5 %.200s, builder %.200s\n", label, q[i],
			       buf_str(&a), buf_str(&b));
			same = false;
		}
		hits += a.len > 0 && strncmp(buf_str(&a), "error", 5);
	}
	ok(same && hits > 0, "%s: %zu MATCH queries give the same rowids (%zu match)", label,
	   nq, hits);
	buf_done(&a);
	buf_done(&b);
}

/* A term of the corpus as an FTS5 string ("..."), cut to n bytes. */
static void quoted(struct buf *q, const char *t, size_t n)
{
	size_t i;

	buf_putc(q, '"');
	for (i = 0; i < n && t[i] && t[i] != ' '; i++) {
		if (t[i] == '"')
			buf_putc(q, '"');
		buf_putc(q, t[i]);
	}
	buf_putc(q, '"');
}

/* Queries on terms of the corpus: a term, a prefix, AND, OR. */
static void corpus_queries(sqlite3 *ref, sqlite3 *bld, const struct corpus *c,
			   const char *label)
{
	char *q[16];
	struct buf b = BUF_INIT;
	size_t nq = 0, i, k;
	const char *t[4] = { NULL, NULL, NULL, NULL };

	for (i = 0, k = 0; i < c->n && k < 4; i += c->n / 4 + 1)
		for (; i < c->n; i++)
			if (*c->terms[i] && *c->terms[i] != ' ') {
				t[k++] = c->terms[i];
				break;
			}
	for (i = 0; i < k; i++) {
		buf_reset(&b);
		quoted(&b, t[i], SIZE_MAX);
		q[nq++] = buf_take(&b);
		quoted(&b, t[i], 2);
		buf_putc(&b, '*');
		q[nq++] = buf_take(&b);
		quoted(&b, t[i], SIZE_MAX);
		buf_puts(&b, " AND ");
		quoted(&b, t[(i + 1) % k], SIZE_MAX);
		q[nq++] = buf_take(&b);
		quoted(&b, t[i], SIZE_MAX);
		buf_puts(&b, " OR ");
		quoted(&b, t[(i + 1) % k], 1);
		buf_putc(&b, '*');
		q[nq++] = buf_take(&b);
	}
	if (nq)
		same_matches(ref, bld, (const char *const *)q, nq, label);
	for (i = 0; i < nq; i++)
		free(q[i]);
	buf_done(&b);
}

/* Both ways, one transaction per [cut[i], cut[i+1]) range; compared after
 * each; integrity-checked and queried at the end. */
static void both_ways(const char *label, struct cfg cfg, const struct corpus *c,
		      const size_t *cut, size_t ncut)
{
	sqlite3 *ref = fts_open(":memory:", cfg), *bld = fts_open(":memory:", cfg);
	char l[200];
	size_t i;

	for (i = 0; i + 1 < ncut; i++) {
		index_fts5(ref, c, cut[i], cut[i + 1]);
		index_build(bld, c, cut[i], cut[i + 1]);
		snprintf(l, sizeof l, "%s, %s %zu", label, ncut > 2 ? "transaction" : "texts",
			 ncut > 2 ? i + 1 : cut[1] - cut[0]);
		if (ncut > 2 || i + 2 == ncut)
			same_index(ref, bld, l);
	}
	ok(integrity(bld), "%s: integrity-check passes", label);
	corpus_queries(ref, bld, c, label);
	sqlite3_close(ref);
	sqlite3_close(bld);
}

static void both_ways_one(const char *label, struct cfg cfg, const struct corpus *c)
{
	size_t cut[2] = { 0, c->n };

	both_ways(label, cfg, c, cut, 2);
}

/* ---- cases ---- */

static void test_small(void)
{
	struct corpus c = { 0 };

	corpus_add(&c, 1, "hello world");
	both_ways_one("one text", CFG_STORE, &c);
	corpus_free(&c);

	corpus_add(&c, 7, "");
	both_ways_one("one empty text", CFG_STORE, &c);
	corpus_free(&c);

	corpus_add(&c, 1, "");
	corpus_add(&c, 2, "a b");
	corpus_add(&c, 3, "   ");
	corpus_add(&c, 4, "c  a");
	corpus_add(&c, 5, "b b b");         /* repeated: indexed once, counted 3 times */
	corpus_add(&c, 9, "");
	both_ways_one("empty texts among others, runs of spaces, repeats", CFG_STORE, &c);
	corpus_free(&c);
}

/* A term in every text: its doclist runs over many leaves. */
static void test_common(void)
{
	static const struct { int pgsz; size_t n; unsigned gap; } v[] = {
		{ 0, 40000, 1 }, { 0, 30000, 300 }, { 64, 20000, 1 }, { 32, 30000, 5 },
		{ 100, 5000, 100000 },
	};
	struct buf t = BUF_INIT;
	size_t i, k;

	for (k = 0; k < PV_ARRAY_LEN(v); k++) {
		struct corpus c = { 0 };
		struct cfg cfg = { v[k].pgsz, 16 };
		int64_t rowid = 1;
		char label[120];
		sqlite3 *ref;
		/* pgsz 32 keeps enough texts for doclist indexes of 3 heights */
		size_t n = v[k].pgsz == 32 ? (valgrind ? 12000 : v[k].n) : scaled(v[k].n);
		for (i = 0; i < n; i++) {
			buf_reset(&t);
			buf_printf(&t, "common u%zu", i);
			if (i % 3 == 0)
				buf_puts(&t, " third");
			corpus_add(&c, rowid, buf_str(&t));
			rowid += 1 + (v[k].gap > 1 ? rnd(v[k].gap) : 0);
		}
		snprintf(label, sizeof label, "a term in all of %zu texts, pgsz %d, gaps to %u",
			 n, v[k].pgsz ? v[k].pgsz : 4050, v[k].gap);
		both_ways_one(label, cfg, &c);
		/* the doclist indexes FTS5 made, by height */
		ref = fts_open(":memory:", cfg);
		index_fts5(ref, &c, 0, c.n);
		printf("#   fts5 wrote %lld leaves, dlidx pages %lld at height 0, %lld at 1, "
		       "%lld at 2+\n",
		       (long long)count(ref, "SELECT count(*) FROM fts_data WHERE id > 10 AND "
					"(id >> 36) & 1 = 0"),
		       (long long)count(ref, "SELECT count(*) FROM fts_data WHERE (id >> 36) & 1 "
					"AND (id >> 31) & 31 = 0"),
		       (long long)count(ref, "SELECT count(*) FROM fts_data WHERE (id >> 36) & 1 "
					"AND (id >> 31) & 31 = 1"),
		       (long long)count(ref, "SELECT count(*) FROM fts_data WHERE (id >> 36) & 1 "
					"AND (id >> 31) & 31 >= 2"));
		if (k == 0 && !valgrind)
			ok(count(ref, "SELECT count(*) FROM fts_data WHERE (id >> 36) & 1") > 0,
			   "the default page size makes a doclist index");
		if (v[k].pgsz == 32)
			ok(count(ref, "SELECT count(*) FROM fts_data WHERE (id >> 36) & 1 "
				 "AND (id >> 31) & 31 >= 2") > 0,
			   "pgsz 32 makes doclist indexes of 3 heights or more");
		sqlite3_close(ref);
		corpus_free(&c);
	}
	buf_done(&t);
}

/* Many distinct terms: many leaves, many %_idx rows. */
static void test_many_terms(void)
{
	struct corpus c = { 0 };
	struct buf t = BUF_INIT;
	sqlite3 *ref;
	size_t i, j;

	for (i = 0; i < scaled(2000); i++) {
		buf_reset(&t);
		for (j = 0; j < 60; j++) {
			if (j)
				buf_putc(&t, ' ');
			word(&t, (unsigned)(i * 60 + j) * 7919u % 1000003u);
		}
		corpus_add(&c, (int64_t)i + 1, buf_str(&t));
	}
	both_ways_one("60 distinct terms a text", CFG_STORE, &c);
	ref = fts_open(":memory:", CFG_STORE);
	index_fts5(ref, &c, 0, c.n);
	ok(count(ref, "SELECT count(*) FROM fts_idx") > (valgrind ? 20 : 100),
	   "... which make %lld fts_idx rows",
	   (long long)count(ref, "SELECT count(*) FROM fts_idx"));
	sqlite3_close(ref);
	if (!valgrind)
		both_ways_one("60 distinct terms a text, pgsz 40", (struct cfg){ 40, 16 }, &c);
	corpus_free(&c);
	buf_done(&t);
}

/* Terms sharing long prefixes, a term a prefix of the next. */
static void test_prefixes(void)
{
	struct corpus c = { 0 };
	struct buf t = BUF_INIT, base = BUF_INIT;
	size_t i, j;

	for (i = 0; i < 300; i++)
		buf_putc(&base, (char)('a' + i % 7));
	for (i = 0; i < scaled(3000); i++) {
		buf_reset(&t);
		for (j = 0; j < 8; j++) {
			size_t cut = rnd(300) + 1;
			if (j)
				buf_putc(&t, ' ');
			buf_append(&t, base.data, cut);
			if (rnd(2))
				word(&t, rnd(5000));
		}
		buf_puts(&t, " x xx xxx xxxx xxxxx");
		corpus_add(&c, (int64_t)i * 3 + 1, buf_str(&t));
	}
	both_ways_one("long shared prefixes", CFG_STORE, &c);
	if (!valgrind)
		both_ways_one("long shared prefixes, pgsz 200", (struct cfg){ 200, 16 }, &c);
	both_ways_one("long shared prefixes, pgsz 32", (struct cfg){ 32, 16 }, &c);
	corpus_free(&c);
	buf_done(&t);
	buf_done(&base);
}

/* Terms longer than a page, and longer than FTS5 keeps (32768 bytes). */
static void test_long_terms(void)
{
	struct corpus c = { 0 };
	struct buf t = BUF_INIT;
	size_t i, j, k, start;
	static const size_t len[] = { 5000, 4049, 4050, 4051, 32768, 32769, 40000 };

	for (i = 0; i < scaled(60); i++) {
		buf_reset(&t);
		buf_puts(&t, "short");
		for (j = 0; j < PV_ARRAY_LEN(len); j++) {
			if (rnd(3) == 0)
				continue;
			buf_putc(&t, ' ');
			start = t.len;
			for (k = 0; k < len[j]; k++)
				buf_putc(&t, (char)('a' + (k * (j + 1)) % 3));
			if (len[j] > 32768)     /* differ only after FTS5's cut */
				t.data[start + len[j] - 1] = (char)('k' + rnd(10));
		}
		buf_puts(&t, i % 2 ? " odd" : " even");
		corpus_add(&c, (int64_t)i + 1, buf_str(&t));
	}
	both_ways_one("terms of 4049 to 40000 bytes", CFG_STORE, &c);
	both_ways_one("terms of 4049 to 40000 bytes, pgsz 32", (struct cfg){ 32, 16 }, &c);
	if (!valgrind)
		both_ways_one("terms of 4049 to 40000 bytes, pgsz 65536",
			      (struct cfg){ 65536, 16 }, &c);
	corpus_free(&c);
	buf_done(&t);
}

/* Non-ASCII texts through ftsterms, as the indexer does. */
static void test_utf8(void)
{
	static const char *const texts[] = {
		"Ünïcödé naïve café — Ελληνικά λόγος, русский язык; 日本語のテキスト",
		"Straße groß ÆØÅ æøå ĳ œuvre Ǆ",
		"emoji 🙂 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 mathematical, العربية עברית हिन्दी",
		"café CAFÉ Café cafe",
		"ж жж жжж ЖЖЖЖ ﬁ ﬂ",
		"中文 字 字字 中文字",
		/* spaceless runs: bigrams and last letters (ftsterms.h) */
		"我们爱中国人民。中国人和中国 ภาษาไทย 한국어를 iPhone手机 第3章",
	};
	struct corpus c = { 0 };
	struct ftsterms *ft;
	struct pv_err err;
	struct buf t = BUF_INIT, all = BUF_INIT;
	sqlite3 *db;
	size_t i;

	sqlite3_open(":memory:", &db);
	if (!ok(ftsterms_new(db, &ft, &err) == 0, "ftsterms")) {
		sqlite3_close(db);
		return;
	}
	for (i = 0; i < 600; i++) {
		buf_reset(&all);
		buf_puts(&all, texts[i % PV_ARRAY_LEN(texts)]);
		buf_printf(&all, " n%zu ", i % 17);
		buf_puts(&all, texts[(i * 7 + 3) % PV_ARRAY_LEN(texts)]);
		ftsterms_get(ft, all.data, all.len, &t, NULL, &err);
		corpus_add(&c, (int64_t)i * 11 + 5, buf_str(&t));
	}
	printf("# e.g. terms '%s'\n", c.terms[0]);
	ok(strstr(c.terms[6], "中国 国人 人民 民") != NULL, "bigrams among them: %s",
	   c.terms[6]);
	both_ways_one("non-ASCII terms from ftsterms", CFG_STORE, &c);
	both_ways_one("non-ASCII terms from ftsterms, pgsz 50", (struct cfg){ 50, 16 }, &c);
	{
		sqlite3 *ref = fts_open(":memory:", CFG_STORE), *bld = fts_open(":memory:", CFG_STORE);
		static const char *const q[] = { "cafe", "λογος", "русскии", "日本語のテキスト",
			"strasse", "n3", "ж*", "caf*", "中文 AND 字", "emoji OR жж", "язык NOT n5",
			"中国", "国人 AND 人民", "国", "中*", "ไท", "어를", "iphone AND 手机" };
		index_fts5(ref, &c, 0, c.n);
		index_build(bld, &c, 0, c.n);
		same_matches(ref, bld, q, PV_ARRAY_LEN(q), "non-ASCII queries");
		sqlite3_close(ref);
		sqlite3_close(bld);
	}
	ftsterms_free(ft);
	sqlite3_close(db);
	corpus_free(&c);
	buf_done(&t);
	buf_done(&all);
}

static void test_rowids(void)
{
	static const int64_t big[] = {
		1, 2, 3, 130, 16384, 1000000, 1000000000, (int64_t)1 << 40,
		((int64_t)1 << 62) - 1, (int64_t)1 << 62, ((int64_t)1 << 62) + 1,
		((int64_t)1 << 62) + 100000, INT64_MAX - 1, INT64_MAX,
	};
	static const int64_t neg[] = {
		INT64_MIN, INT64_MIN + 1, -((int64_t)1 << 62), -1000, -1, 0, 1, 5, INT64_MAX,
	};
	struct corpus c = { 0 };
	struct buf t = BUF_INIT;
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(big); i++) {
		buf_reset(&t);
		buf_printf(&t, "all r%zu %s", i, i % 2 ? "odd" : "even");
		corpus_add(&c, big[i], buf_str(&t));
	}
	both_ways_one("rowids 1 to 2^63-1 with big gaps, near 2^62", CFG_STORE, &c);
	both_ways_one("rowids 1 to 2^63-1, pgsz 32", (struct cfg){ 32, 16 }, &c);
	corpus_free(&c);

	for (i = 0; i < PV_ARRAY_LEN(neg); i++) {
		buf_reset(&t);
		buf_printf(&t, "all r%zu", i);
		corpus_add(&c, neg[i], buf_str(&t));
	}
	both_ways_one("rowids from -2^63 to 2^63-1", CFG_STORE, &c);
	both_ways_one("rowids from -2^63 to 2^63-1, pgsz 32", (struct cfg){ 32, 16 }, &c);
	corpus_free(&c);

	/* thousands of rowids near 2^62 with random gaps: 9-byte first rowids
	 * on every continued leaf, long dlidx deltas */
	{
		int64_t rowid = ((int64_t)1 << 62) - 5000;
		for (i = 0; i < scaled(20000); i++) {
			buf_reset(&t);
			buf_printf(&t, "all w%u", rnd(100));
			corpus_add(&c, rowid, buf_str(&t));
			rowid += 1 + (int64_t)(rnd64() >> 20);
		}
		both_ways_one("rowids from near 2^62, gaps to 2^44", CFG_STORE, &c);
		both_ways_one("rowids from near 2^62, gaps to 2^44, pgsz 48",
			      (struct cfg){ 48, 16 }, &c);
		corpus_free(&c);
	}
	buf_done(&t);
}

static void test_segments(void)
{
	struct corpus c = { 0 };
	size_t two[] = { 0, 1500, 3000 }, three[] = { 0, 700, 1400, 3000 };
	struct corpus d = { 0 };
	size_t i, lower[] = { 0, 1000, 2000, 3000 };

	corpus_zipf(&c, 3000, 20, 5000, 1, 3);
	both_ways("two segments", CFG_STORE, &c, two, 3);
	both_ways("three segments", CFG_STORE, &c, three, 4);
	both_ways("three segments, pgsz 100", (struct cfg){ 100, 16 }, &c, three, 4);
	both_ways("three segments, automerge 0", (struct cfg){ 0, 0 }, &c, three, 4);
	both_ways("three segments, automerge 2", (struct cfg){ 0, 2 }, &c, three, 4);
	both_ways("three segments, default automerge", (struct cfg){ 0, -1 }, &c, three, 4);

	/* later segments with lower rowids (each range still growing) */
	for (i = 0; i < 3000; i++)
		corpus_add(&d, (int64_t)(3 - i / 1000) * 100000 + (int64_t)(i % 1000), c.terms[i]);
	both_ways("three segments, each below the one before", CFG_STORE, &d, lower, 4);
	corpus_free(&d);
	corpus_free(&c);
}

/* FTS5 merging, then builds: segids reused, segments promoted. */
static void test_optimize_promote(void)
{
	struct cfg cfg = { 200, 16 };
	sqlite3 *ref = fts_open(":memory:", cfg), *bld = fts_open(":memory:", cfg);
	struct corpus c = { 0 };
	struct buf st = BUF_INIT;

	corpus_zipf(&c, 4000, 15, 3000, 1, 2);
	index_fts5(ref, &c, 0, 100);
	index_build(bld, &c, 0, 100);
	index_fts5(ref, &c, 100, 200);
	index_build(bld, &c, 100, 200);
	same_index(ref, bld, "two small segments");
	exec(ref, "INSERT INTO fts(fts) VALUES('optimize')");
	exec(bld, "INSERT INTO fts(fts) VALUES('optimize')");
	same_index(ref, bld, "after FTS5's 'optimize' of built segments");
	ok(integrity(bld), "... integrity-check passes");
	/* the next segment is larger than the optimized one: promoted */
	structure_str(bld, &st);
	printf("#   structure %s\n", buf_str(&st));
	index_fts5(ref, &c, 200, 1500);
	index_build(bld, &c, 200, 1500);
	same_index(ref, bld, "a larger segment after 'optimize' (promotion, segid 1 reused)");
	structure_str(bld, &st);
	printf("#   structure %s\n", buf_str(&st));
	ok(strstr(buf_str(&st), " L0[3:") && strstr(buf_str(&st), " 1:1-"),
	   "... the optimized segment 3 moved to level 0, before the new segment 1");
	ok(count(ref, "SELECT count(*) FROM fts_idx WHERE segid = 1") > 0,
	   "... FTS5 did reuse segid 1");
	index_fts5(ref, &c, 1500, 1600);
	index_build(bld, &c, 1500, 1600);
	same_index(ref, bld, "a small segment after that");
	/* an incremental merge left in progress */
	exec(ref, "INSERT INTO fts(fts, rank) VALUES('merge', -50)");
	exec(bld, "INSERT INTO fts(fts, rank) VALUES('merge', -50)");
	same_index(ref, bld, "after FTS5's 'merge' of 50 pages");
	ok(structure_field(bld, 3) > 0, "... which leaves a merge in progress (%lld segments)",
	   (long long)structure_field(bld, 3));
	index_fts5(ref, &c, 1600, 1610);
	index_build(bld, &c, 1600, 1610);
	same_index(ref, bld, "a segment too small for FTS5 to do merge work");
	/* a large segment: FTS5 does merge work after its flush, the builder
	 * does not, but the segment is the same and so is the write counter */
	{
		int64_t seg = count(bld, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
				    "FROM n WHERE i < 2000) SELECT min(i) FROM n WHERE i NOT IN "
				    "(SELECT segid FROM fts_idx)");
		int64_t before = count(bld, "SELECT count(DISTINCT segid) FROM fts_idx");
		index_fts5(ref, &c, 1610, 4000);
		index_build(bld, &c, 1610, 4000);
		same_rows(ref, bld, (int)seg, "a large segment: its rows");
		ok(count(bld, "SELECT count(DISTINCT segid) FROM fts_idx") == before + 1,
		   "a large segment: the builder adds it and merges nothing");
		ok(structure_field(ref, 2) == structure_field(bld, 2),
		   "... the write counter is FTS5's (%lld)", (long long)structure_field(bld, 2));
		ok(count(ref, "SELECT count(*) FROM fts_data") != count(bld, "SELECT count(*) FROM "
		   "fts_data"), "... FTS5 did merge work (different rows)");
	}
	ok(integrity(bld), "... integrity-check passes");
	exec(bld, "INSERT INTO fts(fts, rank) VALUES('merge', 100000)");
	ok(integrity(bld), "... and after FTS5's 'merge' of the result");
	{
		static const char *const q[] = { "e", "t", "ta", "a*", "ee OR et", "e AND t" };
		same_matches(ref, bld, q, PV_ARRAY_LEN(q), "after merges");
	}
	structure_str(bld, &st);
	printf("#   structure %s\n", buf_str(&st));
	buf_done(&st);
	sqlite3_close(ref);
	sqlite3_close(bld);
	corpus_free(&c);
}

static void test_zipf(void)
{
	struct corpus c = { 0 };
	sqlite3 *ref, *bld;
	struct buf q = BUF_INIT;
	const char *qs[40];
	char *owned[40];
	size_t nq = 0, i;

	corpus_zipf(&c, valgrind ? 1500 : 4000, 60, 40000, 1, 4);
	printf("# Zipf corpus: %zu texts, %zu postings\n", c.n, corpus_postings(&c));
	both_ways_one("a Zipf corpus", CFG_STORE, &c);
	both_ways_one("a Zipf corpus, pgsz 300", (struct cfg){ 300, 16 }, &c);
	{
		size_t cut[] = { 0, c.n / 3, c.n / 2, c.n };
		both_ways("a Zipf corpus in three transactions", CFG_STORE, &c, cut, 4);
	}

	ref = fts_open(":memory:", CFG_STORE);
	bld = fts_open(":memory:", CFG_STORE);
	index_fts5(ref, &c, 0, c.n);
	index_build(bld, &c, 0, c.n);
	for (i = 0; i < 30; i++) {
		buf_reset(&q);
		switch (i % 6) {
		case 0: word(&q, rnd(20)); break;
		case 1: word(&q, 1000 + rnd(30000)); break;
		case 2: word(&q, rnd(26)); buf_putc(&q, '*'); break;
		case 3: word(&q, 26 + rnd(600)); buf_putc(&q, '*'); break;
		case 4: word(&q, rnd(100)); buf_puts(&q, " AND "); word(&q, rnd(300)); break;
		case 5: word(&q, rnd(3000)); buf_puts(&q, " OR "); word(&q, rnd(3000));
			buf_puts(&q, " NOT "); word(&q, rnd(10)); break;
		}
		owned[nq] = buf_take(&q);
		qs[nq] = owned[nq];
		nq++;
	}
	same_matches(ref, bld, qs, nq, "Zipf corpus");
	ok(integrity(bld), "Zipf corpus: integrity-check passes");
	for (i = 0; i < nq; i++)
		free(owned[i]);
	exec(bld, "INSERT INTO fts(fts) VALUES('optimize')");
	exec(ref, "INSERT INTO fts(fts) VALUES('optimize')");
	same_index(ref, bld, "Zipf corpus after FTS5's 'optimize'");
	sqlite3_close(ref);
	sqlite3_close(bld);
	corpus_free(&c);
	buf_done(&q);
}

/* ---- FTS5's cached structure, through one connection ---- */

static void insert_fts5(sqlite3 *db, int64_t from, int64_t to)
{
	char sql[200];
	int64_t i;

	for (i = from; i < to; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO fts(rowid, text) VALUES(%" PRId64
			 ", 'all t%" PRId64 " %s')", i, i, i % 2 ? "odd" : "even");
		exec(db, sql);
	}
}

static int add_build(sqlite3 *db, int64_t from, int64_t to)
{
	struct ftsbuild *b = ftsbuild_new();
	struct pv_err err;
	char t[100];
	int64_t i;
	int rc;

	for (i = from; i < to; i++) {
		snprintf(t, sizeof t, "all t%" PRId64 " %s", i, i % 2 ? "odd" : "even");
		ftsbuild_add(b, i, t, strlen(t));
	}
	rc = ftsbuild_write(b, db, "fts", &err);
	if (rc)
		printf("# ftsbuild_write: %s\n", err.msg);
	ftsbuild_free(b);
	return rc;
}

/* Every rowid of [1, n) is found by its own term, and 'all' finds n - 1. */
static bool all_found(sqlite3 *db, int64_t n)
{
	sqlite3_stmt *st;
	char q[40];
	int64_t i, found = 0;

	sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?", -1, &st, NULL);
	for (i = 1; i < n; i++) {
		snprintf(q, sizeof q, "t%" PRId64, i);
		sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == i &&
		    sqlite3_step(st) == SQLITE_DONE)
			found++;
		else if (found + 1 == i)
			printf("#   t%" PRId64 " not found (or twice)\n", i);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return found == n - 1 &&
	       count(db, "SELECT count(*) FROM fts WHERE fts MATCH 'all'") == n - 1 &&
	       count(db, "SELECT count(*) FROM fts WHERE fts MATCH 'odd'") == n / 2;
}

static void test_stale_structure(void)
{
	char path[256], sql[300];
	sqlite3 *db, *other;
	struct cfg cfg = { 100, 16 };
	int64_t rows;
	bool segs_ok;

	snprintf(path, sizeof path, "%s/ftsbuild-%d.db",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	unlink(path);
	db = fts_open(path, cfg);

	/* FTS5 terms pending in its hash, then a build, then more FTS5
	 * inserts, all in one transaction */
	exec(db, "BEGIN");
	insert_fts5(db, 1, 101);
	ok(add_build(db, 101, 201) == 0, "build after FTS5 inserts in the same transaction");
	insert_fts5(db, 201, 301);
	ok(all_found(db, 301), "... FTS5 inserts before and after it are all found, "
	   "before the commit");
	exec(db, "COMMIT");
	ok(all_found(db, 301), "... and after it");

	/* FTS5 reads (caches the structure), a build, FTS5 writes */
	exec(db, "BEGIN");
	ok(count(db, "SELECT count(*) FROM fts WHERE fts MATCH 'all'") == 300,
	   "FTS5 read in a transaction");
	ok(add_build(db, 301, 401) == 0, "... then a build");
	ok(count(db, "SELECT count(*) FROM fts WHERE fts MATCH 'all'") == 400,
	   "... FTS5 sees the new segment in the same transaction");
	insert_fts5(db, 401, 501);
	exec(db, "COMMIT");

	/* the structure is cached from the last commit: a build in its own
	 * transaction, then FTS5 inserts in a later one */
	ok(count(db, "SELECT count(*) FROM fts WHERE fts MATCH 'all'") == 500,
	   "FTS5 read between transactions");
	exec(db, "BEGIN");
	ok(add_build(db, 501, 601) == 0, "a build in a transaction of its own");
	exec(db, "COMMIT");
	exec(db, "BEGIN");
	insert_fts5(db, 601, 701);
	exec(db, "COMMIT");
	insert_fts5(db, 701, 751);  /* autocommit */
	exec(db, "BEGIN");
	ok(add_build(db, 751, 801) == 0, "a build after autocommit FTS5 inserts");
	exec(db, "COMMIT");
	ok(all_found(db, 801), "all 800 texts found, FTS5's and the builder's, "
	   "through the same connection");
	ok(integrity(db), "integrity-check passes");
	rows = count(db, "SELECT count(*) FROM fts_data WHERE id = 1");
	segs_ok = count(db, "SELECT count(DISTINCT segid) FROM fts_idx") ==
		  count(db, "SELECT count(*) FROM (SELECT DISTINCT id >> 37 FROM fts_data "
			"WHERE id > 10)");
	ok(rows == 1 && segs_ok, "one averages record, every segment indexed once");

	/* the averages record counts all 800 rows and their 2400 tokens */
	snprintf(sql, sizeof sql, "SELECT hex(block) FROM fts_data WHERE id = 1");
	{
		sqlite3_stmt *st;
		sqlite3_prepare_v2(db, sql, -1, &st, NULL);
		sqlite3_step(st);
		ok(strcmp((const char *)sqlite3_column_text(st, 0), "86209260") == 0,
		   "the averages record holds 800 rows and 2400 tokens (%s)",
		   sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}

	/* another connection sees it all */
	sqlite3_open(path, &other);
	ok(all_found(other, 801), "another connection finds all 800");
	sqlite3_close(other);

	/* the builder's write does not disturb last_insert_rowid */
	exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1); INSERT INTO t VALUES(2)");
	exec(db, "BEGIN");
	rows = sqlite3_last_insert_rowid(db);
	add_build(db, 801, 811);
	ok(sqlite3_last_insert_rowid(db) == rows && rows == 2,
	   "last_insert_rowid kept across ftsbuild_write");
	/* a savepoint of the caller around it, rolled back: nothing left */
	exec(db, "SAVEPOINT mine");
	add_build(db, 811, 821);
	exec(db, "ROLLBACK TO mine");
	exec(db, "RELEASE mine");
	insert_fts5(db, 811, 821);
	exec(db, "COMMIT");
	ok(all_found(db, 821) && integrity(db),
	   "a build rolled back with the caller's savepoint leaves FTS5 consistent");

	sqlite3_close(db);
	unlink(path);
}

/* A defensive connection refuses writes to shadow tables from SQL. */
static void test_defensive(void)
{
	sqlite3 *db = fts_open(":memory:", CFG_STORE);
	int on = -1;

	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	exec(db, "BEGIN");
	ok(add_build(db, 1, 101) == 0, "a build on a defensive connection");
	exec(db, "COMMIT");
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, -1, &on);
	ok(on == 1, "... which stays defensive");
	ok(all_found(db, 101) && integrity(db), "... and finds everything");
	sqlite3_close(db);
}

static void test_errors(void)
{
	sqlite3 *db = fts_open(":memory:", CFG_STORE);
	struct ftsbuild *b = ftsbuild_new();
	struct pv_err err;
	static const struct {
		const char *create, *name, *want;
	} bad[] = {
		{ NULL, "nosuch", "no table 'nosuch'" },
		{ "CREATE TABLE plain(x)", "plain", "not an FTS5 table" },
		{ "CREATE VIRTUAL TABLE full USING fts5(text, content='', columnsize=0)",
		  "full", "detail=full" },
		{ "CREATE VIRTUAL TABLE cols USING fts5(text, content='', detail=columns, "
		  "columnsize=0)", "cols", "detail=columns" },
		{ "CREATE VIRTUAL TABLE own USING fts5(text, detail=none, columnsize=0)",
		  "own", "has its own content" },
		{ "CREATE TABLE src(text); CREATE VIRTUAL TABLE ext USING fts5(text, "
		  "content=src, detail=none, columnsize=0)", "ext", "external content" },
		{ "CREATE VIRTUAL TABLE sized USING fts5(text, content='', detail=none)",
		  "sized", "columnsize=1" },
		{ "CREATE VIRTUAL TABLE two USING fts5(a, b, content='', detail=none, "
		  "columnsize=0)", "two", "has 2 columns" },
		{ "CREATE VIRTUAL TABLE pre USING fts5(text, content='', detail=none, "
		  "columnsize=0, prefix='2 3')", "pre", "prefix indexes" },
	};
	size_t i;
	int rc;

	for (i = 0; i < PV_ARRAY_LEN(bad); i++) {
		if (bad[i].create)
			exec(db, bad[i].create);
		exec(db, "BEGIN");
		ftsbuild_add(b, 1, "a b", 3);
		rc = ftsbuild_write(b, db, bad[i].name, &err);
		ok(rc < 0 && strstr(err.msg, bad[i].want) != NULL,
		   "table '%s': refused (%s)", bad[i].name, rc < 0 ? err.msg : "accepted");
		ok(ftsbuild_rows(b) == 0, "... and the builder emptied");
		exec(db, "COMMIT");
	}
	/* accepted spellings: prefix-matched keys, quotes, case */
	exec(db, "CREATE VIRTUAL TABLE odd USING fts5(\"text\", CONTENT=\"\", "
	     "Detail='NONE', col=0, tokenize = \"unicode61 remove_diacritics 2\")");
	exec(db, "BEGIN");
	ftsbuild_add(b, 1, "a b", 3);
	rc = ftsbuild_write(b, db, "ODD", &err);
	ok(rc == 0, "a table declared with FTS5's other spellings is accepted%s%s",
	   rc ? ": " : "", rc ? err.msg : "");
	exec(db, "COMMIT");

	/* no transaction */
	ftsbuild_add(b, 1, "a b", 3);
	rc = ftsbuild_write(b, db, "fts", &err);
	ok(rc == PV_EUSAGE && strstr(err.msg, "transaction"), "no transaction: refused (%s)",
	   err.msg);

	/* rowids that do not grow */
	exec(db, "BEGIN");
	ftsbuild_add(b, 5, "a b", 3);
	ftsbuild_add(b, 5, "c", 1);
	ftsbuild_add(b, 6, "d", 1);
	rc = ftsbuild_write(b, db, "fts", &err);
	ok(rc == PV_EINVAL && strstr(err.msg, "rowid 5 added after rowid 5"),
	   "a repeated rowid: refused (%s)", err.msg);
	ftsbuild_add(b, 9, "a", 1);
	ftsbuild_add(b, 3, "a", 1);
	rc = ftsbuild_write(b, db, "fts", &err);
	ok(rc == PV_EINVAL && strstr(err.msg, "rowid 3 added after rowid 9"),
	   "a smaller rowid: refused (%s)", err.msg);
	ok(count(db, "SELECT count(*) FROM fts_data") == 2 &&
	   count(db, "SELECT length(block) FROM fts_data WHERE id = 1") == 0,
	   "... nothing written");
	/* nothing to write */
	rc = ftsbuild_write(b, db, "fts", &err);
	ok(rc == 0 && count(db, "SELECT count(*) FROM fts_data") == 2,
	   "nothing added: 0, nothing written");
	exec(db, "COMMIT");
	rc = ftsbuild_write(b, db, "nosuch", &err);
	ok(rc == 0, "nothing added: 0 even outside a transaction, for any name");
	ftsbuild_free(b);
	ftsbuild_free(NULL);
	sqlite3_close(db);
}

/* A failure half way (a b-tree row already there) or on a corrupt
 * structure record leaves the caller's transaction as it was. */
static void test_failures(void)
{
	sqlite3 *db = fts_open(":memory:", (struct cfg){ 64, 16 });
	struct ftsbuild *b = ftsbuild_new();
	struct pv_err err;
	char t[100];
	int64_t i, before;
	int rc;

	exec(db, "BEGIN");
	insert_fts5(db, 1, 51);             /* segment 1 */
	exec(db, "COMMIT");
	exec(db, "BEGIN");
	insert_fts5(db, 51, 61);            /* pending in FTS5's hash: segment 2 */
	/* the builder's segment will be 3: the b-tree row of its first leaf,
	 * written once its second leaf is started, is taken */
	exec(db, "INSERT INTO fts_idx(segid, term, pgno) VALUES(3, x'', 2)");
	before = count(db, "SELECT count(*) FROM fts_data");
	for (i = 61; i < 200; i++) {
		snprintf(t, sizeof t, "all t%" PRId64 " %s", i, i % 2 ? "odd" : "even");
		ftsbuild_add(b, i, t, strlen(t));
	}
	rc = ftsbuild_write(b, db, "fts", &err);
	ok(rc == PV_ESTORE && strstr(err.msg, "UNIQUE"), "a failure half way: %s", err.msg);
	ok(count(db, "SELECT count(*) FROM fts_data WHERE id >> 37 = 3") == 0 &&
	   count(db, "SELECT count(*) FROM fts_data WHERE id >> 37 = 2") > 0 &&
	   count(db, "SELECT count(*) FROM fts_data") > before,
	   "... none of its rows kept, FTS5's pending inserts flushed and kept");
	exec(db, "DELETE FROM fts_idx WHERE segid = 3");
	insert_fts5(db, 200, 210);
	exec(db, "COMMIT");
	ok(count(db, "SELECT count(*) FROM fts WHERE fts MATCH 'all'") == 70 && integrity(db),
	   "... FTS5's inserts before and after it all found, integrity-check passes");

	/* a corrupt structure record */
	exec(db, "BEGIN");
	exec(db, "UPDATE fts_data SET block = x'0000000005' WHERE id = 10");
	ftsbuild_add(b, 500, "x", 1);
	rc = ftsbuild_write(b, db, "fts", &err);
	ok(rc == PV_ESTORE && strstr(err.msg, "corrupt structure"), "%s", err.msg);
	exec(db, "ROLLBACK");
	ok(integrity(db), "... integrity-check passes after the rollback");
	ftsbuild_free(b);
	sqlite3_close(db);
}

static void test_counters(void)
{
	struct ftsbuild *b = ftsbuild_new();
	sqlite3 *db = fts_open(":memory:", CFG_STORE);
	struct pv_err err;
	size_t m0 = ftsbuild_memory(b);

	ftsbuild_add(b, 1, "a b c", 5);
	ftsbuild_add(b, 2, "b c d d", 7);
	ftsbuild_add(b, 3, NULL, 0);
	ok(ftsbuild_rows(b) == 3 && ftsbuild_postings(b) == 6 && ftsbuild_terms(b) == 4,
	   "rows, postings, terms counted (%zu, %zu, %zu)", ftsbuild_rows(b),
	   ftsbuild_postings(b), ftsbuild_terms(b));
	ok(ftsbuild_memory(b) > m0, "memory grows (%zu bytes)", ftsbuild_memory(b));
	exec(db, "BEGIN");
	ok(ftsbuild_write(b, db, "fts", &err) == 0, "written");
	exec(db, "COMMIT");
	ok(ftsbuild_rows(b) == 0 && ftsbuild_memory(b) == m0, "emptied, memory freed");
	ftsbuild_add(b, 1, "e", 1);         /* rowids may start again after a write */
	exec(db, "BEGIN");
	ok(ftsbuild_write(b, db, "fts", &err) == 0, "a write with a lower rowid than before");
	exec(db, "COMMIT");
	ok(count(db, "SELECT count(*) FROM fts WHERE fts MATCH 'd'") == 1 &&
	   count(db, "SELECT count(*) FROM fts WHERE fts MATCH 'e'") == 1 && integrity(db),
	   "... both found");
	ftsbuild_free(b);
	sqlite3_close(db);
}

/* ---- speed ---- */

static void test_speed(void)
{
	struct corpus c = { 0 };
	struct ftsbuild *b;
	struct pv_err err;
	sqlite3 *db;
	size_t i, postings, n = valgrind ? 2000 : 25000, nref = valgrind ? 200 : 2500;
	double t0, t1, t2;
	int rc;

	corpus_zipf(&c, n, 350, 1000000, 1, 2);
	postings = corpus_postings(&c);
	db = fts_open(":memory:", CFG_STORE);
	b = ftsbuild_new();
	exec(db, "BEGIN");
	t0 = now_s();
	for (i = 0; i < c.n; i++)
		ftsbuild_add(b, c.rowid[i], c.terms[i], strlen(c.terms[i]));
	t1 = now_s();
	printf("# speed: %zu texts, %zu postings, %zu distinct terms, %zu MB held\n", c.n,
	       ftsbuild_postings(b), ftsbuild_terms(b), ftsbuild_memory(b) >> 20);
	rc = ftsbuild_write(b, db, "fts", &err);
	t2 = now_s();
	exec(db, "COMMIT");
	ok(rc == 0 && ftsbuild_rows(b) == 0, "speed corpus written");
	printf("# speed: add %.2f s (%.1f M postings/s), write %.2f s (%.1f M postings/s), "
	       "%lld leaves\n", t1 - t0, (double)postings / (t1 - t0) / 1e6, t2 - t1,
	       (double)postings / (t2 - t1) / 1e6,
	       (long long)count(db, "SELECT count(*) FROM fts_data WHERE id > 10"));
	ok(integrity(db), "speed corpus: integrity-check passes");
	ftsbuild_free(b);
	sqlite3_close(db);

	/* FTS5 itself on a tenth, for comparison */
	db = fts_open(":memory:", CFG_STORE);
	{
		size_t sub = 0;
		for (i = 0; i < nref; i++)
			for (const char *p = c.terms[i]; *p; p++)
				sub += (p == c.terms[i] || p[-1] == ' ') && *p != ' ';
		t0 = now_s();
		index_fts5(db, &c, 0, nref);
		t1 = now_s();
		printf("# speed: FTS5's own insert of the first %zu texts: %.2f s "
		       "(%.1f M postings/s)\n", nref, t1 - t0, (double)sub / (t1 - t0) / 1e6);
	}
	sqlite3_close(db);
	corpus_free(&c);
}

/* Runs a case and says how long it took (a diagnostic line). */
#define TIMED(f) do {                                                        \
	double t0_ = now_s();                                                \
	f();                                                                 \
	printf("# %s: %.2f s\n", #f, now_s() - t0_);                        \
} while (0)

int main(void)
{
	valgrind = getenv("PROVEX_VALGRIND") && *getenv("PROVEX_VALGRIND");
	TIMED(test_small);
	TIMED(test_counters);
	TIMED(test_errors);
	TIMED(test_common);
	TIMED(test_many_terms);
	TIMED(test_prefixes);
	TIMED(test_long_terms);
	test_utf8();
	TIMED(test_rowids);
	TIMED(test_segments);
	TIMED(test_optimize_promote);
	TIMED(test_zipf);
	TIMED(test_stale_structure);
	TIMED(test_defensive);
	TIMED(test_failures);
	TIMED(test_speed);
	return tap_done();
}
