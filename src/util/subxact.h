/*-------------------------------------------------------------------------
 *
 * subxact.h
 *	  Running a piece of work in an internal subtransaction, with one policy
 *	  for the errors that must not be caught (subxact.c).
 *
 * Used by the SQL entry points and by the schema model alike; it uses
 * nothing of either.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_SUBXACT_H
#define MIGRATE_SUBXACT_H

#include "utils/elog.h"

typedef void (*SubxactWork) (void *arg);
typedef bool (*SubxactDecidingWork) (void *arg);
typedef void (*SubxactFailure) (ErrorData *edata, void *arg);

extern bool SubxactMustPropagate(const ErrorData *edata);
extern ErrorData *SubxactRun(SubxactWork work, void *arg, bool keep,
							 SubxactFailure on_failure);
extern ErrorData *SubxactRunDecide(SubxactDecidingWork work, void *arg,
								   SubxactFailure on_failure,
								   void *failure_arg);

#endif							/* MIGRATE_SUBXACT_H */
