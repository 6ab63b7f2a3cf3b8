-- The triggers on tenants that run tenants_move_children().
-- requires: tenants_move_children
CREATE OR REPLACE TRIGGER tenants_move AFTER UPDATE OF parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_move_children();
