/*
 * test_reviewer.c - the reviewer's name (common/reviewer.c): the order
 * --reviewer, PROVEX_REVIEWER, the settings file, $USER, $LOGNAME, and
 * the check with the message naming where a bad name came from.
 */
#include "config.h"
#include "../tap.h"
#include "common/pv.h"
#include "common/reviewer.h"
#include "common/settings.h"

#include <stdlib.h>
#include <string.h>

/* find: reviewer_find's name (owned by a static buffer) or "ERR: msg". */
static const char *find(const char *flag, const struct settings *st,
			enum reviewer_from *from)
{
	static char out[2048];
	struct pv_err e;
	char *name = NULL;

	pv_err_clear(&e);
	if (reviewer_find(flag, st, &name, from, &e)) {
		snprintf(out, sizeof out, "ERR%s%s:%ld: %s", e.file[0] ? " " : "",
			 e.file, e.line, e.msg);
		return out;
	}
	snprintf(out, sizeof out, "%s", name);
	free(name);
	return out;
}

static void test_order(void)
{
	struct settings st;
	enum reviewer_from from;

	settings_defaults(&st);
	st.reviewer = pv_strdup("carol");
	setenv("PROVEX_REVIEWER", "pat", 1);
	setenv("USER", "alice", 1);
	setenv("LOGNAME", "bob", 1);

	is_str(find("zoe", &st, &from), "zoe", "the flag first");
	is_int(from, REVIEWER_FLAG, "from the flag");
	ok(!reviewer_wants_settings("zoe"), "a flag: no need for the settings");
	is_str(find(NULL, &st, &from), "pat", "then PROVEX_REVIEWER");
	is_int(from, REVIEWER_ENV, "from PROVEX_REVIEWER");
	ok(!reviewer_wants_settings(NULL), "PROVEX_REVIEWER: no need for the settings");
	setenv("PROVEX_REVIEWER", "", 1);
	ok(reviewer_wants_settings(NULL), "an empty PROVEX_REVIEWER is unset");
	is_str(find(NULL, &st, &from), "carol", "then the settings file");
	is_int(from, REVIEWER_SETTINGS, "from the settings file");
	unsetenv("PROVEX_REVIEWER");
	is_str(find(NULL, NULL, &from), "alice", "then $USER");
	is_int(from, REVIEWER_LOGIN, "a login name");
	setenv("USER", "", 1);
	is_str(find(NULL, &st, NULL), "carol", "the settings file before $USER");
	is_str(find(NULL, NULL, NULL), "bob", "then $LOGNAME");
	unsetenv("USER");
	unsetenv("LOGNAME");
	ok(strcmp(find(NULL, NULL, &from), "") != 0 && strncmp(find(NULL, NULL, NULL), "ERR", 3),
	   "then the password database's name (or unknown): %s", find(NULL, NULL, NULL));
	settings_done(&st);
}

static void test_check(void)
{
	struct settings st;
	struct pv_err e;
	char big[REVIEWER_MAX + 2];

	is_int(reviewer_check("Ann O'Neil", "n", &e), 0, "letters, blanks and quotes pass");
	is_int(reviewer_check("\xe5\xbc\xa0\xe4\xbc\x9f", "n", &e), 0, "CJK passes");
	is_int(reviewer_check("", "the reviewer name", &e), PV_EINVAL, "empty refused");
	is_str(e.msg, "the reviewer name is empty", "and said so");
	is_int(reviewer_check("a\xe2\x80\xae" "b", "n", &e), PV_EINVAL, "U+202E refused");
	is_int(reviewer_check("a\xe2\x81\xa6" "b", "n", &e), PV_EINVAL, "U+2066 refused");
	is_int(reviewer_check("a\xe2\x80\xa8" "b", "n", &e), PV_EINVAL, "U+2028 refused");
	is_int(reviewer_check("a\xe2\x80\x8b" "b", "n", &e), PV_EINVAL, "U+200B refused");
	is_int(reviewer_check("a\tb", "n", &e), PV_EINVAL, "a tab refused");
	is_int(reviewer_check("a\x1b[31m", "n", &e), PV_EINVAL, "ESC refused");
	is_int(reviewer_check("a\xff", "n", &e), PV_EINVAL, "invalid UTF-8 refused");
	memset(big, 'r', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	is_int(reviewer_check(big, "n", &e), PV_EINVAL, "over REVIEWER_MAX bytes refused");
	big[REVIEWER_MAX] = '\0';
	is_int(reviewer_check(big, "n", &e), 0, "REVIEWER_MAX bytes pass");

	/* the message names where the bad name came from */
	setenv("PROVEX_REVIEWER", "eve\xe2\x80\xae", 1);
	is_str(find("x\ty", NULL, NULL),
	       "ERR:0: the reviewer name from --reviewer \"x^Iy\" holds a control "
	       "character (U+0009) at position 2 (character 2): values are one line "
	       "of visible text, without control characters, bidi controls, "
	       "zero-width characters or line separators", "a bad flag is named");
	is_str(find("", NULL, NULL), "ERR:0: the reviewer name from --reviewer is empty",
	       "an empty flag is refused");
	ok(strstr(find(NULL, NULL, NULL), "from PROVEX_REVIEWER \"eve<U+202E>\" holds a "
		   "bidi control (U+202E)") != NULL, "a bad PROVEX_REVIEWER is named");
	unsetenv("PROVEX_REVIEWER");
	settings_defaults(&st);
	st.path = pv_strdup("/home/a/.config/provex/config.yaml");
	st.reviewer = pv_strdup("a\xe2\x80\xae");
	st.reviewer_line = 3;
	st.reviewer_column = 11;
	ok(strncmp(find(NULL, &st, NULL), "ERR /home/a/.config/provex/config.yaml:3: "
		    "the reviewer name (reviewer: in the settings file)", 80) == 0,
	   "a bad settings reviewer is placed at file:line: %s", find(NULL, &st, NULL));
	settings_done(&st);
	setenv("USER", "al\x7f", 1);
	ok(strstr(find(NULL, NULL, NULL), "the reviewer name from $USER") != NULL,
	   "a bad $USER is named");
	unsetenv("USER");
	setenv("LOGNAME", "\xe2\x80\xa8", 1);
	ok(strstr(find(NULL, NULL, NULL), "the reviewer name from $LOGNAME") != NULL,
	   "a bad $LOGNAME is named");
	unsetenv("LOGNAME");
}

int main(void)
{
	test_order();
	test_check();
	return tap_done();
}
