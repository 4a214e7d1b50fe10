/*-------------------------------------------------------------------------
 *
 * catwrites.c
 *	  The catalog rows the current transaction wrote: the one place migrate
 *	  reads them.
 *
 * A row version carries the transaction id of whoever inserted it (xmin)
 * and of whoever deleted it or replaced it by an UPDATE (xmax); a
 * subtransaction that wrote gives its own id, which is the current
 * transaction's as long as it did not roll back.  So what a piece of work
 * did to the catalogs (the relations, types and functions it created,
 * changed or dropped) can be read back from the catalogs themselves, with
 * no hook on the statements that did it: drift.c notes the schemas a run
 * touched that way, check_reversible() and trial() what one step touched.
 *
 * A mark (CatalogMarkNow) bounds what counts to what was written after it:
 * by a transaction id assigned after it, which is what a subtransaction
 * begun after it gets when it first writes.  It also bounds what is read.
 * Every change of a catalog page is WAL-logged and stamps the page with the
 * position of its record, so a page whose position is not past the WAL
 * insert position at the mark holds nothing written since, and is not
 * searched; the cost then follows what was written, not the size of the
 * catalogs.  (A catalog that is not WAL-logged in this transaction, one
 * rewritten in it under wal_level = minimal, is searched whole.)  Without a
 * mark, every row the current transaction wrote counts.
 *
 * Row versions are read whatever their visibility: one that the window
 * inserted and deleted again (a table made by a step and dropped by the
 * next) is reported with both flags; versions written by a subtransaction
 * that rolled back are not reported, nor deletions it made.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/multixact.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

#include "compat.h"
#include "util/catwrites.h"

/*
 * The present point of the transaction.
 */
void
CatalogMarkNow(CatalogMark *mark)
{
	mark->xid = XidFromFullTransactionId(ReadNextFullTransactionId());
	mark->lsn = GetXLogInsertRecPtr();
	mark->oid = compat_ReadNextOid();
}

/*
 * Whether an object id was given out after the mark.  An id given out
 * after the counter wrapped around (past 2^32) reads as older: callers
 * treat such an object as one that existed before, which costs them work,
 * never an answer.
 */
bool
CatalogMarkCreated(const CatalogMark *mark, Oid oid)
{
	return oid >= mark->oid && oid >= FirstNormalObjectId;
}

/* whether a transaction id is the current transaction's, written after since */
static bool
in_window(TransactionId xid, const CatalogMark *since)
{
	if (!TransactionIdIsNormal(xid))
		return false;
	if (since != NULL && TransactionIdPrecedes(xid, since->xid))
		return false;
	return TransactionIdIsCurrentTransactionId(xid);
}

/* a row version found on a page, to be reported once the page is let go */
typedef struct Found
{
	HeapTuple	tuple;
	int			what;
	bool		multi;			/* xmax is a multixact, not read yet */
} Found;

/*
 * What the window did to a row version, read from its header alone; a
 * multixact xmax is left for later (reading it may do I/O, which must not
 * happen while the page is locked).
 */
static int
header_writes(HeapTupleHeader header, const CatalogMark *since, bool *multi)
{
	uint16		infomask = header->t_infomask;
	int			what = 0;

	*multi = false;
	if (in_window(HeapTupleHeaderGetXmin(header), since))
		what |= CATWRITE_INSERTED;
	if (!(infomask & HEAP_XMAX_INVALID) && !HEAP_XMAX_IS_LOCKED_ONLY(infomask))
	{
		if (infomask & HEAP_XMAX_IS_MULTI)
			*multi = true;
		else if (in_window(HeapTupleHeaderGetRawXmax(header), since))
			what |= CATWRITE_DELETED;
	}
	return what;
}

/*
 * Call fn for every row version of the catalog that the current
 * transaction wrote after since (NULL: at any time), with what it did to
 * it (CATWRITE_*).  fn gets a copy of the row and may do anything.
 */
void
CatalogWrites(Oid catalog, const CatalogMark *since, CatalogWriteFn fn, void *arg)
{
	Relation	rel = table_open(catalog, AccessShareLock);
	BlockNumber nblocks = RelationGetNumberOfBlocks(rel);
	bool		every_page = since == NULL || !RelationNeedsWAL(rel);
	Found	   *found = NULL;
	int			nfound = 0;
	int			maxfound = 0;

	for (BlockNumber blkno = 0; blkno < nblocks; blkno++)
	{
		Buffer		buffer = ReadBufferExtended(rel, MAIN_FORKNUM, blkno, RBM_NORMAL, NULL);
		Page		page;

		CHECK_FOR_INTERRUPTS();
		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buffer);
		if (!PageIsNew(page) && (every_page || PageGetLSN(page) > since->lsn))
		{
			OffsetNumber maxoff = PageGetMaxOffsetNumber(page);

			for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
			{
				ItemId		id = PageGetItemId(page, off);
				HeapTupleData tuple;
				bool		multi;
				int			what;

				if (!ItemIdIsNormal(id))
					continue;
				tuple.t_data = (HeapTupleHeader) PageGetItem(page, id);
				tuple.t_len = ItemIdGetLength(id);
				tuple.t_tableOid = catalog;
				ItemPointerSet(&tuple.t_self, blkno, off);
				what = header_writes(tuple.t_data, since, &multi);
				if (what == 0 && !multi)
					continue;
				if (nfound == maxfound)
				{
					maxfound = Max(16, maxfound * 2);
					found = found ? repalloc(found, sizeof(Found) * maxfound) :
						palloc(sizeof(Found) * maxfound);
				}
				found[nfound].tuple = heap_copytuple(&tuple);
				found[nfound].what = what;
				found[nfound].multi = multi;
				nfound++;
			}
		}
		UnlockReleaseBuffer(buffer);
	}

	for (int i = 0; i < nfound; i++)
	{
		HeapTuple	tuple = found[i].tuple;

		if (found[i].multi &&
			in_window(HeapTupleGetUpdateXid(tuple->t_data), since))
			found[i].what |= CATWRITE_DELETED;
		if (found[i].what != 0)
			fn(rel, tuple, found[i].what, arg);
		heap_freetuple(tuple);
	}
	if (found)
		pfree(found);
	table_close(rel, AccessShareLock);
}
