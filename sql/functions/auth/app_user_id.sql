-- The user of the session whose token the transaction carries in
-- app.token, while it is unexpired and the account active; else NULL.
-- PL/pgSQL: its statement is planned once per connection.
CREATE OR REPLACE FUNCTION app_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t text := current_setting('app.token', true);
    uid bigint;
BEGIN
    IF t IS NULL OR t !~ '^[0-9a-f]{64}$' THEN
        RETURN NULL;
    END IF;
    SELECT s.user_id INTO uid FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = token_digest(t) AND s.expires_at > now() AND u.status = 'active';
    RETURN uid;
END $$;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_app;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_mailer;
