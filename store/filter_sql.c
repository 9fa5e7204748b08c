/*
 * filter_sql.c - the filter's tree (filter.c) compiled to an SQL condition
 * with bound parameters (filter.h), and the parameters bound to a
 * statement (filter_sql.h).
 *
 * Design notes:
 *  - User text never reaches the SQL: every value is a ?NNN parameter, the
 *    SQL text comes from the field table and fixed fragments only.
 *  - NULL columns (no source, no metadata) make SQLite's comparisons NULL.
 *    Inside AND/OR a NULL acts as false; at a NOT it would stay NULL, so
 *    negation compiles to NOT coalesce(x, 0): -source:news keeps documents
 *    without a source.
 *  - Long AND/OR chains compile to balanced groups of at most FILTER_CHAIN terms,
 *    keeping SQLite's expression tree shallow (its limit is 1000 levels).
 *  - Every column of texts t or inputs i the condition reads is recorded
 *    (needs_texts, needs_inputs: the field table's FIELD_TEXTS and
 *    FIELD_INPUTS), so the FROM joins only those tables (store_from).
 *  - The full-text index is FTS5 with detail=none, which refuses phrase
 *    queries (several tokens in one string).  A word or phrase is split
 *    into terms by FTS5's own tokenizer, cut as the index cuts texts
 *    (ftsquery.h), and becomes an AND of single-token strings; several
 *    terms add a pv_phrase() check.
 */
#include "filter.h"
#include "filter_sql.h"
#include "ftsquery.h"

#include <stdlib.h>
#include <string.h>

/* ---- parameters ---- */

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

struct compiler {
	struct buf sql;
	struct filter_param *params;
	size_t n, cap;
	int first;
	const struct filter_env *env;      /* NULL: no metadata indexes */
	struct buf notes;
	unsigned reads;                    /* FIELD_TEXTS, FIELD_INPUTS: the
					    * tables the SQL written reads */
};

/* Adds a parameter without writing it into the SQL; its number is
 * c->first + c->n - 1 after the call. */
static struct filter_param *param_add(struct compiler *c, enum filter_ptype type)
{
	struct filter_param *pp;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->params = pv_realloc(c->params, c->cap * sizeof *c->params);
	}
	pp = &c->params[c->n++];
	memset(pp, 0, sizeof *pp);
	pp->type = type;
	return pp;
}

static struct filter_param *param_new(struct compiler *c, enum filter_ptype type)
{
	struct filter_param *pp = param_add(c, type);

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
static void param_num(struct compiler *c, const struct field_def *f,
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

static void compile_cond(struct compiler *c, const struct field_def *f, const char *expr,
			 const struct filter_value *v)
{
	static const char *const ops[] = {
		[FOP_EQ] = " = ", [FOP_LT] = " < ", [FOP_LE] = " <= ",
		[FOP_GT] = " > ", [FOP_GE] = " >= " };
	struct buf pat = BUF_INIT;

	switch (v->op) {
	case FOP_FLAG:
		buf_puts(&c->sql, v->flag->sql);
		c->reads |= v->flag->flags;
		break;
	case FOP_HAS:       /* meta terms compile in compile_meta */
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

/*
 * meta.PATH.  V is the value at the path (json_extract: strings as text,
 * numbers as numbers, true/false as 1/0, objects and arrays as their JSON
 * text, null and missing as NULL), or the store's generated column for an
 * indexed path; T is its JSON type (json_type: 'text', 'integer', 'real',
 * 'true', 'false', 'null', 'object', 'array'; NULL when missing).  With
 * several readings (filter.h top) both take the first that exists.  The
 * paths are parameters, allocated once per term and only when used (an
 * unused trailing parameter could not be bound).
 */
struct meta_expr {
	struct compiler *c;
	const struct filter_node *n;
	const char *column;        /* indexed: the generated column, else NULL */
	char **paths;
	size_t npaths;
	int first;                 /* number of the first path parameter; 0: none yet */
	struct buf v, t, num, str;
};

static void meta_params(struct meta_expr *m)
{
	size_t i;

	if (m->first)
		return;
	m->first = m->c->first + (int)m->c->n;
	for (i = 0; i < m->npaths; i++)
		param_add(m->c, FP_TEXT)->text = pv_strdup(m->paths[i]);
}

/* fn over every reading: fn(d.meta, ?k) or coalesce(fn(...), ...) */
static void meta_over(struct meta_expr *m, const char *fn, struct buf *out)
{
	size_t i;

	meta_params(m);
	if (m->npaths > 1)
		buf_puts(out, "coalesce(");
	for (i = 0; i < m->npaths; i++)
		buf_printf(out, "%s%s(d.meta, ?%d)", i ? ", " : "", fn, m->first + (int)i);
	if (m->npaths > 1)
		buf_putc(out, ')');
}

static const char *meta_v(struct meta_expr *m)
{
	if (!m->v.len) {
		if (m->column)
			buf_printf(&m->v, "d.\"%s\"", m->column);
		else
			meta_over(m, "json_extract", &m->v);
	}
	return buf_str(&m->v);
}

static const char *meta_t(struct meta_expr *m)
{
	if (!m->t.len)
		meta_over(m, "json_type", &m->t);
	return buf_str(&m->t);
}

/* The value as a number: JSON numbers, and strings holding exactly one
 * (as CSV inputs give them); NULL otherwise. */
static const char *meta_num(struct meta_expr *m)
{
	if (!m->num.len) {
		const char *v = meta_v(m), *t = meta_t(m);
		buf_printf(&m->num, "(CASE WHEN %s IN ('integer', 'real') THEN %s "
			   "WHEN %s = 'text' THEN CASE WHEN json_valid(%s) THEN "
			   "CASE WHEN json_type(%s) IN ('integer', 'real') THEN "
			   "json_extract(%s, '$') END END END)", t, v, t, v, v, v);
	}
	return buf_str(&m->num);
}

/* The text form rules files compare: strings, numbers as text,
 * true/false as words, objects and arrays as JSON; NULL for null. */
static const char *meta_str(struct meta_expr *m)
{
	if (!m->str.len) {
		const char *v = meta_v(m), *t = meta_t(m);
		buf_printf(&m->str, "(CASE %s WHEN 'true' THEN 'true' WHEN 'false' THEN "
			   "'false' ELSE CAST(%s AS TEXT) END)", t, v);
	}
	return buf_str(&m->str);
}

static void meta_number_param(struct compiler *c, const struct filter_value *v, bool second)
{
	if (!second && v->op == FOP_EQ && v->is_int)
		param_new(c, FP_INT)->i = v->lo;
	else
		param_new(c, FP_REAL)->d = second ? v->dhi : v->dlo;
}

static void compile_meta_value(struct meta_expr *m, const struct filter_value *v)
{
	static const char *const ops[] = {
		[FOP_LT] = " < ", [FOP_LE] = " <= ", [FOP_GT] = " > ", [FOP_GE] = " >= " };
	struct compiler *c = m->c;
	struct buf pat = BUF_INIT;

	switch (v->op) {
	case FOP_HAS:
		buf_printf(&c->sql, "%s != 'null'", meta_t(m));
		break;
	case FOP_GLOB:
		buf_printf(&c->sql, "%s GLOB ", meta_str(m));
		glob_pattern(&pat, v->text);
		param_buf(c, &pat);
		break;
	case FOP_RANGE:
		buf_printf(&c->sql, "%s BETWEEN ", meta_num(m));
		meta_number_param(c, v, false);
		buf_puts(&c->sql, " AND ");
		meta_number_param(c, v, true);
		break;
	case FOP_LT: case FOP_LE: case FOP_GT: case FOP_GE:
		buf_printf(&c->sql, "%s%s", meta_num(m), ops[v->op]);
		meta_number_param(c, v, false);
		break;
	case FOP_EQ:
		switch (v->lit) {
		case FL_TEXT:
			buf_printf(&c->sql, "%s = ", meta_v(m));
			param_text(c, v->text);
			break;
		case FL_NUM:
			/* V first, so that an index on it serves the IN */
			buf_printf(&c->sql, "(%s IN (", meta_v(m));
			meta_number_param(c, v, false);
			buf_puts(&c->sql, ", ");
			param_text(c, v->text);
			buf_printf(&c->sql, ") AND %s NOT IN ('true', 'false'))", meta_t(m));
			break;
		case FL_TRUE: case FL_FALSE: {
			bool t = v->lit == FL_TRUE;
			buf_printf(&c->sql, "(%s IN (%d, '%s') AND %s IN ('%s', 'text'))",
				   meta_v(m), t, t ? "true" : "false", meta_t(m),
				   t ? "true" : "false");
			break;
		}
		case FL_NULL:
			buf_printf(&c->sql, "(%s = 'null' OR %s = 'null')", meta_t(m), meta_v(m));
			break;
		}
		break;
	default:
		break;
	}
	buf_done(&pat);
}

static void compile_meta(struct compiler *c, const struct filter_node *n)
{
	struct meta_expr m;
	struct pv_err e;
	size_t i;
	bool all_text = n->nvals > 1;

	memset(&m, 0, sizeof m);
	m.c = c;
	m.n = n;
	/* the parser refused paths filter_meta_paths cannot read */
	filter_meta_paths(&n->path, &m.paths, &m.npaths, &e);
	for (i = 0; c->env && i < c->env->nmeta; i++)
		if (strcmp(c->env->meta[i].key, n->key) == 0)
			m.column = c->env->meta[i].column;
	if (!m.column) {
		struct buf note = BUF_INIT;
		buf_printf(&note, "meta.%s: no index, so every document's metadata is read "
			   "(provex index STORE --index-meta '%s' makes it a lookup)\n",
			   n->key, n->key);
		if (!strstr(buf_str(&c->notes), buf_str(&note)))
			buf_puts(&c->notes, buf_str(&note));
		buf_done(&note);
	}
	for (i = 0; i < n->nvals && all_text; i++)
		all_text = n->vals[i].op == FOP_EQ && n->vals[i].lit == FL_TEXT;
	if (all_text) {
		buf_printf(&c->sql, "%s IN (", meta_v(&m));
		for (i = 0; i < n->nvals; i++) {
			if (i)
				buf_puts(&c->sql, ", ");
			param_text(c, n->vals[i].text);
		}
		buf_putc(&c->sql, ')');
	} else {
		if (n->nvals > 1)
			buf_putc(&c->sql, '(');
		for (i = 0; i < n->nvals; i++) {
			if (i)
				buf_puts(&c->sql, " OR ");
			compile_meta_value(&m, &n->vals[i]);
		}
		if (n->nvals > 1)
			buf_putc(&c->sql, ')');
	}
	for (i = 0; i < m.npaths; i++)
		free(m.paths[i]);
	free(m.paths);
	buf_done(&m.v);
	buf_done(&m.t);
	buf_done(&m.num);
	buf_done(&m.str);
}

static void compile_term(struct compiler *c, const struct filter_node *n)
{
	const struct field_def *f = n->field;
	struct buf expr = BUF_INIT;
	bool all_eq = n->nvals > 1;
	size_t i;

	if (f->kind == FIELD_META) {
		compile_meta(c, n);
		return;
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
		c->reads |= f->flags;
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
}

static void compile_node(struct compiler *c, const struct filter_node *n);

/* kids[lo, hi) of an AND/OR, in balanced groups of at most FILTER_CHAIN. */
static void compile_chain(struct compiler *c, const struct filter_node *n, size_t lo, size_t hi)
{
	const char *op = n->type == FN_AND ? " AND " : " OR ";
	size_t i;

	if (hi - lo > FILTER_CHAIN) {
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
	return filter_compile_env(ast, first, NULL, out);
}

int filter_compile_env(const struct filter_ast *ast, int first,
		       const struct filter_env *env, struct filter_sql *out)
{
	struct compiler c = { BUF_INIT, NULL, 0, 0, first, env, BUF_INIT, 0 };

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
	out->notes = c.notes.len ? buf_take(&c.notes) : NULL;
	out->needs_texts = (c.reads & FIELD_TEXTS) != 0;
	out->needs_inputs = (c.reads & FIELD_INPUTS) != 0;
	buf_done(&c.notes);
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
	free(fs->notes);
	fs->notes = NULL;
	fs->where = NULL;
	fs->params = NULL;
	fs->nparams = 0;
	fs->needs_texts = fs->needs_inputs = false;
}
