-- 052_identity_from_token.sql - the database trusts no setting (issue 17,
-- findings 9 and 11).
--
-- Until now a transaction's identity was app.user_id, a setting the
-- worker wrote: anything that could run SQL as portal_app could be anyone
-- (set_config('app.user_id', '1', false) saw every tenant), and
-- auth_login_lookup() handed out password hashes, auth_session_create()
-- made a session for any user, audit_anonymous() wrote audit rows tenants
-- then read, stats_apply() changed any tenant's counters.
--
-- Now:
-- * The identity is derived, at each use, from what the request carries:
--   app.token is the session cookie's token itself (the database keeps only
--   its SHA-256), app.api_key the API key itself. app_user_id() and
--   app_api_tenant() hash it and look it up; a setting with no live
--   session or key behind it is nobody. The worker cannot forge one: it
--   knows the tokens of the requests it serves, and no other.
-- * Sign-in is decided here. auth_login_begin() gives the scrypt setting
--   (parameters and salt, never the hash; a made-up one for an unknown
--   address, the same each time) and whether this attempt is refused;
--   the worker derives the key from the typed password and auth_login()
--   compares it, counts the failure or opens the session (its token made
--   here), and writes the audit rows, in one transaction.
-- * Throttling (finding 9) can no longer be turned against the user: see
--   "Throttling" below.
-- * Reset and sign-in links are made here too: the worker renders the
--   email around a marker and auth_link_mail() puts the token in, so the
--   worker never holds a token that would let it sign in as someone else.
-- * Trigger functions, internal helpers and the mailer's are not
--   executable by portal_app.

-- ------------------------------------------------------------ tokens
-- 64 hex characters from the server's strong random source (two version 4
-- UUIDs: 244 random bits, hashed to spread them).
CREATE FUNCTION random_token() RETURNS text
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    SELECT encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex')
$$;
REVOKE ALL ON FUNCTION random_token() FROM PUBLIC;

-- What the database stores of a token: the hex SHA-256 of its text (as
-- cgi/token.c's tok_sha256_hex computes it).
CREATE FUNCTION token_digest(p_token text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(p_token, 'UTF8')), 'hex')
$$;
REVOKE ALL ON FUNCTION token_digest(text) FROM PUBLIC;

-- A secret of this database, for what must look random but be the same
-- every time (the made-up salt of an unknown address). Readable by the
-- owner only.
CREATE TABLE portal_secrets (
    name  text PRIMARY KEY,
    value text NOT NULL
);
REVOKE ALL ON portal_secrets FROM PUBLIC;
INSERT INTO portal_secrets VALUES ('login_salt', random_token());

-- ------------------------------------------------------------ identity
-- The identity of a transaction is verified once, when the request names
-- it: app_identify(token) (a session's) or api_key_auth(key) look the
-- token up and keep what they found in pg_temp.app_identity, a one-row
-- table of this connection made by the owner role and stamped with the
-- transaction's start (now()). The app role may read it but not write it,
-- and cannot make a temporary table of its own to stand in for it
-- (TEMPORARY is revoked below). Every later use in the transaction
-- (app_user_id(), app_api_tenant(): several per statement, in policies)
-- reads that row while the transaction still carries the same token. A
-- token set with set_config() alone identifies nobody, and so does a row
-- of an earlier transaction. (Not ON COMMIT DELETE ROWS: truncating at
-- every commit cost milliseconds.)
DO $$ BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END $$;

-- Keep what a token was found to be, for this transaction (one statement
-- when the table exists). Called by the owner's functions (app_identify,
-- api_key_auth), as their owner: no role may call it itself.
CREATE FUNCTION identity_keep(p_token text, p_user bigint, p_api_tenant bigint) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF to_regclass('pg_temp.app_identity') IS NULL THEN
        CREATE TEMP TABLE app_identity (at timestamptz NOT NULL, token text NOT NULL, user_id bigint,
                                        api_tenant bigint);
        GRANT SELECT ON pg_temp.app_identity TO portal_app;
        INSERT INTO pg_temp.app_identity VALUES ('-infinity', '', NULL, NULL);
    END IF;
    UPDATE pg_temp.app_identity SET at = now(), token = p_token, user_id = p_user, api_tenant = p_api_tenant;
END $$;
REVOKE ALL ON FUNCTION identity_keep(text, bigint, bigint) FROM PUBLIC;

-- The transaction is the session whose token this is (app.token): its
-- user while the session is unexpired and the account active, else nobody.
CREATE FUNCTION app_identify(p_token text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    uid bigint;
BEGIN
    PERFORM set_config('app.token', coalesce(p_token, ''), true);
    IF to_regclass('pg_temp.app_identity') IS NULL THEN
        PERFORM identity_keep('', NULL, NULL);
    END IF;
    UPDATE pg_temp.app_identity
       SET at = now(), token = coalesce(p_token, ''), api_tenant = NULL,
           user_id = (SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
                       WHERE p_token ~ '^[0-9a-f]{64}$' AND s.token_hash = token_digest(p_token)
                         AND s.expires_at > now() AND u.status = 'active')
    RETURNING user_id INTO uid;
    RETURN uid;
END $$;
REVOKE ALL ON FUNCTION app_identify(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_identify(text) TO portal_app;

-- The user app_identify() found for the token the transaction still
-- carries; NULL without one.
CREATE OR REPLACE FUNCTION app_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF to_regclass('pg_temp.app_identity') IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT i.user_id FROM pg_temp.app_identity i
             WHERE i.at = now() AND i.token = current_setting('app.token', true));
END $$;
GRANT EXECUTE ON FUNCTION app_user_id() TO portal_app, portal_mailer;

-- The tenant of the API key api_key_auth() found for the key the
-- transaction still carries (app.api_key); NULL without one.
CREATE FUNCTION app_api_tenant() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF to_regclass('pg_temp.app_identity') IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT i.api_tenant FROM pg_temp.app_identity i
             WHERE i.at = now() AND i.token = current_setting('app.api_key', true));
END $$;
REVOKE ALL ON FUNCTION app_api_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_api_tenant() TO portal_app;

-- sql/051's scope (active memberships), with the API key's tenant from
-- app_api_tenant() and the user looked up once.
CREATE OR REPLACE FUNCTION app_scope() RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r bigint[];
    uid bigint := app_user_id();
BEGIN
    SELECT coalesce(array_agg(x), '{}') INTO r FROM (
        SELECT m.tenant_id AS x FROM memberships m
         WHERE m.user_id = uid AND m.role <> 'mssp_analyst' AND m.status = 'active'
        UNION
        SELECT a.tenant_id FROM analyst_assignments a
          JOIN tenants t ON t.id = a.tenant_id
          JOIN memberships m ON m.user_id = a.user_id AND m.tenant_id = t.root_id AND m.role = 'mssp_analyst'
                            AND m.status = 'active'
         WHERE a.user_id = uid
        UNION
        SELECT CASE WHEN uid IS NULL THEN app_api_tenant() END) s
     WHERE x IS NOT NULL;
    RETURN r;
END $$;

-- The key named by its own text (the Authorization header's): the
-- transaction's identity (app.api_key, kept for app_api_tenant()).
-- last_used_at is written at most once a minute.
DROP FUNCTION api_key_auth(text);
CREATE FUNCTION api_key_auth(p_key text) RETURNS TABLE (key_id bigint, tenant_id bigint, root_id bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
    IF p_key IS NULL OR p_key !~ '^mssp_[0-9a-f]{64}$' THEN
        RETURN;
    END IF;
    SELECT a.* INTO k FROM api_keys a JOIN tenants t ON t.id = a.tenant_id
     WHERE a.key_hash = token_digest(p_key) AND a.revoked_at IS NULL AND t.status = 'active';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute' THEN
        UPDATE api_keys SET last_used_at = now() WHERE id = k.id;
    END IF;
    PERFORM set_config('app.api_key', p_key, true);
    PERFORM identity_keep(p_key, NULL, k.tenant_id);
    key_id := k.id; tenant_id := k.tenant_id; root_id := k.root_id;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION api_key_auth(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_auth(text) TO portal_app;

-- Policies that compare with app_user_id() row by row: once per statement.
ALTER POLICY notifications_own ON notifications
    USING (user_id = (SELECT app_user_id())) WITH CHECK (user_id = (SELECT app_user_id()));
ALTER POLICY user_access_own ON user_access USING (user_id = (SELECT app_user_id()));
ALTER POLICY audit_log_visible ON audit_log
    WITH CHECK (user_id = (SELECT app_user_id()) AND (tenant_id IS NULL OR tenant_id IN (SELECT visible_tenant_ids())));

-- ------------------------------------------------------------ sessions
-- A new session of p_user; its token (returned) exists only in the answer
-- and, hashed, in sessions. At most 30 days.
CREATE FUNCTION session_open(p_user bigint, p_ip text, p_ua text, p_max_seconds int) RETURNS text
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

-- sql/023's lookup for a write, by the token itself.
DROP FUNCTION auth_session_lookup(text, int);
CREATE FUNCTION auth_session_lookup(p_token text, p_idle int)
RETURNS TABLE (session_id bigint, user_id bigint, email text, name text, unread bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    s sessions%ROWTYPE;
BEGIN
    IF p_token IS NULL OR p_token !~ '^[0-9a-f]{64}$' THEN
        RETURN;
    END IF;
    SELECT * INTO s FROM sessions WHERE token_hash = token_digest(p_token);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF NOT session_check(s.id, s.expires_at, s.last_seen_at, p_idle) THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT s.id, u.id, u.email, u.name,
                        (SELECT count(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL)
                   FROM users u WHERE u.id = s.user_id AND u.status = 'active';
END $$;
REVOKE ALL ON FUNCTION auth_session_lookup(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_session_lookup(text, int) TO portal_app;

DROP FUNCTION auth_session_end(text);
CREATE FUNCTION auth_session_end(p_token text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM sessions WHERE token_hash = token_digest(p_token);
$$;
REVOKE ALL ON FUNCTION auth_session_end(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_session_end(text) TO portal_app;

-- sql/043's request_context(), by the token itself.
DROP FUNCTION request_context(text, int, bigint, text);
CREATE FUNCTION request_context(p_token text, p_idle int, p_tenant bigint, p_host text)
RETURNS TABLE (brand_tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               session_id bigint, user_id bigint, email text, name text, unread bigint, bell json,
               t_parent bigint, t_root bigint, t_name text, t_kind text, t_region text, t_role text,
               t_version bigint, t_hour bigint, t_scope text, t_until bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    expires timestamptz;
    seen timestamptz;
    status text;
BEGIN
    IF p_token IS NULL OR p_token !~ '^[0-9a-f]{64}$' THEN
        RETURN;
    END IF;
    SELECT tt.id, coalesce(b.page_title, d.page_title), coalesce(b.footer, d.footer), b.logo_light, b.logo_dark,
           b.host, x.id, x.user_id, u.email, u.name,
           (SELECT count(*) FROM notifications n WHERE n.user_id = x.user_id AND n.read_at IS NULL),
           tt.parent_id, tt.root_id, tt.name, tt.kind, tt.region,
           role_on_path(tt.ancestors, a.tenants, a.roles, a.assigned),
           coalesce((SELECT v.version FROM tenant_stats v WHERE v.tenant_id = tt.id), 0),
           extract(epoch FROM date_trunc('hour', now(), 'UTC'))::bigint, coalesce(a.scope, ';'),
           x.expires_at, x.last_seen_at, u.status
      INTO brand_tenant_id, page_title, footer, logo_light, logo_dark, host, session_id, user_id, email, name,
           unread, t_parent, t_root, t_name, t_kind, t_region, t_role, t_version, t_hour, t_scope,
           expires, seen, status
      FROM sessions x
      JOIN users u ON u.id = x.user_id
      LEFT JOIN user_access a ON a.user_id = x.user_id
      LEFT JOIN tenants tt ON tt.id = p_tenant AND tt.status = 'active'
      LEFT JOIN tenant_brand b ON b.tenant_id = tt.id
      CROSS JOIN portal_settings d
     WHERE x.token_hash = token_digest(p_token);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF expires < now() OR seen < now() - make_interval(secs => least(p_idle, 60)) THEN
        IF NOT session_check(session_id, expires, seen, p_idle) THEN
            RETURN;
        END IF;
        IF seen < now() - interval '60 seconds' THEN
            seen := now(); -- session_check() touched it
        END IF;
    END IF;
    IF status <> 'active' THEN
        RETURN;
    END IF;
    t_until := floor(extract(epoch FROM least(expires, seen + make_interval(secs => least(p_idle, 60)))))::bigint;
    IF unread > 0 THEN
        bell := bell_items(user_id);
    END IF;
    IF t_role IS NOT NULL THEN
        RETURN NEXT;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT bt.id, coalesce(x.page_title, d.page_title), coalesce(x.footer, d.footer), x.logo_light,
           x.logo_dark, x.host, request_context.session_id, request_context.user_id, request_context.email,
           request_context.name, request_context.unread, request_context.bell,
           NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint,
           request_context.t_hour, NULL::text, request_context.t_until
      FROM (SELECT brand_tenant_for(NULL, request_context.user_id, p_host) AS id) bt
      CROSS JOIN portal_settings d LEFT JOIN tenant_brand x ON x.tenant_id = bt.id;
END $$;
REVOKE ALL ON FUNCTION request_context(text, int, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION request_context(text, int, bigint, text) TO portal_app;

-- ------------------------------------------------------------ throttling
-- Finding 9: five wrong passwords locked an account for everyone, and a
-- scanner's failures locked its address for everyone behind it. The rules
-- now (a window of 15 minutes; refused attempts are not counted):
-- * A pair (account, address) - or (account, device) for a known device -
--   gets five guesses free, then waits: 30 s after the fifth failure,
--   doubling with each further failure, at most 15 minutes.
-- * An address with 20 failures (any accounts) waits 15 minutes, except
--   for a device that has signed in to that account before.
-- * An account with 50 failures (from any addresses: a spread attack)
--   refuses devices and addresses it has never signed in from, for 15
--   minutes after the latest one; its known devices and addresses go on.
-- * A sign-in link by email is a way in that no guessing blocks.
-- A device is known by a cookie set at a successful sign-in (its token
-- hashed here, per account); an address is known for 90 days after a
-- successful sign-in from it.
ALTER TABLE login_failures ADD COLUMN device text;  -- token_digest of the device cookie, if any
CREATE INDEX login_failures_device_at ON login_failures (device, at DESC) WHERE device IS NOT NULL;

CREATE TABLE known_signins (
    user_id  bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind     text NOT NULL CHECK (kind IN ('device', 'address')),
    value    text NOT NULL,  -- token_digest of a device cookie, or an address
    last_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind, value)
);
REVOKE ALL ON known_signins FROM PUBLIC;

-- The state of a sign-in attempt for p_email from p_ip with the device
-- cookie p_device (NULL: none): refused or not, for how long, and why.
CREATE FUNCTION login_gate(p_email text, p_ip text, p_device text)
RETURNS TABLE (locked boolean, retry_seconds int, scope text, known_device boolean, known_address boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    mail text := left(lower(btrim(p_email)), 320);
    v_ip text := left(coalesce(p_ip, ''), 64);
    dev text := CASE WHEN p_device ~ '^[0-9a-f]{64}$' THEN token_digest(p_device) END;
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

-- Audit rows of sign-in events (no tenant: they are the account's).
CREATE FUNCTION audit_account(p_user bigint, p_action text, p_ip text, p_details jsonb) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO audit_log (user_id, action, ip, details) VALUES (p_user, p_action, left(p_ip, 64), p_details);
$$;
REVOKE ALL ON FUNCTION audit_account(bigint, text, text, jsonb) FROM PUBLIC;

-- The scrypt setting of mail's password: its stored hash without the key,
-- and the key's length in bytes ("scrypt$N$r$p$<salt hex>$32"). For an
-- address with no password, a made-up one, the same every time.
CREATE FUNCTION login_setting(p_mail text) RETURNS text
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

-- The scrypt setting to derive the key of a typed password with
-- ("scrypt$N$r$p$<salt hex>$<key bytes>"), and whether the attempt is
-- refused before any work. An address with no usable account gets a
-- made-up setting, the same every time, so the answer tells nothing.
-- A refused attempt is audited here ('auth.locked', refused).
CREATE FUNCTION auth_login_begin(p_email text, p_ip text, p_device text)
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
        PERFORM audit_account(u.id, 'auth.locked', p_ip,
                              jsonb_build_object('email', btrim(p_email), 'scope', g.scope,
                                                 'retry_after', g.retry_seconds, 'refused', true));
    END IF;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION auth_login_begin(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_login_begin(text, text, text) TO portal_app;

-- Forget the failures of a pair after its success; remember the device
-- (a new cookie when it had none for this account) and the address.
-- Returns the device cookie to set.
CREATE FUNCTION login_remember(p_user bigint, p_mail text, p_ip text, p_device text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    dev text := CASE WHEN p_device ~ '^[0-9a-f]{64}$' THEN p_device ELSE random_token() END;
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

-- Record a failed guess of mail's password; the audit rows say so, and
-- say when the failure starts a wait.
CREATE FUNCTION login_failed(p_user bigint, p_email text, p_ip text, p_device text, p_action text)
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
            CASE WHEN p_device ~ '^[0-9a-f]{64}$' THEN token_digest(p_device) END);
    PERFORM audit_account(p_user, p_action, p_ip, jsonb_build_object('email', btrim(p_email)));
    SELECT * INTO g FROM login_gate(mail, p_ip, p_device);
    IF g.locked THEN
        PERFORM audit_account(p_user, 'auth.locked', p_ip,
                              jsonb_build_object('email', btrim(p_email), 'scope', g.scope,
                                                 'retry_after', g.retry_seconds, 'refused', false));
    END IF;
    RETURN QUERY SELECT g.locked, g.retry_seconds, g.scope;
END $$;
REVOKE ALL ON FUNCTION login_failed(bigint, text, text, text, text) FROM PUBLIC;

-- Sign in: p_key is the setting auth_login_begin() gave with the derived
-- key after it (the form of a stored hash). outcome: 'ok' (token: the new
-- session's; device: the cookie to keep), 'wrong' or 'locked' (retry,
-- scope). Compared as digests, so the time taken tells nothing of how
-- much matched.
CREATE FUNCTION auth_login(p_email text, p_key text, p_ip text, p_ua text, p_device text, p_max_seconds int)
RETURNS TABLE (outcome text, retry_seconds int, scope text, user_id bigint, token text, device text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    mail text := left(lower(btrim(p_email)), 320);
    g record;
    u users%ROWTYPE;
BEGIN
    SELECT * INTO u FROM users x WHERE lower(x.email) = mail;
    IF FOUND THEN
        -- One attempt at a time per account, so the gate and the count agree.
        PERFORM 1 FROM users x WHERE x.id = u.id FOR UPDATE;
    END IF;
    SELECT * INTO g FROM login_gate(mail, p_ip, p_device);
    IF g.locked THEN
        PERFORM audit_account(u.id, 'auth.locked', p_ip,
                              jsonb_build_object('email', btrim(p_email), 'scope', g.scope,
                                                 'retry_after', g.retry_seconds, 'refused', true));
        RETURN QUERY SELECT 'locked'::text, g.retry_seconds, g.scope, NULL::bigint, NULL::text, NULL::text;
        RETURN;
    END IF;
    IF u.id IS NULL OR u.status <> 'active' OR u.password_hash IS NULL OR p_key IS NULL
       OR sha256(convert_to(u.password_hash, 'UTF8')) <> sha256(convert_to(p_key, 'UTF8')) THEN
        SELECT * INTO g FROM login_failed(u.id, p_email, p_ip, p_device, 'auth.login_failed');
        RETURN QUERY SELECT CASE WHEN g.locked THEN 'wrong_locked' ELSE 'wrong' END, g.retry_seconds, g.scope,
                            NULL::bigint, NULL::text, NULL::text;
        RETURN;
    END IF;
    device := login_remember(u.id, mail, p_ip, p_device);
    token := session_open(u.id, p_ip, p_ua, p_max_seconds);
    PERFORM audit_account(u.id, 'auth.login', p_ip, jsonb_build_object('email', btrim(p_email)));
    outcome := 'ok';
    retry_seconds := 0;
    user_id := u.id;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION auth_login(text, text, text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_login(text, text, text, text, text, int) TO portal_app;

-- The signed-in user's current password, checked like a sign-in (a stolen
-- session must not become a way to guess it): 'ok', 'wrong', 'locked'.
CREATE FUNCTION auth_password_check(p_key text, p_ip text, p_device text)
RETURNS TABLE (outcome text, retry_seconds int, scope text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    u users%ROWTYPE;
    g record;
BEGIN
    SELECT * INTO u FROM users x WHERE x.id = app_user_id() AND x.status = 'active' FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO g FROM login_gate(u.email, p_ip, p_device);
    IF g.locked THEN
        RETURN QUERY SELECT 'locked'::text, g.retry_seconds, g.scope;
        RETURN;
    END IF;
    IF u.password_hash IS NULL OR p_key IS NULL
       OR sha256(convert_to(u.password_hash, 'UTF8')) <> sha256(convert_to(p_key, 'UTF8')) THEN
        SELECT * INTO g FROM login_failed(u.id, u.email, p_ip, p_device, 'auth.password_change_failed');
        RETURN QUERY SELECT CASE WHEN g.locked THEN 'wrong_locked' ELSE 'wrong' END, g.retry_seconds, g.scope;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'ok'::text, 0, NULL::text;
END $$;
REVOKE ALL ON FUNCTION auth_password_check(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_password_check(text, text, text) TO portal_app;

-- The setting of the signed-in user's password (for auth_password_check).
CREATE FUNCTION auth_my_password_setting() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT login_setting(u.email) FROM users u WHERE u.id = app_user_id() AND u.status = 'active'
$$;
REVOKE ALL ON FUNCTION auth_my_password_setting() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_my_password_setting() TO portal_app;

-- ------------------------------------------------------------ links
-- Reset links and sign-in links: made here, mailed by auth_link_mail(),
-- never seen by the worker. A link is pending (token_pending holds it)
-- only inside the transaction that asked for it.
ALTER TABLE password_resets ADD COLUMN purpose text NOT NULL DEFAULT 'reset' CHECK (purpose IN ('reset', 'signin'));
ALTER TABLE password_resets ADD COLUMN token_pending text;

-- Ask for a link for the active account with that email, unless it had
-- p_max of this purpose in the last hour. No row: no such account.
-- created = false: limited, nothing stored. link_id is for
-- auth_link_mail() in the same transaction; brand_tenant the tenant whose
-- brand the account's email wears. The audit row is written here.
CREATE FUNCTION auth_link_request(p_purpose text, p_email text, p_ip text, p_lifetime int, p_max int)
RETURNS TABLE (link_id bigint, email text, name text, brand_tenant bigint, created boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    u users%ROWTYPE;
    n int;
    t text;
    id bigint;
    action text := CASE p_purpose WHEN 'reset' THEN 'auth.reset_requested' ELSE 'auth.signin_link_requested' END;
BEGIN
    IF p_purpose NOT IN ('reset', 'signin') THEN
        RAISE EXCEPTION 'auth_link_request: unknown purpose' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO u FROM users x WHERE lower(x.email) = lower(btrim(p_email)) AND x.status = 'active';
    IF NOT FOUND THEN
        PERFORM audit_account(NULL, action, p_ip,
                              jsonb_build_object('email', btrim(p_email), 'sent', false, 'rate_limited', false));
        RETURN;
    END IF;
    PERFORM 1 FROM users x WHERE x.id = u.id FOR UPDATE;
    SELECT count(*) INTO n FROM password_resets r
     WHERE r.user_id = u.id AND r.purpose = p_purpose AND r.created_at > now() - interval '1 hour';
    IF n >= least(p_max, 10) THEN
        PERFORM audit_account(u.id, action, p_ip,
                              jsonb_build_object('email', btrim(p_email), 'sent', false, 'rate_limited', true));
        RETURN QUERY SELECT NULL::bigint, u.email, u.name, account_mail_tenant(u.id), false;
        RETURN;
    END IF;
    DELETE FROM password_resets r WHERE r.user_id = u.id AND r.expires_at < now() - interval '1 day';
    t := random_token();
    INSERT INTO password_resets (token_hash, user_id, expires_at, ip, purpose, token_pending)
    VALUES (token_digest(t), u.id, now() + make_interval(secs => least(greatest(p_lifetime, 60), 3600)),
            left(p_ip, 64), p_purpose, t)
    RETURNING password_resets.id INTO id;
    PERFORM audit_account(u.id, action, p_ip,
                          jsonb_build_object('email', btrim(p_email), 'sent', true, 'rate_limited', false));
    RETURN QUERY SELECT id, u.email, u.name, account_mail_tenant(u.id), true;
END $$;
REVOKE ALL ON FUNCTION auth_link_request(text, text, text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_link_request(text, text, text, int, int) TO portal_app;

-- Queue the email of a pending link: every '@@link-token@@' in its text and
-- HTML becomes the token, the recipient is the account's address, and the
-- token leaves token_pending. False when the link is not pending.
CREATE FUNCTION auth_link_mail(p_link bigint, p_subject text, p_text text, p_html text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t text;
    addr text;
BEGIN
    UPDATE password_resets r SET token_pending = NULL
      FROM password_resets o
     WHERE r.id = p_link AND o.id = r.id AND r.token_pending IS NOT NULL
    RETURNING o.token_pending INTO t;
    IF t IS NULL THEN
        RETURN false;
    END IF;
    SELECT u.email INTO addr FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.id = p_link;
    INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html)
    VALUES (NULL, NULL, addr, p_subject, replace(p_text, '@@link-token@@', t), replace(p_html, '@@link-token@@', t));
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION auth_link_mail(bigint, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_link_mail(bigint, text, text, text) TO portal_app;

-- The account a link belongs to, if it is still usable.
DROP FUNCTION auth_reset_lookup(text);
CREATE FUNCTION auth_link_lookup(p_purpose text, p_token text)
RETURNS TABLE (user_id bigint, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email FROM password_resets r JOIN users u ON u.id = r.user_id
     WHERE r.token_hash = token_digest(p_token) AND r.purpose = p_purpose AND r.used_at IS NULL
       AND r.expires_at > now() AND u.status = 'active'
$$;
REVOKE ALL ON FUNCTION auth_link_lookup(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_link_lookup(text, text) TO portal_app;

-- Use a reset link (sql/005's, by the token itself, with its audit row).
DROP FUNCTION auth_reset_complete(text, text);
CREATE FUNCTION auth_reset_complete(p_token text, p_password_hash text, p_ip text)
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
     WHERE token_hash = token_digest(p_token) AND purpose = 'reset' AND used_at IS NULL AND expires_at > now()
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
    PERFORM audit_account(uid, 'auth.reset_done', p_ip, jsonb_build_object('email', mail));
    RETURN uid;
END $$;
REVOKE ALL ON FUNCTION auth_reset_complete(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_reset_complete(text, text, text) TO portal_app;

-- Use a sign-in link: a session for its account (no throttle: the link
-- proves the mailbox), the device and address remembered. No row: the
-- link is unknown, used or expired.
CREATE FUNCTION auth_link_signin(p_token text, p_ip text, p_ua text, p_device text, p_max_seconds int)
RETURNS TABLE (user_id bigint, token text, device text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    uid bigint;
    mail text;
BEGIN
    UPDATE password_resets r SET used_at = now()
     WHERE r.token_hash = token_digest(p_token) AND r.purpose = 'signin' AND r.used_at IS NULL
       AND r.expires_at > now()
    RETURNING r.user_id INTO uid;
    SELECT u.email INTO mail FROM users u WHERE u.id = uid AND u.status = 'active';
    IF mail IS NULL THEN
        RETURN;
    END IF;
    user_id := uid;
    device := login_remember(uid, lower(mail), p_ip, p_device);
    token := session_open(uid, p_ip, p_ua, p_max_seconds);
    PERFORM audit_account(uid, 'auth.login', p_ip, jsonb_build_object('email', mail, 'by', 'link'));
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION auth_link_signin(text, text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_link_signin(text, text, text, text, int) TO portal_app;

-- ------------------------------------------------------------ invitations
-- sql/049's invitation_accept(), with the accepting account from the
-- session (app_user_id()) instead of a parameter, and the session of an
-- account this acceptance makes usable opened here (token returned).
DROP FUNCTION invitation_accept(text, text, text, bigint);
CREATE FUNCTION invitation_accept(p_token_hash text, p_name text, p_password_hash text, p_ip text, p_ua text,
                                  p_max_seconds int)
RETURNS TABLE (user_id bigint, token text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    i invitations%ROWTYPE;
    st text;
BEGIN
    SELECT * INTO i FROM invitations x
     WHERE x.token_hash = p_token_hash AND x.accepted_at IS NULL AND x.expires_at > now()
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT u.status INTO st FROM users u WHERE u.id = i.user_id;
    IF st <> 'invited' AND app_user_id() IS DISTINCT FROM i.user_id THEN
        RAISE EXCEPTION 'sign_in_first' USING ERRCODE = 'P0001';
    END IF;
    IF st = 'invited' AND (p_password_hash IS NULL OR p_password_hash !~ '^scrypt\$') THEN
        RAISE EXCEPTION 'not a password hash' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE invitations x SET accepted_at = now() WHERE x.id = i.id;
    IF st = 'invited' THEN
        -- The account becomes usable through this invitation: memberships
        -- other tenants gave it by inviting it earlier are not consented
        -- to; their invitations stay pending, to accept signed in.
        DELETE FROM memberships m
         WHERE m.user_id = i.user_id AND m.tenant_id <> i.tenant_id
           AND EXISTS (SELECT 1 FROM invitations x WHERE x.user_id = i.user_id AND x.tenant_id = m.tenant_id
                          AND x.accepted_at IS NULL);
    END IF;
    UPDATE users u SET name = coalesce(nullif(btrim(p_name), ''), u.name),
                       password_hash = CASE WHEN st = 'invited' THEN p_password_hash ELSE u.password_hash END,
                       password_changed_at = CASE WHEN st = 'invited' THEN now() ELSE u.password_changed_at END,
                       status = CASE WHEN u.status = 'invited' THEN 'active' ELSE u.status END
     WHERE u.id = i.user_id;
    IF NOT EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON m.tenant_id = ANY (t.ancestors)
                    WHERE t.id = i.tenant_id AND m.user_id = i.user_id) THEN
        INSERT INTO memberships (user_id, tenant_id, role) VALUES (i.user_id, i.tenant_id, i.role);
    END IF;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target)
    VALUES (i.tenant_id, i.root_id, i.user_id, 'team.invite_accepted', 'user:' || i.user_id);
    user_id := i.user_id;
    IF st = 'invited' THEN
        token := session_open(i.user_id, p_ip, p_ua, p_max_seconds);
    END IF;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION invitation_accept(text, text, text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION invitation_accept(text, text, text, text, text, int) TO portal_app;

-- ------------------------------------------------------------ what goes
DROP FUNCTION auth_login_lookup(text);
DROP FUNCTION auth_session_create(text, bigint, text, text, int);
DROP FUNCTION auth_throttle_check(text, text, int, int, int);
DROP FUNCTION auth_login_failed(text, text, int, int, int);
DROP FUNCTION auth_login_succeeded(text);
DROP FUNCTION auth_reset_request(text, text, text, int, int);
DROP FUNCTION auth_my_password_hash();
DROP FUNCTION audit_anonymous(bigint, text, text, jsonb);

-- Only what the app calls is the app's: trigger functions, internal
-- helpers and the mailer's run as their owner from the triggers and
-- functions that use them.
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND (p.prorettype = 'trigger'::regtype
                    OR p.proname IN ('stats_apply', 'account_mail_tenant', 'stats_touch',
                                     'tenant_role', 'session_check', 'user_access_refresh'))
    LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, portal_app', f.sig);
    END LOOP;
END $$;
