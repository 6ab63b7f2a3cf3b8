-- A copy of a plan for p_tenant (an MSSP or MSP), independent of the
-- original from then on: a plan p_tenant owns, or the plan it follows
-- (shared from above, which it may not change). The copy remembers what
-- it came from and at which version. Outcomes as plan_create().
-- requires: plan_writer, plan_name_error, plan_followed
CREATE OR REPLACE FUNCTION plan_clone(p_tenant bigint, p_plan bigint, p_name text)
RETURNS TABLE (outcome text, plan_id bigint, message text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    src plans%ROWTYPE;
    id bigint;
    err text;
BEGIN
    SELECT * INTO src FROM plans x
     WHERE x.id = p_plan AND (x.tenant_id = t.id OR x.id = (SELECT f.plan_id FROM plan_followed(t.ancestors) f));
    IF t.id IS NULL OR src.id IS NULL THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::text;
        RETURN;
    END IF;
    err := plan_name_error(t, p_name);
    IF err IS NOT NULL THEN
        RETURN QUERY SELECT 'invalid', NULL::bigint, err;
        RETURN;
    END IF;
    INSERT INTO plans (tenant_id, root_id, name, cloned_from, cloned_version, created_by)
    VALUES (t.id, t.root_id, btrim(p_name), src.id, src.version, app_user_id()) RETURNING plans.id INTO id;
    INSERT INTO plan_sections (plan_id, tenant_id, root_id, section, doc, version, updated_by)
    SELECT id, t.id, t.root_id, s.section, s.doc, 1, app_user_id() FROM plan_sections s WHERE s.plan_id = src.id;
    INSERT INTO config_history (tenant_id, root_id, plan_id, section, version, action, doc, actor)
    SELECT t.id, t.root_id, id, s.section, 1, 'clone', s.doc, app_user_id() FROM plan_sections s WHERE s.plan_id = src.id;
    RETURN QUERY SELECT 'ok', id, NULL::text;
END $$;
REVOKE ALL ON FUNCTION plan_clone(bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plan_clone(bigint, bigint, text) TO portal_app;
