/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  migrate.verify(): everything wrong with a project, one row each.
 *
 * Runs refuse to start on a project with any of these problems and point
 * here; verify lists them all instead of stopping at the first, and works
 * even when the graph cannot be built.  Nothing is normalised before a body
 * is hashed: a whitespace edit is a change like any other, since it changes
 * what would run.
 *
 * Problems reported, by name:
 *	checksum_mismatch	a body no longer matches the checksum taken when it
 *						was registered (the table was edited by hand)
 *	missing_parent		down_revision names a revision that is not registered
 *	missing_dependency	depends_on names neither a revision nor a label
 *	unknown_version		a version row names a revision that is not registered
 *	invalid_graph		the graph cannot be built (cycle, self-loop, label
 *						conflict); the detail is the graph's own message
 *	redundant_version	a version row is an ancestor of another version row
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"

#include "migrate.h"

PG_FUNCTION_INFO_V1(migrate_verify);

static SPIPlanPtr plan_versions = NULL;

typedef struct NameEntry
{
	char		key[MG_MAX_ID_LEN + 1];
	bool		is_id;
} NameEntry;

static void
problem(FunctionCallInfo fcinfo, const char *what, const char *revision,
		const char *detail)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[3];
	bool		nulls[3] = {false, revision == NULL, false};

	values[0] = CStringGetTextDatum(what);
	values[1] = revision ? CStringGetTextDatum(revision) : (Datum) 0;
	values[2] = CStringGetTextDatum(detail);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* the entry for a name, or NULL; names too long to be ids are never found */
static NameEntry *
find_name(HTAB *names, const char *name)
{
	if (strlen(name) > MG_MAX_ID_LEN)
		return NULL;
	return hash_search(names, name, HASH_FIND, NULL);
}

/*
 * migrate.verify(project)
 */
Datum
migrate_verify(PG_FUNCTION_ARGS)
{
	MigrateCall call;
	char	   *name = ProjectArg(fcinfo, 0);
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	LoadedRevisions revs;
	int			nrev;
	SPITupleTable *versions;
	uint64		nver;
	MgRevisionInput *inputs;
	HASHCTL		ctl;
	HTAB	   *names;
	bool		graph_usable = true;

	InitMaterializedSRF(fcinfo, 0);
	CallBegin(&call, true);

	(void) ProjectOpen(name, false);
	RevisionsLoad(name, true, &revs);
	nrev = revs.n;
	inputs = revs.inputs;

	values[0] = CStringGetTextDatum(name);
	BookkeepingPrepare(&plan_versions,
					   "SELECT revision FROM migrate.version"
					   " WHERE project OPERATOR(pg_catalog.=) $1 ORDER BY revision",
					   1, argtypes);
	BookkeepingExec(plan_versions, values, NULL, SPI_OK_SELECT);
	versions = SPI_tuptable;
	nver = SPI_processed;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MG_MAX_ID_LEN + 1;
	ctl.entrysize = sizeof(NameEntry);
	ctl.hcxt = CurrentMemoryContext;
	names = hash_create("migrate verify", nrev * 2 + 16, &ctl,
						HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	for (int i = 0; i < nrev; i++)
	{
		NameEntry  *e;

		if (!revs.intact[i])
			problem(fcinfo, "checksum_mismatch", inputs[i].id,
					psprintf("The bodies have checksum %s, but %s was recorded when the revision was registered.",
							 revs.actual[i], revs.stored[i] ? revs.stored[i] : "nothing"));

		if (strlen(inputs[i].id) <= MG_MAX_ID_LEN)
		{
			e = hash_search(names, inputs[i].id, HASH_ENTER, NULL);
			e->is_id = true;
		}
	}
	for (int i = 0; i < nrev; i++)
		for (int j = 0; j < inputs[i].nlabels; j++)
		{
			bool		found;
			NameEntry  *e;

			if (strlen(inputs[i].labels[j]) > MG_MAX_ID_LEN)
				continue;
			e = hash_search(names, inputs[i].labels[j], HASH_ENTER, &found);
			if (!found)
				e->is_id = false;
		}

	for (int i = 0; i < nrev; i++)
	{
		for (int j = 0; j < inputs[i].ndown; j++)
		{
			NameEntry  *e = find_name(names, inputs[i].down[j]);

			if (e == NULL || !e->is_id)
			{
				problem(fcinfo, "missing_parent", inputs[i].id,
						psprintf("down_revision names %s, which is not registered.",
								 inputs[i].down[j]));
				graph_usable = false;
			}
		}
		for (int j = 0; j < inputs[i].ndepends; j++)
		{
			if (find_name(names, inputs[i].depends[j]) == NULL)
			{
				problem(fcinfo, "missing_dependency", inputs[i].id,
						psprintf("depends_on names %s, which is neither a registered revision nor a branch label.",
								 inputs[i].depends[j]));
				graph_usable = false;
			}
		}
	}

	for (uint64 i = 0; i < nver; i++)
	{
		char	   *v = SPI_getvalue(versions->vals[i], versions->tupdesc, 1);
		NameEntry  *e = find_name(names, v);

		if (e == NULL || !e->is_id)
		{
			problem(fcinfo, "unknown_version", v,
					psprintf("migrate.version records %s as applied, but it is not a registered revision.", v));
			graph_usable = false;
		}
	}

	if (graph_usable && nrev > 0)
	{
		MgError		err;
		MgGraph    *g = mg_graph_build(inputs, (int) nrev, &err);

		if (g == NULL)
			problem(fcinfo, "invalid_graph", NULL, err.message);
		else
		{
			MgRevList	rows;
			MgRevList	current;

			rows.n = (int) nver;
			rows.items = palloc(sizeof(int) * (nver + 1));
			for (uint64 i = 0; i < nver; i++)
				rows.items[i] = mg_lookup(g, SPI_getvalue(versions->vals[i], versions->tupdesc, 1));
			if (!mg_current(g, &rows, &current, &err))
				problem(fcinfo, "invalid_graph", NULL, err.message);
			else
			{
				/* a row that is not among the tips lies below another row */
				for (int i = 0; i < rows.n; i++)
				{
					bool		tip = false;

					for (int j = 0; j < current.n; j++)
						tip |= current.items[j] == rows.items[i];
					if (!tip)
						problem(fcinfo, "redundant_version", mg_rev_id(g, rows.items[i]),
								psprintf("Version row %s is an ancestor of another version row.",
										 mg_rev_id(g, rows.items[i])));
				}
			}
		}
	}

	CallEnd(&call);
	return (Datum) 0;
}
