/*
 * check.h
 *	  The harness's assertion: CHECK(cond, fmt, ...) counts a pass, or
 *	  counts a failure and prints where and why.  Each program that
 *	  includes it has its own counters.
 */
#ifndef MG_CHECK_H
#define MG_CHECK_H

#include <stdio.h>

static int	passed;
static int	failed;

#define CHECK(cond, ...) \
	do { \
		if (cond) \
			passed++; \
		else \
		{ \
			failed++; \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while (0)

#endif
