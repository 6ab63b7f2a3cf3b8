-- What the database stores of a token: the hex SHA-256 of its text (as
-- cgi/token.c's tok_sha256_hex computes it).
CREATE OR REPLACE FUNCTION token_digest(p_token text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(p_token, 'UTF8')), 'hex')
$$;
REVOKE ALL ON FUNCTION token_digest(text) FROM PUBLIC;
