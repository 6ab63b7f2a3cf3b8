-- The Row-Level Security policies of invitations, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: visible_tenant_ids
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'invitations' LOOP
        EXECUTE format('DROP POLICY %I ON invitations', p);
    END LOOP;
END $$;

CREATE POLICY invitations_visible ON invitations
    USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));
