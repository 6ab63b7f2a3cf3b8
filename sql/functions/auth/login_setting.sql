-- The scrypt setting of mail's password: its stored hash without the key,
-- and the key's length in bytes ("scrypt$N$r$p$<salt hex>$32"). For an
-- address with no password, a made-up one, the same every time.
CREATE OR REPLACE FUNCTION login_setting(p_mail text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    h text;
BEGIN
    SELECT u.password_hash INTO h FROM users u WHERE lower(u.email) = lower(btrim(p_mail));
    IF h ~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[0-9a-f]+\$[0-9a-f]+$' THEN
        RETURN regexp_replace(h, '\$[0-9a-f]+$', '') || '$' || (length(substring(h FROM '\$([0-9a-f]+)$')) / 2)::text;
    END IF;
    RETURN 'scrypt$32768$8$1$'
           || left(token_digest((SELECT s.value FROM portal_secrets s WHERE s.name = 'login_salt')
                                || lower(btrim(p_mail))), 32) || '$32';
END $$;
REVOKE ALL ON FUNCTION login_setting(text) FROM PUBLIC;
