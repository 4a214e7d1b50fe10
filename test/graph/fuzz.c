/*-------------------------------------------------------------------------
 *
 * fuzz.c
 *	  libFuzzer harness for the graph module: graph building, target
 *	  resolution and planning from arbitrary bytes.
 *
 * The input is read as:
 *	  byte 0			number of revisions (0-31)
 *	  per revision		a flags byte (parents 0-3, dependencies 0-2,
 *						labels 0-2, and whether names come from the input),
 *						then one byte per parent/dependency: an index (any
 *						index, so self-loops, cycles and missing names happen)
 *	  the rest			targets, separated by NUL or newline bytes, used
 *						as they are (any bytes)
 * The checks that need no built graph run on every input, whether its
 * graph builds or not.  Each target is resolved, planned as upgrade,
 * downgrade and stamp, and used as a history range, against version rows
 * that follow the plans that succeed.  Every plan is checked: each
 * DELETE/UPDATE must hit an existing row, each INSERT a new one, and
 * rows_after must be what the operations leave; a violation aborts (a
 * finding).  Errors must come
 * with a message.  The three pictures of the graph are drawn with the
 * targets as messages (mg_draw).  Memory is released after every input
 * (shim_reset).
 *
 * Built with -DFUZZ_SMOKE it has its own main that runs a fixed number of
 * seeded random inputs, so "make check" can run it under ASan/UBSan
 * without libFuzzer.
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/graph/graph.h"
#include "shim.h"

#define MAXREV 32

typedef struct Reader
{
	const uint8_t *p;
	size_t		n;
} Reader;

static int
take(Reader *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static void
check_err(const MgError *err)
{
	if (err->code == MG_OK || err->message == NULL)
	{
		fprintf(stderr, "error without code or message\n");
		abort();
	}
}

/* rows must follow the operations exactly */
static void
check_plan(const MgPlan *plan, int n, const int *rows, int nrows)
{
	bool		in[MAXREV];
	int			i,
				j,
				count = 0;

	memset(in, 0, sizeof(in));
	for (i = 0; i < nrows; i++)
		in[rows[i]] = true;
	for (i = 0; i < plan->nsteps; i++)
		for (j = 0; j < plan->steps[i].nops; j++)
		{
			const MgRowOp *op = &plan->steps[i].ops[j];
			bool		ok;

			if (op->kind == MG_ROW_INSERT)
				ok = op->to >= 0 && op->to < n && !in[op->to];
			else if (op->kind == MG_ROW_DELETE)
				ok = op->from >= 0 && op->from < n && in[op->from];
			else
				ok = op->from >= 0 && op->from < n && in[op->from] &&
					op->to >= 0 && op->to < n && !in[op->to];
			if (!ok)
			{
				fprintf(stderr, "row operation does not fit the rows\n");
				abort();
			}
			if (op->kind != MG_ROW_INSERT)
				in[op->from] = false;
			if (op->kind != MG_ROW_DELETE)
				in[op->to] = true;
		}
	for (i = 0; i < n; i++)
		count += in[i];
	if (count != plan->rows_after.n)
	{
		fprintf(stderr, "rows_after disagrees with the operations\n");
		abort();
	}
	for (i = 0; i < plan->rows_after.n; i++)
		if (plan->rows_after.items[i] < 0 || plan->rows_after.items[i] >= n ||
			!in[plan->rows_after.items[i]])
		{
			fprintf(stderr, "rows_after disagrees with the operations\n");
			abort();
		}
}

static void
adopt(const MgPlan *plan, int *rows, int *nrows)
{
	memcpy(rows, plan->rows_after.items, sizeof(int) * (size_t) plan->rows_after.n);
	*nrows = plan->rows_after.n;
}

/*
 * The checks that need no built graph, on the same input: they must
 * answer for any graph, find a problem whenever the graph does not build
 * and no missing name when it does, and mg_is_applied must agree with the
 * ancestry of the built graph.  Two version rows, picked from the input's
 * last byte: a revision or a name that is none, and a label.
 */
static void
check_raw(const MgRevisionInput *in, int n, const MgGraph *g,
		  const char *const *names, const char *label, uint8_t pick)
{
	const char *rownames[2];
	MgProblemList problems;
	MgError		err;
	bool		anc[MAXREV];
	int			stack[MAXREV * 8],
				sp = 0;
	int			r = pick % (n + 1);
	int			i;

	rownames[0] = names[r];
	rownames[1] = label;
	if (!mg_check_project(in, n, rownames, 2, &problems, &err))
	{
		fprintf(stderr, "mg_check_project refused well-formed input\n");
		abort();
	}
	if (g == NULL && problems.n == 0)
	{
		fprintf(stderr, "a graph that does not build has no problem\n");
		abort();
	}
	for (i = 0; i < problems.n; i++)
	{
		MgProblemKind k = problems.items[i].kind;

		if (problems.items[i].detail == NULL ||
			(k != MG_PROBLEM_INVALID_GRAPH && problems.items[i].revision == NULL) ||
			(g != NULL && (k == MG_PROBLEM_MISSING_PARENT ||
						   k == MG_PROBLEM_MISSING_DEPENDENCY)))
		{
			fprintf(stderr, "problem %s does not fit\n", mg_problem_name(k));
			abort();
		}
	}

	/* applied = row r (when it is a revision) and its ancestors */
	memset(anc, 0, sizeof(anc));
	if (g != NULL && r < n)
	{
		anc[r] = true;
		stack[sp++] = r;
	}
	while (sp > 0)
	{
		int			v = stack[--sp];
		MgRevList	lists[2];
		int			l,
					j;

		lists[0] = mg_parents(g, v);
		lists[1] = mg_dependencies(g, v);
		for (l = 0; l < 2; l++)
			for (j = 0; j < lists[l].n; j++)
				if (!anc[lists[l].items[j]])
				{
					anc[lists[l].items[j]] = true;
					stack[sp++] = lists[l].items[j];
				}
	}
	/* three revisions an input (all of them in prop.c), to keep inputs fast */
	for (i = 0; i < 3 && n > 0; i++)
	{
		int			q = (pick + 11 * i) % n;
		bool		a = mg_is_applied(in, n, rownames, 2, in[q].id);

		if (g != NULL && a != anc[q])
		{
			fprintf(stderr, "mg_is_applied(%s) disagrees with the graph\n",
					in[q].id);
			abort();
		}
	}
}

/*
 * The three pictures of the graph, with the targets (any bytes) as the
 * messages and the title, at the rows the plans left.
 */
static void
draw_all(const MgGraph *g, int n, const char *rest, const char *end,
		 const int *rows, int nrows, bool utf8)
{
	const char *msgs[MAXREV];
	const char *q = rest;
	MgRevList	rl;
	MgDrawInput di;
	MgError		err;
	char	   *pic;
	int			i,
				f;

	for (i = 0; i < n; i++)
	{
		msgs[i] = q <= end ? q : NULL;
		if (q <= end)
			q += strlen(q) + 1;
	}
	rl.items = (int *) rows;
	rl.n = nrows;
	di.title = rest;
	di.messages = msgs;
	di.rows = &rl;
	di.utf8 = utf8;
	for (f = MG_DRAW_TEXT; f <= MG_DRAW_MERMAID; f++)
	{
		if (!mg_draw(g, (MgDrawFormat) f, &di, &pic, &err))
			check_err(&err);
		else if (n > 0 && pic[0] == '\0')
			abort();			/* a graph with revisions draws something */
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Reader		rd = {data, size};
	int			n = take(&rd) % MAXREV;
	static char names[MAXREV][16];
	static char labelnames[MAXREV][2][16];
	const char *namep[MAXREV];
	MgRevisionInput in[MAXREV];
	const char *down[MAXREV][3];
	const char *deps[MAXREV][2];
	const char *labels[MAXREV][2];
	char	   *rest,
			   *p,
			   *end;
	MgGraph    *g;
	MgError		err;
	int			rows[MAXREV],
				nrows = 0;
	int			i,
				j;

	memset(in, 0, sizeof(in));
	for (i = 0; i < MAXREV; i++)
	{
		snprintf(names[i], sizeof(names[i]), "r%d", i);
		namep[i] = names[i];
		snprintf(labelnames[i][0], sizeof(labelnames[i][0]), "L%d", i);
		snprintf(labelnames[i][1], sizeof(labelnames[i][1]), "M%d", i);
	}
	for (i = 0; i < n; i++)
	{
		int			f = take(&rd);

		in[i].id = names[i];
		in[i].ndown = f & 3;
		in[i].ndepends = (f >> 2) % 3;
		in[i].nlabels = (f >> 4) % 3;
		for (j = 0; j < in[i].ndown; j++)
			down[i][j] = names[take(&rd) % (n + 1) % MAXREV];
		for (j = 0; j < in[i].ndepends; j++)
		{
			int			d = take(&rd);

			deps[i][j] = (d & 0x80) ? labelnames[d % MAXREV][0] : names[d % (n + 1) % MAXREV];
		}
		for (j = 0; j < in[i].nlabels; j++)
			labels[i][j] = (f & 0x80) ? labelnames[take(&rd) % MAXREV][j] : labelnames[i][j];
		in[i].down = down[i];
		in[i].depends = deps[i];
		in[i].labels = labels[i];
	}
	g = mg_graph_build(in, n, &err);
	if (g == NULL)
		check_err(&err);
	check_raw(in, n, g, namep, labelnames[0][0],
			  size > 0 ? data[size - 1] : 0);
	if (g == NULL)
	{
		shim_reset();
		return 0;
	}

	/* the rest: targets separated by NUL or newline */
	rest = malloc(rd.n + 1);
	if (rest == NULL)
		abort();
	memcpy(rest, rd.p, rd.n);
	rest[rd.n] = '\0';
	end = rest + rd.n;
	for (p = rest; p <= end;)
	{
		size_t		len = strcspn(p, "\n");
		MgPlan		plan;
		MgRevList	rl;
		MgRevList	out;
		const char *t[2];

		p[len] = '\0';
		rl.items = rows;
		rl.n = nrows;
		if (mg_resolve(g, p, &rl, &out, &err))
		{
			for (i = 0; i < out.n; i++)
				if (out.items[i] < 0 || out.items[i] >= n)
					abort();
		}
		else
			check_err(&err);
		if (mg_plan_upgrade(g, p, &rl, &plan, &err))
		{
			check_plan(&plan, n, rows, nrows);
			adopt(&plan, rows, &nrows);
		}
		else
			check_err(&err);
		rl.n = nrows;
		if (mg_history(g, p, &rl, &out, &err))
		{
			for (i = 0; i < out.n; i++)
				if (out.items[i] < 0 || out.items[i] >= n)
					abort();
		}
		else
			check_err(&err);
		if (mg_current(g, &rl, &out, &err) == false)
			check_err(&err);
		if (mg_plan_downgrade(g, p, &rl, &plan, &err))
		{
			check_plan(&plan, n, rows, nrows);
			adopt(&plan, rows, &nrows);
		}
		else
			check_err(&err);
		rl.n = nrows;
		t[0] = p;
		t[1] = "heads";
		if (mg_plan_stamp(g, t, 1 + (len & 1), &rl, (len & 2) != 0, &plan, &err))
		{
			check_plan(&plan, n, rows, nrows);
			if (len & 4)
				adopt(&plan, rows, &nrows);
		}
		else
			check_err(&err);
		p += len + 1;
	}
	draw_all(g, n, rest, end, rows, nrows, (size & 1) != 0);
	free(rest);
	shim_reset();
	return 0;
}

#ifdef FUZZ_SMOKE
/*
 * Without libFuzzer: seeded random inputs, biased towards bytes that
 * matter to the target grammar.
 */
int
main(int argc, char **argv)
{
	long		runs = argc > 1 ? atol(argv[1]) : 20000;
	uint64_t	s = 0x2545F4914F6CDD1DULL;
	static const char alphabet[] = "r0123456789LM@+-:heads base\n\n\n\0_.x";
	uint8_t		buf[512];
	long		k;

	for (k = 0; k < runs; k++)
	{
		size_t		len,
					i;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		len = 1 + s % sizeof(buf);
		for (i = 0; i < len; i++)
		{
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			buf[i] = (i < 40 || (s & 3) == 0) ? (uint8_t) (s >> 24) :
				(uint8_t) alphabet[(s >> 8) % (sizeof(alphabet) - 1)];
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("fuzz smoke: %ld inputs\n", runs);
	printf("fuzz smoke: 1 passed, 0 failed\n");
	return 0;
}
#endif
