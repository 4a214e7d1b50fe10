/*-------------------------------------------------------------------------
 *
 * drift.c
 *	  Schema drift: what a project's schemas held after its last run, and
 *	  what differs from it now.
 *
 * A project's schemas are its target schema and every schema in which one
 * of its runs created or changed a relation, a type or a function (found
 * after each transactional step by the transaction ids of the catalog
 * rows: those the step's own transaction wrote, util/catwrites.c); they
 * are recorded in migrate.project_schema.  At the end of every run that did something
 * (upgrade, downgrade, stamp, apply, adopt), the fingerprint of each of
 * them (migrate.fingerprint()) replaces what migrate.schema_state held for
 * it.  verify() then compares each schema with its recorded state, object
 * by object: what was added, dropped or changed since, by anything other
 * than a run of migrate, is schema drift.
 *
 * The state is kept per schema, not per project: a schema two projects
 * share is recorded again after a run of either, so one project's
 * revisions are not the other's drift.  Runs nested in another call of
 * migrate (a trial, a body running another project) record nothing: the
 * outer call records when it ends, or rolls back.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "migrate.h"
#include "util/catwrites.h"

/* the schemas the steps of the run under way touched, by oid */
static List *touched = NIL;

/* the schema column of the catalog note_catalog() is reading */
typedef struct NoteArg
{
	AttrNumber	nspattr;
} NoteArg;

static void
note_row(Relation catalog, HeapTuple tuple, int what, void *arg)
{
	bool		isnull;
	Oid			nsp;
	MemoryContext oldcontext;

	/* a version the transaction replaced or deleted since is no longer there */
	if (what & CATWRITE_DELETED)
		return;
	nsp = DatumGetObjectId(heap_getattr(tuple, ((NoteArg *) arg)->nspattr,
										RelationGetDescr(catalog), &isnull));
	if (isnull || list_member_oid(touched, nsp))
		return;
	oldcontext = MemoryContextSwitchTo(TopMemoryContext);
	touched = lappend_oid(touched, nsp);
	MemoryContextSwitchTo(oldcontext);
}

/*
 * Note the schemas whose relations, types or functions the current
 * transaction (or one of its committed subtransactions) created or changed.
 */
static void
note_catalog(Oid catalog, AttrNumber nspattr)
{
	NoteArg		arg;

	arg.nspattr = nspattr;
	CatalogWrites(catalog, NULL, note_row, &arg);
}

/*
 * A run starts: nothing touched yet.
 */
void
DriftBegin(void)
{
	list_free(touched);
	touched = NIL;
}

/*
 * A step's transaction is about to commit (CALL apply()), or the run's is
 * (upgrade()): note what it touched.
 */
void
DriftNoteStep(void)
{
	if (CallDepth() > 1)
		return;
	note_catalog(RelationRelationId, Anum_pg_class_relnamespace);
	note_catalog(TypeRelationId, Anum_pg_type_typnamespace);
	note_catalog(ProcedureRelationId, Anum_pg_proc_pronamespace);
}

/* whether a schema's drift is worth recording: not the server's, nor ours */
static bool
recordable(Oid nsp)
{
	char	   *name = get_namespace_name(nsp);

	return name != NULL && !IsCatalogNamespace(nsp) && !IsToastNamespace(nsp) &&
		!isAnyTempNamespace(nsp) && strcmp(name, "information_schema") != 0 &&
		strcmp(name, "migrate") != 0;
}

static void
add_project_schema(const char *project, const char *schema)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {TEXTOID, NAMEOID};
	Datum		values[2];

	BookkeepingPrepare(&plan,
					   "INSERT INTO migrate.project_schema (project, schema) VALUES ($1, $2)"
					   " ON CONFLICT DO NOTHING",
					   2, argtypes);
	values[0] = CStringGetTextDatum(project);
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	BookkeepingExec(plan, values, NULL, SPI_OK_INSERT);
}

/*
 * The schema's recorded state becomes its fingerprint as it is now (none
 * when the schema is gone).
 */
static void
record_schema(const char *schema)
{
	static SPIPlanPtr plan_clear = NULL;
	static SPIPlanPtr plan_record = NULL;
	Oid			argtypes[1] = {NAMEOID};
	Datum		values[1];

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	BookkeepingPrepare(&plan_clear,
					   "DELETE FROM migrate.schema_state WHERE schema OPERATOR(pg_catalog.=) $1",
					   1, argtypes);
	BookkeepingExec(plan_clear, values, NULL, SPI_OK_DELETE);
	if (!OidIsValid(get_namespace_oid(schema, true)))
		return;
	BookkeepingPrepare(&plan_record,
					   "INSERT INTO migrate.schema_state (schema, kind, name, definition)"
					   " SELECT $1, f.kind, f.name, f.definition"
					   " FROM migrate.fingerprint(ARRAY[$1::pg_catalog.text]) f",
					   1, argtypes);
	BookkeepingExec(plan_record, values, NULL, SPI_OK_INSERT);
}

/* the schemas recorded for a project */
static char **
project_schemas(const char *project, int *n)
{
	static SPIPlanPtr plan = NULL;
	char	  **names;

	BookkeepingExecProject(&plan,
						   "SELECT schema::pg_catalog.text FROM migrate.project_schema"
						   " WHERE project OPERATOR(pg_catalog.=) $1 ORDER BY schema",
						   project, SPI_OK_SELECT);
	*n = (int) SPI_processed;
	names = palloc(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
		names[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	return names;
}

/*
 * A run of the project ended well: its schemas are its target schema, the
 * ones recorded before and those its steps touched; each is recorded as it
 * is now.  In the run's last transaction, as the catalog owner.
 */
void
DriftRecord(const char *project, const char *target_schema)
{
	char	  **schemas;
	int			n;
	ListCell   *lc;

	if (CallDepth() > 1)
		return;
	DriftNoteStep();
	if (target_schema != NULL)
		add_project_schema(project, target_schema);
	foreach(lc, touched)
	{
		Oid			nsp = lfirst_oid(lc);

		if (recordable(nsp))
			add_project_schema(project, get_namespace_name(nsp));
	}
	DriftBegin();
	schemas = project_schemas(project, &n);
	for (int i = 0; i < n; i++)
		record_schema(schemas[i]);
}

/*
 * What differs between each of the project's schemas and its recorded
 * state, one call of report per object: its kind and name, and its
 * definition as recorded and as it is now (NULL where there is none).
 */
void
DriftCompare(const char *project,
			 void (*report) (const char *kind, const char *name,
							 const char *recorded, const char *now, void *arg),
			 void *arg)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {NAMEOID, BOOLOID};
	char	  **schemas;
	int			n;

	schemas = project_schemas(project, &n);
	BookkeepingPrepare(&plan,
					   "SELECT COALESCE(o.kind, f.kind), COALESCE(o.name, f.name),"
					   " o.definition, f.definition"
					   " FROM (SELECT kind, name, definition FROM migrate.schema_state"
					   "       WHERE schema OPERATOR(pg_catalog.=) $1) o"
					   " FULL JOIN (SELECT kind, name, definition FROM migrate.fingerprint("
					   "       CASE WHEN $2 THEN ARRAY[$1::pg_catalog.text] END) WHERE $2) f"
					   "   ON f.kind OPERATOR(pg_catalog.=) o.kind AND f.name OPERATOR(pg_catalog.=) o.name"
					   " WHERE o.name IS NULL OR f.name IS NULL"
					   "    OR NOT COALESCE(o.definition OPERATOR(pg_catalog.=) f.definition,"
					   "                    o.definition IS NULL AND f.definition IS NULL)"
					   " ORDER BY 2, 1",
					   2, argtypes);
	for (int i = 0; i < n; i++)
	{
		Datum		values[2];
		SPITupleTable *rows;
		uint64		nrows;

		values[0] = DirectFunctionCall1(namein, CStringGetDatum(schemas[i]));
		values[1] = BoolGetDatum(OidIsValid(get_namespace_oid(schemas[i], true)));
		BookkeepingExec(plan, values, NULL, SPI_OK_SELECT);
		rows = SPI_tuptable;
		nrows = SPI_processed;
		for (uint64 r = 0; r < nrows; r++)
			report(SPI_getvalue(rows->vals[r], rows->tupdesc, 1),
				   SPI_getvalue(rows->vals[r], rows->tupdesc, 2),
				   SPI_getvalue(rows->vals[r], rows->tupdesc, 3),
				   SPI_getvalue(rows->vals[r], rows->tupdesc, 4), arg);
		SPI_freetuptable(rows);
	}
}
