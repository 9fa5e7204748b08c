/*
 * rules.c - provenance labels, value maps and YAML rules files.
 *
 * This file owns three things:
 *
 *   struct prov     the four labels (origin, source, generator, purpose) being
 *                   built for one record, in caller-owned buffers;
 *   struct valmap   a compiled --X-map spec ("human=real,*=synthetic"): a list
 *                   of (glob, value) pairs, first match wins;
 *   struct rules    a compiled rules file (--rules FILE): a list of rules, each
 *                   a set of conditions on the input path, the JSON array key
 *                   and field values, and label values that may hold {field}
 *                   templates.
 *
 * A rules file is read whole, parsed with libyaml's document API and checked
 * completely at load time, so that every mistake (syntax, unknown key, bad
 * origin, broken template) is reported once with file:line:column before any
 * input is read; rules_apply() then cannot fail.  Columns are 1-based byte
 * offsets in the line (common/yaml.c reads the file and places messages).
 * The format is described in doc/rules.md.
 *
 * Matching semantics, in one place:
 *
 *   - globs are fnmatch(3) patterns with no flags: '*' crosses '/', a leading
 *     '.' is not special, '\' escapes the next character;
 *   - a pattern with a leading '!' is negated; a list of patterns matches
 *     when any of them does;
 *   - the value of a field is its decoded string (JSON_STRING; compared up to
 *     its first NUL byte) or its raw JSON text (numbers, booleans, arrays,
 *     objects).  A field that is missing, or is JSON null, is absent: it never
 *     matches a positive pattern and always matches a negated one.  The input
 *     path and the array key are treated the same way when they are NULL.
 *
 * Nothing here prints, exits or touches the store.
 */
#include "rules.h"
#include "../store/origin.h"
#include "../common/utf8.h"
#include "../common/yaml.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *const prov_names[PROV_N] = {
	"origin", "source", "generator", "purpose"
};

/* ===================================================================== */
/* Provenance being built                                                 */
/* ===================================================================== */

/*
 * Initialises p: every label unset, buffers empty (no memory yet).  Release
 * with prov_done().
 */
void prov_init(struct prov *p)
{
	int f;

	for (f = 0; f < PROV_N; f++) {
		buf_init(&p->v[f]);
		p->set[f] = false;
	}
}

/*
 * Frees the buffers of p.  p may be initialised again afterwards.
 */
void prov_done(struct prov *p)
{
	int f;

	for (f = 0; f < PROV_N; f++) {
		buf_done(&p->v[f]);
		p->set[f] = false;
	}
}

/*
 * Unsets every label, keeping the buffers' memory for the next record.
 */
void prov_reset(struct prov *p)
{
	int f;

	for (f = 0; f < PROV_N; f++) {
		buf_reset(&p->v[f]);
		p->set[f] = false;
	}
}

/*
 * Sets label f to the len bytes at val (copied; val need not be
 * NUL-terminated).  A NULL val unsets the label instead.
 */
void prov_set(struct prov *p, enum prov_field f, const char *val, size_t len)
{
	buf_reset(&p->v[f]);
	if (!val) {
		p->set[f] = false;
		return;
	}
	buf_append(&p->v[f], val, len);
	p->set[f] = true;
}

/* True for the ASCII blanks trimmed around values. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\f' || c == '\v';
}

/*
 * Normalises an origin value (len bytes at val, blanks around it ignored,
 * case-insensitive, ASCII only): real|human|original|natural -> "real";
 * synthetic|machine|generated|model|ai|llm -> "synthetic"; unknown ->
 * "unknown".  Returns that static string, or NULL for anything else
 * (including NULL val and values holding a NUL byte).
 */
const char *prov_origin_normalize(const char *val, size_t len)
{
	return field_origin_normalize(val, len);
}

/* ===================================================================== */
/* Globs                                                                  */
/* ===================================================================== */

/*
 * Matches the len bytes at s against the fnmatch glob pat.  s need not be
 * NUL-terminated; it is compared up to its first NUL byte.  scratch is used
 * for a terminated copy when the value is long; nothing is allocated for short
 * values.  Returns true on a match.
 */
static bool glob_match_n(const char *pat, const char *s, size_t len,
			 struct buf *scratch)
{
	char small[256];
	const char *nul = memchr(s, '\0', len);

	if (nul)
		return fnmatch(pat, s, 0) == 0;
	if (len < sizeof small) {
		memcpy(small, s, len);
		small[len] = '\0';
		return fnmatch(pat, small, 0) == 0;
	}
	buf_reset(scratch);
	buf_append(scratch, s, len);
	return fnmatch(pat, scratch->data, 0) == 0;
}

/* ===================================================================== */
/* Value maps                                                             */
/* ===================================================================== */

struct valmap_pair {
	char *pat;              /* owned fnmatch glob, escapes kept for fnmatch */
	char *val;              /* owned value, escapes resolved */
};

struct valmap {
	struct valmap_pair *v;  /* owned array of n pairs, in spec order */
	size_t n;
};

/*
 * Frees m and everything it owns.  NULL is allowed.
 */
void valmap_free(struct valmap *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->v[i].pat);
		free(m->v[i].val);
	}
	free(m->v);
	free(m);
}

/*
 * Scans one part of a valmap item starting at spec[*pos], up to an unescaped
 * stop character (',' always, and '=' when stop_eq) or the end, into out.
 * Leading blanks are skipped and trailing unescaped blanks dropped.  In a
 * pattern (keep_escapes) a backslash and the character after it are copied
 * as they are, so that fnmatch sees them as an escape ("\," matches ',',
 * "\\" a backslash, "\*" a star); in a value the backslash is dropped and the
 * character after it kept ("\," "\=" "\\" "\ ").  Either way an escaped
 * character is never a separator and never trimmed.  *start receives the
 * 0-based position of the first non-blank character (or where the part ends
 * when it is empty).  Returns 0, or PV_EUSAGE with err set for a trailing
 * lone backslash.
 */
static int valmap_scan(const char *spec, size_t *pos, bool stop_eq,
		       bool keep_escapes, struct buf *out, size_t *start,
		       struct pv_err *err)
{
	size_t i = *pos;
	size_t keep = 0;        /* length of out up to its last non-blank */

	buf_reset(out);
	while (spec[i] && is_blank(spec[i]))
		i++;
	*start = i;
	for (; spec[i]; i++) {
		char c = spec[i];

		if (c == ',' || (stop_eq && c == '='))
			break;
		if (c == '\\') {
			char n = spec[i + 1];

			if (!n)
				return pv_errf_at(err, PV_EUSAGE, NULL, 1,
						  (long)i + 1,
						  "trailing backslash");
			if (keep_escapes)
				buf_putc(out, c);
			buf_putc(out, n);
			i++;
			keep = out->len;
			continue;
		}
		buf_putc(out, c);
		if (!is_blank(c))
			keep = out->len;
	}
	out->len = keep;
	if (out->data)
		out->data[keep] = '\0';
	*pos = i;
	return 0;
}

/*
 * Parses a value map spec: items separated by ',', each "pattern=value";
 * the first unescaped '=' splits an item, so the value may hold more '='.
 * Blanks around patterns and values are trimmed; empty items (",,", a
 * trailing ',') are skipped.  A backslash makes the next character literal:
 * "\," "\=" "\\" (see valmap_scan).
 * An empty value is allowed (lookup then returns "").
 *
 * On success *out receives a new map (free with valmap_free) and 0 is
 * returned.  On error *out is NULL and PV_EUSAGE is returned with err->line 1
 * and err->column the 1-based byte position in spec (err->file is empty: the
 * caller names the option): an item without '=', an empty pattern, a
 * trailing backslash, or a spec with no items.
 */
int valmap_parse(struct valmap **out, const char *spec, struct pv_err *err)
{
	struct valmap *m = pv_calloc(1, sizeof *m);
	struct buf pat = BUF_INIT, val = BUF_INIT;
	size_t pos = 0, cap = 0, start, vstart;
	int rc = 0;

	*out = NULL;
	if (!spec)
		spec = "";
	while (spec[pos]) {
		rc = valmap_scan(spec, &pos, true, true, &pat, &start, err);
		if (rc)
			goto fail;
		if (spec[pos] != '=') {
			if (pat.len == 0 && start == pos) {
				/* an empty item: ",," or a trailing ',' */
				if (spec[pos] == ',')
					pos++;
				continue;
			}
			rc = pv_errf_at(err, PV_EUSAGE, NULL, 1, (long)start + 1,
					"missing '=' in map item (want pattern=value)");
			goto fail;
		}
		if (pat.len == 0) {
			rc = pv_errf_at(err, PV_EUSAGE, NULL, 1, (long)start + 1,
					"empty pattern before '='");
			goto fail;
		}
		pos++;  /* the '=' */
		rc = valmap_scan(spec, &pos, false, false, &val, &vstart, err);
		if (rc)
			goto fail;
		{       /* the one rule of label values (common/utf8.h) */
			struct pv_err ve;
			if (utf8_value_check("the value", val.data ? val.data : "",
					     val.len, PV_VALUE_MAX, &ve)) {
				rc = pv_errf_at(err, PV_EUSAGE, NULL, 1, (long)vstart + 1,
						"%s", ve.msg);
				goto fail;
			}
		}
		if (m->n == cap) {
			cap = cap ? cap * 2 : 4;
			m->v = pv_realloc(m->v, cap * sizeof *m->v);
		}
		m->v[m->n].pat = buf_take(&pat);
		m->v[m->n].val = buf_take(&val);
		m->n++;
		if (spec[pos] == ',')
			pos++;
	}
	if (m->n == 0) {
		rc = pv_errf_at(err, PV_EUSAGE, NULL, 1, 1,
				"empty map (want pattern=value,...)");
		goto fail;
	}
	buf_done(&pat);
	buf_done(&val);
	*out = m;
	return 0;

fail:
	buf_done(&pat);
	buf_done(&val);
	valmap_free(m);
	return rc;
}

/*
 * Returns the value of the first pair whose pattern matches the len bytes at
 * val (compared up to a NUL byte), or NULL when none does or m is NULL.  The
 * string is borrowed from m.
 */
const char *valmap_lookup(const struct valmap *m, const char *val, size_t len)
{
	struct buf scratch = BUF_INIT;
	const char *res = NULL;
	size_t i;

	if (!m || !val)
		return NULL;
	for (i = 0; i < m->n && !res; i++)
		if (glob_match_n(m->v[i].pat, val, len, &scratch))
			res = m->v[i].val;
	buf_done(&scratch);
	return res;
}

/* ===================================================================== */
/* Compiled rules                                                         */
/* ===================================================================== */

struct pat {
	char *glob;             /* owned, without the leading '!' */
	bool neg;               /* the pattern had a leading '!' */
};

struct patset {                 /* matches when any pattern matches */
	struct pat *v;          /* owned; n == 0: no condition */
	size_t n;
};

struct fieldcond {
	char *name;             /* owned field name */
	struct patset pats;
};

struct tpart {
	char *s;                /* owned: literal text, or a field name */
	size_t len;             /* bytes in s */
	bool is_field;          /* true: {s} */
};

struct tmpl {
	struct tpart *v;        /* owned parts, in order */
	size_t n;
	bool has_fields;        /* false: a constant (one literal part) */
};

struct rule {
	char *name;             /* owned, or NULL when the rule has none */
	struct patset file;     /* on record->input */
	struct patset array;    /* on record->array_key */
	struct fieldcond *fields;       /* owned; all must match */
	size_t nfields;
	struct tmpl set[PROV_N];        /* has[f]: the value label f gets */
	bool has[PROV_N];
};

struct rules {
	struct rule *v;         /* owned, file order */
	size_t n;
};

/* Frees the patterns of s (not s itself). */
static void patset_done(struct patset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].glob);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Frees the parts of t (not t itself). */
static void tmpl_done(struct tmpl *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].s);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* Frees what rule r owns; r may be partly built (zeroed, then filled). */
static void rule_done(struct rule *r)
{
	size_t i;
	int f;

	free(r->name);
	patset_done(&r->file);
	patset_done(&r->array);
	for (i = 0; i < r->nfields; i++) {
		free(r->fields[i].name);
		patset_done(&r->fields[i].pats);
	}
	free(r->fields);
	for (f = 0; f < PROV_N; f++)
		tmpl_done(&r->set[f]);
}

/*
 * Frees r and every rule in it.  NULL is allowed.
 */
void rules_free(struct rules *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		rule_done(&r->v[i]);
	free(r->v);
	free(r);
}

/*
 * The number of rules in r (0 for NULL).
 */
size_t rules_count(const struct rules *r)
{
	return r ? r->n : 0;
}

/* ===================================================================== */
/* Applying rules                                                         */
/* ===================================================================== */

/*
 * Finds the value of field name in rec: sets *s and *len and returns true,
 * or returns false when the field is missing or JSON null.  Strings give
 * their decoded bytes up to the first NUL; other types their raw JSON text.
 * Borrowed from rec.
 */
static bool field_value(const struct record *rec, const char *name,
			const char **s, size_t *len)
{
	const struct in_field *fd = record_field(rec, name);

	if (!fd || fd->type == JSON_NULL)
		return false;
	if (fd->type == JSON_STRING && fd->str) {
		*s = fd->str;
		*len = strnlen(fd->str, fd->str_len);
	} else if (fd->raw) {
		*s = fd->raw;
		*len = fd->raw_len;
	} else {
		*s = "";
		*len = 0;
	}
	return true;
}

/*
 * Whether patset ps matches the value (len bytes at s; s NULL = absent).
 * An empty set is no condition and matches.
 */
static bool patset_match(const struct patset *ps, const char *s, size_t len,
			 struct buf *scratch)
{
	size_t i;

	if (ps->n == 0)
		return true;
	for (i = 0; i < ps->n; i++) {
		const struct pat *p = &ps->v[i];
		bool m = s ? glob_match_n(p->glob, s, len, scratch) : false;

		if (m != p->neg)
			return true;
	}
	return false;
}

/* Whether every condition of rule ru holds for rec. */
static bool rule_matches(const struct rule *ru, const struct record *rec,
			 struct buf *scratch)
{
	size_t i;

	if (ru->file.n && !patset_match(&ru->file, rec->input,
					rec->input ? strlen(rec->input) : 0,
					scratch))
		return false;
	if (ru->array.n && !patset_match(&ru->array, rec->array_key,
					 rec->array_key ? strlen(rec->array_key) : 0,
					 scratch))
		return false;
	for (i = 0; i < ru->nfields; i++) {
		const char *s = NULL;
		size_t len = 0;

		if (!field_value(rec, ru->fields[i].name, &s, &len))
			s = NULL;
		if (!patset_match(&ru->fields[i].pats, s, len, scratch))
			return false;
	}
	return true;
}

/*
 * Expands template t for rec into out.  Returns false (out undefined) when a
 * field it names is absent, true otherwise.
 */
static bool tmpl_expand(const struct tmpl *t, const struct record *rec,
			struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < t->n; i++) {
		const struct tpart *tp = &t->v[i];
		const char *s;
		size_t len;

		if (!tp->is_field) {
			buf_append(out, tp->s, tp->len);
			continue;
		}
		if (!field_value(rec, tp->s, &s, &len))
			return false;
		buf_append(out, s, len);
	}
	return true;
}

/*
 * Applies every rule of r that matches rec, in file order, to p: each sets
 * the labels it names, overriding what earlier rules or flags set.  A
 * template value that names an absent field, or expands to the empty string,
 * leaves its label unchanged.  An origin template's expansion is normalised
 * when prov_origin_normalize() recognises it and set as it is otherwise, so
 * that the pipeline counts and reports it like any unrecognised origin.
 * Constant origins were checked and normalised at load time.  r NULL is
 * allowed (no rules).
 */
void rules_apply(const struct rules *r, const struct record *rec, struct prov *p)
{
	struct buf scratch = BUF_INIT;  /* terminated copies for fnmatch */
	struct buf out = BUF_INIT;      /* template expansions */
	size_t i;
	int f;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		const struct rule *ru = &r->v[i];

		if (!rule_matches(ru, rec, &scratch))
			continue;
		for (f = 0; f < PROV_N; f++) {
			const struct tmpl *t = &ru->set[f];
			const char *val;
			size_t len;

			if (!ru->has[f])
				continue;
			if (!t->has_fields) {
				prov_set(p, (enum prov_field)f, t->v[0].s, t->v[0].len);
				continue;
			}
			if (!tmpl_expand(t, rec, &out) || out.len == 0)
				continue;
			val = out.data;
			len = out.len;
			if (f == PROV_ORIGIN) {
				const char *o = prov_origin_normalize(val, len);

				if (o) {
					val = o;
					len = strlen(o);
				}
			}
			prov_set(p, (enum prov_field)f, val, len);
		}
	}
	buf_done(&scratch);
	buf_done(&out);
}

/* ===================================================================== */
/* Loading rules files                                                    */
/* ===================================================================== */

struct loader {
	struct yaml_file *y;    /* the file (common/yaml.h), owned by rules_load */
	const yaml_node_t *rule_name;   /* name of the rule being loaded, or NULL */
	struct pv_err *err;
};

/* Key tables: the keys each mapping accepts, in message order. */
static const char *const top_keys[] = { "rules" };
static const char *const rule_keys[] = { "name", "match", "set" };
static const char *const match_keys[] = { "file", "array", "fields" };
enum { RK_NAME, RK_MATCH, RK_SET };
enum { MK_FILE, MK_ARRAY, MK_FIELDS };

static const char *quote(char *out, size_t n, const char *s, size_t len);

/*
 * Fills ld->err with a PV_EPARSE error at node n (NULL: 1:1), at byte
 * column col when col > 0 (else the node's column), the rule's name added.
 * Returns PV_EPARSE.
 */
__attribute__((format(printf, 4, 5)))
static int load_fail_col(struct loader *ld, const yaml_node_t *n, long col,
			 const char *fmt, ...)
{
	char msg[sizeof ld->err->msg], q[128];
	const yaml_node_t *nm = ld->rule_name;
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	len = strlen(msg);
	if (nm && len < sizeof msg)
		snprintf(msg + len, sizeof msg - len, " (in rule %s)",
			 quote(q, sizeof q, (const char *)nm->data.scalar.value,
			       nm->data.scalar.length));
	return yaml_file_fail_col(ld->y, n, col, "%s", msg);
}

#define load_fail(ld, node, ...) \
	load_fail_col((ld), (node), 0, __VA_ARGS__)

/*
 * Writes s (len bytes) into out (size n) quoted with '', control bytes,
 * quotes and backslashes escaped, cut with "..." past 60 bytes: safe to show
 * in a message.  Returns out.
 */
static const char *quote(char *out, size_t n, const char *s, size_t len)
{
	size_t o = 0, i;

	if (n < 8)
		return "";
	out[o++] = '\'';
	for (i = 0; i < len && o + 8 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 60) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7F || c == '\'' || c == '\\')
			o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

/* Writes "a, b, c" for the n names into out (size sz). Returns out. */
static const char *key_list(char *out, size_t sz, const char *const *names,
			    size_t n)
{
	size_t o = 0, i;

	out[0] = '\0';
	for (i = 0; i < n && o < sz; i++)
		o += (size_t)snprintf(out + o, sz - o, "%s%s", i ? ", " : "",
				      names[i]);
	return out;
}

/* The node with id, or NULL. */
static yaml_node_t *node_at(struct loader *ld, int id)
{
	return yaml_file_node(ld->y, id);
}

/* Whether n is a YAML null: a plain "", "~", "null" (any of the three
 * YAML 1.1 spellings), or tagged !!null. */
static bool node_is_null(const yaml_node_t *n)
{
	const char *t = (const char *)n->tag;

	if (n->type == YAML_SCALAR_NODE && t && strcmp(t, YAML_NULL_TAG) == 0)
		return true;
	return yaml_file_is_null(n);
}

/* A short name of a node's kind, for messages. */
static const char *node_kind(const yaml_node_t *n)
{
	if (node_is_null(n))
		return "nothing (null)";
	switch (n->type) {
	case YAML_SCALAR_NODE:   return "a string";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE:  return "a mapping";
	default:                 return "nothing";
	}
}

/*
 * Checks that n is a non-null scalar without NUL bytes; what names the
 * value in the message ("'name'").  Returns 0 or PV_EPARSE.
 */
static int load_want_string(struct loader *ld, const yaml_node_t *n,
			    const char *what)
{
	if (n->type != YAML_SCALAR_NODE || node_is_null(n))
		return load_fail(ld, n, "%s must be a string, not %s", what,
				 node_kind(n));
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length))
		return load_fail(ld, n, "%s must not contain a NUL byte", what);
	return 0;
}

/*
 * Looks up the key node k of a mapping in names[0..n): checks it is a string,
 * known (else "unknown key 'x' in WHERE; allowed: ...") and not seen before
 * (bit i of *seen).  Returns the index, or PV_EPARSE.
 */
static int load_key(struct loader *ld, const yaml_node_t *k,
		    const char *const *names, size_t n, const char *where,
		    unsigned *seen)
{
	char q[128], keys[128];
	const char *v;
	size_t i;
	int rc;

	rc = load_want_string(ld, k, "a key");
	if (rc)
		return rc;
	v = (const char *)k->data.scalar.value;
	for (i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			break;
	if (i == n)
		return load_fail(ld, k, "unknown key %s in %s; allowed: %s",
				 quote(q, sizeof q, v, k->data.scalar.length),
				 where, key_list(keys, sizeof keys, names, n));
	if (*seen & (1u << i))
		return load_fail(ld, k, "duplicate key '%s' in %s", names[i],
				 where);
	*seen |= 1u << i;
	return (int)i;
}

/*
 * Compiles the glob scalar n into p: a leading '!' negates.  Returns 0 or
 * PV_EPARSE.
 */
static int load_pat(struct loader *ld, const yaml_node_t *n, const char *what,
		    struct pat *p)
{
	const char *v;
	int rc;

	rc = load_want_string(ld, n, what);
	if (rc)
		return rc;
	v = (const char *)n->data.scalar.value;
	p->neg = v[0] == '!';
	p->glob = pv_strdup(v + p->neg);
	return 0;
}

/*
 * Compiles n, a glob or a non-empty list of globs ("any of"), into ps (which
 * must be empty).  Returns 0 or PV_EPARSE; what is in ps on error is freed
 * by the caller with the rule.
 */
static int load_patset(struct loader *ld, const yaml_node_t *n,
		       const char *what, struct patset *ps)
{
	yaml_node_item_t *it;
	size_t cnt;
	int rc;

	if (n->type == YAML_SCALAR_NODE && !node_is_null(n)) {
		ps->v = pv_calloc(1, sizeof *ps->v);
		ps->n = 1;
		return load_pat(ld, n, what, &ps->v[0]);
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return load_fail(ld, n, "%s must be a glob or a list of globs, not %s",
				 what, node_kind(n));
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (cnt == 0)
		return load_fail(ld, n, "%s: empty list of globs (it would never match)",
				 what);
	ps->v = pv_calloc(cnt, sizeof *ps->v);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const yaml_node_t *item = node_at(ld, *it);

		rc = load_pat(ld, item, what, &ps->v[ps->n]);
		if (rc)
			return rc;
		ps->n++;
	}
	return 0;
}

/*
 * Compiles the `fields:` mapping n (null: no conditions) into ru.  Returns 0
 * or PV_EPARSE.
 */
static int load_fields(struct loader *ld, const yaml_node_t *n, struct rule *ru)
{
	yaml_node_pair_t *pr;
	char what[192], q[128];
	size_t cnt, i;
	int rc;

	if (node_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return load_fail(ld, n, "'fields' must be a mapping of field: glob, not %s",
				 node_kind(n));
	cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	ru->fields = pv_calloc(cnt ? cnt : 1, sizeof *ru->fields);
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = node_at(ld, pr->key);
		const yaml_node_t *v = node_at(ld, pr->value);
		struct fieldcond *fc;
		const char *name;

		rc = load_want_string(ld, k, "a field name");
		if (rc)
			return rc;
		name = (const char *)k->data.scalar.value;
		quote(q, sizeof q, name, k->data.scalar.length);
		for (i = 0; i < ru->nfields; i++)
			if (strcmp(ru->fields[i].name, name) == 0)
				return load_fail(ld, k, "duplicate field %s in 'fields'", q);
		fc = &ru->fields[ru->nfields++];
		fc->name = pv_strdup(name);
		snprintf(what, sizeof what, "field %s", q);
		rc = load_patset(ld, v, what, &fc->pats);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Compiles the `match:` mapping n (null: always) into ru.  Returns 0 or
 * PV_EPARSE.
 */
static int load_match(struct loader *ld, const yaml_node_t *n, struct rule *ru)
{
	yaml_node_pair_t *pr;
	unsigned seen = 0;
	int rc, k;

	if (node_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return load_fail(ld, n, "'match' must be a mapping, not %s",
				 node_kind(n));
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const yaml_node_t *v = node_at(ld, pr->value);

		k = load_key(ld, node_at(ld, pr->key), match_keys,
			     PV_ARRAY_LEN(match_keys), "'match'", &seen);
		if (k < 0)
			return k;
		switch (k) {
		case MK_FILE:
			rc = load_patset(ld, v, "'file'", &ru->file);
			break;
		case MK_ARRAY:
			rc = load_patset(ld, v, "'array'", &ru->array);
			break;
		default:
			rc = load_fields(ld, v, ru);
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Appends a part to t: literal text or a field name (len bytes at s).
 */
static void tmpl_add(struct tmpl *t, const char *s, size_t len, bool is_field)
{
	t->v = pv_realloc(t->v, (t->n + 1) * sizeof *t->v);
	t->v[t->n].s = pv_strndup(s, len);
	t->v[t->n].len = len;
	t->v[t->n].is_field = is_field;
	t->n++;
	if (is_field)
		t->has_fields = true;
}

/*
 * Compiles the label value scalar n into t: "{name}" is a field reference,
 * "{{" and "}}" are literal braces, any other text literal.  what names the
 * label for messages.  Returns 0 or PV_EPARSE (unterminated '{', empty
 * field name, empty value).
 */
static int load_tmpl(struct loader *ld, const yaml_node_t *n, const char *what,
		     struct tmpl *t)
{
	const char *v;
	size_t len, i, lit;
	struct buf b = BUF_INIT;
	int rc;

	if (n->type == YAML_MAPPING_NODE)
		return load_fail(ld, n, "%s must be a string, not a mapping "
				 "(quote a value that starts with '{': \"{field}\")",
				 what);
	rc = load_want_string(ld, n, what);
	if (rc)
		return rc;
	v = (const char *)n->data.scalar.value;
	len = n->data.scalar.length;
	if (len == 0)
		return load_fail(ld, n, "%s must not be empty", what);
	for (i = 0; i < len; i++) {
		if (v[i] == '}' && v[i + 1] == '}') {
			buf_putc(&b, '}');
			i++;
			continue;
		}
		if (v[i] != '{') {
			buf_putc(&b, v[i]);
			continue;
		}
		if (v[i + 1] == '{') {
			buf_putc(&b, '{');
			i++;
			continue;
		}
		for (lit = i + 1; lit < len && v[lit] != '}'; lit++)
			;
		if (lit == len) {
			buf_done(&b);
			return load_fail_col(ld, n,
					     yaml_file_scalar_column(ld->y, n, i),
					     "unterminated '{' in %s (write '{{' for a literal '{')",
					     what);
		}
		if (lit == i + 1) {
			buf_done(&b);
			return load_fail_col(ld, n,
					     yaml_file_scalar_column(ld->y, n, i),
					     "empty field name '{}' in %s", what);
		}
		if (b.len) {
			tmpl_add(t, b.data, b.len, false);
			buf_reset(&b);
		}
		tmpl_add(t, v + i + 1, lit - i - 1, true);
		i = lit;
	}
	if (b.len || t->n == 0)
		tmpl_add(t, buf_str(&b), b.len, false);
	buf_done(&b);
	return 0;
}

/*
 * Compiles the `set:` mapping n into ru: label name -> template.  Constant
 * origins are checked and normalised here.  Returns 0 or PV_EPARSE (not a
 * mapping, empty, unknown label, bad value).
 */
static int load_set(struct loader *ld, const yaml_node_t *n, struct rule *ru)
{
	yaml_node_pair_t *pr;
	char what[64], keys[128];
	unsigned seen = 0;
	int rc, f;

	if (node_is_null(n) || (n->type == YAML_MAPPING_NODE &&
				n->data.mapping.pairs.top == n->data.mapping.pairs.start))
		return load_fail(ld, n, "empty 'set': give at least one of %s",
				 key_list(keys, sizeof keys, prov_names, PROV_N));
	if (n->type != YAML_MAPPING_NODE)
		return load_fail(ld, n, "'set' must be a mapping of label: value, not %s",
				 node_kind(n));
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = node_at(ld, pr->key);
		const yaml_node_t *v = node_at(ld, pr->value);
		struct tmpl *t;
		const char *o;

		f = load_key(ld, k, prov_names, PROV_N, "'set' (labels)", &seen);
		if (f < 0)
			return f;
		t = &ru->set[f];
		ru->has[f] = true;
		snprintf(what, sizeof what, "'%s'", prov_names[f]);
		rc = load_tmpl(ld, v, what, t);
		if (rc)
			return rc;
		if (f != PROV_ORIGIN) {
			/* the one rule of label values (common/utf8.h), on
			 * the literal text; what fields bring is checked
			 * per record by the pipeline */
			struct pv_err ve;
			size_t i;
			for (i = 0; i < t->n; i++)
				if (!t->v[i].is_field &&
				    utf8_value_check(what, t->v[i].s, t->v[i].len,
						     PV_VALUE_MAX, &ve))
					return load_fail(ld, v, "%s", ve.msg);
			continue;
		}
		if (t->has_fields)
			continue;
		o = prov_origin_normalize(t->v[0].s, t->v[0].len);
		if (!o) {
			char q[128];

			return load_fail(ld, v, "origin must be real, synthetic or unknown, not %s",
					 quote(q, sizeof q, t->v[0].s, t->v[0].len));
		}
		free(t->v[0].s);
		t->v[0].s = pv_strdup(o);
		t->v[0].len = strlen(o);
	}
	return 0;
}

/*
 * Compiles one rule (node n) into ru, which is zeroed and owned by the rule
 * list already (so a partial rule is freed with it).  Returns 0 or PV_EPARSE.
 */
static int load_rule(struct loader *ld, const yaml_node_t *n, struct rule *ru)
{
	const yaml_node_t *set = NULL;
	yaml_node_pair_t *pr;
	unsigned seen = 0;
	int rc = 0, k;

	if (n->type != YAML_MAPPING_NODE)
		return load_fail(ld, n, "a rule must be a mapping with 'match' and 'set', not %s",
				 node_kind(n));
	/* Find the name first, so that every message about this rule has it. */
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const yaml_node_t *kn = node_at(ld, pr->key);
		const yaml_node_t *v = node_at(ld, pr->value);

		if (kn->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
		    !node_is_null(v) && strcmp((const char *)kn->data.scalar.value, "name") == 0)
			ld->rule_name = v;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const yaml_node_t *v = node_at(ld, pr->value);

		k = load_key(ld, node_at(ld, pr->key), rule_keys,
			     PV_ARRAY_LEN(rule_keys), "a rule", &seen);
		if (k < 0)
			return k;
		switch (k) {
		case RK_NAME:
			rc = load_want_string(ld, v, "'name'");
			if (!rc)
				ru->name = pv_strdup((const char *)v->data.scalar.value);
			break;
		case RK_MATCH:
			rc = load_match(ld, v, ru);
			break;
		default:
			set = v;
			rc = load_set(ld, v, ru);
			break;
		}
		if (rc)
			return rc;
	}
	if (!set)
		return load_fail(ld, n, "rule has no 'set' (what labels should it give?)");
	return 0;
}

/*
 * Compiles the document's root (a mapping with `rules:`) into r.  Returns 0
 * or PV_EPARSE.
 */
static int load_root(struct loader *ld, struct rules *r)
{
	yaml_node_t *root = yaml_file_root(ld->y);
	const yaml_node_t *list = NULL;
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	unsigned seen = 0;
	size_t cnt;
	int rc;

	if (!root)
		return load_fail_col(ld, NULL, 0,
				     "empty rules file: expected a mapping with a 'rules' list");
	if (root->type != YAML_MAPPING_NODE)
		return load_fail(ld, root, "the top level must be a mapping with a 'rules' list, not %s",
				 node_kind(root));
	for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		rc = load_key(ld, node_at(ld, pr->key), top_keys,
			      PV_ARRAY_LEN(top_keys), "the top level", &seen);
		if (rc < 0)
			return rc;
		list = node_at(ld, pr->value);
	}
	if (!list)
		return load_fail(ld, root, "the top level has no 'rules' list");
	if (node_is_null(list))
		return 0;
	if (list->type != YAML_SEQUENCE_NODE)
		return load_fail(ld, list, "'rules' must be a list of rules, not %s",
				 node_kind(list));
	cnt = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
	r->v = pv_calloc(cnt ? cnt : 1, sizeof *r->v);
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		r->n++;
		ld->rule_name = NULL;
		rc = load_rule(ld, node_at(ld, *it), &r->v[r->n - 1]);
		ld->rule_name = NULL;
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Loads and checks the YAML rules file at path.  On success *out receives the
 * compiled rules (free with rules_free; an empty list is allowed) and 0 is
 * returned.  On error *out is NULL and a negative code is returned with err
 * giving file:line:column and the reason: PV_EIO for a missing or unreadable
 * file, PV_EPARSE for YAML syntax and every mistake in the rules themselves,
 * PV_ENOMEM if libyaml runs out of memory.  Nothing is leaked on any path.
 */
int rules_load(struct rules **out, const char *path, struct pv_err *err)
{
	struct loader ld;
	struct rules *r = NULL;
	int rc;

	*out = NULL;
	memset(&ld, 0, sizeof ld);
	ld.err = err;
	rc = yaml_file_open(&ld.y, path, "rules file", YAML_FILE_NO_ARTICLE, err);
	if (rc == PV_ENOTFOUND) {
		/* a missing rules file is an input error like an unreadable one */
		if (err)
			err->code = PV_EIO;
		return PV_EIO;
	}
	if (rc)
		return rc;
	r = pv_calloc(1, sizeof *r);
	rc = load_root(&ld, r);
	/* one document only: parsing on also reports syntax errors after
	 * the first (after the rules, whose mistakes come first) */
	if (!rc)
		rc = yaml_file_end(ld.y);
	yaml_file_close(ld.y);
	if (rc) {
		rules_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
