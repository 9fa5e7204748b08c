/*
 * json.h - JSON for provex: a span parser for input records and a writer
 * for output.
 *
 * The parser never copies a value it does not have to: a parsed object is a
 * list of members whose values are spans of the input text, and strings are
 * decoded on request.  It follows RFC 8259, raw control characters
 * (U+0000-U+001F) inside strings included: they are errors, as every other
 * JSON reader (SQLite's json functions among them) refuses them.  Two
 * tolerances, on purpose: bytes that are not valid UTF-8 are kept as they
 * are (a corpus is data, and every document must round-trip byte-exact),
 * and a \u escape naming a lone surrogate decodes to U+FFFD.  Errors carry
 * the byte offset of the problem.
 *
 * Duplicate keys in an object: the last one wins, as in Python and jq.
 * json_parse() reports them (struct json_object: ndups, dup_key) and lists
 * the members they override, at every depth, so that a caller can drop
 * them (json_copy_without_dups) and store JSON in which every reader sees
 * the value the last member gave.
 */
#ifndef PV_JSON_H
#define PV_JSON_H

#include <stddef.h>
#include <stdbool.h>
#include "pv.h"
#include "buf.h"

/* ---- writer (jsonw.c) ---- */

/* Appends s as a JSON string literal (with quotes).  Control characters,
 * DEL and the code points of utf8_hidden (C1 and bidi controls, zero-width
 * characters, U+2028/U+2029) are escaped (\u202e), so the JSON is safe to
 * show on a terminal; bytes that are not valid UTF-8 are written as U+FFFD.
 * Returns the number of invalid sequences replaced. */
size_t json_put_string(struct buf *b, const char *s, size_t len);

/* Appends "key": (with the comma before it when *first is false). */
void json_put_key(struct buf *b, bool *first, const char *key);

/* ---- parser (json.c) ---- */

/* Deepest nesting of arrays and objects the parser accepts; deeper input is
 * an error ("nesting too deep"), never a stack overflow. */
#define JSON_MAX_DEPTH 1000

/* The kind of a JSON value (also the type of a record's field,
 * index/reader.h). */
enum json_kind {
	JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
	JSON_OBJECT
};

/* Why and where a parse failed: offset is in bytes from the start of the
 * parsed range; reason is a static string ("expected ',' or '}'",
 * "unterminated string", "invalid escape", "trailing characters"...,
 * or for a raw control character in a string one that names it and its
 * escape: json_error_is_control). */
struct json_error {
	size_t offset;
	const char *reason;
};

/* True when e is about a raw control character inside a string. */
bool json_error_is_control(const struct json_error *e);

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
	bool overridden;        /* a later member has the same key (it wins) */
};

/* A byte range [start, end) of the parsed input. */
struct json_range {
	size_t start, end;
};

/* Internal: a key of an object still open while parsing. */
struct json_kspan {
	size_t start;           /* offset of the key's opening quote */
	size_t dec;             /* escaped: offset of the decoded key in nkeys */
	size_t len;             /* bytes of the decoded key */
	bool escaped;           /* decoded into nkeys; else the literal's body */
};

/* Reusable storage for the members of one object, in input order
 * (duplicate keys are kept, the overridden ones marked).  Initialise with
 * JSON_OBJECT_INIT, reuse it across json_parse() calls, free it with
 * json_object_done().  Keys live in the object; values point into the
 * parsed input. */
struct json_object {
	struct json_member *members;
	size_t n;
	size_t cap;
	struct buf keys;        /* decoded keys, NUL after each */
	/* Duplicate keys, at every depth of the parsed value: */
	size_t ndups;           /* members overridden by a later one */
	bool nested_dups;       /* some of them below the top-level object */
	struct buf dup_key;     /* decoded: the overridden key that comes first
	                           in the input (empty when ndups == 0) */
	struct json_range *drops;   /* overridden members, each from its key
	                               to the next member's key (so the comma
	                               goes with it): sorted, none inside another */
	size_t ndrops, capdrops;
	/* internal scratch */
	struct json_kspan *ks;
	size_t nks, capks;
	struct buf nkeys;
	size_t *order;
	size_t caporder;
	size_t dup_start;       /* offset of dup_key's literal */
};

#define JSON_OBJECT_INIT { 0 }

/* Parses exactly one JSON value from s[0..len): whitespace may surround it,
 * anything else after it is an error ("trailing characters").  val (may be
 * NULL) gets its kind and span.  When obj is not NULL it is emptied, and
 * when the value is an object it receives the object's members; obj also
 * gets the duplicate keys found at any depth (ndups, nested_dups, dup_key,
 * drops), whatever the value's kind.  Strings are checked, not decoded;
 * bytes that are not valid UTF-8 are accepted, a raw byte below 0x20
 * inside a string is an error (json_error_is_control).  Returns 0, or PV_EPARSE
 * with jerr (may be NULL) set; obj is then undefined (but still
 * freeable). */
int json_parse(const char *s, size_t len, struct json_value *val,
	       struct json_object *obj, struct json_error *jerr);

/* Appends the span s[0..len), which starts at offset base of the text
 * json_parse() last parsed into o, to out without the members o->drops
 * lists: JSON in which each key of an object appears once, with the value
 * its last member gave (the place is the last member's, which JSON does
 * not make a difference).  Without drops it is a plain copy. */
void json_copy_without_dups(const char *s, size_t len, size_t base,
			    const struct json_object *o, struct buf *out);

/* Decodes a string literal (raw, with its quotes, as in json_value) and
 * appends the bytes to out: every escape is resolved, \u surrogate pairs
 * become one UTF-8 sequence, a lone surrogate becomes U+FFFD, \u0000 a NUL
 * byte, and other bytes are copied exactly.  Returns 0, or PV_EPARSE with
 * jerr (may be NULL; offset relative to raw) for a span that is not a
 * string literal or holds an invalid escape. */
int json_decode_string(const char *raw, size_t len, struct buf *out,
		       struct json_error *jerr);

/* The member named key (key_len bytes), the last one when the key is
 * repeated (the one that wins), or NULL.  Borrowed. */
const struct json_member *json_object_get(const struct json_object *o,
					  const char *key, size_t key_len);

/* Walks the elements of an array: arr is an array's span as json_parse()
 * gives it (the value, or a member's val), *pos is 0 before the first
 * call.  Each call sets elem (kind and span, borrowed from arr's text) to
 * the next element and returns 1; returns 0 at the end (and again if
 * asked again); PV_EPARSE with jerr (may be NULL; offset relative to
 * arr->raw) when arr is not an array or an element is malformed.  Nested
 * arrays are walked by calling it again on the element. */
int json_array_next(const struct json_value *arr, size_t *pos,
		    struct json_value *elem, struct json_error *jerr);

/* Frees the object's storage; o is reusable (empty) afterwards. */
void json_object_done(struct json_object *o);

/* "null", "false", "true", "number", "string", "array", "object". */
const char *json_kind_name(enum json_kind k);

#endif
