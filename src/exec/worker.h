/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  What the caller of CALL migrate.apply() (launch.c) and the background
 *	  worker that runs a non-transactional revision's statements (worker.c)
 *	  share: the layout of the dynamic shared memory segment between them.
 *
 * The segment holds a table of contents with three entries: the task (a
 * fixed header followed by its strings), the caller's settings (as
 * SerializeGUCState writes them), and a message queue from the worker to
 * the caller.  The worker sends its NOTICEs and its error over the queue,
 * in the frontend/backend protocol's format (the queue stands in for its
 * client connection), and one message of type WORKER_DONE_MESSAGE once
 * every statement has committed.  A worker that ends without that message
 * failed, whatever else it sent.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_WORKER_H
#define MIGRATE_WORKER_H

/* "migw", to recognise the segment */
#define WORKER_MAGIC			0x6d696777

#define WORKER_KEY_TASK			1
#define WORKER_KEY_QUEUE		2
#define WORKER_KEY_SETTINGS		3

/* room for the worker's messages in flight */
#define WORKER_QUEUE_SIZE		65536

/* the worker's last message: every statement has run */
#define WORKER_DONE_MESSAGE		'C'

/* a statement's number and line in the body it comes from */
typedef struct WorkerStatement
{
	int			number;
	int			line;
} WorkerStatement;

/*
 * The task.  After the statements' positions come the strings, each ended
 * by a zero byte: the search_path, the revision id, the project, then the
 * statements in order.
 */
typedef struct WorkerTask
{
	Oid			database;
	Oid			authenticated_user; /* who logged in: the worker connects as
									 * it, then takes the caller's settings,
									 * its role and session authorization
									 * among them */
	Oid			role;			/* the caller's SET ROLE; InvalidOid: none */
	bool		role_is_superuser;
	Oid			user;			/* the caller's current user (checked once
								 * the settings are taken) */
	Oid			runner;			/* the role the statements run as: the
								 * caller, or the project's run_as */
	int			lock_timeout;	/* ms; 0: the caller's */
	int			statement_timeout;	/* ms, per statement; 0: the caller's */
	int			nstatements;
	WorkerStatement statements[FLEXIBLE_ARRAY_MEMBER];
} WorkerTask;

#define WorkerTaskStrings(task) ((char *) &(task)->statements[(task)->nstatements])

#endif							/* MIGRATE_WORKER_H */
