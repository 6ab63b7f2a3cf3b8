-- The tenants the viewer is an MSSP Analyst of (seen themselves, not
-- their subtrees: scope_sees()), from their user_access row (app_scope()).
CREATE OR REPLACE FUNCTION app_exact() RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN coalesce((SELECT ARRAY(SELECT m.t FROM unnest(a.tenants, a.roles) AS m(t, role) WHERE m.role = 'mssp_analyst')
                       FROM user_access a WHERE a.user_id = app_user_id()), '{}');
END $$;
REVOKE ALL ON FUNCTION app_exact() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_exact() TO portal_app;
