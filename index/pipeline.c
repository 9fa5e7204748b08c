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
 * This file drives a run: the run's state and its reports (struct run in
 * pipeline_int.h), each input (its identity, whether it is read again,
 * compressed inputs kept only whole) and index_run itself.  A record
 * becomes a document in record.c, documents reach the store through
 * writer.c, and the workers that hash and compress them are workq.c's.
 *
 * Owns nothing beyond a run: every buffer is freed before index_run returns.
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

void pl_count_reason(struct index_stats *st, const char *reason)
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

int64_t pl_doc_id(struct run *r, int64_t input_id, int64_t rec)
{
	size_t i, k;

	if (!r->o->positions)
		return 0;
	/* documents are written in input order: from the last one found on */
	for (k = 0; k < r->nipos; k++) {
		i = (r->ipos_at + k) % r->nipos;
		if (r->ipos[i].input_id == input_id) {
			r->ipos_at = i;
			return (r->ipos[i].pos + 1) * INDEX_ID_STRIDE + rec + 1;
		}
	}
	return -1;
}

void pl_warn(struct run *r, const struct pv_err *e)
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
		pl_warn(r, e);
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
	if (o->ropts.format != IN_FMT_AUTO)
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
		pl_queue_stop(r);
		r->q = workq_new();
		r->part_open = false;
		rc = store_part_undo(r->store, err);
		pl_stats_restore(r->st, &r->part_st);
		r->batch_docs = r->part_batch_docs;
		r->batch_bytes = r->part_batch_bytes;
	}
	r->sample_bytes = 0;
	for (i = k = 0; i < r->npend; i++) {
		if (r->pend[i].input_id == r->guard_input) {
			pl_pend_free(&r->pend[i]);
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
	pl_warn(r, &w);
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
			pl_warn(r, &e);
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
			pl_warn(r, &e);
			return 0;
		}
		if ((rc = pl_take_record(r, &rec, nrec - 1, err)))
			return rc;
		progress(r, false);
	}
	r->st->bytes_in = base + size;
	if (r->input_diffs == 0) {
		if ((rc = pl_tx_begin(r, err)))
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
static int index_file(struct run *r, const char *path, int64_t pos,
		      struct pv_err *err)
{
	struct reader *rd = NULL;
	struct record rec;
	struct pv_err e;
	struct stat sb;
	char *canon = NULL;
	uint64_t size = 0, base = r->st->bytes_in;
	int64_t mtime = 0, nrec = 0;
	bool same = false, done_before = false;
	int changed = r->st->inputs_changed;
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
	if (r->o->positions) {
		if (r->nipos == r->capipos) {
			r->capipos = r->capipos ? r->capipos * 2 : 64;
			r->ipos = pv_realloc(r->ipos, r->capipos * sizeof *r->ipos);
		}
		r->ipos[r->nipos].input_id = r->input_id;
		r->ipos[r->nipos++].pos = pos;
	}
	if (r->o->positions && r->st->inputs_changed > changed) {
		/* its records would take the ids its earlier ones hold */
		pv_errf(&e, PV_EINVAL, "%s: changed since this shard stored "
			"documents of it: a shard numbers documents by record, "
			"so it cannot hold both; put the file back as it was, or "
			"remove the shard being built (and its marker) to index "
			"this rank again", path);
		reader_close(rd);
		if (r->o->strict) {
			r->st->inputs_failed++;
			return pv_errf(err, PV_EINVAL, "%s", e.msg);
		}
		warn_input(r, &e);
		return 0;
	}
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
		if (r->o->positions && nrec >= INDEX_ID_STRIDE) {
			pv_errf_at(&e, PV_EINVAL, r->input_name, rec.line, 0,
				   "record %lld: a shard numbers at most %lld "
				   "records of one file (document ids): split the "
				   "file", (long long)nrec, (long long)INDEX_ID_STRIDE - 1);
			rc = PV_EINVAL;
		}
		if (rc == READ_BAD) {
			pl_count_reason(r->st, rec.reason ? rec.reason : "bad record");
			if (!r->o->strict)
				pl_warn(r, &e);
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
		if ((rc = pl_take_record(r, &rec, nrec - 1, err))) {
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
		return pl_add_input_done(r, &d, err);
	}
}

/* Marks the inputs whose documents were held back as read to the end. */
static int mark_done(struct run *r, struct pv_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < r->ndone; i++)
		if ((rc = pl_add_input_done(r, &r->done[i], err)))
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

	/* expand folders first: the total size makes the progress honest
	 * (a shard's files are listed already) */
	for (i = 0; o->positions && i < o->ninputs; i++)
		collect_file(&r, o->inputs[i]);
	for (i = 0; !o->positions && i < o->ninputs; i++) {
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
	    (rc = store_texts_lookup(r.store, err)) ||
	    (rc = store_fts_bulk(r.store, 0, err)))
		goto out;

	for (i = 0; i < r.nfiles && !rc; i++)
		rc = index_file(&r, r.files[i], o->positions ? o->positions[i] : -1,
				err);
	if (rc == 0 || rc == PV_EINTR) {
		/* write what is held back, what is in the ring, and the open batch */
		if (r.want_dict && (rc2 = pl_flush_pending(&r, err)))
			rc = rc2;
		else if ((rc2 = mark_done(&r, err)))
			rc = rc2;
		else if ((rc2 = pl_queue_drain(&r, true, err)))
			rc = rc2;
		else if ((rc2 = pl_tx_commit(&r, err)))
			rc = rc2;
	}
	pl_queue_stop(&r);
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
		pl_tx_lost(&r);
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
	pl_queue_stop(&r);
	if (r.in_tx)
		store_rollback(r.store);
	for (i = 0; i < r.npend; i++)
		pl_pend_free(&r.pend[i]);
	free(r.pend);
	for (i = 0; i < r.nfiles; i++)
		free(r.files[i]);
	free(r.files);
	free(r.ipos);
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
