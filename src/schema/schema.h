/*-------------------------------------------------------------------------
 *
 * schema.h
 *	  The schema model: what a schema holds, read from the catalogs, and
 *	  what can be done with it (fingerprint, compare, diff).
 *
 * One reader of the catalogs serves every user of the model:
 * migrate.fingerprint(), the testkit's check_reversible() and
 * schema_matches(), migrate.diff() and migrate.autogenerate().
 *
 * API, for the other files of the extension:
 *
 *	SchemaModel *schema_model_load(const char *schema, const char *peer,
 *								   bool read_only)
 *		Reads one schema.  Names are relative to it: its own objects are
 *		written unqualified, references into other schemas qualified, so two
 *		schemas built by the same DDL under different names ("public" and
 *		"ref", "live" and "desired") give identical rows.  peer, if not NULL,
 *		is the schema the model will be compared with: references into it
 *		are written unqualified too (see load_model.c).  An unknown schema is an
 *		error (42704).  read_only: true from a STABLE entry point (the
 *		queries then use the caller's snapshot); false when the caller has
 *		just run DDL in the same call (a fresh snapshot sees it).  An object
 *		dropped since that snapshot was taken is an error (40001).  The model
 *		is built in CurrentMemoryContext; the caller need not be connected to
 *		SPI (the loader connects itself, nested if need be).
 *
 *	SchemaModel *schema_model_load_for_diff(const char *schema,
 *											const char *peer, bool read_only)
 *		schema_model_load(), and for each object that a diff script may
 *		write (tables, columns, views, routines, ...) the texts the script
 *		writes, in obj->script: the same deparsers read again under a
 *		search_path of pg_catalog alone, so that every name outside
 *		pg_catalog comes out qualified, as pg_dump writes it.  A script
 *		runs under that search_path (diff_order.c): no object another role
 *		creates, in the live schema or in public, can stand in for a
 *		built-in one there.
 *
 *	SchemaModel *schema_model_load_qualified(char **schemas, int n,
 *											 bool read_only)
 *		Reads several schemas, every name qualified with its schema (what
 *		migrate.fingerprint() shows).  schemas == NULL: every schema but
 *		the system ones and those of extensions (migrate's included).
 *
 *	SchemaRow  *schema_model_rows(const SchemaModel *model, int *nrows)
 *		The canonical rows (kind, name, definition), sorted by kind then
 *		name (bytewise).  No OIDs, no creation order: two databases built by
 *		the same DDL in any order give the same rows.
 *
 *	char	   *schema_model_hash(const SchemaModel *model)
 *		sha256 (hex) of the canonical rows.
 *
 *	SchemaDifference *schema_compare(const SchemaModel *left,
 *									 const SchemaModel *right, int *n)
 *		The rows that differ: one entry per (kind, name) present on one side
 *		only or with another definition, in row order.  *n == 0: the schemas
 *		match.
 *
 *	char	   *schema_differences_text(const SchemaDifference *d, int n,
 *										int limit, const char *left_label,
 *										const char *right_label)
 *		Those differences as lines for an errdetail or a diagnostic, the
 *		sides named by the labels: "column t.a: live has integer; desired
 *		has bigint", "index i: only in desired: CREATE INDEX ...".  At most
 *		limit lines, then a count of the rest.
 *
 *	char	   *schema_diff(const SchemaModel *source, const SchemaModel *target,
 *							const char *source_schema, SchemaDiffInfo *info)
 *		The SQL script that turns source (as it is now in schema
 *		source_schema) into target: see diff.c.  Both models must be
 *		read by schema_model_load_for_diff(), each with the other's schema
 *		as its peer.  info, if not NULL, receives whether the script
 *		destroys data and what it could not express.
 *
 * Everything allocated by these functions lives in CurrentMemoryContext.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SCHEMA_H
#define MIGRATE_SCHEMA_H

#include "compat.h"
#include "util/catwrites.h"

/*
 * Kinds of objects, in the order the rows' kind names sort in (the model
 * keeps its objects sorted by kind, then name).
 */
typedef enum SchemaKind
{
	SK_AGGREGATE,
	SK_BASE_TYPE,				/* not written by the diff */
	SK_COLLATION,				/* not written by the diff */
	SK_COLUMN,
	SK_COMPOSITE,
	SK_CONSTRAINT,
	SK_CONVERSION,				/* not written by the diff */
	SK_DEFAULT_ACL,
	SK_DOMAIN,
	SK_DOMAIN_CONSTRAINT,
	SK_ENUM,
	SK_FOREIGN_TABLE,			/* not written by the diff */
	SK_FUNCTION,
	SK_INDEX,
	SK_MATVIEW,
	SK_OPERATOR,				/* not written by the diff */
	SK_OPCLASS,					/* not written by the diff */
	SK_OPFAMILY,				/* not written by the diff */
	SK_POLICY,
	SK_PROCEDURE,
	SK_RANGE,
	SK_RULE,
	SK_SCHEMA,					/* the schema itself: its comment and
								 * privileges */
	SK_SEQUENCE,
	SK_STATISTICS,
	SK_TABLE,
	SK_TS_CONFIG,				/* not written by the diff */
	SK_TS_DICT,					/* not written by the diff */
	SK_TS_PARSER,				/* not written by the diff */
	SK_TS_TEMPLATE,				/* not written by the diff */
	SK_TRIGGER,
	SK_VIEW,
	SK_VIEW_COLUMN,				/* no row of its own: carries comments and
								 * privileges of view columns */
	SK_NKINDS
} SchemaKind;

/*
 * Kind-specific properties, by slot.  The slots of each kind are named
 * below; a slot is NULL when the property is not set.  The canonical
 * definition of an object is built from them (describe.c), and diff.c
 * compares them one by one to write ALTER statements.
 *
 * Each slot's name carries its family (the slots of tables, of columns,
 * ...) beside its index, and each kind has one family (schema_kinds[],
 * kinds.c): SA(obj, slot) is the slot of obj, and an error when obj's kind
 * does not have that family -- TA_UNLOGGED read on a column is caught, not
 * silently read as whatever a column keeps at the same index.
 */
#define SA_MAX 16

typedef enum SchemaSlotFamily
{
	SF_NONE,					/* no slots: enums, composites, schemas */
	SF_TABLE,					/* TA_ */
	SF_COLUMN,					/* CA_ */
	SF_DEPARSED,				/* XA_ */
	SF_SEQUENCE,				/* QA_ */
	SF_VIEW,					/* VA_ */
	SF_ROUTINE,					/* FA_ */
	SF_POLICY,					/* PA_ */
	SF_DEFACL,					/* PV_ */
	SF_DOMAIN,					/* DA_ */
	SF_RANGE					/* RA_ */
} SchemaSlotFamily;

#define SA_SLOT(family, index)	((int) (family) * SA_MAX + (index))
#define SA_FAMILY(slot)			((SchemaSlotFamily) ((slot) / SA_MAX))
#define SA_INDEX(slot)			((slot) % SA_MAX)

/* the slot of obj, checked against its kind: an lvalue (schema_slot) */
#define SA(obj, slot)			(*schema_slot((obj), (slot)))

/* tables */
#define TA_UNLOGGED		SA_SLOT(SF_TABLE, 0)		/* "UNLOGGED" */
#define TA_PARTKEY		SA_SLOT(SF_TABLE, 1)		/* pg_get_partkeydef() */
#define TA_PARENT		SA_SLOT(SF_TABLE, 2)		/* partitions: the partitioned table */
#define TA_BOUND		SA_SLOT(SF_TABLE, 3)		/* partitions: FOR VALUES ... / DEFAULT */
#define TA_INHERITS		SA_SLOT(SF_TABLE, 4)		/* other parents, comma-separated, in order */
#define TA_OPTIONS		SA_SLOT(SF_TABLE, 5)		/* storage parameters, "a=1, b=2" */
#define TA_RLS			SA_SLOT(SF_TABLE, 6)		/* "ENABLE" */
#define TA_FORCE_RLS	SA_SLOT(SF_TABLE, 7)		/* "FORCE" */
#define TA_REPLIDENT	SA_SLOT(SF_TABLE, 8)		/* FULL, NOTHING or USING INDEX i */
#define TA_AM			SA_SLOT(SF_TABLE, 9)		/* access method, when not heap */
#define TA_OFTYPE		SA_SLOT(SF_TABLE, 10)		/* typed table: the type */

/* columns */
#define CA_TYPE			SA_SLOT(SF_COLUMN, 0)
#define CA_COLLATION	SA_SLOT(SF_COLUMN, 1)
#define CA_NOTNULL		SA_SLOT(SF_COLUMN, 2)		/* "NOT NULL" */
#define CA_DEFAULT		SA_SLOT(SF_COLUMN, 3)
#define CA_IDENTITY		SA_SLOT(SF_COLUMN, 4)		/* ALWAYS or BY DEFAULT */
#define CA_IDENTITY_SEQ SA_SLOT(SF_COLUMN, 5)		/* its sequence: name and parameters */
#define CA_GENERATED	SA_SLOT(SF_COLUMN, 6)		/* generation expression */
#define CA_GENKIND		SA_SLOT(SF_COLUMN, 7)		/* STORED or VIRTUAL */
#define CA_STORAGE		SA_SLOT(SF_COLUMN, 8)		/* when not the type's */
#define CA_COMPRESSION	SA_SLOT(SF_COLUMN, 9)
#define CA_STATISTICS	SA_SLOT(SF_COLUMN, 10)
#define CA_OPTIONS		SA_SLOT(SF_COLUMN, 11)
#define CA_INHERITED	SA_SLOT(SF_COLUMN, 12)		/* not defined locally (not described) */
#define CA_IDENTITY_NAME SA_SLOT(SF_COLUMN, 13)		/* the identity's sequence */
#define CA_TYPSTORAGE	SA_SLOT(SF_COLUMN, 14)		/* the type's storage (not described) */

/*
 * constraints, domain constraints, indexes, triggers, rules, statistics,
 * and the kinds the diff does not write (their definition only)
 */
#define XA_DEF			SA_SLOT(SF_DEPARSED, 0)		/* pg_get_*def(), name unqualified */
#define XA_NOT_VALID	SA_SLOT(SF_DEPARSED, 1)		/* constraints: "NOT VALID" */
#define XA_INHERITED	SA_SLOT(SF_DEPARSED, 2)		/* comes from a parent table or index (not
								 * described) */
#define XA_CLUSTER		SA_SLOT(SF_DEPARSED, 3)		/* indexes: "CLUSTER" */
#define XA_ENABLED		SA_SLOT(SF_DEPARSED, 4)		/* triggers and rules: D, R or A when not O */
#define XA_CONTYPE		SA_SLOT(SF_DEPARSED, 5)		/* constraints: p, u, f, c, x */
#define XA_STATTARGET	SA_SLOT(SF_DEPARSED, 6)		/* statistics objects */
#define XA_INVALID		SA_SLOT(SF_DEPARSED, 7)		/* indexes: "INVALID" */

/* sequences (also the parameters of identity columns) */
#define QA_TYPE			SA_SLOT(SF_SEQUENCE, 0)
#define QA_START		SA_SLOT(SF_SEQUENCE, 1)
#define QA_INCREMENT	SA_SLOT(SF_SEQUENCE, 2)
#define QA_MIN			SA_SLOT(SF_SEQUENCE, 3)
#define QA_MAX			SA_SLOT(SF_SEQUENCE, 4)
#define QA_CACHE		SA_SLOT(SF_SEQUENCE, 5)
#define QA_CYCLE		SA_SLOT(SF_SEQUENCE, 6)		/* "CYCLE" */
#define QA_OWNED_BY		SA_SLOT(SF_SEQUENCE, 7)		/* table.column */
#define QA_UNLOGGED		SA_SLOT(SF_SEQUENCE, 8)

/* views and materialized views (their columns are in list) */
#define VA_QUERY		SA_SLOT(SF_VIEW, 0)
#define VA_OPTIONS		SA_SLOT(SF_VIEW, 1)
#define VA_NO_DATA		SA_SLOT(SF_VIEW, 2)		/* materialized views: "WITH NO DATA" */

/* functions, procedures, aggregates */
#define FA_DEF			SA_SLOT(SF_ROUTINE, 0)		/* functions: pg_get_functiondef() from the
								 * argument list on; aggregates: the options
								 * of CREATE AGGREGATE */
#define FA_RESULT		SA_SLOT(SF_ROUTINE, 1)		/* pg_get_function_result() */
#define FA_ARGUMENTS	SA_SLOT(SF_ROUTINE, 2)		/* pg_get_function_arguments() */
#define FA_NAME			SA_SLOT(SF_ROUTINE, 3)		/* the name alone, quoted */

/* policies */
#define PA_PERMISSIVE	SA_SLOT(SF_POLICY, 0)		/* PERMISSIVE or RESTRICTIVE */
#define PA_COMMAND		SA_SLOT(SF_POLICY, 1)		/* ALL, SELECT, INSERT, UPDATE, DELETE */
#define PA_ROLES		SA_SLOT(SF_POLICY, 2)
#define PA_USING		SA_SLOT(SF_POLICY, 3)
#define PA_CHECK		SA_SLOT(SF_POLICY, 4)

/* default privileges (their grants are in acl) */
#define PV_ROLE			SA_SLOT(SF_DEFACL, 0)		/* FOR ROLE: the role whose objects get them */
#define PV_OBJTYPE		SA_SLOT(SF_DEFACL, 1)		/* TABLES, SEQUENCES, FUNCTIONS, TYPES */

/* domains (constraints are objects of their own); enums and composites use list */
#define DA_BASETYPE		SA_SLOT(SF_DOMAIN, 0)
#define DA_COLLATION	SA_SLOT(SF_DOMAIN, 1)
#define DA_NOTNULL		SA_SLOT(SF_DOMAIN, 2)
#define DA_DEFAULT		SA_SLOT(SF_DOMAIN, 3)

/* range types */
#define RA_SUBTYPE		SA_SLOT(SF_RANGE, 0)
#define RA_OPCLASS		SA_SLOT(SF_RANGE, 1)
#define RA_COLLATION	SA_SLOT(SF_RANGE, 2)
#define RA_CANONICAL	SA_SLOT(SF_RANGE, 3)
#define RA_SUBDIFF		SA_SLOT(SF_RANGE, 4)
#define RA_MULTIRANGE	SA_SLOT(SF_RANGE, 5)

/*
 * The home of an object: a catalog address (class, object id) that stands
 * for it in a scope (scope.c): its own, or its table's for a column.
 */
typedef struct SchemaHome
{
	Oid			classid;
	Oid			objid;
} SchemaHome;

/*
 * The objects a piece of work may have changed, as the homes of the model
 * (sorted), or everything.
 */
typedef struct SchemaScope
{
	bool		everything;
	int			nhomes;
	SchemaHome *homes;
} SchemaScope;

/* A dependency of one object on another, both in the model. */
typedef struct SchemaDep
{
	int			on;				/* index of the object depended on */
	char		type;			/* pg_depend.deptype: 'n' or 'a' */
} SchemaDep;

typedef struct SchemaObject
{
	SchemaKind	kind;
	char	   *name;			/* identity, as in the rows */
	char	   *definition;		/* canonical description */
	char	   *schema;			/* quoted schema name (qualified models) */
	char	   *ident;			/* quoted name of the object itself */
	char	   *parent;			/* quoted name of its table, view or domain */
	char	   *args;			/* routines: identity argument list */
	char	   *attr[SA_MAX];	/* properties, by slot (see above) */
	char	  **list;			/* enum labels, composite attributes, view
								 * columns */
	int			nlist;
	bool		has_acl;		/* a kind that has privileges */
	char	  **acl;			/* privileges: "grantee=PRIVILEGE[*]", sorted;
								 * the owner is OWNER, everyone PUBLIC */
	int			nacl;
	char	  **acl_default;	/* what a new object of this kind gets, but
								 * for default privileges */
	int			nacl_default;
	char	  **acl_created;	/* what a new object of this kind made by its
								 * owner in its schema gets, default
								 * privileges included (ALTER DEFAULT
								 * PRIVILEGES); NULL: acl_default */
	int			nacl_created;
	char	   *comment;
	char	   *owner_role;		/* quoted name of the owner */
	int			position;		/* columns: rank among the live columns */
	int			belongs_to;		/* index of its table or view, or -1 */
	SchemaHome	home;			/* what stands for it in a scope */
	char	   *uses_extension; /* relative models: what it uses of an
								 * extension installed in the schema itself
								 * ("type citext of extension citext") */
	SchemaDep  *deps;
	int			ndeps;
	const struct SchemaObject *script;	/* schema_model_load_for_diff(): the
										 * same object read for a script
										 * (its attr, list and args), or
										 * NULL */
} SchemaObject;

/* what the model knows of each kind (kinds.c) */
typedef struct SchemaKindInfo
{
	const char *name;			/* in the rows: "table", "column", ... */
	SchemaSlotFamily slots;		/* the family of its slots */
	int			order;			/* where scripts write it: lower first when
								 * creating, last when dropping */
	bool		written;		/* false: diff() only notes it NOT DONE */
} SchemaKindInfo;

extern const SchemaKindInfo schema_kinds[SK_NKINDS];

pg_noreturn extern void schema_slot_error(const SchemaObject *obj, int slot);

/* SA(): the slot of obj, an error when its kind has no such slot */
static inline char **
schema_slot(const SchemaObject *obj, int slot)
{
	if (unlikely(SA_FAMILY(slot) != schema_kinds[obj->kind].slots))
		schema_slot_error(obj, slot);
	return (char **) &obj->attr[SA_INDEX(slot)];
}

typedef struct SchemaModel
{
	char	   *schema;			/* relative to this schema; NULL: qualified */
	char	   *peer;			/* relative models: the schema compared with,
								 * or NULL */
	int			nobjects;
	SchemaObject *objects;		/* sorted by kind, then name */
} SchemaModel;

typedef struct SchemaRow
{
	const char *kind;
	const char *name;
	const char *definition;
	const SchemaObject *object; /* whose row it is */
} SchemaRow;

typedef struct SchemaDifference
{
	const char *kind;
	const char *name;
	const char *left;			/* definition on the left; NULL: absent */
	const char *right;			/* definition on the right; NULL: absent */
} SchemaDifference;

typedef struct SchemaDiffInfo
{
	int			nstatements;	/* statements written */
	int			ndestructive;	/* of which destroy data */
	int			nunsupported;	/* changes written as comments only */
	char	   *first_destructive;	/* the first such statement */
} SchemaDiffInfo;

/* load_model.c */
extern SchemaModel *schema_model_load_scope(const SchemaScope *scope,
											bool read_only);
extern SchemaModel *schema_model_load(const char *schema, const char *peer,
									  bool read_only);
extern SchemaModel *schema_model_load_for_diff(const char *schema,
												const char *peer,
												bool read_only);
extern SchemaModel *schema_model_load_qualified(char **schemas, int n,
												bool read_only);

/* describe.c */
extern const char *schema_kind_name(SchemaKind kind);
extern SchemaRow *schema_model_rows(const SchemaModel *model, int *nrows);
extern void schema_rows_sort(SchemaRow *rows, int nrows);
extern char *schema_model_hash(const SchemaModel *model);
extern int	schema_find(const SchemaModel *model, SchemaKind kind,
						const char *name);

/* scope.c */
extern SchemaScope *schema_scope_touched(const CatalogMark *since);
extern SchemaScope *schema_scope_make(const SchemaHome *homes, int n);
extern bool schema_scope_has(const SchemaScope *scope, const SchemaHome *home);
extern bool schema_home_exists(const SchemaHome *home);

/* compare.c */
extern SchemaDifference *schema_compare(const SchemaModel *left,
										const SchemaModel *right, int *n);
extern SchemaDifference *schema_compare_rows(const SchemaRow *left, int nl,
											 const SchemaRow *right, int nr,
											 int *n);
extern char *schema_differences_text(const SchemaDifference *d, int n,
									 int limit, const char *left_label,
									 const char *right_label);

/* diff.c */
extern char *schema_diff(const SchemaModel *source, const SchemaModel *target,
						 const char *source_schema, SchemaDiffInfo *info);

#endif							/* MIGRATE_SCHEMA_H */
