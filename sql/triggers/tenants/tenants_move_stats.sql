-- The triggers on tenants that run tenants_move_stats().
-- requires: tenants_move_stats
CREATE OR REPLACE TRIGGER tenants_move_stats AFTER UPDATE OF parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_move_stats();
