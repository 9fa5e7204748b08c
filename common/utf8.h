/*
 * utf8.h - UTF-8 checks and making text safe to show.
 *
 * Every byte of a document that goes to a terminal passes through
 * utf8_sanitize() (or the TUI's cell writer, which uses the same rules):
 * control characters become visible placeholders and invalid bytes are
 * shown as \xNN, so nothing in a document can act on the terminal.
 */
#ifndef PV_UTF8_H
#define PV_UTF8_H

#include <stddef.h>
#include <stdbool.h>
#include "buf.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes there
 * are not a valid, shortest-form, non-surrogate sequence. */
size_t utf8_seq_len(const unsigned char *p, size_t avail);

/* True when all len bytes are valid UTF-8. */
bool utf8_valid(const char *s, size_t len);

/* Count of invalid sequences in s. */
size_t utf8_count_invalid(const char *s, size_t len);

/* The longest prefix of s, at most max bytes, that does not end inside a
 * UTF-8 sequence (for cutting text to a width without splitting a
 * character). */
size_t utf8_cut(const char *s, size_t len, size_t max);

enum {
	SAN_KEEP_NEWLINES = 1,   /* pass '\n' (and '\t') through as they are */
	SAN_ONE_LINE = 2         /* '\n' -> "\n" shown as ^J, tabs as spaces */
};

/* The characters in s: each valid UTF-8 sequence counts one, every other
 * byte one (as utf8_sanitize shows it, one placeholder per byte). */
size_t utf8_chars(const char *s, size_t len);

/* Where utf8_fit cuts a text too long for its column. */
enum {
	FIT_END,                 /* keep the beginning: "a long val…" */
	FIT_MIDDLE               /* keep both ends, more of the end (the part
				  * that tells long ids apart): "/data/…/part-7.jsonl:42" */
};

/* Appends s (len bytes, already safe to show: see utf8_sanitize) to out
 * when it has at most max characters; otherwise a cut of it, between
 * characters, with ellipsis in place of what was left out, max characters
 * in all (ellipsis counting as utf8_chars of it; when max leaves no room
 * for it, s is only cut).  Returns true when s was cut. */
bool utf8_fit(struct buf *out, const char *s, size_t len, size_t max, int how,
	      const char *ellipsis);

/* Appends a safe rendering of s to out: C0 controls and DEL as ^X (ESC is
 * ^[), C1 controls as <U+0080>..<U+009F> written \u0080-style, invalid bytes
 * as \xNN, valid printable UTF-8 as itself.  Returns the number of bytes of
 * s that were replaced by placeholders. */
size_t utf8_sanitize(struct buf *out, const char *s, size_t len, int flags);

#endif
