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
 * (from the pg_class rows the step wrote: util/catwrites.c), so that the next
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

#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "migrate.h"
#include "util/catwrites.h"
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

/* a version of a pg_class row that a step wrote (util/catwrites.c) */
typedef struct WrittenRel
{
	Oid			oid;
	Oid			nsp;
	char		relkind;
	Oid			filenode;
	NameData	relname;
	bool		live;			/* the step's version of the row, not one it
								 * replaced or deleted */
	bool		adopted;		/* taken as the replacement of a dropped one */
} WrittenRel;

typedef struct Written
{
	WrittenRel *rels;
	int			n;
	int			max;
} Written;

static void
note_written(Relation catalog, HeapTuple tuple, int what, void *arg)
{
	Written    *w = (Written *) arg;
	Form_pg_class c = (Form_pg_class) GETSTRUCT(tuple);
	WrittenRel *rel;

	if (w->n == w->max)
	{
		w->max = Max(16, w->max * 2);
		w->rels = w->rels ? repalloc(w->rels, sizeof(WrittenRel) * w->max) :
			palloc(sizeof(WrittenRel) * w->max);
	}
	rel = &w->rels[w->n++];
	rel->oid = c->oid;
	rel->nsp = c->relnamespace;
	rel->relkind = c->relkind;
	rel->filenode = c->relfilenode;
	rel->relname = c->relname;
	rel->live = (what & CATWRITE_INSERTED) && !(what & CATWRITE_DELETED);
	rel->adopted = false;
}

/* whether relations of the schema are followed (see the top of the file) */
static bool
followed_schema(Oid nsp)
{
	char	   *name;

	if (nsp == PG_CATALOG_NAMESPACE || IsToastNamespace(nsp))
		return false;
	name = get_namespace_name(nsp);
	return name != NULL && strcmp(name, "information_schema") != 0 &&
		strcmp(name, "migrate") != 0;
}

static void
add_rel(Trial *t, Oid oid, char relkind, Oid filenode, int step,
		const char *nspname, const char *relname)
{
	ExistingRel *rel;

	if (t->nrels == t->maxrels)
	{
		t->maxrels = Max(64, t->maxrels * 2);
		t->rels = t->rels ? repalloc(t->rels, sizeof(ExistingRel) * t->maxrels) :
			palloc(sizeof(ExistingRel) * t->maxrels);
	}
	rel = &t->rels[t->nrels++];
	rel->oid = oid;
	rel->relkind = relkind;
	rel->created_by = step;
	rel->filenode = filenode;
	rel->nspname = pstrdup(nspname);
	rel->relname = pstrdup(relname);
	rel->name = quote_qualified_identifier(rel->nspname, rel->relname);
}

/*
 * The relations that exist before the first step, outside the system
 * schemas and migrate's own, with their relfilenodes.
 */
static void
read_relations(Trial *t)
{
	int			rc;

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
		bool		isnull;

		add_rel(t, DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull)),
				DatumGetChar(SPI_getbinval(tuple, desc, 2, &isnull)),
				DatumGetObjectId(SPI_getbinval(tuple, desc, 3, &isnull)), 0,
				SPI_getvalue(tuple, desc, 4), SPI_getvalue(tuple, desc, 5));
	}
	SPI_freetuptable(SPI_tuptable);
	qsort(t->rels, t->nrels, sizeof(ExistingRel), cmp_existing);
}

/*
 * What the step did to relations, read from the pg_class rows it wrote
 * (since the mark): the tables, materialized views and indexes that
 * existed before the trial and that it rewrote (a new relfilenode), or
 * dropped and made again under the same name (ALTER COLUMN ... TYPE
 * rebuilds the indexes on the column that way: such a relation takes the
 * place of the one it replaces, under its new oid), by name; then the
 * relations it created join t->rels, for the steps after it.  Those
 * earlier steps created are not followed.
 */
static int
cmp_written(const void *a, const void *b)
{
	Oid			x = ((const WrittenRel *) a)->oid;
	Oid			y = ((const WrittenRel *) b)->oid;

	return x < y ? -1 : x > y ? 1 : 0;
}

static Datum
step_changes(Trial *t, int step, const CatalogMark *mark)
{
	Written		w;
	char	  **names;
	Datum	   *elems;
	int			n = 0;
	int			known;
	bool		moved = false;

	memset(&w, 0, sizeof(w));
	CatalogWrites(RelationRelationId, mark, note_written, &w);
	names = palloc(sizeof(char *) * (w.n + 1));
	/* the versions of one relation next to each other */
	qsort(w.rels, w.n, sizeof(WrittenRel), cmp_written);

	for (int j = 0; j < w.n; j++)
	{
		ExistingRel *rel;
		WrittenRel *now = NULL;

		if (j > 0 && w.rels[j - 1].oid == w.rels[j].oid)
			continue;
		rel = find_existing(t, w.rels[j].oid);
		if (rel == NULL || rel->created_by != 0 || rel->filenode == InvalidOid ||
			(rel->relkind != RELKIND_RELATION && rel->relkind != RELKIND_MATVIEW &&
			 rel->relkind != RELKIND_INDEX))
			continue;
		for (int k = j; k < w.n && w.rels[k].oid == rel->oid; k++)
			if (w.rels[k].live)
				now = &w.rels[k];
		if (now != NULL)
		{
			if (now->filenode != rel->filenode)
			{
				rel->filenode = now->filenode;
				names[n++] = rel->name;
			}
			continue;
		}
		/* dropped: made again under the same name? */
		rel->filenode = InvalidOid;
		for (int k = 0; k < w.n; k++)
		{
			WrittenRel *other = &w.rels[k];

			if (other->live && !other->adopted &&
				strcmp(NameStr(other->relname), rel->relname) == 0 &&
				strcmp(get_namespace_name(other->nsp), rel->nspname) == 0)
			{
				other->adopted = true;
				rel->oid = other->oid;
				rel->filenode = other->filenode;
				names[n++] = rel->name;
				moved = true;
				break;
			}
		}
	}
	if (moved)
		qsort(t->rels, t->nrels, sizeof(ExistingRel), cmp_existing);

	/* the relations the step created */
	known = t->nrels;
	for (int j = 0; j < w.n; j++)
	{
		WrittenRel *rel = &w.rels[j];
		ExistingRel key;

		key.oid = rel->oid;
		if (!rel->live || rel->adopted ||
			bsearch(&key, t->rels, known, sizeof(ExistingRel), cmp_existing) != NULL ||
			!followed_schema(rel->nsp))
			continue;
		add_rel(t, rel->oid, rel->relkind, rel->filenode, step,
				get_namespace_name(rel->nsp), NameStr(rel->relname));
	}
	if (t->nrels > known)
		qsort(t->rels, t->nrels, sizeof(ExistingRel), cmp_existing);

	qsort(names, n, sizeof(char *), pg_qsort_strcmp);
	elems = palloc(sizeof(Datum) * (n + 1));
	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(names[i]);
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
	CatalogMark mark;
	long		secs;
	int			usecs;

	CatalogMarkNow(&mark);
	SandboxUpgrade(t->project, row->revision);
	TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
	row->usecs = (int64) secs * USECS_PER_SEC + usecs;
	step_locks(t, owner, &row->locks, &row->locks_on_new);
	row->rewrites = step_changes(t, (int) (row - t->rows) + 1, &mark);
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
	read_relations(t);

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
