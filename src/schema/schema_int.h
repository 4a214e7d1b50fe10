/*-------------------------------------------------------------------------
 *
 * schema_int.h
 *	  Declarations shared by the files of the schema model only (the
 *	  loader's state while it reads the catalogs).  Other files use
 *	  schema.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SCHEMA_INT_H
#define MIGRATE_SCHEMA_INT_H

#include "executor/spi.h"
#include "utils/hsearch.h"

#include "schema.h"

/*
 * Spellings of the operators the loader's queries use, qualified so that no
 * search_path can redirect them.
 */
#define EQ " OPERATOR(pg_catalog.=) "
#define NE " OPERATOR(pg_catalog.<>) "
#define GT " OPERATOR(pg_catalog.>) "
#define CAT " OPERATOR(pg_catalog.||) "

/* the object is no member of an extension (e.g. pgTAP in public) */
#define NOT_MEMBER(catalog, oid) \
	" NOT EXISTS (SELECT FROM pg_catalog.pg_depend x" \
	" WHERE x.classid" EQ "'pg_catalog." catalog "'::pg_catalog.regclass" \
	" AND x.objid" EQ oid " AND x.deptype" EQ "'e')"

/*
 * Privileges as a sorted text[] of "grantee=PRIVILEGE[*]" ('*': with grant
 * option); the owner is OWNER and everyone PUBLIC, so that the same grants
 * on objects of different owners read the same.  The grantor is left out.
 */
#define ACL_ENTRIES(acl, owner) \
	"ARRAY(SELECT DISTINCT CASE WHEN ae.grantee" EQ "0 THEN 'PUBLIC'" \
	" WHEN ae.grantee" EQ owner " THEN 'OWNER'" \
	" ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(ae.grantee)) END" \
	CAT "'='" CAT "ae.privilege_type" \
	CAT "CASE WHEN ae.is_grantable THEN '*' ELSE '' END" \
	" FROM pg_catalog.aclexplode(" acl ") ae)"

/*
 * The privileges of an object (NULL: the default) and those a new object of
 * its kind gets, as columns acl, acl_default and owner_role.
 */
#define ACL_COLUMNS(acl, kind, owner) \
	"CASE WHEN " acl " IS NOT NULL THEN " ACL_ENTRIES(acl, owner) " END" \
	" AS acl, " ACL_ENTRIES("pg_catalog.acldefault('" kind "', " owner ")", owner) \
	" AS acl_default, pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(" owner ")) AS owner_role"

/* the default privileges of role owner for objects of type defkind in nsp (0: all schemas) */
#define DEFAULT_ACL(defkind, owner, nsp) \
	"(SELECT da.defaclacl FROM pg_catalog.pg_default_acl da WHERE da.defaclrole" EQ owner \
	" AND da.defaclnamespace" EQ nsp " AND da.defaclobjtype" EQ "'" defkind "')"

/*
 * ACL_COLUMNS, and what a new object of its kind made by its owner in its
 * schema gets, as the server computes it: the owner's default privileges
 * for all schemas, or else the built-in ones, and those for the schema
 * (column acl_created, NULL when the owner has no default privileges).
 */
#define ACL_COLUMNS_CREATED(acl, kind, defkind, owner, nsp) \
	ACL_COLUMNS(acl, kind, owner) ", CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_default_acl da" \
	" WHERE da.defaclrole" EQ owner " AND da.defaclobjtype" EQ "'" defkind "') THEN " \
	ACL_ENTRIES("COALESCE(" DEFAULT_ACL(defkind, owner, "0") ", pg_catalog.acldefault('" kind "', " owner "))" \
				CAT "COALESCE(" DEFAULT_ACL(defkind, owner, nsp) ", '{}'::pg_catalog.aclitem[])", owner) \
	" END AS acl_created"

/* a collation's name, qualified when not visible */
#define COLLATION_NAME(oid) \
	"(SELECT CASE WHEN pg_catalog.pg_collation_is_visible(co.oid)" \
	" THEN pg_catalog.quote_ident(co.collname)" \
	" ELSE pg_catalog.quote_ident(cn.nspname)" CAT "'.'" CAT "pg_catalog.quote_ident(co.collname) END" \
	" FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid" EQ "co.collnamespace" \
	" WHERE co.oid" EQ oid ")"

/*
 * The comment on an object of a catalog (what obj_description() returns,
 * and col_description() for a column of a relation), read in the query
 * itself: those functions are SQL functions, whose query would be planned
 * again for each object.
 */
#define COMMENT_OF(oid, catalog) \
	"(SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid" EQ oid \
	" AND dsc.classoid" EQ "'pg_catalog." catalog "'::pg_catalog.regclass AND dsc.objsubid" EQ "0)"
#define COLUMN_COMMENT_OF(rel, attnum) \
	"(SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid" EQ rel \
	" AND dsc.classoid" EQ "'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid" EQ attnum ")"

/* a catalog address (class, object, sub-object) */
typedef struct LoaderKey
{
	Oid			classid;
	Oid			objid;
	int32		subid;
} LoaderKey;

/* The loader's state while it reads one model. */
typedef struct Loader
{
	SchemaModel *model;
	MemoryContext cxt;			/* where the model lives */
	bool		relative;
	bool		read_only;
	Datum		schemas;		/* oid[] of the schemas read: $1 */
	const SchemaScope *scope;	/* a scoped load: the homes read; NULL:
								 * every object */
	int			maxobjects;
	HTAB	   *keys;			/* catalog address -> object */
	LoaderKey  *primary;		/* per object: the address registered first
								 * (its own), objid 0 if none */
	Oid		   *oids;			/* every object id registered */
	int			noids;
	int			maxoids;
	/* the query being read */
	SPITupleTable *tuptable;
	uint64		ntuples;
	uint64		row;
} Loader;

/* load_shared.c */
extern void loader_init(Loader *ld);
extern void loader_done(Loader *ld);
extern Datum loader_oid_array(const Oid *oids, int n);
extern void loader_query(Loader *ld, const char *sql);
extern void loader_query_homes(Loader *ld, const char *sql, Oid home_class,
							   const char *home_column, const char *order_by);
extern void loader_query_objects(Loader *ld, const char *sql);
extern bool loader_next(Loader *ld);
extern char *col_text(Loader *ld, const char *column);
extern bool col_bool(Loader *ld, const char *column);
extern Oid	col_oid(Loader *ld, const char *column);
extern int	col_int(Loader *ld, const char *column);
extern char col_char(Loader *ld, const char *column);
extern char **col_list(Loader *ld, const char *column, int *n, bool sort);
extern char *col_deparsed(Loader *ld, const char *column, int index);
extern void loader_vanished(Loader *ld, int index);
extern int	loader_add(Loader *ld, SchemaKind kind, const char *parent,
					   const char *ident);
extern void loader_key(Loader *ld, Oid classid, Oid objid, int32 subid,
					   int index);
extern int	loader_find(Loader *ld, Oid classid, Oid objid, int32 subid);
extern void loader_acl(Loader *ld, int index);
extern void loader_attach_script(Loader *ld, Loader *script);
extern char *loader_strip_prefix(Loader *ld, const char *def, const char *head,
								 const char *schema, const char *name);

/* load_relations.c */
extern void load_tables(Loader *ld);
extern void load_columns(Loader *ld);
extern void load_constraints(Loader *ld);
extern void load_indexes(Loader *ld);
extern void load_sequences(Loader *ld);
extern void load_views(Loader *ld);

/* load_routines.c */
extern void load_functions(Loader *ld);
extern void load_triggers(Loader *ld);
extern void load_rules(Loader *ld);
extern void load_policies(Loader *ld);
extern void load_statistics(Loader *ld);

/* load_other.c */
extern void load_others(Loader *ld);

/* load_schema.c */
extern void load_schema(Loader *ld);
extern void load_default_acls(Loader *ld);

/* load_types.c */
extern void load_types(Loader *ld);
extern void load_domain_constraints(Loader *ld);

/* describe.c */
extern void describe_object(SchemaModel *model, int index);

/* compare.c */
extern bool append_printable(StringInfo buf, const char *text, int maxbytes,
							 bool spaces);

#endif							/* MIGRATE_SCHEMA_INT_H */
