/*-------------------------------------------------------------------------
 *
 * diff_int.h
 *	  The state of one diff while it is planned, shared by diff.c (the
 *	  driver), the per-kind planners (diff_relations.c, diff_columns.c,
 *	  diff_routines.c, diff_types.c, diff_access.c), diff_order.c, and
 *	  diff_statements.c (what they all use).
 *
 * A statement is tied to the source object whose old state it removes
 * (src: a drop, DROP DEFAULT, a type change) and to the target object
 * whose new state it makes (tgt: a creation, SET DEFAULT, a type change).
 * The statements of one object run in the order they are written, those
 * removing its old state before those making its new state.
 *
 * A diff is planned in three steps.  diff.c matches the objects of the
 * source and target models by kind and name, decides for each pair
 * whether it is kept, altered, or dropped and created again, and spreads
 * that decision to what depends on a dropped object (a view over a
 * column whose type changes is dropped and created around the change).
 * The planners then write statements, each tied to the source object it
 * drops or alters and the target object it creates or alters.  diff_order.c
 * finally orders the statements by the dependencies of those objects
 * (pg_depend, as the models hold it) and writes the script.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_DIFF_INT_H
#define MIGRATE_DIFF_INT_H

#include "lib/stringinfo.h"

#include "schema.h"

/* what happens to a source object (s_state) or a target object (t_state) */
typedef enum DiffState
{
	DS_KEEP,					/* as it is */
	DS_ALTER,					/* changed in place */
	DS_DROP,					/* source: dropped by a statement of its own */
	DS_IMPLICIT,				/* source: dropped with the object it belongs
								 * to; target: created with it */
	DS_CREATE					/* target: created by a statement of its own */
} DiffState;

/*
 * Phases order statements that no dependency orders, so that a script
 * reads in a usual order: drops first, then types, functions, tables,
 * constraints, views, and comments and privileges last.
 */
#define PH_ENUM_VALUE	10
#define PH_DROP_DEP		20		/* triggers, policies, rules, views */
#define PH_DROP_CON		24		/* constraints, indexes, statistics */
#define PH_DROP_COL		28		/* column defaults reset, columns */
#define PH_DROP_REL		30		/* tables, sequences, routines */
#define PH_DROP_TYPE	34
#define PH_DEFAULT_ACL	36		/* before any object is made */
#define PH_TYPE			40
#define PH_SEQUENCE		42
#define PH_ROUTINE		44
#define PH_TABLE		46
#define PH_COLUMN		48
#define PH_CONSTRAINT	50
#define PH_FOREIGN_KEY	52
#define PH_INDEX		54
#define PH_OWNED_BY		56
#define PH_VIEW			58
#define PH_TRIGGER		60
#define PH_POLICY		62
#define PH_TABLE_LATE	64		/* row level security, replica identity */
#define PH_COMMENT		70
#define PH_PRIVILEGE	72

typedef struct DiffStmt
{
	char	   *sql;			/* NULL: a note only */
	char	   *note;			/* comment lines, without the leading "-- " */
	bool		destructive;
	int			phase;
	int			seq;			/* order of writing: the last tie-breaker */
	int			src;			/* source object dropped or altered, or -1 */
	int			tgt;			/* target object created or altered, or -1 */
	bool		core;			/* what depends on src or tgt waits for it */
	bool		drop;			/* drops src */
	bool		breaks;			/* changes src so that what depends on it must
								 * go first (a column's type) */
	int			after_all_of;	/* runs after every statement of this source
								 * object (and of its target), or -1 */
	int		   *after;			/* statements that must come before */
	int			nafter;
	int			maxafter;
} DiffStmt;

typedef struct Diff
{
	const SchemaModel *s;		/* what the schema holds */
	const SchemaModel *t;		/* what it should hold */
	const char *schema;			/* the source schema, quoted */
	const char *source_name;	/* the source schema, as it is named */
	char	   *untranslated;	/* why the texts of the statement being
								 * written cannot be made to name the source
								 * schema (diff_texts.c), or NULL */
	int		   *s_match;		/* source object -> target object, or -1 */
	int		   *t_match;		/* target object -> source object, or -1 */
	DiffState  *s_state;
	DiffState  *t_state;
	bool	   *reset_default;	/* source columns whose default goes and comes
								 * back around a recreated function or
								 * sequence */
	bool	   *noted;			/* source objects already said to be in the
								 * way (once is enough) */
	int		  **dependents;		/* source objects depending on each source
								 * object */
	int		   *ndependents;
	DiffStmt   *stmts;
	int			nstmts;
	int			maxstmts;
	int		   *s_last;			/* last statement of each source object */
	int		   *t_last;			/* last statement of each target object */
	int		   *s_core;			/* last core statement of each source object */
	int		   *t_core;			/* last core statement of each target object */
	int		   *added_column;	/* last ADD COLUMN of each target table */
	int		   *persistence;	/* SET LOGGED or UNLOGGED of each target
								 * table, or -1 */
	SchemaDiffInfo info;
} Diff;

/* a planner of one kind of object; s, t: -1 when absent */
typedef struct DiffKind
{
	void		(*create) (Diff *d, int t);
	void		(*drop) (Diff *d, int s);
	void		(*alter) (Diff *d, int s, int t);	/* NULL: drop and create */
	bool		(*must_recreate) (Diff *d, int s, int t);	/* NULL: never */
} DiffKind;

/* diff_statements.c */
extern int	diff_stmt(Diff *d, int phase, int src, int tgt, bool core,
					  const char *fmt,...) pg_attribute_printf(6, 7);
extern int	diff_drop_stmt(Diff *d, int phase, int src, bool destructive,
						   const char *fmt,...) pg_attribute_printf(5, 6);
extern void diff_destructive(Diff *d, int n);
extern void diff_note(Diff *d, int stmt, const char *fmt,...) pg_attribute_printf(3, 4);
extern void diff_unsupported(Diff *d, int phase, int src, int tgt,
							 const char *fmt,...) pg_attribute_printf(5, 6);
extern void diff_after(Diff *d, int stmt, int before);
extern int	diff_ready(Diff *d, int t);
extern char *diff_qname(Diff *d, const SchemaObject *obj);
extern char *diff_qparent(Diff *d, const SchemaObject *obj);
extern char *diff_ref(Diff *d, const SchemaObject *obj);
extern const char *diff_attr(const SchemaModel *m, int i, int slot);
extern bool diff_same(const char *a, const char *b);
extern int *diff_columns(const SchemaModel *m, int table, int *n);
extern int	diff_table_of(Diff *d, bool source, const SchemaObject *obj);
extern bool diff_detached(Diff *d, int s);
extern bool diff_inherited_drop(Diff *d, int s);
extern int *diff_parent_columns(const SchemaModel *m, const SchemaObject *col, int *n);
extern int	diff_anchor(Diff *d, int phase, int src, int tgt, bool breaks);
extern char *diff_free_name(Diff *d, const char *ident);
extern char **diff_split_list(const char *text, int *n);
extern bool diff_listed(char **items, int n, const char *s);
extern char *strip_semicolon(const char *sql);

/* diff_texts.c */
extern const char *diff_text(Diff *d, const SchemaObject *obj, int slot);
extern const char *diff_list_text(Diff *d, const SchemaObject *obj, int k);
extern const char *diff_args(Diff *d, const SchemaObject *obj);

/* diff_relations.c */
extern const DiffKind diff_table_kind;
extern const DiffKind diff_constraint_kind;
extern const DiffKind diff_index_kind;
extern const DiffKind diff_sequence_kind;
extern const DiffKind diff_view_kind;
extern void diff_check_column_order(Diff *d, int s, int t);
extern void diff_order_persistence(Diff *d);

/* diff_columns.c */
extern const DiffKind diff_column_kind;
extern void diff_column_extras(Diff *d, int s, int t);
extern char *diff_column_definition(Diff *d, const SchemaObject *col);
extern char *diff_typed_column_options(Diff *d, const SchemaObject *col);
extern bool diff_type_changes(Diff *d, int s, int t);

/* diff_routines.c */
extern const DiffKind diff_function_kind;
extern const DiffKind diff_aggregate_kind;
extern const DiffKind diff_trigger_kind;
extern const DiffKind diff_rule_kind;
extern const DiffKind diff_policy_kind;
extern const DiffKind diff_statistics_kind;

/* diff_types.c */
extern const DiffKind diff_enum_kind;
extern const DiffKind diff_domain_kind;
extern const DiffKind diff_domain_constraint_kind;
extern const DiffKind diff_composite_kind;
extern const DiffKind diff_range_kind;

/* diff_other.c */
extern const DiffKind diff_other_kind;
extern bool diff_other(SchemaKind kind);

/* diff_access.c */
extern const DiffKind diff_default_acl_kind;
extern const DiffKind diff_schema_kind;
extern void diff_comment_and_privileges(Diff *d, int s, int t);

/* diff_order.c */
extern char *diff_script(Diff *d);

#endif							/* MIGRATE_DIFF_INT_H */
