/*
 * test_browse.c - the store functions of the interface (store/browse.h):
 * keyset pages walked forward and backward against store_select's order
 * (sorts with ties and NULLs, descending, filtered), positions, the cost
 * of a deep page against the first on 200,000 documents, the background
 * counter (results, superseded requests, errors, positions), the filter
 * history, saved filters, completion values, sets of ids relabelled and
 * undone, and the schema version (new stores, and migrations from 1 and 2).
 */
#include "config.h"
#include "../tap.h"
#include "fixture.h"
#include "store/store.h"
#include "store/filter.h"
#include "store/label.h"
#include "store/browse.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/provex-browse-XXXXXX";
static bool valgrind;

static char *path(const char *name)
{
	static char p[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
	return p[i];
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void is_q(const char *file, const char *sql, const char *want, const char *name)
{
	char *got = fx_q(file, sql);
	is_str(got, want, "%s", name);
	free(got);
}

/*
 * A store of n documents, in one transaction.  Document i (1-based):
 *   text    "doc I" padded with words to one of 13 lengths (many ties)
 *   source  NULL for every third, else src-(i % 7)
 *   generator  NULL for every fifth, else gen-(i % 3)
 *   origin  real, synthetic or unknown by i % 3
 */
struct browse_docs {
	char text[160], ext[24], src[16], gen[16];
};

static void browse_doc(int i, struct doc_in *d, void *ctx)
{
	static const char pad[] = "lorem ipsum dolor sit amet consectetur adipiscing "
		"elit sed do eiusmod tempor incididunt ut labore et dolore magna";
	static const char *const origins[] = { "real", "synthetic", "unknown" };
	struct browse_docs *b = ctx;
	int k = snprintf(b->text, sizeof b->text, "doc %d ", i);
	int want = 20 + (i * 7) % 13 * 5;

	while (k < want) {
		int m = PV_MIN(want - k, (int)sizeof pad - 1);
		memcpy(b->text + k, pad, (size_t)m);
		k += m;
	}
	b->text[k] = '\0';
	snprintf(b->ext, sizeof b->ext, "e%d", i);
	snprintf(b->src, sizeof b->src, "src-%d", i % 7);
	snprintf(b->gen, sizeof b->gen, "gen-%d", i % 3);
	d->ext_id = b->ext;
	d->text = b->text;
	d->len = (size_t)k;
	d->origin = origins[i % 3];
	d->source = i % 3 == 0 ? NULL : b->src;
	d->generator = i % 5 == 0 ? NULL : b->gen;
}

static struct store *make_store(const char *file, int n)
{
	struct browse_docs b;

	return fx_store(file, n, 1, false, browse_doc, &b);
}

static int compile(const char *text, struct filter_sql *sql)
{
	struct filter_ast *ast = NULL;
	struct pv_err e;
	int rc = filter_parse(text, &ast, &e);

	memset(sql, 0, sizeof *sql);
	if (rc) {
		printf("# filter: %s\n", e.msg);
		return rc;
	}
	rc = filter_compile(ast, sql);
	filter_free(ast);
	return rc;
}

struct ids {
	int64_t *v;
	size_t n, cap;
};

static void ids_add(struct ids *a, int64_t id)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 256;
		a->v = pv_realloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = id;
}

static int select_cb(void *ctx, const struct doc_row *row)
{
	ids_add(ctx, row->id);
	return 0;
}

/* ---- paging ---- */

/* Walks every page forward, then backward from the end, with pages of
 * psize rows; compares both with store_select's order, checks more and
 * positions. */
static void walk(struct store *s, const char *filter, const char *sort, bool desc,
		 size_t psize)
{
	struct filter_sql sql, *where = NULL;
	struct ids want = { 0 }, fwd = { 0 }, back = { 0 };
	struct browse_page p;
	struct browse_key key = { .type = SQLITE_NULL };
	struct pv_err e;
	bool more_ok = true, first = true, pos_ok = true, rows_ok = true;
	size_t i, pages = 0;
	char name[160];

	snprintf(name, sizeof name, "[%s] by %s%s, pages of %zu", filter,
		 sort ? sort : "id", desc ? " desc" : "", psize);
	if (*filter) {
		if (compile(filter, &sql)) {
			ok(0, "%s: compiles", name);
			return;
		}
		where = &sql;
	}
	store_select(s, where, sort, desc, 0, select_cb, &want, &e);
	/* forward */
	for (;;) {
		if (browse_fetch(s, where, sort, desc, first ? BROWSE_FIRST : BROWSE_AFTER,
				 &key, psize, &p, &e)) {
			printf("# %s\n", e.msg);
			break;
		}
		pages++;
		for (i = 0; i < p.n; i++) {
			const struct browse_row *r = &p.rows[i];

			ids_add(&fwd, r->id);
			if (!r->ext_id || !r->origin || !r->head || r->len <= 0 ||
			    r->words <= 0 || r->nocc != 1 || r->head_len != (size_t)r->len ||
			    strncmp(r->head, "doc ", 4) != 0)
				rows_ok = false;
		}
		/* more is true exactly when rows remain */
		if (p.more != (fwd.n < want.n))
			more_ok = false;
		if (p.n)
			pos_ok = pos_ok && fwd.n - p.n < want.n;
		if (p.n && fwd.n <= want.n) {
			int64_t pos = -1;
			const struct browse_row *r = &p.rows[p.n - 1];

			if (browse_position(s, where, sort, desc, &r->key, &pos, &e) ||
			    pos != (int64_t)(fwd.n - 1))
				pos_ok = false;
		}
		if (p.n) {
			browse_key_done(&key);
			browse_key_copy(&key, &p.rows[p.n - 1].key);
		}
		first = false;
		if (!p.more || p.n == 0) {
			browse_page_done(&p);
			break;
		}
		browse_page_done(&p);
		if (pages > want.n + 2)
			break;
	}
	ok(fwd.n == want.n && (want.n == 0 ||
	   memcmp(fwd.v, want.v, want.n * sizeof *want.v) == 0),
	   "%s: forward gives store_select's %zu rows", name, want.n);
	ok(more_ok, "%s: more is set on every page but the last", name);
	ok(pos_ok, "%s: browse_position of each page's last row", name);
	ok(rows_ok, "%s: rows carry their fields and head", name);
	/* backward */
	first = true;
	more_ok = true;
	for (;;) {
		size_t before = back.n;

		if (browse_fetch(s, where, sort, desc, first ? BROWSE_LAST : BROWSE_BEFORE,
				 &key, psize, &p, &e)) {
			printf("# %s\n", e.msg);
			break;
		}
		/* prepend in display order: collect reversed, fix at the end */
		for (i = p.n; i > 0; i--)
			ids_add(&back, p.rows[i - 1].id);
		if (p.more != (back.n < want.n))
			more_ok = false;
		if (p.n) {
			browse_key_done(&key);
			browse_key_copy(&key, &p.rows[0].key);
		}
		first = false;
		browse_page_done(&p);
		if (back.n == before || back.n > want.n + psize)
			break;
	}
	for (i = 0; i < back.n / 2; i++) {
		int64_t t = back.v[i];
		back.v[i] = back.v[back.n - 1 - i];
		back.v[back.n - 1 - i] = t;
	}
	ok(back.n == want.n && (want.n == 0 ||
	   memcmp(back.v, want.v, want.n * sizeof *want.v) == 0),
	   "%s: backward gives the same %zu rows", name, want.n);
	ok(more_ok, "%s: more is set on every page but the first (backward)", name);
	browse_key_done(&key);
	free(want.v);
	free(fwd.v);
	free(back.v);
	if (where)
		filter_sql_done(where);
}

static void test_paging(void)
{
	struct store *s = make_store(path("page.pvx"), 400);
	static const char *const sorts[] = { NULL, "len", "source", "generator",
					     "origin", "words", "ratio", "ext" };
	static const char *const filters[] = { "", "source:src-1,src-2", "-source:*",
					       "origin:real len:>40", "nosuchword" };
	struct browse_page p;
	struct browse_key key = { .type = SQLITE_NULL };
	struct pv_err e;
	size_t i, j;

	ok(s != NULL, "store with 400 documents");
	if (!s)
		return;
	for (i = 0; i < PV_ARRAY_LEN(sorts); i++) {
		walk(s, "", sorts[i], false, 7);
		walk(s, "", sorts[i], true, 7);
	}
	for (j = 1; j < PV_ARRAY_LEN(filters); j++) {
		walk(s, filters[j], "source", false, 5);
		walk(s, filters[j], "source", true, 5);
		walk(s, filters[j], "len", true, 3);
	}
	walk(s, "", "len", false, 1);
	walk(s, "", "source", true, 400);
	walk(s, "", "generator", false, 1000);

	/* the page fields and the key */
	ok(browse_fetch(s, NULL, "source", false, BROWSE_FIRST, NULL, 3, &p, &e) == 0,
	   "first page by source");
	ok(p.n == 3 && p.more && p.rows[0].source == NULL &&
	   p.rows[0].key.type == SQLITE_NULL && p.rows[0].id == 3,
	   "NULL sources come first ascending, by id");
	browse_page_done(&p);
	ok(browse_fetch(s, NULL, "source", true, BROWSE_FIRST, NULL, 1, &p, &e) == 0 &&
	   p.n == 1 && p.rows[0].key.type == SQLITE_TEXT &&
	   strcmp(p.rows[0].key.s, "src-6") == 0 && strcmp(p.rows[0].source, "src-6") == 0,
	   "descending starts at the greatest source");
	browse_page_done(&p);
	ok(browse_fetch(s, NULL, "len", false, BROWSE_LAST, NULL, 2, &p, &e) == 0 &&
	   p.n == 2 && p.rows[0].key.type == SQLITE_INTEGER &&
	   p.rows[0].key.i <= p.rows[1].key.i && p.rows[1].key.i == p.rows[1].len,
	   "the last page is in display order");
	browse_page_done(&p);
	ok(browse_fetch(s, NULL, "nosuch", false, BROWSE_FIRST, NULL, 2, &p, &e) == PV_EUSAGE &&
	   p.n == 0 && strstr(e.msg, "nosuch"), "an unknown sort field: %s", e.msg);
	browse_page_done(&p);
	ok(browse_fetch(s, NULL, NULL, false, BROWSE_AFTER, NULL, 2, &p, &e) == PV_EUSAGE,
	   "AFTER without a key is refused");
	browse_page_done(&p);
	key.id = 400;
	key.type = SQLITE_INTEGER;
	key.i = 400;
	ok(browse_fetch(s, NULL, NULL, false, BROWSE_AFTER, &key, 5, &p, &e) == 0 &&
	   p.n == 0 && !p.more, "nothing after the last id");
	browse_page_done(&p);
	ok(browse_fetch(s, NULL, NULL, false, BROWSE_BEFORE, &key, 2, &p, &e) == 0 &&
	   p.n == 2 && p.rows[0].id == 398 && p.rows[1].id == 399 && p.more,
	   "two before id 400: 398, 399");
	browse_page_done(&p);
	ok(browse_fetch(s, NULL, NULL, false, BROWSE_FIRST, NULL, 0, &p, &e) == 0 &&
	   p.n == 0 && p.more, "a page of 0 rows says whether there are rows");
	browse_page_done(&p);
	store_close(s);
}

/* ---- the cost of a deep page ---- */

/* The fastest of a few fetches, in ms. */
static double time_fetch(struct store *s, const struct filter_sql *where,
			 const char *sort, bool desc, enum browse_dir bd,
			 const struct browse_key *key, size_t *n)
{
	double best = 1e9;
	int k;

	for (k = 0; k < 5; k++) {
		struct browse_page p;
		struct pv_err e;
		double t0 = now_ms(), t;

		if (browse_fetch(s, where, sort, desc, bd, key, 50, &p, &e))
			printf("# %s\n", e.msg);
		t = now_ms() - t0;
		*n = p.n;
		browse_page_done(&p);
		if (t < best)
			best = t;
	}
	return best;
}

static void test_deep(struct store *s)
{
	static const struct { const char *sort, *filter; bool desc; } cases[] = {
		{ NULL, "", false }, { NULL, "", true }, { "len", "", false },
		{ "len", "", true }, { "generator", "", false },
		{ "generator", "", true }, { "ext", "", false },
		{ NULL, "source:src-1", false }, { "generator", "origin:real", false },
	};
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(cases); i++) {
		struct filter_sql sql, *where = NULL;
		struct browse_page last;
		struct browse_key key;
		struct pv_err e;
		double first, deep, back;
		size_t n1 = 0, n2 = 0, n3 = 0;

		if (*cases[i].filter && compile(cases[i].filter, &sql) == 0)
			where = &sql;
		/* a key near the far end: the first row of the last page */
		if (browse_fetch(s, where, cases[i].sort, cases[i].desc, BROWSE_LAST,
				 NULL, 120, &last, &e) || last.n == 0) {
			ok(0, "last page");
			continue;
		}
		browse_key_copy(&key, &last.rows[0].key);
		browse_page_done(&last);
		first = time_fetch(s, where, cases[i].sort, cases[i].desc,
				   BROWSE_FIRST, NULL, &n1);
		deep = time_fetch(s, where, cases[i].sort, cases[i].desc,
				  BROWSE_AFTER, &key, &n2);
		back = time_fetch(s, where, cases[i].sort, cases[i].desc,
				  BROWSE_BEFORE, &key, &n3);
		printf("# by %s%s [%s]: first page %.2f ms, deep page %.2f ms, "
		       "page before it %.2f ms\n", cases[i].sort ? cases[i].sort : "id",
		       cases[i].desc ? " desc" : "", cases[i].filter, first, deep, back);
		ok(n1 == 50 && n2 == 50 && n3 == 50, "by %s%s [%s]: full pages",
		   cases[i].sort ? cases[i].sort : "id", cases[i].desc ? " desc" : "",
		   cases[i].filter);
		if (valgrind) {
			tap_skip("timings under valgrind");
		} else {
			ok(deep < 20 * first + 5 && back < 20 * first + 5,
			   "by %s%s [%s]: a deep page costs about what the first does",
			   cases[i].sort ? cases[i].sort : "id",
			   cases[i].desc ? " desc" : "", cases[i].filter);
		}
		browse_key_done(&key);
		if (where)
			filter_sql_done(where);
	}
}

/* ---- counter ---- */

/* Waits (poll on counter_fd) for a result, up to ms; false on timeout. */
static bool wait_result(struct counter *c, uint64_t *gen, int64_t *n, int ms)
{
	double end = now_ms() + ms;

	for (;;) {
		struct pollfd pfd = { counter_fd(c), POLLIN, 0 };
		double left = end - now_ms();

		if (counter_result(c, gen, n))
			return true;
		if (left <= 0)
			return false;
		poll(&pfd, 1, (int)left + 1);
	}
}

static void test_counter(struct store *s, const char *file, int64_t total)
{
	struct counter *c = NULL;
	struct filter_sql sql;
	struct browse_page p;
	struct pv_err e;
	uint64_t gen = 0;
	int64_t n = 0, want = 0;
	bool stale = false, all = true;
	int i, fd;

	ok(counter_new(file, &c, &e) == 0, "counter started");
	if (!c)
		return;
	ok(!counter_result(c, &gen, &n), "no result before a request");
	counter_request(c, 1, "", NULL, false, NULL);
	ok(wait_result(c, &gen, &n, 60000) && gen == 1 && n == total,
	   "count of everything: %lld", (long long)n);
	ok(!counter_result(c, &gen, &n), "a result is reported once");
	compile("source:src-2 len:>40", &sql);
	store_count(s, &sql, &want, &e);
	filter_sql_done(&sql);
	counter_request(c, 2, "source:src-2 len:>40", NULL, false, NULL);
	ok(wait_result(c, &gen, &n, 60000) && gen == 2 && n == want,
	   "count of a filter: %lld (want %lld)", (long long)n, (long long)want);
	counter_request(c, 3, "source:(", NULL, false, NULL);
	ok(wait_result(c, &gen, &n, 60000) && gen == 3 && n == PV_EPARSE,
	   "a filter that does not parse gives a negative n");
	counter_request(c, 4, "", "nosuch", false, &(struct browse_key){ 5, SQLITE_INTEGER, 5, 0, NULL });
	ok(wait_result(c, &gen, &n, 60000) && gen == 4 && n == PV_EUSAGE,
	   "an unknown sort field gives a negative n");

	/* requests superseded at once: only the newest is reported */
	compile("origin:synthetic", &sql);
	store_count(s, &sql, &want, &e);
	filter_sql_done(&sql);
	for (i = 0; i < 40; i++) {
		uint64_t g = 100 + 2 * (uint64_t)i;

		counter_request(c, g, i % 2 ? "words:>3" : "dolor", "len", false, NULL);
		if (i % 3 == 0)
			usleep(200u * (unsigned)i);
		counter_request(c, g + 1, "origin:synthetic", NULL, false, NULL);
		if (!wait_result(c, &gen, &n, 60000)) {
			all = false;
			break;
		}
		if (gen != g + 1)
			stale = true;
		if (n != want)
			all = false;
	}
	ok(!stale, "an older count is never reported after a newer request");
	ok(all, "every newest request is answered (%lld)", (long long)n);

	/* a long count interrupted by a short one */
	counter_request(c, 500, "words:>1", "words", true, NULL);
	usleep(2000);
	counter_request(c, 501, "id:..10", NULL, false, NULL);
	ok(wait_result(c, &gen, &n, 60000) && gen == 501 && n == 10,
	   "a running count is replaced by the next request");

	/* positions */
	compile("generator:gen-1", &sql);
	if (browse_fetch(s, &sql, "len", true, BROWSE_FIRST, NULL, 500, &p, &e) == 0 &&
	    p.n == 500) {
		int64_t pos = -1;

		counter_request(c, 600, "generator:gen-1", "len", true, &p.rows[321].key);
		ok(wait_result(c, &gen, &n, 60000) && gen == 600 && n == 321,
		   "position of the 322nd row by len desc: %lld", (long long)n);
		ok(browse_position(s, &sql, "len", true, &p.rows[321].key, &pos, &e) == 0 &&
		   pos == 321, "browse_position agrees");
	} else {
		ok(0, "page for positions");
		ok(0, "page for positions");
	}
	browse_page_done(&p);
	filter_sql_done(&sql);

	/* freeing while a count runs */
	counter_request(c, 700, "words:>1", "words", false, NULL);
	usleep(1000);
	fd = counter_fd(c);
	counter_free(c);
	ok(fcntl(fd, F_GETFD) == -1 && errno == EBADF,
	   "counter freed while counting: its thread joined and its pipe closed");
	counter_free(NULL);
	ok(counter_new(path("nosuch.pvx"), &c, &e) == PV_ENOTFOUND && c == NULL,
	   "no counter for a missing store");
}

/* ---- history, saved filters ---- */

static void test_history(void)
{
	const char *file = path("hist.pvx");
	struct store *s = make_store(file, 3);
	struct browse_saved *sv = NULL;
	struct pv_err e;
	char **f = NULL, name[80];
	size_t n = 0, i;
	int k;

	if (!s)
		return;
	ok(browse_history(s, 10, &f, &n, &e) == 0 && n == 0, "no history yet");
	free(f);
	ok(browse_history_add(s, "source:a", &e) == 0 &&
	   browse_history_add(s, "source:a", &e) == 0 &&
	   browse_history_add(s, "source:b", &e) == 0 &&
	   browse_history_add(s, "source:a", &e) == 0 &&
	   browse_history_add(s, "", &e) == 0, "history added");
	ok(browse_history(s, 10, &f, &n, &e) == 0 && n == 3 &&
	   strcmp(f[0], "source:a") == 0 && strcmp(f[1], "source:b") == 0 &&
	   strcmp(f[2], "source:a") == 0,
	   "newest first; a repeat of the newest is skipped, the empty filter too");
	for (i = 0; i < n; i++)
		free(f[i]);
	free(f);
	for (k = 0; k < 1005; k++) {
		char t[32];

		snprintf(t, sizeof t, "id:%d", k);
		if (browse_history_add(s, t, &e)) {
			printf("# %s\n", e.msg);
			break;
		}
	}
	is_q(file, "SELECT count(*) FROM filter_history", "1000", "1000 entries kept");
	ok(browse_history(s, 2, &f, &n, &e) == 0 && n == 2 &&
	   strcmp(f[0], "id:1004") == 0 && strcmp(f[1], "id:1003") == 0,
	   "the last 2");
	for (i = 0; i < n; i++)
		free(f[i]);
	free(f);
	is_q(file, "SELECT min(filter) FROM filter_history WHERE filter LIKE 'source:%'",
	     "(null)", "the oldest dropped");

	ok(browse_save_filter(s, "web-only", "source:web", &e) == 0 &&
	   browse_save_filter(s, "A_1.x", "len:>1k", &e) == 0 &&
	   browse_save_filter(s, "web-only", "source:web*", &e) == 0, "filters saved");
	ok(browse_saved(s, &sv, &n, &e) == 0 && n == 2 &&
	   strcmp(sv[0].name, "A_1.x") == 0 && strcmp(sv[1].name, "web-only") == 0 &&
	   strcmp(sv[1].filter, "source:web*") == 0, "by name; saving again replaces");
	browse_saved_free(sv, n);
	ok(browse_save_filter(s, "", "x", &e) == PV_EINVAL, "empty name: %s", e.msg);
	memset(name, 'a', 65);
	name[65] = '\0';
	ok(browse_save_filter(s, name, "x", &e) == PV_EINVAL && strstr(e.msg, "65"),
	   "65-byte name: %s", e.msg);
	name[64] = '\0';
	ok(browse_save_filter(s, name, "x", &e) == 0, "64-byte name saved");
	ok(browse_save_filter(s, "my filter", "x", &e) == PV_EINVAL &&
	   strstr(e.msg, "position 3"), "a space: %s", e.msg);
	ok(browse_save_filter(s, "caf\xc3\xa9", "x", &e) == PV_EINVAL,
	   "a non-ASCII name: %s", e.msg);
	ok(browse_save_filter(s, "bad", "source:(", &e) == PV_EPARSE && e.column > 0,
	   "a filter that does not parse is not saved: %s", e.msg);
	ok(browse_delete_filter(s, name, &e) == 0, "deleted");
	ok(browse_delete_filter(s, name, &e) == PV_ENOTFOUND, "deleted twice: %s", e.msg);
	ok(browse_saved(s, &sv, &n, &e) == 0 && n == 2, "two left");
	browse_saved_free(sv, n);
	store_close(s);
	/* kept in the store */
	ok(store_open(&s, file, STORE_READ, &e) == 0 &&
	   browse_history(s, 5000, &f, &n, &e) == 0 && n == 1000,
	   "history read back after reopening (read-only)");
	for (i = 0; i < n; i++)
		free(f[i]);
	free(f);
	ok(browse_history_add(s, "x", &e) != 0, "a read-only store refuses to add: %s",
	   e.msg);
	store_close(s);
}

/* ---- completion ---- */

static bool values_are(struct store *s, const char *field, const char *prefix,
		       size_t max, const char *want)
{
	struct buf got = BUF_INIT;
	struct pv_err e;
	char **v = NULL;
	size_t n = 0, i;
	bool same;

	if (browse_values(s, field, prefix, max, &v, &n, &e)) {
		printf("# %s\n", e.msg);
		return false;
	}
	for (i = 0; i < n; i++) {
		buf_printf(&got, "%s%s", i ? " " : "", v[i]);
		free(v[i]);
	}
	free(v);
	same = strcmp(buf_str(&got), want) == 0;
	if (!same)
		printf("#   got \"%s\", want \"%s\"\n", buf_str(&got), want);
	buf_done(&got);
	return same;
}

static void test_values(struct store *s)
{
	struct pv_err e;
	char **v = NULL;
	size_t n = 0;
	double t0, t;
	int k;

	ok(values_are(s, "source", "", 100,
		      "src-0 src-1 src-2 src-3 src-4 src-5 src-6"), "every source");
	ok(values_are(s, "source", "src-", 3, "src-0 src-1 src-2"), "at most max");
	ok(values_are(s, "source", "src-5", 10, "src-5"), "one value");
	ok(values_are(s, "source", "src-55", 10, ""), "none");
	ok(values_are(s, "source", "s\xff", 10, ""), "a prefix ending in 0xff");
	ok(values_are(s, "generator", "g", 10, "gen-0 gen-1 gen-2"), "generators");
	ok(values_are(s, "purpose", "", 10, ""), "no purposes");
	ok(values_are(s, "origin", "", 10, "real synthetic unknown"), "origins");
	ok(values_are(s, "origin", "s", 10, "synthetic"), "origin s");
	ok(values_are(s, "reviewer", "", 10, ""), "no reviewers yet");
	ok(values_are(s, "source", "", 0, ""), "max 0");
	ok(browse_values(s, "ext", "", 10, &v, &n, &e) == PV_EUSAGE, "ext: %s", e.msg);
	t0 = now_ms();
	for (k = 0; k < 20; k++)
		values_are(s, "source", "src-", 100, "src-0 src-1 src-2 src-3 src-4 src-5 src-6");
	t = (now_ms() - t0) / 20;
	printf("# values of source (one per index lookup): %.3f ms\n", t);
	if (valgrind)
		tap_skip("timings under valgrind");
	else
		ok(t < 20, "completion is an index walk (%.3f ms)", t);
}

/* ---- sets of ids ---- */

static void test_label_ids(struct store *s)
{
	struct label_change ch[1] = { { LF_LABEL, "drop" } };
	struct label_result r;
	struct filter_sql sql;
	struct pv_err e;
	int64_t *ids = NULL, n = 0, cnt = 0;
	size_t nids = 0, i;
	bool sorted = true;

	compile("source:src-3 origin:synthetic", &sql);
	ok(browse_ids(s, &sql, &ids, &nids, &e) == 0, "browse_ids");
	store_count(s, &sql, &n, &e);
	for (i = 1; i < nids; i++)
		if (ids[i] <= ids[i - 1])
			sorted = false;
	ok((int64_t)nids == n && sorted, "every match, in id order (%zu)", nids);
	free(ids);
	filter_sql_done(&sql);

	/* 5000 ids, every other one, given backwards, with repeats and an id
	 * of no document */
	ids = pv_malloc(5002 * sizeof *ids);
	for (i = 0; i < 5000; i++)
		ids[i] = (int64_t)(10000 - 2 * i);
	ids[5000] = 10000;
	ids[5001] = 999999999;
	ok(browse_label_ids(s, ids, 5002, ch, 1, "ann", "spam", "test", &r, &e) == 0,
	   "5000 documents relabelled");
	ok(r.matched == 5000 && r.changed == 5000 && r.by_field[LF_LABEL] == 5000 &&
	   r.batch_id > 0, "matched %lld, changed %lld", (long long)r.matched,
	   (long long)r.changed);
	label_result_done(&r);
	compile("label:drop", &sql);
	store_count(s, &sql, &cnt, &e);
	filter_sql_done(&sql);
	is_int(cnt, 5000, "label:drop counts 5000");
	ok(browse_history_count(s, 10000, &n, &e) == 0 && n == 1, "one history row");
	ok(browse_history_count(s, 9999, &n, &e) == 0 && n == 0, "none for another");
	ok(values_are(s, "reviewer", "", 10, "ann") && values_are(s, "label", "d", 10, "drop"),
	   "reviewer and label values");
	ok(browse_label_ids(s, ids, 5002, ch, 1, "ann", NULL, "test", &r, &e) == 0 &&
	   r.changed == 0 && r.batch_id == 0, "again: nothing changes");
	label_result_done(&r);
	ok(label_undo(s, 0, false, "ann", "undo", &r, &e) == 0 && r.changes == 5000,
	   "undone");
	label_result_done(&r);
	compile("label:drop", &sql);
	store_count(s, &sql, &cnt, &e);
	filter_sql_done(&sql);
	is_int(cnt, 0, "no label left");
	ok(browse_history_count(s, 10000, &n, &e) == 0 && n == 2, "two history rows");
	ok(browse_label_ids(s, ids, 0, ch, 1, "ann", NULL, "test", &r, &e) == 0 &&
	   r.matched == 0 && r.batch_id == 0, "no ids: nothing");
	label_result_done(&r);
	ok(browse_label_ids(s, ids, 3, ch, 0, "ann", NULL, "test", &r, &e) == PV_EINVAL,
	   "no change: %s", e.msg);
	label_result_done(&r);
	free(ids);
}

/* ---- schema 3 ---- */

static void test_schema(void)
{
	const char *file = path("v1.pvx");
	struct store *s = NULL;
	struct pv_err e;
	sqlite3 *db;
	char app[64];

	s = make_store(path("new.pvx"), 1);
	store_close(s);
	is_q(path("new.pvx"), "PRAGMA user_version", "6", "a new store has version 6");
	is_q(path("new.pvx"), "SELECT group_concat(name, ' ') FROM (SELECT name FROM "
	     "sqlite_master WHERE name IN ('filter_history','saved_filters') ORDER BY 1)",
	     "filter_history saved_filters", "with the interface's tables");

	sqlite3_open(file, &db);
	snprintf(app, sizeof app, "PRAGMA application_id=%d", STORE_APP_ID);
	sqlite3_exec(db, app, NULL, NULL, NULL);
	ok(sqlite3_exec(db,
		"PRAGMA user_version=1;"
		"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
		"CREATE TABLE dicts(id INTEGER PRIMARY KEY, created TEXT NOT NULL,"
		" nsamples INTEGER NOT NULL, sample_bytes INTEGER NOT NULL, data BLOB NOT NULL);"
		"CREATE TABLE runs(id INTEGER PRIMARY KEY, started TEXT NOT NULL,"
		" finished TEXT, command TEXT NOT NULL, summary TEXT);"
		"CREATE TABLE inputs(id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
		" options TEXT NOT NULL, name TEXT NOT NULL, size INTEGER, mtime INTEGER,"
		" done INTEGER NOT NULL DEFAULT 0, records INTEGER, UNIQUE(path, options));"
		"CREATE TABLE texts(id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
		" len INTEGER NOT NULL, words INTEGER NOT NULL, nocc INTEGER NOT NULL DEFAULT 1,"
		" dict_id INTEGER REFERENCES dicts(id), body BLOB NOT NULL);"
		"CREATE TABLE docs(id INTEGER PRIMARY KEY, text_id INTEGER NOT NULL,"
		" input_id INTEGER NOT NULL, rec INTEGER NOT NULL, run_id INTEGER,"
		" ext_id TEXT NOT NULL, origin TEXT NOT NULL, source TEXT, generator TEXT,"
		" purpose TEXT, meta TEXT);"
		"CREATE VIRTUAL TABLE fts USING fts5(text, content='', detail=none,"
		" columnsize=0);"
		"INSERT INTO runs VALUES(1,'2024-01-01T00:00:00Z',NULL,'provex index',NULL);"
		"INSERT INTO inputs VALUES(1,'/x','{}','x',1,1,1,1);"
		"INSERT INTO texts VALUES(1,x'00',3,1,1,NULL,x'00');"
		"INSERT INTO docs VALUES(1,1,1,0,1,'k1','real','web','gpt',NULL,'{}');",
		NULL, NULL, NULL) == SQLITE_OK, "a version-1 store made by hand");
	sqlite3_close(db);
	ok(store_open(&s, file, STORE_WRITE, &e) == 0, "version 1 opened for writing");
	if (s)
		ok(browse_history_add(s, "source:web", &e) == 0, "history in a migrated store");
	store_close(s);
	is_q(file, "PRAGMA user_version", "6", "1 -> 6");
	is_q(file, "SELECT count(*) FROM sqlite_master WHERE name IN ('batches','history',"
	     "'docs_label','docs_source_len','filter_history','saved_filters','docs_len')", "7",
	     "both steps' tables");
	is_q(file, "SELECT len||' '||source FROM docs", "3 web", "data kept");
	is_q(file, "SELECT group_concat(name) FROM pragma_table_info('inputs') "
	     "WHERE name IN ('hash','prov')", "hash,prov",
	     "inputs has the version-5 columns (content hash, provenance)");
	is_q(file, "SELECT coalesce(hash,'-')||coalesce(prov,'-') FROM inputs", "--",
	     "an input of an older store has neither (read again once)");

	/* version 2: a new store taken back to 2 */
	file = path("v2.pvx");
	s = make_store(file, 2);
	store_close(s);
	sqlite3_open(file, &db);
	ok(sqlite3_exec(db, "DROP TABLE filter_history; DROP TABLE saved_filters; "
			"DROP INDEX docs_len; ALTER TABLE inputs DROP COLUMN hash; "
			"ALTER TABLE inputs DROP COLUMN prov; PRAGMA user_version=2;",
			NULL, NULL, NULL) == SQLITE_OK,
	   "a version-2 store");
	sqlite3_close(db);
	/* a reading command's open upgrades an older store it may write,
	 * through a connection of its own (readonly.sh: not where it cannot) */
	if (!ok(store_open(&s, file, STORE_READ, &e) == 0,
		"a reading open of an older store it may write upgrades it"))
		printf("# %s\n", e.msg);
	store_close(s);
	is_q(file, "PRAGMA user_version", "6", "to the current version");
	ok(store_open(&s, file, STORE_WRITE, &e) == 0 &&
	   browse_save_filter(s, "x", "len:>1", &e) == 0, "2 -> 3; a filter saved");
	store_close(s);
	is_q(file, "PRAGMA user_version", "6", "version 6");
	is_q(file, "SELECT name||'='||filter FROM saved_filters", "x=len:>1", "saved");
	is_q(file, "SELECT count(*) FROM sqlite_master WHERE name='docs_len'", "1",
	     "docs_len created");
}

int main(void)
{
	const char *big;
	struct store *s;
	double t0;
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	valgrind = getenv("PROVEX_VALGRIND") && *getenv("PROVEX_VALGRIND");
	test_schema();
	test_history();
	test_paging();

	big = path("big.pvx");
	t0 = now_ms();
	s = make_store(big, valgrind ? 20000 : 200000);
	printf("# %d documents stored in %.0f ms\n", valgrind ? 20000 : 200000,
	       now_ms() - t0);
	if (ok(s != NULL, "large store")) {
		test_deep(s);
		test_values(s);
		test_counter(s, big, valgrind ? 20000 : 200000);
		test_label_ids(s);
		store_close(s);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
