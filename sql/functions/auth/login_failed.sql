-- requires: token_shaped
-- Record a failed guess of mail's password; the audit rows say so, and
-- say when the failure starts a wait.
CREATE OR REPLACE FUNCTION login_failed(p_user bigint, p_email text, p_ip text, p_device text, p_action text)
RETURNS TABLE (locked boolean, retry_seconds int, scope text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    mail text := left(lower(btrim(p_email)), 320);
    g record;
BEGIN
    DELETE FROM login_failures WHERE ctid IN (SELECT ctid FROM login_failures WHERE at < now() - interval '1 day'
                                               LIMIT 100);
    INSERT INTO login_failures (email, ip, device)
    VALUES (mail, left(coalesce(p_ip, ''), 64),
            CASE WHEN token_shaped(p_device) THEN token_digest(p_device) END);
    PERFORM audit_account(p_user, p_action, p_ip, jsonb_build_object('email', btrim(p_email)));
    SELECT * INTO g FROM login_gate(mail, p_ip, p_device);
    IF g.locked THEN
        PERFORM login_locked_audit(p_user, p_email, p_ip, g.scope, g.retry_seconds, false);
    END IF;
    RETURN QUERY SELECT g.locked, g.retry_seconds, g.scope;
END $$;
REVOKE ALL ON FUNCTION login_failed(bigint, text, text, text, text) FROM PUBLIC;
