
CREATE OR REPLACE FUNCTION app_exact() RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r bigint[];
BEGIN
    SELECT coalesce(array_agg(m.tenant_id), '{}') INTO r FROM memberships m
     WHERE m.user_id = app_user_id() AND m.role = 'mssp_analyst' AND m.status = 'active';
    RETURN r;
END $$;
REVOKE ALL ON FUNCTION app_exact() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_exact() TO portal_app;
