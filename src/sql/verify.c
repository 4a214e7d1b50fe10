/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  migrate.verify(): everything wrong with a project, one row each.
 *
 * Runs refuse to start on a project with any of these problems and point
 * here; verify lists them all instead of stopping at the first, and works
 * even when the graph cannot be built.  Nothing is normalised before a body
 * is hashed: a whitespace edit is a change like any other, since it changes
 * what would run.
 *
 * Problems reported, by name:
 *	checksum_mismatch	a body no longer matches the checksum taken when it
 *						was registered (the table was edited by hand)
 *	missing_parent		down_revision names a revision that is not registered
 *	missing_dependency	depends_on names neither a revision nor a label
 *	unknown_version		a version row names a revision that is not registered
 *	invalid_graph		the graph cannot be built (cycle, self-loop, label
 *						conflict); the detail is the graph's own message
 *	redundant_version	a version row is an ancestor of another version row
 *	invalid_index		an index left INVALID, as a CREATE INDEX CONCURRENTLY
 *						or REINDEX CONCURRENTLY that failed leaves one (in the
 *						project's target schema, or in any schema when it has
 *						none); the revision is the one whose failed step
 *						left it, as the log records, if any
 *	schema_drift		an object of one of the project's schemas that was
 *						added, dropped or changed since the project's last
 *						run, by anything but a run (drift.c)
 *	shard_drift			on a Citus coordinator, a shard placement of one of
 *						the project's Citus tables whose columns or indexes
 *						are not its table's, or a node whose shards could
 *						not be read; the detail names the node and the
 *						shard (citus_shards.c)
 *
 * Called without a project, it checks every project; each row names its
 * project.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_verify);


/* the call, and the project whose problems are being listed */
typedef struct Verify
{
	FunctionCallInfo fcinfo;
	const char *project;
} Verify;

static void
problem(Verify *v, const char *what, const char *revision, const char *detail)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) v->fcinfo->resultinfo;
	Datum		values[4];
	bool		nulls[4] = {false, false, revision == NULL, false};

	values[0] = CStringGetTextDatum(v->project);
	values[1] = CStringGetTextDatum(what);
	values[2] = revision ? CStringGetTextDatum(revision) : (Datum) 0;
	values[3] = CStringGetTextDatum(detail);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* one object that differs from what the project's last run left (drift.c) */
static void
drifted(const char *kind, const char *name, const char *recorded, const char *now,
		void *arg)
{
	Verify	   *v = (Verify *) arg;

	if (recorded == NULL && now == NULL)
		return;
	if (recorded == NULL)
		problem(v, "schema_drift", NULL,
				psprintf("%s %s was added since the project's last run: %s", kind, name, now));
	else if (now == NULL)
		problem(v, "schema_drift", NULL,
				psprintf("%s %s was dropped since the project's last run (it was: %s)",
						 kind, name, recorded));
	else
		problem(v, "schema_drift", NULL,
				psprintf("%s %s was changed since the project's last run; it was:\n%s\nit is:\n%s",
						 kind, name, recorded, now));
}

/* a shard placement that is not shaped like its table (citus_shards.c) */
static void
shard_drifted(const char *detail, void *arg)
{
	problem((Verify *) arg, "shard_drift", NULL, detail);
}

/*
 * Indexes left INVALID: a failed CREATE INDEX CONCURRENTLY leaves one, which
 * a retry with IF NOT EXISTS would take for done.  The revision named is the
 * one whose failed step left the index behind, from the log (CALL
 * migrate.apply() records what each failure leaves); none when no step of
 * the project left it.
 */
static void
invalid_indexes(Verify *v, const MigrateProject *project)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {TEXTOID, TEXTARRAYOID};
	Datum		values[2];

	values[0] = CStringGetTextDatum(project->name);
	values[1] = BodyInvalidIndexes(project->target_schema);
	BookkeepingPrepare(&plan,
					   "SELECT i.name, (SELECT l.revision FROM migrate.log l"
					   "   WHERE l.project OPERATOR(pg_catalog.=) $1"
					   "   AND i.name OPERATOR(pg_catalog.=) ANY (l.left_behind)"
					   "   ORDER BY l.id DESC LIMIT 1)"
					   " FROM pg_catalog.unnest($2) AS i(name) ORDER BY 1",
					   2, argtypes);
	BookkeepingExec(plan, values, NULL, SPI_OK_SELECT);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		char	   *index = SPI_getvalue(tuple, SPI_tuptable->tupdesc, 1);
		char	   *revision = SPI_getvalue(tuple, SPI_tuptable->tupdesc, 2);

		if (revision)
			problem(v, "invalid_index", revision,
					psprintf("Index %s is INVALID: the failed run of revision %s left it behind. "
							 "Drop it with DROP INDEX CONCURRENTLY %s, then run the revision again.",
							 index, revision, index));
		else
			problem(v, "invalid_index", NULL,
					psprintf("Index %s is INVALID, as a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY that failed (or is still running) leaves it. "
							 "Drop it with DROP INDEX CONCURRENTLY %s, then build it again.",
							 index, index));
	}
}

/*
 * Every problem of one project.
 */
static void
verify_project(Verify *v)
{
	LoadedRevisions revs;
	MigrateProject *project = ProjectOpen(v->project, false);
	char	  **rows;
	int			nrows;
	MgProblemList problems;
	MgError		err;

	RevisionsLoad(v->project, true, &revs);
	rows = VersionIds(v->project, &nrows);

	for (int i = 0; i < revs.n; i++)
		if (!revs.intact[i])
			problem(v, "checksum_mismatch", revs.inputs[i].id,
					psprintf("The bodies have checksum %s, but %s was recorded when the revision was registered.",
							 revs.actual[i], revs.stored[i] ? revs.stored[i] : "nothing"));

	/* the graph's own problems, found even when it cannot be built */
	if (!mg_check_project(revs.inputs, revs.n, (const char *const *) rows, nrows,
						  &problems, &err))
		elog(ERROR, "could not check the graph of project \"%s\": %s", v->project, err.message);
	for (int i = 0; i < problems.n; i++)
		problem(v, mg_problem_name(problems.items[i].kind),
				problems.items[i].revision, problems.items[i].detail);

	invalid_indexes(v, project);
	DriftCompare(v->project, drifted, v);
	if (CitusPresent())
		CitusShardsDrift(v->project, shard_drifted, v);
}

/* the names of every project */
static char **
all_projects(int *n)
{
	static SPIPlanPtr plan = NULL;
	char	  **names;

	BookkeepingPrepare(&plan, "SELECT name FROM migrate.project ORDER BY name", 0, NULL);
	BookkeepingExec(plan, NULL, NULL, SPI_OK_SELECT);
	*n = (int) SPI_processed;
	names = palloc(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
		names[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	return names;
}

/*
 * migrate.verify(project): the problems of one project, or of every
 * project when none is named.
 */
Datum
migrate_verify(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	Verify		v;

	/* before putting 0.2's four columns into 0.1's three */
	CallCheckVersion();
	InitMaterializedSRF(fcinfo, 0);
	CallBegin(&call, true);
	v.fcinfo = fcinfo;
	if (PG_ARGISNULL(0))
	{
		int			n;
		char	  **names = all_projects(&n);

		for (int i = 0; i < n; i++)
		{
			v.project = names[i];
			verify_project(&v);
		}
	}
	else
	{
		v.project = ProjectArg(fcinfo, 0);
		verify_project(&v);
	}
	CallEnd(&call);
	return (Datum) 0;
}
