/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Reading the extension's tables, the migration lock, and the per-backend
 *	  cache of built graphs.
 *
 * Every query here is schema-qualified and spells its operators
 * OPERATOR(pg_catalog.=), so a hostile search_path cannot redirect it, and
 * values travel as parameters.  Queries are prepared once per backend and
 * kept (SPI_keepplan); the plan cache re-plans them by name if the extension
 * is dropped and created again.  The reads every call makes (a project's
 * row, its version rows, its newest revision, one revision) go straight
 * through the tables' indexes instead (migrate_index_scan), which costs a
 * fraction of starting an executor.
 *
 * Bookkeeping runs as the owner of the catalog tables (migrate_become_owner),
 * so a role needs EXECUTE on a function, not privileges on the tables, to
 * migrate; revision bodies run as the caller (run.c).
 *
 * Callers connect to SPI (migrate_spi_begin) before using anything here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/xact.h"
#include "access/htup_details.h"
#include "access/genam.h"
#include "access/relation.h"
#include "access/tableam.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/hashfn.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "commands/trigger.h"

#include "migrate.h"

/* graphs kept for this many projects at most */
#define GRAPH_CACHE_SIZE	8

static MigrateGraph *graph_cache[GRAPH_CACHE_SIZE];

static bool spi_read_only = false;

static void migrate_become_owner(MigrateIdentity *saved);
static void migrate_restore_identity(const MigrateIdentity *saved);
static void forget_catalog_indexes(Datum arg, Oid relid);
static int	call_depth = 0;

/*
 * Set while the extension's own bookkeeping statements run, so that the
 * trigger on migrate.revision can tell them from edits made by hand.
 */
static bool bookkeeping = false;

/*
 * The OID of migrate.revision when the cached graphs were built.  They are
 * dropped when it changes: DROP EXTENSION and CREATE EXTENSION start
 * graph_gen and seq over, so old and new numbers could meet.
 */
static Oid	cache_extension = InvalidOid;

static SPIPlanPtr plan_project_for_update = NULL;
static SPIPlanPtr plan_revisions = NULL;

/*
 * Connect to SPI.  read_only is true for the functions declared STABLE:
 * their queries then use the calling statement's snapshot.  The setting of
 * an enclosing call (a revision body may call migrate.current()) is saved in
 * *call and restored by migrate_spi_end, as is the memory context results
 * must be built in: anything allocated while connected dies with SPI.
 */
void
migrate_spi_begin(MigrateCall *call, bool read_only)
{
	call->saved_read_only = spi_read_only;
	call->result_context = CurrentMemoryContext;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	spi_read_only = read_only;
	call_depth++;
}

void
migrate_spi_end(MigrateCall *call)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	spi_read_only = call->saved_read_only;
	if (call_depth > 0)
		call_depth--;
}

/*
 * A text result, built where it survives SPI_finish.
 */
text *
migrate_result_text(const MigrateCall *call, const char *s)
{
	MemoryContext old = MemoryContextSwitchTo(call->result_context);
	text	   *result = cstring_to_text(s);

	MemoryContextSwitchTo(old);
	return result;
}

/*
 * The state of the calls under way (call_depth, spi_read_only) when each open
 * subtransaction began.  A call that fails inside a subtransaction (a
 * revision body that catches the error of a migrate function it called) ends
 * without migrate_spi_end, and the state it set must not outlive it: the
 * enclosing run would go on in read-only mode.
 */
typedef struct CallState
{
	SubTransactionId subid;
	int			call_depth;
	bool		read_only;
} CallState;

static CallState *call_states = NULL;
static int	ncall_states = 0;
static int	max_call_states = 0;

static void
save_call_state(SubXactEvent event, SubTransactionId mySubid,
				SubTransactionId parentSubid, void *arg)
{
	switch (event)
	{
		case SUBXACT_EVENT_START_SUB:
			if (ncall_states == max_call_states)
			{
				int			size = Max(16, max_call_states * 2);

				call_states = call_states == NULL ?
					MemoryContextAlloc(TopMemoryContext, sizeof(CallState) * size) :
					repalloc(call_states, sizeof(CallState) * size);
				max_call_states = size;
			}
			call_states[ncall_states].subid = mySubid;
			call_states[ncall_states].call_depth = call_depth;
			call_states[ncall_states].read_only = spi_read_only;
			ncall_states++;
			break;
		case SUBXACT_EVENT_COMMIT_SUB:
		case SUBXACT_EVENT_ABORT_SUB:
			{
				bool		found = false;

				while (ncall_states > 0 && call_states[ncall_states - 1].subid >= mySubid)
				{
					ncall_states--;
					if (call_states[ncall_states].subid == mySubid)
					{
						found = true;
						if (event == SUBXACT_EVENT_ABORT_SUB)
						{
							call_depth = call_states[ncall_states].call_depth;
							spi_read_only = call_states[ncall_states].read_only;
						}
					}
				}

				/*
				 * A subtransaction that began before the library was loaded
				 * began with no call under way.
				 */
				if (!found && event == SUBXACT_EVENT_ABORT_SUB)
				{
					call_depth = 0;
					spi_read_only = false;
				}
			}
			break;
		case SUBXACT_EVENT_PRE_COMMIT_SUB:
			break;
	}
}

/*
 * Calls of migrate functions under way in this backend: more than one when a
 * revision body calls migrate itself.  Reset at transaction end.
 */
static void
reset_call_depth(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
	{
		call_depth = 0;
		spi_read_only = false;
		ncall_states = 0;
	}
}

void
migrate_catalog_init(void)
{
	RegisterXactCallback(reset_call_depth, NULL);
	RegisterSubXactCallback(save_call_state, NULL);
	CacheRegisterRelcacheCallback(forget_catalog_indexes, (Datum) 0);
}

/*
 * Prepare a bookkeeping query once per backend.
 */
SPIPlanPtr
migrate_prepare(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes)
{
	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*slot = plan;
	}
	return *slot;
}

/*
 * Run a prepared bookkeeping query as the catalog owner and check that it
 * returned what the caller expects.
 */
void
migrate_exec(SPIPlanPtr plan, Datum *values, const char *nulls, int expect)
{
	MigrateIdentity saved;
	volatile int rc = 0;

	migrate_become_owner(&saved);
	bookkeeping = true;
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, values, nulls, spi_read_only, 0);
	}
	PG_FINALLY();
	{
		bookkeeping = false;
	}
	PG_END_TRY();
	migrate_restore_identity(&saved);
	if (rc != expect)
		elog(ERROR, "unexpected result of a migrate catalog query: %s",
			 SPI_result_code_string(rc));
}

/*
 * The snapshot a bookkeeping query would use: the calling statement's in
 * read-only mode, a new one otherwise, after making this command's own
 * changes visible, as SPI does.
 */
static Snapshot
migrate_scan_snapshot(void)
{
	if (spi_read_only)
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
static MigrateRows *
index_rows(const char *index, int nkeys, const char *const *keys,
		   const int64 *seq_from, int limit, int ncolumns,
		   const char *const *columns)
{
	MigrateRows *rows = palloc0(sizeof(MigrateRows));
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

	snapshot = RegisterSnapshot(migrate_scan_snapshot());
	slot = table_slot_create(rel, NULL);
#if PG_VERSION_NUM >= 180000
	scan = index_beginscan(rel, irel, snapshot, NULL, nkeys, 0);
#else
	scan = index_beginscan(rel, irel, snapshot, nkeys, 0);
#endif
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
MigrateRows *
migrate_index_scan(const char *index, int nkeys, const char *const *keys,
				   int ncolumns, const char *const *columns)
{
	return index_rows(index, nkeys, keys, NULL, 0, ncolumns, columns);
}

/*
 * A column of a row read by migrate_index_scan, by name.
 */
Datum
migrate_row_value(const MigrateRows *rows, int row, const char *column,
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
 * Prepare (once) and run a bookkeeping statement whose only parameter, $1,
 * is a project name.
 */
void
migrate_exec_project(SPIPlanPtr *slot, const char *sql, const char *project,
					 int expect)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];

	migrate_prepare(slot, sql, 1, argtypes);
	values[0] = CStringGetTextDatum(project);
	migrate_exec(*slot, values, NULL, expect);
}

/*
 * The project an entry point works on: its argument, or migrate.project.
 */
char *
migrate_project_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *name;

	if (PG_NARGS() > argno && !PG_ARGISNULL(argno))
		name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	else
		name = migrate_default_project ? pstrdup(migrate_default_project) : pstrdup("");

	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("project name must not be empty"),
				 errhint("Pass a project, or set migrate.project.")));
	if (strlen(name) > 255)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("project name is too long"),
				 errdetail("Project names are at most 255 bytes.")));
	return name;
}

/*
 * The role that owns the catalog tables: the one that created the extension,
 * unless a superuser gave them away since (REASSIGN OWNED moves all of them).
 * Asked for by every bookkeeping statement, so it is read through the
 * syscache, which follows ownership changes without a catalog scan.
 */
static Oid
catalog_owner(void)
{
	Oid			nsp = get_namespace_oid("migrate", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("revision", nsp) : InvalidOid;
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"migrate\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION migrate.")));
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Switch to the catalog owner for one bookkeeping statement.  The switch
 * is undone by migrate_restore_identity, or by transaction abort if the
 * statement fails.
 */
static void
migrate_become_owner(MigrateIdentity *saved)
{
	GetUserIdAndSecContext(&saved->userid, &saved->sec_context);
	SetUserIdAndSecContext(catalog_owner(),
						   saved->sec_context | SECURITY_LOCAL_USERID_CHANGE);
}

static void
migrate_restore_identity(const MigrateIdentity *saved)
{
	SetUserIdAndSecContext(saved->userid, saved->sec_context);
}

/*
 * Take the project's migration lock for the rest of the transaction.
 *
 * migrate.lock_wait_timeout bounds the wait: it is applied as lock_timeout
 * for this one lock request, and running out of it is reported in the
 * extension's words.  The wait itself is an ordinary lock wait, so it shows
 * in pg_locks and pg_stat_activity and can be cancelled.
 */
void
migrate_lock(const char *project)
{
	int32		key = DatumGetInt32(hash_any((const unsigned char *) project,
											 strlen(project)));
	MemoryContext oldcontext = CurrentMemoryContext;
	int			nestlevel;
	char		timeout[32];

	if (migrate_lock_wait_timeout <= 0)
	{
		DirectFunctionCall2(pg_advisory_xact_lock_int4,
							Int32GetDatum(MIGRATE_LOCK_CLASSID),
							Int32GetDatum(key));
		return;
	}

	nestlevel = NewGUCNestLevel();
	snprintf(timeout, sizeof(timeout), "%d", migrate_lock_wait_timeout);
	(void) set_config_option("lock_timeout", timeout, PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	PG_TRY();
	{
		DirectFunctionCall2(pg_advisory_xact_lock_int4,
							Int32GetDatum(MIGRATE_LOCK_CLASSID),
							Int32GetDatum(key));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("could not obtain the migration lock of project \"%s\" within %d ms",
						project, migrate_lock_wait_timeout),
				 errdetail("Another session is migrating the project and has not finished."),
				 errhint("Try again once it has finished, or raise migrate.lock_wait_timeout.")));
	}
	PG_END_TRY();
	AtEOXact_GUC(true, nestlevel);
}

/*
 * An interval as milliseconds for a timeout setting, a month counting 30
 * days as interval arithmetic does; clamped to what the settings accept.
 */
static int
interval_ms(const Interval *iv)
{
	double		ms = ((double) iv->month * DAYS_PER_MONTH * USECS_PER_DAY +
					  (double) iv->day * USECS_PER_DAY + (double) iv->time) / 1000.0;

	if (ms <= 0)
		return 0;
	if (ms >= INT_MAX)
		return INT_MAX;
	return (int) ms;
}

/*
 * Whether seq is that of the project's newest revision: the revisions from
 * seq on in the (project, seq) index are exactly that one.  A scan that
 * starts at seq reads one or two index entries, where looking for the
 * largest seq would read a whole index page.
 */
bool
migrate_newest_is(const char *project, int64 seq)
{
	static const char *const columns[] = {"seq"};
	MigrateRows *rows = index_rows("revision_project_seq", 1, &project, &seq, 2,
								   1, columns);
	bool		isnull;

	return rows->n == 1 &&
		DatumGetInt64(migrate_row_value(rows, 0, "seq", &isnull)) == seq;
}

/*
 * Whether the project has any revision.
 */
bool
migrate_has_revisions(const char *project)
{
	return index_rows("revision_project_seq", 1, &project, NULL, 1, 0, NULL)->n > 0;
}

/*
 * Read a project's row; false when there is none.  Every call starts here,
 * the boot of every replica included, so the row is read through its index,
 * without planning a query.
 *
 * for_update locks the row, which under REPEATABLE READ or SERIALIZABLE
 * raises a serialization failure if a migration committed after the
 * transaction's snapshot was taken: every run that changes anything updates
 * this row first (run.c).
 */
bool
migrate_read_project(const char *name, bool for_update, MigrateProject *project)
{
	static const char *const columns[] = {"target_schema", "lock_timeout",
		"statement_timeout", "graph_gen", "created_at", "summary_gen", "heads",
	"has_depends", "configured_by"};
	MigrateRows *rows = migrate_index_scan("project_pkey", 1, &name,
										   lengthof(columns), columns);
	bool		isnull;
	Datum		d;

	if (rows->n == 0)
		return false;

	if (for_update)
		migrate_exec_project(&plan_project_for_update,
							 "SELECT FROM migrate.project"
							 " WHERE name OPERATOR(pg_catalog.=) $1 FOR UPDATE",
							 name, SPI_OK_SELECT);

	project->name = pstrdup(name);
	d = migrate_row_value(rows, 0, "target_schema", &isnull);
	project->target_schema = isnull ? NULL : pstrdup(NameStr(*DatumGetName(d)));
	d = migrate_row_value(rows, 0, "lock_timeout", &isnull);
	project->lock_timeout = isnull ? -1 : interval_ms(DatumGetIntervalP(d));
	d = migrate_row_value(rows, 0, "statement_timeout", &isnull);
	project->statement_timeout = isnull ? -1 : interval_ms(DatumGetIntervalP(d));
	project->graph_gen = DatumGetInt64(migrate_row_value(rows, 0, "graph_gen", &isnull));
	project->created_at = DatumGetTimestampTz(migrate_row_value(rows, 0, "created_at", &isnull));
	d = migrate_row_value(rows, 0, "summary_gen", &isnull);
	project->summary_gen = isnull ? -1 : DatumGetInt64(d);
	d = migrate_row_value(rows, 0, "heads", &isnull);
	project->heads = isnull ? NULL : migrate_text_array(d, &project->nheads);
	d = migrate_row_value(rows, 0, "has_depends", &isnull);
	project->has_depends = isnull || DatumGetBool(d);
	d = migrate_row_value(rows, 0, "configured_by", &isnull);
	project->configured_by = isnull ? NULL : pstrdup(NameStr(*DatumGetName(d)));
	return true;
}

/*
 * A project that must exist: one that has had a revision registered.
 */
MigrateProject *
migrate_open_project(const char *name, bool for_update)
{
	MigrateProject *project = palloc0(sizeof(MigrateProject));

	if (!migrate_read_project(name, for_update, project))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("project \"%s\" has no revisions", name),
				 errhint("Register revisions with migrate.register() first.")));
	return project;
}

/*
 * Turn a text[] into C strings in the current memory context.
 */
const char **
migrate_text_array(Datum array, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	const char **out;

	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &count);
	out = palloc(sizeof(char *) * (count + 1));
	for (int i = 0; i < count; i++)
		out[i] = nulls[i] ? "" : TextDatumGetCString(elems[i]);
	*n = count;
	return out;
}

/*
 * Build a project's graph from its revisions, in registration order.
 */
static MigrateGraph *
build_graph(const MigrateProject *project, MemoryContext context)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	SPIPlanPtr	plan;
	MemoryContext oldcontext;
	MemoryContext scratch;
	MigrateGraph *mg;
	MgRevisionInput *revs;
	MgError		err;
	uint64		n;

	plan = migrate_prepare(&plan_revisions,
						   "SELECT id, down_revision, depends_on, branch_labels, message,"
						   " upgrade_sql, downgrade_sql, checksum, seq"
						   " FROM migrate.revision"
						   " WHERE project OPERATOR(pg_catalog.=) $1 ORDER BY seq",
						   1, argtypes);
	values[0] = CStringGetTextDatum(project->name);
	migrate_exec(plan, values, NULL, SPI_OK_SELECT);
	n = SPI_processed;
	if (n > (uint64) (INT_MAX / 2))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("project \"%s\" has too many revisions", project->name)));

	scratch = AllocSetContextCreate(CurrentMemoryContext, "migrate checksum",
									ALLOCSET_SMALL_SIZES);
	oldcontext = MemoryContextSwitchTo(context);
	mg = palloc0(sizeof(MigrateGraph));
	mg->project = pstrdup(project->name);
	mg->graph_gen = project->graph_gen;
	mg->created_at = project->created_at;
	mg->context = context;
	mg->messages = palloc0(sizeof(char *) * (n + 1));
	revs = palloc0(sizeof(MgRevisionInput) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;

		revs[i].id = TextDatumGetCString(SPI_getbinval(tuple, desc, 1, &isnull));
		revs[i].down = migrate_text_array(SPI_getbinval(tuple, desc, 2, &isnull),
										   &revs[i].ndown);
		revs[i].depends = migrate_text_array(SPI_getbinval(tuple, desc, 3, &isnull),
											  &revs[i].ndepends);
		revs[i].labels = migrate_text_array(SPI_getbinval(tuple, desc, 4, &isnull),
											 &revs[i].nlabels);
		d = SPI_getbinval(tuple, desc, 5, &isnull);
		mg->messages[i] = isnull ? NULL : TextDatumGetCString(d);

		/*
		 * The key comes from the rows read, not from the project row read
		 * before them: a revision registered in between is in the graph,
		 * and must be in its key too.  Rows come in seq order.
		 */
		mg->last_seq = DatumGetInt64(SPI_getbinval(tuple, desc, 9, &isnull));

		/*
		 * Check every body against its checksum while the graph is built:
		 * any edit of the table gives the project a new graph_gen, so a body
		 * edited behind the extension's back is caught by the next call.
		 */
		{
			char	   *up;
			char	   *down;
			char	   *stored;
			bool		intact;

			MemoryContextSwitchTo(scratch);
			up = SPI_getvalue(tuple, desc, 6);
			down = SPI_getvalue(tuple, desc, 7);
			stored = SPI_getvalue(tuple, desc, 8);
			intact = up != NULL && stored != NULL &&
				strcmp(migrate_checksum(up, down), stored) == 0;
			MemoryContextReset(scratch);
			MemoryContextSwitchTo(context);
			if (!intact)
			{
				if (mg->drifted == NULL)
					mg->drifted = palloc(sizeof(int) * (n + 1));
				mg->drifted[mg->ndrifted++] = (int) i;
			}
		}
	}
	MemoryContextDelete(scratch);
	SPI_freetuptable(SPI_tuptable);

	mg->graph = mg_graph_build(revs, (int) n, &err);
	MemoryContextSwitchTo(oldcontext);
	if (mg->graph == NULL)
		migrate_graph_error(&err, project->name);
	return mg;
}

/*
 * Drop a cached graph.  When this is the only migrate call under way it is
 * freed at once; when calls are nested (a revision body that registers and
 * reads the same project), a caller further up the stack may still hold it,
 * so it is moved under TopTransactionContext instead, and nothing outlives
 * the transaction.
 */
static void
forget_graph(MigrateGraph *mg)
{
	if (call_depth <= 1)
		MemoryContextDelete(mg->context);
	else
		MemoryContextSetParent(mg->context, TopTransactionContext);
}

/*
 * The project's graph, from the cache when the project's graph_gen, newest
 * revision and row (a project deleted and created again by hand starts its
 * graph_gen afresh) say it is still current.  A graph is built in a context
 * under the current one, so that a build that fails (an invalid graph)
 * leaves nothing behind, and is moved under CacheMemoryContext once it
 * succeeded.
 */
MigrateGraph *
migrate_graph(const MigrateProject *project)
{
	MemoryContext context;
	MigrateGraph *mg;
	int			slot = -1;
	Oid			revision_table;

	revision_table = get_relname_relid("revision",
									   get_namespace_oid("migrate", false));
	if (cache_extension != revision_table)
	{
		for (int i = 0; i < GRAPH_CACHE_SIZE; i++)
			if (graph_cache[i] != NULL)
			{
				forget_graph(graph_cache[i]);
				graph_cache[i] = NULL;
			}
		cache_extension = revision_table;
	}

	for (int i = 0; i < GRAPH_CACHE_SIZE; i++)
	{
		mg = graph_cache[i];
		if (mg == NULL)
		{
			if (slot < 0)
				slot = i;
			continue;
		}
		if (strcmp(mg->project, project->name) == 0)
		{
			if (mg->graph_gen == project->graph_gen &&
				mg->created_at == project->created_at &&
				(mg_graph_size(mg->graph) == 0 ?
				 !migrate_has_revisions(project->name) :
				 migrate_newest_is(project->name, mg->last_seq)))
				return mg;
			slot = i;
			break;
		}
	}
	if (slot < 0)
		slot = random() % GRAPH_CACHE_SIZE;

	context = AllocSetContextCreate(CurrentMemoryContext, "migrate graph",
									ALLOCSET_DEFAULT_SIZES);
	mg = build_graph(project, context);

	if (graph_cache[slot] != NULL)
		forget_graph(graph_cache[slot]);
	MemoryContextSetParent(context, CacheMemoryContext);
	graph_cache[slot] = mg;
	return mg;
}

int
migrate_cmp_int(const void *a, const void *b)
{
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return (x > y) - (x < y);
}

/*
 * The project's version rows as revision indexes, in registration order.
 */
MgRevList
migrate_read_rows(const MigrateGraph *mg)
{
	MgRevList	rows;
	char	  **ids = migrate_read_row_ids(mg->project, &rows.n);

	rows.items = palloc(sizeof(int) * (rows.n + 1));
	for (int i = 0; i < rows.n; i++)
	{
		int			rev = mg_lookup(mg->graph, ids[i]);

		if (rev < 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("version row \"%s\" of project \"%s\" names no registered revision",
							ids[i], mg->project),
					 errdetail("migrate.version records \"%s\" as applied, but migrate.revision has no such revision.", ids[i]),
					 errhint("Run migrate.verify() to list the problems of the project.")));
		rows.items[i] = rev;
	}
	qsort(rows.items, rows.n, sizeof(int), migrate_cmp_int);
	return rows;
}

/*
 * sha256 of a revision's bodies, as lower-case hex.  The two bodies are
 * joined by a zero byte, which text cannot contain, and a missing downgrade
 * adds nothing after it while an empty one adds a 0x01 byte, so no two pairs
 * of bodies hash the same input.
 */
char *
migrate_checksum(const char *upgrade_sql, const char *downgrade_sql)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	uint8		sep = 0;
	uint8		present = 1;
	char	   *hex;

	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) upgrade_sql, strlen(upgrade_sql)) < 0 ||
		pg_cryptohash_update(ctx, &sep, 1) < 0 ||
		(downgrade_sql != NULL &&
		 (pg_cryptohash_update(ctx, &present, 1) < 0 ||
		  pg_cryptohash_update(ctx, (const uint8 *) downgrade_sql, strlen(downgrade_sql)) < 0)) ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute sha256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);

	hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	hex_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, hex);
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	return hex;
}

/*
 * Trigger on migrate.revision, for each statement: a change made by hand
 * (not through migrate.register) gives every project a new graph_gen, so no
 * backend goes on using a graph or a summary built before the change (a
 * row inserted by hand may carry any seq, so the newest seq is no proof).
 * The extension's own writes are let through here: a registration is told by
 * its new seq, and a replacement bumps its project's graph_gen itself.
 */
PG_FUNCTION_INFO_V1(migrate_revision_changed);

Datum
migrate_revision_changed(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("migrate.revision_changed() must be called as a trigger")));
	if (!bookkeeping)
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute("UPDATE migrate.project"
						" SET graph_gen = GREATEST(pg_catalog.nextval('migrate.seq'::pg_catalog.regclass),"
						" graph_gen OPERATOR(pg_catalog.+) 1)",
						false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "could not invalidate the graphs of migrate projects");
		SPI_finish();
	}
	return PointerGetDatum(NULL);
}

/*
 * Whether the project's summary describes its graph as it is now.
 */
bool
migrate_summary_current(const MigrateProject *project)
{
	return project->heads != NULL && project->summary_gen == project->graph_gen;
}

/*
 * Whether a project has a row, and (in *has_summary) whether the row holds a
 * summary: what registration needs to know of it, read without SPI.
 */
bool
migrate_project_exists(const char *project, bool *has_summary)
{
	static const char *const columns[] = {"summary_gen"};
	MigrateRows *rows = migrate_index_scan("project_pkey", 1, &project, 1, columns);
	bool		isnull = true;

	if (rows->n > 0)
		(void) migrate_row_value(rows, 0, "summary_gen", &isnull);
	*has_summary = !isnull;
	return rows->n > 0;
}

/*
 * A revision was added to the project: its summary no longer holds.  Called
 * under the project's lock, which runs hold while they write the summary,
 * and only when there is one, so that a batch of registrations writes the
 * project row once.
 */
void
migrate_clear_summary(const char *project)
{
	static SPIPlanPtr plan_clear = NULL;

	migrate_exec_project(&plan_clear,
						 "UPDATE migrate.project SET summary_gen = NULL, heads = NULL"
						 " WHERE name OPERATOR(pg_catalog.=) $1",
						 project, SPI_OK_UPDATE);
}

/*
 * Give a project a new graph_gen, one no backend can have seen: larger than
 * any it had, even if migrate.seq was set back (setval, or a restore that
 * loads revisions before the sequence).  Clears the summary with it.
 */
void
migrate_bump_graph_gen(const char *project)
{
	static SPIPlanPtr plan_bump = NULL;

	migrate_exec_project(&plan_bump,
						 "UPDATE migrate.project SET summary_gen = NULL, heads = NULL,"
						 " graph_gen = GREATEST(pg_catalog.nextval('migrate.seq'::pg_catalog.regclass),"
						 " graph_gen OPERATOR(pg_catalog.+) 1)"
						 " WHERE name OPERATOR(pg_catalog.=) $1",
						 project, SPI_OK_UPDATE);
}

/*
 * Record what a no-op run and current() need to know of the graph, so that
 * the next calls can answer without building it: the versioned heads and
 * whether any revision has depends_on, valid while graph_gen stays the same
 * and no revision is added (which clears it).  Written by runs (under the
 * lock) when it is missing or stale, and only from a graph that built
 * cleanly with intact bodies and from a snapshot taken after the lock: a
 * REPEATABLE READ or SERIALIZABLE run may not see a revision registered after
 * its transaction began, and registering only clears a summary it can see.
 */
void
migrate_save_summary(const MigrateProject *project, const MigrateGraph *mg)
{
	static SPIPlanPtr plan_summary = NULL;
	Oid			argtypes[4] = {TEXTOID, INT8OID, TEXTARRAYOID, BOOLOID};
	Datum		values[4];
	MgRevList	heads;
	bool		depends = false;
	int			n = mg_graph_size(mg->graph);

	if (migrate_summary_current(project) || mg->ndrifted > 0 ||
		mg->graph_gen != project->graph_gen || XactReadOnly ||
		IsolationUsesXactSnapshot())
		return;
	for (int i = 0; i < n && !depends; i++)
		depends = mg_dependencies(mg->graph, i).n > 0;
	heads = mg_heads(mg->graph, false);

	migrate_prepare(&plan_summary,
					"UPDATE migrate.project SET summary_gen = $2, heads = $3, has_depends = $4"
					" WHERE name OPERATOR(pg_catalog.=) $1",
					4, argtypes);
	values[0] = CStringGetTextDatum(project->name);
	values[1] = Int64GetDatum(project->graph_gen);
	values[2] = migrate_rev_array(mg, &heads, false);
	values[3] = BoolGetDatum(depends);
	migrate_exec(plan_summary, values, NULL, SPI_OK_UPDATE);
}

/*
 * The project's version rows as ids, without the graph.
 */
char	  **
migrate_read_row_ids(const char *project, int *n)
{
	static const char *const columns[] = {"revision"};
	MigrateRows *rows = migrate_index_scan("version_pkey", 1, &project, 1, columns);
	char	  **ids = palloc(sizeof(char *) * (rows->n + 1));

	for (int i = 0; i < rows->n; i++)
	{
		bool		isnull;

		ids[i] = TextDatumGetCString(migrate_row_value(rows, i, "revision", &isnull));
	}
	*n = rows->n;
	return ids;
}

/*
 * Remove every version row of a project (stamp with purge).
 */
void
migrate_delete_rows(const char *project)
{
	static SPIPlanPtr plan_purge = NULL;

	migrate_exec_project(&plan_purge,
						 "DELETE FROM migrate.version WHERE project OPERATOR(pg_catalog.=) $1",
						 project, SPI_OK_DELETE);
}

/*
 * Split a list argument such as 'a1b2, c3d4 e5f6' into its names: commas
 * and white space separate them, as Alembic prints lists, and empty names
 * are skipped.  argname names the argument in the error for a list too
 * long to be real.
 */
char	  **
migrate_split_list(const char *text, const char *argname, int *n)
{
	size_t		len = strlen(text);
	char	   *p;
	char	  **names;

	if (len > MIGRATE_MAX_LIST)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too long", argname),
				 errdetail("A list is at most %d bytes.", MIGRATE_MAX_LIST)));
	p = pstrdup(text);
	names = palloc(sizeof(char *) * (len / 2 + 2));
	*n = 0;
	for (;;)
	{
		while (*p == ',' || isspace((unsigned char) *p))
			p++;
		if (*p == '\0')
			break;
		names[(*n)++] = p;
		while (*p && *p != ',' && !isspace((unsigned char) *p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	return names;
}
