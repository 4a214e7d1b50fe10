/*
 * bench.c
 *	  Timings for the graph module: build and plan upgrade('heads') over
 *	  100,000 revisions with branches, merges, labels and dependencies; a
 *	  no-op upgrade('head') over 10,000 applied revisions; and a few other
 *	  whole-graph operations.  Prints milliseconds.
 *
 *	  usage: mg_bench [revisions]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/graph/graph.h"
#include "gen.h"
#include "shim.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
die(const char *what, const MgError *err)
{
	fprintf(stderr, "%s: %s\n", what, err->message);
	exit(1);
}

/*
 * Shapes that defeat naive algorithms: a long chain (registered in both
 * orders), a wide fan, a fan beside a long chain, two chains where one
 * depends on every revision of the other, and a main line whose every
 * revision depends on the root.  Each: build, upgrade('heads') from
 * nothing, history, downgrade('base') from the heads.
 */
#define SHAPE_N 100000

static char shape_ids[SHAPE_N][12];
static const char *shape_down[SHAPE_N];
static const char *shape_deps[SHAPE_N];
static MgRevisionInput shape_in[SHAPE_N];
static MgRevisionInput shape_rev[SHAPE_N];

static void
run_shape(const char *name, const MgRevisionInput *in, int n)
{
	MgError		err;
	MgPlan		plan;
	MgRevList	rows = {NULL, 0};
	MgRevList	out;
	MgGraph    *g;
	double		t0,
				tb,
				tu,
				th,
				td;

	t0 = now_ms();
	g = mg_graph_build(in, n, &err);
	tb = now_ms() - t0;
	if (g == NULL)
		die(name, &err);
	t0 = now_ms();
	if (!mg_plan_upgrade(g, "heads", &rows, &plan, &err))
		die(name, &err);
	tu = now_ms() - t0;
	rows = plan.rows_after;
	t0 = now_ms();
	if (!mg_history(g, NULL, NULL, &out, &err))
		die(name, &err);
	th = now_ms() - t0;
	t0 = now_ms();
	if (!mg_plan_downgrade(g, "base", &rows, &plan, &err))
		die(name, &err);
	td = now_ms() - t0;
	printf("  %-34s build %6.1f  upgrade %6.1f  history %6.1f  downgrade %6.1f ms\n",
		   name, tb, tu, th, td);
	shim_reset();
}

static void
shapes(void)
{
	int			n = SHAPE_N,
				i;

	printf("shapes, %d revisions each:\n", n);
	for (i = 0; i < n; i++)
		snprintf(shape_ids[i], sizeof(shape_ids[i]), "s%d", i);

	/* a chain, registered in order and reversed */
	memset(shape_in, 0, sizeof(shape_in));
	for (i = 0; i < n; i++)
	{
		shape_in[i].id = shape_ids[i];
		if (i > 0)
		{
			shape_down[i] = shape_ids[i - 1];
			shape_in[i].down = &shape_down[i];
			shape_in[i].ndown = 1;
		}
	}
	run_shape("chain", shape_in, n);
	for (i = 0; i < n; i++)
		shape_rev[i] = shape_in[n - 1 - i];
	run_shape("chain, registered in reverse", shape_rev, n);

	/* a fan: one base and n - 1 children */
	for (i = 1; i < n; i++)
		shape_down[i] = shape_ids[0];
	run_shape("fan of 99,999 heads", shape_in, n);

	/* a fan of 50,000 beside a chain of 50,000 */
	for (i = 1; i < n; i++)
		shape_down[i] = (i <= n / 2) ? shape_ids[0] : shape_ids[i - 1];
	shape_down[n / 2 + 1] = shape_ids[0];
	run_shape("fan of 50,000 beside a chain", shape_in, n);

	/* a ladder: y_i depends on x_i (even: x, odd: y) */
	memset(shape_in, 0, sizeof(shape_in));
	for (i = 0; i < n; i++)
	{
		shape_in[i].id = shape_ids[i];
		if (i >= 2)
		{
			shape_down[i] = shape_ids[i - 2];
			shape_in[i].down = &shape_down[i];
			shape_in[i].ndown = 1;
		}
		if (i % 2)
		{
			shape_deps[i] = shape_ids[i - 1];
			shape_in[i].depends = &shape_deps[i];
			shape_in[i].ndepends = 1;
		}
	}
	run_shape("ladder (every y depends on its x)", shape_in, n);

	/* a chain whose every revision depends on the root */
	memset(shape_in, 0, sizeof(shape_in));
	for (i = 0; i < n; i++)
	{
		shape_in[i].id = shape_ids[i];
		if (i > 0)
		{
			shape_down[i] = shape_ids[i - 1];
			shape_in[i].down = &shape_down[i];
			shape_in[i].ndown = 1;
		}
		if (i > 1)
		{
			shape_deps[i] = shape_ids[0];
			shape_in[i].depends = &shape_deps[i];
			shape_in[i].ndepends = 1;
		}
	}
	run_shape("chain, all depending on the root", shape_in, n);
}

int
main(int argc, char **argv)
{
	int			n = argc > 1 ? atoi(argv[1]) : 100000;
	GenOpts		o = {0};
	GenGraph	gg;
	Rng			r = {0x9E3779B97F4A7C15ULL};
	MgGraph    *g;
	MgError		err;
	MgPlan		plan;
	MgRevList	rows = {NULL, 0};
	MgRevList	out;
	double		t0,
				t1;
	int			i,
				reps;

	o.n = n;
	o.p_root = 0.0005;
	o.p_merge = 0.05;
	o.p_dep = 0.02;
	o.p_label = 0.002;
	o.mainline = true;
	gen_graph(&r, &o, &gg);

	/*
	 * Each measurement is the best of three runs on a fresh graph (the
	 * first touches fresh memory; the machine may be shared).
	 */
	{
		double		best[6] = {1e9, 1e9, 1e9, 1e9, 1e9, 1e9};
		int			nsteps_up = 0,
					nsteps_down = 0,
					nhist = 0,
					ncur = 0,
					k;

		for (k = 0; k < 3; k++)
		{
			double		d;

			shim_reset();
			rows.items = NULL;
			rows.n = 0;
			t0 = now_ms();
			g = mg_graph_build(gg.in, gg.n, &err);
			d = now_ms() - t0;
			if (g == NULL)
				die("build", &err);
			best[0] = d < best[0] ? d : best[0];
			t0 = now_ms();
			if (!mg_plan_upgrade(g, "heads", &rows, &plan, &err))
				die("upgrade heads", &err);
			d = now_ms() - t0;
			best[1] = d < best[1] ? d : best[1];
			nsteps_up = plan.nsteps;
			rows = plan.rows_after;
			t0 = now_ms();
			if (!mg_plan_upgrade(g, "heads", &rows, &plan, &err))
				die("no-op upgrade heads", &err);
			d = now_ms() - t0;
			best[2] = d < best[2] ? d : best[2];
			t0 = now_ms();
			if (!mg_history(g, NULL, NULL, &out, &err))
				die("history", &err);
			d = now_ms() - t0;
			best[3] = d < best[3] ? d : best[3];
			nhist = out.n;
			t0 = now_ms();
			if (!mg_plan_downgrade(g, "base", &rows, &plan, &err))
				die("downgrade base", &err);
			d = now_ms() - t0;
			best[4] = d < best[4] ? d : best[4];
			nsteps_down = plan.nsteps;
			t0 = now_ms();
			if (!mg_current(g, &rows, &out, &err))
				die("current", &err);
			d = now_ms() - t0;
			best[5] = d < best[5] ? d : best[5];
			ncur = out.n;
		}
		printf("%d revisions (%d heads, %d branch points), best of 3:\n",
			   n, mg_heads(g, false).n, mg_branch_points(g).n);
		printf("  build: %.1f ms\n", best[0]);
		printf("  plan upgrade('heads') from empty: %d steps, %.1f ms\n",
			   nsteps_up, best[1]);
		printf("  plan upgrade('heads') at heads (no-op): %.2f ms\n", best[2]);
		printf("  history base:heads: %d revisions, %.1f ms\n", nhist, best[3]);
		printf("  plan downgrade('base') from heads: %d steps, %.1f ms\n",
			   nsteps_down, best[4]);
		printf("  current: %d, %.2f ms\n", ncur, best[5]);
	}
	shim_reset();
	gen_free(&gg);

	/* a no-op upgrade('head') over 10,000 applied revisions */
	o.n = 10000;
	o.p_root = 0;
	o.all_merged = true;
	gen_graph(&r, &o, &gg);
	g = mg_graph_build(gg.in, gg.n, &err);
	if (g == NULL)
		die("build 10k", &err);
	rows.n = 0;
	if (!mg_plan_upgrade(g, "head", &rows, &plan, &err))
		die("upgrade 10k", &err);
	rows = plan.rows_after;
	reps = 2000;
	t0 = now_ms();
	for (i = 0; i < reps; i++)
	{
		if (!mg_plan_upgrade(g, "head", &rows, &plan, &err))
			die("no-op upgrade", &err);
		if (plan.nsteps != 0)
		{
			fprintf(stderr, "no-op upgrade ran %d steps\n", plan.nsteps);
			return 1;
		}
	}
	t1 = now_ms();
	printf("no-op upgrade('head') over %d applied revisions (%d rows): %.3f ms\n",
		   o.n, rows.n, (t1 - t0) / reps);
	t0 = now_ms();
	for (i = 0; i < reps; i++)
		if (!mg_current(g, &rows, &out, &err))
			die("current", &err);
	t1 = now_ms();
	printf("current over %d revisions: %.3f ms\n", o.n, (t1 - t0) / reps);
	shim_reset();
	gen_free(&gg);

	shapes();
	return 0;
}
