/*
 * app.c - the interface's main loop and what every view shares: the
 * active filter and its background count, the status line, relabelling
 * (one document or the tags) with undo, tags and confirmations.  The
 * command prompt's commands are commands.c's.
 *
 * The loop: draw the top view into the grid, copy the grid to the screen,
 * wait for a key, the counter's wake-up byte or the prompt's debounce
 * timer, and dispatch.  Keys never wait for a count: counts run on the
 * counter's thread (store/browse.h) and arrive as results tagged with the
 * generation they were asked for; stale ones are dropped.
 */
#include "tui.h"
#include "../store/metaindex.h"
#include "../store/filter.h"
#include "../common/clock.h"
#include "../common/reviewer.h"

#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void app_status(struct app *a, enum role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof a->status, fmt, ap);
	va_end(ap);
	a->status_role = role;
}

void app_error(struct app *a, const struct pv_err *err)
{
	if (err->line)
		app_status(a, R_ERROR, "%s:%ld: %s", err->file, err->line, err->msg);
	else
		app_status(a, R_ERROR, "%s", err->msg[0] ? err->msg : pv_strerror(err->code));
}

void app_draw_status(struct app *a, struct grid *g, const char *left,
		     const char *right)
{
	int y = g->h - 1, rw, x;

	grid_fill(g, y, 0, g->w, R_STATUS);
	rw = text_width(right, strlen(right));
	if (a->status[0]) {
		/* a message takes the line; the position stays on the right */
		x = grid_puts(g, y, 0, g->w - rw - 1, a->status, a->status_role);
		(void)x;
	} else {
		grid_puts(g, y, 0, g->w - rw - 1, left, R_STATUS);
	}
	if (rw < g->w)
		grid_puts(g, y, g->w - rw, g->w, right, R_STATUS);
}

/* ---- views ---- */

void app_push(struct app *a, const struct view_ops *ops, void *state)
{
	if (a->nviews == APP_MAX_VIEWS) {
		if (ops->done)
			ops->done(state);
		app_status(a, R_ERROR, "too many views open: press q to close some");
		return;
	}
	a->ops[a->nviews] = ops;
	a->state[a->nviews] = state;
	a->nviews++;
}

void app_pop(struct app *a)
{
	if (a->nviews <= 1)
		return;
	a->nviews--;
	if (a->ops[a->nviews]->done)
		a->ops[a->nviews]->done(a->state[a->nviews]);
}

static void refresh_views(struct app *a)
{
	int i;

	for (i = 0; i < a->nviews; i++)
		if (a->ops[i]->reload)
			a->ops[i]->reload(a, a->state[i]);
}

/* ---- filter and counts ---- */

bool app_compile(struct app *a, const char *text, struct set_where *out)
{
	struct filter_ast *ast = NULL;
	struct pv_err err;

	pv_err_clear(&err);
	memset(out, 0, sizeof *out);
	if (filter_parse(text, &ast, &err)) {
		app_status(a, R_ERROR, "filter: %s (at byte %ld)", err.msg, err.column);
		return false;
	}
	if (set_where_compile(a->set, ast, out, &err)) {
		filter_free(ast);
		app_status(a, R_ERROR, "filter: %s", err.msg);
		return false;
	}
	filter_free(ast);
	return true;
}

void app_recount(struct app *a)
{
	a->count = -1;
	a->count_gen = ++a->gen_seq;
	if (a->counter)
		counter_request(a->counter, a->count_gen, a->filter, NULL, false, NULL);
}

struct store *app_review_store(struct app *a, bool write)
{
	struct store *s;
	struct pv_err err;

	if (a->store)
		return a->store;
	if (!write)
		return set_overlay(a->set);
	pv_err_clear(&err);
	if (set_review(a->set, &s, &err)) {
		app_error(a, &err);
		return NULL;
	}
	return s;
}

/* A set's review overlay (SET/review.pvx) changed: the set is opened
 * again, so that its parts are the overlay's now (set.h). */
void app_set_reload(struct app *a)
{
	struct store_set *set;
	struct pv_err err;

	if (a->store)
		return;
	set_browse_stamp(a->store_path, NULL, &a->review);
	pv_err_clear(&err);
	if (set_open(&set, a->store_path, &err)) {
		app_error(a, &err);
		return;
	}
	set_close(a->set);
	a->set = set;
}

void app_set_check(struct app *a)
{
	struct set_stamp now;

	if (!a->store && set_browse_stamp(a->store_path, &a->review, &now))
		app_set_reload(a);
}

/* The most documents relabelled at once on a set: they go to set_label
 * as the filter id:A,B,... (one SQL parameter each). */
#define SET_RELABEL_MAX 30000

/* Relabels ids on a set of stores through its review overlay (set_label:
 * the shards are only read). */
static int set_relabel(struct app *a, const int64_t *ids, size_t n,
		       const struct label_change *ch, size_t nch,
		       struct label_result *res, struct pv_err *err)
{
	struct filter_ast *ast = NULL;
	struct buf f = BUF_INIT;
	size_t i;
	int rc;

	memset(res, 0, sizeof *res);
	if (n > SET_RELABEL_MAX)
		return pv_errf(err, PV_EUSAGE, "%zu tagged documents: a set is relabelled "
			       "here %d at a time at most; provex label %s FILTER ... "
			       "takes any number", n, SET_RELABEL_MAX, a->store_path);
	buf_puts(&f, "id:");
	for (i = 0; i < n; i++)
		buf_printf(&f, "%s%lld", i ? "," : "", (long long)ids[i]);
	if ((rc = filter_parse(buf_str(&f), &ast, err)) == 0)
		rc = set_label(a->set, ast, ch, nch, a->reviewer, NULL, "provex browse",
			       false, res, err);
	filter_free(ast);
	buf_done(&f);
	return rc;
}

bool app_set_filter(struct app *a, const char *text)
{
	struct filter_ast *ast = NULL;
	struct pv_err err;
	struct buf canon = BUF_INIT;
	struct set_where sw;

	pv_err_clear(&err);
	if (filter_parse(text, &ast, &err)) {
		app_status(a, R_ERROR, "filter: %s (at byte %ld)", err.msg, err.column);
		return false;
	}
	/* what a set refuses (a per-store field), refused here, not on every
	 * page */
	if (!a->store && set_where_compile(a->set, ast, &sw, &err)) {
		app_status(a, R_ERROR, "filter: %s", err.msg);
		filter_free(ast);
		return false;
	}
	if (!a->store)
		set_where_done(&sw);
	filter_canonical(ast, &canon);
	free(a->filter);
	a->filter = pv_strdup(buf_str(&canon));
	buf_done(&canon);
	app_recount(a);
	list_reset(a);
	if (filter_warnings(ast)) {
		/* the first reading the parser warns about, on the status line */
		const char *w = filter_warnings(ast), *nl = strchr(w, '\n');
		app_status(a, R_ERROR, "filter warning %.*s", (int)(nl ? nl - w : (long)strlen(w)), w);
	}
	filter_free(ast);
	return true;
}

/* ---- tags ---- */

static size_t tag_find(const struct app *a, int64_t id, bool *found)
{
	size_t lo = 0, hi = a->ntags;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a->tags[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < a->ntags && a->tags[lo] == id;
	return lo;
}

bool app_tagged(const struct app *a, int64_t id)
{
	bool found;

	tag_find(a, id, &found);
	return found;
}

void app_tag_toggle(struct app *a, int64_t id)
{
	bool found;
	size_t at = tag_find(a, id, &found);

	if (found) {
		memmove(&a->tags[at], &a->tags[at + 1], (a->ntags - at - 1) * sizeof *a->tags);
		a->ntags--;
		app_status(a, R_STATUS, "untagged document %lld (%zu tagged)", (long long)id,
			   a->ntags);
		return;
	}
	if (a->ntags == a->tags_cap) {
		a->tags_cap = a->tags_cap ? a->tags_cap * 2 : 64;
		a->tags = pv_realloc(a->tags, a->tags_cap * sizeof *a->tags);
	}
	memmove(&a->tags[at + 1], &a->tags[at], (a->ntags - at) * sizeof *a->tags);
	a->tags[at] = id;
	a->ntags++;
	app_status(a, R_STATUS, "tagged document %lld (%zu tagged)", (long long)id, a->ntags);
}

void app_tags_set(struct app *a, int64_t *ids, size_t n)
{
	free(a->tags);
	a->tags = ids;           /* browse_ids gives them in id order */
	a->ntags = a->tags_cap = n;
}

void app_tags_clear(struct app *a)
{
	free(a->tags);
	a->tags = NULL;
	a->ntags = a->tags_cap = 0;
}

/* ---- confirmations ---- */

static void confirm_enter(struct app *a, void *ctx, const char *text)
{
	void (*fn)(struct app *, void *) = a->confirm_fn;
	void *arg = a->confirm_arg;
	void (*fr)(void *) = a->confirm_free;

	(void)ctx;
	a->confirm_fn = NULL;
	a->confirm_arg = NULL;
	a->confirm_free = NULL;
	if (text && (text[0] == 'y' || text[0] == 'Y'))
		fn(a, arg);
	else
		app_status(a, R_STATUS, "cancelled: nothing changed");
	if (fr)
		fr(arg);
}

void app_confirm(struct app *a, const char *question,
		 void (*fn)(struct app *a, void *arg), void *arg,
		 void (*free_arg)(void *arg))
{
	if (a->confirm_free)
		a->confirm_free(a->confirm_arg);
	a->confirm_fn = fn;
	a->confirm_arg = arg;
	a->confirm_free = free_arg;
	prompt_open(a, PROMPT_CONFIRM, question, "", confirm_enter, NULL, NULL);
}

/* ---- relabelling ---- */

void app_relabel(struct app *a, const int64_t *ids, size_t n,
		 const struct label_change *ch, size_t nch, const char *scope)
{
	struct label_result res;
	struct pv_err err;
	struct buf what = BUF_INIT;
	size_t i;
	int rc;

	pv_err_clear(&err);
	if (!a->store)
		rc = set_relabel(a, ids, n, ch, nch, &res, &err);
	else
		rc = browse_label_ids(a->store, ids, n, ch, nch, a->reviewer, NULL,
				      "provex browse", &res, &err);
	for (i = 0; i < nch; i++)
		buf_printf(&what, "%s%s=%s", i ? ", " : "", label_field_name(ch[i].field),
			   ch[i].value && *ch[i].value ? ch[i].value : "(none)");
	if (rc) {
		app_error(a, &err);
	} else if (res.batch_id == 0) {
		app_status(a, R_STATUS, "%s on %s: already so, nothing changed",
			   buf_str(&what), scope);
	} else {
		char n1[32];
		app_status(a, R_STATUS, "%s on %s: %s changed (batch %lld; u undoes)",
			   buf_str(&what), scope, pv_num(res.changed, n1),
			   (long long)res.batch_id);
	}
	label_result_done(&res);
	buf_done(&what);
	app_set_reload(a);
	refresh_views(a);
	app_recount(a);
}

struct relabel_arg {
	struct label_change ch;
	char value[LABEL_MAX_VALUE + 1];
};

static void relabel_tags(struct app *a, void *arg)
{
	struct relabel_arg *r = arg;
	char scope[64], n1[32];

	r->ch.value = r->value;
	snprintf(scope, sizeof scope, "%s tagged documents", pv_num((int64_t)a->ntags, n1));
	app_relabel(a, a->tags, a->ntags, &r->ch, 1, scope);
}

void app_relabel_key(struct app *a, enum action act, int64_t doc, bool use_tags)
{
	struct relabel_arg *r;
	char scope[64], q[256], n1[32];

	r = pv_malloc(sizeof *r);
	memset(r, 0, sizeof *r);
	if (act == ACT_REAL || act == ACT_SYNTH || act == ACT_UNKNOWN) {
		r->ch.field = LF_ORIGIN;
		snprintf(r->value, sizeof r->value, "%s", act == ACT_REAL ? "real" :
			 act == ACT_SYNTH ? "synthetic" : "unknown");
	} else {
		int k = (int)(act - ACT_QUICK1);
		if (!a->cfg.quick[k]) {
			app_status(a, R_ERROR, "key %d has no quick label (set quick-labels "
				   "in the configuration; provex config --print shows it)", k + 1);
			free(r);
			return;
		}
		r->ch.field = LF_LABEL;
		snprintf(r->value, sizeof r->value, "%s", a->cfg.quick[k]);
	}
	r->ch.value = r->value;
	if (use_tags && a->ntags) {
		snprintf(q, sizeof q, "set %s=%.100s on %s tagged documents? (y/n)",
			 label_field_name(r->ch.field), r->value,
			 pv_num((int64_t)a->ntags, n1));
		app_confirm(a, q, relabel_tags, r, free);
		return;
	}
	snprintf(scope, sizeof scope, "document %lld", (long long)doc);
	app_relabel(a, &doc, 1, &r->ch, 1, scope);
	free(r);
}

void app_undo(struct app *a)
{
	struct label_result res;
	struct pv_err err;
	struct store *s = a->store;
	char n1[32];
	int rc;

	pv_err_clear(&err);
	memset(&res, 0, sizeof res);
	/* a set's one history is its review overlay's */
	if (!s && !set_overlay(a->set))
		rc = PV_ENOTFOUND;
	else if (!s && (rc = set_review(a->set, &s, &err)))
		;
	else
		rc = label_undo(s, 0, false, a->reviewer, "provex browse: undo", &res, &err);
	if (rc == PV_ENOTFOUND)
		app_status(a, R_STATUS, "nothing to undo");
	else if (rc)
		app_error(a, &err);
	else if (res.nconflicts)
		app_status(a, R_ERROR, "undid batch %lld: %s changes reverted; %zu documents "
			   "changed again since were left alone (provex undo --force)",
			   (long long)res.undone, pv_num(res.changes, n1), res.nconflicts);
	else
		app_status(a, R_STATUS, "undid batch %lld: %s change%s on %lld document%s reverted",
			   (long long)res.undone, pv_num(res.changes, n1),
			   res.changes == 1 ? "" : "s", (long long)res.changed,
			   res.changed == 1 ? "" : "s");
	label_result_done(&res);
	app_set_reload(a);
	refresh_views(a);
	app_recount(a);
}

/* ---- rows ---- */

struct browse_row *row_fetch(struct app *a, int64_t id)
{
	struct browse_row *r;
	struct pv_err err;
	int rc;

	pv_err_clear(&err);
	rc = set_browse_row_get(a->set, id, &r, &err);
	if (rc == PV_ENOTFOUND)
		app_status(a, R_ERROR, "document %lld is gone", (long long)id);
	else if (rc)
		app_error(a, &err);
	return r;
}

int draw_doc_header(struct app *a, struct grid *g, int y, int x, int x_end,
		    const struct browse_row *r, int64_t nhist, bool hide)
{
	int cx;
	char n1[32];

	(void)a;
	grid_fill(g, y, x, x_end, R_HEADER);
	grid_fill(g, y + 1, x, x_end, R_HEADER);
	cx = grid_printf(g, y, x, x_end, R_HEADER, "#%lld ", (long long)r->id);
	if (r->ext_id && !hide) {
		cx = grid_puts(g, y, cx, x_end, r->ext_id, R_HEADER);
		cx = grid_puts(g, y, cx, x_end, "  ", R_HEADER);
	}
	if (hide) {
		grid_printf(g, y, cx, x_end, R_HEADER, "%s bytes (provenance hidden)",
			    pv_num(r->len, n1));
		return 2;
	}
	cx = grid_puts(g, y, cx, x_end, r->origin ? r->origin : "unknown",
		       origin_role(r->origin));
	cx = grid_printf(g, y, cx, x_end, R_HEADER, "  source: %s", r->source ? r->source : "-");
	cx = grid_printf(g, y, cx, x_end, R_HEADER, "  generator: %s",
			 r->generator ? r->generator : "-");
	grid_printf(g, y, cx, x_end, R_HEADER, "  purpose: %s", r->purpose ? r->purpose : "-");
	cx = grid_printf(g, y + 1, x, x_end, R_HEADER, "label: %s", r->label ? r->label : "-");
	if (r->note)
		cx = grid_printf(g, y + 1, cx, x_end, R_HEADER, "  note: %s", r->note);
	cx = grid_printf(g, y + 1, cx, x_end, R_HEADER, "  %s bytes", pv_num(r->len, n1));
	if (r->nocc > 1)
		cx = grid_printf(g, y + 1, cx, x_end, R_HEADER, "  text x%lld",
				 (long long)r->nocc);
	grid_printf(g, y + 1, cx, x_end, R_HEADER, "  history: %lld change%s",
		    (long long)nhist, nhist == 1 ? "" : "s");
	return 2;
}

static void filter_enter(struct app *a, void *ctx, const char *text)
{
	struct pv_err err;

	(void)ctx;
	if (!app_set_filter(a, text))
		return;
	pv_err_clear(&err);
	/* a set keeps it in its review overlay, once it has one */
	if (*a->filter && app_review_store(a, false))
		browse_history_add(app_review_store(a, !a->store ? true : false),
				   a->filter, &err);
	if (strncmp(a->status, "filter warning", 14) != 0)   /* keep the warning */
		app_status(a, R_STATUS, "%s", *a->filter ? "filter applied" :
			   "filter cleared: all documents");
}

/* ---- the loop ---- */

static void draw(struct app *a)
{
	int w, h;

	if (!a->headless) {
		screen_size(&w, &h);
		if (w != a->grid.w || h != a->grid.h)
			grid_resize(&a->grid, w, h);
	}
	grid_clear(&a->grid, R_LIST);
	if (a->grid.w < 20 || a->grid.h < 5) {
		grid_puts(&a->grid, 0, 0, a->grid.w, "terminal too small", R_ERROR);
	} else {
		a->ops[a->nviews - 1]->draw(a, a->state[a->nviews - 1], &a->grid);
		if (a->prompt.active)
			prompt_draw(a, &a->grid);
	}
	if (!a->headless)
		screen_show(a);
}

static void poll_counter(struct app *a)
{
	uint64_t gen;
	int64_t n;

	if (!a->counter)
		return;
	while (counter_result(a->counter, &gen, &n)) {
		if (gen == a->count_gen)
			a->count = n < 0 ? -2 : n;
		if (gen == a->prompt.preview_gen && a->prompt.active) {
			a->prompt.preview_n = n;
			a->prompt.preview_for = gen;
		}
	}
}

/* One key; returns false to quit. */
static void dispatch(struct app *a, int key)
{
	int top = a->nviews - 1;
	const struct view_ops *ops = a->ops[top];
	enum action act;

	if (key == KEY_RESIZE) {
		a->redraw_all = true;
		return;
	}
	if (a->prompt.active) {
		prompt_key(a, key);
		return;
	}
	/* a message stays until the next key */
	a->status[0] = 0;
	act = key_action(key, ops->mask);
	switch (act) {
	case ACT_QUIT:
		if (a->nviews > 1)
			app_pop(a);
		else
			a->quit = true;
		return;
	case ACT_HELP:
		help_open(a, ops->mask);
		return;
	case ACT_REDRAW:
		a->redraw_all = true;
		return;
	case ACT_COMMAND:
		prompt_open(a, PROMPT_COMMAND, ":", "", command_enter, NULL, NULL);
		return;
	case ACT_FILTER:
		prompt_open(a, PROMPT_FILTER, "/", a->filter, filter_enter, NULL, NULL);
		return;
	case ACT_SAVED:
		saved_open(a);
		return;
	case ACT_UNDO:
		app_undo(a);
		return;
	default:
		break;
	}
	if (!ops->key(a, a->state[top], act, key) && act == ACT_NONE && key != KEY_MOUSE &&
	    key > 0) {
		char kn[16];
		app_status(a, R_STATUS, "%s: no such key here (? shows the keys)", tui_key_name(key, kn));
	}
}

/* Sets up the application: configuration, theme, reviewer (given_reviewer
 * is --reviewer, or NULL), store, counter, the list view with the filter.
 * Headless (w, h > 0): no terminal, a grid of w x h (tests).  Returns 0,
 * or an exit status after printing why. */
static int open_as(struct app *a, const char *store_path, const char *filter,
		   const char *theme_name, const char *config_path,
		   const char *given_reviewer, int w, int h)
{
	struct pv_err err;
	struct buf warn = BUF_INIT;
	int rc = 0;

	memset(a, 0, sizeof *a);
	a->prompt.text = (struct buf)BUF_INIT;
	a->prompt.error = (struct buf)BUF_INIT;
	a->prompt.comps = (struct buf)BUF_INIT;
	a->count = -1;
	a->headless = w > 0 && h > 0;
	pv_err_clear(&err);
	if (settings_load(&a->cfg, config_path, &err))
		buf_printf(&warn, "%s:%ld:%ld: %s; using the defaults\n", err.file, err.line,
			   err.column, err.msg);
	keys_configure(&a->cfg, &warn);
	theme_default(&a->theme);
	if (theme_name || a->cfg.theme) {
		pv_err_clear(&err);
		if (theme_load(&a->theme, theme_name ? theme_name : a->cfg.theme, &err)) {
			if (theme_name) {
				if (err.line)
					fprintf(stderr, "provex: %s:%ld:%ld: %s\n", err.file,
						err.line, err.column, err.msg);
				else
					fprintf(stderr, "provex: %s%s%s\n", err.file,
						err.file[0] ? ": " : "", err.msg);
				rc = 1;
				goto out;
			}
			if (err.line)
				buf_printf(&warn, "%s:%ld:%ld: %s\n", err.file, err.line,
					   err.column, err.msg);
			else if (a->cfg.path)
				buf_printf(&warn, "%s:%ld:%ld: %s\n", a->cfg.path,
					   a->cfg.theme_line, a->cfg.theme_column, err.msg);
			else
				buf_printf(&warn, "%s\n", err.msg);
			theme_default(&a->theme);
		}
	}
	a->no_color = getenv("NO_COLOR") && *getenv("NO_COLOR");
	/* the reviewer: common/reviewer.h's rule, given_reviewer first */
	pv_err_clear(&err);
	if (reviewer_find(given_reviewer, &a->cfg, &a->reviewer, NULL, &err)) {
		char msg[sizeof err.msg + sizeof err.file + 64];

		fprintf(stderr, "provex: %s\n", pv_err_format(&err, msg, sizeof msg));
		rc = 2;         /* a usage error, as provex label's */
		goto out;
	}
	pv_err_clear(&err);
	/* before the set is opened: a label committed after is seen */
	set_browse_stamp(store_path, NULL, &a->review);
	if (set_is_folder(store_path)) {
		/* a set of stores: read-only, through set_browse.h */
		if (set_open(&a->set, store_path, &err)) {
			fprintf(stderr, "provex: %s\n", err.msg);
			a->set = NULL;
			rc = 1;
			goto out;
		}
	} else if (store_open(&a->store, store_path, STORE_WRITE, &err)) {
		struct pv_err err2;
		/* a store the user may read but not write: browse without relabelling */
		pv_err_clear(&err2);
		if (err.code == PV_ENOTFOUND || err.code == PV_ENOTSTORE || err.code == PV_ENEWER ||
		    store_open(&a->store, store_path, STORE_READ, &err2)) {
			fprintf(stderr, "provex: %s\n", err.msg);
			a->store = NULL;
			rc = 1;
			goto out;
		}
		buf_printf(&warn, "read-only: %s (relabelling is refused)\n", err.msg);
	}
	if (a->store)
		a->set = set_of_store(a->store);
	a->store_path = pv_strdup(store_path);
	pv_err_clear(&err);
	if (counter_new(store_path, &a->counter, &err)) {
		buf_printf(&warn, "counts are unavailable: %s\n", err.msg);
		a->counter = NULL;
	}
	a->filter = pv_strdup("");
	if (a->headless) {
		grid_init(&a->grid, w, h);
	} else {
		pv_err_clear(&err);
		if (screen_start(a, &err)) {
			fprintf(stderr, "provex: %s\n", err.msg);
			rc = 1;
			goto out;
		}
		screen_size(&w, &h);
		grid_init(&a->grid, w, h);
	}
	app_push(a, &list_ops, list_new(a));
	if (!filter || !app_set_filter(a, filter)) {
		char *bad = a->status[0] ? pv_strdup(a->status) : NULL;
		app_set_filter(a, "");
		if (bad) {
			app_status(a, R_ERROR, "%s", bad);
			free(bad);
		}
	}
	if (warn.len) {
		/* the first line; provex config --print tells about the rest */
		char *nl = strchr(buf_str(&warn), '\n');
		if (nl)
			*nl = 0;
		app_status(a, R_ERROR, "%s", buf_str(&warn));
	}
out:
	buf_done(&warn);
	return rc;
}

int app_open(struct app *a, const char *store_path, const char *filter,
	     const char *theme_name, const char *config_path, int w, int h)
{
	return open_as(a, store_path, filter, theme_name, config_path, NULL, w, h);
}

void app_close(struct app *a)
{
	while (a->nviews > 0) {
		a->nviews--;
		if (a->ops[a->nviews]->done)
			a->ops[a->nviews]->done(a->state[a->nviews]);
	}
	if (a->confirm_free)
		a->confirm_free(a->confirm_arg);
	a->confirm_free = NULL;
	prompt_done(&a->prompt);
	counter_free(a->counter);
	set_close(a->set);          /* and the store it wraps */
	grid_done(&a->grid);
	settings_done(&a->cfg);
	free(a->store_path);
	free(a->filter);
	free(a->sort);
	free(a->reviewer);
	free(a->tags);
	memset(a, 0, sizeof *a);
}

void app_draw(struct app *a)
{
	draw(a);
}

void app_key(struct app *a, int key)
{
	dispatch(a, key);
}

bool app_wait_count(struct app *a, int timeout_ms)
{
	int64_t end = pv_now_ms() + timeout_ms;

	while (a->counter && pv_now_ms() < end) {
		struct pollfd pfd = { counter_fd(a->counter), POLLIN, 0 };
		poll(&pfd, 1, 20);
		poll_counter(a);
		if (a->prompt.active)
			prompt_tick(a);
		if (a->count >= 0 && (!a->prompt.active || a->prompt.preview_n >= 0))
			return true;
	}
	return false;
}

/* tui_run and tui_run_with: open, setup (may be NULL), loop, close. */
static int run(const char *store_path, const char *filter, const char *theme_name,
	       const char *config_path, const char *reviewer,
	       void (*setup)(struct app *, void *), void *arg)
{
	struct app app, *a = &app;
	int rc;

	setlocale(LC_ALL, "");
	rc = open_as(a, store_path, filter, theme_name, config_path, reviewer, 0, 0);
	if (rc) {
		screen_stop();
		app_close(a);
		return rc;
	}
	if (setup)
		setup(a, arg);
	while (!a->quit && !screen_interrupted()) {
		int key, timeout;
		draw(a);
		timeout = prompt_timeout(a);
		key = screen_wait(a, timeout);
		poll_counter(a);
		if (a->prompt.active)
			prompt_tick(a);
		if (key)
			dispatch(a, key);
	}
	screen_stop();
	rc = screen_interrupted() ? 128 + screen_signal() : 0;
	app_close(a);
	return rc;
}

int tui_run(const char *store_path, const char *filter, const char *theme_name,
	    const char *config_path)
{
	return run(store_path, filter, theme_name, config_path, NULL, NULL, NULL);
}

int tui_run_as(const char *store_path, const char *filter, const char *theme_name,
	       const char *config_path, const char *reviewer)
{
	return run(store_path, filter, theme_name, config_path, reviewer, NULL, NULL);
}

int tui_run_with(const char *store_path, const char *theme_name, const char *config_path,
		 void (*setup)(struct app *, void *), void *arg)
{
	return run(store_path, NULL, theme_name, config_path, NULL, setup, arg);
}
