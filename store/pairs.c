/*
 * pairs.c - declared pairs (the indexer's --pair-field), found pairs
 * (provex pairs: MinHash signatures, LSH, verification, storing) and the
 * leakage report read back from them.  See pairs.h and minhash.h.
 *
 * Owns nothing between calls: every statement is prepared and finalized
 * within the function that uses it, and the temporary tables of
 * pairs_declare are dropped before it returns.  Worker threads compute
 * signatures from texts the calling thread decompressed; they never touch
 * the store.
 */
#include "store_int.h"
#include "pairs.h"
#include "../analysis/minhash.h"
#include "filter.h"
#include "../common/json.h"
#include "../common/utf8.h"
#include "../common/clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIGN_BATCH 2048                 /* texts decompressed at once */
#define SIGN_BATCH_BYTES (32u << 20)    /* or this many bytes */
#define EXAMPLE_WORDS 12                /* words shown of each text */
#define EXAMPLE_MAX 100                 /* at most this many bytes of them */
#define EXAMPLE_BYTES 1024              /* bytes read to find them */

/* Prepares sql on the store's connection; NULL with err filled. */
/* The first column of the first row of st as an integer (0 when none);
 * finalizes st. */
static int one_int(struct store *s, sqlite3_stmt *st, int64_t *out,
		   const char *what, struct pv_err *err)
{
	int rc = sqlite3_step(st);

	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = store_sqlerr(s, err, what);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

/* ==================================================================== */
/* Declared pairs                                                        */

/* Appends the JSON paths a field path may name in a document's metadata,
 * as fieldpath.h looks them up: the whole path as one key first, then the
 * first segment as a key (or an array index) and the rest as one key, and
 * so on.  Returns how many; each is NUL-separated in paths. */
static int field_paths(const char *field, struct buf *paths)
{
	size_t nseg = 1, i, k;
	const char *p;
	int n = 0;

	for (p = field; *p; p++)
		nseg += *p == '.';
	for (i = 0; i < nseg; i++) {
		const char *seg = field;
		buf_putc(paths, '$');
		for (k = 0; k < i; k++) {
			const char *end = strchr(seg, '.');
			size_t len = (size_t)(end - seg), d;
			for (d = 0; d < len && seg[d] >= '0' && seg[d] <= '9'; d++)
				;
			if (len && d == len && k > 0)
				buf_printf(paths, "[%.*s]", (int)len, seg);
			else
				buf_printf(paths, ".\"%.*s\"", (int)len, seg);
			seg = end + 1;
		}
		buf_printf(paths, ".\"%s\"", seg);
		buf_putc(paths, '\0');
		n++;
	}
	return n;
}

int pairs_declare(struct store *s, const char *field, int64_t run_id, size_t cap,
		  struct pairs_declared *out, struct pv_err *err)
{
	struct buf sql = BUF_INIT, paths = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int64_t prev = 0, maxid = 0, n = 0;
	const char *p;
	bool plain = true;
	int npaths, i, rc;

	memset(out, 0, sizeof *out);
	if (!cap)
		cap = PAIRS_GROUP_CAP;
	if (!*field || strchr(field, '"') || strchr(field, '\\') ||
	    field[0] == '.' || field[strlen(field) - 1] == '.' || strstr(field, ".."))
		return pv_errf(err, PV_EUSAGE, "--pair-field '%s': not a field name "
			       "(a name, or names joined by '.', without quotes)", field);
	for (p = field; *p && *p != '.'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			plain = false;
	if ((rc = store_begin(s, err)))
		return rc;

	/* where the last pass over this field stopped */
	if ((rc = store_prep(s, &st, "SELECT coalesce(max(CAST(json_extract(summary,"
			     "'$.declared_pairs.upto') AS INTEGER)), 0) FROM runs "
			     "WHERE json_valid(summary) AND "
			     "json_extract(summary, '$.declared_pairs.field') = ?1",
			     "reading the last pairing", err)))
		goto fail;
	sqlite3_bind_text(st, 1, field, -1, SQLITE_TRANSIENT);
	if ((rc = one_int(s, st, &prev, "reading the last pairing", err)))
		goto fail;
	if ((rc = store_prep(s, &st, "SELECT coalesce(max(id), 0) FROM docs",
			     "counting documents", err)))
		goto fail;
	if ((rc = one_int(s, st, &maxid, "counting documents", err)))
		goto fail;
	out->upto = PV_MAX(prev, maxid);
	if (maxid <= prev) {
		buf_done(&sql);
		buf_done(&paths);
		return store_commit(s, err);
	}
	if ((rc = store_prep(s, &st, "SELECT count(*) FROM docs WHERE id > ?1",
			     "counting documents", err)))
		goto fail;
	sqlite3_bind_int64(st, 1, prev);
	if ((rc = one_int(s, st, &out->docs, "counting documents", err)))
		goto fail;

	/* pv_pk: (value, document) for every document with a value, and for
	 * every document whose input id is a value; fresh = added since */
	if ((rc = store_exec(s->db, "DROP TABLE IF EXISTS temp.pv_pk;"
			     "DROP TABLE IF EXISTS temp.pv_grp;"
			     "CREATE TEMP TABLE pv_pk(k TEXT NOT NULL, doc INTEGER NOT NULL,"
			     " fresh INTEGER NOT NULL, UNIQUE(k, doc));", err)))
		goto fail;
	npaths = field_paths(field, &paths);
	buf_puts(&sql, "INSERT OR IGNORE INTO pv_pk SELECT CAST(v AS TEXT), id, id > ?1 "
		 "FROM (SELECT id, coalesce(");
	for (i = 0; i < npaths; i++)
		buf_printf(&sql, "%sjson_extract(meta, ?%d)", i ? ", " : "", i + 3);
	buf_puts(&sql, i == 1 ? ", NULL" : "");
	buf_puts(&sql, ") AS v FROM docs WHERE meta IS NOT NULL");
	if (plain)
		buf_puts(&sql, " AND instr(meta, ?2) > 0");
	buf_puts(&sql, " AND json_valid(meta)");
	buf_puts(&sql, ") WHERE v IS NOT NULL AND CAST(v AS TEXT) <> ''");
	if ((rc = store_prep(s, &st, buf_str(&sql), "reading the pair field", err)))
		goto fail;
	sqlite3_bind_int64(st, 1, prev);
	if (plain) {
		struct buf pre = BUF_INIT;
		buf_putc(&pre, '"');
		buf_append(&pre, field, (size_t)(p - field));
		sqlite3_bind_text(st, 2, buf_str(&pre), (int)pre.len, SQLITE_TRANSIENT);
		buf_done(&pre);
	}
	{
		const char *path = paths.data;
		for (i = 0; i < npaths; i++) {
			sqlite3_bind_text(st, i + 3, path, -1, SQLITE_TRANSIENT);
			path += strlen(path) + 1;
		}
	}
	if ((rc = store_step_done(s, st, "reading the pair field", err)))
		goto fail;
	if ((rc = store_prep(s, &st, "INSERT OR IGNORE INTO pv_pk SELECT d.ext_id, d.id, d.id > ?1 "
			     "FROM docs d WHERE d.ext_id IN (SELECT DISTINCT k FROM pv_pk)",
			     "linking ids", err)))
		goto fail;
	sqlite3_bind_int64(st, 1, prev);
	if ((rc = store_step_done(s, st, "linking ids", err)))
		goto fail;

	/* the groups with a new document, each cut to its first cap documents */
	if ((rc = store_prep(s, &st, "SELECT count(*), coalesce(sum(n > ?1), 0) FROM (SELECT "
			     "count(*) AS n FROM pv_pk GROUP BY k HAVING max(fresh) AND n > 1)",
			     "counting groups", err)))
		goto fail;
	sqlite3_bind_int64(st, 1, (int64_t)cap);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->groups = sqlite3_column_int64(st, 0);
		out->capped = sqlite3_column_int64(st, 1);
	}
	if ((rc = store_step_done(s, st, "counting groups", err)))
		goto fail;
	if ((rc = store_prep(s, &st, "CREATE TEMP TABLE pv_grp AS SELECT k, doc, fresh FROM "
			     "(SELECT k, doc, fresh, row_number() OVER w AS rn, "
			     "max(fresh) OVER w2 AS touched, count(*) OVER w2 AS n FROM pv_pk "
			     "WINDOW w AS (PARTITION BY k ORDER BY doc), w2 AS (PARTITION BY k)) "
			     "WHERE touched AND n > 1 AND rn <= ?1", "grouping", err)))
		goto fail;
	sqlite3_bind_int64(st, 1, (int64_t)cap);
	if ((rc = store_step_done(s, st, "grouping", err)) ||
	    (rc = store_exec(s->db, "CREATE INDEX temp.pv_grp_k ON pv_grp(k, doc)", err)))
		goto fail;
	if ((rc = store_prep(s, &st, "INSERT OR IGNORE INTO pairs(a, b, kind, sim, key, run_id) "
			     "SELECT x.doc, y.doc, 'declared', NULL, x.k, ?1 FROM pv_grp x "
			     "JOIN pv_grp y ON y.k = x.k AND y.doc > x.doc "
			     "WHERE x.fresh OR y.fresh", "storing pairs", err)))
		goto fail;
	if (run_id)
		sqlite3_bind_int64(st, 1, run_id);
	n = sqlite3_total_changes64(s->db);
	if ((rc = store_step_done(s, st, "storing pairs", err)))
		goto fail;
	out->added = sqlite3_total_changes64(s->db) - n;
	if ((rc = store_exec(s->db, "DROP TABLE temp.pv_pk; DROP TABLE temp.pv_grp;", err)))
		goto fail;
	buf_done(&sql);
	buf_done(&paths);
	return store_commit(s, err);

fail:
	store_rollback(s);
	store_exec(s->db, "DROP TABLE IF EXISTS temp.pv_pk; DROP TABLE IF EXISTS temp.pv_grp;", NULL);
	buf_done(&sql);
	buf_done(&paths);
	return rc;
}

/* ==================================================================== */
/* Found pairs                                                           */

enum { O_UNKNOWN, O_REAL, O_SYNTH };

struct pdoc {
	int64_t id, text_id;
	unsigned char origin;
};

struct ptext {
	int64_t text_id;
	size_t first, n;                /* its documents: docs[first .. first+n) */
	uint32_t nwords;
	bool have;                      /* signature known */
};

struct find {
	struct store *s;
	const struct pairs_opts *o;
	struct pairs_stats *st;
	struct pdoc *docs;
	size_t ndocs, capdocs;
	struct ptext *texts;
	size_t ntexts;
	uint32_t *sigs;                 /* ntexts x MINHASH_K */
	unsigned char *side;
};

static int pdoc_cmp(const void *x, const void *y)
{
	const struct pdoc *a = x, *b = y;

	if (a->text_id != b->text_id)
		return a->text_id < b->text_id ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Reads the selected documents (id, text, origin). */
static int load_docs(struct find *f, const struct filter_sql *where, struct pv_err *err)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	buf_puts(&sql, "SELECT d.id, d.text_id, d.origin");
	store_from(where, &sql);
	buf_puts(&sql, "WHERE ");
	buf_puts(&sql, where && where->where ? where->where : "1");
	rc = store_prep_where(f->s, &st, buf_str(&sql), where, "selecting documents", err);
	buf_done(&sql);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(st, 2);
		struct pdoc *d;
		if (f->ndocs == f->capdocs) {
			f->capdocs = f->capdocs ? f->capdocs * 2 : 1024;
			f->docs = pv_realloc(f->docs, f->capdocs * sizeof *f->docs);
		}
		d = &f->docs[f->ndocs++];
		d->id = sqlite3_column_int64(st, 0);
		d->text_id = sqlite3_column_int64(st, 1);
		d->origin = !o ? O_UNKNOWN : !strcmp(o, "real") ? O_REAL :
			    !strcmp(o, "synthetic") ? O_SYNTH : O_UNKNOWN;
		f->st->docs++;
		if (d->origin == O_REAL)
			f->st->real++;
		else if (d->origin == O_SYNTH)
			f->st->synthetic++;
		else
			f->st->unknown++;
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(f->s, err, "selecting documents");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Groups the documents that take part by text. */
static void build_texts(struct find *f)
{
	size_t i, k = 0, t;

	if (!f->o->within) {        /* documents of unknown origin pair with none */
		for (i = 0; i < f->ndocs; i++)
			if (f->docs[i].origin != O_UNKNOWN)
				f->docs[k++] = f->docs[i];
		f->ndocs = k;
	}
	qsort(f->docs, f->ndocs, sizeof *f->docs, pdoc_cmp);
	f->texts = pv_calloc(f->ndocs ? f->ndocs : 1, sizeof *f->texts);
	f->side = pv_calloc(f->ndocs ? f->ndocs : 1, 1);
	for (i = 0; i < f->ndocs; i = t) {
		struct ptext *x = &f->texts[f->ntexts];
		unsigned char side = 0;
		for (t = i; t < f->ndocs && f->docs[t].text_id == f->docs[i].text_id; t++)
			side |= f->docs[t].origin == O_REAL ? MH_REAL :
				f->docs[t].origin == O_SYNTH ? MH_SYNTH : MH_OTHER;
		x->text_id = f->docs[i].text_id;
		x->first = i;
		x->n = t - i;
		if (x->n > 1)
			f->st->dup_docs += (int64_t)x->n;
		f->side[f->ntexts] = side;
		f->ntexts++;
	}
	f->st->texts = (int64_t)f->ntexts;
	f->sigs = pv_malloc((f->ntexts ? f->ntexts : 1) * MINHASH_K * sizeof *f->sigs);
}

/* Reads the stored signatures of the texts. */
static int load_sigs(struct find *f, struct pv_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((rc = store_prep(f->s, &st, "SELECT sig FROM minhash WHERE text_id = ?1",
			     "reading signatures", err)))
		return rc;
	for (i = 0; i < f->ntexts; i++) {
		struct ptext *x = &f->texts[i];
		sqlite3_bind_int64(st, 1, x->text_id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			x->have = minhash_decode(sqlite3_column_blob(st, 0),
						 (size_t)sqlite3_column_bytes(st, 0),
						 f->sigs + i * MINHASH_K, &x->nwords);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			rc = store_sqlerr(f->s, err, "reading signatures");
			sqlite3_finalize(st);
			return rc;
		}
		if (x->have)
			f->st->sig_reused++;
		else
			f->st->sig_todo++;
	}
	sqlite3_finalize(st);
	return 0;
}

/* A batch of texts to sign: decompressed by the calling thread, signed by
 * the workers. */
struct batch {
	size_t *idx;                    /* text indexes */
	struct buf *text;               /* their bytes */
	size_t n, cap;
	atomic_size_t next;             /* the next one a worker takes */
	struct find *f;
};

static void *sign_worker(void *arg)
{
	struct batch *b = arg;
	size_t k;

	while ((k = atomic_fetch_add(&b->next, 1)) < b->n) {
		struct ptext *x = &b->f->texts[b->idx[k]];
		x->nwords = minhash_sign(b->text[k].data ? b->text[k].data : "",
					 b->text[k].len, b->f->sigs + b->idx[k] * MINHASH_K);
	}
	return NULL;
}

/* Fills b with the next texts to sign from *pos on. */
static int batch_read(struct find *f, struct batch *b, size_t *pos, struct pv_err *err)
{
	size_t bytes = 0;
	int rc;

	b->n = 0;
	atomic_store(&b->next, 0);
	while (*pos < f->ntexts && b->n < SIGN_BATCH && bytes < SIGN_BATCH_BYTES) {
		size_t i = (*pos)++;
		if (f->texts[i].have)
			continue;
		if ((rc = store_text_read(f->s, f->texts[i].text_id, &b->text[b->n], err)))
			return rc;
		bytes += b->text[b->n].len;
		b->idx[b->n++] = i;
	}
	return 0;
}

/* Writes a signed batch's signatures (one transaction). */
static int batch_write(struct find *f, struct batch *b, struct pv_err *err)
{
	unsigned char blob[MINHASH_BLOB];
	sqlite3_stmt *st;
	size_t k;
	int rc;

	if (!b->n)
		return 0;
	if ((rc = store_begin(f->s, err)))
		return rc;
	if ((rc = store_prep(f->s, &st, "INSERT OR REPLACE INTO minhash(text_id, sig) VALUES(?1, ?2)",
			     "storing signatures", err))) {
		store_rollback(f->s);
		return rc;
	}
	for (k = 0; k < b->n; k++) {
		struct ptext *x = &f->texts[b->idx[k]];
		size_t len = minhash_encode(f->sigs + b->idx[k] * MINHASH_K, x->nwords, blob);
		x->have = true;
		sqlite3_bind_int64(st, 1, x->text_id);
		sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			rc = store_sqlerr(f->s, err, "storing signatures");
			sqlite3_finalize(st);
			store_rollback(f->s);
			return rc;
		}
		/* a buffer of a huge text is not kept for the rest of the run */
		if (b->text[k].cap > (4u << 20))
			buf_done(&b->text[k]);
	}
	sqlite3_finalize(st);
	f->st->sig_new += (int64_t)b->n;
	f->st->sig_done += (int64_t)b->n;
	return store_commit(f->s, err);
}

static void batch_init(struct batch *b, struct find *f)
{
	memset(b, 0, sizeof *b);
	b->idx = pv_malloc(SIGN_BATCH * sizeof *b->idx);
	b->text = pv_calloc(SIGN_BATCH, sizeof *b->text);
	b->f = f;
	atomic_init(&b->next, 0);
}

static void batch_done(struct batch *b)
{
	size_t k;

	for (k = 0; k < SIGN_BATCH; k++)
		buf_done(&b->text[k]);
	free(b->text);
	free(b->idx);
}

/* Signs the texts without a stored signature: the calling thread reads
 * (decompresses) one batch while the workers sign the one before, then
 * writes it. */
static int sign_texts(struct find *f, struct pv_err *err)
{
	struct batch bb[2];
	struct batch *cur = &bb[0], *nxt = &bb[1];
	pthread_t th[16];
	size_t pos = 0;
	int nth = f->st->threads, i, started, rc;

	if (!f->st->sig_todo)
		return 0;
	batch_init(&bb[0], f);
	batch_init(&bb[1], f);
	rc = batch_read(f, cur, &pos, err);
	while (!rc && cur->n) {
		for (started = 0; started < nth; started++)
			if (pthread_create(&th[started], NULL, sign_worker, cur) != 0)
				break;
		if (started == 0)       /* no thread: sign here */
			sign_worker(cur);
		rc = batch_read(f, nxt, &pos, err);
		for (i = 0; i < started; i++)
			pthread_join(th[i], NULL);
		if (!rc)
			rc = batch_write(f, cur, err);
		if (f->o->progress)
			f->o->progress(f->o->ctx, f->st, PAIRS_SIGNING);
		if (!rc && f->o->stop && *f->o->stop)
			rc = PV_EINTR;
		{
			struct batch *t = cur;
			cur = nxt;
			nxt = t;
		}
	}
	batch_done(&bb[0]);
	batch_done(&bb[1]);
	return rc;
}

static void lsh_progress(void *ctx, int band, int bands)
{
	struct find *f = ctx;

	f->st->band_done = band;
	f->st->bands = bands;
	if (f->o->progress)
		f->o->progress(f->o->ctx, f->st, PAIRS_COMPARING);
}

/* Stores the document pairs of the text pairs found (one transaction). */
static int store_found(struct find *f, const struct minhash_pair *tp, size_t ntp,
		       struct pv_err *err)
{
	sqlite3_stmt *st;
	size_t k, x, y;
	int64_t before;
	int rc;

	if ((rc = store_begin(f->s, err)))
		return rc;
	if ((rc = store_prep(f->s, &st, "INSERT OR IGNORE INTO pairs(a, b, kind, sim) "
			     "VALUES(?1, ?2, 'found', ?3)", "storing pairs", err))) {
		store_rollback(f->s);
		return rc;
	}
	before = sqlite3_total_changes64(f->s->db);
	for (k = 0; k < ntp; k++) {
		const struct ptext *a = &f->texts[tp[k].i], *b = &f->texts[tp[k].j];
		double sim = (double)tp[k].agree / MINHASH_K;
		size_t n = 0;
		bool capped = false;

		for (x = a->first; x < a->first + a->n && !capped; x++)
			for (y = b->first; y < b->first + b->n; y++) {
				const struct pdoc *da = &f->docs[x], *db = &f->docs[y];
				if (!f->o->within && da->origin == db->origin)
					continue;
				if (n == PAIRS_DOC_CAP) {
					capped = true;
					break;
				}
				n++;
				sqlite3_bind_int64(st, 1, PV_MIN(da->id, db->id));
				sqlite3_bind_int64(st, 2, PV_MAX(da->id, db->id));
				sqlite3_bind_double(st, 3, sim);
				rc = sqlite3_step(st);
				sqlite3_reset(st);
				if (rc != SQLITE_DONE) {
					rc = store_sqlerr(f->s, err, "storing pairs");
					sqlite3_finalize(st);
					store_rollback(f->s);
					return rc;
				}
			}
		f->st->pairs += (int64_t)n;
		f->st->capped += capped;
		if (f->o->progress && k % 4096 == 4095)
			f->o->progress(f->o->ctx, f->st, PAIRS_STORING);
	}
	f->st->pairs_new = sqlite3_total_changes64(f->s->db) - before;
	sqlite3_finalize(st);
	return store_commit(f->s, err);
}

int pairs_find(struct store *s, const struct filter_sql *where,
	       const struct pairs_opts *o, struct pairs_stats *st, struct pv_err *err)
{
	struct pairs_opts opts = *o;
	struct find f;
	struct minhash_pair *tp = NULL;
	size_t ntp = 0, i;
	double t0 = pv_now(), t;
	int rc;

	memset(st, 0, sizeof *st);
	memset(&f, 0, sizeof f);
	if (!(opts.threshold > 0))
		opts.threshold = PAIRS_THRESHOLD;
	if (opts.threshold > 1)
		return pv_errf(err, PV_EINVAL, "the threshold must be in (0, 1], not %g",
			       opts.threshold);
	f.s = s;
	f.o = &opts;
	f.st = st;
	st->threads = opts.threads > 0 ? PV_MIN(opts.threads, 16) : PAIRS_THREADS;
	minhash_bands(opts.threshold, &st->bands, &st->rows);

	if ((rc = load_docs(&f, where, err)))
		goto out;
	if (st->docs == 0)
		st->nothing = "the filter selects no documents";
	else if (!opts.within && st->real == 0)
		st->nothing = "the filter selects no real documents: there is nothing "
			      "to compare the synthetic ones with (--within pairs "
			      "documents of the same origin)";
	else if (!opts.within && st->synthetic == 0)
		st->nothing = "the filter selects no synthetic documents: there is "
			      "nothing to compare the real ones with (--within pairs "
			      "documents of the same origin)";
	else if (opts.within && st->docs < 2)
		st->nothing = "the filter selects a single document";
	if (st->nothing)
		goto out;
	build_texts(&f);
	if ((rc = load_sigs(&f, err)))
		goto out;
	t = pv_now();
	rc = sign_texts(&f, err);
	st->sec_sign = pv_now() - t;
	if (rc)
		goto out;
	for (i = 0; i < f.ntexts; i++) {
		if (f.texts[i].nwords == 0)
			f.side[i] = 0;
		if (f.texts[i].nwords == 0)
			st->no_words++;
		else if (f.texts[i].nwords < MINHASH_SHINGLE)
			st->short_texts++;
	}

	t = pv_now();
	{
		struct minhash_lsh_opts lo = {
			.threshold = opts.threshold, .within = opts.within,
			.stop = opts.stop, .progress = lsh_progress, .ctx = &f,
		};
		struct minhash_lsh_stats ls;
		if (minhash_lsh(f.sigs, f.ntexts, f.side, &lo, &tp, &ntp, &ls)) {
			rc = PV_EINTR;
			goto out;
		}
		st->candidates = ls.candidates;
		st->oversized = ls.oversized;
		st->text_pairs = (int64_t)ntp;
	}
	st->sec_compare = pv_now() - t;
	t = pv_now();
	rc = store_found(&f, tp, ntp, err);
	st->sec_store = pv_now() - t;
out:
	if (rc == PV_EINTR) {
		st->interrupted = true;
		pv_errf(err, PV_EINTR, "interrupted: the signatures computed so far "
			"are kept; run the same command again to finish");
	}
	free(tp);
	free(f.docs);
	free(f.texts);
	free(f.sigs);
	free(f.side);
	st->seconds = pv_now() - t0;
	return rc;
}

void pairs_stats_json(const struct pairs_stats *st, const struct pairs_opts *o,
		      struct buf *out)
{
	buf_printf(out, "{\"threshold\":%.4g,\"within\":%s,\"shingle_words\":%d,"
		   "\"hashes\":%d,\"bands\":%d,\"rows\":%d,\"documents\":%lld,"
		   "\"real\":%lld,\"synthetic\":%lld,\"unknown\":%lld,\"texts\":%lld,"
		   "\"duplicate_documents\":%lld,\"signatures\":{\"computed\":%lld,"
		   "\"reused\":%lld,\"short_texts\":%lld,\"no_words\":%lld,"
		   "\"threads\":%d,\"seconds\":%.3f},\"candidates\":%llu,"
		   "\"oversized_buckets\":%llu,\"text_pairs\":%lld,\"pairs\":%lld,"
		   "\"new_pairs\":%lld,\"capped_text_pairs\":%lld,"
		   "\"seconds\":%.3f,\"interrupted\":%s,\"nothing_to_compare\":",
		   o->threshold > 0 ? o->threshold : PAIRS_THRESHOLD,
		   o->within ? "true" : "false", MINHASH_SHINGLE, MINHASH_K,
		   st->bands, st->rows, (long long)st->docs, (long long)st->real,
		   (long long)st->synthetic, (long long)st->unknown,
		   (long long)st->texts, (long long)st->dup_docs,
		   (long long)st->sig_new, (long long)st->sig_reused,
		   (long long)st->short_texts, (long long)st->no_words, st->threads,
		   st->sec_sign, (unsigned long long)st->candidates,
		   (unsigned long long)st->oversized, (long long)st->text_pairs,
		   (long long)st->pairs, (long long)st->pairs_new,
		   (long long)st->capped, st->seconds,
		   st->interrupted ? "true" : "false");
	if (st->nothing)
		json_put_string(out, st->nothing, strlen(st->nothing));
	else
		buf_puts(out, "null");
	buf_putc(out, '}');
}

/* ==================================================================== */
/* The leakage report                                                    */

struct rrow {                   /* one found pair, synthetic x real */
	int64_t syn, real, syn_text, real_text;
	double sim;
	bool declared;
	char *gen, *src, *syn_ext, *real_ext;   /* owned */
};

static int rrow_cmp(const void *x, const void *y)
{
	const struct rrow *a = x, *b = y;

	if (a->syn != b->syn)
		return a->syn < b->syn ? -1 : 1;
	if (a->sim != b->sim)
		return a->sim > b->sim ? -1 : 1;
	return a->real < b->real ? -1 : a->real > b->real;
}

/* best matches: by group, then similarity descending, then synthetic id */
static int best_cmp(const void *x, const void *y)
{
	const struct rrow *a = x, *b = y;
	int c = strcmp(a->gen, b->gen);

	if (c || (c = strcmp(a->src, b->src)))
		return c;
	if (a->sim != b->sim)
		return a->sim > b->sim ? -1 : 1;
	return a->syn < b->syn ? -1 : a->syn > b->syn;
}

static int group_cmp(const void *x, const void *y)
{
	const struct pairs_group *a = x, *b = y;
	int c;

	if (a->copies != b->copies)
		return a->copies > b->copies ? -1 : 1;
	if (a->synthetic != b->synthetic)
		return a->synthetic > b->synthetic ? -1 : 1;
	if ((c = strcmp(a->generator, b->generator)))
		return c;
	return strcmp(a->source, b->source);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return pv_strndup(t ? (const char *)t : "", t ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

/* The first EXAMPLE_WORDS whitespace-separated words of a text, joined by
 * single spaces, at most EXAMPLE_MAX bytes (" ..." after them when the text
 * goes on). */
static int first_words(struct store *s, int64_t text_id, char **out, struct pv_err *err)
{
	struct buf t = BUF_INIT, w = BUF_INIT;
	size_t i = 0, n = 0;
	int rc;

	if ((rc = store_text_head(s, text_id, EXAMPLE_BYTES, &t, err))) {
		buf_done(&t);
		return rc;
	}
	while (i < t.len && n < EXAMPLE_WORDS) {
		size_t j;
		while (i < t.len && (t.data[i] == ' ' || t.data[i] == '\n' || t.data[i] == '\t' ||
				     t.data[i] == '\r' || t.data[i] == '\f' || t.data[i] == '\v'))
			i++;
		if (i >= t.len)
			break;
		for (j = i; j < t.len && !(t.data[j] == ' ' || t.data[j] == '\n' ||
		     t.data[j] == '\t' || t.data[j] == '\r' || t.data[j] == '\f' ||
		     t.data[j] == '\v'); j++)
			;
		if (n && w.len + 1 >= EXAMPLE_MAX)
			break;
		if (n)
			buf_putc(&w, ' ');
		buf_append(&w, t.data + i, utf8_cut(t.data + i, j - i, EXAMPLE_MAX - w.len));
		n++;
		i = j;
	}
	while (i < t.len && (t.data[i] == ' ' || t.data[i] == '\n' || t.data[i] == '\t' ||
			     t.data[i] == '\r'))
		i++;
	if (i < t.len)
		buf_puts(&w, " ...");
	buf_done(&t);
	*out = buf_take(&w);
	return 0;
}

static int group_name_cmp(const void *x, const void *y)
{
	const struct pairs_group *a = x, *b = y;
	int c = strcmp(a->generator, b->generator);

	return c ? c : strcmp(a->source, b->source);
}

/* The group of (gen, src) in groups sorted by name, or NULL. */
static struct pairs_group *find_group(struct pairs_report *rep, char *gen, char *src)
{
	struct pairs_group key;

	key.generator = gen;
	key.source = src;
	return rep->ngroups ? bsearch(&key, rep->groups, rep->ngroups, sizeof key,
				      group_name_cmp) : NULL;
}

int pairs_report(struct store *s, const struct filter_sql *where, double threshold,
		 size_t nexamples, struct pairs_report *rep, struct pv_err *err)
{
	struct buf cte = BUF_INIT, sql = BUF_INIT;
	struct rrow *rows = NULL;
	size_t nrows = 0, caprows = 0, i, k;
	sqlite3_stmt *st = NULL;
	int tparam = where ? where->first + (int)where->nparams : 1;
	int rc = 0, step;

	memset(rep, 0, sizeof *rep);
	rep->threshold = threshold > 0 ? threshold : PAIRS_THRESHOLD;
	buf_puts(&cte, "WITH sel AS MATERIALIZED (SELECT d.id AS id, d.text_id AS text_id, "
		 "d.origin AS origin, coalesce(d.generator, '') AS gen, "
		 "coalesce(d.source, '') AS src, d.ext_id AS ext");
	store_from(where, &cte);
	buf_puts(&cte, "WHERE ");
	buf_puts(&cte, where && where->where ? where->where : "1");
	buf_puts(&cte, ") ");

	/* the selected documents by origin, generator and source */
	buf_printf(&sql, "%sSELECT origin, gen, src, count(*) FROM sel GROUP BY 1, 2, 3",
		   buf_str(&cte));
	if ((rc = store_prep_where(s, &st, buf_str(&sql), where, "counting documents", err)))
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(st, 0);
		int64_t n = sqlite3_column_int64(st, 3);
		struct pairs_group *g;
		if (o && !strcmp(o, "real"))
			rep->real += n;
		if (!o || strcmp(o, "synthetic"))
			continue;
		rep->synthetic += n;
		rep->groups = pv_realloc(rep->groups, (rep->ngroups + 1) * sizeof *rep->groups);
		g = &rep->groups[rep->ngroups++];
		memset(g, 0, sizeof *g);
		g->generator = col_dup(st, 1);
		g->source = col_dup(st, 2);
		g->synthetic = n;
	}
	if (step != SQLITE_DONE)
		goto fail_sql;
	sqlite3_finalize(st);
	st = NULL;

	/* the found pairs of a selected synthetic and a selected real document */
	buf_reset(&sql);
	buf_puts(&sql, buf_str(&cte));
	for (i = 0; i < 2; i++)
		buf_printf(&sql, "%sSELECT sy.id, re.id, p.sim, sy.text_id, re.text_id, sy.gen, "
			   "sy.src, sy.ext, re.ext, EXISTS (SELECT 1 FROM pairs q WHERE "
			   "q.a = p.a AND q.b = p.b AND q.kind = 'declared') FROM pairs p "
			   "JOIN sel sy ON sy.id = p.%c JOIN sel re ON re.id = p.%c "
			   "WHERE p.kind = 'found' AND p.sim >= ?%d AND "
			   "sy.origin = 'synthetic' AND re.origin = 'real'",
			   i ? " UNION ALL " : "", i ? 'b' : 'a', i ? 'a' : 'b', tparam);
	if ((rc = store_prep_where(s, &st, buf_str(&sql), where, "reading pairs", err)))
		goto out;
	sqlite3_bind_double(st, tparam, rep->threshold - 1e-9);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct rrow *r;
		if (nrows == caprows) {
			caprows = caprows ? caprows * 2 : 256;
			rows = pv_realloc(rows, caprows * sizeof *rows);
		}
		r = &rows[nrows++];
		r->syn = sqlite3_column_int64(st, 0);
		r->real = sqlite3_column_int64(st, 1);
		r->sim = sqlite3_column_double(st, 2);
		r->syn_text = sqlite3_column_int64(st, 3);
		r->real_text = sqlite3_column_int64(st, 4);
		r->gen = col_dup(st, 5);
		r->src = col_dup(st, 6);
		r->syn_ext = col_dup(st, 7);
		r->real_ext = col_dup(st, 8);
		r->declared = sqlite3_column_int(st, 9) != 0;
	}
	if (step != SQLITE_DONE)
		goto fail_sql;
	sqlite3_finalize(st);
	st = NULL;
	rep->found = (int64_t)nrows;

	/* each synthetic document's closest real one */
	if (nrows)
		qsort(rows, nrows, sizeof *rows, rrow_cmp);
	for (i = k = 0; i < nrows; i++) {
		if (k && rows[k - 1].syn == rows[i].syn) {
			free(rows[i].gen);
			free(rows[i].src);
			free(rows[i].syn_ext);
			free(rows[i].real_ext);
			continue;
		}
		rows[k++] = rows[i];
	}
	nrows = k;
	rep->copies = (int64_t)nrows;
	if (nrows)
		qsort(rows, nrows, sizeof *rows, best_cmp);
	if (rep->ngroups)
		qsort(rep->groups, rep->ngroups, sizeof *rep->groups, group_name_cmp);
	for (i = 0; i < nrows; i++) {
		struct rrow *r = &rows[i];
		struct pairs_group *g = find_group(rep, r->gen, r->src);
		struct pairs_example *e;
		if (!g)                 /* cannot happen: the pair's document is selected */
			continue;
		g->copies++;
		if (g->nex >= nexamples)
			continue;
		if (!g->ex)
			g->ex = pv_calloc(nexamples, sizeof *g->ex);
		e = &g->ex[g->nex++];
		e->sim = r->sim;
		e->declared = r->declared;
		e->syn.id = r->syn;
		e->real.id = r->real;
		e->syn.ext_id = r->syn_ext;
		e->real.ext_id = r->real_ext;
		r->syn_ext = r->real_ext = NULL;
		if ((rc = first_words(s, r->syn_text, &e->syn.words, err)) ||
		    (rc = first_words(s, r->real_text, &e->real.words, err)))
			goto out;
	}
	if (rep->ngroups)
		qsort(rep->groups, rep->ngroups, sizeof *rep->groups, group_cmp);
	goto out;

fail_sql:
	rc = store_sqlerr(s, err, "reading pairs");
out:
	sqlite3_finalize(st);
	for (i = 0; i < nrows; i++) {
		free(rows[i].gen);
		free(rows[i].src);
		free(rows[i].syn_ext);
		free(rows[i].real_ext);
	}
	free(rows);
	buf_done(&cte);
	buf_done(&sql);
	if (rc)
		pairs_report_done(rep);
	return rc;
}

void pairs_report_done(struct pairs_report *rep)
{
	size_t i, k;

	for (i = 0; i < rep->ngroups; i++) {
		struct pairs_group *g = &rep->groups[i];
		for (k = 0; k < g->nex; k++) {
			free(g->ex[k].syn.ext_id);
			free(g->ex[k].syn.words);
			free(g->ex[k].real.ext_id);
			free(g->ex[k].real.words);
		}
		free(g->ex);
		free(g->generator);
		free(g->source);
	}
	free(rep->groups);
	memset(rep, 0, sizeof *rep);
}

static void put_side(struct buf *out, const char *name, const struct pairs_side *sd)
{
	buf_printf(out, "\"%s\":{\"id\":%lld,\"ext_id\":", name, (long long)sd->id);
	json_put_string(out, sd->ext_id ? sd->ext_id : "", sd->ext_id ? strlen(sd->ext_id) : 0);
	buf_puts(out, ",\"words\":");
	json_put_string(out, sd->words ? sd->words : "", sd->words ? strlen(sd->words) : 0);
	buf_putc(out, '}');
}

static void put_str_or_null(struct buf *out, const char *s)
{
	if (s && *s)
		json_put_string(out, s, strlen(s));
	else
		buf_puts(out, "null");
}

void pairs_report_json(const struct pairs_report *rep, const char *run_json,
		       struct buf *out)
{
	size_t i, k;

	buf_printf(out, "{\"threshold\":%.4g,\"real\":%lld,\"synthetic\":%lld,"
		   "\"copies\":%lld,\"found_pairs\":%lld,\"groups\":[",
		   rep->threshold, (long long)rep->real, (long long)rep->synthetic,
		   (long long)rep->copies, (long long)rep->found);
	for (i = 0; i < rep->ngroups; i++) {
		const struct pairs_group *g = &rep->groups[i];
		buf_puts(out, i ? ",{\"generator\":" : "{\"generator\":");
		put_str_or_null(out, g->generator);
		buf_puts(out, ",\"source\":");
		put_str_or_null(out, g->source);
		buf_printf(out, ",\"synthetic\":%lld,\"copies\":%lld,\"share\":%.4f,"
			   "\"examples\":[", (long long)g->synthetic, (long long)g->copies,
			   g->synthetic ? (double)g->copies / (double)g->synthetic : 0.0);
		for (k = 0; k < g->nex; k++) {
			const struct pairs_example *e = &g->ex[k];
			buf_printf(out, "%s{\"sim\":%.4f,\"declared\":%s,", k ? "," : "",
				   e->sim, e->declared ? "true" : "false");
			put_side(out, "synthetic", &e->syn);
			buf_putc(out, ',');
			put_side(out, "real", &e->real);
			buf_putc(out, '}');
		}
		buf_puts(out, "]}");
	}
	buf_putc(out, ']');
	if (run_json) {
		buf_puts(out, ",\"run\":");
		buf_puts(out, run_json);
	}
	buf_putc(out, '}');
}
