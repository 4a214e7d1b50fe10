CREATE TYPE status AS ENUM ('new', 'done');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TYPE pair AS (x int, y int);
CREATE SEQUENCE ticket_no START 1000;
CREATE FUNCTION fmt(n int) RETURNS text LANGUAGE sql IMMUTABLE RETURN 'T-' || n;
CREATE TABLE customer (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE ticket (
    no int DEFAULT nextval('ticket_no') PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customer ON DELETE CASCADE,
    state status NOT NULL DEFAULT 'new',
    qty posint,
    label text GENERATED ALWAYS AS (fmt(no)) STORED,
    CHECK (qty < 1000)
);
ALTER SEQUENCE ticket_no OWNED BY ticket.no;
CREATE INDEX ticket_open ON ticket (customer_id) WHERE state = 'new';
CREATE VIEW open_tickets AS SELECT no, label FROM ticket WHERE state = 'new';
CREATE MATERIALIZED VIEW per_customer AS SELECT customer_id, count(*) AS n FROM ticket GROUP BY customer_id;
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER ticket_stamp BEFORE INSERT ON ticket FOR EACH ROW EXECUTE FUNCTION stamp();
ALTER TABLE ticket ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON ticket USING (customer_id = 1);
COMMENT ON TABLE ticket IS 'support tickets';
GRANT SELECT ON open_tickets TO diff_reader;
