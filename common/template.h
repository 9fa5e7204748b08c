/*
 * template.h - checking the brace templates of index --text-template and
 * export --prefix: {name} is a field, {{ and }} are literal braces, a
 * backslash escapes the next character.
 */
#ifndef PV_TEMPLATE_H
#define PV_TEMPLATE_H

#include "pv.h"

/* Checks a template: every '{' opens a field name (1 to 255 bytes, no
 * brace) closed by '}', and every '}' closes one, unless doubled.  Returns
 * 0, or PV_EUSAGE with a message naming `what` (the option) and the column
 * (in characters, from 1) of the unbalanced brace. */
int pv_template_check(const char *tpl, const char *what, struct pv_err *err);

#endif
