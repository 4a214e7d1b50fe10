/*-------------------------------------------------------------------------
 *
 * layout.c
 *	  The text picture's layout: the order revisions are drawn in
 *	  (mg_display_order) and the rows of lines that join them (mg_layout).
 *
 * The picture is drawn top to bottom, newest first, as git log --graph
 * draws commits.  While it is drawn, a list of lanes says which revision
 * each vertical line is heading for.  A revision that no lane heads for
 * (a head) opens a lane on the right; a revision's row continues its lane
 * towards its first parent, forks it once for each further parent, or
 * closes it when it is a base.  Lanes that head for the same revision (a
 * branch point, seen from above) are brought together before its row: a
 * lane that is not next to the first one swaps places with its left
 * neighbour, one crossing per row, until it is, then joins it.
 *
 * Lane i is drawn at character column 2 * i.  Every row moves a line by
 * one column at most, so a line can be followed by eye, and by the
 * harness (test/graph/draw.c), which follows every line of the pictures
 * of random graphs and checks that each edge is drawn and nothing else.
 *
 * Implements no rule of doc/graph-rules.md: a picture, not a command
 * (doc/history.md shows it).
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/layout.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "graph_int.h"

/* the layout under construction */
typedef struct Lanes
{
	Ctx		   *c;
	IntVec		lane;			/* the revision each lane heads for */
	char	   *buf;			/* the row being drawn */
	int			cbuf;
	MgLayoutRow *rows;			/* the rows drawn, kept by the caller */
	int			nrows;
	int			crows;
} Lanes;

/* a blank row, wide enough for the lanes and one more */
static char *
row_begin(Lanes *L)
{
	int			need = 2 * L->lane.n + 4;

	if (need > L->cbuf)
	{
		L->cbuf = need * 2;
		L->buf = mgi_alloc(L->c, (size_t) L->cbuf, 1);
	}
	memset(L->buf, ' ', (size_t) L->cbuf);
	return L->buf;
}

/* keep the row drawn, without its trailing spaces */
static void
row_end(Lanes *L, int rev, int column)
{
	int			len = L->cbuf;
	char	   *art;

	while (len > 0 && L->buf[len - 1] == ' ')
		len--;
	art = mg_alloc((size_t) len + 1);
	memcpy(art, L->buf, (size_t) len);
	if (L->nrows == L->crows)
	{
		L->crows = L->crows ? L->crows * 2 : 16;
		L->rows = L->rows == NULL ?
			mg_alloc(sizeof(MgLayoutRow) * (size_t) L->crows) :
			mg_realloc(L->rows, sizeof(MgLayoutRow) * (size_t) L->crows);
	}
	L->rows[L->nrows].rev = rev;
	L->rows[L->nrows].column = column;
	L->rows[L->nrows].art = art;
	L->nrows++;
}

static void
lane_remove(Lanes *L, int i)
{
	memmove(L->lane.v + i, L->lane.v + i + 1,
			sizeof(int) * (size_t) (L->lane.n - i - 1));
	L->lane.n--;
}

static void
lane_insert(Lanes *L, int i, int rev)
{
	iv_push(&L->lane, 0);
	memmove(L->lane.v + i + 1, L->lane.v + i,
			sizeof(int) * (size_t) (L->lane.n - i - 1));
	L->lane.v[i] = rev;
}

/* every lane straight down, with rev's node on lane c (none: c = -1) */
static void
draw_node(Lanes *L, int rev, int c)
{
	char	   *b = row_begin(L);

	for (int i = 0; i < L->lane.n; i++)
		b[2 * i] = i == c ? '*' : '|';
	row_end(L, rev, c >= 0 ? 2 * c : -1);
}

/*
 * Lane j goes away: the lanes right of it move one column left.  With
 * joining, lane j moves onto lane j - 1 (both head for one revision);
 * without, it ended on the row above (a base) and is not drawn.
 */
static void
draw_close(Lanes *L, int j, bool joining)
{
	char	   *b = row_begin(L);

	for (int i = 0; i < L->lane.n; i++)
	{
		if (i < j)
			b[2 * i] = '|';
		else if (i > j || joining)
			b[2 * i - 1] = '/';
	}
	row_end(L, -1, -1);
	lane_remove(L, j);
}

/*
 * Lane f forks: a new lane right of it heads for rev, and the lanes right
 * of f move one column right to make room.
 */
static void
draw_fork(Lanes *L, int f, int rev)
{
	char	   *b = row_begin(L);

	for (int i = 0; i < L->lane.n; i++)
	{
		if (i <= f)
			b[2 * i] = '|';
		if (i >= f)
			b[2 * i + 1] = '\\';
	}
	row_end(L, -1, -1);
	lane_insert(L, f + 1, rev);
}

/*
 * Each lane right of lane c that heads for rev, and whose left neighbour
 * does not, swaps places with that neighbour.
 */
static void
draw_swaps(Lanes *L, int rev, int c)
{
	char	   *b = row_begin(L);
	int		   *v = L->lane.v;
	int			i = 0;

	while (i < L->lane.n)
	{
		if (i > c && i + 1 < L->lane.n && v[i + 1] == rev && v[i] != rev)
		{
			int			t = v[i];

			v[i] = v[i + 1];
			v[i + 1] = t;
			b[2 * i + 1] = 'X';
			i += 2;
		}
		else
			b[2 * i++] = '|';
	}
	row_end(L, -1, -1);
}

/*
 * The lane rev's row draws its node on: the first lane heading for it,
 * once every other lane heading for it has been brought onto that one;
 * a new lane on the right when none heads for it.  A new lane right under
 * the node of a base (at column gap on the row above) would read as a
 * line between the two: a row of the other lanes alone keeps them apart.
 */
static int
converge(Lanes *L, int rev, int gap)
{
	int			c = -1;

	for (int i = 0; i < L->lane.n && c < 0; i++)
		if (L->lane.v[i] == rev)
			c = i;
	if (c < 0)
	{
		if (2 * L->lane.n == gap)
			draw_node(L, -1, -1);
		iv_push(&L->lane, rev);
		return L->lane.n - 1;
	}
	for (;;)
	{
		bool		more = false;

		for (int i = c + 1; i < L->lane.n && !more; i++)
			more = L->lane.v[i] == rev;
		if (!more)
			return c;
		if (L->lane.v[c + 1] == rev)
			draw_close(L, c + 1, true);
		else
			draw_swaps(L, rev, c);
	}
}

/* is order every revision once, each before its down_revision parents? */
static bool
check_order(Ctx *c, const MgRevList *order)
{
	const MgGraph *g = c->g;
	int		   *pos;

	if (order == NULL || order->n != g->n || (g->n > 0 && order->items == NULL))
		return false;
	pos = mgi_alloc(c, (size_t) g->n, sizeof(int));
	for (int i = 0; i < g->n; i++)
		pos[i] = -1;
	for (int k = 0; k < order->n; k++)
	{
		int			rev = order->items[k];

		if (rev < 0 || rev >= g->n || pos[rev] >= 0)
			return false;
		pos[rev] = k;
	}
	for (int rev = 0; rev < g->n; rev++)
		for (int k = g->par_off[rev]; k < g->par_off[rev + 1]; k++)
			if (pos[g->par[k]] < pos[rev])
				return false;
	return true;
}

bool
mg_layout(const MgGraph *g, const MgRevList *order, MgLayout *out,
		  MgError *err)
{
	Ctx			cx;
	Lanes		L;

	if (!mgi_ctx_begin(&cx, g, err))
		return false;
	if (!check_order(&cx, order))
	{
		mgi_fail(&cx, MG_ERR_UNSUPPORTED, NULL, NULL,
				 "a display order lists every revision once, children before parents");
		mgi_ctx_end(&cx);
		return false;
	}
	memset(&L, 0, sizeof(L));
	L.c = &cx;
	mgi_iv_init(&cx, &L.lane);
	for (int k = 0, gap = -1; k < order->n; k++)
	{
		int			rev = order->items[k];
		int			c = converge(&L, rev, gap);
		const int  *par = g->par + g->par_off[rev];
		int			npar = g->par_off[rev + 1] - g->par_off[rev];

		draw_node(&L, rev, c);
		gap = -1;
		if (npar == 0)
		{
			/* a base: its lane ends; no row when nothing is right of it */
			if (c + 1 < L.lane.n)
				draw_close(&L, c, false);
			else
			{
				L.lane.n--;
				gap = 2 * c;
			}
			continue;
		}
		L.lane.v[c] = par[0];
		for (int j = 1; j < npar; j++)
			draw_fork(&L, c + j - 1, par[j]);
	}
	out->rows = L.rows;
	out->nrows = L.nrows;
	mgi_ctx_end(&cx);
	return true;
}

/* the reverse of the graph's topological order: children first */
static void
reverse_topo(const MgGraph *g, MgRevList *out)
{
	out->n = g->n;
	out->items = mg_alloc(sizeof(int) * (size_t) (g->n ? g->n : 1));
	for (int i = 0; i < g->n; i++)
		out->items[i] = g->topo[g->n - 1 - i];
}

bool
mg_display_order(const MgGraph *g, MgRevList *out, MgError *err)
{
	Ctx			cx;
	MgRevList	none = {NULL, 0};
	bool		ok;

	if (!mgi_ctx_begin(&cx, g, err))
		return false;
	out->items = NULL;
	out->n = 0;
	ok = g->n > 0 && mg_history(g, NULL, &none, out, NULL) &&
		check_order(&cx, out);
	if (!ok)
	{
		if (out->items != NULL)
			mg_free(out->items);
		reverse_topo(g, out);
	}
	mgi_ctx_end(&cx);
	return true;
}
