-- 006_audit.sql - reading the audit log of a tenant's subtree.

CREATE INDEX audit_log_user_at ON audit_log (user_id, at DESC);

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   audit_entries.
