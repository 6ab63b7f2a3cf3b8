-- The Row-Level Security policies of analyst_assignments, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'analyst_assignments' LOOP
        EXECUTE format('DROP POLICY %I ON analyst_assignments', p);
    END LOOP;
END $$;

CREATE POLICY analyst_assignments_visible ON analyst_assignments
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = analyst_assignments.tenant_id))
    WITH CHECK (EXISTS (SELECT 1 FROM tenants t WHERE t.id = analyst_assignments.tenant_id));
