/*
 * reader.h - turning input files into records.
 *
 * A reader reads one input (a file, or "-" for standard input), optionally
 * compressed with gzip or zstd (detected from the first bytes), as a stream,
 * and yields one record at a time.  Formats: JSONL, JSON (an array, or an
 * object holding arrays), CSV with a header row, and plain text (the whole
 * input is one document).
 *
 * Ownership: a record and everything it points to is owned by the reader and
 * stays valid until the next reader_next() or reader_close().
 */
#ifndef PV_READER_H
#define PV_READER_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "../common/pv.h"
#include "../common/json.h"

/* One top-level field of a record. */
struct in_field {
	const char *name;       /* decoded key, NUL-terminated (may hold NULs: use name_len) */
	size_t name_len;
	enum json_kind type;    /* CSV fields are always JSON_STRING */
	const char *raw;        /* the value's JSON text (strings with quotes); NULL for CSV */
	size_t raw_len;
	const char *str;        /* JSON_STRING: decoded bytes, NUL-terminated; else NULL */
	size_t str_len;
};

struct record {
	const char *input;      /* input name as given on the command line */
	long line;              /* 1-based line where the record starts */
	long column;            /* 1-based column where it starts (JSON arrays) */
	long index;             /* 0-based record number within the input (or array) */
	const char *array_key;  /* JSON object of arrays: the key of the array; else NULL */
	bool is_text;           /* true: the record is a bare text (text file, JSON string) */
	const char *text;       /* is_text: the document bytes, NUL-terminated */
	size_t text_len;
	struct in_field *fields;   /* !is_text: the object's fields in input order,
	                           each name once (see dup_keys) */
	size_t nfields;
	const char *reason;     /* READ_BAD: short reason for counting, e.g. "malformed JSON" */
	/* Duplicate keys in a JSON record, at any depth: the last member of a
	 * key wins (as in Python and jq); the members it overrides are gone
	 * from fields and from every raw value (nested objects are rewritten
	 * without them), so whatever reads the record sees one value. */
	size_t dup_keys;        /* members overridden, 0 when none */
	const char *dup_key;    /* the first of them in the input (decoded,
	                           NUL-terminated, dup_key_len bytes); else NULL */
	size_t dup_key_len;
	uint64_t size;          /* READ_BAD "document too large": its size in
	                           bytes (at least, when size_partial) */
	bool size_partial;      /* the size is a lower bound (reading stopped) */
};

enum reader_format {
	IN_FMT_AUTO, IN_FMT_JSONL, IN_FMT_JSON, IN_FMT_CSV, IN_FMT_TEXT
};

/* Default largest document (bytes of one record, line or text input). */
#define READER_MAX_DOC_DEFAULT ((uint64_t)256 << 20)

struct reader_opts {
	enum reader_format format;  /* IN_FMT_AUTO: from the name (.jsonl/.ndjson, .json, .csv, else text),
	                               ignoring a trailing .gz/.zst */
	const char *records_key;    /* JSON: only the array under this key; NULL: all arrays */
	uint64_t max_doc;           /* largest record in bytes (a JSONL line, a CSV
	                               row, a JSON array element, a text input);
	                               0 = READER_MAX_DOC_DEFAULT.  A larger one is
	                               READ_BAD "document too large" and never
	                               held in memory whole; a line that runs on
	                               for 16 times the limit without ending
	                               stops the input. */
};

/* reader_next results */
enum { READ_EOF = 0, READ_OK = 1, READ_BAD = 2 };

struct reader;

/* Opens path ("-" = standard input).  Returns 0, or a negative code with err
 * naming the file (missing, unreadable, a directory...). */
int reader_open(struct reader **out, const char *path,
		const struct reader_opts *opts, struct pv_err *err);

/* Next record.  READ_OK: rec filled.  READ_BAD: one record was malformed and
 * skipped; err has file:line:column and the reason, rec->reason a short key;
 * the next call continues after it.  READ_EOF: done.  Negative: the input
 * cannot be read further (I/O error, truncated compressed data, text that
 * is UTF-16 or UTF-32 rather than UTF-8); err says so and records already
 * returned stay good. */
int reader_next(struct reader *r, struct record *rec, struct pv_err *err);

/* Bytes consumed from the underlying file (compressed bytes), and its size
 * (0 when unknown, e.g. a pipe), for progress. */
uint64_t reader_pos(const struct reader *r);
uint64_t reader_size(const struct reader *r);

/* True when the input is compressed (gzip, zstd): its records are known
 * good only once reader_next returned READ_EOF (see instream_checked). */
bool reader_checked(const struct reader *r);

/* The resolved format of an open reader. */
enum reader_format reader_format(const struct reader *r);

/* Frees the reader; NULL is allowed. */
void reader_close(struct reader *r);

/* The format a path would be read as under IN_FMT_AUTO. */
enum reader_format reader_guess_format(const char *path);

/* Looks up a field by name in a record; NULL if absent or the record is text. */
const struct in_field *record_field(const struct record *rec, const char *name);

#endif
