-- Use a reset link: set the new password hash, spend this link and every
-- other open link of the account, end all its sessions and forgive its
-- failed sign-ins. NULL when the link is unknown, used or expired (a
-- concurrent second use waits on the row lock and then finds it used).
CREATE OR REPLACE FUNCTION auth_reset_complete(p_token text, p_password_hash text, p_ip text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    uid bigint;
    mail text;
BEGIN
    IF p_password_hash !~ '^scrypt\$' THEN
        RAISE EXCEPTION 'not a password hash' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE password_resets SET used_at = now()
     WHERE token_hash = token_digest(p_token) AND purpose = 'reset' AND used_at IS NULL AND expires_at > now()
    RETURNING password_resets.user_id INTO uid;
    IF uid IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE users SET password_hash = p_password_hash, password_changed_at = now()
     WHERE id = uid AND status = 'active' RETURNING email INTO mail;
    IF mail IS NULL THEN
        RETURN NULL;  -- disabled meanwhile: the link is spent, nothing else changes
    END IF;
    UPDATE password_resets SET used_at = now() WHERE user_id = uid AND used_at IS NULL;
    DELETE FROM sessions WHERE user_id = uid;
    DELETE FROM login_failures WHERE email = lower(mail);
    PERFORM audit_account(uid, 'auth.reset_done', p_ip, jsonb_build_object('email', mail));
    RETURN uid;
END $$;
REVOKE ALL ON FUNCTION auth_reset_complete(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_reset_complete(text, text, text) TO portal_app;
