-- The Row-Level Security policies of audit_log, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: app_user_id, visible_tenant_ids
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'audit_log' LOOP
        EXECUTE format('DROP POLICY %I ON audit_log', p);
    END LOOP;
END $$;

CREATE POLICY audit_log_visible ON audit_log
    USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (user_id = (SELECT app_user_id()) AND (tenant_id IS NULL OR tenant_id IN (SELECT visible_tenant_ids())));
