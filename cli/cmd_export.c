/*
 * cmd_export.c - provex export STORE [FILTER] -o OUT: hand the documents a
 * filter selects to training, as JSONL (plain, gzip or zstd, optionally in
 * shards) or as one text file per document, with a manifest saying what
 * was written and how to get it again.
 *
 * Every file is written under a temporary name in its final folder and
 * renamed into place only when all of them are complete, so an error (a
 * full disk, Ctrl-C) leaves nothing under a final name; the temporaries
 * are removed on every path.  Output is deterministic: the same command on
 * the same store writes the same bytes (no timestamps, a zeroed gzip
 * header, single-threaded zstd), and the manifest records the store's
 * history position so the state exported from can be named.
 *
 * Shards receive the records round-robin (record r goes to shard r % N),
 * so their sizes differ by at most one record and each holds the mixture's
 * proportions.
 */
#include "config.h"
#include "cli.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../common/utf8.h"
#include "../common/template.h"
#include "../store/filter.h"
#include "../store/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <nettle/sha2.h>

static const char usage_text[] =
"Usage: provex export STORE [FILTER] -o OUT [options]\n"
"Writes the documents matching FILTER (all when absent) to OUT, in id\n"
"order (or --shuffle), with a manifest OUT.manifest.json (command, filter,\n"
"seed, counts, the store's history position, SHA-256 of each file).  The\n"
"format comes from OUT's extension: .jsonl, .jsonl.gz, .jsonl.zst.\n"
"  -o, --output OUT     the file (or folder, with --format text) to write\n"
"  --format F           jsonl, jsonl.gz, jsonl.zst, or text: one file\n"
"                       per document in the folder OUT, named ID.txt\n"
"  --fields LIST        record fields, from text, origin, source, generator,\n"
"                       purpose, label, note, id, ext_id, meta (default: all)\n"
"  --sample N           N documents, chosen by a hash of (seed, id)\n"
"  --fraction F         the same, a fraction F (0 < F <= 1) of them\n"
"  --seed S             the seed of samples, mixtures and --shuffle (default 0)\n"
"  --shuffle            records in an order drawn from the seed (copies and\n"
"                       groups spread out, across shards too), not id order\n"
"  --mix FIELD=V:SHARE,...  a mixture with exactly these shares of --total\n"
"                       records (FIELD: origin, source, generator, purpose,\n"
"                       label); small groups are repeated evenly\n"
"  --total N            the records a mixture holds\n"
"  --max-repeat K       repeat a document at most K times: a group that\n"
"                       needs more is written short (its share falls);\n"
"                       without it, more than 100 copies is refused\n"
"  --keep-shares        with --max-repeat: keep the shares, write fewer records\n"
"  --shards N           N files OUT-00000-of-0000N.jsonl..., round-robin\n"
"  --prefix TEMPLATE    header before each text: {origin} {source}\n"
"                       {generator} {purpose} {label} {id} {ext_id}, \\n \\t \\\\\n"
"  --keep-dups          write every document of a duplicated text (default:\n"
"                       the first, by id)\n"
"  --force              replace existing output files; write even more than\n"
"                       100 copies of a document or more than the estimated\n"
"                       free space\n"
"An output estimated larger than the free space of its file system is\n"
"refused (unless --force), saying records, copies and bytes.  Temporaries\n"
"(.NAME.XXXXXX beside each file) of an export that was killed are removed\n"
"by the next export to the same place; those of a running one are locked\n"
"and kept.\n"
"Text that is not valid UTF-8 cannot travel in JSON: invalid bytes are\n"
"written as U+FFFD and the documents affected are counted in the summary\n"
"and the manifest (--format text writes the exact bytes).  Stored metadata\n"
"that is not valid JSON stops the export, naming the document.\n";

enum fmt { EXP_FMT_JSONL, EXP_FMT_GZ, EXP_FMT_ZST, EXP_FMT_TEXT };
static const char *const fmt_ext[] = { ".jsonl", ".jsonl.gz", ".jsonl.zst", "" };
static const char *const fmt_name[] = { "jsonl", "jsonl.gz", "jsonl.zst", "text" };

enum {
	F_TEXT, F_ORIGIN, F_SOURCE, F_GENERATOR, F_PURPOSE, F_LABEL, F_NOTE,
	F_ID, F_EXT_ID, F_META, F_N
};
static const char *const field_names[F_N] = {
	"text", "origin", "source", "generator", "purpose", "label", "note",
	"id", "ext_id", "meta"
};


/* ---- output files: temporary name, compression, SHA-256 ---- */

struct outfile {
	char *final;             /* owned: the name it gets in the end */
	char *tmp;               /* owned: where it is written; NULL once renamed */
	int fd;
	bool open;               /* fd is open */
	enum fmt kind;
	z_stream z;
	gz_header gzh;           /* zeroed: no name, no time (zlib keeps a pointer) */
	bool zinit;
	ZSTD_CCtx *zc;
	struct sha256_ctx sha;
	uint8_t digest[SHA256_DIGEST_SIZE];
	bool ended;              /* the compressed stream is finished */
	bool direct;             /* written around the page cache (O_DIRECT) */
	char *stage;             /* owned: what waits for a direct write */
	size_t staged;
	int64_t records;
	uint64_t bytes;          /* bytes in the file */
	struct buf zout;         /* compression output, reused */
	struct buf pend;         /* records not yet handed to the writer */
};

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* "DIR/.BASE.XXXXXX", for mkstemp/mkdtemp; owned by the caller. */
static char *tmp_template(const char *final)
{
	char *dir = pv_dirname(final);
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s/.%s.XXXXXX", dir, base_of(final));
	free(dir);
	return buf_take(&b);
}

/*
 * Temporaries are locked (flock) by the export writing them for as long
 * as they exist under their temporary name, so that the next export to the
 * same place can tell one left by a killed export (no lock: removed) from
 * one being written (locked: kept).  Between mkstemp and flock another
 * export could take the file for a leftover and remove it: the name is
 * then checked to still be the file locked, and made again if not.
 */
static bool same_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
		a.st_ino == b.st_ino;
}

/* mkstemp, with the file locked; -1 with errno on failure. */
static int mkstemp_locked(char *tmpl)
{
	size_t len = strlen(tmpl);
	int tries, fd = -1;

	for (tries = 0; tries < 8; tries++) {
		memcpy(tmpl + len - 6, "XXXXXX", 6);
		if ((fd = mkstemp(tmpl)) < 0)
			return -1;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && same_file(fd, tmpl))
			return fd;
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

/* mkdtemp, with the folder locked; its descriptor, or -1 with errno. */
static int mkdtemp_locked(char *tmpl)
{
	size_t len = strlen(tmpl);
	int tries, fd;

	for (tries = 0; tries < 8; tries++) {
		memcpy(tmpl + len - 6, "XXXXXX", 6);
		if (!mkdtemp(tmpl))
			return -1;
		fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && same_file(fd, tmpl))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	errno = EAGAIN;
	return -1;
}

static mode_t file_mode(void)
{
	mode_t m = umask(0);

	umask(m);
	return 0666 & ~m;
}

/*
 * Creates the temporary file for final and starts its compressor.
 * Returns 0 or PV_EIO (err names the folder).
 */
static int out_open(struct outfile *o, const char *final, enum fmt kind,
		    struct pv_err *err)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof o[0]);
	o->final = pv_strdup(final);
	o->kind = kind;
	/* a device, a FIFO or a folder is never renamed over (as root that
	 * would replace /dev/null with a file) */
	if (stat(final, &st) == 0 && !S_ISREG(st.st_mode))
		return pv_errf(err, PV_EUSAGE, "%s: not a regular file (export writes each "
			       "file under a temporary name and renames it into place): "
			       "give a file name", final);
	o->tmp = tmp_template(final);
	if ((fd = mkstemp_locked(o->tmp)) < 0) {
		char *dir = pv_dirname(final);
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		pv_errf(err, PV_EIO, "%s: cannot create a file in this folder: %s",
			dir, strerror(e));
		free(dir);
		return PV_EIO;
	}
	o->fd = fd;
	o->open = true;
	if (fchmod(fd, file_mode()) != 0)
		return pv_errf(err, PV_EIO, "%s: %s", o->tmp, strerror(errno));
	sha256_init(&o->sha);
	if (kind == EXP_FMT_GZ) {
		if (deflateInit2(&o->z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return pv_errf(err, PV_ECODEC, "cannot start gzip");
		o->zinit = true;
		deflateSetHeader(&o->z, &o->gzh);
	} else if (kind == EXP_FMT_ZST) {
		if (!(o->zc = ZSTD_createCCtx()))
			return pv_errf(err, PV_ENOMEM, "cannot start zstd");
		ZSTD_CCtx_setParameter(o->zc, ZSTD_c_compressionLevel, 3);
		ZSTD_CCtx_setParameter(o->zc, ZSTD_c_nbWorkers, 0);
		ZSTD_CCtx_setParameter(o->zc, ZSTD_c_checksumFlag, 1);
	}
	return 0;
}

/*
 * A large output is written around the page cache (O_DIRECT): copying it
 * into the cache costs the writing thread more than the rest of its work
 * (and pushes the store being read out of the cache), and the file is
 * synced at the end anyway.  Direct writes are whole blocks from an
 * aligned staging area; the last partial block is written the ordinary
 * way.  A file system that refuses them (or a short write) turns the
 * file back to ordinary writes, from where it stands.
 */
#define DIRECT_ALIGN 4096
#define DIRECT_STAGE (1u << 20)
#define DIRECT_MAX_FILES 64      /* beyond, the staging areas take too much */

static void out_direct(struct outfile *o)
{
	void *p;
	int fl = fcntl(o->fd, F_GETFL);

	if (fl < 0 || posix_memalign(&p, DIRECT_ALIGN, DIRECT_STAGE) != 0)
		return;
	if (fcntl(o->fd, F_SETFL, fl | O_DIRECT) != 0) {
		free(p);
		return;
	}
	o->stage = p;
	o->direct = true;
}

static void out_undirect(struct outfile *o)
{
	int fl = fcntl(o->fd, F_GETFL);

	if (fl >= 0)
		fcntl(o->fd, F_SETFL, fl & ~O_DIRECT);
	o->direct = false;
}

/* Writes n bytes at p; PV_EIO names the final file. */
static int write_all(struct outfile *o, const char *p, size_t n, struct pv_err *err)
{
	while (n) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return pv_errf(err, PV_EIO, "%s: %s", o->final,
				       strerror(w < 0 ? errno : EIO));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes the first n staged bytes (whole blocks) directly. */
static int write_direct(struct outfile *o, size_t n, struct pv_err *err)
{
	ssize_t w;

	do
		w = write(o->fd, o->stage, n);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)n)
		return 0;
	if (w < 0 && errno != EINVAL)
		return pv_errf(err, PV_EIO, "%s: %s", o->final, strerror(errno));
	out_undirect(o);
	if (w < 0)
		w = 0;
	return write_all(o, o->stage + w, n - (size_t)w, err);
}

/* Writes what is still staged: whole blocks directly, the rest not. */
static int out_flush(struct outfile *o, struct pv_err *err)
{
	size_t whole = o->staged & ~(size_t)(DIRECT_ALIGN - 1);
	size_t rest = o->staged - whole;
	int rc = 0;

	o->staged = 0;
	if (whole && o->direct)
		rc = write_direct(o, whole, err);
	if (!rc && rest) {
		out_undirect(o);
		rc = write_all(o, o->stage + whole, rest, err);
	}
	return rc;
}

/* Writes bytes to the file as they are (the callers gather them into
 * large pieces); PV_EIO names the final file. */
static int out_raw(struct outfile *o, const void *p, size_t n, struct pv_err *err)
{
	const char *c = p;
	int rc;

	sha256_update(&o->sha, n, p);
	o->bytes += n;
	while (n && o->direct) {
		size_t k = PV_MIN(n, DIRECT_STAGE - o->staged);
		memcpy(o->stage + o->staged, c, k);
		o->staged += k;
		c += k;
		n -= k;
		if (o->staged == DIRECT_STAGE) {
			o->staged = 0;
			if ((rc = write_direct(o, DIRECT_STAGE, err)))
				return rc;
		}
	}
	return write_all(o, c, n, err);
}

/* Compresses (per the file's kind) and writes; finish ends the stream. */
static int out_put(struct outfile *o, const void *p, size_t n, bool finish,
		   struct pv_err *err)
{
	int rc;

	if (o->kind == EXP_FMT_JSONL || o->kind == EXP_FMT_TEXT)
		return out_raw(o, p, n, err);
	buf_reserve(&o->zout, 1 << 16);
	if (o->kind == EXP_FMT_GZ) {
		o->z.next_in = (Bytef *)(uintptr_t)p;
		o->z.avail_in = (uInt)n;
		do {
			o->z.next_out = (Bytef *)o->zout.data;
			o->z.avail_out = 1 << 16;
			rc = deflate(&o->z, finish ? Z_FINISH : Z_NO_FLUSH);
			if (rc == Z_STREAM_ERROR)
				return pv_errf(err, PV_ECODEC, "%s: gzip failed", o->final);
			if ((rc = out_raw(o, o->zout.data, (1 << 16) - o->z.avail_out, err)))
				return rc;
		} while (o->z.avail_out == 0 || o->z.avail_in > 0);
		return 0;
	} else {
		ZSTD_inBuffer in = { p, n, 0 };
		size_t left;
		do {
			ZSTD_outBuffer out = { o->zout.data, 1 << 16, 0 };
			left = ZSTD_compressStream2(o->zc, &out, &in,
						    finish ? ZSTD_e_end : ZSTD_e_continue);
			if (ZSTD_isError(left))
				return pv_errf(err, PV_ECODEC, "%s: zstd: %s", o->final,
					       ZSTD_getErrorName(left));
			if ((rc = out_raw(o, o->zout.data, out.pos, err)))
				return rc;
		} while (finish ? left != 0 : in.pos < in.size);
		return 0;
	}
}

/* Ends a compressed stream (once). */
static int out_end(struct outfile *o, struct pv_err *err)
{
	int rc = 0;

	if ((o->kind == EXP_FMT_GZ || o->kind == EXP_FMT_ZST) && !o->ended)
		rc = out_put(o, "", 0, true, err);
	o->ended = true;
	return rc;
}

/* Ends the stream and closes the temporary file (fsync'd): nothing more
 * can fail but the rename.  Fills the digest. */
static int out_finish(struct outfile *o, struct pv_err *err)
{
	int rc, fd;

	if ((rc = out_end(o, err)) || (rc = out_flush(o, err)))
		return rc;
	fd = o->fd;
	/* still open: its lock is held until the rename (out_commit) */
	if (fsync(fd) != 0)
		return pv_errf(err, PV_EIO, "%s: %s", o->final, strerror(errno));
	sha256_digest(&o->sha, SHA256_DIGEST_SIZE, o->digest);
	return 0;
}

/* Renames the finished file into place. */
static int out_commit(struct outfile *o, struct pv_err *err)
{
	if (rename(o->tmp, o->final) != 0)
		return pv_errf(err, PV_EIO, "%s: %s", o->final, strerror(errno));
	free(o->tmp);
	o->tmp = NULL;
	if (o->open) {
		o->open = false;
		close(o->fd);    /* fsync'd: only the lock goes */
	}
	return 0;
}

/* Frees everything; removes the temporary file when it is still there. */
static void out_done(struct outfile *o)
{
	if (o->open)
		close(o->fd);
	if (o->tmp) {
		unlink(o->tmp);
		free(o->tmp);
	}
	if (o->zinit)
		deflateEnd(&o->z);
	ZSTD_freeCCtx(o->zc);
	buf_done(&o->zout);
	buf_done(&o->pend);
	free(o->stage);
	free(o->final);
	memset(o, 0, sizeof o[0]);
}

static void hex_digest(const uint8_t *d, char out[2 * SHA256_DIGEST_SIZE + 1])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * SHA256_DIGEST_SIZE] = '\0';
}

/* ---- the writing thread ---- */

/*
 * JSONL records are gathered per file (outfile.pend) into pieces of about
 * a megabyte; a full piece goes to a thread of its own, which compresses,
 * hashes and writes it while the next records are built.  At most NSLOT
 * pieces wait for it.  The bytes written are those of writing a record at
 * a time: gzip and zstd streams do not depend on how their input is cut.
 * The first error stops the writing; the building side sees it when it
 * hands over its next piece, or at the end.
 */
#define NSLOT 4
#define PIECE_MAX (1u << 20)
#define PIECE_MIN (64u << 10)
#define PIECES_ALL (32u << 20)   /* what the pieces of all shards may hold */

struct slot {
	struct outfile *o;
	struct buf data;
	bool finish;             /* end the stream after data */
};

struct writer {
	pthread_t th;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t work, room;
	struct slot slot[NSLOT];
	size_t queued, done;     /* pieces handed over, pieces written */
	bool quit;               /* nothing more comes: drop what is left */
	int rc;                  /* the first error, or 0 */
	struct pv_err err;
};

/* Writes one piece (the writing thread's side). */
static int write_piece(struct slot *sl, struct pv_err *err)
{
	int rc = 0;

	if (sl->data.len)
		rc = out_put(sl->o, sl->data.data, sl->data.len, false, err);
	if (!rc && sl->finish)
		rc = out_end(sl->o, err);
	return rc;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct pv_err e;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->done == w->queued && !w->quit)
			pthread_cond_wait(&w->work, &w->mu);
		if (w->quit)
			break;
		if (!w->rc) {
			struct slot *sl = &w->slot[w->done % NSLOT];
			int rc;
			pthread_mutex_unlock(&w->mu);
			rc = write_piece(sl, &e);
			pthread_mutex_lock(&w->mu);
			if (rc) {
				w->rc = rc;
				w->err = e;
			}
		}
		w->done++;
		pthread_cond_signal(&w->room);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Starts the thread; without one, pieces are written as they are handed
 * over. */
static void writer_start(struct writer *w)
{
	sigset_t all, old;

	memset(w, 0, sizeof *w);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->room, NULL);
	/* signals go to the main thread, which watches for Ctrl-C */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	w->running = pthread_create(&w->th, NULL, writer_main, w) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!w->running) {
		pthread_cond_destroy(&w->room);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mu);
	}
}

/* Hands o's pending records to the writer (and ends o's stream after
 * them when finish); returns the writer's error, if it had one. */
static int hand_over(struct writer *w, struct outfile *o, bool finish,
		     struct pv_err *err)
{
	struct slot *sl;
	struct buf t;
	int rc;

	if (!w->running) {
		rc = o->pend.len ? out_put(o, o->pend.data, o->pend.len, false, err) : 0;
		if (!rc && finish)
			rc = out_end(o, err);
		buf_reset(&o->pend);
		return rc;
	}
	pthread_mutex_lock(&w->mu);
	while (w->queued - w->done == NSLOT && !w->rc)
		pthread_cond_wait(&w->room, &w->mu);
	if ((rc = w->rc) && err)
		*err = w->err;
	pthread_mutex_unlock(&w->mu);
	if (rc)
		return rc;
	/* the slot is free: the writer is done with it */
	sl = &w->slot[w->queued % NSLOT];
	t = sl->data;
	sl->data = o->pend;
	o->pend = t;
	buf_reset(&o->pend);
	if (o->pend.cap > 4 * PIECE_MAX)
		buf_done(&o->pend);  /* after a huge record */
	sl->o = o;
	sl->finish = finish;
	pthread_mutex_lock(&w->mu);
	w->queued++;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

/* Waits until every piece handed over is written; returns the writer's
 * error, if it had one. */
static int writer_wait(struct writer *w, struct pv_err *err)
{
	int rc;

	if (!w->running)
		return 0;
	pthread_mutex_lock(&w->mu);
	while (w->done != w->queued && !w->rc)
		pthread_cond_wait(&w->room, &w->mu);
	if ((rc = w->rc) && err)
		*err = w->err;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* Stops the thread, dropping what it was not given time to write. */
static void writer_stop(struct writer *w)
{
	size_t i;

	if (w->running) {
		pthread_mutex_lock(&w->mu);
		w->quit = true;
		pthread_cond_signal(&w->work);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		pthread_cond_destroy(&w->room);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mu);
		w->running = false;
	}
	for (i = 0; i < NSLOT; i++)
		buf_done(&w->slot[i].data);
}

/* ---- tallies by provenance ---- */

struct tally_item {
	char *value;             /* owned; "" for none */
	int64_t records, bytes;
};

struct tally {
	struct tally_item *items;
	size_t n, cap, last;
};

static void tally_add(struct tally *t, const char *v, int64_t records, int64_t bytes)
{
	size_t i;

	if (!v)
		v = "";
	if (t->n && strcmp(t->items[t->last].value, v) == 0) {
		i = t->last;
	} else {
		for (i = 0; i < t->n; i++)
			if (strcmp(t->items[i].value, v) == 0)
				break;
		if (i == t->n) {
			if (t->n == t->cap) {
				t->cap = t->cap ? 2 * t->cap : 8;
				t->items = pv_realloc(t->items, t->cap * sizeof *t->items);
			}
			t->items[i].value = pv_strdup(v);
			t->items[i].records = t->items[i].bytes = 0;
			t->n++;
		}
		t->last = i;
	}
	t->items[i].records += records;
	t->items[i].bytes += bytes;
}

static int by_value(const void *a, const void *b)
{
	return strcmp(((const struct tally_item *)a)->value,
		      ((const struct tally_item *)b)->value);
}

static void tally_done(struct tally *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->items[i].value);
	free(t->items);
	memset(t, 0, sizeof *t);
}

/* ---- the export ---- */

struct text_file {
	char *name;              /* owned: relative to OUT */
	uint64_t bytes;
	uint8_t digest[SHA256_DIGEST_SIZE];
};

struct exp {
	/* options */
	const char *store_path, *filter_text, *out;
	enum fmt fmt;
	bool fields[F_N];
	bool keep_dups, force, have_sample, have_fraction;
	uint64_t sample;
	double fraction;
	uint64_t seed;
	char *mix_field;         /* owned */
	struct export_group *groups;    /* owned (values point into mix_spec) */
	char *mix_spec;          /* owned copy of the --mix text */
	size_t ngroups;
	int64_t total, max_repeat;  /* total: asked */
	int64_t written_total;   /* what the plan writes (--keep-shares: less) */
	bool have_maxrep, keep_shares, shuffle;
	unsigned shards;
	const char *prefix;      /* the template as given */
	int argc;
	char **argv;
	/* state */
	struct store *s;
	struct filter_sql *where;
	struct outfile *outs;    /* shards (jsonl) */
	char *tmpdir;            /* --format text: the folder being filled */
	int tmpdir_fd;           /* open on it, holding its lock; -1 when none */
	struct text_file *tfiles;
	size_t ntfiles, tcap;
	struct outfile manifest;
	struct writer w;         /* writes the JSONL files */
	size_t piece;            /* records pending per file before a write */
	struct buf rec, pre;
	int64_t records, docs, records_total, bad_utf8, text_bytes;
	struct tally by[4];
	bool tty;
};

/* Expands the --prefix template for one document. */
static void expand_prefix(const char *t, const struct export_doc *d, struct buf *out)
{
	static const char *const names[] = { "origin", "source", "generator",
		"purpose", "label", "id", "ext_id" };
	size_t i;

	buf_reset(out);
	while (*t) {
		if (*t == '\\' && t[1]) {
			char c = t[1];
			buf_putc(out, c == 'n' ? '\n' : c == 't' ? '\t' : c);
			t += 2;
			continue;
		}
		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			buf_putc(out, *t);
			t += 2;
			continue;
		}
		if (*t == '{') {
			for (i = 0; i < PV_ARRAY_LEN(names); i++) {
				size_t n = strlen(names[i]);
				if (strncmp(t + 1, names[i], n) == 0 && t[1 + n] == '}')
					break;
			}
			if (i < PV_ARRAY_LEN(names)) {
				const char *v[] = { d->origin, d->source, d->generator,
					d->purpose, d->label, NULL, d->ext_id };
				if (i == 5)
					buf_printf(out, "%lld", (long long)d->id);
				else if (v[i])
					buf_puts(out, v[i]);
				t += strlen(names[i]) + 2;
				continue;
			}
		}
		buf_putc(out, *t++);
	}
}

/* Checks a --prefix template: braces balanced (pv_template_check: {{ and
 * }} are literal braces) and placeholders known.  Returns NULL or the
 * unknown placeholder (in bad); an unbalanced brace fills e and returns
 * e->msg. */
static const char *check_prefix(const char *t, char *bad, size_t badlen,
				struct pv_err *e)
{
	static const char *const names[] = { "origin", "source", "generator",
		"purpose", "label", "id", "ext_id" };
	size_t i;

	if (pv_template_check(t, "--prefix", e))
		return e->msg;
	for (; *t; t++) {
		const char *close;
		if (*t == '\\' && t[1]) {
			t++;
			continue;
		}
		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			t++;
			continue;
		}
		if (*t != '{' || !(close = strchr(t, '}')))
			continue;
		for (i = 0; i < PV_ARRAY_LEN(names); i++)
			if ((size_t)(close - t - 1) == strlen(names[i]) &&
			    strncmp(t + 1, names[i], strlen(names[i])) == 0)
				break;
		if (i == PV_ARRAY_LEN(names)) {
			snprintf(bad, badlen, "%.*s", (int)(close - t + 1), t);
			return bad;
		}
		t = close;
	}
	return NULL;
}

/*
 * Appends meta (JSON from the store) as one line of valid JSON: line
 * breaks and tabs between tokens are dropped (a value pretty-printed in
 * its input keeps its meaning on one line), invalid UTF-8 becomes U+FFFD
 * (counted in *bad).  A value that is not valid JSON - a raw control
 * character inside a string, a truncated or damaged value - is never
 * written: PV_EPARSE naming the document.
 */
static int put_meta(struct buf *b, const char *store, const struct export_doc *d,
		    size_t *bad, struct pv_err *err)
{
	const char *m = d->meta;
	size_t len = strlen(m), i = 0, start = b->len;
	struct json_error je;
	bool in_str = false, esc = false;
	const char *why = NULL;
	size_t at = 0;

	while (i < len) {
		unsigned char c = (unsigned char)m[i];
		size_t n;
		if (c < 0x20) {
			if (in_str || (c != '\n' && c != '\r' && c != '\t')) {
				why = in_str ? "a raw control character inside a string" :
					"a control character between values";
				at = i;
				break;
			}
			i++;            /* whitespace between tokens */
			continue;
		}
		if (c < 0x80) {
			if (in_str && !esc && c == '"')
				in_str = false;
			else if (!in_str && c == '"')
				in_str = true;
			esc = in_str && !esc && c == '\\';
			buf_putc(b, (char)c);
			i++;
			continue;
		}
		esc = false;
		n = utf8_seq_len((const unsigned char *)m + i, len - i);
		if (n == 0) {
			buf_puts(b, "\xef\xbf\xbd");
			++*bad;
			i++;
		} else {
			buf_append(b, m + i, n);
			i += n;
		}
	}
	if (!why && json_parse(b->data + start, b->len - start, NULL, NULL, &je) != 0) {
		why = je.reason;
		at = je.offset;   /* in the line written, close to the stored one */
	}
	if (why) {
		b->len = start;
		b->data[start] = '\0';
		return pv_errf(err, PV_EPARSE, "%s: document %lld (ext_id %s): its stored "
			       "metadata is not valid JSON (%s, near byte %zu); no line is "
			       "written with it: re-index its input with this provex, which "
			       "stores valid JSON, or leave the metadata out (--fields "
			       "without meta)", store, (long long)d->id,
			       d->ext_id ? d->ext_id : "none", why, at);
	}
	return 0;
}

/* Appends one JSONL record to b, adding the number of invalid UTF-8
 * sequences replaced to *bad; PV_EPARSE (b as it was) when the document's
 * metadata is not valid JSON. */
static int build_record(struct exp *x, const struct export_doc *d, struct buf *b,
			size_t *bad, struct pv_err *err)
{
	bool first = true;
	size_t start = b->len;

	buf_putc(b, '{');
	if (x->fields[F_TEXT]) {
		json_put_key(b, &first, "text");
		if (x->prefix) {
			expand_prefix(x->prefix, d, &x->pre);
			buf_append(&x->pre, d->text, d->len);
			*bad += json_put_string(b, x->pre.data, x->pre.len);
		} else {
			*bad += json_put_string(b, d->text, d->len);
		}
	}
#define STR(f, name, v) do { if (x->fields[f]) { \
		json_put_key(b, &first, name); \
		if (v) *bad += json_put_string(b, v, strlen(v)); \
		else buf_puts(b, "null"); } } while (0)
	STR(F_ORIGIN, "origin", d->origin);
	STR(F_SOURCE, "source", d->source);
	STR(F_GENERATOR, "generator", d->generator);
	STR(F_PURPOSE, "purpose", d->purpose);
	STR(F_LABEL, "label", d->label);
	STR(F_NOTE, "note", d->note);
	if (x->fields[F_ID]) {
		json_put_key(b, &first, "id");
		buf_printf(b, "%lld", (long long)d->id);
	}
	STR(F_EXT_ID, "ext_id", d->ext_id);
#undef STR
	if (x->fields[F_META]) {
		json_put_key(b, &first, "meta");
		if (d->meta && *d->meta) {
			int rc = put_meta(b, x->store_path, d, bad, err);
			if (rc) {
				b->len = start;
				b->data[start] = '\0';
				return rc;
			}
		} else {
			buf_puts(b, "null");
		}
	}
	buf_puts(b, "}\n");
	return 0;
}

static void progress(struct exp *x, bool end)
{
	char a[32], t[32];

	if (!x->tty)
		return;
	if (end) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (x->records % 4096 == 0)
		fprintf(stderr, "\rprovex export: %s of %s records", pv_num(x->records, a),
			pv_num(x->records_total, t));
}

/* Writes one text file into the temporary folder. */
static int write_text_file(struct exp *x, const struct export_doc *d, uint32_t copy,
			   struct pv_err *err)
{
	struct outfile o;
	struct text_file *tf;
	struct buf path = BUF_INIT, name = BUF_INIT;
	int rc = 0;

	if (copy == 0)
		buf_printf(&name, "%lld.txt", (long long)d->id);
	else
		buf_printf(&name, "%lld-%u.txt", (long long)d->id, (unsigned)copy);
	buf_printf(&path, "%s/%s", x->tmpdir, buf_str(&name));
	memset(&o, 0, sizeof o);
	o.kind = EXP_FMT_TEXT;
	o.final = pv_strdup(x->out);
	sha256_init(&o.sha);
	if ((o.fd = open(buf_str(&path), O_WRONLY | O_CREAT | O_EXCL | O_TRUNC,
			 0666)) < 0) {
		rc = pv_errf(err, PV_EIO, "%s: %s", x->out, strerror(errno));
		goto out;
	}
	if (x->prefix) {
		/* one write: the header and the text */
		expand_prefix(x->prefix, d, &x->pre);
		buf_append(&x->pre, d->text, d->len);
		rc = out_raw(&o, x->pre.data, x->pre.len, err);
	} else {
		rc = out_raw(&o, d->text, d->len, err);
	}
	if (close(o.fd) != 0 && !rc)
		rc = pv_errf(err, PV_EIO, "%s: %s", x->out, strerror(errno));
	if (rc)
		goto out;
	if (x->ntfiles == x->tcap) {
		x->tcap = x->tcap ? 2 * x->tcap : 64;
		x->tfiles = pv_realloc(x->tfiles, x->tcap * sizeof *x->tfiles);
	}
	tf = &x->tfiles[x->ntfiles++];
	tf->name = buf_take(&name);
	tf->bytes = o.bytes;
	sha256_digest(&o.sha, SHA256_DIGEST_SIZE, tf->digest);
out:
	free(o.final);
	buf_done(&path);
	buf_done(&name);
	return rc;
}

struct row_ctx {
	struct exp *x;
	struct pv_err *err;
};

static int row_cb(void *ctx, const struct export_doc *d, uint32_t reps)
{
	struct row_ctx *rc = ctx;
	struct exp *x = rc->x;
	const char *prov[4] = { d->origin, d->source, d->generator, d->purpose };
	uint32_t k;
	int i, r;

	if (pv_stop_signal)
		return pv_errf(rc->err, PV_EINTR, "interrupted");
	/* shuffled, a document comes once per copy: counted at its first */
	if (d->copy == 0)
		x->docs++;
	if (x->fmt == EXP_FMT_TEXT) {
		if (!utf8_valid(d->text, d->len))
			x->bad_utf8++;
		for (k = 0; k < reps; k++) {
			if ((r = write_text_file(x, d, k, rc->err)))
				return r;
			x->records++;
			progress(x, false);
		}
	} else if (reps == 1) {
		/* built where it is written from */
		struct outfile *o = &x->outs[x->records % x->shards];
		size_t bad = 0;
		if ((r = build_record(x, d, &o->pend, &bad, rc->err)))
			return r;
		if (bad && d->copy == 0)
			x->bad_utf8++;
		o->records++;
		x->records++;
		progress(x, false);
		if (o->pend.len >= x->piece && (r = hand_over(&x->w, o, false, rc->err)))
			return r;
	} else {
		size_t bad = 0;
		buf_reset(&x->rec);
		if ((r = build_record(x, d, &x->rec, &bad, rc->err)))
			return r;
		if (bad)
			x->bad_utf8++;
		for (k = 0; k < reps; k++) {
			struct outfile *o = &x->outs[x->records % x->shards];
			buf_append(&o->pend, x->rec.data, x->rec.len);
			o->records++;
			x->records++;
			progress(x, false);
			if (o->pend.len >= x->piece &&
			    (r = hand_over(&x->w, o, false, rc->err)))
				return r;
		}
	}
	x->text_bytes += (int64_t)d->len * reps;
	for (i = 0; i < 4; i++)
		tally_add(&x->by[i], prov[i], reps, (int64_t)d->len * reps);
	return 0;
}

/* The name of shard k of n: OUT with -0000k-of-0000n before the extension. */
static char *shard_name(const struct exp *x, unsigned k)
{
	const char *ext = fmt_ext[x->fmt];
	size_t len = strlen(x->out), elen = strlen(ext);
	struct buf b = BUF_INIT;

	if (x->shards == 1)
		return pv_strdup(x->out);
	if (len > elen && strcmp(x->out + len - elen, ext) == 0)
		len -= elen;
	else
		ext = "";
	buf_append(&b, x->out, len);
	buf_printf(&b, "-%05u-of-%05u%s", k, x->shards, ext);
	return buf_take(&b);
}

static char *manifest_name(const char *out)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s.manifest.json", out);
	return buf_take(&b);
}

/* Refuses what cannot or may not be written, before any work: the folder
 * must exist and be writable; existing files need --force. */
static int check_target(const struct exp *x, const char *path, bool dir, struct pv_err *err)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return 0;
	if (!dir && S_ISDIR(st.st_mode))
		return pv_errf(err, PV_EIO, "%s: is a folder; not replacing it", path);
	if (!x->force)
		return pv_errf(err, PV_EIO, "%s: already exists (--force replaces it)", path);
	if (dir && S_ISDIR(st.st_mode)) {
		/* replaced only when it holds nothing but files */
		DIR *dp = opendir(path);
		struct dirent *de;
		int rc = 0;
		if (!dp)
			return pv_errf(err, PV_EIO, "%s: %s", path, strerror(errno));
		while ((de = readdir(dp))) {
			if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0) {
				rc = pv_errf(err, PV_EIO, "%s: holds folders; not replacing it",
					     path);
				break;
			}
		}
		closedir(dp);
		return rc;
	}
	return 0;
}

static int check_folder(const char *path, struct pv_err *err)
{
	char *dir = pv_dirname(path);
	struct stat st;
	int rc = 0;

	if (stat(dir, &st) != 0)
		rc = pv_errf(err, PV_EIO, "%s: the output folder does not exist", dir);
	else if (!S_ISDIR(st.st_mode))
		rc = pv_errf(err, PV_EIO, "%s: not a folder", dir);
	else if (access(dir, W_OK | X_OK) != 0)
		rc = pv_errf(err, PV_EIO, "%s: the output folder is not writable: %s",
			     dir, strerror(errno));
	free(dir);
	return rc;
}

/* Removes a folder of files (the temporary text folder, or the one
 * --force replaces). */
static void remove_folder(const char *path)
{
	DIR *dp = opendir(path);
	struct dirent *de;
	struct buf b = BUF_INIT;

	if (dp) {
		while ((de = readdir(dp))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			buf_reset(&b);
			buf_printf(&b, "%s/%s", path, de->d_name);
			unlink(buf_str(&b));
		}
		closedir(dp);
	}
	rmdir(path);
	buf_done(&b);
}

static void put_str(struct buf *b, const char *s)
{
	if (s)
		json_put_string(b, s, strlen(s));
	else
		buf_puts(b, "null");
}

/* The manifest: everything that decides the output, and what it holds.
 * No timestamps: the same export writes the same manifest. */
static void build_manifest(struct exp *x, const struct filter_ast *ast,
			   int64_t hist, int64_t ndocs, const struct export_cands *c,
			   struct buf *b)
{
	static const char *const byname[4] = { "origin", "source", "generator", "purpose" };
	struct buf canon = BUF_INIT;
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	bool first;
	size_t i, j;
	int k;

	buf_printf(b, "{\n  \"provex\": \"%s\",\n  \"command\": [", PACKAGE_VERSION);
	for (k = 0; k < x->argc; k++) {
		if (k)
			buf_puts(b, ", ");
		put_str(b, x->argv[k]);
	}
	buf_puts(b, "],\n  \"store\": ");
	put_str(b, x->store_path);
	buf_puts(b, ",\n  \"filter\": ");
	put_str(b, x->filter_text ? x->filter_text : "");
	filter_canonical(ast, &canon);
	buf_puts(b, ",\n  \"filter_canonical\": ");
	json_put_string(b, buf_str(&canon), canon.len);
	buf_done(&canon);
	buf_printf(b, ",\n  \"format\": \"%s\",\n  \"fields\": [", fmt_name[x->fmt]);
	first = true;
	for (k = 0; k < F_N; k++)
		if (x->fields[k]) {
			buf_printf(b, "%s\"%s\"", first ? "" : ", ", field_names[k]);
			first = false;
		}
	buf_printf(b, "],\n  \"seed\": %llu,\n", (unsigned long long)x->seed);
	if (x->have_sample)
		buf_printf(b, "  \"sample\": %llu,\n", (unsigned long long)x->sample);
	if (x->have_fraction)
		buf_printf(b, "  \"fraction\": %.17g,\n", x->fraction);
	buf_puts(b, "  \"prefix\": ");
	put_str(b, x->prefix);
	buf_printf(b, ",\n  \"keep_dups\": %s,\n", x->keep_dups ? "true" : "false");
	buf_printf(b, "  \"order\": \"%s\",\n", x->shuffle ? "shuffled" : "id");
	buf_printf(b, "  \"store_state\": {\"history_position\": %lld, \"documents\": %lld},\n",
		   (long long)hist, (long long)ndocs);
	buf_printf(b, "  \"candidates\": %zu,\n  \"duplicates_skipped\": %lld,\n",
		   c->n, (long long)c->dups);
	buf_printf(b, "  \"documents\": %lld,\n  \"records\": %lld,\n  \"bytes\": %lld,\n",
		   (long long)x->docs, (long long)x->records, (long long)x->text_bytes);
	buf_printf(b, "  \"invalid_utf8_documents\": %lld,\n", (long long)x->bad_utf8);
	if (x->mix_field) {
		buf_puts(b, "  \"mix\": {\"field\": ");
		put_str(b, x->mix_field);
		buf_printf(b, ", \"total\": %lld, \"total_written\": %lld, "
			   "\"max_repeat\": %lld, \"keep_shares\": %s, \"groups\": [",
			   (long long)x->total, (long long)x->records,
			   (long long)x->max_repeat, x->keep_shares ? "true" : "false");
		for (i = 0; i < x->ngroups; i++) {
			const struct export_group *g = &x->groups[i];
			buf_puts(b, i ? ",\n    {\"value\": " : "\n    {\"value\": ");
			put_str(b, g->value);
			buf_printf(b, ", \"share\": %.17g, \"available\": %lld, \"target\": %lld, "
				   "\"written\": %lld, \"written_share\": %.6f, "
				   "\"shortfall\": %lld, \"repeat\": %.4f}",
				   g->share, (long long)g->available, (long long)g->target,
				   (long long)g->written,
				   (double)g->written / (double)(x->records ? x->records : 1),
				   (long long)g->shortfall,
				   (double)g->written / (double)g->available);
		}
		buf_puts(b, "]},\n");
	}
	buf_puts(b, "  \"by\": {");
	for (k = 0; k < 4; k++) {
		struct tally *t = &x->by[k];
		qsort(t->items, t->n, sizeof *t->items, by_value);
		buf_printf(b, "%s\n    \"%s\": {", k ? "," : "", byname[k]);
		for (j = 0; j < t->n; j++) {
			buf_puts(b, j ? ", " : "");
			json_put_string(b, t->items[j].value, strlen(t->items[j].value));
			buf_printf(b, ": {\"records\": %lld, \"bytes\": %lld}",
				   (long long)t->items[j].records, (long long)t->items[j].bytes);
		}
		buf_puts(b, "}");
	}
	buf_printf(b, "\n  },\n  \"shards\": %u,\n  \"sharding\": \"round-robin\",\n"
		   "  \"files\": [", x->fmt == EXP_FMT_TEXT ? 1 : x->shards);
	if (x->fmt == EXP_FMT_TEXT) {
		for (i = 0; i < x->ntfiles; i++) {
			struct buf path = BUF_INIT;
			hex_digest(x->tfiles[i].digest, hex);
			buf_printf(&path, "%s/%s", base_of(x->out), x->tfiles[i].name);
			buf_puts(b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
			json_put_string(b, path.data, path.len);
			buf_printf(b, ", \"bytes\": %llu, \"sha256\": \"%s\"}",
				   (unsigned long long)x->tfiles[i].bytes, hex);
			buf_done(&path);
		}
	} else {
		for (i = 0; i < x->shards; i++) {
			const struct outfile *o = &x->outs[i];
			const char *name = base_of(o->final);
			hex_digest(o->digest, hex);
			buf_puts(b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
			json_put_string(b, name, strlen(name));
			buf_printf(b, ", \"records\": %lld, \"bytes\": %llu, \"sha256\": \"%s\"}",
				   (long long)o->records, (unsigned long long)o->bytes, hex);
		}
	}
	buf_puts(b, "\n  ]\n}\n");
}

/* ---- running it ---- */

/* Removes every temporary file and folder still there. */
static void cleanup(struct exp *x)
{
	size_t i;

	writer_stop(&x->w);
	if (x->outs) {
		for (i = 0; i < x->shards; i++)
			out_done(&x->outs[i]);
		free(x->outs);
		x->outs = NULL;
	}
	out_done(&x->manifest);
	if (x->tmpdir) {
		remove_folder(x->tmpdir);
		free(x->tmpdir);
		x->tmpdir = NULL;
	}
	if (x->tmpdir_fd >= 0) {
		close(x->tmpdir_fd);
		x->tmpdir_fd = -1;
	}
	for (i = 0; i < x->ntfiles; i++)
		free(x->tfiles[i].name);
	free(x->tfiles);
	x->tfiles = NULL;
	x->ntfiles = 0;
	for (i = 0; i < 4; i++)
		tally_done(&x->by[i]);
	buf_done(&x->rec);
	buf_done(&x->pre);
}

/* Without --max-repeat, a mixture repeating a document more than this
 * many times is refused unless --force (it is most likely a mistake). */
#define REPEAT_LIMIT 100

/* The copies a group's plan gives each of its documents, at most. */
static int64_t copies_of(const struct export_group *g)
{
	return g->available ? (g->written + g->available - 1) / g->available : 0;
}

/* About how many bytes a record of candidate i takes before compression. */
static double record_bytes(const struct exp *x, const struct export_cands *c, size_t i)
{
	double b = 0;

	if (x->fmt == EXP_FMT_TEXT)   /* one file each, at least a block */
		return PV_MAX(4096.0, (double)c->len[i] + (x->prefix ? 64 : 0));
	if (x->fields[F_TEXT])
		b += (double)c->len[i] + (x->prefix ? (double)strlen(x->prefix) + 32 : 0);
	if (x->fields[F_META] || x->fields[F_SOURCE] || x->fields[F_EXT_ID])
		b += (double)c->extra[i];
	return b + 140;           /* keys, nulls, origin, id */
}

/*
 * The compressed size of a .gz or .zst output as a fraction of the raw
 * one, guessed from how well the store compresses its texts (zstd with
 * the store's dictionary, one text at a time); gzip does worse than that,
 * so it gets a third more.
 */
static double compress_guess(const struct exp *x, const struct export_cands *c)
{
	double r;

	if (x->fmt != EXP_FMT_GZ && x->fmt != EXP_FMT_ZST)
		return 1;
	r = export_store_ratio(x->s, c->text_ids, c->n);
	if (x->fmt == EXP_FMT_GZ)
		r *= 4.0 / 3;
	return r < 0.05 ? 0.05 : r > 1 ? 1 : r;
}

/* About how many bytes the export writes: each candidate's record size
 * times its copies, by the compression guess. */
static double estimate(const struct exp *x, const struct export_cands *c,
		       const uint32_t *reps)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (reps[i])
			sum += (double)reps[i] * record_bytes(x, c, i);
	return sum * compress_guess(x, c);
}

/* The same, for a mixture's plan before its copies are counted out (a
 * group's documents average written / available copies). */
static double estimate_plan(const struct exp *x, const struct export_cands *c)
{
	double *per = pv_calloc(x->ngroups, sizeof *per), sum = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		per[c->group[i]] += record_bytes(x, c, i);
	for (i = 0; i < x->ngroups; i++)
		sum += per[i] * (double)x->groups[i].written / (double)x->groups[i].available;
	free(per);
	return sum * compress_guess(x, c);
}

/* "12.3 GB" for a double. */
static const char *approx_bytes(double b, char *out)
{
	return cli_bytes(b >= 1.8e19 ? UINT64_MAX : (uint64_t)b, out);
}

/*
 * Refuses a mixture that repeats documents beyond reason: more copies
 * than a record count can hold always, more than REPEAT_LIMIT without
 * --max-repeat unless --force.  Says what it would have written.
 */
static int check_repeats(const struct exp *x, const struct export_cands *c,
			 struct pv_err *err)
{
	const struct export_group *worst = NULL;
	char a[32], b[32], d[32], e[32], f[32];
	size_t i;

	for (i = 0; i < x->ngroups; i++)
		if (!worst || copies_of(&x->groups[i]) > copies_of(worst))
			worst = &x->groups[i];
	if (!worst)
		return 0;
	if (copies_of(worst) > (int64_t)UINT32_MAX || (!x->have_maxrep && !x->force &&
						     copies_of(worst) > REPEAT_LIMIT)) {
		struct buf v = BUF_INIT;
		bool hard = copies_of(worst) > (int64_t)UINT32_MAX;
		char why[256];
		int rc;
		if (hard)
			snprintf(why, sizeof why, "more copies than provex can count; "
				 "choose a smaller --total");
		else
			snprintf(why, sizeof why, "more than %d copies is refused unless "
				 "--force; --max-repeat K caps the copies (--keep-shares then "
				 "keeps the shares by writing fewer records)", REPEAT_LIMIT);
		utf8_sanitize(&v, worst->value, strlen(worst->value), SAN_ONE_LINE);
		rc = pv_errf(err, PV_EUSAGE, "--total %s would repeat each of the %s "
			     "documents of %s=%s up to %s times (%s records, about %s): %s",
			     pv_num(x->total, a), pv_num(worst->available, b),
			     x->mix_field, buf_str(&v), pv_num(copies_of(worst), d),
			     pv_num(x->written_total, e), approx_bytes(estimate_plan(x, c), f),
			     why);
		buf_done(&v);
		return rc;
	}
	return 0;
}

/*
 * Refuses an export whose estimated size exceeds the free space of the
 * target's file system, unless --force.
 */
static int check_space(const struct exp *x, const struct export_cands *c,
		       const uint32_t *reps, struct pv_err *err)
{
	char *dir = pv_dirname(x->out);
	struct statvfs fs;
	double need, avail;
	char a[32], b[32], d[32], e[32], f[32];
	int64_t docs = 0, most = 0;
	size_t i;
	int rc = 0;

	if (x->force || statvfs(dir, &fs) != 0) {
		free(dir);
		return 0;
	}
	avail = (double)fs.f_bavail * (double)fs.f_frsize;
	need = estimate(x, c, reps);
	if (need > avail) {
		for (i = 0; i < c->n; i++)
			if (reps[i]) {
				docs++;
				most = PV_MAX(most, (int64_t)reps[i]);
			}
		rc = pv_errf(err, PV_EIO, "%s: this export would write %s records (%s "
			     "documents, up to %s copies each), about %s%s, and the file "
			     "system of %s has %s free: free some space, export less, or "
			     "--force to try (a full disk leaves nothing behind)",
			     x->out, pv_num(x->records_total, a), pv_num(docs, b),
			     pv_num(most, d), approx_bytes(need, e),
			     x->fmt == EXP_FMT_GZ ? " once gzipped (a guess from the store's "
			     "compression)" : x->fmt == EXP_FMT_ZST ? " once compressed (a guess "
			     "from the store's compression)" : "", dir,
			     approx_bytes(avail, f));
	}
	free(dir);
	return rc;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is name ".BASE.XXXXXX" (the temporary of a file named BASE)?  Sets
 * *base_len. */
static bool tmp_shape(const char *name, size_t *base_len)
{
	size_t len = strlen(name), i;

	if (len < 9 || name[0] != '.' || name[len - 7] != '.')
		return false;
	for (i = len - 6; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return false;
	*base_len = len - 8;
	return true;
}

/*
 * Removes the temporaries an export killed before it could (kill -9, a
 * crash, a power cut) left beside this export's files: only names
 * .BASE.XXXXXX where BASE is one of the files this export writes (OUT,
 * each shard, the manifest), only regular files (and, for --format text,
 * folders of files), and only those no running export holds the lock of.
 * Says how many it removed.
 */
static void sweep(const struct exp *x)
{
	char *dir = pv_dirname(x->out), **names, key[512];
	size_t nnames = x->fmt == EXP_FMT_TEXT ? 2 : x->shards + 1, i, blen;
	struct dirent *de;
	struct buf path = BUF_INIT;
	int64_t removed = 0;
	DIR *dp;

	names = pv_malloc(nnames * sizeof *names);
	names[0] = manifest_name(x->out);
	if (x->fmt == EXP_FMT_TEXT)
		names[1] = pv_strdup(x->out);
	else
		for (i = 0; i < x->shards; i++)
			names[i + 1] = shard_name(x, (unsigned)i);
	for (i = 0; i < nnames; i++) {   /* their base names */
		char *b = pv_strdup(base_of(names[i]));
		free(names[i]);
		names[i] = b;
	}
	qsort(names, nnames, sizeof *names, by_str);
	if ((dp = opendir(dir))) {
		while ((de = readdir(dp))) {
			struct stat st;
			const char *k = key;
			int fd;
			if (!tmp_shape(de->d_name, &blen) || blen >= sizeof key)
				continue;
			memcpy(key, de->d_name + 1, blen);
			key[blen] = '\0';
			if (!bsearch(&k, names, nnames, sizeof *names, by_str))
				continue;
			buf_reset(&path);
			buf_printf(&path, "%s/%s", dir, de->d_name);
			if (lstat(buf_str(&path), &st) != 0 ||
			    !(S_ISREG(st.st_mode) || (S_ISDIR(st.st_mode) && x->fmt == EXP_FMT_TEXT)))
				continue;
			fd = open(buf_str(&path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0)
				continue;
			/* locked: an export is writing it */
			if (flock(fd, LOCK_EX | LOCK_NB) == 0 && same_file(fd, buf_str(&path))) {
				if (S_ISDIR(st.st_mode))
					remove_folder(buf_str(&path));
				else
					unlink(buf_str(&path));
				if (lstat(buf_str(&path), &st) != 0)
					removed++;
			}
			close(fd);
		}
		closedir(dp);
	}
	if (removed) {
		char a[32];
		fprintf(stderr, "provex export: removed %s temporary %s left in ", pv_num(removed, a),
			removed == 1 ? "file" : "files");
		cli_put_safe(stderr, dir, strlen(dir), SAN_ONE_LINE);
		fputs(" by an export that was stopped\n", stderr);
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	buf_done(&path);
	free(dir);
}

/* How many copies of each candidate: all once, a sample, or a mixture. */
static int choose(struct exp *x, const struct export_cands *c, uint32_t *reps,
		  struct pv_err *err)
{
	size_t i, g;
	int rc;

	if (x->mix_field) {
		int64_t *ids;
		uint32_t *r;
		for (g = 0; g < x->ngroups; g++)
			x->groups[g].available = 0;
		for (i = 0; i < c->n; i++)
			x->groups[c->group[i]].available++;
		if (x->keep_shares)
			rc = export_mix_fit(x->groups, x->ngroups, x->total, x->max_repeat,
					    &x->written_total, err);
		else
			rc = export_mix_plan(x->groups, x->ngroups, x->total,
					     x->max_repeat, err);
		if (rc)
			return rc;
		x->written_total = 0;
		for (g = 0; g < x->ngroups; g++)
			x->written_total += x->groups[g].written;
		if ((rc = check_repeats(x, c, err)))
			return rc;
		ids = pv_malloc((c->n ? c->n : 1) * sizeof *ids);
		r = pv_malloc((c->n ? c->n : 1) * sizeof *r);
		for (g = 0; g < x->ngroups; g++) {
			size_t n = 0, k = 0;
			for (i = 0; i < c->n; i++)
				if (c->group[i] == (int)g)
					ids[n++] = c->ids[i];
			export_repeats(ids, n, x->seed, x->groups[g].written, r);
			for (i = 0; i < c->n; i++)
				if (c->group[i] == (int)g)
					reps[i] = r[k++];
		}
		free(ids);
		free(r);
		return 0;
	}
	if (x->have_sample || x->have_fraction) {
		int64_t want = x->have_sample ?
			(int64_t)PV_MIN(x->sample, (uint64_t)c->n) :
			(int64_t)llround(x->fraction * (double)c->n);
		export_repeats(c->ids, c->n, x->seed, want, reps);
		return 0;
	}
	for (i = 0; i < c->n; i++)
		reps[i] = 1;
	return 0;
}

/* Renames everything into place: data files first, the manifest last. */
static int commit(struct exp *x, struct pv_err *err)
{
	size_t i;
	int rc;

	if (x->fmt == EXP_FMT_TEXT) {
		struct stat st;
		char *old = NULL;
		if (lstat(x->out, &st) == 0) {
			/* --force (checked before): move the old one aside first */
			old = tmp_template(x->out);
			if (!mkdtemp(old)) {
				rc = pv_errf(err, PV_EIO, "%s: %s", x->out, strerror(errno));
				free(old);
				return rc;
			}
			rmdir(old);
			if (rename(x->out, old) != 0) {
				rc = pv_errf(err, PV_EIO, "%s: %s", x->out, strerror(errno));
				free(old);
				return rc;
			}
		}
		if (rename(x->tmpdir, x->out) != 0) {
			rc = pv_errf(err, PV_EIO, "%s: %s", x->out, strerror(errno));
			if (old) {
				rename(old, x->out);
				free(old);
			}
			return rc;
		}
		free(x->tmpdir);
		x->tmpdir = NULL;
		close(x->tmpdir_fd);
		x->tmpdir_fd = -1;
		if (old) {
			if (S_ISDIR(st.st_mode))
				remove_folder(old);
			else
				unlink(old);
			free(old);
		}
	} else {
		for (i = 0; i < x->shards; i++)
			if ((rc = out_commit(&x->outs[i], err)))
				return rc;
	}
	return out_commit(&x->manifest, err);
}

static void summary(const struct exp *x, const struct export_cands *c)
{
	char a[32], b2[32], t[32];
	size_t i;

	fprintf(stderr, "provex export: %s records (%s documents, %s of text) written to ",
		pv_num(x->records, a), pv_num(x->docs, t), cli_bytes((uint64_t)x->text_bytes, b2));
	cli_put_safe(stderr, x->out, strlen(x->out), 0);
	if (x->fmt != EXP_FMT_TEXT && x->shards > 1)
		fprintf(stderr, " in %u shards (round-robin)", x->shards);
	fputc('\n', stderr);
	if (c->dups)
		fprintf(stderr, "  %s duplicate documents skipped (their text was "
			"written once; --keep-dups writes them)\n", pv_num(c->dups, a));
	if (x->bad_utf8)
		fprintf(stderr, "  %s documents held invalid UTF-8: %s\n",
			pv_num(x->bad_utf8, a), x->fmt == EXP_FMT_TEXT ?
			"written as they are" : "invalid bytes written as U+FFFD");
	if (x->mix_field) {
		int64_t asked = 0;
		for (i = 0; i < x->ngroups; i++)
			asked += x->groups[i].target;
		fprintf(stderr, "  mixture by %s: %s of the %s records asked", x->mix_field,
			pv_num(x->records, a), pv_num(asked, t));
		if (x->max_repeat)
			fprintf(stderr, " (--max-repeat %lld%s)", (long long)x->max_repeat,
				x->keep_shares ? ", --keep-shares" : "");
		fprintf(stderr, ":\n    %-20s %10s %10s %7s %10s %7s %7s\n", "group",
			"available", "asked", "share", "written", "share", "repeat");
		for (i = 0; i < x->ngroups; i++) {
			const struct export_group *g = &x->groups[i];
			struct buf v = BUF_INIT;
			char w[32];
			utf8_sanitize(&v, g->value, strlen(g->value), SAN_ONE_LINE);
			fprintf(stderr, "    %-20s %10s %10s %6.1f%% %10s %6.1f%% %7.2f\n",
				buf_str(&v), pv_num(g->available, a), pv_num(g->target, t),
				100 * (double)g->target / (double)(asked ? asked : 1),
				pv_num(g->written, w),
				100 * (double)g->written / (double)(x->records ? x->records : 1),
				(double)g->written / (double)g->available);
			buf_done(&v);
		}
		if (x->keep_shares) {
			if (x->records < asked)
				fprintf(stderr, "  --keep-shares: %s records fewer than asked, so "
					"that the shares hold with no document repeated more "
					"than %lld times\n", pv_num(asked - x->records, a),
					(long long)x->max_repeat);
		} else {
			for (i = 0; i < x->ngroups; i++)
				if (x->groups[i].shortfall) {
					fputs("  ", stderr);
					cli_put_safe(stderr, x->groups[i].value,
						     strlen(x->groups[i].value), SAN_ONE_LINE);
					fprintf(stderr, ": %s records short of its share (%s "
						"asked; --max-repeat %lld)\n",
						pv_num(x->groups[i].shortfall, a),
						pv_num(x->groups[i].target, t),
						(long long)x->max_repeat);
				}
			if (x->records < asked)
				fputs("  the shares written differ from those asked: "
				      "--keep-shares keeps them by writing fewer records\n",
				      stderr);
		}
	}
}

static int status_of(int code)
{
	if (code == PV_EUSAGE)
		return EXIT_USAGE;
	if (code == PV_EINTR)
		return cli_stop_status();
	return EXIT_FAIL;
}

static int run(struct exp *x)
{
	struct filter_ast *ast = NULL;
	struct filter_sql sql;
	struct export_cands c;
	struct pv_err e;
	struct row_ctx rctx;
	struct buf man = BUF_INIT;
	const char **values = NULL;
	uint32_t *reps = NULL;
	int64_t hist = 0, ndocs = 0;
	char *path;
	size_t i;
	int rc, status = EXIT_OK;
	bool began = false;

	pv_err_clear(&e);
	memset(&c, 0, sizeof c);
	if ((rc = cli_filter(x->filter_text, &ast, &sql))) {
		filter_sql_done(&sql);
		filter_free(ast);
		return rc;
	}
	x->where = &sql;
	/* refuse what cannot or may not be written before any work */
	if ((rc = check_folder(x->out, &e)))
		goto fail;
	if (x->fmt == EXP_FMT_TEXT) {
		if ((rc = check_target(x, x->out, true, &e)))
			goto fail;
	} else {
		for (i = 0; i < x->shards; i++) {
			path = shard_name(x, (unsigned)i);
			rc = check_target(x, path, false, &e);
			free(path);
			if (rc)
				goto fail;
		}
	}
	path = manifest_name(x->out);
	rc = check_target(x, path, false, &e);
	free(path);
	if (rc)
		goto fail;
	sweep(x);

	if (!(x->s = cli_open(x->store_path, STORE_READ))) {
		status = EXIT_FAIL;
		goto out;
	}
	if ((status = cli_filter_store(x->s, ast, &sql)))
		goto out;
	store_map(x->s);            /* an export walks much of the store */
	if ((rc = export_begin(x->s, &e)))
		goto fail;
	began = true;
	if ((rc = export_store_state(x->s, &hist, &ndocs, &e)))
		goto fail;
	if (x->mix_field) {
		values = pv_malloc(x->ngroups * sizeof *values);
		for (i = 0; i < x->ngroups; i++)
			values[i] = x->groups[i].value;
	}
	if ((rc = export_candidates(x->s, &sql, x->keep_dups, x->mix_field, values,
				    x->ngroups, &c, &e)))
		goto fail;
	reps = pv_calloc(c.n ? c.n : 1, sizeof *reps);
	if ((rc = choose(x, &c, reps, &e)))
		goto fail;
	for (i = 0; i < c.n; i++)
		x->records_total += reps[i];
	if ((rc = check_space(x, &c, reps, &e)))
		goto fail;

	/* the temporaries */
	if (x->fmt == EXP_FMT_TEXT) {
		x->tmpdir = tmp_template(x->out);
		if ((x->tmpdir_fd = mkdtemp_locked(x->tmpdir)) < 0) {
			char *dir = pv_dirname(x->out);
			rc = pv_errf(&e, PV_EIO, "%s: cannot create a folder here: %s",
				     dir, strerror(errno));
			free(dir);
			free(x->tmpdir);
			x->tmpdir = NULL;
			goto fail;
		}
	} else {
		x->outs = pv_calloc(x->shards, sizeof *x->outs);
		for (i = 0; i < x->shards; i++) {
			path = shard_name(x, (unsigned)i);
			rc = out_open(&x->outs[i], path, x->fmt, &e);
			free(path);
			if (rc)
				goto fail;
			if (x->shards <= DIRECT_MAX_FILES)
				out_direct(&x->outs[i]);
		}
		x->piece = PV_MAX(PIECE_MIN, PV_MIN(PIECE_MAX, PIECES_ALL / x->shards));
		writer_start(&x->w);
	}

	rctx.x = x;
	rctx.err = &e;
	cli_stop_catch();
	if (x->shuffle)
		rc = export_rows_shuffled(x->s, c.ids, reps, c.n, x->seed, row_cb, &rctx, &e);
	else
		rc = export_rows(x->s, c.ids, reps, c.n, row_cb, &rctx, &e);
	cli_stop_release();
	progress(x, true);
	if (!rc && pv_stop_signal)
		rc = pv_errf(&e, PV_EINTR, "interrupted");
	if (rc)
		goto fail;
	for (i = 0; x->outs && i < x->shards; i++)
		if ((rc = hand_over(&x->w, &x->outs[i], true, &e)))
			goto fail;
	if ((rc = writer_wait(&x->w, &e)))
		goto fail;
	writer_stop(&x->w);
	for (i = 0; x->outs && i < x->shards; i++)
		if ((rc = out_finish(&x->outs[i], &e)))
			goto fail;

	build_manifest(x, ast, hist, ndocs, &c, &man);
	path = manifest_name(x->out);
	rc = out_open(&x->manifest, path, EXP_FMT_JSONL, &e);
	free(path);
	if (rc || (rc = out_put(&x->manifest, man.data, man.len, true, &e)) ||
	    (rc = out_finish(&x->manifest, &e)) || (rc = commit(x, &e)))
		goto fail;
	summary(x, &c);
	goto out;
fail:
	if (rc == PV_EINTR)
		cli_errorf("interrupted: nothing written under %s; run the same "
			   "command again to write it", x->out);
	else
		cli_error(&e);
	status = status_of(rc);
out:
	cleanup(x);
	if (began)
		export_end(x->s);
	store_close(x->s);
	x->s = NULL;
	buf_done(&man);
	free(values);
	free(reps);
	export_cands_done(&c);
	filter_sql_done(&sql);
	filter_free(ast);
	return status;
}

/* Parses --mix FIELD=V:SHARE,...; returns EXIT_OK or prints and returns
 * EXIT_USAGE. */
static int parse_mix(struct exp *x, const char *spec)
{
	char *eq, *p, *item, *save = NULL;
	size_t i;

	free(x->mix_spec);
	free(x->mix_field);
	free(x->groups);
	x->groups = NULL;
	x->ngroups = 0;
	x->mix_spec = pv_strdup(spec);
	if (!(eq = strchr(x->mix_spec, '='))) {
		x->mix_field = NULL;
		return cli_usage("export", "--mix needs FIELD=VALUE:SHARE,... "
				 "(e.g. origin=real:0.7,synthetic:0.3)");
	}
	*eq = '\0';
	x->mix_field = pv_strdup(x->mix_spec);
	if (!export_mix_column(x->mix_field))
		return cli_usage("export", "--mix: cannot mix on '%s' (origin, source, "
				 "generator, purpose, label)", x->mix_field);
	x->groups = pv_calloc(strlen(eq + 1) / 2 + 1, sizeof *x->groups);
	for (p = eq + 1; (item = strtok_r(p, ",", &save)); p = NULL) {
		char *colon = strrchr(item, ':'), *end;
		struct export_group *g = &x->groups[x->ngroups];
		if (!colon || colon == item)
			return cli_usage("export", "--mix: '%s' is not VALUE:SHARE", item);
		*colon = '\0';
		errno = 0;
		g->share = strtod(colon + 1, &end);
		if (errno || end == colon + 1 || *end || !isfinite(g->share))
			return cli_usage("export", "--mix: '%s' is not a share (a number "
					 "between 0 and 1)", colon + 1);
		g->value = item;
		for (i = 0; i < x->ngroups; i++)
			if (strcmp(x->groups[i].value, item) == 0)
				return cli_usage("export", "--mix names '%s' twice", item);
		x->ngroups++;
	}
	if (!x->ngroups)
		return cli_usage("export", "--mix names no groups");
	return EXIT_OK;
}

static bool parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return false;
	*out = v;
	return true;
}

static void exp_done(struct exp *x)
{
	free(x->mix_spec);
	free(x->mix_field);
	free(x->groups);
	free(x->argv);
}

int cmd_export(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_FIELDS, O_SAMPLE, O_FRACTION, O_SEED, O_MIX,
	       O_TOTAL, O_MAXREP, O_SHARDS, O_PREFIX, O_KEEP, O_FORCE, O_SHUFFLE,
	       O_KEEPSHARES };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "fields", required_argument, NULL, O_FIELDS },
		{ "sample", required_argument, NULL, O_SAMPLE },
		{ "fraction", required_argument, NULL, O_FRACTION },
		{ "seed", required_argument, NULL, O_SEED },
		{ "mix", required_argument, NULL, O_MIX },
		{ "total", required_argument, NULL, O_TOTAL },
		{ "max-repeat", required_argument, NULL, O_MAXREP },
		{ "shards", required_argument, NULL, O_SHARDS },
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "keep-dups", no_argument, NULL, O_KEEP },
		{ "force", no_argument, NULL, O_FORCE },
		{ "shuffle", no_argument, NULL, O_SHUFFLE },
		{ "keep-shares", no_argument, NULL, O_KEEPSHARES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct exp x;
	const char *format = NULL, *field_list = NULL;
	bool have_total = false, have_shards = false;
	char bad[256];
	struct pv_err perr;
	int c, k, status;

	memset(&x, 0, sizeof x);
	x.shards = 1;
	x.tmpdir_fd = -1;
	/* getopt_long permutes argv: the manifest records it as given */
	x.argc = argc;
	x.argv = pv_malloc(((size_t)argc + 1) * sizeof *x.argv);
	memcpy(x.argv, argv, ((size_t)argc + 1) * sizeof *x.argv);
	x.tty = isatty(STDERR_FILENO);
	for (k = 0; k < F_N; k++)
		x.fields[k] = true;
	optind = 1;
	int optend = cli_filter_dash(argc, argv, "ho:", longopts);
	status = EXIT_OK;
	while (status == EXIT_OK &&
	       (c = getopt_long(optend, argv, "ho:", longopts, NULL)) != -1) {
		int64_t v = 0;
		char *end;
		switch (c) {
		case 'o': x.out = optarg; break;
		case O_FORMAT: format = optarg; break;
		case O_FIELDS: field_list = optarg; break;
		case O_SAMPLE:
			if (!parse_int(optarg, &v) || v <= 0)
				status = cli_usage("export", "--sample needs a positive "
						   "number, not '%s'", optarg);
			x.sample = (uint64_t)v;
			x.have_sample = true;
			break;
		case O_FRACTION:
			errno = 0;
			x.fraction = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(x.fraction > 0 &&
								x.fraction <= 1))
				status = cli_usage("export", "--fraction needs a number above "
						   "0 and at most 1, not '%s'", optarg);
			x.have_fraction = true;
			break;
		case O_SEED:
			if (!parse_int(optarg, &v) || v < 0)
				status = cli_usage("export", "--seed needs a non-negative "
						   "number, not '%s'", optarg);
			x.seed = (uint64_t)v;
			break;
		case O_MIX: status = parse_mix(&x, optarg); break;
		case O_TOTAL:
			if (!parse_int(optarg, &x.total) || x.total <= 0)
				status = cli_usage("export", "--total needs a positive "
						   "number, not '%s'", optarg);
			have_total = true;
			break;
		case O_MAXREP:
			if (!parse_int(optarg, &x.max_repeat) || x.max_repeat <= 0)
				status = cli_usage("export", "--max-repeat needs a positive "
						   "number, not '%s'", optarg);
			x.have_maxrep = true;
			break;
		case O_SHARDS:
			if (!parse_int(optarg, &v) || v <= 0 || v > 99999)
				status = cli_usage("export", "--shards needs a number from 1 "
						   "to 99999, not '%s'", optarg);
			x.shards = (unsigned)v;
			have_shards = true;
			break;
		case O_PREFIX:
			x.prefix = optarg;
			pv_err_clear(&perr);
			if (check_prefix(optarg, bad, sizeof bad, &perr))
				status = perr.code ? cli_usage("export", "%s", perr.msg) :
					 cli_usage("export", "--prefix: unknown field %s "
						   "(origin, source, generator, purpose, label, "
						   "id, ext_id)", bad);
			break;
		case O_KEEP: x.keep_dups = true; break;
		case O_FORCE: x.force = true; break;
		case O_SHUFFLE: x.shuffle = true; break;
		case O_KEEPSHARES: x.keep_shares = true; break;
		case 'h':
			fputs(usage_text, stdout);
			exp_done(&x);
			return EXIT_OK;
		default:
			status = cli_bad_option("export");
		}
	}
	if (status != EXIT_OK)
		goto out;
	if (argc - optind < 1 || argc - optind > 2) {
		status = cli_usage("export", argc - optind < 1 ? "expected STORE" :
				   "expected STORE and one FILTER (quote it: 'origin:real len:>100')");
		goto out;
	}
	x.store_path = argv[optind];
	x.filter_text = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (!x.out || !*x.out) {
		status = cli_usage("export", "-o OUT is required");
		goto out;
	}
	if (format) {
		for (k = 0; k < 4; k++)
			if (strcmp(format, fmt_name[k]) == 0)
				break;
		if (k == 4) {
			status = cli_usage("export", "unknown format '%s' (jsonl, jsonl.gz, "
					   "jsonl.zst, text)", format);
			goto out;
		}
		x.fmt = (enum fmt)k;
	} else {
		size_t len = strlen(x.out);
		for (k = 2; k >= 0; k--) {
			size_t elen = strlen(fmt_ext[k]);
			if (len > elen && strcmp(x.out + len - elen, fmt_ext[k]) == 0)
				break;
		}
		if (k < 0) {
			status = cli_usage("export", "cannot tell the format from '%s': name "
					   "it .jsonl, .jsonl.gz or .jsonl.zst, or use --format",
					   x.out);
			goto out;
		}
		x.fmt = (enum fmt)k;
	}
	if (x.fmt == EXP_FMT_TEXT) {
		/* the folder's own name, without trailing slashes */
		size_t len = strlen(x.out);
		while (len > 1 && x.out[len - 1] == '/')
			len--;
		if (len != strlen(x.out)) {
			status = cli_usage("export", "--format text: name the folder "
					   "without a trailing '/'");
			goto out;
		}
		if (have_shards || field_list || x.shuffle) {
			status = cli_usage("export", "--format text writes one file per "
					   "document: --%s does not apply",
					   have_shards ? "shards" : field_list ? "fields" :
					   "shuffle");
			goto out;
		}
	}
	if (field_list) {
		char *copy = pv_strdup(field_list), *f, *save = NULL, *p;
		for (k = 0; k < F_N; k++)
			x.fields[k] = false;
		for (p = copy; (f = strtok_r(p, ",", &save)); p = NULL) {
			for (k = 0; k < F_N; k++)
				if (strcmp(f, field_names[k]) == 0)
					break;
			if (k == F_N) {
				status = cli_usage("export", "--fields: unknown field '%s' (text, "
						   "origin, source, generator, purpose, label, "
						   "note, id, ext_id, meta)", f);
				break;
			}
			x.fields[k] = true;
		}
		free(copy);
		if (status != EXIT_OK)
			goto out;
	}
	if ((x.have_sample + x.have_fraction + (x.mix_field != NULL)) > 1) {
		status = cli_usage("export", "--sample, --fraction and --mix exclude "
				   "each other");
		goto out;
	}
	if (x.mix_field && !have_total) {
		status = cli_usage("export", "--mix needs --total N");
		goto out;
	}
	if (!x.mix_field && (have_total || x.have_maxrep || x.keep_shares)) {
		status = cli_usage("export", "--%s only applies with --mix",
				   have_total ? "total" : x.have_maxrep ? "max-repeat" :
				   "keep-shares");
		goto out;
	}
	if (x.keep_shares && !x.have_maxrep) {
		status = cli_usage("export", "--keep-shares needs --max-repeat K (the "
				   "copies of a document it keeps the shares within)");
		goto out;
	}
	status = run(&x);
out:
	exp_done(&x);
	return status;
}
