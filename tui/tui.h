/*
 * tui.h - the interface: one application state, a stack of views, a key
 * table, and a screen.
 *
 * Shape (after tig and htop): every view draws into a headless grid
 * (grid.h) and never calls curses; screen.c copies the grid to the
 * terminal.  A view is a struct view_ops (draw, key, done) plus its own
 * state; the application keeps a stack of open views (the list at the
 * bottom), so `q` pops one.  Keys go through the key table (keys.c): a
 * key maps to an action name for the view on top, and the help view is
 * generated from the same table.
 *
 * Everything that reads or changes the store goes through the store's
 * functions (store.h, browse.h, set_browse.h, label.h, filter.h): there
 * is no SQL here.  A set of stores (a folder of shards, store/set.h) is
 * read through set_browse.h, which merges its shards' pages; a plain
 * store is the set of one it is wrapped in.
 *
 * Ownership: struct app owns the set (and so the store), the counter, the configuration,
 * the grid, the tags and the views on its stack.
 */
#ifndef PV_TUI_H
#define PV_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "../common/pv.h"
#include "../common/buf.h"
#include "../store/store.h"
#include "../store/browse.h"
#include "../store/set_browse.h"
#include "../store/label.h"
#include "../common/settings.h"
#include "theme.h"
#include "grid.h"

/* Views a key can be bound in (bit mask). */
enum {
	VM_LIST = 1, VM_READER = 2, VM_COMPARE = 4, VM_HELP = 8, VM_HISTORY = 16,
	VM_PICKER = 32, VM_ALL = 63
};

/* Actions: one per thing a key can do.  keys.c lists them with their
 * default keys, views and help text. */
enum action {
	ACT_NONE,
	ACT_QUIT, ACT_HELP, ACT_DOWN, ACT_UP, ACT_PGDN, ACT_PGUP, ACT_TOP, ACT_END,
	ACT_OPEN, ACT_FILTER, ACT_COMMAND, ACT_SAVED, ACT_SORT, ACT_SORT_REV,
	ACT_NARROW, ACT_WIDEN,
	ACT_REAL, ACT_SYNTH, ACT_UNKNOWN,
	ACT_QUICK1, ACT_QUICK2, ACT_QUICK3, ACT_QUICK4, ACT_QUICK5, ACT_QUICK6, ACT_QUICK7,
	ACT_QUICK8, ACT_QUICK9,
	ACT_EDIT, ACT_HIST, ACT_TAG, ACT_TAG_ALL, ACT_UNTAG_ALL, ACT_UNDO,
	ACT_COMPARE, ACT_META, ACT_SEARCH, ACT_NEXT, ACT_PREV,
	ACT_FOCUS, ACT_SYNC, ACT_DIFF, ACT_PAIR_PREV, ACT_PAIR_NEXT,
	ACT_DELETE, ACT_REDRAW,
	ACT_STATS,
	ACT_N
};

struct keydef {
	enum action action;
	const char *name;        /* "down", "quick-1"... (config keys:) */
	unsigned views;          /* VM_* */
	const char *help;        /* one line for the help view */
	int key, key2;           /* default keys (0: none) */
};

extern const struct keydef *const keydefs_table;
extern const size_t nkeydefs;

/* A key name ("q", "C-t", "Enter", "PgDn", "F1", "Space") to its curses
 * code, or -1. */
int key_parse(const char *name);
/* The name of a key code ("C-t", "Enter", "j"); returns out (size >= 16). */
const char *tui_key_name(int key, char *out);
/* Rebinds actions from the configuration (keys:); problems are appended
 * to warn (one line each, naming the file, line and column). */
void keys_configure(const struct settings *c, struct buf *warn);
/* The action bound to key in a view (one VM_ bit), or ACT_NONE. */
enum action key_action(int key, unsigned view);
/* The keys bound to an action, as "j, Down"; returns out (size >= 64). */
const char *key_names_of(enum action a, char *out, size_t size);

struct app;

/* What a view does; state is the view's own (owned by the view). */
struct view_ops {
	const char *name;
	unsigned mask;           /* VM_* this view answers to */
	void (*draw)(struct app *a, void *state, struct grid *g);
	/* handles action (or the raw key when action is ACT_NONE); returns true
	 * when it did something */
	bool (*key)(struct app *a, void *state, enum action act, int key);
	void (*done)(void *state);
	/* documents may have changed (relabel, undo): refetch (may be NULL) */
	void (*reload)(struct app *a, void *state);
};

#define APP_MAX_VIEWS 8

/* A prompt at the bottom of the screen (the filter, commands, forms). */
struct prompt {
	bool active;
	int kind;                /* PROMPT_* */
	struct buf text;         /* owned; always NUL-terminated */
	size_t cursor;           /* byte offset in text */
	char label[64];
	char **hist;             /* owned: the filter history, newest first */
	size_t nhist;
	ssize_t hist_at;         /* -1: editing, not walking the history */
	char *saved_edit;        /* owned: the edit kept while walking */
	/* live preview of the filter prompt */
	uint64_t preview_gen;
	bool preview_pending;    /* debounce running */
	int64_t preview_due;     /* monotonic ms when the count is asked */
	int64_t preview_n;       /* -1: counting */
	uint64_t preview_for;    /* gen the shown preview belongs to */
	struct buf error;        /* parse error text for the preview */
	long error_column;
	/* runs on Enter with ctx (the opener's: owned, freed with ctx_free
	 * when set, once enter ran or the prompt closed without it) */
	void (*enter)(struct app *a, void *ctx, const char *text);
	void *ctx;
	void (*ctx_free)(void *ctx);
	/* completion */
	struct buf comps;        /* the candidates shown, one line */
};

enum { PROMPT_FILTER = 1, PROMPT_COMMAND, PROMPT_SEARCH, PROMPT_CONFIRM,
       PROMPT_PICK };

struct app {
	struct store_set *set;   /* owned: the set of shards opened, or the
				  * store wrapped as a set of one; every read
				  * of documents goes through it (set_browse.h) */
	struct store *store;     /* the plain store (borrowed from set), opened
				  * for writing when possible; NULL for a set of
				  * shards (never written: relabelling goes to
				  * its review overlay, set_label) */
	char *store_path;        /* owned */
	struct set_stamp review; /* a set's review overlay when it was opened */
	struct counter *counter; /* owned; NULL when it could not start */
	struct settings cfg;     /* owned */
	struct theme theme;
	unsigned long attrs[R_N];
	bool no_color;
	char *reviewer;          /* owned */
	struct grid grid;        /* owned */
	bool headless;           /* no terminal (tests) */

	/* the view stack: [0] is the list */
	const struct view_ops *ops[APP_MAX_VIEWS];
	void *state[APP_MAX_VIEWS];
	int nviews;

	/* the active filter and sort (shared by the views) */
	char *filter;            /* owned; "" for none */
	char *sort;              /* owned; NULL: id */
	bool desc;

	/* counts: the active filter's size, counted in the background */
	uint64_t gen_seq;        /* the last generation handed out */
	uint64_t count_gen;      /* the list count's request generation */
	int64_t count;           /* -1: not known yet */
	uint64_t pos_gen;
	int64_t pos_base;        /* position of the list's anchor, -1 unknown */

	/* tags: sorted ids, owned */
	int64_t *tags;
	size_t ntags, tags_cap;

	struct prompt prompt;
	/* confirm prompt: what runs on 'y' */
	void (*confirm_fn)(struct app *a, void *arg);
	void *confirm_arg;
	void (*confirm_free)(void *arg);

	char status[512];        /* last message (safe text) */
	enum role status_role;
	bool quit;
	bool redraw_all;
};

/* ---- app.c ---- */

/* Runs the interface on a store (opened for writing when possible).
 * filter may be NULL.  theme may be NULL (configuration, then default);
 * config_path NULL for the user's configuration file.
 * Returns the process exit status. */
int tui_run(const char *store_path, const char *filter, const char *theme,
	    const char *config_path);
/* tui_run with the reviewer given (--reviewer; NULL: common/reviewer.h's
 * rule without a flag). */
int tui_run_as(const char *store_path, const char *filter, const char *theme,
	       const char *config_path, const char *reviewer);
/* tui_run with another first view: after opening (the list of every
 * document at the bottom of the stack), setup(a, arg) pushes it (arg is
 * the caller's; setup is not called when opening fails). */
int tui_run_with(const char *store_path, const char *theme, const char *config_path,
		 void (*setup)(struct app *, void *), void *arg);

/* The application without the loop (tui_run is open, loop, close):
 * app_open with w, h > 0 is headless, drawing into a w x h grid with no
 * terminal (for tests); returns 0 or an exit status (the reason printed).
 * app_close frees everything (also after a failed open). */
int app_open(struct app *a, const char *store_path, const char *filter,
	     const char *theme, const char *config_path, int w, int h);
void app_close(struct app *a);
/* Draws the top view (and the prompt) into a->grid (and on the terminal
 * unless headless). */
void app_draw(struct app *a);
/* Handles one key as the loop does. */
void app_key(struct app *a, int key);
/* Waits up to timeout_ms for the background count (and the prompt's
 * preview); true when they arrived. */
bool app_wait_count(struct app *a, int timeout_ms);

/* Sets the status line message (printf-style; sanitized when shown). */
void app_status(struct app *a, enum role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void app_error(struct app *a, const struct pv_err *err);

void app_push(struct app *a, const struct view_ops *ops, void *state);
void app_pop(struct app *a);

/* Applies a new filter (text owned by the caller); returns false (and
 * shows the error) when it does not parse. */
bool app_set_filter(struct app *a, const char *text);
/* Asks for the active filter's count again (after a change). */
void app_recount(struct app *a);

/* Compiles a filter for every part of the set (a per-store field on a
 * set of shards is refused); false on error (shown).  out is initialized
 * in every case (set_where_done). */
bool app_compile(struct app *a, const char *text, struct set_where *out);
/* Where the review state is kept (history, saved filters): the store, or
 * a set's SET/review.pvx (for writing: created when absent, the error
 * shown and NULL when it cannot be; for reading: NULL when there is
 * none). */
struct store *app_review_store(struct app *a, bool write);
/* After a write to a set's review overlay: the set opened again, so that
 * its parts are the overlay's now (nothing on a store). */
void app_set_reload(struct app *a);
/* Before reading a set: opens it again when its review overlay changed
 * since (another reviewer's label); nothing on a store. */
void app_set_check(struct app *a);

/* Relabelling: applies changes to ids (one document, or the tags) through
 * browse_label_ids with the reviewer; shows the result on the status line
 * and refreshes the views.  scope is "document 12" / "37 tagged documents". */
void app_relabel(struct app *a, const int64_t *ids, size_t n,
		 const struct label_change *ch, size_t nch, const char *scope);
/* A relabel key (ACT_REAL... ACT_QUICK9): on the tagged documents when
 * use_tags and there are tags (after a confirmation showing how many; the
 * list does this), else on doc alone (the reader and the compare view act
 * on the document shown). */
void app_relabel_key(struct app *a, enum action act, int64_t doc, bool use_tags);
void app_undo(struct app *a);

/* Tags. */
bool app_tagged(const struct app *a, int64_t id);
void app_tag_toggle(struct app *a, int64_t id);
void app_tags_set(struct app *a, int64_t *ids, size_t n);   /* takes ids */
void app_tags_clear(struct app *a);

/* Opens a y/n question on the prompt line; fn(arg) runs on 'y'. */
void app_confirm(struct app *a, const char *question,
		 void (*fn)(struct app *a, void *arg), void *arg,
		 void (*free_arg)(void *arg));


/* Draws the status line on the grid's last row. */
void app_draw_status(struct app *a, struct grid *g, const char *left,
		     const char *right);

/* ---- commands.c ---- */
/* Runs a line typed at the command prompt (:), the prompt's Enter
 * callback (ctx unused): quit, save NAME, theme NAME, export FILE
 * [options], help. */
void command_enter(struct app *a, void *ctx, const char *text);

/* ---- review.c ---- */
/* The blind review view (provex review), a setup for tui_run_with: arg is
 * a struct review_plan (store/review.h), borrowed until the loop ends and
 * updated as answers are recorded. */
void review_view_setup(struct app *a, void *arg);

/* ---- prompt.c ---- */
/* Opens the prompt; enter(a, ctx, text) runs on Enter (text borrowed).
 * ctx may be NULL; the prompt takes it, and frees it with ctx_free (may
 * be NULL) after enter, or when closed without Enter.  The filter kind
 * previews counts, walks the history and completes. */
void prompt_open(struct app *a, int kind, const char *label, const char *init,
		 void (*enter)(struct app *a, void *ctx, const char *text),
		 void *ctx, void (*ctx_free)(void *ctx));
void prompt_close(struct app *a);
/* Handles a key while the prompt is open. */
void prompt_key(struct app *a, int key);
/* Draws the prompt (and its preview / error lines) at the bottom. */
void prompt_draw(struct app *a, struct grid *g);
/* Rows the prompt takes at the bottom (0 when closed). */
int prompt_rows(const struct app *a);
/* Called from the loop: fires the debounced preview count. */
void prompt_tick(struct app *a);
/* The ms until the prompt needs a tick, or -1. */
int prompt_timeout(const struct app *a);
void prompt_done(struct prompt *p);

/* ---- views ---- */
extern const struct view_ops list_ops, docview_ops, compare_ops, help_ops,
	history_ops, picker_ops;

/* list.c */
void *list_new(struct app *a);
/* Refetches the rows at the current place (after a change). */
void list_reload(struct app *a);
/* The document under the list's cursor, or NULL. */
const struct browse_row *list_current(struct app *a);
/* Moves the cursor to the next / previous row (false at the end). */
bool list_step(struct app *a, int delta);
/* Filter or sort changed: back to the top. */
void list_reset(struct app *a);

/* docview.c: opens document `row` (copied). */
void doc_open(struct app *a, const struct browse_row *row);
/* compare.c */
void compare_open(struct app *a, const struct browse_row *left);
/* A picker of documents matching a filter typed at a prompt; the choice
 * opens the compare view with left_id (panels.c). */
void doc_picker_open(struct app *a, int64_t left_id);
void compare_picked(struct app *a, int64_t left_id, int64_t right_id);
/* statsview.c: the statistics of the active filter (S), computed in
 * steps with progress; Esc or q cancels.  Headless, stats_key_hook (when
 * set) is asked for a key between two steps, as a terminal would be. */
void stats_open(struct app *a);
extern int (*stats_key_hook)(struct app *a);
/* help / history / picker (panels.c) */
void help_open(struct app *a, unsigned view_mask);
void history_open(struct app *a, int64_t doc);
void saved_open(struct app *a);
/* A form editing purpose, source, generator and note (panels.c). */
void form_open(struct app *a, int64_t doc, const struct browse_row *row);

/* Fetches one document by id (browse_row_get: free it with
 * browse_row_free); NULL when gone (error shown). */
struct browse_row *row_fetch(struct app *a, int64_t id);

/* Draws a document's provenance header (one or two rows) at y; returns
 * rows used. */
int draw_doc_header(struct app *a, struct grid *g, int y, int x, int x_end,
		    const struct browse_row *r, int64_t nhist, bool hide);
/* The badge role and text for an origin. */
enum role origin_role(const char *origin);
const char *origin_badge(const char *origin);

/* ---- screen.c ---- */
int screen_start(struct app *a, struct pv_err *err);
void screen_stop(void);
/* Copies the grid to the terminal and refreshes. */
void screen_show(struct app *a);
/* Waits for a key, the counter, or timeout_ms (-1 forever); returns the
 * key, or 0 when woken without a key. */
int screen_wait(struct app *a, int timeout_ms);
/* Current terminal size. */
void screen_size(int *w, int *h);
/* True once SIGINT, SIGTERM or SIGHUP arrived; screen_signal says which
 * (the exit status is 128 + it). */
bool screen_interrupted(void);
int screen_signal(void);

#endif
