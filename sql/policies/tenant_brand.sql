-- The Row-Level Security policies of tenant_brand, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'tenant_brand' LOOP
        EXECUTE format('DROP POLICY %I ON tenant_brand', p);
    END LOOP;
END $$;

CREATE POLICY tenant_brand_visible ON tenant_brand
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = tenant_brand.tenant_id));
