#include "postgres.h"
#include "fmgr.h"
#include "migrate.h"
PG_FUNCTION_INFO_V1(migrate_lint);
Datum
migrate_lint(PG_FUNCTION_ARGS)
{
	PG_RETURN_NULL();
}
