/*-------------------------------------------------------------------------
 *
 * trust.h
 *	  Whether SQL one role wrote may run with another role's privileges
 *	  (trust.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_TRUST_H
#define MIGRATE_TRUST_H

extern bool TrustMayRunFor(Oid author, Oid runner);
extern bool TrustUntrustedWriter(Oid nsp, Oid runner, Oid *writer);
extern Oid	TrustTableActor(Oid relid);
extern bool TrustMayRead(Oid relid, Oid role);
extern void TrustBecome(Oid role, Oid *save_userid, int *save_sec_context);

#endif							/* MIGRATE_TRUST_H */
