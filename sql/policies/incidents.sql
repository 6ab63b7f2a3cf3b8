-- The Row-Level Security policies of incidents, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- A row is visible when its tenant is: EXISTS of the row's tenant in
-- tenants, whose own policy then applies (scope_sees() with the viewer's
-- scope, once per statement), as for the rollup tables. An API batch
-- checks its few tenants, one index probe per row, where the set of every
-- tenant the key sees (visible_tenant_ids(): 20,000 at size L, 5-10 ms)
-- was built for each statement; a large scan still gets that set, as a
-- hashed subplan the planner makes of the EXISTS (docs/performance.md,
-- "Session 27").
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'incidents' LOOP
        EXECUTE format('DROP POLICY %I ON incidents', p);
    END LOOP;
END $$;

CREATE POLICY incidents_visible ON incidents USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = incidents.tenant_id))
    WITH CHECK (EXISTS (SELECT 1 FROM tenants t WHERE t.id = incidents.tenant_id));
