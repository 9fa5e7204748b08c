/*
 * export_int.h - what the files of export/ share and nothing else uses:
 * the output file (output.c), the writing thread and the records
 * (writer.c), the manifest (manifest.c), and the state of one export
 * (struct exp, driven by write.c).  The public side is export/write.h.
 *
 * Ownership: struct exp borrows the options, hooks and store, and owns
 * everything else it points to (output files, temporary folder, text
 * file list, tallies) until write.c's cleanup frees it.
 */
#ifndef PV_EXPORT_INT_H
#define PV_EXPORT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>
#include <nettle/sha2.h>

#include "../common/buf.h"
#include "../store/filter.h"
#include "write.h"

/* ---- output files (output.c): temporary name, compression, SHA-256 ---- */

struct outfile {
	char *final;             /* owned: the name it gets in the end */
	char *tmp;               /* owned: where it is written; NULL once renamed */
	int fd;
	bool open;               /* fd is open */
	enum export_fmt kind;
	z_stream z;
	gz_header gzh;           /* zeroed: no name, no time (zlib keeps a pointer) */
	bool zinit;
	ZSTD_CCtx *zc;
	struct sha256_ctx sha;
	uint8_t digest[SHA256_DIGEST_SIZE];
	bool ended;              /* the compressed stream is finished */
	bool direct;             /* written around the page cache (O_DIRECT) */
	char *stage;             /* owned: what waits for a direct write */
	size_t staged;
	int64_t records;
	uint64_t bytes;          /* bytes in the file */
	struct buf zout;         /* compression output, reused */
	struct buf pend;         /* records not yet handed to the writer */
};


/* JSONL files are written around the page cache up to this many files. */
#define DIRECT_MAX_FILES 64      /* beyond, the staging areas take too much */

const char *xp_base_of(const char *path);
/* "DIR/.BASE.XXXXXX", for mkstemp/mkdtemp; owned by the caller. */
char *xp_tmp_template(const char *final);
/* mkdtemp, with the folder locked; its descriptor, or -1 with errno. */
int xp_mkdtemp_locked(char *tmpl);
/* Creates the temporary file for final and starts its compressor. */
int xp_out_open(struct outfile *o, const char *final, enum export_fmt kind,
		struct pv_err *err);
void xp_out_direct(struct outfile *o);
/* Writes bytes as they are. */
int xp_out_raw(struct outfile *o, const void *p, size_t n, struct pv_err *err);
/* Compresses (per the file's kind) and writes; finish ends the stream. */
int xp_out_put(struct outfile *o, const void *p, size_t n, bool finish,
	       struct pv_err *err);
int xp_out_end(struct outfile *o, struct pv_err *err);
/* Ends the stream and closes the temporary file (fsync'd). */
int xp_out_finish(struct outfile *o, struct pv_err *err);
/* Renames the finished file into place. */
int xp_out_commit(struct outfile *o, struct pv_err *err);
/* Frees everything; removes the temporary file when it is still there. */
void xp_out_done(struct outfile *o);
void xp_hex_digest(const uint8_t *d, char out[2 * SHA256_DIGEST_SIZE + 1]);

/* ---- the writing thread and the records (writer.c) ---- */

/*
 * JSONL records are gathered per file (outfile.pend) into pieces of about
 * a megabyte; a full piece goes to a thread of its own, which compresses,
 * hashes and writes it while the next records are built.  At most NSLOT
 * pieces wait for it.  The bytes written are those of writing a record at
 * a time: gzip and zstd streams do not depend on how their input is cut.
 * The first error stops the writing; the building side sees it when it
 * hands over its next piece, or at the end.
 */
#define NSLOT 4
#define PIECE_MAX (1u << 20)
#define PIECE_MIN (64u << 10)
#define PIECES_ALL (32u << 20)   /* what the pieces of all shards may hold */

struct slot {
	struct outfile *o;
	struct buf data;
	bool finish;             /* end the stream after data */
};

struct writer {
	pthread_t th;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t work, room;
	struct slot slot[NSLOT];
	size_t queued, done;     /* pieces handed over, pieces written */
	bool quit;               /* nothing more comes: drop what is left */
	int rc;                  /* the first error, or 0 */
	struct pv_err err;
};

struct tally_item {
	char *value;             /* owned; "" for none */
	int64_t records, bytes;
};

struct tally {
	struct tally_item *items;
	size_t n, cap, last;
};

struct text_file {
	char *name;              /* owned: relative to OUT */
	uint64_t bytes;
	uint8_t digest[SHA256_DIGEST_SIZE];
};

/* One export under way: its options (borrowed) and what it has written. */
struct exp {
	struct export_opts *o;   /* borrowed; its groups' plan is filled in */
	const struct export_hooks *h;   /* borrowed; NULL for none */
	int64_t written_total;   /* what the plan writes (--keep-shares: less) */
	struct store *s;         /* borrowed; NULL for a set */
	struct store_set *set;   /* borrowed: a set read as one, or NULL */
	struct outfile *outs;    /* owned: the shards (jsonl) */
	char *tmpdir;            /* owned: --format text: the folder being filled */
	int tmpdir_fd;           /* open on it, holding its lock; -1 when none */
	struct text_file *tfiles;       /* owned */
	size_t ntfiles, tcap;
	struct outfile manifest;
	struct writer w;         /* writes the JSONL files */
	size_t piece;            /* records pending per file before a write */
	struct buf rec, pre;
	int64_t records, docs, records_total, bad_utf8, text_bytes;
	struct tally by[4];
};

/* The names of the files an export writes (output.c), owned by the caller. */
char *xp_shard_name(const struct exp *x, unsigned k);
char *xp_manifest_name(const char *out);
/* Refuses what cannot or may not be written, before any work. */
int xp_check_target(const struct exp *x, const char *path, bool dir, struct pv_err *err);
int xp_check_folder(const char *path, struct pv_err *err);
/* Removes a folder of files. */
void xp_remove_folder(const char *path);
/* Removes the unlocked temporaries a stopped export left; returns how many. */
int64_t xp_sweep(const struct exp *x);

void xp_writer_start(struct writer *w);
int xp_hand_over(struct writer *w, struct outfile *o, bool finish, struct pv_err *err);
int xp_writer_wait(struct writer *w, struct pv_err *err);
void xp_writer_stop(struct writer *w);
void xp_tally_add(struct tally *t, const char *v, int64_t records, int64_t bytes);
int xp_by_value(const void *a, const void *b);
void xp_tally_done(struct tally *t);
/* Checks a --prefix template: NULL, or the unknown placeholder (in bad);
 * an unbalanced brace fills e and returns e->msg. */
const char *xp_check_prefix(const char *t, char *bad, size_t badlen, struct pv_err *e);

struct row_ctx {
	struct exp *x;
	struct pv_err *err;
};
/* One document of the selection, reps copies (export_rows' callback). */
int xp_row_cb(void *ctx, const struct export_doc *d, uint32_t reps);

/* ---- the manifest (manifest.c) ---- */

void xp_build_manifest(struct exp *x, const struct filter_ast *ast,
		       int64_t hist, int64_t ndocs, const struct export_cands *c,
		       struct buf *b);

#endif
