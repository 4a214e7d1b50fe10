/*
 * driver.h
 *	  A small script language over graph.h, shared by the driver program,
 *	  the unit tests and the differential test.  The format is described at
 *	  the top of driver_core.c.
 */
#ifndef MG_DRIVER_H
#define MG_DRIVER_H

#include <stdio.h>

/* run a script; returns the number of lines it could not read */
extern int	mgd_run(FILE *in, FILE *out);

#endif
