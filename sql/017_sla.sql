-- 017_sla.sql - SLA targets and the SLA report.
--
-- A target row on a tenant sets, for one severity, the time to acknowledge
-- and the time to resolve; a customer without its own row uses the nearest
-- ancestor's (the MSSP's rows are the defaults), and without any row the
-- portal's defaults below apply.
CREATE TABLE sla_targets (
    tenant_id       bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id         bigint NOT NULL,
    severity        text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    ack_minutes     int NOT NULL CHECK (ack_minutes BETWEEN 1 AND 43200),
    resolve_minutes int NOT NULL CHECK (resolve_minutes BETWEEN 1 AND 525600),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, severity),
    CHECK (resolve_minutes >= ack_minutes)
);
ALTER TABLE sla_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE sla_targets FORCE ROW LEVEL SECURITY;
CREATE POLICY sla_targets_visible ON sla_targets USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));
GRANT SELECT, INSERT, UPDATE, DELETE ON sla_targets TO portal_app;

-- The effective targets of a tenant per severity, with where each comes from.
CREATE FUNCTION sla_effective(p_tenant bigint)
RETURNS TABLE (severity text, ack_minutes int, resolve_minutes int, source_id bigint, source_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT d.severity,
           coalesce(x.ack_minutes, d.ack), coalesce(x.resolve_minutes, d.res), x.tenant_id, x.name
      FROM (VALUES ('critical', 15, 240), ('high', 60, 1440), ('medium', 240, 4320), ('low', 1440, 10080))
           AS d(severity, ack, res)
      LEFT JOIN LATERAL (
        SELECT s.ack_minutes, s.resolve_minutes, s.tenant_id, a.name
          FROM tenants t JOIN sla_targets s ON s.tenant_id = ANY (t.ancestors) AND s.severity = d.severity
          JOIN tenants a ON a.id = s.tenant_id
         WHERE t.id = p_tenant
         ORDER BY array_position(t.ancestors, s.tenant_id) DESC LIMIT 1) x ON true
     WHERE p_tenant IN (SELECT visible_tenant_ids())
     ORDER BY array_position(ARRAY['critical','high','medium','low'], d.severity)
$$;

-- Per customer below p_tenant, for incidents opened in the last p_days:
-- count, median and 90th percentile minutes to acknowledge and to resolve,
-- and breaches (acknowledged or resolved later than the target, or still
-- open past it). Reads the incidents inside the window only.
CREATE FUNCTION sla_report(p_tenant bigint, p_days int)
RETURNS TABLE (tenant_id bigint, name text, incidents bigint, ack_p50 numeric, ack_p90 numeric,
               resolve_p50 numeric, resolve_p90 numeric, breaches bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH scope AS (
        SELECT c.id, c.name FROM tenants c
         WHERE p_tenant = ANY (c.ancestors) AND c.kind = 'company' AND c.status = 'active'
           AND p_tenant IN (SELECT visible_tenant_ids())
    ), inc AS (
        SELECT i.*, s.name,
               extract(epoch FROM coalesce(i.acknowledged_at, now()) - i.opened_at) / 60 AS ack_min,
               extract(epoch FROM coalesce(i.closed_at, now()) - i.opened_at) / 60 AS res_min
          FROM incidents i JOIN scope s ON s.id = i.tenant_id
         WHERE i.opened_at > now() - make_interval(days => least(greatest(p_days, 1), 90))
    ), judged AS (
        SELECT inc.*, e.ack_minutes, e.resolve_minutes
          FROM inc, LATERAL sla_effective(inc.tenant_id) e WHERE e.severity = inc.severity
    )
    SELECT j.tenant_id, min(j.name), count(*),
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY j.ack_min) FILTER (WHERE j.acknowledged_at IS NOT NULL))::numeric, 1),
           round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.ack_min) FILTER (WHERE j.acknowledged_at IS NOT NULL))::numeric, 1),
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY j.res_min) FILTER (WHERE j.closed_at IS NOT NULL))::numeric, 1),
           round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.res_min) FILTER (WHERE j.closed_at IS NOT NULL))::numeric, 1),
           count(*) FILTER (WHERE j.ack_min > j.ack_minutes OR j.res_min > j.resolve_minutes)
      FROM judged j GROUP BY j.tenant_id
     ORDER BY count(*) FILTER (WHERE j.ack_min > j.ack_minutes OR j.res_min > j.resolve_minutes) DESC, min(j.name)
$$;

-- Open incidents below p_tenant that are past a target right now.
CREATE FUNCTION sla_breaching(p_tenant bigint)
RETURNS TABLE (incident_id bigint, tenant_id bigint, name text, severity text, title text, opened_at timestamptz,
               late_for text, minutes_over numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.id, c.id, c.name, i.severity, i.title, i.opened_at,
           CASE WHEN i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes)
                THEN 'acknowledge' ELSE 'resolve' END,
           round((extract(epoch FROM now() - i.opened_at) / 60 -
                  CASE WHEN i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes)
                       THEN e.ack_minutes ELSE e.resolve_minutes END)::numeric, 0)
      FROM incidents i JOIN tenants c ON c.id = i.tenant_id, LATERAL sla_effective(c.id) e
     WHERE i.closed_at IS NULL AND p_tenant = ANY (c.ancestors) AND p_tenant IN (SELECT visible_tenant_ids())
       AND e.severity = i.severity
       AND ((i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes))
            OR now() - i.opened_at > make_interval(mins => e.resolve_minutes))
     ORDER BY array_position(ARRAY['critical','high','medium','low'], i.severity), i.opened_at
     LIMIT 200
$$;
REVOKE ALL ON FUNCTION sla_effective(bigint), sla_report(bigint, int), sla_breaching(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sla_effective(bigint), sla_report(bigint, int), sla_breaching(bigint) TO portal_app;
