/*-------------------------------------------------------------------------
 *
 * lint.c
 *	  migrate.lint(project, target): the hazards of the revisions that
 *	  upgrade(target) would run, judged against the live database, one row
 *	  per finding.
 *
 * A lint is a trial (trial.c) with eyes on each statement: the pending
 * steps run, each in its own subtransaction of a run that is rolled back
 * at the end (sandbox.c), through migrate.upgrade() as the caller, so that
 * every statement runs exactly as a deploy would run it; the rules
 * (lint_rules.c) see each utility statement before and after it runs
 * (statement_hook.c).  trial() itself measures whole steps; the rules need
 * the statement that took a lock or rewrote a table, so lint runs its own
 * trial on the same ground instead of calling trial().
 *
 * A revision registered with transactional => false, or one whose
 * statement refuses to run in a transaction block (CREATE INDEX
 * CONCURRENTLY in a transactional revision), cannot be tried: its text is
 * parsed and each statement judged by what it says, with the project's
 * target schema first on the search_path as its body would have it; the
 * version rows move over it and the lint goes on.  A step that fails is a
 * finding of its own (fails), and the steps after it are not judged.
 *
 * While lint runs, nothing is kept (kept.c): the trial is rolled back, and
 * drops-data says what a deploy would keep.  With no project, every
 * project that has revisions is linted, one after the other, each against
 * the database as it is.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "migrate.h"
#include "util/subxact.h"

PG_FUNCTION_INFO_V1(migrate_lint);

typedef struct LintRun
{
	const char *project;
	const char *target;
	LintState  *ls;
	const char *revision;		/* the step under way */
	List	   *findings;		/* LintFinding, once the run is over */
} LintRun;

/*
 * Judge a body that is not run by its text, statement by statement, with
 * the project's target schema first on the search_path.
 */
static void
lint_text(LintState *ls, const MigrateProject *project, const char *body)
{
	int			nestlevel = NewGUCNestLevel();
	BodyStatement *stmts;
	int			n;

	if (project->target_schema != NULL)
		(void) set_config_option("search_path",
								 psprintf("%s, %s", quote_identifier(project->target_schema),
										  namespace_search_path),
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	stmts = SplitBody(body != NULL ? body : "", &n);
	for (int i = 0; i < n; i++)
	{
		List	   *parsed = raw_parser(stmts[i].text, RAW_PARSE_DEFAULT);
		ListCell   *lc;

		foreach(lc, parsed)
			LintStatement(ls, lfirst_node(RawStmt, lc)->stmt, stmts[i].text);
	}
	AtEOXact_GUC(true, nestlevel);
}

/* a body judged by its text, for the subtransaction */
typedef struct LintText
{
	LintState  *ls;
	const MigrateProject *project;
	const char *body;
} LintText;

static void
lint_text_work(void *arg)
{
	LintText   *lt = (LintText *) arg;

	lint_text(lt->ls, lt->project, lt->body);
}

/* one step, tried, with the rules watching its statements */
static void
lint_step(void *arg)
{
	LintRun    *run = (LintRun *) arg;
	StatementWatch *watch = LintWatch(run->ls);

	StatementWatchPush(watch);
	PG_TRY();
	{
		SandboxUpgrade(run->project, run->revision);
	}
	PG_FINALLY();
	{
		StatementWatchPop(watch);
	}
	PG_END_TRY();
}

/*
 * The whole lint of a project, inside the subtransaction SandboxRun rolls
 * back.
 */
static void
lint_run(void *arg)
{
	LintRun    *run = (LintRun *) arg;
	MigrateProject *project;
	RevisionFlags *revs;
	char	  **ids;
	int			n;

	/* what is planned is what runs: nobody else migrates meanwhile */
	ProjectLock(run->project);
	ids = SandboxPending(run->target, run->project, &n);
	revs = RevisionFlagsRead(run->project, ids, n);
	project = ProjectOpen(run->project, false);
	run->ls = LintBegin(run->project, project->keep_dropped_data);

	for (int i = 0; i < n; i++)
	{
		RevisionFlags *rev = &revs[i];
		RevisionRow body;
		int			before = list_length(LintFindings(run->ls));
		ErrorData  *edata = NULL;

		run->revision = ids[i];
		LintStep(run->ls, ids[i], rev->transactional);
		if (!rev->has_downgrade)
			LintAdd(run->ls, "no-downgrade", NULL,
					"The revision has no downgrade body: downgrade() refuses to go below it, and what it drops can never be put back by its downgrade.",
					"Register the revision with a downgrade body that undoes its upgrade; migrate.check_reversible() tries it.");
		if (rev->transactional)
		{
			edata = SubxactRun(lint_step, run, true, NULL);
			if (edata == NULL)
				continue;
			if (edata->sqlerrcode != ERRCODE_ACTIVE_SQL_TRANSACTION)
			{
				LintAdd(run->ls, "fails", NULL,
						psprintf("The revision fails against this database (SQLSTATE %s): %s",
								 unpack_sql_state(edata->sqlerrcode), edata->message),
						"Fix the revision: upgrade() would fail the same way. The revisions after it were not judged.");
				break;
			}
			/* a statement refused the transaction: judged by its text */
			LintForget(run->ls, before + (rev->has_downgrade ? 0 : 1));
			LintAdd(run->ls, "fails", NULL,
					psprintf("The revision runs in a transaction, where one of its statements cannot: %s.",
							 edata->message),
					"Register the revision with transactional => false and run it with CALL migrate.apply(), or use the statement's transactional form.");
			LintStep(run->ls, ids[i], false);
		}
		if (!RevisionRead(run->project, ids[i], &body))
			RevisionVanished(run->project, ids[i]);
		/* a body that does not parse fails here, as upgrade() would */
		{
			LintText	lt = {run->ls, project, body.upgrade_sql};

			edata = SubxactRun(lint_text_work, &lt, true, NULL);
		}
		if (edata != NULL)
		{
			LintAdd(run->ls, "fails", NULL,
					psprintf("The revision cannot be read (SQLSTATE %s): %s",
							 unpack_sql_state(edata->sqlerrcode), edata->message),
					"Fix the revision: upgrade() would fail the same way. The revisions after it were not judged.");
			break;
		}
		SandboxStamp(run->project, ids[i]);
	}
	run->findings = LintFindings(run->ls);
}

/* the projects to lint: the one named, or every project with revisions */
static pg_noinline char **
projects_to_lint(FunctionCallInfo fcinfo, int *n)
{
	char	  **names;

	if (!PG_ARGISNULL(0))
	{
		names = palloc(sizeof(char *));
		names[0] = ProjectArg(fcinfo, 0);
		*n = 1;
		return names;
	}
	return RevisionProjects(n);
}

static void
put_findings(ReturnSetInfo *rsinfo, const char *project, List *findings)
{
	ListCell   *lc;

	foreach(lc, findings)
	{
		LintFinding *f = lfirst(lc);
		Datum		values[6];
		bool		nulls[6] = {false, f->revision == NULL, false, f->statement == NULL, false, false};

		values[0] = CStringGetTextDatum(project);
		values[1] = f->revision ? CStringGetTextDatum(f->revision) : (Datum) 0;
		values[2] = CStringGetTextDatum(f->rule);
		values[3] = f->statement ? CStringGetTextDatum(f->statement) : (Datum) 0;
		values[4] = CStringGetTextDatum(f->detail);
		values[5] = CStringGetTextDatum(f->hint);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

static void
lint_project(void *arg)
{
	SandboxRun(lint_run, arg);
}

/*
 * Lint each project.  Linting every project, one that cannot be planned (a
 * broken graph, an unknown target) is a finding of its own; a project that
 * was named fails the call.
 */
static void
lint_projects(ReturnSetInfo *rsinfo, const char *const *projects, int n,
			  const char *target, bool named)
{
	for (int i = 0; i < n; i++)
	{
		LintRun		run;
		ErrorData  *edata;

		memset(&run, 0, sizeof(run));
		run.project = projects[i];
		run.target = target;
		if (named)
			lint_project(&run);
		else if ((edata = SubxactRun(lint_project, &run, false, NULL)) != NULL)
		{
			LintFinding *f = palloc0(sizeof(LintFinding));

			f->rule = "fails";
			f->detail = psprintf("The project cannot be planned (SQLSTATE %s): %s",
								 unpack_sql_state(edata->sqlerrcode), edata->message);
			f->hint = "Run migrate.verify() to list the problems of the project.";
			run.findings = list_make1(f);
		}
		put_findings(rsinfo, run.project, run.findings);
	}
}

/*
 * migrate.lint(project, target)
 */
Datum
migrate_lint(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	ReturnSetInfo *rsinfo;
	char	  **projects;
	int			nprojects;
	const char *target;
	bool		was_suspended;

	SandboxRefuseNested("migrate.lint()");
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be NULL"),
				 errhint("Targets are 'head', 'heads', a revision id or prefix, or a relative step such as '+1'.")));
	target = text_to_cstring(PG_GETARG_TEXT_PP(1));

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CallBegin(&call, false);
	SandboxCheckPrivilege("upgrade(text,text)", "migrate.lint()");
	SandboxCheckPrivilege("stamp(text,text,boolean)", "migrate.lint()");
	projects = projects_to_lint(fcinfo, &nprojects);

	/* the trial is rolled back: a deploy would keep what lint drops */
	was_suspended = KeptSuspend(true);
	PG_TRY();
	{
		lint_projects(rsinfo, (const char *const *) projects, nprojects, target,
					  !PG_ARGISNULL(0));
	}
	PG_FINALLY();
	{
		KeptSuspend(was_suspended);
	}
	PG_END_TRY();
	CallEnd(&call);
	return (Datum) 0;
}
