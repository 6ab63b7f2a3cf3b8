-- Same bodies as before (004, 010), in PL/pgSQL so their plans are kept.
CREATE OR REPLACE FUNCTION effective_role(p_tenant bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN tenant_role(app_user_id(), p_tenant);
END $$;
REVOKE ALL ON FUNCTION effective_role(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION effective_role(bigint) TO portal_app;
