/*
 * set_browse.c - the interface's reads over a set of stores (see
 * set_browse.h): pages merged from every listed part's page by the same
 * key, counts and positions summed with the parts' signs, a document read
 * from the part that shows it, values for completion united.
 */
#include "store_int.h"
#include "set_browse.h"
#include "metaindex.h"
#include "filter.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the parts (set.h) ---- */

struct part {
	struct store *s;
	int sign;                    /* +1 or -1 */
	bool listed;                 /* its rows are shown (pages, ids) */
	size_t shard;
};

static size_t nparts(const struct store_set *set)
{
	return set_nparts(set);
}

static struct part part_at(const struct store_set *set, size_t k)
{
	const struct set_part *sp = set_part(set, k);
	struct part p = { sp->s, sp->sign, sp->listed, sp->shard };

	return p;
}

static bool shadowed(const struct store_set *set, size_t k, int64_t id)
{
	return set_shadowed(set, set_part(set, k), id);
}

/* Whether the set reads as its one store (browse.c directly). */
static bool plain(const struct store_set *set)
{
	return !set_is_folder_set(set) && nparts(set) == 1;
}

static int stale(const struct store_set *set, const struct set_where *w,
		 struct pv_err *err)
{
	if (w && w->n != nparts(set))
		return pv_errf(err, PV_EUSAGE, "%s: the set's parts changed since the "
			       "filter was compiled (compile it again)", set_path(set));
	return 0;
}

static const struct filter_sql *where_of(const struct set_where *w, size_t k)
{
	return w ? &w->w[k] : NULL;
}

/* ---- filters and sorts ---- */

int set_where_compile(struct store_set *set, const struct filter_ast *ast,
		      struct set_where *out, struct pv_err *err)
{
	const char *f;
	size_t k, n = nparts(set);
	int rc;

	memset(out, 0, sizeof *out);
	if (set_review_blind(set) && (f = set_filter_review(ast))) {
		char what[64];
		snprintf(what, sizeof what, "the filter's %s", f);
		return set_review_refuse(set, what, err);
	}
	if (set_size(set) > 1 && (f = set_filter_per_store(ast)))
		return pv_errf(err, PV_EUSAGE, "%s on a set of %zu shards: refused, as it "
			       "would be answered per shard (duplicates are counted "
			       "within each shard, and the compression ratio depends on "
			       "the shard's dictionary), not for the whole set", f,
			       set_size(set));
	out->w = pv_calloc(n, sizeof *out->w);
	for (k = 0; k < n; k++) {
		if ((rc = store_filter_compile(part_at(set, k).s, ast, 1, &out->w[k],
					       err))) {
			set_where_done(out);
			return rc;
		}
		out->n = k + 1;
	}
	return 0;
}

void set_where_done(struct set_where *w)
{
	size_t k;

	if (!w)
		return;
	for (k = 0; k < w->n; k++)
		filter_sql_done(&w->w[k]);
	free(w->w);
	w->w = NULL;
	w->n = 0;
}

bool set_sort_ok(const struct store_set *set, const char *sort)
{
	if (set_review_blind(set) && set_sort_review(sort))
		return false;
	return set_size(set) < 2 || !set_sort_per_store(sort);
}

int set_sort_check(const struct store_set *set, const char *sort, struct pv_err *err)
{
	if (set_sort_ok(set, sort))
		return 0;
	if (set_review_blind(set) && set_sort_review(sort))
		return set_review_refuse(set, "sorting by score", err);
	return pv_errf(err, PV_EUSAGE, "sorting by %s on a set of %zu shards: refused, "
		       "as it would be per shard (duplicates are counted within each "
		       "shard, and the compression ratio depends on the shard's "
		       "dictionary), not for the whole set", sort, set_size(set));
}

/* ---- pages ---- */

/* Two sort values in SQLite's ascending order (BINARY collation): NULL,
 * then numbers, then text. */
static int key_class(int type)
{
	return type == BROWSE_KEY_NULL ? 0 : type == BROWSE_KEY_TEXT ? 2 : 1;
}

static int num_cmp(const struct browse_key *a, const struct browse_key *b)
{
	if (a->type == BROWSE_KEY_INTEGER && b->type == BROWSE_KEY_INTEGER)
		return a->i < b->i ? -1 : a->i > b->i;
	{
		double x = a->type == BROWSE_KEY_INTEGER ? (double)a->i : a->d;
		double y = b->type == BROWSE_KEY_INTEGER ? (double)b->i : b->d;
		return x < y ? -1 : x > y;
	}
}

static int key_cmp(const struct browse_key *a, const struct browse_key *b)
{
	int ca = key_class(a->type), cb = key_class(b->type), d = 0;

	if (ca != cb)
		return ca < cb ? -1 : 1;
	if (ca == 1)
		d = num_cmp(a, b);
	else if (ca == 2)
		d = strcmp(a->s ? a->s : "", b->s ? b->s : "");
	if (d)
		return d < 0 ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* A row of a part's page, a candidate for the merged page. */
struct cand {
	const struct browse_row *r;
	size_t part;
};

static bool cmp_desc;

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	int d = key_cmp(&a->r->key, &b->r->key);

	return cmp_desc ? -d : d;
}

/* Part k's page from key in dir: at most n rows the part shows (the rows
 * the overlay shadows left out), with more. */
static int part_page(struct store_set *set, size_t k, const struct set_where *where,
		     const char *sort, bool desc, enum browse_dir dir,
		     const struct browse_key *key, size_t n, struct browse_page *out,
		     struct pv_err *err)
{
	struct part p = part_at(set, k);
	size_t ask = n, i, j;
	int rc;

	for (;;) {
		size_t hidden = 0;
		if ((rc = browse_fetch_bare(p.s, where_of(where, k), sort, desc, dir, key,
					    ask, out, err)))
			return rc;
		for (i = 0; i < out->n; i++)
			hidden += shadowed(set, k, out->rows[i].id);
		if (!hidden)
			return 0;
		if (out->n - hidden >= n || !out->more) {
			/* keep the rows shown (in order), at most n */
			bool last = dir == BROWSE_LAST || dir == BROWSE_BEFORE;
			size_t keep = out->n - hidden, drop_far;
			for (i = j = 0; i < out->n; i++)
				if (!shadowed(set, k, out->rows[i].id))
					out->rows[j++] = out->rows[i];
			out->n = j;
			assert(j == keep);
			drop_far = keep > n ? keep - n : 0;
			if (drop_far) {
				/* the far end: the start of a page fetched backwards */
				if (last)
					memmove(out->rows, out->rows + drop_far,
						n * sizeof *out->rows);
				out->n = n;
				out->more = true;
			}
			return 0;
		}
		browse_page_done(out);
		ask = ask * 2 + hidden;
	}
}

/* Appends s (or nothing for NULL) to the arena: its offset, or -1. */
static ptrdiff_t put_str(struct buf *arena, const char *s, size_t len)
{
	ptrdiff_t off = (ptrdiff_t)arena->len;

	if (!s)
		return -1;
	buf_append(arena, s, len);
	buf_putc(arena, '\0');
	return off;
}

enum { F_EXT, F_ORIGIN, F_SOURCE, F_GENERATOR, F_PURPOSE, F_LABEL, F_NOTE,
       F_REVIEWER, F_HEAD, F_KEY, F_N };

/* The merged page: the chosen candidates c[0..n) copied, their heads read
 * from their parts. */
static int build_page(struct store_set *set, const struct cand *c, size_t n,
		      struct browse_page *out, struct pv_err *err)
{
	ptrdiff_t (*off)[F_N] = pv_calloc(n ? n : 1, sizeof *off);
	struct buf head = BUF_INIT;
	size_t i;
	int f, rc = 0;

	out->rows = pv_calloc(n ? n : 1, sizeof *out->rows);
	for (i = 0; i < n; i++) {
		const struct browse_row *r = c[i].r;
		const char *const src[8] = { r->ext_id, r->origin, r->source, r->generator,
					     r->purpose, r->label, r->note, r->reviewer };
		out->rows[i] = *r;
		for (f = 0; f < 8; f++)
			off[i][f] = put_str(&out->arena, src[f], src[f] ? strlen(src[f]) : 0);
		off[i][F_KEY] = r->key.type == BROWSE_KEY_TEXT ?
			put_str(&out->arena, r->key.s ? r->key.s : "",
				r->key.s ? strlen(r->key.s) : 0) : -1;
		if ((rc = store_text_head(part_at(set, c[i].part).s, r->text_id,
					  BROWSE_HEAD, &head, err)))
			break;
		out->rows[i].head_len = PV_MIN(head.len, (size_t)BROWSE_HEAD);
		off[i][F_HEAD] = put_str(&out->arena, head.data ? head.data : "",
					 out->rows[i].head_len);
	}
	buf_done(&head);
	if (rc) {
		free(off);
		return rc;
	}
	out->n = n;
	for (i = 0; i < n; i++) {
		struct browse_row *r = &out->rows[i];
		const char **dst[8] = { &r->ext_id, &r->origin, &r->source, &r->generator,
					&r->purpose, &r->label, &r->note, &r->reviewer };
		for (f = 0; f < 8; f++)
			*dst[f] = off[i][f] < 0 ? NULL : out->arena.data + off[i][f];
		r->head = out->arena.data + off[i][F_HEAD];
		r->key.s = off[i][F_KEY] < 0 ? NULL : out->arena.data + off[i][F_KEY];
	}
	free(off);
	return 0;
}

int set_browse_fetch(struct store_set *set, const struct set_where *where,
		     const char *sort, bool desc, enum browse_dir dir,
		     const struct browse_key *key, size_t n,
		     struct browse_page *out, struct pv_err *err)
{
	bool last = dir == BROWSE_LAST || dir == BROWSE_BEFORE, more = false;
	size_t np = nparts(set), k, nc = 0, i, take, from;
	struct browse_page *pages;
	struct cand *c;
	int rc;

	memset(out, 0, sizeof *out);
	buf_init(&out->arena);
	if ((rc = stale(set, where, err)) || (rc = set_sort_check(set, sort, err)))
		return rc;
	if (plain(set))
		return browse_fetch(part_at(set, 0).s, where_of(where, 0), sort, desc, dir,
				    key, n, out, err);
	if (n > (size_t)INT32_MAX)
		n = (size_t)INT32_MAX;
	pages = pv_calloc(np, sizeof *pages);
	for (k = 0; k < np; k++) {
		buf_init(&pages[k].arena);
		if (!part_at(set, k).listed)
			continue;
		if ((rc = part_page(set, k, where, sort, desc, dir, key, n, &pages[k], err)))
			goto out;
		nc += pages[k].n;
		more = more || pages[k].more;
	}
	c = pv_malloc((nc ? nc : 1) * sizeof *c);
	for (k = 0, i = 0; k < np; k++) {
		size_t j;
		for (j = 0; j < pages[k].n; j++) {
			c[i].r = &pages[k].rows[j];
			c[i].part = k;
			i++;
		}
	}
	cmp_desc = desc;
	pv_qsort(c, nc, sizeof *c, cand_cmp);
	take = PV_MIN(nc, n);
	from = last ? nc - take : 0;        /* the rows nearest the key */
	rc = build_page(set, c + from, take, out, err);
	out->more = more || nc > n;
	free(c);
out:
	for (k = 0; k < np; k++)
		browse_page_done(&pages[k]);
	free(pages);
	if (rc)
		browse_page_done(out);
	return rc;
}

/* ---- counts ---- */

int set_browse_position(struct store_set *set, const struct set_where *where,
			const char *sort, bool desc, const struct browse_key *key,
			int64_t *n, struct pv_err *err)
{
	size_t k;
	int rc;

	*n = 0;
	if ((rc = stale(set, where, err)) || (rc = set_sort_check(set, sort, err)))
		return rc;
	for (k = 0; k < nparts(set); k++) {
		struct part p = part_at(set, k);
		int64_t m;
		if ((rc = browse_position(p.s, where_of(where, k), sort, desc, key, &m, err)))
			return rc;
		*n += p.sign * m;
	}
	return 0;
}

int set_browse_count(struct store_set *set, const struct set_where *where,
		     int64_t *n, struct pv_err *err)
{
	size_t k;
	int rc;

	*n = 0;
	if ((rc = stale(set, where, err)))
		return rc;
	for (k = 0; k < nparts(set); k++) {
		struct part p = part_at(set, k);
		int64_t m;
		if ((rc = store_count(p.s, where_of(where, k), &m, err)))
			return rc;
		*n += p.sign * m;
	}
	return 0;
}

/* ---- one document ---- */

struct store *set_browse_store_of(struct store_set *set, int64_t id)
{
	long shard = set_route(set, id);
	size_t k;

	if (shard < 0)
		return NULL;
	for (k = 0; k < nparts(set); k++) {
		struct part p = part_at(set, k);
		if (p.shard == (size_t)shard)
			return p.s;
	}
	return NULL;
}

int set_browse_row_get(struct store_set *set, int64_t id, struct browse_row **out,
		       struct pv_err *err)
{
	size_t k;
	int rc;

	*out = NULL;
	if (plain(set))
		return browse_row_get(part_at(set, 0).s, id, out, err);
	/* a changed document is in the overlay's part, the others in their
	 * shard's: the first listed part of the shard that has it unshadowed */
	for (k = 0; k < nparts(set); k++) {
		struct part p = part_at(set, k);
		long shard = set_route(set, id);
		int64_t nocc;
		if (shard < 0)
			break;
		if (!p.listed || p.shard != (size_t)shard || shadowed(set, k, id))
			continue;
		rc = browse_row_get(p.s, id, out, err);
		if (rc == PV_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		if (set_size(set) > 1 &&
		    set_nocc(set, set_shard(set, p.shard), (*out)->text_id, &nocc, err) == 0)
			(*out)->nocc = nocc;
		return 0;
	}
	return pv_errf(err, PV_ENOTFOUND, "document %lld is gone", (long long)id);
}

int set_browse_doc_get(struct store_set *set, int64_t id, struct doc_row *row,
		       struct pv_err *err)
{
	size_t k;
	int rc;

	if (plain(set))
		return store_doc_get(part_at(set, 0).s, id, row, err);
	for (k = 0; k < nparts(set); k++) {
		struct part p = part_at(set, k);
		long shard = set_route(set, id);
		if (shard < 0)
			break;
		if (!p.listed || p.shard != (size_t)shard || shadowed(set, k, id))
			continue;
		rc = store_doc_get(p.s, id, row, err);
		if (rc != PV_ENOTFOUND)
			return rc;
	}
	return pv_errf(err, PV_ENOTFOUND, "%s: no document with id %lld", set_path(set),
		       (long long)id);
}

/* ---- sets of documents ---- */

static int id_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

int set_browse_ids(struct store_set *set, const struct set_where *where,
		   int64_t **ids, size_t *n, struct pv_err *err)
{
	size_t k, cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((rc = stale(set, where, err)))
		return rc;
	if (plain(set))
		return browse_ids(part_at(set, 0).s, where_of(where, 0), ids, n, err);
	for (k = 0; k < nparts(set); k++) {
		int64_t *v;
		size_t m, i;
		if (!part_at(set, k).listed)
			continue;
		if ((rc = browse_ids(part_at(set, k).s, where_of(where, k), &v, &m, err))) {
			free(*ids);
			*ids = NULL;
			*n = 0;
			return rc;
		}
		if (*n + m > cap) {
			cap = PV_MAX(cap * 2, *n + m);
			*ids = pv_realloc(*ids, cap * sizeof **ids);
		}
		for (i = 0; i < m; i++)
			if (!shadowed(set, k, v[i]))
				(*ids)[(*n)++] = v[i];
		free(v);
	}
	if (*n)
		pv_qsort(*ids, *n, sizeof **ids, id_cmp);
	return 0;
}

/* ---- completion ---- */

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sorts v[0..*n), drops repeats and keeps the first max. */
static void unite(char **v, size_t *n, size_t max)
{
	size_t i, j;

	if (!*n)
		return;
	pv_qsort(v, *n, sizeof *v, str_cmp);
	for (i = 1, j = 1; i < *n; i++) {
		if (strcmp(v[i], v[j - 1]) == 0)
			free(v[i]);
		else
			v[j++] = v[i];
	}
	while (j > max)
		free(v[--j]);
	*n = j;
}

static void append_strs(char ***v, size_t *n, size_t *cap, char **w, size_t m)
{
	if (*n + m > *cap) {
		*cap = PV_MAX(*cap * 2, *n + m);
		*v = pv_realloc(*v, *cap * sizeof **v);
	}
	memcpy(*v + *n, w, m * sizeof *w);
	*n += m;
	free(w);
}

static void free_strs(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

int set_browse_values(struct store_set *set, const char *field, const char *prefix,
		      size_t max, char ***values, size_t *n, struct pv_err *err)
{
	size_t k, cap = 0;
	int rc;

	*values = NULL;
	*n = 0;
	if (plain(set))
		return browse_values(part_at(set, 0).s, field, prefix, max, values, n, err);
	for (k = 0; k < nparts(set); k++) {
		char **v;
		size_t m;
		if (!part_at(set, k).listed)
			continue;
		if ((rc = browse_values(part_at(set, k).s, field, prefix, max, &v, &m, err))) {
			free_strs(*values, *n);
			*values = NULL;
			*n = 0;
			return rc;
		}
		append_strs(values, n, &cap, v, m);
	}
	unite(*values, n, max);
	return 0;
}

int set_browse_paths(struct store_set *set, const char *prefix, size_t max,
		     char ***out, size_t *n, struct pv_err *err)
{
	size_t k, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (plain(set))
		return metaidx_paths(part_at(set, 0).s, prefix, max, out, n, err);
	for (k = 0; k < set_size(set); k++) {
		char **v;
		size_t m;
		if ((rc = metaidx_paths(set_shard(set, k), prefix, max, &v, &m, err))) {
			free_strs(*out, *n);
			*out = NULL;
			*n = 0;
			return rc;
		}
		append_strs(out, n, &cap, v, m);
	}
	unite(*out, n, max);
	return 0;
}

/* ---- the overlay's stamp ---- */

bool set_browse_stamp(const char *dir, const struct set_stamp *was,
		      struct set_stamp *now)
{
	static const char *const names[] = { "review.pvx", "review.pvx-wal" };
	struct buf p = BUF_INIT;
	struct stat st;
	size_t i;

	memset(now, 0, sizeof *now);
	if (!set_is_folder(dir))
		return false;
	for (i = 0; i < PV_ARRAY_LEN(names); i++) {
		buf_reset(&p);
		buf_printf(&p, "%s/%s", dir, names[i]);
		if (stat(buf_str(&p), &st) != 0) {
			now->size = now->size * 31 + 7;      /* absent */
			continue;
		}
		/* the later change, and both sizes folded in */
		if (st.st_mtim.tv_sec > now->at.tv_sec ||
		    (st.st_mtim.tv_sec == now->at.tv_sec &&
		     st.st_mtim.tv_nsec > now->at.tv_nsec))
			now->at = st.st_mtim;
		now->size = now->size * 1000003 + (long long)st.st_size;
	}
	buf_done(&p);
	return !was || now->at.tv_sec != was->at.tv_sec ||
	       now->at.tv_nsec != was->at.tv_nsec || now->size != was->size;
}

/* ---- interrupting ---- */

void set_browse_interrupt(struct store_set *set)
{
	size_t k;

	for (k = 0; k < nparts(set); k++)
		sqlite3_interrupt(part_at(set, k).s->db);
}

bool set_browse_interrupted(struct store_set *set)
{
	size_t k;

	for (k = 0; k < nparts(set); k++)
		if (sqlite3_errcode(part_at(set, k).s->db) == SQLITE_INTERRUPT)
			return true;
	return false;
}
