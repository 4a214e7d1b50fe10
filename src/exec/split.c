/*-------------------------------------------------------------------------
 *
 * split.c
 *	  A revision body as the list of its statements, each with its number
 *	  and the line it starts on within the body.
 *
 * Bodies run one statement at a time, so that an error can say which
 * statement failed ("statement 3 of the body, line 7") and quote that
 * statement alone, instead of quoting the whole body; and so that the
 * statements of a non-transactional revision can each run as a top-level
 * statement of its own.  The split is PostgreSQL's own grammar
 * (raw_parser), so it agrees with how the server would run the body as one
 * string: semicolons inside literals, dollar quotes, comments and function
 * bodies are never split on.  Like a multi-statement string, the whole body
 * is parsed before anything of it runs, so a syntax error anywhere runs
 * nothing.
 *
 * Each statement comes with its kind where it matters: transaction control
 * and COPY to or from the client, which a body cannot run, and statements
 * that make a table, which a Citus coordinator runs at top level (citus.c).
 *
 * Also here, for both paths a statement runs by (body.c, launch.c): the
 * hint of an error whose PostgreSQL message does not say why it applies to
 * a body.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/parsenodes.h"
#include "parser/parser.h"

#include "migrate.h"

/*
 * While the body is parsed, a syntax error's position is one within the
 * body, not within the query the client sent: report it as an internal
 * query, as SPI does, so the client shows the body's line and a caret.
 */
static void
parse_error_callback(void *arg)
{
	const char *body = (const char *) arg;
	int			position = geterrposition();

	if (position > 0)
	{
		errposition(0);
		internalerrposition(position);
		internalerrquery(body);
	}
}

/*
 * Where a statement really starts: past the white space and comments that
 * may precede it.
 */
static int
skip_space_and_comments(const char *body, int pos, int end)
{
	while (pos < end)
	{
		if (body[pos] == ' ' || body[pos] == '\t' || body[pos] == '\n' ||
			body[pos] == '\r' || body[pos] == '\f' || body[pos] == '\v')
			pos++;
		else if (body[pos] == '-' && pos + 1 < end && body[pos + 1] == '-')
		{
			while (pos < end && body[pos] != '\n')
				pos++;
		}
		else if (body[pos] == '/' && pos + 1 < end && body[pos + 1] == '*')
		{
			int			depth = 1;

			pos += 2;
			while (pos < end && depth > 0)
			{
				if (body[pos] == '/' && pos + 1 < end && body[pos + 1] == '*')
					depth++, pos += 2;
				else if (body[pos] == '*' && pos + 1 < end && body[pos + 1] == '/')
					depth--, pos += 2;
				else
					pos++;
			}
		}
		else
			break;
	}
	return pos;
}

/*
 * Whether a statement creates a table (CREATE TABLE, CREATE FOREIGN TABLE,
 * CREATE TABLE AS, SELECT INTO) or moves one to another schema: Citus
 * distributes or adds to its metadata such a table after the statement,
 * when the statement runs at top level (citus.c).
 */
static bool
creates_table(Node *stmt)
{
	if (IsA(stmt, CreateStmt) || IsA(stmt, CreateForeignTableStmt) ||
		IsA(stmt, CreateTableAsStmt))
		return true;
	if (IsA(stmt, SelectStmt))
		return ((SelectStmt *) stmt)->intoClause != NULL;
	if (IsA(stmt, AlterObjectSchemaStmt))
		return ((AlterObjectSchemaStmt *) stmt)->objectType == OBJECT_TABLE ||
			((AlterObjectSchemaStmt *) stmt)->objectType == OBJECT_FOREIGN_TABLE;
	return false;
}

/*
 * Split a body into its statements, in the current memory context.  An
 * empty body (or one of comments only) has none.  A syntax error is raised
 * as the server would raise it for the body, pointing into the body.
 */
BodyStatement *
SplitBody(const char *body, int *nstatements)
{
	ErrorContextCallback errcallback;
	List	   *parsed;
	ListCell   *lc;
	BodyStatement *out;
	int			n = 0;
	int			line = 1;
	int			counted = 0;	/* body[0 .. counted) has line - 1 newlines */
	int			len = strlen(body);

	errcallback.callback = parse_error_callback;
	errcallback.arg = (void *) body;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	parsed = raw_parser(body, RAW_PARSE_DEFAULT);
	error_context_stack = errcallback.previous;

	out = palloc(sizeof(BodyStatement) * (list_length(parsed) + 1));
	foreach(lc, parsed)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		int			start = raw->stmt_location >= 0 ? raw->stmt_location : 0;
		int			end = raw->stmt_len > 0 ? start + raw->stmt_len : len;
		BodyStatement *st = &out[n];

		start = skip_space_and_comments(body, start, end);
		while (counted < start)
			if (body[counted++] == '\n')
				line++;
		st->number = n + 1;
		st->line = line;
		st->text = pnstrdup(body + start, end - start);
		st->kind = BODY_PLAIN;
		if (IsA(raw->stmt, TransactionStmt))
			st->kind = BODY_TRANSACTION_CONTROL;
		else if (IsA(raw->stmt, CopyStmt) &&
				 ((CopyStmt *) raw->stmt)->filename == NULL &&
				 !((CopyStmt *) raw->stmt)->is_program)
			st->kind = BODY_CLIENT_COPY;
		else if (creates_table(raw->stmt))
			st->kind = BODY_NEW_TABLE;
		n++;
	}
	*nstatements = n;
	return out;
}

/*
 * The hint of an error that a body cannot change its role raises: the
 * message is PostgreSQL's, about SECURITY DEFINER functions, and does not
 * say why a revision body is one.  Worker errors get it too (launch.c).
 */
void
SplitRoleChangeHint(ErrorData *edata)
{
	const char *format = dgettext(PG_TEXTDOMAIN("postgres"),
								  "cannot set parameter \"%s\" within security-definer function");

	if (edata->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE || edata->hint != NULL ||
		edata->message == NULL)
		return;
	if (strcmp(edata->message, psprintf(format, "role")) != 0 &&
		strcmp(edata->message, psprintf(format, "session_authorization")) != 0)
		return;
	edata->hint = pstrdup("A revision body runs as the role that called, or as the project's run_as role, and cannot change it. "
						  "To give objects to another role, use ALTER ... OWNER TO.");
}
