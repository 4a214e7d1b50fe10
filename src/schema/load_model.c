/*-------------------------------------------------------------------------
 *
 * load_model.c
 *	  Reading a schema model from the catalogs: which schemas, under which
 *	  settings, the per-kind readers (load_*.c) in turn, the dependencies.
 *
 * Each kind is read by one query over every object of the schemas read
 * (never one query per object), through SPI.  The queries are
 * schema-qualified and spell their operators OPERATOR(pg_catalog.=).  The
 * text of definitions comes from the server's own deparsers (pg_get_*def,
 * format_type, regclass output), which qualify a name only when the
 * search_path would not find it, run under a search_path the loader
 * controls.  For a qualified model it is "pg_catalog, pg_temp": every name
 * outside pg_catalog is qualified.  For a model relative to schema S it is
 * "S, pg_catalog, pg_temp": S's objects are written unqualified (even
 * those whose name a built-in one also has, which pg_catalog first would
 * qualify with S's name, telling two schemas apart by their names), built-in
 * ones unqualified unless S hides them, and everything else qualified.
 * When the model is compared with that of another schema P (a diff's other
 * side), P comes next: "S, pg_catalog, P, pg_temp".  What S's objects use
 * in P (a type of an extension installed in P, say public) is then written
 * unqualified, as it is in P's own model.  The settings that change how
 * constants are written (DateStyle, TimeZone, ...) are pinned too, so that
 * the description does not depend on the session.
 *
 * Those relative texts are what models are compared by; they are not what
 * a diff script writes.  A script runs under a search_path of pg_catalog
 * alone: in a schema that other roles may create objects in (the live
 * schema, public), an unqualified call to a built-in function or operator
 * could find one of theirs (lower(varchar) beats pg_catalog's lower(text)
 * for a varchar argument, whatever the order of the path), and run it with
 * the rights of whoever runs the script.  So a model loaded for a diff
 * reads the definitions a script may write a second time, under a
 * search_path of pg_catalog alone, as pg_dump reads them: every name
 * outside pg_catalog comes out qualified (obj->script).  The diff turns the
 * desired schema's name in them into the live schema's, comparing both
 * readings to tell a qualifier from what only looks like one (retarget.c).
 *
 * Dependencies come from pg_depend at the end, mapped from catalog
 * addresses (class, object, sub-object) to objects of the model.  The
 * helpers the readers share are in load_shared.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/dependency.h"
#include "catalog/pg_depend.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "schema_int.h"

static void load_dependencies(Loader *ld);
static void load_extension_uses(Loader *ld);

static void sort_model(SchemaModel *model);

/*
 * The object ids of the schemas to read.  NULL: every schema that is no
 * system schema and no extension's (migrate's own schema is one).
 */
static Datum
schema_oids(char **schemas, int n, bool read_only)
{
	Oid		   *oids;

	if (schemas == NULL)
	{
		int			rc = SPI_execute(
									 "SELECT n.oid FROM pg_catalog.pg_namespace n"
									 " WHERE n.nspname OPERATOR(pg_catalog.!~) '^pg_' AND n.nspname" NE "'information_schema'"
									 " AND n.nspname" NE "'migrate' AND" NOT_MEMBER("pg_namespace", "n.oid")
									 " ORDER BY n.nspname", read_only, 0);

		if (rc != SPI_OK_SELECT)
			elog(ERROR, "schema list query failed: %s", SPI_result_code_string(rc));
		n = (int) SPI_processed;
		oids = palloc(sizeof(Oid) * Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			bool		isnull;

			oids[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
													 SPI_tuptable->tupdesc, 1, &isnull));
		}
	}
	else
	{
		oids = palloc(sizeof(Oid) * Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			oids[i] = get_namespace_oid(schemas[i], true);
			if (!OidIsValid(oids[i]))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("schema \"%s\" does not exist", schemas[i])));
		}
	}
	return loader_oid_array(oids, n);
}

/*
 * Pin what the deparsers' output depends on, for the rest of the load
 * (undone by AtEOXact_GUC at the caller's nest level), and turn JIT off.
 */
static void
pin_settings(const char *schema, const char *peer)
{
	static const char *const fixed[][2] = {
		{"DateStyle", "ISO, YMD"},
		{"IntervalStyle", "postgres"},
		{"TimeZone", "UTC"},
		{"extra_float_digits", "1"},
		{"bytea_output", "hex"},
		{"quote_all_identifiers", "off"},
		{"standard_conforming_strings", "on"},
	};
	char	   *path = schema == NULL ? pstrdup("pg_catalog, pg_temp") :
		peer == NULL ? psprintf("%s, pg_catalog, pg_temp", quote_identifier(schema)) :
		psprintf("%s, pg_catalog, %s, pg_temp", quote_identifier(schema),
				 quote_identifier(peer));

	(void) set_config_option("search_path", path, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	for (int i = 0; i < (int) lengthof(fixed); i++)
		(void) set_config_option(fixed[i][0], fixed[i][1], PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);

	/*
	 * The catalog joins of a large schema cost more than jit_above_cost, and
	 * compiling them took more than half of a diff() of two 1,000-table
	 * schemas, for queries run once: nothing here gains from JIT.
	 */
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/* kinds whose texts a diff script writes */
static bool
written_by_scripts(SchemaKind kind)
{
	switch (kind)
	{
		case SK_TABLE:
		case SK_COLUMN:
		case SK_CONSTRAINT:
		case SK_INDEX:
		case SK_SEQUENCE:
		case SK_VIEW:
		case SK_MATVIEW:
		case SK_FUNCTION:
		case SK_PROCEDURE:
		case SK_AGGREGATE:
		case SK_TRIGGER:
		case SK_RULE:
		case SK_POLICY:
		case SK_STATISTICS:
		case SK_ENUM:
		case SK_DOMAIN:
		case SK_DOMAIN_CONSTRAINT:
		case SK_COMPOSITE:
		case SK_RANGE:
			return true;
		default:
			return false;
	}
}

/*
 * The definitions of ld's objects as a script writes them: the readers of
 * those kinds run again, into a model of their own, under a search_path of
 * pg_catalog alone (see the top of this file), and each object of ld's
 * model gets its twin as obj->script.
 */
static void
load_script_texts(Loader *ld)
{
	Loader		sld;
	int			nestlevel;

	memset(&sld, 0, sizeof(sld));
	sld.cxt = ld->cxt;
	sld.relative = ld->relative;
	sld.read_only = ld->read_only;
	sld.schemas = ld->schemas;
	sld.model = MemoryContextAllocZero(ld->cxt, sizeof(SchemaModel));
	sld.model->schema = ld->model->schema;
	sld.maxobjects = 256;
	sld.model->objects = MemoryContextAlloc(ld->cxt, sizeof(SchemaObject) * sld.maxobjects);
	loader_init(&sld);

	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	load_tables(&sld);
	load_views(&sld);
	load_columns(&sld);
	load_sequences(&sld);
	load_constraints(&sld);
	load_indexes(&sld);
	load_functions(&sld);
	load_triggers(&sld);
	load_rules(&sld);
	load_policies(&sld);
	load_statistics(&sld);
	load_types(&sld);
	load_domain_constraints(&sld);
	AtEOXact_GUC(true, nestlevel);

	loader_attach_script(ld, &sld);
	loader_done(&sld);
	/* dropped between the two readings */
	for (int i = 0; i < ld->model->nobjects; i++)
		if (ld->model->objects[i].script == NULL &&
			written_by_scripts(ld->model->objects[i].kind))
			loader_vanished(ld, i);
}

static SchemaModel *
load_model(char **schemas, int n, bool relative, const char *peer, bool read_only,
		   bool script, const SchemaScope *scope)
{
	MemoryContext cxt = CurrentMemoryContext;
	Loader		ld;
	int			nestlevel;

	memset(&ld, 0, sizeof(ld));
	ld.cxt = cxt;
	ld.relative = relative;
	ld.read_only = read_only;
	ld.scope = scope;
	ld.model = palloc0(sizeof(SchemaModel));
	ld.model->schema = relative ? pstrdup(schemas[0]) : NULL;
	ld.model->peer = relative && peer ? pstrdup(peer) : NULL;
	ld.maxobjects = 256;
	ld.model->objects = palloc(sizeof(SchemaObject) * ld.maxobjects);
	loader_init(&ld);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ld.schemas = schema_oids(schemas, n, read_only);
	nestlevel = NewGUCNestLevel();
	pin_settings(relative ? schemas[0] : NULL, peer);

	/* what others belong to first: tables and views, then columns */
	if (scope == NULL)
	{
		load_schema(&ld);
		load_default_acls(&ld);
	}
	load_tables(&ld);
	load_views(&ld);
	load_columns(&ld);
	load_sequences(&ld);
	load_constraints(&ld);
	load_indexes(&ld);
	load_functions(&ld);
	load_triggers(&ld);
	load_rules(&ld);
	load_policies(&ld);
	load_statistics(&ld);
	load_types(&ld);
	load_domain_constraints(&ld);
	if (scope == NULL)
	{
		load_others(&ld);
		load_dependencies(&ld);
	}
	if (relative)
		load_extension_uses(&ld);
	if (script)
		load_script_texts(&ld);

	AtEOXact_GUC(true, nestlevel);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");

	loader_done(&ld);
	for (int i = 0; i < ld.model->nobjects; i++)
		describe_object(ld.model, i);
	sort_model(ld.model);
	return ld.model;
}

SchemaModel *
schema_model_load(const char *schema, const char *peer, bool read_only)
{
	char	   *schemas[1];

	schemas[0] = (char *) schema;
	return load_model(schemas, 1, true, peer, read_only, false, NULL);
}

SchemaModel *
schema_model_load_for_diff(const char *schema, const char *peer, bool read_only)
{
	char	   *schemas[1];

	schemas[0] = (char *) schema;
	return load_model(schemas, 1, true, peer, read_only, true, NULL);
}

SchemaModel *
schema_model_load_qualified(char **schemas, int n, bool read_only)
{
	return load_model(schemas, n, false, NULL, read_only, false, NULL);
}

/*
 * A qualified model of every schema, as schema_model_load_qualified(NULL)
 * reads it, but of the objects whose home is in the scope only (all of
 * them if it is "everything").  What belongs to a schema itself (its
 * comment, privileges and default privileges) and the kinds read as a
 * whole (load_other.c) are never in a scope: a scope that could touch them
 * is "everything".  Homes that do not exist are not looked for: a scope
 * of objects that are all gone costs no query.
 */
SchemaModel *
schema_model_load_scope(const SchemaScope *scope, bool read_only)
{
	SchemaHome *existing;
	int			n = 0;
	SchemaModel *model;

	if (scope->everything)
		return load_model(NULL, 0, false, NULL, read_only, false, NULL);
	existing = palloc(sizeof(SchemaHome) * Max(scope->nhomes, 1));
	for (int i = 0; i < scope->nhomes; i++)
		if (schema_home_exists(&scope->homes[i]))
			existing[n++] = scope->homes[i];
	if (n == 0)
	{
		model = palloc0(sizeof(SchemaModel));
		model->objects = palloc(sizeof(SchemaObject));
		return model;
	}
	return load_model(NULL, 0, false, NULL, read_only, false,
					  schema_scope_make(existing, n));
}

/*
 * Dependencies between objects of the model: normal ones (a view on a
 * column, a default on a function) and automatic ones (an index on its
 * columns, a partition on its parent), each kept once.  pg_depend is read
 * whole, each row's two ends looked up among the model's addresses: a
 * query asking for the rows whose ends are among thousands of object ids
 * would cost more to plan than this costs to run.  Its rows are read as of
 * the snapshot the model's queries read the catalogs with.
 */
static void
load_dependencies(Loader *ld)
{
	Relation	depend = table_open(DependRelationId, AccessShareLock);
	Snapshot	snapshot = ld->read_only ? GetActiveSnapshot() :
		RegisterSnapshot(GetLatestSnapshot());
	SysScanDesc scan = systable_beginscan(depend, InvalidOid, false, snapshot, 0, NULL);
	HeapTuple	tuple;

	while ((tuple = systable_getnext(scan)) != NULL)
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tuple);
		int			from;
		int			to;
		SchemaObject *obj;
		bool		seen = false;

		if (d->deptype != DEPENDENCY_NORMAL && d->deptype != DEPENDENCY_AUTO)
			continue;
		from = loader_find(ld, d->classid, d->objid, d->objsubid);
		if (from < 0)
			continue;
		to = loader_find(ld, d->refclassid, d->refobjid, d->refobjsubid);
		if (to < 0 || from == to)
			continue;
		obj = &ld->model->objects[from];
		for (int i = 0; i < obj->ndeps; i++)
		{
			if (obj->deps[i].on == to)
			{
				/* a normal dependency outweighs an automatic one */
				if (d->deptype == DEPENDENCY_NORMAL)
					obj->deps[i].type = 'n';
				seen = true;
			}
		}
		if (seen)
			continue;
		obj->deps = obj->deps == NULL ?
			MemoryContextAlloc(ld->cxt, sizeof(SchemaDep)) :
			repalloc(obj->deps, sizeof(SchemaDep) * (obj->ndeps + 1));
		obj->deps[obj->ndeps].on = to;
		obj->deps[obj->ndeps].type = d->deptype;
		obj->ndeps++;
	}
	systable_endscan(scan);
	if (!ld->read_only)
		UnregisterSnapshot(snapshot);
	table_close(depend, AccessShareLock);
}

/*
 * What the objects of a relative model use of an extension installed in
 * the model's own schema.  Those objects are the extension's, not the
 * schema's, yet they are written unqualified as the schema's own are: a
 * diff script run in another schema would not find them (see
 * diff_extension_uses).
 */
static void
load_extension_uses(Loader *ld)
{
	loader_query_objects(ld,
						 "SELECT d.classid, d.objid, d.objsubid, x.extname,"
						 " pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0) AS what"
						 " FROM pg_catalog.pg_depend d"
						 " JOIN pg_catalog.pg_depend m ON m.classid" EQ "d.refclassid"
						 "  AND m.objid" EQ "d.refobjid AND m.deptype" EQ "'e'"
						 " JOIN pg_catalog.pg_extension x ON x.oid" EQ "m.refobjid"
						 " WHERE d.objid" EQ "ANY ($1) AND x.extnamespace" EQ "ANY ($2)"
						 " AND d.deptype" EQ "ANY ('{n,a}'::pg_catalog.\"char\"[])");
	while (loader_next(ld))
	{
		int			i = loader_find(ld, col_oid(ld, "classid"), col_oid(ld, "objid"),
									col_int(ld, "objsubid"));

		if (i < 0 || ld->model->objects[i].uses_extension)
			continue;
		ld->model->objects[i].uses_extension =
			psprintf("%s of extension %s", col_text(ld, "what"),
					 quote_identifier(col_text(ld, "extname")));
	}
}

/* objects by kind then name */
static int
cmp_object(const void *a, const void *b, void *arg)
{
	const SchemaObject *objects = arg;
	const SchemaObject *x = &objects[*(const int *) a];
	const SchemaObject *y = &objects[*(const int *) b];

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Sort the objects; the indexes in belongs_to and deps follow them. */
static void
sort_model(SchemaModel *model)
{
	int			n = model->nobjects;
	int		   *order = palloc(sizeof(int) * Max(n, 1));
	int		   *newindex = palloc(sizeof(int) * Max(n, 1));
	SchemaObject *sorted = palloc(sizeof(SchemaObject) * Max(n, 1));

	for (int i = 0; i < n; i++)
		order[i] = i;
	qsort_arg(order, n, sizeof(int), cmp_object, model->objects);
	for (int i = 0; i < n; i++)
	{
		newindex[order[i]] = i;
		sorted[i] = model->objects[order[i]];
	}
	for (int i = 0; i < n; i++)
	{
		SchemaObject *obj = &sorted[i];

		if (obj->belongs_to >= 0)
			obj->belongs_to = newindex[obj->belongs_to];
		for (int j = 0; j < obj->ndeps; j++)
			obj->deps[j].on = newindex[obj->deps[j].on];
	}
	pfree(model->objects);
	model->objects = sorted;
	pfree(order);
	pfree(newindex);
}
