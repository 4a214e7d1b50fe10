/*-------------------------------------------------------------------------
 *
 * show.c
 *	  The read-only views of a project's graph: heads, bases, branches,
 *	  history, show and pending.
 *
 * None of these takes the migration lock or writes anything; they read the
 * catalog with the calling statement's snapshot (the functions are STABLE).
 * Listings come in registration order, which is the order Alembic uses when
 * it loads revisions, so `heads` and `history` list what Alembic lists.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

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
	cg = GraphCacheOpen(name, NULL, NULL);
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
	cg = GraphCacheOpen(name, NULL, NULL);
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
	cg = GraphCacheOpen(name, NULL, NULL);
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
		values[3] = GraphRevListToArray(cg, &children, false);
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
	cg = GraphCacheOpen(name, NULL, &rows);
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
		Datum		values[9];
		bool		nulls[9] = {false, false, false, false, false, false, false, false, false};

		values[0] = CStringGetTextDatum(mg_rev_id(cg->graph, rev));
		values[1] = GraphRevListToArray(cg, &parents, false);
		values[2] = labels_array(cg, rev);
		values[3] = message_datum(cg, rev, &nulls[3]);
		values[4] = BoolGetDatum(is_head[rev]);
		values[5] = BoolGetDatum(is_current[rev]);
		values[6] = BoolGetDatum(mg_is_branch_point(cg->graph, rev));
		values[7] = BoolGetDatum(mg_is_merge_point(cg->graph, rev));
		values[8] = BoolGetDatum(cg->transactional[rev]);
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

	target = TargetArg(fcinfo, 0);

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CallBegin(&call, true);
	cg = GraphCacheOpen(name, NULL, &rows);
	GraphCacheCheckNotEmpty(cg);
	{
		MgRevList	list;
		MgError		err;
		MgRevList	heads = mg_heads(cg->graph, false);

		if (!mg_resolve(cg->graph, target, &rows, &list, &err))
			GraphError(&err, name);

		for (int i = 0; i < list.n; i++)
		{
			int			rev = list.items[i];
			MgRevList	parents = mg_parents(cg->graph, rev);
			MgRevList	deps = mg_dependencies(cg->graph, rev);
			Datum		values[13];
			bool		nulls[13];
			const char *id = mg_rev_id(cg->graph, rev);
			bool		head = false;

			memset(nulls, 0, sizeof(nulls));
			for (int j = 0; j < heads.n; j++)
				head |= heads.items[j] == rev;

			if (!RevisionRegistration(name, id, &values[9], &values[10],
									  &values[11]))
				RevisionVanished(name, id);

			values[0] = CStringGetTextDatum(id);
			values[1] = GraphRevListToArray(cg, &parents, false);
			values[2] = GraphRevListToArray(cg, &deps, false);
			values[3] = labels_array(cg, rev);
			values[4] = message_datum(cg, rev, &nulls[4]);
			values[5] = BoolGetDatum(head);
			values[6] = BoolGetDatum(parents.n == 0);
			values[7] = BoolGetDatum(mg_is_branch_point(cg->graph, rev));
			values[8] = BoolGetDatum(mg_is_merge_point(cg->graph, rev));
			values[12] = BoolGetDatum(cg->transactional[rev]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
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

	target = TargetArg(fcinfo, 0);

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CallBegin(&call, true);
	cg = GraphCacheOpen(name, NULL, &rows);
	GraphCacheCheckNotEmpty(cg);
	if (!mg_plan_upgrade(cg->graph, target, &rows, &plan, &err))
		GraphError(&err, name);
	for (int i = 0; i < plan.nsteps; i++)
	{
		int			rev = plan.steps[i].rev;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(mg_rev_id(cg->graph, rev));
		values[2] = CStringGetTextDatum("upgrade");
		values[3] = message_datum(cg, rev, &nulls[3]);
		values[4] = BoolGetDatum(cg->transactional[rev]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	CallEnd(&call);
	return (Datum) 0;
}
