/*
 * cmd_demo.c - provex demo: build a demo store from text found on this
 * machine (and synthetic documents generated from it), then show it.
 */
#include "config.h"
#include "cli.h"
#include "../tui/tui.h"
#include "../common/buf.h"
#include "../demo/demo.h"
#include "../index/pipeline.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
"Usage: provex demo [--dir DIR] [--docs N] [--rebuild] [--info]\n"
"Build a demo corpus from the system's own documentation (man pages,\n"
"/usr/share/doc) plus synthetic documents generated from it by a Markov\n"
"chain (each paired with its seed through the seed_id field, as\n"
"provex index --pair-field seed_id does), index it into\n"
"DIR/demo.pvx and open the interface on it (on a terminal; otherwise,\n"
"or with --info, print what the store holds, as provex info does).\n"
"DIR defaults to $XDG_CACHE_HOME/provex (~/.cache/provex).  An existing\n"
"demo store is reused unless --rebuild.\n";

/* mkdir -p; returns 0 or -1 with errno set. */
static int mkdirs(const char *path)
{
	char *p = pv_strdup(path), *q;
	int rc = 0;

	for (q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			rc = -1;
		*q = '/';
	}
	if (rc == 0 && mkdir(p, 0755) != 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

static void demo_progress(void *ctx, size_t done, size_t total)
{
	(void)ctx;
	if (isatty(2))
		fprintf(stderr, "\r\033[Kreading system documentation: %zu/%zu", done, total);
}

int cmd_demo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "docs", required_argument, NULL, 'n' },
		{ "rebuild", no_argument, NULL, 'r' },
		{ "info", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf dir = BUF_INIT, corpus = BUF_INIT, store = BUF_INIT;
	struct demo_opts dopts;
	struct pv_err e;
	bool rebuild = false, info = false;
	uint64_t ndocs = 0;
	int c, status = EXIT_OK;
	char *info_argv[3], *store_copy = NULL;

	demo_opts_default(&dopts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': buf_reset(&dir); buf_puts(&dir, optarg); break;
		case 'n':
			if (!cli_parse_size(optarg, &ndocs) || ndocs < 10) {
				status = cli_usage("demo", "--docs needs a number of at "
						   "least 10, not '%s'", optarg);
				goto out;
			}
			break;
		case 'r': rebuild = true; break;
		case 'i': info = true; break;
		case 'h': fputs(usage_text, stdout); goto out;
		default: status = cli_usage("demo", "unknown option"); goto out;
		}
	}
	if (optind != argc) {
		status = cli_usage("demo", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!dir.len) {
		const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
		if (x && *x)
			buf_printf(&dir, "%s/provex", x);
		else
			buf_printf(&dir, "%s/.cache/provex", home && *home ? home : "/tmp");
	}
	if (mkdirs(buf_str(&dir)) != 0) {
		cli_errorf("cannot create %s: %s; choose another folder with --dir",
			   buf_str(&dir), strerror(errno));
		status = EXIT_FAIL;
		goto out;
	}
	buf_printf(&corpus, "%s/demo.jsonl", buf_str(&dir));
	buf_printf(&store, "%s/demo.pvx", buf_str(&dir));
	if (ndocs)
		dopts.ndocs_real = (size_t)ndocs;

	if (rebuild || access(buf_str(&store), F_OK) != 0) {
		struct index_opts o;
		struct index_stats st;
		struct demo_stats ds;
		const char *inputs[1];
		char tmp[4200];

		if (rebuild) {
			unlink(buf_str(&store));
			snprintf(tmp, sizeof tmp, "%s-wal", buf_str(&store));
			unlink(tmp);
			snprintf(tmp, sizeof tmp, "%s-shm", buf_str(&store));
			unlink(tmp);
		}
		dopts.progress = demo_progress;
		if (demo_write(buf_str(&corpus), &dopts, &ds, &e)) {
			cli_error(&e);
			status = EXIT_FAIL;
			goto out;
		}
		if (isatty(2))
			fputs("\r\033[K", stderr);
		fprintf(stderr, "provex demo: wrote %zu real and %zu synthetic "
			"documents to %s\n", ds.real, ds.synthetic, buf_str(&corpus));
		memset(&o, 0, sizeof o);
		inputs[0] = buf_str(&corpus);
		o.store_path = buf_str(&store);
		o.inputs = inputs;
		o.ninputs = 1;
		o.id_field = "id";
		o.prov_field[PROV_ORIGIN] = "origin";
		o.prov_field[PROV_SOURCE] = "source";
		o.prov_field[PROV_GENERATOR] = "generator";
		o.prov_field[PROV_PURPOSE] = "purpose";
		/* each synthetic document paired with its seed (pair:ID, has:pair) */
		o.pair_field = "seed_id";
		o.command = "provex demo";
		if (index_run(&o, &st, &e)) {
			index_stats_done(&st);
			cli_error(&e);
			status = EXIT_FAIL;
			goto out;
		}
		fprintf(stderr, "provex demo: indexed %lld documents into %s in %.1f s "
			"(%lld declared pairs: synthetic documents and their seeds)\n",
			(long long)st.added, buf_str(&store), st.seconds,
			(long long)st.pairs_added);
		index_stats_done(&st);
	} else {
		fprintf(stderr, "provex demo: using %s (--rebuild makes a new one)\n",
			buf_str(&store));
	}
	store_copy = pv_strdup(buf_str(&store));
	if (!info && isatty(0) && isatty(1)) {
		status = tui_run(store_copy, NULL, NULL, NULL);
		goto out;
	}
	info_argv[0] = (char *)"info";
	info_argv[1] = store_copy;
	info_argv[2] = NULL;
	status = cmd_info(2, info_argv);
out:
	free(store_copy);
	buf_done(&dir);
	buf_done(&corpus);
	buf_done(&store);
	return status;
}
