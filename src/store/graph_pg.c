/*-------------------------------------------------------------------------
 *
 * graph_pg.c
 *	  What the graph module (src/graph/) needs from its host, provided by
 *	  the server: memory from the current memory context, and its errors
 *	  turned into error reports (SQLSTATEs: doc/graph-rules.md, rules §11);
 *	  and the graph's values as SQL gives them: lists of revisions as
 *	  text[], the names of step operations.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "migrate.h"

void *
mg_alloc(size_t size)
{
	return palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

void *
mg_realloc(void *ptr, size_t size)
{
	if (ptr == NULL)
		return palloc_extended(size, MCXT_ALLOC_HUGE);
	return repalloc_huge(ptr, size);
}

void
mg_free(void *ptr)
{
	if (ptr != NULL)
		pfree(ptr);
}

/*
 * SQLSTATE of each kind of graph error.  Unknown names are undefined
 * objects; input that names more than one thing, or that the state of the
 * graph cannot satisfy, is an invalid parameter value; a graph that cannot
 * be built is an invalid object definition; several heads where one is
 * needed, and version rows that do not fit the graph, are states the
 * project must be brought out of first.
 */
static int
graph_errcode(MgErrorCode code)
{
	switch (code)
	{
		case MG_ERR_BAD_ID:
			return ERRCODE_INVALID_NAME;
		case MG_ERR_DUPLICATE_ID:
		case MG_ERR_MISSING_PARENT:
		case MG_ERR_SELF_LOOP:
		case MG_ERR_DEP_SELF_LOOP:
		case MG_ERR_CYCLE:
		case MG_ERR_DEP_CYCLE:
		case MG_ERR_LABEL_CONFLICT:
			return ERRCODE_INVALID_OBJECT_DEFINITION;
		case MG_ERR_UNKNOWN_REVISION:
		case MG_ERR_NO_SUCH_BRANCH:
		case MG_ERR_NOT_BRANCH_MEMBER:
			return ERRCODE_UNDEFINED_OBJECT;
		case MG_ERR_MULTIPLE_HEADS:
		case MG_ERR_AMBIGUOUS_UPGRADE:
		case MG_ERR_AMBIGUOUS_DOWNGRADE:
		case MG_ERR_BAD_VERSION_ROWS:
			return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
		case MG_ERR_BAD_TARGET:
		case MG_ERR_AMBIGUOUS_PREFIX:
		case MG_ERR_RELATIVE_RANGE:
		case MG_ERR_AMBIGUOUS_WALK:
		case MG_ERR_NOT_VALID_TARGET:
		case MG_ERR_OVERLAP:
		case MG_ERR_RANGE_NOT_ALLOWED:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case MG_ERR_UNSUPPORTED:
			return ERRCODE_FEATURE_NOT_SUPPORTED;
		case MG_OK:
			break;
	}
	return ERRCODE_INTERNAL_ERROR;
}

/*
 * Report a graph error.  Validation errors get a hint towards the revisions,
 * since the fix is to register the missing or corrected ones; the graph
 * module's own hint wins where it gave one.
 */
void
GraphError(const MgError *err, const char *project)
{
	const char *hint = err->hint;

	if (hint == NULL && (err->code == MG_ERR_BAD_VERSION_ROWS ||
						 graph_errcode(err->code) == ERRCODE_INVALID_OBJECT_DEFINITION))
		hint = "Run migrate.verify() to list the problems of the project.";

	ereport(ERROR,
			(errcode(graph_errcode(err->code)),
			 errmsg_internal("%s", err->message),
			 err->detail ? errdetail_internal("%s", err->detail) : 0,
			 hint ? errhint("%s", hint) : 0,
			 project ? errcontext("migrate project \"%s\"", project) : 0));
}
/*
 * A list of revisions as the text[] of their ids, in registration order
 * when sorted is set (version rows, whatever order the row changes left
 * them in), else as given.
 */
Datum
GraphRevListToArray(const CachedGraph *cg, const MgRevList *list, bool sorted)
{
	const char **ids = palloc(sizeof(char *) * (list->n + 1));
	int		   *order = palloc(sizeof(int) * (list->n + 1));

	memcpy(order, list->items, sizeof(int) * list->n);
	if (sorted)
		qsort(order, list->n, sizeof(int), CompareInts);
	for (int i = 0; i < list->n; i++)
		ids[i] = mg_rev_id(cg->graph, order[i]);
	return StringsToTextArray(ids, list->n);
}

/*
 * The name of a step's operation, as the log and the result rows give it.
 */
const char *
GraphStepOperation(MgStepKind kind)
{
	switch (kind)
	{
		case MG_STEP_UPGRADE:
			return "upgrade";
		case MG_STEP_DOWNGRADE:
			return "downgrade";
		case MG_STEP_STAMP:
			return "stamp";
	}
	return "unknown";
}
