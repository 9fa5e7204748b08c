/*
 * record.c - the indexing pipeline's record -> document step: from a
 * reader's record and the run's options, the text (a field, a template
 * or the bare text), the external id, the provenance (flags < rules file
 * < field mappings), the metadata (every field not consumed, as JSON
 * built from the input's own text) and the review fields.  Results go to
 * the run's scratch buffers (struct run, pipeline_int.h), owned by the
 * run and valid until the next record.
 */
#include "config.h"
#include "pipeline_int.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <xxhash.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- record -> document ---- */

/* Counts key (len bytes) of kind in a tally of at most INDEX_MAX_TALLY
 * distinct entries.  Returns false when it is full and key not in it. */
static bool tally_add(struct index_tally **arr, size_t *n, int kind,
		      const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*arr)[i].kind == kind && (*arr)[i].len == len &&
		    !memcmp((*arr)[i].key, key, len)) {
			(*arr)[i].n++;
			return true;
		}
	if (*n >= INDEX_MAX_TALLY)
		return false;
	*arr = pv_realloc(*arr, (*n + 1) * sizeof **arr);
	(*arr)[*n].key = pv_strndup(key, len);
	(*arr)[*n].len = len;
	(*arr)[*n].kind = kind;
	(*arr)[*n].n = 1;
	++*n;
	return true;
}

/* A template field that a record does not have (or holds null): counted by
 * name, and a warning; under --strict an error that stops the run. */
static int template_missing(struct run *r, const struct record *rec,
			    const char *name, bool null, struct pv_err *err)
{
	struct pv_err e;
	size_t n = strlen(name);

	if (!r->o->strict)
		tally_add(&r->st->tpl_missing, &r->st->ntpl_missing, 0, name, n);
	buf_reset(&r->tmp);
	utf8_sanitize(&r->tmp, name, PV_MIN(n, 80), SAN_ONE_LINE);
	pv_errf_at(&e, PV_EINVAL, rec->input, rec->line, rec->column,
		   null ? "--text-template: field \"%s\" is null: it reads as "
			  "nothing in the text" :
			  "--text-template: no field \"%s\": it reads as nothing "
			  "in the text", buf_str(&r->tmp));
	if (r->o->strict)
		return pv_errf_at(err, PV_EPARSE, e.file, e.line, e.column,
				  "%s (--strict: stopping)", e.msg);
	pl_warn(r, &e);
	return 0;
}

/* Appends a template's expansion (the template was checked by
 * pv_template_check): {name} is a field's value (strings decoded, other
 * JSON values as written, missing or null as nothing: counted and warned
 * by template_missing), {{ and }} are braces, and \n \t \\ are escapes.
 * Sets *missing when a field was missing.  Returns 0 or a code that stops
 * the run (--strict). */
int pl_expand_template(struct run *r, struct buf *out, const char *tpl,
		       const struct record *rec, struct buf *scratch,
		       bool *missing, struct pv_err *err)
{
	const char *p = tpl;
	int rc;

	*missing = false;
	while (*p) {
		if (p[0] == '\\' && p[1]) {
			char c = p[1] == 'n' ? '\n' : p[1] == 't' ? '\t' :
				 p[1] == 'r' ? '\r' : p[1];
			buf_putc(out, c);
			p += 2;
		} else if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			buf_putc(out, p[0]);
			p += 2;
		} else if (p[0] == '{' && strchr(p, '}')) {
			const char *end = strchr(p, '}');
			char name[256];
			size_t n = (size_t)(end - p - 1);
			const struct in_field *f = NULL;
			struct in_field fv;

			if (n >= sizeof name)
				n = sizeof name - 1;
			memcpy(name, p + 1, n);
			name[n] = '\0';
			if (!rec->is_text && record_lookup(rec, name, &fv, scratch))
				f = &fv;
			if (!f && rec->is_text && strcmp(name, "text") == 0)
				buf_append(out, rec->text, rec->text_len);
			else if (f && f->type == JSON_STRING)
				buf_append(out, f->str, f->str_len);
			else if (f && f->type != JSON_NULL && f->raw)
				buf_append(out, f->raw, f->raw_len);
			else {
				*missing = true;
				if ((rc = template_missing(r, rec, name, f != NULL, err)))
					return rc;
			}
			p = end + 1;
		} else {
			buf_putc(out, *p++);
		}
	}
	return 0;
}

/* True when field name is one the template reads. */
static bool template_uses(const char *tpl, const char *name, size_t len)
{
	const char *p = tpl;

	while ((p = strchr(p, '{'))) {
		const char *end;
		if (p[1] == '{') {
			p += 2;
			continue;
		}
		end = strchr(p, '}');
		if (!end)
			return false;
		if ((size_t)(end - p - 1) == len && memcmp(p + 1, name, len) == 0)
			return true;
		p = end + 1;
	}
	return false;
}

static bool name_is(const struct in_field *f, const char *name)
{
	return name && f->name_len == strlen(name) &&
	       memcmp(f->name, name, f->name_len) == 0;
}

/* The value of a field as text: decoded string, or the JSON as written. */
static bool field_str(const struct in_field *f, const char **s, size_t *len)
{
	if (!f || f->type == JSON_NULL)
		return false;
	if (f->type == JSON_STRING) {
		*s = f->str;
		*len = f->str_len;
	} else {
		*s = f->raw;
		*len = f->raw_len;
	}
	return *s != NULL;
}

/* True when name (len bytes) is one of the list. */
static bool name_in(const char *const *list, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], name, len) == 0)
			return true;
	return false;
}

/* True when f is the first segment of path (the top-level field a nested
 * path reads), or path itself. */
static bool name_heads(const struct in_field *f, const char *path)
{
	return path && !strncmp(path, f->name, f->name_len) &&
	       f->name_len == strcspn(path, ".") &&
	       memchr(f->name, '\0', f->name_len) == NULL;
}

/* Whether field f is consumed by the options (top-level names only: a
 * nested path's parent object stays): 1 for the text (or a template's
 * field) and the id, 2 for a provenance, label or note field, else 0. */
static int field_consumed(const struct index_opts *o, const struct in_field *f)
{
	const char *tf = o->text_field ? o->text_field : "text";
	int i;

	if (o->text_template ? template_uses(o->text_template, f->name, f->name_len)
			     : name_is(f, tf))
		return 1;
	if (name_is(f, o->id_field))
		return 1;
	if (name_is(f, o->label_field) || name_is(f, o->note_field))
		return 2;
	for (i = 0; i < PROV_N; i++)
		if (name_is(f, o->prov_field[i]))
			return 2;
	return 0;
}

/* The metadata: the record's fields as a JSON object, values as written.
 * --meta-fields keeps only the fields it names (consumed ones included
 * when named), --drop-fields drops some; fields consumed by the options
 * are left out unless named (provenance, label and note fields also kept
 * by --keep-consumed); --pair-field's field is always kept (pairs are
 * declared from the metadata). */
void pl_build_meta(struct run *r, const struct record *rec)
{
	const struct index_opts *o = r->o;
	bool first = true;
	size_t i;

	buf_reset(&r->meta);
	if (rec->is_text)
		return;
	for (i = 0; i < rec->nfields; i++) {
		const struct in_field *f = &rec->fields[i];
		bool named = o->meta_fields &&
			name_in(o->meta_fields, o->nmeta_fields, f->name, f->name_len);
		if (!name_heads(f, o->pair_field)) {
			if (o->meta_fields && !named)
				continue;
			if (!named) {
				int c = field_consumed(o, f);
				if (c == 1 || (c == 2 && !o->keep_consumed))
					continue;
			}
			if (name_in(o->drop_fields, o->ndrop_fields, f->name, f->name_len))
				continue;
		}
		buf_putc(&r->meta, first ? '{' : ',');
		first = false;
		json_put_string(&r->meta, f->name, f->name_len);
		buf_putc(&r->meta, ':');
		if (f->raw)
			buf_append(&r->meta, f->raw, f->raw_len);
		else
			json_put_string(&r->meta, f->str, f->str_len);
	}
	if (!first)
		buf_putc(&r->meta, '}');
}

void pl_build_ext_id(struct run *r, const struct record *rec)
{
	struct in_field fv;
	const struct in_field *f = r->o->id_field &&
		record_lookup(rec, r->o->id_field, &fv, &r->fscratch[0]) ? &fv : NULL;
	const char *s;
	size_t len;

	buf_reset(&r->ext);
	if (field_str(f, &s, &len) && len > 0) {
		buf_append(&r->ext, s, len);
		return;
	}
	switch (rec->array_key || r->fmt == IN_FMT_JSON ? 1 : r->fmt == IN_FMT_TEXT ? 2 : 0) {
	case 1:
		if (rec->array_key)
			buf_printf(&r->ext, "%s:%s:%ld", r->input_name, rec->array_key,
				   rec->index);
		else
			buf_printf(&r->ext, "%s:%ld", r->input_name, rec->index);
		break;
	case 2:
		buf_puts(&r->ext, r->input_name);
		break;
	default:
		buf_printf(&r->ext, "%s:%ld", r->input_name, rec->line);
	}
}

void pl_build_prov(struct run *r, const struct record *rec)
{
	const struct index_opts *o = r->o;
	const char *s;
	size_t len;
	int i;

	prov_reset(&r->prov);
	for (i = 0; i < PROV_N; i++)
		if (o->prov_value[i])
			prov_set(&r->prov, i, o->prov_value[i], strlen(o->prov_value[i]));
	if (o->rules)
		rules_apply(o->rules, rec, &r->prov);
	for (i = 0; i < PROV_N; i++) {
		struct in_field fv;
		if (!o->prov_field[i] || rec->is_text ||
		    !record_lookup(rec, o->prov_field[i], &fv, &r->fscratch[0]))
			continue;
		if (!field_str(&fv, &s, &len))
			continue;
		if (o->prov_map[i]) {
			char *v = pv_strndup(s, len);
			const char *m = valmap_lookup(o->prov_map[i], v, len);
			free(v);
			if (!m) {
				/* named in the summary: a map that misses values
				 * should not pass unseen */
				if (!tally_add(&r->st->unmapped, &r->st->nunmapped, i, s, len))
					r->st->unmapped_other++;
				continue;
			}
			s = m;
			len = strlen(m);
		}
		prov_set(&r->prov, i, s, len);
	}
}

/* The origin to store: normalized, or "unknown" (counted) when the value is
 * not recognised. */
const char *pl_final_origin(struct run *r, const struct record *rec)
{
	const struct buf *v = &r->prov.v[PROV_ORIGIN];
	const char *o;

	if (!r->prov.set[PROV_ORIGIN] || v->len == 0)
		return "unknown";
	o = prov_origin_normalize(buf_str(v), v->len);
	if (!o) {
		struct pv_err e;
		r->st->origin_unknown_value++;
		if (r->st->origin_unknown_value <= 5) {
			buf_reset(&r->tmp);
			utf8_sanitize(&r->tmp, v->data, PV_MIN(v->len, 80), SAN_ONE_LINE);
			pv_errf_at(&e, PV_EINVAL, rec->input, rec->line, 0,
				   "origin value \"%s\" is not real, synthetic or "
				   "unknown: stored as unknown (map it with --origin-map)",
				   buf_str(&r->tmp));
			pl_warn(r, &e);
		}
		return "unknown";
	}
	return o;
}

/* The value of a review field (--label-field, --note-field) into out, made
 * empty when the record has none. */
void pl_review_field(struct run *r, const struct record *rec,
		     const char *name, struct buf *out)
{
	struct in_field fv;
	const char *s;
	size_t len;

	buf_reset(out);
	if (name && !rec->is_text && record_lookup(rec, name, &fv, &r->fscratch[0]) &&
	    field_str(&fv, &s, &len))
		buf_append(out, s, len);
}

/* Whether the record's source, generator, purpose, label or note value
 * breaks the rule provex label enforces (common/utf8.h utf8_value_check:
 * control characters, bidi controls, zero-width characters, U+2028/9,
 * invalid UTF-8, over PV_VALUE_MAX bytes); e then says which, where.  Such a
 * record is refused and counted, never stored with a value label would
 * refuse. */
bool pl_bad_value(struct run *r, const struct record *rec, struct pv_err *e)
{
	static const char *const what[] = { NULL, "source", "generator", "purpose" };
	char msg[sizeof e->msg];
	int i;

	for (i = PROV_SOURCE; i < PROV_N + 2; i++) {
		const struct buf *v = i == PROV_N ? &r->label : i == PROV_N + 1 ?
				      &r->note : &r->prov.v[i];
		char name[32];
		if (i < PROV_N && !r->prov.set[i])
			continue;
		snprintf(name, sizeof name, "the %s value",
			 i == PROV_N ? "label" : i == PROV_N + 1 ? "note" : what[i]);
		if (utf8_value_check(name, v->data ? v->data : "", v->len,
				     PV_VALUE_MAX, e) == 0)
			continue;
		memcpy(msg, e->msg, sizeof msg);
		pv_errf_at(e, PV_EINVAL, rec->input, rec->line, rec->column,
			   "%.990s: record skipped", msg);
		return true;
	}
	return false;
}
