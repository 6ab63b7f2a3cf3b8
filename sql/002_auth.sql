-- 002_auth.sql - sign-in and sessions, through SECURITY DEFINER functions
-- so the app role never reads users or sessions directly.

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   auth_login_lookup, auth_session_create, auth_session_lookup,
--   auth_session_end, audit_anonymous, my_memberships.
