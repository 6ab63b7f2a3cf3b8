-- The Row-Level Security policies of plan_sections, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'plan_sections' LOOP
        EXECUTE format('DROP POLICY %I ON plan_sections', p);
    END LOOP;
END $$;

-- Read only: every change goes through sql/functions/plans.
CREATE POLICY plan_sections_visible ON plan_sections
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = plan_sections.tenant_id));
