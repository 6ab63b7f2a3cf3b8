-- The Row-Level Security policies of audit_log, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: app_user_id
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'audit_log' LOOP
        EXECUTE format('DROP POLICY %I ON audit_log', p);
    END LOOP;
END $$;

CREATE POLICY audit_log_visible ON audit_log
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = audit_log.tenant_id))
    WITH CHECK (user_id = (SELECT app_user_id())
                AND (tenant_id IS NULL OR EXISTS (SELECT 1 FROM tenants t WHERE t.id = audit_log.tenant_id)));
