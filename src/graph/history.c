/*-------------------------------------------------------------------------
 *
 * history.c
 *	  History: the revisions of a range "start:end", newest first
 *	  (mg_history).
 *
 * A range is collected as an upgrade from its start to its end would be
 * (plan.c), with the start included and checked to lie below the end, and
 * listed in the order of the topological sort (order.c).
 *
 * Implements rules §10.3 of doc/graph-rules.md.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/history.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "graph_int.h"

/* Python's str.strip(): ASCII white space and the separators 0x1c-0x1f */
static const char *
strip_ws(Ctx *c, const char *s)
{
	size_t		len = strlen(s);

	while (*s == ' ' || (*s >= '\t' && *s <= '\r') || (*s >= 0x1c && *s <= 0x1f))
	{
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' ||
					   (s[len - 1] >= '\t' && s[len - 1] <= '\r') ||
					   (s[len - 1] >= 0x1c && s[len - 1] <= 0x1f)))
		len--;
	return mgi_strndup(c, s, len);
}

/* alembic history over a range (rules §10.3) */
bool
mg_history(const MgGraph *g, const char *range, const MgRevList *rows,
		   MgRevList *out, MgError *err)
{
	Ctx			cx;
	Ctx		   *c = &cx;
	const int  *r;
	int			nr,
				i;
	const char *base_raw = "",
			   *head_raw = "";
	Arg			upper = {NULL, NULL, 0};
	Arg			lower = {NULL, NULL, 0};
	Collected	col;
	IntVec		order;
	Mark	   *hull;
	bool		ok = false;

	if (!mgi_ctx_begin(c, g, err))
		return false;
	c->history_range = true;
	if (!mgi_check_rows(c, rows, &r, &nr))
		goto done;
	if (range != NULL && range[0] != '\0')
	{
		const char *s = strip_ws(c, range);
		const char *colon = strchr(s, ':');

		if (colon == NULL || strchr(colon + 1, ':') != NULL)
		{
			mgi_fail(c, MG_ERR_BAD_TARGET, NULL, NULL,
					 "History range requires [start]:[end], [start]:, or :[end]");
			goto done;
		}
		base_raw = mgi_strndup(c, s, (size_t) (colon - s));
		head_raw = colon + 1;
	}
	/* alembic history: only one "current" is replaced, the end first */
	if (strcmp(head_raw, "current") == 0)
	{
		lower.str = base_raw[0] ? base_raw : "base";
		if (nr > 0)
		{
			upper.revs = r;
			upper.nrevs = nr;
		}
		else
			upper.str = "heads";
	}
	else if (strcmp(base_raw, "current") == 0)
	{
		upper.str = head_raw[0] ? head_raw : "heads";
		if (nr > 0)
		{
			lower.revs = r;
			lower.nrevs = nr;
		}
		else
			lower.str = "base";
	}
	else
	{
		lower.str = base_raw[0] ? base_raw : "base";
		upper.str = head_raw[0] ? head_raw : "heads";
	}
	c->range_start = lower.str ? lower.str : mgi_py_tuple(c, lower.revs, lower.nrevs);
	c->range_end = upper.str ? upper.str : mgi_py_tuple(c, upper.revs, upper.nrevs);
	c->mh_arg = c->range_end;

	mgi_iv_init(c, &order);
	if (!mgi_collect_upgrade(c, upper, lower, false, true, false, &col))
		goto done;
	/* what may lie between two revisions of the range without being in it */
	hull = mgi_mark_new(c);
	for (i = 0; i < col.req.n; i++)
		if (!mark_has(col.current, col.req.v[i]) &&
			!mark_has(col.inneeds, col.req.v[i]))
			mark_set(hull, col.req.v[i]);
	if (!mgi_topo_sort(c, &col.needs, col.inneeds, col.targets.v,
					   col.targets.n, hull, &order))
		goto done;
	mgi_to_revlist(&order, out);
	ok = true;
done:
	mgi_ctx_end(c);
	return ok;
}
