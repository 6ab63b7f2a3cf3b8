-- The triggers on tenants that run tenants_delete_rollups().
-- requires: tenants_delete_rollups
CREATE OR REPLACE TRIGGER tenants_delete_rollups BEFORE DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_delete_rollups();
