/*
 * yaml.c - reading a YAML file with libyaml's document API, with every
 * message at file:line:column (the layer the settings file, the themes
 * and the rules files share).
 *
 * libyaml marks carry a 0-based line and a 0-based column counted in
 * characters; messages count columns in bytes, so mark_offset() walks the
 * file's bytes to the mark, line breaks counted as libyaml counts them.
 * A UTF-8 byte order mark is not part of line 1; in a UTF-16 file (which
 * libyaml reads, converting) the character column is used.
 *
 * Ownership: struct yaml_file owns the path copy, the bytes, the parser
 * and the document; the struct pv_err is the caller's.
 */
#include "yaml.h"
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct yaml_file {
	const char *what;        /* "configuration file", for messages */
	int flags;               /* YAML_FILE_* */
	char *path;              /* owned copy, for messages */
	char *src;               /* owned: the file's bytes, NUL-terminated */
	size_t len;
	bool utf16;              /* starts with a UTF-16 byte order mark */
	bool have_parser;        /* ps is initialised */
	bool at_end;             /* ps reached the end (or failed) */
	yaml_parser_t ps;
	yaml_document_t doc;
	struct pv_err *err;      /* the caller's, filled by yaml_file_fail */
};

/* Length of a line break at s (n bytes left) as libyaml counts them: LF,
 * CR LF, CR, NEL, LS, PS; 0 when s is not at a break. */
static size_t break_len(const unsigned char *s, size_t n)
{
	if (n >= 1 && s[0] == '\n')
		return 1;
	if (n >= 1 && s[0] == '\r')
		return (n >= 2 && s[1] == '\n') ? 2 : 1;
	if (n >= 2 && s[0] == 0xC2 && s[1] == 0x85)
		return 2;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 &&
	    (s[2] == 0xA8 || s[2] == 0xA9))
		return 3;
	return 0;
}

/* Byte length of the UTF-8 sequence led by c (1 for a byte that cannot
 * lead one, so a walk always advances). */
static size_t utf8_width(unsigned char c)
{
	if (c >= 0xF0 && c <= 0xF7)
		return 4;
	if (c >= 0xE0)
		return c <= 0xEF ? 3 : 1;
	if (c >= 0xC0)
		return 2;
	return 1;
}

/*
 * The byte offset in the source of libyaml mark m (0-based line, 0-based
 * column in characters), and through *col its 1-based byte column.
 */
static size_t mark_offset(const struct yaml_file *y, const yaml_mark_t *m,
			  long *col)
{
	const unsigned char *s = (const unsigned char *)y->src;
	size_t pos = 0, bol, line = 0, c, b;

	if (y->utf16) {
		*col = (long)m->column + 1;
		return m->index;
	}
	if (y->len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		pos = 3;
	while (line < m->line && pos < y->len) {
		b = break_len(s + pos, y->len - pos);
		if (b) {
			pos += b;
			line++;
		} else {
			pos++;
		}
	}
	bol = pos;
	for (c = 0; c < m->column && pos < y->len; c++)
		pos += PV_MIN(utf8_width(s[pos]), y->len - pos);
	*col = (long)(pos - bol) + 1;
	return pos;
}

/* Fills y->err with PV_EPARSE at mark m, at byte column col when col > 0
 * (else the mark's); returns PV_EPARSE. */
__attribute__((format(printf, 4, 0)))
static int fail_at(struct yaml_file *y, const yaml_mark_t *m, long col,
		   const char *fmt, va_list ap)
{
	char msg[sizeof y->err->msg];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (col <= 0)
		mark_offset(y, m, &col);
	return pv_errf_at(y->err, PV_EPARSE, y->path, (long)m->line + 1, col,
			  "%s", msg);
}

__attribute__((format(printf, 3, 4)))
static int fail_mark(struct yaml_file *y, const yaml_mark_t *m,
		     const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(y, m, 0, fmt, ap);
	va_end(ap);
	return rc;
}

int yaml_file_fail(struct yaml_file *y, const struct yaml_node_s *n,
		   const char *fmt, ...)
{
	yaml_mark_t top = { 0, 0, 0 };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(y, n ? &n->start_mark : &top, 0, fmt, ap);
	va_end(ap);
	return rc;
}

int yaml_file_fail_col(struct yaml_file *y, const struct yaml_node_s *n,
		       long col, const char *fmt, ...)
{
	yaml_mark_t top = { 0, 0, 0 };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(y, n ? &n->start_mark : &top, col, fmt, ap);
	va_end(ap);
	return rc;
}

/* Turns a libyaml parser error into y->err; returns the pv code. */
static int parse_error(struct yaml_file *y)
{
	const yaml_parser_t *ps = &y->ps;
	size_t i, bol = 0, end;
	long line = 1;
	char byte[32];

	switch (ps->error) {
	case YAML_MEMORY_ERROR:
		return pv_errf_at(y->err, PV_ENOMEM, y->path, 0, 0,
				  "out of memory while parsing YAML");
	case YAML_READER_ERROR:
		/* problem_offset is a byte offset in the input */
		end = PV_MIN(ps->problem_offset, y->len);
		for (i = 0; i < end; i++) {
			size_t b = break_len((const unsigned char *)y->src + i,
					     y->len - i);
			if (b) {
				line++;
				i += b - 1;
				bol = i + 1;
			}
		}
		byte[0] = '\0';
		if (ps->problem_value != -1)
			snprintf(byte, sizeof byte, " (byte 0x%02x)",
				 (unsigned)ps->problem_value & 0xFF);
		return pv_errf_at(y->err, PV_EPARSE, y->path, line,
				  (long)(end - bol) + 1, "YAML: %s%s",
				  ps->problem ? ps->problem : "cannot read", byte);
	default:
		if (ps->context)
			return fail_mark(y, &ps->problem_mark,
					 "YAML syntax error: %s (%s at line %lu)",
					 ps->problem ? ps->problem : "?",
					 ps->context,
					 (unsigned long)ps->context_mark.line + 1);
		return fail_mark(y, &ps->problem_mark, "YAML syntax error: %s",
				 ps->problem ? ps->problem : "?");
	}
}

/* Reads the file at path into y->src.  Returns 0, PV_ENOTFOUND or PV_EIO. */
static int read_all(struct yaml_file *y, const char *path)
{
	const char *the = (y->flags & YAML_FILE_NO_ARTICLE) ? "" : "the ";
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *fp;
	int e;

	fp = fopen(path, "rb");
	if (!fp) {
		e = errno;
		return pv_errf_at(y->err, e == ENOENT ? PV_ENOTFOUND : PV_EIO,
				  path, 0, 0, "cannot open %s%s: %s", the,
				  y->what, strerror(e));
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(fp)) {
		e = errno;
		fclose(fp);
		buf_done(&b);
		return pv_errf_at(y->err, PV_EIO, path, 0, 0,
				  "cannot read %s%s: %s", the, y->what,
				  strerror(e));
	}
	fclose(fp);
	y->len = b.len;
	y->src = buf_take(&b);
	return 0;
}

int yaml_file_open(struct yaml_file **out, const char *path, const char *what,
		   int flags, struct pv_err *err)
{
	struct yaml_file *y = pv_calloc(1, sizeof *y);
	const unsigned char *s;
	int rc;

	*out = NULL;
	y->what = what;
	y->flags = flags;
	y->path = pv_strdup(path);
	y->err = err;
	rc = read_all(y, path);
	if (rc)
		goto fail;
	s = (const unsigned char *)y->src;
	y->utf16 = y->len >= 2 && ((s[0] == 0xFE && s[1] == 0xFF) ||
				   (s[0] == 0xFF && s[1] == 0xFE));
	if (!yaml_parser_initialize(&y->ps)) {
		rc = pv_errf_at(err, PV_ENOMEM, path, 0, 0,
				"out of memory while parsing YAML");
		goto fail;
	}
	y->have_parser = true;
	yaml_parser_set_input_string(&y->ps, s, y->len);
	if (!yaml_parser_load(&y->ps, &y->doc)) {
		/* libyaml has freed the partial document */
		rc = parse_error(y);
		yaml_parser_delete(&y->ps);
		goto fail;
	}
	*out = y;
	return 0;

fail:
	free(y->src);
	free(y->path);
	free(y);
	return rc;
}

int yaml_file_end(struct yaml_file *y)
{
	yaml_document_t extra;
	int rc = 0;

	if (y->at_end)
		return 0;
	y->at_end = true;
	if (!yaml_parser_load(&y->ps, &extra))
		return parse_error(y);
	if (yaml_document_get_root_node(&extra))
		rc = fail_mark(y, &extra.start_mark, "a %s holds one YAML "
			       "document; found a second one", y->what);
	yaml_document_delete(&extra);
	return rc;
}

struct yaml_node_s *yaml_file_root(struct yaml_file *y)
{
	return yaml_document_get_root_node(&y->doc);
}

struct yaml_node_s *yaml_file_node(struct yaml_file *y, int i)
{
	return yaml_document_get_node(&y->doc, i);
}

void yaml_file_where(const struct yaml_file *y, const struct yaml_node_s *n,
		     long *line, long *column)
{
	*line = (long)n->start_mark.line + 1;
	mark_offset(y, &n->start_mark, column);
}

long yaml_file_scalar_column(const struct yaml_file *y,
			     const struct yaml_node_s *n, size_t off)
{
	size_t a, b, len = n->data.scalar.length;
	long col, ecol;
	int q;

	if (n->start_mark.line != n->end_mark.line)
		return 0;
	switch (n->data.scalar.style) {
	case YAML_PLAIN_SCALAR_STYLE:         q = 0; break;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: q = 1; break;
	default:                              return 0;
	}
	a = mark_offset(y, &n->start_mark, &col);
	b = mark_offset(y, &n->end_mark, &ecol);
	if (y->utf16 || b - a != len + 2 * (size_t)q)
		return 0;
	return col + q + (long)off;
}

bool yaml_file_is_null(const struct yaml_node_s *n)
{
	const char *v;

	if (!n || n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

const char *yaml_file_kind(const struct yaml_node_s *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		return yaml_file_is_null(n) ? "an empty value" : "a string";
	default:
		return "nothing";
	}
}

void yaml_file_close(struct yaml_file *y)
{
	if (!y)
		return;
	yaml_document_delete(&y->doc);
	if (y->have_parser)
		yaml_parser_delete(&y->ps);
	free(y->src);
	free(y->path);
	free(y);
}
