-- The triggers on analyst_assignments that run user_access_sync().
-- requires: user_access_sync
CREATE OR REPLACE TRIGGER analyst_assignments_access AFTER INSERT OR UPDATE OR DELETE ON analyst_assignments
    FOR EACH ROW EXECUTE FUNCTION user_access_sync();
