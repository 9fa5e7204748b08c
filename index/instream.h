/*
 * instream.h - one input as a stream of bytes: a plain file, a gzip or a
 * zstd file (detected from the magic bytes), or standard input ("-").
 * Never reads a whole file into memory.
 */
#ifndef PV_INSTREAM_H
#define PV_INSTREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "../common/pv.h"

struct instream;

/* Opens path; "-" is standard input.  Errors name the file. */
int instream_open(struct instream **out, const char *path, struct pv_err *err);

/* Reads up to n decompressed bytes.  Returns the count, 0 at the end, or a
 * negative code (PV_EIO, PV_ETRUNC for compressed data cut short, PV_ECODEC
 * for corrupt data) with err naming the file. */
ssize_t instream_read(struct instream *s, void *dst, size_t n, struct pv_err *err);

/* True for gzip and zstd input: what it decodes is known good only once
 * the stream ends cleanly (gzip checks a member's CRC at its end). */
bool instream_checked(const struct instream *s);
uint64_t instream_pos(const struct instream *s);   /* compressed bytes consumed */
uint64_t instream_size(const struct instream *s);  /* file size, 0 if unknown */
const char *instream_name(const struct instream *s);
void instream_close(struct instream *s);            /* NULL allowed */

#endif
