/*
 * pipeline_int.h - what the files of the indexing pipeline share: the
 * batch and dictionary limits, the run's state (struct run: options and
 * counts borrowed from the caller, everything else owned by the run and
 * freed by index_run), and the functions one file calls in another:
 * pipeline.c (the run and its inputs), writer.c (transactions, held-back
 * documents, the hand-off to the workers and the writing) and record.c
 * (record -> document).  The workers are workq.h's.
 *
 * Not for use outside index/.
 */
#ifndef PV_PIPELINE_INT_H
#define PV_PIPELINE_INT_H

#include "pipeline.h"
#include "walk.h"
#include "workq.h"
#include "fieldpath.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../common/template.h"
#include "../common/utf8.h"
#include "../common/clock.h"
#include "../store/store.h"
#include "../store/codec.h"
#include "../store/ftsterms.h"
#include "../store/pairs.h"

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
	/* a shard's inputs opened: input id -> listing position (ids) */
	struct input_pos { int64_t input_id, pos; } *ipos;
	size_t nipos, capipos;
	size_t ipos_at;                     /* the last one looked up */
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

/* A provenance option's value, NULL when unset or empty. */
static inline const char *opt_str(const struct prov *p, int i)
{
	return p->set[i] && p->v[i].len ? buf_str(&p->v[i]) : NULL;
}

/* ---- pipeline.c: the run ---- */

/* Says e through the caller's warn callback, if any. */
void pl_warn(struct run *r, const struct pv_err *e);

/* The id of the document of record rec of input input_id: 0 (the
 * store's next rowid) for a plain store, the shard's formula with
 * positions (pipeline.h, INDEX_ID_STRIDE), -1 when the input's position
 * is unknown. */
int64_t pl_doc_id(struct run *r, int64_t input_id, int64_t rec);

/* Counts a rejected record under reason (a static string). */
void pl_count_reason(struct index_stats *st, const char *reason);

/* ---- writer.c: transactions ---- */

/* Opens the batch's transaction unless one is open. */
int pl_tx_begin(struct run *r, struct pv_err *err);

/* Commits the open batch, if any; its counts become the committed ones. */
int pl_tx_commit(struct run *r, struct pv_err *err);

/* After a failed commit or a rollback of the open batch: the counts say
 * only what the store holds, and not_committed what was lost. */
void pl_tx_lost(struct run *r);

/* The counts of documents written, from a copy taken before (a commit,
 * a savepoint): what a rollback leaves. */
void pl_stats_restore(struct index_stats *st, const struct index_stats *to);

/* ---- writer.c: documents ---- */

/* One good record.  Returns 0, or a negative code to stop the run. */
int pl_take_record(struct run *r, const struct record *rec, int64_t recno,
		   struct pv_err *err);

/* Marks an input read to the end once every document before it is written. */
int pl_add_input_done(struct run *r, const struct done_input *di,
		      struct pv_err *err);

/* Frees what a held-back document owns. */
void pl_pend_free(struct pend *p);

/* Trains the dictionary on the held-back documents, then writes them. */
int pl_flush_pending(struct run *r, struct pv_err *err);

/* Writes finished jobs, oldest first.  With wait, until the ring is empty;
 * else only those already ready.  Stops at the first error. */
int pl_queue_drain(struct run *r, bool wait, struct pv_err *err);

/* Stops the workers and frees the ring; unwritten jobs are dropped. */
void pl_queue_stop(struct run *r);

/* ---- record.c: record -> document ---- */

/* Appends a template's expansion (the template was checked by
 * pv_template_check): {name} is a field's value (strings decoded, other
 * JSON values as written, missing or null as nothing: counted and warned
 * by template_missing), {{ and }} are braces, and \n \t \\ are escapes.
 * Sets *missing when a field was missing.  Returns 0 or a code that stops
 * the run (--strict). */
int pl_expand_template(struct run *r, struct buf *out, const char *tpl,
		       const struct record *rec, struct buf *scratch,
		       bool *missing, struct pv_err *err);

/* The record's external id into r->ext: the id field, else the input's
 * name with the line or index (see pipeline.c). */
void pl_build_ext_id(struct run *r, const struct record *rec);

/* The metadata: the record's fields as a JSON object, values as written.
 * --meta-fields keeps only the fields it names (consumed ones included
 * when named), --drop-fields drops some; fields consumed by the options
 * are left out unless named (provenance, label and note fields also kept
 * by --keep-consumed); --pair-field's field is always kept (pairs are
 * declared from the metadata). */
void pl_build_meta(struct run *r, const struct record *rec);

/* The record's provenance into r->prov: flags < rules file < field
 * mappings (rules.h). */
void pl_build_prov(struct run *r, const struct record *rec);

/* The origin to store: normalized, or "unknown" (counted) when the value is
 * not recognised. */
const char *pl_final_origin(struct run *r, const struct record *rec);

/* The value of a review field (--label-field, --note-field) into out, made
 * empty when the record has none. */
void pl_review_field(struct run *r, const struct record *rec,
		     const char *name, struct buf *out);

/* Whether the record's source, generator, purpose, label or note value
 * breaks the rule provex label enforces (common/utf8.h utf8_value_check:
 * control characters, bidi controls, zero-width characters, U+2028/9,
 * invalid UTF-8, over PV_VALUE_MAX bytes); e then says which, where.  Such a
 * record is refused and counted, never stored with a value label would
 * refuse. */
bool pl_bad_value(struct run *r, const struct record *rec, struct pv_err *e);

#endif
