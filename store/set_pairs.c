/*
 * set_pairs.c - near copies over the shards of a set, and between two
 * sets (--against), by per-shard sorted band files merged per band: see
 * set_pairs.h for the stages, the rule and the files' format.
 *
 * Owns nothing between calls.  Within a call: each shard's sig.bin is
 * mapped read-only while stage 2 runs (unmapped at its end), the documents
 * selected and two small arrays per text are in memory, the band files
 * are read through stdio one band at a time.  Worker threads compute
 * signatures from texts the calling thread read; they touch no store.
 */
#include "store_int.h"
#include "set_pairs.h"
#include "pairs.h"
#include "filter.h"
#include "../analysis/minhash.h"
#include "../common/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIG_HEADER 32
#define SIG_MAGIC "PVXSIG1"
#define SIGN_BATCH 1024
#define BYTE_ORDER_MARK 0x01020304u

/* One record of a band file. */
struct brec {
	uint64_t key;
	uint32_t pos;               /* the text's record number in sig.bin */
	uint32_t zero;
};

/* A shard taking part (of SET, then of REF). */
struct sp_shard {
	struct store *s;            /* borrowed from its set */
	char *dir;                  /* owned: its folder of files */
	char ident[200];
	int64_t ntexts, nwords;     /* texts; of which with words */
	unsigned char *map;         /* sig.bin mapped (stage 2), owned */
	size_t maplen;
	unsigned char *side;        /* per text: MH_* bits of the selected docs */
	uint32_t *dfirst, *dn;      /* per text: its documents in docs[] */
	bool ref;                   /* a shard of REF */
};

struct sdoc {
	int64_t id;
	uint32_t shard, pos;
	unsigned char origin;       /* 0 unknown, 1 real, 2 synthetic */
};

struct tpair {
	uint32_t sa, pa, sb, pb;    /* (sa, pa) < (sb, pb) */
	uint32_t agree;
};

struct run {
	struct store_set *set;
	const struct set_pairs_opts *o;
	struct set_pairs_stats *st;
	struct sp_shard *sh;
	size_t nsh;
	struct sdoc *docs;
	size_t ndocs, capdocs;
	struct tpair *tp;
	size_t ntp, captp;
};

/* ---- files ---- */

static int mkdir_p(const char *path, struct pv_err *err)
{
	struct buf b = BUF_INIT;
	size_t i;
	int rc = 0;

	buf_puts(&b, path);
	for (i = 1; i <= b.len; i++) {
		char c = i < b.len ? b.data[i] : '\0';
		if (c != '/' && c != '\0')
			continue;
		b.data[i] = '\0';
		if (mkdir(b.data, 0777) && errno != EEXIST) {
			rc = pv_errf(err, PV_EIO, "%s: cannot make the folder: %s (pairs keeps "
				     "its band files there; the set's folder must be writable)",
				     b.data, strerror(errno));
			break;
		}
		if (i < b.len)
			b.data[i] = c;
	}
	buf_done(&b);
	return rc;
}

/* The whole of a small file in out (NUL-terminated); false when absent or
 * unreadable. */
static bool read_small(const char *path, struct buf *out)
{
	FILE *fp = fopen(path, "rb");
	char tmp[4096];
	size_t n;

	buf_reset(out);
	if (!fp)
		return false;
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0 && out->len < (1u << 20))
		buf_append(out, tmp, n);
	fclose(fp);
	buf_str(out);
	return true;
}

/* Writes text to path through a temporary file renamed into place. */
static int write_small(const char *path, const char *text, struct pv_err *err)
{
	struct buf tmp = BUF_INIT;
	FILE *fp;
	int rc = 0;

	buf_printf(&tmp, "%s.tmp", path);
	if (!(fp = fopen(buf_str(&tmp), "wb")) || fputs(text, fp) == EOF ||
	    fclose(fp) != 0 || rename(buf_str(&tmp), path) != 0)
		rc = pv_errf(err, PV_EIO, "%s: cannot write: %s", path, strerror(errno));
	buf_done(&tmp);
	return rc;
}

static int64_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? -1 : (int64_t)sb.st_size;
}

/* The identity of a shard's file (and its texts). */
static int shard_ident(struct sp_shard *x, struct pv_err *err)
{
	struct stat sb;
	int64_t n = 0, mx = 0;
	sqlite3_stmt *st;
	int rc;

	if (stat(store_path(x->s), &sb))
		return pv_errf(err, PV_EIO, "%s: %s", store_path(x->s), strerror(errno));
	if ((rc = store_prep(x->s, &st, "SELECT count(*), coalesce(max(id), 0) FROM texts",
			     "counting texts", err)))
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		mx = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	snprintf(x->ident, sizeof x->ident, "%lld %lld %llu %lld %lld",
		 (long long)sb.st_size, (long long)sb.st_mtime,
		 (unsigned long long)sb.st_ino, (long long)n, (long long)mx);
	return 0;
}

/* ---- stage 1: signatures ---- */

struct srec {
	int64_t id;
	uint32_t nwords;
	unsigned char hash[16];
	uint32_t sig[MINHASH_K];
	bool need;
	struct buf text;
};

struct sbatch {
	struct srec *r;
	size_t n;
	atomic_size_t next;
};

static void *sign_worker(void *arg)
{
	struct sbatch *b = arg;
	size_t k;

	while ((k = atomic_fetch_add(&b->next, 1)) < b->n)
		if (b->r[k].need)
			b->r[k].nwords = minhash_sign(b->r[k].text.data ? b->r[k].text.data : "",
						      b->r[k].text.len, b->r[k].sig);
	return NULL;
}

/* Signs the batch's texts without a signature (threads), writes its
 * records to fp. */
static int batch_flush(struct run *r, struct sbatch *b, FILE *fp, int64_t *nwords,
		       const char *path, struct pv_err *err)
{
	pthread_t th[16];
	int nth = r->o->threads > 0 ? PV_MIN(r->o->threads, 16) : PAIRS_THREADS, i, started;
	unsigned char rec[SP_SIG_REC];
	size_t k;

	atomic_store(&b->next, 0);
	for (started = 0; started < nth; started++)
		if (pthread_create(&th[started], NULL, sign_worker, b) != 0)
			break;
	if (started == 0)
		sign_worker(b);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (k = 0; k < b->n; k++) {
		struct srec *x = &b->r[k];
		uint32_t zero = 0;
		memset(rec, 0, sizeof rec);
		memcpy(rec, &x->id, 8);
		memcpy(rec + 8, &x->nwords, 4);
		memcpy(rec + 12, &zero, 4);
		memcpy(rec + 16, x->hash, 16);
		if (x->nwords)
			memcpy(rec + 32, x->sig, 4 * MINHASH_K);
		*nwords += x->nwords > 0;
		if (x->need)
			r->st->sig_new++;
		else
			r->st->sig_cached++;
		if (fwrite(rec, 1, sizeof rec, fp) != sizeof rec)
			return pv_errf(err, PV_EIO, "%s: cannot write: %s", path, strerror(errno));
		if (x->text.cap > (4u << 20))
			buf_done(&x->text);
	}
	b->n = 0;
	return 0;
}

/* Makes DIR/sig.bin and DIR/sig.done for shard x. */
static int build_sig(struct run *r, struct sp_shard *x, struct pv_err *err)
{
	struct buf path = BUF_INIT, tmp = BUF_INIT, done = BUF_INIT;
	struct sbatch b;
	sqlite3_stmt *st = NULL;
	FILE *fp = NULL;
	unsigned char hdr[SIG_HEADER];
	uint32_t u;
	uint64_t n = 0;
	int64_t nwords = 0;
	size_t k;
	int rc = 0, step;

	memset(&b, 0, sizeof b);
	b.r = pv_calloc(SIGN_BATCH, sizeof *b.r);
	buf_printf(&path, "%s/sig.bin", x->dir);
	buf_printf(&tmp, "%s/sig.bin.tmp", x->dir);
	if (!(fp = fopen(buf_str(&tmp), "wb"))) {
		rc = pv_errf(err, PV_EIO, "%s: cannot write: %s", buf_str(&tmp), strerror(errno));
		goto out;
	}
	memset(hdr, 0, sizeof hdr);
	memcpy(hdr, SIG_MAGIC, 8);
	u = MINHASH_K;
	memcpy(hdr + 8, &u, 4);
	u = MINHASH_SHINGLE;
	memcpy(hdr + 12, &u, 4);
	u = BYTE_ORDER_MARK;
	memcpy(hdr + 24, &u, 4);
	if (fwrite(hdr, 1, sizeof hdr, fp) != sizeof hdr) {
		rc = pv_errf(err, PV_EIO, "%s: cannot write: %s", buf_str(&tmp), strerror(errno));
		goto out;
	}
	if ((rc = store_prep(x->s, &st, "SELECT t.id, t.hash, m.sig FROM texts t LEFT JOIN "
			     "minhash m ON m.text_id = t.id ORDER BY t.id",
			     "reading texts and signatures", err)))
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct srec *y = &b.r[b.n];
		y->id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) != 16) {
			rc = pv_errf(err, PV_ESTORE, "%s: text %lld has a hash of %d bytes, "
				     "not 16: the store is damaged", store_path(x->s),
				     (long long)y->id, sqlite3_column_bytes(st, 1));
			goto out;
		}
		memcpy(y->hash, sqlite3_column_blob(st, 1), 16);
		y->need = !minhash_decode(sqlite3_column_blob(st, 2),
					  (size_t)sqlite3_column_bytes(st, 2), y->sig, &y->nwords);
		if (y->need && (rc = store_text_read(x->s, y->id, &y->text, err)))
			goto out;
		n++;
		if (++b.n == SIGN_BATCH) {
			if ((rc = batch_flush(r, &b, fp, &nwords, buf_str(&tmp), err)))
				goto out;
			if (r->o->progress)
				r->o->progress(r->o->ctx, r->st, SP_SIGNING);
			if (r->o->stop && *r->o->stop) {
				rc = PV_EINTR;
				goto out;
			}
		}
	}
	if (step != SQLITE_DONE) {
		rc = store_sqlerr(x->s, err, "reading texts and signatures");
		goto out;
	}
	if ((rc = batch_flush(r, &b, fp, &nwords, buf_str(&tmp), err)))
		goto out;
	if (fseek(fp, 16, SEEK_SET) || fwrite(&n, 8, 1, fp) != 1 || fclose(fp)) {
		fp = NULL;
		rc = pv_errf(err, PV_EIO, "%s: cannot write: %s", buf_str(&tmp), strerror(errno));
		goto out;
	}
	fp = NULL;
	if (rename(buf_str(&tmp), buf_str(&path))) {
		rc = pv_errf(err, PV_EIO, "%s: %s", buf_str(&path), strerror(errno));
		goto out;
	}
	x->ntexts = (int64_t)n;
	x->nwords = nwords;
	buf_reset(&path);
	buf_printf(&path, "%s/sig.done", x->dir);
	buf_printf(&done, "provex-sig 1\nshard %s\ntexts %lld\nwords %lld\n", x->ident,
		   (long long)n, (long long)nwords);
	rc = write_small(buf_str(&path), buf_str(&done), err);
out:
	sqlite3_finalize(st);
	if (fp) {
		fclose(fp);
		unlink(buf_str(&tmp));
	}
	for (k = 0; k < SIGN_BATCH; k++)
		buf_done(&b.r[k].text);
	free(b.r);
	buf_done(&path);
	buf_done(&tmp);
	buf_done(&done);
	return rc;
}

/* Whether DIR/sig.done and sig.bin are those of shard x as it is now
 * (sets ntexts, nwords). */
static bool sig_valid(struct sp_shard *x, bool *existed)
{
	struct buf path = BUF_INIT, text = BUF_INIT, want = BUF_INIT;
	long long n = -1, w = -1;
	bool ok = false;

	buf_printf(&path, "%s/sig.done", x->dir);
	*existed = read_small(buf_str(&path), &text);
	buf_printf(&want, "provex-sig 1\nshard %s\ntexts ", x->ident);
	if (*existed && !strncmp(buf_str(&text), buf_str(&want), want.len) &&
	    sscanf(buf_str(&text) + want.len, "%lld\nwords %lld\n", &n, &w) == 2 &&
	    n >= 0 && w >= 0) {
		buf_reset(&path);
		buf_printf(&path, "%s/sig.bin", x->dir);
		ok = file_size(buf_str(&path)) == SIG_HEADER + (int64_t)n * SP_SIG_REC;
	}
	if (ok) {
		x->ntexts = n;
		x->nwords = w;
	}
	buf_done(&path);
	buf_done(&text);
	buf_done(&want);
	return ok;
}

/* Maps x's sig.bin read-only and checks its header. */
static int sig_map(struct sp_shard *x, struct pv_err *err)
{
	struct buf path = BUF_INIT;
	uint32_t k, sh, bom;
	uint64_t n;
	int fd, rc = 0;

	buf_printf(&path, "%s/sig.bin", x->dir);
	x->maplen = (size_t)(SIG_HEADER + x->ntexts * SP_SIG_REC);
	if ((fd = open(buf_str(&path), O_RDONLY)) < 0) {
		rc = pv_errf(err, PV_EIO, "%s: %s", buf_str(&path), strerror(errno));
		goto out;
	}
	x->map = mmap(NULL, x->maplen, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (x->map == MAP_FAILED) {
		x->map = NULL;
		rc = pv_errf(err, PV_EIO, "%s: cannot map: %s", buf_str(&path), strerror(errno));
		goto out;
	}
	memcpy(&k, x->map + 8, 4);
	memcpy(&sh, x->map + 12, 4);
	memcpy(&n, x->map + 16, 8);
	memcpy(&bom, x->map + 24, 4);
	if (memcmp(x->map, SIG_MAGIC, 8) || k != MINHASH_K || sh != MINHASH_SHINGLE ||
	    bom != BYTE_ORDER_MARK || n != (uint64_t)x->ntexts)
		rc = pv_errf(err, PV_ESTORE, "%s: not a signature file of this provex "
			     "(delete the folder %s: the next run makes it again)",
			     buf_str(&path), x->dir);
out:
	buf_done(&path);
	return rc;
}

static const unsigned char *sig_rec(const struct sp_shard *x, size_t pos)
{
	return x->map + SIG_HEADER + pos * SP_SIG_REC;
}

static const uint32_t *sig_of(const struct sp_shard *x, size_t pos)
{
	return (const uint32_t *)(const void *)(sig_rec(x, pos) + 32);
}

/* ---- stage 1: band files ---- */

/* Records sorted in memory at once: SP_CHUNK, or PROVEX_PAIRS_CHUNK when
 * set (2 or more; the tests make it small to exercise the runs' merge). */
static size_t chunk_size(void)
{
	const char *e = getenv("PROVEX_PAIRS_CHUNK");
	long v = e ? strtol(e, NULL, 10) : 0;

	return v >= 2 && v <= (long)SP_CHUNK ? (size_t)v : SP_CHUNK;
}

static int brec_cmp(const void *a, const void *b)
{
	const struct brec *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* A sorted stream of band records. */
struct breader {
	FILE *fp;
	struct brec cur;
	bool live;
	size_t src;
};

/* Advances to the next record; -1 on a record cut short. */
static int br_next(struct breader *r)
{
	size_t n = fread(&r->cur, 1, sizeof r->cur, r->fp);

	r->live = n == sizeof r->cur;
	return n == 0 || r->live ? 0 : -1;
}

static int write_recs(FILE *fp, const struct brec *v, size_t n)
{
	return fwrite(v, sizeof *v, n, fp) == n ? 0 : -1;
}

/* Merges sorted run files into out. */
static int merge_runs(struct breader *rd, size_t n, FILE *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (br_next(&rd[i]))
			return -1;
	for (;;) {
		size_t best = n;
		for (i = 0; i < n; i++)
			if (rd[i].live && (best == n || brec_cmp(&rd[i].cur, &rd[best].cur) < 0))
				best = i;
		if (best == n)
			return 0;
		if (write_recs(out, &rd[best].cur, 1) || br_next(&rd[best]))
			return -1;
	}
}

/* Makes the band file of band b: chunks sorted in memory, runs merged. */
static int build_band(struct sp_shard *x, const char *rdir, int b, int rows,
		      struct brec *chunk, size_t cap, struct pv_err *err)
{
	struct buf path = BUF_INIT, tmp = BUF_INIT, rp = BUF_INIT;
	struct breader *rd = NULL;
	size_t nruns = 0, n = 0, i;
	FILE *out = NULL, *fp;
	int64_t pos;
	int rc = 0;

	buf_printf(&path, "%s/band-%03d.bin", rdir, b);
	buf_printf(&tmp, "%s/band-%03d.bin.tmp", rdir, b);
	for (pos = 0; pos <= x->ntexts; pos++) {
		bool last = pos == x->ntexts;
		if (!last) {
			uint32_t nw;
			memcpy(&nw, sig_rec(x, (size_t)pos) + 8, 4);
			if (!nw)
				continue;
			chunk[n].key = minhash_band_key(sig_of(x, (size_t)pos), b, rows);
			chunk[n].pos = (uint32_t)pos;
			chunk[n].zero = 0;
			n++;
		}
		if (n < cap && !last)
			continue;
		pv_qsort(chunk, n, sizeof *chunk, brec_cmp);
		if (last && nruns == 0)
			break;
		buf_reset(&rp);
		buf_printf(&rp, "%s/band-%03d.run-%zu", rdir, b, nruns);
		if (!(fp = fopen(buf_str(&rp), "wb")) || write_recs(fp, chunk, n) || fclose(fp)) {
			rc = pv_errf(err, PV_EIO, "%s: cannot write: %s", buf_str(&rp),
				     strerror(errno));
			goto out;
		}
		nruns++;
		n = 0;
	}
	if (!(out = fopen(buf_str(&tmp), "wb"))) {
		rc = pv_errf(err, PV_EIO, "%s: cannot write: %s", buf_str(&tmp), strerror(errno));
		goto out;
	}
	if (nruns == 0) {
		if (write_recs(out, chunk, n))
			rc = -1;
	} else {
		rd = pv_calloc(nruns, sizeof *rd);
		for (i = 0; i < nruns && !rc; i++) {
			buf_reset(&rp);
			buf_printf(&rp, "%s/band-%03d.run-%zu", rdir, b, i);
			if (!(rd[i].fp = fopen(buf_str(&rp), "rb")))
				rc = -1;
		}
		if (!rc)
			rc = merge_runs(rd, nruns, out);
	}
	if (fclose(out))
		rc = -1;
	out = NULL;
	if (rc || rename(buf_str(&tmp), buf_str(&path)))
		rc = pv_errf(err, PV_EIO, "%s: cannot write: %s", buf_str(&path), strerror(errno));
out:
	if (out)
		fclose(out);
	if (rc)
		unlink(buf_str(&tmp));
	for (i = 0; i < nruns; i++) {
		if (rd && rd[i].fp)
			fclose(rd[i].fp);
		buf_reset(&rp);
		buf_printf(&rp, "%s/band-%03d.run-%zu", rdir, b, i);
		unlink(buf_str(&rp));
	}
	free(rd);
	buf_done(&path);
	buf_done(&tmp);
	buf_done(&rp);
	return rc;
}

/* The manifest of x's band files for this banding. */
static void bands_manifest(const struct sp_shard *x, int rows, int bands, struct buf *out)
{
	buf_printf(out, "provex-bands 1\nshard %s\nrows %d\nbands %d\nrecords %lld\n",
		   x->ident, rows, bands, (long long)x->nwords);
}

static bool bands_valid(const struct sp_shard *x, int rows, int bands, bool *existed)
{
	struct buf path = BUF_INIT, text = BUF_INIT, want = BUF_INIT;
	bool ok;
	int b;

	buf_printf(&path, "%s/r%d.done", x->dir, rows);
	*existed = read_small(buf_str(&path), &text);
	bands_manifest(x, rows, bands, &want);
	ok = *existed && !strcmp(buf_str(&text), buf_str(&want));
	for (b = 0; ok && b < bands; b++) {
		buf_reset(&path);
		buf_printf(&path, "%s/r%d/band-%03d.bin", x->dir, rows, b);
		ok = file_size(buf_str(&path)) == x->nwords * (int64_t)sizeof(struct brec);
	}
	buf_done(&path);
	buf_done(&text);
	buf_done(&want);
	return ok;
}

/* Stage 1 for shard x: its signatures and band files, made when missing,
 * stale or damaged. */
static int stage1(struct run *r, struct sp_shard *x, struct pv_err *err)
{
	struct buf path = BUF_INIT, man = BUF_INIT;
	bool e1 = false, e2 = false, built = false;
	struct brec *chunk = NULL;
	size_t cap;
	int b, rc;

	if ((rc = shard_ident(x, err)) || (rc = mkdir_p(x->dir, err)))
		goto out;
	if (!sig_valid(x, &e1)) {
		buf_printf(&path, "%s/r%d.done", x->dir, r->st->rows);
		unlink(buf_str(&path));       /* the bands depend on the signatures */
		if ((rc = build_sig(r, x, err)))
			goto out;
		built = true;
	}
	if (!bands_valid(x, r->st->rows, r->st->bands, &e2)) {
		buf_reset(&path);
		buf_printf(&path, "%s/r%d", x->dir, r->st->rows);
		if ((rc = mkdir_p(buf_str(&path), err)) || (rc = sig_map(x, err)))
			goto out;
		cap = (size_t)PV_MIN((int64_t)chunk_size(), x->nwords + 1);
		chunk = pv_malloc(cap * sizeof *chunk);
		for (b = 0; b < r->st->bands && !rc; b++) {
			rc = build_band(x, buf_str(&path), b, r->st->rows, chunk, cap, err);
			if (!rc && r->o->stop && *r->o->stop)
				rc = PV_EINTR;
		}
		munmap(x->map, x->maplen);
		x->map = NULL;
		if (rc)
			goto out;
		bands_manifest(x, r->st->rows, r->st->bands, &man);
		buf_reset(&path);
		buf_printf(&path, "%s/r%d.done", x->dir, r->st->rows);
		if ((rc = write_small(buf_str(&path), buf_str(&man), err)))
			goto out;
		built = true;
	}
	if (built) {
		r->st->built++;
		r->st->rebuilt += e1 || e2;
	} else {
		r->st->reused++;
	}
out:
	free(chunk);
	buf_done(&path);
	buf_done(&man);
	return rc;
}

/* ---- stage 2 ---- */

/* The record number of text_id in x's sig.bin (by id), or -1. */
static int64_t text_pos(const struct sp_shard *x, int64_t text_id)
{
	int64_t lo = 0, hi = x->ntexts - 1;

	while (lo <= hi) {
		int64_t mid = lo + (hi - lo) / 2, id;
		memcpy(&id, sig_rec(x, (size_t)mid), 8);
		if (id == text_id)
			return mid;
		if (id < text_id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Reads the documents of set's listed parts that where selects (NULL:
 * all), their shards being sh[base + part's shard]. */
static int load_docs(struct run *r, struct store_set *set, const struct filter_sql *where,
		     size_t base, bool ref, struct pv_err *err)
{
	size_t k, np = set_nparts(set);
	int rc = 0;

	for (k = 0; k < np && !rc; k++) {
		const struct set_part *p = set_part(set, k);
		const struct filter_sql *w = where ? &where[k] : NULL;
		struct sp_shard *x = &r->sh[base + p->shard];
		struct buf sql = BUF_INIT;
		sqlite3_stmt *st;
		int step;

		if (!p->listed)
			continue;
		buf_puts(&sql, "SELECT d.id, d.text_id, d.origin");
		store_from(w, &sql);
		buf_puts(&sql, "WHERE ");
		buf_puts(&sql, w && w->where ? w->where : "1");
		rc = store_prep_where(p->s, &st, buf_str(&sql), w, "selecting documents", err);
		buf_done(&sql);
		if (rc)
			break;
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0), pos;
			const char *o = (const char *)sqlite3_column_text(st, 2);
			struct sdoc *d;
			if (set_shadowed(set, p, id))
				continue;
			pos = text_pos(x, sqlite3_column_int64(st, 1));
			if (pos < 0) {
				rc = pv_errf(err, PV_ESTORE, "%s: document %lld's text is not "
					     "in the signatures made of this shard (%s): delete "
					     "that folder and run again", store_path(x->s),
					     (long long)id, x->dir);
				break;
			}
			if (r->ndocs == r->capdocs) {
				r->capdocs = r->capdocs ? 2 * r->capdocs : 4096;
				r->docs = pv_realloc(r->docs, r->capdocs * sizeof *r->docs);
			}
			d = &r->docs[r->ndocs++];
			d->id = id;
			d->shard = (uint32_t)(base + p->shard);
			d->pos = (uint32_t)pos;
			d->origin = !o ? 0 : !strcmp(o, "real") ? 1 : !strcmp(o, "synthetic") ? 2 : 0;
			if (ref) {
				r->st->ref_docs++;
			} else {
				r->st->docs++;
				if (d->origin == 1)
					r->st->real++;
				else if (d->origin == 2)
					r->st->synthetic++;
				else
					r->st->unknown++;
			}
		}
		if (!rc && step != SQLITE_DONE)
			rc = store_sqlerr(p->s, err, "selecting documents");
		sqlite3_finalize(st);
	}
	return rc;
}

static int sdoc_cmp(const void *a, const void *b)
{
	const struct sdoc *x = a, *y = b;

	if (x->shard != y->shard)
		return x->shard < y->shard ? -1 : 1;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Groups the documents by text: each shard's side, dfirst, dn. */
static void group_docs(struct run *r)
{
	bool against = r->o->ref != NULL;
	size_t i, k = 0;

	if (!against && !r->o->within) {  /* unknown origin pairs with none */
		for (i = 0; i < r->ndocs; i++)
			if (r->docs[i].origin)
				r->docs[k++] = r->docs[i];
		r->ndocs = k;
	}
	pv_qsort(r->docs, r->ndocs, sizeof *r->docs, sdoc_cmp);
	for (i = 0; i < r->nsh; i++) {
		struct sp_shard *x = &r->sh[i];
		size_t n = (size_t)(x->ntexts ? x->ntexts : 1);
		x->side = pv_calloc(n, 1);
		x->dfirst = pv_calloc(n, sizeof *x->dfirst);
		x->dn = pv_calloc(n, sizeof *x->dn);
	}
	for (i = 0; i < r->ndocs; i++) {
		const struct sdoc *d = &r->docs[i];
		struct sp_shard *x = &r->sh[d->shard];
		uint32_t nw;
		if (!x->dn[d->pos]) {
			x->dfirst[d->pos] = (uint32_t)i;
			r->st->texts++;
		}
		x->dn[d->pos]++;
		memcpy(&nw, sig_rec(x, d->pos) + 8, 4);
		if (!nw)
			continue;
		if (against)
			x->side[d->pos] |= x->ref ? MH_SYNTH : MH_REAL;
		else
			x->side[d->pos] |= d->origin == 1 ? MH_REAL : d->origin == 2 ?
					   MH_SYNTH : MH_OTHER;
	}
}

struct member {
	uint32_t shard, pos;
};

/* Checks one candidate, keeping it when it agrees enough. */
static void check(struct run *r, struct member a, struct member b, unsigned need)
{
	const struct sp_shard *x, *y;
	unsigned agree;

	if (a.shard > b.shard || (a.shard == b.shard && a.pos > b.pos)) {
		struct member t = a;
		a = b;
		b = t;
	}
	x = &r->sh[a.shard];
	y = &r->sh[b.shard];
	/* the same text in two shards is one text of a plain store */
	if (!r->o->ref && a.shard != b.shard &&
	    !memcmp(sig_rec(x, a.pos) + 16, sig_rec(y, b.pos) + 16, 16))
		return;
	r->st->candidates++;
	agree = minhash_agree(sig_of(x, a.pos), sig_of(y, b.pos));
	if (agree < need)
		return;
	if (r->ntp == r->captp) {
		r->captp = r->captp ? 2 * r->captp : 1024;
		r->tp = pv_realloc(r->tp, r->captp * sizeof *r->tp);
	}
	r->tp[r->ntp++] = (struct tpair){ a.shard, a.pos, b.shard, b.pos, agree };
}

/* The pairs of one bucket, as minhash_lsh compares a bucket. */
static void bucket(struct run *r, const struct member *m, size_t n, unsigned need,
		   struct member *rs, struct member *ss)
{
	const size_t cap = 1000;
	size_t x, y, nr = 0, ns = 0, k;
	bool over = false;

	if (n < 2)
		return;
	if (r->o->within && !r->o->ref) {
		size_t cnt = n;
		if (cnt > cap) {
			cnt = cap;
			r->st->oversized++;
		}
		for (x = 0; x < cnt; x++)
			for (y = x + 1; y < cnt; y++)
				check(r, m[x], m[y], need);
		return;
	}
	for (k = 0; k < n; k++) {
		unsigned char sd = r->sh[m[k].shard].side[m[k].pos];
		if (sd & MH_REAL) {
			if (nr < cap)
				rs[nr++] = m[k];
			else
				over = true;
		}
		if (sd & MH_SYNTH) {
			if (ns < cap)
				ss[ns++] = m[k];
			else
				over = true;
		}
	}
	r->st->oversized += over;
	for (x = 0; x < nr; x++)
		for (y = 0; y < ns; y++)
			if (rs[x].shard != ss[y].shard || rs[x].pos != ss[y].pos)
				check(r, rs[x], ss[y], need);
}

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	if (x->shard != y->shard)
		return x->shard < y->shard ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Sifts heap[i] down: heap holds n reader indexes, the smallest current
 * key on top. */
static void heap_down(const struct breader *rd, size_t *heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, best = i, t;
		if (l < n && rd[heap[l]].cur.key < rd[heap[best]].cur.key)
			best = l;
		if (l + 1 < n && rd[heap[l + 1]].cur.key < rd[heap[best]].cur.key)
			best = l + 1;
		if (best == i)
			return;
		t = heap[i];
		heap[i] = heap[best];
		heap[best] = t;
		i = best;
	}
}

/* Stage 2 for band b: the k-way merge of the shards' band files (a heap
 * of their readers), each run of equal keys a bucket. */
static int merge_band(struct run *r, int b, unsigned need, struct pv_err *err)
{
	struct breader *rd = pv_calloc(r->nsh, sizeof *rd);
	struct member *m = NULL, *rs = pv_malloc(1000 * sizeof *rs), *ss = pv_malloc(1000 * sizeof *ss);
	size_t *heap = pv_malloc((r->nsh ? r->nsh : 1) * sizeof *heap);
	size_t nm = 0, capm = 0, i, nrd = 0, nheap = 0;
	struct buf path = BUF_INIT;
	int rc = 0;

	for (i = 0; i < r->nsh; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/r%d/band-%03d.bin", r->sh[i].dir, r->st->rows, b);
		if (!(rd[nrd].fp = fopen(buf_str(&path), "rb"))) {
			rc = pv_errf(err, PV_EIO, "%s: %s", buf_str(&path), strerror(errno));
			goto out;
		}
		rd[nrd].src = i;
		if (br_next(&rd[nrd]))
			goto cut;
		nrd++;
	}
	/* a min-heap of the readers by their current key */
	for (i = 0; i < nrd; i++)
		if (rd[i].live)
			heap[nheap++] = i;
	for (i = nheap / 2; i-- > 0; )
		heap_down(rd, heap, nheap, i);
	while (nheap) {
		uint64_t key = rd[heap[0]].cur.key;
		nm = 0;
		while (nheap && rd[heap[0]].cur.key == key) {
			struct breader *t = &rd[heap[0]];
			while (t->live && t->cur.key == key) {
				const struct sp_shard *x = &r->sh[t->src];
				if (t->cur.pos >= (uint64_t)x->ntexts) {
					rc = pv_errf(err, PV_ESTORE, "%s: band file %d names text "
						     "record %u of %lld: damaged (delete the folder; "
						     "the next run makes it again)", x->dir, b,
						     t->cur.pos, (long long)x->ntexts);
					goto out;
				}
				if (x->side[t->cur.pos]) {
					if (nm == capm) {
						capm = capm ? 2 * capm : 64;
						m = pv_realloc(m, capm * sizeof *m);
					}
					m[nm++] = (struct member){ (uint32_t)t->src, t->cur.pos };
				}
				if (br_next(t))
					goto cut;
			}
			if (!t->live)
				heap[0] = heap[--nheap];
			heap_down(rd, heap, nheap, 0);
		}
		if (nm > 1) {
			pv_qsort(m, nm, sizeof *m, member_cmp);
			bucket(r, m, nm, need, rs, ss);
		}
	}
	goto out;
cut:
	rc = pv_errf(err, PV_ESTORE, "a band file of band %d ends in the middle of a record: "
		     "damaged (delete %s; the next run makes the files again)", b,
		     r->o->bands_dir);
out:
	for (i = 0; i < r->nsh; i++)
		if (rd[i].fp)
			fclose(rd[i].fp);
	free(rd);
	free(heap);
	free(m);
	free(rs);
	free(ss);
	buf_done(&path);
	return rc;
}

static int tpair_cmp(const void *a, const void *b)
{
	const struct tpair *x = a, *y = b;

	if (x->sa != y->sa)
		return x->sa < y->sa ? -1 : 1;
	if (x->pa != y->pa)
		return x->pa < y->pa ? -1 : 1;
	if (x->sb != y->sb)
		return x->sb < y->sb ? -1 : 1;
	return (x->pb > y->pb) - (x->pb < y->pb);
}

int set_pairs_against_table(struct store *review, struct pv_err *err)
{
	return store_exec(review->db,
		"CREATE TABLE IF NOT EXISTS against_pairs(\n"
		"  doc INTEGER NOT NULL,\n"
		"  ref TEXT NOT NULL,\n"
		"  ref_doc INTEGER NOT NULL,\n"
		"  sim REAL NOT NULL,\n"
		"  UNIQUE (ref, doc, ref_doc)\n"
		");\n"
		"CREATE INDEX IF NOT EXISTS against_pairs_doc ON against_pairs(doc);", err);
}

/* Stores the document pairs of the text pairs (one transaction). */
static int store_pairs(struct run *r, struct pv_err *err)
{
	bool against = r->o->ref != NULL;
	struct store *s;
	sqlite3_stmt *st = NULL;
	int64_t before;
	size_t k, x, y;
	int rc;

	if ((rc = set_review(r->set, &s, err)))
		return rc;
	if (against && (rc = set_pairs_against_table(s, err)))
		return rc;
	if ((rc = store_begin(s, err)))
		return rc;
	if (against) {
		if ((rc = store_prep(s, &st, "DELETE FROM against_pairs WHERE ref = ?1",
				     "replacing pairs", err)))
			goto fail;
		sqlite3_bind_text(st, 1, r->o->ref_name, -1, SQLITE_TRANSIENT);
		if ((rc = store_step_done(s, st, "replacing pairs", err)))
			goto fail;
		rc = store_prep(s, &st, "INSERT OR IGNORE INTO against_pairs(doc, ref, ref_doc, "
				"sim) VALUES(?1, ?4, ?2, ?3)", "storing pairs", err);
	} else {
		rc = store_prep(s, &st, "INSERT OR IGNORE INTO pairs(a, b, kind, sim) "
				"VALUES(?1, ?2, 'found', ?3)", "storing pairs", err);
	}
	if (rc)
		goto fail;
	if (against)
		sqlite3_bind_text(st, 4, r->o->ref_name, -1, SQLITE_TRANSIENT);
	before = sqlite3_total_changes64(s->db);
	for (k = 0; k < r->ntp; k++) {
		const struct tpair *t = &r->tp[k];
		const struct sp_shard *a = &r->sh[t->sa], *b = &r->sh[t->sb];
		double sim = (double)t->agree / MINHASH_K;
		size_t n = 0;
		bool capped = false;

		for (x = a->dfirst[t->pa]; x < a->dfirst[t->pa] + a->dn[t->pa] && !capped; x++)
			for (y = b->dfirst[t->pb]; y < b->dfirst[t->pb] + b->dn[t->pb]; y++) {
				const struct sdoc *da = &r->docs[x], *db = &r->docs[y];
				if (!against && !r->o->within && da->origin == db->origin)
					continue;
				if (n == PAIRS_DOC_CAP) {
					capped = true;
					break;
				}
				n++;
				if (against) {  /* a is of SET: its shards come first */
					sqlite3_bind_int64(st, 1, da->id);
					sqlite3_bind_int64(st, 2, db->id);
				} else {
					sqlite3_bind_int64(st, 1, PV_MIN(da->id, db->id));
					sqlite3_bind_int64(st, 2, PV_MAX(da->id, db->id));
				}
				sqlite3_bind_double(st, 3, sim);
				rc = sqlite3_step(st);
				sqlite3_reset(st);
				if (rc != SQLITE_DONE) {
					rc = store_sqlerr(s, err, "storing pairs");
					goto fail;
				}
			}
		r->st->pairs += (int64_t)n;
		r->st->capped += capped;
		if (r->o->progress && k % 4096 == 4095)
			r->o->progress(r->o->ctx, r->st, SP_STORING);
	}
	r->st->pairs_new = sqlite3_total_changes64(s->db) - before;
	sqlite3_finalize(st);
	return store_commit(s, err);
fail:
	sqlite3_finalize(st);
	store_rollback(s);
	return rc;
}

/* The file name of a shard without its folder and .pvx. */
static void shard_name(struct store *s, struct buf *out)
{
	const char *p = store_path(s), *base = strrchr(p, '/');
	size_t len;

	base = base ? base + 1 : p;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".pvx"))
		len -= 4;
	buf_append(out, base, len);
}

/* Adds the shards of set to r (files under dir). */
static void add_shards(struct run *r, struct store_set *set, const char *dir, bool ref)
{
	size_t k, n = set_size(set);

	r->sh = pv_realloc(r->sh, (r->nsh + n) * sizeof *r->sh);
	for (k = 0; k < n; k++) {
		struct sp_shard *x = &r->sh[r->nsh++];
		struct buf d = BUF_INIT;
		memset(x, 0, sizeof *x);
		x->s = set_shard(set, k);
		x->ref = ref;
		buf_printf(&d, "%s/", dir);
		shard_name(x->s, &d);
		x->dir = buf_take(&d);
	}
}

int set_pairs_find(struct store_set *set, const struct filter_sql *where,
		   const struct set_pairs_opts *o, struct set_pairs_stats *st,
		   struct pv_err *err)
{
	struct set_pairs_opts opts = *o;
	struct run r;
	struct buf refdir = BUF_INIT;
	double t0 = pv_now();
	unsigned need;
	size_t i;
	int b, rc = 0;

	memset(st, 0, sizeof *st);
	memset(&r, 0, sizeof r);
	if (!(opts.threshold > 0))
		opts.threshold = PAIRS_THRESHOLD;
	if (opts.threshold > 1)
		return pv_errf(err, PV_EINVAL, "the threshold must be in (0, 1], not %g",
			       opts.threshold);
	if (!opts.bands_dir)
		return pv_errf(err, PV_EINVAL, "no folder for the band files");
	r.set = set;
	r.o = &opts;
	r.st = st;
	minhash_bands(opts.threshold, &st->bands, &st->rows);
	need = (unsigned)ceil(opts.threshold * MINHASH_K - 1e-9);
	if (need < 1)
		need = 1;

	add_shards(&r, set, opts.bands_dir, false);
	st->shards = r.nsh;
	if (opts.ref) {
		/* REF's files under a folder named by a hash of its name */
		uint64_t h = 1469598103934665603ULL;
		const char *p;
		for (p = opts.ref_name; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		buf_printf(&refdir, "%s/ref-%016llx", opts.bands_dir, (unsigned long long)h);
		add_shards(&r, opts.ref, buf_str(&refdir), true);
		st->ref_shards = r.nsh - st->shards;
	}

	/* stage 1 */
	for (i = 0; i < r.nsh; i++) {
		if (opts.world_size > 0 && (i >= st->shards ||
		    i % (size_t)opts.world_size != (size_t)opts.rank))
			continue;
		if ((rc = stage1(&r, &r.sh[i], err)))
			goto out;
		st->shard_done++;
		if (opts.progress)
			opts.progress(opts.ctx, st, SP_BANDING);
		if (opts.stop && *opts.stop) {
			rc = PV_EINTR;
			goto out;
		}
	}
	if (opts.world_size > 0) {
		st->stage1_only = true;
		goto out;
	}
	for (i = 0; i < r.nsh; i++)
		if ((rc = sig_map(&r.sh[i], err)))
			goto out;

	/* stage 2 */
	if ((rc = load_docs(&r, set, where, 0, false, err)) ||
	    (opts.ref && (rc = load_docs(&r, opts.ref, NULL, st->shards, true, err))))
		goto out;
	if (st->docs == 0)
		st->nothing = "the filter selects no documents";
	else if (opts.ref && st->ref_docs == 0)
		st->nothing = "the reference (--against) holds no documents";
	else if (!opts.ref && !opts.within && st->real == 0)
		st->nothing = "the filter selects no real documents: there is nothing "
			      "to compare the synthetic ones with (--within pairs "
			      "documents of the same origin)";
	else if (!opts.ref && !opts.within && st->synthetic == 0)
		st->nothing = "the filter selects no synthetic documents: there is "
			      "nothing to compare the real ones with (--within pairs "
			      "documents of the same origin)";
	else if (!opts.ref && opts.within && st->docs < 2)
		st->nothing = "the filter selects a single document";
	if (st->nothing)
		goto out;
	group_docs(&r);
	for (b = 0; b < st->bands; b++) {
		if (opts.stop && *opts.stop) {
			rc = PV_EINTR;
			goto out;
		}
		if ((rc = merge_band(&r, b, need, err)))
			goto out;
		st->band_done = b + 1;
		if (opts.progress)
			opts.progress(opts.ctx, st, SP_MERGING);
	}
	pv_qsort(r.tp, r.ntp, sizeof *r.tp, tpair_cmp);
	{
		size_t k = 0;
		for (i = 0; i < r.ntp; i++)
			if (!k || tpair_cmp(&r.tp[i], &r.tp[k - 1]))
				r.tp[k++] = r.tp[i];
		r.ntp = k;
	}
	st->text_pairs = (int64_t)r.ntp;
	rc = store_pairs(&r, err);
out:
	if (rc == PV_EINTR)
		pv_errf(err, PV_EINTR, "interrupted: the band files of the shards finished "
			"are kept; run the same command again to go on");
	for (i = 0; i < r.nsh; i++) {
		if (r.sh[i].map)
			munmap(r.sh[i].map, r.sh[i].maplen);
		free(r.sh[i].dir);
		free(r.sh[i].side);
		free(r.sh[i].dfirst);
		free(r.sh[i].dn);
	}
	free(r.sh);
	free(r.docs);
	free(r.tp);
	buf_done(&refdir);
	st->seconds = pv_now() - t0;
	return rc;
}

int set_pairs_partner(struct store_set *set, int64_t id, int64_t *partner,
		      struct pv_err *err)
{
	struct store *s = set_overlay(set);
	sqlite3_stmt *st;
	int rc;

	*partner = 0;
	if (!s)
		return 0;
	if ((rc = store_prep(s, &st, "SELECT min(CASE WHEN a = ?1 THEN b ELSE a END) FROM "
			     "pairs WHERE a = ?1 OR b = ?1", "reading pairs", err)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*partner = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sqlerr(s, err, "reading pairs");
	sqlite3_finalize(st);
	return rc;
}
