-- The Row-Level Security policies of config_documents, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'config_documents' LOOP
        EXECUTE format('DROP POLICY %I ON config_documents', p);
    END LOOP;
END $$;

-- Not granted to the app role at all (config_poll() reads and writes it);
-- were it granted, an identity would see only its own tenants' rows.
CREATE POLICY config_documents_visible ON config_documents
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = config_documents.tenant_id));
