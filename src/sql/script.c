/*-------------------------------------------------------------------------
 *
 * script.c
 *	  migrate.script(): the SQL that upgrade() -- or, when the target lies
 *	  below the starting point, downgrade() -- would run, with the
 *	  version-row statements, as Alembic's --sql mode prints it.  Run with
 *	  psql, it gives the same schema and version rows as the online command.
 *
 * The script takes the project's migration lock in its transaction, as a
 * run does.  A revision registered with transactional => false cannot run
 * in a transaction block, so the script commits before it, runs its
 * statements on their own (each commits), and opens a new transaction,
 * with the lock again, for its version rows: such a script is run with
 * psql -f, not psql -1 -f, and tells psql to stop at the first error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_script);


/*
 * The revisions a comma- or space-separated list of targets names, each
 * once, in registration order: the starting point of a script may be
 * several heads.
 */
static MgRevList
resolve_list(const CachedGraph *cg, const char *text, const char *project)
{
	int			n = mg_graph_size(cg->graph);
	bool	   *seen = palloc0(sizeof(bool) * (n + 1));
	int			nnames;
	char	  **names = SplitList(text, "from", &nnames);
	MgRevList	out;

	out.items = palloc(sizeof(int) * (n + 1));
	out.n = 0;
	for (int k = 0; k < nnames; k++)
	{
		MgRevList	one;
		MgError		err;

		if (!mg_resolve(cg->graph, names[k], NULL, &one, &err))
			GraphError(&err, project);
		for (int i = 0; i < one.n; i++)
			if (!seen[one.items[i]])
			{
				seen[one.items[i]] = true;
				out.items[out.n++] = one.items[i];
			}
	}
	qsort(out.items, out.n, sizeof(int), CompareInts);
	return out;
}

/*
 * Text made safe to stand in a "--" comment line of a script: a line break
 * would end the comment and turn the rest into statements or psql commands.
 */
static char *
comment_text(const char *s)
{
	char	   *out = pstrdup(s);

	for (char *p = out; *p; p++)
		if ((unsigned char) *p < 0x20 || *p == 0x7f)
			*p = ' ';
	return out;
}

/*
 * Append a body so that psql runs it as written and then moves on: a body
 * whose last line is a comment, or that lacks its final semicolon, gets one
 * on a line of its own.
 */
static void
append_body(StringInfo buf, const char *body)
{
	int			len = strlen(body);

	while (len > 0 && isspace((unsigned char) body[len - 1]))
		len--;
	if (len == 0)
		return;
	appendBinaryStringInfo(buf, body, len);
	if (body[len - 1] == ';')
		appendStringInfoChar(buf, '\n');
	else
		appendStringInfoString(buf, "\n;\n");
}

/*
 * The project's target schema first on the search_path: for the
 * transaction (is_local), or for the session when the statements of a
 * non-transactional revision run outside one.
 */
static void
append_search_path(StringInfo buf, const MigrateProject *project, bool is_local)
{
	appendStringInfo(buf,
					 "SELECT pg_catalog.set_config('search_path', %s || ', ' || pg_catalog.current_setting('search_path'), %s);\n",
					 quote_literal_cstr(quote_identifier(project->target_schema)),
					 is_local ? "true" : "false");
}

/*
 * A transaction of the script begins: the lock a run takes, and the
 * project's target schema, created if need be and, unless the session's
 * search_path already has it, first on the search_path.
 */
static void
append_begin(StringInfo buf, const char *qproject, const MigrateProject *project,
			 bool session_path)
{
	appendStringInfoString(buf, "BEGIN;\n");
	appendStringInfo(buf,
					 "SELECT pg_catalog.pg_advisory_xact_lock(%d, pg_catalog.hashtext(%s));\n",
					 MIGRATE_LOCK_CLASSID, qproject);
	if (project->target_schema != NULL)
	{
		appendStringInfo(buf, "CREATE SCHEMA IF NOT EXISTS %s;\n",
						 quote_identifier(project->target_schema));
		if (!session_path)
			append_search_path(buf, project, true);
	}
}

/*
 * The "-- Running upgrade a1 -> b2, message" line Alembic prints.
 */
static void
append_step_comment(StringInfo buf, const CachedGraph *cg, const MgStep *step)
{
	MgRevList	parents = mg_parents(cg->graph, step->rev);
	bool		up = step->kind == MG_STEP_UPGRADE;
	StringInfoData from_ids;
	StringInfoData to_ids;
	const char *message = cg->messages[step->rev];

	initStringInfo(&from_ids);
	initStringInfo(&to_ids);
	for (int j = 0; j < parents.n; j++)
		appendStringInfo(up ? &from_ids : &to_ids, "%s%s", j > 0 ? ", " : "",
						 mg_rev_id(cg->graph, parents.items[j]));
	appendStringInfoString(up ? &to_ids : &from_ids, mg_rev_id(cg->graph, step->rev));
	appendStringInfo(buf, "-- Running %s %s -> %s%s%s%s\n\n",
					 GraphStepOperation(step->kind), from_ids.data, to_ids.data,
					 message ? ", " : "", message ? comment_text(message) : "",
					 cg->transactional[step->rev] ? "" :
					 " (outside a transaction: each statement commits on its own)");
}

/*
 * A step's body, as registered, checked as a run checks it.
 */
static char *
step_body(const MigrateProject *project, const CachedGraph *cg, const MgStep *step)
{
	char	   *checksum;
	Oid			author;
	char	   *body;
	int			n;

	/*
	 * The checks a run makes: the body is what was registered, by a role
	 * that has the caller's privileges (whoever asks for the script is
	 * about to run it); and it parses as SQL, as a run would have it.  A
	 * body that does not would fail on the server, but psql, which runs
	 * scripts, takes a backslash outside quotes for one of its own commands
	 * (\! runs a shell command on the client's machine).
	 */
	body = BodyFetch(project, cg, step, &checksum, &author);
	if (body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision %s of project \"%s\" cannot be downgraded",
						mg_rev_id(cg->graph, step->rev), cg->project),
				 errdetail("Its downgrade body is NULL, and the downgrade would pass through it.")));
	(void) SplitBody(body, &n);
	return body;
}

/*
 * The version-row statements of a step.
 */
static void
append_row_ops(StringInfo buf, const CachedGraph *cg, const MgStep *step,
			   const char *qproject)
{
	for (int j = 0; j < step->nops; j++)
	{
		const MgRowOp *op = &step->ops[j];

		switch (op->kind)
		{
			case MG_ROW_INSERT:
				appendStringInfo(buf,
								 "INSERT INTO migrate.version (project, revision) VALUES (%s, %s);\n",
								 qproject, quote_literal_cstr(mg_rev_id(cg->graph, op->to)));
				break;
			case MG_ROW_DELETE:
				appendStringInfo(buf,
								 "DELETE FROM migrate.version WHERE project OPERATOR(pg_catalog.=) %s"
								 " AND revision OPERATOR(pg_catalog.=) %s;\n",
								 qproject, quote_literal_cstr(mg_rev_id(cg->graph, op->from)));
				break;
			case MG_ROW_UPDATE:
				appendStringInfo(buf,
								 "UPDATE migrate.version SET revision = %s WHERE project OPERATOR(pg_catalog.=) %s"
								 " AND revision OPERATOR(pg_catalog.=) %s;\n",
								 quote_literal_cstr(mg_rev_id(cg->graph, op->to)), qproject,
								 quote_literal_cstr(mg_rev_id(cg->graph, op->from)));
				break;
		}
	}
}

/*
 * One step: its comment, its body and its version rows.  A
 * non-transactional step ends the transaction under way first, and its
 * version rows open the next one.
 */
static void
append_step(StringInfo buf, const CachedGraph *cg, const MgStep *step,
			const char *qproject, const MigrateProject *project)
{
	bool		transactional = cg->transactional[step->rev];

	if (!transactional)
		appendStringInfoString(buf, "COMMIT;\n\n");
	append_step_comment(buf, cg, step);
	append_body(buf, step_body(project, cg, step));
	if (!transactional)
	{
		appendStringInfoChar(buf, '\n');
		append_begin(buf, qproject, project, true);
	}
	append_row_ops(buf, cg, step, qproject);
	appendStringInfoChar(buf, '\n');
}

/*
 * The script's first lines.  When some of its revisions are non-transactional
 * (their statements run outside a transaction), psql must stop at the first
 * error (a failed statement there is not undone, and the next revision must
 * not run over it), and the target schema goes first on the session's
 * search_path, once, since those statements have no transaction of their own
 * to set it for.
 */
static void
append_header(StringInfo buf, const char *qproject, const char *target,
			  const char *from, const MigrateProject *project,
			  bool nontransactional)
{
	appendStringInfo(buf, "-- migrate script for project %s: %s from %s\n",
					 comment_text(qproject), comment_text(target), comment_text(from));
	if (nontransactional)
	{
		appendStringInfoString(buf,
							   "-- some revisions run outside a transaction: run with psql -f, which stops at the first error\n"
							   "\\set ON_ERROR_STOP on\n");
		if (project->target_schema != NULL)
			append_search_path(buf, project, false);
	}
	append_begin(buf, qproject, project, nontransactional);
}

/*
 * migrate.script(target, from, project)
 */
Datum
migrate_script(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *target;
	char	   *from;
	char	   *name = ProjectArg(fcinfo, 2);
	MigrateProject *project;
	CachedGraph *cg;
	MgRevList	rows;
	MgPlan		plan;
	MgError		err;
	StringInfoData buf;
	const char *qproject;
	bool		nontransactional = false;
	text	   *result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target and from must not be NULL"),
				 errhint("A script from the empty database starts from 'base'.")));
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	from = text_to_cstring(PG_GETARG_TEXT_PP(1));

	CallBegin(&call, true);
	cg = GraphCacheOpen(name, &project, NULL);
	GraphCacheCheckNotEmpty(cg);
	rows = resolve_list(cg, from, name);
	if (!mg_plan_upgrade(cg->graph, target, &rows, &plan, &err))
		GraphError(&err, name);
	if (plan.nsteps == 0 &&
		!mg_plan_downgrade(cg->graph, target, &rows, &plan, &err))
		GraphError(&err, name);

	for (int i = 0; i < plan.nsteps; i++)
		nontransactional |= !cg->transactional[plan.steps[i].rev];

	qproject = quote_literal_cstr(name);
	initStringInfo(&buf);
	append_header(&buf, qproject, target, from, project, nontransactional);
	appendStringInfo(&buf,
					 "INSERT INTO migrate.project (name) VALUES (%s) ON CONFLICT DO NOTHING;\n\n",
					 qproject);
	for (int i = 0; i < plan.nsteps; i++)
		append_step(&buf, cg, &plan.steps[i], qproject, project);
	appendStringInfoString(&buf, "COMMIT;\n");

	result = CallResultText(&call, buf.data);
	CallEnd(&call);
	PG_RETURN_TEXT_P(result);
}
