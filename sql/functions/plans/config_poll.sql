-- A device polling its effective configuration (GET
-- /api/v2/devices/{external_id}/config, docs/plans.md), in one statement
-- with no transaction around it: the key checked (api_key_find()), then
-- config_document() of the device p_external_id of the account p_tenant
-- (NULL: the key's own) as the key may see it (its tenant and every
-- tenant below). key_ok false: no such active key (401); doc NULL: no
-- such device there, or an account the key may not see (404).
-- The account's document (config_document() with no device) is kept in
-- config_documents, per account and key tenant, while config_generation
-- stays the same: a device with no section of its own gets it with itself
-- named in it, one index read (docs/performance.md, "Devices polling their
-- configuration"). The generation is read before a document is built, so
-- one built while a change commits is kept under the generation before it
-- and never counts. No identity is kept (identity_keep() writes a row).
-- requires: api_key_find, config_document, asset_is_device
CREATE OR REPLACE FUNCTION config_poll(p_key text, p_tenant bigint, p_external_id text)
RETURNS TABLE (key_ok boolean, doc jsonb)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    k api_keys%ROWTYPE;
    tid bigint;
    d assets%ROWTYPE;
    gen bigint;
    acc jsonb;
BEGIN
    SELECT * INTO k FROM api_key_find(p_key);
    key_ok := FOUND;
    IF NOT key_ok THEN
        RETURN NEXT;
        RETURN;
    END IF;
    tid := coalesce(p_tenant, k.tenant_id);
    -- Kept: one statement.
    SELECT c.doc, a.id, a.external_id, a.name, a.kind INTO acc, d.id, d.external_id, d.name, d.kind
      FROM assets a
      JOIN config_documents c ON c.tenant_id = a.tenant_id AND c.viewer_id = k.tenant_id
      JOIN config_generation g ON g.generation = c.generation
     WHERE a.tenant_id = tid AND a.external_id = p_external_id AND asset_is_device(a.kind)
       AND NOT EXISTS (SELECT 1 FROM config_overrides o WHERE o.tenant_id = a.tenant_id AND o.device_id = a.id);
    IF NOT FOUND THEN
        gen := (SELECT g.generation FROM config_generation g);
        SELECT * INTO d FROM assets a WHERE a.tenant_id = tid AND a.external_id = p_external_id AND asset_is_device(a.kind);
        IF NOT FOUND THEN
            RETURN NEXT;
            RETURN;
        END IF;
        IF EXISTS (SELECT 1 FROM config_overrides o WHERE o.tenant_id = tid AND o.device_id = d.id) THEN
            doc := config_document(tid, d.id, ARRAY[k.tenant_id], '{}');
            RETURN NEXT;
            RETURN;
        END IF;
        acc := config_document(tid, NULL, ARRAY[k.tenant_id], '{}');
        IF acc IS NULL THEN
            RETURN NEXT;
            RETURN;
        END IF;
        INSERT INTO config_documents AS c (tenant_id, viewer_id, root_id, generation, doc)
        SELECT tid, k.tenant_id, t.root_id, gen, acc FROM tenants t WHERE t.id = tid
            ON CONFLICT (tenant_id, viewer_id) DO UPDATE SET generation = excluded.generation, doc = excluded.doc
            WHERE c.generation < excluded.generation;
    END IF;
    -- config_document()'s device, named in the account's document.
    doc := jsonb_set(acc, '{device}', jsonb_build_object('id', d.id, 'external_id', d.external_id,
                                                         'name', d.name, 'kind', d.kind));
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION config_poll(text, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION config_poll(text, bigint, text) TO portal_app;
