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

REVOKE ALL ON TABLE login_failures, password_resets FROM PUBLIC;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   auth_throttle_check, auth_login_failed, auth_login_succeeded,
--   auth_reset_request, auth_reset_lookup, auth_reset_complete,
--   auth_my_password_hash, auth_password_change.
