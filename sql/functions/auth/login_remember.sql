-- requires: token_shaped
-- Forget the failures of a pair after its success; remember the device
-- (a new cookie when it had none for this account) and the address.
-- Returns the device cookie to set.
CREATE OR REPLACE FUNCTION login_remember(p_user bigint, p_mail text, p_ip text, p_device text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    dev text := CASE WHEN token_shaped(p_device) THEN p_device ELSE random_token() END;
BEGIN
    DELETE FROM login_failures f WHERE f.email = p_mail AND (f.ip = left(coalesce(p_ip, ''), 64)
                                                             OR f.device = token_digest(dev));
    INSERT INTO known_signins (user_id, kind, value) VALUES (p_user, 'device', token_digest(dev)),
                                                            (p_user, 'address', left(coalesce(p_ip, ''), 64))
    ON CONFLICT (user_id, kind, value) DO UPDATE SET last_at = now();
    DELETE FROM known_signins k WHERE k.user_id = p_user AND k.last_at < now() - interval '180 days';
    RETURN dev;
END $$;
REVOKE ALL ON FUNCTION login_remember(bigint, text, text, text) FROM PUBLIC;
