-- requires: identity_keep, api_key_find
-- The key with this text (api_key_find()): its id and tenant; sets the
-- transaction's API identity.
CREATE OR REPLACE FUNCTION api_key_auth(p_key text) RETURNS TABLE (key_id bigint, tenant_id bigint, root_id bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
    SELECT * INTO k FROM api_key_find(p_key);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM set_config('app.api_key', p_key, true);
    PERFORM identity_keep(p_key, NULL, k.tenant_id);
    key_id := k.id; tenant_id := k.tenant_id; root_id := k.root_id;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION api_key_auth(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_auth(text) TO portal_app;
