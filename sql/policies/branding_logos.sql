-- The Row-Level Security policies of branding_logos, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'branding_logos' LOOP
        EXECUTE format('DROP POLICY %I ON branding_logos', p);
    END LOOP;
END $$;

CREATE POLICY branding_logos_visible ON branding_logos
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = branding_logos.tenant_id))
    WITH CHECK (EXISTS (SELECT 1 FROM tenants t WHERE t.id = branding_logos.tenant_id));
