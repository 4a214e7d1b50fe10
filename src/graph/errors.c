/*-------------------------------------------------------------------------
 *
 * errors.c
 *	  How the graph module words its errors, and the grammar of names.
 *
 * Where Alembic has a message for a problem, the module keeps it (users
 * and scripts match on it), and puts what Alembic's command layer hides
 * into the detail: Alembic rewords every resolution problem as "Can't
 * locate revision identified by ...", so the cause goes to the detail.
 * Where Alembic has none (it crashes), the module words its own.  The
 * embedder picks a SQLSTATE from the error code (in the server:
 * graph_pg.c).
 *
 * Implements rules §1.2 (names) and §11 (errors and their wording) of
 * doc/graph-rules.md; §3.6 (command wording of resolution errors and
 * several heads).
 *
 * Copyright: the migrate authors.
 *
 * IDENTIFICATION
 *	  src/graph/errors.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

/*
 * Fill the caller's MgError (the first error wins) and return false, so
 * that failure paths read "return mgi_fail(...)".
 */
bool
mgi_fail(Ctx *c, MgErrorCode code, const char *detail, const char *hint,
		 const char *fmt,...)
{
	va_list		ap;

	if (c->err->code != MG_OK)
		return false;
	va_start(ap, fmt);
	c->err->message = mgi_vprintf(NULL, fmt, ap);
	va_end(ap);
	c->err->code = code;
	c->err->detail = detail ? mgi_keep_printf("%s", detail) : NULL;
	c->err->hint = hint ? mgi_keep_printf("%s", hint) : NULL;
	return false;
}

/* ", "-joined ids of a list of revisions */
const char *
mgi_join_ids(Ctx *c, const int *revs, int n, bool quoted)
{
	Str			b;
	int			i;

	mgi_str_init(c, &b);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			mgi_str_add(&b, ", ");
		if (quoted)
			mgi_str_add(&b, "'");
		mgi_str_add(&b, c->g->ids[revs[i]]);
		if (quoted)
			mgi_str_add(&b, "'");
	}
	return b.s;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* ", "-joined ids in byte order, as Alembic's cycle messages list them */
const char *
mgi_join_sorted_ids(Ctx *c, const int *revs, int n)
{
	const char **names = mgi_alloc(c, (size_t) n, sizeof(char *));
	Str			b;
	int			i;

	for (i = 0; i < n; i++)
		names[i] = c->g->ids[revs[i]];
	if (n > 1)
		qsort(names, (size_t) n, sizeof(char *), cmp_str);
	mgi_str_init(c, &b);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			mgi_str_add(&b, ", ");
		mgi_str_add(&b, names[i]);
	}
	return b.s;
}

/* Python's str() of a tuple of strings, which Alembic sometimes prints */
const char *
mgi_py_tuple(Ctx *c, const int *revs, int n)
{
	Str			b;

	mgi_str_init(c, &b);
	mgi_str_add(&b, "(");
	mgi_str_add(&b, mgi_join_ids(c, revs, n, true));
	if (n == 1)
		mgi_str_add(&b, ",");
	mgi_str_add(&b, ")");
	return b.s;
}

/*
 * Alembic's ResolutionError, as the command layer words it: the message
 * names what could not be located, the detail says why (rules §3.6).
 */
bool
mgi_fail_resolution(Ctx *c, MgErrorCode code, const char *argument,
					const char *cause)
{
	const char *hint = NULL;

	if (code == MG_ERR_AMBIGUOUS_PREFIX)
		hint = "Type more characters of the revision id, or the whole id.";
	return mgi_fail(c, code, cause, hint,
					"Can't locate revision identified by '%s'", argument);
}

/* several heads where one is needed (rules §3.6) */
bool
mgi_fail_multiple_heads(Ctx *c, const int *heads, int n, const char *argument)
{
	const char *detail = mgi_printf(c, "The heads are %s.",
									mgi_join_ids(c, heads, n, false));

	if (c->stamp_wording)
		return mgi_fail(c, MG_ERR_MULTIPLE_HEADS, detail, NULL,
						"Multiple heads are present; please specify a single target revision");
	if (c->mh_arg != NULL)
		argument = c->mh_arg;
	return mgi_fail(c, MG_ERR_MULTIPLE_HEADS, detail, NULL,
					"Multiple head revisions are present for given argument '%s'; "
					"please specify a specific target revision, "
					"'<branchname>@%s' to narrow to a specific head, "
					"or 'heads' for all heads", argument, argument);
}

/* a relative target that does not give the steps asked for (rules §4) */
bool
mgi_fail_relative(Ctx *c, const char *shown, const char *abs_text,
				  const char *detail)
{
	return mgi_fail(c, MG_ERR_RELATIVE_RANGE, detail, NULL,
					"Relative revision %s didn't produce %s migrations",
					shown, abs_text);
}

/*
 * A range whose start is not below its end: history's wording, or
 * downgrade's for a destination above the rows (rules §7.5, §10.3).
 */
bool
mgi_fail_range(Ctx *c)
{
	if (c->history_range)
		return mgi_fail(c, MG_ERR_NOT_VALID_TARGET,
						"The start of the range is not an ancestor of its end.", NULL,
						"Requested range %s:%s does not refer to ancestor/descendant revisions along the same branch",
						c->range_start, c->range_end);
	return mgi_fail(c, MG_ERR_NOT_VALID_TARGET,
					"Nothing above the destination is applied.", NULL,
					"Destination %s is not a valid downgrade target from current head(s)",
					c->destination);
}

/* ----------------------------------------------------------------------
 * Names (rules §1.2)
 * ----------------------------------------------------------------------
 */
static bool
name_char_ok(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

bool
mg_check_name(const char *name, const char *what, MgError *err)
{
	MgError		dummy;
	size_t		len;
	size_t		i;
	bool		bad[256];
	bool		any = false;
	char		list[256 * 6];
	size_t		pos = 0;
	int			ch;

	if (err == NULL)
		err = &dummy;
	err->code = MG_OK;
	err->message = err->detail = err->hint = NULL;
	if (what == NULL)
		what = "revision identifier";
	if (name == NULL)
	{
		err->code = MG_ERR_BAD_ID;
		err->message = mgi_keep_printf("%s must not be null", what);
		return false;
	}
	len = strlen(name);
	if (len == 0)
	{
		err->code = MG_ERR_BAD_ID;
		err->message = mgi_keep_printf("%s must not be empty", what);
		err->hint = mgi_keep_printf("Use 1 to %d ASCII letters, digits, underscores and dots.",
									MG_MAX_ID_LEN);
		return false;
	}
	if (len > MG_MAX_ID_LEN)
	{
		err->code = MG_ERR_BAD_ID;
		err->message = mgi_keep_printf("%s is too long", what);
		err->detail = mgi_keep_printf("It has %zu bytes; at most %d are allowed.",
									  len, MG_MAX_ID_LEN);
		return false;
	}
	memset(bad, 0, sizeof(bad));
	for (i = 0; i < len; i++)
	{
		unsigned char uc = (unsigned char) name[i];

		if (!name_char_ok(uc))
		{
			bad[uc] = true;
			any = true;
		}
	}
	if (any)
	{
		/*
		 * Alembic's wording lists the offending characters sorted and comma
		 * separated; bytes that would not print are shown as \xNN.
		 */
		for (ch = 0; ch < 256; ch++)
		{
			if (!bad[ch])
				continue;
			if (pos > 0)
			{
				list[pos++] = ',';
				list[pos++] = ' ';
			}
			if (ch > 0x20 && ch < 0x7f)
				list[pos++] = (char) ch;
			else
				pos += (size_t) snprintf(list + pos, sizeof(list) - pos,
										 "\\x%02x", ch);
		}
		list[pos] = '\0';
		err->code = MG_ERR_BAD_ID;
		err->message = mgi_keep_printf("Character(s) '%s' not allowed in %s '%s'",
									   list, what, name);
		err->hint = mgi_keep_printf("Use ASCII letters, digits, underscores and dots.");
		return false;
	}
	if (strcmp(name, "base") == 0 || strcmp(name, "head") == 0 ||
		strcmp(name, "heads") == 0)
	{
		err->code = MG_ERR_BAD_ID;
		err->message = mgi_keep_printf("'%s' is reserved and cannot be used as a %s",
									   name, what);
		err->detail = mgi_keep_printf("The names base, head and heads are target symbols.");
		return false;
	}
	return true;
}
