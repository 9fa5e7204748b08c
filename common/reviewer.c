/*
 * reviewer.c - the reviewer's name: the flag, PROVEX_REVIEWER, the
 * settings file, the login name; checked in one place (reviewer.h).
 *
 * Ownership: the strings given are borrowed; reviewer_find returns a new
 * string.  Nothing here prints.
 */
#include "reviewer.h"
#include "settings.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int reviewer_check(const char *name, const char *what, struct pv_err *err)
{
	if (!name || !*name)
		return pv_errf(err, PV_EINVAL, "%s is empty", what);
	return utf8_value_check(what, name, strlen(name), REVIEWER_MAX, err);
}

/* The login name (a new string) and, through *what, where it came from. */
static char *login_name(const char **what)
{
	const char *u = getenv("USER"), *l = getenv("LOGNAME");
	struct passwd *pw;

	if (u && *u) {
		*what = "the reviewer name from $USER";
		return pv_strdup(u);
	}
	if (l && *l) {
		*what = "the reviewer name from $LOGNAME";
		return pv_strdup(l);
	}
	*what = "the login name";
	pw = getpwuid(getuid());
	if (pw && pw->pw_name && *pw->pw_name)
		return pv_strdup(pw->pw_name);
	return pv_strdup("unknown");
}

bool reviewer_wants_settings(const char *flag)
{
	const char *env = getenv("PROVEX_REVIEWER");

	return !flag && !(env && *env);
}

int reviewer_find(const char *flag, const struct settings *st, char **out,
		  enum reviewer_from *from, struct pv_err *err)
{
	const char *env = getenv("PROVEX_REVIEWER"), *what;
	enum reviewer_from f;
	struct pv_err e;
	char *name;
	int rc;

	*out = NULL;
	if (flag) {
		f = REVIEWER_FLAG;
		what = "the reviewer name from --reviewer";
		name = pv_strdup(flag);
	} else if (env && *env) {
		f = REVIEWER_ENV;
		what = "the reviewer name from PROVEX_REVIEWER";
		name = pv_strdup(env);
	} else if (st && st->reviewer) {
		f = REVIEWER_SETTINGS;
		what = "the reviewer name (reviewer: in the settings file)";
		name = pv_strdup(st->reviewer);
	} else {
		f = REVIEWER_LOGIN;
		name = login_name(&what);
	}
	pv_err_clear(&e);
	rc = reviewer_check(name, what, &e);
	if (rc) {
		free(name);
		if (f == REVIEWER_SETTINGS && st->path)
			return pv_errf_at(err, rc, st->path, st->reviewer_line,
					  st->reviewer_column, "%s", e.msg);
		return pv_errf(err, rc, "%s", e.msg);
	}
	if (from)
		*from = f;
	*out = name;
	return 0;
}
