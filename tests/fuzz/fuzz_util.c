/*
 * fuzz_util.c - helpers of fuzz.h: failing a property, temporary files.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_%s: property broken at %s:%d: ", fuzz_name, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* The folder (static storage) and the files made in it, for cleanup. */
static char dir[480];
static char *made[16];
static size_t nmade;

/* cleanup - removes the files fuzz_file made and the folder (atexit). */
static void cleanup(void)
{
	size_t k;

	for (k = 0; k < nmade; k++) {
		unlink(made[k]);
		free(made[k]);
	}
	nmade = 0;
	if (dir[0])
		rmdir(dir);
}

const char *fuzz_dir(void)
{
	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof dir, "%s/provex-fuzz-XXXXXX",
			 tmp && *tmp && strlen(tmp) < sizeof dir - 32 ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			fprintf(stderr, "fuzz_%s: cannot make a folder %s: %s\n",
				fuzz_name, dir, strerror(errno));
			abort();
		}
		atexit(cleanup);
	}
	return dir;
}

const char *fuzz_file(const char *name, const void *data, size_t size)
{
	size_t k, len = strlen(fuzz_dir()) + strlen(name) + 2;
	const char *p = (const char *)data;
	char *path = NULL;
	int fd;

	for (k = 0; k < nmade; k++) {
		const char *base = strrchr(made[k], '/') + 1;

		if (strcmp(base, name) == 0)
			path = made[k];
	}
	if (!path) {
		if (nmade == sizeof made / sizeof *made || !(path = malloc(len))) {
			fprintf(stderr, "fuzz_%s: too many temporary files\n", fuzz_name);
			abort();
		}
		snprintf(path, len, "%s/%s", dir, name);
		made[nmade++] = path;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "fuzz_%s: cannot write %s: %s\n", fuzz_name, path,
			strerror(errno));
		abort();
	}
	while (size > 0) {
		ssize_t n = write(fd, p, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "fuzz_%s: cannot write %s: %s\n", fuzz_name,
				path, strerror(errno));
			abort();
		}
		p += n;
		size -= (size_t)n;
	}
	close(fd);
	return path;
}
