/*
 * load_other.c
 *	  Reading the objects of a schema that the diff does not write into the
 *	  schema model: foreign tables, collations, conversions, operators,
 *	  operator classes and families, text search configurations,
 *	  dictionaries, parsers and templates, and base types (CREATE TYPE with
 *	  functions of its own, shell types).
 *
 * They are described (a row each in the fingerprint, their comment too),
 * so that two schemas that differ in them do not compare equal, and the
 * diff says, for each one that differs, that it does not make the change
 * (diff_other.c).  Their privileges are not read.
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_conversion.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_ts_config.h"
#include "catalog/pg_ts_dict.h"
#include "catalog/pg_ts_parser.h"
#include "catalog/pg_ts_template.h"
#include "catalog/pg_type.h"

#include "schema_int.h"

/* a regproc as text, or NULL for none (0) */
#define PROC(col) "CASE WHEN " col NE "0 THEN " col "::pg_catalog.regproc::pg_catalog.text END"

/* "NAME = value" options, NULLs left out, in the order given */
#define OPTIONS(list) "pg_catalog.concat_ws(', ', " list ")"
#define NEXT ", "
#define OPT(name, expr) "'" name " = '" CAT "(" expr ")"

typedef struct OtherKind
{
	SchemaKind	kind;
	Oid			classid;
	const char *sql;			/* columns: oid, nspname, ident, def, comment */
} OtherKind;

static const char *const foreign_tables_sql =
"SELECT c.oid, n.nspname, pg_catalog.quote_ident(c.relname) AS ident,"
" 'FOREIGN TABLE (' OPERATOR(pg_catalog.||) pg_catalog.concat_ws(', ', VARIADIC ARRAY("
"   SELECT pg_catalog.quote_ident(a.attname)" CAT "' '" CAT "pg_catalog.format_type(a.atttypid, a.atttypmod)"
CAT "CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
CAT "COALESCE(' DEFAULT '" CAT "pg_catalog.pg_get_expr(d.adbin, d.adrelid, true), '')"
CAT "COALESCE(' OPTIONS (' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(a.attfdwoptions, ', ')" CAT "')', '')"
"   FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d"
"    ON d.adrelid" EQ "a.attrelid AND d.adnum" EQ "a.attnum"
"   WHERE a.attrelid" EQ "c.oid AND a.attnum" GT "0 AND NOT a.attisdropped ORDER BY a.attnum)"
"  OPERATOR(pg_catalog.||) ARRAY(SELECT 'CONSTRAINT '" CAT "pg_catalog.quote_ident(k.conname)" CAT "' '"
CAT "pg_catalog.pg_get_constraintdef(k.oid, true) FROM pg_catalog.pg_constraint k"
"   WHERE k.conrelid" EQ "c.oid ORDER BY k.conname))" CAT "')'"
CAT "' SERVER '" CAT "pg_catalog.quote_ident(s.srvname)"
CAT "COALESCE(' OPTIONS (' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(f.ftoptions, ', ')" CAT "')', '')"
CAT "COALESCE(' PARTITION OF '" CAT "(SELECT i.inhparent::pg_catalog.regclass::pg_catalog.text"
"   FROM pg_catalog.pg_inherits i WHERE i.inhrelid" EQ "c.oid)" CAT "' '"
CAT "pg_catalog.pg_get_expr(c.relpartbound, c.oid), '')"
CAT "COALESCE((SELECT pg_catalog.string_agg(' ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_triggerdef(t.oid, true),"
"   '' ORDER BY t.tgname) FROM pg_catalog.pg_trigger t WHERE t.tgrelid" EQ "c.oid AND NOT t.tgisinternal), '')"
" AS def, " COMMENT_OF("c.oid", "pg_class") " AS comment"
" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
" JOIN pg_catalog.pg_foreign_table f ON f.ftrelid" EQ "c.oid"
" JOIN pg_catalog.pg_foreign_server s ON s.oid" EQ "f.ftserver"
" WHERE c.relnamespace" EQ "ANY ($1) AND c.relkind" EQ "'f' AND" NOT_MEMBER("pg_class", "c.oid");

static const char *const collations_sql =
"SELECT o.oid, n.nspname, pg_catalog.quote_ident(o.collname) AS ident,"
" 'COLLATION (' OPERATOR(pg_catalog.||) " OPTIONS(
	OPT("PROVIDER", "CASE o.collprovider WHEN 'i' THEN 'icu' WHEN 'c' THEN 'libc' WHEN 'b' THEN 'builtin' ELSE 'default' END") NEXT
	OPT("LC_COLLATE", "pg_catalog.quote_literal(o.collcollate)") NEXT
	OPT("LC_CTYPE", "pg_catalog.quote_literal(o.collctype)") NEXT
#if PG_VERSION_NUM >= 170000
	OPT("LOCALE", "pg_catalog.quote_literal(o.colllocale)") NEXT
#else
	OPT("LOCALE", "pg_catalog.quote_literal(o.colliculocale)") NEXT
#endif
#if PG_VERSION_NUM >= 160000
	OPT("RULES", "pg_catalog.quote_literal(o.collicurules)") NEXT
#endif
	OPT("DETERMINISTIC", "o.collisdeterministic::pg_catalog.text")) CAT "')' AS def,"
" " COMMENT_OF("o.oid", "pg_collation") " AS comment"
" FROM pg_catalog.pg_collation o JOIN pg_catalog.pg_namespace n ON n.oid" EQ "o.collnamespace"
" WHERE o.collnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_collation", "o.oid");

static const char *const conversions_sql =
"SELECT o.oid, n.nspname, pg_catalog.quote_ident(o.conname) AS ident,"
" CASE WHEN o.condefault THEN 'DEFAULT ' ELSE '' END" CAT "'CONVERSION FOR '"
CAT "pg_catalog.quote_literal(pg_catalog.pg_encoding_to_char(o.conforencoding))" CAT "' TO '"
CAT "pg_catalog.quote_literal(pg_catalog.pg_encoding_to_char(o.contoencoding))" CAT "' FROM '"
CAT "o.conproc::pg_catalog.regproc::pg_catalog.text AS def,"
" " COMMENT_OF("o.oid", "pg_conversion") " AS comment"
" FROM pg_catalog.pg_conversion o JOIN pg_catalog.pg_namespace n ON n.oid" EQ "o.connamespace"
" WHERE o.connamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_conversion", "o.oid");

static const char *const operators_sql =
"SELECT o.oid, n.nspname,"
" o.oprname::pg_catalog.text" CAT "'('" CAT "COALESCE(pg_catalog.format_type(NULLIF(o.oprleft, 0), NULL), 'NONE')"
CAT "', '" CAT "COALESCE(pg_catalog.format_type(NULLIF(o.oprright, 0), NULL), 'NONE')" CAT "')' AS ident,"
" 'OPERATOR (' OPERATOR(pg_catalog.||) " OPTIONS(
	OPT("FUNCTION", PROC("o.oprcode")) NEXT
	OPT("RESULT", "pg_catalog.format_type(o.oprresult, NULL)") NEXT
	OPT("COMMUTATOR", "CASE WHEN o.oprcom" NE "0 THEN o.oprcom::pg_catalog.regoperator::pg_catalog.text END") NEXT
	OPT("NEGATOR", "CASE WHEN o.oprnegate" NE "0 THEN o.oprnegate::pg_catalog.regoperator::pg_catalog.text END") NEXT
	OPT("RESTRICT", PROC("o.oprrest")) NEXT
	OPT("JOIN", PROC("o.oprjoin")) NEXT
	"CASE WHEN o.oprcanhash THEN 'HASHES' END" NEXT
	"CASE WHEN o.oprcanmerge THEN 'MERGES' END") CAT "')' AS def,"
" " COMMENT_OF("o.oid", "pg_operator") " AS comment"
" FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid" EQ "o.oprnamespace"
" WHERE o.oprnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_operator", "o.oid");

static const char *const opfamilies_sql =
"SELECT o.oid, n.nspname, pg_catalog.quote_ident(o.opfname)" CAT "' USING '"
CAT "pg_catalog.quote_ident(am.amname) AS ident,"
" 'OPERATOR FAMILY (' OPERATOR(pg_catalog.||) pg_catalog.concat_ws(', ', VARIADIC ARRAY("
"   SELECT 'OPERATOR '" CAT "p.amopstrategy" CAT "' '" CAT "p.amopopr::pg_catalog.regoperator::pg_catalog.text"
"   FROM pg_catalog.pg_amop p WHERE p.amopfamily" EQ "o.oid ORDER BY 1)"
"  OPERATOR(pg_catalog.||) ARRAY("
"   SELECT 'FUNCTION '" CAT "p.amprocnum" CAT "' ('" CAT "pg_catalog.format_type(p.amproclefttype, NULL)"
CAT "', '" CAT "pg_catalog.format_type(p.amprocrighttype, NULL)" CAT "') '"
CAT "p.amproc::pg_catalog.regprocedure::pg_catalog.text"
"   FROM pg_catalog.pg_amproc p WHERE p.amprocfamily" EQ "o.oid ORDER BY 1))" CAT "')' AS def,"
" " COMMENT_OF("o.oid", "pg_opfamily") " AS comment"
" FROM pg_catalog.pg_opfamily o JOIN pg_catalog.pg_namespace n ON n.oid" EQ "o.opfnamespace"
" JOIN pg_catalog.pg_am am ON am.oid" EQ "o.opfmethod"
" WHERE o.opfnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_opfamily", "o.oid");

static const char *const opclasses_sql =
"SELECT o.oid, n.nspname, pg_catalog.quote_ident(o.opcname)" CAT "' USING '"
CAT "pg_catalog.quote_ident(am.amname) AS ident,"
" 'OPERATOR CLASS ' OPERATOR(pg_catalog.||) CASE WHEN o.opcdefault THEN 'DEFAULT ' ELSE '' END"
CAT "'FOR TYPE '" CAT "pg_catalog.format_type(o.opcintype, NULL)"
CAT "' FAMILY '" CAT "pg_catalog.quote_ident(f.opfname)"
CAT "COALESCE(' STORAGE '" CAT "pg_catalog.format_type(NULLIF(o.opckeytype, 0), NULL), '') AS def,"
" " COMMENT_OF("o.oid", "pg_opclass") " AS comment"
" FROM pg_catalog.pg_opclass o JOIN pg_catalog.pg_namespace n ON n.oid" EQ "o.opcnamespace"
" JOIN pg_catalog.pg_am am ON am.oid" EQ "o.opcmethod"
" JOIN pg_catalog.pg_opfamily f ON f.oid" EQ "o.opcfamily"
" WHERE o.opcnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_opclass", "o.oid");

static const char *const ts_configs_sql =
"SELECT o.oid, n.nspname, pg_catalog.quote_ident(o.cfgname) AS ident,"
" 'TEXT SEARCH CONFIGURATION (PARSER = '" CAT "(SELECT CASE WHEN pg_catalog.pg_ts_parser_is_visible(p.oid)"
"  THEN pg_catalog.quote_ident(p.prsname) ELSE pg_catalog.quote_ident(pn.nspname)" CAT "'.'"
CAT "pg_catalog.quote_ident(p.prsname) END FROM pg_catalog.pg_ts_parser p"
"  JOIN pg_catalog.pg_namespace pn ON pn.oid" EQ "p.prsnamespace WHERE p.oid" EQ "o.cfgparser)"
CAT "(SELECT COALESCE(' MAPPING (' OPERATOR(pg_catalog.||) pg_catalog.string_agg(t.alias"
CAT "' WITH '" CAT "m.dicts, ', ' ORDER BY t.alias)" CAT "')', '')"
"  FROM pg_catalog.ts_token_type(o.cfgparser) t JOIN (SELECT m.maptokentype,"
"   pg_catalog.string_agg(m.mapdict::pg_catalog.regdictionary::pg_catalog.text, ', ' ORDER BY m.mapseqno) AS dicts"
"   FROM pg_catalog.pg_ts_config_map m WHERE m.mapcfg" EQ "o.oid GROUP BY m.maptokentype) m"
"   ON m.maptokentype" EQ "t.tokid)" CAT "')' AS def,"
" " COMMENT_OF("o.oid", "pg_ts_config") " AS comment"
" FROM pg_catalog.pg_ts_config o JOIN pg_catalog.pg_namespace n ON n.oid" EQ "o.cfgnamespace"
" WHERE o.cfgnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_ts_config", "o.oid");

static const char *const ts_dicts_sql =
"SELECT o.oid, n.nspname, pg_catalog.quote_ident(o.dictname) AS ident,"
" 'TEXT SEARCH DICTIONARY (' OPERATOR(pg_catalog.||) " OPTIONS(
	OPT("TEMPLATE", "(SELECT CASE WHEN pg_catalog.pg_ts_template_is_visible(p.oid)"
		" THEN pg_catalog.quote_ident(p.tmplname) ELSE pg_catalog.quote_ident(pn.nspname)"
		CAT "'.'" CAT "pg_catalog.quote_ident(p.tmplname) END FROM pg_catalog.pg_ts_template p"
		" JOIN pg_catalog.pg_namespace pn ON pn.oid" EQ "p.tmplnamespace WHERE p.oid" EQ "o.dicttemplate)") NEXT
	"o.dictinitoption") CAT "')' AS def,"
" " COMMENT_OF("o.oid", "pg_ts_dict") " AS comment"
" FROM pg_catalog.pg_ts_dict o JOIN pg_catalog.pg_namespace n ON n.oid" EQ "o.dictnamespace"
" WHERE o.dictnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_ts_dict", "o.oid");

static const char *const ts_parsers_sql =
"SELECT o.oid, n.nspname, pg_catalog.quote_ident(o.prsname) AS ident,"
" 'TEXT SEARCH PARSER (' OPERATOR(pg_catalog.||) " OPTIONS(
	OPT("START", PROC("o.prsstart")) NEXT OPT("GETTOKEN", PROC("o.prstoken")) NEXT
	OPT("END", PROC("o.prsend")) NEXT OPT("LEXTYPES", PROC("o.prslextype")) NEXT
	OPT("HEADLINE", PROC("o.prsheadline"))) CAT "')' AS def,"
" " COMMENT_OF("o.oid", "pg_ts_parser") " AS comment"
" FROM pg_catalog.pg_ts_parser o JOIN pg_catalog.pg_namespace n ON n.oid" EQ "o.prsnamespace"
" WHERE o.prsnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_ts_parser", "o.oid");

static const char *const ts_templates_sql =
"SELECT o.oid, n.nspname, pg_catalog.quote_ident(o.tmplname) AS ident,"
" 'TEXT SEARCH TEMPLATE (' OPERATOR(pg_catalog.||) " OPTIONS(
	OPT("INIT", PROC("o.tmplinit")) NEXT OPT("LEXIZE", PROC("o.tmpllexize"))) CAT "')' AS def,"
" " COMMENT_OF("o.oid", "pg_ts_template") " AS comment"
" FROM pg_catalog.pg_ts_template o JOIN pg_catalog.pg_namespace n ON n.oid" EQ "o.tmplnamespace"
" WHERE o.tmplnamespace" EQ "ANY ($1) AND" NOT_MEMBER("pg_ts_template", "o.oid");

/*
 * Base types and shell types, not the array types the server makes for
 * them (an array type made by hand, with its own functions, is read).
 */
static const char *const base_types_sql =
"SELECT t.oid, n.nspname, pg_catalog.quote_ident(t.typname) AS ident,"
" CASE WHEN NOT t.typisdefined THEN 'SHELL TYPE' ELSE 'TYPE (' OPERATOR(pg_catalog.||) " OPTIONS(
	OPT("INPUT", PROC("t.typinput")) NEXT OPT("OUTPUT", PROC("t.typoutput")) NEXT
	OPT("RECEIVE", PROC("t.typreceive")) NEXT OPT("SEND", PROC("t.typsend")) NEXT
	OPT("TYPMOD_IN", PROC("t.typmodin")) NEXT OPT("TYPMOD_OUT", PROC("t.typmodout")) NEXT
	OPT("ANALYZE", PROC("t.typanalyze")) NEXT OPT("SUBSCRIPT", PROC("t.typsubscript")) NEXT
	OPT("INTERNALLENGTH", "t.typlen::pg_catalog.text") NEXT
	"CASE WHEN t.typbyval THEN 'PASSEDBYVALUE' END" NEXT
	OPT("ALIGNMENT", "t.typalign::pg_catalog.text") NEXT OPT("STORAGE", "t.typstorage::pg_catalog.text") NEXT
	OPT("CATEGORY", "pg_catalog.quote_literal(t.typcategory::pg_catalog.text)") NEXT
	"CASE WHEN t.typispreferred THEN 'PREFERRED' END" NEXT
	OPT("DEFAULT", "pg_catalog.quote_literal(t.typdefault)") NEXT
	OPT("ELEMENT", "pg_catalog.format_type(NULLIF(t.typelem, 0), NULL)") NEXT
	OPT("DELIMITER", "pg_catalog.quote_literal(t.typdelim::pg_catalog.text)") NEXT
	"CASE WHEN t.typcollation" NE "0 THEN 'COLLATABLE' END") CAT "')' END AS def,"
" " COMMENT_OF("t.oid", "pg_type") " AS comment"
" FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid" EQ "t.typnamespace"
" WHERE t.typnamespace" EQ "ANY ($1) AND t.typtype" EQ "ANY ('{b,p}'::pg_catalog.\"char\"[])"
" AND NOT EXISTS (SELECT FROM pg_catalog.pg_type e WHERE e.oid" EQ "t.typelem AND e.typarray" EQ "t.oid)"
" AND" NOT_MEMBER("pg_type", "t.oid");

static const OtherKind other_kinds[] = {
	{SK_FOREIGN_TABLE, RelationRelationId, foreign_tables_sql},
	{SK_COLLATION, CollationRelationId, collations_sql},
	{SK_CONVERSION, ConversionRelationId, conversions_sql},
	{SK_OPERATOR, OperatorRelationId, operators_sql},
	{SK_OPFAMILY, OperatorFamilyRelationId, opfamilies_sql},
	{SK_OPCLASS, OperatorClassRelationId, opclasses_sql},
	{SK_TS_CONFIG, TSConfigRelationId, ts_configs_sql},
	{SK_TS_DICT, TSDictionaryRelationId, ts_dicts_sql},
	{SK_TS_PARSER, TSParserRelationId, ts_parsers_sql},
	{SK_TS_TEMPLATE, TSTemplateRelationId, ts_templates_sql},
	{SK_BASE_TYPE, TypeRelationId, base_types_sql},
};

void
load_others(Loader *ld)
{
	for (int k = 0; k < (int) lengthof(other_kinds); k++)
	{
		loader_query(ld, other_kinds[k].sql);
		while (loader_next(ld))
		{
			int			i = loader_add(ld, other_kinds[k].kind, NULL, col_text(ld, "ident"));
			SchemaObject *obj = &ld->model->objects[i];

			SA(obj, XA_DEF) = col_deparsed(ld, "def", i);
			obj->comment = col_text(ld, "comment");
			loader_key(ld, other_kinds[k].classid, col_oid(ld, "oid"), 0, i);
		}
	}
}
