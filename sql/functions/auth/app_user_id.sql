-- requires: identity_of
-- The user app_identify() found for the token the transaction still
-- carries; NULL without one. On a hot standby (the read replica), where
-- app_identify() can keep nothing, the token's user now (identity_of()).
CREATE OR REPLACE FUNCTION app_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF to_regclass('pg_temp.app_identity') IS NULL THEN
        IF pg_is_in_recovery() THEN
            RETURN identity_of(current_setting('app.token', true));
        END IF;
        RETURN NULL;
    END IF;
    RETURN (SELECT i.user_id FROM pg_temp.app_identity i
             WHERE i.at = now() AND i.token = current_setting('app.token', true));
END $$;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_app;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_mailer;
