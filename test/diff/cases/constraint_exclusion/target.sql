CREATE TABLE booking (room int, during tstzrange, EXCLUDE USING gist (during WITH &&));
