/*
 * test_store.c - the store: creation, refusal of foreign files, documents
 * in and out byte-exact, dedupe, dictionaries, summaries; a store another
 * connection is writing says busy (PV_EBUSY), with an error record or not.
 */
#include "config.h"
#include "../tap.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/label.h"
#include "store/codec.h"
#include "store/ftsterms.h"
#include "store/ftsquery.h"
#include "store/ftsscheme.h"
#include "store/filter.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/provex-store-XXXXXX";

static char *path(const char *name)
{
	static char p[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
	return p[i];
}

/* Under valgrind (PROVEX_VALGRIND), the big cases are made smaller. */
static bool small;

static void write_file(const char *p, const char *data, size_t len)
{
	FILE *fp = fopen(p, "wb");
	fwrite(data, 1, len, fp);
	fclose(fp);
}

static int add(struct store *s, int64_t input, int64_t rec, const char *text,
	       size_t len, const char *origin, enum doc_outcome *oc, bool *cross)
{
	struct doc_in d = { .input_id = input, .rec = rec, .ext_id = "x",
			    .text = text, .len = len, .origin = origin,
			    .source = "src", .meta = "{\"k\":1}" };
	size_t stored;
	struct pv_err e;
	int rc = store_doc_add(s, &d, oc, cross, &stored, &e);
	if (rc)
		printf("# %s\n", e.msg);
	return rc;
}

static void test_refusals(void)
{
	struct store *s = NULL;
	struct pv_err e;
	sqlite3 *db;
	char head[64];
	FILE *fp;

	write_file(path("notes.txt"), "my precious notes\n", 18);
	is_int(store_open(&s, path("notes.txt"), STORE_CREATE, &e), PV_ENOTSTORE,
	       "a text file is refused");
	ok(strstr(e.msg, "not a provex store") != NULL, "message says why: %s", e.msg);
	fp = fopen(path("notes.txt"), "rb");
	ok(fp && fread(head, 1, sizeof head, fp) == 18 && memcmp(head, "my precious", 11) == 0,
	   "and it is left untouched");
	if (fp)
		fclose(fp);

	sqlite3_open(path("other.db"), &db);
	sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", NULL, NULL, NULL);
	sqlite3_close(db);
	is_int(store_open(&s, path("other.db"), STORE_CREATE, &e), PV_ENOTSTORE,
	       "another SQLite database is refused");

	ok(store_open(&s, path("new.pvx"), STORE_CREATE, &e) == 0, "a new store is created");
	store_close(s);
	sqlite3_open(path("new.pvx"), &db);
	sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL);
	sqlite3_close(db);
	is_int(store_open(&s, path("new.pvx"), STORE_READ, &e), PV_ENEWER,
	       "a newer schema is refused");
	ok(strstr(e.msg, "upgrade provex") != NULL, "and says what to do");

	is_int(store_open(&s, path("absent.pvx"), STORE_READ, &e), PV_ENOTFOUND,
	       "reading a missing store fails");
	ok(access(path("absent.pvx"), F_OK) != 0, "without creating it");
	is_int(store_open(&s, dir, STORE_CREATE, &e), PV_ENOTSTORE, "a folder is refused");
}

static void test_docs(void)
{
	struct store *s = NULL;
	struct pv_err e;
	enum doc_outcome oc;
	bool cross, seen;
	struct doc_row row;
	struct buf out = BUF_INIT;
	struct store_info info;
	int64_t iid, ids[4];
	bool same, done;
	static const char weird[] = "nul\0byte \xff\xfe bad utf8 \x1b[2J";
	char *big;
	size_t i;

	ok(store_open(&s, path("docs.pvx"), STORE_CREATE, &e) == 0, "open");
	store_begin(s, &e);
	ok(store_input(s, "/abs/in.jsonl", "{}", "in.jsonl", 10, 5, &iid, &same, &done, &e) == 0 &&
	   !same && !done, "new input");
	ok(add(s, iid, 0, "hello world", 11, "real", &oc, &cross) == 0 && oc == DOC_NEW,
	   "first text is new");
	ok(add(s, iid, 1, "hello world", 11, "synthetic", &oc, &cross) == 0 &&
	   oc == DOC_DUP && cross, "same text again: duplicate across origins");
	ok(add(s, iid, 1, "hello world", 11, "synthetic", &oc, &cross) == 0 &&
	   oc == DOC_EXISTS, "same occurrence again: nothing added");
	ok(add(s, iid, 2, weird, sizeof weird - 1, "unknown", &oc, &cross) == 0 &&
	   oc == DOC_NEW, "NUL and invalid UTF-8 accepted");
	big = malloc(3 << 20);
	for (i = 0; i < (3u << 20); i++)
		big[i] = (char)('a' + (i * 7 + i / 13) % 26);
	ok(add(s, iid, 3, big, 3 << 20, "real", &oc, &cross) == 0, "3 MB text");
	ok(store_commit(s, &e) == 0, "commit");

	ok(store_doc_seen(s, iid, 2, &seen, &e) == 0 && seen, "seen: record 2");
	ok(store_doc_seen(s, iid, 9, &seen, &e) == 0 && !seen, "not seen: record 9");

	memset(&row, 0, sizeof row);
	ok(store_doc_get(s, 3, &row, &e) == 0, "get document 3");
	is_str(row.origin, "unknown", "origin");
	is_str(row.source, "src", "source");
	is_str(row.meta, "{\"k\":1}", "metadata");
	is_str(row.file, "in.jsonl", "file name");
	is_int(row.len, sizeof weird - 1, "length");
	ok(store_text_read(s, row.text_id, &out, &e) == 0 &&
	   out.len == sizeof weird - 1 && memcmp(out.data, weird, out.len) == 0,
	   "text round-trips byte-exact");
	ok(store_doc_get(s, 4, &row, &e) == 0 &&
	   store_text_read(s, row.text_id, &out, &e) == 0 &&
	   out.len == (3u << 20) && memcmp(out.data, big, out.len) == 0, "3 MB round-trips");
	ok(store_text_head(s, row.text_id, 100, &out, &e) == 0 && out.len == 100 &&
	   memcmp(out.data, big, 100) == 0, "head gives the first 100 bytes");
	is_int(store_doc_get(s, 99, &row, &e), PV_ENOTFOUND, "missing id");
	doc_row_done(&row);

	is_int(store_find_ext(s, "x", ids, 4, &e), 4, "find by input id");

	ok(store_info_get(s, &info, &e) == 0, "info");
	is_int(info.docs, 4, "4 documents");
	is_int(info.texts, 3, "3 texts");
	is_int(info.dup_docs, 1, "1 duplicate");
	is_int(info.cross_origin_texts, 1, "1 text both real and synthetic");
	is_int(info.nby[0], 3, "three origins");
	ok(info.bytes_stored < info.bytes_raw, "compressed");
	store_info_done(&info);
	ok(store_check(s, &e) == 0, "integrity check passes");
	store_close(s);
	free(big);
	buf_done(&out);
}

static void test_dict(void)
{
	struct store *s = NULL;
	struct pv_err e;
	struct buf samples = BUF_INIT, dict = BUF_INIT, out = BUF_INIT;
	size_t sizes[400], i;
	int64_t dict_id, iid;
	enum doc_outcome oc;
	bool cross, same, done;
	struct doc_row row;

	for (i = 0; i < 400; i++) {
		size_t before = samples.len;
		buf_printf(&samples, "Document %zu: the quick brown fox jumps over "
			   "the lazy dog %zu times; provenance=real source=test.",
			   i, i * 31 % 17);
		sizes[i] = samples.len - before;
	}
	ok(codec_train(samples.data, sizes, 400, 4096, &dict, &e) == 0 && dict.len > 0,
	   "dictionary trained (%zu bytes)", dict.len);
	ok(store_open(&s, path("dict.pvx"), STORE_CREATE, &e) == 0, "open");
	store_begin(s, &e);
	ok(store_dict_add(s, dict.data, dict.len, 400, samples.len, &dict_id, &e) == 0,
	   "dictionary stored");
	store_input(s, "/d", "{}", "d", 1, 1, &iid, &same, &done, &e);
	ok(add(s, iid, 0, samples.data, sizes[0], "real", &oc, &cross) == 0, "add");
	store_commit(s, &e);
	store_close(s);

	ok(store_open(&s, path("dict.pvx"), STORE_READ, &e) == 0, "reopen");
	memset(&row, 0, sizeof row);
	ok(store_doc_get(s, 1, &row, &e) == 0 && row.stored < row.len,
	   "compressed with the dictionary (%lld < %lld)", (long long)row.stored,
	   (long long)row.len);
	ok(store_text_read(s, row.text_id, &out, &e) == 0 && out.len == sizes[0] &&
	   memcmp(out.data, samples.data, out.len) == 0,
	   "decompressed after reopening (dictionary loaded from the store)");
	doc_row_done(&row);
	store_close(s);
	buf_done(&samples);
	buf_done(&dict);
	buf_done(&out);
}

/* Indexing a text's distinct terms gives the same detail=none index as
 * indexing the text: compare the vocabularies of both ways. */
static void test_fts_terms(void)
{
	static const char *const texts[] = {
		"The quick brown fox jumps over the lazy dog; the DOG sleeps.",
		"Caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9 CAF\xc3\x89 \xc3\x85ngstr\xc3\xb6m",
		/* Greek and Cyrillic: spaceless scripts are cut otherwise (below) */
		"\xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac "
		"\xd0\xa0\xd1\x83\xd1\x81\xd1\x81\xd0\xba\xd0\xb8\xd0\xb9 emoji "
		"\xf0\x9f\x98\x80 x\xf0\x9f\x98\x80y",
		"bad \xff\xfe bytes \x1b[2J and\x00nul, hyphen-ated words_with_underscores 3.14 1,000",
		"repeat repeat REPEAT Repeat r\xc3\xa9peat",
		"",
	};
	struct store *s = NULL;
	struct ftsterms *ft = NULL;
	struct buf terms = BUF_INIT;
	struct pv_err e;
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t i;
	char *a = NULL, *b = NULL;

	ok(store_open(&s, path("terms.pvx"), STORE_CREATE, &e) == 0, "open");
	ok(store_ftsterms_new(s, &ft, &e) == 0, "term finder");
	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "CREATE VIRTUAL TABLE a USING fts5(t, content='', detail=none, "
		     "columnsize=0, tokenize='unicode61 remove_diacritics 2');"
		     "CREATE VIRTUAL TABLE b USING fts5(t, content='', detail=none, "
		     "columnsize=0, tokenize='unicode61 remove_diacritics 2');"
		     "CREATE VIRTUAL TABLE av USING fts5vocab(a, row);"
		     "CREATE VIRTUAL TABLE bv USING fts5vocab(b, row);", NULL, NULL, NULL);
	for (i = 0; i < PV_ARRAY_LEN(texts); i++) {
		size_t len = strlen(texts[i]) + (i == 3 ? 9 : 0);  /* past the NUL */
		ftsterms_get(ft, texts[i], len, &terms, NULL, &e);
		sqlite3_prepare_v2(db, "INSERT INTO a(rowid,t) VALUES(?1,?2)", -1, &st, NULL);
		sqlite3_bind_int(st, 1, (int)i + 1);
		sqlite3_bind_text(st, 2, texts[i], (int)len, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
		sqlite3_prepare_v2(db, "INSERT INTO b(rowid,t) VALUES(?1,?2)", -1, &st, NULL);
		sqlite3_bind_int(st, 1, (int)i + 1);
		sqlite3_bind_text(st, 2, buf_str(&terms), (int)terms.len, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	ftsterms_get(ft, "b a b c a", 9, &terms, NULL, &e);
	is_str(buf_str(&terms), "b a c", "distinct terms in order of first appearance");
	ftsterms_get(ft, "\xc3\x89T\xc3\x89 Ete", 9, &terms, NULL, &e);
	is_str(buf_str(&terms), "ete", "folded case and diacritics, once");
	sqlite3_prepare_v2(db, "SELECT group_concat(term || ':' || doc, ' ') FROM "
			   "(SELECT term, doc FROM av ORDER BY term)", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		a = pv_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_prepare_v2(db, "SELECT group_concat(term || ':' || doc, ' ') FROM "
			   "(SELECT term, doc FROM bv ORDER BY term)", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		b = pv_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	ok(a && b && strcmp(a, b) == 0, "same vocabulary and document counts either way");
	if (a && b && strcmp(a, b))
		printf("#   text:  %s\n#   terms: %s\n", a, b);
	ok(a && strstr(a, "cafe:1") && strstr(a, "repeat:1"), "vocabulary is folded (%s)",
	   a ? a : "?");
	free(a);
	free(b);
	sqlite3_close(db);
	ftsterms_free(ft);
	store_close(s);
	buf_done(&terms);
}

/* The reference: the tokenizer itself over the whole text, distinct terms
 * in order of first appearance. */
struct ref {
	struct buf *out;
	char **seen;
	size_t n, cap;
};

static void ref_add(struct ref *r, const char *tok, size_t ntok)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strlen(r->seen[i]) == ntok && memcmp(r->seen[i], tok, ntok) == 0)
			return;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->seen = pv_realloc(r->seen, r->cap * sizeof *r->seen);
	}
	r->seen[r->n++] = pv_strndup(tok, ntok);
	if (r->out->len)
		buf_putc(r->out, ' ');
	buf_append(r->out, tok, ntok);
}

/* The reference cut of a token, character by character: runs of spaceless
 * letters give their bigrams and their last letter, other runs are terms
 * as they are (ftsterms.h). */
static int ref_token(void *ctx, int flags, const char *tok, int ntok, int a, int b)
{
	struct ref *r = ctx;
	const unsigned char *p = (const unsigned char *)tok;
	size_t n = ntok > 0 ? (size_t)ntok : 0, off[256], len[256];
	bool sl[256];
	size_t nc = 0, i, j;

	(void)flags;
	(void)a;
	(void)b;
	for (i = 0; i < n && nc < 256; nc++) {
		size_t k = p[i] < 0xC0 ? 1 : p[i] < 0xE0 ? 2 : p[i] < 0xF0 ? 3 : 4;
		uint32_t c = k == 1 ? p[i] : k == 2 ? (p[i] & 0x1fu) :
			     k == 3 ? (p[i] & 0x0fu) : (p[i] & 0x07u);
		for (j = 1; j < k && i + j < n; j++)
			c = (c << 6) | (p[i + j] & 0x3fu);
		off[nc] = i;
		len[nc] = PV_MIN(k, n - i);
		sl[nc] = ftsterms_spaceless(c);
		i += len[nc];
	}
	for (i = 0; i < nc; i = j) {
		for (j = i; j < nc && sl[j] == sl[i]; j++)
			;
		if (!sl[i]) {
			ref_add(r, tok + off[i], off[j - 1] + len[j - 1] - off[i]);
			continue;
		}
		for (size_t k = i; k + 1 < j; k++)
			ref_add(r, tok + off[k], len[k] + len[k + 1]);
		ref_add(r, tok + off[j - 1], len[j - 1]);
	}
	return SQLITE_OK;
}

/* ftsterms_get reads ASCII on its own and hands other chunks to the
 * tokenizer: on random texts mixing ASCII, multi-byte letters, diacritics,
 * separators outside ASCII, invalid bytes and NULs, it must give exactly
 * the tokenizer's terms cut as ftsterms.h says (ref_token: spaceless runs
 * as bigrams), count words as store_count_words does, and know whether the
 * text was ASCII. */
static void test_fts_terms_fast(void)
{
	static const char *const pieces[] = {
		"a", "Z", "q", "0", "9", "_", "-", ".", ",", " ", "  ", "\n", "\t", "\r",
		"\f", "\v", "\x01", "\x7f", "'", "$", "`", "~", "@", "[", "]", "{",
		"Hello", "WORLD", "x86_64", "v1.2.3", "e\xcc\x81", "\xc3\xa9", "\xc3\x89",
		"\xc3\x9f", "\xe2\x80\x94", "\xe2\x80\x99", "\xc2\xa0",
		"\xe4\xb8\xad", "\xe5\x9b\xbd", "\xe3\x81\x82", "\xe0\xb8\x81",
		"\xe0\xb9\x88", "\xea\xb0\x80", "\xf0\xa0\x80\x80", "\xf0\x9f\x98\x80", "\xcc\x81", "\xff", "\xc3",
		"\x80", "\xe2\x80", "\xef\xbc\xa1", "\xd0\x96", "\xc5\x81",
	};
	struct store *s = NULL;
	struct ftsterms *ft = NULL;
	struct buf text = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	struct pv_err e;
	fts5_api *api = NULL;
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	void *ud = NULL;
	const char *args[] = FTSTERMS_ARGS;
	sqlite3_stmt *st;
	unsigned seed = 12345;
	int i, bad_terms = 0, bad_words = 0, bad_ascii = 0, nul_bytes = 0;

	ok(store_open(&s, path("terms2.pvx"), STORE_CREATE, &e) == 0, "open");
	ok(store_ftsterms_new(s, &ft, &e) == 0, "term finder");
	sqlite3 *db = NULL;

	sqlite3_open(":memory:", &db);
	sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	ok(api && api->xFindTokenizer(api, FTSTERMS_TOKENIZER, &ud, &tk) == SQLITE_OK &&
	   tk.xCreate(ud, args, (int)PV_ARRAY_LEN(args), &tok) == SQLITE_OK,
	   "the reference tokenizer");
	for (i = 0; tok && i < (small ? 600 : 3000); i++) {
		struct ftsterms_info fi;
		struct ref r = { &want, NULL, 0, 0 };
		int n = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40, k;
		size_t j;
		int ascii = 1;

		buf_reset(&text);
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			if (i % 7 == 0 && (seed >> 8) % 13 == 0) {
				buf_putc(&text, '\0');
				nul_bytes++;
			} else {
				buf_puts(&text, pieces[(seed >> 16) % PV_ARRAY_LEN(pieces)]);
			}
		}
		for (j = 0; j < text.len; j++)
			if ((unsigned char)text.data[j] >= 0x80)
				ascii = 0;
		buf_reset(&want);
		tk.xTokenize(tok, &r, FTS5_TOKENIZE_DOCUMENT, text.data ? text.data : "",
			     (int)text.len, ref_token);
		for (j = 0; j < r.n; j++)
			free(r.seen[j]);
		free(r.seen);
		if (ftsterms_get(ft, text.data ? text.data : "", text.len, &got, &fi, &e) ||
		    got.len != want.len || (got.len && memcmp(got.data, want.data, got.len))) {
			if (bad_terms++ == 0)
				printf("#   text %d: got \"%s\", want \"%s\"\n", i,
				       buf_str(&got), buf_str(&want));
		}
		if (fi.words != store_count_words(text.data ? text.data : "", text.len))
			bad_words++;
		if (fi.ascii != (ascii != 0))
			bad_ascii++;
	}
	is_int(bad_terms, 0, "the fast reading gives the tokenizer's terms (%d texts)", i);
	is_int(bad_words, 0, "and counts words as store_count_words");
	is_int(bad_ascii, 0, "and knows which texts are ASCII");
	ok(nul_bytes > 0, "NUL bytes were among the texts");
	if (tok)
		tk.xDelete(tok);
	sqlite3_close(db);
	ftsterms_free(ft);
	store_close(s);
	buf_done(&text);
	buf_done(&got);
	buf_done(&want);
}

/* One column of a query's rows, joined by spaces. */
static char *column_list(sqlite3 *db, const char *sql)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st;
	char *r;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("#   %s: %s\n", sql, sqlite3_errmsg(db));
		return pv_strdup("(error)");
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (b.len)
			buf_putc(&b, ' ');
		buf_puts(&b, t ? t : "NULL");
	}
	sqlite3_finalize(st);
	r = pv_strdup(buf_str(&b));
	buf_done(&b);
	return r;
}

/* The terms of texts in spaceless scripts, as ftsterms.h states them; every
 * term is one token to FTS5 (its own INSERT of the terms joined by spaces
 * indexes exactly them), and the tokenizer's folding gives a folded
 * character again, for every character of the Basic Multilingual Plane. */
static void test_fts_spaceless(void)
{
	static const char *const cases[][2] = {
		{ "\xe6\x88\x91\xe4\xbb\xac\xe7\x88\xb1\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba"
		  "\xe6\xb0\x91\xe3\x80\x82\xe4\xb8\xad\xe5\x9b\xbd",      /* 我们爱中国人民。中国 */
		  "\xe6\x88\x91\xe4\xbb\xac \xe4\xbb\xac\xe7\x88\xb1 \xe7\x88\xb1\xe4\xb8\xad "
		  "\xe4\xb8\xad\xe5\x9b\xbd \xe5\x9b\xbd\xe4\xba\xba \xe4\xba\xba\xe6\xb0\x91 "
		  "\xe6\xb0\x91 \xe5\x9b\xbd" },
		{ "\xe4\xb8\xad", "\xe4\xb8\xad" },                        /* one letter */
		{ "iPhone\xe6\x89\x8b\xe6\x9c\xba \xe7\xac\xac" "3\xe7\xab\xa0",  /* iPhone手机 第3章 */
		  "iphone \xe6\x89\x8b\xe6\x9c\xba \xe6\x9c\xba \xe7\xac\xac 3 \xe7\xab\xa0" },
		{ "\xe0\xb8\x81\xe0\xb9\x88\xe0\xb8\x82",   /* ก่ข: the tone mark separates */
		  "\xe0\xb8\x81 \xe0\xb8\x82" },
		{ "\xe3\x82\xac\xe3\x82\xae",               /* ガギ: no diacritic folding */
		  "\xe3\x82\xac\xe3\x82\xae \xe3\x82\xae" },
		{ "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4",   /* 한국어 */
		  "\xed\x95\x9c\xea\xb5\xad \xea\xb5\xad\xec\x96\xb4 \xec\x96\xb4" },
		{ "CAF\xc3\x89 caf\xc3\xa9", "cafe" },      /* others unchanged */
	};
	static const char *const pieces[] = {
		"\xe4\xb8\xad", "\xe5\x9b\xbd", "\xe3\x81\x82", "\xe3\x82\xab", "\xef\xbd\xb6",
		"\xe0\xb8\x81", "\xe0\xb9\x88", "\xe0\xba\x81", "\xe1\x80\x80", "\xe1\x9e\x80",
		"\xea\xb0\x80", "\xf0\xa0\x80\x80", "\xe3\x80\x85", "\xe3\x80\x82", "A", "b",
		"7", " ", "-", "\xc3\x89", "e\xcc\x81", "\xef\xbc\xa1", "\xe2\x80\x8d",
		"\xf0\x9f\x91\x8d", "\xf0\x9f\x8f\xbd", "\xd7\x90", "\xd8\xa7", "\xff",
	};
	struct store *s = NULL;
	struct ftsterms *ft = NULL;
	struct buf text = BUF_INIT, terms = BUF_INIT;
	struct pv_err e;
	sqlite3 *db;
	sqlite3_stmt *ins, *st;
	unsigned seed = 777;
	size_t i;
	int bad = 0, nterms = 0;

	ok(store_open(&s, path("spaceless.pvx"), STORE_CREATE, &e) == 0, "open");
	ok(store_ftsterms_new(s, &ft, &e) == 0, "term finder");
	for (i = 0; i < PV_ARRAY_LEN(cases); i++) {
		ftsterms_get(ft, cases[i][0], strlen(cases[i][0]), &terms, NULL, &e);
		is_str(buf_str(&terms), cases[i][1], "terms of case %zu", i);
	}
	/* FTS5's INSERT of each text's terms indexes exactly those terms */
	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "CREATE VIRTUAL TABLE f USING fts5(t, content='', detail=none, "
		     "columnsize=0, tokenize='unicode61 remove_diacritics 2');"
		     "CREATE VIRTUAL TABLE fv USING fts5vocab(f, instance);", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO f(rowid, t) VALUES(?1, ?2)", -1, &ins, NULL);
	sqlite3_prepare_v2(db, "SELECT count(*) FROM fv WHERE doc = ?1", -1, &st, NULL);
	for (i = 0; i < (small ? 100u : 500u); i++) {
		int n = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 30, k;
		const char *p;

		buf_reset(&text);
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&text, pieces[(seed >> 16) % PV_ARRAY_LEN(pieces)]);
		}
		ftsterms_get(ft, text.data ? text.data : "", text.len, &terms, NULL, &e);
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(ins, 2, buf_str(&terms), (int)terms.len, SQLITE_STATIC);
		sqlite3_step(ins);
		/* as many index entries for the text as it has distinct terms */
		k = terms.len ? 1 : 0;
		for (p = buf_str(&terms); *p; p++)
			k += *p == ' ';
		nterms += k;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
		if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != k) {
			if (bad++ == 0)
				printf("#   terms \"%s\": %d entries\n", buf_str(&terms),
				       sqlite3_column_int(st, 0));
		}
	}
	is_int(bad, 0, "FTS5 indexes each term as one token (%d terms)", nterms);
	sqlite3_finalize(ins);
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* folding twice is folding once, for every code point of the BMP */
	{
		char in[8], once[64];
		uint32_t c;
		int changed = 0, letters = 0;

		for (c = 0x80; c < 0x10000; c += small ? 7 : 1) {
			size_t n;
			if (c >= 0xD800 && c < 0xE000)
				continue;
			n = c < 0x800 ? 2 : 3;
			if (n == 2) {
				in[0] = (char)(0xC0 | (c >> 6));
				in[1] = (char)(0x80 | (c & 0x3f));
			} else {
				in[0] = (char)(0xE0 | (c >> 12));
				in[1] = (char)(0x80 | ((c >> 6) & 0x3f));
				in[2] = (char)(0x80 | (c & 0x3f));
			}
			ftsterms_get(ft, in, n, &terms, NULL, &e);
			if (!terms.len || terms.len >= sizeof once)
				continue;
			letters++;
			memcpy(once, terms.data, terms.len);
			n = terms.len;
			ftsterms_get(ft, once, n, &terms, NULL, &e);
			if (terms.len != n || memcmp(terms.data, once, n)) {
				if (changed++ == 0)
					printf("#   U+%04X: \"%.*s\" then \"%s\"\n", (unsigned)c,
					       (int)n, once, buf_str(&terms));
			}
		}
		ok(letters > 1000, "%d token characters tried", letters);
		is_int(changed, 0, "the folded form of each folds to itself");
	}
	ftsterms_free(ft);
	store_close(s);
	buf_done(&text);
	buf_done(&terms);
}

/* The FTS5 query of a filter word, and the confirmation (ftsquery.h). */
static void test_fts_query(void)
{
	static const struct { const char *word; int prefix; const char *query; int n; } q[] = {
		{ "a\xe2\x89\x88" "b", 0, "\"a\" AND \"b\"", 2 },       /* a≈b */
		{ "Caf\xc3\xa9!", 0, "\"cafe\"", 1 },
		{ "caf\xc3\xa9", 1, "\"cafe\"*", 1 },
		{ "\xe4\xb8\xad\xe5\x9b\xbd", 0, "\"\xe4\xb8\xad\xe5\x9b\xbd\"", 1 },
		{ "\xe4\xb8\xad", 0, "\"\xe4\xb8\xad\"*", 1 },
		{ "\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba", 0,               /* 中国人 */
		  "\"\xe4\xb8\xad\xe5\x9b\xbd\" AND \"\xe5\x9b\xbd\xe4\xba\xba\"", 2 },
		{ "\xe7\xac\xac" "3\xe7\xab\xa0", 0,                       /* 第3章 */
		  "\"\xe7\xac\xac\" AND \"3\" AND \"\xe7\xab\xa0\"*", 3 },
		{ "\xe5\x93\x88\xe5\x93\x88\xe5\x93\x88", 0,               /* 哈哈哈 */
		  "\"\xe5\x93\x88\xe5\x93\x88\"", 2 },
		{ "x x", 0, "\"x\"", 2 },
		{ "\xe2\x80\x8d\xf0\x9f\x98\x80 \xe2\x89\x88 --", 0, "", 0 },
		{ "\xed\xa0\x80\xff\xfe", 0, "", 0 },         /* a lone surrogate, bad bytes */
		{ "\xe0\xb8\x81\xe0\xb9\x88", 0, "\"\xe0\xb8\x81\"*", 2 },  /* ก่: confirm the mark */
	};
	static const struct { const char *text, *phrase; int found; } m[] = {
		{ "The CAF\xc3\x89 arrived.", "cafe arrived", 1 },
		{ "cafe-arrived", "caf\xc3\xa9 ARRIVED", 1 },
		{ "a cafeteria arrived", "cafe arrived", 0 },
		{ "\xe6\x88\x91\xe4\xbb\xac\xe7\x88\xb1\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba\xe6\xb0\x91",
		  "\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba", 1 },             /* inside a run */
		{ "\xe4\xb8\xad\xe5\x9b\xbd \xe4\xba\xba\xe6\xb0\x91",
		  "\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba", 0 },             /* not across runs */
		{ "\xe5\x9c\xa8\xe4\xb8\xad\xe5\x9b\xbd \xe4\xba\xba\xe6\xb0\x91",
		  "\xe5\x9b\xbd \xe4\xba\xba", 1 },                       /* end, then start */
		{ "iPhone\xe6\x89\x8b\xe6\x9c\xba", "iphone \xe6\x89\x8b", 1 },
		{ "xiPhone\xe6\x89\x8b\xe6\x9c\xba", "iphone \xe6\x89\x8b", 0 },
		{ "anything", "\xe2\x89\x88", 1 },             /* no words: found */
		/* Thai tone marks separate tokens, yet the words differ */
		{ "\xe0\xb8\x81\xe0\xb9\x89\xe0\xb8\x82", "\xe0\xb8\x81\xe0\xb9\x88\xe0\xb8\x82", 0 },
		{ "x\xe0\xb8\x81\xe0\xb9\x88\xe0\xb8\x82", "\xe0\xb8\x81\xe0\xb9\x88\xe0\xb8\x82", 1 },
		{ "\xe0\xb8\x81\xe0\xb9\x88\xe0\xb8\x82", "\xe0\xb9\x88\xe0\xb8\x82", 1 },
		{ "\xe0\xb8\x81\xe0\xb9\x89\xe0\xb8\x82", "\xe0\xb8\x81\xe0\xb9\x88", 0 },
		{ "\xe0\xb8\x81 \xe0\xb9\x88\xe0\xb8\x82", "\xe0\xb8\x81\xe0\xb9\x88\xe0\xb8\x82", 0 },
	};
	struct buf b = BUF_INIT, scratch = BUF_INIT;
	struct pv_err e;
	size_t i;

	ok(ftsquery_init(&e) == 0, "the process's tokenizer");
	for (i = 0; i < PV_ARRAY_LEN(q); i++) {
		size_t n;
		buf_reset(&b);
		n = ftsquery_build(q[i].word, strlen(q[i].word), q[i].prefix, &b, NULL);
		ok(n == (size_t)q[i].n && strcmp(buf_str(&b), q[i].query) == 0,
		   "query %zu: %s (%zu terms)", i, buf_str(&b), n);
	}
	for (i = 0; i < PV_ARRAY_LEN(m); i++)
		is_int(ftsquery_phrase(m[i].text, strlen(m[i].text), m[i].phrase,
				       strlen(m[i].phrase), &scratch), m[i].found,
		       "phrase %zu", i);
	buf_done(&b);
	buf_done(&scratch);
}

/* Any part of random texts in Thai (letters, vowel signs, tone marks),
 * Chinese, a little Latin, spaces and punctuation: the index's candidates
 * for it (FTS5 over ftsterms' terms, queried with ftsquery_build), confirmed
 * by ftsquery_phrase when the query has several terms, are exactly the
 * texts whose bytes hold it, as provex count finds them. */
static void test_fts_parts(void)
{
	static const char *const alpha[] = {
		"\xe0\xb8\x81", "\xe0\xb8\x82", "\xe0\xb8\x84", "\xe0\xb8\x87",   /* ก ข ค ง */
		"\xe0\xb8\xb2", "\xe0\xb9\x80",                                   /* า เ */
		"\xe0\xb9\x88", "\xe0\xb9\x89", "\xe0\xb8\xb1",                   /* ่ ้ ั */
		"\xe4\xb8\xad", "\xe5\x9b\xbd",                                   /* 中 国 */
		"a", " ", "\xe3\x80\x82",                                         /* a, space, 。 */
	};
	enum { NA = 14, NTEXT = 60, NCH = 24 };
	int text[NTEXT][NCH];
	struct buf t = BUF_INIT, terms = BUF_INIT, q = BUF_INIT, sub = BUF_INIT, sc = BUF_INIT;
	struct ftsterms *ft = NULL;
	struct pv_err e;
	sqlite3 *db;
	sqlite3_stmt *ins, *st;
	unsigned seed = 4242;
	int i, k, tries, bad = 0, found = 0, nq = 0;

	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "CREATE VIRTUAL TABLE f USING fts5(t, content='', detail=none, "
		     "columnsize=0, tokenize='unicode61 remove_diacritics 2')", NULL, NULL, NULL);
	if (!ok(ftsterms_new(db, &ft, &e) == 0 && ftsquery_init(&e) == 0, "tokenizers"))
		goto out;
	sqlite3_prepare_v2(db, "INSERT INTO f(rowid, t) VALUES(?1, ?2)", -1, &ins, NULL);
	for (i = 0; i < NTEXT; i++) {
		buf_reset(&t);
		for (k = 0; k < NCH; k++) {
			seed = seed * 1103515245u + 12345u;
			text[i][k] = (int)((seed >> 16) % NA);
			buf_puts(&t, alpha[text[i][k]]);
		}
		ftsterms_get(ft, t.data, t.len, &terms, NULL, &e);
		sqlite3_reset(ins);
		sqlite3_bind_int(ins, 1, i + 1);
		sqlite3_bind_text(ins, 2, buf_str(&terms), (int)terms.len, SQLITE_TRANSIENT);
		sqlite3_step(ins);
	}
	sqlite3_finalize(ins);
	sqlite3_prepare_v2(db, "SELECT rowid FROM f WHERE f MATCH ?1", -1, &st, NULL);
	for (tries = 0; tries < (small ? 150 : 1500); tries++) {
		int from = (int)((seed = seed * 1103515245u + 12345u) >> 16) % NTEXT;
		int at = (int)((seed = seed * 1103515245u + 12345u) >> 16) % NCH;
		int len = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 6;
		bool letter = false, cand[NTEXT];
		size_t ntok;
		char *hay;

		/* a part of one text made of Thai and Chinese only, with a letter */
		buf_reset(&sub);
		for (k = at; k < at + len && k < NCH && text[from][k] < 11; k++) {
			buf_puts(&sub, alpha[text[from][k]]);
			letter |= text[from][k] < 6 || text[from][k] > 8;
		}
		if (!letter)
			continue;
		nq++;
		buf_reset(&q);
		ntok = ftsquery_build(sub.data, sub.len, false, &q, NULL);
		memset(cand, 0, sizeof cand);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, buf_str(&q), -1, SQLITE_TRANSIENT);
		while (sqlite3_step(st) == SQLITE_ROW)
			cand[sqlite3_column_int(st, 0) - 1] = true;
		for (i = 0; i < NTEXT; i++) {
			bool want, got;
			buf_reset(&t);
			for (k = 0; k < NCH; k++)
				buf_puts(&t, alpha[text[i][k]]);
			hay = t.data;
			want = memmem(hay, t.len, sub.data, sub.len) != NULL;
			got = cand[i] && (ntok <= 1 || ftsquery_phrase(t.data, t.len, sub.data,
								      sub.len, &sc));
			found += want;
			if (want != got && bad++ < 3)
				printf("#   part \"%s\" (query %s) in text %d \"%s\": %d, bytes say %d\n",
				       buf_str(&sub), buf_str(&q), i, buf_str(&t), got, want);
		}
	}
	is_int(bad, 0, "%d parts: found exactly in the texts holding them (%d times)", nq, found);
	sqlite3_finalize(st);
out:
	ftsterms_free(ft);
	sqlite3_close(db);
	buf_done(&t);
	buf_done(&terms);
	buf_done(&q);
	buf_done(&sub);
	buf_done(&sc);
}

static int64_t count_of(struct store *s, const char *filter, struct pv_err *e)
{
	struct filter_ast *ast = NULL;
	struct filter_sql fs;
	int64_t n = -1;

	memset(&fs, 0, sizeof fs);
	if (filter_parse(filter, &ast, e) == 0 && filter_compile(ast, &fs) == 0 &&
	    store_count(s, &fs, &n, e) != 0)
		n = -1;
	filter_sql_done(&fs);
	filter_free(ast);
	return n;
}

/* A store indexed before the bigrams (whole tokens, no meta row): read
 * only, a word of a spaceless script fails with a message and others
 * work; opened for writing, its index becomes the one a new store has. */
static void test_fts_upgrade(void)
{
	static const char *const texts[] = {
		"\xe6\x88\x91\xe4\xbb\xac\xe7\x88\xb1\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba\xe6\xb0\x91",
		"\xe4\xb8\xad\xe5\x9b\xbd",
		"plain English caf\xc3\xa9 text",
		"iPhone\xe6\x89\x8b\xe6\x9c\xba \xe7\xac\xac" "3\xe7\xab\xa0",
		"\xe0\xb8\xa0\xe0\xb8\xb2\xe0\xb8\xa9\xe0\xb8\xb2\xe0\xb9\x84\xe0\xb8\x97\xe0\xb8\xa2",
	};
	const char *files[2] = { "old.pvx", "fresh.pvx" };
	struct store *s = NULL;
	struct ftsterms *ft = NULL;
	struct buf terms = BUF_INIT;
	struct pv_err e;
	enum doc_outcome oc;
	bool cross, same, done;
	int64_t iid;
	sqlite3 *db;
	char *va = NULL, *vb = NULL;
	size_t i, f;

	for (f = 0; f < 2; f++) {
		store_open(&s, path(files[f]), STORE_CREATE, &e);
		store_begin(s, &e);
		store_input(s, "/abs/u.jsonl", "{}", "u.jsonl", 1, 1, &iid, &same, &done, &e);
		for (i = 0; i < PV_ARRAY_LEN(texts); i++)
			add(s, iid, (int64_t)i, texts[i], strlen(texts[i]), "real", &oc, &cross);
		ok(store_commit(s, &e) == 0, "%s: texts added", files[f]);
		store_close(s);
	}
	/* old.pvx as an older provex made it */
	sqlite3_open(path("old.pvx"), &db);
	ftsterms_new(db, &ft, &e);
	ftsterms_set_scheme(ft, FTSTERMS_WHOLE);
	sqlite3_exec(db, "BEGIN; INSERT INTO fts(fts) VALUES('delete-all');"
		     "DELETE FROM meta WHERE key='" FTS_TERMS_KEY "'", NULL, NULL, NULL);
	for (i = 0; i < PV_ARRAY_LEN(texts); i++) {
		sqlite3_stmt *st;
		ftsterms_get(ft, texts[i], strlen(texts[i]), &terms, NULL, &e);
		sqlite3_prepare_v2(db, "INSERT INTO fts(rowid, text) VALUES(?1, ?2)", -1, &st,
				   NULL);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 2, buf_str(&terms), -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	ok(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK, "made it an older index");
	ftsterms_free(ft);
	sqlite3_close(db);

	ok(store_open(&s, path("old.pvx"), STORE_READ, &e) == 0, "opened read-only");
	is_int(count_of(s, "\xe4\xb8\xad\xe5\x9b\xbd", &e), -1, "a Chinese word fails there");
	ok(strstr(e.msg, "older provex") && strstr(e.msg, "opening the store once for writing"),
	   "saying how to update it: %s", e.msg);
	is_int(count_of(s, "cafe", &e), 1, "other words work as before");
	store_close(s);
	ok(store_open(&s, path("old.pvx"), STORE_WRITE, &e) == 0, "opened for writing");
	is_int(count_of(s, "\xe4\xb8\xad\xe5\x9b\xbd", &e), 2, "then the Chinese word finds 2");
	is_int(count_of(s, "\xe6\x89\x8b", &e), 1, "and one letter of a run finds it");
	store_close(s);
	for (f = 0; f < 2; f++) {
		sqlite3_open(path(files[f]), &db);
		sqlite3_exec(db, "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, row)",
			     NULL, NULL, NULL);
		*(f ? &vb : &va) = column_list(db, "SELECT term || ':' || doc FROM temp.v "
					      "UNION ALL SELECT value FROM meta WHERE key='"
					      FTS_TERMS_KEY "' ORDER BY 1");
		if (f == 0)
			ok(sqlite3_exec(db, "INSERT INTO fts(fts) VALUES('integrity-check')",
					NULL, NULL, NULL) == SQLITE_OK, "FTS5 integrity check");
		sqlite3_close(db);
	}
	ok(strcmp(va, vb) == 0 && strstr(va, FTS_TERMS_SCHEME),
	   "the updated index is the one a new store has (%s)", va);
	free(va);
	free(vb);
	buf_done(&terms);
}

/* The number of segments of a store's full-text index, read from FTS5's
 * structure record (a 4-byte cookie, then varints: levels, segments). */
static int segments(const char *file)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	sqlite3_open(file, &db);
	if (sqlite3_prepare_v2(db, "SELECT block FROM fts_data WHERE id = 10", -1, &st,
			       NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(st, 0);
		int len = sqlite3_column_bytes(st, 0), i = 4, v, k;
		for (k = 0; k < 2 && i < len; k++) {
			for (v = 0; i < len; i++) {
				v = (v << 7) | (p[i] & 0x7f);
				if (!(p[i] & 0x80)) {
					i++;
					break;
				}
			}
			n = v;
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* Bulk full-text indexing (store_fts_bulk): texts added in several
 * transactions, one of them rolled back, one big enough to write a segment
 * before its commit; the store's index must hold what FTS5 itself makes of
 * the committed texts (same terms, same texts per term), pass FTS5's
 * integrity check, answer queries, and take FTS5's own inserts afterwards. */
static void test_fts_bulk(void)
{
	struct store *s = NULL;
	struct pv_err e;
	enum doc_outcome oc;
	bool cross, same, done;
	int64_t iid;
	struct buf t = BUF_INIT, terms = BUF_INIT;
	struct ftsterms *ft = NULL;
	sqlite3 *db = NULL, *ref = NULL;
	unsigned seed = 99;
	int i, rec = 0, failed = 0, nseg[2];
	char *a, *b;

	sqlite3_open(":memory:", &ref);
	sqlite3_exec(ref, "CREATE VIRTUAL TABLE fts USING fts5(text, content='', "
		     "detail=none, columnsize=0, tokenize='unicode61 remove_diacritics 2');"
		     "CREATE VIRTUAL TABLE v USING fts5vocab(fts, row);", NULL, NULL, NULL);
	ok(store_open(&s, path("bulk.pvx"), STORE_CREATE, &e) == 0, "open");
	ok(store_ftsterms_new(s, &ft, &e) == 0, "term finder");
	ok(store_fts_bulk(s, small ? 20000 : 200000, &e) == 0,
	   "bulk full-text indexing on, a segment every %d kB of terms", small ? 20 : 200);
	for (i = 0; i < 4; i++) {
		int n = i == 2 ? (small ? 4000 : 30000) : 700, k;

		store_begin(s, &e);
		if (i == 0)
			store_input(s, "/abs/bulk.jsonl", "{}", "bulk.jsonl", 1, 1, &iid,
				    &same, &done, &e);
		for (k = 0; k < n; k++) {
			int w, nw = 3 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 60;

			buf_reset(&t);
			for (w = 0; w < nw; w++) {
				seed = seed * 1103515245u + 12345u;
				/* a Zipf-like vocabulary, with shared prefixes */
				buf_printf(&t, "%sw%u%s", w ? " " : "",
					   ((seed >> 16) % 1000) * ((seed >> 8) % 7 + 1) % 5000,
					   (seed >> 4) % 9 == 0 ? "_suffix\xc3\xa9" : "");
			}
			if (add(s, iid, rec++, buf_str(&t), t.len, "real", &oc, &cross))
				failed++;
			if (i != 1 && oc == DOC_NEW) {
				sqlite3_stmt *ins;
				ftsterms_get(ft, t.data, t.len, &terms, NULL, &e);
				sqlite3_prepare_v2(ref, "INSERT INTO fts(rowid, text) VALUES(?1, ?2)",
						   -1, &ins, NULL);
				sqlite3_bind_int64(ins, 1, (sqlite3_int64)rec);
				sqlite3_bind_text(ins, 2, buf_str(&terms), (int)terms.len,
						  SQLITE_STATIC);
				sqlite3_step(ins);
				sqlite3_finalize(ins);
			}
		}
		if (i == 1)
			store_rollback(s);       /* its texts must not reach the index */
		else
			ok(store_commit(s, &e) == 0, "commit %d", i);
	}
	is_int(failed, 0, "texts added");
	nseg[0] = segments(path("bulk.pvx"));
	ok(nseg[0] >= 16, "a segment per commit and per %d kB: %d", small ? 20 : 200, nseg[0]);
	ok(store_fts_bulk_end(s, &e) == 0, "bulk full-text indexing off (merging)");
	nseg[1] = segments(path("bulk.pvx"));
	ok(nseg[1] > 0 && nseg[1] < nseg[0], "then merged: %d segments", nseg[1]);
	/* FTS5's own insert, after the bulk segments */
	store_begin(s, &e);
	ok(add(s, iid, rec++, "afterwards zzunique", 19, "real", &oc, &cross) == 0,
	   "a text added through FTS5 afterwards");
	ok(store_commit(s, &e) == 0, "commit");
	sqlite3_exec(ref, "INSERT INTO fts(rowid, text) VALUES(0, 'afterwards zzunique')",
		     NULL, NULL, NULL);
	store_close(s);
	ftsterms_free(ft);

	sqlite3_open(path("bulk.pvx"), &db);
	ok(sqlite3_exec(db, "INSERT INTO fts(fts) VALUES('integrity-check')", NULL, NULL,
			NULL) == SQLITE_OK, "FTS5 integrity check: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, row)",
		     NULL, NULL, NULL);
	a = column_list(db, "SELECT term || ':' || doc FROM temp.v ORDER BY term");
	b = column_list(ref, "SELECT term || ':' || doc FROM v ORDER BY term");
	ok(strlen(a) > 1000 && strcmp(a, b) == 0,
	   "the same terms in the same number of texts as FTS5's own index (%zu bytes)",
	   strlen(a));
	free(a);
	free(b);
	/* which texts: the rowids of one frequent and one rare term, by text */
	a = column_list(db, "SELECT count(*) FROM fts WHERE fts MATCH 'w0'");
	b = column_list(ref, "SELECT count(*) FROM fts WHERE fts MATCH 'w0'");
	ok(strcmp(a, b) == 0 && strcmp(a, "0") != 0, "a frequent term: %s texts", a);
	free(a);
	free(b);
	a = column_list(db, "SELECT count(*) FROM fts WHERE fts MATCH 'zzunique'");
	is_str(a, "1", "the text added afterwards is found");
	free(a);
	a = column_list(db, "SELECT count(*) FROM fts WHERE fts MATCH 'w1*'");
	b = column_list(ref, "SELECT count(*) FROM fts WHERE fts MATCH 'w1*'");
	ok(strcmp(a, b) == 0, "a prefix query: %s texts", a);
	free(a);
	free(b);
	a = column_list(db, "SELECT count(*) FROM texts WHERE id NOT IN "
			"(SELECT rowid FROM fts WHERE fts MATCH 'w* OR afterwards')");
	is_str(a, "0", "every stored text is in the index");
	free(a);
	sqlite3_close(db);
	sqlite3_close(ref);
	buf_done(&t);
	buf_done(&terms);
}

/* Another connection holding the write lock: the store's statements say
 * "busy" (PV_EBUSY), with an error record or without one (err NULL), never
 * a generic store error. */
static void test_busy(void)
{
	struct store *s = NULL;
	struct pv_err e;
	struct label_change ch = { LF_NOTE, "x" };
	struct label_result res;
	sqlite3_stmt *st = NULL;
	sqlite3 *w = NULL;

	if (store_open(&s, path("busy.pvx"), STORE_CREATE, &e)) {
		ok(0, "busy: store created (%s)", e.msg);
		return;
	}
	sqlite3_busy_timeout(s->db, 0);     /* no minute of waiting here */
	ok(sqlite3_open(path("busy.pvx"), &w) == SQLITE_OK &&
	   sqlite3_exec(w, "BEGIN IMMEDIATE; INSERT INTO meta VALUES('busy', '1')",
			NULL, NULL, NULL) == SQLITE_OK, "busy: another writer holds the lock");
	ok(store_prep(s, &st, "INSERT INTO meta VALUES('other', '2')",
		      "preparing a query", NULL) == 0, "busy: a write is prepared");
	is_int(store_step_done(s, st, "writing", NULL), PV_EBUSY,
	       "busy: its run says busy without an error record");
	ok(store_prep(s, &st, "INSERT INTO meta VALUES('other', '2')",
		      "preparing a query", &e) == 0, "busy: prepared again");
	is_int(store_step_done(s, st, "writing", &e), PV_EBUSY, "busy: with a record too");
	ok(e.code == PV_EBUSY && strstr(e.msg, "writing: the store is busy"),
	   "busy: the record says so: %s", e.msg);
	is_int(label_set(s, NULL, &ch, 1, "tester", NULL, "provex label", false, &res,
			 NULL), PV_EBUSY, "busy: label_set without an error record");
	sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(w);
	ok(label_set(s, NULL, &ch, 1, "tester", NULL, "provex label", false, &res,
		     NULL) == 0, "busy: the lock released, label_set runs");
	store_close(s);
}

int main(void)
{
	small = getenv("PROVEX_VALGRIND") && *getenv("PROVEX_VALGRIND");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_refusals();
	test_docs();
	test_dict();
	test_fts_terms();
	test_fts_terms_fast();
	test_fts_spaceless();
	test_fts_query();
	test_fts_parts();
	test_fts_upgrade();
	test_fts_bulk();
	test_busy();
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
