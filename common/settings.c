/*
 * settings.c - the user's settings file (config.yaml), read with the YAML
 * layer of common/yaml.c.
 *
 * A file is read whole, parsed with libyaml's document API and checked
 * completely before anything of it is used: settings_load fills a scratch
 * struct settings and moves it into the caller's only when every setting is
 * valid, so a broken file never leaves half of itself behind.  Messages
 * carry file:line:column with 1-based byte columns (common/yaml.c).
 *
 * settings_print writes the effective configuration back as YAML that
 * settings_load reads to the same struct; settings left at their defaults
 * are shown as comments, so that reading the output back leaves them unset.
 *
 * Ownership: struct settings owns its strings (settings_done frees them);
 * Nothing here prints or touches the terminal.
 */
#include "settings.h"
#include "reviewer.h"
#include "utf8.h"
#include "yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *const settings_column_names[] = {
	"id", "origin", "source", "generator", "purpose", "label", "size",
	"words", "dup", "text", NULL
};

const char *const settings_default_columns[] = {
	"id", "origin", "source", "generator", "purpose", "label", "size",
	"text", NULL
};

/* The quick labels of keys 1, 2, 3 when the file rebinds none. */
static const char *const default_quick[] = { "keep", "drop", "flag" };

/* The settings a file may hold, in message order. */
static const char *const setting_names[] = {
	"reviewer", "theme", "columns", "quick-labels", "keys"
};

/* ===================================================================== */
/* The configuration                                                      */
/* ===================================================================== */

void settings_defaults(struct settings *c)
{
	size_t i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < PV_ARRAY_LEN(default_quick); i++)
		c->quick[i] = pv_strdup(default_quick[i]);
}

void settings_done(struct settings *c)
{
	size_t i;

	free(c->path);
	free(c->reviewer);
	free(c->theme);
	for (i = 0; i < SETTINGS_QUICK; i++)
		free(c->quick[i]);
	for (i = 0; i < c->ncolumns; i++)
		free(c->columns[i]);
	for (i = 0; i < c->nkeys; i++) {
		free(c->keys[i].action);
		free(c->keys[i].key);
	}
	memset(c, 0, sizeof *c);
}

char *settings_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct buf b = BUF_INIT;

	if (xdg && *xdg)
		buf_printf(&b, "%s/provex/config.yaml", xdg);
	else if (home && *home)
		buf_printf(&b, "%s/.config/provex/config.yaml", home);
	else
		return NULL;
	return buf_take(&b);
}

/* Names a node's text for messages: at most 40 bytes of it. */
#define SHOWN(n) (int)PV_MIN((n)->data.scalar.length, 40), \
		 (const char *)(n)->data.scalar.value

/*
 * The string value of scalar node v for setting what: a new string, or NULL
 * with the error filled when v is not a non-empty string (an empty one is
 * allowed when empty_ok) or holds a NUL byte.
 */
static char *load_string(struct yaml_file *y, const yaml_node_t *v,
			 const char *what, bool empty_ok, int *rc)
{
	if (!v || v->type != YAML_SCALAR_NODE || yaml_file_is_null(v)) {
		*rc = yaml_file_fail(y, v, "%s: expected a string, not %s",
				       what, yaml_file_kind(v));
		return NULL;
	}
	if (!empty_ok && v->data.scalar.length == 0) {
		*rc = yaml_file_fail(y, v, "%s: expected a string, not an "
				       "empty one", what);
		return NULL;
	}
	if (memchr(v->data.scalar.value, '\0', v->data.scalar.length)) {
		*rc = yaml_file_fail(y, v, "%s: the value holds a NUL "
				       "character", what);
		return NULL;
	}
	return pv_strdup((const char *)v->data.scalar.value);
}

/* The columns sequence into c. */
static int load_columns(struct yaml_file *y, const yaml_node_t *v,
			struct settings *c)
{
	yaml_node_item_t *it;
	size_t i, k;
	int rc = 0;

	if (!v || v->type != YAML_SEQUENCE_NODE)
		return yaml_file_fail(y, v, "columns: expected a list of column "
					"names, like [id, origin, text], not %s",
					yaml_file_kind(v));
	if (v->data.sequence.items.start == v->data.sequence.items.top)
		return yaml_file_fail(y, v, "columns: name at least one column");
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_file_node(y, *it);
		char *name = load_string(y, n, "columns", false, &rc);

		if (!name)
			return rc;
		for (k = 0; settings_column_names[k]; k++)
			if (!strcmp(settings_column_names[k], name))
				break;
		if (!settings_column_names[k]) {
			free(name);
			return yaml_file_fail(y, n, "columns: no column called "
						"'%.*s'; the columns are id, origin, "
						"source, generator, purpose, label, "
						"size, words, dup, text", SHOWN(n));
		}
		for (i = 0; i < c->ncolumns; i++)
			if (!strcmp(c->columns[i], name))
				break;
		if (i < c->ncolumns) {
			free(name);
			return yaml_file_fail(y, n, "columns: '%.*s' is listed "
						"twice", SHOWN(n));
		}
		/* the names are distinct and known: at most 10 < 16 */
		c->columns[c->ncolumns++] = name;
	}
	return 0;
}

/* The quick-labels mapping into c (over the defaults). */
static int load_quick(struct yaml_file *y, const yaml_node_t *v,
		      struct settings *c)
{
	bool seen[SETTINGS_QUICK] = { false };
	yaml_node_pair_t *pr;
	struct pv_err e;
	int rc = 0;

	if (!v || v->type != YAML_MAPPING_NODE)
		return yaml_file_fail(y, v, "quick-labels: expected a mapping "
					"of keys 1 to 9 to labels (1: keep), not %s",
					yaml_file_kind(v));
	for (pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_file_node(y, pr->key);
		yaml_node_t *n = yaml_file_node(y, pr->value);
		const char *ks;
		char *label;
		int i;

		if (!k || k->type != YAML_SCALAR_NODE)
			return yaml_file_fail(y, k, "quick-labels: expected a key "
						"1 to 9, not %s", yaml_file_kind(k));
		ks = (const char *)k->data.scalar.value;
		if (k->data.scalar.length != 1 || ks[0] < '1' || ks[0] > '9')
			return yaml_file_fail(y, k, "quick-labels: the keys are "
						"1 to 9, not '%.*s'", SHOWN(k));
		i = ks[0] - '1';
		if (seen[i])
			return yaml_file_fail(y, k, "quick-labels: key %c is "
						"given twice", ks[0]);
		seen[i] = true;
		free(c->quick[i]);
		c->quick[i] = NULL;
		if (yaml_file_is_null(n))
			continue;       /* ~ unbinds the key */
		label = load_string(y, n, "quick-labels", false, &rc);
		if (!label)
			return rc;
		/* label_check_value's rule for a label (store/label.c) */
		if (utf8_value_check("the value for label", label,
				     strlen(label), PV_VALUE_MAX, &e)) {
			free(label);
			return yaml_file_fail(y, n, "quick-labels %c: %s",
						ks[0], e.msg);
		}
		c->quick[i] = label;
	}
	return 0;
}

/* The keys mapping into c. */
static int load_keys(struct yaml_file *y, const yaml_node_t *v,
		     struct settings *c)
{
	yaml_node_pair_t *pr;
	size_t i;
	int rc = 0;

	if (!v || v->type != YAML_MAPPING_NODE)
		return yaml_file_fail(y, v, "keys: expected a mapping of "
					"actions to keys (quit: q), not %s",
					yaml_file_kind(v));
	for (pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_file_node(y, pr->key);
		yaml_node_t *n = yaml_file_node(y, pr->value);
		struct settings_key *ck;
		char *action, *key;

		action = load_string(y, k, "keys: an action name", false, &rc);
		if (!action)
			return rc;
		for (i = 0; i < c->nkeys; i++)
			if (!strcmp(c->keys[i].action, action))
				break;
		if (i < c->nkeys) {
			free(action);
			return yaml_file_fail(y, k, "keys: '%.*s' is given twice "
						"(first at line %ld)", SHOWN(k),
						c->keys[i].line);
		}
		if (c->nkeys == SETTINGS_MAX_KEYS) {
			free(action);
			return yaml_file_fail(y, k, "keys: at most %d bindings",
						SETTINGS_MAX_KEYS);
		}
		key = load_string(y, n, "keys: a key name", false, &rc);
		if (!key) {
			free(action);
			return rc;
		}
		ck = &c->keys[c->nkeys++];
		ck->action = action;
		ck->key = key;
		yaml_file_where(y, k, &ck->line, &ck->column);
	}
	return 0;
}

/* Every setting of the root mapping into c (which holds the defaults). */
static int load_root(struct yaml_file *y, const yaml_node_t *root,
		     struct settings *c)
{
	const yaml_node_t *seen[PV_ARRAY_LEN(setting_names)] = { NULL };
	yaml_node_pair_t *pr;
	size_t s;
	int rc = 0;

	if (!root || yaml_file_is_null(root))
		return 0;       /* an empty file */
	if (root->type != YAML_MAPPING_NODE)
		return yaml_file_fail(y, root, "expected a mapping of settings "
					"(setting: value lines), not %s",
					yaml_file_kind(root));
	for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_file_node(y, pr->key);
		yaml_node_t *v = yaml_file_node(y, pr->value);

		if (!k || k->type != YAML_SCALAR_NODE)
			return yaml_file_fail(y, k, "expected a setting name, "
						"not %s", yaml_file_kind(k));
		for (s = 0; s < PV_ARRAY_LEN(setting_names); s++)
			if (!strcmp(setting_names[s], (const char *)k->data.scalar.value))
				break;
		if (s == PV_ARRAY_LEN(setting_names))
			return yaml_file_fail(y, k, "unknown setting '%.*s'; the "
						"settings are reviewer, theme, "
						"columns, quick-labels and keys",
						SHOWN(k));
		if (seen[s])
			return yaml_file_fail(y, k, "%s is set twice (first at "
						"line %lu)", setting_names[s],
						(unsigned long)seen[s]->start_mark.line + 1);
		seen[s] = k;
		switch (s) {
		case 0:
			c->reviewer = load_string(y, v, "reviewer", false, &rc);
			yaml_file_where(y, v, &c->reviewer_line, &c->reviewer_column);
			if (c->reviewer) {
				struct pv_err e;

				/* common/reviewer.h's rule */
				if (reviewer_check(c->reviewer, "reviewer", &e))
					rc = yaml_file_fail(y, v, "reviewer: a name "
							    "is one line of "
							    "printable text of at "
							    "most %d bytes",
							    REVIEWER_MAX);
			}
			break;
		case 1:
			c->theme = load_string(y, v, "theme", false, &rc);
			yaml_file_where(y, v, &c->theme_line, &c->theme_column);
			break;
		case 2:
			rc = load_columns(y, v, c);
			break;
		case 3:
			rc = load_quick(y, v, c);
			break;
		default:
			rc = load_keys(y, v, c);
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

int settings_load(struct settings *c, const char *path, struct pv_err *err)
{
	struct yaml_file *y;
	struct settings tmp;
	char *own = NULL;
	int rc;

	settings_defaults(c);
	if (!path && !(path = own = settings_path()))
		return 0;
	rc = yaml_file_open(&y, path, "configuration file", 0, err);
	if (!rc && (rc = yaml_file_end(y)) != 0)
		yaml_file_close(y);
	if (rc == PV_ENOTFOUND) {
		pv_err_clear(err);
		free(own);
		return 0;
	}
	if (rc) {
		free(own);
		return rc;
	}
	settings_defaults(&tmp);
	rc = load_root(y, yaml_file_root(y), &tmp);
	yaml_file_close(y);
	if (rc) {
		settings_done(&tmp);
		free(own);
		return rc;
	}
	settings_done(c);
	*c = tmp;
	c->path = own ? own : pv_strdup(path);
	return 0;
}

/* ===================================================================== */
/* Printing                                                               */
/* ===================================================================== */

/*
 * Appends s as a YAML scalar that reads back as the same string: plain when
 * it is made of letters, digits and _ . / + - (not first) and is not a word
 * YAML reads as null, else double-quoted with escapes.
 */
static void put_scalar(struct buf *out, const char *s)
{
	const unsigned char *p;
	bool plain = *s && *s != '-' && *s != '+' && strcmp(s, "null") &&
		     strcmp(s, "Null") && strcmp(s, "NULL");

	for (p = (const unsigned char *)s; plain && *p; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || strchr("_./+-", *p);
	if (plain) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			buf_putc(out, '\\');
			buf_putc(out, (char)*p);
		} else if (*p < 0x20 || *p == 0x7f) {
			buf_printf(out, "\\x%02x", *p);
		} else if (*p >= 0x80) {
			/* C1 and bidi controls, zero-width characters and
			 * separators as YAML escapes (common/utf8.h's rule),
			 * bytes that are not UTF-8 as \xNN */
			size_t n = utf8_seq_len(p, strlen((const char *)p));
			uint32_t cp = n ? utf8_decode(p, n) : 0;
			if (!n)
				buf_printf(out, "\\x%02x", *p);
			else if (utf8_hidden(cp))
				buf_printf(out, cp > 0xffff ? "\\U%08x" : "\\u%04x",
					   (unsigned)cp);
			else
				buf_append(out, (const char *)p, n);
			if (n > 1)
				p += n - 1;
		} else {
			buf_putc(out, (char)*p);
		}
	}
	buf_putc(out, '"');
}

void settings_print(const struct settings *c, struct buf *out)
{
	size_t i;

	if (c->reviewer) {
		buf_puts(out, "reviewer: ");
		put_scalar(out, c->reviewer);
		buf_putc(out, '\n');
	} else {
		buf_puts(out, "# reviewer: not set (provex label uses the login name)\n");
	}
	if (c->theme) {
		buf_puts(out, "theme: ");
		put_scalar(out, c->theme);
		buf_putc(out, '\n');
	} else {
		buf_puts(out, "# theme: default\n");
	}
	buf_puts(out, c->ncolumns ? "columns: [" : "# columns: [");
	for (i = 0; c->ncolumns ? i < c->ncolumns : settings_default_columns[i] != NULL; i++) {
		if (i)
			buf_puts(out, ", ");
		put_scalar(out, c->ncolumns ? c->columns[i] : settings_default_columns[i]);
	}
	buf_puts(out, "]\n");
	buf_puts(out, "quick-labels:\n");
	for (i = 0; i < SETTINGS_QUICK; i++) {
		buf_printf(out, "  %zu: ", i + 1);
		if (c->quick[i])
			put_scalar(out, c->quick[i]);
		else
			buf_putc(out, '~');
		buf_putc(out, '\n');
	}
	if (!c->nkeys) {
		buf_puts(out, "# keys: the built-in bindings (see the help view, ?)\n");
		return;
	}
	buf_puts(out, "keys:\n");
	for (i = 0; i < c->nkeys; i++) {
		buf_puts(out, "  ");
		put_scalar(out, c->keys[i].action);
		buf_puts(out, ": ");
		put_scalar(out, c->keys[i].key);
		buf_putc(out, '\n');
	}
}
