/*
 * fieldpath.c - record_lookup(): fields by dotted paths into nested JSON.
 *
 * The record's top-level fields are already parsed; deeper levels are
 * parsed on demand from the raw spans with json_parse(), which yields an
 * object's members as spans of the same text.  Arrays are walked with a
 * small skipper that relies on the text having been validated already
 * (every raw span of a record came out of json_parse()).
 */
#include "fieldpath.h"
#include "../common/json.h"

#include <string.h>

/* skip_ws - index of the first non-blank byte of s[i..n). */
static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
			 s[i] == '\r'))
		i++;
	return i;
}

/* skip_string - s[i] is '"'; index just past the closing quote. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* skip_value - index just past the (valid) value starting at s[i]. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
	size_t depth = 0;

	if (i >= n)
		return n;
	if (s[i] == '"')
		return skip_string(s, n, i);
	if (s[i] != '[' && s[i] != '{') {
		while (i < n && s[i] != ',' && s[i] != ']' && s[i] != '}' &&
		       s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
		       s[i] != '\r')
			i++;
		return i;
	}
	while (i < n) {
		char c = s[i];

		if (c == '"') {
			i = skip_string(s, n, i);
			continue;
		}
		if (c == '[' || c == '{')
			depth++;
		else if ((c == ']' || c == '}') && --depth == 0)
			return i + 1;
		i++;
	}
	return n;
}

/* parse_index - seg[0..len) as an array index; false if not one. */
static bool parse_index(const char *seg, size_t len, size_t *out)
{
	size_t i, v = 0;

	if (len == 0 || (len > 1 && seg[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (seg[i] < '0' || seg[i] > '9')
			return false;
		if (v > ((size_t)-1 - 9) / 10)
			return false;
		v = v * 10 + (size_t)(seg[i] - '0');
	}
	*out = v;
	return true;
}

/* array_get - element idx of the array span arr, as a span (no kind). */
static bool array_get(const struct json_value *arr, size_t idx,
		      struct json_value *out)
{
	const char *s = arr->raw;
	size_t n = arr->raw_len, i, k = 0, end;

	i = skip_ws(s, n, 0);
	if (i >= n || s[i] != '[')
		return false;
	i = skip_ws(s, n, i + 1);
	if (i < n && s[i] == ']')
		return false;
	while (i < n) {
		end = skip_value(s, n, i);
		if (k == idx) {
			out->raw = s + i;
			out->raw_len = end - i;
			return true;
		}
		i = skip_ws(s, n, end);
		if (i >= n || s[i] != ',')
			return false;
		i = skip_ws(s, n, i + 1);
		k++;
	}
	return false;
}

/*
 * descend - looks up path[0..len) below the value v; on success *v is the
 * value found.  obj is scratch storage for parsed objects.
 */
static bool descend(struct json_value *v, const char *path, size_t len,
		    struct json_object *obj)
{
	for (;;) {
		const struct json_member *m;
		const char *dot;
		size_t seg, idx;

		if (v->kind == JSON_OBJECT) {
			if (json_parse(v->raw, v->raw_len, NULL, obj, NULL) != 0)
				return false;
			m = json_object_get(obj, path, len);
			if (m) {
				*v = m->val;
				return true;
			}
			dot = memchr(path, '.', len);
			if (!dot)
				return false;
			seg = (size_t)(dot - path);
			m = json_object_get(obj, path, seg);
			if (!m)
				return false;
			*v = m->val;
		} else if (v->kind == JSON_ARRAY) {
			dot = memchr(path, '.', len);
			seg = dot ? (size_t)(dot - path) : len;
			if (!parse_index(path, seg, &idx) ||
			    !array_get(v, idx, v))
				return false;
			/* the element's kind (and validity) */
			if (json_parse(v->raw, v->raw_len, v, NULL, NULL) != 0)
				return false;
			if (!dot)
				return true;
		} else {
			return false;
		}
		path += seg + 1;
		len -= seg + 1;
	}
}

bool record_lookup(const struct record *rec, const char *path,
		   struct in_field *out, struct buf *scratch)
{
	const struct in_field *f;
	struct json_object obj = JSON_OBJECT_INIT;
	struct json_value v;
	const char *dot;
	size_t i, len, head, str_off = 0;
	bool found;

	if (rec->is_text || !rec->fields)
		return false;
	f = record_field(rec, path);
	if (f) {
		*out = *f;
		return true;
	}
	dot = strchr(path, '.');
	if (!dot)
		return false;
	len = strlen(path);
	head = (size_t)(dot - path);
	f = NULL;
	for (i = 0; i < rec->nfields; i++)
		if (rec->fields[i].name_len == head &&
		    memcmp(rec->fields[i].name, path, head) == 0) {
			f = &rec->fields[i];
			break;
		}
	if (!f || !f->raw)
		return false;
	v.kind = (enum json_kind)f->type;
	v.raw = f->raw;
	v.raw_len = f->raw_len;
	found = descend(&v, path + head + 1, len - head - 1, &obj);
	json_object_done(&obj);
	if (!found)
		return false;

	buf_reset(scratch);
	buf_append(scratch, path, len);
	buf_putc(scratch, '\0');
	if (v.kind == JSON_STRING) {
		str_off = scratch->len;
		if (json_decode_string(v.raw, v.raw_len, scratch, NULL) != 0)
			return false;
	}
	out->name = scratch->data;
	out->name_len = len;
	out->type = v.kind;
	out->raw = v.raw;
	out->raw_len = v.raw_len;
	if (v.kind == JSON_STRING) {
		out->str = scratch->data + str_off;
		out->str_len = scratch->len - str_off;
	} else {
		out->str = NULL;
		out->str_len = 0;
	}
	return true;
}
