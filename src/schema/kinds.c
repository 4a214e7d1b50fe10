/*-------------------------------------------------------------------------
 *
 * kinds.c
 *	  What the schema model knows of each kind of object, in one table: the
 *	  name its rows give it; the family of its slots (schema.h), which SA()
 *	  checks every slot access against; where scripts write it among the
 *	  other kinds; and whether diff() writes it at all.
 *
 * Adding a kind is a row here and its loader (load_*.c); and, if diff()
 * is to write it, its DiffKind (diff.c's kinds[]).  A kind diff() does not
 * write gets a NOT DONE note whenever it differs (diff_other.c).
 *
 * The order is only how a script reads: what others are made of first
 * when creating, and (reversed) last when dropping; dependencies decide
 * the rest.  Its numbers leave room for a kind between two others.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "schema.h"

/* kind: name in the rows, slot family, script order, written by diff() */
const SchemaKindInfo schema_kinds[SK_NKINDS] = {
	[SK_AGGREGATE] = {"aggregate", SF_ROUTINE, 180, true},
	[SK_BASE_TYPE] = {"base type", SF_DEPARSED, 50, false},
	[SK_COLLATION] = {"collation", SF_DEPARSED, 30, false},
	[SK_COLUMN] = {"column", SF_COLUMN, 200, true},
	[SK_COMPOSITE] = {"composite type", SF_NONE, 130, true},
	[SK_CONSTRAINT] = {"constraint", SF_DEPARSED, 210, true},
	[SK_CONVERSION] = {"conversion", SF_DEPARSED, 40, false},
	[SK_DEFAULT_ACL] = {"default privileges", SF_DEFACL, 20, true},
	[SK_DOMAIN] = {"domain", SF_DOMAIN, 110, true},
	[SK_DOMAIN_CONSTRAINT] = {"domain constraint", SF_DEPARSED, 120, true},
	[SK_ENUM] = {"enum", SF_NONE, 100, true},
	[SK_FOREIGN_TABLE] = {"foreign table", SF_DEPARSED, 330, false},
	[SK_FUNCTION] = {"function", SF_ROUTINE, 160, true},
	[SK_INDEX] = {"index", SF_DEPARSED, 220, true},
	[SK_MATVIEW] = {"materialized view", SF_VIEW, 240, true},
	[SK_OPERATOR] = {"operator", SF_DEPARSED, 300, false},
	[SK_OPCLASS] = {"operator class", SF_DEPARSED, 320, false},
	[SK_OPFAMILY] = {"operator family", SF_DEPARSED, 310, false},
	[SK_POLICY] = {"policy", SF_POLICY, 280, true},
	[SK_PROCEDURE] = {"procedure", SF_ROUTINE, 170, true},
	[SK_RANGE] = {"range type", SF_RANGE, 140, true},
	[SK_RULE] = {"rule", SF_DEPARSED, 270, true},
	[SK_SCHEMA] = {"schema", SF_NONE, 10, true},
	[SK_SEQUENCE] = {"sequence", SF_SEQUENCE, 150, true},
	[SK_STATISTICS] = {"statistics", SF_DEPARSED, 290, true},
	[SK_TABLE] = {"table", SF_TABLE, 190, true},
	[SK_TS_CONFIG] = {"text search configuration", SF_DEPARSED, 90, false},
	[SK_TS_DICT] = {"text search dictionary", SF_DEPARSED, 80, false},
	[SK_TS_PARSER] = {"text search parser", SF_DEPARSED, 60, false},
	[SK_TS_TEMPLATE] = {"text search template", SF_DEPARSED, 70, false},
	[SK_TRIGGER] = {"trigger", SF_DEPARSED, 260, true},
	[SK_VIEW] = {"view", SF_VIEW, 230, true},
	[SK_VIEW_COLUMN] = {"column", SF_NONE, 250, true},
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
