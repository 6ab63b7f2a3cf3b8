-- Ask for a link for the active account with that email, unless it had
-- p_max of this purpose in the last hour. No row: no such account.
-- created = false: limited, nothing stored. link_id is for
-- auth_link_mail() in the same transaction; brand_tenant the tenant whose
-- brand the account's email wears. The audit row is written here.
CREATE OR REPLACE FUNCTION auth_link_request(p_purpose text, p_email text, p_ip text, p_lifetime int, p_max int)
RETURNS TABLE (link_id bigint, email text, name text, brand_tenant bigint, created boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    u users%ROWTYPE;
    n int;
    t text;
    id bigint;
    action text := CASE p_purpose WHEN 'reset' THEN 'auth.reset_requested' ELSE 'auth.signin_link_requested' END;
BEGIN
    IF p_purpose NOT IN ('reset', 'signin') THEN
        RAISE EXCEPTION 'auth_link_request: unknown purpose' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO u FROM users x WHERE lower(x.email) = lower(btrim(p_email)) AND x.status = 'active';
    IF NOT FOUND THEN
        PERFORM audit_account(NULL, action, p_ip,
                              jsonb_build_object('email', btrim(p_email), 'sent', false, 'rate_limited', false));
        RETURN;
    END IF;
    PERFORM 1 FROM users x WHERE x.id = u.id FOR UPDATE;
    SELECT count(*) INTO n FROM password_resets r
     WHERE r.user_id = u.id AND r.purpose = p_purpose AND r.created_at > now() - interval '1 hour';
    IF n >= least(p_max, 10) THEN
        PERFORM audit_account(u.id, action, p_ip,
                              jsonb_build_object('email', btrim(p_email), 'sent', false, 'rate_limited', true));
        RETURN QUERY SELECT NULL::bigint, u.email, u.name, account_mail_tenant(u.id), false;
        RETURN;
    END IF;
    DELETE FROM password_resets r WHERE r.user_id = u.id AND r.expires_at < now() - interval '1 day';
    t := random_token();
    INSERT INTO password_resets (token_hash, user_id, expires_at, ip, purpose, token_pending)
    VALUES (token_digest(t), u.id, now() + make_interval(secs => least(greatest(p_lifetime, 60), 3600)),
            left(p_ip, 64), p_purpose, t)
    RETURNING password_resets.id INTO id;
    PERFORM audit_account(u.id, action, p_ip,
                          jsonb_build_object('email', btrim(p_email), 'sent', true, 'rate_limited', false));
    RETURN QUERY SELECT id, u.email, u.name, account_mail_tenant(u.id), true;
END $$;
REVOKE ALL ON FUNCTION auth_link_request(text, text, text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_link_request(text, text, text, int, int) TO portal_app;
