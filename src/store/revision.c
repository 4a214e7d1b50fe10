/*-------------------------------------------------------------------------
 *
 * revision.c
 *	  The revision rows (migrate.revision): the checksum of a revision's
 *	  bodies.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "utils/builtins.h"

#include "migrate.h"

/*
 * sha256 of a revision's bodies and of how they run, as lower-case hex.  The
 * two bodies are joined by a zero byte, which text cannot contain, and a
 * missing downgrade adds nothing after it while an empty one adds a 0x01
 * byte, so no two pairs of bodies hash the same input.  A non-transactional
 * revision adds a second zero byte and a word after all that, which nothing
 * before can end with; a transactional one adds nothing, so its checksum is
 * the one its bodies have always had.
 */
char *
BodiesChecksum(const char *upgrade_sql, const char *downgrade_sql,
			   bool transactional)
{
	static const char marker[] = "nontransactional";
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	uint8		sep = 0;
	uint8		present = 1;
	char	   *hex;

	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) upgrade_sql, strlen(upgrade_sql)) < 0 ||
		pg_cryptohash_update(ctx, &sep, 1) < 0 ||
		(downgrade_sql != NULL &&
		 (pg_cryptohash_update(ctx, &present, 1) < 0 ||
		  pg_cryptohash_update(ctx, (const uint8 *) downgrade_sql, strlen(downgrade_sql)) < 0)) ||
		(!transactional &&
		 (pg_cryptohash_update(ctx, &sep, 1) < 0 ||
		  pg_cryptohash_update(ctx, (const uint8 *) marker, strlen(marker)) < 0)) ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute sha256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);

	hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	hex_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, hex);
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	return hex;
}
