/*-------------------------------------------------------------------------
 *
 * subxact.c
 *	  Run a piece of work in an internal subtransaction, the way PL/pgSQL
 *	  runs an exception block, and catch its error: the one place migrate
 *	  does so.
 *
 * Callers catch errors to turn them into results (a step of trial() that
 * failed, a broken project's row in migrate.status, a proof of
 * autogenerate() that did not converge) or to record them before they go
 * on (a failed step of CALL apply() is logged and committed).  Some errors
 * are never such a result, whoever catches them: the user cancelled the
 * statement or it timed out, the server is shutting down, or the
 * transaction lost a serialization or deadlock conflict and must be
 * retried as a whole.  Those are thrown again once the subtransaction is
 * gone, after the caller's failure callback (which may record them), so no
 * caller can swallow them by mistake.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "util/subxact.h"

/*
 * Errors that end the whole statement, whatever catches them.
 */
bool
SubxactMustPropagate(const ErrorData *edata)
{
	switch (edata->sqlerrcode)
	{
		case ERRCODE_QUERY_CANCELED:
		case ERRCODE_ADMIN_SHUTDOWN:
		case ERRCODE_CRASH_SHUTDOWN:
		case ERRCODE_T_R_SERIALIZATION_FAILURE:
		case ERRCODE_T_R_DEADLOCK_DETECTED:
			return true;
		default:
			return false;
	}
}

/* SubxactRun's work, with the decision to keep it made beforehand */
typedef struct KeepWork
{
	SubxactWork work;
	void	   *arg;
	bool		keep;
} KeepWork;

static bool
keep_work(void *arg)
{
	KeepWork   *kw = (KeepWork *) arg;

	kw->work(kw->arg);
	return kw->keep;
}

/*
 * Run work(arg) in an internal subtransaction.  When it returns, the
 * subtransaction is committed into its parent if keep is set, and rolled
 * back otherwise; NULL is returned.  When it fails, the subtransaction is
 * rolled back, on_failure (if given) is called with the error, and the
 * error is returned, allocated in the caller's memory context; an error of
 * the kinds above is thrown again instead of being returned.
 *
 * The caller's memory context and resource owner are current again on
 * return, whatever happened; work's allocations in that context survive.
 */
ErrorData *
SubxactRun(SubxactWork work, void *arg, bool keep, SubxactFailure on_failure)
{
	KeepWork	kw;

	kw.work = work;
	kw.arg = arg;
	kw.keep = keep;
	return SubxactRunDecide(keep_work, &kw, on_failure, arg);
}

/*
 * SubxactRun, but work itself tells, when it returns, whether its
 * subtransaction is kept (true) or rolled back (false); on_failure gets
 * failure_arg.
 */
ErrorData *
SubxactRunDecide(SubxactDecidingWork work, void *arg,
				 SubxactFailure on_failure, void *failure_arg)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	/* work's allocations must outlive the subtransaction */
	MemoryContextSwitchTo(oldcontext);

	PG_TRY();
	{
		if (work(arg))
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcontext);
	CurrentResourceOwner = oldowner;

	if (edata != NULL)
	{
		if (on_failure != NULL)
			on_failure(edata, failure_arg);
		if (SubxactMustPropagate(edata))
			ReThrowError(edata);
	}
	return edata;
}
