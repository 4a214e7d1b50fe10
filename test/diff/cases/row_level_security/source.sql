CREATE TABLE doc (id int, owner text, public boolean);
CREATE POLICY own ON doc USING (owner = current_user);
CREATE POLICY old ON doc FOR DELETE USING (false);
INSERT INTO doc VALUES (1, 'x', true);
