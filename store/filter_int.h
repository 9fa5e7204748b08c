/*
 * filter_int.h - what the filter language's source files share: filter.c
 * (the parser and tree), filter_path.c (metadata paths) and filter_print.c
 * (the canonical form and the error caret).  Not for the rest of provex.
 */
#ifndef PV_FILTER_INT_H
#define PV_FILTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "filter.h"

/* ---- characters ---- */

static inline bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Ends a bare word or a term. */
static inline bool is_delim(int c)
{
	return c == '\0' || is_space(c) || c == '(' || c == ')' || c == '"';
}

static inline bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Field names and meta keys: [A-Za-z0-9_.-] */
static inline bool is_ident(int c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-';
}

/* ---- metadata paths (filter_path.c) ---- */

/* Reads keys at s[*pos] up to the first byte that is not part of the path
 * ('.' between keys), leaving *pos there.  Returns 0, or PV_EPARSE with
 * *bad the offset of the problem and *why what it is. */
int filter_path_read(const char *s, size_t *pos, struct filter_path *out,
		     size_t *bad, const char **why);
/* The number of readings of p (0 for an empty path). */
size_t filter_path_readings(const struct filter_path *p);
/* Why p cannot be looked up, or NULL. */
const char *filter_path_problem(const struct filter_path *p);

/* ---- the parser's reading of a metadata value (filter.c) ---- */

/* True when the unquoted text s would be read as something other than
 * text by meta_value (a number, a literal, a comparison or a range). */
bool filter_meta_needs_quotes(const char *s);

#endif
