/*
 * test_set.c - the order a set's merge of its shards' selections relies on
 * (store_key_cmp, query.c): values of every storage class, integers and
 * reals side by side where a double cannot hold the integer, text and
 * blobs with bytes above 0x7f and common prefixes, sorted by
 * store_key_cmp and by SQLite's own ORDER BY, which must agree (ties, as
 * 3 and 3.0, broken by position in both).
 */
#include "config.h"
#include "../tap.h"
#include "../../store/store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

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
static const char *const values[] = {
	"NULL", "0", "-0.0", "1", "1.0", "0.5", "-1", "-1.5", "3", "3.0", "2.9999999",
	"9007199254740992", "9007199254740993", "9007199254740992.0",
	"9007199254740994.0", "9223372036854775807", "-9223372036854775808",
	"9.3e18", "-9.3e18", "1e300", "-1e300", "'a'", "'b'", "'ab'", "''",
	"'A'", "CAST(X'c3a9' AS TEXT)", "CAST(X'7a' AS TEXT)", "'10'", "'9'",
	"X''", "X'00'", "X'ff'", "X'0001'", "NULL", "'zz'", "-0.5", "2", "2.0",
};

int main(void)
{
	size_t n = PV_ARRAY_LEN(values), i;
	struct item *items = calloc(n, sizeof *items);
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[256];
	int bad = 0, rc;

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
	return tap_done();
}
