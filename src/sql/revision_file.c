/*-------------------------------------------------------------------------
 *
 * revision_file.c
 *	  migrate.revision_file(): the migrate.register() call that registers a
 *	  revision again, as the text of a file for a repository.
 *
 * A revision made in a database (by revision(), merge() or autogenerate())
 * reaches the repository through this text: loaded into another database,
 * it registers the same id, parents, dependencies, labels, message, flag
 * and bodies, byte for byte, so the revision has the same checksum there.
 * The text names no project: the loaders (migrate-bootstrap --project, or
 * SET migrate.project) say where a directory's files go.
 *
 * Bodies are dollar-quoted, with a tag that nothing in the body can close
 * early.  psql reads a file line by line and drops the carriage return of
 * a line that ends in one, so a body or message holding a carriage return
 * is written as an escape string instead, which survives that.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_revision_file);

static SPIPlanPtr plan_revision = NULL;

/* the width the argument names are padded to: the longest is 13 */
#define ARG_WIDTH 13

/*
 * A string literal that reads back as s, through psql and the server,
 * whatever standard_conforming_strings is.
 */
static void
append_literal(StringInfo buf, const char *s)
{
	if (strchr(s, '\r') == NULL)
	{
		/* E'' with doubled backslashes when it has any */
		appendStringInfoString(buf, quote_literal_cstr(s));
		return;
	}
	appendStringInfoString(buf, "E'");
	for (const char *p = s; *p; p++)
	{
		if (*p == '\r')
			appendStringInfoString(buf, "\\r");
		else
		{
			if (*p == '\'' || *p == '\\')
				appendStringInfoChar(buf, *p);
			appendStringInfoChar(buf, *p);
		}
	}
	appendStringInfoChar(buf, '\'');
}

/*
 * Whether $tag$ quotes body: the first $tag$ in body$tag$ must be the
 * closing one.  A body that holds $tag$, or ends in a part of it ("$up"
 * before "$up$"), would be cut short.
 */
static bool
tag_fits(const char *body, const char *delimiter)
{
	char	   *quoted = psprintf("%s%s", body, delimiter);

	return strstr(quoted, delimiter) == quoted + strlen(body);
}

/*
 * A body as it stands in the file: dollar-quoted with $tag$, or $tag_N$
 * when the body holds that; '' for an empty body, NULL for none.
 */
static void
append_body(StringInfo buf, const char *body, const char *tag)
{
	char	   *delimiter = psprintf("$%s$", tag);

	if (body == NULL)
	{
		appendStringInfoString(buf, "NULL");
		return;
	}
	if (body[0] == '\0' || strchr(body, '\r') != NULL)
	{
		append_literal(buf, body);
		return;
	}
	for (int n = 1; !tag_fits(body, delimiter); n++)
		delimiter = psprintf("$%s_%d$", tag, n);
	appendStringInfo(buf, "%s%s%s", delimiter, body, delimiter);
}

static void
append_name(StringInfo buf, const char *name)
{
	appendStringInfo(buf, ",\n    %-*s => ", ARG_WIDTH, name);
}

/*
 * A list argument, as register() takes it ('a1, b2'), when the list has
 * anything in it.  The order is kept: register() compares lists in order.
 */
static void
append_list(StringInfo buf, const char *name, Datum array)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	StringInfoData list;

	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		return;
	initStringInfo(&list);
	for (int i = 0; i < n; i++)
		appendStringInfo(&list, "%s%s", i > 0 ? ", " : "",
						 nulls[i] ? "" : TextDatumGetCString(elems[i]));
	append_name(buf, name);
	append_literal(buf, list.data);
}

/*
 * migrate.revision_file(revision, project)
 */
Datum
migrate_revision_file(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *id;
	char	   *name = ProjectArg(fcinfo, 1);
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;
	bool		message_null;
	bool		down_null;
	Datum		d;
	char	   *upgrade_sql;
	char	   *downgrade_sql;
	char	   *stored;
	char	   *actual;
	bool		transactional;
	StringInfoData buf;
	text	   *result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revision must not be NULL")));
	id = text_to_cstring(PG_GETARG_TEXT_PP(0));

	CallBegin(&call, true);
	(void) ProjectOpen(name, false);
	BookkeepingPrepare(&plan_revision,
					   "SELECT down_revision, depends_on, branch_labels, message,"
					   " upgrade_sql, downgrade_sql, checksum, transactional"
					   " FROM migrate.revision"
					   " WHERE project OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
					   2, argtypes);
	args[0] = CStringGetTextDatum(name);
	args[1] = CStringGetTextDatum(id);
	BookkeepingExec(plan_revision, args, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("revision \"%s\" is not registered in project \"%s\"", id, name),
				 errhint("revision_file() takes a revision's full id, as migrate.history() lists them.")));
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;

	upgrade_sql = TextDatumGetCString(SPI_getbinval(tuple, desc, 5, &isnull));
	d = SPI_getbinval(tuple, desc, 6, &down_null);
	downgrade_sql = down_null ? NULL : TextDatumGetCString(d);
	stored = TextDatumGetCString(SPI_getbinval(tuple, desc, 7, &isnull));
	transactional = DatumGetBool(SPI_getbinval(tuple, desc, 8, &isnull));

	/*
	 * The file registers the bodies as they are now.  Bodies changed since
	 * their registration (by hand, triggers disabled) would register under
	 * another checksum than the one recorded here: the text would not be
	 * this revision.
	 */
	actual = BodiesChecksum(upgrade_sql, downgrade_sql, transactional);
	if (strcmp(actual, stored) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("revision %s of project \"%s\" was changed after it was registered", id, name),
				 errdetail("Its bodies have checksum %s, but %s was recorded when it was registered.", actual, stored),
				 errhint("Run migrate.verify() to list the problems of the project.")));

	initStringInfo(&buf);
	appendStringInfoString(&buf, "SELECT migrate.register(");
	append_literal(&buf, id);
	d = SPI_getbinval(tuple, desc, 4, &message_null);
	if (!message_null)
	{
		append_name(&buf, "message");
		append_literal(&buf, TextDatumGetCString(d));
	}
	append_list(&buf, "down_revision", SPI_getbinval(tuple, desc, 1, &isnull));
	append_list(&buf, "depends_on", SPI_getbinval(tuple, desc, 2, &isnull));
	append_list(&buf, "branch_labels", SPI_getbinval(tuple, desc, 3, &isnull));
	if (!transactional)
	{
		append_name(&buf, "transactional");
		appendStringInfoString(&buf, "false");
	}
	append_name(&buf, "upgrade");
	append_body(&buf, upgrade_sql, "up");
	append_name(&buf, "downgrade");
	append_body(&buf, downgrade_sql, "down");
	appendStringInfoString(&buf, ");\n");

	result = CallResultText(&call, buf.data);
	CallEnd(&call);
	PG_RETURN_TEXT_P(result);
}
