-- The triggers on memberships that run memberships_keep_owner().
-- requires: memberships_keep_owner
DROP TRIGGER IF EXISTS memberships_last_owner ON memberships;
CREATE CONSTRAINT TRIGGER memberships_last_owner AFTER UPDATE OR DELETE ON memberships
    DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION memberships_keep_owner();
