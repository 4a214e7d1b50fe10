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
 *	1. upgrade R, kept; S1, the schema now, is the next revision's S0.  A
 *	   failure here ends the check: the revisions after R need it.
 *	2. in a subtransaction that is always rolled back: downgrade R, compare
 *	   the schema with S0 and the version rows with those before step 1,
 *	   upgrade R again.
 *
 * Rolling step 2 back, rather than keeping the second upgrade, lets the
 * check go on from a sound state even when R's downgrade is wrong, at the
 * same cost: two schema descriptions per revision.  A revision without a
 * downgrade body is reported and stays upgraded.  One that is
 * non-transactional, or whose body cannot run in a transaction block, is
 * reported as not checked and stamped, as trial() does.
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

typedef struct Check
{
	const char *project;
	CheckRow   *rows;
	int			nrows;
	/* the revision under check */
	CheckRow   *current;
	const char *parent;			/* for the downgrade target; NULL: base */
	SchemaModel *before;		/* schema before its upgrade */
	char	  **rows_before;	/* version rows before its upgrade */
	int			nrows_before;
	Phase		phase;
	/* c->before lives in model_context[cur], the next one in the other */
	MemoryContext model_context[2];
	int			cur;
	MemoryContext step_context;
} Check;

static int
cmp_cstring(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

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

	qsort(ids, *n, sizeof(char *), cmp_cstring);
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

/*
 * For each revision, whether it has no downgrade body, and its first
 * parent (NULL for a root): the downgrade of R alone is downgrade('R@P').
 */
static void
read_revisions(Check *c, char **ids, int n, bool *irreversible,
			   const char **parents)
{
	static SPIPlanPtr plan_irreversible = NULL;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	MigrateProject project;
	CachedGraph *cg;

	BookkeepingPrepare(&plan_irreversible,
					   "SELECT id FROM migrate.revision"
					   " WHERE project OPERATOR(pg_catalog.=) $1 AND downgrade_sql IS NULL",
					   1, argtypes);
	values[0] = CStringGetTextDatum(c->project);
	BookkeepingExec(plan_irreversible, values, NULL, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);

		for (int i = 0; i < n; i++)
			if (strcmp(ids[i], id) == 0)
				irreversible[i] = true;
	}
	SPI_freetuptable(SPI_tuptable);

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

/* the schema now, in the given context */
static SchemaModel *
describe(MemoryContext context)
{
	MemoryContext old = MemoryContextSwitchTo(context);
	SchemaModel *model = schema_model_load_qualified(NULL, 0, false);

	MemoryContextSwitchTo(old);
	return model;
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
 * back.  A schema or version-row problem is recorded in the row; an error
 * is the caller's, with c->phase telling which call raised it.
 */
static void
down_and_up(void *arg)
{
	Check	   *c = (Check *) arg;
	CheckRow   *row = c->current;
	SchemaModel *after;
	SchemaDifference *d;
	int			n;
	char	  **rows;
	int			nrows;

	c->phase = PHASE_DOWNGRADE;
	SandboxDowngrade(c->project, row->revision, c->parent);

	after = describe(c->step_context);
	d = schema_compare(c->before, after, &n);
	rows = sorted_version_rows(c->project, &nrows);
	if (n > 0)
	{
		row->ok = 0;
		row->problem = "schema_not_restored";
		row->detail = schema_differences_text(d, n, DETAIL_LIMIT,
											  "before upgrade", "after downgrade");
	}
	else if (!same_rows(rows, nrows, c->rows_before, c->nrows_before))
	{
		row->ok = 0;
		row->problem = "version_rows_not_restored";
		row->detail = psprintf("Before the upgrade: %s; after the downgrade: %s.",
							   rows_text(c->rows_before, c->nrows_before),
							   rows_text(rows, nrows));
	}

	c->phase = PHASE_UPGRADE_AGAIN;
	SandboxUpgrade(c->project, row->revision);
}

/*
 * One revision, steps 1 and 2.  Returns false when the check must stop.
 */
static bool
check_one(Check *c, bool irreversible, bool nontransactional)
{
	CheckRow   *row = c->current;
	ErrorData  *edata;
	int			next;

	if (nontransactional)
	{
		row->ok = -1;
		row->problem = "not_checked";
		row->detail = "It is a non-transactional revision, which CALL migrate.apply() runs outside any transaction.";
		stamp_step(c);
		return true;
	}

	c->rows_before = sorted_version_rows(c->project, &c->nrows_before);
	edata = SubxactRun(upgrade_step, c, true, NULL);
	if (edata != NULL && edata->sqlerrcode == ERRCODE_ACTIVE_SQL_TRANSACTION)
	{
		row->ok = -1;
		row->problem = "not_checked";
		row->detail = psprintf("Its upgrade cannot run in a transaction: %s.", edata->message);
		stamp_step(c);
		return true;
	}
	if (edata != NULL)
	{
		row->ok = 0;
		row->problem = "upgrade_failed";
		row->detail = SandboxErrorText(edata);
		return false;
	}

	if (irreversible)
	{
		row->ok = 0;
		row->problem = "no_downgrade";
		row->detail = "Its downgrade body is NULL.";
	}
	else
	{
		MemoryContextReset(c->step_context);
		edata = SubxactRun(down_and_up, c, false, NULL);
		if (edata != NULL && row->problem == NULL)
		{
			row->ok = 0;
			row->problem = c->phase == PHASE_DOWNGRADE ?
				"downgrade_failed" : "upgrade_again_failed";
			row->detail = SandboxErrorText(edata);
		}
		else if (edata != NULL)
			row->detail = psprintf("%s\nUpgrading again then %s", row->detail,
								   SandboxErrorText(edata));
		else if (row->problem == NULL)
			row->ok = 1;
	}

	/* the schema after the upgrade is the next revision's "before" */
	next = 1 - c->cur;
	MemoryContextReset(c->model_context[next]);
	c->before = describe(c->model_context[next]);
	c->cur = next;
	return true;
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
	if (c->nrows > 0)
		c->before = describe(c->model_context[c->cur]);
	for (int i = 0; i < c->nrows; i++)
	{
		CheckRow   *row = &c->rows[i];

		row->revision = ids[i];
		c->current = row;
		c->parent = parents[i];
		if (!go_on)
		{
			row->ok = -1;
			row->problem = "not_checked";
			row->detail = "An earlier revision failed to upgrade.";
			continue;
		}
		go_on = check_one(c, irreversible[i], nontransactional[i]);
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

	for (int i = 0; i < 2; i++)
		c.model_context[i] = AllocSetContextCreate(CurrentMemoryContext,
												   "check_reversible schema",
												   ALLOCSET_DEFAULT_SIZES);
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
