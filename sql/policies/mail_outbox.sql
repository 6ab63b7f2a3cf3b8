-- The Row-Level Security policies of mail_outbox, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'mail_outbox' LOOP
        EXECUTE format('DROP POLICY %I ON mail_outbox', p);
    END LOOP;
END $$;

CREATE POLICY mail_outbox_insert ON mail_outbox FOR INSERT
    WITH CHECK (tenant_id IS NULL OR EXISTS (SELECT 1 FROM tenants t WHERE t.id = mail_outbox.tenant_id));

CREATE POLICY mail_outbox_mailer ON mail_outbox TO portal_mailer USING (true) WITH CHECK (true);
