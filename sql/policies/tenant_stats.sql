-- The Row-Level Security policies of tenant_stats, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'tenant_stats' LOOP
        EXECUTE format('DROP POLICY %I ON tenant_stats', p);
    END LOOP;
END $$;

CREATE POLICY tenant_stats_visible ON tenant_stats USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = tenant_stats.tenant_id));
