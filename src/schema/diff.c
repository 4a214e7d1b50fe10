/*-------------------------------------------------------------------------
 *
 * diff.c
 *	  The SQL that turns one schema into another: matching the objects of
 *	  the two models, deciding what happens to each, and calling the
 *	  per-kind planners; the helpers they share are in diff_statements.c.
 *
 * PostgreSQL's ALTER is preferred wherever it exists, since dropping and
 * creating loses data (a table, a column) or at least work (an index).
 * What has no ALTER (a view whose columns change, a constraint, a trigger)
 * is dropped and created again, and so is everything that depends on it;
 * a type change of a column drops and recreates the views, rules, policies
 * and triggers over it, which PostgreSQL would refuse to keep.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/guc.h"

#include "diff_int.h"

/*
 * The planner of each kind diff() writes (schema_kinds[].written); those it
 * does not write all have diff_other_kind.
 */
static const DiffKind *const kinds[SK_NKINDS] = {
	[SK_AGGREGATE] = &diff_aggregate_kind,
	[SK_COLUMN] = &diff_column_kind,
	[SK_COMPOSITE] = &diff_composite_kind,
	[SK_CONSTRAINT] = &diff_constraint_kind,
	[SK_DEFAULT_ACL] = &diff_default_acl_kind,
	[SK_DOMAIN] = &diff_domain_kind,
	[SK_DOMAIN_CONSTRAINT] = &diff_domain_constraint_kind,
	[SK_ENUM] = &diff_enum_kind,
	[SK_FUNCTION] = &diff_function_kind,
	[SK_INDEX] = &diff_index_kind,
	[SK_MATVIEW] = &diff_view_kind,
	[SK_POLICY] = &diff_policy_kind,
	[SK_PROCEDURE] = &diff_function_kind,
	[SK_RANGE] = &diff_range_kind,
	[SK_RULE] = &diff_rule_kind,
	[SK_SCHEMA] = &diff_schema_kind,
	[SK_SEQUENCE] = &diff_sequence_kind,
	[SK_STATISTICS] = &diff_statistics_kind,
	[SK_TABLE] = &diff_table_kind,
	[SK_TRIGGER] = &diff_trigger_kind,
	[SK_VIEW] = &diff_view_kind,
	[SK_VIEW_COLUMN] = NULL,	/* comments and privileges only */
};

/* the planner of a kind: NULL for view columns (comments and privileges) */
static const DiffKind *
diff_kind(SchemaKind kind)
{
	return schema_kinds[kind].written ? kinds[kind] : &diff_other_kind;
}

/*
 * The kinds in the order scripts write them (schema_kinds[].order): what
 * others are made of first when creating, and (reversed) last when
 * dropping.  Dependencies decide the order; this only makes the script
 * read in a familiar order.
 */
static void
kinds_in_order(SchemaKind *order)
{
	for (int k = 0; k < SK_NKINDS; k++)
	{
		int			n = k;

		while (n > 0 && schema_kinds[order[n - 1]].order > schema_kinds[k].order)
		{
			order[n] = order[n - 1];
			n--;
		}
		Assert(n == 0 || schema_kinds[order[n - 1]].order != schema_kinds[k].order);
		order[n] = (SchemaKind) k;
	}
}

/* pair the objects of the two models by kind and name (both are sorted) */
static void
match_objects(Diff *d)
{
	int			i = 0,
				j = 0;

	for (int k = 0; k < d->s->nobjects; k++)
		d->s_match[k] = -1;
	for (int k = 0; k < d->t->nobjects; k++)
		d->t_match[k] = -1;
	while (i < d->s->nobjects && j < d->t->nobjects)
	{
		const SchemaObject *a = &d->s->objects[i];
		const SchemaObject *b = &d->t->objects[j];
		int			c = a->kind != b->kind ? (a->kind < b->kind ? -1 : 1) :
			strcmp(a->name, b->name);

		if (c == 0)
		{
			d->s_match[i] = j;
			d->t_match[j] = i;
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
}

/* what happens to each object, before dependencies are considered */
static void
decide(Diff *d)
{
	for (int i = 0; i < d->s->nobjects; i++)
	{
		int			j = d->s_match[i];
		const SchemaObject *a = &d->s->objects[i];
		const DiffKind *k = diff_kind(a->kind);

		if (j < 0)
		{
			d->s_state[i] = a->kind == SK_VIEW_COLUMN ? DS_IMPLICIT : DS_DROP;
			continue;
		}
		if (k == NULL || strcmp(a->definition, d->t->objects[j].definition) == 0)
			d->s_state[i] = d->t_state[j] = DS_KEEP;
		else if (k->alter == NULL || (k->must_recreate && k->must_recreate(d, i, j)))
		{
			d->s_state[i] = DS_DROP;
			d->t_state[j] = DS_CREATE;
		}
		else
			d->s_state[i] = d->t_state[j] = DS_ALTER;
	}
	for (int j = 0; j < d->t->nobjects; j++)
		if (d->t_match[j] < 0)
			d->t_state[j] = d->t->objects[j].kind == SK_VIEW_COLUMN ?
				DS_IMPLICIT : DS_CREATE;
}

/* the source object i is dropped and, if the target has it, created again */
static bool
recreate(Diff *d, int i)
{
	int			j = d->s_match[i];

	if (d->s_state[i] == DS_DROP || d->s_state[i] == DS_IMPLICIT)
		return false;
	d->s_state[i] = DS_DROP;
	if (j >= 0)
		d->t_state[j] = DS_CREATE;
	return true;
}

/* say, once, that source object k keeps x from being dropped */
static void
in_the_way(Diff *d, int x, int k)
{
	const SchemaObject *obj = &d->s->objects[k];

	if (d->noted[k])
		return;
	d->noted[k] = true;
	diff_unsupported(d, PH_DROP_TYPE, x, -1,
					 "%s %s is used by %s %s, which %s: change or drop it first",
					 schema_kind_name(d->s->objects[x].kind), d->s->objects[x].name,
					 schema_kind_name(obj->kind), obj->name,
					 diff_other(obj->kind) ? "the script does not write" :
					 "would have to be recreated");
}

/*
 * What a source object that depends on object x must undergo when x is
 * dropped (dropped is true) or x is a column whose type changes.  Returns
 * true when it is now dropped too (its own dependents then follow).
 */
static bool
spread_to(Diff *d, int x, int k, char deptype, bool dropped)
{
	const SchemaObject *obj = &d->s->objects[k];
	SchemaKind	xkind = d->s->objects[x].kind;

	switch (obj->kind)
	{
		case SK_VIEW:
		case SK_MATVIEW:
		case SK_RULE:
		case SK_POLICY:
		case SK_TRIGGER:
		case SK_FUNCTION:
		case SK_PROCEDURE:
		case SK_AGGREGATE:
			/* automatic dependencies (on their table) go with the table */
			return deptype == 'n' && recreate(d, k);
		case SK_INDEX:
		case SK_CONSTRAINT:
		case SK_STATISTICS:
		case SK_DOMAIN_CONSTRAINT:
			/* PostgreSQL rebuilds these itself around a type change */
			return dropped && recreate(d, k);
		case SK_COLUMN:
			if (SA(obj, CA_GENERATED))
				return recreate(d, k);
			if (!dropped || xkind == SK_COLUMN || xkind == SK_TABLE)
				return false;
			if (SA(obj, CA_DEFAULT))
			{
				/* the default goes while what it uses is recreated or dropped */
				if (d->s_state[k] == DS_KEEP)
					d->s_state[k] = d->t_state[d->s_match[k]] = DS_ALTER;
				d->reset_default[k] = true;
			}
			if (xkind != SK_FUNCTION && xkind != SK_SEQUENCE &&
				!diff_type_changes(d, k, d->s_match[k]))
				in_the_way(d, x, k);
			return false;
		case SK_DOMAIN:
		case SK_COMPOSITE:
		case SK_RANGE:
			if (dropped)
				in_the_way(d, x, k);
			return false;

		default:

			/*
			 * tables (partitions, typed tables) change by ALTER; sequences
			 * are owned
			 */
			return false;
	}
}

/*
 * Spread drops to dependents, and mark what is dropped with the object it
 * belongs to, until nothing changes.
 */
static void
spread(Diff *d)
{
	bool		changed = true;

	while (changed)
	{
		changed = false;
		for (int x = 0; x < d->s->nobjects; x++)
		{
			/* (what the diff does not write is never dropped by it) */
			bool		dropped = (d->s_state[x] == DS_DROP || d->s_state[x] == DS_IMPLICIT) &&
				!diff_other(d->s->objects[x].kind);
			bool		retyped = d->s->objects[x].kind == SK_COLUMN &&
				d->s_state[x] == DS_ALTER && diff_type_changes(d, x, d->s_match[x]);

			if (!dropped && !retyped)
				continue;
			for (int n = 0; n < d->ndependents[x]; n++)
			{
				int			k = d->dependents[x][n];
				char		deptype = 'n';

				for (int e = 0; e < d->s->objects[k].ndeps; e++)
					if (d->s->objects[k].deps[e].on == x)
						deptype = d->s->objects[k].deps[e].type;
				/* what the diff does not write stays, whatever its state */
				if (diff_other(d->s->objects[k].kind))
				{
					if (dropped)
						in_the_way(d, x, k);
					continue;
				}
				if (d->s_state[k] != DS_DROP && d->s_state[k] != DS_IMPLICIT &&
					spread_to(d, x, k, deptype, dropped))
					changed = true;
			}
		}
		for (int i = 0; i < d->s->nobjects; i++)
		{
			const SchemaObject *obj = &d->s->objects[i];
			int			owner = obj->belongs_to;

			/* the index or trigger of a partition goes with its table too */
			if ((obj->kind == SK_INDEX || obj->kind == SK_TRIGGER) &&
				SA(obj, XA_INHERITED) && d->s_state[i] == DS_DROP &&
				diff_table_of(d, true, obj) >= 0)
			{
				int			table = diff_table_of(d, true, obj);

				if (d->s_state[table] == DS_DROP || d->s_state[table] == DS_IMPLICIT)
					owner = table;
			}
			if (d->s_state[i] == DS_IMPLICIT || owner < 0 ||
				(d->s_state[owner] != DS_DROP && d->s_state[owner] != DS_IMPLICIT))
				continue;

			/*
			 * a sequence kept elsewhere lets go of its owner; foreign keys
			 * between dropped tables go first
			 */
			if ((obj->kind == SK_SEQUENCE && d->s_state[i] != DS_DROP) ||
				(obj->kind == SK_CONSTRAINT && SA(obj, XA_CONTYPE)[0] == 'f'))
				continue;
			/* dropped with its owner; created again if the target has it */
			d->s_state[i] = DS_IMPLICIT;
			if (d->s_match[i] >= 0 && d->t_state[d->s_match[i]] != DS_IMPLICIT)
				d->t_state[d->s_match[i]] = DS_CREATE;
			changed = true;
		}
	}
	/* created with their owner: the columns of a new table or view */
	for (int j = 0; j < d->t->nobjects; j++)
	{
		const SchemaObject *obj = &d->t->objects[j];

		if (d->t_state[j] == DS_CREATE &&
			(obj->kind == SK_VIEW_COLUMN ||
			 (obj->kind == SK_COLUMN && obj->belongs_to >= 0 &&
			  d->t_state[obj->belongs_to] == DS_CREATE)))
			d->t_state[j] = DS_IMPLICIT;
	}
}

static void
build_dependents(Diff *d)
{
	int			n = d->s->nobjects;

	d->dependents = palloc0(sizeof(int *) * Max(n, 1));
	d->ndependents = palloc0(sizeof(int) * Max(n, 1));
	for (int i = 0; i < n; i++)
		for (int e = 0; e < d->s->objects[i].ndeps; e++)
			d->ndependents[d->s->objects[i].deps[e].on]++;
	for (int i = 0; i < n; i++)
	{
		d->dependents[i] = palloc(sizeof(int) * Max(d->ndependents[i], 1));
		d->ndependents[i] = 0;
	}
	for (int i = 0; i < n; i++)
		for (int e = 0; e < d->s->objects[i].ndeps; e++)
		{
			int			on = d->s->objects[i].deps[e].on;

			d->dependents[on][d->ndependents[on]++] = i;
		}
}

static void
rename_note(Diff *d, int dropped, int created)
{
	diff_note(d, d->s_last[dropped],
			  "a %s is dropped and another added: if that is a rename (%s to %s), write ALTER ... RENAME instead, which keeps the data",
			  schema_kind_name(d->s->objects[dropped].kind), d->s->objects[dropped].name,
			  d->t->objects[created].name);
}

/*
 * A table dropped while another is created, or a column dropped while the
 * same table gains another, may be a rename: say so, since the script
 * drops and adds.
 */
static void
note_renames(Diff *d)
{
	int			dropped = -1,
				created = -1;

	for (int i = 0; i < d->s->nobjects; i++)
		if (d->s->objects[i].kind == SK_TABLE && d->s_match[i] < 0 && d->s_state[i] == DS_DROP)
			dropped = i;
	for (int j = 0; j < d->t->nobjects; j++)
		if (d->t->objects[j].kind == SK_TABLE && d->t_match[j] < 0 && d->t_state[j] == DS_CREATE)
			created = j;
	if (dropped >= 0 && created >= 0)
		rename_note(d, dropped, created);

	for (int table = 0; table < d->s->nobjects; table++)
	{
		int			ns,
					nt;
		int		   *scols,
				   *tcols;

		if (d->s->objects[table].kind != SK_TABLE || d->s_match[table] < 0)
			continue;
		scols = diff_columns(d->s, table, &ns);
		tcols = diff_columns(d->t, d->s_match[table], &nt);
		dropped = created = -1;
		for (int k = 0; k < ns; k++)
			if (d->s_match[scols[k]] < 0 && d->s_state[scols[k]] == DS_DROP &&
				d->s_last[scols[k]] >= 0)
				dropped = scols[k];
		for (int k = 0; k < nt; k++)
			if (d->t_match[tcols[k]] < 0 && d->t_state[tcols[k]] == DS_CREATE)
				created = tcols[k];
		if (dropped >= 0 && created >= 0)
			rename_note(d, dropped, created);
	}
}

static int
cmp_column(const void *a, const void *b, void *arg)
{
	const SchemaModel *m = arg;
	const SchemaObject *x = &m->objects[*(const int *) a];
	const SchemaObject *y = &m->objects[*(const int *) b];

	if (x->belongs_to != y->belongs_to)
		return x->belongs_to < y->belongs_to ? -1 : 1;
	return x->position - y->position;
}

/* the columns of the target, table by table in order (-1 for the rest) */
static int *
columns_in_order(const SchemaModel *m)
{
	int		   *order = palloc(sizeof(int) * Max(m->nobjects, 1));
	int			n = 0;

	for (int i = 0; i < m->nobjects; i++)
		if (m->objects[i].kind == SK_COLUMN)
			order[n++] = i;
	qsort_arg(order, n, sizeof(int), cmp_column, (void *) m);
	for (int i = n; i < m->nobjects; i++)
		order[i] = -1;
	return order;
}

/*
 * A target object the script makes that uses an object of an extension
 * installed in the target schema itself: the script, run in the source
 * schema, would not find it there (an extension lives in one schema).
 */
static void
extension_uses(Diff *d)
{
	for (int j = 0; j < d->t->nobjects; j++)
	{
		const SchemaObject *obj = &d->t->objects[j];

		if (obj->uses_extension && d->t_state[j] != DS_KEEP)
			diff_unsupported(d, PH_TABLE, -1, j,
							 "%s %s uses %s, which is installed in schema %s: the script cannot refer to it from schema %s; install the extension in a schema both can use (ALTER EXTENSION ... SET SCHEMA) and diff again",
							 schema_kind_name(obj->kind), obj->name, obj->uses_extension,
							 quote_identifier(d->t->schema), d->schema);
	}
}

static void
plan(Diff *d)
{
	SchemaKind	create_order[SK_NKINDS];

	kinds_in_order(create_order);
	/* drops, in the reverse of the creation order */
	for (int k = SK_NKINDS - 1; k >= 0; k--)
		for (int i = 0; i < d->s->nobjects; i++)
			if (d->s->objects[i].kind == create_order[k] && d->s_state[i] == DS_DROP)
				diff_kind(create_order[k])->drop(d, i);

	for (int k = 0; k < SK_NKINDS; k++)
	{
		SchemaKind	kind = create_order[k];

		int		   *order = kind == SK_COLUMN ? columns_in_order(d->t) : NULL;

		for (int n = 0; n < d->t->nobjects; n++)
		{
			int			j = order ? order[n] : n;
			int			i = d->t_match[j];
			bool		fresh = d->t_state[j] == DS_CREATE || d->t_state[j] == DS_IMPLICIT;

			if (j < 0 || d->t->objects[j].kind != kind)
				continue;
			if (d->t_state[j] == DS_CREATE && diff_kind(kind))
			{
				diff_kind(kind)->create(d, j);
				/* a recreated object comes after its old self is gone */
				if (i >= 0)
					diff_after(d, d->t_last[j], d->s_core[i]);
			}
			else if (d->t_state[j] == DS_ALTER)
				diff_kind(kind)->alter(d, i, j);
			if (!diff_other(kind))
				diff_comment_and_privileges(d, fresh ? -1 : i, j);
		}
	}
	for (int i = 0; i < d->s->nobjects; i++)
		if (d->s->objects[i].kind == SK_TABLE && d->s_match[i] >= 0 &&
			(d->s_state[i] == DS_KEEP || d->s_state[i] == DS_ALTER))
			diff_check_column_order(d, i, d->s_match[i]);
	diff_order_persistence(d);
	note_renames(d);
	extension_uses(d);
}

/*
 * The script that turns source (the schema source_schema as it is) into
 * target.  Empty when there is nothing to do.
 */
char *
schema_diff(const SchemaModel *source, const SchemaModel *target,
			const char *source_schema, SchemaDiffInfo *info)
{
	Diff		d;
	int			ns = source->nobjects;
	int			nt = target->nobjects;
	int			nestlevel;
	char	   *script;

	memset(&d, 0, sizeof(d));
	d.s = source;
	d.t = target;
	d.schema = quote_identifier(source_schema);
	d.source_name = source_schema;
	d.s_match = palloc(sizeof(int) * Max(ns, 1));
	d.t_match = palloc(sizeof(int) * Max(nt, 1));
	d.s_state = palloc0(sizeof(DiffState) * Max(ns, 1));
	d.t_state = palloc0(sizeof(DiffState) * Max(nt, 1));
	d.reset_default = palloc0(sizeof(bool) * Max(ns, 1));
	d.noted = palloc0(sizeof(bool) * Max(ns, 1));
	d.s_last = palloc(sizeof(int) * Max(ns, 1));
	d.s_core = palloc(sizeof(int) * Max(ns, 1));
	d.t_last = palloc(sizeof(int) * Max(nt, 1));
	d.t_core = palloc(sizeof(int) * Max(nt, 1));
	memset(d.s_last, -1, sizeof(int) * Max(ns, 1));
	memset(d.s_core, -1, sizeof(int) * Max(ns, 1));
	memset(d.t_last, -1, sizeof(int) * Max(nt, 1));
	memset(d.t_core, -1, sizeof(int) * Max(nt, 1));
	d.added_column = palloc(sizeof(int) * Max(nt, 1));
	memset(d.added_column, -1, sizeof(int) * Max(nt, 1));
	d.persistence = palloc(sizeof(int) * Max(nt, 1));
	memset(d.persistence, -1, sizeof(int) * Max(nt, 1));
	d.maxstmts = 64;
	d.stmts = palloc(sizeof(DiffStmt) * d.maxstmts);

	/* type names resolve as the script will resolve them (diff_order.c) */
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	match_objects(&d);
	build_dependents(&d);
	decide(&d);
	spread(&d);
	plan(&d);
	script = diff_script(&d);
	AtEOXact_GUC(true, nestlevel);

	if (info)
		*info = d.info;
	return script;
}
