/*-------------------------------------------------------------------------
 *
 * citus.c
 *	  Bodies on a Citus coordinator: the statements Citus acts on only when
 *	  a client sends them, run as a client's would be.
 *
 * Citus makes a table distributed, or adds it to its metadata, after the
 * statement that created it or moved it to another schema: a CREATE TABLE
 * (or CREATE TABLE AS, CREATE FOREIGN TABLE) in a distributed schema
 * (citus.enable_schema_based_sharding) makes the table one of its schema's
 * distributed tables, an ALTER TABLE ... SET SCHEMA into such a schema
 * too, and with citus.use_citus_managed_tables a new table joins the
 * metadata.  Citus does this in its ProcessUtility hook, after the
 * statement has run, and only when the statement is a top-level one: the
 * hook's context is PROCESS_UTILITY_TOPLEVEL and the hook is not nested in
 * another utility statement of its own.  A statement of a function, a DO
 * block or SPI is not, and bodies run through SPI (body.c): there the table
 * would stay a local table of the coordinator, where the same statements
 * from psql make it distributed.
 *
 * Citus has no SQL-callable function that does the same after the fact:
 * create_distributed_table() with no distribution column puts a table into
 * a distributed schema's colocation group only through a table already in
 * it (never for the schema's first table), and citus_schema_distribute()
 * converts a whole schema and does nothing for one that is distributed
 * already.  So these statements are run here the way Citus expects them,
 * through ProcessUtility at top level, and Citus's hook does after them
 * what it does for a client, with its own checks and errors.  PostgreSQL's
 * own processing of them is the same at any level: it consults the
 * top-level flag only for transaction control and for the statements that
 * refuse to run in a transaction block, none of which is one of them.
 * Everything else a body says runs through SPI, as without Citus.
 *
 * Citus is not linked against: it is found at run time, by its row in
 * pg_extension.  In a database without it nothing here runs.  The
 * statements of a non-transactional revision (worker.c) are top-level
 * statements already.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "nodes/parsenodes.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/snapmgr.h"

#include "migrate.h"

/*
 * Whether Citus is installed in this database (its extension row; its
 * library, preloaded, does nothing in a database without it).
 */
bool
CitusPresent(void)
{
	return OidIsValid(get_extension_oid("citus", true));
}

/*
 * An error of the statement reads as an error of the same statement run
 * through SPI reads: a position within the statement, which is quoted.
 */
static void
statement_error_callback(void *arg)
{
	const char *sql = (const char *) arg;
	int			position = geterrposition();

	if (position > 0)
	{
		errposition(0);
		internalerrposition(position);
		internalerrquery(sql);
	}
	else
		errcontext("SQL statement \"%s\"", sql);
}

/*
 * Run one statement that creates a table or moves one to another schema
 * (BODY_NEW_TABLE) as a top-level statement, in the caller's transaction,
 * with the snapshot and command counter SPI would give it.
 */
void
CitusRunTopLevel(const char *sql)
{
	ErrorContextCallback errcallback;
	List	   *parsed;
	ListCell   *lc;

	errcallback.callback = statement_error_callback;
	errcallback.arg = (void *) sql;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	parsed = pg_parse_query(sql);
	foreach(lc, parsed)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		List	   *queries;
		List	   *plans;
		PlannedStmt *pstmt;
		QueryCompletion qc;

		/* what the statements before it did is visible to it */
		CommandCounterIncrement();
		PushActiveSnapshot(GetTransactionSnapshot());
		queries = pg_analyze_and_rewrite_fixedparams(raw, sql, NULL, 0, NULL);
		plans = pg_plan_queries(queries, sql, CURSOR_OPT_PARALLEL_OK, NULL);
		pstmt = linitial_node(PlannedStmt, plans);
		if (list_length(plans) != 1 || pstmt->commandType != CMD_UTILITY)
			elog(ERROR, "statement creating a table planned as %d statements",
				 list_length(plans));
		InitializeQueryCompletion(&qc);
		ProcessUtility(pstmt, sql, false, PROCESS_UTILITY_TOPLEVEL, NULL, NULL,
					   None_Receiver, &qc);
		PopActiveSnapshot();
		CommandCounterIncrement();
	}

	error_context_stack = errcallback.previous;
}
