/*
 * fuzz_readers.c - the JSONL and JSON readers (index/read_jsonl.c,
 * index/read_json.c through reader_open on a file).  The first byte
 * chooses: bit 0 JSONL or JSON, bit 1 (JSON) --records a, bit 2 a largest
 * document of 8 + 4 * (byte >> 3) bytes; the rest is the file.
 *
 * Properties, for any file:
 *  - reader_next returns READ_OK, READ_BAD (with a reason and a message
 *    naming the file and a line), READ_EOF or a negative code, and stops:
 *    never more records than the file has bytes, plus one;
 *  - a record's line and column are 1-based, JSONL lines never go back;
 *  - a bare text is NUL-terminated; every field has a NUL-terminated name
 *    that record_field finds, a value whose JSON text json_parse accepts
 *    with the field's type, and, for a string, decoded bytes equal to
 *    json_decode_string of that text;
 *  - once the JSON parser refuses raw control characters in strings
 *    (issue 11, part 1: probed once), no field's JSON text holds one.
 */
#include "fuzz.h"
#include "../../common/pv.h"
#include "../../common/buf.h"
#include "../../common/json.h"
#include "../../index/reader.h"

#include <stdio.h>
#include <string.h>

const char fuzz_name[] = "readers";

/* strict_strings - whether json_parse refuses a raw TAB inside a string
 * (probed once). */
static int strict_strings(void)
{
	static int known = -1;

	if (known < 0) {
		struct json_value v;

		known = json_parse("\"a\tb\"", 5, &v, NULL, NULL) != 0;
		if (!known)
			fprintf(stderr, "fuzz_readers: json_parse takes raw control "
				"characters in strings: not checked\n");
	}
	return known;
}

/* has_control - whether s holds a byte below 0x20. */
static int has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20)
			return 1;
	return 0;
}

/* check_fields - the properties of one READ_OK record. */
static void check_record(const struct record *rec, long nth)
{
	struct buf dec = BUF_INIT;
	size_t k;

	fuzz_check(rec->line >= 1 && rec->column >= 1,
		   "record %ld at line %ld column %ld", nth, rec->line, rec->column);
	if (rec->is_text) {
		fuzz_check(rec->text && rec->text[rec->text_len] == '\0',
			   "record %ld: text not NUL-terminated", nth);
		return;
	}
	fuzz_check(rec->nfields == 0 || rec->fields, "record %ld: no fields array", nth);
	for (k = 0; k < rec->nfields; k++) {
		const struct in_field *f = &rec->fields[k];
		struct json_value v;
		struct json_error je = { 0, NULL };

		fuzz_check(f->name && f->name[f->name_len] == '\0',
			   "record %ld field %zu: name not NUL-terminated", nth, k);
		if (strlen(f->name) == f->name_len) {
			const struct in_field *g = record_field(rec, f->name);

			fuzz_check(g && g->name_len == f->name_len &&
				   memcmp(g->name, f->name, f->name_len) == 0,
				   "record %ld field %zu: record_field does not find it", nth, k);
		}
		fuzz_check(f->raw && f->raw_len > 0, "record %ld field %zu: no JSON text",
			   nth, k);
		fuzz_check(json_parse(f->raw, f->raw_len, &v, NULL, &je) == 0,
			   "record %ld field %zu: its JSON text is refused: %s", nth, k,
			   je.reason);
		fuzz_check((int)v.kind == (int)f->type && v.raw_len == f->raw_len,
			   "record %ld field %zu: type %d, JSON text reads as %s", nth, k,
			   (int)f->type, json_kind_name(v.kind));
		if (strict_strings())
			fuzz_check(f->type != JSON_STRING ? 1 : !has_control(f->raw, f->raw_len),
				   "record %ld field %zu: raw control character in a string",
				   nth, k);
		if (f->type == JSON_STRING) {
			buf_reset(&dec);
			fuzz_check(json_decode_string(f->raw, f->raw_len, &dec, &je) == 0,
				   "record %ld field %zu: string does not decode", nth, k);
			fuzz_check(f->str && f->str[f->str_len] == '\0' &&
				   f->str_len == dec.len &&
				   (dec.len == 0 || memcmp(f->str, dec.data, dec.len) == 0),
				   "record %ld field %zu: decoded bytes differ", nth, k);
		} else {
			fuzz_check(f->str == NULL, "record %ld field %zu: a %s with str",
				   nth, k, json_kind_name(v.kind));
		}
	}
	buf_done(&dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader_opts o;
	struct reader *r = NULL;
	struct record rec;
	struct pv_err err;
	const char *path;
	long n = 0, last_line = 0;
	int rc;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof o);
	o.format = IN_FMT_JSONL;
	if (data[0] & 1) {
		o.format = IN_FMT_JSON;
		if (data[0] & 2)
			o.records_key = "a";
	}
	if (data[0] & 4)        /* a small --max-doc: records too large */
		o.max_doc = 8 + (uint64_t)(data[0] >> 3) * 4;
	path = fuzz_file(o.format == IN_FMT_JSON ? "in.json" : "in.jsonl", data + 1, size - 1);
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
			continue;
		}
		fuzz_check(rc == READ_OK, "reader_next returned %d", rc);
		check_record(&rec, n);
		if (o.format == IN_FMT_JSONL) {
			fuzz_check(rec.line >= last_line, "line %ld after line %ld",
				   rec.line, last_line);
			last_line = rec.line;
		}
	}
	if (reader_size(r))
		fuzz_check(reader_pos(r) <= reader_size(r), "position %llu past size %llu",
			   (unsigned long long)reader_pos(r),
			   (unsigned long long)reader_size(r));
	reader_close(r);
	return 0;
}
