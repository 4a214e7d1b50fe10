/*-------------------------------------------------------------------------
 *
 * diff_statements.c
 *	  What the planners of a diff share: adding statements, notes and the
 *	  edges that order them, and naming objects in the source schema.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "diff_int.h"
#include "schema_int.h"

static char *one_line(const char *text);

/*
 * Add a statement; see diff_int.h for what src, tgt and core mean.  A
 * statement whose texts could not be made to name the source schema
 * (d->untranslated, diff_texts.c) is written as a NOT DONE note instead,
 * keeping its place in the order.
 */
static int
add_stmt(Diff *d, int phase, int src, int tgt, bool core, char *sql)
{
	DiffStmt   *st;
	int			n = d->nstmts;
	char	   *note = NULL;

	if (sql && sql[0] && d->untranslated)
	{
		note = psprintf("NOT DONE: %s", one_line(d->untranslated));
		d->untranslated = NULL;
		d->info.nunsupported++;
		sql = NULL;
	}

	if (n == d->maxstmts)
	{
		d->maxstmts *= 2;
		d->stmts = repalloc(d->stmts, sizeof(DiffStmt) * d->maxstmts);
	}
	st = &d->stmts[n];
	memset(st, 0, sizeof(DiffStmt));
	st->sql = sql;
	st->note = note;
	st->phase = phase;
	st->seq = n;
	st->src = src;
	st->tgt = tgt;
	st->core = core;
	st->after_all_of = -1;
	d->nstmts++;

	/* the statements of one object run in the order they are written */
	if (src >= 0)
	{
		if (d->s_last[src] >= 0)
			diff_after(d, n, d->s_last[src]);
		d->s_last[src] = n;
		if (core)
			d->s_core[src] = n;
	}
	if (tgt >= 0)
	{
		if (d->t_last[tgt] >= 0)
			diff_after(d, n, d->t_last[tgt]);
		if (d->t_match[tgt] >= 0 && d->t_match[tgt] != src)
			diff_after(d, n, d->s_last[d->t_match[tgt]]);
		d->t_last[tgt] = n;
		if (core)
			d->t_core[tgt] = n;
	}
	if (sql)
		d->info.nstatements++;
	return n;
}

static char *vformat(const char *fmt, va_list args_in) pg_attribute_printf(1, 0);

static char *
vformat(const char *fmt, va_list args_in)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_copy(args, args_in);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	return buf.data;
}

int
diff_stmt(Diff *d, int phase, int src, int tgt, bool core, const char *fmt,...)
{
	va_list		args;
	char	   *sql;

	va_start(args, fmt);
	sql = vformat(fmt, args);
	va_end(args);
	return add_stmt(d, phase, src, tgt, core, sql);
}

/* A statement dropping src; destructive ones are marked and counted. */
int
diff_drop_stmt(Diff *d, int phase, int src, bool destructive, const char *fmt,...)
{
	va_list		args;
	char	   *sql;
	int			n;

	va_start(args, fmt);
	sql = vformat(fmt, args);
	va_end(args);
	n = add_stmt(d, phase, src, -1, true, sql);
	d->stmts[n].drop = true;
	if (destructive)
		diff_destructive(d, n);
	return n;
}

/*
 * A note as one comment line: the names and definitions it quotes are the
 * user's, and may hold line breaks (a carriage return ends a SQL comment as
 * a line feed does), so control characters are escaped.
 */
static char *
one_line(const char *text)
{
	StringInfoData buf;

	initStringInfo(&buf);
	(void) append_printable(&buf, text, -1, false);
	return buf.data;
}

/* Mark statement n as one that destroys data, and count it. */
void
diff_destructive(Diff *d, int n)
{
	d->stmts[n].destructive = true;
	d->info.ndestructive++;
	if (d->info.first_destructive == NULL && d->stmts[n].sql)
		d->info.first_destructive = d->stmts[n].sql;
}

/* A comment line (or more) written before a statement. */
void
diff_note(Diff *d, int stmt, const char *fmt,...)
{
	va_list		args;
	char	   *text;
	DiffStmt   *st = &d->stmts[stmt];

	va_start(args, fmt);
	text = one_line(vformat(fmt, args));
	va_end(args);
	st->note = st->note ? psprintf("%s\n%s", st->note, text) : text;
}

/*
 * A change the script cannot make: written as a comment that says why,
 * never left out silently, and counted (autogenerate refuses such a diff).
 */
void
diff_unsupported(Diff *d, int phase, int src, int tgt, const char *fmt,...)
{
	va_list		args;
	int			n;

	va_start(args, fmt);
	n = add_stmt(d, phase, -1, -1, false, NULL);
	d->stmts[n].note = psprintf("NOT DONE: %s", one_line(vformat(fmt, args)));
	va_end(args);
	d->info.nunsupported++;
	/* placed near the statements of the objects it is about */
	if (src >= 0 && d->s_last[src] >= 0)
		diff_after(d, n, d->s_last[src]);
	if (tgt >= 0 && d->t_last[tgt] >= 0)
		diff_after(d, n, d->t_last[tgt]);
}

/* stmt runs after before */
void
diff_after(Diff *d, int stmt, int before)
{
	DiffStmt   *st = &d->stmts[stmt];

	if (before < 0 || before == stmt)
		return;
	for (int i = 0; i < st->nafter; i++)
		if (st->after[i] == before)
			return;
	if (st->nafter == st->maxafter)
	{
		st->maxafter = Max(4, st->maxafter * 2);
		st->after = st->after ? repalloc(st->after, sizeof(int) * st->maxafter) :
			palloc(sizeof(int) * st->maxafter);
	}
	st->after[st->nafter++] = before;
}

/*
 * The statement after which target object t exists as the target has it
 * (created or altered), or -1 when nothing needs to happen for that.  An
 * object created with another (a column with its table) is ready when that
 * one is.
 */
int
diff_ready(Diff *d, int t)
{
	while (t >= 0)
	{
		if (d->t_core[t] >= 0)
			return d->t_core[t];
		if (d->t_state[t] != DS_IMPLICIT)
			return -1;
		t = d->t->objects[t].belongs_to;
	}
	return -1;
}

/* the object's name in the source schema: schema.name */
char *
diff_qname(Diff *d, const SchemaObject *obj)
{
	if (obj->kind == SK_FUNCTION || obj->kind == SK_PROCEDURE ||
		obj->kind == SK_AGGREGATE)
		return psprintf("%s.%s(%s)", d->schema, SA(obj, FA_NAME), diff_args(d, obj));
	return psprintf("%s.%s", d->schema, obj->ident);
}

/* the name of the table (view, domain) the object belongs to, in the source schema */
char *
diff_qparent(Diff *d, const SchemaObject *obj)
{
	return psprintf("%s.%s", d->schema, obj->parent);
}

/* how COMMENT ON and GRANT name the object */
char *
diff_ref(Diff *d, const SchemaObject *obj)
{
	switch (obj->kind)
	{
		case SK_TABLE:
			return psprintf("TABLE %s", diff_qname(d, obj));
		case SK_COLUMN:
		case SK_VIEW_COLUMN:
			return psprintf("COLUMN %s.%s", diff_qparent(d, obj), obj->ident);
		case SK_CONSTRAINT:
			return psprintf("CONSTRAINT %s ON %s", obj->ident, diff_qparent(d, obj));
		case SK_DOMAIN_CONSTRAINT:
			return psprintf("CONSTRAINT %s ON DOMAIN %s", obj->ident, diff_qparent(d, obj));
		case SK_INDEX:
			return psprintf("INDEX %s", diff_qname(d, obj));
		case SK_SEQUENCE:
			return psprintf("SEQUENCE %s", diff_qname(d, obj));
		case SK_VIEW:
			return psprintf("VIEW %s", diff_qname(d, obj));
		case SK_MATVIEW:
			return psprintf("MATERIALIZED VIEW %s", diff_qname(d, obj));
		case SK_FUNCTION:
			return psprintf("FUNCTION %s", diff_qname(d, obj));
		case SK_PROCEDURE:
			return psprintf("PROCEDURE %s", diff_qname(d, obj));
		case SK_AGGREGATE:
			return psprintf("AGGREGATE %s", diff_qname(d, obj));
		case SK_TRIGGER:
			return psprintf("TRIGGER %s ON %s", obj->ident, diff_qparent(d, obj));
		case SK_RULE:
			return psprintf("RULE %s ON %s", obj->ident, diff_qparent(d, obj));
		case SK_POLICY:
			return psprintf("POLICY %s ON %s", obj->ident, diff_qparent(d, obj));
		case SK_DOMAIN:
			return psprintf("DOMAIN %s", diff_qname(d, obj));
		case SK_SCHEMA:
			return psprintf("SCHEMA %s", d->schema);
		case SK_STATISTICS:
			return psprintf("STATISTICS %s", diff_qname(d, obj));
		case SK_ENUM:
		case SK_COMPOSITE:
		case SK_RANGE:
			return psprintf("TYPE %s", diff_qname(d, obj));
		default:
			elog(ERROR, "unexpected schema object kind %d", (int) obj->kind);
	}
	return NULL;
}

const char *
diff_attr(const SchemaModel *m, int i, int slot)
{
	return i >= 0 ? SA(&m->objects[i], slot) : NULL;
}

/* two properties are the same (both unset counts) */
bool
diff_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* deparsed rules and views end with a semicolon a statement must not have */
char *
strip_semicolon(const char *sql)
{
	char	   *s = pstrdup(sql);
	int			len = strlen(s);

	while (len > 0 && (s[len - 1] == ';' || s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	return s;
}

static int
cmp_position(const void *a, const void *b, void *arg)
{
	const SchemaModel *m = arg;

	return m->objects[*(const int *) a].position - m->objects[*(const int *) b].position;
}

/*
 * The columns of a table, in order.  A table's columns are contiguous in
 * the sorted model: their names all begin with the table's name and a dot.
 */
int *
diff_columns(const SchemaModel *m, int table, int *n)
{
	const char *prefix = psprintf("%s.", m->objects[table].name);
	size_t		len = strlen(prefix);
	int			lo = 0,
				hi = m->nobjects;
	int		   *cols;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;
		const SchemaObject *o = &m->objects[mid];

		if (o->kind < SK_COLUMN || (o->kind == SK_COLUMN && strcmp(o->name, prefix) < 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	*n = 0;
	cols = palloc(sizeof(int) * 8);
	for (int i = lo; i < m->nobjects && m->objects[i].kind == SK_COLUMN &&
		 strncmp(m->objects[i].name, prefix, len) == 0; i++)
	{
		if (m->objects[i].belongs_to != table)
			continue;
		if (*n > 0 && (*n & (*n - 1)) == 0 && *n >= 8)
			cols = repalloc(cols, sizeof(int) * *n * 2);
		cols[(*n)++] = i;
	}
	qsort_arg(cols, *n, sizeof(int), cmp_position, (void *) m);
	return cols;
}

/* the table an index, constraint, column... belongs to, by name; -1 if none */
int
diff_table_of(Diff *d, bool source, const SchemaObject *obj)
{
	const SchemaModel *m = source ? d->s : d->t;

	return obj->parent ? schema_find(m, SK_TABLE, obj->parent) : -1;
}

/*
 * Does the source table of object s (a partition's index or constraint)
 * stop being a partition or child?  Then what it had from its parent stays
 * with it, as its own.
 */
bool
diff_detached(Diff *d, int s)
{
	int			table = diff_table_of(d, true, &d->s->objects[s]);
	int			t;

	if (table < 0 || (t = d->s_match[table]) < 0)
		return false;
	return !diff_same(diff_attr(d->s, table, TA_PARENT), diff_attr(d->t, t, TA_PARENT)) ||
		!diff_same(diff_attr(d->s, table, TA_INHERITS), diff_attr(d->t, t, TA_INHERITS));
}

/*
 * What a partition or child has from its parent goes with the parent's,
 * unless the table stops being a partition or child: then it stays, as the
 * table's own, and is dropped after the table is detached.
 */
bool
diff_inherited_drop(Diff *d, int s)
{
	const SchemaObject *obj = &d->s->objects[s];
	int			table = diff_table_of(d, true, obj);

	if (!SA(obj, XA_INHERITED))
		return true;
	if (!diff_detached(d, s))
		return false;
	return table >= 0;
}

/*
 * "a=1, b=2" -> {"a=1", "b=2"}; NULL -> none.  A ", " inside double quotes
 * (a table named "p, q") or single quotes (an option's value) is no
 * separator.
 */
char	  **
diff_split_list(const char *text, int *n)
{
	char	  **items;
	char	   *copy;
	char	   *start;
	char		quote = '\0';

	*n = 0;
	if (text == NULL)
		return NULL;
	items = palloc(sizeof(char *) * (strlen(text) / 2 + 2));
	copy = pstrdup(text);
	start = copy;
	for (char *p = copy; *p; p++)
	{
		if (quote)
		{
			/* a doubled quote inside quotes is the quote itself */
			if (*p == quote && p[1] == quote)
				p++;
			else if (*p == quote)
				quote = '\0';
		}
		else if (*p == '"' || *p == '\'')
			quote = *p;
		else if (p[0] == ',' && p[1] == ' ')
		{
			*p = '\0';
			items[(*n)++] = start;
			start = ++p + 1;
		}
	}
	items[(*n)++] = start;
	return items;
}

/*
 * The columns of the same name as column col in the parents of its table,
 * in model m (a partition's parent, a child's parents): -1 for a parent
 * that has none in the model.
 */
int *
diff_parent_columns(const SchemaModel *m, const SchemaObject *col, int *n)
{
	int			table = col->parent ? schema_find(m, SK_TABLE, col->parent) : -1;
	const char *parent = table >= 0 ? SA(&m->objects[table], TA_PARENT) : NULL;
	int			ninherits;
	char	  **inherits = diff_split_list(table >= 0 ?
										   SA(&m->objects[table], TA_INHERITS) : NULL,
										   &ninherits);
	int		   *cols = palloc(sizeof(int) * (ninherits + 1));

	*n = 0;
	if (parent)
		cols[(*n)++] = schema_find(m, SK_COLUMN, psprintf("%s.%s", parent, col->ident));
	for (int i = 0; i < ninherits; i++)
		cols[(*n)++] = schema_find(m, SK_COLUMN, psprintf("%s.%s", inherits[i], col->ident));
	return cols;
}

static bool
relation_name_taken(const SchemaModel *m, const char *ident)
{
	for (int i = 0; i < m->nobjects; i++)
	{
		const SchemaObject *obj = &m->objects[i];

		switch (obj->kind)
		{
			case SK_TABLE:
			case SK_VIEW:
			case SK_MATVIEW:
			case SK_SEQUENCE:
			case SK_INDEX:
			case SK_COMPOSITE:
			case SK_CONSTRAINT:
				if (strcmp(obj->ident, ident) == 0)
					return true;
				break;
			case SK_COLUMN:
				if (SA(obj, CA_IDENTITY_NAME) &&
					strcmp(SA(obj, CA_IDENTITY_NAME), ident) == 0)
					return true;
				break;
			default:
				break;
		}
	}
	return false;
}

/* a name as quote_identifier() wrote it, without its quotes */
static char *
unquoted(const char *ident)
{
	StringInfoData buf;

	if (ident[0] != '"')
		return pstrdup(ident);
	initStringInfo(&buf);
	for (const char *p = ident + 1; *p && !(p[0] == '"' && p[1] != '"'); p++)
	{
		appendStringInfoChar(&buf, *p);
		if (p[0] == '"')
			p++;
	}
	return buf.data;
}

/*
 * A name, quoted, for a relation the script keeps aside for a moment (a
 * sequence renamed out of the way of its successor): ident_old, ident_old1,
 * ... whichever neither schema uses, within the length of a name.
 */
char *
diff_free_name(Diff *d, const char *ident)
{
	char	   *base = unquoted(ident);

	for (int k = 0;; k++)
	{
		char	   *suffix = k == 0 ? pstrdup("_old") : psprintf("_old%d", k);
		int			room = NAMEDATALEN - 1 - strlen(suffix);
		char	   *name = psprintf("%.*s%s", pg_mbcliplen(base, strlen(base), room),
									base, suffix);
		const char *candidate = quote_identifier(name);

		if (!relation_name_taken(d->s, candidate) && !relation_name_taken(d->t, candidate))
			return pstrdup(candidate);
	}
}

/*
 * A statement that writes nothing, only orders others: what depends on
 * src or tgt waits for it as for a statement of theirs.
 */
int
diff_anchor(Diff *d, int phase, int src, int tgt, bool breaks)
{
	int			n = diff_stmt(d, phase, src, tgt, true, "%s", "");

	d->stmts[n].sql = NULL;
	d->info.nstatements--;
	d->stmts[n].breaks = breaks;
	return n;
}

bool
diff_listed(char **items, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(items[i], s) == 0)
			return true;
	return false;
}
