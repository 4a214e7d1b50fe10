/*-------------------------------------------------------------------------
 *
 * citus_shards.c
 *	  On a Citus coordinator: the shard placements of a project's Citus
 *	  tables whose shape is not their table's, for verify().
 *
 * A Citus table is a table on the coordinator (its shell) and, on the
 * nodes, its shards: tables named after it with the shard id appended, one
 * copy per placement.  Citus sends a table's DDL to every shard, so they
 * keep its shape; a statement run on a node against one shard itself
 * (ALTER TABLE orders_102008 ADD COLUMN hotfix int) changes that shard
 * alone, and nothing on the coordinator sees it: schema drift (drift.c)
 * compares the coordinator's catalogs only, where Citus hides shards.
 *
 * The shape compared is the columns in order (name, type, NOT NULL) and the
 * indexes (kind, keys, included columns, access method, predicate,
 * validity), without the names Citus derives from the table's for a
 * shard's indexes.  The tables are those of pg_dist_partition in the
 * project's schemas (migrate.project_schema): distributed, reference and
 * schema-sharded tables alike; their placements come from pg_dist_shard,
 * pg_dist_placement and pg_dist_node.
 *
 * The shards are read on their nodes through Citus's
 * master_run_on_worker(), one query per node for all of that node's
 * shards, in parallel.  It is the function under run_command_on_placements()
 * and run_command_on_all_nodes(); it is called directly because
 * run_command_on_placements() opens a connection per placement (a
 * table of 32 shards would take 32 at once) and names its own functions
 * and tables unqualified, and a shard of a table in public unqualified, so
 * that what it runs would depend on search_path.  Here every name is
 * qualified, on the coordinator and in the query sent to the nodes.
 * master_run_on_worker() connects with a new connection, as the current
 * user, and returns an error as a row, which becomes a problem row
 * naming the node.
 *
 * Both sides describe a table under the same search_path, pg_catalog
 * alone, so that a type or function outside pg_catalog is named with its
 * schema on both whatever search_path the caller and the nodes' sessions
 * have.
 *
 * Citus is not linked against: its catalogs and functions are named in
 * SQL, run only where its extension is installed (CitusPresent()).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "migrate.h"

#define EQ " OPERATOR(pg_catalog.=) "

/*
 * The shape of the relation whose oid is the SQL expression rel, as a text[]
 * of lines: its columns in order, then its indexes sorted.  The same text
 * is run on the coordinator and on the nodes, so it holds no "%": the query
 * sent to the nodes is built by format().
 */
#define SHAPE(rel) \
	"ARRAY(SELECT x.line FROM (" \
	"  SELECT 1 AS part, a.attnum AS ord, pg_catalog.concat('column ', pg_catalog.quote_ident(a.attname), ' '," \
	"         pg_catalog.format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' not null' END) AS line" \
	"    FROM pg_catalog.pg_attribute a" \
	"   WHERE a.attrelid" EQ rel " AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped" \
	"  UNION ALL" \
	"  SELECT 2, 0, pg_catalog.concat(" \
	"         CASE WHEN i.indisprimary THEN 'primary key' WHEN i.indisunique THEN 'unique index' ELSE 'index' END," \
	"         ' (', (SELECT pg_catalog.string_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k)" \
	"                 FROM pg_catalog.generate_series(1, i.indnkeyatts) k), ')'," \
	"         ' include (' OPERATOR(pg_catalog.||)" \
	"           (SELECT pg_catalog.string_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k)" \
	"              FROM pg_catalog.generate_series(i.indnkeyatts OPERATOR(pg_catalog.+) 1, i.indnatts) k)" \
	"           OPERATOR(pg_catalog.||) ')'," \
	"         ' using ', am.amname," \
	"         ' where ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(i.indpred, i.indrelid, true)," \
	"         CASE WHEN NOT i.indisvalid THEN ' (invalid)' END)" \
	"    FROM pg_catalog.pg_index i" \
	"    JOIN pg_catalog.pg_class ic ON ic.oid" EQ "i.indexrelid" \
	"    JOIN pg_catalog.pg_am am ON am.oid" EQ "ic.relam" \
	"   WHERE i.indrelid" EQ rel \
	") x ORDER BY x.part, x.ord, x.line)"

/*
 * What each node runs, through format() with the node's shard ids and
 * qualified shard names as two array literals: one row, a JSON object of
 * each shard's shape by shard id (null for a shard that is not there).
 * The search_path is set for the statement's own transaction, before any
 * shape is described (the join needs p's row first); the connection is
 * closed after it.
 */
static const char node_query[] =
"WITH p AS MATERIALIZED (SELECT pg_catalog.set_config('search_path', 'pg_catalog', true))"
" SELECT pg_catalog.json_object_agg(s.id, CASE WHEN r.rel IS NOT NULL THEN " SHAPE("r.rel") " END)"
" FROM p, ROWS FROM (pg_catalog.unnest(%L::pg_catalog.int8[]), pg_catalog.unnest(%L::pg_catalog.text[])) AS s(id, name),"
" LATERAL (SELECT pg_catalog.to_regclass(s.name) AS rel) r";

/*
 * The placements whose shape differs from their table's, and the nodes
 * that could not be read: node, table, shard, the node's error, and the
 * lines only the shard has and only the table has (both NULL when the
 * shard is missing).
 */
static const char placements_query[] =
"WITH t AS ("
"  SELECT p.logicalrelid AS relid, " SHAPE("p.logicalrelid") " AS shape"
"    FROM pg_catalog.pg_dist_partition p"
"    JOIN pg_catalog.pg_class c ON c.oid" EQ "p.logicalrelid"
"    JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
"    JOIN migrate.project_schema s ON s.schema" EQ "n.nspname"
"   WHERE s.project" EQ "$1"
"), pl AS ("
"  SELECT t.relid, t.shape, sh.shardid, nd.nodename, nd.nodeport,"
"         pg_catalog.shard_name(t.relid, sh.shardid, false) AS shard"
"    FROM t"
"    JOIN pg_catalog.pg_dist_shard sh ON sh.logicalrelid" EQ "t.relid"
"    JOIN pg_catalog.pg_dist_placement pp ON pp.shardid" EQ "sh.shardid"
"    JOIN pg_catalog.pg_dist_node nd ON nd.groupid" EQ "pp.groupid"
"   WHERE nd.noderole::pg_catalog.text" EQ "'primary'"
"), cmd AS ("
"  SELECT pl.nodename, pl.nodeport,"
"         pg_catalog.format($2, pg_catalog.array_agg(pl.shardid)::pg_catalog.text,"
"                           pg_catalog.array_agg(pl.shard)::pg_catalog.text) AS command"
"    FROM pl GROUP BY pl.nodename, pl.nodeport"
"), res AS MATERIALIZED ("
"  SELECT r.node_name, r.node_port, r.success, r.result"
"    FROM (SELECT pg_catalog.array_agg(cmd.nodename), pg_catalog.array_agg(cmd.nodeport),"
"                 pg_catalog.array_agg(cmd.command) FROM cmd) a(names, ports, commands),"
"         LATERAL pg_catalog.master_run_on_worker(a.names, a.ports, a.commands, true) r"
"   WHERE a.names IS NOT NULL"
"), shapes AS MATERIALIZED ("
"  SELECT res.node_name, res.node_port, res.result::pg_catalog.json AS shards"
"    FROM res WHERE res.success"
")"
" SELECT pg_catalog.concat(res.node_name, ':', res.node_port), NULL, NULL, res.result, NULL, NULL"
"   FROM res WHERE NOT res.success"
" UNION ALL"
" SELECT pg_catalog.concat(pl.nodename, ':', pl.nodeport), pl.relid::pg_catalog.regclass::pg_catalog.text,"
"        pl.shard, NULL,"
"        CASE WHEN f.shape IS NOT NULL THEN pg_catalog.array_to_string(ARRAY("
"          SELECT d.line FROM (SELECT pg_catalog.unnest(f.shape) EXCEPT ALL"
"          SELECT pg_catalog.unnest(pl.shape)) d(line) ORDER BY 1), ', ') END,"
"        CASE WHEN f.shape IS NOT NULL THEN pg_catalog.array_to_string(ARRAY("
"          SELECT d.line FROM (SELECT pg_catalog.unnest(pl.shape) EXCEPT ALL"
"          SELECT pg_catalog.unnest(f.shape)) d(line) ORDER BY 1), ', ') END"
"   FROM pl"
"   JOIN shapes ON shapes.node_name" EQ "pl.nodename AND shapes.node_port" EQ "pl.nodeport"
"   CROSS JOIN LATERAL (SELECT shapes.shards OPERATOR(pg_catalog.->) pl.shardid::pg_catalog.text AS shape) j"
"   CROSS JOIN LATERAL (SELECT CASE WHEN pg_catalog.json_typeof(j.shape)" EQ "'array'"
"          THEN ARRAY(SELECT pg_catalog.json_array_elements_text(j.shape)) END AS shape) f"
"  WHERE f.shape IS DISTINCT FROM pl.shape"
" ORDER BY 2 NULLS FIRST, 3, 1";

/* one problem row's detail, from one row of placements_query */
static char *
describe(HeapTuple tuple, TupleDesc desc)
{
	char	   *node = SPI_getvalue(tuple, desc, 1);
	char	   *table = SPI_getvalue(tuple, desc, 2);
	char	   *shard = SPI_getvalue(tuple, desc, 3);
	char	   *error = SPI_getvalue(tuple, desc, 4);
	char	   *only_shard = SPI_getvalue(tuple, desc, 5);
	char	   *only_table = SPI_getvalue(tuple, desc, 6);
	StringInfoData buf;

	if (error != NULL)
		return psprintf("The shards on node %s could not be read: %s",
						node, error);
	if (only_shard == NULL)
		return psprintf("Shard %s of table %s is missing on node %s.",
						shard, table, node);

	initStringInfo(&buf);
	appendStringInfo(&buf, "Shard %s of table %s, on node %s, differs from the table:",
					 shard, table, node);
	if (only_shard[0] != '\0')
		appendStringInfo(&buf, " the shard has %s, which the table does not have;", only_shard);
	if (only_table[0] != '\0')
		appendStringInfo(&buf, " the table has %s, which the shard does not have;", only_table);
	if (only_shard[0] == '\0' && only_table[0] == '\0')
		appendStringInfoString(&buf, " its columns are in another order;");
	buf.data[buf.len - 1] = '.';
	return buf.data;
}

/*
 * Report, one call of report per problem, the shard placements of the
 * project's Citus tables that do not have their table's shape, and the
 * nodes whose shards could not be read.  Only where Citus is installed.
 */
void
CitusShardsDrift(const char *project,
				 void (*report) (const char *detail, void *arg), void *arg)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	int			nestlevel;
	SPITupleTable *rows;
	uint64		nrows;

	/* the coordinator's side of the comparison, under the nodes' search_path */
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	BookkeepingPrepare(&plan, placements_query, 2, argtypes);
	values[0] = CStringGetTextDatum(project);
	values[1] = CStringGetTextDatum(node_query);
	BookkeepingExec(plan, values, NULL, SPI_OK_SELECT);
	AtEOXact_GUC(true, nestlevel);

	rows = SPI_tuptable;
	nrows = SPI_processed;
	for (uint64 i = 0; i < nrows; i++)
		report(describe(rows->vals[i], rows->tupdesc), arg);
	SPI_freetuptable(rows);
}
