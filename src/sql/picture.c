/*-------------------------------------------------------------------------
 *
 * picture.c
 *	  migrate.graph(): a project's revision graph drawn as text (like git
 *	  log --graph), as a Graphviz digraph or as a Mermaid flowchart.
 *
 * The drawing is the graph module's (src/graph/layout.c, export.c and
 * draw.c, where the harness of test/graph checks it); this file reads the
 * project's cached graph and version rows with the calling statement's
 * snapshot, as history() does, and hands them over.  It shows nothing
 * PUBLIC could not read anyway: ids, edges, labels, messages and version
 * rows, as heads() and history() show them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_graph);

#define FORMATS_HINT "The formats are text, dot and mermaid."

/* the format argument, in any case */
static MgDrawFormat
format_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *format;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("format must not be NULL"),
				 errhint(FORMATS_HINT)));
	format = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (pg_strcasecmp(format, "text") == 0)
		return MG_DRAW_TEXT;
	if (pg_strcasecmp(format, "dot") == 0)
		return MG_DRAW_DOT;
	if (pg_strcasecmp(format, "mermaid") == 0)
		return MG_DRAW_MERMAID;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown graph format \"%s\"", format),
			 errhint(FORMATS_HINT)));
	return MG_DRAW_TEXT;		/* keep compiler quiet */
}

/*
 * migrate.graph(project, format): the whole graph, newest first, applied
 * revisions told from pending ones.
 */
Datum
migrate_graph(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *name = ProjectArg(fcinfo, 0);
	MgDrawFormat format = format_arg(fcinfo, 1);
	CachedGraph *cg;
	MgRevList	rows;
	MgDrawInput in;
	MgError		err;
	char	   *picture;
	text	   *result;

	CallBegin(&call, true);
	cg = GraphCacheOpen(name, NULL, &rows);
	in.title = name;
	in.messages = (const char *const *) cg->messages;
	in.rows = &rows;
	/* Unicode's invisible controls are escaped only where they can be told */
	in.utf8 = GetDatabaseEncoding() == PG_UTF8;
	if (!mg_draw(cg->graph, format, &in, &picture, &err))
		GraphError(&err, name);
	result = CallResultText(&call, picture);
	CallEnd(&call);
	PG_RETURN_TEXT_P(result);
}
