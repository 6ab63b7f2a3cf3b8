-- The signed-in user's current password, checked like a sign-in (a stolen
-- session must not become a way to guess it): 'ok', 'wrong', 'locked'.
CREATE OR REPLACE FUNCTION auth_password_check(p_key text, p_ip text, p_device text)
RETURNS TABLE (outcome text, retry_seconds int, scope text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    u users%ROWTYPE;
    g record;
BEGIN
    SELECT * INTO u FROM users x WHERE x.id = app_user_id() AND x.status = 'active' FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO g FROM login_gate(u.email, p_ip, p_device);
    IF g.locked THEN
        RETURN QUERY SELECT 'locked'::text, g.retry_seconds, g.scope;
        RETURN;
    END IF;
    IF u.password_hash IS NULL OR p_key IS NULL
       OR sha256(convert_to(u.password_hash, 'UTF8')) <> sha256(convert_to(p_key, 'UTF8')) THEN
        SELECT * INTO g FROM login_failed(u.id, u.email, p_ip, p_device, 'auth.password_change_failed');
        RETURN QUERY SELECT CASE WHEN g.locked THEN 'wrong_locked' ELSE 'wrong' END, g.retry_seconds, g.scope;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'ok'::text, 0, NULL::text;
END $$;
REVOKE ALL ON FUNCTION auth_password_check(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_password_check(text, text, text) TO portal_app;
