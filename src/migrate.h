/*-------------------------------------------------------------------------
 *
 * migrate.h
 *	  Declarations shared by the files of the migrate extension.
 *
 * The pieces: migrate.c (module and settings), catalog.c (everything that
 * reads or writes the extension's tables, the migration lock and the graph
 * cache), run.c (running a plan: bodies, version rows, log, result rows),
 * register.c (adding revisions), commands.c (the SQL entry points that read
 * or walk the graph), graph.c (Alembic's graph rules, no PostgreSQL in it)
 * and graph_pg.c (graph.c's allocator and error reporting in the server).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include "executor/spi.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "graph.h"
#include "utils/palloc.h"

/*
 * The migration lock is pg_advisory_xact_lock(MIGRATE_LOCK_CLASSID,
 * hashtext(project)): the two-int4 form, so it stays out of the bigint key
 * space applications use, and shows in pg_locks with classid 1835624306
 * ("migr" in ASCII) and objsubid 2.
 */
#define MIGRATE_LOCK_CLASSID	1835624306

/* longest list argument accepted, in bytes */
#define MIGRATE_MAX_LIST	(1024 * 1024)

/* settings (migrate.c) */
extern char *migrate_default_project;
extern int	migrate_lock_wait_timeout;
extern int	migrate_lock_timeout;
extern int	migrate_statement_timeout;

/* one project row, as read under the lock */
typedef struct MigrateProject
{
	char	   *name;
	char	   *target_schema;	/* NULL when not set */
	char	   *configured_by;	/* role that set the options; NULL if none */
	int			lock_timeout;	/* ms; -1 when not set */
	int			statement_timeout;	/* ms; -1 when not set */
	/* moves when revisions are changed or removed, not when one is added */
	int64		graph_gen;
	TimestampTz created_at;		/* tells a project row from one recreated */
	/* summary of the graph, valid when summary_gen == graph_gen */
	int64		summary_gen;
	const char **heads;			/* versioned heads, registration order */
	int			nheads;
	bool		has_depends;	/* some revision has depends_on */
} MigrateProject;

/*
 * A project's graph as built from its revisions, with what the commands need
 * beside the graph itself.  Kept in a backend-lifetime cache and reused as
 * long as the project's graph_gen and the seq of its newest revision (a
 * registration's mark) have not moved.
 */
typedef struct MigrateGraph
{
	char	   *project;
	int64		graph_gen;
	TimestampTz created_at;		/* of the project row */
	int64		last_seq;		/* seq of the newest revision read */
	MgGraph    *graph;
	char	  **messages;		/* by revision index; NULL entries allowed */
	int		   *drifted;		/* revisions whose bodies fail their checksum */
	int			ndrifted;
	MemoryContext context;		/* owns all of the above */
} MigrateGraph;

/* rows read by migrate_index_scan() */
typedef struct MigrateRows
{
	int			n;
	int			ncolumns;
	const char *const *columns;
	Datum	   *values;			/* n rows of ncolumns values */
	bool	   *nulls;
} MigrateRows;

/* Saved identity while the extension's bookkeeping runs as its owner. */
typedef struct MigrateIdentity
{
	Oid			userid;
	int			sec_context;
} MigrateIdentity;

/* one call of an entry point, while it is connected to SPI */
typedef struct MigrateCall
{
	bool		saved_read_only;
	MemoryContext result_context;
} MigrateCall;

/* catalog.c */
extern void migrate_catalog_init(void);
extern void migrate_spi_begin(MigrateCall *call, bool read_only);
extern void migrate_spi_end(MigrateCall *call);
extern text *migrate_result_text(const MigrateCall *call, const char *s);
extern SPIPlanPtr migrate_prepare(SPIPlanPtr *slot, const char *sql,
										 int nargs, Oid *argtypes);
extern void migrate_exec(SPIPlanPtr plan, Datum *values, const char *nulls,
						 int expect);
extern MigrateRows *migrate_index_scan(const char *index, int nkeys,
									   const char *const *keys, int ncolumns,
									   const char *const *columns);
extern bool migrate_newest_is(const char *project, int64 seq);
extern bool migrate_has_revisions(const char *project);
extern void migrate_check_not_running(const char *project);
extern Datum migrate_row_value(const MigrateRows *rows, int row,
							   const char *column, bool *isnull);
extern void migrate_exec_project(SPIPlanPtr *slot, const char *sql,
								 const char *project, int expect);
extern char *migrate_project_arg(FunctionCallInfo fcinfo, int argno);
extern void migrate_lock(const char *project);
extern bool migrate_read_project(const char *name, bool for_update,
								 MigrateProject *project);
extern MigrateProject *migrate_open_project(const char *name, bool for_update);
extern MigrateGraph *migrate_graph(const MigrateProject *project);
extern MgRevList migrate_read_rows(const MigrateGraph *mg);
extern char **migrate_read_row_ids(const char *project, int *n);
extern void migrate_delete_rows(const char *project);
extern void migrate_save_summary(const MigrateProject *project,
								 const MigrateGraph *mg);
extern bool migrate_summary_current(const MigrateProject *project);
extern bool migrate_project_exists(const char *project, bool *has_summary);
extern void migrate_clear_summary(const char *project);
extern void migrate_bump_graph_gen(const char *project);
extern const char **migrate_text_array(Datum array, int *n);
extern int	migrate_cmp_int(const void *a, const void *b);
extern char **migrate_split_list(const char *text, const char *argname, int *n);
extern char *migrate_checksum(const char *upgrade_sql, const char *downgrade_sql);

/* graph_pg.c */
#ifndef pg_attribute_noreturn
/* PostgreSQL 18 replaced it by pg_noreturn, written before the declaration */
#define pg_attribute_noreturn() __attribute__((noreturn))
#endif
extern void migrate_graph_error(const MgError *err, const char *project) pg_attribute_noreturn();

/* run.c */
extern void migrate_touch_project(const char *project);
extern void migrate_log_purge(const char *project, char **ids, int n);
extern Datum migrate_rev_array(const MigrateGraph *mg, const MgRevList *list,
							   bool sorted);
extern void migrate_run_plan(FunctionCallInfo fcinfo, MigrateProject *project,
							 MigrateGraph *mg, const MgRevList *rows_before,
							 const MgPlan *plan);

#endif							/* MIGRATE_H */
