-- The triggers on memberships that run user_access_sync().
-- requires: user_access_sync
CREATE OR REPLACE TRIGGER memberships_access AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION user_access_sync();
