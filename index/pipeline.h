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
	struct { const char *reason; int64_t n; } reasons[INDEX_MAX_REASONS];
	size_t nreasons;
	uint64_t bytes_text;        /* raw bytes of documents added */
	uint64_t bytes_new;         /* raw bytes of new texts */
	uint64_t bytes_stored;      /* compressed bytes of new texts */
	int inputs;                 /* input files opened */
	int inputs_unchanged;       /* skipped: read to the end before, unchanged */
	int inputs_failed;          /* could not be read (fully) */
	int64_t dict_id;            /* dictionary used (0 = none) */
	size_t dict_bytes;
	bool dict_trained;          /* trained in this run */
	double seconds;
	bool interrupted;
	/* declared pairs (--pair-field), once the documents are written */
	const char *pair_field;     /* borrowed from the options; NULL = none */
	bool pairs_done;            /* the pass ran to the end */
	int64_t pairs_added;        /* pairs stored by this run */
	int64_t pair_groups;        /* shared values with a new document */
	int64_t pair_capped;        /* of which groups larger than the cap */
	int64_t pairs_upto;         /* documents up to this id are paired */
};

struct index_opts {
	const char *store_path;
	const char *const *inputs;  /* paths; "-" = standard input */
	size_t ninputs;
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
	const struct rules *rules;  /* borrowed; NULL = none */
	int level;                  /* zstd level, 0 = default (3) */
	size_t dict_size;           /* dictionary size cap, 0 = default */
	bool new_dict;              /* train a new dictionary even if one exists */
	bool strict;                /* first bad record: stop, keep nothing of this run */
	const char *command;        /* recorded in the runs table */
	volatile sig_atomic_t *stop;/* set asynchronously to interrupt */
	void (*progress)(void *ctx, const struct index_stats *st, bool final);
	void (*warn)(void *ctx, const struct pv_err *e);
	void *ctx;
};

/* Runs the index.  Returns 0 when every input was read (rejected records do
 * not count as failure), PV_EINTR when interrupted (what was done is kept),
 * or a negative code: err says what, and st what was done before it. */
int index_run(const struct index_opts *o, struct index_stats *st, struct pv_err *err);

/* Summary as one JSON object (appended to out). */
void index_stats_json(const struct index_stats *st, struct buf *out);

#endif
