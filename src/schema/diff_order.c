/*-------------------------------------------------------------------------
 *
 * diff_order.c
 *	  Ordering a diff's statements by the dependencies of the objects they
 *	  touch, and writing the script.
 *
 * What an object depends on is created first and dropped last: a
 * statement creating or altering a target object comes after the
 * statements that make what it depends on (in the target model); a
 * statement dropping a source object, or changing it so that what depends
 * on it cannot stay (a column's type), comes after the statements that
 * remove or change what depends on it (in the source model).  An
 * object dropped with its table stands for the table's drop, and one
 * created with its table for the table's creation.  Among the statements
 * free to go, the one of the earliest phase, then the earliest written,
 * goes first (a binary heap), so the script reads in a familiar order and
 * the same diff gives the same script.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/binaryheap.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "diff_int.h"

/* the statement after which source object k (and what depends on it) is gone */
static int
source_gone(Diff *d, int k)
{
	while (k >= 0)
	{
		if (d->s_core[k] >= 0)
			return d->s_core[k];
		if (d->s_state[k] != DS_IMPLICIT)
			return -1;
		k = d->s->objects[k].belongs_to;
	}
	return -1;
}

/* a sequence's dependency on the column that owns it */
static bool
owned_by(const SchemaModel *m, int i, const SchemaDep *dep)
{
	return m->objects[i].kind == SK_SEQUENCE && dep->type == 'a';
}

/* the objects that belong to each object of a model (belongs_to, reversed) */
typedef struct Children
{
	int		  **of;
	int		   *n;
} Children;

static Children
children_of(const SchemaModel *m)
{
	Children	c;

	c.of = palloc0(sizeof(int *) * Max(m->nobjects, 1));
	c.n = palloc0(sizeof(int) * Max(m->nobjects, 1));
	for (int i = 0; i < m->nobjects; i++)
		if (m->objects[i].belongs_to >= 0)
			c.n[m->objects[i].belongs_to]++;
	for (int i = 0; i < m->nobjects; i++)
	{
		c.of[i] = palloc(sizeof(int) * Max(c.n[i], 1));
		c.n[i] = 0;
	}
	for (int i = 0; i < m->nobjects; i++)
	{
		int			o = m->objects[i].belongs_to;

		if (o >= 0)
			c.of[o][c.n[o]++] = i;
	}
	return c;
}

/*
 * Statement n creates or alters target object t: it waits for what t
 * depends on, and what the objects created with t (a new table's columns)
 * depend on.
 */
static void
wait_for_target_deps(Diff *d, const Children *c, int n, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	/* objects made with others nest as deep as the model goes */
	check_stack_depth();
	for (int e = 0; e < obj->ndeps; e++)
		if (!owned_by(d->t, t, &obj->deps[e]))
			diff_after(d, n, diff_ready(d, obj->deps[e].on));
	for (int k = 0; k < c->n[t]; k++)
		if (d->t_state[c->of[t][k]] == DS_IMPLICIT)
			wait_for_target_deps(d, c, n, c->of[t][k]);
}

/*
 * Statement n drops or alters source object s: it waits until what
 * depends on s is gone or changed; when it drops s, also what depends on
 * the objects dropped with s.
 */
static void
wait_for_source_dependents(Diff *d, const Children *c, int n, int s)
{
	const SchemaModel *m = d->s;
	bool		drop = d->stmts[n].drop;

	check_stack_depth();
	for (int k = 0; k < d->ndependents[s]; k++)
	{
		int			dep = d->dependents[s][k];
		const SchemaObject *obj = &m->objects[dep];
		bool		skip = false;

		/* a sequence's owner comes first, except when it is dropped */
		for (int e = 0; e < obj->ndeps; e++)
			if (obj->deps[e].on == s && owned_by(m, dep, &obj->deps[e]) && !drop)
				skip = true;
		if (!skip)
			diff_after(d, n, source_gone(d, dep));
	}
	if (!drop)
		return;
	for (int k = 0; k < c->n[s]; k++)
		if (d->s_state[c->of[s][k]] == DS_IMPLICIT)
			wait_for_source_dependents(d, c, n, c->of[s][k]);
}

/*
 * Statement n changes source column s so that what depends on it cannot
 * stay (its type): PostgreSQL makes the same change to the column of the
 * partitions and children of its table, so what depends on theirs must go
 * first too.
 */
static void
wait_for_inheritors(Diff *d, const Children *c, int n, int s)
{
	const SchemaObject *col = &d->s->objects[s];
	int			table = col->belongs_to;

	/* partitions of partitions, as deep as they go */
	check_stack_depth();
	if (table < 0)
		return;
	for (int k = 0; k < d->ndependents[table]; k++)
	{
		int			child = d->dependents[table][k];
		int			np;
		int		   *parents;
		int			childcol;

		if (d->s->objects[child].kind != SK_TABLE)
			continue;
		childcol = schema_find(d->s, SK_COLUMN,
							   psprintf("%s.%s", d->s->objects[child].name, col->ident));
		if (childcol < 0)
			continue;
		parents = diff_parent_columns(d->s, &d->s->objects[childcol], &np);
		for (int p = 0; p < np; p++)
			if (parents[p] == s)
			{
				wait_for_source_dependents(d, c, n, childcol);
				wait_for_inheritors(d, c, n, childcol);
			}
	}
}

/*
 * Statement n alters a column a partition or child has from its parents:
 * the parents' column goes first (their ALTER recurses to it, and a DROP NOT
 * NULL on the child alone fails while a parent's column keeps it).
 */
static void
after_parent_columns(Diff *d, int n, const SchemaModel *m, int col)
{
	int			np;
	int		   *parents = diff_parent_columns(m, &m->objects[col], &np);

	for (int p = 0; p < np; p++)
	{
		if (parents[p] < 0)
			continue;
		for (int k = 0; k < d->nstmts; k++)
		{
			const DiffStmt *st = &d->stmts[k];

			if (k != n && ((m == d->s && st->src == parents[p]) ||
						   (m == d->t && st->tgt == parents[p])))
				diff_after(d, n, k);
		}
	}
}

/*
 * The dependency edges of the core statements.  Only statements that drop
 * an object or break what depends on it wait for its dependents: an object
 * altered in place (CREATE OR REPLACE FUNCTION) keeps them.
 */
static void
add_dependency_edges(Diff *d)
{
	Children	sc = children_of(d->s);
	Children	tc = children_of(d->t);

	for (int n = 0; n < d->nstmts; n++)
	{
		DiffStmt   *st = &d->stmts[n];

		if (st->after_all_of >= 0)
		{
			int			s = st->after_all_of;
			int			t = d->s_match[s];

			for (int k = 0; k < d->nstmts; k++)
				if (k != n && (d->stmts[k].src == s || (t >= 0 && d->stmts[k].tgt == t)))
					diff_after(d, n, k);
		}
		/* a comment on a new table's column comes after the table */
		if (st->tgt >= 0 && d->t_state[st->tgt] == DS_IMPLICIT)
			diff_after(d, n, diff_ready(d, st->tgt));
		if (!st->core)
			continue;
		if (st->tgt >= 0)
			wait_for_target_deps(d, &tc, n, st->tgt);
		if (st->src >= 0 && (st->drop || st->breaks))
			wait_for_source_dependents(d, &sc, n, st->src);
		if (st->src >= 0 && st->breaks && d->s->objects[st->src].kind == SK_COLUMN)
			wait_for_inheritors(d, &sc, n, st->src);
		if (st->src >= 0 && !st->drop && d->s->objects[st->src].kind == SK_COLUMN &&
			SA(&d->s->objects[st->src], CA_INHERITED))
			after_parent_columns(d, n, d->s, st->src);
		if (st->tgt >= 0 && d->t->objects[st->tgt].kind == SK_COLUMN &&
			SA(&d->t->objects[st->tgt], CA_INHERITED))
			after_parent_columns(d, n, d->t, st->tgt);
	}
}

static int
cmp_stmt(Datum a, Datum b, void *arg)
{
	const Diff *d = arg;
	const DiffStmt *x = &d->stmts[DatumGetInt32(a)];
	const DiffStmt *y = &d->stmts[DatumGetInt32(b)];

	/* binaryheap keeps the greatest first: the earliest is the greatest */
	if (x->phase != y->phase)
		return x->phase < y->phase ? 1 : -1;
	return x->seq < y->seq ? 1 : (x->seq > y->seq ? -1 : 0);
}

/*
 * The statements in an order that respects every edge (Kahn's algorithm).
 * Should the edges form a cycle, the rest follow in phase order, under a
 * note: the script may then fail, and autogenerate's proof will say so.
 */
static int *
order_statements(Diff *d, bool *cycle)
{
	int			n = d->nstmts;
	int		   *order = palloc(sizeof(int) * Max(n, 1));
	int		   *indegree = palloc0(sizeof(int) * Max(n, 1));
	int		  **next = palloc0(sizeof(int *) * Max(n, 1));
	int		   *nnext = palloc0(sizeof(int) * Max(n, 1));
	binaryheap *ready = binaryheap_allocate(Max(n, 1), cmp_stmt, d);
	int			done = 0;

	for (int i = 0; i < n; i++)
		for (int k = 0; k < d->stmts[i].nafter; k++)
			nnext[d->stmts[i].after[k]]++;
	for (int i = 0; i < n; i++)
	{
		next[i] = palloc(sizeof(int) * Max(nnext[i], 1));
		nnext[i] = 0;
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < d->stmts[i].nafter; k++)
		{
			int			b = d->stmts[i].after[k];

			next[b][nnext[b]++] = i;
			indegree[i]++;
		}
	for (int i = 0; i < n; i++)
		if (indegree[i] == 0)
			binaryheap_add_unordered(ready, Int32GetDatum(i));
	binaryheap_build(ready);
	while (!binaryheap_empty(ready))
	{
		int			i = DatumGetInt32(binaryheap_remove_first(ready));

		order[done++] = i;
		for (int k = 0; k < nnext[i]; k++)
			if (--indegree[next[i][k]] == 0)
				binaryheap_add(ready, Int32GetDatum(next[i][k]));
	}
	*cycle = done < n;
	if (*cycle)
	{
		/* what is left, by phase and order of writing */
		for (int i = 0; i < n; i++)
			if (indegree[i] > 0)
				binaryheap_add(ready, Int32GetDatum(i));
		while (!binaryheap_empty(ready))
			order[done++] = DatumGetInt32(binaryheap_remove_first(ready));
	}
	binaryheap_free(ready);
	return order;
}

/* comment lines: the note's lines hold no control character (one_line) */
static void
append_note(StringInfo buf, const char *note)
{
	const char *p = note;

	while (*p)
	{
		const char *eol = strchr(p, '\n');
		int			len = eol ? (int) (eol - p) : (int) strlen(p);

		appendStringInfo(buf, "-- %.*s\n", len, p);
		p += len;
		if (*p == '\n')
			p++;
	}
}

/*
 * The script.  It sets its own search_path, pg_catalog alone (then pg_temp,
 * which is never searched for functions and operators), the one its
 * definitions were read under (load_model.c): every other name in it is
 * qualified, so that no object another role creates, in the live schema
 * or in public, can stand in for one it means.  It also turns off the
 * checking of function bodies (a function may be created before the table
 * it reads).  Both hold for the transaction only, so it runs the same
 * whatever the caller's settings.  Empty when there is neither a statement
 * nor a note.
 */
char *
diff_script(Diff *d)
{
	StringInfoData buf;
	bool		cycle;
	int		   *order;

	if (d->nstmts == 0)
		return pstrdup("");
	add_dependency_edges(d);
	order = order_statements(d, &cycle);
	initStringInfo(&buf);
	if (d->info.nstatements > 0)
		appendStringInfoString(&buf,
							   "SET LOCAL search_path = pg_catalog, pg_temp;\n"
							   "SET LOCAL check_function_bodies = off;\n");
	if (cycle)
		append_note(&buf, "the dependencies below form a cycle: the order of the statements may need editing");
	for (int k = 0; k < d->nstmts; k++)
	{
		DiffStmt   *st = &d->stmts[order[k]];

		if (st->note || st->destructive)
			appendStringInfoChar(&buf, '\n');
		if (st->destructive)
			append_note(&buf, "DESTRUCTIVE: data is lost");
		if (st->note)
			append_note(&buf, st->note);
		if (st->sql)
			appendStringInfo(&buf, "%s;\n", st->sql);
	}
	return buf.data;
}
