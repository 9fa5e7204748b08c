/*
 * readers.h - internals shared by the record readers (reader.c and the
 * read_*.c format modules): the reader object with its per-format
 * operations, the per-record arenas every format fills, and a line reader
 * over an instream.  Not part of the public interface (see reader.h).
 */
#ifndef PV_READERS_H
#define PV_READERS_H

#include <stddef.h>
#include "../common/pv.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "instream.h"
#include "reader.h"

struct reader;

/* What a format provides.  next() follows reader_next()'s contract;
 * close() frees the format's state (r->state), nothing else. */
struct reader_ops {
	int (*next)(struct reader *r, struct record *rec, struct pv_err *err);
	void (*close)(struct reader *r);
};

struct reader {
	const struct reader_ops *ops;
	struct instream *in;
	char *path;                 /* input name as given; owned */
	enum reader_format fmt;
	char *records_key;          /* JSON: only this array; owned, or NULL */
	void *state;                /* the format's own state; owned via ops->close */

	/* Storage for the record being returned, reused from one record to
	 * the next (a record borrows it until the next reader_next). */
	struct buf arena;           /* decoded strings, NUL after each */
	struct in_field *fields;
	size_t fields_cap;
	struct json_object obj;     /* members of the last parsed object */
	struct buf dedup;           /* its values rewritten without duplicate keys */
	long index;                 /* records (good or bad) returned so far */
	uint64_t max_doc;           /* largest record in bytes (never 0) */
};

/* Makes room for n fields in r->fields. */
void reader_fields_reserve(struct reader *r, size_t n);

/*
 * Parses s[0..len) as one JSON record: an object becomes a record with
 * fields (strings decoded into r->arena), a string an is_text record.
 * Returns READ_OK, or READ_BAD with rec->reason set and *jerr filled:
 * jerr->reason is the parser's reason for malformed JSON, NULL for a
 * well-formed value of another kind (*kind says which).  Only rec's
 * content fields are touched (not line, column, index).
 */
int reader_parse_json(struct reader *r, const char *s, size_t len,
		      struct record *rec, struct json_error *jerr,
		      enum json_kind *kind);

/* The format modules: each sets r->ops and r->state.  Return 0. */
int read_jsonl_open(struct reader *r, struct pv_err *err);
int read_json_open(struct reader *r, struct pv_err *err);
int read_csv_open(struct reader *r, struct pv_err *err);
int read_text_open(struct reader *r, struct pv_err *err);

/*
 * When the n bytes at the start of an input (n may be small: what is
 * there) are UTF-16 or UTF-32 rather than UTF-8 - a byte order mark, or
 * the NUL bytes of such text starting with one of "{[\" \t\r\n" or a
 * letter or digit - fails with err naming the encoding and how to
 * convert it (PV_EPARSE, located at file:1:1).  Returns 0 otherwise.
 */
int reader_check_encoding(struct reader *r, const void *p, size_t n,
			  struct pv_err *err);

/*
 * Fills err and rec for a record over the size limit, size bytes long
 * (at least, when partial) starting at line:col.  Returns READ_BAD.
 */
int reader_too_large(struct reader *r, struct record *rec, long line, long col,
		     uint64_t size, bool partial, struct pv_err *err);

/* True when the n bytes at p start with a UTF-8 byte order mark. */
#define HAS_BOM(p, n) ((n) >= 3 && (unsigned char)(p)[0] == 0xef && \
		       (unsigned char)(p)[1] == 0xbb && (unsigned char)(p)[2] == 0xbf)

/* ---- line reader ---------------------------------------------------- */

/* Splits an instream into lines ('\n', with a '\r' before it dropped) in
 * a buffer that grows to the longest line and is reused, up to a limit:
 * a longer line is passed over without being kept. */
struct linereader {
	const char *path;           /* the input's name, for messages; borrowed */
	uint64_t max;               /* longest line kept (0: no limit) */
	uint64_t long_size;         /* LR_TOO_LONG: bytes of the line passed over */
	int skipping;               /* passing over a line over the limit */
	struct instream *in;
	char *buf;
	size_t cap;
	size_t start, end;          /* unread bytes are buf[start..end) */
	size_t scan;                /* buf[start..scan) holds no '\n' */
	long lineno;                /* number of the line last returned */
	int crlf;                   /* it ended with "\r\n" */
	int newline;                /* it ended with a newline (not EOF) */
	int eof;
	int err;                    /* sticky error code, 0 if none */
	struct pv_err saved;        /* its report */
};

void lr_init(struct linereader *lr, struct instream *in);
void lr_done(struct linereader *lr);

/* lr_next's result for a line longer than lr->max. */
#define LR_TOO_LONG 2

/*
 * Next line, without its terminator: *line borrowed until the next call.
 * A last line without a newline is still a line.  Returns 1, 0 at the
 * end, LR_TOO_LONG for a line over lr->max (passed over to its end: its
 * number is lr->lineno, its size lr->long_size, *len is 0), or a negative
 * code (the stream failed, or a line ran on for 16 times lr->max without
 * ending: PV_EPARSE; the partial line it was reading is dropped, every
 * later call fails the same way).
 */
int lr_next(struct linereader *lr, const char **line, size_t *len,
	    struct pv_err *err);

#endif
