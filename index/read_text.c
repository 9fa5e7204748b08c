/*
 * read_text.c - plain text: the whole (decompressed) input is one
 * is_text record, byte-exact (NUL bytes and invalid UTF-8 included).  The
 * document is gathered in the reader's arena, as it must be whole in
 * memory to be a record; an empty input is one empty document.  An input
 * over the size limit is a bad record ("document too large"), and reading
 * stops there: nothing more is read of it (/dev/zero never ends).
 */
#include "readers.h"

#include <stdlib.h>

#define TEXT_CHUNK (256 * 1024)

struct text {
	int done;
};

/*
 * text_next - the first call reads everything and returns it as record 0
 * (line 1); later calls return READ_EOF.  A stream error returns its
 * negative code and no record: a partial document is not a document.
 * Reads at most the limit and one byte more: one more is a bad record.
 */
static int text_next(struct reader *r, struct record *rec, struct pv_err *err)
{
	struct text *st = r->state;
	ssize_t n;
	size_t room;

	if (st->done)
		return READ_EOF;
	buf_reset(&r->arena);
	for (;;) {
		if (r->arena.len > r->max_doc) {
			uint64_t got = r->arena.len;
			st->done = 1;
			buf_done(&r->arena);
			rec->index = r->index++;
			return reader_too_large(r, rec, 1, 1, got, true, err);
		}
		buf_reserve(&r->arena, TEXT_CHUNK);
		room = r->arena.cap - r->arena.len - 1;
		if (room > r->max_doc + 1 - r->arena.len)
			room = (size_t)(r->max_doc + 1 - r->arena.len);
		n = instream_read(r->in, r->arena.data + r->arena.len, room, err);
		if (n < 0) {
			buf_reset(&r->arena);
			return (int)n;
		}
		if (n == 0)
			break;
		r->arena.len += (size_t)n;
	}
	r->arena.data[r->arena.len] = '\0';
	st->done = 1;
	rec->line = 1;
	rec->column = 1;
	rec->index = r->index++;
	rec->is_text = true;
	rec->text = r->arena.data;
	rec->text_len = r->arena.len;
	return READ_OK;
}

/* text_close - frees the state. */
static void text_close(struct reader *r)
{
	free(r->state);
	r->state = NULL;
}

static const struct reader_ops text_ops = { text_next, text_close };

/* read_text_open - sets r up for plain text.  Returns 0. */
int read_text_open(struct reader *r, struct pv_err *err)
{
	(void)err;
	r->state = pv_calloc(1, sizeof(struct text));
	r->ops = &text_ops;
	return 0;
}
