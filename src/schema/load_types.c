/*-------------------------------------------------------------------------
 *
 * load_types.c
 *	  Reading enum, domain, composite and range types, and the constraints
 *	  of domains, into the schema model.
 *
 * Array types, the row types of tables and views, and multirange types go
 * with the type they are made from: a dependency on one of them is a
 * dependency on that type.  Base types (CREATE TYPE with C functions) are
 * not read.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"

#include "schema_int.h"

static const char *const types_sql =
"SELECT t.oid, t.typarray, t.typrelid, n.nspname, pg_catalog.quote_ident(t.typname) AS ident,"
" t.typtype::pg_catalog.text AS typtype,"
" ARRAY(SELECT e.enumlabel::pg_catalog.text FROM pg_catalog.pg_enum e"
"   WHERE e.enumtypid" EQ "t.oid ORDER BY e.enumsortorder) AS labels,"
" CASE WHEN t.typtype" EQ "'d' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS basetype,"
" CASE WHEN t.typtype" EQ "'d' AND t.typcollation" NE "b.typcollation"
"  THEN " COLLATION_NAME("t.typcollation") " END AS collation,"
" t.typnotnull, pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS default_expr,"
" ARRAY(SELECT pg_catalog.quote_ident(a.attname)" CAT "' '" CAT "pg_catalog.format_type(a.atttypid, a.atttypmod)"
CAT "COALESCE(' COLLATE '" CAT "CASE WHEN a.attcollation" NE "at.typcollation"
"    THEN " COLLATION_NAME("a.attcollation") " END, '')"
"   FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid" EQ "a.atttypid"
"   WHERE a.attrelid" EQ "t.typrelid AND a.attnum" GT "0 AND NOT a.attisdropped"
"   ORDER BY a.attnum) AS attributes,"
" pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,"
" (SELECT CASE WHEN pg_catalog.pg_opclass_is_visible(oc.oid) THEN pg_catalog.quote_ident(oc.opcname)"
"   ELSE pg_catalog.quote_ident(ocn.nspname)" CAT "'.'" CAT "pg_catalog.quote_ident(oc.opcname) END"
"   FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_namespace ocn ON ocn.oid" EQ "oc.opcnamespace"
"   WHERE oc.oid" EQ "r.rngsubopc AND NOT oc.opcdefault) AS opclass,"
" CASE WHEN r.rngcollation" NE "st.typcollation THEN " COLLATION_NAME("r.rngcollation") " END AS range_collation,"
" CASE WHEN r.rngcanonical" NE "0 THEN r.rngcanonical::pg_catalog.regproc::pg_catalog.text END AS canonical,"
" CASE WHEN r.rngsubdiff" NE "0 THEN r.rngsubdiff::pg_catalog.regproc::pg_catalog.text END AS subdiff,"
" pg_catalog.format_type(r.rngmultitypid, NULL) AS multirange, r.rngmultitypid AS multirange_oid,"
" mr.typarray AS multirange_array,"
" " COMMENT_OF("t.oid", "pg_type") " AS comment, "
ACL_COLUMNS_CREATED("t.typacl", "T", "T", "t.typowner", "t.typnamespace")
" FROM pg_catalog.pg_type t"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "t.typnamespace"
" LEFT JOIN pg_catalog.pg_type b ON b.oid" EQ "t.typbasetype"
" LEFT JOIN pg_catalog.pg_range r ON r.rngtypid" EQ "t.oid"
" LEFT JOIN pg_catalog.pg_type st ON st.oid" EQ "r.rngsubtype"
" LEFT JOIN pg_catalog.pg_type mr ON mr.oid" EQ "r.rngmultitypid"
" WHERE t.typnamespace" EQ "ANY ($1) AND t.typtype" EQ "ANY ('{e,d,c,r}'::pg_catalog.\"char\"[])"
" AND (t.typtype" NE "'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c"
"  WHERE c.oid" EQ "t.typrelid)" EQ "'c') AND" NOT_MEMBER("pg_type", "t.oid");

static void
read_range(Loader *ld, SchemaObject *obj, int i)
{
	SA(obj, RA_SUBTYPE) = col_text(ld, "subtype");
	SA(obj, RA_OPCLASS) = col_text(ld, "opclass");
	SA(obj, RA_COLLATION) = col_text(ld, "range_collation");
	SA(obj, RA_CANONICAL) = col_text(ld, "canonical");
	SA(obj, RA_SUBDIFF) = col_text(ld, "subdiff");
	SA(obj, RA_MULTIRANGE) = col_text(ld, "multirange");
	loader_key(ld, TypeRelationId, col_oid(ld, "multirange_oid"), 0, i);
	loader_key(ld, TypeRelationId, col_oid(ld, "multirange_array"), 0, i);
}

void
load_types(Loader *ld)
{
	loader_query_homes(ld, types_sql, TypeRelationId, "t.oid", NULL);
	while (loader_next(ld))
	{
		char	   *typtype = col_text(ld, "typtype");
		SchemaKind	kind = typtype[0] == 'e' ? SK_ENUM :
			typtype[0] == 'd' ? SK_DOMAIN :
			typtype[0] == 'c' ? SK_COMPOSITE : SK_RANGE;
		int			i = loader_add(ld, kind, NULL, col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];

		/* its own address first: that is its home (scope.c) */
		loader_key(ld, TypeRelationId, col_oid(ld, "oid"), 0, i);
		if (kind == SK_ENUM)
			obj->list = col_list(ld, "labels", &obj->nlist, false);
		else if (kind == SK_COMPOSITE)
		{
			obj->list = col_list(ld, "attributes", &obj->nlist, false);
			loader_key(ld, RelationRelationId, col_oid(ld, "typrelid"), 0, i);
		}
		else if (kind == SK_DOMAIN)
		{
			SA(obj, DA_BASETYPE) = col_text(ld, "basetype");
			SA(obj, DA_COLLATION) = col_text(ld, "collation");
			if (col_bool(ld, "typnotnull"))
				SA(obj, DA_NOTNULL) = "NOT NULL";
			SA(obj, DA_DEFAULT) = col_text(ld, "default_expr");
		}
		else
			read_range(ld, obj, i);
		obj->comment = col_text(ld, "comment");
		loader_acl(ld, i);
		loader_key(ld, TypeRelationId, col_oid(ld, "typarray"), 0, i);
	}
}

/*
 * CHECK constraints of domains.  NOT NULL is the domain's (PostgreSQL 17
 * keeps it in pg_constraint too).
 */
static const char *const domain_constraints_sql =
"SELECT k.oid, k.contypid, n.nspname, pg_catalog.quote_ident(t.typname) AS parent,"
" pg_catalog.quote_ident(k.conname) AS ident, pg_catalog.pg_get_constraintdef(k.oid, true) AS def,"
" NOT k.convalidated AS not_valid,"
" " COMMENT_OF("k.oid", "pg_constraint") " AS comment"
" FROM pg_catalog.pg_constraint k"
" JOIN pg_catalog.pg_type t ON t.oid" EQ "k.contypid"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "t.typnamespace"
" WHERE t.typnamespace" EQ "ANY ($1) AND k.contype" EQ "'c'"
" AND" NOT_MEMBER("pg_type", "t.oid");

void
load_domain_constraints(Loader *ld)
{
	loader_query_homes(ld, domain_constraints_sql, ConstraintRelationId, "k.oid", NULL);
	while (loader_next(ld))
	{
		int			i = loader_add(ld, SK_DOMAIN_CONSTRAINT, col_text(ld, "parent"),
								   col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];
		char	   *def = col_deparsed(ld, "def", i);
		size_t		len = strlen(def);

		if (col_bool(ld, "not_valid"))
		{
			SA(obj, XA_NOT_VALID) = "NOT VALID";
			if (len > 10 && strcmp(def + len - 10, " NOT VALID") == 0)
				def[len - 10] = '\0';
		}
		SA(obj, XA_DEF) = def;
		obj->comment = col_text(ld, "comment");
		obj->belongs_to = loader_find(ld, TypeRelationId, col_oid(ld, "contypid"), 0);
		loader_key(ld, ConstraintRelationId, col_oid(ld, "oid"), 0, i);
	}
}
