/*-------------------------------------------------------------------------
 *
 * run.c
 *	  Running a plan, in the caller's transaction: for each step, its body,
 *	  its version rows, its log row and its result row.
 *
 * The caller holds the project's migration lock and has read the version
 * rows after taking it (project.c).  For each step, in order:
 *
 *	1. read the body and check it (body.c);
 *	2. raise the NOTICE Alembic logs ("Running upgrade a1 -> b2, message");
 *	3. run the body as the caller (body.c);
 *	4. apply the step's version-row changes (version.c) and write the log
 *	   row (log.c), as the owner of the catalog tables;
 *	5. return one row: (revision, operation, message, duration).
 *
 * Any error ends the whole call, and the caller's transaction rolls back
 * everything the call did: schema, version rows and log alike.  So that a
 * failure leaves a trace all the same, the server log gets one line for it
 * (level LOG): the operation, revision, project, SQLSTATE and how long the
 * body ran.
 *
 * While a step runs, the backend's entry in pg_stat_activity says which:
 * its query starts with a comment such as "migrate: upgrade of revision
 * c3d4, step 2 of 5, project "default"" before the query that runs it, so
 * that an operator sees a deploy's progress, and with wait_event what a
 * stuck one waits on.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"

#include "migrate.h"
#include "util/subxact.h"



/*
 * "a1, b2": revisions joined as Alembic prints them.
 */
static char *
join_revisions(const CachedGraph *cg, const MgRevList *list)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < list->n; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, mg_rev_id(cg->graph, list->items[i]));
	}
	return buf.data;
}

/*
 * Version rows are the applied heads: none may lie below another.  Rows
 * edited by hand can break that, and a run would then plan from a state
 * Alembic could never have left; refuse, and point at verify().
 */
static void
check_rows(const CachedGraph *cg, const MgRevList *rows)
{
	MgRevList	tips;
	MgError		err;

	if (rows->n < 2)
		return;
	if (!mg_current(cg->graph, rows, &tips, &err))
		GraphError(&err, cg->project);
	for (int i = 0; i < rows->n; i++)
	{
		bool		tip = false;

		for (int j = 0; j < tips.n && !tip; j++)
			tip = tips.items[j] == rows->items[i];
		if (!tip)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("version rows of project \"%s\" overlap", cg->project),
					 errdetail("Version row %s is an ancestor of another version row.",
							   mg_rev_id(cg->graph, rows->items[i])),
					 errhint("Run migrate.verify() to list the problems of the project.")));
	}
}

/*
 * Open a project for a run (upgrade, downgrade, stamp, apply): lock it,
 * read its state, and return the graph and version rows, refusing a
 * project without revisions or whose bodies fail their checksums.  With
 * purge (stamp(..., purge => true)), the version rows are removed first.  The
 * project row is locked too under REPEATABLE READ and SERIALIZABLE, where
 * the transaction's snapshot may predate the migration it waited for: the
 * server then raises a serialization failure instead of letting the caller
 * plan from stale rows.
 */
CachedGraph *
RunOpen(const char *name, MigrateProject **project, MgRevList *rows,
		bool purge)
{
	CachedGraph *cg;

	ProjectLock(name);
	*project = ProjectOpen(name, IsolationUsesXactSnapshot());
	cg = GraphCacheGet(*project);
	GraphCacheCheckNotEmpty(cg);
	GraphCacheCheckIntact(cg);
	if (purge)
	{
		/*
		 * stamp(..., purge => true) is how rows that do not fit the graph are
		 * mended, so they are removed before anything reads them.
		 */
		int			npurged;
		char	  **purged = VersionIds(cg->project, &npurged);

		if (npurged > 0)
		{
			ProjectTouch(cg->project);
			VersionDeleteAll(cg->project);
			LogPurge(cg->project, purged, npurged);
		}
		rows->items = NULL;
		rows->n = 0;
	}
	else
	{
		*rows = VersionRows(cg);
		check_rows(cg, rows);
	}
	ProjectSaveSummary(*project, cg);
	return cg;
}

/*
 * Refuse a plan with a non-transactional revision before anything runs:
 * upgrade() and downgrade() run in the caller's transaction.
 */
void
RunCheckTransactional(const CachedGraph *cg, const MgPlan *plan)
{
	for (int i = 0; i < plan->nsteps; i++)
	{
		const MgStep *step = &plan->steps[i];
		bool		up = step->kind == MG_STEP_UPGRADE;

		if (step->kind == MG_STEP_STAMP || cg->transactional[step->rev])
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("revision %s of project \"%s\" cannot run inside a transaction",
						mg_rev_id(cg->graph, step->rev), cg->project),
				 errdetail("It was registered with transactional => false: its statements, such as CREATE INDEX CONCURRENTLY, must each run on their own, and migrate.%s() runs in the caller's transaction.",
						   up ? "upgrade" : "downgrade"),
				 errhint("Run it with CALL migrate.%s(...), which commits each revision and runs this one outside a transaction.",
						 up ? "apply" : "apply_downgrade")));
	}
}

/*
 * Refuse a downgrade that would pass through an irreversible revision before
 * any body runs.
 */
void
RunCheckDowngrades(const CachedGraph *cg, const MgPlan *plan)
{
	char	  **ids;
	int			n = 0;
	RevisionFlags *flags;
	char	   *id = NULL;
	int64		newest = 0;

	ids = palloc(sizeof(char *) * (plan->nsteps + 1));
	for (int i = 0; i < plan->nsteps; i++)
		if (plan->steps[i].kind == MG_STEP_DOWNGRADE)
			ids[n++] = (char *) mg_rev_id(cg->graph, plan->steps[i].rev);
	if (n == 0)
		return;

	/* the newest revision the downgrade passes through that it cannot undo */
	flags = RevisionFlagsRead(cg->project, ids, n);
	for (int i = 0; i < n; i++)
		if (flags[i].registered && !flags[i].has_downgrade &&
			(id == NULL || flags[i].seq > newest))
		{
			id = ids[i];
			newest = flags[i].seq;
		}
	if (id == NULL)
		return;

	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("revision %s of project \"%s\" cannot be downgraded", id, cg->project),
			 errdetail("Its downgrade body is NULL, and the downgrade would pass through it."),
			 errhint("Choose a target above it, or move the version rows with migrate.stamp() without running bodies.")));
}

/*
 * Show the step under way in pg_stat_activity, before the query that runs
 * it; NULL step: the query alone again.
 */
void
RunReportStep(const CachedGraph *cg, const MgStep *step, int number, int total)
{
	const char *query = debug_query_string ? debug_query_string : "";

	if (step == NULL)
		pgstat_report_activity(STATE_RUNNING, query);
	else if (step->rev >= 0)
		pgstat_report_activity(STATE_RUNNING,
							   psprintf("/* migrate: %s of revision %s, step %d of %d, project \"%s\" */ %s",
										GraphStepOperation(step->kind),
										mg_rev_id(cg->graph, step->rev),
										number, total, cg->project, query));
	else
		pgstat_report_activity(STATE_RUNNING,
							   psprintf("/* migrate: stamp, step %d of %d, project \"%s\" */ %s",
										number, total, cg->project, query));
}

/*
 * A step failed: say so in the server log, since the transaction that
 * would have recorded it may roll back.
 */
void
RunLogFailure(const CachedGraph *cg, const MgStep *step, TimestampTz start,
			  const ErrorData *edata)
{
	ereport(LOG,
			(errmsg("migrate: %s of revision %s of project \"%s\" failed after " INT64_FORMAT " ms: SQLSTATE %s: %s",
					GraphStepOperation(step->kind),
					step->rev >= 0 ? mg_rev_id(cg->graph, step->rev) : "(none)",
					cg->project, RunElapsed(start) / 1000,
					unpack_sql_state(edata->sqlerrcode), edata->message),
			 errhidestmt(true)));
}

/*
 * Run a step's body; if it fails, log the failure on its way out.
 */
static void
run_logged(const MigrateProject *project, const CachedGraph *cg,
		   const MgStep *step, const char *body, Oid author, TimestampTz start)
{
	MemoryContext context = CurrentMemoryContext;

	PG_TRY();
	{
		BodyRun(project, cg, step, body, author);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(context);
		edata = CopyErrorData();
		FlushErrorState();
		RunLogFailure(cg, step, start, edata);
		ReThrowError(edata);
	}
	PG_END_TRY();
}

/*
 * The NOTICE Alembic logs for a step: "Running upgrade a1 -> b2, message".
 */
void
RunNotice(const CachedGraph *cg, const MgStep *step)
{
	MgRevList	parents = mg_parents(cg->graph, step->rev);
	MgRevList	self = {(int *) &step->rev, 1};
	MgRevList  *from = step->kind == MG_STEP_UPGRADE ? &parents : &self;
	MgRevList  *to = step->kind == MG_STEP_UPGRADE ? &self : &parents;
	const char *message = cg->messages[step->rev];

	if (message && message[0] != '\0')
		ereport(NOTICE,
				(errmsg("Running %s %s -> %s, %s", GraphStepOperation(step->kind),
						join_revisions(cg, from), join_revisions(cg, to), message)));
	else
		ereport(NOTICE,
				(errmsg("Running %s %s -> %s", GraphStepOperation(step->kind),
						join_revisions(cg, from), join_revisions(cg, to))));
}

/*
 * What a step leaves once its body has run: its version-row changes, applied
 * to *rows as well, and its log row.
 */
void
RunRecord(const CachedGraph *cg, const MgStep *step, MgRevList *rows,
		  TimestampTz start, int64 usecs, const char *checksum)
{
	MgRevList	before;

	before.n = rows->n;
	before.items = palloc(sizeof(int) * (rows->n + 1));
	memcpy(before.items, rows->items, sizeof(int) * rows->n);
	for (int j = 0; j < step->nops; j++)
		VersionApplyOp(cg, &step->ops[j], rows);
	if (step->kind == MG_STEP_STAMP)
		ereport(NOTICE,
				(errmsg("Running stamp_revision %s -> %s",
						join_revisions(cg, &before), join_revisions(cg, rows))));
	LogStep(cg, step, &before, rows, start, usecs,
			GetUserNameFromId(GetUserId(), false), checksum, NULL, (Datum) 0);
}

/* microseconds since start */
int64
RunElapsed(TimestampTz start)
{
	long		secs;
	int			usecs;

	TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
	return (int64) secs * USECS_PER_SEC + usecs;
}

/*
 * Run one step in the caller's transaction: its body (if it has one), its
 * version rows and log row, and its result row when rsinfo is given.  *rows
 * are the version rows before the step, and after it on return; they must
 * have room for one more.  number and total say where the step stands in
 * its plan, for pg_stat_activity.
 */
void
RunStep(const MigrateProject *project, const CachedGraph *cg,
		const MgStep *step, int number, int total, MgRevList *rows,
		ReturnSetInfo *rsinfo)
{
	const char *id = step->rev >= 0 ? mg_rev_id(cg->graph, step->rev) : NULL;
	const char *message = step->rev >= 0 ? cg->messages[step->rev] : NULL;
	char	   *body = NULL;
	char	   *checksum = NULL;
	Oid			author = InvalidOid;
	TimestampTz start;
	int64		elapsed;

	if (step->kind != MG_STEP_STAMP)
	{
		body = BodyFetch(project, cg, step, &checksum, &author);
		RunNotice(cg, step);
	}
	RunReportStep(cg, step, number, total);
	start = GetCurrentTimestamp();
	if (body != NULL)
		run_logged(project, cg, step, body, author, start);
	elapsed = RunElapsed(start);
	RunRecord(cg, step, rows, start, elapsed, checksum);

	if (rsinfo != NULL)
	{
		Datum		values[4];
		bool		nulls[4] = {id == NULL, false, message == NULL, false};
		Interval   *duration = palloc0(sizeof(Interval));

		duration->time = elapsed;
		values[0] = id ? CStringGetTextDatum(id) : (Datum) 0;
		values[1] = CStringGetTextDatum(GraphStepOperation(step->kind));
		values[2] = message ? CStringGetTextDatum(message) : (Datum) 0;
		values[3] = IntervalPGetDatum(duration);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* a plan under way, for run_steps and record_failure */
typedef struct PlanRun
{
	FunctionCallInfo fcinfo;
	MigrateProject *project;
	CachedGraph *cg;
	const MgRevList *rows_before;
	const MgPlan *plan;
	int			step;			/* the step under way */
	TimestampTz start;			/* when it started */
} PlanRun;

static void
run_steps(void *arg)
{
	PlanRun    *pr = (PlanRun *) arg;
	MemoryContext stepcontext;
	MemoryContext oldcontext;
	MgRevList	rows;

	/* the rows as they evolve; a step adds at most one row */
	rows.items = palloc(sizeof(int) * (pr->rows_before->n + pr->plan->nsteps + 1));
	rows.n = pr->rows_before->n;
	memcpy(rows.items, pr->rows_before->items, sizeof(int) * pr->rows_before->n);

	stepcontext = AllocSetContextCreate(CurrentMemoryContext, "migrate step",
										ALLOCSET_DEFAULT_SIZES);
	for (pr->step = 0; pr->step < pr->plan->nsteps; pr->step++)
	{
		MemoryContextReset(stepcontext);
		oldcontext = MemoryContextSwitchTo(stepcontext);
		pr->start = GetCurrentTimestamp();
		RunStep(pr->project, pr->cg, &pr->plan->steps[pr->step], pr->step + 1,
				pr->plan->nsteps, &rows, (ReturnSetInfo *) pr->fcinfo->resultinfo);
		MemoryContextSwitchTo(oldcontext);
	}
	MemoryContextDelete(stepcontext);
}

/*
 * Whether migrate.log was created by this transaction (CREATE EXTENSION in
 * a test's own transaction): no other session can write to it then.
 */
static bool
log_is_new(void)
{
	Oid			nsp = get_namespace_oid("migrate", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("log", nsp) : InvalidOid;
	Relation	rel;
	bool		created;

	if (!OidIsValid(relid))
		return true;
	rel = RelationIdGetRelation(relid);
	created = rel->rd_createSubid != InvalidSubTransactionId;
	RelationClose(rel);
	return created;
}

/*
 * The worker writes the row and commits; interrupts wait until it is done
 * (the hand-off in migrate.h), and the row is then recorded.
 */
static void
launch_record(void *arg)
{
	LaunchStatements((const WorkerRun *) arg);
	LaunchRecorded();
}

/*
 * A step of upgrade() or downgrade() failed, and the caller's transaction
 * will roll back with it, its log row too.  So that a deploy script can
 * read afterwards what failed (migrate.status.last_run_error, or the log),
 * the failure is written by a background worker, in a transaction of its
 * own that commits: a log row with the error, and the version rows as they
 * stay.  Only for a call that is not nested in another one of migrate's (a
 * trial, a body running another project), and never at the cost of the
 * error itself: when the worker cannot do it, a warning says so.
 */
static void
record_failure(ErrorData *edata, void *arg)
{
	PlanRun    *pr = (PlanRun *) arg;
	const MgStep *step;
	StringInfoData sql;
	ErrorData  *why;
	char	   *rows;
	BodyStatement stmt;
	WorkerRun	run;

	if (CallDepth() > 1 || pr->step >= pr->plan->nsteps || XactReadOnly ||
		log_is_new())
		return;
	step = &pr->plan->steps[pr->step];
	initStringInfo(&sql);
	appendStringInfoString(&sql, "ARRAY[");
	for (int i = 0; i < pr->rows_before->n; i++)
		appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "",
						 quote_literal_cstr(mg_rev_id(pr->cg->graph, pr->rows_before->items[i])));
	appendStringInfoString(&sql, "]::pg_catalog.text[]");
	rows = sql.data;
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "INSERT INTO migrate.log (project, revision, operation, heads_before, heads_after,"
					 " started_at, duration, role, backend_pid, txid, error)"
					 " VALUES (%s, %s, %s, %s, %s,"
					 " %s::pg_catalog.timestamptz, %s::pg_catalog.interval, %s, %d,"
					 " pg_catalog.pg_current_xact_id(), %s)",
					 quote_literal_cstr(pr->cg->project),
					 step->rev >= 0 ? quote_literal_cstr(mg_rev_id(pr->cg->graph, step->rev)) : "NULL",
					 quote_literal_cstr(GraphStepOperation(step->kind)),
					 rows, rows,
					 quote_literal_cstr(timestamptz_to_str(pr->start)),
					 quote_literal_cstr(psprintf(INT64_FORMAT " microseconds", RunElapsed(pr->start))),
					 quote_literal_cstr(GetUserNameFromId(GetUserId(), false)),
					 MyProcPid,
					 quote_literal_cstr(psprintf("%s: %s", unpack_sql_state(edata->sqlerrcode),
												 edata->message ? edata->message : "")));
	memset(&stmt, 0, sizeof(stmt));
	stmt.number = 1;
	stmt.line = 1;
	stmt.text = sql.data;
	memset(&run, 0, sizeof(run));
	run.project = pr->cg->project;
	run.revision = step->rev >= 0 ? mg_rev_id(pr->cg->graph, step->rev) : "(none)";
	run.search_path = "pg_catalog";
	run.lock_timeout = 1000;
	run.statement_timeout = 5000;
	run.statements = &stmt;
	run.nstatements = 1;
	run.runner = CallCatalogOwner();
	why = SubxactRun(launch_record, &run, true, NULL);
	if (why != NULL)
		ereport(WARNING,
				(errmsg("the failure of revision %s of project \"%s\" could not be written to migrate.log",
						run.revision, run.project),
				 errdetail("%s", why->message)));
}

/*
 * Run a plan and return its rows through the materialized result set the
 * entry point has set up.  The steps run in a subtransaction, so that a
 * failure can be recorded where it survives the call (record_failure).
 * Each step's memory is freed when it is done.
 */
void
RunPlan(FunctionCallInfo fcinfo, MigrateProject *project, CachedGraph *cg,
		const MgRevList *rows_before, const MgPlan *plan)
{
	PlanRun		pr;
	ErrorData  *edata;

	if (plan->nsteps == 0)
		return;

	CallEnterRun(project->name);
	RunCheckTransactional(cg, plan);
	RunCheckDowngrades(cg, plan);
	ProjectTouch(project->name);
	for (int i = 0; i < plan->nsteps; i++)
		if (plan->steps[i].kind != MG_STEP_STAMP)
		{
			BodyPrepareRun(project);
			break;
		}

	memset(&pr, 0, sizeof(pr));
	pr.fcinfo = fcinfo;
	pr.project = project;
	pr.cg = cg;
	pr.rows_before = rows_before;
	pr.plan = plan;
	DriftBegin();
	edata = SubxactRun(run_steps, &pr, true, record_failure);
	if (edata != NULL)
		ReThrowError(edata);
	DriftRecord(project->name, project->target_schema);
	RunReportStep(cg, NULL, 0, 0);
	CallLeaveRun();
}
