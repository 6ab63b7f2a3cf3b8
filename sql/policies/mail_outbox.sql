-- The Row-Level Security policies of mail_outbox, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: visible_tenant_ids
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'mail_outbox' LOOP
        EXECUTE format('DROP POLICY %I ON mail_outbox', p);
    END LOOP;
END $$;

CREATE POLICY mail_outbox_insert ON mail_outbox FOR INSERT
    WITH CHECK (tenant_id IS NULL OR tenant_id IN (SELECT visible_tenant_ids()));

CREATE POLICY mail_outbox_mailer ON mail_outbox TO portal_mailer USING (true) WITH CHECK (true);
