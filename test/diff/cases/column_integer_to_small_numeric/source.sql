-- An integer column turned numeric with fewer digits before the point than
-- the integer type can hold narrows it (values above 999 would not fit),
-- though integer to numeric usually widens.
CREATE TABLE m (a integer, b integer, c bigint);
INSERT INTO m VALUES (1, 2, 3), (999, 2147483647, 9223372036854775807);
