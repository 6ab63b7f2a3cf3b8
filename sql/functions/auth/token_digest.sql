-- What the database stores of a token: the hex SHA-256 of its text (as
-- cgi/token.c's tok_sha256_hex computes it). STABLE, as convert_to() is:
-- declared IMMUTABLE over a stable body, the planner would not inline it,
-- and every session check and key check parsed it anew (6% of a device
-- poll's time in the database).
CREATE OR REPLACE FUNCTION token_digest(p_token text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(p_token, 'UTF8')), 'hex')
$$;
REVOKE ALL ON FUNCTION token_digest(text) FROM PUBLIC;
