/*-------------------------------------------------------------------------
 *
 * retarget.h
 *	  Turning the names of one schema into those of another in SQL the
 *	  server deparsed, token by token (retarget.c).
 *
 * API, for the schema model and the diff:
 *
 *	char	   *sql_retarget(const char *script, const char *relative,
 *							 const char *from, const char *to, char **why)
 *		script is a definition deparsed under a search_path of pg_catalog
 *		alone (every name outside pg_catalog qualified), relative the same
 *		definition deparsed under "from, pg_catalog, to" (see load_model.c).
 *		Returns script with every schema qualifier naming from turned into
 *		to, leaving alone what only looks like one (a table alias or a
 *		string that happens to hold the name).  NULL, with the reason in
 *		*why, when the two texts differ in more than qualifiers.
 *
 *	char	   *sql_retarget_search_path(const char *def, const char *from,
 *										 const char *to)
 *		A function definition (pg_get_functiondef) whose SET search_path
 *		names schema from, naming to instead.
 *
 *	char	   *sql_relative_schema(const char *def, const char *own,
 *									const char *peer)
 *		A definition as a relative model describes it, where it names the
 *		model's own schema (or peer, the one it is compared with; NULL:
 *		none) rather than an object in it: an entry of a SET search_path,
 *		a regnamespace literal.  Those read <this schema>.
 *
 *	bool		sql_body_names_schema(const char *def, const char *schema)
 *		Does the body of a function definition given as a string (any
 *		language, SQL-standard bodies aside) use schema as a qualifier?
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_RETARGET_H
#define MIGRATE_RETARGET_H

extern char *sql_retarget(const char *script, const char *relative,
						  const char *from, const char *to, char **why);
extern char *sql_retarget_search_path(const char *def, const char *from,
									  const char *to);
extern char *sql_relative_schema(const char *def, const char *own,
								 const char *peer);
extern bool sql_body_names_schema(const char *def, const char *schema);

#endif							/* MIGRATE_RETARGET_H */
