/*-------------------------------------------------------------------------
 *
 * access.c
 *	  Read-only accessors of a built graph: size, ids, lookups, parents,
 *	  dependencies, labels and the listings.
 *
 * Every accessor takes a NULL graph or an out-of-range revision and
 * answers with nothing, so callers need no checks of their own.
 *
 * Implements rules §1.5, §1.6 (heads, bases, branch and merge points) and
 * §10.2 (listings) of doc/graph-rules.md.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/access.c
 *
 *-------------------------------------------------------------------------
 */
#include "graph_int.h"

int
mg_graph_size(const MgGraph *g)
{
	return g ? g->n : 0;
}

const char *
mg_rev_id(const MgGraph *g, int rev)
{
	if (g == NULL || rev < 0 || rev >= g->n)
		return NULL;
	return g->ids[rev];
}

int
mg_lookup(const MgGraph *g, const char *id)
{
	int			k;

	if (g == NULL || id == NULL)
		return -1;
	k = mgi_key_find(g, id);
	return (k >= 0 && k < g->n) ? k : -1;
}

static MgRevList
slice(const int *off, const int *arr, int rev)
{
	MgRevList	l;

	l.items = (int *) (arr + off[rev]);
	l.n = off[rev + 1] - off[rev];
	return l;
}

MgRevList
mg_parents(const MgGraph *g, int rev)
{
	MgRevList	none = {NULL, 0};

	if (g == NULL || rev < 0 || rev >= g->n)
		return none;
	return slice(g->par_off, g->par, rev);
}

MgRevList
mg_dependencies(const MgGraph *g, int rev)
{
	MgRevList	none = {NULL, 0};

	if (g == NULL || rev < 0 || rev >= g->n)
		return none;
	return slice(g->dep_off, g->dep, rev);
}

const char *const *
mg_labels(const MgGraph *g, int rev, bool spread, int *nlabels)
{
	if (g == NULL || rev < 0 || rev >= g->n)
	{
		if (nlabels)
			*nlabels = 0;
		return NULL;
	}
	if (spread)
	{
		if (nlabels)
			*nlabels = g->nslab[rev];
		return (const char *const *) g->slab[rev];
	}
	if (nlabels)
		*nlabels = g->own_off[rev + 1] - g->own_off[rev];
	return (const char *const *) (g->own + g->own_off[rev]);
}

MgRevList
mg_heads(const MgGraph *g, bool real)
{
	MgRevList	none = {NULL, 0};

	if (g == NULL)
		return none;
	return real ? g->real_heads : g->heads;
}

MgRevList
mg_bases(const MgGraph *g, bool real)
{
	MgRevList	none = {NULL, 0};

	if (g == NULL)
		return none;
	return real ? g->real_bases : g->bases;
}

bool
mg_is_branch_point(const MgGraph *g, int rev)
{
	if (g == NULL || rev < 0 || rev >= g->n)
		return false;
	return g->vch_off[rev + 1] - g->vch_off[rev] > 1;
}

bool
mg_is_merge_point(const MgGraph *g, int rev)
{
	if (g == NULL || rev < 0 || rev >= g->n)
		return false;
	return g->par_off[rev + 1] - g->par_off[rev] > 1;
}

MgRevList
mg_branch_points(const MgGraph *g)
{
	MgRevList	none = {NULL, 0};

	if (g == NULL)
		return none;
	return g->branch_points;
}
