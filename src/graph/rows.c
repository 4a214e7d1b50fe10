/*-------------------------------------------------------------------------
 *
 * rows.c
 *	  The version rows: those the caller gives (checked against the graph),
 *	  what each upgrade or downgrade step does to them (Alembic's
 *	  HeadMaintainer), and the plan they are recorded in.
 *
 * The rows hold the applied heads; each step of a plan carries the row
 * changes (INSERT, DELETE, UPDATE) to make right after its body runs.  A
 * plan under construction (PlanB) keeps the rows as they will be after the
 * steps so far, and refuses any change that would not hit exactly one row.
 *
 * Implements rules §8 (version rows) of doc/graph-rules.md, with the
 * differences of §13 (the unmerge of Alembic issue 1373, and never a
 * redundant row).
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/rows.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "graph_int.h"

/* the caller's version rows: valid, distinct revisions (rules §11.1) */
bool
mgi_check_rows(Ctx *c, const MgRevList *rows, const int **items, int *n)
{
	const MgGraph *g = c->g;
	Mark	   *mk;
	int			i;

	*items = NULL;
	*n = 0;
	if (rows == NULL || rows->n == 0)
		return true;
	if (rows->n < 0 || rows->items == NULL)
		return mgi_fail(c, MG_ERR_BAD_VERSION_ROWS, NULL, NULL,
						"malformed version row list");
	mk = mgi_mark_new(c);
	for (i = 0; i < rows->n; i++)
	{
		int			r = rows->items[i];

		if (r < 0 || r >= g->n)
			return mgi_fail(c, MG_ERR_BAD_VERSION_ROWS, NULL, NULL,
							"version row %d does not name a revision of the graph", r);
		if (mark_has(mk, r))
			return mgi_fail(c, MG_ERR_BAD_VERSION_ROWS, NULL,
							"Each applied head must appear once.",
							"revision %s appears more than once in the version rows",
							g->ids[r]);
		mark_set(mk, r);
	}
	*items = rows->items;
	*n = rows->n;
	return true;
}

static void
rows_init(Ctx *c, Rows *r, const int *rows, int nrows)
{
	int			i;

	mgi_iv_init(c, &r->list);
	mgi_iv_init(c, &r->dense);
	r->pos = mgi_alloc(c, (size_t) c->g->n, sizeof(int));
	r->dpos = mgi_alloc(c, (size_t) c->g->n, sizeof(int));
	for (i = 0; i < c->g->n; i++)
		r->pos[i] = -1;
	for (i = 0; i < nrows; i++)
	{
		r->pos[rows[i]] = r->list.n;
		iv_push(&r->list, rows[i]);
		r->dpos[rows[i]] = r->dense.n;
		iv_push(&r->dense, rows[i]);
	}
	r->count = nrows;
}

void
mgi_pb_init(Ctx *c, PlanB *pb, const int *rows, int nrows)
{
	pb->c = c;
	pb->steps = NULL;
	pb->nsteps = pb->csteps = 0;
	mgi_iv_init(c, &pb->ops);
	rows_init(c, &pb->rows, rows, nrows);
}

/*
 * Apply one row change, refusing what would not hit exactly one row (the
 * callers check first, so this is the last line of defence that keeps
 * every DELETE/UPDATE pointed at an existing row).
 */
bool
mgi_pb_op(PlanB *pb, MgRowOpKind kind, int from, int to)
{
	Rows	   *r = &pb->rows;
	Ctx		   *c = pb->c;

	if ((kind != MG_ROW_INSERT && !is_row(r, from)) ||
		(kind != MG_ROW_DELETE && is_row(r, to)))
		return mgi_fail(c, MG_ERR_UNSUPPORTED, NULL, NULL,
						"internal error: version row change does not fit the rows");
	if (kind == MG_ROW_INSERT)
	{
		r->pos[to] = r->list.n;
		iv_push(&r->list, to);
		r->dpos[to] = r->dense.n;
		iv_push(&r->dense, to);
		r->count++;
	}
	else if (kind == MG_ROW_DELETE)
	{
		int			last = r->dense.v[--r->dense.n];

		r->dense.v[r->dpos[from]] = last;
		r->dpos[last] = r->dpos[from];
		r->list.v[r->pos[from]] = -1;
		r->pos[from] = -1;
		r->count--;
	}
	else
	{
		r->pos[to] = r->pos[from];
		r->list.v[r->pos[from]] = to;
		r->pos[from] = -1;
		r->dpos[to] = r->dpos[from];
		r->dense.v[r->dpos[to]] = to;
	}
	iv_push(&pb->ops, (int) kind);
	iv_push(&pb->ops, from);
	iv_push(&pb->ops, to);
	return true;
}

/* close the open step */
void
mgi_pb_step(PlanB *pb, MgStepKind kind, int rev)
{
	MgStep	   *s;
	int			i;

	if (pb->nsteps == pb->csteps)
	{
		int			ncap = pb->csteps ? pb->csteps * 2 : 16;

		if (pb->steps == NULL)
			pb->steps = mg_alloc(sizeof(MgStep) * (size_t) ncap);
		else
			pb->steps = mg_realloc(pb->steps, sizeof(MgStep) * (size_t) ncap);
		pb->csteps = ncap;
	}
	s = &pb->steps[pb->nsteps++];
	s->kind = kind;
	s->rev = rev;
	s->nops = pb->ops.n / 3;
	s->ops = mg_alloc(sizeof(MgRowOp) * (size_t) (s->nops ? s->nops : 1));
	for (i = 0; i < s->nops; i++)
	{
		s->ops[i].kind = (MgRowOpKind) pb->ops.v[3 * i];
		s->ops[i].from = pb->ops.v[3 * i + 1];
		s->ops[i].to = pb->ops.v[3 * i + 2];
	}
	pb->ops.n = 0;
}

void
mgi_pb_finish(PlanB *pb, MgPlan *plan)
{
	int			i,
				w = 0;

	plan->steps = pb->steps;
	plan->nsteps = pb->nsteps;
	if (plan->steps == NULL)
		plan->steps = mg_alloc(sizeof(MgStep));
	plan->rows_after.n = pb->rows.count;
	plan->rows_after.items = mg_alloc(sizeof(int) *
									  (size_t) (pb->rows.count ? pb->rows.count : 1));
	for (i = 0; i < pb->rows.list.n; i++)
		if (pb->rows.list.v[i] >= 0)
			plan->rows_after.items[w++] = pb->rows.list.v[i];
}

void
mgi_cover_init(Ctx *c, Cover *cv)
{
	cv->up_seen = mgi_mark_new(c);
	cv->down_seen = mgi_mark_new(c);
	mgi_iv_init(c, &cv->up);
	mgi_iv_init(c, &cv->down);
	mgi_iv_init(c, &cv->list);
	cv->memo = mgi_memo_new(c);
	mgi_iv_init(c, &cv->rstack);
	mgi_iv_init(c, &cv->rseen);
}

static bool
excluded(int x, const int *excl, int nexcl)
{
	int			j;

	for (j = 0; j < nexcl; j++)
		if (excl[j] == x)
			return true;
	return false;
}

/*
 * Is v an ancestor-or-self of a row other than those in excl?  Two
 * searches take turns, one edge or one start at a time, and the first to
 * finish answers: one up from v through applied revisions (only those can
 * lie between v and a row), one down from the other rows along the
 * reachability forest, cut off below v in the topological order.  The
 * first is short when v sits right under a row, the second when there are
 * few other rows or they are close above v, so neither a long applied
 * stretch, a wide fan nor a crowd of rows makes the question expensive.
 */
static bool
covered_by_other_row(Ctx *c, Cover *cv, int v, Mark *applied,
					 const Rows *rows, const int *excl, int nexcl)
{
	const MgGraph *g = c->g;
	int			floor = g->topo[v];
	int			ri = 0;
	int			y = -1;			/* merge being walked on the down side */

	if (is_row(rows, v) && !excluded(v, excl, nexcl))
		return true;
	mgi_mark_clear(cv->up_seen);
	mgi_mark_clear(cv->down_seen);
	cv->up.n = 0;
	cv->down.n = 0;
	iv_push(&cv->up, v);
	iv_push(&cv->up, g->ach_off[v]);
	mark_set(cv->up_seen, v);
	for (;;)
	{
		/* one edge up */
		if (cv->up.n == 0)
			return false;
		{
			int			x = cv->up.v[cv->up.n - 2];
			int			e = cv->up.v[cv->up.n - 1];

			if (e == g->ach_off[x + 1])
				cv->up.n -= 2;
			else
			{
				int			w = g->ach[e];

				cv->up.v[cv->up.n - 1] = e + 1;
				if (mark_has(applied, w) && !mark_has(cv->up_seen, w))
				{
					if (is_row(rows, w) && !excluded(w, excl, nexcl))
						return true;
					mark_set(cv->up_seen, w);
					iv_push(&cv->up, w);
					iv_push(&cv->up, g->ach_off[w]);
				}
			}
		}

		/*
		 * One step down (as mgi_reaches() does it, a merge at a time): the
		 * next merge on the tree path being walked, else the next entry
		 * point, else the next other row.
		 */
		if (y >= 0 && g->topo[y] > floor && !mark_has(cv->down_seen, y))
		{
			int			e;

			mark_set(cv->down_seen, y);
			for (e = g->np_off[y] + 1; e < g->np_off[y + 1]; e++)
			{
				int			p = g->np[e];

				if (tree_below(g, v, p))
					return true;
				if (g->topo[p] > floor && maybe_below(g, v, p))
					iv_push(&cv->down, p);
			}
			y = g->tpar[y] >= 0 ? g->nt_up[g->tpar[y]] : -1;
		}
		else if (cv->down.n > 0)
			y = g->nt_up[cv->down.v[--cv->down.n]];
		else
		{
			int			h;

			y = -1;
			while (ri < rows->dense.n && excluded(rows->dense.v[ri], excl, nexcl))
				ri++;
			if (ri == rows->dense.n)
			{
				/* every other row searched: none is above v */
				return false;
			}
			h = rows->dense.v[ri++];
			if (!maybe_below(g, v, h))
				continue;
			if (tree_below(g, v, h))
				return true;
			iv_push(&cv->down, h);
		}
	}
}

/* the rows an upgrade of rev leaves (rules §8.2-§8.5) */
bool
mgi_upgrade_rows(PlanB *pb, Cover *cv, Mark *applied, int rev)
{
	Ctx		   *c = pb->c;
	const MgGraph *g = c->g;
	const int  *p;
	int			np,
				inrows = 0,
				j;

	edges(g, ANC_ALL, rev, &p, &np);
	for (j = 0; j < np; j++)
		if (is_row(&pb->rows, p[j]))
			inrows++;
	if (np == 0 || inrows == 0)
	{
		if (!mgi_pb_op(pb, MG_ROW_INSERT, -1, rev))
			return false;
	}
	else if (np > 1 && inrows > 1)
	{
		IntVec	   *from = &cv->list;

		/*
		 * Alembic merges "down revisions minus ancestors of the other rows";
		 * a down revision that is no row and only lies below another down
		 * revision makes it delete a row that is not there (KeyError).
		 */
		from->n = 0;
		for (j = 0; j < np; j++)
		{
			if (is_row(&pb->rows, p[j]))
				iv_push(from, p[j]);
			else if (!covered_by_other_row(c, cv, p[j], applied, &pb->rows,
										   p, np))
				return mgi_fail(c, MG_ERR_UNSUPPORTED,
								mgi_printf(c, "Revision %s lists %s among its down revisions although it is already an ancestor of another of them; Alembic fails on this merge with an internal error (KeyError).",
										   g->ids[rev], g->ids[p[j]]),
								"Upgrade one branch at a time, or register the merge without the redundant dependency.",
								"cannot upgrade merge revision %s from these version rows",
								g->ids[rev]);
		}
		for (j = 0; j + 1 < from->n; j++)
			if (!mgi_pb_op(pb, MG_ROW_DELETE, from->v[j], -1))
				return false;
		if (!mgi_pb_op(pb, MG_ROW_UPDATE, from->v[from->n - 1], rev))
			return false;
	}
	else
	{
		for (j = 0; j < np; j++)
			if (is_row(&pb->rows, p[j]))
				return mgi_pb_op(pb, MG_ROW_UPDATE, p[j], rev);
	}
	return true;
}

/* the rows a downgrade of rev leaves (rules §8.6-§8.8, §13.5) */
bool
mgi_downgrade_rows(PlanB *pb, Cover *cv, Mark *applied, int rev)
{
	Ctx		   *c = pb->c;
	const MgGraph *g = c->g;
	const int  *p;
	int			np,
				j,
				k;
	IntVec	   *to = &cv->list;

	if (!is_row(&pb->rows, rev))
		return mgi_fail(c, MG_ERR_UNSUPPORTED,
						mgi_printf(c, "Revision %s is to be downgraded but is not a version row; Alembic fails here with an internal error.",
								   g->ids[rev]),
						NULL, "cannot downgrade revision %s from these version rows",
						g->ids[rev]);
	edges(g, ANC_ALL, rev, &p, &np);
	to->n = 0;
	for (j = 0; j < np; j++)
		if (!covered_by_other_row(c, cv, p[j], applied, &pb->rows, &rev, 1))
			iv_push(to, p[j]);
	if (to->n > 1)
	{
		int			w = 0;

		/* keep both of an ancestor pair and the rows would overlap (1373) */
		for (j = 0; j < to->n; j++)
		{
			bool		below = false;

			for (k = 0; k < to->n && !below; k++)
				if (k != j && mgi_strict_ancestor(c, cv->memo, &cv->rstack,
												  &cv->rseen, to->v[j], to->v[k]))
					below = true;
			if (!below)
				to->v[w++] = to->v[j];
		}
		to->n = w;
	}
	if (to->n == 0)
		return mgi_pb_op(pb, MG_ROW_DELETE, rev, -1);
	for (j = 0; j + 1 < to->n; j++)
		if (!mgi_pb_op(pb, MG_ROW_INSERT, -1, to->v[j]))
			return false;
	return mgi_pb_op(pb, MG_ROW_UPDATE, rev, to->v[to->n - 1]);
}
