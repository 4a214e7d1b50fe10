/*-------------------------------------------------------------------------
 *
 * checks.c
 *	  Tests for the checks that need no built graph (src/graph/check.c):
 *	  mg_check_project, which lists every problem of a project the way
 *	  migrate.verify() shows them, and mg_is_applied, which tells register
 *	  whether a revision may still change.
 *
 * The graphs here are mostly ones that cannot be built: missing parents,
 * cycles, labels used twice, rows that name nothing.  The details are
 * compared to the letter, since verify() prints them (expected/verify.out).
 *
 *	  usage: mg_checks
 * The last line is "checks: N passed, M failed".
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/graph/graph.h"
#include "shim.h"
#include "check.h"

#define MAXREV 16
#define MAXLIST 4

/*
 * A project written compactly: one string per revision,
 * "id [down=a,b] [deps=c] [labels=l]", as in the driver's scripts.
 */
typedef struct Project
{
	int			n;
	MgRevisionInput in[MAXREV];
	char	   *store[MAXREV * 16];
	int			nstore;
	const char *lists[MAXREV][3][MAXLIST];
} Project;

static char *
keep(Project *p, const char *s, size_t len)
{
	char	   *c = malloc(len + 1);

	memcpy(c, s, len);
	c[len] = '\0';
	p->store[p->nstore++] = c;
	return c;
}

/* "a,b,c" into list, returns the count */
static int
split_list(Project *p, const char *s, const char **list)
{
	int			n = 0;

	while (*s && n < MAXLIST)
	{
		size_t		len = strcspn(s, ",");

		list[n++] = keep(p, s, len);
		s += len;
		if (*s == ',')
			s++;
	}
	return n;
}

static void
project(Project *p, const char *const *revs)
{
	int			i;

	memset(p, 0, sizeof(*p));
	for (i = 0; revs[i] != NULL; i++)
	{
		MgRevisionInput *r = &p->in[i];
		const char *s = revs[i];
		size_t		len = strcspn(s, " ");

		r->id = keep(p, s, len);
		s += len;
		while (*s == ' ')
		{
			char		word[256];
			size_t		wl;

			s++;
			wl = strcspn(s, " ");
			snprintf(word, sizeof(word), "%.*s", (int) wl, s);
			s += wl;
			if (strncmp(word, "down=", 5) == 0)
			{
				r->ndown = split_list(p, word + 5, p->lists[i][0]);
				r->down = p->lists[i][0];
			}
			else if (strncmp(word, "deps=", 5) == 0)
			{
				r->ndepends = split_list(p, word + 5, p->lists[i][1]);
				r->depends = p->lists[i][1];
			}
			else if (strncmp(word, "labels=", 7) == 0)
			{
				r->nlabels = split_list(p, word + 7, p->lists[i][2]);
				r->labels = p->lists[i][2];
			}
		}
	}
	p->n = i;
}

static void
project_free(Project *p)
{
	int			i;

	for (i = 0; i < p->nstore; i++)
		free(p->store[i]);
}

/* number of NULL-terminated strings */
static int
count(const char *const *v)
{
	int			n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

/*
 * The problems of a project, printed one per line as verify() would show
 * its rows: "kind | revision | detail".
 */
static char *
problems(const char *const *revs, const char *const *rows)
{
	Project		p;
	MgProblemList out;
	MgError		err;
	static char buf[8192];
	size_t		pos = 0;
	int			i;

	project(&p, revs);
	buf[0] = '\0';
	if (!mg_check_project(p.in, p.n, rows, count(rows), &out, &err))
		snprintf(buf, sizeof(buf), "error: %s", err.message);
	else
		for (i = 0; i < out.n; i++)
			pos += (size_t) snprintf(buf + pos, sizeof(buf) - pos, "%s | %s | %s\n",
									 mg_problem_name(out.items[i].kind),
									 out.items[i].revision ? out.items[i].revision : "",
									 out.items[i].detail);
	project_free(&p);
	shim_reset();
	return buf;
}

#define EXPECT_PROBLEMS(revs, rows, expected) \
	do { \
		const char *got_ = problems(revs, rows); \
		CHECK(strcmp(got_, expected) == 0, "expected:\n%sgot:\n%s", \
			  expected, got_); \
	} while (0)

static const char *const no_rows[] = {NULL};

static void
test_healthy(void)
{
	const char *const chain[] = {"v1", "v2 down=v1", "v3 down=v2", NULL};
	const char *const rows_v2[] = {"v2", NULL};
	const char *const none[] = {NULL};
	const char *const dep_on_label[] = {"a labels=lib", "b down=a",
	"x deps=lib", NULL};
	const char *const rows_bx[] = {"b", "x", NULL};

	EXPECT_PROBLEMS(chain, rows_v2, "");
	EXPECT_PROBLEMS(chain, no_rows, "");
	EXPECT_PROBLEMS(none, no_rows, "");
	/* a dependency may name a label; x absorbs nothing, b is its own head */
	EXPECT_PROBLEMS(dep_on_label, rows_bx, "");
}

/* the rows of expected/verify.out, to the letter */
static void
test_verify_transcript(void)
{
	const char *const drift[] = {"v1", "v2 down=v1", "v3 down=v2", NULL};
	const char *const ghost[] = {"ghost", NULL};
	const char *const redundant[] = {"v1", "v2", NULL};
	const char *const v4[] = {"v1", "v2 down=v1", "v3 down=v2",
	"v4 down=v3,nowhere deps=nothing", NULL};
	const char *const rows_v2[] = {"v2", NULL};
	const char *const cycle[] = {"v1 down=v3", "v2 down=v1", "v3 down=v2", NULL};

	EXPECT_PROBLEMS(drift, ghost,
					"unknown_version | ghost | migrate.version records ghost as applied, but it is not a registered revision.\n");
	EXPECT_PROBLEMS(drift, redundant,
					"redundant_version | v1 | Version row v1 is an ancestor of another version row.\n");
	EXPECT_PROBLEMS(v4, rows_v2,
					"missing_parent | v4 | down_revision names nowhere, which is not registered.\n"
					"missing_dependency | v4 | depends_on names nothing, which is neither a registered revision nor a branch label.\n");
	EXPECT_PROBLEMS(cycle, rows_v2,
					"invalid_graph |  | Cycle is detected in revisions (v1, v2, v3)\n");
}

/* problems come all at once, in a fixed order */
static void
test_order(void)
{
	const char *const revs[] = {
		"b down=a,zz deps=nolabel,alsonot",
		"a down=lib",
		"c down=a labels=lib deps=lib",
		"d down=gone",
		NULL
	};
	const char *const rows[] = {"q", "a", "lib", NULL};

	EXPECT_PROBLEMS(revs, rows,
					"missing_parent | b | down_revision names zz, which is not registered.\n"
					"missing_dependency | b | depends_on names nolabel, which is neither a registered revision nor a branch label.\n"
					"missing_dependency | b | depends_on names alsonot, which is neither a registered revision nor a branch label.\n"
					"missing_parent | a | down_revision names lib, which is not registered.\n"
					"missing_parent | d | down_revision names gone, which is not registered.\n"
					"unknown_version | q | migrate.version records q as applied, but it is not a registered revision.\n"
					"unknown_version | lib | migrate.version records lib as applied, but it is not a registered revision.\n");
}

/* names resolve, but the graph cannot be built: one invalid_graph */
static void
test_invalid_graphs(void)
{
	const char *const selfloop[] = {"a", "b down=a deps=bl labels=bl", NULL};
	const char *const twice[] = {"a labels=lib", "b down=a labels=lib", NULL};
	const char *const dup[] = {"a", "a", NULL};
	const char *const badname[] = {"a-b", NULL};
	const char *const depcycle[] = {"a", "b down=a deps=c", "c down=b", NULL};
	const char *const chain[] = {"v1", "v2 down=v1", NULL};
	const char *const duprows[] = {"v1", "v1", NULL};
	const char *const rows_a[] = {"a", NULL};

	EXPECT_PROBLEMS(selfloop, rows_a,
					"invalid_graph |  | Dependency self-loop is detected in revisions (b)\n");
	EXPECT_PROBLEMS(twice, no_rows,
					"invalid_graph |  | Branch name 'lib' in revision b already used by revision a\n");
	EXPECT_PROBLEMS(dup, no_rows,
					"invalid_graph |  | Revision a is present more than once\n");
	EXPECT_PROBLEMS(badname, no_rows,
					"invalid_graph |  | Character(s) '-' not allowed in revision identifier 'a-b'\n");
	EXPECT_PROBLEMS(depcycle, rows_a,
					"invalid_graph |  | Dependency cycle is detected in revisions (a, b, c)\n");
	/* rows that do not fit a graph that builds */
	EXPECT_PROBLEMS(chain, duprows,
					"invalid_graph |  | revision v1 appears more than once in the version rows\n");
}

/* a missing name hides what building would say */
static void
test_missing_before_graph(void)
{
	const char *const revs[] = {"a down=c", "c down=a", "d down=nothing", NULL};
	const char *const rows_only[] = {"x", NULL};
	const char *const none[] = {NULL};

	EXPECT_PROBLEMS(revs, no_rows,
					"missing_parent | d | down_revision names nothing, which is not registered.\n");
	/* rows without revisions: unknown, and no graph problem */
	EXPECT_PROBLEMS(none, rows_only,
					"unknown_version | x | migrate.version records x as applied, but it is not a registered revision.\n");
}

/* names longer than MG_MAX_ID_LEN are never found */
static void
test_long_names(void)
{
	char		longid[301];
	char		child[320];
	char		expected[2048];
	const char *revs1[2] = {longid, NULL};
	const char *revs2[3] = {longid, child, NULL};
	const char *rows[2] = {longid, NULL};

	memset(longid, 'a', 300);
	longid[300] = '\0';
	EXPECT_PROBLEMS(revs1, no_rows,
					"invalid_graph |  | revision identifier is too long\n");
	/* a 250-byte parent name is not the 300-byte id */
	snprintf(child, sizeof(child), "b down=%.250s", longid);
	snprintf(expected, sizeof(expected),
			 "missing_parent | b | down_revision names %.250s, which is not registered.\n"
			 "unknown_version | %s | migrate.version records %s as applied, but it is not a registered revision.\n",
			 longid, longid, longid);
	EXPECT_PROBLEMS(revs2, rows, expected);
}

static void
test_malformed(void)
{
	MgRevisionInput in[2];
	MgProblemList out;
	MgError		err;
	const char *nullrow[] = {NULL};
	const char *nulllabel[] = {NULL};
	const char *rows[] = {"a"};

	memset(in, 0, sizeof(in));
	CHECK(!mg_check_project(NULL, 1, NULL, 0, &out, &err) &&
		  err.code == MG_ERR_BAD_ID, "NULL revisions");
	CHECK(!mg_check_project(in, -1, NULL, 0, &out, &err) &&
		  err.code == MG_ERR_BAD_ID, "negative count");
	CHECK(!mg_check_project(in, 1, NULL, 0, &out, &err) &&
		  err.code == MG_ERR_BAD_ID && strstr(err.message, "malformed"),
		  "NULL id: %s", err.message);
	in[0].id = "a";
	CHECK(!mg_check_project(in, 1, NULL, 1, &out, &err) &&
		  err.code == MG_ERR_BAD_VERSION_ROWS, "NULL row list");
	CHECK(!mg_check_project(in, 1, nullrow, 1, &out, &err) &&
		  err.code == MG_ERR_BAD_VERSION_ROWS, "NULL row");
	in[0].labels = nulllabel;
	in[0].nlabels = 1;
	CHECK(!mg_check_project(in, 1, rows, 1, &out, &err) &&
		  err.code == MG_ERR_BAD_ID, "NULL label");
	CHECK(!mg_check_project(in, 1, rows, 1, &out, NULL), "NULL err");
	CHECK(!mg_is_applied(in, 1, rows, 1, "a"), "is_applied: malformed");
	in[0].nlabels = 0;
	CHECK(mg_is_applied(in, 1, rows, 1, "a"), "is_applied: well formed");
	CHECK(!mg_is_applied(in, 1, rows, 1, NULL), "is_applied: NULL id");
	CHECK(!mg_is_applied(NULL, -1, rows, 1, "a"), "is_applied: bad array");
	CHECK(strcmp(mg_problem_name(MG_PROBLEM_MISSING_PARENT), "missing_parent") == 0 &&
		  strcmp(mg_problem_name(MG_PROBLEM_MISSING_DEPENDENCY), "missing_dependency") == 0 &&
		  strcmp(mg_problem_name(MG_PROBLEM_UNKNOWN_VERSION), "unknown_version") == 0 &&
		  strcmp(mg_problem_name(MG_PROBLEM_INVALID_GRAPH), "invalid_graph") == 0 &&
		  strcmp(mg_problem_name(MG_PROBLEM_REDUNDANT_VERSION), "redundant_version") == 0,
		  "problem names");
	shim_reset();
}

/* only the list and its strings stay; scratch memory goes back */
static void
test_memory(void)
{
	const char *const revs[] = {"a down=x", "b deps=y", NULL};
	const char *const rows[] = {"z", NULL};
	Project		p;
	MgProblemList out;
	MgError		err;
	size_t		before;

	project(&p, revs);
	before = shim_live_blocks();
	CHECK(mg_check_project(p.in, p.n, rows, 1, &out, &err) && out.n == 3,
		  "three problems");
	CHECK(shim_live_blocks() - before == 1 + 2 * 3,
		  "the list and two strings per problem stay (%zu blocks)",
		  shim_live_blocks() - before);
	before = shim_live_blocks();
	CHECK(!mg_is_applied(p.in, p.n, rows, 1, "a"), "nothing applied");
	CHECK(shim_live_blocks() == before, "is_applied keeps nothing (%zu)",
		  shim_live_blocks() - before);
	project_free(&p);
	shim_reset();
}

static bool
applied(const char *const *revs, const char *const *rows, const char *id)
{
	Project		p;
	bool		res;

	project(&p, revs);
	res = mg_is_applied(p.in, p.n, rows, count(rows), id);
	project_free(&p);
	shim_reset();
	return res;
}

static void
test_is_applied(void)
{
	const char *const chain[] = {"a", "b down=a", "c down=b", "d down=c", NULL};
	const char *const rows_b[] = {"b", NULL};
	const char *const deps[] = {"x1 labels=xlib", "x2 down=x1", "y1",
	"y2 down=y1 deps=xlib", "z deps=x2", NULL};
	const char *const rows_y2[] = {"y2", NULL};
	const char *const gap[] = {"a", "b down=a", "c down=b,missing deps=nothing",
	NULL};
	const char *const rows_c[] = {"c", NULL};
	const char *const cycle[] = {"p down=q", "q down=p", "r", NULL};
	const char *const rows_p[] = {"p", NULL};
	const char *const label_down[] = {"a labels=al", "b down=al", NULL};
	const char *const rows_label[] = {"al", NULL};
	const char *const rows_unknown[] = {"nosuch", NULL};
	const char *const id_wins[] = {"a", "b labels=a", "c down=a", NULL};
	const char *const rows_cc[] = {"c", NULL};
	const char *const dup[] = {"a", "x", "a down=x", NULL};
	const char *const rows_a[] = {"a", NULL};

	CHECK(!applied(chain, no_rows, "a"), "no rows: nothing applied");
	CHECK(applied(chain, rows_b, "b"), "a row is applied");
	CHECK(applied(chain, rows_b, "a"), "an ancestor of a row is applied");
	CHECK(!applied(chain, rows_b, "c") && !applied(chain, rows_b, "d"),
		  "descendants are not");
	CHECK(!applied(chain, rows_b, "nosuch"), "an unknown id is not");
	CHECK(applied(deps, rows_y2, "x1"), "through depends_on naming a label");
	CHECK(applied(deps, rows_y2, "y1"), "through down_revision");
	CHECK(!applied(deps, rows_y2, "x2") && !applied(deps, rows_y2, "z"),
		  "not through children");
	/* the graph cannot be built: names that lead nowhere are skipped */
	CHECK(applied(gap, rows_c, "a"), "past a missing parent");
	CHECK(!applied(gap, rows_c, "missing"), "a missing parent is not applied");
	CHECK(applied(cycle, rows_p, "q") && applied(cycle, rows_p, "p"),
		  "around a cycle");
	CHECK(!applied(cycle, rows_p, "r"), "beside a cycle");
	CHECK(applied(label_down, (const char *const[]) {"b", NULL}, "a"),
		  "a label in down_revision stands for its revision");
	CHECK(!applied(label_down, rows_label, "a"),
		  "a row that names a label names no revision");
	CHECK(!applied(chain, rows_unknown, "a"), "a row that names nothing");
	CHECK(applied(id_wins, rows_cc, "a") && !applied(id_wins, rows_cc, "b"),
		  "an id wins over a label of the same name");
	CHECK(applied(dup, rows_a, "x"),
		  "with one id twice, the later revision is the one named");
}

/* a long chain: no recursion, linear time */
static void
test_long_chain(void)
{
	enum
	{
	NREV = 100000};
	MgRevisionInput *in = calloc(NREV, sizeof(MgRevisionInput));
	char	  **ids = calloc(NREV, sizeof(char *));
	const char **down = calloc(NREV, sizeof(char *));
	const char *rows[1];
	MgProblemList out;
	MgError		err;
	int			i;

	for (i = 0; i < NREV; i++)
	{
		ids[i] = malloc(16);
		snprintf(ids[i], 16, "r%d", i);
		in[i].id = ids[i];
		if (i > 0)
		{
			down[i] = ids[i - 1];
			in[i].down = &down[i];
			in[i].ndown = 1;
		}
	}
	rows[0] = ids[NREV - 1];
	CHECK(mg_is_applied(in, NREV, rows, 1, "r0"), "the root of a long chain");
	CHECK(mg_check_project(in, NREV, rows, 1, &out, &err) && out.n == 0,
		  "a long chain has no problem");
	rows[0] = ids[NREV / 2];
	CHECK(!mg_is_applied(in, NREV, rows, 1, ids[NREV - 1]), "the head is not");
	for (i = 0; i < NREV; i++)
		free(ids[i]);
	free(ids);
	free(down);
	free(in);
	shim_reset();
}

int
main(void)
{
	test_healthy();
	test_verify_transcript();
	test_order();
	test_invalid_graphs();
	test_missing_before_graph();
	test_long_names();
	test_malformed();
	test_memory();
	test_is_applied();
	test_long_chain();
	printf("checks: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
