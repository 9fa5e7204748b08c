/*
 * real.c - the real documents of the demo corpus: finding candidate files
 * under the system documentation folders (a bounded, sorted walk), reading
 * them (gzip through zlib, man pages through roff.c), cutting them at
 * paragraph boundaries into documents of DEMO_DOC_MIN..DEMO_DOC_MAX bytes,
 * and keeping each distinct text once (struct corpus).
 *
 * Every file and document is owned by the corpus or the candidate lists
 * passed in; nothing is kept between calls.
 */
#include "demo_int.h"
#include "../common/utf8.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ------------------------------------------------------------------ */
/* The real documents, deduplicated                                    */

/* Rebuilds the dedupe table with nslot slots (a power of two). */
static void corpus_rehash(struct corpus *c, size_t nslot)
{
	size_t *slot = pv_calloc(nslot, sizeof *slot);
	uint64_t *hash = pv_calloc(nslot, sizeof *hash);
	size_t i, j;

	for (i = 0; i < c->nslot; i++) {
		if (!c->slot[i])
			continue;
		j = (size_t)c->slot_hash[i] & (nslot - 1);
		while (slot[j])
			j = (j + 1) & (nslot - 1);
		slot[j] = c->slot[i];
		hash[j] = c->slot_hash[i];
	}
	free(c->slot);
	free(c->slot_hash);
	c->slot = slot;
	c->slot_hash = hash;
	c->nslot = nslot;
}

/* Adds a copy of s as a real document unless the same text is already
 * there.  Returns true when it was added.  source must be a static
 * string. */
bool demo_corpus_add(struct corpus *c, const char *s, size_t len,
		     const char *source)
{
	uint64_t h = fnv1a(s, len);
	struct doc *d;
	size_t j, mask;

	if ((c->n + 1) * 2 > c->nslot)
		corpus_rehash(c, c->nslot ? c->nslot * 2 : 1024);
	mask = c->nslot - 1;
	for (j = (size_t)h & mask; c->slot[j]; j = (j + 1) & mask) {
		d = &c->v[c->slot[j] - 1];
		if (c->slot_hash[j] == h && d->len == len &&
		    memcmp(d->text, s, len) == 0)
			return false;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = pv_realloc(c->v, c->cap * sizeof *c->v);
	}
	d = &c->v[c->n];
	d->text = pv_strndup(s, len);
	d->len = len;
	d->source = source;
	d->tok0 = d->tok1 = 0;
	c->slot[j] = ++c->n;
	c->slot_hash[j] = h;
	return true;
}

/* Frees everything the corpus owns. */
void demo_corpus_free(struct corpus *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].text);
	free(c->v);
	free(c->slot);
	free(c->slot_hash);
	memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------------ */
/* Finding candidate files                                             */

struct dent {
	char *name;             /* owned */
	unsigned char type;     /* DT_* */
};

/* Extensions (after a .gz is taken off) of files that are not prose. */
static const char *const skip_ext[] = {
	"html", "htm", "xhtml", "xml", "css", "js", "json", "png", "jpg",
	"jpeg", "gif", "svg", "ico", "bmp", "pdf", "ps", "eps", "dvi", "bz2",
	"xz", "zst", "lz", "lzma", "zip", "tar", "tgz", "jar", "class", "so",
	"o", "a", "py", "pl", "pm", "rb", "sh", "bash", "c", "h", "cc", "cpp",
	"hpp", "java", "go", "rs", "el", "vim", "tex", "sty", "mk", "cmake",
	"in", "am", "ac", "m4", "patch", "diff", "yaml", "yml", "toml", "ini",
	"cfg", "conf", "desktop", "ttf", "otf", "woff", "db", "sqlite", "gpg",
	"asc", "sig", "pem", "crt", "key", "csv", "tsv", "dat", "bin", "gz",
	"awk", "sed", "lua", "tcl", "php", "rdf", "sgml", "dtd", "xsl", "texi",
	"info", "man", "mdoc", "map", "po", "pot", "mo", "ps1", "bat", "cmd",
	NULL
};

/* True for folders whose files are licence texts. */
static bool is_license_dir(const char *name)
{
	return strcmp(name, "common-licenses") == 0 ||
	       strcmp(name, "licenses") == 0 || strcmp(name, "LICENSES") == 0;
}

/* Decides what file `name` in folder `parent` is.  Returns its bucket
 * (B_MAN, B_DOC, B_LICENSE) and sets *source, or -1 to skip the file. */
static int classify(const char *name, const char *parent, bool licenses,
		    const char **source)
{
	char low[256];
	const char *ext;
	size_t n = strlen(name), i;

	if (n == 0 || n >= sizeof low)
		return -1;
	for (i = 0; i <= n; i++)
		low[i] = (char)to_lower((unsigned char)name[i]);
	if (n > 3 && strcmp(low + n - 3, ".gz") == 0)
		low[n -= 3] = '\0';
	ext = strrchr(low, '.');
	if (strncmp(parent, "man", 3) == 0 && ext &&
	    is_digit((unsigned char)ext[1])) {
		*source = "man";
		return B_MAN;
	}
	if (ext && (in_list(ext + 1, skip_ext) || is_digit((unsigned char)ext[1])))
		return -1;
	if (strncmp(low, "makefile", 8) == 0 || strncmp(low, "index", 5) == 0)
		return -1;
	if (licenses || strncmp(low, "license", 7) == 0 ||
	    strncmp(low, "licence", 7) == 0 || strncmp(low, "copying", 7) == 0) {
		*source = "license";
		return B_LICENSE;
	}
	if (strncmp(low, "changelog", 9) == 0 || strncmp(low, "changes", 7) == 0)
		*source = "doc:changelog";
	else if (strncmp(low, "readme", 6) == 0)
		*source = "doc:readme";
	else if (strncmp(low, "copyright", 9) == 0)
		*source = "doc:copyright";
	else if (strncmp(low, "news", 4) == 0)
		*source = "doc:news";
	else if (strncmp(low, "authors", 7) == 0 ||
		 strncmp(low, "thanks", 6) == 0 || strncmp(low, "credits", 7) == 0)
		*source = "doc:authors";
	else if (strncmp(low, "todo", 4) == 0)
		*source = "doc:todo";
	else
		*source = "doc:text";
	return B_DOC;
}

/* Adds file path (taking ownership) to bucket k. */
static void cands_push(struct cands *b, char *path, const char *source)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->v = pv_realloc(b->v, b->cap * sizeof *b->v);
	}
	b->v[b->n].path = path;
	b->v[b->n].source = source;
	b->n++;
}

static int dent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dent *)a)->name,
		      ((const struct dent *)b)->name);
}

/* Last path component of path (borrowed). */
static const char *base_name(const char *path)
{
	const char *p = strrchr(path, '/');

	return p && p[1] ? p + 1 : path;
}

/* Walks folder dir in sorted order, adding candidate files to the buckets.
 * Symbolic links, hidden entries and "examples" folders are skipped; in a
 * folder named "man" only man* subfolders are entered (no translations).
 * *entries counts directory entries against DEMO_MAX_ENTRIES. */
static void scan_dir(struct cands *b, const char *dir, int depth,
		     bool licenses, size_t *entries)
{
	const char *base = base_name(dir), *source;
	bool man_root = strcmp(base, "man") == 0;
	struct dent *ents = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	struct stat sb;
	struct buf path = BUF_INIT;
	unsigned char type;
	DIR *d;
	int k;

	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL && *entries < DEMO_MAX_ENTRIES) {
		if (e->d_name[0] == '.')
			continue;
		(*entries)++;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ents = pv_realloc(ents, cap * sizeof *ents);
		}
		ents[n].name = pv_strdup(e->d_name);
		ents[n].type = e->d_type;
		n++;
	}
	closedir(d);
	if (n)
		qsort(ents, n, sizeof *ents, dent_cmp);
	for (i = 0; i < n; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, ents[i].name);
		type = ents[i].type;
		if (type == DT_UNKNOWN) {
			if (lstat(path.data, &sb) != 0)
				type = DT_LNK;
			else
				type = S_ISDIR(sb.st_mode) ? DT_DIR :
				       S_ISREG(sb.st_mode) ? DT_REG : DT_LNK;
		}
		if (type == DT_DIR) {
			if (depth < DEMO_MAX_DEPTH &&
			    !(man_root && strncmp(ents[i].name, "man", 3) != 0) &&
			    strcmp(ents[i].name, "examples") != 0)
				scan_dir(b, path.data, depth + 1,
					 licenses || is_license_dir(ents[i].name),
					 entries);
		} else if (type == DT_REG) {
			k = classify(ents[i].name, base, licenses, &source);
			if (k >= 0)
				cands_push(&b[k], buf_take(&path), source);
		}
	}
	for (i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
	buf_done(&path);
}

/* Collects candidate files under each root into the buckets. */
void demo_scan_roots(struct cands *b, const char *const *roots)
{
	const char *source;
	char parent[256];
	struct stat sb;
	size_t entries;
	const char *slash;
	int k;

	for (; *roots; roots++) {
		if (stat(*roots, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			entries = 0;
			scan_dir(b, *roots, 0, is_license_dir(base_name(*roots)),
				 &entries);
		} else if (S_ISREG(sb.st_mode)) {
			slash = strrchr(*roots, '/');
			parent[0] = '\0';
			if (slash && slash > *roots) {
				const char *pb = slash - 1;
				while (pb > *roots && pb[-1] != '/')
					pb--;
				snprintf(parent, sizeof parent, "%.*s",
					 (int)(slash - pb), pb);
			}
			k = classify(base_name(*roots), parent,
				     is_license_dir(parent), &source);
			if (k >= 0)
				cands_push(&b[k], pv_strdup(*roots), source);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Reading files and cutting them into documents                       */

/* Reads up to max bytes of path, gunzipping transparently.  Returns false
 * when the file cannot be read; else out holds the bytes and *more says
 * whether the file is longer. */
static bool read_prefix(const char *path, struct buf *out, size_t max,
			bool *more)
{
	gzFile g;
	int n;

	g = gzopen(path, "rb");
	if (!g)
		return false;
	buf_reset(out);
	buf_reserve(out, max + 1);
	n = gzread(g, out->data, (unsigned)(max + 1));
	gzclose(g);
	if (n < 0)
		return false;
	out->len = (size_t)n;
	*more = out->len > max;
	if (*more)
		out->len = max;
	out->data[out->len] = '\0';
	return true;
}

/* True when s looks like text: no NUL or control bytes other than
 * whitespace, and valid UTF-8. */
static bool text_ok(const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c < 0x20 && !is_ws(c)) || c == 0x7f)
			return false;
	}
	return utf8_valid(s, len);
}

/* True when at least 60% of s is letters (any non-ASCII counts) or
 * blanks: prose rather than tables, code or dumps. */
static bool prose_ok(const char *s, size_t len)
{
	size_t i, good = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (is_alpha(c) || c >= 0x80 || c == ' ')
			good++;
	}
	return good * 10 >= len * 6;
}

/* State for cutting one text into documents. */
struct cutter {
	struct corpus *c;
	const char *s;          /* the text */
	const char *source;
	size_t want;            /* stop when the corpus has this many */
	size_t left;            /* documents this text may still give */
	size_t start, end;      /* pending document: s[start..end), or start == end */
	size_t target;          /* size at which the pending document is cut */
	uint64_t *rng;
};

/* Emits s[a..b) as a document when it is long enough and prose-like. */
static void cut_emit(struct cutter *k, size_t a, size_t b)
{
	while (b > a && is_ws((unsigned char)k->s[b - 1]))
		b--;
	if (k->left == 0 || k->c->n >= k->want || b - a < DEMO_DOC_MIN ||
	    !prose_ok(k->s + a, b - a))
		return;
	if (demo_corpus_add(k->c, k->s + a, b - a, k->source))
		k->left--;
}

/* Adds paragraph s[a..b) to the pending document, cutting documents when
 * they reach their target size or would pass DEMO_DOC_MAX. */
static void cut_para(struct cutter *k, size_t a, size_t b)
{
	size_t cut, lim, q;

	/* a paragraph longer than a document: cut it at lines or words */
	while (b - a > DEMO_DOC_MAX) {
		if (k->end > k->start)
			cut_emit(k, k->start, k->end);
		k->start = k->end = 0;
		lim = a + DEMO_DOC_MAX;
		for (cut = lim; cut > a + DEMO_DOC_MIN && k->s[cut] != '\n'; cut--)
			;
		if (cut <= a + DEMO_DOC_MIN)
			for (cut = lim; cut > a + DEMO_DOC_MIN && k->s[cut] != ' '; cut--)
				;
		if (cut <= a + DEMO_DOC_MIN)
			for (cut = lim; cut > a &&
			     ((unsigned char)k->s[cut] & 0xc0) == 0x80; cut--)
				;
		cut_emit(k, a, cut);
		for (q = cut; q < b && is_ws((unsigned char)k->s[q]); q++)
			;
		a = q;
	}
	if (a >= b)
		return;
	if (k->end > k->start && b - k->start > DEMO_DOC_MAX) {
		cut_emit(k, k->start, k->end);
		k->start = k->end = 0;
	}
	if (k->end == k->start)
		k->start = a;
	k->end = b;
	if (k->end - k->start >= k->target) {
		cut_emit(k, k->start, k->end);
		k->start = k->end = 0;
		k->target = 400 + rng_below(k->rng, 3601);
	}
}

/* Cuts text s (len bytes) into documents at blank lines and adds them to
 * the corpus, at most `most` of them. */
static void cut_text(struct corpus *c, const char *s, size_t len,
		     const char *source, size_t most, size_t want, uint64_t *rng)
{
	struct cutter k;
	size_t p = 0, eol, q, pa = 0, pb = 0;
	bool blank, in_para = false;

	k.c = c;
	k.s = s;
	k.source = source;
	k.want = want;
	k.left = most;
	k.start = k.end = 0;
	k.target = 400 + rng_below(rng, 3601);
	k.rng = rng;
	while (p < len && k.left && c->n < want) {
		for (eol = p; eol < len && s[eol] != '\n'; eol++)
			;
		for (blank = true, q = p; q < eol; q++)
			if (!is_ws((unsigned char)s[q]))
				blank = false;
		if (blank) {
			if (in_para)
				cut_para(&k, pa, pb);
			in_para = false;
		} else {
			if (!in_para)
				pa = p;
			in_para = true;
			pb = eol;
		}
		p = eol < len ? eol + 1 : len;
	}
	if (in_para)
		cut_para(&k, pa, pb);
	if (k.end > k.start)
		cut_emit(&k, k.start, k.end);
}

/* Reads one candidate file and adds its documents.  Returns the number of
 * text bytes read (0 when the file was skipped before reading). */
size_t demo_read_cand(struct corpus *c, const struct cand *f, bool man,
		      size_t want, struct buf *raw, struct buf *txt,
		      uint64_t *rng)
{
	bool more = false;
	size_t len, read;
	char *p;

	if (!read_prefix(f->path, raw, DEMO_FILE_PREFIX, &more))
		return 0;
	read = raw->len;
	len = raw->len;
	if (more) {
		/* cut at the last paragraph (else line) break we have */
		for (len = raw->len; len > 1; len--)
			if (raw->data[len - 1] == '\n' && raw->data[len - 2] == '\n')
				break;
		if (len <= raw->len / 2) {
			p = memrchr(raw->data, '\n', raw->len);
			len = p ? (size_t)(p - raw->data) : 0;
		}
	}
	if (len == 0 || !text_ok(raw->data, len))
		return read;
	if (man) {
		buf_reset(txt);
		if (!demo_roff_to_text(txt, raw->data, len) ||
		    !utf8_valid(buf_str(txt), txt->len))
			return read;
		cut_text(c, buf_str(txt), txt->len, f->source,
			 DEMO_DOCS_PER_FILE, want, rng);
	} else {
		cut_text(c, raw->data, len, f->source, DEMO_DOCS_PER_FILE, want,
			 rng);
	}
	return read;
}
