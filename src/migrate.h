/*-------------------------------------------------------------------------
 *
 * migrate.h
 *	  Declarations shared by the server-side files of the migrate extension,
 *	  grouped by the file that defines them.
 *
 * The files, by folder, one folder per layer, from the bottom up (each file
 * uses only those above it, and the graph module, which uses nothing of the
 * server; test/layout.py checks it from the object files):
 *
 *	graph/			Alembic's graph rules: build, resolve, order, plan, stamp
 *					(no PostgreSQL in it; doc/graph-rules.md states the rules)
 *	util/			helpers below everything, each declared in its own header
 *					(sqlargs.h, subxact.h, trust.h, locallock.h, catwrites.h)
 *
 * store/: the extension's tables, and the call that reads and writes them
 *
 *	store/graph_pg.c	what the graph module needs from the server; the
 *					graph's values as SQL gives them
 *	store/call.c	one call: SPI, nested calls, bookkeeping as the owner
 *	store/catalog.c	reading the extension's tables through their indexes
 *	store/project.c	a project's row, its migration lock and summary
 *	store/revision.c	the revision rows: every statement on the table; a
 *					revision's checksum; the error for one gone missing
 *	store/version.c	the version rows
 *	store/graph_cache.c	a project's graph, built from its revisions, cached
 *	store/log.c		the log rows
 *	store/drift.c	the schemas a project owns, as its last run left them
 *	store/citus_shards.c	on a Citus coordinator, the shard placements of a
 *					project's tables not shaped like their table
 *
 * exec/: running bodies (store/ below it)
 *
 *	exec/split.c	a body as the list of its statements
 *	exec/citus.c	where Citus is installed, the statements that make a
 *					table run at top level, as Citus acts on a client's
 *	exec/launch.c	starting and following the background worker that runs
 *					a non-transactional body (exec/worker.c, the worker
 *					itself; exec/worker.h, what the two share)
 *	exec/statement_hook.c	the utility statements a body runs, seen before
 *					and after each (kept data, lint)
 *	exec/kept.c		kept data: what a step drops, kept; put back by the
 *					opposite step of the revision
 *	exec/body.c		running one revision body
 *	exec/run.c		running a plan
 *	exec/sandbox_session.c	what a rollback leaves of a sandboxed run:
 *					advisory locks and prepared statements, put back
 *	exec/sandbox.c	runs that are rolled back: steps through the SQL entry
 *					points, each in a subtransaction (trial, check_reversible)
 *	exec/lint_rules.c	the rules of lint(): a statement judged before and
 *					after it runs in a trial, or by its text
 *
 * sql/: the SQL entry points (migrate_<name>, one file per group, exporting
 * nothing else; no file of sql/ calls into another): register.c (register,
 * revision, merge), commands.c (upgrade, downgrade, stamp, current),
 * configure.c (configure), show.c (heads, bases, branches, history, show,
 * pending), script.c (script), revision_file.c (revision_file), apply.c
 * (the procedures apply and apply_downgrade), verify.c (verify), picture.c
 * (graph), status.c (project_status, behind the view migrate.status),
 * adopt.c (adopt_alembic), trial.c (trial), reversible.c
 * (check_reversible), lint.c (lint).  Two more entry points live beside
 * what they serve: store/graph_cache.c (the trigger on migrate.revision)
 * and exec/kept.c (purge_kept).
 *
 * migrate.c, at the top of src/, is the module: _PG_init, which sets up
 * each layer, and the settings, which any file may read.
 *
 * The schema model (schema/: fingerprint, compare, diff, autogenerate) is
 * a module of its own, declared in schema/schema.h; it uses nothing of the
 * files above but util/.
 *
 * Only the SQL entry points are named migrate_<name>.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "graph/graph.h"
#include "utils/palloc.h"

#include "compat.h"
#include "util/sqlargs.h"

/*
 * The migration lock is pg_advisory_xact_lock(MIGRATE_LOCK_CLASSID,
 * hashtext(project)): the two-int4 form, so it stays out of the bigint key
 * space applications use, and shows in pg_locks with classid 1835624306
 * ("migr" in ASCII) and objsubid 2.
 */
#define MIGRATE_LOCK_CLASSID	1835624306

/*
 * Two more locks of the same shape (project.c): the build lock ("migc"),
 * held by CALL migrate.apply() while a non-transactional revision runs, and
 * the registration lock ("migg"), taken by registrations.
 */
#define MIGRATE_BUILD_CLASSID	1835624291
#define MIGRATE_REGISTER_CLASSID	1835624295

/* one project row, as read under the lock */
typedef struct MigrateProject
{
	char	   *name;
	char	   *target_schema;	/* NULL when not set */
	char	   *configured_by;	/* role that set the options; NULL if none */
	char	   *run_as;			/* role the bodies run as; NULL: the caller */
	int			lock_timeout;	/* ms; -1 when not set */
	int			statement_timeout;	/* ms; -1 when not set */
	bool		keep_dropped_data;	/* kept data (kept.c); NULL reads as on */
	/* moves when revisions are changed or removed, not when one is added */
	int64		graph_gen;
	TimestampTz created_at;		/* tells a project row from one recreated */
	/* summary of the graph, valid when summary_gen == graph_gen */
	int64		summary_gen;
	int64		summary_seq;	/* the newest revision's seq when it was made */
	const char **heads;			/* versioned heads, registration order */
	int			nheads;
	bool		has_depends;	/* some revision has depends_on */
} MigrateProject;

/*
 * A project's revisions as read from migrate.revision, in registration
 * order (RevisionsLoad).  messages, stored, actual and intact are filled
 * only when the bodies were read.
 */
typedef struct LoadedRevisions
{
	int			n;
	MgRevisionInput *inputs;	/* ids and edges, for the graph module */
	int64		last_seq;		/* seq of the newest revision read */
	char	  **messages;		/* NULL entries allowed */
	char	  **stored;			/* checksum recorded at registration */
	char	  **actual;			/* checksum of the bodies as they are */
	bool	   *intact;			/* bodies present and matching stored */
	bool	   *transactional;	/* false: non-transactional (apply()) */
} LoadedRevisions;

/*
 * A project's graph as built from its catalog rows, with what the commands
 * need beside the pure graph (MgGraph, graph.h).  Kept in a backend-lifetime
 * cache and reused as long as the project's graph_gen, the seq of its newest
 * revision and its row have not moved (graph_cache.c).
 */
typedef struct CachedGraph
{
	char	   *project;
	int64		graph_gen;
	TimestampTz created_at;		/* of the project row */
	int64		last_seq;		/* seq of the newest revision read */
	MgGraph    *graph;
	char	  **messages;		/* by revision index; NULL entries allowed */
	bool	   *transactional;	/* by revision index */
	int		   *drifted;		/* revisions whose bodies fail their checksum */
	int			ndrifted;
	MemoryContext context;		/* owns all of the above */
} CachedGraph;

/* rows read by CatalogIndexScan() */
typedef struct CatalogRows
{
	int			n;
	int			ncolumns;
	const char *const *columns;
	Datum	   *values;			/* n rows of ncolumns values */
	bool	   *nulls;
} CatalogRows;

/* what kind of statement, where it matters (SplitBody) */
typedef enum BodyStatementKind
{
	BODY_PLAIN,
	BODY_TRANSACTION_CONTROL,	/* BEGIN, COMMIT, SAVEPOINT ... */
	BODY_CLIENT_COPY,			/* COPY FROM STDIN / TO STDOUT */
	BODY_NEW_TABLE				/* creates a table, or moves one to another
								 * schema: on Citus, run at top level
								 * (citus.c) */
} BodyStatementKind;

/* one statement of a revision body (SplitBody) */
typedef struct BodyStatement
{
	int			number;			/* 1 for the body's first statement */
	int			line;			/* the body's line it starts on, from 1 */
	char	   *text;			/* the statement, without its semicolon */
	BodyStatementKind kind;
} BodyStatement;

/* a non-transactional revision's statements, for the worker (launch.c) */
typedef struct WorkerRun
{
	const char *project;
	const char *revision;
	const char *search_path;	/* the caller's, with the target schema first */
	int			lock_timeout;	/* ms; 0: none */
	int			statement_timeout;	/* ms; 0: none */
	BodyStatement *statements;
	int			nstatements;
	Oid			runner;			/* the role the statements run as */
} WorkerRun;

/* one call of an entry point, while it is connected to SPI */
typedef struct MigrateCall
{
	bool		saved_read_only;
	MemoryContext result_context;
} MigrateCall;

/* migrate.c: the settings */
extern char *migrate_default_project;
extern int	migrate_lock_wait_timeout;
extern int	migrate_lock_timeout;
extern int	migrate_statement_timeout;

/* store/graph_pg.c */
pg_noreturn extern void GraphError(const MgError *err, const char *project);
extern Datum GraphRevListToArray(const CachedGraph *cg,
								 const MgRevList *list, bool sorted);
extern const char *GraphStepOperation(MgStepKind kind);

/* store/call.c */
extern void CallInit(void);
extern void CallCheckVersion(void);
extern void CallCheckWritable(const char *function);
extern void CallBegin(MigrateCall *call, bool read_only);
extern void CallBeginNonAtomic(MigrateCall *call);
extern void CallResume(void);
extern void CallCommit(void);
extern void CallEnd(MigrateCall *call);
extern text *CallResultText(const MigrateCall *call, const char *s);
extern bool CallReadOnly(void);
extern int	CallDepth(void);
extern void CallCheckNotRunning(const char *project);
extern void CallForbidProject(const char *project);
extern void CallCheckLockable(const char *project);
extern void CallEnterRun(const char *project);
extern void CallLeaveRun(void);
extern SPIPlanPtr BookkeepingPrepare(SPIPlanPtr *slot, const char *sql,
									 int nargs, Oid *argtypes);
extern void BookkeepingExec(SPIPlanPtr plan, Datum *values, const char *nulls,
							int expect);
extern void BookkeepingExecProject(SPIPlanPtr *slot, const char *sql,
								   const char *project, int expect);
extern bool InBookkeeping(void);
extern Oid	CallCatalogOwner(void);

/* store/catalog.c */
extern void CatalogInit(void);
extern CatalogRows *CatalogIndexScan(const char *index, int nkeys,
									 const char *const *keys, int ncolumns,
									 const char *const *columns);
extern Datum CatalogRowValue(const CatalogRows *rows, int row,
							 const char *column, bool *isnull);
extern bool CatalogNewestIs(const char *project, int64 seq);
extern bool CatalogHasRevisions(const char *project);

/* store/project.c */
extern char *ProjectArg(FunctionCallInfo fcinfo, int argno);
extern int32 ProjectLockKey(const char *project);
extern void ProjectLock(const char *project);
extern void ProjectLockSession(const char *project);
extern void ProjectUnlockSession(const char *project);
extern void ProjectBuildBegin(const char *project);
extern void ProjectBuildEnd(const char *project);
extern void ProjectRegistrationLock(const char *project);
extern bool ProjectRead(const char *name, bool for_update,
						MigrateProject *project);

/*
 * Opening a project, at three depths, each named <its file's prefix>Open;
 * all three refuse a project that does not exist:
 *
 *	ProjectOpen (store/project.c): the project's row.  For the entry points
 *	that need only the row (verify, lint, revision_file, the last step of
 *	apply), and for those that go on to the graph in their own way: with a
 *	shortcut that may not need it (current, upgrade's no-op check, the
 *	status view), under a lock of their own (merge, adopt_alembic), or
 *	checking it against a plan already made (apply's next step).
 *	GraphCacheOpen (store/graph_cache.c): the row, the graph and the
 *	version rows, taking no lock.  For the read-only entry points (heads,
 *	bases, branches, history, show, pending, script, graph), which answer
 *	from what their snapshot shows.
 *	RunOpen (exec/run.c): the same, under the project's migration lock,
 *	refusing a project without revisions or whose bodies or version rows
 *	do not check out.  For the entry points that move version rows along a
 *	plan (upgrade, downgrade, stamp, apply), which must plan from rows that
 *	no other run is changing.
 */
extern MigrateProject *ProjectOpen(const char *name, bool for_update);
extern bool ProjectExists(const char *project);
extern bool ProjectSummaryCurrent(const MigrateProject *project);
extern void ProjectSaveSummary(const MigrateProject *project,
							   const CachedGraph *cg);
extern void ProjectBumpGraphGen(const char *project);
extern void ProjectTouch(const char *project);

/* store/revision.c */

/* one row of migrate.revision, as RevisionRead gives it */
typedef struct RevisionRow
{
	const char **down;			/* down_revision */
	int			ndown;
	const char **depends;		/* depends_on */
	int			ndepends;
	const char **labels;		/* branch_labels */
	int			nlabels;
	char	   *message;		/* NULL: none */
	char	   *upgrade_sql;
	char	   *downgrade_sql;	/* NULL: cannot be downgraded */
	char	   *checksum;
	char	   *registered_by;
	bool		transactional;	/* false: non-transactional (apply()) */
} RevisionRow;

/* how a revision runs, as RevisionFlagsRead gives it */
typedef struct RevisionFlags
{
	bool		registered;		/* false: the project has no such revision */
	bool		transactional;
	bool		has_downgrade;
	int64		seq;			/* registration order */
} RevisionFlags;

/*
 * The columns RevisionInsert and RevisionReplace write, in this order:
 * project, id, down_revision, depends_on, branch_labels (text[]), message,
 * upgrade_sql, downgrade_sql, checksum (text), registered_by (name),
 * transactional (boolean).
 */
#define REVISION_WRITE_COLUMNS	11

extern char *RevisionChecksum(const char *upgrade_sql, const char *downgrade_sql,
							  bool transactional);
extern void RevisionsLoad(const char *project, bool with_bodies,
						  LoadedRevisions *out);
extern bool RevisionRead(const char *project, const char *id, RevisionRow *row);
extern void RevisionCheckIntact(const char *project, const char *id,
								const RevisionRow *row);
extern bool RevisionRegistration(const char *project, const char *id,
								 Datum *registered_by, Datum *registered_at,
								 Datum *checksum);
extern RevisionFlags *RevisionFlagsRead(const char *project, char **ids, int n);
extern char **RevisionProjects(int *n);
extern int64 RevisionInsert(Datum *values, const char *nulls);
extern void RevisionReplace(Datum *values, const char *nulls);
pg_noreturn extern void RevisionVanished(const char *project, const char *id);

/* store/version.c */
extern char **VersionIds(const char *project, int *n);
extern MgRevList VersionRows(const CachedGraph *cg);
extern void VersionApplyOp(const CachedGraph *cg, const MgRowOp *op,
						   MgRevList *rows);
extern void VersionDeleteAll(const char *project);

/* store/graph_cache.c */
extern CachedGraph *GraphCacheGet(const MigrateProject *project);
extern void GraphCacheCheckNotEmpty(const CachedGraph *cg);
extern void GraphCacheCheckIntact(const CachedGraph *cg);
extern CachedGraph *GraphCacheOpen(const char *name, MigrateProject **project,
								   MgRevList *rows);

/* store/log.c */
extern void LogStep(const CachedGraph *cg, const MgStep *step,
					const MgRevList *before, const MgRevList *after,
					TimestampTz start, int64 usecs, const char *role,
					const char *checksum, const char *error,
					Datum left_behind);
extern void LogPurge(const char *project, char **ids, int n);

/* store/drift.c */
extern void DriftBegin(void);
extern void DriftNoteStep(void);
extern void DriftRecord(const char *project, const char *target_schema);
extern void DriftCompare(const char *project,
						 void (*report) (const char *kind, const char *name,
										 const char *recorded, const char *now,
										 void *arg),
						 void *arg);

/* store/citus_shards.c */
extern void CitusShardsDrift(const char *project,
							 void (*report) (const char *detail, void *arg),
							 void *arg);

/* exec/worker.c: the background worker's entry point, named in launch.c */
extern PGDLLEXPORT void MigrateWorkerMain(Datum main_arg);

/* exec/launch.c: the hand-off of a non-transactional step */

/*
 * LaunchStatements returns only
 * once the worker has committed every statement, and returns with
 * interrupts held (HOLD_INTERRUPTS): a cancel arriving now must not make a
 * step that is done look failed, nor stop the caller before it has written
 * the step's version rows and log row.  The caller writes them, commits,
 * and then, and only then, calls LaunchRecorded, which asserts that the
 * hold is LaunchStatements' and ends it (RESUME_INTERRUPTS): the cancel
 * then stops the next step.  An error in between ends the hold by itself
 * (errfinish resets it) and LaunchRecorded is not called.  When the worker
 * fails, LaunchStatements raises its error with interrupts as they were,
 * once the worker is gone.  Callers: apply.c (a step of CALL apply()) and
 * run.c (the failure row of upgrade()).
 */
extern void LaunchStatements(const WorkerRun *run);
extern void LaunchRecorded(void);

/* exec/split.c: a body's statements, and the hint their errors share */
extern BodyStatement *SplitBody(const char *body, int *nstatements);
extern void SplitRoleChangeHint(ErrorData *edata);

/* exec/citus.c */
extern bool CitusPresent(void);
extern void CitusRunTopLevel(const char *sql);

/* exec/statement_hook.c */
typedef struct StatementWatch
{
	/* called before and after each statement; stmt is its parse tree */
	void		(*before) (Node *stmt, const char *text, void *arg);
	void		(*after) (Node *stmt, const char *text, void *arg);
	void	   *arg;
	struct StatementWatch *previous;	/* the stack, below this one */
} StatementWatch;

extern void StatementHookInstall(void);
extern void StatementWatchPush(StatementWatch *w);
extern void StatementWatchPop(StatementWatch *w);
extern void StatementWatchersMuted(void (*fn) (void *arg), void *arg);

/* exec/kept.c */
typedef struct KeptStep KeptStep;
extern KeptStep *KeptStepBegin(const MigrateProject *project,
							   const char *revision, bool upgrade);
extern void KeptStepBodyDone(KeptStep *ks);
extern void KeptStepEnd(KeptStep *ks, bool ok);
extern bool KeptSuspend(bool suspend);

/* exec/body.c */
extern Oid	BodyRunner(const MigrateProject *project);
extern void BodyPrepareRun(const MigrateProject *project);
extern char *BodyFetch(const MigrateProject *project, const CachedGraph *cg,
					   const MgStep *step, char **checksum, Oid *author);
extern void BodyRun(const MigrateProject *project, const CachedGraph *cg,
					const MgStep *step, const char *body, Oid author);
extern BodyStatement *BodyPrepareNontransactional(const MigrateProject *project,
												  const CachedGraph *cg,
												  const MgStep *step,
												  char **checksum, int *nstmts);
extern void BodyRunNontransactional(const MigrateProject *project,
									const CachedGraph *cg, const MgStep *step,
									BodyStatement *stmts, int nstmts);
extern Datum BodyInvalidIndexes(const char *schema);

/* exec/run.c */
extern CachedGraph *RunOpen(const char *name, MigrateProject **project,
							MgRevList *rows, bool purge);
extern void RunCheckTransactional(const CachedGraph *cg, const MgPlan *plan);
extern void RunCheckDowngrades(const CachedGraph *cg, const MgPlan *plan);
extern void RunReportStep(const CachedGraph *cg, const MgStep *step,
						  int number, int total);
extern void RunNotice(const CachedGraph *cg, const MgStep *step);
extern void RunRecord(const CachedGraph *cg, const MgStep *step, MgRevList *rows,
					  TimestampTz start, int64 usecs, const char *checksum);
extern int64 RunElapsed(TimestampTz start);
extern void RunLogFailure(const CachedGraph *cg, const MgStep *step,
						  TimestampTz start, const ErrorData *edata);
extern void RunStep(const MigrateProject *project, const CachedGraph *cg,
					const MgStep *step, int number, int total, MgRevList *rows,
					ReturnSetInfo *rsinfo);
extern void RunPlan(FunctionCallInfo fcinfo, MigrateProject *project,
					CachedGraph *cg, const MgRevList *rows_before,
					const MgPlan *plan);

/* exec/sandbox.c: runs that are rolled back (trial, check_reversible) */
extern void SandboxRefuseNested(const char *function);
extern void SandboxCheckPrivilege(const char *function, const char *caller);
extern void SandboxRun(void (*fn) (void *arg), void *arg);
extern char *SandboxErrorText(const ErrorData *edata);
extern char **SandboxPending(const char *target, const char *project, int *n);
extern void SandboxUpgrade(const char *project, const char *revision);
extern void SandboxDowngrade(const char *project, const char *revision,
							 const char *parent);
extern void SandboxStamp(const char *project, const char *revision);
extern bool *SandboxNontransactional(const char *project, char **ids, int n);

/* exec/sandbox_session.c: what a rollback leaves of a sandboxed run */
typedef struct SandboxSession SandboxSession;
extern SandboxSession *SandboxSessionSave(void);
extern void SandboxSessionRestore(const SandboxSession *before);

/* exec/lint_rules.c: the rules of lint() (lint.c runs the trial) */
typedef struct LintFinding
{
	const char *revision;		/* NULL: about the project as a whole */
	const char *rule;
	const char *statement;		/* NULL: about the revision as a whole */
	const char *detail;
	const char *hint;
} LintFinding;

typedef struct LintState LintState;
extern LintState *LintBegin(const char *project, bool keeps);
extern void LintStep(LintState *ls, const char *revision, bool tried);
extern void LintStatement(LintState *ls, Node *stmt, const char *text);
extern StatementWatch *LintWatch(LintState *ls);
extern void LintAdd(LintState *ls, const char *rule, const char *statement,
					const char *detail, const char *hint);
extern void LintForget(LintState *ls, int n);
extern List *LintFindings(const LintState *ls);

#endif							/* MIGRATE_H */
