/*
 * keys.c - the key table: every action, the views it works in, its
 * default keys and one line of help.  The help view is generated from this
 * table and the configuration's keys: section rebinds entries of it, so
 * what `?` shows is always what the keys do.
 */
#include "tui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CTRL(c) ((c) & 0x1f)

#define VM_DOCS (VM_LIST | VM_READER | VM_COMPARE)
#define VM_MOVE (VM_LIST | VM_READER | VM_COMPARE | VM_HELP | VM_HISTORY | VM_PICKER)

/* Not const: the configuration rebinds keys. */
static struct keydef table[] = {
	{ ACT_HELP, "help", VM_ALL, "show this help", '?', KEY_F(1) },
	{ ACT_QUIT, "quit", VM_ALL, "back out of a view; quit from the list", 'q', 0 },
	{ ACT_DOWN, "down", VM_MOVE, "move down", 'j', KEY_DOWN },
	{ ACT_UP, "up", VM_MOVE, "move up", 'k', KEY_UP },
	{ ACT_PGDN, "page-down", VM_MOVE, "page down", KEY_NPAGE, ' ' },
	{ ACT_PGUP, "page-up", VM_MOVE, "page up", KEY_PPAGE, 'b' },
	{ ACT_TOP, "top", VM_MOVE, "go to the top", 'g', KEY_HOME },
	{ ACT_END, "end", VM_MOVE, "go to the end", 'G', KEY_END },
	{ ACT_OPEN, "open", VM_LIST | VM_PICKER | VM_HELP, "open the document (pick, in a picker)", '\n', KEY_ENTER },
	{ ACT_FILTER, "filter", VM_LIST, "filter documents (Up/Down: history, Tab: complete)", '/', 0 },
	{ ACT_SEARCH, "search", VM_READER | VM_COMPARE, "search in the document", '/', 0 },
	{ ACT_NEXT, "next-match", VM_READER | VM_COMPARE, "next match", 'n', 0 },
	{ ACT_PREV, "prev-match", VM_READER | VM_COMPARE, "previous match", 'N', 0 },
	{ ACT_COMMAND, "command", VM_LIST | VM_READER | VM_COMPARE,
	  "command: save NAME, theme NAME, export FILE [options], quit", ':', 0 },
	{ ACT_SAVED, "saved-filters", VM_LIST, "pick a saved filter", 'F', 0 },
	{ ACT_SORT, "sort", VM_LIST, "cycle the sort column", 'o', 0 },
	{ ACT_SORT_REV, "sort-reverse", VM_LIST, "reverse the sort", 'O', 0 },
	{ ACT_NARROW, "narrow-text", VM_LIST, "narrow the text column", '<', 0 },
	{ ACT_WIDEN, "widen-text", VM_LIST, "widen the text column", '>', 0 },
	{ ACT_REAL, "set-real", VM_DOCS, "set origin to real", 'r', 0 },
	{ ACT_SYNTH, "set-synthetic", VM_DOCS, "set origin to synthetic", 's', 0 },
	{ ACT_UNKNOWN, "set-unknown", VM_DOCS, "set origin to unknown", 'x', 0 },
	{ ACT_QUICK1, "quick-1", VM_DOCS, "quick label 1", '1', 0 },
	{ ACT_QUICK2, "quick-2", VM_DOCS, "quick label 2", '2', 0 },
	{ ACT_QUICK3, "quick-3", VM_DOCS, "quick label 3", '3', 0 },
	{ ACT_QUICK4, "quick-4", VM_DOCS, "quick label 4", '4', 0 },
	{ ACT_QUICK5, "quick-5", VM_DOCS, "quick label 5", '5', 0 },
	{ ACT_QUICK6, "quick-6", VM_DOCS, "quick label 6", '6', 0 },
	{ ACT_QUICK7, "quick-7", VM_DOCS, "quick label 7", '7', 0 },
	{ ACT_QUICK8, "quick-8", VM_DOCS, "quick label 8", '8', 0 },
	{ ACT_QUICK9, "quick-9", VM_DOCS, "quick label 9", '9', 0 },
	{ ACT_EDIT, "edit", VM_DOCS, "edit purpose, source, generator and note", 'e', 0 },
	{ ACT_HIST, "history", VM_DOCS, "show the document's history", 'H', 0 },
	{ ACT_TAG, "tag", VM_LIST, "tag or untag the document", 't', 0 },
	{ ACT_TAG_ALL, "tag-all", VM_LIST, "tag every document matching the filter", 'T', 0 },
	{ ACT_UNTAG_ALL, "untag-all", VM_LIST, "clear all tags", CTRL('t'), 0 },
	{ ACT_UNDO, "undo", VM_DOCS, "undo the last change batch", 'u', 0 },
	{ ACT_COMPARE, "compare", VM_LIST | VM_READER, "compare side by side", 'c', 0 },
	{ ACT_META, "metadata", VM_READER, "show or hide the metadata panel", 'm', 0 },
	{ ACT_FOCUS, "switch-pane", VM_COMPARE, "switch the focused pane", '\t', 0 },
	{ ACT_SYNC, "sync-scroll", VM_COMPARE, "synchronised scrolling on/off", '=', 0 },
	{ ACT_DIFF, "word-diff", VM_COMPARE, "highlight shared and unshared words", 'd', 0 },
	{ ACT_PAIR_PREV, "prev-pair", VM_COMPARE, "previous document of the filter", '[', 0 },
	{ ACT_PAIR_NEXT, "next-pair", VM_COMPARE, "next document of the filter", ']', 0 },
	{ ACT_DELETE, "delete", VM_PICKER, "delete the saved filter", 'D', 0 },
	{ ACT_STATS, "statistics", VM_LIST, "statistics of the filter: counts, histograms, detector and review", 'S', 0 },
	{ ACT_REDRAW, "redraw", VM_ALL, "redraw the screen", CTRL('l'), 0 },
};

const struct keydef *const keydefs_table = table;
const size_t nkeydefs = sizeof table / sizeof table[0];

static const struct { const char *name; int key; } named[] = {
	{ "Enter", '\n' }, { "Tab", '\t' }, { "Space", ' ' }, { "Esc", 27 },
	{ "Backspace", KEY_BACKSPACE }, { "Up", KEY_UP }, { "Down", KEY_DOWN },
	{ "Left", KEY_LEFT }, { "Right", KEY_RIGHT }, { "PgUp", KEY_PPAGE },
	{ "PgDn", KEY_NPAGE }, { "Home", KEY_HOME }, { "End", KEY_END },
	{ "Delete", KEY_DC }, { "Insert", KEY_IC },
};

int key_parse(const char *s)
{
	size_t i;

	if (!s || !*s)
		return -1;
	if (s[1] == 0 && (unsigned char)s[0] > 32 && (unsigned char)s[0] < 127)
		return (unsigned char)s[0];
	if ((s[0] == 'C' || s[0] == 'c') && s[1] == '-' && s[2] && !s[3]) {
		int c = s[2] | 0x20;
		if (c >= 'a' && c <= 'z')
			return CTRL(c);
		return -1;
	}
	if ((s[0] == 'F' || s[0] == 'f') && s[1] >= '1' && s[1] <= '9') {
		int n = s[1] - '0';
		if (s[2] >= '0' && s[2] <= '2' && !s[3] && n == 1)
			return KEY_F(10 + s[2] - '0');
		if (!s[2])
			return KEY_F(n);
		return -1;
	}
	for (i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcasecmp(s, named[i].name) == 0)
			return named[i].key;
	return -1;
}

const char *tui_key_name(int key, char *out)
{
	size_t i;

	if (key == KEY_ENTER)
		key = '\n';
	for (i = 0; i < sizeof named / sizeof named[0]; i++)
		if (named[i].key == key) {
			snprintf(out, 16, "%s", named[i].name);
			return out;
		}
	if (key > 32 && key < 127)
		snprintf(out, 16, "%c", key);
	else if (key > 0 && key < 32)
		snprintf(out, 16, "C-%c", key + 'a' - 1);
	else if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(out, 16, "F%d", key - KEY_F(0));
	else
		snprintf(out, 16, "#%d", key);
	return out;
}

/* Enter arrives as '\n', '\r' or KEY_ENTER: one key. */
static int key_norm(int key)
{
	return key == KEY_ENTER || key == '\r' ? '\n' : key;
}

/* Takes code away from every entry other than k that works in a view k
 * works in (a key does one thing per view), noting in taken_by[] which
 * configuration line took it. */
static void take_key(size_t k, int code, int *taken_by, int by)
{
	size_t i;

	for (i = 0; i < nkeydefs; i++) {
		bool lost = false;
		if (i == k || !(table[i].views & table[k].views))
			continue;
		if (table[i].key2 && key_norm(table[i].key2) == key_norm(code)) {
			table[i].key2 = 0;
			lost = true;
		}
		if (table[i].key && key_norm(table[i].key) == key_norm(code)) {
			table[i].key = table[i].key2;
			table[i].key2 = 0;
			lost = true;
		}
		if (lost)
			taken_by[i] = by;
	}
}

void keys_configure(const struct settings *c, struct buf *warn)
{
	int taken_by[sizeof table / sizeof table[0]];
	const char *file = c->path ? c->path : "config";
	size_t i, k;

	for (k = 0; k < nkeydefs; k++)
		taken_by[k] = -1;
	for (i = 0; i < c->nkeys; i++) {
		const struct settings_key *ck = &c->keys[i];
		int code = key_parse(ck->key);
		for (k = 0; k < nkeydefs; k++)
			if (strcmp(table[k].name, ck->action) == 0)
				break;
		if (k == nkeydefs) {
			buf_printf(warn, "%s:%ld:%ld: no action called '%s' (see the help "
				   "view, ?, for the names)\n", file, ck->line, ck->column,
				   ck->action);
			continue;
		}
		if (code < 0) {
			buf_printf(warn, "%s:%ld:%ld: '%s' is not a key name (a character, "
				   "C-x, F1-F12, Enter, Tab, Space, Esc, Up, Down, PgUp, "
				   "PgDn, Home, End)\n", file, ck->line, ck->column, ck->key);
			continue;
		}
		table[k].key = code;
		table[k].key2 = 0;
		taken_by[k] = -1;
		/* the key leaves the action that had it in the same views, so
		 * that the help shows what each key does */
		take_key(k, code, taken_by, (int)i);
	}
	/* an action left without keys is worth knowing about (after all the
	 * rebinding: a later line may have given it another key) */
	for (k = 0; k < nkeydefs; k++) {
		const struct settings_key *ck;
		char kn[16];
		if (taken_by[k] < 0 || table[k].key)
			continue;
		ck = &c->keys[taken_by[k]];
		buf_printf(warn, "%s:%ld:%ld: %s is now %s's key: %s has no key left "
			   "(give it one under keys:)\n", file, ck->line, ck->column,
			   tui_key_name(key_parse(ck->key), kn), ck->action, table[k].name);
	}
}

enum action key_action(int key, unsigned view)
{
	size_t i;

	key = key_norm(key);
	for (i = 0; i < nkeydefs; i++)
		if ((table[i].views & view) && table[i].key &&
		    (key_norm(table[i].key) == key ||
		     (table[i].key2 && key_norm(table[i].key2) == key)))
			return table[i].action;
	return ACT_NONE;
}

const char *key_names_of(enum action a, char *out, size_t size)
{
	char k1[16], k2[16];
	size_t i;

	out[0] = 0;
	for (i = 0; i < nkeydefs; i++) {
		if (table[i].action != a)
			continue;
		if (table[i].key && table[i].key2 &&
		    strcmp(tui_key_name(table[i].key, k1), tui_key_name(table[i].key2, k2)))
			snprintf(out, size, "%s, %s", k1, k2);
		else if (table[i].key)
			snprintf(out, size, "%s", tui_key_name(table[i].key, k1));
		break;
	}
	return out;
}
