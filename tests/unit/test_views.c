/*
 * test_views.c - the interface's views drawn headless: app_open with a
 * grid size and no terminal, keys through app_key, and assertions on the
 * cells and roles of the grid (tui/grid.h).  The tmux tests
 * (tests/tui) check the same views on a real terminal; these
 * check what the screen cannot show: the role of every cell.
 */
#include "tui/tui.h"
#include "../tap.h"
#include "fixture.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/provex-views-XXXXXX";
static char path[256];

/* Six documents: 1 real/news, 2 synthetic/forum by gpt-x, 3 with escape
 * sequences, 4 with CJK, 5 and 6 sharing some words (for the diff). */
static void views_doc(int i, struct doc_in *d, void *ctx)
{
	static const char *const texts[] = {
		"first real document about apples",
		"second synthetic document about pears",
		"escape \x1b]0;PWNED\x07 and \x1b[2J here \xff end",
		"\xe6\xbc\xa2\xe5\xad\x97 wide",
		"the cat sat on the mat",
		"the dog sat on the log",
	};
	static const char *const origins[] = { "real", "synthetic", "real", "synthetic",
					       "real", "synthetic" };
	char *ext = ctx;        /* 16 bytes */

	snprintf(ext, 16, "e%d", i);
	d->ext_id = ext;
	d->text = texts[i - 1];
	d->len = strlen(texts[i - 1]);
	d->origin = origins[i - 1];
	d->source = i % 2 ? "news" : "forum";
	d->generator = i % 2 ? NULL : "gpt-x";
}

static int make_store(void)
{
	char ext[16];
	struct store *s = fx_store(path, 6, 1, true, views_doc, ext);
	int rc = s ? 0 : -1;

	store_close(s);
	return rc;
}

static char row_buf[4096];

static const char *row(struct app *a, int y)
{
	struct buf b = BUF_INIT;

	grid_row_text(&a->grid, y, &b);
	snprintf(row_buf, sizeof row_buf, "%s", buf_str(&b));
	buf_done(&b);
	return row_buf;
}

/* The column where text starts on row y (in cells), or -1. */
static int find(struct app *a, int y, const char *text)
{
	const char *r = row(a, y), *p = strstr(r, text);
	int x, col = 0;
	size_t off;

	if (!p)
		return -1;
	/* count cells up to the byte offset */
	off = (size_t)(p - r);
	for (x = 0; x < a->grid.w; x++) {
		const struct cell *c = grid_at(&a->grid, y, x);
		if (c->width == 0)
			continue;
		if (off == 0)
			return col;
		off -= strlen(c->ch);
		col = x + 1;
	}
	return -1;
}

static int role_at(struct app *a, int y, int x)
{
	const struct cell *c = grid_at(&a->grid, y, x);

	return c ? c->role : -1;
}

static void test_list(struct app *a)
{
	int x;

	app_draw(a);
	ok(strstr(row(a, 0), "origin") && strstr(row(a, 0), "source"),
	   "the list has a header row");
	is_int(role_at(a, 0, 3), R_HEADER, "drawn in the header role");
	x = find(a, 1, "real");
	ok(x > 0, "row 1 shows the real badge (at %d)", x);
	/* the cursor row is in the cursor role, badge included */
	is_int(role_at(a, 1, x), R_CURSOR, "the cursor row is drawn in the cursor role");
	x = find(a, 2, "synth");
	ok(x > 0, "row 2 shows the synthetic badge");
	is_int(role_at(a, 2, x), R_BADGE_SYNTHETIC, "in the synthetic badge's role");
	x = find(a, 3, "real");
	is_int(role_at(a, 3, x), R_BADGE_REAL, "and a real badge in its own");
	is_int(role_at(a, 2, 0), R_LIST, "other rows in the list role");
	x = find(a, 3, "^[");
	ok(x > 0, "escape sequences show as ^[ in a row");
	is_int(role_at(a, 3, x), R_PLACEHOLDER, "in the placeholder role");
	ok(strstr(row(a, 23), "1/") != NULL, "the status line shows the position (%s)", row(a, 23));
	is_int(role_at(a, 23, 0), R_STATUS, "in the status role");

	app_key(a, 'j');
	app_draw(a);
	is_int(role_at(a, 2, 2), R_CURSOR, "j moves the cursor role down");
	is_int(role_at(a, 1, 2), R_LIST, "and off the first row");
	app_key(a, 't');
	app_draw(a);
	ok(app_tagged(a, 2), "t tags document 2");
	is_int(role_at(a, 2, 2), R_TAGGED, "a tagged row is drawn in the tagged role");
	ok(strncmp(row(a, 2), "*", 1) == 0, "and marked with *");
	app_key(a, 0x14);             /* C-t */
	ok(!app_tagged(a, 2), "Ctrl-T clears the tags");
	ok(app_wait_count(a, 5000), "the count arrives from the counter");
	app_draw(a);
	ok(strstr(row(a, 23), "/6") != NULL, "and shows (%s)", row(a, 23));
}

static void test_reader(struct app *a)
{
	int x;

	app_key(a, 'g');
	app_key(a, 'j');
	app_key(a, 'j');
	app_key(a, '\r');                       /* document 3: escapes */
	app_draw(a);
	ok(strstr(row(a, 0), "#3") != NULL, "Enter opens the reader on the document (%s)",
	   row(a, 0));
	x = find(a, 0, "real");
	is_int(x > 0 ? role_at(a, 0, x) : -1, R_BADGE_REAL, "the header's origin in its badge role");
	ok(strstr(row(a, 1), "history: 0 changes") != NULL, "the header counts the changes");
	x = find(a, 2, "1 escape");
	ok(x >= 0, "the text starts with line number 1 (%s)", row(a, 2));
	is_int(role_at(a, 2, x), R_LINENO, "in the line-number role");
	x = find(a, 2, "^[]0;PWNED^G");
	ok(x > 0, "the title-setting sequence is shown, not sent");
	is_int(role_at(a, 2, x), R_PLACEHOLDER, "^[ in the placeholder role");
	is_int(role_at(a, 2, x + 2), R_LIST, "the bytes after it in the text role");
	x = find(a, 2, "^G");
	is_int(role_at(a, 2, x), R_PLACEHOLDER, "the bell too");
	x = find(a, 2, "\\xff");
	is_int(role_at(a, 2, x), R_PLACEHOLDER, "an invalid byte too");

	/* search highlights matches */
	app_key(a, '/');
	app_key(a, 'h');
	app_key(a, 'e');
	app_key(a, 'r');
	app_key(a, 'e');
	app_key(a, '\r');
	app_draw(a);
	x = find(a, 2, "here");
	is_int(x > 0 ? role_at(a, 2, x) : -1, R_MATCH, "a search match is in the match role");
	is_int(role_at(a, 2, x + 4), R_LIST, "the text after it is not");

	/* relabelling in the reader acts on the document shown */
	app_key(a, 's');
	app_draw(a);
	ok(strstr(row(a, 0), "synthetic") != NULL, "s sets origin to synthetic, in the header");
	ok(strstr(a->status, "document 3") != NULL, "the status line says which document (%s)",
	   a->status);
	app_key(a, 'u');
	app_draw(a);
	ok(strstr(row(a, 0), "real") != NULL, "u undoes it");
	app_key(a, 'q');
}

static void test_compare(struct app *a)
{
	int x, y;

	/* tag 5 and 6, compare them */
	app_key(a, 'G');
	app_key(a, 't');                        /* tags 6, moves down (stays) */
	app_key(a, 'k');
	app_key(a, 't');                        /* tags 5, moves to 6 */
	app_key(a, 'k');
	app_key(a, 'c');
	app_draw(a);
	ok(strstr(row(a, 0), "#5") != NULL && strstr(row(a, 0), "#6") != NULL,
	   "c compares with the other tagged document (%s)", row(a, 0));
	app_key(a, 'd');
	app_draw(a);
	for (y = 1; y < 8 && find(a, y, "cat") < 0; y++)
		;
	x = find(a, y, "cat");
	is_int(x > 0 ? role_at(a, y, x) : -1, R_DIFF_LEFT, "d: a word only on the left in its role");
	x = find(a, y, "sat");
	is_int(x > 0 ? role_at(a, y, x) : -1, R_DIFF_SHARED, "a shared word in the shared role");
	x = find(a, y, "dog");
	is_int(x > 0 ? role_at(a, y, x) : -1, R_DIFF_RIGHT, "a word only on the right in its role");
	app_key(a, 'q');
	app_key(a, 0x14);
}

static void test_small(struct app *a)
{
	/* a 40x10 screen still shows the list and the status */
	grid_resize(&a->grid, 40, 10);
	app_key(a, 'g');
	app_wait_count(a, 5000);
	app_draw(a);
	ok(strstr(row(a, 0), "id") != NULL, "at 40x10 the header is drawn (%s)", row(a, 0));
	ok(strstr(row(a, 9), "/6") != NULL, "and the status line (%s)", row(a, 9));
	ok(strstr(row(a, 1), "1 real") != NULL, "and the rows (%s)", row(a, 1));
}

int main(void)
{
	struct app app;
	int rc;

	setlocale(LC_ALL, "C.UTF-8");
	setenv("XDG_CONFIG_HOME", "/nonexistent-provex-config", 1);
	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP cannot make a temporary folder\n");
		return 0;
	}
	snprintf(path, sizeof path, "%s/s.pvx", dir);
	if (make_store()) {
		ok(0, "make the store");
		return tap_done();
	}
	rc = app_open(&app, path, NULL, NULL, NULL, 100, 24);
	is_int(rc, 0, "the application opens headless");
	if (rc == 0) {
		test_list(&app);
		test_reader(&app);
		test_compare(&app);
		test_small(&app);
	}
	app_close(&app);
	{
		char cmd[512];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
