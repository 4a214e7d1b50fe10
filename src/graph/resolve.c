/*-------------------------------------------------------------------------
 *
 * resolve.c
 *	  Resolving a target: the symbols heads, head and base, revision ids,
 *	  id prefixes, branch labels, branch parts ("<branch>@<rest>") and the
 *	  lineage checks that go with them.  Also the entry points that only
 *	  resolve: mg_resolve (what `alembic show` does) and mg_current.
 *
 * The code keeps the structure of Alembic's RevisionMap methods (each
 * function names the one it follows), because the order in which Alembic
 * tries things decides which error a user sees.  Relative targets
 * ("+1", "<branch>@-2", "<symbol>+N") are read and walked in relative.c.
 *
 * Implements rules §3 (resolving a target), §10.1 (current) and §3.7
 * (mg_resolve) of doc/graph-rules.md.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/resolve.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "graph_int.h"

/* characters as Python counts them (UTF-8 code points) */
static size_t
py_len(const char *s)
{
	size_t		n = 0;

	for (; *s; s++)
		if (((unsigned char) *s & 0xC0) != 0x80)
			n++;
	return n;
}

/* is rev in the lineage l (rules §3.5)? */
bool
mgi_in_lineage(const Lineage *l, int rev)
{
	return l->all || mark_has(l->anc, rev) || mark_has(l->desc, rev);
}

/*
 * filter_for_lineage's second half: resolve what the check names (the
 * branch part and the ids; Alembic resolves them lazily, only when there
 * is a target to test) and mark their lineage (rules §3.5).
 */
bool
mgi_lineage_of(Ctx *c, const Resolved *r, bool deps, Lineage *l)
{
	IntVec		shares;
	int			i;
	int			rev;

	mgi_iv_init(c, &shares);
	if (TRUTHY(r->branch))
	{
		Ident		b = {r->branch, NONE_REV};

		if (!mgi_rev_for_ident(c, b, NULL, &rev))
			return false;
		if (rev >= 0)
			iv_push(&shares, rev);
	}
	for (i = 0; i < r->n; i++)
	{
		if (!mgi_rev_for_ident(c, r->ids[i], NULL, &rev))
			return false;
		if (rev >= 0)
			iv_push(&shares, rev);
	}
	l->all = (!TRUTHY(r->branch) && r->n == 0);
	l->anc = mgi_mark_new(c);
	l->desc = mgi_mark_new(c);
	mgi_closure(c, deps ? ANC_ALL : ANC_V, shares.v, shares.n, l->anc, NULL);
	mgi_closure(c, deps ? DESC_ALL : DESC_V, shares.v, shares.n, l->desc, NULL);
	return true;
}

/*
 * RevisionMap.filter_for_lineage: keep the targets that are an ancestor or
 * a descendant of what 'check' names.  The check text is parsed eagerly
 * (so "head" with several heads fails even with no targets), its names
 * resolved only when there is a target (rules §3.5).
 */
bool
mgi_filter_lineage(Ctx *c, const int *targets, int nt, const char *check,
				   bool deps, IntVec *out)
{
	Resolved	r;
	Lineage		l;
	int			i;

	out->n = 0;
	if (!mgi_resolve_number(c, check, &r))
		return false;
	if (nt == 0)
		return true;
	for (i = 0; i < nt; i++)
		if (targets[i] == NONE_REV)
			return mgi_fail(c, MG_ERR_UNSUPPORTED,
							"Alembic fails here with an internal error (a missing revision is compared with a branch).",
							NULL, "cannot compare a missing revision with branch '%s'",
							check ? check : "");
	if (!mgi_lineage_of(c, &r, deps, &l))
		return false;
	for (i = 0; i < nt; i++)
	{
		int			t = targets[i];

		/*
		 * A walk that ended at base hands Alembic the string "base", which it
		 * then looks up as an identifier (usually: not found).
		 */
		if (t == BASE_REV)
		{
			Ident		b = {"base", NONE_REV};

			if (!mgi_rev_for_ident(c, b, NULL, &t))
				return false;
		}
		if (mgi_in_lineage(&l, t))
			iv_push(out, targets[i]);
	}
	return true;
}

/* RevisionMap.get_current_head (rules §3.2) */
static bool
current_head(Ctx *c, const char *branch, int *out)
{
	const MgGraph *g = c->g;
	IntVec		hs;

	mgi_iv_init(c, &hs);
	if (TRUTHY(branch))
	{
		if (!mgi_filter_lineage(c, g->heads.items, g->heads.n, branch, false, &hs))
			return false;
	}
	else
	{
		mgi_iv_reserve(&hs, g->heads.n);
		if (g->heads.n)
			memcpy(hs.v, g->heads.items, sizeof(int) * (size_t) g->heads.n);
		hs.n = g->heads.n;
	}
	if (hs.n > 1)
		return mgi_fail_multiple_heads(c, hs.v, hs.n,
									   TRUTHY(branch) ?
									   mgi_printf(c, "%s@head", branch) : "head");
	*out = hs.n ? hs.v[0] : NONE_REV;
	return true;
}

/* RevisionMap._resolve_revision_number (rules §3.1, §3.2) */
bool
mgi_resolve_number(Ctx *c, const char *text, Resolved *out)
{
	const MgGraph *g = c->g;
	const char *at;
	const char *id;
	int			i;

	out->ids = NULL;
	out->n = 0;
	out->branch = NULL;
	if (text == NULL)
		return true;
	at = strchr(text, '@');
	if (at != NULL)
	{
		out->branch = mgi_strndup(c, text, (size_t) (at - text));
		id = at + 1;
	}
	else
		id = text;

	if (strcmp(id, "heads") == 0)
	{
		IntVec		hs;

		mgi_iv_init(c, &hs);
		if (TRUTHY(out->branch))
		{
			if (!mgi_filter_lineage(c, g->heads.items, g->heads.n, out->branch,
									false, &hs))
				return false;
		}
		else
			for (i = 0; i < g->real_heads.n; i++)
				iv_push(&hs, g->real_heads.items[i]);
		out->ids = mgi_alloc(c, (size_t) hs.n, sizeof(Ident));
		for (i = 0; i < hs.n; i++)
		{
			out->ids[i].name = NULL;
			out->ids[i].rev = hs.v[i];
		}
		out->n = hs.n;
	}
	else if (strcmp(id, "head") == 0)
	{
		int			h = NONE_REV;

		if (!current_head(c, out->branch, &h))
			return false;
		if (h >= 0)
		{
			out->ids = mgi_alloc(c, 1, sizeof(Ident));
			out->ids[0].name = NULL;
			out->ids[0].rev = h;
			out->n = 1;
		}
	}
	else if (strcmp(id, "base") != 0)
	{
		out->ids = mgi_alloc(c, 1, sizeof(Ident));
		out->ids[0].name = id;
		out->ids[0].rev = NONE_REV;
		out->n = 1;
	}
	return true;
}

/*
 * RevisionMap._resolve_branch: a label or id exactly, else a prefix;
 * any failure is "No such branch" (rules §3.4).
 */
bool
mgi_resolve_branch(Ctx *c, const char *label, int *out)
{
	const MgGraph *g = c->g;
	int			k = mgi_key_find(g, label);
	IntVec		cands;

	if (k >= 0)
	{
		*out = g->keyrev[k];
		return true;
	}
	mgi_iv_init(c, &cands);
	if (label[0] != '\0')
		mgi_prefix_candidates(c, label, &cands);
	if (cands.n == 1)
	{
		*out = g->keyrev[cands.v[0]];
		return true;
	}
	return mgi_fail_resolution(c, MG_ERR_NO_SUCH_BRANCH, label,
							   mgi_printf(c, "No such branch: '%s'", label));
}

/*
 * Does rev share lineage (down_revision only) with brev?  The lineage of
 * the last brev is kept, as "x@heads" checks every head against x.
 */
static bool
shares_lineage_v(Ctx *c, int rev, int brev)
{
	if (c->lin_anc == NULL)
	{
		c->lin_anc = mgi_mark_new(c);
		c->lin_desc = mgi_mark_new(c);
	}
	if (c->lin_rev != brev)
	{
		mgi_mark_clear(c->lin_anc);
		mgi_mark_clear(c->lin_desc);
		mgi_closure(c, ANC_V, &brev, 1, c->lin_anc, NULL);
		mgi_closure(c, DESC_V, &brev, 1, c->lin_desc, NULL);
		c->lin_rev = brev;
	}
	return mark_has(c->lin_anc, rev) || mark_has(c->lin_desc, rev);
}

/* RevisionMap._revision_for_ident (rules §3.3) */
bool
mgi_rev_for_ident(Ctx *c, Ident id, const char *branch, int *out)
{
	static const char *const short_note =
		"; please ensure at least four characters are present for partial revision identifier matches";
	const MgGraph *g = c->g;
	int			brev = NONE_REV;
	int			rev;
	const char *argument;

	if (TRUTHY(branch) && !mgi_resolve_branch(c, branch, &brev))
		return false;
	if (id.name == NULL)
	{
		rev = id.rev;
		argument = rev >= 0 ? g->ids[rev] : "";
	}
	else
	{
		int			k = mgi_key_find(g, id.name);

		argument = id.name;
		if (k >= 0)
			rev = g->keyrev[k];
		else
		{
			IntVec		cands;

			mgi_iv_init(c, &cands);
			/* Alembic asserts here (AssertionError) on an empty name */
			if (id.name[0] != '\0')
				mgi_prefix_candidates(c, id.name, &cands);
			if (cands.n > 0 && brev >= 0)
			{
				Resolved	r;
				Lineage		l;
				int			i,
							w = 0;

				if (!mgi_resolve_number(c, branch, &r) ||
					!mgi_lineage_of(c, &r, false, &l))
					return false;
				for (i = 0; i < cands.n; i++)
					if (mgi_in_lineage(&l, g->keyrev[cands.v[i]]))
						cands.v[w++] = cands.v[i];
				cands.n = w;
			}
			if (cands.n == 0)
				return mgi_fail_resolution(c, MG_ERR_UNKNOWN_REVISION, id.name,
										   mgi_printf(c, "No such revision or branch '%s'%s",
													  id.name,
													  py_len(id.name) < 4 ? short_note : ""));
			if (cands.n > 1)
			{
				Str			b;
				int			i;

				mgi_str_init(c, &b);
				for (i = 0; i < cands.n && i < 3; i++)
				{
					if (i > 0)
						mgi_str_add(&b, ", ");
					mgi_str_add(&b, "'");
					mgi_str_add(&b, g->key[cands.v[i]]);
					mgi_str_add(&b, "'");
				}
				return mgi_fail_resolution(c, MG_ERR_AMBIGUOUS_PREFIX, id.name,
										   mgi_printf(c, "Multiple revisions start with '%s': %s...",
													  id.name, b.s));
			}
			rev = g->keyrev[cands.v[0]];
		}
	}
	if (TRUTHY(branch) && rev >= 0)
	{
		if (!shares_lineage_v(c, rev, brev))
			return mgi_fail_resolution(c, MG_ERR_NOT_BRANCH_MEMBER, argument,
									   mgi_printf(c, "Revision %s is not a member of branch '%s'",
												  g->ids[rev], branch));
	}
	*out = rev;
	return true;
}

/*
 * RevisionMap.get_revisions for one string (rules §3.2, and §3.7 for
 * "<branch>@-N").  Entries may be NONE_REV (a "-N" walk past the end) or
 * BASE_REV (one that ended at base).
 */
bool
mgi_get_revisions_str(Ctx *c, const char *text, IntVec *out)
{
	const MgGraph *g = c->g;
	Resolved	r;
	long long	mag;
	int			i;

	if (!mgi_resolve_number(c, text, &r))
		return false;
	if (r.n == 1 && r.ids[0].name != NULL &&
		mgi_py_negative_int(r.ids[0].name, &mag))
	{
		/* branch@-n: walk down from the real heads carrying the label */
		for (i = 0; i < g->real_heads.n; i++)
		{
			int			h = g->real_heads.items[i];
			int			res;

			if (r.branch != NULL && !mgi_has_spread_label(g, h, r.branch))
				continue;
			if (!mgi_walk(c, NULL, h, -mag, NULL, true, &res))
				return false;
			iv_push(out, res);
		}
		return true;
	}
	for (i = 0; i < r.n; i++)
	{
		int			rev;

		if (!mgi_rev_for_ident(c, r.ids[i], r.branch, &rev))
			return false;
		iv_push(out, rev);
	}
	return true;
}

/* RevisionMap.get_revision: exactly one revision, or none for base */
bool
mgi_get_revision(Ctx *c, const char *text, int *out)
{
	Resolved	r;
	Ident		nothing = {NULL, NONE_REV};

	if (!mgi_resolve_number(c, text, &r))
		return false;
	if (r.n > 1)
	{
		int		   *hs = mgi_alloc(c, (size_t) r.n, sizeof(int));
		int			i;

		for (i = 0; i < r.n; i++)
			hs[i] = r.ids[i].rev;
		return mgi_fail_multiple_heads(c, hs, r.n, text ? text : "");
	}
	return mgi_rev_for_ident(c, r.n ? r.ids[0] : nothing, r.branch, out);
}

/* the revisions an argument stands for: a target's, or the rows */
bool
mgi_get_revisions_arg(Ctx *c, Arg a, IntVec *out)
{
	int			i;

	if (a.str != NULL)
		return mgi_get_revisions_str(c, a.str, out);
	for (i = 0; i < a.nrevs; i++)
		iv_push(out, a.revs[i]);
	return true;
}

/*
 * RevisionMap._get_all_current: the rows and their ancestors, keeping the
 * versioned tips (rules §10.1)
 */
void
mgi_all_current(Ctx *c, const int *rows, int nrows, IntVec *out)
{
	const MgGraph *g = c->g;
	Mark	   *mk = mgi_mark_new(c);
	IntVec		anc;
	int			i;

	mgi_iv_init(c, &anc);
	mgi_closure(c, ANC_ALL, rows, nrows, mk, &anc);
	/* registration order: a scan of the marks when that is cheaper */
	if ((long long) anc.n * 16 < g->n)
		mgi_sort_ints(anc.v, anc.n);
	else
	{
		anc.n = 0;
		for (i = 0; i < g->n; i++)
			if (mark_has(mk, i))
				anc.v[anc.n++] = i;
	}
	for (i = 0; i < anc.n; i++)
	{
		const int  *e;
		int			ne,
					j;
		bool		tip = true;

		edges(g, DESC_V, anc.v[i], &e, &ne);
		for (j = 0; j < ne && tip; j++)
			if (mark_has(mk, e[j]))
				tip = false;
		if (tip)
			iv_push(out, anc.v[i]);
	}
}


/* alembic current (rules §10.1) */
bool
mg_current(const MgGraph *g, const MgRevList *rows, MgRevList *out,
		   MgError *err)
{
	Ctx			cx;
	const int  *r;
	int			nr;
	IntVec		res;
	bool		ok;

	if (!mgi_ctx_begin(&cx, g, err))
		return false;
	mgi_iv_init(&cx, &res);
	ok = mgi_check_rows(&cx, rows, &r, &nr);
	if (ok)
	{
		mgi_all_current(&cx, r, nr, &res);
		mgi_to_revlist(&res, out);
	}
	mgi_ctx_end(&cx);
	return ok;
}

/* alembic show, and the forms it does not read (rules §3.7) */
bool
mg_resolve(const MgGraph *g, const char *target, const MgRevList *rows,
		   MgRevList *out, MgError *err)
{
	Ctx			cx;
	Ctx		   *c = &cx;
	const int  *r;
	int			nr,
				i,
				k;
	IntVec		res,
				uniq;
	RelTarget	rt;
	bool		ok = false;

	if (!mgi_ctx_begin(c, g, err))
		return false;
	mgi_iv_init(c, &res);
	mgi_iv_init(c, &uniq);
	if (!mgi_check_rows(c, rows, &r, &nr))
		goto done;
	if (target == NULL)
	{
		mgi_fail(c, MG_ERR_BAD_TARGET, NULL, NULL, "target must not be null");
		goto done;
	}
	mgi_rel_match(c, target, &rt);
	if (rt.matched && (rt.symbol != NULL || rt.plus || rt.zero))
	{
		/* <symbol>+-N walks from the symbol, +N from the rows, as upgrade */
		Arg			cur = {NULL, r, nr};
		Arg			tgt = {target, NULL, 0};

		if (!mgi_parse_upgrade_target(c, cur, tgt, true, &res))
			goto done;
	}
	else if (!mgi_get_revisions_str(c, target, &res))	/* as alembic show */
		goto done;
	for (i = 0; i < res.n; i++)
	{
		bool		seen = false;

		if (res.v[i] == NONE_REV)
		{
			/* Alembic's show crashes on the None a walk past the end gives */
			long long	mag = 0;

			if (rt.matched)
				mgi_fail_relative(c, rt.rel_text, rt.abs_text,
								  "The walk goes past the end of the revision graph.");
			else
			{
				(void) mgi_py_negative_int(target, &mag);
				mgi_fail_relative(c, mgi_printf(c, "-%lld", mag),
								  mgi_printf(c, "%lld", mag),
								  "The walk goes past the end of the revision graph.");
			}
			goto done;
		}
		if (res.v[i] == BASE_REV)
			continue;
		for (k = 0; k < uniq.n; k++)
			if (uniq.v[k] == res.v[i])
				seen = true;
		if (!seen)
			iv_push(&uniq, res.v[i]);
	}
	mgi_to_revlist(&uniq, out);
	ok = true;
done:
	mgi_ctx_end(c);
	return ok;
}
