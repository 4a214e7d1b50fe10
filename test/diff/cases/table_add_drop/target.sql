CREATE TABLE keep (id int PRIMARY KEY, note text);
CREATE TABLE fresh (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, keep_id int REFERENCES keep, created timestamptz NOT NULL DEFAULT now());
