/* migrate_tap--0.2--0.3.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION migrate_tap UPDATE TO '0.3'" to load this file. \quit

/*
 * 0.3: max_lock_on_existing() judges each pending revision by the
 * relations that exist before it runs, those earlier pending revisions
 * create included (0.2 judged every one by the relations that existed
 * before the first, so on a database without tables it passed whatever
 * the revisions locked); it reads trial()'s locks_on_new, which migrate 0.2
 * reports.  lint_clean() is new: migrate.lint() finds nothing in the
 * pending revisions.  migrate_tap--0.3.sql says why each is written as it
 * is.
 *
 * The functions below take this search_path (SET search_path FROM
 * CURRENT), as in migrate_tap--0.3.sql.
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

CREATE OR REPLACE FUNCTION "@extschema@"._migrate_tap_max_lock_report(mode text, description text, steps jsonb)
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
	FOR r IN SELECT t.step, t.revision, t.operation, t.locks, t.locks_on_new
			   FROM pg_catalog.jsonb_to_recordset(COALESCE(steps, '[]'::pg_catalog.jsonb))
					AS t(step integer, revision text, operation text, locks text[], locks_on_new text[])
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
			FOREACH l IN ARRAY COALESCE(r.locks_on_new, '{}'::pg_catalog.text[]) LOOP
				IF "@extschema@"._migrate_tap_lock_level(pg_catalog.split_part(l, ' '::pg_catalog.text, 1))
				   OPERATOR(pg_catalog.>) max_level THEN
					problems := pg_catalog.array_append(problems,
						pg_catalog.format('step %s (%s): %s (created by an earlier pending revision)',
										  r.step, r.revision, l));
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

COMMENT ON FUNCTION "@extschema@".max_lock_on_existing(text, text, text) IS
'TAP: no pending revision of the project takes a lock stronger than mode on a relation that exists before it runs (migrate.trial)';

COMMENT ON FUNCTION "@extschema@".max_lock_on_existing(text, text) IS
'TAP: no pending revision of the project takes a lock stronger than mode on a relation that exists before it runs (migrate.trial)';

/*
 * lint_clean(project, description): migrate.lint() finds no hazard in the
 * project's pending revisions, judged against this database (a trial that
 * is rolled back; the rules are in doc/safe-changes.md).  The diagnostics
 * list each finding: revision, rule, statement and detail.  Without a
 * project: the session's (migrate.project), never every project, as for
 * the other assertions.
 */
CREATE FUNCTION "@extschema@"._migrate_tap_lint_report(description text, findings jsonb)
RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
	problems text[] := '{}';
	r record;
BEGIN
	PERFORM "@extschema@"._migrate_tap_check_pgtap();
	FOR r IN SELECT f.revision, f.rule, f.statement, f.detail
			   FROM pg_catalog.jsonb_to_recordset(COALESCE(findings, '[]'::pg_catalog.jsonb))
					AS f(n bigint, revision text, rule text, statement text, detail text)
			  ORDER BY f.n
	LOOP
		problems := pg_catalog.array_append(problems,
			CASE WHEN r.statement IS NULL
				 THEN pg_catalog.format(E'revision %s: %s\n        %s', r.revision, r.rule, r.detail)
				 ELSE pg_catalog.format(E'revision %s: %s: %s\n        %s', r.revision, r.rule,
										r.statement, r.detail)
			END);
	END LOOP;
	IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.=) 0 THEN
		RETURN ok(true, description);
	END IF;
	RETURN pg_catalog.format(E'%s\n%s', ok(false, description), diag(pg_catalog.format('    %s',
		pg_catalog.array_to_string(problems, E'\n    '::pg_catalog.text))));
END
$$;
COMMENT ON FUNCTION "@extschema@"._migrate_tap_lint_report(text, jsonb) IS
'the TAP output of lint_clean() from the rows of migrate.lint()';

CREATE FUNCTION "@extschema@".lint_clean(project pg_catalog.text, description pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql
AS $$
	SELECT "@extschema@"._migrate_tap_lint_report(description,
		(SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l))
		   FROM migrate.lint(COALESCE(project,
						pg_catalog.current_setting('migrate.project'::pg_catalog.text, true),
						'default'::pg_catalog.text), 'heads'::pg_catalog.text)
				WITH ORDINALITY AS l(project, revision, rule, statement, detail, hint, n)))
$$;
COMMENT ON FUNCTION "@extschema@".lint_clean(text, text) IS
'TAP: migrate.lint() finds no hazard in the pending revisions of the project';

CREATE FUNCTION "@extschema@".lint_clean(project pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql
AS $$
	SELECT "@extschema@".lint_clean(project,
		pg_catalog.format('pending revisions of project %s pass migrate.lint()',
						  "@extschema@"._migrate_tap_project(project)))
$$;
COMMENT ON FUNCTION "@extschema@".lint_clean(text) IS
'TAP: migrate.lint() finds no hazard in the pending revisions of the project';
