/*-------------------------------------------------------------------------
 *
 * diff_columns.c
 *	  Planning the statements for the columns of tables: added, dropped,
 *	  and altered property by property (type with a USING cast when no
 *	  implicit one exists, default, NOT NULL, identity, generation, storage).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "diff_int.h"

/* what follows the name in CREATE TABLE or ADD COLUMN */
char *
diff_column_definition(Diff *d, const SchemaObject *col)
{
	const SchemaObject *a = col;
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, diff_text(d, col, CA_TYPE));
	if (SA(a, CA_COLLATION))
		appendStringInfo(&buf, " COLLATE %s", diff_text(d, col, CA_COLLATION));
	if (SA(a, CA_COMPRESSION))
		appendStringInfo(&buf, " COMPRESSION %s", SA(a, CA_COMPRESSION));
	if (SA(a, CA_GENERATED))
		appendStringInfo(&buf, " GENERATED ALWAYS AS (%s) %s",
						 diff_text(d, col, CA_GENERATED), SA(a, CA_GENKIND));
	if (SA(a, CA_IDENTITY))
		appendStringInfo(&buf, " GENERATED %s AS IDENTITY (SEQUENCE NAME %s.%s %s)",
						 SA(a, CA_IDENTITY), d->schema, SA(a, CA_IDENTITY_NAME), SA(a, CA_IDENTITY_SEQ));
	if (SA(a, CA_DEFAULT))
		appendStringInfo(&buf, " DEFAULT %s", diff_text(d, col, CA_DEFAULT));
	if (SA(a, CA_NOTNULL))
		appendStringInfoString(&buf, " NOT NULL");
	return buf.data;
}

/* the type or collation of a column changes */
bool
diff_type_changes(Diff *d, int s, int t)
{
	if (s < 0 || t < 0)
		return false;
	return !diff_same(diff_attr(d->s, s, CA_TYPE), diff_attr(d->t, t, CA_TYPE)) ||
		!diff_same(diff_attr(d->s, s, CA_COLLATION), diff_attr(d->t, t, CA_COLLATION));
}

/* a type name as the script will resolve it; InvalidOid if not there (yet) */
static Oid
resolve_type(const char *name)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = CStringGetTextDatum(name);
	fcinfo->args[0].isnull = false;
	result = to_regtype(fcinfo);
	return fcinfo->isnull ? InvalidOid : DatumGetObjectId(result);
}

/*
 * The USING clause of a type change: none when PostgreSQL converts by
 * itself (an assignment cast), a cast when an explicit one exists, and a
 * conversion through text otherwise (or when the new type does not exist
 * yet, to be created by the script).  The types are given as the script
 * names them.
 */
static char *
using_clause(const SchemaObject *col, const char *from, const char *to)
{
	Oid			src = resolve_type(from);
	Oid			dst = resolve_type(to);

	if (OidIsValid(src) && OidIsValid(dst))
	{
		if (can_coerce_type(1, &src, &dst, COERCION_ASSIGNMENT))
			return "";
		if (can_coerce_type(1, &src, &dst, COERCION_EXPLICIT))
			return psprintf(" USING %s::%s", col->ident, to);
	}
	return psprintf(" USING %s::pg_catalog.text::%s", col->ident, to);
}

/*
 * The type of a column as the script names it, to resolve it: a name that
 * cannot be made is the failure of the statement that writes it, not of
 * the one written next.
 */
static const char *
type_to_resolve(Diff *d, const SchemaObject *col)
{
	char	   *pending = d->untranslated;
	const char *type = diff_text(d, col, CA_TYPE);

	d->untranslated = pending;
	return type;
}

/* "numeric(10,2)" -> base "numeric", modifiers 10 and 2 (-1 when absent) */
static char *
split_type(const char *type, int *m1, int *m2)
{
	const char *paren = strchr(type, '(');
	char	   *base;

	*m1 = *m2 = -1;
	if (paren == NULL)
		return pstrdup(type);
	base = pnstrdup(type, paren - type);
	if (sscanf(paren, "(%d,%d)", m1, m2) < 1)
		*m1 = -1;
	/* "timestamp(3) without time zone": the words after the modifier */
	if (strchr(paren, ')') && strchr(paren, ')')[1])
		base = psprintf("%s%s", base, strchr(paren, ')') + 1);
	return base;
}

/* the decimal digits the largest value of an integer type has */
static int
integer_digits(const char *type)
{
	if (strcmp(type, "smallint") == 0)
		return 5;
	if (strcmp(type, "integer") == 0)
		return 10;
	return 19;					/* bigint */
}

/*
 * Can every value of type from be stored as type to without loss?  Only
 * the usual widenings count; any other change is treated as narrowing
 * (destructive), so that a reviewer looks at it.
 */
static bool
widens(const char *from, const char *to)
{
	static const char *const ladder[][2] = {
		{"smallint", "integer"}, {"smallint", "bigint"}, {"smallint", "numeric"},
		{"smallint", "real"}, {"smallint", "double precision"},
		{"integer", "bigint"}, {"integer", "numeric"}, {"integer", "double precision"},
		{"bigint", "numeric"}, {"real", "double precision"},
		{"character varying", "text"}, {"character", "text"},
		{"character", "character varying"}, {"text", "character varying"},
	};
	int			f1,
				f2,
				t1,
				t2;
	char	   *fb = split_type(from, &f1, &f2);
	char	   *tb = split_type(to, &t1, &t2);

	if (strcmp(to, "text") == 0)
		return true;
	if (strcmp(fb, tb) == 0)
	{
		if (t1 < 0)
			return true;		/* no limit any more */
		if (f1 < 0)
			return false;
		if (strcmp(fb, "numeric") == 0)
			return Max(t2, 0) >= Max(f2, 0) && t1 - Max(t2, 0) >= f1 - Max(f2, 0);
		return t1 >= f1;
	}
	for (int i = 0; i < (int) lengthof(ladder); i++)
	{
		if (strcmp(fb, ladder[i][0]) != 0 || strcmp(tb, ladder[i][1]) != 0)
			continue;
		/* an integer fits a numeric with as many digits before the point */
		if (strcmp(tb, "numeric") == 0)
			return t1 < 0 || t1 - Max(t2, 0) >= integer_digits(fb);
		return t1 < 0 || (f1 >= 0 && t1 >= f1);
	}
	return false;
}

/* column extras CREATE TABLE and ADD COLUMN cannot say (before 16) */
void
diff_column_extras(Diff *d, int s, int t)
{
	const SchemaObject *a = s >= 0 ? &d->s->objects[s] : NULL;
	const SchemaObject *col = &d->t->objects[t];
	const SchemaObject *b = col;
	const char *alter = psprintf("ALTER TABLE %s ALTER COLUMN %s",
								 diff_qparent(d, col), col->ident);

	if (!diff_same(a ? SA(a, CA_STORAGE) : NULL, SA(b, CA_STORAGE)))
		diff_stmt(d, PH_COLUMN, -1, t, false, "%s SET STORAGE %s", alter,
				  SA(b, CA_STORAGE) ? SA(b, CA_STORAGE) : SA(b, CA_TYPSTORAGE));
	if (s >= 0 && !diff_same(SA(a, CA_COMPRESSION), SA(b, CA_COMPRESSION)))
		diff_stmt(d, PH_COLUMN, -1, t, false, "%s SET COMPRESSION %s", alter,
				  SA(b, CA_COMPRESSION) ? SA(b, CA_COMPRESSION) : "DEFAULT");
	if (!diff_same(a ? SA(a, CA_STATISTICS) : NULL, SA(b, CA_STATISTICS)))
		diff_stmt(d, PH_COLUMN, -1, t, false, "%s SET STATISTICS %s", alter,
				  SA(b, CA_STATISTICS) ? SA(b, CA_STATISTICS) : "-1");
	if (!diff_same(a ? SA(a, CA_OPTIONS) : NULL, SA(b, CA_OPTIONS)))
	{
		int			nf,
					nt;
		char	  **f = diff_split_list(a ? SA(a, CA_OPTIONS) : NULL, &nf);
		char	  **o = diff_split_list(SA(b, CA_OPTIONS), &nt);

		for (int i = 0; i < nf; i++)
			if (!diff_listed(o, nt, f[i]))
				diff_stmt(d, PH_COLUMN, -1, t, false, "%s RESET (%.*s)", alter,
						  (int) (strchr(f[i], '=') - f[i]), f[i]);
		for (int i = 0; i < nt; i++)
			if (!diff_listed(f, nf, o[i]))
				diff_stmt(d, PH_COLUMN, -1, t, false, "%s SET (%s)", alter, o[i]);
	}
}

/* Is column col of model m one of a typed table (CREATE TABLE ... OF type)? */
static bool
of_type(const SchemaModel *m, const SchemaObject *col)
{
	return col->belongs_to >= 0 && SA(&m->objects[col->belongs_to], TA_OFTYPE);
}

/* the composite type typed table i of model m is of, or -1 */
static int
type_of_table(const SchemaModel *m, int i)
{
	for (int e = 0; e < m->objects[i].ndeps; e++)
		if (m->objects[m->objects[i].deps[e].on].kind == SK_COMPOSITE)
			return m->objects[i].deps[e].on;
	return -1;
}

/*
 * What follows the name of a typed table's column in CREATE TABLE ... OF:
 * the type gives the column its type, the table only the rest.  NULL when
 * there is nothing to say.
 */
char *
diff_typed_column_options(Diff *d, const SchemaObject *col)
{
	const SchemaObject *a = col;
	StringInfoData buf;

	if (!SA(a, CA_DEFAULT) && !SA(a, CA_NOTNULL))
		return NULL;
	initStringInfo(&buf);
	appendStringInfoString(&buf, "WITH OPTIONS");
	if (SA(a, CA_DEFAULT))
		appendStringInfo(&buf, " DEFAULT %s", diff_text(d, col, CA_DEFAULT));
	if (SA(a, CA_NOTNULL))
		appendStringInfoString(&buf, " NOT NULL");
	return buf.data;
}

/*
 * A new column of a typed table comes from its type (ALTER TYPE ... ADD
 * ATTRIBUTE ... CASCADE): the table gives it only its default and NOT
 * NULL, once the type has it.
 */
static void
typed_column_create(Diff *d, int t)
{
	const SchemaObject *col = &d->t->objects[t];
	const char *alter = psprintf("ALTER TABLE %s ALTER COLUMN %s", diff_qparent(d, col),
								 col->ident);
	int			n = diff_anchor(d, PH_COLUMN, -1, t, false);

	diff_after(d, n, diff_ready(d, type_of_table(d->t, col->belongs_to)));
	if (SA(col, CA_DEFAULT))
		diff_stmt(d, PH_COLUMN, -1, t, true, "%s SET DEFAULT %s", alter,
				  diff_text(d, col, CA_DEFAULT));
	if (SA(col, CA_NOTNULL))
		diff_stmt(d, PH_COLUMN, -1, t, true, "%s SET NOT NULL", alter);
	diff_column_extras(d, -1, t);
}

static void
column_create(Diff *d, int t)
{
	const SchemaObject *col = &d->t->objects[t];
	const SchemaObject *a = col;
	int			n;

	/* a partition or child gets its parent's columns from the parent */
	if (SA(a, CA_INHERITED))
		return;
	if (of_type(d->t, col))
	{
		typed_column_create(d, t);
		return;
	}
	n = diff_stmt(d, PH_COLUMN, -1, t, true, "ALTER TABLE %s ADD COLUMN %s %s",
				  diff_qparent(d, col), col->ident, diff_column_definition(d, col));
	/* the columns of a table are added in the target's order */
	if (col->belongs_to >= 0)
	{
		diff_after(d, n, d->added_column[col->belongs_to]);
		d->added_column[col->belongs_to] = n;
	}
	if (SA(a, CA_NOTNULL) && !SA(a, CA_DEFAULT) && !SA(a, CA_IDENTITY) && !SA(a, CA_GENERATED))
		diff_note(d, n, "fails if table %s has rows: NOT NULL without a default", col->parent);
	diff_column_extras(d, -1, t);
}

static void
column_drop(Diff *d, int s)
{
	const SchemaObject *col = &d->s->objects[s];
	bool		derived = SA(col, CA_GENERATED) != NULL;
	int			n;

	/* it goes with its parent's, or with its type's attribute */
	if (SA(col, CA_INHERITED) || of_type(d->s, col))
		return;
	n = diff_drop_stmt(d, PH_DROP_COL, s, !derived, "ALTER TABLE %s DROP COLUMN %s",
					   diff_qparent(d, col), col->ident);
	if (!derived)
		diff_note(d, n, "drops column %s and the data in it", col->name);
}

/*
 * A column is dropped and added again when it becomes generated, and when
 * its generation changes in a way no ALTER expresses (before PostgreSQL
 * 17, any change of the expression).
 */
static bool
column_must_recreate(Diff *d, int s, int t)
{
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = &d->t->objects[t];

	if (!SA(b, CA_GENERATED))
		return false;
	if (!SA(a, CA_GENERATED) || !diff_same(SA(a, CA_GENKIND), SA(b, CA_GENKIND)))
		return true;
#if PG_VERSION_NUM >= 170000
	return false;
#else
	return !diff_same(SA(a, CA_GENERATED), SA(b, CA_GENERATED));
#endif
}

static void
column_type(Diff *d, int s, int t, const char *alter)
{
	const SchemaObject *col = &d->t->objects[t];
	const char *from = SA(&d->s->objects[s], CA_TYPE);
	const char *to = SA(col, CA_TYPE);
	const char *to_script = diff_text(d, col, CA_TYPE);
	int			n;

	n = diff_stmt(d, PH_COLUMN, s, t, true, "%s TYPE %s%s%s%s", alter, to_script,
				  SA(col, CA_COLLATION) ? " COLLATE " : "",
				  SA(col, CA_COLLATION) ? diff_text(d, col, CA_COLLATION) : "",
				  strcmp(from, to) == 0 ? "" :
				  using_clause(col, type_to_resolve(d, &d->s->objects[s]),
							   type_to_resolve(d, col)));
	d->stmts[n].breaks = true;
	if (!widens(from, to))
	{
		diff_destructive(d, n);
		diff_note(d, n, "narrows column %s from %s to %s: values that do not fit fail or change",
				  col->name, from, to);
	}
}

/* the sequence column i of model m owns (a serial's), or -1 */
static int
owned_sequence(const SchemaModel *m, int i)
{
	for (int q = 0; q < m->nobjects; q++)
		if (m->objects[q].kind == SK_SEQUENCE && m->objects[q].belongs_to == i)
			return q;
	return -1;
}

/*
 * A column's counter moves from sequence old to sequence new: new goes on
 * from where old was, or the next row would collide with those already
 * there.  The caller orders the statement (returned) after new is made and
 * before old goes.  When both have the same name (a serial's t_id_seq
 * turned an identity's t_id_seq), old is renamed out of the way first
 * (*old_name then holds its new name, *renamed the statement).
 */
static int
carry_counter(Diff *d, int t, char **old_name, const char *new_name, int *renamed)
{
	int			n;

	*renamed = -1;
	if (strcmp(*old_name, new_name) == 0)
	{
		char	   *aside = diff_free_name(d, *old_name);

		*renamed = diff_stmt(d, PH_DROP_COL, -1, -1, false, "ALTER SEQUENCE %s.%s RENAME TO %s",
							 d->schema, *old_name, aside);
		*old_name = aside;
	}
	n = diff_stmt(d, PH_COLUMN, -1, -1, false,
				  "SELECT pg_catalog.setval(%s, last_value, is_called) FROM %s.%s",
				  quote_literal_cstr(psprintf("%s.%s", d->schema, new_name)), d->schema, *old_name);
	diff_note(d, n, "column %s goes on counting from where it was", d->t->objects[t].name);
	if (*renamed >= 0)
		diff_after(d, n, *renamed);
	return n;
}

/*
 * A column becomes an identity.  A serial's identity goes on from the
 * serial's sequence, which is dropped (its DROP SEQUENCE, written first,
 * then drops it under the name it was put aside under).  Any other
 * column's identity starts after the values its rows hold (add: the ADD
 * GENERATED statement).
 */
static void
column_to_identity(Diff *d, int s, int t, int add)
{
	const SchemaObject *col = &d->t->objects[t];
	int			q = owned_sequence(d->s, s);
	int			drop = q >= 0 && d->s_state[q] == DS_DROP ? d->s_core[q] : -1;
	char	   *old_name;
	int			renamed;
	int			n;

	if (drop < 0)
	{
		bool		down = strstr(SA(col, CA_IDENTITY_SEQ), "INCREMENT BY -") != NULL;

		n = diff_stmt(d, PH_COLUMN, -1, t, false,
					  "SELECT pg_catalog.setval(%s, v) FROM (SELECT %s(%s) AS v FROM %s) r WHERE v IS NOT NULL",
					  quote_literal_cstr(psprintf("%s.%s", d->schema, SA(col, CA_IDENTITY_NAME))),
					  down ? "pg_catalog.min" : "pg_catalog.max", col->ident, diff_qparent(d, col));
		diff_note(d, n, "column %s counts on from the values its rows hold", col->name);
		return;
	}
	old_name = d->s->objects[q].ident;
	n = carry_counter(d, t, &old_name, SA(&d->t->objects[t], CA_IDENTITY_NAME), &renamed);
	if (renamed >= 0)
	{
		diff_after(d, add, renamed);
		diff_after(d, drop, renamed);
		d->stmts[drop].sql = psprintf("DROP SEQUENCE %s.%s", d->schema, old_name);
	}
	diff_after(d, n, add);
	diff_after(d, drop, n);
}

/*
 * An identity column becomes a serial (drop is its DROP IDENTITY, which
 * drops the identity's sequence): the new sequence goes on from the
 * identity's before it goes.
 */
static void
identity_to_serial(Diff *d, int s, int t, int drop)
{
	int			q = owned_sequence(d->t, t);
	int			create = q >= 0 && d->t_state[q] == DS_CREATE ? d->t_core[q] : -1;
	char	   *old_name;
	int			renamed;
	int			n;

	if (create < 0)
		return;
	old_name = SA(&d->s->objects[s], CA_IDENTITY_NAME);
	n = carry_counter(d, t, &old_name, d->t->objects[q].ident, &renamed);
	if (renamed >= 0)
		diff_after(d, create, renamed);
	diff_after(d, n, create);
	diff_after(d, drop, n);
}

/* identity: added, dropped, or its kind, parameters or sequence name changed */
static void
column_identity(Diff *d, int s, int t, const char *alter)
{
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = &d->t->objects[t];

	if (!SA(b, CA_IDENTITY))
		return;
	if (!SA(a, CA_IDENTITY))
	{
		int			add = diff_stmt(d, PH_COLUMN, -1, t, true,
									"%s ADD GENERATED %s AS IDENTITY (SEQUENCE NAME %s.%s %s)",
									alter, SA(b, CA_IDENTITY), d->schema, SA(b, CA_IDENTITY_NAME),
									SA(b, CA_IDENTITY_SEQ));

		column_to_identity(d, s, t, add);
		return;
	}
	if (!diff_same(SA(a, CA_IDENTITY), SA(b, CA_IDENTITY)))
		diff_stmt(d, PH_COLUMN, -1, t, true, "%s SET GENERATED %s", alter, SA(b, CA_IDENTITY));
	if (!diff_same(SA(a, CA_IDENTITY_SEQ), SA(b, CA_IDENTITY_SEQ)))
	{
		/* "START WITH 1 INCREMENT BY 1 ... NO CYCLE": each as SET ... */
		StringInfoData buf;
		char	   *p = pstrdup(SA(b, CA_IDENTITY_SEQ));
		const char *words[] = {" INCREMENT BY ", " MINVALUE ", " MAXVALUE ", " CACHE ", " NO CYCLE", " CYCLE"};

		initStringInfo(&buf);
		appendStringInfo(&buf, "%s SET ", alter);
		for (char *q = p; *q; q++)
		{
			bool		cut = false;

			for (int w = 0; w < (int) lengthof(words) && !cut; w++)
				if (strncmp(q, words[w], strlen(words[w])) == 0 &&
					!(w == 5 && q > p && strncmp(q - 3, " NO CYCLE", 9) == 0))
					cut = true;
			if (cut)
				appendStringInfoString(&buf, " SET");
			appendStringInfoChar(&buf, *q);
		}
		diff_stmt(d, PH_COLUMN, -1, t, true, "%s", buf.data);
	}
	if (!diff_same(SA(a, CA_IDENTITY_NAME), SA(b, CA_IDENTITY_NAME)))
		diff_stmt(d, PH_COLUMN, -1, t, true, "ALTER SEQUENCE %s.%s RENAME TO %s",
				  d->schema, SA(a, CA_IDENTITY_NAME), SA(b, CA_IDENTITY_NAME));
}

/*
 * Altered in place.  What removes the old state comes first (identity,
 * generation, default), then the type, then what makes the new state.
 */
static void
column_alter(Diff *d, int s, int t)
{
	const SchemaObject *col = &d->t->objects[t];
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = col;
	const char *alter = psprintf("ALTER TABLE %s ALTER COLUMN %s", diff_qparent(d, col), col->ident);
	bool		retype = diff_type_changes(d, s, t);

	/*
	 * PostgreSQL converts the default along with the column when an
	 * assignment cast exists; otherwise it must go first.  It is set again
	 * after any type change: the converted one may read differently.
	 */
	bool		reset = SA(a, CA_DEFAULT) &&
		(d->reset_default[s] || !SA(b, CA_DEFAULT) ||
		 (retype && using_clause(col, type_to_resolve(d, &d->s->objects[s]),
								 type_to_resolve(d, col))[0] != '\0'));
	bool		set = SA(b, CA_DEFAULT) &&
		(reset || retype || !diff_same(SA(a, CA_DEFAULT), SA(b, CA_DEFAULT)));

	if (SA(a, CA_IDENTITY) && !SA(b, CA_IDENTITY))
		identity_to_serial(d, s, t,
						   diff_stmt(d, PH_DROP_COL, s, -1, true, "%s DROP IDENTITY", alter));
	if (SA(a, CA_GENERATED) && !SA(b, CA_GENERATED))
		diff_stmt(d, PH_DROP_COL, s, -1, true, "%s DROP EXPRESSION", alter);
	if (reset)
		diff_stmt(d, PH_DROP_COL, s, -1, true, "%s DROP DEFAULT", alter);
	if (SA(a, CA_NOTNULL) && !SA(b, CA_NOTNULL))
		diff_stmt(d, PH_DROP_COL, s, -1, true, "%s DROP NOT NULL", alter);

	/*
	 * A partition's or child's column has its parent's type: the parent's
	 * ALTER ... TYPE changes it (and refuses to be run on the child).  What
	 * depends on it waits for the parent's change all the same (diff_order.c). A
	 * typed table's column has its type's attribute's.
	 */
	if (retype && (SA(b, CA_INHERITED) || of_type(d->t, col)))
		diff_anchor(d, PH_COLUMN, s, t, true);
	else if (retype)
		column_type(d, s, t, alter);
#if PG_VERSION_NUM >= 170000
	if (SA(a, CA_GENERATED) && SA(b, CA_GENERATED) && !diff_same(SA(a, CA_GENERATED), SA(b, CA_GENERATED)))
		diff_stmt(d, PH_COLUMN, s, t, true, "%s SET EXPRESSION AS (%s)", alter,
				  diff_text(d, col, CA_GENERATED));
#endif
	if (set)
		diff_stmt(d, PH_COLUMN, -1, t, true, "%s SET DEFAULT %s", alter,
				  diff_text(d, col, CA_DEFAULT));
	if (!SA(a, CA_NOTNULL) && SA(b, CA_NOTNULL))
		diff_stmt(d, PH_COLUMN, -1, t, true, "%s SET NOT NULL", alter);
	column_identity(d, s, t, alter);
	diff_column_extras(d, s, t);
}

const DiffKind diff_column_kind = {column_create, column_drop, column_alter, column_must_recreate};
