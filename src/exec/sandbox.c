/*-------------------------------------------------------------------------
 *
 * sandbox.c
 *	  Running migrations that are thrown away afterwards: the ground under
 *	  trial() and check_reversible().
 *
 * Steps are run by migrate's own SQL functions (pending, upgrade, downgrade,
 * stamp), called through SPI as the caller, each inside an internal
 * subtransaction, the way PL/pgSQL runs an exception block.  A step thus
 * goes through exactly the code a deploy goes through: checksum and author
 * checks, the project's search_path and timeouts, version rows, log rows
 * and NOTICEs; nothing here runs a body by itself.  Calling the SQL
 * functions, rather than the planner and runner of run.c, also means that a
 * role needs EXECUTE on upgrade() and downgrade() to try them.
 *
 * A plan is read with pending(target).  Once the steps before it are
 * applied, upgrade(<revision of step N>) runs step N and nothing else: every
 * unapplied ancestor and dependency of a revision comes before it in the
 * plan.  The reverse of an upgrade step of revision R is
 * downgrade('R@P'), P being a parent of R (or base for a root): the branch
 * part keeps the downgrade to R's lineage, so other branches stay applied,
 * and R is the only child of P in that lineage that is applied, its
 * descendants being still pending.  Each call's rows are checked against
 * that expectation.
 *
 * The caller wraps the whole run in one outer subtransaction that is rolled
 * back at the end (SandboxRun), so the schema, the version rows and the
 * log are as they were, and what the session holds beyond the transaction
 * (its advisory locks, its prepared statements) is put back as it was
 * (sandbox_session.c).  Sequences are not transactional: values taken by
 * bodies, and by the log's identity column, stay taken, as after any
 * rolled-back transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "migrate.h"
#include "util/subxact.h"

static SPIPlanPtr plan_pending = NULL;
static SPIPlanPtr plan_upgrade = NULL;
static SPIPlanPtr plan_downgrade = NULL;
static SPIPlanPtr plan_stamp = NULL;

/*
 * "trial" of "migrate.trial()": the name CallCheckWritable() reports.
 */
static char *
sql_name(const char *function)
{
	const char *name = function;

	if (strncmp(name, "migrate.", strlen("migrate.")) == 0)
		name += strlen("migrate.");
	return pnstrdup(name, strcspn(name, "("));
}

/*
 * Refuse to start where the function cannot run: from inside another call
 * of migrate, which can only be a revision body (or something a body set
 * off, such as a trigger), since the function would run bodies of its own
 * inside the run under way, and roll back, with them, whatever that run's
 * body did in the same subtransaction; and where nothing can be written (a
 * standby, a read-only transaction), since every step writes before it is
 * rolled back, and would fail, each naming the function it called, not the
 * one the caller did.
 */
void
SandboxRefuseNested(const char *function)
{
	if (CallDepth() > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("%s cannot be called from a revision body", function),
				 errdetail("It runs revision bodies itself and rolls them back, inside the run that is under way."),
				 errhint("Call it from a test, or from a session that is not migrating.")));
	CallCheckWritable(sql_name(function));
}

/*
 * Refuse a caller who may not run the given function of migrate (such as
 * "upgrade(text,text)"): the steps would all fail alike, and the reason is
 * the caller's rights, not the revisions.
 */
void
SandboxCheckPrivilege(const char *function, const char *caller)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	bool		isnull;
	int			rc;

	values[0] = CStringGetTextDatum(psprintf("migrate.%s", function));
	rc = SPI_execute_with_args("SELECT pg_catalog.has_function_privilege($1, 'EXECUTE')",
							   1, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not check the privileges on migrate.%s", function);
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function migrate.%s", function),
				 errdetail("%s runs the revisions through migrate.%s, with the privileges of its caller.",
						   caller, function),
				 errhint("Grant migrate_admin to the role.")));
	SPI_freetuptable(SPI_tuptable);
}

/* fn and its argument, for SandboxRun's subtransaction */
typedef struct SandboxWork
{
	void		(*fn) (void *arg);
	void	   *arg;
	SandboxSession *session;	/* as it was before */
} SandboxWork;

static void
sandbox_work(void *arg)
{
	SandboxWork *work = (SandboxWork *) arg;

	work->fn(work->arg);
}

/* a cancel is thrown again at once: the session is put back first */
static void
sandbox_failed(ErrorData *edata, void *arg)
{
	SandboxSessionRestore(((SandboxWork *) arg)->session);
}

/*
 * Run fn(arg) in a subtransaction that is rolled back however fn ends, and
 * put back what the rollback does not (sandbox_session.c); an error of fn
 * is thrown again after that.
 */
void
SandboxRun(void (*fn) (void *arg), void *arg)
{
	SandboxWork work;
	ErrorData  *edata;

	work.fn = fn;
	work.arg = arg;
	work.session = SandboxSessionSave();
	edata = SubxactRun(sandbox_work, &work, false, sandbox_failed);
	if (edata == NULL)
		SandboxSessionRestore(work.session);
	else
		ReThrowError(edata);
}

/*
 * "failed (22012): division by zero": a caught error, for a result row.
 */
char *
SandboxErrorText(const ErrorData *edata)
{
	return psprintf("failed (%s): %s", unpack_sql_state(edata->sqlerrcode),
					edata->message ? edata->message : "");
}

/*
 * The revisions upgrade(target) would run now, in order, from
 * migrate.pending().  Unknown projects and targets are reported by it.
 */
char	  **
SandboxPending(const char *target, const char *project, int *n)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	MemoryContext oldcontext = CurrentMemoryContext;
	char	  **ids;
	volatile int rc = 0;

	BookkeepingPrepare(&plan_pending,
					   "SELECT revision FROM migrate.pending($1, $2) ORDER BY step",
					   2, argtypes);
	values[0] = CStringGetTextDatum(target);
	values[1] = CStringGetTextDatum(project);
	PG_TRY();
	{
		rc = SPI_execute_plan(plan_pending, values, NULL, false, 0);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/*
		 * An unknown project or target: the caller's argument is wrong, and
		 * the query that found out is none of the caller's business.
		 */
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		edata->context = NULL;
		ReThrowError(edata);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "migrate.pending() failed: %s", SPI_result_code_string(rc));

	*n = (int) SPI_processed;
	ids = palloc(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
		ids[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	return ids;
}

/*
 * Run one of migrate's run functions through SPI as the caller and check
 * that it ran exactly one step, of the given revision.
 */
static void
run_one(SPIPlanPtr plan, const char *what, const char *target,
		const char *project, const char *revision)
{
	Datum		values[2];
	int			rc;
	char	   *ran;

	values[0] = CStringGetTextDatum(target);
	values[1] = CStringGetTextDatum(project);
	rc = SPI_execute_plan(plan, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "migrate.%s() failed: %s", what, SPI_result_code_string(rc));
	ran = SPI_processed == 1 ?
		SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : NULL;
	if (ran == NULL || strcmp(ran, revision) != 0)
		elog(ERROR, "migrate.%s('%s') ran " UINT64_FORMAT " steps, expected one step of revision %s",
			 what, target, SPI_processed, revision);
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Upgrade one revision, the next of the plan.
 */
void
SandboxUpgrade(const char *project, const char *revision)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};

	BookkeepingPrepare(&plan_upgrade,
					   "SELECT revision FROM migrate.upgrade($1, $2)",
					   2, argtypes);
	run_one(plan_upgrade, "upgrade", revision, project, revision);
}

/*
 * Downgrade the revision just upgraded, and nothing else (see the top of
 * the file).  parent is one of its parents, or NULL for a root.
 */
void
SandboxDowngrade(const char *project, const char *revision,
				 const char *parent)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	char	   *target = psprintf("%s@%s", revision, parent ? parent : "base");

	BookkeepingPrepare(&plan_downgrade,
					   "SELECT revision FROM migrate.downgrade($1, $2)",
					   2, argtypes);
	run_one(plan_downgrade, "downgrade", target, project, revision);
}

/*
 * Move the version rows over a revision without running its body, with
 * the NOTICE that stamp() raises held back: the caller reports the step.
 */
void
SandboxStamp(const char *project, const char *revision)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	int			nestlevel = NewGUCNestLevel();
	int			rc;

	if (client_min_messages < WARNING)
		(void) set_config_option("client_min_messages", "warning", PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	BookkeepingPrepare(&plan_stamp,
					   "SELECT revision FROM migrate.stamp($1, $2)",
					   2, argtypes);
	values[0] = CStringGetTextDatum(revision);
	values[1] = CStringGetTextDatum(project);
	rc = SPI_execute_plan(plan_stamp, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "migrate.stamp() failed: %s", SPI_result_code_string(rc));
	SPI_freetuptable(SPI_tuptable);
	AtEOXact_GUC(true, nestlevel);
}

/*
 * Whether the given revisions are registered as non-transactional
 * (transactional => false), one flag each.  A transactional body that
 * still cannot run in a transaction (VACUUM) fails with 25001 when it
 * runs, and the callers report that failure the same way.
 */
bool *
SandboxNontransactional(const char *project, char **ids, int n)
{
	bool	   *flags = palloc0(sizeof(bool) * (n + 1));
	RevisionFlags *revs = RevisionFlagsRead(project, ids, n);

	for (int i = 0; i < n; i++)
		flags[i] = revs[i].registered && !revs[i].transactional;
	return flags;
}
