/*-------------------------------------------------------------------------
 *
 * apply.c
 *	  CALL migrate.apply(target, project) and CALL migrate.apply_downgrade(
 *	  target, project): the plan upgrade() or downgrade() would run, one
 *	  transaction per revision, so that revisions registered with
 *	  transactional => false can run among the others.
 *
 * The project's migration lock is held for the whole call, at session
 * level (same key as upgrade()'s transaction-level lock, so callers of
 * either kind wait for each other), and released however the call ends.
 * The plan is made once, in a first transaction, from the state read under
 * the lock; each step then runs in a transaction of its own:
 *
 *	- a transactional revision's body, version rows and log row commit
 *	  together, as a step of upgrade() would;
 *	- a non-transactional revision is read and checked, then the
 *	  transaction commits, and a background worker runs its statements one
 *	  by one, each committing on its own (launch.c); when the last one has
 *	  committed, its version rows and log row commit.
 *
 * A step that fails leaves the version rows where they were and a log row
 * with the error, committed; the call then fails with the step's error.
 * Steps before it stay applied.  Calling apply() again retries from there.
 *
 * Before each step the project is read again and must be as the plan left
 * it: the lock keeps other runs out, but not edits made by hand.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_apply);
PG_FUNCTION_INFO_V1(migrate_apply_downgrade);

/* the plan of an apply() call, kept across its transactions */
typedef struct ApplyState
{
	const char *name;			/* the project */
	const char *function;		/* "apply" or "apply_downgrade" */
	int64		graph_gen;		/* the graph the plan was made on */
	int64		last_seq;
	TimestampTz created_at;
	MgPlan		plan;
	MgRevList	rows;			/* the version rows before the next step */
} ApplyState;

/*
 * A procedure that commits cannot run inside a transaction block or a
 * function: CALL it on its own.
 */
static void
check_nonatomic(FunctionCallInfo fcinfo, const char *function)
{
	if (fcinfo->context == NULL || !IsA(fcinfo->context, CallContext) ||
		castNode(CallContext, fcinfo->context)->atomic)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("migrate.%s() cannot run inside a transaction block or a function", function),
				 errdetail("It commits each revision on its own."),
				 errhint("CALL it as a statement of its own, outside BEGIN ... COMMIT; to migrate inside a transaction, use SELECT * FROM migrate.%s(...).",
						 strcmp(function, "apply") == 0 ? "upgrade" : "downgrade")));
}

/*
 * The project as the next step needs it: the graph the plan was made on
 * and the version rows the plan expects.  Anything else means the project
 * was changed behind the lock's back.
 */
static CachedGraph *
reopen(const ApplyState *st, MigrateProject **project)
{
	CachedGraph *cg;
	MgRevList	rows;
	bool		same;

	*project = ProjectOpen(st->name, IsolationUsesXactSnapshot());
	cg = GraphCacheGet(*project);
	rows = VersionRows(cg);
	same = cg->graph_gen == st->graph_gen && cg->last_seq == st->last_seq &&
		cg->created_at == st->created_at && rows.n == st->rows.n;
	for (int i = 0; same && i < rows.n; i++)
	{
		bool		found = false;

		for (int j = 0; j < st->rows.n && !found; j++)
			found = rows.items[i] == st->rows.items[j];
		same = found;
	}
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("project \"%s\" was changed while migrate.%s() was running", st->name, st->function),
				 errdetail("Its revisions or version rows are not what the plan was made from; the revisions applied so far stay applied."),
				 errhint("Call migrate.%s() again to plan from the project as it is now.", st->function)));
	return cg;
}

/*
 * A step failed: its log row, with the error, is committed (the version
 * rows did not move), and the error goes on.  The caller has rolled back
 * what the step did.
 */
pg_noreturn static void
fail_step(const CachedGraph *cg, const MgStep *step, const MgRevList *rows,
		  TimestampTz start, ErrorData *edata)
{
	LogStep(cg, step, rows, rows, start, RunElapsed(start),
			GetUserNameFromId(GetUserId(), false), NULL,
			psprintf("%s: %s", unpack_sql_state(edata->sqlerrcode), edata->message));
	SPI_commit();
	CallResume();
	ReThrowError(edata);
}

/*
 * A transactional step: run as upgrade() runs one, inside a subtransaction
 * so that a failure can still be logged and committed.
 */
static void
apply_inside(const ApplyState *st, MigrateProject *project, CachedGraph *cg,
			 int number, MgRevList *rows)
{
	const MgStep *step = &st->plan.steps[number];
	MemoryContext context = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	TimestampTz start = GetCurrentTimestamp();
	MgRevList	before = *rows;

	before.items = palloc(sizeof(int) * (rows->n + 1));
	memcpy(before.items, rows->items, sizeof(int) * rows->n);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(context);
	PG_TRY();
	{
		ProjectTouch(st->name);
		RunStep(project, cg, step, number + 1, st->plan.nsteps, rows, NULL);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(context);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
		fail_step(cg, step, &before, start, edata);
	}
	PG_END_TRY();
}

/*
 * A non-transactional step: read and check the body, commit, have a
 * background worker run its statements, then record the step.
 */
static void
apply_outside(const ApplyState *st, MigrateProject *project, CachedGraph *cg,
			  int number, MgRevList *rows)
{
	const MgStep *step = &st->plan.steps[number];
	MemoryContext context = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	char	   *checksum;
	char	   *body = BodyFetch(cg, step, &checksum);
	BodyStatement *stmts;
	int			nstmts;
	TimestampTz start;

	RunNotice(cg, step);
	stmts = BodySplit(body, &nstmts);
	RunReportStep(cg, step, number + 1, st->plan.nsteps);

	/* from here until the worker is done, no snapshot and no table lock */
	SPI_commit();
	CallResume();
	start = GetCurrentTimestamp();
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(context);
	PG_TRY();
	{
		BodyRunOutside(project, cg, step, stmts, nstmts);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(context);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
		fail_step(cg, step, rows, start, edata);
	}
	PG_END_TRY();

	ProjectTouch(st->name);
	RunRecord(cg, step, rows, start, RunElapsed(start), checksum);
}

/*
 * Plan, in the first transaction, from the state read under the lock.
 * False when there is nothing to do.
 */
static bool
make_plan(ApplyState *st, const char *target, bool up)
{
	MigrateProject *project;
	MgRevList	rows;
	MgError		err;
	CachedGraph *cg = RunOpenProject(st->name, &project, &rows, false);

	if (!(up ? mg_plan_upgrade : mg_plan_downgrade) (cg->graph, target, &rows,
													 &st->plan, &err))
		GraphError(&err, st->name);
	if (st->plan.nsteps == 0)
		return false;
	RunCheckDowngrades(cg, &st->plan);
	st->graph_gen = cg->graph_gen;
	st->last_seq = cg->last_seq;
	st->created_at = cg->created_at;
	/* the rows as they evolve; a step adds at most one row */
	st->rows.n = rows.n;
	st->rows.items = palloc(sizeof(int) * (rows.n + st->plan.nsteps + 1));
	memcpy(st->rows.items, rows.items, sizeof(int) * rows.n);
	BodyPrepareTargetSchema(project);
	return true;
}

/*
 * The whole call, with the session lock held.  Everything that must last
 * across its transactions lives in the procedure's SPI memory, which
 * outlives them; each step's memory is freed when the step is done.
 */
static void
apply_plan(ApplyState *st, const char *target, bool up)
{
	MemoryContext stepcontext;
	MemoryContext oldcontext;

	if (!make_plan(st, target, up))
		return;
	SPI_commit();
	CallResume();

	stepcontext = AllocSetContextCreate(CurrentMemoryContext, "migrate apply step",
										ALLOCSET_DEFAULT_SIZES);
	for (int i = 0; i < st->plan.nsteps; i++)
	{
		MigrateProject *project;
		CachedGraph *cg;

		MemoryContextReset(stepcontext);
		oldcontext = MemoryContextSwitchTo(stepcontext);
		cg = reopen(st, &project);
		CallEnterRun(st->name);
		if (cg->transactional[st->plan.steps[i].rev])
			apply_inside(st, project, cg, i, &st->rows);
		else
			apply_outside(st, project, cg, i, &st->rows);
		CallLeaveRun();
		RunReportStep(cg, NULL, 0, 0);
		MemoryContextSwitchTo(oldcontext);
		SPI_commit();
		CallResume();
	}
	MemoryContextDelete(stepcontext);
}

static Datum
apply_command(FunctionCallInfo fcinfo, bool up)
{
	MigrateCall call;
	ApplyState	st;
	char	   *target;

	st.function = up ? "apply" : "apply_downgrade";
	check_nonatomic(fcinfo, st.function);
	CallCheckWritable(st.function);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be NULL"),
				 errhint("Targets are 'head', 'base', a revision id or prefix, or a relative step such as '-1'.")));
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	st.name = ProjectArg(fcinfo, 1);
	CallCheckNotRunning(st.name);

	CallBeginNonAtomic(&call);
	ProjectLockSession(st.name);
	PG_TRY();
	{
		apply_plan(&st, target, up);
	}
	PG_FINALLY();
	{
		ProjectUnlockSession(st.name);
	}
	PG_END_TRY();
	CallEnd(&call);
	PG_RETURN_VOID();
}

/*
 * CALL migrate.apply(target, project)
 */
Datum
migrate_apply(PG_FUNCTION_ARGS)
{
	return apply_command(fcinfo, true);
}

/*
 * CALL migrate.apply_downgrade(target, project)
 */
Datum
migrate_apply_downgrade(PG_FUNCTION_ARGS)
{
	return apply_command(fcinfo, false);
}
