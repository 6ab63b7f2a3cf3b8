-- Whether the viewer sees one tenant: the rule of visible_tenant_ids()
-- (scope_sees() with app_scope() and app_exact()) for the one tenant, a
-- primary-key probe. A function that asks this of the tenant it was given
-- calls it instead of building the viewer's whole visible set, which for
-- an MSSP's people is every tenant of the tree (20,000 at L: 13-19 ms a
-- statement; docs/performance.md, "Session 36").
-- requires: app_scope, app_exact, scope_sees
CREATE OR REPLACE FUNCTION tenant_visible(p_tenant bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM tenants t
                    WHERE t.id = p_tenant AND scope_sees(t.ancestors, t.id, app_scope(), app_exact()));
END $$;
REVOKE ALL ON FUNCTION tenant_visible(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_visible(bigint) TO portal_app;
