-- A session row still valid? Deletes it when past its absolute expiry or
-- idle longer than p_idle seconds; touches last_seen_at at most once a
-- minute, so most requests only read.
CREATE OR REPLACE FUNCTION session_check(p_id bigint, p_expires timestamptz, p_last_seen timestamptz, p_idle int)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_expires < now() OR p_last_seen < now() - make_interval(secs => p_idle) THEN
        DELETE FROM sessions WHERE id = p_id;
        RETURN false;
    END IF;
    IF p_last_seen < now() - interval '60 seconds' THEN
        UPDATE sessions SET last_seen_at = now() WHERE id = p_id;
    END IF;
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION session_check(bigint, timestamptz, timestamptz, int) FROM PUBLIC;
