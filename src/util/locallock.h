/*-------------------------------------------------------------------------
 *
 * locallock.h
 *	  How many times this backend holds a lock, by one holder
 *	  (locallock.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_LOCALLOCK_H
#define MIGRATE_LOCALLOCK_H

#include "storage/lock.h"

extern int64 LocalLockHolds(const LOCKTAG *tag, LOCKMODE mode, bool session);

#endif							/* MIGRATE_LOCALLOCK_H */
