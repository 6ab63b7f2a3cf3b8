-- requires: token_shaped
-- The key with this text (active, on an active tenant), or no row; its
-- last use is written at most once a minute, so a busy probe does not
-- rewrite the row per batch or poll. The one check of a key:
-- api_key_auth() (which then sets the transaction's API identity) and
-- config_poll() (one statement, no identity) call it.
CREATE OR REPLACE FUNCTION api_key_find(p_key text) RETURNS SETOF api_keys
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
    k api_keys%ROWTYPE;
    h text;
BEGIN
    IF p_key IS NULL OR left(p_key, 5) <> 'mssp_' OR NOT token_shaped(substr(p_key, 6)) THEN
        RETURN;
    END IF;
    h := token_digest(p_key); -- once (in the condition it was hashed twice: index and recheck)
    SELECT a.* INTO k FROM api_keys a JOIN tenants t ON t.id = a.tenant_id
     WHERE a.key_hash = h AND a.revoked_at IS NULL AND t.status = 'active';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute' THEN
        UPDATE api_keys SET last_used_at = now() WHERE id = k.id;
    END IF;
    RETURN NEXT k;
END $$;
REVOKE ALL ON FUNCTION api_key_find(text) FROM PUBLIC;
