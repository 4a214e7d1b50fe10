CREATE TABLE t (a int, b int, c text);
CREATE INDEX t_ab ON t (b, a);
CREATE UNIQUE INDEX t_c ON t (lower(c)) WHERE c IS NOT NULL;
CREATE INDEX t_hash ON t USING hash (c);
CREATE INDEX t_incl ON t (a DESC NULLS LAST) INCLUDE (c);
