/*-------------------------------------------------------------------------
 *
 * log.c
 *	  migrate.log: one row per revision run or stamped, written in the same
 *	  transaction as the step it records, as the owner of the catalog tables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "migrate.h"

static SPIPlanPtr plan_insert_log = NULL;
static SPIPlanPtr plan_log_purge = NULL;

/*
 * The log row of one step: the version rows before and after it, when it
 * started, how long its body ran, who ran it, the checksum of the bodies it
 * ran (NULL for a stamp), and for a step that failed where the failure can
 * be committed (CALL migrate.apply()), the error and the INVALID indexes
 * its statements left behind (NULL: none, or not known).
 */
void
LogStep(const CachedGraph *cg, const MgStep *step, const MgRevList *before,
		const MgRevList *after, TimestampTz start, int64 usecs,
		const char *role, const char *checksum, const char *error,
		Datum left_behind)
{
	Oid			argtypes[11] = {TEXTOID, TEXTOID, TEXTOID, TEXTARRAYOID,
		TEXTARRAYOID, TIMESTAMPTZOID, INTERVALOID, NAMEOID, TEXTOID, TEXTOID,
	TEXTARRAYOID};
	Datum		values[11];
	char		nulls[11];
	Interval   *duration = palloc0(sizeof(Interval));

	BookkeepingPrepare(&plan_insert_log,
					   "INSERT INTO migrate.log (project, revision, operation,"
					   " heads_before, heads_after, started_at, duration, role,"
					   " backend_pid, txid, checksum, error, left_behind)"
					   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
					   " pg_catalog.pg_backend_pid(), pg_catalog.pg_current_xact_id(), $9, $10, $11)",
					   11, argtypes);
	memset(nulls, ' ', sizeof(nulls));
	duration->time = usecs;
	values[0] = CStringGetTextDatum(cg->project);
	if (step->rev >= 0)
		values[1] = CStringGetTextDatum(mg_rev_id(cg->graph, step->rev));
	else
		nulls[1] = 'n';
	values[2] = CStringGetTextDatum(GraphStepOperation(step->kind));
	values[3] = GraphRevListToArray(cg, before, true);
	values[4] = GraphRevListToArray(cg, after, true);
	values[5] = TimestampTzGetDatum(start);
	values[6] = IntervalPGetDatum(duration);
	values[7] = DirectFunctionCall1(namein, CStringGetDatum(role));
	if (checksum)
		values[8] = CStringGetTextDatum(checksum);
	else
		nulls[8] = 'n';
	if (error)
		values[9] = CStringGetTextDatum(error);
	else
		nulls[9] = 'n';
	values[10] = left_behind;
	if (left_behind == (Datum) 0)
		nulls[10] = 'n';
	BookkeepingExec(plan_insert_log, values, nulls, SPI_OK_INSERT);
}

/*
 * Log the removal of every version row by stamp(..., purge => true), as a
 * stamp step of its own: the rows it removed may not fit the graph, so they
 * are given as ids.
 */
void
LogPurge(const char *project, char **ids, int n)
{
	Oid			argtypes[4] = {TEXTOID, TEXTARRAYOID, NAMEOID, TIMESTAMPTZOID};
	Datum		values[4];

	if (n == 0)
		return;
	BookkeepingPrepare(&plan_log_purge,
					   "INSERT INTO migrate.log (project, revision, operation,"
					   " heads_before, heads_after, started_at, duration, role,"
					   " backend_pid, txid, checksum)"
					   " VALUES ($1, NULL, 'stamp', $2, '{}', $4, '0', $3,"
					   " pg_catalog.pg_backend_pid(), pg_catalog.pg_current_xact_id(), NULL)",
					   4, argtypes);
	values[0] = CStringGetTextDatum(project);
	values[1] = StringsToTextArray((const char *const *) ids, n);
	values[2] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	values[3] = TimestampTzGetDatum(GetCurrentTimestamp());
	BookkeepingExec(plan_log_purge, values, NULL, SPI_OK_INSERT);
}
