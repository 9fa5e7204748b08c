/*
 * filter_print.c - the filter language's tree written back as text: the
 * canonical form (filter_canonical, which parses to the same tree), the
 * reading shown as a filter is typed (filter_reading), and the error caret
 * under the position of a parse error (filter_error_caret).
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

static void canon_num(struct buf *out, const struct field_def *f, int64_t i, double d)
{
	if (f->kind == FIELD_REAL)
		canon_real(out, d);
	else
		buf_printf(out, "%lld", (long long)i);
}

static void canon_meta_value(struct buf *out, const struct filter_value *v)
{
	static const char *const ops[] = {
		[FOP_LT] = "<", [FOP_LE] = "<=", [FOP_GT] = ">", [FOP_GE] = ">=" };

	switch (v->op) {
	case FOP_RANGE:
		canon_real(out, v->dlo);
		buf_puts(out, "..");
		canon_real(out, v->dhi);
		return;
	case FOP_LT: case FOP_LE: case FOP_GT: case FOP_GE:
		buf_puts(out, ops[v->op]);
		canon_real(out, v->dlo);
		return;
	case FOP_EQ:
		canon_text(out, v->text, v->lit == FL_TEXT && filter_meta_needs_quotes(v->text));
		return;
	case FOP_HAS:           /* has:meta.PATH: printed with its path */
		return;
	default:
		canon_text(out, v->text ? v->text : "", false);
		return;
	}
}

static void canon_value(struct buf *out, const struct field_def *f, const struct filter_value *v)
{
	static const char *const ops[] = {
		[FOP_LT] = "<", [FOP_LE] = "<=", [FOP_GT] = ">", [FOP_GE] = ">=" };

	if (f->kind == FIELD_META) {
		canon_meta_value(out, v);
		return;
	}
	switch (v->op) {
	case FOP_WORD: buf_puts(out, v->text); return;
	case FOP_PREFIX: buf_puts(out, v->text); buf_putc(out, '*'); return;
	case FOP_PHRASE: canon_text(out, v->text, true); return;
	case FOP_FLAG: buf_puts(out, v->text); return;
	case FOP_HAS: return;
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

/* The canonical form, or with spell (filter_reading) every operator
 * written out and every group in parentheses. */
static void canon_node(struct buf *out, const struct filter_node *n, bool spell)
{
	size_t i;

	switch (n->type) {
	case FN_AND:
	case FN_OR:
		for (i = 0; i < n->nkids; i++) {
			const struct filter_node *k = n->kids[i];
			bool paren = spell ? k->type == FN_AND || k->type == FN_OR :
				n->type == FN_AND && k->type == FN_OR;
			if (i)
				buf_puts(out, n->type == FN_OR ? " OR " : spell ? " AND " : " ");
			if (paren)
				buf_putc(out, '(');
			canon_node(out, k, spell);
			if (paren)
				buf_putc(out, ')');
		}
		return;
	case FN_NOT: {
		const struct filter_node *k = n->kids[0];
		bool paren = k->type == FN_AND || k->type == FN_OR;
		buf_puts(out, spell ? (paren ? "NOT (" : "NOT ") : (paren ? "-(" : "-"));
		canon_node(out, k, spell);
		if (paren)
			buf_putc(out, ')');
		return;
	}
	case FN_TERM:
		if (n->field->kind == FIELD_META && n->nvals == 1 && n->vals[0].op == FOP_HAS)
			buf_printf(out, "has:meta.%s", n->key);
		else if (n->field->kind == FIELD_META)
			buf_printf(out, "meta.%s:", n->key);
		else if (n->field->kind != FIELD_TEXT)
			buf_printf(out, "%s:", n->field->name);
		else if (spell)
			buf_puts(out, "text:");
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
		canon_node(out, ast->root, false);
	else
		buf_puts(out, "");
}

void filter_reading(const struct filter_ast *ast, struct buf *out)
{
	if (ast && ast->root)
		canon_node(out, ast->root, true);
	else
		buf_puts(out, "(everything)");
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
