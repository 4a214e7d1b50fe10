/*-------------------------------------------------------------------------
 *
 * unit.c
 *	  Table-driven tests for the graph module (src/graph/).
 *
 * Two kinds of checks:
 *	- case files (cases/NAME.case): a driver script, a line "----", and the
 *	  exact output the driver must print (format: driver_core.c).  Each
 *	  file is one check.  The same scripts are also run against the real
 *	  Alembic by difftest.py --script, so the expected outputs are Alembic's
 *	  behaviour (apart from the documented differences, which the cases
 *	  name).
 *	- API checks written in C below: names, accessors, error fields,
 *	  version-row validation, hostile strings, scratch memory.
 *
 *	  usage: mg_unit [--bless] NAME.case ...
 *	  --bless rewrites the expected part of each case file with the actual
 *	  output (review the diff before keeping it).
 *
 * The last line is "unit: N passed, M failed".
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/graph/graph.h"
#include "driver.h"
#include "shim.h"
#include "check.h"

static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n + 1);
	if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t) n;
	return buf;
}

static void
run_case_file(const char *path, bool bless)
{
	size_t		len;
	char	   *text = read_file(path, &len);
	char	   *sep;
	char	   *expected;
	char	   *actual = NULL;
	size_t		alen = 0;
	FILE	   *in,
			   *out;
	int			bad;

	if (text == NULL)
	{
		failed++;
		printf("FAIL %s: cannot read\n", path);
		return;
	}
	sep = strstr(text, "\n----\n");
	if (sep == NULL)
	{
		failed++;
		printf("FAIL %s: no \"----\" line\n", path);
		free(text);
		return;
	}
	sep[1] = '\0';
	expected = sep + 6;
	in = fmemopen(text, strlen(text), "r");
	out = open_memstream(&actual, &alen);
	bad = mgd_run(in, out);
	fclose(in);
	fclose(out);
	if (bless)
	{
		FILE	   *f = fopen(path, "w");

		fprintf(f, "%s----\n%s", text, actual);
		fclose(f);
		printf("blessed %s\n", path);
	}
	else if (bad == 0 && strcmp(expected, actual) == 0)
		passed++;
	else
	{
		const char *e = expected,
				   *a = actual;
		int			line = 1;

		failed++;
		while (*e && *e == *a)
		{
			if (*e == '\n')
				line++;
			e++;
			a++;
		}
		printf("FAIL %s: output differs from line %d of the expected part%s\n",
			   path, line, bad ? " (and the script has unreadable lines)" : "");
		printf("  expected: %.*s\n", (int) strcspn(e, "\n"), e);
		printf("  actual:   %.*s\n", (int) strcspn(a, "\n"), a);
	}
	free(actual);
	free(text);
}

/* ------------------------------------------------------------------ */

static MgGraph *
build(const MgRevisionInput *in, int n, MgError *err)
{
	return mg_graph_build(in, n, err);
}

static void
test_names(void)
{
	MgError		err;
	char		longname[300];

	memset(longname, 'a', sizeof(longname));
	longname[255] = '\0';
	CHECK(mg_check_name("a", "revision identifier", &err), "a is a name");
	CHECK(mg_check_name("A_b.9", "revision identifier", &err), "A_b.9");
	CHECK(mg_check_name(longname, "revision identifier", &err), "255 bytes");
	longname[255] = 'a';
	longname[256] = '\0';
	CHECK(!mg_check_name(longname, "revision identifier", &err) &&
		  err.code == MG_ERR_BAD_ID, "256 bytes is too long");
	CHECK(!mg_check_name("", "revision identifier", &err) &&
		  err.code == MG_ERR_BAD_ID && err.message, "empty");
	CHECK(!mg_check_name(NULL, "revision identifier", &err) &&
		  err.code == MG_ERR_BAD_ID, "NULL");
	CHECK(!mg_check_name("a-b", "revision identifier", &err) &&
		  strcmp(err.message, "Character(s) '-' not allowed in revision identifier 'a-b'") == 0,
		  "Alembic's wording: %s", err.message);
	CHECK(!mg_check_name("a@b+c", "revision identifier", &err) &&
		  strcmp(err.message, "Character(s) '+, @' not allowed in revision identifier 'a@b+c'") == 0,
		  "sorted characters: %s", err.message);
	CHECK(!mg_check_name("a:b", "branch label", &err) &&
		  strcmp(err.message, "Character(s) ':' not allowed in branch label 'a:b'") == 0,
		  "colon: %s", err.message);
	CHECK(!mg_check_name("a b,c", "revision identifier", &err) &&
		  strcmp(err.message, "Character(s) '\\x20, ,' not allowed in revision identifier 'a b,c'") == 0,
		  "space and comma: %s", err.message);
	CHECK(!mg_check_name("caf\xc3\xa9", "revision identifier", &err) &&
		  err.code == MG_ERR_BAD_ID, "non-ASCII");
	CHECK(!mg_check_name("head", "revision identifier", &err) &&
		  err.code == MG_ERR_BAD_ID, "head is reserved");
	CHECK(!mg_check_name("heads", "branch label", &err), "heads is reserved");
	CHECK(!mg_check_name("base", "branch label", &err), "base is reserved");
	CHECK(mg_check_name("Head", "branch label", &err), "Head is not");
	CHECK(mg_check_name("base1", "branch label", &err), "base1 is not");
}

static void
test_build_input(void)
{
	MgError		err;
	const char *bad_down[] = {NULL};
	MgRevisionInput in[2];

	CHECK(build(NULL, 1, &err) == NULL && err.code == MG_ERR_BAD_ID,
		  "NULL array");
	CHECK(build(NULL, -1, &err) == NULL && err.code == MG_ERR_BAD_ID,
		  "negative count");
	CHECK(build(NULL, 0, &err) != NULL && err.code == MG_OK, "empty graph");
	memset(in, 0, sizeof(in));
	in[0].id = "a";
	in[0].ndown = 1;
	in[0].down = bad_down;
	CHECK(build(in, 1, &err) == NULL && err.code == MG_ERR_BAD_ID,
		  "NULL down entry");
	in[0].ndown = -1;
	CHECK(build(in, 1, &err) == NULL && err.code == MG_ERR_BAD_ID,
		  "negative ndown");
	in[0].ndown = 2;
	in[0].down = NULL;
	CHECK(build(in, 1, &err) == NULL && err.code == MG_ERR_BAD_ID,
		  "NULL down list");
	memset(in, 0, sizeof(in));
	CHECK(build(in, 1, &err) == NULL && err.code == MG_ERR_BAD_ID,
		  "NULL id");
	shim_reset();
}

/* a small graph for the accessors: a -> b -> {c1 (label cl) -> d1, c2} */
static MgGraph *
small_graph(void)
{
	static const char *b_down[] = {"a"};
	static const char *c_down[] = {"b"};
	static const char *d1_down[] = {"c1"};
	static const char *c1_labels[] = {"cl"};
	static const char *x_deps[] = {"cl", "c1", "a"};
	static const char *m_down[] = {"d1", "c2"};
	MgRevisionInput in[7];
	MgError		err;

	memset(in, 0, sizeof(in));
	in[0].id = "a";
	in[1].id = "b", in[1].down = b_down, in[1].ndown = 1;
	in[2].id = "c1", in[2].down = c_down, in[2].ndown = 1;
	in[2].labels = c1_labels, in[2].nlabels = 1;
	in[3].id = "d1", in[3].down = d1_down, in[3].ndown = 1;
	in[4].id = "c2", in[4].down = c_down, in[4].ndown = 1;
	in[5].id = "xroot", in[5].depends = x_deps, in[5].ndepends = 3;
	in[6].id = "m", in[6].down = m_down, in[6].ndown = 2;
	return build(in, 7, &err);
}

static void
test_accessors(void)
{
	MgGraph    *g = small_graph();
	MgRevList	l;
	int			k;
	const char *const *labels;

	CHECK(g != NULL, "small graph builds");
	if (g == NULL)
		return;
	CHECK(mg_graph_size(g) == 7, "size");
	CHECK(strcmp(mg_rev_id(g, 2), "c1") == 0, "rev id");
	CHECK(mg_rev_id(g, 7) == NULL && mg_rev_id(g, -1) == NULL, "rev id range");
	CHECK(mg_lookup(g, "c2") == 4, "lookup");
	CHECK(mg_lookup(g, "cl") == -1, "lookup does not take labels");
	CHECK(mg_lookup(g, "c") == -1, "lookup does not take prefixes");
	l = mg_parents(g, 6);
	CHECK(l.n == 2 && l.items[0] == 3 && l.items[1] == 4, "parents in order");
	l = mg_parents(g, 0);
	CHECK(l.n == 0, "no parents");
	l = mg_dependencies(g, 5);
	CHECK(l.n == 2 && l.items[0] == 2 && l.items[1] == 0,
		  "label and id resolve to one revision, kept once");
	labels = mg_labels(g, 2, false, &k);
	CHECK(k == 1 && strcmp(labels[0], "cl") == 0, "own labels");
	labels = mg_labels(g, 3, true, &k);
	CHECK(k == 1 && strcmp(labels[0], "cl") == 0, "spread to the descendant");
	labels = mg_labels(g, 3, false, &k);
	CHECK(k == 0, "d1 has no own label");
	mg_labels(g, 1, true, &k);
	CHECK(k == 0, "not spread below the branch point");
	mg_labels(g, 6, true, &k);
	CHECK(k == 1, "a merge of a labelled line carries the label");
	l = mg_heads(g, false);
	CHECK(l.n == 2 && l.items[0] == 5 && l.items[1] == 6,
		  "heads: xroot and m (a depended-on revision is still a head)");
	l = mg_heads(g, true);
	CHECK(l.n == 2, "real heads");
	l = mg_bases(g, false);
	CHECK(l.n == 2 && l.items[0] == 0 && l.items[1] == 5, "bases");
	l = mg_bases(g, true);
	CHECK(l.n == 1 && l.items[0] == 0, "real bases exclude bases with depends_on");
	CHECK(mg_is_branch_point(g, 1) && !mg_is_branch_point(g, 0), "branch point");
	CHECK(mg_is_merge_point(g, 6) && !mg_is_merge_point(g, 3), "merge point");
	l = mg_branch_points(g);
	CHECK(l.n == 1 && l.items[0] == 1, "branch points");
	CHECK(mg_graph_size(NULL) == 0 && mg_lookup(NULL, "a") == -1,
		  "NULL graph accessors");
	shim_reset();
}

static void
test_rows_and_nulls(void)
{
	MgGraph    *g = small_graph();
	MgError		err;
	MgPlan		plan;
	MgRevList	out;
	int			bad1[] = {7};
	int			bad2[] = {1, 1};
	int			neg[] = {-1};
	MgRevList	r1 = {bad1, 1},
				r2 = {bad2, 2},
				r3 = {neg, 1};
	const char *t[] = {NULL};

	CHECK(!mg_plan_upgrade(g, "heads", &r1, &plan, &err) &&
		  err.code == MG_ERR_BAD_VERSION_ROWS, "row out of range");
	CHECK(!mg_plan_downgrade(g, "base", &r2, &plan, &err) &&
		  err.code == MG_ERR_BAD_VERSION_ROWS, "duplicate row");
	CHECK(!mg_current(g, &r3, &out, &err) &&
		  err.code == MG_ERR_BAD_VERSION_ROWS, "negative row");
	CHECK(!mg_plan_stamp(g, t, 1, NULL, false, &plan, &err) &&
		  err.code == MG_ERR_BAD_TARGET, "NULL stamp target");
	CHECK(!mg_plan_upgrade(g, NULL, NULL, &plan, &err) &&
		  err.code == MG_ERR_BAD_TARGET, "NULL upgrade target");
	CHECK(!mg_resolve(g, NULL, NULL, &out, &err) &&
		  err.code == MG_ERR_BAD_TARGET, "NULL resolve target");
	CHECK(!mg_plan_upgrade(NULL, "head", NULL, &plan, &err) &&
		  err.code != MG_OK && err.message, "NULL graph");
	CHECK(mg_plan_upgrade(g, "heads", NULL, &plan, &err) && plan.nsteps == 7,
		  "NULL rows mean none");
	CHECK(mg_history(g, NULL, NULL, &out, &err) && out.n == 7,
		  "NULL range is base:heads");
	CHECK(!mg_history(g, "a:b:c", NULL, &out, &err) &&
		  err.code == MG_ERR_BAD_TARGET, "two colons");
	/* a NULL error argument is tolerated */
	CHECK(!mg_plan_upgrade(g, "nosuch", NULL, &plan, NULL), "NULL err, upgrade");
	CHECK(!mg_plan_downgrade(g, "nosuch", NULL, &plan, NULL), "NULL err, downgrade");
	CHECK(!mg_plan_stamp(g, t, 1, NULL, false, &plan, NULL), "NULL err, stamp");
	CHECK(!mg_resolve(g, "nosuch", NULL, &out, NULL), "NULL err, resolve");
	CHECK(!mg_history(g, "x", NULL, &out, NULL), "NULL err, history");
	CHECK(!mg_current(g, &r1, &out, NULL), "NULL err, current");
	CHECK(!mg_check_name("", "revision identifier", NULL), "NULL err, name");
	CHECK(mg_graph_build(NULL, -1, NULL) == NULL, "NULL err, build");
	shim_reset();
}

/*
 * Targets nobody should type: every call must come back with a result or
 * an error that has a message, and must not take long.
 */
static void
test_hostile(void)
{
	MgGraph    *g = small_graph();
	static char big[100001];
	static char ats[100001];
	static char digits[100003];
	const char *targets[64];
	int			nt = 0;
	int			i,
				rowsv[] = {3, 4};
	MgRevList	rows = {rowsv, 2};

	memset(big, 'a', 100000);
	memset(ats, '@', 100000);
	digits[0] = '-';
	memset(digits + 1, '9', 100001);
	targets[nt++] = "";
	targets[nt++] = "@";
	targets[nt++] = "@@";
	targets[nt++] = "+-1";
	targets[nt++] = "-+1";
	targets[nt++] = "-99999999999999999999";
	targets[nt++] = "+99999999999999999999";
	targets[nt++] = "c1+99999999999999999999";
	targets[nt++] = "base-99999999999999999999";
	targets[nt++] = "cl@-99999999999999999999";
	targets[nt++] = "caf\xc3\xa9";
	targets[nt++] = "\xff\xfe";
	targets[nt++] = "a\nb";
	targets[nt++] = "a\n@+1";
	targets[nt++] = "x@y@z+1";
	targets[nt++] = "cl@cl@cl@-1";
	targets[nt++] = "::";
	targets[nt++] = ":";
	targets[nt++] = "heads+1";
	targets[nt++] = "head-0";
	targets[nt++] = " -1 ";
	targets[nt++] = "1_0";
	targets[nt++] = "-1_0";
	targets[nt++] = "base@base";
	targets[nt++] = "head@head";
	targets[nt++] = "heads@heads";
	targets[nt++] = big;
	targets[nt++] = ats;
	targets[nt++] = digits;
	for (i = 0; i < nt; i++)
	{
		MgError		err;
		MgPlan		plan;
		MgRevList	out;
		bool		ok;

		ok = mg_resolve(g, targets[i], &rows, &out, &err);
		CHECK(ok || (err.code != MG_OK && err.message), "resolve #%d", i);
		ok = mg_plan_upgrade(g, targets[i], &rows, &plan, &err);
		CHECK(ok || (err.code != MG_OK && err.message), "upgrade #%d", i);
		ok = mg_plan_downgrade(g, targets[i], &rows, &plan, &err);
		CHECK(ok || (err.code != MG_OK && err.message), "downgrade #%d", i);
		ok = mg_history(g, targets[i], &rows, &out, &err);
		CHECK(ok || (err.code != MG_OK && err.message), "history #%d", i);
		ok = mg_plan_stamp(g, &targets[i], 1, &rows, false, &plan, &err);
		CHECK(ok || (err.code != MG_OK && err.message), "stamp #%d", i);
		shim_reset();
		g = small_graph();
	}
	{
		/* hostile ids in the graph itself */
		MgRevisionInput in[2];
		MgError		err;
		const char *down[] = {big};

		memset(in, 0, sizeof(in));
		in[0].id = big;
		CHECK(build(in, 1, &err) == NULL && err.code == MG_ERR_BAD_ID,
			  "100 KB id");
		in[0].id = "a";
		in[1].id = "b";
		in[1].down = down;
		in[1].ndown = 1;
		CHECK(build(in, 2, &err) == NULL && err.code == MG_ERR_MISSING_PARENT,
			  "100 KB parent name");
	}
	shim_reset();
}

/* scratch memory goes back to mg_free; only results stay */
static void
test_scratch(void)
{
	MgGraph    *g = small_graph();
	size_t		before;
	MgError		err;
	MgPlan		plan;
	MgRevList	out;

	before = shim_live_blocks();
	CHECK(mg_plan_upgrade(g, "heads", NULL, &plan, &err), "plan");
	CHECK(shim_live_blocks() - before == (size_t) plan.nsteps + 2,
		  "a plan keeps its steps, their ops and the rows (%zu blocks for %d steps)",
		  shim_live_blocks() - before, plan.nsteps);
	before = shim_live_blocks();
	CHECK(!mg_plan_upgrade(g, "nosuch", NULL, &plan, &err), "error");
	CHECK(shim_live_blocks() - before <= 3,
		  "an error keeps its message, detail and hint only (%zu)",
		  shim_live_blocks() - before);
	before = shim_live_blocks();
	CHECK(mg_history(g, NULL, NULL, &out, &err), "history");
	CHECK(shim_live_blocks() - before == 1, "history keeps its list");
	shim_reset();
}

int
main(int argc, char **argv)
{
	bool		bless = false;
	int			i;

	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--bless") == 0)
			bless = true;
		else
			run_case_file(argv[i], bless);
	}
	if (bless)
		return 0;
	test_names();
	test_build_input();
	test_accessors();
	test_rows_and_nulls();
	test_hostile();
	test_scratch();
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
