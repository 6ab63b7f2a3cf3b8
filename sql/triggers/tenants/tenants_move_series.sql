-- The triggers on tenants that run tenants_move_series().
-- requires: tenants_move_series
CREATE OR REPLACE TRIGGER tenants_move_series AFTER UPDATE OF parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_move_series();
