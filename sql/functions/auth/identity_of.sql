-- requires: token_digest, token_shaped
-- The user whose session this token is: while the session is unexpired
-- and the account active; else NULL. app_identify() keeps the answer for
-- its transaction; on a hot standby (the read replica, which keeps
-- nothing) app_user_id() asks here at each use. PL/pgSQL, not SQL: a SQL
-- function with SET or SECURITY DEFINER is parsed and planned at every
-- call, PL/pgSQL keeps its plans for the connection (docs/performance.md,
-- "Session 20").
CREATE OR REPLACE FUNCTION identity_of(p_token text) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT token_shaped(p_token) THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = token_digest(p_token) AND s.expires_at > now() AND u.status = 'active');
END $$;
REVOKE ALL ON FUNCTION identity_of(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION identity_of(text) TO portal_app;
