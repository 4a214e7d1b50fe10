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
append_list(StringInfo buf, const char *name, const char **items, int n)
{
	StringInfoData list;

	if (n == 0)
		return;
	initStringInfo(&list);
	for (int i = 0; i < n; i++)
		appendStringInfo(&list, "%s%s", i > 0 ? ", " : "", items[i]);
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
	RevisionRow row;
	StringInfoData buf;
	text	   *result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("revision must not be NULL")));
	id = text_to_cstring(PG_GETARG_TEXT_PP(0));

	CallBegin(&call, true);
	(void) ProjectOpen(name, false);
	if (!RevisionRead(name, id, &row))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("revision \"%s\" is not registered in project \"%s\"", id, name),
				 errhint("revision_file() takes a revision's full id, as migrate.history() lists them.")));

	/*
	 * The file registers the bodies as they are now.  Bodies changed since
	 * their registration (by hand, triggers disabled) would register under
	 * another checksum than the one recorded here: the text would not be
	 * this revision.
	 */
	RevisionCheckIntact(name, id, &row);

	initStringInfo(&buf);
	appendStringInfoString(&buf, "SELECT migrate.register(");
	append_literal(&buf, id);
	if (row.message != NULL)
	{
		append_name(&buf, "message");
		append_literal(&buf, row.message);
	}
	append_list(&buf, "down_revision", row.down, row.ndown);
	append_list(&buf, "depends_on", row.depends, row.ndepends);
	append_list(&buf, "branch_labels", row.labels, row.nlabels);
	if (!row.transactional)
	{
		append_name(&buf, "transactional");
		appendStringInfoString(&buf, "false");
	}
	append_name(&buf, "upgrade");
	append_body(&buf, row.upgrade_sql, "up");
	append_name(&buf, "downgrade");
	append_body(&buf, row.downgrade_sql, "down");
	appendStringInfoString(&buf, ");\n");

	result = CallResultText(&call, buf.data);
	CallEnd(&call);
	PG_RETURN_TEXT_P(result);
}
