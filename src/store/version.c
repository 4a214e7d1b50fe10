/*-------------------------------------------------------------------------
 *
 * version.c
 *	  A project's version rows in migrate.version: the applied heads, one
 *	  row per head, exactly like Alembic's alembic_version table.
 *
 * Which rows a step inserts, deletes or updates is decided by the graph
 * module's planner (graph/, rules §8); this file reads the rows and
 * carries out those changes, as bookkeeping statements.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "migrate.h"

static SPIPlanPtr plan_insert_version = NULL;
static SPIPlanPtr plan_delete_version = NULL;
static SPIPlanPtr plan_update_version = NULL;

/*
 * The project's version rows as ids, without the graph.
 */
char	  **
VersionIds(const char *project, int *n)
{
	static const char *const columns[] = {"revision"};
	CatalogRows *rows = CatalogIndexScan("version_pkey", 1, &project, 1, columns);
	char	  **ids = palloc(sizeof(char *) * (rows->n + 1));

	for (int i = 0; i < rows->n; i++)
	{
		bool		isnull;

		ids[i] = TextDatumGetCString(CatalogRowValue(rows, i, "revision", &isnull));
	}
	*n = rows->n;
	return ids;
}

/*
 * The project's version rows as revision indexes, in registration order.
 */
MgRevList
VersionRows(const CachedGraph *cg)
{
	MgRevList	rows;
	char	  **ids = VersionIds(cg->project, &rows.n);

	rows.items = palloc(sizeof(int) * (rows.n + 1));
	for (int i = 0; i < rows.n; i++)
	{
		int			rev = mg_lookup(cg->graph, ids[i]);

		if (rev < 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("version row \"%s\" of project \"%s\" names no registered revision",
							ids[i], cg->project),
					 errdetail("migrate.version records \"%s\" as applied, but migrate.revision has no such revision.", ids[i]),
					 errhint("Run migrate.verify() to list the problems of the project.")));
		rows.items[i] = rev;
	}
	qsort(rows.items, rows.n, sizeof(int), CompareInts);
	return rows;
}

/*
 * Remove every version row of a project (stamp with purge).
 */
void
VersionDeleteAll(const char *project)
{
	static SPIPlanPtr plan_purge = NULL;

	BookkeepingExecProject(&plan_purge,
						   "DELETE FROM migrate.version WHERE project OPERATOR(pg_catalog.=) $1",
						   project, SPI_OK_DELETE);
}

/*
 * Apply one version-row change and keep the in-memory rows in step.  Each
 * DELETE and UPDATE must hit exactly one row, as Alembic requires.
 */
void
VersionApplyOp(const CachedGraph *cg, const MgRowOp *op, MgRevList *rows)
{
	Oid			argtypes[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	const char *from = op->from >= 0 ? mg_rev_id(cg->graph, op->from) : NULL;
	const char *to = op->to >= 0 ? mg_rev_id(cg->graph, op->to) : NULL;
	int			pos = -1;

	for (int i = 0; i < rows->n; i++)
		if (rows->items[i] == op->from)
			pos = i;

	values[0] = CStringGetTextDatum(cg->project);
	switch (op->kind)
	{
		case MG_ROW_INSERT:
			BookkeepingPrepare(&plan_insert_version,
							   "INSERT INTO migrate.version (project, revision) VALUES ($1, $2)",
							   2, argtypes);
			values[1] = CStringGetTextDatum(to);
			BookkeepingExec(plan_insert_version, values, NULL, SPI_OK_INSERT);
			rows->items[rows->n++] = op->to;
			return;
		case MG_ROW_DELETE:
			BookkeepingPrepare(&plan_delete_version,
							   "DELETE FROM migrate.version"
							   " WHERE project OPERATOR(pg_catalog.=) $1"
							   " AND revision OPERATOR(pg_catalog.=) $2",
							   2, argtypes);
			values[1] = CStringGetTextDatum(from);
			BookkeepingExec(plan_delete_version, values, NULL, SPI_OK_DELETE);
			break;
		case MG_ROW_UPDATE:
			BookkeepingPrepare(&plan_update_version,
							   "UPDATE migrate.version SET revision = $3"
							   " WHERE project OPERATOR(pg_catalog.=) $1"
							   " AND revision OPERATOR(pg_catalog.=) $2",
							   3, argtypes);
			values[1] = CStringGetTextDatum(from);
			values[2] = CStringGetTextDatum(to);
			BookkeepingExec(plan_update_version, values, NULL, SPI_OK_UPDATE);
			break;
	}
	if (SPI_processed != 1 || pos < 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("expected to match one version row when %s \"%s\" in project \"%s\"; %d found",
						op->kind == MG_ROW_DELETE ? "deleting" : "updating",
						from, cg->project, (int) SPI_processed),
				 errhint("Run migrate.verify() to list the problems of the project.")));
	if (op->kind == MG_ROW_DELETE)
		rows->items[pos] = rows->items[--rows->n];
	else
		rows->items[pos] = op->to;
}
