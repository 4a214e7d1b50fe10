/*-------------------------------------------------------------------------
 *
 * draw.c
 *	  Pictures of the whole graph (mg_draw): what each shows of a
 *	  revision, and the text picture.
 *
 * Every format shows the same facts (DrawFacts): the display order (newest
 * first, as history() lists), which revisions are applied (a version row,
 * or an ancestor of one through down_revision or depends_on), which ones
 * `alembic current` shows (the version rows and the dependency tips they
 * imply, as current() and history()'s is_current do), and each revision's
 * tags: "[head]" and "[current]" where they apply, then the branch labels
 * the revision was registered with, in parentheses.  export.c writes dot
 * and mermaid from these facts; the text picture is here.
 *
 * The text picture is layout.c's rows with, on each revision's row, its
 * short id, its tags, its message and its dependencies.  A node is '*'
 * when the revision is applied, 'o' when it is pending.  The short id is
 * the shortest prefix of at least SHORT_ID characters that no other id
 * starts with (the whole id when it is shorter), which migrate's targets
 * accept as they accept any unique prefix.  A message is escaped as C
 * escapes a string (backslash, \n, \t, \xNN, and \uNNNN for Unicode's
 * invisible controls), so it stays on its row and shows what it holds.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/draw.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

/* the least length of a short id, as git abbreviates commits */
#define SHORT_ID	7

typedef struct IdRef
{
	const char *id;
	int			rev;
} IdRef;

static int
cmp_idref(const void *a, const void *b)
{
	return strcmp(((const IdRef *) a)->id, ((const IdRef *) b)->id);
}

static int
common_prefix(const char *a, const char *b)
{
	int			n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/*
 * The length of each revision's short id.  Sorted, an id shares its
 * longest prefix with one of its neighbours.
 */
static int *
short_lengths(Ctx *c)
{
	const MgGraph *g = c->g;
	IdRef	   *s = mgi_alloc(c, (size_t) g->n, sizeof(IdRef));
	int		   *len = mgi_alloc(c, (size_t) g->n, sizeof(int));

	for (int i = 0; i < g->n; i++)
	{
		s[i].id = g->ids[i];
		s[i].rev = i;
	}
	if (g->n > 1)
		qsort(s, (size_t) g->n, sizeof(IdRef), cmp_idref);
	for (int k = 0; k < g->n; k++)
	{
		int			full = (int) strlen(s[k].id);
		int			l = full < SHORT_ID ? full : SHORT_ID;

		if (k > 0 && common_prefix(s[k - 1].id, s[k].id) + 1 > l)
			l = common_prefix(s[k - 1].id, s[k].id) + 1;
		if (k + 1 < g->n && common_prefix(s[k].id, s[k + 1].id) + 1 > l)
			l = common_prefix(s[k].id, s[k + 1].id) + 1;
		len[s[k].rev] = l < full ? l : full;
	}
	return len;
}

/* "[head, current] (label, ...)", or less, or "" */
static const char *
tags_of(Ctx *c, int rev, bool head, bool current)
{
	Str			b;
	int			nlabels;
	const char *const *labels = mg_labels(c->g, rev, false, &nlabels);

	mgi_str_init(c, &b);
	if (head || current)
		mgi_str_add(&b, head && current ? "[head, current]" :
					head ? "[head]" : "[current]");
	for (int i = 0; i < nlabels; i++)
	{
		mgi_str_add(&b, i > 0 ? ", " : b.len > 0 ? " (" : "(");
		mgi_str_add(&b, labels[i]);
	}
	if (nlabels > 0)
		mgi_str_add(&b, ")");
	return b.s;
}

/* the version rows' ancestors, themselves included, through any edge */
static bool *
applied_set(Ctx *c, const MgRevList *rows)
{
	const MgGraph *g = c->g;
	bool	   *applied = mgi_alloc(c, (size_t) g->n, sizeof(bool));

	c->nstack = 0;
	for (int i = 0; i < rows->n; i++)
		if (!applied[rows->items[i]])
		{
			applied[rows->items[i]] = true;
			st_push(c, rows->items[i]);
		}
	while (c->nstack > 0)
	{
		int			v = c->stack[--c->nstack];
		const int  *e;
		int			ne;

		edges(g, ANC_RAW, v, &e, &ne);
		for (int j = 0; j < ne; j++)
			if (!applied[e[j]])
			{
				applied[e[j]] = true;
				st_push(c, e[j]);
			}
	}
	return applied;
}

/* what every picture shows; false (the error set) for bad version rows */
static bool
gather(Ctx *c, const MgDrawInput *in, DrawFacts *f)
{
	const MgGraph *g = c->g;
	MgRevList	none = {NULL, 0};
	const MgRevList *rows = in->rows ? in->rows : &none;
	MgRevList	cur;
	MgRevList	heads = mg_heads(g, false);
	bool	   *is_head = mgi_alloc(c, (size_t) g->n, sizeof(bool));

	memset(f, 0, sizeof(*f));
	f->g = g;
	f->in = in;
	if (!mg_current(g, rows, &cur, c->err))
		return false;
	mgi_track(c, cur.items);
	f->current = mgi_alloc(c, (size_t) g->n, sizeof(bool));
	for (int i = 0; i < cur.n; i++)
		f->current[cur.items[i]] = true;
	for (int i = 0; i < heads.n; i++)
		is_head[heads.items[i]] = true;
	f->applied = applied_set(c, rows);
	f->tags = mgi_alloc(c, (size_t) g->n, sizeof(char *));
	for (int i = 0; i < g->n; i++)
		f->tags[i] = tags_of(c, i, is_head[i], f->current[i]);
	mg_display_order(g, &f->order, NULL);
	mgi_track(c, f->order.items);
	return true;
}

/*
 * s as C would escape it in a string literal, less the quotes: the one
 * line a message gets in the text picture.
 */
static void
text_escape(Str *b, const char *s, bool utf8)
{
	char		esc[16];

	while (*s)
	{
		unsigned	cp;
		int			clen = mgi_control_char(s, utf8, &cp);
		const char *named = *s == '\n' ? "\\n" : *s == '\t' ? "\\t" :
			*s == '\r' ? "\\r" : *s == '\\' ? "\\\\" : NULL;

		if (named != NULL)
			mgi_str_add(b, named);
		else if (clen == 0)
		{
			mgi_str_addn(b, s, 1);
			clen = 1;
		}
		else
		{
			snprintf(esc, sizeof(esc), cp < 0x80 ? "\\x%02x" : "\\u%04x", cp);
			mgi_str_add(b, esc);
		}
		s += clen > 0 ? clen : 1;
	}
}

/* what follows the drawing on a revision's row */
static void
text_caption(const DrawFacts *f, const int *shortlen, int rev, Str *b)
{
	const char *msg = f->in->messages ? f->in->messages[rev] : NULL;
	MgRevList	dep = mg_dependencies(f->g, rev);

	mgi_str_add(b, " ");
	mgi_str_addn(b, mg_rev_id(f->g, rev), (size_t) shortlen[rev]);
	if (f->tags[rev][0])
	{
		mgi_str_add(b, " ");
		mgi_str_add(b, f->tags[rev]);
	}
	if (msg != NULL && msg[0])
	{
		mgi_str_add(b, " ");
		text_escape(b, msg, f->in->utf8);
	}
	for (int j = 0; j < dep.n; j++)
	{
		mgi_str_add(b, j == 0 ? " (depends on " : ", ");
		mgi_str_addn(b, mg_rev_id(f->g, dep.items[j]),
					 (size_t) shortlen[dep.items[j]]);
	}
	if (dep.n > 0)
		mgi_str_add(b, ")");
}

/*
 * The text picture.  A revision's row is padded to the width of the rows
 * that follow it up to the next revision (the fork of a merge), so that
 * the text after the drawing starts clear of them.
 */
static void
draw_text(Ctx *c, const DrawFacts *f, Str *b)
{
	MgLayout	lay;
	int		   *shortlen = short_lengths(c);

	if (!mg_layout(f->g, &f->order, &lay, NULL))
		return;					/* cannot happen: the order is the module's */
	for (int i = 0; i < lay.nrows; i++)
	{
		const MgLayoutRow *row = &lay.rows[i];
		size_t		width = strlen(row->art);
		char	   *art;

		if (i > 0)
			mgi_str_add(b, "\n");
		if (row->rev < 0)
		{
			mgi_str_add(b, row->art);
			continue;
		}
		for (int j = i + 1; j < lay.nrows && lay.rows[j].rev < 0; j++)
			if (strlen(lay.rows[j].art) > width)
				width = strlen(lay.rows[j].art);
		art = mgi_alloc(c, width + 1, 1);
		memset(art, ' ', width);
		memcpy(art, row->art, strlen(row->art));
		art[row->column] = f->applied[row->rev] ? '*' : 'o';
		mgi_str_add(b, art);
		text_caption(f, shortlen, row->rev, b);
	}
	for (int i = 0; i < lay.nrows; i++)
		mg_free((void *) lay.rows[i].art);
	mg_free(lay.rows);
}

bool
mg_draw(const MgGraph *g, MgDrawFormat format, const MgDrawInput *in,
		char **out, MgError *err)
{
	Ctx			cx;
	DrawFacts	f;
	Str			b;
	bool		ok = false;

	if (!mgi_ctx_begin(&cx, g, err))
		return false;
	if (in == NULL || out == NULL)
	{
		mgi_fail(&cx, MG_ERR_UNSUPPORTED, NULL, NULL, "nothing to draw with");
		goto done;
	}
	if (!gather(&cx, in, &f))
		goto done;
	mgi_str_init(&cx, &b);
	switch (format)
	{
		case MG_DRAW_TEXT:
			draw_text(&cx, &f, &b);
			break;
		case MG_DRAW_DOT:
			mgi_draw_dot(&cx, &f, &b);
			break;
		case MG_DRAW_MERMAID:
			mgi_draw_mermaid(&cx, &f, &b);
			break;
		default:
			mgi_fail(&cx, MG_ERR_UNSUPPORTED, NULL, NULL,
					 "unknown picture format %d", (int) format);
			goto done;
	}
	*out = mg_alloc(b.len + 1);
	memcpy(*out, b.s, b.len);
	ok = true;
done:
	mgi_ctx_end(&cx);
	return ok;
}
