-- 008_mail.sql - the failed-mail admin page: listing and retrying outbox
-- messages of a tenant's subtree.
--
-- The app role may only INSERT into mail_outbox (001); reading and
-- rescheduling go through these two functions, which check that the tenant
-- is visible to the caller and that the message belongs to its subtree.
-- Messages without a tenant (tenant_id NULL: sign-in and password mail of
-- no particular tenant) appear on no tenant's page. The caller has already
-- checked the `settings` permission.

CREATE INDEX mail_outbox_tenant_created ON mail_outbox (tenant_id, created_at DESC);

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   mail_messages, mail_retry.
