/*-------------------------------------------------------------------------
 *
 * relative.c
 *	  Relative targets: "+2", "-1", "<branch>@+1", "<branch>@-1",
 *	  "<symbol>+N", "<symbol>-N".  How Alembic's pattern reads them, how a
 *	  walk takes one down_revision edge per step, and how upgrade and
 *	  downgrade turn their target (relative or not) into revisions.
 *
 * Where Alembic crashes on a relative target (a walk past either end, a
 * "<branch>@-N" with no single start), the functions here report
 * MG_ERR_RELATIVE_RANGE or MG_ERR_AMBIGUOUS_DOWNGRADE instead (rules §13).
 *
 * Implements rules §4 (relative targets) and the target parts of §5.2
 * (upgrade) and §7.1 (downgrade) of doc/graph-rules.md.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/relative.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "graph_int.h"

/*
 * Python's int() on text, for the one place Alembic uses it: returns true
 * when the text is a negative integer (surrounding whitespace, a sign,
 * digits with single underscores between them), with its magnitude
 * saturated.
 */
bool
mgi_py_negative_int(const char *s, long long *mag)
{
	long long	v = 0;
	bool		digit = false;
	bool		neg = false;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '+' || *s == '-')
		neg = (*s++ == '-');
	while (*s)
	{
		if (*s >= '0' && *s <= '9')
		{
			if (v < MAX_STEPS)
				v = v * 10 + (*s - '0');
			digit = true;
			s++;
		}
		else if (*s == '_' && digit && s[1] >= '0' && s[1] <= '9')
			s++;
		else
			break;
	}
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s != '\0' || !digit || !neg || v == 0)
		return false;
	*mag = v > MAX_STEPS ? MAX_STEPS : v;
	return true;
}

/*
 * RevisionMap._walk: one edge per step, through down_revision only; up
 * from nothing starts at the bases, down from nothing at the heads, down
 * from a root gives BASE_REV.  A branch part filters the candidates of
 * upward steps (rules §4.2).  Every step moves, so a walk ends within
 * n + 2 steps whatever 'steps' says.
 */
bool
mgi_walk(Ctx *c, const char *start_name, int start, long long steps,
		 const char *branch, bool no_overwalk, int *out)
{
	const MgGraph *g = c->g;
	long long	todo = steps < 0 ? -steps : steps;
	long long	i;
	int			cur;
	Resolved	br = {NULL, 0, NULL};
	bool		br_parsed = false;
	Lineage		lin = {false, NULL, NULL};
	bool		lin_done = false;
	IntVec		cands;
	static const int base_only[1] = {BASE_REV};

	if (start_name != NULL)
	{
		if (!mgi_get_revision(c, start_name, &cur))
			return false;
	}
	else
		cur = start;
	mgi_iv_init(c, &cands);
	for (i = 0; i < todo; i++)
	{
		const int  *e;
		int			ne;

		if (steps > 0)
		{
			if (cur == BASE_REV)
				return mgi_fail(c, MG_ERR_UNSUPPORTED, NULL, NULL,
								"cannot walk up from base");
			if (cur == NONE_REV)
			{
				e = g->bases.items;
				ne = g->bases.n;
			}
			else
				edges(g, DESC_V, cur, &e, &ne);
			if (TRUTHY(branch))
			{
				int			j;

				if (!br_parsed)
				{
					if (!mgi_resolve_number(c, branch, &br))
						return false;
					br_parsed = true;
				}
				cands.n = 0;
				if (ne > 0 && !lin_done)
				{
					if (!mgi_lineage_of(c, &br, false, &lin))
						return false;
					lin_done = true;
				}
				for (j = 0; j < ne; j++)
					if (mgi_in_lineage(&lin, e[j]))
						iv_push(&cands, e[j]);
				e = cands.v;
				ne = cands.n;
			}
		}
		else
		{
			if (cur == BASE_REV)
				ne = 0;
			else
			{
				if (cur == NONE_REV)
				{
					e = g->heads.items;
					ne = g->heads.n;
				}
				else
					edges(g, ANC_V, cur, &e, &ne);
				if (ne == 0)
				{
					e = base_only;
					ne = 1;
				}
			}
		}
		if (ne == 0)
		{
			*out = no_overwalk ? NONE_REV : cur;
			return true;
		}
		if (ne > 1)
			return mgi_fail(c, MG_ERR_AMBIGUOUS_WALK,
							mgi_printf(c, "%s, there are %d candidates: %s.",
									   cur >= 0 ? mgi_printf(c, "Walking %s from %s",
															 steps > 0 ? "up" : "down",
															 g->ids[cur]) :
									   mgi_printf(c, "Walking %s from base",
												  steps > 0 ? "up" : "down"),
									   ne, mgi_join_ids(c, e, ne, false)),
							steps > 0 ?
							"Name the branch, as in <branch>@+1, or give an explicit revision." :
							"Give an explicit revision: a walk down cannot choose between the parents of a merge.",
							"Ambiguous walk");
		cur = e[0];
	}
	*out = cur;
	return true;
}

static bool
is_word(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || ch == '_';
}

static bool
is_digit(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool
rel_try(const char *s, size_t p, size_t *symend, size_t *digend)
{
	size_t		q = p;

	while (is_word((unsigned char) s[q]))
		q++;
	if ((s[q] == '+' || s[q] == '-') && is_digit((unsigned char) s[q + 1]))
	{
		size_t		r = q + 1;

		while (is_digit((unsigned char) s[r]))
			r++;
		*symend = q;
		*digend = r;
		return true;
	}
	return false;
}

/*
 * Alembic's relative-target pattern, (?:(.+?)@)?(\w+)?((?:\+|-)\d+), tried
 * from the start of the text (what follows the digits is ignored, as
 * re.match does).  The shortest branch part that lets the rest match wins;
 * without one, the pattern is tried at the start (rules §4.1).
 */
void
mgi_rel_match(Ctx *c, const char *s, RelTarget *rt)
{
	size_t		len = strlen(s);
	size_t		k;
	size_t		p = 0,
				symend = 0,
				digend = 0;
	bool		found = false;
	const char *digits;
	size_t		ndig,
				lead;
	size_t		i;

	memset(rt, 0, sizeof(*rt));
	for (k = 1; k < len; k++)
	{
		if (s[k - 1] == '\n')
			break;
		if (s[k] == '@' && rel_try(s, k + 1, &symend, &digend))
		{
			rt->branch = mgi_strndup(c, s, k);
			p = k + 1;
			found = true;
			break;
		}
	}
	if (!found && rel_try(s, 0, &symend, &digend))
	{
		p = 0;
		found = true;
	}
	if (!found)
		return;
	rt->matched = true;
	rt->symbol = symend > p ? mgi_strndup(c, s + p, symend - p) : NULL;
	rt->plus = s[symend] == '+';
	digits = s + symend + 1;
	ndig = digend - symend - 1;
	rt->rel_text = mgi_strndup(c, s + symend, ndig + 1);
	for (lead = 0; lead + 1 < ndig && digits[lead] == '0'; lead++)
		;
	rt->abs_text = mgi_strndup(c, digits + lead, ndig - lead);
	rt->zero = (ndig - lead == 1 && digits[lead] == '0');
	rt->n = 0;
	for (i = lead; i < ndig; i++)
		if (rt->n < MAX_STEPS)
			rt->n = rt->n * 10 + (digits[i] - '0');
	if (rt->n > MAX_STEPS)
		rt->n = MAX_STEPS;
	if (rt->zero)
		rt->int_text = "0";
	else if (rt->plus)
		rt->int_text = rt->abs_text;
	else
		rt->int_text = mgi_printf(c, "-%s", rt->abs_text);
}

/*
 * RevisionMap._parse_upgrade_target (rules §4.3-§4.5, §4.9); entries of
 * out may be NONE_REV or BASE_REV, which the caller reports.
 */
bool
mgi_parse_upgrade_target(Ctx *c, Arg current, Arg target, bool assert_rel,
						 IntVec *out)
{
	const MgGraph *g = c->g;
	RelTarget	rt;
	int			res;

	if (target.str == NULL)
		return mgi_get_revisions_arg(c, target, out);
	mgi_rel_match(c, target.str, &rt);
	if (!rt.matched)
		return mgi_get_revisions_str(c, target.str, out);

	if (rt.plus && !rt.zero)
	{
		if (rt.symbol == NULL)
		{
			/* walk up from the current state */
			const char *start_name = NULL;
			int			start = NONE_REV;
			int			nstarts;

			if (TRUTHY(rt.branch))
			{
				IntVec		revs,
							sl;
				int			i;

				mgi_iv_init(c, &revs);
				mgi_iv_init(c, &sl);
				if (!mgi_get_revisions_arg(c, current, &revs) ||
					!mgi_filter_lineage(c, revs.v, revs.n, rt.branch, false, &sl))
					return false;
				if (sl.n == 0)
				{
					/* no current revision on the branch: its applied tips */
					Mark	   *mk = mgi_mark_new(c);
					Mark	   *below = mgi_mark_new(c);
					IntVec		anc,
								active;

					mgi_iv_init(c, &anc);
					mgi_iv_init(c, &active);
					mgi_closure(c, ANC_ALL, revs.v, revs.n, mk, &anc);
					if (!mgi_filter_lineage(c, anc.v, anc.n, rt.branch, false,
											&active))
						return false;
					for (i = 0; i < active.n; i++)
					{
						const int  *e;
						int			ne,
									j;

						edges(g, ANC_ALL, active.v[i], &e, &ne);
						for (j = 0; j < ne; j++)
							mark_set(below, e[j]);
					}
					for (i = 0; i < active.n; i++)
						if (!mark_has(below, active.v[i]))
							iv_push(&sl, active.v[i]);
				}
				nstarts = sl.n ? sl.n : 1;
				start = sl.n ? sl.v[0] : NONE_REV;
				/* Alembic's mgi_get_revision("base") is None */
				if (start == BASE_REV)
					start = NONE_REV;
			}
			else if (current.str != NULL)
			{
				nstarts = 1;
				start_name = current.str;
			}
			else
			{
				nstarts = current.nrevs ? current.nrevs : 1;
				start = current.nrevs ? current.revs[0] : NONE_REV;
			}
			if (nstarts > 1)
				return mgi_fail(c, MG_ERR_AMBIGUOUS_UPGRADE,
								"More than one applied head could be the starting point.",
								"Name the branch, as in <branch>@+1, or give an explicit revision.",
								"Ambiguous upgrade from multiple current revisions");
			if (!mgi_walk(c, start_name, start, rt.n, rt.branch, assert_rel, &res))
				return false;
			if (res == NONE_REV)
				return mgi_fail_relative(c, rt.rel_text, rt.abs_text, NULL);
			iv_push(out, res);
			return true;
		}
		if (!mgi_walk(c, rt.symbol, NONE_REV, rt.n, rt.branch, assert_rel, &res))
			return false;
		iv_push(out, res);
		return true;
	}
	if (rt.symbol == NULL)
		return mgi_fail_relative(c, rt.int_text, rt.abs_text,
								 "An upgrade cannot go down.");
	if (!mgi_walk(c, rt.branch ? mgi_printf(c, "%s@%s", rt.branch, rt.symbol)
				  : rt.symbol, NONE_REV, -rt.n, NULL, assert_rel, &res))
		return false;
	iv_push(out, res);
	return true;
}

/* RevisionMap._parse_downgrade_target (rules §4.6-§4.8, §7.1) */
bool
mgi_parse_downgrade_target(Ctx *c, const int *rows, int nrows,
						   const char *target, bool assert_rel,
						   const char **branch, int *rev)
{
	const MgGraph *g = c->g;
	RelTarget	rt;
	const char *last;
	const char *symbol;
	const char *br;
	bool		relative_revision;
	int			res;

	mgi_rel_match(c, target, &rt);
	if (rt.matched)
	{
		if (rt.plus || rt.zero)
		{
			if (rt.symbol == NULL)
				return mgi_fail_relative(c, rt.rel_text, rt.abs_text,
										 "A downgrade cannot go up.");
			if (!mgi_walk(c, rt.symbol, NONE_REV, rt.zero ? 0 : rt.n, rt.branch,
						  assert_rel, &res))
				return false;
			if (res == NONE_REV)
				return mgi_fail(c, MG_ERR_RELATIVE_RANGE,
								"The walk goes past the end of the revision graph.",
								NULL, "Walked too far");
			*branch = rt.branch;
			*rev = res;
			return true;
		}
		symbol = rt.symbol;

		br = rt.branch;
		relative_revision = (symbol == NULL);
		if (relative_revision)
		{
			if (TRUTHY(br))
			{
				IntVec		sl;

				mgi_iv_init(c, &sl);
				if (!mgi_filter_lineage(c, rows, nrows, br, false, &sl))
					return false;
				if (sl.n == 0)
				{
					IntVec		allc;

					mgi_iv_init(c, &allc);
					mgi_all_current(c, rows, nrows, &allc);
					if (!mgi_filter_lineage(c, allc.v, allc.n, br, false, &sl))
						return false;
				}
				if (sl.n == 0)
					return mgi_fail_relative(c, rt.rel_text, rt.abs_text,
											 mgi_printf(c, "No applied revision is on branch '%s'.", br));
				if (sl.n > 1)
					return mgi_fail(c, MG_ERR_AMBIGUOUS_DOWNGRADE,
									mgi_printf(c, "The applied revisions on branch '%s' are %s.",
											   br, mgi_join_ids(c, sl.v, sl.n, false)),
									"Give an explicit revision to downgrade to.",
									"downgrade %s@%s from multiple heads is ambiguous",
									br, rt.rel_text);
				symbol = g->ids[sl.v[0]];
			}
			else
			{
				if (nrows == 0)
					return mgi_fail_relative(c, rt.rel_text, rt.abs_text,
											 "Nothing is applied.");
				if (nrows > 1)
					return mgi_fail(c, MG_ERR_AMBIGUOUS_DOWNGRADE,
									mgi_printf(c, "The applied heads are %s.",
											   mgi_join_ids(c, rows, nrows, false)),
									mgi_printf(c, "Use <branch>@%s to name the branch to downgrade, or give an explicit revision.",
											   rt.rel_text),
									"downgrade %s from multiple heads is ambiguous",
									rt.rel_text);
				symbol = g->ids[rows[0]];
				br = symbol;
			}
		}
		if (!mgi_walk(c, br ? mgi_printf(c, "%s@%s", br, symbol) : symbol, NONE_REV,
					  -rt.n, NULL, assert_rel, &res))
			return false;
		if (res == NONE_REV)
		{
			if (relative_revision)
				return mgi_fail_relative(c, rt.rel_text, rt.abs_text,
										 "The walk goes past base.");
			return mgi_fail(c, MG_ERR_RELATIVE_RANGE,
							"The walk goes past the end of the revision graph.",
							NULL, "Walked too far");
		}
		*branch = br;
		*rev = res;
		return true;
	}
	/* absolute: "<branch>@<rev>" splits at the last '@' */
	last = strrchr(target, '@');
	*branch = (last != NULL && last > target) ?
		mgi_strndup(c, target, (size_t) (last - target)) : NULL;
	symbol = last ? last + 1 : target;

	return mgi_get_revision(c, symbol, rev);
}
