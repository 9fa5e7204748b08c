/*
 * walk.c - finding input files: a named file as it is, or a directory
 * walked depth-first with the names of each directory sorted (strcmp), so
 * the order (and so record numbering in a store) never depends on the
 * file system.  Owns nothing beyond one walk: a path buffer and, per
 * directory being walked, its sorted list of names.
 */
#include "walk.h"
#include "../common/buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct walk {
	const char *glob;
	int (*cb)(void *ctx, const char *file);
	void (*warn)(void *ctx, const struct pv_err *e);
	void *ctx;
	size_t rootlen;             /* path.data + rootlen is the relative path */
	struct buf path;            /* the entry being looked at */
};

/* Reports a problem with the current path through warn, if there is one. */
static void warn_path(struct walk *w, int code, const char *what, int errnum)
{
	struct pv_err e;

	if (!w->warn)
		return;
	pv_errf(&e, code, "%s '%s': %s", what, w->path.data, strerror(errnum));
	w->warn(w->ctx, &e);
}

/* qsort comparator for an array of C strings. */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True when the current file is selected by the glob. */
static int selected(const struct walk *w)
{
	const char *rel = w->path.data + w->rootlen;
	const char *base = strrchr(rel, '/');

	if (!w->glob)
		return 1;
	base = base ? base + 1 : rel;
	return fnmatch(w->glob, rel, FNM_PATHNAME) == 0 ||
	       fnmatch(w->glob, base, 0) == 0;
}

/*
 * Reads the names in directory w->path (without the hidden ones) into a
 * sorted, allocated array (*names, *n; free each and the array).  Returns
 * 0, or -errno when the directory cannot be opened or read.
 */
static int list_dir(struct walk *w, char ***names, size_t *n)
{
	DIR *d;
	struct dirent *de;
	size_t cap = 0, i;
	int e;

	*names = NULL;
	*n = 0;
	d = opendir(w->path.data);
	if (!d)
		return -errno;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*names = pv_realloc(*names, cap * sizeof **names);
		}
		(*names)[(*n)++] = pv_strdup(de->d_name);
	}
	e = errno;
	closedir(d);
	if (e) {
		for (i = 0; i < *n; i++)
			free((*names)[i]);
		free(*names);
		*names = NULL;
		*n = 0;
		return -e;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof **names, cmp_names);
	return 0;
}

/*
 * Walks directory w->path.  A directory that cannot be listed is an error
 * for the top one (returned), a warning below it.  Returns 0, the nonzero
 * value of cb that stopped the walk, or a negative code.
 */
static int walk_dir(struct walk *w, int top, struct pv_err *err)
{
	char **names;
	size_t n, i, save;
	struct stat st;
	int rc = 0, fd;

	rc = list_dir(w, &names, &n);
	if (rc < 0) {
		if (top)
			return pv_errf(err, PV_EIO, "cannot read directory '%s': %s",
				       w->path.data, strerror(-rc));
		warn_path(w, PV_EIO, "cannot read directory", -rc);
		return 0;
	}
	save = w->path.len;
	for (i = 0; i < n && rc == 0; i++) {
		w->path.len = save;
		if (save > 0 && w->path.data[save - 1] != '/')
			buf_putc(&w->path, '/');
		buf_puts(&w->path, names[i]);
		if (lstat(w->path.data, &st) < 0) {
			warn_path(w, PV_EIO, "cannot read", errno);
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			if (stat(w->path.data, &st) < 0) {
				warn_path(w, PV_EIO, "cannot follow link", errno);
				continue;
			}
			if (S_ISDIR(st.st_mode))
				continue;       /* symbolic links to directories: not followed */
		}
		if (S_ISDIR(st.st_mode)) {
			rc = walk_dir(w, 0, err);
			continue;
		}
		if (!S_ISREG(st.st_mode) || !selected(w))
			continue;
		fd = open(w->path.data, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			warn_path(w, PV_EIO, "cannot open", errno);
			continue;
		}
		close(fd);
		rc = w->cb(w->ctx, w->path.data);
	}
	w->path.len = save;
	w->path.data[save] = '\0';
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/*
 * walk_inputs - see walk.h.  Returns 0, cb's stopping value, or a negative
 * code with err naming path.
 */
int walk_inputs(const char *path, const char *glob,
		int (*cb)(void *ctx, const char *file),
		void (*warn)(void *ctx, const struct pv_err *e),
		void *ctx, struct pv_err *err)
{
	struct walk w;
	struct stat st;
	int rc;

	if (strcmp(path, "-") == 0)
		return cb(ctx, path);
	if (stat(path, &st) < 0)
		return pv_errf(err, errno == ENOENT || errno == ENOTDIR
			       ? PV_ENOTFOUND : PV_EIO,
			       "cannot open '%s': %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cb(ctx, path);

	w.glob = glob;
	w.cb = cb;
	w.warn = warn;
	w.ctx = ctx;
	buf_init(&w.path);
	buf_puts(&w.path, path);
	w.rootlen = w.path.len;
	if (w.rootlen == 0 || w.path.data[w.rootlen - 1] != '/')
		w.rootlen++;            /* the '/' added before each name */
	rc = walk_dir(&w, 1, err);
	buf_done(&w.path);
	return rc;
}
