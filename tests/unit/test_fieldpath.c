/*
 * test_fieldpath.c - unit tests for record_lookup() (index/fieldpath.c):
 * fields by dotted paths into nested JSON objects and arrays.  Records are
 * read through the real readers from small files in a mkdtemp() folder.
 */
#include "../tap.h"
#include "../../common/pv.h"
#include "../../common/buf.h"
#include "../../index/reader.h"
#include "../../index/fieldpath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];
static int nfiles;

/* One open input and its current record. */
struct rd {
	struct reader *r;
	struct record rec;
	char path[512];
};

/* Writes content to a new file named like name in the temporary folder,
 * opens it and reads its first record.  Returns false (and reports a
 * failed check) when that does not work. */
static bool rd_open(struct rd *d, const char *name, const char *content,
		    size_t len)
{
	struct pv_err err;
	FILE *f;
	int rc;

	memset(d, 0, sizeof *d);
	snprintf(d->path, sizeof d->path, "%s/%d-%s", tmpdir, nfiles++, name);
	f = fopen(d->path, "wb");
	if (!f) {
		ok(0, "write %s: %s", d->path, strerror(errno));
		return false;
	}
	fwrite(content, 1, len, f);
	fclose(f);
	if (reader_open(&d->r, d->path, NULL, &err) != 0) {
		ok(0, "reader_open %s: %s", d->path, err.msg);
		return false;
	}
	rc = reader_next(d->r, &d->rec, &err);
	if (rc != READ_OK) {
		ok(0, "reader_next %s: %d %s", d->path, rc, err.msg);
		reader_close(d->r);
		d->r = NULL;
		return false;
	}
	return true;
}

/* A JSONL file holding the single line json. */
static bool rd_json(struct rd *d, const char *json)
{
	return rd_open(d, "in.jsonl", json, strlen(json));
}

static void rd_close(struct rd *d)
{
	reader_close(d->r);
	unlink(d->path);
	d->r = NULL;
}

/* Checks a string result. */
static void is_found_str(const struct record *rec, const char *path,
			 const char *want, size_t want_len)
{
	struct in_field f;
	struct buf sc = BUF_INIT;

	if (ok(record_lookup(rec, path, &f, &sc), "%s: found", path)) {
		is_int(f.type, JSON_STRING, "%s: string", path);
		ok(f.str && f.str[f.str_len] == '\0', "%s: str NUL-terminated",
		   path);
		if (!is_mem(f.str, f.str_len, want, want_len, "%s: value", path))
			printf("#   got \"%.*s\" (%zu bytes)\n", (int)f.str_len,
			       f.str ? f.str : "", f.str_len);
		ok(f.raw && f.raw[0] == '"' && f.raw[f.raw_len - 1] == '"',
		   "%s: raw is the literal", path);
	}
	buf_done(&sc);
}

/* Checks a non-string result by type and exact raw text. */
static void is_found_raw(const struct record *rec, const char *path,
			 enum json_kind type, const char *raw)
{
	struct in_field f;
	struct buf sc = BUF_INIT;

	if (ok(record_lookup(rec, path, &f, &sc), "%s: found", path)) {
		is_int(f.type, type, "%s: type", path);
		if (!is_mem(f.raw, f.raw_len, raw, strlen(raw), "%s: raw", path))
			printf("#   got '%.*s'\n", (int)f.raw_len,
			       f.raw ? f.raw : "");
		ok(f.str == NULL && f.str_len == 0, "%s: no str", path);
	}
	buf_done(&sc);
}

static void is_missing(const struct record *rec, const char *path)
{
	struct in_field f;
	struct buf sc = BUF_INIT;

	ok(!record_lookup(rec, path, &f, &sc), "'%s': not found", path);
	buf_done(&sc);
}

static void test_top_level(void)
{
	struct rd d;
	struct in_field f;
	struct buf sc = BUF_INIT;
	const struct in_field *rf;

	if (!rd_json(&d, "{\"question\": \"Q?\", \"n\": 3}\n"))
		return;
	is_found_str(&d.rec, "question", "Q?", 2);
	is_found_raw(&d.rec, "n", JSON_NUMBER, "3");
	buf_puts(&sc, "untouched");
	rf = record_field(&d.rec, "question");
	ok(record_lookup(&d.rec, "question", &f, &sc) && rf &&
	   f.str == rf->str && f.name == rf->name && f.raw == rf->raw,
	   "top level: a copy of record_field's field");
	is_str(buf_str(&sc), "untouched", "top level: scratch not touched");
	buf_done(&sc);
	rd_close(&d);
}

static void test_nested(void)
{
	struct rd d;
	struct in_field f;
	struct buf sc = BUF_INIT;
	const char *line =
		"{\"question\": \"How many?\", \"6b_finetuning\": "
		"{\"solution\": \"He has 5.\\n#### 5\", \"is_correct\": true}}\n";

	if (!rd_json(&d, line))
		return;
	is_found_str(&d.rec, "6b_finetuning.solution", "He has 5.\n#### 5", 16);
	is_found_raw(&d.rec, "6b_finetuning.is_correct", JSON_TRUE, "true");
	ok(record_lookup(&d.rec, "6b_finetuning.solution", &f, &sc) &&
	   f.name_len == strlen("6b_finetuning.solution") &&
	   strcmp(f.name, "6b_finetuning.solution") == 0,
	   "nested: name is the whole path");
	ok(f.raw >= d.rec.fields[1].raw &&
	   f.raw + f.raw_len <= d.rec.fields[1].raw + d.rec.fields[1].raw_len,
	   "nested: raw points into the record");
	buf_done(&sc);
	rd_close(&d);

	if (!rd_json(&d, "{\"a\": { \"b\" : { \"c\" : \"deep\" , \"n\":[1, 2] } }}\n"))
		return;
	is_found_str(&d.rec, "a.b.c", "deep", 4);
	is_found_raw(&d.rec, "a.b", JSON_OBJECT,
		     "{ \"c\" : \"deep\" , \"n\":[1, 2] }");
	is_found_raw(&d.rec, "a.b.n", JSON_ARRAY, "[1, 2]");
	is_found_raw(&d.rec, "a", JSON_OBJECT,
		     "{ \"b\" : { \"c\" : \"deep\" , \"n\":[1, 2] } }");
	rd_close(&d);
}

static void test_dotted_keys(void)
{
	struct rd d;

	if (!rd_json(&d, "{\"a\": {\"b\": \"nested\"}, \"a.b\": \"top\"}\n"))
		return;
	is_found_str(&d.rec, "a.b", "top", 3);
	rd_close(&d);

	if (!rd_json(&d, "{\"x\": {\"y\": {\"z\": 2}, \"y.z\": 1}}\n"))
		return;
	is_found_raw(&d.rec, "x.y.z", JSON_NUMBER, "1");
	rd_close(&d);

	/* only the first '.' splits: a dotted key is not a path prefix */
	if (!rd_json(&d, "{\"a.b\": {\"c\": 1}}\n"))
		return;
	is_missing(&d.rec, "a.b.c");
	is_found_raw(&d.rec, "a.b", JSON_OBJECT, "{\"c\": 1}");
	rd_close(&d);

	/* duplicate keys: the last wins, as in Python and jq (the reader
	 * rewrites the record without the members they override) */
	if (!rd_json(&d, "{\"o\": {\"k\": 1, \"k\": 2}, \"t\": 1, \"t\": [3]}\n"))
		return;
	is_found_raw(&d.rec, "o.k", JSON_NUMBER, "2");
	is_found_raw(&d.rec, "o", JSON_OBJECT, "{\"k\": 2}");
	is_found_raw(&d.rec, "t", JSON_ARRAY, "[3]");
	is_found_raw(&d.rec, "t.0", JSON_NUMBER, "3");
	rd_close(&d);

	/* empty key via a trailing '.' */
	if (!rd_json(&d, "{\"a\": {\"\": 5}}\n"))
		return;
	is_found_raw(&d.rec, "a.", JSON_NUMBER, "5");
	is_missing(&d.rec, "a..b");
	rd_close(&d);
}

static void test_arrays(void)
{
	struct rd d;

	if (!rd_json(&d, "{\"choices\": [ {\"text\": \"zero\"} , "
		     "{\"text\": \"one, ]}\\\"[{\"}, 7 , [ ], "
		     "[[1], [2, [3, \"x\"]]], -0.5e2, null ], "
		     "\"obj\": {\"0\": \"key zero\"}}\n"))
		return;
	is_found_str(&d.rec, "choices.0.text", "zero", 4);
	is_found_str(&d.rec, "choices.1.text", "one, ]}\"[{", 10);
	is_found_raw(&d.rec, "choices.2", JSON_NUMBER, "7");
	is_found_raw(&d.rec, "choices.3", JSON_ARRAY, "[ ]");
	is_found_raw(&d.rec, "choices.4.1.1.0", JSON_NUMBER, "3");
	is_found_str(&d.rec, "choices.4.1.1.1", "x", 1);
	is_found_raw(&d.rec, "choices.5", JSON_NUMBER, "-0.5e2");
	is_found_raw(&d.rec, "choices.6", JSON_NULL, "null");
	is_found_raw(&d.rec, "choices.0", JSON_OBJECT, "{\"text\": \"zero\"}");
	is_missing(&d.rec, "choices.7");
	is_missing(&d.rec, "choices.3.0");
	is_missing(&d.rec, "choices.01");
	is_missing(&d.rec, "choices.-1");
	is_missing(&d.rec, "choices.+1");
	is_missing(&d.rec, "choices.x");
	is_missing(&d.rec, "choices.");
	is_missing(&d.rec, "choices.99999999999999999999999999");
	is_missing(&d.rec, "choices.0.nope");
	/* a numeric segment on an object is a key */
	is_found_str(&d.rec, "obj.0", "key zero", 8);
	rd_close(&d);

	if (!rd_json(&d, "{\"e\": []}\n"))
		return;
	is_missing(&d.rec, "e.0");
	rd_close(&d);
}

static void test_missing(void)
{
	struct rd d;

	if (!rd_json(&d, "{\"a\": {\"b\": {\"c\": 1}}, \"s\": \"str\", "
		     "\"n\": 12, \"z\": null, \"t\": true, "
		     "\"j\": \"{\\\"x\\\": 1}\"}\n"))
		return;
	is_missing(&d.rec, "nope");
	is_missing(&d.rec, "nope.x");
	is_missing(&d.rec, "a.nope");
	is_missing(&d.rec, "a.b.nope");
	is_missing(&d.rec, "a.b.c.d");
	is_missing(&d.rec, "");
	is_missing(&d.rec, ".");
	is_missing(&d.rec, ".a");
	is_missing(&d.rec, "A.b");
	/* non-object intermediates */
	is_missing(&d.rec, "s.x");
	is_missing(&d.rec, "s.0");
	is_missing(&d.rec, "n.0");
	is_missing(&d.rec, "z.a");
	is_missing(&d.rec, "t.a");
	is_missing(&d.rec, "j.x");
	rd_close(&d);
}

static void test_strings(void)
{
	struct rd d;
	static const char want[] = "a\n\xc3\xa9\0b\xf0\x9f\x98\x80\"q\\/\t\xef\xbf\xbd";
	static const char line[] =
		"{\"o\": {\"s\": \"a\\n\\u00e9\\u0000b\\ud83d\\ude00\\\"q\\\\\\/\\t\\ud800\", "
		"\"bad\": \"x\xff\xfey\"}}\n";
	struct in_field f1, f2;
	struct buf s1 = BUF_INIT, s2 = BUF_INIT;
	struct buf big = BUF_INIT;
	size_t i;

	if (!rd_json(&d, line))
		return;
	is_found_str(&d.rec, "o.s", want, sizeof want - 1);
	is_found_str(&d.rec, "o.bad", "x\xff\xfey", 4);
	/* two results in two scratch buffers both stay valid */
	ok(record_lookup(&d.rec, "o.s", &f1, &s1) &&
	   record_lookup(&d.rec, "o.bad", &f2, &s2) &&
	   f1.str_len == sizeof want - 1 &&
	   memcmp(f1.str, want, f1.str_len) == 0 && f2.str_len == 4,
	   "two scratch buffers hold two results");
	/* the scratch buffer is reset, not appended to */
	ok(record_lookup(&d.rec, "o.bad", &f1, &s1) &&
	   s1.len == strlen("o.bad") + 1 + 4 && f1.str == s1.data + 6,
	   "scratch is reset by each lookup");
	rd_close(&d);

	/* a long string makes the scratch buffer grow */
	buf_puts(&big, "{\"a\": {\"b\": \"");
	for (i = 0; i < 100000; i++)
		buf_puts(&big, i % 2 ? "\\u00e9" : "x");
	buf_puts(&big, "\"}}\n");
	if (rd_open(&d, "big.jsonl", big.data, big.len)) {
		ok(record_lookup(&d.rec, "a.b", &f1, &s1) &&
		   f1.str_len == 150000 && f1.str == s1.data + 4 &&
		   strcmp(f1.name, "a.b") == 0 && f1.str[0] == 'x' &&
		   memcmp(f1.str + 149997, "x\xc3\xa9", 3) == 0 &&
		   f1.str[150000] == '\0',
		   "long string: pointers set after growth");
		rd_close(&d);
	}
	buf_done(&big);
	buf_done(&s1);
	buf_done(&s2);
}

static void test_scalars(void)
{
	struct rd d;

	if (!rd_json(&d, "{\"o\": {\"n\": -1.5e3, \"i\": 0, \"t\": true, "
		     "\"f\": false, \"z\": null, \"arr\": [1, 2], \"e\": {}}}\n"))
		return;
	is_found_raw(&d.rec, "o.n", JSON_NUMBER, "-1.5e3");
	is_found_raw(&d.rec, "o.i", JSON_NUMBER, "0");
	is_found_raw(&d.rec, "o.t", JSON_TRUE, "true");
	is_found_raw(&d.rec, "o.f", JSON_FALSE, "false");
	is_found_raw(&d.rec, "o.z", JSON_NULL, "null");
	is_found_raw(&d.rec, "o.arr", JSON_ARRAY, "[1, 2]");
	is_found_raw(&d.rec, "o.e", JSON_OBJECT, "{}");
	is_missing(&d.rec, "o.e.x");
	rd_close(&d);
}

static void test_csv_and_text(void)
{
	struct rd d;
	static const char csv[] = "a.b,c,d\n1,\"{\"\"x\"\": 1}\",plain\n";
	struct in_field f;
	struct buf sc = BUF_INIT;

	if (rd_open(&d, "in.csv", csv, sizeof csv - 1)) {
		ok(record_lookup(&d.rec, "a.b", &f, &sc) && f.raw == NULL &&
		   f.type == JSON_STRING && strcmp(f.str, "1") == 0,
		   "csv: dotted column name matches exactly");
		ok(record_lookup(&d.rec, "d", &f, &sc) &&
		   strcmp(f.str, "plain") == 0, "csv: plain column");
		is_missing(&d.rec, "a");
		is_missing(&d.rec, "c.x");
		is_missing(&d.rec, "d.0");
		rd_close(&d);
	}
	if (rd_open(&d, "in.txt", "just text.\n", 11)) {
		ok(d.rec.is_text, "text record");
		is_missing(&d.rec, "text");
		is_missing(&d.rec, "a.b");
		rd_close(&d);
	}
	buf_done(&sc);
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/pv-fp-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_top_level();
	test_nested();
	test_dotted_keys();
	test_arrays();
	test_missing();
	test_strings();
	test_scalars();
	test_csv_and_text();
	rmdir(tmpdir);
	return tap_done();
}
