/*
 * read_csv.c - CSV after RFC 4180: the first row names the fields, every
 * later row is a record whose fields are strings.  Quoted fields may hold
 * commas, newlines (kept as they were: "\r\n" or "\n") and "" for a quote.
 * Tolerant where RFC 4180 is silent: text after a closing quote is kept,
 * a quote inside an unquoted field is an ordinary byte, blank lines are
 * skipped.  A row whose field count differs from the header's, one left
 * inside a quote at the end of the input, or one over the size limit, is a
 * bad record; reading goes on.  A header naming a column twice, or an
 * input in UTF-16 or UTF-32, is refused: nothing is read.
 *
 * Streams with the line reader: a row is in memory only while it is read.
 * Owns the header names and the current row's values.
 */
#include "readers.h"

#include "../common/utf8.h"

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
	uint64_t row_size;          /* bytes of the current row so far */
	int over;                   /* it is over the limit: values not kept */
	char first[4];              /* the input's first bytes, as read (for */
	size_t nfirst;              /* reader_check_encoding) */
};

enum { ROW_OK = 1, ROW_BLANK = 2, ROW_UNTERMINATED = 3, ROW_TOO_LARGE = 4 };

/* Appends n bytes of the row's value, unless the row is over the limit
 * (then they are only counted). */
static void vapp(struct csv *st, uint64_t max, const char *p, size_t n)
{
	st->row_size += n;
	if (st->over)
		return;
	if (st->row_size > max) {
		st->over = 1;
		return;
	}
	buf_append(&st->vals, p, n);
}

/* Ends the field being gathered in st->vals (its start is the last offset). */
static void end_field(struct csv *st)
{
	if (st->over)
		return;
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
 * (the input ended inside quotes; the values so far are kept),
 * ROW_TOO_LARGE (over max bytes: st->row_size, its values not kept; a
 * line of it over the limit ends it there), 0 at the end of the input, or
 * a negative code when the stream failed.
 */
static int read_row(struct csv *st, uint64_t max, long *first_line,
		    struct pv_err *err)
{
	const char *line, *q, *c;
	size_t len, i = 0;
	int rc;

	buf_reset(&st->vals);
	st->nvals = 0;
	st->row_size = 0;
	st->over = 0;
	if (!st->val_off) {
		st->val_cap = 16;
		st->val_off = pv_malloc(st->val_cap * sizeof *st->val_off);
	}
	st->val_off[0] = 0;
	rc = lr_next(&st->lr, &line, &len, err);
	if (rc <= 0)
		return rc;
	*first_line = st->lr.lineno;
	if (st->lr.lineno == 1 && rc != LR_TOO_LONG) {
		/* the raw bytes, not the first value: a quoted header name
		 * starting with FF FE or holding a NUL is not UTF-16 */
		st->nfirst = PV_MIN(len + st->lr.newline, sizeof st->first);
		memcpy(st->first, line, st->nfirst);
	}
	if (rc == LR_TOO_LONG) {
		st->row_size = st->lr.long_size;
		return ROW_TOO_LARGE;
	}
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
					vapp(st, max, line + i, len - i);
					if (!st->lr.newline) {
						end_field(st);
						return st->over ? ROW_TOO_LARGE
								: ROW_UNTERMINATED;
					}
					vapp(st, max, st->lr.crlf ? "\r\n" : "\n",
					     st->lr.crlf ? 2 : 1);
					rc = lr_next(&st->lr, &line, &len, err);
					if (rc < 0)
						return rc;
					if (rc == 0) {
						end_field(st);
						return st->over ? ROW_TOO_LARGE
								: ROW_UNTERMINATED;
					}
					if (rc == LR_TOO_LONG) {
						st->row_size += st->lr.long_size;
						return ROW_TOO_LARGE;
					}
					i = 0;
					continue;
				}
				vapp(st, max, line + i, (size_t)(q - (line + i)));
				i = (size_t)(q - line) + 1;
				if (i < len && line[i] == '"') {
					vapp(st, max, "\"", 1);
					i++;
					continue;
				}
				break;
			}
		}
		/* Unquoted text (or what follows a closing quote) up to ','. */
		c = i < len ? memchr(line + i, ',', len - i) : NULL;
		if (!c) {
			vapp(st, max, line + i, len - i);
			end_field(st);
			return st->over ? ROW_TOO_LARGE : ROW_OK;
		}
		vapp(st, max, line + i, (size_t)(c - (line + i)));
		end_field(st);
		i = (size_t)(c - line) + 1;
	}
}

/* A header name and its column, for finding names given twice. */
struct hname {
	const char *p;
	size_t len, col;
};

static int hname_cmp(const void *a, const void *b)
{
	const struct hname *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

/*
 * Fails (PV_EPARSE) when the header names a column twice: the first such
 * name, with the columns (1-based) it names.  Returns 0 otherwise.
 */
static int check_names(struct reader *r, struct csv *st, long line,
		       struct pv_err *err)
{
	struct hname *h, *best = NULL;
	struct buf shown = BUF_INIT;
	size_t i;
	int rc = 0;

	if (st->nnames < 2)
		return 0;
	h = pv_malloc(st->nnames * sizeof *h);
	for (i = 0; i < st->nnames; i++) {
		h[i].p = st->names.data + st->name_off[i];
		h[i].len = st->name_off[i + 1] - st->name_off[i] - 1;
		h[i].col = i + 1;
	}
	qsort(h, st->nnames, sizeof *h, hname_cmp);
	/* of the names given twice, the one whose second column comes first */
	for (i = 0; i + 1 < st->nnames; i++)
		if (h[i].len == h[i + 1].len && memcmp(h[i].p, h[i + 1].p, h[i].len) == 0 &&
		    (!best || h[i + 1].col < best[1].col))
			best = &h[i];
	if (best) {
		utf8_sanitize(&shown, best->p, PV_MIN(best->len, 100), SAN_ONE_LINE);
		rc = pv_errf_at(err, PV_EPARSE, r->path, line, 1,
				"the CSV header names column \"%s\" twice (columns "
				"%zu and %zu): one value of each row would be lost; "
				"rename one of them in the header", buf_str(&shown),
				best->col, best[1].col);
	}
	buf_done(&shown);
	free(h);
	return rc;
}

/*
 * Reads the header row into st->names.  Returns 1, 0 for an empty input,
 * or a negative code (stream failure, or PV_EPARSE for a header left
 * inside quotes, over the size limit, naming a column twice, or in
 * UTF-16/UTF-32).
 */
static int read_header(struct reader *r, struct csv *st, struct pv_err *err)
{
	long line = 0;
	size_t i;
	int rc, enc;

	do
		rc = read_row(st, r->max_doc, &line, err);
	while (rc == ROW_BLANK);
	if (rc <= 0)
		return rc;
	if (st->nfirst > 0 &&
	    (enc = reader_check_encoding(r, st->first, st->nfirst, err)) < 0)
		return enc;
	if (rc == ROW_UNTERMINATED)
		return pv_errf_at(err, PV_EPARSE, r->path, line, 1,
				  "unterminated quoted field in the CSV header");
	if (rc == ROW_TOO_LARGE)
		return pv_errf_at(err, PV_EPARSE, r->path, line, 1,
				  "the CSV header is over the limit of %llu bytes "
				  "(raise it with --max-doc-size)",
				  (unsigned long long)r->max_doc);
	buf_append(&st->names, st->vals.data, st->vals.len);
	st->nnames = st->nvals;
	st->name_off = pv_malloc((st->nnames + 1) * sizeof *st->name_off);
	for (i = 0; i <= st->nnames; i++)
		st->name_off[i] = st->val_off[i];
	if ((rc = check_names(r, st, line, err)) < 0)
		return rc;
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
		rc = read_row(st, r->max_doc, &line, err);
	while (rc == ROW_BLANK);
	if (rc <= 0)
		return rc;
	rec->line = line;
	rec->column = 1;
	rec->index = r->index++;
	if (rc == ROW_TOO_LARGE)
		return reader_too_large(r, rec, line, 1, st->row_size, false, err);
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
		struct in_field *f = &r->fields[i];
		f->name = st->names.data + st->name_off[i];
		f->name_len = st->name_off[i + 1] - st->name_off[i] - 1;
		f->type = JSON_STRING;
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
	st->lr.max = r->max_doc;
	st->lr.path = r->path;
	buf_init(&st->names);
	buf_init(&st->vals);
	r->state = st;
	r->ops = &csv_ops;
	return 0;
}
