/*
 * shim.c
 *	  The embedder's allocator for the graph module outside the server.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../src/graph/graph.h"
#include "shim.h"

typedef union Hdr
{
	struct
	{
		union Hdr  *prev;
		union Hdr  *next;
	}			l;
	max_align_t align;
} Hdr;

static Hdr *blocks;
static size_t nblocks;

static void
oom(void)
{
	fputs("out of memory\n", stderr);
	abort();
}

static void
link_block(Hdr *h)
{
	h->l.prev = NULL;
	h->l.next = blocks;
	if (blocks)
		blocks->l.prev = h;
	blocks = h;
	nblocks++;
}

static void
unlink_block(Hdr *h)
{
	if (h->l.prev)
		h->l.prev->l.next = h->l.next;
	else
		blocks = h->l.next;
	if (h->l.next)
		h->l.next->l.prev = h->l.prev;
	nblocks--;
}

void *
mg_alloc(size_t size)
{
	Hdr		   *h = calloc(1, sizeof(Hdr) + size);

	if (h == NULL)
		oom();
	link_block(h);
	return h + 1;
}

void *
mg_realloc(void *ptr, size_t size)
{
	Hdr		   *h;

	if (ptr == NULL)
		return mg_alloc(size);
	h = (Hdr *) ptr - 1;
	unlink_block(h);
	h = realloc(h, sizeof(Hdr) + size);
	if (h == NULL)
		oom();
	link_block(h);
	return h + 1;
}

void
mg_free(void *ptr)
{
	Hdr		   *h;

	if (ptr == NULL)
		return;
	h = (Hdr *) ptr - 1;
	unlink_block(h);
	free(h);
}

void
shim_reset(void)
{
	while (blocks)
	{
		Hdr		   *h = blocks;

		unlink_block(h);
		free(h);
	}
}

size_t
shim_live_blocks(void)
{
	return nblocks;
}
