-- Make an earlier version of a plan's section its current one, as a new
-- version (the history keeps both): p_history is a row of the plan's
-- history that holds the section's document. Outcomes as
-- plan_section_save().
-- requires: plan_section_save
CREATE OR REPLACE FUNCTION plan_restore(p_tenant bigint, p_plan bigint, p_history bigint, p_base bigint)
RETURNS TABLE (outcome text, version bigint, doc jsonb, by text, at timestamptz, message text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE h config_history%ROWTYPE;
BEGIN
    SELECT * INTO h FROM config_history x
     WHERE x.id = p_history AND x.plan_id = p_plan AND x.tenant_id = p_tenant AND x.doc IS NOT NULL
       AND x.section IS NOT NULL;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT * FROM plan_section_save(p_tenant, p_plan, h.section, h.doc, p_base, 'restore');
END $$;
REVOKE ALL ON FUNCTION plan_restore(bigint, bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plan_restore(bigint, bigint, bigint, bigint) TO portal_app;
