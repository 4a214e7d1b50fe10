CREATE TABLE "Mixed Case" ("Id" bigint, "select" text NOT NULL DEFAULT 'y', "new col" int);
CREATE INDEX "Odd Index" ON "Mixed Case" ("select");
COMMENT ON COLUMN "Mixed Case"."new col" IS 'it''s new';
