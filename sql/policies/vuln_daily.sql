-- The Row-Level Security policies of vuln_daily, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'vuln_daily' LOOP
        EXECUTE format('DROP POLICY %I ON vuln_daily', p);
    END LOOP;
END $$;

CREATE POLICY vuln_daily_visible ON vuln_daily USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = vuln_daily.tenant_id));
