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
#include <stdint.h>
#include "buf.h"
#include "pv.h"

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

/* The code point of the valid n-byte sequence at p (n from utf8_seq_len). */
uint32_t utf8_decode(const unsigned char *p, size_t n);

/* Whether cp is never shown as itself on a terminal: C1 controls
 * (U+0080..U+009F), bidi controls (U+061C, U+200E/U+200F, U+202A..U+202E,
 * U+2066..U+2069), zero-width and invisible format characters (U+200B..
 * U+200D, U+2060..U+206F, U+FEFF, U+180E, tags U+E0000..U+E007F and a few
 * other format controls) and the line/paragraph separators U+2028/U+2029.
 * The one rule of the command line (utf8_sanitize) and the interface
 * (tui/grid.c glyph_next); label values containing them are refused
 * (store/label.h label_value_check). */
bool utf8_hidden(uint32_t cp);

/* Writes the placeholder of cp, "<U+202E>" (4 to 6 hex digits), NUL
 * terminated, into out (at least 11 bytes); returns its length. */
size_t utf8_placeholder(char *out, uint32_t cp);

/* Appends a safe rendering of s to out: C0 controls and DEL as ^X (ESC is
 * ^[), the code points of utf8_hidden (C1 controls, bidi controls,
 * zero-width characters, U+2028/U+2029) as <U+XXXX>, invalid bytes as
 * \xNN, valid printable UTF-8 as itself.  Returns the number of bytes of s
 * that were replaced by placeholders (0: the output is s, apart from tabs
 * and newlines under SAN_ONE_LINE or without flags). */
size_t utf8_sanitize(struct buf *out, const char *s, size_t len, int flags);

/* Whether utf8_sanitize would replace anything of s other than '\n' and
 * '\t' (a control, a utf8_hidden code point, invalid UTF-8). */
bool utf8_has_unsafe(const char *s, size_t len);

/* The one rule for the values of origin, source, generator, purpose,
 * label, note and reviewer, wherever they come from (index flags, rules
 * files, input fields, provex label, the interface): at most max bytes of
 * valid UTF-8, none of it a control character (C0, DEL, C1: tabs and
 * newlines included) nor a utf8_hidden code point (bidi controls,
 * zero-width characters, U+2028/U+2029).  The zero-width joiner is refused
 * inside emoji sequences too: every place that shows a value would show it
 * as <U+200D>.  Returns 0, or PV_EINVAL with err naming what ("the value
 * for source"), the value (made safe, cut), the code point and its
 * position (1-based byte, then character). */
#define PV_VALUE_MAX 4096       /* bytes of a label-like value */
int utf8_value_check(const char *what, const char *s, size_t len, size_t max,
		     struct pv_err *err);

#endif
