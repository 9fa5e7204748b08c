/*
 * json.h - JSON for provex: a tolerant span parser for input records and a
 * writer for output.
 *
 * The parser never copies a value it does not have to: a parsed object is a
 * list of members whose values are spans of the input text, and strings are
 * decoded on request.  It is tolerant inside strings only: bytes that are
 * not valid UTF-8 are kept as they are (a corpus is data, and every
 * document must round-trip byte-exact), raw control characters are
 * accepted, and a \u escape naming a lone surrogate decodes to U+FFFD;
 * everything else follows RFC 8259 and errors carry the byte offset of the
 * problem.
 */
#ifndef PV_JSON_H
#define PV_JSON_H

#include <stddef.h>
#include <stdbool.h>
#include "pv.h"
#include "buf.h"

/* ---- writer (jsonw.c) ---- */

/* Appends s as a JSON string literal (with quotes).  Control characters
 * are escaped; bytes that are not valid UTF-8 are written as U+FFFD.
 * Returns the number of invalid sequences replaced. */
size_t json_put_string(struct buf *b, const char *s, size_t len);

/* Appends "key": (with the comma before it when *first is false). */
void json_put_key(struct buf *b, bool *first, const char *key);

/* ---- parser (json.c) ---- */

/* Deepest nesting of arrays and objects the parser accepts; deeper input is
 * an error ("nesting too deep"), never a stack overflow. */
#define JSON_MAX_DEPTH 1000

/* The kind of a JSON value.  Same order and values as enum json_type in
 * index/reader.h, so one converts to the other with a cast. */
enum json_kind {
	JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
	JSON_OBJECT
};

/* Why and where a parse failed: offset is in bytes from the start of the
 * parsed range; reason is a static string ("expected ',' or '}'",
 * "unterminated string", "invalid escape", "trailing characters"...). */
struct json_error {
	size_t offset;
	const char *reason;
};

/* A value as a span of the input text (strings keep their quotes). */
struct json_value {
	enum json_kind kind;
	const char *raw;        /* borrowed from the parsed input */
	size_t raw_len;
};

/* One member of a parsed top-level object. */
struct json_member {
	const char *key;        /* decoded, NUL-terminated (may hold NULs: key_len) */
	size_t key_len;
	size_t key_off;         /* internal: offset of key in json_object.keys */
	struct json_value val;
};

/* Reusable storage for the members of one object, in input order
 * (duplicate keys are kept).  Initialise with JSON_OBJECT_INIT, reuse it
 * across json_parse() calls, free it with json_object_done().  Keys live
 * in the object; values point into the parsed input. */
struct json_object {
	struct json_member *members;
	size_t n;
	size_t cap;
	struct buf keys;        /* decoded keys, NUL after each */
};

#define JSON_OBJECT_INIT { NULL, 0, 0, BUF_INIT }

/* Parses exactly one JSON value from s[0..len): whitespace may surround it,
 * anything else after it is an error ("trailing characters").  val (may be
 * NULL) gets its kind and span.  When obj is not NULL it is emptied, and
 * when the value is an object it receives the object's members.  Strings
 * are checked, not decoded; bytes that are not valid UTF-8 and raw control
 * characters inside strings are accepted.  Returns 0, or PV_EPARSE with
 * jerr (may be NULL) set; obj is then undefined (but still freeable). */
int json_parse(const char *s, size_t len, struct json_value *val,
	       struct json_object *obj, struct json_error *jerr);

/* Decodes a string literal (raw, with its quotes, as in json_value) and
 * appends the bytes to out: every escape is resolved, \u surrogate pairs
 * become one UTF-8 sequence, a lone surrogate becomes U+FFFD, \u0000 a NUL
 * byte, and other bytes are copied exactly.  Returns 0, or PV_EPARSE with
 * jerr (may be NULL; offset relative to raw) for a span that is not a
 * string literal or holds an invalid escape. */
int json_decode_string(const char *raw, size_t len, struct buf *out,
		       struct json_error *jerr);

/* The first member named key (key_len bytes), or NULL. Borrowed. */
const struct json_member *json_object_get(const struct json_object *o,
					  const char *key, size_t key_len);

/* Frees the object's storage; o is reusable (empty) afterwards. */
void json_object_done(struct json_object *o);

/* "null", "false", "true", "number", "string", "array", "object". */
const char *json_kind_name(enum json_kind k);

#endif
