-- The Row-Level Security policies of memberships, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: visible_tenant_ids
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'memberships' LOOP
        EXECUTE format('DROP POLICY %I ON memberships', p);
    END LOOP;
END $$;

CREATE POLICY memberships_visible ON memberships
    USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));
