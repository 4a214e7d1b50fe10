/*-------------------------------------------------------------------------
 *
 * schema_sql.c
 *	  SQL entry points of the schema model: migrate.fingerprint(),
 *	  migrate.fingerprint_hash(), migrate.schema_fingerprint(),
 *	  migrate.compare_schemas() and migrate.diff().  autogenerate() is in
 *	  autogenerate.c.
 *
 * All of them only read the catalogs.  Their queries list the objects with
 * the caller's snapshot, but the server's deparsers that describe them
 * (pg_get_functiondef, pg_get_indexdef, ...) read the catalogs as they are
 * now: an object dropped after the snapshot was taken makes the call fail
 * with a serialization failure (loader_vanished), and one altered
 * meanwhile is described as it is now.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "schema.h"

PG_FUNCTION_INFO_V1(migrate_fingerprint);
PG_FUNCTION_INFO_V1(migrate_fingerprint_hash);
PG_FUNCTION_INFO_V1(migrate_schema_fingerprint);
PG_FUNCTION_INFO_V1(migrate_compare_schemas);
PG_FUNCTION_INFO_V1(migrate_diff);

/*
 * The model named by a text[] argument: NULL for every user schema, else
 * the schemas listed (each once, whatever the order they are listed in).
 */
static SchemaModel *
model_of_array(FunctionCallInfo fcinfo, int argno)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			kept = 0;
	char	  **names;

	if (PG_ARGISNULL(argno))
		return schema_model_load_qualified(NULL, 0, true);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(argno), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &n);
	names = palloc(sizeof(char *) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("schema names must not be null")));
		names[i] = TextDatumGetCString(elems[i]);
	}
	qsort(names, n, sizeof(char *), pg_qsort_strcmp);
	for (int i = 0; i < n; i++)
		if (kept == 0 || strcmp(names[kept - 1], names[i]) != 0)
			names[kept++] = names[i];
	return schema_model_load_qualified(names, kept, true);
}

static char *
schema_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

static void
return_rows(FunctionCallInfo fcinfo, const SchemaModel *model)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			n;
	SchemaRow  *rows = schema_model_rows(model, &n);

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(rows[i].kind);
		values[1] = CStringGetTextDatum(rows[i].name);
		values[2] = CStringGetTextDatum(rows[i].definition);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * migrate.fingerprint(schemas text[] DEFAULT NULL)
 *		RETURNS TABLE (kind text, name text, definition text)
 */
Datum
migrate_fingerprint(PG_FUNCTION_ARGS)
{
	return_rows(fcinfo, model_of_array(fcinfo, 0));
	return (Datum) 0;
}

/* migrate.fingerprint_hash(schemas text[] DEFAULT NULL) RETURNS text */
Datum
migrate_fingerprint_hash(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(schema_model_hash(model_of_array(fcinfo, 0))));
}

/*
 * migrate.schema_fingerprint(schema text)
 *		RETURNS TABLE (kind text, name text, definition text)
 *
 * One schema, names relative to it.
 */
Datum
migrate_schema_fingerprint(PG_FUNCTION_ARGS)
{
	return_rows(fcinfo, schema_model_load(schema_arg(fcinfo, 0, "schema"), NULL, true));
	return (Datum) 0;
}

/*
 * migrate.compare_schemas(left_schema text, right_schema text)
 *		RETURNS TABLE (kind text, name text, left_definition text,
 *					   right_definition text)
 *
 * The rows of the two schemas' relative fingerprints that differ; NULL
 * where a side has no such row.  No rows: the schemas match.
 */
Datum
migrate_compare_schemas(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *left_schema = schema_arg(fcinfo, 0, "left_schema");
	char	   *right_schema = schema_arg(fcinfo, 1, "right_schema");
	SchemaModel *left = schema_model_load(left_schema, right_schema, true);
	SchemaModel *right = schema_model_load(right_schema, left_schema, true);
	int			n;
	SchemaDifference *d = schema_compare(left, right, &n);

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, d[i].left == NULL, d[i].right == NULL};

		values[0] = CStringGetTextDatum(d[i].kind);
		values[1] = CStringGetTextDatum(d[i].name);
		values[2] = d[i].left ? CStringGetTextDatum(d[i].left) : (Datum) 0;
		values[3] = d[i].right ? CStringGetTextDatum(d[i].right) : (Datum) 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * migrate.diff(source_schema text, target_schema text) RETURNS text
 *
 * The script that makes source_schema hold what target_schema holds; empty
 * when they match.
 */
Datum
migrate_diff(PG_FUNCTION_ARGS)
{
	char	   *source = schema_arg(fcinfo, 0, "source_schema");
	char	   *target = schema_arg(fcinfo, 1, "target_schema");
	SchemaModel *s;
	SchemaModel *t;

	if (strcmp(source, target) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("source and target are both schema \"%s\"", source),
				 errhint("Load the desired DDL into a schema of its own and diff the live schema against it.")));
	s = schema_model_load_for_diff(source, target, true);
	t = schema_model_load_for_diff(target, source, true);
	PG_RETURN_TEXT_P(cstring_to_text(schema_diff(s, t, source, NULL)));
}
