/*-------------------------------------------------------------------------
 *
 * call.c
 *	  One call of a migrate function: its SPI connection, the state of calls
 *	  nested in each other, and the bookkeeping statements it runs as the
 *	  owner of the catalog tables.
 *
 * Connection.  Every SQL entry point connects to SPI for its whole call
 * (CallBegin ... CallEnd).  Functions declared STABLE connect read-only:
 * their queries then use the calling statement's snapshot, as a STABLE SQL
 * function's would.  Anything allocated while connected dies with SPI, so
 * a result that must outlive the call is built in the context saved by
 * CallBegin (CallResultText).
 *
 * Nesting.  A revision body runs inside the call that runs it, and may
 * itself call migrate: read the state, register, or run another project.
 * So calls nest, and three pieces of state follow the nesting: the depth
 * (a cached graph is freed at once only when no outer call may still hold
 * it), the read-only mode of the innermost call (restored when it ends),
 * and the projects whose plans are being run (a body may not run its own
 * project: that run would plan from the version rows as they were before
 * the current step; and nesting is bounded).  A call that fails ends
 * without CallEnd; if the failure is caught by a subtransaction (a body
 * that traps the error of a migrate function it called), the state of the
 * calls under way when that subtransaction began is put back, and at the
 * end of the transaction everything is reset.
 *
 * Identity.  The catalog tables belong to the role that created the
 * extension, and nobody else may write them; a role needs EXECUTE on a
 * function, not privileges on the tables, to migrate.  So each bookkeeping
 * statement runs as the owner of the tables (SetUserIdAndSecContext with
 * SECURITY_LOCAL_USERID_CHANGE, as the server does for maintenance
 * commands), and the caller's identity is back before anything else runs:
 * revision bodies always run as the caller.  An error inside a bookkeeping
 * statement aborts the (sub)transaction, which restores the identity.
 * Bookkeeping statements are prepared once per backend and kept; the plan
 * cache re-plans them if the extension is dropped and created again.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "migrate.h"

/* runs nested in each other's bodies, at most */
#define MAX_NESTED_RUNS 16

/* calls of migrate functions under way in this backend */
static int	call_depth = 0;

/* whether the innermost call is read-only (a STABLE function) */
static bool call_read_only = false;

/* projects whose plan this backend is running, innermost last */
static const char *running[MAX_NESTED_RUNS];
static int	nrunning = 0;

/*
 * In the background worker of CALL migrate.apply(): the project its caller
 * holds the lock of, for the worker's whole life (it commits as it goes).
 */
static char *forbidden_project = NULL;

/*
 * Set while a bookkeeping statement runs, so that the trigger on
 * migrate.revision can tell the extension's own writes from edits by hand.
 */
static bool in_bookkeeping = false;

/*
 * The state of the calls under way when each open subtransaction began,
 * restored if it aborts.
 */
typedef struct SavedCallState
{
	SubTransactionId subid;
	int			call_depth;
	bool		read_only;
	int			nrunning;
} SavedCallState;

static SavedCallState *saved_states = NULL;
static int	nsaved_states = 0;
static int	max_saved_states = 0;

static void
remember_call_state(SubTransactionId subid)
{
	if (nsaved_states == max_saved_states)
	{
		int			size = Max(16, max_saved_states * 2);

		saved_states = saved_states == NULL ?
			MemoryContextAlloc(TopMemoryContext, sizeof(SavedCallState) * size) :
			repalloc(saved_states, sizeof(SavedCallState) * size);
		max_saved_states = size;
	}
	saved_states[nsaved_states].subid = subid;
	saved_states[nsaved_states].call_depth = call_depth;
	saved_states[nsaved_states].read_only = call_read_only;
	saved_states[nsaved_states].nrunning = nrunning;
	nsaved_states++;
}

/*
 * A subtransaction ends: forget what was saved for it (and for any of its
 * children still listed), and on abort put back the state it began with.
 */
static void
forget_call_state(SubTransactionId subid, bool aborted)
{
	bool		found = false;

	while (nsaved_states > 0 && saved_states[nsaved_states - 1].subid >= subid)
	{
		SavedCallState *s = &saved_states[--nsaved_states];

		if (s->subid == subid)
		{
			found = true;
			if (aborted)
			{
				call_depth = s->call_depth;
				call_read_only = s->read_only;
				nrunning = s->nrunning;
			}
		}
	}

	/* a subtransaction that began before the library was loaded */
	if (!found && aborted)
	{
		call_depth = 0;
		call_read_only = false;
		nrunning = 0;
	}
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	switch (event)
	{
		case SUBXACT_EVENT_START_SUB:
			remember_call_state(mySubid);
			break;
		case SUBXACT_EVENT_COMMIT_SUB:
			forget_call_state(mySubid, false);
			break;
		case SUBXACT_EVENT_ABORT_SUB:
			forget_call_state(mySubid, true);
			break;
		case SUBXACT_EVENT_PRE_COMMIT_SUB:
			break;
	}
}

static void
xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
	{
		call_depth = 0;
		call_read_only = false;
		nrunning = 0;
		nsaved_states = 0;
	}
}

void
CallInit(void)
{
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
}

/*
 * Refuse a function that changes a project where nothing can be written:
 * on a standby, or in a read-only transaction.  Checked before anything
 * else, so that the error says why instead of naming the first internal
 * statement that failed.
 */
void
CallCheckWritable(const char *function)
{
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot run migrate.%s() on a standby server", function),
				 errdetail("The server is in recovery: it replays the primary's changes and cannot record a migration of its own."),
				 errhint("Connect to the primary server; standbys follow it by replication.")));
	if (XactReadOnly)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot run migrate.%s() in a read-only transaction", function),
				 errhint("Run it in a read-write transaction (SET TRANSACTION READ WRITE, or default_transaction_read_only off).")));
}

/*
 * Connect to SPI for one call.  The mode of an enclosing call and the
 * memory context results must be built in are saved in *call and restored
 * by CallEnd.
 */
/*
 * The library serves the SQL objects of the extension's current version
 * only: a database whose extension is older (the package was upgraded, the
 * database not yet) is told so, before a call reads a table or an argument
 * that is not there.  0.2 added migrate.project.run_as.
 */
void
CallCheckVersion(void)
{
	Oid			nsp = get_namespace_oid("migrate", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("project", nsp) : InvalidOid;

	if (OidIsValid(relid) && get_attnum(relid, "run_as") == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"migrate\" must be updated in this database before it can be used"),
				 errdetail("Its library is version %s; the database has the extension at an older version.",
						   MIGRATE_VERSION),
				 errhint("Run ALTER EXTENSION migrate UPDATE.")));
}

void
CallBegin(MigrateCall *call, bool read_only)
{
	CallCheckVersion();
	call->saved_read_only = call_read_only;
	call->result_context = CurrentMemoryContext;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	call_read_only = read_only;
	call_depth++;
}

void
CallEnd(MigrateCall *call)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	call_read_only = call->saved_read_only;
	if (call_depth > 0)
		call_depth--;
}

/*
 * A text result, built where it survives SPI_finish.
 */
text *
CallResultText(const MigrateCall *call, const char *s)
{
	MemoryContext old = MemoryContextSwitchTo(call->result_context);
	text	   *result = cstring_to_text(s);

	MemoryContextSwitchTo(old);
	return result;
}

/*
 * CALL migrate.apply() commits as it goes; the end of each transaction
 * resets the state of the calls under way (xact_callback), so its call
 * takes it up again in the next transaction.
 */
void
CallBeginNonAtomic(MigrateCall *call)
{
	CallCheckVersion();
	call->saved_read_only = false;
	call->result_context = CurrentMemoryContext;
	if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	CallResume();
}

/*
 * Take up the state of a non-atomic call (CALL migrate.apply()) in the
 * transaction that SPI_commit has just started.
 *
 * Why: the end of every transaction resets the state of the calls under
 * way (xact_callback), since a call that failed never reaches CallEnd and
 * nothing else would put the state back.  A procedure that commits and
 * goes on is still under way, so it says so again.
 *
 * What it guarantees: the backend is in one call, the outermost (depth 1:
 * a procedure committing is never nested in another call of migrate's, as
 * a CALL inside a function or a body is atomic and cannot commit), which
 * is read-write, and which runs no project's plan yet: the caller enters
 * the run of each step again (CallEnterRun), so a body of the next step
 * that calls migrate on its own project is refused as before.  The SPI
 * connection itself survives the commit (SPI_OPT_NONATOMIC).
 */
void
CallResume(void)
{
	call_read_only = false;
	call_depth = 1;
}

/*
 * Commit the transaction of a non-atomic call and take up the call in the
 * next one (CallResume).
 */
void
CallCommit(void)
{
	SPI_commit();
	CallResume();
}

bool
CallReadOnly(void)
{
	return call_read_only;
}

int
CallDepth(void)
{
	return call_depth;
}

/*
 * Refuse a run of a project whose plan this backend is running already
 * (from one of the project's own revision bodies).
 */
void
CallCheckNotRunning(const char *project)
{
	CallCheckLockable(project);
	for (int i = 0; i < nrunning; i++)
		if (strcmp(running[i], project) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_IN_USE),
					 errmsg("project \"%s\" is already being migrated by this session", project),
					 errdetail("A revision body of the project called a migrate function that runs the same project."),
					 errhint("Bodies may register revisions or read the state, but not upgrade, downgrade or stamp their own project.")));
}

/*
 * The background worker that runs a non-transactional revision's
 * statements may not register, run, stamp or configure the revision's
 * project: its caller holds the project's lock until the worker is done,
 * so the worker would wait for it forever.
 */
void
CallForbidProject(const char *project)
{
	forbidden_project = MemoryContextStrdup(TopMemoryContext, project);
}

void
CallCheckLockable(const char *project)
{
	if (forbidden_project != NULL && strcmp(forbidden_project, project) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("project \"%s\" is locked by the CALL migrate.apply() running this revision", project),
				 errdetail("The statements of a non-transactional revision run while its caller holds the project's lock."),
				 errhint("Bodies may read the state of their own project, but not register, run, stamp or configure it.")));
}

/*
 * A run of the project starts; CallLeaveRun ends it.  A run that fails
 * does not get there: the end of its (sub)transaction forgets it.
 */
void
CallEnterRun(const char *project)
{
	CallCheckNotRunning(project);
	if (nrunning >= MAX_NESTED_RUNS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many nested migrate runs"),
				 errdetail("Revision bodies that run other projects are nested at most %d deep.",
						   MAX_NESTED_RUNS)));
	running[nrunning++] = project;
}

void
CallLeaveRun(void)
{
	if (nrunning > 0)
		nrunning--;
}

/*
 * The role that owns the catalog tables: the one that created the extension,
 * unless a superuser gave them away since (REASSIGN OWNED moves all of them).
 * Asked for by every bookkeeping statement, so it is read through the
 * syscache, which follows ownership changes without a catalog scan.
 */
Oid
CallCatalogOwner(void)
{
	Oid			nsp = get_namespace_oid("migrate", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("revision", nsp) : InvalidOid;
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"migrate\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION migrate.")));
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Prepare a bookkeeping statement once per backend.
 */
SPIPlanPtr
BookkeepingPrepare(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes)
{
	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*slot = plan;
	}
	return *slot;
}

/*
 * Run a prepared bookkeeping statement as the catalog owner and check that
 * it returned what the caller expects.  SPI leaves its caller in the
 * procedure's memory context, which lives as long as the call: the
 * caller's context is put back, so that the memory of a run's step is
 * freed with the step.
 */
void
BookkeepingExec(SPIPlanPtr plan, Datum *values, const char *nulls, int expect)
{
	MemoryContext context = CurrentMemoryContext;
	Oid			saved_userid;
	int			saved_sec_context;
	volatile int rc = 0;

	GetUserIdAndSecContext(&saved_userid, &saved_sec_context);
	SetUserIdAndSecContext(CallCatalogOwner(),
						   saved_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	in_bookkeeping = true;
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, values, nulls, call_read_only, 0);
	}
	PG_FINALLY();
	{
		in_bookkeeping = false;
	}
	PG_END_TRY();
	SetUserIdAndSecContext(saved_userid, saved_sec_context);
	MemoryContextSwitchTo(context);
	if (rc != expect)
		elog(ERROR, "unexpected result of a migrate catalog query: %s",
			 SPI_result_code_string(rc));
}

/*
 * Prepare (once) and run a bookkeeping statement whose only parameter, $1,
 * is a project name.
 */
void
BookkeepingExecProject(SPIPlanPtr *slot, const char *sql, const char *project,
					   int expect)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];

	BookkeepingPrepare(slot, sql, 1, argtypes);
	values[0] = CStringGetTextDatum(project);
	BookkeepingExec(*slot, values, NULL, expect);
}

bool
InBookkeeping(void)
{
	return in_bookkeeping;
}
