/*
 * filter.h - the filter language: parse a filter into a small tree, print
 * its canonical form (filter.c), compile it to an SQL condition with
 * parameters (filter_sql.c).  Nothing here touches a store nor needs
 * SQLite's header: binding the parameters to a statement is the store's
 * (filter_sql.h).  The fields are in fields.h.
 *
 * Grammar (terms side by side mean AND; OR binds looser than AND):
 *
 *     filter  := [ or ]
 *     or      := and { "OR" and }
 *     and     := unary { ["AND"] unary }
 *     unary   := "-" unary | "NOT" unary | "(" or ")" | term
 *     term    := field ":" values | "meta." path ":" values | "has:meta." path
 *              | WORD | '"' phrase '"'
 *     path    := key { "." key }             key: '"' chars '"' | run of bytes
 *                                            other than space ( ) " , . :
 *     values  := value { "," value }         any of several values
 *     value   := '"' chars '"' | run of bytes other than space ( ) " ,
 *
 *  - AND, OR and NOT are operators only in uppercase and standing alone
 *    (NOT x is -x); AND is optional (terms side by side must all match).
 *    To search for the word itself, quote it: "OR".  A lowercase and, or,
 *    not next to field terms (source:a or source:b) is searched as a word
 *    with a warning (filter_warnings) naming the reading taken.
 *  - Field names are case-insensitive; a word that starts with a letter and
 *    is followed by ':' is a field (an unknown one is an error).
 *  - Quoted strings take \" and \\ escapes.
 *  - Text fields (source, generator, purpose, label, reviewer, ext, file):
 *    a value with '*' is a GLOB pattern ('*' is always a wildcard; '?' and
 *    '[' are literal), otherwise equality.  Both are case-sensitive, as
 *    SQLite's '=' and GLOB are.
 *  - Numbers (id, len, words, ratio, dup): N (equal), >N, >=N, <N, <=N,
 *    A..B (inclusive), A.. and ..B; len takes the suffixes k or Ki (1024),
 *    M or Mi (1048576) and G or Gi (2^30); ratio takes decimals.
 *  - origin: real, synthetic or unknown (any case), and the words index
 *    --origin accepts (human, machine, ...), normalised with a warning.
 *    is: reviewed, unreviewed, dup.  has: pair, score, meta.PATH.
 *  - meta.PATH: a value of the JSON metadata, looked up as index's
 *    --X-field and rules files do (index/fieldpath.h): keys joined by '.'
 *    go into nested objects, a key of digits also indexes an array
 *    (meta.instances.0.output), a quoted key may hold dots (meta."x.y"),
 *    and at each level the whole rest of the path is first tried as one
 *    key.  A value is compared by its kind:
 *      text        meta.lang:en      a string equal to it (or an object or
 *                                    array whose JSON text is it)
 *      number      meta.n:3          a JSON number equal to it, or a string
 *                                    holding exactly the text typed
 *      comparison  meta.t:>0.5 meta.n:3..7 meta.n:<=-1
 *                                    JSON numbers, and strings holding one
 *      true false  meta.ok:true      JSON true (false), or that string
 *      null        meta.x:null       JSON null, or the string "null"
 *      glob        meta.lang:e*      the text form (numbers as written,
 *                                    true/false as words) matches
 *      "quoted"    meta.n:"3"        a string (or JSON text) equal to it
 *    has:meta.PATH: the path holds a value other than null.
 *  - Full text: a bare word matches texts holding it (FTS5, case- and
 *    accent-insensitive); word* is a prefix search.  Its words are the
 *    index tokenizer's (ftsquery.h), not the whitespace-separated words
 *    that words:N counts (common/words.h): e-mail is one word to words:N
 *    and two to the full text.  A quoted phrase, or a
 *    word the tokenizer splits in several (e-mail), matches texts holding
 *    all its words, then confirmed by pv_phrase() (below).
 *  - Nesting (parentheses, '-' and NOT) is limited to FILTER_MAX_DEPTH
 *    levels, what it compiles to to FILTER_MAX_NEST levels of NOT and of
 *    AND/OR groups inside each other (parentheses around one group add
 *    none), and a filter to FILTER_MAX_PARAMS SQL parameters.
 *
 * Negation is two-valued: -source:news matches documents without a source.
 */
#ifndef PV_FILTER_H
#define PV_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "../common/pv.h"
#include "../common/buf.h"
#include "fields.h"

#define FILTER_MAX_DEPTH 100
/* Deepest nesting of the compiled SQL a filter may need, in levels of NOT
 * and of AND/OR groups inside each other (a long chain adds a level per
 * halving into groups of 32): SQLite's parser overflows its stack at
 * about 20 levels of NOT (tests/fuzz/regress/filter). */
#define FILTER_MAX_NEST 16
/* Terms per flat AND/OR group of the compiled SQL (filter_sql.c): longer
 * chains compile to balanced groups of groups. */
#define FILTER_CHAIN 32
/* Highest ?NNN SQLite accepts by default (SQLITE_MAX_VARIABLE_NUMBER). */
#define FILTER_MAX_PARAMS 32766

enum filter_node_type { FN_AND, FN_OR, FN_NOT, FN_TERM };

enum filter_op {
	FOP_EQ,       /* = (text or number) */
	FOP_GLOB,     /* text with '*' */
	FOP_LT, FOP_LE, FOP_GT, FOP_GE,
	FOP_RANGE,    /* lo..hi inclusive */
	FOP_FLAG,     /* is:/has: value (flag) */
	FOP_WORD,     /* bare word (text) */
	FOP_PREFIX,   /* bare word* (text without the '*') */
	FOP_PHRASE,   /* "quoted phrase" (text) */
	FOP_HAS       /* has:meta.PATH (the node's path holds a value) */
};

/* What an unquoted meta.PATH value is, besides its text (filter.h top). */
enum filter_lit { FL_TEXT, FL_NUM, FL_TRUE, FL_FALSE, FL_NULL };

struct filter_value {
	enum filter_op op;
	char *text;                        /* owned: text values, words */
	int64_t lo, hi;                    /* FIELD_INT: the number(s) */
	double dlo, dhi;                   /* FIELD_REAL */
	const struct field_value *flag;    /* FOP_FLAG; enum value for FIELD_ENUM */
	enum filter_lit lit;               /* meta.PATH FOP_EQ: the value's kind;
					    * FL_NUM: the number in lo (when
					    * is_int) or dlo */
	bool is_int;                       /* meta.PATH numbers: an integer */
};

/* meta.PATH: its keys, each owned; quoted[k] when key k was written in
 * quotes (never split at its dots). */
struct filter_path {
	char **key;
	bool *quoted;
	size_t n;
};

struct filter_node {
	enum filter_node_type type;
	long column;                       /* 1-based byte where it starts */
	/* FN_AND, FN_OR (two or more), FN_NOT (one) */
	struct filter_node **kids;
	size_t nkids, kcap;
	/* FN_TERM */
	const struct field_def *field;
	char *key;                         /* meta.PATH: PATH as printed by the
					    * canonical form (owned) */
	struct filter_path path;           /* meta.PATH: its keys (owned) */
	struct filter_value *vals;         /* any of these (owned) */
	size_t nvals;
};

struct filter_ast {
	struct filter_node *root;          /* NULL: the empty filter */
	size_t nodes;
	char *warnings;                    /* owned; NULL when none */
};

/* Parses text.  On error returns PV_EPARSE, *out = NULL, err->column is the
 * 1-based byte position and err->msg says what was expected. */
int filter_parse(const char *text, struct filter_ast **out, struct pv_err *err);
void filter_free(struct filter_ast *ast);            /* NULL allowed */

/* The readings the parser took that the user may not have meant (a
 * lowercase "or" between field terms searched as a word, origin:human
 * read as origin:real), one per line, each "at byte N: message"; NULL
 * when there are none.  Borrowed from ast (NULL allowed). */
const char *filter_warnings(const struct filter_ast *ast);

/* Appends the filter with every operator written out: AND between terms,
 * OR, NOT, parentheses around every group, and full-text terms as
 * text:WORD or text:"PHRASE", so that a reader sees how it was read. */
void filter_reading(const struct filter_ast *ast, struct buf *out);

/* Appends the canonical form: lowercase fields, values normalized (numbers
 * in full, origin lowercase), parentheses only where needed, quotes only
 * where needed.  Parsing it again gives the same form.  Empty filter: "". */
void filter_canonical(const struct filter_ast *ast, struct buf *out);

/* Renders the filter text on one line (control characters made visible)
 * and a caret under err->column, each line ending in '\n'. */
void filter_error_caret(const char *text, const struct pv_err *err, struct buf *out);

enum filter_ptype { FP_TEXT, FP_INT, FP_REAL };

struct filter_param {
	enum filter_ptype type;
	char *text;            /* FP_TEXT, owned */
	int64_t i;
	double d;
};

/*
 * The compiled filter: where is a condition over
 *     docs d JOIN texts t ON t.id = d.text_id JOIN inputs i ON i.id = d.input_id
 * ("1" for the empty filter; needs_texts and needs_inputs say which of the
 * joins it reads, so that a FROM may leave the others out: store_from)
 * whose parameters are written ?NNN, numbered from first (1 with
 * filter_compile); params[k] is ?(first + k).  A caller
 * adding its own parameters numbers them from first + nparams.
 *
 * Full-text terms use the fts table and, for phrases, the SQL function
 *     pv_phrase(text_id INTEGER, phrase TEXT) -> 1 or 0
 * which the caller must register on the connection: it returns 1 when the
 * decompressed text of texts.id = text_id holds the phrase's words one
 * after the other, under ftsquery.h's matching rules (the index's
 * tokenizer's words, case and diacritics folded, a spaceless run found
 * inside a longer one, Thai, Lao, Khmer and Myanmar marks compared), else
 * 0 (and 0 for NULLs).
 * The fts condition runs first, so it only sees texts holding every word.
 * A word of a script indexed as bigrams (ftsquery.h) reaches MATCH through
 *     pv_fts_query(query TEXT) -> query
 * which store_open registers (store/ftsscheme.c): it fails with a message
 * when the store's index predates the bigrams, instead of finding less.
 */
struct filter_sql {
	char *where;                       /* owned */
	struct filter_param *params;       /* owned */
	size_t nparams;
	int first;
	char *notes;                       /* owned; how terms are answered
					    * (scans), one per line; NULL */
	bool needs_texts;                  /* where reads a column of texts t */
	bool needs_inputs;                 /* where reads a column of inputs i */
};

/* A metadata path the store has an index for (provex index --index-meta):
 * key is the path as the canonical form prints it, column the generated
 * column of docs holding its value (an identifier provex chose).  Both
 * borrowed. */
struct filter_meta_index {
	const char *key;
	const char *column;
};

/* What the compiler may know of the store: its metadata indexes. */
struct filter_env {
	const struct filter_meta_index *meta;
	size_t nmeta;
};

/* Compiles ast (NULL allowed: the empty filter) into out (which it
 * initializes).  filter_parse refuses filters needing more than
 * FILTER_MAX_PARAMS parameters, so this returns 0, or PV_EUSAGE when
 * first + nparams - 1 would exceed FILTER_MAX_PARAMS. */
int filter_compile(const struct filter_ast *ast, struct filter_sql *out);
int filter_compile_at(const struct filter_ast *ast, int first, struct filter_sql *out);
/* The same, using the store's metadata indexes (env NULL: none).  A
 * meta.PATH term with an index reads its column; others read the JSON, and
 * out->notes says so. */
int filter_compile_env(const struct filter_ast *ast, int first,
		       const struct filter_env *env, struct filter_sql *out);

/* The JSON paths (SQLite's syntax, e.g. $."a"[0]) that meta.PATH may be
 * read at, in the order they are tried (filter.h top); the caller frees
 * each and the array.  PV_EUSAGE when the path has more than
 * FILTER_MAX_READINGS readings or a key SQLite's paths cannot write. */
#define FILTER_MAX_READINGS 8
int filter_meta_paths(const struct filter_path *path, char ***paths, size_t *n,
		      struct pv_err *err);
/* Parses PATH (as typed after "meta.", e.g. a."x.y".0) into out (freed with
 * filter_path_done); PV_EPARSE with err->column on a bad one. */
int filter_path_parse(const char *text, struct filter_path *out, struct pv_err *err);
void filter_path_done(struct filter_path *p);
/* Appends path as the canonical form prints it (keys quoted where they
 * were, or where they must be). */
void filter_path_canon(const struct filter_path *path, struct buf *out);
/* Appends the SQL expression giving the value at path's readings with
 * the paths written as string literals, over column col (e.g. "meta"),
 * for an index or a generated column; PV_EUSAGE as filter_meta_paths. */
int filter_meta_sql(const struct filter_path *path, const char *col, struct buf *out,
		    struct pv_err *err);
void filter_sql_done(struct filter_sql *fs);        /* frees; reusable */

#endif
