-- visible_tenant_ids() (the set the policies
-- of the raw tables use) computed from the same scope as the tenants
-- policy and the dashboard reads (app_scope(), app_exact(),
-- scope_sees()), instead of restating the membership, analyst and API-key
-- rules a second time: one definition of who sees what.
CREATE OR REPLACE FUNCTION visible_tenant_ids() RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
BEGIN
    RETURN QUERY SELECT t.id FROM tenants t WHERE scope_sees(t.ancestors, t.id, sc, ex);
END $$;
REVOKE ALL ON FUNCTION visible_tenant_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION visible_tenant_ids() TO portal_app;
