/*-------------------------------------------------------------------------
 *
 * diff_other.c
 *	  The kinds of objects the diff reads but does not write: foreign
 *	  tables, collations, conversions, operators, operator classes and
 *	  families, text search objects, base types (those whose row in
 *	  kinds.c says they are not written).
 *
 * Each one that is only on one side, or differs, gets a NOT DONE note that
 * says what to do by hand (and autogenerate refuses such a diff): the
 * schemas do not match until that is done, which their fingerprints show.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "diff_int.h"

static void
other_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_unsupported(d, PH_TYPE, -1, t,
					 "%s %s is only in the desired schema, as %s: the script does not make objects of this kind; make it by hand before running the script",
					 schema_kind_name(obj->kind), obj->name, obj->definition);
}

static void
other_drop(Diff *d, int s)
{
	const SchemaObject *obj = &d->s->objects[s];

	diff_unsupported(d, PH_DROP_TYPE, s, -1,
					 "%s %s is only in the live schema: the script does not drop objects of this kind; drop it by hand if it should go, once nothing uses it",
					 schema_kind_name(obj->kind), obj->name);
}

static void
other_alter(Diff *d, int s, int t)
{
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = &d->t->objects[t];

	if (strcmp(a->definition, b->definition) != 0)
		diff_unsupported(d, PH_TYPE, s, t,
						 "%s %s is %s, the desired one %s: the script does not change objects of this kind; change it by hand",
						 schema_kind_name(a->kind), a->name, a->definition, b->definition);
	if (!diff_same(a->comment, b->comment))
		diff_unsupported(d, PH_COMMENT, s, t,
						 "the comment of %s %s changes: the script does not change objects of this kind; change it by hand",
						 schema_kind_name(a->kind), a->name);
}

const DiffKind diff_other_kind = {other_create, other_drop, other_alter, NULL};

/* Is this a kind the diff does not write? (kinds.c says which) */
bool
diff_other(SchemaKind kind)
{
	return !schema_kinds[kind].written;
}
