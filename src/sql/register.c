/*-------------------------------------------------------------------------
 *
 * register.c
 *	  migrate.register(): adding a revision to a project.
 *
 * Bootstrap scripts register every revision on every deploy, so registering
 * a revision that is already there with the same content must be a cheap
 * no-op: one indexed read, no lock, no write.  Anything else takes the
 * project's migration lock, so that a revision cannot change under a run.
 *
 * A revision that has been applied is immutable: the version rows record
 * that its body ran, and changing the body would make the record a lie.
 * Before that, a changed revision replaces the old one only when the caller
 * says so (replace => true), keeping its place in the registration order.
 *
 * Parents may be registered after their children: the graph is validated
 * when it is used, not here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_register);
PG_FUNCTION_INFO_V1(migrate_revision);
PG_FUNCTION_INFO_V1(migrate_merge);

/* a parsed list argument */
typedef struct NameList
{
	char	  **names;
	int			n;
} NameList;

/* the content of a revision, as given or as registered */
typedef struct RevisionContent
{
	NameList	down;
	NameList	depends;
	NameList	labels;
	char	   *message;
	char	   *checksum;		/* of the bodies and the flag below */
	bool		transactional;	/* false: non-transactional (apply()) */
} RevisionContent;

static SPIPlanPtr plan_ensure_project = NULL;

/*
 * Split "a1, b2 c3" into names, checking each against the id grammar.
 * Duplicates are refused: a list names each revision or label once.
 */
static NameList
parse_list(FunctionCallInfo fcinfo, int argno, const char *argname,
		   const char *what)
{
	NameList	list = {NULL, 0};
	char	  **sorted;

	if (PG_ARGISNULL(argno))
		return list;
	list.names = SplitList(text_to_cstring(PG_GETARG_TEXT_PP(argno)),
						   argname, &list.n);
	for (int i = 0; i < list.n; i++)
	{
		MgError		err;

		if (!mg_check_name(list.names[i], what, &err))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 errmsg("invalid %s: %s", argname, err.message),
					 err.detail ? errdetail_internal("%s", err.detail) : 0,
					 errhint("Lists are comma- or space-separated, as in 'a1b2, c3d4'.")));
	}

	/* sorted, duplicates are neighbours */
	sorted = palloc(sizeof(char *) * (list.n + 1));
	memcpy(sorted, list.names, sizeof(char *) * list.n);
	qsort(sorted, list.n, sizeof(char *), pg_qsort_strcmp);
	for (int i = 1; i < list.n; i++)
		if (strcmp(sorted[i - 1], sorted[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s lists \"%s\" more than once", argname, sorted[i])));
	return list;
}

static Datum
list_to_array(const NameList *list)
{
	Datum	   *elems = palloc(sizeof(Datum) * (list->n + 1));

	for (int i = 0; i < list->n; i++)
		elems[i] = CStringGetTextDatum(list->names[i]);
	return PointerGetDatum(construct_array(elems, list->n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

static NameList
array_to_list(Datum array)
{
	NameList	list;
	Datum	   *elems;
	bool	   *nulls;

	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &list.n);
	list.names = palloc(sizeof(char *) * (list.n + 1));
	for (int i = 0; i < list.n; i++)
		list.names[i] = nulls[i] ? "" : TextDatumGetCString(elems[i]);
	return list;
}

static char *
list_text(const NameList *list)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < list->n; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", list->names[i]);
	return buf.data;
}

static void
compare_list(StringInfo diff, const char *what, const NameList *old,
			 const NameList *new)
{
	bool		same = old->n == new->n;

	for (int i = 0; same && i < old->n; i++)
		same = strcmp(old->names[i], new->names[i]) == 0;
	if (!same)
		appendStringInfo(diff, "%s%s was '%s', now '%s'.",
						 diff->len > 0 ? " " : "", what,
						 list_text(old), list_text(new));
}

/*
 * What differs between the registered content and the given one, as
 * sentences for errdetail; empty when nothing does.
 */
static char *
content_difference(const RevisionContent *old, const RevisionContent *new)
{
	StringInfoData diff;

	initStringInfo(&diff);
	if (old->transactional != new->transactional)
		appendStringInfo(&diff, "transactional was %s, now %s; the checksum, which covers it and the bodies, was %s, now %s.",
						 old->transactional ? "true" : "false",
						 new->transactional ? "true" : "false",
						 old->checksum, new->checksum);
	else if (strcmp(old->checksum, new->checksum) != 0)
		appendStringInfo(&diff, "The bodies differ: registered checksum %s, new checksum %s.",
						 old->checksum, new->checksum);
	compare_list(&diff, "down_revision", &old->down, &new->down);
	compare_list(&diff, "depends_on", &old->depends, &new->depends);
	compare_list(&diff, "branch_labels", &old->labels, &new->labels);
	if ((old->message == NULL) != (new->message == NULL) ||
		(old->message && strcmp(old->message, new->message) != 0))
		appendStringInfo(&diff, "%sThe message differs.", diff.len > 0 ? " " : "");
	return diff.data;
}

/*
 * Read the registered content of a revision; false when it is not there.  One
 * index probe, without SPI: every registration starts here, and on a deploy
 * that registers what is already there, ends here.
 */
static bool
lookup_revision(const char *project, const char *id, RevisionContent *content)
{
	static const char *const columns[] = {"checksum", "down_revision",
	"depends_on", "branch_labels", "message", "transactional"};
	const char *keys[2] = {project, id};
	CatalogRows *rows = CatalogIndexScan("revision_pkey", 2, keys,
										 lengthof(columns), columns);
	bool		isnull;
	Datum		d;

	if (rows->n == 0)
		return false;
	content->checksum = TextDatumGetCString(CatalogRowValue(rows, 0, "checksum", &isnull));
	content->down = array_to_list(CatalogRowValue(rows, 0, "down_revision", &isnull));
	content->depends = array_to_list(CatalogRowValue(rows, 0, "depends_on", &isnull));
	content->labels = array_to_list(CatalogRowValue(rows, 0, "branch_labels", &isnull));
	d = CatalogRowValue(rows, 0, "message", &isnull);
	content->message = isnull ? NULL : TextDatumGetCString(d);
	content->transactional = DatumGetBool(CatalogRowValue(rows, 0, "transactional", &isnull));
	return true;
}

/*
 * Whether a revision has been applied: one of the version rows or an
 * ancestor of one (rules §12).  The graph may not be valid yet (parents can
 * be registered late), so the graph module answers from the revisions as
 * registered, without building it.
 */
static bool
is_applied(const char *project, const char *id)
{
	LoadedRevisions revs;
	int			nrows;
	char	  **rows = VersionIds(project, &nrows);

	if (nrows == 0)
		return false;
	RevisionsLoad(project, false, &revs);
	return mg_is_applied(revs.inputs, revs.n, (const char *const *) rows, nrows, id);
}

/*
 * Create the project row of a project's first revision.
 */
static void
ensure_project(const char *project)
{
	BookkeepingExecProject(&plan_ensure_project,
						   "INSERT INTO migrate.project (name, graph_gen)"
						   " VALUES ($1, pg_catalog.nextval('migrate.seq'::pg_catalog.regclass))"
						   " ON CONFLICT (name) DO NOTHING",
						   project, SPI_OK_INSERT);
}

/*
 * Register one revision (the work behind register, revision and merge), and
 * say what happened: "registered", "unchanged" or "replaced".  The caller is
 * connected to SPI.
 *
 * A new revision costs one indexed read, the registration lock and one
 * insert: the insert does not look again first, it lets the primary key say
 * whether another session registered the same id while this one waited for
 * the lock.  Replacing a revision takes the migration lock as well, since
 * runs plan from what it changes.
 */
static const char *
register_revision(const char *project, const char *id, const char *upgrade_sql,
				  const char *downgrade_sql, RevisionContent *new, bool replace)
{
	RevisionContent old;
	char	   *difference;
	Datum		values[REVISION_WRITE_COLUMNS];
	char		nulls[REVISION_WRITE_COLUMNS];
	bool		found;

	for (int i = 0; i < new->down.n; i++)
		if (strcmp(new->down.names[i], id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("revision %s cannot be its own parent", id),
					 errdetail("Self-loop is detected in revisions (%s)", id)));
	for (int i = 0; i < new->depends.n; i++)
		if (strcmp(new->depends.names[i], id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("revision %s cannot depend on itself", id),
					 errdetail("Dependency self-loop is detected in revisions (%s)", id)));

	/* the common case on every deploy: already there, unchanged */
	found = lookup_revision(project, id, &old);
	if (found && content_difference(&old, new)[0] == '\0')
		return "unchanged";

	ProjectRegistrationLock(project);

	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(project);
	values[1] = CStringGetTextDatum(id);
	values[2] = list_to_array(&new->down);
	values[3] = list_to_array(&new->depends);
	values[4] = list_to_array(&new->labels);
	if (new->message)
		values[5] = CStringGetTextDatum(new->message);
	else
		nulls[5] = 'n';
	values[6] = CStringGetTextDatum(upgrade_sql);
	if (downgrade_sql)
		values[7] = CStringGetTextDatum(downgrade_sql);
	else
		nulls[7] = 'n';
	values[8] = CStringGetTextDatum(new->checksum);
	values[9] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	values[10] = BoolGetDatum(new->transactional);

	/* read again under the lock what may have changed while this waited */
	if (found)
		found = lookup_revision(project, id, &old);

	/*
	 * Insert, unless the revision is there.  When the insert finds the id
	 * taken (a concurrent register won the race, or a row was written by
	 * hand), read it again and compare.  A conflict is always followed by a
	 * read that sees the row (under REPEATABLE READ the insert fails
	 * instead), so this ends; the bound is only a guard.
	 */
	for (int attempt = 0; !found; attempt++)
	{
		int64		seq;

		if (attempt > 3)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not register revision %s of project \"%s\"", id, project),
					 errdetail("Its row kept changing while it was being registered."),
					 errhint("Retry the call.")));
		if (!ProjectExists(project))
			ensure_project(project);
		seq = RevisionInsert(values, nulls);
		if (seq > 0)
		{
			/*
			 * Cached graphs and the project's summary notice a registration
			 * by the project's newest seq moving.  A seq that does not (a
			 * sequence with CACHE > 1, a row with a higher seq written by
			 * hand or restored) needs a new graph_gen instead, and so does
			 * a registration made from a transaction-wide snapshot, which
			 * may not see a revision with a higher seq committed since it
			 * began.
			 */
			if (IsolationUsesXactSnapshot() || !CatalogNewestIs(project, seq))
				ProjectBumpGraphGen(project);
			return "registered";
		}
		found = lookup_revision(project, id, &old);
	}

	difference = content_difference(&old, new);
	if (difference[0] == '\0')
		return "unchanged";

	if (is_applied(project, id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision %s of project \"%s\" has been applied and cannot be changed", id, project),
				 errdetail_internal("%s", difference),
				 errhint("Register the change as a new revision on top of it.")));
	if (!replace)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("revision %s of project \"%s\" is already registered with other content", id, project),
				 errdetail_internal("%s", difference),
				 errhint("It has not been applied: pass replace => true to register the new content in its place.")));

	/* a changed revision changes what runs plan from: they must not run */
	ProjectLock(project);
	if (is_applied(project, id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision %s of project \"%s\" has been applied and cannot be changed", id, project),
				 errdetail_internal("%s", difference),
				 errhint("Register the change as a new revision on top of it.")));
	ProjectBumpGraphGen(project);
	RevisionReplace(values, nulls);
	return "replaced";
}

static char *
required_text(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what),
				 argno == 1 ? errhint("A revision with nothing to do has an empty body: upgrade => ''.") : 0));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

static char *
optional_text(FunctionCallInfo fcinfo, int argno)
{
	return PG_ARGISNULL(argno) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * migrate.register(revision, upgrade, downgrade, down_revision, message,
 *					depends_on, branch_labels, project, replace)
 */
Datum
migrate_register(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *id = required_text(fcinfo, 0, "revision");
	char	   *upgrade_sql = required_text(fcinfo, 1, "upgrade body");
	char	   *downgrade_sql = optional_text(fcinfo, 2);
	bool		replace = !PG_ARGISNULL(8) && PG_GETARG_BOOL(8);
	char	   *project;
	RevisionContent new;
	MgError		err;
	const char *outcome;

	if (!mg_check_name(id, "revision identifier", &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("%s", err.message),
				 err.detail ? errdetail_internal("%s", err.detail) : 0,
				 errhint("Revision ids are made of letters, digits, '_' and '.'; base, head and heads are reserved.")));
	new.down = parse_list(fcinfo, 3, "down_revision", "revision identifier");
	new.message = optional_text(fcinfo, 4);
	new.depends = parse_list(fcinfo, 5, "depends_on", "revision identifier");
	new.labels = parse_list(fcinfo, 6, "branch_labels", "branch label");
	project = ProjectArg(fcinfo, 7);
	new.transactional = PG_ARGISNULL(9) || PG_GETARG_BOOL(9);
	new.checksum = RevisionChecksum(upgrade_sql, downgrade_sql, new.transactional);

	CallCheckWritable("register");
	CallBegin(&call, false);
	outcome = register_revision(project, id, upgrade_sql, downgrade_sql, &new, replace);
	CallEnd(&call);
	PG_RETURN_TEXT_P(cstring_to_text(outcome));
}

/*
 * A new revision id: twelve hex digits from the strong random source, as
 * `alembic revision` makes them.  Retried in the (unlikely) event that the
 * project already has it.
 */
static char *
new_revision_id(const char *project)
{
	for (;;)
	{
		uint8		bytes[6];
		char	   *id = palloc(13);
		RevisionContent dummy;

		if (!pg_strong_random(bytes, sizeof(bytes)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random revision id")));
		hex_encode((const char *) bytes, sizeof(bytes), id);
		id[12] = '\0';
		if (!lookup_revision(project, id, &dummy))
			return id;
	}
}

/*
 * The project's graph as it stands, or NULL when the project has none yet.
 */
static CachedGraph *
current_graph(const char *project)
{
	MigrateProject p;

	if (!ProjectRead(project, false, &p))
		return NULL;
	return GraphCacheGet(&p);
}

/*
 * migrate.revision(message, upgrade, downgrade, down_revision, depends_on,
 *					branch_labels, project): register a revision under a
 * generated id on top of the project's single head (or the given parents),
 * as `alembic revision -m` does, and return the id.
 */
Datum
migrate_revision(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *upgrade_sql = required_text(fcinfo, 1, "upgrade body");
	char	   *downgrade_sql = optional_text(fcinfo, 2);
	char	   *project = ProjectArg(fcinfo, 6);
	RevisionContent new;
	char	   *id;

	new.message = optional_text(fcinfo, 0);
	new.down = parse_list(fcinfo, 3, "down_revision", "revision identifier");
	new.depends = parse_list(fcinfo, 4, "depends_on", "revision identifier");
	new.labels = parse_list(fcinfo, 5, "branch_labels", "branch label");
	new.transactional = PG_ARGISNULL(7) || PG_GETARG_BOOL(7);
	new.checksum = RevisionChecksum(upgrade_sql, downgrade_sql, new.transactional);

	CallCheckWritable("revision");
	CallBegin(&call, false);
	ProjectRegistrationLock(project);
	if (PG_ARGISNULL(3))
	{
		CachedGraph *cg = current_graph(project);

		if (cg != NULL)
		{
			MgRevList	heads = mg_heads(cg->graph, false);

			if (heads.n > 1)
			{
				StringInfoData list;

				initStringInfo(&list);
				for (int i = 0; i < heads.n; i++)
					appendStringInfo(&list, "%s%s", i > 0 ? ", " : "",
									 mg_rev_id(cg->graph, heads.items[i]));
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("project \"%s\" has several heads", project),
						 errdetail("Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge. The heads are %s.", list.data),
						 errhint("Pass down_revision, or join the heads with migrate.merge().")));
			}
			if (heads.n == 1)
			{
				new.down.names = palloc(sizeof(char *));
				new.down.names[0] = pstrdup(mg_rev_id(cg->graph, heads.items[0]));
				new.down.n = 1;
			}
		}
	}
	id = new_revision_id(project);
	(void) register_revision(project, id, upgrade_sql, downgrade_sql, &new, false);
	{
		text	   *result = CallResultText(&call, id);

		CallEnd(&call);
		PG_RETURN_TEXT_P(result);
	}
}

/*
 * migrate.merge(message, revisions, project): a body-less revision whose
 * parents are the given revisions (default: all heads), as `alembic merge`.
 */
Datum
migrate_merge(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *revisions = PG_ARGISNULL(1) ? "heads" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *project = ProjectArg(fcinfo, 2);
	RevisionContent new;
	CachedGraph *cg;
	char	   *id;
	char	  **names;
	int			nnames;
	int			nparents = 0;
	int		   *parents;
	bool	   *seen;

	memset(&new, 0, sizeof(new));
	new.message = optional_text(fcinfo, 0);
	new.transactional = true;
	new.checksum = RevisionChecksum("", "", true);

	CallCheckWritable("merge");
	CallBegin(&call, false);
	ProjectRegistrationLock(project);
	cg = GraphCacheGet(ProjectOpen(project, false));
	GraphCacheCheckNotEmpty(cg);

	/* each name in the list is resolved as a target, so 'heads' works */
	parents = palloc(sizeof(int) * (mg_graph_size(cg->graph) + 1));
	seen = palloc0(sizeof(bool) * (mg_graph_size(cg->graph) + 1));
	names = SplitList(revisions, "revisions", &nnames);
	for (int k = 0; k < nnames; k++)
	{
		MgRevList	resolved;
		MgError		err;

		if (!mg_resolve(cg->graph, names[k], NULL, &resolved, &err))
			GraphError(&err, project);
		for (int i = 0; i < resolved.n; i++)
			if (!seen[resolved.items[i]])
			{
				seen[resolved.items[i]] = true;
				parents[nparents++] = resolved.items[i];
			}
	}
	if (nparents < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a merge needs at least two revisions; '%s' names %d", revisions, nparents),
				 errhint("Name the heads to join, or leave revisions out to merge all heads.")));
	new.down.names = palloc(sizeof(char *) * nparents);
	for (int i = 0; i < nparents; i++)
		new.down.names[i] = pstrdup(mg_rev_id(cg->graph, parents[i]));
	new.down.n = nparents;

	id = new_revision_id(project);
	(void) register_revision(project, id, "", "", &new, false);
	{
		text	   *result = CallResultText(&call, id);

		CallEnd(&call);
		PG_RETURN_TEXT_P(result);
	}
}
