/*-------------------------------------------------------------------------
 *
 * values.c
 *	  Converting values between SQL and C: list arguments, text arrays,
 *	  lists of revisions, and the checksum of a revision's bodies.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "migrate.h"

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
 * A list of revisions as the text[] of their ids, in registration order
 * when sorted is set (version rows, whatever order the row changes left
 * them in), else as given.
 */
Datum
RevListToArray(const CachedGraph *cg, const MgRevList *list, bool sorted)
{
	const char **ids = palloc(sizeof(char *) * (list->n + 1));
	int		   *order = palloc(sizeof(int) * (list->n + 1));

	memcpy(order, list->items, sizeof(int) * list->n);
	if (sorted)
		qsort(order, list->n, sizeof(int), CompareInts);
	for (int i = 0; i < list->n; i++)
		ids[i] = mg_rev_id(cg->graph, order[i]);
	return StringsToTextArray(ids, list->n);
}

/*
 * The name of a step's operation, as the log and the result rows give it.
 */
const char *
StepOperation(MgStepKind kind)
{
	switch (kind)
	{
		case MG_STEP_UPGRADE:
			return "upgrade";
		case MG_STEP_DOWNGRADE:
			return "downgrade";
		case MG_STEP_STAMP:
			return "stamp";
	}
	return "unknown";
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

/*
 * sha256 of a revision's bodies and of how they run, as lower-case hex.  The
 * two bodies are joined by a zero byte, which text cannot contain, and a
 * missing downgrade adds nothing after it while an empty one adds a 0x01
 * byte, so no two pairs of bodies hash the same input.  A revision that runs
 * outside a transaction adds a second zero byte and a word after all that,
 * which nothing before can end with; a transactional one adds nothing, so
 * its checksum is the one its bodies have always had.
 */
char *
BodiesChecksum(const char *upgrade_sql, const char *downgrade_sql,
			   bool transactional)
{
	static const char marker[] = "nontransactional";
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	uint8		sep = 0;
	uint8		present = 1;
	char	   *hex;

	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) upgrade_sql, strlen(upgrade_sql)) < 0 ||
		pg_cryptohash_update(ctx, &sep, 1) < 0 ||
		(downgrade_sql != NULL &&
		 (pg_cryptohash_update(ctx, &present, 1) < 0 ||
		  pg_cryptohash_update(ctx, (const uint8 *) downgrade_sql, strlen(downgrade_sql)) < 0)) ||
		(!transactional &&
		 (pg_cryptohash_update(ctx, &sep, 1) < 0 ||
		  pg_cryptohash_update(ctx, (const uint8 *) marker, strlen(marker)) < 0)) ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute sha256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);

	hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	hex_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, hex);
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	return hex;
}
