/*
 * demo.h - the demo corpus that `provex demo` indexes.
 *
 * demo_write() builds a JSONL corpus on the fly from real text found on this
 * machine (man pages, package documentation, licence texts under
 * /usr/share), plus synthetic documents made from it by a small generator of
 * the project's own (word-level Markov chains, a summary template, a
 * near-copy editor).  Each synthetic document names the real document it was
 * generated from in "seed_id".  When the system folders hold almost nothing
 * (minimal containers), a compiled-in set of public-domain texts is used.
 * Nothing outside the system folders and the binary is needed.
 *
 * Each output line is one JSON object:
 *
 *     "id"         "demo-000001", unique, in file order
 *     "text"       the document
 *     "origin"     "real" or "synthetic"
 *     "source"     "man", "doc:changelog", "doc:readme", "doc:copyright",
 *                  "doc:news", "doc:authors", "doc:todo", "doc:text",
 *                  "license" or "builtin"; a synthetic document carries the
 *                  source of its seed
 *     "purpose"    real: "reference"; synthetic: "continuation" (markov2),
 *                  "paraphrase" (markov1, edit), "summary-style" (template),
 *                  "stress-test" (the viewer hard cases)
 *     "generator"  synthetic only: "markov2", "markov1", "template", "edit"
 *     "seed_id"    synthetic only: the id of a real document earlier in the
 *                  file
 *
 * The output is deterministic for a seed on a given machine.
 */
#ifndef PV_DEMO_H
#define PV_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include "../common/pv.h"

struct demo_opts {
	size_t ndocs_real;      /* real documents wanted (default 600) */
	size_t synth_per_real;  /* synthetic documents per seed document (default 2) */
	size_t seed_every;      /* one real document in seed_every is a seed
	                           (default 3; 0 = no synthetic documents but the
	                           hard cases).  The defaults give ~40% synthetic. */
	uint64_t seed;          /* same seed, same machine: same bytes */
	const char *const *roots; /* NULL-terminated folders (or files) to scan;
	                           NULL = /usr/share/doc, /usr/share/man (man* only),
	                           /usr/share/common-licenses */
	void (*progress)(void *ctx, size_t done, size_t total); /* may be NULL */
	void *progress_ctx;
};

struct demo_stats {
	size_t real;            /* real documents written */
	size_t synthetic;       /* synthetic documents written */
	size_t builtin;         /* of the real ones, from the compiled-in texts */
	size_t files;           /* files read while scanning */
	uint64_t bytes;         /* bytes written */
};

/* Fills o with the defaults above. */
void demo_opts_default(struct demo_opts *o);

/*
 * Writes the demo corpus as JSONL to path (via path.tmp, renamed into place
 * at the end; the temporary file is removed on failure).  o may be NULL for
 * the defaults; st (may be NULL) receives the counts.  progress, when set,
 * is called with done <= total; total is an estimate until scanning ends.
 *
 * Unreadable or unsuitable input files are skipped silently: only the
 * output can fail.  Returns 0, or PV_EIO / PV_EINVAL with err naming the
 * output path.
 */
int demo_write(const char *path, const struct demo_opts *o,
	       struct demo_stats *st, struct pv_err *err);

#endif
