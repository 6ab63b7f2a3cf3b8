-- 005_accounts.sql - login throttling, password reset links and password
-- change. Like 002, the tables are private to the owner role: the app
-- reaches them only through the narrow SECURITY DEFINER functions below.

-- ---------------------------------------------------------------- throttling
-- One row per failed sign-in (or wrong current password on the change form).
-- Refused attempts during a lock are not rows: the lock runs from the
-- latest real failure. Rows older than a day are pruned as new ones arrive.
CREATE TABLE login_failures (
    id     bigserial PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    email  text NOT NULL,  -- lower(btrim(email)) as typed; the account may not exist
    ip     text NOT NULL
);
CREATE INDEX login_failures_email_at ON login_failures (email, at DESC);
CREATE INDEX login_failures_ip_at ON login_failures (ip, at DESC);
CREATE INDEX login_failures_at ON login_failures (at);

-- Is sign-in for this email or from this address locked? An account (or an
-- address) with at least p_max_* failures in the last p_window seconds is
-- locked until p_window seconds after its latest failure. retry_seconds is
-- the longer of the two remaining locks; scope names the rule that decided.
CREATE FUNCTION auth_throttle_check(p_email text, p_ip text, p_window int, p_max_account int, p_max_ip int)
RETURNS TABLE (locked boolean, retry_seconds int, scope text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    since timestamptz := now() - make_interval(secs => p_window);
    n_acc int;
    last_acc timestamptz;
    n_ip int;
    last_ip timestamptz;
    r_acc int := 0;
    r_ip int := 0;
BEGIN
    SELECT count(*), max(f.at) INTO n_acc, last_acc
      FROM login_failures f WHERE f.email = lower(btrim(p_email)) AND f.at > since;
    SELECT count(*), max(f.at) INTO n_ip, last_ip
      FROM login_failures f WHERE f.ip = coalesce(p_ip, '') AND f.at > since;
    IF n_acc >= p_max_account THEN
        r_acc := greatest(1, ceil(extract(epoch FROM last_acc + make_interval(secs => p_window) - now()))::int);
    END IF;
    IF n_ip >= p_max_ip THEN
        r_ip := greatest(1, ceil(extract(epoch FROM last_ip + make_interval(secs => p_window) - now()))::int);
    END IF;
    IF r_acc = 0 AND r_ip = 0 THEN
        RETURN QUERY SELECT false, 0, NULL::text;
    ELSIF r_acc >= r_ip THEN
        RETURN QUERY SELECT true, r_acc, 'account'::text;
    ELSE
        RETURN QUERY SELECT true, r_ip, 'address'::text;
    END IF;
END $$;

-- Record a failure and answer the lock state it leads to.
CREATE FUNCTION auth_login_failed(p_email text, p_ip text, p_window int, p_max_account int, p_max_ip int)
RETURNS TABLE (locked boolean, retry_seconds int, scope text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM login_failures WHERE at < now() - interval '1 day';
    INSERT INTO login_failures (email, ip) VALUES (left(lower(btrim(p_email)), 320), left(coalesce(p_ip, ''), 64));
    RETURN QUERY SELECT * FROM auth_throttle_check(p_email, p_ip, p_window, p_max_account, p_max_ip);
END $$;

-- A successful sign-in forgives the account's failures (not the address's).
CREATE FUNCTION auth_login_succeeded(p_email text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM login_failures WHERE email = lower(btrim(p_email));
$$;

-- ---------------------------------------------------------------- reset links
-- Only the SHA-256 of a link's token is stored; a link works once, until
-- expires_at, and only while the account is active.
CREATE TABLE password_resets (
    id         bigserial PRIMARY KEY,
    token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    ip         text
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at DESC);

-- Create a reset link for the active account with that email, unless it
-- already received p_max_per_hour links in the last hour. No row: no such
-- active account. created = false: rate-limited, nothing stored.
CREATE FUNCTION auth_reset_request(p_email text, p_token_hash text, p_ip text, p_lifetime int, p_max_per_hour int)
RETURNS TABLE (user_id bigint, email text, name text, created boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    u users%ROWTYPE;
    n int;
BEGIN
    SELECT * INTO u FROM users WHERE lower(users.email) = lower(btrim(p_email)) AND status = 'active';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- Serialise concurrent requests for one account so the limit holds.
    PERFORM 1 FROM users WHERE id = u.id FOR UPDATE;
    SELECT count(*) INTO n FROM password_resets r
     WHERE r.user_id = u.id AND r.created_at > now() - interval '1 hour';
    IF n >= p_max_per_hour THEN
        RETURN QUERY SELECT u.id, u.email, u.name, false;
        RETURN;
    END IF;
    DELETE FROM password_resets r WHERE r.user_id = u.id AND r.expires_at < now() - interval '1 day';
    INSERT INTO password_resets (token_hash, user_id, expires_at, ip)
    VALUES (p_token_hash, u.id, now() + make_interval(secs => p_lifetime), left(p_ip, 64));
    RETURN QUERY SELECT u.id, u.email, u.name, true;
END $$;

-- The account a reset link belongs to, if the link is still usable.
CREATE FUNCTION auth_reset_lookup(p_token_hash text)
RETURNS TABLE (user_id bigint, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email FROM password_resets r JOIN users u ON u.id = r.user_id
     WHERE r.token_hash = p_token_hash AND r.used_at IS NULL AND r.expires_at > now() AND u.status = 'active'
$$;

-- Use a reset link: set the new password hash, spend this link and every
-- other open link of the account, end all its sessions and forgive its
-- failed sign-ins. NULL when the link is unknown, used or expired (a
-- concurrent second use waits on the row lock and then finds it used).
CREATE FUNCTION auth_reset_complete(p_token_hash text, p_password_hash text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    uid bigint;
    mail text;
BEGIN
    IF p_password_hash !~ '^scrypt\$' THEN
        RAISE EXCEPTION 'not a password hash' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE password_resets SET used_at = now()
     WHERE token_hash = p_token_hash AND used_at IS NULL AND expires_at > now()
    RETURNING password_resets.user_id INTO uid;
    IF uid IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE users SET password_hash = p_password_hash, password_changed_at = now()
     WHERE id = uid AND status = 'active' RETURNING email INTO mail;
    IF mail IS NULL THEN
        RETURN NULL;  -- disabled meanwhile: the link is spent, nothing else changes
    END IF;
    UPDATE password_resets SET used_at = now() WHERE user_id = uid AND used_at IS NULL;
    DELETE FROM sessions WHERE user_id = uid;
    DELETE FROM login_failures WHERE email = lower(mail);
    RETURN uid;
END $$;

-- ---------------------------------------------------------------- change
-- The signed-in user's own password hash (identity from app.user_id).
CREATE FUNCTION auth_my_password_hash() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT password_hash FROM users WHERE id = app_user_id() AND status = 'active'
$$;

-- Change the signed-in user's password; end every other session of theirs
-- (the one whose hash is p_keep_session stays) and spend open reset links.
-- Returns the number of sessions ended; NULL without an identity.
CREATE FUNCTION auth_password_change(p_password_hash text, p_keep_session text)
RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    uid bigint := app_user_id();
    n int;
BEGIN
    IF p_password_hash !~ '^scrypt\$' THEN
        RAISE EXCEPTION 'not a password hash' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE users SET password_hash = p_password_hash, password_changed_at = now()
     WHERE id = uid AND status = 'active';
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE password_resets SET used_at = now() WHERE user_id = uid AND used_at IS NULL;
    DELETE FROM sessions WHERE user_id = uid AND token_hash <> coalesce(p_keep_session, '');
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

REVOKE ALL ON TABLE login_failures, password_resets FROM PUBLIC;
REVOKE ALL ON FUNCTION auth_throttle_check(text, text, int, int, int), auth_login_failed(text, text, int, int, int),
    auth_login_succeeded(text), auth_reset_request(text, text, text, int, int), auth_reset_lookup(text),
    auth_reset_complete(text, text), auth_my_password_hash(), auth_password_change(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_throttle_check(text, text, int, int, int), auth_login_failed(text, text, int, int, int),
    auth_login_succeeded(text), auth_reset_request(text, text, text, int, int), auth_reset_lookup(text),
    auth_reset_complete(text, text), auth_my_password_hash(), auth_password_change(text, text) TO portal_app;
