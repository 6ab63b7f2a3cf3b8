-- The p_limit companies with the highest risk below p_tenant that the
-- viewer may see (none when they may not see p_tenant), as the at-risk
-- list of dashboard_overview() walks them (risk, then name, then id; a
-- company with risk 0 is not listed; an archived one neither), and on
-- every row the rest: how many other visible companies have a risk above
-- 0, their total and highest risk. The top is read from tenant_stats' risk
-- index (below a root or a parent), each company's status checked as it
-- comes.
-- A viewer who sees p_tenant's whole subtree (everyone but an MSSP Analyst
-- on the MSSP): the rest is every company at risk below, counted and
-- summed from the risk index alone, less the archived ones (found by
-- tenants_inactive, sql/085: a tree has few) and less the top; its highest
-- the next company after the top. Its cost grows with the companies
-- listed, not with the tree: at L, an MSSP's 20,000 companies read and
-- joined with their tenants took 28 ms, now 2.4 (8 the first time)
-- (docs/performance.md, "Session 47").
-- Any other viewer: every company at risk below, each checked for
-- visibility (scope_sees()).
CREATE OR REPLACE FUNCTION risk_top(p_tenant bigint, p_limit int)
RETURNS TABLE (id bigint, name text, risk bigint, incidents_open bigint, incidents_open_critical bigint,
               vuln_critical bigint, rest_count bigint, rest_risk bigint, rest_max bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    lim int := greatest(least(p_limit, 50), 1);
    below text;  -- the column of tenant_stats naming the tenant's companies
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    below := CASE WHEN t.parent_id IS NULL THEN 'root_id' ELSE 'parent_id' END;
    IF t.ancestors && sc THEN
        RETURN QUERY EXECUTE format($q$
            WITH top AS MATERIALIZED (
                SELECT x.tenant_id, x.name, x.risk, x.incidents_open, x.incidents_open_critical, x.vuln_critical
                  FROM tenant_stats x JOIN tenants c ON c.id = x.tenant_id AND c.status = 'active'
                 WHERE x.%1$I = $1 AND x.risk > 0 AND x.is_company
                 ORDER BY x.risk DESC, x.name, x.tenant_id LIMIT $2 + 1
            ), shown AS MATERIALIZED (
                SELECT * FROM top ORDER BY top.risk DESC, top.name, top.tenant_id LIMIT $2
            ), every AS (
                SELECT count(*) AS n, coalesce(sum(x.risk), 0)::bigint AS r
                  FROM tenant_stats x WHERE x.%1$I = $1 AND x.risk > 0 AND x.is_company
            ), gone AS (
                SELECT count(*) AS n, coalesce(sum(x.risk), 0)::bigint AS r
                  FROM tenants c JOIN tenant_stats x ON x.tenant_id = c.id
                 WHERE c.root_id = $3 AND c.status <> 'active' AND x.%1$I = $1 AND x.risk > 0 AND x.is_company
            ), listed AS (
                SELECT count(*) AS n, coalesce(sum(s.risk), 0)::bigint AS r FROM shown s
            )
            SELECT s.tenant_id, s.name, s.risk, s.incidents_open, s.incidents_open_critical, s.vuln_critical,
                   every.n - gone.n - listed.n, every.r - gone.r - listed.r,
                   coalesce((SELECT top.risk FROM top ORDER BY top.risk DESC, top.name, top.tenant_id
                              OFFSET $2 LIMIT 1), 0)
              FROM shown s CROSS JOIN every CROSS JOIN gone CROSS JOIN listed
             ORDER BY s.risk DESC, s.name, s.tenant_id$q$, below) USING t.id, lim, t.root_id;
        RETURN;
    END IF;
    RETURN QUERY EXECUTE format($q$
        WITH seen AS (
            SELECT x.tenant_id, x.name, x.risk, x.incidents_open, x.incidents_open_critical, x.vuln_critical
              FROM tenant_stats x
              JOIN tenants c ON c.id = x.tenant_id AND c.status = 'active' AND scope_sees(c.ancestors, c.id, $2, $3)
             WHERE x.%I = $1 AND x.risk > 0 AND x.is_company
        ), top AS MATERIALIZED (
            SELECT * FROM seen s ORDER BY s.risk DESC, s.name, s.tenant_id LIMIT $4
        ), rest AS (
            SELECT count(*) AS n, coalesce(sum(s.risk), 0)::bigint AS r, coalesce(max(s.risk), 0) AS m
              FROM seen s WHERE s.tenant_id NOT IN (SELECT top.tenant_id FROM top)
        )
        SELECT top.tenant_id, top.name, top.risk, top.incidents_open, top.incidents_open_critical, top.vuln_critical,
               rest.n, rest.r, rest.m
          FROM top CROSS JOIN rest
         ORDER BY top.risk DESC, top.name, top.tenant_id$q$, below) USING t.id, sc, ex, lim;
END $$;
REVOKE ALL ON FUNCTION risk_top(bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION risk_top(bigint, int) TO portal_app;
