/*
 * filter.c - the filter language (grammar in filter.h): a recursive-descent
 * parser into a small tree, the canonical printer and the SQL compiler.
 *
 * Design notes:
 *  - One pass over the text, positions kept as byte offsets, children in
 *    doubling arrays: a 100 KB filter parses in linear time.  Recursion only
 *    happens for '(' and '-', limited to FILTER_MAX_DEPTH; AND and OR chains
 *    are flattened, so every later walk is as deep as the nesting.
 *  - User text never reaches the SQL: every value is a ?NNN parameter, the
 *    SQL text comes from the field table and fixed fragments only.
 *  - NULL columns (no source, no metadata) make SQLite's comparisons NULL.
 *    Inside AND/OR a NULL acts as false; at a NOT it would stay NULL, so
 *    negation compiles to NOT coalesce(x, 0): -source:news keeps documents
 *    without a source.
 *  - Long AND/OR chains compile to balanced groups of at most CHAIN terms,
 *    keeping SQLite's expression tree shallow (its limit is 1000 levels).
 *  - The full-text index is FTS5 with detail=none, which refuses phrase
 *    queries (several tokens in one string).  A word or phrase is split
 *    into terms by FTS5's own tokenizer, cut as the index cuts texts
 *    (ftsquery.h: segments, bigrams of Chinese, Japanese, Thai ...), and
 *    becomes an AND of single-token strings; several terms add a
 *    pv_phrase() check.
 */
#include "filter.h"
#include "ftsquery.h"
#include "../common/utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHAIN 32            /* terms per flat AND/OR group in the SQL */
#define SNIP 40             /* bytes of user text quoted in a message */

/* ---- characters ---- */

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Ends a bare word or a term. */
static bool is_delim(int c)
{
	return c == '\0' || is_space(c) || c == '(' || c == ')' || c == '"';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Field names and meta keys: [A-Za-z0-9_.-] */
static bool is_ident(int c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-';
}

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

/* Appends s (n bytes) as an FTS5 string: "..." with "" for a quote. */
static void fts_quote(struct buf *out, const char *s, size_t n)
{
	size_t i;

	buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_putc(out, '"');
		buf_putc(out, s[i]);
	}
	buf_putc(out, '"');
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
	free(ast);
}

/* SQL parameters a term needs (filter_compile must agree). */
static size_t term_params(const struct filter_node *n)
{
	size_t i, k = n->field->kind == FIELD_META ? 1 : 0;

	for (i = 0; i < n->nvals; i++) {
		const struct filter_value *v = &n->vals[i];
		switch (v->op) {
		case FOP_FLAG: break;
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
static bool parse_number(const struct field *f, const char *s, size_t n,
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
	if ((f->flags & FIELD_SIZE) && i + 1 == n) {
		if (s[i] == 'k' || s[i] == 'K')
			mult = 1024, i++;
		else if (s[i] == 'm' || s[i] == 'M')
			mult = 1024 * 1024, i++;
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
static int numeric_value(struct parser *p, const struct field *f, struct filter_value *v,
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

/* field:values, p->pos just after the ':'. */
static int parse_values(struct parser *p, struct filter_node *n, const char *fname)
{
	struct buf raw = BUF_INIT, sb = BUF_INIT, names = BUF_INIT;
	const struct field *f = n->field;
	int rc = 0;

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
		case FIELD_META:
			v->op = memchr(raw.data, '*', raw.len) ? FOP_GLOB : FOP_EQ;
			v->text = pv_strndup(raw.data, raw.len);
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
	if (is_alpha((unsigned char)s[j])) {
		while (is_ident((unsigned char)s[j]))
			j++;
		if (s[j] != ':' && j - start > 5 && strncasecmp(s + start, "meta.", 5) == 0 &&
		    !is_delim((unsigned char)s[j])) {
			size_t k = j;
			while (!is_delim((unsigned char)s[k]) && s[k] != ':')
				k++;
			if (s[k] == ':') {
				rc = perr(p, j, "bad key for meta.: '%s' (letters, digits, "
					  "'_', '.' and '-')",
					  snip(&sb, s + start + 5, k - start - 5));
				goto fail;
			}
		}
	}
	if (j > start && s[j] == ':') {
		size_t nlen = j - start;
		const char *fname;

		if (nlen >= 5 && strncasecmp(s + start, "meta.", 5) == 0) {
			if (nlen == 5) {
				rc = perr(p, j, "expected a key after 'meta.'");
				goto fail;
			}
			n->field = field_find("meta", 4);
			n->key = pv_strndup(s + start + 5, nlen - 5);
			buf_printf(&b, "meta.%s", n->key);
			fname = buf_str(&b);
		} else if (nlen == 4 && strncasecmp(s + start, "meta", 4) == 0) {
			rc = perr(p, start, "meta needs a key: meta.KEY:value");
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
	if (c == '-') {
		int next = (unsigned char)p->s[start + 1];
		if (next == '\0' || is_space(next) || next == ')')
			return perr(p, start + 1, "expected a term after '-'");
		if ((rc = deeper(p, start)))
			return rc;
		p->pos++;
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

/* Terms side by side; stops at the end, ')' or OR.  *out NULL: none. */
static int parse_and(struct parser *p, struct filter_node **out)
{
	struct filter_node *n = NULL, *first = NULL, *kid;
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

int filter_parse(const char *text, struct filter_ast **out, struct pv_err *err)
{
	struct parser p = { text ? text : "", 0, 0, 0, err };
	struct filter_node *root = NULL;
	int rc;

	*out = NULL;
	pv_err_clear(err);
	if ((rc = ftsquery_init(err)))  /* words are split by FTS5's tokenizer */
		return rc;
	if ((rc = parse_or(&p, &root)))
		return rc;
	skip_ws(&p);
	if (p.s[p.pos] == ')') {
		node_free(root);
		return perr(&p, p.pos, "unbalanced parenthesis: ')' without '('");
	}
	*out = pv_calloc(1, sizeof **out);
	(*out)->root = root;
	return 0;
}

/* ---- canonical form ---- */

static void canon_text(struct buf *out, const char *s, bool force_quotes)
{
	const char *q;
	bool need = force_quotes || *s == '\0';

	for (q = s; *q && !need; q++)
		need = (unsigned char)*q <= ' ' || *q == 0x7f || *q == '(' || *q == ')' ||
		       *q == '"' || *q == ',';
	if (!need) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	for (q = s; *q; q++) {
		if (*q == '"' || *q == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *q);
	}
	buf_putc(out, '"');
}

static void canon_real(struct buf *out, double d)
{
	char tmp[64];
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* the grammar has no exponents: write large and tiny numbers in full */
	if (strchr(tmp, 'e')) {
		char *e;
		snprintf(tmp, sizeof tmp, "%.17f", d);
		e = tmp + strlen(tmp);
		while (e[-1] == '0')
			*--e = '\0';
		if (e[-1] == '.')
			e[-1] = '\0';
	}
	buf_puts(out, tmp);
}

static void canon_num(struct buf *out, const struct field *f, int64_t i, double d)
{
	if (f->kind == FIELD_REAL)
		canon_real(out, d);
	else
		buf_printf(out, "%lld", (long long)i);
}

static void canon_value(struct buf *out, const struct field *f, const struct filter_value *v)
{
	static const char *const ops[] = {
		[FOP_LT] = "<", [FOP_LE] = "<=", [FOP_GT] = ">", [FOP_GE] = ">=" };

	switch (v->op) {
	case FOP_WORD: buf_puts(out, v->text); return;
	case FOP_PREFIX: buf_puts(out, v->text); buf_putc(out, '*'); return;
	case FOP_PHRASE: canon_text(out, v->text, true); return;
	case FOP_FLAG: buf_puts(out, v->text); return;
	case FOP_RANGE:
		canon_num(out, f, v->lo, v->dlo);
		buf_puts(out, "..");
		canon_num(out, f, v->hi, v->dhi);
		return;
	case FOP_LT: case FOP_LE: case FOP_GT: case FOP_GE:
		buf_puts(out, ops[v->op]);
		canon_num(out, f, v->lo, v->dlo);
		return;
	case FOP_EQ: case FOP_GLOB:
		if (f->kind == FIELD_INT || f->kind == FIELD_REAL)
			canon_num(out, f, v->lo, v->dlo);
		else
			canon_text(out, v->text, false);
		return;
	}
}

static void canon_node(struct buf *out, const struct filter_node *n)
{
	size_t i;

	switch (n->type) {
	case FN_AND:
	case FN_OR:
		for (i = 0; i < n->nkids; i++) {
			const struct filter_node *k = n->kids[i];
			bool paren = n->type == FN_AND && k->type == FN_OR;
			if (i)
				buf_puts(out, n->type == FN_AND ? " " : " OR ");
			if (paren)
				buf_putc(out, '(');
			canon_node(out, k);
			if (paren)
				buf_putc(out, ')');
		}
		return;
	case FN_NOT: {
		const struct filter_node *k = n->kids[0];
		bool paren = k->type == FN_AND || k->type == FN_OR;
		buf_puts(out, paren ? "-(" : "-");
		canon_node(out, k);
		if (paren)
			buf_putc(out, ')');
		return;
	}
	case FN_TERM:
		if (n->field->kind == FIELD_META)
			buf_printf(out, "meta.%s:", n->key);
		else if (n->field->kind != FIELD_TEXT)
			buf_printf(out, "%s:", n->field->name);
		for (i = 0; i < n->nvals; i++) {
			if (i)
				buf_putc(out, ',');
			canon_value(out, n->field, &n->vals[i]);
		}
		return;
	}
}

void filter_canonical(const struct filter_ast *ast, struct buf *out)
{
	if (ast && ast->root)
		canon_node(out, ast->root);
	else
		buf_puts(out, "");
}

/* ---- error display ---- */

void filter_error_caret(const char *text, const struct pv_err *err, struct buf *out)
{
	size_t len = text ? strlen(text) : 0, at, start, end, cells = 0;
	struct buf pre = BUF_INIT;
	const char *q;

	at = err && err->column > 0 ? (size_t)err->column - 1 : 0;
	if (at > len)
		at = len;
	/* a window of the text around the position */
	start = at > 40 ? at - 40 : 0;
	while (start > 0 && ((unsigned char)text[start] & 0xC0) == 0x80)
		start--;
	end = PV_MIN(len, start + 100);
	while (end < len && ((unsigned char)text[end] & 0xC0) == 0x80)
		end++;
	if (end < at)
		end = at;
	if (start > 0)
		buf_puts(&pre, "...");
	utf8_sanitize(&pre, text + start, at - start, SAN_ONE_LINE);
	for (q = buf_str(&pre); *q; q++)     /* one cell per code point */
		if (((unsigned char)*q & 0xC0) != 0x80)
			cells++;
	buf_append(out, pre.data ? pre.data : "", pre.len);
	utf8_sanitize(out, text + at, end - at, SAN_ONE_LINE);
	if (end < len)
		buf_puts(out, "...");
	buf_putc(out, '\n');
	for (; cells > 0; cells--)
		buf_putc(out, ' ');
	buf_puts(out, "^\n");
	buf_done(&pre);
}

/* ---- SQL ---- */

struct compiler {
	struct buf sql;
	struct filter_param *params;
	size_t n, cap;
	int first;
};

static struct filter_param *param_new(struct compiler *c, enum filter_ptype type)
{
	struct filter_param *pp;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->params = pv_realloc(c->params, c->cap * sizeof *c->params);
	}
	pp = &c->params[c->n++];
	memset(pp, 0, sizeof *pp);
	pp->type = type;
	buf_printf(&c->sql, "?%d", c->first + (int)c->n - 1);
	return pp;
}

static void param_text(struct compiler *c, const char *s)
{
	param_new(c, FP_TEXT)->text = pv_strdup(s);
}

static void param_buf(struct compiler *c, struct buf *b)
{
	param_new(c, FP_TEXT)->text = buf_take(b);
}

/* A numeric parameter of field f: lo/dlo, or hi/dhi when second. */
static void param_num(struct compiler *c, const struct field *f,
		      const struct filter_value *v, bool second)
{
	if (f->kind == FIELD_REAL)
		param_new(c, FP_REAL)->d = second ? v->dhi : v->dlo;
	else
		param_new(c, FP_INT)->i = second ? v->hi : v->lo;
}

/* '*' stays a wildcard; '?' and '[' become literal. */
static void glob_pattern(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '?')
			buf_puts(out, "[?]");
		else if (*s == '[')
			buf_puts(out, "[[]");
		else
			buf_putc(out, *s);
	}
}

/* A word, prefix or phrase: the FTS5 query of its terms (ftsquery.h),
 * confirmed by pv_phrase() when it has several.  A query that needs the
 * bigrams of a spaceless script goes through pv_fts_query(), which fails
 * with a message on a store indexed without them (ftsscheme.h) rather than
 * finding less. */
static void compile_text(struct compiler *c, const struct filter_value *v)
{
	struct buf m = BUF_INIT;
	struct ftsquery_info qi;
	size_t len = strlen(v->text);
	bool prefix = v->op == FOP_PREFIX;
	size_t ntok = ftsquery_build(v->text, len, prefix, &m, &qi);

	if (prefix && ntok > 1) {       /* the parser makes none: a word then */
		buf_reset(&m);
		ntok = ftsquery_build(v->text, len, false, &m, &qi);
	}
	if (ntok == 1 && !prefix && !qi.spaceless) {
		/* one token: FTS5 finds it in the text as typed */
		buf_reset(&m);
		fts_quote(&m, v->text, len);
	}
	if (ntok > 1)
		buf_putc(&c->sql, '(');
	buf_puts(&c->sql, qi.spaceless ?
		 "d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH pv_fts_query(" :
		 "d.text_id IN (SELECT rowid FROM fts WHERE fts MATCH ");
	param_buf(c, &m);
	buf_puts(&c->sql, qi.spaceless ? "))" : ")");
	if (ntok > 1) {
		buf_puts(&c->sql, " AND pv_phrase(d.text_id, ");
		param_text(c, v->text);
		buf_puts(&c->sql, "))");
	}
	buf_done(&m);
}

static void compile_cond(struct compiler *c, const struct field *f, const char *expr,
			 const struct filter_value *v)
{
	static const char *const ops[] = {
		[FOP_EQ] = " = ", [FOP_LT] = " < ", [FOP_LE] = " <= ",
		[FOP_GT] = " > ", [FOP_GE] = " >= " };
	struct buf pat = BUF_INIT;

	switch (v->op) {
	case FOP_FLAG:
		buf_puts(&c->sql, v->flag->sql);
		break;
	case FOP_WORD: case FOP_PREFIX: case FOP_PHRASE:
		compile_text(c, v);
		break;
	case FOP_GLOB:
		buf_puts(&c->sql, expr);
		buf_puts(&c->sql, " GLOB ");
		glob_pattern(&pat, v->text);
		param_buf(c, &pat);
		break;
	case FOP_RANGE:
		buf_puts(&c->sql, expr);
		buf_puts(&c->sql, " BETWEEN ");
		param_num(c, f, v, false);
		buf_puts(&c->sql, " AND ");
		param_num(c, f, v, true);
		break;
	case FOP_EQ: case FOP_LT: case FOP_LE: case FOP_GT: case FOP_GE:
		buf_puts(&c->sql, expr);
		buf_puts(&c->sql, ops[v->op]);
		if (f->kind == FIELD_INT || f->kind == FIELD_REAL)
			param_num(c, f, v, false);
		else
			param_text(c, v->text);
		break;
	}
	buf_done(&pat);
}

static void compile_term(struct compiler *c, const struct filter_node *n)
{
	const struct field *f = n->field;
	struct buf expr = BUF_INIT, path = BUF_INIT;
	bool all_eq = n->nvals > 1;
	size_t i;

	if (f->kind == FIELD_META) {
		/* the key travels as a parameter too: '$."KEY"' */
		struct buf save = c->sql;
		buf_init(&c->sql);
		buf_puts(&c->sql, "CAST(json_extract(d.meta, ");
		buf_printf(&path, "$.\"%s\"", n->key);
		param_buf(c, &path);
		buf_puts(&c->sql, ") AS TEXT)");
		expr = c->sql;
		c->sql = save;
	} else if (f->flags & FIELD_PARTNER) {
		/* pair:COND: paired with a document whose id meets COND; pairs
		 * are stored once (a < b), so both directions are asked */
		buf_putc(&c->sql, '(');
		for (i = 0; i < n->nvals; i++) {
			if (i)
				buf_puts(&c->sql, " OR ");
			buf_puts(&c->sql, "d.id IN (SELECT b FROM pairs WHERE ");
			compile_cond(c, f, "a", &n->vals[i]);
			buf_puts(&c->sql, ") OR d.id IN (SELECT a FROM pairs WHERE ");
			compile_cond(c, f, "b", &n->vals[i]);
			buf_putc(&c->sql, ')');
		}
		buf_putc(&c->sql, ')');
		return;
	} else if (f->sql) {
		buf_puts(&expr, f->sql);
	}
	for (i = 0; i < n->nvals && all_eq; i++)
		all_eq = n->vals[i].op == FOP_EQ;
	if (all_eq) {
		buf_puts(&c->sql, buf_str(&expr));
		buf_puts(&c->sql, " IN (");
		for (i = 0; i < n->nvals; i++) {
			const struct filter_value *v = &n->vals[i];
			if (i)
				buf_puts(&c->sql, ", ");
			if (f->kind == FIELD_INT || f->kind == FIELD_REAL)
				param_num(c, f, v, false);
			else
				param_text(c, v->text);
		}
		buf_putc(&c->sql, ')');
	} else {
		if (n->nvals > 1)
			buf_putc(&c->sql, '(');
		for (i = 0; i < n->nvals; i++) {
			if (i)
				buf_puts(&c->sql, " OR ");
			compile_cond(c, f, buf_str(&expr), &n->vals[i]);
		}
		if (n->nvals > 1)
			buf_putc(&c->sql, ')');
	}
	buf_done(&expr);
	buf_done(&path);
}

static void compile_node(struct compiler *c, const struct filter_node *n);

/* kids[lo, hi) of an AND/OR, in balanced groups of at most CHAIN. */
static void compile_chain(struct compiler *c, const struct filter_node *n, size_t lo, size_t hi)
{
	const char *op = n->type == FN_AND ? " AND " : " OR ";
	size_t i;

	if (hi - lo > CHAIN) {
		size_t mid = lo + (hi - lo) / 2;
		buf_putc(&c->sql, '(');
		compile_chain(c, n, lo, mid);
		buf_putc(&c->sql, ')');
		buf_puts(&c->sql, op);
		buf_putc(&c->sql, '(');
		compile_chain(c, n, mid, hi);
		buf_putc(&c->sql, ')');
		return;
	}
	for (i = lo; i < hi; i++) {
		const struct filter_node *k = n->kids[i];
		bool paren = k->type == FN_AND || k->type == FN_OR;
		if (i > lo)
			buf_puts(&c->sql, op);
		if (paren)
			buf_putc(&c->sql, '(');
		compile_node(c, k);
		if (paren)
			buf_putc(&c->sql, ')');
	}
}

static void compile_node(struct compiler *c, const struct filter_node *n)
{
	switch (n->type) {
	case FN_AND:
	case FN_OR:
		compile_chain(c, n, 0, n->nkids);
		return;
	case FN_NOT:
		buf_puts(&c->sql, "NOT coalesce(");
		compile_node(c, n->kids[0]);
		buf_puts(&c->sql, ", 0)");
		return;
	case FN_TERM:
		compile_term(c, n);
		return;
	}
}

int filter_compile_at(const struct filter_ast *ast, int first, struct filter_sql *out)
{
	struct compiler c = { BUF_INIT, NULL, 0, 0, first };

	memset(out, 0, sizeof *out);
	out->first = first;
	if (first < 1)
		return PV_EUSAGE;
	if (!ast || !ast->root) {
		out->where = pv_strdup("1");
		return 0;
	}
	compile_node(&c, ast->root);
	out->where = buf_take(&c.sql);
	out->params = c.params;
	out->nparams = c.n;
	if (c.n > 0 && (size_t)first + c.n - 1 > FILTER_MAX_PARAMS) {
		filter_sql_done(out);
		return PV_EUSAGE;
	}
	return 0;
}

int filter_compile(const struct filter_ast *ast, struct filter_sql *out)
{
	return filter_compile_at(ast, 1, out);
}

int filter_bind(const struct filter_sql *fs, sqlite3_stmt *st, int first_index)
{
	size_t k;

	if (first_index != fs->first)
		return PV_EINVAL;
	for (k = 0; k < fs->nparams; k++) {
		const struct filter_param *pp = &fs->params[k];
		int idx = first_index + (int)k, rc;
		switch (pp->type) {
		case FP_TEXT:
			rc = sqlite3_bind_text(st, idx, pp->text, -1, SQLITE_STATIC);
			break;
		case FP_INT:
			rc = sqlite3_bind_int64(st, idx, pp->i);
			break;
		default:
			rc = sqlite3_bind_double(st, idx, pp->d);
			break;
		}
		if (rc != SQLITE_OK)
			return PV_ESTORE;
	}
	return 0;
}

void filter_sql_done(struct filter_sql *fs)
{
	size_t k;

	if (!fs)
		return;
	for (k = 0; k < fs->nparams; k++)
		free(fs->params[k].text);
	free(fs->params);
	free(fs->where);
	fs->where = NULL;
	fs->params = NULL;
	fs->nparams = 0;
}
