-- How many MSSPs, MSPs and companies the viewer may open (the home page's tiles;
-- tenant_picks() lists them). For one top tenant (tenant_pick_top()), its
-- rollup (tenant_stats, kept on write); for anyone else, who sees few,
-- counted with the rule itself.
-- requires: app_scope, app_exact, scope_sees, tenant_pick_top
CREATE OR REPLACE FUNCTION tenant_pick_counts() RETURNS TABLE (mssps bigint, msps bigint, companies bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    top tenants%ROWTYPE := tenant_pick_top(sc, ex);
BEGIN
    IF top.id IS NOT NULL THEN
        RETURN QUERY
        SELECT CASE top.kind WHEN 'mssp' THEN 1 ELSE 0 END::bigint,
               CASE top.kind WHEN 'mssp' THEN coalesce(s.msps, 0) WHEN 'msp' THEN 1 ELSE 0 END,
               CASE top.kind WHEN 'company' THEN 1 ELSE coalesce(s.companies, 0) END
          FROM (SELECT 1) o LEFT JOIN tenant_stats s ON s.tenant_id = top.id;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT count(*) FILTER (WHERE t.kind = 'mssp'), count(*) FILTER (WHERE t.kind = 'msp'), count(*) FILTER (WHERE t.kind = 'company')
      FROM tenants t
     WHERE t.status = 'active' AND (t.ancestors && sc OR t.id = ANY (ex));
END $$;
REVOKE ALL ON FUNCTION tenant_pick_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_pick_counts() TO portal_app;
