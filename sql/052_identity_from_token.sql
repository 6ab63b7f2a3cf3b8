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
-- * The identity is derived from what the request carries: app.token is
--   the session cookie's token itself (the database keeps only its
--   SHA-256), app.api_key the API key itself. app_identify() and
--   api_key_auth() hash it and look it up once per transaction;
--   app_user_id() and app_api_tenant() read what they kept. A setting with
--   no live session or key behind it is nobody. The worker cannot forge
--   one: it knows the tokens of the requests it serves, and no other.
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

-- The app role may not make temporary tables: the identity of a
-- transaction is kept in one the owner makes (identity_keep), which the
-- app role must not be able to stand in for.
DO $$ BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END $$;

-- A secret of this database, for what must look random but be the same
-- every time (the made-up salt of an unknown address). Readable by the
-- owner only.
CREATE TABLE portal_secrets (
    name  text PRIMARY KEY,
    value text NOT NULL
);
REVOKE ALL ON portal_secrets FROM PUBLIC;
INSERT INTO portal_secrets
    VALUES ('login_salt', encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'));

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

-- ------------------------------------------------------------ links
-- Reset links and sign-in links: made here, mailed by auth_link_mail(),
-- never seen by the worker. A link is pending (token_pending holds it)
-- only inside the transaction that asked for it.
ALTER TABLE password_resets ADD COLUMN purpose text NOT NULL DEFAULT 'reset' CHECK (purpose IN ('reset', 'signin'));
ALTER TABLE password_resets ADD COLUMN token_pending text;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   random_token, token_digest, app_user_id, app_api_tenant, app_scope,
--   api_key_auth, notifications_own, user_access_own, audit_log_visible,
--   session_open, auth_session_lookup, auth_session_end, request_context,
--   login_gate, audit_account, login_setting, auth_login_begin,
--   login_remember, login_failed, auth_login, auth_password_check,
--   auth_my_password_setting, auth_link_request, auth_link_mail,
--   auth_link_lookup, auth_reset_complete, auth_link_signin,
--   invitation_accept.
