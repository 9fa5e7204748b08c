/*
 * output.c - the output files of an export: each written under a
 * temporary name (.BASE.XXXXXX, locked) in its final folder and renamed
 * into place at the end, gzip or zstd compressed as it goes, its SHA-256
 * taken; the names of the files; the checks of the target before any
 * work, and the sweep of temporaries a killed export left.
 *
 * Ownership: a struct outfile owns its names, descriptor, compressor and
 * buffers until xp_out_done(), which also removes the temporary file.
 */
#include "config.h"
#include "export_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const export_fmt_ext[4] = { ".jsonl", ".jsonl.gz", ".jsonl.zst", "" };
const char *const export_fmt_name[4] = { "jsonl", "jsonl.gz", "jsonl.zst", "text" };

const char *xp_base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* "DIR/.BASE.XXXXXX", for mkstemp/mkdtemp; owned by the caller. */
char *xp_tmp_template(const char *final)
{
	char *dir = pv_dirname(final);
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s/.%s.XXXXXX", dir, xp_base_of(final));
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
int xp_mkdtemp_locked(char *tmpl)
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
int xp_out_open(struct outfile *o, const char *final, enum export_fmt kind,
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
	o->tmp = xp_tmp_template(final);
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
	if (kind == EXPORT_GZ) {
		if (deflateInit2(&o->z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return pv_errf(err, PV_ECODEC, "cannot start gzip");
		o->zinit = true;
		deflateSetHeader(&o->z, &o->gzh);
	} else if (kind == EXPORT_ZST) {
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

void xp_out_direct(struct outfile *o)
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
int xp_out_raw(struct outfile *o, const void *p, size_t n, struct pv_err *err)
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
int xp_out_put(struct outfile *o, const void *p, size_t n, bool finish,
		   struct pv_err *err)
{
	int rc;

	if (o->kind == EXPORT_JSONL || o->kind == EXPORT_TEXT)
		return xp_out_raw(o, p, n, err);
	buf_reserve(&o->zout, 1 << 16);
	if (o->kind == EXPORT_GZ) {
		o->z.next_in = (Bytef *)(uintptr_t)p;
		o->z.avail_in = (uInt)n;
		do {
			o->z.next_out = (Bytef *)o->zout.data;
			o->z.avail_out = 1 << 16;
			rc = deflate(&o->z, finish ? Z_FINISH : Z_NO_FLUSH);
			if (rc == Z_STREAM_ERROR)
				return pv_errf(err, PV_ECODEC, "%s: gzip failed", o->final);
			if ((rc = xp_out_raw(o, o->zout.data, (1 << 16) - o->z.avail_out, err)))
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
			if ((rc = xp_out_raw(o, o->zout.data, out.pos, err)))
				return rc;
		} while (finish ? left != 0 : in.pos < in.size);
		return 0;
	}
}

/* Ends a compressed stream (once). */
int xp_out_end(struct outfile *o, struct pv_err *err)
{
	int rc = 0;

	if ((o->kind == EXPORT_GZ || o->kind == EXPORT_ZST) && !o->ended)
		rc = xp_out_put(o, "", 0, true, err);
	o->ended = true;
	return rc;
}

/* Ends the stream and closes the temporary file (fsync'd): nothing more
 * can fail but the rename.  Fills the digest. */
int xp_out_finish(struct outfile *o, struct pv_err *err)
{
	int rc, fd;

	if ((rc = xp_out_end(o, err)) || (rc = out_flush(o, err)))
		return rc;
	fd = o->fd;
	/* still open: its lock is held until the rename (out_commit) */
	if (fsync(fd) != 0)
		return pv_errf(err, PV_EIO, "%s: %s", o->final, strerror(errno));
	sha256_digest(&o->sha, SHA256_DIGEST_SIZE, o->digest);
	return 0;
}

/* Renames the finished file into place. */
int xp_out_commit(struct outfile *o, struct pv_err *err)
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
void xp_out_done(struct outfile *o)
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

void xp_hex_digest(const uint8_t *d, char out[2 * SHA256_DIGEST_SIZE + 1])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * SHA256_DIGEST_SIZE] = '\0';
}
/* The name of shard k of n: OUT with -0000k-of-0000n before the extension. */
char *xp_shard_name(const struct exp *x, unsigned k)
{
	const char *ext = export_fmt_ext[x->o->fmt];
	size_t len = strlen(x->o->out), elen = strlen(ext);
	struct buf b = BUF_INIT;

	if (x->o->shards == 1)
		return pv_strdup(x->o->out);
	if (len > elen && strcmp(x->o->out + len - elen, ext) == 0)
		len -= elen;
	else
		ext = "";
	buf_append(&b, x->o->out, len);
	buf_printf(&b, "-%05u-of-%05u%s", k, x->o->shards, ext);
	return buf_take(&b);
}

char *xp_manifest_name(const char *out)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s.manifest.json", out);
	return buf_take(&b);
}

/* Refuses what cannot or may not be written, before any work: the folder
 * must exist and be writable; existing files need --force. */
int xp_check_target(const struct exp *x, const char *path, bool dir, struct pv_err *err)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return 0;
	if (!dir && S_ISDIR(st.st_mode))
		return pv_errf(err, PV_EIO, "%s: is a folder; not replacing it", path);
	if (!x->o->force)
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

int xp_check_folder(const char *path, struct pv_err *err)
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
void xp_remove_folder(const char *path)
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
 * Returns how many it removed.
 */
int64_t xp_sweep(const struct exp *x)
{
	char *dir = pv_dirname(x->o->out), **names, key[512];
	size_t nnames = x->o->fmt == EXPORT_TEXT ? 2 : x->o->shards + 1, i, blen;
	struct dirent *de;
	struct buf path = BUF_INIT;
	int64_t removed = 0;
	DIR *dp;

	names = pv_malloc(nnames * sizeof *names);
	names[0] = xp_manifest_name(x->o->out);
	if (x->o->fmt == EXPORT_TEXT)
		names[1] = pv_strdup(x->o->out);
	else
		for (i = 0; i < x->o->shards; i++)
			names[i + 1] = xp_shard_name(x, (unsigned)i);
	for (i = 0; i < nnames; i++) {   /* their base names */
		char *b = pv_strdup(xp_base_of(names[i]));
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
			    !(S_ISREG(st.st_mode) || (S_ISDIR(st.st_mode) && x->o->fmt == EXPORT_TEXT)))
				continue;
			fd = open(buf_str(&path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0)
				continue;
			/* locked: an export is writing it */
			if (flock(fd, LOCK_EX | LOCK_NB) == 0 && same_file(fd, buf_str(&path))) {
				if (S_ISDIR(st.st_mode))
					xp_remove_folder(buf_str(&path));
				else
					unlink(buf_str(&path));
				if (lstat(buf_str(&path), &st) != 0)
					removed++;
			}
			close(fd);
		}
		closedir(dp);
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	buf_done(&path);
	free(dir);
	return removed;
}
