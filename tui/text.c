/*
 * text.c - lazy layout of a document for reading (see text.h).
 *
 * The text is cut into stretches ("segments") at three kinds of
 * boundaries: the start of every logical line, the end of the text, and
 * the anchors of long lines.  Every boundary starts a visual line, so a
 * segment is wrapped on its own, from its start.  Anchors sit at fixed
 * places (multiples of TEXT_ANCHOR, nudged to a glyph boundary) and
 * count only when their line started at least TEXT_ANCHOR bytes earlier,
 * which can be decided by looking back at most TEXT_ANCHOR bytes: the
 * segment holding any byte is found with one memrchr() over at most two
 * anchors' worth of text, whatever the length of the logical line.
 *
 * The wrapped lines of the last SEG_CACHE segments are cached (visual line
 * starts, for the current width), so drawing a screen or stepping over
 * it costs one wrap per segment.  Lines are measured with a grid_pen that
 * draws nothing and drawn with one that does, so they take the same
 * columns (grid.h).
 *
 * Line numbers come from newline counts at checkpoints every CK_SIZE
 * bytes, filled in order as far as a number has been asked for.
 *
 * Ownership: the textview borrows the text and the diff word set, and
 * owns its caches, a copy of the search needle and its scratch buffers.
 * A wordset owns a copy of its (case-folded) words.
 */
#include "text.h"
#include "../common/pv.h"
#include "../common/utf8.h"

#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CK_SHIFT 16                 /* newline checkpoints every 64 KB */
#define CK_SIZE ((size_t)1 << CK_SHIFT)
#define SEG_CACHE 4                 /* wrapped segments kept */
#define MARK_SKIP 32                /* bytes of combining marks an anchor skips */
#define WORD_MAX 1024               /* longer words are never shared */
#define NONE SIZE_MAX

/* Mask bits of the bytes being drawn. */
enum { M_MATCH = 1, M_SHARED = 2, M_ONLY = 4 };

/* One wrapped segment: text[start, end) and its visual line starts. */
struct seg {
	size_t start, end;
	size_t *lines;              /* owned; lines[0] == start */
	size_t n, cap;
	unsigned long used;         /* LRU stamp; 0 = empty slot */
};

struct textview {
	const char *text;           /* borrowed */
	size_t len;
	int width;

	struct seg seg[SEG_CACHE];
	unsigned long clock;

	int64_t *ck;                /* owned; ck[k]: newlines in [0, k * CK_SIZE) */
	size_t ck_n, ck_cap;        /* ck[0..ck_n) are filled */
	int64_t max_lineno;         /* highest line number known so far */

	char *needle;               /* owned; NULL when no search */
	size_t nlen;

	const struct wordset *diff; /* borrowed; NULL when off */
	enum role only_role;

	uint8_t *mask;              /* owned scratch: M_* per byte drawn */
	size_t mask_cap;
	size_t *starts;             /* owned scratch: line starts drawn */
	size_t starts_cap;
};

/* fold - ASCII lower case. */
static inline unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/*
 * Counting newlines.
 */

/* count_nl - newlines in s[0..n), 16 bytes at a time where SSE2 is. */
static int64_t count_nl(const char *s, size_t n)
{
	int64_t count = 0;
	size_t i = 0;

#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();

	while (n - i >= 16) {
		/* byte counters: at most 255 rounds before they are summed */
		size_t rounds = PV_MIN((n - i) / 16, 255), r;
		__m128i acc = zero, sum;

		for (r = 0; r < rounds; r++, i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
		}
		sum = _mm_sad_epu8(acc, zero);
		count += _mm_cvtsi128_si32(sum) +
			 _mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
	}
#endif
	for (; i < n; i++)
		count += s[i] == '\n';
	return count;
}

/*
 * Segments.
 */

/* is_boundary - whether a glyph starts at p: p is not inside a valid UTF-8
 * sequence that starts before it (a byte that is not a continuation byte
 * always starts a glyph, wherever decoding began). */
static bool is_boundary(const struct textview *tv, size_t p)
{
	const unsigned char *t = (const unsigned char *)tv->text;
	size_t q;

	if (p == 0 || p >= tv->len)
		return true;
	for (q = p; q > 0 && p - q < 3;) {
		q--;
		if (t[q] < 0x80)
			return true;
		if (t[q] >= 0xc0)
			return utf8_seq_len(t + q, tv->len - q) <= p - q;
	}
	return true;
}

/* anchor_at - the j-th anchor point (j >= 1): j * TEXT_ANCHOR moved to a
 * glyph boundary and past a few combining marks.  May be >= len. */
static size_t anchor_at(const struct textview *tv, size_t j)
{
	size_t p = j * TEXT_ANCHOR, start;
	struct glyph gl;

	while (p < tv->len && !is_boundary(tv, p))
		p++;
	for (start = p; p < tv->len && p - start < MARK_SKIP; p += gl.bytes) {
		glyph_next(tv->text + p, tv->len - p, &gl);
		if (gl.width != 0 || gl.placeholder)
			break;
	}
	return p;
}

/* seg_start - the last segment boundary at or before off (< len): the
 * last anchor of off's logical line at or before off, else the start of
 * that line.  Looks back at most about 2 x TEXT_ANCHOR bytes. */
static size_t seg_start(const struct textview *tv, size_t off)
{
	const char *t = tv->text, *nl;
	size_t j = off / TEXT_ANCHOR, p, from;

	for (;;) {
		if (j == 0) {
			nl = memrchr(t, '\n', off);
			return nl ? (size_t)(nl - t) + 1 : 0;
		}
		p = anchor_at(tv, j);
		if (p > off || p >= tv->len || t[p] == '\n') {
			j--;
			continue;
		}
		/* anchor j counts when no newline lies in [(j-1)A, p] */
		from = (j - 1) * TEXT_ANCHOR;
		nl = memrchr(t + from, '\n', off - from);
		return nl ? (size_t)(nl - t) + 1 : p;
	}
}

/* seg_end - the first segment boundary after the boundary s (< len). */
static size_t seg_end(const struct textview *tv, size_t s)
{
	const char *t = tv->text, *nl;
	size_t j = s / TEXT_ANCHOR + 1, from = s, p, lim;
	bool old_line;              /* the line started by (j-1)A */

	old_line = !memrchr(t + (j - 1) * TEXT_ANCHOR, '\n', s - (j - 1) * TEXT_ANCHOR);
	for (;;) {
		p = anchor_at(tv, j);
		lim = PV_MIN(p + 1, tv->len);
		if (from < lim && (nl = memchr(t + from, '\n', lim - from)))
			return (size_t)(nl - t) + 1;
		if (p >= tv->len)
			return tv->len;
		if (old_line)
			return p;
		/* anchor j does not count; no newline up to it, so j + 1
		 * counts unless a newline comes first */
		old_line = true;
		from = lim;
		j++;
	}
}

/* wrap_line - the start of the visual line after the one starting at v,
 * within the segment ending at e. */
static size_t wrap_line(const struct textview *tv, size_t v, size_t e)
{
	const unsigned char *t = (const unsigned char *)tv->text;
	struct grid_pen pen;
	struct glyph gl;
	size_t p = v, brk = 0;      /* brk: after the last space that fit */
	int width = tv->width, w;
	bool space;

	grid_pen_init(&pen, 0, 0, INT_MAX, 0);
	while (p < e) {
		if (t[p] > 0x20 && t[p] < 0x7f) {
			/* printable ASCII, the common case: one column that a
			 * combining mark may join (as grid_pen_put does) */
			if (pen.x >= width)
				return brk ? brk : p;
			pen.x++;
			pen.join = 1;
			p++;
			continue;
		}
		glyph_next(tv->text + p, tv->len - p, &gl);
		if (gl.newline)
			return p + 1;
		w = grid_pen_fit(&pen, &gl);
		space = gl.tab || t[p] == ' ';
		if (pen.x + w > width) {
			if (space)
				return p + gl.bytes;       /* hangs past the edge */
			if (brk)
				return brk;
			return pen.x == 0 ? p + gl.bytes : p;
		}
		grid_pen_put(&pen, NULL, &gl, R_LIST);
		if (space || (w == 0 && brk == p))
			brk = p + gl.bytes;
		p += gl.bytes;
	}
	return e;
}

/* seg_get - the wrapped segment holding off (< len), from the cache or
 * wrapped now into the least recently used slot. */
static struct seg *seg_get(struct textview *tv, size_t off)
{
	struct seg *sg, *lru = &tv->seg[0];
	size_t v;
	int i;

	for (i = 0; i < SEG_CACHE; i++) {
		sg = &tv->seg[i];
		if (sg->used && sg->start <= off && off < sg->end) {
			sg->used = ++tv->clock;
			return sg;
		}
		if (sg->used < lru->used)
			lru = sg;
	}
	sg = lru;
	sg->start = seg_start(tv, off);
	sg->end = seg_end(tv, sg->start);
	assert(sg->start <= off && off < sg->end);
	sg->n = 0;
	for (v = sg->start; v < sg->end; v = wrap_line(tv, v, sg->end)) {
		if (sg->n == sg->cap) {
			sg->cap = sg->cap ? sg->cap * 2 : 64;
			sg->lines = pv_realloc(sg->lines, sg->cap * sizeof *sg->lines);
		}
		sg->lines[sg->n++] = v;
	}
	sg->used = ++tv->clock;
	return sg;
}

/* line_index - the index of the visual line of sg holding off. */
static size_t line_index(const struct seg *sg, size_t off)
{
	size_t lo = 0, hi = sg->n;   /* lines[lo] <= off < lines[hi] */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (sg->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* forget - empties the segment cache (after a width change). */
static void forget(struct textview *tv)
{
	int i;

	for (i = 0; i < SEG_CACHE; i++)
		tv->seg[i].used = 0;
}

/*
 * The view.
 */

struct textview *textview_new(const char *text, size_t len, int width)
{
	struct textview *tv = calloc(1, sizeof *tv);

	if (!tv)
		return NULL;
	tv->text = text;
	tv->len = len;
	tv->width = width < 1 ? 1 : width;
	tv->ck_cap = 64;
	tv->ck = malloc(tv->ck_cap * sizeof *tv->ck);
	if (!tv->ck) {
		free(tv);
		return NULL;
	}
	tv->ck[0] = 0;
	tv->ck_n = 1;
	tv->max_lineno = 1;
	tv->only_role = R_LIST;
	return tv;
}

void textview_free(struct textview *tv)
{
	int i;

	if (!tv)
		return;
	for (i = 0; i < SEG_CACHE; i++)
		free(tv->seg[i].lines);
	free(tv->ck);
	free(tv->needle);
	free(tv->mask);
	free(tv->starts);
	free(tv);
}

size_t textview_set_width(struct textview *tv, int width, size_t off)
{
	width = width < 1 ? 1 : width;
	if (width != tv->width) {
		tv->width = width;
		forget(tv);
	}
	return textview_line_start(tv, off);
}

size_t textview_next(struct textview *tv, size_t off)
{
	struct seg *sg;
	size_t i;

	if (off >= tv->len)
		return tv->len;
	sg = seg_get(tv, off);
	i = line_index(sg, off);
	return i + 1 < sg->n ? sg->lines[i + 1] : sg->end;
}

size_t textview_line_start(struct textview *tv, size_t off)
{
	struct seg *sg;

	if (tv->len == 0)
		return 0;
	if (off >= tv->len)
		off = tv->len - 1;
	sg = seg_get(tv, off);
	return sg->lines[line_index(sg, off)];
}

size_t textview_prev(struct textview *tv, size_t off)
{
	if (off == 0)
		return 0;
	return textview_line_start(tv, PV_MIN(off, tv->len) - 1);
}

size_t textview_last(struct textview *tv)
{
	return tv->len ? textview_line_start(tv, tv->len - 1) : 0;
}

int64_t textview_lineno(struct textview *tv, size_t off)
{
	size_t k;
	int64_t n;

	if (off > tv->len)
		off = tv->len;
	k = off >> CK_SHIFT;
	if (k >= tv->ck_cap) {
		while (k >= tv->ck_cap)
			tv->ck_cap *= 2;
		tv->ck = pv_realloc(tv->ck, tv->ck_cap * sizeof *tv->ck);
	}
	for (; tv->ck_n <= k; tv->ck_n++)
		tv->ck[tv->ck_n] = tv->ck[tv->ck_n - 1] +
			count_nl(tv->text + ((tv->ck_n - 1) << CK_SHIFT), CK_SIZE);
	n = tv->ck[k] + count_nl(tv->text + (k << CK_SHIFT), off - (k << CK_SHIFT)) + 1;
	tv->max_lineno = PV_MAX(tv->max_lineno, PV_MAX(n, tv->ck[tv->ck_n - 1] + 1));
	return n;
}

bool textview_starts_line(struct textview *tv, size_t off)
{
	return off == 0 || (off <= tv->len && tv->text[off - 1] == '\n');
}

int textview_number_width(struct textview *tv)
{
	int64_t n = tv->max_lineno;
	int digits = 1;

	while (n >= 10) {
		n /= 10;
		digits++;
	}
	return PV_MAX(digits, 4) + 1;
}

/*
 * Search.
 */

void textview_set_search(struct textview *tv, const char *needle)
{
	free(tv->needle);
	tv->needle = NULL;
	tv->nlen = 0;
	if (needle && *needle) {
		tv->needle = pv_strdup(needle);
		tv->nlen = strlen(needle);
	}
}

/* match_at - whether the needle occurs at p (p + nlen <= len). */
static bool match_at(const struct textview *tv, size_t p)
{
	const unsigned char *t = (const unsigned char *)tv->text + p;
	const unsigned char *n = (const unsigned char *)tv->needle;
	size_t i;

	for (i = 0; i < tv->nlen; i++)
		if (fold(t[i]) != fold(n[i]))
			return false;
	return true;
}

#ifdef __SSE2__
/* cand16 - bit i set when text[p + i] could start a match: its first and
 * the needle's last byte match (ASCII letters in either case, by setting
 * their 0x20 bit; f and l are folded).  Reads text[p, p + 15 + nlen). */
static inline unsigned cand16(const struct textview *tv, size_t p,
			      unsigned char f, unsigned char l)
{
	const __m128i vf = _mm_set1_epi8((char)f), vl = _mm_set1_epi8((char)l);
	const __m128i cf = _mm_set1_epi8(f >= 'a' && f <= 'z' ? 0x20 : 0);
	const __m128i cl = _mm_set1_epi8(l >= 'a' && l <= 'z' ? 0x20 : 0);
	const char *t = tv->text + p;
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)t);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(t + tv->nlen - 1));

	a = _mm_cmpeq_epi8(_mm_or_si128(a, cf), vf);
	b = _mm_cmpeq_epi8(_mm_or_si128(b, cl), vl);
	return (unsigned)_mm_movemask_epi8(_mm_and_si128(a, b));
}
#endif

/* find_fwd - the first match starting in [lo, hi) (hi <= len - nlen + 1):
 * candidates by the needle's first and last bytes, 16 places at a time
 * where SSE2 is. */
static size_t find_fwd(const struct textview *tv, size_t lo, size_t hi)
{
	const unsigned char *t = (const unsigned char *)tv->text;
	unsigned char f = fold((unsigned char)tv->needle[0]);
	size_t p = lo;

#ifdef __SSE2__
	unsigned char l = fold((unsigned char)tv->needle[tv->nlen - 1]);

	for (; p < hi && hi - p >= 16; p += 16) {
		unsigned m = cand16(tv, p, f, l);

		for (; m; m &= m - 1)
			if (match_at(tv, p + (size_t)__builtin_ctz(m)))
				return p + (size_t)__builtin_ctz(m);
	}
#endif
	for (; p < hi; p++)
		if (fold(t[p]) == f && match_at(tv, p))
			return p;
	return NONE;
}

/* find_bwd - the last match starting in [lo, hi). */
static size_t find_bwd(const struct textview *tv, size_t lo, size_t hi)
{
	const unsigned char *t = (const unsigned char *)tv->text;
	unsigned char f = fold((unsigned char)tv->needle[0]);
	size_t p = hi;

#ifdef __SSE2__
	unsigned char l = fold((unsigned char)tv->needle[tv->nlen - 1]);

	while (p > lo && p - lo >= 16) {
		unsigned m;

		p -= 16;
		for (m = cand16(tv, p, f, l); m; m &= ~(1u << (31 - __builtin_clz(m))))
			if (match_at(tv, p + (size_t)(31 - __builtin_clz(m))))
				return p + (size_t)(31 - __builtin_clz(m));
	}
#endif
	while (p > lo) {
		p--;
		if (fold(t[p]) == f && match_at(tv, p))
			return p;
	}
	return NONE;
}

bool textview_find(struct textview *tv, size_t from, bool forward, size_t *at)
{
	size_t end, p;              /* matches start in [0, end) */

	if (!tv->needle || tv->nlen > tv->len)
		return false;
	end = tv->len - tv->nlen + 1;
	if (forward) {
		p = from < end ? find_fwd(tv, from + 1, end) : NONE;
		if (p == NONE)
			p = find_fwd(tv, 0, end);
	} else {
		p = find_bwd(tv, 0, PV_MIN(from, end));
		if (p == NONE)
			p = find_bwd(tv, 0, end);
	}
	if (p == NONE)
		return false;
	*at = p;
	return true;
}

/*
 * Word sets.
 */

struct wordset {
	struct ws_slot {
		uint64_t hash;
		size_t off;         /* into words */
		size_t len;         /* 0: empty slot */
	} *slot;
	size_t cap, n;              /* cap is a power of two */
	struct buf words;           /* the folded words, back to back */
};

/* word_char - bytes of the word character at s[0..len) (an ASCII letter
 * or digit, or a valid multibyte UTF-8 character), 0 when there is none. */
static size_t word_char(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		       (c >= 'A' && c <= 'Z');
	return utf8_seq_len(s, len);       /* 0 for an invalid byte */
}

/* word_char_before - bytes of the word character ending at t[p), 0 when
 * there is none. */
static size_t word_char_before(const unsigned char *t, size_t len, size_t p)
{
	size_t q;

	if (p == 0)
		return 0;
	if (t[p - 1] < 0x80)
		return word_char(t + p - 1, 1);
	for (q = p - 1; q > 0 && p - q < 4 && t[q] >= 0x80 && t[q] < 0xc0; q--)
		;
	return t[q] >= 0xc0 && utf8_seq_len(t + q, len - q) == p - q ? p - q : 0;
}

/* word_hash - FNV-1a of the case-folded word. */
static uint64_t word_hash(const unsigned char *w, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ fold(w[i])) * 0x100000001b3ull;
	return h;
}

/* ws_find - the slot holding the word, or the empty slot it would go in. */
static struct ws_slot *ws_find(const struct wordset *ws, const unsigned char *w,
			       size_t len, uint64_t h)
{
	size_t i = (size_t)h & (ws->cap - 1), k;

	for (;; i = (i + 1) & (ws->cap - 1)) {
		struct ws_slot *s = &ws->slot[i];
		const unsigned char *have;

		if (s->len == 0)
			return s;
		if (s->hash != h || s->len != len)
			continue;
		have = (const unsigned char *)ws->words.data + s->off;
		for (k = 0; k < len && have[k] == fold(w[k]); k++)
			;
		if (k == len)
			return s;
	}
}

/* ws_grow - doubles the table. */
static void ws_grow(struct wordset *ws)
{
	struct ws_slot *old = ws->slot;
	size_t i, n = ws->cap;

	ws->cap *= 2;
	ws->slot = pv_calloc(ws->cap, sizeof *ws->slot);
	for (i = 0; i < n; i++) {
		size_t j = (size_t)old[i].hash & (ws->cap - 1);

		if (old[i].len == 0)
			continue;
		while (ws->slot[j].len != 0)
			j = (j + 1) & (ws->cap - 1);
		ws->slot[j] = old[i];
	}
	free(old);
}

/* ws_add - adds a word (unfolded) unless it is there. */
static void ws_add(struct wordset *ws, const unsigned char *w, size_t len)
{
	uint64_t h = word_hash(w, len);
	struct ws_slot *s = ws_find(ws, w, len, h);
	size_t i;

	if (s->len != 0)
		return;
	s->hash = h;
	s->len = len;
	s->off = ws->words.len;
	buf_reserve(&ws->words, len);
	for (i = 0; i < len; i++)
		ws->words.data[ws->words.len + i] = (char)fold(w[i]);
	ws->words.len += len;
	ws->words.data[ws->words.len] = '\0';
	if (++ws->n * 2 > ws->cap)
		ws_grow(ws);
}

struct wordset *wordset_new(const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text;
	struct wordset *ws = calloc(1, sizeof *ws);
	size_t p = 0, q, n;

	if (!ws)
		return NULL;
	ws->cap = 1024;
	ws->slot = calloc(ws->cap, sizeof *ws->slot);
	if (!ws->slot) {
		free(ws);
		return NULL;
	}
	buf_init(&ws->words);
	while (p < len) {
		if (!word_char(t + p, len - p)) {
			p++;
			continue;
		}
		for (q = p; q < len && (n = word_char(t + q, len - q)); q += n)
			;
		if (q - p <= WORD_MAX)
			ws_add(ws, t + p, q - p);
		p = q;
	}
	return ws;
}

void wordset_free(struct wordset *ws)
{
	if (!ws)
		return;
	free(ws->slot);
	buf_done(&ws->words);
	free(ws);
}

bool wordset_has(const struct wordset *ws, const char *word, size_t len)
{
	const unsigned char *w = (const unsigned char *)word;

	if (!ws || len == 0 || len > WORD_MAX)
		return false;
	return ws_find(ws, w, len, word_hash(w, len))->len != 0;
}

void textview_set_diff(struct textview *tv, const struct wordset *other,
		       enum role only_role)
{
	tv->diff = other;
	tv->only_role = only_role;
}

/*
 * Drawing.
 */

/* mark - ors bit into the mask of text[a, b) ∩ [lo, hi). */
static void mark(uint8_t *mask, size_t lo, size_t hi, size_t a, size_t b, int bit)
{
	a = PV_MAX(a, lo);
	b = PV_MIN(b, hi);
	for (; a < b; a++)
		mask[a - lo] |= (uint8_t)bit;
}

/* mark_matches - every occurrence of the needle over text[lo, hi). */
static void mark_matches(struct textview *tv, size_t lo, size_t hi)
{
	size_t p, end;

	if (!tv->needle || tv->nlen > tv->len)
		return;
	end = PV_MIN(hi, tv->len - tv->nlen + 1);
	p = lo >= tv->nlen - 1 ? lo - (tv->nlen - 1) : 0;
	while (p < end && (p = find_fwd(tv, p, end)) != NONE) {
		mark(tv->mask, lo, hi, p, p + tv->nlen, M_MATCH);
		p++;
	}
}

/* mark_words - the word diff over text[lo, hi): words are looked at whole,
 * so those cut by lo or hi are measured beyond them (up to WORD_MAX). */
static void mark_words(struct textview *tv, size_t lo, size_t hi)
{
	const unsigned char *t = (const unsigned char *)tv->text;
	size_t p = lo, q, n;

	while (p > 0 && lo - p <= WORD_MAX && (n = word_char_before(t, tv->len, p)))
		p -= n;
	while (p < hi) {
		if (!(n = word_char(t + p, tv->len - p))) {
			p++;
			continue;
		}
		for (q = p; q < tv->len && q - p <= WORD_MAX &&
			    (n = word_char(t + q, tv->len - q)); q += n)
			;
		if (q - p > WORD_MAX || !wordset_has(tv->diff, tv->text + p, q - p)) {
			/* too long (the rest of it up to hi too) or not shared */
			while (q < hi && (n = word_char(t + q, tv->len - q)))
				q += n;
			mark(tv->mask, lo, hi, p, q, M_ONLY);
		} else {
			mark(tv->mask, lo, hi, p, q, M_SHARED);
		}
		p = q;
	}
}

/* role_of - the role of a byte with mask bits m. */
static enum role role_of(const struct textview *tv, uint8_t m)
{
	if (m & M_MATCH)
		return R_MATCH;
	if (m & M_SHARED)
		return R_DIFF_SHARED;
	if (m & M_ONLY)
		return tv->only_role;
	return R_LIST;
}

size_t textview_draw(struct textview *tv, struct grid *g, int y, int rows,
		     int x, int number_width, size_t top)
{
	int tx = x + number_width, x_end = PV_MIN(tx + tv->width, g->w), r;
	size_t m = 0, end = top, lo = top, hi, need;
	int64_t ln = -1;

	if (rows <= 0)
		return top;
	if ((size_t)rows > tv->starts_cap) {
		tv->starts_cap = (size_t)rows;
		tv->starts = pv_realloc(tv->starts, tv->starts_cap * sizeof *tv->starts);
	}
	if (tv->len == 0 && top == 0)
		tv->starts[m++] = 0;   /* an empty text is one empty line */
	while (m < (size_t)rows && end < tv->len) {
		tv->starts[m++] = end;
		end = textview_next(tv, end);
	}
	hi = end;
	need = hi - lo + 1;
	if (need > tv->mask_cap) {
		tv->mask_cap = need;
		free(tv->mask);
		tv->mask = pv_malloc(need);
	}
	memset(tv->mask, 0, need);
	mark_matches(tv, lo, hi);
	if (tv->diff)
		mark_words(tv, lo, hi);

	for (r = 0; r < rows; r++) {
		struct grid_pen pen;
		struct glyph gl;
		size_t v, nx, p;

		if ((size_t)r >= m) {
			grid_fill(g, y + r, x, x_end, R_LIST);
			continue;
		}
		v = tv->starts[r];
		nx = (size_t)r + 1 < m ? tv->starts[r + 1] : end;
		if (number_width > 0) {
			grid_fill(g, y + r, x, tx, R_LINENO);
			if (textview_starts_line(tv, v)) {
				if (ln < 0)
					ln = textview_lineno(tv, v);
				grid_printf(g, y + r, x, tx, R_LINENO, "%*" PRId64 " ",
					    number_width - 1, ln);
			}
		}
		grid_pen_init(&pen, y + r, tx, x_end, 0);
		for (p = v; p < nx; p += gl.bytes) {
			glyph_next(tv->text + p, tv->len - p, &gl);
			if (gl.newline)
				break;
			if (!grid_pen_put(&pen, g, &gl, role_of(tv, tv->mask[p - lo])))
				break;
		}
		grid_fill(g, y + r, pen.x, x_end, R_LIST);
		if (ln >= 0 && nx > v && tv->text[nx - 1] == '\n')
			ln++;
	}
	return end;
}
