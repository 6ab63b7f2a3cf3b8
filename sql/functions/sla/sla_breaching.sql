-- The open incidents past a target, of tenants at or below p_tenant that
-- the viewer may see: by severity (critical first), oldest first, 200 at
-- most.
CREATE OR REPLACE FUNCTION sla_breaching(p_tenant bigint)
RETURNS TABLE (incident_id bigint, tenant_id bigint, name text, severity text, title text, opened_at timestamptz,
               late_for text, minutes_over numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    pl record;       -- read_plan()
    src text;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    pl := read_plan(t, sc, ex);
    src := CASE WHEN pl.how = 'tenants' THEN 'i.tenant_id = ANY ($1)' ELSE read_plan_rows(pl.how, 'i') END;
    -- Per severity: its open incidents oldest first, from before the
    -- least target of the tree for it (the root's, which every customer
    -- without targets of its own inherits, or any set below it), judged
    -- against their customer's targets, the first 200 late ones. A few
    -- customers (200 at most) have their targets read once, for all their
    -- incidents (an MSP's at L: 2,600 open incidents judged, each looking
    -- its customer's up, 18 ms); more, each incident's customer's.
    RETURN QUERY EXECUTE format($q$
        WITH eff AS MATERIALIZED (
            SELECT e.tenant_id, e.severity, e.ack_minutes, e.resolve_minutes
              FROM sla_targets_for($1) e)
        SELECT x.id, c.id, c.name, x.severity, x.title, x.opened_at, x.late_for, x.minutes_over
          FROM (SELECT d.severity, severity_weight(d.severity) AS w,
                       least(d.ack_minutes, d.resolve_minutes,
                             (SELECT min(least(s.ack_minutes, s.resolve_minutes))
                                FROM sla_targets s JOIN tenants a ON a.id = s.tenant_id
                               WHERE a.root_id = $2 AND s.severity = d.severity)) AS least_minutes
                  FROM sla_targets_for(ARRAY[$2::bigint]) d) d
         CROSS JOIN LATERAL (
            SELECT i.id, i.tenant_id, i.severity, i.title, i.opened_at, j.late_for, j.minutes_over
              FROM incidents i
             %s
             CROSS JOIN LATERAL (
                SELECT CASE WHEN i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes)
                            THEN 'acknowledge' ELSE 'resolve' END AS late_for,
                       round((extract(epoch FROM now() - i.opened_at) / 60 -
                              CASE WHEN i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes)
                                   THEN e.ack_minutes ELSE e.resolve_minutes END)::numeric, 0) AS minutes_over) j
             WHERE %s AND i.closed_at IS NULL AND severity_weight(i.severity) = d.w
               AND i.opened_at < now() - make_interval(mins => d.least_minutes)
               AND ((i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes))
                    OR now() - i.opened_at > make_interval(mins => e.resolve_minutes))
             ORDER BY i.opened_at, i.id LIMIT 200) x
          JOIN tenants c ON c.id = x.tenant_id
         ORDER BY d.w DESC, x.opened_at, x.id
         LIMIT 200 $q$,
        CASE WHEN pl.how = 'tenants' THEN 'JOIN eff e ON e.tenant_id = i.tenant_id AND e.severity = i.severity'
             ELSE 'CROSS JOIN LATERAL (SELECT e.ack_minutes, e.resolve_minutes FROM sla_targets_for(ARRAY[i.tenant_id]) e'
                  ' WHERE e.severity = i.severity) e' END, src)
        USING pl.tids, t.root_id, t.id, sc, ex;
END $$;
REVOKE ALL ON FUNCTION sla_breaching(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sla_breaching(bigint) TO portal_app;
