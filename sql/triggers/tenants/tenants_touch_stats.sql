-- The triggers on tenants that run tenants_touch_stats().
-- requires: tenants_touch_stats
CREATE OR REPLACE TRIGGER tenants_touch_stats AFTER UPDATE OF name, parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_touch_stats();
