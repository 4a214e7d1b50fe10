/*-------------------------------------------------------------------------
 *
 * describe.c
 *	  The canonical description of a schema model: one row (kind, name,
 *	  definition) per object, per comment and per non-default set of
 *	  privileges, sorted, and its sha256.
 *
 * A definition reads like the DDL that makes the object, so that a
 * difference reads as what changed.  It is built from the properties the
 * loader read (never from OIDs or creation order), so two schemas built by
 * the same DDL, in any order, give the same rows.  Owners are left out (a
 * deployment matter); privileges held by the owner are written OWNER.
 * Whether a column, constraint or index of a partition or child table is
 * its own or its parent's is not written either: the table's row says it
 * is a partition or a child, and which.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "retarget.h"
#include "schema_int.h"

/* " WORD value" when value is set */
static void
add(StringInfo buf, const char *word, const char *value)
{
	if (value == NULL)
		return;
	if (word)
		appendStringInfo(buf, " %s %s", word, value);
	else
		appendStringInfo(buf, " %s", value);
}

static void
add_list(StringInfo buf, char **list, int n, bool literals)
{
	appendStringInfoString(buf, " (");
	for (int i = 0; i < n; i++)
		appendStringInfo(buf, "%s%s", i > 0 ? ", " : "",
						 literals ? quote_literal_cstr(list[i]) : list[i]);
	appendStringInfoChar(buf, ')');
}

static void
describe_table(StringInfo buf, const SchemaObject *obj)
{
	const SchemaObject *a = obj;

	if (SA(a, TA_UNLOGGED))
		appendStringInfoString(buf, "UNLOGGED ");
	appendStringInfoString(buf, "TABLE");
	add_list(buf, obj->list, obj->nlist, false);
	add(buf, "OF", SA(a, TA_OFTYPE));
	if (SA(a, TA_INHERITS))
		appendStringInfo(buf, " INHERITS (%s)", SA(a, TA_INHERITS));
	if (SA(a, TA_PARENT))
		appendStringInfo(buf, " PARTITION OF %s %s", SA(a, TA_PARENT), SA(a, TA_BOUND));
	add(buf, "PARTITION BY", SA(a, TA_PARTKEY));
	add(buf, "USING", SA(a, TA_AM));
	if (SA(a, TA_OPTIONS))
		appendStringInfo(buf, " WITH (%s)", SA(a, TA_OPTIONS));
	if (SA(a, TA_RLS))
		appendStringInfoString(buf, " ROW LEVEL SECURITY");
	if (SA(a, TA_FORCE_RLS))
		appendStringInfoString(buf, " FORCE ROW LEVEL SECURITY");
	add(buf, "REPLICA IDENTITY", SA(a, TA_REPLIDENT));
}

static void
describe_column(StringInfo buf, const SchemaObject *obj)
{
	const SchemaObject *a = obj;

	appendStringInfoString(buf, SA(a, CA_TYPE));
	add(buf, "COLLATE", SA(a, CA_COLLATION));
	if (SA(a, CA_GENERATED))
		appendStringInfo(buf, " GENERATED ALWAYS AS (%s) %s",
						 SA(a, CA_GENERATED), SA(a, CA_GENKIND));
	if (SA(a, CA_IDENTITY))
		appendStringInfo(buf, " GENERATED %s AS IDENTITY (SEQUENCE NAME %s %s)",
						 SA(a, CA_IDENTITY), SA(a, CA_IDENTITY_NAME), SA(a, CA_IDENTITY_SEQ));
	add(buf, "DEFAULT", SA(a, CA_DEFAULT));
	add(buf, NULL, SA(a, CA_NOTNULL));
	add(buf, "STORAGE", SA(a, CA_STORAGE));
	add(buf, "COMPRESSION", SA(a, CA_COMPRESSION));
	add(buf, "STATISTICS", SA(a, CA_STATISTICS));
	if (SA(a, CA_OPTIONS))
		appendStringInfo(buf, " WITH (%s)", SA(a, CA_OPTIONS));
}

static void
describe_sequence(StringInfo buf, const SchemaObject *obj)
{
	const SchemaObject *a = obj;

	if (SA(a, QA_UNLOGGED))
		appendStringInfoString(buf, "UNLOGGED ");
	appendStringInfo(buf, "SEQUENCE AS %s START WITH %s INCREMENT BY %s"
					 " MINVALUE %s MAXVALUE %s CACHE %s %s",
					 SA(a, QA_TYPE), SA(a, QA_START), SA(a, QA_INCREMENT), SA(a, QA_MIN),
					 SA(a, QA_MAX), SA(a, QA_CACHE), SA(a, QA_CYCLE) ? "CYCLE" : "NO CYCLE");
	add(buf, "OWNED BY", SA(a, QA_OWNED_BY));
}

static void
describe_view(StringInfo buf, const SchemaObject *obj)
{
	appendStringInfoString(buf, obj->kind == SK_MATVIEW ? "MATERIALIZED VIEW" : "VIEW");
	add_list(buf, obj->list, obj->nlist, false);
	if (SA(obj, VA_OPTIONS))
		appendStringInfo(buf, " WITH (%s)", SA(obj, VA_OPTIONS));
	appendStringInfo(buf, " AS %s", SA(obj, VA_QUERY));
	add(buf, NULL, SA(obj, VA_NO_DATA));
}

static void
describe_policy(StringInfo buf, const SchemaObject *obj)
{
	const SchemaObject *a = obj;

	appendStringInfo(buf, "AS %s FOR %s TO %s", SA(a, PA_PERMISSIVE), SA(a, PA_COMMAND),
					 SA(a, PA_ROLES));
	if (SA(a, PA_USING))
		appendStringInfo(buf, " USING (%s)", SA(a, PA_USING));
	if (SA(a, PA_CHECK))
		appendStringInfo(buf, " WITH CHECK (%s)", SA(a, PA_CHECK));
}

static void
describe_range(StringInfo buf, const SchemaObject *obj)
{
	const SchemaObject *a = obj;

	appendStringInfo(buf, "RANGE (SUBTYPE = %s", SA(a, RA_SUBTYPE));
	if (SA(a, RA_OPCLASS))
		appendStringInfo(buf, ", SUBTYPE_OPCLASS = %s", SA(a, RA_OPCLASS));
	if (SA(a, RA_COLLATION))
		appendStringInfo(buf, ", COLLATION = %s", SA(a, RA_COLLATION));
	if (SA(a, RA_CANONICAL))
		appendStringInfo(buf, ", CANONICAL = %s", SA(a, RA_CANONICAL));
	if (SA(a, RA_SUBDIFF))
		appendStringInfo(buf, ", SUBTYPE_DIFF = %s", SA(a, RA_SUBDIFF));
	appendStringInfo(buf, ", MULTIRANGE_TYPE_NAME = %s)", SA(a, RA_MULTIRANGE));
}

/* constraints, indexes, triggers, rules, statistics: the deparsed text */
static void
describe_deparsed(StringInfo buf, const SchemaObject *obj)
{
	const SchemaObject *a = obj;

	if (obj->kind == SK_STATISTICS)
		appendStringInfo(buf, "STATISTICS %s", obj->ident);
	appendStringInfoString(buf, SA(a, XA_DEF));
	add(buf, NULL, SA(a, XA_NOT_VALID));
	add(buf, NULL, SA(a, XA_CLUSTER));
	add(buf, NULL, SA(a, XA_INVALID));
	add(buf, NULL, SA(a, XA_ENABLED));
	add(buf, "STATISTICS", SA(a, XA_STATTARGET));
}

/* Build the definition of one object from its properties. */
void
describe_object(SchemaModel *model, int index)
{
	SchemaObject *obj = &model->objects[index];
	const SchemaObject *a = obj;
	StringInfoData buf;

	initStringInfo(&buf);
	switch (obj->kind)
	{
		case SK_TABLE:
			describe_table(&buf, obj);
			break;
		case SK_COLUMN:
			describe_column(&buf, obj);
			break;
		case SK_SEQUENCE:
			describe_sequence(&buf, obj);
			break;
		case SK_VIEW:
		case SK_MATVIEW:
			describe_view(&buf, obj);
			break;
		case SK_FUNCTION:
		case SK_PROCEDURE:
			appendStringInfo(&buf, "%s %s%s",
							 obj->kind == SK_PROCEDURE ? "PROCEDURE" : "FUNCTION",
							 SA(a, FA_NAME), SA(a, FA_DEF));
			break;
		case SK_AGGREGATE:
			appendStringInfo(&buf, "AGGREGATE %s(%s) (%s)", SA(a, FA_NAME),
							 SA(a, FA_ARGUMENTS), SA(a, FA_DEF));
			break;
		case SK_POLICY:
			describe_policy(&buf, obj);
			break;
		case SK_ENUM:
			appendStringInfoString(&buf, "ENUM");
			add_list(&buf, obj->list, obj->nlist, true);
			break;
		case SK_COMPOSITE:
			appendStringInfoString(&buf, "TYPE AS");
			add_list(&buf, obj->list, obj->nlist, false);
			break;
		case SK_DOMAIN:
			appendStringInfo(&buf, "DOMAIN AS %s", SA(a, DA_BASETYPE));
			add(&buf, "COLLATE", SA(a, DA_COLLATION));
			add(&buf, "DEFAULT", SA(a, DA_DEFAULT));
			add(&buf, NULL, SA(a, DA_NOTNULL));
			break;
		case SK_RANGE:
			describe_range(&buf, obj);
			break;
		case SK_VIEW_COLUMN:
			break;
		case SK_SCHEMA:
			appendStringInfoString(&buf, "SCHEMA");
			break;
		case SK_DEFAULT_ACL:
			appendStringInfoString(&buf, "GRANT");
			for (int i = 0; i < obj->nacl; i++)
				appendStringInfo(&buf, "%s %s", i > 0 ? "," : "", obj->acl[i]);
			break;
		default:
			describe_deparsed(&buf, obj);
			break;
	}

	/*
	 * A relative model names its own schema nowhere: an object that names
	 * it (or the schema it is compared with) reads the same in either.
	 */
	obj->definition = model->schema == NULL ? buf.data :
		sql_relative_schema(buf.data, model->schema, model->peer);
}

static bool
same_list(char **a, int na, char **b, int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static bool
in_list(char **list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/*
 * Privileges as a row shows them: the entries, sorted, except that the
 * owner's default privileges, when all held, read OWNER=ALL (the list of
 * them changes between server versions).
 */
static char *
privileges_text(const SchemaObject *obj)
{
	StringInfoData buf;
	int			nowner = 0;
	bool		all = true;

	for (int i = 0; i < obj->nacl_default; i++)
	{
		if (strncmp(obj->acl_default[i], "OWNER=", 6) != 0)
			continue;
		nowner++;
		if (!in_list(obj->acl, obj->nacl, obj->acl_default[i]))
			all = false;
	}
	all = all && nowner > 0;
	initStringInfo(&buf);
	if (all)
		appendStringInfoString(&buf, "OWNER=ALL");
	for (int i = 0; i < obj->nacl; i++)
	{
		if (all && strncmp(obj->acl[i], "OWNER=", 6) == 0 &&
			in_list(obj->acl_default, obj->nacl_default, obj->acl[i]))
			continue;
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", obj->acl[i]);
	}
	return buf.data;
}

static int
cmp_row(const void *a, const void *b)
{
	const SchemaRow *x = a;
	const SchemaRow *y = b;
	int			c = strcmp(x->kind, y->kind);

	return c != 0 ? c : strcmp(x->name, y->name);
}

/*
 * The rows: each object's, then a "comment" row for each comment and a
 * "privilege" row for each object whose privileges are not those a new
 * object of its kind gets; named after their object ("column t.a").
 */
SchemaRow *
schema_model_rows(const SchemaModel *model, int *nrows)
{
	SchemaRow  *rows = palloc(sizeof(SchemaRow) * (model->nobjects * 3 + 1));
	int			n = 0;

	for (int i = 0; i < model->nobjects; i++)
	{
		const SchemaObject *obj = &model->objects[i];
		const char *kind = schema_kinds[obj->kind].name;

		if (obj->kind != SK_VIEW_COLUMN)
		{
			rows[n].kind = kind;
			rows[n].name = obj->name;
			rows[n].definition = obj->definition;
			rows[n].object = obj;
			n++;
		}
		if (obj->comment)
		{
			rows[n].kind = "comment";
			rows[n].name = psprintf("%s %s", kind, obj->name);
			rows[n].definition = obj->comment;
			rows[n].object = obj;
			n++;
		}
		if (obj->has_acl &&
			!same_list(obj->acl, obj->nacl, obj->acl_default, obj->nacl_default))
		{
			rows[n].kind = "privilege";
			rows[n].name = psprintf("%s %s", kind, obj->name);
			rows[n].definition = privileges_text(obj);
			rows[n].object = obj;
			n++;
		}
	}
	qsort(rows, n, sizeof(SchemaRow), cmp_row);
	*nrows = n;
	return rows;
}

/* Sort rows gathered from several models as schema_model_rows() does. */
void
schema_rows_sort(SchemaRow *rows, int nrows)
{
	qsort(rows, nrows, sizeof(SchemaRow), cmp_row);
}

/*
 * sha256 of the rows in order, each field followed by a zero byte (no
 * field holds one), as 64 hex digits.
 */
char *
schema_model_hash(const SchemaModel *model)
{
	int			n;
	SchemaRow  *rows = schema_model_rows(model, &n);
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);

	if (pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize sha256: %s", pg_cryptohash_error(ctx));
	for (int i = 0; i < n; i++)
	{
		const char *fields[3] = {rows[i].kind, rows[i].name, rows[i].definition};

		for (int f = 0; f < 3; f++)
			if (pg_cryptohash_update(ctx, (const uint8 *) fields[f], strlen(fields[f]) + 1) < 0)
				elog(ERROR, "could not compute sha256: %s", pg_cryptohash_error(ctx));
	}
	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute sha256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	for (int i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
		sprintf(hex + i * 2, "%02x", digest[i]);
	pfree(rows);
	return hex;
}

/* The index of the object of that kind and name, or -1. */
int
schema_find(const SchemaModel *model, SchemaKind kind, const char *name)
{
	int			lo = 0;
	int			hi = model->nobjects - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		const SchemaObject *obj = &model->objects[mid];
		int			c = obj->kind != kind ? (obj->kind < kind ? -1 : 1) :
			strcmp(obj->name, name);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}
