/*-------------------------------------------------------------------------
 *
 * migrate.c
 *	  Module entry point and settings of the migrate extension.
 *
 * The extension needs no shared memory and no background worker, so it
 * works without shared_preload_libraries: the library is loaded by the
 * first call of one of its functions, and the settings below are defined
 * then (a value set earlier with SET migrate.project = ... is kept).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "migrate.h"

PG_MODULE_MAGIC;

char	   *migrate_default_project = NULL;
int			migrate_lock_wait_timeout = 0;
int			migrate_lock_timeout = 0;
int			migrate_statement_timeout = 0;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomStringVariable("migrate.project",
							   gettext_noop("Project used when a migrate function is called without one."),
							   NULL,
							   &migrate_default_project,
							   "default",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.lock_wait_timeout",
							gettext_noop("Longest wait for a project's migration lock; 0 waits without limit."),
							NULL,
							&migrate_lock_wait_timeout,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.lock_timeout",
							gettext_noop("lock_timeout applied while revision bodies run, unless the project sets one; 0 keeps the session's."),
							NULL,
							&migrate_lock_timeout,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("migrate.statement_timeout",
							gettext_noop("Time limit for each revision body, unless the project sets one; 0 means none."),
							NULL,
							&migrate_statement_timeout,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("migrate");
	CallInit();
	CatalogInit();
	StatementHookInstall();
}
