-- requires: identity_kept, identity_of
-- The user app_identify() found for the token the transaction still
-- carries (app.token; identity_keep()); NULL without one. On a hot standby
-- (the read replica), where app_identify() can keep nothing, the token's
-- user now (identity_of()). PL/pgSQL, not SQL: pg_is_in_recovery() is
-- volatile, so a SQL body would not be inlined, and a SQL function that is
-- not inlined costs twice as much a call.
CREATE OR REPLACE FUNCTION app_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    who bigint := identity_kept(current_setting('app.token', true));
BEGIN
    IF who IS NULL AND pg_is_in_recovery() THEN
        RETURN identity_of(current_setting('app.token', true));
    END IF;
    RETURN CASE WHEN who > 0 THEN who END;
END $$;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_app;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_mailer;
