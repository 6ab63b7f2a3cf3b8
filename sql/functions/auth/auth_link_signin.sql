-- Use a sign-in link: a session for its account (no throttle: the link
-- proves the mailbox), the device and address remembered. No row: the
-- link is unknown, used or expired.
CREATE OR REPLACE FUNCTION auth_link_signin(p_token text, p_ip text, p_ua text, p_device text, p_max_seconds int)
RETURNS TABLE (user_id bigint, token text, device text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    uid bigint;
    mail text;
BEGIN
    UPDATE password_resets r SET used_at = now()
     WHERE r.token_hash = token_digest(p_token) AND r.purpose = 'signin' AND r.used_at IS NULL
       AND r.expires_at > now()
    RETURNING r.user_id INTO uid;
    SELECT u.email INTO mail FROM users u WHERE u.id = uid AND u.status = 'active';
    IF mail IS NULL THEN
        RETURN;
    END IF;
    user_id := uid;
    device := login_remember(uid, lower(mail), p_ip, p_device);
    token := session_open(uid, p_ip, p_ua, p_max_seconds);
    PERFORM audit_account(uid, 'auth.login', p_ip, jsonb_build_object('email', mail, 'by', 'link'));
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION auth_link_signin(text, text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_link_signin(text, text, text, text, int) TO portal_app;
