/*-------------------------------------------------------------------------
 *
 * kinds.c
 *	  What the schema model knows of each kind of object, in one table: the
 *	  name its rows give it, and the family of its slots (schema.h), which
 *	  SA() checks every slot access against.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "schema.h"

const SchemaKindInfo schema_kinds[SK_NKINDS] = {
	[SK_AGGREGATE] = {"aggregate", SF_ROUTINE},
	[SK_BASE_TYPE] = {"base type", SF_DEPARSED},
	[SK_COLLATION] = {"collation", SF_DEPARSED},
	[SK_COLUMN] = {"column", SF_COLUMN},
	[SK_COMPOSITE] = {"composite type", SF_NONE},
	[SK_CONSTRAINT] = {"constraint", SF_DEPARSED},
	[SK_CONVERSION] = {"conversion", SF_DEPARSED},
	[SK_DEFAULT_ACL] = {"default privileges", SF_DEFACL},
	[SK_DOMAIN] = {"domain", SF_DOMAIN},
	[SK_DOMAIN_CONSTRAINT] = {"domain constraint", SF_DEPARSED},
	[SK_ENUM] = {"enum", SF_NONE},
	[SK_FOREIGN_TABLE] = {"foreign table", SF_DEPARSED},
	[SK_FUNCTION] = {"function", SF_ROUTINE},
	[SK_INDEX] = {"index", SF_DEPARSED},
	[SK_MATVIEW] = {"materialized view", SF_VIEW},
	[SK_OPERATOR] = {"operator", SF_DEPARSED},
	[SK_OPCLASS] = {"operator class", SF_DEPARSED},
	[SK_OPFAMILY] = {"operator family", SF_DEPARSED},
	[SK_POLICY] = {"policy", SF_POLICY},
	[SK_PROCEDURE] = {"procedure", SF_ROUTINE},
	[SK_RANGE] = {"range type", SF_RANGE},
	[SK_RULE] = {"rule", SF_DEPARSED},
	[SK_SCHEMA] = {"schema", SF_NONE},
	[SK_SEQUENCE] = {"sequence", SF_SEQUENCE},
	[SK_STATISTICS] = {"statistics", SF_DEPARSED},
	[SK_TABLE] = {"table", SF_TABLE},
	[SK_TS_CONFIG] = {"text search configuration", SF_DEPARSED},
	[SK_TS_DICT] = {"text search dictionary", SF_DEPARSED},
	[SK_TS_PARSER] = {"text search parser", SF_DEPARSED},
	[SK_TS_TEMPLATE] = {"text search template", SF_DEPARSED},
	[SK_TRIGGER] = {"trigger", SF_DEPARSED},
	[SK_VIEW] = {"view", SF_VIEW},
	[SK_VIEW_COLUMN] = {"column", SF_NONE},
};

const char *
schema_kind_name(SchemaKind kind)
{
	return schema_kinds[kind].name;
}

/*
 * A slot of another family than its object's kind: a bug in the model's
 * code, reported as one.
 */
void
schema_slot_error(const SchemaObject *obj, int slot)
{
	elog(ERROR, "slot %d of family %d read on %s %s, whose slots are of family %d",
		 SA_INDEX(slot), (int) SA_FAMILY(slot), schema_kinds[obj->kind].name,
		 obj->name, (int) schema_kinds[obj->kind].slots);
}
