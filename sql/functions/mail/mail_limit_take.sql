
CREATE OR REPLACE FUNCTION mail_limit_take(p_key text, p_max int, p_window interval) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_max < 1 OR p_window <= interval '0' OR p_window > interval '7 days' THEN
        RAISE EXCEPTION 'mail_limit_take: max and window out of range' USING ERRCODE = '22023';
    END IF;
    -- One key at a time, so concurrent requests cannot all pass the count.
    PERFORM pg_advisory_xact_lock(hashtextextended('mail_limits:' || p_key, 0));
    DELETE FROM mail_limits WHERE key = p_key AND at < now() - p_window;
    -- Keys used once (a /forgot for a made-up address) are not seen again:
    -- each call also clears a few rows older than any window.
    DELETE FROM mail_limits WHERE ctid IN (SELECT ctid FROM mail_limits WHERE at < now() - interval '7 days' LIMIT 20);
    IF (SELECT count(*) FROM mail_limits WHERE key = p_key) >= p_max THEN
        RETURN false;
    END IF;
    INSERT INTO mail_limits (key) VALUES (p_key);
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION mail_limit_take(text, int, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail_limit_take(text, int, interval) TO portal_app;
