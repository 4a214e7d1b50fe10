/*-------------------------------------------------------------------------
 *
 * load_shared.c
 *	  What the per-kind readers of the schema model share: running their
 *	  query, reading the columns of its rows, adding objects, and mapping
 *	  catalog addresses (class, object, sub-object) to objects, for the
 *	  dependencies.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "schema_int.h"

static char *text_to_cstring_in(MemoryContext cxt, text *t);

/* a catalog address, mapped to an object of the model */
typedef struct LoaderEntry
{
	LoaderKey	key;
	int			index;
} LoaderEntry;


/* an oid[] of n oids */
Datum
loader_oid_array(const Oid *oids, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		elems[i] = ObjectIdGetDatum(oids[i]);
	return PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true,
										   TYPALIGN_INT));
}

static void
run_query(Loader *ld, const char *sql, int nargs, Oid *argtypes, Datum *values)
{
	int			rc = SPI_execute_with_args(sql, nargs, argtypes, values, NULL,
										   ld->read_only, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "schema model query failed: %s", SPI_result_code_string(rc));
	ld->tuptable = SPI_tuptable;
	ld->ntuples = SPI_processed;
	ld->row = 0;
}

/*
 * Run one of the per-kind queries, $1 being the schemas read.
 */
void
loader_query(Loader *ld, const char *sql)
{
	Oid			argtypes[1] = {OIDARRAYOID};
	Datum		values[1] = {ld->schemas};

	run_query(ld, sql, 1, argtypes, values);
}

/*
 * The plans of the scoped queries, prepared once per backend: a scoped
 * load (check_reversible() runs two for each revision) reads a few
 * objects, and planning its queries would cost more than running them.
 */
typedef struct ScopedPlan
{
	const char *sql;			/* the query of the kind, as given */
	SPIPlanPtr	plan;
} ScopedPlan;

#define MAX_SCOPED_PLANS 32

static ScopedPlan scoped_plans[MAX_SCOPED_PLANS];
static int	nscoped_plans = 0;

static SPIPlanPtr
scoped_plan(const char *sql, const char *home_column, const char *order_by)
{
	Oid			argtypes[2] = {OIDARRAYOID, OIDARRAYOID};
	SPIPlanPtr	plan;
	char	   *text;

	for (int i = 0; i < nscoped_plans; i++)
		if (scoped_plans[i].sql == sql)
			return scoped_plans[i].plan;
	if (nscoped_plans == MAX_SCOPED_PLANS)
		elog(ERROR, "too many scoped schema model queries");
	text = psprintf("%s AND %s" EQ "ANY ($2)%s", sql, home_column,
					order_by ? order_by : "");
	plan = SPI_prepare(text, 2, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare a schema model query: %s",
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "could not keep a schema model query");
	pfree(text);
	scoped_plans[nscoped_plans].sql = sql;
	scoped_plans[nscoped_plans].plan = plan;
	nscoped_plans++;
	return plan;
}

/*
 * Run the query of a kind of objects: the query ($1 being the schemas
 * read), its rows ordered by order_by (or not).  In a scoped load (see
 * load_model.c), only for the objects whose home is in the scope, home_column
 * being the home's object id in the query and home_class its catalog; no
 * rows at all when the scope holds no home of that catalog.
 */
void
loader_query_homes(Loader *ld, const char *sql, Oid home_class,
				   const char *home_column, const char *order_by)
{
	Datum		values[2];
	Oid		   *oids;
	int			n = 0;
	int			rc;

	if (ld->scope == NULL)
	{
		if (order_by == NULL)
			loader_query(ld, sql);
		else
		{
			char	   *text = psprintf("%s%s", sql, order_by);

			loader_query(ld, text);
			pfree(text);
		}
		return;
	}

	oids = palloc(sizeof(Oid) * Max(ld->scope->nhomes, 1));
	for (int i = 0; i < ld->scope->nhomes; i++)
		if (ld->scope->homes[i].classid == home_class)
			oids[n++] = ld->scope->homes[i].objid;
	ld->tuptable = NULL;
	ld->ntuples = 0;
	ld->row = 0;
	if (n == 0)
		return;
	values[0] = ld->schemas;
	values[1] = loader_oid_array(oids, n);
	rc = SPI_execute_plan(scoped_plan(sql, home_column, order_by), values, NULL,
						  ld->read_only, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "schema model query failed: %s", SPI_result_code_string(rc));
	ld->tuptable = SPI_tuptable;
	ld->ntuples = SPI_processed;
}

/*
 * Run a query about the objects read so far: $1 their OIDs, $2 the
 * schemas read.
 */
void
loader_query_objects(Loader *ld, const char *sql)
{
	Oid			argtypes[2] = {OIDARRAYOID, OIDARRAYOID};
	Datum		values[2];

	values[0] = loader_oid_array(ld->oids, ld->noids);
	values[1] = ld->schemas;
	run_query(ld, sql, 2, argtypes, values);
}

/* Step to the next row of the query; false at the end. */
bool
loader_next(Loader *ld)
{
	if (ld->row > 0)
		CHECK_FOR_INTERRUPTS();
	if (ld->row >= ld->ntuples)
	{
		if (ld->tuptable)
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

/*
 * A column of the current row as text, copied into the model; NULL if null.
 * Text and name values are copied as they are (most columns are text:
 * calling the output function for each would cost more than the query).
 */
char *
col_text(Loader *ld, const char *column)
{
	int			fnumber = SPI_fnumber(ld->tuptable->tupdesc, column);
	Oid			type;
	bool		isnull;
	Datum		d;
	char	   *value;

	if (fnumber <= 0)
		elog(ERROR, "schema model query has no column \"%s\"", column);
	type = SPI_gettypeid(ld->tuptable->tupdesc, fnumber);
	d = SPI_getbinval(ld->tuptable->vals[ld->row - 1], ld->tuptable->tupdesc, fnumber, &isnull);
	if (isnull)
		return NULL;
	if (type == TEXTOID)
		return text_to_cstring_in(ld->cxt, DatumGetTextPP(d));
	if (type == NAMEOID)
		return MemoryContextStrdup(ld->cxt, NameStr(*DatumGetName(d)));
	value = SPI_getvalue(ld->tuptable->vals[ld->row - 1], ld->tuptable->tupdesc, fnumber);
	d = PointerGetDatum(MemoryContextStrdup(ld->cxt, value));
	pfree(value);
	return DatumGetPointer(d);
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

char
col_char(Loader *ld, const char *column)
{
	bool		isnull;
	Datum		d = col_datum(ld, column, &isnull);

	return isnull ? '\0' : DatumGetChar(d);
}

/* a text value as a string allocated in cxt */
static char *
text_to_cstring_in(MemoryContext cxt, text *t)
{
	int			len = VARSIZE_ANY_EXHDR(t);
	char	   *s = MemoryContextAlloc(cxt, len + 1);

	memcpy(s, VARDATA_ANY(t), len);
	s[len] = '\0';
	return s;
}

/*
 * A text[] column as an array of strings in the model (sorted bytewise if
 * asked, which no collation setting changes).  NULL array: no elements.
 */
char	  **
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
		qsort(list, *n, sizeof(char *), pg_qsort_strcmp);
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
		ld->primary = repalloc(ld->primary, sizeof(LoaderKey) * ld->maxobjects);
	}
	memset(&ld->primary[m->nobjects], 0, sizeof(LoaderKey));
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
	if (!OidIsValid(ld->primary[index].objid))
		ld->primary[index] = key;
	/* the first address registered for an object is its home (scope.c) */
	if (!OidIsValid(ld->model->objects[index].home.objid))
	{
		ld->model->objects[index].home.classid = classid;
		ld->model->objects[index].home.objid = objid;
	}
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

/*
 * The object a catalog address maps to; -1 if none.  A sub-object with no
 * object of its own (a column of a view) maps to its object.
 */
int
loader_find(Loader *ld, Oid classid, Oid objid, int32 subid)
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

/*
 * Tie each object of ld's model to the same object in script's model (the
 * same catalogs read again, under another search_path: see load_model.c), found
 * by the address each registered first.  An object script read that ld did
 * not (made meanwhile) is left out.
 */
void
loader_attach_script(Loader *ld, Loader *script)
{
	for (int q = 0; q < script->model->nobjects; q++)
	{
		LoaderEntry *entry;

		if (!OidIsValid(script->primary[q].objid))
			continue;
		entry = hash_search(ld->keys, &script->primary[q], HASH_FIND, NULL);
		if (entry && ld->model->objects[entry->index].kind == script->model->objects[q].kind)
			ld->model->objects[entry->index].script = &script->model->objects[q];
	}
}

/* The row's privileges (columns acl, acl_default, owner_role, acl_created). */
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
	if (SPI_fnumber(ld->tuptable->tupdesc, "acl_created") > 0)
		obj->acl_created = col_list(ld, "acl_created", &obj->nacl_created, true);
	obj->owner_role = col_text(ld, "owner_role");
}

/*
 * Object index of the model was dropped after the snapshot that lists it
 * was taken: the server's deparsers (pg_get_functiondef, pg_get_indexdef,
 * pg_get_expr, ...) look objects up in the catalogs as they are now, not in
 * that snapshot, and return NULL for an object they no longer find.  The
 * model would be wrong, so the call fails; a retry reads a consistent
 * state.
 */
void
loader_vanished(Loader *ld, int index)
{
	const SchemaObject *obj = &ld->model->objects[index];

	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("%s %s was dropped while the schema was being read",
					schema_kind_name(obj->kind), obj->name),
			 errdetail("The snapshot of the call still lists it, but the catalogs no longer describe it."),
			 errhint("Retry the call; under REPEATABLE READ or SERIALIZABLE, retry the transaction.")));
}

/*
 * A column of the current row that a deparser filled in for object index,
 * which is never NULL while the object exists.
 */
char *
col_deparsed(Loader *ld, const char *column, int index)
{
	char	   *text = col_text(ld, column);

	if (text == NULL)
		loader_vanished(ld, index);
	return text;
}

/*
 * The part of a deparsed definition after "head schema.name", the
 * qualified name pg_get_functiondef and pg_get_statisticsobjdef always
 * write: schema's own name, or pg_temp for the session's own temporary
 * schema.
 */
char *
loader_strip_prefix(Loader *ld, const char *def, const char *head,
					const char *schema, const char *name)
{
	char	   *prefix = psprintf("%s %s", head, quote_qualified_identifier(schema, name));
	char	   *temp = psprintf("%s %s", head, quote_qualified_identifier("pg_temp", name));

	if (strncmp(def, prefix, strlen(prefix)) == 0)
		return MemoryContextStrdup(ld->cxt, def + strlen(prefix));
	if (strncmp(def, temp, strlen(temp)) == 0)
		return MemoryContextStrdup(ld->cxt, def + strlen(temp));
	elog(ERROR, "unexpected definition \"%.*s\": expected it to begin with \"%s\"",
		 pg_mbcliplen(def, strlen(def), 60), def, prefix);
	return NULL;				/* keep the compiler quiet */
}

/* Set up the loader's map of catalog addresses, in its memory context. */
void
loader_init(Loader *ld)
{
	HASHCTL		hctl;

	hctl.keysize = sizeof(LoaderKey);
	hctl.entrysize = sizeof(LoaderEntry);
	hctl.hcxt = ld->cxt;
	ld->keys = hash_create("schema model keys", 1024, &hctl,
						   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ld->maxoids = 1024;
	ld->oids = MemoryContextAlloc(ld->cxt, sizeof(Oid) * ld->maxoids);
	ld->primary = MemoryContextAlloc(ld->cxt, sizeof(LoaderKey) * ld->maxobjects);
}

void
loader_done(Loader *ld)
{
	hash_destroy(ld->keys);
	pfree(ld->oids);
	pfree(ld->primary);
}
