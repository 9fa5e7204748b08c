/*
 * yaml.h - reading a YAML file for the settings, themes and rules files:
 * the file read whole, parsed with libyaml's document API into one
 * document, every message placed at file:line:column (1-based, columns
 * counted in bytes: libyaml counts characters, this layer converts).
 *
 * The node type is libyaml's yaml_node_t (include <yaml.h> to look
 * inside); nodes belong to the file and live until yaml_file_close.
 *
 * A file holds one document.  yaml_file_open parses the first;
 * yaml_file_end parses on to the end, which finds a second document and
 * syntax errors after the first.  A caller that checks the document
 * before what follows it (the rules file) calls yaml_file_end after its
 * checks; the others call it at once.
 *
 * Ownership: struct yaml_file owns a copy of the path, the file's bytes,
 * the parser and the parsed document.  The struct pv_err given to
 * yaml_file_open is borrowed: the messages go there.  Nothing here prints.
 */
#ifndef PV_YAML_H
#define PV_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include "pv.h"

struct yaml_file;
struct yaml_node_s;

/* Flags of yaml_file_open. */
enum {
	/* "cannot open rules file: ..." rather than "cannot open the
	 * rules file: ..." */
	YAML_FILE_NO_ARTICLE = 1
};

/*
 * Reads the file at path and parses its first document; what names the
 * file in messages ("theme file").  Returns 0 with *out set, PV_ENOTFOUND
 * when the file does not exist, PV_EIO when it cannot be read, PV_EPARSE
 * for YAML syntax errors, PV_ENOMEM when libyaml runs out, all with err
 * set; *out is NULL on error.
 */
int yaml_file_open(struct yaml_file **out, const char *path, const char *what,
		   int flags, struct pv_err *err);

/* Parses what follows the first document: 0 when nothing does, else
 * PV_EPARSE ("a theme file holds one YAML document; found a second one",
 * or a syntax error) with err set. */
int yaml_file_end(struct yaml_file *y);

/* The document's root node; NULL for an empty file. */
struct yaml_node_s *yaml_file_root(struct yaml_file *y);

/* The node with libyaml's 1-based index i (from a pair or an item). */
struct yaml_node_s *yaml_file_node(struct yaml_file *y, int i);

/* Where node n starts: 1-based line and byte column. */
void yaml_file_where(const struct yaml_file *y, const struct yaml_node_s *n,
		     long *line, long *column);

/*
 * The byte column of offset off inside the value of scalar n, when it can
 * be known exactly: the scalar is on one line and its source text is its
 * value (plain), or its value in quotes without escapes.  0 otherwise.
 */
long yaml_file_scalar_column(const struct yaml_file *y,
			     const struct yaml_node_s *n, size_t off);

/* Fills err (as given to yaml_file_open) with PV_EPARSE at node n (NULL:
 * line 1, column 1) and a printf-style message; returns PV_EPARSE. */
int yaml_file_fail(struct yaml_file *y, const struct yaml_node_s *n,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* yaml_file_fail at byte column col of n's line when col > 0. */
int yaml_file_fail_col(struct yaml_file *y, const struct yaml_node_s *n,
		       long col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* True for a plain scalar that YAML reads as null: "", ~, null, Null,
 * NULL.  False for NULL. */
bool yaml_file_is_null(const struct yaml_node_s *n);

/* "a mapping", "a list", "a string", "an empty value", "nothing" (for
 * "expected X, not Y" messages). */
const char *yaml_file_kind(const struct yaml_node_s *n);

/* Frees y, its parser and its nodes.  NULL is allowed. */
void yaml_file_close(struct yaml_file *y);

#endif
