/*
 * test_demo.c - the demo corpus: its JSONL is well-formed, deterministic,
 * linked (every seed_id names a real document), split about 60/40, holds
 * the viewer hard cases, falls back to the builtin texts on an empty
 * machine, strips man pages and skips binary and non-UTF-8 files, and
 * reports an unwritable output path by name.
 *
 * The lines are checked by a small parser of our own for flat objects of
 * string values (all the demo writes), so this test does not depend on the
 * reader.
 */
#include "../tap.h"
#include "../../demo/demo.h"
#include "../../common/buf.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- helpers ---- */

/* Reads a whole file into b.  Returns false when it cannot be read. */
static bool slurp(const char *path, struct buf *b)
{
	char chunk[65536];
	size_t n;
	FILE *fp = fopen(path, "rb");

	buf_reset(b);
	if (!fp)
		return false;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(b, chunk, n);
	fclose(fp);
	return true;
}

/* Writes len bytes to path (gzip-compressed when gz). */
static void spew(const char *path, const char *s, size_t len, bool gz)
{
	if (gz) {
		gzFile g = gzopen(path, "wb");
		if (g) {
			gzwrite(g, s, (unsigned)len);
			gzclose(g);
		}
	} else {
		FILE *fp = fopen(path, "wb");
		if (fp) {
			fwrite(s, 1, len, fp);
			fclose(fp);
		}
	}
}

/* One decoded line: up to 8 string fields. */
struct rec {
	size_t n;
	char key[8][16];
	struct buf val[8];
};

/* Decodes the JSON string at *p (opening quote) into out.  Returns false
 * on a malformed string. */
static bool parse_string(const char **p, const char *end, struct buf *out)
{
	const char *s = *p;
	unsigned cp;
	int i;

	if (s >= end || *s != '"')
		return false;
	for (s++; s < end && *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return false;
		if (*s != '\\') {
			buf_putc(out, *s);
			continue;
		}
		if (++s >= end)
			return false;
		switch (*s) {
		case '"': buf_putc(out, '"'); break;
		case '\\': buf_putc(out, '\\'); break;
		case '/': buf_putc(out, '/'); break;
		case 'n': buf_putc(out, '\n'); break;
		case 't': buf_putc(out, '\t'); break;
		case 'r': buf_putc(out, '\r'); break;
		case 'b': buf_putc(out, '\b'); break;
		case 'f': buf_putc(out, '\f'); break;
		case 'u':
			if (end - s < 5)
				return false;
			for (cp = 0, i = 1; i <= 4; i++) {
				char c = s[i];
				cp <<= 4;
				if (c >= '0' && c <= '9')
					cp |= (unsigned)(c - '0');
				else if (c >= 'a' && c <= 'f')
					cp |= (unsigned)(c - 'a' + 10);
				else if (c >= 'A' && c <= 'F')
					cp |= (unsigned)(c - 'A' + 10);
				else
					return false;
			}
			s += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				/* the writer escapes tags (U+E0000..) as pairs */
				unsigned lo = 0;
				if (end - s < 7 || s[1] != '\\' || s[2] != 'u')
					return false;
				for (i = 3; i <= 6; i++) {
					char c = s[i];
					lo <<= 4;
					if (c >= '0' && c <= '9')
						lo |= (unsigned)(c - '0');
					else if (c >= 'a' && c <= 'f')
						lo |= (unsigned)(c - 'a' + 10);
					else
						return false;
				}
				if (lo < 0xdc00 || lo > 0xdfff)
					return false;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				s += 6;
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return false;
			}
			/* controls, and the characters that hide or reorder
			 * text (common/utf8.h utf8_hidden), as UTF-8 */
			if (cp < 0x80) {
				buf_putc(out, (char)cp);
			} else if (cp < 0x800) {
				buf_putc(out, (char)(0xc0 | cp >> 6));
				buf_putc(out, (char)(0x80 | (cp & 0x3f)));
			} else if (cp < 0x10000) {
				buf_putc(out, (char)(0xe0 | cp >> 12));
				buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
				buf_putc(out, (char)(0x80 | (cp & 0x3f)));
			} else {
				buf_putc(out, (char)(0xf0 | cp >> 18));
				buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
				buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
				buf_putc(out, (char)(0x80 | (cp & 0x3f)));
			}
			break;
		default:
			return false;
		}
	}
	if (s >= end)
		return false;
	*p = s + 1;
	return true;
}

static void rec_init(struct rec *r)
{
	size_t i;

	r->n = 0;
	for (i = 0; i < 8; i++)
		buf_init(&r->val[i]);
}

static void rec_done(struct rec *r)
{
	size_t i;

	for (i = 0; i < 8; i++)
		buf_done(&r->val[i]);
	r->n = 0;
}

/* Parses one line {"k":"v",...} into r.  Returns false when it is not a
 * flat JSON object of strings. */
static bool parse_line(const char *s, size_t len, struct rec *r)
{
	const char *p = s, *end = s + len;
	struct buf key = BUF_INIT;
	bool ok_ = false;

	for (r->n = 0; r->n < 8; r->n++)
		buf_reset(&r->val[r->n]);
	r->n = 0;
	if (p >= end || *p++ != '{')
		return false;
	for (;;) {
		buf_reset(&key);
		if (r->n >= 8 || !parse_string(&p, end, &key) || key.len >= 16)
			break;
		if (p >= end || *p++ != ':')
			break;
		memcpy(r->key[r->n], key.data, key.len + 1);
		if (!parse_string(&p, end, &r->val[r->n]))
			break;
		r->n++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		ok_ = p < end && *p == '}' && p + 1 == end;
		break;
	}
	buf_done(&key);
	return ok_;
}

/* The value of key in r, or NULL. */
static const struct buf *field(const struct rec *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->key[i], key) == 0)
			return &r->val[i];
	return NULL;
}

/* What a scan of a demo file found. */
struct summary {
	size_t lines, bad, real, synth, builtin, missing_seed, dup_ids;
	size_t bad_fields, man, man_escapes, long_line, cjk;
	size_t real_len_bad;    /* real documents outside 200..8192 bytes */
	size_t long_text;       /* real doc:text documents over 4 KB */
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks every line of the demo file in data and fills sm. */
static void scan(const struct buf *data, struct summary *sm)
{
	const char *p = data->data, *end = data->data + data->len, *nl;
	const struct buf *id, *text, *origin, *source, *purpose, *gen, *seed;
	char **real_ids = NULL, **all_ids = NULL, *key;
	size_t nreal = 0, nall = 0, i;
	struct rec r;

	rec_init(&r);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			sm->bad++;      /* every line ends with a newline */
			break;
		}
		sm->lines++;
		if (!parse_line(p, (size_t)(nl - p), &r)) {
			sm->bad++;
			p = nl + 1;
			continue;
		}
		p = nl + 1;
		id = field(&r, "id");
		text = field(&r, "text");
		origin = field(&r, "origin");
		source = field(&r, "source");
		purpose = field(&r, "purpose");
		gen = field(&r, "generator");
		seed = field(&r, "seed_id");
		if (!id || !text || !origin || !source || !purpose ||
		    text->len == 0) {
			sm->bad_fields++;
			continue;
		}
		all_ids = realloc(all_ids, (nall + 1) * sizeof *all_ids);
		all_ids[nall++] = strdup(id->data);
		if (strcmp(origin->data, "real") == 0) {
			if (gen || seed || strcmp(purpose->data, "reference") != 0)
				sm->bad_fields++;
			sm->real++;
			if (text->len < 200 || text->len > 8192)
				sm->real_len_bad++;
			if (strcmp(source->data, "doc:text") == 0 &&
			    text->len > 4096)
				sm->long_text++;
			if (strcmp(source->data, "builtin") == 0)
				sm->builtin++;
			if (strcmp(source->data, "man") == 0) {
				sm->man++;
				if (strstr(text->data, "\\fB") ||
				    strstr(text->data, "\\fI") ||
				    strstr(text->data, "\\fR") ||
				    strstr(text->data, "\\(em"))
					sm->man_escapes++;
			}
			real_ids = realloc(real_ids, (nreal + 1) * sizeof *real_ids);
			real_ids[nreal++] = strdup(id->data);
			qsort(real_ids, nreal, sizeof *real_ids, str_cmp);
		} else if (strcmp(origin->data, "synthetic") == 0) {
			sm->synth++;
			if (!gen || !seed) {
				sm->bad_fields++;
				continue;
			}
			/* the seed must be a real document seen before */
			key = seed->data;
			if (!nreal || !bsearch(&key, real_ids, nreal,
					       sizeof *real_ids, str_cmp))
				sm->missing_seed++;
			if (text->len >= 100000 && !memchr(text->data, '\n', text->len))
				sm->long_line++;
			if (strstr(text->data, "\xe4\xb8\xad\xe6\x96\x87") &&
			    strstr(text->data, "\xf0\x9f\x9a\x80"))
				sm->cjk++;      /* "中文" and a rocket */
		} else {
			sm->bad_fields++;
		}
	}
	if (nall > 1) {
		qsort(all_ids, nall, sizeof *all_ids, str_cmp);
		for (i = 1; i < nall; i++)
			if (strcmp(all_ids[i - 1], all_ids[i]) == 0)
				sm->dup_ids++;
	}
	for (i = 0; i < nreal; i++)
		free(real_ids[i]);
	for (i = 0; i < nall; i++)
		free(all_ids[i]);
	free(real_ids);
	free(all_ids);
	rec_done(&r);
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static char tmpdir[256];

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* ---- tests ---- */

struct progress_log {
	size_t calls, last_done, last_total, bad;
};

static void on_progress(void *ctx, size_t done, size_t total)
{
	struct progress_log *pl = ctx;

	pl->calls++;
	if (done > total || done < pl->last_done)
		pl->bad++;
	pl->last_done = done;
	pl->last_total = total;
}

static void test_default(void)
{
	struct demo_opts o;
	struct demo_stats st;
	struct pv_err err;
	struct buf a = BUF_INIT, b = BUF_INIT, tmpname = BUF_INIT;
	struct summary sm;
	struct progress_log pl;
	char p1[512], p2[512], p3[512];
	double frac;
	int rc;

	snprintf(p1, sizeof p1, "%s/one.jsonl", tmpdir);
	snprintf(p2, sizeof p2, "%s/two.jsonl", tmpdir);
	snprintf(p3, sizeof p3, "%s/three.jsonl", tmpdir);
	demo_opts_default(&o);
	is_int(o.ndocs_real, 600, "default: 600 real documents");
	memset(&pl, 0, sizeof pl);
	o.progress = on_progress;
	o.progress_ctx = &pl;
	pv_err_clear(&err);
	rc = demo_write(p1, &o, &st, &err);
	is_int(rc, 0, "default demo written (%s)", err.msg);
	ok(slurp(p1, &a), "output exists");
	buf_printf(&tmpname, "%s.tmp", p1);
	ok(!exists(tmpname.data), "no temporary file left behind");
	is_int(st.bytes, a.len, "stats count the bytes written");
	ok(pl.calls > 0 && pl.bad == 0, "progress called, done <= total, "
	   "monotonic (%zu calls)", pl.calls);
	is_int(pl.last_done, pl.last_total, "progress ends at done == total");

	memset(&sm, 0, sizeof sm);
	scan(&a, &sm);
	ok(sm.lines > 0 && sm.bad == 0, "every line is a JSON object of "
	   "strings (%zu lines, %zu bad)", sm.lines, sm.bad);
	is_int(sm.bad_fields, 0, "every line has the fields its origin needs");
	is_int(sm.dup_ids, 0, "ids are unique");
	is_int(sm.real_len_bad, 0, "real documents are 200 to 8192 bytes");
	is_int(sm.real, st.real, "real count matches the stats");
	is_int(sm.synth, st.synthetic, "synthetic count matches the stats");
	is_int(sm.missing_seed, 0, "every seed_id names an earlier real "
	       "document");
	frac = (double)sm.synth / (double)(sm.real + sm.synth);
	ok(frac > 0.30 && frac < 0.50, "about 40%% synthetic (%.1f%% of %zu)",
	   100.0 * frac, sm.real + sm.synth);
	ok(st.real >= 15, "a useful number of real documents (%zu, %zu "
	   "builtin, %zu files)", st.real, st.builtin, st.files);
	is_int(sm.man_escapes, 0, "man pages lost their roff escapes "
	       "(%zu man documents)", sm.man);
	ok(strstr(a.data, "\\u001b[2J") && strstr(a.data, "\\u001b]0;") &&
	   strstr(a.data, "\\u0007"), "the terminal-escape document is "
	   "there, its ESC and BEL JSON-escaped");
	ok(!memchr(a.data, 0x1b, a.len), "no raw ESC byte in the file");
	ok(sm.cjk >= 1, "the CJK and emoji document is there");
	ok(sm.long_line >= 1, "the long single-line document is there");

	/* same seed: same bytes; another seed: other bytes */
	o.progress = NULL;
	rc = demo_write(p2, &o, NULL, &err);
	ok(rc == 0 && slurp(p2, &b), "second run written");
	ok(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
	   "same seed gives identical bytes");
	o.seed = 99;
	rc = demo_write(p3, &o, NULL, &err);
	ok(rc == 0 && slurp(p3, &b), "run with another seed written");
	ok(a.len != b.len || memcmp(a.data, b.data, a.len) != 0,
	   "another seed gives another corpus");

	unlink(p1);
	unlink(p2);
	unlink(p3);
	buf_done(&a);
	buf_done(&b);
	buf_done(&tmpname);
}

static void test_fallback(void)
{
	struct demo_opts o;
	struct demo_stats st;
	struct pv_err err;
	struct buf a = BUF_INIT;
	struct summary sm;
	char empty[512], out[512];
	const char *roots[2];
	int rc;

	snprintf(empty, sizeof empty, "%s/empty", tmpdir);
	snprintf(out, sizeof out, "%s/fallback.jsonl", tmpdir);
	mkdir(empty, 0700);
	roots[0] = empty;
	roots[1] = NULL;
	demo_opts_default(&o);
	o.roots = roots;
	pv_err_clear(&err);
	rc = demo_write(out, &o, &st, &err);
	is_int(rc, 0, "fallback: written from an empty root (%s)", err.msg);
	ok(st.real > 10 && st.builtin == st.real, "fallback: %zu builtin "
	   "real documents", st.builtin);
	ok(st.synthetic > 3, "fallback: synthetic documents too (%zu)",
	   st.synthetic);
	memset(&sm, 0, sizeof sm);
	ok(slurp(out, &a), "fallback: output readable");
	scan(&a, &sm);
	ok(sm.bad == 0 && sm.bad_fields == 0 && sm.missing_seed == 0,
	   "fallback: well-formed and linked");
	is_int(sm.builtin, sm.real, "fallback: every real document is builtin");
	ok(sm.cjk == 1 && sm.long_line == 1 && strstr(a.data, "\\u001b[2J"),
	   "fallback: hard cases present");

	/* no seeds: only the hard cases are synthetic */
	o.seed_every = 0;
	rc = demo_write(out, &o, &st, &err);
	ok(rc == 0 && st.synthetic == 3, "seed_every 0: only the three hard "
	   "cases (%zu)", st.synthetic);
	unlink(out);
	rmdir(empty);
	buf_done(&a);
}

static const char man_page[] =
	".\\\" a comment that must not show\n"
	".TH FROB 1 \"2024\" \"frob 1.0\"\n"
	".SH NAME\n"
	"frob \\- frobnicate the widgets\n"
	".SH DESCRIPTION\n"
	".B frob\n"
	"reads \\fIwidgets\\fR from standard input and frobnicates them\\(em\n"
	"carefully, one at a time, in the order given.\n"
	".PP\n"
	"Each widget is checked before it is frobnicated; a widget that\n"
	"cannot be frobnicated is reported on standard error with its\n"
	"line number and left as it was.\n"
	".TP\n"
	".BR \\-q \", \" \\-\\-quiet\n"
	"Report nothing; the exit status says whether all went well.\n"
	".TS\n"
	"tab(:);\n"
	"l l.\n"
	"TABLEJUNK:TABLEJUNK\n"
	".TE\n"
	".SH SEE ALSO\n"
	".BR widget (5)\n";

static const char readme[] =
	"Zyxwvut is a small program that keeps a careful list of widgets and\n"
	"their owners.  It reads the list at start, answers questions about\n"
	"it, and writes it back when asked to.\n\n"
	"This README explains how to build it, how to run it, and where to\n"
	"send reports when something goes wrong with the widget list.\n";

static void test_roots(void)
{
	struct demo_opts o;
	struct demo_stats st;
	struct pv_err err;
	struct buf a = BUF_INIT, path = BUF_INIT, long_para = BUF_INIT;
	struct summary sm;
	char root[512], out[512];
	const char *roots[2];
	static const char bin[] = "binarymarker prose prose prose\0\x01\x02";
	static const char latin[] = "latinmarker caf\xe9 au lait, a long "
		"enough paragraph of text that is not UTF-8 at all, so it is "
		"skipped by the scanner even though it is prose otherwise and "
		"would easily pass the length check of two hundred bytes.\n";
	int rc;

	snprintf(root, sizeof root, "%s/root", tmpdir);
	snprintf(out, sizeof out, "%s/roots.jsonl", tmpdir);
	mkdir(root, 0700);
	buf_printf(&path, "%s/man", root);
	mkdir(path.data, 0700);
	buf_puts(&path, "/man1");
	mkdir(path.data, 0700);
	buf_puts(&path, "/frob.1.gz");
	spew(path.data, man_page, sizeof man_page - 1, true);
	buf_reset(&path);
	buf_printf(&path, "%s/doc", root);
	mkdir(path.data, 0700);
	buf_puts(&path, "/pkg");
	mkdir(path.data, 0700);
	buf_puts(&path, "/README");
	spew(path.data, readme, sizeof readme - 1, false);
	buf_reset(&path);
	buf_printf(&path, "%s/doc/pkg2", root);
	mkdir(path.data, 0700);
	buf_puts(&path, "/README");
	spew(path.data, readme, sizeof readme - 1, false);   /* duplicate */
	buf_reset(&path);
	buf_printf(&path, "%s/doc/pkg/NOTES", root);
	spew(path.data, bin, sizeof bin - 1, false);
	buf_reset(&path);
	buf_printf(&path, "%s/doc/pkg/LATIN", root);
	spew(path.data, latin, sizeof latin - 1, false);
	/* one 20 KB paragraph: cut at line ends into documents <= 8 KB */
	buf_reset(&long_para);
	while (long_para.len < 20000)
		buf_printf(&long_para, "line %zu of one very long paragraph "
			   "without a blank line\n", long_para.len);
	buf_reset(&path);
	buf_printf(&path, "%s/doc/pkg/LONG", root);
	spew(path.data, long_para.data, long_para.len, false);

	roots[0] = root;
	roots[1] = NULL;
	demo_opts_default(&o);
	o.roots = roots;
	o.seed = 7;
	pv_err_clear(&err);
	rc = demo_write(out, &o, &st, &err);
	is_int(rc, 0, "roots: written (%s)", err.msg);
	ok(slurp(out, &a), "roots: output readable");
	memset(&sm, 0, sizeof sm);
	scan(&a, &sm);
	ok(sm.bad == 0 && sm.bad_fields == 0 && sm.missing_seed == 0,
	   "roots: well-formed and linked");
	is_int(sm.man, 1, "roots: the gzipped man page is one document");
	is_int(sm.real_len_bad, 0, "roots: real documents are 200 to 8192 "
	       "bytes");
	ok(sm.long_text >= 2, "roots: a 20 KB paragraph gives several "
	   "long documents (%zu)", sm.long_text);
	ok(strstr(a.data, "\"NAME\\nfrob - frobnicate the widgets\\n\\n"
		  "DESCRIPTION\\nfrob reads widgets from standard input and "
		  "frobnicates them\xe2\x80\x94 carefully,") != NULL,
	   "roots: roff markup stripped, lines filled, escapes mapped");
	ok(strstr(a.data, "\\n-q, --quiet\\nReport nothing") != NULL,
	   "roots: .TP tag on a line of its own");
	ok(!strstr(a.data, "must not show") && !strstr(a.data, "TABLEJUNK") &&
	   !strstr(a.data, "FROB 1"), "roots: comments, tables and .TH dropped");
	ok(strstr(a.data, "\"source\":\"doc:readme\"") != NULL,
	   "roots: README classified as doc:readme");
	ok(!strstr(a.data, "binarymarker"), "roots: binary file skipped");
	ok(!strstr(a.data, "latinmarker"), "roots: non-UTF-8 file skipped");
	ok(sm.builtin > 0, "roots: few documents found, builtins added");
	{
		/* the README is one real document; synthetic ones may quote it */
		const char *q = a.data;
		size_t n = 0;
		while ((q = strstr(q, "\"text\":\"Zyxwvut is a small program "
				       "that keeps a careful list of widgets "
				       "and\\ntheir owners.")) != NULL) {
			n++;
			q++;
		}
		is_int(n, 1, "roots: identical files give one document");
	}
	unlink(out);
	buf_done(&a);
	buf_done(&path);
	buf_done(&long_para);
}

static void test_errors(void)
{
	struct demo_opts o;
	struct pv_err err;
	const char *bad = "/nonexistent-provex-dir/sub/demo.jsonl";
	int rc;

	demo_opts_default(&o);
	pv_err_clear(&err);
	rc = demo_write(bad, &o, NULL, &err);
	is_int(rc, PV_EIO, "unwritable path: PV_EIO");
	ok(strstr(err.msg, bad) != NULL, "the message names the path: %s",
	   err.msg);
	ok(!exists("/nonexistent-provex-dir"), "nothing created");

	o.ndocs_real = 0;
	rc = demo_write("/tmp/never-written.jsonl", &o, NULL, &err);
	is_int(rc, PV_EINVAL, "ndocs_real 0: PV_EINVAL");
}

int main(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/provex-demo-XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! cannot create a temporary folder: %s\n",
		       strerror(errno));
		return 1;
	}
	test_default();
	test_fallback();
	test_roots();
	test_errors();
	if (nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		printf("# could not remove %s\n", tmpdir);
	return tap_done();
}
