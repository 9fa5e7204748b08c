/*
 * manifest.c - the manifest OUT.manifest.json of an export: the command,
 * filter, options and seed that decide the output, the store's history
 * position (a set: its shards and listing digest too), the counts (by
 * provenance, by mixture group) and each file written with its size and
 * SHA-256.  No timestamps: the same export
 * writes the same manifest.
 *
 * Ownership: it reads the export (borrowed) and appends to the caller's
 * buffer; writing that buffer to a file is output.c's.
 */
#include "config.h"
#include "export_int.h"
#include "../common/json.h"
#include "../store/set.h"

#include <stdlib.h>
#include <string.h>

static void put_str(struct buf *b, const char *s)
{
	if (s)
		json_put_string(b, s, strlen(s));
	else
		buf_puts(b, "null");
}

/* The manifest: everything that decides the output, and what it holds.
 * No timestamps: the same export writes the same manifest. */
void xp_build_manifest(struct exp *x, const struct filter_ast *ast,
			   int64_t hist, int64_t ndocs, const struct export_cands *c,
			   struct buf *b)
{
	static const char *const byname[4] = { "origin", "source", "generator", "purpose" };
	struct buf canon = BUF_INIT;
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	bool first;
	size_t i, j;
	int k;

	buf_printf(b, "{\n  \"provex\": \"%s\",\n  \"command\": [", PACKAGE_VERSION);
	for (k = 0; k < x->o->argc; k++) {
		if (k)
			buf_puts(b, ", ");
		put_str(b, x->o->argv[k]);
	}
	buf_puts(b, "],\n  \"store\": ");
	put_str(b, x->o->store_path);
	if (x->set && set_is_folder_set(x->set))
		buf_printf(b, ",\n  \"set\": {\"shards\": %zu, \"listing\": \"%s\"}",
			   set_size(x->set), set_listing(x->set));
	buf_puts(b, ",\n  \"filter\": ");
	put_str(b, x->o->filter_text ? x->o->filter_text : "");
	filter_canonical(ast, &canon);
	buf_puts(b, ",\n  \"filter_canonical\": ");
	json_put_string(b, buf_str(&canon), canon.len);
	buf_done(&canon);
	buf_printf(b, ",\n  \"format\": \"%s\",\n  \"fields\": [", export_fmt_name[x->o->fmt]);
	first = true;
	for (k = 0; k < EXPORT_F_N; k++)
		if (x->o->fields[k]) {
			buf_printf(b, "%s\"%s\"", first ? "" : ", ", export_field_names[k]);
			first = false;
		}
	buf_printf(b, "],\n  \"seed\": %llu,\n", (unsigned long long)x->o->seed);
	if (x->o->have_sample)
		buf_printf(b, "  \"sample\": %llu,\n", (unsigned long long)x->o->sample);
	if (x->o->have_fraction)
		buf_printf(b, "  \"fraction\": %.17g,\n", x->o->fraction);
	buf_puts(b, "  \"prefix\": ");
	put_str(b, x->o->prefix);
	buf_printf(b, ",\n  \"keep_dups\": %s,\n", x->o->keep_dups ? "true" : "false");
	buf_printf(b, "  \"order\": \"%s\",\n", x->o->shuffle ? "shuffled" : "id");
	buf_printf(b, "  \"store_state\": {\"history_position\": %lld, \"documents\": %lld},\n",
		   (long long)hist, (long long)ndocs);
	buf_printf(b, "  \"candidates\": %zu,\n  \"duplicates_skipped\": %lld,\n",
		   c->n, (long long)c->dups);
	buf_printf(b, "  \"documents\": %lld,\n  \"records\": %lld,\n  \"bytes\": %lld,\n",
		   (long long)x->docs, (long long)x->records, (long long)x->text_bytes);
	buf_printf(b, "  \"invalid_utf8_documents\": %lld,\n", (long long)x->bad_utf8);
	if (x->o->mix_field) {
		buf_puts(b, "  \"mix\": {\"field\": ");
		put_str(b, x->o->mix_field);
		buf_printf(b, ", \"total\": %lld, \"total_written\": %lld, "
			   "\"max_repeat\": %lld, \"keep_shares\": %s, \"groups\": [",
			   (long long)x->o->total, (long long)x->records,
			   (long long)x->o->max_repeat, x->o->keep_shares ? "true" : "false");
		for (i = 0; i < x->o->ngroups; i++) {
			const struct export_group *g = &x->o->groups[i];
			buf_puts(b, i ? ",\n    {\"value\": " : "\n    {\"value\": ");
			put_str(b, g->value);
			buf_printf(b, ", \"share\": %.17g, \"available\": %lld, \"target\": %lld, "
				   "\"written\": %lld, \"written_share\": %.6f, "
				   "\"shortfall\": %lld, \"repeat\": %.4f}",
				   g->share, (long long)g->available, (long long)g->target,
				   (long long)g->written,
				   (double)g->written / (double)(x->records ? x->records : 1),
				   (long long)g->shortfall,
				   (double)g->written / (double)g->available);
		}
		buf_puts(b, "]},\n");
	}
	buf_puts(b, "  \"by\": {");
	for (k = 0; k < 4; k++) {
		struct tally *t = &x->by[k];
		qsort(t->items, t->n, sizeof *t->items, xp_by_value);
		buf_printf(b, "%s\n    \"%s\": {", k ? "," : "", byname[k]);
		for (j = 0; j < t->n; j++) {
			buf_puts(b, j ? ", " : "");
			json_put_string(b, t->items[j].value, strlen(t->items[j].value));
			buf_printf(b, ": {\"records\": %lld, \"bytes\": %lld}",
				   (long long)t->items[j].records, (long long)t->items[j].bytes);
		}
		buf_puts(b, "}");
	}
	buf_printf(b, "\n  },\n  \"shards\": %u,\n  \"sharding\": \"round-robin\",\n"
		   "  \"files\": [", x->o->fmt == EXPORT_TEXT ? 1 : x->o->shards);
	if (x->o->fmt == EXPORT_TEXT) {
		for (i = 0; i < x->ntfiles; i++) {
			struct buf path = BUF_INIT;
			xp_hex_digest(x->tfiles[i].digest, hex);
			buf_printf(&path, "%s/%s", xp_base_of(x->o->out), x->tfiles[i].name);
			buf_puts(b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
			json_put_string(b, path.data, path.len);
			buf_printf(b, ", \"bytes\": %llu, \"sha256\": \"%s\"}",
				   (unsigned long long)x->tfiles[i].bytes, hex);
			buf_done(&path);
		}
	} else {
		for (i = 0; i < x->o->shards; i++) {
			const struct outfile *o = &x->outs[i];
			const char *name = xp_base_of(o->final);
			xp_hex_digest(o->digest, hex);
			buf_puts(b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
			json_put_string(b, name, strlen(name));
			buf_printf(b, ", \"records\": %lld, \"bytes\": %llu, \"sha256\": \"%s\"}",
				   (long long)o->records, (unsigned long long)o->bytes, hex);
		}
	}
	buf_puts(b, "\n  ]\n}\n");
}
