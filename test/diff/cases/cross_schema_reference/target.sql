CREATE TABLE t (a int, d public.diff_shared_domain, r int REFERENCES public.diff_shared_table (id));
CREATE VIEW v AS SELECT a, public.diff_shared_function(a) AS f FROM t;
