/*
 * ftsterms.h - the distinct full-text terms of a text, as the store's FTS5
 * tokenizer sees them.
 *
 * The store's full-text index is contentless with detail=none and
 * columnsize=0: it records, for each term, which texts hold it, and nothing
 * about where or how often.  Indexing the distinct terms of a text, joined
 * by spaces, therefore gives exactly the index the text itself would give,
 * for a fraction of FTS5's work; and the terms can be found on another
 * thread while the writer is busy.  The terms come from FTS5's own
 * unicode61 tokenizer with the table's arguments, so they are the ones a
 * query is matched against, and re-tokenizing them is the identity.
 *
 * Scripts written without spaces between words (Han, Hiragana, Katakana,
 * Hangul, Thai, Lao, Khmer, Myanmar: "spaceless" below) would make whole
 * clauses one token, found only whole.  So each token is cut into segments,
 * maximal runs of spaceless characters and runs of the others; a segment of
 * other characters is a term as it is, and a spaceless run c1 c2 ... cn
 * gives its overlapping bigrams c1c2, c2c3, ..., and its last character cn
 * alone (a run of one: that character), as Lucene's CJK analyzer does plus
 * the last character, so that a one-character query finds every run
 * holding it (ftsquery.h).  Every term is still one unicode61 token (the
 * tokenizer treats these letters as token characters, and its folding gives
 * the same term again), so FTS5's own INSERT of the terms joined by spaces
 * indexes exactly them.  The store records this scheme in meta (fts_terms,
 * see ftsscheme.h).
 *
 * Index-size cost of the bigrams (tests/bench/fts-cost: fts_data after
 * FTS5's 'optimize', against FTS5's own index of the same texts): on
 * ../shared/corpora/m4-llama2, 1,600 texts in eight languages, 854,663 ->
 * 876,575 bytes (+2.6%); on its 200 Chinese texts alone (qazh), 153,257 ->
 * 160,616 bytes (+4.8%), although they hold 21,732 distinct terms instead
 * of 8,519 and 40,996 postings instead of 18,784: bigrams are short and
 * shared, the whole clauses they replace were long and unique.  The
 * last-character terms are 7% of the Chinese postings.  As two index runs
 * leave it (before FTS5 merges everything), m4-llama2's index grows from
 * 989,139 to 1,013,635 bytes (+2.5%) and the Chinese one from 153,716 to
 * 164,930 (+7.3%).
 *
 * One struct ftsterms per thread; it owns its tokenizer instance and set.
 */
#ifndef PV_FTSTERMS_H
#define PV_FTSTERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "../common/pv.h"
#include "../common/buf.h"

/* The tokenizer arguments of the store's fts table (see schema.c). */
#define FTSTERMS_TOKENIZER "unicode61"
#define FTSTERMS_ARGS { "remove_diacritics", "2" }

struct ftsterms;

/* Creates a term finder using the FTS5 tokenizer registered on db.  Call on
 * the thread that owns db; the result may then be used on any one thread. */
int ftsterms_new(sqlite3 *db, struct ftsterms **out, struct pv_err *err);
void ftsterms_free(struct ftsterms *t);      /* NULL allowed */

/* What one pass over a text finds besides its terms. */
struct ftsterms_info {
	int64_t words;          /* as store_count_words counts them */
	bool ascii;             /* no byte from 0x80 up (so valid UTF-8) */
};

/* Term schemes: whole unicode61 tokens (stores made before the bigrams;
 * used only to bring such an index up to date), or the segments and bigrams
 * described above (the default). */
enum { FTSTERMS_WHOLE = 0, FTSTERMS_BIGRAMS = 1 };
void ftsterms_set_scheme(struct ftsterms *t, int scheme);

/* True for a code point of a spaceless script (see above). */
bool ftsterms_spaceless(uint32_t c);

/* Length in bytes of the first segment of the n > 0 bytes of a folded
 * token at tok (UTF-8 as the tokenizer writes it); *spaceless says which
 * kind it is and *nchars how many code points it holds. */
size_t ftsterms_segment(const char *tok, size_t n, bool *spaceless, size_t *nchars);

/* Length of the UTF-8 sequence starting with byte b (1 for a byte that
 * starts none, so that a walk always advances). */
static inline size_t ftsterms_seqlen(unsigned char b)
{
	return b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF8 ? 4 : 1;
}

/* Replaces out with the distinct terms of text joined by single spaces, in
 * order of first appearance, and fills info when not NULL.  Returns 0 or a
 * negative code. */
int ftsterms_get(struct ftsterms *t, const char *text, size_t len,
		 struct buf *out, struct ftsterms_info *info, struct pv_err *err);

#endif
