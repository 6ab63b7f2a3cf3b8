-- The tenant of the API key the transaction carries in app.api_key, while
-- the key is not revoked and its tenant active; else NULL.
CREATE OR REPLACE FUNCTION app_api_tenant() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    k text := current_setting('app.api_key', true);
    tid bigint;
BEGIN
    IF k IS NULL OR k !~ '^mssp_[0-9a-f]{64}$' THEN
        RETURN NULL;
    END IF;
    SELECT a.tenant_id INTO tid FROM api_keys a JOIN tenants t ON t.id = a.tenant_id
     WHERE a.key_hash = token_digest(k) AND a.revoked_at IS NULL AND t.status = 'active';
    RETURN tid;
END $$;
REVOKE ALL ON FUNCTION app_api_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_api_tenant() TO portal_app;
