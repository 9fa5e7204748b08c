/*
 * rules.h - provenance: the four labels every document carries, and the two
 * ways they are derived from input beyond plain flags:
 *
 *   value maps   --origin-map 'human=real,*=synthetic': field value -> label,
 *                first matching glob wins;
 *   rules files  --rules FILE (YAML): rules that match input paths, JSON
 *                array keys and field values, and set labels (with {field}
 *                templates).  Every matching rule applies, in file order, so a
 *                later rule overrides an earlier one.
 *
 * The pipeline applies, from lowest to highest precedence: the default
 * (origin unknown), the --origin/--source/... flags, the rules file, and the
 * --X-field mappings when the record has that field.
 */
#ifndef PV_RULES_H
#define PV_RULES_H

#include <stdbool.h>
#include "../common/pv.h"
#include "../common/buf.h"
#include "reader.h"

enum prov_field { PROV_ORIGIN, PROV_SOURCE, PROV_GENERATOR, PROV_PURPOSE, PROV_N };

/* "origin", "source", "generator", "purpose" */
extern const char *const prov_names[PROV_N];

/* Provenance being built for one record: caller-owned buffers. */
struct prov {
	struct buf v[PROV_N];
	bool set[PROV_N];
};

void prov_init(struct prov *p);
void prov_done(struct prov *p);
void prov_reset(struct prov *p);
void prov_set(struct prov *p, enum prov_field f, const char *val, size_t len);

/* Normalizes an origin value: "real", "synthetic" or "unknown" when it is one
 * of those (case-insensitive; also human->real, machine/generated->synthetic);
 * NULL when it is not recognised. Static string. */
const char *prov_origin_normalize(const char *val, size_t len);

/* --- value maps ------------------------------------------------------- */
struct valmap;
/* Parses "pat=value,pat=value" (globs; '*' matches all; '\,' and '\=' escape).
 * Errors give the column in the text. */
int valmap_parse(struct valmap **out, const char *spec, struct pv_err *err);
/* The mapped value for val, or NULL when no pattern matches. Borrowed. */
const char *valmap_lookup(const struct valmap *m, const char *val, size_t len);
void valmap_free(struct valmap *m);

/* --- rules files ------------------------------------------------------ */
struct rules;
/* Loads and checks a YAML rules file. Errors carry file:line:column. */
int rules_load(struct rules **out, const char *path, struct pv_err *err);
/* Applies every rule matching (input path, record) in order to p. */
void rules_apply(const struct rules *r, const struct record *rec, struct prov *p);
size_t rules_count(const struct rules *r);
void rules_free(struct rules *r);

#endif
