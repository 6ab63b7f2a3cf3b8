-- Sign in: p_key is the setting auth_login_begin() gave with the derived
-- key after it (the form of a stored hash). outcome: 'ok' (token: the new
-- session's; device: the cookie to keep), 'wrong' or 'locked' (retry,
-- scope). Compared as digests, so the time taken tells nothing of how
-- much matched.
CREATE OR REPLACE FUNCTION auth_login(p_email text, p_key text, p_ip text, p_ua text, p_device text, p_max_seconds int)
RETURNS TABLE (outcome text, retry_seconds int, scope text, user_id bigint, token text, device text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    mail text := left(lower(btrim(p_email)), 320);
    g record;
    u users%ROWTYPE;
BEGIN
    SELECT * INTO u FROM users x WHERE lower(x.email) = mail;
    IF FOUND THEN
        -- One attempt at a time per account, so the gate and the count agree.
        PERFORM 1 FROM users x WHERE x.id = u.id FOR UPDATE;
    END IF;
    SELECT * INTO g FROM login_gate(mail, p_ip, p_device);
    IF g.locked THEN
        PERFORM login_locked_audit(u.id, p_email, p_ip, g.scope, g.retry_seconds, true);
        RETURN QUERY SELECT 'locked'::text, g.retry_seconds, g.scope, NULL::bigint, NULL::text, NULL::text;
        RETURN;
    END IF;
    IF u.id IS NULL OR u.status <> 'active' OR u.password_hash IS NULL OR p_key IS NULL
       OR sha256(convert_to(u.password_hash, 'UTF8')) <> sha256(convert_to(p_key, 'UTF8')) THEN
        SELECT * INTO g FROM login_failed(u.id, p_email, p_ip, p_device, 'auth.login_failed');
        RETURN QUERY SELECT CASE WHEN g.locked THEN 'wrong_locked' ELSE 'wrong' END, g.retry_seconds, g.scope,
                            NULL::bigint, NULL::text, NULL::text;
        RETURN;
    END IF;
    device := login_remember(u.id, mail, p_ip, p_device);
    token := session_open(u.id, p_ip, p_ua, p_max_seconds);
    PERFORM audit_account(u.id, 'auth.login', p_ip, jsonb_build_object('email', btrim(p_email)));
    outcome := 'ok';
    retry_seconds := 0;
    user_id := u.id;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION auth_login(text, text, text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_login(text, text, text, text, text, int) TO portal_app;
