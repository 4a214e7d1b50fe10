-- An operator over a function the desired schema no longer has: the
-- script does not drop operators, and says that the operator keeps the
-- function from being dropped.
CREATE FUNCTION below(int, int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 < $2';
CREATE OPERATOR <<< (FUNCTION = below, LEFTARG = int, RIGHTARG = int);
