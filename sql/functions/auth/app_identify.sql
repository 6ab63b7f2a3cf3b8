-- requires: identity_keep, identity_of
-- The transaction is the session whose token this is (app.token): its
-- user while the session is unexpired and the account active, else nobody.
CREATE OR REPLACE FUNCTION app_identify(p_token text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    uid bigint;
BEGIN
    PERFORM set_config('app.token', coalesce(p_token, ''), true);
    uid := identity_of(p_token);
    PERFORM identity_keep(coalesce(p_token, ''), uid, NULL);
    RETURN uid;
END $$;
REVOKE ALL ON FUNCTION app_identify(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_identify(text) TO portal_app;
