/*-------------------------------------------------------------------------
 *
 * scratch.c
 *	  The per-call context of the graph module: scratch memory, growable
 *	  int vectors, revision sets and strings.
 *
 * Every call of the API allocates its own scratch space and hands it back
 * to mg_free before returning (mgi_ctx_end); what it returns is allocated
 * with mg_alloc and owned by the caller from then on (in the server, by
 * the current memory context).  A graph is never written after it is
 * built, so calls need no locking and keep no state between them.
 *
 * Implements no rule of doc/graph-rules.md; the other files build on it.
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/scratch.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

/* a new call; err may be NULL (the caller does not want the error) */
void
mgi_ctx_init(Ctx *c, const MgGraph *g, MgError *err)
{
	memset(c, 0, sizeof(*c));
	c->g = g;
	c->lin_rev = -1;
	c->err = err ? err : &c->unwanted_err;
	c->err->code = MG_OK;
	c->err->message = NULL;
	c->err->detail = NULL;
	c->err->hint = NULL;
}

/* a new call of an entry point that plans or resolves on graph g */
bool
mgi_ctx_begin(Ctx *c, const MgGraph *g, MgError *err)
{
	mgi_ctx_init(c, g, err);
	if (g == NULL)
	{
		c->err->code = MG_ERR_BAD_TARGET;
		c->err->message = mgi_keep_printf("no revision graph given");
		return false;
	}
	return true;
}

/* remember p as scratch; returns its slot, for a later realloc */
int
mgi_track(Ctx *c, void *p)
{
	if (c->nscratch == c->cscratch)
	{
		int			ncap = c->cscratch ? c->cscratch * 2 : 32;

		if (c->scratch == NULL)
			c->scratch = mg_alloc(sizeof(void *) * (size_t) ncap);
		else
			c->scratch = mg_realloc(c->scratch, sizeof(void *) * (size_t) ncap);
		c->cscratch = ncap;
	}
	c->scratch[c->nscratch] = p;
	return c->nscratch++;
}

/* scratch memory, zeroed, handed back by mgi_ctx_end */
void *
mgi_alloc(Ctx *c, size_t nelem, size_t size)
{
	void	   *p;

	/* counts are ints and sizes small, but keep the product honest */
	if (nelem == 0)
		nelem = 1;
	if (nelem > SIZE_MAX / size)
		nelem = SIZE_MAX / size;
	p = mg_alloc(nelem * size);
	mgi_track(c, p);
	return p;
}

void
mgi_ctx_end(Ctx *c)
{
	int			i;

	for (i = 0; i < c->nscratch; i++)
		if (c->scratch[i] != NULL)
			mg_free(c->scratch[i]);
	if (c->scratch != NULL)
		mg_free(c->scratch);
	if (c->stack != NULL)
		mg_free(c->stack);
	c->scratch = NULL;
	c->stack = NULL;
	c->nscratch = c->cscratch = 0;
}

void
mgi_iv_init(Ctx *c, IntVec *a)
{
	a->v = NULL;
	a->n = 0;
	a->cap = 0;
	a->c = c;
	a->slot = -1;
}

void
mgi_iv_reserve(IntVec *a, int need)
{
	int			ncap;

	if (need <= a->cap)
		return;
	ncap = a->cap ? a->cap : 8;
	while (ncap < need)
		ncap = (ncap > INT_MAX / 2) ? INT_MAX : ncap * 2;
	if (a->v == NULL)
	{
		a->v = mg_alloc(sizeof(int) * (size_t) ncap);
		a->slot = mgi_track(a->c, a->v);
	}
	else
	{
		a->v = mg_realloc(a->v, sizeof(int) * (size_t) ncap);
		a->c->scratch[a->slot] = a->v;
	}
	a->cap = ncap;
}

/* room for one more entry on the context's stack (st_push) */
void
mgi_stack_grow(Ctx *c)
{
	int			ncap = c->cstack ? c->cstack * 2 : 64;

	if (c->stack == NULL)
		c->stack = mg_alloc(sizeof(int) * (size_t) ncap);
	else
		c->stack = mg_realloc(c->stack, sizeof(int) * (size_t) ncap);
	c->cstack = ncap;
}

/* an empty set of revisions of the context's graph */
Mark *
mgi_mark_new(Ctx *c)
{
	Mark	   *k = mgi_alloc(c, 1, sizeof(Mark));

	k->n = c->g->n;
	k->m = mgi_alloc(c, (size_t) k->n, sizeof(unsigned));
	k->gen = 1;
	return k;
}

void
mgi_mark_clear(Mark *k)
{
	if (++k->gen == 0)
	{
		memset(k->m, 0, sizeof(unsigned) * (size_t) (k->n ? k->n : 1));
		k->gen = 1;
	}
}

/* a memo for mgi_reaches(): -1 everywhere */
int *
mgi_memo_new(Ctx *c)
{
	int		   *m = mgi_alloc(c, (size_t) c->g->n, sizeof(int));
	int			i;

	for (i = 0; i < c->g->n; i++)
		m[i] = -1;
	return m;
}

void
mgi_str_init(Ctx *c, Str *b)
{
	b->c = c;
	b->cap = 64;
	b->len = 0;
	b->s = mg_alloc(b->cap);
	b->slot = mgi_track(c, b->s);
}

static void
str_addn(Str *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		size_t		ncap = b->cap;

		while (b->len + n + 1 > ncap)
			ncap *= 2;
		b->s = mg_realloc(b->s, ncap);
		b->c->scratch[b->slot] = b->s;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
mgi_str_add(Str *b, const char *s)
{
	str_addn(b, s, strlen(s));
}

void
mgi_str_addn(Str *b, const char *s, size_t n)
{
	str_addn(b, s, n);
}

/* copy of s[0..n) in scratch memory */
char *
mgi_strndup(Ctx *c, const char *s, size_t n)
{
	char	   *p = mgi_alloc(c, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/*
 * vsnprintf into new memory: scratch memory when c is given, else memory
 * the caller keeps (messages, details).
 */
char *
mgi_vprintf(Ctx *c, const char *fmt, va_list ap)
{
	va_list		ap2;
	int			len;
	char	   *buf;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		len = 0;
	buf = c ? mgi_alloc(c, (size_t) len + 1, 1) : mg_alloc((size_t) len + 1);
	vsnprintf(buf, (size_t) len + 1, fmt, ap);
	return buf;
}

/* printf into scratch memory */
const char *
mgi_printf(Ctx *c, const char *fmt,...)
{
	va_list		ap;
	char	   *buf;

	va_start(ap, fmt);
	buf = mgi_vprintf(c, fmt, ap);
	va_end(ap);
	return buf;
}

/* printf into memory the caller keeps */
char *
mgi_keep_printf(const char *fmt,...)
{
	va_list		ap;
	char	   *buf;

	va_start(ap, fmt);
	buf = mgi_vprintf(NULL, fmt, ap);
	va_end(ap);
	return buf;
}

static int
cmp_int(const void *a, const void *b)
{
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return (x > y) - (x < y);
}

/* ascending; qsort wants a valid pointer even for no elements */
void
mgi_sort_ints(int *v, int n)
{
	if (n > 1)
		qsort(v, (size_t) n, sizeof(int), cmp_int);
}

/* a result list the caller keeps */
void
mgi_to_revlist(const IntVec *v, MgRevList *out)
{
	out->n = v->n;
	out->items = mg_alloc(sizeof(int) * (size_t) (v->n ? v->n : 1));
	if (v->n)
		memcpy(out->items, v->v, sizeof(int) * (size_t) v->n);
}
