/*-------------------------------------------------------------------------
 *
 * load_schema.c
 *	  Reading what belongs to a schema itself into the schema model: its
 *	  comment and privileges (GRANT USAGE ON SCHEMA), and the default
 *	  privileges its new objects get (ALTER DEFAULT PRIVILEGES IN SCHEMA).
 *
 * Default privileges for all schemas (ALTER DEFAULT PRIVILEGES without IN
 * SCHEMA) belong to no schema and are not read as objects; what they give
 * new objects is part of each object's acl_created all the same.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_default_acl.h"
#include "catalog/pg_namespace.h"

#include "schema_int.h"

static const char *const schema_sql =
"SELECT n.oid, n.nspname, pg_catalog.quote_ident(n.nspname) AS ident,"
" " COMMENT_OF("n.oid", "pg_namespace") " AS comment, "
ACL_COLUMNS("n.nspacl", "n", "n.nspowner")
" FROM pg_catalog.pg_namespace n WHERE n.oid" EQ "ANY ($1)";

/*
 * The schemas read.  In a model relative to a schema, the schema is known
 * by no name (its name is what differs between the schemas compared), and
 * its own comment and privileges are left out: the schemas such a model is
 * compared with are other containers by design.  public comes from initdb
 * with a comment and USAGE for PUBLIC, a reference or desired schema from
 * a plain CREATE SCHEMA; a comparison would always differ there, and a
 * script would revoke USAGE on public from everyone.  fingerprint(), which
 * compares a schema with the same schema elsewhere, describes both.
 */
void
load_schema(Loader *ld)
{
	loader_query(ld, schema_sql);
	while (loader_next(ld))
	{
		int			i = loader_add(ld, SK_SCHEMA, NULL, col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];

		loader_key(ld, NamespaceRelationId, col_oid(ld, "oid"), 0, i);
		if (ld->relative)
		{
			obj->name = "(this schema)";
			continue;
		}
		obj->name = obj->ident;
		obj->comment = col_text(ld, "comment");
		loader_acl(ld, i);
	}
}

/*
 * Default privileges given in the schemas read.  The role they are for is
 * part of their name; entries for that role itself read OWNER.
 */
static const char *const default_acls_sql =
"SELECT da.oid, n.nspname, pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(da.defaclrole)) AS role,"
" CASE da.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'"
"  WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS' END AS objtype,"
" " ACL_ENTRIES("da.defaclacl", "da.defaclrole") " AS acl"
" FROM pg_catalog.pg_default_acl da"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "da.defaclnamespace"
" WHERE da.defaclnamespace" EQ "ANY ($1)";

void
load_default_acls(Loader *ld)
{
	loader_query(ld, default_acls_sql);
	while (loader_next(ld))
	{
		char	   *role = col_text(ld, "role");
		char	   *objtype = col_text(ld, "objtype");
		char	   *ident = psprintf("FOR ROLE %s ON %s", role, objtype);
		int			i = loader_add(ld, SK_DEFAULT_ACL, NULL, ident);
		SchemaObject *obj = &ld->model->objects[i];

		if (!ld->relative)
			obj->name = MemoryContextStrdup(ld->cxt,
											psprintf("FOR ROLE %s IN SCHEMA %s ON %s",
													 role, obj->schema, objtype));
		SA(obj, PV_ROLE) = role;
		SA(obj, PV_OBJTYPE) = objtype;
		obj->acl = col_list(ld, "acl", &obj->nacl, true);
		loader_key(ld, DefaultAclRelationId, col_oid(ld, "oid"), 0, i);
	}
}
