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

#endif							/* MIGRATE_TRUST_H */
