/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  Planning upgrades and downgrades: what runs (Alembic's
 *	  _collect_upgrade_revisions and _collect_downgrade_revisions), in
 *	  which order (order.c), with which version-row changes (rows.c).
 *	  Entry points mg_plan_upgrade and mg_plan_downgrade.
 *
 * Implements rules §5 (upgrade) and §7 (downgrade) of doc/graph-rules.md;
 * history (§10.3, history.c) collects its range here too.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/plan.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "graph_int.h"

/*
 * RevisionMap._collect_upgrade_revisions (rules §5.2-§5.4; history's
 * range, §10.3, with implicit_base false and inclusive true), into col.
 */
bool
mgi_collect_upgrade(Ctx *c, Arg upper, Arg lower, bool implicit_base,
					bool inclusive, bool assert_rel, Collected *col)
{
	const MgGraph *g = c->g;
	IntVec	   *needs = &col->needs;
	IntVec	   *targets = &col->targets;
	IntVec	   *req = &col->req;
	Mark	   *inneeds = col->inneeds = mgi_mark_new(c);
	Mark	   *required = col->required = mgi_mark_new(c);
	Mark	   *current = col->current = mgi_mark_new(c);
	IntVec		cur;
	int			i;

	mgi_iv_init(c, needs);
	mgi_iv_init(c, targets);
	mgi_iv_init(c, req);
	if (!mgi_parse_upgrade_target(c, lower, upper, assert_rel, targets))
		return false;
	for (i = 0; i < targets->n; i++)
		if (targets->v[i] < 0)
		{
			/* Alembic: a bare AssertionError (rules §4.5, §13.3) */
			RelTarget	rt;
			long long	mag = 0;
			const char *detail = targets->v[i] == BASE_REV ?
				"The walk ends at base, which is not a revision to upgrade to." :
				"The walk goes past the end of the revision graph.";

			mgi_rel_match(c, upper.str ? upper.str : "", &rt);
			if (rt.matched)
				return mgi_fail_relative(c, rt.rel_text, rt.abs_text, detail);
			/* only Python's int() reading of "-N" gets here */
			(void) mgi_py_negative_int(upper.str ? upper.str : "", &mag);
			return mgi_fail_relative(c, mgi_printf(c, "-%lld", mag),
									 mgi_printf(c, "%lld", mag), detail);
		}

	/* a "<branch>@..." start limits the targets to that branch's labels */
	if (lower.str != NULL && strchr(lower.str, '@') != NULL)
	{
		const char *br = mgi_strndup(c, lower.str,
									 (size_t) (strchr(lower.str, '@') - lower.str));
		int			brev;
		int			w = 0;

		if (!mgi_get_revision(c, br, &brev))
			return false;
		if (brev >= 0 && strcmp(g->ids[brev], br) == 0)
		{
			if (g->nslab[brev] != 1)
				return mgi_fail(c, MG_ERR_UNSUPPORTED,
								mgi_printf(c, "Revision %s carries %d branch labels; Alembic needs exactly one here and fails with an internal error.",
										   br, g->nslab[brev]),
								"Use a branch label before the '@'.",
								"cannot use revision %s as a branch name", br);
			br = g->slab[brev][0];
		}
		for (i = 0; i < targets->n; i++)
		{
			int			t = targets->v[i];
			int			k;
			bool		dupl = false;

			for (k = 0; k < w; k++)
				if (targets->v[k] == t)
					dupl = true;
			if (!dupl && mgi_has_spread_label(g, t, br))
				targets->v[w++] = t;
		}
		targets->n = w;
	}

	if (!mgi_closure_checked(c, ANC_ALL, targets->v, targets->n, required, req))
		return false;

	mgi_iv_init(c, &cur);
	if (!mgi_get_revisions_arg(c, lower, &cur))
		return false;
	if (!implicit_base)
		for (i = 0; i < cur.n; i++)
			if (cur.v[i] != NONE_REV &&
				(cur.v[i] == BASE_REV || !mark_has(required, cur.v[i])))
				return mgi_fail_range(c);
	if (cur.n > 0 && cur.v[0] == NONE_REV)
		return mgi_fail(c, MG_ERR_RELATIVE_RANGE,
						"The relative start of the range walks past the end of the revision graph.",
						NULL, "Relative revision %s didn't produce the migrations asked for",
						lower.str ? lower.str : "");
	for (i = 0; i < cur.n; i++)
		if (cur.v[i] < 0)
			return mgi_fail(c, MG_ERR_UNSUPPORTED, NULL, NULL,
							"cannot use base or a missing revision as the start of a range");
	if (!mgi_closure_checked(c, ANC_ALL, cur.v, cur.n, current, NULL))
		return false;

	for (i = 0; i < req->n; i++)
		if (!mark_has(current, req->v[i]))
		{
			iv_push(needs, req->v[i]);
			mark_set(inneeds, req->v[i]);
		}
	if (inclusive)
		for (i = 0; i < cur.n; i++)
			if (!mark_has(inneeds, cur.v[i]))
			{
				iv_push(needs, cur.v[i]);
				mark_set(inneeds, cur.v[i]);
			}
	if (cur.n > 0 && !implicit_base)
	{
		Mark	   *desc = mgi_mark_new(c);
		int			w = 0;

		if (!mgi_closure_checked(c, DESC_V, cur.v, cur.n, desc, NULL))
			return false;
		for (i = 0; i < needs->n; i++)
		{
			if (mark_has(desc, needs->v[i]))
				needs->v[w++] = needs->v[i];
			else
				mark_unset(inneeds, needs->v[i]);
		}
		needs->n = w;
	}
	return true;
}

/* RevisionMap._collect_downgrade_revisions (rules §7.2-§7.5) */
static bool
collect_downgrade(Ctx *c, const int *rows, int nrows, const char *target,
				  IntVec *todo, Mark *intodo, Mark *active)
{
	const MgGraph *g = c->g;
	const char *br = NULL;
	int			trev;
	IntVec		roots,
				down;
	Mark	   *mdown;
	int			i;

	if (!mgi_parse_downgrade_target(c, rows, nrows, target, true, &br, &trev))
		return false;
	if (trev == BASE_REV)
		trev = NONE_REV;
	mgi_iv_init(c, &roots);
	if (trev == NONE_REV)
	{
		for (i = 0; i < g->bases.n; i++)
			iv_push(&roots, g->bases.items[i]);
	}
	else
	{
		const int  *e;
		int			ne;

		edges(g, DESC_V, trev, &e, &ne);
		for (i = 0; i < ne; i++)
			iv_push(&roots, e[i]);
	}
	if (TRUTHY(br) && roots.n > 1)
	{
		int			brev;
		Mark	   *anc = mgi_mark_new(c);
		int			w = 0;

		if (!mgi_resolve_branch(c, br, &brev))
			return false;
		mgi_closure(c, ANC_V, &brev, 1, anc, NULL);
		for (i = 0; i < roots.n; i++)
			if (mark_has(anc, roots.v[i]))
				roots.v[w++] = roots.v[i];
		roots.n = w;
		if (w == 0)
			return mgi_fail(c, MG_ERR_NOT_VALID_TARGET,
							mgi_printf(c, "No revision above the destination is on branch '%s'.", br),
							NULL, "Not a valid downgrade target from current heads");
	}
	mdown = mgi_mark_new(c);
	mgi_iv_init(c, &down);
	mgi_closure(c, DESC_ALL, roots.v, roots.n, mdown, &down);
	mgi_closure(c, ANC_ALL, rows, nrows, active, NULL);
	for (i = 0; i < down.n; i++)
		if (mark_has(active, down.v[i]))
		{
			iv_push(todo, down.v[i]);
			mark_set(intodo, down.v[i]);
		}
	if (trev >= 0 && todo->n == 0)
	{
		bool		isrow = false;

		for (i = 0; i < nrows; i++)
			if (rows[i] == trev)
				isrow = true;
		if (!isrow)
			return mgi_fail_range(c);
	}
	return true;
}

/*
 * The start of a plan: the context, then what upgrade and downgrade check
 * before planning: the rows fit the graph, and the target is one target,
 * not a range (rules §5.1).
 */
static bool
plan_begin(Ctx *c, const MgGraph *g, MgError *err, const MgRevList *rows,
		   const char *target, const int **r, int *nr)
{
	if (!mgi_ctx_begin(c, g, err) || !mgi_check_rows(c, rows, r, nr))
		return false;
	if (target == NULL)
		return mgi_fail(c, MG_ERR_BAD_TARGET, NULL, NULL, "target must not be null");
	if (strchr(target, ':') != NULL)
		return mgi_fail(c, MG_ERR_RANGE_NOT_ALLOWED,
						"A range \"start:end\" is only meaningful for offline scripts.",
						NULL, "Range revision not allowed");
	c->mh_arg = target;
	return true;
}

/*
 * Upgrade: what the target needs and is not applied, run in the reverse of
 * the sort from the targets (rules §5.5), each step with its row changes.
 */
bool
mg_plan_upgrade(const MgGraph *g, const char *target, const MgRevList *rows,
				MgPlan *plan, MgError *err)
{
	Ctx			cx;
	Ctx		   *c = &cx;
	const int  *r;
	int			nr,
				i;
	Arg			upper = {NULL, NULL, 0};
	Arg			lower = {NULL, NULL, 0};
	Collected	col;
	IntVec		order;
	Cover		cv;
	PlanB		pb;
	bool		ok = false;

	if (!plan_begin(c, g, err, rows, target, &r, &nr))
		goto done;
	upper.str = target;
	lower.revs = r;
	lower.nrevs = nr;
	mgi_iv_init(c, &order);
	mgi_cover_init(c, &cv);
	if (!mgi_collect_upgrade(c, upper, lower, true, false, true, &col) ||
		!mgi_topo_sort(c, &col.needs, col.inneeds, col.targets.v,
					   col.targets.n, NULL, &order))
		goto done;
	mgi_pb_init(c, &pb, r, nr);
	for (i = order.n - 1; i >= 0; i--)
	{
		int			rev = order.v[i];

		/* col.current: the applied set, growing step by step */
		if (!mgi_upgrade_rows(&pb, &cv, col.current, rev))
			goto done;
		mark_set(col.current, rev);
		mgi_pb_step(&pb, MG_STEP_UPGRADE, rev);
	}
	mgi_pb_finish(&pb, plan);
	ok = true;
done:
	mgi_ctx_end(c);
	return ok;
}

/*
 * Downgrade: what lies above the target and is applied, run in the order
 * of the sort from the rows (rules §7.6), each step with its row changes.
 */
bool
mg_plan_downgrade(const MgGraph *g, const char *target,
				  const MgRevList *rows, MgPlan *plan, MgError *err)
{
	Ctx			cx;
	Ctx		   *c = &cx;
	const int  *r;
	int			nr,
				i;
	IntVec		todo,
				order;
	Mark	   *intodo,
			   *active;
	Cover		cv;
	PlanB		pb;
	bool		ok = false;

	if (!plan_begin(c, g, err, rows, target, &r, &nr))
		goto done;
	c->destination = target;
	mgi_iv_init(c, &todo);
	mgi_iv_init(c, &order);
	intodo = mgi_mark_new(c);
	active = mgi_mark_new(c);
	mgi_cover_init(c, &cv);
	if (!collect_downgrade(c, r, nr, target, &todo, intodo, active))
		goto done;
	if (!mgi_topo_sort(c, &todo, intodo, r, nr, NULL, &order))
		goto done;
	mgi_pb_init(c, &pb, r, nr);
	for (i = 0; i < order.n; i++)
	{
		int			rev = order.v[i];

		if (!mgi_downgrade_rows(&pb, &cv, active, rev))
			goto done;
		mark_unset(active, rev);
		mgi_pb_step(&pb, MG_STEP_DOWNGRADE, rev);
	}
	mgi_pb_finish(&pb, plan);
	ok = true;
done:
	mgi_ctx_end(c);
	return ok;
}
