-- Threat correlation: indicators seen in incidents of two
-- or more customers within a window.
--
-- Counted within the tree of the tenant being viewed (its MSSP, or its
-- standalone MSP): nothing about other providers' customers is ever
-- revealed. Inside the tree the viewer gets the number of customers and the
-- names of those they may see; the rest are only counted ("and N others
-- you cannot see"). Cost: the tree's indicators of the window (its
-- rollups, indicator_hourly and indicator_customers), not the history; for
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
    cands bigint[];       -- else the customers they see, if at most 200
    since timestamptz := date_trunc('hour', now(), 'UTC') - make_interval(days => least(greatest(p_days, 1), 90));
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    SELECT * INTO r FROM tenants WHERE tenants.id = t.root_id;
    whole := r.ancestors && sc;
    IF NOT whole THEN
        cands := ARRAY(SELECT c.id FROM tenants c WHERE c.root_id = r.id AND c.kind = 'company'
                                                   AND scope_sees(c.ancestors, c.id, sc, ex) LIMIT 201);
        IF cardinality(cands) > 200 THEN
            cands := NULL;
        END IF;
    END IF;
    RETURN QUERY
    -- The viewer's own customers' incidents of the window, by indicator,
    -- read once (for a partial view only): not once per indicator of the
    -- tree, each time every customer the viewer sees (430-1,200 ms for an
    -- MSP's owner at L; docs/performance.md, "Session 37").
    WITH mine AS MATERIALIZED (
        SELECT i.indicator, count(*)::bigint AS incidents, min(i.opened_at) AS first_at, max(i.opened_at) AS last_at
          FROM incidents i JOIN tenants c ON c.id = i.tenant_id
         WHERE NOT whole AND i.indicator IS NOT NULL AND i.opened_at >= since AND c.root_id = r.id
           AND c.kind = 'company' AND scope_sees(c.ancestors, c.id, sc, ex)
         GROUP BY i.indicator)
    SELECT w.indicator, w.kind,
           CASE WHEN whole THEN w.customers
                ELSE v.visible + CASE WHEN w.customers - v.visible >= 3 THEN w.customers - v.visible ELSE 0 END END,
           CASE WHEN whole THEN w.incidents ELSE coalesce(s.incidents, 0) END,
           CASE WHEN whole THEN w.first_at ELSE s.first_at END,
           CASE WHEN whole THEN w.last_at ELSE s.last_at END,
           v.visible, v.names,
           CASE WHEN whole OR w.customers - v.visible < 3 THEN 0 ELSE w.customers - v.visible END
      FROM (SELECT h.indicator, min(h.kind) AS kind, sum(h.incidents)::bigint AS incidents, min(h.first_at) AS first_at,
                   max(h.last_at) AS last_at,
                   (SELECT count(*) FROM indicator_customers x
                     WHERE x.root_id = r.id AND x.indicator = h.indicator AND x.last_at >= since) AS customers
              FROM indicator_hourly h
             WHERE h.root_id = r.id AND h.hour >= since
             GROUP BY h.indicator
            OFFSET 0) w  -- (each indicator's customers counted once, not at each use)
      CROSS JOIN LATERAL (
            -- A few customers seen: looked up one by one; else each
            -- customer of the window is checked.
            SELECT CASE WHEN whole THEN w.customers
                        WHEN cands IS NOT NULL THEN
                            (SELECT count(*) FROM indicator_customers x
                              WHERE x.root_id = r.id AND x.indicator = w.indicator AND x.tenant_id = ANY (cands)
                                AND x.last_at >= since)
                        ELSE (SELECT count(*) FROM indicator_customers x JOIN tenants c ON c.id = x.tenant_id
                               WHERE x.root_id = r.id AND x.indicator = w.indicator AND x.last_at >= since
                                 AND scope_sees(c.ancestors, c.id, sc, ex)) END AS visible,
                   CASE WHEN cands IS NOT NULL THEN
                            ARRAY(SELECT c.name FROM indicator_customers x JOIN tenants c ON c.id = x.tenant_id
                                   WHERE x.root_id = r.id AND x.indicator = w.indicator AND x.tenant_id = ANY (cands)
                                     AND x.last_at >= since
                                   ORDER BY x.last_at DESC, x.tenant_id DESC LIMIT 10)
                        ELSE ARRAY(SELECT c.name FROM indicator_customers x JOIN tenants c ON c.id = x.tenant_id
                                    WHERE x.root_id = r.id AND x.indicator = w.indicator AND x.last_at >= since
                                      AND (whole OR scope_sees(c.ancestors, c.id, sc, ex))
                                    ORDER BY x.last_at DESC, x.tenant_id DESC LIMIT 10) END AS names
             OFFSET 0) v  -- (once a row, not at each use)
      -- What the viewer's own customers saw of it (only for a partial view).
      LEFT JOIN mine s ON s.indicator = w.indicator
     WHERE w.customers >= 2 AND v.visible > 0
       AND (whole OR v.visible >= 2 OR w.customers - v.visible >= 3)
     ORDER BY 3 DESC, 6 DESC, w.indicator
     LIMIT 100;
END $$;
REVOKE ALL ON FUNCTION threat_correlation(bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION threat_correlation(bigint, int) TO portal_app;
