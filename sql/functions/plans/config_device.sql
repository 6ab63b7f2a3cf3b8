-- The effective configuration of a device by its external id, what the
-- devices poll (GET /api/v2/devices/{external_id}/config, docs/plans.md):
-- config_effective() of the device (asset_is_device()) p_external_id of
-- the account p_tenant; NULL when there is none or the viewer (the API
-- key) may not see the account (config_effective() checks that). Not a
-- read of assets as the app role: its policy first lists every tenant the
-- viewer sees (visible_tenant_ids()), about 50 ms for an MSSP's key over
-- 20,000 companies, on every poll (docs/performance.md, "Devices polling
-- their configuration").
-- requires: config_effective, asset_is_device
CREATE OR REPLACE FUNCTION config_device(p_tenant bigint, p_external_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT config_effective(a.tenant_id, a.id) FROM assets a
             WHERE a.tenant_id = p_tenant AND a.external_id = p_external_id AND asset_is_device(a.kind));
END $$;
REVOKE ALL ON FUNCTION config_device(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION config_device(bigint, text) TO portal_app;
