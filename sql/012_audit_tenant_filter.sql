-- 012_audit_tenant_filter.sql - the audit log can also be filtered by the
-- name of the tenant (within the subtree being viewed).

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   audit_entries.
