/*-------------------------------------------------------------------------
 *
 * run.c
 *	  Running a plan: each step's body, its version rows, its log row and
 *	  its result row, in the caller's transaction.
 *
 * The caller holds the project's migration lock and has read the version
 * rows after taking it.  For each step, in order:
 *
 *	1. read the body and check it against the checksum taken when it was
 *	   registered, and that its author may hand it to the caller (below);
 *	2. raise the NOTICE Alembic logs ("Running upgrade a1 -> b2, message");
 *	3. run the body through SPI as the caller, with the project's
 *	   search_path, lock_timeout and statement_timeout in force and an error
 *	   context naming the revision;
 *	4. apply the step's version-row changes and write the log row, as the
 *	   owner of the catalog tables;
 *	5. return one row: (revision, operation, message, duration).
 *
 * Any error ends the whole call, and the caller's transaction rolls back
 * everything the call did: schema, version rows and log alike.
 *
 * Why the author check: a body runs with the privileges of whoever calls
 * upgrade().  If a role could register a body that a more privileged role
 * later runs, registering would be a way to borrow that role's rights.  So a
 * body runs only for callers whose privileges its author (registered_by)
 * also has; a superuser's revisions can be run by anyone allowed to migrate.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "migrate.h"

/* what the error context callback says about the step under way */
typedef struct StepInfo
{
	const char *operation;
	const char *revision;
	const char *message;
} StepInfo;

/*
 * Projects whose plan this backend is running, innermost last: a revision
 * body may call migrate for another project, but a run of the same project
 * would plan from the rows as they were before the current step.
 */
#define MAX_NESTED_RUNS 16
static const char *running[MAX_NESTED_RUNS];
static int	nrunning = 0;

static SPIPlanPtr plan_body = NULL;
static SPIPlanPtr plan_missing_downgrade = NULL;
static SPIPlanPtr plan_touch_project = NULL;
static SPIPlanPtr plan_insert_version = NULL;
static SPIPlanPtr plan_delete_version = NULL;
static SPIPlanPtr plan_update_version = NULL;
static SPIPlanPtr plan_insert_log = NULL;

static void run_steps(FunctionCallInfo fcinfo, const MigrateProject *project,
					  const MigrateGraph *mg, const MgRevList *rows_before,
					  const MgPlan *plan);

static void
step_error_callback(void *arg)
{
	StepInfo   *step = (StepInfo *) arg;

	if (step->message && step->message[0] != '\0')
		errcontext("while running %s of revision %s (%s)",
				   step->operation, step->revision, step->message);
	else
		errcontext("while running %s of revision %s",
				   step->operation, step->revision);
}

static const char *
step_operation(MgStepKind kind)
{
	switch (kind)
	{
		case MG_STEP_UPGRADE:
			return "upgrade";
		case MG_STEP_DOWNGRADE:
			return "downgrade";
		case MG_STEP_STAMP:
			return "stamp";
	}
	return "unknown";
}

/*
 * "a1, b2": revisions joined as Alembic prints them.
 */
static char *
join_revisions(const MigrateGraph *mg, const MgRevList *list)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < list->n; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, mg_rev_id(mg->graph, list->items[i]));
	}
	return buf.data;
}

/*
 * A list of revisions as text[], in registration order when sorted is set
 * (version rows, whatever order the row changes left them in), else as given.
 */
Datum
migrate_rev_array(const MigrateGraph *mg, const MgRevList *list, bool sorted)
{
	Datum	   *elems = palloc(sizeof(Datum) * (list->n + 1));
	int		   *order = palloc(sizeof(int) * (list->n + 1));

	memcpy(order, list->items, sizeof(int) * list->n);
	if (sorted)
		qsort(order, list->n, sizeof(int), migrate_cmp_int);
	for (int i = 0; i < list->n; i++)
		elems[i] = CStringGetTextDatum(mg_rev_id(mg->graph, order[i]));
	return PointerGetDatum(construct_array(elems, list->n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * Refuse a downgrade that would pass through an irreversible revision before
 * any body runs.
 */
static void
check_downgrades_exist(const MigrateGraph *mg, const MgPlan *plan)
{
	Oid			argtypes[2] = {TEXTOID, TEXTARRAYOID};
	Datum		values[2];
	Datum	   *ids;
	int			n = 0;
	bool		isnull;
	char	   *id;

	ids = palloc(sizeof(Datum) * (plan->nsteps + 1));
	for (int i = 0; i < plan->nsteps; i++)
		if (plan->steps[i].kind == MG_STEP_DOWNGRADE)
			ids[n++] = CStringGetTextDatum(mg_rev_id(mg->graph, plan->steps[i].rev));
	if (n == 0)
		return;

	migrate_prepare(&plan_missing_downgrade,
					"SELECT id FROM migrate.revision"
					" WHERE project OPERATOR(pg_catalog.=) $1"
					" AND id OPERATOR(pg_catalog.=) ANY ($2)"
					" AND downgrade_sql IS NULL ORDER BY seq DESC LIMIT 1",
					2, argtypes);
	values[0] = CStringGetTextDatum(mg->project);
	values[1] = PointerGetDatum(construct_array(ids, n, TEXTOID, -1, false,
												TYPALIGN_INT));
	migrate_exec(plan_missing_downgrade, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return;

	id = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 1, &isnull));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("revision %s of project \"%s\" cannot be downgraded", id, mg->project),
			 errdetail("Its downgrade body is NULL, and the downgrade would pass through it."),
			 errhint("Choose a target above it, or move the version rows with migrate.stamp() without running bodies.")));
}

/*
 * Whether SQL that role `author` wrote (a body, or a target schema it set or
 * owns) may run with the privileges of role `caller`: the author must have
 * every privilege of the caller, role attributes included, since membership
 * does not carry CREATEROLE, CREATEDB, BYPASSRLS or REPLICATION.
 */
static bool
may_run_for(Oid author, Oid caller)
{
	HeapTuple	a;
	HeapTuple	c;
	Form_pg_authid ar;
	Form_pg_authid cr;
	bool		ok;

	if (!OidIsValid(author))
		return false;
	if (superuser_arg(author))
		return true;
	if (!has_privs_of_role(author, caller))
		return false;
	a = SearchSysCache1(AUTHOID, ObjectIdGetDatum(author));
	c = SearchSysCache1(AUTHOID, ObjectIdGetDatum(caller));
	if (!HeapTupleIsValid(a) || !HeapTupleIsValid(c))
		elog(ERROR, "cache lookup failed for role %u or %u", author, caller);
	ar = (Form_pg_authid) GETSTRUCT(a);
	cr = (Form_pg_authid) GETSTRUCT(c);
	ok = (!cr->rolsuper || ar->rolsuper) &&
		(!cr->rolcreaterole || ar->rolcreaterole) &&
		(!cr->rolcreatedb || ar->rolcreatedb) &&
		(!cr->rolbypassrls || ar->rolbypassrls) &&
		(!cr->rolreplication || ar->rolreplication);
	ReleaseSysCache(a);
	ReleaseSysCache(c);
	return ok;
}

/*
 * Read a step's body and check it: unchanged since it was registered, and
 * written by a role that has the caller's privileges.
 */
static char *
fetch_body(const MigrateGraph *mg, const MgStep *step, char **checksum)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		upnull,
				downnull,
				isnull;
	char	   *up;
	char	   *down;
	char	   *stored;
	char	   *actual;
	char	   *author;
	Oid			author_oid;
	const char *id = mg_rev_id(mg->graph, step->rev);

	migrate_prepare(&plan_body,
					"SELECT upgrade_sql, downgrade_sql, checksum, registered_by::pg_catalog.text"
					" FROM migrate.revision"
					" WHERE project OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
					2, argtypes);
	values[0] = CStringGetTextDatum(mg->project);
	values[1] = CStringGetTextDatum(id);
	migrate_exec(plan_body, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision %s of project \"%s\" is no longer registered", id, mg->project),
				 errhint("Run migrate.verify() to list the problems of the project.")));

	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	up = TextDatumGetCString(SPI_getbinval(tuple, desc, 1, &upnull));
	{
		Datum		d = SPI_getbinval(tuple, desc, 2, &downnull);

		down = downnull ? NULL : TextDatumGetCString(d);
	}
	stored = TextDatumGetCString(SPI_getbinval(tuple, desc, 3, &isnull));
	author = TextDatumGetCString(SPI_getbinval(tuple, desc, 4, &isnull));
	SPI_freetuptable(SPI_tuptable);

	actual = migrate_checksum(up, down);
	if (strcmp(actual, stored) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("revision %s of project \"%s\" was changed after it was registered", id, mg->project),
				 errdetail("Its bodies have checksum %s, but %s was recorded when it was registered.", actual, stored),
				 errhint("Run migrate.verify() to list the problems of the project.")));

	author_oid = get_role_oid(author, true);
	if (!may_run_for(author_oid, GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("revision %s of project \"%s\" was registered by role \"%s\", which does not have the privileges of role \"%s\"",
						id, mg->project, author, GetUserNameFromId(GetUserId(), false)),
				 errdetail("A body runs with the privileges of the role that runs it, so it may only be run by roles whose privileges, role attributes included, its author has."),
				 errhint("Run the migration as \"%s\" (SET ROLE), or have a role with your privileges register the revision.", author)));

	*checksum = actual;
	if (step->kind == MG_STEP_UPGRADE)
		return up;
	return down;
}

/*
 * A project's target schema goes first on the search_path of its bodies, so
 * what is in it decides what their unqualified names mean: it must be as
 * trustworthy as a body.  The role that configured it and the role that
 * owns it must each be one the caller could run a body of.  A schema that
 * does not exist yet is created by the caller, who then owns it.
 */
static void
prepare_target_schema(const MigrateProject *project)
{
	Oid			caller = GetUserId();
	char	   *callername = GetUserNameFromId(caller, false);
	Oid			nsp;
	HeapTuple	tuple;
	Oid			owner;

	if (project->target_schema == NULL)
		return;
	if (project->configured_by == NULL ||
		!may_run_for(get_role_oid(project->configured_by, true), caller))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the target schema of project \"%s\" was set by role \"%s\", which does not have the privileges of role \"%s\"",
						project->name, project->configured_by ? project->configured_by : "?", callername),
				 errdetail("The target schema goes first on the search_path of the bodies, so it is trusted like a body."),
				 errhint("Run migrate.configure() again as \"%s\", or run the migration as \"%s\".",
						 callername, project->configured_by ? project->configured_by : "?")));

	nsp = get_namespace_oid(project->target_schema, true);
	if (!OidIsValid(nsp))
	{
		char	   *sql = psprintf("CREATE SCHEMA %s",
								   quote_identifier(project->target_schema));

		if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "could not create schema \"%s\"", project->target_schema);
		return;
	}

	tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for schema %u", nsp);
	owner = ((Form_pg_namespace) GETSTRUCT(tuple))->nspowner;
	ReleaseSysCache(tuple);
	if (!may_run_for(owner, caller))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("target schema \"%s\" of project \"%s\" is owned by role \"%s\", which does not have the privileges of role \"%s\"",
						project->target_schema, project->name,
						GetUserNameFromId(owner, false), callername),
				 errdetail("Objects in the target schema come first on the search_path of the bodies, so its owner could change what they do."),
				 errhint("Give the schema to a role with your privileges, or run the migration as its owner.")));
}

/*
 * Run one body as the caller.  The settings are scoped to the body by a GUC
 * nest level.  statement_timeout is read by the server only when a
 * top-level statement starts, so the body's own limit is armed here by hand,
 * never later than a limit the session already had, and put back after.
 */
static void
run_body(const MigrateProject *project, const char *body)
{
	int			nestlevel = NewGUCNestLevel();
	int			lock_timeout = project->lock_timeout >= 0 ?
		project->lock_timeout : migrate_lock_timeout;
	int			statement_timeout = project->statement_timeout >= 0 ?
		project->statement_timeout : migrate_statement_timeout;
	bool		had_timeout = get_timeout_active(STATEMENT_TIMEOUT);
	TimestampTz old_finish = had_timeout ? get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
	MemoryContext oldcontext = CurrentMemoryContext;
	volatile bool armed = false;
	volatile bool checking_client = false;
	int			rc;

	if (project->target_schema != NULL)
	{
		char	   *path = psprintf("%s, %s",
									quote_identifier(project->target_schema),
									namespace_search_path);

		(void) set_config_option("search_path", path, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	}
	if (lock_timeout > 0)
	{
		char		buf[32];

		snprintf(buf, sizeof(buf), "%d", lock_timeout);
		(void) set_config_option("lock_timeout", buf, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	}

	/*
	 * A client that goes away mid-run must not leave its migration to
	 * commit unseen: have the server look for it every second while bodies
	 * run (unless the session already checks), so that a lost client rolls
	 * the run back as a cancel would.  The server arms this check only when
	 * a statement starts, hence the explicit timer.
	 */
	if (client_connection_check_interval == 0 && MyProcPort != NULL)
	{
		(void) set_config_option("client_connection_check_interval", "1000",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
		if (!get_timeout_active(CLIENT_CONNECTION_CHECK_TIMEOUT))
		{
			enable_timeout_after(CLIENT_CONNECTION_CHECK_TIMEOUT,
								 client_connection_check_interval);
			checking_client = true;
		}
	}
	if (statement_timeout > 0)
	{
		TimestampTz finish = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
														 statement_timeout);

		if (!had_timeout || finish < old_finish)
		{
			enable_timeout_at(STATEMENT_TIMEOUT, finish);
			armed = true;
		}
	}

	PG_TRY();
	{
		rc = SPI_execute(body, false, 0);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		if (checking_client)
			disable_timeout(CLIENT_CONNECTION_CHECK_TIMEOUT, false);
		if (armed)
		{
			if (had_timeout)
				enable_timeout_at(STATEMENT_TIMEOUT, old_finish);
			else
				disable_timeout(STATEMENT_TIMEOUT, false);
		}
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_ACTIVE_SQL_TRANSACTION || edata->hint != NULL)
			PG_RE_THROW();

		/*
		 * CREATE INDEX CONCURRENTLY, VACUUM, CREATE DATABASE and the like
		 * refuse to run inside a transaction block or a function.
		 */
		FlushErrorState();
		edata->hint = pstrdup("Revision bodies run inside the caller's transaction, where this statement is not allowed. "
							  "Use its transactional form in the revision (for example CREATE INDEX without CONCURRENTLY), "
							  "or run it outside migrate, after the upgrade.");
		ReThrowError(edata);
	}
	PG_END_TRY();

	if (checking_client)
		disable_timeout(CLIENT_CONNECTION_CHECK_TIMEOUT, false);
	if (armed)
	{
		if (had_timeout)
			enable_timeout_at(STATEMENT_TIMEOUT, old_finish);
		else
			disable_timeout(STATEMENT_TIMEOUT, false);
	}
	AtEOXact_GUC(true, nestlevel);

	if (rc == SPI_ERROR_TRANSACTION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("transaction control statements are not allowed in a revision body"),
				 errdetail("A revision runs inside the caller's transaction; BEGIN, COMMIT, ROLLBACK and SAVEPOINT would end or split it."),
				 errhint("Remove the transaction control statements from the revision: migrate commits or rolls back the whole run with the caller's transaction.")));
	if (rc == SPI_ERROR_COPY)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY to or from the client is not allowed in a revision body"),
				 errdetail("A body runs inside a function call, which has no connection to the client's input or output."),
				 errhint("Load the data with INSERT statements, or with COPY from a file on the server.")));
	if (rc < 0)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	if (SPI_tuptable != NULL)
		SPI_freetuptable(SPI_tuptable);
}

/*
 * Apply one version-row change and keep the in-memory rows in step.  Each
 * DELETE and UPDATE must hit exactly one row, as Alembic requires.
 */
static void
apply_row_op(const MigrateGraph *mg, const MgRowOp *op, MgRevList *rows)
{
	Oid			argtypes[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	const char *from = op->from >= 0 ? mg_rev_id(mg->graph, op->from) : NULL;
	const char *to = op->to >= 0 ? mg_rev_id(mg->graph, op->to) : NULL;
	int			pos = -1;

	for (int i = 0; i < rows->n; i++)
		if (rows->items[i] == op->from)
			pos = i;

	values[0] = CStringGetTextDatum(mg->project);
	switch (op->kind)
	{
		case MG_ROW_INSERT:
			migrate_prepare(&plan_insert_version,
							"INSERT INTO migrate.version (project, revision) VALUES ($1, $2)",
							2, argtypes);
			values[1] = CStringGetTextDatum(to);
			migrate_exec(plan_insert_version, values, NULL, SPI_OK_INSERT);
			rows->items[rows->n++] = op->to;
			return;
		case MG_ROW_DELETE:
			migrate_prepare(&plan_delete_version,
							"DELETE FROM migrate.version"
							" WHERE project OPERATOR(pg_catalog.=) $1"
							" AND revision OPERATOR(pg_catalog.=) $2",
							2, argtypes);
			values[1] = CStringGetTextDatum(from);
			migrate_exec(plan_delete_version, values, NULL, SPI_OK_DELETE);
			break;
		case MG_ROW_UPDATE:
			migrate_prepare(&plan_update_version,
							"UPDATE migrate.version SET revision = $3"
							" WHERE project OPERATOR(pg_catalog.=) $1"
							" AND revision OPERATOR(pg_catalog.=) $2",
							3, argtypes);
			values[1] = CStringGetTextDatum(from);
			values[2] = CStringGetTextDatum(to);
			migrate_exec(plan_update_version, values, NULL, SPI_OK_UPDATE);
			break;
	}
	if (SPI_processed != 1 || pos < 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("expected to match one version row when %s \"%s\" in project \"%s\"; %d found",
						op->kind == MG_ROW_DELETE ? "deleting" : "updating",
						from, mg->project, (int) SPI_processed),
				 errhint("Run migrate.verify() to list the problems of the project.")));
	if (op->kind == MG_ROW_DELETE)
		rows->items[pos] = rows->items[--rows->n];
	else
		rows->items[pos] = op->to;
}

static void
write_log(const MigrateGraph *mg, const MgStep *step, const MgRevList *before,
		  const MgRevList *after, TimestampTz start, int64 usecs,
		  const char *role, const char *checksum)
{
	Oid			argtypes[9] = {TEXTOID, TEXTOID, TEXTOID, TEXTARRAYOID,
	TEXTARRAYOID, TIMESTAMPTZOID, INTERVALOID, NAMEOID, TEXTOID};
	Datum		values[9];
	char		nulls[9];
	Interval   *duration = palloc0(sizeof(Interval));

	migrate_prepare(&plan_insert_log,
					"INSERT INTO migrate.log (project, revision, operation,"
					" heads_before, heads_after, started_at, duration, role,"
					" backend_pid, txid, checksum)"
					" VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
					" pg_catalog.pg_backend_pid(), pg_catalog.pg_current_xact_id(), $9)",
					9, argtypes);
	memset(nulls, ' ', sizeof(nulls));
	duration->time = usecs;
	values[0] = CStringGetTextDatum(mg->project);
	if (step->rev >= 0)
		values[1] = CStringGetTextDatum(mg_rev_id(mg->graph, step->rev));
	else
		nulls[1] = 'n';
	values[2] = CStringGetTextDatum(step_operation(step->kind));
	values[3] = migrate_rev_array(mg, before, true);
	values[4] = migrate_rev_array(mg, after, true);
	values[5] = TimestampTzGetDatum(start);
	values[6] = IntervalPGetDatum(duration);
	values[7] = DirectFunctionCall1(namein, CStringGetDatum(role));
	if (checksum)
		values[8] = CStringGetTextDatum(checksum);
	else
		nulls[8] = 'n';
	migrate_exec(plan_insert_log, values, nulls, SPI_OK_INSERT);
}

/*
 * Claim the project row before changing anything: a REPEATABLE READ or
 * SERIALIZABLE caller that raced this run then fails with a serialization
 * error instead of applying a revision twice.
 */
void
migrate_touch_project(const char *project)
{
	migrate_exec_project(&plan_touch_project,
						 "UPDATE migrate.project SET changed_at = pg_catalog.now()"
						 " WHERE name OPERATOR(pg_catalog.=) $1",
						 project, SPI_OK_UPDATE);
}

/*
 * Log the removal of every version row by stamp(..., purge => true), as a
 * stamp step of its own: the rows it removed may not fit the graph, so they
 * are given as ids.
 */
void
migrate_log_purge(const char *project, char **ids, int n)
{
	Oid			argtypes[4] = {TEXTOID, TEXTARRAYOID, NAMEOID, TIMESTAMPTZOID};
	Datum		values[4];
	Datum	   *elems = palloc(sizeof(Datum) * (n + 1));
	static SPIPlanPtr plan_log_purge = NULL;

	if (n == 0)
		return;
	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(ids[i]);
	migrate_prepare(&plan_log_purge,
					"INSERT INTO migrate.log (project, revision, operation,"
					" heads_before, heads_after, started_at, duration, role,"
					" backend_pid, txid, checksum)"
					" VALUES ($1, NULL, 'stamp', $2, '{}', $4, '0', $3,"
					" pg_catalog.pg_backend_pid(), pg_catalog.pg_current_xact_id(), NULL)",
					4, argtypes);
	values[0] = CStringGetTextDatum(project);
	values[1] = PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
	values[2] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	values[3] = TimestampTzGetDatum(GetCurrentTimestamp());
	migrate_exec(plan_log_purge, values, NULL, SPI_OK_INSERT);
}

/*
 * Refuse a run of a project whose run is under way in this backend (from a
 * revision body of that project).
 */
void
migrate_check_not_running(const char *project)
{
	for (int i = 0; i < nrunning; i++)
		if (strcmp(running[i], project) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_IN_USE),
					 errmsg("project \"%s\" is already being migrated by this session", project),
					 errdetail("A revision body of the project called a migrate function that runs the same project."),
					 errhint("Bodies may register revisions or read the state, but not upgrade, downgrade or stamp their own project.")));
}

/*
 * Whether a revision body may be running in this backend: functions that
 * must not be called from a body (trial, check_reversible) ask.
 */
bool
migrate_body_running(void)
{
	return nrunning > 0;
}

/*
 * Run a plan and return its rows through the materialized result set the
 * entry point has set up.
 */
void
migrate_run_plan(FunctionCallInfo fcinfo, MigrateProject *project,
				 MigrateGraph *mg, const MgRevList *rows_before,
				 const MgPlan *plan)
{
	if (plan->nsteps == 0)
		return;

	migrate_check_not_running(project->name);
	if (nrunning >= MAX_NESTED_RUNS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many nested migrate runs")));

	check_downgrades_exist(mg, plan);
	migrate_touch_project(project->name);
	for (int i = 0; i < plan->nsteps; i++)
		if (plan->steps[i].kind != MG_STEP_STAMP)
		{
			prepare_target_schema(project);
			break;
		}

	running[nrunning++] = project->name;
	PG_TRY();
	{
		run_steps(fcinfo, project, mg, rows_before, plan);
	}
	PG_FINALLY();
	{
		nrunning--;
	}
	PG_END_TRY();
}

/*
 * The steps of a plan, one after the other (see the top of this file).
 */
static void
run_steps(FunctionCallInfo fcinfo, const MigrateProject *project,
		  const MigrateGraph *mg, const MgRevList *rows_before,
		  const MgPlan *plan)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *role = GetUserNameFromId(GetUserId(), false);
	MemoryContext stepcontext;
	MemoryContext oldcontext;
	MgRevList	rows;
	MgRevList	before;
	ErrorContextCallback errcallback;
	StepInfo	info;
	int			capacity;

	/* the rows as they evolve; a step adds at most one row */
	capacity = rows_before->n + plan->nsteps + 1;
	rows.items = palloc(sizeof(int) * capacity);
	rows.n = rows_before->n;
	memcpy(rows.items, rows_before->items, sizeof(int) * rows_before->n);
	before.items = palloc(sizeof(int) * capacity);
	before.n = 0;

	stepcontext = AllocSetContextCreate(CurrentMemoryContext, "migrate step",
										ALLOCSET_DEFAULT_SIZES);

	for (int i = 0; i < plan->nsteps; i++)
	{
		const MgStep *step = &plan->steps[i];
		const char *id = step->rev >= 0 ? mg_rev_id(mg->graph, step->rev) : NULL;
		const char *message = step->rev >= 0 ? mg->messages[step->rev] : NULL;
		char	   *body = NULL;
		char	   *checksum = NULL;
		TimestampTz start;
		long		secs;
		int			usecs;
		int64		elapsed;
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		Interval   *duration;

		MemoryContextReset(stepcontext);
		oldcontext = MemoryContextSwitchTo(stepcontext);

		before.n = rows.n;
		memcpy(before.items, rows.items, sizeof(int) * rows.n);

		if (step->kind != MG_STEP_STAMP)
		{
			MgRevList	parents = mg_parents(mg->graph, step->rev);
			MgRevList	self = {(int *) &step->rev, 1};
			MgRevList  *from = step->kind == MG_STEP_UPGRADE ? &parents : &self;
			MgRevList  *to = step->kind == MG_STEP_UPGRADE ? &self : &parents;

			body = fetch_body(mg, step, &checksum);
			if (message && message[0] != '\0')
				ereport(NOTICE,
						(errmsg("Running %s %s -> %s, %s", step_operation(step->kind),
								join_revisions(mg, from), join_revisions(mg, to), message)));
			else
				ereport(NOTICE,
						(errmsg("Running %s %s -> %s", step_operation(step->kind),
								join_revisions(mg, from), join_revisions(mg, to))));
		}

		start = GetCurrentTimestamp();
		if (body != NULL)
		{
			info.operation = step_operation(step->kind);
			info.revision = id;
			info.message = message;
			errcallback.callback = step_error_callback;
			errcallback.arg = &info;
			errcallback.previous = error_context_stack;
			error_context_stack = &errcallback;

			run_body(project, body);

			error_context_stack = errcallback.previous;
		}
		TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
		elapsed = (int64) secs * USECS_PER_SEC + usecs;

		for (int j = 0; j < step->nops; j++)
			apply_row_op(mg, &step->ops[j], &rows);
		if (step->kind == MG_STEP_STAMP)
			ereport(NOTICE,
					(errmsg("Running stamp_revision %s -> %s",
							join_revisions(mg, &before), join_revisions(mg, &rows))));
		write_log(mg, step, &before, &rows, start, elapsed, role, checksum);

		/* the result row is built in the step's memory; the tuplestore copies it */
		duration = palloc0(sizeof(Interval));
		duration->time = elapsed;
		if (id)
			values[0] = CStringGetTextDatum(id);
		else
			nulls[0] = true;
		values[1] = CStringGetTextDatum(step_operation(step->kind));
		if (message)
			values[2] = CStringGetTextDatum(message);
		else
			nulls[2] = true;
		values[3] = IntervalPGetDatum(duration);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(oldcontext);
	}
	MemoryContextDelete(stepcontext);
}
