-- 64 hex characters from the server's strong random source (two version 4
-- UUIDs: 244 random bits, hashed to spread them).
CREATE OR REPLACE FUNCTION random_token() RETURNS text
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    SELECT encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex')
$$;
REVOKE ALL ON FUNCTION random_token() FROM PUBLIC;
