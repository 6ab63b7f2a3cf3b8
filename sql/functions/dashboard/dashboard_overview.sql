-- The dashboard of one tenant in one call (docs/dashboards.md): its path
-- (dashboard_ancestors()) and its board (dashboard_board(): counters, the
-- most at-risk companies, the incident series of p_hours, the top CVEs),
-- for the viewer's scope; NULL when the viewer may not see the tenant.
-- The page reads it through dashboard_page(), which serves the board kept
-- on write (dashboard_docs) when it may.
CREATE OR REPLACE FUNCTION dashboard_overview(p_tenant bigint, p_hours int) RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN NULL;
    END IF;
    RETURN dashboard_join(dashboard_ancestors(t, sc, ex), dashboard_board(t, p_hours, sc, ex)::text)::json;
END $$;
REVOKE ALL ON FUNCTION dashboard_overview(bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dashboard_overview(bigint, int) TO portal_app;
