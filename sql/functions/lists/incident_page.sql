-- The incidents below p_tenant: p_status ('open', 'closed', 'all', or
-- 'new': opened since the hour 24 hours before this one, the window of the
-- dashboards' "New in the last 24 h"), p_severity ('' or one).
CREATE OR REPLACE FUNCTION incident_page(p_tenant bigint, p_status text, p_severity text, p_after bigint, p_before bigint)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    w int := severity_weight(nullif(p_severity, ''));
    total bigint;
    p record;
BEGIN
    IF p_status = 'open' AND (w IS NULL OR w = 4) THEN   -- from the rollups, if the viewer sees the whole subtree
        SELECT CASE WHEN w = 4 THEN s.incidents_open_critical ELSE s.incidents_open END INTO total
          FROM tenants t LEFT JOIN tenant_stats s ON s.tenant_id = t.id
         WHERE t.id = p_tenant AND t.ancestors && app_scope();
        total := CASE WHEN FOUND THEN coalesce(total, 0) END;
    END IF;
    p := list_page(p_tenant, 'incidents', ARRAY['severity_weight(x.severity)', 'x.opened_at', 'x.id'], true,
                   'severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int',
                   CASE p_status WHEN 'open' THEN ARRAY['x.closed_at IS NULL'] WHEN 'closed' THEN ARRAY['x.closed_at IS NOT NULL']
                                 WHEN 'new' THEN ARRAY['x.opened_at >= date_trunc(''hour'', now(), ''UTC'') - interval ''24 hours''']
                                 ELSE ARRAY['x.closed_at IS NULL', 'x.closed_at IS NOT NULL'] END,
                   ARRAY[coalesce(w, 1)::text, coalesce(w, 4)::text], p_after, p_before, total IS NULL);
    IF p.ids IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN list_meta(p.ids, p.has_prev, p.has_next, total, p.counted) || jsonb_build_object('rows',
        (SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                    'id', i.id, 'customer', c.name, 'customer_id', c.id, 'severity', i.severity, 'title', i.title,
                    'indicator', coalesce(i.indicator, ''), 'opened', to_char(i.opened_at, 'YYYY-MM-DD HH24:MI'),
                    'acknowledged', to_char(i.acknowledged_at, 'YYYY-MM-DD HH24:MI'),
                    'closed', to_char(i.closed_at, 'YYYY-MM-DD HH24:MI'),
                    'note', CASE WHEN i.closed_at IS NOT NULL THEN coalesce(i.resolution_note, '') END))
                    ORDER BY u.n), '[]')
           FROM unnest(p.ids) WITH ORDINALITY AS u(id, n)
           JOIN incidents i ON i.id = u.id JOIN tenants c ON c.id = i.tenant_id));
END $$;
REVOKE ALL ON FUNCTION incident_page(bigint, text, text, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION incident_page(bigint, text, text, bigint, bigint) TO portal_app;
