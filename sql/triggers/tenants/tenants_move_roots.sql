-- The triggers on tenants that run tenants_move_roots().
-- requires: tenants_move_roots
CREATE OR REPLACE TRIGGER tenants_move_roots AFTER UPDATE OF parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_move_roots();
