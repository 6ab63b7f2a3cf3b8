-- The configuration page of an account, or of one of its devices: the
-- effective configuration with each section's source (config_effective()),
-- the sections' titles and kinds, for a shared section overridden here
-- what differs from the plan, the account's devices (the first 500 by
-- name) and the last 30 changes of the account's own documents (each
-- saved one restorable, from the override's version now). NULL when
-- the viewer may not see it.
-- requires: config_diff, plan_followed, asset_is_device
CREATE OR REPLACE FUNCTION config_page(p_tenant bigint, p_device bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    e jsonb := config_effective(p_tenant, p_device);
    t tenants%ROWTYPE;
BEGIN
    IF e IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant;
    RETURN e || jsonb_build_object(
        'catalogue', (SELECT jsonb_agg(jsonb_build_object(
                          'section', c.section, 'title', c.title, 'shared', c.shared,
                          'doc', e->'sections'->c.section, 'source', e->'sources'->c.section,
                          -- This page's own document (the account's, or the device's on a device's page).
                          'own', e->'sources'->c.section->>'from' = CASE WHEN p_device IS NULL THEN 'account' ELSE 'device' END,
                          'source_text', CASE e->'sources'->c.section->>'from'
                              WHEN 'plan' THEN format('plan %s, version %s', e->'sources'->c.section->>'plan',
                                                      e->'sources'->c.section->>'version')
                              WHEN 'account' THEN format('%s, version %s, by %s', t.name, e->'sources'->c.section->>'version',
                                                         coalesce(e->'sources'->c.section->>'by', 'someone'))
                              WHEN 'device' THEN format('this device, version %s, by %s', e->'sources'->c.section->>'version',
                                                        coalesce(e->'sources'->c.section->>'by', 'someone'))
                              ELSE 'default' END,
                          'diff', CASE WHEN c.shared AND e->'sources'->c.section->>'from' IN ('account', 'device')
                                       THEN config_diff((SELECT s.doc FROM plan_sections s
                                                          WHERE s.plan_id = (e->'plan'->>'id')::bigint
                                                            AND s.section = c.section), e->'sections'->c.section) END)
                          ORDER BY c.position)
                        FROM config_sections c),
        'devices', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name, 'kind', a.kind,
                                                                 'external_id', a.external_id,
                                                                 'overrides', (SELECT count(*) FROM config_overrides o
                                                                                WHERE o.device_id = a.id))
                                              ORDER BY lower(a.name), a.id), '[]')
                      FROM (SELECT * FROM assets a WHERE a.tenant_id = t.id AND asset_is_device(a.kind)
                             ORDER BY lower(a.name), a.id LIMIT 500) a),
        'history', (SELECT coalesce(jsonb_agg(h ORDER BY (h->>'id')::bigint DESC), '[]') FROM (
            SELECT jsonb_build_object('id', x.id, 'section', x.section, 'title', c.title, 'version', x.version,
                                      'action', x.action, 'device', d.name, 'by', u.name,
                                      'at', to_char(x.at, 'YYYY-MM-DD HH24:MI'),
                                      'diff', config_diff(x.before, x.doc),
                                      -- Restore: a saved document, from the override's version now.
                                      'restorable', x.doc IS NOT NULL, 'device_id', x.device_id,
                                      'base', (SELECT o.version FROM config_overrides o
                                                WHERE o.tenant_id = t.id AND o.section = x.section
                                                  AND o.device_id IS NOT DISTINCT FROM x.device_id)) AS h
              FROM config_history x
              JOIN config_sections c ON c.section = x.section
              LEFT JOIN assets d ON d.id = x.device_id
              LEFT JOIN users u ON u.id = x.actor
             WHERE x.tenant_id = t.id AND x.plan_id IS NULL
               AND (p_device IS NULL OR x.device_id = p_device)
             ORDER BY x.id DESC LIMIT 30) z));
END $$;
REVOKE ALL ON FUNCTION config_page(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION config_page(bigint, bigint) TO portal_app;
