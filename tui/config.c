/*
 * config.c - the user's configuration file (config.yaml) and the YAML file
 * reader it shares with the theme loader.
 *
 * A file is read whole, parsed with libyaml's document API and checked
 * completely before anything of it is used: config_load fills a scratch
 * struct config and moves it into the caller's only when every setting is
 * valid, so a broken file never leaves half of itself behind.  Messages
 * carry file:line:column with 1-based byte columns (libyaml counts
 * characters; yaml_mark_column() converts, as index/rules.c does).
 *
 * config_print writes the effective configuration back as YAML that
 * config_load reads to the same struct; settings left at their defaults
 * are shown as comments, so that reading the output back leaves them unset.
 *
 * Ownership: struct config owns its strings (config_done frees them);
 * struct config_yaml owns the file's bytes and its parsed document.
 * Nothing here prints or touches the terminal.
 */
#include "config.h"
#include "../store/label.h"
#include "../common/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *const config_column_names[] = {
	"id", "origin", "source", "generator", "purpose", "label", "size",
	"words", "dup", "text", NULL
};

const char *const config_default_columns[] = {
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
/* YAML files                                                             */
/* ===================================================================== */

struct config_yaml {
	const char *what;        /* "configuration file", for messages */
	char *path;              /* owned copy, for messages */
	char *src;               /* owned: the file's bytes, NUL-terminated */
	size_t len;
	bool utf16;              /* starts with a UTF-16 byte order mark */
	yaml_document_t doc;
	struct pv_err *err;      /* the caller's, filled by config_yaml_fail */
};

/* Length of a line break at s (n bytes left) as libyaml counts them: LF,
 * CR LF, CR, NEL, LS, PS; 0 when s is not at a break. */
static size_t break_len(const unsigned char *s, size_t n)
{
	if (n >= 1 && s[0] == '\n')
		return 1;
	if (n >= 1 && s[0] == '\r')
		return (n >= 2 && s[1] == '\n') ? 2 : 1;
	if (n >= 2 && s[0] == 0xC2 && s[1] == 0x85)
		return 2;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 &&
	    (s[2] == 0xA8 || s[2] == 0xA9))
		return 3;
	return 0;
}

/* Byte length of the UTF-8 sequence led by c (1 for a byte that cannot
 * lead one, so a walk always advances). */
static size_t utf8_width(unsigned char c)
{
	if (c >= 0xF0 && c <= 0xF7)
		return 4;
	if (c >= 0xE0)
		return c <= 0xEF ? 3 : 1;
	if (c >= 0xC0)
		return 2;
	return 1;
}

/*
 * The 1-based byte column of libyaml mark m (0-based line, 0-based column
 * in characters).  A UTF-8 byte order mark is not part of line 1; for
 * UTF-16 files the character column is used.
 */
static long yaml_mark_column(const struct config_yaml *y, const yaml_mark_t *m)
{
	const unsigned char *s = (const unsigned char *)y->src;
	size_t pos = 0, bol, line = 0, c, b;

	if (y->utf16)
		return (long)m->column + 1;
	if (y->len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		pos = 3;
	while (line < m->line && pos < y->len) {
		b = break_len(s + pos, y->len - pos);
		if (b) {
			pos += b;
			line++;
		} else {
			pos++;
		}
	}
	bol = pos;
	for (c = 0; c < m->column && pos < y->len; c++)
		pos += PV_MIN(utf8_width(s[pos]), y->len - pos);
	return (long)(pos - bol) + 1;
}

/* Fills y->err with PV_EPARSE at mark m and the message; returns PV_EPARSE. */
__attribute__((format(printf, 3, 0)))
static int yaml_fail_at(struct config_yaml *y, const yaml_mark_t *m,
			const char *fmt, va_list ap)
{
	char msg[sizeof y->err->msg];

	vsnprintf(msg, sizeof msg, fmt, ap);
	return pv_errf_at(y->err, PV_EPARSE, y->path, (long)m->line + 1,
			  yaml_mark_column(y, m), "%s", msg);
}

__attribute__((format(printf, 3, 4)))
static int yaml_fail_mark(struct config_yaml *y, const yaml_mark_t *m,
			  const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = yaml_fail_at(y, m, fmt, ap);
	va_end(ap);
	return rc;
}

int config_yaml_fail(struct config_yaml *y, const struct yaml_node_s *n,
		     const char *fmt, ...)
{
	yaml_mark_t top = { 0, 0, 0 };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = yaml_fail_at(y, n ? &n->start_mark : &top, fmt, ap);
	va_end(ap);
	return rc;
}

/* Turns a libyaml parser error into y->err; returns the pv code. */
static int yaml_parse_error(struct config_yaml *y, const yaml_parser_t *ps)
{
	size_t i, bol = 0, end;
	long line = 1;
	char byte[32];

	switch (ps->error) {
	case YAML_MEMORY_ERROR:
		return pv_errf_at(y->err, PV_ENOMEM, y->path, 0, 0,
				  "out of memory while parsing YAML");
	case YAML_READER_ERROR:
		/* problem_offset is a byte offset in the input */
		end = PV_MIN(ps->problem_offset, y->len);
		for (i = 0; i < end; i++) {
			size_t b = break_len((const unsigned char *)y->src + i,
					     y->len - i);
			if (b) {
				line++;
				i += b - 1;
				bol = i + 1;
			}
		}
		byte[0] = '\0';
		if (ps->problem_value != -1)
			snprintf(byte, sizeof byte, " (byte 0x%02x)",
				 (unsigned)ps->problem_value & 0xFF);
		return pv_errf_at(y->err, PV_EPARSE, y->path, line,
				  (long)(end - bol) + 1, "YAML: %s%s",
				  ps->problem ? ps->problem : "cannot read", byte);
	default:
		if (ps->context)
			return yaml_fail_mark(y, &ps->problem_mark,
					      "YAML syntax error: %s (%s at line %lu)",
					      ps->problem ? ps->problem : "?",
					      ps->context,
					      (unsigned long)ps->context_mark.line + 1);
		return yaml_fail_mark(y, &ps->problem_mark, "YAML syntax error: %s",
				      ps->problem ? ps->problem : "?");
	}
}

/* Reads the file at path into y->src.  Returns 0, PV_ENOTFOUND or PV_EIO. */
static int yaml_read(struct config_yaml *y, const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *fp;
	int e;

	fp = fopen(path, "rb");
	if (!fp) {
		e = errno;
		return pv_errf_at(y->err, e == ENOENT ? PV_ENOTFOUND : PV_EIO,
				  path, 0, 0, "cannot open the %s: %s", y->what,
				  strerror(e));
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(fp)) {
		e = errno;
		fclose(fp);
		buf_done(&b);
		return pv_errf_at(y->err, PV_EIO, path, 0, 0,
				  "cannot read the %s: %s", y->what, strerror(e));
	}
	fclose(fp);
	y->len = b.len;
	y->src = buf_take(&b);
	return 0;
}

int config_yaml_open(struct config_yaml **out, const char *path,
		     const char *what, struct pv_err *err)
{
	struct config_yaml *y = pv_calloc(1, sizeof *y);
	const unsigned char *s;
	yaml_document_t extra;
	yaml_parser_t ps;
	bool have_doc = false;
	int rc;

	*out = NULL;
	y->what = what;
	y->path = pv_strdup(path);
	y->err = err;
	rc = yaml_read(y, path);
	if (rc)
		goto fail;
	s = (const unsigned char *)y->src;
	y->utf16 = y->len >= 2 && ((s[0] == 0xFE && s[1] == 0xFF) ||
				   (s[0] == 0xFF && s[1] == 0xFE));
	if (!yaml_parser_initialize(&ps)) {
		rc = pv_errf_at(err, PV_ENOMEM, path, 0, 0,
				"out of memory while parsing YAML");
		goto fail;
	}
	yaml_parser_set_input_string(&ps, s, y->len);
	if (!yaml_parser_load(&ps, &y->doc)) {
		/* libyaml has freed the partial document */
		rc = yaml_parse_error(y, &ps);
	} else {
		have_doc = true;
		/* one document only; parsing on also finds syntax errors
		 * after the first */
		if (!yaml_parser_load(&ps, &extra)) {
			rc = yaml_parse_error(y, &ps);
		} else {
			if (yaml_document_get_root_node(&extra))
				rc = yaml_fail_mark(y, &extra.start_mark,
						    "a %s holds one YAML document; "
						    "found a second one", what);
			yaml_document_delete(&extra);
		}
	}
	yaml_parser_delete(&ps);
	if (rc) {
		if (have_doc)
			yaml_document_delete(&y->doc);
		goto fail;
	}
	*out = y;
	return 0;

fail:
	free(y->src);
	free(y->path);
	free(y);
	return rc;
}

struct yaml_node_s *config_yaml_root(struct config_yaml *y)
{
	return yaml_document_get_root_node(&y->doc);
}

struct yaml_node_s *config_yaml_node(struct config_yaml *y, int i)
{
	return yaml_document_get_node(&y->doc, i);
}

void config_yaml_where(const struct config_yaml *y, const struct yaml_node_s *n,
		       long *line, long *column)
{
	*line = (long)n->start_mark.line + 1;
	*column = yaml_mark_column(y, &n->start_mark);
}

bool config_yaml_is_null(const struct yaml_node_s *n)
{
	const char *v;

	if (!n || n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

const char *config_yaml_kind(const struct yaml_node_s *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		return config_yaml_is_null(n) ? "an empty value" : "a string";
	default:
		return "nothing";
	}
}

void config_yaml_close(struct config_yaml *y)
{
	if (!y)
		return;
	yaml_document_delete(&y->doc);
	free(y->src);
	free(y->path);
	free(y);
}

/* ===================================================================== */
/* The configuration                                                      */
/* ===================================================================== */

void config_defaults(struct config *c)
{
	size_t i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < PV_ARRAY_LEN(default_quick); i++)
		c->quick[i] = pv_strdup(default_quick[i]);
}

void config_done(struct config *c)
{
	size_t i;

	free(c->path);
	free(c->reviewer);
	free(c->theme);
	for (i = 0; i < CONFIG_QUICK; i++)
		free(c->quick[i]);
	for (i = 0; i < c->ncolumns; i++)
		free(c->columns[i]);
	for (i = 0; i < c->nkeys; i++) {
		free(c->keys[i].action);
		free(c->keys[i].key);
	}
	memset(c, 0, sizeof *c);
}

char *config_path(void)
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
static char *load_string(struct config_yaml *y, const yaml_node_t *v,
			 const char *what, bool empty_ok, int *rc)
{
	if (!v || v->type != YAML_SCALAR_NODE || config_yaml_is_null(v)) {
		*rc = config_yaml_fail(y, v, "%s: expected a string, not %s",
				       what, config_yaml_kind(v));
		return NULL;
	}
	if (!empty_ok && v->data.scalar.length == 0) {
		*rc = config_yaml_fail(y, v, "%s: expected a string, not an "
				       "empty one", what);
		return NULL;
	}
	if (memchr(v->data.scalar.value, '\0', v->data.scalar.length)) {
		*rc = config_yaml_fail(y, v, "%s: the value holds a NUL "
				       "character", what);
		return NULL;
	}
	return pv_strdup((const char *)v->data.scalar.value);
}

/* The columns sequence into c. */
static int load_columns(struct config_yaml *y, const yaml_node_t *v,
			struct config *c)
{
	yaml_node_item_t *it;
	size_t i, k;
	int rc = 0;

	if (!v || v->type != YAML_SEQUENCE_NODE)
		return config_yaml_fail(y, v, "columns: expected a list of column "
					"names, like [id, origin, text], not %s",
					config_yaml_kind(v));
	if (v->data.sequence.items.start == v->data.sequence.items.top)
		return config_yaml_fail(y, v, "columns: name at least one column");
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = config_yaml_node(y, *it);
		char *name = load_string(y, n, "columns", false, &rc);

		if (!name)
			return rc;
		for (k = 0; config_column_names[k]; k++)
			if (!strcmp(config_column_names[k], name))
				break;
		if (!config_column_names[k]) {
			free(name);
			return config_yaml_fail(y, n, "columns: no column called "
						"'%.*s'; the columns are id, origin, "
						"source, generator, purpose, label, "
						"size, words, dup, text", SHOWN(n));
		}
		for (i = 0; i < c->ncolumns; i++)
			if (!strcmp(c->columns[i], name))
				break;
		if (i < c->ncolumns) {
			free(name);
			return config_yaml_fail(y, n, "columns: '%.*s' is listed "
						"twice", SHOWN(n));
		}
		/* the names are distinct and known: at most 10 < 16 */
		c->columns[c->ncolumns++] = name;
	}
	return 0;
}

/* The quick-labels mapping into c (over the defaults). */
static int load_quick(struct config_yaml *y, const yaml_node_t *v,
		      struct config *c)
{
	bool seen[CONFIG_QUICK] = { false };
	yaml_node_pair_t *pr;
	struct pv_err e;
	int rc = 0;

	if (!v || v->type != YAML_MAPPING_NODE)
		return config_yaml_fail(y, v, "quick-labels: expected a mapping "
					"of keys 1 to 9 to labels (1: keep), not %s",
					config_yaml_kind(v));
	for (pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = config_yaml_node(y, pr->key);
		yaml_node_t *n = config_yaml_node(y, pr->value);
		const char *ks;
		char *label;
		int i;

		if (!k || k->type != YAML_SCALAR_NODE)
			return config_yaml_fail(y, k, "quick-labels: expected a key "
						"1 to 9, not %s", config_yaml_kind(k));
		ks = (const char *)k->data.scalar.value;
		if (k->data.scalar.length != 1 || ks[0] < '1' || ks[0] > '9')
			return config_yaml_fail(y, k, "quick-labels: the keys are "
						"1 to 9, not '%.*s'", SHOWN(k));
		i = ks[0] - '1';
		if (seen[i])
			return config_yaml_fail(y, k, "quick-labels: key %c is "
						"given twice", ks[0]);
		seen[i] = true;
		free(c->quick[i]);
		c->quick[i] = NULL;
		if (config_yaml_is_null(n))
			continue;       /* ~ unbinds the key */
		label = load_string(y, n, "quick-labels", false, &rc);
		if (!label)
			return rc;
		if (label_check_value(LF_LABEL, label, &e)) {
			free(label);
			return config_yaml_fail(y, n, "quick-labels %c: %s",
						ks[0], e.msg);
		}
		c->quick[i] = label;
	}
	return 0;
}

/* The keys mapping into c. */
static int load_keys(struct config_yaml *y, const yaml_node_t *v,
		     struct config *c)
{
	yaml_node_pair_t *pr;
	size_t i;
	int rc = 0;

	if (!v || v->type != YAML_MAPPING_NODE)
		return config_yaml_fail(y, v, "keys: expected a mapping of "
					"actions to keys (quit: q), not %s",
					config_yaml_kind(v));
	for (pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = config_yaml_node(y, pr->key);
		yaml_node_t *n = config_yaml_node(y, pr->value);
		struct config_key *ck;
		char *action, *key;

		action = load_string(y, k, "keys: an action name", false, &rc);
		if (!action)
			return rc;
		for (i = 0; i < c->nkeys; i++)
			if (!strcmp(c->keys[i].action, action))
				break;
		if (i < c->nkeys) {
			free(action);
			return config_yaml_fail(y, k, "keys: '%.*s' is given twice "
						"(first at line %ld)", SHOWN(k),
						c->keys[i].line);
		}
		if (c->nkeys == CONFIG_MAX_KEYS) {
			free(action);
			return config_yaml_fail(y, k, "keys: at most %d bindings",
						CONFIG_MAX_KEYS);
		}
		key = load_string(y, n, "keys: a key name", false, &rc);
		if (!key) {
			free(action);
			return rc;
		}
		ck = &c->keys[c->nkeys++];
		ck->action = action;
		ck->key = key;
		config_yaml_where(y, k, &ck->line, &ck->column);
	}
	return 0;
}

/* Every setting of the root mapping into c (which holds the defaults). */
static int load_root(struct config_yaml *y, const yaml_node_t *root,
		     struct config *c)
{
	const yaml_node_t *seen[PV_ARRAY_LEN(setting_names)] = { NULL };
	yaml_node_pair_t *pr;
	size_t s;
	int rc = 0;

	if (!root || config_yaml_is_null(root))
		return 0;       /* an empty file */
	if (root->type != YAML_MAPPING_NODE)
		return config_yaml_fail(y, root, "expected a mapping of settings "
					"(setting: value lines), not %s",
					config_yaml_kind(root));
	for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = config_yaml_node(y, pr->key);
		yaml_node_t *v = config_yaml_node(y, pr->value);

		if (!k || k->type != YAML_SCALAR_NODE)
			return config_yaml_fail(y, k, "expected a setting name, "
						"not %s", config_yaml_kind(k));
		for (s = 0; s < PV_ARRAY_LEN(setting_names); s++)
			if (!strcmp(setting_names[s], (const char *)k->data.scalar.value))
				break;
		if (s == PV_ARRAY_LEN(setting_names))
			return config_yaml_fail(y, k, "unknown setting '%.*s'; the "
						"settings are reviewer, theme, "
						"columns, quick-labels and keys",
						SHOWN(k));
		if (seen[s])
			return config_yaml_fail(y, k, "%s is set twice (first at "
						"line %lu)", setting_names[s],
						(unsigned long)seen[s]->start_mark.line + 1);
		seen[s] = k;
		switch (s) {
		case 0:
			c->reviewer = load_string(y, v, "reviewer", false, &rc);
			if (c->reviewer) {
				struct pv_err e;

				if (label_check_value(LF_LABEL, c->reviewer, &e))
					rc = config_yaml_fail(y, v, "reviewer: a name "
							      "is one line of "
							      "printable text of at "
							      "most %d bytes",
							      LABEL_MAX_VALUE);
			}
			break;
		case 1:
			c->theme = load_string(y, v, "theme", false, &rc);
			config_yaml_where(y, v, &c->theme_line, &c->theme_column);
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

int config_load(struct config *c, const char *path, struct pv_err *err)
{
	struct config_yaml *y;
	struct config tmp;
	char *own = NULL;
	int rc;

	config_defaults(c);
	if (!path && !(path = own = config_path()))
		return 0;
	rc = config_yaml_open(&y, path, "configuration file", err);
	if (rc == PV_ENOTFOUND) {
		pv_err_clear(err);
		free(own);
		return 0;
	}
	if (rc) {
		free(own);
		return rc;
	}
	config_defaults(&tmp);
	rc = load_root(y, config_yaml_root(y), &tmp);
	config_yaml_close(y);
	if (rc) {
		config_done(&tmp);
		free(own);
		return rc;
	}
	config_done(c);
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

void config_print(const struct config *c, struct buf *out)
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
	for (i = 0; c->ncolumns ? i < c->ncolumns : config_default_columns[i] != NULL; i++) {
		if (i)
			buf_puts(out, ", ");
		put_scalar(out, c->ncolumns ? c->columns[i] : config_default_columns[i]);
	}
	buf_puts(out, "]\n");
	buf_puts(out, "quick-labels:\n");
	for (i = 0; i < CONFIG_QUICK; i++) {
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
