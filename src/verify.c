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
 *						none); the revision is the project's last failed step
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
 * a retry with IF NOT EXISTS would take for done.  Read as the caller from
 * the system catalogs; the revision named is the project's last failed
 * step, from the log (CALL migrate.apply() commits failures there).
 */
static void
invalid_indexes(FunctionCallInfo fcinfo, const MigrateProject *project)
{
	static SPIPlanPtr plan_invalid = NULL;
	static SPIPlanPtr plan_failed = NULL;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	char		nulls[1] = {' '};
	char	   *failed = NULL;

	values[0] = CStringGetTextDatum(project->name);
	BookkeepingPrepare(&plan_failed,
					   "SELECT revision FROM migrate.log"
					   " WHERE project OPERATOR(pg_catalog.=) $1 AND error IS NOT NULL"
					   " ORDER BY id DESC LIMIT 1",
					   1, argtypes);
	BookkeepingExec(plan_failed, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 1)
		failed = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

	if (project->target_schema)
		values[0] = CStringGetTextDatum(project->target_schema);
	else
		nulls[0] = 'n';
	BookkeepingPrepare(&plan_invalid,
					   "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)"
					   " FROM pg_catalog.pg_index i"
					   " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid"
					   " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
					   " WHERE NOT i.indisvalid"
					   " AND n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])"
					   " AND ($1 IS NULL OR n.nspname OPERATOR(pg_catalog.=) $1)"
					   " ORDER BY 1",
					   1, argtypes);
	BookkeepingExec(plan_invalid, values, nulls, SPI_OK_SELECT);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *index = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		problem(fcinfo, "invalid_index", failed,
				psprintf("Index %s is INVALID, as a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY that failed (or is still running) leaves it: "
						 "drop it with DROP INDEX CONCURRENTLY %s, then run the revision again.", index, index));
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
