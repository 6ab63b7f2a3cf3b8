-- Per customer of the page and severity: the median days from first seen
-- to fixed of the findings fixed in the last 90 days, and how many; with
-- the page's total and whether it is paged on every row. A customer
-- without such findings has one row with a NULL severity.
-- requires: customer_page, severity_weight
CREATE OR REPLACE FUNCTION remediation_velocity(p_tenant bigint, p_page int)
RETURNS TABLE (tenant_id bigint, name text, severity text, median_days numeric, fixed bigint, total bigint,
               paged boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH pg AS MATERIALIZED (
        SELECT * FROM customer_page(p_tenant, p_page)
    )
    SELECT c.id, c.name, v.severity, v.median_days, v.fixed, pg.total, pg.paged
      FROM pg CROSS JOIN unnest(pg.ids) WITH ORDINALITY AS u(id, n)
      JOIN tenants c ON c.id = u.id
      LEFT JOIN LATERAL (
        SELECT x.severity,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM x.fixed_at - x.first_seen) / 86400))
                     ::numeric, 1) AS median_days,
               count(*) AS fixed
          FROM vulnerabilities x
         WHERE x.tenant_id = c.id AND x.fixed_at IS NOT NULL AND x.fixed_at > now() - interval '90 days'
           AND x.fixed_at >= x.first_seen
         GROUP BY x.severity) v ON true
     ORDER BY u.n, severity_weight(v.severity) DESC
$$;
REVOKE ALL ON FUNCTION remediation_velocity(bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION remediation_velocity(bigint, int) TO portal_app;
