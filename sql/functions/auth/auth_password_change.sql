-- Change the signed-in user's password; end every other session of theirs
-- (the one whose hash is p_keep_session stays) and spend open reset links.
-- Returns the number of sessions ended; NULL without an identity.
CREATE OR REPLACE FUNCTION auth_password_change(p_password_hash text, p_keep_session text)
RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    uid bigint := app_user_id();
    n int;
BEGIN
    IF p_password_hash !~ '^scrypt\$' THEN
        RAISE EXCEPTION 'not a password hash' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE users SET password_hash = p_password_hash, password_changed_at = now()
     WHERE id = uid AND status = 'active';
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE password_resets SET used_at = now() WHERE user_id = uid AND used_at IS NULL;
    DELETE FROM sessions WHERE user_id = uid AND token_hash <> coalesce(p_keep_session, '');
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION auth_password_change(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_password_change(text, text) TO portal_app;
