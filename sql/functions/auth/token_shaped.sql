-- Whether a text has a token's shape: 64 lower-case hex digits (what
-- cgi/token.c makes; its SHA-256 is token_digest()). False for NULL.
-- Written as a length and an unbounded class, not '^[0-9a-f]{64}$':
-- PostgreSQL's regex engine unrolls the bounded repeat into 64 states and
-- took 4.8 us a match, this 0.4 us, on every request's session check
-- (docs/performance.md, "Session 39"). SQL and IMMUTABLE: inlined into
-- its callers' plans.
CREATE OR REPLACE FUNCTION token_shaped(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(octet_length(p) = 64 AND p ~ '^[0-9a-f]+$', false)
$$;
REVOKE ALL ON FUNCTION token_shaped(text) FROM PUBLIC;
