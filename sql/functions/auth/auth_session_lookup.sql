-- requires: token_shaped
-- The signed-in user for a session token hash, if the session is neither
-- idle longer than p_idle seconds nor past its absolute expiry. Touches
-- last_seen_at at most once a minute to keep reads cheap.
CREATE OR REPLACE FUNCTION auth_session_lookup(p_token text, p_idle int)
RETURNS TABLE (session_id bigint, user_id bigint, email text, name text, unread bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    s sessions%ROWTYPE;
BEGIN
    IF NOT token_shaped(p_token) THEN
        RETURN;
    END IF;
    SELECT * INTO s FROM sessions WHERE token_hash = token_digest(p_token);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF NOT session_check(s.id, s.expires_at, s.last_seen_at, p_idle) THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT s.id, u.id, u.email, u.name,
                        (SELECT count(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL)
                   FROM users u WHERE u.id = s.user_id AND u.status = 'active';
END $$;
REVOKE ALL ON FUNCTION auth_session_lookup(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_session_lookup(text, int) TO portal_app;
