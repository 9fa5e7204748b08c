/*
 * shard.h - a set's shards (the set contract: README, doc/provex.1):
 * the listing of a set's files and its digest, which files a rank takes,
 * the rank given by a scheduler's environment, the store a rank builds,
 * and its publishing with a completion marker.
 *
 * A set is a folder.  Rank r of world size N builds
 * SET/.building/shard-RRRRR-of-NNNNN.pvx (or LOCAL/shard-...pvx), holding
 * the files at listing positions p with p % N == r, their documents
 * numbered (p + 1) * INDEX_ID_STRIDE + rec + 1 (index/pipeline.h); once
 * every file is read it is sealed (journal mode DELETE, quick_check,
 * counts verified), moved to SET/shard-RRRRR-of-NNNNN.pvx, and its marker
 * SET/shard-RRRRR-of-NNNNN.done written (one JSON line, temp file +
 * rename).
 *
 * Ownership: struct shard_listing owns its paths, struct shard its paths
 * and positions (its files are the listing's: keep the listing alive).
 */
#ifndef PV_SHARD_H
#define PV_SHARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "../common/pv.h"

#define SHARD_WORLD_MAX 1000000

/* The set's files: every INPUT walked (index/walk.c, with glob), plus the
 * lines of inputs_from (walked the same way; blank lines ignored), sorted
 * bytewise and without repeats; digest: XXH3-128 of the paths each
 * followed by '\n', 32 lowercase hex digits. */
struct shard_listing {
	char **paths;               /* owned */
	size_t n;
	char digest[33];
};

/* Makes the listing.  Refuses (PV_EUSAGE or PV_EIO, err says what) standard
 * input, a path with a line break, an INPUT or a folder below it that
 * cannot be read (ranks would list different files), and an empty
 * listing. */
int shard_listing_make(struct shard_listing *l, const char *const *inputs,
		       size_t ninputs, const char *inputs_from, const char *glob,
		       struct pv_err *err);
void shard_listing_done(struct shard_listing *l);

/* The rank from the environment: the first of PROVEX_RANK,
 * SLURM_ARRAY_TASK_ID, SLURM_PROCID, JOB_COMPLETION_INDEX, PARALLEL_SEQ
 * (1-based) that is set, *from naming it (static).  0; PV_ENOTFOUND when
 * none is set; PV_EUSAGE (err says what to pass) for a value that is not
 * a number, outside 0..world-1, or ambiguous (SLURM_ARRAY_TASK_ID and
 * SLURM_PROCID with SLURM_NTASKS > 1). */
int shard_rank_env(int64_t world, int64_t *rank, const char **from,
		   struct pv_err *err);

/* A rank's shard. */
struct shard {
	int64_t rank, world;
	char *set;                  /* the set's folder */
	char *building;             /* SET/.building/NAME.pvx */
	char *build;                /* where it is built: building, or LOCAL/NAME.pvx */
	char *published;            /* SET/NAME.pvx */
	char *marker;               /* SET/NAME.done */
	const char **files;         /* this rank's files, in listing order */
	int64_t *positions;         /* their listing positions */
	size_t nfiles;
};

/* Fills sh for rank of world over listing l (built under local when not
 * NULL).  Nothing is touched. */
void shard_init(struct shard *sh, const char *set, const char *local,
		int64_t rank, int64_t world, const struct shard_listing *l);
void shard_done(struct shard *sh);

/* Before indexing: makes the set's folder and .building, refuses a set
 * holding shards of another world size or of another listing (a marker,
 * or the shard being built: err says how many files then and now, and
 * what to do), and creates the shard to build with its meta keys
 * (shard.rank, shard.world_size, shard.listing, shard.listing_files).
 * *complete when this rank's marker is there with this listing (*docs:
 * its documents): nothing to do. */
int shard_prepare(struct shard *sh, const struct shard_listing *l,
		  bool *complete, int64_t *docs, struct pv_err *err);

/* What publishing found. */
struct shard_published {
	int64_t docs, texts, bytes;
};

/* After a run that read every file: seals the shard (store_seal),
 * verifies it (every file of the rank read to the end, every id of the
 * rank, the documents the runs added all there), copies it into
 * SET/.building when built elsewhere, moves it into SET, and writes the
 * marker. */
int shard_publish(struct shard *sh, const struct shard_listing *l,
		  struct shard_published *out, struct pv_err *err);

#endif
