/*
 * fuzz_yaml.c - the YAML loaders: provenance rules (index/rules.c
 * rules_load, then rules_apply), themes (tui/theme.c theme_load_file) and
 * the settings file (common/settings.c settings_load).  The first byte chooses
 * (modulo 3); the rest is the file.
 *
 * Properties, for any file:
 *  - a refused file gets PV_EPARSE or PV_EIO with a message naming the
 *    file, and a line when it is a parse error;
 *  - rules: a loaded file applies to records (fields of every type, a
 *    bare text) without harm, and a constant origin is one of real,
 *    synthetic, unknown;
 *  - themes: a refused file leaves the default theme;
 *  - configuration: what settings_print writes loads back and prints the
 *    same.
 */
#include "fuzz.h"
#include "../../common/pv.h"
#include "../../common/buf.h"
#include "../../index/reader.h"
#include "../../index/rules.h"
#include "../../tui/theme.h"
#include "../../common/settings.h"

#include <string.h>

const char fuzz_name[] = "yaml";

/* check_refusal - the properties of an error from a loader. */
static void check_refusal(int rc, const struct pv_err *err, const char *path,
			  const char *what)
{
	fuzz_check(rc == PV_EPARSE || rc == PV_EIO, "%s: returned %d", what, rc);
	fuzz_check(err->msg[0] != '\0', "%s: refused without a message", what);
	fuzz_check(strcmp(err->file, path) == 0 || strstr(err->msg, path) != NULL,
		   "%s: message does not name the file: %s", what, err->msg);
	if (rc == PV_EPARSE)
		fuzz_check(err->line >= 1, "%s: parse error without a line: %s", what,
			   err->msg);
}

static void fuzz_rules(const char *path)
{
	static const char *const raws[][2] = {
		{ "text", "\"hello\"" }, { "model", "\"gpt-4\"" }, { "label", "\"human\"" },
		{ "n", "17" }, { "ok", "true" }, { "x", "null" },
		{ "a", "[1,\"b\"]" }, { "o", "{\"k\":\"v\"}" },
	};
	struct in_field fields[sizeof raws / sizeof *raws];
	struct rules *r = NULL;
	struct record rec;
	struct prov p;
	struct pv_err err;
	size_t k;
	int rc, pass;

	rc = rules_load(&r, path, &err);
	if (rc) {
		check_refusal(rc, &err, path, "rules_load");
		fuzz_check(r == NULL, "rules_load failed and returned rules");
		return;
	}
	for (k = 0; k < sizeof raws / sizeof *raws; k++) {
		fields[k].name = raws[k][0];
		fields[k].name_len = strlen(raws[k][0]);
		fields[k].raw = raws[k][1];
		fields[k].raw_len = strlen(raws[k][1]);
		fields[k].type = raws[k][1][0] == '"' ? JSON_STRING :
				 raws[k][1][0] == '[' ? JSON_ARRAY :
				 raws[k][1][0] == '{' ? JSON_OBJECT :
				 raws[k][1][0] == 't' ? JSON_TRUE :
				 raws[k][1][0] == 'n' ? JSON_NULL : JSON_NUMBER;
		fields[k].str = NULL;
		fields[k].str_len = 0;
		if (fields[k].type == JSON_STRING) {
			fields[k].str = raws[k][1] + 1;
			fields[k].str_len = fields[k].raw_len - 2;
		}
	}
	prov_init(&p);
	for (pass = 0; pass < 3; pass++) {
		memset(&rec, 0, sizeof rec);
		rec.input = pass == 2 ? "data/human/x.txt" : "data/predictions/davinci_x.jsonl";
		rec.line = 1;
		rec.column = 1;
		rec.array_key = pass == 1 ? "original" : NULL;
		if (pass == 2) {
			rec.is_text = true;
			rec.text = "a plain text";
			rec.text_len = strlen(rec.text);
		} else {
			rec.fields = fields;
			rec.nfields = sizeof fields / sizeof *fields;
		}
		prov_reset(&p);
		rules_apply(r, &rec, &p);
		for (k = 0; k < PROV_N; k++)
			fuzz_check(!p.set[k] || p.v[k].data != NULL || p.v[k].len == 0,
				   "%s set without a value", prov_names[k]);
	}
	prov_done(&p);
	rules_free(r);
}

static void fuzz_theme(const char *path)
{
	struct theme t, def;
	struct pv_err err;
	int rc, k;

	theme_default(&def);
	rc = theme_load_file(&t, path, &err);
	if (rc) {
		check_refusal(rc, &err, path, "theme_load_file");
		fuzz_check(strcmp(t.name, def.name) == 0, "refused theme changed the name");
		for (k = 0; k < R_N; k++)
			fuzz_check(t.style[k].fg == def.style[k].fg &&
				   t.style[k].bg == def.style[k].bg &&
				   t.style[k].attrs == def.style[k].attrs,
				   "refused theme changed %s", theme_role_name((enum role)k));
		return;
	}
	fuzz_check(memchr(t.name, '\0', sizeof t.name) != NULL, "theme name not terminated");
	for (k = 0; k < R_N; k++) {
		fuzz_check(t.style[k].fg == THEME_DEFAULT_COLOR ||
			   (t.style[k].fg >= 0 && t.style[k].fg <= 255),
			   "%s: foreground %d", theme_role_name((enum role)k), t.style[k].fg);
		fuzz_check(t.style[k].bg == THEME_DEFAULT_COLOR ||
			   (t.style[k].bg >= 0 && t.style[k].bg <= 255),
			   "%s: background %d", theme_role_name((enum role)k), t.style[k].bg);
		fuzz_check(theme_color8(t.style[k].fg) == THEME_DEFAULT_COLOR ||
			   (theme_color8(t.style[k].fg) >= 0 && theme_color8(t.style[k].fg) < 8),
			   "%s: color8 of %d", theme_role_name((enum role)k), t.style[k].fg);
	}
}

static void fuzz_config(const char *path)
{
	struct settings c, c2;
	struct buf out = BUF_INIT, out2 = BUF_INIT;
	struct pv_err err;
	int rc;

	rc = settings_load(&c, path, &err);
	if (rc) {
		check_refusal(rc, &err, path, "settings_load");
		settings_done(&c);
		return;
	}
	settings_print(&c, &out);
	rc = settings_load(&c2, fuzz_file("printed.yaml", out.data, out.len), &err);
	fuzz_check(rc == 0, "settings_print's output is refused: %s:%ld:%ld: %s\n%s",
		   err.file, err.line, err.column, err.msg, buf_str(&out));
	settings_print(&c2, &out2);
	fuzz_check(out.len == out2.len && memcmp(out.data, out2.data, out.len) == 0,
		   "configuration printed, loaded and printed again differs:\n%s---\n%s",
		   buf_str(&out), buf_str(&out2));
	settings_done(&c);
	settings_done(&c2);
	buf_done(&out);
	buf_done(&out2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;

	if (size < 1)
		return 0;
	path = fuzz_file("in.yaml", data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		fuzz_rules(path);
		break;
	case 1:
		fuzz_theme(path);
		break;
	default:
		fuzz_config(path);
		break;
	}
	return 0;
}
