/*
 * walk.h - finding the input files under a path: one named file (or "-"),
 * or every regular file below a directory, in a fixed order.
 */
#ifndef PV_WALK_H
#define PV_WALK_H

#include "../common/pv.h"

/*
 * Calls cb(ctx, file) for each input under path.
 *
 * A regular file (or anything that is not a directory) and "-" are given to
 * cb once, as named, whatever glob says.  A directory is walked
 * recursively, names sorted with strcmp in each directory, skipping names
 * that start with '.', not following symbolic links to directories (links
 * to files are followed); cb gets "path/rel/name" for each regular file
 * whose path relative to the directory, or whose base name, matches glob
 * (fnmatch; NULL matches every file).
 *
 * A subdirectory or file below path that cannot be read is reported
 * through warn(ctx, e) (warn may be NULL) and skipped.  Returns 0 when the
 * walk is complete, the first nonzero value cb returns (which stops the
 * walk), or a negative code with err set when path itself is missing or
 * cannot be read.
 */
int walk_inputs(const char *path, const char *glob,
		int (*cb)(void *ctx, const char *file),
		void (*warn)(void *ctx, const struct pv_err *e),
		void *ctx, struct pv_err *err);

#endif
