-- The Row-Level Security policies of assets, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- A row is visible when its tenant is (EXISTS in tenants, whose policy
-- applies), as for the rollup tables: an API batch probes its own tenants
-- (docs/architecture.md, the policies' shapes).
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'assets' LOOP
        EXECUTE format('DROP POLICY %I ON assets', p);
    END LOOP;
END $$;

CREATE POLICY assets_visible ON assets USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = assets.tenant_id))
    WITH CHECK (EXISTS (SELECT 1 FROM tenants t WHERE t.id = assets.tenant_id));
