/*-------------------------------------------------------------------------
 *
 * prop.c
 *	  Property tests for the graph module on random revision graphs.
 *
 * For each seeded random graph (branches, merges, several bases, shuffled
 * registration order, depends_on by id and by label, labels) a random
 * sequence of upgrades, downgrades, stamps and history calls is run, and
 * every result is checked against properties that must hold whatever
 * Alembic's details:
 *
 *	- a plan runs each revision at most once; upgrade runs exactly the
 *	  target's ancestors (dependencies included) that are not applied,
 *	  parents and dependencies before children; downgrade runs exactly
 *	  what descends from the revisions above the target and is applied,
 *	  children before parents;
 *	- the order equals the one a straightforward re-implementation of
 *	  Alembic's _topological_sort gives (full ancestor sets, quadratic),
 *	  for upgrades, downgrades and history ranges;
 *	- every DELETE/UPDATE hits exactly one existing row, every INSERT a new
 *	  one, rows_after is what the operations leave, the rows never hold a
 *	  revision and its ancestor, and the applied set (rows and their
 *	  ancestors) grows or shrinks by exactly the revisions run;
 *	- upgrade to the heads then downgrade to base empties the rows, and
 *	  upgrade X from a single row T then downgrade T restores it;
 *	- after every command, mg_is_applied answers "a row or an ancestor of
 *	  one" for every revision, and mg_check_project reports exactly a row
 *	  that names nothing and the rows below another row.
 *
 *	  usage: mg_prop [graphs] [seed]
 *	  Each graph counts as one check; the last line is
 *	  "prop: N passed, M failed".
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/graph/graph.h"
#include "gen.h"
#include "shim.h"

#define MAXN 64

typedef struct Ref
{
	const MgGraph *g;
	int			n;
	int			np[MAXN][MAXN]; /* normalized down revisions */
	int			nnp[MAXN];
	bool		anc[MAXN][MAXN];	/* anc[x][y]: y ancestor-or-self of x */
	bool		vanc[MAXN][MAXN];	/* the same through down_revision only */
} Ref;

static int	graph_failures;
static bool planned;			/* did the last check get a plan? */
static int	nplans,
			nerrors,
			nrestores,
			nhistories;
static char fail_note[2048];

#define PROP(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			snprintf(fail_note, sizeof(fail_note), __VA_ARGS__); \
			return false; \
		} \
	} while (0)

/* the normalization of rules §1.3, written out directly */
static void
ref_build(Ref *r, const MgGraph *g)
{
	int			n = mg_graph_size(g);
	int			i,
				j,
				k;
	bool		changed = true;

	memset(r, 0, sizeof(*r));
	r->g = g;
	r->n = n;
	for (i = 0; i < n; i++)
	{
		MgRevList	p = mg_parents(g, i);

		r->vanc[i][i] = true;
		for (j = 0; j < p.n; j++)
			r->vanc[i][p.items[j]] = true;
	}
	/* transitive closure (n is small) */
	while (changed)
	{
		changed = false;
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				if (r->vanc[i][j])
					for (k = 0; k < n; k++)
						if (r->vanc[j][k] && !r->vanc[i][k])
							r->vanc[i][k] = changed = true;
	}
	for (i = 0; i < n; i++)
	{
		MgRevList	p = mg_parents(g, i);
		MgRevList	d = mg_dependencies(g, i);

		for (j = 0; j < p.n; j++)
			r->np[i][r->nnp[i]++] = p.items[j];
		for (j = 0; j < d.n; j++)
		{
			int			dep = d.items[j];
			bool		drop = false;
			int			a;

			/* declared by a strict versioned ancestor? */
			for (a = 0; a < n && !drop; a++)
			{
				MgRevList	ad;

				if (a == i || !r->vanc[i][a])
					continue;
				ad = mg_dependencies(g, a);
				for (k = 0; k < ad.n; k++)
					if (ad.items[k] == dep)
						drop = true;
			}
			for (k = 0; k < r->nnp[i]; k++)
				if (r->np[i][k] == dep)
					drop = true;
			if (!drop)
				r->np[i][r->nnp[i]++] = dep;
		}
	}
	for (i = 0; i < n; i++)
	{
		r->anc[i][i] = true;
		for (j = 0; j < r->nnp[i]; j++)
			r->anc[i][r->np[i][j]] = true;
	}
	changed = true;
	while (changed)
	{
		changed = false;
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				if (r->anc[i][j])
					for (k = 0; k < n; k++)
						if (r->anc[j][k] && !r->anc[i][k])
							r->anc[i][k] = changed = true;
	}
}

/*
 * Alembic's _topological_sort as rules §6.2 describes it: a list of
 * heads with their full ancestor sets, scanned for every candidate.
 */
static int
ref_sort(const Ref *r, const bool *todo_in, const int *heads, int nheads,
		 int *out)
{
	bool		todo[MAXN];
	int			cur[MAXN * MAXN];
	int			ncur = 0,
				idx = 0,
				nout = 0;
	int			i,
				j;

	memcpy(todo, todo_in, sizeof(todo));
	for (i = 0; i < r->n; i++)
		for (j = 0; j < nheads; j++)
			if (heads[j] == i && todo[i])
			{
				cur[ncur++] = i;
				break;
			}
	while (ncur > 0)
	{
		int			cand = cur[idx];
		bool		moved = false;
		int			add[MAXN],
					nadd = 0;

		for (j = 0; j < ncur; j++)
			if (j != idx && r->anc[cur[j]][cand])
			{
				idx = j;
				moved = true;
				break;
			}
		if (moved)
			continue;
		if (todo[cand])
		{
			out[nout++] = cand;
			todo[cand] = false;
		}
		for (j = 0; j < r->nnp[cand]; j++)
		{
			int			p = r->np[cand][j];
			bool		in = false;
			int			k;

			for (k = 0; k < ncur; k++)
				if (cur[k] == p)
					in = true;
			if (todo[p] && !in)
				add[nadd++] = p;
		}
		if (nadd == 0)
		{
			memmove(&cur[idx], &cur[idx + 1], sizeof(int) * (size_t) (ncur - idx - 1));
			ncur--;
			idx = idx > 0 ? idx - 1 : 0;
		}
		else
		{
			cur[idx] = add[0];
			for (j = 1; j < nadd; j++)
				cur[ncur++] = add[j];
		}
	}
	return nout;
}

/* applied set of some rows: the rows and all their ancestors */
static void
applied_set(const Ref *r, const int *rows, int nrows, bool *out)
{
	int			i,
				j;

	memset(out, 0, sizeof(bool) * MAXN);
	for (i = 0; i < nrows; i++)
		for (j = 0; j < r->n; j++)
			if (r->anc[rows[i]][j])
				out[j] = true;
}

/* apply a plan's row operations to rows; checks each hits correctly */
static bool
check_ops(const Ref *r, const MgPlan *p, const int *rows, int nrows,
		  int *after, int *nafter)
{
	bool		in[MAXN];
	int			i,
				j,
				n = 0;

	memset(in, 0, sizeof(in));
	for (i = 0; i < nrows; i++)
		in[rows[i]] = true;
	for (i = 0; i < p->nsteps; i++)
		for (j = 0; j < p->steps[i].nops; j++)
		{
			const MgRowOp *op = &p->steps[i].ops[j];

			if (op->kind == MG_ROW_INSERT)
			{
				PROP(op->to >= 0 && !in[op->to], "INSERT of an existing row");
				in[op->to] = true;
			}
			else if (op->kind == MG_ROW_DELETE)
			{
				PROP(op->from >= 0 && in[op->from], "DELETE of a missing row");
				in[op->from] = false;
			}
			else
			{
				PROP(op->from >= 0 && in[op->from] && op->to >= 0 && !in[op->to],
					 "UPDATE that does not fit");
				in[op->from] = false;
				in[op->to] = true;
			}
		}
	for (i = 0; i < r->n; i++)
		if (in[i])
			after[n++] = i;
	*nafter = n;
	PROP(p->rows_after.n == n, "rows_after has %d rows, the operations leave %d",
		 p->rows_after.n, n);
	for (i = 0; i < p->rows_after.n; i++)
		PROP(p->rows_after.items[i] >= 0 && in[p->rows_after.items[i]],
			 "rows_after disagrees with the operations");
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			PROP(i == j || !r->anc[after[j]][after[i]],
				 "rows hold %s and its descendant %s",
				 mg_rev_id(r->g, after[i]), mg_rev_id(r->g, after[j]));
	return true;
}

/*
 * The checks that need no built graph, on a valid graph and its rows:
 * mg_is_applied is exactly "a row or an ancestor of one"; mg_check_project
 * finds nothing but rows that name nothing (a row "ghost" is added) and
 * redundant rows (one is added below a row when there is one), and these
 * exactly where verify() would find them: a row is redundant when it is
 * not among the tips of the applied set (rules §10.1, §12).
 */
static bool
check_raw(const Ref *r, const GenGraph *gg, const int *rows, int nrows,
		  int extra)
{
	const char *names[MAXN + 2];
	int			rv[MAXN + 1];
	int			n = 0;
	bool		app[MAXN];
	MgProblemList pl;
	MgError		err;
	int			nredundant = 0,
				i,
				j;

	for (i = 0; i < nrows; i++)
		rv[n++] = rows[i];
	/* a strict ancestor of some row, through down_revision, as one more row */
	if (nrows > 0 && extra >= 0 && extra != rows[0] && r->vanc[rows[0]][extra])
		rv[n++] = extra;
	for (i = 0; i < n; i++)
		names[i] = mg_rev_id(r->g, rv[i]);
	names[n] = "ghost";
	applied_set(r, rv, n, app);
	for (i = 0; i < r->n; i++)
		PROP(mg_is_applied(gg->in, gg->n, names, n + 1, mg_rev_id(r->g, i)) == app[i],
			 "mg_is_applied(%s) is %d", mg_rev_id(r->g, i), !app[i]);
	PROP(mg_check_project(gg->in, gg->n, names, n + 1, &pl, &err),
		 "mg_check_project: %s", err.message);
	PROP(pl.n == 1 && pl.items[0].kind == MG_PROBLEM_UNKNOWN_VERSION &&
		 strcmp(pl.items[0].revision, "ghost") == 0,
		 "a ghost row: %d problems, the first %s", pl.n,
		 pl.n ? mg_problem_name(pl.items[0].kind) : "-");
	PROP(mg_check_project(gg->in, gg->n, names, n, &pl, &err),
		 "mg_check_project: %s", err.message);
	for (i = 0; i < n; i++)
	{
		bool		tip = true;

		/* a tip has no child through down_revision in the applied set */
		for (j = 0; j < r->n; j++)
			if (j != rv[i] && app[j] && r->vanc[j][rv[i]])
			{
				MgRevList	p = mg_parents(r->g, j);
				int			k;

				for (k = 0; k < p.n; k++)
					if (p.items[k] == rv[i])
						tip = false;
			}
		if (!tip)
		{
			PROP(nredundant < pl.n &&
				 pl.items[nredundant].kind == MG_PROBLEM_REDUNDANT_VERSION &&
				 strcmp(pl.items[nredundant].revision, names[i]) == 0,
				 "row %s should be reported redundant", names[i]);
			nredundant++;
		}
	}
	PROP(pl.n == nredundant, "%d problems, %d redundant rows", pl.n, nredundant);
	return true;
}

static bool
check_upgrade(const Ref *r, const char *target, const int *targets,
			  int ntargets, int *rows, int *nrows)
{
	MgPlan		p;
	MgError		err;
	MgRevList	rl = {rows, *nrows};
	bool		before[MAXN],
				need[MAXN],
				seen[MAXN],
				after_set[MAXN];
	int			order[MAXN],
				norder,
				after[MAXN],
				nafter;
	int			i,
				j,
				k;

	planned = false;
	if (!mg_plan_upgrade(r->g, target, &rl, &p, &err))
	{
		PROP(err.message != NULL && strstr(err.message, "internal") == NULL,
			 "upgrade %s: %s", target, err.message);
		nerrors++;
		return true;
	}
	planned = true;
	nplans++;
	applied_set(r, rows, *nrows, before);
	memset(need, 0, sizeof(need));
	for (i = 0; i < ntargets; i++)
		for (j = 0; j < r->n; j++)
			if (r->anc[targets[i]][j] && !before[j])
				need[j] = true;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < p.nsteps; i++)
	{
		int			v = p.steps[i].rev;

		PROP(p.steps[i].kind == MG_STEP_UPGRADE, "upgrade step kind");
		PROP(v >= 0 && v < r->n && !seen[v], "revision run twice");
		PROP(need[v], "upgrade %s runs %s, which is not needed", target,
			 mg_rev_id(r->g, v));
		for (k = 0; k < r->nnp[v]; k++)
			PROP(before[r->np[v][k]] || seen[r->np[v][k]],
				 "upgrade runs %s before its down revision %s",
				 mg_rev_id(r->g, v), mg_rev_id(r->g, r->np[v][k]));
		seen[v] = true;
	}
	for (i = 0; i < r->n; i++)
		PROP(!need[i] || seen[i], "upgrade %s skips %s", target,
			 mg_rev_id(r->g, i));
	norder = ref_sort(r, need, targets, ntargets, order);
	PROP(norder == p.nsteps, "reference sort size");
	for (i = 0; i < norder; i++)
		PROP(order[norder - 1 - i] == p.steps[i].rev,
			 "upgrade %s: step %d is %s, the reference order has %s", target,
			 i, mg_rev_id(r->g, p.steps[i].rev),
			 mg_rev_id(r->g, order[norder - 1 - i]));
	if (!check_ops(r, &p, rows, *nrows, after, &nafter))
		return false;
	applied_set(r, after, nafter, after_set);
	for (i = 0; i < r->n; i++)
		PROP(after_set[i] == (before[i] || seen[i]),
			 "applied set after upgrade is not before + run");
	memcpy(rows, after, sizeof(int) * (size_t) nafter);
	*nrows = nafter;
	return true;
}

static bool
check_downgrade(const Ref *r, const char *target, int trev, bool tbase,
				int *rows, int *nrows)
{
	MgPlan		p;
	MgError		err;
	MgRevList	rl = {rows, *nrows};
	bool		before[MAXN],
				drop[MAXN],
				seen[MAXN],
				after_set[MAXN];
	int			order[MAXN],
				norder,
				after[MAXN],
				nafter;
	int			i,
				j,
				k;

	planned = false;
	if (!mg_plan_downgrade(r->g, target, &rl, &p, &err))
	{
		PROP(err.message != NULL && strstr(err.message, "internal") == NULL,
			 "downgrade %s: %s", target, err.message);
		nerrors++;
		return true;
	}
	planned = true;
	nplans++;
	applied_set(r, rows, *nrows, before);
	memset(drop, 0, sizeof(drop));
	if (tbase || trev >= 0)
	{
		/* roots: bases, or the target's children; drop their descendants */
		for (i = 0; i < r->n; i++)
		{
			bool		root;

			if (tbase)
				root = mg_parents(r->g, i).n == 0;
			else
			{
				MgRevList	pp = mg_parents(r->g, i);

				root = false;
				for (k = 0; k < pp.n; k++)
					if (pp.items[k] == trev)
						root = true;
			}
			if (!root)
				continue;
			for (j = 0; j < r->n; j++)
				if (r->anc[j][i] && before[j])
					drop[j] = true;
		}
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < p.nsteps; i++)
	{
		int			v = p.steps[i].rev;

		PROP(p.steps[i].kind == MG_STEP_DOWNGRADE, "downgrade step kind");
		PROP(v >= 0 && v < r->n && !seen[v] && before[v], "bad downgrade step");
		for (j = 0; j < r->n; j++)
			PROP(j == v || !r->anc[j][v] || !before[j] || seen[j],
				 "downgrade runs %s before its applied descendant %s",
				 mg_rev_id(r->g, v), mg_rev_id(r->g, j));
		if (trev >= 0 || tbase)
			PROP(drop[v], "downgrade %s runs %s", target, mg_rev_id(r->g, v));
		seen[v] = true;
	}
	if (trev >= 0 || tbase)
	{
		for (i = 0; i < r->n; i++)
			PROP(!drop[i] || seen[i], "downgrade %s skips %s", target,
				 mg_rev_id(r->g, i));
		norder = ref_sort(r, drop, rows, *nrows, order);
		PROP(norder == p.nsteps, "reference sort size");
		for (i = 0; i < norder; i++)
			PROP(order[i] == p.steps[i].rev,
				 "downgrade %s: step %d is %s, the reference order has %s",
				 target, i, mg_rev_id(r->g, p.steps[i].rev),
				 mg_rev_id(r->g, order[i]));
	}
	if (!check_ops(r, &p, rows, *nrows, after, &nafter))
		return false;
	applied_set(r, after, nafter, after_set);
	for (i = 0; i < r->n; i++)
		PROP(after_set[i] == (before[i] && !seen[i]),
			 "applied set after downgrade is not before - run (%s)",
			 mg_rev_id(r->g, i));
	memcpy(rows, after, sizeof(int) * (size_t) nafter);
	*nrows = nafter;
	return true;
}

static bool
check_history(const Ref *r, int a, int b)
{
	char		range[64];
	MgRevList	out;
	MgError		err;
	bool		todo[MAXN];
	int			order[MAXN],
				norder,
				i;

	snprintf(range, sizeof(range), "%s:%s", a >= 0 ? mg_rev_id(r->g, a) : "",
			 mg_rev_id(r->g, b));
	if (!mg_history(r->g, range, NULL, &out, &err))
	{
		PROP(a >= 0 && !r->anc[b][a] ?
			 err.code == MG_ERR_NOT_VALID_TARGET || err.code == MG_ERR_UNSUPPORTED :
			 err.code == MG_ERR_UNSUPPORTED,
			 "history %s: %s", range, err.message);
		return true;
	}
	/* (anc(B) - anc(A)) + A, limited to A's versioned descendants */
	for (i = 0; i < r->n; i++)
		todo[i] = r->anc[b][i] &&
			(a < 0 || ((!r->anc[a][i] || i == a) && r->vanc[i][a]));
	nhistories++;
	norder = ref_sort(r, todo, &b, 1, order);
	PROP(norder == out.n, "history %s: %d revisions, reference %d", range,
		 out.n, norder);
	for (i = 0; i < norder; i++)
		PROP(order[i] == out.items[i], "history %s: position %d differs",
			 range, i);
	return true;
}

/* Twelve random commands on the graph, each checked against the reference. */
static bool
random_commands(Rng *rng, Ref *r, MgGraph *g, GenGraph *gg, int n,
				int *rows, int *nrows)
{
	bool		ok = true;

	for (int step = 0; step < 12 && ok; step++)
	{
		int			x = rng_int(rng, n);
		int			kind = rng_int(rng, 6);

		if (kind <= 1)
			ok = check_upgrade(r, mg_rev_id(g, x), &x, 1, rows, nrows);
		else if (kind == 2)
		{
			MgRevList	h = mg_heads(g, true);

			ok = check_upgrade(r, "heads", h.items, h.n, rows, nrows);
		}
		else if (kind == 3)
			ok = check_downgrade(r, mg_rev_id(g, x), x, false, rows, nrows);
		else if (kind == 4)
		{
			const char *t[] = {"base", "-1", "+1"};
			int			w = rng_int(rng, 3);

			ok = check_downgrade(r, t[w], -1, w == 0, rows, nrows);
		}
		else
		{
			int			a = rng_int(rng, n + 1) - 1;

			ok = check_history(r, a, x);
		}
		if (ok)
			ok = check_raw(r, gg, rows, *nrows, (x + step) % n);
	}
	return ok;
}

/*
 * Whether everything X needs beyond T descends from a versioned child of
 * T: downgrade T then drops exactly those (rules §7.2).
 */
static bool
beyond_is_below_child(Ref *r, MgGraph *g, int n, int t, int x)
{
	for (int i = 0; i < n; i++)
	{
		bool		below_child = false;

		if (!r->anc[x][i] || r->anc[t][i])
			continue;
		for (int c = 0; c < n; c++)
			if (c != t && r->vanc[c][t] && r->anc[i][c])
			{
				MgRevList	pp = mg_parents(g, c);

				for (int k = 0; k < pp.n; k++)
					if (pp.items[k] == t)
						below_child = true;
			}
		if (!below_child)
			return false;
	}
	return true;
}

/* upgrade X from a single row T, then downgrade T: back to T */
static bool
check_restore(Rng *rng, Ref *r, MgGraph *g, int n)
{
	int			t = rng_int(rng, n),
				x = rng_int(rng, n);
	int			one[MAXN],
				none = 0;
	bool		ok;

	if (!r->anc[x][t] || x == t || !beyond_is_below_child(r, g, n, t, x))
		return true;
	ok = check_upgrade(r, mg_rev_id(g, t), &t, 1, one, &none);
	if (!ok || none != 1 || one[0] != t)
		return ok;
	ok = check_upgrade(r, mg_rev_id(g, x), &x, 1, one, &none) &&
		check_downgrade(r, mg_rev_id(g, t), t, false, one, &none);
	nrestores++;
	if (ok && !(none == 1 && one[0] == t))
	{
		snprintf(fail_note, sizeof(fail_note),
				 "upgrade %s then downgrade %s does not restore the row",
				 mg_rev_id(g, x), mg_rev_id(g, t));
		ok = false;
	}
	return ok;
}

/* upgrade heads, then downgrade base: nothing left */
static bool
check_heads_then_base(Ref *r, MgGraph *g, int n, int *rows, int *nrows)
{
	MgRevList	h = mg_heads(g, true);
	bool		ok = check_upgrade(r, "heads", h.items, h.n, rows, nrows);

	if (ok && planned)
	{
		bool		app[MAXN];

		/* every revision is below some real head */
		applied_set(r, rows, *nrows, app);
		for (int i = 0; i < n && ok; i++)
			if (!app[i])
			{
				snprintf(fail_note, sizeof(fail_note),
						 "upgrade heads leaves %s unapplied", mg_rev_id(g, i));
				ok = false;
			}
	}
	if (ok)
	{
		ok = check_downgrade(r, "base", -1, true, rows, nrows);
		if (ok && planned && *nrows != 0)
		{
			snprintf(fail_note, sizeof(fail_note), "rows left after downgrade base");
			ok = false;
		}
	}
	return ok;
}

static void
print_failed_graph(const GenGraph *gg)
{
	printf("FAIL graph (n=%d): %s\n", gg->n, fail_note);
	for (int i = 0; i < gg->n; i++)
	{
		const MgRevisionInput *in = &gg->in[i];

		printf("  rev %s", in->id);
		for (int j = 0; j < in->ndown; j++)
			printf("%s%s", j ? "," : " down=", in->down[j]);
		for (int j = 0; j < in->ndepends; j++)
			printf("%s%s", j ? "," : " deps=", in->depends[j]);
		for (int j = 0; j < in->nlabels; j++)
			printf("%s%s", j ? "," : " labels=", in->labels[j]);
		printf("\n");
	}
}

static bool
run_graph(Rng *rng, int n)
{
	GenOpts		o = {0};
	GenGraph	gg;
	MgGraph    *g;
	MgError		err;
	Ref		   *r = malloc(sizeof(Ref));
	int			rows[MAXN],
				nrows = 0;
	bool		ok;

	o.n = n;
	o.p_root = 0.12;
	o.p_merge = 0.2;
	o.p_dep = 0.2;
	o.p_label = 0.1;
	o.p_head = 0.6;
	o.shuffle = true;
	gen_graph(rng, &o, &gg);
	g = mg_graph_build(gg.in, gg.n, &err);
	if (g == NULL)
	{
		snprintf(fail_note, sizeof(fail_note), "build: %s", err.message);
		ok = false;
	}
	else
	{
		ref_build(r, g);
		ok = random_commands(rng, r, g, &gg, n, rows, &nrows) &&
			check_restore(rng, r, g, n) &&
			check_heads_then_base(r, g, n, rows, &nrows);
	}
	if (!ok && graph_failures < 10)
		print_failed_graph(&gg);
	free(r);
	gen_free(&gg);
	shim_reset();
	return ok;
}

int
main(int argc, char **argv)
{
	int			graphs = argc > 1 ? atoi(argv[1]) : 3000;
	Rng			rng = {(uint64_t) (argc > 2 ? atoll(argv[2]) : 20240611) | 1};
	int			passed = 0;
	int			i;

	for (i = 0; i < graphs; i++)
	{
		int			n = 1 + rng_int(&rng, i % 10 == 0 ? MAXN : 24);

		if (run_graph(&rng, n))
			passed++;
		else
			graph_failures++;
	}
	printf("prop: %d graphs, sizes 1-%d, %d plans checked (%d refused), %d histories, %d upgrade-then-downgrade round trips\n",
		   graphs, MAXN, nplans, nerrors, nhistories, nrestores);
	printf("prop: %d passed, %d failed\n", passed, graph_failures);
	return graph_failures ? 1 : 0;
}
