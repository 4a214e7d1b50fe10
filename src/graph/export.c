/*-------------------------------------------------------------------------
 *
 * export.c
 *	  The pictures other tools draw: a Graphviz digraph (mgi_draw_dot) and
 *	  a Mermaid flowchart (mgi_draw_mermaid), with the escaping each needs.
 *
 * Both come from the facts draw.c gathers (DrawFacts): the display order,
 * which revisions are applied, and each revision's tags.  Both draw the
 * base at the bottom and the heads at the top, an arrow from each parent
 * to its child (the way an upgrade goes) and a dashed one from each
 * dependency to its dependent.  Applied revisions are filled green, those
 * `alembic current` shows have a thick border, pending ones are white
 * with a dashed border.
 *
 * Everything that comes from a user (ids and labels, which the grammar
 * keeps tame, but also messages and the project's name, which may hold
 * anything) goes through the format's escaping, so that no text can end a
 * string, add a statement or change the markup:
 *
 *	dot		one double-quoted string per value: '"' and '\' are
 *			backslash-escaped (a backslash would otherwise start one of
 *			Graphviz's label escapes, \N or \G), '&' is &amp; (Graphviz
 *			reads HTML entities such as &lt; in any label), a newline
 *			becomes \n (a line break in the label), other control
 *			characters a space;
 *	mermaid	node names are made up (r and the revision's index), so no id
 *			meets Mermaid's keywords; labels are double-quoted, and every
 *			ASCII character but letters, digits, the space and a few
 *			harmless punctuation marks becomes a numeric entity (#34; for
 *			'"', #60; for '<'), so that no quote, bracket, pipe, HTML tag,
 *			comment or backtick survives; a newline becomes <br/>.
 *
 * Control characters include, when the text is UTF-8, Unicode's invisible
 * ones (C1, bidirectional overrides, line separators) (mgi_control_char).
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/export.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "graph_int.h"

/* the colours of the three kinds of revision */
#define APPLIED_FILL	"#d7ecd9"
#define APPLIED_LINE	"#2f7d3a"
#define PENDING_FILL	"#ffffff"
#define PENDING_LINE	"#8a8a8a"
#define PENDING_TEXT	"#555555"

/*
 * Is there a control character at s?  Returns its length in bytes (0 for
 * none) and its code point in *cp.  ASCII's controls always count; with
 * utf8, so do C1 (U+0080-U+009F), the zero-width and direction marks
 * (U+061C, U+200B-U+200F), the line and paragraph separators and the
 * bidirectional embeddings and overrides (U+2028-U+202E), the isolates
 * (U+2066-U+2069) and the byte order mark (U+FEFF): characters that move
 * or hide the text around them.
 */
int
mgi_control_char(const char *s, bool utf8, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *) s;
	unsigned	c;
	int			len;

	if (u[0] < 0x20 || u[0] == 0x7f)
	{
		*cp = u[0];
		return 1;
	}
	if (!utf8 || u[0] < 0xc2)
		return 0;
	if (u[0] < 0xe0 && (u[1] & 0xc0) == 0x80)
	{
		c = ((u[0] & 0x1fu) << 6) | (u[1] & 0x3fu);
		len = 2;
	}
	else if (u[0] >= 0xe0 && u[0] < 0xf0 && (u[1] & 0xc0) == 0x80 &&
			 (u[2] & 0xc0) == 0x80)
	{
		c = ((u[0] & 0x0fu) << 12) | ((u[1] & 0x3fu) << 6) | (u[2] & 0x3fu);
		len = 3;
	}
	else
		return 0;
	if ((c >= 0x80 && c <= 0x9f) || c == 0x61c ||
		(c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
		(c >= 0x2066 && c <= 0x2069) || c == 0xfeff)
	{
		*cp = c;
		return len;
	}
	return 0;
}

/* s as a Graphviz double-quoted string */
static void
dot_string(Str *b, const char *s, bool utf8)
{
	mgi_str_add(b, "\"");
	while (*s)
	{
		unsigned	cp;
		int			clen = mgi_control_char(s, utf8, &cp);

		if (*s == '"' || *s == '\\')
		{
			mgi_str_addn(b, "\\", 1);
			mgi_str_addn(b, s, 1);
		}
		else if (*s == '&')
			mgi_str_add(b, "&amp;");
		else if (*s == '\n')
			mgi_str_add(b, "\\n");
		else if (clen > 0)
		{
			/* a CR before a newline adds nothing; others are a space */
			if (!(*s == '\r' && s[1] == '\n'))
				mgi_str_add(b, " ");
			s += clen;
			continue;
		}
		else
			mgi_str_addn(b, s, 1);
		s++;
	}
	mgi_str_add(b, "\"");
}

/* may c stand in a Mermaid label as it is? */
static bool
mermaid_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c >= 0x80 || strchr(" .,:_-/!?'@+=", c) != NULL;
}

/* s inside a Mermaid double-quoted label */
static void
mermaid_text(Str *b, const char *s, bool utf8)
{
	while (*s)
	{
		unsigned	cp;
		int			clen = mgi_control_char(s, utf8, &cp);

		if (*s == '\n')
			mgi_str_add(b, "<br/>");
		else if (clen > 0)
		{
			if (!(*s == '\r' && s[1] == '\n'))
				mgi_str_add(b, " ");
			s += clen;
			continue;
		}
		else if (mermaid_plain((unsigned char) *s))
			mgi_str_addn(b, s, 1);
		else
		{
			char		entity[8];

			snprintf(entity, sizeof(entity), "#%d;", (unsigned char) *s);
			mgi_str_add(b, entity);
		}
		s++;
	}
}

static const char *
message_of(const DrawFacts *f, int rev)
{
	const char *m = f->in->messages ? f->in->messages[rev] : NULL;

	return m ? m : "";
}

/* the first line of a node's label: its id and its tags */
static const char *
caption_of(Ctx *c, const DrawFacts *f, int rev)
{
	const char *id = mg_rev_id(f->g, rev);

	return f->tags[rev][0] ? mgi_printf(c, "%s %s", id, f->tags[rev]) : id;
}

static void
dot_node(Ctx *c, const DrawFacts *f, int rev, Str *b)
{
	const char *msg = message_of(f, rev);
	const char *label = msg[0] ?
		mgi_printf(c, "%s\n%s", caption_of(c, f, rev), msg) : caption_of(c, f, rev);

	mgi_str_add(b, "\t");
	dot_string(b, mg_rev_id(f->g, rev), false);
	mgi_str_add(b, " [label=");
	dot_string(b, label, f->in->utf8);
	if (!f->applied[rev])
		mgi_str_add(b, ", style=\"rounded,filled,dashed\", fillcolor=\"" PENDING_FILL
					"\", color=\"" PENDING_LINE "\", fontcolor=\"" PENDING_TEXT "\"");
	else if (f->current[rev])
		mgi_str_add(b, ", penwidth=3");
	mgi_str_add(b, "];\n");
}

/* an edge from a parent or dependency to its child */
static void
dot_edge(const DrawFacts *f, int from, int to, bool dependency, Str *b)
{
	mgi_str_add(b, "\t");
	dot_string(b, mg_rev_id(f->g, from), false);
	mgi_str_add(b, " -> ");
	dot_string(b, mg_rev_id(f->g, to), false);
	mgi_str_add(b, dependency ?
				" [style=dashed, color=\"" PENDING_LINE "\", arrowhead=empty];\n" :
				";\n");
}

void
mgi_draw_dot(Ctx *c, const DrawFacts *f, Str *b)
{
	const MgGraph *g = f->g;
	const char *title = f->in->title ? f->in->title : "migrate";

	mgi_str_add(b, "digraph ");
	dot_string(b, title, f->in->utf8);
	mgi_str_add(b, " {\n\tlabel=");
	dot_string(b, title, f->in->utf8);
	mgi_str_add(b, ";\n\tlabelloc=t;\n\tfontname=\"Helvetica\";\n\trankdir=BT;\n"
				"\tnode [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", "
				"fontsize=11, fillcolor=\"" APPLIED_FILL "\", color=\"" APPLIED_LINE "\"];\n"
				"\tedge [color=\"#404040\", arrowsize=0.7];\n");
	for (int k = 0; k < f->order.n; k++)
		dot_node(c, f, f->order.items[k], b);
	for (int k = 0; k < f->order.n; k++)
	{
		int			rev = f->order.items[k];
		MgRevList	par = mg_parents(g, rev);
		MgRevList	dep = mg_dependencies(g, rev);

		for (int j = 0; j < par.n; j++)
			dot_edge(f, par.items[j], rev, false, b);
		for (int j = 0; j < dep.n; j++)
			dot_edge(f, dep.items[j], rev, true, b);
	}
	mgi_str_add(b, "}");
}

/* "class r1,r2 NAME" for the revisions of one kind, when there are any */
static void
mermaid_class(Ctx *c, const DrawFacts *f, int kind, const char *name, Str *b)
{
	bool		first = true;

	for (int k = 0; k < f->order.n; k++)
	{
		int			rev = f->order.items[k];
		int			is = !f->applied[rev] ? 0 : f->current[rev] ? 2 : 1;

		if (is != kind)
			continue;
		mgi_str_add(b, first ? "\n    class " : ",");
		mgi_str_add(b, mgi_printf(c, "r%d", rev));
		first = false;
	}
	if (!first)
		mgi_str_add(b, mgi_printf(c, " %s", name));
}

void
mgi_draw_mermaid(Ctx *c, const DrawFacts *f, Str *b)
{
	const MgGraph *g = f->g;

	mgi_str_add(b, "flowchart BT");
	for (int k = 0; k < f->order.n; k++)
	{
		int			rev = f->order.items[k];
		const char *msg = message_of(f, rev);

		mgi_str_add(b, mgi_printf(c, "\n    r%d[\"", rev));
		mermaid_text(b, caption_of(c, f, rev), f->in->utf8);
		if (msg[0])
		{
			mgi_str_add(b, "<br/>");
			mermaid_text(b, msg, f->in->utf8);
		}
		mgi_str_add(b, "\"]");
	}
	for (int k = 0; k < f->order.n; k++)
	{
		int			rev = f->order.items[k];
		MgRevList	par = mg_parents(g, rev);
		MgRevList	dep = mg_dependencies(g, rev);

		for (int j = 0; j < par.n; j++)
			mgi_str_add(b, mgi_printf(c, "\n    r%d --> r%d", par.items[j], rev));
		for (int j = 0; j < dep.n; j++)
			mgi_str_add(b, mgi_printf(c, "\n    r%d -.-> r%d", dep.items[j], rev));
	}
	mgi_str_add(b, "\n    classDef applied fill:" APPLIED_FILL ",stroke:" APPLIED_LINE
				"\n    classDef current fill:" APPLIED_FILL ",stroke:" APPLIED_LINE
				",stroke-width:3px"
				"\n    classDef pending fill:" PENDING_FILL ",stroke:" PENDING_LINE
				",stroke-dasharray:4 3,color:" PENDING_TEXT);
	mermaid_class(c, f, 1, "applied", b);
	mermaid_class(c, f, 2, "current", b);
	mermaid_class(c, f, 0, "pending", b);
}
