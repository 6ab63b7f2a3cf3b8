-- Threat correlation: indicators seen in incidents of two
-- or more customers within a window.
--
-- Counted within the tree of the tenant being viewed (its MSSP, or its
-- standalone MSP): nothing about other providers' customers is ever
-- revealed. Inside the tree the viewer gets the number of customers and the
-- names of those they may see; the rest are only counted ("and N others
-- you cannot see"). Cost: the tree's hours of the window (indicator_hourly,
-- which also counts the customers), and the ten latest customers of each
-- of the 100 indicators shown (indicator_customers), not the history; for
-- a partial view, also the incidents of the window of the customers the
-- viewer sees, read once.
CREATE OR REPLACE FUNCTION threat_correlation(p_tenant bigint, p_days int)
RETURNS TABLE (indicator text, indicator_kind text, customers bigint, incidents bigint,
               first_seen timestamptz, last_seen timestamptz, visible bigint, names text[], hidden bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    r tenants%ROWTYPE;
    whole boolean;        -- the viewer sees every customer of the tree
    since timestamptz := date_trunc('hour', now(), 'UTC') - make_interval(days => least(greatest(p_days, 1), 90));
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    SELECT * INTO r FROM tenants WHERE tenants.id = t.root_id;
    whole := r.ancestors && sc;
    RETURN QUERY
    -- The viewer's own customers' incidents of the window, by indicator and
    -- customer, read once (for a partial view only): what they saw of each
    -- indicator, how many of them and which ten most recently, all from
    -- these rows. Not once per indicator of the tree, each time every
    -- customer the viewer sees (430-1,200 ms for an MSP's owner at L;
    -- docs/performance.md, "Session 37" and "Session 38").
    WITH mine AS MATERIALIZED (
        SELECT i.indicator, c.id AS tenant_id, c.name, count(*)::bigint AS incidents, min(i.opened_at) AS first_at,
               max(i.opened_at) AS last_at
          FROM incidents i JOIN tenants c ON c.id = i.tenant_id
         WHERE NOT whole AND i.indicator IS NOT NULL AND i.opened_at >= since AND c.root_id = r.id
           AND c.kind = 'company' AND scope_sees(c.ancestors, c.id, sc, ex)
         GROUP BY i.indicator, c.id, c.name),
    -- The tree's hours of the window and the viewer's customers, grouped
    -- once by indicator: no join, whose planner's guess of the viewer's
    -- indicators (a handful) made it compare every pair of rows.
    w AS (
        SELECT u.indicator, min(u.kind) AS kind,
               sum(u.incidents) FILTER (WHERE u.tenant_id IS NULL)::bigint AS incidents,
               min(u.first_at) FILTER (WHERE u.tenant_id IS NULL) AS first_at,
               max(u.last_at) FILTER (WHERE u.tenant_id IS NULL) AS last_at,
               sum(u.incidents) FILTER (WHERE u.tenant_id IS NOT NULL)::bigint AS own_incidents,
               min(u.first_at) FILTER (WHERE u.tenant_id IS NOT NULL) AS own_first_at,
               max(u.last_at) FILTER (WHERE u.tenant_id IS NOT NULL) AS own_last_at,
               count(u.tenant_id) AS own,
               (array_agg(u.name ORDER BY u.last_at DESC, u.tenant_id DESC)
                    FILTER (WHERE u.tenant_id IS NOT NULL))[1:10] AS own_names,
               -- (a customer saw it in the window if its latest sighting,
               -- which one hour counts, is in it: sql/073)
               coalesce(sum(u.customers) FILTER (WHERE u.tenant_id IS NULL), 0)::bigint AS customers
          FROM (SELECT h.indicator, h.kind, h.incidents, h.first_at, h.last_at, h.customers,
                       NULL::bigint AS tenant_id, NULL::text AS name
                  FROM indicator_hourly h
                 WHERE h.root_id = r.id AND h.hour >= since
                UNION ALL
                SELECT m.indicator, NULL, m.incidents, m.first_at, m.last_at, NULL, m.tenant_id, m.name
                  FROM mine m) u
         GROUP BY u.indicator),
    v AS (
        SELECT w.*, CASE WHEN whole THEN w.customers ELSE w.own END AS visible FROM w),
    top AS (
        SELECT v.indicator, v.kind,
               CASE WHEN whole THEN v.customers
                    ELSE v.visible + CASE WHEN v.customers - v.visible >= 3 THEN v.customers - v.visible ELSE 0 END
               END AS shown,
               CASE WHEN whole THEN v.incidents ELSE v.own_incidents END AS incidents,
               CASE WHEN whole THEN v.first_at ELSE v.own_first_at END AS first_at,
               CASE WHEN whole THEN v.last_at ELSE v.own_last_at END AS last_at,
               v.visible, v.own_names,
               CASE WHEN whole OR v.customers - v.visible < 3 THEN 0 ELSE v.customers - v.visible END AS hidden
          FROM v
         WHERE v.customers >= 2 AND v.visible > 0
           AND (whole OR v.visible >= 2 OR v.customers - v.visible >= 3)
         ORDER BY 3 DESC, 6 DESC, v.indicator
         LIMIT 100)
    -- Whoever sees the whole tree is shown its ten latest customers, read
    -- for the rows shown only.
    SELECT top.indicator, top.kind, top.shown, top.incidents, top.first_at, top.last_at, top.visible,
           CASE WHEN whole THEN
                    ARRAY(SELECT c.name FROM indicator_customers x JOIN tenants c ON c.id = x.tenant_id
                           WHERE x.root_id = r.id AND x.indicator = top.indicator AND x.last_at >= since
                           ORDER BY x.last_at DESC, x.tenant_id DESC LIMIT 10)
                ELSE top.own_names END,
           top.hidden
      FROM top
     ORDER BY 3 DESC, 6 DESC, top.indicator;
END $$;
REVOKE ALL ON FUNCTION threat_correlation(bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION threat_correlation(bigint, int) TO portal_app;
