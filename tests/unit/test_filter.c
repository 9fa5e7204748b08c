/*
 * test_filter.c - the filter language: canonical forms, the SQL and
 * parameters it compiles to, every parse error with its column, the
 * round-trip property, 100 KB filters, and compiled SQL run on a store.
 */
#include "config.h"
#include "../tap.h"
#include "store/store.h"
#include "store/fields.h"
#include "store/filter.h"
#include "store/filter_sql.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* "canonical" or "ERR col: msg" */
static char *canon(const char *in)
{
	struct filter_ast *ast;
	struct pv_err e;
	struct buf b = BUF_INIT;

	if (filter_parse(in, &ast, &e)) {
		buf_printf(&b, "ERR %ld: %s", e.column, e.msg);
		return buf_take(&b);
	}
	filter_canonical(ast, &b);
	filter_free(ast);
	return buf_take(&b);
}

static void params_str(const struct filter_sql *fs, struct buf *b)
{
	size_t k;

	for (k = 0; k < fs->nparams; k++) {
		const struct filter_param *p = &fs->params[k];
		if (k)
			buf_puts(b, " | ");
		if (p->type == FP_TEXT)
			buf_printf(b, "'%s'", p->text);
		else if (p->type == FP_INT)
			buf_printf(b, "%lld", (long long)p->i);
		else
			buf_printf(b, "%gr", p->d);
	}
}

static const char *const canon_cases[][2] = {
	{ "", "" },
	{ "   ", "" },
	{ "origin:synthetic", "origin:synthetic" },
	{ "ORIGIN:Synthetic", "origin:synthetic" },
	{ "Origin:real,SYNTHETIC", "origin:real,synthetic" },
	{ "origin:synthetic (source:news* OR len:>2000) -\"exact phrase\"",
	  "origin:synthetic (source:news* OR len:>2000) -\"exact phrase\"" },
	{ "  origin:synthetic   (  source:news*   OR len:>2000 )  ",
	  "origin:synthetic (source:news* OR len:>2000)" },
	{ "source:news*", "source:news*" },
	{ "source:\"news wire\"", "source:\"news wire\"" },
	{ "source:\"plain\"", "source:plain" },
	{ "source:\"a,b\"", "source:\"a,b\"" },
	{ "source:\"say \\\"hi\\\"\"", "source:\"say \\\"hi\\\"\"" },
	{ "source:a\\b", "source:a\\b" },
	{ "source:\"a\\\\b c\"", "source:\"a\\\\b c\"" },
	{ "source:a,b*,\"c d\"", "source:a,b*,\"c d\"" },
	{ "generator:gpt-4* purpose:eval", "generator:gpt-4* purpose:eval" },
	{ "label:keep reviewer:ann", "label:keep reviewer:ann" },
	{ "id:42", "id:42" },
	{ "id:1,2,3", "id:1,2,3" },
	{ "id:10..20", "id:10..20" },
	{ "ext:rec-*", "ext:rec-*" },
	{ "file:*.jsonl", "file:*.jsonl" },
	{ "len:>2000", "len:>2000" },
	{ "len:>=2000", "len:>=2000" },
	{ "len:<100", "len:<100" },
	{ "len:<=100", "len:<=100" },
	{ "len:=100", "len:100" },
	{ "len:500..2000", "len:500..2000" },
	{ "len:2000", "len:2000" },
	{ "len:2k", "len:2048" },
	{ "len:>1M", "len:>1048576" },
	{ "len:1k..2K", "len:1024..2048" },
	{ "len:500..", "len:>=500" },
	{ "len:..500", "len:<=500" },
	{ "len:007", "len:7" },
	{ "words:<100", "words:<100" },
	{ "ratio:>4", "ratio:>4" },
	{ "ratio:>4.50", "ratio:>4.5" },
	{ "ratio:0.1..2.25", "ratio:0.1..2.25" },
	{ "dup:>1", "dup:>1" },
	{ "meta.lang:en", "meta.lang:en" },
	{ "META.Lang:en", "meta.Lang:en" },
	{ "meta.a.b-c_d:x*", "meta.a.b-c_d:x*" },
	{ "is:reviewed", "is:reviewed" },
	{ "IS:Unreviewed is:dup", "is:unreviewed is:dup" },
	{ "is:reviewed,dup", "is:reviewed,dup" },
	{ "has:pair", "has:pair" },
	{ "hello", "hello" },
	{ "hello world", "hello world" },
	{ "\"exact phrase\"", "\"exact phrase\"" },
	{ "\"one\"", "\"one\"" },
	{ "news*", "news*" },
	{ "e-mail", "e-mail" },
	{ "12:30", "12:30" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "a OR b", "a OR b" },
	{ "a b OR c", "a b OR c" },
	{ "(a b) OR c", "a b OR c" },
	{ "a (b OR c)", "a (b OR c)" },
	{ "(a OR b) (c OR d)", "(a OR b) (c OR d)" },
	{ "((a))", "a" },
	{ "(a b) c", "a b c" },
	{ "a OR (b OR c)", "a OR b OR c" },
	{ "a AND b", "a b" },
	{ "a AND (b OR c) AND d", "a (b OR c) d" },
	{ "or and", "or and" },
	{ "\"OR\" \"AND\"", "\"OR\" \"AND\"" },
	{ "-a", "-a" },
	{ "--a", "--a" },
	{ "-(a b)", "-(a b)" },
	{ "-(a OR b)", "-(a OR b)" },
	{ "-(a)", "-a" },
	{ "-source:news* -len:>5", "-source:news* -len:>5" },
	{ "a -(b OR -(c d))", "a -(b OR -(c d))" },
	{ "(a OR b) OR (c d)", "a OR b OR c d" },
	{ "x\t\ny", "x y" },
	{ "\"tab\there\"", "\"tab\there\"" },
	{ "source:\"\\(x\\)\"", "source:\"(x)\"" },
	{ "-OR", "-OR" },
	/* NOT is '-' */
	{ "NOT origin:real", "-origin:real" },
	{ "NOT (a OR b) c", "-(a OR b) c" },
	{ "a NOT NOT b", "a --b" },
	{ "\"NOT\" not", "\"NOT\" not" },
	{ "NOTE", "NOTE" },
	/* origin words as index --origin takes them */
	{ "origin:human", "origin:real" },
	{ "origin:Machine,LLM", "origin:synthetic,synthetic" },
	/* size suffixes */
	{ "len:2Ki", "len:2048" },
	{ "len:1Mi", "len:1048576" },
	{ "len:1G", "len:1073741824" },
	/* metadata paths and values */
	{ "meta.instances.0.output:*", "meta.instances.0.output:*" },
	{ "meta.\"x.y\":1", "meta.\"x.y\":1" },
	{ "meta.\"plain\".b:x", "meta.\"plain\".b:x" },
	{ "meta.\"a b\":x", "meta.\"a b\":x" },
	{ "meta.temperature:>0.5", "meta.temperature:>0.5" },
	{ "meta.n:3..7", "meta.n:3..7" },
	{ "meta.n:-7..-3", "meta.n:-7..-3" },
	{ "meta.n:3..", "meta.n:>=3" },
	{ "meta.n:..3", "meta.n:<=3" },
	{ "meta.n:<=1e3", "meta.n:<=1000" },
	{ "meta.n:3.50", "meta.n:3.50" },
	{ "meta.ok:true", "meta.ok:true" },
	{ "meta.ok:\"true\"", "meta.ok:\"true\"" },
	{ "meta.n:\"3\"", "meta.n:\"3\"" },
	{ "meta.v:\">x\"", "meta.v:\">x\"" },
	{ "meta.v:a..b", "meta.v:a..b" },
	{ "meta.v:\"1..2\"", "meta.v:\"1..2\"" },
	{ "meta.x:null,true", "meta.x:null,true" },
	{ "has:meta.a.b", "has:meta.a.b" },
	{ "-has:meta.\"x.y\"", "-has:meta.\"x.y\"" },
	{ "meta.\u00e9t\u00e9:x", "meta.\u00e9t\u00e9:x" },
	{ "meta.a$b:x", "meta.a$b:x" },
	{ "meta.data", "meta.data" },
};

static void test_canonical(void)
{
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(canon_cases); i++) {
		char *got = canon(canon_cases[i][0]);
		is_str(got, canon_cases[i][1], "canonical of [%s]", canon_cases[i][0]);
		free(got);
	}
}

/* canonical(parse(canonical(x))) == canonical(x) */
static void roundtrip(const char *in)
{
	char *c1 = canon(in), *c2;

	if (strncmp(c1, "ERR", 3) == 0) {
		free(c1);
		return;
	}
	c2 = canon(c1);
	is_str(c2, c1, "round trip of [%s]", in);
	free(c1);
	free(c2);
}

static void test_roundtrip(void)
{
	static const char *const atoms[] = {
		"origin:real", "source:\"a b\"", "x", "\"p q\"", "len:1k..2k",
		"ratio:<0.25", "meta.k:\"v,w\"", "is:dup", "-y", "news*", "id:3,4",
		"source:a\\\\b", "\"q\\\"uote\"", "file:\"\\\"*\"",
		"meta.a.0.b:x*", "meta.\"x.y\":3", "meta.n:>-1.5", "meta.ok:true",
		"has:meta.c", "NOT origin:human", "meta.v:\"3\"", "meta.v:1..2e2",
	};
	char text[512];
	unsigned seed = 12345;
	size_t i, k;

	for (i = 0; i < PV_ARRAY_LEN(canon_cases); i++)
		roundtrip(canon_cases[i][0]);
	/* random combinations with operators and groups */
	for (i = 0; i < 60; i++) {
		size_t n = 0, parts = 2 + i % 5, open = 0;
		text[0] = '\0';
		for (k = 0; k < parts; k++) {
			seed = seed * 1103515245 + 12345;
			if (k && (seed >> 8) % 3 == 0)
				n += (size_t)snprintf(text + n, sizeof text - n, " OR ");
			else if (k)
				n += (size_t)snprintf(text + n, sizeof text - n, " ");
			if ((seed >> 12) % 4 == 0) {
				n += (size_t)snprintf(text + n, sizeof text - n, "%s(",
						      (seed >> 14) % 2 ? "-" : "");
				open++;
			}
			n += (size_t)snprintf(text + n, sizeof text - n, "%s",
					      atoms[(seed >> 16) % PV_ARRAY_LEN(atoms)]);
		}
		for (; open; open--)
			n += (size_t)snprintf(text + n, sizeof text - n, ")");
		roundtrip(text);
	}
}

struct sql_case { const char *in, *where, *params; };

static const struct sql_case sql_cases[] = {
	{ "", "1", "" },
	{ "origin:synthetic", "d.origin = ?1", "'synthetic'" },
	{ "origin:real,synthetic", "d.origin IN (?1, ?2)", "'real' | 'synthetic'" },
	{ "source:news*", "d.source GLOB ?1", "'news*'" },
	{ "source:\"a?[b]*\"", "d.source GLOB ?1", "'a[?][[]b]*'" },
	{ "source:a,b*", "(d.source = ?1 OR d.source GLOB ?2)", "'a' | 'b*'" },
	{ "source:news", "d.source = ?1", "'news'" },
	{ "ext:x file:in.jsonl", "d.ext_id = ?1 AND i.name = ?2", "'x' | 'in.jsonl'" },
	{ "label:keep reviewer:ann", "d.label = ?1 AND d.reviewer = ?2", "'keep' | 'ann'" },
	{ "id:7", "d.id = ?1", "7" },
	{ "id:1,2", "d.id IN (?1, ?2)", "1 | 2" },
	{ "len:>2000", "d.len > ?1", "2000" },
	{ "len:>=2k", "d.len >= ?1", "2048" },
	{ "len:500..2000", "d.len BETWEEN ?1 AND ?2", "500 | 2000" },
	{ "len:<10,>1000", "(d.len < ?1 OR d.len > ?2)", "10 | 1000" },
	{ "words:<100", "t.words < ?1", "100" },
	{ "ratio:>4.5", "(t.len * 1.0 / length(t.body)) > ?1", "4.5r" },
	{ "ratio:4", "(t.len * 1.0 / length(t.body)) = ?1", "4r" },
	{ "dup:>1", "t.nocc > ?1", "1" },
	{ "meta.lang:en", "json_extract(d.meta, ?1) = ?2", "'$.\"lang\"' | 'en'" },
	{ "meta.lang:en,fr", "json_extract(d.meta, ?1) IN (?2, ?3)",
	  "'$.\"lang\"' | 'en' | 'fr'" },
	{ "meta.lang:en,f*",
	  "(json_extract(d.meta, ?1) = ?2 OR (CASE json_type(d.meta, ?1) WHEN 'true' THEN "
	  "'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(d.meta, ?1) AS TEXT) END) "
	  "GLOB ?3)",
	  "'$.\"lang\"' | 'en' | 'f*'" },
	{ "meta.a.b:x",
	  "coalesce(json_extract(d.meta, ?1), json_extract(d.meta, ?2)) = ?3",
	  "'$.\"a.b\"' | '$.\"a\".\"b\"' | 'x'" },
	{ "meta.\"a.b\":x", "json_extract(d.meta, ?1) = ?2", "'$.\"a.b\"' | 'x'" },
	{ "meta.i.0:x",
	  "coalesce(json_extract(d.meta, ?1), json_extract(d.meta, ?2), "
	  "json_extract(d.meta, ?3)) = ?4",
	  "'$.\"i.0\"' | '$.\"i\"[0]' | '$.\"i\".\"0\"' | 'x'" },
	{ "meta.n:3",
	  "(json_extract(d.meta, ?1) IN (?2, ?3) AND json_type(d.meta, ?1) NOT IN "
	  "('true', 'false'))", "'$.\"n\"' | 3 | '3'" },
	{ "meta.ok:true",
	  "(json_extract(d.meta, ?1) IN (1, 'true') AND json_type(d.meta, ?1) IN "
	  "('true', 'text'))", "'$.\"ok\"'" },
	{ "meta.x:null",
	  "(json_type(d.meta, ?1) = 'null' OR json_extract(d.meta, ?1) = 'null')",
	  "'$.\"x\"'" },
	{ "has:meta.x", "json_type(d.meta, ?1) != 'null'", "'$.\"x\"'" },
	{ "meta.t:>0.5",
	  "(CASE WHEN json_type(d.meta, ?1) IN ('integer', 'real') THEN "
	  "json_extract(d.meta, ?1) WHEN json_type(d.meta, ?1) = 'text' THEN CASE WHEN "
	  "json_valid(json_extract(d.meta, ?1)) THEN CASE WHEN "
	  "json_type(json_extract(d.meta, ?1)) IN ('integer', 'real') THEN "
	  "json_extract(json_extract(d.meta, ?1), '$') END END END) > ?2",
	  "'$.\"t\"' | 0.5r" },
	{ "meta.\"x'y\":\"a'); DROP TABLE docs;--\"", "json_extract(d.meta, ?1) = ?2",
	  "'$.\"x'y\"' | 'a'); DROP TABLE docs;--'" },
	{ "is:reviewed", "d.label IS NOT NULL", "" },
	{ "is:unreviewed", "d.label IS NULL", "" },
	{ "is:dup", "t.nocc > 1", "" },
	{ "is:reviewed,dup", "(d.label IS NOT NULL OR t.nocc > 1)", "" },
	{ "has:pair", "(d.id IN (SELECT a FROM pairs) OR d.id IN (SELECT b FROM pairs))", "" },
	{ "pair:42", "(d.id IN (SELECT b FROM pairs WHERE a = ?1) OR d.id IN "
	  "(SELECT a FROM pairs WHERE b = ?2))", "42 | 42" },
	{ "score:>0.9", "(SELECT score FROM scores WHERE doc_id = d.id) > ?1", "0.9r" },
	{ "is:disputed", "d.id IN (SELECT doc FROM review_disputed)", "" },
	{ "fox", "d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ?1)", "'\"fox\"'" },
	{ "news*", "d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ?1)", "'\"news\"*'" },
	{ "\"exact phrase\"",
	  "(d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ?1) AND pv_phrase(d.text_id, ?2))",
	  "'\"exact\" AND \"phrase\"' | 'exact phrase'" },
	{ "\"say \\\"hi\\\" now\"",
	  "(d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ?1) AND pv_phrase(d.text_id, ?2))",
	  "'\"say\" AND \"hi\" AND \"now\"' | 'say \"hi\" now'" },
	{ "e-mail",
	  "(d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ?1) AND pv_phrase(d.text_id, ?2))",
	  "'\"e\" AND \"mail\"' | 'e-mail'" },
	{ "hello!", "d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ?1)", "'\"hello!\"'" },
	{ "origin:synthetic (source:news* OR len:>2000) -\"exact phrase\"",
	  "d.origin = ?1 AND (d.source GLOB ?2 OR d.len > ?3) AND NOT coalesce("
	  "(d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ?4) AND pv_phrase(d.text_id, ?5)), 0)",
	  "'synthetic' | 'news*' | 2000 | '\"exact\" AND \"phrase\"' | 'exact phrase'" },
	{ "-source:news", "NOT coalesce(d.source = ?1, 0)", "'news'" },
	{ "a b OR c",
	  "(d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ?1) AND "
	  "d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ?2)) OR "
	  "d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ?3)",
	  "'\"a\"' | '\"b\"' | '\"c\"'" },
	{ "-(origin:real OR is:dup)", "NOT coalesce(d.origin = ?1 OR t.nocc > 1, 0)", "'real'" },
	{ "--origin:real", "NOT coalesce(NOT coalesce(d.origin = ?1, 0), 0)", "'real'" },
	{ "source:\"x'); DROP TABLE docs;--\"", "d.source = ?1", "'x'); DROP TABLE docs;--'" },
};

static void test_sql(void)
{
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(sql_cases); i++) {
		struct filter_ast *ast;
		struct filter_sql fs;
		struct pv_err e;
		struct buf b = BUF_INIT;

		if (filter_parse(sql_cases[i].in, &ast, &e)) {
			ok(0, "parse [%s]: %s", sql_cases[i].in, e.msg);
			continue;
		}
		is_int(filter_compile(ast, &fs), 0, "compile [%s]", sql_cases[i].in);
		is_str(fs.where, sql_cases[i].where, "SQL of [%s]", sql_cases[i].in);
		params_str(&fs, &b);
		is_str(buf_str(&b), sql_cases[i].params, "parameters of [%s]", sql_cases[i].in);
		buf_done(&b);
		filter_sql_done(&fs);
		filter_free(ast);
	}
}

static void test_sql_numbering(void)
{
	struct filter_ast *ast;
	struct filter_sql fs;
	struct pv_err e;

	ok(filter_parse("origin:real len:>5", &ast, &e) == 0, "parse");
	is_int(filter_compile_at(ast, 3, &fs), 0, "compile from ?3");
	is_str(fs.where, "d.origin = ?3 AND d.len > ?4", "numbered from ?3");
	is_int(fs.first, 3, "first recorded");
	is_int(filter_bind(&fs, NULL, 1), PV_EINVAL, "binding from another number is refused");
	filter_sql_done(&fs);
	is_int(filter_compile_at(ast, FILTER_MAX_PARAMS, &fs), PV_EUSAGE,
	       "past SQLite's parameter limit");
	ok(fs.where == NULL && fs.nparams == 0, "nothing left allocated");
	filter_free(ast);
	ok(filter_compile(NULL, &fs) == 0 && strcmp(fs.where, "1") == 0, "NULL ast: 1");
	filter_sql_done(&fs);
	filter_sql_done(NULL);
	filter_free(NULL);
}

struct err_case { const char *in; long col; const char *msg; };

static const struct err_case err_cases[] = {
	{ "len:", 5, "expected a value after 'len:'" },
	{ "a len: b", 7, "expected a value after 'len:'" },
	{ "(a b", 1, "unbalanced parenthesis: '(' is never closed" },
	{ "a (b (c) d", 3, "unbalanced parenthesis: '(' is never closed" },
	{ "a b)", 4, "unbalanced parenthesis: ')' without '('" },
	{ "(a))", 4, "unbalanced parenthesis: ')' without '('" },
	{ "\"abc", 1, "unterminated quote" },
	{ "x source:\"abc", 10, "unterminated quote" },
	{ "\"abc\\\"", 1, "unterminated quote" },
	{ "colour:red", 1, "unknown field 'colour' (fields: origin, source, generator, "
	  "purpose, label, reviewer, id, ext, file, len, words, ratio, dup, meta.PATH, pair, sim, score, is, has)" },
	{ "len:2x0", 5, "bad number '2x0' for len" },
	{ "len:>2x0", 6, "bad number '2x0' for len" },
	{ "len:5..x", 8, "bad number 'x' for len" },
	{ "len:..", 5, "bad number '..' for len" },
	{ "len:\"2x0\"", 5, "bad number '2x0' for len" },
	{ "len:-5", 5, "bad number '-5' for len" },
	{ "len:99999999999999999999", 5, "bad number '99999999999999999999' for len" },
	{ "len:9000000000000000000k", 5, "bad number '9000000000000000000k' for len" },
	{ "words:2k", 7, "bad number '2k' for words" },
	{ "id:4.5", 4, "bad number '4.5' for id" },
	{ "ratio:4.", 7, "bad number '4.' for ratio" },
	{ "ratio:x", 7, "bad number 'x' for ratio" },
	{ "len:>", 6, "expected a number after '>' for len" },
	{ "len:2000..500", 5, "empty range '2000..500' for len (the first number is the larger)" },
	{ "source:\"\"", 8, "empty value for source:" },
	{ "source:a,,b", 10, "empty value for source:" },
	{ "source:a,", 10, "expected a value after ','" },
	{ "meta.k:\"\"", 8, "empty value for meta.k:" },
	{ "source:a(b)", 9, "expected a space, ',' or ')' after the value of source:" },
	{ "origin:people", 8, "unknown origin 'people' (origin: real, synthetic, unknown)" },
	{ "origin:real,syn*", 13, "unknown origin 'syn*' (origin: real, synthetic, unknown)" },
	{ "is:good", 4, "unknown value 'good' for is: (is: reviewed, unreviewed, dup, disputed)" },
	{ "has:twin", 5, "unknown value 'twin' for has: (has: pair, score)" },
	{ "meta:x", 1, "meta needs a path: meta.PATH:value" },
	{ "meta.:x", 6, "expected a key after 'meta.'" },
	{ "meta.a..b:x", 8, "expected a key after '.'" },
	{ "meta.a,b:x", 7, "expected ':' after the metadata path (quote a key that holds "
	  "spaces, ':' or ',': meta.\"a\":VALUE)" },
	{ "meta.\"a:x", 6, "unterminated quote" },
	{ "meta.\"a\\\"b\":x", 6, "metadata path: a key holding '\"' (SQLite's JSON "
	  "paths cannot name it)" },
	{ "meta.a.0.1.2:x", 6, "metadata path: too many readings (quote keys that "
	  "hold no dots: meta.\"a\".\"b\")" },
	{ "meta.t:>x", 9, "expected a number after '>' for meta.t (quote the value to "
	  "match text: meta.t:\">x\")" },
	{ "meta.n:7..3", 8, "empty range '7..3' for meta.n (the first number is the larger)" },
	{ "has:meta.", 10, "expected a key after 'meta.'" },
	{ "has:meta.a,pair", 11, "expected a space or ')' after has:meta.a (one path per "
	  "has: term)" },
	{ "NOT", 4, "expected a term after 'NOT'" },
	{ "a NOT", 6, "expected a term after 'NOT'" },
	{ "NOT OR b", 5, "expected a term after 'NOT'" },
	{ "(NOT) b", 5, "expected a term after 'NOT'" },
	{ "len:2Kb", 5, "bad number '2Kb' for len" },
	{ "OR a", 1, "expected a term before 'OR'" },
	{ "a OR", 5, "expected a term after 'OR'" },
	{ "a OR OR b", 6, "expected a term after 'OR'" },
	{ "(a OR) b", 6, "expected a term after 'OR'" },
	{ "AND a", 1, "expected a term before 'AND'" },
	{ "a AND", 6, "expected a term after 'AND'" },
	{ "a -", 4, "expected a term after '-'" },
	{ "- a", 2, "expected a term after '-'" },
	{ "(-)", 3, "expected a term after '-'" },
	{ "a () b", 3, "expected a term inside '()'" },
	{ "\"\"", 1, "empty phrase" },
	{ "\"!!\"", 1, "nothing to search for in \"!!\" (words are letters and digits)" },
	{ "x +++", 3, "nothing to search for in '+++' (words are letters and digits)" },
	{ "len:2\x1b", 5, "bad number '2^[' for len" },
	{ "source:\"a\" len:1 colour:x", 18, "unknown field 'colour' (fields: origin, "
	  "source, generator, purpose, label, reviewer, id, ext, file, len, words, ratio, "
	  "dup, meta.PATH, pair, sim, score, is, has)" },
};

static void test_errors(void)
{
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(err_cases); i++) {
		struct filter_ast *ast = (void *)1;
		struct pv_err e;
		int rc = filter_parse(err_cases[i].in, &ast, &e);
		is_int(rc, PV_EPARSE, "[%s] is an error", err_cases[i].in);
		ok(ast == NULL, "no tree on error");
		is_int(e.column, err_cases[i].col, "[%s] column", err_cases[i].in);
		is_str(e.msg, err_cases[i].msg, "[%s] message", err_cases[i].in);
	}
}

static void test_caret(void)
{
	struct pv_err e;
	struct filter_ast *ast;
	struct buf b = BUF_INIT;
	char *big;
	size_t i;

	filter_parse("origin:real len:2x0", &ast, &e);
	filter_error_caret("origin:real len:2x0", &e, &b);
	is_str(buf_str(&b), "origin:real len:2x0\n                ^\n", "caret under the number");

	buf_reset(&b);
	filter_parse("a\x1b" "b (c", &ast, &e);
	is_int(e.column, 5, "column counts bytes");
	filter_error_caret("a\x1b" "b (c", &e, &b);
	is_str(buf_str(&b), "a^[b (c\n     ^\n", "control character made visible, caret follows");

	buf_reset(&b);
	filter_parse("caf\xc3\xa9 (x", &ast, &e);
	filter_error_caret("caf\xc3\xa9 (x", &e, &b);
	is_str(buf_str(&b), "caf\xc3\xa9 (x\n     ^\n", "a two-byte letter is one cell");

	buf_reset(&b);
	filter_parse("a OR", &ast, &e);
	filter_error_caret("a OR", &e, &b);
	is_str(buf_str(&b), "a OR\n    ^\n", "caret after the end");

	/* a long filter is shown as a window around the position */
	big = malloc(5001);
	for (i = 0; i < 5000; i++)
		big[i] = i % 2 ? ' ' : 'w';
	memcpy(big + 3000, "len:", 4);
	big[5000] = '\0';
	buf_reset(&b);
	ok(filter_parse(big, &ast, &e) == PV_EPARSE && e.column == 3005 &&
	   strcmp(e.msg, "bad number 'w' for len") == 0, "error deep in a long filter");
	filter_error_caret(big, &e, &b);
	ok(b.len < 300 && strncmp(b.data, "...", 3) == 0 && strstr(b.data, "len:w") != NULL,
	   "shown as a window (%zu bytes)", b.len);
	{
		const char *nl = strchr(b.data, '\n');
		const char *caret = strchr(nl, '^');
		const char *len = strstr(b.data, "len:");
		is_int(caret - nl - 1, len - b.data + 4, "caret lines up in the window");
	}
	free(big);
	buf_done(&b);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_big(void)
{
	struct buf b = BUF_INIT, c = BUF_INIT;
	struct filter_ast *ast;
	struct filter_sql fs;
	struct pv_err e;
	double t0;
	size_t i, n = 0;
	int rc;
	sqlite3 *db;
	sqlite3_stmt *st = NULL;

	/* 100 KB AND chain of field terms */
	while (b.len < 100 * 1024) {
		buf_printf(&b, "len:>%zu ", n % 1000);
		n++;
	}
	t0 = now();
	ok(filter_parse(b.data, &ast, &e) == 0, "100 KB AND chain parses (%zu terms)", n);
	filter_canonical(ast, &c);
	rc = filter_compile(ast, &fs);
	ok(rc == 0 && fs.nparams == n, "compiles to %zu parameters", fs.nparams);
	if (getenv("PROVEX_VALGRIND") && *getenv("PROVEX_VALGRIND"))
		tap_skip("timings under valgrind");
	else
		ok(now() - t0 < 1.0, "parse, canonical and compile in %.3f s", now() - t0);
	ok(c.len + 1 == b.len, "canonical form of the chain is the chain");
	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "CREATE TABLE docs(id, text_id, input_id, origin, source, meta, len);"
		     "CREATE TABLE texts(id, len, words, nocc, body);"
		     "CREATE TABLE inputs(id, name);", NULL, NULL, NULL);
	buf_reset(&c);
	buf_printf(&c, "SELECT count(*) FROM docs d JOIN texts t ON t.id=d.text_id "
		   "JOIN inputs i ON i.id=d.input_id WHERE %s", fs.where);
	ok(sqlite3_prepare_v2(db, c.data, -1, &st, NULL) == SQLITE_OK,
	   "SQLite accepts it (balanced groups): %s", sqlite3_errmsg(db));
	ok(st && filter_bind(&fs, st, 1) == 0 && sqlite3_step(st) == SQLITE_ROW, "and runs it");
	sqlite3_finalize(st);
	sqlite3_close(db);
	filter_sql_done(&fs);
	filter_free(ast);

	/* 100 KB of words: over the parameter limit, refused with a position */
	buf_reset(&b);
	while (b.len < 100 * 1024)
		buf_puts(&b, "w ");
	t0 = now();
	is_int(filter_parse(b.data, &ast, &e), PV_EPARSE, "51,200 words: too many parameters");
	is_int(e.column, 2 * FILTER_MAX_PARAMS + 1, "at the first term past the limit");
	ok(strstr(e.msg, "filter too long") != NULL, "%s", e.msg);
	if (getenv("PROVEX_VALGRIND") && *getenv("PROVEX_VALGRIND"))
		tap_skip("timings under valgrind");
	else
		ok(now() - t0 < 1.0, "refused in %.3f s", now() - t0);

	/* 100 KB OR chain of words within the limit */
	buf_reset(&b);
	n = 0;
	while (b.len < 100 * 1024) {
		buf_printf(&b, "word%zu OR ", n++);
	}
	buf_puts(&b, "last");
	ok(filter_parse(b.data, &ast, &e) == 0 && ast->root->nkids == n + 1,
	   "100 KB OR chain parses flat (%zu terms)", n + 1);
	filter_free(ast);

	/* deep parentheses: the limit, then one more */
	for (i = 100; i <= 101; i++) {
		size_t k;
		buf_reset(&b);
		for (k = 0; k < i; k++)
			buf_putc(&b, '(');
		buf_putc(&b, 'x');
		for (k = 0; k < i; k++)
			buf_putc(&b, ')');
		if (i == 100) {
			ok(filter_parse(b.data, &ast, &e) == 0, "100 levels parse");
			filter_free(ast);
		} else {
			is_int(filter_parse(b.data, &ast, &e), PV_EPARSE, "101 levels refused");
			is_int(e.column, 101, "at the 101st '('");
			is_str(e.msg, "too deeply nested (more than 100 levels of parentheses and '-')",
			       "says why");
		}
	}
	/* 100 KB of '(' and of '-': refused quickly, no stack overflow */
	buf_reset(&b);
	for (i = 0; i < 100 * 1024; i++)
		buf_putc(&b, '(');
	is_int(filter_parse(b.data, &ast, &e), PV_EPARSE, "100 KB of '(' refused");
	is_int(e.column, 101, "at the 101st");
	buf_reset(&b);
	for (i = 0; i < 100 * 1024; i++)
		buf_putc(&b, '-');
	buf_putc(&b, 'x');
	is_int(filter_parse(b.data, &ast, &e), PV_EPARSE, "100 KB of '-' refused");
	/* nested -( ... ) mixing both: each is a NOT and an AND in the SQL,
	 * so FILTER_MAX_NEST / 2 of them are the most SQLite parses */
	buf_reset(&b);
	for (i = 0; i < 50; i++)
		buf_puts(&b, "-(a ");
	for (i = 0; i < 50; i++)
		buf_putc(&b, ')');
	is_int(filter_parse(b.data, &ast, &e), PV_EPARSE, "50 levels of -( refused");
	buf_reset(&b);
	for (i = 0; i < FILTER_MAX_NEST / 2; i++)
		buf_puts(&b, "-(a ");
	for (i = 0; i < FILTER_MAX_NEST / 2; i++)
		buf_putc(&b, ')');
	ok(filter_parse(b.data, &ast, &e) == 0, "%d levels of -( parse", FILTER_MAX_NEST / 2);
	buf_reset(&c);
	filter_canonical(ast, &c);
	rc = filter_compile(ast, &fs);
	ok(rc == 0 && fs.nparams == FILTER_MAX_NEST / 2, "and compile");
	filter_sql_done(&fs);
	filter_free(ast);
	roundtrip(b.data);
	/* a 100 KB quoted value and a 100 KB word */
	buf_reset(&b);
	buf_puts(&b, "source:\"");
	for (i = 0; i < 100 * 1024; i++)
		buf_putc(&b, i % 7 ? 'a' : ' ');
	buf_putc(&b, '"');
	ok(filter_parse(b.data, &ast, &e) == 0, "100 KB quoted value");
	filter_free(ast);
	b.data[b.len - 1] = 'a';
	is_int(filter_parse(b.data, &ast, &e), PV_EPARSE, "unterminated 100 KB quote");
	is_int(e.column, 8, "at the opening quote");
	buf_done(&b);
	buf_done(&c);
}

/* ---- compiled SQL on a real store ---- */

static char dir[] = "/tmp/provex-filter-XXXXXX";
static struct store *store;

/* Stub of the lead's pv_phrase: case-insensitive substring of the text. */
static void pv_phrase_stub(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct buf text = BUF_INIT;
	struct pv_err e;
	const char *phrase = (const char *)sqlite3_value_text(argv[1]);

	(void)argc;
	if (!phrase || sqlite3_value_type(argv[0]) == SQLITE_NULL ||
	    store_text_read(store, sqlite3_value_int64(argv[0]), &text, &e)) {
		sqlite3_result_int(ctx, 0);
		buf_done(&text);
		return;
	}
	sqlite3_result_int(ctx, strcasestr(buf_str(&text), phrase) != NULL);
	buf_done(&text);
}

static char *run(sqlite3 *db, const char *filter)
{
	struct filter_ast *ast;
	struct filter_sql fs;
	struct pv_err e;
	struct buf sql = BUF_INIT, out = BUF_INIT;
	sqlite3_stmt *st;

	if (filter_parse(filter, &ast, &e)) {
		buf_printf(&out, "parse error: %s", e.msg);
		return buf_take(&out);
	}
	filter_compile(ast, &fs);
	buf_printf(&sql, "SELECT d.id FROM docs d JOIN texts t ON t.id=d.text_id "
		   "JOIN inputs i ON i.id=d.input_id WHERE %s ORDER BY d.id", fs.where);
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK) {
		buf_printf(&out, "SQL error: %s", sqlite3_errmsg(db));
	} else {
		int rc;
		filter_bind(&fs, st, 1);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			buf_printf(&out, "%s%lld", out.len ? "," : "",
				   (long long)sqlite3_column_int64(st, 0));
		if (rc != SQLITE_DONE)
			buf_printf(&out, "SQL error: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	filter_sql_done(&fs);
	filter_free(ast);
	buf_done(&sql);
	if (!out.len)
		buf_puts(&out, "-");
	return buf_take(&out);
}

static void test_store(void)
{
	static const struct {
		const char *text, *origin, *source, *generator, *purpose, *meta, *ext;
	} docs[] = {
		/* 1 */ { "The quick brown fox jumps over the lazy dog.", "real",
			  "news-en", NULL, NULL, "{\"lang\":\"en\",\"year\":2020}", "a1" },
		/* 2 */ { "An e-mail about the exact phrase here, from the newsroom.",
			  "synthetic", "news-fr", "gpt-4", "eval", "{\"lang\":\"fr\"}", "a2" },
		/* 3 */ { NULL, "synthetic", "blog", "llama", "train", NULL, "b1" },
		/* 4 */ { "The quick brown fox jumps over the lazy dog.", "unknown",
			  NULL, NULL, NULL, "{\"lang\":\"fr\",\"year\":\"2020\"}", "b2" },
		/* 5 */ { "phrase exact: words reversed. Caf\xc3\xa9 au lait.", "real",
			  "Wiki[1]?", NULL, NULL, "{\"a.b\":\"dotted\"}", "c1" },
	};
	static const char *const expect[][2] = {
		{ "", "1,2,3,4,5" },
		{ "origin:real", "1,5" },
		{ "origin:synthetic", "2,3" },
		{ "origin:real,unknown", "1,4,5" },
		{ "-origin:real", "2,3,4" },
		{ "source:news*", "1,2" },
		{ "source:News*", "-" },
		{ "source:news-en", "1" },
		{ "-source:news*", "3,4,5" },
		{ "source:\"Wiki[1]?\"", "5" },
		{ "source:Wiki[*", "5" },
		{ "source:*", "1,2,3,5" },
		{ "generator:gpt*,llama", "2,3" },
		{ "purpose:eval OR purpose:train", "2,3" },
		{ "ext:a* file:in.jsonl", "1,2" },
		{ "file:*.csv", "-" },
		{ "id:2..4", "2,3,4" },
		{ "id:5,1", "1,5" },
		{ "len:>2000", "3" },
		{ "len:>2k", "3" },
		{ "len:<50", "1,4,5" },
		{ "len:44", "1,4,5" },
		{ "len:57", "2" },
		{ "len:40..60", "1,2,4,5" },
		{ "words:>100", "3" },
		{ "ratio:>4", "3" },
		{ "ratio:<4", "1,2,4,5" },
		{ "dup:>1", "1,4" },
		{ "is:dup", "1,4" },
		{ "-is:dup", "2,3,5" },
		{ "meta.lang:fr", "2,4" },
		{ "meta.year:2020", "1,4" },
		{ "meta.lang:e*", "1" },
		{ "-meta.lang:fr", "1,3,5" },
		{ "meta.a.b:dotted", "5" },
		{ "is:reviewed", "2" },
		{ "is:unreviewed", "1,3,4,5" },
		{ "label:keep", "2" },
		{ "reviewer:a*", "2" },
		{ "-label:keep", "1,3,4,5" },
		{ "has:pair", "-" },
		{ "-has:pair", "1,2,3,4,5" },
		{ "fox", "1,4" },
		{ "FOX", "1,4" },
		{ "fox -origin:unknown", "1" },
		{ "fox OR newsroom", "1,2,4" },
		{ "news*", "2" },
		{ "cafe", "5" },
		{ "lorem", "3" },
		{ "\"exact phrase\"", "2" },
		{ "exact phrase", "2,5" },
		{ "-\"exact phrase\" phrase", "5" },
		{ "e-mail", "2" },
		{ "origin:synthetic (source:news* OR len:>2000) -\"exact phrase\"", "3" },
		{ "(origin:real OR origin:unknown) -(source:news* OR is:dup)", "5" },
		{ "--origin:real", "1,5" },
		{ "zebra", "-" },
		{ "source:\"x'); DROP TABLE docs;--\"", "-" },
	};
	struct pv_err e;
	struct buf big = BUF_INIT;
	int64_t iid;
	bool same, done, cross;
	enum doc_outcome oc;
	size_t i, stored;
	sqlite3 *db;
	char path[256];

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/f.pvx", dir);
	ok(store_open(&store, path, STORE_CREATE, &e) == 0, "store created");
	for (i = 0; big.len < 3000; i++)
		buf_printf(&big, "lorem ipsum dolor sit amet %zu ", i % 3);
	store_begin(store, &e);
	store_input(store, "/abs/in.jsonl", "{}", "in.jsonl", 1, 1, &iid, &same, &done, &e);
	for (i = 0; i < PV_ARRAY_LEN(docs); i++) {
		struct doc_in d = {
			.input_id = iid, .rec = (int64_t)i, .ext_id = docs[i].ext,
			.text = docs[i].text ? docs[i].text : big.data,
			.len = docs[i].text ? strlen(docs[i].text) : big.len,
			.origin = docs[i].origin, .source = docs[i].source,
			.generator = docs[i].generator, .purpose = docs[i].purpose,
			.meta = docs[i].meta };
		if (store_doc_add(store, &d, &oc, &cross, &stored, &e))
			printf("# %s\n", e.msg);
	}
	ok(store_commit(store, &e) == 0, "5 documents added");

	ok(sqlite3_open(path, &db) == SQLITE_OK, "store file opened with sqlite3_open");
	/* schema version 2 has the review columns */
	ok(sqlite3_exec(db, "UPDATE docs SET label='keep', reviewer='ann' WHERE id=2;",
			NULL, NULL, NULL) == SQLITE_OK, "label and reviewer set");
	sqlite3_create_function(db, "pv_phrase", 2, SQLITE_UTF8, NULL, pv_phrase_stub,
				NULL, NULL);
	for (i = 0; i < PV_ARRAY_LEN(expect); i++) {
		char *got = run(db, expect[i][0]);
		is_str(got, expect[i][1], "documents matching [%s]", expect[i][0]);
		free(got);
	}
	{
		sqlite3_stmt *st;
		int n = -1;
		sqlite3_prepare_v2(db, "SELECT count(*) FROM docs", -1, &st, NULL);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		is_int(n, 5, "docs still there after the injection attempt");
	}
	/* nesting: the deepest filters allowed run (SQLite's parser overflowed
	 * at about 20 levels of NOT: tests/fuzz/regress/filter), one more
	 * level is refused where it passes the limit */
	{
		struct buf f = BUF_INIT;
		struct filter_ast *ast = NULL;
		char *got;
		int k;

		for (k = 0; k < FILTER_MAX_NEST; k++)
			buf_putc(&f, '-');
		buf_puts(&f, "meta.a.b.c.d:x*");
		got = run(db, f.data);
		is_str(got, "-", "%d levels of '-' around a metadata glob run", FILTER_MAX_NEST);
		free(got);
		buf_reset(&f);
		for (k = 0; k <= FILTER_MAX_NEST; k++)
			buf_putc(&f, '-');
		buf_puts(&f, "fox");
		is_int(filter_parse(f.data, &ast, &e), PV_EPARSE, "%d levels of '-' refused",
		       FILTER_MAX_NEST + 1);
		is_int(e.column, FILTER_MAX_NEST + 1, "at the '-' that passes the limit");
		ok(strstr(e.msg, "too deeply nested for SQLite") != NULL, "says why (%s)", e.msg);
		buf_reset(&f);
		buf_puts(&f, "\"quick brown\"");
		for (k = 0; k < FILTER_MAX_NEST / 2; k++) {     /* a NOT and an AND each */
			char w[64];
			snprintf(w, sizeof w, k % 2 ? "w%d OR -(" : "-(w%d ", k);
			{
				struct buf t = BUF_INIT;
				buf_puts(&t, w);
				buf_append(&t, f.data, f.len);
				buf_putc(&t, ')');
				buf_reset(&f);
				buf_append(&f, t.data, t.len);
				buf_done(&t);
			}
		}
		got = run(db, f.data);
		ok(strncmp(got, "SQL error", 9) != 0 && strncmp(got, "parse error", 11) != 0,
		   "%d levels of NOT and OR groups around a phrase run (%s)", FILTER_MAX_NEST, got);
		free(got);
		/* a chain of 2048 terms compiles to 7 levels (6 halvings) */
		buf_reset(&f);
		for (k = 0; k < FILTER_MAX_NEST - 7; k++)
			buf_putc(&f, '-');
		buf_putc(&f, '(');
		for (k = 0; k < 2048; k++)
			buf_printf(&f, "%sid:%d", k ? " OR " : "", k + 1);
		buf_putc(&f, ')');
		got = run(db, f.data);
		is_str(got, "-", "%d levels of '-' around 2048 OR terms run",
		       FILTER_MAX_NEST - 7);
		free(got);
		buf_reset(&f);
		for (k = 0; k < FILTER_MAX_NEST - 6; k++)
			buf_putc(&f, '-');
		buf_putc(&f, '(');
		for (k = 0; k < 2048; k++)
			buf_printf(&f, "%sid:%d", k ? " OR " : "", k + 1);
		buf_putc(&f, ')');
		is_int(filter_parse(f.data, &ast, &e), PV_EPARSE,
		       "one '-' more around them is refused");
		buf_done(&f);
	}
	sqlite3_close(db);
	store_close(store);
	buf_done(&big);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		printf("# could not remove %s\n", dir);
}

/* meta.PATH on a store: every kind of value and path (filter.h top). */
static void test_meta_store(void)
{
	static const char *const metas[] = {
		/* 1 */ "{\"t\":0.7,\"n\":3,\"ok\":true,\"lang\":\"en\","
			"\"i\":[{\"o\":\"a\"},{\"o\":\"b\"}],\"a\":{\"b\":\"nested\"}}",
		/* 2 */ "{\"t\":\"0.9\",\"n\":\"3\",\"ok\":\"true\",\"lang\":\"fr\","
			"\"a.b\":\"dotted\",\"x\":null}",
		/* 3 */ "{\"t\":0.2,\"n\":3.0,\"ok\":false,\"i\":{\"0\":{\"o\":\"objkey\"}},"
			"\"x\":\"null\",\"meta\":{\"temperature\":1.5}}",
		/* 4 */ "{\"n\":7,\"ok\":1,\"t\":\"abc\",\"x.y\":5,\"big\":9007199254740993}",
		/* 5 */ NULL,
	};
	static const char *const expect[][2] = {
		{ "meta.t:>0.5", "1,2" },
		{ "meta.t:<0.5", "3" },
		{ "meta.t:0.1..0.75", "1,3" },
		{ "-meta.t:>0.5", "3,4,5" },
		{ "NOT meta.t:>0.5", "3,4,5" },
		{ "meta.t:*", "1,2,3,4" },
		{ "meta.n:3", "1,2,3" },
		{ "meta.n:\"3\"", "2" },
		{ "meta.n:>=3", "1,2,3,4" },
		{ "meta.n:3..7", "1,2,3,4" },
		{ "meta.n:4..", "4" },
		{ "meta.ok:true", "1,2" },
		{ "meta.ok:false", "3" },
		{ "meta.ok:1", "4" },
		{ "meta.ok:tr*", "1,2" },
		{ "meta.x:null", "2,3" },
		{ "has:meta.x", "3" },
		{ "-has:meta.x", "1,2,4,5" },
		{ "meta.i.0.o:a", "1" },
		{ "meta.i.1.o:*", "1" },
		{ "meta.i.0.o:objkey", "3" },
		{ "meta.a.b:*", "1,2" },
		{ "meta.\"a.b\":*", "2" },
		{ "meta.a.\"b\":*", "1" },
		{ "meta.meta.temperature:>1", "3" },
		{ "meta.\"x.y\":5", "4" },
		{ "meta.x.y:5", "4" },
		{ "meta.lang:e*", "1" },
		{ "meta.lang:en,fr", "1,2" },
		{ "meta.t:>0.5 OR meta.n:7", "1,2,4" },
		{ "meta.big:9007199254740993", "4" },
		{ "meta.big:9007199254740992", "-" },
		{ "has:meta.i.1 has:meta.a.b", "1" },
		{ "has:meta.nothing", "-" },
	};
	char mdir[] = "/tmp/provex-filter-meta-XXXXXX", path[256];
	struct store *ms;
	struct pv_err e;
	int64_t iid;
	bool same, done, cross;
	enum doc_outcome oc;
	size_t i, stored;
	sqlite3 *db;

	if (!mkdtemp(mdir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/m.pvx", mdir);
	ok(store_open(&ms, path, STORE_CREATE, &e) == 0, "meta store created");
	store_begin(ms, &e);
	store_input(ms, "/abs/m.jsonl", "{}", "m.jsonl", 1, 1, &iid, &same, &done, &e);
	for (i = 0; i < PV_ARRAY_LEN(metas); i++) {
		char text[64], ext[16];
		struct doc_in d = { .input_id = iid, .rec = (int64_t)i, .origin = "real",
				    .ext_id = ext };
		snprintf(text, sizeof text, "document %zu", i + 1);
		snprintf(ext, sizeof ext, "m%zu", i + 1);
		d.text = text;
		d.len = strlen(text);
		d.meta = metas[i];
		if (store_doc_add(ms, &d, &oc, &cross, &stored, &e))
			printf("# %s\n", e.msg);
	}
	ok(store_commit(ms, &e) == 0, "documents with metadata added");
	ok(sqlite3_open(path, &db) == SQLITE_OK, "opened with sqlite3_open");
	for (i = 0; i < PV_ARRAY_LEN(expect); i++) {
		char *got = run(db, expect[i][0]);
		is_str(got, expect[i][1], "documents matching [%s]", expect[i][0]);
		free(got);
	}
	sqlite3_close(db);
	store_close(ms);
	snprintf(path, sizeof path, "rm -rf '%s'", mdir);
	if (system(path) != 0)
		printf("# could not remove %s\n", mdir);
}

/* Random byte strings from the language's own pieces: the parser never
 * crashes (ASan and valgrind watch), a filter it accepts compiles, and
 * its canonical form parses to itself. */
static void test_fuzz(void)
{
	static const char *const bits[] = {
		"meta.", "has:", "\"", "\\", ".", ":", ",", "0", "12", "-", "..", ">", "<=",
		"*", "(", ")", " ", "NOT ", " OR ", " AND ", "or", "a", "x.y", "true",
		"null", "1e5", "\xc3\xa9", "\xe4\xb8\xad", "\xff", "\t", "origin:",
		"len:", "2Ki", "source:", "e-mail", "\xe2\x80\xae", "\x01",
	};
	bool vg = getenv("PROVEX_VALGRIND") && *getenv("PROVEX_VALGRIND");
	unsigned seed = 777;
	size_t i, k, bad = 0, parsed = 0, iters = vg ? 2000 : 30000;
	char text[256];

	for (i = 0; i < iters; i++) {
		size_t n = 0, parts;
		struct filter_ast *ast;
		struct filter_sql fs;
		struct pv_err e;
		struct buf c1 = BUF_INIT, c2 = BUF_INIT;

		seed = seed * 1103515245 + 12345;
		parts = 1 + (seed >> 16) % 12;
		text[0] = '\0';
		for (k = 0; k < parts; k++) {
			seed = seed * 1103515245 + 12345;
			n += (size_t)snprintf(text + n, sizeof text - n, "%s",
					      bits[(seed >> 16) % PV_ARRAY_LEN(bits)]);
		}
		if (filter_parse(text, &ast, &e))
			continue;
		parsed++;
		filter_canonical(ast, &c1);
		if (filter_compile(ast, &fs) != 0)
			bad++;
		filter_sql_done(&fs);
		filter_free(ast);
		if (filter_parse(buf_str(&c1), &ast, &e) == 0) {
			filter_canonical(ast, &c2);
			filter_free(ast);
		}
		if (strcmp(buf_str(&c1), buf_str(&c2)) != 0) {
			if (bad++ < 5)
				printf("# [%s] -> [%s] -> [%s]\n", text, buf_str(&c1), buf_str(&c2));
		}
		buf_done(&c1);
		buf_done(&c2);
	}
	ok(bad == 0, "%zu random filters, %zu parsed: every canonical form parses to "
	   "itself and compiles (%zu did not)", iters, parsed, bad);
}

/* Readings the parser took that may not be what was meant. */
static void test_warnings(void)
{
	static const char *const cases[][2] = {
		{ "source:xsum or source:writing", "at byte 13: 'or' is searched for as a word" },
		{ "source:xsum and source:writing", "at byte 13: 'and' is searched for" },
		{ "not origin:real", "at byte 1: 'not' is searched for as a word; to exclude" },
		{ "a Or source:b", NULL },
		{ "source:a Or source:b", "at byte 10: 'Or' is searched for" },
		{ "source:a OR source:b", NULL },
		{ "cats or dogs", NULL },
		{ "source:a \"or\" source:b", NULL },
		{ "origin:human", "at byte 8: origin:human read as origin:real" },
		{ "origin:real", NULL },
	};
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(cases); i++) {
		struct filter_ast *ast;
		struct pv_err e;
		const char *w;

		if (filter_parse(cases[i][0], &ast, &e)) {
			ok(0, "parse [%s]: %s", cases[i][0], e.msg);
			continue;
		}
		w = filter_warnings(ast);
		if (!cases[i][1])
			ok(w == NULL, "no warning for [%s] (got %s)", cases[i][0], w ? w : "");
		else
			ok(w && strncmp(w, cases[i][1], strlen(cases[i][1])) == 0,
			   "warning for [%s]: %s", cases[i][0], w ? w : "(none)");
		filter_free(ast);
	}
}

/* filter_reading spells out every operator. */
static void test_reading(void)
{
	static const char *const cases[][2] = {
		{ "len:>2000 AND origin:real", "len:>2000 AND origin:real" },
		{ "len:>2000 origin:real", "len:>2000 AND origin:real" },
		{ "NOT origin:real", "NOT origin:real" },
		{ "-(a b) OR c", "NOT (text:a AND text:b) OR text:c" },
		{ "a (b OR c)", "text:a AND (text:b OR text:c)" },
		{ "", "(everything)" },
	};
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(cases); i++) {
		struct filter_ast *ast;
		struct pv_err e;
		struct buf b = BUF_INIT;

		if (filter_parse(cases[i][0], &ast, &e)) {
			ok(0, "parse [%s]: %s", cases[i][0], e.msg);
			continue;
		}
		filter_reading(ast, &b);
		is_str(buf_str(&b), cases[i][1], "reading of [%s]", cases[i][0]);
		buf_done(&b);
		filter_free(ast);
	}
}

/* An indexed metadata path reads the store's column. */
static void test_meta_env(void)
{
	static const struct filter_meta_index idx[] = { { "lang", "meta_1" } };
	static const struct filter_env env = { idx, 1 };
	struct filter_ast *ast;
	struct filter_sql fs;
	struct pv_err e;
	struct buf b = BUF_INIT;

	ok(filter_parse("meta.lang:en meta.n:3", &ast, &e) == 0, "parse");
	is_int(filter_compile_env(ast, 1, &env, &fs), 0, "compile with an index");
	is_str(fs.where, "d.\"meta_1\" = ?1 AND (json_extract(d.meta, ?2) IN (?3, ?4) AND "
	       "json_type(d.meta, ?2) NOT IN ('true', 'false'))", "indexed path reads the column");
	params_str(&fs, &b);
	is_str(buf_str(&b), "'en' | '$.\"n\"' | 3 | '3'", "no path parameter for it");
	ok(fs.notes && strstr(fs.notes, "meta.n: no index") && !strstr(fs.notes, "meta.lang"),
	   "notes name the path read by a scan only: %s", fs.notes ? fs.notes : "");
	buf_done(&b);
	filter_sql_done(&fs);
	filter_free(ast);
}

static void test_fields(void)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < nfields; i++)
		ok(fields[i].name && fields[i].help && *fields[i].help,
		   "field %s has help", fields[i].name);
	ok(field_find("LEN", 3) && field_find("len", 3)->kind == FIELD_INT, "len found any case");
	ok(field_find("text", 4) == NULL, "full text has no name");
	ok(strstr(field_find("has", 3)->help, "has:pair") != NULL, "has: names pair");
	field_list_names(&b);
	ok(strstr(b.data, "meta.PATH") != NULL, "names list meta.PATH");
	buf_done(&b);
}

int main(void)
{
	test_fields();
	test_meta_store();
	test_fuzz();
	test_warnings();
	test_reading();
	test_meta_env();
	test_canonical();
	test_roundtrip();
	test_sql();
	test_sql_numbering();
	test_errors();
	test_caret();
	test_big();
	test_store();
	return tap_done();
}
