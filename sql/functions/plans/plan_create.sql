-- A new plan of an MSSP or MSP, its shared sections at their defaults
-- (version 1). outcome: 'ok' (plan_id), 'invalid' (message), 'not_found'.
-- requires: plan_writer, plan_name_error
CREATE OR REPLACE FUNCTION plan_create(p_tenant bigint, p_name text)
RETURNS TABLE (outcome text, plan_id bigint, message text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    id bigint;
    err text;
BEGIN
    IF t.id IS NULL THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::text;
        RETURN;
    END IF;
    err := plan_name_error(t, p_name);
    IF err IS NOT NULL THEN
        RETURN QUERY SELECT 'invalid', NULL::bigint, err;
        RETURN;
    END IF;
    INSERT INTO plans (tenant_id, root_id, name, created_by) VALUES (t.id, t.root_id, btrim(p_name), app_user_id())
    RETURNING plans.id INTO id;
    INSERT INTO plan_sections (plan_id, tenant_id, root_id, section, doc, version, updated_by)
    SELECT id, t.id, t.root_id, c.section, c.default_doc, 1, app_user_id() FROM config_sections c WHERE c.shared;
    INSERT INTO config_history (tenant_id, root_id, plan_id, section, version, action, doc, actor)
    SELECT t.id, t.root_id, id, c.section, 1, 'create', c.default_doc, app_user_id() FROM config_sections c WHERE c.shared;
    RETURN QUERY SELECT 'ok', id, NULL::text;
END $$;
REVOKE ALL ON FUNCTION plan_create(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plan_create(bigint, text) TO portal_app;
