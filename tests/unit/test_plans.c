/*
 * test_plans.c - the query plans SQLite picks for provex's queries do not
 * depend on the size of the store.  SQLite chooses join orders and indexes
 * from sqlite_stat1; a store of 3M documents whose texts had no statistics
 * made it scan every text and sort the result for each page.  Here the
 * statistics of a small store are replaced, by writing sqlite_stat1 rows
 * directly, with those of
 *
 *   small   the store's own (ANALYZE of 600 documents);
 *   huge    10M documents, 9M texts, 20 inputs;
 *   old     huge docs and nothing else (what index runs left before texts
 *           had statistics);
 *   none    no statistics at all;
 *
 * and every statement the store runs for a page (each sort, both
 * directions, first, last, after and before a row, with field, file,
 * text-column and full-text filters), a position, a count, a listing and
 * an export (and provex stats's, with statistics) is captured with
 * sqlite3_trace_v2 (bound values expanded) and its EXPLAIN QUERY PLAN
 * read: texts is never scanned (only looked up by its primary key, docs
 * being the outer loop), and a page in an order an
 * index of docs holds (id, len, ext, generator, purpose) walks that index
 * from its key, never sorting the whole store (USE TEMP B-TREE FOR ORDER
 * BY), unfiltered and with a full-text word always, and by id with
 * origin:synthetic once the statistics say the store is big.
 *
 * Then store_stats_refresh: a store opened for writing gets statistics
 * for texts and inputs without docs being analysed again, an index run's
 * end renews docs after it grew by more than 10% and not after less, and
 * an opening does not wait for another writer's lock.
 */
#include "config.h"
#include "../tap.h"
#include "fixture.h"
#include "store/store_int.h"
#include "store/filter.h"
#include "store/browse.h"
#include "store/export.h"
#include "store/stats.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/provex-plans-XXXXXX";
/* Under valgrind (PROVEX_VALGRIND set): the huge and old statistics only,
 * and half of the sorts (a quarter of the statements, ~10 s). */
static bool valgrind;

#define NDOCS 600
#define STR_(x) #x
#define STR(x) STR_(x)

static char *path(const char *name)
{
	static char p[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
	return p[i];
}

/* Runs sql on a connection of its own to file; false (with a diagnostic)
 * on failure. */
static bool exec_file(const char *file, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	int rc;

	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		printf("# cannot open %s\n", file);
		return false;
	}
	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		printf("# %s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK;
}

/* The first column of the first row of sql on file, as a new string
 * ("(no row)" or the error when none). */
/*
 * A store of NDOCS documents from two inputs, one transaction.  Document i
 * (1-based): origin real, synthetic or unknown by i % 3; source src-(i %
 * 7), NULL for every third; generator gen-(i % 3), NULL for every fifth;
 * purpose p-(i % 4); every fourth text holds "kernel"; every tenth repeats
 * the text of the document before it (a duplicate).  Closed on return.
 */
struct plans_docs {
	char text[200], ext[24], src[16], gen[16], pur[16];
};

static void plans_doc(int i, struct doc_in *d, void *ctx)
{
	static const char *const origins[] = { "real", "synthetic", "unknown" };
	struct plans_docs *b = ctx;
	int t = i % 10 == 0 ? i - 1 : i;       /* the text's number */

	snprintf(b->text, sizeof b->text, "document %d about %s with %d words "
		 "and more words than that", t, t % 4 == 0 ? "the kernel" :
		 "nothing", t % 13);
	snprintf(b->ext, sizeof b->ext, "e%d", i);
	snprintf(b->src, sizeof b->src, "src-%d", i % 7);
	snprintf(b->gen, sizeof b->gen, "gen-%d", i % 3);
	snprintf(b->pur, sizeof b->pur, "p-%d", i % 4);
	d->ext_id = b->ext;
	d->text = b->text;
	d->len = strlen(b->text);
	d->origin = origins[i % 3];
	d->source = i % 3 == 0 ? NULL : b->src;
	d->generator = i % 5 == 0 ? NULL : b->gen;
	d->purpose = b->pur;
}

static bool make_store(const char *file)
{
	struct plans_docs b;
	struct store *s = fx_store(file, NDOCS, 2, false, plans_doc, &b);
	bool good = s != NULL;

	store_close(s);
	return good;
}

/* ---- statistics written directly ---- */

enum variant { V_SMALL, V_HUGE, V_OLD, V_NONE, V_N };
static const char *const vname[V_N] = { "small", "huge", "old", "none" };

/* The statistics of a store of 10M documents, 9M distinct texts from 20
 * inputs, with the value spread of the test store (3 origins, 7 sources,
 * 3 generators, 4 purposes, unique ext ids, ~20 lengths), as ANALYZE
 * writes them. */
static const char huge_stats[] =
	"DELETE FROM sqlite_stat1;"
	"INSERT INTO sqlite_stat1 VALUES"
	"('docs','docs_occurrence','10000000 500000 1 1'),"
	"('docs','docs_text','10000000 2'),"
	"('docs','docs_ext','10000000 1'),"
	"('docs','docs_generator','10000000 2500000'),"
	"('docs','docs_purpose','10000000 2500000'),"
	"('docs','docs_label','10000000 10000000'),"
	"('docs','docs_origin_len','10000000 3333334 500000'),"
	"('docs','docs_source_len','10000000 1250000 60000'),"
	"('docs','docs_len','10000000 500000'),"
	"('texts','texts_hash','9000000 1'),"
	"('inputs','sqlite_autoindex_inputs_1','20 1 1');";

/* Writes the statistics of variant v into the store file. */
static bool set_stats(const char *file, enum variant v)
{
	switch (v) {
	case V_SMALL:
		return exec_file(file, "ANALYZE");
	case V_HUGE:
		return exec_file(file, "ANALYZE") && exec_file(file, huge_stats);
	case V_OLD:
		return exec_file(file, "ANALYZE") && exec_file(file, huge_stats) &&
		       exec_file(file, "DELETE FROM sqlite_stat1 WHERE tbl<>'docs'");
	default:
		return exec_file(file, "ANALYZE") &&
		       exec_file(file, "DELETE FROM sqlite_stat1");
	}
}

/* ---- statements captured, and their plans ---- */

struct capture {
	char **sql;           /* owned, each owned: expanded SQL, no repeats */
	size_t n, cap;
	bool on;
};

static int trace_cb(unsigned type, void *ctx, void *p, void *x)
{
	struct capture *c = ctx;
	const char *raw = x;
	char *sql;
	size_t i;

	if (type != SQLITE_TRACE_STMT || !c->on || !raw || strncmp(raw, "--", 2) == 0)
		return 0;
	sql = sqlite3_expanded_sql(p);
	for (i = 0; i < c->n; i++)
		if (strcmp(c->sql[i], sql ? sql : raw) == 0)
			break;
	if (i == c->n) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			c->sql = pv_realloc(c->sql, c->cap * sizeof *c->sql);
		}
		c->sql[c->n++] = pv_strdup(sql ? sql : raw);
	}
	sqlite3_free(sql);
	return 0;
}

static void capture_clear(struct capture *c)
{
	while (c->n)
		free(c->sql[--c->n]);
}

/* The plan of sql on db, one detail per line, in a new string. */
static char *plan_of(sqlite3 *db, const char *sql)
{
	struct buf b = BUF_INIT, q = BUF_INIT;
	sqlite3_stmt *st;
	char *out;

	buf_printf(&q, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, buf_str(&q), -1, &st, NULL) != SQLITE_OK) {
		buf_printf(&b, "(cannot explain: %s)", sqlite3_errmsg(db));
	} else {
		while (sqlite3_step(st) == SQLITE_ROW)
			buf_printf(&b, "%s\n", (const char *)sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
	}
	buf_done(&q);
	out = pv_strdup(buf_str(&b));
	buf_done(&b);
	return out;
}

/* True when a line of plan starts with what. */
static bool has_line(const char *plan, const char *what)
{
	size_t n = strlen(what);
	const char *p = plan;

	while (*p) {
		if (strncmp(p, what, n) == 0 && (p[n] == '\n' || p[n] == ' ' || !p[n]))
			return true;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return false;
}

struct ctx {
	struct store *s;
	struct capture cap;
	enum variant v;
	int checked;           /* statements whose plans were read */
};

/*
 * Reads the plans of the statements captured since the last call (those
 * that read docs), and checks them: texts is never scanned, and with walk,
 * no statement sorts its rows for ORDER BY.  One TAP line for them all,
 * named name; the first offending plan is printed.
 */
static void check_plans(struct ctx *c, const char *name, bool walk)
{
	bool good = true;
	size_t i;
	int n = 0;

	c->cap.on = false;
	for (i = 0; i < c->cap.n; i++) {
		const char *sql = c->cap.sql[i];
		char *plan;
		bool bad;

		if (!strstr(sql, "FROM docs d"))
			continue;
		plan = plan_of(c->s->db, sql);
		n++;
		bad = has_line(plan, "SCAN t") || strstr(plan, "cannot explain") ||
		      (walk && (has_line(plan, "USE TEMP B-TREE FOR ORDER BY") ||
				has_line(plan, "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY")));
		if (bad && good) {
			char *p;

			for (p = plan; (p = strchr(p, '\n')) && p[1]; p++)
				*p = ';';     /* one diagnostic line */
			printf("# %s\n#   %s\n#   plan: %s", name, sql, plan);
		}
		good &= !bad;
		free(plan);
	}
	ok(good && n > 0, "[%s] %s: %d plan%s %s", vname[c->v], name, n,
	   n == 1 ? "" : "s", walk ? "walk an index, texts looked up" :
	   "look texts up");
	c->checked += n;
	capture_clear(&c->cap);
	c->cap.on = true;
}

static int compile(const char *text, struct filter_sql *sql)
{
	struct filter_ast *ast = NULL;
	struct pv_err e;
	int rc = filter_parse(text, &ast, &e);

	memset(sql, 0, sizeof *sql);
	if (rc) {
		printf("# filter %s: %s\n", text, e.msg);
		return rc;
	}
	rc = filter_compile(ast, sql);
	filter_free(ast);
	return rc;
}

/* Every sort field; under valgrind the even ones (id, len, generator,
 * words, ext, score). */
static const char *const sorts[] = {
	"id", "dup", "len", "ratio", "generator", "origin", "words", "source",
	"ext", "purpose", "score", "file",
};

/* Sorts whose order an index of docs holds, (value, id): a page is a walk
 * of it from the key. */
static bool indexed_sort(const char *sort)
{
	return strcmp(sort, "id") == 0 || strcmp(sort, "len") == 0 ||
	       strcmp(sort, "ext") == 0 || strcmp(sort, "generator") == 0 ||
	       strcmp(sort, "purpose") == 0;
}

static const struct {
	const char *filter;
	int walk;     /* 0: SQLite may sort; 1: walks always; 2: once huge */
} filters[] = {
	{ "", 1 },
	{ "kernel", 1 },                       /* full text */
	{ "\"the kernel\"", 1 },               /* a phrase: fts and pv_phrase */
	{ "origin:synthetic", 2 },             /* a third of the store */
	{ "origin:synthetic kernel", 2 },
	{ "source:src-1*", 0 },
	{ "words:>5", 0 },                     /* a column of texts */
	{ "file:more*", 0 },                   /* a column of inputs */
	{ "purpose:p-1 len:>40", 0 },
};

/* Every page query of one sort, direction and filter: the first and last
 * pages, the page after the first page's third row and the page before
 * it, and the positions of that row. */
static void pages(struct ctx *c, const char *sort, bool desc, int fi)
{
	static const enum browse_dir dirs[] = { BROWSE_FIRST, BROWSE_LAST };
	const char *f = filters[fi].filter;
	struct filter_sql sql, *where = NULL;
	struct browse_page p;
	struct browse_key key = { .type = SQLITE_NULL };
	struct pv_err e;
	bool walk, have_key = false, good = true;
	char name[160];
	int64_t pos;
	size_t k;

	/* With a field filter SQLite walks the id order once the statistics
	 * say the store is big; in another order it takes the filter's index
	 * and sorts what it selects, at any size (SQLite's planner does not
	 * weigh LIMIT), which is no flip: not checked. */
	walk = indexed_sort(sort) && (filters[fi].walk == 1 ||
		(filters[fi].walk == 2 && (c->v == V_HUGE || c->v == V_OLD) &&
		 strcmp(sort, "id") == 0));
	if (*f) {
		if (compile(f, &sql)) {
			ok(0, "[%s] filter %s compiles", vname[c->v], f);
			return;
		}
		where = &sql;
	}
	for (k = 0; k < PV_ARRAY_LEN(dirs); k++) {
		if (browse_fetch(c->s, where, sort, desc, dirs[k], NULL, 4, &p, &e)) {
			printf("# %s\n", e.msg);
			good = false;
			continue;
		}
		if (dirs[k] == BROWSE_FIRST && p.n >= 3) {
			browse_key_copy(&key, &p.rows[2].key);
			have_key = true;
		}
		browse_page_done(&p);
	}
	if (have_key) {
		if (browse_fetch(c->s, where, sort, desc, BROWSE_AFTER, &key, 4, &p, &e) ||
		    (browse_page_done(&p), 0) ||
		    browse_fetch(c->s, where, sort, desc, BROWSE_BEFORE, &key, 4, &p, &e) ||
		    (browse_page_done(&p), 0) ||
		    browse_position(c->s, where, sort, desc, &key, &pos, &e)) {
			printf("# %s\n", e.msg);
			good = false;
		}
	}
	browse_key_done(&key);
	snprintf(name, sizeof name, "pages by %s%s [%s]", sort, desc ? " desc" : "", f);
	ok(good, "[%s] %s: fetched", vname[c->v], name);
	check_plans(c, name, walk);
	if (where)
		filter_sql_done(&sql);
}

static int count_rows(void *ctx, const struct doc_row *row)
{
	(void)row;
	++*(int *)ctx;
	return 0;
}

/* A count, a listing (ls) and an export's selection of one filter. */
static void others(struct ctx *c, int fi)
{
	const char *f = filters[fi].filter;
	struct filter_sql sql, *where = NULL;
	struct export_cands ec;
	struct pv_err e;
	char name[160];
	int64_t n = -1;
	int listed = 0, rc;

	if (*f) {
		if (compile(f, &sql)) {
			ok(0, "[%s] filter %s compiles", vname[c->v], f);
			return;
		}
		where = &sql;
	}
	snprintf(name, sizeof name, "count [%s]", f);
	rc = store_count(c->s, where, &n, &e);
	ok(rc == 0 && n > 0, "[%s] %s: %lld", vname[c->v], name, (long long)n);
	check_plans(c, name, false);

	snprintf(name, sizeof name, "ls --limit 3 [%s]", f);
	rc = store_select(c->s, where, "id", false, 3, count_rows, &listed, &e);
	ok(rc == 0 && listed == 3, "[%s] %s: %d rows", vname[c->v], name, listed);
	/* unfiltered, the id order is walked; a full-text listing looks its
	 * matches up and sorts them (a listing reads them all) */
	check_plans(c, name, !*f);

	memset(&ec, 0, sizeof ec);
	snprintf(name, sizeof name, "export [%s]", f);
	rc = export_candidates(c->s, where, false, NULL, NULL, 0, &ec, &e);
	ok(rc == 0 && ec.n > 0, "[%s] %s: %zu documents", vname[c->v], name, ec.n);
	export_cands_done(&ec);
	check_plans(c, name, false);

	/* provex stats: store/stats.c joins texts with a plain JOIN, so its
	 * plans follow the statistics, which a store opened for writing
	 * always has (store_stats_refresh); read-only, an older store's (or
	 * one with none) may scan texts: checked with statistics only */
	snprintf(name, sizeof name, "stats --by source [%s]", f);
	if (c->v == V_SMALL || c->v == V_HUGE) {
		struct stats st;

		rc = stats_compute(c->s, where, "source", &st, &e);
		ok(rc == 0 && st.docs > 0, "[%s] %s: %lld documents", vname[c->v], name,
		   (long long)(rc == 0 ? st.docs : 0));
		if (rc == 0)
			stats_done(&st);
		check_plans(c, name, false);
	}
	if (where)
		filter_sql_done(&sql);
}

static void test_variant(const char *file, enum variant v)
{
	struct ctx c;
	struct pv_err e;
	size_t si, fi;
	int d;

	memset(&c, 0, sizeof c);
	c.v = v;
	if (!set_stats(file, v) || store_open(&c.s, file, STORE_READ, &e)) {
		ok(0, "[%s] statistics written and store opened", vname[v]);
		return;
	}
	sqlite3_trace_v2(c.s->db, SQLITE_TRACE_STMT, trace_cb, &c.cap);
	c.cap.on = true;
	for (si = 0; si < PV_ARRAY_LEN(sorts); si += valgrind ? 2 : 1)
		for (d = 0; d < 2; d++)
			for (fi = 0; fi < PV_ARRAY_LEN(filters); fi++)
				pages(&c, sorts[si], d, (int)fi);
	for (fi = 0; fi < PV_ARRAY_LEN(filters); fi++)
		others(&c, (int)fi);
	c.cap.on = false;
	sqlite3_trace_v2(c.s->db, 0, NULL, NULL);
	printf("# [%s] %d plans read\n", vname[v], c.checked);
	capture_clear(&c.cap);
	free(c.cap.sql);
	store_close(c.s);
}

/* ---- store_stats_refresh ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void is_q(const char *file, const char *sql, const char *want, const char *name)
{
	char *got = fx_q(file, sql);
	is_str(got, want, "%s", name);
	free(got);
}

static void test_refresh(const char *file)
{
	struct store *s = NULL;
	struct pv_err e;
	sqlite3 *lock;
	double t0;
	char want[32];

	/* a store as older index runs left it: docs analysed, nothing else;
	 * docs_len's row is changed by a little, which a new ANALYZE of docs
	 * would undo */
	ok(exec_file(file, "ANALYZE; DELETE FROM sqlite_stat1 WHERE tbl<>'docs'; "
		     "UPDATE sqlite_stat1 SET stat='700 9' WHERE idx='docs_len'"),
	   "an old store's statistics");
	ok(store_open(&s, file, STORE_READ, &e) == 0, "opened read-only");
	store_close(s);
	is_q(file, "SELECT count(*) FROM sqlite_stat1 WHERE tbl<>'docs'", "0",
	     "a read-only opening writes no statistics");
	ok(store_open(&s, file, STORE_WRITE, &e) == 0, "opened for writing");
	snprintf(want, sizeof want, "%d 1", NDOCS - NDOCS / 10);
	is_q(file, "SELECT stat FROM sqlite_stat1 WHERE tbl='texts' AND "
	     "idx='texts_hash'", want,
	     "opening for writing: texts get statistics (rows, unique hash)");
	is_q(file, "SELECT stat FROM sqlite_stat1 WHERE tbl='inputs'", "2 1 1",
	     "... and inputs (ANALYZE)");
	is_q(file, "SELECT stat FROM sqlite_stat1 WHERE idx='docs_len'",
	     "700 9", "... docs is not analysed again (its size is within 100% "
	     "of the recorded one)");
	/* the planner of this connection reads them at once */
	{
		char *plan = plan_of(s->db, "SELECT d.id FROM docs d JOIN texts t ON "
				     "t.id=d.text_id ORDER BY d.id LIMIT 5");
		ok(!has_line(plan, "SCAN t") && !strstr(plan, "TEMP B-TREE"),
		   "a plain JOIN walks docs with those statistics");
		if (has_line(plan, "SCAN t"))
			printf("# %s\n", plan);
		free(plan);
	}
	/* an index run's end: docs moved by less than 10%, then by more */
	ok(exec_file(file, "UPDATE sqlite_stat1 SET stat='" STR(NDOCS) " 9' "
		     "WHERE idx='docs_len'"), "docs_len says " STR(NDOCS) " 9");
	ok(store_stats_refresh(s, STORE_STATS_RUN, &e) == 0, "refresh at 10%%");
	is_q(file, "SELECT stat FROM sqlite_stat1 WHERE idx='docs_len'",
	     STR(NDOCS) " 9", "... the same size: docs kept");
	ok(exec_file(file, "UPDATE sqlite_stat1 SET stat='500 9' WHERE tbl='docs'"),
	   "docs said 500");
	ok(store_stats_refresh(s, STORE_STATS_RUN, &e) == 0, "refresh at 10%%");
	is_q(file, "SELECT count(*) FROM sqlite_stat1 WHERE tbl='docs' AND "
	     "stat LIKE '" STR(NDOCS) " %'", "9",
	     "... 20% more documents: every index of docs analysed again");
	store_close(s);

	/* another writer holds the lock: the opening does not wait for it */
	ok(exec_file(file, "DELETE FROM sqlite_stat1 WHERE tbl='texts'"),
	   "texts without statistics");
	if (sqlite3_open_v2(file, &lock, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		ok(0, "a second writer takes the lock");
		sqlite3_close(lock);
		return;
	}
	t0 = now_s();
	ok(store_open(&s, file, STORE_WRITE, &e) == 0, "opened for writing while "
	   "another writer holds the lock");
	ok(now_s() - t0 < 10, "... in %.2f s (the busy timeout is 60 s)", now_s() - t0);
	store_close(s);
	sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(lock);
	is_q(file, "SELECT count(*) FROM sqlite_stat1 WHERE tbl='texts'", "0",
	     "... and left the statistics to the next opening");
	ok(store_open(&s, file, STORE_WRITE, &e) == 0, "opened again");
	store_close(s);
	is_q(file, "SELECT count(*) FROM sqlite_stat1 WHERE tbl='texts'", "1",
	     "... which wrote them");
}

int main(void)
{
	enum variant v;
	char cmd[300];
	int rc;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	if (!make_store(path("p.pvx"))) {
		ok(0, "the store is made");
		return tap_done();
	}
	valgrind = getenv("PROVEX_VALGRIND") && *getenv("PROVEX_VALGRIND");
	for (v = 0; v < V_N; v++)
		if (!valgrind || v == V_HUGE || v == V_OLD)
			test_variant(path("p.pvx"), v);
	test_refresh(path("p.pvx"));
	rc = tap_done();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return rc;
}
