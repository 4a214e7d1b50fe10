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
 *	  Everything that runs or stamps revisions, or changes one that is
 *	  registered (register(..., replace => true)), takes it first, and reads
 *	  the project's state only after it is held, so a caller that waited
 *	  sees what the previous holder did.  Another project is not blocked.
 *	- CALL migrate.apply(), which commits revision by revision, holds the
 *	  same lock at session level for its whole call (ProjectLockSession),
 *	  and waits for it holding no snapshot.  While its background worker
 *	  runs a non-transactional revision it also holds the build lock
 *	  (MIGRATE_BUILD_CLASSID).  A statement that wants the migration lock
 *	  then cannot wait for it: the worker's CREATE INDEX CONCURRENTLY waits
 *	  for the statement's snapshot, the statement would wait for the build.
 *	  So a statement waits in short attempts, and between two it refuses to
 *	  go on waiting behind a build, with an error that says so; nobody is
 *	  cancelled, and nothing waits forever.
 *	- Registering a new revision takes the registration lock
 *	  (MIGRATE_REGISTER_CLASSID), not the migration lock: registrations of a
 *	  project commit in the order of their seq, which is how a cached graph
 *	  and the summary below notice them, and neither waits for a run (a run
 *	  plans from the revisions its snapshot sees; CALL apply() goes on with
 *	  its plan when revisions are added meanwhile).  A registration that
 *	  finds its revision already there, unchanged, takes no lock and writes
 *	  nothing (register.c), and configure() that changes nothing neither.
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
#include "miscadmin.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "migrate.h"
#include "util/subxact.h"

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

static void
set_lock_tag(LOCKTAG *tag, int32 classid, const char *project)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32) classid,
						 (uint32) ProjectLockKey(project), 2);
}

/*
 * The backend holding the project's build lock (an apply() running a
 * non-transactional revision), or 0 when nobody does.  Asking for the lock
 * in share mode without waiting is the test; the pid is read from the lock
 * table only when it is held, for the message.
 */
static int
build_holder(const char *project)
{
	LOCKTAG		tag;
	LockData   *data;

	set_lock_tag(&tag, MIGRATE_BUILD_CLASSID, project);
	if (LockAcquire(&tag, ShareLock, false, true) != LOCKACQUIRE_NOT_AVAIL)
	{
		LockRelease(&tag, ShareLock, false);
		return 0;
	}
	data = GetLockStatusData();
	for (int i = 0; i < data->nelements; i++)
		if (memcmp(&data->locks[i].locktag, &tag, sizeof(LOCKTAG)) == 0 &&
			data->locks[i].holdMask != 0)
			return data->locks[i].pid;
	return -1;					/* released since */
}

/*
 * A statement cannot wait behind a non-transactional build: CREATE INDEX
 * CONCURRENTLY waits for every transaction whose snapshot is older than
 * its own, this one included, while this one would wait for the build.
 */
static void
refuse_wait_behind_build(const char *project, int pid)
{
	ereport(ERROR,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("project \"%s\" is being migrated by a CALL migrate.apply() that is running a non-transactional revision",
					project),
			 pid > 0 ? errdetail("Backend %d holds the project's migration lock while its statements run outside a transaction; a statement such as CREATE INDEX CONCURRENTLY waits for every older snapshot, this statement's too, so this statement cannot wait for it.",
								 pid) : 0,
			 errhint("CALL migrate.apply() waits for the project without holding a snapshot; or call again once the CALL is done.")));
}

static void
lock_attempt(void *arg)
{
	const char *project = (const char *) arg;

	DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(MIGRATE_LOCK_CLASSID),
						Int32GetDatum(ProjectLockKey(project)));
}

/* how long one attempt to take the lock waits, at most */
#define LOCK_ATTEMPT_MS 100

/*
 * Take the project's migration lock for the rest of the transaction (see
 * the top of the file).  The wait is an ordinary lock wait, in pg_locks and
 * cancellable, but cut in attempts of LOCK_ATTEMPT_MS, each in a
 * subtransaction: between two, the waiter looks whether the holder has
 * started a non-transactional build, which it cannot wait behind
 * (refuse_wait_behind_build).  The waits are bounded by lock_timeout and
 * by migrate.lock_wait_timeout, and either is reported in the extension's
 * words.
 */
void
ProjectLock(const char *project)
{
	TimestampTz start = GetCurrentTimestamp();
	int			limit = migrate_lock_wait_timeout;

	CallCheckLockable(project);
	if (LockTimeout > 0 && (limit == 0 || LockTimeout < limit))
		limit = LockTimeout;
	for (;;)
	{
		int			nestlevel;
		int			wait = LOCK_ATTEMPT_MS;
		int			pid;
		char		setting[32];
		ErrorData  *edata;
		long		secs;
		int			usecs;
		int64		waited;

		if ((pid = build_holder(project)) != 0)
			refuse_wait_behind_build(project, pid);
		TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
		waited = (int64) secs * 1000 + usecs / 1000;
		if (limit > 0)
		{
			if (waited >= limit)
				ereport(ERROR,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("could not obtain the migration lock of project \"%s\" within %d ms",
								project, limit),
						 errdetail("Another session is migrating the project and has not finished."),
						 limit == migrate_lock_wait_timeout ?
						 errhint("Try again once it has finished, or raise migrate.lock_wait_timeout.") :
						 errhint("Try again once it has finished, or raise lock_timeout.")));
			wait = (int) Min(wait, limit - waited);
		}
		nestlevel = NewGUCNestLevel();
		snprintf(setting, sizeof(setting), "%d", wait);
		(void) set_config_option("lock_timeout", setting, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
		edata = SubxactRun(lock_attempt, (void *) project, true, NULL);
		AtEOXact_GUC(true, nestlevel);
		if (edata == NULL)
			return;
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			ReThrowError(edata);
		FreeErrorData(edata);
	}
}

/*
 * The same lock at session level, for CALL migrate.apply(), which commits
 * as it goes and holds it until ProjectUnlockSession.  It waits holding no
 * snapshot (apply.c), so it may wait behind a build: an ordinary lock wait,
 * bounded by migrate.lock_wait_timeout when that is set.
 */
void
ProjectLockSession(const char *project)
{
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
		DirectFunctionCall2(pg_advisory_lock_int4, Int32GetDatum(MIGRATE_LOCK_CLASSID),
							Int32GetDatum(ProjectLockKey(project)));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE || migrate_lock_wait_timeout == 0)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("could not obtain the migration lock of project \"%s\" within %d ms",
						project, migrate_lock_wait_timeout),
				 errdetail("Another session is migrating the project and has not finished."),
				 errhint("Try again once it has finished, or raise migrate.lock_wait_timeout.")));
	}
	PG_END_TRY();
	AtEOXact_GUC(true, nestlevel);
}

void
ProjectUnlockSession(const char *project)
{
	(void) DirectFunctionCall2(pg_advisory_unlock_int4,
							   Int32GetDatum(MIGRATE_LOCK_CLASSID),
							   Int32GetDatum(ProjectLockKey(project)));
}

/*
 * The build lock: held by CALL migrate.apply() at session level while a
 * background worker runs a non-transactional revision of the project,
 * under the migration lock.  Nobody waits for it; statements that would
 * wait for the migration lock look at it instead (ProjectLock).
 */
void
ProjectBuildBegin(const char *project)
{
	LOCKTAG		tag;

	set_lock_tag(&tag, MIGRATE_BUILD_CLASSID, project);
	(void) LockAcquire(&tag, ExclusiveLock, true, false);
}

void
ProjectBuildEnd(const char *project)
{
	LOCKTAG		tag;

	set_lock_tag(&tag, MIGRATE_BUILD_CLASSID, project);
	(void) LockRelease(&tag, ExclusiveLock, true);
}

/*
 * The registration lock, for the rest of the transaction: registrations of
 * a project (register, revision, merge) wait for each other, so that the
 * order of their seq is the order they commit in, but not for runs, nor a
 * run for them (see the top of the file).
 */
void
ProjectRegistrationLock(const char *project)
{
	CallCheckLockable(project);
	DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(MIGRATE_REGISTER_CLASSID),
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
	"has_depends", "configured_by", "summary_seq", "run_as", "keep_dropped_data"};
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
	d = CatalogRowValue(rows, 0, "summary_seq", &isnull);
	project->summary_seq = isnull ? -1 : DatumGetInt64(d);
	d = CatalogRowValue(rows, 0, "run_as", &isnull);
	project->run_as = isnull ? NULL : pstrdup(NameStr(*DatumGetName(d)));
	d = CatalogRowValue(rows, 0, "keep_dropped_data", &isnull);
	project->keep_dropped_data = isnull || DatumGetBool(d);
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
 * Whether a project has a row, read without SPI.
 */
bool
ProjectExists(const char *project)
{
	return CatalogIndexScan("project_pkey", 1, &project, 0, NULL)->n > 0;
}

/*
 * Whether the project's summary describes its graph as it is now: made
 * from the graph of this graph_gen, when the newest revision was the one
 * it names.  A registration adds a revision with a higher seq (and, being
 * serialized with the others by the registration lock, commits in seq
 * order), which makes the summary stale without writing the project row.
 */
bool
ProjectSummaryCurrent(const MigrateProject *project)
{
	return project->heads != NULL && project->summary_gen == project->graph_gen &&
		CatalogNewestIs(project->name, project->summary_seq);
}

/*
 * Record what a no-op run and current() need to know of the graph, so that
 * the next calls can answer without building it: the versioned heads and
 * whether any revision has depends_on, valid while graph_gen stays the same
 * and no revision is added (ProjectSummaryCurrent).  Written by runs (under
 * the lock) when it is missing or stale, and only from a graph that built
 * cleanly with intact bodies and from a snapshot taken after the lock: a
 * REPEATABLE READ or SERIALIZABLE run may not see a revision registered
 * after its transaction began.
 */
void
ProjectSaveSummary(const MigrateProject *project, const CachedGraph *cg)
{
	static SPIPlanPtr plan_summary = NULL;
	Oid			argtypes[5] = {TEXTOID, INT8OID, TEXTARRAYOID, BOOLOID, INT8OID};
	Datum		values[5];
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
					   "UPDATE migrate.project SET summary_gen = $2, heads = $3, has_depends = $4,"
					   " summary_seq = $5"
					   " WHERE name OPERATOR(pg_catalog.=) $1",
					   5, argtypes);
	values[0] = CStringGetTextDatum(project->name);
	values[1] = Int64GetDatum(project->graph_gen);
	values[2] = GraphRevListToArray(cg, &heads, false);
	values[3] = BoolGetDatum(depends);
	values[4] = Int64GetDatum(cg->last_seq);
	BookkeepingExec(plan_summary, values, NULL, SPI_OK_UPDATE);
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
 * The project row this transaction already claimed (ProjectTouch), and the
 * subtransaction that wrote it.  Writing it again in the same transaction
 * would change nothing anyone can see (changed_at is the transaction's
 * start either way, and the row is already this transaction's) but would
 * leave one more version of it, which every later lookup of the row in the
 * transaction walks past: trial(), lint() and check_reversible() run one
 * step per revision in one transaction.  Forgotten when that
 * subtransaction, or one it runs in, aborts, and with the transaction.
 */
static struct
{
	LocalTransactionId lxid;
	SubTransactionId subid;
	char		name[256];		/* project names are at most 255 bytes */
}			touched;

static void
forget_touch(SubXactEvent event, SubTransactionId mySubid,
			 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && mySubid <= touched.subid)
		touched.lxid = InvalidLocalTransactionId;
}

/*
 * Claim the project row before changing anything: a REPEATABLE READ or
 * SERIALIZABLE caller that raced this run then fails with a serialization
 * error instead of applying a revision twice.
 */
void
ProjectTouch(const char *project)
{
	static bool callback_set = false;

	if (touched.lxid == compat_MyLocalTransactionId() &&
		strcmp(touched.name, project) == 0)
		return;
	if (!callback_set)
	{
		RegisterSubXactCallback(forget_touch, NULL);
		callback_set = true;
	}
	BookkeepingExecProject(&plan_touch_project,
						   "UPDATE migrate.project SET changed_at = pg_catalog.now()"
						   " WHERE name OPERATOR(pg_catalog.=) $1",
						   project, SPI_OK_UPDATE);
	touched.lxid = compat_MyLocalTransactionId();
	touched.subid = GetCurrentSubTransactionId();
	strlcpy(touched.name, project, sizeof(touched.name));
}
