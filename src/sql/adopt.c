/*-------------------------------------------------------------------------
 *
 * adopt.c
 *	  Taking over a database that Alembic has been migrating.
 *
 * migrate.adopt_alembic(version_table, project) reads Alembic's version
 * table (one row per applied head, column version_num) and sets the
 * project's version rows to exactly those revisions, running no body: the
 * revisions were registered beforehand from the files that
 * tools/migrate-import-alembic wrote, and the schema already is what they
 * describe.  It is a stamp from base to Alembic's heads, done by the same
 * planner and run machinery as migrate.stamp(), so it returns stamp's rows
 * and is logged as stamp steps ('stamp' in migrate.log.operation, heads
 * before '{}').
 *
 * The Alembic table is read through SPI as the caller, so the caller needs
 * SELECT on it, and it is left as it is: Alembic can still be pointed at the
 * database while the team moves over.  It is read with row security off: a
 * policy is an expression of the table owner's choosing, and it would run
 * with the caller's rights; a table whose policies apply to the caller is
 * refused instead.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_adopt_alembic);

/* the table Alembic creates unless env.py names another */
#define ALEMBIC_DEFAULT_TABLE "alembic_version"

/*
 * The Alembic version table: the one given, or alembic_version as the
 * search_path finds it (where Alembic itself, with no version_table_schema,
 * creates and reads it).
 */
static Oid
version_table_arg(FunctionCallInfo fcinfo)
{
	Oid			relid;

	if (!PG_ARGISNULL(0))
		return PG_GETARG_OID(0);
	relid = RangeVarGetRelid(makeRangeVar(NULL, ALEMBIC_DEFAULT_TABLE, -1),
							 NoLock, true);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s\" does not exist", ALEMBIC_DEFAULT_TABLE),
				 errdetail("No Alembic version table was given, and none named \"%s\" is on the search_path.",
						   ALEMBIC_DEFAULT_TABLE),
				 errhint("Name the table, as env.py configures it: migrate.adopt_alembic('schema.version_table', 'project').")));
	return relid;
}

static bool
is_string_type(Oid type)
{
	type = getBaseType(type);
	return type == VARCHAROID || type == TEXTOID || type == BPCHAROID;
}

/*
 * Check that relid looks like a table Alembic made: a plain table whose only
 * column is version_num, of a string type (VARCHAR(32) as Alembic creates
 * it, or wider).  Anything else is some other table, and reading revision
 * ids out of it would be a guess.  Returns the table's qualified, quoted
 * name.
 */
static char *
check_version_table(Oid relid)
{
	Relation	rel = try_relation_open(relid, AccessShareLock);
	TupleDesc	desc;
	char	   *qualified;
	char	   *display;
	StringInfoData columns;
	int			nlive = 0;
	bool		ok;

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));

	qualified = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
										   RelationGetRelationName(rel));
	display = qualified;
	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an Alembic version table", display),
				 errdetail("It is not a table."),
				 errhint("Pass the table named by version_table (and version_table_schema) in the project's env.py.")));

	/*
	 * A policy of the table's owner would run as the caller, with the
	 * caller's rights, while the rows are read; so the rows are read with
	 * row security off, and a table whose policies apply to the caller is
	 * refused.
	 */
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("row-level security applies to Alembic version table \"%s\"", display),
				 errdetail("adopt_alembic() reads the table with row security off, so that no policy runs with the caller's rights."),
				 errhint("Adopt as a role its policies do not apply to (its owner, unless row-level security is forced, or a role with BYPASSRLS), or disable row-level security on the table (ALTER TABLE %s DISABLE ROW LEVEL SECURITY).",
						 display)));

	desc = RelationGetDescr(rel);
	initStringInfo(&columns);
	ok = true;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		if (nlive++ > 0)
			appendStringInfoString(&columns, ", ");
		appendStringInfo(&columns, "%s %s", quote_identifier(NameStr(att->attname)),
						 format_type_be(att->atttypid));
		if (strcmp(NameStr(att->attname), "version_num") != 0 ||
			!is_string_type(att->atttypid))
			ok = false;
	}
	if (!ok || nlive != 1)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an Alembic version table", display),
				 nlive == 0 ?
				 errdetail("An Alembic version table has one column, version_num, of a string type; this table has no columns.") :
				 errdetail("An Alembic version table has one column, version_num, of a string type; this table has: %s.",
						   columns.data),
				 errhint("Pass the table named by version_table (and version_table_schema) in the project's env.py.")));

	/* keep the lock: the table must not change shape before it is read */
	relation_close(rel, NoLock);
	return qualified;
}

/*
 * Alembic's rows, read as the caller (who needs SELECT on the table),
 * sorted and without duplicates.  Runs after the project's lock is taken,
 * with a new snapshot, so an Alembic run that committed meanwhile is seen.
 */
static char **
read_alembic_rows(const char *table, int *n)
{
	char	   *sql = psprintf("SELECT version_num::pg_catalog.text FROM %s", table);
	char	  **ids;
	int			rc;
	int			count = 0;
	int			nestlevel = NewGUCNestLevel();

	/* no policy runs here: check_version_table refused those that apply */
	(void) set_config_option("row_security", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute(sql, false, 0);
	AtEOXact_GUC(true, nestlevel);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));

	ids = palloc(sizeof(char *) * (SPI_processed + 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
									  1, &isnull);

		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("Alembic version table \"%s\" holds a NULL version_num", table),
					 errhint("Delete that row, or set it to the revision the database is at.")));
		ids[count++] = TextDatumGetCString(d);
	}
	SPI_freetuptable(SPI_tuptable);

	qsort(ids, count, sizeof(char *), pg_qsort_strcmp);
	*n = 0;
	for (int i = 0; i < count; i++)
		if (*n == 0 || strcmp(ids[*n - 1], ids[i]) != 0)
			ids[(*n)++] = ids[i];
	return ids;
}

static char *
join_ids(char **ids, int n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", ids[i]);
	return buf.data;
}

/*
 * The project, locked and read, with a graph that may be stamped: as for
 * stamp(), a project without revisions or with bodies that fail their
 * checksum is refused.
 */
static CachedGraph *
open_project(const char *name, MigrateProject **project)
{
	CachedGraph *cg;

	ProjectLock(name);
	*project = ProjectOpen(name, IsolationUsesXactSnapshot());
	cg = GraphCacheGet(*project);
	if (mg_graph_size(cg->graph) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("project \"%s\" has no revisions", name),
				 errhint("Load the files tools/migrate-import-alembic wrote for the project first.")));
	GraphCacheCheckIntact(cg);
	return cg;
}

/*
 * migrate.adopt_alembic(version_table regclass, project text)
 */
Datum
migrate_adopt_alembic(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	Oid			relid;
	char	   *name;
	char	   *table;
	MigrateProject *project;
	CachedGraph *cg;
	MgRevList	rows;
	MgRevList	none = {NULL, 0};
	MgPlan		plan;
	MgError		err;
	char	  **ids;
	int			nids;
	char	  **unknown;
	int			nunknown = 0;
	char	  **current;
	bool		same;

	CallCheckWritable("adopt_alembic");
	relid = version_table_arg(fcinfo);
	name = ProjectArg(fcinfo, 1);
	table = check_version_table(relid);

	InitMaterializedSRF(fcinfo, 0);
	CallCheckNotRunning(name);
	CallBegin(&call, false);
	cg = open_project(name, &project);
	ids = read_alembic_rows(table, &nids);

	unknown = palloc(sizeof(char *) * (nids + 1));
	for (int i = 0; i < nids; i++)
		if (mg_lookup(cg->graph, ids[i]) < 0)
			unknown[nunknown++] = ids[i];
	if (nunknown > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg_plural("Alembic version table \"%s\" names a revision that project \"%s\" does not have",
							   "Alembic version table \"%s\" names revisions that project \"%s\" does not have",
							   nunknown, table, name),
				 errdetail_plural("Unknown revision: %s.", "Unknown revisions: %s.",
								  nunknown, join_ids(unknown, nunknown)),
				 errhint("Register the project's revisions first: load the files tools/migrate-import-alembic wrote for it.")));

	rows = VersionRows(cg);
	if (rows.n > 0)
	{
		current = palloc(sizeof(char *) * rows.n);
		for (int i = 0; i < rows.n; i++)
			current[i] = pstrdup(mg_rev_id(cg->graph, rows.items[i]));
		qsort(current, rows.n, sizeof(char *), pg_qsort_strcmp);
		same = rows.n == nids;
		for (int i = 0; same && i < nids; i++)
			same = strcmp(current[i], ids[i]) == 0;
		if (same)
		{
			/* adopted already: nothing to do, nothing written */
			CallEnd(&call);
			return (Datum) 0;
		}
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("project \"%s\" already has version rows", name),
				 errdetail("Its version rows are %s; Alembic version table \"%s\" holds %s.",
						   join_ids(current, rows.n), table,
						   nids > 0 ? join_ids(ids, nids) : "none"),
				 errhint("To replace them with Alembic's, clear them first with migrate.stamp('base', '%s', purge => true), then adopt again.",
						 name)));
	}
	if (nids == 0)
	{
		/* Alembic is at base, and so is the project */
		CallEnd(&call);
		return (Datum) 0;
	}

	ProjectSaveSummary(project, cg);
	if (!mg_plan_stamp(cg->graph, (const char *const *) ids, nids, &none,
					   false, &plan, &err))
	{
		/*
		 * Rows of which one descends from another: Alembic never leaves its
		 * table so, a hand-edited table may.  Said as the adoption's problem,
		 * not as stamp's.
		 */
		if (err.code == MG_ERR_OVERLAP)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the rows of Alembic version table \"%s\" overlap", table),
					 errdetail("%s: one is an ancestor of another, where Alembic keeps a row for each applied head only.",
							   err.message),
					 errhint("Delete the rows of the revisions that other rows descend from, then adopt again."),
					 errcontext("migrate project \"%s\"", name)));
		GraphError(&err, name);
	}
	RunPlan(fcinfo, project, cg, &none, &plan);
	CallEnd(&call);
	return (Datum) 0;
}
