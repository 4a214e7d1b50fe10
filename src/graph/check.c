/*-------------------------------------------------------------------------
 *
 * check.c
 *	  Checks on a project's revisions as registered, which need no built
 *	  graph: every problem of the project at once (mg_check_project, what
 *	  migrate.verify() lists), and whether a revision is applied
 *	  (mg_is_applied, what decides that a registered revision is immutable).
 *
 * Both work on the input of mg_graph_build plus the version rows as ids,
 * because they must answer when the graph cannot be built: a parent may be
 * registered after its children, a row may name a revision that was
 * removed, a revision may have been edited into a cycle.  They resolve
 * names with a key map of their own, built like the graph's (keys.c), in
 * which ids win over labels and names longer than MG_MAX_ID_LEN are never
 * found.
 *
 * Implements rules §12 of doc/graph-rules.md.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/check.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "graph_int.h"

/*
 * The names of a project: a key map over a scratch graph that holds
 * nothing else.  Keys below nids are revision ids (pointing at the last
 * revision registered with that id), the others branch labels (pointing at
 * the first revision that carries the label).
 */
typedef struct Names
{
	MgGraph		map;
	int			nids;
} Names;

/* is the input well formed?  The same checks as mg_graph_build's. */
static bool
check_input(Ctx *c, const MgRevisionInput *revs, int nrevs,
			const char *const *rows, int nrows)
{
	int			i,
				j;

	if (nrevs < 0 || (nrevs > 0 && revs == NULL))
		return mgi_fail(c, MG_ERR_BAD_ID, NULL, NULL, "invalid revision array");
	if (nrows < 0 || (nrows > 0 && rows == NULL))
		return mgi_fail(c, MG_ERR_BAD_VERSION_ROWS, NULL, NULL,
						"malformed version row list");
	for (i = 0; i < nrevs; i++)
	{
		if (!mgi_check_revision_input(c, &revs[i], i))
			return false;
		for (j = 0; j < revs[i].nlabels; j++)
			if (revs[i].labels[j] == NULL)
				return mgi_fail(c, MG_ERR_BAD_ID, NULL, NULL,
								"branch label must not be null");
	}
	for (i = 0; i < nrows; i++)
		if (rows[i] == NULL)
			return mgi_fail(c, MG_ERR_BAD_VERSION_ROWS, NULL, NULL,
							"version row %d is null", i + 1);
	return true;
}

static void
names_build(Ctx *c, Names *nm, const MgRevisionInput *revs, int nrevs)
{
	MgGraph    *g = &nm->map;
	long long	nkeys = nrevs;
	int			i,
				j;

	for (i = 0; i < nrevs; i++)
		nkeys += revs[i].nlabels;
	memset(nm, 0, sizeof(*nm));
	mgi_keys_init(c, g, nkeys);
	for (i = 0; i < nrevs; i++)
	{
		size_t		len = strlen(revs[i].id);
		int			k;

		if (len > MG_MAX_ID_LEN)
			continue;
		k = mgi_key_find_n(g, revs[i].id, len);
		if (k >= 0)
			g->keyrev[k] = i;
		else
			mgi_key_add(g, revs[i].id, len, i);
	}
	nm->nids = g->nkeys;
	for (i = 0; i < nrevs; i++)
		for (j = 0; j < revs[i].nlabels; j++)
		{
			const char *l = revs[i].labels[j];
			size_t		len = strlen(l);

			if (len <= MG_MAX_ID_LEN && mgi_key_find_n(g, l, len) < 0)
				mgi_key_add(g, l, len, i);
		}
}

/* the key of a name, or -1; is_id tells an id from a label */
static int
names_find(const Names *nm, const char *name, bool *is_id)
{
	int			k = mgi_key_find(&nm->map, name);

	*is_id = k >= 0 && k < nm->nids;
	return k;
}

const char *
mg_problem_name(MgProblemKind kind)
{
	switch (kind)
	{
		case MG_PROBLEM_MISSING_PARENT:
			return "missing_parent";
		case MG_PROBLEM_MISSING_DEPENDENCY:
			return "missing_dependency";
		case MG_PROBLEM_UNKNOWN_VERSION:
			return "unknown_version";
		case MG_PROBLEM_INVALID_GRAPH:
			return "invalid_graph";
		case MG_PROBLEM_REDUNDANT_VERSION:
			return "redundant_version";
	}
	return "unknown_problem";
}

/* add a problem to the list, in memory the caller keeps */
static void
add_problem(MgProblemList *out, int *cap, MgProblemKind kind,
			const char *revision, const char *detail)
{
	MgProblem  *p;

	if (out->n == *cap)
	{
		*cap = *cap ? *cap * 2 : 8;
		out->items = mg_realloc(out->items, sizeof(MgProblem) * (size_t) *cap);
	}
	p = &out->items[out->n++];
	p->kind = kind;
	p->revision = revision ? mgi_keep_printf("%s", revision) : NULL;
	p->detail = mgi_keep_printf("%s", detail);
}

/*
 * The problems found once every name resolves (rules §12.1): the graph
 * does not build, the rows do not fit it, or a row lies below another.
 */
static void
graph_problems(Ctx *c, MgProblemList *out, int *cap,
			   const MgRevisionInput *revs, int nrevs,
			   const char *const *rows, int nrows)
{
	MgError		err;
	MgGraph    *g = mg_graph_build(revs, nrevs, &err);
	MgRevList	rowlist;
	MgRevList	current;
	bool	   *tip;
	int			i;

	if (g == NULL)
	{
		add_problem(out, cap, MG_PROBLEM_INVALID_GRAPH, NULL,
					err.message);
		return;
	}
	rowlist.n = nrows;
	rowlist.items = mgi_alloc(c, (size_t) nrows, sizeof(int));
	for (i = 0; i < nrows; i++)
		rowlist.items[i] = mg_lookup(g, rows[i]);
	if (!mg_current(g, &rowlist, &current, &err))
	{
		add_problem(out, cap, MG_PROBLEM_INVALID_GRAPH, NULL,
					err.message);
		return;
	}
	/* a row that is not among the tips lies below another row */
	tip = mgi_alloc(c, (size_t) nrevs, sizeof(bool));
	for (i = 0; i < current.n; i++)
		tip[current.items[i]] = true;
	for (i = 0; i < nrows; i++)
		if (!tip[rowlist.items[i]])
			add_problem(out, cap, MG_PROBLEM_REDUNDANT_VERSION, rows[i],
						mgi_printf(c, "Version row %s is an ancestor of another version row.",
								   rows[i]));
}

bool
mg_check_project(const MgRevisionInput *revs, int nrevs,
				 const char *const *rows, int nrows,
				 MgProblemList *out, MgError *err)
{
	Ctx			cx;
	Ctx		   *c = &cx;
	Names		nm;
	int			cap = 0;
	bool		resolved = true;
	bool		is_id;
	int			i,
				j;

	mgi_ctx_init(c, NULL, err);
	out->items = NULL;
	out->n = 0;
	if (!check_input(c, revs, nrevs, rows, nrows))
	{
		mgi_ctx_end(c);
		return false;
	}
	names_build(c, &nm, revs, nrevs);
	for (i = 0; i < nrevs; i++)
	{
		for (j = 0; j < revs[i].ndown; j++)
			if (names_find(&nm, revs[i].down[j], &is_id) < 0 || !is_id)
			{
				add_problem(out, &cap, MG_PROBLEM_MISSING_PARENT,
							revs[i].id,
							mgi_printf(c, "down_revision names %s, which is not registered.",
									   revs[i].down[j]));
				resolved = false;
			}
		for (j = 0; j < revs[i].ndepends; j++)
			if (names_find(&nm, revs[i].depends[j], &is_id) < 0)
			{
				add_problem(out, &cap, MG_PROBLEM_MISSING_DEPENDENCY,
							revs[i].id,
							mgi_printf(c, "depends_on names %s, which is neither a registered revision nor a branch label.",
									   revs[i].depends[j]));
				resolved = false;
			}
	}
	for (i = 0; i < nrows; i++)
		if (names_find(&nm, rows[i], &is_id) < 0 || !is_id)
		{
			add_problem(out, &cap, MG_PROBLEM_UNKNOWN_VERSION, rows[i],
						mgi_printf(c, "migrate.version records %s as applied, but it is not a registered revision.",
								   rows[i]));
			resolved = false;
		}
	if (resolved && nrevs > 0)
		graph_problems(c, out, &cap, revs, nrevs, rows, nrows);

	if (out->items == NULL)
		out->items = mg_alloc(sizeof(MgProblem));
	mgi_ctx_end(c);
	return true;
}

/*
 * Revision r and the revisions it names through down_revision or
 * depends_on, as revision indexes: a label stands for the revision that
 * carries it (by that revision's id, as a name would); names that lead
 * nowhere are skipped.
 */
static void
named_revisions(const Names *nm, const MgRevisionInput *revs, int r,
				IntVec *out)
{
	int			list;

	out->n = 0;
	for (list = 0; list < 2; list++)
	{
		const char *const *names = list == 0 ? revs[r].down : revs[r].depends;
		int			nnames = list == 0 ? revs[r].ndown : revs[r].ndepends;
		int			j;

		for (j = 0; j < nnames; j++)
		{
			bool		is_id;
			int			k = names_find(nm, names[j], &is_id);

			if (k >= 0 && !is_id)
				k = names_find(nm, revs[nm->map.keyrev[k]].id, &is_id);
			if (k >= 0)
				iv_push(out, nm->map.keyrev[k]);
		}
	}
}

bool
mg_is_applied(const MgRevisionInput *revs, int nrevs,
			  const char *const *rows, int nrows, const char *id)
{
	Ctx			cx;
	Ctx		   *c = &cx;
	Names		nm;
	bool	   *seen;
	int		   *queue;
	int			head = 0,
				tail = 0;
	IntVec		up;
	bool		found = false;
	int			i;

	mgi_ctx_init(c, NULL, NULL);
	if (id == NULL || nrows == 0 || !check_input(c, revs, nrevs, rows, nrows))
	{
		mgi_ctx_end(c);
		return false;
	}
	names_build(c, &nm, revs, nrevs);
	seen = mgi_alloc(c, (size_t) nrevs, sizeof(bool));
	queue = mgi_alloc(c, (size_t) nrevs, sizeof(int));
	mgi_iv_init(c, &up);

	/* breadth first from the rows that name a revision */
	for (i = 0; i < nrows; i++)
	{
		bool		is_id;
		int			k = names_find(&nm, rows[i], &is_id);

		if (is_id && !seen[nm.map.keyrev[k]])
		{
			seen[nm.map.keyrev[k]] = true;
			queue[tail++] = nm.map.keyrev[k];
		}
	}
	while (head < tail && !found)
	{
		int			r = queue[head++];

		if (strcmp(revs[r].id, id) == 0)
			found = true;
		named_revisions(&nm, revs, r, &up);
		for (i = 0; i < up.n; i++)
			if (!seen[up.v[i]])
			{
				seen[up.v[i]] = true;
				queue[tail++] = up.v[i];
			}
	}
	mgi_ctx_end(c);
	return found;
}
