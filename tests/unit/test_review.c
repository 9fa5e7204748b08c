/*
 * test_review.c - blind review: the statistics against hand-computed
 * values (Wilson intervals, Cohen's and Fleiss' kappa), the items of a
 * session (pairs from the pairs table first, then by source and length;
 * no identical texts; empty documents left out; deterministic from the
 * seed), answers with their truth, resuming, a store relabelled during a
 * session, the report and is:disputed, and the review view drawn
 * headless (provenance hidden, keys, progress).
 */
#include "tui/tui.h"
#include "store/review.h"
#include "store/label.h"
#include "cli/cli.h"
#include "../tap.h"
#include "fixture.h"

#include <curses.h>
#include <locale.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/provex-review-XXXXXX";
static char path[256], path2[256], path3[256];

#define NDOCS 17

/* id: origin, source, generator, length (0: whitespace only; < 0: the
 * text of document -length) */
static const struct {
	const char *origin, *source, *generator;
	int len;
} fixture[NDOCS] = {
	/*  1 */ { "real", "news", NULL, 30 },
	/*  2 */ { "real", "news", NULL, 100 },
	/*  3 */ { "real", "news", NULL, 300 },
	/*  4 */ { "real", "forum", NULL, 100 },
	/*  5 */ { "synthetic", "news", "gpt-x", 95 },
	/*  6 */ { "synthetic", "news", "gpt-x", 290 },
	/*  7 */ { "synthetic", "forum", "llama", 40 },
	/*  8 */ { "synthetic", "books", "llama", 35 },
	/*  9 */ { "synthetic", "news", "gpt-x", 0 },
	/* 10 */ { "real", "news", NULL, 50 },       /* the same text as 11 */
	/* 11 */ { "synthetic", "news", "gpt-x", -10 },
	/* 12 */ { "real", "news", NULL, -3 },       /* a duplicate of 3 */
	/* 13 */ { "real", "forum", NULL, 200 },
	/* 14 */ { "synthetic", "news", "gpt-x", 210 },
	/* 15 */ { "real", "books", NULL, 60 },
	/* 16 */ { "synthetic", "forum", "llama", 65 },
	/* 17 */ { "real", "forum", NULL, 400 },
};

/* Document n's text: "dN alpha beta..." cut to len bytes (no provenance
 * words in it: the view test looks for them). */
static void text_of(int n, char *out, size_t size)
{
	static const char words[] = "alpha beta gamma delta epsilon zeta eta theta iota kappa ";
	int len = fixture[n - 1].len, k;
	size_t i;

	if (len < 0) {
		text_of(-len, out, size);
		return;
	}
	if (len == 0) {
		snprintf(out, size, "   \n\t  ");
		return;
	}
	k = snprintf(out, size, "d%d ", n);
	for (i = (size_t)k; i < (size_t)len && i + 1 < size; i++)
		out[i] = words[(i - (size_t)k) % (sizeof words - 1)];
	out[i] = 0;
}

struct review_docs {
	char ext[16], text[512];
};

static void review_doc(int i, struct doc_in *d, void *ctx)
{
	struct review_docs *b = ctx;

	text_of(i, b->text, sizeof b->text);
	snprintf(b->ext, sizeof b->ext, "e%d", i);
	d->ext_id = b->ext;
	d->text = b->text;
	d->len = strlen(b->text);
	d->origin = fixture[i - 1].origin;
	d->source = fixture[i - 1].source;
	d->generator = fixture[i - 1].generator;
}

static int make_store(const char *p)
{
	struct review_docs b;
	struct store *s = fx_store(p, NDOCS, 1, true, review_doc, &b);
	sqlite3 *db;
	int i;

	if (!s)
		return -1;
	store_close(s);
	/* the pairs table, as provex pairs and --pair-field fill it */
	if (sqlite3_open(p, &db) != SQLITE_OK)
		return -1;
	i = sqlite3_exec(db, "INSERT INTO pairs(a, b, kind, sim) VALUES "
			 "(13, 14, 'declared', NULL), (15, 16, 'found', 0.8), "
			 "(4, 16, 'found', 0.5), (10, 11, 'declared', NULL), "
			 "(3, 12, 'found', 1.0)", NULL, NULL, NULL);
	sqlite3_close(db);
	return i == SQLITE_OK ? 0 : -1;
}

/* ---- statistics ---- */

static bool near(double a, double b, double eps)
{
	return fabs(a - b) < eps;
}

static void test_wilson(void)
{
	double lo, hi;

	review_wilson(81, 100, 1.959964, &lo, &hi);
	ok(near(lo, 0.722, 0.0005) && near(hi, 0.875, 0.0005),
	   "Wilson 81/100: [0.722, 0.875] (got [%.4f, %.4f])", lo, hi);
	review_wilson(50, 100, 1.959964, &lo, &hi);
	ok(near(lo, 0.4038, 0.0005) && near(hi, 0.5962, 0.0005) && near(lo + hi, 1, 1e-9),
	   "Wilson 50/100: [0.404, 0.596], symmetric (got [%.4f, %.4f])", lo, hi);
	review_wilson(0, 10, 1.959964, &lo, &hi);
	ok(lo == 0 && near(hi, 0.2775, 0.0005), "Wilson 0/10: [0, 0.278] (got [%.4f, %.4f])",
	   lo, hi);
	review_wilson(10, 10, 1.959964, &lo, &hi);
	ok(near(lo, 0.7225, 0.0005) && near(hi, 1, 1e-9), "Wilson 10/10: [0.722, 1] (got [%.4f, %.4f])",
	   lo, hi);
	review_wilson(0, 0, 1.959964, &lo, &hi);
	ok(lo == 0 && hi == 1, "Wilson with no answers: [0, 1]");
}

static void test_cohen(void)
{
	int a[50], b[50], i, n = 0;
	double k = 0;
	bool def;

	/* the textbook table: yes/yes 20, yes/no 5, no/yes 10, no/no 15:
	 * po = 0.7, pe = 0.5*0.6 + 0.5*0.4 = 0.5, kappa = 0.4 */
	for (i = 0; i < 20; i++, n++) a[n] = 0, b[n] = 0;
	for (i = 0; i < 5; i++, n++) a[n] = 0, b[n] = 1;
	for (i = 0; i < 10; i++, n++) a[n] = 1, b[n] = 0;
	for (i = 0; i < 15; i++, n++) a[n] = 1, b[n] = 1;
	def = review_cohen(a, b, 50, 2, &k);
	ok(def && near(k, 0.4, 1e-9), "Cohen's kappa 0.4 (got %.4f)", k);
	ok(review_cohen(a, a, 50, 2, &k) && near(k, 1, 1e-9), "perfect agreement: 1");
	/* a: 0 0 1 1, b: 1 1 0 0: po = 0, pe = 0.5: kappa = -1 */
	{
		int x[4] = { 0, 0, 1, 1 }, y[4] = { 1, 1, 0, 0 };
		def = review_cohen(x, y, 4, 2, &k);
		ok(def && near(k, -1, 1e-9), "complete disagreement: -1 (got %.4f)", k);
	}
	{
		int x[3] = { 0, 0, 0 };
		ok(!review_cohen(x, x, 3, 2, &k), "undefined when both always say the same");
	}
	ok(!review_cohen(a, b, 0, 2, &k), "undefined with no items");
}

static void test_fleiss(void)
{
	/* the worked example of Fleiss (1971) as usually quoted: 10 subjects,
	 * 14 raters, 5 categories; P = 0.378, Pe = 0.213, kappa = 0.210 */
	static const int counts[] = {
		0, 0, 0, 0, 14,   0, 2, 6, 4, 2,   0, 0, 3, 5, 6,   0, 3, 9, 2, 0,
		2, 2, 8, 1, 1,    7, 7, 0, 0, 0,   3, 2, 6, 3, 0,   2, 5, 3, 2, 2,
		6, 5, 2, 1, 0,    0, 2, 2, 3, 7,
	};
	/* three raters, two categories, by hand:
	 * unit 1: 3/0 (P=1), unit 2: 2/1 (P=1/3), unit 3: 0/3 (P=1),
	 * unit 4: 1/0 (one rater: ignored); P = 7/9; p = (5/9, 4/9),
	 * Pe = 41/81; kappa = (7/9 - 41/81) / (40/81) = 22/40 = 0.55 */
	static const int small[] = { 3, 0, 2, 1, 0, 3, 1, 0 };
	static const int same[] = { 3, 0, 2, 0 };
	double k = 0;
	bool def;

	def = review_fleiss(counts, 10, 5, &k);
	ok(def && near(k, 0.2099, 0.0005), "Fleiss' kappa of the textbook example: 0.210 "
	   "(got %.4f)", k);
	def = review_fleiss(small, 4, 2, &k);
	ok(def && near(k, 0.55, 1e-9), "Fleiss' kappa by hand, an item with one rater "
	   "ignored: 0.55 (got %.4f)", k);
	ok(!review_fleiss(same, 2, 2, &k), "undefined when every rating is the same");
	ok(!review_fleiss(small + 6, 1, 2, &k), "undefined with no item rated twice");
}

/* ---- items ---- */

static bool has_item(const struct review_plan *p, int64_t x, int64_t y, enum review_kind k)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (((p->items[i].left == x && p->items[i].right == y) ||
		     (p->items[i].left == y && p->items[i].right == x)) && p->items[i].kind == k)
			return true;
	return false;
}

static bool compile(const char *text, struct filter_sql *out)
{
	struct filter_ast *ast = NULL;
	struct pv_err e;
	bool ok_ = filter_parse(text, &ast, &e) == 0 && filter_compile(ast, out) == 0;

	filter_free(ast);
	return ok_;
}

static void test_items(struct store *s)
{
	struct review_plan p, q;
	struct filter_sql all;
	struct pv_err e;
	size_t i;
	bool same_order = true, seen[NDOCS + 1] = { false }, twice = false, mixed = true;
	int rc;

	memset(&p, 0, sizeof p);
	memset(&q, 0, sizeof q);
	compile("", &all);
	rc = review_items_build(s, &all, REVIEW_PAIRS, 42, &p, &e);
	is_int(rc, 0, "pairs are built");
	is_int(p.n, 6, "six pairs: as many as there are synthetic documents");
	is_int(p.nreal, 7, "seven real documents (a duplicate text and an ambiguous one out)");
	is_int(p.nsynth, 6, "six synthetic ones (an empty one and an ambiguous one out)");
	is_int(p.nempty, 1, "the whitespace-only document is counted as left out");
	is_int(p.nambiguous, 2, "the text both real and synthetic: two documents left out");
	is_int(p.ntable, 2, "two pairs from the pairs table");
	ok(has_item(&p, 13, 14, RK_DECLARED), "the declared pair comes from the table");
	ok(has_item(&p, 15, 16, RK_FOUND), "the found pair with the higher similarity too");
	ok(!has_item(&p, 4, 16, RK_FOUND), "not the one whose synthetic document is taken");
	ok(has_item(&p, 2, 5, RK_MATCHED), "synthetic news 95 B: real news of 100 B");
	ok(has_item(&p, 3, 6, RK_MATCHED), "synthetic news 290 B: real news of 300 B");
	ok(has_item(&p, 4, 7, RK_MATCHED),
	   "synthetic forum 40 B: the real forum one (100 B), not a nearer-length one of news");
	ok(has_item(&p, 1, 8, RK_MATCHED),
	   "synthetic books (no real books left): the nearest length of any source");
	for (i = 0; i < p.n; i++) {
		int64_t l = p.items[i].left, r = p.items[i].right;
		if (l < 1 || l > NDOCS || r < 1 || r > NDOCS || seen[l] || seen[r])
			twice = true;
		else
			seen[l] = seen[r] = true;
		if (!strcmp(fixture[l - 1].origin, fixture[r - 1].origin))
			mixed = false;
	}
	ok(!twice, "no document is shown twice");
	ok(mixed, "every pair is one real and one synthetic document");
	ok(!seen[9] && !seen[10] && !seen[11] && !seen[12],
	   "never the empty document, the identical texts (even as a declared pair), "
	   "or a duplicate text");
	rc = review_items_build(s, &all, REVIEW_PAIRS, 42, &q, &e);
	for (i = 0; rc == 0 && i < p.n && i < q.n; i++)
		if (p.items[i].left != q.items[i].left || p.items[i].right != q.items[i].right)
			same_order = false;
	ok(rc == 0 && q.n == p.n && same_order, "the same seed gives the same items, order and sides");
	{
		bool differs = false;
		uint64_t seed;
		for (seed = 43; seed < 60 && !differs; seed++) {
			review_items_build(s, &all, REVIEW_PAIRS, seed, &q, &e);
			for (i = 0; i < p.n; i++)
				if (p.items[i].left != q.items[i].left)
					differs = true;
		}
		ok(differs, "another seed gives another order or sides");
		ok(has_item(&q, 13, 14, RK_DECLARED) && has_item(&q, 1, 8, RK_MATCHED),
		   "but the same pairs");
	}
	rc = review_items_build(s, &all, REVIEW_SINGLE, 42, &q, &e);
	is_int(q.n, 13, "single mode: each of the thirteen documents once");
	{
		bool sides = true;
		for (i = 0; i < q.n; i++)
			if (q.items[i].right != 0 || q.items[i].kind != RK_SINGLE)
				sides = false;
		ok(sides, "with no right document");
	}
	filter_sql_done(&all);
	review_plan_done(&p);
	review_plan_done(&q);
}

static void test_bad_filters(struct store *s)
{
	static const struct { const char *filter, *want; int n; } cases[] = {
		{ "origin:real", "no synthetic documents", -1 },
		{ "origin:synthetic", "no real documents", -1 },
		{ "source:nothing", "no real and no synthetic", -1 },
		{ "id:9,1", "empty documents", -1 },
		{ "id:1,8", NULL, 1 },
	};
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(cases); i++) {
		struct review_plan p;
		struct filter_sql w;
		struct pv_err e;
		int rc;
		pv_err_clear(&e);
		compile(cases[i].filter, &w);
		rc = review_plan_make(s, cases[i].filter, &w, REVIEW_PAIRS, "zed", 1, &p, &e);
		if (cases[i].want)
			ok(rc == PV_ENOTFOUND && strstr(e.msg, cases[i].want),
			   "%s: refused, saying '%s' (%s)", cases[i].filter, cases[i].want, e.msg);
		else
			ok(rc == 0 && p.n == (size_t)cases[i].n,
			   "%s: one document per class makes one pair", cases[i].filter);
		review_plan_done(&p);
		filter_sql_done(&w);
	}
}

/* ---- answers, resuming ---- */

static sqlite3 *db;

static long long q1(const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static const char *qs(const char *sql)
{
	static char out[256];
	sqlite3_stmt *st;

	out[0] = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

/* The side of item i's synthetic document. */
static const char *synth_side(const struct review_plan *p, size_t i)
{
	return strcmp(fixture[p->items[i].left - 1].origin, "synthetic") == 0 ? "left" : "right";
}

static void test_answers(struct store *s)
{
	struct review_plan p, q;
	struct review_recorded rec;
	struct filter_sql all;
	struct pv_err e;
	char sql[256];
	size_t i;
	int rc;

	compile("", &all);
	rc = review_plan_make(s, "", &all, REVIEW_PAIRS, "alice", 42, &p, &e);
	ok(rc == 0 && !p.resumed && p.session_id == 0 && p.seed == 42,
	   "a new session for alice, with the seed given");
	is_int(q1("SELECT count(*) FROM review_sessions"), 0, "not stored before the first answer");
	rc = review_record(s, &p, 0, synth_side(&p, 0), 1234, &rec, &e);
	ok(rc == 0 && p.session_id > 0 && rec.correct == 1 && !strcmp(rec.truth, synth_side(&p, 0)),
	   "a right answer: recorded, correct, with the truth (%s)", rc ? e.msg : rec.truth);
	rc = review_record(s, &p, 1, !strcmp(synth_side(&p, 1), "left") ? "right" : "left", 50,
			   &rec, &e);
	ok(rc == 0 && rec.correct == 0, "a wrong one: correct 0");
	rc = review_record(s, &p, 2, "skip", 70, &rec, &e);
	ok(rc == 0 && rec.correct == -1, "a skip");
	rc = review_record(s, &p, 3, "real", 70, &rec, &e);
	is_int(rc, PV_EUSAGE, "'real' is not an answer in pairs mode");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM review_answers WHERE session_id=%lld",
		 (long long)p.session_id);
	is_int(q1(sql), 3, "three answers stored");
	is_str(qs("SELECT answer || ' ' || truth || ' ' || correct || ' ' || ms || ' ' || "
		  "reviewer || ' ' || item FROM review_answers ORDER BY id LIMIT 1"),
	       !strcmp(synth_side(&p, 0), "left") ? "left left 1 1234 alice 1" :
	       "right right 1 1234 alice 1", "answer, truth, correct, ms, reviewer and item number");
	is_str(qs("SELECT coalesce(correct, 'NULL') || ' ' || answer FROM review_answers "
		  "WHERE item=3"), "NULL skip", "a skip has no correct value");
	snprintf(sql, sizeof sql, "SELECT left_doc=%lld AND right_doc=%lld FROM review_answers "
		 "WHERE item=1", (long long)p.items[0].left, (long long)p.items[0].right);
	is_int(q1(sql), 1, "the sides shown are stored");
	is_str(qs("SELECT mode || ' ' || filter || ' ' || seed || ' ' || (finished IS NULL) "
		  "FROM review_sessions"), "pairs  42 1", "the session: mode, filter, seed, unfinished");

	/* resuming */
	rc = review_plan_make(s, "", &all, REVIEW_PAIRS, "alice", 99, &q, &e);
	ok(rc == 0 && q.resumed && q.session_id == p.session_id && q.seed == 42,
	   "the same reviewer, mode and filter resume the session, with its seed");
	is_int(q.ndone, 3, "three items done");
	is_int(review_plan_next(&q, 0), 3, "it continues at the first unanswered item");
	for (i = 0; i < q.n; i++)
		if (q.items[i].left != p.items[i].left || q.items[i].right != p.items[i].right)
			break;
	is_int(i, q.n, "with the same items");
	review_plan_done(&q);
	rc = review_plan_make(s, "", &all, REVIEW_SINGLE, "alice", 0, &q, &e);
	ok(rc == 0 && !q.resumed, "another mode is another session");
	review_plan_done(&q);
	rc = review_plan_make(s, "", &all, REVIEW_PAIRS, "bob", 0, &q, &e);
	ok(rc == 0 && !q.resumed && q.seed > 0, "another reviewer too (a random seed: %lld)",
	   (long long)q.seed);
	review_plan_done(&q);

	/* to the end */
	for (i = review_plan_next(&p, 0); i < p.n; i = review_plan_next(&p, i + 1)) {
		rc = review_record(s, &p, i, synth_side(&p, i), 10, &rec, &e);
		if (rc)
			break;
	}
	ok(rc == 0 && rec.finished, "the last answer finishes the session");
	snprintf(sql, sizeof sql, "SELECT finished IS NOT NULL FROM review_sessions WHERE id=%lld",
		 (long long)p.session_id);
	is_int(q1(sql), 1, "finished is set");
	rc = review_plan_make(s, "", &all, REVIEW_PAIRS, "alice", 0, &q, &e);
	ok(rc == 0 && !q.resumed && q.session_id == 0, "a finished session is not resumed");
	review_plan_done(&q);
	review_plan_done(&p);
	filter_sql_done(&all);
}

/* Three reviewers answer the same items (the same seed), on a store of
 * their own. */
static void test_report(void)
{
	struct store *s = NULL;
	static const char *const who[] = { "rev-a", "rev-b", "rev-c" };
	struct review_report r;
	struct filter_sql all, disp;
	struct pv_err e;
	int64_t n;
	size_t i, k;
	int rc, w;

	if (make_store(path3) || store_open(&s, path3, STORE_WRITE, &e)) {
		ok(0, "a third store");
		return;
	}
	compile("", &all);
	for (w = 0; w < 3; w++) {
		struct review_plan p;
		struct review_recorded rec;
		review_plan_make(s, "", &all, REVIEW_PAIRS, who[w], 7, &p, &e);
		for (i = 0; i < 4; i++) {
			/* rev-a always right; rev-b wrong on item 2; rev-c wrong on 2 and 3 */
			bool wrong = (w >= 1 && i == 1) || (w == 2 && i == 2);
			const char *side = synth_side(&p, i);
			review_record(s, &p, i, wrong ? (!strcmp(side, "left") ? "right" : "left") :
				      side, 100, &rec, &e);
		}
		review_plan_done(&p);
	}
	rc = review_report(s, "reviewer", REVIEW_PAIRS, &r, &e);
	is_int(rc, 0, "the report by reviewer");
	for (i = 0, k = 0; i < r.ngroups; i++)
		if (r.groups[i].value && !strncmp(r.groups[i].value, "rev-", 4))
			k++;
	is_int(k, 3, "a group per reviewer");
	for (i = 0; i < r.ngroups; i++)
		if (r.groups[i].value && !strcmp(r.groups[i].value, "rev-c"))
			ok(r.groups[i].answered == 4 && r.groups[i].correct == 2 &&
			   r.groups[i].verdict == RV_UNCLEAR,
			   "rev-c: 2 of 4, not distinguishable at this sample size");
	for (i = 0; i < r.ncohen; i++) {
		const struct review_cohen_pair *c = &r.cohen[i];
		if (!strcmp(c->a, "rev-a") && !strcmp(c->b, "rev-b"))
			ok(c->items == 4 && near(c->agree, 0.75, 1e-9),
			   "rev-a and rev-b: 4 pairs in common, agreeing on 3");
	}
	ok(r.fleiss[REVIEW_PAIRS].reviewers == 3 && r.fleiss[REVIEW_PAIRS].items >= 4,
	   "Fleiss' kappa over three reviewers (%lld items)",
	   (long long)r.fleiss[REVIEW_PAIRS].items);
	review_report_done(&r);

	rc = review_report(s, "generator", -1, &r, &e);
	{
		int64_t sum = 0, total = 0;
		for (i = 0; i < r.ngroups; i++)
			sum += r.groups[i].answered;
		total = r.answers - r.skipped;
		ok(rc == 0 && sum == total && r.ngroups >= 2,
		   "by generator: the groups add up to every answer (%lld)", (long long)total);
	}
	review_report_done(&r);
	rc = review_report(s, "purpose", -1, &r, &e);
	is_int(rc, PV_EUSAGE, "no report by purpose");
	review_report_done(&r);

	/* is:disputed: the documents of items 2 and 3 */
	compile("is:disputed", &disp);
	rc = store_count(s, &disp, &n, &e);
	ok(rc == 0 && n == 4, "is:disputed: the four documents of the two pairs answered "
	   "differently (%lld)", (long long)n);
	filter_sql_done(&disp);

	/* single mode: one document said real by one and synthetic by another */
	{
		int64_t doc = 0;
		char f[64];
		for (w = 0; w < 2; w++) {
			struct review_plan p;
			struct review_recorded rec;
			review_plan_make(s, "", &all, REVIEW_SINGLE, who[w], 9, &p, &e);
			doc = p.items[0].left;
			review_record(s, &p, 0, w ? "synthetic" : "real", 100, &rec, &e);
			review_plan_done(&p);
		}
		snprintf(f, sizeof f, "id:%lld is:disputed", (long long)doc);
		compile(f, &disp);
		rc = store_count(s, &disp, &n, &e);
		ok(rc == 0 && n == 1, "is:disputed: a document answered real and synthetic");
		filter_sql_done(&disp);
		rc = review_report(s, NULL, REVIEW_SINGLE, &r, &e);
		ok(rc == 0 && r.ncohen == 1 && r.cohen[0].mode == REVIEW_SINGLE &&
		   r.cohen[0].items == 1 && r.cohen[0].agree == 0,
		   "single mode: the two reviewers disagree on their one document");
		ok(r.fleiss[REVIEW_SINGLE].reviewers == 2, "no Fleiss' kappa for two reviewers");
		review_report_done(&r);
	}
	filter_sql_done(&all);
	store_close(s);
}

/* A store relabelled during a session: the truth is the origin when the
 * answer is given. */
static void test_relabelled(void)
{
	struct store *s = NULL;
	struct review_plan p;
	struct review_recorded rec;
	struct filter_sql all;
	struct label_change ch;
	struct label_result res;
	struct pv_err e;
	int64_t l, r;
	int rc;

	if (make_store(path2) || store_open(&s, path2, STORE_WRITE, &e)) {
		ok(0, "a second store");
		return;
	}
	compile("", &all);
	review_plan_make(s, "", &all, REVIEW_PAIRS, "dave", 3, &p, &e);
	l = p.items[0].left;
	r = p.items[0].right;
	/* both real now */
	ch.field = LF_ORIGIN;
	ch.value = "real";
	browse_label_ids(s, strcmp(fixture[l - 1].origin, "real") ? &l : &r, 1, &ch, 1, "x",
			 NULL, "test", &res, &e);
	label_result_done(&res);
	rc = review_record(s, &p, 0, "left", 10, &rec, &e);
	ok(rc == PV_EINVAL && strstr(e.msg, "not recorded"),
	   "an item whose documents are both real now is not recorded (%s)", e.msg);
	ok(p.items[0].done && review_plan_next(&p, 0) == 1, "and the session goes on");
	/* swapped: the one shown as real is synthetic now, and the other real */
	{
		int64_t was_real = strcmp(fixture[p.items[1].left - 1].origin, "real") ?
			p.items[1].right : p.items[1].left;
		int64_t was_synth = was_real == p.items[1].left ? p.items[1].right :
			p.items[1].left;
		ch.value = "synthetic";
		browse_label_ids(s, &was_real, 1, &ch, 1, "x", NULL, "test", &res, &e);
		label_result_done(&res);
		ch.value = "real";
		browse_label_ids(s, &was_synth, 1, &ch, 1, "x", NULL, "test", &res, &e);
		label_result_done(&res);
		rc = review_record(s, &p, 1, was_real == p.items[1].left ? "left" : "right", 10,
				   &rec, &e);
		ok(rc == 0 && rec.correct == 1 &&
		   !strcmp(rec.truth, was_real == p.items[1].left ? "left" : "right"),
		   "a swapped pair records the truth of now: the once-real side (%s)", rec.truth);
	}
	review_plan_done(&p);
	filter_sql_done(&all);
	store_close(s);
}

/* ---- the view, headless ---- */

static char row_buf[4096];

static const char *row(struct app *a, int y)
{
	struct buf b = BUF_INIT;

	grid_row_text(&a->grid, y, &b);
	snprintf(row_buf, sizeof row_buf, "%s", buf_str(&b));
	buf_done(&b);
	return row_buf;
}

/* True when any row above the key line holds s. */
static bool screen_has(struct app *a, const char *s)
{
	int y;

	for (y = 0; y < a->grid.h - 2; y++)
		if (strstr(row(a, y), s))
			return true;
	return false;
}

static void test_view(void)
{
	static const char *const secret[] = { "gpt-x", "llama", "news", "forum", "books", "e1",
					      "synthetic", "real", "#" };
	struct app app, *a = &app;
	struct review_plan p;
	struct filter_sql all;
	struct pv_err e;
	char sql[256];
	size_t i;
	bool hidden = true;
	int rc;

	rc = app_open(a, path, NULL, NULL, NULL, 100, 30);
	is_int(rc, 0, "the interface opens headless");
	if (rc) {
		app_close(a);
		return;
	}
	compile("source:news,forum,books", &all);
	rc = review_plan_make(a->store, "source:news,forum,books", &all, REVIEW_PAIRS, "erin", 11,
			      &p, &e);
	is_int(rc, 0, "a plan for erin");
	review_view_setup(a, &p);
	app_draw(a);
	ok(strstr(row(a, 29), "new pairs session: 6 items; 1 empty document left out"),
	   "the status says what the session is (%s)", row(a, 29));
	ok(strstr(row(a, 0), "1  left document") && strstr(row(a, 0), "2  right document"),
	   "the panes are headed left (1) and right (2): %s", row(a, 0));
	ok(strstr(row(a, 1), "provenance hidden") != NULL, "provenance hidden");
	for (i = 0; i < PV_ARRAY_LEN(secret); i++)
		if (screen_has(a, secret[i])) {
			hidden = false;
			printf("# the screen shows '%s'\n", secret[i]);
		}
	ok(hidden, "no origin, source, generator, external id or document id on screen");
	ok(strstr(row(a, 28), "1/Left: left is synthetic") != NULL, "the keys are shown (%s)",
	   row(a, 28));
	ok(strstr(row(a, 2), "d") != NULL, "the texts are shown");
	app_key(a, '1');
	app_draw(a);
	ok(strstr(row(a, 29), "item 2 of 6") != NULL, "1 answers: item 2 of 6 (%s)", row(a, 29));
	ok(!strstr(row(a, 29), "correct") && !strstr(row(a, 29), "wrong"), "with no feedback");
	app_key(a, KEY_RIGHT);
	app_key(a, 'j');
	app_key(a, KEY_DOWN);
	app_draw(a);
	ok(strstr(row(a, 29), "item 3 of 6") != NULL, "Right answers; scrolling does not");
	app_key(a, 's');
	app_key(a, ' ');
	app_draw(a);
	ok(strstr(row(a, 29), "item 5 of 6") != NULL, "s and Space skip");
	app_key(a, '?');
	app_draw(a);
	ok(screen_has(a, "Blind review: which of the two documents is synthetic?"),
	   "? shows the help");
	app_key(a, 'x');
	app_draw(a);
	ok(!screen_has(a, "Blind review") && strstr(row(a, 29), "item 5 of 6"),
	   "any key closes it, answering nothing");
	app_key(a, 'x');
	app_draw(a);
	ok(strstr(row(a, 29), "no such key") != NULL, "an unknown key says so (%s)", row(a, 29));
	snprintf(sql, sizeof sql, "SELECT group_concat(answer, ' ') FROM (SELECT answer FROM "
		 "review_answers WHERE session_id=%lld ORDER BY item)", (long long)p.session_id);
	is_str(qs(sql), "left right skip skip", "the answers are in review_answers");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM review_answers WHERE session_id=%lld "
		 "AND reviewer='erin' AND ms >= 0 AND truth IN ('left','right')",
		 (long long)p.session_id);
	is_int(q1(sql), 4, "with the reviewer, the time and the truth");
	app_key(a, KEY_LEFT);
	app_key(a, '2');
	app_draw(a);
	ok(screen_has(a, "This session is complete"), "after the last item: complete");
	ok(p.ndone == 6 && p.session_id > 0, "the plan knows (%zu done)", p.ndone);
	app_key(a, 'q');
	ok(a->quit, "q quits");
	app_close(a);
	review_plan_done(&p);

	/* single mode */
	rc = app_open(a, path, NULL, NULL, NULL, 80, 24);
	rc = rc ? rc : review_plan_make(a->store, "", &all, REVIEW_SINGLE, "erin", 5, &p, &e);
	if (rc) {
		ok(0, "single mode opens");
		app_close(a);
		filter_sql_done(&all);
		return;
	}
	review_view_setup(a, &p);
	app_draw(a);
	ok(strstr(row(a, 22), "r: real  s: synthetic  Space: skip") != NULL,
	   "single mode shows its keys (%s)", row(a, 22));
	ok(strstr(row(a, 0), "document") && !strstr(row(a, 0), "left"), "one document");
	app_key(a, 'r');
	app_key(a, 's');
	app_key(a, ' ');
	app_draw(a);
	ok(strstr(row(a, 23), "item 4 of 13") != NULL, "r, s, Space answer (%s)", row(a, 23));
	app_key(a, '1');
	app_draw(a);
	ok(strstr(row(a, 23), "no such key") != NULL, "1 does not, in single mode");
	app_key(a, 'j');
	app_draw(a);
	ok(strstr(row(a, 23), "item 4 of 13") != NULL, "still item 4");
	snprintf(sql, sizeof sql, "SELECT group_concat(answer || ':' || truth, ' ') FROM (SELECT "
		 "answer, truth FROM review_answers WHERE session_id=%lld ORDER BY item)",
		 (long long)p.session_id);
	{
		char want[128];
		snprintf(want, sizeof want, "real:%s synthetic:%s skip:%s",
			 fixture[p.items[0].left - 1].origin, fixture[p.items[1].left - 1].origin,
			 fixture[p.items[2].left - 1].origin);
		is_str(qs(sql), want, "answers real/synthetic/skip with each document's origin");
	}
	app_close(a);
	review_plan_done(&p);
	filter_sql_done(&all);
}

int main(void)
{
	struct store *s = NULL;
	struct pv_err e;

	setlocale(LC_ALL, "C.UTF-8");
	setenv("XDG_CONFIG_HOME", "/nonexistent-provex-config", 1);
	test_wilson();
	test_cohen();
	test_fleiss();
	if (!mkdtemp(dir)) {
		printf("# cannot make a temporary folder\n");
		return tap_done();
	}
	snprintf(path, sizeof path, "%s/s.pvx", dir);
	snprintf(path2, sizeof path2, "%s/t.pvx", dir);
	snprintf(path3, sizeof path3, "%s/u.pvx", dir);
	if (make_store(path) || store_open(&s, path, STORE_WRITE, &e) ||
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		ok(0, "make the store");
		return tap_done();
	}
	test_items(s);
	test_bad_filters(s);
	test_answers(s);
	store_close(s);
	test_report();
	test_relabelled();
	test_view();
	sqlite3_close(db);
	{
		char cmd[512];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
