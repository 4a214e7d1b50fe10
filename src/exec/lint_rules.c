/*-------------------------------------------------------------------------
 *
 * lint_rules.c
 *	  The rules of lint(): what makes a statement of a revision a hazard
 *	  to the database it is about to run on.
 *
 * lint() (lint.c) tries the pending revisions in a run that is rolled
 * back, and shows this file each utility statement of each body as it
 * runs (statement_hook.c): its parse tree before it runs, with its names
 * resolved as the statement will resolve them, and again once it has run.
 * A statement is judged against the database as it is at that moment: the
 * rows and size of the tables it touches, whether a table existed before
 * the trial (one an earlier revision of the same deploy creates is new and
 * empty, and nobody uses it yet), the constraints there are, and what the
 * statement did (a table rewritten shows a new relfilenode; a lock the
 * transaction now holds).  A non-transactional revision cannot be tried:
 * its statements are parsed from its text and judged by what they say
 * against the database as it is (LintStatement).
 *
 * Rules that are about locks and scans ask for an existing table with
 * rows: on an empty one the lock is held for an instant.  Each rule, with
 * its reason and the safe way to write the same intent, is documented in
 * doc/safe-changes.md; the hints below say the same in a sentence.
 *
 *	index-without-concurrently	CREATE INDEX, REINDEX, or a PRIMARY KEY,
 *					UNIQUE or EXCLUDE constraint that builds its index,
 *					on an existing table
 *	table-rewrite	a statement that rewrote an existing table (a type
 *					change, SET LOGGED, CLUSTER, VACUUM FULL, ...)
 *	volatile-default	ADD COLUMN whose default rewrote the table
 *	not-null-scan	SET NOT NULL without a valid CHECK (col IS NOT NULL)
 *	foreign-key-validates, check-validates	a constraint added without
 *					NOT VALID
 *	drops-data		a table or column with rows dropped, or TRUNCATE
 *	rename			a table or column renamed while the application
 *					still uses its name
 *	cascade-other-project	DROP ... CASCADE that dropped a relation in a
 *					schema of another project
 *	long-lock		a long statement while an ACCESS EXCLUSIVE lock an
 *					earlier statement took on another table is held
 *	no-downgrade, fails	(lint.c) a revision without a downgrade body;
 *					one that fails against this database
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "migrate.h"
#include "util/trust.h"

/* tables larger than this are not counted: their rows are estimated */
#define COUNT_LIMIT_BYTES (64 * 1024 * 1024)

/* a relation that existed before the trial */
typedef struct LintRel
{
	Oid			oid;
	char		relkind;
	char	   *name;			/* qualified */
	char	   *nspname;
} LintRel;

/* a table an earlier statement took ACCESS EXCLUSIVE on */
typedef struct LockedRel
{
	Oid			oid;
	const char *revision;
} LockedRel;

/* what the statement under way is expected to do, for after it */
typedef struct Expect
{
	Oid			relid;			/* a table it may rewrite; InvalidOid: none */
	Oid			filenode;		/* its relfilenode before */
	bool		adds_default;	/* ADD COLUMN with a default */
	bool		cascade;		/* DROP ... CASCADE */
	bool		long_running;	/* a finding says it scans or rewrites */
	List	   *named;			/* relations it names, by oid */
} Expect;

struct LintState
{
	StatementWatch watch;
	MemoryContext context;		/* what must outlive a statement */
	const char *project;
	bool		keeps;			/* the project keeps dropped data */
	const char *revision;		/* the step under way */
	bool		tried;			/* its statements run (not only parsed) */
	LintRel    *rels;			/* sorted by oid */
	int			nrels;
	char	  **other_schemas;	/* schemas of other projects */
	char	  **other_projects;
	int			nother;
	List	   *locked;			/* LockedRel */
	Expect	   *cur;			/* the statement under way */
	List	   *expects;		/* and those it runs inside (a DO block) */
	List	   *findings;		/* LintFinding */
};

static int
cmp_rel(const void *a, const void *b)
{
	Oid			x = ((const LintRel *) a)->oid;
	Oid			y = ((const LintRel *) b)->oid;

	return x < y ? -1 : x > y ? 1 : 0;
}

static LintRel *
existing(const LintState *ls, Oid relid)
{
	LintRel		key;

	if (!OidIsValid(relid))
		return NULL;
	key.oid = relid;
	return bsearch(&key, ls->rels, ls->nrels, sizeof(LintRel), cmp_rel);
}

static void
add_finding(LintState *ls, const char *rule, const char *statement,
			const char *detail, const char *hint)
{
	MemoryContext oldcontext = MemoryContextSwitchTo(ls->context);
	LintFinding *f = palloc(sizeof(LintFinding));

	f->revision = ls->revision;
	f->rule = rule;
	f->statement = statement ? pstrdup(statement) : NULL;
	f->detail = pstrdup(detail);
	f->hint = pstrdup(hint);
	ls->findings = lappend(ls->findings, f);
	MemoryContextSwitchTo(oldcontext);
}

/*
 * The rows of a table, counted (estimated past COUNT_LIMIT_BYTES), and its
 * size with its indexes and TOAST, as "public.orders (1000 rows, 72 kB)".
 */
static char *
table_text(const LintRel *rel, int64 *rows_out)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	bool		isnull;
	int64		bytes;
	int64		rows;
	bool		estimated;
	char	   *size;
	int			rc;

	args[0] = ObjectIdGetDatum(rel->oid);
	/* a partitioned table has no storage: its partitions have */
	rc = SPI_execute_with_args(rel->relkind != RELKIND_PARTITIONED_TABLE ?
							   "SELECT pg_catalog.pg_relation_size($1::pg_catalog.regclass),"
							   " pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size($1::pg_catalog.regclass)),"
							   " GREATEST(c.reltuples, 0)::pg_catalog.int8"
							   " FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) $1" :
							   "SELECT COALESCE(pg_catalog.sum(pg_catalog.pg_relation_size(t.relid)), 0)::pg_catalog.int8,"
							   " pg_catalog.pg_size_pretty(COALESCE(pg_catalog.sum(pg_catalog.pg_total_relation_size(t.relid)), 0)::pg_catalog.int8),"
							   " COALESCE(pg_catalog.sum(GREATEST(c.reltuples, 0)), 0)::pg_catalog.int8"
							   " FROM pg_catalog.pg_partition_tree($1::pg_catalog.regclass) t"
							   " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid"
							   " WHERE t.isleaf",
							   1, argtypes, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the size of %s", rel->name);
	bytes = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	size = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	rows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	estimated = bytes > COUNT_LIMIT_BYTES;
	if (!estimated && !TrustMayRead(rel->oid, TrustTableActor(rel->oid)))
		estimated = true;
	else if (!estimated)
	{
		Oid			save_userid;
		int			save_sec_context;

		/*
		 * As the table's owner, in a security-restricted operation (as
		 * ANALYZE reads it): its row security policies are the owner's code,
		 * and must not run with the rights of the runner.
		 */
		TrustBecome(TrustTableActor(rel->oid), &save_userid, &save_sec_context);
		rc = SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM %s", rel->name), false, 0);
		SetUserIdAndSecContext(save_userid, save_sec_context);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not count the rows of %s", rel->name);
		rows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		estimated = false;
	}
	*rows_out = rows;
	return psprintf("%s (%s" INT64_FORMAT " rows, %s)", rel->name,
					estimated ? "about " : "", rows, size);
}

/*
 * The existing table a statement is about, with rows: its description,
 * or NULL for a table made since the trial began, or one without rows.
 */
static char *
busy_table(LintState *ls, Oid relid)
{
	LintRel    *rel = existing(ls, relid);
	int64		rows;
	char	   *text;

	if (rel == NULL || (rel->relkind != RELKIND_RELATION &&
						rel->relkind != RELKIND_PARTITIONED_TABLE &&
						rel->relkind != RELKIND_MATVIEW))
		return NULL;
	text = table_text(rel, &rows);
	return rows > 0 ? text : NULL;
}

static Oid
resolve(const RangeVar *rv)
{
	return rv == NULL ? InvalidOid : RangeVarGetRelid(rv, NoLock, true);
}

static Oid
filenode_of(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			filenode = InvalidOid;

	if (HeapTupleIsValid(tuple))
	{
		filenode = ((Form_pg_class) GETSTRUCT(tuple))->relfilenode;
		ReleaseSysCache(tuple);
	}
	return filenode;
}

/* the statement may rewrite relid: look at it afterwards */
static void
expect_rewrite(LintState *ls, Oid relid)
{
	if (existing(ls, relid) == NULL || OidIsValid(ls->cur->relid))
		return;
	ls->cur->relid = relid;
	ls->cur->filenode = filenode_of(relid);
}

/*
 * Whether the table has a validated CHECK constraint that proves the
 * column NOT NULL, which lets SET NOT NULL skip its scan.
 */
static bool
proven_not_null(Oid relid, const char *column)
{
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];
	int			rc;

	args[0] = ObjectIdGetDatum(relid);
	args[1] = CStringGetTextDatum(psprintf("CHECK ((%s IS NOT NULL))", quote_identifier(column)));
	rc = SPI_execute_with_args("SELECT FROM pg_catalog.pg_constraint c"
							   " WHERE c.conrelid OPERATOR(pg_catalog.=) $1"
							   " AND c.contype OPERATOR(pg_catalog.=) 'c' AND c.convalidated"
							   " AND pg_catalog.pg_get_constraintdef(c.oid) OPERATOR(pg_catalog.=) $2",
							   2, argtypes, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the constraints of relation %u", relid);
	return SPI_processed > 0;
}

static bool
is_not_null(Oid relid, const char *column)
{
	AttrNumber	attnum = get_attnum(relid, column);
	HeapTuple	tuple;
	bool		notnull = false;

	if (attnum <= 0)
		return false;
	tuple = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
	if (HeapTupleIsValid(tuple))
	{
		notnull = ((Form_pg_attribute) GETSTRUCT(tuple))->attnotnull;
		ReleaseSysCache(tuple);
	}
	return notnull;
}

static const char *
kept_text(const LintState *ls)
{
	if (!ls->tried)
		return "they are not kept: the revision runs outside a transaction, statement by statement, where migrate keeps nothing";
	if (!ls->keeps)
		return "they are not kept: the project was configured with keep_dropped_data => false";
	return "migrate keeps them, and the opposite step of the revision puts them back (migrate.kept_data lists them)";
}

/* a statement that scans or rewrites an existing table was found */
static void
long_running(LintState *ls, Oid relid)
{
	ls->cur->long_running = true;
	if (!OidIsValid(ls->cur->relid))
	{
		ls->cur->relid = relid;
		ls->cur->filenode = filenode_of(relid);
	}
}

static void
judge_index(LintState *ls, IndexStmt *stmt, const char *text)
{
	Oid			relid = resolve(stmt->relation);
	char	   *table;

	if (stmt->concurrent || (table = busy_table(ls, relid)) == NULL)
		return;
	add_finding(ls, "index-without-concurrently", text,
				psprintf("CREATE INDEX on %s holds a SHARE lock, which blocks its writes, while it reads every row; the lock is kept until the deploy commits.",
						 table),
				"Create the index with CREATE INDEX CONCURRENTLY, alone in a revision registered with transactional => false and run by CALL migrate.apply().");
	long_running(ls, relid);
}

static void
judge_reindex(LintState *ls, ReindexStmt *stmt, const char *text)
{
	ListCell   *lc;
	Oid			relid;
	char	   *table;

	foreach(lc, stmt->params)
		if (strcmp(((DefElem *) lfirst(lc))->defname, "concurrently") == 0 &&
			defGetBoolean((DefElem *) lfirst(lc)))
			return;
	if (stmt->kind != REINDEX_OBJECT_INDEX && stmt->kind != REINDEX_OBJECT_TABLE)
		return;
	relid = resolve(stmt->relation);
	if (OidIsValid(relid) && stmt->kind == REINDEX_OBJECT_INDEX)
		relid = IndexGetRelation(relid, true);
	if ((table = busy_table(ls, relid)) == NULL)
		return;
	add_finding(ls, "index-without-concurrently", text,
				psprintf("REINDEX on %s blocks its writes, and reads of the indexes it rebuilds, until the deploy commits.",
						 table),
				"Use REINDEX ... CONCURRENTLY, alone in a revision registered with transactional => false and run by CALL migrate.apply().");
	long_running(ls, relid);
}

static void
judge_constraint(LintState *ls, Oid relid, Constraint *con, const char *text,
				 const char *table)
{
	switch (con->contype)
	{
		case CONSTR_FOREIGN:
			if (con->skip_validation)
				return;
			add_finding(ls, "foreign-key-validates", text,
						psprintf("Adding the foreign key checks every row of %s while it holds a SHARE ROW EXCLUSIVE lock, which blocks writes to it and to the table it references.",
								 table),
						"Add the foreign key NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in a later revision: validating blocks no writes.");
			break;
		case CONSTR_CHECK:
			if (con->skip_validation)
				return;
			add_finding(ls, "check-validates", text,
						psprintf("Adding the CHECK constraint reads every row of %s under an ACCESS EXCLUSIVE lock: reads and writes wait.",
								 table),
						"Add the constraint NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in a later revision: validating blocks no reads or writes.");
			break;
		case CONSTR_NOTNULL:
			if (con->skip_validation)
				return;
			add_finding(ls, "not-null-scan", text,
						psprintf("The NOT NULL constraint reads every row of %s under an ACCESS EXCLUSIVE lock: reads and writes wait.",
								 table),
						"Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later revision, then SET NOT NULL, which uses the check instead of reading the rows.");
			break;
		case CONSTR_PRIMARY:
		case CONSTR_UNIQUE:
		case CONSTR_EXCLUSION:
			if (con->indexname != NULL)
				return;			/* USING INDEX: the index exists already */
			add_finding(ls, "index-without-concurrently", text,
						psprintf("The constraint builds its index on %s under an ACCESS EXCLUSIVE lock: reads and writes wait until the deploy commits.",
								 table),
						"Build the index first with CREATE UNIQUE INDEX CONCURRENTLY (a revision registered with transactional => false), then ADD CONSTRAINT ... USING INDEX.");
			break;
		default:
			return;
	}
	long_running(ls, relid);
}

static void
judge_alter(LintState *ls, AlterTableStmt *stmt, const char *text)
{
	Oid			relid;
	char	   *table = NULL;
	bool		looked = false;
	ListCell   *lc;

	if (stmt->objtype != OBJECT_TABLE && stmt->objtype != OBJECT_MATVIEW)
		return;
	relid = resolve(stmt->relation);
	if (existing(ls, relid) == NULL)
		return;
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (!looked)
		{
			table = busy_table(ls, relid);
			looked = true;
		}
		switch (cmd->subtype)
		{
			case AT_AddColumn:
				{
					ColumnDef  *def = castNode(ColumnDef, cmd->def);
					ListCell   *c;

					if (def->raw_default != NULL)
						ls->cur->adds_default = true;
					foreach(c, def->constraints)
						if (castNode(Constraint, lfirst(c))->contype == CONSTR_DEFAULT)
							ls->cur->adds_default = true;
					expect_rewrite(ls, relid);
					break;
				}
			case AT_AlterColumnType:
			case AT_SetLogged:
			case AT_SetUnLogged:
			case AT_SetTableSpace:
			case AT_SetAccessMethod:
				expect_rewrite(ls, relid);
				break;
			case AT_SetNotNull:
				if (table != NULL && !is_not_null(relid, cmd->name) &&
					!proven_not_null(relid, cmd->name))
				{
					add_finding(ls, "not-null-scan", text,
								psprintf("SET NOT NULL reads every row of %s under an ACCESS EXCLUSIVE lock: reads and writes wait.",
										 table),
								"Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later revision, then SET NOT NULL, which uses the check instead of reading the rows.");
					long_running(ls, relid);
				}
				break;
			case AT_AddConstraint:
				if (table != NULL)
					judge_constraint(ls, relid, castNode(Constraint, cmd->def), text, table);
				break;
			case AT_DropColumn:
				if (table != NULL && cmd->name != NULL && get_attnum(relid, cmd->name) > 0)
					add_finding(ls, "drops-data", text,
								psprintf("Drops column %s of %s, with its values; %s.",
										 quote_identifier(cmd->name), table, kept_text(ls)),
								"Make sure no running code reads the column, and that its values are not needed; keep a copy elsewhere if they must outlive the kept data.");
				break;
			default:
				break;
		}
	}
}

static void
judge_drop(LintState *ls, DropStmt *stmt, const char *text)
{
	ListCell   *lc;

	ls->cur->cascade = stmt->behavior == DROP_CASCADE;
	if (stmt->removeType != OBJECT_TABLE && stmt->removeType != OBJECT_MATVIEW)
		return;
	foreach(lc, stmt->objects)
	{
		Oid			relid = resolve(makeRangeVarFromNameList(lfirst(lc)));
		char	   *table;

		MemoryContext oldcontext = MemoryContextSwitchTo(ls->context);

		ls->cur->named = lappend_oid(ls->cur->named, relid);
		MemoryContextSwitchTo(oldcontext);
		if (stmt->removeType != OBJECT_TABLE || (table = busy_table(ls, relid)) == NULL)
			continue;
		add_finding(ls, "drops-data", text,
					psprintf("Drops table %s with its rows; %s.", table, kept_text(ls)),
					"Make sure no running code uses the table, and that its rows are not needed; keep a copy elsewhere if they must outlive the kept data.");
	}
}

static void
judge_truncate(LintState *ls, TruncateStmt *stmt, const char *text)
{
	ListCell   *lc;

	foreach(lc, stmt->relations)
	{
		char	   *table = busy_table(ls, resolve(lfirst_node(RangeVar, lc)));

		if (table != NULL)
			add_finding(ls, "drops-data", text,
						psprintf("TRUNCATE deletes the rows of %s; they are not kept.", table),
						"Make sure the rows are not needed, or copy them elsewhere in an earlier revision.");
	}
}

static void
judge_rename(LintState *ls, RenameStmt *stmt, const char *text)
{
	LintRel    *rel;

	if (stmt->renameType != OBJECT_TABLE && stmt->renameType != OBJECT_COLUMN &&
		stmt->renameType != OBJECT_VIEW && stmt->renameType != OBJECT_MATVIEW)
		return;
	if (stmt->renameType == OBJECT_COLUMN && stmt->relationType != OBJECT_TABLE &&
		stmt->relationType != OBJECT_VIEW && stmt->relationType != OBJECT_MATVIEW)
		return;
	if ((rel = existing(ls, resolve(stmt->relation))) == NULL)
		return;
	add_finding(ls, "rename", text,
				stmt->renameType == OBJECT_COLUMN ?
				psprintf("Renames column %s of %s to %s: the application running now reads and writes the old name until its new release is deployed, and fails meanwhile.",
						 quote_identifier(stmt->subname), rel->name, quote_identifier(stmt->newname)) :
				psprintf("Renames %s to %s: the application running now uses the old name until its new release is deployed, and fails meanwhile.",
						 rel->name, quote_identifier(stmt->newname)),
				"Add the new name beside the old one (a new column kept in step by a trigger, or a view), deploy the application that uses it, then drop the old name in a later revision.");
}

/*
 * Before a statement runs (or, untried, instead of running it): what it
 * says it will do, against the database as it is.
 */
void
LintStatement(LintState *ls, Node *stmt, const char *text)
{
	if (ls->cur == NULL)
		ls->cur = MemoryContextAllocZero(ls->context, sizeof(Expect));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	switch (nodeTag(stmt))
	{
		case T_IndexStmt:
			judge_index(ls, (IndexStmt *) stmt, text);
			break;
		case T_ReindexStmt:
			judge_reindex(ls, (ReindexStmt *) stmt, text);
			break;
		case T_AlterTableStmt:
			judge_alter(ls, (AlterTableStmt *) stmt, text);
			break;
		case T_DropStmt:
			judge_drop(ls, (DropStmt *) stmt, text);
			break;
		case T_TruncateStmt:
			judge_truncate(ls, (TruncateStmt *) stmt, text);
			break;
		case T_RenameStmt:
			judge_rename(ls, (RenameStmt *) stmt, text);
			break;
		case T_ClusterStmt:
			expect_rewrite(ls, resolve(((ClusterStmt *) stmt)->relation));
			break;
		case T_VacuumStmt:
			{
				ListCell   *lc;

				foreach(lc, ((VacuumStmt *) stmt)->options)
					if (strcmp(((DefElem *) lfirst(lc))->defname, "full") == 0 &&
						defGetBoolean((DefElem *) lfirst(lc)) &&
						list_length(((VacuumStmt *) stmt)->rels) == 1)
						expect_rewrite(ls, resolve(linitial_node(VacuumRelation,
																 ((VacuumStmt *) stmt)->rels)->relation));
				break;
			}
		default:
			break;
	}
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

static void
lint_before(Node *stmt, const char *text, void *arg)
{
	LintState  *ls = (LintState *) arg;

	MemoryContext oldcontext = MemoryContextSwitchTo(ls->context);

	ls->expects = lcons(ls->cur, ls->expects);
	ls->cur = palloc0(sizeof(Expect));
	MemoryContextSwitchTo(oldcontext);
	LintStatement(ls, stmt, text);
}

/* the tables an earlier statement locked ACCESS EXCLUSIVE, other than relid */
static char *
held_locks(LintState *ls, Oid relid, int *n_out)
{
	StringInfoData buf;
	ListCell   *lc;
	int			n = 0;

	initStringInfo(&buf);
	foreach(lc, ls->locked)
	{
		LockedRel  *l = lfirst(lc);
		LOCKTAG		tag;

		SET_LOCKTAG_RELATION(tag, MyDatabaseId, l->oid);
		if (l->oid == relid || !compat_LockHeldByMe(&tag, AccessExclusiveLock))
			continue;
		appendStringInfo(&buf, "%s%s (taken by revision %s)", n++ > 0 ? ", " : "",
						 existing(ls, l->oid)->name, l->revision);
	}
	*n_out = n;
	return n > 0 ? buf.data : NULL;
}

static List *
list_append_ctx(LintState *ls, List *list, void *item)
{
	MemoryContext oldcontext = MemoryContextSwitchTo(ls->context);

	list = lappend(list, item);
	MemoryContextSwitchTo(oldcontext);
	return list;
}

/* an existing table with rows the statement now holds ACCESS EXCLUSIVE on */
static void
note_lock(LintState *ls, Oid relid)
{
	LOCKTAG		tag;
	ListCell   *lc;
	LockedRel  *l;

	if (existing(ls, relid) == NULL)
		return;
	foreach(lc, ls->locked)
		if (((LockedRel *) lfirst(lc))->oid == relid)
			return;
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	if (!compat_LockHeldByMe(&tag, AccessExclusiveLock))
		return;
	l = MemoryContextAlloc(ls->context, sizeof(LockedRel));
	l->oid = relid;
	l->revision = ls->revision;
	ls->locked = list_append_ctx(ls, ls->locked, l);
}

/*
 * The relations the statement dropped that it did not name, in the
 * schemas of other projects: what its CASCADE reached.
 */
static void
judge_cascade(LintState *ls, const char *text)
{
	for (int i = 0; i < ls->nrels; i++)
	{
		LintRel    *rel = &ls->rels[i];

		if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(rel->oid)) ||
			list_member_oid(ls->cur->named, rel->oid) ||
			rel->relkind == RELKIND_INDEX)
			continue;
		for (int s = 0; s < ls->nother; s++)
			if (strcmp(ls->other_schemas[s], rel->nspname) == 0)
			{
				add_finding(ls, "cascade-other-project", text,
							psprintf("CASCADE dropped %s, in schema %s of project \"%s\".",
									 rel->name, quote_identifier(rel->nspname),
									 ls->other_projects[s]),
							"Drop what depends on it in that project's own revisions first, then drop without CASCADE, so that a dependency left over is an error instead of a loss.");
				break;
			}
	}
}

static void
lint_after(Node *stmt, const char *text, void *arg)
{
	LintState  *ls = (LintState *) arg;
	Oid			relid = ls->cur->relid;
	char	   *locks;
	int			nlocks;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (OidIsValid(relid) && filenode_of(relid) != ls->cur->filenode &&
		OidIsValid(filenode_of(relid)) && !IsA(stmt, IndexStmt) && !IsA(stmt, ReindexStmt))
	{
		char	   *table = busy_table(ls, relid);

		if (table != NULL && ls->cur->adds_default)
			add_finding(ls, "volatile-default", text,
						psprintf("The new column's default is computed for every row: %s is rewritten under an ACCESS EXCLUSIVE lock, and reads and writes wait.",
								 table),
						"Add the column without a default (or with a constant one, which is stored once), then SET DEFAULT for new rows, and fill the existing rows in batches.");
		else if (table != NULL)
			add_finding(ls, "table-rewrite", text,
						psprintf("Rewrites %s under an ACCESS EXCLUSIVE lock: reads and writes wait until the deploy commits.",
								 table),
						"Avoid the rewrite: for a type change, add a column of the new type, fill it in batches and switch to it in a later revision (varchar(n) to a longer limit or to text needs no rewrite).");
		if (table != NULL)
			ls->cur->long_running = true;
	}
	if (ls->cur->long_running && (locks = held_locks(ls, relid, &nlocks)) != NULL)
		add_finding(ls, "long-lock", text,
					psprintf("While this statement runs, the deploy holds ACCESS EXCLUSIVE on %s: every query on %s waits for it.",
							 locks, nlocks > 1 ? "them" : "it"),
					"Run the long statement first, or in a revision of its own run by CALL migrate.apply(), which commits each revision and releases its locks.");
	if (ls->cur->cascade)
		judge_cascade(ls, text);
	if (OidIsValid(relid))
		note_lock(ls, relid);
	if (IsA(stmt, AlterTableStmt))
		note_lock(ls, resolve(((AlterTableStmt *) stmt)->relation));
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	/* back to the statement this one ran inside, if any */
	ls->cur = linitial(ls->expects);
	ls->expects = list_delete_first(ls->expects);
}

/*
 * The relations that exist now, outside the system schemas and migrate's,
 * and the schemas of the other projects.
 */
static void
read_database(LintState *ls)
{
	int			rc;

	rc = SPI_execute_with_args("SELECT c.oid, c.relkind, n.nspname,"
							   " pg_catalog.format('%I.%I', n.nspname, c.relname)"
							   " FROM pg_catalog.pg_class c"
							   " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
							   " WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,m,i,v}'::pg_catalog.\"char\"[])"
							   " AND NOT n.nspname OPERATOR(pg_catalog.=) ANY"
							   " ('{pg_catalog,information_schema,pg_toast,migrate}'::pg_catalog.name[])"
							   " AND n.nspname::pg_catalog.text OPERATOR(pg_catalog.!~) '^pg_(toast_)?temp_'"
							   " ORDER BY c.oid",
							   0, NULL, NULL, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_class: %s", SPI_result_code_string(rc));
	ls->nrels = (int) SPI_processed;
	ls->rels = palloc(sizeof(LintRel) * (ls->nrels + 1));
	for (int i = 0; i < ls->nrels; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		bool		isnull;

		ls->rels[i].oid = DatumGetObjectId(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 1, &isnull));
		ls->rels[i].relkind = DatumGetChar(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &isnull));
		ls->rels[i].nspname = SPI_getvalue(tuple, SPI_tuptable->tupdesc, 3);
		ls->rels[i].name = SPI_getvalue(tuple, SPI_tuptable->tupdesc, 4);
	}
	SPI_freetuptable(SPI_tuptable);
}

static void
read_other_schemas(LintState *ls)
{
	static SPIPlanPtr plan = NULL;

	BookkeepingExecProject(&plan,
						   "SELECT s.schema::pg_catalog.text, s.project FROM migrate.project_schema s"
						   " WHERE s.project OPERATOR(pg_catalog.<>) $1"
						   " AND s.schema OPERATOR(pg_catalog.<>) ALL (SELECT o.schema FROM migrate.project_schema o"
						   "  WHERE o.project OPERATOR(pg_catalog.=) $1)"
						   " ORDER BY 1, 2",
						   ls->project, SPI_OK_SELECT);
	ls->nother = (int) SPI_processed;
	ls->other_schemas = palloc(sizeof(char *) * (ls->nother + 1));
	ls->other_projects = palloc(sizeof(char *) * (ls->nother + 1));
	for (int i = 0; i < ls->nother; i++)
	{
		ls->other_schemas[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		ls->other_projects[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * A lint of one project begins, before its first step: the database as it
 * is.  keeps: the project keeps dropped data.
 */
LintState *
LintBegin(const char *project, bool keeps)
{
	LintState  *ls = palloc0(sizeof(LintState));

	ls->context = CurrentMemoryContext;
	ls->project = project;
	ls->keeps = keeps;
	read_database(ls);
	read_other_schemas(ls);
	ls->watch.before = lint_before;
	ls->watch.after = lint_after;
	ls->watch.arg = ls;
	return ls;
}

/*
 * The steps of a revision begin: tried (its statements run, and are
 * watched through LintWatch), or only parsed (LintStatement).
 */
void
LintStep(LintState *ls, const char *revision, bool tried)
{
	ls->revision = revision;
	ls->tried = tried;
	ls->cur = NULL;
	ls->expects = NIL;
}

/*
 * Forget the findings after the first n: a step that could not be tried
 * after all (CREATE INDEX CONCURRENTLY in a transactional revision) is
 * judged again from its text.
 */
void
LintForget(LintState *ls, int n)
{
	ls->findings = list_truncate(ls->findings, n);
}

StatementWatch *
LintWatch(LintState *ls)
{
	return &ls->watch;
}

void
LintAdd(LintState *ls, const char *rule, const char *statement,
		const char *detail, const char *hint)
{
	add_finding(ls, rule, statement, detail, hint);
}

List *
LintFindings(const LintState *ls)
{
	return ls->findings;
}
