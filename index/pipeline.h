/*
 * pipeline.h - indexing: inputs -> readers -> provenance -> store.
 *
 * index_run() reads every input, derives each record's text, id, provenance
 * and metadata, trains a compression dictionary on a sample of the first
 * documents (when the store has none), and adds the documents in batches of
 * one transaction each, so an interrupted run keeps every finished batch and
 * a rerun completes it.  Bad records are counted by reason and reported
 * through the warn callback; they never stop the run unless opts->strict.
 * With opts->pair_field, a last transaction declares the pairs of the
 * documents added (store/pairs.h: pairs_declare).
 */
#ifndef PV_PIPELINE_H
#define PV_PIPELINE_H

#include <signal.h>
#include <stdint.h>
#include <stdbool.h>
#include "../common/pv.h"
#include "reader.h"
#include "rules.h"

#define INDEX_MAX_REASONS 24
#define INDEX_MAX_TALLY 256         /* distinct values counted by name */
#define INDEX_MAX_IDS 5             /* repeated --id-field values named */

/* A value counted by name (owned by the stats: index_stats_done). */
struct index_tally {
	char *key;                  /* owned, len bytes (+NUL) */
	size_t len;
	int kind;                   /* unmapped: PROV_x of the map */
	int64_t n;
};

struct index_stats {
	uint64_t bytes_in;          /* input bytes consumed (compressed size) */
	uint64_t bytes_total;       /* sum of input sizes known in advance (0 = unknown) */
	const char *phase;          /* after reading: what is being done, or NULL */
	int64_t read;               /* records read, good or bad */
	int64_t added;              /* documents added */
	int64_t new_texts;          /* of which with a text not stored before */
	int64_t dups;               /* of which duplicates of a stored text */
	int64_t exists;             /* records already in the store (rerun) */
	int64_t rejected;           /* records skipped, by reason below */
	int64_t cross_origin;       /* added texts also stored under the other origin */
	int64_t invalid_utf8;       /* added documents with bytes that are not UTF-8 (kept) */
	int64_t origin_unknown_value; /* origin values not recognised (stored as unknown) */
	/* --x-map values that no entry mapped, by map and value (the first
	 * INDEX_MAX_TALLY distinct ones; the records of others in unmapped_other) */
	struct index_tally *unmapped;
	size_t nunmapped;
	int64_t unmapped_other;
	/* --text-template fields missing (or null) in records, by name */
	struct index_tally *tpl_missing;
	size_t ntpl_missing;
	int64_t tpl_missing_records; /* documents with a field missing */
	/* documents already in the store whose provenance is not what this
	 * run's provenance options give (index does not relabel them) */
	int64_t prov_differ;
	int64_t prov_checked;       /* documents compared */
	int prov_differ_inputs;     /* inputs holding them */
	/* --id-field values that more than one document of the store holds,
	 * among the ids this run gave (cat/show --ext refuse them); the first
	 * INDEX_MAX_IDS by name, n = documents holding it */
	int64_t id_repeats;         /* such ids */
	int64_t id_repeat_docs;     /* documents holding them */
	struct index_tally *id_repeat;
	size_t nid_repeat;
	int64_t dropped;            /* documents of damaged compressed inputs, not kept */
	int64_t not_committed;      /* documents of a batch a failure rolled back */
	struct { const char *reason; int64_t n; } reasons[INDEX_MAX_REASONS];
	size_t nreasons;
	uint64_t bytes_text;        /* raw bytes of documents added */
	uint64_t bytes_new;         /* raw bytes of new texts */
	uint64_t bytes_stored;      /* compressed bytes of new texts */
	int inputs;                 /* input files opened */
	int inputs_unchanged;       /* skipped: read to the end before, unchanged */
	int inputs_changed;         /* indexed before, content changed since: read again */
	int inputs_failed;          /* could not be read (fully) */
	int64_t dict_id;            /* dictionary used (0 = none) */
	size_t dict_bytes;
	bool dict_trained;          /* trained in this run */
	double seconds;
	bool interrupted;
	bool store_removed;         /* made by this run, empty when it failed: removed */
	/* JSON records with a key given twice (the last value kept) */
	int64_t dup_key_records;
	char dup_key_first[256];    /* the first such key, sanitized */
	char dup_key_where[600];    /* file:line of its record */
	/* declared pairs (--pair-field), once the documents are written */
	const char *pair_field;     /* borrowed from the options; NULL = none */
	bool pairs_done;            /* the pass ran to the end */
	int64_t pairs_added;        /* pairs stored by this run */
	int64_t pair_groups;        /* shared values with a new document */
	int64_t pair_capped;        /* of which groups larger than the cap */
	int64_t pairs_upto;         /* documents up to this id are paired */
};

/* A set's shard (positions given) numbers the document of record rec
 * (0-based) of the file at listing position p (p + 1) * INDEX_ID_STRIDE
 * + rec + 1: ids unique across the shards of a set, whatever its world
 * size (index/shard.h). */
#define INDEX_ID_STRIDE 1000000000LL

struct index_opts {
	const char *store_path;
	const char *const *inputs;  /* paths; "-" = standard input */
	size_t ninputs;
	/* a shard's files: inputs are files (not walked), and positions[i]
	 * is the listing position of inputs[i], which numbers its documents
	 * (INDEX_ID_STRIDE); an input that changed since its documents were
	 * stored, or has INDEX_ID_STRIDE records or more, fails.  NULL: ids
	 * are the store's next rowids. */
	const int64_t *positions;
	struct reader_opts ropts;
	const char *glob;           /* folder walks: files to take (NULL = all) */
	const char *text_field;     /* NULL = "text" */
	const char *text_template;  /* "{a}\n\n{b}": overrides text_field */
	const char *id_field;       /* NULL = file:line / file:index */
	const char *label_field;    /* review state from fields (a provex export */
	const char *note_field;     /* read back in), NULL = none */
	const char *pair_field;     /* declare pairs by this field (see
	                               store/pairs.h), NULL = none */
	size_t pair_cap;            /* documents of one group paired, 0 = 1000 */
	const char *prov_value[PROV_N];      /* --origin ... : for every record */
	const char *prov_field[PROV_N];      /* --origin-field ... */
	const struct valmap *prov_map[PROV_N]; /* --origin-map ...; borrowed */
	const char *prov_map_text[PROV_N]; /* the maps as given (provenance signature) */
	const struct rules *rules;  /* borrowed; NULL = none */
	const char *rules_path;     /* the file it was read from (its content is
	                               part of the provenance signature) */
	/* metadata: the record's fields other than those consumed (text or
	 * template fields, id, provenance, label and note fields) */
	const char *const *meta_fields; /* --meta-fields: only these (NULL = all) */
	size_t nmeta_fields;
	const char *const *drop_fields; /* --drop-fields: not these */
	size_t ndrop_fields;
	bool keep_consumed;         /* --keep-consumed: consumed fields too */
	int level;                  /* zstd level, 0 = default (3) */
	size_t dict_size;           /* dictionary size cap, 0 = default */
	bool new_dict;              /* train a new dictionary even if one exists */
	bool strict;                /* first bad record: stop, keep nothing of this run */
	const char *command;        /* recorded in the runs table */
	volatile sig_atomic_t *stop;/* set asynchronously to interrupt */
	void (*progress)(void *ctx, const struct index_stats *st, bool final);
	void (*warn)(void *ctx, const struct pv_err *e);
	/* an input that could not be read, or stopped before its end (it
	 * is counted in inputs_failed): said through this when set, else
	 * through warn; a quiet run still says these */
	void (*input_failed)(void *ctx, const struct pv_err *e);
	void *ctx;
};

/* Runs the index.  Returns 0 when every input was read (rejected records do
 * not count as failure), PV_EINTR when interrupted (what was done is kept),
 * or a negative code: err says what, and st what was done before it. */
int index_run(const struct index_opts *o, struct index_stats *st, struct pv_err *err);

/* Frees what the stats own (tallies); st can be reused after it. */
void index_stats_done(struct index_stats *st);

/* Summary as one JSON object (appended to out). */
void index_stats_json(const struct index_stats *st, struct buf *out);

#endif
