/*
 * shim.h
 *	  mg_alloc/mg_realloc/mg_free for the standalone harnesses.
 *
 * Every block is kept on a list so that shim_reset() can free everything at
 * once, the way a PostgreSQL memory context would; the fuzzer and the
 * property tests reset between iterations.  Out of memory aborts.
 */
#ifndef SHIM_H
#define SHIM_H

#include <stddef.h>

extern void shim_reset(void);
extern size_t shim_live_blocks(void);

#endif
