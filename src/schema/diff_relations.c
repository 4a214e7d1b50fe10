/*-------------------------------------------------------------------------
 *
 * diff_relations.c
 *	  Planning the statements for tables, constraints, indexes, sequences,
 *	  views and materialized views.  Columns are in diff_columns.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "diff_int.h"

/*
 * SET (...) and RESET (...) clauses turning storage parameters from into
 * to, for ALTER TABLE / VIEW / MATERIALIZED VIEW.  Values are quoted.
 */
static void
alter_options(Diff *d, int s, int t, const char *what, const char *from,
			  const char *to)
{
	int			nf,
				nt;
	char	  **f = diff_split_list(from, &nf);
	char	  **o = diff_split_list(to, &nt);
	StringInfoData set,
				reset;
	const char *name = diff_qname(d, &d->t->objects[t]);

	initStringInfo(&set);
	initStringInfo(&reset);
	for (int i = 0; i < nt; i++)
	{
		char	   *eq = strchr(o[i], '=');

		if (diff_listed(f, nf, o[i]) || eq == NULL)
			continue;
		appendStringInfo(&set, "%s%.*s=%s", set.len ? ", " : "", (int) (eq - o[i]),
						 o[i], quote_literal_cstr(eq + 1));
	}
	for (int i = 0; i < nf; i++)
	{
		char	   *eq = strchr(f[i], '=');
		bool		kept = false;

		for (int k = 0; eq && k < nt; k++)
			if (strncmp(o[k], f[i], eq - f[i] + 1) == 0)
				kept = true;
		if (eq && !kept)
			appendStringInfo(&reset, "%s%.*s", reset.len ? ", " : "", (int) (eq - f[i]), f[i]);
	}
	if (reset.len)
		diff_stmt(d, PH_COLUMN, s, -1, true, "ALTER %s %s RESET (%s)", what, name, reset.data);
	if (set.len)
		diff_stmt(d, PH_COLUMN, -1, t, true, "ALTER %s %s SET (%s)", what, name, set.data);
}

/*
 * Row level security and replica identity, after the table has its
 * indexes: none of it changes what other objects can depend on.
 */
static void
table_late(Diff *d, int s, int t)
{
	const SchemaObject *a = s >= 0 ? &d->s->objects[s] : NULL;
	const SchemaObject *b = &d->t->objects[t];
	const char *name = diff_qname(d, &d->t->objects[t]);

	if (!diff_same(a ? SA(a, TA_RLS) : NULL, SA(b, TA_RLS)))
		diff_stmt(d, PH_TABLE_LATE, -1, t, false, "ALTER TABLE %s %s ROW LEVEL SECURITY",
				  name, SA(b, TA_RLS) ? "ENABLE" : "DISABLE");
	if (!diff_same(a ? SA(a, TA_FORCE_RLS) : NULL, SA(b, TA_FORCE_RLS)))
		diff_stmt(d, PH_TABLE_LATE, -1, t, false, "ALTER TABLE %s %s ROW LEVEL SECURITY",
				  name, SA(b, TA_FORCE_RLS) ? "FORCE" : "NO FORCE");
	if (!diff_same(a ? SA(a, TA_REPLIDENT) : NULL, SA(b, TA_REPLIDENT)))
	{
		const char *ri = SA(b, TA_REPLIDENT) ? SA(b, TA_REPLIDENT) : "DEFAULT";
		int			n = diff_stmt(d, PH_TABLE_LATE, -1, t, false,
								  "ALTER TABLE %s REPLICA IDENTITY %s", name, ri);

		if (strncmp(ri, "USING INDEX ", 12) == 0)
		{
			int			idx = schema_find(d->t, SK_INDEX, ri + 12);

			/* the index may be a primary key's or a unique constraint's */
			for (int j = 0; idx < 0 && j < d->t->nobjects; j++)
				if (d->t->objects[j].kind == SK_CONSTRAINT &&
					d->t->objects[j].belongs_to == t &&
					strcmp(d->t->objects[j].ident, ri + 12) == 0)
					idx = j;
			diff_after(d, n, diff_ready(d, idx));
		}
	}
}

/*
 * Index or constraint t (its index) was made again: if its kept table uses
 * it as replica identity, the table must be told again (the old index took
 * the setting with it), unless table_late() does it.
 */
static void
replica_identity_again(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];
	int			table = obj->belongs_to;
	int			s;
	const char *ri;
	int			n;

	if (table < 0 || d->t->objects[table].kind != SK_TABLE || (s = d->t_match[table]) < 0)
		return;
	ri = SA(&d->t->objects[table], TA_REPLIDENT);
	if (ri == NULL || strncmp(ri, "USING INDEX ", 12) != 0 || strcmp(ri + 12, obj->ident) != 0 ||
		!diff_same(ri, SA(&d->s->objects[s], TA_REPLIDENT)) ||
		d->s_state[s] == DS_DROP || d->s_state[s] == DS_IMPLICIT)
		return;
	n = diff_stmt(d, PH_TABLE_LATE, -1, table, false, "ALTER TABLE %s REPLICA IDENTITY %s",
				  diff_qname(d, &d->t->objects[table]), ri);
	diff_after(d, n, d->t_core[t]);
}

static void
table_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];
	const SchemaObject *a = obj;
	StringInfoData buf;
	int			ncols;
	int		   *cols = diff_columns(d->t, t, &ncols);
	int			nlocal = 0;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %sTABLE %s", SA(a, TA_UNLOGGED) ? "UNLOGGED " : "",
					 diff_qname(d, obj));
	if (SA(a, TA_PARENT))
		appendStringInfo(&buf, " PARTITION OF %s", diff_text(d, obj, TA_PARENT));
	else if (SA(a, TA_OFTYPE))
		appendStringInfo(&buf, " OF %s", diff_text(d, obj, TA_OFTYPE));
	for (int k = 0; k < ncols; k++)
	{
		const SchemaObject *col = &d->t->objects[cols[k]];

		const char *definition = SA(a, TA_OFTYPE) ? diff_typed_column_options(d, col) :
			diff_column_definition(d, col);

		if (SA(col, CA_INHERITED) && (SA(a, TA_PARENT) || SA(a, TA_OFTYPE)))
			continue;
		if (SA(col, CA_INHERITED) && SA(a, TA_INHERITS))
			continue;
		/* a typed table's column is its type's, but for its options */
		if (definition == NULL)
			continue;
		appendStringInfo(&buf, "%s\n    %s %s", nlocal++ ? "," : " (", col->ident, definition);
	}
	if (nlocal > 0)
		appendStringInfoString(&buf, "\n)");
	else if (!SA(a, TA_PARENT) && !SA(a, TA_OFTYPE))
		appendStringInfoString(&buf, " ()");
	if (SA(a, TA_PARENT))
		appendStringInfo(&buf, " %s", diff_text(d, obj, TA_BOUND));
	if (SA(a, TA_INHERITS))
		appendStringInfo(&buf, " INHERITS (%s)", diff_text(d, obj, TA_INHERITS));
	if (SA(a, TA_PARTKEY))
		appendStringInfo(&buf, " PARTITION BY %s", diff_text(d, obj, TA_PARTKEY));
	if (SA(a, TA_AM))
		appendStringInfo(&buf, " USING %s", SA(a, TA_AM));
	if (SA(a, TA_OPTIONS))
		appendStringInfo(&buf, " WITH (%s)", SA(a, TA_OPTIONS));
	diff_stmt(d, PH_TABLE, -1, t, true, "%s", buf.data);
	for (int k = 0; k < ncols; k++)
		diff_column_extras(d, -1, cols[k]);
	table_late(d, -1, t);
}

static void
table_drop(Diff *d, int s)
{
	int			n = diff_drop_stmt(d, PH_DROP_REL, s, true, "DROP TABLE %s",
								   diff_qname(d, &d->s->objects[s]));

	diff_note(d, n, "drops table %s and its rows", d->s->objects[s].name);
}

/*
 * The parents of table obj as the script names them, in the order of its
 * relative list (compared): the i-th of one is the i-th of the other.
 */
static char **
parents_text(Diff *d, const SchemaObject *obj, int n)
{
	int			nscript;
	char	  **names = diff_split_list(diff_text(d, obj, TA_INHERITS), &nscript);

	if (nscript != n)
		elog(ERROR, "table %s was read with %d parents, then %d", obj->name, n, nscript);
	return names;
}

/* partitions and inheritance parents */
static void
table_parents(Diff *d, int s, int t)
{
	const SchemaObject *sobj = &d->s->objects[s];
	const SchemaObject *tobj = &d->t->objects[t];
	const SchemaObject *a = sobj;
	const SchemaObject *b = tobj;
	const char *name = diff_qname(d, tobj);

	if (!diff_same(SA(a, TA_PARENT), SA(b, TA_PARENT)) || !diff_same(SA(a, TA_BOUND), SA(b, TA_BOUND)))
	{
		if (SA(a, TA_PARENT))
			diff_stmt(d, PH_TABLE, s, -1, true, "ALTER TABLE %s DETACH PARTITION %s",
					  diff_text(d, sobj, TA_PARENT), name);
		if (SA(b, TA_PARENT))
			diff_stmt(d, PH_TABLE, -1, t, true, "ALTER TABLE %s ATTACH PARTITION %s %s",
					  diff_text(d, tobj, TA_PARENT), name, diff_text(d, tobj, TA_BOUND));
	}
	if (!diff_same(SA(a, TA_INHERITS), SA(b, TA_INHERITS)))
	{
		int			nf,
					nt;
		char	  **f = diff_split_list(SA(a, TA_INHERITS), &nf);
		char	  **o = diff_split_list(SA(b, TA_INHERITS), &nt);

		for (int i = 0; i < nf; i++)
			if (!diff_listed(o, nt, f[i]))
				diff_stmt(d, PH_TABLE, s, -1, true, "ALTER TABLE %s NO INHERIT %s", name,
						  parents_text(d, sobj, nf)[i]);
		for (int i = 0; i < nt; i++)
			if (!diff_listed(f, nf, o[i]))
				diff_stmt(d, PH_TABLE, -1, t, true, "ALTER TABLE %s INHERIT %s", name,
						  parents_text(d, tobj, nt)[i]);
	}
	if (!diff_same(SA(a, TA_OFTYPE), SA(b, TA_OFTYPE)))
	{
		if (SA(a, TA_OFTYPE))
			diff_stmt(d, PH_TABLE, s, -1, true, "ALTER TABLE %s NOT OF", name);
		if (SA(b, TA_OFTYPE))
			diff_stmt(d, PH_TABLE, -1, t, true, "ALTER TABLE %s OF %s", name,
					  diff_text(d, tobj, TA_OFTYPE));
	}
}

/*
 * The columns table s (t in the target) will have after the script, in
 * order: the kept ones where they are, the added ones (and those dropped
 * and added again, a generated column over a retyped one) at the end.
 * When that is not the target's order, say so: PostgreSQL cannot move a
 * column.  Called for every table kept, whether or not the table itself
 * changes.
 */
void
diff_check_column_order(Diff *d, int s, int t)
{
	const SchemaObject *tab = &d->t->objects[t];
	int			ns,
				nt;
	int		   *scols = diff_columns(d->s, s, &ns);
	int		   *tcols = diff_columns(d->t, t, &nt);
	StringInfoData got;
	int			k = 0;
	bool		moved = false;

	for (int i = 0; i < ns && !moved; i++)
		moved = d->s_state[scols[i]] == DS_DROP;
	for (int j = 0; j < nt && !moved; j++)
		moved = d->t_state[tcols[j]] == DS_CREATE;
	if (!moved)
		return;
	initStringInfo(&got);
	for (int i = 0; i < ns; i++)
		if (d->s_state[scols[i]] != DS_DROP)
			appendStringInfo(&got, "%s%s", k++ ? ", " : "", d->s->objects[scols[i]].ident);
	for (int j = 0; j < nt; j++)
		if (d->t_state[tcols[j]] == DS_CREATE)
			appendStringInfo(&got, "%s%s", k++ ? ", " : "", d->t->objects[tcols[j]].ident);
	{
		StringInfoData want;

		initStringInfo(&want);
		for (int i = 0; i < tab->nlist; i++)
			appendStringInfo(&want, "%s%s", i ? ", " : "", tab->list[i]);
		if (strcmp(got.data, want.data) != 0)
			diff_unsupported(d, PH_COLUMN, -1, t,
							 "table %s will have its columns in the order (%s), not (%s): PostgreSQL adds columns at the end and cannot move them; put new columns last in the desired table, or rebuild the table by hand",
							 tab->name, got.data, want.data);
	}
}

static void
table_alter(Diff *d, int s, int t)
{
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = &d->t->objects[t];
	const char *name = diff_qname(d, &d->t->objects[t]);

	if (!diff_same(SA(a, TA_UNLOGGED), SA(b, TA_UNLOGGED)))
		d->persistence[t] = diff_stmt(d, PH_TABLE, -1, t, true, "ALTER TABLE %s SET %s", name,
									  SA(b, TA_UNLOGGED) ? "UNLOGGED" : "LOGGED");
	if (!diff_same(SA(a, TA_PARTKEY), SA(b, TA_PARTKEY)))
		diff_unsupported(d, PH_TABLE, s, t,
						 "table %s is partitioned %s%s, the desired one %s%s: PostgreSQL cannot change how a table is partitioned; create a new table and move the rows by hand",
						 d->s->objects[s].name, SA(a, TA_PARTKEY) ? "by " : "", SA(a, TA_PARTKEY) ? SA(a, TA_PARTKEY) : "not at all",
						 SA(b, TA_PARTKEY) ? "by " : "", SA(b, TA_PARTKEY) ? SA(b, TA_PARTKEY) : "not at all");
	table_parents(d, s, t);
	if (!diff_same(SA(a, TA_AM), SA(b, TA_AM)))
		diff_stmt(d, PH_TABLE, -1, t, true, "ALTER TABLE %s SET ACCESS METHOD %s", name,
				  SA(b, TA_AM) ? SA(b, TA_AM) : "heap");
	if (!diff_same(SA(a, TA_OPTIONS), SA(b, TA_OPTIONS)))
		alter_options(d, s, t, "TABLE", SA(a, TA_OPTIONS), SA(b, TA_OPTIONS));
	table_late(d, s, t);
}

const DiffKind diff_table_kind = {table_create, table_drop, table_alter, NULL};

/*
 * Tables that turn logged or unlogged and are tied by a foreign key kept
 * through the script: a logged table cannot reference an unlogged one, so
 * the referenced table turns logged first and unlogged last.
 */
void
diff_order_persistence(Diff *d)
{
	for (int k = 0; k < d->s->nobjects; k++)
	{
		const SchemaObject *fk = &d->s->objects[k];
		int			from,
					to = -1;

		if (fk->kind != SK_CONSTRAINT || SA(fk, XA_CONTYPE)[0] != 'f' ||
			d->s_state[k] == DS_DROP || d->s_state[k] == DS_IMPLICIT ||
			fk->belongs_to < 0 || (from = d->s_match[fk->belongs_to]) < 0)
			continue;
		/* the referenced table: that of the columns it refers to */
		for (int e = 0; e < fk->ndeps && to < 0; e++)
		{
			const SchemaObject *col = &d->s->objects[fk->deps[e].on];

			if (col->kind == SK_COLUMN && col->belongs_to >= 0 &&
				col->belongs_to != fk->belongs_to)
				to = d->s_match[col->belongs_to];
		}
		if (to < 0 || d->persistence[from] < 0 || d->persistence[to] < 0)
			continue;
		if (SA(&d->t->objects[to], TA_UNLOGGED))
			diff_after(d, d->persistence[to], d->persistence[from]);
		else
			diff_after(d, d->persistence[from], d->persistence[to]);
	}
}

/* Constraints of tables: no ALTER but VALIDATE. */

/*
 * The index (a constraint's) the table is clustered on changes: CLUSTER ON
 * the new one moves the mark.  Only a table that keeps none loses it (SET
 * WITHOUT CLUSTER written as well would undo a CLUSTER ON, whatever their
 * order).  s or t: -1 when absent.
 */
static void
cluster_change(Diff *d, int s, int t)
{
	const SchemaObject *a = s >= 0 ? &d->s->objects[s] : NULL;
	const SchemaObject *b = t >= 0 ? &d->t->objects[t] : NULL;
	int			table;

	if (b && SA(b, XA_CLUSTER) && !(a && SA(a, XA_CLUSTER)))
	{
		diff_stmt(d, PH_TABLE_LATE, -1, t, false, "ALTER TABLE %s CLUSTER ON %s",
				  diff_qparent(d, b), b->ident);
		return;
	}
	if (!a || !SA(a, XA_CLUSTER) || (b && SA(b, XA_CLUSTER)))
		return;
	table = a->belongs_to >= 0 ? d->s_match[a->belongs_to] : -1;
	if (table < 0)
		return;
	for (int j = 0; j < d->t->nobjects; j++)
		if (d->t->objects[j].belongs_to == table &&
			(d->t->objects[j].kind == SK_INDEX || d->t->objects[j].kind == SK_CONSTRAINT) &&
			SA(&d->t->objects[j], XA_CLUSTER))
			return;
	diff_stmt(d, PH_TABLE_LATE, s, -1, false, "ALTER TABLE %s SET WITHOUT CLUSTER",
			  diff_qparent(d, a));
}

static void
constraint_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	/* a partition's constraint comes with its parent's */
	if (SA(obj, XA_INHERITED))
		return;
	diff_stmt(d, SA(obj, XA_CONTYPE)[0] == 'f' ? PH_FOREIGN_KEY : PH_CONSTRAINT,
			  -1, t, true, "ALTER TABLE %s ADD CONSTRAINT %s %s%s",
			  diff_qparent(d, obj), obj->ident, diff_text(d, obj, XA_DEF),
			  SA(obj, XA_NOT_VALID) ? " NOT VALID" : "");
	cluster_change(d, -1, t);
	replica_identity_again(d, t);
}

static void
constraint_drop(Diff *d, int s)
{
	const SchemaObject *obj = &d->s->objects[s];
	int			table = diff_table_of(d, true, obj);
	bool		replaced = d->s_match[s] >= 0;
	bool		with_table = table >= 0 && d->s_state[table] == DS_DROP;
	int			n;

	if (!diff_inherited_drop(d, s))
		return;
	n = diff_drop_stmt(d, PH_DROP_CON, s, !replaced && !with_table,
					   "ALTER TABLE %s DROP CONSTRAINT %s", diff_qparent(d, obj), obj->ident);
	if (SA(obj, XA_INHERITED))
		d->stmts[n].after_all_of = table;
	if (!replaced && !with_table)
		diff_note(d, n, "drops constraint %s: the rows lose what it guaranteed", obj->name);
}

/*
 * A foreign key's definition without its DEFERRABLE and INITIALLY DEFERRED
 * (pg_get_constraintdef writes them after the rest), which ALTER CONSTRAINT
 * changes; *timing gets them, "NOT DEFERRABLE" when absent.
 */
static char *
without_timing(const char *def, const char **timing)
{
	char	   *rest = pstrdup(def);
	char	   *deferrable = strstr(rest, " DEFERRABLE");
	char	   *deferred = strstr(rest, " INITIALLY DEFERRED");

	*timing = deferred ? "DEFERRABLE INITIALLY DEFERRED" :
		deferrable ? "DEFERRABLE INITIALLY IMMEDIATE" : "NOT DEFERRABLE";
	if (deferred)
		memmove(deferred, deferred + strlen(" INITIALLY DEFERRED"),
				strlen(deferred + strlen(" INITIALLY DEFERRED")) + 1);
	if (deferrable)
		memmove(deferrable, deferrable + strlen(" DEFERRABLE"),
				strlen(deferrable + strlen(" DEFERRABLE")) + 1);
	return rest;
}

/* a foreign key whose only change is when it is checked */
static bool
timing_only(Diff *d, int s, int t)
{
	const char *a = diff_attr(d->s, s, XA_DEF);
	const char *b = diff_attr(d->t, t, XA_DEF);
	const char *ta,
			   *tb;

	return diff_attr(d->t, t, XA_CONTYPE)[0] == 'f' &&
		strcmp(without_timing(a, &ta), without_timing(b, &tb)) == 0 && strcmp(ta, tb) != 0;
}

/*
 * ALTER exists for NOT VALID to valid, the clustering index, and a foreign
 * key's timing (ALTER CONSTRAINT ... DEFERRABLE); the rest is made again.
 */
static bool
constraint_must_recreate(Diff *d, int s, int t)
{
	return (!diff_same(diff_attr(d->s, s, XA_DEF), diff_attr(d->t, t, XA_DEF)) &&
			!timing_only(d, s, t)) ||
		diff_attr(d->t, t, XA_NOT_VALID) != NULL;
}

static void
constraint_alter(Diff *d, int s, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	if (!diff_same(diff_attr(d->s, s, XA_DEF), SA(obj, XA_DEF)))
	{
		const char *timing;

		(void) without_timing(SA(obj, XA_DEF), &timing);
		diff_stmt(d, PH_CONSTRAINT, -1, t, true, "ALTER TABLE %s ALTER CONSTRAINT %s %s",
				  diff_qparent(d, obj), obj->ident, timing);
	}
	if (diff_attr(d->s, s, XA_NOT_VALID))
		diff_stmt(d, PH_CONSTRAINT, -1, t, true, "ALTER TABLE %s VALIDATE CONSTRAINT %s",
				  diff_qparent(d, obj), obj->ident);
	cluster_change(d, s, t);
}

const DiffKind diff_constraint_kind = {constraint_create, constraint_drop, constraint_alter,
constraint_must_recreate};

/* Indexes: dropped and created again, but for CLUSTER. */

/*
 * The statement that makes an index.  The server writes the index of a
 * partitioned table "ON ONLY" the table: made so, it would stay invalid and
 * leave the partitions unindexed.  Without ONLY, the partitions get theirs
 * (or have an equal one of their own attached).  Only an index invalid in
 * the target too is made ON ONLY.
 */
static char *
index_statement(Diff *d, const SchemaObject *obj)
{
	const char *def = diff_text(d, obj, XA_DEF);
	const char *only = strstr(def, " ON ONLY ");

	if (only == NULL || SA(obj, XA_INVALID))
		return pstrdup(def);
	return psprintf("%.*s ON %s", (int) (only - def), def, only + strlen(" ON ONLY "));
}

static void
index_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	/* a partition's index comes with its parent's */
	if (SA(obj, XA_INHERITED))
		return;
	diff_stmt(d, PH_INDEX, -1, t, true, "%s", index_statement(d, obj));
	cluster_change(d, -1, t);
	replica_identity_again(d, t);
}

static void
index_drop(Diff *d, int s)
{
	const SchemaObject *obj = &d->s->objects[s];
	int			n;

	if (!diff_inherited_drop(d, s))
		return;
	n = diff_drop_stmt(d, PH_DROP_CON, s, false, "DROP INDEX %s", diff_qname(d, obj));
	if (SA(obj, XA_INHERITED))
		d->stmts[n].after_all_of = diff_table_of(d, true, obj);
}

/* an index invalid on one side only is made again (valid, or as invalid) */
static bool
index_must_recreate(Diff *d, int s, int t)
{
	return !diff_same(diff_attr(d->s, s, XA_DEF), diff_attr(d->t, t, XA_DEF)) ||
		!diff_same(diff_attr(d->s, s, XA_INVALID), diff_attr(d->t, t, XA_INVALID));
}

static void
index_alter(Diff *d, int s, int t)
{
	cluster_change(d, s, t);
}

const DiffKind diff_index_kind = {index_create, index_drop, index_alter, index_must_recreate};

/* Sequences (not those of identity columns, which are the columns'). */

static char *
sequence_parameters(const SchemaObject *obj)
{
	const SchemaObject *a = obj;

	return psprintf("AS %s START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s %s",
					SA(a, QA_TYPE), SA(a, QA_START), SA(a, QA_INCREMENT), SA(a, QA_MIN), SA(a, QA_MAX),
					SA(a, QA_CACHE), SA(a, QA_CYCLE) ? "CYCLE" : "NO CYCLE");
}

/* OWNED BY, once the owning column exists */
static void
sequence_owner(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];
	int			n = diff_stmt(d, PH_OWNED_BY, -1, t, false, "ALTER SEQUENCE %s OWNED BY %s",
							  diff_qname(d, obj), diff_text(d, obj, QA_OWNED_BY));

	diff_after(d, n, diff_ready(d, obj->belongs_to));
}

static void
sequence_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_stmt(d, PH_SEQUENCE, -1, t, true, "CREATE %sSEQUENCE %s %s",
			  SA(obj, QA_UNLOGGED) ? "UNLOGGED " : "", diff_qname(d, obj),
			  sequence_parameters(obj));
	if (SA(obj, QA_OWNED_BY))
		sequence_owner(d, t);
}

static void
sequence_drop(Diff *d, int s)
{
	diff_drop_stmt(d, PH_DROP_REL, s, false, "DROP SEQUENCE %s", diff_qname(d, &d->s->objects[s]));
}

static void
sequence_alter(Diff *d, int s, int t)
{
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = &d->t->objects[t];
	const char *name = diff_qname(d, b);

	if (strcmp(sequence_parameters(a), sequence_parameters(b)) != 0)
		diff_stmt(d, PH_SEQUENCE, -1, t, true, "ALTER SEQUENCE %s %s", name,
				  sequence_parameters(b));
	if (!diff_same(SA(a, QA_UNLOGGED), SA(b, QA_UNLOGGED)))
		diff_stmt(d, PH_SEQUENCE, -1, t, true, "ALTER SEQUENCE %s SET %s", name,
				  SA(b, QA_UNLOGGED) ? "UNLOGGED" : "LOGGED");
	if (!diff_same(SA(a, QA_OWNED_BY), SA(b, QA_OWNED_BY)))
	{
		/* let go of the old owner before it is dropped */
		if (SA(a, QA_OWNED_BY))
			diff_stmt(d, PH_DROP_COL, s, -1, true, "ALTER SEQUENCE %s OWNED BY NONE", name);
		if (SA(b, QA_OWNED_BY))
			sequence_owner(d, t);
	}
}

const DiffKind diff_sequence_kind = {sequence_create, sequence_drop, sequence_alter, NULL};

/* Views and materialized views. */

static void
view_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];
	bool		mat = obj->kind == SK_MATVIEW;

	diff_stmt(d, PH_VIEW, -1, t, true, "CREATE %sVIEW %s%s%s%s AS\n%s%s",
			  mat ? "MATERIALIZED " : "", diff_qname(d, obj),
			  SA(obj, VA_OPTIONS) ? " WITH (" : "",
			  SA(obj, VA_OPTIONS) ? SA(obj, VA_OPTIONS) : "",
			  SA(obj, VA_OPTIONS) ? ")" : "", strip_semicolon(diff_text(d, obj, VA_QUERY)),
			  SA(obj, VA_NO_DATA) ? "\nWITH NO DATA" : "");
}

static void
view_drop(Diff *d, int s)
{
	const SchemaObject *obj = &d->s->objects[s];

	diff_drop_stmt(d, PH_DROP_DEP, s, false, "DROP %sVIEW %s",
				   obj->kind == SK_MATVIEW ? "MATERIALIZED " : "", diff_qname(d, obj));
}

/*
 * A materialized view whose query changes is built again; a view is
 * replaced in place when its old columns stay first, with their names and
 * types (CREATE OR REPLACE VIEW can only add columns at the end).
 */
static bool
view_must_recreate(Diff *d, int s, int t)
{
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = &d->t->objects[t];

	if (diff_same(SA(a, VA_QUERY), SA(b, VA_QUERY)))
		return false;
	if (a->kind == SK_MATVIEW || a->nlist > b->nlist)
		return true;
	for (int i = 0; i < a->nlist; i++)
		if (strcmp(a->list[i], b->list[i]) != 0)
			return true;
	return false;
}

static void
view_alter(Diff *d, int s, int t)
{
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = &d->t->objects[t];

	if (!diff_same(SA(a, VA_QUERY), SA(b, VA_QUERY)))
		diff_stmt(d, PH_VIEW, -1, t, true, "CREATE OR REPLACE VIEW %s AS\n%s",
				  diff_qname(d, b), strip_semicolon(diff_text(d, b, VA_QUERY)));
	if (!diff_same(SA(a, VA_OPTIONS), SA(b, VA_OPTIONS)))
		alter_options(d, s, t, b->kind == SK_MATVIEW ? "MATERIALIZED VIEW" : "VIEW",
					  SA(a, VA_OPTIONS), SA(b, VA_OPTIONS));
	/* filled or emptied: after what the query reads is there */
	if (!diff_same(SA(a, VA_NO_DATA), SA(b, VA_NO_DATA)))
		diff_stmt(d, PH_VIEW, -1, t, true, "REFRESH MATERIALIZED VIEW %s%s", diff_qname(d, b),
				  SA(b, VA_NO_DATA) ? " WITH NO DATA" : "");
}

const DiffKind diff_view_kind = {view_create, view_drop, view_alter, view_must_recreate};
