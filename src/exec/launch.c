/*-------------------------------------------------------------------------
 *
 * launch.c
 *	  The caller's side of running a non-transactional revision: start the
 *	  background worker (worker.c), wait for it, pass on what it says.
 *
 * The caller -- CALL migrate.apply(), between two of its transactions --
 * holds no snapshot and no lock on any table while it waits, so that
 * CREATE INDEX CONCURRENTLY in the worker, which waits for every
 * transaction older than its own, never waits for its own caller.  The
 * wait is an ordinary latch wait (wait event "Extension" in
 * pg_stat_activity); it can be cancelled, and a cancelled or terminated
 * caller stops the worker, whose statement then rolls back.
 *
 * One wait the server cannot see: PostgreSQL's deadlock detector does not
 * know that the caller waits for its worker.  So nothing may wait for the
 * caller while the worker waits for it: the caller holds no snapshot and
 * no table lock, and the statements that want the project's migration lock
 * do not wait behind a build (project.c).  What is left, a statement of
 * the revision that waits for its own caller, is found twice a second and
 * is an error (check_not_waiting_for_caller).
 *
 * The worker needs a free background worker slot (max_worker_processes);
 * none free is an error before anything runs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "libpq/pqmq.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "utils/array.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "migrate.h"
#include "worker.h"

/* copy a string and its zero byte; where the next one goes */
static char *
put_string(char *p, const char *s)
{
	size_t		len = strlen(s) + 1;

	memcpy(p, s, len);
	return p + len;
}

/*
 * The task for the worker, in a new shared memory segment, with the queue
 * it answers on.
 */
static dsm_segment *
make_segment(const WorkerRun *run, shm_mq **mq)
{
	shm_toc_estimator e;
	Size		strings = strlen(run->search_path) + strlen(run->revision) +
		strlen(run->project) + 3;
	Size		task_size;
	Size		settings_size = EstimateGUCStateSpace();
	dsm_segment *seg;
	shm_toc    *toc;
	WorkerTask *task;
	char	   *p;

	for (int i = 0; i < run->nstatements; i++)
		strings += strlen(run->statements[i].text) + 1;
	task_size = offsetof(WorkerTask, statements) +
		sizeof(WorkerStatement) * run->nstatements + strings;

	shm_toc_initialize_estimator(&e);
	shm_toc_estimate_chunk(&e, task_size);
	shm_toc_estimate_chunk(&e, settings_size);
	shm_toc_estimate_chunk(&e, WORKER_QUEUE_SIZE);
	shm_toc_estimate_keys(&e, 3);
	seg = dsm_create(shm_toc_estimate(&e), 0);
	toc = shm_toc_create(WORKER_MAGIC, dsm_segment_address(seg),
						 shm_toc_estimate(&e));

	task = shm_toc_allocate(toc, task_size);
	task->database = MyDatabaseId;
	task->authenticated_user = GetAuthenticatedUserId();
	task->role = GetCurrentRoleId();
	task->role_is_superuser = OidIsValid(task->role) && superuser_arg(task->role);
	task->user = GetUserId();
	task->runner = run->runner;
	task->lock_timeout = run->lock_timeout;
	task->statement_timeout = run->statement_timeout;
	task->nstatements = run->nstatements;
	p = WorkerTaskStrings(task);
	p = put_string(p, run->search_path);
	p = put_string(p, run->revision);
	p = put_string(p, run->project);
	for (int i = 0; i < run->nstatements; i++)
	{
		task->statements[i].number = run->statements[i].number;
		task->statements[i].line = run->statements[i].line;
		p = put_string(p, run->statements[i].text);
	}
	shm_toc_insert(toc, WORKER_KEY_TASK, task);

	/* the caller's settings, as a parallel worker gets them */
	p = shm_toc_allocate(toc, settings_size);
	SerializeGUCState(settings_size, p);
	shm_toc_insert(toc, WORKER_KEY_SETTINGS, p);

	*mq = shm_mq_create(shm_toc_allocate(toc, WORKER_QUEUE_SIZE), WORKER_QUEUE_SIZE);
	shm_mq_set_receiver(*mq, MyProc);
	shm_toc_insert(toc, WORKER_KEY_QUEUE, *mq);
	return seg;
}

/*
 * The worker of the previous revision: it has committed its last statement
 * and detached, but the postmaster may not have freed its slot yet.  Its
 * caller does not wait for that (tens of milliseconds on a busy server);
 * the next worker's start does, if it finds no free slot.
 */
static BackgroundWorkerHandle *exiting_worker = NULL;

static void
wait_for_exiting_worker(void)
{
	if (exiting_worker == NULL)
		return;
	(void) WaitForBackgroundWorkerShutdown(exiting_worker);
	pfree(exiting_worker);
	exiting_worker = NULL;
}

/*
 * Start the worker; no free slot is the caller's error, stated plainly.
 * The handle lives in TopMemoryContext, since the worker can outlive the
 * step's transaction (exiting_worker).
 */
static BackgroundWorkerHandle *
start_worker(const WorkerRun *run, dsm_segment *seg)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	MemoryContext oldcontext;
	bool		registered;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "migrate");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "MigrateWorkerMain");
	snprintf(worker.bgw_name, BGW_MAXLEN, "migrate worker for revision %s", run->revision);
	snprintf(worker.bgw_type, BGW_MAXLEN, "migrate worker");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	oldcontext = MemoryContextSwitchTo(TopMemoryContext);
	registered = RegisterDynamicBackgroundWorker(&worker, &handle);
	MemoryContextSwitchTo(oldcontext);
	if (!registered && exiting_worker != NULL)
	{
		wait_for_exiting_worker();
		oldcontext = MemoryContextSwitchTo(TopMemoryContext);
		registered = RegisterDynamicBackgroundWorker(&worker, &handle);
		MemoryContextSwitchTo(oldcontext);
	}
	if (!registered)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start a background worker for revision %s of project \"%s\"",
						run->revision, run->project),
				 errdetail("Every background worker slot is in use (max_worker_processes = %d); nothing of the revision has run.",
						   max_worker_processes),
				 errhint("Try again when fewer background workers are running, or raise max_worker_processes (this takes a restart).")));
	return handle;
}

/*
 * Whether LaunchStatements returned with interrupts held, which only
 * LaunchRecorded may end (the contract in migrate.h).
 */
static bool holding_interrupts = false;

/*
 * The worker goes with its caller: on an error while the caller follows it
 * (PG_ENSURE_ERROR_CLEANUP), it is gone before the caller records the
 * failure; when the caller's process exits, it is told to stop.
 */
static void
stop_worker(int code, Datum arg)
{
	BackgroundWorkerHandle *handle = (BackgroundWorkerHandle *) DatumGetPointer(arg);

	TerminateBackgroundWorker(handle);
	if (proc_exit_inprogress)
		return;
	holding_interrupts = false;
	HOLD_INTERRUPTS();
	(void) WaitForBackgroundWorkerShutdown(handle);
	RESUME_INTERRUPTS();
	pfree(handle);
}

/*
 * One message from the worker: a NOTICE is passed on to the client; an
 * error is raised here, with the caller's error context (the revision)
 * after the worker's own (the statement).  Returns whether it was the
 * worker's last message, sent when every statement has committed.
 */
static bool
handle_message(const char *data, Size nbytes)
{
	StringInfoData msg;
	char		type;

	initStringInfo(&msg);
	appendBinaryStringInfo(&msg, data, nbytes);
	type = pq_getmsgbyte(&msg);
	if (type == WORKER_DONE_MESSAGE)
		return true;
	if (type == 'E' || type == 'N')
	{
		ErrorData	edata;

		pq_parse_errornotice(&msg, &edata);
		/* a worker's FATAL (it was terminated) is the caller's ERROR */
		edata.elevel = Min(edata.elevel, ERROR);
		SplitRoleChangeHint(&edata);
		ThrowErrorData(&edata);
	}
	/* anything else (a parameter status, say) is of no interest */
	pfree(msg.data);
	return false;
}

/*
 * A worker that waits for its own caller would wait forever: the caller
 * waits for it, and the server's deadlock detector cannot see that wait.
 * The caller holds no snapshot and no lock on a table while the worker runs
 * (apply.c), only the project's migration and build locks, so this happens
 * when a statement of the revision takes the project's lock itself.
 * Statements of other sessions that want the migration lock do not wait
 * behind the build (project.c), so nobody else is waiting for this caller.
 */
static void
check_not_waiting_for_caller(BackgroundWorkerHandle *handle, const WorkerRun *run)
{
	pid_t		worker;
	ArrayType  *blockers;
	Datum	   *elems;
	int			n;

	if (GetBackgroundWorkerPid(handle, &worker) != BGWH_STARTED)
		return;
	blockers = DatumGetArrayTypeP(DirectFunctionCall1(pg_blocking_pids,
													  Int32GetDatum(worker)));
	deconstruct_array(blockers, INT4OID, sizeof(int32), true, TYPALIGN_INT,
					  &elems, NULL, &n);
	for (int i = 0; i < n; i++)
		if (DatumGetInt32(elems[i]) == MyProcPid)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_DEADLOCK_DETECTED),
					 errmsg("revision %s of project \"%s\" waits for the CALL migrate.apply() that runs it",
							run->revision, run->project),
					 errdetail("Its statement waits for a lock that the call holds while it waits for the statement.")));
	pfree(blockers);
	pfree(elems);
}

/*
 * Read the worker's messages until it is gone; whether it said it was done.
 */
static bool
follow_worker(BackgroundWorkerHandle *handle, shm_mq_handle *mqh,
			  const WorkerRun *run)
{
	bool		done = false;

	for (;;)
	{
		Size		nbytes;
		void	   *data;
		shm_mq_result res = shm_mq_receive(mqh, &nbytes, &data, true);

		if (res == SHM_MQ_SUCCESS)
		{
			/*
			 * Every statement has committed: from here on, a cancel must not
			 * make the step look failed, so it waits until the caller has
			 * recorded the step (LaunchRecorded).
			 */
			if (handle_message(data, nbytes) && !done)
			{
				done = true;
				HOLD_INTERRUPTS();
				holding_interrupts = true;
			}
		}
		else if (res == SHM_MQ_DETACHED)
			return done;
		else
		{
			int			rc = WaitLatch(MyLatch,
									   WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
									   500, PG_WAIT_EXTENSION);

			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
			if (rc & WL_TIMEOUT)
				check_not_waiting_for_caller(handle, run);
		}
	}
}

/*
 * Run a body's statements in a background worker, each in a transaction of
 * its own, and wait until it has finished.  Returns, with interrupts held,
 * if every statement committed: the caller records the step, commits, then
 * calls LaunchRecorded.  Raises the worker's error otherwise, once the
 * worker is gone, interrupts as they were.
 */
void
LaunchStatements(const WorkerRun *run)
{
	shm_mq	   *mq;
	dsm_segment *seg = make_segment(run, &mq);
	BackgroundWorkerHandle *handle = start_worker(run, seg);
	shm_mq_handle *mqh = shm_mq_attach(mq, seg, handle);
	bool		done = false;

	/* an error since the last launch ended any hold (errfinish) */
	holding_interrupts = false;
	PG_ENSURE_ERROR_CLEANUP(stop_worker, PointerGetDatum(handle));
	{
		done = follow_worker(handle, mqh, run);
	}
	PG_END_ENSURE_ERROR_CLEANUP(stop_worker, PointerGetDatum(handle));

	/*
	 * The worker has detached: it committed what it said it did and is
	 * exiting.  Its slot is waited for by the next start, if any.
	 */
	if (exiting_worker != NULL)
		pfree(exiting_worker);
	exiting_worker = handle;
	dsm_detach(seg);
	if (!done)
		ereport(ERROR,
				(errcode(ERRCODE_OPERATOR_INTERVENTION),
				 errmsg("the background worker running revision %s of project \"%s\" ended before it had run every statement",
						run->revision, run->project),
				 errdetail("It reported no error: it was stopped from outside (the server shutting down, or the process killed)."),
				 errhint("Statements that committed before it ended stay done; check the schema, then call migrate.apply() again.")));
}

/*
 * The step LaunchStatements ran is recorded and committed: a cancel may
 * come through again.  The hold is LaunchStatements', and only after it
 * returned may it end.
 */
void
LaunchRecorded(void)
{
	Assert(holding_interrupts);
	Assert(InterruptHoldoffCount > 0);
	holding_interrupts = false;
	RESUME_INTERRUPTS();
}
