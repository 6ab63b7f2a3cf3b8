-- The triggers on memberships that run memberships_drop_assignments().
-- requires: memberships_drop_assignments
CREATE OR REPLACE TRIGGER memberships_assignments AFTER UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_drop_assignments();
