/* migrate_tap--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION migrate_tap" to load this file. \quit

/*
 * pgTAP assertions over migrate projects.  Each returns one TAP line, built
 * with pgTAP's ok(), followed on failure by diagnostics (pgTAP's diag())
 * that say what differs; each has a form without its description, as
 * pgTAP's own assertions do.
 *
 * The functions go into the schema CREATE EXTENSION picks (usually public,
 * beside pgTAP's), so that tests call them unqualified like pgTAP's own.
 * Each is created with SET search_path FROM CURRENT, which records the
 * search_path this script runs with: this extension's schema, then
 * pgTAP's (a required extension), then pg_temp, pg_catalog being searched
 * first.  So ok() and diag() are pgTAP's wherever pgTAP was installed, and
 * nothing on the caller's search_path can stand in for them or for an
 * operator.  migrate's functions are called schema-qualified.
 *
 * Privileges: the functions are left executable by PUBLIC.  They are
 * SECURITY INVOKER and do nothing but call migrate's functions, whose own
 * grants decide: has_single_head() and no_pending() read the graph, which
 * PUBLIC may read; max_lock_on_existing(), revisions_are_reversible() and
 * schema_matches() run bodies through trial(), check_reversible() and
 * upgrade(), which only migrators (migrate_admin) may call.  Revoking
 * EXECUTE here would protect nothing more.
 */

/*
 * The strength of a lock mode (1 = AccessShareLock ... 8 =
 * AccessExclusiveLock), from its pg_locks name (ShareUpdateExclusiveLock)
 * or its LOCK TABLE spelling (SHARE UPDATE EXCLUSIVE), in any case.
 */
CREATE FUNCTION _migrate_tap_lock_level(mode text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE
SET search_path FROM CURRENT
AS $$
DECLARE
	level integer;
BEGIN
	level := pg_catalog.array_position(
		ARRAY['accessshare', 'rowshare', 'rowexclusive', 'shareupdateexclusive',
			  'share', 'sharerowexclusive', 'exclusive', 'accessexclusive'],
		pg_catalog.regexp_replace(
			pg_catalog.regexp_replace(pg_catalog.lower(mode), '[[:space:]_]', '', 'g'),
			'lock$', ''));
	IF level IS NULL THEN
		RAISE EXCEPTION USING
			ERRCODE = 'invalid_parameter_value',
			MESSAGE = pg_catalog.format('unknown lock mode "%s"', mode),
			HINT = 'Name a mode as pg_locks shows it (ShareUpdateExclusiveLock) or as LOCK TABLE spells it (SHARE UPDATE EXCLUSIVE).';
	END IF;
	RETURN level;
END
$$;
COMMENT ON FUNCTION _migrate_tap_lock_level(text) IS
'strength of a lock mode, 1 (AccessShareLock) to 8 (AccessExclusiveLock); used by max_lock_on_existing()';

-- the pg_locks name of a lock strength
CREATE FUNCTION _migrate_tap_lock_name(level integer)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path FROM CURRENT
AS $$
	SELECT (ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock',
				  'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock',
				  'ExclusiveLock', 'AccessExclusiveLock'])[level]
$$;
COMMENT ON FUNCTION _migrate_tap_lock_name(integer) IS
'pg_locks name of a lock strength; used by max_lock_on_existing()';

-- the project's name for descriptions: the argument, or migrate.project
CREATE FUNCTION _migrate_tap_project(project text)
RETURNS text
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $$
	SELECT '"' || COALESCE(project,
		pg_catalog.current_setting('migrate.project', true), 'default') || '"'
$$;
COMMENT ON FUNCTION _migrate_tap_project(text) IS
'the project an assertion is about, in double quotes, for its description';

/*
 * has_single_head(project, description): the project's graph has exactly
 * one head, so upgrade('head') knows where to go (pytest-alembic's
 * test_single_head_revision).
 */
CREATE FUNCTION has_single_head(project text, description text)
RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
	heads text[];
BEGIN
	SELECT COALESCE(pg_catalog.array_agg(h.revision ORDER BY h.n), '{}') INTO heads
	  FROM migrate.heads(project) WITH ORDINALITY AS h(revision, branch_labels, message, n);
	IF pg_catalog.cardinality(heads) OPERATOR(pg_catalog.=) 1 THEN
		RETURN ok(true, description);
	END IF;
	RETURN ok(false, description) || E'\n' || diag(
		'        have: ' || CASE pg_catalog.cardinality(heads)
			WHEN 0 THEN 'no revisions'
			ELSE pg_catalog.cardinality(heads) || ' heads: ' || pg_catalog.array_to_string(heads, ', ')
		END || E'\n' ||
		'        want: 1 head');
END
$$;
COMMENT ON FUNCTION has_single_head(text, text) IS
'TAP: the project has exactly one head';

CREATE FUNCTION has_single_head(project text)
RETURNS text
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
	SELECT has_single_head(project,
		'project ' || _migrate_tap_project(project) || ' has a single head')
$$;
COMMENT ON FUNCTION has_single_head(text) IS
'TAP: the project has exactly one head';

/*
 * no_pending(project, description): upgrade('heads') would run nothing:
 * the database is at every head (pytest-alembic's "up to date" check, for
 * a database built some other way, or after an upgrade under test).
 */
CREATE FUNCTION no_pending(project text, description text)
RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
	pending text[];
BEGIN
	SELECT COALESCE(pg_catalog.array_agg(p.revision ORDER BY p.step), '{}') INTO pending
	  FROM migrate.pending('heads', project) AS p;
	IF pg_catalog.cardinality(pending) OPERATOR(pg_catalog.=) 0 THEN
		RETURN ok(true, description);
	END IF;
	RETURN ok(false, description) || E'\n' || diag(
		'        have: ' || pg_catalog.cardinality(pending) ||
		CASE pg_catalog.cardinality(pending) WHEN 1 THEN ' pending revision: ' ELSE ' pending revisions: ' END ||
		pg_catalog.array_to_string(pending, ', ') || E'\n' ||
		'        want: none');
END
$$;
COMMENT ON FUNCTION no_pending(text, text) IS
'TAP: upgrade(''heads'') would run no revision of the project';

CREATE FUNCTION no_pending(project text)
RETURNS text
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
	SELECT no_pending(project,
		'project ' || _migrate_tap_project(project) || ' has no pending revisions')
$$;
COMMENT ON FUNCTION no_pending(text) IS
'TAP: upgrade(''heads'') would run no revision of the project';

/*
 * max_lock_on_existing(project, mode, description): no pending revision
 * holds a lock stronger than mode on a relation that exists now, as
 * migrate.trial('heads') measures it.  A step that fails fails the
 * assertion (its locks are unknown); a step that cannot run in a
 * transaction (CREATE INDEX CONCURRENTLY) is not measured and is named in
 * a diagnostic line without failing it.
 */
CREATE FUNCTION max_lock_on_existing(project text, mode text, description text)
RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
	max_level integer := _migrate_tap_lock_level(mode);
	problems text[] := '{}';
	notes text[] := '{}';
	r record;
	l text;
	result text;
BEGIN
	FOR r IN SELECT t.step, t.revision, t.operation, t.locks
			   FROM migrate.trial('heads', project) AS t ORDER BY t.step
	LOOP
		IF r.locks IS NOT NULL THEN
			FOREACH l IN ARRAY r.locks LOOP
				IF _migrate_tap_lock_level(pg_catalog.split_part(l, ' ', 1))
				   OPERATOR(pg_catalog.>) max_level THEN
					problems := problems || pg_catalog.format('step %s (%s): %s', r.step, r.revision, l);
				END IF;
			END LOOP;
		ELSIF r.operation LIKE 'failed%' THEN
			problems := problems || pg_catalog.format('step %s (%s) %s', r.step, r.revision, r.operation);
		ELSIF r.operation NOT LIKE 'not run: an earlier step failed' THEN
			notes := notes || pg_catalog.format('step %s (%s) not measured: %s', r.step, r.revision,
				pg_catalog.substr(r.operation, 10));
		END IF;
	END LOOP;

	result := ok(pg_catalog.cardinality(problems) OPERATOR(pg_catalog.=) 0, description);
	IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
		result := result || E'\n' || diag(
			'    locks stronger than ' || _migrate_tap_lock_name(max_level) || E':\n        ' ||
			pg_catalog.array_to_string(problems, E'\n        '));
	END IF;
	IF pg_catalog.cardinality(notes) OPERATOR(pg_catalog.>) 0 THEN
		result := result || E'\n' || diag('    ' || pg_catalog.array_to_string(notes, E'\n    '));
	END IF;
	RETURN result;
END
$$;
COMMENT ON FUNCTION max_lock_on_existing(text, text, text) IS
'TAP: no pending revision of the project takes a lock stronger than mode on an existing relation (migrate.trial)';

CREATE FUNCTION max_lock_on_existing(project text, mode text)
RETURNS text
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
	SELECT max_lock_on_existing(project, mode,
		'pending revisions of project ' || _migrate_tap_project(project) ||
		' take at most ' || _migrate_tap_lock_name(_migrate_tap_lock_level(mode)) ||
		' on existing relations')
$$;
COMMENT ON FUNCTION max_lock_on_existing(text, text) IS
'TAP: no pending revision of the project takes a lock stronger than mode on an existing relation (migrate.trial)';

/*
 * revisions_are_reversible(project, description): every pending revision
 * passes migrate.check_reversible(), the stairway test (pytest-alembic's
 * test_up_down_consistency, with the schema compared).  The diagnostics
 * name each revision that fails, the problem and what differs.  A revision
 * that cannot be checked (non-transactional) is named without failing the
 * assertion.
 */
CREATE FUNCTION revisions_are_reversible(project text, description text)
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
	FOR r IN SELECT c.revision, c.ok, c.problem, c.detail
			   FROM migrate.check_reversible(project) AS c
	LOOP
		IF r.ok IS FALSE THEN
			problems := problems || pg_catalog.format(E'revision %s: %s\n        %s', r.revision, r.problem,
				pg_catalog.replace(r.detail, E'\n', E'\n        '));
		ELSIF r.ok IS NULL AND r.detail NOT LIKE 'An earlier revision failed%' THEN
			notes := notes || pg_catalog.format('revision %s not checked: %s', r.revision, r.detail);
		END IF;
	END LOOP;

	result := ok(pg_catalog.cardinality(problems) OPERATOR(pg_catalog.=) 0, description);
	IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
		result := result || E'\n' || diag('    ' || pg_catalog.array_to_string(problems, E'\n    '));
	END IF;
	IF pg_catalog.cardinality(notes) OPERATOR(pg_catalog.>) 0 THEN
		result := result || E'\n' || diag('    ' || pg_catalog.array_to_string(notes, E'\n    '));
	END IF;
	RETURN result;
END
$$;
COMMENT ON FUNCTION revisions_are_reversible(text, text) IS
'TAP: every pending revision of the project upgrades, downgrades back to the same schema and upgrades again (migrate.check_reversible)';

CREATE FUNCTION revisions_are_reversible(project text)
RETURNS text
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
	SELECT revisions_are_reversible(project,
		'pending revisions of project ' || _migrate_tap_project(project) || ' are reversible')
$$;
COMMENT ON FUNCTION revisions_are_reversible(text) IS
'TAP: every pending revision of the project upgrades, downgrades back to the same schema and upgrades again (migrate.check_reversible)';

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
CREATE FUNCTION schema_matches(project text, migrated_schema name,
							   reference_schema name, description text)
RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
	differences text[];
	failure text;
	doing text;
BEGIN
	-- wrong arguments are errors; whatever goes wrong after is a failure
	IF NOT EXISTS (SELECT FROM migrate.heads(project)) THEN
		RAISE EXCEPTION USING
			ERRCODE = 'undefined_object',
			MESSAGE = pg_catalog.format('project %s has no revisions', _migrate_tap_project(project));
	END IF;
	IF pg_catalog.to_regnamespace(pg_catalog.quote_ident(reference_schema)) IS NULL THEN
		RAISE EXCEPTION USING
			ERRCODE = 'undefined_object',
			MESSAGE = pg_catalog.format('schema "%s" does not exist', reference_schema);
	END IF;

	BEGIN
		doing := 'upgrading to heads';
		PERFORM migrate.upgrade('heads', project);
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
				   END ORDER BY d.kind, d.name), '{}')
		  INTO differences
		  FROM migrate.compare_schemas(migrated_schema::text, reference_schema::text) AS d;
		-- undo the upgrade: this block's subtransaction is rolled back
		RAISE EXCEPTION USING ERRCODE = 'MTAP0';
	EXCEPTION
		WHEN SQLSTATE 'MTAP0' THEN
			NULL;
		WHEN OTHERS THEN
			failure := pg_catalog.format('%s failed (%s): %s', doing, SQLSTATE, SQLERRM);
	END;

	IF failure IS NOT NULL THEN
		RETURN ok(false, description) || E'\n' || diag('    ' || failure);
	END IF;
	IF pg_catalog.cardinality(differences) OPERATOR(pg_catalog.=) 0 THEN
		RETURN ok(true, description);
	END IF;
	RETURN ok(false, description) || E'\n' ||
		diag('    ' || pg_catalog.array_to_string(differences, E'\n    '));
END
$$;
COMMENT ON FUNCTION schema_matches(text, name, name, text) IS
'TAP: the schema the project''s migrations build (upgrade to heads, rolled back) equals a reference schema';

CREATE FUNCTION schema_matches(project text, reference_schema name, description text)
RETURNS text
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
	SELECT schema_matches(project,
		COALESCE((SELECT p.target_schema FROM migrate.project AS p
				   WHERE p.name OPERATOR(pg_catalog.=)
						 COALESCE(project, pg_catalog.current_setting('migrate.project', true), 'default')),
				 'public'),
		reference_schema, description)
$$;
COMMENT ON FUNCTION schema_matches(text, name, text) IS
'TAP: the schema the project''s migrations build (its target schema, or public) equals a reference schema';

CREATE FUNCTION schema_matches(project text, reference_schema name)
RETURNS text
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
	SELECT schema_matches(project, reference_schema,
		'the migrations of project ' || _migrate_tap_project(project) ||
		' build the schema of ' || pg_catalog.quote_ident(reference_schema))
$$;
COMMENT ON FUNCTION schema_matches(text, name) IS
'TAP: the schema the project''s migrations build (its target schema, or public) equals a reference schema';
