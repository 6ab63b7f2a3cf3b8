-- The Row-Level Security policies of tenants, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: app_exact, app_scope, scope_sees, visible_tenant_ids
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'tenants' LOOP
        EXECUTE format('DROP POLICY %I ON tenants', p);
    END LOOP;
END $$;

-- (SELECT f()) makes each an InitPlan: evaluated once per statement.
CREATE POLICY tenants_visible ON tenants
    USING (scope_sees(ancestors, id, (SELECT app_scope()), (SELECT app_exact())))
    WITH CHECK (id IN (SELECT visible_tenant_ids()) OR parent_id IN (SELECT visible_tenant_ids()));
