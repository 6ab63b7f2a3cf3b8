-- 003_grants.sql - what the app and mailer roles may read beyond 001.

-- /healthz reports the schema version.
GRANT SELECT ON schema_migrations TO portal_app;

-- The mailer (its own role, portal_mailer) claims, sends and marks outbox
-- rows of every tenant; it reads nothing else.
GRANT SELECT, UPDATE ON mail_outbox TO portal_mailer;
GRANT USAGE ON SCHEMA public TO portal_mailer;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   mail_outbox_mailer.
