-- The viewer's scope (the tenants of their active memberships other than
-- MSSP Analyst, an analyst's assigned tenants), with the API key's tenant from
-- app_api_tenant() and the user looked up once.
CREATE OR REPLACE FUNCTION app_scope() RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r bigint[];
    uid bigint := app_user_id();
BEGIN
    IF uid IS NULL THEN /* an API key, or no one: no memberships to read */
        r := ARRAY[app_api_tenant()];
        RETURN CASE WHEN r[1] IS NULL THEN '{}' ELSE r END;
    END IF;
    SELECT coalesce(array_agg(x), '{}') INTO r FROM (
        SELECT m.tenant_id AS x FROM memberships m
         WHERE m.user_id = uid AND m.role <> 'mssp_analyst' AND m.status = 'active'
        UNION
        SELECT a.tenant_id FROM analyst_assignments a
          JOIN tenants t ON t.id = a.tenant_id
          JOIN memberships m ON m.user_id = a.user_id AND m.tenant_id = t.root_id AND m.role = 'mssp_analyst'
                            AND m.status = 'active'
         WHERE a.user_id = uid
        UNION
        SELECT CASE WHEN uid IS NULL THEN app_api_tenant() END) s
     WHERE x IS NOT NULL;
    RETURN r;
END $$;
REVOKE ALL ON FUNCTION app_scope() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_scope() TO portal_app;
