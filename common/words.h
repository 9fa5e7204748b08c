/*
 * words.h - what provex counts as a word: the one definition behind the
 * stored word counts (texts.words, the filter's words:N, ls and stats).
 *
 * A word is a maximal run of bytes other than ASCII whitespace (space,
 * tab, LF, VT, FF, CR): "e-mail", "foo,bar", an emoji, a run of Chinese
 * and invalid UTF-8 each count as one word.
 *
 * The words of full-text search (bare words and "phrases" in a filter,
 * confirmed by pv_phrase) are another thing on purpose: they are the terms
 * of the index's tokenizer (store/ftsquery.h), where punctuation, symbols
 * and emoji separate words and spaceless scripts are cut into bigrams, so
 * "e-mail" is one counted word and two search terms.  Changing either
 * definition would change stored counts or filter results.
 */
#ifndef PV_WORDS_H
#define PV_WORDS_H

#include <stddef.h>
#include <stdint.h>

/* The number of words (above) in s[0..len). */
int64_t pv_count_words(const char *s, size_t len);

#endif
