/* cmd_config.c - provex config (being written). */
#include "cli.h"

int cmd_config(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_errorf("config: not available yet");
	return EXIT_FAIL;
}
