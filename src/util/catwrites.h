/*-------------------------------------------------------------------------
 *
 * catwrites.h
 *	  The catalog rows the current transaction wrote (catwrites.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_CATWRITES_H
#define MIGRATE_CATWRITES_H

#include "access/htup.h"
#include "access/transam.h"
#include "access/xlogdefs.h"
#include "utils/relcache.h"

/* A point in the current transaction: what is written after it counts. */
typedef struct CatalogMark
{
	TransactionId xid;			/* the next transaction id then */
	XLogRecPtr	lsn;			/* the WAL insert position then */
	Oid			oid;			/* the next object id then */
} CatalogMark;

/* what the current transaction did to a row version */
#define CATWRITE_INSERTED	0x01	/* wrote it (INSERT, or an UPDATE's new
									 * version) */
#define CATWRITE_DELETED	0x02	/* deleted it, or replaced it by an UPDATE */

typedef void (*CatalogWriteFn) (Relation catalog, HeapTuple tuple, int what,
								void *arg);

extern void CatalogMarkNow(CatalogMark *mark);
extern bool CatalogMarkCreated(const CatalogMark *mark, Oid oid);
extern void CatalogWrites(Oid catalog, const CatalogMark *since,
						  CatalogWriteFn fn, void *arg);

#endif							/* MIGRATE_CATWRITES_H */
