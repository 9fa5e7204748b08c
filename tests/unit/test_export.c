/*
 * test_export.c - the arithmetic of provex export: ranks, samples, even
 * repeats, mixture plans (largest-remainder rounding, caps, errors), all
 * deterministic given the seed; and, on a store, the candidates a filter
 * selects (in id order, however SQLite plans the filter) and the rows
 * handed out by the reading thread (in order, texts exact, stopped early
 * on request); and a whole export through export/write.h, as the
 * interface's :export runs it (the records written, the counts, the
 * manifest, no temporaries, the errors).
 */
#include "config.h"
#include "../tap.h"
#include "../../store/export.h"
#include "../../store/filter.h"
#include "../../store/metaindex.h"
#include "../../export/write.h"

#include <dirent.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#define N 1000

static int64_t sum(const uint32_t *r, size_t n)
{
	int64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += r[i];
	return s;
}

static void test_rank(void)
{
	ok(export_rank(0, 1) == export_rank(0, 1), "rank: deterministic");
	ok(export_rank(0, 1) != export_rank(1, 1), "rank: depends on the seed");
	ok(export_rank(0, 1) != export_rank(0, 2), "rank: depends on the id");
}

static void test_sample(void)
{
	int64_t ids[N];
	uint32_t a[N], b[N], c[N];
	size_t i, same = 0;
	bool binary = true;

	for (i = 0; i < N; i++)
		ids[i] = (int64_t)(i * 3 + 1);
	export_repeats(ids, N, 7, 100, a);
	export_repeats(ids, N, 7, 100, b);
	export_repeats(ids, N, 8, 100, c);
	is_int(sum(a, N), 100, "sample: exactly N documents");
	for (i = 0; i < N; i++) {
		if (a[i] > 1)
			binary = false;
		same += a[i] && c[i];
	}
	ok(binary, "sample: each document at most once");
	ok(memcmp(a, b, sizeof a) == 0, "sample: same seed, same documents");
	ok(same < 50, "sample: another seed, other documents (%zu shared)", same);
	export_repeats(ids, N, 7, 0, a);
	is_int(sum(a, N), 0, "sample of 0: nothing");
	export_repeats(ids, N, 7, N, a);
	for (i = 0; i < N && a[i] == 1; i++)
		;
	is_int(i, N, "sample of everything: each once");
	/* a sample of 10 is the first 10 of a sample of 100 (smallest ranks) */
	export_repeats(ids, N, 7, 100, a);
	export_repeats(ids, N, 7, 10, b);
	for (i = 0, same = 0; i < N; i++)
		same += b[i] && !a[i];
	is_int(same, 0, "samples nest: a smaller one is inside a larger one");
	a[0] = 12345;
	export_repeats(ids, 0, 7, 10, a);
	is_int(a[0], 12345, "no documents: nothing to do");
}

static void test_repeats(void)
{
	int64_t ids[7] = { 2, 3, 5, 7, 11, 13, 17 };
	uint32_t r[7], r2[7];
	size_t i, hi = 0;
	bool even = true;

	export_repeats(ids, 7, 0, 30, r);
	is_int(sum(r, 7), 30, "repeats: add up to the records asked for");
	for (i = 0; i < 7; i++) {
		if (r[i] != 4 && r[i] != 5)
			even = false;
		hi += r[i] == 5;
	}
	ok(even, "repeats: each document 30/7 = 4 or 5 times");
	is_int(hi, 2, "repeats: 30 %% 7 = 2 documents get one more");
	export_repeats(ids, 7, 0, 30, r2);
	ok(memcmp(r, r2, sizeof r) == 0, "repeats: deterministic");
	export_repeats(ids, 7, 0, 14, r);
	for (i = 0; i < 7 && r[i] == 2; i++)
		;
	is_int(i, 7, "repeats: an exact multiple repeats every document equally");
}

static void test_mix(void)
{
	struct export_group g[3];
	struct pv_err e;
	int64_t total;

	memset(g, 0, sizeof g);
	g[0].value = "real"; g[0].share = 0.7; g[0].available = 10;
	g[1].value = "synthetic"; g[1].share = 0.3; g[1].available = 1000;
	is_int(export_mix_plan(g, 2, 100, 0, &e), 0, "mix: plan");
	is_int(g[0].target, 70, "mix: 70%% of 100");
	is_int(g[1].target, 30, "mix: 30%% of 100");
	is_int(g[0].written, 70, "mix: a small group is upsampled to its share");
	ok(fabs((double)g[0].written / (double)g[0].available - 7.0) < 1e-9,
	   "mix: repeat factor 7");

	/* largest remainder: thirds of 100 */
	memset(g, 0, sizeof g);
	g[0].value = "a"; g[0].share = 1.0 / 3; g[0].available = 100;
	g[1].value = "b"; g[1].share = 1.0 / 3; g[1].available = 100;
	g[2].value = "c"; g[2].share = 1.0 / 3; g[2].available = 100;
	is_int(export_mix_plan(g, 3, 100, 0, &e), 0, "mix: thirds");
	total = g[0].target + g[1].target + g[2].target;
	is_int(total, 100, "mix: targets add up to the total");
	ok(g[0].target == 34 && g[1].target == 33 && g[2].target == 33,
	   "mix: the remainder goes to the earlier group on ties (34 33 33)");

	/* every target within one of share * total, over many totals */
	{
		int64_t t;
		bool within = true, exact = true;
		for (t = 1; t <= 2000; t++) {
			memset(g, 0, sizeof g);
			g[0].value = "a"; g[0].share = 0.15; g[0].available = 5;
			g[1].value = "b"; g[1].share = 0.35; g[1].available = 5;
			g[2].value = "c"; g[2].share = 0.5; g[2].available = 5;
			if (export_mix_plan(g, 3, t, 0, &e)) {
				within = false;
				break;
			}
			if (g[0].target + g[1].target + g[2].target != t)
				exact = false;
			if (fabs((double)g[0].target - 0.15 * (double)t) >= 1 ||
			    fabs((double)g[1].target - 0.35 * (double)t) >= 1 ||
			    fabs((double)g[2].target - 0.5 * (double)t) >= 1)
				within = false;
		}
		ok(exact, "mix: totals 1..2000 add up exactly");
		ok(within, "mix: each group within one record of its share");
	}

	/* caps */
	memset(g, 0, sizeof g);
	g[0].value = "real"; g[0].share = 0.5; g[0].available = 10;
	g[1].value = "synthetic"; g[1].share = 0.5; g[1].available = 1000;
	is_int(export_mix_plan(g, 2, 100, 3, &e), 0, "mix: with --max-repeat 3");
	is_int(g[0].target, 50, "cap: asked 50");
	is_int(g[0].written, 30, "cap: written 3 x 10");
	is_int(g[0].shortfall, 20, "cap: 20 short");
	is_int(g[1].written, 50, "cap: a large group is not touched");

	/* errors */
	memset(g, 0, sizeof g);
	g[0].value = "real"; g[0].share = 0.5; g[0].available = 10;
	g[1].value = "synthetic"; g[1].share = 0.4; g[1].available = 10;
	is_int(export_mix_plan(g, 2, 100, 0, &e), PV_EUSAGE, "error: shares add up to 0.9");
	ok(strstr(e.msg, "add up") != NULL, "error says the shares do not add up");
	g[1].share = 0.5;
	is_int(export_mix_plan(g, 2, 0, 0, &e), PV_EUSAGE, "error: zero total");
	is_int(export_mix_plan(g, 2, -5, 0, &e), PV_EUSAGE, "error: negative total");
	g[1].available = 0;
	is_int(export_mix_plan(g, 2, 100, 0, &e), PV_EUSAGE, "error: a group without documents");
	ok(strstr(e.msg, "synthetic") != NULL, "error names the empty group");
	g[1].available = 10;
	g[1].share = -0.5;
	g[0].share = 1.5;
	is_int(export_mix_plan(g, 2, 100, 0, &e), PV_EUSAGE, "error: a share outside (0, 1]");
	is_int(export_mix_plan(g, 0, 100, 0, &e), PV_EUSAGE, "error: no groups");
	g[0].share = 0.3333333;
	g[1].share = 0.6666667;
	is_int(export_mix_plan(g, 2, 3, 0, &e), 0, "shares within 1e-6 of 1 are accepted");
	is_int(g[0].target + g[1].target, 3, "... and still add up to the total");
}

static void test_mix_fit(void)
{
	struct export_group g[2];
	struct pv_err e;
	int64_t fitted = 0;

	memset(g, 0, sizeof g);
	g[0].value = "real"; g[0].share = 0.7; g[0].available = 3;
	g[1].value = "synthetic"; g[1].share = 0.3; g[1].available = 7;
	is_int(export_mix_fit(g, 2, 100, 5, &fitted, &e), 0, "fit: 70/30 within 5 copies");
	is_int(fitted, 21, "fit: the largest total whose real share fits 15 records");
	ok(g[0].written == 15 && g[1].written == 6, "fit: 15 real and 6 synthetic written");
	ok(g[0].target == 70 && g[1].target == 30, "fit: targets stay those of the asked total");
	is_int(g[0].shortfall, 55, "fit: shortfall against the asked total");
	is_int(export_mix_fit(g, 2, 10, 5, &fitted, &e), 0, "fit: a total that fits");
	ok(fitted == 10 && g[0].written == 7 && g[1].written == 3, "fit: ... is kept (7 + 3)");
	g[0].available = 1;
	g[0].share = 0.01;
	g[1].share = 0.99;
	g[1].available = 1;
	is_int(export_mix_fit(g, 2, 1000, 1, &fitted, &e), PV_EUSAGE,
	       "fit: no total of one record per group fits the shares");
}

static void test_perm(void)
{
	static const uint64_t sizes[] = { 1, 2, 3, 5, 16, 17, 100, 1000, 4097 };
	unsigned char *seen;
	struct export_perm p, q;
	size_t k;
	uint64_t i;
	bool bij = true, inplace = true, same = true, moved = false;

	seen = calloc(4097, 1);
	for (k = 0; k < PV_ARRAY_LEN(sizes); k++) {
		export_perm_init(&p, 7, sizes[k]);
		memset(seen, 0, 4097);
		for (i = 0; i < sizes[k]; i++) {
			uint64_t x = export_perm_at(&p, i);
			if (x >= sizes[k] || seen[x])
				bij = false;
			else
				seen[x] = 1;
			if (x != i)
				inplace = false;
		}
		if (sizes[k] > 2 && inplace)
			bij = false;    /* the identity is no shuffle */
		inplace = true;
	}
	ok(bij, "perm: a permutation of [0, n) for n from 1 to 4097, not the identity");
	export_perm_init(&p, 7, 1000);
	export_perm_init(&q, 7, 1000);
	for (i = 0; i < 1000; i++)
		if (export_perm_at(&p, i) != export_perm_at(&q, i))
			same = false;
	ok(same, "perm: the same seed, the same order");
	export_perm_init(&q, 8, 1000);
	for (i = 0; i < 1000; i++)
		if (export_perm_at(&p, i) != export_perm_at(&q, i))
			moved = true;
	ok(moved, "perm: another seed, another order");
	/* a large size: in range and spread (the first tenth of positions
	 * land all over) */
	export_perm_init(&p, 1, UINT64_C(3000000000));
	{
		uint64_t lo = 0, hi = 0;
		bool in = true;
		for (i = 0; i < 10000; i++) {
			uint64_t x = export_perm_at(&p, i);
			if (x >= UINT64_C(3000000000))
				in = false;
			if (x < UINT64_C(1500000000))
				lo++;
			else
				hi++;
		}
		ok(in, "perm: 3e9 records, each position in range");
		ok(lo > 4500 && hi > 4500, "perm: 3e9 records, positions spread over both halves");
	}
	free(seen);
}

static void test_mix_columns(void)
{
	ok(export_mix_column("origin") && export_mix_column("label"),
	   "mix fields: origin, label");
	ok(export_mix_column("colour") == NULL, "mix fields: unknown field refused");
}

/* ---- on a store ---- */

#define NDOCS 2000

/* Document i (1-based): its text, deterministic; every 7th repeats the
 * one before; every 400th is 300 KB (a batch holds a few MB). */
static void doc_text(int i, struct buf *b)
{
	int j, n;

	buf_reset(b);
	if (i % 7 == 0)
		i--;
	n = i % 400 == 0 ? 300000 : 40 + (i * 37) % 3000;
	buf_printf(b, "document %d:", i);
	for (j = 0; (int)b->len < n; j++)
		buf_putc(b, j % 61 == 60 ? '\n' : (char)('a' + (i + j * 7) % 26));
}

static const char *doc_origin(int i)
{
	return i % 3 == 0 ? "synthetic" : "real";
}

static int candidates(struct store *s, const char *filter, bool keep_dups,
		      struct export_cands *c)
{
	struct filter_ast *ast = NULL;
	struct filter_sql sql;
	struct pv_err e;
	int rc;

	memset(&sql, 0, sizeof sql);
	if (filter_parse(filter, &ast, &e) || filter_compile(ast, &sql)) {
		filter_free(ast);
		return -1;
	}
	rc = export_candidates(s, &sql, keep_dups, NULL, NULL, 0, c, &e);
	if (rc)
		printf("# %s\n", e.msg);
	filter_sql_done(&sql);
	filter_free(ast);
	return rc;
}

static bool increasing(const int64_t *ids, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (ids[i - 1] >= ids[i])
			return false;
	return true;
}

struct seen {
	struct buf want;
	int64_t calls, stop_at, last_id;
	bool in_order, texts, fields;
	int64_t reps_sum;
};

static int on_row(void *ctx, const struct export_doc *d, uint32_t reps)
{
	struct seen *v = ctx;

	v->calls++;
	if (d->id <= v->last_id)
		v->in_order = false;
	v->last_id = d->id;
	doc_text((int)d->id, &v->want);
	if (d->len != v->want.len || memcmp(d->text, v->want.data, d->len) != 0)
		v->texts = false;
	if (!d->origin || strcmp(d->origin, doc_origin((int)d->id)) != 0 ||
	    !d->source || strcmp(d->source, "src") != 0 || d->generator ||
	    !d->meta || strcmp(d->meta, "{\"k\":1}") != 0)
		v->fields = false;
	v->reps_sum += reps;
	return v->calls == v->stop_at ? 42 : 0;
}

/* One export as the interface runs it: options from an argument vector,
 * then export_run (the checks, the store opened for reading,
 * export_write). */
static int write_export(int argc, char **argv, struct export_result *r,
			struct pv_err *e)
{
	struct export_opts o;
	enum export_stage stage;
	bool help = false;
	int rc;

	memset(r, 0, sizeof *r);
	export_opts_init(&o, argc, argv);
	if (!(rc = export_opts_parse(&o, argc, argv, argc, &help, e)))
		rc = export_run(&o, NULL, r, &stage, e);
	export_opts_done(&o);
	return rc;
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	return buf_take(&b);
}

/* Names in dir starting with '.' other than . and .. (temporaries). */
static int hidden_files(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (dp && (de = readdir(dp)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (dp)
		closedir(dp);
	return n;
}

static void test_write(const char *dir, const char *store_path)
{
	char out[96], man[128];
	/* getopt_long takes char **: the strings are never written */
#define A(s) ((char *)(s))
	char *argv[] = { A("export"), A(store_path), A("-o"), out, A("--fields"),
			 A("origin,id"), A("--keep-dups"), A("--"),
			 A("origin:synthetic id:<40"), NULL };
	char *bad[] = { A("export"), A(store_path), A("-o"), out, A("--sample"), A("0"),
			A("--"), A(""), NULL };
#undef A
	struct export_result r;
	struct pv_err e;
	struct buf want = BUF_INIT;
	int64_t text_bytes = 0;
	char *got;
	int k;

	snprintf(out, sizeof out, "%s/out.jsonl", dir);
	snprintf(man, sizeof man, "%s.manifest.json", out);
	pv_err_clear(&e);
	is_int(write_export(9, argv, &r, &e), 0, "write: the interface's export");
	if (e.code)
		printf("# %s\n", e.msg);
	is_int(r.records, 13, "write: 13 records");
	is_int(r.docs, 13, "write: 13 documents");
	is_int(r.dups, 0, "write: none skipped (--keep-dups)");
	for (k = 3; k < 40; k += 3) {
		doc_text(k, &want);
		text_bytes += (int64_t)want.len;
	}
	is_int(r.text_bytes, text_bytes, "write: the bytes of their texts");
	buf_reset(&want);
	for (k = 3; k < 40; k += 3)
		buf_printf(&want, "{\"origin\":\"synthetic\",\"id\":%d}\n", k);
	got = slurp(out);
	ok(got && strcmp(got, buf_str(&want)) == 0, "write: the records, fields and order");
	free(got);
	got = slurp(man);
	ok(got && strstr(got, "\"records\": 13,") &&
	   strstr(got, "\"command\": [\"export\", ") &&
	   strstr(got, "\"filter\": \"origin:synthetic id:<40\""),
	   "write: the manifest (records, the command, the filter)");
	free(got);
	is_int(hidden_files(dir), 0, "write: no temporaries left");
	buf_reset(&want);
	export_summary_line(&(struct export_opts){ .out = "o.jsonl", .shards = 3 }, &r, &want);
	is_str(buf_str(&want), "13 records (13 documents, 10.6 KB of text) written to "
	       "o.jsonl in 3 shards (round-robin)", "write: the summary line");

	pv_err_clear(&e);
	is_int(write_export(9, argv, &r, &e), PV_EIO, "write: an existing output is refused");
	ok(strstr(e.msg, "already exists (--force replaces it)") != NULL, "... saying so");
	pv_err_clear(&e);
	is_int(write_export(8, bad, &r, &e), PV_EUSAGE, "write: --sample 0 is a usage error");
	is_str(e.msg, "--sample needs a positive number, not '0'", "... saying why");
	buf_done(&want);
}

static void test_store(void)
{
	char dir[] = "/tmp/provex-export-XXXXXX", path[64], cmd[96];
	struct store *s = NULL;
	struct export_cands c, f;
	struct buf text = BUF_INIT;
	struct pv_err e;
	struct seen v;
	uint32_t *reps;
	int64_t *ids, iid, want_reps = 0;
	size_t i, nrep = 0;
	bool same, done, all_there = true;
	int k, rc;

	if (!mkdtemp(dir)) {
		ok(0, "temporary folder");
		return;
	}
	snprintf(path, sizeof path, "%s/s.pvx", dir);
	ok(store_open(&s, path, STORE_CREATE, &e) == 0, "store: create");
	store_begin(s, &e);
	store_input(s, "/abs/in.jsonl", "{}", "in.jsonl", 1, 1, &iid, &same, &done, &e);
	for (k = 1; k <= NDOCS; k++) {
		struct doc_in d = { .input_id = iid, .rec = k, .ext_id = "x",
				    .origin = doc_origin(k), .source = "src",
				    .meta = "{\"k\":1}" };
		enum doc_outcome oc;
		size_t stored;
		bool cross;
		doc_text(k, &text);
		d.text = text.data;
		d.len = text.len;
		if (store_doc_add(s, &d, &oc, &cross, &stored, &e))
			all_there = false;
	}
	ok(store_commit(s, &e) == 0 && all_there, "store: %d documents", NDOCS);
	store_close(s);
	ok(store_open(&s, path, STORE_READ, &e) == 0 && export_begin(s, &e) == 0,
	   "store: open for export");

	is_int(candidates(s, "", true, &c), 0, "candidates: all");
	is_int(c.n, NDOCS, "candidates: every document");
	ok(increasing(c.ids, c.n), "candidates: in id order");
	is_int(candidates(s, "", false, &f), 0, "candidates: without duplicates");
	is_int(f.dups, NDOCS / 7, "candidates: every 7th is a duplicate");
	export_cands_done(&f);
	/* a third of the store: the index walk is given up for a scan */
	is_int(candidates(s, "origin:synthetic", true, &f), 0, "candidates: origin:synthetic");
	is_int(f.n, NDOCS / 3, "candidates: a third");
	ok(increasing(f.ids, f.n), "candidates: in id order after a scan");
	for (i = 0; i < f.n && doc_origin((int)f.ids[i])[0] == 's'; i++)
		;
	is_int(i, f.n, "candidates: only synthetic documents");
	export_cands_done(&f);
	/* the same with the texts joined (words is theirs) */
	is_int(candidates(s, "origin:real words:>0", true, &f), 0,
	       "candidates: origin:real words:>0");
	is_int(f.n, NDOCS - NDOCS / 3, "candidates: two thirds");
	ok(increasing(f.ids, f.n), "candidates: in id order after a scan");
	export_cands_done(&f);
	/* a few, walked in the order of the (origin, len) index */
	for (k = 1, nrep = 0; k <= NDOCS; k++) {
		doc_text(k, &text);
		nrep += doc_origin(k)[0] == 'r' && text.len < 400;
	}
	is_int(candidates(s, "origin:real len:<400", true, &f), 0,
	       "candidates: origin:real len:<400");
	is_int(f.n, nrep, "candidates: the short real ones");
	ok(increasing(f.ids, f.n), "candidates: in id order after the index walk");
	export_cands_done(&f);
	nrep = 0;
	is_int(candidates(s, "origin:synthetic id:<40", true, &f), 0,
	       "candidates: a few documents");
	is_int(f.n, 13, "candidates: 3, 6, ... 39");
	ok(increasing(f.ids, f.n), "candidates: in id order");
	export_cands_done(&f);

	/* rows: 0 to 4 copies each, an id that is not there, in order */
	ids = pv_malloc((c.n + 1) * sizeof *ids);
	reps = pv_malloc((c.n + 1) * sizeof *reps);
	for (i = 0; i < c.n; i++) {
		ids[i] = c.ids[i];
		reps[i] = (uint32_t)(i % 5);
		want_reps += reps[i];
		nrep += reps[i] > 0;
	}
	ids[c.n] = NDOCS + 100;
	reps[c.n] = 1;
	memset(&v, 0, sizeof v);
	v.in_order = v.texts = v.fields = true;
	rc = export_rows(s, ids, reps, c.n + 1, on_row, &v, &e);
	is_int(rc, 0, "rows: all read");
	is_int(v.calls, nrep, "rows: one call per document with copies");
	is_int(v.reps_sum, want_reps, "rows: the copies asked for");
	ok(v.in_order, "rows: in id order");
	ok(v.texts, "rows: texts byte-exact (300 KB ones too)");
	ok(v.fields, "rows: provenance and metadata");

	v.calls = 0;
	v.last_id = 0;
	v.stop_at = 700;
	rc = export_rows(s, ids, reps, c.n, on_row, &v, &e);
	is_int(rc, 42, "rows: the callback's stop is returned");
	is_int(v.calls, 700, "rows: no call after the stop");
	for (i = 0; i < c.n; i++)
		reps[i] = 0;
	v.calls = 0;
	is_int(export_rows(s, ids, reps, c.n, on_row, &v, &e), 0, "rows: nothing chosen");
	is_int(v.calls, 0, "rows: no call");

	free(ids);
	free(reps);
	buf_done(&v.want);
	buf_done(&text);
	export_cands_done(&c);
	export_end(s);
	store_close(s);
	test_write(dir, path);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

int main(void)
{
	test_rank();
	test_sample();
	test_repeats();
	test_mix();
	test_mix_fit();
	test_perm();
	test_mix_columns();
	test_store();
	return tap_done();
}
