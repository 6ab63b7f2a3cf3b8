-- A new plan of p_tenant (an MSSP or MSP): a copy of p_plan, independent
-- of the original from then on, or (p_plan NULL: plan_create()) its shared
-- sections at their defaults. p_plan: a plan p_tenant owns, or the plan it
-- follows (shared from above, which it may not change); the copy remembers
-- what it came from and at which version. Every section starts at version
-- 1. outcome: 'ok' (plan_id), 'invalid' (message), 'not_found'.
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
    IF t.id IS NULL OR (p_plan IS NOT NULL AND src.id IS NULL) THEN
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
    WITH s AS (SELECT c.section, coalesce(ps.doc, c.default_doc) AS doc
                 FROM config_sections c LEFT JOIN plan_sections ps ON ps.plan_id = src.id AND ps.section = c.section
                WHERE c.shared),
         made AS (INSERT INTO plan_sections (plan_id, tenant_id, root_id, section, doc, version, updated_by)
                  SELECT id, t.id, t.root_id, s.section, s.doc, 1, app_user_id() FROM s)
    INSERT INTO config_history (tenant_id, root_id, plan_id, section, version, action, doc, actor)
    SELECT t.id, t.root_id, id, s.section, 1, CASE WHEN src.id IS NULL THEN 'create' ELSE 'clone' END, s.doc,
           app_user_id()
      FROM s;
    RETURN QUERY SELECT 'ok', id, NULL::text;
END $$;
REVOKE ALL ON FUNCTION plan_clone(bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plan_clone(bigint, bigint, text) TO portal_app;
