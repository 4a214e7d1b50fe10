CREATE TABLE doc (id int, owner text, public boolean);
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
ALTER TABLE doc FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON doc TO diff_reader, diff_writer USING (owner = current_user OR public) WITH CHECK (owner = current_user);
CREATE POLICY seen ON doc AS RESTRICTIVE FOR SELECT USING (public);
