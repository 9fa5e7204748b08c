/*
 * fieldpath.h - looking up a field of a record by a dotted path, for
 * corpora that keep their text in nested objects
 * (--text-field 6b_finetuning.solution).
 */
#ifndef PV_FIELDPATH_H
#define PV_FIELDPATH_H

#include <stdbool.h>
#include "../common/buf.h"
#include "reader.h"

/*
 * Looks up a field by a path: a top-level field name, or names joined by
 * '.' into nested objects ("a.b.c").  At every level the whole remaining
 * path is first tried as one key (so a key that itself holds dots wins:
 * {"a.b": 1} answers "a.b"), then the path is split at its first '.' and
 * the lookup goes on in the value under the first segment.  Longer dotted
 * prefixes are not tried: {"a.b": {"c": 1}} does not answer "a.b.c".
 * When the current value is an array, a segment of decimal digits (no sign,
 * no leading zero except "0") indexes it, 0-based ("choices.0.text").
 * Duplicate keys: the last one wins, as in Python and jq (the readers give
 * records without the members a later key overrides, at every depth, and
 * json_object_get() returns the last member of a key).
 *
 * On success fills *out and returns true:
 *   - a top-level match is a plain copy of the record's field (record_field);
 *     scratch is not touched;
 *   - a nested match has name = the whole path, type = the value's kind,
 *     raw/raw_len = the value's exact JSON text inside the record (nested
 *     objects and arrays byte-exact), and for a JSON_STRING str/str_len = the
 *     decoded bytes (json_decode_string: escapes resolved, \u0000 a NUL byte,
 *     invalid UTF-8 kept), NUL-terminated; str is NULL for other types.
 *     name and str live in scratch, which the call resets first: they stay
 *     valid until scratch is next changed (use one scratch per result
 *     you keep) and raw until the record changes.
 * Returns false (leaving *out undefined) for a text record (rec->is_text),
 * a missing key, an index out of range, a path through a scalar, or any
 * nesting in a CSV record (fields with raw == NULL only match exactly).
 * With no '.' in path this costs one record_field() call.
 */
bool record_lookup(const struct record *rec, const char *path,
		   struct in_field *out, struct buf *scratch);

#endif
