/*
 * demo_int.h - what the files of demo/ share: the limits of the demo
 * corpus, small locale-independent helpers, the real documents (struct
 * corpus, real.c), the roff converter (roff.c), the compiled-in texts
 * (builtin.c), the word model (model.c), the generators (generate.c) and
 * the plan (plan.c).  demo.h is the one public interface (write.c).
 *
 * Not for use outside demo/.
 */
#ifndef PV_DEMO_INT_H
#define PV_DEMO_INT_H

#include "demo.h"
#include "../common/buf.h"
#include "../common/mix.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DEMO_MAX_FILES      3000            /* files read at most */
#define DEMO_MAX_BYTES      (30u << 20)     /* text bytes read at most */
#define DEMO_MAX_ENTRIES    200000          /* directory entries per root */
#define DEMO_MAX_DEPTH      8               /* folder depth below a root */
#define DEMO_FILE_PREFIX    (32u << 10)     /* bytes read from one file */
#define DEMO_DOCS_PER_FILE  3               /* documents cut from one file */
#define DEMO_DOC_MIN        200             /* shortest real document */
#define DEMO_DOC_MAX        8192            /* longest real document */
#define DEMO_MIN_FOUND      100             /* fewer found: add the builtins */
#define DEMO_LONG_LINE      (100u << 10)    /* the one-line hard case */
#define DEMO_HARD_EVERY     1000            /* one set of hard cases per ... */
#define DEMO_SLOT_SPREAD    16              /* synthetic docs land this close
					       after their seed */

/* ---- small helpers: randomness and locale-independent character classes */

/* A random number in [0, n); 0 when n is 0. */
static inline size_t rng_below(uint64_t *s, size_t n)
{
	return n ? (size_t)(pv_rand64(s) % n) : 0;
}

/* A random number in [0, 1). */
static inline double rng_unit(uint64_t *s)
{
	return (double)(pv_rand64(s) >> 11) * (1.0 / 9007199254740992.0);
}

static inline bool is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static inline bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* 64-bit FNV-1a hash of len bytes. */
static inline uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Appends code point cp as UTF-8; nothing for surrogates or values out of
 * range. */
static inline void put_utf8(struct buf *out, unsigned long cp)
{
	char u[4];

	if (cp < 0x80) {
		buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, u, 2);
	} else if (cp < 0x10000) {
		if (cp >= 0xd800 && cp < 0xe000)
			return;
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, u, 3);
	} else if (cp < 0x110000) {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, u, 4);
	}
}

/* Removes trailing whitespace from out, but not before byte `floor`. */
static inline void trim_tail(struct buf *out, size_t floor)
{
	while (out->len > floor && is_ws((unsigned char)out->data[out->len - 1]))
		out->len--;
	if (out->data)
		out->data[out->len] = '\0';
}

/* True when s is one of the strings in the NULL-terminated list. */
static inline bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* ---- the real documents, deduplicated (real.c) ---- */

struct doc {
	char *text;             /* owned, NUL-terminated, valid UTF-8 */
	size_t len;
	const char *source;     /* static string: "man", "doc:readme", ... */
	size_t tok0, tok1;      /* its tokens in the model's stream */
};

struct corpus {
	struct doc *v;          /* owned */
	size_t n, cap;
	size_t *slot;           /* dedupe table: doc index + 1, 0 = empty */
	uint64_t *slot_hash;
	size_t nslot;           /* a power of two, or 0 */
};

/* Adds a copy of s as a real document unless the same text is already
 * there.  Returns true when it was added.  source must be a static
 * string. */
bool demo_corpus_add(struct corpus *c, const char *s, size_t len,
		     const char *source);
/* Frees everything the corpus owns. */
void demo_corpus_free(struct corpus *c);

/* ---- candidate files (real.c) ---- */

enum { B_MAN, B_DOC, B_LICENSE, B_COUNT };

struct cand {
	char *path;             /* owned */
	const char *source;     /* static */
};

struct cands {
	struct cand *v;
	size_t n, cap;
};

/* Collects candidate files under each root (NULL-terminated) into the
 * buckets b[B_COUNT]. */
void demo_scan_roots(struct cands *b, const char *const *roots);
/* Reads one candidate file and adds its documents (at most want in the
 * corpus); raw and txt are scratch.  Returns the number of text bytes read
 * (0 when the file was skipped before reading). */
size_t demo_read_cand(struct corpus *c, const struct cand *f, bool man,
		      size_t want, struct buf *raw, struct buf *txt,
		      uint64_t *rng);

/* ---- roff (roff.c) ---- */

/* Converts a man page in roff to plain text, appended to out.  Returns
 * false when the page is only a link to another (.so). */
bool demo_roff_to_text(struct buf *out, const char *s, size_t len);

/* ---- the compiled-in texts (builtin.c) ---- */

extern const char *const demo_builtin_texts[];
extern const size_t demo_nbuiltin;

/* ---- the word model (model.c) ---- */

#define PARA 0u                 /* token: paragraph break / document end */
#define LINE_INDENT_MAX 8       /* indent kept in a line-break token */

struct vocab {
	uint32_t *slot;         /* hash table: word id + 1, 0 = empty */
	size_t nslot;           /* a power of two */
	size_t *off;            /* word id -> offset in pool */
	uint32_t *wlen;         /* word id -> length */
	size_t n, cap;
	struct buf pool;        /* the words, NUL-separated */
};

struct tri {
	uint32_t a, b, c;       /* a b -> c */
};

struct duo {
	uint32_t a, b;          /* a -> b */
};

struct model {
	struct vocab v;
	uint32_t *tok;          /* all real documents' tokens, each doc
				   followed by PARA */
	size_t ntok, cap;
	struct tri *t2;         /* order 2, sorted */
	size_t nt2;
	struct duo *t1;         /* order 1, sorted */
	size_t nt1;
	unsigned char *mark;    /* word id -> in the current seed document */
};

/* Trains the model on every document of the corpus (setting each
 * document's tok0..tok1). */
void demo_model_build(struct model *m, struct corpus *c);
/* Frees everything the model owns. */
void demo_model_free(struct model *m);
/* The transitions after (a, b): *n of them from the returned pointer. */
const struct tri *demo_range2(const struct model *m, uint32_t a,
			      uint32_t b, size_t *n);
/* The transitions after a: *n of them from the returned pointer. */
const struct duo *demo_range1(const struct model *m, uint32_t a, size_t *n);
/* Picks one of n successors (from r2's c or r1's b), preferring words of
 * the seed document with probability pref. */
uint32_t demo_choose(const struct model *m, uint64_t *rng,
		     const struct tri *r2, const struct duo *r1, size_t n,
		     double pref);
/* Sets (on) or clears the seed-vocabulary marks for document d. */
void demo_mark_seed(struct model *m, const struct doc *d, bool on);

/* ---- the generators (generate.c): each appends one text to out ---- */

void demo_gen_markov(struct model *m, const struct doc *seed, int order,
		     size_t target, bool one_line, uint64_t *rng,
		     struct buf *out);
void demo_gen_edit(struct model *m, const struct doc *seed, uint64_t *rng,
		   struct buf *out);
void demo_gen_template(struct model *m, const struct doc *seed,
		       uint64_t *rng, struct buf *out);
void demo_gen_ansi(struct model *m, const struct doc *seed, uint64_t *rng,
		   struct buf *out);
void demo_gen_cjk(struct model *m, const struct doc *seed, uint64_t *rng,
		  struct buf *out);

/* ---- the plan (plan.c) ---- */

enum gen_kind {
	G_MARKOV2, G_MARKOV1, G_TEMPLATE, G_EDIT, G_ANSI, G_CJK, G_LONGLINE
};

struct job {
	size_t seed;            /* index of the real document */
	size_t slot;            /* written after real document `slot` */
	size_t order;           /* creation order, for a stable sort */
	enum gen_kind kind;
	uint64_t rng;           /* its own random stream */
};

/* Makes the list of synthetic documents for nreal real ones.  Returns the
 * jobs (free() them) sorted by slot, and their count in *njobs. */
struct job *demo_plan_jobs(const struct demo_opts *o, size_t nreal,
			   uint64_t *rng, size_t *njobs);
/* Runs job j into out; sets *generator and *purpose (static strings). */
void demo_run_job(struct model *m, const struct corpus *c,
		  const struct job *j, struct buf *out,
		  const char **generator, const char **purpose);

#endif
