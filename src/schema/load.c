/*-------------------------------------------------------------------------
 *
 * load.c
 *	  Reading a schema model from the catalogs: the driver, and the helpers
 *	  the per-kind readers (load_*.c) share.
 *
 * Each kind is read by one query over every object of the schemas read
 * (never one query per object), through SPI.  The queries are
 * schema-qualified and spell their operators OPERATOR(pg_catalog.=).  The
 * text of definitions comes from the server's own deparsers (pg_get_*def,
 * format_type, regclass output), run under a search_path the loader
 * controls: "pg_catalog, S, pg_temp" for a model relative to schema S, so
 * that S's objects are written unqualified and everything else qualified,
 * and "pg_catalog, pg_temp" for a qualified model.  The settings that
 * change how constants are written (DateStyle, TimeZone, ...) are pinned
 * too, so that the description does not depend on the session.
 *
 * Dependencies come from pg_depend at the end, mapped from catalog
 * addresses (class, object, sub-object) to objects of the model.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "schema_int.h"

/* a catalog address, mapped to an object of the model */
typedef struct LoaderKey
{
	Oid			classid;
	Oid			objid;
	int32		subid;
} LoaderKey;

typedef struct LoaderEntry
{
	LoaderKey	key;
	int			index;
} LoaderEntry;

static void load_dependencies(Loader *ld);

/* an oid[] of n oids */
static Datum
oid_array(const Oid *oids, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		elems[i] = ObjectIdGetDatum(oids[i]);
	return PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true,
										   TYPALIGN_INT));
}
static void sort_model(SchemaModel *model);

/*
 * Run one of the per-kind queries, $1 being the schemas read.
 */
void
loader_query(Loader *ld, const char *sql)
{
	Oid			argtypes[1] = {OIDARRAYOID};
	Datum		values[1];
	int			rc;

	values[0] = ld->schemas;
	rc = SPI_execute_with_args(sql, 1, argtypes, values, NULL, ld->read_only, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "schema model query failed: %s", SPI_result_code_string(rc));
	ld->tuptable = SPI_tuptable;
	ld->ntuples = SPI_processed;
	ld->row = 0;
}

/* Step to the next row of the query; false at the end. */
bool
loader_next(Loader *ld)
{
	if (ld->row > 0)
		CHECK_FOR_INTERRUPTS();
	if (ld->row >= ld->ntuples)
	{
		SPI_freetuptable(ld->tuptable);
		ld->tuptable = NULL;
		return false;
	}
	ld->row++;
	return true;
}

static Datum
col_datum(Loader *ld, const char *column, bool *isnull)
{
	int			fnumber = SPI_fnumber(ld->tuptable->tupdesc, column);

	if (fnumber <= 0)
		elog(ERROR, "schema model query has no column \"%s\"", column);
	return SPI_getbinval(ld->tuptable->vals[ld->row - 1], ld->tuptable->tupdesc,
						 fnumber, isnull);
}

/* A column of the current row as text, copied into the model; NULL if null. */
char *
col_text(Loader *ld, const char *column)
{
	int			fnumber = SPI_fnumber(ld->tuptable->tupdesc, column);
	char	   *value;
	char	   *copy;

	if (fnumber <= 0)
		elog(ERROR, "schema model query has no column \"%s\"", column);
	value = SPI_getvalue(ld->tuptable->vals[ld->row - 1], ld->tuptable->tupdesc,
						 fnumber);
	if (value == NULL)
		return NULL;
	copy = MemoryContextStrdup(ld->cxt, value);
	pfree(value);
	return copy;
}

bool
col_bool(Loader *ld, const char *column)
{
	bool		isnull;
	Datum		d = col_datum(ld, column, &isnull);

	return !isnull && DatumGetBool(d);
}

Oid
col_oid(Loader *ld, const char *column)
{
	bool		isnull;
	Datum		d = col_datum(ld, column, &isnull);

	return isnull ? InvalidOid : DatumGetObjectId(d);
}

int
col_int(Loader *ld, const char *column)
{
	bool		isnull;
	Datum		d = col_datum(ld, column, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

static int
cmp_cstring(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * A text[] column as an array of strings in the model (sorted bytewise if
 * asked, which no collation setting changes).  NULL array: no elements.
 */
char **
col_list(Loader *ld, const char *column, int *n, bool sort)
{
	bool		isnull;
	Datum		d = col_datum(ld, column, &isnull);
	Datum	   *elems;
	bool	   *nulls;
	char	  **list;

	*n = 0;
	if (isnull)
		return NULL;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, n);
	list = MemoryContextAlloc(ld->cxt, sizeof(char *) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
		list[i] = nulls[i] ? MemoryContextStrdup(ld->cxt, "") :
			MemoryContextStrdup(ld->cxt, TextDatumGetCString(elems[i]));
	if (sort && *n > 1)
		qsort(list, *n, sizeof(char *), cmp_cstring);
	return list;
}

/*
 * Add an object of the current row.  parent is the quoted name of the
 * table (view, domain) it belongs to, or NULL; ident its own quoted name,
 * arguments included for routines.  The schema is the row's "nspname".
 * Returns the object's index.
 */
int
loader_add(Loader *ld, SchemaKind kind, const char *parent, const char *ident)
{
	SchemaModel *m = ld->model;
	SchemaObject *obj;
	char	   *nsp = col_text(ld, "nspname");
	StringInfoData name;

	if (m->nobjects == ld->maxobjects)
	{
		ld->maxobjects *= 2;
		m->objects = repalloc(m->objects, sizeof(SchemaObject) * ld->maxobjects);
	}
	obj = &m->objects[m->nobjects];
	memset(obj, 0, sizeof(SchemaObject));
	obj->kind = kind;
	obj->schema = MemoryContextStrdup(ld->cxt, quote_identifier(nsp));
	obj->parent = parent ? MemoryContextStrdup(ld->cxt, parent) : NULL;
	obj->ident = MemoryContextStrdup(ld->cxt, ident);
	obj->belongs_to = -1;

	initStringInfo(&name);
	if (!ld->relative)
		appendStringInfo(&name, "%s.", obj->schema);
	if (parent)
		appendStringInfo(&name, "%s.", parent);
	appendStringInfoString(&name, ident);
	obj->name = MemoryContextStrdup(ld->cxt, name.data);
	pfree(name.data);
	return m->nobjects++;
}

/* Map a catalog address to an object, for the dependencies. */
void
loader_key(Loader *ld, Oid classid, Oid objid, int32 subid, int index)
{
	LoaderKey	key;
	LoaderEntry *entry;
	bool		found;

	if (!OidIsValid(objid))
		return;
	memset(&key, 0, sizeof(key));
	key.classid = classid;
	key.objid = objid;
	key.subid = subid;
	entry = hash_search(ld->keys, &key, HASH_ENTER, &found);
	entry->index = index;
	if (!found)
	{
		if (ld->noids == ld->maxoids)
		{
			ld->maxoids *= 2;
			ld->oids = repalloc(ld->oids, sizeof(Oid) * ld->maxoids);
		}
		ld->oids[ld->noids++] = objid;
	}
}

static int
lookup_key(Loader *ld, Oid classid, Oid objid, int32 subid)
{
	LoaderKey	key;
	LoaderEntry *entry;

	memset(&key, 0, sizeof(key));
	key.classid = classid;
	key.objid = objid;
	key.subid = subid;
	entry = hash_search(ld->keys, &key, HASH_FIND, NULL);
	if (entry == NULL && subid != 0)
	{
		/* a column of a view, a composite type: the object itself */
		key.subid = 0;
		entry = hash_search(ld->keys, &key, HASH_FIND, NULL);
	}
	return entry ? entry->index : -1;
}

/* The object a catalog address maps to; -1 if none. */
int
loader_find(Loader *ld, Oid classid, Oid objid, int32 subid)
{
	return lookup_key(ld, classid, objid, subid);
}

/* The row's privileges (columns acl, acl_default, owner_role). */
void
loader_acl(Loader *ld, int index)
{
	SchemaObject *obj = &ld->model->objects[index];

	bool		isnull;

	obj->has_acl = true;
	obj->acl_default = col_list(ld, "acl_default", &obj->nacl_default, true);
	(void) col_datum(ld, "acl", &isnull);
	if (isnull)
	{
		obj->acl = obj->acl_default;
		obj->nacl = obj->nacl_default;
	}
	else
		obj->acl = col_list(ld, "acl", &obj->nacl, true);
	obj->owner_role = col_text(ld, "owner_role");
}

/*
 * The part of a deparsed definition after a known prefix (the qualified
 * name pg_get_functiondef and pg_get_statisticsobjdef always write).
 */
char *
loader_strip_prefix(Loader *ld, const char *text, const char *prefix)
{
	size_t		len = strlen(prefix);

	if (strncmp(text, prefix, len) != 0)
		elog(ERROR, "unexpected definition \"%.60s\": expected it to begin with \"%s\"",
			 text, prefix);
	return MemoryContextStrdup(ld->cxt, text + len);
}

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
	return oid_array(oids, n);
}

/*
 * Pin what the deparsers' output depends on, for the rest of the load
 * (undone by AtEOXact_GUC at the caller's nest level).
 */
static void
pin_settings(const char *schema)
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
	char	   *path = schema ?
		psprintf("pg_catalog, %s, pg_temp", quote_identifier(schema)) :
		pstrdup("pg_catalog, pg_temp");

	(void) set_config_option("search_path", path, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	for (int i = 0; i < (int) lengthof(fixed); i++)
		(void) set_config_option(fixed[i][0], fixed[i][1], PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

static SchemaModel *
load_model(char **schemas, int n, bool relative, bool read_only)
{
	MemoryContext cxt = CurrentMemoryContext;
	Loader		ld;
	HASHCTL		hctl;
	int			nestlevel;

	memset(&ld, 0, sizeof(ld));
	ld.cxt = cxt;
	ld.relative = relative;
	ld.read_only = read_only;
	ld.model = palloc0(sizeof(SchemaModel));
	ld.model->schema = relative ? pstrdup(schemas[0]) : NULL;
	ld.maxobjects = 256;
	ld.model->objects = palloc(sizeof(SchemaObject) * ld.maxobjects);
	ld.maxoids = 1024;
	ld.oids = palloc(sizeof(Oid) * ld.maxoids);
	hctl.keysize = sizeof(LoaderKey);
	hctl.entrysize = sizeof(LoaderEntry);
	hctl.hcxt = cxt;
	ld.keys = hash_create("schema model keys", 1024, &hctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ld.schemas = schema_oids(schemas, n, read_only);
	nestlevel = NewGUCNestLevel();
	pin_settings(relative ? schemas[0] : NULL);

	/* what others belong to first: tables and views, then columns */
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
	load_dependencies(&ld);

	AtEOXact_GUC(true, nestlevel);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");

	hash_destroy(ld.keys);
	pfree(ld.oids);
	for (int i = 0; i < ld.model->nobjects; i++)
		describe_object(ld.model, i);
	sort_model(ld.model);
	return ld.model;
}

SchemaModel *
schema_model_load(const char *schema, bool read_only)
{
	char	   *schemas[1];

	schemas[0] = (char *) schema;
	return load_model(schemas, 1, true, read_only);
}

SchemaModel *
schema_model_load_qualified(char **schemas, int n, bool read_only)
{
	return load_model(schemas, n, false, read_only);
}

/*
 * Dependencies between objects of the model: normal ones (a view on a
 * column, a default on a function) and automatic ones (an index on its
 * columns, a partition on its parent), each kept once.
 */
static void
load_dependencies(Loader *ld)
{
	Oid			argtypes[1] = {OIDARRAYOID};
	Datum		values[1];
	int			rc;

	values[0] = oid_array(ld->oids, ld->noids);
	rc = SPI_execute_with_args(
							   "SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid,"
							   " d.refobjsubid, d.deptype FROM pg_catalog.pg_depend d"
							   " WHERE d.objid" EQ "ANY ($1) AND d.refobjid" EQ "ANY ($1)"
							   " AND d.deptype" EQ "ANY ('{n,a}'::pg_catalog.\"char\"[])",
							   1, argtypes, values, NULL, ld->read_only, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "schema dependency query failed: %s", SPI_result_code_string(rc));
	ld->tuptable = SPI_tuptable;
	ld->ntuples = SPI_processed;
	ld->row = 0;
	while (loader_next(ld))
	{
		int			from = lookup_key(ld, col_oid(ld, "classid"), col_oid(ld, "objid"),
									  col_int(ld, "objsubid"));
		int			to = lookup_key(ld, col_oid(ld, "refclassid"), col_oid(ld, "refobjid"),
									col_int(ld, "refobjsubid"));
		bool		isnull;
		char		type = DatumGetChar(col_datum(ld, "deptype", &isnull));
		SchemaObject *obj;
		bool		seen = false;

		if (from < 0 || to < 0 || from == to)
			continue;
		obj = &ld->model->objects[from];
		for (int i = 0; i < obj->ndeps; i++)
		{
			if (obj->deps[i].on == to)
			{
				/* a normal dependency outweighs an automatic one */
				if (type == 'n')
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
		obj->deps[obj->ndeps].type = type;
		obj->ndeps++;
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
