-- The viewer's role on a tenant (tenant_role() for the session's user),
-- in PL/pgSQL so its plan is kept per connection.
CREATE OR REPLACE FUNCTION effective_role(p_tenant bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN tenant_role(app_user_id(), p_tenant);
END $$;
REVOKE ALL ON FUNCTION effective_role(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION effective_role(bigint) TO portal_app;
