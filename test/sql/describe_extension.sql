-- Every object of the extension named by the psql variable ext, one line
-- each, with what an update script must get right: definitions, comments,
-- privileges (and their initial privileges, which pg_dump compares
-- against), settings, and the tables pg_dump keeps.  Used by
-- test/scripts/update.sh to compare an updated extension with a fresh one,
-- and by test/scripts/pg_upgrade.sh to compare one that pg_upgrade carried
-- over with a fresh one.
--
-- Privileges are shown as they take effect: a NULL ACL, and a missing
-- initial ACL, as the object kind's default (acldefault()).  The install
-- script's GRANT of what an object has by default (EXECUTE to PUBLIC on a
-- function) writes that default out; pg_upgrade's dump leaves such an ACL
-- out, so the object it restores has NULL there, which grants the same.
\pset format unaligned
\pset tuples_only on
WITH members AS (
	SELECT d.classid, d.objid
	  FROM pg_catalog.pg_depend d
	  JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
	 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
	   AND d.deptype OPERATOR(pg_catalog.=) 'e'
	   AND e.extname OPERATOR(pg_catalog.=) :'ext'
),
-- each member's ACL and its kind's default, for those that have an ACL
privileges AS (
	SELECT m.classid, m.objid, p.proacl AS acl, pg_catalog.acldefault('f', p.proowner) AS dflt
	  FROM members m JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) m.objid
	 WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
	UNION ALL
	SELECT m.classid, m.objid, c.relacl,
		   pg_catalog.acldefault(CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 's' ELSE 'r' END::pg_catalog."char",
							  c.relowner)
	  FROM members m JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) m.objid
	 WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
	UNION ALL
	SELECT m.classid, m.objid, n.nspacl, pg_catalog.acldefault('n', n.nspowner)
	  FROM members m JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) m.objid
	 WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
)
SELECT pg_catalog.format('%s | %s | comment: %s | acl: %s | initial acl: %s',
	pg_catalog.pg_describe_object(m.classid, m.objid, 0),
	CASE m.classid
		WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN
			pg_catalog.pg_get_functiondef(m.objid)
		WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN
			(SELECT pg_catalog.format('kind %s; columns %s; indexes %s; constraints %s; triggers %s; view %s',
				c.relkind,
				(SELECT pg_catalog.string_agg(pg_catalog.format('%s %s%s%s', a.attname,
						pg_catalog.format_type(a.atttypid, a.atttypmod),
						CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
						COALESCE(' default ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')),
						', ' ORDER BY a.attnum)
				   FROM pg_catalog.pg_attribute a
				   LEFT JOIN pg_catalog.pg_attrdef ad
					 ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
				  WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0
					AND NOT a.attisdropped),
				(SELECT pg_catalog.string_agg(pg_catalog.pg_get_indexdef(i.indexrelid), '; '
						ORDER BY pg_catalog.pg_get_indexdef(i.indexrelid))
				   FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid),
				(SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', co.conname,
						pg_catalog.pg_get_constraintdef(co.oid)), '; ' ORDER BY co.conname)
				   FROM pg_catalog.pg_constraint co WHERE co.conrelid OPERATOR(pg_catalog.=) c.oid),
				(SELECT pg_catalog.string_agg(pg_catalog.pg_get_triggerdef(t.oid), '; '
						ORDER BY pg_catalog.pg_get_triggerdef(t.oid))
				   FROM pg_catalog.pg_trigger t
				  WHERE t.tgrelid OPERATOR(pg_catalog.=) c.oid AND NOT t.tgisinternal),
				CASE WHEN c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['v', 'm']::pg_catalog."char"[])
					 THEN pg_catalog.pg_get_viewdef(c.oid) END)
			   FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) m.objid)
		WHEN 'pg_catalog.pg_namespace'::pg_catalog.regclass THEN ''
		ELSE '(not described)'
	END,
	pg_catalog.obj_description(m.objid, (SELECT cl.relname FROM pg_catalog.pg_class cl
										  WHERE cl.oid OPERATOR(pg_catalog.=) m.classid)),
	COALESCE(pv.acl, pv.dflt),
	(SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', i.objsubid, i.initprivs), '; ' ORDER BY i.objsubid)
	   FROM (SELECT ip.objsubid, ip.initprivs
			   FROM pg_catalog.pg_init_privs ip
			  WHERE ip.classoid OPERATOR(pg_catalog.=) m.classid AND ip.objoid OPERATOR(pg_catalog.=) m.objid
			 UNION ALL
			 SELECT 0, pv.dflt
			  WHERE pv.dflt IS NOT NULL
				AND NOT EXISTS (SELECT FROM pg_catalog.pg_init_privs ip
								 WHERE ip.classoid OPERATOR(pg_catalog.=) m.classid
								   AND ip.objoid OPERATOR(pg_catalog.=) m.objid
								   AND ip.objsubid OPERATOR(pg_catalog.=) 0)) i))
  FROM members m
  LEFT JOIN privileges pv ON pv.classid OPERATOR(pg_catalog.=) m.classid AND pv.objid OPERATOR(pg_catalog.=) m.objid
 ORDER BY 1;
-- the tables pg_dump keeps, with their conditions
SELECT pg_catalog.format('config dump: %s %s', c.oid::pg_catalog.regclass, x.condition)
  FROM pg_catalog.pg_extension e,
	   LATERAL ROWS FROM (pg_catalog.unnest(e.extconfig), pg_catalog.unnest(e.extcondition))
		   AS x(relid, condition)
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.relid
 WHERE e.extname OPERATOR(pg_catalog.=) :'ext'
 ORDER BY 1;
SELECT pg_catalog.format('version: %s', e.extversion)
  FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) :'ext';
