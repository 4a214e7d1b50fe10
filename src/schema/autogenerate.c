/*-------------------------------------------------------------------------
 *
 * autogenerate.c
 *	  migrate.autogenerate(): a revision from the difference between the
 *	  live schema and a desired one, proven to converge before it is
 *	  registered.
 *
 * The upgrade is diff(live, desired); the downgrade is the diff back from
 * the live schema as the upgrade leaves it to the live schema as it was
 * (its model, read before).  Both run in a subtransaction that is always
 * rolled back: the upgrade must leave the live schema with the desired
 * schema's fingerprint, and the downgrade must give back the original one.
 * Only then is the revision registered, through migrate.revision(), on the
 * project's single head.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "schema.h"

PG_FUNCTION_INFO_V1(migrate_autogenerate);

/* differences listed in an error, at most */
#define MAX_LISTED 20

static char *
text_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
	{
		if (what == NULL)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
	}
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * The revision is computed against the live schema as it is: if revisions
 * of the project are still to run, it would be computed against the wrong
 * state (Alembic refuses too).
 */
static void
check_at_head(const char *project)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	int			rc;

	values[0] = CStringGetTextDatum(project);
	rc = SPI_execute_with_args("SELECT pg_catalog.count(*)::pg_catalog.int4 FROM migrate.project p"
							   " CROSS JOIN LATERAL migrate.pending('head', p.name) s"
							   " WHERE p.name OPERATOR(pg_catalog.=) $1",
							   1, argtypes, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "pending query failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		bool		isnull;
		int			pending = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
														  SPI_tuptable->tupdesc, 1, &isnull));

		if (pending > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("project \"%s\" is not at its head", project),
					 errdetail("%d revision(s) are still to run; a revision generated now would be computed against an older schema.", pending),
					 errhint("Run migrate.upgrade() first.")));
	}
}

static void
run_script(const char *sql)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc < 0)
		elog(ERROR, "running the generated script failed: %s", SPI_result_code_string(rc));
}

/* NULL when a and b match, else the differences as lines */
static char *
mismatch(const SchemaModel *a, const SchemaModel *b, const char *al, const char *bl)
{
	int			n;
	SchemaDifference *d = schema_compare(a, b, &n);

	return n == 0 ? NULL : schema_differences_text(d, n, MAX_LISTED, al, bl);
}

typedef struct Proof
{
	char	   *down;			/* the downgrade, when it was computed */
	SchemaDiffInfo down_info;
	const char *stage;			/* "upgrade" or "downgrade" */
	char	   *mismatch;		/* what did not converge */
	ErrorData  *error;			/* what failed */
} Proof;

/*
 * Run the upgrade, compare, compute and run the downgrade, compare, in a
 * subtransaction rolled back whatever happens.  A script that fails is a
 * result of the proof, not an error of the call (a cancel still is).
 */
static void
prove(const char *live, const char *desired_schema, const SchemaModel *before,
	  const SchemaModel *desired, const char *up, Proof *proof)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	memset(proof, 0, sizeof(Proof));
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		SchemaModel *after;

		proof->stage = "upgrade";
		run_script(up);
		after = schema_model_load_for_diff(live, desired_schema, false);
		proof->mismatch = mismatch(after, desired, "the upgraded schema", "the desired schema");
		if (proof->mismatch == NULL)
		{
			proof->down = schema_diff(after, before, live, &proof->down_info);
			proof->stage = "downgrade";
			run_script(proof->down);
			proof->mismatch = mismatch(schema_model_load(live, desired_schema, false), before,
									   "the downgraded schema", "the original schema");
		}
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		proof->error = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	if (proof->error && (proof->error->sqlerrcode == ERRCODE_QUERY_CANCELED ||
						 proof->error->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN))
		ReThrowError(proof->error);
}

static void
report_failure(const Proof *proof, const char *live, const char *desired,
			   const SchemaDiffInfo *info)
{
	const char *diff_call = psprintf("migrate.diff(%s, %s)", quote_literal_cstr(live),
									 quote_literal_cstr(desired));
	const char *hint;

	if (info->nunsupported > 0)
		hint = psprintf("%s shows, as comments beginning with NOT DONE, the %d change(s) it cannot make; make them by hand in a revision of your own.",
						diff_call, info->nunsupported);
	else if (proof->down_info.nunsupported > 0)
		hint = psprintf("The upgrade converges but cannot be undone exactly (a column dropped from the middle of a table comes back at its end, an enum value added cannot be removed): register it with migrate.revision(), the upgrade from %s and a downgrade of your own, or none.",
						diff_call);
	else
		hint = psprintf("Look at the script %s writes; write this revision by hand if it cannot be generated.",
						diff_call);

	/* the failure's own SQLSTATE is kept in the detail: 0A000 is ours */
	if (proof->error)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the generated %s failed when tried: %s", proof->stage,
						proof->error->message),
				 proof->error->detail ?
				 errdetail("SQLSTATE %s: %s", unpack_sql_state(proof->error->sqlerrcode),
						   proof->error->detail) :
				 errdetail("SQLSTATE %s.", unpack_sql_state(proof->error->sqlerrcode)),
				 errhint("%s", hint)));
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("the generated %s does not converge", proof->stage),
			 errdetail("What differs after it ran:\n%s", proof->mismatch),
			 errhint("%s", hint)));
}

static char *
register_revision(const char *message, const char *up, const char *down,
				  const char *project)
{
	Oid			argtypes[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	const char *args[4] = {message, up, down, project};
	int			rc;
	bool		isnull;

	for (int i = 0; i < 4; i++)
	{
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		if (args[i] == NULL)
			nulls[i] = 'n';
	}
	rc = SPI_execute_with_args("SELECT migrate.revision(message => $1, upgrade => $2,"
							   " downgrade => $3, project => $4)",
							   4, argtypes, values, nulls, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "migrate.revision() failed: %s", SPI_result_code_string(rc));
	return TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
											 1, &isnull));
}

/*
 * migrate.autogenerate(message text, desired_schema text,
 *						live_schema text DEFAULT 'public',
 *						project text DEFAULT NULL,
 *						allow_destructive boolean DEFAULT false)
 *		RETURNS text
 *
 * Returns the new revision's id, or NULL (with a notice) when the schemas
 * already match.
 */
Datum
migrate_autogenerate(PG_FUNCTION_ARGS)
{
	char	   *message = text_arg(fcinfo, 0, NULL);
	char	   *desired = text_arg(fcinfo, 1, "desired_schema");
	char	   *live = text_arg(fcinfo, 2, "live_schema");
	char	   *project = text_arg(fcinfo, 3, NULL);
	bool		allow_destructive = !PG_ARGISNULL(4) && PG_GETARG_BOOL(4);
	MemoryContext cxt = CurrentMemoryContext;
	SchemaModel *before;
	SchemaModel *target;
	SchemaDiffInfo info;
	Proof		proof;
	char	   *up;
	char	   *id;

	if (strcmp(desired, live) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the desired schema and the live schema are both \"%s\"", live),
				 errhint("Load the desired DDL into a schema of its own.")));
	if (project == NULL)
		project = pstrdup(GetConfigOption("migrate.project", false, false));
	before = schema_model_load_for_diff(live, desired, false);
	target = schema_model_load_for_diff(desired, live, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	check_at_head(project);
	up = schema_diff(before, target, live, &info);
	if (info.nstatements == 0 && info.nunsupported == 0)
	{
		ereport(NOTICE,
				(errmsg("schema \"%s\" already matches schema \"%s\": no revision registered",
						live, desired)));
		SPI_finish();
		PG_RETURN_NULL();
	}
	if (info.ndestructive > 0 && !allow_destructive)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the generated revision destroys data"),
				 errdetail("%d statement(s) are destructive, the first: %s.",
						   info.ndestructive, info.first_destructive),
				 errhint("Review migrate.diff(%s, %s), then call autogenerate() again with allow_destructive => true.",
						 quote_literal_cstr(live), quote_literal_cstr(desired))));
	prove(live, desired, before, target, up, &proof);
	if (proof.error || proof.mismatch || info.nunsupported > 0)
	{
		if (!proof.error && !proof.mismatch)
			proof.mismatch = pstrdup("(nothing, but the script says what it could not do)");
		report_failure(&proof, live, desired, &info);
	}
	id = register_revision(message, up, proof.down, project);
	MemoryContextSwitchTo(cxt);
	id = pstrdup(id);
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text(id));
}
