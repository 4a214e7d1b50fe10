CREATE TABLE "Mixed Case" ("Id" int, "select" text);
INSERT INTO "Mixed Case" VALUES (1, 'x');
