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

/*
 * The shape of a graph being drawn, by revision number: parents (three at
 * most, pl[i * 3 ...]), dependencies (two at most, dl[i * 2 ...]), whether
 * it has a label, and the generator's state.  Every draw from the Rng
 * happens in the same order as in one loop over the revisions, so a seed
 * gives the same graph whatever the helpers look like.
 */
typedef struct Draft
{
	int		   *nchild;
	int		   *pcount;
	int		   *pl;
	int		   *dcount;
	int		   *dl;
	int		   *lab;
	int		   *heads;
	int			nheads;
	int			main_tip;
	int			side_tip;
	int			side_left;
} Draft;

/*
 * Main-line generator: a long main line; now and then a side branch of a
 * few revisions that is usually merged back, sometimes left as a head.
 * Returns false for a new base, whose parents (none, or after a second draw
 * some) the general generator then picks.
 */
static bool
mainline_parents(Rng *r, const GenOpts *o, Draft *d, int i)
{
	int		   *pl = d->pl + i * 3;

	if (i == 0 || rng_unit(r) < o->p_root)
	{
		d->pcount[i] = 0;
		if (i == 0)
			d->main_tip = 0;
		return false;
	}
	if (d->side_left > 0)
	{
		pl[0] = d->side_tip;
		d->pcount[i] = 1;
		d->side_tip = i;
		if (--d->side_left == 0)
		{
			/* the next revision merges it back, or it stays a head */
			if (o->all_merged || rng_unit(r) < 0.8)
				d->side_left = -1;
			else
				d->side_tip = -1;
		}
	}
	else if (d->side_left < 0)
	{
		pl[0] = d->main_tip;
		pl[1] = d->side_tip;
		d->pcount[i] = 2;
		d->main_tip = i;
		d->side_tip = -1;
		d->side_left = 0;
	}
	else if (rng_unit(r) < o->p_merge)
	{
		/* start a side branch off the main line */
		pl[0] = d->main_tip;
		d->pcount[i] = 1;
		d->side_tip = i;
		d->side_left = 1 + rng_int(r, 20);
	}
	else
	{
		pl[0] = d->main_tip;
		d->pcount[i] = 1;
		d->main_tip = i;
	}
	return true;
}

/* General generator: a base, or one to three distinct earlier parents. */
static void
random_parents(Rng *r, const GenOpts *o, Draft *d, int i)
{
	int			want = 1;
	double		x;

	d->pcount[i] = 0;
	if (i == 0 || rng_unit(r) < o->p_root)
		return;
	x = rng_unit(r);
	if (x < o->p_merge)
		want = 2;
	else if (x < o->p_merge * 1.2)
		want = 3;
	if (want > i)
		want = i;
	while (d->pcount[i] < want)
	{
		int			p;
		bool		dup = false;

		if (d->nheads > 0 && rng_unit(r) < o->p_head)
			p = d->heads[rng_int(r, d->nheads)];
		else
			p = rng_int(r, i);
		for (int j = 0; j < d->pcount[i]; j++)
			if (d->pl[i * 3 + j] == p)
				dup = true;
		if (!dup)
			d->pl[i * 3 + d->pcount[i]++] = p;
	}
}

/*
 * Revision i's dependencies and label, and the list of current heads the
 * general generator draws parents from.
 */
static void
deps_and_label(Rng *r, const GenOpts *o, Draft *d, int i)
{
	for (int j = 0; j < d->pcount[i]; j++)
		d->nchild[d->pl[i * 3 + j]]++;

	/*
	 * A merge that also depends on an ancestor of one of its parents is a
	 * graph Alembic cannot upgrade (rules §8.3, §13.3); the main-line
	 * generator, used for timings, does not make them (no dependencies on
	 * merges, one at most elsewhere).
	 */
	if (i > 0 && rng_unit(r) < o->p_dep && !(o->mainline && d->pcount[i] > 1))
	{
		int			nd = o->mainline ? 1 : 1 + (rng_unit(r) < 0.3);

		for (int k = 0; k < nd; k++)
		{
			int			dep = rng_int(r, i);
			bool		dup = false;

			for (int j = 0; j < d->dcount[i]; j++)
				if (d->dl[i * 2 + j] == dep)
					dup = true;
			if (!dup)
				d->dl[i * 2 + d->dcount[i]++] = dep;
		}
	}
	if (rng_unit(r) < o->p_label)
		d->lab[i] = i;
	d->nheads = 0;
	if (!o->mainline)
		for (int j = 0; j <= i; j++)
			if (d->nchild[j] == 0)
				d->heads[d->nheads++] = j;
}

/*
 * Where each revision is registered: in number order, or shuffled so that
 * children come before their parents.
 */
static int *
registration_positions(Rng *r, const GenOpts *o, int n)
{
	int		   *perm = xcalloc((size_t) n, sizeof(int));
	int		   *pos = xcalloc((size_t) n, sizeof(int));

	for (int i = 0; i < n; i++)
		perm[i] = i;
	if (o->shuffle)
		for (int i = n - 1; i > 0; i--)
		{
			int			t = rng_int(r, i + 1);
			int			tmp = perm[i];

			perm[i] = perm[t];
			perm[t] = tmp;
		}
	for (int i = 0; i < n; i++)
		pos[perm[i]] = i;
	free(perm);
	return pos;
}

/* A label's name, "L" and the revision number in hex. */
static char *
label_name(int rev)
{
	char	   *l = xcalloc(20, 1);

	snprintf(l, 20, "L%x", rev);
	return l;
}

/* The draft as the graph module's inputs, revision k at position pos[k]. */
static void
emit_inputs(const Draft *d, const int *pos, GenGraph *g)
{
	int			n = g->n;
	int			totd = 0,
				totp = 0,
				totl = 0;

	g->ids = xcalloc((size_t) n, sizeof(char *));
	for (int i = 0; i < n; i++)
	{
		g->ids[i] = xcalloc(16, 1);
		snprintf(g->ids[i], 16, "r%x", i);
		totp += d->pcount[i];
		totd += d->dcount[i];
		totl += d->lab[i] >= 0;
	}
	g->in = xcalloc((size_t) n, sizeof(MgRevisionInput));
	g->down = xcalloc((size_t) totp, sizeof(char *));
	g->deps = xcalloc((size_t) totd, sizeof(char *));
	g->labels = xcalloc((size_t) totl, sizeof(char *));
	g->labelstore = xcalloc((size_t) totl, sizeof(char *));
	totp = totd = totl = 0;
	for (int k = 0; k < n; k++)
	{
		MgRevisionInput *in = &g->in[pos[k]];

		in->id = g->ids[k];
		in->down = g->down + totp;
		in->ndown = d->pcount[k];
		for (int j = 0; j < d->pcount[k]; j++)
			g->down[totp++] = g->ids[d->pl[k * 3 + j]];
		in->depends = g->deps + totd;
		in->ndepends = d->dcount[k];
		for (int j = 0; j < d->dcount[k]; j++)
		{
			int			dep = d->dl[k * 2 + j];

			/* name it by its label when it has one, half the time */
			if (d->lab[dep] >= 0 && (dep & 1))
			{
				char	   *l = label_name(dep);

				g->deps[totd++] = l;
				g->labelstore = realloc(g->labelstore,
										sizeof(char *) * (size_t) (g->nlabelstore + totl + 2));
				g->labelstore[g->nlabelstore++] = l;
			}
			else
				g->deps[totd++] = g->ids[dep];
		}
		in->labels = g->labels + totl;
		in->nlabels = d->lab[k] >= 0;
		if (d->lab[k] >= 0)
			g->labels[totl++] = label_name(k);
	}
}

void
gen_graph(Rng *r, const GenOpts *o, GenGraph *g)
{
	int			n = o->n;
	Draft		d = {0};
	int		   *pos;

	d.nchild = xcalloc((size_t) n, sizeof(int));
	d.pcount = xcalloc((size_t) n, sizeof(int));
	d.pl = xcalloc((size_t) n * 3, sizeof(int));
	d.dcount = xcalloc((size_t) n, sizeof(int));
	d.dl = xcalloc((size_t) n * 2, sizeof(int));
	d.lab = xcalloc((size_t) n, sizeof(int));
	d.heads = xcalloc((size_t) n, sizeof(int));
	d.main_tip = d.side_tip = -1;

	memset(g, 0, sizeof(*g));
	g->n = n;
	for (int i = 0; i < n; i++)
	{
		d.lab[i] = -1;
		if (!(o->mainline && mainline_parents(r, o, &d, i)))
			random_parents(r, o, &d, i);
		deps_and_label(r, o, &d, i);
	}
	pos = registration_positions(r, o, n);
	emit_inputs(&d, pos, g);
	free(pos);
	free(d.nchild);
	free(d.pcount);
	free(d.pl);
	free(d.dcount);
	free(d.dl);
	free(d.lab);
	free(d.heads);
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
