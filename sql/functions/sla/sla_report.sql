-- The SLA page's figures (docs/dashboards.md, "SLA monitoring") for the
-- page's customers below p_tenant, from the incidents opened in the last
-- p_days, in one read of them:
-- * one row per customer (severity NULL): count, median and 90th
--   percentile minutes to acknowledge and to resolve, and breaches
--   (acknowledged or resolved later than the target, or still open past
--   it); a customer without incidents only when the customers are paged;
--   by breaches, most first (by name when paged);
-- * then one row per customer and severity with incidents (compliance):
--   how many were acknowledged (resolved) within target, and how many are
--   due (met, or missed: acknowledged late, or unacknowledged past the
--   target; the same for resolving). An incident still open within its
--   target is not due.
-- All judged against the targets of sla_targets_for(). The window's
-- incidents are read once (judged, materialized) for both kinds of rows:
-- sla_report() and sla_compliance() had each read them, 20 + 14 ms for an
-- MSP's 100 customers at L (docs/performance.md, "Session 39").
-- requires: customer_page, sla_targets_for
CREATE OR REPLACE FUNCTION sla_report(p_tenant bigint, p_days int, p_page int)
RETURNS TABLE (tenant_id bigint, name text, severity text, incidents bigint, ack_p50 numeric, ack_p90 numeric,
               resolve_p50 numeric, resolve_p90 numeric, breaches bigint, ack_met bigint, ack_due bigint,
               resolve_met bigint, resolve_due bigint, total bigint, paged boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH pg AS MATERIALIZED (
        SELECT * FROM customer_page(p_tenant, p_page)
    ), scope AS MATERIALIZED (
        SELECT c.id, c.name FROM pg CROSS JOIN unnest(pg.ids) AS u(id) JOIN tenants c ON c.id = u.id
    ), eff AS MATERIALIZED (
        SELECT e.tenant_id, e.severity, e.ack_minutes, e.resolve_minutes
          FROM sla_targets_for(ARRAY(SELECT id FROM scope)) e
    ), judged AS MATERIALIZED (
        SELECT i.tenant_id, i.severity, i.acknowledged_at, i.closed_at, e.ack_minutes, e.resolve_minutes,
               extract(epoch FROM coalesce(i.acknowledged_at, now()) - i.opened_at) / 60 AS ack_min,
               extract(epoch FROM coalesce(i.closed_at, now()) - i.opened_at) / 60 AS res_min
          FROM eff e JOIN incidents i ON i.tenant_id = e.tenant_id AND i.severity = e.severity
         WHERE i.opened_at > now() - make_interval(days => least(greatest(p_days, 1), 90))
    ), customers AS (
        SELECT s.id, s.name, count(j.tenant_id) AS incidents,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY j.ack_min) FILTER (WHERE j.acknowledged_at IS NOT NULL))::numeric, 1) AS ack_p50,
               round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.ack_min) FILTER (WHERE j.acknowledged_at IS NOT NULL))::numeric, 1) AS ack_p90,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY j.res_min) FILTER (WHERE j.closed_at IS NOT NULL))::numeric, 1) AS resolve_p50,
               round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.res_min) FILTER (WHERE j.closed_at IS NOT NULL))::numeric, 1) AS resolve_p90,
               count(*) FILTER (WHERE j.ack_min > j.ack_minutes OR j.res_min > j.resolve_minutes) AS breaches
          FROM scope s LEFT JOIN judged j ON j.tenant_id = s.id
         GROUP BY s.id, s.name
    )
    SELECT u.tenant_id, u.name, u.severity, u.incidents, u.ack_p50, u.ack_p90, u.resolve_p50, u.resolve_p90,
           u.breaches, u.ack_met, u.ack_due, u.resolve_met, u.resolve_due, pg.total, pg.paged
      FROM (SELECT c.id AS tenant_id, c.name, NULL::text AS severity, c.incidents, c.ack_p50, c.ack_p90,
                   c.resolve_p50, c.resolve_p90, c.breaches, NULL::bigint AS ack_met, NULL::bigint AS ack_due,
                   NULL::bigint AS resolve_met, NULL::bigint AS resolve_due
              FROM customers c
             WHERE c.incidents > 0 OR (SELECT paged FROM pg)
            UNION ALL
            SELECT j.tenant_id, NULL, j.severity, count(*), NULL, NULL, NULL, NULL, NULL,
                   count(*) FILTER (WHERE j.acknowledged_at IS NOT NULL AND j.ack_min <= j.ack_minutes),
                   count(*) FILTER (WHERE j.acknowledged_at IS NOT NULL OR j.ack_min > j.ack_minutes),
                   count(*) FILTER (WHERE j.closed_at IS NOT NULL AND j.res_min <= j.resolve_minutes),
                   count(*) FILTER (WHERE j.closed_at IS NOT NULL OR j.res_min > j.resolve_minutes)
              FROM judged j
             GROUP BY j.tenant_id, j.severity) u
      CROSS JOIN pg
     ORDER BY u.severity IS NOT NULL,
              CASE WHEN pg.paged THEN 0 ELSE -u.breaches END, lower(u.name), u.tenant_id, u.severity
$$;
REVOKE ALL ON FUNCTION sla_report(bigint, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sla_report(bigint, int, int) TO portal_app;
