-- 047_mail_limits.sql - limits on the mail anyone can make the portal send
-- (issue 17, finding 8).
--
-- 25 invitations to outside addresses went out in 0.1 s, and /forgot
-- answered 60 requests for one address in a row. mail_limits keeps one row
-- per mail a limit let through, by key (a kind and what it counts:
-- "invite-tenant:42", "invite-address:<sha256>", "reset-address:<sha256>");
-- mail_limit_take() lets one more through while fewer than p_max went in
-- the last p_window. Keys of addresses are hashes: the table names nobody.
CREATE TABLE mail_limits (
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_limits_key_at ON mail_limits (key, at);
-- Read and written only by mail_limit_take() (the owner); no grants.
ALTER TABLE mail_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_limits FORCE ROW LEVEL SECURITY;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   mail_limit_take.
