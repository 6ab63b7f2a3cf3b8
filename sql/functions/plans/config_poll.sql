-- A device polling its effective configuration (GET
-- /api/v2/devices/{external_id}/config, docs/plans.md), in one statement
-- with no transaction around it: the key checked (api_key_find()), then
-- config_document() of the device p_external_id of the account p_tenant
-- (NULL: the key's own) as the key may see it (its tenant and every
-- tenant below). key_ok false: no such active key (401); doc NULL: no
-- such device there, or an account the key may not see (404). No
-- identity is kept (identity_keep() writes a row), so a poll writes
-- nothing but a key's last use once a minute: a read-only transaction,
-- one round trip (docs/performance.md, "Devices polling their
-- configuration").
-- requires: api_key_find, config_document, asset_is_device
CREATE OR REPLACE FUNCTION config_poll(p_key text, p_tenant bigint, p_external_id text)
RETURNS TABLE (key_ok boolean, doc jsonb)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    k api_keys%ROWTYPE;
    tid bigint;
BEGIN
    SELECT * INTO k FROM api_key_find(p_key);
    key_ok := FOUND;
    IF key_ok THEN
        tid := coalesce(p_tenant, k.tenant_id);
        doc := (SELECT config_document(a.tenant_id, a.id, ARRAY[k.tenant_id], '{}') FROM assets a
                 WHERE a.tenant_id = tid AND a.external_id = p_external_id AND asset_is_device(a.kind));
    END IF;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION config_poll(text, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION config_poll(text, bigint, text) TO portal_app;
