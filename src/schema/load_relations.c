/*-------------------------------------------------------------------------
 *
 * load_relations.c
 *	  Reading tables, columns, constraints, indexes, sequences and views
 *	  into the schema model.
 *
 * One query per kind over every schema read ($1).  Objects that belong to
 * an extension are left out: they are the extension's, not the schema's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_attrdef.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "schema_int.h"

/* a text[] column, sorted, joined with ", "; NULL when empty */
static char *
col_joined(Loader *ld, const char *column)
{
	int			n;
	char	  **list = col_list(ld, column, &n, true);
	StringInfoData buf;

	if (n == 0)
		return NULL;
	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", list[i]);
	return MemoryContextStrdup(ld->cxt, buf.data);
}

static const char *const tables_sql =
"SELECT c.oid, c.reltype, n.nspname, pg_catalog.quote_ident(c.relname) AS ident,"
" c.relpersistence" EQ "'u' AS unlogged, c.relkind" EQ "'p' AS partitioned, c.relispartition,"
" CASE WHEN c.relkind" EQ "'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey,"
" CASE WHEN c.relispartition THEN (SELECT i.inhparent::pg_catalog.regclass::pg_catalog.text"
"   FROM pg_catalog.pg_inherits i WHERE i.inhrelid" EQ "c.oid) END AS parent,"
" CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS bound,"
" CASE WHEN NOT c.relispartition THEN (SELECT pg_catalog.string_agg("
"   i.inhparent::pg_catalog.regclass::pg_catalog.text, ', ' ORDER BY i.inhseqno)"
"   FROM pg_catalog.pg_inherits i WHERE i.inhrelid" EQ "c.oid) END AS inherits,"
" c.reloptions::pg_catalog.text[] AS options, c.relrowsecurity, c.relforcerowsecurity,"
" CASE WHEN c.relreplident" EQ "'f' THEN 'FULL' WHEN c.relreplident" EQ "'n' THEN 'NOTHING'"
/* an identity whose index was dropped acts as NOTHING */
"  WHEN c.relreplident" EQ "'i' THEN COALESCE((SELECT 'USING INDEX '" CAT "pg_catalog.quote_ident(ic.relname)"
"   FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid" EQ "x.indexrelid"
"   WHERE x.indrelid" EQ "c.oid AND x.indisreplident), 'NOTHING') END AS replident,"
" (SELECT pg_catalog.quote_ident(am.amname) FROM pg_catalog.pg_am am"
"   WHERE am.oid" EQ "c.relam AND am.amname" NE "'heap') AS am,"
" CASE WHEN c.reloftype" NE "0 THEN pg_catalog.format_type(c.reloftype, NULL) END AS oftype,"
" ARRAY(SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.pg_attribute a"
"   WHERE a.attrelid" EQ "c.oid AND a.attnum" GT "0 AND NOT a.attisdropped"
"   ORDER BY a.attnum) AS columns,"
" " COMMENT_OF("c.oid", "pg_class") " AS comment, "
ACL_COLUMNS_CREATED("c.relacl", "r", "r", "c.relowner", "c.relnamespace")
" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
" WHERE c.relnamespace" EQ "ANY ($1)"
" AND c.relkind" EQ "ANY ('{r,p}'::pg_catalog.\"char\"[]) AND" NOT_MEMBER("pg_class", "c.oid");

void
load_tables(Loader *ld)
{
	loader_query_homes(ld, tables_sql, RelationRelationId, "c.oid", NULL);
	while (loader_next(ld))
	{
		int			i = loader_add(ld, SK_TABLE, NULL, col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];

		if (col_bool(ld, "unlogged"))
			SA(obj, TA_UNLOGGED) = "UNLOGGED";
		if (col_bool(ld, "partitioned"))
			SA(obj, TA_PARTKEY) = col_deparsed(ld, "partkey", i);
		SA(obj, TA_PARENT) = col_text(ld, "parent");
		if (col_bool(ld, "relispartition"))
			SA(obj, TA_BOUND) = col_deparsed(ld, "bound", i);
		SA(obj, TA_INHERITS) = col_text(ld, "inherits");
		SA(obj, TA_OPTIONS) = col_joined(ld, "options");
		if (col_bool(ld, "relrowsecurity"))
			SA(obj, TA_RLS) = "ENABLE";
		if (col_bool(ld, "relforcerowsecurity"))
			SA(obj, TA_FORCE_RLS) = "FORCE";
		SA(obj, TA_REPLIDENT) = col_text(ld, "replident");
		SA(obj, TA_AM) = col_text(ld, "am");
		SA(obj, TA_OFTYPE) = col_text(ld, "oftype");
		obj->list = col_list(ld, "columns", &obj->nlist, false);
		obj->comment = col_text(ld, "comment");
		loader_acl(ld, i);
		loader_key(ld, RelationRelationId, col_oid(ld, "oid"), 0, i);
		loader_key(ld, TypeRelationId, col_oid(ld, "reltype"), 0, i);
	}
}

/*
 * Columns of tables (their properties) and of views (only their comments
 * and privileges: a view's columns are its query's).
 *
 * attoptions leaves out "pg_attver=": Debian's PostgreSQL 15 stores an
 * internal number there for every column, different for each table, which
 * is no part of the schema.
 */
static const char *const columns_sql =
"SELECT a.attrelid, a.attnum, d.oid AS attrdef, n.nspname,"
" c.relkind" EQ "ANY ('{v,m}'::pg_catalog.\"char\"[]) AS of_view,"
" pg_catalog.quote_ident(c.relname) AS parent, pg_catalog.quote_ident(a.attname) AS ident,"
" pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,"
" CASE WHEN a.attcollation" NE "t.typcollation THEN " COLLATION_NAME("a.attcollation") " END AS collation,"
" a.attnotnull,"
" CASE WHEN a.attgenerated" EQ "'' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) END AS default_expr,"
" CASE WHEN a.attgenerated" NE "'' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) END AS generated,"
" CASE WHEN a.attgenerated" EQ "'s' THEN 'STORED' WHEN a.attgenerated" EQ "'v' THEN 'VIRTUAL' END AS genkind,"
" CASE WHEN a.attidentity" EQ "'a' THEN 'ALWAYS' WHEN a.attidentity" EQ "'d' THEN 'BY DEFAULT' END AS identity,"
" s.seqrelid AS identity_seq, pg_catalog.quote_ident(sc.relname) AS identity_name,"
" 'START WITH '" CAT "s.seqstart" CAT "' INCREMENT BY '" CAT "s.seqincrement"
CAT "' MINVALUE '" CAT "s.seqmin" CAT "' MAXVALUE '" CAT "s.seqmax" CAT "' CACHE '" CAT "s.seqcache"
CAT "CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END AS identity_params,"
" CASE WHEN a.attstorage" EQ "t.typstorage THEN NULL WHEN a.attstorage" EQ "'p' THEN 'PLAIN'"
"  WHEN a.attstorage" EQ "'e' THEN 'EXTERNAL' WHEN a.attstorage" EQ "'m' THEN 'MAIN'"
"  ELSE 'EXTENDED' END AS storage,"
" CASE WHEN t.typstorage" EQ "'p' THEN 'PLAIN' WHEN t.typstorage" EQ "'e' THEN 'EXTERNAL'"
"  WHEN t.typstorage" EQ "'m' THEN 'MAIN' ELSE 'EXTENDED' END AS typstorage,"
" CASE WHEN a.attcompression" EQ "'p' THEN 'pglz' WHEN a.attcompression" EQ "'l' THEN 'lz4' END AS compression,"
" CASE WHEN a.attstattarget OPERATOR(pg_catalog.>=) 0 THEN a.attstattarget::pg_catalog.int4 END AS statistics,"
" ARRAY(SELECT o FROM pg_catalog.unnest(a.attoptions) o"
"   WHERE NOT pg_catalog.starts_with(o, 'pg_attver=')) AS options,"
" NOT a.attislocal AS inherited,"
" " COLUMN_COMMENT_OF("a.attrelid", "a.attnum") " AS comment,"
/* a column has no privileges of its own by default */
" CASE WHEN a.attacl IS NOT NULL THEN " ACL_ENTRIES("a.attacl", "c.relowner") " END AS acl,"
" '{}'::pg_catalog.text[] AS acl_default,"
" pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)) AS owner_role"
" FROM pg_catalog.pg_attribute a"
" JOIN pg_catalog.pg_class c ON c.oid" EQ "a.attrelid"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
" JOIN pg_catalog.pg_type t ON t.oid" EQ "a.atttypid"
" LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid" EQ "a.attrelid AND d.adnum" EQ "a.attnum"
" LEFT JOIN pg_catalog.pg_depend sd ON sd.refclassid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass"
"  AND sd.refobjid" EQ "a.attrelid AND sd.refobjsubid" EQ "a.attnum AND sd.deptype" EQ "'i'"
"  AND sd.classid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass"
" LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid" EQ "sd.objid"
" LEFT JOIN pg_catalog.pg_class sc ON sc.oid" EQ "s.seqrelid"
" WHERE c.relnamespace" EQ "ANY ($1) AND c.relkind" EQ "ANY ('{r,p,v,m}'::pg_catalog.\"char\"[])"
" AND a.attnum" GT "0 AND NOT a.attisdropped AND" NOT_MEMBER("pg_class", "c.oid");

void
load_columns(Loader *ld)
{
	Oid			last_rel = InvalidOid;
	int			position = 0;

	loader_query_homes(ld, columns_sql, RelationRelationId, "a.attrelid",
					   " ORDER BY a.attrelid, a.attnum");
	while (loader_next(ld))
	{
		Oid			relid = col_oid(ld, "attrelid");
		bool		of_view = col_bool(ld, "of_view");
		int			i = loader_add(ld, of_view ? SK_VIEW_COLUMN : SK_COLUMN,
								   col_text(ld, "parent"), col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];

		position = relid == last_rel ? position + 1 : 1;
		last_rel = relid;
		obj->position = position;
		obj->belongs_to = loader_find(ld, RelationRelationId, relid, 0);
		obj->comment = col_text(ld, "comment");
		loader_acl(ld, i);
		/* what depends on a view's column depends on the view */
		if (of_view)
		{
			obj->home.classid = RelationRelationId;
			obj->home.objid = relid;
			continue;
		}
		loader_key(ld, RelationRelationId, relid, col_int(ld, "attnum"), i);
		SA(obj, CA_TYPE) = col_text(ld, "type");
		SA(obj, CA_COLLATION) = col_text(ld, "collation");
		if (col_bool(ld, "attnotnull"))
			SA(obj, CA_NOTNULL) = "NOT NULL";
		SA(obj, CA_DEFAULT) = col_text(ld, "default_expr");
		SA(obj, CA_GENERATED) = col_text(ld, "generated");
		/* pg_get_expr() gives NULL for a table dropped meanwhile */
		if (OidIsValid(col_oid(ld, "attrdef")) && !SA(obj, CA_DEFAULT) &&
			!SA(obj, CA_GENERATED))
			loader_vanished(ld, i);
		SA(obj, CA_GENKIND) = col_text(ld, "genkind");
		SA(obj, CA_IDENTITY) = col_text(ld, "identity");
		if (SA(obj, CA_IDENTITY))
		{
			SA(obj, CA_IDENTITY_NAME) = col_text(ld, "identity_name");
			SA(obj, CA_IDENTITY_SEQ) = col_text(ld, "identity_params");
			loader_key(ld, RelationRelationId, col_oid(ld, "identity_seq"), 0, i);
		}
		SA(obj, CA_STORAGE) = col_text(ld, "storage");
		SA(obj, CA_TYPSTORAGE) = col_text(ld, "typstorage");
		SA(obj, CA_COMPRESSION) = col_text(ld, "compression");
		SA(obj, CA_STATISTICS) = col_text(ld, "statistics");
		SA(obj, CA_OPTIONS) = col_joined(ld, "options");
		if (col_bool(ld, "inherited"))
			SA(obj, CA_INHERITED) = "INHERITED";
		loader_key(ld, AttrDefaultRelationId, col_oid(ld, "attrdef"), 0, i);
	}
}

/*
 * Constraints of tables.  NOT NULL constraints (PostgreSQL 18 keeps them in
 * pg_constraint) are the columns' NOT NULL; constraint triggers are
 * triggers.  The index of a primary key, unique or exclusion constraint is
 * the constraint's.  A constraint a partition has from its parent's (and a
 * foreign key's clone for each partition of the table it references) is
 * named by the server in the order things were made in (p1_pkey,
 * c_pid_fkey1): it is known by its table and the constraint at the top of
 * its tree instead ("p1.p_pkey", "c.c_pid_fkey (references p1)").
 */
static const char *const constraints_sql =
"SELECT k.oid, k.conindid, k.conrelid, n.nspname, pg_catalog.quote_ident(c.relname) AS parent,"
" pg_catalog.quote_ident(k.conname) AS ident, pg_catalog.pg_get_constraintdef(k.oid, true) AS def,"
" NOT k.convalidated AS not_valid, (NOT k.conislocal OR k.conparentid" NE "0) AS inherited,"
" CASE WHEN k.conparentid" NE "0 THEN (WITH RECURSIVE up(id, depth) AS ("
"   SELECT k.conparentid, 1 UNION ALL SELECT p.conparentid, up.depth + 1"
"   FROM pg_catalog.pg_constraint p JOIN up ON p.oid" EQ "up.id WHERE p.conparentid" NE "0)"
"  SELECT pg_catalog.quote_ident(r.conname)" CAT "CASE WHEN r.confrelid" NE "k.confrelid"
"   THEN ' (references '" CAT "pg_catalog.quote_ident(f.relname)" CAT "')' ELSE '' END"
"  FROM up JOIN pg_catalog.pg_constraint r ON r.oid" EQ "up.id"
"  LEFT JOIN pg_catalog.pg_class f ON f.oid" EQ "k.confrelid"
"  ORDER BY up.depth DESC LIMIT 1) END AS root,"
" k.contype::pg_catalog.text AS contype, " COMMENT_OF("k.oid", "pg_constraint") " AS comment,"
" k.contype" EQ "ANY ('{p,u,x}'::pg_catalog.\"char\"[]) AND (SELECT x.indisclustered"
"  FROM pg_catalog.pg_index x WHERE x.indexrelid" EQ "k.conindid) AS clustered"
" FROM pg_catalog.pg_constraint k"
" JOIN pg_catalog.pg_class c ON c.oid" EQ "k.conrelid"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
" WHERE c.relnamespace" EQ "ANY ($1) AND k.contype" EQ "ANY ('{p,u,f,c,x}'::pg_catalog.\"char\"[])"
" AND c.relkind" NE "'f'"
" AND" NOT_MEMBER("pg_class", "c.oid");

/* a constraint's definition without its " NOT VALID", kept apart */
static char *
strip_not_valid(Loader *ld, char *def, bool not_valid)
{
	size_t		len = strlen(def);
	const char *suffix = " NOT VALID";

	if (not_valid && len > strlen(suffix) &&
		strcmp(def + len - strlen(suffix), suffix) == 0)
		def[len - strlen(suffix)] = '\0';
	return def;
}

void
load_constraints(Loader *ld)
{
	loader_query_homes(ld, constraints_sql, ConstraintRelationId, "k.oid", NULL);
	while (loader_next(ld))
	{
		char	   *root = col_text(ld, "root");
		int			i = loader_add(ld, SK_CONSTRAINT, col_text(ld, "parent"),
								   root ? root : col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];
		bool		not_valid = col_bool(ld, "not_valid");

		if (root)
			obj->ident = col_text(ld, "ident");
		SA(obj, XA_DEF) = strip_not_valid(ld, col_deparsed(ld, "def", i), not_valid);
		if (not_valid)
			SA(obj, XA_NOT_VALID) = "NOT VALID";
		if (col_bool(ld, "inherited"))
			SA(obj, XA_INHERITED) = "INHERITED";
		SA(obj, XA_CONTYPE) = col_text(ld, "contype");
		if (col_bool(ld, "clustered"))
			SA(obj, XA_CLUSTER) = "CLUSTER";
		obj->comment = col_text(ld, "comment");
		obj->belongs_to = loader_find(ld, RelationRelationId, col_oid(ld, "conrelid"), 0);
		loader_key(ld, ConstraintRelationId, col_oid(ld, "oid"), 0, i);
		if (strchr("pux", SA(obj, XA_CONTYPE)[0]))
			loader_key(ld, RelationRelationId, col_oid(ld, "conindid"), 0, i);
	}
}

/*
 * Indexes, but those of constraints.  The index of a partition attached to
 * its parent table's index belongs to that index: it goes with it.  Such an
 * index is made by the server, under a name that depends on the order
 * things were made in (m1_id_idx, m1_id_idx1): it is known by its table
 * and the index at the top of its tree instead ("m1.mi"), and described
 * without its name.  An index left invalid (a partitioned index some
 * partition lacks, a CREATE INDEX CONCURRENTLY that failed) says so.
 */
static const char *const indexes_sql =
"SELECT i.indexrelid, i.indrelid, n.nspname, pg_catalog.quote_ident(ic.relname) AS ident,"
" pg_catalog.quote_ident(c.relname) AS tab,"
" pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) AS def, i.indisclustered,"
" NOT i.indisvalid AS invalid,"
" (SELECT h.inhparent FROM pg_catalog.pg_inherits h WHERE h.inhrelid" EQ "i.indexrelid) AS parent_index,"
" CASE WHEN ic.relispartition THEN (SELECT pg_catalog.quote_ident(r.relname) FROM pg_catalog.pg_class r"
"  WHERE r.oid" EQ "pg_catalog.pg_partition_root(i.indexrelid)) END AS root,"
" " COMMENT_OF("i.indexrelid", "pg_class") " AS comment"
" FROM pg_catalog.pg_index i"
" JOIN pg_catalog.pg_class ic ON ic.oid" EQ "i.indexrelid"
" JOIN pg_catalog.pg_class c ON c.oid" EQ "i.indrelid"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "ic.relnamespace"
" WHERE ic.relnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_class", "i.indrelid")
" AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid" EQ "i.indexrelid"
"  AND k.conrelid" EQ "i.indrelid AND k.contype" EQ "ANY ('{p,u,x}'::pg_catalog.\"char\"[]))";

/*
 * "CREATE [UNIQUE] INDEX name ON ..." without the name: "CREATE [UNIQUE]
 * INDEX ON ...", which reads the same whatever the server named the index.
 */
static char *
without_name(Loader *ld, const char *def, const char *ident)
{
	char	   *infix = psprintf("INDEX %s ON ", ident);
	const char *at = strstr(def, infix);

	if (at == NULL)
		elog(ERROR, "unexpected index definition \"%s\"", def);
	return MemoryContextStrdup(ld->cxt,
							   psprintf("%.*sINDEX ON %s", (int) (at - def), def,
										at + strlen(infix)));
}

void
load_indexes(Loader *ld)
{
	int			first = ld->model->nobjects;
	Oid		   *parents;

	loader_query_homes(ld, indexes_sql, RelationRelationId, "i.indexrelid", NULL);
	parents = palloc(sizeof(Oid) * Max((int) ld->ntuples, 1));
	while (loader_next(ld))
	{
		int			i = loader_add(ld, SK_INDEX, NULL, col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];
		char	   *root = col_text(ld, "root");

		obj->parent = col_text(ld, "tab");
		SA(obj, XA_DEF) = col_deparsed(ld, "def", i);
		if (col_bool(ld, "indisclustered"))
			SA(obj, XA_CLUSTER) = "CLUSTER";
		if (col_bool(ld, "invalid"))
			SA(obj, XA_INVALID) = "INVALID";
		parents[i - first] = col_oid(ld, "parent_index");
		if (OidIsValid(parents[i - first]) && root)
		{
			SA(obj, XA_INHERITED) = "INHERITED";
			SA(obj, XA_DEF) = without_name(ld, SA(obj, XA_DEF), obj->ident);
			obj->name = MemoryContextStrdup(ld->cxt,
											ld->relative ? psprintf("%s.%s", obj->parent, root) :
											psprintf("%s.%s.%s", obj->schema, obj->parent, root));
		}
		obj->comment = col_text(ld, "comment");
		obj->belongs_to = loader_find(ld, RelationRelationId, col_oid(ld, "indrelid"), 0);
		loader_key(ld, RelationRelationId, col_oid(ld, "indexrelid"), 0, i);
	}
	/* now that every index is known */
	for (int i = first; i < ld->model->nobjects; i++)
		if (OidIsValid(parents[i - first]))
			ld->model->objects[i].belongs_to =
				loader_find(ld, RelationRelationId, parents[i - first], 0);
}

/* Sequences; those of identity columns are the columns'. */
static const char *const sequences_sql =
"SELECT c.oid, n.nspname, pg_catalog.quote_ident(c.relname) AS ident,"
" pg_catalog.format_type(s.seqtypid, NULL) AS type, s.seqstart::pg_catalog.text AS start,"
" s.seqincrement::pg_catalog.text AS increment, s.seqmin::pg_catalog.text AS min,"
" s.seqmax::pg_catalog.text AS max, s.seqcache::pg_catalog.text AS cache, s.seqcycle,"
" c.relpersistence" EQ "'u' AS unlogged,"
" (SELECT d.refobjid::pg_catalog.regclass::pg_catalog.text" CAT "'.'" CAT "pg_catalog.quote_ident(a.attname)"
"   FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute a"
"    ON a.attrelid" EQ "d.refobjid AND a.attnum" EQ "d.refobjsubid"
"   WHERE d.classid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid" EQ "c.oid"
"   AND d.refclassid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype" EQ "'a'"
"   AND d.refobjsubid" GT "0) AS owned_by,"
" (SELECT d.refobjid FROM pg_catalog.pg_depend d"
"   WHERE d.classid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid" EQ "c.oid"
"   AND d.refclassid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype" EQ "'a'"
"   AND d.refobjsubid" GT "0) AS owner_rel,"
" (SELECT d.refobjsubid FROM pg_catalog.pg_depend d"
"   WHERE d.classid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid" EQ "c.oid"
"   AND d.refclassid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype" EQ "'a'"
"   AND d.refobjsubid" GT "0) AS owner_att,"
" " COMMENT_OF("c.oid", "pg_class") " AS comment, "
ACL_COLUMNS_CREATED("c.relacl", "s", "S", "c.relowner", "c.relnamespace")
" FROM pg_catalog.pg_class c"
" JOIN pg_catalog.pg_sequence s ON s.seqrelid" EQ "c.oid"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
" WHERE c.relnamespace" EQ "ANY ($1) AND c.relkind" EQ "'S' AND" NOT_MEMBER("pg_class", "c.oid")
" AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
"  WHERE d.classid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid" EQ "c.oid"
"  AND d.deptype" EQ "'i')";

void
load_sequences(Loader *ld)
{
	loader_query_homes(ld, sequences_sql, RelationRelationId, "c.oid", NULL);
	while (loader_next(ld))
	{
		int			i = loader_add(ld, SK_SEQUENCE, NULL, col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];

		SA(obj, QA_TYPE) = col_text(ld, "type");
		SA(obj, QA_START) = col_text(ld, "start");
		SA(obj, QA_INCREMENT) = col_text(ld, "increment");
		SA(obj, QA_MIN) = col_text(ld, "min");
		SA(obj, QA_MAX) = col_text(ld, "max");
		SA(obj, QA_CACHE) = col_text(ld, "cache");
		if (col_bool(ld, "seqcycle"))
			SA(obj, QA_CYCLE) = "CYCLE";
		SA(obj, QA_OWNED_BY) = col_text(ld, "owned_by");
		/* dropped with the column that owns it */
		if (SA(obj, QA_OWNED_BY))
			obj->belongs_to = loader_find(ld, RelationRelationId, col_oid(ld, "owner_rel"),
										  col_int(ld, "owner_att"));
		if (col_bool(ld, "unlogged"))
			SA(obj, QA_UNLOGGED) = "UNLOGGED";
		obj->comment = col_text(ld, "comment");
		loader_acl(ld, i);
		loader_key(ld, RelationRelationId, col_oid(ld, "oid"), 0, i);
	}
}

static const char *const views_sql =
"SELECT c.oid, c.reltype, n.nspname, pg_catalog.quote_ident(c.relname) AS ident,"
" c.relkind" EQ "'m' AS materialized, NOT c.relispopulated AS no_data,"
" c.reloptions::pg_catalog.text[] AS options,"
" ARRAY(SELECT pg_catalog.quote_ident(a.attname)" CAT "' '" CAT "pg_catalog.format_type(a.atttypid, a.atttypmod)"
"   FROM pg_catalog.pg_attribute a WHERE a.attrelid" EQ "c.oid AND a.attnum" GT "0"
"   AND NOT a.attisdropped ORDER BY a.attnum) AS columns,"
" (SELECT r.oid FROM pg_catalog.pg_rewrite r WHERE r.ev_class" EQ "c.oid"
"   AND r.rulename" EQ "'_RETURN') AS rule,"
" " COMMENT_OF("c.oid", "pg_class") " AS comment, "
ACL_COLUMNS_CREATED("c.relacl", "r", "r", "c.relowner", "c.relnamespace")
" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
" WHERE c.relnamespace" EQ "ANY ($1)"
" AND c.relkind" EQ "ANY ('{v,m}'::pg_catalog.\"char\"[]) AND" NOT_MEMBER("pg_class", "c.oid");

/*
 * The query of view index (oid).  pg_get_viewdef() reads the view's rule
 * with the active snapshot but opens the view as it is now: a view dropped
 * since the snapshot was taken would fail with an internal error.  The view
 * is locked while it is deparsed (and only then: a schema of many views must
 * not fill the lock table), so it cannot go away meanwhile.
 *
 * The active snapshot must be the one the list of views was read with.
 * A read-only loader's queries use the caller's, which is still active; a
 * loader that is not read-only (check_reversible(), trial()) read the list
 * with a fresh snapshot that SPI has popped since, and the caller's would
 * not see a view the check's own bodies made, so a fresh one is taken here
 * too.
 */
static char *
view_query(Loader *ld, Oid oid, int index)
{
	LOCAL_FCINFO(fcinfo, 2);
	Datum		query;

	LockRelationOid(oid, AccessShareLock);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(oid)))
	{
		UnlockRelationOid(oid, AccessShareLock);
		loader_vanished(ld, index);
	}
	InitFunctionCallInfoData(*fcinfo, NULL, 2, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = ObjectIdGetDatum(oid);
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = BoolGetDatum(true);
	fcinfo->args[1].isnull = false;
	if (!ld->read_only)
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		UpdateActiveSnapshotCommandId();
	}
	query = pg_get_viewdef_ext(fcinfo);
	if (!ld->read_only)
		PopActiveSnapshot();
	UnlockRelationOid(oid, AccessShareLock);
	if (fcinfo->isnull)
		loader_vanished(ld, index);
	return MemoryContextStrdup(ld->cxt, text_to_cstring(DatumGetTextPP(query)));
}

void
load_views(Loader *ld)
{
	loader_query_homes(ld, views_sql, RelationRelationId, "c.oid", NULL);
	while (loader_next(ld))
	{
		bool		materialized = col_bool(ld, "materialized");
		int			i = loader_add(ld, materialized ? SK_MATVIEW : SK_VIEW, NULL,
								   col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];

		SA(obj, VA_QUERY) = view_query(ld, col_oid(ld, "oid"), i);
		SA(obj, VA_OPTIONS) = col_joined(ld, "options");
		if (col_bool(ld, "no_data"))
			SA(obj, VA_NO_DATA) = "WITH NO DATA";
		obj->list = col_list(ld, "columns", &obj->nlist, false);
		obj->comment = col_text(ld, "comment");
		loader_acl(ld, i);
		loader_key(ld, RelationRelationId, col_oid(ld, "oid"), 0, i);
		loader_key(ld, TypeRelationId, col_oid(ld, "reltype"), 0, i);
		loader_key(ld, RewriteRelationId, col_oid(ld, "rule"), 0, i);
	}
}
