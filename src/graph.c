/*-------------------------------------------------------------------------
 *
 * graph.c
 *	  The revision graph of one project, with Alembic's rules.
 *
 * This file implements graph.h from the rules written down in
 * shared/alembic-semantics.md (Alembic 1.8.1, checked against 1.19).  It
 * uses nothing but the C library: no PostgreSQL headers, no global state.
 * A graph is immutable once built, so the server may keep several (one per
 * project) and plan against them at will; every call allocates its own
 * scratch space, which it hands back to mg_free before returning, and
 * allocates what it returns with mg_alloc (owned by the caller's memory
 * context from then on).
 *
 * The code keeps the structure of Alembic's own algorithms (the way a
 * target is split, resolved, walked and checked) because the order in
 * which Alembic tries things decides which error a user sees, but the
 * data structures are different: revisions are integers, adjacency lists
 * are compact arrays, ids and labels sit in a hash table (and a sorted
 * array for prefix matching), visited sets are generation-stamped arrays,
 * and nothing recurses, so a 100,000-revision chain is no problem.  The
 * places where Alembic is quadratic use other algorithms that give the
 * same results:
 *
 *	- depends_on normalization: per dependency target, a memoized search
 *	  over the declarers only (normalize_deps);
 *	- label spreading: one forward pass with shared arrays, plus the chains
 *	  its downward walk covers (spread_labels);
 *	- "is this revision an ancestor of that one": a forest of single-parent
 *	  links with interval numbers, searched only at merges, and post-order
 *	  numbers that rule most pairs out at once (build_forest);
 *	- the topological sort: Alembic's list machine, with cursors and
 *	  memoized reachability instead of per-head ancestor sets (topo_sort);
 *	- "is this down revision below another row": two searches in turns
 *	  (covered_by_other_row).
 *
 * Building, planning upgrade('heads') or downgrade('base') and ordering
 * history over 100,000 revisions each take well under 100 ms on graphs
 * with branches, merges and dependencies (test/graph/bench.c).
 *
 * Ties.  Alembic breaks ties by the order its revision map was loaded in
 * (file-system order in 1.8.1).  Here the input array order, i.e. the
 * registration order, plays that role.  Where Alembic keeps things in a
 * Python set (the normalized dependencies of a revision, the rows of a
 * merge), we use the registration order as well.
 *
 * Deliberate differences from Alembic 1.8.1 (see also semantics sec. 14):
 *
 *	- A duplicate revision id, a down_revision that names a branch label or
 *	  names a parent twice, and a depends_on that names the revision's own
 *	  branch label are refused when the graph is built.  Ids and labels must
 *	  follow mg_check_name's grammar.  Cycles that Alembic's own check
 *	  misses (a loop that is reachable from a head and from a base) are
 *	  refused as well.
 *	- Where Alembic fails with a bare AssertionError or KeyError we return
 *	  a clean error and change nothing:
 *		* upgrade to <symbol>+N / <symbol>-N that walks past either end, or
 *		  lands on "base": MG_ERR_RELATIVE_RANGE;
 *		* downgrade <branch>@-N where the branch has no applied revision
 *		  (MG_ERR_RELATIVE_RANGE) or several (MG_ERR_AMBIGUOUS_DOWNGRADE);
 *		* a missing down_revision/depends_on: MG_ERR_MISSING_PARENT;
 *		* an empty identifier ("", "x@"): MG_ERR_UNKNOWN_REVISION;
 *		* upgrading a merge whose down revisions include an ancestor of
 *		  another of them while two of them are rows: MG_ERR_UNSUPPORTED;
 *		* history ranges whose revisions cannot be ordered by Alembic's
 *		  sort (a dependency leaves a revision of the range unreachable),
 *		  and a range start "<id>@..." whose revision does not carry
 *		  exactly one branch label: MG_ERR_UNSUPPORTED;
 *		* a history range with more than one ':': MG_ERR_BAD_TARGET.
 *	- stamp, where Alembic crashes or leaves an inconsistent table
 *	  (semantics 9.4): a destination given twice is stamped twice, as
 *	  Alembic does, and refused with MG_ERR_UNSUPPORTED where the second
 *	  time clashes with the first (Alembic fails there); destinations of which one is an ancestor of another are refused
 *	  with MG_ERR_OVERLAP (Alembic inserts both rows); a "-N" destination
 *	  whose walk ends at base is refused with MG_ERR_RELATIVE_RANGE
 *	  (Alembic crashes); two destinations that would both replace the same rows
 *	  (Alembic: KeyError, nothing committed) are refused with
 *	  MG_ERR_UNSUPPORTED.
 *	- downgrade -N (no branch part) with several version rows is refused
 *	  with MG_ERR_AMBIGUOUS_DOWNGRADE instead of picking the physically
 *	  first row.
 *	- Unmerging on downgrade follows the fixed Alembic (issue 1373): the
 *	  rows restored are the down revisions that are neither ancestors of
 *	  other rows nor ancestors of one another.  1.19 drops the latter only
 *	  when the revision is the last row; we always do, so the rows never
 *	  hold a revision and its ancestor.
 *	- A history range whose start is a relative "-N" that walks past the
 *	  end reports MG_ERR_RELATIVE_RANGE (Alembic reports a confusing
 *	  "Can't locate revision identified by 'heads'").  An empty or NULL
 *	  range means base:heads (graph.h), where alembic history says "History
 *	  range requires [start]:[end], [start]:, or :[end]" for "".
 *	- mg_resolve is alembic show (get_revisions) plus two forms show does
 *	  not read: <symbol>+N / <symbol>-N walk from the symbol and +N from the
 *	  version rows, as upgrade would.  A walk that ends at base resolves to
 *	  base, the empty list (show crashes on it).
 *	- Where Alembic keeps branch labels in its map in a Python set's order,
 *	  we use registration order: it only shows in the order of the
 *	  candidates an ambiguous-prefix error lists.
 *	- Relative targets are read with ASCII \w and \d; Python's regular
 *	  expressions would also accept non-ASCII letters and digits, which no
 *	  id can contain anyway.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

/* Alembic's None (no revision) and the string "base" a walk may return */
#define NONE_REV	(-1)
#define BASE_REV	(-2)

/* walks never need more steps than this; longer requests saturate */
#define MAX_STEPS	((long long) 1 << 40)

/* which edges a traversal follows */
typedef enum Dir
{
	ANC_V,						/* down_revision only */
	ANC_ALL,					/* normalized down revisions (deps too) */
	ANC_RAW,					/* down_revision + every resolved dependency */
	DESC_V,						/* nextrev */
	DESC_ALL					/* _all_nextrev */
} Dir;

struct MgGraph
{
	int			n;
	char	  **ids;
	/* adjacency as compact arrays; xxx_off has n + 1 entries */
	int		   *par_off;		/* down_revision, as registered */
	int		   *par;
	int		   *dep_off;		/* resolved depends_on, duplicates dropped */
	int		   *dep;
	int		   *ndep_raw;		/* depends_on entries as registered */
	int		   *raw_off;		/* parents + resolved deps */
	int		   *raw;
	int		   *np_off;			/* normalized down revisions */
	int		   *np;
	int		   *vch_off;		/* children through down_revision */
	int		   *vch;
	int		   *ach_off;		/* children through anything */
	int		   *ach;
	int		   *topo;			/* ancestors (any edge) come first */
	/*
	 * Reachability index: the forest in which every revision hangs below
	 * its first normalized down revision.  Within a tree, ancestry is
	 * interval containment (pre-order number and subtree size); a search
	 * for an ancestor only has to follow the other down revisions of the
	 * merges on a tree path, which nt_up finds: the nearest revision at or
	 * below v on its tree path that has more than one down revision.
	 */
	int		   *troot;
	int		   *tpre;
	int		   *tsize;
	int		   *tpar;
	int		   *nt_up;
	/*
	 * And a filter for the searches: a post-order number over a walk up the
	 * children, and the lowest such number among each revision's
	 * descendants.  A descendant of c always numbers within
	 * [glow[c], grank[c]], so anything outside cannot be one.
	 */
	int		   *grank;
	int		   *glow;
	/* the map keys: ids in registration order, then branch labels */
	int			nkeys;
	char	  **key;
	int		   *keylen;
	int		   *keyrev;
	int		   *sorted;			/* key indexes in byte order */
	int			hmask;
	int		   *htab;			/* open addressing, key index or -1 */
	/* branch labels: own (as registered) and after spreading (1.8) */
	int		   *own_off;
	const char **own;
	const char ***slab;
	int		   *nslab;
	/* listings */
	MgRevList	heads;
	MgRevList	real_heads;
	MgRevList	bases;
	MgRevList	real_bases;
	MgRevList	branch_points;
};

/* ----------------------------------------------------------------------
 * Per-call context: scratch memory, error wording, a reusable stack
 * ----------------------------------------------------------------------
 */
typedef struct Ctx
{
	const MgGraph *g;
	MgError    *err;
	void	  **scratch;
	int			nscratch;
	int			cscratch;
	/* how the command being run words its errors (Alembic's command layer) */
	const char *mh_arg;			/* MultipleHeads: the destination as typed */
	bool		stamp_wording;	/* stamp's own MultipleHeads text */
	bool		history_range;	/* RangeNotAncestorError as history says it */
	const char *range_start;
	const char *range_end;
	const char *destination;	/* downgrade's "Destination ..." */
	int		   *stack;
	int			nstack;
	int			cstack;
	/* versioned lineage of one revision, kept for repeated member checks */
	int			lin_rev;
	struct Mark *lin_anc;
	struct Mark *lin_desc;
} Ctx;

typedef struct IntVec
{
	int		   *v;
	int			n;
	int			cap;
	Ctx		   *c;
	int			slot;
} IntVec;

/* a set of revisions: member when m[rev] == gen; clearing bumps gen */
typedef struct Mark
{
	unsigned   *m;
	unsigned	gen;
	int			n;
} Mark;

static void
ctx_init(Ctx *c, const MgGraph *g, MgError *err)
{
	memset(c, 0, sizeof(*c));
	c->g = g;
	c->lin_rev = -1;
	c->err = err;
	err->code = MG_OK;
	err->message = NULL;
	err->detail = NULL;
	err->hint = NULL;
}

static int
track(Ctx *c, void *p)
{
	if (c->nscratch == c->cscratch)
	{
		int			ncap = c->cscratch ? c->cscratch * 2 : 32;

		if (c->scratch == NULL)
			c->scratch = mg_alloc(sizeof(void *) * (size_t) ncap);
		else
			c->scratch = mg_realloc(c->scratch, sizeof(void *) * (size_t) ncap);
		c->cscratch = ncap;
	}
	c->scratch[c->nscratch] = p;
	return c->nscratch++;
}

/* scratch memory, zeroed, handed back by ctx_end */
static void *
sc_alloc(Ctx *c, size_t nelem, size_t size)
{
	void	   *p;

	/* counts are ints and sizes small, but keep the product honest */
	if (nelem == 0)
		nelem = 1;
	if (nelem > SIZE_MAX / size)
		nelem = SIZE_MAX / size;
	p = mg_alloc(nelem * size);
	track(c, p);
	return p;
}

static void
ctx_end(Ctx *c)
{
	int			i;

	for (i = 0; i < c->nscratch; i++)
		if (c->scratch[i] != NULL)
			mg_free(c->scratch[i]);
	if (c->scratch != NULL)
		mg_free(c->scratch);
	if (c->stack != NULL)
		mg_free(c->stack);
	c->scratch = NULL;
	c->stack = NULL;
	c->nscratch = c->cscratch = 0;
}

static void
iv_init(Ctx *c, IntVec *a)
{
	a->v = NULL;
	a->n = 0;
	a->cap = 0;
	a->c = c;
	a->slot = -1;
}

static void
iv_reserve(IntVec *a, int need)
{
	int			ncap;

	if (need <= a->cap)
		return;
	ncap = a->cap ? a->cap : 8;
	while (ncap < need)
		ncap = (ncap > INT_MAX / 2) ? INT_MAX : ncap * 2;
	if (a->v == NULL)
	{
		a->v = mg_alloc(sizeof(int) * (size_t) ncap);
		a->slot = track(a->c, a->v);
	}
	else
	{
		a->v = mg_realloc(a->v, sizeof(int) * (size_t) ncap);
		a->c->scratch[a->slot] = a->v;
	}
	a->cap = ncap;
}

static inline void
iv_push(IntVec *a, int x)
{
	if (a->n == a->cap)
		iv_reserve(a, a->n + 1);
	a->v[a->n++] = x;
}

static inline void
st_push(Ctx *c, int x)
{
	if (c->nstack == c->cstack)
	{
		int			ncap = c->cstack ? c->cstack * 2 : 64;

		if (c->stack == NULL)
			c->stack = mg_alloc(sizeof(int) * (size_t) ncap);
		else
			c->stack = mg_realloc(c->stack, sizeof(int) * (size_t) ncap);
		c->cstack = ncap;
	}
	c->stack[c->nstack++] = x;
}

static Mark *
mark_new(Ctx *c)
{
	Mark	   *k = sc_alloc(c, 1, sizeof(Mark));

	k->n = c->g->n;
	k->m = sc_alloc(c, (size_t) k->n, sizeof(unsigned));
	k->gen = 1;
	return k;
}

static void
mark_clear(Mark *k)
{
	if (++k->gen == 0)
	{
		memset(k->m, 0, sizeof(unsigned) * (size_t) (k->n ? k->n : 1));
		k->gen = 1;
	}
}

static inline bool
mark_has(const Mark *k, int v)
{
	return v >= 0 && k->m[v] == k->gen;
}

static inline void
mark_set(Mark *k, int v)
{
	k->m[v] = k->gen;
}

static inline void
mark_unset(Mark *k, int v)
{
	k->m[v] = 0;
}

/* a memo for reaches(): -1 everywhere */
static int *
memo_new(Ctx *c)
{
	int		   *m = sc_alloc(c, (size_t) c->g->n, sizeof(int));
	int			i;

	for (i = 0; i < c->g->n; i++)
		m[i] = -1;
	return m;
}

/* ----------------------------------------------------------------------
 * Strings and errors
 * ----------------------------------------------------------------------
 */
#if defined(__GNUC__) || defined(__clang__)
#define MG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MG_PRINTF(f, a)
#endif

static char *fmt_keep(const char *fmt,...) MG_PRINTF(1, 2);
static const char *sc_printf(struct Ctx *c, const char *fmt,...) MG_PRINTF(2, 3);
static bool fail(struct Ctx *c, MgErrorCode code, const char *detail,
				 const char *hint, const char *fmt,...) MG_PRINTF(5, 6);

/* printf into memory the caller keeps (messages, details) */
static char *
fmt_keep(const char *fmt,...)
{
	va_list		ap;
	int			len;
	char	   *buf;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	buf = mg_alloc((size_t) len + 1);
	va_start(ap, fmt);
	vsnprintf(buf, (size_t) len + 1, fmt, ap);
	va_end(ap);
	return buf;
}

/* a growable string, in scratch memory */
typedef struct Str
{
	char	   *s;
	size_t		len;
	size_t		cap;
	Ctx		   *c;
	int			slot;
} Str;

static void
str_init(Ctx *c, Str *b)
{
	b->c = c;
	b->cap = 64;
	b->len = 0;
	b->s = mg_alloc(b->cap);
	b->slot = track(c, b->s);
}

static void
str_addn(Str *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		size_t		ncap = b->cap;

		while (b->len + n + 1 > ncap)
			ncap *= 2;
		b->s = mg_realloc(b->s, ncap);
		b->c->scratch[b->slot] = b->s;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
str_add(Str *b, const char *s)
{
	str_addn(b, s, strlen(s));
}

/* copy of s[0..n) in scratch memory */
static char *
sc_strndup(Ctx *c, const char *s, size_t n)
{
	char	   *p = sc_alloc(c, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static const char *
sc_printf(Ctx *c, const char *fmt,...)
{
	va_list		ap;
	int			len;
	char	   *buf;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	buf = sc_alloc(c, (size_t) len + 1, 1);
	va_start(ap, fmt);
	vsnprintf(buf, (size_t) len + 1, fmt, ap);
	va_end(ap);
	return buf;
}

/*
 * Fill the caller's MgError (first error wins) and return false, so that
 * failure paths read "return fail(...)".
 */
static bool
fail(Ctx *c, MgErrorCode code, const char *detail, const char *hint,
	 const char *fmt,...)
{
	va_list		ap;
	int			len;
	char	   *buf;

	if (c->err->code != MG_OK)
		return false;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	buf = mg_alloc((size_t) len + 1);
	va_start(ap, fmt);
	vsnprintf(buf, (size_t) len + 1, fmt, ap);
	va_end(ap);
	c->err->code = code;
	c->err->message = buf;
	c->err->detail = detail ? fmt_keep("%s", detail) : NULL;
	c->err->hint = hint ? fmt_keep("%s", hint) : NULL;
	return false;
}

/* ", "-joined ids of a list of revisions */
static const char *
join_ids(Ctx *c, const int *revs, int n, bool quoted)
{
	Str			b;
	int			i;

	str_init(c, &b);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			str_add(&b, ", ");
		if (quoted)
			str_add(&b, "'");
		str_add(&b, c->g->ids[revs[i]]);
		if (quoted)
			str_add(&b, "'");
	}
	return b.s;
}

/* Python's str() of a tuple of strings, which Alembic sometimes prints */
static const char *
py_tuple(Ctx *c, const int *revs, int n)
{
	Str			b;

	str_init(c, &b);
	str_add(&b, "(");
	str_add(&b, join_ids(c, revs, n, true));
	if (n == 1)
		str_add(&b, ",");
	str_add(&b, ")");
	return b.s;
}

/*
 * Alembic's ResolutionError, as the command layer words it: the message
 * names what could not be located, the detail says why.
 */
static bool
fail_resolution(Ctx *c, MgErrorCode code, const char *argument,
				const char *cause)
{
	const char *hint = NULL;

	if (code == MG_ERR_AMBIGUOUS_PREFIX)
		hint = "Type more characters of the revision id, or the whole id.";
	return fail(c, code, cause, hint,
				"Can't locate revision identified by '%s'", argument);
}

static bool
fail_multiple_heads(Ctx *c, const int *heads, int n, const char *argument)
{
	const char *detail = sc_printf(c, "The heads are %s.",
								   join_ids(c, heads, n, false));

	if (c->stamp_wording)
		return fail(c, MG_ERR_MULTIPLE_HEADS, detail, NULL,
					"Multiple heads are present; please specify a single target revision");
	if (c->mh_arg != NULL)
		argument = c->mh_arg;
	return fail(c, MG_ERR_MULTIPLE_HEADS, detail, NULL,
				"Multiple head revisions are present for given argument '%s'; "
				"please specify a specific target revision, "
				"'<branchname>@%s' to narrow to a specific head, "
				"or 'heads' for all heads", argument, argument);
}

/* ----------------------------------------------------------------------
 * Names
 * ----------------------------------------------------------------------
 */
static bool
name_char_ok(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

bool
mg_check_name(const char *name, const char *what, MgError *err)
{
	MgError		dummy;
	size_t		len;
	size_t		i;
	bool		bad[256];
	bool		any = false;
	char		list[256 * 6];
	size_t		pos = 0;
	int			ch;

	if (err == NULL)
		err = &dummy;
	err->code = MG_OK;
	err->message = err->detail = err->hint = NULL;
	if (what == NULL)
		what = "revision identifier";
	if (name == NULL)
	{
		err->code = MG_ERR_BAD_ID;
		err->message = fmt_keep("%s must not be null", what);
		return false;
	}
	len = strlen(name);
	if (len == 0)
	{
		err->code = MG_ERR_BAD_ID;
		err->message = fmt_keep("%s must not be empty", what);
		err->hint = fmt_keep("Use 1 to %d ASCII letters, digits, underscores and dots.",
							 MG_MAX_ID_LEN);
		return false;
	}
	if (len > MG_MAX_ID_LEN)
	{
		err->code = MG_ERR_BAD_ID;
		err->message = fmt_keep("%s is too long", what);
		err->detail = fmt_keep("It has %zu bytes; at most %d are allowed.",
							   len, MG_MAX_ID_LEN);
		return false;
	}
	memset(bad, 0, sizeof(bad));
	for (i = 0; i < len; i++)
	{
		unsigned char uc = (unsigned char) name[i];

		if (!name_char_ok(uc))
		{
			bad[uc] = true;
			any = true;
		}
	}
	if (any)
	{
		/*
		 * Alembic's wording lists the offending characters sorted and comma
		 * separated; bytes that would not print are shown as \xNN.
		 */
		for (ch = 0; ch < 256; ch++)
		{
			if (!bad[ch])
				continue;
			if (pos > 0)
			{
				list[pos++] = ',';
				list[pos++] = ' ';
			}
			if (ch > 0x20 && ch < 0x7f)
				list[pos++] = (char) ch;
			else
				pos += (size_t) snprintf(list + pos, sizeof(list) - pos,
										 "\\x%02x", ch);
		}
		list[pos] = '\0';
		err->code = MG_ERR_BAD_ID;
		err->message = fmt_keep("Character(s) '%s' not allowed in %s '%s'",
								list, what, name);
		err->hint = fmt_keep("Use ASCII letters, digits, underscores and dots.");
		return false;
	}
	if (strcmp(name, "base") == 0 || strcmp(name, "head") == 0 ||
		strcmp(name, "heads") == 0)
	{
		err->code = MG_ERR_BAD_ID;
		err->message = fmt_keep("'%s' is reserved and cannot be used as a %s",
								name, what);
		err->detail = fmt_keep("The names base, head and heads are target symbols.");
		return false;
	}
	return true;
}

/* ----------------------------------------------------------------------
 * The key map: revision ids and branch labels
 * ----------------------------------------------------------------------
 */
static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t	h = 1469598103934665603ULL;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int
key_find_n(const MgGraph *g, const char *s, size_t n)
{
	uint64_t	h;
	int			i;

	if (g->htab == NULL || n > MG_MAX_ID_LEN)
		return -1;
	h = hash_bytes(s, n);
	for (i = (int) (h & (uint64_t) g->hmask);; i = (i + 1) & g->hmask)
	{
		int			k = g->htab[i];

		if (k < 0)
			return -1;
		if ((size_t) g->keylen[k] == n && memcmp(g->key[k], s, n) == 0)
			return k;
	}
}

static int
key_find(const MgGraph *g, const char *s)
{
	return key_find_n(g, s, strlen(s));
}

static void
key_insert(MgGraph *g, int k)
{
	uint64_t	h = hash_bytes(g->key[k], (size_t) g->keylen[k]);
	int			i;

	for (i = (int) (h & (uint64_t) g->hmask); g->htab[i] >= 0;
		 i = (i + 1) & g->hmask)
		;
	g->htab[i] = k;
}

/* ----------------------------------------------------------------------
 * Traversals
 * ----------------------------------------------------------------------
 */
static inline void
edges(const MgGraph *g, Dir d, int v, const int **e, int *ne)
{
	const int  *off;
	const int  *arr;

	switch (d)
	{
		case ANC_V:
			off = g->par_off;
			arr = g->par;
			break;
		case ANC_ALL:
			off = g->np_off;
			arr = g->np;
			break;
		case ANC_RAW:
			off = g->raw_off;
			arr = g->raw;
			break;
		case DESC_V:
			off = g->vch_off;
			arr = g->vch;
			break;
		default:
			off = g->ach_off;
			arr = g->ach;
			break;
	}
	*e = arr + off[v];
	*ne = off[v + 1] - off[v];
}

/*
 * Mark everything reachable from src (inclusive) along d.  Revisions
 * already marked are not entered again, so repeated calls accumulate.
 * Members newly marked are appended to out when out is not NULL.
 */
static void
closure(Ctx *c, Dir d, const int *src, int nsrc, Mark *mk, IntVec *out)
{
	int			i;

	for (i = 0; i < nsrc; i++)
	{
		if (src[i] < 0 || mark_has(mk, src[i]))
			continue;
		mark_set(mk, src[i]);
		if (out)
			iv_push(out, src[i]);
		st_push(c, src[i]);
		while (c->nstack > 0)
		{
			int			v = c->stack[--c->nstack];
			const int  *e;
			int			ne;
			int			j;

			edges(c->g, d, v, &e, &ne);
			for (j = 0; j < ne; j++)
				if (!mark_has(mk, e[j]))
				{
					mark_set(mk, e[j]);
					if (out)
						iv_push(out, e[j]);
					st_push(c, e[j]);
				}
		}
	}
}

/*
 * Alembic's _iterate_related_revisions(check=True): the closure of the
 * targets, failing when one target is reached from another.  Alembic walks
 * the targets in order, not re-entering revisions seen for earlier
 * targets, and compares what each walk touched with the target list; we do
 * the same walk, so the same overlap is reported first.
 */
static bool
closure_checked(Ctx *c, Dir d, const int *targets, int nt, Mark *mk,
				IntVec *out)
{
	Mark	   *istarget;
	Mark	   *hit;
	IntVec		overlaps;
	int			i;

	if (nt <= 1)
	{
		closure(c, d, targets, nt, mk, out);
		return true;
	}
	istarget = mark_new(c);
	hit = mark_new(c);
	iv_init(c, &overlaps);
	for (i = 0; i < nt; i++)
		mark_set(istarget, targets[i]);
	for (i = 0; i < nt; i++)
	{
		int			t = targets[i];

		mark_clear(hit);
		overlaps.n = 0;
		st_push(c, t);
		while (c->nstack > 0)
		{
			int			v = c->stack[--c->nstack];
			const int  *e;
			int			ne;
			int			j;

			if (v != t && mark_has(istarget, v) && !mark_has(hit, v))
			{
				mark_set(hit, v);
				iv_push(&overlaps, v);
			}
			if (mark_has(mk, v))
				continue;
			mark_set(mk, v);
			if (out)
				iv_push(out, v);
			edges(c->g, d, v, &e, &ne);
			for (j = 0; j < ne; j++)
				st_push(c, e[j]);
		}
		if (overlaps.n > 0)
		{
			int			a,
						b;

			/* a set in Alembic; registration order here */
			for (a = 1; a < overlaps.n; a++)
				for (b = a; b > 0 && overlaps.v[b - 1] > overlaps.v[b]; b--)
				{
					int			tmp = overlaps.v[b];

					overlaps.v[b] = overlaps.v[b - 1];
					overlaps.v[b - 1] = tmp;
				}
			return fail(c, MG_ERR_OVERLAP,
						"One requested revision is an ancestor or descendant of another.",
						NULL,
						"Requested revision %s overlaps with other requested revisions %s",
						c->g->ids[t], join_ids(c, overlaps.v, overlaps.n, false));
		}
	}
	return true;
}

static inline bool tree_below(const MgGraph *g, int a, int b);
static inline bool maybe_below(const MgGraph *g, int a, int b);
static int *memo_new(Ctx *c);

/*
 * Is a an ancestor-or-self of b, following every edge?  Most answers come
 * from the index alone (a tree path, or the post-order numbers ruling it
 * out).  Otherwise the search walks b's tree path down, merge by merge
 * (nt_up), and continues from the merges' other down revisions; nothing
 * ordered before a can lead to it.  memo[y] == a records that merge y was
 * searched for a without success, so no search for a enters it again;
 * when a search succeeds, the merges it went through are forgotten.
 */
static bool
reaches(Ctx *c, int *memo, IntVec *stack, IntVec *seen, int a, int b)
{
	const MgGraph *g = c->g;
	int			floor = g->topo[a];
	int			i;

	if (a == b)
		return true;
	if (g->topo[b] < floor || !maybe_below(g, a, b))
		return false;
	if (tree_below(g, a, b))
		return true;
	stack->n = 0;
	seen->n = 0;
	iv_push(stack, b);
	while (stack->n > 0)
	{
		int			y = g->nt_up[stack->v[--stack->n]];

		while (y >= 0 && g->topo[y] > floor && memo[y] != a)
		{
			int			e;

			memo[y] = a;
			iv_push(seen, y);
			for (e = g->np_off[y] + 1; e < g->np_off[y + 1]; e++)
			{
				int			p = g->np[e];

				if (tree_below(g, a, p))
				{
					for (i = 0; i < seen->n; i++)
						memo[seen->v[i]] = -1;
					return true;
				}
				if (g->topo[p] > floor && maybe_below(g, a, p))
					iv_push(stack, p);
			}
			y = g->tpar[y] >= 0 ? g->nt_up[g->tpar[y]] : -1;
		}
	}
	return false;
}

/* is a a strict ancestor of b? */
static bool
strict_ancestor(Ctx *c, int *memo, IntVec *stack, IntVec *seen, int a, int b)
{
	return a != b && reaches(c, memo, stack, seen, a, b);
}

/* ----------------------------------------------------------------------
 * Building the graph
 * ----------------------------------------------------------------------
 */

/* compact array from per-revision counts */
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

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 * Alembic's _detect_cycles, for one kind of edge: a revision is in (or
 * behind) a cycle when it cannot be reached both down from a head and up
 * from a base.
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
	iv_init(c, &hs);
	iv_init(c, &bs);
	iv_init(c, &bad);
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
		return fail(c, code, "There is no head or no base to start from.", NULL,
					"%s is detected in revisions (%s)", kind,
					join_ids(c, bad.v, bad.n, false));
	}
	down = mark_new(c);
	up = mark_new(c);
	closure(c, deps ? ANC_RAW : ANC_V, hs.v, hs.n, down, NULL);
	closure(c, deps ? DESC_ALL : DESC_V, bs.v, bs.n, up, NULL);
	for (i = 0; i < n; i++)
		if (!mark_has(down, i) || !mark_has(up, i))
			iv_push(&bad, i);
	if (bad.n > 0)
	{
		const char **names = sc_alloc(c, (size_t) bad.n, sizeof(char *));
		Str			b;

		for (i = 0; i < bad.n; i++)
			names[i] = g->ids[bad.v[i]];
		qsort(names, (size_t) bad.n, sizeof(char *), cmp_str);
		str_init(c, &b);
		for (i = 0; i < bad.n; i++)
		{
			if (i > 0)
				str_add(&b, ", ");
			str_add(&b, names[i]);
		}
		return fail(c, code, NULL, NULL, "%s is detected in revisions (%s)",
					kind, b.s);
	}
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
	int		   *indeg = sc_alloc(c, (size_t) n, sizeof(int));
	int		   *queue = sc_alloc(c, (size_t) n, sizeof(int));
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
		const char **names;
		Str			b;
		int			k = 0;

		iv_init(c, &left);
		for (i = 0; i < n; i++)
			if (indeg[i] > 0)
				iv_push(&left, i);
		names = sc_alloc(c, (size_t) left.n, sizeof(char *));
		for (i = 0; i < left.n; i++)
			names[k++] = g->ids[left.v[i]];
		qsort(names, (size_t) k, sizeof(char *), cmp_str);
		str_init(c, &b);
		for (i = 0; i < k; i++)
		{
			if (i > 0)
				str_add(&b, ", ");
			str_add(&b, names[i]);
		}
		return fail(c, deps ? MG_ERR_DEP_CYCLE : MG_ERR_CYCLE,
					"These revisions are on a loop of down revisions or dependencies, or above one.",
					NULL, "%s is detected in revisions (%s)",
					deps ? "Dependency cycle" : "Cycle", b.s);
	}
	return true;
}

/*
 * Alembic's _normalize_depends_on: drop a dependency d of R when some
 * versioned ancestor of R (down_revision only) also declares d.  Alembic
 * walks all ancestors of every revision that has dependencies; we look at
 * one dependency target at a time and, only when several revisions
 * declare it, find which of the declarers sit above another declarer.
 * The search below a declarer is cut off under the lowest declarer in a
 * topological order (nothing there can be one), and results are
 * memoized per target.  keep[] receives one flag per dependency entry.
 */
static void
normalize_deps(Ctx *c, const int *topo_v, bool *keep)
{
	const MgGraph *g = c->g;
	int			n = g->n;
	int			ndeps = g->dep_off[n];
	int		   *cnt = sc_alloc(c, (size_t) n, sizeof(int));
	int		   *off;
	int		   *who;				/* declaring revisions, grouped by target */
	int		   *fill = sc_alloc(c, (size_t) n, sizeof(int));
	unsigned   *memo_gen = sc_alloc(c, (size_t) n, sizeof(unsigned));
	bool	   *memo_val = sc_alloc(c, (size_t) n, sizeof(bool));
	unsigned   *decl_gen = sc_alloc(c, (size_t) n, sizeof(unsigned));
	unsigned	gen = 0;
	int			i,
				d;

	for (i = 0; i < ndeps; i++)
	{
		keep[i] = true;
		cnt[g->dep[i]]++;
	}
	off = sc_alloc(c, (size_t) n + 1, sizeof(int));
	for (i = 0; i < n; i++)
		off[i + 1] = off[i] + cnt[i];
	who = sc_alloc(c, (size_t) ndeps, sizeof(int));
	for (i = 0; i < n; i++)
	{
		int			j;

		for (j = g->dep_off[i]; j < g->dep_off[i + 1]; j++)
			who[off[g->dep[j]] + fill[g->dep[j]]++] = i;
	}

	for (d = 0; d < n; d++)
	{
		int			first = off[d],
					last = off[d + 1];
		int			floor = INT_MAX;
		int			k;

		if (last - first < 2)
			continue;
		gen++;
		for (k = first; k < last; k++)
		{
			decl_gen[who[k]] = gen;
			if (topo_v[who[k]] < floor)
				floor = topo_v[who[k]];
		}
		for (k = first; k < last; k++)
		{
			int			r = who[k];
			bool		shadowed = false;
			int			j;

			/*
			 * f(v) = "v or one of its versioned ancestors declares d",
			 * evaluated for each parent of r with an explicit stack.
			 */
			for (j = g->par_off[r]; j < g->par_off[r + 1] && !shadowed; j++)
			{
				int			p0 = g->par[j];

				c->nstack = 0;
				st_push(c, p0);
				while (c->nstack > 0)
				{
					int			v = c->stack[c->nstack - 1];
					int			base = c->nstack;
					bool		pending = false;
					bool		val = false;
					int			q;

					if (memo_gen[v] == gen)
					{
						c->nstack--;
						continue;
					}
					if (decl_gen[v] == gen)
						val = true;
					else if (topo_v[v] >= floor)
					{
						for (q = g->par_off[v]; q < g->par_off[v + 1]; q++)
						{
							int			p = g->par[q];

							if (memo_gen[p] == gen)
							{
								if (memo_val[p])
								{
									val = true;
									break;
								}
							}
							else
							{
								pending = true;
								st_push(c, p);
							}
						}
						if (val)
							pending = false;
					}
					if (pending)
						continue;
					memo_gen[v] = gen;
					memo_val[v] = val;
					/* pop v and any parents pushed before the answer was known */
					c->nstack = base - 1;
				}
				shadowed = memo_val[p0];
			}
			if (shadowed)
			{
				for (j = g->dep_off[r]; j < g->dep_off[r + 1]; j++)
					if (g->dep[j] == d)
						keep[j] = false;
			}
		}
	}
}

/* the reachability forest (see struct MgGraph) */
static void
build_forest(Ctx *c)
{
	MgGraph    *g = (MgGraph *) c->g;
	int			n = g->n;
	int		   *cnt = sc_alloc(c, (size_t) n, sizeof(int));
	int		   *off = sc_alloc(c, (size_t) n + 1, sizeof(int));
	int		   *kids = sc_alloc(c, (size_t) n, sizeof(int));
	int		   *fill = sc_alloc(c, (size_t) n, sizeof(int));
	int		   *next = sc_alloc(c, (size_t) n, sizeof(int));
	int			counter = 0;
	int			i;

	g->troot = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	g->tpre = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	g->tsize = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	g->tpar = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	g->nt_up = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
	{
		g->tpar[i] = g->np_off[i + 1] > g->np_off[i] ? g->np[g->np_off[i]] : -1;
		if (g->tpar[i] >= 0)
			cnt[g->tpar[i]]++;
	}
	for (i = 0; i < n; i++)
		off[i + 1] = off[i] + cnt[i];
	for (i = 0; i < n; i++)
		if (g->tpar[i] >= 0)
			kids[off[g->tpar[i]] + fill[g->tpar[i]]++] = i;
	/* iterative pre-order walk of each tree */
	for (i = 0; i < n; i++)
	{
		if (g->tpar[i] >= 0)
			continue;
		c->nstack = 0;
		st_push(c, i);
		g->troot[i] = i;
		g->tpre[i] = counter++;
		next[i] = off[i];
		while (c->nstack > 0)
		{
			int			v = c->stack[c->nstack - 1];

			if (next[v] < off[v + 1])
			{
				int			k = kids[next[v]++];

				g->troot[k] = i;
				g->tpre[k] = counter++;
				next[k] = off[k];
				st_push(c, k);
			}
			else
			{
				g->tsize[v] = counter - g->tpre[v];
				c->nstack--;
			}
		}
	}

	/* post-order numbers over the children, from the roots in order */
	g->grank = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	g->glow = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
		g->grank[i] = -1;
	counter = 0;
	for (i = 0; i < n; i++)
	{
		if (g->raw_off[i + 1] != g->raw_off[i] || g->grank[i] >= 0)
			continue;
		c->nstack = 0;
		st_push(c, i);
		next[i] = g->ach_off[i];
		g->grank[i] = -2;		/* on the stack */
		while (c->nstack > 0)
		{
			int			v = c->stack[c->nstack - 1];

			if (next[v] < g->ach_off[v + 1])
			{
				int			k = g->ach[next[v]++];

				if (g->grank[k] == -1)
				{
					g->grank[k] = -2;
					next[k] = g->ach_off[k];
					st_push(c, k);
				}
			}
			else
			{
				g->grank[v] = counter++;
				c->nstack--;
			}
		}
	}
	/* lowest number below each revision: children first */
	{
		int		   *order = sc_alloc(c, (size_t) n, sizeof(int));

		for (i = 0; i < n; i++)
			order[g->topo[i]] = i;
		/* the nearest merge on each tree path: parents first */
		for (i = 0; i < n; i++)
		{
			int			v = order[i];

			if (g->np_off[v + 1] - g->np_off[v] > 1)
				g->nt_up[v] = v;
			else
				g->nt_up[v] = g->tpar[v] >= 0 ? g->nt_up[g->tpar[v]] : -1;
		}
		for (i = n - 1; i >= 0; i--)
		{
			int			v = order[i];
			int			lo = g->grank[v];
			int			j;

			for (j = g->ach_off[v]; j < g->ach_off[v + 1]; j++)
				if (g->glow[g->ach[j]] < lo)
					lo = g->glow[g->ach[j]];
			g->glow[v] = lo;
		}
	}
}

/* can b be a descendant-or-self of a?  false means certainly not */
static inline bool
maybe_below(const MgGraph *g, int a, int b)
{
	return g->glow[a] <= g->grank[b] && g->grank[b] <= g->grank[a];
}

/* is a an ancestor-or-self of b within b's tree of the forest? */
static inline bool
tree_below(const MgGraph *g, int a, int b)
{
	return g->troot[a] == g->troot[b] && g->tpre[a] <= g->tpre[b] &&
		g->tpre[b] < g->tpre[a] + g->tsize[a];
}

typedef struct KeySort
{
	const char *s;
	int			k;
} KeySort;

static int
cmp_keysort(const void *a, const void *b)
{
	return strcmp(((const KeySort *) a)->s, ((const KeySort *) b)->s);
}

static int
cmp_int(const void *a, const void *b)
{
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return (x > y) - (x < y);
}

/* qsort wants a valid pointer even for no elements */
static void
sort_ints(int *v, int n)
{
	if (n > 1)
		qsort(v, (size_t) n, sizeof(int), cmp_int);
}

/*
 * Alembic's _add_branches.  Every versioned descendant of a labelled
 * revision R gets R's labels; then Alembic walks down from the top of R's
 * descendants, labelling revisions until one is a branch point (counting
 * dependants) or a merge point.  That walk only gets below R when R's
 * descendants form a clean chain (no branch or merge point from R up to
 * the top); a revision on such a chain then ends up with exactly the
 * labels of the chain's top.  So: propagate labels forward in
 * topological order (sharing arrays along chains), then give every
 * revision that sits on a clean chain up to its head the labels of that
 * head.  The result does not depend on the order labels are processed in,
 * which in Alembic is a Python set's.
 */
static void
spread_labels(Ctx *c, const int *topo_v)
{
	MgGraph    *g = (MgGraph *) c->g;
	int			n = g->n;
	int		   *order = sc_alloc(c, (size_t) n, sizeof(int));
	int		  **lab = sc_alloc(c, (size_t) n, sizeof(int *));
	int		   *nlab = sc_alloc(c, (size_t) n, sizeof(int));
	bool	   *ok = sc_alloc(c, (size_t) n, sizeof(bool));
	int		   *top = sc_alloc(c, (size_t) n, sizeof(int));
	unsigned   *seen = sc_alloc(c, (size_t) (g->nkeys ? g->nkeys : 1),
								sizeof(unsigned));
	unsigned	gen = 0;
	IntVec		tmp;
	int			i;

	iv_init(c, &tmp);
	g->slab = mg_alloc(sizeof(char **) * (size_t) (n ? n : 1));
	g->nslab = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
		order[topo_v[i]] = i;

	for (i = 0; i < n; i++)
	{
		int			v = order[i];
		int			nown = g->own_off[v + 1] - g->own_off[v];
		int			npar = g->par_off[v + 1] - g->par_off[v];
		int			j,
					q;

		if (nown == 0 && npar == 1)
		{
			int			p = g->par[g->par_off[v]];

			lab[v] = lab[p];
			nlab[v] = nlab[p];
			g->slab[v] = g->slab[p];
			continue;
		}
		gen++;
		tmp.n = 0;
		for (j = g->own_off[v]; j < g->own_off[v + 1]; j++)
		{
			int			k = key_find(g, g->own[j]);

			if (seen[k] != gen)
			{
				seen[k] = gen;
				iv_push(&tmp, k);
			}
		}
		for (j = g->par_off[v]; j < g->par_off[v + 1]; j++)
		{
			int			p = g->par[j];

			for (q = 0; q < nlab[p]; q++)
				if (seen[lab[p][q]] != gen)
				{
					seen[lab[p][q]] = gen;
					iv_push(&tmp, lab[p][q]);
				}
		}
		nlab[v] = tmp.n;
		if (tmp.n == 0)
		{
			lab[v] = NULL;
			g->slab[v] = NULL;
			continue;
		}
		sort_ints(tmp.v, tmp.n);
		lab[v] = sc_alloc(c, (size_t) tmp.n, sizeof(int));
		memcpy(lab[v], tmp.v, sizeof(int) * (size_t) tmp.n);
		g->slab[v] = mg_alloc(sizeof(char *) * (size_t) tmp.n);
		for (q = 0; q < tmp.n; q++)
			g->slab[v][q] = g->key[tmp.v[q]];
	}
	for (i = n - 1; i >= 0; i--)
	{
		int			v = order[i];
		int			nv = g->vch_off[v + 1] - g->vch_off[v];
		bool		clean = (g->ach_off[v + 1] - g->ach_off[v] <= 1) &&
			(g->par_off[v + 1] - g->par_off[v] <= 1);

		if (!clean)
			ok[v] = false;
		else if (nv == 0)
		{
			ok[v] = true;
			top[v] = v;
		}
		else
		{
			int			ch = g->vch[g->vch_off[v]];

			ok[v] = ok[ch];
			top[v] = top[ch];
		}
	}
	for (i = 0; i < n; i++)
	{
		if (ok[i])
		{
			g->slab[i] = g->slab[top[i]];
			nlab[i] = nlab[top[i]];
		}
		g->nslab[i] = nlab[i];
	}
}

MgGraph *
mg_graph_build(const MgRevisionInput *revs, int nrevs, MgError *err)
{
	MgError		dummy;
	Ctx			cx;
	Ctx		   *c = &cx;
	MgGraph    *g;
	long long	tot_down = 0,
				tot_dep = 0,
				tot_lab = 0;
	int			n,
				i,
				j,
				k;
	int		   *cnt;
	int		   *depres;
	int		   *topo_v;
	bool	   *keep;
	Mark	   *mk;
	KeySort    *ks;
	int			hcap;
	IntVec		lst;

	if (err == NULL)
		err = &dummy;
	g = mg_alloc(sizeof(MgGraph));
	ctx_init(c, g, err);
	if (nrevs < 0 || (nrevs > 0 && revs == NULL))
	{
		fail(c, MG_ERR_BAD_ID, NULL, NULL, "invalid revision array");
		goto bad;
	}
	n = g->n = nrevs;

	/* what Alembic's Revision() checks, revision by revision */
	for (i = 0; i < n; i++)
	{
		const MgRevisionInput *r = &revs[i];

		if (r->id == NULL || r->ndown < 0 || r->ndepends < 0 ||
			r->nlabels < 0 || (r->ndown > 0 && r->down == NULL) ||
			(r->ndepends > 0 && r->depends == NULL) ||
			(r->nlabels > 0 && r->labels == NULL))
		{
			fail(c, MG_ERR_BAD_ID, NULL, NULL,
				 "malformed input for revision number %d", i + 1);
			goto bad;
		}
		for (j = 0; j < r->ndown; j++)
			if (r->down[j] == NULL)
			{
				fail(c, MG_ERR_BAD_ID, NULL, NULL,
					 "null down_revision entry in revision %s", r->id);
				goto bad;
			}
		for (j = 0; j < r->ndepends; j++)
			if (r->depends[j] == NULL)
			{
				fail(c, MG_ERR_BAD_ID, NULL, NULL,
					 "null depends_on entry in revision %s", r->id);
				goto bad;
			}
		for (j = 0; j < r->ndown; j++)
			if (strcmp(r->down[j], r->id) == 0)
			{
				fail(c, MG_ERR_SELF_LOOP,
					 "The revision names itself in its down_revision.", NULL,
					 "Self-loop is detected in revisions (%s)", r->id);
				goto bad;
			}
		for (j = 0; j < r->ndepends; j++)
			if (strcmp(r->depends[j], r->id) == 0)
			{
				fail(c, MG_ERR_DEP_SELF_LOOP,
					 "The revision names itself in its depends_on.", NULL,
					 "Dependency self-loop is detected in revisions (%s)",
					 r->id);
				goto bad;
			}
		if (!mg_check_name(r->id, "revision identifier", err))
			goto bad;
		for (j = 0; j < r->nlabels; j++)
			if (!mg_check_name(r->labels[j], "branch label", err))
				goto bad;
		tot_down += r->ndown;
		tot_dep += r->ndepends;
		tot_lab += r->nlabels;
	}
	/* far beyond any real project; keeps every count and table size an int */
	if (tot_down > (1 << 26) || tot_dep > (1 << 26) ||
		tot_lab > (1 << 26) || n > (1 << 26))
	{
		fail(c, MG_ERR_BAD_ID, NULL, NULL, "revision graph is too large");
		goto bad;
	}

	/* the map: ids first (duplicates refused), then labels */
	g->nkeys = 0;
	g->key = mg_alloc(sizeof(char *) * (size_t) (n + tot_lab + 1));
	g->keylen = mg_alloc(sizeof(int) * (size_t) (n + tot_lab + 1));
	g->keyrev = mg_alloc(sizeof(int) * (size_t) (n + tot_lab + 1));
	for (hcap = 16; hcap < 2 * (n + tot_lab); hcap *= 2)
		;
	g->hmask = hcap - 1;
	g->htab = mg_alloc(sizeof(int) * (size_t) hcap);
	for (i = 0; i < hcap; i++)
		g->htab[i] = -1;
	g->ids = mg_alloc(sizeof(char *) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
	{
		size_t		len = strlen(revs[i].id);

		g->ids[i] = mg_alloc(len + 1);
		memcpy(g->ids[i], revs[i].id, len + 1);
		k = key_find_n(g, g->ids[i], len);
		if (k >= 0)
		{
			fail(c, MG_ERR_DUPLICATE_ID,
				 sc_printf(c, "Revisions number %d and %d of the registration order both use this id.",
						   k + 1, i + 1),
				 "Give every revision its own id.",
				 "Revision %s is present more than once", g->ids[i]);
			goto bad;
		}
		g->key[i] = g->ids[i];
		g->keylen[i] = (int) len;
		g->keyrev[i] = i;
		key_insert(g, i);
		g->nkeys++;
	}
	cnt = sc_alloc(c, (size_t) n, sizeof(int));
	for (i = 0; i < n; i++)
		cnt[i] = revs[i].nlabels;
	g->own_off = offsets_from_counts(cnt, n);
	g->own = mg_alloc(sizeof(char *) * (size_t) (tot_lab + 1));
	for (i = 0; i < n; i++)
		for (j = 0; j < revs[i].nlabels; j++)
		{
			const char *l = revs[i].labels[j];
			size_t		len = strlen(l);
			char	   *copy;

			k = key_find_n(g, l, len);
			if (k >= 0)
			{
				fail(c, MG_ERR_LABEL_CONFLICT,
					 k < n ? "A branch label cannot be the id of a revision." :
					 "A branch label can be carried by one revision only.",
					 NULL,
					 "Branch name '%s' in revision %s already used by revision %s",
					 l, g->ids[i], g->ids[g->keyrev[k]]);
				goto bad;
			}
			copy = mg_alloc(len + 1);
			memcpy(copy, l, len + 1);
			g->own[g->own_off[i] + j] = copy;
			g->key[g->nkeys] = copy;
			g->keylen[g->nkeys] = (int) len;
			g->keyrev[g->nkeys] = i;
			key_insert(g, g->nkeys);
			g->nkeys++;
		}

	/* depends_on: ids or labels, looked up exactly; then down_revision */
	mk = mark_new(c);
	depres = sc_alloc(c, (size_t) (tot_dep + 1), sizeof(int));
	k = 0;
	for (i = 0; i < n; i++)
	{
		mark_clear(mk);
		cnt[i] = 0;
		for (j = 0; j < revs[i].ndepends; j++)
		{
			const char *dn = revs[i].depends[j];
			int			kk = key_find(g, dn);
			int			r;

			if (kk < 0)
			{
				fail(c, MG_ERR_MISSING_PARENT,
					 sc_printf(c, "Revision %s names %s in its depends_on, but no revision or branch label of that name is registered.",
							   g->ids[i], dn),
					 NULL,
					 "Revision %s referenced from %s is not present",
					 dn, g->ids[i]);
				goto bad;
			}
			r = g->keyrev[kk];
			if (r == i)
			{
				fail(c, MG_ERR_DEP_SELF_LOOP,
					 sc_printf(c, "Revision %s depends on its own branch label %s.",
							   g->ids[i], dn),
					 NULL,
					 "Dependency self-loop is detected in revisions (%s)",
					 g->ids[i]);
				goto bad;
			}
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
	{
		g->ndep_raw[i] = revs[i].ndepends;
		cnt[i] = revs[i].ndown;
	}
	g->par_off = offsets_from_counts(cnt, n);
	g->par = mg_alloc(sizeof(int) * (size_t) (g->par_off[n] + 1));
	for (i = 0; i < n; i++)
	{
		mark_clear(mk);
		for (j = 0; j < revs[i].ndown; j++)
		{
			const char *pn = revs[i].down[j];
			int			kk = key_find(g, pn);

			if (kk < 0 || kk >= n)
			{
				fail(c, MG_ERR_MISSING_PARENT,
					 kk < 0 ?
					 sc_printf(c, "Revision %s names %s in its down_revision, but no revision of that id is registered.",
							   g->ids[i], pn) :
					 sc_printf(c, "Revision %s names the branch label %s in its down_revision, which must name revision ids.",
							   g->ids[i], pn),
					 NULL,
					 "Revision %s referenced from %s is not present",
					 pn, g->ids[i]);
				goto bad;
			}
			if (mark_has(mk, kk))
			{
				fail(c, MG_ERR_DUPLICATE_ID, NULL, NULL,
					 "Revision %s lists %s more than once in down_revision",
					 g->ids[i], pn);
				goto bad;
			}
			mark_set(mk, kk);
			g->par[g->par_off[i] + j] = kk;
		}
	}

	/* parents + dependencies, and the two kinds of children */
	for (i = 0; i < n; i++)
	{
		mark_clear(mk);
		cnt[i] = 0;
		for (j = g->par_off[i]; j < g->par_off[i + 1]; j++)
		{
			mark_set(mk, g->par[j]);
			cnt[i]++;
		}
		for (j = g->dep_off[i]; j < g->dep_off[i + 1]; j++)
			if (!mark_has(mk, g->dep[j]))
				cnt[i]++;
	}
	g->raw_off = offsets_from_counts(cnt, n);
	g->raw = mg_alloc(sizeof(int) * (size_t) (g->raw_off[n] + 1));
	for (i = 0; i < n; i++)
	{
		int			w = g->raw_off[i];

		mark_clear(mk);
		for (j = g->par_off[i]; j < g->par_off[i + 1]; j++)
		{
			mark_set(mk, g->par[j]);
			g->raw[w++] = g->par[j];
		}
		for (j = g->dep_off[i]; j < g->dep_off[i + 1]; j++)
			if (!mark_has(mk, g->dep[j]))
				g->raw[w++] = g->dep[j];
	}
	memset(cnt, 0, sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < g->par_off[n]; i++)
		cnt[g->par[i]]++;
	g->vch_off = offsets_from_counts(cnt, n);
	g->vch = mg_alloc(sizeof(int) * (size_t) (g->par_off[n] + 1));
	memset(cnt, 0, sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
		for (j = g->par_off[i]; j < g->par_off[i + 1]; j++)
		{
			int			p = g->par[j];

			g->vch[g->vch_off[p] + cnt[p]++] = i;
		}
	memset(cnt, 0, sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < g->raw_off[n]; i++)
		cnt[g->raw[i]]++;
	g->ach_off = offsets_from_counts(cnt, n);
	g->ach = mg_alloc(sizeof(int) * (size_t) (g->raw_off[n] + 1));
	memset(cnt, 0, sizeof(int) * (size_t) (n ? n : 1));
	for (i = 0; i < n; i++)
		for (j = g->raw_off[i]; j < g->raw_off[i + 1]; j++)
		{
			int			p = g->raw[j];

			g->ach[g->ach_off[p] + cnt[p]++] = i;
		}

	/* cycles: Alembic's check first (its wording), then a complete one */
	if (!detect_cycles(c, false) || !detect_cycles(c, true))
		goto bad;
	topo_v = sc_alloc(c, (size_t) n, sizeof(int));
	g->topo = mg_alloc(sizeof(int) * (size_t) (n ? n : 1));
	if (!topo_order(c, false, topo_v) || !topo_order(c, true, g->topo))
		goto bad;

	/* normalized down revisions: parents, then the dependencies kept */
	keep = sc_alloc(c, (size_t) (g->dep_off[n] + 1), sizeof(bool));
	normalize_deps(c, topo_v, keep);
	for (i = 0; i < n; i++)
	{
		mark_clear(mk);
		cnt[i] = 0;
		for (j = g->par_off[i]; j < g->par_off[i + 1]; j++)
		{
			mark_set(mk, g->par[j]);
			cnt[i]++;
		}
		for (j = g->dep_off[i]; j < g->dep_off[i + 1]; j++)
			if (keep[j] && !mark_has(mk, g->dep[j]))
				cnt[i]++;
	}
	g->np_off = offsets_from_counts(cnt, n);
	g->np = mg_alloc(sizeof(int) * (size_t) (g->np_off[n] + 1));
	for (i = 0; i < n; i++)
	{
		int			w = g->np_off[i];

		mark_clear(mk);
		for (j = g->par_off[i]; j < g->par_off[i + 1]; j++)
		{
			mark_set(mk, g->par[j]);
			g->np[w++] = g->par[j];
		}
		for (j = g->dep_off[i]; j < g->dep_off[i + 1]; j++)
			if (keep[j] && !mark_has(mk, g->dep[j]))
				g->np[w++] = g->dep[j];
	}

	build_forest(c);
	spread_labels(c, topo_v);

	/* listings, in registration order */
	iv_init(c, &lst);
	for (k = 0; k < 5; k++)
	{
		MgRevList  *dst = k == 0 ? &g->heads : k == 1 ? &g->real_heads :
			k == 2 ? &g->bases : k == 3 ? &g->real_bases : &g->branch_points;

		lst.n = 0;
		for (i = 0; i < n; i++)
		{
			bool		in;

			switch (k)
			{
				case 0:
					in = g->vch_off[i + 1] == g->vch_off[i];
					break;
				case 1:
					in = g->ach_off[i + 1] == g->ach_off[i];
					break;
				case 2:
					in = g->par_off[i + 1] == g->par_off[i];
					break;
				case 3:
					in = g->par_off[i + 1] == g->par_off[i] &&
						g->ndep_raw[i] == 0;
					break;
				default:
					in = g->vch_off[i + 1] - g->vch_off[i] > 1;
					break;
			}
			if (in)
				iv_push(&lst, i);
		}
		dst->n = lst.n;
		dst->items = mg_alloc(sizeof(int) * (size_t) (lst.n ? lst.n : 1));
		if (lst.n)
			memcpy(dst->items, lst.v, sizeof(int) * (size_t) lst.n);
	}

	/* keys in byte order, for prefix matching */
	ks = sc_alloc(c, (size_t) g->nkeys, sizeof(KeySort));
	for (i = 0; i < g->nkeys; i++)
	{
		ks[i].s = g->key[i];
		ks[i].k = i;
	}
	if (g->nkeys > 1)
		qsort(ks, (size_t) g->nkeys, sizeof(KeySort), cmp_keysort);
	g->sorted = mg_alloc(sizeof(int) * (size_t) (g->nkeys ? g->nkeys : 1));
	for (i = 0; i < g->nkeys; i++)
		g->sorted[i] = ks[i].k;

	ctx_end(c);
	return g;

bad:
	ctx_end(c);
	return NULL;
}

/* ----------------------------------------------------------------------
 * Accessors
 * ----------------------------------------------------------------------
 */
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
	k = key_find(g, id);
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

/* ----------------------------------------------------------------------
 * Resolving identifiers (RevisionMap.get_revisions and friends)
 * ----------------------------------------------------------------------
 */

/*
 * One entry of what Alembic resolves: a name still to look up, a revision
 * already known (ids that come from the heads lists), or nothing (Alembic's
 * empty tuple, i.e. base).
 */
typedef struct Ident
{
	const char *name;			/* NULL: use rev */
	int			rev;			/* revision, or NONE_REV for nothing */
} Ident;

typedef struct Resolved
{
	Ident	   *ids;
	int			n;
	const char *branch;			/* text before the first '@', or NULL */
} Resolved;

/* Python truthiness of an optional string */
#define TRUTHY(s)	((s) != NULL && (s)[0] != '\0')

static bool resolve_number(Ctx *c, const char *text, Resolved *out);
static bool rev_for_ident(Ctx *c, Ident id, const char *branch, int *out);

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

/* keys longer than three bytes that start with prefix, in map order */
static void
prefix_candidates(Ctx *c, const char *prefix, IntVec *out)
{
	const MgGraph *g = c->g;
	size_t		plen = strlen(prefix);
	int			lo = 0,
				hi = g->nkeys;

	out->n = 0;
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (strcmp(g->key[g->sorted[mid]], prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < g->nkeys; lo++)
	{
		int			k = g->sorted[lo];

		if (strncmp(g->key[k], prefix, plen) != 0)
			break;
		if (g->keylen[k] > 3)
			iv_push(out, k);
	}
	if (out->n > 1)
		sort_ints(out->v, out->n);
}

/*
 * The lineage of a set of revisions: everything that is an ancestor or a
 * descendant of one of them.  Two marks, because a revision may be reached
 * both ways.
 */
typedef struct Lineage
{
	bool		all;			/* nothing to compare with: everything passes */
	Mark	   *anc;
	Mark	   *desc;
} Lineage;

static bool
in_lineage(const Lineage *l, int rev)
{
	return l->all || mark_has(l->anc, rev) || mark_has(l->desc, rev);
}

/*
 * filter_for_lineage's second half: resolve what the check names (the
 * branch part and the ids; Alembic resolves them lazily, only when there
 * is a target to test) and mark their lineage.
 */
static bool
lineage_of(Ctx *c, const Resolved *r, bool deps, Lineage *l)
{
	IntVec		shares;
	int			i;
	int			rev;

	iv_init(c, &shares);
	if (TRUTHY(r->branch))
	{
		Ident		b = {r->branch, NONE_REV};

		if (!rev_for_ident(c, b, NULL, &rev))
			return false;
		if (rev >= 0)
			iv_push(&shares, rev);
	}
	for (i = 0; i < r->n; i++)
	{
		if (!rev_for_ident(c, r->ids[i], NULL, &rev))
			return false;
		if (rev >= 0)
			iv_push(&shares, rev);
	}
	l->all = (!TRUTHY(r->branch) && r->n == 0);
	l->anc = mark_new(c);
	l->desc = mark_new(c);
	closure(c, deps ? ANC_ALL : ANC_V, shares.v, shares.n, l->anc, NULL);
	closure(c, deps ? DESC_ALL : DESC_V, shares.v, shares.n, l->desc, NULL);
	return true;
}

/*
 * RevisionMap.filter_for_lineage: keep the targets that are an ancestor or
 * a descendant of what 'check' names.  The check text is parsed eagerly
 * (so "head" with several heads fails even with no targets), its names
 * resolved only when there is a target.
 */
static bool
filter_lineage(Ctx *c, const int *targets, int nt, const char *check,
			   bool deps, IntVec *out)
{
	Resolved	r;
	Lineage		l;
	int			i;

	out->n = 0;
	if (!resolve_number(c, check, &r))
		return false;
	if (nt == 0)
		return true;
	for (i = 0; i < nt; i++)
		if (targets[i] == NONE_REV)
			return fail(c, MG_ERR_UNSUPPORTED,
						"Alembic fails here with an internal error (a missing revision is compared with a branch).",
						NULL, "cannot compare a missing revision with branch '%s'",
						check ? check : "");
	if (!lineage_of(c, &r, deps, &l))
		return false;
	for (i = 0; i < nt; i++)
	{
		int			t = targets[i];

		/*
		 * A walk that ended at base hands Alembic the string "base", which
		 * it then looks up as an identifier (usually: not found).
		 */
		if (t == BASE_REV)
		{
			Ident		b = {"base", NONE_REV};

			if (!rev_for_ident(c, b, NULL, &t))
				return false;
		}
		if (in_lineage(&l, t))
			iv_push(out, targets[i]);
	}
	return true;
}

/* RevisionMap.get_current_head */
static bool
current_head(Ctx *c, const char *branch, int *out)
{
	const MgGraph *g = c->g;
	IntVec		hs;

	iv_init(c, &hs);
	if (TRUTHY(branch))
	{
		if (!filter_lineage(c, g->heads.items, g->heads.n, branch, false, &hs))
			return false;
	}
	else
	{
		iv_reserve(&hs, g->heads.n);
		if (g->heads.n)
			memcpy(hs.v, g->heads.items, sizeof(int) * (size_t) g->heads.n);
		hs.n = g->heads.n;
	}
	if (hs.n > 1)
		return fail_multiple_heads(c, hs.v, hs.n,
								   TRUTHY(branch) ?
								   sc_printf(c, "%s@head", branch) : "head");
	*out = hs.n ? hs.v[0] : NONE_REV;
	return true;
}

/* RevisionMap._resolve_revision_number */
static bool
resolve_number(Ctx *c, const char *text, Resolved *out)
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
		out->branch = sc_strndup(c, text, (size_t) (at - text));
		id = at + 1;
	}
	else
		id = text;

	if (strcmp(id, "heads") == 0)
	{
		IntVec		hs;

		iv_init(c, &hs);
		if (TRUTHY(out->branch))
		{
			if (!filter_lineage(c, g->heads.items, g->heads.n, out->branch,
								false, &hs))
				return false;
		}
		else
			for (i = 0; i < g->real_heads.n; i++)
				iv_push(&hs, g->real_heads.items[i]);
		out->ids = sc_alloc(c, (size_t) hs.n, sizeof(Ident));
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
			out->ids = sc_alloc(c, 1, sizeof(Ident));
			out->ids[0].name = NULL;
			out->ids[0].rev = h;
			out->n = 1;
		}
	}
	else if (strcmp(id, "base") != 0)
	{
		out->ids = sc_alloc(c, 1, sizeof(Ident));
		out->ids[0].name = id;
		out->ids[0].rev = NONE_REV;
		out->n = 1;
	}
	return true;
}

/*
 * RevisionMap._resolve_branch: a label or id exactly, else an id prefix;
 * any failure is "No such branch".
 */
static bool
resolve_branch(Ctx *c, const char *label, int *out)
{
	const MgGraph *g = c->g;
	int			k = key_find(g, label);
	IntVec		cands;

	if (k >= 0)
	{
		*out = g->keyrev[k];
		return true;
	}
	iv_init(c, &cands);
	if (label[0] != '\0')
		prefix_candidates(c, label, &cands);
	if (cands.n == 1)
	{
		*out = g->keyrev[cands.v[0]];
		return true;
	}
	return fail_resolution(c, MG_ERR_NO_SUCH_BRANCH, label,
						   sc_printf(c, "No such branch: '%s'", label));
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
		c->lin_anc = mark_new(c);
		c->lin_desc = mark_new(c);
	}
	if (c->lin_rev != brev)
	{
		mark_clear(c->lin_anc);
		mark_clear(c->lin_desc);
		closure(c, ANC_V, &brev, 1, c->lin_anc, NULL);
		closure(c, DESC_V, &brev, 1, c->lin_desc, NULL);
		c->lin_rev = brev;
	}
	return mark_has(c->lin_anc, rev) || mark_has(c->lin_desc, rev);
}

/* RevisionMap._revision_for_ident */
static bool
rev_for_ident(Ctx *c, Ident id, const char *branch, int *out)
{
	static const char *const short_note =
		"; please ensure at least four characters are present for partial revision identifier matches";
	const MgGraph *g = c->g;
	int			brev = NONE_REV;
	int			rev;
	const char *argument;

	if (TRUTHY(branch) && !resolve_branch(c, branch, &brev))
		return false;
	if (id.name == NULL)
	{
		rev = id.rev;
		argument = rev >= 0 ? g->ids[rev] : "";
	}
	else
	{
		int			k = key_find(g, id.name);

		argument = id.name;
		if (k >= 0)
			rev = g->keyrev[k];
		else
		{
			IntVec		cands;

			iv_init(c, &cands);
			/* Alembic asserts here (AssertionError) on an empty name */
			if (id.name[0] != '\0')
				prefix_candidates(c, id.name, &cands);
			if (cands.n > 0 && brev >= 0)
			{
				Resolved	r;
				Lineage		l;
				int			i,
							w = 0;

				if (!resolve_number(c, branch, &r) ||
					!lineage_of(c, &r, false, &l))
					return false;
				for (i = 0; i < cands.n; i++)
					if (in_lineage(&l, g->keyrev[cands.v[i]]))
						cands.v[w++] = cands.v[i];
				cands.n = w;
			}
			if (cands.n == 0)
				return fail_resolution(c, MG_ERR_UNKNOWN_REVISION, id.name,
									   sc_printf(c, "No such revision or branch '%s'%s",
												 id.name,
												 py_len(id.name) < 4 ? short_note : ""));
			if (cands.n > 1)
			{
				Str			b;
				int			i;

				str_init(c, &b);
				for (i = 0; i < cands.n && i < 3; i++)
				{
					if (i > 0)
						str_add(&b, ", ");
					str_add(&b, "'");
					str_add(&b, g->key[cands.v[i]]);
					str_add(&b, "'");
				}
				return fail_resolution(c, MG_ERR_AMBIGUOUS_PREFIX, id.name,
									   sc_printf(c, "Multiple revisions start with '%s': %s...",
												 id.name, b.s));
			}
			rev = g->keyrev[cands.v[0]];
		}
	}
	if (TRUTHY(branch) && rev >= 0)
	{
		if (!shares_lineage_v(c, rev, brev))
			return fail_resolution(c, MG_ERR_NOT_BRANCH_MEMBER, argument,
								   sc_printf(c, "Revision %s is not a member of branch '%s'",
											 g->ids[rev], branch));
	}
	*out = rev;
	return true;
}

/*
 * Python's int() on text, for the one place Alembic uses it: returns true
 * when the text is a negative integer (surrounding whitespace, a sign,
 * digits with single underscores between them), with its magnitude
 * saturated.
 */
static bool
py_negative_int(const char *s, long long *mag)
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

static bool walk(Ctx *c, const char *start_name, int start, long long steps,
				 const char *branch, bool no_overwalk, int *out);

static bool
has_spread_label(const MgGraph *g, int rev, const char *label)
{
	int			i;

	for (i = 0; i < g->nslab[rev]; i++)
		if (strcmp(g->slab[rev][i], label) == 0)
			return true;
	return false;
}

/*
 * RevisionMap.get_revisions for one string.  Entries may be NONE_REV (a
 * "-N" walk past the end) or BASE_REV (one that ended at base).
 */
static bool
get_revisions_str(Ctx *c, const char *text, IntVec *out)
{
	const MgGraph *g = c->g;
	Resolved	r;
	long long	mag;
	int			i;

	if (!resolve_number(c, text, &r))
		return false;
	if (r.n == 1 && r.ids[0].name != NULL &&
		py_negative_int(r.ids[0].name, &mag))
	{
		/* branch@-n: walk down from the real heads carrying the label */
		for (i = 0; i < g->real_heads.n; i++)
		{
			int			h = g->real_heads.items[i];
			int			res;

			if (r.branch != NULL && !has_spread_label(g, h, r.branch))
				continue;
			if (!walk(c, NULL, h, -mag, NULL, true, &res))
				return false;
			iv_push(out, res);
		}
		return true;
	}
	for (i = 0; i < r.n; i++)
	{
		int			rev;

		if (!rev_for_ident(c, r.ids[i], r.branch, &rev))
			return false;
		iv_push(out, rev);
	}
	return true;
}

/* RevisionMap.get_revision: exactly one revision, or none for base */
static bool
get_revision(Ctx *c, const char *text, int *out)
{
	Resolved	r;
	Ident		nothing = {NULL, NONE_REV};

	if (!resolve_number(c, text, &r))
		return false;
	if (r.n > 1)
	{
		int		   *hs = sc_alloc(c, (size_t) r.n, sizeof(int));
		int			i;

		for (i = 0; i < r.n; i++)
			hs[i] = r.ids[i].rev;
		return fail_multiple_heads(c, hs, r.n, text ? text : "");
	}
	return rev_for_ident(c, r.n ? r.ids[0] : nothing, r.branch, out);
}

/*
 * RevisionMap._walk: one edge per step, through down_revision only; up
 * from nothing starts at the bases, down from nothing at the heads, down
 * from a root gives BASE_REV.  A branch part filters the candidates of
 * upward steps.  Every step moves, so a walk ends within n + 2 steps
 * whatever 'steps' says.
 */
static bool
walk(Ctx *c, const char *start_name, int start, long long steps,
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
		if (!get_revision(c, start_name, &cur))
			return false;
	}
	else
		cur = start;
	iv_init(c, &cands);
	for (i = 0; i < todo; i++)
	{
		const int  *e;
		int			ne;

		if (steps > 0)
		{
			if (cur == BASE_REV)
				return fail(c, MG_ERR_UNSUPPORTED, NULL, NULL,
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
					if (!resolve_number(c, branch, &br))
						return false;
					br_parsed = true;
				}
				cands.n = 0;
				if (ne > 0 && !lin_done)
				{
					if (!lineage_of(c, &br, false, &lin))
						return false;
					lin_done = true;
				}
				for (j = 0; j < ne; j++)
					if (in_lineage(&lin, e[j]))
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
			return fail(c, MG_ERR_AMBIGUOUS_WALK,
						sc_printf(c, "%s, there are %d candidates: %s.",
								  cur >= 0 ? sc_printf(c, "Walking %s from %s",
													   steps > 0 ? "up" : "down",
													   g->ids[cur]) :
								  sc_printf(c, "Walking %s from base",
											steps > 0 ? "up" : "down"),
								  ne, join_ids(c, e, ne, false)),
						steps > 0 ?
						"Name the branch, as in <branch>@+1, or give an explicit revision." :
						"Give an explicit revision: a walk down cannot choose between the parents of a merge.",
						"Ambiguous walk");
		cur = e[0];
	}
	*out = cur;
	return true;
}

/*
 * Alembic's relative-target pattern, (?:(.+?)@)?(\w+)?((?:\+|-)\d+), tried
 * from the start of the text (what follows the digits is ignored, as
 * re.match does).  The shortest branch part that lets the rest match wins;
 * without one, the pattern is tried at the start.
 */
typedef struct RelTarget
{
	bool		matched;
	const char *branch;			/* NULL when absent */
	const char *symbol;			/* NULL when absent */
	bool		plus;
	bool		zero;
	long long	n;				/* magnitude, saturated */
	const char *rel_text;		/* sign and digits as typed: "+007" */
	const char *abs_text;		/* the magnitude as Python prints it: "7" */
	const char *int_text;		/* the signed value as Python prints it */
} RelTarget;

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

static void
rel_match(Ctx *c, const char *s, RelTarget *rt)
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
			rt->branch = sc_strndup(c, s, k);
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
	rt->symbol = symend > p ? sc_strndup(c, s + p, symend - p) : NULL;
	rt->plus = s[symend] == '+';
	digits = s + symend + 1;
	ndig = digend - symend - 1;
	rt->rel_text = sc_strndup(c, s + symend, ndig + 1);
	for (lead = 0; lead + 1 < ndig && digits[lead] == '0'; lead++)
		;
	rt->abs_text = sc_strndup(c, digits + lead, ndig - lead);
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
		rt->int_text = sc_printf(c, "-%s", rt->abs_text);
}

static bool
fail_relative(Ctx *c, const char *shown, const char *abs_text,
			  const char *detail)
{
	return fail(c, MG_ERR_RELATIVE_RANGE, detail, NULL,
				"Relative revision %s didn't produce %s migrations",
				shown, abs_text);
}

/*
 * An argument Alembic passes as "current_revisions" or as a target: one
 * string, or a tuple of revisions (the version rows).
 */
typedef struct Arg
{
	const char *str;
	const int  *revs;
	int			nrevs;
} Arg;

static bool
get_revisions_arg(Ctx *c, Arg a, IntVec *out)
{
	int			i;

	if (a.str != NULL)
		return get_revisions_str(c, a.str, out);
	for (i = 0; i < a.nrevs; i++)
		iv_push(out, a.revs[i]);
	return true;
}

/* RevisionMap._parse_upgrade_target; entries of out may be NONE/BASE */
static bool
parse_upgrade_target(Ctx *c, Arg current, Arg target, bool assert_rel,
					 IntVec *out)
{
	const MgGraph *g = c->g;
	RelTarget	rt;
	int			res;

	if (target.str == NULL)
		return get_revisions_arg(c, target, out);
	rel_match(c, target.str, &rt);
	if (!rt.matched)
		return get_revisions_str(c, target.str, out);

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

				iv_init(c, &revs);
				iv_init(c, &sl);
				if (!get_revisions_arg(c, current, &revs) ||
					!filter_lineage(c, revs.v, revs.n, rt.branch, false, &sl))
					return false;
				if (sl.n == 0)
				{
					/* no current revision on the branch: its applied tips */
					Mark	   *mk = mark_new(c);
					Mark	   *below = mark_new(c);
					IntVec		anc,
								active;

					iv_init(c, &anc);
					iv_init(c, &active);
					closure(c, ANC_ALL, revs.v, revs.n, mk, &anc);
					if (!filter_lineage(c, anc.v, anc.n, rt.branch, false,
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
				/* Alembic's get_revision("base") is None */
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
				return fail(c, MG_ERR_AMBIGUOUS_UPGRADE,
							"More than one applied head could be the starting point.",
							"Name the branch, as in <branch>@+1, or give an explicit revision.",
							"Ambiguous upgrade from multiple current revisions");
			if (!walk(c, start_name, start, rt.n, rt.branch, assert_rel, &res))
				return false;
			if (res == NONE_REV)
				return fail_relative(c, rt.rel_text, rt.abs_text, NULL);
			iv_push(out, res);
			return true;
		}
		if (!walk(c, rt.symbol, NONE_REV, rt.n, rt.branch, assert_rel, &res))
			return false;
		iv_push(out, res);
		return true;
	}
	if (rt.symbol == NULL)
		return fail_relative(c, rt.int_text, rt.abs_text,
							 "An upgrade cannot go down.");
	if (!walk(c, rt.branch ? sc_printf(c, "%s@%s", rt.branch, rt.symbol)
			  : rt.symbol, NONE_REV, -rt.n, NULL, assert_rel, &res))
		return false;
	iv_push(out, res);
	return true;
}

/* ----------------------------------------------------------------------
 * Ordering (RevisionMap._topological_sort)
 * ----------------------------------------------------------------------
 *
 * Alembic keeps a list of "heads" (initially the given heads that are to
 * be emitted, in map order) and an index into it.  The head at the index
 * is emitted unless it is an ancestor of another head in the list, in
 * which case the index moves to the first such head (in list order).  An
 * emitted head is replaced in place by its first normalized down revision
 * still to be emitted and not already in the list; the others are
 * appended; with none left the head is dropped and the index moves back
 * one.  Alembic answers "is it an ancestor of another head" with one
 * ancestor set per head, recomputed at every merge: quadratic in time and
 * memory.
 *
 * We run the same list machine with the same index moves.  List positions
 * are slot numbers: a head replaced in place keeps its slot, appended
 * heads get new, larger ones, so slot order is list order.  Three facts
 * make the question cheap:
 *
 *	- Emitted revisions are never ancestors of a head still in the list (a
 *	  revision is only emitted when no head is above it, and heads only
 *	  move down), so a candidate with no child left to emit is free, and
 *	  the paths from a head down to a candidate run through revisions not
 *	  yet emitted.
 *	- A slot that is not above candidate c never gets above it later: a
 *	  slot moving down stays below where it was, and new slots only appear
 *	  at the down revisions of a revision that held one.  So each
 *	  candidate keeps a cursor: slots before it have failed for good.  A
 *	  max-segment tree over slot numbers, holding the topological position
 *	  of each slot's revision, jumps over slots that sit at or below the
 *	  candidate (and over slots that left the list) in O(log slots).
 *	- "x reaches c" never changes either; the searches that answer it
 *	  memoize per (revision, candidate) and so visit a revision at most once
 *	  per candidate.
 *
 * The cost is near-linear on the graphs migrations produce (long lines,
 * short branches, merges, cross-branch dependencies); a pathological graph
 * with very many heads that are all below many distinct blocked candidates
 * costs the product of the two.
 *
 * For history ranges the set to order can have holes (a dependency may
 * leave the range and come back), while Alembic's ancestor sets look
 * through them.  'hull' then names the revisions that may sit in such a
 * hole, and the child relation is taken through them.  If a revision can
 * never become a head (Alembic then fails its final assertion), we report
 * it.
 */
#define NO_SLOT		INT_MAX

typedef struct Sorter
{
	Ctx		   *c;
	const int  *ech;			/* effective edges: child ... */
	const int  *epa;			/* ... to parent */
	int		   *ebeg;
	int		   *eend;
	int		   *pend;			/* children not yet emitted */
	int		   *slot_of;		/* slot a revision holds, or -1 */
	int		   *snode;			/* revision a slot is at */
	int		   *seg;			/* max-segment tree: topo position per slot */
	int			segsize;		/* leaves, a power of two */
	int			nslots;
	int		   *cursor;			/* per candidate: first slot not failed */
	int		   *memo;			/* for reaches() */
	IntVec		rstack;
	IntVec		rseen;
	Mark	   *dead;
} Sorter;

/* a slot's revision moved (topo position v), or the slot left (v = -1) */
static void
seg_set(Sorter *st, int slot, int v)
{
	int			i = slot + st->segsize;

	st->seg[i] = v;
	for (i >>= 1; i > 0; i >>= 1)
	{
		int			m = st->seg[2 * i] > st->seg[2 * i + 1] ?
			st->seg[2 * i] : st->seg[2 * i + 1];

		if (st->seg[i] == m)
			break;
		st->seg[i] = m;
	}
}

/* first slot >= from whose revision comes after topo position floor */
static int
seg_first_after(Sorter *st, int from, int floor)
{
	int			i;

	if (from >= st->segsize)
		return NO_SLOT;
	i = from + st->segsize;
	if (st->seg[i] > floor)
		return from;
	for (;;)
	{
		/* climb while i is a right child, then step to the right sibling */
		while (i & 1)
		{
			i >>= 1;
			if (i <= 1)
				return NO_SLOT;
		}
		i++;
		if (st->seg[i] > floor)
		{
			while (i < st->segsize)
			{
				i <<= 1;
				if (st->seg[i] <= floor)
					i++;
			}
			return i - st->segsize;
		}
	}
}

/*
 * Is revision h (a head) a strict descendant of candidate c?  This is plain
 * reachability in the graph: Alembic's ancestor sets are taken over the
 * whole graph, and a path between two revisions still to be emitted only
 * runs through revisions still to be emitted.  reaches() memoizes per
 * candidate, so a merge is searched at most once per candidate.
 */
static bool
sort_above(Sorter *st, int c, int h)
{
	return h != c && reaches(st->c, st->memo, &st->rstack, &st->rseen, c, h);
}

/* first slot in list order that is above candidate c, or NO_SLOT */
static int
sort_first_above(Sorter *st, int c)
{
	int			floor = st->c->g->topo[c];
	int			t = st->cursor[c];

	while ((t = seg_first_after(st, t, floor)) != NO_SLOT)
	{
		if (sort_above(st, c, st->snode[t]))
		{
			st->cursor[c] = t;
			return t;
		}
		t++;
	}
	st->cursor[c] = st->segsize;
	return NO_SLOT;
}

static bool
topo_sort(Ctx *c, const IntVec *todo, Mark *intodo, const int *heads,
		  int nheads, Mark *hull, IntVec *out)
{
	const MgGraph *g = c->g;
	int			n = g->n;
	int			nt = todo->n;
	IntVec		ech,
				epa,
				init;
	int		   *sprev,
			   *snext;
	int			sfirst = -1,
				slast = -1,
				live = 0,
				maxslots,
				cur;
	Mark	   *dup;
	Sorter		st;
	int			i,
				e;

	out->n = 0;
	if (nt == 0)
		return true;
	iv_init(c, &ech);
	iv_init(c, &epa);
	iv_init(c, &init);
	memset(&st, 0, sizeof(st));
	st.c = c;
	st.ebeg = sc_alloc(c, (size_t) n, sizeof(int));
	st.eend = sc_alloc(c, (size_t) n, sizeof(int));
	st.pend = sc_alloc(c, (size_t) n, sizeof(int));
	st.slot_of = sc_alloc(c, (size_t) n, sizeof(int));
	st.cursor = sc_alloc(c, (size_t) n, sizeof(int));
	st.memo = memo_new(c);
	st.dead = mark_new(c);
	iv_init(c, &st.rstack);
	iv_init(c, &st.rseen);
	dup = mark_new(c);

	/* child -> parent edges inside the set (through holes for history) */
	for (i = 0; i < nt; i++)
	{
		int			x = todo->v[i];
		const int  *pe;
		int			npe,
					j;

		st.ebeg[x] = ech.n;
		st.slot_of[x] = -1;
		mark_clear(dup);
		edges(g, ANC_ALL, x, &pe, &npe);
		for (j = 0; j < npe; j++)
		{
			int			p = pe[j];

			if (mark_has(dup, p))
				continue;
			mark_set(dup, p);
			if (mark_has(intodo, p))
			{
				iv_push(&ech, x);
				iv_push(&epa, p);
			}
			else if (hull != NULL && mark_has(hull, p))
			{
				c->nstack = 0;
				st_push(c, p);
				while (c->nstack > 0)
				{
					int			gh = c->stack[--c->nstack];
					const int  *he;
					int			nhe,
								q;

					edges(g, ANC_ALL, gh, &he, &nhe);
					for (q = 0; q < nhe; q++)
					{
						int			r = he[q];

						if (mark_has(dup, r))
							continue;
						mark_set(dup, r);
						if (mark_has(intodo, r))
						{
							iv_push(&ech, x);
							iv_push(&epa, r);
						}
						else if (mark_has(hull, r))
							st_push(c, r);
					}
				}
			}
		}
		st.eend[x] = ech.n;
	}
	st.ech = ech.v;
	st.epa = epa.v;
	for (e = 0; e < ech.n; e++)
		st.pend[epa.v[e]]++;

	/* the starting heads, in map (registration) order */
	mark_clear(dup);
	for (i = 0; i < nheads; i++)
		if (heads[i] >= 0 && mark_has(intodo, heads[i]) &&
			!mark_has(dup, heads[i]))
		{
			mark_set(dup, heads[i]);
			iv_push(&init, heads[i]);
		}
	sort_ints(init.v, init.n);
	maxslots = init.n + ech.n + 1;
	st.snode = sc_alloc(c, (size_t) maxslots, sizeof(int));
	sprev = sc_alloc(c, (size_t) maxslots, sizeof(int));
	snext = sc_alloc(c, (size_t) maxslots, sizeof(int));
	for (st.segsize = 2; st.segsize < maxslots; st.segsize *= 2)
		;
	st.seg = sc_alloc(c, (size_t) st.segsize * 2, sizeof(int));
	for (i = 0; i < 2 * st.segsize; i++)
		st.seg[i] = -1;
	for (i = 0; i < init.n; i++)
	{
		int			t = st.nslots++;

		st.snode[t] = init.v[i];
		sprev[t] = slast;
		snext[t] = -1;
		if (slast >= 0)
			snext[slast] = t;
		else
			sfirst = t;
		slast = t;
		st.slot_of[init.v[i]] = t;
		seg_set(&st, t, g->topo[init.v[i]]);
		live++;
	}

	cur = sfirst;
	while (live > 0)
	{
		int			cand = st.snode[cur];
		const int  *pe;
		int			npe,
					j;
		bool		replaced = false;

		if (st.pend[cand] > 0)
		{
			int			above = sort_first_above(&st, cand);

			if (above != NO_SLOT)
			{
				cur = above;
				continue;
			}
		}

		/* emit cand, hand its slot to its first pending down revision */
		iv_push(out, cand);
		mark_set(st.dead, cand);
		st.slot_of[cand] = -1;
		for (e = st.ebeg[cand]; e < st.eend[cand]; e++)
			st.pend[epa.v[e]]--;
		edges(g, ANC_ALL, cand, &pe, &npe);
		for (j = 0; j < npe; j++)
		{
			int			p = pe[j];

			if (!mark_has(intodo, p) || mark_has(st.dead, p) ||
				st.slot_of[p] >= 0)
				continue;
			if (!replaced)
			{
				st.snode[cur] = p;
				st.slot_of[p] = cur;
				seg_set(&st, cur, g->topo[p]);
				replaced = true;
			}
			else
			{
				int			t = st.nslots++;

				st.snode[t] = p;
				sprev[t] = slast;
				snext[t] = -1;
				snext[slast] = t;
				slast = t;
				st.slot_of[p] = t;
				seg_set(&st, t, g->topo[p]);
				live++;
			}
		}
		if (!replaced)
		{
			int			next = sprev[cur] >= 0 ? sprev[cur] : snext[cur];

			if (sprev[cur] >= 0)
				snext[sprev[cur]] = snext[cur];
			else
				sfirst = snext[cur];
			if (snext[cur] >= 0)
				sprev[snext[cur]] = sprev[cur];
			else
				slast = sprev[cur];
			seg_set(&st, cur, -1);
			live--;
			cur = next;
		}
	}
	if (out->n != nt)
		return fail(c, MG_ERR_UNSUPPORTED,
					"Some revisions of the range are reachable only through a dependency outside it; Alembic fails on this range with an internal error.",
					"Choose a range whose start is an ancestor of everything it lists, such as base.",
					"cannot order the revisions of this range");
	return true;
}

/* ----------------------------------------------------------------------
 * Version rows (HeadMaintainer.update_to_step)
 * ----------------------------------------------------------------------
 */
typedef struct Rows
{
	IntVec		list;			/* in order; -1 where a row was deleted */
	int		   *pos;			/* index in list, or -1 */
	int			count;
	IntVec		dense;			/* the rows, unordered, no holes */
	int		   *dpos;			/* index in dense */
} Rows;

static void
rows_init(Ctx *c, Rows *r, const int *rows, int nrows)
{
	int			i;

	iv_init(c, &r->list);
	iv_init(c, &r->dense);
	r->pos = sc_alloc(c, (size_t) c->g->n, sizeof(int));
	r->dpos = sc_alloc(c, (size_t) c->g->n, sizeof(int));
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

static inline bool
is_row(const Rows *r, int rev)
{
	return rev >= 0 && r->pos[rev] >= 0;
}

/* a plan under construction */
typedef struct PlanB
{
	Ctx		   *c;
	MgStep	   *steps;
	int			nsteps;
	int			csteps;
	IntVec		ops;			/* kind, from, to triples for the open step */
	Rows		rows;
} PlanB;

static void
pb_init(Ctx *c, PlanB *pb, const int *rows, int nrows)
{
	pb->c = c;
	pb->steps = NULL;
	pb->nsteps = pb->csteps = 0;
	iv_init(c, &pb->ops);
	rows_init(c, &pb->rows, rows, nrows);
}

/*
 * Apply one row change, refusing what would not hit exactly one row (the
 * callers check first, so this is the last line of defence that keeps
 * every DELETE/UPDATE pointed at an existing row).
 */
static bool
pb_op(PlanB *pb, MgRowOpKind kind, int from, int to)
{
	Rows	   *r = &pb->rows;
	Ctx		   *c = pb->c;

	if ((kind != MG_ROW_INSERT && !is_row(r, from)) ||
		(kind != MG_ROW_DELETE && is_row(r, to)))
		return fail(c, MG_ERR_UNSUPPORTED, NULL, NULL,
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
static void
pb_step(PlanB *pb, MgStepKind kind, int rev)
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

static void
pb_finish(PlanB *pb, MgPlan *plan)
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
typedef struct Cover
{
	Mark	   *up_seen;
	Mark	   *down_seen;
	IntVec		up;				/* revision, next edge: pairs */
	IntVec		down;			/* entry points of the downward search */
	IntVec		list;			/* the rows a step merges or restores */
	int		   *memo;			/* for strict_ancestor */
	IntVec		rstack;
	IntVec		rseen;
} Cover;

static void
cover_init(Ctx *c, Cover *cv)
{
	cv->up_seen = mark_new(c);
	cv->down_seen = mark_new(c);
	iv_init(c, &cv->up);
	iv_init(c, &cv->down);
	iv_init(c, &cv->list);
	cv->memo = memo_new(c);
	iv_init(c, &cv->rstack);
	iv_init(c, &cv->rseen);
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
	mark_clear(cv->up_seen);
	mark_clear(cv->down_seen);
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
		 * One step down (as reaches() does it, a merge at a time): the next
		 * merge on the tree path being walked, else the next entry point,
		 * else the next other row.
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

/* the rows an upgrade of rev leaves (7.1-7.3) */
static bool
upgrade_rows(PlanB *pb, Cover *cv, Mark *applied, int rev)
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
		if (!pb_op(pb, MG_ROW_INSERT, -1, rev))
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
				return fail(c, MG_ERR_UNSUPPORTED,
							sc_printf(c, "Revision %s lists %s among its down revisions although it is already an ancestor of another of them; Alembic fails on this merge with an internal error (KeyError).",
									  g->ids[rev], g->ids[p[j]]),
							"Upgrade one branch at a time, or register the merge without the redundant dependency.",
							"cannot upgrade merge revision %s from these version rows",
							g->ids[rev]);
		}
		for (j = 0; j + 1 < from->n; j++)
			if (!pb_op(pb, MG_ROW_DELETE, from->v[j], -1))
				return false;
		if (!pb_op(pb, MG_ROW_UPDATE, from->v[from->n - 1], rev))
			return false;
	}
	else
	{
		for (j = 0; j < np; j++)
			if (is_row(&pb->rows, p[j]))
				return pb_op(pb, MG_ROW_UPDATE, p[j], rev);
	}
	return true;
}

/* the rows a downgrade of rev leaves (7.5-7.8, with the 1373 fix) */
static bool
downgrade_rows(PlanB *pb, Cover *cv, Mark *applied, int rev)
{
	Ctx		   *c = pb->c;
	const MgGraph *g = c->g;
	const int  *p;
	int			np,
				j,
				k;
	IntVec	   *to = &cv->list;

	if (!is_row(&pb->rows, rev))
		return fail(c, MG_ERR_UNSUPPORTED,
					sc_printf(c, "Revision %s is to be downgraded but is not a version row; Alembic fails here with an internal error.",
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
				if (k != j && strict_ancestor(c, cv->memo, &cv->rstack,
											  &cv->rseen, to->v[j], to->v[k]))
					below = true;
			if (!below)
				to->v[w++] = to->v[j];
		}
		to->n = w;
	}
	if (to->n == 0)
		return pb_op(pb, MG_ROW_DELETE, rev, -1);
	for (j = 0; j + 1 < to->n; j++)
		if (!pb_op(pb, MG_ROW_INSERT, -1, to->v[j]))
			return false;
	return pb_op(pb, MG_ROW_UPDATE, rev, to->v[to->n - 1]);
}

/* ----------------------------------------------------------------------
 * Collecting what upgrade, downgrade and history cover
 * ----------------------------------------------------------------------
 */
static bool
fail_range(Ctx *c)
{
	if (c->history_range)
		return fail(c, MG_ERR_NOT_VALID_TARGET,
					"The start of the range is not an ancestor of its end.", NULL,
					"Requested range %s:%s does not refer to ancestor/descendant revisions along the same branch",
					c->range_start, c->range_end);
	return fail(c, MG_ERR_NOT_VALID_TARGET,
				"Nothing above the destination is applied.", NULL,
				"Destination %s is not a valid downgrade target from current head(s)",
				c->destination);
}

/*
 * RevisionMap._collect_upgrade_revisions.  needs/inneeds receive what to
 * run, targets the heads to sort from, current the applied set.
 */
static bool
collect_upgrade(Ctx *c, Arg upper, Arg lower, bool implicit_base,
				bool inclusive, bool assert_rel, IntVec *needs, Mark *inneeds,
				IntVec *targets, Mark *required, IntVec *req, Mark *current)
{
	const MgGraph *g = c->g;
	IntVec		cur;
	int			i;

	if (!parse_upgrade_target(c, lower, upper, assert_rel, targets))
		return false;
	for (i = 0; i < targets->n; i++)
		if (targets->v[i] < 0)
		{
			/* Alembic: a bare AssertionError (semantics 4.4) */
			RelTarget	rt;
			long long	mag = 0;
			const char *detail = targets->v[i] == BASE_REV ?
				"The walk ends at base, which is not a revision to upgrade to." :
				"The walk goes past the end of the revision graph.";

			rel_match(c, upper.str ? upper.str : "", &rt);
			if (rt.matched)
				return fail_relative(c, rt.rel_text, rt.abs_text, detail);
			/* only Python's int() reading of "-N" gets here */
			(void) py_negative_int(upper.str ? upper.str : "", &mag);
			return fail_relative(c, sc_printf(c, "-%lld", mag),
								 sc_printf(c, "%lld", mag), detail);
		}

	/* a "<branch>@..." start limits the targets to that branch's labels */
	if (lower.str != NULL && strchr(lower.str, '@') != NULL)
	{
		const char *br = sc_strndup(c, lower.str,
									(size_t) (strchr(lower.str, '@') - lower.str));
		int			brev;
		int			w = 0;

		if (!get_revision(c, br, &brev))
			return false;
		if (brev >= 0 && strcmp(g->ids[brev], br) == 0)
		{
			if (g->nslab[brev] != 1)
				return fail(c, MG_ERR_UNSUPPORTED,
							sc_printf(c, "Revision %s carries %d branch labels; Alembic needs exactly one here and fails with an internal error.",
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
			if (!dupl && has_spread_label(g, t, br))
				targets->v[w++] = t;
		}
		targets->n = w;
	}

	if (!closure_checked(c, ANC_ALL, targets->v, targets->n, required, req))
		return false;

	iv_init(c, &cur);
	if (!get_revisions_arg(c, lower, &cur))
		return false;
	if (!implicit_base)
		for (i = 0; i < cur.n; i++)
			if (cur.v[i] != NONE_REV &&
				(cur.v[i] == BASE_REV || !mark_has(required, cur.v[i])))
				return fail_range(c);
	if (cur.n > 0 && cur.v[0] == NONE_REV)
		return fail(c, MG_ERR_RELATIVE_RANGE,
					"The relative start of the range walks past the end of the revision graph.",
					NULL, "Relative revision %s didn't produce the migrations asked for",
					lower.str ? lower.str : "");
	for (i = 0; i < cur.n; i++)
		if (cur.v[i] < 0)
			return fail(c, MG_ERR_UNSUPPORTED, NULL, NULL,
						"cannot use base or a missing revision as the start of a range");
	if (!closure_checked(c, ANC_ALL, cur.v, cur.n, current, NULL))
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
		Mark	   *desc = mark_new(c);
		int			w = 0;

		if (!closure_checked(c, DESC_V, cur.v, cur.n, desc, NULL))
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

/* RevisionMap._get_all_current: rows plus ancestors, their versioned tips */
static void
all_current(Ctx *c, const int *rows, int nrows, IntVec *out)
{
	const MgGraph *g = c->g;
	Mark	   *mk = mark_new(c);
	IntVec		anc;
	int			i;

	iv_init(c, &anc);
	closure(c, ANC_ALL, rows, nrows, mk, &anc);
	/* registration order: a scan of the marks when that is cheaper */
	if ((long long) anc.n * 16 < g->n)
		sort_ints(anc.v, anc.n);
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

/* RevisionMap._parse_downgrade_target */
static bool
parse_downgrade_target(Ctx *c, const int *rows, int nrows,
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

	rel_match(c, target, &rt);
	if (rt.matched)
	{
		if (rt.plus || rt.zero)
		{
			if (rt.symbol == NULL)
				return fail_relative(c, rt.rel_text, rt.abs_text,
									 "A downgrade cannot go up.");
			if (!walk(c, rt.symbol, NONE_REV, rt.zero ? 0 : rt.n, rt.branch,
					  assert_rel, &res))
				return false;
			if (res == NONE_REV)
				return fail(c, MG_ERR_RELATIVE_RANGE,
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

				iv_init(c, &sl);
				if (!filter_lineage(c, rows, nrows, br, false, &sl))
					return false;
				if (sl.n == 0)
				{
					IntVec		allc;

					iv_init(c, &allc);
					all_current(c, rows, nrows, &allc);
					if (!filter_lineage(c, allc.v, allc.n, br, false, &sl))
						return false;
				}
				if (sl.n == 0)
					return fail_relative(c, rt.rel_text, rt.abs_text,
										 sc_printf(c, "No applied revision is on branch '%s'.", br));
				if (sl.n > 1)
					return fail(c, MG_ERR_AMBIGUOUS_DOWNGRADE,
								sc_printf(c, "The applied revisions on branch '%s' are %s.",
										  br, join_ids(c, sl.v, sl.n, false)),
								"Give an explicit revision to downgrade to.",
								"downgrade %s@%s from multiple heads is ambiguous",
								br, rt.rel_text);
				symbol = g->ids[sl.v[0]];
			}
			else
			{
				if (nrows == 0)
					return fail_relative(c, rt.rel_text, rt.abs_text,
										 "Nothing is applied.");
				if (nrows > 1)
					return fail(c, MG_ERR_AMBIGUOUS_DOWNGRADE,
								sc_printf(c, "The applied heads are %s.",
										  join_ids(c, rows, nrows, false)),
								sc_printf(c, "Use <branch>@%s to name the branch to downgrade, or give an explicit revision.",
										  rt.rel_text),
								"downgrade %s from multiple heads is ambiguous",
								rt.rel_text);
				symbol = g->ids[rows[0]];
				br = symbol;
			}
		}
		if (!walk(c, br ? sc_printf(c, "%s@%s", br, symbol) : symbol, NONE_REV,
				  -rt.n, NULL, assert_rel, &res))
			return false;
		if (res == NONE_REV)
		{
			if (relative_revision)
				return fail_relative(c, rt.rel_text, rt.abs_text,
									 "The walk goes past base.");
			return fail(c, MG_ERR_RELATIVE_RANGE,
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
		sc_strndup(c, target, (size_t) (last - target)) : NULL;
	symbol = last ? last + 1 : target;
	return get_revision(c, symbol, rev);
}

/* RevisionMap._collect_downgrade_revisions */
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

	if (!parse_downgrade_target(c, rows, nrows, target, true, &br, &trev))
		return false;
	if (trev == BASE_REV)
		trev = NONE_REV;
	iv_init(c, &roots);
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
		Mark	   *anc = mark_new(c);
		int			w = 0;

		if (!resolve_branch(c, br, &brev))
			return false;
		closure(c, ANC_V, &brev, 1, anc, NULL);
		for (i = 0; i < roots.n; i++)
			if (mark_has(anc, roots.v[i]))
				roots.v[w++] = roots.v[i];
		roots.n = w;
		if (w == 0)
			return fail(c, MG_ERR_NOT_VALID_TARGET,
						sc_printf(c, "No revision above the destination is on branch '%s'.", br),
						NULL, "Not a valid downgrade target from current heads");
	}
	mdown = mark_new(c);
	iv_init(c, &down);
	closure(c, DESC_ALL, roots.v, roots.n, mdown, &down);
	closure(c, ANC_ALL, rows, nrows, active, NULL);
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
			return fail_range(c);
	}
	return true;
}

/* ----------------------------------------------------------------------
 * Entry points
 * ----------------------------------------------------------------------
 */

/* the caller's version rows: valid, distinct revisions */
static bool
check_rows(Ctx *c, const MgRevList *rows, const int **items, int *n)
{
	const MgGraph *g = c->g;
	Mark	   *mk;
	int			i;

	*items = NULL;
	*n = 0;
	if (rows == NULL || rows->n == 0)
		return true;
	if (rows->n < 0 || rows->items == NULL)
		return fail(c, MG_ERR_BAD_VERSION_ROWS, NULL, NULL,
					"malformed version row list");
	mk = mark_new(c);
	for (i = 0; i < rows->n; i++)
	{
		int			r = rows->items[i];

		if (r < 0 || r >= g->n)
			return fail(c, MG_ERR_BAD_VERSION_ROWS, NULL, NULL,
						"version row %d does not name a revision of the graph", r);
		if (mark_has(mk, r))
			return fail(c, MG_ERR_BAD_VERSION_ROWS, NULL,
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
to_revlist(const IntVec *v, MgRevList *out)
{
	out->n = v->n;
	out->items = mg_alloc(sizeof(int) * (size_t) (v->n ? v->n : 1));
	if (v->n)
		memcpy(out->items, v->v, sizeof(int) * (size_t) v->n);
}

static bool
bad_graph(MgError *err)
{
	err->code = MG_ERR_BAD_TARGET;
	err->message = fmt_keep("no revision graph given");
	err->detail = err->hint = NULL;
	return false;
}

bool
mg_current(const MgGraph *g, const MgRevList *rows, MgRevList *out,
		   MgError *err)
{
	MgError		dummy;
	Ctx			cx;
	const int  *r;
	int			nr;
	IntVec		res;
	bool		ok;

	if (err == NULL)
		err = &dummy;
	if (g == NULL)
		return bad_graph(err);
	ctx_init(&cx, g, err);
	iv_init(&cx, &res);
	ok = check_rows(&cx, rows, &r, &nr);
	if (ok)
	{
		all_current(&cx, r, nr, &res);
		to_revlist(&res, out);
	}
	ctx_end(&cx);
	return ok;
}

bool
mg_resolve(const MgGraph *g, const char *target, const MgRevList *rows,
		   MgRevList *out, MgError *err)
{
	MgError		dummy;
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

	if (err == NULL)
		err = &dummy;
	if (g == NULL)
		return bad_graph(err);
	ctx_init(c, g, err);
	iv_init(c, &res);
	iv_init(c, &uniq);
	if (!check_rows(c, rows, &r, &nr))
		goto done;
	if (target == NULL)
	{
		fail(c, MG_ERR_BAD_TARGET, NULL, NULL, "target must not be null");
		goto done;
	}
	rel_match(c, target, &rt);
	if (rt.matched && (rt.symbol != NULL || rt.plus || rt.zero))
	{
		/* <symbol>+-N walks from the symbol, +N from the rows, as upgrade */
		Arg			cur = {NULL, r, nr};
		Arg			tgt = {target, NULL, 0};

		if (!parse_upgrade_target(c, cur, tgt, true, &res))
			goto done;
	}
	else if (!get_revisions_str(c, target, &res))	/* as alembic show */
		goto done;
	for (i = 0; i < res.n; i++)
	{
		bool		seen = false;

		if (res.v[i] == NONE_REV)
		{
			/* Alembic's show crashes on the None a walk past the end gives */
			long long	mag = 0;

			if (rt.matched)
				fail_relative(c, rt.rel_text, rt.abs_text,
							  "The walk goes past the end of the revision graph.");
			else
			{
				(void) py_negative_int(target, &mag);
				fail_relative(c, sc_printf(c, "-%lld", mag),
							  sc_printf(c, "%lld", mag),
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
	to_revlist(&uniq, out);
	ok = true;
done:
	ctx_end(c);
	return ok;
}

static const char *
strip_ws(Ctx *c, const char *s)
{
	size_t		len = strlen(s);

	/* Python's str.strip(): ASCII whitespace and the separators 0x1c-0x1f */
	while (*s == ' ' || (*s >= '\t' && *s <= '\r') || (*s >= 0x1c && *s <= 0x1f))
	{
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' ||
					   (s[len - 1] >= '\t' && s[len - 1] <= '\r') ||
					   (s[len - 1] >= 0x1c && s[len - 1] <= 0x1f)))
		len--;
	return sc_strndup(c, s, len);
}

bool
mg_history(const MgGraph *g, const char *range, const MgRevList *rows,
		   MgRevList *out, MgError *err)
{
	MgError		dummy;
	Ctx			cx;
	Ctx		   *c = &cx;
	const int  *r;
	int			nr,
				i;
	const char *base_raw = "",
			   *head_raw = "";
	Arg			upper = {NULL, NULL, 0};
	Arg			lower = {NULL, NULL, 0};
	IntVec		needs,
				targets,
				req,
				order;
	Mark	   *inneeds,
			   *required,
			   *current,
			   *hull;
	bool		ok = false;

	if (err == NULL)
		err = &dummy;
	if (g == NULL)
		return bad_graph(err);
	ctx_init(c, g, err);
	c->history_range = true;
	if (!check_rows(c, rows, &r, &nr))
		goto done;
	if (range != NULL && range[0] != '\0')
	{
		const char *s = strip_ws(c, range);
		const char *colon = strchr(s, ':');

		if (colon == NULL || strchr(colon + 1, ':') != NULL)
		{
			fail(c, MG_ERR_BAD_TARGET, NULL, NULL,
				 "History range requires [start]:[end], [start]:, or :[end]");
			goto done;
		}
		base_raw = sc_strndup(c, s, (size_t) (colon - s));
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
	c->range_start = lower.str ? lower.str : py_tuple(c, lower.revs, lower.nrevs);
	c->range_end = upper.str ? upper.str : py_tuple(c, upper.revs, upper.nrevs);
	c->mh_arg = c->range_end;

	iv_init(c, &needs);
	iv_init(c, &targets);
	iv_init(c, &req);
	iv_init(c, &order);
	inneeds = mark_new(c);
	required = mark_new(c);
	current = mark_new(c);
	if (!collect_upgrade(c, upper, lower, false, true, false, &needs, inneeds,
						 &targets, required, &req, current))
		goto done;
	/* what may lie between two revisions of the range without being in it */
	hull = mark_new(c);
	for (i = 0; i < req.n; i++)
		if (!mark_has(current, req.v[i]) && !mark_has(inneeds, req.v[i]))
			mark_set(hull, req.v[i]);
	if (!topo_sort(c, &needs, inneeds, targets.v, targets.n, hull, &order))
		goto done;
	to_revlist(&order, out);
	ok = true;
done:
	ctx_end(c);
	return ok;
}

/*
 * What upgrade and downgrade check before planning: the rows fit the graph,
 * and the target is one target, not a range (ranges are for history).
 */
static bool
plan_prologue(Ctx *c, const MgRevList *rows, const char *target,
			  const int **r, int *nr)
{
	if (!check_rows(c, rows, r, nr))
		return false;
	if (target == NULL)
		return fail(c, MG_ERR_BAD_TARGET, NULL, NULL, "target must not be null");
	if (strchr(target, ':') != NULL)
		return fail(c, MG_ERR_RANGE_NOT_ALLOWED,
					"A range \"start:end\" is only meaningful for offline scripts.",
					NULL, "Range revision not allowed");
	c->mh_arg = target;
	return true;
}

bool
mg_plan_upgrade(const MgGraph *g, const char *target, const MgRevList *rows,
				MgPlan *plan, MgError *err)
{
	MgError		dummy;
	Ctx			cx;
	Ctx		   *c = &cx;
	const int  *r;
	int			nr,
				i;
	Arg			upper = {NULL, NULL, 0};
	Arg			lower = {NULL, NULL, 0};
	IntVec		needs,
				targets,
				req,
				order;
	Mark	   *inneeds,
			   *required,
			   *applied;
	Cover		cv;
	PlanB		pb;
	bool		ok = false;

	if (err == NULL)
		err = &dummy;
	if (g == NULL)
		return bad_graph(err);
	ctx_init(c, g, err);
	if (!plan_prologue(c, rows, target, &r, &nr))
		goto done;
	upper.str = target;
	lower.revs = r;
	lower.nrevs = nr;
	iv_init(c, &needs);
	iv_init(c, &targets);
	iv_init(c, &req);
	iv_init(c, &order);
	inneeds = mark_new(c);
	required = mark_new(c);
	applied = mark_new(c);
	cover_init(c, &cv);
	if (!collect_upgrade(c, upper, lower, true, false, true, &needs, inneeds,
						 &targets, required, &req, applied))
		goto done;
	if (!topo_sort(c, &needs, inneeds, targets.v, targets.n, NULL, &order))
		goto done;
	pb_init(c, &pb, r, nr);
	for (i = order.n - 1; i >= 0; i--)
	{
		int			rev = order.v[i];

		if (!upgrade_rows(&pb, &cv, applied, rev))
			goto done;
		mark_set(applied, rev);
		pb_step(&pb, MG_STEP_UPGRADE, rev);
	}
	pb_finish(&pb, plan);
	ok = true;
done:
	ctx_end(c);
	return ok;
}

bool
mg_plan_downgrade(const MgGraph *g, const char *target,
				  const MgRevList *rows, MgPlan *plan, MgError *err)
{
	MgError		dummy;
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

	if (err == NULL)
		err = &dummy;
	if (g == NULL)
		return bad_graph(err);
	ctx_init(c, g, err);
	if (!plan_prologue(c, rows, target, &r, &nr))
		goto done;
	c->destination = target;
	iv_init(c, &todo);
	iv_init(c, &order);
	intodo = mark_new(c);
	active = mark_new(c);
	cover_init(c, &cv);
	if (!collect_downgrade(c, r, nr, target, &todo, intodo, active))
		goto done;
	if (!topo_sort(c, &todo, intodo, r, nr, NULL, &order))
		goto done;
	pb_init(c, &pb, r, nr);
	for (i = 0; i < order.n; i++)
	{
		int			rev = order.v[i];

		if (!downgrade_rows(&pb, &cv, active, rev))
			goto done;
		mark_unset(active, rev);
		pb_step(&pb, MG_STEP_DOWNGRADE, rev);
	}
	pb_finish(&pb, plan);
	ok = true;
done:
	ctx_end(c);
	return ok;
}

/*
 * One of Alembic's StampStep updates (HeadMaintainer.update_to_step):
 * replace 'from' by 'to', or insert 'to' as a new branch.  Where Alembic
 * would delete or update a row that is not there, or insert one that is,
 * it crashes; we refuse the stamp instead.
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
		return pb_op(pb, MG_ROW_INSERT, -1, to);
	if (nfrom == 0)
		goto clash;
	for (j = 0; j < nfrom; j++)
		if (!is_row(&pb->rows, from[j]))
			goto clash;
	if (is_row(&pb->rows, to))
		goto clash;
	for (j = 0; j + 1 < nfrom; j++)
		if (!pb_op(pb, MG_ROW_DELETE, from[j], -1))
			return false;
	return pb_op(pb, MG_ROW_UPDATE, from[nfrom - 1], to);

clash:
	return fail(c, MG_ERR_UNSUPPORTED,
				sc_printf(c, "Stamping %s would replace version rows that an earlier destination of the same stamp already replaced; Alembic fails here with an internal error.",
						  g->ids[to]),
				"Stamp the destinations one at a time, or use purge and list every head.",
				"cannot stamp these revisions together");
}

bool
mg_plan_stamp(const MgGraph *g, const char *const *targets, int ntargets,
			  const MgRevList *rows, bool purge, MgPlan *plan, MgError *err)
{
	MgError		dummy;
	static const char *const base_only[1] = {"base"};
	Ctx			cx;
	Ctx		   *c = &cx;
	const int  *r;
	int			nr,
				i,
				j;
	const int  *heads;
	int			nheads;
	IntVec		filtered,
				part,
				dests,
				uniq;
	Mark	   *mk,
			   *anc,
			   *desc;
	PlanB		pb;
	bool		ok = false;

	if (err == NULL)
		err = &dummy;
	if (g == NULL)
		return bad_graph(err);
	ctx_init(c, g, err);
	c->stamp_wording = true;
	if (!check_rows(c, rows, &r, &nr))
		goto done;
	if (ntargets < 0 || (ntargets > 0 && targets == NULL))
	{
		fail(c, MG_ERR_BAD_TARGET, NULL, NULL, "malformed stamp target list");
		goto done;
	}
	for (i = 0; i < ntargets; i++)
		if (targets[i] == NULL)
		{
			fail(c, MG_ERR_BAD_TARGET, NULL, NULL, "target must not be null");
			goto done;
		}
	if (ntargets == 0)
	{
		targets = base_only;
		ntargets = 1;
	}
	pb_init(c, &pb, r, nr);
	if (purge && nr > 0)
	{
		for (i = 0; i < nr; i++)
			if (!pb_op(&pb, MG_ROW_DELETE, r[i], -1))
				goto done;
		pb_step(&pb, MG_STEP_STAMP, -1);
	}
	heads = purge ? NULL : r;
	nheads = purge ? 0 : nr;

	/* rows sharing lineage (dependencies included) with any destination */
	iv_init(c, &filtered);
	iv_init(c, &part);
	mk = mark_new(c);
	for (i = 0; i < ntargets; i++)
	{
		if (targets[i][0] == '\0')
			continue;
		if (!filter_lineage(c, heads, nheads, targets[i], true, &part))
			goto done;
		for (j = 0; j < part.n; j++)
			if (!mark_has(mk, part.v[j]))
			{
				mark_set(mk, part.v[j]);
				iv_push(&filtered, part.v[j]);
			}
	}

	iv_init(c, &dests);
	for (i = 0; i < ntargets; i++)
		if (!get_revisions_str(c, targets[i], &dests))
			goto done;
	if (dests.n == 0)
		iv_push(&dests, NONE_REV);

	/*
	 * Where Alembic would crash or leave rows that overlap, refuse: a "-N"
	 * that ends at base, and destinations of which one is an ancestor of
	 * another (as upgrade refuses such targets).
	 */
	iv_init(c, &uniq);
	mark_clear(mk);
	{
		bool		have_base = false;

		for (i = 0; i < dests.n; i++)
		{
			int			d = dests.v[i] < 0 ? NONE_REV : dests.v[i];

			if (dests.v[i] == BASE_REV)
			{
				/* Alembic crashes on a walk that ends at base */
				fail(c, MG_ERR_RELATIVE_RANGE,
					 "The relative destination walks down to base; Alembic fails here with an internal error.",
					 "Stamp 'base' to remove the version rows.",
					 "relative destination ends at base");
				goto done;
			}

			if (d == NONE_REV)
			{
				if (!have_base)
					iv_push(&uniq, NONE_REV);
				have_base = true;
			}
			else if (!mark_has(mk, d))
			{
				mark_set(mk, d);
				iv_push(&uniq, d);
			}
		}
	}
	{
		IntVec		real;

		iv_init(c, &real);
		for (i = 0; i < uniq.n; i++)
			if (uniq.v[i] >= 0)
				iv_push(&real, uniq.v[i]);
		mark_clear(mk);
		if (!closure_checked(c, ANC_ALL, real.v, real.n, mk, NULL))
			goto done;
	}

	/*
	 * One step per destination as named, duplicates included, as Alembic
	 * does: a destination named twice is a no-op the second time when it
	 * was already a row, and otherwise clashes with its first step, where
	 * Alembic fails (stamp_step refuses).
	 */
	anc = mark_new(c);
	desc = mark_new(c);
	for (i = 0; i < dests.n; i++)
	{
		int			d = dests.v[i] < 0 ? NONE_REV : dests.v[i];
		bool		below = false,
					above = false;
		bool		known = false;

		if (d == NONE_REV)
		{
			for (j = 0; j < filtered.n; j++)
			{
				if (!is_row(&pb.rows, filtered.v[j]))
				{
					fail(c, MG_ERR_UNSUPPORTED,
						 sc_printf(c, "Version row %s was already replaced by an earlier destination of the same stamp; Alembic fails here with an internal error.",
								   g->ids[filtered.v[j]]),
						 "Stamp the destinations one at a time.",
						 "cannot stamp these revisions together");
					goto done;
				}
				if (!pb_op(&pb, MG_ROW_DELETE, filtered.v[j], -1))
					goto done;
			}
			if (pb.ops.n > 0)
				pb_step(&pb, MG_STEP_STAMP, -1);
			continue;
		}
		for (j = 0; j < filtered.n; j++)
			if (filtered.v[j] == d)
				known = true;
		if (known)
			continue;
		mark_clear(anc);
		mark_clear(desc);
		closure(c, ANC_ALL, &d, 1, anc, NULL);
		closure(c, DESC_ALL, &d, 1, desc, NULL);
		for (j = 0; j < filtered.n; j++)
		{
			if (mark_has(desc, filtered.v[j]))
				above = true;
			if (mark_has(anc, filtered.v[j]))
				below = true;
		}
		if (above && below)
		{
			fail(c, MG_ERR_UNSUPPORTED,
				 sc_printf(c, "Some version rows lie above %s and others below it; Alembic fails here with an internal error.",
						   g->ids[d]),
				 NULL, "cannot stamp %s over these version rows", g->ids[d]);
			goto done;
		}
		if (above || below)
		{
			if (!stamp_step(&pb, filtered.v, filtered.n, d, !above, false))
				goto done;
		}
		else if (!stamp_step(&pb, NULL, 0, d, true, true))
			goto done;
		pb_step(&pb, MG_STEP_STAMP, d);
	}
	pb_finish(&pb, plan);
	ok = true;
done:
	ctx_end(c);
	return ok;
}
