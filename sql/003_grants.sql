-- 003_grants.sql - what the app and mailer roles may read beyond 001.

-- /healthz reports the schema version.
GRANT SELECT ON schema_migrations TO portal_app;

-- The mailer (its own role, portal_mailer) claims, sends and marks outbox
-- rows of every tenant; it reads nothing else.
GRANT SELECT, UPDATE ON mail_outbox TO portal_mailer;
CREATE POLICY mail_outbox_mailer ON mail_outbox TO portal_mailer USING (true) WITH CHECK (true);
GRANT USAGE ON SCHEMA public TO portal_mailer;
