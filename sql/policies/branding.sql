-- The Row-Level Security policies of branding, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'branding' LOOP
        EXECUTE format('DROP POLICY %I ON branding', p);
    END LOOP;
END $$;

CREATE POLICY branding_visible ON branding
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = branding.tenant_id))
    WITH CHECK (EXISTS (SELECT 1 FROM tenants t WHERE t.id = branding.tenant_id));
