-- requires: token_shaped
-- The state of a sign-in attempt for p_email from p_ip with the device
-- cookie p_device (NULL: none): refused or not, for how long, and why.
CREATE OR REPLACE FUNCTION login_gate(p_email text, p_ip text, p_device text)
RETURNS TABLE (locked boolean, retry_seconds int, scope text, known_device boolean, known_address boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    mail text := left(lower(btrim(p_email)), 320);
    v_ip text := left(coalesce(p_ip, ''), 64);
    dev text := CASE WHEN token_shaped(p_device) THEN token_digest(p_device) END;
    since timestamptz := now() - interval '15 minutes';
    uid bigint;
    n int;
    last timestamptz;
    wait int := 0;
    why text;
    w int;
BEGIN
    SELECT u.id INTO uid FROM users u WHERE lower(u.email) = mail;
    known_device := dev IS NOT NULL AND uid IS NOT NULL
                    AND EXISTS (SELECT 1 FROM known_signins k
                                 WHERE k.user_id = uid AND k.kind = 'device' AND k.value = dev);
    known_address := uid IS NOT NULL
                     AND EXISTS (SELECT 1 FROM known_signins k WHERE k.user_id = uid AND k.kind = 'address'
                                    AND k.value = v_ip AND k.last_at > now() - interval '90 days');
    -- The pair: this account from this device (known) or this address.
    IF known_device THEN
        SELECT count(*), max(f.at) INTO n, last FROM login_failures f
         WHERE f.email = mail AND f.device = dev AND f.at > since;
    ELSE
        SELECT count(*), max(f.at) INTO n, last FROM login_failures f
         WHERE f.email = mail AND f.ip = v_ip AND f.at > since;
    END IF;
    IF n >= 5 THEN
        w := ceil(extract(epoch FROM last + make_interval(secs => least(900, 30 * 2 ^ least(n - 5, 10)))
                                    - now()))::int;
        IF w > wait THEN
            wait := w; why := 'account';
        END IF;
    END IF;
    IF NOT known_device THEN
        SELECT count(*), max(f.at) INTO n, last FROM login_failures f WHERE f.ip = v_ip AND f.at > since;
        IF n >= 20 THEN
            w := ceil(extract(epoch FROM last + interval '15 minutes' - now()))::int;
            IF w > wait THEN
                wait := w; why := 'address';
            END IF;
        END IF;
        IF NOT known_address THEN
            SELECT count(*), max(f.at) INTO n, last FROM login_failures f WHERE f.email = mail AND f.at > since;
            IF n >= 50 THEN
                w := ceil(extract(epoch FROM last + interval '15 minutes' - now()))::int;
                IF w > wait THEN
                    wait := w; why := 'account_attacked';
                END IF;
            END IF;
        END IF;
    END IF;
    locked := wait > 0;
    retry_seconds := greatest(wait, 0);
    scope := why;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION login_gate(text, text, text) FROM PUBLIC;
