-- The tenants the viewer is an MSSP Analyst of (seen themselves, not
-- their subtrees: scope_sees()), from their user_access row (app_scope()).
CREATE OR REPLACE FUNCTION app_exact() RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    a user_access%ROWTYPE;
BEGIN
    SELECT * INTO a FROM user_access x WHERE x.user_id = app_user_id();
    -- none without a row or an MSSP Analyst membership (most viewers),
    -- without a statement to find none (9 -> 7 us a call)
    IF NOT FOUND OR NOT 'mssp_analyst' = ANY (a.roles) THEN
        RETURN '{}';
    END IF;
    RETURN ARRAY(SELECT m.t FROM unnest(a.tenants, a.roles) AS m(t, role) WHERE m.role = 'mssp_analyst');
END $$;
REVOKE ALL ON FUNCTION app_exact() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_exact() TO portal_app;
