/*-------------------------------------------------------------------------
 *
 * sandbox_session.c
 *	  What rolling back a trial does not undo by itself: the session-level
 *	  advisory locks and the prepared statements of the session.
 *
 * trial() and check_reversible() run revision bodies and roll them back
 * (sandbox.c).  A rollback undoes what the transaction did, and most of
 * what the session did inside it: settings (SET, set_config), cursors, even
 * WITH HOLD ones, LISTEN and pending NOTIFYs, temporary tables.  Two things
 * outlive it.  A lock taken with pg_advisory_lock() belongs to the session,
 * not to the transaction, and a body that took one would leave the caller
 * holding it (a body taking a project's lock key that way would block that
 * project until the session ends).  And a PREPAREd statement stays
 * prepared.  So the state of both is read before the run and put back
 * after it: session-level holds a body added are given back, holds of the
 * caller's that a body released are taken again (if another session took
 * the lock meanwhile, that is an error), and statements a body prepared are
 * deallocated.  A statement of the caller's that a body deallocated cannot
 * be prepared again as it was (its text would be planned under today's
 * settings); that is a warning.
 *
 * Other effects a rollback cannot undo are listed in doc/testing.md (sequence
 * values, other connections such as dblink's, files written on the server).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/prepare.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lock.h"

#include "migrate.h"
#include "util/locallock.h"

/* one advisory lock mode the session holds, and how many times */
typedef struct HeldLock
{
	LOCKTAG		tag;
	LOCKMODE	mode;
	int64		holds;			/* session-level holds; 0: transaction only */
} HeldLock;

struct SandboxSession
{
	HeldLock   *locks;
	int			nlocks;
	char	  **statements;
	int			nstatements;
};

/* the advisory locks this backend holds, with its session-level holds */
static HeldLock *
advisory_locks(int *n)
{
	LockData   *data = GetLockStatusData();
	HeldLock   *held = palloc(sizeof(HeldLock) * (data->nelements * 2 + 1));

	*n = 0;
	for (int i = 0; i < data->nelements; i++)
	{
		LockInstanceData *instance = &data->locks[i];

		if (instance->pid != MyProcPid ||
			instance->locktag.locktag_type != LOCKTAG_ADVISORY)
			continue;
		for (LOCKMODE mode = 1; mode < MAX_LOCKMODES; mode++)
		{
			if ((instance->holdMask & LOCKBIT_ON(mode)) == 0)
				continue;
			held[*n].tag = instance->locktag;
			held[*n].mode = mode;
			held[*n].holds = LocalLockHolds(&instance->locktag, mode, true);
			(*n)++;
		}
	}
	return held;
}

static int64
holds_in(const HeldLock *locks, int n, const HeldLock *lock)
{
	for (int i = 0; i < n; i++)
		if (locks[i].mode == lock->mode &&
			memcmp(&locks[i].tag, &lock->tag, sizeof(LOCKTAG)) == 0)
			return locks[i].holds;
	return 0;
}

/* the key of an advisory lock as pg_locks and pg_advisory_lock() write it */
static char *
advisory_key(const LOCKTAG *tag)
{
	if (tag->locktag_field4 == 2)
		return psprintf("(%d, %d)", (int32) tag->locktag_field2,
						(int32) tag->locktag_field3);
	return psprintf(INT64_FORMAT,
					(int64) (((uint64) tag->locktag_field2 << 32) | tag->locktag_field3));
}

/* put the session-level holds back to what they were */
static void
restore_locks(const SandboxSession *before)
{
	int			nnow;
	HeldLock   *now = advisory_locks(&nnow);

	for (int i = 0; i < nnow; i++)
		for (int64 extra = now[i].holds - holds_in(before->locks, before->nlocks, &now[i]);
			 extra > 0; extra--)
			LockRelease(&now[i].tag, now[i].mode, true);

	for (int i = 0; i < before->nlocks; i++)
	{
		const HeldLock *lock = &before->locks[i];

		for (int64 missing = lock->holds - holds_in(now, nnow, lock);
			 missing > 0; missing--)
			if (compat_LockAcquireExtended(&lock->tag, lock->mode, true, true, true,
										   NULL) == LOCKACQUIRE_NOT_AVAIL)
				ereport(ERROR,
						(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
						 errmsg("a revision body released advisory lock %s of this session, and another session has taken it since",
								advisory_key(&lock->tag)),
						 errdetail("A session-level advisory lock is not given back by a rollback; the trial could not take it again."),
						 errhint("Do not release in a revision body a lock the session took before.")));
	}
}

/*
 * The session's prepared statements, each as its name and when it was
 * prepared: a statement deallocated and prepared again under the same name
 * is another one.
 */
static char **
prepared_statements(int *n)
{
	char	  **names;

	if (SPI_execute("SELECT pg_catalog.format('%s|%s', pg_catalog.date_part('epoch', s.prepare_time), s.name)"
					" FROM pg_catalog.pg_prepared_statements s",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the prepared statements");
	*n = (int) SPI_processed;
	names = palloc(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
		names[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	return names;
}

/* the name of a statement as prepared_statements() lists it */
static const char *
statement_name(const char *listed)
{
	/* the time, in seconds since 1970, has no '|' */
	const char *p = strchr(listed, '|');

	return p ? p + 1 : listed;
}

static bool
listed(char **names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static void
restore_statements(const SandboxSession *before)
{
	int			nnow;
	char	  **now = prepared_statements(&nnow);

	for (int i = 0; i < nnow; i++)
		if (!listed(before->statements, before->nstatements, now[i]))
			DropPreparedStatement(statement_name(now[i]), false);
	for (int i = 0; i < before->nstatements; i++)
		if (!listed(now, nnow, before->statements[i]))
			ereport(WARNING,
					(errmsg("a revision body deallocated prepared statement \"%s\" of this session",
							statement_name(before->statements[i])),
					 errdetail("A rollback does not bring a prepared statement back.")));
}

/*
 * The state to put back after a rolled-back run.  Called while connected
 * to SPI.
 */
SandboxSession *
SandboxSessionSave(void)
{
	SandboxSession *state = palloc(sizeof(SandboxSession));

	state->locks = advisory_locks(&state->nlocks);
	state->statements = prepared_statements(&state->nstatements);
	return state;
}

void
SandboxSessionRestore(const SandboxSession *before)
{
	restore_locks(before);
	restore_statements(before);
}
