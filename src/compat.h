/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  What differs between the PostgreSQL major versions migrate supports
 *	  (15 to 18), in one place.  Each entry names the version that brought
 *	  the change; everything else compiles unchanged on all of them.
 *
 *	  PostgreSQL 17 is built against by no test here, so its headers were
 *	  read instead: every entry below that 18 brought has 17 on the older
 *	  side (17 still has PortalRun()'s run_once, index_beginscan() and
 *	  LockAcquireExtended() without their new arguments, and no
 *	  pg_noreturn).  What 17 itself changed does not reach this code: it
 *	  uses no BackendId or ProcNumber, no field of PGPROC or of
 *	  LockInstanceData but pid, locktag and holdMask, and does not call
 *	  InitializeSessionUserId(), ExecutorStart() or CreateQueryDesc(); the
 *	  catalog columns 17 changed (attstattarget and stxstattarget NULL for
 *	  the default, colliculocale renamed colllocale) are read by the schema
 *	  model's queries, which allow for both forms.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_COMPAT_H
#define MIGRATE_COMPAT_H

#include "access/genam.h"
#include "access/transam.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "miscadmin.h"

/*
 * PostgreSQL 18 replaced pg_attribute_noreturn(), written after a
 * declaration, with pg_noreturn, written before it.  The attribute syntax of
 * older versions is accepted in front of a declaration too.
 */
#ifndef pg_noreturn
#define pg_noreturn pg_attribute_noreturn()
#endif

/*
 * PostgreSQL 18 gave index_beginscan() an instrumentation argument, for
 * EXPLAIN's index statistics; the extension's own reads have none.
 */
#if PG_VERSION_NUM >= 180000
#define compat_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), (norderbys))
#else
#define compat_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), (norderbys))
#endif

/*
 * PostgreSQL 18 dropped PortalRun()'s run_once argument (a portal run to
 * completion at once, as the worker's always are).
 */
#if PG_VERSION_NUM >= 180000
#define compat_PortalRun(portal, count, top, dest, altdest, qc) \
	PortalRun((portal), (count), (top), (dest), (altdest), (qc))
#else
#define compat_PortalRun(portal, count, top, dest, altdest, qc) \
	PortalRun((portal), (count), (top), true, (dest), (altdest), (qc))
#endif

/*
 * Until 15.9, 16.5 and 17.1 (the fix of CVE-2024-10978), RestoreGUCState()
 * left out the "role" setting, which a parallel worker then sets by itself
 * (SetCurrentRoleId); a background worker given a session's settings, as
 * CALL migrate.apply()'s is, must do the same, or it runs as the session
 * user instead of the role the caller SET.  A library built against later
 * headers can be loaded by an earlier minor release of the same major, so
 * this is decided when the worker runs, not when it is compiled: where the
 * settings did restore the role, this changes nothing.
 */
static inline void
compat_RestoreRole(Oid role, bool role_is_superuser)
{
	if (GetCurrentRoleId() != role)
		SetCurrentRoleId(role, role_is_superuser);
}

/*
 * PostgreSQL 18 gave LockAcquireExtended() a flag asking to log a lock that
 * was not available (log_lock_failures); migrate's calls never wait and
 * expect no such line.
 */
#if PG_VERSION_NUM >= 180000
#define compat_LockAcquireExtended(tag, mode, session, dontwait, reporterror, locallockp) \
	LockAcquireExtended((tag), (mode), (session), (dontwait), (reporterror), (locallockp), false)
#else
#define compat_LockAcquireExtended(tag, mode, session, dontwait, reporterror, locallockp) \
	LockAcquireExtended((tag), (mode), (session), (dontwait), (reporterror), (locallockp))
#endif

/*
 * PostgreSQL 17 let LockHeldByMe() accept a stronger mode than the one
 * asked for; lint() asks for one mode exactly.
 */
#if PG_VERSION_NUM >= 170000
#define compat_LockHeldByMe(tag, mode) LockHeldByMe((tag), (mode), false)
#else
#define compat_LockHeldByMe(tag, mode) LockHeldByMe((tag), (mode))
#endif

/*
 * PostgreSQL 16 split what a member of a role inherits from whether it may
 * SET ROLE to it; a project's run_as asks the latter.  Before 16, every
 * member may.  (Superusers may, either way.)
 */
#if PG_VERSION_NUM >= 160000
#define compat_member_can_set_role(member, role) member_can_set_role((member), (role))
#else
#define compat_member_can_set_role(member, role) is_member_of_role((member), (role))
#endif

/*
 * PostgreSQL 17 renamed ShmemVariableCache, the shared counters of
 * transaction and object ids, TransamVariables.  The next object id is read
 * without taking one (catwrites.c).
 */
static inline Oid
compat_ReadNextOid(void)
{
	Oid			oid;

	LWLockAcquire(OidGenLock, LW_SHARED);
#if PG_VERSION_NUM >= 170000
	oid = TransamVariables->nextOid;
#else
	oid = ShmemVariableCache->nextOid;
#endif
	LWLockRelease(OidGenLock);
	return oid;
}

/*
 * PostgreSQL 17 moved the local id of the backend's top-level transaction
 * into PGPROC's vxid.
 */
#if PG_VERSION_NUM >= 170000
#define compat_MyLocalTransactionId() (MyProc->vxid.lxid)
#else
#define compat_MyLocalTransactionId() (MyProc->lxid)
#endif

#endif							/* MIGRATE_COMPAT_H */
