/*-------------------------------------------------------------------------
 *
 * draw.c
 *	  Checks of the pictures of the graph (src/graph/layout.c, export.c
 *	  and draw.c), outside the server.
 *
 *	- layout, on random graphs (gen.c) in the display order and in random
 *	  orders (any order with children before parents): every revision is
 *	  on exactly one row; following the lines down from a revision's node
 *	  reaches exactly its down_revision parents; every line that leaves a
 *	  row enters the next one and every line that enters a row comes from
 *	  the one above (no dangling line, none from nowhere, none left open
 *	  at the bottom); rows hold only " *|/\X", one node at most;
 *	- text, on the same graphs with hostile messages and random version
 *	  rows: one line per row; each revision's line is its row's drawing
 *	  with '*' when applied and 'o' when pending (applied computed here
 *	  from the parents and dependencies), then its short id (a prefix no
 *	  other id starts with), its [head]/[current] tags and labels; no
 *	  control character but the newlines between lines;
 *	- dot: strings closed on their line, with only \" \\ \n escapes and
 *	  every & as &amp;; one node statement per revision, one edge per
 *	  parent and dependency;
 *	- mermaid: every node defined once, every edge between defined nodes,
 *	  every node in exactly one class (the right one), labels quoted and
 *	  made only of plain characters, numeric entities and <br/>;
 *	- the exact output of each format for one small graph with a hostile
 *	  message, an empty graph, and the errors.
 *
 *	  usage: mg_draw [graphs] [seed]
 *	  The last line is "draw: N passed, M failed".
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/graph/graph.h"
#include "check.h"
#include "gen.h"
#include "shim.h"

static char why[4096];

#define EXPECT(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			snprintf(why, sizeof(why), __VA_ARGS__); \
			return false; \
		} \
	} while (0)

/* ---------------------------------------------------------------------
 * following the lines of a layout
 * ---------------------------------------------------------------------
 */

/*
 * The line segments a character draws at column x, as (top, bottom)
 * columns: where it leaves the row above and enters the row below.
 * Returns the count, or -1 for a character a layout may not hold.
 */
static int
segments(char ch, int x, int top[2], int bottom[2])
{
	switch (ch)
	{
		case '|':
			top[0] = bottom[0] = x;
			return 1;
		case '/':
			top[0] = x + 1;
			bottom[0] = x - 1;
			return 1;
		case '\\':
			top[0] = x - 1;
			bottom[0] = x + 1;
			return 1;
		case 'X':
			top[0] = x - 1;
			bottom[0] = x + 1;
			top[1] = x + 1;
			bottom[1] = x - 1;
			return 2;
		case ' ':
		case '*':
			return 0;
		default:
			return -1;
	}
}

/* does row y give a line out at its bottom at column x? */
static bool
gives(const MgLayout *L, int y, int x)
{
	const MgLayoutRow *r = &L->rows[y];
	int			len = (int) strlen(r->art);

	if (r->rev >= 0 && r->column == x)
		return true;
	for (int p = x - 1; p <= x + 1; p++)
	{
		int			t[2],
					b[2];
		int			k = (p >= 0 && p < len) ? segments(r->art[p], p, t, b) : 0;

		for (int i = 0; i < k; i++)
			if (b[i] == x)
				return true;
	}
	return false;
}

/* does row y take a line in at its top at column x? */
static bool
takes(const MgLayout *L, int y, int x)
{
	const MgLayoutRow *r = &L->rows[y];
	int			len = (int) strlen(r->art);

	if (r->rev >= 0 && r->column == x)
		return true;
	for (int p = x - 1; p <= x + 1; p++)
	{
		int			t[2],
					b[2];
		int			k = (p >= 0 && p < len) ? segments(r->art[p], p, t, b) : 0;

		for (int i = 0; i < k; i++)
			if (t[i] == x)
				return true;
	}
	return false;
}

/*
 * The revisions reached by following every line down from the node on
 * row y: set in reached[].  Points are (row boundary, column).
 */
static void
follow(const MgLayout *L, int y, int width, bool *reached)
{
	int			npoints = (L->nrows + 1) * (width + 2);
	bool	   *seen = calloc((size_t) npoints, 1);
	int		   *stack = malloc(sizeof(int) * (size_t) npoints * 2);
	int			n = 0;

	stack[n++] = y + 1;
	stack[n++] = L->rows[y].column;
	while (n > 0)
	{
		int			x = stack[--n];
		int			b = stack[--n];
		const MgLayoutRow *r;
		int			len;

		if (b >= L->nrows || x < 0 || x > width || seen[b * (width + 2) + x])
			continue;
		seen[b * (width + 2) + x] = true;
		r = &L->rows[b];
		len = (int) strlen(r->art);
		if (r->rev >= 0 && r->column == x)
		{
			reached[r->rev] = true;
			continue;
		}
		for (int p = x - 1; p <= x + 1; p++)
		{
			int			t[2],
						bt[2];
			int			k = (p >= 0 && p < len) ? segments(r->art[p], p, t, bt) : 0;

			for (int i = 0; i < k; i++)
				if (t[i] == x)
				{
					stack[n++] = b + 1;
					stack[n++] = bt[i];
				}
		}
	}
	free(seen);
	free(stack);
}

static bool
check_layout(const MgGraph *g, const MgLayout *L)
{
	int			n = mg_graph_size(g);
	int		   *rowof = malloc(sizeof(int) * (size_t) (n + 1));
	bool	   *reached = malloc((size_t) n + 1);
	int			width = 0;
	bool		ok = false;

	for (int i = 0; i < n; i++)
		rowof[i] = -1;
	for (int y = 0; y < L->nrows; y++)
	{
		const MgLayoutRow *r = &L->rows[y];
		int			len = (int) strlen(r->art);
		int			nodes = 0;

		if (len > width)
			width = len;
		if (len > 0 && r->art[len - 1] == ' ')
		{
			snprintf(why, sizeof(why), "row %d ends in a space", y);
			goto done;
		}
		for (int x = 0; x < len; x++)
		{
			int			t[2],
						b[2];
			int			k = segments(r->art[x], x, t, b);

			nodes += r->art[x] == '*';
			if (k < 0)
			{
				snprintf(why, sizeof(why), "row %d holds '%c'", y, r->art[x]);
				goto done;
			}
			for (int i = 0; i < k; i++)
			{
				if (y == 0 || !gives(L, y - 1, t[i]))
				{
					snprintf(why, sizeof(why), "row %d column %d: a line from nowhere", y, x);
					goto done;
				}
				if (y + 1 == L->nrows || !takes(L, y + 1, b[i]))
				{
					snprintf(why, sizeof(why), "row %d column %d: a dangling line", y, x);
					goto done;
				}
			}
		}
		if (r->rev < 0 ? nodes != 0 || r->column != -1 :
			nodes != 1 || r->column < 0 || r->column >= len || r->art[r->column] != '*')
		{
			snprintf(why, sizeof(why), "row %d: %d nodes, column %d", y, nodes, r->column);
			goto done;
		}
		if (r->rev >= n || (r->rev >= 0 && rowof[r->rev] >= 0))
		{
			snprintf(why, sizeof(why), "row %d: revision %d drawn twice or unknown", y, r->rev);
			goto done;
		}
		if (r->rev >= 0)
			rowof[r->rev] = y;
	}
	for (int rev = 0; rev < n; rev++)
	{
		MgRevList	par = mg_parents(g, rev);
		int			nreached = 0;

		if (rowof[rev] < 0)
		{
			snprintf(why, sizeof(why), "%s has no row", mg_rev_id(g, rev));
			goto done;
		}
		memset(reached, 0, (size_t) n + 1);
		follow(L, rowof[rev], width, reached);
		for (int i = 0; i < n; i++)
			nreached += reached[i];
		for (int j = 0; j < par.n; j++)
			nreached -= reached[par.items[j]] ? 1 : 0;
		for (int j = 0; j < par.n; j++)
			if (!reached[par.items[j]])
			{
				snprintf(why, sizeof(why), "the lines from %s miss its parent %s",
						 mg_rev_id(g, rev), mg_rev_id(g, par.items[j]));
				goto done;
			}
		if (nreached != 0)
		{
			snprintf(why, sizeof(why), "the lines from %s reach %d revisions that are not its parents",
					 mg_rev_id(g, rev), nreached);
			goto done;
		}
	}
	ok = true;
done:
	free(rowof);
	free(reached);
	return ok;
}

static void
print_layout(const MgGraph *g, const MgLayout *L)
{
	for (int y = 0; y < L->nrows; y++)
		printf("  %-40s %s\n", L->rows[y].art,
			   L->rows[y].rev >= 0 ? mg_rev_id(g, L->rows[y].rev) : "");
}

/* a random order with every child before its parents */
static MgRevList
random_order(Rng *rng, const MgGraph *g)
{
	int			n = mg_graph_size(g);
	int		   *nchild = calloc((size_t) n + 1, sizeof(int));
	int		   *ready = malloc(sizeof(int) * (size_t) (n + 1));
	int			nready = 0;
	MgRevList	out;

	out.items = malloc(sizeof(int) * (size_t) (n + 1));
	out.n = 0;
	for (int rev = 0; rev < n; rev++)
	{
		MgRevList	par = mg_parents(g, rev);

		for (int j = 0; j < par.n; j++)
			nchild[par.items[j]]++;
	}
	for (int rev = 0; rev < n; rev++)
		if (nchild[rev] == 0)
			ready[nready++] = rev;
	while (nready > 0)
	{
		int			k = rng_int(rng, nready);
		int			rev = ready[k];
		MgRevList	par = mg_parents(g, rev);

		ready[k] = ready[--nready];
		out.items[out.n++] = rev;
		for (int j = 0; j < par.n; j++)
			if (--nchild[par.items[j]] == 0)
				ready[nready++] = par.items[j];
	}
	free(nchild);
	free(ready);
	return out;
}

/* ---------------------------------------------------------------------
 * the formats
 * ---------------------------------------------------------------------
 */

/* what each revision is, computed here, apart from the module's code */
typedef struct Facts
{
	int			n;
	bool	   *applied;
	bool	   *current;
	bool	   *head;
	int			nedges;			/* parents and dependencies */
} Facts;

static void
facts_of(const MgGraph *g, const MgRevList *rows, Facts *f)
{
	int			n = mg_graph_size(g);
	MgRevList	cur;
	MgRevList	heads = mg_heads(g, false);
	bool		grew = true;

	f->n = n;
	f->applied = calloc((size_t) n + 1, 1);
	f->current = calloc((size_t) n + 1, 1);
	f->head = calloc((size_t) n + 1, 1);
	f->nedges = 0;
	for (int i = 0; i < rows->n; i++)
		f->applied[rows->items[i]] = true;
	/* a fixed point: ancestors of applied revisions are applied */
	while (grew)
	{
		grew = false;
		for (int rev = 0; rev < n; rev++)
		{
			MgRevList	par = mg_parents(g, rev);
			MgRevList	dep = mg_dependencies(g, rev);

			if (!f->applied[rev])
				continue;
			for (int j = 0; j < par.n; j++)
				if (!f->applied[par.items[j]])
					grew = f->applied[par.items[j]] = true;
			for (int j = 0; j < dep.n; j++)
				if (!f->applied[dep.items[j]])
					grew = f->applied[dep.items[j]] = true;
		}
	}
	if (mg_current(g, rows, &cur, NULL))
		for (int i = 0; i < cur.n; i++)
			f->current[cur.items[i]] = true;
	for (int i = 0; i < heads.n; i++)
		f->head[heads.items[i]] = true;
	for (int rev = 0; rev < n; rev++)
		f->nedges += mg_parents(g, rev).n + mg_dependencies(g, rev).n;
}

static void
facts_free(Facts *f)
{
	free(f->applied);
	free(f->current);
	free(f->head);
}

/* Unicode controls that must never reach a picture raw (UTF-8) */
static const char *const hidden[] = {
	"\xc2\x85", "\xe2\x80\xae", "\xe2\x80\xa8", "\xe2\x81\xa6", "\xef\xbb\xbf", NULL
};

static bool
no_controls(const char *s, bool tabs)
{
	for (const char *p = s; *p; p++)
		EXPECT(((unsigned char) *p >= 0x20 && *p != 0x7f) || *p == '\n' || (tabs && *p == '\t'),
			   "a raw control character 0x%02x", (unsigned char) *p);
	for (int i = 0; hidden[i]; i++)
		EXPECT(strstr(s, hidden[i]) == NULL, "a raw invisible Unicode control");
	return true;
}

/* a message as the text picture should show it (the pieces below) */
static char *
escaped(const char *s)
{
	char	   *out = malloc(strlen(s) * 6 + 1);
	char	   *o = out;

	while (*s)
	{
		unsigned char c = (unsigned char) *s;
		int			k = 0;

		for (int i = 0; hidden[i]; i++)
			if (strncmp(s, hidden[i], strlen(hidden[i])) == 0)
				k = i + 1;
		if (k > 0)
		{
			static const unsigned cps[] = {0x85, 0x202e, 0x2028, 0x2066, 0xfeff};

			o += sprintf(o, "\\u%04x", cps[k - 1]);
			s += strlen(hidden[k - 1]);
			continue;
		}
		if (c == '\\' || c == '\n' || c == '\t' || c == '\r')
			o += sprintf(o, "\\%c", c == '\\' ? '\\' : c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
		else if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char) c;
		s++;
	}
	*o = '\0';
	return out;
}

static bool
check_text(const MgGraph *g, const MgLayout *L, const Facts *f, char **msgs,
		   const char *out)
{
	const char *p = out;

	if (!no_controls(out, false))
		return false;
	for (int y = 0; y < L->nrows; y++)
	{
		const MgLayoutRow *r = &L->rows[y];
		const char *eol = strchr(p, '\n');
		size_t		linelen = eol ? (size_t) (eol - p) : strlen(p);
		size_t		artlen = strlen(r->art);

		for (size_t x = 0; x < artlen; x++)
		{
			char		want = r->art[x];

			if (r->rev >= 0 && (int) x == r->column)
				want = f->applied[r->rev] ? '*' : 'o';
			EXPECT(x < linelen && p[x] == want, "line %d: the drawing differs at %zu", y, x);
		}
		if (r->rev >= 0)
		{
			const char *id = mg_rev_id(g, r->rev);
			const char *q = p + artlen;
			size_t		idlen = 0;
			char		tags[64];
			int			nlabels;
			const char *const *labels = mg_labels(g, r->rev, false, &nlabels);

			while (*q == ' ')
				q++;
			while (q[idlen] && q[idlen] != ' ' && q[idlen] != '\n')
				idlen++;
			EXPECT(idlen > 0 && strncmp(q, id, idlen) == 0 &&
				   (idlen >= 7 || idlen == strlen(id)),
				   "line %d: %.*s is not a short id of %s", y, (int) idlen, q, id);
			for (int o = 0; o < f->n; o++)
				EXPECT(o == r->rev || strncmp(mg_rev_id(g, o), q, idlen) != 0 ||
					   idlen == strlen(id),
					   "line %d: short id %.*s is also a prefix of %s", y, (int) idlen, q,
					   mg_rev_id(g, o));
			q += idlen;
			snprintf(tags, sizeof(tags), "%s%s%s%s",
					 f->head[r->rev] || f->current[r->rev] ? " [" : "",
					 f->head[r->rev] ? (f->current[r->rev] ? "head, " : "head") : "",
					 f->current[r->rev] ? "current" : "",
					 f->head[r->rev] || f->current[r->rev] ? "]" : "");
			EXPECT(strncmp(q, tags, strlen(tags)) == 0,
				   "line %d: tags of %s should be '%s'", y, id, tags);
			q += strlen(tags);
			for (int i = 0; i < nlabels; i++)
			{
				EXPECT(strncmp(q, i == 0 ? " (" : ", ", 2) == 0 &&
					   strncmp(q + 2, labels[i], strlen(labels[i])) == 0,
					   "line %d: label %s of %s missing", y, labels[i], id);
				q += 2 + strlen(labels[i]);
			}
			if (nlabels > 0)
				EXPECT(*q++ == ')', "line %d: labels of %s not closed", y, id);
			if (msgs[r->rev] && msgs[r->rev][0])
			{
				char	   *want = escaped(msgs[r->rev]);

				EXPECT(q[0] == ' ' && strncmp(q + 1, want, strlen(want)) == 0,
					   "line %d: the message of %s should be '%s'", y, id, want);
				q += 1 + strlen(want);
				free(want);
			}
			EXPECT(q == p + linelen || strncmp(q, " (depends on ", 13) == 0,
				   "line %d: '%.*s' after the message of %s", y, (int) (p + linelen - q), q, id);
		}
		p = eol ? eol + 1 : p + linelen;
		EXPECT(eol != NULL || y == L->nrows - 1, "only %d lines for %d rows", y + 1, L->nrows);
	}
	EXPECT(*p == '\0', "more lines than rows");
	return true;
}

static bool
check_dot(const MgGraph *g, const Facts *f, const char *out)
{
	bool		in_string = false;
	int			braces = 0,
				arrows = 0;

	if (!no_controls(out, true))
		return false;
	EXPECT(strncmp(out, "digraph \"", 9) == 0, "does not start with digraph");
	for (const char *p = out; *p; p++)
	{
		if (in_string)
		{
			EXPECT(*p != '\n' && *p != '\t', "a newline or tab inside a string");
			if (*p == '\\')
			{
				EXPECT(p[1] == '"' || p[1] == '\\' || p[1] == 'n', "escape \\%c", p[1]);
				p++;
			}
			else if (*p == '&')
				EXPECT(strncmp(p, "&amp;", 5) == 0, "a raw & (Graphviz reads entities)");
			else if (*p == '"')
				in_string = false;
			continue;
		}
		if (*p == '"')
			in_string = true;
		else if (*p == '{')
			EXPECT(braces++ == 0, "a second {");
		else if (*p == '}')
			EXPECT(--braces == 0 && p[1] == '\0', "} before the end");
		else if (p[0] == '-' && p[1] == '>')
			arrows++;
	}
	EXPECT(!in_string && braces == 0, "unclosed string or brace");
	EXPECT(arrows == f->nedges, "%d edges for %d parents and dependencies", arrows, f->nedges);
	for (int rev = 0; rev < f->n; rev++)
	{
		char		stmt[300];
		const char *at;

		snprintf(stmt, sizeof(stmt), "\n\t\"%s\" [label=", mg_rev_id(g, rev));
		at = strstr(out, stmt);
		EXPECT(at != NULL && strstr(at + 1, stmt) == NULL, "node %s not defined once",
			   mg_rev_id(g, rev));
	}
	return true;
}

/* a Mermaid label: plain characters, #NN; entities and <br/> */
static bool
mermaid_label_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len;)
	{
		unsigned char c = (unsigned char) s[i];

		if (strncmp(s + i, "<br/>", 5) == 0 && i + 5 <= len)
			i += 5;
		else if (c == '#')
		{
			size_t		j = i + 1;

			while (j < len && s[j] >= '0' && s[j] <= '9')
				j++;
			if (j == i + 1 || j >= len || s[j] != ';')
				return false;
			i = j + 1;
		}
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c >= 0x80 || strchr(" .,:_-/!?'@+=", c))
			i++;
		else
			return false;
	}
	return true;
}

static bool
check_mermaid(const MgGraph *g, const Facts *f, const char *out)
{
	int		   *defined = calloc((size_t) f->n + 1, sizeof(int));
	int		   *classed = calloc((size_t) f->n + 1, sizeof(int));
	int			edges = 0;
	bool		ok = false;
	const char *p = out;
	int			line = 0;

	(void) g;
	if (!no_controls(out, false))
		goto done;
	for (; *p; line++)
	{
		const char *eol = strchr(p, '\n');
		size_t		len = eol ? (size_t) (eol - p) : strlen(p);
		char	   *l = strndup(p, len);
		int			a,
					b,
					used = 0;
		bool		good = false;

		if (line == 0)
			good = strcmp(l, "flowchart BT") == 0;
		else if (sscanf(l, "    r%d[\"%n", &a, &used) == 1 && used > 0)
		{
			good = a >= 0 && a < f->n && defined[a]++ == 0 && len >= (size_t) used + 2 &&
				strcmp(l + len - 2, "\"]") == 0 &&
				mermaid_label_ok(l + used, len - used - 2);
		}
		else if ((sscanf(l, "    r%d --> r%d%n", &a, &b, &used) == 2 ||
				  sscanf(l, "    r%d -.-> r%d%n", &a, &b, &used) == 2) && (size_t) used == len)
		{
			good = a >= 0 && a < f->n && b >= 0 && b < f->n && defined[a] && defined[b];
			edges++;
		}
		else if (strncmp(l, "    classDef ", 13) == 0)
			good = strncmp(l + 13, "applied ", 8) == 0 || strncmp(l + 13, "current ", 8) == 0 ||
				strncmp(l + 13, "pending ", 8) == 0;
		else if (strncmp(l, "    class ", 10) == 0)
		{
			char	   *name = strrchr(l, ' ') + 1;
			char	   *q = l + 10;

			good = true;
			while (good && q < name)
			{
				char	   *end;
				long		r;
				bool		want;

				good = *q == 'r';
				r = strtol(q + 1, &end, 10);
				good = good && r >= 0 && r < f->n && defined[r] && classed[r]++ == 0;
				if (!good)
					break;
				want = strcmp(name, "pending") == 0 ? !f->applied[r] :
					strcmp(name, "current") == 0 ? f->applied[r] && f->current[r] :
					strcmp(name, "applied") == 0 && f->applied[r] && !f->current[r];
				good = good && want && (*end == ',' || *end == ' ');
				q = end + 1;
			}
		}
		if (!good)
		{
			snprintf(why, sizeof(why), "line %d is not sound: %s", line + 1, l);
			free(l);
			goto done;
		}
		free(l);
		p = eol ? eol + 1 : p + len;
	}
	for (int rev = 0; rev < f->n; rev++)
		if (defined[rev] != 1 || classed[rev] != 1)
		{
			snprintf(why, sizeof(why), "r%d defined %d times, in %d classes", rev,
					 defined[rev], classed[rev]);
			goto done;
		}
	if (edges != f->nedges)
	{
		snprintf(why, sizeof(why), "%d edges for %d parents and dependencies", edges, f->nedges);
		goto done;
	}
	ok = true;
done:
	free(defined);
	free(classed);
	return ok;
}

/* ---------------------------------------------------------------------
 * random graphs
 * ---------------------------------------------------------------------
 */

/* pieces of hostile messages */
static const char *const pieces[] = {
	"add", " ", "\"", "'", "\\", "\n", "\r\n", "\t", "<b>", "</b>", "<script>", "|",
	"[", "]", "(", ")", "{", "}", "#", "#quot;", ";", "%%", "%%{init}%%", "`", "```",
	"&amp;", "-->", "end", "\\n", "\\N", "\x01", "\x7f", "\xc3\xa9", "\xc2\x85",
	"\xe2\x80\xae", "\xe2\x80\xa8", "\xe2\x81\xa6", "\xef\xbb\xbf", "\xe2\x9c\x93", NULL
};

static char *
hostile_message(Rng *rng)
{
	int			npieces = 0;
	char	   *m;
	size_t		len = 0;
	int			k = rng_int(rng, 12);

	while (pieces[npieces])
		npieces++;
	m = malloc(16 * 12 + 1);
	m[0] = '\0';
	for (int i = 0; i < k; i++)
	{
		const char *piece = pieces[rng_int(rng, npieces)];

		memcpy(m + len, piece, strlen(piece) + 1);
		len += strlen(piece);
	}
	return m;
}

static bool
one_graph(Rng *rng, int gi)
{
	GenOpts		o = {0};
	GenGraph	gg;
	MgGraph    *g;
	MgError		err;
	MgRevList	order;
	MgLayout	L;
	MgPlan		plan;
	MgRevList	none = {NULL, 0};
	MgRevList	rows = {NULL, 0};
	char	  **msgs;
	bool		ok = true;
	Facts		f;
	MgDrawInput in;
	int			n;

	o.n = 1 + rng_int(rng, gi % 7 == 0 ? 120 : 30);
	o.p_root = rng_unit(rng) * 0.15;
	o.p_merge = rng_unit(rng) * 0.4;
	o.p_dep = rng_unit(rng) * 0.2;
	o.p_label = rng_unit(rng) * 0.3;
	o.p_head = rng_unit(rng);
	o.shuffle = rng_int(rng, 2);
	o.mainline = gi % 5 == 0;
	gen_graph(rng, &o, &gg);
	g = mg_graph_build(gg.in, gg.n, &err);
	if (g == NULL)
	{
		/* a graph Alembic refuses (rules §8.3): not a picture's concern */
		gen_free(&gg);
		return true;
	}
	n = mg_graph_size(g);

	/* the layout, in the display order and in random orders */
	for (int k = 0; k < 4 && ok; k++)
	{
		if (k == 0)
			mg_display_order(g, &order, NULL);
		else
			order = random_order(rng, g);
		ok = order.n == n && mg_layout(g, &order, &L, &err) && check_layout(g, &L);
		if (!ok)
		{
			printf("graph %d, order %d: %s\n", gi, k, why);
			if (order.n == n && mg_layout(g, &order, &L, &err))
				print_layout(g, &L);
		}
		if (k > 0)
			free(order.items);
	}

	/* the formats, with hostile messages, at a random upgrade's rows */
	msgs = calloc((size_t) n + 1, sizeof(char *));
	for (int i = 0; i < n; i++)
		msgs[i] = rng_int(rng, 4) == 0 ? NULL : hostile_message(rng);
	if (rng_int(rng, 4) > 0 &&
		mg_plan_upgrade(g, mg_rev_id(g, rng_int(rng, n)), &none, &plan, NULL))
		rows = plan.rows_after;
	facts_of(g, &rows, &f);
	in.title = msgs[0];
	in.messages = (const char *const *) msgs;
	in.rows = &rows;
	in.utf8 = true;
	for (int fmt = MG_DRAW_TEXT; fmt <= MG_DRAW_MERMAID && ok; fmt++)
	{
		char	   *out;

		if (!mg_draw(g, (MgDrawFormat) fmt, &in, &out, &err))
		{
			snprintf(why, sizeof(why), "mg_draw: %s", err.message);
			ok = false;
		}
		else if (fmt == MG_DRAW_TEXT)
		{
			mg_display_order(g, &order, NULL);
			ok = mg_layout(g, &order, &L, &err) && check_text(g, &L, &f, msgs, out);
		}
		else if (fmt == MG_DRAW_DOT)
			ok = check_dot(g, &f, out);
		else
			ok = check_mermaid(g, &f, out);
		if (!ok)
			printf("graph %d, format %d: %s\n", gi, fmt, why);
	}
	facts_free(&f);
	for (int i = 0; i < n; i++)
		free(msgs[i]);
	free(msgs);
	gen_free(&gg);
	shim_reset();
	return ok;
}

/* ---------------------------------------------------------------------
 * exact outputs
 * ---------------------------------------------------------------------
 */

static const char *const none_list[] = {NULL};

static MgGraph *
small_graph(void)
{
	static const char *const d2[] = {"a1"},
			   *const d3[] = {"b2"},
			   *const d5[] = {"c3", "d4"},
			   *const d6[] = {"e5"},
			   *const dep6[] = {"audit"},
			   *const l3[] = {"feature"},
			   *const l7[] = {"audit"};
	static const MgRevisionInput in[] = {
		{"a1", none_list, 0, none_list, 0, none_list, 0},
		{"b2", d2, 1, none_list, 0, none_list, 0},
		{"c3", d3, 1, none_list, 0, l3, 1},
		{"d4", d3, 1, none_list, 0, none_list, 0},
		{"e5", d5, 2, none_list, 0, none_list, 0},
		{"f6", d6, 1, dep6, 1, none_list, 0},
		{"g7", none_list, 0, none_list, 0, l7, 1},
	};

	return mg_graph_build(in, 7, NULL);
}

static const char *const small_messages[] = {
	"first", "second", "feature", "say \"hi\" <b>|</b> [x] \\ #1; %%\r\nnext\xe2\x80\xae",
	"merge", NULL, "audit"
};

static const char small_text[] =
"o f6 [head] (depends on g7)\n"
"o  e5 merge\n"
"|\\\n"
"* | c3 [current] (feature) feature\n"
"| o d4 say \"hi\" <b>|</b> [x] \\\\ #1; %%\\r\\nnext\\u202e\n"
"| | o g7 [head] (audit) audit\n"
"|/\n"
"* b2 second\n"
"* a1 first";

static const char small_dot[] =
"digraph \"shop\" {\n"
"\tlabel=\"shop\";\n"
"\tlabelloc=t;\n"
"\tfontname=\"Helvetica\";\n"
"\trankdir=BT;\n"
"\tnode [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11, fillcolor=\"#d7ecd9\", color=\"#2f7d3a\"];\n"
"\tedge [color=\"#404040\", arrowsize=0.7];\n"
"\t\"f6\" [label=\"f6 [head]\", style=\"rounded,filled,dashed\", fillcolor=\"#ffffff\", color=\"#8a8a8a\", fontcolor=\"#555555\"];\n"
"\t\"e5\" [label=\"e5\\nmerge\", style=\"rounded,filled,dashed\", fillcolor=\"#ffffff\", color=\"#8a8a8a\", fontcolor=\"#555555\"];\n"
"\t\"c3\" [label=\"c3 [current] (feature)\\nfeature\", penwidth=3];\n"
"\t\"d4\" [label=\"d4\\nsay \\\"hi\\\" <b>|</b> [x] \\\\ #1; %%\\nnext \", style=\"rounded,filled,dashed\", fillcolor=\"#ffffff\", color=\"#8a8a8a\", fontcolor=\"#555555\"];\n"
"\t\"g7\" [label=\"g7 [head] (audit)\\naudit\", style=\"rounded,filled,dashed\", fillcolor=\"#ffffff\", color=\"#8a8a8a\", fontcolor=\"#555555\"];\n"
"\t\"b2\" [label=\"b2\\nsecond\"];\n"
"\t\"a1\" [label=\"a1\\nfirst\"];\n"
"\t\"e5\" -> \"f6\";\n"
"\t\"g7\" -> \"f6\" [style=dashed, color=\"#8a8a8a\", arrowhead=empty];\n"
"\t\"c3\" -> \"e5\";\n"
"\t\"d4\" -> \"e5\";\n"
"\t\"b2\" -> \"c3\";\n"
"\t\"b2\" -> \"d4\";\n"
"\t\"a1\" -> \"b2\";\n"
"}";

static const char small_mermaid[] =
"flowchart BT\n"
"    r5[\"f6 #91;head#93;\"]\n"
"    r4[\"e5<br/>merge\"]\n"
"    r2[\"c3 #91;current#93; #40;feature#41;<br/>feature\"]\n"
"    r3[\"d4<br/>say #34;hi#34; #60;b#62;#124;#60;/b#62; #91;x#93; #92; #35;1#59; #37;#37;<br/>next \"]\n"
"    r6[\"g7 #91;head#93; #40;audit#41;<br/>audit\"]\n"
"    r1[\"b2<br/>second\"]\n"
"    r0[\"a1<br/>first\"]\n"
"    r4 --> r5\n"
"    r6 -.-> r5\n"
"    r2 --> r4\n"
"    r3 --> r4\n"
"    r1 --> r2\n"
"    r1 --> r3\n"
"    r0 --> r1\n"
"    classDef applied fill:#d7ecd9,stroke:#2f7d3a\n"
"    classDef current fill:#d7ecd9,stroke:#2f7d3a,stroke-width:3px\n"
"    classDef pending fill:#ffffff,stroke:#8a8a8a,stroke-dasharray:4 3,color:#555555\n"
"    class r1,r0 applied\n"
"    class r2 current\n"
"    class r5,r4,r3,r6 pending";

static void
compare(const char *what, const char *got, const char *want)
{
	CHECK(strcmp(got, want) == 0, "%s differs; got:\n%s\n--- want:\n%s", what, got, want);
}

static void
exact_outputs(void)
{
	MgGraph    *g = small_graph();
	int			row[] = {2};
	MgRevList	rows = {row, 1};
	MgDrawInput in = {"shop", small_messages, &rows, true};
	MgError		err;
	char	   *out;
	MgLayout	L;
	MgRevList	order;
	int			dup[] = {2, 2};
	MgRevList	duprows = {dup, 2};
	int			bad[] = {0, 1, 2, 3, 4, 5, 5};
	MgRevList	badorder = {bad, 7};
	int			upside[] = {0, 1, 2, 3, 4, 5, 6};
	MgRevList	upsidedown = {upside, 7};

	CHECK(g != NULL, "the small graph builds");
	if (g == NULL)
		return;
	CHECK(mg_draw(g, MG_DRAW_TEXT, &in, &out, &err), "text");
	compare("text", out, small_text);
	CHECK(mg_draw(g, MG_DRAW_DOT, &in, &out, &err), "dot");
	compare("dot", out, small_dot);
	CHECK(mg_draw(g, MG_DRAW_MERMAID, &in, &out, &err), "mermaid");
	compare("mermaid", out, small_mermaid);

	/* not UTF-8: bytes pass as they are, ASCII controls are still escaped */
	in.utf8 = false;
	CHECK(mg_draw(g, MG_DRAW_TEXT, &in, &out, &err) &&
		  strstr(out, "\\r\\nnext\xe2\x80\xae\n") != NULL, "text in another encoding: %s", out);
	in.utf8 = true;

	/* errors */
	in.rows = &duprows;
	CHECK(!mg_draw(g, MG_DRAW_TEXT, &in, &out, &err) && err.code == MG_ERR_BAD_VERSION_ROWS,
		  "duplicate version rows are refused");
	in.rows = &rows;
	CHECK(!mg_draw(g, (MgDrawFormat) 7, &in, &out, &err) && err.code == MG_ERR_UNSUPPORTED,
		  "an unknown format is refused");
	CHECK(!mg_draw(g, MG_DRAW_TEXT, NULL, &out, &err) && err.code == MG_ERR_UNSUPPORTED,
		  "no input is refused");
	CHECK(!mg_layout(g, &badorder, &L, &err) && err.code == MG_ERR_UNSUPPORTED,
		  "an order that lists a revision twice is refused");
	CHECK(!mg_layout(g, &upsidedown, &L, &err) && err.code == MG_ERR_UNSUPPORTED,
		  "an order with parents first is refused");
	CHECK(mg_display_order(g, &order, &err) && order.n == 7 &&
		  strcmp(mg_rev_id(g, order.items[0]), "f6") == 0, "the display order starts at f6");

	/* short ids: a unique prefix of at least 7 characters */
	{
		static const char *const d[] = {"3f1c2a9d4b10"};
		static const MgRevisionInput in2[] = {
			{"3f1c2a9d4b10", none_list, 0, none_list, 0, none_list, 0},
			{"3f1c2a9d4b11", d, 1, none_list, 0, none_list, 0},
			{"7ab0e54c1d22", d, 1, none_list, 0, none_list, 0},
			{"x", d, 1, none_list, 0, none_list, 0},
		};
		MgGraph    *g2 = mg_graph_build(in2, 4, NULL);
		MgDrawInput in3 = {NULL, NULL, NULL, true};

		CHECK(g2 && mg_draw(g2, MG_DRAW_TEXT, &in3, &out, &err), "short ids");
		compare("short ids", out,
				"o 3f1c2a9d4b11 [head]\n"
				"| o 7ab0e54 [head]\n"
				"| | o x [head]\n"
				"|/ /\n"
				"|/\n"
				"o 3f1c2a9d4b10");
	}

	/* an empty graph */
	{
		MgGraph    *g0 = mg_graph_build(NULL, 0, NULL);
		MgDrawInput in0 = {NULL, NULL, NULL, true};

		CHECK(g0 && mg_draw(g0, MG_DRAW_TEXT, &in0, &out, &err) && out[0] == '\0',
			  "an empty graph is an empty text");
		CHECK(g0 && mg_draw(g0, MG_DRAW_MERMAID, &in0, &out, &err) &&
			  strncmp(out, "flowchart BT\n    classDef", 25) == 0, "and a mermaid without nodes");
	}
	shim_reset();
}

int
main(int argc, char **argv)
{
	int			graphs = argc > 1 ? atoi(argv[1]) : 2000;
	Rng			rng = {argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9E3779B97F4A7C15ULL};

	exact_outputs();
	for (int gi = 0; gi < graphs; gi++)
		CHECK(one_graph(&rng, gi), "random graph %d", gi);
	printf("draw: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
