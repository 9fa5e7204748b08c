/*
 * fields.c - the filter language's field table: each field once, with its
 * kind, the SQL expression it becomes and its help line.  The parser, the
 * compiler (filter.c), completion and the help view all read this table.
 *
 * Comparisons on text are SQLite's: '=' and GLOB are case-sensitive
 * (source:News does not match "news"); origin values are lowercased by the
 * parser since only lowercase ones exist.
 */
#include "fields.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PV_FIELDS_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct field_value origins[] = {
	{ "real", NULL, "written by people", 0 },
	{ "synthetic", NULL, "machine-generated", 0 },
	{ "unknown", NULL, "provenance not known", 0 },
};

static const struct field_value is_flags[] = {
	{ "reviewed", "d.label IS NOT NULL", "a reviewer gave it a label", 0 },
	{ "unreviewed", "d.label IS NULL", "no label yet", 0 },
	{ "dup", "t.nocc > 1", "its text occurs more than once", FIELD_TEXTS },
	{ "disputed", "d.id IN (SELECT doc FROM review_disputed)",
	  "reviewers answered differently about it (provex review)", 0 },
};

static const struct field_value has_flags[] = {
	{ "pair", "(d.id IN (SELECT a FROM pairs) OR d.id IN (SELECT b FROM pairs))",
	  "paired with another document (--pair-field, provex pairs)", 0 },
	{ "score", "d.id IN (SELECT doc_id FROM scores)",
	  "scored by provex detect", 0 },
};

const struct field_def fields[] = {
	{ "origin", FIELD_ENUM, "d.origin",
	  "real, synthetic or unknown", FIELD_NOTNULL | FIELD_CYCLE, origins, PV_FIELDS_N(origins), 6 },
	{ "source", FIELD_GLOB, "d.source",
	  "where it came from (glob: source:news*)", FIELD_CYCLE, NULL, 0, 7 },
	{ "generator", FIELD_GLOB, "d.generator",
	  "the model or program that wrote it (glob)", FIELD_CYCLE, NULL, 0, 8 },
	{ "purpose", FIELD_GLOB, "d.purpose",
	  "what it was made or collected for (glob)", FIELD_CYCLE, NULL, 0, 9 },
	{ "label", FIELD_GLOB, "d.label",
	  "the reviewer's verdict: keep, drop, flag... (glob; comes with relabelling)",
	  0, NULL, 0, 0 },
	{ "reviewer", FIELD_GLOB, "d.reviewer",
	  "who labelled it last (glob; comes with relabelling)", 0, NULL, 0, 0 },
	{ "id", FIELD_INT, "d.id",
	  "the store's document id (id:42, id:10..20)", FIELD_NOTNULL | FIELD_CYCLE,
	  NULL, 0, 1 },
	{ "ext", FIELD_GLOB, "d.ext_id",
	  "the input's own id for it, or file:line (glob)", FIELD_NOTNULL, NULL, 0, 10 },
	{ "file", FIELD_GLOB, "i.name",
	  "the input file's name as given (glob)", FIELD_INPUTS | FIELD_NOTNULL,
	  NULL, 0, 11 },
	{ "len", FIELD_INT, "d.len",
	  "bytes of text (len:>2000, len:500..2k; k = 1024, M = 1048576)",
	  FIELD_SIZE | FIELD_NOTNULL | FIELD_CYCLE, NULL, 0, 2 },
	{ "words", FIELD_INT, "t.words",
	  "whitespace-separated words (words:<100)",
	  FIELD_TEXTS | FIELD_NOTNULL | FIELD_CYCLE, NULL, 0, 3 },
	{ "ratio", FIELD_REAL, "(t.len * 1.0 / length(t.body))",
	  "length / compressed length (ratio:>4: templated text)",
	  FIELD_TEXTS | FIELD_NOTNULL, NULL, 0, 5 },
	{ "dup", FIELD_INT, "t.nocc",
	  "documents holding the same text (dup:>1)",
	  FIELD_TEXTS | FIELD_NOTNULL | FIELD_CYCLE, NULL, 0, 4 },
	{ "meta", FIELD_META, "d.meta",
	  "meta.PATH:value: the input's other fields (meta.a.b, meta.list.0, "
	  "meta.n:>0.5, meta.ok:true; glob)",
	  0, NULL, 0, 0 },
	{ "pair", FIELD_INT, "d.id",
	  "paired with document ID (pair:42; pair:10..20)", FIELD_PARTNER, NULL, 0, 0 },
	{ "sim", FIELD_REAL, "max(coalesce((SELECT max(sim) FROM pairs WHERE a = d.id), -1), "
	  "coalesce((SELECT max(sim) FROM pairs WHERE b = d.id), -1))",
	  "the highest similarity of its pairs (sim:>0.8)", 0, NULL, 0, 0 },
	{ "score", FIELD_REAL, "(SELECT score FROM scores WHERE doc_id = d.id)",
	  "provex detect's probability that it is synthetic (score:>0.9)", FIELD_CYCLE,
	  NULL, 0, 12 },
	{ "is", FIELD_FLAG, NULL,
	  "is:reviewed, is:unreviewed, is:dup, is:disputed", 0, is_flags,
	  PV_FIELDS_N(is_flags), 0 },
	{ "has", FIELD_FLAG, NULL,
	  "has:pair, has:score, has:meta.PATH", 0, has_flags, PV_FIELDS_N(has_flags), 0 },
	{ "text", FIELD_TEXT, "d.text_id",
	  "bare words and \"quoted phrases\" search the full text",
	  FIELD_NONAME, NULL, 0, 0 },
};

const size_t nfields = PV_FIELDS_N(fields);

/* The words an origin may be given as, in index --origin, --origin-map
 * results, rules files and the filter's origin: alike. */
static const struct {
	const char *word;
	const char *origin;
} origin_words[] = {
	{ "real", "real" },
	{ "human", "real" },
	{ "original", "real" },
	{ "natural", "real" },
	{ "synthetic", "synthetic" },
	{ "machine", "synthetic" },
	{ "generated", "synthetic" },
	{ "model", "synthetic" },
	{ "ai", "synthetic" },
	{ "llm", "synthetic" },
	{ "unknown", "unknown" },
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

const char *field_origin_normalize(const char *val, size_t len)
{
	size_t i;

	if (!val)
		return NULL;
	while (len > 0 && is_blank(val[0])) {
		val++;
		len--;
	}
	while (len > 0 && is_blank(val[len - 1]))
		len--;
	for (i = 0; i < PV_FIELDS_N(origin_words); i++) {
		const char *w = origin_words[i].word;
		size_t k;
		if (strlen(w) != len)
			continue;
		for (k = 0; k < len; k++) {     /* ASCII only, whatever the locale */
			char c = val[k];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != w[k])
				break;
		}
		if (k == len)
			return origin_words[i].origin;
	}
	return NULL;
}

void field_list_origin_words(struct buf *out)
{
	static const char *const kinds[] = { "real", "synthetic" };
	size_t i, o;

	for (o = 0; o < PV_FIELDS_N(kinds); o++) {
		bool first = true;
		if (o)
			buf_puts(out, "; ");
		for (i = 0; i < PV_FIELDS_N(origin_words); i++)
			if (strcmp(origin_words[i].origin, kinds[o]) == 0 &&
			    strcmp(origin_words[i].word, kinds[o]) != 0) {
				buf_puts(out, first ? "" : ", ");
				buf_puts(out, origin_words[i].word);
				first = false;
			}
		buf_printf(out, " (%s)", kinds[o]);
	}
}

const struct field_def *field_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < nfields; i++)
		if (!(fields[i].flags & FIELD_NONAME) &&
		    strlen(fields[i].name) == len &&
		    strncasecmp(fields[i].name, name, len) == 0)
			return &fields[i];
	return NULL;
}

const struct field_def *field_text(void)
{
	return &fields[nfields - 1];
}

void field_list_names(struct buf *out)
{
	size_t i;
	bool first = true;

	for (i = 0; i < nfields; i++) {
		if (fields[i].flags & FIELD_NONAME)
			continue;
		if (!first)
			buf_puts(out, ", ");
		buf_puts(out, fields[i].kind == FIELD_META ? "meta.PATH" : fields[i].name);
		first = false;
	}
}

void field_list_values(const struct field_def *f, struct buf *out)
{
	size_t i;

	for (i = 0; i < f->nvalues; i++) {
		if (i)
			buf_puts(out, ", ");
		buf_puts(out, f->values[i].name);
	}
}

const struct field_value *field_value_find(const struct field_def *f,
					   const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < f->nvalues; i++)
		if (strlen(f->values[i].name) == len &&
		    strncasecmp(f->values[i].name, name, len) == 0)
			return &f->values[i];
	return NULL;
}

const char *field_column(const char *name, const char *const *allowed)
{
	const struct field_def *f;

	for (; *allowed; allowed++)
		if (strcmp(*allowed, name) == 0) {
			f = field_find(name, strlen(name));
			return f ? f->sql : NULL;
		}
	return NULL;
}

const struct field_def *field_sort_find(const char *name)
{
	size_t i;

	for (i = 0; i < nfields; i++)
		if (fields[i].sortable && strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

static char sort_names[256];

static void sort_names_fill(void)
{
	struct buf b = BUF_INIT;
	int rank;
	size_t i;

	for (rank = 1; ; rank++) {
		for (i = 0; i < nfields && fields[i].sortable != rank; i++)
			;
		if (i == nfields)
			break;
		buf_printf(&b, "%s%s", rank > 1 ? ", " : "", fields[i].name);
	}
	snprintf(sort_names, sizeof sort_names, "%s", buf_str(&b));
	buf_done(&b);
}

const char *field_sort_names(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, sort_names_fill);
	return sort_names;
}

const char *field_sort_cycle(size_t i)
{
	int rank;
	size_t k;

	for (rank = 1; ; rank++) {
		for (k = 0; k < nfields && fields[k].sortable != rank; k++)
			;
		if (k == nfields)
			return NULL;
		if ((fields[k].flags & FIELD_CYCLE) && i-- == 0)
			return fields[k].name;
	}
}
