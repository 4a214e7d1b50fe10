/*-------------------------------------------------------------------------
 *
 * trust.c
 *	  Whether SQL that one role wrote may run with another role's
 *	  privileges, and whether a schema is written only by such roles.
 *
 * A revision body, a project's target schema, the schemas on a body's
 * search_path and the definitions autogenerate() copies into a revision
 * are all SQL some role chose, which runs with the privileges of whoever
 * migrates.  They may only if that role has every privilege of the runner,
 * role attributes included (membership does not carry CREATEROLE,
 * CREATEDB, BYPASSRLS or REPLICATION); otherwise writing them would be a
 * way to borrow the runner's rights.  A superuser may write for anyone.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "util/trust.h"

/*
 * Whether SQL that role `author` wrote may run with the privileges of role
 * `runner`.
 */
bool
TrustMayRunFor(Oid author, Oid runner)
{
	HeapTuple	a;
	HeapTuple	c;
	Form_pg_authid ar;
	Form_pg_authid cr;
	bool		ok;

	if (!OidIsValid(author))
		return false;
	if (superuser_arg(author))
		return true;
	if (!has_privs_of_role(author, runner))
		return false;
	a = SearchSysCache1(AUTHOID, ObjectIdGetDatum(author));
	c = SearchSysCache1(AUTHOID, ObjectIdGetDatum(runner));
	if (!HeapTupleIsValid(a) || !HeapTupleIsValid(c))
		elog(ERROR, "cache lookup failed for role %u or %u", author, runner);
	ar = (Form_pg_authid) GETSTRUCT(a);
	cr = (Form_pg_authid) GETSTRUCT(c);
	ok = (!cr->rolsuper || ar->rolsuper) &&
		(!cr->rolcreaterole || ar->rolcreaterole) &&
		(!cr->rolcreatedb || ar->rolcreatedb) &&
		(!cr->rolbypassrls || ar->rolbypassrls) &&
		(!cr->rolreplication || ar->rolreplication);
	ReleaseSysCache(a);
	ReleaseSysCache(c);
	return ok;
}

/*
 * The role whose privileges another stands for: pg_database_owner (the
 * owner of public, and a grantee of CREATE on it) stands for the owner of
 * the current database.
 */
static Oid
actual_role(Oid role)
{
	HeapTuple	tuple;
	Oid			owner;

	if (role != ROLE_PG_DATABASE_OWNER)
		return role;
	tuple = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(MyDatabaseId));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for database %u", MyDatabaseId);
	owner = ((Form_pg_database) GETSTRUCT(tuple))->datdba;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Whether a role that may not write SQL for runner may put objects in
 * schema nsp: its owner, or a role with CREATE on it (PUBLIC included).
 * If so, *writer is that role (InvalidOid for PUBLIC).
 */
bool
TrustUntrustedWriter(Oid nsp, Oid runner, Oid *writer)
{
	HeapTuple	tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	Form_pg_namespace form;
	Datum		aclDatum;
	bool		isnull;
	Acl		   *acl;
	AclItem    *items;
	bool		found = false;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for schema %u", nsp);
	form = (Form_pg_namespace) GETSTRUCT(tuple);
	if (!TrustMayRunFor(actual_role(form->nspowner), runner))
	{
		*writer = form->nspowner;
		ReleaseSysCache(tuple);
		return true;
	}
	aclDatum = SysCacheGetAttr(NAMESPACEOID, tuple, Anum_pg_namespace_nspacl, &isnull);
	acl = isnull ? acldefault(OBJECT_SCHEMA, form->nspowner) : DatumGetAclPCopy(aclDatum);
	/* ACL_DAT(), spelled for an ACL: one dimension, no nulls */
	Assert(ARR_NDIM(acl) == 1 && !ARR_HASNULL(acl));
	items = (AclItem *) ((char *) acl + ARR_OVERHEAD_NONULLS(1));
	for (int i = 0; i < ACL_NUM(acl) && !found; i++)
	{
		if ((ACLITEM_GET_PRIVS(items[i]) & ACL_CREATE) == 0)
			continue;
		if (items[i].ai_grantee == ACL_ID_PUBLIC ||
			!TrustMayRunFor(actual_role(items[i].ai_grantee), runner))
		{
			*writer = items[i].ai_grantee;
			found = true;
		}
	}
	ReleaseSysCache(tuple);
	return found;
}

/*
 * The role that reads and writes a table's rows for migrate (kept data,
 * lint()'s row count): its owner, as PostgreSQL acts for ANALYZE, so that
 * the owner's code on the table (row security policies, triggers,
 * defaults, casts of its types) never runs with the rights of the body's
 * runner, a superuser as often as not.  For a superuser's table, whose
 * code runs with a superuser's rights anyway, the runner, which may act on
 * the table (it has the owner's privileges on it) without being a
 * superuser itself: this never gives more.
 */
Oid
TrustTableActor(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return superuser_arg(owner) ? GetUserId() : owner;
}

/* whether a role may name a table (USAGE on its schema) and read it */
bool
TrustMayRead(Oid relid, Oid role)
{
	Oid			nsp = get_rel_namespace(relid);

#if PG_VERSION_NUM >= 160000
	if (object_aclcheck(NamespaceRelationId, nsp, role, ACL_USAGE) != ACLCHECK_OK)
#else
	if (pg_namespace_aclcheck(nsp, role, ACL_USAGE) != ACLCHECK_OK)
#endif
		return false;
	return pg_class_aclcheck(relid, role, ACL_SELECT) == ACLCHECK_OK;
}

/*
 * Act as role (TrustTableActor's) in a security-restricted operation until
 * SetUserIdAndSecContext(*save_userid, *save_sec_context).
 */
void
TrustBecome(Oid role, Oid *save_userid, int *save_sec_context)
{
	GetUserIdAndSecContext(save_userid, save_sec_context);
	SetUserIdAndSecContext(role, *save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}
