/*
 * browse.c - the store functions the interface uses (see browse.h): pages
 * of documents by keyset, a document's row by id, and relabelling a set of
 * documents given by id.  Counts on a thread of their own are in
 * browse_count.c; the filter history, saved filters and values for
 * completion in browse_saved.c.
 *
 * Keyset paging.  The display order is (sort value, id), both ascending or
 * both descending; SQLite puts NULL before every value in ascending order.
 * The rows "after" a key K = (v, id) in an order are therefore, ascending:
 *
 *     v NULL:      sort IS NULL AND id > K.id        (by id)
 *                  then sort IS NOT NULL             (by sort, id)
 *     v not NULL:  sort = v AND id > K.id            (by id)
 *                  then sort > v                     (by sort, id)
 *
 * and descending the mirror image (sort = v AND id < K.id, then sort < v,
 * then sort IS NULL).  Each piece is a segment queried on its own, in
 * turn, until the page is full.  This is the row-value condition
 * (sort, id) > (v, K.id) spelled so that an index on the sort column is
 * walked from the key: SQLite uses only "sort >= v" of a row value, which
 * would step over every earlier row sharing the value v (thousands of
 * documents of one length, one source), and a row value with a NULL is
 * NULL.  The segments that hold NULLs are skipped for columns that cannot
 * be NULL (below), where they would cost a scan to find nothing.
 *
 * A page before a key, and the last page, are the rows after the key (or
 * from the end) in the reverse order, reversed.
 */
#include "store_int.h"
#include "browse.h"
#include "fields.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* False for sort fields whose expression is never NULL (NOT NULL
 * columns, or an expression of them: FIELD_NOTNULL in the field table);
 * any other field is taken to hold NULLs. */
static bool nullable(const char *field)
{
	const struct field_def *f = field_sort_find(field);

	return !f || !(f->flags & FIELD_NOTNULL);
}

/* ---- keys ---- */

void browse_key_copy(struct browse_key *dst, const struct browse_key *src)
{
	*dst = *src;
	dst->s = src->type == BROWSE_KEY_TEXT && src->s ? pv_strdup(src->s) : NULL;
}

void browse_key_done(struct browse_key *k)
{
	if (!k)
		return;
	free(k->s);
	memset(k, 0, sizeof *k);
	k->type = BROWSE_KEY_NULL;
}

_Static_assert(BROWSE_KEY_INTEGER == SQLITE_INTEGER && BROWSE_KEY_FLOAT == SQLITE_FLOAT &&
	       BROWSE_KEY_TEXT == SQLITE_TEXT && BROWSE_KEY_NULL == SQLITE_NULL,
	       "browse_key_type holds SQLite's type codes");

/* ---- rows ---- */

struct browse_row *browse_row_copy(const struct browse_row *r)
{
	const char *const *src[] = { &r->ext_id, &r->origin, &r->source, &r->generator,
				     &r->purpose, &r->label, &r->note, &r->reviewer };
	size_t need = sizeof *r + r->head_len + 1, i;
	struct browse_row *c;
	char *p;

	for (i = 0; i < PV_ARRAY_LEN(src); i++)
		if (*src[i])
			need += strlen(*src[i]) + 1;
	c = pv_malloc(need);
	*c = *r;
	memset(&c->key, 0, sizeof c->key);
	c->key.type = BROWSE_KEY_NULL;
	p = (char *)(c + 1);
	{
		const char **dst[] = { &c->ext_id, &c->origin, &c->source, &c->generator,
				       &c->purpose, &c->label, &c->note, &c->reviewer };
		for (i = 0; i < PV_ARRAY_LEN(src); i++) {
			size_t n;
			if (!*src[i]) {
				*dst[i] = NULL;
				continue;
			}
			n = strlen(*src[i]) + 1;
			memcpy(p, *src[i], n);
			*dst[i] = p;
			p += n;
		}
	}
	if (r->head_len)
		memcpy(p, r->head, r->head_len);
	p[r->head_len] = 0;
	c->head = p;
	return c;
}

void browse_row_free(struct browse_row *r)
{
	free(r);
}

int browse_row_get(struct store *s, int64_t id, struct browse_row **out,
		   struct pv_err *err)
{
	struct filter_ast *ast;
	struct filter_sql where;
	struct browse_page p;
	char f[64];
	int rc;

	*out = NULL;
	snprintf(f, sizeof f, "id:%lld", (long long)id);
	if ((rc = filter_parse(f, &ast, err)))
		return rc;
	rc = filter_compile(ast, &where);
	filter_free(ast);
	if (rc)
		return pv_errf(err, rc, "compiling %s", f);
	rc = browse_fetch(s, &where, NULL, false, BROWSE_FIRST, NULL, 1, &p, err);
	filter_sql_done(&where);
	if (rc)
		return rc;
	if (p.n)
		*out = browse_row_copy(&p.rows[0]);
	browse_page_done(&p);
	if (!*out)
		return pv_errf(err, PV_ENOTFOUND, "document %lld is gone", (long long)id);
	return 0;
}

/* ---- segments ---- */

/* One piece of the rows after a key (see the top of this file). */
struct seg {
	char cond[160];          /* condition on the sort key, "" for none */
	bool by_id;              /* ordered by id alone (the sort value is fixed) */
	bool bind_v, bind_id;    /* binds ?P (the value) and ?P+1 (the id) */
};

/* Fills segs with the pieces holding the rows strictly after key (NULL:
 * from the start) in order (expr, id), descending when desc; p is the
 * number of the first parameter free after the filter's.  Returns how many
 * (at most 3). */
static int segments(const char *field, const char *expr, bool desc,
		    const struct browse_key *key, int p, struct seg segs[3])
{
	const char *cmp = desc ? "<" : ">";
	bool null_ok = nullable(field);
	int n = 0;

	memset(segs, 0, 3 * sizeof *segs);
	if (!key)
		return 1;
	if (strcmp(field, "id") == 0) {
		snprintf(segs[0].cond, sizeof segs[0].cond, "d.id %s ?%d", cmp, p + 1);
		segs[0].bind_id = true;
		return 1;
	}
	if (key->type == SQLITE_NULL) {
		snprintf(segs[n].cond, sizeof segs[n].cond,
			 "%s IS NULL AND d.id %s ?%d", expr, cmp, p + 1);
		segs[n].by_id = segs[n].bind_id = true;
		n++;
		if (!desc) {
			snprintf(segs[n].cond, sizeof segs[n].cond,
				 "%s IS NOT NULL", expr);
			n++;
		}
		return n;
	}
	snprintf(segs[n].cond, sizeof segs[n].cond, "%s = ?%d AND d.id %s ?%d",
		 expr, p, cmp, p + 1);
	segs[n].by_id = segs[n].bind_v = segs[n].bind_id = true;
	n++;
	snprintf(segs[n].cond, sizeof segs[n].cond, "%s %s ?%d", expr, cmp, p);
	segs[n].bind_v = true;
	n++;
	if (desc && null_ok) {
		snprintf(segs[n].cond, sizeof segs[n].cond, "%s IS NULL", expr);
		segs[n].by_id = true;
		n++;
	}
	return n;
}

/* Binds a segment's key parameters. */
static int bind_key(sqlite3_stmt *st, const struct seg *g,
		    const struct browse_key *key, int p)
{
	int rc = SQLITE_OK;

	if (g->bind_v) {
		switch (key->type) {
		case SQLITE_INTEGER:
			rc = sqlite3_bind_int64(st, p, key->i);
			break;
		case SQLITE_FLOAT:
			rc = sqlite3_bind_double(st, p, key->d);
			break;
		default:
			rc = sqlite3_bind_text(st, p, key->s ? key->s : "", -1,
					       SQLITE_STATIC);
			break;
		}
	}
	if (rc == SQLITE_OK && g->bind_id)
		rc = sqlite3_bind_int64(st, p + 1, key->id);
	return rc;
}

/* The number of the first parameter after the filter's. */
static int first_free(const struct filter_sql *where)
{
	return where ? where->first + (int)where->nparams : 1;
}

/* Looks up the sort expression; PV_EUSAGE for an unknown field. */
static int sort_expr(const char **field, const char **expr, struct pv_err *err)
{
	if (!*field)
		*field = "id";
	*expr = store_sort_expr(*field);
	if (!*expr)
		return pv_errf(err, PV_EUSAGE, "cannot sort on '%s' (sort fields: %s)",
			       *field, store_sort_fields());
	return 0;
}

/* ---- pages ---- */

/* Strings of a row while the page is built: offsets into the arena
 * (the arena moves as it grows), NO_STR for NULL. */
#define NO_STR ((size_t)-1)
enum { S_EXT, S_ORIGIN, S_SOURCE, S_GENERATOR, S_PURPOSE, S_LABEL, S_NOTE,
       S_REVIEWER, S_HEAD, S_KEY, S_N };

struct pending {
	size_t off[S_N];
};

/* Copies column i (text or NULL) into the arena; its offset or NO_STR. */
static size_t arena_col(struct buf *arena, sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	size_t off = arena->len;

	if (!v)
		return NO_STR;
	buf_append(arena, v, (size_t)sqlite3_column_bytes(st, i));
	buf_putc(arena, '\0');
	return off;
}

static const char *const row_cols =
	"SELECT d.id,d.text_id,d.len,t.words,t.nocc,d.ext_id,d.origin,d.source,"
	"d.generator,d.purpose,d.label,d.note,d.reviewer,";

/* Appends to p (and pend) the rows of one segment, at most limit; the
 * count added in *got. */
/*
 * Appends the filter's condition for a page walk.  A full-text term
 * compiles to "d.text_id IN (SELECT rowid FROM fts ...)", which SQLite
 * answers by looking up every matching text's documents and sorting them
 * all; for a page, walking the sort order and testing each row against the
 * (materialized, indexed) match list is far cheaper: 20 ms instead of
 * 400 ms for a word in 12% of a million documents.  A unary + on the
 * column keeps SQLite from using the index for it, so it walks.  A word
 * that matches almost nothing costs a walk of the whole table (about
 * 200 ms per million documents) instead.
 */
static void put_walk_where(struct buf *sql, const char *w)
{
	static const char fts[] = "d.text_id IN (SELECT rowid FROM fts";
	const char *p;

	while ((p = strstr(w, fts))) {
		buf_append(sql, w, (size_t)(p - w));
		buf_putc(sql, '+');
		buf_append(sql, p, sizeof fts - 1);
		w = p + sizeof fts - 1;
	}
	buf_puts(sql, w);
}

static int fetch_seg(struct store *s, const struct filter_sql *where,
		     const char *expr, unsigned joins, bool desc, const struct seg *g,
		     const struct browse_key *key, size_t limit,
		     struct browse_page *p, struct pending **pend, size_t *cap,
		     size_t *got, struct pv_err *err)
{
	const char *dir = desc ? "DESC" : "ASC";
	int fp = first_free(where), rc;
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;

	*got = 0;
	buf_puts(&sql, row_cols);
	buf_puts(&sql, expr);
	store_from_joins(where, joins | STORE_JOIN_TEXTS, &sql);
	buf_puts(&sql, " WHERE (");
	put_walk_where(&sql, where && where->where ? where->where : "1");
	buf_putc(&sql, ')');
	if (g->cond[0])
		buf_printf(&sql, " AND %s", g->cond);
	if (g->by_id)
		buf_printf(&sql, " ORDER BY d.id %s", dir);
	else
		buf_printf(&sql, " ORDER BY %s %s, d.id %s", expr, dir, dir);
	buf_printf(&sql, " LIMIT %zu", limit);
	rc = store_prep_where(s, &st, buf_str(&sql), where, "listing documents", err);
	buf_done(&sql);
	if (rc)
		return rc;
	if (key && bind_key(st, g, key, fp) != SQLITE_OK) {
		sqlite3_finalize(st);
		return store_sqlerr(s, err, "listing documents");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct browse_row *r;
		struct pending *q;
		int i;

		if (p->n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			p->rows = pv_realloc(p->rows, *cap * sizeof *p->rows);
			*pend = pv_realloc(*pend, *cap * sizeof **pend);
		}
		r = &p->rows[p->n];
		q = &(*pend)[p->n];
		memset(r, 0, sizeof *r);
		r->id = sqlite3_column_int64(st, 0);
		r->text_id = sqlite3_column_int64(st, 1);
		r->len = sqlite3_column_int64(st, 2);
		r->words = sqlite3_column_int64(st, 3);
		r->nocc = sqlite3_column_int64(st, 4);
		for (i = 0; i < 8; i++)
			q->off[S_EXT + i] = arena_col(&p->arena, st, 5 + i);
		q->off[S_HEAD] = NO_STR;
		q->off[S_KEY] = NO_STR;
		r->key.id = r->id;
		r->key.type = sqlite3_column_type(st, 13);
		switch (r->key.type) {
		case SQLITE_INTEGER:
			r->key.i = sqlite3_column_int64(st, 13);
			break;
		case SQLITE_FLOAT:
			r->key.d = sqlite3_column_double(st, 13);
			break;
		case SQLITE_NULL:
			break;
		default:        /* text (a blob is kept as text) */
			r->key.type = SQLITE_TEXT;
			q->off[S_KEY] = arena_col(&p->arena, st, 13);
			break;
		}
		p->n++;
		(*got)++;
	}
	assert(*got <= limit);              /* LIMIT limit */
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "listing documents");
	return 0;
}

/* Reads the heads of the texts and points the rows' strings into the
 * arena, which no longer moves. */
static int finish_rows(struct store *s, struct browse_page *p,
		       struct pending *pend, bool heads, struct pv_err *err)
{
	struct buf head = BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; heads && i < p->n; i++) {
		if ((rc = store_text_head(s, p->rows[i].text_id, BROWSE_HEAD,
					  &head, err))) {
			buf_done(&head);
			return rc;
		}
		pend[i].off[S_HEAD] = p->arena.len;
		p->rows[i].head_len = PV_MIN(head.len, (size_t)BROWSE_HEAD);
		buf_append(&p->arena, head.data ? head.data : "",
			   p->rows[i].head_len);
		buf_putc(&p->arena, '\0');
	}
	buf_done(&head);
	for (i = 0; i < p->n; i++) {
		struct browse_row *r = &p->rows[i];
		const char **f[8] = { &r->ext_id, &r->origin, &r->source,
				      &r->generator, &r->purpose, &r->label,
				      &r->note, &r->reviewer };
		int k;

		for (k = 0; k < 8; k++)
			*f[k] = pend[i].off[k] == NO_STR ? NULL :
				p->arena.data + pend[i].off[k];
		r->head = pend[i].off[S_HEAD] == NO_STR ? NULL :
			  p->arena.data + pend[i].off[S_HEAD];
		/* owned by the page: browse_key_done must not be called on it */
		r->key.s = pend[i].off[S_KEY] == NO_STR ? NULL :
			   p->arena.data + pend[i].off[S_KEY];
	}
	return 0;
}

static int fetch_page(struct store *s, const struct filter_sql *where,
		      const char *sort, bool desc, enum browse_dir dir,
		      const struct browse_key *key, size_t n, bool heads,
		      struct browse_page *out, struct pv_err *err)
{
	bool reverse = dir == BROWSE_LAST || dir == BROWSE_BEFORE;
	bool qdesc = desc != reverse;       /* the order queried in */
	const char *expr;
	struct seg segs[3];
	struct pending *pend = NULL;
	size_t cap = 0, want, i;
	int nseg, k, rc;

	memset(out, 0, sizeof *out);
	buf_init(&out->arena);
	if ((rc = sort_expr(&sort, &expr, err)))
		return rc;
	if (n > (size_t)INT32_MAX)          /* LIMIT n + 1 stays an int64 */
		n = (size_t)INT32_MAX;
	want = n + 1;
	if (dir == BROWSE_FIRST || dir == BROWSE_LAST)
		key = NULL;
	else if (!key)
		return pv_errf(err, PV_EUSAGE, "paging after or before a row needs "
			       "that row's key");
	/* a page before a key (and the last page) is queried in the reverse
	 * of the display order, then reversed */
	assert(qdesc == (reverse ? !desc : desc));
	assert(key || dir == BROWSE_FIRST || dir == BROWSE_LAST);
	nseg = segments(sort, expr, qdesc, key, first_free(where), segs);
	assert(nseg >= 1 && nseg <= 3);
	for (k = 0; k < nseg && out->n < want; k++) {
		size_t got;

		if ((rc = fetch_seg(s, where, expr, store_sort_joins(sort), qdesc,
				    &segs[k], key,
				    want - out->n, out, &pend, &cap, &got, err)))
			goto fail;
	}
	/* at most one row past the page: it says whether there are more */
	assert(out->n <= want);
	if (out->n > n) {
		out->more = true;
		out->n = n;
	}
	if ((rc = finish_rows(s, out, pend, heads, err)))
		goto fail;
	free(pend);
	if (reverse)
		for (i = 0; i < out->n / 2; i++) {
			struct browse_row t = out->rows[i];

			out->rows[i] = out->rows[out->n - 1 - i];
			out->rows[out->n - 1 - i] = t;
		}
	return 0;
fail:
	free(pend);
	browse_page_done(out);
	return rc;
}

int browse_fetch(struct store *s, const struct filter_sql *where,
		 const char *sort, bool desc, enum browse_dir dir,
		 const struct browse_key *key, size_t n,
		 struct browse_page *out, struct pv_err *err)
{
	return fetch_page(s, where, sort, desc, dir, key, n, true, out, err);
}

int browse_fetch_bare(struct store *s, const struct filter_sql *where,
		      const char *sort, bool desc, enum browse_dir dir,
		      const struct browse_key *key, size_t n,
		      struct browse_page *out, struct pv_err *err)
{
	return fetch_page(s, where, sort, desc, dir, key, n, false, out, err);
}

void browse_page_done(struct browse_page *p)
{
	if (!p)
		return;
	free(p->rows);
	buf_done(&p->arena);
	p->rows = NULL;
	p->n = 0;
	p->more = false;
}

/* The number of rows of where after key in order (sort, desc), by
 * segments; the caller has checked sort. */
static int count_after(struct store *s, const struct filter_sql *where,
		       const char *sort, const char *expr, bool desc,
		       const struct browse_key *key, int64_t *n,
		       struct pv_err *err)
{
	struct seg segs[3];
	int nseg, k, p = first_free(where);

	*n = 0;
	nseg = segments(sort, expr, desc, key, p, segs);
	assert(nseg >= 1 && nseg <= 3);
	for (k = 0; k < nseg; k++) {
		struct buf sql = BUF_INIT;
		sqlite3_stmt *st;
		int rc;

		buf_puts(&sql, "SELECT count(*)");
		store_from_joins(where, store_sort_joins(sort), &sql);
		buf_printf(&sql, " WHERE (%s)", where && where->where ?
			   where->where : "1");
		if (segs[k].cond[0])
			buf_printf(&sql, " AND %s", segs[k].cond);
		rc = store_prep_where(s, &st, buf_str(&sql), where,
				      "counting documents", err);
		buf_done(&sql);
		if (rc)
			return rc;
		if (bind_key(st, &segs[k], key, p) != SQLITE_OK) {
			sqlite3_finalize(st);
			return store_sqlerr(s, err, "counting documents");
		}
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*n += sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return store_sqlerr(s, err, "counting documents");
	}
	assert(*n >= 0);                    /* a position */
	return 0;
}

int browse_position(struct store *s, const struct filter_sql *where,
		    const char *sort, bool desc, const struct browse_key *key,
		    int64_t *n, struct pv_err *err)
{
	const char *expr;
	int rc;

	*n = 0;
	if ((rc = sort_expr(&sort, &expr, err)))
		return rc;
	/* the rows before key are the rows after it in the reverse order */
	return count_after(s, where, sort, expr, !desc, key, n, err);
}

/* ---- one document ---- */

int browse_history_count(struct store *s, int64_t id, int64_t *n,
			 struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((rc = store_prep(s, &st, "SELECT count(*) FROM history WHERE doc_id=?1",
			     "counting history", err)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sqlerr(s, err, "counting history");
	return 0;
}

/* ---- sets of documents ---- */

int browse_ids(struct store *s, const struct filter_sql *where, int64_t **ids,
	       size_t *n, struct pv_err *err)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	buf_puts(&sql, "SELECT d.id");
	store_from(where, &sql);
	buf_printf(&sql, " WHERE (%s) ORDER BY d.id",
		   where && where->where ? where->where : "1");
	rc = store_prep_where(s, &st, buf_str(&sql), where, "listing documents", err);
	buf_done(&sql);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*ids = pv_realloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return store_sqlerr(s, err, "listing documents");
	}
	return 0;
}

/* Fills temp.pv_browse_ids with ids (a table private to this connection,
 * written in a transaction of the temporary database only: the store's
 * write lock is not taken). */
static int fill_ids(struct store *s, const int64_t *ids, size_t n,
		    struct pv_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((rc = store_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS pv_browse_ids("
			     "id INTEGER PRIMARY KEY); DELETE FROM temp.pv_browse_ids; "
			     "BEGIN", err)))
		return rc;
	if ((rc = store_prep(s, &st, "INSERT OR IGNORE INTO temp.pv_browse_ids VALUES(?1)",
			     "collecting documents", err))) {
		store_exec(s->db, "ROLLBACK", NULL);
		return rc;
	}
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = store_sqlerr(s, err, "collecting documents");
			sqlite3_finalize(st);
			store_exec(s->db, "ROLLBACK", NULL);
			return rc;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return store_exec(s->db, "COMMIT", err);
}

int browse_label_ids(struct store *s, const int64_t *ids, size_t n,
		     const struct label_change *changes, size_t nchanges,
		     const char *reviewer, const char *note, const char *command,
		     struct label_result *res, struct pv_err *err)
{
	char where[] = "d.id IN (SELECT id FROM temp.pv_browse_ids)";
	struct filter_sql sel = { where, NULL, 0, 1, NULL, false, false };
	int rc;

	memset(res, 0, sizeof *res);
	if (s->in_tx)
		return pv_errf(err, PV_EUSAGE, "relabelling needs a transaction of "
			       "its own; the store is inside one");
	/* label_set takes the write lock itself (BEGIN IMMEDIATE), so the
	 * ids are gathered before, in the temporary database */
	if ((rc = fill_ids(s, ids, n, err)) == 0)
		rc = label_set(s, &sel, changes, nchanges, reviewer, note, command,
			       false, res, err);
	store_exec(s->db, "DROP TABLE IF EXISTS temp.pv_browse_ids", NULL);
	return rc;
}
