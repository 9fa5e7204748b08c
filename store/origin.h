/*
 * origin.h - the words an origin may be given as.  One list (store/fields.c)
 * for index --origin, --origin-map results, rules files and the filter's
 * origin: alike; kept apart from fields.h so that index/ can use it without
 * the filter's field table.
 */
#ifndef PV_ORIGIN_H
#define PV_ORIGIN_H

#include <stddef.h>
#include "../common/buf.h"

/* "real", "synthetic" or "unknown" for an origin word (ASCII letters in
 * any case, blanks around it ignored): those three and human, original,
 * natural (real), machine, generated, model, ai, llm (synthetic); NULL for
 * another word (or one holding a NUL byte).  Static string. */
const char *field_origin_normalize(const char *val, size_t len);
/* Appends "human, original, natural (real); ..." (the other words). */
void field_list_origin_words(struct buf *out);

#endif
