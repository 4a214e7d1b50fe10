/*-------------------------------------------------------------------------
 *
 * diff_types.c
 *	  Planning the statements for enum, domain, composite and range types,
 *	  and the constraints of domains.
 *
 * A type that holds no data (no column, no other type is made of it) may
 * be dropped and created again, with what depends on it; one that does is
 * only altered where PostgreSQL has an ALTER, and what cannot be altered
 * (an enum value removed or reordered, a domain's base type) is written as
 * a comment saying why.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "diff_int.h"

/* Is a column, a typed table or another type made of source type s? */
static bool
holds_data(Diff *d, int s)
{
	for (int k = 0; k < d->ndependents[s]; k++)
	{
		SchemaKind	kind = d->s->objects[d->dependents[s][k]].kind;

		if (kind == SK_COLUMN || kind == SK_TABLE || kind == SK_DOMAIN ||
			kind == SK_COMPOSITE || kind == SK_RANGE)
			return true;
	}
	return false;
}

static void
type_drop(Diff *d, int s)
{
	const SchemaObject *obj = &d->s->objects[s];

	diff_drop_stmt(d, PH_DROP_TYPE, s, false, "DROP %s %s",
				   obj->kind == SK_DOMAIN ? "DOMAIN" : "TYPE", diff_qname(d, obj));
}

/* the list as compared, or (d not NULL) as the script writes it */
static char *
joined(Diff *d, const SchemaObject *obj, bool literals)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < obj->nlist; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "",
						 literals ? quote_literal_cstr(obj->list[i]) :
						 d ? diff_list_text(d, obj, i) : obj->list[i]);
	return buf.data;
}

/* Enums: values can be added anywhere, never removed or reordered. */

static void
enum_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_stmt(d, PH_TYPE, -1, t, true, "CREATE TYPE %s AS ENUM (%s)", diff_qname(d, obj),
			  joined(NULL, obj, true));
}

static int
label_index(const SchemaObject *obj, const char *label)
{
	for (int i = 0; i < obj->nlist; i++)
		if (strcmp(obj->list[i], label) == 0)
			return i;
	return -1;
}

/* are the old values still there, in the same order? */
static bool
enum_grows(const SchemaObject *a, const SchemaObject *b)
{
	int			last = -1;

	for (int i = 0; i < a->nlist; i++)
	{
		int			k = label_index(b, a->list[i]);

		if (k <= last)
			return false;
		last = k;
	}
	return true;
}

static void
enum_alter(Diff *d, int s, int t)
{
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = &d->t->objects[t];
	const char *name = diff_qname(d, b);
	int			first = -1;

	if (!enum_grows(a, b))
	{
		diff_unsupported(d, PH_ENUM_VALUE, s, t,
						 "enum %s has values (%s), the desired one (%s): PostgreSQL cannot remove, rename or reorder the values of an enum; to do it, create a new type, ALTER the columns to it USING col::text::new_type, and drop the old type",
						 a->name, joined(NULL, a, true), joined(NULL, b, true));
		return;
	}
	for (int i = 0; i < b->nlist; i++)
	{
		int			next = -1;
		int			n;

		if (label_index(a, b->list[i]) >= 0)
			continue;
		/* before the next old value, else at the end, in order */
		for (int k = i + 1; k < b->nlist && next < 0; k++)
			if (label_index(a, b->list[k]) >= 0)
				next = k;
		n = diff_stmt(d, PH_ENUM_VALUE, -1, t, true, "ALTER TYPE %s ADD VALUE %s%s%s", name,
					  quote_literal_cstr(b->list[i]), next >= 0 ? " BEFORE " : "",
					  next >= 0 ? quote_literal_cstr(b->list[next]) : "");
		if (first < 0)
			diff_note(d, first = n,
					  "a value added to an enum cannot be used before the transaction commits");
	}
}

const DiffKind diff_enum_kind = {enum_create, type_drop, enum_alter, NULL};

/* Domains. */

static void
domain_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];
	const SchemaObject *a = obj;

	diff_stmt(d, PH_TYPE, -1, t, true, "CREATE DOMAIN %s AS %s%s%s%s%s%s",
			  diff_qname(d, obj), diff_text(d, obj, DA_BASETYPE),
			  SA(a, DA_COLLATION) ? " COLLATE " : "",
			  SA(a, DA_COLLATION) ? diff_text(d, obj, DA_COLLATION) : "",
			  SA(a, DA_DEFAULT) ? " DEFAULT " : "", SA(a, DA_DEFAULT) ? diff_text(d, obj, DA_DEFAULT) : "",
			  SA(a, DA_NOTNULL) ? " NOT NULL" : "");
}

static bool
domain_base_changes(Diff *d, int s, int t)
{
	return !diff_same(diff_attr(d->s, s, DA_BASETYPE), diff_attr(d->t, t, DA_BASETYPE)) ||
		!diff_same(diff_attr(d->s, s, DA_COLLATION), diff_attr(d->t, t, DA_COLLATION));
}

static bool
domain_must_recreate(Diff *d, int s, int t)
{
	return domain_base_changes(d, s, t) && !holds_data(d, s);
}

static void
domain_alter(Diff *d, int s, int t)
{
	const SchemaObject *obj = &d->t->objects[t];
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = obj;
	const char *name = diff_qname(d, obj);

	if (domain_base_changes(d, s, t))
		diff_unsupported(d, PH_TYPE, s, t,
						 "domain %s is over %s, the desired one over %s: PostgreSQL cannot change the base type of a domain that columns use; create a new domain and ALTER the columns to it",
						 obj->name, SA(a, DA_BASETYPE), SA(b, DA_BASETYPE));
	if (SA(a, DA_DEFAULT) && !SA(b, DA_DEFAULT))
		diff_stmt(d, PH_TYPE, s, -1, true, "ALTER DOMAIN %s DROP DEFAULT", name);
	if (SA(a, DA_NOTNULL) && !SA(b, DA_NOTNULL))
		diff_stmt(d, PH_TYPE, s, -1, true, "ALTER DOMAIN %s DROP NOT NULL", name);
	if (SA(b, DA_DEFAULT) && !diff_same(SA(a, DA_DEFAULT), SA(b, DA_DEFAULT)))
		diff_stmt(d, PH_TYPE, -1, t, true, "ALTER DOMAIN %s SET DEFAULT %s", name,
				  diff_text(d, obj, DA_DEFAULT));
	if (!SA(a, DA_NOTNULL) && SA(b, DA_NOTNULL))
		diff_stmt(d, PH_TYPE, -1, t, true, "ALTER DOMAIN %s SET NOT NULL", name);
}

const DiffKind diff_domain_kind = {domain_create, type_drop, domain_alter, domain_must_recreate};

static void
domain_constraint_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_stmt(d, PH_TYPE, -1, t, true, "ALTER DOMAIN %s ADD CONSTRAINT %s %s%s",
			  diff_qparent(d, obj), obj->ident, diff_text(d, obj, XA_DEF),
			  SA(obj, XA_NOT_VALID) ? " NOT VALID" : "");
}

static void
domain_constraint_drop(Diff *d, int s)
{
	const SchemaObject *obj = &d->s->objects[s];
	bool		replaced = d->s_match[s] >= 0;
	int			n = diff_drop_stmt(d, PH_DROP_CON, s, !replaced, "ALTER DOMAIN %s DROP CONSTRAINT %s",
								   diff_qparent(d, obj), obj->ident);

	if (!replaced)
		diff_note(d, n, "drops constraint %s: the values lose what it guaranteed", obj->name);
}

static bool
domain_constraint_must_recreate(Diff *d, int s, int t)
{
	return !diff_same(diff_attr(d->s, s, XA_DEF), diff_attr(d->t, t, XA_DEF)) ||
		diff_attr(d->t, t, XA_NOT_VALID) != NULL;
}

static void
domain_constraint_alter(Diff *d, int s, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_stmt(d, PH_TYPE, -1, t, true, "ALTER DOMAIN %s VALIDATE CONSTRAINT %s",
			  diff_qparent(d, obj), obj->ident);
}

const DiffKind diff_domain_constraint_kind = {domain_constraint_create, domain_constraint_drop,
domain_constraint_alter, domain_constraint_must_recreate};

/* Composite and range types: recreated while they hold no data. */

static void
composite_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_stmt(d, PH_TYPE, -1, t, true, "CREATE TYPE %s AS (%s)", diff_qname(d, obj),
			  joined(d, obj, false));
}

static bool
type_must_recreate(Diff *d, int s, int t)
{
	return !holds_data(d, s);
}

/* the name of attribute entry "name type [COLLATE c]", as written */
static char *
attribute_name(const char *entry)
{
	const char *p = entry;

	if (*p == '"')
	{
		/* a quoted name ends at a quote that is not doubled */
		for (p++; *p && !(p[0] == '"' && p[1] != '"'); p++)
			if (p[0] == '"')
				p++;
		p++;
	}
	else
		p = strchr(entry, ' ');
	return pnstrdup(entry, p - entry);
}

/* the index of the attribute named name in the type's list, or -1 */
static int
attribute_index(const SchemaObject *obj, const char *name)
{
	for (int i = 0; i < obj->nlist; i++)
		if (strcmp(attribute_name(obj->list[i]), name) == 0)
			return i;
	return -1;
}

/* Do typed tables (CREATE TABLE ... OF type) use source type s? */
static bool
has_typed_tables(Diff *d, int s)
{
	for (int k = 0; k < d->ndependents[s]; k++)
	{
		const SchemaObject *dep = &d->s->objects[d->dependents[s][k]];

		if (dep->kind == SK_TABLE && SA(dep, TA_OFTYPE))
			return true;
	}
	return false;
}

/*
 * A composite type that columns or typed tables use: its attributes are
 * added and dropped by ALTER TYPE (CASCADE carries the change to the typed
 * tables), which keeps the values of the others.  What PostgreSQL cannot
 * do to a type in use, change an attribute's type or put attributes in
 * another order, is said.
 */
static void
composite_alter(Diff *d, int s, int t)
{
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = &d->t->objects[t];
	const char *name = diff_qname(d, b);
	const char *cascade = has_typed_tables(d, s) ? " CASCADE" : "";
	StringInfoData got;
	int			k = 0;

	initStringInfo(&got);
	for (int i = 0; i < a->nlist; i++)
	{
		char	   *attname = attribute_name(a->list[i]);
		int			j = attribute_index(b, attname);
		int			n;

		if (j < 0)
		{
			n = diff_stmt(d, PH_TYPE, s, -1, true, "ALTER TYPE %s DROP ATTRIBUTE %s%s",
						  name, attname, cascade);
			diff_destructive(d, n);
			diff_note(d, n, "drops attribute %s of %s and the data in it", attname, a->name);
			continue;
		}
		appendStringInfo(&got, "%s%s", k++ ? ", " : "", attname);
		if (strcmp(a->list[i], b->list[j]) != 0)
			diff_unsupported(d, PH_TYPE, s, t,
							 "attribute %s of %s is %s, the desired one %s: PostgreSQL cannot change the type of an attribute of a type that columns use; add an attribute of the new type, copy the values by hand, and drop the old one",
							 attname, a->name, a->list[i] + strlen(attname) + 1,
							 b->list[j] + strlen(attname) + 1);
	}
	for (int j = 0; j < b->nlist; j++)
	{
		char	   *attname = attribute_name(b->list[j]);

		if (attribute_index(a, attname) >= 0)
			continue;
		diff_stmt(d, PH_TYPE, -1, t, true, "ALTER TYPE %s ADD ATTRIBUTE %s%s", name,
				  diff_list_text(d, b, j), cascade);
		appendStringInfo(&got, "%s%s", k++ ? ", " : "", attname);
	}
	{
		StringInfoData want;

		initStringInfo(&want);
		for (int j = 0; j < b->nlist; j++)
			appendStringInfo(&want, "%s%s", j ? ", " : "", attribute_name(b->list[j]));
		if (strcmp(got.data, want.data) != 0)
			diff_unsupported(d, PH_TYPE, s, t,
							 "%s will have its attributes in the order (%s), not (%s): PostgreSQL adds attributes at the end and cannot move them",
							 b->name, got.data, want.data);
	}
}

const DiffKind diff_composite_kind = {composite_create, type_drop, composite_alter, type_must_recreate};

static void
range_alter(Diff *d, int s, int t)
{
	diff_unsupported(d, PH_TYPE, s, t,
					 "range type %s changes (%s), but columns or other types use it, and PostgreSQL cannot alter a range type: create a new range type, ALTER the columns to it, and drop the old one",
					 d->s->objects[s].name, d->t->objects[t].definition);
}

static void
range_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];
	const SchemaObject *a = obj;
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE TYPE %s AS RANGE (SUBTYPE = %s", diff_qname(d, obj),
					 diff_text(d, obj, RA_SUBTYPE));
	if (SA(a, RA_OPCLASS))
		appendStringInfo(&buf, ", SUBTYPE_OPCLASS = %s", diff_text(d, obj, RA_OPCLASS));
	if (SA(a, RA_COLLATION))
		appendStringInfo(&buf, ", COLLATION = %s", diff_text(d, obj, RA_COLLATION));
	if (SA(a, RA_CANONICAL))
		appendStringInfo(&buf, ", CANONICAL = %s", diff_text(d, obj, RA_CANONICAL));
	if (SA(a, RA_SUBDIFF))
		appendStringInfo(&buf, ", SUBTYPE_DIFF = %s", diff_text(d, obj, RA_SUBDIFF));
	appendStringInfo(&buf, ", MULTIRANGE_TYPE_NAME = %s.%s)", d->schema, SA(a, RA_MULTIRANGE));
	diff_stmt(d, PH_TYPE, -1, t, true, "%s", buf.data);
}

const DiffKind diff_range_kind = {range_create, type_drop, range_alter, type_must_recreate};
