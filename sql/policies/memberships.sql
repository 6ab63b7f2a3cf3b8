-- The Row-Level Security policies of memberships, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'memberships' LOOP
        EXECUTE format('DROP POLICY %I ON memberships', p);
    END LOOP;
END $$;

CREATE POLICY memberships_visible ON memberships
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = memberships.tenant_id))
    WITH CHECK (EXISTS (SELECT 1 FROM tenants t WHERE t.id = memberships.tenant_id));
