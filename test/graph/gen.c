/*
 * gen.c
 *	  Random revision graphs (see gen.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static void *
xcalloc(size_t n, size_t size)
{
	void	   *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

void
gen_graph(Rng *r, const GenOpts *o, GenGraph *g)
{
	int			n = o->n;
	int		   *perm = xcalloc((size_t) n, sizeof(int));
	int		   *pos = xcalloc((size_t) n, sizeof(int));
	int		   *nchild = xcalloc((size_t) n, sizeof(int));
	int		   *pcount = xcalloc((size_t) n, sizeof(int));
	int		   *pl = xcalloc((size_t) n * 3, sizeof(int));
	int		   *dcount = xcalloc((size_t) n, sizeof(int));
	int		   *dl = xcalloc((size_t) n * 2, sizeof(int));
	int		   *lab = xcalloc((size_t) n, sizeof(int));
	int		   *heads = xcalloc((size_t) n, sizeof(int));
	int			nheads = 0;
	int			main_tip = -1;
	int			side_tip = -1;
	int			side_left = 0;
	int			i,
				j,
				k;
	int			totd = 0,
				totp = 0,
				totl = 0;

	memset(g, 0, sizeof(*g));
	g->n = n;
	for (i = 0; i < n; i++)
	{
		lab[i] = -1;
		if (o->mainline)
		{
			/*
			 * A long main line; now and then a side branch of a few revisions
			 * that is usually merged back, sometimes left as a head.
			 */
			if (i == 0 || rng_unit(r) < o->p_root)
			{
				pcount[i] = 0;
				if (i == 0)
					main_tip = 0;
			}
			else if (side_left > 0)
			{
				pl[i * 3] = side_tip;
				pcount[i] = 1;
				side_tip = i;
				if (--side_left == 0)
				{
					if (o->all_merged || rng_unit(r) < 0.8)
					{
						/* the next revision merges it back */
						side_left = -1;
					}
					else
						side_tip = -1;
				}
				goto deps;
			}
			else if (side_left < 0)
			{
				pl[i * 3] = main_tip;
				pl[i * 3 + 1] = side_tip;
				pcount[i] = 2;
				main_tip = i;
				side_tip = -1;
				side_left = 0;
				goto deps;
			}
			else if (rng_unit(r) < o->p_merge)
			{
				/* start a side branch off the main line */
				pl[i * 3] = main_tip;
				pcount[i] = 1;
				side_tip = i;
				side_left = 1 + rng_int(r, 20);
				goto deps;
			}
			else
			{
				pl[i * 3] = main_tip;
				pcount[i] = 1;
				main_tip = i;
				goto deps;
			}
		}
		if (i == 0 || rng_unit(r) < o->p_root)
			pcount[i] = 0;
		else
		{
			int			want = 1;
			double		x = rng_unit(r);

			if (x < o->p_merge)
				want = 2;
			else if (x < o->p_merge * 1.2)
				want = 3;
			if (want > i)
				want = i;
			while (pcount[i] < want)
			{
				int			p;
				bool		dup = false;

				if (nheads > 0 && rng_unit(r) < o->p_head)
					p = heads[rng_int(r, nheads)];
				else
					p = rng_int(r, i);
				for (j = 0; j < pcount[i]; j++)
					if (pl[i * 3 + j] == p)
						dup = true;
				if (!dup)
					pl[i * 3 + pcount[i]++] = p;
			}
		}
deps:
		for (j = 0; j < pcount[i]; j++)
			nchild[pl[i * 3 + j]]++;
		/*
		 * A merge that also depends on an ancestor of one of its parents is
		 * a graph Alembic cannot upgrade (rules §8.3, §13.3); the main-line
		 * generator, used for timings, does not make them (no dependencies
		 * on merges, one at most elsewhere).
		 */
		if (i > 0 && rng_unit(r) < o->p_dep && !(o->mainline && pcount[i] > 1))
		{
			int			nd = o->mainline ? 1 : 1 + (rng_unit(r) < 0.3);

			for (k = 0; k < nd; k++)
			{
				int			d = rng_int(r, i);
				bool		dup = false;

				for (j = 0; j < dcount[i]; j++)
					if (dl[i * 2 + j] == d)
						dup = true;
				if (!dup)
					dl[i * 2 + dcount[i]++] = d;
			}
		}
		if (rng_unit(r) < o->p_label)
			lab[i] = i;
		/* maintain the list of versioned heads */
		nheads = 0;
		if (!o->mainline || i < 64)
		{
			for (j = 0; j <= i && !o->mainline; j++)
				if (nchild[j] == 0)
					heads[nheads++] = j;
		}
	}

	/* registration order */
	for (i = 0; i < n; i++)
		perm[i] = i;
	if (o->shuffle)
		for (i = n - 1; i > 0; i--)
		{
			int			t = rng_int(r, i + 1);
			int			tmp = perm[i];

			perm[i] = perm[t];
			perm[t] = tmp;
		}
	for (i = 0; i < n; i++)
		pos[perm[i]] = i;

	g->ids = xcalloc((size_t) n, sizeof(char *));
	for (i = 0; i < n; i++)
	{
		g->ids[i] = xcalloc(16, 1);
		snprintf(g->ids[i], 16, "r%x", i);
		totp += pcount[i];
		totd += dcount[i];
		totl += lab[i] >= 0;
	}
	g->in = xcalloc((size_t) n, sizeof(MgRevisionInput));
	g->down = xcalloc((size_t) totp, sizeof(char *));
	g->deps = xcalloc((size_t) totd, sizeof(char *));
	g->labels = xcalloc((size_t) totl, sizeof(char *));
	g->labelstore = xcalloc((size_t) totl, sizeof(char *));
	totp = totd = totl = 0;
	for (k = 0; k < n; k++)
	{
		MgRevisionInput *in = &g->in[pos[k]];

		in->id = g->ids[k];
		in->down = g->down + totp;
		in->ndown = pcount[k];
		for (j = 0; j < pcount[k]; j++)
			g->down[totp++] = g->ids[pl[k * 3 + j]];
		in->depends = g->deps + totd;
		in->ndepends = dcount[k];
		for (j = 0; j < dcount[k]; j++)
		{
			int			d = dl[k * 2 + j];

			/* name it by its label when it has one, half the time */
			if (lab[d] >= 0 && (d & 1))
			{
				char	   *l = xcalloc(20, 1);

				snprintf(l, 20, "L%x", d);
				g->deps[totd++] = l;
				g->labelstore = realloc(g->labelstore,
										sizeof(char *) * (size_t) (g->nlabelstore + totl + 2));
				g->labelstore[g->nlabelstore++] = l;
			}
			else
				g->deps[totd++] = g->ids[d];
		}
		in->labels = g->labels + totl;
		in->nlabels = lab[k] >= 0;
		if (lab[k] >= 0)
		{
			char	   *l = xcalloc(20, 1);

			snprintf(l, 20, "L%x", k);
			g->labels[totl++] = l;
		}
	}
	free(perm);
	free(pos);
	free(nchild);
	free(pcount);
	free(pl);
	free(dcount);
	free(dl);
	free(lab);
	free(heads);
}

void
gen_free(GenGraph *g)
{
	int			i;

	for (i = 0; i < g->n; i++)
	{
		free(g->ids[i]);
		if (g->in[i].nlabels)
			free((char *) g->in[i].labels[0]);
	}
	for (i = 0; i < g->nlabelstore; i++)
		free(g->labelstore[i]);
	free(g->labelstore);
	free(g->ids);
	free(g->in);
	free((void *) g->down);
	free((void *) g->deps);
	free((void *) g->labels);
	memset(g, 0, sizeof(*g));
}
