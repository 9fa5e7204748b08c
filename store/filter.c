/*
 * filter.c - the filter language (grammar in filter.h): a recursive-descent
 * parser into a small tree, with the words and phrases of full-text terms
 * split as the index splits them (ftsquery.h).  Metadata paths are read in
 * filter_path.c, the tree is printed back (canonical form, error caret) in
 * filter_print.c, and it becomes SQL in filter_sql.c; filter_int.h is what
 * these files share.
 *
 * Design notes:
 *  - One pass over the text, positions kept as byte offsets, children in
 *    doubling arrays: a 100 KB filter parses in linear time.  Recursion only
 *    happens for '(' and '-', limited to FILTER_MAX_DEPTH; AND and OR chains
 *    are flattened, so every later walk is as deep as the nesting.
 *  - The full-text index is FTS5 with detail=none, which refuses phrase
 *    queries (several tokens in one string).  A word or phrase is split
 *    into terms by FTS5's own tokenizer, cut as the index cuts texts
 *    (ftsquery.h: segments, bigrams of Chinese, Japanese, Thai ...), and
 *    becomes an AND of single-token strings; several terms add a
 *    pv_phrase() check.
 */
#include "filter_int.h"
#include "ftsquery.h"
#include "../common/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SNIP 40             /* bytes of user text quoted in a message */

/* ---- tokens as FTS5's unicode61 sees them ---- */

/* An ASCII character the tokenizer keeps in a token: letters and digits
 * (unicode61's ASCII token characters).  Non-ASCII characters are decided
 * by the tokenizer itself (ftsquery.h); this says true for them. */
static bool token_cp(uint32_t c)
{
	if (c < 0x80)
		return is_alpha((int)c) || is_digit((int)c);
	return true;
}

/* Counts the FTS5 terms of the word or phrase s, split by the index's own
 * tokenizer and cut as the index cuts it (ftsquery.h); when out is not NULL
 * appends them as "a" AND "b" AND ...  0: nothing to search for; more than
 * 1: pv_phrase() must confirm the candidates. */
static size_t fts_tokens(const char *s, size_t n, struct buf *out)
{
	return ftsquery_build(s, n, false, out, NULL);
}

/* ---- tree ---- */

static struct filter_node *node_new(enum filter_node_type type, size_t at)
{
	struct filter_node *n = pv_calloc(1, sizeof *n);

	n->type = type;
	n->column = (long)at + 1;
	return n;
}

static void node_free(struct filter_node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	for (i = 0; i < n->nvals; i++)
		free(n->vals[i].text);
	free(n->vals);
	free(n->key);
	filter_path_done(&n->path);
	free(n);
}

/* Adds kid to n (AND/OR), taking the children of a kid of the same type
 * ((a b) c is a b c). */
static void node_add(struct filter_node *n, struct filter_node *kid)
{
	size_t i;

	if (kid->type == n->type) {
		for (i = 0; i < kid->nkids; i++)
			node_add(n, kid->kids[i]);
		kid->nkids = 0;
		node_free(kid);
		return;
	}
	if (n->nkids == n->kcap) {
		n->kcap = n->kcap ? 2 * n->kcap : 4;
		n->kids = pv_realloc(n->kids, n->kcap * sizeof *n->kids);
	}
	n->kids[n->nkids++] = kid;
}

void filter_free(struct filter_ast *ast)
{
	if (!ast)
		return;
	node_free(ast->root);
	free(ast->warnings);
	free(ast);
}

const char *filter_warnings(const struct filter_ast *ast)
{
	return ast ? ast->warnings : NULL;
}

void filter_path_done(struct filter_path *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		free(p->key[i]);
	free(p->key);
	free(p->quoted);
	memset(p, 0, sizeof *p);
}

/* SQL parameters a term needs (filter_compile must agree). */
static size_t term_params(const struct filter_node *n)
{
	size_t i, k = n->field->kind == FIELD_META ? filter_path_readings(&n->path) : 0;

	for (i = 0; i < n->nvals; i++) {
		const struct filter_value *v = &n->vals[i];
		if (n->field->kind == FIELD_META && v->op == FOP_EQ) {
			k += v->lit == FL_TEXT ? 1 : v->lit == FL_NUM ? 2 : 0;
			continue;
		}
		switch (v->op) {
		case FOP_FLAG: case FOP_HAS: break;
		case FOP_RANGE: k += 2; break;
		case FOP_WORD: case FOP_PHRASE:
			k += fts_tokens(v->text, strlen(v->text), NULL) > 1 ? 2 : 1;
			break;
		default: k++; break;
		}
	}
	return k;
}

/* ---- parser ---- */

struct parser {
	const char *s;
	size_t pos;
	int depth;
	size_t nparams;
	struct pv_err *err;
	struct buf warn;        /* filter_warnings() lines */
};

/* A short, safe rendering of user text for a message. */
static const char *snip(struct buf *b, const char *s, size_t n)
{
	buf_reset(b);
	utf8_sanitize(b, s, PV_MIN(n, SNIP), SAN_ONE_LINE);
	if (n > SNIP)
		buf_puts(b, "...");
	return buf_str(b);
}

__attribute__((format(printf, 3, 4)))
static int perr(struct parser *p, size_t at, const char *fmt, ...)
{
	char msg[sizeof p->err->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return pv_errf_at(p->err, PV_EPARSE, NULL, 0, (long)at + 1, "%s", msg);
}

__attribute__((format(printf, 3, 4)))
static void pwarn(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;

	buf_printf(&p->warn, "at byte %zu: ", at + 1);
	va_start(ap, fmt);
	buf_vprintf(&p->warn, fmt, ap);
	va_end(ap);
	buf_putc(&p->warn, '\n');
}

static void skip_ws(struct parser *p)
{
	while (is_space((unsigned char)p->s[p->pos]))
		p->pos++;
}

static bool at_keyword(const struct parser *p, const char *kw)
{
	size_t n = strlen(kw);

	return strncmp(p->s + p->pos, kw, n) == 0 &&
	       is_delim((unsigned char)p->s[p->pos + n]);
}

/* Reads a "quoted string" at p->pos into out; \x stands for x. */
static int read_quoted(struct parser *p, struct buf *out)
{
	size_t start = p->pos, i = p->pos + 1;
	const char *s = p->s;

	buf_reset(out);
	for (;;) {
		size_t j = i;
		while (s[j] && s[j] != '"' && s[j] != '\\')
			j++;
		buf_append(out, s + i, j - i);
		if (s[j] == '"') {
			p->pos = j + 1;
			return 0;
		}
		if (s[j] == '\\' && s[j + 1]) {
			buf_putc(out, s[j + 1]);
			i = j + 2;
			continue;
		}
		return perr(p, start, "unterminated quote");
	}
}

static struct filter_value *add_value(struct filter_node *n)
{
	n->vals = pv_realloc(n->vals, (n->nvals + 1) * sizeof *n->vals);
	memset(&n->vals[n->nvals], 0, sizeof *n->vals);
	return &n->vals[n->nvals++];
}

/* Parses one number of field f: digits [. digits] (real) [k|M] (size). */
static bool parse_number(const struct field_def *f, const char *s, size_t n,
			 int64_t *iv, double *dv)
{
	size_t i = 0, int_end;
	int64_t mult = 1, v = 0;
	char tmp[64];

	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	if (i == 0)
		return false;
	int_end = i;
	if (f->kind == FIELD_REAL && i < n && s[i] == '.') {
		i++;
		if (i == n || !is_digit((unsigned char)s[i]))
			return false;
		while (i < n && is_digit((unsigned char)s[i]))
			i++;
	}
	/* k, K or Ki = 1024; M or Mi = 2^20; G or Gi = 2^30 (as cli_parse_size) */
	if ((f->flags & FIELD_SIZE) && i < n && (i + 1 == n || (i + 2 == n && s[i + 1] == 'i'))) {
		if (s[i] == 'k' || s[i] == 'K')
			mult = 1024, i = n;
		else if (s[i] == 'm' || s[i] == 'M')
			mult = 1024 * 1024, i = n;
		else if (s[i] == 'g' || s[i] == 'G')
			mult = 1024 * 1024 * 1024, i = n;
	}
	if (i != n)
		return false;
	if (f->kind == FIELD_REAL) {
		if (int_end > 30 || n >= sizeof tmp)
			return false;
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		*dv = strtod(tmp, NULL);
		return isfinite(*dv);
	}
	for (i = 0; i < int_end; i++) {
		int d = s[i] - '0';
		if (v > (INT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > INT64_MAX / mult)
		return false;
	*iv = v * mult;
	return true;
}

/* Interprets a numeric value (raw, n bytes, at byte `at` when unquoted). */
static int numeric_value(struct parser *p, const struct field_def *f, struct filter_value *v,
			 const char *raw, size_t n, size_t at, bool quoted)
{
	struct buf sb = BUF_INIT;
	size_t i = 0, dots;
	const char *dd = NULL;
	int rc = 0;

#define NUM(s_, n_, iv_, dv_) do {                                               \
	if (!parse_number(f, (s_), (n_), (iv_), (dv_))) {                        \
		rc = perr(p, quoted ? at : at + (size_t)((s_) - raw),            \
			  "bad number '%s' for %s", snip(&sb, (s_), (n_)), f->name); \
		goto out;                                                        \
	}                                                                        \
} while (0)

	for (dots = 0; dots + 1 < n; dots++)
		if (raw[dots] == '.' && raw[dots + 1] == '.') {
			dd = raw + dots;
			break;
		}
	if (n >= 2 && raw[0] == '>' && raw[1] == '=')
		v->op = FOP_GE, i = 2;
	else if (n >= 2 && raw[0] == '<' && raw[1] == '=')
		v->op = FOP_LE, i = 2;
	else if (n >= 1 && raw[0] == '>')
		v->op = FOP_GT, i = 1;
	else if (n >= 1 && raw[0] == '<')
		v->op = FOP_LT, i = 1;
	else if (n >= 1 && raw[0] == '=')
		v->op = FOP_EQ, i = 1;
	else if (dd) {
		const char *hi = dd + 2;
		size_t nlo = (size_t)(dd - raw), nhi = n - nlo - 2;
		if (nlo == 0 && nhi == 0)
			NUM(raw, n, &v->lo, &v->dlo);
		if (nlo == 0) {
			v->op = FOP_LE;
			NUM(hi, nhi, &v->lo, &v->dlo);
		} else if (nhi == 0) {
			v->op = FOP_GE;
			NUM(raw, nlo, &v->lo, &v->dlo);
		} else {
			v->op = FOP_RANGE;
			NUM(raw, nlo, &v->lo, &v->dlo);
			NUM(hi, nhi, &v->hi, &v->dhi);
			if (f->kind == FIELD_REAL ? v->dlo > v->dhi : v->lo > v->hi)
				rc = perr(p, at, "empty range '%s' for %s (the first number "
					  "is the larger)", snip(&sb, raw, n), f->name);
		}
		goto out;
	} else
		v->op = FOP_EQ;
	if (i == n) {
		rc = perr(p, at + (quoted ? 0 : i), "expected a number after '%.*s' for %s",
			  (int)i, raw, f->name);
		goto out;
	}
	NUM(raw + i, n - i, &v->lo, &v->dlo);
#undef NUM
out:
	buf_done(&sb);
	return rc;
}

/* JSON's number syntax: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?;
 * fills *d, and *iv with *is_int when it is an integer that fits. */
static bool json_number(const char *s, size_t n, double *d, int64_t *iv, bool *is_int)
{
	size_t i = 0;
	bool frac = false;
	char tmp[80];

	if (n == 0 || n >= sizeof tmp)
		return false;
	if (s[i] == '-')
		i++;
	if (i == n || !is_digit((unsigned char)s[i]))
		return false;
	if (s[i] == '0')
		i++;
	else
		while (i < n && is_digit((unsigned char)s[i]))
			i++;
	if (i < n && s[i] == '.') {
		frac = true;
		if (++i == n || !is_digit((unsigned char)s[i]))
			return false;
		while (i < n && is_digit((unsigned char)s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		frac = true;
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == n || !is_digit((unsigned char)s[i]))
			return false;
		while (i < n && is_digit((unsigned char)s[i]))
			i++;
	}
	if (i != n)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*d = strtod(tmp, NULL);
	if (!isfinite(*d))
		return false;
	*is_int = false;
	if (!frac) {
		char *end;
		long long v;
		errno = 0;
		v = strtoll(tmp, &end, 10);
		if (!errno && *end == '\0') {
			*iv = v;
			*is_int = true;
		}
	}
	return true;
}

/* A meta.PATH value (filter.h top): raw, n bytes, at byte at. */
static int meta_value(struct parser *p, const char *fname, struct filter_value *v,
		      const char *raw, size_t n, size_t at, bool quoted)
{
	struct buf sb = BUF_INIT;
	size_t i = 0, k;
	int64_t ign;
	bool ibool;
	int rc = 0;

	v->text = pv_strndup(raw, n);
	if (memchr(raw, '*', n)) {
		v->op = FOP_GLOB;
		goto out;
	}
	v->op = FOP_EQ;
	v->lit = FL_TEXT;
	if (quoted)
		goto out;
	if (n >= 2 && (raw[0] == '>' || raw[0] == '<') && raw[1] == '=')
		v->op = raw[0] == '>' ? FOP_GE : FOP_LE, i = 2;
	else if (raw[0] == '>' || raw[0] == '<')
		v->op = raw[0] == '>' ? FOP_GT : FOP_LT, i = 1;
	if (i) {
		if (!json_number(raw + i, n - i, &v->dlo, &ign, &ibool))
			rc = perr(p, at + i, "expected a number after '%.*s' for %s (quote the "
				  "value to match text: %s:\"%s\")", (int)i, raw, fname, fname,
				  snip(&sb, raw, n));
		goto out;
	}
	for (k = 0; k + 1 < n; k++)
		if (raw[k] == '.' && raw[k + 1] == '.') {
			bool has_lo = k > 0, has_hi = k + 2 < n;
			bool lo_ok = !has_lo || json_number(raw, k, &v->dlo, &ign, &ibool);
			bool hi_ok = !has_hi || json_number(raw + k + 2, n - k - 2, &v->dhi,
							      &ign, &ibool);
			if (!(has_lo || has_hi) || !lo_ok || !hi_ok)
				break;          /* text that holds ".." */
			if (has_lo && has_hi) {
				v->op = FOP_RANGE;
				if (v->dlo > v->dhi)
					rc = perr(p, at, "empty range '%s' for %s (the first "
						  "number is the larger)", snip(&sb, raw, n), fname);
			} else if (has_lo) {
				v->op = FOP_GE;
			} else {
				v->op = FOP_LE;
				v->dlo = v->dhi;
			}
			goto out;
		}
	if (n == 4 && memcmp(raw, "true", 4) == 0)
		v->lit = FL_TRUE;
	else if (n == 5 && memcmp(raw, "false", 5) == 0)
		v->lit = FL_FALSE;
	else if (n == 4 && memcmp(raw, "null", 4) == 0)
		v->lit = FL_NULL;
	else if (json_number(raw, n, &v->dlo, &v->lo, &v->is_int))
		v->lit = FL_NUM;
out:
	buf_done(&sb);
	return rc;
}

/* has:meta.PATH with p->pos at "meta.": fills n as a meta term with one
 * FOP_HAS value. */
static int parse_meta_has(struct parser *p, struct filter_node *n)
{
	const char *why = NULL, *problem;
	size_t start = p->pos, pos = start + 5, bad = 0;
	struct buf name = BUF_INIT;

	if (filter_path_read(p->s, &pos, &n->path, &bad, &why))
		return perr(p, bad, "%s", why);
	if ((problem = filter_path_problem(&n->path)))
		return perr(p, start + 5, "metadata path: %s", problem);
	n->field = field_find("meta", 4);
	filter_path_canon(&n->path, &name);
	n->key = buf_take(&name);
	add_value(n)->op = FOP_HAS;
	p->pos = pos;
	return 0;
}

/* field:values, p->pos just after the ':'. */
static int parse_values(struct parser *p, struct filter_node *n, const char *fname)
{
	struct buf raw = BUF_INIT, sb = BUF_INIT, names = BUF_INIT;
	const struct field_def *f = n->field;
	int rc = 0;

	if (f->kind == FIELD_FLAG && strcmp(f->name, "has") == 0 &&
	    strncasecmp(p->s + p->pos, "meta.", 5) == 0) {
		/* has:meta.PATH: a term of the meta field */
		size_t at = p->pos;
		int c;
		p->pos = at;
		if ((rc = parse_meta_has(p, n)))
			goto out;
		c = (unsigned char)p->s[p->pos];
		if (c != '\0' && !is_space(c) && c != ')')
			rc = perr(p, p->pos, "expected a space or ')' after has:meta.%s (one "
				  "path per has: term)", n->key);
		goto out;
	}
	for (;;) {
		size_t vstart = p->pos;
		bool quoted = p->s[p->pos] == '"';
		struct filter_value *v;
		int c;

		if (quoted) {
			if ((rc = read_quoted(p, &raw)))
				goto out;
		} else {
			size_t j = p->pos;
			while (!is_delim((unsigned char)p->s[j]) && p->s[j] != ',')
				j++;
			buf_reset(&raw);
			buf_append(&raw, p->s + p->pos, j - p->pos);
			p->pos = j;
		}
		if (raw.len == 0) {
			if (quoted || p->s[vstart] == ',')
				rc = perr(p, vstart, "empty value for %s:", fname);
			else if (n->nvals == 0)
				rc = perr(p, vstart, "expected a value after '%s:'", fname);
			else
				rc = perr(p, vstart, "expected a value after ','");
			goto out;
		}
		v = add_value(n);
		switch (f->kind) {
		case FIELD_ENUM:
		case FIELD_FLAG:
			v->flag = field_value_find(f, raw.data, raw.len);
			if (!v->flag && f->kind == FIELD_ENUM && strcmp(f->name, "origin") == 0) {
				const char *as = field_origin_normalize(raw.data, raw.len);
				if (as && (v->flag = field_value_find(f, as, strlen(as))))
					pwarn(p, vstart, "origin:%s read as origin:%s",
					      snip(&sb, raw.data, raw.len), as);
			}
			if (!v->flag) {
				buf_reset(&names);
				field_list_values(f, &names);
				if (f->kind == FIELD_ENUM)
					rc = perr(p, vstart, "unknown %s '%s' (%s: %s)", f->name,
						  snip(&sb, raw.data, raw.len), f->name,
						  buf_str(&names));
				else
					rc = perr(p, vstart, "unknown value '%s' for %s: (%s: %s)",
						  snip(&sb, raw.data, raw.len), f->name,
						  f->name, buf_str(&names));
				goto out;
			}
			v->op = f->kind == FIELD_FLAG ? FOP_FLAG : FOP_EQ;
			v->text = pv_strdup(v->flag->name);
			break;
		case FIELD_GLOB:
			v->op = memchr(raw.data, '*', raw.len) ? FOP_GLOB : FOP_EQ;
			v->text = pv_strndup(raw.data, raw.len);
			break;
		case FIELD_META:
			if ((rc = meta_value(p, fname, v, raw.data, raw.len, vstart, quoted)))
				goto out;
			break;
		case FIELD_INT:
		case FIELD_REAL:
			if ((rc = numeric_value(p, f, v, raw.data, raw.len, vstart, quoted)))
				goto out;
			break;
		case FIELD_TEXT:
			break;
		}
		c = (unsigned char)p->s[p->pos];
		if (c == ',') {
			p->pos++;
			continue;
		}
		if (c == '\0' || is_space(c) || c == ')')
			break;
		rc = perr(p, p->pos, "expected a space, ',' or ')' after the value of %s:", fname);
		goto out;
	}
out:
	buf_done(&raw);
	buf_done(&sb);
	buf_done(&names);
	return rc;
}

static int check_params(struct parser *p, const struct filter_node *n)
{
	p->nparams += term_params(n);
	if (p->nparams > FILTER_MAX_PARAMS)
		return perr(p, (size_t)n->column - 1, "filter too long: it needs more than "
			    "%d values", FILTER_MAX_PARAMS);
	return 0;
}

/* True when the bare word at s[at] holds a ':' (so it was meant as a
 * field term). */
static bool word_has_colon(const char *s, size_t at)
{
	for (; !is_delim((unsigned char)s[at]); at++)
		if (s[at] == ':')
			return true;
	return false;
}

/* meta.PATH at p->pos into n (field, key, path), name "meta.PATH" into
 * name.  Returns 0 with p->pos after the ':', 1 when the text is a plain
 * word after all (meta.data: no ':'), or a negative error. */
static int parse_meta_term(struct parser *p, struct filter_node *n, struct buf *name)
{
	const char *s = p->s, *why = NULL, *problem;
	size_t start = p->pos, pos = start + 5, bad = 0;
	struct buf sb = BUF_INIT;
	int rc;

	if (filter_path_read(s, &pos, &n->path, &bad, &why)) {
		if (!word_has_colon(s, start) && s[start + 5] != '"')
			return 1;
		rc = perr(p, bad, "%s", why);
		goto out;
	}
	if (s[pos] != ':') {
		bool quoted = false;
		size_t k;
		for (k = 0; k < n->path.n; k++)
			quoted |= n->path.quoted[k];
		if (!quoted && !word_has_colon(s, start)) {
			filter_path_done(&n->path);
			return 1;
		}
		rc = perr(p, pos, "expected ':' after the metadata path (quote a key that holds "
			  "spaces, ':' or ',': meta.\"%s\":VALUE)",
			  snip(&sb, s + start + 5, pos - start - 5));
		goto out;
	}
	if ((problem = filter_path_problem(&n->path))) {
		rc = perr(p, start + 5, "metadata path: %s", problem);
		goto out;
	}
	n->field = field_find("meta", 4);
	buf_reset(name);
	filter_path_canon(&n->path, name);
	n->key = pv_strndup(name->data, name->len);
	buf_reset(name);
	buf_printf(name, "meta.%s", n->key);
	p->pos = pos + 1;
	rc = 0;
out:
	buf_done(&sb);
	return rc;
}

/* A field term, a bare word or a quoted phrase at p->pos. */
static int parse_term(struct parser *p, struct filter_node **out)
{
	const char *s = p->s;
	size_t start = p->pos, j = p->pos;
	struct filter_node *n = node_new(FN_TERM, start);
	struct buf b = BUF_INIT, sb = BUF_INIT;
	struct filter_value *v;
	int rc = 0;

	*out = NULL;
	if (s[start] == '"') {
		if ((rc = read_quoted(p, &b)))
			goto fail;
		if (b.len == 0) {
			rc = perr(p, start, "empty phrase");
			goto fail;
		}
		if (fts_tokens(b.data, b.len, NULL) == 0) {
			rc = perr(p, start, "nothing to search for in \"%s\" (words are "
				  "letters and digits)", snip(&sb, b.data, b.len));
			goto fail;
		}
		n->field = field_text();
		v = add_value(n);
		v->op = FOP_PHRASE;
		v->text = pv_strndup(b.data, b.len);
		goto done;
	}
	if (strncasecmp(s + start, "meta.", 5) == 0) {
		if ((rc = parse_meta_term(p, n, &b)) < 0)
			goto fail;
		if (rc == 0) {
			if ((rc = parse_values(p, n, buf_str(&b))))
				goto fail;
			goto done;
		}
		rc = 0;                 /* a word such as meta.data */
	}
	if (is_alpha((unsigned char)s[j])) {
		while (is_ident((unsigned char)s[j]))
			j++;
	}
	if (j > start && s[j] == ':') {
		size_t nlen = j - start;
		const char *fname;

		if (nlen == 4 && strncasecmp(s + start, "meta", 4) == 0) {
			rc = perr(p, start, "meta needs a path: meta.PATH:value");
			goto fail;
		} else {
			n->field = field_find(s + start, nlen);
			if (!n->field) {
				struct buf names = BUF_INIT;
				field_list_names(&names);
				rc = perr(p, start, "unknown field '%s' (fields: %s)",
					  snip(&sb, s + start, nlen), buf_str(&names));
				buf_done(&names);
				goto fail;
			}
			fname = n->field->name;
		}
		p->pos = j + 1;
		if ((rc = parse_values(p, n, fname)))
			goto fail;
		goto done;
	}
	/* a bare word */
	while (!is_delim((unsigned char)s[j]))
		j++;
	p->pos = j;
	n->field = field_text();
	v = add_value(n);
	if (j - start > 1 && s[j - 1] == '*' &&
	    fts_tokens(s + start, j - start - 1, NULL) == 1) {
		size_t k;
		for (k = start; k < j - 1; k++)
			if (!token_cp((unsigned char)s[k]) && (unsigned char)s[k] < 0x80)
				break;
		if (k == j - 1) {
			v->op = FOP_PREFIX;
			v->text = pv_strndup(s + start, j - start - 1);
			goto done;
		}
	}
	if (fts_tokens(s + start, j - start, NULL) == 0) {
		rc = perr(p, start, "nothing to search for in '%s' (words are letters and "
			  "digits)", snip(&sb, s + start, j - start));
		goto fail;
	}
	v->op = FOP_WORD;
	v->text = pv_strndup(s + start, j - start);
done:
	buf_done(&b);
	buf_done(&sb);
	if ((rc = check_params(p, n))) {
		node_free(n);
		return rc;
	}
	*out = n;
	return 0;
fail:
	buf_done(&b);
	buf_done(&sb);
	node_free(n);
	return rc;
}

static int parse_or(struct parser *p, struct filter_node **out);

static int deeper(struct parser *p, size_t at)
{
	if (++p->depth > FILTER_MAX_DEPTH)
		return perr(p, at, "too deeply nested (more than %d levels of "
			    "parentheses and '-')", FILTER_MAX_DEPTH);
	return 0;
}

static int parse_unary(struct parser *p, struct filter_node **out)
{
	size_t start = p->pos;
	char c = p->s[start];
	struct filter_node *kid = NULL, *n;
	int rc;

	*out = NULL;
	if (c == '-' || at_keyword(p, "NOT")) {
		if (c == '-') {
			int next = (unsigned char)p->s[start + 1];
			if (next == '\0' || is_space(next) || next == ')')
				return perr(p, start + 1, "expected a term after '-'");
			p->pos++;
		} else {
			p->pos += 3;
			skip_ws(p);
			if (p->s[p->pos] == '\0' || p->s[p->pos] == ')' || at_keyword(p, "OR") ||
			    at_keyword(p, "AND"))
				return perr(p, p->pos, "expected a term after 'NOT'");
		}
		if ((rc = deeper(p, start)))
			return rc;
		if ((rc = parse_unary(p, &kid)))
			return rc;
		p->depth--;
		n = node_new(FN_NOT, start);
		n->kids = pv_malloc(sizeof *n->kids);
		n->kids[0] = kid;
		n->nkids = n->kcap = 1;
		*out = n;
		return 0;
	}
	if (c == '(') {
		if ((rc = deeper(p, start)))
			return rc;
		p->pos++;
		if ((rc = parse_or(p, &kid)))
			return rc;
		skip_ws(p);
		if (p->s[p->pos] != ')') {
			node_free(kid);
			return perr(p, start, "unbalanced parenthesis: '(' is never closed");
		}
		if (!kid)
			return perr(p, start, "expected a term inside '()'");
		p->pos++;
		p->depth--;
		*out = kid;
		return 0;
	}
	return parse_term(p, out);
}

/* and, or, not in any case but all capitals: words that look like
 * operators.  Returns the word or NULL. */
static const char *bool_word(const struct filter_node *k)
{
	const char *w;

	if (k->type != FN_TERM || k->field->kind != FIELD_TEXT || k->nvals != 1 ||
	    k->vals[0].op != FOP_WORD)
		return NULL;
	w = k->vals[0].text;
	if (strcasecmp(w, "and") && strcasecmp(w, "or") && strcasecmp(w, "not"))
		return NULL;
	if (!strcmp(w, "AND") || !strcmp(w, "OR") || !strcmp(w, "NOT"))
		return NULL;
	return w;
}

/* True when k holds a term on a field (not the full text). */
static bool has_field_term(const struct filter_node *k)
{
	size_t i;

	if (k->type == FN_TERM)
		return k->field->kind != FIELD_TEXT;
	for (i = 0; i < k->nkids; i++)
		if (has_field_term(k->kids[i]))
			return true;
	return false;
}

/* Warns about word (a lowercase and/or/not at byte at) standing by field
 * terms: it is searched as a word, which is seldom what was meant. */
static void warn_bool_word(struct parser *p, const char *word, size_t at)
{
	struct buf sb = BUF_INIT;
	const char *w = snip(&sb, word, strlen(word));

	if (!strcasecmp(word, "or"))
		pwarn(p, at, "'%s' is searched for as a word; to match either side write OR "
		      "(in capitals), to search for the word without this warning write \"%s\"",
		      w, w);
	else if (!strcasecmp(word, "and"))
		pwarn(p, at, "'%s' is searched for as a word (terms side by side must all match "
		      "already; AND in capitals says so); to search for the word without this "
		      "warning write \"%s\"", w, w);
	else
		pwarn(p, at, "'%s' is searched for as a word; to exclude what follows write NOT "
		      "(in capitals) or -TERM, to search for the word without this warning "
		      "write \"%s\"", w, w);
	buf_done(&sb);
}

/* Terms side by side; stops at the end, ')' or OR.  *out NULL: none. */
static int parse_and(struct parser *p, struct filter_node **out)
{
	struct filter_node *n = NULL, *first = NULL, *kid;
	const struct filter_node *pending = NULL;   /* a bool_word kid */
	bool prev_field = false, pending_after_field = false;
	int rc;

	*out = NULL;
	for (;;) {
		skip_ws(p);
		if (p->s[p->pos] == '\0' || p->s[p->pos] == ')' || at_keyword(p, "OR"))
			break;
		if (at_keyword(p, "AND")) {
			size_t at = p->pos;
			if (!first) {
				rc = perr(p, at, "expected a term before 'AND'");
				goto fail;
			}
			p->pos += 3;
			skip_ws(p);
			if (p->s[p->pos] == '\0' || p->s[p->pos] == ')' ||
			    at_keyword(p, "OR") || at_keyword(p, "AND")) {
				rc = perr(p, p->pos, "expected a term after 'AND'");
				goto fail;
			}
		}
		if ((rc = parse_unary(p, &kid)))
			goto fail;
		{
			bool field = has_field_term(kid);
			const char *w;
			/* "a:x or b:y", "not a:x": the word stands by field terms */
			if (pending && field &&
			    (pending_after_field || strcasecmp(bool_word(pending), "not") == 0))
				warn_bool_word(p, bool_word(pending), (size_t)pending->column - 1);
			pending = NULL;
			if ((w = bool_word(kid))) {
				pending = kid;
				pending_after_field = prev_field;
			}
			prev_field = field;
		}
		if (!first) {
			first = kid;
		} else {
			if (!n) {
				n = node_new(FN_AND, (size_t)first->column - 1);
				node_add(n, first);
			}
			node_add(n, kid);
		}
	}
	*out = n ? n : first;
	return 0;
fail:
	if (n)
		node_free(n);
	else
		node_free(first);
	return rc;
}

static int parse_or(struct parser *p, struct filter_node **out)
{
	struct filter_node *n = NULL, *first = NULL, *kid;
	int rc;

	*out = NULL;
	if ((rc = parse_and(p, &first)))
		return rc;
	skip_ws(p);
	if (!first && at_keyword(p, "OR"))
		return perr(p, p->pos, "expected a term before 'OR'");
	while (at_keyword(p, "OR")) {
		p->pos += 2;
		if ((rc = parse_and(p, &kid)))
			goto fail;
		if (!kid) {
			rc = perr(p, p->pos, "expected a term after 'OR'");
			goto fail;
		}
		if (!n) {
			n = node_new(FN_OR, (size_t)first->column - 1);
			node_add(n, first);
		}
		node_add(n, kid);
		skip_ws(p);
	}
	*out = n ? n : first;
	return 0;
fail:
	if (n)
		node_free(n);
	else
		node_free(first);
	return rc;
}

/* chain_splits - the levels of parentheses compile_chain adds to an
 * AND/OR of n terms by cutting it in halves until each has at most FILTER_CHAIN
 * terms. */
static int chain_splits(size_t n)
{
	int k = 0;

	while (n > FILTER_CHAIN) {
		n = n - n / 2;      /* the larger half */
		k++;
	}
	return k;
}

/* nest_depth - the nesting of the SQL n compiles to, in levels: a NOT, an
 * AND/OR (one more per chain_splits), and nothing for a term.  Recursion
 * is as deep as the parser's, at most FILTER_MAX_DEPTH. */
static int nest_depth(const struct filter_node *n)
{
	int d = 0, k;
	size_t i;

	if (!n || n->type == FN_TERM)
		return 0;
	for (i = 0; i < n->nkids; i++)
		if ((k = nest_depth(n->kids[i])) > d)
			d = k;
	if (n->type == FN_NOT)
		return d + 1;
	return d + 1 + chain_splits(n->nkids);
}

/* nest_where - the node along n's deepest path at which its nesting passes
 * limit levels (the column the error points at). */
static const struct filter_node *nest_where(const struct filter_node *n, int limit)
{
	while (n && n->type != FN_TERM) {
		const struct filter_node *deepest = NULL;
		int d = -1, k;
		size_t i;

		limit -= n->type == FN_NOT ? 1 : 1 + chain_splits(n->nkids);
		if (limit < 0)
			return n;
		for (i = 0; i < n->nkids; i++)
			if ((k = nest_depth(n->kids[i])) > d) {
				d = k;
				deepest = n->kids[i];
			}
		n = deepest;
	}
	return n;
}

int filter_parse(const char *text, struct filter_ast **out, struct pv_err *err)
{
	struct parser p = { text ? text : "", 0, 0, 0, err, BUF_INIT };
	struct filter_node *root = NULL;
	int rc;

	*out = NULL;
	pv_err_clear(err);
	if ((rc = ftsquery_init(err)))  /* words are split by FTS5's tokenizer */
		return rc;
	if ((rc = parse_or(&p, &root))) {
		buf_done(&p.warn);
		return rc;
	}
	skip_ws(&p);
	if (p.s[p.pos] == ')') {
		node_free(root);
		buf_done(&p.warn);
		return perr(&p, p.pos, "unbalanced parenthesis: ')' without '('");
	}
	if (nest_depth(root) > FILTER_MAX_NEST) {
		const struct filter_node *at = nest_where(root, FILTER_MAX_NEST);

		rc = perr(&p, at ? (size_t)at->column - 1 : 0,
			  "too deeply nested for SQLite's parser (more than %d levels "
			  "of NOT and '-', and of AND and OR groups inside each other)",
			  FILTER_MAX_NEST);
		node_free(root);
		buf_done(&p.warn);
		return rc;
	}
	*out = pv_calloc(1, sizeof **out);
	(*out)->root = root;
	(*out)->warnings = p.warn.len ? buf_take(&p.warn) : NULL;
	buf_done(&p.warn);
	return 0;
}

/* True when the unquoted text s would be read as something other than
 * text by meta_value (a number, a literal, a comparison or a range). */
bool filter_meta_needs_quotes(const char *s)
{
	struct parser p = { s, 0, 0, 0, NULL, BUF_INIT };
	struct filter_value v;
	struct pv_err e;
	bool need;

	memset(&v, 0, sizeof v);
	p.err = &e;
	if (meta_value(&p, "meta", &v, s, strlen(s), 0, false))
		need = true;
	else
		need = v.op != FOP_EQ || v.lit != FL_TEXT;
	free(v.text);
	return need;
}
