-- requires: app_scope, app_exact, scope_sees
-- One incident below p_tenant that the viewer sees, for its page: what it
-- is, its customer, its timeline (opened; acknowledged and resolved, with
-- who did it through the portal, from the audit rows of that incident, or
-- the probe or agent that reported it) and the other customers of its
-- tree the viewer sees where the same indicator was seen in the last 30
-- days, the ten that saw it last. NULL when there is no such incident, or
-- the viewer may not see it. Those customers come from the threats
-- rollup (indicator_customers: each one's latest sighting, through its
-- index in that order), their incidents counted one customer at a time
-- (its own incidents): not every incident of the indicator, which at L
-- (411,000 of one in 30 days) made the page take 1-4 s (docs/dashboards.md,
-- "Threat correlation").
CREATE OR REPLACE FUNCTION incident_detail(p_tenant bigint, p_incident bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    i incidents%ROWTYPE;
    c tenants%ROWTYPE;
    ack record;
    res record;
BEGIN
    SELECT x.* INTO i FROM incidents x JOIN tenants t ON t.id = x.tenant_id
     WHERE x.id = p_incident AND p_tenant = ANY (t.ancestors) AND scope_sees(t.ancestors, t.id, sc, ex);
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO c FROM tenants WHERE id = i.tenant_id;
    SELECT a.at, u.name INTO ack FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
     WHERE a.target = 'incident:' || i.id AND a.action = 'incident.acknowledged' ORDER BY a.at LIMIT 1;
    SELECT a.at, u.name INTO res FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
     WHERE a.target = 'incident:' || i.id AND a.action = 'incident.resolved' ORDER BY a.at DESC LIMIT 1;
    RETURN jsonb_strip_nulls(jsonb_build_object(
        'id', i.id, 'external_id', i.external_id, 'severity', i.severity, 'title', i.title,
        'indicator', i.indicator, 'indicator_kind', i.indicator_kind,
        -- (archived: named, not linked, its page is not found: docs/dashboards.md)
        'customer', jsonb_build_object('id', c.id, 'name', c.name, 'kind', c.kind, 'archived', c.status <> 'active'),
        'open', i.closed_at IS NULL, 'acknowledged', i.acknowledged_at IS NOT NULL,
        'note', i.resolution_note,
        'timeline', (SELECT jsonb_agg(e ORDER BY e->>'at_sort') FROM (
            SELECT jsonb_build_object('what', 'opened', 'label', 'Opened', 'at', to_char(i.opened_at, 'YYYY-MM-DD HH24:MI'),
                                      'at_sort', to_char(i.opened_at, 'YYYY-MM-DD HH24:MI:SS.US'),
                                      'by', 'reported by a probe or agent') AS e
            UNION ALL
            SELECT jsonb_build_object('what', 'acknowledged', 'label', 'Acknowledged',
                                      'at', to_char(i.acknowledged_at, 'YYYY-MM-DD HH24:MI'),
                                      'at_sort', to_char(i.acknowledged_at, 'YYYY-MM-DD HH24:MI:SS.US'),
                                      'by', coalesce(ack.name, 'reported by a probe or agent'))
             WHERE i.acknowledged_at IS NOT NULL
            UNION ALL
            SELECT jsonb_build_object('what', 'resolved', 'label', 'Resolved', 'at', to_char(i.closed_at, 'YYYY-MM-DD HH24:MI'),
                                      'at_sort', to_char(i.closed_at, 'YYYY-MM-DD HH24:MI:SS.US'),
                                      'by', coalesce(res.name, 'reported by a probe or agent'), 'note', i.resolution_note)
             WHERE i.closed_at IS NOT NULL) s),
        'elsewhere', (SELECT jsonb_agg(jsonb_build_object('id', o.tenant_id, 'name', o.name, 'archived', o.archived,
                                                         'incidents', o.n,
                                                         'last', to_char(o.last_at, 'YYYY-MM-DD HH24:MI'))
                                       ORDER BY o.last_at DESC, o.tenant_id DESC)
                        FROM (SELECT x.tenant_id, x.last_at, v.name, v.status <> 'active' AS archived,
                                     -- (the customer's incidents, fenced: read with
                                     -- the indicator's index too, a popular one's
                                     -- 411,000 entries were read for each customer)
                                     (SELECT count(*) FROM (SELECT y.indicator, y.opened_at FROM incidents y
                                                             WHERE y.tenant_id = x.tenant_id OFFSET 0) y
                                       WHERE y.indicator = x.indicator
                                         AND y.opened_at > now() - interval '30 days') AS n
                                FROM indicator_customers x JOIN tenants v ON v.id = x.tenant_id
                               WHERE i.indicator IS NOT NULL AND x.root_id = i.root_id AND x.indicator = i.indicator
                                 AND x.last_at > now() - interval '30 days' AND x.tenant_id <> i.tenant_id
                                 AND scope_sees(v.ancestors, v.id, sc, ex)
                               ORDER BY x.last_at DESC, x.tenant_id DESC LIMIT 10) o)));
END $$;
REVOKE ALL ON FUNCTION incident_detail(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION incident_detail(bigint, bigint) TO portal_app;
