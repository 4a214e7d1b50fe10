/*-------------------------------------------------------------------------
 *
 * kept.c
 *	  Kept data: a step that drops a column or a table holding rows keeps
 *	  them first, and the opposite step of the same revision puts them
 *	  back once it has brought the column or the table back.
 *
 * When.  While a body runs (body.c), this file watches its utility
 * statements (statement_hook.c).  Just before ALTER TABLE ... DROP COLUMN
 * or DROP TABLE it reads what the statement is about to drop, its names
 * resolved as the statement will resolve them; just after any statement,
 * it looks whether a column that the opposite step kept exists again, in
 * the same shape, and if so puts its values back, so that the body's next
 * statements (SET NOT NULL, a foreign key) see them; a table's rows go
 * back when the body is done, after the rows the body itself writes into
 * the table it brought back (seed rows win).  The
 * statements are watched wherever they run in the body: at its top, in a
 * DO block or in a function it calls; for every body that BodyRun() runs,
 * that is in upgrade(), downgrade() and the transactional steps of CALL
 * apply() (trial() and check_reversible() too, rolled back with them).
 * Reading the catalog rows a step removed (as drift.c finds what a step
 * touched) would come too late: by then the values are gone, and so they
 * are for an event trigger's sql_drop, which fires once the command is
 * done.  Not kept: tables dropped by a cascade (DROP SCHEMA ... CASCADE),
 * temporary tables, rows removed by TRUNCATE or DELETE, and what a revision registered with
 * transactional => false drops: apply()'s background worker, which runs
 * such a revision statement by statement, each committing on its own,
 * does not watch them.  lint() says which drops are kept.
 *
 * What.  A row is kept as its key and its values, each as the text its
 * type's output function writes (what pg_dump writes, read back exactly by
 * the input function): the primary key, or, without one, the row's other
 * columns (a dropped column) or nothing (a dropped table, whose rows go
 * back whole).  A header row in migrate.kept names the project, revision,
 * step, table, column and the types; migrate.kept_row holds the rows.
 * Both are dumped by pg_dump (pg_extension_config_dump).
 *
 * Back.  A column comes back into the rows whose key matches, a table's
 * rows are inserted again (ON CONFLICT DO NOTHING), and serial and
 * identity sequences are moved past the largest value put back.  A
 * column or key whose type is no longer the one kept is not guessed at:
 * a WARNING says so, migrate.kept.note records it, and the rows stay
 * kept; so do rows that match nothing (or, without a key, more than one
 * kept row), or that a constraint refuses.
 *
 * Who.  Kept rows may hold secrets: only migrate_admin may read them.  The
 * rows are read as the table's owner, in a security-restricted operation
 * (TrustBecome(), util/trust.c), and written by the catalog owner (call.c).  Putting
 * them back is done as the table's owner too, from a temporary table the
 * catalog owner fills with those rows only and lets the owner read: the
 * owner's policies, triggers, defaults and casts run with its own rights,
 * never with the runner's, which may be a superuser.  Every statement
 * here names its objects qualified and spells its operators exactly.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "migrate.h"
#include "util/subxact.h"
#include "util/trust.h"

PG_FUNCTION_INFO_V1(migrate_purge_kept);

/* rows moved per round trip between the runner's cursor and the store */
#define KEEP_BATCH 10000

/* a table's columns, as kept or as they are now */
typedef struct KeptShape
{
	int			n;
	char	  **names;
	char	  **types;			/* format_type, qualified */
} KeptShape;

/* one column or table kept by the opposite step, to put back */
typedef struct KeptItem
{
	int64		id;
	bool		is_table;
	char	   *schema;
	char	   *table;
	char	   *column;			/* NULL for a table */
	KeptShape	values;			/* the columns kept */
	KeptShape	keys;			/* the columns rows are matched by */
	int64		rows;
	bool		done;			/* put back, or passed over for a newer one */
	char	   *mismatch;		/* why it cannot go back as things are */
	char	   *waiting;		/* a partitioned table's rows: why not yet */
	Oid			relid_before;	/* the table there when the step began */
	AttrNumber	attnum_before;	/* and the column */
} KeptItem;

struct KeptStep
{
	StatementWatch watch;
	MemoryContext context;		/* the step's: outlives its statements */
	const char *project;
	const char *revision;
	bool		upgrade;
	bool		keep;			/* the project's keep_dropped_data */
	KeptItem   *items;
	int			nitems;
};

static bool suspended = false;

/* "upgrade" or "downgrade" */
static const char *
step_name(bool upgrade)
{
	return upgrade ? "upgrade" : "downgrade";
}

/*
 * A column's type as text that names it wherever it is read: qualified
 * unless SQL spells it with keywords ("integer", "character varying(20)").
 */
static char *
type_text(Oid type, int32 typmod)
{
	return format_type_extended(type, typmod,
								FORMAT_TYPE_TYPEMOD_GIVEN | FORMAT_TYPE_FORCE_QUALIFY);
}

static char *
qualified_rel(const char *schema, const char *table)
{
	return quote_qualified_identifier(schema, table);
}

/* "column email of table public.users" / "table public.users" */
static char *
describe(bool is_table, const char *schema, const char *table,
		 const char *column)
{
	if (is_table)
		return psprintf("table %s", qualified_rel(schema, table));
	return psprintf("column %s of table %s", quote_identifier(column),
					qualified_rel(schema, table));
}

static Datum
strings_datum(char **strings, int n)
{
	return StringsToTextArray((const char *const *) strings, n);
}

/*
 * The columns of a relation as they are now: every column that is not
 * dropped or generated (a generated column is computed again, never
 * written), but for skip.
 */
static KeptShape
shape_now(Relation rel, const char *skip)
{
	TupleDesc	desc = RelationGetDescr(rel);
	KeptShape	shape;

	shape.n = 0;
	shape.names = palloc(sizeof(char *) * (desc->natts + 1));
	shape.types = palloc(sizeof(char *) * (desc->natts + 1));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attgenerated != '\0' ||
			(skip != NULL && strcmp(NameStr(att->attname), skip) == 0))
			continue;
		shape.names[shape.n] = pstrdup(NameStr(att->attname));
		shape.types[shape.n++] = type_text(att->atttypid, att->atttypmod);
	}
	return shape;
}

/*
 * The primary key's columns, unless it has none or it includes skip (a
 * primary key column being dropped takes the key with it).
 */
static bool
primary_key(Relation rel, const char *skip, KeptShape *keys)
{
	Oid			pk;
	Relation	index;
	TupleDesc	desc = RelationGetDescr(rel);

	(void) RelationGetIndexList(rel);
	pk = rel->rd_pkindex;
	if (!OidIsValid(pk))
		return false;
	index = index_open(pk, AccessShareLock);
	keys->n = 0;
	keys->names = palloc(sizeof(char *) * (index->rd_index->indnkeyatts + 1));
	keys->types = palloc(sizeof(char *) * (index->rd_index->indnkeyatts + 1));
	for (int i = 0; i < index->rd_index->indnkeyatts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, index->rd_index->indkey.values[i] - 1);

		keys->names[keys->n] = pstrdup(NameStr(att->attname));
		keys->types[keys->n++] = type_text(att->atttypid, att->atttypmod);
	}
	index_close(index, AccessShareLock);
	for (int i = 0; i < keys->n; i++)
		if (skip != NULL && strcmp(keys->names[i], skip) == 0)
			return false;
	return true;
}

/* "ROW(a, b)::pg_catalog.text", of the columns, prefixed by alias */
static char *
row_text(const KeptShape *cols, const char *alias)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "ROW(");
	for (int i = 0; i < cols->n; i++)
		appendStringInfo(&buf, "%s%s.%s", i > 0 ? ", " : "", alias,
						 quote_identifier(cols->names[i]));
	appendStringInfoString(&buf, ")::pg_catalog.text");
	return buf.data;
}

/*
 * Write one header row; its id.
 */
static int64
insert_header(const KeptStep *ks, bool is_table, const char *schema,
			  const char *table, const char *column, const KeptShape *values,
			  const KeptShape *keys, bool keyed)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[11] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, NAMEOID, NAMEOID,
	NAMEOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		args[11];
	char		nulls[11];
	bool		isnull;
	int64		id;

	memset(nulls, ' ', sizeof(nulls));
	args[0] = CStringGetTextDatum(ks->project);
	args[1] = CStringGetTextDatum(ks->revision);
	args[2] = CStringGetTextDatum(step_name(ks->upgrade));
	args[3] = CStringGetTextDatum(is_table ? "table" : "column");
	args[4] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	args[5] = DirectFunctionCall1(namein, CStringGetDatum(table));
	if (column != NULL)
		args[6] = DirectFunctionCall1(namein, CStringGetDatum(column));
	else
		nulls[6] = 'n';
	args[7] = strings_datum(values->names, values->n);
	args[8] = strings_datum(values->types, values->n);
	if (keyed)
	{
		args[9] = strings_datum(keys->names, keys->n);
		args[10] = strings_datum(keys->types, keys->n);
	}
	else
		nulls[9] = nulls[10] = 'n';
	BookkeepingPrepare(&plan,
					   "INSERT INTO migrate.kept (project, revision, step, kind, table_schema,"
					   " table_name, column_name, columns, types, key_columns, key_types, kept_by)"
					   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, SESSION_USER)"
					   " RETURNING id",
					   11, argtypes);
	BookkeepingExec(plan, args, nulls, SPI_OK_INSERT_RETURNING);
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return id;
}

/* one batch of rows into the store, as the catalog owner */
static void
insert_rows(int64 id, Datum *keys, bool *keynulls, Datum *vals, int n)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[3] = {INT8OID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		args[3];
	int			dims[1] = {n};
	int			lbs[1] = {1};

	args[0] = Int64GetDatum(id);
	args[1] = PointerGetDatum(construct_md_array(keys, keynulls, 1, dims, lbs, TEXTOID,
												 -1, false, TYPALIGN_INT));
	args[2] = PointerGetDatum(construct_array(vals, n, TEXTOID, -1, false, TYPALIGN_INT));
	BookkeepingPrepare(&plan,
					   "INSERT INTO migrate.kept_row (kept, key, vals)"
					   " SELECT $1, u.k, u.v::pg_catalog.text[]"
					   " FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) AS u(k, v)",
					   3, argtypes);
	BookkeepingExec(plan, args, NULL, SPI_OK_INSERT);
}

static void
finish_header(int64 id, int64 rows, int64 bytes)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[3] = {INT8OID, INT8OID, INT8OID};
	Datum		args[3];

	args[0] = Int64GetDatum(id);
	args[1] = Int64GetDatum(rows);
	args[2] = Int64GetDatum(bytes);
	BookkeepingPrepare(&plan,
					   "UPDATE migrate.kept SET rows = $2, bytes = $3"
					   " WHERE id OPERATOR(pg_catalog.=) $1",
					   3, argtypes);
	BookkeepingExec(plan, args, NULL, SPI_OK_UPDATE);
}

/* the output functions of the values a query returns after its key */
static FmgrInfo *
output_functions(TupleDesc desc, int n)
{
	FmgrInfo   *output = palloc(sizeof(FmgrInfo) * n);

	for (int i = 0; i < n; i++)
	{
		Oid			func;
		bool		isvarlena;

		getTypeOutputInfo(TupleDescAttr(desc, i + 1)->atttypid, &func, &isvarlena);
		fmgr_info(func, &output[i]);
	}
	return output;
}

/* a row's values, after its key, as the text of a text[] */
static Datum
row_values(HeapTuple tuple, TupleDesc desc, FmgrInfo *output, int n)
{
	Datum	   *texts = palloc(sizeof(Datum) * n);
	bool	   *nulls = palloc(sizeof(bool) * n);
	int			dims[1] = {n};
	int			lbs[1] = {1};
	ArrayType  *array;

	for (int i = 0; i < n; i++)
	{
		Datum		d = SPI_getbinval(tuple, desc, i + 2, &nulls[i]);

		texts[i] = nulls[i] ? (Datum) 0 :
			CStringGetTextDatum(OutputFunctionCall(&output[i], d));
	}
	array = construct_md_array(texts, nulls, 1, dims, lbs, TEXTOID, -1, false,
							   TYPALIGN_INT);
	return CStringGetTextDatum(OidOutputFunctionCall(F_ARRAY_OUT,
													 PointerGetDatum(array)));
}

/*
 * Settings under which values are written as text and read back: those
 * pg_dump writes its data under, and a time zone, so that what one
 * session kept another reads back as it was (a date written under
 * DateStyle 'SQL, DMY' and read under 'MDY' is another date; a float8
 * written with extra_float_digits = 0 loses digits), and a key is written
 * alike when kept and when matched.  Undone by AtEOXact_GUC(true, level).
 */
static int
pin_text_settings(void)
{
	static const char *const settings[][2] = {
		{"DateStyle", "ISO, YMD"},
		{"IntervalStyle", "postgres"},
		{"extra_float_digits", "3"},
		{"TimeZone", "UTC"},
		{"lc_monetary", "C"},
	};
	int			nestlevel = NewGUCNestLevel();

	for (size_t i = 0; i < lengthof(settings); i++)
		(void) set_config_option(settings[i][0], settings[i][1],
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
	return nestlevel;
}

/* what keep() reads: a table's rows, or one column's values */
typedef struct KeepSource
{
	Oid			relid;
	const char *column;			/* NULL for a table */
	char	   *schema;
	char	   *table;
	char		relkind;
	Oid			owner;			/* who reads it (TrustTableActor) */
	KeptShape	values;
	KeptShape	keys;
	bool		keyed;			/* matched by primary key */
} KeepSource;

/*
 * Take the drop's lock and say what there is to keep; false when nothing:
 * a table that never had a row has no page; a temporary table ends with
 * its session, and its schema (pg_temp_N) is another session's in the next
 * one, so its rows could not come back; a generated column is computed
 * again from the others.
 */
static bool
keep_source(Oid relid, const char *column, KeepSource *src)
{
	Relation	rel;

	/*
	 * The statement is about to take this lock: taken now, no row can come
	 * or change between the reading and the dropping.
	 */
	LockRelationOid(relid, AccessExclusiveLock);
	rel = relation_open(relid, NoLock);
	memset(src, 0, sizeof(*src));
	src->relid = relid;
	src->column = column;
	src->relkind = rel->rd_rel->relkind;
	src->owner = TrustTableActor(relid);
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP ||
		(rel->rd_rel->relkind == RELKIND_RELATION &&
		 RelationGetNumberOfBlocks(rel) == 0))
	{
		relation_close(rel, NoLock);
		return false;
	}
	src->schema = get_namespace_name(RelationGetNamespace(rel));
	src->table = pstrdup(RelationGetRelationName(rel));
	if (column != NULL)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel),
											  get_attnum(relid, column) - 1);

		if (att->attgenerated != '\0')
		{
			relation_close(rel, NoLock);
			return false;
		}
		src->values.n = 1;
		src->values.names = palloc(sizeof(char *));
		src->values.types = palloc(sizeof(char *));
		src->values.names[0] = pstrdup(column);
		src->values.types[0] = type_text(att->atttypid, att->atttypmod);
	}
	else
		src->values = shape_now(rel, NULL);
	src->keyed = primary_key(rel, column, &src->keys);
	if (!src->keyed && column != NULL)
		src->keys = shape_now(rel, column);
	else if (!src->keyed)
		src->keys.n = 0;
	relation_close(rel, NoLock);
	return src->values.n > 0 && (column == NULL || src->keys.n > 0);
}

/* kept rows are read as the table's owner: one who may not read it cannot */
static void
check_owner_reads(const KeepSource *src)
{
	const char *owner;

	if (TrustMayRead(src->relid, src->owner))
		return;
	owner = quote_identifier(GetUserNameFromId(src->owner, false));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("cannot keep the %s of %s: its owner, role %s, may not read it",
					src->column != NULL ? "values" : "rows",
					describe(src->column == NULL, src->schema, src->table, src->column),
					owner),
			 errdetail("Kept rows are read as the table's owner, so that no code of the owner's runs with the rights of the body's runner."),
			 errhint("Grant role %s USAGE on schema %s and SELECT on the table, or keep nothing: migrate.configure(project, keep_dropped_data => false).",
					 owner, quote_identifier(src->schema))));
}

/*
 * The query keep() reads through.  The values are written by their types'
 * output functions, called in C (row_values): a cast to text in the query
 * would run whatever cast the owner of a column's type created, as the
 * runner.  A table's own rows only (ONLY): an inheritance child is a table
 * of its own.
 */
static char *
keep_query(const KeepSource *src)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s", src->keyed || src->column != NULL ?
					 row_text(&src->keys, "migrate_t") : "NULL::pg_catalog.text");
	for (int i = 0; i < src->values.n; i++)
		appendStringInfo(&sql, ", migrate_t.%s", quote_identifier(src->values.names[i]));
	appendStringInfo(&sql, " FROM %s%s AS migrate_t",
					 src->column == NULL && src->relkind == RELKIND_RELATION ? "ONLY " : "",
					 qualified_rel(src->schema, src->table));
	return sql.data;
}

/*
 * Copy what a cursor reads into kept rows, a batch at a time, the header
 * written with the first batch.  Returns the header's id (0: no row), and
 * how many rows and bytes were kept.
 */
static int64
copy_rows(KeptStep *ks, const KeepSource *src, Portal portal,
		  int64 *rows, int64 *bytes)
{
	FmgrInfo   *output = output_functions(portal->tupDesc, src->values.n);
	MemoryContext batch = AllocSetContextCreate(CurrentMemoryContext, "migrate kept batch",
												ALLOCSET_DEFAULT_SIZES);
	int64		id = 0;

	*rows = 0;
	*bytes = 0;
	for (;;)
	{
		SPITupleTable *fetched;
		MemoryContext oldcontext;
		Datum	   *keyvals;
		bool	   *keynulls;
		Datum	   *vals;
		uint64		n;

		SPI_cursor_fetch(portal, true, KEEP_BATCH);
		/* the statements below replace SPI_tuptable */
		fetched = SPI_tuptable;
		n = SPI_processed;
		if (n == 0)
			break;
		if (id == 0)
			id = insert_header(ks, src->column == NULL, src->schema, src->table,
							   src->column, &src->values, &src->keys,
							   src->keyed || src->column != NULL);
		oldcontext = MemoryContextSwitchTo(batch);
		keyvals = palloc(sizeof(Datum) * n);
		keynulls = palloc(sizeof(bool) * n);
		vals = palloc(sizeof(Datum) * n);
		for (uint64 r = 0; r < n; r++)
		{
			HeapTuple	tuple = fetched->vals[r];

			keyvals[r] = SPI_getbinval(tuple, fetched->tupdesc, 1, &keynulls[r]);
			vals[r] = row_values(tuple, fetched->tupdesc, output, src->values.n);
			*bytes += VARSIZE_ANY_EXHDR(DatumGetPointer(vals[r]));
			if (!keynulls[r])
				*bytes += VARSIZE_ANY_EXHDR(DatumGetPointer(keyvals[r]));
		}
		insert_rows(id, keyvals, keynulls, vals, (int) n);
		MemoryContextSwitchTo(oldcontext);
		MemoryContextReset(batch);
		SPI_freetuptable(fetched);
		*rows += n;
	}
	MemoryContextDelete(batch);
	return id;
}

/*
 * Keep the rows of a table (column NULL) or the values of one of its
 * columns, before the statement that drops it runs.  The table's owner
 * reads them through a cursor; the catalog owner stores them, a batch at a
 * time.
 */
static void
keep(KeptStep *ks, Oid relid, const char *column)
{
	KeepSource	src;
	Portal		portal;
	int64		id;
	int64		rows;
	int64		bytes;
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel;

	if (!keep_source(relid, column, &src))
		return;
	check_owner_reads(&src);

	nestlevel = pin_text_settings();
	TrustBecome(src.owner, &save_userid, &save_sec_context);
	portal = SPI_cursor_open_with_args(NULL, keep_query(&src), 0, NULL, NULL, NULL, true, 0);
	if (portal == NULL)
		elog(ERROR, "could not read %s to keep it",
			 describe(column == NULL, src.schema, src.table, column));
	id = copy_rows(ks, &src, portal, &rows, &bytes);
	SPI_cursor_close(portal);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	AtEOXact_GUC(true, nestlevel);
	if (id == 0)
		return;					/* no rows: nothing to keep */
	finish_header(id, rows, bytes);
	ereport(NOTICE,
			(errmsg("kept " INT64_FORMAT " %s of %s before %s of revision %s drops it",
					rows, column != NULL ? "values" : "rows",
					describe(column == NULL, src.schema, src.table, column),
					step_name(ks->upgrade), ks->revision),
			 errhint("The %s of the same revision puts them back; migrate.kept_data lists what is kept.",
					 step_name(!ks->upgrade))));
}

/*
 * A partition dropped with a partitioned table it belongs to: its rows are
 * kept with that table's, and go back through it.
 */
static void
skip_partitions_of(List **relids, List **columns)
{
	List	   *keep_relids = NIL;
	List	   *keep_columns = NIL;
	ListCell   *lc;
	ListCell   *lc2;

	forboth(lc, *relids, lc2, *columns)
	{
		Oid			relid = lfirst_oid(lc);
		bool		with_parent = false;

		if (lfirst(lc2) == NULL && get_rel_relispartition(relid))
		{
			ListCell   *a;

			foreach(a, get_partition_ancestors(relid))
				if (list_member_oid(*relids, lfirst_oid(a)))
					with_parent = true;
		}
		if (!with_parent)
		{
			keep_relids = lappend_oid(keep_relids, relid);
			keep_columns = lappend(keep_columns, lfirst(lc2));
		}
	}
	*relids = keep_relids;
	*columns = keep_columns;
}

/*
 * Before a statement: keep what it is about to drop.  Most statements drop
 * nothing, and cost a look at their parse tree.
 */
static void
kept_before(Node *stmt, const char *text, void *arg)
{
	KeptStep   *ks = (KeptStep *) arg;
	List	   *relids = NIL;	/* what to keep: a table ... */
	List	   *columns = NIL;	/* ... or one of its columns (NULL: all) */
	ListCell   *lc;
	ListCell   *lc2;

	if (!ks->keep || suspended)
		return;
	if (IsA(stmt, DropStmt) && ((DropStmt *) stmt)->removeType == OBJECT_TABLE)
	{
		foreach(lc, ((DropStmt *) stmt)->objects)
		{
			Oid			relid = RangeVarGetRelid(makeRangeVarFromNameList(lfirst(lc)),
												 NoLock, true);

			if (OidIsValid(relid) && (get_rel_relkind(relid) == RELKIND_RELATION ||
									  get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE))
			{
				relids = lappend_oid(relids, relid);
				columns = lappend(columns, NULL);
			}
		}
	}
	else if (IsA(stmt, AlterTableStmt) &&
			 ((AlterTableStmt *) stmt)->objtype == OBJECT_TABLE)
	{
		AlterTableStmt *alter = (AlterTableStmt *) stmt;
		Oid			relid = InvalidOid;

		foreach(lc, alter->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

			if (cmd->subtype != AT_DropColumn || cmd->name == NULL)
				continue;
			if (!OidIsValid(relid))
				relid = RangeVarGetRelid(alter->relation, NoLock, true);
			/* a view or foreign table: the statement fails, or keeps nothing */
			if (OidIsValid(relid) && (get_rel_relkind(relid) == RELKIND_RELATION ||
									  get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE) &&
				get_attnum(relid, cmd->name) > 0)
			{
				relids = lappend_oid(relids, relid);
				columns = lappend(columns, cmd->name);
			}
		}
	}
	if (relids == NIL)
		return;
	skip_partitions_of(&relids, &columns);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	forboth(lc, relids, lc2, columns)
		keep(ks, lfirst_oid(lc), (const char *) lfirst(lc2));
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

/*
 * What differs between the shape kept and the relation's columns now; NULL
 * when every kept column is there with its type.  *missing: a column is
 * not there (yet).
 */
static char *
shape_mismatch(Relation rel, const KeptShape *kept, bool *missing)
{
	TupleDesc	desc = RelationGetDescr(rel);

	*missing = false;
	for (int i = 0; i < kept->n; i++)
	{
		AttrNumber	attnum = get_attnum(RelationGetRelid(rel), kept->names[i]);
		Form_pg_attribute att;
		char	   *now;

		if (attnum <= 0)
		{
			*missing = true;
			return psprintf("column %s is not there", quote_identifier(kept->names[i]));
		}
		att = TupleDescAttr(desc, attnum - 1);
		now = type_text(att->atttypid, att->atttypmod);
		if (strcmp(now, kept->types[i]) != 0)
			return psprintf("column %s is of type %s, the kept values of type %s",
							quote_identifier(kept->names[i]), now, kept->types[i]);
	}
	return NULL;
}

/*
 * Run one statement through SPI as the catalog owner, outside any
 * security-restricted operation the body runs in: only for the temporary
 * table below, which holds nothing but the rows being put back and runs no
 * code of anybody's.
 */
static void
exec_as_owner(const char *sql, int nargs, Oid *argtypes, Datum *args, int expect)
{
	Oid			userid;
	int			sec_context;
	int			rc;

	GetUserIdAndSecContext(&userid, &sec_context);
	SetUserIdAndSecContext(CallCatalogOwner(),
						   (sec_context & ~SECURITY_RESTRICTED_OPERATION) |
						   SECURITY_LOCAL_USERID_CHANGE);
	rc = SPI_execute_with_args(sql, nargs, argtypes, args, NULL, false, 0);
	SetUserIdAndSecContext(userid, sec_context);
	if (rc != expect)
		elog(ERROR, "kept data: unexpected result: %s", SPI_result_code_string(rc));
}

/* what putting one item back needs, for the subtransaction */
typedef struct PutBack
{
	const KeptItem *item;
	Oid			owner;			/* the table's, who puts them back */
	const char *scratch;		/* the temporary table */
	bool		keyed;
	int64		matched;
} PutBack;

/*
 * Serial and identity sequences of the table move past the largest value
 * put back, so that the next insert does not take one of them again.
 */
static void
advance_sequences(Oid relid, const char *target)
{
	ListCell   *lc;

	foreach(lc, getOwnedSequences(relid))
	{
		Oid			seq = lfirst_oid(lc);
		Oid			table;
		int32		col;
		Oid			coltype;
		Oid			argtypes[1] = {OIDOID};
		Datum		args[1];
		int			rc;

		if (!sequenceIsOwned(seq, DEPENDENCY_AUTO, &table, &col) &&
			!sequenceIsOwned(seq, DEPENDENCY_INTERNAL, &table, &col))
			continue;
		coltype = get_atttype(relid, col);
		if (coltype != INT2OID && coltype != INT4OID && coltype != INT8OID)
			continue;
		args[0] = ObjectIdGetDatum(seq);
		/* forward only: a sequence already past them stays where it is */
		rc = SPI_execute_with_args(psprintf("SELECT pg_catalog.setval($1::pg_catalog.regclass, m.v, true)"
											" FROM (SELECT pg_catalog.max(migrate_t.%s)::pg_catalog.int8 AS v"
											" FROM %s AS migrate_t) m, %s s WHERE m.v IS NOT NULL"
											" AND m.v OPERATOR(pg_catalog.>=) CASE WHEN s.is_called"
											" THEN s.last_value OPERATOR(pg_catalog.+) 1 ELSE s.last_value END",
											quote_identifier(get_attname(relid, col, false)),
											target,
											quote_qualified_identifier(get_namespace_name(get_rel_namespace(seq)),
																	   get_rel_name(seq))),
								   1, argtypes, args, NULL, false, 0);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "kept data: could not advance a sequence: %s", SPI_result_code_string(rc));
	}
}

/*
 * The runner's statement that puts the rows back: the matching rows'
 * column set, or the table's rows inserted; rows that went back are
 * marked in the temporary table.
 */
static void
put_back(void *arg)
{
	PutBack    *pb = (PutBack *) arg;
	const KeptItem *item = pb->item;
	char	   *target = qualified_rel(item->schema, item->table);
	StringInfoData sql;
	int			rc;
	bool		isnull;
	int			nestlevel;
	Oid			save_userid;
	int			save_sec_context;

	initStringInfo(&sql);
	if (!item->is_table)
		appendStringInfo(&sql,
						 "WITH u AS (UPDATE %s AS migrate_t SET %s = CAST(k.vals[1] AS %s)"
						 " FROM %s k WHERE %s OPERATOR(pg_catalog.=) k.key RETURNING k.key)"
						 " UPDATE %s k SET matched = true FROM u WHERE k.key OPERATOR(pg_catalog.=) u.key",
						 target, quote_identifier(item->column), item->values.types[0],
						 pb->scratch, row_text(&item->keys, "migrate_t"), pb->scratch);
	else
	{
		appendStringInfo(&sql, "WITH i AS (INSERT INTO %s AS migrate_t (", target);
		for (int i = 0; i < item->values.n; i++)
			appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "",
							 quote_identifier(item->values.names[i]));
		appendStringInfoString(&sql, ") OVERRIDING SYSTEM VALUE SELECT ");
		for (int i = 0; i < item->values.n; i++)
			appendStringInfo(&sql, "%sCAST(k.vals[%d] AS %s)", i > 0 ? ", " : "",
							 i + 1, item->values.types[i]);
		appendStringInfo(&sql, " FROM %s k ON CONFLICT DO NOTHING RETURNING %s AS key)",
						 pb->scratch, pb->keyed ? row_text(&item->keys, "migrate_t") : "NULL::pg_catalog.text");
		if (pb->keyed)
			appendStringInfo(&sql, " UPDATE %s k SET matched = true FROM i"
							 " WHERE k.key OPERATOR(pg_catalog.=) i.key", pb->scratch);
		else
			appendStringInfoString(&sql, " SELECT pg_catalog.count(*) FROM i");
	}
	nestlevel = pin_text_settings();
	TrustBecome(pb->owner, &save_userid, &save_sec_context);
	rc = SPI_execute(sql.data, false, 0);
	if (rc == SPI_OK_UPDATE)
		pb->matched = (int64) SPI_processed;
	else if (rc == SPI_OK_SELECT && SPI_processed == 1)
		pb->matched = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 1, &isnull));
	else
		elog(ERROR, "kept data: could not put rows back: %s", SPI_result_code_string(rc));
	if (item->is_table && pb->matched > 0)
		advance_sequences(RangeVarGetRelid(makeRangeVar(item->schema, item->table, -1),
										   NoLock, false), target);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	AtEOXact_GUC(true, nestlevel);
}

/* the header's note, and a WARNING saying the same */
static void
note(const KeptItem *item, const char *why)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {INT8OID, TEXTOID};
	Datum		args[2];

	args[0] = Int64GetDatum(item->id);
	args[1] = CStringGetTextDatum(why);
	BookkeepingPrepare(&plan,
					   "UPDATE migrate.kept SET note = $2 WHERE id OPERATOR(pg_catalog.=) $1",
					   2, argtypes);
	BookkeepingExec(plan, args, NULL, SPI_OK_UPDATE);
	ereport(WARNING,
			(errmsg("the kept %s of %s were not all put back",
					item->is_table ? "rows" : "values",
					describe(item->is_table, item->schema, item->table, item->column)),
			 errdetail("%s", why),
			 errhint("They stay kept: migrate.kept_data lists them, migrate.kept_row holds them.")));
}

/*
 * Put one item back into its column or table, which exists again in the
 * shape it was kept in.  False when a partitioned table has no partition
 * for some of the rows: they stay kept, and KeptStepEnd() says so.
 */
static bool
restore(const KeptStep *ks, KeptItem *item)
{
	char	   *scratch = psprintf("pg_temp.%s",
								   quote_identifier(psprintf("migrate_kept_" INT64_FORMAT, item->id)));
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1];
	PutBack		pb;
	ErrorData  *edata;
	int64		ambiguous = 0;

	args[0] = Int64GetDatum(item->id);
	exec_as_owner(psprintf("CREATE TEMPORARY TABLE %s (key pg_catalog.text, vals pg_catalog.text[],"
						   " matched pg_catalog.bool NOT NULL DEFAULT false) ON COMMIT DROP",
						   scratch), 0, NULL, NULL, SPI_OK_UTILITY);
	exec_as_owner(psprintf("INSERT INTO %s (key, vals) SELECT r.key, r.vals FROM migrate.kept_row r"
						   " WHERE r.kept OPERATOR(pg_catalog.=) $1", scratch),
				  1, argtypes, args, SPI_OK_INSERT);
	pb.keyed = item->keys.n > 0;
	if (pb.keyed && !item->is_table)
	{
		/* without a primary key, a key two kept rows share names neither */
		exec_as_owner(psprintf("DELETE FROM %s k WHERE k.key OPERATOR(pg_catalog.=) ANY"
							   " (SELECT d.key FROM %s d GROUP BY d.key"
							   "  HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1)",
							   scratch, scratch), 0, NULL, NULL, SPI_OK_DELETE);
		ambiguous = (int64) SPI_processed;
	}
	pb.owner = TrustTableActor(RangeVarGetRelid(makeRangeVar(item->schema, item->table, -1),
														  NoLock, false));
	if (pb.owner != CallCatalogOwner())
		exec_as_owner(psprintf("GRANT SELECT, UPDATE ON %s TO %s", scratch,
							   quote_identifier(GetUserNameFromId(pb.owner, false))),
					  0, NULL, NULL, SPI_OK_UTILITY);

	pb.item = item;
	pb.scratch = scratch;
	pb.matched = 0;
	edata = SubxactRun(put_back, &pb, true, NULL);
	if (edata != NULL && item->is_table && edata->sqlerrcode == ERRCODE_CHECK_VIOLATION &&
		get_rel_relkind(RangeVarGetRelid(makeRangeVar(item->schema, item->table, -1),
										 NoLock, false)) == RELKIND_PARTITIONED_TABLE)
	{
		/* no partition for some row (yet): KeptStepEnd() says so if it stays */
		exec_as_owner(psprintf("DROP TABLE %s", scratch), 0, NULL, NULL, SPI_OK_UTILITY);
		item->waiting = MemoryContextStrdup(ks->context, edata->message);
		return false;
	}

	if (edata == NULL && pb.matched == item->rows)
		exec_as_owner("DELETE FROM migrate.kept WHERE id OPERATOR(pg_catalog.=) $1",
					  1, argtypes, args, SPI_OK_DELETE);
	else if (edata == NULL && pb.keyed && pb.matched > 0)
	{
		/* those that went back are no longer kept */
		exec_as_owner(psprintf("DELETE FROM migrate.kept_row r USING %s k"
							   " WHERE r.kept OPERATOR(pg_catalog.=) $1 AND k.matched"
							   " AND r.key OPERATOR(pg_catalog.=) k.key", scratch),
					  1, argtypes, args, SPI_OK_DELETE);
		exec_as_owner("UPDATE migrate.kept SET rows = (SELECT pg_catalog.count(*) FROM migrate.kept_row r"
					  " WHERE r.kept OPERATOR(pg_catalog.=) $1) WHERE id OPERATOR(pg_catalog.=) $1",
					  1, argtypes, args, SPI_OK_UPDATE);
	}
	exec_as_owner(psprintf("DROP TABLE %s", scratch), 0, NULL, NULL, SPI_OK_UTILITY);

	if (edata != NULL)
		note(item, psprintf("Putting them back failed: %s", edata->message));
	else if (pb.matched != item->rows && !pb.keyed)
		note(item, psprintf(INT64_FORMAT " of " INT64_FORMAT " rows went back, the others conflict with rows of the table; "
							"rows without a primary key cannot be told apart, so all of them stay kept.",
							pb.matched, item->rows));
	else if (pb.matched != item->rows)
		note(item, psprintf(INT64_FORMAT " of " INT64_FORMAT " %s went back; the others %s.",
							pb.matched, item->rows, item->is_table ? "rows" : "values",
							item->is_table ? "conflict with rows of the table" :
							ambiguous > 0 ? "match no row of the table, or share their key with another kept row" :
							"match no row of the table"));
	else
		ereport(NOTICE,
				(errmsg("put back " INT64_FORMAT " %s of %s, kept by %s of revision %s",
						item->rows, item->is_table ? "rows" : "values",
						describe(item->is_table, item->schema, item->table, item->column),
						step_name(!ks->upgrade), ks->revision)));
	return true;
}

/*
 * The table an item names as things are now, and its column (for a
 * column's item; InvalidAttrNumber when it is not there).
 */
static Oid
item_now(const KeptItem *item, AttrNumber *attnum)
{
	Oid			nsp = get_namespace_oid(item->schema, true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(item->table, nsp) : InvalidOid;

	*attnum = InvalidAttrNumber;
	if (OidIsValid(relid) && !item->is_table)
		*attnum = get_attnum(relid, item->column);
	return relid;
}

/*
 * Put an item back if its column or table is there again in the shape it
 * was kept in.  One that is there in another shape waits, with the
 * mismatch remembered: a later statement of the body may still change it.
 */
static void
try_item(KeptStep *ks, KeptItem *item, bool *connected)
{
	Oid			relid;
	AttrNumber	attnum;
	Relation	rel;
	bool		missing;
	bool		missing_key;
	char	   *mismatch;

	relid = item_now(item, &attnum);
	/* there before the step began: this step did not bring it back */
	if (OidIsValid(relid) && relid == item->relid_before &&
		(item->is_table || (attnum != InvalidAttrNumber && attnum == item->attnum_before)))
		return;
	if (!OidIsValid(relid) ||
		(get_rel_relkind(relid) != RELKIND_RELATION &&
		 get_rel_relkind(relid) != RELKIND_PARTITIONED_TABLE))
	{
		item->mismatch = NULL;
		return;
	}
	rel = relation_open(relid, AccessShareLock);
	mismatch = shape_mismatch(rel, &item->values, &missing);
	if (mismatch == NULL)
		mismatch = shape_mismatch(rel, &item->keys, &missing_key);
	else
		missing_key = false;
	relation_close(rel, AccessShareLock);
	/* a column not there (yet) is no mismatch, but for the key's */
	item->mismatch = missing && !item->is_table ? NULL :
		mismatch ? MemoryContextStrdup(ks->context, mismatch) : NULL;
	if (mismatch != NULL)
		return;

	if (!*connected && SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	*connected = true;
	if (!restore(ks, item))
		return;
	/* older keeps of the same column or table stay kept */
	for (int j = 0; j < ks->nitems; j++)
		if (strcmp(ks->items[j].schema, item->schema) == 0 &&
			strcmp(ks->items[j].table, item->table) == 0 &&
			ks->items[j].is_table == item->is_table &&
			(item->is_table || strcmp(ks->items[j].column, item->column) == 0))
			ks->items[j].done = true;
}

/*
 * Put back the items of one kind (columns, or tables) that are back in
 * their shape.
 */
static void
try_items(KeptStep *ks, bool tables)
{
	bool		connected = false;

	for (int i = 0; i < ks->nitems; i++)
		if (!ks->items[i].done && ks->items[i].is_table == tables)
			try_item(ks, &ks->items[i], &connected);
	if (connected && SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

/*
 * After a statement: a kept column that is back in its shape goes back at
 * once, so that the body's next statements (SET NOT NULL, a foreign key)
 * see its values.  A table's rows wait for the end of the body
 * (KeptStepBodyDone): a revision that creates a table often fills it with rows
 * of its own in its next statements, which must not meet kept rows of the
 * same key first.
 */
static void
kept_after(Node *stmt, const char *text, void *arg)
{
	KeptStep   *ks = (KeptStep *) arg;

	if (suspended)
		return;
	try_items(ks, false);
}

static KeptShape
shape_from(Datum names, Datum types, bool isnull)
{
	KeptShape	shape;

	shape.n = 0;
	shape.names = NULL;
	shape.types = NULL;
	if (!isnull)
	{
		int			ntypes;

		shape.names = (char **) TextArrayToStrings(names, &shape.n);
		shape.types = (char **) TextArrayToStrings(types, &ntypes);
		Assert(ntypes == shape.n);
	}
	return shape;
}

static int
cmp_newest(const void *a, const void *b)
{
	int64		x = ((const KeptItem *) a)->id;
	int64		y = ((const KeptItem *) b)->id;

	return x > y ? -1 : x < y ? 1 : 0;
}

/*
 * What the opposite step of the revision kept, newest first.  An index
 * probe (catalog.c), as every step makes it.
 */
static void
read_items(KeptStep *ks)
{
	static const char *const columns[] = {"id", "step", "kind", "table_schema", "table_name",
	"column_name", "columns", "types", "key_columns", "key_types", "rows"};
	const char *keys[2] = {ks->project, ks->revision};
	CatalogRows *rows = CatalogIndexScan("kept_project_revision", 2, keys,
										 lengthof(columns), columns);
	const char *want = step_name(!ks->upgrade);

	ks->items = palloc0(sizeof(KeptItem) * (rows->n + 1));
	ks->nitems = 0;
	for (int r = 0; r < rows->n; r++)
	{
		KeptItem   *item = &ks->items[ks->nitems];
		bool		isnull;
		bool		keysnull;
		Datum		d;

		if (strcmp(TextDatumGetCString(CatalogRowValue(rows, r, "step", &isnull)), want) != 0)
			continue;
		item->id = DatumGetInt64(CatalogRowValue(rows, r, "id", &isnull));
		item->is_table = strcmp(TextDatumGetCString(CatalogRowValue(rows, r, "kind", &isnull)),
								"table") == 0;
		item->schema = pstrdup(NameStr(*DatumGetName(CatalogRowValue(rows, r, "table_schema", &isnull))));
		item->table = pstrdup(NameStr(*DatumGetName(CatalogRowValue(rows, r, "table_name", &isnull))));
		d = CatalogRowValue(rows, r, "column_name", &isnull);
		item->column = isnull ? NULL : pstrdup(NameStr(*DatumGetName(d)));
		item->values = shape_from(CatalogRowValue(rows, r, "columns", &isnull),
								  CatalogRowValue(rows, r, "types", &isnull), false);
		d = CatalogRowValue(rows, r, "key_columns", &keysnull);
		item->keys = shape_from(d, CatalogRowValue(rows, r, "key_types", &isnull), keysnull);
		item->rows = DatumGetInt64(CatalogRowValue(rows, r, "rows", &isnull));
		ks->nitems++;
	}
	/* newest first: the newest keep of a column is the one put back */
	qsort(ks->items, ks->nitems, sizeof(KeptItem), cmp_newest);
}

/*
 * A step's body is about to run: watch its statements when it may keep
 * something (the project keeps dropped data) or put something back (the
 * opposite step kept some).  NULL when there is nothing to watch for.
 */
KeptStep *
KeptStepBegin(const MigrateProject *project, const char *revision, bool upgrade)
{
	KeptStep   *ks;

	if (suspended)
		return NULL;
	ks = palloc0(sizeof(KeptStep));
	ks->context = CurrentMemoryContext;
	ks->project = project->name;
	ks->revision = revision;
	ks->upgrade = upgrade;
	ks->keep = project->keep_dropped_data;
	read_items(ks);
	for (int i = 0; i < ks->nitems; i++)
		ks->items[i].relid_before = item_now(&ks->items[i], &ks->items[i].attnum_before);
	if (!ks->keep && ks->nitems == 0)
	{
		pfree(ks);
		return NULL;
	}
	ks->watch.before = kept_before;
	ks->watch.after = kept_after;
	ks->watch.arg = ks;
	StatementWatchPush(&ks->watch);
	return ks;
}

/*
 * The body's last statement is done, and it still runs as its runner:
 * the tables that are back in their shape get their rows back (ON
 * CONFLICT DO NOTHING: rows the body wrote itself win, and the kept ones
 * with their keys stay kept), with the runner's rights as the body's own
 * statements had them.
 */
static void
put_back_tables(void *arg)
{
	try_items((KeptStep *) arg, true);
}

void
KeptStepBodyDone(KeptStep *ks)
{
	if (ks == NULL || suspended)
		return;
	/* what is done here is no statement of the body's */
	StatementWatchersMuted(put_back_tables, ks);
}

/*
 * The body ended (ok: it ran to its end).  What is back in another shape
 * than it was kept in is reported once, and stays kept.
 */
void
KeptStepEnd(KeptStep *ks, bool ok)
{
	if (ks == NULL)
		return;
	StatementWatchPop(&ks->watch);
	if (!ok)
		return;
	for (int i = 0; i < ks->nitems; i++)
		if (!ks->items[i].done && ks->items[i].waiting != NULL)
			note(&ks->items[i], psprintf("Putting them back failed: %s", ks->items[i].waiting));
		else if (!ks->items[i].done && ks->items[i].mismatch != NULL)
			note(&ks->items[i], psprintf("%s is back in another shape: %s.",
										 describe(ks->items[i].is_table, ks->items[i].schema,
												  ks->items[i].table, ks->items[i].column),
										 ks->items[i].mismatch));
}

/*
 * Keep nothing and put nothing back until called again with false: for
 * lint(), whose trial is rolled back and says what a deploy would keep.
 * Returns the setting it replaces.
 */
bool
KeptSuspend(bool suspend)
{
	bool		was = suspended;

	suspended = suspend;
	return was;
}

/*
 * migrate.purge_kept(older_than, project): forget what the project keeps
 * that was kept longer ago than older_than; the number of columns and
 * tables forgotten.
 */
Datum
migrate_purge_kept(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	MigrateCall call;
	Interval   *older_than;
	char	   *project;
	Oid			argtypes[2] = {TEXTOID, INTERVALOID};
	Datum		args[2];
	int64		n;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("older_than must not be NULL"),
				 errhint("Pass an age, such as '30 days', or '0' to forget everything the project keeps.")));
	older_than = PG_GETARG_INTERVAL_P(0);
	if (older_than->month < 0 || older_than->day < 0 || older_than->time < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("older_than must not be negative")));
	project = ProjectArg(fcinfo, 1);

	CallCheckWritable("purge_kept");
	CallBegin(&call, false);
	args[0] = CStringGetTextDatum(project);
	args[1] = PG_GETARG_DATUM(0);
	BookkeepingPrepare(&plan,
					   "DELETE FROM migrate.kept WHERE project OPERATOR(pg_catalog.=) $1"
					   " AND kept_at OPERATOR(pg_catalog.<=) (pg_catalog.now() OPERATOR(pg_catalog.-) $2)",
					   2, argtypes);
	BookkeepingExec(plan, args, NULL, SPI_OK_DELETE);
	n = (int64) SPI_processed;
	CallEnd(&call);
	PG_RETURN_INT64(n);
}
