-- The triggers on tenants that run tenants_tree_check().
-- requires: tenants_tree_check
CREATE OR REPLACE TRIGGER tenants_tree BEFORE INSERT OR UPDATE OF parent_id, kind, region ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_tree_check();
