/*-------------------------------------------------------------------------
 *
 * stamp.c
 *	  Stamp: setting the version rows without running any body
 *	  (mg_plan_stamp).
 *
 * Implements rules §9 (stamp) of doc/graph-rules.md, with the refusals of
 * §9.4 where Alembic crashes or leaves rows that overlap.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/stamp.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "graph_int.h"

/*
 * One of Alembic's StampStep updates (HeadMaintainer.update_to_step):
 * replace 'from' by 'to', or insert 'to' as a new branch.  Where Alembic
 * would delete or update a row that is not there, or insert one that is,
 * it crashes; we refuse the stamp instead (rules §9.3, §9.4).
 */
static bool
stamp_step(PlanB *pb, const int *from, int nfrom, int to, bool upgrade,
		   bool branch_move)
{
	Ctx		   *c = pb->c;
	const MgGraph *g = c->g;
	bool		from_gone = false;
	int			j;

	for (j = 0; j < nfrom; j++)
		if (!is_row(&pb->rows, from[j]))
			from_gone = true;
	if (upgrade && (branch_move || from_gone) && !is_row(&pb->rows, to))
		return mgi_pb_op(pb, MG_ROW_INSERT, -1, to);
	if (nfrom == 0)
		goto clash;
	for (j = 0; j < nfrom; j++)
		if (!is_row(&pb->rows, from[j]))
			goto clash;
	if (is_row(&pb->rows, to))
		goto clash;
	for (j = 0; j + 1 < nfrom; j++)
		if (!mgi_pb_op(pb, MG_ROW_DELETE, from[j], -1))
			return false;
	return mgi_pb_op(pb, MG_ROW_UPDATE, from[nfrom - 1], to);

clash:
	return mgi_fail(c, MG_ERR_UNSUPPORTED,
					mgi_printf(c, "Stamping %s would replace version rows that an earlier destination of the same stamp already replaced; Alembic fails here with an internal error.",
							   g->ids[to]),
					"Stamp the destinations one at a time, or use purge and list every head.",
					"cannot stamp these revisions together");
}

/*
 * The rows sharing lineage (dependencies included) with any destination,
 * once each, in the order found (rules §9.2).
 */
static bool
stamp_filtered_rows(Ctx *c, const char *const *targets, int ntargets,
					const int *rows, int nrows, IntVec *filtered)
{
	IntVec		part;
	Mark	   *mk = mgi_mark_new(c);
	int			i,
				j;

	mgi_iv_init(c, &part);
	for (i = 0; i < ntargets; i++)
	{
		if (targets[i][0] == '\0')
			continue;
		if (!mgi_filter_lineage(c, rows, nrows, targets[i], true, &part))
			return false;
		for (j = 0; j < part.n; j++)
			if (!mark_has(mk, part.v[j]))
			{
				mark_set(mk, part.v[j]);
				iv_push(filtered, part.v[j]);
			}
	}
	return true;
}

/*
 * The destinations, resolved, in the order named (duplicates kept;
 * NONE_REV for base).  Where Alembic would crash or leave rows that
 * overlap, refuse: a "-N" that ends at base, and destinations of which one
 * is an ancestor of another, as upgrade refuses such targets (rules §9.4).
 */
static bool
stamp_destinations(Ctx *c, const char *const *targets, int ntargets,
				   IntVec *dests)
{
	IntVec		distinct;
	Mark	   *mk = mgi_mark_new(c);
	int			i;

	for (i = 0; i < ntargets; i++)
		if (!mgi_get_revisions_str(c, targets[i], dests))
			return false;
	if (dests->n == 0)
		iv_push(dests, NONE_REV);
	mgi_iv_init(c, &distinct);
	for (i = 0; i < dests->n; i++)
	{
		int			d = dests->v[i];

		if (d == BASE_REV)
			return mgi_fail(c, MG_ERR_RELATIVE_RANGE,
							"The relative destination walks down to base; Alembic fails here with an internal error.",
							"Stamp 'base' to remove the version rows.",
							"relative destination ends at base");
		if (d >= 0 && !mark_has(mk, d))
		{
			mark_set(mk, d);
			iv_push(&distinct, d);
		}
		else if (d < 0)
			dests->v[i] = NONE_REV;
	}
	mgi_mark_clear(mk);
	return mgi_closure_checked(c, ANC_ALL, distinct.v, distinct.n, mk, NULL);
}

/* destination base: the rows in its lineage go (rules §9.3) */
static bool
stamp_base(PlanB *pb, const IntVec *filtered)
{
	Ctx		   *c = pb->c;
	int			j;

	for (j = 0; j < filtered->n; j++)
	{
		if (!is_row(&pb->rows, filtered->v[j]))
			return mgi_fail(c, MG_ERR_UNSUPPORTED,
							mgi_printf(c, "Version row %s was already replaced by an earlier destination of the same stamp; Alembic fails here with an internal error.",
									   c->g->ids[filtered->v[j]]),
							"Stamp the destinations one at a time.",
							"cannot stamp these revisions together");
		if (!mgi_pb_op(pb, MG_ROW_DELETE, filtered->v[j], -1))
			return false;
	}
	if (pb->ops.n > 0)
		mgi_pb_step(pb, MG_STEP_STAMP, -1);
	return true;
}

/*
 * destination revision d (rules §9.3): nothing when it is a row in its
 * lineage already; else it replaces the rows in its lineage, all above it
 * or all below it, or becomes a new branch when there are none.
 */
static bool
stamp_revision(PlanB *pb, const IntVec *filtered, int d, Mark *anc,
			   Mark *desc)
{
	Ctx		   *c = pb->c;
	bool		below = false,
				above = false;
	int			j;

	for (j = 0; j < filtered->n; j++)
		if (filtered->v[j] == d)
			return true;
	mgi_mark_clear(anc);
	mgi_mark_clear(desc);
	mgi_closure(c, ANC_ALL, &d, 1, anc, NULL);
	mgi_closure(c, DESC_ALL, &d, 1, desc, NULL);
	for (j = 0; j < filtered->n; j++)
	{
		if (mark_has(desc, filtered->v[j]))
			above = true;
		if (mark_has(anc, filtered->v[j]))
			below = true;
	}
	if (above && below)
		return mgi_fail(c, MG_ERR_UNSUPPORTED,
						mgi_printf(c, "Some version rows lie above %s and others below it; Alembic fails here with an internal error.",
								   c->g->ids[d]),
						NULL, "cannot stamp %s over these version rows",
						c->g->ids[d]);
	if (above || below)
	{
		if (!stamp_step(pb, filtered->v, filtered->n, d, !above, false))
			return false;
	}
	else if (!stamp_step(pb, NULL, 0, d, true, true))
		return false;
	mgi_pb_step(pb, MG_STEP_STAMP, d);
	return true;
}

/* the target list as given: no null entries; none means base */
static bool
stamp_targets(Ctx *c, const char *const **targets, int *ntargets)
{
	static const char *const base_only[1] = {"base"};
	int			i;

	if (*ntargets < 0 || (*ntargets > 0 && *targets == NULL))
		return mgi_fail(c, MG_ERR_BAD_TARGET, NULL, NULL,
						"malformed stamp target list");
	for (i = 0; i < *ntargets; i++)
		if ((*targets)[i] == NULL)
			return mgi_fail(c, MG_ERR_BAD_TARGET, NULL, NULL,
							"target must not be null");
	if (*ntargets == 0)
	{
		*targets = base_only;
		*ntargets = 1;
	}
	return true;
}

bool
mg_plan_stamp(const MgGraph *g, const char *const *targets, int ntargets,
			  const MgRevList *rows, bool purge, MgPlan *plan, MgError *err)
{
	Ctx			cx;
	Ctx		   *c = &cx;
	const int  *r;
	int			nr,
				i;
	IntVec		filtered,
				dests;
	Mark	   *anc,
			   *desc;
	PlanB		pb;
	bool		ok = false;

	if (!mgi_ctx_begin(c, g, err))
		return false;
	c->stamp_wording = true;
	if (!mgi_check_rows(c, rows, &r, &nr) ||
		!stamp_targets(c, &targets, &ntargets))
		goto done;
	mgi_pb_init(c, &pb, r, nr);
	if (purge && nr > 0)
	{
		for (i = 0; i < nr; i++)
			if (!mgi_pb_op(&pb, MG_ROW_DELETE, r[i], -1))
				goto done;
		mgi_pb_step(&pb, MG_STEP_STAMP, -1);
	}
	mgi_iv_init(c, &filtered);
	mgi_iv_init(c, &dests);
	if (!stamp_filtered_rows(c, targets, ntargets, purge ? NULL : r,
							 purge ? 0 : nr, &filtered) ||
		!stamp_destinations(c, targets, ntargets, &dests))
		goto done;

	/*
	 * One step per destination as named, duplicates included, as Alembic
	 * does: a destination named twice is a no-op the second time when it was
	 * already a row, and otherwise clashes with its first step, where Alembic
	 * fails (stamp_step refuses).
	 */
	anc = mgi_mark_new(c);
	desc = mgi_mark_new(c);
	for (i = 0; i < dests.n; i++)
	{
		if (dests.v[i] == NONE_REV ? !stamp_base(&pb, &filtered) :
			!stamp_revision(&pb, &filtered, dests.v[i], anc, desc))
			goto done;
	}
	mgi_pb_finish(&pb, plan);
	ok = true;
done:
	mgi_ctx_end(c);
	return ok;
}
