/*-------------------------------------------------------------------------
 *
 * build.c
 *	  Building and validating a revision graph: mg_graph_build.
 *
 * A build runs in phases, each of which may refuse the input with the
 * error Alembic would give (or a clean one where Alembic has none):
 *
 *	1. check_input		each revision on its own: well-formed, no self-loop,
 *						names that follow the grammar
 *	2. map_ids			the ids into the key map; duplicates refused
 *	3. map_labels		the branch labels into the key map; conflicts refused
 *	4. resolve_depends	depends_on names to revisions (an id or a label)
 *	5. resolve_parents	down_revision names to revisions (ids only)
 *	6. the derived adjacency: parents + dependencies, and children
 *	7. check_cycles		Alembic's check first (its wording), then one that
 *						also finds the loops Alembic's misses; gives the
 *						topological orders the later phases use
 *	8. normalized down revisions (derive.c), the reachability index
 *	   (reach.c), spread branch labels (derive.c)
 *	9. the listings (heads, bases, ...) and the keys in byte order
 *
 * The first problem found ends the build (rules §2.1).
 *
 * Implements rules §1 (the model: edges, children, heads, bases) and §2
 * (what building refuses) of doc/graph-rules.md.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/build.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "graph_int.h"

/* compact array offsets from per-revision counts */
static int *
offsets_from_counts(const int *cnt, int n)
{
	int		   *off = mg_alloc(sizeof(int) * (size_t) (n + 1));
	int			i;

	off[0] = 0;
	for (i = 0; i < n; i++)
		off[i + 1] = off[i] + cnt[i];
	return off;
}

/*
 * Is revision number i (from 0) well formed: an id, lists that are there
 * when they have entries, no null parent or dependency?  (A null label is
 * the name check's to report.)  Shared with check.c, which takes the same
 * input.
 */
bool
mgi_check_revision_input(Ctx *c, const MgRevisionInput *r, int i)
{
	int			j;

	if (r->id == NULL || r->ndown < 0 || r->ndepends < 0 ||
		r->nlabels < 0 || (r->ndown > 0 && r->down == NULL) ||
		(r->ndepends > 0 && r->depends == NULL) ||
		(r->nlabels > 0 && r->labels == NULL))
		return mgi_fail(c, MG_ERR_BAD_ID, NULL, NULL,
						"malformed input for revision number %d", i + 1);
	for (j = 0; j < r->ndown; j++)
		if (r->down[j] == NULL)
			return mgi_fail(c, MG_ERR_BAD_ID, NULL, NULL,
							"null down_revision entry in revision %s", r->id);
	for (j = 0; j < r->ndepends; j++)
		if (r->depends[j] == NULL)
			return mgi_fail(c, MG_ERR_BAD_ID, NULL, NULL,
							"null depends_on entry in revision %s", r->id);
	return true;
}

/*
 * Phase 1: what Alembic's Revision() checks, revision by revision, and
 * that the input is well formed.  Sums the list lengths into tot.
 */
static bool
check_input(Ctx *c, const MgRevisionInput *revs, int n, long long tot[3])
{
	int			i,
				j;

	tot[0] = tot[1] = tot[2] = 0;
	for (i = 0; i < n; i++)
	{
		const MgRevisionInput *r = &revs[i];

		if (!mgi_check_revision_input(c, r, i))
			return false;
		for (j = 0; j < r->ndown; j++)
			if (strcmp(r->down[j], r->id) == 0)
				return mgi_fail(c, MG_ERR_SELF_LOOP,
								"The revision names itself in its down_revision.", NULL,
								"Self-loop is detected in revisions (%s)", r->id);
		for (j = 0; j < r->ndepends; j++)
			if (strcmp(r->depends[j], r->id) == 0)
				return mgi_fail(c, MG_ERR_DEP_SELF_LOOP,
								"The revision names itself in its depends_on.", NULL,
								"Dependency self-loop is detected in revisions (%s)",
								r->id);
		if (!mg_check_name(r->id, "revision identifier", c->err))
			return false;
		for (j = 0; j < r->nlabels; j++)
			if (!mg_check_name(r->labels[j], "branch label", c->err))
				return false;
		tot[0] += r->ndown;
		tot[1] += r->ndepends;
		tot[2] += r->nlabels;
	}
	/* far beyond any real project; keeps every count and table size an int */
	if (tot[0] > (1 << 26) || tot[1] > (1 << 26) || tot[2] > (1 << 26) ||
		n > (1 << 26))
		return mgi_fail(c, MG_ERR_BAD_ID, NULL, NULL,
						"revision graph is too large");
	return true;
}

/* Phase 2: the ids, as the first keys of the map (rules §2.4) */
static bool
map_ids(Ctx *c, MgGraph *g, const MgRevisionInput *revs)
{
	int			i;

	g->ids = mg_alloc(sizeof(char *) * (size_t) (g->n ? g->n : 1));
	for (i = 0; i < g->n; i++)
	{
		size_t		len = strlen(revs[i].id);
		int			k;

		g->ids[i] = mg_alloc(len + 1);
		memcpy(g->ids[i], revs[i].id, len + 1);
		k = mgi_key_find_n(g, g->ids[i], len);
		if (k >= 0)
			return mgi_fail(c, MG_ERR_DUPLICATE_ID,
							mgi_printf(c, "Revisions number %d and %d of the registration order both use this id.",
									   k + 1, i + 1),
							"Give every revision its own id.",
							"Revision %s is present more than once", g->ids[i]);
		mgi_key_add(g, g->ids[i], len, i);
	}
	return true;
}

/* Phase 3: the branch labels, as further keys (rules §1.8, §2.6) */
static bool
map_labels(Ctx *c, MgGraph *g, const MgRevisionInput *revs, long long tot_lab,
		   int *cnt)
{
	int			n = g->n;
	int			i,
				j;

	for (i = 0; i < n; i++)
		cnt[i] = revs[i].nlabels;
	g->own_off = offsets_from_counts(cnt, n);
	g->own = mg_alloc(sizeof(char *) * (size_t) (tot_lab + 1));
	for (i = 0; i < n; i++)
		for (j = 0; j < revs[i].nlabels; j++)
		{
			const char *l = revs[i].labels[j];
			size_t		len = strlen(l);
			int			k = mgi_key_find_n(g, l, len);
			char	   *copy;

			if (k >= 0)
				return mgi_fail(c, MG_ERR_LABEL_CONFLICT,
								k < n ? "A branch label cannot be the id of a revision." :
								"A branch label can be carried by one revision only.",
								NULL,
								"Branch name '%s' in revision %s already used by revision %s",
								l, g->ids[i], g->ids[g->keyrev[k]]);
			copy = mg_alloc(len + 1);
			memcpy(copy, l, len + 1);
			g->own[g->own_off[i] + j] = copy;
			mgi_key_add(g, copy, len, i);
		}
	return true;
}

/*
 * Phase 4: depends_on, each name an id or a label looked up exactly, each
 * revision once (rules §1.3, §2.5).
 */
static bool
resolve_depends(Ctx *c, MgGraph *g, const MgRevisionInput *revs,
				long long tot_dep, int *cnt, Mark *mk)
{
	int			n = g->n;
	int		   *depres = mgi_alloc(c, (size_t) (tot_dep + 1), sizeof(int));
	int			k = 0;
	int			i,
				j;

	for (i = 0; i < n; i++)
	{
		mgi_mark_clear(mk);
		cnt[i] = 0;
		for (j = 0; j < revs[i].ndepends; j++)
		{
			const char *dn = revs[i].depends[j];
			int			kk = mgi_key_find(g, dn);
			int			r;

			if (kk < 0)
				return mgi_fail(c, MG_ERR_MISSING_PARENT,
								mgi_printf(c, "Revision %s names %s in its depends_on, but no revision or branch label of that name is registered.",
										   g->ids[i], dn),
								NULL,
								"Revision %s referenced from %s is not present",
								dn, g->ids[i]);
			r = g->keyrev[kk];
			if (r == i)
				return mgi_fail(c, MG_ERR_DEP_SELF_LOOP,
								mgi_printf(c, "Revision %s depends on its own branch label %s.",
										   g->ids[i], dn),
								NULL,
								"Dependency self-loop is detected in revisions (%s)",
								g->ids[i]);
			if (!mark_has(mk, r))
			{
				mark_set(mk, r);
				depres[k++] = r;
				cnt[i]++;
			}
		}
	}
	g->dep_off = offsets_from_counts(cnt, n);
	g->dep = mg_alloc(sizeof(int) * (size_t) (g->dep_off[n] + 1));
	memcpy(g->dep, depres, sizeof(int) * (size_t) g->dep_off[n]);
	g->ndep_raw = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
		g->ndep_raw[i] = revs[i].ndepends;
	return true;
}

/*
 * Phase 5: down_revision, each name a registered id (not a label), each
 * parent once (rules §1.3, §2.5).
 */
static bool
resolve_parents(Ctx *c, MgGraph *g, const MgRevisionInput *revs, int *cnt,
				Mark *mk)
{
	int			n = g->n;
	int			i,
				j;

	for (i = 0; i < n; i++)
		cnt[i] = revs[i].ndown;
	g->par_off = offsets_from_counts(cnt, n);
	g->par = mg_alloc(sizeof(int) * (size_t) (g->par_off[n] + 1));
	for (i = 0; i < n; i++)
	{
		mgi_mark_clear(mk);
		for (j = 0; j < revs[i].ndown; j++)
		{
			const char *pn = revs[i].down[j];
			int			kk = mgi_key_find(g, pn);

			if (kk < 0 || kk >= n)
				return mgi_fail(c, MG_ERR_MISSING_PARENT,
								kk < 0 ?
								mgi_printf(c, "Revision %s names %s in its down_revision, but no revision of that id is registered.",
										   g->ids[i], pn) :
								mgi_printf(c, "Revision %s names the branch label %s in its down_revision, which must name revision ids.",
										   g->ids[i], pn),
								NULL,
								"Revision %s referenced from %s is not present",
								pn, g->ids[i]);
			if (mark_has(mk, kk))
				return mgi_fail(c, MG_ERR_DUPLICATE_ID, NULL, NULL,
								"Revision %s lists %s more than once in down_revision",
								g->ids[i], pn);
			mark_set(mk, kk);
			g->par[g->par_off[i] + j] = kk;
		}
	}
	return true;
}

/*
 * The parents of revision i followed by its dependencies that are not
 * parents (only those keep[] allows, when given), into out when out is
 * not NULL; returns how many.  The dependencies hold no duplicates.
 */
static int
merged_edges(const MgGraph *g, int i, const bool *keep, Mark *mk, int *out)
{
	int			w = 0;
	int			j;

	mgi_mark_clear(mk);
	for (j = g->par_off[i]; j < g->par_off[i + 1]; j++)
	{
		mark_set(mk, g->par[j]);
		if (out)
			out[w] = g->par[j];
		w++;
	}
	for (j = g->dep_off[i]; j < g->dep_off[i + 1]; j++)
		if ((keep == NULL || keep[j]) && !mark_has(mk, g->dep[j]))
		{
			if (out)
				out[w] = g->dep[j];
			w++;
		}
	return w;
}

/*
 * An adjacency of parents and dependencies: all resolved dependencies
 * (keep NULL: the raw edges), or those normalization keeps (rules §1.3).
 */
static void
merge_adjacency(MgGraph *g, const bool *keep, Mark *mk, int *cnt,
				int **off, int **arr)
{
	int			n = g->n;
	int			i;

	for (i = 0; i < n; i++)
		cnt[i] = merged_edges(g, i, keep, mk, NULL);
	*off = offsets_from_counts(cnt, n);
	*arr = mg_alloc(sizeof(int) * (size_t) ((*off)[n] + 1));
	for (i = 0; i < n; i++)
		merged_edges(g, i, keep, mk, *arr + (*off)[i]);
}

/* the reverse of an adjacency: children, in registration order (rules §1.4) */
static void
invert_adjacency(int n, const int *off, const int *arr, int *cnt,
				 int **coff, int **carr)
{
	int			i,
				j;

	memset(cnt, 0, sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < off[n]; i++)
		cnt[arr[i]]++;
	*coff = offsets_from_counts(cnt, n);
	*carr = mg_alloc(sizeof(int) * (size_t) (off[n] + 1));
	memset(cnt, 0, sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
		for (j = off[i]; j < off[i + 1]; j++)
		{
			int			p = arr[j];

			(*carr)[(*coff)[p] + cnt[p]++] = i;
		}
}

/*
 * Alembic's _detect_cycles, for one kind of edge: a revision is in (or
 * behind) a cycle when it cannot be reached both down from a head and up
 * from a base (rules §2.7).
 */
static bool
detect_cycles(Ctx *c, bool deps)
{
	const MgGraph *g = c->g;
	int			n = g->n;
	IntVec		hs,
				bs;
	Mark	   *down,
			   *up;
	IntVec		bad;
	int			i;
	MgErrorCode code = deps ? MG_ERR_DEP_CYCLE : MG_ERR_CYCLE;
	const char *kind = deps ? "Dependency cycle" : "Cycle";

	if (n == 0)
		return true;
	mgi_iv_init(c, &hs);
	mgi_iv_init(c, &bs);
	mgi_iv_init(c, &bad);
	for (i = 0; i < n; i++)
	{
		if (deps ? g->ach_off[i + 1] == g->ach_off[i]
			: g->vch_off[i + 1] == g->vch_off[i])
			iv_push(&hs, i);
		if (g->par_off[i + 1] == g->par_off[i] &&
			(!deps || g->ndep_raw[i] == 0))
			iv_push(&bs, i);
	}
	if (hs.n == 0 || bs.n == 0)
	{
		/* nothing to start from: Alembic names every revision, map order */
		for (i = 0; i < n; i++)
			iv_push(&bad, i);
		return mgi_fail(c, code, "There is no head or no base to start from.",
						NULL, "%s is detected in revisions (%s)", kind,
						mgi_join_ids(c, bad.v, bad.n, false));
	}
	down = mgi_mark_new(c);
	up = mgi_mark_new(c);
	mgi_closure(c, deps ? ANC_RAW : ANC_V, hs.v, hs.n, down, NULL);
	mgi_closure(c, deps ? DESC_ALL : DESC_V, bs.v, bs.n, up, NULL);
	for (i = 0; i < n; i++)
		if (!mark_has(down, i) || !mark_has(up, i))
			iv_push(&bad, i);
	if (bad.n > 0)
		return mgi_fail(c, code, NULL, NULL, "%s is detected in revisions (%s)",
						kind, mgi_join_sorted_ids(c, bad.v, bad.n));
	return true;
}

/*
 * Kahn's algorithm over the chosen parent edges.  Fills pos[] (parents
 * first) and returns false with a cycle error for what is left over, which
 * catches the loops Alembic's own check misses (a loop that is reachable
 * from both a head and a base).
 */
static bool
topo_order(Ctx *c, bool deps, int *pos)
{
	const MgGraph *g = c->g;
	int			n = g->n;
	int		   *indeg = mgi_alloc(c, (size_t) n, sizeof(int));
	int		   *queue = mgi_alloc(c, (size_t) n, sizeof(int));
	int			qh = 0,
				qt = 0;
	int			i;
	Dir			down = deps ? ANC_RAW : ANC_V;
	Dir			up = deps ? DESC_ALL : DESC_V;

	for (i = 0; i < n; i++)
	{
		const int  *e;
		int			ne;

		edges(g, down, i, &e, &ne);
		indeg[i] = ne;
		if (ne == 0)
			queue[qt++] = i;
	}
	while (qh < qt)
	{
		int			v = queue[qh];
		const int  *e;
		int			ne;
		int			j;

		pos[v] = qh++;
		edges(g, up, v, &e, &ne);
		for (j = 0; j < ne; j++)
			if (--indeg[e[j]] == 0)
				queue[qt++] = e[j];
	}
	if (qt < n)
	{
		IntVec		left;

		mgi_iv_init(c, &left);
		for (i = 0; i < n; i++)
			if (indeg[i] > 0)
				iv_push(&left, i);
		return mgi_fail(c, deps ? MG_ERR_DEP_CYCLE : MG_ERR_CYCLE,
						"These revisions are on a loop of down revisions or dependencies, or above one.",
						NULL, "%s is detected in revisions (%s)",
						deps ? "Dependency cycle" : "Cycle",
						mgi_join_sorted_ids(c, left.v, left.n));
	}
	return true;
}

/*
 * Phase 7: cycles, through down_revision and then through any edge.  On
 * success topo_v is a topological order through down_revision and g->topo
 * one through any edge (ancestors first).
 */
static bool
check_cycles(Ctx *c, MgGraph *g, int *topo_v)
{
	if (!detect_cycles(c, false) || !detect_cycles(c, true))
		return false;
	g->topo = mg_alloc(sizeof(int) * (size_t) (g->n ? g->n : 1));
	return topo_order(c, false, topo_v) && topo_order(c, true, g->topo);
}

/* the listings a graph keeps (rules §1.5, §1.6) */
typedef enum Listing
{
	LIST_HEADS,					/* no down_revision child */
	LIST_REAL_HEADS,			/* no child of any kind */
	LIST_BASES,					/* no down_revision */
	LIST_REAL_BASES,			/* no down_revision, no depends_on */
	LIST_BRANCH_POINTS			/* several down_revision children */
} Listing;

static bool
in_listing(const MgGraph *g, Listing which, int i)
{
	switch (which)
	{
		case LIST_HEADS:
			return g->vch_off[i + 1] == g->vch_off[i];
		case LIST_REAL_HEADS:
			return g->ach_off[i + 1] == g->ach_off[i];
		case LIST_BASES:
			return g->par_off[i + 1] == g->par_off[i];
		case LIST_REAL_BASES:
			return g->par_off[i + 1] == g->par_off[i] && g->ndep_raw[i] == 0;
		case LIST_BRANCH_POINTS:
			return g->vch_off[i + 1] - g->vch_off[i] > 1;
	}
	return false;
}

/* one listing, in registration order */
static void
make_listing(Ctx *c, Listing which, MgRevList *dst)
{
	const MgGraph *g = c->g;
	IntVec		lst;
	int			i;

	mgi_iv_init(c, &lst);
	for (i = 0; i < g->n; i++)
		if (in_listing(g, which, i))
			iv_push(&lst, i);
	mgi_to_revlist(&lst, dst);
}

MgGraph *
mg_graph_build(const MgRevisionInput *revs, int nrevs, MgError *err)
{
	Ctx			cx;
	Ctx		   *c = &cx;
	MgGraph    *g;
	long long	tot[3];			/* down_revision, depends_on, labels */
	int			n;
	int		   *cnt;
	int		   *topo_v;
	bool	   *keep;
	Mark	   *mk;

	g = mg_alloc(sizeof(MgGraph));
	mgi_ctx_init(c, g, err);
	if (nrevs < 0 || (nrevs > 0 && revs == NULL))
	{
		mgi_fail(c, MG_ERR_BAD_ID, NULL, NULL, "invalid revision array");
		goto bad;
	}
	n = g->n = nrevs;
	if (!check_input(c, revs, n, tot))
		goto bad;

	mgi_keys_init(NULL, g, n + tot[2]);
	cnt = mgi_alloc(c, (size_t) n, sizeof(int));
	mk = mgi_mark_new(c);
	if (!map_ids(c, g, revs) ||
		!map_labels(c, g, revs, tot[2], cnt) ||
		!resolve_depends(c, g, revs, tot[1], cnt, mk) ||
		!resolve_parents(c, g, revs, cnt, mk))
		goto bad;

	/* phase 6: parents + dependencies, and the two kinds of children */
	merge_adjacency(g, NULL, mk, cnt, &g->raw_off, &g->raw);
	invert_adjacency(n, g->par_off, g->par, cnt, &g->vch_off, &g->vch);
	invert_adjacency(n, g->raw_off, g->raw, cnt, &g->ach_off, &g->ach);

	topo_v = mgi_alloc(c, (size_t) n, sizeof(int));
	if (!check_cycles(c, g, topo_v))
		goto bad;

	/* phase 8: normalized down revisions, then what is derived from them */
	keep = mgi_alloc(c, (size_t) (g->dep_off[n] + 1), sizeof(bool));
	mgi_normalize_deps(c, topo_v, keep);
	merge_adjacency(g, keep, mk, cnt, &g->np_off, &g->np);
	mgi_build_reach_index(c);
	mgi_spread_labels(c, topo_v);

	/* phase 9 */
	make_listing(c, LIST_HEADS, &g->heads);
	make_listing(c, LIST_REAL_HEADS, &g->real_heads);
	make_listing(c, LIST_BASES, &g->bases);
	make_listing(c, LIST_REAL_BASES, &g->real_bases);
	make_listing(c, LIST_BRANCH_POINTS, &g->branch_points);
	mgi_keys_sort(c, g);

	mgi_ctx_end(c);
	return g;

bad:
	mgi_ctx_end(c);
	return NULL;
}
