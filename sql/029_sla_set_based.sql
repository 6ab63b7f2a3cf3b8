-- 029_sla_set_based.sql - the SLA report and the breaching list judge
-- each incident against its customer's targets found once per customer,
-- not once per incident.
--
-- sql/017 called sla_effective() (a SECURITY DEFINER SQL function, so
-- never inlined and planned again at every call) for every incident of
-- the window and every open incident: for an MSSP at L (20,000 companies,
-- 1M incidents) the SLA page ran into the 30 s statement timeout. The
-- rule now lives in sla_targets_for(), a set-returning SQL function over
-- a list of tenants (not SECURITY DEFINER, so the planner inlines it into
-- the callers, which run as the owner): the portal's defaults per
-- severity, else the nearest target on the tenant's path. sla_effective()
-- is that rule for one tenant, as before. Same columns and results as
-- sql/017's.

CREATE FUNCTION sla_targets_for(p_tenants bigint[])
RETURNS TABLE (tenant_id bigint, severity text, ack_minutes int, resolve_minutes int, source_id bigint,
               source_name text)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT t.id, d.severity, coalesce(x.ack_minutes, d.ack), coalesce(x.resolve_minutes, d.res),
           x.tenant_id, x.name
      FROM public.tenants t
      CROSS JOIN (VALUES ('critical', 15, 240), ('high', 60, 1440), ('medium', 240, 4320), ('low', 1440, 10080))
           AS d(severity, ack, res)
      LEFT JOIN LATERAL (
        SELECT s.ack_minutes, s.resolve_minutes, s.tenant_id, a.name
          FROM public.sla_targets s JOIN public.tenants a ON a.id = s.tenant_id
         WHERE s.tenant_id = ANY (t.ancestors) AND s.severity = d.severity
         ORDER BY array_position(t.ancestors, s.tenant_id) DESC LIMIT 1) x ON true
     WHERE t.id = ANY (p_tenants);
END;
REVOKE ALL ON FUNCTION sla_targets_for(bigint[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION sla_effective(p_tenant bigint)
RETURNS TABLE (severity text, ack_minutes int, resolve_minutes int, source_id bigint, source_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT e.severity, e.ack_minutes, e.resolve_minutes, e.source_id, e.source_name
      FROM sla_targets_for(ARRAY[p_tenant]) e
     WHERE p_tenant IN (SELECT visible_tenant_ids())
     ORDER BY array_position(ARRAY['critical','high','medium','low'], e.severity)
$$;

CREATE OR REPLACE FUNCTION sla_report(p_tenant bigint, p_days int)
RETURNS TABLE (tenant_id bigint, name text, incidents bigint, ack_p50 numeric, ack_p90 numeric,
               resolve_p50 numeric, resolve_p90 numeric, breaches bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH scope AS MATERIALIZED (
        SELECT c.id, c.name FROM tenants c
         WHERE p_tenant = ANY (c.ancestors) AND c.kind = 'company' AND c.status = 'active'
           AND p_tenant IN (SELECT visible_tenant_ids())
    ), eff AS MATERIALIZED (
        SELECT e.tenant_id, e.severity, e.ack_minutes, e.resolve_minutes
          FROM sla_targets_for(ARRAY(SELECT id FROM scope)) e
    ), judged AS (
        SELECT i.tenant_id, i.acknowledged_at, i.closed_at, s.name, e.ack_minutes, e.resolve_minutes,
               extract(epoch FROM coalesce(i.acknowledged_at, now()) - i.opened_at) / 60 AS ack_min,
               extract(epoch FROM coalesce(i.closed_at, now()) - i.opened_at) / 60 AS res_min
          FROM incidents i JOIN scope s ON s.id = i.tenant_id
          JOIN eff e ON e.tenant_id = i.tenant_id AND e.severity = i.severity
         WHERE i.opened_at > now() - make_interval(days => least(greatest(p_days, 1), 90))
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

CREATE OR REPLACE FUNCTION sla_breaching(p_tenant bigint)
RETURNS TABLE (incident_id bigint, tenant_id bigint, name text, severity text, title text, opened_at timestamptz,
               late_for text, minutes_over numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH open AS MATERIALIZED (
        SELECT i.id, i.tenant_id, i.severity, i.title, i.opened_at, i.acknowledged_at
          FROM incidents i JOIN tenants c ON c.id = i.tenant_id
         WHERE i.closed_at IS NULL AND p_tenant = ANY (c.ancestors) AND p_tenant IN (SELECT visible_tenant_ids())
    ), eff AS MATERIALIZED (
        SELECT e.tenant_id, e.severity, e.ack_minutes, e.resolve_minutes
          FROM sla_targets_for(ARRAY(SELECT DISTINCT tenant_id FROM open)) e
    )
    SELECT i.id, c.id, c.name, i.severity, i.title, i.opened_at,
           CASE WHEN i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes)
                THEN 'acknowledge' ELSE 'resolve' END,
           round((extract(epoch FROM now() - i.opened_at) / 60 -
                  CASE WHEN i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes)
                       THEN e.ack_minutes ELSE e.resolve_minutes END)::numeric, 0)
      FROM open i JOIN tenants c ON c.id = i.tenant_id
      JOIN eff e ON e.tenant_id = i.tenant_id AND e.severity = i.severity
     WHERE (i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes))
        OR now() - i.opened_at > make_interval(mins => e.resolve_minutes)
     ORDER BY array_position(ARRAY['critical','high','medium','low'], i.severity), i.opened_at
     LIMIT 200
$$;
