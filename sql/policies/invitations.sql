-- The Row-Level Security policies of invitations, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'invitations' LOOP
        EXECUTE format('DROP POLICY %I ON invitations', p);
    END LOOP;
END $$;

CREATE POLICY invitations_visible ON invitations
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = invitations.tenant_id))
    WITH CHECK (EXISTS (SELECT 1 FROM tenants t WHERE t.id = invitations.tenant_id));
