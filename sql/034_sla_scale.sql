-- 034_sla_scale.sql - the SLA page shows only the customers the viewer may
-- see, and reads a bounded number of incidents below a large tenant.
--
-- sql/029's sla_report() and sla_breaching() checked that the viewer may
-- see the tenant on screen and then read every customer and incident below
-- it: an MSSP Analyst, who sees the MSSP itself but only their assigned
-- subtrees, got the SLA figures and breaching incidents of every customer
-- of the MSSP. At L they also read every incident of the window (1M for 30
-- days: 3.6 s) and every open incident (400,000: 1.1 s) for the MSSP.
-- Now (docs/dashboards.md, "SLA monitoring"):
--
-- * The customers are the active companies at or below the tenant that
--   the viewer may see (customer_page()). Up to 200, the report has them
--   all, those with incidents in the window, most breaches first, as
--   before. Above 200, it shows them by name, 50 per page, each with its
--   figures (no incidents: none): the page reads its 50 customers'
--   incidents only.
-- * Breaching now: open incidents past a target of a customer the viewer
--   may see, by severity, oldest first (200 at most). Below a large tenant
--   each severity's open incidents of the tree are walked oldest first
--   (incidents_root_open, sql/032), starting before the least target any
--   customer of the tree has for that severity (nothing younger can be
--   late), until 200 late ones are found.

-- The customers the viewer may see at or below p_tenant: total, and the
-- ids (all of them in name order up to 200, else page p_page of 50).
-- NULL ids when the viewer may not see the tenant.
CREATE FUNCTION customer_page(p_tenant bigint, p_page int, OUT ids bigint[], OUT total bigint, OUT paged boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    -- All of them in name order (one read), then the page.
    ids := ARRAY(SELECT c.id FROM tenants c
                  WHERE c.ancestors @> ARRAY[t.id] AND c.kind = 'company' AND c.status = 'active'
                    AND scope_sees(c.ancestors, c.id, sc, ex)
                  ORDER BY lower(c.name), c.id);
    total := cardinality(ids);
    paged := total > 200;
    IF paged THEN
        ids := ids[(greatest(p_page, 1) - 1) * 50 + 1 : greatest(p_page, 1) * 50];
    END IF;
END $$;
REVOKE ALL ON FUNCTION customer_page(bigint, int) FROM PUBLIC;

-- sql/029's report over customer_page()'s customers, with its total and
-- whether it is paged on every row.
DROP FUNCTION sla_report(bigint, int);
CREATE FUNCTION sla_report(p_tenant bigint, p_days int, p_page int)
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
          FROM incidents i JOIN scope s ON s.id = i.tenant_id
          JOIN eff e ON e.tenant_id = i.tenant_id AND e.severity = i.severity
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

-- The open incidents past a target, of tenants at or below p_tenant that
-- the viewer may see: by severity (critical first), oldest first, 200 at
-- most. Same columns as sql/029's.
CREATE OR REPLACE FUNCTION sla_breaching(p_tenant bigint)
RETURNS TABLE (incident_id bigint, tenant_id bigint, name text, severity text, title text, opened_at timestamptz,
               late_for text, minutes_over numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    pl record;       -- read_plan() (sql/031)
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
    -- against their customer's targets, the first 200 late ones.
    RETURN QUERY EXECUTE format($q$
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
             CROSS JOIN LATERAL (SELECT e.ack_minutes, e.resolve_minutes FROM sla_targets_for(ARRAY[i.tenant_id]) e
                                  WHERE e.severity = i.severity) e
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
         LIMIT 200 $q$, src)
        USING pl.tids, t.root_id, t.id, sc, ex;
END $$;
