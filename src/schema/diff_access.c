/*-------------------------------------------------------------------------
 *
 * diff_access.c
 *	  Planning COMMENT ON, GRANT and REVOKE for an object, from what it has
 *	  (or what a new object gets) to what the target has.
 *
 * Privileges are entries "grantee=PRIVILEGE", "*" marking the grant
 * option; OWNER stands for the owner of the object (in the source schema,
 * its owner; for an object the script creates, the role running it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "diff_int.h"

/* 0: not held, 1: held, 2: held with grant option */
static int
held(char **acl, int n, const char *grantee, const char *privilege)
{
	size_t		glen = strlen(grantee);
	size_t		plen = strlen(privilege);

	for (int i = 0; i < n; i++)
	{
		const char *e = acl[i];

		if (strncmp(e, grantee, glen) == 0 && e[glen] == '=' &&
			strncmp(e + glen + 1, privilege, plen) == 0)
		{
			const char *rest = e + glen + 1 + plen;

			if (*rest == '\0')
				return 1;
			if (strcmp(rest, "*") == 0)
				return 2;
		}
	}
	return 0;
}

/* "alice=SELECT*" -> grantee "alice", privilege "SELECT" */
static void
split_entry(const char *entry, char **grantee, char **privilege)
{
	const char *eq = strrchr(entry, '=');
	size_t		len;

	*grantee = pnstrdup(entry, eq - entry);
	len = strlen(eq + 1);
	if (len > 0 && eq[len] == '*')
		len--;
	*privilege = pnstrdup(eq + 1, len);
}

/* how GRANT names the object, column privileges aside */
static char *
grant_target(Diff *d, const SchemaObject *obj)
{
	switch (obj->kind)
	{
		case SK_TABLE:
		case SK_VIEW:
		case SK_MATVIEW:
			return psprintf("TABLE %s", diff_qname(d, obj));
		case SK_COLUMN:
		case SK_VIEW_COLUMN:
			return psprintf("TABLE %s", diff_qparent(d, obj));
		case SK_SEQUENCE:
			return psprintf("SEQUENCE %s", diff_qname(d, obj));
		case SK_PROCEDURE:
			return psprintf("PROCEDURE %s", diff_qname(d, obj));
		case SK_FUNCTION:
		case SK_AGGREGATE:
			return psprintf("FUNCTION %s", diff_qname(d, obj));
		case SK_DOMAIN:
			return psprintf("DOMAIN %s", diff_qname(d, obj));
		default:
			return psprintf("TYPE %s", diff_qname(d, obj));
	}
}

/* the change of one privilege: -1 none, else the index of its verb */
static int
change_of(int from, int to)
{
	if (from == to)
		return -1;
	if (to == 0)
		return 0;				/* REVOKE */
	if (to == 1 && from == 2)
		return 1;				/* REVOKE GRANT OPTION FOR */
	return to == 1 ? 2 : 3;		/* GRANT, GRANT ... WITH GRANT OPTION */
}

static bool
listed(char **list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * One statement per grantee and kind of change, listing its privileges:
 * revokes first, then grants.
 */
static void
privileges(Diff *d, const SchemaObject *a, int t)
{
	static const char *const verbs[4] = {
		"REVOKE %s ON %s FROM %s", "REVOKE GRANT OPTION FOR %s ON %s FROM %s",
	"GRANT %s ON %s TO %s", "GRANT %s ON %s TO %s WITH GRANT OPTION"};
	const SchemaObject *b = &d->t->objects[t];
	char	  **from = a ? a->acl : b->acl_default;
	int			nfrom = a ? a->nacl : b->nacl_default;
	int			nall = nfrom + b->nacl;
	char	  **all = palloc(sizeof(char *) * Max(nall, 1));
	char	  **grantees = palloc(sizeof(char *) * Max(nall, 1));
	int			ng = 0;
	bool		column = b->kind == SK_COLUMN || b->kind == SK_VIEW_COLUMN;

	for (int i = 0; i < nall; i++)
	{
		char	   *g,
				   *p;

		all[i] = i < nfrom ? from[i] : b->acl[i - nfrom];
		split_entry(all[i], &g, &p);
		if (!listed(grantees, ng, g))
			grantees[ng++] = g;
	}
	qsort(grantees, ng, sizeof(char *), cmp_str);
	for (int v = 0; v < 4; v++)
		for (int k = 0; k < ng; k++)
		{
			StringInfoData privs;
			char	  **done = palloc(sizeof(char *) * Max(nall, 1));
			int			ndone = 0;

			initStringInfo(&privs);
			for (int i = 0; i < nall; i++)
			{
				char	   *g,
						   *p;

				split_entry(all[i], &g, &p);
				if (strcmp(g, grantees[k]) != 0 || listed(done, ndone, p) ||
					change_of(held(from, nfrom, g, p), held(b->acl, b->nacl, g, p)) != v)
					continue;
				done[ndone++] = p;
				appendStringInfo(&privs, "%s%s%s%s%s", privs.len ? ", " : "", p,
								 column ? " (" : "", column ? b->ident : "", column ? ")" : "");
			}
			if (privs.len > 0)
				diff_stmt(d, PH_PRIVILEGE, -1, t, false, verbs[v], privs.data,
						  grant_target(d, b),
						  strcmp(grantees[k], "OWNER") != 0 ? grantees[k] :
						  a ? a->owner_role : "CURRENT_USER");
		}
}

void
diff_comment_and_privileges(Diff *d, int s, int t)
{
	const SchemaObject *a = s >= 0 ? &d->s->objects[s] : NULL;
	const SchemaObject *b = &d->t->objects[t];

	if (!diff_same(a ? a->comment : NULL, b->comment))
		diff_stmt(d, PH_COMMENT, -1, t, false, "COMMENT ON %s IS %s", diff_ref(d, b),
				  b->comment ? quote_literal_cstr(b->comment) : "NULL");
	if (b->has_acl)
		privileges(d, a, t);
}
