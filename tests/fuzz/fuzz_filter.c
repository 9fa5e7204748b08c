/*
 * fuzz_filter.c - the filter language (store/filter.c): parsing, the
 * canonical form, compiling, and the compiled SQL run on a small store
 * (made once per process by index_run, with metadata indexes on a few
 * paths).  The input is the filter text (up to its first NUL byte).
 *
 * Properties, for any text:
 *  - filter_parse returns 0 or PV_EPARSE with a column inside the text
 *    (or just past it) and a message;
 *  - an accepted filter's canonical form parses to the same canonical
 *    form, and its reading is not empty unless the filter is;
 *  - it compiles, and the SQL runs on the store: no SQLite error;
 *  - it counts the same documents compiled with and without the store's
 *    metadata indexes (the generated columns read what the JSON holds);
 *  - NOT (filter) counts the other documents: the two counts add up to
 *    all of them (negation is two-valued).
 */
#include "fuzz.h"
#include "../../common/pv.h"
#include "../../common/buf.h"
#include "../../store/store.h"
#include "../../store/filter.h"
#include "../../store/metaindex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char fuzz_name[] = "filter";

/* The documents of the store: texts in several scripts, metadata of every
 * kind the filter compares (numbers, numeric strings, booleans, null,
 * nested objects and arrays, dotted keys). */
static const char corpus[] =
	"{\"text\":\"The quick brown fox jumps over the lazy dog.\",\"origin\":\"real\","
	"\"source\":\"news-en\",\"lang\":\"en\",\"n\":3,\"t\":0.7,\"ok\":true,"
	"\"i\":[{\"o\":\"a\"},{\"o\":\"b\"}],\"a\":{\"b\":\"nested\"}}\n"
	"{\"text\":\"An e-mail about the exact phrase here, caf\\u00e9 cr\\u00e8me.\","
	"\"origin\":\"synthetic\",\"source\":\"news-fr\",\"generator\":\"gpt-4\","
	"\"purpose\":\"eval\",\"lang\":\"fr\",\"n\":\"3\",\"t\":\"0.9\",\"ok\":\"true\","
	"\"a.b\":\"dotted\",\"x\":null}\n"
	"{\"text\":\"\\u6211\\u4eec\\u7231\\u4e2d\\u56fd\\u4eba\\u6c11 and \\u0e01\\u0e48\\u0e02\","
	"\"origin\":\"synthetic\",\"source\":\"blog\",\"generator\":\"llama\",\"t\":0.2,"
	"\"n\":3.0,\"ok\":false,\"i\":{\"0\":{\"o\":\"objkey\"}},\"x\":\"null\"}\n"
	"{\"text\":\"The quick brown fox jumps over the lazy dog.\",\"origin\":\"unknown\","
	"\"n\":7,\"ok\":1,\"t\":\"abc\",\"x.y\":5,\"big\":9007199254740993,"
	"\"lang\":[\"en\",\"fr\"]}\n"
	"{\"text\":\"short\",\"id\":\"e5\",\"n\":-1e3,\"lang\":{\"k\":\"en\"},\"\":\"empty key\","
	"\"q\\\"k\":\"quote in a key\"}\n"
	"{\"text\":\"x\\ty\\n\\u202e rtl and \\ud83d\\ude00 emoji 42 1e5 -0\",\"origin\":\"human\"}\n";

/* Paths given a metadata index (as typed after meta.). */
static const char *const indexed[] = { "lang", "n", "a.b", "i.0.o", "t", "\"x.y\"" };

static struct store *store;
static int64_t ndocs;
static char fstore_path[512];

/* teardown - closes the store and removes its files (atexit, before
 * fuzz_util.c removes the folder). */
static void teardown(void)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char p[600];
	size_t k;

	store_close(store);
	store = NULL;
	for (k = 0; k < sizeof ext / sizeof *ext; k++) {
		snprintf(p, sizeof p, "%s%s", fstore_path, ext[k]);
		unlink(p);
	}
}

/* setup - indexes corpus[] into a store in the temporary folder, adds the
 * metadata indexes, and counts its documents.  Aborts when it cannot:
 * nothing could be tested. */
static void setup(void)
{
	struct pv_err err;
	const char *in = fuzz_file("docs.jsonl", corpus, sizeof corpus - 1);
	char *path = fstore_path;
	size_t k;

	snprintf(path, sizeof fstore_path, "%s/f.pvx", fuzz_dir());
	fuzz_check(fuzz_index(path, in, &err) == 0, "cannot index the fuzz store: %s", err.msg);
	fuzz_check(store_open(&store, path, STORE_WRITE, &err) == 0,
		   "cannot open the fuzz store: %s", err.msg);
	for (k = 0; k < sizeof indexed / sizeof *indexed; k++) {
		bool created;

		fuzz_check(metaidx_create(store, indexed[k], &created, &err) == 0,
			   "cannot index meta.%s: %s", indexed[k], err.msg);
	}
	fuzz_check(store_count(store, NULL, &ndocs, &err) == 0 && ndocs == 6,
		   "fuzz store holds %lld documents, not 6", (long long)ndocs);
	atexit(teardown);
}

/* count - compiles ast (with the store's metadata indexes when env) and
 * counts its documents; any failure breaks a property. */
static int64_t count(const struct filter_ast *ast, int env, const char *text)
{
	struct filter_sql fs;
	struct pv_err err;
	int64_t n = -1;
	int rc;

	if (env) {
		rc = store_filter_compile(store, ast, 1, &fs, &err);
		fuzz_check(rc == 0, "store_filter_compile failed on '%s': %s", text, err.msg);
	} else {
		rc = filter_compile(ast, &fs);
		fuzz_check(rc == 0, "filter_compile returned %d on '%s'", rc, text);
	}
	fuzz_check(fs.where != NULL && fs.nparams <= FILTER_MAX_PARAMS,
		   "compiled '%s' to no condition or %zu parameters", text, fs.nparams);
	rc = store_count(store, &fs, &n, &err);
	fuzz_check(rc == 0, "the SQL of '%s' fails (%s): %s\nWHERE %s", text,
		   env ? "with indexes" : "without indexes", err.msg, fs.where);
	fuzz_check(n >= 0 && n <= ndocs, "'%s' counts %lld of %lld documents", text,
		   (long long)n, (long long)ndocs);
	filter_sql_done(&fs);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct filter_ast *ast = NULL, *ast2 = NULL, *neg = NULL;
	struct buf text = BUF_INIT, canon = BUF_INIT, canon2 = BUF_INIT, b = BUF_INIT;
	struct pv_err err;
	int rc;

	if (!store)
		setup();
	buf_append(&text, data, size);
	rc = filter_parse(buf_str(&text), &ast, &err);
	if (rc) {
		size_t len = strlen(buf_str(&text));

		fuzz_check(rc == PV_EPARSE && ast == NULL, "filter_parse returned %d", rc);
		fuzz_check(err.column >= 1 && (size_t)err.column <= len + 1 && err.msg[0],
			   "error at column %ld of %zu bytes: %s", err.column, len, err.msg);
		filter_error_caret(buf_str(&text), &err, &b);
		goto done;
	}
	filter_canonical(ast, &canon);
	filter_reading(ast, &b);
	fuzz_check(ast->root == NULL || b.len > 0, "no reading of '%s'", buf_str(&text));
	rc = filter_parse(buf_str(&canon), &ast2, &err);
	fuzz_check(rc == 0, "canonical form '%s' of '%s' refused at %ld: %s",
		   buf_str(&canon), buf_str(&text), err.column, err.msg);
	filter_canonical(ast2, &canon2);
	fuzz_check(canon.len == canon2.len && memcmp(canon.data, canon2.data, canon.len) == 0,
		   "canonical form '%s' reads as '%s'", buf_str(&canon), buf_str(&canon2));

	{
		int64_t plain = count(ast, 0, buf_str(&text));
		int64_t with = count(ast, 1, buf_str(&text));

		fuzz_check(plain == with,
			   "'%s' counts %lld documents reading the JSON, %lld with indexes",
			   buf_str(&text), (long long)plain, (long long)with);
		if (ast->root) {
			buf_reset(&b);
			buf_puts(&b, "NOT (");
			buf_append(&b, canon.data, canon.len);
			buf_puts(&b, ")");
			rc = filter_parse(buf_str(&b), &neg, &err);
			if (rc == 0) {
				int64_t other = count(neg, 1, buf_str(&b));

				fuzz_check(plain + other == ndocs,
					   "'%s' counts %lld, '%s' %lld, of %lld documents",
					   buf_str(&canon), (long long)plain, buf_str(&b),
					   (long long)other, (long long)ndocs);
			} else {
				/* only the nesting or parameter limits may refuse it */
				fuzz_check(strstr(err.msg, "deep") || strstr(err.msg, "nest") ||
					   strstr(err.msg, "param") || strstr(err.msg, "long") ||
					   strstr(err.msg, "many"),
					   "'%s' refused: %s", buf_str(&b), err.msg);
			}
		}
	}
done:
	filter_free(ast);
	filter_free(ast2);
	filter_free(neg);
	buf_done(&text);
	buf_done(&canon);
	buf_done(&canon2);
	buf_done(&b);
	return 0;
}
