-- The Row-Level Security policies of report_settings, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'report_settings' LOOP
        EXECUTE format('DROP POLICY %I ON report_settings', p);
    END LOOP;
END $$;

-- Read only: report_retention_set() writes.
CREATE POLICY report_settings_visible ON report_settings
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = report_settings.tenant_id));
