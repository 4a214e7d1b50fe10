/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The background worker that runs the statements of a revision
 *	  registered with transactional => false, for CALL migrate.apply().
 *
 * Statements such as CREATE INDEX CONCURRENTLY refuse to run inside a
 * transaction block or a function, so the caller cannot run them itself:
 * a procedure's statements run inside its CALL.  This worker is a backend
 * of its own, connected to the caller's database as the user who logged in
 * to the caller's session, then given the caller's settings as they are
 * (its session authorization, role, search_path, timeouts, memory settings
 * and the rest, as a parallel worker is), with the project's target schema
 * first on the search_path and the project's lock_timeout and
 * statement_timeout where the project sets them.  It runs each statement
 * as a top-level statement, in its own implicit transaction, the way the
 * server runs a query a client sends, and commits it before the next.
 *
 * As in a body run by upgrade(), the statements may not change role (SET
 * ROLE, RESET ROLE, SET SESSION AUTHORIZATION): a body runs with exactly
 * the caller's privileges, which its author was checked to have.  Nor may
 * they change the project being run (register, run, stamp or configure
 * it): the caller holds its lock until they are done.
 *
 * Its "client" is the message queue to the caller (worker.h): what it
 * would send a client -- NOTICEs, its error -- goes there, and the caller
 * passes it on.  An error ends the worker (the server's handling of an
 * error in a background worker: report it, exit), so the statements after
 * the failing one do not run.  A SIGTERM ends it too; the caller sends one
 * when it is cancelled or terminated itself.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "libpq/pqformat.h"
#include "libpq/pqmq.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"

#include "migrate.h"
#include "worker.h"

/* the statement under way, for the error context */
typedef struct StatementUnderWay
{
	const WorkerStatement *position;
	const char *text;
	bool		several;		/* the body has more than one */
} StatementUnderWay;

/*
 * Name the statement, and make an error position one within the statement
 * (shown with its text), not within the caller's CALL.
 */
static void
statement_context(void *arg)
{
	const StatementUnderWay *st = (const StatementUnderWay *) arg;
	int			position = geterrposition();

	if (position > 0)
	{
		errposition(0);
		internalerrposition(position);
		internalerrquery(st->text);
	}
	if (st->several)
		errcontext("statement %d of the body, line %d",
				   st->position->number, st->position->line);
}

/*
 * Refuse what cannot work here: transaction control would leave a block
 * open across statements that are meant to commit one by one, and COPY
 * to or from the client has no client.
 */
static void
check_statement(RawStmt *raw)
{
	if (IsA(raw->stmt, TransactionStmt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("transaction control statements are not allowed in a revision body"),
				 errdetail("The statements of a revision registered with transactional => false each run and commit on their own."),
				 errhint("Remove BEGIN, COMMIT, ROLLBACK and SAVEPOINT from the revision.")));
	if (IsA(raw->stmt, CopyStmt) && ((CopyStmt *) raw->stmt)->filename == NULL &&
		!((CopyStmt *) raw->stmt)->is_program)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY to or from the client is not allowed in a revision body"),
				 errdetail("A body has no connection to the client's input or output."),
				 errhint("Load the data with INSERT statements, or with COPY from a file on the server.")));
}

/*
 * Run one statement at top level, in a transaction of its own, as the
 * server runs a simple query: parse, analyze, plan, then a portal run as a
 * top-level statement, which lets CREATE INDEX CONCURRENTLY, VACUUM and
 * the like manage transactions themselves.
 */
static void
run_statement(const char *sql)
{
	MemoryContext context;
	List	   *parsed;
	ListCell   *lc;

	debug_query_string = sql;
	pgstat_report_activity(STATE_RUNNING, sql);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	context = AllocSetContextCreate(TopMemoryContext, "migrate worker statement",
									ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(context);
	parsed = pg_parse_query(sql);
	foreach(lc, parsed)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		CommandTag	tag = CreateCommandTag(raw->stmt);
		bool		snapshot_set = false;
		List	   *queries;
		List	   *plans;
		Portal		portal;
		DestReceiver *receiver;
		QueryCompletion qc;

		check_statement(raw);
		if (analyze_requires_snapshot(raw))
		{
			PushActiveSnapshot(GetTransactionSnapshot());
			snapshot_set = true;
		}
		queries = pg_analyze_and_rewrite_fixedparams(raw, sql, NULL, 0, NULL);
		plans = pg_plan_queries(queries, sql, CURSOR_OPT_PARALLEL_OK, NULL);
		if (snapshot_set)
			PopActiveSnapshot();

		portal = CreatePortal("", true, true);
		portal->visible = false;
		PortalDefineQuery(portal, NULL, sql, tag, plans, NULL);
		PortalStart(portal, NULL, 0, InvalidSnapshot);
		receiver = CreateDestReceiver(DestNone);
		(void) compat_PortalRun(portal, FETCH_ALL, true, receiver, receiver, &qc);
		receiver->rDestroy(receiver);
		PortalDrop(portal, false);
	}

	/*
	 * Not back to the transaction's context: a statement that commits by
	 * itself (CREATE INDEX CONCURRENTLY, VACUUM) has replaced it.
	 */
	MemoryContextSwitchTo(TopMemoryContext);
	CommitTransactionCommand();
	MemoryContextDelete(context);
	debug_query_string = NULL;
}

/*
 * The caller's settings, then the project's on top of them: its target
 * schema first on the search_path, and its timeouts where it sets them.
 * Then the statements' role is set, the caller's or the project's run_as,
 * and fixed (SECURITY_LOCAL_USERID_CHANGE refuses SET ROLE and SET SESSION
 * AUTHORIZATION, as in a body run by upgrade()), and the project cannot be
 * taken over by them.
 */
static void
take_settings(const WorkerTask *task, void *settings, const char *search_path,
			  const char *project)
{
	char		buf[32];
	Oid			userid;
	int			sec_context;

	StartTransactionCommand();
	RestoreGUCState(settings);
	compat_RestoreRole(task->role, task->role_is_superuser);
	if (GetUserId() != task->user)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("the migrate worker could not take the role of its caller"),
				 errdetail("It runs as role %u, its caller as role %u; no statement has run.",
						   GetUserId(), task->user)));
	SetConfigOption("search_path", search_path, PGC_USERSET, PGC_S_SESSION);
	if (task->lock_timeout > 0)
	{
		snprintf(buf, sizeof(buf), "%d", task->lock_timeout);
		SetConfigOption("lock_timeout", buf, PGC_USERSET, PGC_S_SESSION);
	}
	CommitTransactionCommand();

	/* messages go to the caller, who passes them on in its own encoding */
	if (SetClientEncoding(GetDatabaseEncoding()) < 0)
		elog(ERROR, "SetClientEncoding(%d) failed", GetDatabaseEncoding());

	GetUserIdAndSecContext(&userid, &sec_context);
	SetUserIdAndSecContext(task->runner, sec_context | SECURITY_LOCAL_USERID_CHANGE);
	CallForbidProject(project);
}

/*
 * Entry point of the worker (bgw_function_name); main_arg is the handle of
 * the caller's shared memory segment.
 */
void
MigrateWorkerMain(Datum main_arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	shm_mq	   *mq;
	shm_mq_handle *mqh;
	WorkerTask *task;
	const char *search_path;
	const char *revision;
	const char *project;
	const char *statement;
	int			timeout;
	StringInfoData done;

	/* a SIGTERM cancels at the next interrupt check, as in a backend */
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	seg = dsm_attach(DatumGetUInt32(main_arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not map the shared memory of the migrate worker"),
				 errdetail("The session that started the worker has gone.")));
	toc = shm_toc_attach(WORKER_MAGIC, dsm_segment_address(seg));
	if (toc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("bad magic number in the shared memory of the migrate worker")));
	task = shm_toc_lookup(toc, WORKER_KEY_TASK, false);
	mq = shm_toc_lookup(toc, WORKER_KEY_QUEUE, false);
	shm_mq_set_sender(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);
	pq_redirect_to_shm_mq(seg, mqh);

	BackgroundWorkerInitializeConnectionByOid(task->database,
											  task->authenticated_user, 0);

	search_path = WorkerTaskStrings(task);
	revision = search_path + strlen(search_path) + 1;
	project = revision + strlen(revision) + 1;
	statement = project + strlen(project) + 1;	/* the first statement */
	take_settings(task, shm_toc_lookup(toc, WORKER_KEY_SETTINGS, false),
				  search_path, project);
	pgstat_report_appname(psprintf("migrate: revision %s", revision));
	timeout = task->statement_timeout > 0 ? task->statement_timeout : StatementTimeout;

	for (int i = 0; i < task->nstatements; i++)
	{
		ErrorContextCallback errcallback;
		StatementUnderWay st;

		st.position = &task->statements[i];
		st.text = statement;
		st.several = task->nstatements > 1;
		errcallback.callback = statement_context;
		errcallback.arg = &st;
		errcallback.previous = error_context_stack;
		error_context_stack = &errcallback;
		if (timeout > 0)
			enable_timeout_after(STATEMENT_TIMEOUT, timeout);
		run_statement(statement);
		disable_timeout(STATEMENT_TIMEOUT, false);
		error_context_stack = errcallback.previous;
		statement += strlen(statement) + 1;
	}
	pgstat_report_activity(STATE_IDLE, NULL);

	/* every statement has committed: say so, last */
	pq_beginmessage(&done, WORKER_DONE_MESSAGE);
	pq_endmessage(&done);		/* the queue passes it on at once */
}
