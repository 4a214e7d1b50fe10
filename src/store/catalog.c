/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Reading the extension's tables straight through their indexes.
 *
 * The reads every call makes -- a project's row, its version rows, its
 * newest revision, whether a revision is registered -- are single index
 * probes, and starting an executor for them would cost several times the
 * probe itself (the boot of every application replica makes them).  So
 * they go through the index access method directly, as the server's own
 * catalog code does, with the snapshot and locks a query would use.
 *
 * Only the indexes the install script creates, by name, are read this way,
 * and only after checking that each is the one the script made (a valid
 * btree on the expected leading columns, deterministic collations, no
 * expression or predicate): an index replaced by hand would answer
 * wrongly.  The table and index found are kept per backend until a
 * relcache invalidation of either (DDL, REINDEX, DROP EXTENSION).
 *
 * Callers are connected to SPI (call.c); everything else goes through
 * bookkeeping statements there.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "migrate.h"
#include "compat.h"

/*
 * The snapshot a bookkeeping query would use: the calling statement's in
 * read-only mode, a new one otherwise, after making this command's own
 * changes visible, as SPI does.
 */
static Snapshot
scan_snapshot(void)
{
	if (CallReadOnly())
		return GetActiveSnapshot();
	CommandCounterIncrement();
	return GetTransactionSnapshot();
}

/* a column's number, by name: extension updates add and drop columns */
static AttrNumber
attnum_of(TupleDesc desc, const char *column)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), column) == 0)
			return i + 1;
	}
	elog(ERROR, "migrate catalog column %s is missing", column);
	return InvalidAttrNumber;	/* keep compiler quiet */
}

/* the indexes read directly, with their table and leading columns */
typedef struct CatalogIndex
{
	const char *name;
	const char *table;
	const char *columns[2];
} CatalogIndex;

static const CatalogIndex catalog_indexes[] = {
	{"project_pkey", "project", {"name", NULL}},
	{"revision_pkey", "revision", {"project", "id"}},
	{"version_pkey", "version", {"project", "revision"}},
	{"revision_project_seq", "revision", {"project", "seq"}},
	{"kept_project_revision", "kept", {"project", "revision"}},
};

/*
 * The table and index each of those resolved to, once found and checked in
 * this backend; forgotten at any relcache invalidation of either (DDL,
 * REINDEX, DROP EXTENSION), which is processed when their locks are taken.
 */
typedef struct CatalogIndexState
{
	Oid			relid;
	Oid			indexid;
	bool		valid;
} CatalogIndexState;

static CatalogIndexState catalog_index_state[lengthof(catalog_indexes)];

static void
forget_catalog_indexes(Datum arg, Oid relid)
{
	for (int i = 0; i < (int) lengthof(catalog_indexes); i++)
		if (!OidIsValid(relid) || relid == catalog_index_state[i].relid ||
			relid == catalog_index_state[i].indexid)
			catalog_index_state[i].valid = false;
}

/*
 * Open one of the extension's tables, with the lock a query would take.  The
 * name is looked up and locked as the parser does it, so that a concurrent
 * DROP EXTENSION gives an error about the table, not an internal one.
 */
static Relation
open_catalog_table(const char *table)
{
	Oid			relid;

	relid = RangeVarGetRelidExtended(makeRangeVar("migrate", (char *) table, -1),
									 AccessShareLock, RVR_MISSING_OK, NULL, NULL);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"migrate.%s\" does not exist", table),
				 errhint("The extension's tables are missing: is the extension being dropped?")));
	return table_open(relid, NoLock);
}

/*
 * Whether irel is the index the extension created under that name: a valid
 * btree on the expected columns, deterministic in its collations, without
 * expressions or a predicate.  Anything else would answer wrongly.
 */
static bool
catalog_index_usable(Relation rel, Relation irel, const CatalogIndex *spec)
{
	Form_pg_index index = irel->rd_index;

	if (irel->rd_rel->relkind != RELKIND_INDEX ||
		strcmp(RelationGetRelationName(irel), spec->name) != 0 ||
		index->indrelid != RelationGetRelid(rel) || !index->indisvalid ||
		irel->rd_rel->relam != BTREE_AM_OID ||
		!heap_attisnull(irel->rd_indextuple, Anum_pg_index_indexprs, NULL) ||
		!heap_attisnull(irel->rd_indextuple, Anum_pg_index_indpred, NULL))
		return false;
	for (int i = 0; i < (int) lengthof(spec->columns) && spec->columns[i]; i++)
	{
		if (i >= IndexRelationGetNumberOfKeyAttributes(irel) ||
			index->indkey.values[i] != attnum_of(RelationGetDescr(rel), spec->columns[i]))
			return false;
		if (OidIsValid(irel->rd_indcollation[i]) &&
			!get_collation_isdeterministic(irel->rd_indcollation[i]))
			return false;
	}
	return true;
}

/*
 * Open one of the extension's indexes on rel.  The name is looked up before
 * the lock is taken, so a concurrent REINDEX CONCURRENTLY may have swapped
 * or dropped the relation it names by the time the lock is granted: then
 * look again.
 */
static Relation
open_catalog_index(Relation rel, const CatalogIndex *spec)
{
	const char *name = spec->name;

	for (int attempt = 0; attempt < 3; attempt++)
	{
		Oid			indexid = get_relname_relid(name, RelationGetNamespace(rel));
		Relation	irel;

		if (!OidIsValid(indexid))
			break;
		irel = try_relation_open(indexid, AccessShareLock);
		if (irel == NULL)
			continue;
		if (catalog_index_usable(rel, irel, spec))
			return irel;
		relation_close(irel, AccessShareLock);
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("index \"migrate.%s\" is missing or is not the one the extension created", name),
			 errhint("Recreate it as the extension's install script defines it.")));
	return NULL;				/* keep compiler quiet */
}

/*
 * Open the table and index of catalog_indexes[which], locked as a query
 * would lock them: from the OIDs found earlier when nothing invalidated
 * them, else by name, checked.
 */
static void
open_catalog_pair(int which, Relation *rel, Relation *irel)
{
	const CatalogIndex *spec = &catalog_indexes[which];
	CatalogIndexState *state = &catalog_index_state[which];

	if (state->valid)
	{
		*rel = try_relation_open(state->relid, AccessShareLock);
		*irel = *rel ? try_relation_open(state->indexid, AccessShareLock) : NULL;

		/* taking the locks processes invalidations, which may clear it */
		if (*rel && *irel && state->valid)
			return;
		if (*irel)
			relation_close(*irel, AccessShareLock);
		if (*rel)
			relation_close(*rel, AccessShareLock);
	}
	*rel = open_catalog_table(spec->table);
	*irel = open_catalog_index(*rel, spec);
	state->relid = RelationGetRelid(*rel);
	state->indexid = RelationGetRelid(*irel);
	state->valid = true;
}

/*
 * Read rows of one of the extension's tables through one of its indexes:
 * those whose leading index columns equal the given texts (and, with
 * seq_from, whose next index column is at least that), in the index's order,
 * at most limit of them (0: all), and of them the given columns.  The reads
 * every call makes (is this revision registered, the project's row, its
 * version rows, its newest revision) are single index probes, and starting
 * an executor for them costs several times the probe itself.
 *
 * The snapshot is the one a bookkeeping query would use, and the locks taken
 * are kept to the end of the transaction, as a query's would be.  Values are
 * copied into the current memory context; a column added after a row was
 * written reads as its default, as in a query.
 */
static CatalogRows *
index_rows(const char *index, int nkeys, const char *const *keys,
		   const int64 *seq_from, int limit, int ncolumns,
		   const char *const *columns)
{
	CatalogRows *rows = palloc0(sizeof(CatalogRows));
	ScanKeyData scankey[INDEX_MAX_KEYS];
	AttrNumber	attnums[16];
	int			which = -1;
	Relation	rel;
	Relation	irel;
	TupleDesc	desc;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	Snapshot	snapshot;
	int			size = 4;

	for (int i = 0; i < (int) lengthof(catalog_indexes); i++)
		if (strcmp(catalog_indexes[i].name, index) == 0)
			which = i;
	if (which < 0 || ncolumns > (int) lengthof(attnums))
		elog(ERROR, "unknown migrate catalog index \"%s\"", index);

	open_catalog_pair(which, &rel, &irel);
	desc = RelationGetDescr(rel);
	for (int i = 0; i < ncolumns; i++)
		attnums[i] = attnum_of(desc, columns[i]);
	for (int i = 0; i < nkeys; i++)
	{
		ScanKeyInit(&scankey[i], i + 1, BTEqualStrategyNumber, F_TEXTEQ,
					CStringGetTextDatum(keys[i]));
		scankey[i].sk_collation = irel->rd_indcollation[i];
	}
	if (seq_from)
	{
		ScanKeyInit(&scankey[nkeys], nkeys + 1, BTGreaterEqualStrategyNumber,
					F_INT8GE, Int64GetDatum(*seq_from));
		nkeys++;
	}

	rows->columns = columns;
	rows->ncolumns = ncolumns;
	rows->values = palloc(sizeof(Datum) * size * Max(ncolumns, 1));
	rows->nulls = palloc(sizeof(bool) * size * Max(ncolumns, 1));

	snapshot = RegisterSnapshot(scan_snapshot());
	slot = table_slot_create(rel, NULL);
	scan = compat_index_beginscan(rel, irel, snapshot, nkeys, 0);
	index_rescan(scan, scankey, nkeys, NULL, 0);
	while ((limit == 0 || rows->n < limit) &&
		   index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		if (rows->n == size)
		{
			size *= 2;
			rows->values = repalloc(rows->values, sizeof(Datum) * size * Max(ncolumns, 1));
			rows->nulls = repalloc(rows->nulls, sizeof(bool) * size * Max(ncolumns, 1));
		}
		for (int i = 0; i < ncolumns; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, attnums[i] - 1);
			int			k = rows->n * ncolumns + i;
			Datum		d = slot_getattr(slot, attnums[i], &rows->nulls[k]);

			rows->values[k] = rows->nulls[k] ? (Datum) 0 :
				datumCopy(d, att->attbyval, att->attlen);
		}
		rows->n++;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	index_close(irel, NoLock);
	table_close(rel, NoLock);
	return rows;
}

/*
 * The rows whose leading index columns equal the given texts, with the given
 * columns.
 */
CatalogRows *
CatalogIndexScan(const char *index, int nkeys, const char *const *keys,
				 int ncolumns, const char *const *columns)
{
	return index_rows(index, nkeys, keys, NULL, 0, ncolumns, columns);
}

/*
 * A column of a row read by CatalogIndexScan, by name.
 */
Datum
CatalogRowValue(const CatalogRows *rows, int row, const char *column,
				bool *isnull)
{
	for (int i = 0; i < rows->ncolumns; i++)
		if (strcmp(rows->columns[i], column) == 0)
		{
			*isnull = rows->nulls[row * rows->ncolumns + i];
			return rows->values[row * rows->ncolumns + i];
		}
	elog(ERROR, "migrate catalog column %s was not read", column);
	return (Datum) 0;			/* keep compiler quiet */
}

/*
 * Whether seq is that of the project's newest revision: the revisions from
 * seq on in the (project, seq) index are exactly that one.  A scan that
 * starts at seq reads one or two index entries, where looking for the
 * largest seq would read a whole index page.
 */
bool
CatalogNewestIs(const char *project, int64 seq)
{
	static const char *const columns[] = {"seq"};
	CatalogRows *rows = index_rows("revision_project_seq", 1, &project, &seq, 2,
								   1, columns);
	bool		isnull;

	return rows->n == 1 &&
		DatumGetInt64(CatalogRowValue(rows, 0, "seq", &isnull)) == seq;
}

/*
 * Whether the project has any revision.
 */
bool
CatalogHasRevisions(const char *project)
{
	return index_rows("revision_project_seq", 1, &project, NULL, 1, 0, NULL)->n > 0;
}

void
CatalogInit(void)
{
	CacheRegisterRelcacheCallback(forget_catalog_indexes, (Datum) 0);
}
