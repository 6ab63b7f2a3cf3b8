-- requires: identity_keep
-- The key with this SHA-256 (active, on an active tenant): its id and
-- tenant; sets the transaction's API identity. last_used_at is written at
-- most once a minute so a busy probe does not rewrite the row per batch.
CREATE OR REPLACE FUNCTION api_key_auth(p_key text) RETURNS TABLE (key_id bigint, tenant_id bigint, root_id bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
    IF p_key IS NULL OR p_key !~ '^mssp_[0-9a-f]{64}$' THEN
        RETURN;
    END IF;
    SELECT a.* INTO k FROM api_keys a JOIN tenants t ON t.id = a.tenant_id
     WHERE a.key_hash = token_digest(p_key) AND a.revoked_at IS NULL AND t.status = 'active';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute' THEN
        UPDATE api_keys SET last_used_at = now() WHERE id = k.id;
    END IF;
    PERFORM set_config('app.api_key', p_key, true);
    PERFORM identity_keep(p_key, NULL, k.tenant_id);
    key_id := k.id; tenant_id := k.tenant_id; root_id := k.root_id;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION api_key_auth(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_auth(text) TO portal_app;
