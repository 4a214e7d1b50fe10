/*-------------------------------------------------------------------------
 *
 * sqlargs.h
 *	  SQL arguments and results in C (sqlargs.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SQLARGS_H
#define MIGRATE_SQLARGS_H

#include "fmgr.h"

/* longest list argument accepted, in bytes */
#define MIGRATE_MAX_LIST	(1024 * 1024)

extern char *TargetArg(FunctionCallInfo fcinfo, int argno);
extern const char **TextArrayToStrings(Datum array, int *n);
extern Datum StringsToTextArray(const char *const *strings, int n);
extern int	CompareInts(const void *a, const void *b);
extern char **SplitList(const char *text, const char *argname, int *n);

#endif							/* MIGRATE_SQLARGS_H */
