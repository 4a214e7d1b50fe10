/*-------------------------------------------------------------------------
 *
 * graph.h
 *	  The revision graph of one project, with Alembic's rules: the public
 *	  interface of the graph module (src/graph/).
 *
 * This module knows nothing about PostgreSQL: no SPI, no catalogs, no
 * ereport.  It is compiled into the extension and, on its own, into the
 * harnesses under test/graph/, so that target resolution, planning and
 * validation can be unit-tested and fuzzed outside the server.  The rules
 * it implements, and where it deliberately differs from Alembic, are
 * written down in doc/graph-rules.md, whose sections the comments cite as
 * (rules §N.M).  Which file of the module holds what: graph_int.h.
 *
 * Revisions are addressed by their index in the input array, which is the
 * registration order: the only tie-breaker the graph has (where Alembic uses
 * the order its revision map was loaded in).  Version rows (the applied
 * heads, Alembic's alembic_version) are passed in and out as arrays of
 * revision indexes.
 *
 * Functions never throw.  Those that can fail return false and fill an
 * MgError whose message keeps Alembic's wording where Alembic has one; the
 * embedder turns it into an error report (the extension picks a SQLSTATE
 * from the code).
 *
 * Memory comes from mg_alloc, which the embedder provides: palloc in the
 * server (so a memory context owns everything the module returns), malloc
 * in the standalone harnesses.  The module never frees what it returns.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_GRAPH_H
#define MIGRATE_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

/* Longest revision id or branch label, in bytes. */
#define MG_MAX_ID_LEN	255

/* Provided by the embedder.  mg_alloc returns zeroed memory, never NULL. */
extern void *mg_alloc(size_t size);
extern void *mg_realloc(void *ptr, size_t size);
extern void mg_free(void *ptr);

typedef enum MgErrorCode
{
	MG_OK = 0,
	/* input and graph validation (rules §2) */
	MG_ERR_BAD_ID,				/* id or label breaks the grammar, or is
								 * reserved */
	MG_ERR_DUPLICATE_ID,		/* two revisions with one id */
	MG_ERR_MISSING_PARENT,		/* down_revision/depends_on names nothing */
	MG_ERR_SELF_LOOP,			/* Self-loop is detected in revisions (x) */
	MG_ERR_DEP_SELF_LOOP,		/* Dependency self-loop is detected ... */
	MG_ERR_CYCLE,				/* Cycle is detected in revisions (...) */
	MG_ERR_DEP_CYCLE,			/* Dependency cycle is detected ... */
	MG_ERR_LABEL_CONFLICT,		/* Branch name 'l' in revision r already used
								 * ... */
	/* resolving a target (rules §3, §4) */
	MG_ERR_BAD_TARGET,			/* target text that no rule can read */
	MG_ERR_UNKNOWN_REVISION,	/* Can't locate revision identified by 'x' */
	MG_ERR_AMBIGUOUS_PREFIX,	/* same message; detail lists candidates */
	MG_ERR_NO_SUCH_BRANCH,		/* same message; detail: No such branch */
	MG_ERR_NOT_BRANCH_MEMBER,	/* same message; detail: not a member */
	MG_ERR_MULTIPLE_HEADS,		/* Multiple head revisions are present ... */
	MG_ERR_RELATIVE_RANGE,		/* Relative revision -N didn't produce ... */
	MG_ERR_AMBIGUOUS_WALK,		/* Ambiguous walk */
	MG_ERR_AMBIGUOUS_UPGRADE,	/* Ambiguous upgrade from multiple current ... */
	MG_ERR_AMBIGUOUS_DOWNGRADE, /* -N with several applied heads (refused) */
	MG_ERR_NOT_VALID_TARGET,	/* Destination x is not a valid downgrade ... */
	MG_ERR_OVERLAP,				/* Requested revision x overlaps with ... */
	MG_ERR_RANGE_NOT_ALLOWED,	/* Range revision not allowed */
	/* version rows that do not fit the graph */
	MG_ERR_BAD_VERSION_ROWS,	/* duplicate row, row not in the graph, ... */
	/* migrate's own: where Alembic crashes (rules §13) */
	MG_ERR_UNSUPPORTED			/* refused cleanly; detail says why */
} MgErrorCode;

typedef struct MgError
{
	MgErrorCode code;
	char	   *message;		/* never NULL when code != MG_OK */
	char	   *detail;			/* NULL or a full sentence */
	char	   *hint;			/* NULL or a full sentence */
} MgError;

/* One revision as registered; the array index is the registration order. */
typedef struct MgRevisionInput
{
	const char *id;
	const char *const *down;	/* down_revision: parents */
	int			ndown;
	const char *const *depends; /* depends_on: ids or branch labels */
	int			ndepends;
	const char *const *labels;	/* branch_labels */
	int			nlabels;
} MgRevisionInput;

typedef struct MgGraph MgGraph;

typedef struct MgRevList
{
	int		   *items;
	int			n;
} MgRevList;

/* A change to the version rows, applied in order after a step's body. */
typedef enum MgRowOpKind
{
	MG_ROW_INSERT,				/* INSERT to */
	MG_ROW_DELETE,				/* DELETE from */
	MG_ROW_UPDATE				/* UPDATE from -> to */
} MgRowOpKind;

typedef struct MgRowOp
{
	MgRowOpKind kind;
	int			from;			/* -1 for INSERT */
	int			to;				/* -1 for DELETE */
} MgRowOp;

typedef enum MgStepKind
{
	MG_STEP_UPGRADE,			/* run rev's upgrade body */
	MG_STEP_DOWNGRADE,			/* run rev's downgrade body */
	MG_STEP_STAMP				/* no body; rev is the destination, -1 = base */
} MgStepKind;

typedef struct MgStep
{
	MgStepKind	kind;
	int			rev;
	MgRowOp    *ops;
	int			nops;
} MgStep;

typedef struct MgPlan
{
	MgStep	   *steps;
	int			nsteps;
	MgRevList	rows_after;		/* version rows once every step has run */
} MgPlan;

/*
 * Syntax of ids and labels: 1..MG_MAX_ID_LEN bytes of ASCII letters, digits,
 * '_' and '.'; not "base", "head" or "heads".  On failure err says why
 * (MG_ERR_BAD_ID).  'what' is "revision identifier" or "branch label".
 */
extern bool mg_check_name(const char *name, const char *what, MgError *err);

/*
 * Build and validate the graph (missing parents, self-loops, cycles through
 * down_revision or depends_on, duplicate ids, label conflicts).  Returns
 * NULL and fills err on the first problem found.
 */
extern MgGraph *mg_graph_build(const MgRevisionInput *revs, int nrevs,
							   MgError *err);

extern int	mg_graph_size(const MgGraph *g);
extern const char *mg_rev_id(const MgGraph *g, int rev);

/* exact id lookup (no labels, no prefixes); -1 when absent */
extern int	mg_lookup(const MgGraph *g, const char *id);

/* down_revision parents of rev, as indexes, in the order registered */
extern MgRevList mg_parents(const MgGraph *g, int rev);

/* resolved depends_on of rev, as indexes */
extern MgRevList mg_dependencies(const MgGraph *g, int rev);

/*
 * branch labels of rev: its own (spread=false) or after spreading
 * (rules §1.8)
 */
extern const char *const *mg_labels(const MgGraph *g, int rev, bool spread,
									int *nlabels);

/* heads: real = nobody names it in down_revision or depends_on (rules §1.5) */
extern MgRevList mg_heads(const MgGraph *g, bool real);

/* bases: real = no down_revision and no depends_on (rules §1.6) */
extern MgRevList mg_bases(const MgGraph *g, bool real);
extern bool mg_is_branch_point(const MgGraph *g, int rev);
extern bool mg_is_merge_point(const MgGraph *g, int rev);
extern MgRevList mg_branch_points(const MgGraph *g);

/*
 * Version rows given by the caller are checked first: each must be a valid
 * index and appear once (MG_ERR_BAD_VERSION_ROWS otherwise).
 */

/*
 * What `alembic current` shows for these rows: dependency tips too
 * (rules §10.1).
 */
extern bool mg_current(const MgGraph *g, const MgRevList *rows,
					   MgRevList *out, MgError *err);

/*
 * Resolve a target as `alembic show` does (rules §3, §4 and §3.7: absolute
 * forms and <symbol>+-N; relative forms without a symbol need rows).
 * "base" resolves to the empty list.  -N and <branch>@-N walk down from
 * the heads, as alembic show does; +N and <branch>@+N walk up from the
 * rows, as upgrade does; <symbol>+-N walks from the symbol.
 */
extern bool mg_resolve(const MgGraph *g, const char *target,
					   const MgRevList *rows, MgRevList *out, MgError *err);

/*
 * History over an Alembic range "A:B" (either side may be empty; NULL or ""
 * means base:heads), newest first (rules §10.3).  rows resolve "current"
 * if used.
 */
extern bool mg_history(const MgGraph *g, const char *range,
					   const MgRevList *rows, MgRevList *out, MgError *err);

/* Plans (rules §5-§9); err on failure, plan untouched. */
extern bool mg_plan_upgrade(const MgGraph *g, const char *target,
							const MgRevList *rows, MgPlan *plan, MgError *err);
extern bool mg_plan_downgrade(const MgGraph *g, const char *target,
							  const MgRevList *rows, MgPlan *plan,
							  MgError *err);

/*
 * No targets means base.  purge first empties the rows in a step of its
 * own, MG_STEP_STAMP with rev -1; each destination that changes rows is
 * one step, rev -1 for base (rules §9).
 */
extern bool mg_plan_stamp(const MgGraph *g, const char *const *targets,
						  int ntargets, const MgRevList *rows, bool purge,
						  MgPlan *plan, MgError *err);

/*
 * Checks on the revisions as registered, for a project whose graph may not
 * build at all (rules §12).  They take the raw input of mg_graph_build and
 * the version rows as ids, so they work where the graph is invalid, where
 * a parent is missing (parents may be registered after their children),
 * and where a version row names no revision.
 */
typedef enum MgProblemKind
{
	MG_PROBLEM_MISSING_PARENT,	/* down_revision names no revision */
	MG_PROBLEM_MISSING_DEPENDENCY,	/* depends_on names no revision or label */
	MG_PROBLEM_UNKNOWN_VERSION, /* a version row names no revision */
	MG_PROBLEM_INVALID_GRAPH,	/* the graph cannot be built */
	MG_PROBLEM_REDUNDANT_VERSION	/* a version row below another one */
} MgProblemKind;

typedef struct MgProblem
{
	MgProblemKind kind;
	const char *revision;		/* revision or row concerned; NULL for
								 * MG_PROBLEM_INVALID_GRAPH */
	const char *detail;			/* a full sentence; for an invalid graph the
								 * message of mg_graph_build's error */
} MgProblem;

typedef struct MgProblemList
{
	MgProblem  *items;
	int			n;
} MgProblemList;

/* the problem's name: "missing_parent", "missing_dependency", ... */
extern const char *mg_problem_name(MgProblemKind kind);

/*
 * Every problem of a project, in a stable order: for each revision in
 * registration order its missing parents, then its missing dependencies
 * (each in the order listed); then the version rows that name no revision,
 * in the order given; then, only when none of these was found and there
 * are revisions, either one MG_PROBLEM_INVALID_GRAPH (the graph does not
 * build, or the rows do not fit it) or a MG_PROBLEM_REDUNDANT_VERSION for
 * each row that is an ancestor of another, in the order given.  Returns
 * false (err set) only for malformed input: null pointers, negative counts.
 */
extern bool mg_check_project(const MgRevisionInput *revs, int nrevs,
							 const char *const *rows, int nrows,
							 MgProblemList *out, MgError *err);

/*
 * Is revision id applied: one of the version rows, or an ancestor of one
 * through down_revision or depends_on (either may name an id or a branch
 * label; a label stands for the revision that carries it)?  Names that
 * lead nowhere are ignored, so this answers for any input, whether or not
 * its graph builds; malformed input (see mg_check_project) answers false.
 */
extern bool mg_is_applied(const MgRevisionInput *revs, int nrevs,
						  const char *const *rows, int nrows, const char *id);

/*
 * Pictures of the graph (layout.c, export.c, draw.c).
 *
 * The display order lists every revision once, newest first, children
 * before their parents: the order of mg_history over the whole graph (so
 * a picture reads as migrate.history() lists), or, where that fails, the
 * reverse of a topological order.
 */
extern bool mg_display_order(const MgGraph *g, MgRevList *out, MgError *err);

/*
 * One row of the text picture: either a revision's row (rev >= 0, its node
 * drawn as '*' at character column) or a row that only connects the rows
 * around it (rev = -1, column = -1).  art is the drawing alone, from the
 * characters "*|/\X" and spaces, with no trailing space.
 */
typedef struct MgLayoutRow
{
	int			rev;
	int			column;
	const char *art;
} MgLayoutRow;

typedef struct MgLayout
{
	MgLayoutRow *rows;
	int			nrows;
} MgLayout;

/*
 * Lay out the down_revision edges of g in order (every revision once,
 * children before parents), as git log --graph draws commits: one row per
 * revision, and rows between them where lines fork, join, cross or shift.
 * Lines sit at even character columns; '/' and '\' move a line one
 * column left or right from the row above to the row below, 'X' swaps two
 * neighbouring lines.  Fails (MG_ERR_UNSUPPORTED) only for an order that
 * is not one.
 */
extern bool mg_layout(const MgGraph *g, const MgRevList *order, MgLayout *out,
					  MgError *err);

typedef enum MgDrawFormat
{
	MG_DRAW_TEXT,				/* lines, like git log --graph */
	MG_DRAW_DOT,				/* a Graphviz digraph */
	MG_DRAW_MERMAID				/* a Mermaid flowchart */
} MgDrawFormat;

/* What a picture shows beside the edges. */
typedef struct MgDrawInput
{
	const char *title;			/* the project's name; NULL: none */
	const char *const *messages;	/* by revision; NULL, or NULL entries */
	const MgRevList *rows;		/* the version rows; NULL: none */
	bool		utf8;			/* text is UTF-8: Unicode's invisible
								 * controls are escaped too */
} MgDrawInput;

/*
 * The whole graph as one string in the given format, newest first, with
 * applied revisions (a version row or below one) told from pending ones,
 * heads and what `alembic current` shows marked, branch labels shown and,
 * in dot and mermaid, depends_on edges dashed.  Every id, label, message
 * and title is escaped for the format; doc/history.md describes each.
 * The string has no trailing newline.
 */
extern bool mg_draw(const MgGraph *g, MgDrawFormat format,
					const MgDrawInput *in, char **out, MgError *err);

#endif							/* MIGRATE_GRAPH_H */
