/*
 * test_pairs.c - MinHash and LSH (store/minhash.c) on constructed texts:
 * words and shingles, the estimate against the true Jaccard similarity of
 * the shingle sets (within a few standard deviations, unbiased), identical
 * texts at 1, disjoint ones near 0, short and empty texts, the stored form,
 * the choice of bands, LSH finding the pairs above the threshold (and
 * only real x synthetic ones unless within); then, on a store, declared
 * pairs (groups, id links, the cap, incremental passes) and found pairs
 * (signatures computed once, pairs stored once, the report).
 */
#include "config.h"
#include "../tap.h"
#include "../../analysis/minhash.h"
#include "../../store/pairs.h"
#include "../../store/filter.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

/* nwords words "wN" of a vocabulary of vocab words. */
static void random_text(struct buf *b, size_t nwords, unsigned vocab, const char *prefix)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < nwords; i++)
		buf_printf(b, "%s%s%u", i ? " " : "", prefix, rnd(vocab));
}

/* A copy of src with each word replaced with probability p (per mille). */
static void edit_text(struct buf *out, const char *src, unsigned permille)
{
	const char *p = src;

	buf_reset(out);
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (out->len)
			buf_putc(out, ' ');
		if (rnd(1000) < permille)
			buf_printf(out, "x%u", rnd(100000));
		else
			buf_append(out, p, len);
		p += len;
		while (*p == ' ')
			p++;
	}
}

static int u64_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static size_t uniq(uint64_t *v, size_t n)
{
	size_t i, k = 0;

	if (n)
		qsort(v, n, sizeof *v, u64_cmp);
	for (i = 0; i < n; i++)
		if (!k || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

/* The true Jaccard similarity of two texts' shingle sets. */
static double jaccard(const char *a, const char *b)
{
	uint64_t *x = NULL, *y = NULL;
	size_t nx, ny, i = 0, j = 0, in = 0;

	nx = minhash_shingles(a, strlen(a), &x);
	ny = minhash_shingles(b, strlen(b), &y);
	nx = uniq(x, nx);
	ny = uniq(y, ny);
	while (i < nx && j < ny) {
		if (x[i] == y[j]) {
			in++;
			i++;
			j++;
		} else if (x[i] < y[j]) {
			i++;
		} else {
			j++;
		}
	}
	free(x);
	free(y);
	return nx + ny - in ? (double)in / (double)(nx + ny - in) : 1.0;
}

static double estimate(const char *a, const char *b)
{
	uint32_t sa[MINHASH_K], sb[MINHASH_K];

	minhash_sign(a, strlen(a), sa);
	minhash_sign(b, strlen(b), sb);
	return (double)minhash_agree(sa, sb) / MINHASH_K;
}

static void test_words(void)
{
	uint32_t s[MINHASH_K];
	uint64_t *v;
	size_t n;
	int i;
	bool all_max = true;

	n = minhash_shingles("one two three four five six seven", 33, &v);
	is_int(n, 3, "7 words: 3 shingles of 5");
	free(v);
	n = minhash_shingles("one two three", 13, &v);
	is_int(n, 1, "3 words: one shingle of the words it has");
	free(v);
	n = minhash_shingles("", 0, &v);
	ok(n == 0 && v == NULL, "no text: no shingles");
	n = minhash_shingles("... -- !!! ?", 12, &v);
	ok(n == 0 && v == NULL, "punctuation only: no shingles");
	is_int(minhash_sign("Hello, World! This is  a TEST.", 30, s), 6, "sign returns the words");
	is_int(minhash_sign(" \n\t ", 4, s), 0, "no words: 0");
	for (i = 0; i < MINHASH_K; i++)
		all_max &= s[i] == UINT32_MAX;
	ok(all_max, "no words: the signature is left at its maximum");
	ok(estimate("Hello, World! This is  a TEST.", "hello world this is a test") == 1.0,
	   "case and punctuation do not count");
	ok(estimate("\xe2\x80\x9cHello\xe2\x80\x9d \xe2\x80\x94 world\xc2\xa0" "again, said she",
		    "hello world again said she") == 1.0,
	   "Unicode quotes, dashes and no-break spaces separate words");
	ok(estimate("caf\xc3\xa9 au lait is nice today", "cafe au lait is nice today") < 1.0,
	   "non-ASCII letters are part of words");
	ok(estimate("one two three four five six", "one two three four five seven") < 1.0,
	   "word order and words count");
}

static void test_short(void)
{
	ok(estimate("one two", "One, two!") == 1.0, "short texts: the same words agree");
	ok(estimate("one two", "one three") < 0.1, "short texts: other words do not");
	ok(estimate("one two", "two one") < 0.1, "short texts: nor the same words in another order");
	ok(estimate("a b c d", "a b c d e") < 0.1,
	   "a short text and a longer one that starts with it do not agree");
}

static void test_estimate(void)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	double sum = 0, sumabs = 0, worst = 0;
	int t, n = 300, within = 0;

	rng_state = 42;
	for (t = 0; t < n; t++) {
		double j, est, sd;
		random_text(&a, 200 + rnd(400), 5000, "w");
		edit_text(&b, buf_str(&a), rnd(120));
		j = jaccard(buf_str(&a), buf_str(&b));
		est = estimate(buf_str(&a), buf_str(&b));
		sd = sqrt(j * (1 - j) / MINHASH_K);
		sum += est - j;
		sumabs += fabs(est - j);
		if (fabs(est - j) <= 4 * sd + 1.0 / MINHASH_K)
			within++;
		if (fabs(est - j) > worst)
			worst = fabs(est - j);
	}
	is_int(within, n, "estimate within 4 standard deviations of the true Jaccard "
	       "(%d pairs, worst error %.3f)", n, worst);
	ok(fabs(sum / n) < 0.01, "estimate unbiased (mean error %.4f)", sum / n);
	ok(sumabs / n < 0.035, "mean absolute error %.4f < 0.035", sumabs / n);

	random_text(&a, 500, 5000, "w");
	ok(estimate(buf_str(&a), buf_str(&a)) == 1.0, "identical texts: 1");
	random_text(&b, 500, 5000, "v");
	ok(estimate(buf_str(&a), buf_str(&b)) <= 0.03, "disjoint texts: about 0 (%.3f)",
	   estimate(buf_str(&a), buf_str(&b)));
	buf_done(&a);
	buf_done(&b);
}

static void test_stored(void)
{
	uint32_t s[MINHASH_K], r[MINHASH_K], nw = 0;
	unsigned char blob[MINHASH_BLOB];
	size_t len;

	minhash_sign("the quick brown fox jumps over the lazy dog", 43, s);
	len = minhash_encode(s, 9, blob);
	is_int(len, MINHASH_BLOB, "stored form: %d bytes", MINHASH_BLOB);
	ok(minhash_decode(blob, len, r, &nw) && nw == 9 && !memcmp(s, r, sizeof s),
	   "stored form reads back");
	ok(!minhash_decode(blob, len - 1, r, &nw), "a cut signature is refused");
	blob[1]++;
	ok(!minhash_decode(blob, len, r, &nw), "another version is refused");
	blob[1]--;
	blob[2]++;
	ok(!minhash_decode(blob, len, r, &nw), "another shingle size is refused");
	ok(!minhash_decode(NULL, 0, r, &nw), "no blob is refused");
	len = minhash_encode(s, 0, blob);
	is_int(len, MINHASH_HEADER, "a text without words: the header alone");
	ok(minhash_decode(blob, len, r, &nw) && nw == 0, "and it reads back as no words");
}

static void test_bands(void)
{
	static const double th[] = { 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0 };
	size_t i;
	int b, r, prev = 0;
	bool good = true, most = true, grows = true;

	for (i = 0; i < PV_ARRAY_LEN(th); i++) {
		minhash_bands(th[i], &b, &r);
		good &= b * r <= MINHASH_K && minhash_recall(th[i], b, r) >= MINHASH_RECALL;
		if (r < MINHASH_K)
			most &= minhash_recall(th[i], MINHASH_K / (r + 1), r + 1) < MINHASH_RECALL;
		grows &= r >= prev;
		prev = r;
	}
	ok(good, "bands x rows fit the signature and reach the recall at the threshold");
	ok(most, "with the most rows that do");
	ok(grows, "rows grow with the threshold");
	minhash_bands(0.8, &b, &r);
	ok(b == 18 && r == 7, "threshold 0.8: 18 bands of 7 rows (%d x %d)", b, r);
	ok(minhash_recall(0.9, b, r) > 0.999 && minhash_recall(0.3, b, r) < 0.01,
	   "0.8: a pair at 0.9 is almost surely a candidate, one at 0.3 almost never");
}

#define NBASE 150

static void test_lsh(void)
{
	size_t n = 3 * NBASE + 2, i, k, nout = 0, found = 0, should = 0, wrong = 0;
	uint32_t *sigs = pv_malloc(n * MINHASH_K * sizeof *sigs);
	unsigned char *side = pv_malloc(n);
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct minhash_lsh_opts o = { .threshold = 0.8 };
	struct minhash_lsh_stats st;
	struct minhash_pair *out = NULL;
	unsigned need = (unsigned)ceil(0.8 * MINHASH_K);
	bool sides = true, sorted = true, enough = true;
	volatile sig_atomic_t stop = 1;

	/* 0..NBASE-1 real; NBASE.. their near copies (synthetic); then
	 * unrelated synthetic texts; the last two: a synthetic pair */
	rng_state = 7;
	for (i = 0; i < NBASE; i++) {
		random_text(&a, 300, 20000, "w");
		edit_text(&b, buf_str(&a), 4 + rnd(20));
		minhash_sign(a.data, a.len, sigs + i * MINHASH_K);
		minhash_sign(b.data, b.len, sigs + (NBASE + i) * MINHASH_K);
		side[i] = MH_REAL;
		side[NBASE + i] = MH_SYNTH;
		random_text(&a, 300, 20000, "w");
		minhash_sign(a.data, a.len, sigs + (2 * NBASE + i) * MINHASH_K);
		side[2 * NBASE + i] = MH_SYNTH;
	}
	random_text(&a, 300, 20000, "w");
	minhash_sign(a.data, a.len, sigs + (n - 2) * MINHASH_K);
	minhash_sign(a.data, a.len, sigs + (n - 1) * MINHASH_K);
	side[n - 2] = side[n - 1] = MH_SYNTH;

	for (i = 0; i < NBASE; i++)
		should += minhash_agree(sigs + i * MINHASH_K,
					sigs + (NBASE + i) * MINHASH_K) >= need;
	ok(minhash_lsh(sigs, n, side, &o, &out, &nout, &st) == 0, "lsh runs");
	for (k = 0; k < nout; k++) {
		sides &= side[out[k].i] != side[out[k].j];
		enough &= out[k].agree >= need;
		if (k)
			sorted &= out[k - 1].i < out[k].i ||
				  (out[k - 1].i == out[k].i && out[k - 1].j < out[k].j);
		if (out[k].i < NBASE && out[k].j == out[k].i + NBASE)
			found++;
		else
			wrong++;
	}
	ok(should > NBASE / 2, "most near copies are above the threshold (%zu of %d)",
	   should, NBASE);
	ok(found >= should * 95 / 100, "LSH finds them: %zu of %zu", found, should);
	is_int(wrong, 0, "and nothing else");
	ok(sides, "only real x synthetic pairs");
	ok(enough, "every pair agrees on at least %u positions", need);
	ok(sorted, "pairs sorted and distinct");
	ok(st.candidates >= nout, "candidates counted (%llu)", (unsigned long long)st.candidates);
	free(out);

	o.within = true;
	ok(minhash_lsh(sigs, n, side, &o, &out, &nout, &st) == 0, "lsh within");
	ok(nout >= found + 1 && out[nout - 1].i == n - 2 && out[nout - 1].j == n - 1 &&
	   out[nout - 1].agree == MINHASH_K, "within: the synthetic pair is found too");
	free(out);

	/* 40 identical signatures, buckets capped at 10 */
	for (i = 0; i < 40; i++) {
		memcpy(sigs + i * MINHASH_K, sigs, MINHASH_K * sizeof *sigs);
		side[i] = MH_SYNTH;
	}
	o.bucket_cap = 10;
	k = (size_t)minhash_lsh(sigs, 40, side, &o, &out, &nout, &st);
	ok(k == 0 && nout == 45 && st.oversized == (uint64_t)st.bands,
	   "a bucket over the cap: its first 10 compared (%zu pairs), counted in "
	   "every band", nout);
	free(out);
	o.stop = &stop;
	ok(minhash_lsh(sigs, n, side, &o, &out, &nout, &st) == -1 && out == NULL,
	   "stopped: -1 and nothing");
	ok(minhash_lsh(sigs, 0, side, &(struct minhash_lsh_opts){ .threshold = 0.5 },
		       &out, &nout, &st) == 0 && nout == 0, "no texts: no pairs");
	free(out);
	free(sigs);
	free(side);
	buf_done(&a);
	buf_done(&b);
}

/* ---- on a store ---- */

static char dir[] = "/tmp/provex-test-pairs.XXXXXX";
static int64_t input_id;

static int add(struct store *s, int64_t rec, const char *ext, const char *text,
	       const char *origin, const char *gen, const char *meta)
{
	struct doc_in d = { .input_id = input_id, .rec = rec, .ext_id = ext,
			    .text = text, .len = strlen(text), .origin = origin,
			    .generator = gen, .source = "web", .meta = meta };
	enum doc_outcome oc;
	size_t stored;
	bool cross;
	struct pv_err e;

	return store_doc_add(s, &d, &oc, &cross, &stored, &e);
}

/* The integer answer of a query, read through a connection of its own. */
static int64_t q(const char *sql)
{
	char path[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	snprintf(path, sizeof path, "%s/s.pvx", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void test_store(void)
{
	struct store *s = NULL;
	struct pv_err e;
	struct pairs_declared d;
	struct pairs_stats st;
	struct pairs_opts o = { .threshold = 0.8 };
	struct pairs_report rep;
	struct buf a = BUF_INIT, b = BUF_INIT, js = BUF_INIT;
	char path[256];
	bool same, done, all = true;
	int k;

	if (!mkdtemp(dir)) {
		ok(0, "temporary folder");
		return;
	}
	snprintf(path, sizeof path, "%s/s.pvx", dir);
	ok(store_open(&s, path, STORE_CREATE, &e) == 0, "store: create");
	store_begin(s, &e);
	store_input(s, "/abs/in.jsonl", "{}", "in.jsonl", 1, 1, &input_id, &same, &done, &e);
	rng_state = 99;
	/* 1..3: a task group t1; 4: synthetic, seed r1; 5, 6: another group */
	all &= add(s, 1, "r1", "the first real text here", "real", NULL, "{\"task\":\"t1\"}") == 0;
	all &= add(s, 2, "s1", "a synthetic answer one", "synthetic", "m", "{\"task\":\"t1\"}") == 0;
	all &= add(s, 3, "s2", "a synthetic answer two", "synthetic", "m", "{\"task\":\"t1\"}") == 0;
	all &= add(s, 4, "s3", "a synthetic answer three", "synthetic", "m", "{\"task\":\"r1\"}") == 0;
	all &= add(s, 5, "r2", "another real text", "real", NULL, "{\"task\":7}") == 0;
	all &= add(s, 6, "s4", "another synthetic text", "synthetic", "m", "{\"task\":7}") == 0;
	ok(store_commit(s, &e) == 0 && all, "store: 6 documents");
	ok(pairs_declare(s, "task", 1, 0, &d, &e) == 0, "declare pairs");
	/* t1: {1,2,3} -> 3 pairs; r1: {4 by value, 1 by id} -> 1; 7: {5,6} -> 1 */
	is_int(d.added, 5, "declared: groups of 3, 2 and an id link: 5 pairs");
	is_int(d.groups, 3, "declared: 3 shared values");
	is_int(d.upto, 6, "declared: done up to document 6");
	is_int(q("SELECT count(*) FROM pairs WHERE a=1 AND b=4 AND key='r1'"), 1,
	       "the id link: key is the id");
	is_int(q("SELECT count(*) FROM pairs WHERE a=5 AND b=6 AND key='7'"), 1,
	       "a number shares as its text");
	/* the pass is remembered through the runs table */
	{
		int64_t rid;
		store_run_start(s, "index", &rid, &e);
		store_run_finish(s, rid, "{\"declared_pairs\":{\"field\":\"task\",\"upto\":6}}", &e);
	}
	ok(pairs_declare(s, "task", 2, 0, &d, &e) == 0 && d.docs == 0 && d.added == 0,
	   "a second pass with nothing new adds nothing");
	store_begin(s, &e);
	all &= add(s, 7, "s5", "a late answer", "synthetic", "m", "{\"task\":\"t1\"}") == 0;
	all &= add(s, 8, "t1", "the document whose id is t1", "real", NULL, NULL) == 0;
	store_commit(s, &e);
	ok(pairs_declare(s, "task", 3, 3, &d, &e) == 0, "a pass over new documents, cap 3");
	is_int(d.docs, 2, "examines the 2 new documents");
	/* t1 now {1,2,3,7,8}: capped to its first 3 by id, {1,2,3}: nothing new */
	is_int(d.capped, 1, "the group of 5 is capped at 3");
	is_int(d.added, 0, "and its first 3 were paired before");
	/* no run recorded that pass: the next one takes documents 7 and 8 again */
	ok(pairs_declare(s, "task", 4, 10, &d, &e) == 0, "a pass with a larger cap");
	is_int(d.added, 7, "pairs the new documents with the group: 7 pairs");
	ok(pairs_declare(s, "task", 5, 10, &d, &e) == 0 && d.added == 0 && d.docs == 2,
	   "the same pass again adds nothing");
	is_int(q("SELECT count(*) FROM pairs"), 12, "12 declared pairs, none twice");
	is_int(q("SELECT count(*) FROM pairs WHERE a=7 AND b=8 AND key='t1' AND run_id=4"), 1,
	       "a value and the document whose id it is");
	ok(pairs_declare(s, "a\"b", 1, 0, &d, &e) == PV_EUSAGE, "a field with a quote is refused");

	/* found pairs: 20 real texts, their near copies, unrelated ones */
	store_begin(s, &e);
	for (k = 0; k < 20; k++) {
		char ext[32];
		random_text(&a, 300, 20000, "w");
		edit_text(&b, buf_str(&a), 5);
		buf_puts(&b, " coda");  /* never the same text (a duplicate) */
		snprintf(ext, sizeof ext, "real%d", k);
		all &= add(s, 100 + k, ext, buf_str(&a), "real", NULL, NULL) == 0;
		snprintf(ext, sizeof ext, "copy%d", k);
		all &= add(s, 200 + k, ext, buf_str(&b), "synthetic", k < 10 ? "edit" : "edit2",
			   NULL) == 0;
		random_text(&a, 300, 20000, "w");
		snprintf(ext, sizeof ext, "other%d", k);
		all &= add(s, 300 + k, ext, buf_str(&a), "synthetic", "gen", NULL) == 0;
	}
	all &= add(s, 400, "punct", "... !!! ---", "synthetic", "gen", NULL) == 0;
	ok(store_commit(s, &e) == 0 && all, "store: 61 more documents");
	ok(pairs_find(s, NULL, &o, &st, &e) == 0, "pairs_find");
	is_int(st.docs, 69, "selected every document");
	is_int(st.sig_new, st.texts, "every text signed (%lld)", (long long)st.sig_new);
	is_int(st.no_words, 1, "the text without words is counted");
	is_int(st.short_texts, 6, "texts of fewer than 5 words counted");
	ok(st.pairs >= 19 && st.pairs == st.pairs_new, "near copies found (%lld of 20)",
	   (long long)st.pairs);
	is_int(q("SELECT count(*) FROM pairs WHERE kind='found' AND sim < 0.8"), 0,
	       "every stored pair reaches the threshold");
	ok(pairs_find(s, NULL, &o, &st, &e) == 0 && st.sig_new == 0 &&
	   st.sig_reused == st.texts && st.pairs_new == 0,
	   "a second run: no new signature, no new pair");
	pairs_stats_json(&st, &o, &js);
	ok(strstr(buf_str(&js), "\"computed\":0,") != NULL, "summary as JSON");
	ok(pairs_report(s, NULL, 0.8, 2, &rep, &e) == 0, "report");
	is_int(rep.copies, st.pairs, "report: every copy once");
	ok(rep.ngroups >= 2 && rep.groups[0].nex <= 2 && rep.groups[0].copies >= 9 &&
	   !strcmp(rep.groups[0].source, "web"), "report: groups by generator, examples capped");
	ok(rep.groups[0].nex && rep.groups[0].ex[0].syn.words &&
	   !strncmp(rep.groups[0].ex[0].syn.ext_id, "copy", 4),
	   "report: examples with ids and first words");
	buf_reset(&js);
	pairs_report_json(&rep, NULL, &js);
	ok(strstr(buf_str(&js), "\"examples\":[{\"sim\":") != NULL, "report as JSON");
	pairs_report_done(&rep);

	/* a filter without real documents: nothing compared */
	{
		struct filter_ast *ast = NULL;
		struct filter_sql fs;
		filter_parse("origin:synthetic", &ast, &e);
		filter_compile(ast, &fs);
		ok(pairs_find(s, &fs, &o, &st, &e) == 0 && st.nothing &&
		   strstr(st.nothing, "no real documents"), "no real documents: said, not an error");
		filter_sql_done(&fs);
		filter_free(ast);
	}
	store_close(s);
	buf_done(&a);
	buf_done(&b);
	buf_done(&js);
	snprintf(path, sizeof path, "rm -rf %s", dir);
	if (system(path) != 0)
		ok(0, "cleaning up");
}

int main(void)
{
	test_words();
	test_short();
	test_estimate();
	test_stored();
	test_bands();
	test_lsh();
	test_store();
	return tap_done();
}
