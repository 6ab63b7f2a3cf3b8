-- The Row-Level Security policies of cve_open, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'cve_open' LOOP
        EXECUTE format('DROP POLICY %I ON cve_open', p);
    END LOOP;
END $$;

CREATE POLICY cve_open_visible ON cve_open USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = cve_open.tenant_id));
