-- The triggers on tenants that run tenants_count_stats().
-- requires: tenants_count_stats
CREATE OR REPLACE TRIGGER tenants_count_stats AFTER INSERT OR UPDATE OF parent_id, status ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_count_stats();
