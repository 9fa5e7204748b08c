/*
 * buf.h - a growable byte buffer.  The buffer owns its bytes; data is always
 * NUL-terminated (the NUL is not counted in len), so it can be used as a
 * C string when it holds no NUL bytes of its own.
 */
#ifndef PV_BUF_H
#define PV_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

struct buf {
	char *data;     /* owned; NULL until the first append */
	size_t len;     /* bytes in use */
	size_t cap;     /* bytes allocated */
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_done(struct buf *b);                 /* frees data; b is reusable */
void buf_reset(struct buf *b);                /* len = 0, keeps memory */
void buf_reserve(struct buf *b, size_t extra);/* room for extra more bytes */
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hands the bytes to the caller (free() them); b becomes empty. Never NULL. */
char *buf_take(struct buf *b);
/* Appends s in single quotes, as a POSIX shell reads it back. */
void buf_shell_quote(struct buf *b, const char *s);
/* A C string view of the bytes ("" when empty); borrowed. */
const char *buf_str(const struct buf *b);

/* n bytes for people, in decimal units ("512 B", "3.4 MB"), written into
 * out (at least 32 bytes); returns out. */
const char *pv_bytes(uint64_t n, char *out);

#endif
