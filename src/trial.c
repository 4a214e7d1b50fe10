/*-------------------------------------------------------------------------
 *
 * trial.c
 *	  migrate.trial(): what upgrade(target) would run, step by step, with
 *	  the locks each step takes on relations that already exist, or that
 *	  earlier steps created, and the relations it rewrites; then everything
 *	  is rolled back.
 *
 * Each step runs in its own subtransaction inside the trial's outer one
 * (sandbox.c), and is measured before that subtransaction ends:
 *
 * Locks.  A lock a step takes is remembered under the step's resource
 * owner, even when the transaction already holds it (taken by an earlier
 * step, or by the caller before the trial): the lock manager then only
 * counts one more holder locally.  So pg_locks, which shows what the
 * backend holds, cannot tell which step took what, but the local lock table
 * can: for every relation lock the backend holds on a relation that
 * existed before the trial, it says how many times the step's resource
 * owner holds it (util/locallock.c).  Locks taken by subtransactions inside
 * the step (a body's exception blocks) count for the step once those commit;
 * locks a body took and released again before the step ended (a failed
 * exception block) are not seen.  The report is therefore exact for the
 * locks a step holds at its end, which are the locks a deploy would hold
 * until it commits.
 *
 * Relations created by earlier steps.  The locks a step holds on those are
 * reported apart (locks_on_new): in one upgrade() nobody else can see such
 * a relation yet, but a deploy that commits each revision (CALL apply()),
 * or ships them in separate releases, runs the step against a table that
 * is in use by then.  After each step the relations it created are read
 * (those pg_class has and the trial does not know yet), so that the next
 * step's locks on them can be told from its locks on what it creates
 * itself, which are never reported.
 *
 * Rewrites.  A table, materialized view or index that existed before the
 * trial was rewritten by a step when its relfilenode changed (the ALTER
 * TABLE forms that rewrite, CLUSTER, REINDEX, TRUNCATE, SET TABLESPACE), or
 * when the step dropped it and created a relation of the same name (ALTER
 * COLUMN ... TYPE rebuilds the indexes on the column that way).
 *
 * Relations of the system schemas and of migrate's own schema are left out:
 * every DDL statement writes the catalogs, and every step writes migrate's
 * tables.  Names are those the relations had before the trial, or at the
 * end of the step that created them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "migrate.h"
#include "util/subxact.h"
#include "util/locallock.h"

PG_FUNCTION_INFO_V1(migrate_trial);

/* a relation that existed before the trial, or that a step created */
typedef struct ExistingRel
{
	Oid			oid;
	char		relkind;
	int			created_by;		/* the step that created it; 0: before */
	Oid			filenode;		/* as of the last step; 0 once dropped */
	char	   *nspname;
	char	   *relname;
	char	   *name;			/* qualified, quoted where needed */
} ExistingRel;

/* one (mode, relation) lock held by a step, for sorting */
typedef struct StepLock
{
	bool		on_new;			/* the relation was created by an earlier step */
	LOCKMODE	mode;
	const char *name;
} StepLock;

/* one result row */
typedef struct TrialRow
{
	char	   *revision;
	char	   *operation;
	bool		measured;		/* duration, locks and rewrites are set */
	int64		usecs;
	Datum		locks;
	Datum		rewrites;
	Datum		locks_on_new;
} TrialRow;

typedef struct Trial
{
	const char *target;
	const char *project;
	ExistingRel *rels;			/* sorted by oid */
	int			nrels;
	int			maxrels;
	TrialRow   *rows;
	int			nrows;
	TrialRow   *current;		/* the step being run */
} Trial;

static SPIPlanPtr plan_existing = NULL;
static SPIPlanPtr plan_filenodes = NULL;

static int
cmp_existing(const void *a, const void *b)
{
	Oid			x = ((const ExistingRel *) a)->oid;
	Oid			y = ((const ExistingRel *) b)->oid;

	return x < y ? -1 : x > y ? 1 : 0;
}

static ExistingRel *
find_existing(const Trial *t, Oid oid)
{
	ExistingRel key;

	key.oid = oid;
	return bsearch(&key, t->rels, t->nrels, sizeof(ExistingRel), cmp_existing);
}

/*
 * The relations that exist now, outside the system schemas and migrate's
 * own, with their relfilenodes, that t->rels does not hold yet: all of them
 * before the first step (step 0), those the step created after it.
 */
static void
read_relations(Trial *t, int step)
{
	int			rc;
	int			known = t->nrels;

	if (t->rels == NULL)
	{
		t->maxrels = 64;
		t->rels = palloc(sizeof(ExistingRel) * t->maxrels);
	}
	BookkeepingPrepare(&plan_existing,
					   "SELECT c.oid, c.relkind, c.relfilenode, n.nspname, c.relname"
					   " FROM pg_catalog.pg_class c"
					   " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
					   " WHERE NOT n.nspname OPERATOR(pg_catalog.=) ANY"
					   " ('{pg_catalog,information_schema,pg_toast,migrate}'::pg_catalog.name[])"
					   " AND n.nspname::pg_catalog.text OPERATOR(pg_catalog.!~) '^pg_toast_temp_'",
					   0, NULL);
	rc = SPI_execute_plan(plan_existing, NULL, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_class: %s", SPI_result_code_string(rc));

	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ExistingRel key;
		ExistingRel *rel;
		bool		isnull;

		/* the first known entries are sorted; new ones are never among them */
		key.oid = DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull));
		if (bsearch(&key, t->rels, known, sizeof(ExistingRel), cmp_existing) != NULL)
			continue;
		if (t->nrels == t->maxrels)
		{
			t->maxrels *= 2;
			t->rels = repalloc(t->rels, sizeof(ExistingRel) * t->maxrels);
		}
		rel = &t->rels[t->nrels++];
		rel->oid = key.oid;
		rel->relkind = DatumGetChar(SPI_getbinval(tuple, desc, 2, &isnull));
		rel->created_by = step;
		rel->filenode = DatumGetObjectId(SPI_getbinval(tuple, desc, 3, &isnull));
		rel->nspname = SPI_getvalue(tuple, desc, 4);
		rel->relname = SPI_getvalue(tuple, desc, 5);
		rel->name = quote_qualified_identifier(rel->nspname, rel->relname);
	}
	SPI_freetuptable(SPI_tuptable);
	if (t->nrels > known)
		qsort(t->rels, t->nrels, sizeof(ExistingRel), cmp_existing);
}

/*
 * Whether the resource owner, the current one, holds this lock, which the
 * backend holds (util/locallock.c reads the local lock table).
 */
static bool
owner_holds(ResourceOwner owner, const LOCKTAG *tag, LOCKMODE mode)
{
	Assert(CurrentResourceOwner == owner);
	return LocalLockHolds(tag, mode, false) > 0;
}

static int
cmp_step_lock(const void *a, const void *b)
{
	const StepLock *x = a;
	const StepLock *y = b;

	if (x->on_new != y->on_new)
		return x->on_new ? 1 : -1;
	if (x->mode != y->mode)
		return x->mode > y->mode ? -1 : 1;
	return strcmp(x->name, y->name);
}

static Datum
lock_array(const StepLock *locks, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * (n + 1));

	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(psprintf("%s on %s",
												GetLockmodeName(DEFAULT_LOCKMETHOD, locks[i].mode),
												locks[i].name));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * "AccessExclusiveLock on public.orders", ...: the locks the resource owner
 * (the step's) holds on relations that existed before the trial (*locks)
 * and on relations earlier steps created (*locks_on_new), strongest first.
 * The step's own relations are not in t->rels yet.
 */
static void
step_locks(const Trial *t, ResourceOwner owner, Datum *locks_existing,
		   Datum *locks_on_new)
{
	LockData   *data = GetLockStatusData();
	LOCKMASK   *held = palloc0(sizeof(LOCKMASK) * (t->nrels + 1));
	StepLock   *locks;
	int			n = 0;
	int			nexisting = 0;

	for (int i = 0; i < data->nelements; i++)
	{
		LockInstanceData *inst = &data->locks[i];
		ExistingRel *rel;

		if (inst->pid != MyProcPid ||
			inst->locktag.locktag_type != LOCKTAG_RELATION ||
			inst->locktag.locktag_field1 != MyDatabaseId)
			continue;
		rel = find_existing(t, inst->locktag.locktag_field2);
		if (rel != NULL)
			held[rel - t->rels] |= inst->holdMask;
	}

	pfree(data->locks);
	pfree(data);

	for (int r = 0; r < t->nrels; r++)
		for (LOCKMODE mode = 1; mode <= MaxLockMode; mode++)
			if (held[r] & LOCKBIT_ON(mode))
				n++;
	locks = palloc(sizeof(StepLock) * (n + 1));
	n = 0;
	for (int r = 0; r < t->nrels; r++)
	{
		LOCKTAG		tag;

		if (held[r] == 0)
			continue;
		SET_LOCKTAG_RELATION(tag, MyDatabaseId, t->rels[r].oid);
		for (LOCKMODE mode = 1; mode <= MaxLockMode; mode++)
			if ((held[r] & LOCKBIT_ON(mode)) && owner_holds(owner, &tag, mode))
			{
				locks[n].on_new = t->rels[r].created_by > 0;
				locks[n].mode = mode;
				locks[n].name = t->rels[r].name;
				if (!locks[n].on_new)
					nexisting++;
				n++;
			}
	}
	/* those on relations that existed before the trial come first */
	qsort(locks, n, sizeof(StepLock), cmp_step_lock);
	*locks_existing = lock_array(locks, nexisting);
	*locks_on_new = lock_array(locks + nexisting, n - nexisting);
	pfree(held);
	pfree(locks);
}

static int
cmp_cstring(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * A relation the step dropped may have been created again under the same
 * name: ALTER COLUMN ... TYPE rebuilds the indexes on the column that way.
 * Such a relation counts as the one it replaces, rewritten: it takes its
 * place in t->rels, under its new oid.  Returns how many were replaced.
 */
static int
adopt_replacements(Trial *t, ExistingRel **dropped, int ndropped,
				   char **names, int n)
{
	static SPIPlanPtr plan_replaced = NULL;
	Oid			argtypes[2] = {NAMEARRAYOID, NAMEARRAYOID};
	Datum		args[2];
	Datum	   *nsps = palloc(sizeof(Datum) * (ndropped + 1));
	Datum	   *rels = palloc(sizeof(Datum) * (ndropped + 1));
	int			rc;
	int			found = 0;

	if (ndropped == 0)
		return 0;
	for (int i = 0; i < ndropped; i++)
	{
		nsps[i] = DirectFunctionCall1(namein, CStringGetDatum(dropped[i]->nspname));
		rels[i] = DirectFunctionCall1(namein, CStringGetDatum(dropped[i]->relname));
	}
	BookkeepingPrepare(&plan_replaced,
					   "SELECT d.i, c.oid, c.relfilenode"
					   " FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2))"
					   " WITH ORDINALITY AS d(nsp, rel, i)"
					   " JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) d.nsp"
					   " JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid"
					   " AND c.relname OPERATOR(pg_catalog.=) d.rel",
					   2, argtypes);
	args[0] = PointerGetDatum(construct_array(nsps, ndropped, NAMEOID, NAMEDATALEN,
											  false, TYPALIGN_CHAR));
	args[1] = PointerGetDatum(construct_array(rels, ndropped, NAMEOID, NAMEDATALEN,
											  false, TYPALIGN_CHAR));
	rc = SPI_execute_plan(plan_replaced, args, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_class: %s", SPI_result_code_string(rc));
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		ExistingRel *rel = dropped[DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull)) - 1];

		rel->oid = DatumGetObjectId(SPI_getbinval(tuple, desc, 2, &isnull));
		rel->filenode = DatumGetObjectId(SPI_getbinval(tuple, desc, 3, &isnull));
		names[n + found++] = rel->name;
	}
	SPI_freetuptable(SPI_tuptable);
	if (found > 0)
		qsort(t->rels, t->nrels, sizeof(ExistingRel), cmp_existing);
	return found;
}

/*
 * The tables, materialized views and indexes that existed before the trial
 * and got a new relfilenode since the previous step (or were replaced by a
 * relation of the same name), by name.  Those earlier steps created are
 * not followed.
 */
static Datum
step_rewrites(Trial *t)
{
	Datum	   *oids = palloc(sizeof(Datum) * (t->nrels + 1));
	ExistingRel **stored = palloc(sizeof(ExistingRel *) * (t->nrels + 1));
	bool	   *seen = palloc0(sizeof(bool) * (t->nrels + 1));
	ExistingRel **dropped = palloc(sizeof(ExistingRel *) * (t->nrels + 1));
	char	  **names = palloc(sizeof(char *) * (t->nrels + 1));
	Datum	   *elems;
	Datum		arg;
	Oid			argtypes[1] = {OIDARRAYOID};
	int			nstored = 0;
	int			ndropped = 0;
	int			n = 0;
	int			rc;

	for (int i = 0; i < t->nrels; i++)
		if (t->rels[i].filenode != InvalidOid && t->rels[i].created_by == 0 &&
			(t->rels[i].relkind == RELKIND_RELATION ||
			 t->rels[i].relkind == RELKIND_MATVIEW ||
			 t->rels[i].relkind == RELKIND_INDEX))
		{
			stored[nstored] = &t->rels[i];
			oids[nstored++] = ObjectIdGetDatum(t->rels[i].oid);
		}

	BookkeepingPrepare(&plan_filenodes,
					   "SELECT i, c.relfilenode"
					   " FROM pg_catalog.unnest($1) WITH ORDINALITY AS o(oid, i)"
					   " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) o.oid",
					   1, argtypes);
	arg = PointerGetDatum(construct_array(oids, nstored, OIDOID, sizeof(Oid),
										  true, TYPALIGN_INT));
	rc = SPI_execute_plan(plan_filenodes, &arg, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_class: %s", SPI_result_code_string(rc));

	for (uint64 r = 0; r < SPI_processed; r++)
	{
		bool		isnull;
		int64		i = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r],
													SPI_tuptable->tupdesc, 1, &isnull)) - 1;
		Oid			filenode = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[r],
															  SPI_tuptable->tupdesc, 2, &isnull));

		seen[i] = true;
		if (filenode != stored[i]->filenode)
		{
			stored[i]->filenode = filenode;
			names[n++] = stored[i]->name;
		}
	}
	SPI_freetuptable(SPI_tuptable);

	for (int i = 0; i < nstored; i++)
		if (!seen[i])
		{
			stored[i]->filenode = InvalidOid;
			dropped[ndropped++] = stored[i];
		}
	/* t->rels may be sorted again: stored[] is not used after this */
	n += adopt_replacements(t, dropped, ndropped, names, n);

	qsort(names, n, sizeof(char *), cmp_cstring);
	elems = palloc(sizeof(Datum) * (n + 1));
	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(names[i]);
	pfree(oids);
	pfree(stored);
	pfree(seen);
	pfree(dropped);
	pfree(names);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * One step, inside its own subtransaction: run it, then measure it while
 * its resource owner is still the current one.
 */
static void
trial_step(void *arg)
{
	Trial	   *t = (Trial *) arg;
	TrialRow   *row = t->current;
	ResourceOwner owner = CurrentResourceOwner;
	TimestampTz start = GetCurrentTimestamp();
	long		secs;
	int			usecs;

	SandboxUpgrade(t->project, row->revision);
	TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
	row->usecs = (int64) secs * USECS_PER_SEC + usecs;
	step_locks(t, owner, &row->locks, &row->locks_on_new);
	row->rewrites = step_rewrites(t);
	/* the relations the step created, for the steps after it */
	read_relations(t, (int) (row - t->rows) + 1);
	row->measured = true;
}

static void
stamp_step(void *arg)
{
	Trial	   *t = (Trial *) arg;

	SandboxStamp(t->project, t->current->revision);
}

/*
 * The whole trial, inside the subtransaction that SandboxRun rolls back.
 */
static void
trial_run(void *arg)
{
	Trial	   *t = (Trial *) arg;
	char	  **ids;
	bool	   *nontransactional;
	bool		stopped = false;

	/* what is planned is what runs: nobody else migrates meanwhile */
	ProjectLock(t->project);
	ids = SandboxPending(t->target, t->project, &t->nrows);
	nontransactional = SandboxNontransactional(t->project, ids, t->nrows);
	read_relations(t, 0);

	t->rows = palloc0(sizeof(TrialRow) * (t->nrows + 1));
	for (int i = 0; i < t->nrows; i++)
	{
		TrialRow   *row = &t->rows[i];
		ErrorData  *edata;

		row->revision = ids[i];
		t->current = row;
		if (stopped)
		{
			row->operation = "not run: an earlier step failed";
			continue;
		}
		if (nontransactional[i])
		{
			/*
			 * Run by CALL migrate.apply() outside any transaction, so not
			 * here: the version rows move over it and the trial goes on.
			 */
			row->operation = "not run: non-transactional revision";
			stamp_step(t);
			continue;
		}

		edata = SubxactRun(trial_step, t, true, NULL);
		if (edata == NULL)
			row->operation = "upgrade";
		else if (edata->sqlerrcode == ERRCODE_ACTIVE_SQL_TRANSACTION)
		{
			/*
			 * A statement that refuses to run in a transaction block (CREATE
			 * INDEX CONCURRENTLY, VACUUM): the revision cannot be tried, like
			 * a non-transactional one.
			 */
			row->operation = psprintf("not run: %s", edata->message);
			stamp_step(t);
		}
		else
		{
			row->operation = SandboxErrorText(edata);
			stopped = true;
		}
	}
}

/*
 * migrate.trial(target, project)
 */
Datum
migrate_trial(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	ReturnSetInfo *rsinfo;
	Trial		t;

	SandboxRefuseNested("migrate.trial()");
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be NULL"),
				 errhint("Targets are 'head', 'heads', a revision id or prefix, or a relative step such as '+1'.")));

	memset(&t, 0, sizeof(t));
	t.target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	t.project = ProjectArg(fcinfo, 1);

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CallBegin(&call, false);
	SandboxCheckPrivilege("upgrade(text,text)", "migrate.trial()");
	SandboxCheckPrivilege("stamp(text,text,boolean)", "migrate.trial()");
	SandboxRun(trial_run, &t);

	/* rows go to the result only now, outside the rolled-back subtransaction */
	for (int i = 0; i < t.nrows; i++)
	{
		TrialRow   *row = &t.rows[i];
		Datum		values[7];
		bool		nulls[7] = {false, false, false, true, true, true, true};

		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(row->revision);
		values[2] = CStringGetTextDatum(row->operation);
		if (row->measured)
		{
			Interval   *duration = palloc0(sizeof(Interval));

			duration->time = row->usecs;
			values[3] = IntervalPGetDatum(duration);
			values[4] = row->locks;
			values[5] = row->rewrites;
			values[6] = row->locks_on_new;
			nulls[3] = nulls[4] = nulls[5] = nulls[6] = false;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	CallEnd(&call);
	return (Datum) 0;
}
