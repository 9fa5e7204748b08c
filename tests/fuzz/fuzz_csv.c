/*
 * fuzz_csv.c - the CSV reader (index/read_csv.c through reader_open on a
 * file).
 *
 * Properties, for any file:
 *  - reader_next returns READ_OK, READ_BAD (with a reason and a message
 *    naming the file and a line), READ_EOF or a negative code, and stops;
 *  - every good record has the header's fields, in the same order, every
 *    one a string: NUL-terminated name and value, no JSON text;
 *  - the good records written back as CSV (every field quoted, "" for a
 *    quote, under the same header) read back as the same records, with
 *    nothing bad.
 */
#include "fuzz.h"
#include "../../common/pv.h"
#include "../../common/buf.h"
#include "../../index/reader.h"

#include <stdlib.h>
#include <string.h>

const char fuzz_name[] = "csv";

/* put_quoted - appends s as one quoted CSV field. */
static void put_quoted(struct buf *b, const char *s, size_t len)
{
	size_t i;

	buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			buf_putc(b, '"');
		buf_putc(b, s[i]);
	}
	buf_putc(b, '"');
}

/* put_row - appends the names (names) or values of rec's fields as a row. */
static void put_row(struct buf *b, const struct record *rec, int names)
{
	size_t k;

	for (k = 0; k < rec->nfields; k++) {
		if (k)
			buf_putc(b, ',');
		if (names)
			put_quoted(b, rec->fields[k].name, rec->fields[k].name_len);
		else
			put_quoted(b, rec->fields[k].str, rec->fields[k].str_len);
	}
	buf_putc(b, '\n');
}

/* read_all - reads path; appends every good record as a row to rows (and
 * the header row, from the first, to head when not NULL); returns the
 * number of bad records, checking the properties on the way. */
static long read_all(const char *path, size_t size, struct buf *head, struct buf *rows,
		     long *good)
{
	struct reader_opts o;
	struct reader *r = NULL;
	struct record rec;
	struct pv_err err;
	struct buf names = BUF_INIT;   /* the first good record's names, as a row */
	long n = 0, bad = 0;
	int rc;

	*good = 0;
	memset(&o, 0, sizeof o);
	o.format = IN_FMT_CSV;
	rc = reader_open(&r, path, &o, &err);
	if (rc != 0) {
		/* refused from its first bytes (a compression it does not
		 * read, a damaged gzip header...): said, with the file named */
		fuzz_check(rc < 0 && err.msg[0] != '\0' &&
			   (strstr(err.msg, path) != NULL || strcmp(err.file, path) == 0),
			   "reader_open failed (%d) without naming the file: %s", rc, err.msg);
		return 0;
	}
	for (;;) {
		memset(&rec, 0, sizeof rec);
		pv_err_clear(&err);
		rc = reader_next(r, &rec, &err);
		if (rc == READ_EOF)
			break;
		if (rc < 0) {
			fuzz_check(err.msg[0] != '\0', "reader_next failed (%d) without a message", rc);
			break;
		}
		n++;
		fuzz_check(n <= (long)size + 1, "more records (%ld) than bytes (%zu)", n, size);
		if (rc == READ_BAD) {
			fuzz_check(rec.reason != NULL && err.msg[0] != '\0' && err.file[0] != '\0' &&
				   err.line >= 1,
				   "bad record %ld without reason, message, file or line", n);
			bad++;
			continue;
		}
		fuzz_check(rc == READ_OK && !rec.is_text && rec.line >= 1,
			   "record %ld: rc %d, text %d, line %ld", n, rc, rec.is_text, rec.line);
		{
			struct buf these = BUF_INIT;
			size_t k;

			for (k = 0; k < rec.nfields; k++) {
				const struct in_field *f = &rec.fields[k];

				fuzz_check(f->type == JSON_STRING && f->raw == NULL &&
					   f->name && f->name[f->name_len] == '\0' &&
					   f->str && f->str[f->str_len] == '\0',
					   "record %ld field %zu is not a plain string", n, k);
			}
			put_row(&these, &rec, 1);
			if (*good == 0) {
				buf_append(&names, these.data, these.len);
				if (head)
					buf_append(head, these.data, these.len);
			}
			fuzz_check(these.len == names.len &&
				   memcmp(these.data, names.data, names.len) == 0,
				   "record %ld: other field names than the first record", n);
			buf_done(&these);
		}
		put_row(rows, &rec, 0);
		(*good)++;
	}
	reader_close(r);
	buf_done(&names);
	return bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf head = BUF_INIT, rows = BUF_INIT, file = BUF_INIT, again = BUF_INIT;
	struct buf head2 = BUF_INIT;
	long good, good2;

	read_all(fuzz_file("in.csv", data, size), size, &head, &rows, &good);
	/* written back, a header starting with NUL bytes makes a file whose
	 * first bytes are those of UTF-16 or UTF-32 text ('"' then NULs: the
	 * reader rightly refuses it), so no comparison then */
	if (good > 0 && !memchr(head.data, '\0', PV_MIN(head.len, 4))) {
		buf_append(&file, head.data, head.len);
		buf_append(&file, rows.data, rows.len);
		fuzz_check(read_all(fuzz_file("again.csv", file.data, file.len), file.len,
				    &head2, &again, &good2) == 0,
			   "bad records in the written-back CSV");
		fuzz_check(good2 == good, "%ld records, %ld written back", good, good2);
		fuzz_check(again.len == rows.len && memcmp(again.data, rows.data, rows.len) == 0,
			   "records changed through writing them back");
		fuzz_check(head2.len == head.len && memcmp(head2.data, head.data, head.len) == 0,
			   "header changed through writing it back");
	}
	buf_done(&head);
	buf_done(&rows);
	buf_done(&file);
	buf_done(&again);
	buf_done(&head2);
	return 0;
}
