/*-------------------------------------------------------------------------
 *
 * sqlargs.c
 *	  SQL arguments and results in C: the target argument, list arguments,
 *	  text arrays, and the comparator of revision indexes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "util/sqlargs.h"

/*
 * The target argument of an entry point, which must be given.
 */
char *
TargetArg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be NULL"),
				 errhint("Targets are 'head', 'base', a revision id or prefix, or a relative step such as '-1'.")));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * A text[] as C strings in the current memory context (a NULL element as
 * "").
 */
const char **
TextArrayToStrings(Datum array, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	const char **out;

	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &count);
	out = palloc(sizeof(char *) * (count + 1));
	for (int i = 0; i < count; i++)
		out[i] = nulls[i] ? "" : TextDatumGetCString(elems[i]);
	*n = count;
	return out;
}

/*
 * C strings as a text[].
 */
Datum
StringsToTextArray(const char *const *strings, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * (n + 1));

	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(strings[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/* qsort comparator for ints: revision indexes in registration order */
int
CompareInts(const void *a, const void *b)
{
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return (x > y) - (x < y);
}

/*
 * Split a list argument such as 'a1b2, c3d4 e5f6' into its names: commas
 * and white space separate them, as Alembic prints lists, and empty names
 * are skipped.  argname names the argument in the error for a list too
 * long to be real.
 */
char	  **
SplitList(const char *text, const char *argname, int *n)
{
	size_t		len = strlen(text);
	char	   *p;
	char	  **names;

	if (len > MIGRATE_MAX_LIST)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too long", argname),
				 errdetail("A list is at most %d bytes.", MIGRATE_MAX_LIST)));
	p = pstrdup(text);
	names = palloc(sizeof(char *) * (len / 2 + 2));
	*n = 0;
	for (;;)
	{
		while (*p == ',' || isspace((unsigned char) *p))
			p++;
		if (*p == '\0')
			break;
		names[(*n)++] = p;
		while (*p && *p != ',' && !isspace((unsigned char) *p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	return names;
}
