/*
 * writer.c - the indexing pipeline's documents on their way to the store:
 * transactions (a batch of BATCH_DOCS documents or BATCH_BYTES text bytes
 * each, savepoints for compressed inputs), the first documents held back
 * until a dictionary is trained on them, the hand-off of each document to
 * the workers (workq.c) and its writing, in input order, once they are
 * done; and pl_take_record, which turns one good record into a document.
 *
 * A document is copied into its job when handed over (the record is the
 * reader's); the job is the workers' until ready, then the writer's.
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

/* ---- transactions ---- */

int pl_tx_begin(struct run *r, struct pv_err *err)
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
void pl_stats_restore(struct index_stats *st, const struct index_stats *to)
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

int pl_tx_commit(struct run *r, struct pv_err *err)
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
void pl_tx_lost(struct run *r)
{
	r->st->not_committed += r->st->added - r->committed.added;
	pl_stats_restore(r->st, &r->committed);
}

/* ---- writing ---- */

static int insert_doc(struct run *r, const struct doc_in *d, bool invalid_utf8,
		      struct pv_err *err)
{
	enum doc_outcome oc;
	bool cross;
	size_t stored;
	int rc;

	if ((rc = pl_tx_begin(r, err)))
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
		return pl_tx_commit(r, err);
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
		if ((rc = pl_tx_begin(r, err)))
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
			.id = pl_doc_id(r, j->input_id, j->rec),
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
		if (d.id < 0)           /* every input opened has its position */
			return pv_errf(err, PV_EINVAL, "%s: no listing position "
				       "for input %lld (a provex bug)", d.ext_id,
				       (long long)j->input_id);
		return insert_doc(r, &d, j->invalid_utf8, err);
	}
}

/* Writes finished jobs, oldest first.  With wait, until the ring is empty;
 * else only those already ready.  Stops at the first error. */
int pl_queue_drain(struct run *r, bool wait, struct pv_err *err)
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
void pl_queue_stop(struct run *r)
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

	if ((rc = pl_queue_drain(r, true, err)) || (rc = pl_tx_begin(r, err)) ||
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
	assert(!j->ready);      /* a free slot: the reader's until pushed */
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
	return pl_queue_drain(r, false, err);
}

/* Marks an input read to the end once every document before it is written. */
int pl_add_input_done(struct run *r, const struct done_input *di, struct pv_err *err)
{
	struct workq_job *j;
	int rc;

	if ((rc = queue_slot(r, 0, &j, err)))
		return rc;
	assert(!j->ready);
	j->kind = WORKQ_INPUT_DONE;
	j->di = *di;
	buf_reset(&j->text);
	workq_push(r->q, j);
	return 0;
}

void pl_pend_free(struct pend *p)
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
int pl_flush_pending(struct run *r, struct pv_err *err)
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
			if ((rc = pl_tx_begin(r, err)) ||
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
		pl_pend_free(&r->pend[i]);
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

	assert(r->want_dict);  /* held only until the dictionary is trained */
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
		return pl_flush_pending(r, err);
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
		pl_warn(r, &e);
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

	pl_build_prov(r, rec);
	now[0] = pl_final_origin(r, rec);
	now[1] = opt_str(&r->prov, PROV_SOURCE);
	now[2] = opt_str(&r->prov, PROV_GENERATOR);
	now[3] = opt_str(&r->prov, PROV_PURPOSE);
	return prov_differs(r, recno, now, err);
}

/* One good record.  Returns 0, or a negative code to stop the run. */
int pl_take_record(struct run *r, const struct record *rec, int64_t recno,
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
		int rc = pl_expand_template(r, &r->text, o->text_template, rec,
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
		struct in_field fv;
		const struct in_field *f = record_lookup(rec, tf, &fv, &r->fscratch[1]) ?
					&fv : NULL;
		if (!f) {
			reason = "missing text field";
			pv_errf_at(&e, PV_EPARSE, rec->input, rec->line, rec->column,
				   "no \"%s\" field (choose one with --text-field "
				   "or --text-template)", tf);
		} else if (f->type != JSON_STRING) {
			static const char *const what[] = { "null", "false (a boolean)",
				"true (a boolean)", "a number", "a string", "an array",
				"an object" };
			reason = f->type == JSON_NULL ? "text field is null"
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
		pl_count_reason(r->st, reason);
		if (!o->strict)         /* else said once, by the error */
			pl_warn(r, &e);
		if (o->strict)
			return pv_errf_at(err, PV_EPARSE, e.file, e.line, e.column,
					  "%s (--strict: stopping)", e.msg);
		return 0;
	}
	pl_build_ext_id(r, rec);
	pl_build_prov(r, rec);
	pl_build_meta(r, rec);
	pl_review_field(r, rec, o->label_field, &r->label);
	pl_review_field(r, rec, o->note_field, &r->note);
	if (pl_bad_value(r, rec, &e)) {            /* the one rule of label values */
		pl_count_reason(r->st, "label value refused");
		if (!o->strict)
			pl_warn(r, &e);
		if (o->strict)
			return pv_errf_at(err, PV_EPARSE, e.file, e.line, e.column,
					  "%s (--strict: stopping)", e.msg);
		return 0;
	}
	{
		struct doc_in d = {
			.input_id = r->input_id, .rec = recno, .run_id = r->run_id,
			.ext_id = buf_str(&r->ext), .text = text, .len = len,
			.origin = pl_final_origin(r, rec),
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
