-- requires: token_digest
-- The user whose session this token is: while the session is unexpired
-- and the account active; else NULL. app_identify() keeps the answer for
-- its transaction; on a hot standby (the read replica, which keeps
-- nothing) app_user_id() asks here at each use.
CREATE OR REPLACE FUNCTION identity_of(p_token text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE p_token ~ '^[0-9a-f]{64}$' AND s.token_hash = token_digest(p_token)
       AND s.expires_at > now() AND u.status = 'active'
$$;
REVOKE ALL ON FUNCTION identity_of(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION identity_of(text) TO portal_app;
