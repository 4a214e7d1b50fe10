/*-------------------------------------------------------------------------
 *
 * diff_texts.c
 *	  The definitions a diff script writes: read for the script (every name
 *	  outside pg_catalog qualified, see load_model.c), and, for objects of the
 *	  target schema, made to name the source schema where they name the
 *	  target one.
 *
 * A target object's definition names the target schema wherever it uses
 * another of its objects: a view's tables, a default's sequence, a
 * function's SET search_path.  Copied as they are, they would tie the live
 * schema to the desired one, a scratch copy dropped afterwards.  Names are
 * turned on the server's own tokens (retarget.c).  What cannot be turned
 * (a body other than a SQL-standard one is a string, copied as written)
 * makes the statement a NOT DONE note saying why (diff_statements.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "diff_int.h"
#include "retarget.h"

/* the schema the texts of obj must be turned from; NULL: none */
static const char *
moved_from(Diff *d, const SchemaObject *obj)
{
	bool		target = obj >= d->t->objects && obj < d->t->objects + d->t->nobjects;

	if (!target || strcmp(d->t->schema, d->source_name) == 0)
		return NULL;
	return d->t->schema;
}

static const SchemaObject *
script_of(const SchemaObject *obj)
{
	if (obj->script == NULL)
		elog(ERROR, "%s %s was not read for a script", schema_kind_name(obj->kind),
			 obj->name);
	return obj->script;
}

/* The statement written next cannot be made; the first reason is kept. */
static void
untranslatable(Diff *d, const SchemaObject *obj, const char *why)
{
	if (d->untranslated == NULL)
		d->untranslated = psprintf("%s %s: %s; make it by hand in schema %s",
								   schema_kind_name(obj->kind), obj->name, why,
								   d->schema);
}

/* script (relative: the same text as compared) as the script writes it */
static const char *
retarget(Diff *d, const SchemaObject *obj, const char *script, const char *relative)
{
	const char *from = moved_from(d, obj);
	char	   *why = NULL;
	char	   *text;

	if (script == NULL || from == NULL)
		return script;
	text = sql_retarget(script, relative, from, d->source_name, &why);
	if (text == NULL)
	{
		untranslatable(d, obj, why);
		return script;
	}
	return text;
}

/*
 * Property slot of object obj as the script writes it.  A routine's
 * definition has its SET search_path turned too, and its body checked: a
 * body given as a string is written as it is.
 */
const char *
diff_text(Diff *d, const SchemaObject *obj, int slot)
{
	const char *text = retarget(d, obj, SA(script_of(obj), slot), SA(obj, slot));
	const char *from = moved_from(d, obj);

	if (text && from && slot == FA_DEF &&
		(obj->kind == SK_FUNCTION || obj->kind == SK_PROCEDURE))
	{
		text = sql_retarget_search_path(text, from, d->source_name);
		if (sql_body_names_schema(text, from))
			untranslatable(d, obj,
						   psprintf("its body names schema %s, and a body other than a SQL-standard one (BEGIN ATOMIC or RETURN) is copied as written, so it would go on using that schema",
									quote_identifier(from)));
	}
	return text;
}

/* entry k of the object's list (a composite type's attributes) */
const char *
diff_list_text(Diff *d, const SchemaObject *obj, int k)
{
	const SchemaObject *script = script_of(obj);

	if (k >= script->nlist)
		elog(ERROR, "%s %s was read with %d entries, then %d", schema_kind_name(obj->kind),
			 obj->name, obj->nlist, script->nlist);
	return retarget(d, obj, script->list[k], obj->list[k]);
}

/* a routine's argument types, as DROP, COMMENT and GRANT name it */
const char *
diff_args(Diff *d, const SchemaObject *obj)
{
	return retarget(d, obj, script_of(obj)->args, obj->args);
}
