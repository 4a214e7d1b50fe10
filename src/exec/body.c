/*-------------------------------------------------------------------------
 *
 * body.c
 *	  Running one revision body: reading it, checking that it may run, and
 *	  running it as the caller with the project's settings.
 *
 * Bodies run as their runner: the caller of upgrade() or apply(), or the
 * project's run_as role, which the caller must be able to SET ROLE to
 * (configure.c), so that what the first boot of a fresh database creates
 * belongs to the application's owner role whoever booted it.
 *
 * Before a body runs it is read again and checked against the checksum
 * taken when it was registered, and against its author: a body runs with
 * the privileges of its runner, so if a role could register a body that a
 * more privileged role later runs, registering would be a way to borrow
 * that role's rights.  A body therefore runs only for runners whose
 * privileges its author (registered_by) also has, role attributes included
 * (util/trust.c); a superuser's revisions can be run by anyone allowed to
 * migrate.  The project's target schema goes first on the bodies'
 * search_path, so it is trusted like a body (BodyPrepareRun).
 *
 * A body runs through SPI, in the caller's transaction, as its runner, with
 * the project's search_path, lock_timeout and statement_timeout in force
 * and an error context naming the revision.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "migrate.h"
#include "util/catwrites.h"
#include "util/trust.h"

/* what the error context callback says about the step under way */
typedef struct StepInfo
{
	const char *operation;
	const char *revision;
	const char *message;
} StepInfo;

static void
step_error_callback(void *arg)
{
	StepInfo   *step = (StepInfo *) arg;

	if (step->message && step->message[0] != '\0')
		errcontext("while running %s of revision %s (%s)",
				   step->operation, step->revision, step->message);
	else
		errcontext("while running %s of revision %s",
				   step->operation, step->revision);
}

/*
 * Push the error context that names step (pop it with
 * error_context_stack = errcallback->previous); info and errcallback are
 * the caller's, and live as long as the context does.
 */
static void
push_step_context(ErrorContextCallback *errcallback, StepInfo *info,
				  const CachedGraph *cg, const MgStep *step)
{
	info->operation = GraphStepOperation(step->kind);
	info->revision = mg_rev_id(cg->graph, step->rev);
	info->message = cg->messages[step->rev];
	errcallback->callback = step_error_callback;
	errcallback->arg = info;
	errcallback->previous = error_context_stack;
	error_context_stack = errcallback;
}

/*
 * A schema on the bodies' search_path that a role not trusted to write SQL
 * for the runner may write: that role; NULL when there is none.
 */
static char *
untrusted_path_writer(List *path, Oid runner, Oid *nsp_out)
{
	ListCell   *lc;

	foreach(lc, path)
	{
		Oid			writer;

		if (!TrustUntrustedWriter(lfirst_oid(lc), runner, &writer))
			continue;
		*nsp_out = lfirst_oid(lc);
		return OidIsValid(writer) ?
			psprintf("role \"%s\"", GetUserNameFromId(writer, false)) :
			pstrdup("every role (CREATE is granted to PUBLIC)");
	}
	return NULL;
}

/* the relations, functions, operators and types of the schemas $1 */
#define PATH_OBJECTS \
	"SELECT 'pg_catalog.pg_class'::pg_catalog.regclass AS classid, c.oid, c.relowner AS owner" \
	"  FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) ANY ($1)" \
	" UNION ALL SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, p.proowner" \
	"  FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) ANY ($1)" \
	" UNION ALL SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid, o.oprowner" \
	"  FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) ANY ($1)" \
	" UNION ALL SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid, t.typowner" \
	"  FROM pg_catalog.pg_type t WHERE t.typnamespace OPERATOR(pg_catalog.=) ANY ($1)"

/*
 * A relation, function, operator or type on the bodies' search_path owned
 * by a role not trusted to write SQL for the runner: its description and
 * owner (the first such owner by oid, and its first object by
 * description); NULL when there is none.  What a role made while it could
 * create objects in a schema stays there after that right is gone.  The
 * owners are read first, and an object described only for an owner found
 * untrusted.
 */
static char *
read_untrusted_path_object(List *path, Oid runner, Oid *owner_out)
{
	static SPIPlanPtr plan_owners = NULL;
	static SPIPlanPtr plan_object = NULL;
	Oid			argtypes[2] = {OIDARRAYOID, OIDOID};
	Datum		values[2];
	Datum	   *elems = palloc(sizeof(Datum) * (list_length(path) + 1));
	int			n = 0;
	ListCell   *lc;
	char	   *found = NULL;
	Oid			owner = InvalidOid;

	foreach(lc, path)
		elems[n++] = ObjectIdGetDatum(lfirst_oid(lc));
	values[0] = PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true,
												TYPALIGN_INT));
	BookkeepingPrepare(&plan_owners,
					   "SELECT DISTINCT x.owner FROM (" PATH_OBJECTS ") x ORDER BY 1",
					   1, argtypes);
	BookkeepingExec(plan_owners, values, NULL, SPI_OK_SELECT);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			candidate = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
															   SPI_tuptable->tupdesc, 1, &isnull));

		if (!TrustMayRunFor(candidate, runner))
		{
			owner = candidate;
			break;
		}
	}
	SPI_freetuptable(SPI_tuptable);
	if (!OidIsValid(owner))
		return NULL;

	BookkeepingPrepare(&plan_object,
					   "SELECT pg_catalog.min(pg_catalog.pg_describe_object(x.classid, x.oid, 0))"
					   " FROM (" PATH_OBJECTS ") x WHERE x.owner OPERATOR(pg_catalog.=) $2",
					   2, argtypes);
	values[1] = ObjectIdGetDatum(owner);
	BookkeepingExec(plan_object, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 1)
		found = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	if (found == NULL)
		return NULL;			/* gone meanwhile */
	*owner_out = owner;
	return found;
}

/*
 * The last search_path found free of objects of untrusted roles, in this
 * transaction, for a runner, and when (see untrusted_path_object).
 */
typedef struct CleanPath
{
	bool		valid;
	LocalTransactionId lxid;
	Oid			runner;
	Oid		   *path;
	int			npath;
	CatalogMark mark;
} CleanPath;

static CleanPath clean_path;

/* what is looked for among the rows written since clean_path.mark */
typedef struct PathWrites
{
	List	   *path;
	Oid			runner;
	AttrNumber	nspattr;
	AttrNumber	ownerattr;
	bool		untrusted;
} PathWrites;

static void
path_write(Relation catalog, HeapTuple tuple, int what, void *arg)
{
	PathWrites *w = (PathWrites *) arg;
	bool		isnull;
	Oid			nsp;
	Oid			owner;

	if ((what & CATWRITE_DELETED) || w->untrusted)
		return;
	nsp = DatumGetObjectId(heap_getattr(tuple, w->nspattr, RelationGetDescr(catalog), &isnull));
	owner = DatumGetObjectId(heap_getattr(tuple, w->ownerattr, RelationGetDescr(catalog), &isnull));
	if (list_member_oid(w->path, nsp) && !TrustMayRunFor(owner, w->runner))
		w->untrusted = true;
}

static bool
same_path(List *path)
{
	ListCell   *lc;
	int			i = 0;

	if (list_length(path) != clean_path.npath)
		return false;
	foreach(lc, path)
		if (clean_path.path[i++] != lfirst_oid(lc))
			return false;
	return true;
}

/*
 * Whether the path found clean before, in this transaction and for this
 * runner, still is: no relation, function, operator or type of an
 * untrusted role was written in its schemas since, by this transaction.
 * Another session's objects could only get there through a role that may
 * create objects in those schemas, which check_body_path() refuses at every
 * run before it asks this, or by a change of owner made by a trusted owner
 * or a superuser.
 */
static bool
still_clean(List *path, Oid runner)
{
	static const struct
	{
		Oid			catalog;
		AttrNumber	nspattr;
		AttrNumber	ownerattr;
	}			catalogs[] = {
		{RelationRelationId, Anum_pg_class_relnamespace, Anum_pg_class_relowner},
		{ProcedureRelationId, Anum_pg_proc_pronamespace, Anum_pg_proc_proowner},
		{OperatorRelationId, Anum_pg_operator_oprnamespace, Anum_pg_operator_oprowner},
		{TypeRelationId, Anum_pg_type_typnamespace, Anum_pg_type_typowner},
	};
	PathWrites	w;

	if (!clean_path.valid || clean_path.lxid != compat_MyLocalTransactionId() ||
		clean_path.runner != runner || !same_path(path))
		return false;
	w.path = path;
	w.runner = runner;
	w.untrusted = false;
	for (int i = 0; i < (int) lengthof(catalogs) && !w.untrusted; i++)
	{
		w.nspattr = catalogs[i].nspattr;
		w.ownerattr = catalogs[i].ownerattr;
		CatalogWrites(catalogs[i].catalog, &clean_path.mark, path_write, &w);
	}
	return !w.untrusted;
}

/*
 * A relation, function, operator or type on the bodies' search_path owned
 * by a role not trusted to write SQL for the runner (see
 * read_untrusted_path_object); NULL when there is none.  Reading every
 * object of the path costs in proportion to the database, and trial() and
 * check_reversible() start a run for each revision: so a path found clean
 * is remembered for the rest of the transaction, and then only what the
 * transaction wrote since is read (util/catwrites.c).
 */
static char *
untrusted_path_object(List *path, Oid runner, Oid *owner_out)
{
	char	   *found;
	ListCell   *lc;
	int			i = 0;

	if (still_clean(path, runner))
	{
		CatalogMarkNow(&clean_path.mark);
		return NULL;
	}
	clean_path.valid = false;
	found = read_untrusted_path_object(path, runner, owner_out);
	if (found != NULL)
		return found;
	if (clean_path.path != NULL)
		pfree(clean_path.path);
	clean_path.path = MemoryContextAlloc(TopMemoryContext,
										 sizeof(Oid) * Max(list_length(path), 1));
	foreach(lc, path)
		clean_path.path[i++] = lfirst_oid(lc);
	clean_path.npath = i;
	clean_path.runner = runner;
	clean_path.lxid = compat_MyLocalTransactionId();
	CatalogMarkNow(&clean_path.mark);
	clean_path.valid = true;
	return NULL;
}

/*
 * The search_path the bodies run under (the project's target schema, then
 * the caller's, as set by apply_settings) decides what their unqualified
 * names mean.  A role that may create objects in one of its schemas could
 * make a name there match a body's call better than pg_catalog's
 * (lower(varchar) where pg_catalog has lower(text)), or put a table with a
 * trigger where the body writes: that role's SQL would run as the runner.
 * So every schema on the path must be owned and writable only by roles
 * whose SQL may run as the runner (util/trust.c), as a target schema always
 * had to be, and hold no relation, function, operator or type of another
 * role.  pg_catalog and the session's own temporary schema are the
 * server's and the session's.  Checked once per run, before its first
 * body.
 */
static void
check_body_path(const MigrateProject *project, Oid runner)
{
	List	   *all = fetch_search_path(false);
	List	   *path = NIL;
	ListCell   *lc;
	Oid			nsp = InvalidOid;
	Oid			owner = InvalidOid;
	char	   *what;

	foreach(lc, all)
		if (lfirst_oid(lc) != PG_CATALOG_NAMESPACE && !isTempNamespace(lfirst_oid(lc)))
			path = lappend_oid(path, lfirst_oid(lc));
	if (path == NIL)
		return;
	if ((what = untrusted_path_writer(path, runner, &nsp)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("schema \"%s\" on the search_path of the bodies of project \"%s\" can be written by %s, which does not have the privileges of role \"%s\"",
						get_namespace_name(nsp), project->name, what,
						GetUserNameFromId(runner, false)),
				 errdetail("A body's unqualified names are looked up through its search_path: a function or table that role puts there would run with the privileges of role \"%s\".",
						   GetUserNameFromId(runner, false)),
				 errhint("Run the migration as a role that role has the privileges of (SET ROLE), take the schema off the search_path, or revoke CREATE on it.")));
	if ((what = untrusted_path_object(path, runner, &owner)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s, on the search_path of the bodies of project \"%s\", is owned by role \"%s\", which does not have the privileges of role \"%s\"",
						what, project->name, GetUserNameFromId(owner, false),
						GetUserNameFromId(runner, false)),
				 errdetail("A body's unqualified names are looked up through its search_path: a function or table of that role would run with the privileges of role \"%s\".",
						   GetUserNameFromId(runner, false)),
				 errhint("Run the migration as a role that role has the privileges of (SET ROLE), or take the schema off the search_path.")));
}

/*
 * The role a project's bodies run as: its run_as role, or the caller.
 * Checked before a run starts (BodyPrepareRun).
 */
Oid
BodyRunner(const MigrateProject *project)
{
	if (project->run_as == NULL)
		return GetUserId();
	return get_role_oid(project->run_as, false);
}

/*
 * A project with run_as: the role must exist, and the caller must be able
 * to SET ROLE to it, as configure() checked of whoever set it.
 */
static void
check_run_as(const MigrateProject *project)
{
	Oid			role;

	if (project->run_as == NULL)
		return;
	role = get_role_oid(project->run_as, true);
	if (!OidIsValid(role))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role \"%s\", which the bodies of project \"%s\" run as, does not exist",
						project->run_as, project->name),
				 errhint("Create the role, or configure the project again: migrate.configure('%s', reset => '{run_as}').",
						 project->name)));
	if (!compat_member_can_set_role(GetUserId(), role))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to run the bodies of project \"%s\" as role \"%s\"",
						project->name, project->run_as),
				 errdetail("The project runs its bodies as \"%s\" (configure(run_as)); its callers must be able to SET ROLE to it.",
						   project->run_as),
				 errhint("GRANT \"%s\" TO \"%s\".", project->run_as,
						 GetUserNameFromId(GetUserId(), false))));
}

/*
 * Read a step's body and check it: unchanged since it was registered, and
 * written by a role that has the privileges of the role it runs as.
 */
char *
BodyFetch(const MigrateProject *project, const CachedGraph *cg,
		  const MgStep *step, char **checksum, Oid *author_oid)
{
	RevisionRow row;
	const char *id = mg_rev_id(cg->graph, step->rev);
	char	   *author;

	if (!RevisionRead(cg->project, id, &row))
		RevisionVanished(cg->project, id);
	RevisionCheckIntact(cg->project, id, &row);
	author = row.registered_by;

	*author_oid = get_role_oid(author, true);
	if (!TrustMayRunFor(*author_oid, BodyRunner(project)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("revision %s of project \"%s\" was registered by role \"%s\", which does not have the privileges of role \"%s\"",
						id, cg->project, author, GetUserNameFromId(BodyRunner(project), false)),
				 errdetail("A body runs with the privileges of the role that runs it, so it may only be run by roles whose privileges, role attributes included, its author has."),
				 errhint("Run the migration as \"%s\" (SET ROLE), or have a role with your privileges register the revision.", author)));

	*checksum = row.checksum;
	if (step->kind == MG_STEP_UPGRADE)
		return row.upgrade_sql;
	return row.downgrade_sql;
}

/*
 * A project's target schema goes first on the search_path of its bodies, so
 * what is in it decides what their unqualified names mean: it must be as
 * trustworthy as a body.  The role that configured it and the role that
 * owns it must each be one the runner could run a body of.  A schema that
 * does not exist yet is created by the runner, who then owns it.
 */
static void
prepare_target_schema(const MigrateProject *project)
{
	Oid			caller = BodyRunner(project);
	char	   *callername = GetUserNameFromId(caller, false);
	Oid			nsp;
	HeapTuple	tuple;
	Oid			owner;

	/*
	 * Whoever last configured the project is trusted for its target schema,
	 * and for its absence: a schema taken away sends the bodies' unqualified
	 * names elsewhere too.
	 */
	if (project->target_schema == NULL && project->configured_by != NULL &&
		!TrustMayRunFor(get_role_oid(project->configured_by, true), caller))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("project \"%s\" was configured without a target schema by role \"%s\", which does not have the privileges of role \"%s\"",
						project->name, project->configured_by, callername),
				 errdetail("The target schema, or its absence, decides what the bodies' unqualified names mean, so who configured it is trusted like a body."),
				 errhint("Run migrate.configure() again as \"%s\", or run the migration as \"%s\".",
						 callername, project->configured_by)));
	if (project->target_schema == NULL)
		return;
	if (project->configured_by == NULL ||
		!TrustMayRunFor(get_role_oid(project->configured_by, true), caller))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the target schema of project \"%s\" was set by role \"%s\", which does not have the privileges of role \"%s\"",
						project->name, project->configured_by ? project->configured_by : "?", callername),
				 errdetail("The target schema goes first on the search_path of the bodies, so it is trusted like a body."),
				 errhint("Run migrate.configure() again as \"%s\", or run the migration as \"%s\".",
						 callername, project->configured_by ? project->configured_by : "?")));

	nsp = get_namespace_oid(project->target_schema, true);
	if (!OidIsValid(nsp))
	{
		char	   *sql = psprintf("CREATE SCHEMA %s",
								   quote_identifier(project->target_schema));
		Oid			save_userid;
		int			save_sec_context;
		int			rc;

		/* the runner's schema: what the first boot creates is the owner role's */
		GetUserIdAndSecContext(&save_userid, &save_sec_context);
		SetUserIdAndSecContext(caller, save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
		rc = SPI_execute(sql, false, 0);
		SetUserIdAndSecContext(save_userid, save_sec_context);
		if (rc != SPI_OK_UTILITY)
			elog(ERROR, "could not create schema \"%s\"", project->target_schema);
		return;
	}

	tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for schema %u", nsp);
	owner = ((Form_pg_namespace) GETSTRUCT(tuple))->nspowner;
	ReleaseSysCache(tuple);
	if (!TrustMayRunFor(owner, caller))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("target schema \"%s\" of project \"%s\" is owned by role \"%s\", which does not have the privileges of role \"%s\"",
						project->target_schema, project->name,
						GetUserNameFromId(owner, false), callername),
				 errdetail("Objects in the target schema come first on the search_path of the bodies, so its owner could change what they do."),
				 errhint("Give the schema to a role with your privileges, or run the migration as its owner.")));
}

/* the statement of a body under way, for the error context */
static void
statement_error_callback(void *arg)
{
	const BodyStatement *st = (const BodyStatement *) arg;

	errcontext("statement %d of the body, line %d", st->number, st->line);
}

/*
 * Run a body's statements one after the other, through SPI, in the
 * caller's transaction.  When the body has more than one, an error says
 * which one failed.  On a Citus coordinator, those that make a table run
 * at top level instead (citus.c).
 */
static void
run_statements(const BodyStatement *stmts, int n)
{
	MemoryContext context = CurrentMemoryContext;

	for (int i = 0; i < n; i++)
	{
		ErrorContextCallback errcallback;
		int			rc;

		errcallback.callback = statement_error_callback;
		errcallback.arg = (void *) &stmts[i];
		errcallback.previous = error_context_stack;
		if (n > 1)
			error_context_stack = &errcallback;
		if (stmts[i].kind == BODY_NEW_TABLE && CitusPresent())
		{
			CitusRunTopLevel(stmts[i].text);
			error_context_stack = errcallback.previous;
			continue;
		}
		rc = SPI_execute(stmts[i].text, false, 0);
		/* SPI leaves us in its procedure context: back to the step's */
		MemoryContextSwitchTo(context);
		if (rc == SPI_ERROR_TRANSACTION)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
					 errmsg("transaction control statements are not allowed in a revision body"),
					 errdetail("A revision runs inside the caller's transaction; BEGIN, COMMIT, ROLLBACK and SAVEPOINT would end or split it."),
					 errhint("Remove the transaction control statements from the revision: migrate commits or rolls back the whole run with the caller's transaction.")));
		if (rc == SPI_ERROR_COPY)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("COPY to or from the client is not allowed in a revision body"),
					 errdetail("A body runs inside a function call, which has no connection to the client's input or output."),
					 errhint("Load the data with INSERT statements, or with COPY from a file on the server.")));
		if (rc < 0)
			elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
		error_context_stack = errcallback.previous;
		if (SPI_tuptable != NULL)
			SPI_freetuptable(SPI_tuptable);
	}
}

/*
 * The project's search_path and lock_timeout, in force until the returned
 * GUC nest level is left.
 */
static int
apply_settings(const MigrateProject *project)
{
	int			nestlevel = NewGUCNestLevel();
	int			lock_timeout = project->lock_timeout >= 0 ?
		project->lock_timeout : migrate_lock_timeout;

	if (project->target_schema != NULL)
	{
		char	   *path = psprintf("%s, %s",
									quote_identifier(project->target_schema),
									namespace_search_path);

		(void) set_config_option("search_path", path, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	}
	if (lock_timeout > 0)
	{
		char		buf[32];

		snprintf(buf, sizeof(buf), "%d", lock_timeout);
		(void) set_config_option("lock_timeout", buf, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	}
	return nestlevel;
}

/*
 * Before a run's first body: its runner (check_run_as), its target schema
 * (prepare_target_schema), then the search_path its bodies will run under
 * (check_body_path).
 */
void
BodyPrepareRun(const MigrateProject *project)
{
	int			nestlevel;

	check_run_as(project);
	prepare_target_schema(project);
	nestlevel = apply_settings(project);
	check_body_path(project, BodyRunner(project));
	AtEOXact_GUC(true, nestlevel);
}

/* the timers a body runs under, and what to put back after it */
typedef struct BodyTimers
{
	bool		had_timeout;	/* a statement_timeout was running */
	TimestampTz old_finish;		/* and when it was due */
	bool		armed;			/* the body's own limit is armed */
	bool		checking_client;	/* the connection check is armed */
} BodyTimers;

/*
 * statement_timeout is read by the server only when a top-level statement
 * starts, so the body's own limit is armed here by hand, never later than a
 * limit the session already had.
 *
 * And a client that goes away mid-run must not leave its migration to
 * commit unseen: have the server look for it every second while bodies run
 * (unless the session already checks), so that a lost client rolls the run
 * back as a cancel would.  The server arms this check only when a statement
 * starts, hence the explicit timer.  (Its setting is scoped by the caller's
 * GUC nest level.)
 */
static void
arm_timers(const MigrateProject *project, BodyTimers *t)
{
	int			statement_timeout = project->statement_timeout >= 0 ?
		project->statement_timeout : migrate_statement_timeout;

	t->had_timeout = get_timeout_active(STATEMENT_TIMEOUT);
	t->old_finish = t->had_timeout ? get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
	t->armed = false;
	t->checking_client = false;
	if (client_connection_check_interval == 0 && MyProcPort != NULL)
	{
		(void) set_config_option("client_connection_check_interval", "1000",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
		if (!get_timeout_active(CLIENT_CONNECTION_CHECK_TIMEOUT))
		{
			enable_timeout_after(CLIENT_CONNECTION_CHECK_TIMEOUT,
								 client_connection_check_interval);
			t->checking_client = true;
		}
	}
	if (statement_timeout > 0)
	{
		TimestampTz finish = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
														 statement_timeout);

		if (!t->had_timeout || finish < t->old_finish)
		{
			enable_timeout_at(STATEMENT_TIMEOUT, finish);
			t->armed = true;
		}
	}
}

static void
disarm_timers(const BodyTimers *t)
{
	if (t->checking_client)
		disable_timeout(CLIENT_CONNECTION_CHECK_TIMEOUT, false);
	if (t->armed)
	{
		if (t->had_timeout)
			enable_timeout_at(STATEMENT_TIMEOUT, t->old_finish);
		else
			disable_timeout(STATEMENT_TIMEOUT, false);
	}
}

/*
 * A body whose author does not have the privileges of the session's user
 * (a superuser who SET ROLE to the author's role, as the author check's
 * hint suggests) must not leave behind what the session would later use
 * with those privileges: a temporary table with a trigger, found first on
 * every search_path; a prepared statement under a name the session
 * executes; a cursor; a deferred trigger, fired at COMMIT.  PostgreSQL
 * forbids all of them in a security-restricted operation, as for the
 * maintenance commands that run other roles' code; the body runs as one.
 */
static int
restriction(Oid author)
{
	return TrustMayRunFor(author, GetSessionUserId()) ? 0 : SECURITY_RESTRICTED_OPERATION;
}

/*
 * Run one body as its runner, with the project's settings and timers in
 * force, scoped to the body: settings the body changes itself are undone
 * when it ends.  The rows kept of a table the body brought back go back
 * after its last statement, still as the runner (kept.c).
 */
static void
run_body(const MigrateProject *project, const char *body, Oid author,
		 KeptStep *kept)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	BodyStatement *stmts;
	int			n;
	int			nestlevel;
	BodyTimers	timers;
	Oid			save_userid;
	int			save_sec_context;

	stmts = SplitBody(body, &n);
	nestlevel = apply_settings(project);
	arm_timers(project, &timers);

	/*
	 * A body must not change who it runs as: RESET ROLE would take it from
	 * the caller's current role back to the session user, and SET ROLE to any
	 * role the session user may assume.  Forbid both, as PostgreSQL does
	 * inside SECURITY DEFINER functions.
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(BodyRunner(project),
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   restriction(author));
	PG_TRY();
	{
		run_statements(stmts, n);
		KeptStepBodyDone(kept);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		SetUserIdAndSecContext(save_userid, save_sec_context);
		disarm_timers(&timers);
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		if (edata->sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE && edata->hint == NULL)
		{
			SplitRoleChangeHint(edata);
			if (edata->hint == NULL)
				PG_RE_THROW();
			FlushErrorState();
			ReThrowError(edata);
		}
		if (edata->sqlerrcode != ERRCODE_ACTIVE_SQL_TRANSACTION || edata->hint != NULL)
			PG_RE_THROW();

		/*
		 * CREATE INDEX CONCURRENTLY, VACUUM, CREATE DATABASE and the like
		 * refuse to run inside a transaction block or a function.
		 */
		FlushErrorState();
		edata->hint = pstrdup("Revision bodies run inside the caller's transaction, where this statement is not allowed. "
							  "Register the revision with transactional => false and run it with CALL migrate.apply(), "
							  "or use the statement's transactional form (for example CREATE INDEX without CONCURRENTLY).");
		ReThrowError(edata);
	}
	PG_END_TRY();
	SetUserIdAndSecContext(save_userid, save_sec_context);
	disarm_timers(&timers);

	/*
	 * What the body set (SET, SET LOCAL, set_config()) ends with it, as the
	 * project's own settings do: a revision must not change how the next one,
	 * or the caller's transaction, runs.
	 */
	AtEOXact_GUC(false, nestlevel);
}

/*
 * Run a step's body as its runner, with an error context that names the
 * revision ("while running upgrade of revision c3d4 (add email)").
 */
void
BodyRun(const MigrateProject *project, const CachedGraph *cg,
		const MgStep *step, const char *body, Oid author)
{
	ErrorContextCallback errcallback;
	StepInfo	info;
	KeptStep   *volatile kept;

	push_step_context(&errcallback, &info, cg, step);

	/* what the body drops is kept, what the opposite step kept comes back */
	kept = KeptStepBegin(project, mg_rev_id(cg->graph, step->rev),
						 step->kind == MG_STEP_UPGRADE);
	PG_TRY();
	{
		run_body(project, body, author, kept);
	}
	PG_CATCH();
	{
		KeptStepEnd(kept, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	KeptStepEnd(kept, true);

	error_context_stack = errcallback.previous;
}

/*
 * Run a non-transactional step's statements in a background worker
 * (launch.c), each committing on its own, with the settings a body would
 * have here and the same error context.  The caller holds no snapshot.
 */
void
BodyRunNontransactional(const MigrateProject *project, const CachedGraph *cg,
						const MgStep *step, BodyStatement *stmts, int nstmts)
{
	ErrorContextCallback errcallback;
	StepInfo	info;
	WorkerRun	run;

	run.project = project->name;
	run.revision = mg_rev_id(cg->graph, step->rev);
	run.search_path = project->target_schema == NULL ? namespace_search_path :
		psprintf("%s, %s", quote_identifier(project->target_schema),
				 namespace_search_path);
	run.lock_timeout = project->lock_timeout >= 0 ?
		project->lock_timeout : migrate_lock_timeout;
	run.statement_timeout = project->statement_timeout >= 0 ?
		project->statement_timeout : migrate_statement_timeout;
	run.statements = stmts;
	run.nstatements = nstmts;
	run.runner = BodyRunner(project);

	push_step_context(&errcallback, &info, cg, step);

	LaunchStatements(&run);

	error_context_stack = errcallback.previous;
}

/*
 * A non-transactional step, before its statements run in a background
 * worker: its body read and checked, its NOTICE, its statements.  Under
 * the step's error context, so that a body that fails its checks, or that
 * does not parse, is named.  Transaction control and COPY to or from the
 * client are refused here, before any statement has run: in the worker
 * they would fail only after the statements before them had committed.
 */
BodyStatement *
BodyPrepareNontransactional(const MigrateProject *project,
							const CachedGraph *cg, const MgStep *step,
							char **checksum, int *nstmts)
{
	ErrorContextCallback errcallback;
	StepInfo	info;
	BodyStatement *stmts;
	Oid			author;
	char	   *body = BodyFetch(project, cg, step, checksum, &author);

	push_step_context(&errcallback, &info, cg, step);

	stmts = SplitBody(body, nstmts);
	for (int i = 0; i < *nstmts; i++)
	{
		if (stmts[i].kind == BODY_TRANSACTION_CONTROL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
					 errmsg("transaction control statements are not allowed in a revision body"),
					 errdetail("Statement %d (line %d) controls transactions; the statements of a revision registered with transactional => false each run and commit on their own.",
							   stmts[i].number, stmts[i].line),
					 errhint("Remove BEGIN, COMMIT, ROLLBACK and SAVEPOINT from the revision.")));
		if (stmts[i].kind == BODY_CLIENT_COPY)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("COPY to or from the client is not allowed in a revision body"),
					 errdetail("Statement %d (line %d) copies to or from the client; a body has no connection to the client's input or output.",
							   stmts[i].number, stmts[i].line),
					 errhint("Load the data with INSERT statements, or with COPY from a file on the server.")));
	}
	error_context_stack = errcallback.previous;
	return stmts;
}

/*
 * The INVALID indexes of the database (in one schema, unless schema is
 * NULL), as a text[] of qualified names: what a failed CREATE INDEX
 * CONCURRENTLY or REINDEX CONCURRENTLY leaves behind.  An index of a
 * partitioned table created ON ONLY it is invalid by design until its
 * partitions have theirs, and is not one of them.
 */
Datum
BodyInvalidIndexes(const char *schema)
{
	static SPIPlanPtr plan_invalid = NULL;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	char		nulls[1] = {' '};
	const char **names;
	Datum		result;

	if (schema)
		values[0] = CStringGetTextDatum(schema);
	else
		nulls[0] = 'n';
	BookkeepingPrepare(&plan_invalid,
					   "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)"
					   " FROM pg_catalog.pg_index i"
					   " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid"
					   " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
					   " WHERE NOT i.indisvalid AND c.relkind OPERATOR(pg_catalog.=) 'i'"
					   " AND n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])"
					   " AND ($1 IS NULL OR n.nspname OPERATOR(pg_catalog.=) $1)"
					   " ORDER BY 1",
					   1, argtypes);
	BookkeepingExec(plan_invalid, values, nulls, SPI_OK_SELECT);
	names = palloc(sizeof(char *) * (SPI_processed + 1));
	for (uint64 i = 0; i < SPI_processed; i++)
		names[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	result = StringsToTextArray(names, (int) SPI_processed);
	SPI_freetuptable(SPI_tuptable);
	return result;
}
