/*-------------------------------------------------------------------------
 *
 * show.c
 *	  The read-only views of a project's graph: heads, bases, branches,
 *	  history, show, pending and script.
 *
 * None of these takes the migration lock or writes anything; they read the
 * catalog with the calling statement's snapshot (the functions are STABLE).
 * Listings come in registration order, which is the order Alembic uses when
 * it loads revisions, so `heads` and `history` list what Alembic lists.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_heads);
PG_FUNCTION_INFO_V1(migrate_bases);
PG_FUNCTION_INFO_V1(migrate_branches);
PG_FUNCTION_INFO_V1(migrate_history);
PG_FUNCTION_INFO_V1(migrate_show);
PG_FUNCTION_INFO_V1(migrate_pending);
PG_FUNCTION_INFO_V1(migrate_script);

static SPIPlanPtr plan_show = NULL;
static SPIPlanPtr plan_bodies = NULL;

/*
 * A revision the graph names is not in the table: it was removed in a way
 * that did not give the project a new graph_gen (triggers disabled).
 */
static void
revision_vanished(const char *project, const char *id)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("revision %s of project \"%s\" is no longer registered", id, project),
			 errdetail("The revisions were changed while the triggers of migrate.revision were disabled."),
			 errhint("Run migrate.verify() to list the problems of the project.")));
}

/*
 * Open a project for reading: its row (in *project, when asked for), its
 * graph and its version rows (when asked for).  A project that does not
 * exist is an error; one without revisions has an empty graph.
 */
static CachedGraph *
open_for_read(const char *name, MigrateProject **project, MgRevList *rows)
{
	MigrateProject *p = ProjectOpen(name, false);
	CachedGraph *cg = GraphCacheGet(p);

	if (project)
		*project = p;
	if (rows)
		*rows = VersionRows(cg);
	return cg;
}

static MgRevList
single(int rev)
{
	MgRevList	list;

	list.items = palloc(sizeof(int));
	list.items[0] = rev;
	list.n = 1;
	return list;
}

static Datum
labels_array(const CachedGraph *cg, int rev)
{
	int			n;
	const char *const *labels = mg_labels(cg->graph, rev, true, &n);
	Datum	   *elems = palloc(sizeof(Datum) * (n + 1));

	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(labels[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

static Datum
message_datum(const CachedGraph *cg, int rev, bool *isnull)
{
	*isnull = cg->messages[rev] == NULL;
	return *isnull ? (Datum) 0 : CStringGetTextDatum(cg->messages[rev]);
}

/*
 * Rows of (revision, branch_labels, message) for a list of revisions.
 */
static void
put_revisions(FunctionCallInfo fcinfo, const CachedGraph *cg,
			  const MgRevList *list)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	for (int i = 0; i < list->n; i++)
	{
		int			rev = list->items[i];
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(mg_rev_id(cg->graph, rev));
		values[1] = labels_array(cg, rev);
		values[2] = message_datum(cg, rev, &nulls[2]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * migrate.heads(project, resolve_dependencies): the revisions nothing names
 * as its down_revision (as `alembic heads`), or with resolve_dependencies
 * those nothing depends on either.
 */
Datum
migrate_heads(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *name = ProjectArg(fcinfo, 0);
	bool		real = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	CachedGraph *cg;
	MgRevList	heads;

	InitMaterializedSRF(fcinfo, 0);
	CallBegin(&call, true);
	cg = open_for_read(name, NULL, NULL);
	heads = mg_heads(cg->graph, real);
	put_revisions(fcinfo, cg, &heads);
	CallEnd(&call);
	return (Datum) 0;
}

/*
 * migrate.bases(project): the revisions with no down_revision.
 */
Datum
migrate_bases(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *name = ProjectArg(fcinfo, 0);
	CachedGraph *cg;
	MgRevList	bases;

	InitMaterializedSRF(fcinfo, 0);
	CallBegin(&call, true);
	cg = open_for_read(name, NULL, NULL);
	bases = mg_bases(cg->graph, false);
	put_revisions(fcinfo, cg, &bases);
	CallEnd(&call);
	return (Datum) 0;
}

/*
 * The down_revision children of a revision, in registration order.  Only
 * for branch points, so a scan of the graph per branch point is fine.
 */
static MgRevList
children_of(const CachedGraph *cg, int rev)
{
	int			n = mg_graph_size(cg->graph);
	MgRevList	out;

	out.items = palloc(sizeof(int) * (n + 1));
	out.n = 0;
	for (int i = 0; i < n; i++)
	{
		MgRevList	parents = mg_parents(cg->graph, i);

		for (int j = 0; j < parents.n; j++)
			if (parents.items[j] == rev)
			{
				out.items[out.n++] = i;
				break;
			}
	}
	return out;
}

/*
 * migrate.branches(project): each branch point and the revisions that
 * branch from it, as `alembic branches` lists them.
 */
Datum
migrate_branches(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *name = ProjectArg(fcinfo, 0);
	ReturnSetInfo *rsinfo;
	CachedGraph *cg;
	MgRevList	points;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CallBegin(&call, true);
	cg = open_for_read(name, NULL, NULL);
	points = mg_branch_points(cg->graph);
	for (int i = 0; i < points.n; i++)
	{
		int			rev = points.items[i];
		MgRevList	children = children_of(cg, rev);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(mg_rev_id(cg->graph, rev));
		values[1] = labels_array(cg, rev);
		values[2] = message_datum(cg, rev, &nulls[2]);
		values[3] = RevListToArray(cg, &children, false);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	CallEnd(&call);
	return (Datum) 0;
}

/*
 * migrate.history(range, project): newest first, as `alembic history -r`.
 */
Datum
migrate_history(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *range = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *name = ProjectArg(fcinfo, 1);
	ReturnSetInfo *rsinfo;
	CachedGraph *cg;
	MgRevList	rows;
	MgRevList	list;
	MgRevList	current;
	MgRevList	heads;
	MgError		err;
	bool	   *is_current;
	bool	   *is_head;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CallBegin(&call, true);
	cg = open_for_read(name, NULL, &rows);
	n = mg_graph_size(cg->graph);
	if (!mg_history(cg->graph, range, &rows, &list, &err))
		GraphError(&err, name);
	if (!mg_current(cg->graph, &rows, &current, &err))
		GraphError(&err, name);
	is_current = palloc0(sizeof(bool) * (n + 1));
	for (int i = 0; i < current.n; i++)
		is_current[current.items[i]] = true;
	is_head = palloc0(sizeof(bool) * (n + 1));
	heads = mg_heads(cg->graph, false);
	for (int i = 0; i < heads.n; i++)
		is_head[heads.items[i]] = true;

	for (int i = 0; i < list.n; i++)
	{
		int			rev = list.items[i];
		MgRevList	parents = mg_parents(cg->graph, rev);
		Datum		values[8];
		bool		nulls[8] = {false, false, false, false, false, false, false, false};

		values[0] = CStringGetTextDatum(mg_rev_id(cg->graph, rev));
		values[1] = RevListToArray(cg, &parents, false);
		values[2] = labels_array(cg, rev);
		values[3] = message_datum(cg, rev, &nulls[3]);
		values[4] = BoolGetDatum(is_head[rev]);
		values[5] = BoolGetDatum(is_current[rev]);
		values[6] = BoolGetDatum(mg_is_branch_point(cg->graph, rev));
		values[7] = BoolGetDatum(mg_is_merge_point(cg->graph, rev));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	CallEnd(&call);
	return (Datum) 0;
}

/*
 * migrate.show(target, project): the revisions a target resolves to, with
 * what is known of each.
 */
Datum
migrate_show(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *target;
	char	   *name = ProjectArg(fcinfo, 1);
	ReturnSetInfo *rsinfo;
	CachedGraph *cg;
	MgRevList	rows;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be NULL")));
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CallBegin(&call, true);
	cg = open_for_read(name, NULL, &rows);
	GraphCheckNotEmpty(cg);
	{
		MgRevList	list;
		MgError		err;
		MgRevList	heads = mg_heads(cg->graph, false);
		Oid			argtypes[2] = {TEXTOID, TEXTOID};

		if (!mg_resolve(cg->graph, target, &rows, &list, &err))
			GraphError(&err, name);

		BookkeepingPrepare(&plan_show,
						"SELECT registered_by, registered_at, checksum FROM migrate.revision"
						" WHERE project OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
						2, argtypes);
		for (int i = 0; i < list.n; i++)
		{
			int			rev = list.items[i];
			MgRevList	parents = mg_parents(cg->graph, rev);
			MgRevList	deps = mg_dependencies(cg->graph, rev);
			Datum		values[12];
			bool		nulls[12];
			Datum		args[2];
			bool		head = false;
			bool		isnull;

			memset(nulls, 0, sizeof(nulls));
			for (int j = 0; j < heads.n; j++)
				head |= heads.items[j] == rev;

			args[0] = CStringGetTextDatum(name);
			args[1] = CStringGetTextDatum(mg_rev_id(cg->graph, rev));
			BookkeepingExec(plan_show, args, NULL, SPI_OK_SELECT);
			if (SPI_processed != 1)
				revision_vanished(name, mg_rev_id(cg->graph, rev));

			values[0] = args[1];
			values[1] = RevListToArray(cg, &parents, false);
			values[2] = RevListToArray(cg, &deps, false);
			values[3] = labels_array(cg, rev);
			values[4] = message_datum(cg, rev, &nulls[4]);
			values[5] = BoolGetDatum(head);
			values[6] = BoolGetDatum(parents.n == 0);
			values[7] = BoolGetDatum(mg_is_branch_point(cg->graph, rev));
			values[8] = BoolGetDatum(mg_is_merge_point(cg->graph, rev));
			values[9] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
			values[9] = DirectFunctionCall1(namein, DirectFunctionCall1(nameout, values[9]));
			values[10] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
			values[11] = CStringGetTextDatum(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			SPI_freetuptable(SPI_tuptable);
		}
	}
	CallEnd(&call);
	return (Datum) 0;
}

/*
 * migrate.pending(target, project): the steps upgrade(target) would run
 * now, without running them.
 */
Datum
migrate_pending(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *target;
	char	   *name = ProjectArg(fcinfo, 1);
	ReturnSetInfo *rsinfo;
	CachedGraph *cg;
	MgRevList	rows;
	MgPlan		plan;
	MgError		err;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be NULL")));
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CallBegin(&call, true);
	cg = open_for_read(name, NULL, &rows);
	GraphCheckNotEmpty(cg);
	if (!mg_plan_upgrade(cg->graph, target, &rows, &plan, &err))
		GraphError(&err, name);
	for (int i = 0; i < plan.nsteps; i++)
	{
		int			rev = plan.steps[i].rev;
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(mg_rev_id(cg->graph, rev));
		values[2] = CStringGetTextDatum("upgrade");
		values[3] = message_datum(cg, rev, &nulls[3]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	CallEnd(&call);
	return (Datum) 0;
}

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
 * migrate.script(target, from, project): the SQL that upgrade(target) --
 * or, when target lies below from, downgrade(target) -- would run on a
 * database at `from`, with the version-row statements, as Alembic's --sql
 * mode prints it.  Run with psql, it gives the same schema and version rows
 * as the online command.
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
	Oid			argtypes[2] = {TEXTOID, TEXTOID};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target and from must not be NULL"),
				 errhint("A script from the empty database starts from 'base'.")));
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	from = text_to_cstring(PG_GETARG_TEXT_PP(1));

	CallBegin(&call, true);
	cg = open_for_read(name, &project, NULL);
	GraphCheckNotEmpty(cg);
	rows = resolve_list(cg, from, name);
	if (!mg_plan_upgrade(cg->graph, target, &rows, &plan, &err))
		GraphError(&err, name);
	if (plan.nsteps == 0 &&
		!mg_plan_downgrade(cg->graph, target, &rows, &plan, &err))
		GraphError(&err, name);

	qproject = quote_literal_cstr(name);
	initStringInfo(&buf);
	appendStringInfo(&buf, "-- migrate script for project %s: %s from %s\n",
					 comment_text(qproject), comment_text(target), comment_text(from));
	appendStringInfoString(&buf, "BEGIN;\n");
	appendStringInfo(&buf,
					 "SELECT pg_catalog.pg_advisory_xact_lock(%d, pg_catalog.hashtext(%s));\n",
					 MIGRATE_LOCK_CLASSID, qproject);
	appendStringInfo(&buf,
					 "INSERT INTO migrate.project (name) VALUES (%s) ON CONFLICT DO NOTHING;\n\n",
					 qproject);
	if (project->target_schema != NULL)
		appendStringInfo(&buf,
						 "CREATE SCHEMA IF NOT EXISTS %s;\n"
						 "SELECT pg_catalog.set_config('search_path', %s || ', ' || pg_catalog.current_setting('search_path'), true);\n\n",
						 quote_identifier(project->target_schema),
						 quote_literal_cstr(quote_identifier(project->target_schema)));

	BookkeepingPrepare(&plan_bodies,
					"SELECT upgrade_sql, downgrade_sql FROM migrate.revision"
					" WHERE project OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
					2, argtypes);
	for (int i = 0; i < plan.nsteps; i++)
	{
		const MgStep *step = &plan.steps[i];
		const char *id = mg_rev_id(cg->graph, step->rev);
		MgRevList	parents = mg_parents(cg->graph, step->rev);
		MgRevList	self = single(step->rev);
		bool		up = step->kind == MG_STEP_UPGRADE;
		Datum		args[2];
		bool		isnull;
		Datum		body;
		StringInfoData from_ids;
		StringInfoData to_ids;

		initStringInfo(&from_ids);
		initStringInfo(&to_ids);
		for (int j = 0; j < parents.n; j++)
			appendStringInfo(up ? &from_ids : &to_ids, "%s%s", j > 0 ? ", " : "",
							 mg_rev_id(cg->graph, parents.items[j]));
		appendStringInfoString(up ? &to_ids : &from_ids, mg_rev_id(cg->graph, self.items[0]));

		appendStringInfo(&buf, "-- Running %s %s -> %s%s%s\n\n",
						 up ? "upgrade" : "downgrade", from_ids.data, to_ids.data,
						 cg->messages[step->rev] ? ", " : "",
						 cg->messages[step->rev] ? comment_text(cg->messages[step->rev]) : "");

		args[0] = CStringGetTextDatum(name);
		args[1] = CStringGetTextDatum(id);
		BookkeepingExec(plan_bodies, args, NULL, SPI_OK_SELECT);
		if (SPI_processed != 1)
			revision_vanished(name, id);
		body = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, up ? 1 : 2, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision %s of project \"%s\" cannot be downgraded", id, name),
					 errdetail("Its downgrade body is NULL, and the downgrade would pass through it.")));
		append_body(&buf, TextDatumGetCString(body));
		SPI_freetuptable(SPI_tuptable);

		for (int j = 0; j < step->nops; j++)
		{
			const MgRowOp *op = &step->ops[j];

			switch (op->kind)
			{
				case MG_ROW_INSERT:
					appendStringInfo(&buf,
									 "INSERT INTO migrate.version (project, revision) VALUES (%s, %s);\n",
									 qproject, quote_literal_cstr(mg_rev_id(cg->graph, op->to)));
					break;
				case MG_ROW_DELETE:
					appendStringInfo(&buf,
									 "DELETE FROM migrate.version WHERE project OPERATOR(pg_catalog.=) %s"
									 " AND revision OPERATOR(pg_catalog.=) %s;\n",
									 qproject, quote_literal_cstr(mg_rev_id(cg->graph, op->from)));
					break;
				case MG_ROW_UPDATE:
					appendStringInfo(&buf,
									 "UPDATE migrate.version SET revision = %s WHERE project OPERATOR(pg_catalog.=) %s"
									 " AND revision OPERATOR(pg_catalog.=) %s;\n",
									 quote_literal_cstr(mg_rev_id(cg->graph, op->to)), qproject,
									 quote_literal_cstr(mg_rev_id(cg->graph, op->from)));
					break;
			}
		}
		appendStringInfoChar(&buf, '\n');
	}
	appendStringInfoString(&buf, "COMMIT;\n");
	{
		text	   *result = CallResultText(&call, buf.data);

		CallEnd(&call);
		PG_RETURN_TEXT_P(result);
	}
}
