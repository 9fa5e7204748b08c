/*
 * reviewer.h - whose name goes into the history: one rule for provex
 * label, undo, review and the interface.
 *
 * The name is, first found:
 *   1. the flag (--reviewer NAME);
 *   2. the PROVEX_REVIEWER environment variable (when set and not empty);
 *   3. the settings file's reviewer: (common/settings.h);
 *   4. the login name: $USER, else $LOGNAME, else the password database's
 *      name for the user id (so that two people sharing an account can set
 *      USER apart), else "unknown".
 *
 * The name found is checked, and only that one (a bad flag is an error
 * even when PROVEX_REVIEWER is fine): it must not be empty, must be valid
 * UTF-8 of at most REVIEWER_MAX bytes, without control characters, bidi
 * controls, zero-width characters or line separators (utf8_value_check).
 * A refusal names where the value came from.
 */
#ifndef PV_REVIEWER_H
#define PV_REVIEWER_H

#include <stdbool.h>
#include "pv.h"
#include "utf8.h"

struct settings;

/* The longest name, in bytes (the rule of a label value). */
#define REVIEWER_MAX PV_VALUE_MAX

/* Where a name was found (the rule's order). */
enum reviewer_from {
	REVIEWER_FLAG,
	REVIEWER_ENV,            /* PROVEX_REVIEWER */
	REVIEWER_SETTINGS,
	REVIEWER_LOGIN           /* $USER, $LOGNAME, the passwd name, "unknown" */
};

/*
 * Checks name as a reviewer's name; what names it in the message ("the
 * reviewer name from PROVEX_REVIEWER").  Returns 0, or PV_EINVAL with err
 * set ("... is empty", or utf8_value_check's message).
 */
int reviewer_check(const char *name, const char *what, struct pv_err *err);

/* Whether the settings file can decide: neither flag (may be NULL) nor
 * PROVEX_REVIEWER gives a name.  A caller may skip loading the settings
 * when it cannot. */
bool reviewer_wants_settings(const char *flag);

/*
 * Finds the reviewer's name by the rule above: flag may be NULL, st the
 * loaded settings or NULL (a settings file that failed to load is the
 * caller's to report).  Returns 0 with *out a new string (caller frees)
 * and *from (may be NULL) where it came from; or PV_EINVAL with *out NULL
 * and err saying what is wrong and where the name came from (the settings
 * file's name is at err->file:line:column).
 */
int reviewer_find(const char *flag, const struct settings *st, char **out,
		  enum reviewer_from *from, struct pv_err *err);

#endif
