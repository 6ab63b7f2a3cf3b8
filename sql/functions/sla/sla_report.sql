-- Per customer below p_tenant, for incidents opened in the last p_days:
-- count, median and 90th percentile minutes to acknowledge and to resolve,
-- and breaches (acknowledged or resolved later than the target, or still
-- open past it). Reads the incidents inside the window only.
-- requires: customer_page, sla_targets_for
CREATE OR REPLACE FUNCTION sla_report(p_tenant bigint, p_days int, p_page int)
RETURNS TABLE (tenant_id bigint, name text, incidents bigint, ack_p50 numeric, ack_p90 numeric,
               resolve_p50 numeric, resolve_p90 numeric, breaches bigint, total bigint, paged boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH pg AS MATERIALIZED (
        SELECT * FROM customer_page(p_tenant, p_page)
    ), scope AS MATERIALIZED (
        SELECT c.id, c.name FROM pg CROSS JOIN unnest(pg.ids) AS u(id) JOIN tenants c ON c.id = u.id
    ), eff AS MATERIALIZED (
        SELECT e.tenant_id, e.severity, e.ack_minutes, e.resolve_minutes
          FROM sla_targets_for(ARRAY(SELECT id FROM scope)) e
    ), judged AS (
        SELECT i.tenant_id, i.acknowledged_at, i.closed_at, e.ack_minutes, e.resolve_minutes,
               extract(epoch FROM coalesce(i.acknowledged_at, now()) - i.opened_at) / 60 AS ack_min,
               extract(epoch FROM coalesce(i.closed_at, now()) - i.opened_at) / 60 AS res_min
          FROM eff e JOIN incidents i ON i.tenant_id = e.tenant_id AND i.severity = e.severity
         WHERE i.opened_at > now() - make_interval(days => least(greatest(p_days, 1), 90))
    )
    SELECT s.id, s.name, count(j.tenant_id),
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY j.ack_min) FILTER (WHERE j.acknowledged_at IS NOT NULL))::numeric, 1),
           round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.ack_min) FILTER (WHERE j.acknowledged_at IS NOT NULL))::numeric, 1),
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY j.res_min) FILTER (WHERE j.closed_at IS NOT NULL))::numeric, 1),
           round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.res_min) FILTER (WHERE j.closed_at IS NOT NULL))::numeric, 1),
           count(*) FILTER (WHERE j.ack_min > j.ack_minutes OR j.res_min > j.resolve_minutes),
           pg.total, pg.paged
      FROM scope s CROSS JOIN pg LEFT JOIN judged j ON j.tenant_id = s.id
     GROUP BY s.id, s.name, pg.total, pg.paged
    HAVING pg.paged OR count(j.tenant_id) > 0
     ORDER BY CASE WHEN pg.paged THEN 0
                   ELSE -count(*) FILTER (WHERE j.ack_min > j.ack_minutes OR j.res_min > j.resolve_minutes) END,
              lower(s.name), s.id
$$;
REVOKE ALL ON FUNCTION sla_report(bigint, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sla_report(bigint, int, int) TO portal_app;
