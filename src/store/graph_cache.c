/*-------------------------------------------------------------------------
 *
 * graph_cache.c
 *	  A project's revisions, loaded from migrate.revision in one place, and
 *	  the graph built from them, cached per backend.
 *
 * RevisionsLoad (revision.c) is the only reader of a project's revisions
 * as a whole: the graph cache, verify() and register() all start from it.
 * It returns them in registration order (the graph's tie-breaker) and
 * checks every body against its checksum while reading, since any edit of
 * the table gives the project a new graph_gen and the next load catches a
 * body edited behind the extension's back.
 *
 * A built graph is kept for up to GRAPH_CACHE_SIZE projects, and reused as
 * long as three things have not moved: the project's graph_gen (every
 * change or removal of a revision moves it: migrate's own functions, or
 * the trigger below for edits by hand), the seq of the project's newest
 * revision (every registration moves it), and the project row's
 * created_at (a row deleted and created again starts graph_gen afresh).
 * Checking costs one or two index entries (catalog.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "migrate.h"

/* graphs kept for this many projects at most */
#define GRAPH_CACHE_SIZE	8

static CachedGraph *graph_cache[GRAPH_CACHE_SIZE];

/*
 * The OID of migrate.revision when the cached graphs were built.  They are
 * dropped when it changes: DROP EXTENSION and CREATE EXTENSION start
 * graph_gen and seq over, so old and new numbers could meet.
 */
static Oid	cache_extension = InvalidOid;

/*
 * Build a project's graph from its revisions, in a new memory context
 * under the current one.
 */
static CachedGraph *
build_graph(const MigrateProject *project)
{
	MemoryContext context;
	MemoryContext oldcontext;
	MemoryContext loadcontext;
	LoadedRevisions revs;
	CachedGraph *cg;
	MgError		err;

	context = AllocSetContextCreate(CurrentMemoryContext, "migrate graph",
									ALLOCSET_DEFAULT_SIZES);
	loadcontext = AllocSetContextCreate(CurrentMemoryContext, "migrate revisions",
										ALLOCSET_DEFAULT_SIZES);
	oldcontext = MemoryContextSwitchTo(loadcontext);
	RevisionsLoad(project->name, true, &revs);

	MemoryContextSwitchTo(context);
	cg = palloc0(sizeof(CachedGraph));
	cg->project = pstrdup(project->name);
	cg->graph_gen = project->graph_gen;
	cg->created_at = project->created_at;
	cg->context = context;
	/* the key comes from the rows read: a revision registered since is in */
	cg->last_seq = revs.last_seq;
	cg->messages = palloc0(sizeof(char *) * (revs.n + 1));
	cg->transactional = palloc0(sizeof(bool) * (revs.n + 1));
	for (int i = 0; i < revs.n; i++)
	{
		cg->transactional[i] = revs.transactional[i];
		if (revs.messages[i])
			cg->messages[i] = pstrdup(revs.messages[i]);
		if (!revs.intact[i])
		{
			if (cg->drifted == NULL)
				cg->drifted = palloc(sizeof(int) * (revs.n + 1));
			cg->drifted[cg->ndrifted++] = i;
		}
	}
	cg->graph = mg_graph_build(revs.inputs, revs.n, &err);
	MemoryContextSwitchTo(oldcontext);
	MemoryContextDelete(loadcontext);
	if (cg->graph == NULL)
		GraphError(&err, project->name);
	return cg;
}

/*
 * Drop a cached graph.  When this is the only migrate call under way it is
 * freed at once; when calls are nested (a revision body that registers and
 * reads the same project), a caller further up the stack may still hold it,
 * so it is moved under TopTransactionContext instead, and nothing outlives
 * the transaction.
 */
static void
forget_graph(CachedGraph *cg)
{
	if (CallDepth() <= 1)
		MemoryContextDelete(cg->context);
	else
		MemoryContextSetParent(cg->context, TopTransactionContext);
}

/*
 * The project's graph, from the cache when the project's graph_gen, newest
 * revision and row (a project deleted and created again by hand starts its
 * graph_gen afresh) say it is still current.  A graph is built in a context
 * under the current one, so that a build that fails (an invalid graph)
 * leaves nothing behind, and is moved under CacheMemoryContext once it
 * succeeded.
 */
CachedGraph *
GraphCacheGet(const MigrateProject *project)
{
	CachedGraph *cg;
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
		cg = graph_cache[i];
		if (cg == NULL)
		{
			if (slot < 0)
				slot = i;
			continue;
		}
		if (strcmp(cg->project, project->name) == 0)
		{
			if (cg->graph_gen == project->graph_gen &&
				cg->created_at == project->created_at &&
				(mg_graph_size(cg->graph) == 0 ?
				 !CatalogHasRevisions(project->name) :
				 CatalogNewestIs(project->name, cg->last_seq)))
				return cg;
			slot = i;
			break;
		}
	}
	if (slot < 0)
		slot = random() % GRAPH_CACHE_SIZE;

	cg = build_graph(project);

	if (graph_cache[slot] != NULL)
		forget_graph(graph_cache[slot]);
	MemoryContextSetParent(cg->context, CacheMemoryContext);
	graph_cache[slot] = cg;
	return cg;
}

/*
 * A project opened for reading: its row (in *project, when asked for), its
 * graph, and its version rows (in *rows, when asked for).  A project that
 * does not exist is an error; one without revisions has an empty graph.
 */
CachedGraph *
GraphCacheOpen(const char *name, MigrateProject **project, MgRevList *rows)
{
	MigrateProject *p = ProjectOpen(name, false);
	CachedGraph *cg = GraphCacheGet(p);

	if (project)
		*project = p;
	if (rows)
		*rows = VersionRows(cg);
	return cg;
}

/*
 * A target names nothing in a project without revisions (one that was only
 * configured so far): refuse the commands that resolve one.
 */
void
GraphCacheCheckNotEmpty(const CachedGraph *cg)
{
	if (mg_graph_size(cg->graph) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("project \"%s\" has no revisions", cg->project),
				 errhint("Register revisions with migrate.register() first.")));
}

/*
 * Refuse to run or stamp a project whose bodies no longer match their
 * checksums: the graph may be read, but nothing may be recorded as run.
 */
void
GraphCacheCheckIntact(const CachedGraph *cg)
{
	if (cg->ndrifted > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("project \"%s\" has revisions whose bodies no longer match their checksums", cg->project),
				 cg->ndrifted == 1 ?
				 errdetail("Revision %s was changed after it was registered.",
						   mg_rev_id(cg->graph, cg->drifted[0])) :
				 errdetail_plural("Revision %s and %d other was changed after they were registered.",
								  "Revision %s and %d others were changed after they were registered.",
								  cg->ndrifted - 1,
								  mg_rev_id(cg->graph, cg->drifted[0]), cg->ndrifted - 1),
				 errhint("Run migrate.verify() to list the problems of the project.")));
}

/*
 * Trigger on migrate.revision, for each statement: a change made by hand
 * (not through migrate's functions) gives every project a new graph_gen, so
 * no backend goes on using a graph or a summary built before the change (a
 * row inserted by hand may carry any seq, so the newest seq is no proof).
 * The extension's own writes are let through here: a registration is told
 * by its new seq, and a replacement bumps its project's graph_gen itself.
 */
PG_FUNCTION_INFO_V1(migrate_revision_changed);

Datum
migrate_revision_changed(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("migrate.revision_changed() must be called as a trigger")));
	if (!InBookkeeping())
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
