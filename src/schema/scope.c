/*-------------------------------------------------------------------------
 *
 * scope.c
 *	  What a piece of work touched, in the schema model's terms: the homes
 *	  of the objects whose description it may have changed.
 *
 * Every object of the model has a home, a catalog address: its own (a
 * table, an index, a constraint, a trigger, a function, a type), or its
 * table's for a column.  The objects a piece of work may have changed are
 * found from the catalog rows the transaction wrote since a mark
 * (util/catwrites.c), whether it inserted, updated or deleted them: each
 * row names the object it describes (pg_attribute.attrelid, pg_index
 * .indexrelid, pg_description's object, pg_depend's dependent object).
 * Their dependents in pg_depend, transitively, are added: a view's query,
 * an index's definition and a foreign key name the relations and columns
 * they use, and read differently when those are renamed, without a row of
 * theirs being written; so are the objects they are part of (the targets of
 * their internal dependencies: the view of a rewrite rule, the constraint
 * of an index, the table of an identity sequence).  Each object is then
 * mapped to its home.  A home stands for every object that has it, which
 * can only ever make the scope larger than needed, never smaller.
 *
 * What the model cannot tie to homes makes the scope "everything": rows of
 * pg_namespace (a schema made, renamed or dropped), pg_default_acl, roles,
 * and the kinds of objects the model reads as a whole (collations,
 * operators and their classes and families, text search objects, foreign
 * tables and servers, extensions).  A caller then describes every schema,
 * as it would have without a scope.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_am.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_conversion.h"
#include "catalog/pg_default_acl.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_description.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_language.h"
#include "catalog/pg_largeobject_metadata.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_partitioned_table.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_publication.h"
#include "catalog/pg_publication_namespace.h"
#include "catalog/pg_publication_rel.h"
#include "catalog/pg_range.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_sequence.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_transform.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_ts_config.h"
#include "catalog/pg_ts_config_map.h"
#include "catalog/pg_ts_dict.h"
#include "catalog/pg_ts_parser.h"
#include "catalog/pg_ts_template.h"
#include "catalog/pg_type.h"
#include "catalog/pg_user_mapping.h"
#include "miscadmin.h"
#include "rewrite/rewriteSupport.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "schema_int.h"

/* more objects than this in a scope: describing everything costs less */
#define SCOPE_MAX_OBJECTS 100000

/* the scope being built */
typedef struct Touched
{
	HTAB	   *seen;			/* SchemaHome -> (itself): objects met */
	SchemaHome *queue;			/* objects whose dependents are to be read */
	int			nqueue;
	int			maxqueue;
	bool		everything;
} Touched;

/* the catalogs whose rows name no home: a write to one is "everything" */
static const Oid whole_catalogs[] = {
	NamespaceRelationId, DefaultAclRelationId, AuthIdRelationId,
	CollationRelationId, ConversionRelationId, OperatorRelationId,
	OperatorClassRelationId, OperatorFamilyRelationId,
	AccessMethodOperatorRelationId, AccessMethodProcedureRelationId,
	AccessMethodRelationId, TSConfigRelationId, TSConfigMapRelationId,
	TSDictionaryRelationId, TSParserRelationId, TSTemplateRelationId,
	ForeignTableRelationId, ForeignServerRelationId,
	ForeignDataWrapperRelationId, ExtensionRelationId,
};

/* objects the model does not describe: what depends on them is not read */
static const Oid ignored_classes[] = {
	CastRelationId, TransformRelationId, EventTriggerRelationId,
	LanguageRelationId, PublicationRelationId, PublicationRelRelationId,
	PublicationNamespaceRelationId, LargeObjectMetadataRelationId,
	UserMappingRelationId,
};

/* the classes of objects that are homes, or parts of one */
static bool
model_class(Oid classid)
{
	switch (classid)
	{
		case RelationRelationId:
		case TypeRelationId:
		case ProcedureRelationId:
		case ConstraintRelationId:
		case AttrDefaultRelationId:
		case TriggerRelationId:
		case RewriteRelationId:
		case PolicyRelationId:
		case StatisticExtRelationId:
			return true;
		default:
			return false;
	}
}

static bool
in_list(const Oid *list, int n, Oid classid)
{
	for (int i = 0; i < n; i++)
		if (list[i] == classid)
			return true;
	return false;
}

/* An object met: its dependents are read in turn. */
static void
touch(Touched *t, Oid classid, Oid objid)
{
	SchemaHome	key;
	bool		found;

	if (t->everything || !OidIsValid(objid))
		return;
	if (!model_class(classid))
	{
		if (!in_list(ignored_classes, lengthof(ignored_classes), classid))
			t->everything = true;
		return;
	}
	key.classid = classid;
	key.objid = objid;
	(void) hash_search(t->seen, &key, HASH_ENTER, &found);
	if (found)
		return;
	if (hash_get_num_entries(t->seen) > SCOPE_MAX_OBJECTS)
	{
		t->everything = true;
		return;
	}
	if (t->nqueue == t->maxqueue)
	{
		t->maxqueue *= 2;
		t->queue = repalloc(t->queue, sizeof(SchemaHome) * t->maxqueue);
	}
	t->queue[t->nqueue++] = key;
}

/*
 * The object a written row describes.  Fixed-width columns only, read from
 * the row itself: the row may be one the transaction deleted since.
 */
static void
touch_row(Relation catalog, HeapTuple tuple, int what, void *arg)
{
	Touched    *t = (Touched *) arg;
	void	   *row = GETSTRUCT(tuple);

	switch (RelationGetRelid(catalog))
	{
		case RelationRelationId:
			touch(t, RelationRelationId, ((Form_pg_class) row)->oid);
			break;
		case AttributeRelationId:
			touch(t, RelationRelationId, ((Form_pg_attribute) row)->attrelid);
			break;
		case AttrDefaultRelationId:
			touch(t, AttrDefaultRelationId, ((Form_pg_attrdef) row)->oid);
			touch(t, RelationRelationId, ((Form_pg_attrdef) row)->adrelid);
			break;
		case ConstraintRelationId:
			touch(t, ConstraintRelationId, ((Form_pg_constraint) row)->oid);
			break;
		case IndexRelationId:
			touch(t, RelationRelationId, ((Form_pg_index) row)->indexrelid);
			break;
		case InheritsRelationId:
			touch(t, RelationRelationId, ((Form_pg_inherits) row)->inhrelid);
			break;
		case SequenceRelationId:
			touch(t, RelationRelationId, ((Form_pg_sequence) row)->seqrelid);
			break;
		case PartitionedRelationId:
			touch(t, RelationRelationId, ((Form_pg_partitioned_table) row)->partrelid);
			break;
		case TriggerRelationId:
			touch(t, TriggerRelationId, ((Form_pg_trigger) row)->oid);
			break;
		case RewriteRelationId:
			touch(t, RewriteRelationId, ((Form_pg_rewrite) row)->oid);
			/* a view's own rule: the view, even once dropped */
			if (strcmp(NameStr(((Form_pg_rewrite) row)->rulename), ViewSelectRuleName) == 0)
				touch(t, RelationRelationId, ((Form_pg_rewrite) row)->ev_class);
			break;
		case PolicyRelationId:
			touch(t, PolicyRelationId, ((Form_pg_policy) row)->oid);
			break;
		case StatisticExtRelationId:
			touch(t, StatisticExtRelationId, ((Form_pg_statistic_ext) row)->oid);
			break;
		case TypeRelationId:
			touch(t, TypeRelationId, ((Form_pg_type) row)->oid);
			break;
		case EnumRelationId:
			touch(t, TypeRelationId, ((Form_pg_enum) row)->enumtypid);
			break;
		case RangeRelationId:
			touch(t, TypeRelationId, ((Form_pg_range) row)->rngtypid);
			break;
		case ProcedureRelationId:
			touch(t, ProcedureRelationId, ((Form_pg_proc) row)->oid);
			break;
		case AggregateRelationId:
			touch(t, ProcedureRelationId, ((Form_pg_aggregate) row)->aggfnoid);
			break;
		case DescriptionRelationId:
			touch(t, ((Form_pg_description) row)->classoid,
				  ((Form_pg_description) row)->objoid);
			break;
		case DependRelationId:
			touch(t, ((Form_pg_depend) row)->classid, ((Form_pg_depend) row)->objid);
			break;
		default:
			t->everything = true;
			break;
	}
}

/* the catalogs whose rows name an object of the model */
static const Oid object_catalogs[] = {
	RelationRelationId, AttributeRelationId, AttrDefaultRelationId,
	ConstraintRelationId, IndexRelationId, InheritsRelationId,
	SequenceRelationId, PartitionedRelationId, TriggerRelationId,
	RewriteRelationId, PolicyRelationId, StatisticExtRelationId,
	TypeRelationId, EnumRelationId, RangeRelationId, ProcedureRelationId,
	AggregateRelationId, DescriptionRelationId, DependRelationId,
};

/* a write to a catalog that names no home */
static void
touch_whole(Relation catalog, HeapTuple tuple, int what, void *arg)
{
	((Touched *) arg)->everything = true;
}

/*
 * The objects related to one object through pg_depend: those that depend
 * on it (index on the referenced side), and those it is an internal part
 * of (index on the dependent side).
 */
static void
touch_related(Touched *t, Relation depend, const SchemaHome *obj)
{
	static const struct
	{
		Oid			index;
		AttrNumber	classcol;
		AttrNumber	objcol;
	}			sides[2] = {
		{DependReferenceIndexId, Anum_pg_depend_refclassid, Anum_pg_depend_refobjid},
		{DependDependerIndexId, Anum_pg_depend_classid, Anum_pg_depend_objid},
	};

	for (int s = 0; s < 2; s++)
	{
		ScanKeyData key[2];
		SysScanDesc scan;
		HeapTuple	tuple;

		ScanKeyInit(&key[0], sides[s].classcol, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(obj->classid));
		ScanKeyInit(&key[1], sides[s].objcol, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(obj->objid));
		scan = systable_beginscan(depend, sides[s].index, true, NULL, 2, key);
		while ((tuple = systable_getnext(scan)) != NULL)
		{
			Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tuple);

			if (d->deptype == DEPENDENCY_EXTENSION ||
				d->deptype == DEPENDENCY_AUTO_EXTENSION)
				continue;
			if (s == 0)
				touch(t, d->classid, d->objid);
			else if (d->deptype == DEPENDENCY_INTERNAL)
				touch(t, d->refclassid, d->refobjid);
		}
		systable_endscan(scan);
	}
}

/* the index on the object ids of a catalog of homes */
static Oid
oid_index(Oid classid)
{
	switch (classid)
	{
		case RelationRelationId:
			return ClassOidIndexId;
		case TypeRelationId:
			return TypeOidIndexId;
		case ProcedureRelationId:
			return ProcedureOidIndexId;
		case ConstraintRelationId:
			return ConstraintOidIndexId;
		case AttrDefaultRelationId:
			return AttrDefaultOidIndexId;
		case TriggerRelationId:
			return TriggerOidIndexId;
		case RewriteRelationId:
			return RewriteOidIndexId;
		case PolicyRelationId:
			return PolicyOidIndexId;
		case StatisticExtRelationId:
			return StatisticExtOidIndexId;
		default:
			elog(ERROR, "no object of catalog %u is a home", classid);
			return InvalidOid;	/* keep the compiler quiet */
	}
}

/*
 * The row of an object of a catalog of homes (its object id is the first
 * column of each), as the catalogs are now; NULL when there is none.
 */
static HeapTuple
object_row(Oid classid, Oid objid)
{
	Relation	rel = table_open(classid, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(objid));
	scan = systable_beginscan(rel, oid_index(classid), true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		tuple = heap_copytuple(tuple);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return tuple;
}

/*
 * The home of an object of the model: the object itself, but for a
 * column's default (its table), a composite type's relation (the type) and
 * a table's row type (the table).
 */
static SchemaHome
home_of(const SchemaHome *obj)
{
	SchemaHome	home = *obj;

	if (obj->classid == RelationRelationId)
	{
		HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(obj->objid));

		if (HeapTupleIsValid(tuple))
		{
			Form_pg_class rel = (Form_pg_class) GETSTRUCT(tuple);

			if (rel->relkind == RELKIND_COMPOSITE_TYPE)
			{
				home.classid = TypeRelationId;
				home.objid = rel->reltype;
			}
			ReleaseSysCache(tuple);
		}
	}
	else if (obj->classid == TypeRelationId)
	{
		HeapTuple	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(obj->objid));

		if (HeapTupleIsValid(tuple))
		{
			Form_pg_type type = (Form_pg_type) GETSTRUCT(tuple);

			if (OidIsValid(type->typrelid) &&
				get_rel_relkind(type->typrelid) != RELKIND_COMPOSITE_TYPE)
			{
				home.classid = RelationRelationId;
				home.objid = type->typrelid;
			}
			ReleaseSysCache(tuple);
		}
	}
	else if (obj->classid == AttrDefaultRelationId)
	{
		HeapTuple	tuple = object_row(AttrDefaultRelationId, obj->objid);

		if (HeapTupleIsValid(tuple))
		{
			home.classid = RelationRelationId;
			home.objid = ((Form_pg_attrdef) GETSTRUCT(tuple))->adrelid;
			heap_freetuple(tuple);
		}
	}
	return home;
}

static int
cmp_home(const void *a, const void *b)
{
	const SchemaHome *x = a;
	const SchemaHome *y = b;

	if (x->classid != y->classid)
		return x->classid < y->classid ? -1 : 1;
	if (x->objid != y->objid)
		return x->objid < y->objid ? -1 : 1;
	return 0;
}

/*
 * What the current transaction wrote since the mark, as a scope.  The
 * dependents are read as the catalogs are now.
 */
SchemaScope *
schema_scope_touched(const CatalogMark *since)
{
	SchemaScope *scope = palloc0(sizeof(SchemaScope));
	Touched		t;
	HASHCTL		hctl;
	Relation	depend;
	HASH_SEQ_STATUS status;
	SchemaHome *obj;
	int			n = 0;

	memset(&t, 0, sizeof(t));
	hctl.keysize = sizeof(SchemaHome);
	hctl.entrysize = sizeof(SchemaHome);
	hctl.hcxt = CurrentMemoryContext;
	t.seen = hash_create("schema scope", 256, &hctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	t.maxqueue = 64;
	t.queue = palloc(sizeof(SchemaHome) * t.maxqueue);

	for (int i = 0; i < (int) lengthof(whole_catalogs) && !t.everything; i++)
		CatalogWrites(whole_catalogs[i], since, touch_whole, &t);
	for (int i = 0; i < (int) lengthof(object_catalogs) && !t.everything; i++)
		CatalogWrites(object_catalogs[i], since, touch_row, &t);

	depend = table_open(DependRelationId, AccessShareLock);
	while (t.nqueue > 0 && !t.everything)
	{
		SchemaHome	next = t.queue[--t.nqueue];

		CHECK_FOR_INTERRUPTS();
		touch_related(&t, depend, &next);
	}
	table_close(depend, AccessShareLock);

	if (t.everything)
	{
		scope->everything = true;
		hash_destroy(t.seen);
		return scope;
	}
	scope->homes = palloc(sizeof(SchemaHome) * Max(hash_get_num_entries(t.seen), 1));
	hash_seq_init(&status, t.seen);
	while ((obj = hash_seq_search(&status)) != NULL)
		scope->homes[n++] = home_of(obj);
	qsort(scope->homes, n, sizeof(SchemaHome), cmp_home);
	/* several objects may share a home */
	scope->nhomes = 0;
	for (int i = 0; i < n; i++)
		if (scope->nhomes == 0 ||
			cmp_home(&scope->homes[scope->nhomes - 1], &scope->homes[i]) != 0)
			scope->homes[scope->nhomes++] = scope->homes[i];
	hash_destroy(t.seen);
	pfree(t.queue);
	return scope;
}

/* whether the scope holds the home (always, for "everything") */
bool
schema_scope_has(const SchemaScope *scope, const SchemaHome *home)
{
	if (scope->everything)
		return true;
	return bsearch(home, scope->homes, scope->nhomes, sizeof(SchemaHome),
				   cmp_home) != NULL;
}

/*
 * A scope of the given homes (copied, sorted, without duplicates).
 */
SchemaScope *
schema_scope_make(const SchemaHome *homes, int n)
{
	SchemaScope *scope = palloc0(sizeof(SchemaScope));

	scope->homes = palloc(sizeof(SchemaHome) * Max(n, 1));
	memcpy(scope->homes, homes, sizeof(SchemaHome) * n);
	qsort(scope->homes, n, sizeof(SchemaHome), cmp_home);
	for (int i = 0; i < n; i++)
		if (scope->nhomes == 0 ||
			cmp_home(&scope->homes[scope->nhomes - 1], &scope->homes[i]) != 0)
			scope->homes[scope->nhomes++] = scope->homes[i];
	return scope;
}

/* whether the object a home names exists now */
bool
schema_home_exists(const SchemaHome *home)
{
	HeapTuple	tuple = object_row(home->classid, home->objid);

	if (!HeapTupleIsValid(tuple))
		return false;
	heap_freetuple(tuple);
	return true;
}
