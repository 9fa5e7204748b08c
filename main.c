/*
 * main.c - provex: the command table and global options.  The only place
 * that decides the process's exit status.
 */
#include "config.h"
#include "cli/cli.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>

const struct cli_cmd cli_cmds[] = {
	{ "browse", cmd_browse, "STORE [FILTER] [--theme T]",
	  "open the interface (also: provex STORE)" },
	{ "index", cmd_index, "STORE INPUT... [options]",
	  "index documents (JSONL, JSON, CSV, text; .gz/.zst) into a store" },
	{ "info", cmd_info, "STORE [--json]",
	  "counts by origin, source, generator, purpose; sizes; duplicates" },
	{ "ls", cmd_ls, "STORE [FILTER] [--json] [--sort F]",
	  "list the documents matching a filter, one per line" },
	{ "count", cmd_count, "STORE [FILTER]",
	  "count the documents matching a filter" },
	{ "stats", cmd_stats, "STORE [FILTER] [--by F]",
	  "documents, bytes, words and lengths per group, with bars" },
	{ "show", cmd_show, "STORE ID... [--ext]",
	  "provenance, metadata and text of documents, made safe to read" },
	{ "cat", cmd_cat, "STORE ID... [--ext] [--raw]",
	  "the original text bytes of documents (made safe on a terminal)" },
	{ "detect", cmd_detect, "STORE [FILTER] [--by F]",
	  "can a classifier tell real from synthetic? AUC, words, scores" },
	{ "export", cmd_export, "STORE [FILTER] -o OUT",
	  "write the documents a filter selects as JSONL or text, with a manifest" },
	{ "label", cmd_label, "STORE FILTER --set F=V... [options]",
	  "relabel the documents a filter selects (recorded in the history)" },
	{ "history", cmd_history, "STORE [ID] [--json]",
	  "the changes made by label and undo, oldest first" },
	{ "undo", cmd_undo, "STORE [BATCH] [--force]",
	  "revert the last batch of changes (or the one named)" },
	{ "review", cmd_review, "STORE [FILTER] [--single]",
	  "blind review: can a person tell real from synthetic? (--report)" },
	{ "pairs", cmd_pairs, "STORE [FILTER] [--report]",
	  "find synthetic documents that nearly copy real ones (MinHash)" },
	{ "demo", cmd_demo, "[--dir DIR] [--rebuild]",
	  "build a demo store from this machine's documentation and show it" },
	{ "config", cmd_config, "--print [--file F]",
	  "print the effective configuration" },
	{ NULL, NULL, NULL, NULL }
};

static void usage(FILE *fp)
{
	const struct cli_cmd *c;

	fprintf(fp, "Usage: provex COMMAND [ARGS...]\n"
		"Explore training corpora that mix real and synthetic documents.\n\n"
		"Commands:\n");
	for (c = cli_cmds; c->name; c++)
		fprintf(fp, "  %-6s %-28s %s\n", c->name, c->args, c->summary);
	fprintf(fp, "\n'provex COMMAND --help' tells more; the manual is provex(1).\n");
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	setlocale(LC_CTYPE, "");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			for (c = cli_cmds; c->name; c++)
				if (!strcmp(c->name, argv[2])) {
					char *hargv[3] = { argv[2], (char *)"--help", NULL };
					return c->run(2, hargv);
				}
		}
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("provex %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	for (c = cli_cmds; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->run(argc - 1, argv + 1);
	/* provex STORE [FILTER]: a path to an existing file opens the interface */
	if (access(argv[1], F_OK) == 0 || strchr(argv[1], '/') || strstr(argv[1], ".pvx")) {
		char **bargv = calloc((size_t)argc + 1, sizeof *bargv);
		int rc, i;
		if (!bargv)
			return EXIT_FAIL;
		bargv[0] = (char *)"browse";
		for (i = 1; i < argc; i++)
			bargv[i] = argv[i];
		rc = cmd_browse(argc, bargv);
		free(bargv);
		return rc;
	}
	fprintf(stderr, "provex: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
