-- The Row-Level Security policies of notifications, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: app_user_id
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'notifications' LOOP
        EXECUTE format('DROP POLICY %I ON notifications', p);
    END LOOP;
END $$;

-- Policies that compare with app_user_id() row by row: once per statement.
CREATE POLICY notifications_own ON notifications
    USING (user_id = (SELECT app_user_id())) WITH CHECK (user_id = (SELECT app_user_id()));
