/*
 * fields.h - the fields of the filter language, listed once (fields.c) for
 * the parser, the SQL compiler, completion and the help view.
 *
 * Each field maps to one SQL expression over
 *     docs d JOIN texts t ON t.id = d.text_id JOIN inputs i ON i.id = d.input_id
 * and has a kind that decides which values it takes and how they compare.
 * Its flags say which of texts and inputs the expression reads (the FROM
 * joins only those, store_from), and sortable whether documents can be
 * listed in its order (ls --sort, the interface); FIELD_CYCLE marks the
 * sort fields the interface's o key goes through (field_sort_cycle).
 *
 * label and reviewer: the columns d.label and d.reviewer, added in schema
 * version 2 (store/schema.c) and set by relabelling (store/label.c).
 */
#ifndef PV_FIELDS_H
#define PV_FIELDS_H

#include <stddef.h>
#include <stdbool.h>
#include "../common/buf.h"
#include "origin.h"

enum field_kind {
	FIELD_ENUM,   /* one of a fixed list of values (origin) */
	FIELD_GLOB,   /* text: equal, or a GLOB pattern when it holds '*' */
	FIELD_INT,    /* integer: N, >N, >=N, <N, <=N, A..B (inclusive) */
	FIELD_REAL,   /* real number, same forms as FIELD_INT */
	FIELD_META,   /* meta.PATH: a value of the JSON metadata (filter.h) */
	FIELD_FLAG,   /* is:/has: a named condition from a fixed list */
	FIELD_TEXT    /* full text: bare words and "quoted phrases" (no name) */
};

enum {
	FIELD_SIZE = 1,      /* numbers may end in k (1024) or M (1048576) */
	FIELD_NONAME = 2,    /* not written as name:value (full text) */
	FIELD_PARTNER = 4,   /* pair:ID: the condition is on the document's
			      * pair partners' ids (see filter.c) */
	FIELD_TEXTS = 8,     /* its SQL reads texts t (t.words, t.len...) */
	FIELD_INPUTS = 16,   /* its SQL reads inputs i (i.name) */
	FIELD_NOTNULL = 32,  /* its SQL is never NULL (a sort needs no NULL
			      * segments, browse.c) */
	FIELD_CYCLE = 64     /* a sort field the interface's o key cycles
			      * through (tui/list.c, field_sort_cycle) */
};

/* A named condition (is:dup) or an allowed value (origin:real). */
struct field_value {
	const char *name;
	const char *sql;     /* FIELD_FLAG: the whole condition; NULL for enums */
	const char *help;
	unsigned flags;      /* FIELD_TEXTS, FIELD_INPUTS: the tables sql reads */
};

struct field_def {
	const char *name;           /* lowercase; matched case-insensitively */
	enum field_kind kind;
	const char *sql;            /* SQL expression (NULL for flags) */
	const char *help;           /* one line */
	unsigned flags;             /* FIELD_SIZE, FIELD_NONAME, FIELD_TEXTS... */
	const struct field_value *values;  /* FIELD_ENUM, FIELD_FLAG */
	size_t nvalues;
	/* 0: not a sort field; else its place in the list of sort fields
	 * (field_sort_names), the documents being ordered by sql */
	int sortable;
};

extern const struct field_def fields[];
extern const size_t nfields;

/* The field called name (len bytes, any case), or NULL.  Does not find
 * FIELD_NONAME entries nor "meta.PATH" (the parser splits those). */
const struct field_def *field_find(const char *name, size_t len);

/* The SQL column of field `name` when it is one of `allowed` (a NULL-ended
 * list of names), else NULL: for the commands that group or mix documents
 * by a field (stats --by, export --mix). */
const char *field_column(const char *name, const char *const *allowed);
/* The field sorted on as `name` (exact, lowercase), or NULL when it is no
 * sort field: store_sort_expr, browse.c and ls --sort all read this. */
const struct field_def *field_sort_find(const char *name);
/* "id, len, words, ..." (the sort fields in their order; static). */
const char *field_sort_names(void);
/* The name of the i-th (from 0) sort field with FIELD_CYCLE, in the sort
 * fields' order, or NULL past the last: the interface's sort cycle. */
const char *field_sort_cycle(size_t i);
/* The full-text pseudo-field. */
const struct field_def *field_text(void);
/* Appends "origin, source, ..." (the names a user can type). */
void field_list_names(struct buf *out);
/* Appends "real, synthetic, unknown" (a field's values). */
void field_list_values(const struct field_def *f, struct buf *out);
/* The value of an enum or flag field called name (any case), or NULL. */
const struct field_value *field_value_find(const struct field_def *f,
					   const char *name, size_t len);

#endif
