/*-------------------------------------------------------------------------
 *
 * project.c
 *	  A project's row in migrate.project, its migration lock, and the
 *	  bookkeeping on that row.
 *
 * Locking rules, stated once:
 *
 *	- The migration lock is pg_advisory_xact_lock(MIGRATE_LOCK_CLASSID,
 *	  hashtext(project)), held to the end of the caller's transaction.
 *	  Everything that changes a project -- a run, a stamp, a registration
 *	  that adds or replaces a revision, configure() -- takes it first, and
 *	  reads the project's state only after it is held, so a caller that
 *	  waited sees what the previous holder did.  Another project is not
 *	  blocked.
 *	- A registration that finds its revision already there, unchanged, takes
 *	  no lock and writes nothing (register.c).
 *	- CALL migrate.apply(), which commits revision by revision, holds the
 *	  same lock at session level for its whole call (ProjectLockSession),
 *	  and waits for it holding no snapshot.
 *	- Under REPEATABLE READ or SERIALIZABLE, a run also locks the project row
 *	  (FOR UPDATE) and writes it before changing anything (ProjectTouch), so
 *	  a transaction whose snapshot predates a migration that committed
 *	  meanwhile fails with a serialization error instead of planning from
 *	  what it cannot see.
 *
 * The row also carries the project's options (configure()), graph_gen --
 * which moves whenever the project's revisions change other than by a new
 * registration -- and a summary of the graph (its heads and whether any
 * revision has depends_on) that lets a no-op upgrade('head') and current()
 * answer without building the graph.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "migrate.h"

static SPIPlanPtr plan_project_for_update = NULL;
static SPIPlanPtr plan_touch_project = NULL;

/*
 * The project an entry point works on: its argument, or migrate.project.
 */
char *
ProjectArg(FunctionCallInfo fcinfo, int argno)
{
	char	   *name;

	if (PG_NARGS() > argno && !PG_ARGISNULL(argno))
		name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	else
		name = migrate_default_project ? pstrdup(migrate_default_project) : pstrdup("");

	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("project name must not be empty"),
				 errhint("Pass a project, or set migrate.project.")));
	if (strlen(name) > 255)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("project name is too long"),
				 errdetail("Project names are at most 255 bytes.")));
	return name;
}

/* the second half of the project's lock key */
int32
ProjectLockKey(const char *project)
{
	return DatumGetInt32(hash_any((const unsigned char *) project, strlen(project)));
}

/*
 * Take the project's migration lock: for the rest of the transaction, or,
 * for CALL migrate.apply(), which commits as it goes, for the session until
 * ProjectUnlockSession.  Both are the same lock, so each kind of caller
 * waits for the other.
 *
 * migrate.lock_wait_timeout bounds the wait: it is applied as lock_timeout
 * for this one lock request, and running out of it is reported in the
 * extension's words.  The wait itself is an ordinary lock wait, so it shows
 * in pg_locks and pg_stat_activity and can be cancelled.
 */
static void
take_lock(const char *project, bool session)
{
	PGFunction	lockfn = session ? pg_advisory_lock_int4 : pg_advisory_xact_lock_int4;
	MemoryContext oldcontext = CurrentMemoryContext;
	int			nestlevel;

	CallCheckLockable(project);
	nestlevel = NewGUCNestLevel();

	if (migrate_lock_wait_timeout > 0)
	{
		char		timeout[32];

		snprintf(timeout, sizeof(timeout), "%d", migrate_lock_wait_timeout);
		(void) set_config_option("lock_timeout", timeout, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	}
	PG_TRY();
	{
		DirectFunctionCall2(lockfn, Int32GetDatum(MIGRATE_LOCK_CLASSID),
							Int32GetDatum(ProjectLockKey(project)));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		if (edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE && migrate_lock_wait_timeout > 0)
		{
			FlushErrorState();
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("could not obtain the migration lock of project \"%s\" within %d ms",
							project, migrate_lock_wait_timeout),
					 errdetail("Another session is migrating the project and has not finished."),
					 errhint("Try again once it has finished, or raise migrate.lock_wait_timeout.")));
		}
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED && edata->detail == NULL &&
			strcmp(edata->message,
				   dgettext(PG_TEXTDOMAIN("postgres"),
							"canceling statement due to user request")) == 0)
		{
			/*
			 * CALL migrate.apply() may have cancelled the wait (launch.c); a
			 * statement timeout is reported as it is.
			 */
			FlushErrorState();
			edata->detail = psprintf("The statement was waiting for the migration lock of project \"%s\".", project);
			edata->hint = pstrdup("A CALL migrate.apply() of the project cancels such waits when a statement it runs outside a transaction waits for them; call again once it has finished.");
			ReThrowError(edata);
		}
		PG_RE_THROW();
	}
	PG_END_TRY();
	AtEOXact_GUC(true, nestlevel);
}

void
ProjectLock(const char *project)
{
	take_lock(project, false);
}

void
ProjectLockSession(const char *project)
{
	take_lock(project, true);
}

void
ProjectUnlockSession(const char *project)
{
	(void) DirectFunctionCall2(pg_advisory_unlock_int4,
							   Int32GetDatum(MIGRATE_LOCK_CLASSID),
							   Int32GetDatum(ProjectLockKey(project)));
}

/*
 * An interval as milliseconds for a timeout setting, a month counting 30
 * days as interval arithmetic does; clamped to what the settings accept.
 */
static int
interval_ms(const Interval *iv)
{
	double		ms = ((double) iv->month * DAYS_PER_MONTH * USECS_PER_DAY +
					  (double) iv->day * USECS_PER_DAY + (double) iv->time) / 1000.0;

	if (ms <= 0)
		return 0;
	if (ms >= INT_MAX)
		return INT_MAX;
	return (int) ms;
}

/*
 * Read a project's row; false when there is none.  Every call starts here,
 * the boot of every replica included, so the row is read through its index,
 * without planning a query.
 *
 * for_update locks the row, which under REPEATABLE READ or SERIALIZABLE
 * raises a serialization failure if a migration committed after the
 * transaction's snapshot was taken: every run that changes anything updates
 * this row first (run.c).
 */
bool
ProjectRead(const char *name, bool for_update, MigrateProject *project)
{
	static const char *const columns[] = {"target_schema", "lock_timeout",
		"statement_timeout", "graph_gen", "created_at", "summary_gen", "heads",
	"has_depends", "configured_by"};
	CatalogRows *rows = CatalogIndexScan("project_pkey", 1, &name,
										 lengthof(columns), columns);
	bool		isnull;
	Datum		d;

	if (rows->n == 0)
		return false;

	if (for_update)
		BookkeepingExecProject(&plan_project_for_update,
							   "SELECT FROM migrate.project"
							   " WHERE name OPERATOR(pg_catalog.=) $1 FOR UPDATE",
							   name, SPI_OK_SELECT);

	project->name = pstrdup(name);
	d = CatalogRowValue(rows, 0, "target_schema", &isnull);
	project->target_schema = isnull ? NULL : pstrdup(NameStr(*DatumGetName(d)));
	d = CatalogRowValue(rows, 0, "lock_timeout", &isnull);
	project->lock_timeout = isnull ? -1 : interval_ms(DatumGetIntervalP(d));
	d = CatalogRowValue(rows, 0, "statement_timeout", &isnull);
	project->statement_timeout = isnull ? -1 : interval_ms(DatumGetIntervalP(d));
	project->graph_gen = DatumGetInt64(CatalogRowValue(rows, 0, "graph_gen", &isnull));
	project->created_at = DatumGetTimestampTz(CatalogRowValue(rows, 0, "created_at", &isnull));
	d = CatalogRowValue(rows, 0, "summary_gen", &isnull);
	project->summary_gen = isnull ? -1 : DatumGetInt64(d);
	d = CatalogRowValue(rows, 0, "heads", &isnull);
	project->heads = isnull ? NULL : TextArrayToStrings(d, &project->nheads);
	d = CatalogRowValue(rows, 0, "has_depends", &isnull);
	project->has_depends = isnull || DatumGetBool(d);
	d = CatalogRowValue(rows, 0, "configured_by", &isnull);
	project->configured_by = isnull ? NULL : pstrdup(NameStr(*DatumGetName(d)));
	return true;
}

/*
 * A project that must exist: every function but those that create a
 * project (register, revision, configure) refuses one that does not, so
 * that a mistyped name -- or a migrate.project setting left behind by
 * another client of a connection pooler -- is an error, not an empty
 * answer.
 */
MigrateProject *
ProjectOpen(const char *name, bool for_update)
{
	MigrateProject *project = palloc0(sizeof(MigrateProject));

	bool		from_setting = migrate_default_project != NULL &&
		strcmp(name, migrate_default_project) == 0;

	if (!ProjectRead(name, for_update, project))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("project \"%s\" does not exist", name),
				 from_setting ?
				 errdetail("A call that names no project uses the setting migrate.project, which is \"%s\".", name) : 0,
				 errhint("A project is created by its first migrate.register() or by migrate.configure().")));
	return project;
}

/*
 * Whether a project has a row, and (in *has_summary) whether the row holds a
 * summary: what registration needs to know of it, read without SPI.
 */
bool
ProjectExists(const char *project, bool *has_summary)
{
	static const char *const columns[] = {"summary_gen"};
	CatalogRows *rows = CatalogIndexScan("project_pkey", 1, &project, 1, columns);
	bool		isnull = true;

	if (rows->n > 0)
		(void) CatalogRowValue(rows, 0, "summary_gen", &isnull);
	*has_summary = !isnull;
	return rows->n > 0;
}

/*
 * Whether the project's summary describes its graph as it is now.
 */
bool
ProjectSummaryCurrent(const MigrateProject *project)
{
	return project->heads != NULL && project->summary_gen == project->graph_gen;
}

/*
 * Record what a no-op run and current() need to know of the graph, so that
 * the next calls can answer without building it: the versioned heads and
 * whether any revision has depends_on, valid while graph_gen stays the same
 * and no revision is added (which clears it).  Written by runs (under the
 * lock) when it is missing or stale, and only from a graph that built
 * cleanly with intact bodies and from a snapshot taken after the lock: a
 * REPEATABLE READ or SERIALIZABLE run may not see a revision registered after
 * its transaction began, and registering only clears a summary it can see.
 */
void
ProjectSaveSummary(const MigrateProject *project, const CachedGraph *cg)
{
	static SPIPlanPtr plan_summary = NULL;
	Oid			argtypes[4] = {TEXTOID, INT8OID, TEXTARRAYOID, BOOLOID};
	Datum		values[4];
	MgRevList	heads;
	bool		depends = false;
	int			n = mg_graph_size(cg->graph);

	if (ProjectSummaryCurrent(project) || cg->ndrifted > 0 ||
		cg->graph_gen != project->graph_gen || XactReadOnly ||
		IsolationUsesXactSnapshot())
		return;
	for (int i = 0; i < n && !depends; i++)
		depends = mg_dependencies(cg->graph, i).n > 0;
	heads = mg_heads(cg->graph, false);

	BookkeepingPrepare(&plan_summary,
					   "UPDATE migrate.project SET summary_gen = $2, heads = $3, has_depends = $4"
					   " WHERE name OPERATOR(pg_catalog.=) $1",
					   4, argtypes);
	values[0] = CStringGetTextDatum(project->name);
	values[1] = Int64GetDatum(project->graph_gen);
	values[2] = RevListToArray(cg, &heads, false);
	values[3] = BoolGetDatum(depends);
	BookkeepingExec(plan_summary, values, NULL, SPI_OK_UPDATE);
}

/*
 * A revision was added to the project: its summary no longer holds.  Called
 * under the project's lock, which runs hold while they write the summary,
 * and only when there is one, so that a batch of registrations writes the
 * project row once.
 */
void
ProjectClearSummary(const char *project)
{
	static SPIPlanPtr plan_clear = NULL;

	BookkeepingExecProject(&plan_clear,
						   "UPDATE migrate.project SET summary_gen = NULL, heads = NULL"
						   " WHERE name OPERATOR(pg_catalog.=) $1",
						   project, SPI_OK_UPDATE);
}

/*
 * Give a project a new graph_gen, one no backend can have seen: larger than
 * any it had, even if migrate.seq was set back (setval, or a restore that
 * loads revisions before the sequence).  Clears the summary with it.
 */
void
ProjectBumpGraphGen(const char *project)
{
	static SPIPlanPtr plan_bump = NULL;

	BookkeepingExecProject(&plan_bump,
						   "UPDATE migrate.project SET summary_gen = NULL, heads = NULL,"
						   " graph_gen = GREATEST(pg_catalog.nextval('migrate.seq'::pg_catalog.regclass),"
						   " graph_gen OPERATOR(pg_catalog.+) 1)"
						   " WHERE name OPERATOR(pg_catalog.=) $1",
						   project, SPI_OK_UPDATE);
}

/*
 * Claim the project row before changing anything: a REPEATABLE READ or
 * SERIALIZABLE caller that raced this run then fails with a serialization
 * error instead of applying a revision twice.
 */
void
ProjectTouch(const char *project)
{
	BookkeepingExecProject(&plan_touch_project,
						   "UPDATE migrate.project SET changed_at = pg_catalog.now()"
						   " WHERE name OPERATOR(pg_catalog.=) $1",
						   project, SPI_OK_UPDATE);
}
