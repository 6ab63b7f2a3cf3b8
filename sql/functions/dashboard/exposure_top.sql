-- The 15 companies with the highest exposure below p_tenant that the
-- viewer may see (none when they may not see p_tenant), as the at-risk
-- list of dashboard_overview() walks risk: the tree's companies below a
-- root, the parent's below an MSP, each checked for visibility on the way.
CREATE OR REPLACE FUNCTION exposure_top(p_tenant bigint)
RETURNS TABLE (id bigint, name text, exposure bigint, risk bigint, vuln_critical bigint, vuln_high bigint,
               vuln_medium bigint, vuln_low bigint, incidents_open bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    -- (The tree's companies below a root, the parent's below an MSP: each
    -- through its own index, hence the column named in the statement.)
    RETURN QUERY EXECUTE format($q$
        SELECT x.tenant_id, x.name, x.exposure, x.risk, x.vuln_critical, x.vuln_high, x.vuln_medium, x.vuln_low,
               x.incidents_open
          FROM tenant_stats x
          JOIN LATERAL (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.status = 'active'
                           AND scope_sees(c.ancestors, c.id, $2, $3) OFFSET 0) v ON true
         WHERE x.%I = $1 AND x.exposure > 0 AND x.is_company
         ORDER BY x.exposure DESC, x.name, x.tenant_id LIMIT 15$q$,
        CASE WHEN t.parent_id IS NULL THEN 'root_id' ELSE 'parent_id' END) USING t.id, sc, ex;
END $$;
REVOKE ALL ON FUNCTION exposure_top(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION exposure_top(bigint) TO portal_app;
