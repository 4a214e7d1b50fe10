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
		case SK_SCHEMA:
			return psprintf("SCHEMA %s", d->schema);
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

/*
 * How a change of privileges is written: prefix, then GRANT or REVOKE the
 * privileges (of column, if set) ON target TO or FROM the grantee, OWNER
 * being written owner.  The statements are tied to source object src (a
 * drop) or target object tgt.
 */
typedef struct Grants
{
	int			phase;
	int			src;
	int			tgt;
	const char *prefix;
	const char *target;
	const char *column;
	const char *owner;
} Grants;

/*
 * One statement per grantee and kind of change, listing its privileges:
 * revokes first, then grants.
 */
static void
change_privileges(Diff *d, const Grants *g, char **from, int nfrom, char **to, int nto)
{
	static const char *const verbs[4] = {
		"%sREVOKE %s ON %s FROM %s", "%sREVOKE GRANT OPTION FOR %s ON %s FROM %s",
	"%sGRANT %s ON %s TO %s", "%sGRANT %s ON %s TO %s WITH GRANT OPTION"};
	int			nall = nfrom + nto;
	char	  **all = palloc(sizeof(char *) * Max(nall, 1));
	char	  **grantees = palloc(sizeof(char *) * Max(nall, 1));
	int			ng = 0;

	for (int i = 0; i < nall; i++)
	{
		char	   *grantee,
				   *p;

		all[i] = i < nfrom ? from[i] : to[i - nfrom];
		split_entry(all[i], &grantee, &p);
		if (!listed(grantees, ng, grantee))
			grantees[ng++] = grantee;
	}
	qsort(grantees, ng, sizeof(char *), pg_qsort_strcmp);
	for (int v = 0; v < 4; v++)
		for (int k = 0; k < ng; k++)
		{
			StringInfoData privs;
			char	  **done = palloc(sizeof(char *) * Max(nall, 1));
			int			ndone = 0;

			initStringInfo(&privs);
			for (int i = 0; i < nall; i++)
			{
				char	   *grantee,
						   *p;

				split_entry(all[i], &grantee, &p);
				if (strcmp(grantee, grantees[k]) != 0 || listed(done, ndone, p) ||
					change_of(held(from, nfrom, grantee, p), held(to, nto, grantee, p)) != v)
					continue;
				done[ndone++] = p;
				appendStringInfo(&privs, "%s%s%s%s%s", privs.len ? ", " : "", p,
								 g->column ? " (" : "", g->column ? g->column : "",
								 g->column ? ")" : "");
			}
			if (privs.len > 0)
				diff_stmt(d, g->phase, g->src, g->tgt, false, verbs[v], g->prefix, privs.data,
						  g->target,
						  strcmp(grantees[k], "OWNER") != 0 ? grantees[k] : g->owner);
		}
}

/*
 * From what source object a has (or, for an object the script makes, what
 * such an object gets when it is made, default privileges included) to
 * what target object t has.
 */
static void
privileges(Diff *d, const SchemaObject *a, int t)
{
	const SchemaObject *b = &d->t->objects[t];
	bool		column = b->kind == SK_COLUMN || b->kind == SK_VIEW_COLUMN;
	Grants		g = {PH_PRIVILEGE, -1, t, "", grant_target(d, b),
	column ? b->ident : NULL, a ? a->owner_role : "CURRENT_USER"};

	if (a)
		change_privileges(d, &g, a->acl, a->nacl, b->acl, b->nacl);
	else if (b->acl_created)
		change_privileges(d, &g, b->acl_created, b->nacl_created, b->acl, b->nacl);
	else
		change_privileges(d, &g, b->acl_default, b->nacl_default, b->acl, b->nacl);
}

/*
 * Default privileges (ALTER DEFAULT PRIVILEGES FOR ROLE r IN SCHEMA s):
 * granted, changed and revoked before the script makes any object, which
 * then gets them as the desired schema's did.
 */
static Grants
default_grants(Diff *d, const SchemaObject *obj, int s, int t)
{
	Grants		g = {PH_DEFAULT_ACL, s, t,
		psprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s ", SA(obj, PV_ROLE), d->schema),
	SA(obj, PV_OBJTYPE), NULL, SA(obj, PV_ROLE)};

	return g;
}

static void
default_acl_create(Diff *d, int t)
{
	const SchemaObject *b = &d->t->objects[t];
	Grants		g = default_grants(d, b, -1, t);

	change_privileges(d, &g, NULL, 0, b->acl, b->nacl);
}

static void
default_acl_drop(Diff *d, int s)
{
	const SchemaObject *a = &d->s->objects[s];
	Grants		g = default_grants(d, a, s, -1);

	change_privileges(d, &g, a->acl, a->nacl, NULL, 0);
}

static void
default_acl_alter(Diff *d, int s, int t)
{
	const SchemaObject *b = &d->t->objects[t];
	Grants		g = default_grants(d, b, -1, t);

	change_privileges(d, &g, d->s->objects[s].acl, d->s->objects[s].nacl, b->acl, b->nacl);
}

const DiffKind diff_default_acl_kind = {default_acl_create, default_acl_drop, default_acl_alter, NULL};

/*
 * The schema itself is in both models of a diff (under no name): only its
 * comment and privileges change.
 */
static void
schema_nothing(Diff *d, int i)
{
}

static void
schema_alter(Diff *d, int s, int t)
{
}

const DiffKind diff_schema_kind = {schema_nothing, schema_nothing, schema_alter, NULL};

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
