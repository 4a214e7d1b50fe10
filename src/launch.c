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
 * The worker needs a free background worker slot (max_worker_processes);
 * none free is an error before anything runs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

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
	shm_toc_estimate_chunk(&e, WORKER_QUEUE_SIZE);
	shm_toc_estimate_keys(&e, 2);
	seg = dsm_create(shm_toc_estimate(&e), 0);
	toc = shm_toc_create(WORKER_MAGIC, dsm_segment_address(seg),
						 shm_toc_estimate(&e));

	task = shm_toc_allocate(toc, task_size);
	task->database = MyDatabaseId;
	task->session_user = GetSessionUserId();
	task->current_user = GetUserId();
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

	*mq = shm_mq_create(shm_toc_allocate(toc, WORKER_QUEUE_SIZE), WORKER_QUEUE_SIZE);
	shm_mq_set_receiver(*mq, MyProc);
	shm_toc_insert(toc, WORKER_KEY_QUEUE, *mq);
	return seg;
}

/*
 * Start the worker; no free slot is the caller's error, stated plainly.
 */
static BackgroundWorkerHandle *
start_worker(const WorkerRun *run, dsm_segment *seg)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;

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

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start a background worker for revision %s of project \"%s\"",
						run->revision, run->project),
				 errdetail("Every background worker slot is in use (max_worker_processes = %d); nothing of the revision has run.",
						   max_worker_processes),
				 errhint("Try again when fewer background workers are running, or raise max_worker_processes (this takes a restart).")));
	return handle;
}

/* a caller that is going away takes its worker with it */
static void
stop_worker(int code, Datum arg)
{
	TerminateBackgroundWorker((BackgroundWorkerHandle *) DatumGetPointer(arg));
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
		ThrowErrorData(&edata);
	}
	/* anything else (a parameter status, say) is of no interest */
	pfree(msg.data);
	return false;
}

/*
 * Read the worker's messages until it is gone; whether it said it was done.
 */
static bool
follow_worker(shm_mq_handle *mqh)
{
	bool		done = false;

	for (;;)
	{
		Size		nbytes;
		void	   *data;
		shm_mq_result res = shm_mq_receive(mqh, &nbytes, &data, true);

		if (res == SHM_MQ_SUCCESS)
			done |= handle_message(data, nbytes);
		else if (res == SHM_MQ_DETACHED)
			return done;
		else
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0,
							 PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
	}
}

/*
 * Run a body's statements in a background worker, each in a transaction of
 * its own, and wait until it has finished.  Returns if every statement
 * committed; raises the worker's error otherwise, after the worker is gone.
 */
void
LaunchStatements(const WorkerRun *run)
{
	shm_mq	   *mq;
	dsm_segment *seg = make_segment(run, &mq);
	BackgroundWorkerHandle *handle = start_worker(run, seg);
	shm_mq_handle *mqh = shm_mq_attach(mq, seg, handle);
	bool		done = false;

	before_shmem_exit(stop_worker, PointerGetDatum(handle));
	PG_TRY();
	{
		done = follow_worker(mqh);
	}
	PG_CATCH();
	{
		TerminateBackgroundWorker(handle);
		cancel_before_shmem_exit(stop_worker, PointerGetDatum(handle));
		PG_RE_THROW();
	}
	PG_END_TRY();
	cancel_before_shmem_exit(stop_worker, PointerGetDatum(handle));

	/* the worker may still be ending its last transaction: wait for it */
	(void) WaitForBackgroundWorkerShutdown(handle);
	dsm_detach(seg);
	if (!done)
		ereport(ERROR,
				(errcode(ERRCODE_OPERATOR_INTERVENTION),
				 errmsg("the background worker running revision %s of project \"%s\" ended before it had run every statement",
						run->revision, run->project),
				 errdetail("It reported no error: it was stopped from outside (the server shutting down, or the process killed)."),
				 errhint("Statements that committed before it ended stay done; check the schema, then call migrate.apply() again.")));
}
