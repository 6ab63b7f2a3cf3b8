-- The user app_identify() found for the token the transaction still
-- carries; NULL without one.
CREATE OR REPLACE FUNCTION app_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF to_regclass('pg_temp.app_identity') IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT i.user_id FROM pg_temp.app_identity i
             WHERE i.at = now() AND i.token = current_setting('app.token', true));
END $$;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_app;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_mailer;
