/* migrate_tap--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION migrate_tap UPDATE TO '0.2'" to load this file. \quit

/*
 * 0.2: the assertions no longer resolve a built-in function or operator
 * through a schema other roles can write.  They run with search_path =
 * pg_catalog, pgTAP's schema, pg_temp (0.1 had this extension's schema,
 * usually public, in it), or, those that run revision bodies, with the
 * caller's, every name in them schema-qualified, their TAP output made by
 * new functions that have that search_path; they call this extension's own
 * functions schema-qualified, and spell every operator call so that only
 * pg_catalog's exact operator matches (0.1's integer || text took the best
 * match on the search_path, which public.||(integer, text) would have
 * been).  And they refuse to run while pgTAP's schema can be written by a
 * role without the caller's privileges, since pgTAP's own functions, which
 * they call, resolve what they call through the search_path.  Same
 * assertions, same output; migrate_tap--0.2.sql says why each is written as
 * it is.
 */

DO $$
BEGIN
	PERFORM pg_catalog.set_config('search_path',
		pg_catalog.format('pg_catalog, %I, pg_temp',
			(SELECT n.nspname FROM pg_catalog.pg_extension e
			   JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
			  WHERE e.extname OPERATOR(pg_catalog.=) 'pgtap')),
		true);
END
$$;

/*
 * pgTAP's own functions (ok(), diag(), the plan's bookkeeping) look up what
 * they call through the search_path, which for them is this extension's:
 * pg_catalog, then pgTAP's schema.  A role that may create objects in
 * pgTAP's schema could make one of those calls its own (text || integer has
 * no exact match in pg_catalog) and have it run as whoever runs the test
 * file.  So an assertion refuses to run while a role without the caller's
 * privileges -- role attributes included, as for a revision's author -- owns
 * pgTAP's schema or may create objects in it.
 */
CREATE FUNCTION "@extschema@"._migrate_tap_check_pgtap()
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT
AS $$
DECLARE
	schema_name name;
	writer text;
BEGIN
	SELECT n.nspname,
		   CASE WHEN w.role OPERATOR(pg_catalog.=) 0 THEN 'every role (PUBLIC)'
				ELSE pg_catalog.format('role "%s"', pg_catalog.pg_get_userbyid(w.role)) END
	  INTO schema_name, writer
	  FROM pg_catalog.pg_extension e
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
	  CROSS JOIN LATERAL (
			SELECT n.nspowner AS role
			UNION ALL
			SELECT a.grantee FROM pg_catalog.aclexplode(
				COALESCE(n.nspacl, pg_catalog.acldefault('n'::"char", n.nspowner))) a
			 WHERE a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'::pg_catalog.text) r
	  CROSS JOIN LATERAL (
			-- pg_database_owner stands for the database's owner
			SELECT CASE WHEN r.role OPERATOR(pg_catalog.=) 'pg_database_owner'::pg_catalog.regrole
						THEN d.datdba ELSE r.role END AS role
			  FROM pg_catalog.pg_database d
			 WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()) w
	  LEFT JOIN pg_catalog.pg_roles a ON a.oid OPERATOR(pg_catalog.=) w.role
	  JOIN pg_catalog.pg_roles c ON c.rolname OPERATOR(pg_catalog.=) CURRENT_USER
	 WHERE e.extname OPERATOR(pg_catalog.=) 'pgtap'::pg_catalog.name
	   AND (a.oid IS NULL OR NOT (a.rolsuper OR
			(pg_catalog.pg_has_role(a.oid, c.oid, 'USAGE'::pg_catalog.text) AND NOT c.rolsuper
			 AND (a.rolcreaterole OR NOT c.rolcreaterole) AND (a.rolcreatedb OR NOT c.rolcreatedb)
			 AND (a.rolbypassrls OR NOT c.rolbypassrls) AND (a.rolreplication OR NOT c.rolreplication))))
	 LIMIT 1;
	IF writer IS NOT NULL THEN
		RAISE EXCEPTION USING
			ERRCODE = 'insufficient_privilege',
			MESSAGE = pg_catalog.format('pgTAP''s schema "%s" can be written by %s, which does not have the privileges of role "%s"',
										schema_name, writer, CURRENT_USER),
			DETAIL = 'pgTAP''s functions look up what they call through the search_path, where an object that role creates could run with your privileges.',
			HINT = 'Install pgTAP in a schema only trusted roles may create objects in (CREATE EXTENSION pgtap SCHEMA tap), or revoke CREATE on it.';
	END IF;
END
$$;
COMMENT ON FUNCTION "@extschema@"._migrate_tap_check_pgtap() IS
'refuse to run an assertion while pgTAP''s schema can be written by a role without the caller''s privileges';

/*
 * The strength of a lock mode (1 = AccessShareLock ... 8 =
 * AccessExclusiveLock), from its pg_locks name (ShareUpdateExclusiveLock)
 * or its LOCK TABLE spelling (SHARE UPDATE EXCLUSIVE), in any case.
 */
CREATE OR REPLACE FUNCTION "@extschema@"._migrate_tap_lock_level(mode text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE
SET search_path FROM CURRENT
AS $$
DECLARE
	level integer;
BEGIN
	level := pg_catalog.array_position(
		ARRAY['accessshare', 'rowshare', 'rowexclusive', 'shareupdateexclusive',
			  'share', 'sharerowexclusive', 'exclusive', 'accessexclusive']::pg_catalog.text[],
		pg_catalog.regexp_replace(
			pg_catalog.regexp_replace(pg_catalog.lower(mode), '[[:space:]_]'::pg_catalog.text,
									  ''::pg_catalog.text, 'g'::pg_catalog.text),
			'lock$'::pg_catalog.text, ''::pg_catalog.text));
	IF level IS NULL THEN
		RAISE EXCEPTION USING
			ERRCODE = 'invalid_parameter_value',
			MESSAGE = pg_catalog.format('unknown lock mode "%s"', mode),
			HINT = 'Name a mode as pg_locks shows it (ShareUpdateExclusiveLock) or as LOCK TABLE spells it (SHARE UPDATE EXCLUSIVE).';
	END IF;
	RETURN level;
END
$$;

-- the pg_locks name of a lock strength
CREATE OR REPLACE FUNCTION "@extschema@"._migrate_tap_lock_name(level integer)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path FROM CURRENT
AS $$
	SELECT (ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock',
				  'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock',
				  'ExclusiveLock', 'AccessExclusiveLock']::pg_catalog.text[])[level]
$$;

-- the project's name for descriptions: the argument, or migrate.project
CREATE OR REPLACE FUNCTION "@extschema@"._migrate_tap_project(project text)
RETURNS text
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $$
	SELECT pg_catalog.format('"%s"', COALESCE(project,
		pg_catalog.current_setting('migrate.project'::pg_catalog.text, true),
		'default'::pg_catalog.text))
$$;

/*
 * has_single_head(project, description): the project's graph has exactly
 * one head, so upgrade('head') knows where to go (pytest-alembic's
 * test_single_head_revision).
 */
CREATE OR REPLACE FUNCTION "@extschema@".has_single_head(project text, description text)
RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
	heads text[];
	n integer;
BEGIN
	PERFORM "@extschema@"._migrate_tap_check_pgtap();
	SELECT COALESCE(pg_catalog.array_agg(h.revision ORDER BY h.n), '{}'::pg_catalog.text[]) INTO heads
	  FROM migrate.heads(project) WITH ORDINALITY AS h(revision, branch_labels, message, n);
	n := pg_catalog.cardinality(heads);
	IF n OPERATOR(pg_catalog.=) 1 THEN
		RETURN ok(true, description);
	END IF;
	RETURN pg_catalog.format(E'%s\n%s', ok(false, description), diag(pg_catalog.format(
		E'        have: %s\n        want: 1 head',
		CASE WHEN n OPERATOR(pg_catalog.=) 0 THEN 'no revisions'::pg_catalog.text
			 ELSE pg_catalog.format('%s heads: %s', n,
									pg_catalog.array_to_string(heads, ', '::pg_catalog.text))
		END)));
END
$$;

CREATE OR REPLACE FUNCTION "@extschema@".has_single_head(project text)
RETURNS text
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
	SELECT "@extschema@".has_single_head(project,
		pg_catalog.format('project %s has a single head', "@extschema@"._migrate_tap_project(project)))
$$;

/*
 * no_pending(project, description): upgrade('heads') would run nothing:
 * the database is at every head (pytest-alembic's "up to date" check, for
 * a database built some other way, or after an upgrade under test).
 */
CREATE OR REPLACE FUNCTION "@extschema@".no_pending(project text, description text)
RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
	pending text[];
	n integer;
BEGIN
	PERFORM "@extschema@"._migrate_tap_check_pgtap();
	SELECT COALESCE(pg_catalog.array_agg(p.revision ORDER BY p.step), '{}'::pg_catalog.text[]) INTO pending
	  FROM migrate.pending('heads'::pg_catalog.text, project) AS p;
	n := pg_catalog.cardinality(pending);
	IF n OPERATOR(pg_catalog.=) 0 THEN
		RETURN ok(true, description);
	END IF;
	RETURN pg_catalog.format(E'%s\n%s', ok(false, description), diag(pg_catalog.format(
		E'        have: %s %s: %s\n        want: none',
		n,
		CASE WHEN n OPERATOR(pg_catalog.=) 1 THEN 'pending revision'::pg_catalog.text
			 ELSE 'pending revisions'::pg_catalog.text END,
		pg_catalog.array_to_string(pending, ', '::pg_catalog.text))));
END
$$;

CREATE OR REPLACE FUNCTION "@extschema@".no_pending(project text)
RETURNS text
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
	SELECT "@extschema@".no_pending(project,
		pg_catalog.format('project %s has no pending revisions', "@extschema@"._migrate_tap_project(project)))
$$;

/*
 * max_lock_on_existing(project, mode, description): no pending revision
 * holds a lock stronger than mode on a relation that exists now, as
 * migrate.trial('heads') measures it.  A step that fails fails the
 * assertion (its locks are unknown); a step that cannot run in a
 * transaction (CREATE INDEX CONCURRENTLY) is not measured and is named in
 * a diagnostic line without failing it.
 *
 * The assertions that run revision bodies (this one, revisions_are_reversible
 * and schema_matches) have no search_path of their own: the bodies run
 * with the caller's, the project's target schema first, as they do in a
 * deploy.  So they name everything schema-qualified, and leave the TAP
 * output to a function of their own that does have one.
 */
CREATE FUNCTION "@extschema@"._migrate_tap_max_lock_report(mode text, description text, steps jsonb)
RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
	max_level integer := "@extschema@"._migrate_tap_lock_level(mode);
	problems text[] := '{}';
	notes text[] := '{}';
	r record;
	l text;
	result text;
BEGIN
	PERFORM "@extschema@"._migrate_tap_check_pgtap();
	FOR r IN SELECT t.step, t.revision, t.operation, t.locks
			   FROM pg_catalog.jsonb_to_recordset(COALESCE(steps, '[]'::pg_catalog.jsonb))
					AS t(step integer, revision text, operation text, locks text[])
			  ORDER BY t.step
	LOOP
		IF r.locks IS NOT NULL THEN
			FOREACH l IN ARRAY r.locks LOOP
				IF "@extschema@"._migrate_tap_lock_level(pg_catalog.split_part(l, ' '::pg_catalog.text, 1))
				   OPERATOR(pg_catalog.>) max_level THEN
					problems := pg_catalog.array_append(problems,
						pg_catalog.format('step %s (%s): %s', r.step, r.revision, l));
				END IF;
			END LOOP;
		ELSIF pg_catalog.starts_with(r.operation, 'failed'::pg_catalog.text) THEN
			problems := pg_catalog.array_append(problems,
				pg_catalog.format('step %s (%s) %s', r.step, r.revision, r.operation));
		ELSIF r.operation OPERATOR(pg_catalog.<>) 'not run: an earlier step failed'::pg_catalog.text THEN
			notes := pg_catalog.array_append(notes,
				pg_catalog.format('step %s (%s) not measured: %s', r.step, r.revision,
								  pg_catalog.substr(r.operation, 10)));
		END IF;
	END LOOP;

	result := ok(pg_catalog.cardinality(problems) OPERATOR(pg_catalog.=) 0, description);
	IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
		result := pg_catalog.format(E'%s\n%s', result, diag(pg_catalog.format(
			E'    locks stronger than %s:\n        %s',
			"@extschema@"._migrate_tap_lock_name(max_level),
			pg_catalog.array_to_string(problems, E'\n        '::pg_catalog.text))));
	END IF;
	IF pg_catalog.cardinality(notes) OPERATOR(pg_catalog.>) 0 THEN
		result := pg_catalog.format(E'%s\n%s', result, diag(pg_catalog.format('    %s',
			pg_catalog.array_to_string(notes, E'\n    '::pg_catalog.text))));
	END IF;
	RETURN result;
END
$$;
COMMENT ON FUNCTION "@extschema@"._migrate_tap_max_lock_report(text, text, jsonb) IS
'the TAP output of max_lock_on_existing() from the rows of migrate.trial()';

CREATE OR REPLACE FUNCTION "@extschema@".max_lock_on_existing(project pg_catalog.text, mode pg_catalog.text,
													 description pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql
AS $$
	SELECT "@extschema@"._migrate_tap_max_lock_report(mode, description,
		(SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t))
		   FROM migrate.trial('heads'::pg_catalog.text, project) AS t))
$$;

CREATE OR REPLACE FUNCTION "@extschema@".max_lock_on_existing(project pg_catalog.text, mode pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql
AS $$
	SELECT "@extschema@".max_lock_on_existing(project, mode,
		pg_catalog.format('pending revisions of project %s take at most %s on existing relations',
			"@extschema@"._migrate_tap_project(project),
			"@extschema@"._migrate_tap_lock_name("@extschema@"._migrate_tap_lock_level(mode))))
$$;

/*
 * revisions_are_reversible(project, description): every pending revision
 * passes migrate.check_reversible(), the stairway test (pytest-alembic's
 * test_up_down_consistency, with the schema compared).  The diagnostics
 * name each revision that fails, the problem and what differs.  A revision
 * that cannot be checked (non-transactional) is named without failing the
 * assertion.
 */
CREATE FUNCTION "@extschema@"._migrate_tap_reversible_report(description text, checks jsonb)
RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
	problems text[] := '{}';
	notes text[] := '{}';
	r record;
	result text;
BEGIN
	PERFORM "@extschema@"._migrate_tap_check_pgtap();
	FOR r IN SELECT c.revision, c.ok, c.problem, c.detail
			   FROM pg_catalog.jsonb_to_recordset(COALESCE(checks, '[]'::pg_catalog.jsonb))
					AS c(n bigint, revision text, ok boolean, problem text, detail text)
			  ORDER BY c.n
	LOOP
		IF r.ok IS FALSE THEN
			problems := pg_catalog.array_append(problems,
				pg_catalog.format(E'revision %s: %s\n        %s', r.revision, r.problem,
								  pg_catalog.replace(r.detail, E'\n'::pg_catalog.text,
													 E'\n        '::pg_catalog.text)));
		ELSIF r.ok IS NULL AND
			  NOT pg_catalog.starts_with(r.detail, 'An earlier revision failed'::pg_catalog.text) THEN
			notes := pg_catalog.array_append(notes,
				pg_catalog.format('revision %s not checked: %s', r.revision, r.detail));
		END IF;
	END LOOP;

	result := ok(pg_catalog.cardinality(problems) OPERATOR(pg_catalog.=) 0, description);
	IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
		result := pg_catalog.format(E'%s\n%s', result, diag(pg_catalog.format('    %s',
			pg_catalog.array_to_string(problems, E'\n    '::pg_catalog.text))));
	END IF;
	IF pg_catalog.cardinality(notes) OPERATOR(pg_catalog.>) 0 THEN
		result := pg_catalog.format(E'%s\n%s', result, diag(pg_catalog.format('    %s',
			pg_catalog.array_to_string(notes, E'\n    '::pg_catalog.text))));
	END IF;
	RETURN result;
END
$$;
COMMENT ON FUNCTION "@extschema@"._migrate_tap_reversible_report(text, jsonb) IS
'the TAP output of revisions_are_reversible() from the rows of migrate.check_reversible()';

CREATE OR REPLACE FUNCTION "@extschema@".revisions_are_reversible(project pg_catalog.text,
														 description pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql
AS $$
	SELECT "@extschema@"._migrate_tap_reversible_report(description,
		(SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(c))
		   FROM migrate.check_reversible(project) WITH ORDINALITY
				AS c(revision, ok, problem, detail, n)))
$$;

CREATE OR REPLACE FUNCTION "@extschema@".revisions_are_reversible(project pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql
AS $$
	SELECT "@extschema@".revisions_are_reversible(project,
		pg_catalog.format('pending revisions of project %s are reversible',
						  "@extschema@"._migrate_tap_project(project)))
$$;

/*
 * schema_matches(project, migrated_schema, reference_schema, description):
 * the schema the project's migrations build equals a reference schema the
 * test suite built from its own DDL (pytest-alembic's "model definitions
 * match DDL").  The project is upgraded to its heads from its current
 * state, migrated_schema is compared with reference_schema by
 * migrate.compare_schemas() (names relative to each schema, so the two may
 * differ in name only), and the upgrade is rolled back.  Without
 * migrated_schema: the project's target schema, else public.
 */
CREATE FUNCTION "@extschema@"._migrate_tap_schema_report(description text, failure text,
														   differences text[])
RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
	PERFORM "@extschema@"._migrate_tap_check_pgtap();
	IF failure IS NOT NULL THEN
		RETURN pg_catalog.format(E'%s\n%s', ok(false, description),
								 diag(pg_catalog.format('    %s', failure)));
	END IF;
	IF pg_catalog.cardinality(differences) OPERATOR(pg_catalog.=) 0 THEN
		RETURN ok(true, description);
	END IF;
	RETURN pg_catalog.format(E'%s\n%s', ok(false, description), diag(pg_catalog.format('    %s',
		pg_catalog.array_to_string(differences, E'\n    '::pg_catalog.text))));
END
$$;
COMMENT ON FUNCTION "@extschema@"._migrate_tap_schema_report(text, text, text[]) IS
'the TAP output of schema_matches() from what failed or the differences found';

CREATE OR REPLACE FUNCTION "@extschema@".schema_matches(project pg_catalog.text, migrated_schema pg_catalog.name,
											   reference_schema pg_catalog.name,
											   description pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql
AS $$
DECLARE
	differences pg_catalog.text[];
	failure pg_catalog.text;
	doing pg_catalog.text;
BEGIN
	-- wrong arguments are errors; whatever goes wrong after is a failure
	IF NOT EXISTS (SELECT FROM migrate.heads(project)) THEN
		RAISE EXCEPTION USING
			ERRCODE = 'undefined_object',
			MESSAGE = pg_catalog.format('project %s has no revisions',
										"@extschema@"._migrate_tap_project(project));
	END IF;
	IF pg_catalog.to_regnamespace(pg_catalog.quote_ident(reference_schema::pg_catalog.text)) IS NULL THEN
		RAISE EXCEPTION USING
			ERRCODE = 'undefined_object',
			MESSAGE = pg_catalog.format('schema "%s" does not exist', reference_schema);
	END IF;

	BEGIN
		doing := 'upgrading to heads';
		PERFORM migrate.upgrade('heads'::pg_catalog.text, project);
		doing := 'comparing the schemas';
		SELECT COALESCE(pg_catalog.array_agg(
				   CASE
					   WHEN d.left_definition IS NULL THEN
						   pg_catalog.format('%s %s: only in %s: %s', d.kind, d.name, reference_schema, d.right_definition)
					   WHEN d.right_definition IS NULL THEN
						   pg_catalog.format('%s %s: only in %s: %s', d.kind, d.name, migrated_schema, d.left_definition)
					   ELSE
						   pg_catalog.format(E'%s %s:\n        %s: %s\n        %s: %s', d.kind, d.name,
							   migrated_schema, d.left_definition, reference_schema, d.right_definition)
				   END ORDER BY d.kind, d.name), '{}'::pg_catalog.text[])
		  INTO differences
		  FROM migrate.compare_schemas(migrated_schema::pg_catalog.text,
									   reference_schema::pg_catalog.text) AS d;
		-- undo the upgrade: this block's subtransaction is rolled back
		RAISE EXCEPTION USING ERRCODE = 'MTAP0';
	EXCEPTION
		WHEN SQLSTATE 'MTAP0' THEN
			NULL;
		WHEN OTHERS THEN
			failure := pg_catalog.format('%s failed (%s): %s', doing, SQLSTATE, SQLERRM);
	END;
	RETURN "@extschema@"._migrate_tap_schema_report(description, failure, differences);
END
$$;

CREATE OR REPLACE FUNCTION "@extschema@".schema_matches(project pg_catalog.text, reference_schema pg_catalog.name,
											   description pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql
AS $$
	SELECT "@extschema@".schema_matches(project,
		COALESCE((SELECT p.target_schema FROM migrate.project AS p
				   WHERE p.name OPERATOR(pg_catalog.=)
						 COALESCE(project, pg_catalog.current_setting('migrate.project'::pg_catalog.text, true),
								  'default'::pg_catalog.text)),
				 'public'::pg_catalog.name),
		reference_schema, description)
$$;

CREATE OR REPLACE FUNCTION "@extschema@".schema_matches(project pg_catalog.text, reference_schema pg_catalog.name)
RETURNS pg_catalog.text
LANGUAGE sql
AS $$
	SELECT "@extschema@".schema_matches(project, reference_schema,
		pg_catalog.format('the migrations of project %s build the schema of %s',
			"@extschema@"._migrate_tap_project(project),
			pg_catalog.quote_ident(reference_schema::pg_catalog.text)))
$$;
