/*
 * replay.c - the main() of a fuzz target built without libFuzzer: runs
 * every file of tests/fuzz/corpus/NAME and tests/fuzz/regress/NAME (or
 * the files and folders named on the command line) once through
 * LLVMFuzzerTestOneInput, printing one TAP line per file.  A broken
 * property aborts (fuzz_check), which fails the test with the message;
 * make check runs this under ASan and UBSan, and under valgrind.
 *
 * With ./configure --enable-fuzzing this file compiles to nothing and
 * libFuzzer supplies main().
 */
#include "config.h"
#include "fuzz.h"

#ifndef PV_FUZZING

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int ntests, nfailed;

/* cmp - qsort order of file names. */
static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* run_file - reads path whole and runs it through the target. */
static void run_file(const char *path, const char *shown)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t len = 0, cap = 0, n;

	ntests++;
	if (!f) {
		printf("not ok %d - %s: cannot open: %s\n", ntests, shown, strerror(errno));
		nfailed++;
		return;
	}
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(data = realloc(data, cap))) {
				printf("not ok %d - %s: out of memory\n", ntests, shown);
				nfailed++;
				fclose(f);
				return;
			}
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	/* libFuzzer's data pointer is never NULL, and an exact-size copy lets
	 * ASan and valgrind see a read past the end */
	{
		unsigned char *exact = malloc(len ? len : 1);

		if (!exact) {
			printf("not ok %d - %s: out of memory\n", ntests, shown);
			nfailed++;
			free(data);
			return;
		}
		if (len)
			memcpy(exact, data, len);
		free(data);
		fflush(stdout);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	printf("ok %d - %s (%zu bytes): no property broken\n", ntests, shown, len);
	fflush(stdout);
}

/* run_path - a file, or every file of a folder (sorted, not recursive);
 * returns the number of files run, or -1 when path is missing. */
static int run_path(const char *path, int must_exist)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, k;

	if (stat(path, &st) != 0) {
		if (must_exist) {
			ntests++;
			nfailed++;
			printf("not ok %d - %s: %s\n", ntests, path, strerror(errno));
		}
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path, path);
		return 1;
	}
	if (!(d = opendir(path)))
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof *names);
			if (!names)
				abort();
		}
		if (!(names[n++] = strdup(de->d_name)))
			abort();
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	for (k = 0; k < n; k++) {
		size_t len = strlen(path) + strlen(names[k]) + 2;
		char *full = malloc(len);

		if (!full)
			abort();
		snprintf(full, len, "%s/%s", path, names[k]);
		run_file(full, full + (strncmp(full, PV_SRCDIR "/", sizeof PV_SRCDIR) == 0 ?
				       sizeof PV_SRCDIR : 0));
		free(full);
		free(names[k]);
	}
	free(names);
	return (int)n;
}

int main(int argc, char **argv)
{
	int i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			run_path(argv[i], 1);
	} else {
		char path[1024];
		int seeds;

		snprintf(path, sizeof path, "%s/tests/fuzz/corpus/%s", PV_SRCDIR, fuzz_name);
		seeds = run_path(path, 1);
		snprintf(path, sizeof path, "%s/tests/fuzz/regress/%s", PV_SRCDIR, fuzz_name);
		run_path(path, 0);
		ntests++;
		if (seeds > 0) {
			printf("ok %d - %d seed inputs in tests/fuzz/corpus/%s\n", ntests,
			       seeds, fuzz_name);
		} else {
			nfailed++;
			printf("not ok %d - no seed inputs in tests/fuzz/corpus/%s\n", ntests,
			       fuzz_name);
		}
	}
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}

#endif
