/*
 * read_csv.c - CSV after RFC 4180: the first row names the fields, every
 * later row is a record whose fields are strings.  Quoted fields may hold
 * commas, newlines (kept as they were: "\r\n" or "\n") and "" for a quote.
 * Tolerant where RFC 4180 is silent: text after a closing quote is kept,
 * a quote inside an unquoted field is an ordinary byte, blank lines are
 * skipped.  A row whose field count differs from the header's, or one left
 * inside a quote at the end of the input, is a bad record; reading goes on.
 *
 * Streams with the line reader: a row is in memory only while it is read.
 * Owns the header names and the current row's values.
 */
#include "readers.h"

#include <stdlib.h>
#include <string.h>

struct csv {
	struct linereader lr;
	int have_header;
	int done;
	struct buf names;           /* header names, NUL after each */
	size_t *name_off;           /* offsets of the names in names */
	size_t nnames;
	struct buf vals;            /* the current row's values, NUL after each */
	size_t *val_off;            /* their offsets, and one past the last */
	size_t nvals, val_cap;
};

enum { ROW_OK = 1, ROW_BLANK = 2, ROW_UNTERMINATED = 3 };

/* Ends the field being gathered in st->vals (its start is the last offset). */
static void end_field(struct csv *st)
{
	buf_putc(&st->vals, '\0');
	if (st->nvals + 2 > st->val_cap) {
		st->val_cap = st->val_cap ? st->val_cap * 2 : 16;
		st->val_off = pv_realloc(st->val_off, st->val_cap * sizeof *st->val_off);
	}
	st->nvals++;
	st->val_off[st->nvals] = st->vals.len;
}

/*
 * Reads one row into st->vals/val_off.  *first_line gets the line it
 * starts on.  Returns ROW_OK, ROW_BLANK (an empty line), ROW_UNTERMINATED
 * (the input ended inside quotes; the values so far are kept), 0 at the
 * end of the input, or a negative code when the stream failed.
 */
static int read_row(struct csv *st, long *first_line, struct pv_err *err)
{
	const char *line, *q, *c;
	size_t len, i = 0;
	int rc;

	buf_reset(&st->vals);
	st->nvals = 0;
	if (!st->val_off) {
		st->val_cap = 16;
		st->val_off = pv_malloc(st->val_cap * sizeof *st->val_off);
	}
	st->val_off[0] = 0;
	rc = lr_next(&st->lr, &line, &len, err);
	if (rc <= 0)
		return rc;
	*first_line = st->lr.lineno;
	if (st->lr.lineno == 1 && HAS_BOM(line, len))
		i = 3;
	if (len == i)
		return ROW_BLANK;

	for (;;) {
		/* At the start of a field. */
		if (i < len && line[i] == '"') {
			i++;
			for (;;) {
				q = memchr(line + i, '"', len - i);
				if (!q) {
					/* The field goes on past this line. */
					buf_append(&st->vals, line + i, len - i);
					if (!st->lr.newline) {
						end_field(st);
						return ROW_UNTERMINATED;
					}
					buf_append(&st->vals, st->lr.crlf ? "\r\n" : "\n",
						   st->lr.crlf ? 2 : 1);
					rc = lr_next(&st->lr, &line, &len, err);
					if (rc < 0)
						return rc;
					if (rc == 0) {
						end_field(st);
						return ROW_UNTERMINATED;
					}
					i = 0;
					continue;
				}
				buf_append(&st->vals, line + i, (size_t)(q - (line + i)));
				i = (size_t)(q - line) + 1;
				if (i < len && line[i] == '"') {
					buf_putc(&st->vals, '"');
					i++;
					continue;
				}
				break;
			}
		}
		/* Unquoted text (or what follows a closing quote) up to ','. */
		c = i < len ? memchr(line + i, ',', len - i) : NULL;
		if (!c) {
			buf_append(&st->vals, line + i, len - i);
			end_field(st);
			return ROW_OK;
		}
		buf_append(&st->vals, line + i, (size_t)(c - (line + i)));
		end_field(st);
		i = (size_t)(c - line) + 1;
	}
}

/*
 * Reads the header row into st->names.  Returns 1, 0 for an empty input,
 * or a negative code (stream failure, or PV_EPARSE for a header left
 * inside quotes).
 */
static int read_header(struct reader *r, struct csv *st, struct pv_err *err)
{
	long line = 0;
	size_t i;
	int rc;

	do
		rc = read_row(st, &line, err);
	while (rc == ROW_BLANK);
	if (rc <= 0)
		return rc;
	if (rc == ROW_UNTERMINATED)
		return pv_errf_at(err, PV_EPARSE, r->path, line, 1,
				  "unterminated quoted field in the CSV header");
	buf_append(&st->names, st->vals.data, st->vals.len);
	st->nnames = st->nvals;
	st->name_off = pv_malloc((st->nnames + 1) * sizeof *st->name_off);
	for (i = 0; i <= st->nnames; i++)
		st->name_off[i] = st->val_off[i];
	st->have_header = 1;
	return 1;
}

/*
 * csv_next - the next data row as a record.  Returns READ_OK, READ_BAD
 * (wrong field count, unterminated quote), READ_EOF, or a negative code.
 */
static int csv_next(struct reader *r, struct record *rec, struct pv_err *err)
{
	struct csv *st = r->state;
	long line = 0;
	size_t i;
	int rc;

	if (st->done)
		return READ_EOF;
	if (!st->have_header) {
		rc = read_header(r, st, err);
		if (rc <= 0) {
			st->done = rc == 0;
			return rc;
		}
	}
	do
		rc = read_row(st, &line, err);
	while (rc == ROW_BLANK);
	if (rc <= 0)
		return rc;
	rec->line = line;
	rec->column = 1;
	rec->index = r->index++;
	if (rc == ROW_UNTERMINATED) {
		st->done = 1;
		rec->reason = "unterminated CSV quote";
		pv_errf_at(err, PV_EPARSE, r->path, line, 1,
			   "unterminated quoted field (the input ends inside it)");
		return READ_BAD;
	}
	if (st->nvals != st->nnames) {
		rec->reason = "wrong CSV field count";
		pv_errf_at(err, PV_EPARSE, r->path, line, 1,
			   "CSV row has %zu fields, header has %zu",
			   st->nvals, st->nnames);
		return READ_BAD;
	}
	reader_fields_reserve(r, st->nvals);
	for (i = 0; i < st->nvals; i++) {
		struct field *f = &r->fields[i];
		f->name = st->names.data + st->name_off[i];
		f->name_len = st->name_off[i + 1] - st->name_off[i] - 1;
		f->type = JT_STRING;
		f->raw = NULL;
		f->raw_len = 0;
		f->str = st->vals.data + st->val_off[i];
		f->str_len = st->val_off[i + 1] - st->val_off[i] - 1;
	}
	rec->fields = r->fields;
	rec->nfields = st->nvals;
	return READ_OK;
}

/* csv_close - frees the header, the row storage and the state. */
static void csv_close(struct reader *r)
{
	struct csv *st = r->state;

	if (!st)
		return;
	lr_done(&st->lr);
	buf_done(&st->names);
	buf_done(&st->vals);
	free(st->name_off);
	free(st->val_off);
	free(st);
	r->state = NULL;
}

static const struct reader_ops csv_ops = { csv_next, csv_close };

/* read_csv_open - sets r up for CSV.  Returns 0. */
int read_csv_open(struct reader *r, struct pv_err *err)
{
	struct csv *st = pv_calloc(1, sizeof *st);

	(void)err;
	lr_init(&st->lr, r->in);
	buf_init(&st->names);
	buf_init(&st->vals);
	r->state = st;
	r->ops = &csv_ops;
	return 0;
}
