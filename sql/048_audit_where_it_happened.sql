-- 048_audit_where_it_happened.sql - a tenant's audit log shows what
-- happened in the tenant and below; account events are the user's own
-- (issue 17, finding 3).
--
-- sql/012's audit_entries() added every event with no tenant (sign-ins
-- with their address, password resets, failures) of anyone who was a
-- member of the subtree. A tenant that invited a user of another tenant
-- then read that user's sign-in history from before, in other tenants. Now
-- the log is the subtree's own rows; a user reads their own account events
-- on their Security activity page (account_activity()); the operator reads
-- all of them in the database.

-- The signed-in user's own account events (no tenant): sign-ins and
-- failed ones with their address, resets, password changes; newest first.
CREATE INDEX audit_log_account ON audit_log (user_id, at DESC) WHERE tenant_id IS NULL;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   audit_entries, account_activity.
