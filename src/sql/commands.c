/*-------------------------------------------------------------------------
 *
 * commands.c
 *	  The SQL entry points that walk or show a project's graph.
 *
 * A run (upgrade, downgrade) goes: resolve the project; take its migration
 * lock; read the project row, the graph and the version rows after the lock
 * is held, so a caller that waited sees what the previous holder did; plan
 * with the graph module; run the plan (run.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/xact.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_upgrade);
PG_FUNCTION_INFO_V1(migrate_downgrade);
PG_FUNCTION_INFO_V1(migrate_current);
PG_FUNCTION_INFO_V1(migrate_stamp);

typedef bool (*PlanFunction) (const MgGraph *g, const char *target,
							  const MgRevList *rows, MgPlan *plan,
							  MgError *err);

/*
 * Whether upgrade(target) is a no-op, known without building the graph:
 * the project's summary is current, the target is 'head' (or 'heads' with
 * no depends_on anywhere), and the version rows are exactly those heads.
 * This is the boot of every application replica, so it must not cost a
 * graph build; anything else goes the long way.
 */
static bool
upgrade_is_noop(const MigrateProject *project, const char *target)
{
	char	  **rows;
	int			nrows;

	if (!ProjectSummaryCurrent(project))
		return false;
	if (strcmp(target, "head") == 0)
	{
		if (project->nheads != 1)
			return false;
	}
	else if (strcmp(target, "heads") != 0 || project->has_depends)
		return false;

	rows = VersionIds(project->name, &nrows);
	if (nrows != project->nheads)
		return false;
	for (int i = 0; i < nrows; i++)
	{
		bool		found = false;

		for (int j = 0; j < project->nheads && !found; j++)
			found = strcmp(rows[i], project->heads[j]) == 0;
		if (!found)
			return false;
	}
	return true;
}

static Datum
run_command(FunctionCallInfo fcinfo, PlanFunction planner)
{
	MigrateCall call;
	char	   *target = TargetArg(fcinfo, 0);
	char	   *name = ProjectArg(fcinfo, 1);
	MigrateProject *project;
	CachedGraph *cg;
	MgRevList	rows;
	MgPlan		plan;
	MgError		err;

	InitMaterializedSRF(fcinfo, 0);
	CallCheckNotRunning(name);
	CallCheckWritable(planner == mg_plan_upgrade ? "upgrade" : "downgrade");
	CallBegin(&call, false);
	if (planner == mg_plan_upgrade)
	{
		ProjectLock(name);
		project = ProjectOpen(name, IsolationUsesXactSnapshot());
		if (upgrade_is_noop(project, target))
		{
			CallEnd(&call);
			return (Datum) 0;
		}
	}
	cg = RunOpen(name, &project, &rows, false);
	if (!planner(cg->graph, target, &rows, &plan, &err))
		GraphError(&err, name);
	RunPlan(fcinfo, project, cg, &rows, &plan);
	CallEnd(&call);
	return (Datum) 0;
}

/*
 * migrate.upgrade(target, project)
 */
Datum
migrate_upgrade(PG_FUNCTION_ARGS)
{
	return run_command(fcinfo, mg_plan_upgrade);
}

/*
 * migrate.downgrade(target, project)
 */
Datum
migrate_downgrade(PG_FUNCTION_ARGS)
{
	return run_command(fcinfo, mg_plan_downgrade);
}

/*
 * current() without the graph, when the summary allows it: with no
 * depends_on anywhere, the tips are the version rows themselves, and a
 * single row that is a head (the state after any upgrade to head) cannot be
 * redundant.  False when the long way is needed.
 */
static bool
current_from_summary(FunctionCallInfo fcinfo, const MigrateProject *project)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	  **rows;
	int			nrows;
	bool		is_head = false;
	Datum		value;
	bool		isnull = false;

	if (!ProjectSummaryCurrent(project) || project->has_depends)
		return false;
	rows = VersionIds(project->name, &nrows);
	if (nrows == 0)
		return true;
	if (nrows > 1)
		return false;
	for (int j = 0; j < project->nheads && !is_head; j++)
		is_head = strcmp(rows[0], project->heads[j]) == 0;
	if (!is_head)
		return false;
	value = CStringGetTextDatum(rows[0]);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	return true;
}

/*
 * migrate.current(project): the applied heads, and the dependency tips they
 * imply, as `alembic current` lists them; nothing at base.
 */
Datum
migrate_current(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *name = ProjectArg(fcinfo, 0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MigrateProject *project;
	CachedGraph *cg;
	MgRevList	rows;
	MgRevList	current;
	MgError		err;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	CallBegin(&call, true);
	project = ProjectOpen(name, false);
	if (!current_from_summary(fcinfo, project))
	{
		cg = GraphCacheGet(project);
		rows = VersionRows(cg);
		if (!mg_current(cg->graph, &rows, &current, &err))
			GraphError(&err, name);
		for (int i = 0; i < current.n; i++)
		{
			Datum		value = CStringGetTextDatum(mg_rev_id(cg->graph, current.items[i]));
			bool		isnull = false;

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
		}
	}
	CallEnd(&call);
	return (Datum) 0;
}

/*
 * migrate.stamp(targets, project, purge): set the version rows to the given
 * revisions without running any body, as `alembic stamp`.  Several targets
 * are comma- or space-separated; purge empties the rows first.
 */
Datum
migrate_stamp(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *targets = TargetArg(fcinfo, 0);
	char	   *name = ProjectArg(fcinfo, 1);
	bool		purge = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	MigrateProject *project;
	CachedGraph *cg;
	MgRevList	rows;
	MgPlan		plan;
	MgError		err;
	const char **list;
	int			n;

	list = (const char **) SplitList(targets, "targets", &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stamp needs at least one target"),
				 errhint("Stamp 'base' to remove every version row.")));

	InitMaterializedSRF(fcinfo, 0);
	CallCheckNotRunning(name);
	CallCheckWritable("stamp");
	CallBegin(&call, false);
	cg = RunOpen(name, &project, &rows, purge);
	if (!mg_plan_stamp(cg->graph, list, n, &rows, false, &plan, &err))
		GraphError(&err, name);
	RunPlan(fcinfo, project, cg, &rows, &plan);
	CallEnd(&call);
	return (Datum) 0;
}
