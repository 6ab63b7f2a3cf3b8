-- "Incidents growing fastest" reads the customers of
-- the tenant on screen without a visibility test per row when the viewer
-- sees the whole subtree.
--
-- The analytics page read incident_recent (incidents_recent()) for every customer
-- below the tenant under Row-Level Security: at L, 20,000 rows with the
-- tenants policy and the rollup's EXISTS policy each, 75 ms of the MSSP's
-- 94 ms page. growth_top() applies the visibility rule itself, like
-- exposure_top(): a viewer who sees the whole subtree reads the
-- companies of the root (or of the MSP) through the tenants_companies_by_name
-- (or tenants_children_by_name) index; an MSSP Analyst on the MSSP reads the
-- visible ones. Archived companies are no longer listed.
CREATE OR REPLACE FUNCTION growth_top(p_tenant bigint)
RETURNS TABLE (id bigint, name text, this_week bigint, last_week bigint)
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
    -- (The condition picks the index: a root's companies, an MSP's, or
    -- for an MSSP Analyst on the MSSP the visible ones of the tree.)
    RETURN QUERY EXECUTE format($q$
        SELECT c.id, c.name, w.this_week, w.last_week
          FROM tenants c JOIN incident_recent r ON r.tenant_id = c.id CROSS JOIN LATERAL incident_weeks(r) w
         WHERE c.kind = 'company' AND c.status = 'active' AND %s AND w.this_week > w.last_week
         ORDER BY w.this_week - w.last_week DESC, c.name, c.id LIMIT 15$q$,
        CASE WHEN NOT t.ancestors && sc THEN 'c.ancestors @> ARRAY[$1] AND scope_sees(c.ancestors, c.id, $2, $3)'
             WHEN t.parent_id IS NULL THEN 'c.root_id = $1'
             ELSE 'c.parent_id = $1' END) USING t.id, sc, ex;
END $$;
REVOKE ALL ON FUNCTION growth_top(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION growth_top(bigint) TO portal_app;
