/*-------------------------------------------------------------------------
 *
 * driver_core.c
 *	  Runs revision-graph scripts against the graph module and an in-memory
 *	  version table (the rows of alembic_version).
 *
 * Script format, one item per line ('#' starts a comment line, blank
 * lines are ignored):
 *
 *	 rev <id> [down=<id>,...] [deps=<name>,...] [labels=<label>,...]
 *		 Registers a revision.  The order of the rev lines is the
 *		 registration order.  The graph is built at the first command.
 *	 upgrade <target>			plan and apply an upgrade
 *	 downgrade <target>			plan and apply a downgrade
 *	 stamp [<t1>,<t2>,...] [purge]
 *								plan and apply a stamp (no targets: base)
 *	 current					alembic current for the rows
 *	 heads | realheads			versioned heads / heads counting depends_on
 *	 bases | realbases | branchpoints
 *	 history [<range>]			alembic history (no range: base:heads)
 *	 show <target>				mg_resolve
 *	 labels <id>				own and spread branch labels
 *	 parents <id> | deps <id>	down_revision / resolved depends_on
 *	 rows [<id>,...]			set the version rows directly
 *	 name <text>				mg_check_name
 *	 reset						forget graph and rows (a new case follows)
 *	 sync						nothing (a marker for programs driving a pipe)
 *
 * A command's argument is everything after the first space, verbatim, so
 * targets may be empty or odd ("upgrade " passes "").  A command without
 * one passes NULL.
 *
 * Output: each command is echoed as "> <line>", followed by
 *	 <upgrade|downgrade|stamp> <rev|base> [| OP ; OP ...]
 *		 one line per step, OP being "INSERT x", "DELETE x" or "UPDATE x y"
 *	 rows: <ids>				after upgrade/downgrade/stamp/rows
 *	 <command>: <ids>			for listings
 *	 error <CODE>: <message>	then "  detail: ..." and "  hint: ..."
 * Ids in "rows:" are in registration order; listings keep the order the
 * library returns.  A failed command changes no rows.
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

typedef struct SList
{
	char	  **v;
	int			n;
	int			cap;
} SList;

typedef struct RevDef
{
	char	   *id;
	SList		down;
	SList		deps;
	SList		labels;
} RevDef;

typedef struct Driver
{
	RevDef	   *revs;
	int			nrevs;
	int			caprevs;
	MgGraph    *g;
	bool		built;
	bool		failed;
	int		   *rows;
	int			nrows;
	FILE	   *out;
	int			malformed;
} Driver;

static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t		n = strlen(s);
	char	   *p = xmalloc(n + 1);

	memcpy(p, s, n + 1);
	return p;
}

static void
sl_push(SList *l, const char *s)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 4;
		l->v = realloc(l->v, sizeof(char *) * (size_t) l->cap);
		if (l->v == NULL)
			abort();
	}
	l->v[l->n++] = xstrdup(s);
}

static void
sl_free(SList *l)
{
	int			i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* split "a,b,c" (empty text: no items) */
static void
sl_split(SList *l, const char *s)
{
	const char *p = s;

	if (*s == '\0')
		return;
	for (;;)
	{
		const char *comma = strchr(p, ',');
		size_t		len = comma ? (size_t) (comma - p) : strlen(p);
		char	   *item = xmalloc(len + 1);

		memcpy(item, p, len);
		item[len] = '\0';
		sl_push(l, item);
		free(item);
		if (!comma)
			break;
		p = comma + 1;
	}
}

static const char *
code_name(MgErrorCode code)
{
	switch (code)
	{
		case MG_OK:
			return "OK";
		case MG_ERR_BAD_ID:
			return "BAD_ID";
		case MG_ERR_DUPLICATE_ID:
			return "DUPLICATE_ID";
		case MG_ERR_MISSING_PARENT:
			return "MISSING_PARENT";
		case MG_ERR_SELF_LOOP:
			return "SELF_LOOP";
		case MG_ERR_DEP_SELF_LOOP:
			return "DEP_SELF_LOOP";
		case MG_ERR_CYCLE:
			return "CYCLE";
		case MG_ERR_DEP_CYCLE:
			return "DEP_CYCLE";
		case MG_ERR_LABEL_CONFLICT:
			return "LABEL_CONFLICT";
		case MG_ERR_BAD_TARGET:
			return "BAD_TARGET";
		case MG_ERR_UNKNOWN_REVISION:
			return "UNKNOWN_REVISION";
		case MG_ERR_AMBIGUOUS_PREFIX:
			return "AMBIGUOUS_PREFIX";
		case MG_ERR_NO_SUCH_BRANCH:
			return "NO_SUCH_BRANCH";
		case MG_ERR_NOT_BRANCH_MEMBER:
			return "NOT_BRANCH_MEMBER";
		case MG_ERR_MULTIPLE_HEADS:
			return "MULTIPLE_HEADS";
		case MG_ERR_RELATIVE_RANGE:
			return "RELATIVE_RANGE";
		case MG_ERR_AMBIGUOUS_WALK:
			return "AMBIGUOUS_WALK";
		case MG_ERR_AMBIGUOUS_UPGRADE:
			return "AMBIGUOUS_UPGRADE";
		case MG_ERR_AMBIGUOUS_DOWNGRADE:
			return "AMBIGUOUS_DOWNGRADE";
		case MG_ERR_NOT_VALID_TARGET:
			return "NOT_VALID_TARGET";
		case MG_ERR_OVERLAP:
			return "OVERLAP";
		case MG_ERR_RANGE_NOT_ALLOWED:
			return "RANGE_NOT_ALLOWED";
		case MG_ERR_BAD_VERSION_ROWS:
			return "BAD_VERSION_ROWS";
		case MG_ERR_UNSUPPORTED:
			return "UNSUPPORTED";
	}
	return "?";
}

static void
print_error(Driver *d, const MgError *err)
{
	fprintf(d->out, "error %s: %s\n", code_name(err->code),
			err->message ? err->message : "(no message)");
	if (err->detail)
		fprintf(d->out, "  detail: %s\n", err->detail);
	if (err->hint)
		fprintf(d->out, "  hint: %s\n", err->hint);
}

static const char *
rid(Driver *d, int rev)
{
	return rev < 0 ? "base" : mg_rev_id(d->g, rev);
}

static void
print_list(Driver *d, const char *what, const int *items, int n)
{
	int			i;

	fprintf(d->out, "%s:", what);
	for (i = 0; i < n; i++)
		fprintf(d->out, " %s", rid(d, items[i]));
	fputc('\n', d->out);
}

static int
cmp_int(const void *a, const void *b)
{
	int			x = *(const int *) a,
				y = *(const int *) b;

	return (x > y) - (x < y);
}

static void
print_rows(Driver *d)
{
	int		   *tmp = xmalloc(sizeof(int) * (size_t) (d->nrows + 1));

	if (d->nrows > 0)
	{
		memcpy(tmp, d->rows, sizeof(int) * (size_t) d->nrows);
		qsort(tmp, (size_t) d->nrows, sizeof(int), cmp_int);
	}
	print_list(d, "rows", tmp, d->nrows);
	free(tmp);
}

static void
set_rows(Driver *d, const int *items, int n)
{
	free(d->rows);
	d->rows = xmalloc(sizeof(int) * (size_t) (n + 1));
	if (n)
		memcpy(d->rows, items, sizeof(int) * (size_t) n);
	d->nrows = n;
}

static void
apply_plan(Driver *d, const MgPlan *plan)
{
	int			i,
				j;

	for (i = 0; i < plan->nsteps; i++)
	{
		const MgStep *s = &plan->steps[i];

		fprintf(d->out, "%s %s",
				s->kind == MG_STEP_UPGRADE ? "upgrade" :
				s->kind == MG_STEP_DOWNGRADE ? "downgrade" : "stamp",
				rid(d, s->rev));
		for (j = 0; j < s->nops; j++)
		{
			const MgRowOp *op = &s->ops[j];

			fputs(j == 0 ? " | " : " ; ", d->out);
			if (op->kind == MG_ROW_INSERT)
				fprintf(d->out, "INSERT %s", rid(d, op->to));
			else if (op->kind == MG_ROW_DELETE)
				fprintf(d->out, "DELETE %s", rid(d, op->from));
			else
				fprintf(d->out, "UPDATE %s %s", rid(d, op->from), rid(d, op->to));
		}
		fputc('\n', d->out);
	}
	set_rows(d, plan->rows_after.items, plan->rows_after.n);
}

static void
reset_driver(Driver *d)
{
	int			i;

	for (i = 0; i < d->nrevs; i++)
	{
		free(d->revs[i].id);
		sl_free(&d->revs[i].down);
		sl_free(&d->revs[i].deps);
		sl_free(&d->revs[i].labels);
	}
	free(d->revs);
	free(d->rows);
	d->revs = NULL;
	d->nrevs = d->caprevs = 0;
	d->rows = NULL;
	d->nrows = 0;
	d->g = NULL;
	d->built = d->failed = false;
	shim_reset();
}

static void
build(Driver *d)
{
	MgRevisionInput *in = xmalloc(sizeof(MgRevisionInput) * (size_t) (d->nrevs + 1));
	MgError		err;
	int			i;

	for (i = 0; i < d->nrevs; i++)
	{
		in[i].id = d->revs[i].id;
		in[i].down = (const char *const *) d->revs[i].down.v;
		in[i].ndown = d->revs[i].down.n;
		in[i].depends = (const char *const *) d->revs[i].deps.v;
		in[i].ndepends = d->revs[i].deps.n;
		in[i].labels = (const char *const *) d->revs[i].labels.v;
		in[i].nlabels = d->revs[i].labels.n;
	}
	d->g = mg_graph_build(in, d->nrevs, &err);
	d->built = true;
	if (d->g == NULL)
	{
		d->failed = true;
		fputs("> build\n", d->out);
		print_error(d, &err);
	}
	free(in);
}

static bool
parse_rev(Driver *d, char *line)
{
	RevDef		r;
	char	   *tok;
	char	   *save = NULL;

	memset(&r, 0, sizeof(r));
	tok = strtok_r(line, " \t", &save);	/* "rev" */
	tok = strtok_r(NULL, " \t", &save);
	if (tok == NULL)
		return false;
	r.id = xstrdup(tok);
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL)
	{
		if (strncmp(tok, "down=", 5) == 0)
			sl_split(&r.down, tok + 5);
		else if (strncmp(tok, "deps=", 5) == 0)
			sl_split(&r.deps, tok + 5);
		else if (strncmp(tok, "labels=", 7) == 0)
			sl_split(&r.labels, tok + 7);
		else
		{
			free(r.id);
			sl_free(&r.down);
			sl_free(&r.deps);
			sl_free(&r.labels);
			return false;
		}
	}
	if (d->nrevs == d->caprevs)
	{
		d->caprevs = d->caprevs ? d->caprevs * 2 : 16;
		d->revs = realloc(d->revs, sizeof(RevDef) * (size_t) d->caprevs);
		if (d->revs == NULL)
			abort();
	}
	d->revs[d->nrevs++] = r;
	return true;
}

static int
lookup_or_complain(Driver *d, const char *id)
{
	int			rev = mg_lookup(d->g, id);

	if (rev < 0)
	{
		fprintf(d->out, "driver: no revision %s\n", id);
		d->malformed++;
	}
	return rev;
}

static void
run_command(Driver *d, const char *cmd, const char *arg)
{
	MgRevList	rows = {d->rows, d->nrows};
	MgRevList	out;
	MgPlan		plan;
	MgError		err;

	if (strcmp(cmd, "upgrade") == 0 || strcmp(cmd, "downgrade") == 0)
	{
		bool		ok = cmd[0] == 'u' ?
			mg_plan_upgrade(d->g, arg, &rows, &plan, &err) :
			mg_plan_downgrade(d->g, arg, &rows, &plan, &err);

		if (ok)
			apply_plan(d, &plan);
		else
			print_error(d, &err);
		print_rows(d);
	}
	else if (strcmp(cmd, "stamp") == 0)
	{
		SList		t = {NULL, 0, 0};
		bool		purge = false;
		char	   *a = xstrdup(arg ? arg : "");
		size_t		len = strlen(a);

		if (strcmp(a, "purge") == 0)
		{
			purge = true;
			a[0] = '\0';
		}
		else if (len >= 6 && strcmp(a + len - 6, " purge") == 0)
		{
			purge = true;
			a[len - 6] = '\0';
		}
		sl_split(&t, a);
		if (mg_plan_stamp(d->g, (const char *const *) t.v, t.n, &rows, purge,
						  &plan, &err))
			apply_plan(d, &plan);
		else
			print_error(d, &err);
		print_rows(d);
		sl_free(&t);
		free(a);
	}
	else if (strcmp(cmd, "current") == 0)
	{
		if (mg_current(d->g, &rows, &out, &err))
			print_list(d, "current", out.items, out.n);
		else
			print_error(d, &err);
	}
	else if (strcmp(cmd, "history") == 0)
	{
		if (mg_history(d->g, arg, &rows, &out, &err))
			print_list(d, "history", out.items, out.n);
		else
			print_error(d, &err);
	}
	else if (strcmp(cmd, "show") == 0)
	{
		if (mg_resolve(d->g, arg, &rows, &out, &err))
			print_list(d, "show", out.items, out.n);
		else
			print_error(d, &err);
	}
	else if (strcmp(cmd, "heads") == 0 || strcmp(cmd, "realheads") == 0)
	{
		out = mg_heads(d->g, cmd[0] == 'r');
		print_list(d, cmd, out.items, out.n);
	}
	else if (strcmp(cmd, "bases") == 0 || strcmp(cmd, "realbases") == 0)
	{
		out = mg_bases(d->g, cmd[0] == 'r');
		print_list(d, cmd, out.items, out.n);
	}
	else if (strcmp(cmd, "branchpoints") == 0)
	{
		out = mg_branch_points(d->g);
		print_list(d, cmd, out.items, out.n);
	}
	else if (strcmp(cmd, "labels") == 0 && arg)
	{
		int			rev = lookup_or_complain(d, arg);
		int			k,
					i;
		const char *const *l;

		if (rev < 0)
			return;
		fprintf(d->out, "labels %s: own", arg);
		l = mg_labels(d->g, rev, false, &k);
		for (i = 0; i < k; i++)
			fprintf(d->out, "%s%s", i ? "," : "=", l[i]);
		fputs(" spread", d->out);
		l = mg_labels(d->g, rev, true, &k);
		for (i = 0; i < k; i++)
			fprintf(d->out, "%s%s", i ? "," : "=", l[i]);
		fputc('\n', d->out);
	}
	else if ((strcmp(cmd, "parents") == 0 || strcmp(cmd, "deps") == 0) && arg)
	{
		int			rev = lookup_or_complain(d, arg);

		if (rev < 0)
			return;
		out = cmd[0] == 'p' ? mg_parents(d->g, rev) : mg_dependencies(d->g, rev);
		print_list(d, cmd, out.items, out.n);
	}
	else if (strcmp(cmd, "rows") == 0)
	{
		SList		t = {NULL, 0, 0};
		int		   *items;
		int			i;

		sl_split(&t, arg ? arg : "");
		items = xmalloc(sizeof(int) * (size_t) (t.n + 1));
		for (i = 0; i < t.n; i++)
			if ((items[i] = lookup_or_complain(d, t.v[i])) < 0)
				break;
		if (i == t.n)
			set_rows(d, items, t.n);
		free(items);
		sl_free(&t);
		print_rows(d);
	}
	else
	{
		fprintf(d->out, "driver: unknown command\n");
		d->malformed++;
	}
}

int
mgd_run(FILE *in, FILE *out)
{
	Driver		d;
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;

	memset(&d, 0, sizeof(d));
	d.out = out;
	while ((len = getline(&line, &cap, in)) >= 0)
	{
		char	   *sp;
		char	   *cmd;
		const char *arg;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (strncmp(line, "rev ", 4) == 0 || strcmp(line, "rev") == 0)
		{
			if (d.built || !parse_rev(&d, line))
			{
				fprintf(out, "driver: cannot read: %s\n", line);
				d.malformed++;
			}
			continue;
		}
		fprintf(out, "> %s\n", line);
		if (strcmp(line, "sync") == 0)
		{
			/* output is flushed after every command: a pipe can wait for it */
			fflush(out);
			continue;
		}
		if (strcmp(line, "reset") == 0)
		{
			reset_driver(&d);
			continue;
		}
		if (strncmp(line, "name ", 5) == 0 || strcmp(line, "name") == 0)
		{
			MgError		err;

			if (mg_check_name(len > 4 ? line + 5 : NULL, "revision identifier",
							  &err))
				fputs("name: ok\n", out);
			else
				print_error(&d, &err);
			continue;
		}
		if (!d.built)
			build(&d);
		if (d.failed)
		{
			fputs("no graph\n", out);
			continue;
		}
		sp = strchr(line, ' ');
		cmd = line;
		arg = NULL;
		if (sp)
		{
			*sp = '\0';
			arg = sp + 1;
		}
		run_command(&d, cmd, arg);
		fflush(out);
	}
	free(line);
	reset_driver(&d);
	return d.malformed;
}
