-- Revert to Plan: drop an account's (p_device NULL) or a device's own
-- document of a section, so it follows the plan again (a never-shared
-- section goes back to the account's, or the default). Done by the account
-- itself or a tenant above it. outcome: 'ok', 'unchanged' (nothing to
-- revert), 'not_found'.
-- requires: plan_writer
CREATE OR REPLACE FUNCTION config_override_revert(p_tenant bigint, p_device bigint, p_section text)
RETURNS TABLE (outcome text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    cur config_overrides%ROWTYPE;
BEGIN
    IF t.id IS NULL THEN
        RETURN QUERY SELECT 'not_found';
        RETURN;
    END IF;
    DELETE FROM config_overrides o
     WHERE o.tenant_id = t.id AND o.device_id IS NOT DISTINCT FROM p_device AND o.section = p_section
    RETURNING * INTO cur;
    IF cur.id IS NULL THEN
        RETURN QUERY SELECT 'unchanged';
        RETURN;
    END IF;
    INSERT INTO config_history (tenant_id, root_id, device_id, section, version, action, doc, before, actor)
    VALUES (t.id, t.root_id, p_device, p_section, cur.version + 1, 'revert', NULL, cur.doc, app_user_id());
    RETURN QUERY SELECT 'ok';
END $$;
REVOKE ALL ON FUNCTION config_override_revert(bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION config_override_revert(bigint, bigint, text) TO portal_app;
