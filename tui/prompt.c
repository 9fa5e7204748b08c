/*
 * prompt.c - the one-line editor at the bottom of the screen: the filter
 * prompt (live match count, parse errors with a caret, history, Tab
 * completion), the command prompt, search, and y/n confirmations.
 *
 * Filter preview: each edit restarts a short timer (PREVIEW_MS, as lnav
 * debounces); when it fires, the filter is parsed here (a parse error
 * shows at once, with a caret under the byte) and, when it parses, the
 * counter is asked for its count in the background.  The count shows
 * when it arrives; typing never waits for it.
 */
#include "tui.h"
#include "../store/filter.h"
#include "../store/fields.h"
#include "../store/metaindex.h"
#include "../common/clock.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREVIEW_MS 150
#define CTRL(c) ((c) & 0x1f)

void prompt_done(struct prompt *p)
{
	size_t i;

	buf_done(&p->text);
	buf_done(&p->error);
	buf_done(&p->comps);
	for (i = 0; i < p->nhist; i++)
		free(p->hist[i]);
	free(p->hist);
	p->hist = NULL;
	p->nhist = 0;
	free(p->saved_edit);
	p->saved_edit = NULL;
	if (p->ctx_free)
		p->ctx_free(p->ctx);
	p->ctx = NULL;
	p->ctx_free = NULL;
}

static void set_text(struct prompt *p, const char *s)
{
	buf_reset(&p->text);
	buf_puts(&p->text, s ? s : "");
	p->cursor = p->text.len;
}

static void changed(struct app *a)
{
	struct prompt *p = &a->prompt;

	if (p->kind != PROMPT_FILTER)
		return;
	p->preview_pending = true;
	p->preview_due = pv_now_ms() + PREVIEW_MS;
}

void prompt_open(struct app *a, int kind, const char *label, const char *init,
		 void (*enter)(struct app *a, void *ctx, const char *text),
		 void *ctx, void (*ctx_free)(void *ctx))
{
	struct prompt *p = &a->prompt;
	struct pv_err err;

	prompt_done(p);
	p->active = true;
	p->kind = kind;
	p->enter = enter;
	p->ctx = ctx;
	p->ctx_free = ctx_free;
	snprintf(p->label, sizeof p->label, "%s", label);
	set_text(p, init);
	p->hist_at = -1;
	p->preview_n = -1;
	p->preview_for = 0;
	p->error_column = 0;
	if (kind == PROMPT_FILTER) {
		pv_err_clear(&err);
		if (app_review_store(a, false))    /* a set: its overlay's */
			browse_history(app_review_store(a, false), 200, &p->hist,
				       &p->nhist, &err);
		changed(a);
	}
}

void prompt_close(struct app *a)
{
	struct prompt *p = &a->prompt;

	p->active = false;
	p->preview_pending = false;
	p->preview_gen = 0;
	prompt_done(p);
	/* a preview replaced the list's count on the counter: ask again */
	if (a->count == -1)
		app_recount(a);
}

int prompt_rows(const struct app *a)
{
	if (!a->prompt.active)
		return 0;
	return a->prompt.kind == PROMPT_FILTER ? 2 : 1;
}

int prompt_timeout(const struct app *a)
{
	int64_t left;

	if (!a->prompt.active || !a->prompt.preview_pending)
		return -1;
	left = a->prompt.preview_due - pv_now_ms();
	return left < 0 ? 0 : (int)left;
}

void prompt_tick(struct app *a)
{
	struct prompt *p = &a->prompt;
	struct filter_ast *ast = NULL;
	struct pv_err err;

	if (!p->preview_pending || pv_now_ms() < p->preview_due)
		return;
	p->preview_pending = false;
	buf_reset(&p->error);
	p->error_column = 0;
	p->preview_gen = ++a->gen_seq;
	pv_err_clear(&err);
	if (filter_parse(buf_str(&p->text), &ast, &err)) {
		buf_puts(&p->error, err.msg);
		p->error_column = err.column;
		p->preview_n = -1;
		p->preview_for = p->preview_gen;
		return;
	}
	if (filter_warnings(ast)) {
		/* shown where an error would be, without stopping the count */
		const char *w = filter_warnings(ast), *nl = strchr(w, '\n');
		long at = strtol(w + 8, NULL, 10);     /* "at byte N: " */
		const char *msg = strstr(w, ": ");
		buf_puts(&p->error, "warning");
		if (msg && (!nl || msg < nl))
			buf_append(&p->error, msg, (size_t)((nl ? nl : msg + strlen(msg)) - msg));
		p->error_column = at > 0 ? at : 0;
	}
	if (set_review_blind(a->set) && set_filter_review(ast)) {
		buf_reset(&p->error);
		buf_printf(&p->error, "%s on a set: refused, its review.pvx cannot be "
			   "read in this folder", set_filter_review(ast));
		p->error_column = 0;
	} else if (set_size(a->set) > 1 && set_filter_per_store(ast)) {
		/* what the set refuses, said before Enter (the count fails) */
		buf_reset(&p->error);
		buf_printf(&p->error, "%s on a set of %zu shards: refused, it would be "
			   "answered per shard", set_filter_per_store(ast),
			   set_size(a->set));
		p->error_column = 0;
	}
	filter_free(ast);
	p->preview_n = -1;
	if (a->counter)
		counter_request(a->counter, p->preview_gen, buf_str(&p->text), NULL, false, NULL);
}

/* ---- editing ---- */

static size_t prev_char(const struct buf *t, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)t->data[at] & 0xc0) == 0x80)
		at--;
	return at;
}

static size_t next_char(const struct buf *t, size_t at)
{
	if (at >= t->len)
		return t->len;
	at++;
	while (at < t->len && ((unsigned char)t->data[at] & 0xc0) == 0x80)
		at++;
	return at;
}

static void text_erase(struct prompt *p, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(p->text.data + from, p->text.data + to, p->text.len - to);
	p->text.len -= to - from;
	p->text.data[p->text.len] = 0;
	p->cursor = from;
}

static void insert(struct prompt *p, const char *s, size_t n)
{
	size_t tail = p->text.len - p->cursor;

	buf_reserve(&p->text, n + 1);
	memmove(p->text.data + p->cursor + n, p->text.data + p->cursor, tail);
	memcpy(p->text.data + p->cursor, s, n);
	p->text.len += n;
	p->text.data[p->text.len] = 0;
	p->cursor += n;
}

static void walk_history(struct app *a, int dir)
{
	struct prompt *p = &a->prompt;
	ssize_t to = p->hist_at + dir;

	if (to < -1 || to >= (ssize_t)p->nhist)
		return;
	if (p->hist_at == -1) {
		free(p->saved_edit);
		p->saved_edit = pv_strdup(buf_str(&p->text));
	}
	p->hist_at = to;
	set_text(p, to == -1 ? p->saved_edit : p->hist[to]);
	changed(a);
}

/* ---- completion ---- */

static int by_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Candidates for the word before the cursor: field names, or values of
 * "field:". *start is where the completed part begins. */
static void candidates(struct app *a, size_t *start, char ***out, size_t *n,
		       bool *is_field)
{
	struct prompt *p = &a->prompt;
	const char *t = buf_str(&p->text);
	size_t s = p->cursor, colon = (size_t)-1, i;
	char **v = NULL;
	size_t nv = 0, cap = 0;

	while (s > 0 && t[s - 1] != ' ' && t[s - 1] != '(' && t[s - 1] != '"')
		s--;
	if (t[s] == '-')
		s++;
	for (i = s; i < p->cursor; i++)
		if (t[i] == ':') {
			colon = i;
			break;
		}
	*is_field = colon == (size_t)-1;
	if ((*is_field && p->cursor - s >= 5 && strncasecmp(t + s, "meta.", 5) == 0) ||
	    (!*is_field && colon - s == 3 && strncasecmp(t + s, "has", 3) == 0 &&
	     p->cursor - colon > 5 && strncasecmp(t + colon + 1, "meta.", 5) == 0)) {
		/* meta.PATH (or has:meta.PATH): paths from the store's metadata */
		size_t ms = *is_field ? s : colon + 1;
		char prefix[256], **paths = NULL;
		size_t pl = p->cursor - ms - 5, np = 0;
		struct pv_err err;
		if (pl >= sizeof prefix)
			pl = sizeof prefix - 1;
		memcpy(prefix, t + ms + 5, pl);
		prefix[pl] = 0;
		*start = ms;
		pv_err_clear(&err);
		if (set_browse_paths(a->set, prefix, 50, &paths, &np, &err))
			app_error(a, &err);
		v = pv_malloc((np ? np : 1) * sizeof *v);
		for (i = 0; i < np; i++) {
			struct buf b = BUF_INIT;
			buf_printf(&b, "meta.%s", paths[i]);
			v[nv++] = buf_take(&b);
			free(paths[i]);
		}
		free(paths);
	} else if (*is_field) {
		size_t len = p->cursor - s;
		*start = s;
		for (i = 0; i < nfields; i++) {
			if (fields[i].flags & FIELD_NONAME)
				continue;
			if (strncasecmp(fields[i].name, t + s, len) == 0) {
				if (nv + 1 > cap) {
					cap = cap ? cap * 2 : 16;
					v = pv_realloc(v, cap * sizeof *v);
				}
				v[nv++] = pv_strdup(fields[i].name);
			}
		}
	} else {
		char field[64];
		size_t vs = colon + 1, len;
		const struct field_def *f;
		for (i = colon + 1; i < p->cursor; i++)
			if (t[i] == ',')
				vs = i + 1;
		len = colon - s < sizeof field ? colon - s : sizeof field - 1;
		memcpy(field, t + s, len);
		field[len] = 0;
		*start = vs;
		f = field_find(field, len);
		if (f && (f->kind == FIELD_ENUM || f->kind == FIELD_FLAG)) {
			for (i = 0; i < f->nvalues; i++) {
				if (strncasecmp(f->values[i].name, t + vs, p->cursor - vs))
					continue;
				if (nv + 1 > cap) {
					cap = cap ? cap * 2 : 16;
					v = pv_realloc(v, cap * sizeof *v);
				}
				v[nv++] = pv_strdup(f->values[i].name);
			}
		} else if (f) {
			char prefix[256];
			struct pv_err err;
			size_t pl = p->cursor - vs < sizeof prefix ? p->cursor - vs : sizeof prefix - 1;
			memcpy(prefix, t + vs, pl);
			prefix[pl] = 0;
			pv_err_clear(&err);
			if (set_browse_values(a->set, f->name, prefix, 50, &v, &nv, &err))
				app_error(a, &err);
		}
	}
	if (nv > 1)
		qsort(v, nv, sizeof *v, by_str);
	*out = v;
	*n = nv;
}

static void complete(struct app *a)
{
	struct prompt *p = &a->prompt;
	char **v = NULL;
	size_t n = 0, start, i, common;
	bool is_field;

	candidates(a, &start, &v, &n, &is_field);
	buf_reset(&p->comps);
	if (n == 0) {
		buf_puts(&p->comps, "no completion");
	} else {
		common = strlen(v[0]);
		for (i = 1; i < n; i++) {
			size_t k = 0;
			while (k < common && v[i][k] == v[0][k])
				k++;
			common = k;
		}
		text_erase(p, start, p->cursor);
		insert(p, v[0], common);
		if (n == 1) {
			/* a value may need quotes */
			if (is_field && strcmp(v[0], "meta") == 0)
				insert(p, ".", 1);      /* meta.PATH:VALUE */
			else if (is_field || (strncmp(v[0], "meta.", 5) == 0 &&
					       (start == 0 || p->text.data[start - 1] != ':')))
				insert(p, ":", 1);
			else
				insert(p, " ", 1);
		} else {
			for (i = 0; i < n && p->comps.len < 1024; i++)
				buf_printf(&p->comps, "%s%s", i ? "  " : "", v[i]);
		}
		changed(a);
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void prompt_key(struct app *a, int key)
{
	struct prompt *p = &a->prompt;

	if (p->kind == PROMPT_CONFIRM) {
		char c[2] = { (char)(key == 'y' || key == 'Y' ? 'y' : 'n'), 0 };
		void (*enter)(struct app *, void *, const char *) = p->enter;
		void *ctx = p->ctx;
		void (*ctx_free)(void *) = p->ctx_free;
		p->ctx = NULL;
		p->ctx_free = NULL;
		prompt_close(a);
		enter(a, ctx, c);
		if (ctx_free)
			ctx_free(ctx);
		return;
	}
	if (key != '\t')
		buf_reset(&p->comps);
	switch (key) {
	case 27:
	case CTRL('g'):
		prompt_close(a);
		app_status(a, R_STATUS, "cancelled");
		return;
	case '\n':
	case '\r':
	case KEY_ENTER: {
		char *text = pv_strdup(buf_str(&p->text));
		void (*enter)(struct app *, void *, const char *) = p->enter;
		void *ctx = p->ctx;
		void (*ctx_free)(void *) = p->ctx_free;
		p->ctx = NULL;
		p->ctx_free = NULL;
		prompt_close(a);
		if (enter)
			enter(a, ctx, text);
		if (ctx_free)
			ctx_free(ctx);
		free(text);
		return;
	}
	case KEY_BACKSPACE:
	case 127:
	case CTRL('h'):
		text_erase(p, prev_char(&p->text, p->cursor), p->cursor);
		break;
	case KEY_DC:
	case CTRL('d'):
		text_erase(p, p->cursor, next_char(&p->text, p->cursor));
		break;
	case KEY_LEFT:
	case CTRL('b'):
		p->cursor = prev_char(&p->text, p->cursor);
		return;
	case KEY_RIGHT:
	case CTRL('f'):
		p->cursor = next_char(&p->text, p->cursor);
		return;
	case KEY_HOME:
	case CTRL('a'):
		p->cursor = 0;
		return;
	case KEY_END:
	case CTRL('e'):
		p->cursor = p->text.len;
		return;
	case CTRL('u'):
		text_erase(p, 0, p->cursor);
		break;
	case CTRL('k'):
		text_erase(p, p->cursor, p->text.len);
		break;
	case CTRL('w'): {
		size_t s = p->cursor;
		while (s > 0 && p->text.data[s - 1] == ' ')
			s--;
		while (s > 0 && p->text.data[s - 1] != ' ')
			s--;
		text_erase(p, s, p->cursor);
		break;
	}
	case KEY_UP:
		if (p->kind == PROMPT_FILTER)
			walk_history(a, 1);
		return;
	case KEY_DOWN:
		if (p->kind == PROMPT_FILTER)
			walk_history(a, -1);
		return;
	case '\t':
		if (p->kind == PROMPT_FILTER)
			complete(a);
		return;
	default:
		if (key >= 32 && key < 256 && key != 127) {
			char c = (char)key;
			if (p->text.len >= 100000) {
				app_status(a, R_ERROR, "the prompt holds at most 100,000 bytes");
				return;
			}
			insert(p, &c, 1);
		} else {
			return;
		}
	}
	changed(a);
}

/* ---- drawing ---- */

void prompt_draw(struct app *a, struct grid *g)
{
	struct prompt *p = &a->prompt;
	int rows = prompt_rows(a), y = g->h - rows, x, lw, avail, shift = 0;
	const char *t = buf_str(&p->text);
	size_t off = 0;
	char n1[32];

	grid_fill(g, y, 0, g->w, R_STATUS);
	lw = text_width(p->label, strlen(p->label));
	x = grid_puts(g, y, 0, g->w, p->label, R_STATUS);
	if (p->kind == PROMPT_CONFIRM)
		x = grid_puts(g, y, x, g->w, " ", R_STATUS);
	avail = g->w - x - 1;
	/* keep the cursor in view: drop whole characters from the left */
	while (text_width(t + off, p->cursor - off) > avail && off < p->cursor) {
		off = next_char(&p->text, off);
	}
	shift = text_width(t, off);
	{
		int cx = grid_put(g, y, x, g->w, t + off, p->cursor - off, R_STATUS,
				  GP_ONE_LINE, NULL);
		struct cell *c;
		grid_put(g, y, cx, g->w, t + p->cursor, p->text.len - p->cursor, R_STATUS,
			 GP_ONE_LINE, NULL);
		/* the cursor: the cell under it in reverse */
		c = grid_at(g, y, cx);
		if (c)
			c->role = R_CURSOR;
	}
	if (rows < 2)
		return;
	y++;
	grid_fill(g, y, 0, g->w, R_STATUS);
	if (p->comps.len) {
		grid_puts(g, y, 0, g->w, buf_str(&p->comps), R_DIM);
	} else if (p->error.len && p->preview_for == p->preview_gen &&
		   strncmp(buf_str(&p->error), "warning", 7) == 0) {
		/* the count, then the reading the parser warns about */
		int cx = grid_printf(g, y, 0, g->w, R_STATUS, "%s matching  ",
				     p->preview_n >= 0 ? pv_num(p->preview_n, n1) : "?");
		grid_puts(g, y, cx, g->w, buf_str(&p->error), R_ERROR);
	} else if (p->error.len && p->preview_for == p->preview_gen) {
		/* the caret under the byte the error is at */
		int col = lw + text_width(t, p->error_column > 0 ? (size_t)p->error_column - 1 : 0)
			  - shift;
		if (col < 0)
			col = 0;
		if (col >= g->w)
			col = g->w - 1;
		grid_puts(g, y, col, g->w, "^", R_ERROR);
		if (col + 2 < g->w)
			grid_puts(g, y, col + 2, g->w, buf_str(&p->error), R_ERROR);
		else
			grid_puts(g, y, 0, col, buf_str(&p->error), R_ERROR);
	} else if (p->preview_pending || p->preview_for != p->preview_gen || p->preview_n == -1) {
		grid_puts(g, y, 0, g->w, "counting\xe2\x80\xa6  (Enter applies, Esc cancels, "
			  "Up/Down history, Tab completes)", R_DIM);
	} else if (p->preview_n < 0) {
		grid_puts(g, y, 0, g->w, "the filter cannot be counted", R_ERROR);
	} else {
		grid_printf(g, y, 0, g->w, R_STATUS, "%s matching document%s  (Enter applies, "
			    "Esc cancels)", pv_num(p->preview_n, n1), p->preview_n == 1 ? "" : "s");
	}
}
