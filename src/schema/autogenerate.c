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
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "schema.h"
#include "util/subxact.h"
#include "util/trust.h"

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
 * A schema whose objects go into the revision must be written only by roles
 * whose SQL may run as the caller.
 */
static void
check_writers(const char *schema, const char *role_of)
{
	Oid			writer;

	if (!TrustUntrustedWriter(get_namespace_oid(schema, false), GetUserId(), &writer))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 OidIsValid(writer) ?
			 errmsg("the %s schema \"%s\" can be written by role \"%s\", which does not have the privileges of role \"%s\"",
					role_of, schema, GetUserNameFromId(writer, false),
					GetUserNameFromId(GetUserId(), false)) :
			 errmsg("the %s schema \"%s\" can be written by every role (CREATE is granted to PUBLIC)",
					role_of, schema),
			 errdetail("autogenerate() copies the desired schema's definitions into a revision registered as yours, and runs it to prove it: what that role put there would run with your privileges."),
			 errhint("Build the desired schema, and run autogenerate(), as a role that role has the privileges of; or revoke CREATE on the schema.")));
}

/*
 * What autogenerate() copies into the revision, and runs while it proves
 * it, is SQL others may have written: the definitions in the desired
 * schema, and what they call elsewhere (a function in a default, an
 * operator in a check).  The revision is registered as the caller's and
 * runs with the privileges of whoever migrates, so every such object must
 * be owned by a role whose SQL may run as the caller, as a body's author
 * must (util/trust.c), and the schemas they are in written only by such
 * roles.
 */
static void
check_sources(const char *live, const char *desired)
{
	Oid			argtypes[3] = {OIDOID, OIDOID, OIDOID};
	Datum		values[3];
	int			rc;

	check_writers(desired, "desired");
	check_writers(live, "live");
	values[0] = ObjectIdGetDatum(get_namespace_oid(desired, false));
	values[1] = ObjectIdGetDatum(get_namespace_oid(live, false));
	values[2] = ObjectIdGetDatum(GetUserId());
	rc = SPI_execute_with_args(
							   "WITH own (classid, objid, owner) AS ("
							   "  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid, c.relowner"
							   "    FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) $1"
							   "  UNION ALL SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, p.proowner"
							   "    FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) $1"
							   "  UNION ALL SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid, t.typowner"
							   "    FROM pg_catalog.pg_type t WHERE t.typnamespace OPERATOR(pg_catalog.=) $1"
							   "  UNION ALL SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid, o.oprowner"
							   "    FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) $1),"
							   " used (classid, objid, owner, nsp) AS ("
							   "  SELECT DISTINCT d.refclassid, d.refobjid,"
							   "    COALESCE(p.proowner, o.oprowner, t.typowner, c.relowner),"
							   "    COALESCE(p.pronamespace, o.oprnamespace, t.typnamespace, c.relnamespace)"
							   "    FROM pg_catalog.pg_depend d"
							   "    LEFT JOIN pg_catalog.pg_proc p ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid OPERATOR(pg_catalog.=) d.refobjid"
							   "    LEFT JOIN pg_catalog.pg_operator o ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass AND o.oid OPERATOR(pg_catalog.=) d.refobjid"
							   "    LEFT JOIN pg_catalog.pg_type t ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid OPERATOR(pg_catalog.=) d.refobjid"
							   "    LEFT JOIN pg_catalog.pg_class c ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid OPERATOR(pg_catalog.=) d.refobjid"
							   "   WHERE d.deptype OPERATOR(pg_catalog.=) 'n'"
							   "     AND d.refclassid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_proc', 'pg_catalog.pg_operator',"
							   "         'pg_catalog.pg_type', 'pg_catalog.pg_class']::pg_catalog.regclass[])"
							   "     AND (pg_catalog.pg_identify_object(d.classid, d.objid, 0)).schema"
							   "         OPERATOR(pg_catalog.=) (SELECT n.nspname FROM pg_catalog.pg_namespace n"
							   "                                  WHERE n.oid OPERATOR(pg_catalog.=) $1))"
							   " SELECT pg_catalog.pg_describe_object(classid, objid, 0), owner, NULL::pg_catalog.oid FROM own"
							   " UNION ALL"
							   " SELECT pg_catalog.pg_describe_object(classid, objid, 0), owner, nsp FROM used"
							   "  WHERE nsp OPERATOR(pg_catalog.<>) ALL (ARRAY[$1, $2,"
							   "        'pg_catalog'::pg_catalog.regnamespace::pg_catalog.oid])",
							   3, argtypes, values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not list what the desired schema uses: %s", SPI_result_code_string(rc));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *object = SPI_getvalue(tuple, desc, 1);
		Oid			owner = DatumGetObjectId(SPI_getbinval(tuple, desc, 2, &isnull));
		Datum		nsp = SPI_getbinval(tuple, desc, 3, &isnull);
		Oid			writer;

		if (!TrustMayRunFor(owner, GetUserId()))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("%s, which %s, is owned by role \"%s\", which does not have the privileges of role \"%s\"",
							object, isnull ? "is in the desired schema" : "the desired schema uses",
							GetUserNameFromId(owner, false), GetUserNameFromId(GetUserId(), false)),
					 errdetail("autogenerate() copies the desired schema's definitions into a revision registered as yours, and runs it to prove it: SQL that role wrote would run with your privileges."),
					 errhint("Build the desired schema, and run autogenerate(), as a role that role has the privileges of.")));
		if (!isnull && TrustUntrustedWriter(DatumGetObjectId(nsp), GetUserId(), &writer))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("the schema of %s, which the desired schema uses, can be written by %s, which does not have the privileges of role \"%s\"",
							object,
							OidIsValid(writer) ? psprintf("role \"%s\"", GetUserNameFromId(writer, false)) : "every role",
							GetUserNameFromId(GetUserId(), false)),
					 errdetail("The revision names it schema-qualified; an object that role puts beside it could match the revision's call better."),
					 errhint("Revoke CREATE on that schema, or do not use its objects in the desired schema.")));
	}
	SPI_freetuptable(SPI_tuptable);
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

/* what prove() works on */
typedef struct ProofWork
{
	const char *live;
	const char *desired_schema;
	const SchemaModel *before;
	const SchemaModel *desired;
	const char *up;
	Proof	   *proof;
} ProofWork;

static void
prove_work(void *arg)
{
	ProofWork  *w = (ProofWork *) arg;
	Proof	   *proof = w->proof;
	SchemaModel *after;

	proof->stage = "upgrade";
	run_script(w->up);
	after = schema_model_load_for_diff(w->live, w->desired_schema, false);
	proof->mismatch = mismatch(after, w->desired, "the upgraded schema", "the desired schema");
	if (proof->mismatch == NULL)
	{
		proof->down = schema_diff(after, w->before, w->live, &proof->down_info);
		proof->stage = "downgrade";
		run_script(proof->down);
		proof->mismatch = mismatch(schema_model_load(w->live, w->desired_schema, false),
								   w->before, "the downgraded schema", "the original schema");
	}
}

/*
 * Run the upgrade, compare, compute and run the downgrade, compare, in a
 * subtransaction rolled back whatever happens.  A script that fails is a
 * result of the proof, not an error of the call (a cancel still is:
 * util/subxact.c).
 */
static void
prove(const char *live, const char *desired_schema, const SchemaModel *before,
	  const SchemaModel *desired, const char *up, Proof *proof)
{
	ProofWork	w;

	memset(proof, 0, sizeof(Proof));
	w.live = live;
	w.desired_schema = desired_schema;
	w.before = before;
	w.desired = desired;
	w.up = up;
	w.proof = proof;
	proof->error = SubxactRun(prove_work, &w, false, NULL);
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
	check_sources(live, desired);
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
