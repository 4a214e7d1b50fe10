/*-------------------------------------------------------------------------
 *
 * status.c
 *	  migrate.project_status(): one row per project with what a dashboard or
 *	  an alert needs to know of its graph and state.  The view
 *	  migrate.status adds the project's last run from the log.
 *
 * A project whose graph cannot be used (a missing parent, a cycle, a body
 * edited behind the extension's back, version rows that do not fit) still
 * gets its row, with the problem in words and no pending count: a status
 * query must not fail because one project is broken.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "migrate.h"
#include "util/subxact.h"

PG_FUNCTION_INFO_V1(migrate_project_status);

static SPIPlanPtr plan_projects = NULL;

/* one project's row, being filled */
typedef struct Figures
{
	const char *name;
	Datum	   *values;
	bool	   *nulls;
} Figures;

/*
 * The figures of one project that come from its graph: heads, applied heads
 * and the number of steps upgrade('heads') would run.
 */
static void
project_figures(void *arg)
{
	Figures    *f = (Figures *) arg;
	MigrateProject *project = ProjectOpen(f->name, false);
	CachedGraph *cg = GraphCacheGet(project);
	MgRevList	heads = mg_heads(cg->graph, false);
	MgRevList	rows = VersionRows(cg);
	MgPlan		plan;
	MgError		err;
	char	   *problem = NULL;

	f->values[1] = GraphRevListToArray(cg, &heads, false);
	f->values[2] = GraphRevListToArray(cg, &rows, true);
	f->nulls[1] = f->nulls[2] = false;
	if (cg->ndrifted > 0)
		problem = psprintf("revision %s was changed after it was registered",
						   mg_rev_id(cg->graph, cg->drifted[0]));
	else if (heads.n > 0 && !mg_plan_upgrade(cg->graph, "heads", &rows, &plan, &err))
		problem = err.message;
	if (problem)
	{
		f->values[4] = CStringGetTextDatum(problem);
		f->nulls[4] = false;
	}
	else
	{
		f->values[3] = Int32GetDatum(heads.n > 0 ? plan.nsteps : 0);
		f->nulls[3] = false;
	}
}

/*
 * A project whose figures cannot be computed gets the error as its
 * problem; a cancel or a serialization failure ends the query instead
 * (util/subxact.c).
 */
static void
project_row(const char *name, Datum *values, bool *nulls)
{
	Figures		f;
	ErrorData  *edata;

	f.name = name;
	f.values = values;
	f.nulls = nulls;
	edata = SubxactRun(project_figures, &f, true, NULL);
	if (edata != NULL)
	{
		values[4] = CStringGetTextDatum(edata->message);
		nulls[4] = false;
	}
}

/*
 * migrate.project_status(project): every project, or the one named.
 */
Datum
migrate_project_status(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	ReturnSetInfo *rsinfo;
	Oid			argtypes[1] = {TEXTOID};
	Datum		arg[1];
	char		argnull[1] = {' '};
	SPITupleTable *projects;
	uint64		n;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CallBegin(&call, true);
	if (PG_ARGISNULL(0))
		argnull[0] = 'n';
	else
		arg[0] = PG_GETARG_DATUM(0);
	BookkeepingPrepare(&plan_projects,
					   "SELECT name FROM migrate.project"
					   " WHERE $1 IS NULL OR name OPERATOR(pg_catalog.=) $1 ORDER BY name",
					   1, argtypes);
	BookkeepingExec(plan_projects, arg, argnull, SPI_OK_SELECT);
	projects = SPI_tuptable;
	n = SPI_processed;
	if (n == 0 && !PG_ARGISNULL(0))
		(void) ProjectOpen(TextDatumGetCString(arg[0]), false);

	for (uint64 i = 0; i < n; i++)
	{
		char	   *name = SPI_getvalue(projects->vals[i], projects->tupdesc, 1);
		Datum		values[5];
		bool		nulls[5] = {false, true, true, true, true};

		values[0] = CStringGetTextDatum(name);
		project_row(name, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	CallEnd(&call);
	return (Datum) 0;
}
