-- 002_auth.sql - sign-in and sessions, through SECURITY DEFINER functions
-- so the app role never reads users or sessions directly.

-- The password hash of an active account, for verification in the worker.
CREATE FUNCTION auth_login_lookup(p_email text)
RETURNS TABLE (user_id bigint, password_hash text, status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id, password_hash, status FROM users WHERE lower(email) = lower(btrim(p_email))
$$;

-- A new session for a verified user; the token itself never reaches the
-- database, only its SHA-256.
CREATE FUNCTION auth_session_create(p_token_hash text, p_user bigint, p_ip text, p_ua text, p_max_seconds int)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM sessions WHERE user_id = p_user AND expires_at < now();
    INSERT INTO sessions (token_hash, user_id, expires_at, ip, user_agent)
    VALUES (p_token_hash, p_user, now() + make_interval(secs => p_max_seconds), left(p_ip, 64), left(p_ua, 256));
$$;

-- The signed-in user for a session token hash, if the session is neither
-- idle longer than p_idle seconds nor past its absolute expiry. Touches
-- last_seen_at at most once a minute to keep reads cheap.
CREATE FUNCTION auth_session_lookup(p_token_hash text, p_idle int)
RETURNS TABLE (session_id bigint, user_id bigint, email text, name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    s sessions%ROWTYPE;
BEGIN
    SELECT * INTO s FROM sessions WHERE token_hash = p_token_hash;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF s.expires_at < now() OR s.last_seen_at < now() - make_interval(secs => p_idle) THEN
        DELETE FROM sessions WHERE id = s.id;
        RETURN;
    END IF;
    IF s.last_seen_at < now() - interval '60 seconds' THEN
        UPDATE sessions SET last_seen_at = now() WHERE id = s.id;
    END IF;
    RETURN QUERY SELECT s.id, u.id, u.email, u.name FROM users u WHERE u.id = s.user_id AND u.status = 'active';
END $$;

CREATE FUNCTION auth_session_end(p_token_hash text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM sessions WHERE token_hash = p_token_hash;
$$;

-- Audit rows written before an identity exists (sign-in, failures).
CREATE FUNCTION audit_anonymous(p_user bigint, p_action text, p_ip text, p_details jsonb)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO audit_log (user_id, action, ip, details) VALUES (p_user, p_action, left(p_ip, 64), p_details);
$$;

-- The memberships of the current user with their tenants, for the header.
CREATE FUNCTION my_memberships()
RETURNS TABLE (tenant_id bigint, tenant_name text, kind text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, t.name, t.kind, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.user_id = app_user_id() ORDER BY array_position(ARRAY['mssp','msp','company'], t.kind), t.name
$$;

REVOKE ALL ON FUNCTION auth_login_lookup(text), auth_session_create(text, bigint, text, text, int),
    auth_session_lookup(text, int), auth_session_end(text), audit_anonymous(bigint, text, text, jsonb),
    my_memberships(), visible_tenant_ids(), brand_for_tenant(bigint), brand_for_host(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_login_lookup(text), auth_session_create(text, bigint, text, text, int),
    auth_session_lookup(text, int), auth_session_end(text), audit_anonymous(bigint, text, text, jsonb),
    my_memberships(), visible_tenant_ids(), brand_for_tenant(bigint), brand_for_host(text) TO portal_app;
