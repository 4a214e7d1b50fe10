/*
 * gen.h
 *	  Random revision graphs for the property tests, the benchmark and the
 *	  fuzzer: a deterministic generator (xorshift) and a graph holder.
 */
#ifndef MG_GEN_H
#define MG_GEN_H

#include <stdint.h>

#include "../../src/graph/graph.h"

typedef struct Rng
{
	uint64_t	s;
} Rng;

static inline uint64_t
rng_next(Rng *r)
{
	uint64_t	x = r->s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	r->s = x;
	return x;
}

/* uniform in [0, n) */
static inline int
rng_int(Rng *r, int n)
{
	return n <= 0 ? 0 : (int) (rng_next(r) % (uint64_t) n);
}

static inline double
rng_unit(Rng *r)
{
	return (double) (rng_next(r) >> 11) / 9007199254740992.0;
}

typedef struct GenGraph
{
	int			n;
	MgRevisionInput *in;
	char	  **ids;
	/* storage for the lists the inputs point into */
	const char **down;
	const char **deps;
	const char **labels;
	char	  **labelstore;
	int			nlabelstore;
} GenGraph;

typedef struct GenOpts
{
	int			n;				/* revisions */
	double		p_root;			/* chance of a new base */
	double		p_merge;		/* chance of two or three parents */
	double		p_dep;			/* chance of depends_on */
	double		p_label;		/* chance of a branch label */
	double		p_head;			/* chance a parent is a current head */
	bool		shuffle;		/* registration order not topological */
	bool		mainline;		/* long chain with short side branches */
	bool		all_merged;		/* main line: merge every side branch back */
} GenOpts;

extern void gen_graph(Rng *r, const GenOpts *o, GenGraph *g);
extern void gen_free(GenGraph *g);

#endif
