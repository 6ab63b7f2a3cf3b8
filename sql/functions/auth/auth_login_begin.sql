-- The scrypt setting to derive the key of a typed password with
-- ("scrypt$N$r$p$<salt hex>$<key bytes>"), and whether the attempt is
-- refused before any work. An address with no usable account gets a
-- made-up setting, the same every time, so the answer tells nothing.
-- A refused attempt is audited here ('auth.locked', refused).
CREATE OR REPLACE FUNCTION auth_login_begin(p_email text, p_ip text, p_device text)
RETURNS TABLE (setting text, locked boolean, retry_seconds int, scope text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    mail text := left(lower(btrim(p_email)), 320);
    g record;
    u users%ROWTYPE;
BEGIN
    SELECT * INTO g FROM login_gate(mail, p_ip, p_device);
    SELECT * INTO u FROM users x WHERE lower(x.email) = mail;
    setting := login_setting(mail);
    locked := g.locked;
    retry_seconds := g.retry_seconds;
    scope := g.scope;
    IF g.locked THEN
        PERFORM login_locked_audit(u.id, p_email, p_ip, g.scope, g.retry_seconds, true);
    END IF;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION auth_login_begin(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_login_begin(text, text, text) TO portal_app;
