-- Save one shared section of a plan owned by p_tenant, if nobody changed it
-- since p_base (the section's version the editor started from): the plan's
-- version goes up and every account that follows the plan gets it at
-- once. p_action: 'edit', or 'restore' (plan_restore()). outcome: 'ok' or 'unchanged' (version, doc: the saved ones),
-- 'conflict' (version, doc, by, at: the other change), 'invalid' (message),
-- 'not_found'.
-- requires: plan_writer, config_save_gate
CREATE OR REPLACE FUNCTION plan_section_save(p_tenant bigint, p_plan bigint, p_section text, p_doc jsonb, p_base bigint,
                                             p_action text)
RETURNS TABLE (outcome text, version bigint, doc jsonb, by text, at timestamptz, message text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    c config_sections%ROWTYPE;
    cur plan_sections%ROWTYPE;
    v bigint;
    err text;
BEGIN
    PERFORM 1 FROM plans x WHERE x.id = p_plan AND x.tenant_id = t.id FOR UPDATE;
    IF t.id IS NULL OR NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    SELECT * INTO c FROM config_sections x WHERE x.section = p_section;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::text;
        RETURN;
    ELSIF NOT c.shared THEN
        RETURN QUERY SELECT 'invalid', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz,
            format('%s is never shared: it stays local to each account and device.', c.title);
        RETURN;
    END IF;
    err := config_doc_error(p_section, p_doc);
    IF err IS NOT NULL THEN
        RETURN QUERY SELECT 'invalid', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, err;
        RETURN;
    END IF;
    SELECT * INTO cur FROM plan_sections s WHERE s.plan_id = p_plan AND s.section = p_section;
    RETURN QUERY SELECT * FROM config_save_gate(p_base, p_doc, cur.version, cur.doc, cur.updated_by, cur.updated_at);
    IF FOUND THEN
        RETURN;
    END IF;
    UPDATE plans x SET version = x.version + 1, updated_at = now() WHERE x.id = p_plan RETURNING x.version INTO v;
    UPDATE plan_sections s SET doc = p_doc, version = v, updated_by = app_user_id(), updated_at = now()
     WHERE s.plan_id = p_plan AND s.section = p_section;
    INSERT INTO config_history (tenant_id, root_id, plan_id, section, version, action, doc, before, actor)
    VALUES (t.id, t.root_id, p_plan, p_section, v, CASE p_action WHEN 'restore' THEN 'restore' ELSE 'edit' END, p_doc,
            cur.doc, app_user_id());
    RETURN QUERY SELECT 'ok', v, p_doc, NULL::text, now(), NULL::text;
END $$;
REVOKE ALL ON FUNCTION plan_section_save(bigint, bigint, text, jsonb, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plan_section_save(bigint, bigint, text, jsonb, bigint, text) TO portal_app;
