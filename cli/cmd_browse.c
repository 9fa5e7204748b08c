/*
 * cmd_browse.c - provex browse STORE [FILTER]: the interface (tui/).
 * `provex STORE` is the same.
 */
#include "cli.h"
#include "../tui/tui.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
"Usage: provex browse STORE [FILTER] [--theme NAME|FILE] [--config FILE]\n"
"                     [--reviewer NAME]\n"
"       provex STORE [FILTER]\n"
"Opens the interface on STORE: the list of documents matching FILTER (all\n"
"when absent).  Press ? in it for every key.  A FILTER starting with '-'\n"
"goes after -- (provex browse STORE -- -has:pair).\n"
"  --theme NAME|FILE    a theme: default, light, high-contrast, mono, or a\n"
"                       YAML file (see THEMES in provex(1))\n"
"  --config FILE        read this configuration instead of\n"
"                       $XDG_CONFIG_HOME/provex/config.yaml\n"
"  --reviewer NAME      who relabels (default: $PROVEX_REVIEWER, else\n"
"                       reviewer: in the configuration, else the login name)\n"
"NO_COLOR set in the environment draws with attributes only.\n";

int cmd_browse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "theme", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "reviewer", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *theme = NULL, *config = NULL, *reviewer = NULL, *store, *filter = NULL;
	int c;

	optind = 1;
	int optend = cli_filter_dash(argc, argv, "h", opts);
	opterr = 0;
	while ((c = getopt_long(optend, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': theme = optarg; break;
		case 'c': config = optarg; break;
		case 'r': reviewer = optarg; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default:
			return cli_usage("browse", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage("browse", "missing STORE");
	store = argv[optind++];
	if (optind < argc)
		filter = argv[optind++];
	if (optind < argc)
		return cli_usage("browse", "one FILTER only (quote it: '%s %s')", filter,
				 argv[optind]);
	/* a set (a folder) is browsed read-only; a published shard is opened
	 * read-only too (never written again) */
	if (cli_no_shard("browse", store))
		return EXIT_FAIL;
	return tui_run_as(store, filter, theme, config, reviewer);
}
