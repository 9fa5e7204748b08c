/*
 * cmd_config.c - provex config: shows the effective configuration, the
 * settings of the configuration file over the defaults, as YAML that can be
 * saved as a configuration file.  The reading and printing are
 * common/settings.c's; this file parses arguments and says which file was read.
 */
#include "cli.h"
#include "../common/buf.h"
#include "../common/utf8.h"
#include "../common/settings.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
"Usage: provex config [--print] [--file FILE]\n"
"Prints the effective configuration: the settings of the configuration file\n"
"($XDG_CONFIG_HOME/provex/config.yaml, else ~/.config/provex/config.yaml)\n"
"over the defaults, as YAML, after a comment saying which file was read.\n"
"Settings left at their defaults are shown as comments.  A broken file is\n"
"reported with file:line:column; the defaults are printed and the exit\n"
"status is 1.  The settings are described in provex(1), CONFIGURATION.\n"
"\n"
"  --print      print the configuration (the default)\n"
"  --file FILE  read FILE instead of the usual configuration file\n";

/* Prints "# provex configuration: <what>" with the path made safe. */
static void put_origin(const char *what, const char *path, const char *after)
{
	fputs("# provex configuration: ", stdout);
	fputs(what, stdout);
	if (path)
		cli_put_safe(stdout, path, strlen(path), SAN_ONE_LINE);
	fputs(after, stdout);
	fputc('\n', stdout);
}

int cmd_config(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "print", no_argument, NULL, 'p' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf out = BUF_INIT;
	struct settings cfg;
	struct pv_err e;
	struct stat st;
	const char *file = NULL;
	char *path = NULL;
	int c, rc, status = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hf:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': break;
		case 'f': file = optarg; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: return cli_usage("config", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("config", "unexpected argument '%s'", argv[optind]);
	if (file && stat(file, &st) != 0) {
		cli_errorf("%s: %s", file, strerror(errno));
		return EXIT_FAIL;
	}

	path = file ? pv_strdup(file) : settings_path();
	pv_err_clear(&e);
	rc = settings_load(&cfg, path, &e);
	if (rc) {
		char msg[sizeof e.msg + sizeof e.file + 64];

		cli_errorf("warning: %s; the configuration file is ignored",
			   pv_err_format(&e, msg, sizeof msg));
		put_origin("", path, " is broken; the defaults are used");
		status = EXIT_FAIL;
	} else if (cfg.path) {
		put_origin("read from ", cfg.path, "");
	} else if (path) {
		put_origin("", path, " does not exist; the defaults are used");
	} else {
		put_origin("no configuration file ($XDG_CONFIG_HOME and $HOME are "
			   "unset); the defaults are used", NULL, "");
	}
	settings_print(&cfg, &out);
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_errorf("cannot write the configuration: %s", strerror(errno));
		status = EXIT_FAIL;
	}
	buf_done(&out);
	settings_done(&cfg);
	free(path);
	return status;
}
