/*-------------------------------------------------------------------------
 *
 * keys.c
 *	  The key map of a graph: revision ids and branch labels, each pointing
 *	  at a revision, looked up exactly (a hash table) or by prefix (the keys
 *	  in byte order).
 *
 * Keys are numbered: the ids first, in registration order (key k < n is
 * revision k), then the branch labels in the order they were registered.
 * That numbering is the "map order" of rules §1.7, in which prefix
 * candidates are listed.
 *
 * Implements rules §1.8 (a label is a key of the map) and §3.3 (exact and
 * prefix lookup) of doc/graph-rules.md.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/keys.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

/* FNV-1a */
uint64_t
mgi_hash_bytes(const char *s, size_t n)
{
	uint64_t	h = 1469598103934665603ULL;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * Room for nkeys keys, and an empty hash table at most half full.  The
 * arrays are scratch memory of c when c is given (a map used for one call
 * only), else kept with the graph.
 */
void
mgi_keys_init(Ctx *c, MgGraph *g, long long nkeys)
{
	size_t		nk = (size_t) (nkeys + 1);
	int			hcap;
	int			i;

	for (hcap = 16; hcap < 2 * nkeys; hcap *= 2)
		;
	g->nkeys = 0;
	g->hmask = hcap - 1;
	if (c != NULL)
	{
		g->key = mgi_alloc(c, nk, sizeof(char *));
		g->keylen = mgi_alloc(c, nk, sizeof(int));
		g->keyrev = mgi_alloc(c, nk, sizeof(int));
		g->htab = mgi_alloc(c, (size_t) hcap, sizeof(int));
	}
	else
	{
		g->key = mg_alloc(sizeof(char *) * nk);
		g->keylen = mg_alloc(sizeof(int) * nk);
		g->keyrev = mg_alloc(sizeof(int) * nk);
		g->htab = mg_alloc(sizeof(int) * (size_t) hcap);
	}
	for (i = 0; i < hcap; i++)
		g->htab[i] = -1;
}

/* the key index of s[0..n), or -1 */
int
mgi_key_find_n(const MgGraph *g, const char *s, size_t n)
{
	uint64_t	h;
	int			i;

	if (g->htab == NULL || n > MG_MAX_ID_LEN)
		return -1;
	h = mgi_hash_bytes(s, n);
	for (i = (int) (h & (uint64_t) g->hmask);; i = (i + 1) & g->hmask)
	{
		int			k = g->htab[i];

		if (k < 0)
			return -1;
		if ((size_t) g->keylen[k] == n && memcmp(g->key[k], s, n) == 0)
			return k;
	}
}

int
mgi_key_find(const MgGraph *g, const char *s)
{
	return mgi_key_find_n(g, s, strlen(s));
}

/* add a key the map does not hold yet; it points at rev */
void
mgi_key_add(MgGraph *g, const char *key, size_t len, int rev)
{
	int			k = g->nkeys++;
	uint64_t	h = mgi_hash_bytes(key, len);
	int			i;

	g->key[k] = key;
	g->keylen[k] = (int) len;
	g->keyrev[k] = rev;
	for (i = (int) (h & (uint64_t) g->hmask); g->htab[i] >= 0;
		 i = (i + 1) & g->hmask)
		;
	g->htab[i] = k;
}

typedef struct KeySort
{
	const char *s;
	int			k;
} KeySort;

static int
cmp_keysort(const void *a, const void *b)
{
	return strcmp(((const KeySort *) a)->s, ((const KeySort *) b)->s);
}

/* the keys in byte order, for prefix matching */
void
mgi_keys_sort(Ctx *c, MgGraph *g)
{
	KeySort    *ks = mgi_alloc(c, (size_t) g->nkeys, sizeof(KeySort));
	int			i;

	for (i = 0; i < g->nkeys; i++)
	{
		ks[i].s = g->key[i];
		ks[i].k = i;
	}
	if (g->nkeys > 1)
		qsort(ks, (size_t) g->nkeys, sizeof(KeySort), cmp_keysort);
	g->sorted = mg_alloc(sizeof(int) * (size_t) (g->nkeys ? g->nkeys : 1));
	for (i = 0; i < g->nkeys; i++)
		g->sorted[i] = ks[i].k;
}

/*
 * The keys longer than three bytes that start with prefix, in map order
 * (rules §3.3: shorter keys take no part in prefix matching).
 */
void
mgi_prefix_candidates(Ctx *c, const char *prefix, IntVec *out)
{
	const MgGraph *g = c->g;
	size_t		plen = strlen(prefix);
	int			lo = 0,
				hi = g->nkeys;

	out->n = 0;
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (strcmp(g->key[g->sorted[mid]], prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < g->nkeys; lo++)
	{
		int			k = g->sorted[lo];

		if (strncmp(g->key[k], prefix, plen) != 0)
			break;
		if (g->keylen[k] > 3)
			iv_push(out, k);
	}
	if (out->n > 1)
		mgi_sort_ints(out->v, out->n);
}
