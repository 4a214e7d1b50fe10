/*-------------------------------------------------------------------------
 *
 * order.c
 *	  The order in which revisions run: Alembic's topological sort.
 *
 * Implements rules §6 (ordering) of doc/graph-rules.md; upgrade (§5.5),
 * downgrade (§7.6) and history (§10.3) take their order from here.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/order.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <string.h>

#include "graph_int.h"

/* ----------------------------------------------------------------------
 * The topological sort (Alembic's RevisionMap._topological_sort)
 * ----------------------------------------------------------------------
 *
 * What Alembic does (rules §6.2): it keeps a list of "heads", initially the
 * given heads that are to be emitted, in map order, and an index into it.
 * The head at the index is emitted unless it is an ancestor of another head
 * in the list, in which case the index moves to the first such head (in
 * list order).  An emitted head is replaced in place by its first
 * normalized down revision still to be emitted and not already in the
 * list; the others are appended; with none left the head is dropped and
 * the index moves back one.  Alembic answers "is it an ancestor of another
 * head" with one ancestor set per head, recomputed at every merge:
 * quadratic in time and memory.
 *
 * We run the same list machine with the same index moves, and answer the
 * question cheaply; how is written down at mgi_topo_sort, as invariants.
 *
 * The cost is near-linear on the graphs migrations produce (long lines,
 * short branches, merges, cross-branch dependencies); a pathological graph
 * with very many heads that are all below many distinct blocked candidates
 * costs the product of the two.
 *
 * For history ranges the set to order can have holes (a dependency may
 * leave the range and come back), while Alembic's ancestor sets look
 * through them.  'hull' then names the revisions that may sit in such a
 * hole, and the child relation is taken through them.  If a revision can
 * never become a head (Alembic then fails its final assertion), we report
 * it.
 */
#define NO_SLOT		INT_MAX

typedef struct Sorter
{
	Ctx		   *c;
	Mark	   *intodo;			/* the set to order */
	/* child -> parent edges inside the set: ech[e] -> epa[e] */
	IntVec		ech;
	IntVec		epa;
	int		   *ebeg;			/* a revision's edges: ebeg[x] .. eend[x] */
	int		   *eend;
	int		   *pend;			/* children not yet emitted */
	Mark	   *dead;			/* emitted */
	/* the list: slots, doubly linked in list order */
	int		   *slot_of;		/* slot a revision holds, or -1 */
	int		   *snode;			/* revision a slot is at */
	int		   *sprev;
	int		   *snext;
	int			sfirst;
	int			slast;
	int			nslots;			/* slots ever used */
	int			live;			/* slots in the list */
	int		   *seg;			/* max-segment tree: topo position per slot */
	int			segsize;		/* leaves, a power of two */
	/* "is a head above the candidate" */
	int		   *cursor;			/* per candidate: first slot not failed */
	int		   *memo;			/* for mgi_reaches() */
	IntVec		rstack;
	IntVec		rseen;
} Sorter;

/* a slot's revision moved (topo position v), or the slot left (v = -1) */
static void
seg_set(Sorter *st, int slot, int v)
{
	int			i = slot + st->segsize;

	st->seg[i] = v;
	for (i >>= 1; i > 0; i >>= 1)
	{
		int			m = st->seg[2 * i] > st->seg[2 * i + 1] ?
			st->seg[2 * i] : st->seg[2 * i + 1];

		if (st->seg[i] == m)
			break;
		st->seg[i] = m;
	}
}

/* first slot >= from whose revision comes after topo position floor */
static int
seg_first_after(Sorter *st, int from, int floor)
{
	int			i;

	if (from >= st->segsize)
		return NO_SLOT;
	i = from + st->segsize;
	if (st->seg[i] > floor)
		return from;
	for (;;)
	{
		/* climb while i is a right child, then step to the right sibling */
		while (i & 1)
		{
			i >>= 1;
			if (i <= 1)
				return NO_SLOT;
		}
		i++;
		if (st->seg[i] > floor)
		{
			while (i < st->segsize)
			{
				i <<= 1;
				if (st->seg[i] <= floor)
					i++;
			}
			return i - st->segsize;
		}
	}
}

/*
 * Is revision h (a head) a strict descendant of candidate c?  This is plain
 * reachability in the graph: Alembic's ancestor sets are taken over the
 * whole graph, and a path between two revisions still to be emitted only
 * runs through revisions still to be emitted (invariant 2 below).
 * mgi_reaches() memoizes per candidate, so a merge is searched at most
 * once per candidate.
 */
static bool
sort_above(Sorter *st, int c, int h)
{
	return h != c && mgi_reaches(st->c, st->memo, &st->rstack, &st->rseen, c, h);
}

/* first slot in list order that is above candidate c, or NO_SLOT */
static int
sort_first_above(Sorter *st, int c)
{
	int			floor = st->c->g->topo[c];
	int			t = st->cursor[c];

	while ((t = seg_first_after(st, t, floor)) != NO_SLOT)
	{
		if (sort_above(st, c, st->snode[t]))
		{
			st->cursor[c] = t;
			return t;
		}
		t++;
	}
	st->cursor[c] = st->segsize;
	return NO_SLOT;
}

/* the per-revision arrays; the list itself comes with sort_start */
static void
sort_init(Ctx *c, Sorter *st, Mark *intodo)
{
	int			n = c->g->n;

	memset(st, 0, sizeof(*st));
	st->c = c;
	st->intodo = intodo;
	mgi_iv_init(c, &st->ech);
	mgi_iv_init(c, &st->epa);
	st->ebeg = mgi_alloc(c, (size_t) n, sizeof(int));
	st->eend = mgi_alloc(c, (size_t) n, sizeof(int));
	st->pend = mgi_alloc(c, (size_t) n, sizeof(int));
	st->dead = mgi_mark_new(c);
	st->slot_of = mgi_alloc(c, (size_t) n, sizeof(int));
	st->cursor = mgi_alloc(c, (size_t) n, sizeof(int));
	st->memo = mgi_memo_new(c);
	mgi_iv_init(c, &st->rstack);
	mgi_iv_init(c, &st->rseen);
	st->sfirst = st->slast = -1;
}

static void
add_edge(Sorter *st, int child, int parent)
{
	iv_push(&st->ech, child);
	iv_push(&st->epa, parent);
}

/*
 * Edges from x to the revisions of the set found below hole revision p
 * (in hull, not in the set), walking down through the hole.  dup holds the
 * parents x already has.
 */
static void
hole_edges(Sorter *st, int x, int p, Mark *hull, Mark *dup)
{
	Ctx		   *c = st->c;

	c->nstack = 0;
	st_push(c, p);
	while (c->nstack > 0)
	{
		int			h = c->stack[--c->nstack];
		const int  *he;
		int			nhe,
					q;

		edges(c->g, ANC_ALL, h, &he, &nhe);
		for (q = 0; q < nhe; q++)
		{
			int			r = he[q];

			if (mark_has(dup, r))
				continue;
			mark_set(dup, r);
			if (mark_has(st->intodo, r))
				add_edge(st, x, r);
			else if (mark_has(hull, r))
				st_push(c, r);
		}
	}
}

/*
 * The child -> parent edges inside the set (through holes for history),
 * and how many children each revision has left to emit.
 */
static void
sort_edges(Sorter *st, const IntVec *todo, Mark *hull, Mark *dup)
{
	const MgGraph *g = st->c->g;
	int			i,
				e;

	for (i = 0; i < todo->n; i++)
	{
		int			x = todo->v[i];
		const int  *pe;
		int			npe,
					j;

		st->ebeg[x] = st->ech.n;
		st->slot_of[x] = -1;
		mgi_mark_clear(dup);
		edges(g, ANC_ALL, x, &pe, &npe);
		for (j = 0; j < npe; j++)
		{
			int			p = pe[j];

			if (mark_has(dup, p))
				continue;
			mark_set(dup, p);
			if (mark_has(st->intodo, p))
				add_edge(st, x, p);
			else if (hull != NULL && mark_has(hull, p))
				hole_edges(st, x, p, hull, dup);
		}
		st->eend[x] = st->ech.n;
	}
	for (e = 0; e < st->ech.n; e++)
		st->pend[st->epa.v[e]]++;
}

/* a new slot at the end of the list, holding rev */
static void
slot_append(Sorter *st, int rev)
{
	int			t = st->nslots++;

	st->snode[t] = rev;
	st->sprev[t] = st->slast;
	st->snext[t] = -1;
	if (st->slast >= 0)
		st->snext[st->slast] = t;
	else
		st->sfirst = t;
	st->slast = t;
	st->slot_of[rev] = t;
	seg_set(st, t, st->c->g->topo[rev]);
	st->live++;
}

/* slot t leaves the list; returns the slot the index moves to */
static int
slot_drop(Sorter *st, int t)
{
	int			next = st->sprev[t] >= 0 ? st->sprev[t] : st->snext[t];

	if (st->sprev[t] >= 0)
		st->snext[st->sprev[t]] = st->snext[t];
	else
		st->sfirst = st->snext[t];
	if (st->snext[t] >= 0)
		st->sprev[st->snext[t]] = st->sprev[t];
	else
		st->slast = st->sprev[t];
	seg_set(st, t, -1);
	st->live--;
	return next;
}

/*
 * The list of heads to start from: the given heads that are in the set,
 * once each, in map (registration) order.  Room for every slot the sort
 * can use: one per starting head and one per edge.
 */
static void
sort_start(Sorter *st, const int *heads, int nheads, Mark *dup)
{
	Ctx		   *c = st->c;
	IntVec		init;
	int			maxslots;
	int			i;

	mgi_iv_init(c, &init);
	mgi_mark_clear(dup);
	for (i = 0; i < nheads; i++)
		if (heads[i] >= 0 && mark_has(st->intodo, heads[i]) &&
			!mark_has(dup, heads[i]))
		{
			mark_set(dup, heads[i]);
			iv_push(&init, heads[i]);
		}
	mgi_sort_ints(init.v, init.n);
	maxslots = init.n + st->ech.n + 1;
	st->snode = mgi_alloc(c, (size_t) maxslots, sizeof(int));
	st->sprev = mgi_alloc(c, (size_t) maxslots, sizeof(int));
	st->snext = mgi_alloc(c, (size_t) maxslots, sizeof(int));
	for (st->segsize = 2; st->segsize < maxslots; st->segsize *= 2)
		;
	st->seg = mgi_alloc(c, (size_t) st->segsize * 2, sizeof(int));
	for (i = 0; i < 2 * st->segsize; i++)
		st->seg[i] = -1;
	for (i = 0; i < init.n; i++)
		slot_append(st, init.v[i]);
}

/*
 * Emit the revision at slot cur, and hand the slot to its first down
 * revision still to be emitted and not in the list; the others are
 * appended.  Returns the slot the index is at afterwards.
 */
static int
sort_emit(Sorter *st, int cur, IntVec *out)
{
	const MgGraph *g = st->c->g;
	int			cand = st->snode[cur];
	const int  *pe;
	int			npe,
				j,
				e;
	bool		replaced = false;

	iv_push(out, cand);
	mark_set(st->dead, cand);
	st->slot_of[cand] = -1;
	for (e = st->ebeg[cand]; e < st->eend[cand]; e++)
		st->pend[st->epa.v[e]]--;
	edges(g, ANC_ALL, cand, &pe, &npe);
	for (j = 0; j < npe; j++)
	{
		int			p = pe[j];

		if (!mark_has(st->intodo, p) || mark_has(st->dead, p) ||
			st->slot_of[p] >= 0)
			continue;
		if (!replaced)
		{
			st->snode[cur] = p;
			st->slot_of[p] = cur;
			seg_set(st, cur, g->topo[p]);
			replaced = true;
		}
		else
			slot_append(st, p);
	}
	return replaced ? cur : slot_drop(st, cur);
}

/*
 * Order todo (whose members intodo marks) from the given heads down:
 * every revision before its normalized down revisions, ties broken as
 * Alembic's list machine breaks them (rules §6).  out receives the order.
 *
 * How "is the candidate an ancestor of another head in the list" is
 * answered without ancestor sets rests on these invariants:
 *
 *	1. Slot order is list order.  A head replaced in place keeps its slot;
 *	   appended heads get new, larger slot numbers; a dropped slot is never
 *	   reused.  So "the first head in list order" is "the smallest slot".
 *	2. No emitted revision is an ancestor of a head in the list: a revision
 *	   is emitted only when no head is above it, and heads only move down.
 *	   Hence a candidate with no child left to emit (pend == 0) has no head
 *	   above it, and a path from a head down to a candidate runs through
 *	   revisions not yet emitted: plain reachability in the graph answers
 *	   the question as Alembic's ancestor sets do.
 *	3. A slot that is not above candidate c never gets above it later: a
 *	   slot moving down stays below where it was, and new slots only
 *	   appear at the down revisions of a revision that held one.  So
 *	   cursor[c] only moves forward: every slot before it has failed for
 *	   good, and the search resumes there.
 *	4. seg holds, per slot, the topological position of its revision (-1
 *	   once the slot left the list).  A head at or before c in the
 *	   topological order cannot be above c, so seg_first_after skips such
 *	   slots, and dropped ones, in O(log slots).
 *	5. "x reaches c" never changes, so mgi_reaches' memo stays valid for the
 *	   whole sort.
 *	6. Each revision of the set holds at most one slot at a time and is
 *	   emitted once (dead); "above" is a strict order, so the index cannot
 *	   move from head to head forever: the loop ends after every revision
 *	   reachable from the starting heads is emitted.
 */
bool
mgi_topo_sort(Ctx *c, const IntVec *todo, Mark *intodo, const int *heads,
			  int nheads, Mark *hull, IntVec *out)
{
	Sorter		st;
	Mark	   *dup;
	int			cur;

	out->n = 0;
	if (todo->n == 0)
		return true;
	sort_init(c, &st, intodo);
	dup = mgi_mark_new(c);
	sort_edges(&st, todo, hull, dup);
	sort_start(&st, heads, nheads, dup);

	cur = st.sfirst;
	while (st.live > 0)
	{
		int			cand = st.snode[cur];

		if (st.pend[cand] > 0)
		{
			int			above = sort_first_above(&st, cand);

			if (above != NO_SLOT)
			{
				cur = above;
				continue;
			}
		}
		cur = sort_emit(&st, cur, out);
	}
	if (out->n != todo->n)
		return mgi_fail(c, MG_ERR_UNSUPPORTED,
						"Some revisions of the range are reachable only through a dependency outside it; Alembic fails on this range with an internal error.",
						"Choose a range whose start is an ancestor of everything it lists, such as base.",
						"cannot order the revisions of this range");
	return true;
}
