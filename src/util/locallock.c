/*-------------------------------------------------------------------------
 *
 * locallock.c
 *	  How many times this backend holds a lock, by the session or by the
 *	  current resource owner.
 *
 * The lock manager counts a backend's holds of a lock in its local lock
 * table, one count per holder: each resource owner (a transaction, a
 * subtransaction, a portal) and the session, for locks taken at session
 * level (pg_advisory_lock).  pg_locks shows only that the backend holds a
 * lock.  There is no call that reads the local table, but asking for a
 * lock the backend already holds returns its local entry at once (it never
 * waits, nor touches shared memory); the extra hold, taken by the same
 * holder, is given back at once.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/resowner.h"

#include "compat.h"
#include "util/locallock.h"

/*
 * The number of holds of (tag, mode) by the session (session = true) or by
 * CurrentResourceOwner; 0 when that holder has none.  Only for a lock the
 * backend holds in that mode: one it does not hold is taken and given back
 * if free, and reported as not held either way.
 */
int64
LocalLockHolds(const LOCKTAG *tag, LOCKMODE mode, bool session)
{
	ResourceOwner owner = session ? NULL : CurrentResourceOwner;
	LOCALLOCK  *locallock = NULL;
	LockAcquireResult result;
	int64		count = 0;

	result = compat_LockAcquireExtended(tag, mode, session, true, true, &locallock);
	if (result == LOCKACQUIRE_NOT_AVAIL)
		return 0;
	if (locallock != NULL)
		for (int i = 0; i < locallock->numLockOwners; i++)
			if (locallock->lockOwners[i].owner == owner)
				count = locallock->lockOwners[i].nLocks;
	LockRelease(tag, mode, session);
	/* the lock was not held before: taking it just now was the first hold */
	if (result == LOCKACQUIRE_OK)
		return 0;
	/* one of the holds is the one just taken */
	return count - 1;
}
