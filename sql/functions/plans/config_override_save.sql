-- An account's own document of a section (p_device NULL), or one of its
-- devices': unlocks a shared section (only that section then differs from
-- the plan) or sets a never-shared one. p_base: the override's version the
-- editor started from, NULL to unlock one not yet overridden. Outcomes as
-- plan_section_save().
-- requires: plan_writer, asset_is_device, config_save_gate
CREATE OR REPLACE FUNCTION config_override_save(p_tenant bigint, p_device bigint, p_section text, p_doc jsonb,
                                                p_base bigint)
RETURNS TABLE (outcome text, version bigint, doc jsonb, by text, at timestamptz, message text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    cur config_overrides%ROWTYPE;
    prev jsonb;
    err text;
BEGIN
    IF t.id IS NULL OR NOT EXISTS (SELECT 1 FROM config_sections c WHERE c.section = p_section)
       OR (p_device IS NOT NULL AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = p_device AND a.tenant_id = t.id
                                                                        AND asset_is_device(a.kind))) THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    err := config_doc_error(p_section, p_doc);
    IF err IS NOT NULL THEN
        RETURN QUERY SELECT 'invalid', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, err;
        RETURN;
    END IF;
    -- One writer at a time per account: two first unlocks of a section
    -- must not both pass the test below.
    PERFORM 1 FROM tenants x WHERE x.id = t.id FOR NO KEY UPDATE;
    SELECT * INTO cur FROM config_overrides o
     WHERE o.tenant_id = t.id AND o.device_id IS NOT DISTINCT FROM p_device AND o.section = p_section;
    RETURN QUERY SELECT * FROM config_save_gate(p_base, p_doc, cur.version, cur.doc, cur.updated_by, cur.updated_at);
    IF FOUND THEN
        RETURN;
    END IF;
    prev := cur.doc;
    IF cur.id IS NULL THEN
        INSERT INTO config_overrides (tenant_id, root_id, device_id, section, doc, version, updated_by)
        VALUES (t.id, t.root_id, p_device, p_section, p_doc, 1, app_user_id()) RETURNING * INTO cur;
    ELSE
        UPDATE config_overrides o SET doc = p_doc, version = o.version + 1, updated_by = app_user_id(), updated_at = now()
         WHERE o.id = cur.id RETURNING * INTO cur;
    END IF;
    INSERT INTO config_history (tenant_id, root_id, device_id, section, version, action, doc, before, actor)
    VALUES (t.id, t.root_id, p_device, p_section, cur.version, 'override', p_doc, prev, app_user_id());
    RETURN QUERY SELECT 'ok', cur.version, p_doc, NULL::text, now(), NULL::text;
END $$;
REVOKE ALL ON FUNCTION config_override_save(bigint, bigint, text, jsonb, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION config_override_save(bigint, bigint, text, jsonb, bigint) TO portal_app;
