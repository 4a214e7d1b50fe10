/*-------------------------------------------------------------------------
 *
 * statement_hook.c
 *	  The utility statements a revision body runs, seen just before and
 *	  just after each one: the ProcessUtility hook, and the watchers it
 *	  calls.
 *
 * Two things need to see a body's DDL statement by statement, with its
 * names resolved as the server resolves them at that moment: kept data
 * (kept.c), which must read a column or a table before a statement drops
 * it and put the rows back once a statement has brought it back, and
 * lint() (lint.c), which judges each statement of a trial by what it is
 * and what it did.  Reading the body's text is not enough for either: a
 * statement may sit in a DO block or a function the body calls, and its
 * names mean what the search_path and the statements before it made of
 * them.  An event trigger comes too late (sql_drop fires once the rows
 * are gone) and would be an object of the database, not of the run.
 *
 * Watchers form a stack: a run nested in a body (another project's) pushes
 * its own.  Each is called for the statements a user wrote, at top level or
 * inside a function or DO block, and not for the sub-commands the server
 * splits a statement into (the index of a CREATE TABLE's primary key),
 * which would show a table half made.  Every watcher on the stack sees
 * every statement, innermost first; the statements a watcher runs itself
 * are not watched.  The stack is emptied at the end of
 * every transaction, so that an error that escapes a watcher's owner
 * cannot leave a stale one behind.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "tcop/utility.h"

#include "migrate.h"

static ProcessUtility_hook_type previous_hook = NULL;
static StatementWatch *watchers = NULL;

/* a watcher is under way: the statements it runs itself are not watched */
static bool in_watcher = false;

static void
call_watchers(bool before, StatementWatch *top, Node *stmt, const char *text)
{
	in_watcher = true;
	PG_TRY();
	{
		for (StatementWatch *w = top; w != NULL; w = w->previous)
		{
			if (before && w->before)
				w->before(stmt, text, w->arg);
			else if (!before && w->after)
				w->after(stmt, text, w->arg);
		}
	}
	PG_FINALLY();
	{
		in_watcher = false;
	}
	PG_END_TRY();
}

static void
statement_hook(PlannedStmt *pstmt, const char *queryString,
			   bool readOnlyTree, ProcessUtilityContext context,
			   ParamListInfo params, QueryEnvironment *queryEnv,
			   DestReceiver *dest, QueryCompletion *qc)
{
	StatementWatch *top = watchers;
	bool		watched = top != NULL && !in_watcher &&
		context != PROCESS_UTILITY_SUBCOMMAND;
	char	   *text = NULL;

	if (watched)
	{
		/* the statement's own text, out of a string that may hold several */
		if (queryString != NULL && pstmt->stmt_location >= 0)
			text = pnstrdup(queryString + pstmt->stmt_location,
							pstmt->stmt_len > 0 ? (size_t) pstmt->stmt_len :
							strlen(queryString + pstmt->stmt_location));
		else if (queryString != NULL)
			text = pstrdup(queryString);
		call_watchers(true, top, pstmt->utilityStmt, text);
	}

	if (previous_hook)
		previous_hook(pstmt, queryString, readOnlyTree, context, params,
					  queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);

	/* a watcher the statement pushed or popped (a nested run) saw it */
	if (watched && watchers == top)
		call_watchers(false, top, pstmt->utilityStmt, text);
}

static void
forget_watchers(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PARALLEL_COMMIT)
		watchers = NULL;
}

/*
 * Install the hook, once per backend (_PG_init).
 */
void
StatementHookInstall(void)
{
	previous_hook = ProcessUtility_hook;
	ProcessUtility_hook = statement_hook;
	RegisterXactCallback(forget_watchers, NULL);
}

/*
 * Put a watcher on top of the stack; the caller takes it off with
 * StatementWatchPop(w), also when it fails, and keeps it alive meanwhile.
 */
void
StatementWatchPush(StatementWatch *w)
{
	w->previous = watchers;
	watchers = w;
}

void
StatementWatchPop(StatementWatch *w)
{
	if (watchers == w)
		watchers = w->previous;
}

/*
 * Run fn(arg) with no statement watched, as a watcher's own statements are
 * not: for what a watcher's owner does between statements (kept.c puts a
 * table's rows back once a body is done).
 */
void
StatementWatchersMuted(void (*fn) (void *arg), void *arg)
{
	bool		was = in_watcher;

	in_watcher = true;
	PG_TRY();
	{
		fn(arg);
	}
	PG_FINALLY();
	{
		in_watcher = was;
	}
	PG_END_TRY();
}
