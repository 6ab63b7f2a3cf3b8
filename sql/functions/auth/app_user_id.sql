-- requires: identity_of, identity_stamp
-- The user app_identify() found for the token the transaction still
-- carries (app.token; identity_keep()); NULL without one. On a hot standby
-- (the read replica), where app_identify() can keep nothing, the token's
-- user now (identity_of()).
CREATE OR REPLACE FUNCTION app_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    who bigint;
BEGIN
    IF to_regclass('pg_temp.app_identity_stamp') IS NULL THEN
        IF pg_is_in_recovery() THEN
            RETURN identity_of(current_setting('app.token', true));
        END IF;
        RETURN NULL;
    END IF;
    IF pg_sequence_last_value('pg_temp.app_identity_stamp')
       IS DISTINCT FROM identity_stamp(current_setting('app.token', true)) THEN
        RETURN NULL;
    END IF;
    who := pg_sequence_last_value('pg_temp.app_identity_who');
    RETURN CASE WHEN who > 0 THEN who END;
END $$;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_app;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_mailer;
