/*
 * pipeline.c - the indexing pipeline.
 *
 * For each input file: open a reader, and for each record derive
 *   text       the text field, a template over several fields, or the bare text;
 *   ext_id     the id field, else "file:line" (JSONL, CSV), "file:index"
 *              (JSON arrays; "file:key:index" in an object of arrays), or the
 *              file name (plain text);
 *   provenance flags < rules file < field mappings (see rules.h);
 *   metadata   every other field, as a JSON object built from the input's
 *              own JSON text (so values are kept exactly).
 * Documents go to the store in batches, one transaction each.  The first
 * documents of a store are held back until a dictionary has been trained on
 * them (bounded by the sample size), then written like the rest.  With
 * --pair-field, one more transaction declares the pairs of the documents
 * written (store/pairs.c), so an interrupted run leaves that to the next.
 *
 * Owns nothing beyond a run: every buffer is freed before index_run returns.
 */
#include "config.h"
#include "pipeline.h"
#include "walk.h"
#include "workq.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../common/template.h"
#include "../common/utf8.h"
#include "../store/store.h"
#include "../store/codec.h"
#include "../store/ftsterms.h"
#include "../store/pairs.h"
#include "fieldpath.h"
#include "../common/clock.h"

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

#ifndef BATCH_DOCS
#define BATCH_DOCS 20000                /* documents per transaction */
#define BATCH_BYTES (64u << 20)         /* or this many text bytes */
#endif
#define DICT_DEFAULT (112u << 10)       /* zstd's recommended default */
#define SAMPLE_PER_DICT 50             /* sample bytes per dictionary byte */
#define SAMPLE_DOC_CAP (64u << 10)      /* bytes of one document given to training */
#define DICT_MIN_SAMPLES 64             /* fewer documents: no dictionary yet */

/* A document held back until the dictionary exists. */
struct pend {
	int64_t input_id, rec;
	char *text;                         /* owned, len bytes (+NUL) */
	size_t len;
	char *ext_id, *meta;                /* owned; meta may be NULL */
	char *prov[PROV_N];                 /* owned */
	char *label, *note;                 /* owned; may be NULL */
};

struct run {
	const struct index_opts *o;
	struct index_stats *st;
	struct store *store;
	int64_t run_id;
	bool in_tx;
	size_t batch_docs, batch_bytes;
	bool want_dict;                     /* still collecting the sample */
	size_t sample_cap;                  /* bytes to collect */
	size_t sample_bytes;
	struct pend *pend;                  /* held-back documents */
	size_t npend, cappend;
	struct workq *q;                    /* the workers and their ring, owned */
	/* per record scratch */
	struct buf text, ext, meta, tmp;
	struct buf label, note;             /* review state of the record */
	struct buf fscratch[2];             /* decoded nested field values */
	struct prov prov;
	/* per input */
	const char *input_name;
	enum reader_format fmt;             /* the open reader's format */
	int64_t input_id;
	bool shortcut;                      /* input unchanged: skip recs seen */
	double t0, last_progress;
	/* inputs read to the end while their documents were held back */
	struct done_input *done;
	size_t ndone;
	struct buf sig;                     /* the reading options, as JSON */
	struct buf provsig;                 /* the provenance options, as JSON */
	/* input identity and provenance (this input) */
	struct buf hash;                    /* content hash, hex ("" = none) */
	bool prov_check;                    /* its documents may have other
	                                       provenance: compare them */
	bool compare_only;                  /* read to compare, add nothing */
	int64_t input_diffs;                /* documents found differing */
	struct buf dprov[4];                /* a stored document's provenance */
	/* inputs expanded from folders */
	char **files;
	size_t nfiles, capfiles;
	/* a compressed input being read: its documents are written inside a
	 * savepoint (store_part_begin) opened before the first of them, and
	 * no batch is committed until the input ended cleanly (see
	 * index_file) */
	int64_t guard_input;                /* its input id; 0: none */
	int64_t guard_docs;                 /* its documents taken so far */
	bool part_open;                     /* the savepoint is open */
	struct index_stats part_st;         /* counts when it opened */
	size_t part_batch_docs, part_batch_bytes;
	struct index_stats committed;       /* counts at the last commit */
};

static void count_reason(struct index_stats *st, const char *reason)
{
	size_t i;

	st->rejected++;
	for (i = 0; i < st->nreasons; i++)
		if (strcmp(st->reasons[i].reason, reason) == 0) {
			st->reasons[i].n++;
			return;
		}
	if (st->nreasons < INDEX_MAX_REASONS) {
		st->reasons[st->nreasons].reason = reason;
		st->reasons[st->nreasons].n = 1;
		st->nreasons++;
	}
}

static void warn(struct run *r, const struct pv_err *e)
{
	if (r->o->warn)
		r->o->warn(r->o->ctx, e);
}

/* An input that could not be read or stopped early: counted and said. */
static void warn_input(struct run *r, const struct pv_err *e)
{
	r->st->inputs_failed++;
	if (r->o->input_failed)
		r->o->input_failed(r->o->ctx, e);
	else
		warn(r, e);
}

static void progress(struct run *r, bool final)
{
	double t = pv_now();

	r->st->seconds = t - r->t0;
	if (!r->o->progress)
		return;
	if (!final && t - r->last_progress < 0.2)
		return;
	r->last_progress = t;
	r->o->progress(r->o->ctx, r->st, final);
}

/* Shows what the run does after reading (NULL: nothing more). */
static void set_phase(struct run *r, const char *phase)
{
	r->st->phase = phase;
	r->last_progress = 0;
	if (phase)
		progress(r, false);
}

/* ---- transactions ---- */

static int tx_begin(struct run *r, struct pv_err *err)
{
	int rc;

	if (r->in_tx)
		return 0;
	if ((rc = store_begin(r->store, err)))
		return rc;
	r->in_tx = true;
	r->batch_docs = r->batch_bytes = 0;
	return 0;
}

/* The counts of documents written, from a copy taken before (a commit,
 * a savepoint): what a rollback leaves. */
static void stats_restore(struct index_stats *st, const struct index_stats *to)
{
	st->added = to->added;
	st->new_texts = to->new_texts;
	st->dups = to->dups;
	st->exists = to->exists;
	st->cross_origin = to->cross_origin;
	st->invalid_utf8 = to->invalid_utf8;
	st->bytes_text = to->bytes_text;
	st->bytes_new = to->bytes_new;
	st->bytes_stored = to->bytes_stored;
}

static int tx_commit(struct run *r, struct pv_err *err)
{
	int rc;

	if (!r->in_tx)
		return 0;
	r->in_tx = false;
	if ((rc = store_commit(r->store, err)))
		return rc;
	r->committed = *r->st;
	return 0;
}

/* After a failed commit or a rollback of the open batch: the counts say
 * only what the store holds, and not_committed what was lost. */
static void tx_lost(struct run *r)
{
	r->st->not_committed += r->st->added - r->committed.added;
	stats_restore(r->st, &r->committed);
}

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
	warn(r, &e);
	return 0;
}

/* Appends a template's expansion (the template was checked by
 * pv_template_check): {name} is a field's value (strings decoded, other
 * JSON values as written, missing or null as nothing: counted and warned
 * by template_missing), {{ and }} are braces, and \n \t \\ are escapes.
 * Sets *missing when a field was missing.  Returns 0 or a code that stops
 * the run (--strict). */
static int expand_template(struct run *r, struct buf *out, const char *tpl,
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
			const struct field *f = NULL;
			struct field fv;

			if (n >= sizeof name)
				n = sizeof name - 1;
			memcpy(name, p + 1, n);
			name[n] = '\0';
			if (!rec->is_text && record_lookup(rec, name, &fv, scratch))
				f = &fv;
			if (!f && rec->is_text && strcmp(name, "text") == 0)
				buf_append(out, rec->text, rec->text_len);
			else if (f && f->type == JT_STRING)
				buf_append(out, f->str, f->str_len);
			else if (f && f->type != JT_NULL && f->raw)
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

static bool name_is(const struct field *f, const char *name)
{
	return name && f->name_len == strlen(name) &&
	       memcmp(f->name, name, f->name_len) == 0;
}

/* The value of a field as text: decoded string, or the JSON as written. */
static bool field_text(const struct field *f, const char **s, size_t *len)
{
	if (!f || f->type == JT_NULL)
		return false;
	if (f->type == JT_STRING) {
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
static bool name_heads(const struct field *f, const char *path)
{
	return path && !strncmp(path, f->name, f->name_len) &&
	       f->name_len == strcspn(path, ".") &&
	       memchr(f->name, '\0', f->name_len) == NULL;
}

/* Whether field f is consumed by the options (top-level names only: a
 * nested path's parent object stays): 1 for the text (or a template's
 * field) and the id, 2 for a provenance, label or note field, else 0. */
static int field_consumed(const struct index_opts *o, const struct field *f)
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
static void build_meta(struct run *r, const struct record *rec)
{
	const struct index_opts *o = r->o;
	bool first = true;
	size_t i;

	buf_reset(&r->meta);
	if (rec->is_text)
		return;
	for (i = 0; i < rec->nfields; i++) {
		const struct field *f = &rec->fields[i];
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

static void build_ext_id(struct run *r, const struct record *rec)
{
	struct field fv;
	const struct field *f = r->o->id_field &&
		record_lookup(rec, r->o->id_field, &fv, &r->fscratch[0]) ? &fv : NULL;
	const char *s;
	size_t len;

	buf_reset(&r->ext);
	if (field_text(f, &s, &len) && len > 0) {
		buf_append(&r->ext, s, len);
		return;
	}
	switch (rec->array_key || r->fmt == FMT_JSON ? 1 : r->fmt == FMT_TEXT ? 2 : 0) {
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

static void build_prov(struct run *r, const struct record *rec)
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
		struct field fv;
		if (!o->prov_field[i] || rec->is_text ||
		    !record_lookup(rec, o->prov_field[i], &fv, &r->fscratch[0]))
			continue;
		if (!field_text(&fv, &s, &len))
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
static const char *final_origin(struct run *r, const struct record *rec)
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
			warn(r, &e);
		}
		return "unknown";
	}
	return o;
}

/* The value of a review field (--label-field, --note-field) into out, made
 * empty when the record has none. */
static void review_field(struct run *r, const struct record *rec,
			 const char *name, struct buf *out)
{
	struct field fv;
	const char *s;
	size_t len;

	buf_reset(out);
	if (name && !rec->is_text && record_lookup(rec, name, &fv, &r->fscratch[0]) &&
	    field_text(&fv, &s, &len))
		buf_append(out, s, len);
}

/* Whether the record's source, generator, purpose, label or note value
 * breaks the rule provex label enforces (common/utf8.h utf8_value_check:
 * control characters, bidi controls, zero-width characters, U+2028/9,
 * invalid UTF-8, over PV_VALUE_MAX bytes); e then says which, where.  Such a
 * record is refused and counted, never stored with a value label would
 * refuse. */
static bool bad_value(struct run *r, const struct record *rec, struct pv_err *e)
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

static const char *opt_str(const struct prov *p, int i)
{
	return p->set[i] && p->v[i].len ? buf_str(&p->v[i]) : NULL;
}

/* ---- writing ---- */

static int insert_doc(struct run *r, const struct doc_in *d, bool invalid_utf8,
		      struct pv_err *err)
{
	enum doc_outcome oc;
	bool cross;
	size_t stored;
	int rc;

	if ((rc = tx_begin(r, err)))
		return rc;
	if ((rc = store_doc_add(r->store, d, &oc, &cross, &stored, err)))
		return rc;
	if (oc == DOC_EXISTS) {
		r->st->exists++;
		return 0;
	}
	r->st->added++;
	r->st->bytes_text += d->len;
	if (oc == DOC_NEW) {
		r->st->new_texts++;
		r->st->bytes_new += d->len;
		r->st->bytes_stored += stored;
	} else {
		r->st->dups++;
	}
	if (cross)
		r->st->cross_origin++;
	if (invalid_utf8)
		r->st->invalid_utf8++;
	r->batch_docs++;
	r->batch_bytes += d->len;
	if (!r->o->strict && !r->part_open &&
	    (r->batch_docs >= BATCH_DOCS || r->batch_bytes >= BATCH_BYTES))
		return tx_commit(r, err);
	return 0;
}

/* ---- the workers: hashing, compression and FTS terms on other cores ----
 *
 * Documents pass through a ring of jobs in input order (workq.c).  The
 * reading thread fills a job and moves on; a worker hashes, compresses and
 * finds the text's terms; the reading thread then writes finished jobs to
 * the store, oldest first, so ids follow the input order.  A job can also
 * mark an input as read to the end, once every document before it is
 * written.
 */

/* Writes the oldest job to the store (it must be ready): the callback
 * given to workq, ctx the run. */
static int write_job(void *ctx, struct workq_job *j, struct pv_err *err)
{
	struct run *r = ctx;
	int rc;

	assert(j->ready);       /* the workers are done with it: now ours */
	if (j->kind == WORKQ_INPUT_DONE) {
		if ((rc = tx_begin(r, err)))
			return rc;
		if (j->di.prov_ok &&
		    (rc = store_input_ident(r->store, j->di.id, NULL,
					    buf_str(&r->provsig), err)))
			return rc;
		if (j->di.hash[0] &&
		    (rc = store_input_ident(r->store, j->di.id, j->di.hash, NULL, err)))
			return rc;
		return store_input_done(r->store, j->di.id, j->di.size, j->di.mtime,
					j->di.records, err);
	}
	if (j->wrc) {
		if (err)
			*err = j->werr;
		return j->wrc;
	}
	{
		struct doc_in d = {
			.input_id = j->input_id, .rec = j->rec, .run_id = r->run_id,
			.ext_id = workq_job_str(j, WQ_EXT_ID),
			.meta = workq_job_str(j, WQ_META),
			.origin = workq_job_str(j, WQ_ORIGIN),
			.source = workq_job_str(j, WQ_SOURCE),
			.generator = workq_job_str(j, WQ_GENERATOR),
			.purpose = workq_job_str(j, WQ_PURPOSE),
			.label = workq_job_str(j, WQ_LABEL),
			.note = workq_job_str(j, WQ_NOTE),
			.text = j->text.data ? j->text.data : "", .len = j->text.len,
			.hash = j->hash, .zbody = j->z.data, .zlen = j->z.len,
			.zdict = workq_dict_id(r->q), .terms = j->terms.data ? j->terms.data : "",
			.terms_len = j->terms.len, .words = j->words,
		};
		return insert_doc(r, &d, j->invalid_utf8, err);
	}
}

/* Writes finished jobs, oldest first.  With wait, until the ring is empty;
 * else only those already ready.  Stops at the first error. */
static int queue_drain(struct run *r, bool wait, struct pv_err *err)
{
	return workq_drain(r->q, wait, write_job, r, err);
}

/* A free job at the end of the ring, writing old ones to make room; the
 * first starts the workers with the store's current dictionary. */
static int queue_slot(struct run *r, size_t bytes, struct workq_job **out,
		      struct pv_err *err)
{
	int rc;

	if (!workq_started(r->q) && (rc = workq_start(r->q, r->store, err)))
		return rc;
	return workq_slot(r->q, bytes, write_job, r, out, err);
}

/* Stops the workers and frees the ring; unwritten jobs are dropped. */
static void queue_stop(struct run *r)
{
	workq_free(r->q);
	r->q = NULL;
}


/* Before the first document of a compressed input is written: every
 * document before it written, and a savepoint opened, so that the
 * input's documents can be undone alone (part_undo). */
static int part_begin(struct run *r, struct pv_err *err)
{
	int rc;

	if ((rc = queue_drain(r, true, err)) || (rc = tx_begin(r, err)) ||
	    (rc = store_part_begin(r->store, err)))
		return rc;
	r->part_open = true;
	r->part_st = *r->st;
	r->part_batch_docs = r->batch_docs;
	r->part_batch_bytes = r->batch_bytes;
	return 0;
}

/* Hands a document to the workers (copying it); it is written later, in order. */
static int add_doc(struct run *r, const struct doc_in *d, struct pv_err *err)
{
	const char *strs[WQ_NSTR] = { d->ext_id, d->meta, d->origin, d->source,
				d->generator, d->purpose, d->label, d->note };
	struct workq_job *j;
	int i, rc;

	if (r->guard_input && d->input_id == r->guard_input && !r->part_open &&
	    (rc = part_begin(r, err)))
		return rc;
	if ((rc = queue_slot(r, d->len, &j, err)))
		return rc;
	j->kind = WORKQ_DOC;
	j->input_id = d->input_id;
	j->rec = d->rec;
	buf_reset(&j->text);
	buf_append(&j->text, d->text, d->len);
	buf_reset(&j->strs);
	for (i = 0; i < WQ_NSTR; i++) {
		j->has[i] = strs[i] != NULL;
		j->off[i] = j->strs.len;
		if (strs[i])
			buf_append(&j->strs, strs[i], strlen(strs[i]) + 1);
	}
	workq_push(r->q, j);
	return queue_drain(r, false, err);
}

/* Marks an input read to the end once every document before it is written. */
static int add_input_done(struct run *r, const struct done_input *di, struct pv_err *err)
{
	struct workq_job *j;
	int rc;

	if ((rc = queue_slot(r, 0, &j, err)))
		return rc;
	j->kind = WORKQ_INPUT_DONE;
	j->di = *di;
	buf_reset(&j->text);
	workq_push(r->q, j);
	return 0;
}

static void pend_free(struct pend *p)
{
	int i;

	free(p->text);
	free(p->ext_id);
	free(p->meta);
	free(p->label);
	free(p->note);
	for (i = 0; i < PROV_N; i++)
		free(p->prov[i]);
}

/* Trains the dictionary on the held-back documents, then writes them. */
static int flush_pending(struct run *r, struct pv_err *err)
{
	size_t i, total = 0, n = 0, *sizes;
	struct buf samples = BUF_INIT, dict = BUF_INIT;
	int rc = 0;

	r->want_dict = false;
	sizes = pv_malloc((r->npend + 1) * sizeof *sizes);
	for (i = 0; i < r->npend; i++) {
		size_t len = PV_MIN(r->pend[i].len, SAMPLE_DOC_CAP);
		buf_append(&samples, r->pend[i].text, len);
		sizes[n++] = len;
		total += len;
	}
	if (n >= DICT_MIN_SAMPLES && total >= 8 * 1024) {
		size_t cap = r->o->dict_size ? r->o->dict_size : DICT_DEFAULT;
		struct pv_err terr;
		if (cap > total / 10)
			cap = PV_MAX(total / 10, 4096);
		if (codec_train(samples.data, sizes, (unsigned)n, cap, &dict, &terr) == 0) {
			int64_t id;
			if ((rc = tx_begin(r, err)) ||
			    (rc = store_dict_add(r->store, dict.data, dict.len, n,
						 total, &id, err)))
				goto out;
			r->st->dict_id = id;
			r->st->dict_bytes = dict.len;
			r->st->dict_trained = true;
		}
		/* a failed training is not an error: texts compress without one */
	}
	for (i = 0; i < r->npend; i++) {
		struct pend *p = &r->pend[i];
		struct doc_in d = {
			.input_id = p->input_id, .rec = p->rec, .run_id = r->run_id,
			.ext_id = p->ext_id, .text = p->text, .len = p->len,
			.origin = p->prov[PROV_ORIGIN], .source = p->prov[PROV_SOURCE],
			.generator = p->prov[PROV_GENERATOR],
			.purpose = p->prov[PROV_PURPOSE], .meta = p->meta,
			.label = p->label, .note = p->note,
		};
		if ((rc = add_doc(r, &d, err)))
			goto out;
	}
out:
	for (i = 0; i < r->npend; i++)
		pend_free(&r->pend[i]);
	free(r->pend);
	r->pend = NULL;
	r->npend = r->cappend = 0;
	free(sizes);
	buf_done(&samples);
	buf_done(&dict);
	return rc;
}

static int hold_doc(struct run *r, const struct doc_in *d, struct pv_err *err)
{
	struct pend *p;

	if (r->npend == r->cappend) {
		r->cappend = r->cappend ? r->cappend * 2 : 256;
		r->pend = pv_realloc(r->pend, r->cappend * sizeof *r->pend);
	}
	p = &r->pend[r->npend++];
	p->input_id = d->input_id;
	p->rec = d->rec;
	p->text = pv_strndup(d->text, d->len);
	p->len = d->len;
	p->ext_id = pv_strdup(d->ext_id);
	p->meta = d->meta ? pv_strdup(d->meta) : NULL;
	p->label = d->label ? pv_strdup(d->label) : NULL;
	p->note = d->note ? pv_strdup(d->note) : NULL;
	p->prov[PROV_ORIGIN] = pv_strdup(d->origin);
	p->prov[PROV_SOURCE] = d->source ? pv_strdup(d->source) : NULL;
	p->prov[PROV_GENERATOR] = d->generator ? pv_strdup(d->generator) : NULL;
	p->prov[PROV_PURPOSE] = d->purpose ? pv_strdup(d->purpose) : NULL;
	r->sample_bytes += PV_MIN(d->len, SAMPLE_DOC_CAP);
	if (r->sample_bytes >= r->sample_cap)
		return flush_pending(r, err);
	return 0;
}

/* A record with duplicate keys (the reader kept the last value of each):
 * counted, the first key noted for the summary, the first few warned. */
static void note_dup_keys(struct run *r, const struct record *rec)
{
	struct index_stats *st = r->st;
	struct pv_err e;

	buf_reset(&r->tmp);
	utf8_sanitize(&r->tmp, rec->dup_key, PV_MIN(rec->dup_key_len, 80),
		      SAN_ONE_LINE);
	if (st->dup_key_records++ == 0) {
		snprintf(st->dup_key_first, sizeof st->dup_key_first, "%s",
			 buf_str(&r->tmp));
		snprintf(st->dup_key_where, sizeof st->dup_key_where, "%s:%ld",
			 rec->input, rec->line);
	}
	if (st->dup_key_records <= 5) {
		pv_errf_at(&e, PV_EPARSE, rec->input, rec->line, rec->column,
			   "duplicate key \"%s\"%s: the last value is kept, as "
			   "Python and jq read it", buf_str(&r->tmp),
			   rec->dup_keys > 1 ? " (and others)" : "");
		warn(r, &e);
	}
}

/* Counts the document stored for (input, recno) when its provenance is not
 * what this run's options give (now[]: origin, source, generator,
 * purpose; NULL = none).  Index does not relabel it: the summary points
 * to provex label. */
static int prov_differs(struct run *r, int64_t recno, const char *const now[4],
			struct pv_err *err)
{
	bool found;
	int rc, i;

	if ((rc = store_doc_prov(r->store, r->input_id, recno, &found, r->dprov, err)))
		return rc;
	if (!found)
		return 0;
	r->st->prov_checked++;
	for (i = 0; i < 4; i++)
		if (strcmp(buf_str(&r->dprov[i]), now[i] ? now[i] : "") != 0) {
			if (r->input_diffs++ == 0)
				r->st->prov_differ_inputs++;
			r->st->prov_differ++;
			break;
		}
	return 0;
}

/* A record whose document is already stored: its provenance compared with
 * what this run gives (nothing added). */
static int compare_record(struct run *r, const struct record *rec, int64_t recno,
			  struct pv_err *err)
{
	const char *now[4];

	build_prov(r, rec);
	now[0] = final_origin(r, rec);
	now[1] = opt_str(&r->prov, PROV_SOURCE);
	now[2] = opt_str(&r->prov, PROV_GENERATOR);
	now[3] = opt_str(&r->prov, PROV_PURPOSE);
	return prov_differs(r, recno, now, err);
}

/* One good record.  Returns 0, or a negative code to stop the run. */
static int take_record(struct run *r, const struct record *rec, int64_t recno,
		       struct pv_err *err)
{
	const struct index_opts *o = r->o;
	const char *text;
	size_t len;
	struct pv_err e;
	const char *reason = NULL;

	if (r->shortcut) {
		bool seen;
		int rc = store_doc_seen(r->store, r->input_id, recno, &seen, err);
		if (rc)
			return rc;
		if (seen) {
			r->st->exists++;
			return r->prov_check ? compare_record(r, rec, recno, err) : 0;
		}
	}
	if (r->compare_only)
		return compare_record(r, rec, recno, err);
	if (rec->dup_keys)
		note_dup_keys(r, rec);
	buf_reset(&r->text);
	if (o->text_template) {
		bool missing;
		int rc = expand_template(r, &r->text, o->text_template, rec,
					 &r->fscratch[0], &missing, err);
		if (rc)
			return rc;
		if (missing)
			r->st->tpl_missing_records++;
		text = r->text.data ? r->text.data : "";
		len = r->text.len;
	} else if (rec->is_text) {
		text = rec->text;
		len = rec->text_len;
	} else {
		const char *tf = o->text_field ? o->text_field : "text";
		struct field fv;
		const struct field *f = record_lookup(rec, tf, &fv, &r->fscratch[1]) ?
					&fv : NULL;
		if (!f) {
			reason = "missing text field";
			pv_errf_at(&e, PV_EPARSE, rec->input, rec->line, rec->column,
				   "no \"%s\" field (choose one with --text-field "
				   "or --text-template)", tf);
		} else if (f->type != JT_STRING) {
			static const char *const what[] = { "null", "false (a boolean)",
				"true (a boolean)", "a number", "a string", "an array",
				"an object" };
			reason = f->type == JT_NULL ? "text field is null"
						    : "text field not a string";
			pv_errf_at(&e, PV_EPARSE, rec->input, rec->line, rec->column,
				   "text field \"%s\" is %s, not a string: skipped "
				   "(choose a string field with --text-field, or "
				   "build the text with --text-template)", tf,
				   what[f->type]);
		}
		text = f ? f->str : NULL;
		len = f ? f->str_len : 0;
	}
	if (!reason && len == 0) {
		reason = "empty text";
		pv_errf_at(&e, PV_EPARSE, rec->input, rec->line, rec->column,
			   "empty text: skipped");
	}
	if (reason) {
		count_reason(r->st, reason);
		if (!o->strict)         /* else said once, by the error */
			warn(r, &e);
		if (o->strict)
			return pv_errf_at(err, PV_EPARSE, e.file, e.line, e.column,
					  "%s (--strict: stopping)", e.msg);
		return 0;
	}
	build_ext_id(r, rec);
	build_prov(r, rec);
	build_meta(r, rec);
	review_field(r, rec, o->label_field, &r->label);
	review_field(r, rec, o->note_field, &r->note);
	if (bad_value(r, rec, &e)) {            /* the one rule of label values */
		count_reason(r->st, "label value refused");
		if (!o->strict)
			warn(r, &e);
		if (o->strict)
			return pv_errf_at(err, PV_EPARSE, e.file, e.line, e.column,
					  "%s (--strict: stopping)", e.msg);
		return 0;
	}
	{
		struct doc_in d = {
			.input_id = r->input_id, .rec = recno, .run_id = r->run_id,
			.ext_id = buf_str(&r->ext), .text = text, .len = len,
			.origin = final_origin(r, rec),
			.source = opt_str(&r->prov, PROV_SOURCE),
			.generator = opt_str(&r->prov, PROV_GENERATOR),
			.purpose = opt_str(&r->prov, PROV_PURPOSE),
			.meta = r->meta.len ? r->meta.data : NULL,
			.label = r->label.len ? r->label.data : NULL,
			.note = r->note.len ? r->note.data : NULL,
		};
		if (r->prov_check) {    /* a re-read input labelled otherwise */
			const char *now[4] = { d.origin, d.source, d.generator,
					       d.purpose };
			int rc = prov_differs(r, recno, now, err);
			if (rc)
				return rc;
		}
		if (r->guard_input)
			r->guard_docs++;
		if (r->want_dict)
			return hold_doc(r, &d, err);
		return add_doc(r, &d, err);
	}
}

/* ---- inputs ---- */

/* The options that decide which documents an input yields, as a JSON
 * object: reading the same file with other ones (--records, --text-field...)
 * makes another input.  Provenance options are not among them: they label
 * documents, they do not make other ones (relabelling is provex label's). */
static void build_signature(struct run *r)
{
	static const char *const fmts[] = { "auto", "jsonl", "json", "csv", "text" };
	const struct index_opts *o = r->o;
	struct buf *b = &r->sig;
	bool first = true;

#define SIG_STR(key, v) do { if (v) { json_put_key(b, &first, key); \
		json_put_string(b, v, strlen(v)); } } while (0)
	buf_putc(b, '{');
	if (o->ropts.format != FMT_AUTO)
		SIG_STR("format", fmts[o->ropts.format]);
	SIG_STR("records", o->ropts.records_key);
	SIG_STR("text_field", o->text_field);
	SIG_STR("text_template", o->text_template);
	SIG_STR("id_field", o->id_field);
#undef SIG_STR
	buf_putc(b, '}');
}

/* XXH3-128 of a file's bytes as 32 hex digits into out (reset first).
 * Returns 0, PV_EINTR, or PV_EIO (err filled). */
static int file_hash(struct run *r, const char *path, struct buf *out,
		     struct pv_err *err)
{
	XXH3_state_t *hs = XXH3_createState();
	char *blk = pv_malloc(1u << 20);
	XXH128_hash_t h;
	ssize_t n;
	int fd, rc = 0;

	buf_reset(out);
	if (!hs) {
		free(blk);
		return pv_errf(err, PV_ENOMEM, "cannot create a hash state");
	}
	XXH3_128bits_reset(hs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = pv_errf(err, PV_EIO, "%s: cannot open to hash its content: %s",
			     path, strerror(errno));
		goto out;
	}
	while ((n = read(fd, blk, 1u << 20)) != 0) {
		if ((r && r->o->stop && *r->o->stop) || pv_stop_signal) {
			rc = PV_EINTR;
			break;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = pv_errf(err, PV_EIO, "%s: cannot read to hash its "
				     "content: %s", path, strerror(errno));
			break;
		}
		XXH3_128bits_update(hs, blk, (size_t)n);
	}
	close(fd);
	if (!rc) {
		h = XXH3_128bits_digest(hs);
		buf_printf(out, "%016llx%016llx", (unsigned long long)h.high64,
			   (unsigned long long)h.low64);
	}
out:
	XXH3_freeState(hs);
	free(blk);
	return rc;
}

/* The options that label documents (flags, fields, maps, rules file and
 * its content) as a JSON object: an input indexed before with other ones
 * has its stored documents compared with what these give. */
static void build_prov_signature(struct run *r)
{
	const struct index_opts *o = r->o;
	struct buf *b = &r->provsig;
	bool first = true;
	char key[32];
	int i;

	buf_putc(b, '{');
	for (i = 0; i < PROV_N; i++) {
		const char *v[3] = { o->prov_value[i], o->prov_field[i],
				     o->prov_map_text[i] };
		static const char *const suffix[3] = { "", "_field", "_map" };
		int k;
		for (k = 0; k < 3; k++) {
			if (!v[k])
				continue;
			snprintf(key, sizeof key, "%s%s", prov_names[i], suffix[k]);
			json_put_key(b, &first, key);
			json_put_string(b, v[k], strlen(v[k]));
		}
	}
	if (o->rules_path) {
		struct buf h = BUF_INIT;
		json_put_key(b, &first, "rules");
		json_put_string(b, o->rules_path, strlen(o->rules_path));
		if (file_hash(NULL, o->rules_path, &h, NULL) == 0) {
			json_put_key(b, &first, "rules_hash");
			json_put_string(b, buf_str(&h), h.len);
		}
		buf_done(&h);
	}
	buf_putc(b, '}');
}

static int collect_file(void *ctx, const char *file)
{
	struct run *r = ctx;

	if (r->nfiles == r->capfiles) {
		r->capfiles = r->capfiles ? r->capfiles * 2 : 16;
		r->files = pv_realloc(r->files, r->capfiles * sizeof *r->files);
	}
	r->files[r->nfiles++] = pv_strdup(file);
	return 0;
}

static void walk_warn(void *ctx, const struct pv_err *e)
{
	struct run *r = ctx;

	warn_input(r, e);
}

/* A compressed input ended cleanly (every check passed): its documents
 * become part of the batch, committed with it. */
static int guard_keep(struct run *r, struct pv_err *err)
{
	int rc = 0;

	if (r->part_open) {
		r->part_open = false;
		rc = store_part_keep(r->store, err);
	}
	r->guard_input = 0;
	r->guard_docs = 0;
	return rc;
}

/* A compressed input failed its check, ended early or was interrupted:
 * none of its documents stay, written (the savepoint is rolled back), in
 * the ring (all of the ring is its own since part_begin) or held back
 * for the dictionary (the last ones held).  *dropped: how many. */
static int guard_drop(struct run *r, int64_t *dropped, struct pv_err *err)
{
	size_t i, k;
	int rc = 0;

	*dropped = r->guard_docs;
	if (r->part_open) {
		queue_stop(r);
		r->q = workq_new();
		r->part_open = false;
		rc = store_part_undo(r->store, err);
		stats_restore(r->st, &r->part_st);
		r->batch_docs = r->part_batch_docs;
		r->batch_bytes = r->part_batch_bytes;
	}
	r->sample_bytes = 0;
	for (i = k = 0; i < r->npend; i++) {
		if (r->pend[i].input_id == r->guard_input) {
			pend_free(&r->pend[i]);
			continue;
		}
		r->sample_bytes += PV_MIN(r->pend[i].len, SAMPLE_DOC_CAP);
		r->pend[k++] = r->pend[i];
	}
	r->npend = k;
	r->guard_input = 0;
	r->guard_docs = 0;
	r->st->dropped += *dropped;
	return rc;
}

/* Ends a compressed input that did not end cleanly (e says why when it
 * was damaged, NULL when interrupted): drops its documents and says so. */
static int guard_fail(struct run *r, const char *path, const struct pv_err *e,
		      struct pv_err *err)
{
	struct pv_err w;
	int64_t n;
	char num[32];
	int rc;

	if (!r->guard_input)
		return 0;
	if ((rc = guard_drop(r, &n, err)))
		return rc;
	if (n == 0)
		return 0;
	pv_num(n, num);
	if (e)
		pv_errf(&w, e->code, "'%s': the %s document%s read from it %s not "
			"kept: a compressed input is kept only once it decoded to "
			"its end with every check passed, as damage can garble what "
			"comes before the check that finds it; repair or replace "
			"the file and run the same command again", path, num,
			n == 1 ? "" : "s", n == 1 ? "was" : "were");
	else
		pv_errf(&w, PV_EINTR, "'%s': interrupted before its end: the %s "
			"document%s read from it %s not kept (a compressed input is "
			"kept only whole)", path, num, n == 1 ? "" : "s",
			n == 1 ? "was" : "were");
	warn(r, &w);
	return 0;
}

/* Registers the input (store_input) and decides what is known of it: the
 * same size and mtime are not enough to skip it, its content hash must be
 * the one recorded (a file edited with its size and time kept, by cp -p,
 * rsync or tar, is read again, and said to have changed); an input whose
 * documents were labelled with other provenance options is compared
 * (r->prov_check).  Standard input, FIFOs and devices have no identity:
 * neither applies.
 * Content hashes cost a read of the file before the reader's (0.5 s per GB
 * from the page cache, 2.9 s per GB from disk, measured on this project's
 * test machine; the reader then reads from the cache). */
static int input_identity(struct run *r, const char *path, const char *canon,
			  uint64_t size, int64_t mtime, bool *same,
			  bool *done_before, struct pv_err *err)
{
	struct store_input_prev prev;
	bool stdin_in = strcmp(path, "-") == 0, reg;
	struct stat sb;
	int rc;

	buf_reset(&r->hash);
	r->prov_check = false;
	r->input_diffs = 0;
	reg = !stdin_in && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
	if (reg && (rc = file_hash(r, path, &r->hash, NULL))) {
		if (rc == PV_EINTR)
			return rc;
		/* unreadable: no identity; the reader says what is wrong */
		buf_reset(&r->hash);
		reg = false;
	}
	if ((rc = store_input_lookup(r->store, canon ? canon : "-", buf_str(&r->sig),
				     &prev, err)))
		return rc;
	if ((rc = store_input(r->store, canon ? canon : "-", buf_str(&r->sig),
			      r->input_name, size, mtime, &r->input_id, same,
			      done_before, err)))
		goto out;
	if (reg && prev.found) {    /* FIFOs and devices have no identity */
		bool hash_same = r->hash.len && prev.hash &&
				 strcmp(prev.hash, buf_str(&r->hash)) == 0;
		if (prev.hash ? !hash_same : !*same) {
			struct pv_err e;
			r->st->inputs_changed++;
			pv_errf(&e, PV_EINVAL, "%s: changed since it was indexed "
				"(%s): read again; its records stored with the same "
				"text are kept, changed records are added beside "
				"their earlier documents", path, *same ?
				"same size and time, other content" :
				"other size or time");
			warn(r, &e);
		}
		if (!hash_same)         /* unknown or other content */
			*same = *done_before = false;
		r->prov_check = !prev.prov || strcmp(prev.prov, buf_str(&r->provsig)) != 0;
	}
	/* A new input's hash is recorded now, so that a rerun after an
	 * interruption skips its records already stored by number; a changed
	 * one's only once it is read to the end (index_file), since until
	 * then its stored records by number are of the earlier content. */
	if (r->hash.len && !prev.found)
		rc = store_input_ident(r->store, r->input_id, buf_str(&r->hash), NULL, err);
out:
	store_input_prev_done(&prev);
	return rc;
}

/* Reads an input indexed before, unchanged, to compare its documents'
 * provenance with what this run's options give; when none differs, the
 * options are recorded as the input's.  Returns 0, PV_EINTR or a negative
 * code that ends the run. */
static int compare_input(struct run *r, struct reader *rd, uint64_t size,
			 struct pv_err *err)
{
	uint64_t base = r->st->bytes_in;
	struct record rec;
	struct pv_err e;
	int64_t nrec = 0;
	int rc;

	r->st->inputs_unchanged++;
	for (;;) {
		if ((r->o->stop && *r->o->stop) || pv_stop_signal)
			return PV_EINTR;
		rc = reader_next(rd, &rec, &e);
		r->st->bytes_in = base + reader_pos(rd);
		if (rc == READ_EOF)
			break;
		if (rc == PV_EINTR)
			return PV_EINTR;
		nrec++;
		if (rc == READ_BAD)
			continue;       /* counted when it was indexed */
		if (rc < 0) {
			warn(r, &e);
			return 0;
		}
		if ((rc = take_record(r, &rec, nrec - 1, err)))
			return rc;
		progress(r, false);
	}
	r->st->bytes_in = base + size;
	if (r->input_diffs == 0) {
		if ((rc = tx_begin(r, err)))
			return rc;
		return store_input_ident(r->store, r->input_id, NULL,
					 buf_str(&r->provsig), err);
	}
	return 0;
}

/* Indexes one file.  Returns 0, PV_EINTR, or a negative code that ends the
 * run (store errors, --strict).  Input errors are reported and counted.
 *
 * A compressed input (gzip, zstd) is kept whole or not at all: gzip checks
 * a member's CRC only at its end, and zstd a frame's checksum at its end,
 * so damage is found only after the records decoded from it (garbled) were
 * read.  Its documents are therefore written inside a savepoint of the
 * open transaction and no batch is committed until the input ended
 * cleanly; damage, a premature end or an interruption rolls the savepoint
 * back (guard_fail), and the input is not marked read, so that a rerun
 * with the repaired file adds it.  Memory stays bounded: the transaction
 * spills to the store's write-ahead log, which grows by about the input's
 * stored size until the commit after it, and full-text terms are written
 * as a segment every FTS_BULK_BYTES inside it instead of at each batch's
 * commit.  Measured on a loaded 2-core machine, single runs: 200,000
 * records (40 MB of text) in .jsonl.gz, 98 MB peak instead of 83 MB, 11-12 s
 * instead of 12.5-14.5 s; 600,000 records (120 MB), 128 MB instead of
 * 103 MB, 21 s instead of 16 s (one big transaction and its checkpoint). */
static int index_file(struct run *r, const char *path, struct pv_err *err)
{
	struct reader *rd = NULL;
	struct record rec;
	struct pv_err e;
	struct stat sb;
	char *canon = NULL;
	uint64_t size = 0, base = r->st->bytes_in;
	int64_t mtime = 0, nrec = 0;
	bool same = false, done_before = false;
	int rc;

	pv_err_clear(&e);
	if (strcmp(path, "-") != 0) {
		if (stat(path, &sb) == 0) {
			size = (uint64_t)sb.st_size;
			mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
		}
		canon = realpath(path, NULL);
	}
	if ((rc = reader_open(&rd, path, &r->o->ropts, &e))) {
		free(canon);
		if (rc == PV_EINTR)     /* a signal while opening or reading */
			return PV_EINTR;
		if (r->o->strict) {     /* said once, by the error */
			r->st->inputs_failed++;
			return pv_errf(err, rc, "%s", e.msg);
		}
		warn_input(r, &e);
		return 0;
	}
	r->st->inputs++;
	r->fmt = reader_format(rd);
	r->input_name = strcmp(path, "-") == 0 ? "stdin" : path;
	if ((rc = input_identity(r, path, canon, size, mtime, &same, &done_before,
				 err))) {
		free(canon);
		reader_close(rd);
		return rc;
	}
	free(canon);
	if (done_before && r->prov_check) {
		/* read again only to compare the provenance of its documents */
		r->compare_only = true;
		r->shortcut = false;
		rc = compare_input(r, rd, size, err);
		r->compare_only = false;
		reader_close(rd);
		return rc;
	}
	if (done_before) {
		r->st->inputs_unchanged++;
		r->st->bytes_in += size;
		reader_close(rd);
		return 0;
	}
	r->shortcut = same && strcmp(path, "-") != 0;
	r->guard_input = reader_checked(rd) ? r->input_id : 0;
	r->guard_docs = 0;
	for (;;) {
		if ((r->o->stop && *r->o->stop) || pv_stop_signal) {
			reader_close(rd);
			rc = guard_fail(r, r->input_name, NULL, err);
			return rc ? rc : PV_EINTR;
		}
		rc = reader_next(rd, &rec, &e);
		r->st->bytes_in = base + reader_pos(rd);
		if (rc == READ_EOF) {
			if ((rc = guard_keep(r, err))) {
				reader_close(rd);
				return rc;
			}
			break;
		}
		if (rc == PV_EINTR) {
			reader_close(rd);
			rc = guard_fail(r, r->input_name, NULL, err);
			return rc ? rc : PV_EINTR;
		}
		r->st->read++;
		nrec++;
		if (rc == READ_BAD) {
			count_reason(r->st, rec.reason ? rec.reason : "bad record");
			if (!r->o->strict)
				warn(r, &e);
			if (r->o->strict) {
				reader_close(rd);
				return pv_errf_at(err, PV_EPARSE, e.file, e.line, e.column,
						  "%s (--strict: stopping)", e.msg);
			}
			continue;
		}
		if (rc < 0) {
			/* the input is damaged from here on: keep what came
			 * before, unless it is compressed (kept only whole) */
			if (!r->o->strict)
				warn_input(r, &e);
			else
				r->st->inputs_failed++;
			reader_close(rd);
			if (r->o->strict)
				return pv_errf_at(err, rc, e.file, e.line, e.column,
						  "%s (--strict: stopping)", e.msg);
			return guard_fail(r, r->input_name, &e, err);
		}
		if ((rc = take_record(r, &rec, nrec - 1, err))) {
			reader_close(rd);
			return rc;
		}
		progress(r, false);
	}
	reader_close(rd);
	if (strcmp(path, "-") == 0)
		return 0;
	{
		struct done_input d = { r->input_id, size, mtime, nrec,
					r->input_diffs == 0, "" };
		if (r->hash.len && r->hash.len < sizeof d.hash)
			memcpy(d.hash, r->hash.data, r->hash.len + 1);
		if (r->want_dict) {
			/* its documents are held back: mark it once they are written */
			r->done = pv_realloc(r->done, (r->ndone + 1) * sizeof *r->done);
			r->done[r->ndone++] = d;
			return 0;
		}
		return add_input_done(r, &d, err);
	}
}

/* Marks the inputs whose documents were held back as read to the end. */
static int mark_done(struct run *r, struct pv_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < r->ndone; i++)
		if ((rc = add_input_done(r, &r->done[i], err)))
			return rc;
	r->ndone = 0;
	return 0;
}

/* Declares the pairs of --pair-field over the documents written (its own
 * transaction, after the last batch). */
static int declare_pairs(struct run *r, struct pv_err *err)
{
	struct pairs_declared d;
	int rc = pairs_declare(r->store, r->o->pair_field, r->run_id, r->o->pair_cap,
			       &d, err);

	r->st->pairs_added = d.added;
	r->st->pair_groups = d.groups;
	r->st->pair_capped = d.capped;
	r->st->pairs_upto = d.upto;
	return rc;
}

static void id_repeat(void *ctx, const char *ext, size_t len, int64_t n)
{
	struct index_stats *st = ctx;

	st->id_repeats++;
	st->id_repeat_docs += n;
	if (st->nid_repeat < INDEX_MAX_IDS) {
		if (!st->id_repeat)
			st->id_repeat = pv_calloc(INDEX_MAX_IDS, sizeof *st->id_repeat);
		st->id_repeat[st->nid_repeat].key = pv_strndup(ext, len);
		st->id_repeat[st->nid_repeat].len = len;
		st->id_repeat[st->nid_repeat++].n = n;
	}
}

/* With --id-field: counts and names the ids this run gave that more than
 * one document holds (once the docs_ext index is built). */
static int count_id_repeats(struct run *r, struct pv_err *err)
{
	int rc;

	set_phase(r, "looking for repeated ids");
	rc = store_ext_repeats(r->store, r->run_id, id_repeat, r->st, err);
	set_phase(r, NULL);
	return rc;
}

int index_run(const struct index_opts *o, struct index_stats *st, struct pv_err *err)
{
	struct run r;
	size_t i;
	int rc = 0, rc2;
	bool had_docs = true;

	memset(st, 0, sizeof *st);
	memset(&r, 0, sizeof r);
	r.o = o;
	r.st = st;
	st->pair_field = o->pair_field;
	r.t0 = r.last_progress = pv_now();
	prov_init(&r.prov);
	build_signature(&r);
	build_prov_signature(&r);

	/* expand folders first: the total size makes the progress honest */
	for (i = 0; i < o->ninputs; i++) {
		struct pv_err e;
		if (walk_inputs(o->inputs[i], o->glob, collect_file, walk_warn, &r, &e)) {
			if (!o->strict)
				warn_input(&r, &e);
			else
				st->inputs_failed++;
			if (o->strict) {
				rc = pv_errf(err, e.code, "%s", e.msg);
				goto out;
			}
		}
	}
	for (i = 0; i < r.nfiles; i++) {
		struct stat sb;
		if (strcmp(r.files[i], "-") != 0 && stat(r.files[i], &sb) == 0)
			st->bytes_total += (uint64_t)sb.st_size;
	}

	if ((rc = store_open(&r.store, o->store_path, STORE_CREATE, err)))
		goto out;
	if (o->level && (rc = store_set_level(r.store, o->level, err)))
		goto out;
	if (!o->new_dict) {
		int64_t id = store_dict_use_latest(r.store, err);
		if (id < 0) {
			rc = (int)id;
			goto out;
		}
		st->dict_id = id;
	}
	r.want_dict = st->dict_id == 0;
	r.q = workq_new();
	r.sample_cap = (o->dict_size ? o->dict_size : DICT_DEFAULT) * SAMPLE_PER_DICT;
	if ((rc = store_run_start(r.store, o->command ? o->command : "index",
				  &r.run_id, err)) ||
	    (rc = store_has_docs(r.store, &had_docs, err)) ||
	    /* a first load: indexes of docs that adding does not read, with
	     * keys in random order, are built at the end in one sort each */
	    (!had_docs && (rc = store_indexes_defer(r.store, err))) ||
	    (rc = store_fts_bulk(r.store, 0, err)))
		goto out;

	for (i = 0; i < r.nfiles && !rc; i++)
		rc = index_file(&r, r.files[i], err);
	if (rc == 0 || rc == PV_EINTR) {
		/* write what is held back, what is in the ring, and the open batch */
		if (r.want_dict && (rc2 = flush_pending(&r, err)))
			rc = rc2;
		else if ((rc2 = mark_done(&r, err)))
			rc = rc2;
		else if ((rc2 = queue_drain(&r, true, err)))
			rc = rc2;
		else if ((rc2 = tx_commit(&r, err)))
			rc = rc2;
	}
	queue_stop(&r);
	if (rc == 0) {
		int built;
		set_phase(&r, "merging the full-text index");
		if ((rc = store_fts_bulk_end(r.store, err)) == 0) {
			set_phase(&r, "building indexes");
			rc = store_indexes_build(r.store, &built, err);
		}
		if (rc == 0) {
			/* ANALYZE of docs reads its every index (about 0.6 s
			 * per million documents): shown as a step of its own.
			 * Not fatal: store_run_finish tries again, and without
			 * statistics queries are slower, not wrong. */
			set_phase(&r, "updating the planner's statistics");
			store_stats_refresh(r.store, STORE_STATS_RUN, NULL);
		}
		set_phase(&r, NULL);
	}
	if (rc == 0 && o->id_field)
		rc = count_id_repeats(&r, err);
	if (rc == 0 && o->pair_field && (rc = declare_pairs(&r, err)) == 0)
		st->pairs_done = true;
	if (rc && rc != PV_EINTR && r.in_tx) {
		store_rollback(r.store);
		r.in_tx = false;
	}
	if (rc && rc != PV_EINTR)
		tx_lost(&r);
	if (rc == PV_EINTR) {
		st->interrupted = true;
		pv_errf(err, PV_EINTR, "interrupted: the documents read so far are "
			"kept; run the same command again to complete the index");
	}
	progress(&r, true);
	if (r.store && r.run_id) {
		struct buf js = BUF_INIT;
		index_stats_json(st, &js);
		store_run_finish(r.store, r.run_id, buf_str(&js), NULL);
		buf_done(&js);
	}
out:
	queue_stop(&r);
	if (r.in_tx)
		store_rollback(r.store);
	for (i = 0; i < r.npend; i++)
		pend_free(&r.pend[i]);
	free(r.pend);
	for (i = 0; i < r.nfiles; i++)
		free(r.files[i]);
	free(r.files);
	free(r.done);
	/* a failed run that made the store and added nothing leaves no empty
	 * store behind (an interrupted one keeps it: the rerun completes it) */
	if (rc ? rc != PV_EINTR : st->inputs_failed > 0)
		st->store_removed = store_close_empty(r.store);
	else
		store_close(r.store);
	buf_done(&r.text);
	buf_done(&r.ext);
	buf_done(&r.meta);
	buf_done(&r.tmp);
	buf_done(&r.label);
	buf_done(&r.note);
	buf_done(&r.sig);
	buf_done(&r.provsig);
	buf_done(&r.hash);
	for (i = 0; i < 4; i++)
		buf_done(&r.dprov[i]);
	buf_done(&r.fscratch[0]);
	buf_done(&r.fscratch[1]);
	prov_done(&r.prov);
	st->seconds = pv_now() - r.t0;
	return rc;
}

void index_stats_done(struct index_stats *st)
{
	size_t i;

	for (i = 0; i < st->nunmapped; i++)
		free(st->unmapped[i].key);
	for (i = 0; i < st->ntpl_missing; i++)
		free(st->tpl_missing[i].key);
	for (i = 0; i < st->nid_repeat; i++)
		free(st->id_repeat[i].key);
	free(st->id_repeat);
	st->id_repeat = NULL;
	st->nid_repeat = 0;
	free(st->unmapped);
	free(st->tpl_missing);
	st->unmapped = st->tpl_missing = NULL;
	st->nunmapped = st->ntpl_missing = 0;
}

void index_stats_json(const struct index_stats *st, struct buf *out)
{
	size_t i;

	buf_printf(out, "{\"inputs\":%d,\"inputs_unchanged\":%d,\"inputs_failed\":%d,"
		   "\"read\":%lld,\"added\":%lld,\"new_texts\":%lld,\"duplicates\":%lld,"
		   "\"already_indexed\":%lld,\"cross_origin_duplicates\":%lld,"
		   "\"dropped_damaged\":%lld,\"not_committed\":%lld,"
		   "\"rejected\":%lld,\"rejected_by_reason\":{",
		   st->inputs, st->inputs_unchanged, st->inputs_failed,
		   (long long)st->read, (long long)st->added, (long long)st->new_texts,
		   (long long)st->dups, (long long)st->exists,
		   (long long)st->cross_origin, (long long)st->dropped,
		   (long long)st->not_committed, (long long)st->rejected);
	for (i = 0; i < st->nreasons; i++) {
		if (i)
			buf_putc(out, ',');
		json_put_string(out, st->reasons[i].reason, strlen(st->reasons[i].reason));
		buf_printf(out, ":%lld", (long long)st->reasons[i].n);
	}
	buf_printf(out, "},\"invalid_utf8_kept\":%lld,\"origin_not_recognised\":%lld,"
		   "\"bytes_in\":%llu,\"bytes_text\":%llu,\"bytes_stored\":%llu,"
		   "\"ratio\":%.3f,\"dictionary\":{\"id\":%lld,\"bytes\":%zu,"
		   "\"trained\":%s},\"seconds\":%.3f,\"interrupted\":%s",
		   (long long)st->invalid_utf8, (long long)st->origin_unknown_value,
		   (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_text,
		   (unsigned long long)st->bytes_stored,
		   st->bytes_stored ? (double)st->bytes_new / (double)st->bytes_stored : 0.0,
		   (long long)st->dict_id, st->dict_bytes,
		   st->dict_trained ? "true" : "false", st->seconds,
		   st->interrupted ? "true" : "false");
	buf_printf(out, ",\"records_with_duplicate_keys\":%lld",
		   (long long)st->dup_key_records);
	buf_printf(out, ",\"inputs_changed\":%d,\"template_missing_records\":%lld,"
		   "\"template_missing\":{", st->inputs_changed,
		   (long long)st->tpl_missing_records);
	for (i = 0; i < st->ntpl_missing; i++) {
		if (i)
			buf_putc(out, ',');
		json_put_string(out, st->tpl_missing[i].key, st->tpl_missing[i].len);
		buf_printf(out, ":%lld", (long long)st->tpl_missing[i].n);
	}
	buf_puts(out, "},\"unmapped\":{");
	{
		bool firstk = true;
		int k;
		for (k = 0; k < PROV_N; k++) {
			bool firstv = true;
			for (i = 0; i < st->nunmapped; i++) {
				if (st->unmapped[i].kind != k)
					continue;
				if (firstv) {
					buf_printf(out, "%s\"%s\":{", firstk ? "" : ",",
						   prov_names[k]);
					firstk = false;
				}
				if (!firstv)
					buf_putc(out, ',');
				firstv = false;
				json_put_string(out, st->unmapped[i].key, st->unmapped[i].len);
				buf_printf(out, ":%lld", (long long)st->unmapped[i].n);
			}
			if (!firstv)
				buf_putc(out, '}');
		}
	}
	buf_printf(out, "},\"unmapped_other\":%lld,\"provenance_differs\":%lld,"
		   "\"provenance_differs_inputs\":%d", (long long)st->unmapped_other,
		   (long long)st->prov_differ, st->prov_differ_inputs);
	buf_printf(out, ",\"repeated_ids\":%lld,\"repeated_id_documents\":%lld,"
		   "\"repeated_id_examples\":{", (long long)st->id_repeats,
		   (long long)st->id_repeat_docs);
	for (i = 0; i < st->nid_repeat; i++) {
		if (i)
			buf_putc(out, ',');
		json_put_string(out, st->id_repeat[i].key, st->id_repeat[i].len);
		buf_printf(out, ":%lld", (long long)st->id_repeat[i].n);
	}
	buf_putc(out, '}');
	/* the last pass over a field is found by its "upto" (store/pairs.c) */
	if (st->pair_field && st->pairs_done) {
		buf_puts(out, ",\"declared_pairs\":{\"field\":");
		json_put_string(out, st->pair_field, strlen(st->pair_field));
		buf_printf(out, ",\"added\":%lld,\"groups\":%lld,\"capped_groups\":%lld,"
			   "\"upto\":%lld}", (long long)st->pairs_added,
			   (long long)st->pair_groups, (long long)st->pair_capped,
			   (long long)st->pairs_upto);
	}
	buf_putc(out, '}');
}
