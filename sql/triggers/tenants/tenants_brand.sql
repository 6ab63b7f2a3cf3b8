-- The triggers on tenants that run tenants_brand().
-- requires: tenants_brand
CREATE OR REPLACE TRIGGER tenants_brand AFTER INSERT OR UPDATE OF parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_brand();
