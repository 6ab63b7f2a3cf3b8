-- The Row-Level Security policies of dashboard_docs, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'dashboard_docs' LOOP
        EXECUTE format('DROP POLICY %I ON dashboard_docs', p);
    END LOOP;
END $$;

CREATE POLICY dashboard_docs_visible ON dashboard_docs
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = dashboard_docs.tenant_id));
