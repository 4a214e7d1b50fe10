/*-------------------------------------------------------------------------
 *
 * reach.c
 *	  Closures, and the reachability index that answers "is a an ancestor
 *	  of b" without walking the graph.
 *
 * Nothing here recurses, so a 100,000-revision chain is no problem.
 * Alembic answers ancestry questions with one ancestor set per revision,
 * quadratic in time and memory; here a forest of single-parent links with
 * interval numbers answers most of them at once, post-order numbers rule
 * out most of the rest, and a search is only needed at merges (see struct
 * MgGraph in graph_int.h).
 *
 * Implements rules §1.3 and §1.4 (the edges a walk follows) and §5.4
 * (overlapping revisions) of doc/graph-rules.md.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/reach.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "graph_int.h"

/*
 * Mark everything reachable from src (inclusive) along d.  Revisions
 * already marked are not entered again, so repeated calls accumulate.
 * Members newly marked are appended to out when out is not NULL.
 */
void
mgi_closure(Ctx *c, Dir d, const int *src, int nsrc, Mark *mk, IntVec *out)
{
	int			i;

	for (i = 0; i < nsrc; i++)
	{
		if (src[i] < 0 || mark_has(mk, src[i]))
			continue;
		mark_set(mk, src[i]);
		if (out)
			iv_push(out, src[i]);
		st_push(c, src[i]);
		while (c->nstack > 0)
		{
			int			v = c->stack[--c->nstack];
			const int  *e;
			int			ne;
			int			j;

			edges(c->g, d, v, &e, &ne);
			for (j = 0; j < ne; j++)
				if (!mark_has(mk, e[j]))
				{
					mark_set(mk, e[j]);
					if (out)
						iv_push(out, e[j]);
					st_push(c, e[j]);
				}
		}
	}
}

/*
 * Alembic's _iterate_related_revisions(check=True): the closure of the
 * targets, failing when one target is reached from another.  Alembic walks
 * the targets in order, not re-entering revisions seen for earlier
 * targets, and compares what each walk touched with the target list; we do
 * the same walk, so the same overlap is reported first (rules §5.4).
 */
bool
mgi_closure_checked(Ctx *c, Dir d, const int *targets, int nt, Mark *mk,
					IntVec *out)
{
	Mark	   *istarget;
	Mark	   *hit;
	IntVec		overlaps;
	int			i;

	if (nt <= 1)
	{
		mgi_closure(c, d, targets, nt, mk, out);
		return true;
	}
	istarget = mgi_mark_new(c);
	hit = mgi_mark_new(c);
	mgi_iv_init(c, &overlaps);
	for (i = 0; i < nt; i++)
		mark_set(istarget, targets[i]);
	for (i = 0; i < nt; i++)
	{
		int			t = targets[i];

		mgi_mark_clear(hit);
		overlaps.n = 0;
		st_push(c, t);
		while (c->nstack > 0)
		{
			int			v = c->stack[--c->nstack];
			const int  *e;
			int			ne;
			int			j;

			if (v != t && mark_has(istarget, v) && !mark_has(hit, v))
			{
				mark_set(hit, v);
				iv_push(&overlaps, v);
			}
			if (mark_has(mk, v))
				continue;
			mark_set(mk, v);
			if (out)
				iv_push(out, v);
			edges(c->g, d, v, &e, &ne);
			for (j = 0; j < ne; j++)
				st_push(c, e[j]);
		}
		if (overlaps.n > 0)
		{
			int			a,
						b;

			/* a set in Alembic; registration order here */
			for (a = 1; a < overlaps.n; a++)
				for (b = a; b > 0 && overlaps.v[b - 1] > overlaps.v[b]; b--)
				{
					int			tmp = overlaps.v[b];

					overlaps.v[b] = overlaps.v[b - 1];
					overlaps.v[b - 1] = tmp;
				}
			return mgi_fail(c, MG_ERR_OVERLAP,
							"One requested revision is an ancestor or descendant of another.",
							NULL,
							"Requested revision %s overlaps with other requested revisions %s",
							c->g->ids[t], mgi_join_ids(c, overlaps.v, overlaps.n, false));
		}
	}
	return true;
}

/*
 * Is a an ancestor-or-self of b, following every edge?  Most answers come
 * from the index alone (a tree path, or the post-order numbers ruling it
 * out).  Otherwise the search walks b's tree path down, merge by merge
 * (nt_up), and continues from the merges' other down revisions; nothing
 * ordered before a can lead to it.  memo[y] == a records that merge y was
 * searched for a without success, so no search for a enters it again;
 * when a search succeeds, the merges it went through are forgotten.
 */
bool
mgi_reaches(Ctx *c, int *memo, IntVec *stack, IntVec *seen, int a, int b)
{
	const MgGraph *g = c->g;
	int			floor = g->topo[a];
	int			i;

	if (a == b)
		return true;
	if (g->topo[b] < floor || !maybe_below(g, a, b))
		return false;
	if (tree_below(g, a, b))
		return true;
	stack->n = 0;
	seen->n = 0;
	iv_push(stack, b);
	while (stack->n > 0)
	{
		int			y = g->nt_up[stack->v[--stack->n]];

		while (y >= 0 && g->topo[y] > floor && memo[y] != a)
		{
			int			e;

			memo[y] = a;
			iv_push(seen, y);
			for (e = g->np_off[y] + 1; e < g->np_off[y + 1]; e++)
			{
				int			p = g->np[e];

				if (tree_below(g, a, p))
				{
					for (i = 0; i < seen->n; i++)
						memo[seen->v[i]] = -1;
					return true;
				}
				if (g->topo[p] > floor && maybe_below(g, a, p))
					iv_push(stack, p);
			}
			y = g->tpar[y] >= 0 ? g->nt_up[g->tpar[y]] : -1;
		}
	}
	return false;
}

/* is a a strict ancestor of b? */
bool
mgi_strict_ancestor(Ctx *c, int *memo, IntVec *stack, IntVec *seen, int a, int b)
{
	return a != b && mgi_reaches(c, memo, stack, seen, a, b);
}

/*
 * The forest: every revision hangs below its first normalized down
 * revision; pre-order numbers and subtree sizes make "a is above b in the
 * same tree" an interval test (tree_below).  next[] is scratch.
 */
static void
forest_intervals(Ctx *c, int *next)
{
	MgGraph    *g = (MgGraph *) c->g;
	int			n = g->n;
	int		   *cnt = mgi_alloc(c, (size_t) n, sizeof(int));
	int		   *off = mgi_alloc(c, (size_t) n + 1, sizeof(int));
	int		   *kids = mgi_alloc(c, (size_t) n, sizeof(int));
	int		   *fill = mgi_alloc(c, (size_t) n, sizeof(int));
	int			counter = 0;
	int			i;

	g->troot = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	g->tpre = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	g->tsize = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	g->tpar = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
	{
		g->tpar[i] = g->np_off[i + 1] > g->np_off[i] ? g->np[g->np_off[i]] : -1;
		if (g->tpar[i] >= 0)
			cnt[g->tpar[i]]++;
	}
	for (i = 0; i < n; i++)
		off[i + 1] = off[i] + cnt[i];
	for (i = 0; i < n; i++)
		if (g->tpar[i] >= 0)
			kids[off[g->tpar[i]] + fill[g->tpar[i]]++] = i;
	/* iterative pre-order walk of each tree */
	for (i = 0; i < n; i++)
	{
		if (g->tpar[i] >= 0)
			continue;
		c->nstack = 0;
		st_push(c, i);
		g->troot[i] = i;
		g->tpre[i] = counter++;
		next[i] = off[i];
		while (c->nstack > 0)
		{
			int			v = c->stack[c->nstack - 1];

			if (next[v] < off[v + 1])
			{
				int			k = kids[next[v]++];

				g->troot[k] = i;
				g->tpre[k] = counter++;
				next[k] = off[k];
				st_push(c, k);
			}
			else
			{
				g->tsize[v] = counter - g->tpre[v];
				c->nstack--;
			}
		}
	}
}

/*
 * Post-order numbers over a walk up the children (through every edge),
 * from the real bases in order.  next[] is scratch.
 */
static void
post_order_numbers(Ctx *c, int *next)
{
	MgGraph    *g = (MgGraph *) c->g;
	int			n = g->n;
	int			counter = 0;
	int			i;

	g->grank = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
		g->grank[i] = -1;
	for (i = 0; i < n; i++)
	{
		if (g->raw_off[i + 1] != g->raw_off[i] || g->grank[i] >= 0)
			continue;
		c->nstack = 0;
		st_push(c, i);
		next[i] = g->ach_off[i];
		g->grank[i] = -2;		/* on the stack */
		while (c->nstack > 0)
		{
			int			v = c->stack[c->nstack - 1];

			if (next[v] < g->ach_off[v + 1])
			{
				int			k = g->ach[next[v]++];

				if (g->grank[k] == -1)
				{
					g->grank[k] = -2;
					next[k] = g->ach_off[k];
					st_push(c, k);
				}
			}
			else
			{
				g->grank[v] = counter++;
				c->nstack--;
			}
		}
	}
}

/*
 * The reachability index (see struct MgGraph): the forest, the nearest
 * merge on each tree path, and the post-order filter with the lowest
 * number below each revision.
 */
void
mgi_build_reach_index(Ctx *c)
{
	MgGraph    *g = (MgGraph *) c->g;
	int			n = g->n;
	int		   *next = mgi_alloc(c, (size_t) n, sizeof(int));
	int		   *order = mgi_alloc(c, (size_t) n, sizeof(int));
	int			i;

	forest_intervals(c, next);
	post_order_numbers(c, next);
	for (i = 0; i < n; i++)
		order[g->topo[i]] = i;

	/* the nearest merge on each tree path: parents first */
	g->nt_up = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
	{
		int			v = order[i];

		if (g->np_off[v + 1] - g->np_off[v] > 1)
			g->nt_up[v] = v;
		else
			g->nt_up[v] = g->tpar[v] >= 0 ? g->nt_up[g->tpar[v]] : -1;
	}

	/* lowest number below each revision: children first */
	g->glow = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	for (i = n - 1; i >= 0; i--)
	{
		int			v = order[i];
		int			lo = g->grank[v];
		int			j;

		for (j = g->ach_off[v]; j < g->ach_off[v + 1]; j++)
			if (g->glow[g->ach[j]] < lo)
				lo = g->glow[g->ach[j]];
		g->glow[v] = lo;
	}
}
