-- Make an earlier version of an account's (or device's) own document of a
-- section current again, as a new version: p_history is a row of the
-- account's history holding a document (an override saved). p_base as
-- config_override_save() (NULL when the section is no longer overridden:
-- restoring unlocks it again). Outcomes as config_override_save().
-- requires: config_override_save
CREATE OR REPLACE FUNCTION config_override_restore(p_tenant bigint, p_history bigint, p_base bigint)
RETURNS TABLE (outcome text, version bigint, doc jsonb, by text, at timestamptz, message text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE h config_history%ROWTYPE;
BEGIN
    SELECT * INTO h FROM config_history x
     WHERE x.id = p_history AND x.tenant_id = p_tenant AND x.plan_id IS NULL AND x.doc IS NOT NULL
       AND x.section IS NOT NULL;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT * FROM config_override_save(p_tenant, h.device_id, h.section, h.doc, p_base);
END $$;
REVOKE ALL ON FUNCTION config_override_restore(bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION config_override_restore(bigint, bigint, bigint) TO portal_app;
