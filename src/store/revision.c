/*-------------------------------------------------------------------------
 *
 * revision.c
 *	  The revision rows (migrate.revision): every statement on the table,
 *	  one prepared statement per question, and the checksum of a revision's
 *	  bodies.
 *
 * The statements run as the owner of the table (BookkeepingPrepare), are
 * qualified and spell their operators OPERATOR(pg_catalog.=).  The writers
 * hold the project's locks: its registration lock to insert, its migration
 * lock as well to replace.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "migrate.h"

static SPIPlanPtr plan_revisions = NULL;
static SPIPlanPtr plan_edges = NULL;
static SPIPlanPtr plan_read = NULL;
static SPIPlanPtr plan_registration = NULL;
static SPIPlanPtr plan_flags = NULL;
static SPIPlanPtr plan_projects = NULL;
static SPIPlanPtr plan_insert = NULL;
static SPIPlanPtr plan_replace = NULL;

/* the columns RevisionInsert and RevisionReplace take, in order */
static Oid	write_types[REVISION_WRITE_COLUMNS] = {
	TEXTOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTOID,
	TEXTOID, TEXTOID, TEXTOID, NAMEOID, BOOLOID
};

/*
 * sha256 of a revision's bodies and of how they run, as lower-case hex.  The
 * two bodies are joined by a zero byte, which text cannot contain, and a
 * missing downgrade adds nothing after it while an empty one adds a 0x01
 * byte, so no two pairs of bodies hash the same input.  A non-transactional
 * revision adds a second zero byte and a word after all that, which nothing
 * before can end with; a transactional one adds nothing, so its checksum is
 * the one its bodies have always had.
 */
char *
RevisionChecksum(const char *upgrade_sql, const char *downgrade_sql,
				 bool transactional)
{
	static const char marker[] = "nontransactional";
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	uint8		sep = 0;
	uint8		present = 1;
	char	   *hex;

	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) upgrade_sql, strlen(upgrade_sql)) < 0 ||
		pg_cryptohash_update(ctx, &sep, 1) < 0 ||
		(downgrade_sql != NULL &&
		 (pg_cryptohash_update(ctx, &present, 1) < 0 ||
		  pg_cryptohash_update(ctx, (const uint8 *) downgrade_sql, strlen(downgrade_sql)) < 0)) ||
		(!transactional &&
		 (pg_cryptohash_update(ctx, &sep, 1) < 0 ||
		  pg_cryptohash_update(ctx, (const uint8 *) marker, strlen(marker)) < 0)) ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute sha256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);

	hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	hex_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, hex);
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	return hex;
}

/*
 * Read a project's revisions in registration order into *out, allocated in
 * the current memory context.  With bodies, also their messages and the
 * checksum of each revision's bodies as stored and as computed now; without,
 * only the graph's edges (a cheaper read).
 */
void
RevisionsLoad(const char *project, bool with_bodies, LoadedRevisions *out)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	SPIPlanPtr	plan;
	MemoryContext scratch;
	MemoryContext outcontext = CurrentMemoryContext;
	SPITupleTable *tuptable;
	uint64		n;

	if (with_bodies)
		plan = BookkeepingPrepare(&plan_revisions,
								  "SELECT id, down_revision, depends_on, branch_labels, seq,"
								  " message, upgrade_sql, downgrade_sql, checksum, transactional"
								  " FROM migrate.revision"
								  " WHERE project OPERATOR(pg_catalog.=) $1 ORDER BY seq",
								  1, argtypes);
	else
		plan = BookkeepingPrepare(&plan_edges,
								  "SELECT id, down_revision, depends_on, branch_labels, seq"
								  " FROM migrate.revision"
								  " WHERE project OPERATOR(pg_catalog.=) $1 ORDER BY seq",
								  1, argtypes);
	values[0] = CStringGetTextDatum(project);
	BookkeepingExec(plan, values, NULL, SPI_OK_SELECT);
	tuptable = SPI_tuptable;
	n = SPI_processed;
	if (n > (uint64) (INT_MAX / 2))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("project \"%s\" has too many revisions", project)));

	memset(out, 0, sizeof(*out));
	out->n = (int) n;
	out->inputs = palloc0(sizeof(MgRevisionInput) * (n + 1));
	if (with_bodies)
	{
		out->messages = palloc0(sizeof(char *) * (n + 1));
		out->stored = palloc0(sizeof(char *) * (n + 1));
		out->actual = palloc0(sizeof(char *) * (n + 1));
		out->intact = palloc0(sizeof(bool) * (n + 1));
		out->transactional = palloc0(sizeof(bool) * (n + 1));
	}

	/* each body is read and hashed in scratch memory, reset per row */
	scratch = AllocSetContextCreate(CurrentMemoryContext, "migrate checksum",
									ALLOCSET_SMALL_SIZES);
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	tuple = tuptable->vals[i];
		TupleDesc	desc = tuptable->tupdesc;
		MgRevisionInput *in = &out->inputs[i];
		bool		isnull;

		in->id = TextDatumGetCString(SPI_getbinval(tuple, desc, 1, &isnull));
		in->down = TextArrayToStrings(SPI_getbinval(tuple, desc, 2, &isnull), &in->ndown);
		in->depends = TextArrayToStrings(SPI_getbinval(tuple, desc, 3, &isnull), &in->ndepends);
		in->labels = TextArrayToStrings(SPI_getbinval(tuple, desc, 4, &isnull), &in->nlabels);
		/* rows come in seq order: the last one read is the newest */
		out->last_seq = DatumGetInt64(SPI_getbinval(tuple, desc, 5, &isnull));
		if (!with_bodies)
			continue;

		out->messages[i] = SPI_getvalue(tuple, desc, 6);
		out->stored[i] = SPI_getvalue(tuple, desc, 9);
		out->transactional[i] = DatumGetBool(SPI_getbinval(tuple, desc, 10, &isnull));
		MemoryContextSwitchTo(scratch);
		{
			char	   *up = SPI_getvalue(tuple, desc, 7);
			char	   *down = SPI_getvalue(tuple, desc, 8);
			char	   *actual = RevisionChecksum(up ? up : "", down,
												out->transactional[i]);

			MemoryContextSwitchTo(outcontext);
			out->actual[i] = pstrdup(actual);
			out->intact[i] = up != NULL && out->stored[i] != NULL &&
				strcmp(actual, out->stored[i]) == 0;
		}
		MemoryContextReset(scratch);
	}
	MemoryContextDelete(scratch);
	SPI_freetuptable(tuptable);
}

/*
 * One revision's row, bodies included, into *row (C strings in the current
 * memory context); false when the project has no such revision.
 */
bool
RevisionRead(const char *project, const char *id, RevisionRow *row)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;

	BookkeepingPrepare(&plan_read,
					   "SELECT down_revision, depends_on, branch_labels, message,"
					   " upgrade_sql, downgrade_sql, checksum, registered_by::pg_catalog.text,"
					   " transactional"
					   " FROM migrate.revision"
					   " WHERE project OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
					   2, argtypes);
	args[0] = CStringGetTextDatum(project);
	args[1] = CStringGetTextDatum(id);
	BookkeepingExec(plan_read, args, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
	{
		SPI_freetuptable(SPI_tuptable);
		return false;
	}
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	memset(row, 0, sizeof(*row));
	row->down = TextArrayToStrings(SPI_getbinval(tuple, desc, 1, &isnull), &row->ndown);
	row->depends = TextArrayToStrings(SPI_getbinval(tuple, desc, 2, &isnull), &row->ndepends);
	row->labels = TextArrayToStrings(SPI_getbinval(tuple, desc, 3, &isnull), &row->nlabels);
	row->message = SPI_getvalue(tuple, desc, 4);
	row->upgrade_sql = SPI_getvalue(tuple, desc, 5);
	row->downgrade_sql = SPI_getvalue(tuple, desc, 6);
	row->checksum = SPI_getvalue(tuple, desc, 7);
	row->registered_by = SPI_getvalue(tuple, desc, 8);
	row->transactional = DatumGetBool(SPI_getbinval(tuple, desc, 9, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return true;
}

/*
 * Refuse a revision whose bodies were changed after it was registered (by
 * hand, triggers disabled): what would run, or be written out, is not what
 * was registered.
 */
void
RevisionCheckIntact(const char *project, const char *id, const RevisionRow *row)
{
	char	   *actual = RevisionChecksum(row->upgrade_sql ? row->upgrade_sql : "",
										row->downgrade_sql, row->transactional);

	if (row->upgrade_sql == NULL || row->checksum == NULL ||
		strcmp(actual, row->checksum) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("revision %s of project \"%s\" was changed after it was registered", id, project),
				 errdetail("Its bodies have checksum %s, but %s was recorded when it was registered.",
						   actual, row->checksum ? row->checksum : "none"),
				 errhint("Run migrate.verify() to list the problems of the project.")));
}

/*
 * Who registered a revision, when, and its checksum, as show() gives them
 * (name, timestamptz, text); false when the project has no such revision.
 */
bool
RevisionRegistration(const char *project, const char *id, Datum *registered_by,
					 Datum *registered_at, Datum *checksum)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;

	BookkeepingPrepare(&plan_registration,
					   "SELECT registered_by, registered_at, checksum FROM migrate.revision"
					   " WHERE project OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
					   2, argtypes);
	args[0] = CStringGetTextDatum(project);
	args[1] = CStringGetTextDatum(id);
	BookkeepingExec(plan_registration, args, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
	{
		SPI_freetuptable(SPI_tuptable);
		return false;
	}
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	*registered_by = DirectFunctionCall1(namein,
										 CStringGetDatum(SPI_getvalue(tuple, desc, 1)));
	*registered_at = TimestampTzGetDatum(DatumGetTimestampTz(SPI_getbinval(tuple, desc, 2,
																		   &isnull)));
	*checksum = CStringGetTextDatum(SPI_getvalue(tuple, desc, 3));
	SPI_freetuptable(SPI_tuptable);
	return true;
}

/*
 * How each of the given revisions runs, one RevisionFlags each, in the order
 * given (registered is false for an id the project does not have).
 */
RevisionFlags *
RevisionFlagsRead(const char *project, char **ids, int n)
{
	Oid			argtypes[2] = {TEXTOID, TEXTARRAYOID};
	Datum		args[2];
	RevisionFlags *flags = palloc0(sizeof(RevisionFlags) * (n + 1));

	if (n == 0)
		return flags;
	BookkeepingPrepare(&plan_flags,
					   "SELECT id, transactional, downgrade_sql IS NOT NULL, seq"
					   " FROM migrate.revision WHERE project OPERATOR(pg_catalog.=) $1"
					   " AND id OPERATOR(pg_catalog.=) ANY ($2)",
					   2, argtypes);
	args[0] = CStringGetTextDatum(project);
	args[1] = StringsToTextArray((const char *const *) ids, n);
	BookkeepingExec(plan_flags, args, NULL, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *id = SPI_getvalue(tuple, desc, 1);
		bool		isnull;

		for (int i = 0; i < n; i++)
			if (strcmp(ids[i], id) == 0)
			{
				flags[i].registered = true;
				flags[i].transactional = DatumGetBool(SPI_getbinval(tuple, desc, 2, &isnull));
				flags[i].has_downgrade = DatumGetBool(SPI_getbinval(tuple, desc, 3, &isnull));
				flags[i].seq = DatumGetInt64(SPI_getbinval(tuple, desc, 4, &isnull));
			}
	}
	SPI_freetuptable(SPI_tuptable);
	return flags;
}

/*
 * The projects that have revisions, by name (bytewise).
 */
char	  **
RevisionProjects(int *n)
{
	char	  **names;

	BookkeepingPrepare(&plan_projects,
					   "SELECT p.name FROM migrate.project p"
					   " WHERE EXISTS (SELECT FROM migrate.revision r"
					   "  WHERE r.project OPERATOR(pg_catalog.=) p.name)"
					   " ORDER BY p.name COLLATE \"C\"",
					   0, NULL);
	BookkeepingExec(plan_projects, NULL, NULL, SPI_OK_SELECT);
	*n = (int) SPI_processed;
	names = palloc(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
		names[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	return names;
}

/*
 * Insert a new revision and return its seq; 0 when the id is taken.  values
 * and nulls are the REVISION_WRITE_COLUMNS columns migrate.h lists.  The
 * caller holds the project's registration lock and knows that the project
 * row exists.
 */
int64
RevisionInsert(Datum *values, const char *nulls)
{
	bool		isnull;

	BookkeepingPrepare(&plan_insert,
					   "INSERT INTO migrate.revision (project, id, down_revision, depends_on,"
					   " branch_labels, message, upgrade_sql, downgrade_sql, checksum,"
					   " registered_by, transactional, seq)"
					   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
					   " pg_catalog.nextval('migrate.seq'::pg_catalog.regclass))"
					   " ON CONFLICT (project, id) DO NOTHING RETURNING seq",
					   REVISION_WRITE_COLUMNS, write_types);
	BookkeepingExec(plan_insert, values, nulls, SPI_OK_INSERT_RETURNING);
	if (SPI_processed == 0)
		return 0;
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									   1, &isnull));
}

/*
 * Replace a revision's content (the same columns as RevisionInsert).  The
 * caller holds the project's migration lock and has moved its graph_gen.
 */
void
RevisionReplace(Datum *values, const char *nulls)
{
	BookkeepingPrepare(&plan_replace,
					   "UPDATE migrate.revision SET down_revision = $3, depends_on = $4,"
					   " branch_labels = $5, message = $6, upgrade_sql = $7,"
					   " downgrade_sql = $8, checksum = $9, registered_by = $10,"
					   " transactional = $11, registered_at = pg_catalog.now()"
					   " WHERE project OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
					   REVISION_WRITE_COLUMNS, write_types);
	BookkeepingExec(plan_replace, values, nulls, SPI_OK_UPDATE);
}

/*
 * A revision the graph names is not in the table: it was removed in a way
 * that did not give the project a new graph_gen (triggers disabled).
 */
void
RevisionVanished(const char *project, const char *id)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("revision %s of project \"%s\" is no longer registered", id, project),
			 errdetail("The revisions were changed while the triggers of migrate.revision were disabled."),
			 errhint("Run migrate.verify() to list the problems of the project.")));
}
