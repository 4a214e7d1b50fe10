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
 * it: the lock keeps other runs out, but not edits made by hand.  Revisions
 * registered meanwhile (a newer container's files, loaded while this one
 * applies) are the one change allowed: they add to the graph, and the rest
 * of the plan stays what it was.
 *
 * While a background worker runs a non-transactional revision, the call
 * also holds the project's build lock, which tells a statement that wants
 * the migration lock that it cannot wait for it (project.c).  The call
 * returns the revisions it ran, their durations and the heads after, as
 * the procedure's INOUT parameters.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "migrate.h"
#include "util/subxact.h"

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
	const char **step_ids;		/* the plan's revisions, by id */
	MgRevList	rows;			/* the version rows before the next step */
	int			ndone;			/* steps done, and how long each took */
	int64	   *usecs;
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
	/* revisions registered meanwhile leave the rest of the plan as it was */
	same = cg->graph_gen == st->graph_gen && cg->last_seq >= st->last_seq &&
		cg->created_at == st->created_at && rows.n == st->rows.n;
	for (int i = 0; same && i < rows.n; i++)
	{
		bool		found = false;

		for (int j = 0; j < st->rows.n && !found; j++)
			found = rows.items[i] == st->rows.items[j];
		same = found;
	}
	/* a revision added keeps the others where they were in the graph */
	for (int i = 0; same && i < st->plan.nsteps; i++)
		same = strcmp(mg_rev_id(cg->graph, st->plan.steps[i].rev), st->step_ids[i]) == 0;
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("project \"%s\" was changed while migrate.%s() was running", st->name, st->function),
				 errdetail("Its revisions or version rows are not what the plan was made from; the revisions applied so far stay applied."),
				 errhint("Call migrate.%s() again to plan from the project as it is now.", st->function)));
	return cg;
}

/* the work of one step, done by guarded() in a subtransaction */
typedef struct StepWork
{
	const ApplyState *st;
	MigrateProject *project;
	CachedGraph *cg;
	int			number;
	MgRevList  *rows;
	bool		nontransactional;	/* a non-transactional step */
	char	   *checksum;		/* of the body it runs */
	BodyStatement *stmts;		/* a non-transactional step's statements */
	int			nstmts;
	int64		usecs;			/* how long the step took */
	Datum		invalid_before; /* INVALID indexes before they ran */
} StepWork;

/*
 * The INVALID indexes now that were not before the step: what its failed
 * statements left behind; 0 when nothing (or when it did not get to run).
 */
static Datum
left_behind(const StepWork *w)
{
	const char **before;
	const char **now;
	int			nbefore;
	int			nnow;
	const char **left;
	int			nleft = 0;

	if (!w->nontransactional || w->invalid_before == (Datum) 0)
		return (Datum) 0;
	before = TextArrayToStrings(w->invalid_before, &nbefore);
	now = TextArrayToStrings(BodyInvalidIndexes(NULL), &nnow);
	left = palloc(sizeof(char *) * (nnow + 1));
	for (int i = 0; i < nnow; i++)
	{
		bool		old = false;

		for (int j = 0; j < nbefore && !old; j++)
			old = strcmp(now[i], before[j]) == 0;
		if (!old)
			left[nleft++] = now[i];
	}
	return nleft > 0 ? StringsToTextArray(left, nleft) : (Datum) 0;
}

/*
 * A step failed: its log row, with the error and what it left behind, is
 * committed (the version rows did not move), and the error goes on.  The
 * caller has rolled back what the step did.  A second cancel (a client
 * that cancels again) waits until the row is written.
 */
pg_noreturn static void
fail_step(const StepWork *w, const MgRevList *rows, TimestampTz start,
		  ErrorData *edata)
{
	const MgStep *step = &w->st->plan.steps[w->number];

	HOLD_INTERRUPTS();
	/* a transactional body's failure is logged where it runs (run.c) */
	if (w->nontransactional)
		RunLogFailure(w->cg, step, start, edata);
	LogStep(w->cg, step, rows, rows, start, RunElapsed(start),
			GetUserNameFromId(GetUserId(), false), w->checksum,
			psprintf("%s: %s", unpack_sql_state(edata->sqlerrcode), edata->message),
			left_behind(w));
	/* the steps before this one stay applied: the schemas as they left them */
	DriftRecord(w->st->name, w->project->target_schema);
	CallCommit();
	RESUME_INTERRUPTS();
	ReThrowError(edata);
}

/* the constraints a step's body deferred, named if they fail */
static void
deferred_context(void *arg)
{
	errcontext("while checking the deferred constraints of revision %s", (const char *) arg);
}

/*
 * A transactional step, as upgrade() runs one; then its deferred
 * constraints, which the commit would check where the failure could not
 * be logged.
 */
static void
work_inside(StepWork *w)
{
	const MgStep *step = &w->st->plan.steps[w->number];
	MemoryContext context = CurrentMemoryContext;
	ErrorContextCallback errcallback;

	ProjectTouch(w->st->name);
	RunStep(w->project, w->cg, step, w->number + 1, w->st->plan.nsteps,
			w->rows, NULL);
	errcallback.callback = deferred_context;
	errcallback.arg = (void *) mg_rev_id(w->cg->graph, step->rev);
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	if (SPI_execute("SET CONSTRAINTS ALL IMMEDIATE", false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "SET CONSTRAINTS ALL IMMEDIATE failed");
	error_context_stack = errcallback.previous;
	MemoryContextSwitchTo(context);
}

/* a non-transactional step's body read, checked and split */
static void
work_prepare(StepWork *w)
{
	const MgStep *step = &w->st->plan.steps[w->number];

	w->stmts = BodyPrepareNontransactional(w->project, w->cg, step, &w->checksum, &w->nstmts);
	RunNotice(w->cg, step);
	w->invalid_before = BodyInvalidIndexes(NULL);
}

static void
work_nontransactional(StepWork *w)
{
	ProjectBuildBegin(w->st->name);
	PG_TRY();
	{
		BodyRunNontransactional(w->project, w->cg, &w->st->plan.steps[w->number],
					   w->stmts, w->nstmts);
	}
	PG_FINALLY();
	{
		ProjectBuildEnd(w->st->name);
	}
	PG_END_TRY();
}

/* a step's work and what its failure needs, for guarded() */
typedef struct Guarded
{
	void		(*work) (StepWork *);
	StepWork   *w;
	MgRevList	before;			/* the version rows before the step */
	TimestampTz start;
} Guarded;

static void
guarded_work(void *arg)
{
	Guarded    *g = (Guarded *) arg;

	g->work(g->w);
}

/* every failure is logged, a cancel too, and goes on from fail_step */
static void
guarded_failed(ErrorData *edata, void *arg)
{
	Guarded    *g = (Guarded *) arg;

	fail_step(g->w, &g->before, g->start, edata);
}

/*
 * Do a step's work inside a subtransaction, so that a failure can still be
 * logged and committed (fail_step) with the version rows as they were
 * before it.
 */
static void
guarded(void (*work) (StepWork *), StepWork *w, TimestampTz start)
{
	Guarded		g;

	g.work = work;
	g.w = w;
	g.start = start;
	g.before.n = w->rows->n;
	g.before.items = palloc(sizeof(int) * (w->rows->n + 1));
	memcpy(g.before.items, w->rows->items, sizeof(int) * w->rows->n);
	(void) SubxactRun(guarded_work, &g, true, guarded_failed);
}

/*
 * A non-transactional step: read and check the body, commit, have a
 * background worker run its statements, then record the step.  Once the
 * worker has said every statement committed, interrupts wait until the
 * step is recorded and committed (the hand-off in migrate.h): a cancel then
 * stops the next step, not this one, which is done.
 */
static void
apply_nontransactional(StepWork *w)
{
	const MgStep *step = &w->st->plan.steps[w->number];
	TimestampTz start = GetCurrentTimestamp();

	w->nontransactional = true;
	guarded(work_prepare, w, start);
	RunReportStep(w->cg, step, w->number + 1, w->st->plan.nsteps);
	if (w->nstmts > 0)
	{
		/* from here until the worker is done, no snapshot, no table lock */
		CallCommit();
		start = GetCurrentTimestamp();
		guarded(work_nontransactional, w, start);
	}
	ProjectTouch(w->st->name);
	w->usecs = RunElapsed(start);
	RunRecord(w->cg, step, w->rows, start, w->usecs, w->checksum);
	CallCommit();
	if (w->nstmts > 0)
		LaunchRecorded();
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
	CachedGraph *cg = RunOpen(st->name, &project, &rows, false);

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
	st->step_ids = palloc(sizeof(char *) * st->plan.nsteps);
	for (int i = 0; i < st->plan.nsteps; i++)
		st->step_ids[i] = pstrdup(mg_rev_id(cg->graph, st->plan.steps[i].rev));
	st->usecs = palloc0(sizeof(int64) * st->plan.nsteps);
	BodyPrepareRun(project);
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
	CallCommit();
	DriftBegin();

	stepcontext = AllocSetContextCreate(CurrentMemoryContext, "migrate apply step",
										ALLOCSET_DEFAULT_SIZES);
	for (int i = 0; i < st->plan.nsteps; i++)
	{
		StepWork	w;

		MemoryContextReset(stepcontext);
		oldcontext = MemoryContextSwitchTo(stepcontext);
		memset(&w, 0, sizeof(w));
		w.st = st;
		w.number = i;
		w.rows = &st->rows;
		w.cg = reopen(st, &w.project);
		CallEnterRun(st->name);
		if (w.cg->transactional[st->plan.steps[i].rev])
		{
			TimestampTz start = GetCurrentTimestamp();

			guarded(work_inside, &w, start);
			w.usecs = RunElapsed(start);
		}
		else
			apply_nontransactional(&w);
		CallLeaveRun();
		st->usecs[st->ndone++] = w.usecs;
		RunReportStep(w.cg, NULL, 0, 0);
		DriftNoteStep();
		MemoryContextSwitchTo(oldcontext);
		CallCommit();
	}
	MemoryContextDelete(stepcontext);
	/* the project's schemas as the call leaves them (drift.c) */
	{
		MigrateProject *project = ProjectOpen(st->name, false);

		DriftRecord(st->name, project->target_schema);
		CallCommit();
	}
}

/*
 * What the call ran, for its INOUT parameters: the revisions, how long each
 * took, and the project's version rows after.
 */
static Datum
call_result(FunctionCallInfo fcinfo, const ApplyState *st)
{
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	Datum	   *durations = palloc(sizeof(Datum) * (st->ndone + 1));
	char	  **heads;
	int			nheads;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	for (int i = 0; i < st->ndone; i++)
	{
		Interval   *iv = palloc0(sizeof(Interval));

		iv->time = st->usecs[i];
		durations[i] = IntervalPGetDatum(iv);
	}
	heads = VersionIds(st->name, &nheads);
	values[0] = StringsToTextArray(st->step_ids, st->ndone);
	values[1] = PointerGetDatum(construct_array(durations, st->ndone, INTERVALOID,
												sizeof(Interval), false, TYPALIGN_DOUBLE));
	values[2] = StringsToTextArray((const char *const *) heads, nheads);
	return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

static Datum
apply_command(FunctionCallInfo fcinfo, bool up)
{
	MigrateCall call;
	ApplyState	st;
	char	   *target;
	Datum		result;

	/* before the INOUT parameters 0.1's procedures did not have */
	CallCheckVersion();
	memset(&st, 0, sizeof(st));
	st.function = up ? "apply" : "apply_downgrade";
	check_nonatomic(fcinfo, st.function);
	CallCheckWritable(st.function);
	target = TargetArg(fcinfo, 0);
	st.name = ProjectArg(fcinfo, 1);
	CallCheckNotRunning(st.name);

	CallBeginNonAtomic(&call);

	/*
	 * Wait for the lock holding no snapshot: the CALL's own would make the
	 * lock holder's CREATE INDEX CONCURRENTLY wait for this call.
	 */
	CallCommit();
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
	/* in the procedure's memory, which the portal keeps until it is sent */
	{
		MemoryContext oldcontext = MemoryContextSwitchTo(call.result_context);

		result = call_result(fcinfo, &st);
		MemoryContextSwitchTo(oldcontext);
	}
	CallEnd(&call);
	return result;
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
