/*
 * options.c - the options of an export, as `provex export` and the
 * interface's :export both take them: parsed from an argument vector
 * (getopt_long) into struct export_opts and checked together.  A bad
 * option is PV_EUSAGE with the reason; printing it is the caller's.
 *
 * Ownership: struct export_opts owns its copy of argv's pointers and the
 * --mix groups until export_opts_done(); the strings are the caller's.
 */
#include "config.h"
#include "export_int.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { O_FORMAT = 256, O_FIELDS, O_SAMPLE, O_FRACTION, O_SEED, O_MIX,
       O_TOTAL, O_MAXREP, O_SHARDS, O_PREFIX, O_KEEP, O_FORCE, O_SHUFFLE,
       O_KEEPSHARES };

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "fields", required_argument, NULL, O_FIELDS },
	{ "sample", required_argument, NULL, O_SAMPLE },
	{ "fraction", required_argument, NULL, O_FRACTION },
	{ "seed", required_argument, NULL, O_SEED },
	{ "mix", required_argument, NULL, O_MIX },
	{ "total", required_argument, NULL, O_TOTAL },
	{ "max-repeat", required_argument, NULL, O_MAXREP },
	{ "shards", required_argument, NULL, O_SHARDS },
	{ "prefix", required_argument, NULL, O_PREFIX },
	{ "keep-dups", no_argument, NULL, O_KEEP },
	{ "force", no_argument, NULL, O_FORCE },
	{ "shuffle", no_argument, NULL, O_SHUFFLE },
	{ "keep-shares", no_argument, NULL, O_KEEPSHARES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
const struct option *const export_longopts = longopts;

#define USAGE(...) pv_errf(err, PV_EUSAGE, __VA_ARGS__)

/* Parses --mix FIELD=V:SHARE,... */
static int parse_mix(struct export_opts *o, const char *spec, struct pv_err *err)
{
	char *eq, *p, *item, *save = NULL;
	size_t i;

	free(o->mix_spec);
	free(o->mix_field);
	free(o->groups);
	o->groups = NULL;
	o->ngroups = 0;
	o->mix_spec = pv_strdup(spec);
	if (!(eq = strchr(o->mix_spec, '='))) {
		o->mix_field = NULL;
		return USAGE("--mix needs FIELD=VALUE:SHARE,... "
			     "(e.g. origin=real:0.7,synthetic:0.3)");
	}
	*eq = '\0';
	o->mix_field = pv_strdup(o->mix_spec);
	if (!export_mix_column(o->mix_field))
		return USAGE("--mix: cannot mix on '%s' (origin, source, "
			     "generator, purpose, label)", o->mix_field);
	o->groups = pv_calloc(strlen(eq + 1) / 2 + 1, sizeof *o->groups);
	for (p = eq + 1; (item = strtok_r(p, ",", &save)); p = NULL) {
		char *colon = strrchr(item, ':'), *end;
		struct export_group *g = &o->groups[o->ngroups];
		if (!colon || colon == item)
			return USAGE("--mix: '%s' is not VALUE:SHARE", item);
		*colon = '\0';
		errno = 0;
		g->share = strtod(colon + 1, &end);
		if (errno || end == colon + 1 || *end || !isfinite(g->share))
			return USAGE("--mix: '%s' is not a share (a number "
				     "between 0 and 1)", colon + 1);
		g->value = item;
		for (i = 0; i < o->ngroups; i++)
			if (strcmp(o->groups[i].value, item) == 0)
				return USAGE("--mix names '%s' twice", item);
		o->ngroups++;
	}
	if (!o->ngroups)
		return USAGE("--mix names no groups");
	return 0;
}

static bool parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return false;
	*out = v;
	return true;
}

void export_opts_init(struct export_opts *o, int argc, char **argv)
{
	int k;

	memset(o, 0, sizeof *o);
	o->shards = 1;
	o->argc = argc;
	o->argv = pv_malloc(((size_t)argc + 1) * sizeof *o->argv);
	memcpy(o->argv, argv, (size_t)argc * sizeof *o->argv);
	o->argv[argc] = NULL;
	for (k = 0; k < EXPORT_F_N; k++)
		o->fields[k] = true;
}

void export_opts_done(struct export_opts *o)
{
	free(o->mix_spec);
	free(o->mix_field);
	free(o->groups);
	free(o->argv);
	memset(o, 0, sizeof *o);
}

/* The options proper; 0 or PV_EUSAGE. */
static int parse_options(struct export_opts *o, char **argv, int optend,
			 const char **format, const char **field_list, bool *have_total,
			 bool *have_shards, bool *help, struct pv_err *err)
{
	char bad[256];
	struct pv_err perr;
	int c, rc = 0;

	optind = 1;
	while (!rc && (c = getopt_long(optend, argv, EXPORT_SHORTOPTS, export_longopts,
				       NULL)) != -1) {
		int64_t v = 0;
		char *end;
		switch (c) {
		case 'o': o->out = optarg; break;
		case O_FORMAT: *format = optarg; break;
		case O_FIELDS: *field_list = optarg; break;
		case O_SAMPLE:
			if (!parse_int(optarg, &v) || v <= 0)
				rc = USAGE("--sample needs a positive number, not '%s'",
					   optarg);
			o->sample = (uint64_t)v;
			o->have_sample = true;
			break;
		case O_FRACTION:
			errno = 0;
			o->fraction = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->fraction > 0 &&
								o->fraction <= 1))
				rc = USAGE("--fraction needs a number above 0 and at "
					   "most 1, not '%s'", optarg);
			o->have_fraction = true;
			break;
		case O_SEED:
			if (!parse_int(optarg, &v) || v < 0)
				rc = USAGE("--seed needs a non-negative number, not '%s'",
					   optarg);
			o->seed = (uint64_t)v;
			break;
		case O_MIX: rc = parse_mix(o, optarg, err); break;
		case O_TOTAL:
			if (!parse_int(optarg, &o->total) || o->total <= 0)
				rc = USAGE("--total needs a positive number, not '%s'",
					   optarg);
			*have_total = true;
			break;
		case O_MAXREP:
			if (!parse_int(optarg, &o->max_repeat) || o->max_repeat <= 0)
				rc = USAGE("--max-repeat needs a positive number, not '%s'",
					   optarg);
			o->have_maxrep = true;
			break;
		case O_SHARDS:
			if (!parse_int(optarg, &v) || v <= 0 || v > 99999)
				rc = USAGE("--shards needs a number from 1 to 99999, "
					   "not '%s'", optarg);
			o->shards = (unsigned)v;
			*have_shards = true;
			break;
		case O_PREFIX:
			o->prefix = optarg;
			pv_err_clear(&perr);
			if (xp_check_prefix(optarg, bad, sizeof bad, &perr))
				rc = perr.code ? USAGE("%s", perr.msg) :
					USAGE("--prefix: unknown field %s (origin, source, "
					      "generator, purpose, label, id, ext_id)", bad);
			break;
		case O_KEEP: o->keep_dups = true; break;
		case O_FORCE: o->force = true; break;
		case O_SHUFFLE: o->shuffle = true; break;
		case O_KEEPSHARES: o->keep_shares = true; break;
		case 'h':
			*help = true;
			return 0;
		default:
			rc = USAGE("unknown option (a filter that starts with '-' may "
				   "also go after --: provex export STORE -- -TERM)");
		}
	}
	return rc;
}

int export_opts_parse(struct export_opts *o, int argc, char **argv, int optend,
		      bool *help, struct pv_err *err)
{
	const char *format = NULL, *field_list = NULL;
	bool have_total = false, have_shards = false;
	int k, rc;

	*help = false;
	if ((rc = parse_options(o, argv, optend, &format, &field_list, &have_total,
				&have_shards, help, err)) || *help)
		return rc;
	if (argc - optind < 1 || argc - optind > 2)
		return USAGE(argc - optind < 1 ? "expected STORE" :
			     "expected STORE and one FILTER (quote it: 'origin:real len:>100')");
	o->store_path = argv[optind];
	o->filter_text = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (!o->out || !*o->out)
		return USAGE("-o OUT is required");
	if (format) {
		for (k = 0; k < 4; k++)
			if (strcmp(format, export_fmt_name[k]) == 0)
				break;
		if (k == 4)
			return USAGE("unknown format '%s' (jsonl, jsonl.gz, jsonl.zst, "
				     "text)", format);
		o->fmt = (enum export_fmt)k;
	} else {
		size_t len = strlen(o->out);
		for (k = 2; k >= 0; k--) {
			size_t elen = strlen(export_fmt_ext[k]);
			if (len > elen && strcmp(o->out + len - elen, export_fmt_ext[k]) == 0)
				break;
		}
		if (k < 0)
			return USAGE("cannot tell the format from '%s': name it .jsonl, "
				     ".jsonl.gz or .jsonl.zst, or use --format", o->out);
		o->fmt = (enum export_fmt)k;
	}
	if (o->fmt == EXPORT_TEXT) {
		/* the folder's own name, without trailing slashes */
		size_t len = strlen(o->out);
		while (len > 1 && o->out[len - 1] == '/')
			len--;
		if (len != strlen(o->out))
			return USAGE("--format text: name the folder without a "
				     "trailing '/'");
		if (have_shards || field_list || o->shuffle)
			return USAGE("--format text writes one file per document: "
				     "--%s does not apply", have_shards ? "shards" :
				     field_list ? "fields" : "shuffle");
	}
	if (field_list) {
		char *copy = pv_strdup(field_list), *f, *save = NULL, *p;
		for (k = 0; k < EXPORT_F_N; k++)
			o->fields[k] = false;
		for (p = copy; (f = strtok_r(p, ",", &save)); p = NULL) {
			for (k = 0; k < EXPORT_F_N; k++)
				if (strcmp(f, export_field_names[k]) == 0)
					break;
			if (k == EXPORT_F_N) {
				rc = USAGE("--fields: unknown field '%s' (text, origin, "
					   "source, generator, purpose, label, note, id, "
					   "ext_id, meta)", f);
				break;
			}
			o->fields[k] = true;
		}
		free(copy);
		if (rc)
			return rc;
	}
	if ((o->have_sample + o->have_fraction + (o->mix_field != NULL)) > 1)
		return USAGE("--sample, --fraction and --mix exclude each other");
	if (o->mix_field && !have_total)
		return USAGE("--mix needs --total N");
	if (!o->mix_field && (have_total || o->have_maxrep || o->keep_shares))
		return USAGE("--%s only applies with --mix", have_total ? "total" :
			     o->have_maxrep ? "max-repeat" : "keep-shares");
	if (o->keep_shares && !o->have_maxrep)
		return USAGE("--keep-shares needs --max-repeat K (the copies of a "
			     "document it keeps the shares within)");
	return 0;
}
