-- requires: identity_stamp
-- The tenant of the API key api_key_auth() found for the key the
-- transaction still carries (app.api_key; identity_keep()); NULL without
-- one.
CREATE OR REPLACE FUNCTION app_api_tenant() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    who bigint;
BEGIN
    IF to_regclass('pg_temp.app_identity_stamp') IS NULL THEN
        RETURN NULL;
    END IF;
    IF pg_sequence_last_value('pg_temp.app_identity_stamp')
       IS DISTINCT FROM identity_stamp(current_setting('app.api_key', true)) THEN
        RETURN NULL;
    END IF;
    who := pg_sequence_last_value('pg_temp.app_identity_who');
    RETURN CASE WHEN who < 0 THEN -who END;
END $$;
REVOKE ALL ON FUNCTION app_api_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_api_tenant() TO portal_app;
