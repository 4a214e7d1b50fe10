/*-------------------------------------------------------------------------
 *
 * derive.c
 *	  What Alembic derives from the edges a revision declares: the
 *	  normalized dependencies, and the branch labels spread along the
 *	  graph.
 *
 * Alembic computes both with walks that are quadratic on long histories;
 * the algorithms here give the same results in near-linear time on the
 * graphs migrations produce (each function says how).
 *
 * Implements rules §1.3 (normalized down revisions) and §1.8 (label
 * spreading) of doc/graph-rules.md.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/derive.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <string.h>

#include "graph_int.h"

/*
 * Alembic's _normalize_depends_on: drop a dependency d of R when some
 * versioned ancestor of R (down_revision only) also declares d.  Alembic
 * walks all ancestors of every revision that has dependencies; we look at
 * one dependency target at a time and, only when several revisions
 * declare it, find which of the declarers sit above another declarer.
 * The search below a declarer is cut off under the lowest declarer in a
 * topological order (nothing there can be one), and results are
 * memoized per target.  keep[] receives one flag per dependency entry
 * (rules §1.3).
 */
void
mgi_normalize_deps(Ctx *c, const int *topo_v, bool *keep)
{
	const MgGraph *g = c->g;
	int			n = g->n;
	int			ndeps = g->dep_off[n];
	int		   *cnt = mgi_alloc(c, (size_t) n, sizeof(int));
	int		   *off;
	int		   *who;			/* declaring revisions, grouped by target */
	int		   *fill = mgi_alloc(c, (size_t) n, sizeof(int));
	unsigned   *memo_gen = mgi_alloc(c, (size_t) n, sizeof(unsigned));
	bool	   *memo_val = mgi_alloc(c, (size_t) n, sizeof(bool));
	unsigned   *decl_gen = mgi_alloc(c, (size_t) n, sizeof(unsigned));
	unsigned	gen = 0;
	int			i,
				d;

	for (i = 0; i < ndeps; i++)
	{
		keep[i] = true;
		cnt[g->dep[i]]++;
	}
	off = mgi_alloc(c, (size_t) n + 1, sizeof(int));
	for (i = 0; i < n; i++)
		off[i + 1] = off[i] + cnt[i];
	who = mgi_alloc(c, (size_t) ndeps, sizeof(int));
	for (i = 0; i < n; i++)
	{
		int			j;

		for (j = g->dep_off[i]; j < g->dep_off[i + 1]; j++)
			who[off[g->dep[j]] + fill[g->dep[j]]++] = i;
	}

	for (d = 0; d < n; d++)
	{
		int			first = off[d],
					last = off[d + 1];
		int			floor = INT_MAX;
		int			k;

		if (last - first < 2)
			continue;
		gen++;
		for (k = first; k < last; k++)
		{
			decl_gen[who[k]] = gen;
			if (topo_v[who[k]] < floor)
				floor = topo_v[who[k]];
		}
		for (k = first; k < last; k++)
		{
			int			r = who[k];
			bool		shadowed = false;
			int			j;

			/*
			 * f(v) = "v or one of its versioned ancestors declares d",
			 * evaluated for each parent of r with an explicit stack.
			 */
			for (j = g->par_off[r]; j < g->par_off[r + 1] && !shadowed; j++)
			{
				int			p0 = g->par[j];

				c->nstack = 0;
				st_push(c, p0);
				while (c->nstack > 0)
				{
					int			v = c->stack[c->nstack - 1];
					int			base = c->nstack;
					bool		pending = false;
					bool		val = false;
					int			q;

					if (memo_gen[v] == gen)
					{
						c->nstack--;
						continue;
					}
					if (decl_gen[v] == gen)
						val = true;
					else if (topo_v[v] >= floor)
					{
						for (q = g->par_off[v]; q < g->par_off[v + 1]; q++)
						{
							int			p = g->par[q];

							if (memo_gen[p] == gen)
							{
								if (memo_val[p])
								{
									val = true;
									break;
								}
							}
							else
							{
								pending = true;
								st_push(c, p);
							}
						}
						if (val)
							pending = false;
					}
					if (pending)
						continue;
					memo_gen[v] = gen;
					memo_val[v] = val;

					/*
					 * pop v and any parents pushed before the answer was
					 * known
					 */
					c->nstack = base - 1;
				}
				shadowed = memo_val[p0];
			}
			if (shadowed)
			{
				for (j = g->dep_off[r]; j < g->dep_off[r + 1]; j++)
					if (g->dep[j] == d)
						keep[j] = false;
			}
		}
	}
}

/*
 * Alembic's _add_branches.  Every versioned descendant of a labelled
 * revision R gets R's labels; then Alembic walks down from the top of R's
 * descendants, labelling revisions until one is a branch point (counting
 * dependants) or a merge point.  That walk only gets below R when R's
 * descendants form a clean chain (no branch or merge point from R up to
 * the top); a revision on such a chain then ends up with exactly the
 * labels of the chain's top.  So: propagate labels forward in
 * topological order (sharing arrays along chains), then give every
 * revision that sits on a clean chain up to its head the labels of that
 * head.  The result does not depend on the order labels are processed in,
 * which in Alembic is a Python set's (rules §1.8).
 */
void
mgi_spread_labels(Ctx *c, const int *topo_v)
{
	MgGraph    *g = (MgGraph *) c->g;
	int			n = g->n;
	int		   *order = mgi_alloc(c, (size_t) n, sizeof(int));
	int		  **lab = mgi_alloc(c, (size_t) n, sizeof(int *));
	int		   *nlab = mgi_alloc(c, (size_t) n, sizeof(int));
	bool	   *ok = mgi_alloc(c, (size_t) n, sizeof(bool));
	int		   *top = mgi_alloc(c, (size_t) n, sizeof(int));
	unsigned   *seen = mgi_alloc(c, (size_t) (g->nkeys ? g->nkeys : 1),
								 sizeof(unsigned));
	unsigned	gen = 0;
	IntVec		tmp;
	int			i;

	mgi_iv_init(c, &tmp);
	g->slab = mg_alloc(sizeof(char **) * (size_t) (n ? n : 1));
	g->nslab = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
		order[topo_v[i]] = i;

	for (i = 0; i < n; i++)
	{
		int			v = order[i];
		int			nown = g->own_off[v + 1] - g->own_off[v];
		int			npar = g->par_off[v + 1] - g->par_off[v];
		int			j,
					q;

		if (nown == 0 && npar == 1)
		{
			int			p = g->par[g->par_off[v]];

			lab[v] = lab[p];
			nlab[v] = nlab[p];
			g->slab[v] = g->slab[p];
			continue;
		}
		gen++;
		tmp.n = 0;
		for (j = g->own_off[v]; j < g->own_off[v + 1]; j++)
		{
			int			k = mgi_key_find(g, g->own[j]);

			if (seen[k] != gen)
			{
				seen[k] = gen;
				iv_push(&tmp, k);
			}
		}
		for (j = g->par_off[v]; j < g->par_off[v + 1]; j++)
		{
			int			p = g->par[j];

			for (q = 0; q < nlab[p]; q++)
				if (seen[lab[p][q]] != gen)
				{
					seen[lab[p][q]] = gen;
					iv_push(&tmp, lab[p][q]);
				}
		}
		nlab[v] = tmp.n;
		if (tmp.n == 0)
		{
			lab[v] = NULL;
			g->slab[v] = NULL;
			continue;
		}
		mgi_sort_ints(tmp.v, tmp.n);
		lab[v] = mgi_alloc(c, (size_t) tmp.n, sizeof(int));
		memcpy(lab[v], tmp.v, sizeof(int) * (size_t) tmp.n);
		g->slab[v] = mg_alloc(sizeof(char *) * (size_t) tmp.n);
		for (q = 0; q < tmp.n; q++)
			g->slab[v][q] = g->key[tmp.v[q]];
	}
	for (i = n - 1; i >= 0; i--)
	{
		int			v = order[i];
		int			nv = g->vch_off[v + 1] - g->vch_off[v];
		bool		clean = (g->ach_off[v + 1] - g->ach_off[v] <= 1) &&
			(g->par_off[v + 1] - g->par_off[v] <= 1);

		if (!clean)
			ok[v] = false;
		else if (nv == 0)
		{
			ok[v] = true;
			top[v] = v;
		}
		else
		{
			int			ch = g->vch[g->vch_off[v]];

			ok[v] = ok[ch];
			top[v] = top[ch];
		}
	}
	for (i = 0; i < n; i++)
	{
		if (ok[i])
		{
			g->slab[i] = g->slab[top[i]];
			nlab[i] = nlab[top[i]];
		}
		g->nslab[i] = nlab[i];
	}
}

/* does rev carry label once labels are spread? */
bool
mgi_has_spread_label(const MgGraph *g, int rev, const char *label)
{
	int			i;

	for (i = 0; i < g->nslab[rev]; i++)
		if (strcmp(g->slab[rev][i], label) == 0)
			return true;
	return false;
}
