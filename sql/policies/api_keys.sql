-- The Row-Level Security policies of api_keys, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'api_keys' LOOP
        EXECUTE format('DROP POLICY %I ON api_keys', p);
    END LOOP;
END $$;

CREATE POLICY api_keys_visible ON api_keys USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = api_keys.tenant_id))
    WITH CHECK (EXISTS (SELECT 1 FROM tenants t WHERE t.id = api_keys.tenant_id));
