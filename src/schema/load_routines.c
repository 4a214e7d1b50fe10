/*-------------------------------------------------------------------------
 *
 * load_routines.c
 *	  Reading functions, procedures, aggregates, triggers, rules, policies
 *	  and extended statistics into the schema model.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_trigger.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "schema_int.h"

/*
 * Routines.  A routine is known by its name and argument types; its
 * definition is pg_get_functiondef()'s, whose qualified name is replaced by
 * the name alone.  Aggregates have no such function: their definition is
 * built from pg_aggregate.
 */
static const char *const functions_sql =
"SELECT p.oid, n.nspname, p.proname, p.prokind::pg_catalog.text AS prokind,"
" pg_catalog.oidvectortypes(p.proargtypes) AS argtypes,"
" pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,"
" CASE WHEN p.prokind" NE "'a' THEN pg_catalog.pg_get_functiondef(p.oid) END AS def,"
" pg_catalog.pg_get_function_result(p.oid) AS result,"
" pg_catalog.pg_get_function_arguments(p.oid) AS arguments,"
" p.proparallel::pg_catalog.text AS parallel,"
" g.aggkind::pg_catalog.text AS aggkind,"
" CASE WHEN g.aggtransfn" NE "0 THEN g.aggtransfn::pg_catalog.regproc::pg_catalog.text END AS sfunc,"
" pg_catalog.format_type(g.aggtranstype, NULL) AS stype,"
" CASE WHEN g.aggtransspace" NE "0 THEN g.aggtransspace END AS sspace,"
" CASE WHEN g.aggfinalfn" NE "0 THEN g.aggfinalfn::pg_catalog.regproc::pg_catalog.text END AS finalfunc,"
" g.aggfinalextra, g.aggfinalmodify::pg_catalog.text AS finalmodify,"
" CASE WHEN g.aggcombinefn" NE "0 THEN g.aggcombinefn::pg_catalog.regproc::pg_catalog.text END AS combinefunc,"
" CASE WHEN g.aggserialfn" NE "0 THEN g.aggserialfn::pg_catalog.regproc::pg_catalog.text END AS serialfunc,"
" CASE WHEN g.aggdeserialfn" NE "0 THEN g.aggdeserialfn::pg_catalog.regproc::pg_catalog.text END AS deserialfunc,"
" CASE WHEN g.aggmtransfn" NE "0 THEN g.aggmtransfn::pg_catalog.regproc::pg_catalog.text END AS msfunc,"
" CASE WHEN g.aggminvtransfn" NE "0 THEN g.aggminvtransfn::pg_catalog.regproc::pg_catalog.text END AS minvfunc,"
" CASE WHEN g.aggmtranstype" NE "0 THEN pg_catalog.format_type(g.aggmtranstype, NULL) END AS mstype,"
" CASE WHEN g.aggmfinalfn" NE "0 THEN g.aggmfinalfn::pg_catalog.regproc::pg_catalog.text END AS mfinalfunc,"
" g.agginitval AS initcond, g.aggminitval AS minitcond,"
" CASE WHEN g.aggsortop" NE "0 THEN g.aggsortop::pg_catalog.regoperator::pg_catalog.text END AS sortop,"
" " COMMENT_OF("p.oid", "pg_proc") " AS comment, "
ACL_COLUMNS_CREATED("p.proacl", "f", "f", "p.proowner", "p.pronamespace")
" FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid" EQ "p.pronamespace"
" LEFT JOIN pg_catalog.pg_aggregate g ON g.aggfnoid" EQ "p.oid"
" WHERE p.pronamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_proc", "p.oid")
/* nor the constructors of a range type: they are the type's */
" AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend x"
"  WHERE x.classid" EQ "'pg_catalog.pg_proc'::pg_catalog.regclass AND x.objid" EQ "p.oid"
"  AND x.deptype" EQ "'i')";

static void
add_option(StringInfo buf, const char *name, const char *value)
{
	if (value == NULL)
		return;
	appendStringInfo(buf, "%s%s = %s", buf->len > 0 ? ", " : "", name, value);
}

/* the parenthesised options of CREATE AGGREGATE, from pg_aggregate */
static char *
aggregate_options(Loader *ld)
{
	StringInfoData buf;
	char	   *initcond = col_text(ld, "initcond");
	char	   *minitcond = col_text(ld, "minitcond");
	char	   *parallel = col_text(ld, "parallel");
	char	   *sortop = col_text(ld, "sortop");

	initStringInfo(&buf);
	add_option(&buf, "SFUNC", col_text(ld, "sfunc"));
	add_option(&buf, "STYPE", col_text(ld, "stype"));
	add_option(&buf, "SSPACE", col_text(ld, "sspace"));
	add_option(&buf, "FINALFUNC", col_text(ld, "finalfunc"));
	if (col_bool(ld, "aggfinalextra"))
		appendStringInfoString(&buf, ", FINALFUNC_EXTRA");
	add_option(&buf, "COMBINEFUNC", col_text(ld, "combinefunc"));
	add_option(&buf, "SERIALFUNC", col_text(ld, "serialfunc"));
	add_option(&buf, "DESERIALFUNC", col_text(ld, "deserialfunc"));
	add_option(&buf, "INITCOND", initcond ? quote_literal_cstr(initcond) : NULL);
	add_option(&buf, "MSFUNC", col_text(ld, "msfunc"));
	add_option(&buf, "MINVFUNC", col_text(ld, "minvfunc"));
	add_option(&buf, "MSTYPE", col_text(ld, "mstype"));
	add_option(&buf, "MFINALFUNC", col_text(ld, "mfinalfunc"));
	add_option(&buf, "MINITCOND", minitcond ? quote_literal_cstr(minitcond) : NULL);
	if (sortop)
	{
		/* regoperator reads "<(integer,integer)": SORTOP wants the name */
		char	   *paren = strrchr(sortop, '(');

		if (paren)
			*paren = '\0';
		add_option(&buf, "SORTOP", sortop);
	}
	if (strcmp(parallel, "s") == 0)
		add_option(&buf, "PARALLEL", "SAFE");
	else if (strcmp(parallel, "r") == 0)
		add_option(&buf, "PARALLEL", "RESTRICTED");
	if (strcmp(col_text(ld, "aggkind"), "h") == 0)
		appendStringInfoString(&buf, ", HYPOTHETICAL");
	return MemoryContextStrdup(ld->cxt, buf.data);
}

void
load_functions(Loader *ld)
{
	loader_query_homes(ld, functions_sql, ProcedureRelationId, "p.oid", NULL);
	while (loader_next(ld))
	{
		char	   *proname = col_text(ld, "proname");
		char	   *kind = col_text(ld, "prokind");
		char	   *ident = psprintf("%s(%s)", quote_identifier(proname),
									 col_text(ld, "argtypes"));
		SchemaKind	sk = kind[0] == 'p' ? SK_PROCEDURE :
			kind[0] == 'a' ? SK_AGGREGATE : SK_FUNCTION;
		int			i = loader_add(ld, sk, NULL, ident);
		SchemaObject *obj = &ld->model->objects[i];

		obj->args = col_deparsed(ld, "args", i);
		SA(obj, FA_NAME) = MemoryContextStrdup(ld->cxt, quote_identifier(proname));
		SA(obj, FA_RESULT) = col_text(ld, "result");	/* none for procedures */
		SA(obj, FA_ARGUMENTS) = col_deparsed(ld, "arguments", i);
		if (sk == SK_AGGREGATE)
			SA(obj, FA_DEF) = aggregate_options(ld);
		else
		{
			const char *head = sk == SK_PROCEDURE ?
				"CREATE OR REPLACE PROCEDURE" : "CREATE OR REPLACE FUNCTION";

			SA(obj, FA_DEF) = loader_strip_prefix(ld, col_deparsed(ld, "def", i), head,
													col_text(ld, "nspname"), proname);
		}
		obj->comment = col_text(ld, "comment");
		loader_acl(ld, i);
		loader_key(ld, ProcedureRelationId, col_oid(ld, "oid"), 0, i);
	}
}

/*
 * Triggers.  Those a partition has from its parent's belong to the
 * parent's and come with it; they are read all the same, since each may be
 * enabled or disabled on its own.
 */
static const char *const triggers_sql =
"SELECT t.oid, t.tgrelid, t.tgparentid, n.nspname, pg_catalog.quote_ident(c.relname) AS parent,"
" pg_catalog.quote_ident(t.tgname) AS ident, pg_catalog.pg_get_triggerdef(t.oid, true) AS def,"
" t.tgenabled::pg_catalog.text AS enabled,"
" " COMMENT_OF("t.oid", "pg_trigger") " AS comment"
" FROM pg_catalog.pg_trigger t"
" JOIN pg_catalog.pg_class c ON c.oid" EQ "t.tgrelid"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
" WHERE c.relnamespace" EQ "ANY ($1) AND NOT t.tgisinternal AND c.relkind" NE "'f'"
" AND" NOT_MEMBER("pg_class", "c.oid");

/* the enabled state of a trigger or rule, when it is not the usual one */
static char *
enabled_state(Loader *ld)
{
	char	   *state = col_text(ld, "enabled");

	switch (state[0])
	{
		case 'D':
			return "DISABLE";
		case 'R':
			return "ENABLE REPLICA";
		case 'A':
			return "ENABLE ALWAYS";
		default:
			return NULL;
	}
}

void
load_triggers(Loader *ld)
{
	int			first = ld->model->nobjects;
	Oid		   *parents;

	loader_query_homes(ld, triggers_sql, TriggerRelationId, "t.oid", NULL);
	parents = palloc(sizeof(Oid) * Max((int) ld->ntuples, 1));
	while (loader_next(ld))
	{
		int			i = loader_add(ld, SK_TRIGGER, col_text(ld, "parent"),
								   col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];

		SA(obj, XA_DEF) = col_deparsed(ld, "def", i);
		SA(obj, XA_ENABLED) = enabled_state(ld);
		parents[i - first] = col_oid(ld, "tgparentid");
		if (OidIsValid(parents[i - first]))
			SA(obj, XA_INHERITED) = "INHERITED";
		obj->comment = col_text(ld, "comment");
		obj->belongs_to = loader_find(ld, RelationRelationId, col_oid(ld, "tgrelid"), 0);
		loader_key(ld, TriggerRelationId, col_oid(ld, "oid"), 0, i);
	}
	/* a partition's trigger belongs to its parent's, once every one is known */
	for (int i = first; i < ld->model->nobjects; i++)
	{
		int			parent = OidIsValid(parents[i - first]) ?
			loader_find(ld, TriggerRelationId, parents[i - first], 0) : -1;

		if (parent >= 0)
			ld->model->objects[i].belongs_to = parent;
	}
}

static const char *const rules_sql =
"SELECT r.oid, r.ev_class, n.nspname, pg_catalog.quote_ident(c.relname) AS parent,"
" pg_catalog.quote_ident(r.rulename) AS ident, pg_catalog.pg_get_ruledef(r.oid, true) AS def,"
" r.ev_enabled::pg_catalog.text AS enabled,"
" " COMMENT_OF("r.oid", "pg_rewrite") " AS comment"
" FROM pg_catalog.pg_rewrite r"
" JOIN pg_catalog.pg_class c ON c.oid" EQ "r.ev_class"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
" WHERE c.relnamespace" EQ "ANY ($1) AND r.rulename" NE "'_RETURN'"
" AND" NOT_MEMBER("pg_class", "c.oid");

void
load_rules(Loader *ld)
{
	loader_query_homes(ld, rules_sql, RewriteRelationId, "r.oid", NULL);
	while (loader_next(ld))
	{
		int			i = loader_add(ld, SK_RULE, col_text(ld, "parent"),
								   col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];

		SA(obj, XA_DEF) = col_deparsed(ld, "def", i);
		SA(obj, XA_ENABLED) = enabled_state(ld);
		obj->comment = col_text(ld, "comment");
		obj->belongs_to = loader_find(ld, RelationRelationId, col_oid(ld, "ev_class"), 0);
		loader_key(ld, RewriteRelationId, col_oid(ld, "oid"), 0, i);
	}
}

static const char *const policies_sql =
"SELECT p.oid, p.polrelid, n.nspname, pg_catalog.quote_ident(c.relname) AS parent,"
" pg_catalog.quote_ident(p.polname) AS ident,"
" CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END AS permissive,"
" CASE WHEN p.polcmd" EQ "'r' THEN 'SELECT' WHEN p.polcmd" EQ "'a' THEN 'INSERT'"
"  WHEN p.polcmd" EQ "'w' THEN 'UPDATE' WHEN p.polcmd" EQ "'d' THEN 'DELETE' ELSE 'ALL' END AS command,"
" ARRAY(SELECT CASE WHEN r" EQ "0 THEN 'PUBLIC'"
"   ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END"
"   FROM pg_catalog.unnest(p.polroles) r) AS roles,"
" pg_catalog.pg_get_expr(p.polqual, p.polrelid, true) AS using_expr, p.polqual IS NOT NULL AS has_using,"
" pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid, true) AS check_expr, p.polwithcheck IS NOT NULL AS has_check,"
" " COMMENT_OF("p.oid", "pg_policy") " AS comment"
" FROM pg_catalog.pg_policy p"
" JOIN pg_catalog.pg_class c ON c.oid" EQ "p.polrelid"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
" WHERE c.relnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_class", "c.oid");

void
load_policies(Loader *ld)
{
	loader_query_homes(ld, policies_sql, PolicyRelationId, "p.oid", NULL);
	while (loader_next(ld))
	{
		int			i = loader_add(ld, SK_POLICY, col_text(ld, "parent"),
								   col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];
		int			nroles;
		char	  **roles = col_list(ld, "roles", &nroles, true);
		StringInfoData buf;

		initStringInfo(&buf);
		for (int r = 0; r < nroles; r++)
			appendStringInfo(&buf, "%s%s", r > 0 ? ", " : "", roles[r]);
		SA(obj, PA_PERMISSIVE) = col_text(ld, "permissive");
		SA(obj, PA_COMMAND) = col_text(ld, "command");
		SA(obj, PA_ROLES) = MemoryContextStrdup(ld->cxt, buf.data);
		if (col_bool(ld, "has_using"))
			SA(obj, PA_USING) = col_deparsed(ld, "using_expr", i);
		if (col_bool(ld, "has_check"))
			SA(obj, PA_CHECK) = col_deparsed(ld, "check_expr", i);
		obj->comment = col_text(ld, "comment");
		obj->belongs_to = loader_find(ld, RelationRelationId, col_oid(ld, "polrelid"), 0);
		loader_key(ld, PolicyRelationId, col_oid(ld, "oid"), 0, i);
	}
}

/* Extended statistics; the deparser writes their name qualified. */
static const char *const statistics_sql =
"SELECT s.oid, s.stxrelid, n.nspname, s.stxname, pg_catalog.quote_ident(s.stxname) AS ident,"
" pg_catalog.pg_get_statisticsobjdef(s.oid) AS def,"
" CASE WHEN s.stxstattarget OPERATOR(pg_catalog.>=) 0"
"  THEN s.stxstattarget::pg_catalog.int4 END AS stattarget,"
" " COMMENT_OF("s.oid", "pg_statistic_ext") " AS comment"
" FROM pg_catalog.pg_statistic_ext s"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "s.stxnamespace"
" WHERE s.stxnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_statistic_ext", "s.oid");

void
load_statistics(Loader *ld)
{
	loader_query_homes(ld, statistics_sql, StatisticExtRelationId, "s.oid", NULL);
	while (loader_next(ld))
	{
		int			i = loader_add(ld, SK_STATISTICS, NULL, col_text(ld, "ident"));
		SchemaObject *obj = &ld->model->objects[i];

		SA(obj, XA_DEF) = loader_strip_prefix(ld, col_deparsed(ld, "def", i), "CREATE STATISTICS",
												col_text(ld, "nspname"), col_text(ld, "stxname"));
		SA(obj, XA_STATTARGET) = col_text(ld, "stattarget");
		obj->comment = col_text(ld, "comment");
		obj->belongs_to = loader_find(ld, RelationRelationId, col_oid(ld, "stxrelid"), 0);
		loader_key(ld, StatisticExtRelationId, col_oid(ld, "oid"), 0, i);
	}
}
