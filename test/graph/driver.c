/*
 * driver.c
 *	  Run a revision-graph script (format: see driver_core.c).
 *
 *	  usage: mg_driver [script]		(stdin when no file is given)
 *	  Exit status: 0, or 1 when some line could not be read.
 */
#include <stdio.h>

#include "driver.h"

int
main(int argc, char **argv)
{
	FILE	   *in = stdin;
	int			bad;

	if (argc > 2)
	{
		fprintf(stderr, "usage: %s [script]\n", argv[0]);
		return 2;
	}
	if (argc == 2 && (in = fopen(argv[1], "r")) == NULL)
	{
		perror(argv[1]);
		return 2;
	}
	bad = mgd_run(in, stdout);
	if (in != stdin)
		fclose(in);
	return bad ? 1 : 0;
}
