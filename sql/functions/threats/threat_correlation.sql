-- Threat correlation: indicators seen in incidents of two
-- or more customers within a window, one page of them in the order asked.
--
-- Counted within the tree of the tenant being viewed (its MSSP, or its
-- standalone MSP): nothing about other providers' customers is ever
-- revealed. Inside the tree the viewer gets the number of customers and the
-- names of those they may see; the rest are only counted ("and N others
-- you cannot see"). Cost: the tree's hours of the window (indicator_hourly,
-- which also counts the customers), and the ten latest customers of each
-- indicator on the page (indicator_customers), not the history; for a
-- partial view, also the incidents of the window of the customers the
-- viewer sees, read once.
--
-- p_sort: customers (the default order: most customers, then the latest
-- seen, then the indicator), incidents, first_seen, last_seen, indicator
-- or kind; p_dir asc or desc; ties in the default order. Every row says
-- how many indicators are listed in all (total), and which customers it
-- names (ids, in the order of names: the page links each to its latest
-- incident with the indicator, threat_latest_incident(); NULL for an
-- archived customer, which is named and counted but whose pages are not
-- found, as in the lists: docs/dashboards.md, "Definitions").
CREATE OR REPLACE FUNCTION threat_correlation(p_tenant bigint, p_days int, p_sort text, p_dir text, p_limit int,
                                              p_offset int)
RETURNS TABLE (indicator text, indicator_kind text, customers bigint, incidents bigint,
               first_seen timestamptz, last_seen timestamptz, visible bigint, names text[], ids bigint[], hidden bigint,
               total bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    r tenants%ROWTYPE;
    whole boolean;        -- the viewer sees every customer of the tree
    since timestamptz := date_trunc('hour', now(), 'UTC') - make_interval(days => least(greatest(p_days, 1), 90));
BEGIN
    IF p_sort IS NULL OR p_sort NOT IN ('customers', 'incidents', 'first_seen', 'last_seen', 'indicator', 'kind')
       OR p_dir IS NULL OR p_dir NOT IN ('asc', 'desc') THEN
        RAISE EXCEPTION 'threat_correlation: unknown order % %', p_sort, p_dir USING ERRCODE = '22023';
    END IF;
    IF p_limit < 0 OR p_offset < 0 THEN
        RAISE EXCEPTION 'threat_correlation: negative limit or offset' USING ERRCODE = '2201W';
    END IF;
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
        SELECT i.indicator, c.id AS tenant_id, c.name, CASE WHEN c.status = 'active' THEN c.id END AS link_id,
               count(*)::bigint AS incidents, min(i.opened_at) AS first_at, max(i.opened_at) AS last_at
          FROM incidents i JOIN tenants c ON c.id = i.tenant_id
         WHERE NOT whole AND i.indicator IS NOT NULL AND i.opened_at >= since AND c.root_id = r.id
           AND c.kind = 'company' AND scope_sees(c.ancestors, c.id, sc, ex)
         GROUP BY i.indicator, c.id, c.name, c.status),
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
               (array_agg(u.link_id ORDER BY u.last_at DESC, u.tenant_id DESC)
                    FILTER (WHERE u.tenant_id IS NOT NULL))[1:10] AS own_ids,
               -- (a customer saw it in the window if its latest sighting,
               -- which one hour counts, is in it: sql/073)
               coalesce(sum(u.customers) FILTER (WHERE u.tenant_id IS NULL), 0)::bigint AS customers
          FROM (SELECT h.indicator, h.kind, h.incidents, h.first_at, h.last_at, h.customers,
                       NULL::bigint AS tenant_id, NULL::text AS name, NULL::bigint AS link_id
                  FROM indicator_hourly h
                 WHERE h.root_id = r.id AND h.hour >= since
                UNION ALL
                SELECT m.indicator, NULL, m.incidents, m.first_at, m.last_at, NULL, m.tenant_id, m.name, m.link_id
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
               v.visible, v.own_names, v.own_ids,
               CASE WHEN whole OR v.customers - v.visible < 3 THEN 0 ELSE v.customers - v.visible END AS hidden
          FROM v
         WHERE v.customers >= 2 AND v.visible > 0
           AND (whole OR v.visible >= 2 OR v.customers - v.visible >= 3)),
    -- The page, in the order asked (one CASE per type of key: the
    -- others are NULL, equal on every row), ties in the default order.
    page AS (
        SELECT o.*
          FROM (SELECT top.*, count(*) OVER () AS total,
                       row_number() OVER (ORDER BY
                           CASE WHEN p_dir = 'asc' THEN CASE p_sort WHEN 'customers' THEN top.shown
                                                                     WHEN 'incidents' THEN top.incidents END END,
                           CASE WHEN p_dir = 'desc' THEN CASE p_sort WHEN 'customers' THEN top.shown
                                                                      WHEN 'incidents' THEN top.incidents END END DESC,
                           CASE WHEN p_dir = 'asc' THEN CASE p_sort WHEN 'first_seen' THEN top.first_at
                                                                     WHEN 'last_seen' THEN top.last_at END END,
                           CASE WHEN p_dir = 'desc' THEN CASE p_sort WHEN 'first_seen' THEN top.first_at
                                                                      WHEN 'last_seen' THEN top.last_at END END DESC,
                           CASE WHEN p_dir = 'asc' THEN CASE p_sort WHEN 'indicator' THEN top.indicator
                                                                     WHEN 'kind' THEN top.kind END END,
                           CASE WHEN p_dir = 'desc' THEN CASE p_sort WHEN 'indicator' THEN top.indicator
                                                                      WHEN 'kind' THEN top.kind END END DESC,
                           top.shown DESC, top.last_at DESC, top.indicator) AS n
                  FROM top) o
         ORDER BY o.n LIMIT p_limit OFFSET p_offset),
    -- Whoever sees the whole tree is shown its ten latest customers, read
    -- for the rows of the page only; a partial viewer their own.
    named AS (
        SELECT page.*, n.names, n.ids
          FROM page CROSS JOIN LATERAL (
                SELECT CASE WHEN whole THEN array_agg(y.name ORDER BY y.last_at DESC, y.tenant_id DESC)
                            ELSE page.own_names END AS names,
                       CASE WHEN whole THEN array_agg(CASE WHEN y.status = 'active' THEN y.tenant_id END
                                                      ORDER BY y.last_at DESC, y.tenant_id DESC)
                            ELSE page.own_ids END AS ids
                  FROM (SELECT x.tenant_id, x.last_at, c.name, c.status
                          FROM indicator_customers x JOIN tenants c ON c.id = x.tenant_id
                         WHERE whole AND x.root_id = r.id AND x.indicator = page.indicator AND x.last_at >= since
                         ORDER BY x.last_at DESC, x.tenant_id DESC LIMIT 10) y) n)
    SELECT named.indicator, named.kind, named.shown, named.incidents, named.first_at, named.last_at, named.visible,
           coalesce(named.names, '{}'), coalesce(named.ids, '{}'), named.hidden, named.total
      FROM named
     ORDER BY named.n;
END $$;
REVOKE ALL ON FUNCTION threat_correlation(bigint, int, text, text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION threat_correlation(bigint, int, text, text, int, int) TO portal_app;
