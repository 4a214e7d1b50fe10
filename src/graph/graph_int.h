/*-------------------------------------------------------------------------
 *
 * graph_int.h
 *	  What the files of the graph module share: the layout of a built graph,
 *	  the per-call context with its scratch memory, and the helpers each
 *	  file offers the others.
 *
 * The rules the module implements are written down in doc/graph-rules.md;
 * the code cites its sections as (rules §N.M).  The files, by concern:
 *
 *	scratch.c	the per-call context: scratch memory, growable int vectors,
 *				revision sets, strings
 *	errors.c	error wording (Alembic's, where it has one) and the grammar
 *				of ids and labels (mg_check_name)
 *	keys.c		the key map: revision ids and branch labels, looked up
 *				exactly or by prefix
 *	reach.c		closures, and the reachability index that answers "is a an
 *				ancestor of b" without walking the graph
 *	derive.c	what Alembic derives from the declared edges: normalized
 *				dependencies and spread branch labels
 *	build.c		building and validating a graph (mg_graph_build)
 *	access.c	read-only accessors of a built graph
 *	rows.c		the version rows: those the caller gives, and those each
 *				step of a plan leaves
 *	resolve.c	resolving a target: symbols, ids, prefixes, labels, branch
 *				parts and lineage (mg_resolve, mg_current)
 *	relative.c	relative targets: their grammar, the walks, and how upgrade
 *				and downgrade read them
 *	order.c		Alembic's topological sort
 *	plan.c		what upgrade and downgrade run (mg_plan_upgrade,
 *				mg_plan_downgrade)
 *	history.c	a range of revisions, in order (mg_history)
 *	stamp.c		stamp (mg_plan_stamp)
 *	check.c		checks on raw revisions that need no built graph
 *				(mg_check_project, mg_is_applied)
 *	layout.c	the text picture's order and rows of lines (mg_display_order,
 *				mg_layout)
 *	export.c	the pictures other tools draw: Graphviz dot, Mermaid
 *	draw.c		pictures of the whole graph: what each shows, and the
 *				text picture (mg_draw)
 *
 * Each file calls only files listed above it, except resolve.c and
 * relative.c, which call each other as Alembic's get_revisions and _walk
 * do (a walk starts from a resolved target; "-N" resolves by walking).
 *
 * Nothing here may include a PostgreSQL header: the module is compiled into
 * the extension and, on its own, into the harnesses under test/graph/.
 *
 * Link names.  The extension's shared library exports every global symbol,
 * and a reference inside it may bind to a server function of the same name,
 * so every function shared between these files is named mgi_... (the
 * public API in graph.h is mg_...).  Small helpers on hot paths are static
 * inline here instead.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/graph_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_GRAPH_INT_H
#define MIGRATE_GRAPH_INT_H

#include <stdarg.h>
#include <stdint.h>

#include "graph.h"

/* Alembic's None (no revision) and the string "base" a walk may return */
#define NONE_REV	(-1)
#define BASE_REV	(-2)

/* walks never need more steps than this; longer requests saturate */
#define MAX_STEPS	((long long) 1 << 40)

/* Python truthiness of an optional string */
#define TRUTHY(s)	((s) != NULL && (s)[0] != '\0')

#if defined(__GNUC__) || defined(__clang__)
#define MG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MG_PRINTF(f, a)
#endif

/* which edges a traversal follows (rules §1.3, §1.4) */
typedef enum Dir
{
	ANC_V,						/* down_revision only */
	ANC_ALL,					/* normalized down revisions (deps too) */
	ANC_RAW,					/* down_revision + every resolved dependency */
	DESC_V,						/* children through down_revision */
	DESC_ALL					/* children through any edge */
} Dir;

/*
 * A built graph.  Immutable once mg_graph_build returns it, so the server
 * may keep several and plan against them at will.  Revisions are integers
 * (their index in the registration order); adjacency lists are compact
 * arrays: the entries of revision v are arr[off[v]] .. arr[off[v + 1] - 1].
 */
struct MgGraph
{
	int			n;
	char	  **ids;
	int		   *par_off;		/* down_revision, as registered */
	int		   *par;
	int		   *dep_off;		/* resolved depends_on, duplicates dropped */
	int		   *dep;
	int		   *ndep_raw;		/* depends_on entries as registered */
	int		   *raw_off;		/* parents + resolved deps */
	int		   *raw;
	int		   *np_off;			/* normalized down revisions (rules §1.3) */
	int		   *np;
	int		   *vch_off;		/* children through down_revision */
	int		   *vch;
	int		   *ach_off;		/* children through anything */
	int		   *ach;
	int		   *topo;			/* ancestors (any edge) come first */

	/*
	 * Reachability index (reach.c): the forest in which every revision hangs
	 * below its first normalized down revision.  Within a tree, ancestry is
	 * interval containment (pre-order number and subtree size); a search for
	 * an ancestor only has to follow the other down revisions of the merges
	 * on a tree path, which nt_up finds: the nearest revision at or below v
	 * on its tree path that has more than one down revision.
	 */
	int		   *troot;
	int		   *tpre;
	int		   *tsize;
	int		   *tpar;
	int		   *nt_up;

	/*
	 * And a filter for the searches: a post-order number over a walk up the
	 * children, and the lowest such number among each revision's descendants.
	 * A descendant of c always numbers within [glow[c], grank[c]], so
	 * anything outside cannot be one.
	 */
	int		   *grank;
	int		   *glow;

	/* the map keys (keys.c): ids in registration order, then branch labels */
	int			nkeys;
	const char **key;
	int		   *keylen;
	int		   *keyrev;
	int		   *sorted;			/* key indexes in byte order */
	int			hmask;
	int		   *htab;			/* open addressing, key index or -1 */

	/* branch labels: own (as registered) and after spreading (rules §1.8) */
	int		   *own_off;
	const char **own;
	const char ***slab;
	int		   *nslab;

	/* listings, in registration order (rules §1.5, §1.6) */
	MgRevList	heads;
	MgRevList	real_heads;
	MgRevList	bases;
	MgRevList	real_bases;
	MgRevList	branch_points;
};

/*
 * The context of one call of the API: the graph, where the error goes, the
 * scratch memory handed back by mgi_ctx_end, a reusable stack for the
 * walks, and how the command being run words its errors.
 */
typedef struct Ctx
{
	const MgGraph *g;
	MgError    *err;
	MgError		unwanted_err;	/* where err points when the caller gave none */
	void	  **scratch;
	int			nscratch;
	int			cscratch;
	/* how the command being run words its errors (Alembic's command layer) */
	const char *mh_arg;			/* MultipleHeads: the destination as typed */
	bool		stamp_wording;	/* stamp's own MultipleHeads text */
	bool		history_range;	/* RangeNotAncestorError as history says it */
	const char *range_start;
	const char *range_end;
	const char *destination;	/* downgrade's "Destination ..." */
	int		   *stack;
	int			nstack;
	int			cstack;
	/* versioned lineage of one revision, kept for repeated member checks */
	int			lin_rev;
	struct Mark *lin_anc;
	struct Mark *lin_desc;
} Ctx;

/* a growable array of ints in scratch memory */
typedef struct IntVec
{
	int		   *v;
	int			n;
	int			cap;
	Ctx		   *c;
	int			slot;
} IntVec;

/* a set of revisions: member when m[rev] == gen; clearing bumps gen */
typedef struct Mark
{
	unsigned   *m;
	unsigned	gen;
	int			n;
} Mark;

/* a growable string in scratch memory */
typedef struct Str
{
	char	   *s;
	size_t		len;
	size_t		cap;
	Ctx		   *c;
	int			slot;
} Str;

/*
 * One entry of what Alembic resolves: a name still to look up, a revision
 * already known (ids that come from the heads lists), or nothing (Alembic's
 * empty tuple, i.e. base).
 */
typedef struct Ident
{
	const char *name;			/* NULL: use rev */
	int			rev;			/* revision, or NONE_REV for nothing */
} Ident;

/* a target split into its branch part and its identifiers (rules §3.1) */
typedef struct Resolved
{
	Ident	   *ids;
	int			n;
	const char *branch;			/* text before the first '@', or NULL */
} Resolved;

/*
 * The lineage of a set of revisions: everything that is an ancestor or a
 * descendant of one of them (rules §3.5).  Two marks, because a revision
 * may be reached both ways.
 */
typedef struct Lineage
{
	bool		all;			/* nothing to compare with: everything passes */
	Mark	   *anc;
	Mark	   *desc;
} Lineage;

/*
 * An argument Alembic passes as "current_revisions" or as a target: one
 * string, or a tuple of revisions (the version rows).
 */
typedef struct Arg
{
	const char *str;
	const int  *revs;
	int			nrevs;
} Arg;

/*
 * A relative target as Alembic's pattern reads it (rules §4.1).
 */
typedef struct RelTarget
{
	bool		matched;
	const char *branch;			/* NULL when absent */
	const char *symbol;			/* NULL when absent */
	bool		plus;
	bool		zero;
	long long	n;				/* magnitude, saturated */
	const char *rel_text;		/* sign and digits as typed: "+007" */
	const char *abs_text;		/* the magnitude as Python prints it: "7" */
	const char *int_text;		/* the signed value as Python prints it */
} RelTarget;

/*
 * What an upgrade or a history range covers (plan.c): what to run, the
 * heads to sort it from, everything the targets need, and what is applied
 * (for history: what lies below the range's start).
 */
typedef struct Collected
{
	IntVec		needs;			/* to run, and as a set: */
	Mark	   *inneeds;
	IntVec		targets;		/* the heads to sort from */
	IntVec		req;			/* the targets and their ancestors, and: */
	Mark	   *required;
	Mark	   *current;		/* the applied revisions */
} Collected;

/* the version rows while a plan is made (rows.c) */
typedef struct Rows
{
	IntVec		list;			/* in order; -1 where a row was deleted */
	int		   *pos;			/* index in list, or -1 */
	int			count;
	IntVec		dense;			/* the rows, unordered, no holes */
	int		   *dpos;			/* index in dense */
} Rows;

/* a plan under construction (rows.c) */
typedef struct PlanB
{
	Ctx		   *c;
	MgStep	   *steps;
	int			nsteps;
	int			csteps;
	IntVec		ops;			/* kind, from, to triples for the open step */
	Rows		rows;
} PlanB;

/* scratch for "is this revision below another row" (rows.c) */
typedef struct Cover
{
	Mark	   *up_seen;
	Mark	   *down_seen;
	IntVec		up;				/* revision, next edge: pairs */
	IntVec		down;			/* entry points of the downward search */
	IntVec		list;			/* the rows a step merges or restores */
	int		   *memo;			/* for mgi_strict_ancestor */
	IntVec		rstack;
	IntVec		rseen;
} Cover;

/*
 * What every picture of the graph shows (draw.c gathers it, export.c
 * writes dot and mermaid from it); arrays by revision.
 */
typedef struct DrawFacts
{
	const MgGraph *g;
	const MgDrawInput *in;
	MgRevList	order;			/* mg_display_order */
	bool	   *applied;		/* a version row or below one */
	bool	   *current;		/* what `alembic current` shows */
	const char **tags;			/* "[head, current] (label, ...)", or "" */
} DrawFacts;

/* ----------------------------------------------------------------------
 * scratch.c
 * ----------------------------------------------------------------------
 */
extern void mgi_ctx_init(Ctx *c, const MgGraph *g, MgError *err);
extern bool mgi_ctx_begin(Ctx *c, const MgGraph *g, MgError *err);
extern void mgi_ctx_end(Ctx *c);
extern int	mgi_track(Ctx *c, void *p);
extern void *mgi_alloc(Ctx *c, size_t nelem, size_t size);
extern void mgi_iv_init(Ctx *c, IntVec *a);
extern void mgi_iv_reserve(IntVec *a, int need);
extern void mgi_stack_grow(Ctx *c);
extern Mark *mgi_mark_new(Ctx *c);
extern void mgi_mark_clear(Mark *k);
extern int *mgi_memo_new(Ctx *c);
extern void mgi_str_init(Ctx *c, Str *b);
extern void mgi_str_add(Str *b, const char *s);
extern void mgi_str_addn(Str *b, const char *s, size_t n);
extern char *mgi_strndup(Ctx *c, const char *s, size_t n);
extern char *mgi_vprintf(Ctx *c, const char *fmt, va_list ap) MG_PRINTF(2, 0);
extern const char *mgi_printf(Ctx *c, const char *fmt,...) MG_PRINTF(2, 3);
extern char *mgi_keep_printf(const char *fmt,...) MG_PRINTF(1, 2);
extern void mgi_sort_ints(int *v, int n);
extern void mgi_to_revlist(const IntVec *v, MgRevList *out);

static inline void
iv_push(IntVec *a, int x)
{
	if (a->n == a->cap)
		mgi_iv_reserve(a, a->n + 1);
	a->v[a->n++] = x;
}

/* the context's reusable stack, for the walks */
static inline void
st_push(Ctx *c, int x)
{
	if (c->nstack == c->cstack)
		mgi_stack_grow(c);
	c->stack[c->nstack++] = x;
}

static inline bool
mark_has(const Mark *k, int v)
{
	return v >= 0 && k->m[v] == k->gen;
}

static inline void
mark_set(Mark *k, int v)
{
	k->m[v] = k->gen;
}

static inline void
mark_unset(Mark *k, int v)
{
	k->m[v] = 0;
}

/* ----------------------------------------------------------------------
 * errors.c
 * ----------------------------------------------------------------------
 */
extern bool mgi_fail(Ctx *c, MgErrorCode code, const char *detail,
					 const char *hint, const char *fmt,...) MG_PRINTF(5, 6);
extern const char *mgi_join_ids(Ctx *c, const int *revs, int n, bool quoted);
extern const char *mgi_join_sorted_ids(Ctx *c, const int *revs, int n);
extern const char *mgi_py_tuple(Ctx *c, const int *revs, int n);
extern bool mgi_fail_resolution(Ctx *c, MgErrorCode code,
								const char *argument, const char *cause);
extern bool mgi_fail_multiple_heads(Ctx *c, const int *heads, int n,
									const char *argument);
extern bool mgi_fail_relative(Ctx *c, const char *shown,
							  const char *abs_text, const char *detail);
extern bool mgi_fail_range(Ctx *c);

/* ----------------------------------------------------------------------
 * keys.c
 * ----------------------------------------------------------------------
 */
extern uint64_t mgi_hash_bytes(const char *s, size_t n);
extern void mgi_keys_init(Ctx *c, MgGraph *g, long long nkeys);
extern int	mgi_key_find_n(const MgGraph *g, const char *s, size_t n);
extern int	mgi_key_find(const MgGraph *g, const char *s);
extern void mgi_key_add(MgGraph *g, const char *key, size_t len, int rev);
extern void mgi_keys_sort(Ctx *c, MgGraph *g);
extern void mgi_prefix_candidates(Ctx *c, const char *prefix, IntVec *out);

/* ----------------------------------------------------------------------
 * reach.c
 * ----------------------------------------------------------------------
 */
extern void mgi_closure(Ctx *c, Dir d, const int *src, int nsrc, Mark *mk,
						IntVec *out);
extern bool mgi_closure_checked(Ctx *c, Dir d, const int *targets, int nt,
								Mark *mk, IntVec *out);
extern bool mgi_reaches(Ctx *c, int *memo, IntVec *stack, IntVec *seen,
						int a, int b);
extern bool mgi_strict_ancestor(Ctx *c, int *memo, IntVec *stack,
								IntVec *seen, int a, int b);
extern void mgi_build_reach_index(Ctx *c);

/* the edges of v that a traversal in direction d follows */
static inline void
edges(const MgGraph *g, Dir d, int v, const int **e, int *ne)
{
	const int  *off;
	const int  *arr;

	switch (d)
	{
		case ANC_V:
			off = g->par_off;
			arr = g->par;
			break;
		case ANC_ALL:
			off = g->np_off;
			arr = g->np;
			break;
		case ANC_RAW:
			off = g->raw_off;
			arr = g->raw;
			break;
		case DESC_V:
			off = g->vch_off;
			arr = g->vch;
			break;
		default:
			off = g->ach_off;
			arr = g->ach;
			break;
	}
	*e = arr + off[v];
	*ne = off[v + 1] - off[v];
}

/* can b be a descendant-or-self of a?  false means certainly not */
static inline bool
maybe_below(const MgGraph *g, int a, int b)
{
	return g->glow[a] <= g->grank[b] && g->grank[b] <= g->grank[a];
}

/* is a an ancestor-or-self of b within b's tree of the forest? */
static inline bool
tree_below(const MgGraph *g, int a, int b)
{
	return g->troot[a] == g->troot[b] && g->tpre[a] <= g->tpre[b] &&
		g->tpre[b] < g->tpre[a] + g->tsize[a];
}

/* ----------------------------------------------------------------------
 * derive.c
 * ----------------------------------------------------------------------
 */
extern void mgi_normalize_deps(Ctx *c, const int *topo_v, bool *keep);
extern void mgi_spread_labels(Ctx *c, const int *topo_v);
extern bool mgi_has_spread_label(const MgGraph *g, int rev,
								 const char *label);

/* ----------------------------------------------------------------------
 * build.c
 * ----------------------------------------------------------------------
 */
extern bool mgi_check_revision_input(Ctx *c, const MgRevisionInput *r, int i);

/* ----------------------------------------------------------------------
 * rows.c
 * ----------------------------------------------------------------------
 */
extern bool mgi_check_rows(Ctx *c, const MgRevList *rows, const int **items,
						   int *n);
extern void mgi_pb_init(Ctx *c, PlanB *pb, const int *rows, int nrows);
extern bool mgi_pb_op(PlanB *pb, MgRowOpKind kind, int from, int to);
extern void mgi_pb_step(PlanB *pb, MgStepKind kind, int rev);
extern void mgi_pb_finish(PlanB *pb, MgPlan *plan);
extern void mgi_cover_init(Ctx *c, Cover *cv);
extern bool mgi_upgrade_rows(PlanB *pb, Cover *cv, Mark *applied, int rev);
extern bool mgi_downgrade_rows(PlanB *pb, Cover *cv, Mark *applied, int rev);

static inline bool
is_row(const Rows *r, int rev)
{
	return rev >= 0 && r->pos[rev] >= 0;
}

/* ----------------------------------------------------------------------
 * resolve.c
 * ----------------------------------------------------------------------
 */
extern bool mgi_resolve_number(Ctx *c, const char *text, Resolved *out);
extern bool mgi_resolve_branch(Ctx *c, const char *label, int *out);
extern bool mgi_rev_for_ident(Ctx *c, Ident id, const char *branch, int *out);
extern bool mgi_lineage_of(Ctx *c, const Resolved *r, bool deps, Lineage *l);
extern bool mgi_in_lineage(const Lineage *l, int rev);
extern bool mgi_filter_lineage(Ctx *c, const int *targets, int nt,
							   const char *check, bool deps, IntVec *out);
extern bool mgi_get_revisions_str(Ctx *c, const char *text, IntVec *out);
extern bool mgi_get_revisions_arg(Ctx *c, Arg a, IntVec *out);
extern bool mgi_get_revision(Ctx *c, const char *text, int *out);
extern void mgi_all_current(Ctx *c, const int *rows, int nrows, IntVec *out);

/* ----------------------------------------------------------------------
 * relative.c
 * ----------------------------------------------------------------------
 */
extern bool mgi_py_negative_int(const char *s, long long *mag);
extern void mgi_rel_match(Ctx *c, const char *s, RelTarget *rt);
extern bool mgi_walk(Ctx *c, const char *start_name, int start,
					 long long steps, const char *branch, bool no_overwalk,
					 int *out);
extern bool mgi_parse_upgrade_target(Ctx *c, Arg current, Arg target,
									 bool assert_rel, IntVec *out);
extern bool mgi_parse_downgrade_target(Ctx *c, const int *rows, int nrows,
									   const char *target, bool assert_rel,
									   const char **branch, int *rev);

/* ----------------------------------------------------------------------
 * order.c
 * ----------------------------------------------------------------------
 */
extern bool mgi_topo_sort(Ctx *c, const IntVec *todo, Mark *intodo,
						  const int *heads, int nheads, Mark *hull,
						  IntVec *out);

/* ----------------------------------------------------------------------
 * plan.c
 * ----------------------------------------------------------------------
 */
extern bool mgi_collect_upgrade(Ctx *c, Arg upper, Arg lower,
								bool implicit_base, bool inclusive,
								bool assert_rel, Collected *col);

/* ----------------------------------------------------------------------
 * export.c
 * ----------------------------------------------------------------------
 */
extern int	mgi_control_char(const char *s, bool utf8, unsigned *cp);
extern void mgi_draw_dot(Ctx *c, const DrawFacts *f, Str *b);
extern void mgi_draw_mermaid(Ctx *c, const DrawFacts *f, Str *b);

#endif							/* MIGRATE_GRAPH_INT_H */
