/*
 * ftsquery.h - words and phrases of a filter as the store's full-text
 * index sees them.
 *
 * The fts table is FTS5 with detail=none, which refuses a query string that
 * its tokenizer splits into several tokens.  So a word or phrase is split
 * here by the very tokenizer the index uses (FTS5's unicode61 with
 * remove_diacritics 2, from an in-memory SQLite connection of this process),
 * then cut into segments and bigrams exactly as ftsterms.h cuts a text: each
 * piece is one FTS5 token, and an FTS5 query is an AND of quoted pieces.
 * When one term cannot say everything (several words, or a spaceless run of
 * three or more characters), the candidates are confirmed against the text
 * by pv_phrase (store.c), which compares the two with ftsquery_phrase.
 *
 * Matching rules, the same for the index, the query and the confirmation:
 *  - case and diacritics are folded as unicode61 remove_diacritics 2 folds
 *    them ("cafe" finds "café" and "CAFÉ", a word or a phrase alike);
 *  - symbols, punctuation, emoji other than letters, and invalid UTF-8
 *    separate words;
 *  - words of the other scripts match whole;
 *  - a run of a spaceless script (ftsterms.h) matches any part of a run in
 *    the text: '中国' finds 中国人民, and a phrase may begin inside a run
 *    and end inside one ('国 人' finds 中国 人民);
 *  - the combining marks of Thai, Lao, Khmer and Myanmar (vowel signs, tone
 *    marks), which unicode61 drops as separators, must match as well: the
 *    index finds ก้ข for 'ก่ข' (it holds ก and ข), the confirmation does
 *    not, so a word holding such a mark is always confirmed.
 *
 * The tokenizer is created once per process (the first call) and shared
 * under a lock, so these functions may be called from any thread.
 */
#ifndef PV_FTSQUERY_H
#define PV_FTSQUERY_H

#include <stdbool.h>
#include <stddef.h>
#include "../common/pv.h"
#include "../common/buf.h"

/* Creates the process's tokenizer if needed.  Returns 0, or a negative
 * code when this SQLite has no FTS5 (then every other function here finds
 * no words). */
int ftsquery_init(struct pv_err *err);

/* What ftsquery_build found besides its count. */
struct ftsquery_info {
	bool spaceless;         /* some term comes from a spaceless run */
};

/* Appends to out (when not NULL) the FTS5 query for the word or phrase s
 * (n bytes, any bytes): quoted terms joined by " AND ", each one FTS5
 * token, a one-character spaceless run as a prefix ("中"*, every run holding
 * it), each distinct term once.  When prefix, the word is a prefix (word*):
 * its last term becomes "term"*.  Returns the number of terms the word
 * gives before duplicates are dropped (at least 2 when s holds a mark the
 * index cannot see): 0 means nothing to search for, and more than 1 means
 * the query only narrows the candidates, which ftsquery_phrase must
 * confirm.  info may be NULL. */
size_t ftsquery_build(const char *s, size_t n, bool prefix, struct buf *out,
		      struct ftsquery_info *info);

/* True when the text (tlen bytes) holds the phrase (plen bytes) under the
 * rules above.  A phrase without any word is found everywhere.  scratch is
 * the caller's buffer, reused between calls (it ends up holding the text's
 * words). */
bool ftsquery_phrase(const char *text, size_t tlen, const char *phrase, size_t plen,
		     struct buf *scratch);

#endif
