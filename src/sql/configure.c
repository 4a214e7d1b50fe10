/*-------------------------------------------------------------------------
 *
 * configure.c
 *	  migrate.configure(project, target_schema, lock_timeout,
 *	  statement_timeout, run_as, reset, keep_dropped_data): a project's
 *	  options.
 *
 * A call sets the options it is given and resets to NULL those named in
 * reset; the others stay as they are.  The services of a monorepo keep a
 * configure() line in their revision files, which every boot of every
 * container loads: a call that changes nothing must cost one read, and
 * neither write the project row nor wait for anything (a container that
 * waited here while another ran a non-transactional revision would hold up
 * the build it waits for; project.c).  A call that does change something
 * updates the row, and nothing else: a run reads the options when it
 * starts, and CALL apply() before each revision.
 *
 * Who may set what:
 *	- target_schema goes first on the bodies' search_path, so the role that
 *	  set it is recorded (configured_by) and must have the privileges of
 *	  whoever runs the bodies (body.c);
 *	- run_as, the role the bodies run as, may be set only by a superuser or
 *	  a role that may SET ROLE to it, and a run checks the same of its
 *	  caller: it is a way for a deployer to act as the application's owner
 *	  role, never more;
 *	- keep_dropped_data (kept.c) decides only what later steps keep, and
 *	  any migrator may set it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_configure);

/*
 * a IS NOT DISTINCT FROM b, spelled with pg_catalog's = (IS DISTINCT FROM
 * would look = up through the search_path)
 */
#define SAME(a, b) \
	"COALESCE(" a " OPERATOR(pg_catalog.=) " b ", " a " IS NULL AND " b " IS NULL)"

/*
 * The options, in the order of configure()'s arguments, and the argument
 * each is: reset (argument 5) came before keep_dropped_data was added.
 */
#define NOPTIONS 5
#define RESET_ARG 5
static const char *const option_names[NOPTIONS] = {
	"target_schema", "lock_timeout", "statement_timeout", "run_as",
	"keep_dropped_data"
};
static const int option_args[NOPTIONS] = {1, 2, 3, 4, 6};

/* what a call asks for each option */
typedef enum OptionChange
{
	OPTION_KEEP,
	OPTION_SET,
	OPTION_RESET
} OptionChange;

static void
check_timeout(FunctionCallInfo fcinfo, int argno)
{
	Interval   *iv;

	if (PG_ARGISNULL(argno))
		return;
	iv = PG_GETARG_INTERVAL_P(argno);
	if (iv->month < 0 || iv->day < 0 || iv->time < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", option_names[argno - 1])));
}

/* which options the call sets, resets and keeps */
static void
read_changes(FunctionCallInfo fcinfo, OptionChange *change)
{
	const char **reset = NULL;
	int			nreset = 0;

	for (int i = 0; i < NOPTIONS; i++)
		change[i] = PG_ARGISNULL(option_args[i]) ? OPTION_KEEP : OPTION_SET;
	if (!PG_ARGISNULL(RESET_ARG))
		reset = TextArrayToStrings(PG_GETARG_DATUM(RESET_ARG), &nreset);
	for (int r = 0; r < nreset; r++)
	{
		int			i = 0;

		while (i < NOPTIONS && (reset[r] == NULL || strcmp(reset[r], option_names[i]) != 0))
			i++;
		if (i == NOPTIONS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option \"%s\" in reset", reset[r] ? reset[r] : "NULL"),
					 errhint("The options are target_schema, lock_timeout, statement_timeout, run_as and keep_dropped_data.")));
		if (change[i] == OPTION_SET)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option %s is both given and reset", option_names[i]),
					 errhint("Give it a value, or name it in reset, not both.")));
		change[i] = OPTION_RESET;
	}
}

/*
 * run_as may only name a role the caller could SET ROLE to: the bodies get
 * that role's rights, which the caller has already.
 */
static void
check_run_as(const char *project, const char *role)
{
	Oid			roleid = get_role_oid(role, false);

	if (!compat_member_can_set_role(GetUserId(), roleid))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to make role \"%s\" the role the bodies of project \"%s\" run as",
						role, project),
				 errdetail("Only a superuser or a role that may SET ROLE to \"%s\" may set it.", role),
				 errhint("GRANT \"%s\" TO the role that calls configure(), or have a superuser call it.",
						 role)));
}

/*
 * The parameters of the statements below: $1 the project, $2 to $6 the
 * options' values, $7 to $11 whether each is given or reset, $12 the
 * caller.
 */
#define NARGS (2 * NOPTIONS + 2)

static void
statement_args(const Datum *values, const char *nulls, const OptionChange *change,
			   Datum *args, char *argnulls)
{
	memcpy(args, values, sizeof(Datum) * (NOPTIONS + 1));
	memcpy(argnulls, nulls, NOPTIONS + 1);
	memset(argnulls + NOPTIONS + 1, ' ', NOPTIONS + 1);
	for (int i = 0; i < NOPTIONS; i++)
		args[NOPTIONS + 1 + i] = BoolGetDatum(change[i] != OPTION_KEEP);
	args[2 * NOPTIONS + 1] = DirectFunctionCall1(namein,
												 CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
}

/*
 * Whether the project row already holds what the call asks for (false when
 * there is no row).  One read, no lock.  A target schema given again by
 * another role than the one that set it is a change: the role that set it
 * is what a run trusts it for (body.c).
 */
static bool
unchanged(Datum *values, const char *nulls, const OptionChange *change)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[NARGS] = {TEXTOID, NAMEOID, INTERVALOID, INTERVALOID, NAMEOID,
		BOOLOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, NAMEOID};
	Datum		args[NARGS];
	char		argnulls[NARGS];
	bool		isnull;
	bool		same;

	statement_args(values, nulls, change, args, argnulls);
	BookkeepingPrepare(&plan,
					   "SELECT (NOT $7 OR (" SAME("target_schema", "$2")
					   " AND " SAME("configured_by", "$12") "))"
					   " AND (NOT $8 OR " SAME("lock_timeout", "$3") ")"
					   " AND (NOT $9 OR " SAME("statement_timeout", "$4") ")"
					   " AND (NOT $10 OR " SAME("run_as", "$5") ")"
					   " AND (NOT $11 OR " SAME("keep_dropped_data", "$6") ")"
					   " FROM migrate.project WHERE name OPERATOR(pg_catalog.=) $1",
					   NARGS, argtypes);
	BookkeepingExec(plan, args, argnulls, SPI_OK_SELECT);
	same = SPI_processed == 1 &&
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return same;
}

/*
 * Write the row: create the project, or change the options asked for.  The
 * role that sets or resets the target schema is recorded with it: a run
 * trusts it for the target schema, or for its absence (body.c).
 */
static void
write_options(Datum *values, const char *nulls, const OptionChange *change)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[NARGS] = {TEXTOID, NAMEOID, INTERVALOID, INTERVALOID, NAMEOID,
		BOOLOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, NAMEOID};
	Datum		args[NARGS];
	char		argnulls[NARGS];

	statement_args(values, nulls, change, args, argnulls);
	BookkeepingPrepare(&plan,
					   "INSERT INTO migrate.project AS p"
					   " (name, target_schema, lock_timeout, statement_timeout, run_as,"
					   " keep_dropped_data, configured_by)"
					   " VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 THEN $12 END)"
					   " ON CONFLICT (name) DO UPDATE"
					   " SET target_schema = CASE WHEN $7 THEN $2 ELSE p.target_schema END,"
					   " lock_timeout = CASE WHEN $8 THEN $3 ELSE p.lock_timeout END,"
					   " statement_timeout = CASE WHEN $9 THEN $4 ELSE p.statement_timeout END,"
					   " run_as = CASE WHEN $10 THEN $5 ELSE p.run_as END,"
					   " keep_dropped_data = CASE WHEN $11 THEN $6 ELSE p.keep_dropped_data END,"
					   " configured_by = CASE WHEN $7 THEN $12 ELSE p.configured_by END,"
					   " changed_at = pg_catalog.now()",
					   NARGS, argtypes);
	BookkeepingExec(plan, args, argnulls, SPI_OK_INSERT);
}

/*
 * migrate.configure(project, target_schema, lock_timeout,
 *					 statement_timeout, run_as, reset, keep_dropped_data)
 */
Datum
migrate_configure(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *name;
	OptionChange change[NOPTIONS];
	Datum		values[NOPTIONS + 1];
	char		nulls[NOPTIONS + 1];

	/* before reading an argument 0.1's configure() did not have */
	CallCheckVersion();
	name = ProjectArg(fcinfo, 0);
	check_timeout(fcinfo, 2);
	check_timeout(fcinfo, 3);
	read_changes(fcinfo, change);
	if (change[3] == OPTION_SET)
		check_run_as(name, NameStr(*PG_GETARG_NAME(4)));

	values[0] = CStringGetTextDatum(name);
	nulls[0] = ' ';
	for (int i = 1; i <= NOPTIONS; i++)
	{
		nulls[i] = change[i - 1] == OPTION_SET ? ' ' : 'n';
		values[i] = change[i - 1] == OPTION_SET ? PG_GETARG_DATUM(option_args[i - 1]) : (Datum) 0;
	}

	CallCheckWritable("configure");
	CallBegin(&call, false);
	CallCheckLockable(name);
	if (!unchanged(values, nulls, change))
		write_options(values, nulls, change);
	CallEnd(&call);
	PG_RETURN_VOID();
}
