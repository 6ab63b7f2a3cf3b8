-- SLA compliance (docs/dashboards.md, "SLA monitoring") of the customers
-- sla_report() lists for the same arguments (the page's customers), per
-- customer and severity with incidents opened in the last p_days: how many
-- were acknowledged (resolved) within target, and how many are due (met,
-- or missed: acknowledged late, or unacknowledged past the target; the
-- same for resolving). An incident still open within its target is not
-- due. Judged against the targets of sla_targets_for(), as sla_report()
-- judges breaches; reads the incidents inside the window only.
-- requires: customer_page, sla_targets_for
CREATE OR REPLACE FUNCTION sla_compliance(p_tenant bigint, p_days int, p_page int)
RETURNS TABLE (tenant_id bigint, severity text, incidents bigint, ack_met bigint, ack_due bigint,
               resolve_met bigint, resolve_due bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH pg AS MATERIALIZED (
        SELECT * FROM customer_page(p_tenant, p_page)
    ), scope AS MATERIALIZED (
        SELECT c.id FROM pg CROSS JOIN unnest(pg.ids) AS u(id) JOIN tenants c ON c.id = u.id
    ), eff AS MATERIALIZED (
        SELECT e.tenant_id, e.severity, e.ack_minutes, e.resolve_minutes
          FROM sla_targets_for(ARRAY(SELECT id FROM scope)) e
    ), judged AS (
        SELECT i.tenant_id, i.severity, i.acknowledged_at, i.closed_at, e.ack_minutes, e.resolve_minutes,
               extract(epoch FROM coalesce(i.acknowledged_at, now()) - i.opened_at) / 60 AS ack_min,
               extract(epoch FROM coalesce(i.closed_at, now()) - i.opened_at) / 60 AS res_min
          FROM eff e JOIN incidents i ON i.tenant_id = e.tenant_id AND i.severity = e.severity
         WHERE i.opened_at > now() - make_interval(days => least(greatest(p_days, 1), 90))
    )
    SELECT j.tenant_id, j.severity, count(*),
           count(*) FILTER (WHERE j.acknowledged_at IS NOT NULL AND j.ack_min <= j.ack_minutes),
           count(*) FILTER (WHERE j.acknowledged_at IS NOT NULL OR j.ack_min > j.ack_minutes),
           count(*) FILTER (WHERE j.closed_at IS NOT NULL AND j.res_min <= j.resolve_minutes),
           count(*) FILTER (WHERE j.closed_at IS NOT NULL OR j.res_min > j.resolve_minutes)
      FROM judged j
     GROUP BY j.tenant_id, j.severity
$$;
REVOKE ALL ON FUNCTION sla_compliance(bigint, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sla_compliance(bigint, int, int) TO portal_app;
