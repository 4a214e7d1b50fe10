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
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_verify);


static void
problem(FunctionCallInfo fcinfo, const char *what, const char *revision,
		const char *detail)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[3];
	bool		nulls[3] = {false, revision == NULL, false};

	values[0] = CStringGetTextDatum(what);
	values[1] = revision ? CStringGetTextDatum(revision) : (Datum) 0;
	values[2] = CStringGetTextDatum(detail);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * Indexes left INVALID: a failed CREATE INDEX CONCURRENTLY leaves one, which
 * a retry with IF NOT EXISTS would take for done.  The revision named is the
 * one whose failed step left the index behind, from the log (CALL
 * migrate.apply() records what each failure leaves); none when no step of
 * the project left it.
 */
static void
invalid_indexes(FunctionCallInfo fcinfo, const MigrateProject *project)
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
			problem(fcinfo, "invalid_index", revision,
					psprintf("Index %s is INVALID: the failed run of revision %s left it behind. "
							 "Drop it with DROP INDEX CONCURRENTLY %s, then run the revision again.",
							 index, revision, index));
		else
			problem(fcinfo, "invalid_index", NULL,
					psprintf("Index %s is INVALID, as a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY that failed (or is still running) leaves it. "
							 "Drop it with DROP INDEX CONCURRENTLY %s, then build it again.",
							 index, index));
	}
}

/*
 * migrate.verify(project)
 */
Datum
migrate_verify(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *name = ProjectArg(fcinfo, 0);
	LoadedRevisions revs;
	MigrateProject *project;
	char	  **rows;
	int			nrows;
	MgProblemList problems;
	MgError		err;

	InitMaterializedSRF(fcinfo, 0);
	CallBegin(&call, true);
	project = ProjectOpen(name, false);
	RevisionsLoad(name, true, &revs);
	rows = VersionIds(name, &nrows);

	for (int i = 0; i < revs.n; i++)
		if (!revs.intact[i])
			problem(fcinfo, "checksum_mismatch", revs.inputs[i].id,
					psprintf("The bodies have checksum %s, but %s was recorded when the revision was registered.",
							 revs.actual[i], revs.stored[i] ? revs.stored[i] : "nothing"));

	/* the graph's own problems, found even when it cannot be built */
	if (!mg_check_project(revs.inputs, revs.n, (const char *const *) rows, nrows,
						  &problems, &err))
		elog(ERROR, "could not check the graph of project \"%s\": %s", name, err.message);
	for (int i = 0; i < problems.n; i++)
		problem(fcinfo, mg_problem_name(problems.items[i].kind),
				problems.items[i].revision, problems.items[i].detail);

	invalid_indexes(fcinfo, project);
	CallEnd(&call);
	return (Datum) 0;
}
