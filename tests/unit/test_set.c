/*
 * test_set.c - the order a set's merge of its shards' selections relies on
 * (store_key_cmp, query.c): values of every storage class, integers and
 * reals side by side where a double cannot hold the integer, text and
 * blobs with bytes above 0x7f and common prefixes, sorted by
 * store_key_cmp and by SQLite's own ORDER BY, which must agree (ties, as
 * 3 and 3.0, broken by position in both).
 *
 * Then the review overlay (set.h): a one-shard set labelled through
 * set_label gets its minus and plus parts; their counts add up, and
 * counting by origin, source and label through them stays an index
 * lookup in the shard (EXPLAIN QUERY PLAN: no scan of the shard's docs,
 * only of review.pvx's small table).
 */
#include "config.h"
#include "../tap.h"
#include "../../store/store.h"
#include "../../store/store_int.h"
#include "../../store/set.h"
#include "../../store/filter.h"
#include "../../store/label.h"
#include "../../store/review.h"
#include "fixture.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct item {
	struct store_key k;
	int pos;
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int d = store_key_cmp(&x->k, &y->k);

	return d ? d : (x->pos > y->pos) - (x->pos < y->pos);
}

/* the values, as SQL literals */
/* SQLite's ORDER BY is the oracle for these; 2^53 + 1 (an integer no
 * double holds) is left out of it, as SQLite compares it with a real
 * through long double, which valgrind runs at double precision: the
 * comparator's answer for it is checked directly below. */
static const char *const values[] = {
	"NULL", "0", "-0.0", "1", "1.0", "0.5", "-1", "-1.5", "3", "3.0", "2.9999999",
	"9007199254740992", "9007199254740992.0",
	"9007199254740994.0", "9223372036854775807", "-9223372036854775808",
	"9.3e18", "-9.3e18", "1e300", "-1e300", "'a'", "'b'", "'ab'", "''",
	"'A'", "CAST(X'c3a9' AS TEXT)", "CAST(X'7a' AS TEXT)", "'10'", "'9'",
	"X''", "X'00'", "X'ff'", "X'0001'", "NULL", "'zz'", "-0.5", "2", "2.0",
};

/* the overlay's shard: 3000 documents, 600 under valgrind (PROVEX_VALGRIND),
 * enough for ANALYZE to make the planner prefer the indexes either way */
#define NDOCS 3000
#define NDOCS_VALGRIND 600
static int ndocs = NDOCS;

struct ov_docs {
	char text[120], ext[24], src[16];
};

static void ov_doc(int i, struct doc_in *d, void *ctx)
{
	static const char *const origins[] = { "real", "synthetic", "unknown" };
	struct ov_docs *b = ctx;

	snprintf(b->text, sizeof b->text, "document %d of the overlay test", i);
	snprintf(b->ext, sizeof b->ext, "e%d", i);
	snprintf(b->src, sizeof b->src, "src-%d", i % 7);
	d->id = SET_ID_STRIDE + d->rec + 1;
	d->ext_id = b->ext;
	d->text = b->text;
	d->len = strlen(b->text);
	d->origin = origins[i % 3];
	d->source = b->src;
}

/* A set of one shard in dir, to the contract (COMMON, README). */
static bool make_set(const char *dir)
{
	char file[512], done[512];
	struct ov_docs b;
	struct store *s;
	struct stat st;
	sqlite3 *db;
	FILE *fp;
	bool good;

	snprintf(file, sizeof file, "%s/shard-00000-of-00001.pvx", dir);
	snprintf(done, sizeof done, "%s/shard-00000-of-00001.done", dir);
	if (!(s = fx_store(file, ndocs, 1, true, ov_doc, &b)))
		return false;
	store_close(s);
	if (sqlite3_open(file, &db) != SQLITE_OK)
		return false;
	good = sqlite3_exec(db, "INSERT INTO meta VALUES('shard.rank','0'),"
			    "('shard.world_size','1'),('shard.listing',"
			    "'0123456789abcdef0123456789abcdef'); ANALYZE; "
			    "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	if (!good || stat(file, &st) != 0 || !(fp = fopen(done, "w")))
		return false;
	fprintf(fp, "{\"provex_shard\":1,\"rank\":0,\"world_size\":1,\"listing\":"
		"\"0123456789abcdef0123456789abcdef\",\"bytes\":%lld}\n",
		(long long)st.st_size);
	return fclose(fp) == 0;
}

/* Whether the plan of sql on part p reads the shard's docs by an index
 * (or the rowid) only: every SCAN is of review.pvx's docs (r). */
static bool indexed(const struct set_part *p, const char *sql, char *why, size_t n)
{
	char q[512];
	sqlite3_stmt *st;
	bool good = true;

	snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(p->s->db, q, -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, n, "%s", sqlite3_errmsg(p->s->db));
		return false;
	}
	sqlite3_bind_text(st, 1, "real", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, "keep", -1, SQLITE_STATIC);
	why[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);
		if (d && strncmp(d, "SCAN", 4) == 0 && strncmp(d, "SCAN r", 6) != 0 &&
		    strstr(d, "review.") == NULL) {
			snprintf(why, n, "%s", d);
			good = false;
		}
	}
	sqlite3_finalize(st);
	return good;
}

/* Two reviewers at once on one set (review.h): two handles, each with
 * its plan, their answers interleaved (each handle's parts holding their
 * read transactions on review.pvx while the other writes): every answer
 * recorded, in review.pvx, none lost. */
static void reviewers_tests(const char *dir)
{
	struct store_set *a = NULL, *b = NULL;
	struct review_plan pa, pb;
	struct review_recorded rec;
	struct filter_ast *ast = NULL;
	struct pv_err e;
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t i;
	bool good = true;
	int64_t n = -1;

	memset(&pa, 0, sizeof pa);
	memset(&pb, 0, sizeof pb);
	filter_parse("source:src-2 OR source:src-5", &ast, &e);
	ok(set_open(&a, dir, &e) == 0 && set_open(&b, dir, &e) == 0, "the set opened twice");
	if (!a || !b)
		goto out;
	ok(review_plan_make_set(a, "f", ast, REVIEW_PAIRS, "ann", 5, &pa, &e) == 0 &&
	   review_plan_make_set(b, "f", ast, REVIEW_PAIRS, "ben", 5, &pb, &e) == 0,
	   "a plan for each reviewer on the set");
	is_int((long long)pa.n, (long long)pb.n, "the same items (the same seed)");
	ok(pa.n >= 10, "ten items at least (%zu)", pa.n);
	for (i = 0; i < 10 && i < pa.n && good; i++) {
		good = review_record_set(a, &pa, i, i % 2 ? "left" : "right", 10, &rec, &e) == 0 &&
		       review_record_set(b, &pb, i, i % 3 ? "left" : "skip", 10, &rec, &e) == 0;
		if (!good)
			printf("# answer %zu: %s\n", i, e.msg);
	}
	ok(good, "twenty answers interleaved, each recorded");
	snprintf(path, sizeof path, "%s/review.pvx", dir);
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM review_answers", -1, &st,
			       NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	is_int((long long)n, 20, "review.pvx holds the twenty answers");
out:
	review_plan_done(&pa);
	review_plan_done(&pb);
	filter_free(ast);
	set_close(a);
	set_close(b);
}

static void overlay_tests(void)
{
	static const char *const counts[] = {
		"SELECT count(*) FROM docs d WHERE d.origin=?1",
		"SELECT count(*) FROM docs d WHERE d.source='src-3' AND d.len>10",
		"SELECT count(*) FROM docs d WHERE d.label=?2",
		"SELECT count(*) FROM docs d WHERE d.origin=?1 AND d.label IS NOT ?2",
	};
	char dir[] = "/tmp/provex-set.XXXXXX", why[256], cmd[600];
	struct store_set *set = NULL;
	struct filter_ast *ast = NULL;
	struct filter_sql *where = NULL;
	struct label_change ch[2] = { { LF_LABEL, "keep" }, { LF_ORIGIN, "synthetic" } };
	struct label_result res;
	struct pv_err e;
	int64_t n = 0;
	size_t k, q;
	/* document i is real when i % 3 == 0, of src-1 when i % 7 == 1: both
	 * when i % 21 == 15 (143 of 3000) */
	int nreal = (ndocs + 2) / 3, nrel = ndocs > 15 ? (ndocs - 16) / 21 + 1 : 0;

	if (!mkdtemp(dir) || !make_set(dir)) {
		ok(0, "a set of one shard made");
		return;
	}
	ok(set_open(&set, dir, &e) == 0, "a set of one shard opens");
	if (!set)
		return;
	is_int((long long)set_nparts(set), 1, "no review.pvx: one part, the shard");
	filter_parse("origin:real source:src-1", &ast, &e);
	ok(set_label(set, ast, ch, 2, "tester", NULL, "test", false, &res, &e) == 0,
	   "set_label relabels the set");
	is_int((long long)res.changed, nrel, "the real documents of src-1 (%d)", nrel);
	label_result_done(&res);
	filter_free(ast);
	set_close(set);
	set = NULL;

	ok(set_open(&set, dir, &e) == 0, "the set opens with its review.pvx");
	if (!set)
		return;
	is_int((long long)set_nparts(set), 3, "three parts: base, minus, plus");
	ok(set_part(set, 1)->sign == -1 && !set_part(set, 1)->listed &&
	   set_part(set, 2)->sign == 1 && set_part(set, 2)->listed,
	   "minus: sign -1, not listed; plus: sign +1, listed");
	/* document i (rec i) has id SET_ID_STRIDE + i + 1: 15 is real, src-1 */
	ok(!set_shadowed(set, set_part(set, 0), SET_ID_STRIDE + 2) &&
	   set_shadowed(set, set_part(set, 0), SET_ID_STRIDE + 16) &&
	   !set_shadowed(set, set_part(set, 2), SET_ID_STRIDE + 16),
	   "a relabelled document is shadowed in the base part only");
	filter_parse("origin:real", &ast, &e);
	set_filters(set, ast, &where, &e);
	set_count(set, where, &n, &e);
	is_int((long long)n, nreal - nrel, "count origin:real: the signed sum (%d - %d)",
	       nreal, nrel);
	set_filters_done(set, where);
	filter_free(ast);
	filter_parse("label:keep", &ast, &e);
	set_filters(set, ast, &where, &e);
	set_count(set, where, &n, &e);
	is_int((long long)n, nrel, "count label:keep: %d", nrel);
	set_filters_done(set, where);
	filter_free(ast);
	for (k = 0; k < 2; k++)
		for (q = 0; q < PV_ARRAY_LEN(counts); q++) {
			bool good = indexed(set_part(set, k), counts[q], why, sizeof why);
			ok(good, "%s part: %s: an index lookup, no scan of the shard%s%s",
			   k ? "minus" : "base", counts[q], why[0] ? ": " : "", why);
		}
	set_close(set);
	set = NULL;
	reviewers_tests(dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

int main(void)
{
	size_t n = PV_ARRAY_LEN(values), i;
	struct item *items = calloc(n, sizeof *items);
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[256];
	int bad = 0, rc;

	if (getenv("PROVEX_VALGRIND") && *getenv("PROVEX_VALGRIND"))
		ndocs = NDOCS_VALGRIND;

	ok(sqlite3_open(":memory:", &db) == SQLITE_OK, "an SQLite database in memory");
	sqlite3_exec(db, "CREATE TABLE v(pos INTEGER, x)", NULL, NULL, NULL);
	for (i = 0; i < n; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO v VALUES(%zu, %s)", i, values[i]);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			bad++;
	}
	is_int(bad, 0, "%zu values of every class stored", n);

	/* each value as a store_key, as store_cursor_next reads it */
	sqlite3_prepare_v2(db, "SELECT pos, x FROM v ORDER BY pos", -1, &st, NULL);
	i = 0;
	while (sqlite3_step(st) == SQLITE_ROW && i < n) {
		struct store_key *k = &items[i].k;
		items[i].pos = sqlite3_column_int(st, 0);
		k->type = sqlite3_column_type(st, 1);
		if (k->type == SQLITE_INTEGER)
			k->i = sqlite3_column_int64(st, 1);
		else if (k->type == SQLITE_FLOAT)
			k->d = sqlite3_column_double(st, 1);
		else if (k->type == SQLITE_TEXT || k->type == SQLITE_BLOB) {
			const void *p = k->type == SQLITE_TEXT ?
				(const void *)sqlite3_column_text(st, 1) :
				sqlite3_column_blob(st, 1);
			buf_append(&k->bytes, p, (size_t)sqlite3_column_bytes(st, 1));
		}
		i++;
	}
	sqlite3_finalize(st);
	is_int((long long)i, (long long)n, "every value read back");
	qsort(items, n, sizeof *items, item_cmp);

	for (int desc = 0; desc < 2; desc++) {
		size_t at = 0;
		int differ = -1;
		snprintf(sql, sizeof sql, "SELECT pos FROM v ORDER BY x %s, pos %s",
			 desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
		sqlite3_prepare_v2(db, sql, -1, &st, NULL);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && at < n) {
			size_t j = desc ? n - 1 - at : at;
			if (differ < 0 && sqlite3_column_int(st, 0) != items[j].pos)
				differ = (int)at;
			at++;
		}
		sqlite3_finalize(st);
		ok(differ < 0 && at == n, "store_key_cmp orders as SQLite's ORDER BY x %s "
		   "(first difference at %d)", desc ? "DESC" : "ASC", differ);
	}

	/* the edges, one by one */
	{
		struct store_key a = { SQLITE_INTEGER, 9007199254740993LL, 0, BUF_INIT };
		struct store_key b = { SQLITE_FLOAT, 0, 9007199254740992.0, BUF_INIT };
		struct store_key z = { SQLITE_NULL, 0, 0, BUF_INIT };
		ok(store_key_cmp(&a, &b) > 0, "2^53 + 1 (integer) after 2^53 (real), "
		   "which a double cannot tell apart");
		ok(store_key_cmp(&b, &a) < 0, "and the other way round");
		ok(store_key_cmp(&z, &b) < 0 && store_key_cmp(&z, &z) == 0, "NULL first, "
		   "equal to NULL");
	}

	for (i = 0; i < n; i++)
		buf_done(&items[i].k.bytes);
	free(items);
	sqlite3_close(db);
	overlay_tests();
	return tap_done();
}
