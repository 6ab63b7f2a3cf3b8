-- The tenant of the API key api_key_auth() found for the key the
-- transaction still carries (app.api_key); NULL without one.
CREATE OR REPLACE FUNCTION app_api_tenant() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF to_regclass('pg_temp.app_identity') IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT i.api_tenant FROM pg_temp.app_identity i
             WHERE i.at = now() AND i.token = current_setting('app.api_key', true));
END $$;
REVOKE ALL ON FUNCTION app_api_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_api_tenant() TO portal_app;
