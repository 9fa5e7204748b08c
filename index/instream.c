/*
 * instream.c - one input as a byte stream.  Owns the file descriptor, the
 * compressed-input buffer and the decompressor state (zlib for gzip, with
 * every member of a multi-member file; zstd streaming for every frame).
 * The kind is chosen from the first bytes (1f 8b: gzip, 28 b5 2f fd:
 * zstd, anything else: plain), never from the name; xz, bzip2 and lz4
 * magic bytes are refused (read as plain, they would make binary
 * documents).
 *
 * Memory stays bounded: one IN_CHUNK input buffer, and output is written
 * straight into the caller's buffer.  Damage is reported only after every
 * byte that decoded fine has been delivered: the error is kept and
 * returned by the read after the last good bytes (a sticky error; every
 * later read returns it again).
 */
#include "instream.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define IN_CHUNK (256 * 1024)

enum in_kind { IN_PLAIN, IN_GZIP, IN_ZSTD };

struct instream {
	char *name;             /* path as given ("-" for standard input) */
	char *label;            /* 'name' quoted, or "standard input" */
	int fd;
	enum in_kind kind;
	unsigned char *in;      /* IN_CHUNK bytes read from fd, not yet used */
	size_t in_len, in_pos;
	int eof;                /* fd returned 0 */
	uint64_t pos, size;     /* bytes read from fd; file size or 0 */

	z_stream z;
	int z_init;
	int z_member_ended;     /* last inflate() returned Z_STREAM_END */

	ZSTD_DCtx *zd;
	size_t zret;            /* last ZSTD_decompressStream() hint; 0: frame done */

	int perr;               /* sticky error code, 0 if none */
	char pmsg[sizeof ((struct pv_err *)0)->msg];
};

/* The input as messages name it: 'path', or standard input for "-". */
static const char *shown(const struct instream *s)
{
	return s->label;
}

/*
 * Makes code with a message the stream's sticky error and fills err with
 * it.  Returns code.
 */
static int set_error(struct instream *s, struct pv_err *err, int code,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int set_error(struct instream *s, struct pv_err *err, int code,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->pmsg, sizeof s->pmsg, fmt, ap);
	va_end(ap);
	s->perr = code;
	return pv_errf(err, code, "%s", s->pmsg);
}

/*
 * Refills the input buffer when it is used up.  Returns 0 (with data, or
 * with s->eof set), or PV_EIO.
 */
static int refill(struct instream *s, struct pv_err *err)
{
	ssize_t n;

	if (s->in_pos < s->in_len || s->eof)
		return 0;
	s->in_pos = s->in_len = 0;
	do
		n = read(s->fd, s->in, IN_CHUNK);
	while (n < 0 && errno == EINTR && !pv_stop_signal);
	if (n < 0 && errno == EINTR)
		return pv_errf(err, PV_EINTR, "interrupted while reading %s", shown(s));
	if (n < 0)
		return set_error(s, err, PV_EIO, "cannot read %s: %s",
				 shown(s), strerror(errno));
	if (n == 0)
		s->eof = 1;
	s->in_len = (size_t)n;
	s->pos += (uint64_t)n;
	return 0;
}

/*
 * instream_open - opens path (or standard input for "-"), reads the first
 * bytes and sets up the decompressor they call for.  Returns 0 with *out
 * set, or a negative code (PV_ENOTFOUND for a missing file, PV_EIO for the
 * rest) with err naming the file.  The caller owns *out.
 */
int instream_open(struct instream **out, const char *path, struct pv_err *err)
{
	struct instream *s;
	struct stat st;
	int fd, rc;
	ssize_t n;

	*out = NULL;
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		do
			fd = open(path, O_RDONLY | O_CLOEXEC);
		while (fd < 0 && errno == EINTR && !pv_stop_signal);
		if (fd < 0 && errno == EINTR)
			return pv_errf(err, PV_EINTR, "interrupted while opening '%s'",
				       path);
		if (fd < 0)
			return pv_errf(err, errno == ENOENT || errno == ENOTDIR
				       ? PV_ENOTFOUND : PV_EIO,
				       "cannot open '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		rc = pv_errf(err, PV_EIO, "cannot open '%s': %s", path,
			     strerror(errno));
		goto fail_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = pv_errf(err, PV_EIO, "cannot read '%s': Is a directory", path);
		goto fail_fd;
	}

	s = pv_calloc(1, sizeof *s);
	s->name = pv_strdup(path);
	if (fd == STDIN_FILENO) {
		s->label = pv_strdup("standard input");
	} else {
		s->label = pv_malloc(strlen(path) + 3);
		sprintf(s->label, "'%s'", path);
	}
	s->fd = fd;
	s->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	s->in = pv_malloc(IN_CHUNK);

	/* Gather at least 4 bytes (or all there is) to look at the magic. */
	while (s->in_len < 4 && !s->eof) {
		n = read(fd, s->in + s->in_len, IN_CHUNK - s->in_len);
		if (n < 0 && errno == EINTR && !pv_stop_signal)
			continue;
		if (n < 0) {
			rc = pv_errf(err, errno == EINTR ? PV_EINTR : PV_EIO, "cannot read %s: %s", shown(s),
				     strerror(errno));
			instream_close(s);
			return rc;
		}
		if (n == 0)
			s->eof = 1;
		s->in_len += (size_t)n;
		s->pos += (uint64_t)n;
	}

	{
		/* compressors provex does not decode: refused, not read as text */
		static const struct { const char *magic; size_t n; const char *name,
			*cmd; } other[] = {
			{ "\xfd" "7zXZ\0", 6, "xz", "xz -dc" },
			{ "BZh", 3, "bzip2", "bzip2 -dc" },
			{ "\x04\x22\x4d\x18", 4, "lz4", "lz4 -dc" },
		};
		size_t k;

		for (k = 0; k < PV_ARRAY_LEN(other); k++)
			if (s->in_len >= other[k].n &&
			    memcmp(s->in, other[k].magic, other[k].n) == 0 &&
			    (other[k].n > 3 || (s->in_len > 3 && s->in[3] >= '1' &&
						s->in[3] <= '9'))) {
				rc = pv_errf(err, PV_ECODEC, "%s is compressed with %s, "
					     "which provex does not read: decompress it, "
					     "or pipe it in: %s FILE | provex index STORE -",
					     shown(s), other[k].name, other[k].cmd);
				instream_close(s);
				return rc;
			}
	}
	if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		s->kind = IN_GZIP;
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
			rc = pv_errf(err, PV_ENOMEM, "%s: cannot start gzip decoder",
				     shown(s));
			instream_close(s);
			return rc;
		}
		s->z_init = 1;
	} else if (s->in_len >= 4 && s->in[0] == 0x28 && s->in[1] == 0xb5 &&
		   s->in[2] == 0x2f && s->in[3] == 0xfd) {
		s->kind = IN_ZSTD;
		s->zd = ZSTD_createDCtx();
		if (!s->zd) {
			rc = pv_errf(err, PV_ENOMEM, "%s: cannot start zstd decoder",
				     shown(s));
			instream_close(s);
			return rc;
		}
	}
	*out = s;
	return 0;

fail_fd:
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

/* Plain input: buffered bytes first, then straight reads into dst. */
static ssize_t read_plain(struct instream *s, unsigned char *dst, size_t n,
			  struct pv_err *err)
{
	ssize_t r;

	if (s->in_pos < s->in_len) {
		size_t k = PV_MIN(n, s->in_len - s->in_pos);
		memcpy(dst, s->in + s->in_pos, k);
		s->in_pos += k;
		return (ssize_t)k;
	}
	if (s->eof)
		return 0;
	do
		r = read(s->fd, dst, n);
	while (r < 0 && errno == EINTR && !pv_stop_signal);
	if (r < 0 && errno == EINTR)
		return pv_errf(err, PV_EINTR, "interrupted while reading %s", shown(s));
	if (r < 0)
		return set_error(s, err, PV_EIO, "cannot read %s: %s",
				 shown(s), strerror(errno));
	if (r == 0)
		s->eof = 1;
	s->pos += (uint64_t)r;
	return r;
}

/* True when every unused input byte up to EOF is zero (tape padding). */
static int rest_is_zeros(struct instream *s, struct pv_err *err, int *rc)
{
	for (;;) {
		while (s->in_pos < s->in_len)
			if (s->in[s->in_pos++] != 0)
				return 0;
		if (s->eof)
			return 1;
		if ((*rc = refill(s, err)) < 0)
			return 0;
	}
}

/*
 * gzip input: inflate into dst; a new member may follow the end of one.
 * Returns bytes produced (> 0), 0 at the clean end, or a negative code
 * once nothing more can be produced.
 */
static ssize_t read_gzip(struct instream *s, unsigned char *dst, size_t n,
			 struct pv_err *err)
{
	int zr, rc = 0;
	size_t got;

	s->z.next_out = dst;
	s->z.avail_out = (uInt)PV_MIN(n, (size_t)1 << 30);
	for (;;) {
		if (s->z_member_ended) {
			/* Between members: another one, padding, or the end. */
			if ((rc = refill(s, err)) < 0)
				break;
			if (s->in_pos == s->in_len && s->eof)
				break;
			if (s->in[s->in_pos] != 0x1f) {
				if (rest_is_zeros(s, err, &rc) || rc < 0)
					break;
				rc = set_error(s, err, PV_ECODEC,
					       "%s: unexpected data after the gzip stream",
					       shown(s));
				break;
			}
			inflateReset(&s->z);
			s->z_member_ended = 0;
		}
		if ((rc = refill(s, err)) < 0)
			break;
		s->z.next_in = s->in + s->in_pos;
		s->z.avail_in = (uInt)(s->in_len - s->in_pos);
		zr = inflate(&s->z, Z_NO_FLUSH);
		s->in_pos = s->in_len - s->z.avail_in;
		if (zr == Z_STREAM_END) {
			s->z_member_ended = 1;
		} else if (zr == Z_BUF_ERROR && s->eof && s->in_pos == s->in_len) {
			rc = set_error(s, err, PV_ETRUNC,
				       "%s: truncated gzip data (unexpected end of file)",
				       shown(s));
			break;
		} else if (zr == Z_MEM_ERROR) {
			rc = set_error(s, err, PV_ENOMEM, "%s: out of memory in gzip decoder",
				       shown(s));
			break;
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			rc = set_error(s, err, PV_ECODEC, "%s: corrupt gzip data: %s",
				       shown(s), s->z.msg ? s->z.msg : "unknown error");
			break;
		} else if (s->eof && s->in_pos == s->in_len && s->z.avail_out > 0) {
			/* Input all given, output room left, member not over. */
			got = (size_t)(s->z.next_out - dst);
			if (got > 0)
				return (ssize_t)got;
			rc = set_error(s, err, PV_ETRUNC,
				       "%s: truncated gzip data (unexpected end of file)",
				       shown(s));
			break;
		}
		if (s->z.avail_out == 0)
			break;
		if (s->z.next_out != dst && !s->z_member_ended)
			break;
	}
	got = (size_t)(s->z.next_out - dst);
	if (got > 0)
		return (ssize_t)got;
	return rc;
}

/*
 * zstd input: decompress into dst, frame after frame.  Returns bytes
 * produced (> 0), 0 at the clean end, or a negative code.
 */
static ssize_t read_zstd(struct instream *s, unsigned char *dst, size_t n,
			 struct pv_err *err)
{
	ZSTD_outBuffer ob = { dst, n, 0 };
	ZSTD_inBuffer ib;
	size_t zr;
	int rc;

	for (;;) {
		if ((rc = refill(s, err)) < 0)
			return rc;
		ib.src = s->in + s->in_pos;
		ib.size = s->in_len - s->in_pos;
		ib.pos = 0;
		if (ib.size == 0 && s->zret == 0)
			return 0;       /* every frame complete, input over */
		zr = ZSTD_decompressStream(s->zd, &ob, &ib);
		s->in_pos += ib.pos;
		if (ZSTD_isError(zr))
			return set_error(s, err, PV_ECODEC, "%s: corrupt zstd data: %s",
					 shown(s), ZSTD_getErrorName(zr));
		s->zret = zr;
		if (ob.pos > 0)
			return (ssize_t)ob.pos;
		if (ib.size == 0 && s->eof)
			return set_error(s, err, PV_ETRUNC,
					 "%s: truncated zstd data (unexpected end of file)",
					 shown(s));
	}
}

/*
 * instream_read - reads up to n decompressed bytes into dst.  Returns the
 * count (> 0), 0 at the end, or a negative code with err naming the file;
 * after an error every later call returns it again.
 */
ssize_t instream_read(struct instream *s, void *dst, size_t n, struct pv_err *err)
{
	if (s->perr)
		return pv_errf(err, s->perr, "%s", s->pmsg);
	if (n == 0)
		return 0;
	switch (s->kind) {
	case IN_GZIP:
		return read_gzip(s, dst, n, err);
	case IN_ZSTD:
		return read_zstd(s, dst, n, err);
	default:
		return read_plain(s, dst, n, err);
	}
}

/* instream_checked - true for compressed input (gzip, zstd), whose data
 * is known good only once a member or frame ends with its check. */
bool instream_checked(const struct instream *s)
{
	return s->kind != IN_PLAIN;
}

/* instream_pos - bytes read from the file so far (compressed bytes). */
uint64_t instream_pos(const struct instream *s)
{
	return s->pos;
}

/* instream_size - the file's size, or 0 when it is not a regular file. */
uint64_t instream_size(const struct instream *s)
{
	return s->size;
}

/* instream_name - the path as given to instream_open.  Borrowed. */
const char *instream_name(const struct instream *s)
{
	return s->name;
}

/* instream_close - closes the file (not standard input) and frees s. */
void instream_close(struct instream *s)
{
	if (!s)
		return;
	if (s->z_init)
		inflateEnd(&s->z);
	ZSTD_freeDCtx(s->zd);
	if (s->fd != STDIN_FILENO)
		close(s->fd);
	free(s->in);
	free(s->name);
	free(s->label);
	free(s);
}
