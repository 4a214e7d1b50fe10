/*-------------------------------------------------------------------------
 *
 * reversible.c
 *	  migrate.check_reversible(): the stairway test.  From the project's
 *	  current state, for each pending revision in upgrade order: upgrade
 *	  it, downgrade it, check that the schema and the version rows are as
 *	  before the upgrade, upgrade it again; then roll everything back.
 *
 * The steps run through migrate's SQL functions in subtransactions
 * (sandbox.c); schemas are described and compared by the schema model
 * (schema/schema.h), the same reader migrate.fingerprint() uses.  For
 * revision R, with S0 the schema before its upgrade:
 *
 *	1. upgrade R, kept.  A failure here ends the check: the revisions after
 *	   R need it.
 *	2. in a subtransaction that is always rolled back: downgrade R, compare
 *	   the schema with S0 and the version rows with those before step 1,
 *	   upgrade R again.
 *
 * Rolling step 2 back, rather than keeping the second upgrade, lets the
 * check go on from a sound state even when R's downgrade is wrong.  A
 * revision without a downgrade body is reported and stays upgraded.  One
 * that is non-transactional, or whose body cannot run in a transaction
 * block, is reported as not checked and stamped, as trial() does.
 *
 * Only what the revision touched is described: the objects whose catalog
 * rows the upgrade and the downgrade wrote, and those that depend on them
 * (the scope, schema/scope.c).  Everything else reads the same before and
 * after by construction, so the cost of a revision follows what it changes,
 * not the size of the database.  The scope of step 2 is only known once
 * the downgrade has run, when S0 is gone; of S0 it needs:
 *
 *	- nothing for objects made by the upgrade or the downgrade: their object
 *	  ids are newer than the revision's start, and S0 had none of them;
 *	- for the other objects, those the upgrade did not touch read in S0 as
 *	  they read now, after step 2 is rolled back;
 *	- the objects that existed before and that the upgrade touched (an
 *	  ALTER TABLE of an older table) must be read before it runs.  Those
 *	  are known once it ran: then the upgrade is rolled back, they are read,
 *	  and the revision starts again, which costs it one more upgrade.
 *
 * When the scope cannot be told (a body wrote pg_namespace, default
 * privileges, roles, operators, collations, text search objects, foreign
 * tables or extensions: see schema/scope.c), the schemas are described
 * whole, before and after, which is what every revision used to cost.
 *
 * Schemas are those of migrate.fingerprint(NULL): every schema but the
 * system ones and those of extensions.  NOTICEs (the "Running upgrade"
 * lines, three per revision) are held back while the check runs; warnings
 * are not.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "migrate.h"
#include "util/catwrites.h"
#include "util/subxact.h"
#include "schema/schema.h"

PG_FUNCTION_INFO_V1(migrate_check_reversible);

/* most differing objects named in a detail */
#define DETAIL_LIMIT 20

typedef struct CheckRow
{
	char	   *revision;
	int			ok;				/* 1, 0, or -1 for NULL (not checked) */
	const char *problem;
	char	   *detail;
} CheckRow;

typedef enum Phase
{
	PHASE_DOWNGRADE,
	PHASE_UPGRADE_AGAIN
} Phase;

/* most times a revision starts again to read what its upgrade touched */
#define MAX_ATTEMPTS 3

typedef struct Check
{
	const char *project;
	CheckRow   *rows;
	int			nrows;
	MemoryContext result_context;	/* where the rows' texts go */
	MemoryContext step_context; /* reset for each revision */
	/* the revision under check */
	CheckRow   *current;
	const char *parent;			/* for the downgrade target; NULL: base */
	bool		irreversible;
	char	  **rows_before;	/* version rows before its upgrade */
	int			nrows_before;
	/* what is known of S0: rows, and the homes they are the rows of */
	SchemaRow  *before;
	int			nbefore;
	int			maxbefore;
	SchemaHome *known;
	int			nknown;
	int			maxknown;
	bool		known_all;		/* every schema was read */
	/* what the next attempt needs read of S0 first */
	SchemaHome *need;
	int			nneed;
	int			maxneed;
	bool		need_all;
	/* the attempt under way */
	CatalogMark mark;			/* its start */
	SchemaScope *up_scope;		/* what its upgrade touched */
	SchemaScope *scope;			/* what its upgrade and downgrade touched */
	SchemaRow  *after;			/* the rows of scope after the downgrade */
	int			nafter;
	char	  **rows_after;		/* version rows after the downgrade */
	int			nrows_after;
	Phase		phase;
	bool		decided;		/* the attempt ran to its end */
	bool		go_on;			/* the check goes on after this revision */
} Check;

/* the project's version rows, sorted, as "{a1, b2}" */
static char *
rows_text(char **ids, int n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", ids[i]);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

static char **
sorted_version_rows(const char *project, int *n)
{
	char	  **ids = VersionIds(project, n);

	qsort(ids, *n, sizeof(char *), pg_qsort_strcmp);
	return ids;
}

static bool
same_rows(char **a, int na, char **b, int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

/* a row's result: ok, or a problem and its detail, kept past the revision */
static void
set_result(Check *c, int ok, const char *problem, const char *detail)
{
	CheckRow   *row = c->current;

	row->ok = ok;
	row->problem = problem;
	row->detail = detail ? MemoryContextStrdup(c->result_context, detail) : NULL;
}

/*
 * For each revision, whether it has no downgrade body, and its first
 * parent (NULL for a root): the downgrade of R alone is downgrade('R@P').
 */
static void
read_revisions(Check *c, char **ids, int n, bool *irreversible,
			   const char **parents)
{
	RevisionFlags *flags = RevisionFlagsRead(c->project, ids, n);
	MigrateProject project;
	CachedGraph *cg;

	for (int i = 0; i < n; i++)
		irreversible[i] = flags[i].registered && !flags[i].has_downgrade;

	if (!ProjectRead(c->project, false, &project))
		elog(ERROR, "project \"%s\" vanished", c->project);
	cg = GraphCacheGet(&project);
	for (int i = 0; i < n; i++)
	{
		int			rev = mg_lookup(cg->graph, ids[i]);
		MgRevList	up;

		if (rev < 0)
			elog(ERROR, "revision %s is not in the graph of project \"%s\"",
				 ids[i], c->project);
		up = mg_parents(cg->graph, rev);
		parents[i] = up.n > 0 ? pstrdup(mg_rev_id(cg->graph, up.items[0])) : NULL;
	}
}

static void
add_home(SchemaHome **homes, int *n, int *max, const SchemaHome *home)
{
	if (*n == *max)
	{
		*max = Max(16, *max * 2);
		*homes = *homes ? repalloc(*homes, sizeof(SchemaHome) * *max) :
			palloc(sizeof(SchemaHome) * *max);
	}
	(*homes)[(*n)++] = *home;
}

static bool
is_known(const Check *c, const SchemaHome *home)
{
	if (c->known_all)
		return true;
	for (int i = 0; i < c->nknown; i++)
		if (c->known[i].classid == home->classid && c->known[i].objid == home->objid)
			return true;
	return false;
}

/*
 * The homes of the scope that existed before the attempt began and whose
 * rows of S0 are not known yet, into *homes; whether the scope is
 * "everything" while not all of S0 is known.
 */
static bool
unknown_homes(const Check *c, const SchemaScope *scope, SchemaHome **homes,
			  int *n, int *max)
{
	if (scope->everything)
		return !c->known_all;
	for (int i = 0; i < scope->nhomes; i++)
		if (!CatalogMarkCreated(&c->mark, scope->homes[i].objid) &&
			!is_known(c, &scope->homes[i]))
			add_home(homes, n, max, &scope->homes[i]);
	return false;
}

/*
 * Read the rows of S0 the homes have, the schema being as it was before
 * the upgrade (or, for homes it did not touch, as it is now); all of them
 * if all is set.
 */
static void
read_before(Check *c, SchemaHome *homes, int n, bool all)
{
	SchemaScope everything = {true, 0, NULL};
	SchemaModel *model;
	SchemaRow  *rows;
	int			nrows;

	if (!all && n == 0)
		return;
	model = schema_model_load_scope(all ? &everything : schema_scope_make(homes, n),
									false);
	rows = schema_model_rows(model, &nrows);
	if (all)
	{
		/* rows read before would be there twice */
		c->nbefore = 0;
		c->known_all = true;
	}
	else
		for (int i = 0; i < n; i++)
			add_home(&c->known, &c->nknown, &c->maxknown, &homes[i]);
	if (c->nbefore + nrows > c->maxbefore)
	{
		c->maxbefore = Max(c->nbefore + nrows, c->maxbefore * 2);
		c->before = c->before ? repalloc(c->before, sizeof(SchemaRow) * c->maxbefore) :
			palloc(sizeof(SchemaRow) * c->maxbefore);
	}
	memcpy(c->before + c->nbefore, rows, sizeof(SchemaRow) * nrows);
	c->nbefore += nrows;
}

static void
upgrade_step(void *arg)
{
	Check	   *c = (Check *) arg;

	SandboxUpgrade(c->project, c->current->revision);
}

static void
stamp_step(void *arg)
{
	Check	   *c = (Check *) arg;

	SandboxStamp(c->project, c->current->revision);
}

/*
 * Step 2 (see the top of the file), in a subtransaction the caller rolls
 * back: what the downgrade left is read here, and compared by the caller.
 * An error is the caller's, with c->phase telling which call raised it.
 */
static void
down_and_up(void *arg)
{
	Check	   *c = (Check *) arg;
	CheckRow   *row = c->current;
	SchemaModel *after;

	c->phase = PHASE_DOWNGRADE;
	SandboxDowngrade(c->project, row->revision, c->parent);

	c->scope = schema_scope_touched(&c->mark);
	after = schema_model_load_scope(c->scope, false);
	c->after = schema_model_rows(after, &c->nafter);
	c->rows_after = sorted_version_rows(c->project, &c->nrows_after);

	c->phase = PHASE_UPGRADE_AGAIN;
	SandboxUpgrade(c->project, row->revision);
}

/*
 * Compare the rows of c->scope before the upgrade and after the downgrade.
 * Returns false when S0 lacks rows that only a new attempt can read (see
 * the top of the file); c->need then says which.
 */
static bool
compare_scope(Check *c)
{
	SchemaHome *missing = NULL;
	int			nmissing = 0;
	int			maxmissing = 0;
	bool		missing_all;
	SchemaRow  *left;
	int			nleft = 0;
	SchemaDifference *d;
	int			n;

	missing_all = unknown_homes(c, c->scope, &missing, &nmissing, &maxmissing);
	if (missing_all)
	{
		c->need_all = true;
		return false;
	}
	for (int i = 0; i < nmissing; i++)
		if (schema_scope_has(c->up_scope, &missing[i]))
		{
			for (int j = 0; j < nmissing; j++)
				add_home(&c->need, &c->nneed, &c->maxneed, &missing[j]);
			return false;
		}
	/* untouched by the upgrade: as they were before it */
	read_before(c, missing, nmissing, false);

	left = palloc(sizeof(SchemaRow) * Max(c->nbefore, 1));
	for (int i = 0; i < c->nbefore; i++)
		if (schema_scope_has(c->scope, &c->before[i].object->home))
			left[nleft++] = c->before[i];
	schema_rows_sort(left, nleft);
	d = schema_compare_rows(left, nleft, c->after, c->nafter, &n);
	if (n > 0)
		set_result(c, 0, "schema_not_restored",
				   schema_differences_text(d, n, DETAIL_LIMIT,
										   "before upgrade", "after downgrade"));
	else if (!same_rows(c->rows_after, c->nrows_after, c->rows_before, c->nrows_before))
		set_result(c, 0, "version_rows_not_restored",
				   psprintf("Before the upgrade: %s; after the downgrade: %s.",
							rows_text(c->rows_before, c->nrows_before),
							rows_text(c->rows_after, c->nrows_after)));
	return true;
}

/*
 * One attempt at a revision, steps 1 and 2, in a subtransaction that is
 * kept (returns true) once the revision is settled, and rolled back when
 * S0 must be read before the revision starts again (c->need).
 */
static bool
attempt(void *arg)
{
	Check	   *c = (Check *) arg;
	CheckRow   *row = c->current;
	ErrorData  *edata;

	set_result(c, -1, NULL, NULL);
	c->decided = true;
	c->go_on = true;
	CatalogMarkNow(&c->mark);
	edata = SubxactRun(upgrade_step, c, true, NULL);
	if (edata != NULL && edata->sqlerrcode == ERRCODE_ACTIVE_SQL_TRANSACTION)
	{
		set_result(c, -1, "not_checked",
				   psprintf("Its upgrade cannot run in a transaction: %s.", edata->message));
		stamp_step(c);
		return true;
	}
	if (edata != NULL)
	{
		set_result(c, 0, "upgrade_failed", SandboxErrorText(edata));
		c->go_on = false;
		return true;
	}
	if (c->irreversible)
	{
		set_result(c, 0, "no_downgrade", "Its downgrade body is NULL.");
		return true;
	}

	/* what existed before and the upgrade touched must be read before it */
	c->up_scope = schema_scope_touched(&c->mark);
	c->need_all = unknown_homes(c, c->up_scope, &c->need, &c->nneed, &c->maxneed);
	if (c->need_all || c->nneed > 0)
	{
		c->decided = false;
		return false;
	}

	c->scope = NULL;
	edata = SubxactRun(down_and_up, c, false, NULL);
	if (edata != NULL && c->phase == PHASE_DOWNGRADE)
	{
		set_result(c, 0, "downgrade_failed", SandboxErrorText(edata));
		return true;
	}
	if (!compare_scope(c))
	{
		c->decided = false;
		return false;
	}
	if (edata != NULL && row->problem == NULL)
		set_result(c, 0, "upgrade_again_failed", SandboxErrorText(edata));
	else if (edata != NULL)
		set_result(c, 0, row->problem,
				   psprintf("%s\nUpgrading again then %s", row->detail,
							SandboxErrorText(edata)));
	else if (row->problem == NULL)
		set_result(c, 1, NULL, NULL);
	return true;
}

/*
 * One revision.  Returns false when the check must stop.
 */
static bool
check_one(Check *c, bool nontransactional)
{
	MemoryContext old;
	ErrorData  *edata;
	bool		go_on;

	if (nontransactional)
	{
		set_result(c, -1, "not_checked",
				   "It is a non-transactional revision, which CALL migrate.apply() runs outside any transaction.");
		stamp_step(c);
		return true;
	}

	MemoryContextReset(c->step_context);
	old = MemoryContextSwitchTo(c->step_context);
	c->before = NULL;
	c->nbefore = c->maxbefore = 0;
	c->known = NULL;
	c->nknown = c->maxknown = 0;
	c->known_all = false;
	c->rows_before = sorted_version_rows(c->project, &c->nrows_before);
	for (int i = 0;; i++)
	{
		c->need = NULL;
		c->nneed = c->maxneed = 0;
		c->need_all = false;
		edata = SubxactRunDecide(attempt, c, NULL, NULL);
		if (edata != NULL)
			ReThrowError(edata);
		if (c->decided)
			break;
		if (i + 1 == MAX_ATTEMPTS)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision %s touched other objects each time it was upgraded",
							c->current->revision),
					 errdetail("check_reversible() reads what an upgrade touched before it runs, and ran it %d times.",
							   MAX_ATTEMPTS)));
		/* the upgrade is undone: read what the next attempt needs */
		read_before(c, c->need, c->nneed, c->need_all);
	}
	go_on = c->go_on;
	MemoryContextSwitchTo(old);
	return go_on;
}

/*
 * The whole check, inside the subtransaction SandboxRun rolls back.
 */
static void
check_run(void *arg)
{
	Check	   *c = (Check *) arg;
	char	  **ids;
	bool	   *irreversible;
	bool	   *nontransactional;
	const char **parents;
	bool		go_on = true;

	ProjectLock(c->project);
	ids = SandboxPending("heads", c->project, &c->nrows);
	irreversible = palloc0(sizeof(bool) * (c->nrows + 1));
	parents = palloc0(sizeof(char *) * (c->nrows + 1));
	read_revisions(c, ids, c->nrows, irreversible, parents);
	nontransactional = SandboxNontransactional(c->project, ids, c->nrows);

	c->rows = palloc0(sizeof(CheckRow) * (c->nrows + 1));
	for (int i = 0; i < c->nrows; i++)
	{
		CheckRow   *row = &c->rows[i];

		row->revision = ids[i];
		c->current = row;
		c->parent = parents[i];
		c->irreversible = irreversible[i];
		if (!go_on)
		{
			set_result(c, -1, "not_checked", "An earlier revision failed to upgrade.");
			continue;
		}
		go_on = check_one(c, nontransactional[i]);
	}
}

/*
 * migrate.check_reversible(project)
 */
Datum
migrate_check_reversible(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	ReturnSetInfo *rsinfo;
	Check		c;
	int			nestlevel;

	SandboxRefuseNested("migrate.check_reversible()");
	memset(&c, 0, sizeof(c));
	c.project = ProjectArg(fcinfo, 0);

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CallBegin(&call, false);
	SandboxCheckPrivilege("upgrade(text,text)", "migrate.check_reversible()");
	SandboxCheckPrivilege("downgrade(text,text)", "migrate.check_reversible()");
	SandboxCheckPrivilege("stamp(text,text,boolean)", "migrate.check_reversible()");

	c.result_context = CurrentMemoryContext;
	c.step_context = AllocSetContextCreate(CurrentMemoryContext, "check_reversible step",
										   ALLOCSET_DEFAULT_SIZES);

	nestlevel = NewGUCNestLevel();
	if (client_min_messages < WARNING)
		(void) set_config_option("client_min_messages", "warning", PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	SandboxRun(check_run, &c);
	AtEOXact_GUC(true, nestlevel);

	for (int i = 0; i < c.nrows; i++)
	{
		CheckRow   *row = &c.rows[i];
		Datum		values[4];
		bool		nulls[4] = {false, row->ok < 0, row->problem == NULL,
		row->detail == NULL};

		values[0] = CStringGetTextDatum(row->revision);
		values[1] = BoolGetDatum(row->ok > 0);
		if (row->problem)
			values[2] = CStringGetTextDatum(row->problem);
		if (row->detail)
			values[3] = CStringGetTextDatum(row->detail);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	CallEnd(&call);
	return (Datum) 0;
}
