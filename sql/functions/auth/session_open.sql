-- A new session of p_user; its token (returned) exists only in the answer
-- and, hashed, in sessions. At most 30 days.
CREATE OR REPLACE FUNCTION session_open(p_user bigint, p_ip text, p_ua text, p_max_seconds int) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE t text := random_token();
BEGIN
    DELETE FROM sessions WHERE user_id = p_user AND expires_at < now();
    INSERT INTO sessions (token_hash, user_id, expires_at, ip, user_agent)
    VALUES (token_digest(t), p_user, now() + make_interval(secs => least(greatest(p_max_seconds, 60), 30 * 86400)),
            left(p_ip, 64), left(p_ua, 256));
    RETURN t;
END $$;
REVOKE ALL ON FUNCTION session_open(bigint, text, text, int) FROM PUBLIC;
