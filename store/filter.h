/*
 * filter.h - the filter language: parse a filter into a small tree, print
 * its canonical form, compile it to an SQL condition with bound parameters.
 * Nothing here touches a store; the fields are in fields.h.
 *
 * Grammar (terms side by side mean AND; OR binds looser than AND):
 *
 *     filter  := [ or ]
 *     or      := and { "OR" and }
 *     and     := unary { ["AND"] unary }
 *     unary   := "-" unary | "(" or ")" | term
 *     term    := field ":" values | "meta." KEY ":" values
 *              | WORD | '"' phrase '"'
 *     values  := value { "," value }         any of several values
 *     value   := '"' chars '"' | run of bytes other than space ( ) " ,
 *
 *  - OR and AND are keywords only in uppercase and standing alone; to search
 *    the word "OR", quote it.  AND is optional (noise).
 *  - Field names are case-insensitive; a word that starts with a letter and
 *    is followed by ':' is a field (an unknown one is an error).
 *  - Quoted strings take \" and \\ escapes.
 *  - Text fields (source, generator, purpose, label, reviewer, ext, file,
 *    meta.KEY): a value with '*' is a GLOB pattern ('*' is always a wildcard;
 *    '?' and '[' are literal), otherwise equality.  Both are case-sensitive,
 *    as SQLite's '=' and GLOB are.
 *  - Numbers (id, len, words, ratio, dup): N (equal), >N, >=N, <N, <=N,
 *    A..B (inclusive), A.. and ..B; len takes k (1024) and M (1048576)
 *    suffixes; ratio takes decimals.
 *  - origin: real, synthetic or unknown (any case).  is: reviewed,
 *    unreviewed, dup.  has: pair (matches nothing until pairs exist).
 *  - meta.KEY: KEY is [A-Za-z0-9_.-]+, a top-level key of the JSON metadata
 *    (dots are part of the name); the value is compared as text, so
 *    meta.year:2020 matches both 2020 and "2020".
 *  - Full text: a bare word matches texts holding it (FTS5, case- and
 *    accent-insensitive); word* is a prefix search.  A quoted phrase, or a
 *    word the tokenizer splits in several (e-mail), matches texts holding
 *    all its words, then confirmed by pv_phrase() (below).
 *  - Nesting (parentheses and '-') is limited to FILTER_MAX_DEPTH levels,
 *    and a filter to FILTER_MAX_PARAMS SQL parameters.
 *
 * Negation is two-valued: -source:news matches documents without a source.
 */
#ifndef PV_FILTER_H
#define PV_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "../common/pv.h"
#include "../common/buf.h"
#include "fields.h"

#define FILTER_MAX_DEPTH 100
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
	FOP_PHRASE    /* "quoted phrase" (text) */
};

struct filter_value {
	enum filter_op op;
	char *text;                        /* owned: text values, words */
	int64_t lo, hi;                    /* FIELD_INT: the number(s) */
	double dlo, dhi;                   /* FIELD_REAL */
	const struct field_value *flag;    /* FOP_FLAG; enum value for FIELD_ENUM */
};

struct filter_node {
	enum filter_node_type type;
	long column;                       /* 1-based byte where it starts */
	/* FN_AND, FN_OR (two or more), FN_NOT (one) */
	struct filter_node **kids;
	size_t nkids, kcap;
	/* FN_TERM */
	const struct field *field;
	char *key;                         /* meta.KEY: KEY (owned) */
	struct filter_value *vals;         /* any of these (owned) */
	size_t nvals;
};

struct filter_ast {
	struct filter_node *root;          /* NULL: the empty filter */
	size_t nodes;
};

/* Parses text.  On error returns PV_EPARSE, *out = NULL, err->column is the
 * 1-based byte position and err->msg says what was expected. */
int filter_parse(const char *text, struct filter_ast **out, struct pv_err *err);
void filter_free(struct filter_ast *ast);            /* NULL allowed */

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
 * ("1" for the empty filter) whose parameters are written ?NNN, numbered
 * from first (1 with filter_compile); params[k] is ?(first + k).  A caller
 * adding its own parameters numbers them from first + nparams.
 *
 * Full-text terms use the fts table and, for phrases, the SQL function
 *     pv_phrase(text_id INTEGER, phrase TEXT) -> 1 or 0
 * which the caller must register on the connection: it returns 1 when the
 * decompressed text of texts.id = text_id holds the phrase's tokens
 * consecutively, tokens being compared as the fts tokenizer does
 * (unicode61, case-folded, remove_diacritics 2), else 0 (and 0 for NULLs).
 * The fts condition runs first, so it only sees texts holding every word.
 */
struct filter_sql {
	char *where;                       /* owned */
	struct filter_param *params;       /* owned */
	size_t nparams;
	int first;
};

/* Compiles ast (NULL allowed: the empty filter) into out (which it
 * initializes).  filter_parse refuses filters needing more than
 * FILTER_MAX_PARAMS parameters, so this returns 0, or PV_EUSAGE when
 * first + nparams - 1 would exceed FILTER_MAX_PARAMS. */
int filter_compile(const struct filter_ast *ast, struct filter_sql *out);
int filter_compile_at(const struct filter_ast *ast, int first, struct filter_sql *out);
/* Binds params[k] to ?(first_index + k); first_index must be the number the
 * filter was compiled with (else PV_EINVAL).  Returns 0 or PV_ESTORE. */
int filter_bind(const struct filter_sql *fs, sqlite3_stmt *st, int first_index);
void filter_sql_done(struct filter_sql *fs);        /* frees; reusable */

#endif
