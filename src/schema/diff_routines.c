/*-------------------------------------------------------------------------
 *
 * diff_routines.c
 *	  Planning the statements for functions, procedures, aggregates,
 *	  triggers, rules, policies and extended statistics.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "diff_int.h"

/* Functions and procedures: CREATE OR REPLACE where PostgreSQL allows it. */

static void
function_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_stmt(d, PH_ROUTINE, -1, t, true, "CREATE OR REPLACE %s %s.%s%s",
			  obj->kind == SK_PROCEDURE ? "PROCEDURE" : "FUNCTION", d->schema,
			  SA(obj, FA_NAME), diff_text(d, obj, FA_DEF));
}

static void
function_drop(Diff *d, int s)
{
	const SchemaObject *obj = &d->s->objects[s];

	diff_drop_stmt(d, PH_DROP_REL, s, false, "DROP %s %s",
				   obj->kind == SK_PROCEDURE ? "PROCEDURE" : "FUNCTION", diff_qname(d, obj));
}

/*
 * CREATE OR REPLACE cannot change the result type nor the parameters'
 * names, modes or defaults: then the routine is dropped and created.
 */
static bool
function_must_recreate(Diff *d, int s, int t)
{
	return !diff_same(diff_attr(d->s, s, FA_RESULT), diff_attr(d->t, t, FA_RESULT)) ||
		!diff_same(diff_attr(d->s, s, FA_ARGUMENTS), diff_attr(d->t, t, FA_ARGUMENTS));
}

static void
function_alter(Diff *d, int s, int t)
{
	function_create(d, t);
}

const DiffKind diff_function_kind = {function_create, function_drop, function_alter,
function_must_recreate};

static void
aggregate_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_stmt(d, PH_ROUTINE, -1, t, true, "CREATE AGGREGATE %s.%s(%s) (%s)", d->schema,
			  SA(obj, FA_NAME), diff_text(d, obj, FA_ARGUMENTS), diff_text(d, obj, FA_DEF));
}

static void
aggregate_drop(Diff *d, int s)
{
	diff_drop_stmt(d, PH_DROP_REL, s, false, "DROP AGGREGATE %s",
				   diff_qname(d, &d->s->objects[s]));
}

const DiffKind diff_aggregate_kind = {aggregate_create, aggregate_drop, NULL, NULL};

/* Triggers and rules: recreated, but for their enabled state. */

static void
enable(Diff *d, int s, int t, const char *what)
{
	const SchemaObject *obj = &d->t->objects[t];
	const char *state = SA(obj, XA_ENABLED);

	diff_stmt(d, PH_TRIGGER, -1, t, false, "ALTER TABLE %s %s %s %s", diff_qparent(d, obj),
			  state ? state : "ENABLE", what, obj->ident);
}

/*
 * A partition's trigger comes with its parent's (or with the partition,
 * made or attached after the parent's trigger): only its enabled state is
 * its own.
 */
static void
trigger_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	if (SA(obj, XA_INHERITED))
	{
		if (SA(obj, XA_ENABLED))
		{
			enable(d, -1, t, "TRIGGER");
			diff_after(d, d->t_last[t], diff_ready(d, obj->belongs_to));
			diff_after(d, d->t_last[t], diff_ready(d, diff_table_of(d, false, obj)));
		}
		return;
	}
	diff_stmt(d, PH_TRIGGER, -1, t, true, "%s", diff_text(d, obj, XA_DEF));
	if (SA(obj, XA_ENABLED))
		enable(d, -1, t, obj->kind == SK_RULE ? "RULE" : "TRIGGER");
}

/*
 * A partition's trigger goes with its parent's, or with the partition, and
 * a partition detached loses it: it is never dropped by a statement.
 */
static void
trigger_drop(Diff *d, int s)
{
	const SchemaObject *obj = &d->s->objects[s];

	if (SA(obj, XA_INHERITED))
		return;
	diff_drop_stmt(d, PH_DROP_DEP, s, false, "DROP %s %s ON %s",
				   obj->kind == SK_RULE ? "RULE" : "TRIGGER", obj->ident, diff_qparent(d, obj));
}

static bool
trigger_must_recreate(Diff *d, int s, int t)
{
	return !diff_same(diff_attr(d->s, s, XA_DEF), diff_attr(d->t, t, XA_DEF)) ||
		!diff_same(diff_attr(d->s, s, XA_INHERITED), diff_attr(d->t, t, XA_INHERITED));
}

static void
trigger_alter(Diff *d, int s, int t)
{
	enable(d, s, t, d->t->objects[t].kind == SK_RULE ? "RULE" : "TRIGGER");
}

const DiffKind diff_trigger_kind = {trigger_create, trigger_drop, trigger_alter,
trigger_must_recreate};

static void
rule_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_stmt(d, PH_TRIGGER, -1, t, true, "%s", strip_semicolon(diff_text(d, obj, XA_DEF)));
	if (SA(obj, XA_ENABLED))
		enable(d, -1, t, "RULE");
}

const DiffKind diff_rule_kind = {rule_create, trigger_drop, trigger_alter, trigger_must_recreate};

/* Policies: ALTER POLICY changes roles and expressions, not the rest. */

/* " USING (...) WITH CHECK (...)", either part only when the policy has it */
static char *
policy_expressions(Diff *d, const SchemaObject *obj)
{
	const SchemaObject *a = obj;

	return psprintf("%s%s%s%s%s%s",
					SA(a, PA_USING) ? " USING (" : "", SA(a, PA_USING) ? diff_text(d, obj, PA_USING) : "",
					SA(a, PA_USING) ? ")" : "",
					SA(a, PA_CHECK) ? " WITH CHECK (" : "", SA(a, PA_CHECK) ? diff_text(d, obj, PA_CHECK) : "",
					SA(a, PA_CHECK) ? ")" : "");
}

static void
policy_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];
	const SchemaObject *a = obj;

	diff_stmt(d, PH_POLICY, -1, t, true, "CREATE POLICY %s ON %s AS %s FOR %s TO %s%s",
			  obj->ident, diff_qparent(d, obj), SA(a, PA_PERMISSIVE), SA(a, PA_COMMAND), SA(a, PA_ROLES),
			  policy_expressions(d, obj));
}

static void
policy_drop(Diff *d, int s)
{
	const SchemaObject *obj = &d->s->objects[s];

	diff_drop_stmt(d, PH_DROP_DEP, s, false, "DROP POLICY %s ON %s", obj->ident,
				   diff_qparent(d, obj));
}

/* an expression can be replaced by ALTER POLICY, not taken away */
static bool
policy_must_recreate(Diff *d, int s, int t)
{
	const SchemaObject *a = &d->s->objects[s];
	const SchemaObject *b = &d->t->objects[t];

	return !diff_same(SA(a, PA_PERMISSIVE), SA(b, PA_PERMISSIVE)) ||
		!diff_same(SA(a, PA_COMMAND), SA(b, PA_COMMAND)) ||
		(SA(a, PA_USING) && !SA(b, PA_USING)) || (SA(a, PA_CHECK) && !SA(b, PA_CHECK));
}

static void
policy_alter(Diff *d, int s, int t)
{
	const SchemaObject *obj = &d->t->objects[t];
	const SchemaObject *a = obj;

	diff_stmt(d, PH_POLICY, -1, t, true, "ALTER POLICY %s ON %s TO %s%s",
			  obj->ident, diff_qparent(d, obj), SA(a, PA_ROLES), policy_expressions(d, obj));
}

const DiffKind diff_policy_kind = {policy_create, policy_drop, policy_alter, policy_must_recreate};

/* Extended statistics: recreated, but for their statistics target. */

static void
statistics_target(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_stmt(d, PH_POLICY, -1, t, false, "ALTER STATISTICS %s SET STATISTICS %s",
			  diff_qname(d, obj), SA(obj, XA_STATTARGET) ? SA(obj, XA_STATTARGET) : "-1");
}

static void
statistics_create(Diff *d, int t)
{
	const SchemaObject *obj = &d->t->objects[t];

	diff_stmt(d, PH_POLICY, -1, t, true, "CREATE STATISTICS %s%s", diff_qname(d, obj),
			  diff_text(d, obj, XA_DEF));
	if (SA(obj, XA_STATTARGET))
		statistics_target(d, t);
}

static void
statistics_drop(Diff *d, int s)
{
	diff_drop_stmt(d, PH_DROP_CON, s, false, "DROP STATISTICS %s",
				   diff_qname(d, &d->s->objects[s]));
}

static void
statistics_alter(Diff *d, int s, int t)
{
	statistics_target(d, t);
}

const DiffKind diff_statistics_kind = {statistics_create, statistics_drop, statistics_alter,
trigger_must_recreate};
