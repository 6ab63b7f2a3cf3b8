
-- requires: token_digest
CREATE OR REPLACE FUNCTION auth_link_lookup(p_purpose text, p_token text)
RETURNS TABLE (user_id bigint, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email FROM password_resets r JOIN users u ON u.id = r.user_id
     WHERE r.token_hash = token_digest(p_token) AND r.purpose = p_purpose AND r.used_at IS NULL
       AND r.expires_at > now() AND u.status = 'active'
$$;
REVOKE ALL ON FUNCTION auth_link_lookup(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_link_lookup(text, text) TO portal_app;
