
-- requires: token_digest
CREATE OR REPLACE FUNCTION auth_session_end(p_token text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM sessions WHERE token_hash = token_digest(p_token);
$$;
REVOKE ALL ON FUNCTION auth_session_end(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_session_end(text) TO portal_app;
