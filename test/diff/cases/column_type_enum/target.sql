CREATE TYPE ticket_state AS ENUM ('open', 'closed');
CREATE TABLE ticket (id int, state ticket_state NOT NULL DEFAULT 'open');
