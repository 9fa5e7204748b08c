/*
 * read_jsonl.c - JSON Lines: one JSON value per line.  An object is a
 * record with fields, a bare string an is_text record; blank lines are
 * skipped; any other value, a line that is not JSON, or one over the size
 * limit, is one bad record (READ_BAD) and reading goes on with the next
 * line.  An input in UTF-16 or UTF-32 is refused at its first line.  Owns
 * only its line reader: the record storage is the reader's.
 */
#include "readers.h"

#include <stdlib.h>

struct jsonl {
	struct linereader lr;
	int failed;                 /* the input was refused: its code */
	struct pv_err failure;
};

/*
 * jsonl_next - the next non-blank line as a record.  Returns READ_OK,
 * READ_BAD (err: file:line:column, column = byte offset in the line + 1),
 * READ_EOF, or a negative code when the stream failed.
 */
static int jsonl_next(struct reader *r, struct record *rec, struct pv_err *err)
{
	struct jsonl *st = r->state;
	struct json_error jerr;
	enum json_kind kind;
	const char *line, *p;
	size_t len, skip;
	int rc;

	if (st->failed) {
		if (err)
			*err = st->failure;
		return st->failed;
	}
	for (;;) {
		rc = lr_next(&st->lr, &line, &len, err);
		if (rc <= 0)
			return rc;
		if (rc == LR_TOO_LONG) {
			rec->index = r->index++;
			return reader_too_large(r, rec, st->lr.lineno, 1,
						st->lr.long_size, false, err);
		}
		if (st->lr.lineno == 1 &&
		    (st->failed = reader_check_encoding(r, line, len + st->lr.newline,
							&st->failure)) < 0) {
			if (err)
				*err = st->failure;
			return st->failed;
		}
		skip = 0;
		if (st->lr.lineno == 1 && HAS_BOM(line, len))
			skip = 3;
		for (p = line + skip; p < line + len; p++)
			if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				break;
		if (p < line + len)
			break;
	}
	rec->line = st->lr.lineno;
	rec->column = 1;
	rec->index = r->index++;
	rc = reader_parse_json(r, line + skip, len - skip, rec, &jerr, &kind);
	if (rc == READ_BAD) {
		if (jerr.reason)
			pv_errf_at(err, PV_EPARSE, r->path, rec->line,
				   (long)(skip + jerr.offset + 1),
				   "malformed JSON: %s", jerr.reason);
		else
			pv_errf_at(err, PV_EPARSE, r->path, rec->line,
				   (long)(p - line + 1),
				   "not an object or string (a JSON %s)",
				   json_kind_name(kind));
	}
	return rc;
}

/* jsonl_close - frees the line reader and the state. */
static void jsonl_close(struct reader *r)
{
	struct jsonl *st = r->state;

	if (!st)
		return;
	lr_done(&st->lr);
	free(st);
	r->state = NULL;
}

static const struct reader_ops jsonl_ops = { jsonl_next, jsonl_close };

/* read_jsonl_open - sets r up for JSON Lines.  Returns 0. */
int read_jsonl_open(struct reader *r, struct pv_err *err)
{
	struct jsonl *st = pv_calloc(1, sizeof *st);

	(void)err;
	lr_init(&st->lr, r->in);
	st->lr.max = r->max_doc;
	st->lr.path = r->path;
	r->state = st;
	r->ops = &jsonl_ops;
	return 0;
}
